-- The sending fields of some message records (gateway/outbox_queue.c).
--
-- KEYS[1]  {hbm}:msgseq, only to route the script to the {hbm} slot
-- ARGV     message ids
--
-- Returns {to, text, status, attempts} per id, with false (nil) values for
-- a record that expired.

local out = {}
for i, id in ipairs(ARGV) do
  out[i] = redis.call('HMGET', '{hbm}:msg:' .. id, 'to', 'text',
    'status', 'attempts')
end
return out
