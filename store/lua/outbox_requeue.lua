-- Queue a dead or failed message again (gateway/outbox.c), on its own
-- channel or another.
--
-- KEYS[1]  the record {hbm}:msg:<id>
-- ARGV     now_ms, the channel ("" its own)
--
-- Returns {status} when it was neither dead nor failed ({"gone"} when it
-- expired), else {"requeued", channel}.

local f = redis.call('HMGET', KEYS[1], 'status', 'channel', 'dlr')
if not f[1] then return {'gone'} end
local st = f[3] or f[1]
if st ~= 'dead' and st ~= 'failed' then return {st} end
local ch = ARGV[2] ~= '' and ARGV[2] or f[2]
redis.call('HSET', KEYS[1], 'status', 'queued', 'since_ms',
  ARGV[1], 'updated_ms', ARGV[1], 'channel', ch)
-- the report of the send before is not this one's
if f[3] then redis.call('HDEL', KEYS[1], 'dlr') end
redis.call('XADD', '{hbm}:outbox:' .. ch, '*', 'msg',
  string.sub(KEYS[1], 11))
return {'requeued', ch}
