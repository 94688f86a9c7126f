-- Queue a dead or failed message again (gateway/outbox.c), on its own
-- channel or another.
--
-- KEYS[1]  the record {hbm}:msg:<id>
-- ARGV     now_ms, the channel ("" its own)
--
-- Returns {status} when it was neither dead nor failed ({"gone"} when it
-- expired), else {"requeued", channel}.

local f = redis.call('HMGET', KEYS[1], 'status', 'channel')
if not f[1] then return {'gone'} end
if f[1] ~= 'dead' and f[1] ~= 'failed' then return {f[1]} end
local ch = ARGV[2] ~= '' and ARGV[2] or f[2]
redis.call('HSET', KEYS[1], 'status', 'queued', 'since_ms',
  ARGV[1], 'updated_ms', ARGV[1], 'channel', ch)
redis.call('XADD', '{hbm}:outbox:' .. ch, '*', 'msg',
  string.sub(KEYS[1], 11))
return {'requeued', ch}
