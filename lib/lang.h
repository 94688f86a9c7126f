/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Text folding for keyword matching, and strict UTF-8 decoding. Pure
 * functions, no I/O, no globals.
 */
#ifndef HBM_HANDLERS_LANG_H
#define HBM_HANDLERS_LANG_H

#include <stddef.h>
#include <stdint.h>

/*
 * Fold the UTF-8 text IN for matching, into OUT (OUTLEN bytes). ASCII and
 * Latin-1 letters become their lower-case base letter ("É" -> "e", "ß" ->
 * "ss", "Œ" -> "oe"); Arabic and Persian letter variants become one form
 * (yeh, kaf, heh, alef); Arabic diacritics, tatweel, zero-width and
 * direction marks are removed; Arabic-Indic and Persian digits become ASCII;
 * invalid bytes are dropped; white space and control characters become
 * single ASCII spaces, with none at either end. Other characters are kept.
 * Folding is idempotent. OUT is always NUL-terminated (when OUTLEN > 0) and
 * cut at a character boundary when too small. Returns the folded length.
 */
size_t lang_fold(const char *in, char *out, size_t outlen);

/* lang_fold() over the INLEN bytes at IN, which need no NUL. */
size_t lang_foldn(const char *in, size_t inlen, char *out, size_t outlen);

/*
 * Whether the LEN bytes at S are strict UTF-8: no overlong forms, no
 * surrogates, nothing above U+10FFFF, no truncated sequence. NUL bytes are
 * valid UTF-8; callers that need a C string check for them. Returns 1 or 0.
 */
int lang_utf8_valid(const char *s, size_t len);

/*
 * Decode the strict UTF-8 character at S (at most LEN bytes) into *CP.
 * Returns its length in bytes (1-4), or 0 when S does not start with a
 * valid character (or LEN is 0).
 */
size_t lang_utf8_decode(const char *s, size_t len, uint32_t *cp);

/*
 * Whether CP separates words: white space (ASCII, no-break, the Unicode
 * spaces, U+200B, line and paragraph separators) and control characters.
 * These are what lang_fold() turns into a space.
 */
int lang_is_space(uint32_t cp);

#endif
