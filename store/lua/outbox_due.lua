-- Move due retries back to their stream (gateway/outbox_queue.c). Only
-- this channel's members move; ZREM decides, so two instances never both
-- move one.
--
-- KEYS[1]  {hbm}:retry, members "<channel>|<id>" scored by due ms
-- KEYS[2]  the channel's stream {hbm}:outbox:<channel>
-- ARGV     now_ms, channel, how many due members to look at
--
-- Returns how many moved.

local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1],
  'LIMIT', 0, tonumber(ARGV[3]))
local pre = ARGV[2] .. '|'
local n = 0
for _, m in ipairs(due) do
  if string.sub(m, 1, #pre) == pre and
      redis.call('ZREM', KEYS[1], m) == 1 then
    redis.call('XADD', KEYS[2], '*', 'msg', string.sub(m, #pre + 1))
    n = n + 1
  end
end
return n
