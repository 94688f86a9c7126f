-- Append an inbound SMS to the inbox once (gateway/inbox.c). The entry is
-- added first and its dedup key set in the same step only where none is
-- (SET NX GET): a new message costs one XADD and one SET. A repeat finds
-- the first copy's id there and deletes the entry it added; those two
-- writes on this connection come after the first copy's, so that a WAIT
-- after them also covers the first copy, whichever connection wrote it.
-- The entry was never delivered: the group reads past it.
--
-- KEYS[1]  the dedup key
-- KEYS[2]  the inbox {hbm}:inbox
-- ARGV     the dedup key's lifetime in seconds, then the entry's field and
--          value pairs
--
-- Returns {entry id, 0} when appended, {the first copy's id, 1} for a
-- repeat.

local id = redis.call('XADD', KEYS[2], '*', unpack(ARGV, 2))
local old = redis.pcall('SET', KEYS[1], id, 'NX', 'GET', 'EX', ARGV[1])
if type(old) == 'table' and old.err then
  redis.call('XDEL', KEYS[2], id)
  return redis.error_reply(KEYS[1] .. ': ' .. old.err)
end
if old then
  redis.call('XDEL', KEYS[2], id)
  return {old, 1}
end
return {id, 0}
