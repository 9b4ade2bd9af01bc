#!/bin/bash
# The metrics (issue 11) are counted across every process of the host: one
# ossign under spawn-fcgi with 4 workers behind nginx (deploy/nginx/ as
# shipped: the signing URL, .../healthz, .../metrics), and CGI runs beside
# it, all with metrics = yes and one cache_dir.  After N signatures
# through nginx, 100 CGI signatures and 40 CGI batches run at the same
# time, the counters say exactly that, whether a CGI run or a worker
# renders them; promtool accepts the live text; the file is 0600 and
# 4096 bytes; a refused login and a rate-limited request are counted;
# metrics_allow and nginx's allow/deny keep others out.
. "${top_srcdir:-.}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/stack.sh"
need_ossign
need nginx spawn-fcgi curl python3
plan 21

N=${METRICS_SHARED_REQUESTS:-2000}
t_tmpdir
t_artifacts
AKID=LTAI5tMetricsTestKey
SECRET=$(openssl rand -hex 20)
t_secret "$SECRET"
mkdir -m 700 "$T/cache"
cat >"$T/ossign.conf" <<CONF
bucket = web-upload
region = cn-hangzhou
host = http://127.0.0.1:9
credentials = env
cache_dir = $T/cache
metrics = yes
[upload default]
key_prefix = uploads/
max_size = 1000
[upload users]
key_prefix = users/\${user}/
[upload limited]
key_prefix = limited/
rate_limit = 1/h
CONF
cp "$OSSIGN" "$T/ossign" && chmod 755 "$T/ossign"

_ossign_exec() {
	export ALIBABA_CLOUD_ACCESS_KEY_ID=$AKID ALIBABA_CLOUD_ACCESS_KEY_SECRET=$SECRET
	bg_exec spawn-fcgi -n -s "$T/fcgi.sock" -M 0600 -- "$T/ossign" -c "$T/ossign.conf" -n 4
}
bg_start "$T/ossign.log" _ossign_exec
MASTER=$BG_PID
wait_sock "$T/fcgi.sock" 10 "$MASTER" || { diag_file "$T/ossign.log"; bail_out "ossign did not start"; }
wait_children "$MASTER" 4
is "$(children "$MASTER" | wc -w)" 4 "4 FastCGI workers"
PORT=$(free_port)
nginx_conf "$T/nginx" "$PORT" "$T/fcgi.sock" "$T" || bail_out "nginx_conf failed"
bg_start "$T/nginx/stderr.log" nginx -p "$T/nginx" -c "$T/nginx/nginx.conf" -e "$T/nginx/error.log"
wait_port "$PORT" 10 "$BG_PID" || { diag_file "$T/nginx/error.log"; bail_out "nginx did not start"; }
URL=http://127.0.0.1:$PORT/get_post_signature_for_oss_upload

# cgi [VAR=VALUE...] [<FILE]: one CGI run on the same config; the answer on stdout.
cgi() {
	local in=/dev/null a vars=()
	for a in "$@"; do
		case $a in '<'*) in=${a#<} ;; *) vars+=("$a") ;; esac
	done
	env -i PATH="$PATH" OSSIGN_CONFIG="$T/ossign.conf" GATEWAY_INTERFACE=CGI/1.1 \
	    ALIBABA_CLOUD_ACCESS_KEY_ID="$AKID" ALIBABA_CLOUD_ACCESS_KEY_SECRET="$SECRET" \
	    REQUEST_METHOD=GET "${vars[@]}" $OSSIGN_WRAP "$T/ossign" <"$in" 2>>"$T/cgi.log"
}
# metric FILE NAME{LABELS}: the value of one sample in a /metrics text.
metric() {
	awk -v k="$2" '$1 == k { print $2; found = 1 } END { if (!found) print "missing" }' "$1"
}

st=$(curl -s -o "$T/m0.txt" -w '%{http_code}' "$URL/metrics")
is "$st" 200 "GET .../metrics through nginx from 127.0.0.1: 200"
is "$(metric "$T/m0.txt" 'ossign_signatures_total')" 0 "nothing signed yet"
st=$(curl -s -o "$T/h.json" -w '%{http_code}' "$URL/healthz")
is "$st $(cat "$T/h.json")" '200 {"status":"ok","credentials":{"source":"env","expires_in":null}}' \
    "GET .../healthz through nginx"

# ---- the load: 4 workers and CGI runs at the same time ---------------------
printf '{"files":[{"filename":"a.png","size":1},{"filename":"b.png","size":2},{"size":5000}]}' \
    >"$T/batch.json"
mkdir -p "$T/out"
curl -s --parallel --parallel-max 16 -o "$T/out/#1.json" -w '%{http_code}\n' \
    "$URL?filename=a.png&size=1&n=[1-$N]" >"$T/codes" 2>"$T/curl.log" &
curl_pid=$!
pids=()
for i in $(seq 1 100); do
	cgi "QUERY_STRING=filename=c$i.png" >"$T/out/cgi-$i" &
	pids+=($!)
	if [ "$i" -le 40 ]; then
		cgi REQUEST_METHOD=POST CONTENT_TYPE=application/json \
		    "CONTENT_LENGTH=$(wc -c <"$T/batch.json")" "<$T/batch.json" >"$T/out/batch-$i" &
		pids+=($!)
	fi
	[ $((i % 20)) = 0 ] && wait "${pids[@]}" && pids=()
done
wait "${pids[@]}" "$curl_pid"
is "$(grep -c '^200$' "$T/codes")" "$N" "$N signatures through nginx, every one 200"
is "$(grep -l '^Status: 200 OK' "$T"/out/cgi-* "$T"/out/batch-* | wc -l)" 140 \
    "100 CGI signatures and 40 CGI batches, every one 200"

# ---- what the counters say, read by a CGI run and by a worker ----------------
cgi REQUEST_URI=/x/metrics REMOTE_ADDR=127.0.0.1 >"$T/m-cgi.raw"
sed '1,/^\r$/d' "$T/m-cgi.raw" >"$T/m1.txt"
cp "$T/m1.txt" "$ART/metrics-after-load.txt"
sign_ok=$(metric "$T/m1.txt" 'ossign_requests_total{route="sign",code="2xx"}')
is "$sign_ok" $((N + 100)) "sign requests, 2xx: $N through the 4 workers + 100 CGI runs"
is "$(metric "$T/m1.txt" 'ossign_requests_total{route="batch",code="2xx"}')" 40 "batch requests, 2xx: 40"
is "$(metric "$T/m1.txt" 'ossign_signatures_total')" $((N + 100 + 80)) \
    "signatures: one per signature, two per batch (its third file is too large)"
is "$(metric "$T/m1.txt" 'ossign_request_duration_seconds_count{route="sign"}')" $((N + 100)) \
    "the latency histogram counted every sign request"
is "$(metric "$T/m1.txt" 'ossign_requests_total{route="metrics",code="2xx"}') \
$(metric "$T/m1.txt" 'ossign_requests_total{route="healthz",code="2xx"}')" "1 1" \
    "the first metrics and healthz requests are counted"
curl -s -o "$T/m2.txt" "$URL/metrics"
is "$(metric "$T/m2.txt" 'ossign_signatures_total')" $((N + 180)) \
    "a worker renders the same counts as the CGI run"
promtool check metrics <"$T/m2.txt" >"$T/promtool.log" 2>&1
ok $? "promtool check metrics accepts the live text" || diag_file "$T/promtool.log"
is "$(stat -c '%s %a' "$T/cache/metrics")" "4096 600" "cache_dir/metrics: 4096 bytes, 0600"

# ---- refusals by the gate (issue 11), counted too -----------------------------
cgi QUERY_STRING=upload=users >"$T/out/401" # no REMOTE_USER: 401
for i in 1 2 3; do
	cgi QUERY_STRING=upload=limited REMOTE_ADDR=192.0.2.$i >"$T/out/lim-$i-a"
	cgi QUERY_STRING=upload=limited REMOTE_ADDR=192.0.2.$i >"$T/out/lim-$i-b"
done
cgi REQUEST_URI=/x/metrics REMOTE_ADDR=127.0.0.1 >"$T/m-gate.raw"
sed '1,/^\r$/d' "$T/m-gate.raw" >"$T/m3.txt"
is "$(head -n 1 "$T/out/401") $(metric "$T/m3.txt" 'ossign_auth_refused_total{method="remote_user"}')" \
    "Status: 401 Unauthorized"$'\r'" 1" "a refused login is counted (auth_refused, remote_user)"
is "$(grep -l '^Status: 429' "$T"/out/lim-* | wc -l) $(metric "$T/m3.txt" 'ossign_rate_limited_total')" "3 3" \
    "three clients over rate_limit = 1/h: three 429s, counted (rate_limited)"

# ---- who may read them -------------------------------------------------------
cgi REQUEST_URI=/x/metrics REMOTE_ADDR=192.0.2.10 >"$T/m-403.raw"
like "$(cat "$T/m-403.raw")" 'Status: 403 Forbidden.*"code":"forbidden"' \
    "an address metrics_allow does not list: 403 forbidden"
sed 's/^metrics = yes$/metrics = yes\nmetrics_allow = 192.0.2.0\/24/' "$T/ossign.conf" >"$T/allow.conf"
env -i PATH="$PATH" OSSIGN_CONFIG="$T/allow.conf" GATEWAY_INTERFACE=CGI/1.1 \
    REQUEST_METHOD=GET REQUEST_URI=/x/metrics REMOTE_ADDR=192.0.2.10 \
    "$T/ossign" </dev/null >"$T/m-allow.raw" 2>>"$T/cgi.log"
like "$(head -n 1 "$T/m-allow.raw")" '^Status: 200' "metrics_allow = 192.0.2.0/24 lets 192.0.2.10 in"
st=$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.2 "$URL/metrics")
is "$st" 403 "nginx's allow/deny (deploy/nginx/) refuses 127.0.0.2 before ossign sees it"
# ossign answers the metrics at any path ending in /metrics: the Uppy
# prefix /ossign/ must not hand them out past the allow list above.
st=$(curl -s -o /dev/null -w '%{http_code}' "${URL%/*}/ossign/metrics")
st=$st/$(curl -s -o /dev/null -w '%{http_code}' "${URL%/*}/ossign/large/metrics")
is "$st" 403/403 "nginx refuses .../metrics under /ossign/ (even from 127.0.0.1)"
st=$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.2 "$URL/healthz")
is "$st" 200 "healthz is not restricted"

stop_all
cp "$T/ossign.log" "$T/cgi.log" "$T/nginx/error.log" "$ART/" 2>/dev/null
:
