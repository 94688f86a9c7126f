-- Read a console session and refresh it (gateway/api_session.c).
--
-- KEYS[1]  the session {hbm}:session:<hash>
-- ARGV[1]  now, ms
-- ARGV[2]  idle lifetime, ms
-- ARGV[3]  longest lifetime, ms
--
-- Returns {login, csrf}, or false when there is none or it is past its
-- last moment (then deleted).

local v = redis.call('HMGET', KEYS[1], 'login', 'csrf', 'created_ms')
if not v[1] or not v[2] or not v[3] then return false end
local left = tonumber(v[3]) + tonumber(ARGV[3]) - tonumber(ARGV[1])
if left <= 0 then
  redis.call('DEL', KEYS[1])
  return false
end
local ttl = tonumber(ARGV[2])
if left < ttl then ttl = left end
redis.call('PEXPIRE', KEYS[1], ttl)
return {v[1], v[2]}
