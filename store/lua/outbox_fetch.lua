-- The sending fields of some message records (gateway/outbox_queue.c).
--
-- KEYS[1]  {hbm}:msgseq, only to route the script to the {hbm} slot
-- ARGV     message ids
--
-- Returns {to, text, state, attempts} per id, the state its delivery
-- report's (dlr) where there is one, else its status; false (nil) values
-- for a record that expired.

local out = {}
for i, id in ipairs(ARGV) do
  local f = redis.call('HMGET', '{hbm}:msg:' .. id, 'to', 'text',
    'status', 'attempts', 'dlr')
  out[i] = { f[1], f[2], f[5] or f[3], f[4] }
end
return out
