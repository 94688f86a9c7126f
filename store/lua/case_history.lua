-- A case's history (store/case.c): its hash's fields "h<n>", in the order
-- of <n> (the ids apply.lua drew for them, which only grow; "h1", "h2"...
-- for the entries hbmgwd --migrate moved from a list of schema 2).
--
-- KEYS[1]  the case {hbm}:case:<code>
-- ARGV[1]  how many entries at most: the first ones
--
-- Returns the entries (JSON), oldest first; none for no such case.

local fv = redis.call('HGETALL', KEYS[1])
local n, at = {}, {}
for i = 1, #fv, 2 do
  local seq = string.match(fv[i], '^h(%d+)$')
  if seq then
    n[#n + 1] = tonumber(seq)
    at[n[#n]] = fv[i + 1]
  end
end
table.sort(n)
local out = {}
for i = 1, math.min(#n, tonumber(ARGV[1])) do out[i] = at[n[i]] end
return out
