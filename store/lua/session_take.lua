-- Count one sign-in try of a login (gateway/api_session.c).
--
-- KEYS[1]  the login's try counter
-- ARGV[1]  lock time, ms
-- ARGV[2]  tries allowed
--
-- Returns the new count, or -1 (nothing counted) when the tries allowed
-- have been counted already: the login is locked.

local max = tonumber(ARGV[2])
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n >= max then return -1 end
n = redis.call('INCR', KEYS[1])
if n == 1 or n == max then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return n
