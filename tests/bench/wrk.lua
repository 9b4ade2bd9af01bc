-- tests/bench/wrk.lua: wrk's summary as one line that tests/bench/run reads.
--
--   wrk -t1 -c8 -d10s -s tests/bench/wrk.lua URL
--   WRK_LIMIT=10000 wrk -t1 -c8 -d600s -s tests/bench/wrk.lua URL
--
-- With WRK_LIMIT=N the run ends after N responses (a request count instead
-- of a duration; -d is then only the upper bound).  Use it with -t1: each
-- thread counts its own responses, and the first to reach N ends the run.
-- wrk's main thread sleeps for the whole -d, so ending early means sending
-- wrk the SIGINT that Ctrl-C would (wrk then reports as usual).  Without
-- WRK_LIMIT no response() callback is defined, so wrk runs at full speed
-- and does not hand bodies to Lua.
--
-- Prints: WRK requests=N duration_us=D p50_us=A p99_us=B max_us=C
--         non2xx=E sockerr=F
--
-- WRK_BODY_FILE=FILE makes every request a POST of FILE's bytes with
-- Content-Type: application/json (a batch signing request);
-- WRK_AUTHORIZATION=VALUE sends Authorization: VALUE (a Bearer token).

local limit = tonumber(os.getenv("WRK_LIMIT") or "")

local body_file = os.getenv("WRK_BODY_FILE")
if body_file and body_file ~= "" then
	local f = assert(io.open(body_file, "rb"))
	wrk.body = f:read("*a")
	f:close()
	wrk.method = "POST"
	wrk.headers["Content-Type"] = "application/json"
end
local authz = os.getenv("WRK_AUTHORIZATION")
if authz and authz ~= "" then
	wrk.headers["Authorization"] = authz
end

if limit and limit > 0 then
	local seen = 0
	function response(status, headers, body)
		seen = seen + 1
		if seen == limit then
			wrk.thread:stop()
			-- $PPID of this shell is wrk itself.  In the background:
			-- system() ignores SIGINT in wrk until the shell exits.
			os.execute("(sleep 0.05; kill -INT $PPID) &")
		end
	end
end

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
	    "WRK requests=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d non2xx=%d sockerr=%d\n",
	    summary.requests, summary.duration,
	    latency:percentile(50), latency:percentile(99), latency.max,
	    e.status, e.connect + e.read + e.write + e.timeout))
end
