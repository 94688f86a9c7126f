-- Delete the message records past privacy.message_days (gateway/retention.c).
-- A record {hbm}:msg:<id> has no TTL of its own: the message log lists
-- every id in the order they were drawn, each entry at the time of its
-- first (store/lua/lib/enqueue.lua), so the oldest entries name the
-- records to delete, and are deleted with them. A record already gone
-- (one of a version that set a TTL) is skipped.
--
-- KEYS[1]  {hbm}:msglog
-- ARGV     the last entry id to take (ms: now - message_days, less 1),
--          how many entries at most
--
-- Returns {records deleted, entries taken}.

local es = redis.call('XRANGE', KEYS[1], '-', ARGV[1], 'COUNT', ARGV[2])
local keys, ids, n = {}, {}, 0
for _, e in ipairs(es) do
  local f = e[2]
  for i = 1, #f - 1, 2 do
    if f[i] == 'm' then keys[#keys + 1] = '{hbm}:msg:' .. f[i + 1] end
  end
  -- at most log_run (100) ids an entry: a DEL of a few hundred keys
  if #keys >= 500 then
    n = n + redis.call('DEL', unpack(keys))
    keys = {}
  end
  ids[#ids + 1] = e[1]
end
if #keys > 0 then n = n + redis.call('DEL', unpack(keys)) end
if #ids > 0 then redis.call('XDEL', KEYS[1], unpack(ids)) end
return { n, #es }
