-- Chain new audit entries (store/audit.c): move them, oldest first,
-- from {hbm}:audit:new to {hbm}:audit with the hashes computed in C, and
-- trim them from {hbm}:audit:new in the same step. The first entry ever
-- chained has prev 64 zeros.
--
-- KEYS[1]  {hbm}:audit:new
-- KEYS[2]  {hbm}:audit
-- KEYS[3]  {hbm}:audit:head
-- ARGV     the head the hashes were computed from ("" when none), the id
--          of the last new entry they cover, the hashes (64 hex digits
--          each, concatenated)
--
-- Returns how many entries were chained, or 'conflict' when the head or
-- the oldest new entries are not what the caller read.

local head = redis.call('GET', KEYS[3]) or ''
if head ~= ARGV[1] then return 'conflict' end
local n = #ARGV[3] / 64
local es = redis.call('XRANGE', KEYS[1], '-', ARGV[2])
if #es ~= n then return 'conflict' end
local prev = head ~= '' and head or '0000000000000000000000000000000000000000000000000000000000000000'
for i, e in ipairs(es) do
  local h = string.sub(ARGV[3], 64 * i - 63, 64 * i)
  local f = e[2]
  f[#f + 1] = 'prev'
  f[#f + 1] = prev
  f[#f + 1] = 'hash'
  f[#f + 1] = h
  redis.call('XADD', KEYS[2], '*', unpack(f))
  prev = h
end
local ms, seq = string.match(ARGV[2], '^(%d+)-(%d+)$')
redis.call('XTRIM', KEYS[1], 'MINID', ms .. '-' .. (seq + 1))
redis.call('SET', KEYS[3], prev)
return n
