/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The outbox's Lua (5.1, as Redis runs it) and the Redis layout it keeps.
 * Every key carries the hash tag {hbm}, so on Redis Cluster they share one
 * slot; scripts that build key names inside name one such key in KEYS so
 * they are routed there. Times are ms since the epoch, passed in by the
 * caller so scripts stay deterministic; ARGV values arrive as strings.
 *
 *   {hbm}:msgseq                 counter; message ids are "m" .. INCR
 *   {hbm}:msg:<id>               hash: to (sealed), to_hash, text, channel,
 *                                kind, status (queued, sent, failed,
 *                                delivered), attempts, created_ms,
 *                                updated_ms, error; expires
 *   {hbm}:msgs:<to_hash>         zset of ids by created_ms; expires
 *   {hbm}:outbox:<channel>       stream of {msg = <id>}; group "send"
 *   {hbm}:retry                  zset of "<channel>|<id>" by due ms
 *   {hbm}:dead                   stream of {msg, channel, error}
 *
 * A stream entry is acknowledged and deleted by the same script that
 * records what became of its message.
 */
#ifndef HBM_GATEWAY_LUA_OUTBOX_H
#define HBM_GATEWAY_LUA_OUTBOX_H

#define LUA_OUTBOX_GROUP "send" /* the senders' consumer group */

/*
 * A fragment for scripts that queue SMS atomically with their own writes:
 * prepend it and call
 *
 *   enqueue(to_sealed, to_hash, text, channel, kind, now_ms, ttl_s)
 *
 * with the number sealed by crypto_seal(), its crypto_phone_hash(), the
 * UTF-8 text, a configured channel name, the kind ("api", "reply",
 * "notify"), the time and the record's lifetime in seconds. It creates the
 * record (status queued, attempts 0) and indexes it by number, both
 * expiring after ttl_s (index entries older than that are dropped), adds
 * the id to the channel's stream, and returns the id.
 */
#define LUA_ENQUEUE                                                          \
	"local function enqueue(to_sealed, to_hash, text, channel, kind,\n"  \
	"    now_ms, ttl_s)\n"                                               \
	"  local id = 'm' .. redis.call('INCR', '{hbm}:msgseq')\n"           \
	"  local key = '{hbm}:msg:' .. id\n"                                 \
	"  local byto = '{hbm}:msgs:' .. to_hash\n"                          \
	"  redis.call('HSET', key, 'to', to_sealed, 'to_hash', to_hash,\n"   \
	"    'text', text, 'channel', channel, 'kind', kind,\n"              \
	"    'status', 'queued', 'attempts', '0',\n"                         \
	"    'created_ms', now_ms, 'updated_ms', now_ms)\n"                  \
	"  redis.call('EXPIRE', key, ttl_s)\n"                               \
	"  redis.call('ZREMRANGEBYSCORE', byto, '-inf',\n"                   \
	"    '(' .. (tonumber(now_ms) - tonumber(ttl_s) * 1000))\n"          \
	"  redis.call('ZADD', byto, now_ms, id)\n"                           \
	"  redis.call('EXPIRE', byto, ttl_s)\n"                              \
	"  redis.call('XADD', '{hbm}:outbox:' .. channel, '*', 'msg', id)\n" \
	"  return id\n"                                                      \
	"end\n"

/*
 * Sent. KEYS: record, stream; ARGV: entry id, now_ms. Status sent,
 * attempts + 1, error cleared (an expired record is not recreated); the
 * entry acknowledged and deleted. Returns 1.
 */
#define LUA_OUTBOX_SENT                                                  \
	"if redis.call('EXISTS', KEYS[1]) == 1 then\n"                   \
	"  redis.call('HINCRBY', KEYS[1], 'attempts', 1)\n"              \
	"  redis.call('HSET', KEYS[1], 'status', 'sent',\n"              \
	"    'updated_ms', ARGV[2])\n"                                   \
	"  redis.call('HDEL', KEYS[1], 'error')\n"                       \
	"end\n"                                                          \
	"redis.call('XACK', KEYS[2], '" LUA_OUTBOX_GROUP "', ARGV[1])\n" \
	"redis.call('XDEL', KEYS[2], ARGV[1])\n"                         \
	"return 1\n"

/*
 * A failed attempt. KEYS: record, stream, {hbm}:retry, {hbm}:dead; ARGV:
 * entry id, now_ms, error, attempts allowed, retry due ms, message id,
 * channel. attempts + 1 and the error recorded; below the allowance the
 * message waits in {hbm}:retry until due, else it is marked failed and
 * dead-lettered ({hbm}:dead keeps about 100000). The entry is acknowledged
 * and deleted. Returns {"retry" | "failed" | "gone" (no record), attempts}.
 */
#define LUA_OUTBOX_FAIL                                                         \
	"local n = 0\n"                                                         \
	"local outcome = 'gone'\n"                                              \
	"if redis.call('EXISTS', KEYS[1]) == 1 then\n"                          \
	"  n = redis.call('HINCRBY', KEYS[1], 'attempts', 1)\n"                 \
	"  redis.call('HSET', KEYS[1], 'updated_ms', ARGV[2],\n"                \
	"    'error', ARGV[3])\n"                                               \
	"  if n >= tonumber(ARGV[4]) then\n"                                    \
	"    redis.call('HSET', KEYS[1], 'status', 'failed')\n"                 \
	"    redis.call('XADD', KEYS[4], 'MAXLEN', '~', '100000', '*',\n"       \
	"      'msg', ARGV[6], 'channel', ARGV[7], 'error', ARGV[3])\n"         \
	"    outcome = 'failed'\n"                                              \
	"  else\n"                                                              \
	"    redis.call('ZADD', KEYS[3], ARGV[5], ARGV[7] .. '|' .. ARGV[6])\n" \
	"    outcome = 'retry'\n"                                               \
	"  end\n"                                                               \
	"end\n"                                                                 \
	"redis.call('XACK', KEYS[2], '" LUA_OUTBOX_GROUP "', ARGV[1])\n"        \
	"redis.call('XDEL', KEYS[2], ARGV[1])\n"                                \
	"return {outcome, n}\n"

/* An entry with nothing left to do. KEYS: stream; ARGV: entry id. */
#define LUA_OUTBOX_DROP                                                  \
	"redis.call('XACK', KEYS[1], '" LUA_OUTBOX_GROUP "', ARGV[1])\n" \
	"return redis.call('XDEL', KEYS[1], ARGV[1])\n"

/*
 * Due retries back to their stream. KEYS: {hbm}:retry, stream; ARGV:
 * now_ms, channel, how many due members to look at. Only this channel's
 * members move; ZREM decides, so two instances never both move one.
 * Returns how many moved.
 */
#define LUA_OUTBOX_DUE                                                           \
	"local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1],\n"    \
	"  'LIMIT', 0, tonumber(ARGV[3]))\n"                                     \
	"local pre = ARGV[2] .. '|'\n"                                           \
	"local n = 0\n"                                                          \
	"for _, m in ipairs(due) do\n"                                           \
	"  if string.sub(m, 1, #pre) == pre and\n"                               \
	"      redis.call('ZREM', KEYS[1], m) == 1 then\n"                       \
	"    redis.call('XADD', KEYS[2], '*', 'msg', string.sub(m, #pre + 1))\n" \
	"    n = n + 1\n"                                                        \
	"  end\n"                                                                \
	"end\n"                                                                  \
	"return n\n"

/*
 * The newest records to one number. KEYS: {hbm}:msgs:<to_hash>; ARGV: how
 * many. Returns {id, {field, value, ...}, ...}, expired records left out.
 */
#define LUA_OUTBOX_LIST                                            \
	"local ids = redis.call('ZREVRANGE', KEYS[1], 0,\n"        \
	"  tonumber(ARGV[1]) - 1)\n"                               \
	"local out = {}\n"                                         \
	"for _, id in ipairs(ids) do\n"                            \
	"  local fv = redis.call('HGETALL', '{hbm}:msg:' .. id)\n" \
	"  if #fv > 0 then\n"                                      \
	"    out[#out + 1] = id\n"                                 \
	"    out[#out + 1] = fv\n"                                 \
	"  end\n"                                                  \
	"end\n"                                                    \
	"return out\n"

#endif
