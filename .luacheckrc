-- luacheck's settings for the Redis scripts in store/lua/ (`make check`,
-- `make check-lua`). Redis runs them as Lua 5.1 with these globals and
-- libraries, and refuses any global a script would set.
std = "lua51"
read_globals = {
	"redis", "KEYS", "ARGV",
	"cjson", "cmsgpack", "bit", "struct",
}

-- store/lua/lib/enqueue.lua is a fragment: the build puts it in front of
-- the scripts that call its enqueue(), a local there (see the Makefile's
-- LUA_NEEDS_<name>). On its own nothing calls it; in a script that uses
-- it, it was defined before the script's first line.
files["store/lua/lib/enqueue.lua"] = {
	ignore = { "211/enqueue", "211/enqueue_reserve", "211/defer_zadd",
		"211/defer_expire", "211/defer_flush", "211/defer_flush_all" },
}
files["store/lua/apply.lua"] = { read_globals = { "enqueue", "enqueue_reserve",
	"enqueue_seq", "defer_zadd", "defer_expire", "defer_flush",
	"defer_flush_all" } }
files["store/lua/outbox_enqueue.lua"] = { read_globals = { "enqueue",
	"defer_flush_all" } }
