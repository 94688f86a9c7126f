-- A fragment, not a script: the build puts it in front of the scripts
-- that queue SMS atomically with their own writes (apply.lua,
-- outbox_enqueue.lua; the Makefile's LUA_NEEDS_<name>), which then call
--
--   enqueue(to_sealed, to_hash, text, channel, kind, now_ms, ttl_s,
--     in_record)
--
-- with the number sealed by crypto_seal(), its crypto_phone_hash(), the
-- UTF-8 text, a configured channel name, the kind ("api", "reply",
-- "notify"), the time and the record's lifetime in seconds. It creates the
-- record {hbm}:msg:<id> (status queued, attempts 0), with no TTL of its
-- own: retention deletes it after ttl_s, found through the message log
-- (store/lua/retention_msgs.lua). It indexes it by number in
-- {hbm}:msgs:<to_hash>, which expires after ttl_s (unless in_record: the
-- caller indexes it in the number's record {hbm}:num:<to_hash>, which it
-- writes and keeps as long), and in the stream {hbm}:msglog (a script's
-- SMS are one entry), adds the id
-- to the channel's stream {hbm}:outbox:<channel> with the sealed number
-- and text (so that the sender of a new entry reads no record), and
-- returns the id. The id is
-- "m" followed by a number drawn from {hbm}:msgseq (below), at least
-- now_ms * 1000 when it is drawn (see docs/redis.md: a counter that a lost
-- AOF tail set back cannot hand out an id again).
-- One enqueue in 16 also drops the number index's entries older than ttl_s
-- (an index that stops growing expires whole; readers skip ids whose
-- record expired). The stream's entry for a script's ids from m<n> has the
-- id <n div 1000>-<n mod 1000>, so that a reader finds a message in it by
-- its id alone (the entry at or before it); retention deletes an entry
-- with the records it names, and nothing else trims the stream.
-- Ids only grow, so the entry id is
-- always above the stream's last; were it not (the counter set back by
-- hand), the entry is added with an id of Redis's choosing rather than
-- failing the script half way. The keys it writes are derived
-- here: the caller names one {hbm} key in KEYS so that Redis Cluster
-- routes the script to their slot.
--
-- The number index's ZADD and EXPIRE and the log's XADD wait (below)
-- until the script calls defer_flush_all(), which it must do before it
-- returns: the SMS of a batch to one number are one ZADD and one EXPIRE
-- of its index, and the batch's SMS one entry of the log.

-- Sorted sets that several operations of one script add to (an index of
-- cases, an agency's messages) get one ZADD of all the members and one
-- EXPIRE, made when something else is done to the key
-- (defer_flush(key)) or at the end (defer_flush_all()). Members added
-- twice keep the later score, as two ZADDs would; only the last EXPIRE
-- counts, as with two. Nothing in between sees the key, since a script
-- runs alone and reads none of them.
local defer_z, defer_e, defer_keys = {}, {}, {}
local function defer_zadd(key, score, member)
  local z = defer_z[key]
  if z then
    z[#z + 1] = score
    z[#z + 1] = member
  else
    defer_z[key] = { score, member }
    defer_keys[#defer_keys + 1] = key
  end
end
-- An EXPIRE of a key whose ZADD waits waits with it; of any other key it
-- is made at once.
local function defer_expire(key, ttl_s)
  if defer_z[key] then
    defer_e[key] = ttl_s
  else
    redis.call('EXPIRE', key, ttl_s)
  end
end
local function defer_flush(key)
  local z = defer_z[key]
  if not z then return end
  defer_z[key] = nil
  redis.call('ZADD', key, unpack(z))
  if defer_e[key] then
    redis.call('EXPIRE', key, defer_e[key])
    defer_e[key] = nil
  end
end
-- The message log's entries wait too: the SMS of one script (at most
-- log_run of them) are one entry, at the id of the first, with a field m
-- for each, oldest first. Their ids may have gaps (ids the script drew for
-- a case's history entries), never one another script drew: each draws
-- a block of its own.
local log_run = 100
local log_f, log_first = {}, nil
local function log_flush()
  if not log_first then return end
  local sid = string.format('%d-%d', math.floor(log_first / 1000),
    log_first % 1000)
  local r = redis.pcall('XADD', '{hbm}:msglog', sid, unpack(log_f))
  if type(r) == 'table' and r.err then
    redis.call('XADD', '{hbm}:msglog', '*', unpack(log_f))
  end
  log_f, log_first = {}, nil
end
local function log_add(seq, id)
  local n = #log_f / 2
  if log_first and n >= log_run then
    log_flush()
  end
  if not log_first then log_first = seq end
  log_f[#log_f + 1] = 'm'
  log_f[#log_f + 1] = id
end
local function defer_flush_all()
  for i = 1, #defer_keys do defer_flush(defer_keys[i]) end
  defer_keys = {}
  log_flush()
end

-- enqueue_seq(now_ms) draws the next id, as a number, for whatever else a
-- script names by one (apply.lua: a case's history entries); it counts
-- in enqueue_reserve() as an SMS does.
-- Ids are drawn in blocks: when the last block is used up, enqueue_block
-- of them are taken (a script that queues several SMS says how many it
-- may, enqueue_reserve(n), before its first enqueue()), raised as a whole
-- so that its first id is at least now_ms * 1000. The block from the
-- clock is written first, with one SET ... GET; only a counter that was
-- ahead of it (a burst, another instance's clock) is written again, the
-- block then following the counter. Ids a script drew and did not use
-- are never handed out: a gap, as an id expired.
local enqueue_block = 1
local seq_next, seq_last = 1, 0
local function enqueue_reserve(n) enqueue_block = n end
local function enqueue_seq(now_ms)
  if seq_next > seq_last then
    local n = enqueue_block > 0 and enqueue_block or 1
    local last = tonumber(now_ms) * 1000 + n - 1
    local old = tonumber(redis.call('SET', '{hbm}:msgseq',
      string.format('%d', last), 'GET'))
    if old and old + n > last then
      last = old + n
      redis.call('SET', '{hbm}:msgseq', string.format('%d', last))
    end
    seq_next, seq_last = last - n + 1, last
  end
  seq_next = seq_next + 1
  return seq_next - 1
end

local function enqueue(to_sealed, to_hash, text, channel, kind,
    now_ms, ttl_s, in_record)
  local seq = enqueue_seq(now_ms)
  local id = 'm' .. string.format('%d', seq)
  local key = '{hbm}:msg:' .. id
  local byto = '{hbm}:msgs:' .. to_hash
  local old = tonumber(now_ms) - tonumber(ttl_s) * 1000
  old = string.format('%d', old > 0 and old or 0)
  redis.call('HSET', key, 'to', to_sealed, 'text', text,
    'channel', channel, 'kind', kind, 'status', 'queued', 'attempts', '0',
    'created_ms', now_ms, 'updated_ms', now_ms)
  if not in_record then
    if seq % 16 == 0 then
      defer_flush(byto)
      redis.call('ZREMRANGEBYSCORE', byto, '-inf', '(' .. old)
    end
    defer_zadd(byto, now_ms, id)
    defer_expire(byto, ttl_s)
  end
  log_add(seq, id)
  redis.call('XADD', '{hbm}:outbox:' .. channel, '*', 'msg', id,
    'to', to_sealed, 'text', text)
  return id
end
