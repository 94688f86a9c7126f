-- Purge one closed case (gateway/retention.c): drop its personal fields
-- and mark it purged, in one step, so a case is never half purged.
--
-- KEYS[1]  the case {hbm}:case:<code>
-- KEYS[2]  {hbm}:closed
-- ARGV[1]  the code
--
-- Returns ZREM's reply: 1 when the code was still in {hbm}:closed.

redis.call('HDEL', KEYS[1], 'phone', 'num', 'note')
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], 'consent', '0', 'purged', '1')
end
return redis.call('ZREM', KEYS[2], ARGV[1])
