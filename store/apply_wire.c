/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A recorded case operation as the arguments of store/lua/apply.lua.
 *
 * store/apply.c records an operation's writes one effect at a time, in the
 * order the decision made them (apply_describe() prints them so). The
 * script should do no more than make its Redis calls: every value it walks
 * and every table it builds costs Redis's single thread more than the
 * writes themselves. So the grouping is done here, once, in C: the HSETs
 * of one key become one call (an HINCRBY or HDEL of the key comes after the
 * HSETs before it); a case's history entries, its own (Y) and its SMS'
 * (M), come before those runs, so that the script, which names their
 * fields, adds them to the case's HSET; then one EXPIRE a key (the last
 * lifetime given), then the audit lines as one XADD of one entry.
 * Each call is its opcode, the KEYS index of its key (0: none), how many
 * values follow, and the values, which the script hands to Redis with
 * unpack().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/apply_int.h"
#include "store/audit.h"
#include "store/keys.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

/* Room for N more arguments. */
static void
apply_args_grow(struct apply_args *g, size_t n)
{
	if (g->n + n > g->slots) {
		g->slots = g->n + n + 64;
		g->v = xreallocarray(g->v, g->slots, sizeof(*g->v));
		g->len = xreallocarray(g->len, g->slots, sizeof(*g->len));
	}
}

void
apply_args_add(struct apply_args *g, const char *v, size_t len)
{
	apply_args_grow(g, 1);
	g->v[g->n] = v;
	g->len[g->n++] = len;
}

void
apply_args_own(struct apply_args *g, char *s)
{
	g->own = xreallocarray(g->own, g->nown + 1, sizeof(*g->own));
	g->own[g->nown++] = s;
	apply_args_add(g, s, strlen(s));
}

void
apply_args_addn(struct apply_args *g, long long n)
{
	char *s;

	xasprintf(&s, "%lld", n);
	apply_args_own(g, s);
}

void
apply_args_take(struct apply_args *g, struct apply_args *g2)
{
	apply_args_grow(g, g2->n);
	memcpy(g->v + g->n, g2->v, g2->n * sizeof(*g2->v));
	memcpy(g->len + g->n, g2->len, g2->n * sizeof(*g2->len));
	g->n += g2->n;
	g->own = xreallocarray(g->own, g->nown + g2->nown, sizeof(*g->own));
	memcpy(g->own + g->nown, g2->own, g2->nown * sizeof(*g2->own));
	g->nown += g2->nown;
	g2->nown = 0;
}

void
apply_args_guards(struct apply_args *g, const struct apply *a)
{
	const struct apply_seq *q = &a->guards;
	size_t j;

	for (j = 0; j < q->n; j++)
		apply_args_add(g, q->buf + q->off[j], q->vlen[j]);
}

void
apply_args_free(struct apply_args *g)
{
	size_t i;

	for (i = 0; i < g->nown; i++)
		free(g->own[i]);
	free(g->own);
	free(g->v);
	free(g->len);
}

/* One recorded write: its opcode, KEYS index (0: none), first value. */
struct apply_w {
	char op;
	size_t key;
	size_t v;
};

/* The HSETs (op 'h') or history entries ('y') of one key not yet made. */
struct apply_run {
	char op;
	size_t key;
	size_t *v; /* owned; writes' value indexes */
	size_t n, slots;
	int live; /* 0 once made */
};

struct apply_wire {
	const struct apply *a;
	struct apply_args *g;
	const struct apply_w *w; /* the writes, parsed */
	size_t nw;
	long long msg_ttl;
	struct apply_run *runs; /* owned; in the order they began */
	size_t nruns;
};

/* How many values follow opcode OP, a KEYS index among them when *KEY. */
static int
apply_w_arity(char op, int *key)
{
	*key = op != 's' && op != 'l';
	switch (op) {
	case 'h':
	case 'i':
	case 'z':
		return 2;
	case 'r':
	case 'd':
	case 'y':
	case 'e':
		return 1;
	case 's':
		return 5;
	case 'm':
		return 7;
	case 'l':
		return 4;
	}
	return -1;
}

/* The writes of A, parsed: *N of them (to free). */
static struct apply_w *
apply_w_parse(const struct apply *a, size_t *n)
{
	const struct apply_seq *q = &a->writes;
	struct apply_w *w = xreallocarray(NULL, q->n + 1, sizeof(*w));
	size_t j = 0;
	int key, arity;
	char *v;

	*n = 0;
	while (j < q->n) {
		/* apply.c writes these; a bad one is a bug there */
		if (q->vlen[j] != 1 ||
		    (arity = apply_w_arity(q->buf[q->off[j]], &key)) == -1)
			fatalx("apply: %s: bad opcode in its writes", a->opid);
		w[*n].op = q->buf[q->off[j++]];
		w[*n].key = 0;
		if (key) {
			v = apply_seq_value(q, j++);
			w[*n].key = strtoul(v, NULL, 10);
			free(v);
		}
		w[*n].v = j;
		j += (size_t)arity;
		if (j > q->n)
			fatalx("apply: %s: truncated writes", a->opid);
		(*n)++;
	}
	return w;
}

/* Writes' value J of the operation, as it runs: sealed, or routed. */
static void
apply_w_value(struct apply_wire *c, size_t j)
{
	const struct apply *a = c->a;
	const struct apply_seq *q = &a->writes;
	const struct apply_seal *sl;
	size_t r;

	for (r = 0; r < a->nroutes; r++)
		if (a->routes[r].channel == j) {
			apply_args_add(c->g, a->routes[r].chosen,
			    strlen(a->routes[r].chosen));
			return;
		}
	if ((sl = apply_seal_at(a, j)) != NULL)
		apply_args_add(c->g, sl->out, strlen(sl->out));
	else
		apply_args_add(c->g, q->buf + q->off[j], q->vlen[j]);
}

/* A call's head: its opcode, its key's KEYS index and N, its values. */
static void
apply_w_call(struct apply_wire *c, const char *op, size_t key, size_t n)
{
	apply_args_add(c->g, op, 1);
	apply_args_addn(c->g, (long long)key);
	apply_args_addn(c->g, (long long)n);
}

/* A call of N values from value J on. */
static void
apply_w_plain(
    struct apply_wire *c, const char *op, const struct apply_w *w, size_t n)
{
	size_t k;

	apply_w_call(c, op, w->key, n);
	for (k = 0; k < n; k++)
		apply_w_value(c, w->v + k);
}

/* The run of OP on KEY that is still to be made, begun when NEW. */
static struct apply_run *
apply_w_run(struct apply_wire *c, char op, size_t key, int new)
{
	struct apply_run *r;
	size_t i;

	for (i = 0; i < c->nruns; i++)
		if (c->runs[i].live && c->runs[i].key == key &&
		    c->runs[i].op == op)
			return &c->runs[i];
	if (!new)
		return NULL;
	c->runs = xreallocarray(c->runs, c->nruns + 1, sizeof(*c->runs));
	r = &c->runs[c->nruns++];
	memset(r, 0, sizeof(*r));
	r->op = op;
	r->key = key;
	r->live = 1;
	return r;
}

static void
apply_w_push(struct apply_run *r, size_t v)
{
	if (r->n == r->slots) {
		r->slots = r->slots == 0 ? 16 : 2 * r->slots;
		r->v = xreallocarray(r->v, r->slots, sizeof(*r->v));
	}
	r->v[r->n++] = v;
}

/*
 * Make run R: one HSET of every value it gathered, or, of history entries,
 * their Y call, which leaves them to the HSET of their case that follows
 * (begun here if none is).
 */
static void
apply_w_flush(struct apply_wire *c, struct apply_run *r)
{
	size_t k, key, n, *v;
	char op;

	if (r == NULL || !r->live)
		return;
	r->live = 0;
	op = r->op;
	key = r->key;
	n = r->n;
	v = r->v;
	if (op == 'y') /* R moves when the HSET's run is begun */
		apply_w_run(c, 'h', key, 1);
	apply_w_call(c, op == 'h' ? "H" : "Y", key, n);
	for (k = 0; k < n; k++)
		apply_w_value(c, v[k]);
}

/* Value J of the writes as a JSON string (to free). */
static char *
apply_w_json(const struct apply *a, size_t j)
{
	const struct apply_seq *q = &a->writes;
	const unsigned char *s = (const unsigned char *)q->buf + q->off[j];
	size_t i, o = 0;
	char *out = xmalloc(6 * q->vlen[j] + 3);

	out[o++] = '"';
	for (i = 0; i < q->vlen[j]; i++) {
		if (s[i] == '"' || s[i] == '\\') {
			out[o++] = '\\';
			out[o++] = (char)s[i];
		} else if (s[i] < 0x20)
			o += (size_t)sprintf(out + o, "\\u%04x", s[i]);
		else
			out[o++] = (char)s[i];
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}

/*
 * Where an SMS to the number whose hash is writes' value TO_HASH is
 * indexed: the KEYS index of that number's record when it is the one
 * apply_sms_index() named and the operation writes it and gives it at
 * least the message's lifetime (the record then holds the message as a
 * field "m:<id>"), else 0 ({hbm}:msgs:<hash>, by enqueue()).
 */
static size_t
apply_w_index(struct apply_wire *c, size_t to_hash)
{
	const struct apply *a = c->a;
	char key[KEY_MAX], *hash, *v;
	size_t i, k = 0;
	int hset = 0;
	long long ttl = -1;

	hash = apply_seq_value(&a->writes, to_hash);
	key_num(key, hash);
	free(hash);
	if (a->index_key > 0 && strcmp(a->keys[a->index_key - 1], key) == 0)
		k = a->index_key;
	for (i = 0; k > 0 && i < c->nw; i++) {
		if (c->w[i].key != k)
			continue;
		if (c->w[i].op == 'h')
			hset = 1;
		else if (c->w[i].op == 'e') {
			v = apply_seq_value(&a->writes, c->w[i].v);
			ttl = strtoll(v, NULL, 10);
			free(v);
		}
	}
	if (k == 0 || !hset || ttl < c->msg_ttl)
		return 0;
	/* its field joins the record's HSET, begun here if none is */
	apply_w_run(c, 'h', k, 1);
	return k;
}

/*
 * An SMS (opcode s: to, to_hash, text, channel, kind): the five values
 * enqueue() takes, the KEYS index of the record that indexes it as the
 * key (apply_w_index()).
 */
static void
apply_w_sms(struct apply_wire *c, const struct apply_w *w)
{
	size_t k, at = apply_w_index(c, w->v + 1);

	apply_w_call(c, "S", at, 5);
	for (k = 0; k < 5; k++)
		apply_w_value(c, w->v + k);
}

/*
 * A case's SMS (opcode m: to, to_hash, text, channel, kind, role, who):
 * the five values enqueue() takes, its history entry up to the message
 * id, which the script draws and closes with "\"<id>\"}", and the KEYS
 * index of the record that indexes it (apply_w_index()).
 */
static void
apply_w_case_sms(struct apply_wire *c, const struct apply_w *w)
{
	char *who, *role, *kind, *pre;
	size_t k, at = apply_w_index(c, w->v + 1);

	apply_w_call(c, "M", w->key, 7);
	for (k = 0; k < 5; k++)
		apply_w_value(c, w->v + k);
	who = apply_w_json(c->a, w->v + 6);
	role = apply_w_json(c->a, w->v + 5);
	kind = apply_w_json(c->a, w->v + 4);
	xasprintf(&pre,
	    "{\"t\":%s,\"who\":%s,\"what\":\"sms\",\"to\":%s,"
	    "\"kind\":%s,\"msg\":",
	    c->a->now, who, role, kind);
	apply_args_own(c->g, pre);
	apply_args_addn(c->g, (long long)at);
	free(who);
	free(role);
	free(kind);
	/* its entry goes with the case's HSET, begun here if none is */
	apply_w_run(c, 'h', w->key, 1);
}

/*
 * The operation's audit lines, in order, as one entry of {hbm}:audit:new:
 * "*", ts and the time, then each line's subject, actor, action and
 * detail with their names (store/audit.c).
 */
static void
apply_w_audit(struct apply_wire *c)
{
	size_t i, k, lines = 0;

	for (i = 0; i < c->nw; i++)
		lines += c->w[i].op == 'l';
	if (lines == 0)
		return;
	apply_w_call(c, "L", APPLY_KEY_AUDIT + 1, 3 + 2 * AUDIT_LINE * lines);
	apply_args_add(c->g, "*", 1);
	apply_args_add(c->g, "ts", 2);
	apply_args_add(c->g, c->a->now, strlen(c->a->now));
	for (i = 0; i < c->nw; i++) {
		if (c->w[i].op != 'l')
			continue;
		for (k = 0; k < AUDIT_LINE; k++) {
			apply_args_add(
			    c->g, audit_line[k], strlen(audit_line[k]));
			apply_w_value(c, c->w[i].v + k);
		}
	}
}

void
apply_args_writes(struct apply_args *g, const struct apply *a,
    long long msg_ttl, size_t *nids)
{
	struct apply_wire c = { .a = a, .g = g, .msg_ttl = msg_ttl };
	struct apply_w *w;
	size_t n, i, k;

	*nids = 0;
	w = apply_w_parse(a, &n);
	c.w = w;
	c.nw = n;
	/* HSETs and history entries gather; the rest of the key's writes now */
	for (i = 0; i < n; i++) {
		switch (w[i].op) {
		case 'h':
			apply_w_push(apply_w_run(&c, 'h', w[i].key, 1), w[i].v);
			apply_w_push(
			    apply_w_run(&c, 'h', w[i].key, 1), w[i].v + 1);
			break;
		case 'y':
			apply_w_push(apply_w_run(&c, 'y', w[i].key, 1), w[i].v);
			break;
		case 'i':
			apply_w_flush(&c, apply_w_run(&c, 'h', w[i].key, 0));
			apply_w_plain(&c, "I", &w[i], 2);
			break;
		case 'd':
			apply_w_flush(&c, apply_w_run(&c, 'h', w[i].key, 0));
			apply_w_plain(&c, "D", &w[i], 1);
			break;
		case 'z':
			apply_w_plain(&c, "Z", &w[i], 2);
			break;
		case 'r':
			apply_w_plain(&c, "R", &w[i], 1);
			break;
		}
	}
	/*
	 * The history entries, then the SMS, each drawing an id (*NIDS
	 * counts both); then the HSETs that carry the entries.
	 */
	for (k = 0; k < c.nruns; k++) {
		if (c.runs[k].op == 'y') {
			*nids += c.runs[k].n;
			apply_w_flush(&c, &c.runs[k]);
		}
	}
	for (i = 0; i < n; i++) {
		if (w[i].op == 's')
			apply_w_sms(&c, &w[i]);
		else if (w[i].op == 'm')
			apply_w_case_sms(&c, &w[i]);
		else
			continue;
		(*nids)++;
	}
	for (k = 0; k < c.nruns; k++)
		apply_w_flush(&c, &c.runs[k]);
	/* one EXPIRE a key, in the order first given, the last lifetime */
	for (i = 0; i < n; i++) {
		if (w[i].op != 'e')
			continue;
		for (k = 0; k < i && (w[k].op != 'e' || w[k].key != w[i].key);
		     k++)
			;
		if (k < i)
			continue;
		for (k = n; k-- > i;)
			if (w[k].op == 'e' && w[k].key == w[i].key)
				break;
		apply_w_call(&c, "E", w[i].key, 1);
		apply_w_value(&c, w[k].v);
	}
	apply_w_audit(&c);
	for (k = 0; k < c.nruns; k++)
		free(c.runs[k].v);
	free(c.runs);
	free(w);
}
