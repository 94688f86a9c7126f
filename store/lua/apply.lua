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
--          guards take, how many values it has in all, the stream entry
--          acknowledged as it is applied ("" for none: its op key then
--          tells whether it was), and how many ids it draws (one an
--          SMS, one a history entry); then its
--          values: the guards first, each an opcode, the index of its key
--          among the operation's KEYS and a fixed number of fields (g
--          guard: field, value; a absent: none); then its calls, in the
--          order they are made (store/apply_wire.c puts them so), each an
--          opcode, the index of its key (0: none), how many values follow
--          and those values. The ARGV after the last operation are
--          entries to acknowledge in any case.
--
-- The values arrive as Redis's own strings and go to Redis as they are,
-- with unpack(): nothing is parsed or gathered here (every value walked
-- costs Redis's one thread). Calls: H HSET (field, value, ...), I
-- HINCRBY (field, by), D HDEL (field), Z ZADD (score, member), R ZREM
-- (member), E EXPIRE (seconds), Y history entries (value, ...: its key
-- the case, whose H, later, gets each as the field "h<n>", <n> an id
-- drawn as enqueue() draws a message's), S SMS (to_sealed, to_hash, text,
-- channel, kind: enqueue(); its key, when not 0, is the number's record,
-- whose H, later, gets the field "m:<id>" = now_ms in place of
-- {hbm}:msgs:<to_hash>), M a case's SMS (its key the case; the same five,
-- then its history entry up to the message id, which the case's H, later,
-- gets closed with "\"<id>\"}" as the field "h<n>", m<n> the message's
-- id, then the index of the record that indexes it, as S's key), L XADD
-- (the operation's one
-- audit entry, last: "*", ts, now_ms, then subject, actor, action and
-- detail with their names for each line; its key {hbm}:audit:new, which
-- store/audit.c chains). Redis does not roll back a script that
-- fails half way, so the guards and a type check of every key written
-- come before the first write (once a call for a key, see known below),
-- and then the XACK of the operation's stream entry; the op key, kept
-- ARGV[3] seconds, of an operation with no stream entry is set last.
--
-- Returns each operation's result: ok, done (applied before), conflict (a
-- guard failed) or "err:<why>".

local K, A = KEYS, ARGV
local kind = { H = 'hash', I = 'hash', D = 'hash', Z = 'zset', R = 'zset',
  Y = 'hash', M = 'hash' }
local cmd = { H = 'HSET', I = 'HINCRBY', D = 'HDEL', Z = 'ZADD',
  R = 'ZREM', E = 'EXPIRE', L = 'XADD' }
-- Absent guards in a row are one EXISTS of all their keys.
local function guards(kb, i, gend, want)
  while i <= gend do
    local key = K[kb + tonumber(A[i + 1])]
    if A[i] == 'g' then
      defer_flush(key)
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
        defer_flush(keys[#keys])
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
        defer_flush(key)
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
      if o == 'I' then
        local v = redis.call('HGET', key, A[i + 3])
        if v and not string.match(v, '^-?%d+$') then
          return key .. ': ' .. A[i + 3] .. ' is not an integer'
        end
      end
    end
    i = i + 3 + tonumber(A[i + 2])
  end
end
-- The calls, in order. A history entry or an SMS leaves what it adds to
-- other keys (a case's history field, a field of the record that indexes
-- it) for the HSET of that key, which comes after it (any left, the
-- script's own fault, are written at the end). A ZADD, and an EXPIRE of a key
-- with a ZADD waiting, waits for the batch's others to that key
-- (defer_zadd in lib/enqueue.lua): the SLA index, the list of cases and
-- an agency's open cases take one ZADD a batch, not one a case. Any other
-- call to the key makes it first.
local function write(kb, i, n, now, ttl)
  local extra = {}
  local function add(k, ...)
    local e = extra[k] or {}
    extra[k] = e
    for _, v in ipairs({ ... }) do e[#e + 1] = v end
  end
  while i <= n do
    local o, k, c = A[i], tonumber(A[i + 1]), tonumber(A[i + 2])
    local j = i + 3
    if o == 'Y' then
      for z = j, j + c - 1 do
        add(k, string.format('h%d', enqueue_seq(now)), A[z])
      end
    elseif o == 'S' or o == 'M' then
      local at = o == 'S' and k or tonumber(A[j + 6])
      local id = enqueue(A[j], A[j + 1], A[j + 2], A[j + 3], A[j + 4],
        now, ttl, at > 0)
      if o == 'M' then
        add(k, 'h' .. string.sub(id, 2), A[j + 5] .. '"' .. id .. '"}')
      end
      if at > 0 then add(at, 'm:' .. id, now) end
    elseif o == 'Z' then
      for z = j, j + c - 1, 2 do defer_zadd(K[kb + k], A[z], A[z + 1]) end
    elseif o == 'E' then
      defer_expire(K[kb + k], A[j])
    elseif o == 'H' and extra[k] then
      defer_flush(K[kb + k])
      local v = { unpack(A, j, j + c - 1) }
      for _, e in ipairs(extra[k]) do v[#v + 1] = e end
      extra[k] = nil
      redis.call('HSET', K[kb + k], unpack(v))
    elseif c > 0 then
      defer_flush(K[kb + k])
      redis.call(cmd[o], K[kb + k], unpack(A, j, j + c - 1))
    end
    i = j + c
  end
  for k, e in pairs(extra) do redis.call('HSET', K[kb + k], unpack(e)) end
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
  local gend = h + 6 + tonumber(A[h + 3])
  local n = h + 6 + tonumber(A[h + 4])
  local want = {}
  local ok = guards(kb, h + 7, gend, want)
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
-- The batch's ids, as the headers count them (its SMS and history
-- entries): enqueue_seq() draws them with one SET (two when the counter is
-- ahead of the clock).
local sms, h = 0, 4
for _ = 1, tonumber(A[1]) do
  sms = sms + tonumber(A[h + 6])
  h = h + 7 + tonumber(A[h + 4])
end
enqueue_reserve(sms)
local out, acks, kb = {}, {}, 1
h = 4
for j = 1, tonumber(A[1]) do
  local entry = A[2] ~= '' and A[h + 5] ~= '' and A[h + 5] or nil
  out[j] = apply(kb, h, entry)
  kb = kb + tonumber(A[h])
  h = h + 7 + tonumber(A[h + 4])
end
defer_flush_all()
for i = h, #A do acks[#acks + 1] = A[i] end
if A[2] ~= '' and #acks > 0 then
  redis.call('XACK', K[1], A[2], unpack(acks))
end
return out
