-- The status and channel of some messages in one round trip
-- (gateway/case_sms.c: the SMS of a case's timeline).
--
-- KEYS     the message records {hbm}:msg:<id>
-- ARGV     none
--
-- Returns per record { status, channel }, false for each field missing:
-- both false when the record expired.

local out = {}
for i, k in ipairs(KEYS) do
  out[i] = redis.call('HMGET', k, 'status', 'channel')
end
return out
