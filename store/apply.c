/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Atomic, idempotent application of a case operation's effects.
 *
 * A struct apply is built by one thread and owns copies of everything given to
 * it: the keys it touches (KEYS of the script, deduplicated, the op key first)
 * and its operations, each an opcode, the key's index in KEYS and a fixed
 * number of values, kept as separate binary-safe arguments (Redis hands them to
 * Lua as strings; parsing one long string in Lua cost more than all the
 * writes), the guards apart from the rest. One EVALSHA of one static script,
 * store/lua/apply.lua, runs it all: the op key, the guards, a type check of
 * every key written (Redis does not roll back a script that fails half way, so
 * whatever can fail is checked before the first write), the writes (the
 * HSETs of one key, with its history entries, as one call, gathered in C by
 * store/apply_wire.c so that the script only makes the calls), the
 * expiries, the SMS, the audit
 * lines (one entry appended to {hbm}:audit:new, which store/audit.c
 * chains), and the op key again, set for a week. An operation with a
 * stream entry to acknowledge uses no op key: its XACK, after the checks
 * and before the writes, is what tells whether it was applied.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/apply.h"
#include "store/apply_int.h"
#include "store/audit.h"
#include "store/store.h"
#include "lib/crypto.h"
#include "lib/xmalloc.h"
#include "lua/apply.h"
#include "store/keys.h"

/* Keys one operation may name: far more than any needs. */
#define APPLY_KEYS_MAX 58

/* The batch script, store/lua/apply.lua, after store/lua/lib/enqueue.lua. */
static struct store_script apply_script = {
	.name = "apply",
	.body = LUA_APPLY,
};

static apply_router apply_route_fn;
static void *apply_route_arg;
static const struct crypto_key *apply_seal_key;

void
apply_set_key(const struct crypto_key *k)
{
	apply_seal_key = k;
}

void
apply_set_router(apply_router fn, void *arg)
{
	apply_route_fn = fn;
	apply_route_arg = arg;
}

struct apply *
apply_new(const char *opid, long long now_ms)
{
	struct apply *a;
	char key[KEY_MAX];

	a = xcalloc(1, sizeof(*a));
	a->opid = xstrdup(opid);
	xasprintf(&a->now, "%lld", now_ms);
	a->keyslots = 16;
	a->keys = xcalloc(a->keyslots, sizeof(*a->keys));
	a->keys[APPLY_KEY_OP] = xstrdup(key_op(key, opid));
	a->keys[APPLY_KEY_AUDIT] = xstrdup(KEY_AUDIT_NEW);
	a->nkeys = 2;
	a->cur = &a->writes;
	return a;
}

static void
apply_seq_free(struct apply_seq *q)
{
	free(q->buf);
	free(q->off);
	free(q->vlen);
}

const char *
apply_opid(const struct apply *a)
{
	return a->opid;
}

void
apply_free(struct apply *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->nkeys; i++)
		free(a->keys[i]);
	free(a->keys);
	free(a->opid);
	free(a->now);
	free(a->routes);
	for (i = 0; i < a->nseals; i++)
		free(a->seals[i].out);
	free(a->seals);
	apply_seq_free(&a->guards);
	apply_seq_free(&a->writes);
	free(a->error);
	free(a);
}

/* The 1-based index of KEY in KEYS, added when new. */
static size_t
apply_key(struct apply *a, const char *key)
{
	size_t i;

	for (i = 0; i < a->nkeys; i++) {
		if (strcmp(a->keys[i], key) == 0)
			return i + 1;
	}
	if (a->nkeys == a->keyslots) {
		a->keys =
		    xreallocarray(a->keys, a->keyslots, 2 * sizeof(char *));
		a->keyslots *= 2;
	}
	a->keys[a->nkeys++] = xstrdup(key);
	return a->nkeys;
}

/* Append one value to the sequence being built. */
static void
apply_put(struct apply *a, const char *s, size_t n)
{
	struct apply_seq *q = a->cur;

	if (q->n == q->slots) {
		q->slots = q->slots == 0 ? 64 : q->slots * 2;
		q->off = xreallocarray(q->off, q->slots, sizeof(*q->off));
		q->vlen = xreallocarray(q->vlen, q->slots, sizeof(*q->vlen));
	}
	while (q->size - q->len < n) {
		q->size = q->size == 0 ? 1024 : q->size * 2;
		q->buf = xreallocarray(q->buf, q->size, 1);
	}
	memcpy(q->buf + q->len, s, n);
	q->off[q->n] = q->len;
	q->vlen[q->n++] = n;
	q->len += n;
}

/* The same for a NUL-terminated string. */
static void
apply_puts(struct apply *a, const char *s)
{
	apply_put(a, s, strlen(s));
}

/* The same for a number, in decimal. */
static void
apply_putn(struct apply *a, long long n)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", n);
	apply_puts(a, buf);
}

/*
 * Append PRE, PLAIN and POST as one value of the writes, PLAIN to be
 * sealed when the operation runs (apply_seal_all()); an empty PLAIN stays
 * empty.
 */
static void
apply_put_sealed(
    struct apply *a, const char *pre, const char *plain, const char *post)
{
	size_t np = strlen(pre), n = strlen(plain), nq = strlen(post);
	char *v;

	v = xmalloc(np + n + nq + 1);
	memcpy(v, pre, np);
	memcpy(v + np, plain, n);
	memcpy(v + np + n, post, nq + 1);
	if (n > 0) {
		a->seals =
		    xreallocarray(a->seals, a->nseals + 1, sizeof(*a->seals));
		a->seals[a->nseals].at = a->writes.n;
		a->seals[a->nseals].pre = np;
		a->seals[a->nseals].len = n;
		a->seals[a->nseals++].out = NULL;
	}
	a->cur = &a->writes;
	apply_put(a, v, np + n + nq);
	free(v);
}

/* An opcode and the KEYS index of the key it works on. */
static void
apply_op(struct apply *a, const char *opcode, const char *key)
{
	a->cur = opcode[0] == 'g' || opcode[0] == 'a' ? &a->guards : &a->writes;
	apply_puts(a, opcode);
	apply_putn(a, (long long)apply_key(a, key));
}

/* Remember the first reason the operation must not run. */
static void
apply_refuse(struct apply *a, const char *what)
{
	if (a->error == NULL)
		xasprintf(&a->error, "apply: %s: %s", a->opid, what);
}

void
apply_guard(
    struct apply *a, const char *key, const char *field, const char *value)
{
	apply_op(a, "g", key);
	apply_puts(a, field);
	apply_puts(a, value);
}

void
apply_guard_version(struct apply *a, const char *key, const char *current)
{
	char *end;
	long long v = 0;

	if (current[0] != '\0') {
		v = strtoll(current, &end, 10);
		if (*end != '\0' || v < 0)
			apply_refuse(a, "version: not a number");
	}
	apply_guard(a, key, "ver", current);
	apply_op(a, "h", key);
	apply_puts(a, "ver");
	apply_putn(a, v + 1);
}

void
apply_guard_absent(struct apply *a, const char *key)
{
	apply_op(a, "a", key);
}

void
apply_hset(
    struct apply *a, const char *key, const char *field, const char *value)
{
	apply_op(a, "h", key);
	apply_puts(a, field);
	apply_puts(a, value);
}

void
apply_hset_sealed(
    struct apply *a, const char *key, const char *field, const char *plain)
{
	apply_op(a, "h", key);
	apply_puts(a, field);
	apply_put_sealed(a, "", plain, "");
}

void
apply_hincr(struct apply *a, const char *key, const char *field, long long by)
{
	apply_op(a, "i", key);
	apply_puts(a, field);
	apply_putn(a, by);
}

void
apply_expire(struct apply *a, const char *key, long long seconds)
{
	apply_op(a, "e", key);
	apply_putn(a, seconds);
}

void
apply_zadd(struct apply *a, const char *key, double score, const char *member)
{
	char buf[64];

	if (isnan(score))
		apply_refuse(a, "zadd: score is not a number");
	snprintf(buf, sizeof(buf), "%.17g", score);
	apply_op(a, "z", key);
	apply_puts(a, buf);
	apply_puts(a, member);
}

void
apply_zrem(struct apply *a, const char *key, const char *member)
{
	apply_op(a, "r", key);
	apply_puts(a, member);
}

void
apply_hdel(struct apply *a, const char *key, const char *field)
{
	apply_op(a, "d", key);
	apply_puts(a, field);
}

void
apply_history(struct apply *a, const char *key, const char *value)
{
	apply_op(a, "y", key);
	apply_puts(a, value);
}

void
apply_history_sealed(struct apply *a, const char *key, const char *pre,
    const char *plain, const char *post)
{
	apply_op(a, "y", key);
	apply_put_sealed(a, pre, plain, post);
}

/*
 * An SMS to TO, sealed already, or in clear when TO_PLAIN; with CASEKEY,
 * its id is appended with ROLE to that case's history (opcode m, else s).
 */
static void
apply_sms_to(struct apply *a, const char *casekey, const char *role,
    const char *who, const char *to, int to_plain, const char *to_hash,
    const char *text, const char *channel, const char *kind)
{
	/*
	 * enqueue() (store/lua/lib/enqueue.lua) derives its keys from the
	 * message id it draws; naming the counter routes the script (one
	 * slot: the {hbm} tag).
	 */
	apply_key(a, KEY_MSGSEQ);
	if (casekey != NULL)
		apply_op(a, "m", casekey);
	else {
		a->cur = &a->writes;
		apply_puts(a, "s");
	}
	if (channel[0] == '\0') {
		a->routes = xreallocarray(
		    a->routes, a->nroutes + 1, sizeof(*a->routes));
		a->routes[a->nroutes].to = a->writes.n;
		a->routes[a->nroutes].channel = a->writes.n + 3;
		a->routes[a->nroutes++].chosen[0] = '\0';
	}
	if (to_plain)
		apply_put_sealed(a, "", to, "");
	else
		apply_puts(a, to);
	apply_puts(a, to_hash);
	apply_put_sealed(a, "", text, "");
	apply_puts(a, channel);
	apply_puts(a, kind);
	if (casekey != NULL) {
		apply_puts(a, role);
		apply_puts(a, who);
	}
}

void
apply_sms(struct apply *a, const char *to_sealed, const char *to_hash,
    const char *text, const char *channel, const char *kind)
{
	apply_sms_to(
	    a, NULL, NULL, NULL, to_sealed, 0, to_hash, text, channel, kind);
}

void
apply_sms_number(struct apply *a, const char *e164, const char *to_hash,
    const char *text, const char *channel, const char *kind)
{
	apply_sms_to(
	    a, NULL, NULL, NULL, e164, 1, to_hash, text, channel, kind);
}

void
apply_case_sms(struct apply *a, const char *casekey, const char *role,
    const char *who, const char *to, int to_plain, const char *to_hash,
    const char *text, const char *kind)
{
	apply_sms_to(
	    a, casekey, role, who, to, to_plain, to_hash, text, "", kind);
}

void
apply_sms_index(struct apply *a, const char *key)
{
	a->index_key = apply_key(a, key);
}

/* The audit entry, its DETAIL sealed at the run when SEAL. */
static void
apply_audit_entry(struct apply *a, const char *subject, const char *actor,
    const char *action, const char *detail, int seal)
{
	/* Only the last field may hold newlines: the hashed text parses. */
	if (strchr(subject, '\n') != NULL || strchr(actor, '\n') != NULL ||
	    strchr(action, '\n') != NULL)
		apply_refuse(a, "audit: newline in subject, actor or action");
	a->cur = &a->writes;
	apply_puts(a, "l");
	apply_puts(a, subject);
	apply_puts(a, actor);
	apply_puts(a, action);
	if (seal)
		apply_put_sealed(a, "", detail, "");
	else
		apply_puts(a, detail);
}

void
apply_audit(struct apply *a, const char *subject, const char *actor,
    const char *action, const char *detail)
{
	apply_audit_entry(a, subject, actor, action, detail, 0);
}

void
apply_audit_sealed(struct apply *a, const char *subject, const char *actor,
    const char *action, const char *plain)
{
	apply_audit_entry(a, subject, actor, action, plain, 1);
}

/* One value of Q as a string (owned by the caller). */
char *
apply_seq_value(const struct apply_seq *q, size_t i)
{
	char *v = xmalloc(q->vlen[i] + 1);

	memcpy(v, q->buf + q->off[i], q->vlen[i]);
	v[q->vlen[i]] = '\0';
	return v;
}

/* The seal of A at writes' value I, or NULL. */
const struct apply_seal *
apply_seal_at(const struct apply *a, size_t i)
{
	size_t k;

	for (k = 0; k < a->nseals; k++)
		if (a->seals[k].at == i)
			return &a->seals[k];
	return NULL;
}

/*
 * Print value V, the writes' value I when WRITES: a value to seal at the
 * run as "[plain]" (newlines as "\\n") with OPEN, "[sealed]" without; a
 * value OPEN opens as "[what it returns]".
 */
static void
apply_describe_value(const struct apply *a, int writes, size_t i, const char *v,
    FILE *f, char *(*open)(void *, const char *), void *arg)
{
	const struct apply_seal *sl = writes ? apply_seal_at(a, i) : NULL;
	char *o;
	size_t k;

	fputc(' ', f);
	if (sl != NULL) {
		fwrite(v, 1, sl->pre, f);
		fputc('[', f);
		for (k = sl->pre; open != NULL && k < sl->pre + sl->len; k++)
			if (v[k] == '\n')
				fputs("\\n", f);
			else
				fputc(v[k], f);
		if (open == NULL)
			fputs("sealed", f);
		fprintf(f, "]%s", v + sl->pre + sl->len);
	} else if (open != NULL && (o = open(arg, v)) != NULL) {
		fprintf(f, "[%s]", o);
		free(o);
	} else
		fputs(v, f);
}

/* Print the effects of Q (see apply_describe()). */
static void
apply_describe_seq(const struct apply *a, const struct apply_seq *q, FILE *f,
    char *(*open)(void *, const char *), void *arg)
{
	static const struct {
		char op;
		const char *name;
		int key;    /* 1: a KEYS index follows the opcode (2: shown
			     * last, as "for KEY") */
		int values; /* then this many values */
	} ops[] = { { 'g', "guard", 1, 2 }, { 'a', "absent", 1, 0 },
		{ 'h', "hset", 1, 2 }, { 'i', "hincr", 1, 2 },
		{ 'e', "expire", 1, 1 }, { 'z', "zadd", 1, 2 },
		{ 'r', "zrem", 1, 1 }, { 'd', "hdel", 1, 1 },
		{ 'y', "history", 1, 1 }, { 's', "sms", 0, 5 },
		{ 'm', "sms", 2, 7 }, { 'l', "audit", 0, 4 } };
	size_t i = 0, k, j;
	const char *key;
	char *v;

	while (i < q->n) {
		key = NULL;
		v = apply_seq_value(q, i++);
		for (k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
			if (v[0] == ops[k].op && v[1] == '\0')
				break;
		free(v);
		if (k == sizeof(ops) / sizeof(ops[0]))
			return; /* not one of ours: stop rather than misread */
		fputs(ops[k].name, f);
		if (ops[k].key && i < q->n) {
			v = apply_seq_value(q, i++);
			j = strtoul(v, NULL, 10);
			key = j >= 1 && j <= a->nkeys ? a->keys[j - 1] : "?";
			free(v);
			if (ops[k].key == 1)
				fprintf(f, " %s", key);
		}
		for (j = 0; j < (size_t)ops[k].values && i < q->n; j++) {
			v = apply_seq_value(q, i);
			apply_describe_value(
			    a, q == &a->writes, i++, v, f, open, arg);
			free(v);
		}
		if (ops[k].key == 2 && key != NULL)
			fprintf(f, " for %s", key);
		fputc('\n', f);
	}
}

void
apply_describe(const struct apply *a, FILE *f,
    char *(*open)(void *, const char *), void *arg)
{
	apply_describe_seq(a, &a->guards, f, open, arg);
	apply_describe_seq(a, &a->writes, f, open, arg);
}

/*
 * Seal what A seals at the run, each time afresh: 0, or -1 with *cause
 * when no privacy key was set (apply_set_key()).
 */
static int
apply_seal_all(struct apply *a, char **cause)
{
	struct apply_seal *sl;
	char *v, *sealed;
	size_t k;

	if (a->nseals > 0 && apply_seal_key == NULL) {
		xasprintf(
		    cause, "apply: %s: no privacy key to seal with", a->opid);
		return -1;
	}
	for (k = 0; k < a->nseals; k++) {
		sl = &a->seals[k];
		v = apply_seq_value(&a->writes, sl->at);
		sealed = crypto_seal(apply_seal_key, v + sl->pre, sl->len);
		free(sl->out);
		xasprintf(&sl->out, "%.*s%s%s", (int)sl->pre, v, sealed,
		    v + sl->pre + sl->len);
		free(sealed);
		free(v);
	}
	return 0;
}

/* Choose the channel of each SMS of A queued with none. */
static void
apply_choose(struct apply *a)
{
	const struct apply_seal *sl;
	size_t r;
	char *to;

	for (r = 0; r < a->nroutes; r++) {
		a->routes[r].chosen[0] = '\0';
		if (apply_route_fn == NULL)
			continue;
		/* a number sealed at the run is routed as it is queued */
		if ((sl = apply_seal_at(a, a->routes[r].to)) != NULL)
			to = xstrdup(sl->out);
		else
			to = apply_seq_value(&a->writes, a->routes[r].to);
		if (apply_route_fn(apply_route_arg, to, a->routes[r].chosen) ==
		    -1)
			a->routes[r].chosen[0] = '\0';
		free(to);
	}
}

/* What the script said of one operation. */
static enum apply_result
apply_result_of(
    const struct apply *a, const struct store_reply *r, char **cause)
{
	if (r->type == STORE_STRING && strcmp(r->str, "ok") == 0)
		return APPLY_OK;
	if (r->type == STORE_STRING && strcmp(r->str, "done") == 0)
		return APPLY_DONE;
	if (r->type == STORE_STRING && strcmp(r->str, "conflict") == 0)
		return APPLY_CONFLICT;
	if (r->type == STORE_STRING && strncmp(r->str, "err:", 4) == 0)
		xasprintf(cause, "apply: %s: %s", a->opid, r->str + 4);
	else
		xasprintf(cause, "apply: %s: unexpected reply", a->opid);
	return APPLY_ERROR;
}

int
apply_run_batch(struct store *s, struct apply **a, size_t n, long long msg_ttl,
    const struct apply_ack *ack, enum apply_result *res, char **causes,
    char **cause)
{
	struct apply_args kv = { 0 }, av = { 0 }, wv;
	struct store_reply *r;
	size_t i, j, k, nkeys = 1, nrun = 0, nids, *run;
	int rc = -1;

	for (i = 0; i < n; i++) {
		res[i] = APPLY_ERROR;
		causes[i] = NULL;
	}
	/* An operation refused before it ran is left out; the rest run. */
	run = xreallocarray(NULL, n, sizeof(*run));
	for (i = 0; i < n; i++) {
		if (a[i]->error != NULL)
			causes[i] = xstrdup(a[i]->error);
		else if (a[i]->nkeys > APPLY_KEYS_MAX)
			xasprintf(&causes[i], "apply: %s: %zu keys, at most %d",
			    a[i]->opid, a[i]->nkeys, APPLY_KEYS_MAX);
		else if (apply_seal_all(a[i], &causes[i]) == -1)
			continue;
		else
			run[nrun++] = i;
	}
	if (nrun == 0 && (ack == NULL || ack->nextra == 0)) {
		rc = 0;
		goto out;
	}
	apply_args_add(&kv, ack != NULL ? ack->stream : KEY_AUDIT_NEW,
	    strlen(ack != NULL ? ack->stream : KEY_AUDIT_NEW));
	apply_args_addn(&av, (long long)nrun);
	apply_args_add(&av, ack != NULL ? ack->group : "",
	    ack != NULL ? strlen(ack->group) : 0);
	apply_args_addn(&av, APPLY_OP_TTL);
	for (k = 0; k < nrun; k++) {
		const struct apply *o = a[run[k]];
		const char *id =
		    ack != NULL && ack->ids != NULL && ack->ids[run[k]] != NULL
		    ? ack->ids[run[k]]
		    : "";

		for (j = 0; j < o->nkeys; j++)
			apply_args_add(&kv, o->keys[j], strlen(o->keys[j]));
		nkeys += o->nkeys;
		apply_choose(a[run[k]]);
		memset(&wv, 0, sizeof(wv));
		apply_args_writes(&wv, o, msg_ttl, &nids);
		apply_args_addn(&av, (long long)o->nkeys);
		apply_args_add(&av, o->now, strlen(o->now));
		apply_args_addn(&av, msg_ttl);
		apply_args_addn(&av, (long long)o->guards.n);
		apply_args_addn(&av, (long long)(o->guards.n + wv.n));
		apply_args_add(&av, id, strlen(id));
		apply_args_addn(&av, (long long)nids);
		apply_args_guards(&av, o);
		apply_args_take(&av, &wv);
		apply_args_free(&wv);
	}
	for (i = 0; ack != NULL && i < ack->nextra; i++)
		apply_args_add(&av, ack->extra[i], strlen(ack->extra[i]));
	/* KEYS first, then ARGV. */
	apply_args_take(&kv, &av);
	r = store_eval(
	    s, &apply_script, (int)nkeys, (int)kv.n, kv.v, kv.len, cause);
	if (r == NULL)
		goto out;
	if (r->type != STORE_ARRAY || r->elements != nrun) {
		xasprintf(cause, "apply: %s",
		    r->type == STORE_ERROR ? r->str : "unexpected reply");
		store_reply_free(r);
		goto out;
	}
	for (k = 0; k < nrun; k++)
		res[run[k]] =
		    apply_result_of(a[run[k]], r->element[k], &causes[run[k]]);
	store_reply_free(r);
	rc = 0;
out:
	apply_args_free(&kv);
	apply_args_free(&av);
	free(run);
	return rc;
}

enum apply_result
apply_run(struct store *s, struct apply *a, long long msg_ttl, char **cause)
{
	enum apply_result res;
	char *why = NULL;

	if (apply_run_batch(s, &a, 1, msg_ttl, NULL, &res, &why, cause) == -1) {
		free(why);
		return APPLY_ERROR;
	}
	if (res == APPLY_ERROR)
		*cause = why;
	else
		free(why);
	return res;
}

int
apply_seen(struct store *s, const char *opid, char **cause)
{
	struct store_reply *r;
	char key[KEY_MAX];
	int rc;

	r = store_commandl(s, cause, "EXISTS", key_op(key, opid), NULL);
	if (r == NULL)
		return -1;
	if (r->type != STORE_INTEGER) {
		xasprintf(cause, "apply: %s: EXISTS: %s", opid,
		    r->type == STORE_ERROR ? r->str : "unexpected reply");
		rc = -1;
	} else
		rc = r->integer > 0;
	store_reply_free(r);
	return rc;
}
