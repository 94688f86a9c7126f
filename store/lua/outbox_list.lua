-- The newest records of an index (gateway/outbox.c).
--
-- KEYS[1]  the index: {hbm}:msgs:<to_hash> or {hbm}:msgs:all (a zset of
--          ids), or {hbm}:dead (the dead letters' stream)
-- ARGV     how many, a status to match ("" any; in {hbm}:dead only dead
--          records count), an id to start after ("" the newest), how many
--          records to look at, at most
--
-- Returns {id, {field, value, ...}, ...}, expired records left out.

local want, status, after = tonumber(ARGV[1]), ARGV[2], ARGV[3]
local scan, dead = tonumber(ARGV[4]), KEYS[1] == '{hbm}:dead'
if dead then status = 'dead' end
local out, seen, looked = {}, {}, 0
local skipping = after ~= ''
local function take(id)
  if seen[id] then return end
  seen[id] = true
  if skipping then
    if id == after then skipping = false end
    return
  end
  looked = looked + 1
  local fv = redis.call('HGETALL', '{hbm}:msg:' .. id)
  if #fv == 0 then return end
  if status ~= '' then
    local st
    for i = 1, #fv, 2 do
      if fv[i] == 'status' then st = fv[i + 1] end
    end
    if st ~= status then return end
  end
  out[#out + 1] = id
  out[#out + 1] = fv
end
local start, from = 0, '+'
if not dead and after ~= '' then
  local r = redis.call('ZREVRANK', KEYS[1], after)
  if not r then return out end
  start, skipping = r + 1, false
end
while #out < 2 * want and looked < scan do
  local ids = {}
  if dead then
    local es = redis.call('XREVRANGE', KEYS[1], from, '-',
      'COUNT', 100)
    for _, e in ipairs(es) do
      local f = e[2]
      for i = 1, #f, 2 do
        if f[i] == 'msg' then ids[#ids + 1] = f[i + 1] end
      end
    end
    if #es > 0 then from = '(' .. es[#es][1] end
  else
    ids = redis.call('ZREVRANGE', KEYS[1], start, start + 99)
    start = start + 100
  end
  if #ids == 0 then break end
  for _, id in ipairs(ids) do
    if #out < 2 * want and looked < scan then take(id) end
  end
end
return out
