-- Compare and set a list element (gateway/migrate.c).
--
-- KEYS[1]  a list
-- ARGV     index, the value read, the new value
--
-- Returns 1 when set, 0 when the element no longer holds the value read.

if redis.call('LINDEX', KEYS[1], ARGV[1]) ~= ARGV[2] then
  return 0
end
redis.call('LSET', KEYS[1], ARGV[1], ARGV[3])
return 1
