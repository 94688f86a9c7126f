/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SMS text between libgammu's buffers and UTF-8: UCS-2/UTF-16 big-endian
 * (how libgammu hands over GSM-7 and UCS-2 text) and 8-bit data to UTF-8,
 * UTF-8 to UTF-16 for sending, and the figure in a prepaid balance reply.
 * Pure functions: no I/O, no globals, no libgammu.
 */
#ifndef HBM_MODEM_DECODE_H
#define HBM_MODEM_DECODE_H

#include <stddef.h>

/*
 * UTF-16BE text of N units at SRC to UTF-8 in OUT (SIZE bytes, always
 * NUL-terminated): surrogate pairs join into one character; a lone
 * surrogate, and U+0000, becomes U+FFFD. Returns the bytes written (without
 * the NUL), or -1 when OUT is too small (OUT then holds what fitted).
 */
int decode_utf16be(const unsigned char *src, size_t n, char *out, size_t size);

/*
 * 8-bit data of LEN bytes to UTF-8 in OUT: kept as is when it is valid
 * UTF-8 without NUL, else read as ISO 8859-1. Same return as above.
 */
int decode_8bit(const unsigned char *src, size_t len, char *out, size_t size);

/*
 * UTF-8 text to UTF-16BE in OUT (SIZE bytes), ended by two NUL bytes as
 * libgammu expects; characters beyond the BMP become surrogate pairs.
 * Returns the units written, or -1 when TEXT is not valid UTF-8 or OUT is
 * too small.
 */
int decode_to_utf16be(const char *text, unsigned char *out, size_t size);

/*
 * The balance in a USSD reply ("Your balance is UGX 1,250.50. Dial...") as
 * a number: the first figure that follows a balance word ("balance",
 * "solde", "credit", "رصيد"), else the first figure in the text. Thousands
 * separators (",", " " before 3 digits) are skipped. 0 with *OUT set, or -1
 * when the text holds no figure or one too long to be finite.
 */
int decode_balance(const char *text, double *out);

#endif
