-- A script for tests/unit/test_store.c (not the gateway's): it checks that
-- store_eval() loads a script again after SCRIPT FLUSH.
--
-- KEYS[1]  a counter
-- ARGV[1]  what to add
--
-- Returns the counter's new value.

return redis.call('INCRBY', KEYS[1], ARGV[1])
