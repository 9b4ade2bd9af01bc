#!/bin/bash
# Rate limits shared by every process on the host (issue 11): one table in
# cache_dir, mapped by 4 FastCGI workers (spawn-fcgi, behind nginx) and by
# parallel CGI runs beside them, counted exactly:
#  - 300 requests through nginx and 100 CGI runs at once, one client, a
#    bucket of 100 that refills once an hour: exactly 100 signed, the other
#    300 answered 429 rate_limited with Retry-After;
#  - per user whatever the address (FastCGI and CGI at once), per
#    forwarded client behind a trusted proxy, per peer otherwise;
#  - a worker killed with -9 and a restarted service keep the count;
#  - one file, 0600, its size, never replaced; nginx's limit_req lines of
#    deploy/nginx/ are valid when uncommented.
. "${top_srcdir:-.}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/stack.sh"
need_ossign
need nginx spawn-fcgi cgi-fcgi curl python3
t_tmpdir
t_artifacts
plan 20

mkdir -m 700 "$T/cache"
cat >"$T/ossign.conf" <<CONF
bucket = web-upload
region = cn-hangzhou
host = http://127.0.0.1:9
cache_dir = $T/cache
trusted_proxies = 127.0.0.1
[upload default]
key_prefix = uploads/
rate_limit = 1/h
rate_burst = 100
[upload peruser]
key_prefix = u/\${user}/
rate_limit = 1/h
rate_burst = 10
[upload fwd]
rate_limit = 1/h
rate_burst = 3
CONF
AKID=LTAI5tRateSharedTestKey
SECRET=$(openssl rand -hex 20)
t_secret "$SECRET"
cp "$OSSIGN" "$T/ossign" && chmod 755 "$T/ossign"

# cgi VAR=VALUE...: one CGI run; prints its status and Retry-After.
cgi() {
	env -i PATH="$PATH" OSSIGN_CONFIG="$T/ossign.conf" \
	    ALIBABA_CLOUD_ACCESS_KEY_ID="$AKID" \
	    ALIBABA_CLOUD_ACCESS_KEY_SECRET="$SECRET" \
	    GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET "$@" \
	    $OSSIGN_WRAP "$OSSIGN" </dev/null 2>>"$ART/cgi-stderr.log" |
	    tr -d '\r' | awk '/^Status:/ { s = $2 } /^Retry-After:/ { r = $2 }
		END { print s, r }'
	[ "${PIPESTATUS[0]}" = 99 ] && echo "$*" >>"$T/checker-errors"
}
# fcgi VAR=VALUE...: one request straight to the workers' socket.
fcgi() {
	env -i PATH="$PATH" GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET "$@" \
	    cgi-fcgi -bind -connect "$T/fcgi.sock" </dev/null 2>>"$ART/cgi-fcgi.log" |
	    tr -d '\r' | awk '/^Status:/ { s = $2 } /^Retry-After:/ { r = $2 }
		END { print s, r }'
}
# tally FILE: "200xN 429xM" from lines "STATUS [RETRY-AFTER]".
tally() {
	awk '{ print $1 }' "$1" | sort | uniq -c | awk '{ printf "%sx%s ", $2, $1 }' |
	    sed 's/ $//'
}

start_fcgi() {
	export ALIBABA_CLOUD_ACCESS_KEY_ID="$AKID"
	export ALIBABA_CLOUD_ACCESS_KEY_SECRET="$SECRET"
	fcgi_spawn "$T/fcgi.sock" "$T/ossign" -c "$T/ossign.conf" -n 4
}
fcgi_up() {
	rm -f "$T/fcgi.sock"
	bg_start "$ART/fcgi-stderr.log" start_fcgi
	MASTER=$BG_PID
	wait_sock "$T/fcgi.sock" 20 "$MASTER" ||
	    { diag_file "$ART/fcgi-stderr.log"; bail_out "ossign did not start"; }
	wait_children "$MASTER" 4
}
fcgi_up
is "$(children "$MASTER" | wc -w)" 4 "4 FastCGI workers"
PORT=$(free_port)
nginx_conf "$T/nginx" "$PORT" "$T/fcgi.sock" "$T" || bail_out "nginx_conf failed"
bg_start "$T/nginx/stderr.log" nginx -p "$T/nginx" -c "$T/nginx/nginx.conf" -e "$T/nginx/error.log"
wait_port "$PORT" 10 "$BG_PID" || { diag_file "$T/nginx/error.log"; bail_out "nginx did not start"; }
URL=http://127.0.0.1:$PORT/get_post_signature_for_oss_upload
ino() { stat -c %i "$T/cache/ratelimit" 2>/dev/null; }
[ -f "$T/cache/ratelimit" ]
ok $? "the FastCGI master made the table at start, before a request"
INO=$(ino)

# ---- one client, 400 requests from 4 workers and 100 CGI runs at once ----
curl -s --parallel --parallel-max 16 -o /dev/null \
    -w '%{http_code} %header{retry-after}\n' "$URL?filename=a.png&n=[1-300]" \
    >"$T/nginx-codes" 2>"$T/curl.log" &
curl_pid=$!
pids=()
for i in $(seq 1 100); do
	cgi QUERY_STRING="filename=c$i.png" REMOTE_ADDR=127.0.0.1 >"$T/cgi-$i" &
	pids+=($!)
	[ $((i % 20)) = 0 ] && wait "${pids[@]}" && pids=()
done
wait "${pids[@]}" "$curl_pid"
cat "$T"/cgi-[0-9]* >"$T/cgi-codes"
cat "$T/nginx-codes" "$T/cgi-codes" >"$T/all-codes"
is "$(tally "$T/all-codes")" "200x100 429x300" \
    "400 requests at once, a bucket of 100: exactly 100 signed, 300 refused"
is "$(grep -c . "$T/nginx-codes")/$(grep -c . "$T/cgi-codes")" 300/100 \
    "every request was answered (nginx $(tally "$T/nginx-codes"), CGI $(tally "$T/cgi-codes"))"
bad=$(awk '$1 == 429 && !($2 >= 3000 && $2 <= 3600)' "$T/all-codes" | head -3)
is "$bad" "" "every 429 says Retry-After: under an hour (1/h, slower runs wait less)"
is "$(children "$MASTER" | wc -w)" 4 "no worker died"
cgi QUERY_STRING=filename=x.png REMOTE_ADDR=127.0.0.2 >"$T/other"
is "$(cat "$T/other")" "200 " "another address still signs"

# ---- per user: the address does not matter -------------------------------
pids=()
for u in alice bob; do
	for i in $(seq 1 15); do
		fcgi QUERY_STRING="upload=peruser" REMOTE_USER=$u \
		    REMOTE_ADDR=192.0.2.$i >"$T/u-$u-f$i" &
		pids+=($!)
		cgi QUERY_STRING="upload=peruser" REMOTE_USER=$u \
		    REMOTE_ADDR=198.51.100.$i >"$T/u-$u-c$i" &
		pids+=($!)
	done
done
# Not a bare wait: nginx and ossign are children of this shell too.
wait "${pids[@]}"
for u in alice bob; do
	cat "$T"/u-$u-* >"$T/u-$u"
	is "$(tally "$T/u-$u")" "200x10 429x20" \
	    "$u: 30 requests from 30 addresses, FastCGI and CGI: 10 signed"
done

# ---- behind a trusted proxy: the forwarded client ------------------------
for c in 1 2; do
	for i in 1 2 3 4 5; do
		curl -s -o /dev/null -w '%{http_code}\n' \
		    -H "X-Forwarded-For: 203.0.113.66, 198.51.100.$c" \
		    "$URL?upload=fwd" >>"$T/fwd-$c"
	done
done
is "$(tally "$T/fwd-1")/$(tally "$T/fwd-2")" "200x3 429x2/200x3 429x2" \
    "through nginx (trusted): counted per forwarded client, not the forged left entry"
for i in 1 2 3 4 5; do
	cgi QUERY_STRING=upload=fwd REMOTE_ADDR=192.0.2.200 \
	    HTTP_X_FORWARDED_FOR=198.51.100.$i
done >"$T/fwd-untrusted"
is "$(tally "$T/fwd-untrusted")" "200x3 429x2" \
    "from an untrusted peer, X-Forwarded-For is ignored: one bucket"

# ---- a worker killed mid-stream, the service restarted --------------------
victim=$(children "$MASTER" | awk '{ print $1 }')
kill -KILL "$victim"
for ((n = 0; n < 50; n++)); do
	[ "$(children "$MASTER" | wc -w)" = 4 ] && ! alive "$victim" && break
	sleep 0.1
done
for i in 1 2 3 4 5 6 7 8; do
	curl -s -o /dev/null -w '%{http_code}\n' "$URL?filename=k.png"
done >"$T/after-kill"
is "$(tally "$T/after-kill")" "429x8" "a worker killed with -9 is replaced; the count holds"
stop_pid "$MASTER"
forget_pid "$MASTER"
fcgi_up
for i in 1 2 3; do
	curl -s -o /dev/null -w '%{http_code}\n' "$URL?filename=r.png"
done >"$T/after-restart"
is "$(tally "$T/after-restart")" "429x3" "a restarted service keeps the count"

# ---- the file ---------------------------------------------------------------
is "$(ino)" "$INO" "the same table file throughout (never replaced)"
is "$(stat -c '%a' "$T/cache/ratelimit")" 600 "mode 0600"
size=$(stat -c %s "$T/cache/ratelimit")
ok "$([ "$size" -gt 100000 ] && [ "$size" -lt 400000 ] && echo 0 || echo 1)" \
    "a fixed size of $size bytes (4096 slots)"
is "$(ls "$T/cache")" "ratelimit" "nothing else left in cache_dir"
grep -q 'rate-limit table is full\|table was cleared' "$ART"/*.log
ok $((!$?)) "no eviction and no reset was needed"

# ---- nginx limit_req, as deploy/nginx/ shows it -----------------------------
mkdir -p "$T/nginx-lr"
nginx_conf "$T/nginx-lr" "$(free_port)" "$T/fcgi.sock" "$T" || bail_out "nginx_conf failed"
sed -i 's|^#\(limit_req_zone .*\)|\1|' "$T/nginx-lr/ossign.conf"
sed -i 's|^\([[:space:]]*\)#\(limit_req .*\)|\1\2|' "$T/nginx-lr/snippets/ossign.conf"
grep -q '^limit_req_zone ' "$T/nginx-lr/ossign.conf" &&
    grep -q '^[[:space:]]*limit_req zone=' "$T/nginx-lr/snippets/ossign.conf" &&
    nginx -t -q -p "$T/nginx-lr" -c "$T/nginx-lr/nginx.conf" -e "$T/nginx-lr/error.log" \
	2>"$T/nginx-lr/t.log"
ok $? "deploy/nginx/: the commented limit_req lines, uncommented, pass nginx -t" ||
    diag_file "$T/nginx-lr/t.log"

stop_all
! grep -E '^==[0-9]+== |ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' \
    "$ART"/*.log | grep -qv 'Warning:' && [ ! -e "$T/checker-errors" ]
ok $? "no memory-checker or sanitizer report"
