-- Write a new console session (gateway/api_session.c).
--
-- KEYS[1]  the session {hbm}:session:<hash>
-- ARGV[1]  login
-- ARGV[2]  CSRF token
-- ARGV[3]  created, ms
-- ARGV[4]  idle lifetime, ms
--
-- Returns 1.

redis.call('HSET', KEYS[1], 'login', ARGV[1], 'csrf', ARGV[2],
  'created_ms', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
