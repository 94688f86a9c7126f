-- The status and channel of some messages in one round trip
-- (gateway/case_sms.c: the SMS of a case's timeline).
--
-- KEYS     the message records {hbm}:msg:<id>
-- ARGV     none
--
-- Returns per record { state, channel }, the state its delivery report's
-- (dlr) where there is one, else its status; false for each field
-- missing: both false when the record expired.

local out = {}
for i, k in ipairs(KEYS) do
  local f = redis.call('HMGET', k, 'status', 'channel', 'dlr')
  out[i] = { f[3] or f[1], f[2] }
end
return out
