-- Trim the audit stream (store/audit.c, run by retention): the last
-- entry below the MINID becomes the chain's anchor.
--
-- KEYS[1]  {hbm}:audit
-- KEYS[2]  {hbm}:audit:anchor, set to "<id> <hash>"
-- ARGV[1]  the MINID
--
-- Returns how many entries were trimmed.

local last = redis.call('XREVRANGE', KEYS[1], '(' .. ARGV[1],
  '-', 'COUNT', 1)[1]
if not last then return 0 end
local f, hash = last[2], ''
for i = 1, #f - 1, 2 do
  if f[i] == 'hash' then hash = f[i + 1] end
end
local n = redis.call('XTRIM', KEYS[1], 'MINID', ARGV[1])
redis.call('SET', KEYS[2], last[1] .. ' ' .. hash)
return n
