-- Read some records in one round trip (gateway/inbox.c: the senders'
-- records of a batch).
--
-- KEYS     the records (hashes)
-- ARGV     none
--
-- Returns the HGETALL of each.

local out = {}
for i, k in ipairs(KEYS) do
  out[i] = redis.call('HGETALL', k)
end
return out
