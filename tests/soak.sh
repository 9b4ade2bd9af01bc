#!/bin/bash
# Soak: SOAK_REQUESTS (default 500,000) signature requests through nginx to
# ossign under spawn-fcgi (SOAK_WORKERS, default 4), with STS credentials
# that live 200 s and STS faults injected part of the time:
#  - cold: no credentials yet and STS failing in every way (http500,
#    throttle, garbage, partial, close, nopermission, then one hang that a
#    retry gets past): only the documented 502/503 JSON errors, then 200;
#  - warm: nothing injected (the RSS baseline is taken at its end);
#  - fresh: every failure mode in turn while the credentials are fresh:
#    all 200, and not one AssumeRole call;
#  - stale: STS hangs across the refresh point: the refresh fails, every
#    request is still answered 200 with the cached credentials, and nothing
#    asks STS again during the 30 s hold;
#  - refresh: after the hold, two HTTP 500s and a success: new credentials;
#  - topup: the rest of the requests at full speed.
# Every 200 answer carries a (AccessKeyId, SecurityToken) pair the STS
# emulator issued, a policy expiration at or before the credentials' and
# at least a minute before it; sampled answers verify with the issued
# secret.  The workers are the same processes at the end and their RSS has
# grown by less than SOAK_RSS_KIB (512) since the warm phase.
#
# SOAK_SKIP=1 skips it.
#
# The credential lifetime sets the length (about 150 s whatever the count):
# ossign refreshes no earlier than half-way through a credential's life and
# never signs with less than a minute left, so the 30 s hold after a failed
# refresh needs a life of about 200 s.  SOAK_REQUESTS only sets the load.
. "${top_srcdir:-.}/tests/lib/stack.sh"
[ -z "${SOAK_SKIP:-}" ] || skip_all "SOAK_SKIP is set (tests/run-all's distcheck: the soak ran in build/ and build-asan/)"
need_ossign
need wrk nginx spawn-fcgi curl python3 openssl
stack_have_sts || skip_all "the STS emulator cannot run (node_modules missing: npm ci)"
plan 26

N=${SOAK_REQUESTS:-500000}
W=${SOAK_WORKERS:-4}
RSS_KIB=${SOAK_RSS_KIB:-512}
C=8		# wrk connections
LIFE=200	# credential lifetime (s); refreshed at half of it
RETRIES=2	# ossign.conf "retries": 1 + RETRIES tries per refresh
T0=${EPOCHREALTIME/./}

# ---- helpers -------------------------------------------------------------

# ms: the wall clock in milliseconds.
ms() {
	local t=${EPOCHREALTIME/./}
	echo $((t / 1000))
}

# emu PATH [JSON]: an admin endpoint of the STS emulator.
emu() {
	if [ $# -gt 1 ]; then
		curl -s -m 5 --cacert "$STACK_CA" -X POST -H 'Content-Type: application/json' \
		    -d "$2" "$STACK_STS_URL/_emu/$1"
	else
		curl -s -m 5 --cacert "$STACK_CA" "$STACK_STS_URL/_emu/$1"
	fi
}

# emu_stat NAME: a top-level counter of /_emu/stats (AssumeRole, injected...).
emu_stat() {
	emu stats | grep -o "\"$1\":[0-9][0-9]*" | head -n1 | cut -d: -f2
}

# fault MODE [COUNT]: inject MODE into the next COUNT AssumeRole calls
# (-1: until the next fault).
fault() {
	local r
	r=$(emu fail "{\"mode\":\"$1\",\"count\":${2:--1},\"action\":\"AssumeRole\"}")
	case $r in
	*'"ok":true'*) echo "$(($(ms) - T0 / 1000)) ms: fault $1 ${2:--1}" >>"$T/timeline" ;;
	*) bail_out "the STS emulator refused fault $1: $r" ;;
	esac
}

# issued: how many credentials the emulator has issued (its ledger).
issued() {
	local f n=0
	for f in "$STACK_STATE"/issued/*.json; do
		[ -e "$f" ] && n=$((n + 1))
	done
	echo "$n"
}

# partial: the AccessKeyIds the emulator issued but sent without their
# secret ("partial" fault): in the ledger, never usable.  In $T/partial.
partial() {
	grep -o 'injected=partial issued=[^ ]*' "$STACK_DIR/sts.log" | cut -d= -f3 |
	    sort -u >"$T/partial"
	cat "$T/partial"
}

# usable: how many complete credentials the emulator has sent.
usable() {
	echo $(($(issued) - $(partial | wc -l)))
}

# ledger_akids: the complete credentials' AccessKeyIds, oldest first.
ledger_akids() {
	partial >/dev/null
	python3 - "$STACK_STATE" "$T/partial" <<'EOF'
import glob, json, sys
skip = set(open(sys.argv[2]).read().split())
rows = []
for f in glob.glob(sys.argv[1] + "/issued/*.json"):
    with open(f) as fh:
        e = json.load(fh)
    if e["AccessKeyId"] not in skip:
        rows.append((e["Issued"], e["AccessKeyId"]))
for _, a in sorted(rows):
    print(a)
EOF
}

# exp_epoch AKID: the Expiration of an issued credential, in seconds.
exp_epoch() {
	python3 - "$STACK_STATE/issued/$1.json" <<'EOF'
import json, sys, datetime
e = json.load(open(sys.argv[1]))["Expiration"]
print(int(datetime.datetime.strptime(e, "%Y-%m-%dT%H:%M:%SZ")
          .replace(tzinfo=datetime.timezone.utc).timestamp()))
EOF
}

# sample: one signature request with curl now and then (at most one a
# second), its answer kept for the ledger check at the end.
NSAMPLE=0
LAST_SAMPLE=0
PHASE=
sample() {
	local now st q
	now=$(ms)
	[ $((now - LAST_SAMPLE)) -ge 1000 ] || return 0
	LAST_SAMPLE=$now
	NSAMPLE=$((NSAMPLE + 1))
	case $((NSAMPLE % 3)) in
	0) q="filename=sample$NSAMPLE.txt" ;;
	1) q="upload=images&filename=s$NSAMPLE.png&content_type=image/png&size=2048" ;;
	2) q="" ;;
	esac
	st=$(curl -s -m 30 -o "$T/samples/$NSAMPLE.json" -w '%{http_code}' "$STACK_SIGN_URL?$q")
	echo "$NSAMPLE $PHASE $st $now" >>"$T/samples.txt"
}

# wait_until MS: sample until the clock reaches MS.
wait_until() {
	while [ "$(ms)" -lt "$1" ]; do
		sample
		sleep 0.2
	done
}

# sts_workers: how many workers have called STS themselves (their sts.c
# log lines).
sts_workers() {
	local p n=0
	for p in $WORKERS; do
		grep -q "^ossign\[$p\]: sts_" "$STACK_DIR/ossign.log" && n=$((n + 1))
	done
	echo "$n"
}

# rss: "PID:KiB" for every worker.
rss() {
	local p
	for p in $WORKERS; do
		printf '%s:%s ' "$p" "$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null)"
	done
}

# ---- the wrk script: counts statuses, checks every body ------------------
t_tmpdir
mkdir -p "$T/samples"
cat >"$T/soak.lua" <<'EOF'
-- Written by tests/soak.sh.  Env: SOAK_DELAY_MS (pause per request and
-- connection, fractional: pacing), SOAK_LIMIT (stop after that many
-- responses; use -t1), SOAK_CREDS (file for the credential pairs seen).
local limit = tonumber(os.getenv("SOAK_LIMIT") or "") or 0
local pace = tonumber(os.getenv("SOAK_DELAY_MS") or "") or 0
local P = "/get_post_signature_for_oss_upload"
local paths = {
	P .. "?filename=a.png",
	P .. "?upload=images&filename=b.png&content_type=image/png&size=1000",
	P,
	P .. "?filename=report%20final.pdf&size=5000",
}
local threads = {}

function setup(thread)
	table.insert(threads, thread)
end

function init(args)
	reqs = {}
	for i, p in ipairs(paths) do
		reqs[i] = wrk.format("GET", p)
	end
	n, acc, seen = 0, 0, 0
	-- done() reads these with thread:get: numbers and strings only (wrk
	-- copies tables between Lua states unreliably).
	s200, s502, s503, sother, bad, badsample = 0, 0, 0, 0, 0, ""
	ncreds, credstr = 0, ""
	creds = {}
end

function request()
	n = n + 1
	return reqs[n % #reqs + 1]
end

if pace > 0 then
	function delay()
		acc = acc + pace
		local d = math.floor(acc)
		acc = acc - d
		return d
	end
end

-- credstr: "INDEX AKID TOKEN MAXEXPIRATION MAXDATE" lines; the count of
-- answers of credential pair INDEX is in global "cn" .. INDEX.
local function note_creds(key, exp, date)
	local c = creds[key]
	if not c then
		ncreds = ncreds + 1
		c = { i = ncreds, exp = "", date = "" }
		creds[key] = c
		_G["cn" .. ncreds] = 0
	end
	_G["cn" .. c.i] = _G["cn" .. c.i] + 1
	if exp > c.exp or date > c.date then
		if exp > c.exp then c.exp = exp end
		if date > c.date then c.date = date end
		local t = {}
		for k, v in pairs(creds) do
			t[#t + 1] = string.format("%d %s %s %s", v.i, k, v.exp, v.date)
		end
		credstr = table.concat(t, "\n")
	end
end

function response(status, headers, body)
	if limit > 0 and seen >= limit then
		return
	end
	seen = seen + 1
	local good = headers["Content-Type"] == "application/json"
	if status == 200 then
		s200 = s200 + 1
		local id = body:match('"x_oss_credential":"([^/"]+)/')
		local tok = body:match('"security_token":"([^"]+)"')
		local exp = body:match('"expiration":"([^"]+)"')
		local date = body:match('"x_oss_date":"([^"]+)"')
		if good and id and tok and exp and date and
		    body:match('"signature":"%x+"') and body:match('^{"policy":"') then
			note_creds(id .. " " .. tok, exp, date)
		else
			good = false
		end
	elseif status == 502 then
		s502 = s502 + 1
		good = good and body:find('{"error":{"code":"credentials_refused","message":"', 1, true) == 1
	elseif status == 503 then
		s503 = s503 + 1
		good = good and body:find('{"error":{"code":"credentials_unavailable","message":"', 1, true) == 1
	else
		sother = sother + 1
		good = false
	end
	if not good then
		bad = bad + 1
		if badsample == "" then
			-- never a 200 body: it holds a security token
			badsample = status .. " " .. (status == 200 and "(fields missing)" or body:sub(1, 160))
		end
	end
	if limit > 0 and seen == limit then
		wrk.thread:stop()
		os.execute("(sleep 0.05; kill -INT $PPID) &")
	end
end

function done(summary, latency, requests)
	local t200, t502, t503, tother, nbad, sample = 0, 0, 0, 0, 0, ""
	local f = io.open(os.getenv("SOAK_CREDS"), "w")
	for _, t in ipairs(threads) do
		t200 = t200 + t:get("s200")
		t502 = t502 + t:get("s502")
		t503 = t503 + t:get("s503")
		tother = tother + t:get("sother")
		nbad = nbad + t:get("bad")
		if sample == "" then sample = t:get("badsample") end
		for line in string.gmatch(t:get("credstr"), "[^\n]+") do
			local i, rest = line:match("^(%d+) (.*)$")
			local k, e, d = rest:match("^(%S+ %S+) (%S+) (%S+)$")
			f:write(string.format("%s %d %s %s\n", k, t:get("cn" .. i), e, d))
		end
	end
	f:close()
	local e = summary.errors
	-- (wrk's upper percentiles are off with delay(): nginx logs far fewer
	-- slow requests than they count; the median and the maximum hold.)
	io.write(string.format("SOAK n=%d s200=%d s502=%d s503=%d other=%d bad=%d sockerr=%d " ..
	    "duration_us=%d p50_us=%d max_us=%d\n",
	    t200 + t502 + t503 + tother, t200, t502, t503, tother, nbad,
	    e.connect + e.read + e.write + e.timeout, summary.duration,
	    latency:percentile(50), latency.max))
	if sample ~= "" then
		io.write("SOAK first bad answer: " .. sample .. "\n")
	end
end
EOF

# phase_start NAME [LIMIT]: wrk in the background, paced to spread the
# requests still due over the time planned (none with LIMIT: full speed,
# stops after LIMIT answers).
TOTAL=0
TOTAL200=0
P50_US=500	# the last phase's median latency
phase_start() {
	local name=$1 limit=${2:-0} delay=0 left secs
	PHASE=$name
	if [ "$limit" = 0 ]; then
		left=$((N * 97 / 100 - TOTAL))
		secs=$(((PLAN_END - $(ms)) / 1000))
		[ "$secs" -ge 1 ] || secs=1
		if [ "$left" -gt 0 ]; then
			# Each connection waits for its answer, then the delay.
			delay=$(awk -v c=$C -v s="$secs" -v l="$left" -v p="$P50_US" \
			    'BEGIN { d = c * s * 1000 / l - p / 1000; printf "%.4f", (d > 0 ? d : 0) }')
		else
			delay=1000
		fi
	fi
	echo "$(($(ms) - T0 / 1000)) ms: phase $name delay=$delay limit=$limit" >>"$T/timeline"
	bg_start "$T/wrk-$name.log" env SOAK_DELAY_MS="$delay" SOAK_LIMIT="$limit" \
	    SOAK_CREDS="$T/wrk-$name.creds" \
	    wrk -t1 -c$C -d3600s --timeout 30s -s "$T/soak.lua" "$STACK_URL"
	WRK_PID=$BG_PID
}

# phase_stop: end wrk (SIGINT: it reports as usual; with a limit it has
# ended itself), then read its counts into R_n R_s200 R_s502 R_s503 R_bad
# R_sockerr; the nginx access log is emptied (500,000 lines otherwise).
phase_stop() {
	local i line kv
	if [ "${1:-}" != wait ]; then
		kill -INT "$WRK_PID" 2>/dev/null
	fi
	for ((i = 0; i < 3000; i++)); do
		alive "$WRK_PID" || break
		sleep 0.1
	done
	stop_pid "$WRK_PID"
	forget_pid "$WRK_PID"
	line=$(grep '^SOAK n=' "$T/wrk-$PHASE.log")
	R_n='' R_s200='' R_s502='' R_s503='' R_bad='' R_sockerr=''
	for kv in $line; do
		case $kv in
		n=*|s200=*|s502=*|s503=*|bad=*|sockerr=*) printf -v "R_${kv%%=*}" '%s' "${kv#*=}" ;;
		esac
	done
	[ -n "$R_n" ] || { diag_file "$T/wrk-$PHASE.log"; R_n=0 R_s200=0 R_s502=0 R_s503=0 R_bad=-1 R_sockerr=-1; }
	kv=$(grep -o 'p50_us=[0-9]*' <<<"$line")
	[ -n "$kv" ] && [ "$R_n" -gt 1000 ] && P50_US=${kv#*=}
	TOTAL=$((TOTAL + R_n))
	TOTAL200=$((TOTAL200 + R_s200))
	echo "$PHASE: $line" >>"$T/phases"
	: >"$STACK_DIR/nginx/access.log"
}

# all_200 DESCRIPTION: one assertion on the phase just stopped.
all_200() {
	is "$R_s200/$R_n/$R_bad/$R_sockerr" "$R_n/$R_n/0/0" "$PHASE: $1 ($R_n requests, all 200)" ||
	    diag "$(grep '^SOAK' "$T/wrk-$PHASE.log")"
}

# ---- at exit: logs and answers for the secrets scan ------------------------
t_exit_hook() {
	local f
	[ -n "${STACK_DIR:-}" ] && [ -d "$STACK_DIR" ] || return 0
	t_artifacts
	for f in "$STACK_DIR"/*.log "$STACK_DIR"/nginx/error.log "$T"/wrk-*.log \
	    "$T/phases" "$T/timeline" "$T/samples.txt" "$T/samples-check"; do
		[ -f "$f" ] && cp "$f" "$ART/"
	done
	[ -f "$STACK_DIR/nginx/access.log" ] && tail -n 1000 "$STACK_DIR/nginx/access.log" >"$ART/access-tail.log"
	[ -d "$T/samples" ] && cp -r "$T/samples" "$ART/"
	for f in "${STACK_STATE:-/nonexistent}"/issued/*.json; do
		[ -r "$f" ] || continue
		t_secret "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["AccessKeySecret"])' "$f")"
		t_secret "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["SecurityToken"])' "$f")" token
	done
	return 0
}

# ---- start ---------------------------------------------------------------
# refresh_before: half the life (ossign's cap anyway); short timeouts: a
# hung STS costs 1 + retries tries of 2 s.
export STACK_CREDS=sts STACK_WORKERS=$W STACK_STS_ARGS="--lifetime $LIFE" \
    STACK_CONF_EXTRA="refresh_before = $((LIFE / 2))
connect_timeout = 1
timeout = 2
retries = $RETRIES"
stack_start || bail_out "the stack did not start"
n=$(wait_pids_count "$STACK_OSSIGN" $((W + 1)) 20)
WORKERS=$(children "$STACK_PID_OSSIGN")
is "$n/$(wc -w <<<"$WORKERS")" "$((W + 1))/$W" "ossign runs: a master and $W workers"
[ "$(issued)" = 0 ] || bail_out "credentials were issued before any request"
# A first plan for the pacing: the cold phase, then one lifetime and a bit.
PLAN_END=$(($(ms) + (15 + LIFE / 2 + 35) * 1000))

# ---- cold: no credentials, STS failing every way ------------------------
calls0=$(emu_stat AssumeRole)
fault http500
phase_start cold
t_cold=$(ms)
# Round after round until every worker has called STS itself: a worker's
# first call sets up libcurl and TLS (some MiB), which must come before the
# RSS baseline.
while :; do
	for mode in http500 throttle garbage partial close nopermission; do
		fault "$mode"
		inj=$(emu_stat injected)
		t=$(ms)
		until [ "$(emu_stat injected)" -gt "$inj" ] && [ $(($(ms) - t)) -ge 1000 ]; do
			[ $(($(ms) - t)) -lt 15000 ] || break
			sample
			sleep 0.1
		done
	done
	if [ "$(sts_workers)" = "$W" ] || [ $(($(ms) - t_cold)) -ge 45000 ]; then
		break
	fi
done
# One hang: the try times out, the retry gets the first credentials.
fault hang 1
t=$(ms)
while [ "$(usable)" = 0 ] && [ $(($(ms) - t)) -lt 30000 ]; do
	sample
	sleep 0.1
done
[ "$(usable)" = 1 ] || bail_out "no credentials after the faults were cleared"
AKID1=$(ledger_akids)
EXP1=$(exp_epoch "$AKID1")
DUE1=$(((EXP1 - LIFE / 2) * 1000))	# ossign refreshes from here on
# The paced phases end a little after the refresh that follows the hold.
PLAN_END=$((DUE1 + 35000))
wait_until $(($(ms) + 2000))
phase_stop
cold_secs=$((($(ms) - t_cold) / 1000 + 1))
cold_calls=$(($(emu_stat AssumeRole) - calls0))
is "$((R_s200 + R_s502 + R_s503))/$R_bad/$R_sockerr" "$R_n/0/0" \
    "cold: $R_n requests, only 200 and the documented 502/503 JSON errors" ||
    diag "$(grep '^SOAK' "$T/wrk-cold.log")"
ok "$([ "$R_s502" -gt 0 ] && [ "$R_s503" -gt 0 ] && [ "$R_s200" -gt 0 ] && echo 0 || echo 1)" \
    "cold: 502 credentials_refused ($R_s502), 503 credentials_unavailable ($R_s503), then 200 ($R_s200)"
missing=
for mode in http500 throttle garbage partial close nopermission hang; do
	grep -q "injected=$mode " "$STACK_DIR/sts.log" || missing="$missing $mode"
done
is "$missing" "" "cold: every failure mode reached STS at least once"
# At most one refresh (1 + retries tries) a second, for all workers: the
# failure is shared through the cache file and held for a second.
ok "$([ "$cold_calls" -le $(((RETRIES + 1) * (cold_secs + 1))) ] && echo 0 || echo 1)" \
    "cold: $cold_calls AssumeRole calls in ${cold_secs} s of failures (at most $((RETRIES + 1)) a second)"
is "$(sts_workers)" "$W" "cold: every worker called STS itself (before the RSS baseline)"

# ---- warm: nothing injected; the RSS baseline ---------------------------
phase_start warm
wait_until $(($(ms) + 12000))
RSS_WARM=$(rss)
phase_stop
all_200 "nothing injected"

# ---- fresh: every failure mode while the credentials are fresh ----------
calls0=$(emu_stat AssumeRole)
phase_start fresh
modes=(http500 throttle garbage partial close nopermission hang)
t=$(ms)
slot=$(((DUE1 - 8000 - t) / ${#modes[@]}))
for i in "${!modes[@]}"; do
	fault "${modes[i]}"
	wait_until $((t + (i + 1) * slot))
done
RSS_MID=$(rss)
phase_stop
all_200 "${#modes[@]} failure modes injected in turn, the credentials fresh"
is "$(($(emu_stat AssumeRole) - calls0))" 0 "fresh: not one AssumeRole call"

# ---- stale: STS hangs across the refresh point ---------------------------
calls0=$(emu_stat AssumeRole)
phase_start stale
fault hang
# The refresh starts at DUE1: 1 + retries tries of "timeout" seconds each.
t=$(ms)
while [ $(($(emu_stat AssumeRole) - calls0)) -lt $((RETRIES + 1)) ] &&
    [ "$(ms)" -lt $((DUE1 + 20000)) ]; do
	sample
	sleep 0.2
done
stale_calls=$(($(emu_stat AssumeRole) - calls0))
# Something else broken during the 30 s hold: nothing may ask.
wait_until $((DUE1 + 10000))
fault garbage
wait_until $((DUE1 + 24000))
hold_calls=$(($(emu_stat AssumeRole) - calls0 - stale_calls))
# Two failures that the retries of the next refresh get past.
fault http500 2
wait_until $((DUE1 + 26000))
phase_stop
all_200 "STS hanging across the refresh point: the cached credentials served"
is "$stale_calls/$hold_calls/$(usable)" "$((RETRIES + 1))/0/1" \
    "stale: one failed refresh ($((RETRIES + 1)) tries), no call during the hold, nothing issued"

# ---- refresh: the hold ends, two 500s, then new credentials --------------
calls0=$(emu_stat AssumeRole)
phase_start refresh
t=$(ms)
while [ "$(usable)" = 1 ] && [ $(($(ms) - t)) -lt 20000 ]; do
	sample
	sleep 0.1
done
t_new=$(ms)
wait_until $((t_new + 1000))
PHASE=after
wait_until $((t_new + 4000))
PHASE=refresh
phase_stop
all_200 "refresh after the hold, through two HTTP 500s"
is "$(($(emu_stat AssumeRole) - calls0))/$(usable)" "3/2" \
    "refresh: three tries (two 500s, one success), new credentials issued"
AKID2=$(ledger_akids | sed -n 2p)

# ---- topup: the rest, at full speed -------------------------------------
calls0=$(emu_stat AssumeRole)
left=$((N - TOTAL))
if [ "$left" -gt 0 ]; then
	phase_start topup "$left"
	phase_stop wait
else
	PHASE=topup R_n=0 R_s200=0 R_bad=0 R_sockerr=0
fi
all_200 "the rest at full speed"
is "$(($(emu_stat AssumeRole) - calls0))" 0 "topup: not one AssumeRole call"
sleep 1
RSS_END=$(rss)
WORKERS_END=$(children "$STACK_PID_OSSIGN")
T_END=${EPOCHREALTIME/./}

# ---- totals ----------------------------------------------------------------
ok "$([ "$TOTAL" -ge "$N" ] && echo 0 || echo 1)" "$TOTAL requests answered (SOAK_REQUESTS=$N)"
calls=$(emu_stat AssumeRole)
# cold, plus the stale refresh and the one after it.
ok "$([ "$calls" -le $((cold_calls + 2 * (RETRIES + 1))) ] && echo 0 || echo 1)" \
    "AssumeRole calls: $calls in all ($cold_calls cold, $stale_calls failed refresh, 3 refresh)"
is "$WORKERS_END" "$WORKERS" "the same workers at the end (no crash, no restart)"

# Every credential pair wrk saw, checked against the ledger.
cat "$T"/wrk-*.creds >"$T/creds-seen" 2>/dev/null
partial >/dev/null
python3 - "$STACK_STATE" "$T/creds-seen" "$T/partial" >"$T/creds-check" <<'EOF'
import datetime, glob, json, sys
def ts(s):
    s = s.replace(".000Z", "Z")
    fmt = "%Y%m%dT%H%M%SZ" if "-" not in s else "%Y-%m-%dT%H:%M:%SZ"
    return datetime.datetime.strptime(s, fmt).replace(tzinfo=datetime.timezone.utc).timestamp()
led = {}
skip = set(open(sys.argv[3]).read().split())
for f in glob.glob(sys.argv[1] + "/issued/*.json"):
    e = json.load(open(f))
    if e["AccessKeyId"] not in skip:
        led[e["AccessKeyId"]] = e
bad_pair = bad_exp = bad_left = answers = 0
pairs = set()
for line in open(sys.argv[2]):
    akid, tok, n, exp, date = line.split()
    answers += int(n)
    pairs.add(akid)
    e = led.get(akid)
    if e is None or e["SecurityToken"] != tok or not e.get("AccessKeySecret"):
        bad_pair += int(n)
        continue
    if ts(exp) > ts(e["Expiration"]):
        bad_exp += 1
    if ts(e["Expiration"]) - ts(date) < 60:
        bad_left += 1
print(answers, len(pairs), bad_pair, bad_exp, bad_left)
EOF
read -r ans npairs bad_pair bad_exp bad_left <"$T/creds-check"
is "$ans/$bad_pair" "$TOTAL200/0" \
    "every 200 answer ($ans) carries an AccessKeyId and SecurityToken pair the emulator issued"
is "$bad_exp/$bad_left" "0/0" \
    "no policy expiration after its credentials' Expiration, none signed with under a minute left"
is "$(usable)/$npairs/$(partial | wc -l)" "2/2/$(grep -c 'injected=partial' "$STACK_DIR/sts.log")" \
    "two complete credentials issued in all, both served; the partial ones never"

# The sampled answers, in full.
python3 - "$STACK_STATE" "$T/samples.txt" "$T/samples" "$STACK_REGION" "$AKID1" "$AKID2" "$T/partial" \
    >"$T/samples-check" 2>&1 <<'EOF'
import base64, datetime, glob, hashlib, hmac, json, sys
state, listing, d, region, akid1, akid2, partial = sys.argv[1:8]
skip = set(open(partial).read().split())
def ts(s):
    s = s.replace(".000Z", "Z")
    fmt = "%Y%m%dT%H%M%SZ" if "-" not in s else "%Y-%m-%dT%H:%M:%SZ"
    return datetime.datetime.strptime(s, fmt).replace(tzinfo=datetime.timezone.utc).timestamp()
def h(k, m):
    return hmac.new(k, m.encode(), hashlib.sha256).digest()
led = {}
for f in glob.glob(state + "/issued/*.json"):
    e = json.load(open(f))
    if e["AccessKeyId"] not in skip:
        led[e["AccessKeyId"]] = e
n = good = 0
errs = []
for line in open(listing):
    num, phase, status, _ = line.split()
    n += 1
    try:
        body = open("%s/%s.json" % (d, num)).read()
        j = json.loads(body)
        if status in ("502", "503"):
            want = {"502": "credentials_refused", "503": "credentials_unavailable"}[status]
            assert phase == "cold", "an error outside the cold phase"
            assert j["error"]["code"] == want and j["error"]["message"], "error body"
            assert "STS." not in body and "CAIS" not in body, "an error names a credential"
            good += 1
            continue
        assert status == "200", "status " + status
        akid, date8, reg, svc, term = j["x_oss_credential"].split("/")
        e = led[akid]
        assert (reg, svc, term) == (region, "oss", "aliyun_v4_request")
        assert j["security_token"] == e["SecurityToken"], "token"
        assert j["fields"]["x-oss-security-token"] == e["SecurityToken"], "token field"
        k = h(("aliyun_v4" + e["AccessKeySecret"]).encode(), date8)
        for m in (region, "oss", "aliyun_v4_request"):
            k = h(k, m)
        sig = hmac.new(k, j["policy"].encode(), hashlib.sha256).hexdigest()
        assert sig == j["signature"] == j["fields"]["x-oss-signature"], "signature"
        pol = json.loads(base64.b64decode(j["policy"]))
        assert pol["expiration"] == j["expiration"]
        assert ts(pol["expiration"]) <= ts(e["Expiration"]), "expiration after the credentials'"
        assert ts(e["Expiration"]) - ts(j["x_oss_date"]) >= 60, "under a minute left"
        assert ts(e["Issued"]) - 1 <= ts(j["x_oss_date"]), "signed before issued"
        conds = pol["conditions"]
        assert {"x-oss-security-token": e["SecurityToken"]} in conds, "token condition"
        assert {"x-oss-credential": j["x_oss_credential"]} in conds, "credential condition"
        if phase in ("warm", "fresh", "stale"):
            assert akid == akid1, "not the first credentials in " + phase
        if phase == "after":
            assert akid == akid2, "not the new credentials after the refresh"
        good += 1
    except Exception as ex:
        errs.append("sample %s (%s, %s): %s %r" % (num, phase, status, type(ex).__name__, ex))
print(n, good)
for e in errs[:10]:
    print(e)
EOF
read -r ns ngood <"$T/samples-check"
ok "$([ "${ns:-0}" -ge 100 ] && [ "$ns" = "$ngood" ] && echo 0 || echo 1)" \
    "$ngood of $ns sampled answers verified: issued pair, signature with the issued secret, expiration, the right credentials in each phase" ||
    diag_file "$T/samples-check"

# RSS: every worker, warm vs end.
grow=$(awk -v a="$RSS_WARM" -v b="$RSS_END" 'BEGIN {
	n = split(a, x, " "); split(b, y, " "); m = 0
	for (i = 1; i <= n; i++) { split(x[i], p, ":"); split(y[i], q, ":")
		d = q[2] - p[2]; if (d > m) m = d }
	print m }')
if grep -qa __asan_init "$OSSIGN"; then
	# ASan's quarantine holds freed memory: RSS says nothing there.
	skip 1 "RSS under AddressSanitizer (grew by at most $grow KiB)"
else
	ok "$([ "$grow" -lt "$RSS_KIB" ] && echo 0 || echo 1)" \
	    "RSS per worker grew by at most $grow KiB (< $RSS_KIB) from warm to the end"
fi

# Logs: the failed refresh said so, nobody gave up waiting, no secret.
like "$(cat "$STACK_DIR/ossign.log")" 'refresh failed \(.*\); serving the cached credentials until' \
    "ossign logged the failed refresh and that it kept serving"
unlike "$(cat "$STACK_DIR/ossign.log")" 'gave up after|Sanitizer|runtime error' \
    "no lock wait given up, no sanitizer report"
(umask 077 && python3 - "$STACK_STATE" "$T/secrets.pat" "$T/tokens.pat" <<'EOF'
import glob, json, sys
with open(sys.argv[2], "w") as s, open(sys.argv[3], "w") as t:
    for f in glob.glob(sys.argv[1] + "/issued/*.json"):
        e = json.load(open(f))
        s.write(e["AccessKeySecret"] + "\n")
        t.write(e["SecurityToken"] + "\n")
EOF
)
found=$( (grep -lF -f "$T/secrets.pat" -- "$STACK_DIR"/*.log "$STACK_DIR"/nginx/*.log \
    "$T"/wrk-*.log "$T"/samples/*.json
grep -lF -f "$T/tokens.pat" -- "$STACK_DIR"/*.log "$STACK_DIR"/nginx/*.log "$T"/wrk-*.log) 2>/dev/null |
    sed 's|.*/||' | tr '\n' ' ')
is "$found" "" "no issued secret in a log or an answer, no token in a log"

# ---- the numbers ---------------------------------------------------------
secs=$(awk -v a="$T0" -v b="$T_END" 'BEGIN { printf "%.1f", (b - a) / 1e6 }')
note "phases:"
note "$(sed 's/^/  /' "$T/phases")"
note "requests: $TOTAL in $secs s ($(awk -v n="$TOTAL" -v s="$secs" 'BEGIN { printf "%d", n / s }') req/s overall;" \
    "topup at full speed: $(grep -o 'duration_us=[0-9]*' "$T/wrk-topup.log" 2>/dev/null |
    awk -F= -v n="$R_n" '{ if ($2 > 0) printf "%d", n * 1e6 / $2 }') req/s)"
note "AssumeRole calls: $calls ($cold_calls cold in ${cold_secs} s, $stale_calls failed refresh, 3 refresh); issued: $(usable) (and $(partial | wc -l) partial)"
note "RSS KiB warm: $RSS_WARM"
note "RSS KiB mid:  $RSS_MID"
note "RSS KiB end:  $RSS_END"
note "samples: $ns"

