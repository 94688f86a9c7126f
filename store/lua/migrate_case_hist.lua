-- Move schema 2's history list of a case into the case's hash
-- (gateway/migrate.c, hbmgwd --migrate): entry i (from 1, oldest first)
-- becomes the field "h<i>", which sorts before every field a daemon
-- draws an id for (store/lua/apply.lua); then the list is deleted. A list
-- whose case is gone is deleted with nothing moved: no reader finds it.
--
-- KEYS[1]  {hbm}:case:<code>:hist (schema 2)
-- KEYS[2]  {hbm}:case:<code>
--
-- Returns how many entries were moved (0 when there is no such list), or
-- -1 for a list deleted with its case gone.

if redis.call('TYPE', KEYS[1]).ok ~= 'list' then return 0 end
local t = redis.call('TYPE', KEYS[2]).ok
if t == 'none' then
  redis.call('DEL', KEYS[1])
  return -1
elseif t ~= 'hash' then
  return redis.error_reply(KEYS[2] .. ': holds a ' .. t .. ', not a hash')
end
-- A long list goes in HSETs of 1000 entries: unpack() of many more
-- values overflows Lua's stack.
local h = redis.call('LRANGE', KEYS[1], 0, -1)
local args = {}
for i, e in ipairs(h) do
  args[#args + 1] = 'h' .. i
  args[#args + 1] = e
  if #args == 2000 or i == #h then
    redis.call('HSET', KEYS[2], unpack(args))
    args = {}
  end
end
redis.call('DEL', KEYS[1])
return #h
