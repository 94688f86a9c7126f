-- Compare and set a hash field (gateway/migrate.c).
--
-- KEYS[1]  a hash
-- ARGV     field, the value read, the new value
--
-- Returns 1 when set, 0 when the field no longer holds the value read.

if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
