/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The paging cursor of GET /v1/cases: "<created_ms>:<code>", the last case
 * of a page, read back from the cursor= of the next request. In a header of
 * its own so that tests/fuzz/fuzz_cursor.c reaches the parser.
 */
#ifndef HBM_GATEWAY_API_CASES_CURSOR_H
#define HBM_GATEWAY_API_CASES_CURSOR_H

#include "handlers/code.h"

/* A place in {hbm}:cases, newest first: (created_ms, code) descending. */
struct api_cases_pos {
	int set;      /* 0: before the newest case */
	long long ms; /* created_ms, the score */
	char code[CODE_LEN + 1];
};

/*
 * Read "<ms>:<code>" (1 to 15 digits, a valid case code) into POS, setting
 * POS->set; -1 when S is not a cursor, POS then untouched.
 */
int api_cases_cursor_parse(const char *s, struct api_cases_pos *pos);

#endif
