/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What gateway/api_cases.c shares with the routes that read cases as it
 * does (gateway/api_stats.c): who asks, and the bounded scan of
 * {hbm}:cases, newest first, that a list, the export and the figures use.
 */
#ifndef HBM_GATEWAY_API_CASES_H
#define HBM_GATEWAY_API_CASES_H

#include <stddef.h>

#include "config/cfg.h"
#include "gateway/api_cases_cursor.h"
#include "gateway/http.h"
#include "store/store.h"

struct json_t;
struct store_case;

#define API_CASES_SCAN 2000 /* {hbm}:cases entries one scan looks at */

/* Who asks: the admin, or one agency. */
struct api_caller {
	int admin;			 /* 1 for an admin token */
	const struct cfg_agency *agency; /* borrowed from the held config */
	const char *login; /* a console user's, by a session; or NULL */
	const struct cfg_user *user; /* the same user; NULL for a token */
};

/* What a scan asks for. */
struct api_cases_query {
	const char *status;	    /* borrowed; NULL for every status */
	size_t limit;		    /* 1 to API_CASES_SCAN */
	struct api_cases_pos after; /* the cursor: list what comes after */
	size_t offset;		    /* matching cases to skip first */
	long long since_ms;	    /* only cases created since; 0: all */
	/* A case as the page holds it; NULL for api_cases_summary(). */
	struct json_t *(*row)(const char *code, const struct store_case *k);
};

/* How far one scan has got. */
struct api_cases_scan {
	struct api_cases_pos pos;  /* the last entry looked at */
	struct api_cases_pos last; /* the last case put on the page */
	size_t looked;		   /* entries looked at, skipped ones too */
	size_t moves;		   /* times pos moved on */
	size_t skipped;		   /* matching cases skipped for offset= */
	int more;		   /* a case for the next page was seen */
	int end;		   /* {hbm}:cases has nothing after pos */
};

/*
 * Decide who the bearer token (or, without one, the session cookie)
 * belongs to: 0, or -1 with the answer (401, 403, 5xx) set.
 */
int api_cases_caller(const struct http_request *, const struct cfg *,
    struct api_caller *who, struct http_response *);

/* Answer a failed read (takes CAUSE): 503 when Redis is away, else 500. */
void api_cases_failed(struct http_response *, char *cause);

/*
 * Fill PAGE with the cases WHO sees that Q asks for, from {hbm}:cases,
 * newest first, looking at no more than API_CASES_SCAN entries; -1 with
 * *cause when Redis failed.
 */
int api_cases_scan(const struct api_caller *who,
    const struct api_cases_query *q, struct json_t *page,
    struct api_cases_scan *sc, char **cause);

#endif
