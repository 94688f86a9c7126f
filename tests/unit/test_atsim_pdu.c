/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the simulated AT modem (tests/tools/atsim): the PDU codec
 * against SMS-SUBMIT PDUs that libgammu 1.42 sent (GSM-7 with extension
 * characters, UCS-2 with a surrogate pair, status report request, 8-bit
 * and 16-bit concatenation), every malformed PDU, text splitting at its
 * boundaries, and the AT interpreter fed bytes as a host sends them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/tools/atsim/modem.c"
#include "tests/tools/atsim/pdu.c"

/* "abcdefghij" 20 times: the text of the two-part vectors. */
static char long_text[201];

/* A submit PDU as AT+CMGS takes it and what it must decode to. */
struct submit_case {
	const char *hex;
	const char *to;
	const char *text;
	int encoding, srr, ref, ref16, part, parts;
};

static const struct submit_case submit_cases[] = {
	/* gammu sendsms TEXT +256700111222 -text 'Hi [x] €1 ~' */
	{ "079152760000001011000C915276001121220000FF0FC83468C3C36F7CA04D"
	  "3906DAF400",
	    "+256700111222",
	    "Hi [x] \xe2\x82\xac"
	    "1 ~",
	    PDU_GSM7, 0, 0, 0, 1, 1 },
	/* -unicode -text 'مرحبا' */
	{ "079152760000001011000C915276001121220008FF0A06450631062D06280627",
	    "+256700111222", "\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7",
	    PDU_UCS2, 0, 0, 0, 1, 1 },
	/* -unicode -text 'a😀' (a surrogate pair) */
	{ "079152760000001011000C915276001121220008FF060061D83DDE00",
	    "+256700111222", "a\xf0\x9f\x98\x80", PDU_UCS2, 0, 0, 0, 1, 1 },
	/* -report -text 'report me' */
	{ "079152760000001031000C915276001121220000FF09F232FC2DA783DA65",
	    "+256700111222", "report me", PDU_GSM7, 1, 0, 0, 1, 1 },
	/* a national number and no SMSC; 8-bit data C0 FF 41 */
	{ "0001000A8170001121320004 03C0FF41", "0700111223", NULL, PDU_8BIT, 0,
	    0, 0, 1, 1 },
};

/* The TPDU length of HEX (after its SMSC field), as AT+CMGS gives it. */
static int
tpdu_len(const char *hex)
{
	unsigned int smsc;

	sscanf(hex, "%2x", &smsc);
	return (int)(strlen(hex) / 2 - 1 - smsc);
}

static void
check_submit(const struct submit_case *c)
{
	struct pdu_submit sms;
	const char *cause = NULL;
	char hex[PDU_HEX_MAX];
	size_t i, o = 0;

	for (i = 0; c->hex[i] != '\0'; i++)
		if (c->hex[i] != ' ')
			hex[o++] = c->hex[i];
	hex[o] = '\0';
	assert_int_equal(
	    pdu_decode_submit(hex, tpdu_len(hex), &sms, &cause), 0);
	assert_string_equal(sms.to, c->to);
	if (c->text != NULL)
		assert_string_equal(sms.text, c->text);
	assert_int_equal(sms.encoding, c->encoding);
	assert_int_equal(sms.srr, c->srr);
	assert_int_equal(sms.ref, c->ref);
	assert_int_equal(sms.ref16, c->ref16);
	assert_int_equal(sms.part, c->part);
	assert_int_equal(sms.parts, c->parts);
	assert_int_equal(sms.mr, 0);
}

static void
test_submit(void **state)
{
	struct pdu_submit sms;
	const char *cause;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(submit_cases) / sizeof(submit_cases[0]); i++)
		check_submit(&submit_cases[i]);
	/* The 8-bit data: Latin-1 text and the bytes in hex. */
	assert_int_equal(pdu_decode_submit("0001000A817000112132000403C0FF41",
			     15, &sms, &cause),
	    0);
	assert_string_equal(sms.text,
	    "\xc3\x80\xc3\xbf"
	    "A");
	assert_string_equal(sms.hex, "C0FF41");
	/* Without the length check. */
	assert_int_equal(pdu_decode_submit("0001000A817000112132000403C0FF41",
			     -1, &sms, &cause),
	    0);
}

static void
test_submit_concat(void **state)
{
	struct pdu_submit sms;
	const char *cause;
	/* -len 200: parts 1 and 2 of ref 0xCD, 8-bit reference IE */
	static const char p1[] =
	    "079152760000001051000C915276001121220000FFA0050003CD0201C2E231B9"
	    "6C3EA3D3EAB0784C2E9BCFE8B43A2C1E93CBE6333AAD0E8BC7E4B2F98C4EABC3"
	    "E231B96C3EA3D3EAB0784C2E9BCFE8B43A2C1E93CBE6333AAD0E8BC7E4B2F98C"
	    "4EABC3E231B96C3EA3D3EAB0784C2E9BCFE8B43A2C1E93CBE6333AAD0E8BC7E4"
	    "B2F98C4EABC3E231B96C3EA3D3EAB0784C2E9BCFE8B43A2C1E93CBE6333AAD0E"
	    "8BC7";
	static const char p2[] =
	    "079152760000001051000C915276001121220000FF36050003CD0202C865F319"
	    "9D5687C56372D97C46A7D561F1985C369FD16975583C2697CD67745A1D168FC9"
	    "65F3199D5603";
	/* -len 200 -16bit: part 2 of ref 0x07DE, 16-bit reference IE */
	static const char q2[] =
	    "079152760000001051000C915276001121220000FF3806080407DE02026372D9"
	    "7C46A7D561F1985C369FD16975583C2697CD67745A1D168FC965F3199D5687C5"
	    "6372D97C46A7D5";

	(void)state;
	assert_int_equal(pdu_decode_submit(p1, tpdu_len(p1), &sms, &cause), 0);
	assert_int_equal(sms.ref, 0xCD);
	assert_int_equal(sms.ref16, 0);
	assert_int_equal(sms.part, 1);
	assert_int_equal(sms.parts, 2);
	assert_int_equal(strlen(sms.text), 153);
	assert_memory_equal(sms.text, long_text, 153);
	assert_int_equal(pdu_decode_submit(p2, tpdu_len(p2), &sms, &cause), 0);
	assert_int_equal(sms.part, 2);
	assert_string_equal(sms.text, long_text + 153);
	assert_int_equal(pdu_decode_submit(q2, tpdu_len(q2), &sms, &cause), 0);
	assert_int_equal(sms.ref, 0x07DE);
	assert_int_equal(sms.ref16, 1);
	assert_int_equal(sms.part, 2);
	assert_int_equal(sms.parts, 2);
	/* 152 septets fit beside a 7-octet header. */
	assert_string_equal(sms.text, long_text + 152);
}

/* A malformed PDU and the reason it must give. */
struct bad_case {
	const char *hex;
	int len;
	const char *cause;
};

static const struct bad_case bad_cases[] = {
	{ "", -1, "not hex" },
	{ "0", -1, "not hex" },
	{ "0G01000A8170011122330000 01", -1, "not hex" },
	{ "00010", -1, "not hex" },
	{ "0001", -1, "PDU too short" },
	{ "FF01000A817001112233000001C1", -1, "PDU too short" },
	{ "0001000A81700111223300000141", 5, "length does not match AT+CMGS" },
	/* an SMS-DELIVER, not a submit */
	{ "0000000A81700111223300000141", -1, "not an SMS-SUBMIT" },
	{ "000100008170011122330000014141", -1, "bad destination address" },
	{ "000100188170011122330000014141", -1, "bad destination address" },
	/* compressed GSM-7 */
	{ "0001000A81700111223300200141", -1,
	    "unsupported data coding scheme" },
	/* reserved alphabet */
	{ "0001000A817001112233000C0141", -1,
	    "unsupported data coding scheme" },
	/* VPF relative but no room for it */
	{ "0011000A8170011122330000", -1, "PDU too short" },
	/* 10 septets announced, 1 octet present */
	{ "0001000A8170011122330000"
	  "0A41",
	    -1, "user data length exceeds the PDU" },
	{ "0001000A8170011122330008"
	  "03004100",
	    -1, "odd UCS-2 length" },
	{ "0001000A8170011122330008"
	  "0A0041",
	    -1, "user data length exceeds the PDU" },
	/* UDHI with a header longer than the user data */
	{ "0041000A8170011122330004"
	  "03100000",
	    -1, "user data header overruns the PDU" },
	/* concatenation part 3 of 2, and part 0 */
	{ "0041000A8170011122330004"
	  "0705000301020341",
	    -1, "bad user data header" },
	{ "0041000A8170011122330004"
	  "0705000301020041",
	    -1, "bad user data header" },
	/* an IE whose length runs past the header */
	{ "0041000A8170011122330004"
	  "0403000541",
	    -1, "bad user data header" },
};

static void
test_submit_bad(void **state)
{
	struct pdu_submit sms;
	char hex[PDU_HEX_MAX];
	const char *cause;
	size_t i, k, o;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		for (k = o = 0; bad_cases[i].hex[k] != '\0'; k++)
			if (bad_cases[i].hex[k] != ' ')
				hex[o++] = bad_cases[i].hex[k];
		hex[o] = '\0';
		cause = NULL;
		if (strcmp(bad_cases[i].cause, "not hex") == 0 &&
		    strchr(bad_cases[i].hex, 'G') != NULL)
			hex[1] = 'G';
		if (pdu_decode_submit(hex, bad_cases[i].len, &sms, &cause) !=
		    -1)
			fail_msg("case %zu (%s) decoded", i, bad_cases[i].hex);
		assert_non_null(cause);
		if (strcmp(cause, bad_cases[i].cause) != 0)
			fail_msg("case %zu (%s): expected \"%s\", got \"%s\"",
			    i, bad_cases[i].hex, bad_cases[i].cause, cause);
	}
	/* Too long to hold at all. */
	memset(hex, '0', sizeof(hex) - 1);
	hex[sizeof(hex) - 1] = '\0';
	assert_int_equal(pdu_decode_submit(hex, -1, &sms, &cause), -1);
}

static void
test_gsm7(void **state)
{
	/* Every extension character, a base Greek letter and LF. */
	static const char text[] = "^{}\\[~]|\xe2\x82\xac\xce\x94\n@";
	uint8_t sept[64];
	char back[128];
	int n;

	(void)state;
	n = pdu_gsm7_from_utf8(text, strlen(text), sept, sizeof(sept));
	assert_int_equal(n, 9 * 2 + 3);
	assert_int_equal(sept[0], 0x1B);
	assert_int_equal(sept[1], 0x14);
	assert_int_equal(sept[18], 0x10);
	assert_int_equal(sept[20], 0x00);
	assert_int_equal(
	    pdu_gsm7_to_utf8(sept, (size_t)n, back, sizeof(back)), 0);
	assert_string_equal(back, text);
	/* No septet for Arabic; too many septets; invalid UTF-8. */
	assert_int_equal(pdu_gsm7_from_utf8("\xd9\x85", 2, sept, 8), -1);
	assert_int_equal(pdu_gsm7_from_utf8("abc", 3, sept, 2), -1);
	assert_int_equal(pdu_gsm7_from_utf8("\xc3", 1, sept, 8), -1);
	assert_int_equal(pdu_gsm7_from_utf8("\xc0\x80", 2, sept, 8), -1);
	/* An unknown escape shows the base character; a final one a space. */
	sept[0] = 0x1B;
	sept[1] = 0x41;
	assert_int_equal(pdu_gsm7_to_utf8(sept, 2, back, sizeof(back)), 0);
	assert_string_equal(back, "A");
	assert_int_equal(pdu_gsm7_to_utf8(sept, 1, back, sizeof(back)), 0);
	assert_string_equal(back, " ");
	assert_int_equal(pdu_gsm7_to_utf8(sept, 2, back, 1), -1);
}

static void
test_deliver(void **state)
{
	char hex[PDU_HEX_MAX];
	int len;

	(void)state;
	/* "hi" from +256772000111 at the epoch, SMSC +256700000001. */
	assert_int_equal(
	    pdu_encode_deliver("+256700000001", "+256772000111", "hi", 2,
		PDU_GSM7, 0, 1, 1, 0, hex, sizeof(hex), &len),
	    0);
	assert_string_equal(hex,
	    "0791527600000010040C91527627001011000007101"
	    "00000000002E834");
	assert_int_equal(len, 21);
	/* An alphanumeric sender, UCS-2 text, no SMSC, part 2 of 3. */
	assert_int_equal(pdu_encode_deliver("", "MTN", "\xd9\x85", 2, PDU_UCS2,
			     7, 2, 3, 0, hex, sizeof(hex), &len),
	    0);
	assert_string_equal(hex,
	    "00"
	    "44"
	    "06D04DAA13"
	    "0008"
	    "07101000000000"
	    "08050003070302"
	    "0645");
	/* Bad part numbers, a text that does not fit, a bad sender. */
	assert_int_equal(pdu_encode_deliver("", "1", "a", 1, PDU_GSM7, 1, 3, 2,
			     0, hex, sizeof(hex), &len),
	    -1);
	assert_int_equal(pdu_encode_deliver("", "1", long_text, 200, PDU_GSM7,
			     0, 1, 1, 0, hex, sizeof(hex), &len),
	    -1);
	assert_int_equal(pdu_encode_deliver("", "+12a", "a", 1, PDU_GSM7, 0, 1,
			     1, 0, hex, sizeof(hex), &len),
	    -1);
	assert_int_equal(pdu_encode_deliver("", "1", "a", 1, PDU_GSM7, 0, 1, 1,
			     0, hex, 8, &len),
	    -1);
}

static void
test_report(void **state)
{
	char hex[PDU_HEX_MAX];
	int len;

	(void)state;
	assert_int_equal(pdu_encode_report("+256700000001", 42, "+256700111222",
			     0, hex, sizeof(hex), &len),
	    0);
	assert_string_equal(hex,
	    "0791527600000010"
	    "06"
	    "2A"
	    "0C91527600112122"
	    "07101000000000"
	    "07101000000000"
	    "00");
	assert_int_equal(len, 25);
	assert_int_equal(
	    pdu_encode_report("", 1, "", 0, hex, sizeof(hex), &len), -1);
}

static void
test_split(void **state)
{
	struct pdu_split sp;
	char buf[1200];

	(void)state;
	memset(buf, 'a', 160);
	buf[160] = '\0';
	assert_int_equal(pdu_split_text(buf, &sp), 0);
	assert_int_equal(sp.encoding, PDU_GSM7);
	assert_int_equal(sp.parts, 1);
	buf[160] = 'a';
	buf[161] = '\0';
	assert_int_equal(pdu_split_text(buf, &sp), 0);
	assert_int_equal(sp.parts, 2);
	assert_int_equal(sp.end[0], 153);
	assert_int_equal(sp.start[1], 153);
	assert_int_equal(sp.end[1], 161);
	/* A euro sign (2 septets) at septet 153 moves to part 2. */
	memset(buf, 'a', 152);
	strcpy(buf + 152, "\xe2\x82\xac");
	memset(buf + 155, 'b', 20);
	buf[175] = '\0';
	assert_int_equal(pdu_split_text(buf, &sp), 0);
	assert_int_equal(sp.parts, 2);
	assert_int_equal(sp.end[0], 152);
	/* UCS-2: 70 units alone, 67 per part, a pair never split. */
	strcpy(buf, "\xd9\x85");
	for (int i = 1; i < 70; i++)
		strcat(buf, "\xd9\x85");
	assert_int_equal(pdu_split_text(buf, &sp), 0);
	assert_int_equal(sp.encoding, PDU_UCS2);
	assert_int_equal(sp.parts, 1);
	buf[0] = '\0';
	for (int i = 0; i < 66; i++)
		strcat(buf, "\xd9\x85");
	strcat(buf, "\xf0\x9f\x98\x80x");
	strcat(buf, "\xd9\x85\xd9\x85\xd9\x85\xd9\x85");
	assert_int_equal(pdu_split_text(buf, &sp), 0);
	assert_int_equal(sp.parts, 2);
	assert_int_equal(sp.end[0], 132);
	assert_int_equal(sp.parts, 2);
	/* Empty text is one empty part; invalid UTF-8 is refused. */
	assert_int_equal(pdu_split_text("", &sp), 0);
	assert_int_equal(sp.parts, 1);
	assert_int_equal(pdu_split_text("\xff", &sp), -1);
	assert_int_equal(pdu_split_text("\xed\xa0\x80", &sp), -1);
}

static void
test_ucs2_hex(void **state)
{
	char hex[32];

	(void)state;
	assert_int_equal(
	    pdu_ucs2_hex("*1\xf0\x9f\x98\x80", hex, sizeof(hex)), 0);
	assert_string_equal(hex, "002A0031D83DDE00");
	assert_int_equal(pdu_ucs2_hex("abcd", hex, 16), -1);
	assert_int_equal(pdu_ucs2_hex("\xff", hex, sizeof(hex)), -1);
}

/* What the modem told the test through its submit callback. */
struct seen {
	int n;			/* submits */
	int mr;			/* the last reference */
	struct pdu_submit last; /* the last one */
};

static void
seen_cb(void *arg, const struct pdu_submit *sms, int mr)
{
	struct seen *s = arg;

	s->n++;
	s->mr = mr;
	s->last = *sms;
}

/* Send LINE (with its CR) and check the whole answer. */
static void
at(struct modem *m, const char *line, const char *want)
{
	const char *out;
	size_t len;

	modem_input(m, line, strlen(line), 0);
	out = modem_output(m, &len);
	if (len != strlen(want) || memcmp(out, want, len) != 0)
		fail_msg("%s: expected [%s], got [%.*s]", line, want, (int)len,
		    out == NULL ? "" : out);
	modem_drain(m, len);
}

static const struct modem_cfg test_cfg = { "HBMGW", "ATSIM-1", "1.0",
	"356938035643809", "641010000000001", "1234", "+256700000001", "SIMTEL",
	"64101", 3 };

static void
test_modem_basic(void **state)
{
	struct modem *m = modem_new(&test_cfg, NULL, NULL);
	struct modem_stats st;

	(void)state;
	/* Echo is on at power-on; ATE0 is still echoed. */
	at(m, "AT\r", "AT\r\r\nOK\r\n");
	at(m, "ATE0\r", "ATE0\r\r\nOK\r\n");
	at(m, "\x1b\r", "");
	at(m, "AT+CGSN\r", "\r\n356938035643809\r\n\r\nOK\r\n");
	at(m, "at+cgmi\r\n", "\r\nHBMGW\r\n\r\nOK\r\n");
	at(m, "AT+MODE=2\r", "\r\nERROR\r\n");
	at(m, "ATQ", "");
	at(m, "\r", "\r\nOK\r\n");
	at(m, "AT+CMGF=1\r", "\r\nERROR\r\n");
	at(m, "AT+CMGF=0\r", "\r\nOK\r\n");
	/* The SIM wants its PIN before SMS. */
	at(m, "AT+CPIN?\r", "\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n");
	at(m, "AT+CPMS?\r", "\r\n+CME ERROR: 11\r\n");
	at(m, "AT+CPIN=\"1111\"\r", "\r\n+CME ERROR: 16\r\n");
	at(m, "AT+CPIN=\"1234\"\r", "\r\nOK\r\n");
	at(m, "AT+CPIN?\r", "\r\n+CPIN: READY\r\n\r\nOK\r\n");
	at(m, "AT+CPMS?\r",
	    "\r\n+CPMS: \"SM\",0,3,\"SM\",0,3,\"SM\",0,3\r\n\r\nOK\r\n");
	at(m, "AT+CPMS=\"ME\"\r", "\r\n+CMS ERROR: 302\r\n");
	at(m, "AT+COPS=3,2\r", "\r\nOK\r\n");
	at(m, "AT+COPS?\r", "\r\n+COPS: 0,2,\"64101\"\r\n\r\nOK\r\n");
	at(m, "AT+CSQ\r", "\r\n+CSQ: 20,99\r\n\r\nOK\r\n");
	/* libgammu 1.42 enables reports only when <ds> may be 2. */
	at(m, "AT+CNMI=?\r",
	    "\r\n+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)\r\n\r\nOK\r\n");
	at(m, "AT+CNMI=2,,,2\r", "\r\nOK\r\n");
	at(m, "AT+CNMI?\r", "\r\n+CNMI: 2,0,0,2,0\r\n\r\nOK\r\n");
	at(m, "AT+CSCS=\"UTF-8\"\r", "\r\nERROR\r\n");
	at(m, "AT+CSCS=\"UCS2\"\r", "\r\nOK\r\n");
	at(m, "AT+CSCA?\r",
	    "\r\n+CSCA: \"002B003200350036003700300030003000300030003000300031\""
	    ",145\r\n\r\nOK\r\n");
	modem_set_ussd(m, "Hi");
	at(m, "AT+CUSD=1,\"002A0031002300\",15\r",
	    "\r\nOK\r\n\r\n+CUSD: 0,\"00480069\",15\r\n");
	at(m, "AT+CUSD=3\r", "\r\nERROR\r\n");
	at(m, "AT+CUSD=2\r", "\r\nOK\r\n");
	/* A fault: two commands go unanswered, then all is normal. */
	modem_fault_noanswer(m, 2);
	at(m, "AT\r", "");
	at(m, "AT+CSQ\r", "");
	at(m, "AT\r", "\r\nOK\r\n");
	modem_stats(m, &st);
	assert_int_equal(st.ignored, 2);
	assert_int_equal(st.ussd, 1);
	/* A power cycle asks for the PIN again and turns echo back on. */
	modem_reset(m);
	at(m, "AT+CPIN?\r", "AT+CPIN?\r\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n");
	modem_free(m);
	modem_free(NULL);
}

static void
test_modem_send(void **state)
{
	struct modem_cfg cfg = test_cfg;
	struct seen seen = { 0 };
	struct modem *m;
	struct modem_stats st;
	const char *cause;
	static const char pdu[] =
	    "079152760000001031000C915276001121220000FF09F232FC2DA783DA65";

	(void)state;
	cfg.pin = NULL;
	m = modem_new(&cfg, seen_cb, &seen);
	at(m, "ATE0\r", "ATE0\r\r\nOK\r\n");
	at(m, "AT+CNMI=2,1,0,1,0\r", "\r\nOK\r\n");
	at(m, "AT+CMGS=22\r", "\r\n> ");
	at(m, pdu, "");
	at(m, "\x1a",
	    "\r\n+CMGS: 1\r\n\r\nOK\r\n"
	    "\r\n+CDS: 25\r\n0791527600000010"
	    "06010C91527600112122"
	    "07101000000000"
	    "07101000000000"
	    "00\r\n");
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.mr, 1);
	assert_string_equal(seen.last.text, "report me");
	/* No automatic report when turned off; on request it comes. */
	modem_set_auto_report(m, 0);
	at(m, "AT+CMGS=22\r", "\r\n> ");
	at(m, pdu, "");
	at(m, "\x1a", "\r\n+CMGS: 2\r\n\r\nOK\r\n");
	assert_int_equal(modem_report(m, 2, 0, &cause), 0);
	modem_drain(m, (size_t)-1);
	assert_int_equal(modem_report(m, 9, 0, &cause), -1);
	assert_string_equal(cause, "unknown message reference");
	assert_int_equal(modem_report(m, 300, 0, &cause), -1);
	/* A wrong length, a bad PDU, a bad argument, ESC. */
	at(m, "AT+CMGS=21\r", "\r\n> ");
	at(m, pdu, "");
	at(m, "\x1a", "\r\n+CMS ERROR: 304\r\n");
	at(m, "AT+CMGS=22\r", "\r\n> ");
	at(m, "00zz\x1a", "\r\n+CMS ERROR: 304\r\n");
	at(m, "AT+CMGS=x\r", "\r\n+CMS ERROR: 304\r\n");
	at(m, "AT+CMGS=500\r", "\r\n+CMS ERROR: 304\r\n");
	at(m, "AT+CMGS=22\r", "\r\n> ");
	at(m, "0791\x1b", "");
	at(m, "AT\r", "\r\nOK\r\n");
	/* An injected +CMS ERROR after the PDU, once. */
	modem_fault_cms(m, 500, 1);
	at(m, "AT+CMGS=22\r", "\r\n> ");
	at(m, pdu, "");
	at(m, "\x1a", "\r\n+CMS ERROR: 500\r\n");
	at(m, "AT+CMGS=22\r", "\r\n> ");
	at(m, pdu, "");
	at(m, "\x1a", "\r\n+CMGS: 3\r\n\r\nOK\r\n");
	modem_stats(m, &st);
	assert_int_equal(st.sent, 3);
	assert_int_equal(st.failed, 3);
	assert_int_equal(seen.n, 3);
	modem_free(m);
}

static void
test_modem_sim(void **state)
{
	struct modem_cfg cfg = test_cfg;
	struct modem *m;
	struct modem_stats st;
	const char *cause, *out;
	char want[512], hex[PDU_HEX_MAX], *list;
	size_t len;
	int tl;

	(void)state;
	cfg.pin = NULL;
	m = modem_new(&cfg, NULL, NULL);
	at(m, "ATE0\r", "ATE0\r\r\nOK\r\n");
	/* No +CMTI until AT+CNMI asks for it. */
	assert_int_equal(
	    modem_inject(m, "+256772000111", "hi", NULL, 0, &cause), 1);
	modem_output(m, &len);
	assert_int_equal(len, 0);
	at(m, "AT+CNMI=2,1,0,0,0\r", "\r\nOK\r\n");
	/* Parts 2 and 1 of a 2-part text; part 1 left out of another. */
	assert_int_equal(
	    modem_inject(m, "+256772000222", long_text, "2,1", 0, &cause), 2);
	at(m, "", "\r\n+CMTI: \"SM\",2\r\n\r\n+CMTI: \"SM\",3\r\n");
	assert_int_equal(modem_inject(m, "+1", "x", NULL, 0, &cause), -1);
	assert_string_equal(cause, "SIM full");
	assert_int_equal(modem_inject(m, "+1", long_text, "3", 0, &cause), -1);
	assert_string_equal(cause, "bad part order for this text");
	assert_int_equal(
	    modem_inject(m, "+1", long_text, "1,1", 0, &cause), -1);
	assert_int_equal(modem_inject(m, "+1", long_text, "1,", 0, &cause), -1);
	assert_int_equal(modem_inject(m, "+1", long_text, "x", 0, &cause), -1);
	assert_int_equal(modem_inject(m, "+1", "\xff", NULL, 0, &cause), -1);
	modem_stats(m, &st);
	assert_int_equal(st.stored, 3);
	assert_int_equal(st.unread, 3);
	/* Read one; list the unread ones (and so read them). */
	assert_int_equal(
	    pdu_encode_deliver("+256700000001", "+256772000111", "hi", 2,
		PDU_GSM7, 0, 1, 1, 0, hex, sizeof(hex), &tl),
	    0);
	snprintf(
	    want, sizeof(want), "\r\n+CMGR: 0,,21\r\n%s\r\n\r\nOK\r\n", hex);
	at(m, "AT+CMGR=1\r", want);
	want[2 + strlen("+CMGR: ")] = '1';
	at(m, "AT+CMGR=1\r", want);
	modem_stats(m, &st);
	assert_int_equal(st.unread, 2);
	modem_input(m, "AT+CMGL=0\r", 10, 0);
	out = modem_output(m, &len);
	list = strndup(out, len);
	assert_non_null(strstr(list, "+CMGL: 2,0,,"));
	assert_non_null(strstr(list, "+CMGL: 3,0,,"));
	assert_null(strstr(list, "+CMGL: 1,"));
	free(list);
	modem_drain(m, len);
	modem_stats(m, &st);
	assert_int_equal(st.unread, 0);
	/* Delete one, then bad indices, then all. */
	at(m, "AT+CMGD=2\r", "\r\nOK\r\n");
	at(m, "AT+CMGR=2\r", "\r\n+CMS ERROR: 321\r\n");
	at(m, "AT+CMGR=4\r", "\r\n+CMS ERROR: 321\r\n");
	at(m, "AT+CMGD=0\r", "\r\n+CMS ERROR: 321\r\n");
	at(m, "AT+CMGD=x\r", "\r\n+CMS ERROR: 321\r\n");
	at(m, "AT+CMGD=1,4\r", "\r\nOK\r\n");
	at(m, "AT+CMGL=4\r", "\r\nOK\r\n");
	modem_stats(m, &st);
	assert_int_equal(st.stored, 0);
	modem_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_submit),
		cmocka_unit_test(test_submit_concat),
		cmocka_unit_test(test_submit_bad),
		cmocka_unit_test(test_gsm7),
		cmocka_unit_test(test_deliver),
		cmocka_unit_test(test_report),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_ucs2_hex),
		cmocka_unit_test(test_modem_basic),
		cmocka_unit_test(test_modem_send),
		cmocka_unit_test(test_modem_sim),
	};
	int i;

	for (i = 0; i < 20; i++)
		memcpy(long_text + 10 * i, "abcdefghij", 10);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
