-- Take or renew the instance lease (gateway/lease.c): take the key when
-- it is free, renew it when it holds our value.
--
-- KEYS[1]  the lease {hbm}:instance:<name>
-- ARGV     our value, time to live in ms
--
-- Returns {1} when we hold it, else {0, its value, its PTTL}.

local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return {1}
end
if v == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {1}
end
return {0, v, redis.call('PTTL', KEYS[1])}
