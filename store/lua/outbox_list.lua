-- The newest records of an index (gateway/outbox.c).
--
-- KEYS[1]  the index: {hbm}:msgs:<to_hash> (a zset of ids), {hbm}:msglog
--          (a stream, a field m for each id of a script's SMS, oldest
--          first, the entry from m<n> at <n div 1000>-<n mod 1000>) or
--          {hbm}:dead (the dead letters' stream, field msg)
-- KEYS[2]  with {hbm}:msgs:<to_hash>: the number's record
--          {hbm}:num:<to_hash>, whose fields m:<id> are the messages to it
--          that the zset does not hold (replies to what it sent); the two
--          are read in full (at most the records looked at, ARGV[4]) and
--          listed together by id. With {hbm}:msglog: {hbm}:msgs:all, the
--          zset of every id that versions before the stream kept, read
--          after the stream (its ids are all older) until retention has
--          emptied it
-- ARGV     how many, a status to match ("" any; in {hbm}:dead only dead
--          records count), an id to start after ("" the newest), how many
--          records to look at, at most
--
-- Returns {id, {field, value, ...}, ...}, expired records left out.

local want, status, after = tonumber(ARGV[1]), ARGV[2], ARGV[3]
local scan, dead = tonumber(ARGV[4]), KEYS[1] == '{hbm}:dead'
local log = KEYS[1] == '{hbm}:msglog'
local byto = not log and not dead and KEYS[2]
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
    -- the state: its delivery report's (dlr) where there is one
    local st, dlr
    for i = 1, #fv, 2 do
      if fv[i] == 'status' then st = fv[i + 1] end
      if fv[i] == 'dlr' then dlr = fv[i + 1] end
    end
    if (dlr or st) ~= status then return end
  end
  out[#out + 1] = id
  out[#out + 1] = fv
end
-- A number's messages: its zset's and its record's ids, newest first.
if byto then
  local ids = redis.call('ZREVRANGE', KEYS[1], 0, scan - 1)
  for _, f in ipairs(redis.call('HKEYS', byto)) do
    if string.sub(f, 1, 2) == 'm:' then ids[#ids + 1] = string.sub(f, 3) end
  end
  local n = {}
  for _, id in ipairs(ids) do n[id] = tonumber(string.sub(id, 2)) or 0 end
  table.sort(ids, function(x, y) return n[x] > n[y] end)
  for _, id in ipairs(ids) do
    if #out >= 2 * want or looked >= scan then break end
    take(id)
  end
  return out
end
-- An entry's ids, newest first, after those in ids.
local function entry_ids(ids, f, field)
  for i = #f - 1, 1, -2 do
    if f[i] == field then ids[#ids + 1] = f[i + 1] end
  end
  return ids
end
-- Where to start: the newest, or after the id given. In the message log
-- an id is in the entry at or before the one its number names, with the
-- older ids of its run; one the log lacks is looked for in the zset.
local zset = not log and not dead and KEYS[1] or nil
local start, from, first = 0, '+', {}
if log and after ~= '' then
  local n = tonumber(string.sub(after, 2)) or 0
  local sid = string.format('%d-%d', math.floor(n / 1000), n % 1000)
  local e = redis.call('XREVRANGE', KEYS[1], sid, '-', 'COUNT', 1)[1]
  local run = e and entry_ids({}, e[2], 'm') or {}
  for i, id in ipairs(run) do
    if id == after then
      from, skipping = '(' .. e[1], false
      first = { unpack(run, i + 1) }
      break
    end
  end
  if skipping then log, zset = false, KEYS[2] end
end
if zset and after ~= '' and skipping then
  local r = redis.call('ZREVRANK', zset, after)
  if not r then return out end
  start, skipping = r + 1, false
end
while #out < 2 * want and looked < scan do
  local ids = first
  first = {}
  if dead or log then
    local es = redis.call('XREVRANGE', KEYS[1], from, '-',
      'COUNT', 100)
    for _, e in ipairs(es) do entry_ids(ids, e[2], dead and 'msg' or 'm') end
    if #es > 0 then from = '(' .. es[#es][1] end
  else
    ids = redis.call('ZREVRANGE', zset, start, start + 99)
    start = start + 100
  end
  if #ids == 0 then
    if not log then break end
    -- the log is read to its oldest: the older ids are in the zset
    log, zset = false, KEYS[2]
  end
  for _, id in ipairs(ids) do
    if #out < 2 * want and looked < scan then take(id) end
  end
end
return out
