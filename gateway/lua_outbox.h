/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The outbox's Lua (5.1, as Redis runs it) and the Redis layout it keeps.
 * Every key carries the hash tag {hbm}, so on Redis Cluster they share one
 * slot; scripts that build key names inside name one such key in KEYS so
 * they are routed there. Times are ms since the epoch, passed in by the
 * caller so scripts stay deterministic; ARGV values arrive as strings.
 *
 *   {hbm}:msgseq                 counter; message ids are "m" .. INCR,
 *                                raised to now_ms * 1000 when below it
 *   {hbm}:msg:<id>               hash: to (sealed), to_hash, text, channel,
 *                                kind, status (queued, sent, failed,
 *                                delivered), attempts, created_ms,
 *                                updated_ms, error; expires
 *   {hbm}:msgs:<to_hash>         zset of ids by created_ms; expires
 *   {hbm}:outbox:<channel>       stream of {msg = <id>}; group "send"
 *   {hbm}:retry                  zset of "<channel>|<id>" by due ms
 *   {hbm}:dead                   stream of {msg, channel, error}
 *   {hbm}:ref:<channel>:<ref>    the id of the message the channel knows
 *                                by <ref> (delivery reports); expires
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
 * expiring after ttl_s, adds the id to the channel's stream, and returns
 * the id. The id is at least now_ms * 1000 (see docs/redis.md: a counter
 * that a lost AOF tail set back cannot hand out an id again). One enqueue
 * in 16 also drops the index's entries older than
 * ttl_s (an index that stops growing expires whole; readers skip ids
 * whose record expired), which keeps a busy number's index bounded
 * without a trim on every message.
 */
#define LUA_ENQUEUE                                                          \
	"local function enqueue(to_sealed, to_hash, text, channel, kind,\n"  \
	"    now_ms, ttl_s)\n"                                               \
	"  local seq = redis.call('INCR', '{hbm}:msgseq')\n"                 \
	"  local floor = tonumber(now_ms) * 1000\n"                          \
	"  if seq < floor then\n"                                            \
	"    seq = floor\n"                                                  \
	"    redis.call('SET', '{hbm}:msgseq', string.format('%d', seq))\n"  \
	"  end\n"                                                            \
	"  local id = 'm' .. string.format('%d', seq)\n"                     \
	"  local key = '{hbm}:msg:' .. id\n"                                 \
	"  local byto = '{hbm}:msgs:' .. to_hash\n"                          \
	"  redis.call('HSET', key, 'to', to_sealed, 'to_hash', to_hash,\n"   \
	"    'text', text, 'channel', channel, 'kind', kind,\n"              \
	"    'status', 'queued', 'attempts', '0',\n"                         \
	"    'created_ms', now_ms, 'updated_ms', now_ms)\n"                  \
	"  redis.call('EXPIRE', key, ttl_s)\n"                               \
	"  if seq % 16 == 0 then\n"                                          \
	"    redis.call('ZREMRANGEBYSCORE', byto, '-inf',\n"                 \
	"      '(' .. (tonumber(now_ms) - tonumber(ttl_s) * 1000))\n"        \
	"  end\n"                                                            \
	"  redis.call('ZADD', byto, now_ms, id)\n"                           \
	"  redis.call('EXPIRE', byto, ttl_s)\n"                              \
	"  redis.call('XADD', '{hbm}:outbox:' .. channel, '*', 'msg', id)\n" \
	"  return id\n"                                                      \
	"end\n"

/*
 * Records the outcome of a batch of sends, acknowledging and deleting each
 * stream entry in the same step. KEYS: stream, {hbm}:retry, {hbm}:dead;
 * ARGV: now_ms, attempts allowed, channel, reference lifetime in seconds,
 * then five values per entry: entry id, message id, outcome, a, b:
 *
 *   sent     a = the channel's message reference or "": attempts + 1, status
 *            sent unless a delivery report already moved it on, error
 *            cleared, {hbm}:ref:<channel>:<a> -> id
 *   fail     a = error, b = retry due ms: attempts + 1; below the allowance
 *            the message waits in {hbm}:retry, else failed and dead-lettered
 *            ({hbm}:dead keeps about 100000)
 *   dead     a = error: failed and dead-lettered now
 *   handoff  a = error, b = another channel: attempts + 1, queued there
 *   drop     nothing left to do
 *
 * A record that expired is not recreated. Returns {outcome, attempts} per
 * entry, outcome one of sent, retry, failed, handoff, dropped, gone.
 */
#define LUA_OUTBOX_COMMIT                                                        \
	"local now, allowed, channel = ARGV[1], tonumber(ARGV[2]), ARGV[3]\n"    \
	"local out, eids = {}, {}\n"                                             \
	"local function dead(key, id, err)\n"                                    \
	"  redis.call('HSET', key, 'status', 'failed')\n"                        \
	"  redis.call('XADD', KEYS[3], 'MAXLEN', '~', '100000', '*',\n"          \
	"    'msg', id, 'channel', channel, 'error', err)\n"                     \
	"end\n"                                                                  \
	"for i = 5, #ARGV, 5 do\n"                                               \
	"  local eid, id, op = ARGV[i], ARGV[i + 1], ARGV[i + 2]\n"              \
	"  local a, b = ARGV[i + 3], ARGV[i + 4]\n"                              \
	"  local key = '{hbm}:msg:' .. id\n"                                     \
	"  local outcome, n = 'gone', 0\n"                                       \
	"  local st = op ~= 'drop' and redis.call('HGET', key, 'status')\n"      \
	"  if op == 'drop' then\n"                                               \
	"    outcome = 'dropped'\n"                                              \
	"  elseif st then\n"                                                     \
	"    n = redis.call('HINCRBY', key, 'attempts', 1)\n"                    \
	"    if op == 'sent' then\n"                                             \
	"      if st == 'queued' then\n"                                         \
	"        redis.call('HSET', key, 'updated_ms', now, 'status', 'sent')\n" \
	"      else\n"                                                           \
	"        redis.call('HSET', key, 'updated_ms', now)\n"                   \
	"      end\n"                                                            \
	"      if n > 1 then redis.call('HDEL', key, 'error') end\n"             \
	"      if a ~= '' then\n"                                                \
	"        redis.call('SET', '{hbm}:ref:' .. channel .. ':' .. a, id,\n"   \
	"          'EX', ARGV[4])\n"                                             \
	"      end\n"                                                            \
	"      outcome = 'sent'\n"                                               \
	"    elseif op == 'handoff' then\n"                                      \
	"      redis.call('HSET', key, 'updated_ms', now, 'error', a,\n"         \
	"        'channel', b)\n"                                                \
	"      redis.call('XADD', '{hbm}:outbox:' .. b, '*', 'msg', id)\n"       \
	"      outcome = 'handoff'\n"                                            \
	"    else\n"                                                             \
	"      redis.call('HSET', key, 'updated_ms', now, 'error', a)\n"         \
	"      if op == 'fail' and n < allowed then\n"                           \
	"        redis.call('ZADD', KEYS[2], b, channel .. '|' .. id)\n"         \
	"        outcome = 'retry'\n"                                            \
	"      else\n"                                                           \
	"        dead(key, id, a)\n"                                             \
	"        outcome = 'failed'\n"                                           \
	"      end\n"                                                            \
	"    end\n"                                                              \
	"  end\n"                                                                \
	"  eids[#eids + 1] = eid\n"                                              \
	"  out[#out + 1] = outcome\n"                                            \
	"  out[#out + 1] = n\n"                                                  \
	"end\n"                                                                  \
	"if #eids > 0 then\n"                                                    \
	"  redis.call('XACK', KEYS[1], '" LUA_OUTBOX_GROUP                       \
	"', unpack(eids))\n"                                                     \
	"  redis.call('XDEL', KEYS[1], unpack(eids))\n"                          \
	"end\n"                                                                  \
	"return out\n"

/*
 * The sending fields of some records. KEYS: {hbm}:msgseq (for routing);
 * ARGV: message ids. Returns {to, text, status, attempts} per id, with
 * false (nil) values for a record that expired.
 */
#define LUA_OUTBOX_FETCH                                                     \
	"local out = {}\n"                                                   \
	"for i, id in ipairs(ARGV) do\n"                                     \
	"  out[i] = redis.call('HMGET', '{hbm}:msg:' .. id, 'to', 'text',\n" \
	"    'status', 'attempts')\n"                                        \
	"end\n"                                                              \
	"return out\n"

/*
 * A delivery report. KEYS: record; ARGV: status (delivered or failed),
 * error, now_ms. delivered is final, and failed never follows it; an
 * unknown (expired) record is left alone. Returns 1 when the state changed.
 */
#define LUA_OUTBOX_MARK                                                  \
	"local cur = redis.call('HGET', KEYS[1], 'status')\n"            \
	"if not cur or cur == 'delivered' or cur == ARGV[1] then\n"      \
	"  return 0\n"                                                   \
	"end\n"                                                          \
	"redis.call('HSET', KEYS[1], 'status', ARGV[1], 'updated_ms',\n" \
	"  ARGV[3])\n"                                                   \
	"if ARGV[2] ~= '' then\n"                                        \
	"  redis.call('HSET', KEYS[1], 'error', ARGV[2])\n"              \
	"end\n"                                                          \
	"return 1\n"

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
