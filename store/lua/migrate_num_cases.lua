-- Fold schema 1's sorted set of a number's cases into the number's record
-- (gateway/migrate.c, hbmgwd --migrate): each member, the newest ARGV[1]
-- of them (the most a record keeps, store/num.h), becomes the field
-- "c:<code>" with its score, the case's creation time; then the set is
-- deleted. A record made here takes the set's lifetime; one that was
-- there keeps its own, or the set's when that is longer. Fields already
-- there stay: a code in both has the same time in each.
--
-- KEYS[1]  {hbm}:num:<hash>:cases (schema 1)
-- KEYS[2]  {hbm}:num:<hash>
-- ARGV[1]  the most cases a record keeps
--
-- Returns how many cases were folded (0 when there is no such set).

if redis.call('TYPE', KEYS[1]).ok ~= 'zset' then return 0 end
local t = redis.call('TYPE', KEYS[2]).ok
if t ~= 'hash' and t ~= 'none' then
  return redis.error_reply(KEYS[2] .. ': holds a ' .. t .. ', not a hash')
end
local z = redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1,
  'WITHSCORES')
local ttl = redis.call('PTTL', KEYS[1])
local had = redis.call('PTTL', KEYS[2])
local args = {}
for i = 1, #z, 2 do
  args[#args + 1] = 'c:' .. z[i]
  args[#args + 1] = z[i + 1]
end
if #args > 0 then
  redis.call('HSET', KEYS[2], unpack(args))
  if (had == -2 and ttl > 0) or (had > 0 and ttl > had) then
    redis.call('PEXPIRE', KEYS[2], ttl)
  end
end
redis.call('DEL', KEYS[1])
return #z / 2
