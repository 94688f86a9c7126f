/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SMS PDU codec of the simulated AT modem (3GPP TS 23.040 and 23.038):
 * decodes the SMS-SUBMIT PDUs a host sends with AT+CMGS and encodes the
 * SMS-DELIVER and SMS-STATUS-REPORT PDUs the modem hands back. Pure
 * functions over caller buffers: no I/O, no globals, no allocation.
 */
#ifndef HBM_TESTS_ATSIM_PDU_H
#define HBM_TESTS_ATSIM_PDU_H

#include <stddef.h>
#include <stdint.h>

#define PDU_GSM7 0 /* default alphabet, 7-bit packed */
#define PDU_8BIT 1 /* 8-bit data */
#define PDU_UCS2 2 /* UCS-2 (UTF-16BE on the air) */

#define PDU_ADDR_MAX 24	  /* address digits or characters, plus NUL */
#define PDU_TEXT_MAX 1024 /* UTF-8 bytes of one part's text, plus NUL */
#define PDU_UD_MAX 140	  /* octets of user data in one SMS */
#define PDU_HEX_MAX 400	  /* hex digits of one PDU with its SMSC, plus NUL */

/* One decoded SMS-SUBMIT. */
struct pdu_submit {
	char to[PDU_ADDR_MAX];	      /* "+E164" or the digits as sent */
	int encoding;		      /* PDU_GSM7, PDU_8BIT or PDU_UCS2 */
	char text[PDU_TEXT_MAX];      /* UTF-8; 8-bit data as Latin-1 */
	char hex[2 * PDU_UD_MAX + 1]; /* 8-bit data as hex, else "" */
	int mr;			      /* TP-MR as sent by the host */
	int srr;		      /* 1: a status report was requested */
	int ref;   /* concatenation reference, 0 when single */
	int ref16; /* 1: 16-bit reference IE */
	int part;  /* 1-based part number, 1 when single */
	int parts; /* number of parts, 1 when single */
};

/* Where a long text is cut into concatenated parts. */
struct pdu_split {
	int encoding;	   /* PDU_GSM7 or PDU_UCS2 for the whole text */
	int parts;	   /* number of parts, at least 1 */
	size_t start[256]; /* byte offset in the UTF-8 text of each part */
	size_t end[256];   /* byte offset just past each part */
};

/*
 * Decode HEX, an SMS-SUBMIT PDU preceded by its SMSC field as AT+CMGS takes
 * it, whose TPDU is LEN octets long (the AT+CMGS argument; -1 to skip the
 * check). Returns 0, or -1 with a static reason in *CAUSE.
 */
int pdu_decode_submit(
    const char *hex, int len, struct pdu_submit *out, const char **cause);

/*
 * Choose the encoding of UTF8 (GSM-7 when every character has a septet,
 * else UCS-2) and cut it into parts: 160 septets or 70 UTF-16 units alone,
 * 153 or 67 per part when concatenated, never splitting an escape sequence
 * or a surrogate pair. Returns 0, or -1 when UTF8 is not valid UTF-8 or
 * needs more than 255 parts.
 */
int pdu_split_text(const char *utf8, struct pdu_split *out);

/*
 * Encode an SMS-DELIVER from FROM (digits with an optional "+", or an
 * alphanumeric sender) carrying LEN bytes of UTF8 in ENCODING, with a
 * concatenation header when PARTS > 1 (8-bit REF), stamped TIME (UTC).
 * SMSC ("+digits") leads the PDU. Writes upper-case hex to HEX and the TPDU
 * length in octets to *TPDU_LEN. Returns 0, or -1 when it does not fit.
 */
int pdu_encode_deliver(const char *smsc, const char *from, const char *utf8,
    size_t len, int encoding, int ref, int part, int parts, long long time,
    char *hex, size_t hexsz, int *tpdu_len);

/*
 * Encode an SMS-STATUS-REPORT for message reference MR sent to TO: status
 * 0 (delivered), both stamps TIME. Output as for pdu_encode_deliver().
 */
int pdu_encode_report(const char *smsc, int mr, const char *to, long long time,
    char *hex, size_t hexsz, int *tpdu_len);

/*
 * Convert UTF8 to GSM-7 septets (escape 0x1B before extension characters).
 * Returns the number of septets, or -1 when a character has no septet or
 * more than MAX septets are needed.
 */
int pdu_gsm7_from_utf8(const char *utf8, size_t len, uint8_t *sept, size_t max);

/* Convert N septets to NUL-terminated UTF-8 in OUT; -1 when it is short. */
int pdu_gsm7_to_utf8(const uint8_t *sept, size_t n, char *out, size_t outsz);

/* UTF8 as upper-case UTF-16BE hex (the UCS2 character set of AT+CSCS). */
int pdu_ucs2_hex(const char *utf8, char *hex, size_t hexsz);

#endif
