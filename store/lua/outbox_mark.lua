-- A delivery report (gateway/outbox.c), kept in the record's field dlr,
-- apart from the senders' status: a report that comes before its sender
-- recorded the send is not overwritten by it, and the sender's first
-- write needs no read (outbox_commit.lua). The message's state is dlr
-- where there is one, else status. delivered is final, and failed never
-- follows it; an unknown (expired) record is left alone.
--
-- KEYS[1]  the record {hbm}:msg:<id>
-- ARGV     status (delivered or failed), error ("" for none), now_ms
--
-- Returns 1 when the state changed, else 0.

local f = redis.call('HMGET', KEYS[1], 'status', 'dlr')
local cur = f[2] or f[1]
if not f[1] or cur == 'delivered' or cur == ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'dlr', ARGV[1], 'updated_ms', ARGV[3])
if ARGV[2] ~= '' then
  redis.call('HSET', KEYS[1], 'error', ARGV[2])
end
return 1
