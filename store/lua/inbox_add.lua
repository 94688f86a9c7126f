-- Append an inbound SMS to the inbox once (gateway/inbox.c). A repeat
-- rewrites the dedup key's deadline unchanged: a write on this connection
-- after the first copy's, so that a WAIT after it also covers the first
-- copy, whichever connection wrote it.
--
-- KEYS[1]  the dedup key
-- KEYS[2]  the inbox {hbm}:inbox
-- ARGV     the dedup key's lifetime in seconds, then the entry's field and
--          value pairs
--
-- Returns {entry id, 0} when appended, {the first copy's id, 1} for a
-- repeat.

local old = redis.call('GET', KEYS[1])
if old then
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
  return {old, 1}
end
local id = redis.call('XADD', KEYS[2], '*', unpack(ARGV, 2))
redis.call('SET', KEYS[1], id, 'EX', ARGV[1])
return {id, 0}
