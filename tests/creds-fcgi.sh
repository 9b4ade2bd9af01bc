#!/bin/bash
# One cache for every process: ossign under spawn-fcgi with 4 workers
# behind nginx, and 100 CGI runs beside it, against the STS emulator.
#  - 10,000 signature requests over the 4 workers while 100 CGI runs go on
#    make exactly one AssumeRole call;
#  - with short-lived credentials, the workers refresh once between them,
#    and every request in between is answered;
#  - each failure answers its JSON error and the workers keep serving;
#  - a client's "Proxy:" header changes nothing (httpoxy);
#  - a flood of identical error answers is logged once, then counted;
#  - no secret in any log or answer.
. "${top_srcdir:-.}/tests/lib/credsemu.sh"
. "$top_srcdir/tests/lib/stack.sh"
need_emu
need nginx spawn-fcgi
plan 25

N=${CREDS_FCGI_REQUESTS:-10000}

emu_start
cp "$OSSIGN" "$T/ossign" && chmod 755 "$T/ossign"

# fcgi_start NAME CONF WORKERS: spawn-fcgi + ossign on $T/NAME.sock and an
# nginx on a free port; sets URL_NAME and PIDS_NAME (the worker pids).
fcgi_start() {
	local name=$1 conf=$2 workers=$3 port pid n
	bg_start "$T/$name-ossign.log" spawn-fcgi -n -s "$T/$name.sock" -M 0600 \
	    -- "$T/ossign" -c "$conf" -n "$workers"
	pid=$BG_PID
	wait_sock "$T/$name.sock" 10 "$pid" ||
	    { diag_file "$T/$name-ossign.log"; bail_out "ossign $name did not start"; }
	# The master forks its workers one a second.
	for ((n = 0; n < 100; n++)); do
		[ "$(children "$pid" | wc -w)" -ge "$workers" ] && break
		sleep 0.1
	done
	port=$(free_port)
	nginx_conf "$T/nginx-$name" "$port" "$T/$name.sock" "$T" ||
	    bail_out "nginx_conf failed"
	bg_start "$T/nginx-$name/stderr.log" nginx -p "$T/nginx-$name" \
	    -c "$T/nginx-$name/nginx.conf" -e "$T/nginx-$name/error.log"
	wait_port "$port" 10 "$BG_PID" ||
	    { diag_file "$T/nginx-$name/error.log"; bail_out "nginx $name did not start"; }
	printf -v "URL_$name" '%s' "http://127.0.0.1:$port/get_post_signature_for_oss_upload"
	printf -v "PIDS_$name" '%s' "$(children "$pid")"
	printf -v "MASTER_$name" '%s' "$pid"
}

# get URL [CURL ARGS]: one request; sets STATUS and BODY, keeps the answer.
get() {
	local url=$1
	shift
	BODY=$(curl -s -w '\n%{http_code}' "$@" "$url")
	STATUS=${BODY##*$'\n'}
	BODY=${BODY%$'\n'*}
	printf '%s\n' "$BODY" >>"$T/responses"
}

# ---- 10,000 requests over 4 workers and 100 CGI runs: one AssumeRole -----
emu_conf "$T/main.conf"
fcgi_start main "$T/main.conf" 4
is "$(wc -w <<<"$PIDS_main")" 4 "4 FastCGI workers"
emu_fail slow:800 1 AssumeRole
mkdir -p "$T/fc"
curl -s --parallel --parallel-max 16 -o "$T/fc/#1.json" \
    "$URL_main?filename=a.png&n=[1-$N]" 2>"$T/curl.log" &
curl_pid=$!
pids=()
for i in $(seq 1 100); do
	(cgi "$T/main.conf" "filename=c$i.png"
	printf '%s %s\n' "$STATUS" "$(akid)" >"$T/fc/cgi-$i") &
	pids+=($!)
	# In waves of 20: a web server does not start 100 at once either.
	[ $((i % 20)) = 0 ] && wait "${pids[@]}" && pids=()
done
wait "${pids[@]}" "$curl_pid"
python3 - "$T/fc" "$N" >"$T/fc-summary" <<'EOF'
import glob, json, os, sys
d, n = sys.argv[1], int(sys.argv[2])
ok = bad = 0
ids = set()
for f in glob.glob(os.path.join(d, "*.json")):
    try:
        with open(f) as fh:
            j = json.load(fh)
        ids.add(j["x_oss_credential"].split("/")[0])
        ok += 1
    except Exception:
        bad += 1
for f in glob.glob(os.path.join(d, "cgi-*")):
    with open(f) as fh:
        status, akid = (fh.read().split() + ["", ""])[:2]
    if status == "200":
        ok += 1
        ids.add(akid)
    else:
        bad += 1
print(ok, bad, len(ids), " ".join(sorted(ids)))
EOF
read -r nok nbad nids ids <"$T/fc-summary"
is "$nok/$nbad" "$((N + 100))/0" "$N FastCGI requests and 100 CGI runs all signed"
is "$(emu_stat AssumeRole)" 1 "with exactly one AssumeRole call"
is "$nids/$ids" "1/$(emu_issued AccessKeyId)" "all with the one AccessKeyId issued"
is "$(children "$MASTER_main")" "$PIDS_main" "no worker died"
rm -rf "$T/fc"

# ---- short-lived credentials: the workers refresh once between them ------
# A second emulator issues credentials for 70 s: usable (60 s or more left)
# for 10 s, so a refresh is due about 10 s after the first request.
EMU1_URL=$EMU_URL EMU1_PID=$EMU_PID EMU1_LOG=$T/sts.log
mv "$T/sts.log" "$T/sts-main.log"
line=
bg_start "$T/sts-short.log" "$NODE" "$top_srcdir/tests/emu/sts.js" \
    --state "$EMU_STATE" --port 0 --http-port 0 --lifetime 70 \
    --cert "$T/ca/server.pem" --key "$T/ca/server-key.pem"
line=$(wait_line "$T/sts-short.log" '^listening [0-9]+ [0-9]+' 20 "$BG_PID") ||
    bail_out "the second emulator did not start"
read -r _ p2 _ <<<"$line"
EMU_URL=https://127.0.0.1:$p2
emu_conf "$T/short.conf" "role_session_name = short" "cache_dir = $T/cache-short"
fcgi_start short "$T/short.conf" 4
codes=
t_end=$(($(date +%s) + 14))
while [ "$(date +%s)" -lt "$t_end" ]; do
	curl -s -o "$T/short-last" -w '%{http_code}\n' "$URL_short?filename=a.png" \
	    >>"$T/short-codes" &
	curl -s -o /dev/null -w '%{http_code}\n' "$URL_short?filename=b.png" \
	    >>"$T/short-codes" &
	curl -s -o /dev/null -w '%{http_code}\n' "$URL_short?filename=c.png" \
	    >>"$T/short-codes"
	wait $!
	sleep 0.1
done
sleep 1
codes=$(sort "$T/short-codes" | uniq -c | awk '{print $2 "x" $1}' | tr '\n' ' ')
like "$codes" '^200x[0-9]+ $' "every request answered 200 across the refresh"
is "$(emu_stat AssumeRole)" 2 "the 4 workers refreshed once between them"
unlike "$(cat "$T/short-ossign.log")" 'failed|waited' \
    "no failed refresh, no lock wait given up"
EMU_URL=$EMU1_URL

# ---- failures: the JSON error, and the workers keep serving --------------
emu_conf "$T/fail.conf" "role_session_name = failing" "cache_dir = $T/cache-fail"
fcgi_start fail "$T/fail.conf" 2
emu_fail nopermission -1 AssumeRole
get "$URL_fail" -H 'Proxy: http://127.0.0.1:1'
is "$STATUS/$(jget error/code)" "502/credentials_refused" "NoPermission: 502"
like "$(jget error/message)" '^STS AssumeRole refused: NoPermission \(RequestId [0-9A-F-]{36}\)$' \
    "naming the code and request id"
get "$URL_fail"
is "$STATUS" 502 "again"
emu_fail hang -1 AssumeRole
sleep 1.1	# the one-second hold on a repeated failure
start=$(date +%s)
get "$URL_fail"
is "$STATUS/$(jget error/message)" "503/STS AssumeRole is unavailable: timed out" \
    "STS hangs: 503 after the timeout"
ok "$([ $(($(date +%s) - start)) -le 8 ] && echo 0 || echo 1)" "within the bounded time"
emu_fail garbage -1 AssumeRole
sleep 1.1
get "$URL_fail"
is "$STATUS/$(jget error/code)" "503/credentials_unavailable" "garbage: 503"
emu_fail none
sleep 1.1
n=$(emu_stat AssumeRole)
get "$URL_fail?filename=x.png" -H 'Proxy: http://127.0.0.1:1'
is "$STATUS" 200 "STS back: signed again, a Proxy: header notwithstanding"
is "$(emu_stat AssumeRole)" $((n + 1)) "with one new call"
is "$(children "$MASTER_fail")" "$PIDS_fail" \
    "the same workers served throughout"
for i in 1 2 3 4 5 6; do get "$URL_fail?filename=y.png"; echo "$STATUS"; done >"$T/after"
is "$(sort -u "$T/after")" 200 "and keep serving"
like "$(cat "$T/fail-ossign.log")" 'NoPermission.*trust policy' \
    "the log said what to fix for NoPermission"
like "$(cat "$T/fail-ossign.log")" 'did not answer in time' "and for the hang"

# ---- an outage does not flood the log ---------------------------------------
# One worker, so that every answer goes through the same counter: each 502
# is either logged or counted in the "the same answer N more times" line
# that the next different answer (here the first 200) brings.
emu_conf "$T/flood.conf" "role_session_name = flooding" "cache_dir = $T/cache-flood"
fcgi_start flood "$T/flood.conf" 1
emu_fail nopermission -1 AssumeRole
for i in $(seq 40); do get "$URL_flood?filename=f.png"; echo "$STATUS"; done >"$T/flood"
is "$(sort "$T/flood" | uniq -c | awk '{print $2 "x" $1}')" 502x40 "40 requests during the outage: 40 answers 502"
emu_fail none
sleep 1.1
get "$URL_flood?filename=f.png"
sleep 0.2
lines=$(grep -c ': 502 credentials_refused: STS AssumeRole refused' "$T/flood-ossign.log")
held=$(grep -o '502 credentials_refused: the same answer [0-9]* more times' "$T/flood-ossign.log" |
    awk '{ n += $6 } END { print n + 0 }')
ok "$([ "$lines" -ge 1 ] && [ "$lines" -le 5 ] && echo 0 || echo 1)" \
    "logged in $lines lines, not one per answer" || diag_file "$T/flood-ossign.log"
is "$STATUS/$((lines + held))" "200/40" "STS back: 200, and the log accounts for all 40 answers"

# ---- nothing leaked ---------------------------------------------------------
cat "$T"/nginx-*/error.log >"$T/nginx-error.log" 2>/dev/null
secrets_scan "$T/sts-main.log" "$T/sts-short.log" "$T/main-ossign.log" \
    "$T/short-ossign.log" "$T/fail-ossign.log" "$T/flood-ossign.log" "$T/cgi.log" \
    "$T/nginx-error.log" "$T/responses" "$T/short-last"
checker_clean
