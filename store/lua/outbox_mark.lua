-- A delivery report (gateway/outbox.c). delivered is final, and failed
-- never follows it; an unknown (expired) record is left alone.
--
-- KEYS[1]  the record {hbm}:msg:<id>
-- ARGV     status (delivered or failed), error ("" for none), now_ms
--
-- Returns 1 when the state changed, else 0.

local cur = redis.call('HGET', KEYS[1], 'status')
if not cur or cur == 'delivered' or cur == ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'updated_ms',
  ARGV[3])
if ARGV[2] ~= '' then
  redis.call('HSET', KEYS[1], 'error', ARGV[2])
end
return 1
