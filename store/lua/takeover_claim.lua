-- Claim a dead instance's pending entries (gateway/takeover.c): unless
-- the instance holds a lease, claim the consumer's entries idle long
-- enough (XCLAIM resets their idle time, so two instances never both
-- claim one), and remove the consumer once nothing is pending on it.
--
-- KEYS[1]  the stream
-- KEYS[2]  the dead instance's lease {hbm}:instance:<name>
-- ARGV     group, the dead consumer, the claiming one, min idle ms, count
--
-- Returns {-1, {}, 0} when the lease exists, else {claimed, entries,
-- removed}: how many were claimed, the XCLAIM reply, 1 when the consumer
-- was removed.

if redis.call('EXISTS', KEYS[2]) == 1 then
  return {-1, {}, 0}
end
local p = redis.call('XPENDING', KEYS[1], ARGV[1], 'IDLE',
  ARGV[4], '-', '+', ARGV[5], ARGV[2])
local got = {}
if #p > 0 then
  local ids = {}
  for i, e in ipairs(p) do ids[i] = e[1] end
  got = redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[3],
    ARGV[4], unpack(ids))
end
local gone = 0
if #redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1,
    ARGV[2]) == 0 then
  redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
  gone = 1
end
return {#got, got, gone}
