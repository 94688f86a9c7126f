-- Apply a batch of case operations (store/apply.c), each all or nothing.
-- The build puts lib/enqueue.lua in front of this file, so Redis numbers
-- this file's lines after the fragment's (the generated header says where
-- it starts).
--
-- KEYS[1]  the stream whose entries are acknowledged; then, per
--          operation, its op key, {hbm}:audit:new and the keys it touches
-- ARGV[1]  the number of operations
-- ARGV[2]  the consumer group ("" for none)
-- ARGV[3]  how long an op key is kept (seconds, APPLY_OP_TTL)
-- ARGV     then, per operation, a header: how many KEYS it has (after
--          those of the operations before it; the first is its op key, the
--          second {hbm}:audit:new), now_ms, msg_ttl, how many values its
--          guards take, how many values it has in all, and the stream
--          entry acknowledged as it is applied ("" for none: its op key
--          then tells whether it was); then its values: the guards first,
--          the other operations after, each an opcode and a fixed number
--          of fields, a key given as its index among the operation's
--          KEYS. The ARGV after the last operation are entries to
--          acknowledge in any case.
--
-- The values arrive as Redis's own strings: nothing is parsed here
-- (parsing one long string cost more than all the writes). Opcodes: g
-- guard (key, field, value), a absent (key), h HSET (key, field, value), i
-- HINCRBY (key, field, by), z ZADD (key, score, member), r ZREM (key,
-- member), d HDEL (key, field), p RPUSH (key, value), e EXPIRE (key,
-- seconds), s SMS (to_sealed, to_hash, text, channel, kind: enqueue()), m
-- a case's SMS (history key, the same five, role, who), l audit (subject,
-- actor, action, detail). Redis does not roll back a script that fails
-- half way, so the guards and a type check of every key written come
-- before the first write (once a call for a key, see known below), and
-- then the XACK of the operation's stream entry. The HSETs of one key are
-- one call, as are its RPUSHes (an HINCRBY or HDEL of the key comes after
-- the HSETs before it), each SMS queued before those RPUSHes so that a
-- case's SMS joins its history's RPUSH as an entry
-- {"t","who","what":"sms","to":role,"kind","msg":id} (no command of its
-- own when the operation writes that history anyway); then the expiries
-- (one a key, the last lifetime given), the SMS and the audit entries
-- (appended to {hbm}:audit:new, which store/audit.c chains); then the op
-- key, kept ARGV[3] seconds, of an operation with no stream entry.
--
-- Returns each operation's result: ok, done (applied before), conflict (a
-- guard failed) or "err:<why>".

local K, A = KEYS, ARGV
local arity = { g = 3, a = 1, h = 3, i = 3, z = 3, r = 2, d = 2,
  p = 2, e = 2, s = 5, m = 8, l = 4 }
local kind = { h = 'hash', i = 'hash', d = 'hash', z = 'zset', r = 'zset',
  p = 'list', m = 'list' }
local cmd = { h = 'HSET', p = 'RPUSH' }
-- Absent guards in a row are one EXISTS of all their keys.
local function guards(kb, i, gend, want)
  while i <= gend do
    local key = K[kb + tonumber(A[i + 1])]
    if A[i] == 'g' then
      local v = redis.pcall('HGET', key, A[i + 2])
      if type(v) == 'table' and v.err then
        return key .. ': ' .. v.err
      elseif (v or '') ~= A[i + 3] then
        return false
      end
      want[key] = 'hash'
      i = i + 4
    else
      local keys = {}
      while i <= gend and A[i] == 'a' do
        keys[#keys + 1] = K[kb + tonumber(A[i + 1])]
        i = i + 2
      end
      if redis.call('EXISTS', unpack(keys)) > 0 then return false end
      for _, k in ipairs(keys) do want[k] = 'none' end
    end
  end
  return true
end
-- Keys whose type this call has checked already: each holds nothing or
-- that type, and stays so, since every write here keeps to its key's
-- type. A key that many operations of a batch write (the SLA index, the
-- list of cases, an agency's open cases) is checked once a call.
local known = {}
local function check(kb, i, n, want)
  while i <= n do
    local o = A[i]
    local t = kind[o]
    if t then
      local key = K[kb + tonumber(A[i + 1])]
      local w = want[key]
      if not w and known[key] == t then
        want[key] = t
      elseif not w then
        local have = redis.call('TYPE', key).ok
        if have ~= 'none' and have ~= t then
          return key .. ': holds a ' .. have .. ', not a ' .. t
        end
        want[key] = t
        known[key] = t
      elseif w == 'none' then
        want[key] = t
      elseif w ~= t then
        return key .. ': used as ' .. w .. ' and ' .. t
      end
      if o == 'i' then
        local v = redis.call('HGET', key, A[i + 2])
        if v and not string.match(v, '^-?%d+$') then
          return key .. ': ' .. A[i + 2] .. ' is not an integer'
        end
      end
    end
    i = i + 1 + arity[o]
  end
end
local function write(kb, i, n, now, ttl)
  local runs, order, later = {}, {}, {}
  local function run(key, c)
    local r = runs[key]
    if not r then
      r = { cmd = c }
      runs[key] = r
      order[#order + 1] = key
    end
    return r
  end
  local function flush(key)
    local r = runs[key]
    if r then
      runs[key] = nil
      redis.call(r.cmd, key, unpack(r))
    end
  end
  while i <= n do
    local o = A[i]
    local key = kind[o] and K[kb + tonumber(A[i + 1])]
    if o == 'h' or o == 'p' then
      local r = run(key, cmd[o])
      for j = 2, arity[o] do r[#r + 1] = A[i + j] end
    elseif o == 'i' then
      flush(key)
      redis.call('HINCRBY', key, A[i + 2], A[i + 3])
    elseif o == 'z' then
      redis.call('ZADD', key, A[i + 2], A[i + 3])
    elseif o == 'r' then
      redis.call('ZREM', key, A[i + 2])
    elseif o == 'd' then
      flush(key)
      redis.call('HDEL', key, A[i + 2])
    else
      later[#later + 1] = i
    end
    i = i + 1 + arity[o]
  end
  for _, j in ipairs(later) do
    local o = A[j]
    if o == 's' then
      enqueue(A[j + 1], A[j + 2], A[j + 3], A[j + 4], A[j + 5], now, ttl)
    elseif o == 'm' then
      local id = enqueue(A[j + 2], A[j + 3], A[j + 4], A[j + 5],
        A[j + 6], now, ttl)
      local r = run(K[kb + tonumber(A[j + 1])], 'RPUSH')
      r[#r + 1] = string.format(
        '{"t":%s,"who":%s,"what":"sms","to":%s,"kind":%s,"msg":%s}',
        now, cjson.encode(A[j + 8]), cjson.encode(A[j + 7]),
        cjson.encode(A[j + 6]), cjson.encode(id))
    end
  end
  for _, key in ipairs(order) do flush(key) end
  -- one EXPIRE a key, with the last lifetime the operation gave it
  local ttl_of, ttl_order = {}, {}
  for _, j in ipairs(later) do
    if A[j] == 'e' then
      local key = K[kb + tonumber(A[j + 1])]
      if not ttl_of[key] then ttl_order[#ttl_order + 1] = key end
      ttl_of[key] = A[j + 2]
    end
  end
  for _, key in ipairs(ttl_order) do
    redis.call('EXPIRE', key, ttl_of[key])
  end
  for _, j in ipairs(later) do
    if A[j] == 'l' then
      redis.call('XADD', K[kb + 2], '*', 'ts', now, 'subject',
        A[j + 1], 'actor', A[j + 2], 'action', A[j + 3],
        'detail', A[j + 4])
    end
  end
end
-- An operation with a stream entry is applied once because its XACK is
-- the last check before the writes: the group's pending list holds the
-- entry until then, and an entry that whoever applied it acknowledged
-- already makes it done. One with none is applied once through its op
-- key.
local function apply(kb, h, entry)
  if not entry and redis.call('EXISTS', K[kb + 1]) == 1 then
    return 'done'
  end
  local gend = h + 5 + tonumber(A[h + 3])
  local n = h + 5 + tonumber(A[h + 4])
  local want = {}
  local ok = guards(kb, h + 6, gend, want)
  if not ok then return 'conflict' end
  if ok ~= true then return 'err:' .. ok end
  local why = check(kb, gend + 1, n, want)
  if why then return 'err:' .. why end
  if entry and redis.call('XACK', K[1], A[2], entry) == 0 then
    return 'done'
  end
  write(kb, gend + 1, n, A[h + 1], A[h + 2])
  if not entry then redis.call('SET', K[kb + 1], '1', 'EX', A[3]) end
  return 'ok'
end
-- How many SMS the batch may queue: enqueue() draws their ids with one
-- INCRBY.
local function count_sms()
  local n, h = 0, 4
  for _ = 1, tonumber(A[1]) do
    local i, last = h + 6, h + 5 + tonumber(A[h + 4])
    while i <= last do
      if A[i] == 's' or A[i] == 'm' then n = n + 1 end
      i = i + 1 + arity[A[i]]
    end
    h = last + 1
  end
  return n
end
enqueue_reserve(count_sms())
local out, acks, kb, h = {}, {}, 1, 4
for j = 1, tonumber(A[1]) do
  local entry = A[2] ~= '' and A[h + 5] ~= '' and A[h + 5] or nil
  out[j] = apply(kb, h, entry)
  kb = kb + tonumber(A[h])
  h = h + 6 + tonumber(A[h + 4])
end
for i = h, #A do acks[#acks + 1] = A[i] end
if A[2] ~= '' and #acks > 0 then
  redis.call('XACK', K[1], A[2], unpack(acks))
end
return out
