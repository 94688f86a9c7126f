/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Atomic, idempotent application of a case operation's effects.
 *
 * A struct apply is built by one thread and owns copies of everything given
 * to it: the keys it touches (KEYS of the script, deduplicated, the op key
 * first) and its operations, encoded as they are added into one binary-safe
 * string (ARGV[3]): a sequence of fields "<decimal byte length>:<bytes>",
 * each operation an opcode field followed by a fixed number of argument
 * fields, a key given as its index in KEYS. One EVALSHA of one static script
 * runs it all: the op key, the guards, a type check of every key written
 * (Redis does not roll back a script that fails half way, so whatever can
 * fail is checked before the first write), the writes (consecutive HSETs of
 * one key as one call), the SMS, the audit
 * entries (appended to {hbm}:audit:new, which gateway/audit.c chains), and
 * the op key again, set for a week.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/apply.h"
#include "gateway/audit.h"
#include "gateway/lua_outbox.h"
#include "gateway/store.h"
#include "gateway/xmalloc.h"

/* Keys one operation may name: far more than any needs. */
#define APPLY_KEYS_MAX 58
#define APPLY_OP_TTL "604800" /* seconds an op key is remembered: 7 days */

/* KEYS[1..2], always present; keys the operations add follow. */
#define APPLY_KEY_OP 0
#define APPLY_KEY_AUDIT 1

/*
 * ARGV[1] now_ms, ARGV[2] msg_ttl, ARGV[3] the operations. Opcodes and
 * their fields: g guard (key, field, value), a absent (key), h HSET (key,
 * field, value), i HINCRBY (key, field, by), z ZADD (key, score, member),
 * r ZREM (key, member), p RPUSH (key, value), e EXPIRE (key, seconds),
 * s SMS (to_sealed, to_hash, text, channel, kind), l audit (subject, actor,
 * action, detail).
 */
#define APPLY_LUA                                                           \
	"local apply_arity = { g = 3, a = 1, h = 3, i = 3, z = 3, r = 2,\n" \
	"  p = 2, e = 2, s = 5, l = 4 }\n"                                  \
	"local apply_type = { h = 'hash', i = 'hash', z = 'zset',\n"        \
	"  r = 'zset', p = 'list' }\n"                                      \
	"local function apply_parse(buf)\n"                                 \
	"  local ops, pos = {}, 1\n"                                        \
	"  local function field()\n"                                        \
	"    local c = string.find(buf, ':', pos, true)\n"                  \
	"    local n = tonumber(string.sub(buf, pos, c - 1))\n"             \
	"    pos = c + n + 1\n"                                             \
	"    return string.sub(buf, c + 1, c + n)\n"                        \
	"  end\n"                                                           \
	"  while pos <= #buf do\n"                                          \
	"    local o = { field() }\n"                                       \
	"    for j = 1, apply_arity[o[1]] do o[j + 1] = field() end\n"      \
	"    if apply_type[o[1]] or o[1] == 'g' or o[1] == 'a'\n"           \
	"        or o[1] == 'e' then\n"                                     \
	"      o[2] = KEYS[tonumber(o[2])]\n"                               \
	"    end\n"                                                         \
	"    ops[#ops + 1] = o\n"                                           \
	"  end\n"                                                           \
	"  return ops\n"                                                    \
	"end\n"                                                             \
	"local function apply_guards(ops)\n"                                \
	"  for _, o in ipairs(ops) do\n"                                    \
	"    if o[1] == 'g' then\n"                                         \
	"      if (redis.call('HGET', o[2], o[3]) or '') ~= o[4] then\n"    \
	"        return false\n"                                            \
	"      end\n"                                                       \
	"    elseif o[1] == 'a' and redis.call('EXISTS', o[2]) == 1 then\n" \
	"      return false\n"                                              \
	"    end\n"                                                         \
	"  end\n"                                                           \
	"  return true\n"                                                   \
	"end\n"                                                             \
	"local function apply_check(ops)\n"                                 \
	"  local want = {}\n"                                               \
	"  for _, o in ipairs(ops) do\n"                                    \
	"    local t = apply_type[o[1]]\n"                                  \
	"    if t and want[o[2]] and want[o[2]] ~= t then\n"                \
	"      return o[2] .. ': used as ' .. want[o[2]] .. ' and ' .. t\n" \
	"    elseif t and not want[o[2]] then\n"                            \
	"      local have = redis.call('TYPE', o[2]).ok\n"                  \
	"      if have ~= 'none' and have ~= t then\n"                      \
	"        return o[2] .. ': holds a ' .. have .. ', not a ' .. t\n"  \
	"      end\n"                                                       \
	"      want[o[2]] = t\n"                                            \
	"    end\n"                                                         \
	"    if o[1] == 'i' then\n"                                         \
	"      local v = redis.call('HGET', o[2], o[3])\n"                  \
	"      if v and not string.match(v, '^-?%d+$') then\n"              \
	"        return o[2] .. ': ' .. o[3] .. ' is not an integer'\n"     \
	"      end\n"                                                       \
	"    end\n"                                                         \
	"  end\n"                                                           \
	"end\n"                                                             \
	"local function apply_write(ops)\n"                                 \
	"  local cmd = { h = 'HSET', i = 'HINCRBY', z = 'ZADD',\n"          \
	"    r = 'ZREM', p = 'RPUSH' }\n"                                   \
	"  local j = 1\n"                                                   \
	"  while j <= #ops do\n"                                            \
	"    local o = ops[j]\n"                                            \
	"    if o[1] == 'h' then\n"                                         \
	"      local args = { o[2], o[3], o[4] }\n"                         \
	"      while ops[j + 1] and ops[j + 1][1] == 'h'\n"                 \
	"          and ops[j + 1][2] == o[2] do\n"                          \
	"        j = j + 1\n"                                               \
	"        args[#args + 1] = ops[j][3]\n"                             \
	"        args[#args + 1] = ops[j][4]\n"                             \
	"      end\n"                                                       \
	"      redis.call('HSET', unpack(args))\n"                          \
	"    elseif cmd[o[1]] then\n"                                       \
	"      redis.call(cmd[o[1]], unpack(o, 2))\n"                       \
	"    end\n"                                                         \
	"    j = j + 1\n"                                                   \
	"  end\n"                                                           \
	"  for _, o in ipairs(ops) do\n"                                    \
	"    if o[1] == 'e' then redis.call('EXPIRE', o[2], o[3]) end\n"    \
	"  end\n"                                                           \
	"  for _, o in ipairs(ops) do\n"                                    \
	"    if o[1] == 's' then\n"                                         \
	"      enqueue(o[2], o[3], o[4], o[5], o[6], ARGV[1], ARGV[2])\n"   \
	"    end\n"                                                         \
	"  end\n"                                                           \
	"end\n"                                                             \
	"local function apply_audit(ops)\n"                                 \
	"  for _, o in ipairs(ops) do\n"                                    \
	"    if o[1] == 'l' then\n"                                         \
	"      redis.call('XADD', KEYS[2], '*', 'ts', ARGV[1],\n"           \
	"        'subject', o[2], 'actor', o[3], 'action', o[4],\n"         \
	"        'detail', o[5])\n"                                         \
	"    end\n"                                                         \
	"  end\n"                                                           \
	"end\n"                                                             \
	"if redis.call('EXISTS', KEYS[1]) == 1 then return 'done' end\n"    \
	"local ops = apply_parse(ARGV[3])\n"                                \
	"if not apply_guards(ops) then return 'conflict' end\n"             \
	"local bad = apply_check(ops)\n"                                    \
	"if bad then return redis.error_reply('apply: ' .. bad) end\n"      \
	"apply_write(ops)\n"                                                \
	"apply_audit(ops)\n"                                                \
	"redis.call('SET', KEYS[1], '1', 'EX', " APPLY_OP_TTL ")\n"         \
	"return 'ok'\n"

static struct store_script apply_script = {
	.name = "apply",
	.body = LUA_ENQUEUE APPLY_LUA,
};

struct apply {
	char *opid;	 /* owned; for messages */
	char *now;	 /* owned; now_ms in decimal, ARGV[1] */
	char **keys;	 /* owned; KEYS in order, no duplicates */
	size_t nkeys;	 /* keys in use */
	size_t keyslots; /* keys allocated */
	char *ops;	 /* owned; the encoded operations, ARGV[3] */
	size_t len;	 /* bytes in ops */
	size_t size;	 /* bytes allocated for ops */
	char *error;	 /* owned; why it must not run, or NULL */
};

struct apply *
apply_new(const char *opid, long long now_ms)
{
	struct apply *a;

	a = xcalloc(1, sizeof(*a));
	a->opid = xstrdup(opid);
	xasprintf(&a->now, "%lld", now_ms);
	a->keyslots = 16;
	a->keys = xcalloc(a->keyslots, sizeof(*a->keys));
	xasprintf(&a->keys[APPLY_KEY_OP], "{hbm}:op:%s", opid);
	a->keys[APPLY_KEY_AUDIT] = xstrdup(AUDIT_NEW_KEY);
	a->nkeys = 2;
	return a;
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
	free(a->ops);
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

/* Append one field, "<length>:<bytes>", to the encoded operations. */
static void
apply_put(struct apply *a, const char *s, size_t n)
{
	char pre[32];
	int plen;

	plen = snprintf(pre, sizeof(pre), "%zu:", n);
	while (a->size - a->len < (size_t)plen + n) {
		a->size = a->size == 0 ? 256 : a->size * 2;
		a->ops = xreallocarray(a->ops, a->size, 1);
	}
	memcpy(a->ops + a->len, pre, plen);
	memcpy(a->ops + a->len + plen, s, n);
	a->len += plen + n;
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

/* An opcode and the KEYS index of the key it works on. */
static void
apply_op(struct apply *a, const char *opcode, const char *key)
{
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
apply_rpush(struct apply *a, const char *key, const char *value)
{
	apply_op(a, "p", key);
	apply_puts(a, value);
}

void
apply_sms(struct apply *a, const char *to_sealed, const char *to_hash,
    const char *text, const char *channel, const char *kind)
{
	/*
	 * LUA_ENQUEUE derives its keys from the message id it draws; naming
	 * the counter routes the script (one slot: the {hbm} tag).
	 */
	apply_key(a, "{hbm}:msgseq");
	apply_puts(a, "s");
	apply_puts(a, to_sealed);
	apply_puts(a, to_hash);
	apply_puts(a, text);
	apply_puts(a, channel);
	apply_puts(a, kind);
}

void
apply_audit(struct apply *a, const char *subject, const char *actor,
    const char *action, const char *detail)
{
	/* Only the last field may hold newlines: the hashed text parses. */
	if (strchr(subject, '\n') != NULL || strchr(actor, '\n') != NULL ||
	    strchr(action, '\n') != NULL)
		apply_refuse(a, "audit: newline in subject, actor or action");
	apply_puts(a, "l");
	apply_puts(a, subject);
	apply_puts(a, actor);
	apply_puts(a, action);
	apply_puts(a, detail);
}

enum apply_result
apply_run(struct store *s, struct apply *a, long long msg_ttl, char **cause)
{
	const char *argv[APPLY_KEYS_MAX + 3];
	size_t lens[APPLY_KEYS_MAX + 3], i;
	struct store_reply *r;
	enum apply_result res = APPLY_ERROR;
	char ttl[32];

	if (a->error != NULL) {
		*cause = xstrdup(a->error);
		return APPLY_ERROR;
	}
	if (a->nkeys > APPLY_KEYS_MAX) {
		xasprintf(cause, "apply: %s: %zu keys, at most %d", a->opid,
		    a->nkeys, APPLY_KEYS_MAX);
		return APPLY_ERROR;
	}
	for (i = 0; i < a->nkeys; i++) {
		argv[i] = a->keys[i];
		lens[i] = strlen(a->keys[i]);
	}
	snprintf(ttl, sizeof(ttl), "%lld", msg_ttl);
	argv[i] = a->now;
	lens[i++] = strlen(a->now);
	argv[i] = ttl;
	lens[i++] = strlen(ttl);
	argv[i] = a->ops != NULL ? a->ops : "";
	lens[i++] = a->len;
	r = store_eval(
	    s, &apply_script, (int)a->nkeys, (int)i, argv, lens, cause);
	if (r == NULL)
		return APPLY_ERROR;
	if (r->type == STORE_STRING && strcmp(r->str, "ok") == 0)
		res = APPLY_OK;
	else if (r->type == STORE_STRING && strcmp(r->str, "done") == 0)
		res = APPLY_DONE;
	else if (r->type == STORE_STRING && strcmp(r->str, "conflict") == 0)
		res = APPLY_CONFLICT;
	else if (r->type == STORE_ERROR)
		xasprintf(cause, "apply: %s: %s", a->opid, r->str);
	else
		xasprintf(cause, "apply: %s: unexpected reply", a->opid);
	store_reply_free(r);
	return res;
}

int
apply_seen(struct store *s, const char *opid, char **cause)
{
	struct store_reply *r;
	char *key;
	int rc;

	xasprintf(&key, "{hbm}:op:%s", opid);
	r = store_commandl(s, cause, "EXISTS", key, NULL);
	free(key);
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
