-- Queue one SMS (gateway/outbox.c, outbox_enqueue()). The build puts
-- lib/enqueue.lua in front of this file, so Redis numbers this file's
-- lines after the fragment's (the generated header says where it starts).
--
-- KEYS[1]  {hbm}:msgseq, only to route the script to the {hbm} slot
-- ARGV     enqueue()'s arguments: to_sealed, to_hash, text, channel, kind,
--          now_ms, ttl_s
--
-- Returns the new message id.

local id = enqueue(ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5],
    ARGV[6], ARGV[7])
defer_flush_all()
return id
