-- Delete inbox entries the dispatchers are done with (gateway/migrate.c):
-- those the group has delivered and that are not pending.
--
-- KEYS[1]  the inbox {hbm}:inbox
-- ARGV     the group, then entry ids
--
-- Returns how many were deleted (0 when the stream or group is missing).

local last
local ok, gs = pcall(redis.call, 'XINFO', 'GROUPS', KEYS[1])
if not ok then return 0 end
for _, g in ipairs(gs) do
  local name, id
  for i = 1, #g - 1, 2 do
    if g[i] == 'name' then name = g[i + 1] end
    if g[i] == 'last-delivered-id' then id = g[i + 1] end
  end
  if name == ARGV[1] then last = id end
end
if not last then return 0 end
local function parse(s)
  local ms, seq = string.match(s, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local lms, lseq = parse(last)
local n = 0
for i = 2, #ARGV do
  local ms, seq = parse(ARGV[i])
  if ms and (ms < lms or (ms == lms and seq <= lseq)) and
     #redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i],
       1) == 0 then
    n = n + redis.call('XDEL', KEYS[1], ARGV[i])
  end
end
return n
