-- Record the outcome of a batch of sends (gateway/outbox_queue.c),
-- acknowledging and deleting each stream entry in the same step.
--
-- KEYS[1]  the channel's stream {hbm}:outbox:<channel>
-- KEYS[2]  {hbm}:retry
-- KEYS[3]  {hbm}:dead
-- ARGV     now_ms, the channel's retry_max_age in ms, channel, reference
--          lifetime in seconds, then five values per entry: entry id,
--          message id, outcome, a, b:
--
--   sent     a = the channel's message reference or "": attempts + 1,
--            status sent, error cleared, {hbm}:ref:<channel>:<a> -> id; a
--            delivery report that came first stays, in its own field
--            (outbox_mark.lua). b = "0" for the first send of a message
--            its entry carried, young and never tried: the record is
--            written without being read (one HSET), and deleted again
--            should that HSET have made it (it had expired); else ""
--   fail     a = error, b = retry due ms: attempts + 1; while the message
--            is younger than retry_max_age (counted from since_ms, set
--            when it is requeued, else created_ms) it waits in
--            {hbm}:retry, due no later than its expiry; else it is dead
--            and dead-lettered ({hbm}:dead keeps about 100000)
--   wait     b = due ms: back to {hbm}:retry, no attempt spent (the
--            channel is down and nothing else can send it)
--   dead     a = error: dead and dead-lettered now
--   handoff  a = error, b = another channel: attempts + 1, queued there
--   move     b = another channel: queued there, no attempt spent (the
--            channel is down)
--   drop     nothing left to do
--
-- A record that expired is not recreated. The entries are acknowledged in
-- the senders' consumer group, "send". Returns {outcome, attempts} per
-- entry, outcome one of sent, retry, waiting, dead, expired, handoff,
-- moved, dropped, gone.

local now, maxage, channel = tonumber(ARGV[1]), tonumber(ARGV[2]),
  ARGV[3]
local out, eids = {}, {}
local function dead(id, err, reason)
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', '100000', '*',
    'msg', id, 'channel', channel, 'error', err, 'reason', reason)
end
-- The channel's reference R of message ID, for its delivery reports.
local function ref(r, id)
  if r ~= '' then
    redis.call('SET', '{hbm}:ref:' .. channel .. ':' .. r, id, 'EX', ARGV[4])
  end
end
for i = 5, #ARGV, 5 do
  local eid, id, op = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local a, b = ARGV[i + 3], ARGV[i + 4]
  local key = '{hbm}:msg:' .. id
  local outcome, n = 'gone', 0
  local first = op == 'sent' and b == '0'
  local f = op ~= 'drop' and not first and
    redis.call('HMGET', key, 'status', 'created_ms', 'since_ms',
      'attempts')
  local st = f and f[1]
  if op == 'drop' then
    outcome = 'dropped'
  elseif first then
    -- every record has these fields from its enqueue: HSET adds none
    if redis.call('HSET', key, 'updated_ms', now, 'attempts', 1,
        'status', 'sent') > 0 then
      redis.call('DEL', key)
    else
      ref(a, id)
      outcome, n = 'sent', 1
    end
  elseif st and op == 'wait' then
    redis.call('ZADD', KEYS[2], b, channel .. '|' .. id)
    n = tonumber(f[4]) or 0
    outcome = 'waiting'
  elseif st and op == 'move' then
    redis.call('HSET', key, 'updated_ms', now, 'channel', b)
    redis.call('XADD', '{hbm}:outbox:' .. b, '*', 'msg', id)
    n = tonumber(f[4]) or 0
    outcome = 'moved'
  elseif st then
    -- the attempt is counted in the same HSET as the outcome
    n = (tonumber(f[4]) or 0) + 1
    local set = { 'updated_ms', now, 'attempts', n }
    local function put(...)
      for _, v in ipairs({ ... }) do set[#set + 1] = v end
      redis.call('HSET', key, unpack(set))
    end
    if op == 'sent' then
      if st == 'queued' then put('status', 'sent') else put() end
      if n > 1 then redis.call('HDEL', key, 'error') end
      ref(a, id)
      outcome = 'sent'
    elseif op == 'handoff' then
      put('error', a, 'channel', b)
      redis.call('XADD', '{hbm}:outbox:' .. b, '*', 'msg', id)
      outcome = 'handoff'
    else
      local ends = (tonumber(f[3]) or tonumber(f[2]) or now) + maxage
      if op == 'fail' and now < ends then
        put('error', a)
        local due = tonumber(b)
        if due > ends then due = ends end
        redis.call('ZADD', KEYS[2], due, channel .. '|' .. id)
        outcome = 'retry'
      else
        put('error', a, 'status', 'dead')
        dead(id, a, op == 'fail' and 'expired' or 'undeliverable')
        outcome = op == 'fail' and 'expired' or 'dead'
      end
    end
  end
  eids[#eids + 1] = eid
  out[#out + 1] = outcome
  out[#out + 1] = n
end
if #eids > 0 then
  redis.call('XACK', KEYS[1], 'send', unpack(eids))
  redis.call('XDEL', KEYS[1], unpack(eids))
end
return out
