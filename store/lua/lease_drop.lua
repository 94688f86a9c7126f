-- Drop the instance lease (gateway/lease.c), only if it is ours.
--
-- KEYS[1]  the lease {hbm}:instance:<name>
-- ARGV[1]  our value
--
-- Returns 1 when deleted, else 0.

if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
