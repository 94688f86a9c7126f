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
 *                                delivered, dead), attempts, created_ms,
 *                                updated_ms, since_ms (when requeued),
 *                                error; expires
 *   {hbm}:msgs:<to_hash>         zset of ids by created_ms; expires
 *   {hbm}:msgs:all               zset of every recent id by created_ms
 *   {hbm}:outbox:<channel>       stream of {msg = <id>}; group "send"
 *   {hbm}:retry                  zset of "<channel>|<id>" by due ms
 *   {hbm}:dead                   stream of {msg, channel, error, reason}
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
	"  if seq % 64 == 0 then\n"                                          \
	"    redis.call('ZREMRANGEBYSCORE', '{hbm}:msgs:all', '-inf',\n"     \
	"      '(' .. (tonumber(now_ms) - tonumber(ttl_s) * 1000))\n"        \
	"  end\n"                                                            \
	"  redis.call('ZADD', '{hbm}:msgs:all', now_ms, id)\n"               \
	"  redis.call('XADD', '{hbm}:outbox:' .. channel, '*', 'msg', id)\n" \
	"  return id\n"                                                      \
	"end\n"

/*
 * Records the outcome of a batch of sends, acknowledging and deleting each
 * stream entry in the same step. KEYS: stream, {hbm}:retry, {hbm}:dead;
 * ARGV: now_ms, the channel's retry_max_age in ms, channel, reference
 * lifetime in seconds, then five values per entry: entry id, message id,
 * outcome, a, b:
 *
 *   sent     a = the channel's message reference or "": attempts + 1, status
 *            sent unless a delivery report already moved it on, error
 *            cleared, {hbm}:ref:<channel>:<a> -> id
 *   fail     a = error, b = retry due ms: attempts + 1; while the message is
 *            younger than retry_max_age (counted from since_ms, set when it
 *            is requeued, else created_ms) it waits in {hbm}:retry, due no
 *            later than its expiry; else it is dead and dead-lettered
 *            ({hbm}:dead keeps about 100000)
 *   wait     b = due ms: back to {hbm}:retry, no attempt spent (the
 *            channel is down and nothing else can send it)
 *   dead     a = error: dead and dead-lettered now
 *   handoff  a = error, b = another channel: attempts + 1, queued there
 *   move     b = another channel: queued there, no attempt spent (the
 *            channel is down)
 *   drop     nothing left to do
 *
 * A record that expired is not recreated. Returns {outcome, attempts} per
 * entry, outcome one of sent, retry, waiting, dead, expired, handoff,
 * moved, dropped, gone.
 */
#define LUA_OUTBOX_COMMIT                                                         \
	"local now, maxage, channel = tonumber(ARGV[1]), tonumber(ARGV[2]),\n"    \
	"  ARGV[3]\n"                                                             \
	"local out, eids = {}, {}\n"                                              \
	"local function dead(key, id, err, reason)\n"                             \
	"  redis.call('HSET', key, 'status', 'dead')\n"                           \
	"  redis.call('XADD', KEYS[3], 'MAXLEN', '~', '100000', '*',\n"           \
	"    'msg', id, 'channel', channel, 'error', err, 'reason', reason)\n"    \
	"end\n"                                                                   \
	"for i = 5, #ARGV, 5 do\n"                                                \
	"  local eid, id, op = ARGV[i], ARGV[i + 1], ARGV[i + 2]\n"               \
	"  local a, b = ARGV[i + 3], ARGV[i + 4]\n"                               \
	"  local key = '{hbm}:msg:' .. id\n"                                      \
	"  local outcome, n = 'gone', 0\n"                                        \
	"  local f = op ~= 'drop' and\n"                                          \
	"    redis.call('HMGET', key, 'status', 'created_ms', 'since_ms',\n"      \
	"      'attempts')\n"                                                     \
	"  local st = f and f[1]\n"                                               \
	"  if op == 'drop' then\n"                                                \
	"    outcome = 'dropped'\n"                                               \
	"  elseif st and op == 'wait' then\n"                                     \
	"    redis.call('ZADD', KEYS[2], b, channel .. '|' .. id)\n"              \
	"    n = tonumber(f[4]) or 0\n"                                           \
	"    outcome = 'waiting'\n"                                               \
	"  elseif st and op == 'move' then\n"                                     \
	"    redis.call('HSET', key, 'updated_ms', now, 'channel', b)\n"          \
	"    redis.call('XADD', '{hbm}:outbox:' .. b, '*', 'msg', id)\n"          \
	"    n = tonumber(f[4]) or 0\n"                                           \
	"    outcome = 'moved'\n"                                                 \
	"  elseif st then\n"                                                      \
	"    n = redis.call('HINCRBY', key, 'attempts', 1)\n"                     \
	"    if op == 'sent' then\n"                                              \
	"      if st == 'queued' then\n"                                          \
	"        redis.call('HSET', key, 'updated_ms', now, 'status', 'sent')\n"  \
	"      else\n"                                                            \
	"        redis.call('HSET', key, 'updated_ms', now)\n"                    \
	"      end\n"                                                             \
	"      if n > 1 then redis.call('HDEL', key, 'error') end\n"              \
	"      if a ~= '' then\n"                                                 \
	"        redis.call('SET', '{hbm}:ref:' .. channel .. ':' .. a, id,\n"    \
	"          'EX', ARGV[4])\n"                                              \
	"      end\n"                                                             \
	"      outcome = 'sent'\n"                                                \
	"    elseif op == 'handoff' then\n"                                       \
	"      redis.call('HSET', key, 'updated_ms', now, 'error', a,\n"          \
	"        'channel', b)\n"                                                 \
	"      redis.call('XADD', '{hbm}:outbox:' .. b, '*', 'msg', id)\n"        \
	"      outcome = 'handoff'\n"                                             \
	"    else\n"                                                              \
	"      redis.call('HSET', key, 'updated_ms', now, 'error', a)\n"          \
	"      local ends = (tonumber(f[3]) or tonumber(f[2]) or now) + maxage\n" \
	"      if op == 'fail' and now < ends then\n"                             \
	"        local due = tonumber(b)\n"                                       \
	"        if due > ends then due = ends end\n"                             \
	"        redis.call('ZADD', KEYS[2], due, channel .. '|' .. id)\n"        \
	"        outcome = 'retry'\n"                                             \
	"      elseif op == 'fail' then\n"                                        \
	"        dead(key, id, a, 'expired')\n"                                   \
	"        outcome = 'expired'\n"                                           \
	"      else\n"                                                            \
	"        dead(key, id, a, 'undeliverable')\n"                             \
	"        outcome = 'dead'\n"                                              \
	"      end\n"                                                             \
	"    end\n"                                                               \
	"  end\n"                                                                 \
	"  eids[#eids + 1] = eid\n"                                               \
	"  out[#out + 1] = outcome\n"                                             \
	"  out[#out + 1] = n\n"                                                   \
	"end\n"                                                                   \
	"if #eids > 0 then\n"                                                     \
	"  redis.call('XACK', KEYS[1], '" LUA_OUTBOX_GROUP                        \
	"', unpack(eids))\n"                                                      \
	"  redis.call('XDEL', KEYS[1], unpack(eids))\n"                           \
	"end\n"                                                                   \
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
 * The newest records of an index. KEYS: the index, {hbm}:msgs:<to_hash>
 * or {hbm}:msgs:all (a zset of ids), or {hbm}:dead (the dead letters);
 * ARGV: how many, a status to match ("" any; in {hbm}:dead only dead
 * records count), an id to start after ("" the newest), how many records
 * to look at, at most. Returns {id, {field, value, ...}, ...}, expired
 * records left out.
 */
#define LUA_OUTBOX_LIST                                                     \
	"local want, status, after = tonumber(ARGV[1]), ARGV[2], ARGV[3]\n" \
	"local scan, dead = tonumber(ARGV[4]), KEYS[1] == '{hbm}:dead'\n"   \
	"if dead then status = 'dead' end\n"                                \
	"local out, seen, looked = {}, {}, 0\n"                             \
	"local skipping = after ~= ''\n"                                    \
	"local function take(id)\n"                                         \
	"  if seen[id] then return end\n"                                   \
	"  seen[id] = true\n"                                               \
	"  if skipping then\n"                                              \
	"    if id == after then skipping = false end\n"                    \
	"    return\n"                                                      \
	"  end\n"                                                           \
	"  looked = looked + 1\n"                                           \
	"  local fv = redis.call('HGETALL', '{hbm}:msg:' .. id)\n"          \
	"  if #fv == 0 then return end\n"                                   \
	"  if status ~= '' then\n"                                          \
	"    local st\n"                                                    \
	"    for i = 1, #fv, 2 do\n"                                        \
	"      if fv[i] == 'status' then st = fv[i + 1] end\n"              \
	"    end\n"                                                         \
	"    if st ~= status then return end\n"                             \
	"  end\n"                                                           \
	"  out[#out + 1] = id\n"                                            \
	"  out[#out + 1] = fv\n"                                            \
	"end\n"                                                             \
	"local start, from = 0, '+'\n"                                      \
	"if not dead and after ~= '' then\n"                                \
	"  local r = redis.call('ZREVRANK', KEYS[1], after)\n"              \
	"  if not r then return out end\n"                                  \
	"  start, skipping = r + 1, false\n"                                \
	"end\n"                                                             \
	"while #out < 2 * want and looked < scan do\n"                      \
	"  local ids = {}\n"                                                \
	"  if dead then\n"                                                  \
	"    local es = redis.call('XREVRANGE', KEYS[1], from, '-',\n"      \
	"      'COUNT', 100)\n"                                             \
	"    for _, e in ipairs(es) do\n"                                   \
	"      local f = e[2]\n"                                            \
	"      for i = 1, #f, 2 do\n"                                       \
	"        if f[i] == 'msg' then ids[#ids + 1] = f[i + 1] end\n"      \
	"      end\n"                                                       \
	"    end\n"                                                         \
	"    if #es > 0 then from = '(' .. es[#es][1] end\n"                \
	"  else\n"                                                          \
	"    ids = redis.call('ZREVRANGE', KEYS[1], start, start + 99)\n"   \
	"    start = start + 100\n"                                         \
	"  end\n"                                                           \
	"  if #ids == 0 then break end\n"                                   \
	"  for _, id in ipairs(ids) do\n"                                   \
	"    if #out < 2 * want and looked < scan then take(id) end\n"      \
	"  end\n"                                                           \
	"end\n"                                                             \
	"return out\n"

/*
 * Queue a dead or failed message again. KEYS: its record; ARGV: now_ms,
 * the channel ("" its own). Returns {status} when it was neither (or
 * {"gone"}), else {"requeued", channel}.
 */
#define LUA_OUTBOX_REQUEUE                                                \
	"local f = redis.call('HMGET', KEYS[1], 'status', 'channel')\n"   \
	"if not f[1] then return {'gone'} end\n"                          \
	"if f[1] ~= 'dead' and f[1] ~= 'failed' then return {f[1]} end\n" \
	"local ch = ARGV[2] ~= '' and ARGV[2] or f[2]\n"                  \
	"redis.call('HSET', KEYS[1], 'status', 'queued', 'since_ms',\n"   \
	"  ARGV[1], 'updated_ms', ARGV[1], 'channel', ch)\n"              \
	"redis.call('XADD', '{hbm}:outbox:' .. ch, '*', 'msg',\n"         \
	"  string.sub(KEYS[1], 11))\n"                                    \
	"return {'requeued', ch}\n"

#endif
