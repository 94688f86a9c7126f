-- SPDX-License-Identifier: GPL-2.0-or-later
-- wrk script for bench/run.sh: every request is a distinct message.
--
--   wrk ... -s bench/load.lua URL -- MODE TOKEN NONCE [USER PASSWORD]
--
-- MODE "inbound": POST /v1/inbound/sms {"from","to","text","id"} with the
-- channel TOKEN, a HELP FOOD from a new number each time (so that
-- limits.cases_per_day never bites) with a new external id.
-- MODE "messages": POST /v1/messages {"to","text"} with the admin TOKEN.
-- MODE "kannel": GET /cgi-bin/sendsms?username=&password=&from=&to=&text=
-- (Kannel's smsbox) with USER and PASSWORD.
-- MODE "sink": POST what hbmgwd's json channel posts, to the sink.
--
-- Numbers are +2567T followed by 7 digits, T the wrk thread (1-9): never an
-- agency, official or coordinator phone of the bench config (+25670...).
-- done() prints one line that run.sh reads:
--   wrk-result requests=N non2xx=N errors=N duration_s=S p50_ms=X p99_ms=Y

local threads = {}

function setup(thread)
	thread:set("tid", #threads + 1)
	table.insert(threads, thread)
end

function init(args)
	mode = args[1] or "inbound"
	token = args[2] or ""
	nonce = args[3] or tostring(os.time())
	user = args[4] or ""
	password = args[5] or ""
	seq = 0
	headers = { ["Content-Type"] = "application/json",
		["Authorization"] = "Bearer " .. token }
end

function request()
	seq = seq + 1
	local num = string.format("2567%d%07d", tid % 10, seq % 10000000)
	if mode == "inbound" then
		local body = string.format('{"from":"+%s","to":"1234",' ..
			'"text":"HELP FOOD near gate %d","id":"%s-%d-%d"}',
			num, seq % 10, nonce, tid, seq)
		return wrk.format("POST", "/v1/inbound/sms", headers, body)
	elseif mode == "sink" then
		local body = string.format('{"id":"m%d","to":"+%s",' ..
			'"text":"Your request 4821-3957 (food) is received.",' ..
			'"channel":"sink"}', seq, num)
		return wrk.format("POST", "/send", headers, body)
	elseif mode == "messages" then
		local body = string.format('{"to":"+%s","text":' ..
			'"Distribution at gate 3 tomorrow from 9:00"}', num)
		return wrk.format("POST", "/v1/messages", headers, body)
	end
	return wrk.format("GET", "/cgi-bin/sendsms?username=" .. user ..
		"&password=" .. password .. "&from=1234&to=%2B" .. num ..
		"&text=Distribution+at+gate+3+tomorrow+from+9%3A00")
end

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("wrk-result requests=%d non2xx=%d errors=%d " ..
		"duration_s=%.3f p50_ms=%.2f p99_ms=%.2f\n",
		summary.requests, e.status,
		e.connect + e.read + e.write + e.timeout,
		summary.duration / 1e6, latency:percentile(50) / 1000,
		latency:percentile(99) / 1000))
end
