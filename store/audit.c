/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The audit stream's hash chain: chaining what case operations append, and
 * checking the chain.
 *
 * The apply script (store/apply.c) appends an operation's audit lines,
 * atomically with the operation, as one entry to {hbm}:audit:new: ts, then
 * subject, actor, action and detail for each line. audit_chain() moves
 * them, oldest first, to {hbm}:audit, each with prev (the hash of the
 * entry before it, 64 zeros for the very first) and hash. A line's hash is
 * the SHA-256 of the hash before it, ts, subject, actor, action and detail
 * joined by newlines (ts with "+" before it for a line after an entry's
 * first); an entry's hash is its last line's, so an entry of one line
 * hashes as entries always have. {hbm}:audit:head holds the last hash.
 * The hashes are computed here, in C, and written by one script that
 * first checks the head it was computed from and that the entries are
 * still the oldest waiting (then trims them from {hbm}:audit:new in one
 * step), so chainers of several instances never fork the chain: the loser
 * of a race finds a new head and does nothing. Hashing outside Redis keeps
 * the cost of an operation in Redis, which runs one script at a time, low.
 *
 * What is no case operation (a number revealed, an export) is appended
 * to {hbm}:audit:new by audit_append(), an entry of one line, and chained
 * the same way.
 *
 * The scripts are store/lua/audit_chain.lua and store/lua/audit_trim.lua.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/audit.h"
#include "lib/clock.h"
#include "lib/crypto.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "store/store.h"
#include "lib/xmalloc.h"
#include "lua/audit_chain.h"
#include "lua/audit_trim.h"

#define AUDIT_PAGE 200	/* entries per XRANGE and per chain script */
#define AUDIT_ROUNDS 10 /* walks to catch up with appends */
#define AUDIT_ZERO \
	"0000000000000000000000000000000000000000000000000000000000000000"

/* Chain new entries, unless another was first: store/lua/audit_chain.lua. */
static struct store_script audit_chain_script = {
	.name = "audit_chain",
	.body = LUA_AUDIT_CHAIN,
};

/* Trim below a MINID, keeping the anchor: store/lua/audit_trim.lua. */
static struct store_script audit_trim_script = {
	.name = "audit_trim",
	.body = LUA_AUDIT_TRIM,
};

const char *const audit_line[AUDIT_LINE] = { "subject", "actor", "action",
	"detail" };

/* Whether field I (counting pairs) of the entry FIELDS is named NAME. */
static int
audit_named(const struct store_reply *fields, size_t i, const char *name)
{
	return strcmp(fields->element[2 * i]->str, name) == 0;
}

/*
 * The number of lines of the entry FIELDS when it is laid out as the apply
 * script writes it: ts, then groups of subject, actor, action and detail
 * in this order, then (CHAINED) prev and hash; 0 when it is laid out
 * otherwise.
 */
static size_t
audit_layout(const struct store_reply *fields, int chained)
{
	size_t n, tail = chained ? 2 : 0, i;

	if (fields->type != STORE_ARRAY || fields->elements % 2 != 0)
		return 0;
	n = fields->elements / 2;
	if (n < 1 + AUDIT_LINE + tail || (n - 1 - tail) % AUDIT_LINE != 0)
		return 0;
	for (i = 0; i < fields->elements; i++) {
		if (fields->element[i]->type != STORE_STRING)
			return 0;
	}
	if (!audit_named(fields, 0, "ts"))
		return 0;
	for (i = 1; i < n - tail; i++) {
		if (!audit_named(fields, i, audit_line[(i - 1) % AUDIT_LINE]))
			return 0;
	}
	if (chained &&
	    (!audit_named(fields, n - 2, "prev") ||
		!audit_named(fields, n - 1, "hash")))
		return 0;
	return (n - 1 - tail) / AUDIT_LINE;
}

/*
 * Chain K lines after PREV into HASH, all with the time TS: line j's four
 * values (subject, actor, action, detail) are V[(4j + i) * STRIDE]. Each
 * line's hash is the SHA-256 of the hash before it, TS and its values
 * joined by newlines; a line after an entry's first has "+" before TS, so
 * lines cannot be regrouped into other entries unseen. A NULL value (or
 * TS) is hashed as empty.
 */
static void
audit_hash_lines(const char *prev, const struct store_reply *ts,
    const struct store_reply *const *v, size_t stride, size_t k,
    char hash[CRYPTO_SHA256_HEX])
{
	const struct store_reply *f;
	char cur[CRYPTO_SHA256_HEX], *buf;
	size_t l, i, len, off;

	memcpy(cur, prev, CRYPTO_SHA256_HEX);
	for (l = 0; l < k; l++) {
		len = CRYPTO_SHA256_HEX - 1 + (l > 0) + 1 +
		    (ts != NULL ? ts->len : 0);
		for (i = 0; i < AUDIT_LINE; i++) {
			f = v[(AUDIT_LINE * l + i) * stride];
			len += 1 + (f != NULL ? f->len : 0);
		}
		buf = xmalloc(len);
		memcpy(buf, cur, CRYPTO_SHA256_HEX - 1);
		off = CRYPTO_SHA256_HEX - 1;
		buf[off++] = '\n';
		if (l > 0)
			buf[off++] = '+';
		for (i = 0; i <= AUDIT_LINE; i++) {
			f = i == 0 ? ts : v[(AUDIT_LINE * l + i - 1) * stride];
			if (i > 0)
				buf[off++] = '\n';
			if (f != NULL) {
				memcpy(buf + off, f->str, f->len);
				off += f->len;
			}
		}
		crypto_sha256_hex(buf, len, cur);
		free(buf);
	}
	memcpy(hash, cur, CRYPTO_SHA256_HEX);
}

/*
 * The lines of the entry FIELDS for audit_hash_lines(): in place when it
 * is laid out as the apply script writes it (CHAINED: with prev and hash
 * after them), else one line of the fields found by name (ONE holds it;
 * a missing one is NULL). *TS, *STRIDE and the number of lines into *K.
 */
static const struct store_reply *const *
audit_lines(const struct store_reply *fields, int chained,
    const struct store_reply *one[AUDIT_LINE], const struct store_reply **ts,
    size_t *stride, size_t *k)
{
	size_t i;

	if ((*k = audit_layout(fields, chained)) > 0) {
		*ts = fields->element[1];
		*stride = 2;
		return (const struct store_reply *const *)&fields->element[3];
	}
	*ts = store_field(fields, "ts");
	for (i = 0; i < AUDIT_LINE; i++)
		one[i] = store_field(fields, audit_line[i]);
	*stride = 1;
	*k = 1;
	return one;
}

/*
 * Check one audit entry against the hash of the entry before it (PREV:
 * for the first one, the anchor's). Copies its hash to HASH. 0 when it
 * holds together.
 */
static int
audit_entry_check(const struct store_reply *fields, const char *prev,
    char hash[CRYPTO_SHA256_HEX])
{
	const struct store_reply *one[AUDIT_LINE], *const *v, *ts, *p, *h, *f;
	char want[CRYPTO_SHA256_HEX];
	size_t stride, k, l, i;

	if (fields->type != STORE_ARRAY)
		return -1;
	v = audit_lines(fields, 1, one, &ts, &stride, &k);
	p = store_field(fields, "prev");
	h = store_field(fields, "hash");
	if (ts == NULL || p == NULL || h == NULL)
		return -1;
	/* A time of digits only: "+" marks a line after the first. */
	if (ts->len == 0 || strspn(ts->str, "0123456789") != ts->len)
		return -1;
	for (l = 0; l < k; l++) {
		for (i = 0; i < AUDIT_LINE; i++) {
			if ((f = v[(AUDIT_LINE * l + i) * stride]) == NULL)
				return -1;
			/* A newline but in detail makes the text ambiguous. */
			if (i < AUDIT_LINE - 1 &&
			    memchr(f->str, '\n', f->len) != NULL)
				return -1;
		}
	}
	if (h->len != CRYPTO_SHA256_HEX - 1)
		return -1;
	if (p->len != CRYPTO_SHA256_HEX - 1 ||
	    memcmp(p->str, prev, p->len) != 0)
		return -1;
	audit_hash_lines(prev, ts, v, stride, k, want);
	if (memcmp(want, h->str, CRYPTO_SHA256_HEX - 1) != 0)
		return -1;
	memcpy(hash, want, CRYPTO_SHA256_HEX);
	return 0;
}

/* Read the head into HEAD; "" when there is none. */
static int
audit_head(struct store *s, char head[CRYPTO_SHA256_HEX], char **cause)
{
	struct store_reply *r;

	r = store_commandl(s, cause, "GET", KEY_AUDIT_HEAD, NULL);
	if (r == NULL)
		return -1;
	if (r->type != STORE_STRING && r->type != STORE_NIL) {
		xasprintf(cause, "audit head: %s",
		    r->type == STORE_ERROR ? r->str : "unexpected reply");
		store_reply_free(r);
		return -1;
	}
	head[0] = '\0';
	if (r->type == STORE_STRING && r->len == CRYPTO_SHA256_HEX - 1)
		memcpy(head, r->str, CRYPTO_SHA256_HEX);
	store_reply_free(r);
	return 0;
}

/*
 * Read the anchor's hash into ANCHOR: the hash of the last entry retention
 * trimmed, 64 zeros when none was (or the stream began before anchors).
 */
static int
audit_anchor(struct store *s, char anchor[CRYPTO_SHA256_HEX], char **cause)
{
	struct store_reply *r;
	const char *sp;

	r = store_commandl(s, cause, "GET", KEY_AUDIT_ANCHOR, NULL);
	if (r == NULL)
		return -1;
	if (r->type != STORE_STRING && r->type != STORE_NIL) {
		xasprintf(cause, "audit anchor: %s",
		    r->type == STORE_ERROR ? r->str : "unexpected reply");
		store_reply_free(r);
		return -1;
	}
	snprintf(anchor, CRYPTO_SHA256_HEX, "%s", AUDIT_ZERO);
	if (r->type == STORE_STRING) {
		/* A damaged anchor matches no entry, so the walk fails. */
		sp = strchr(r->str, ' ');
		snprintf(anchor, CRYPTO_SHA256_HEX, "%s",
		    sp != NULL && strlen(sp + 1) == CRYPTO_SHA256_HEX - 1
			? sp + 1
			: "anchor damaged");
	}
	store_reply_free(r);
	return 0;
}

int
audit_append(struct store *s, const char *subject, const char *actor,
    const char *action, const char *detail, char **cause)
{
	struct store_reply *r;
	char ts[32];

	/* Only the last field may hold newlines: the hashed text parses. */
	if (strchr(subject, '\n') != NULL || strchr(actor, '\n') != NULL ||
	    strchr(action, '\n') != NULL) {
		xasprintf(cause, "audit: newline in subject, actor or action");
		return -1;
	}
	snprintf(ts, sizeof(ts), "%lld", clock_wall_ms());
	r = store_commandl(s, cause, "XADD", KEY_AUDIT_NEW, "*", "ts", ts,
	    "subject", subject, "actor", actor, "action", action, "detail",
	    detail, NULL);
	if (r == NULL)
		return -1;
	if (r->type != STORE_STRING) {
		xasprintf(cause, "audit append: %s",
		    r->type == STORE_ERROR ? r->str : "unexpected reply");
		store_reply_free(r);
		return -1;
	}
	store_reply_free(r);
	return 0;
}

int
audit_trim(struct store *s, const char *minid, long long *trimmed, char **cause)
{
	struct store_reply *r;
	const char *argv[3] = { KEY_AUDIT, KEY_AUDIT_ANCHOR, minid };

	*trimmed = 0;
	r = store_eval(s, &audit_trim_script, 2, 3, argv, NULL, cause);
	if (r == NULL)
		return -1;
	if (r->type != STORE_INTEGER) {
		xasprintf(cause, "audit trim: %s",
		    r->type == STORE_ERROR ? r->str : "unexpected reply");
		store_reply_free(r);
		return -1;
	}
	*trimmed = r->integer;
	store_reply_free(r);
	return 0;
}

/* Where a walk of the audit stream has got to. */
struct audit_walk {
	char anchor[CRYPTO_SHA256_HEX]; /* the first entry's prev */
	long long entries;		/* entries checked and found sound */
	char prev[CRYPTO_SHA256_HEX];	/* hash of the last of them */
	char last_id[64];		/* stream id of the last entry read */
};

/* Check one XRANGE page; 1 and *BAD_ID at the first bad entry. */
static int
audit_walk_page(
    struct audit_walk *w, const struct store_reply *page, char **bad_id)
{
	const struct store_reply *e;
	size_t i;

	for (i = 0; i < page->elements; i++) {
		e = page->element[i];
		if (e->type != STORE_ARRAY || e->elements != 2 ||
		    e->element[0]->type != STORE_STRING ||
		    e->element[0]->len >= sizeof(w->last_id))
			return -1;
		memcpy(w->last_id, e->element[0]->str, e->element[0]->len + 1);
		if (audit_entry_check(e->element[1],
			w->entries == 0 ? w->anchor : w->prev, w->prev) == -1) {
			*bad_id = xstrdup(w->last_id);
			return 1;
		}
		w->entries++;
	}
	return 0;
}

/* Read and check the entries after the last one read, to the end. */
static int
audit_walk(struct store *s, struct audit_walk *w, char **bad_id, char **cause)
{
	struct store_reply *r;
	char start[80], count[16];
	size_t n;
	int rc;

	snprintf(count, sizeof(count), "%d", AUDIT_PAGE);
	do {
		if (w->entries == 0)
			snprintf(start, sizeof(start), "-");
		else
			snprintf(start, sizeof(start), "(%s", w->last_id);
		r = store_commandl(s, cause, "XRANGE", KEY_AUDIT, start, "+",
		    "COUNT", count, NULL);
		if (r == NULL)
			return -1;
		if (r->type != STORE_ARRAY) {
			xasprintf(cause, "audit: %s",
			    r->type == STORE_ERROR ? r->str
						   : "unexpected reply");
			store_reply_free(r);
			return -1;
		}
		rc = audit_walk_page(w, r, bad_id);
		n = r->elements;
		store_reply_free(r);
		if (rc == -1)
			xasprintf(cause, "audit: malformed reply");
		if (rc != 0)
			return rc;
	} while (n == AUDIT_PAGE);
	return 0;
}

int
audit_verify(struct store *s, long long *entries, char **bad_id, char **cause)
{
	struct audit_walk w;
	char head[CRYPTO_SHA256_HEX];
	long long before;
	int rc, round;

	char anchor[CRYPTO_SHA256_HEX];

	memset(&w, 0, sizeof(w));
	if (audit_anchor(s, w.anchor, cause) == -1)
		return -1;
	for (round = 0;; round++) {
		before = w.entries;
		rc = audit_walk(s, &w, bad_id, cause);
		/*
		 * The first entry does not follow the anchor: unless retention
		 * trimmed meanwhile (a new anchor), the front was cut.
		 */
		if (rc == 1 && w.entries == 0 && round < AUDIT_ROUNDS) {
			if (audit_anchor(s, anchor, cause) == -1) {
				free(*bad_id);
				*bad_id = NULL;
				rc = -1;
				break;
			}
			if (strcmp(anchor, w.anchor) != 0) {
				free(*bad_id);
				*bad_id = NULL;
				memset(&w, 0, sizeof(w));
				memcpy(w.anchor, anchor, sizeof(anchor));
				continue;
			}
		}
		if (rc != 0)
			break;
		/* The head was read after a walk; nothing came since. */
		if (round > 0 && w.entries == before) {
			*bad_id = xstrdup(w.entries > 0 ? w.last_id : "head");
			rc = 1;
			break;
		}
		if ((rc = audit_head(s, head, cause)) != 0)
			break;
		/* No head yet is 64 zeros; an empty stream ends at the anchor. */
		if (head[0] == '\0' && w.entries == 0)
			snprintf(head, sizeof(head), "%s", AUDIT_ZERO);
		if (strcmp(head, w.entries > 0 ? w.prev : w.anchor) == 0)
			break;
		if (round == AUDIT_ROUNDS) {
			xasprintf(cause, "audit: still growing");
			rc = -1;
			break;
		}
	}
	*entries = w.entries;
	return rc;
}

/*
 * The hashes of the new entries of PAGE chained after PREV, into HASHES
 * (64 hex digits each) and *LAST (the id of the last one). An entry laid
 * out otherwise than the apply script writes it (written by something
 * else) is hashed as one line of the fields found by name, a missing one
 * as empty: it is chained as it is, so the chain goes on and
 * audit_verify() names that entry. -1 when the reply is not a page.
 */
static int
audit_hash_page(const struct store_reply *page, const char *prev, char *hashes,
    const char **last)
{
	const struct store_reply *e, *one[AUDIT_LINE], *const *v, *ts;
	char cur[CRYPTO_SHA256_HEX];
	size_t i, stride, k;

	memcpy(cur, prev, CRYPTO_SHA256_HEX);
	for (i = 0; i < page->elements; i++) {
		e = page->element[i];
		if (e->type != STORE_ARRAY || e->elements != 2 ||
		    e->element[0]->type != STORE_STRING ||
		    e->element[1]->type != STORE_ARRAY)
			return -1;
		v = audit_lines(e->element[1], 0, one, &ts, &stride, &k);
		audit_hash_lines(cur, ts, v, stride, k, cur);
		memcpy(hashes + i * (CRYPTO_SHA256_HEX - 1), cur,
		    CRYPTO_SHA256_HEX - 1);
		*last = e->element[0]->str;
	}
	return 0;
}

int
audit_chain(struct store *s, long long *chained, char **cause)
{
	char head[CRYPTO_SHA256_HEX], count[16], *hashes;
	const char *argv[6], *last = NULL;
	struct store_reply *page, *r;
	size_t lens[6], i;
	int rc = 0;

	*chained = 0;
	if (audit_head(s, head, cause) == -1)
		return -1;
	snprintf(count, sizeof(count), "%d", AUDIT_PAGE);
	page = store_commandl(
	    s, cause, "XRANGE", KEY_AUDIT_NEW, "-", "+", "COUNT", count, NULL);
	if (page == NULL)
		return -1;
	if (page->type != STORE_ARRAY) {
		xasprintf(cause, "audit: %s",
		    page->type == STORE_ERROR ? page->str : "unexpected reply");
		store_reply_free(page);
		return -1;
	}
	if (page->elements == 0) {
		store_reply_free(page);
		return 0;
	}
	hashes = xmalloc(page->elements * (CRYPTO_SHA256_HEX - 1) + 1);
	if (audit_hash_page(page, head[0] != '\0' ? head : AUDIT_ZERO, hashes,
		&last) == -1) {
		xasprintf(cause, "audit: malformed XRANGE reply");
		rc = -1;
		goto out;
	}
	argv[0] = KEY_AUDIT_NEW;
	argv[1] = KEY_AUDIT;
	argv[2] = KEY_AUDIT_HEAD;
	argv[3] = head;
	argv[4] = last;
	argv[5] = hashes;
	for (i = 0; i < 5; i++)
		lens[i] = strlen(argv[i]);
	lens[5] = page->elements * (CRYPTO_SHA256_HEX - 1);
	r = store_eval(s, &audit_chain_script, 3, 6, argv, lens, cause);
	if (r == NULL)
		rc = -1;
	else if (r->type == STORE_INTEGER)
		*chained = r->integer;
	else if (r->type != STORE_STRING || strcmp(r->str, "conflict") != 0) {
		xasprintf(cause, "audit: chain: %s",
		    r->type == STORE_ERROR ? r->str : "unexpected reply");
		rc = -1;
	}
	store_reply_free(r);
out:
	free(hashes);
	store_reply_free(page);
	return rc;
}

int
audit_chain_all(struct store *s, long long *chained, char **cause)
{
	long long n;
	int i;

	*chained = 0;
	/* Bounded: appends may outpace one caller; the rest waits a turn. */
	for (i = 0; i < 100; i++) {
		if (audit_chain(s, &n, cause) == -1)
			return -1;
		*chained += n;
		/* Drained, or another instance got there first. */
		if (n < AUDIT_PAGE)
			break;
	}
	return 0;
}

int
audit_verify_report(
    struct store *s, long long *entries, char **bad_id, char **cause)
{
	int rc;

	rc = audit_verify(s, entries, bad_id, cause);
	if (rc == -1)
		return -1;
	metrics_set("hbmgw_audit_chain_ok", "", rc == 0 ? 1 : 0);
	metrics_set("hbmgw_audit_verified_seconds", "",
	    (double)clock_wall_ms() / 1000.0);
	if (rc == 1)
		log_warnx("audit: chain broken at entry %s", *bad_id);
	return rc;
}
