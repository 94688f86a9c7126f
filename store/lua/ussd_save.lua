-- Save a USSD session whole (gateway/ussd_store.c): every field and the
-- time to live in one step.
--
-- KEYS[1]  the session {hbm}:ussd:s:<hex>
-- ARGV     time to live in ms, st, mig, path, ans, end
--
-- Returns 1.

redis.call('HSET', KEYS[1], 'st', ARGV[2], 'mig', ARGV[3],
    'path', ARGV[4], 'ans', ARGV[5], 'end', ARGV[6])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
