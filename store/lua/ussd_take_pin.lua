-- Count one PIN try (gateway/ussd_store.c) before the PIN is hashed. The
-- first try starts the lock-time window, the max-th restarts it as the
-- lock.
--
-- KEYS[1]  the counter {hbm}:ussd:pin:<number hash>
-- ARGV     lock time in ms, the most tries counted
--
-- Returns the new count, or -1 (nothing counted) when the most tries have
-- been counted already, i.e. the number is locked.

local max = tonumber(ARGV[2])
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n >= max then return -1 end
n = redis.call('INCR', KEYS[1])
if n == 1 or n == max then
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return n
