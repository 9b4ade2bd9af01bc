#!/bin/bash
# End to end through Apache 2.4 + mod_fcgid with
# deploy/apache/ossign-fcgid.conf: Apache starts the ossign processes itself
# (a listening socket on fd 0, one request at a time each).  Sign, upload to
# the OSS emulator, read back, errors; concurrent requests; a request body
# over FcgidMaxRequestLen; no process left once Apache stops.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib/apache.sh"

apache_need fcgid
need curl python3 openssl
need_ossign

plan $((E2E_NTESTS + 10))

t_tmpdir
STACK_DIR=$T
e2e_backend || bail_out "emulators did not start"
# mod_fcgid runs ossign as Apache's user: cache_dir and the spool are its.
stack_callback_owner "$APACHE_USER"
PROG=$T/bin/ossign.fcgi
cp "$STACK_OSSIGN" "$PROG" && chmod 755 "$PROG"

D=$T/apache
mkdir -p "$D/fcgid"
[ -n "$APACHE_USER" ] && chown "$APACHE_USER" "$D/fcgid"
# The deploy file with the program and config paths filled in; the test key
# from Apache's environment (${...} is expanded when Apache reads the file).
sed -e "s|\"/usr/local/lib/ossign/ossign.fcgi\"|\"$PROG\"|" \
    -e "s|FcgidInitialEnv OSSIGN_CONFIG /etc/ossign/ossign.conf|&\\
	FcgidInitialEnv ALIBABA_CLOUD_ACCESS_KEY_ID \${ALIBABA_CLOUD_ACCESS_KEY_ID}\\
	FcgidInitialEnv ALIBABA_CLOUD_ACCESS_KEY_SECRET \${ALIBABA_CLOUD_ACCESS_KEY_SECRET}|" \
    -e "s|FcgidInitialEnv OSSIGN_CONFIG /etc/ossign/ossign.conf|FcgidInitialEnv OSSIGN_CONFIG $STACK_CONF|" \
    "$top_srcdir/deploy/apache/ossign-fcgid.conf" >"$D/ossign.conf"
grep -q "\"$PROG\"" "$D/ossign.conf" &&
grep -q "FcgidInitialEnv OSSIGN_CONFIG $STACK_CONF\$" "$D/ossign.conf" &&
grep -q 'FcgidInitialEnv ALIBABA_CLOUD_ACCESS_KEY_SECRET' "$D/ossign.conf"
ok $? "deploy/apache/ossign-fcgid.conf: program and config paths filled in"
maxlen=$(sed -n 's/^[[:space:]]*FcgidMaxRequestLen \([0-9]*\).*/\1/p' "$D/ossign.conf")
maxproc=$(sed -n 's/^[[:space:]]*FcgidMaxProcessesPerClass \([0-9]*\).*/\1/p' "$D/ossign.conf")

PORT=$STACK_HTTP_PORT
APACHE_EXTRA="FcgidIPCDir \"$D/fcgid\"
FcgidProcessTableFile \"$D/fcgid/shm\""
apache_conf "$D" "$PORT" event "$D/ossign.conf" fcgid
ok $? "Apache accepts the config" || bail_out "config"
apache_run "$D" "$PORT"
ok $? "Apache (event MPM, mod_fcgid) listens on 127.0.0.1:$PORT" || bail_out "apache2 did not start"

URL=http://127.0.0.1:$PORT/get_post_signature_for_oss_upload
e2e_checks "$URL"

# Eight at once: mod_fcgid gives each process one request at a time and
# starts more (up to FcgidMaxProcessesPerClass) as requests wait.
cpids=()
for i in 1 2 3 4 5 6 7 8; do
	curl -s -m 30 -o /dev/null -w '%{http_code}\n' "$URL?filename=f$i.txt&size=$i" >"$T/par.$i" &
	cpids+=($!)
done
wait "${cpids[@]}"	# not a bare "wait": that would wait for Apache too
is "$(cat "$T"/par.* | sort -u | tr -d '\n')" 200 "8 concurrent requests: all 200"
n=$(pids_running "$PROG" | wc -l)
[ "$n" -ge 1 ] && [ "$n" -le "${maxproc:-8}" ]
ok $? "between 1 and FcgidMaxProcessesPerClass (${maxproc:-?}) ossign processes ($n)"

# A body on GET is read and refused by ossign; one above FcgidMaxRequestLen
# never reaches it.
head -c 1000 /dev/zero | tr '\0' a >"$T/small"
st=$(http_get "$URL?size=1" "$T/b1.json" -X GET --data-binary @"$T/small")
is "$st/$(json_get "$T/b1.json" error.code)" 400/bad_request "a body on GET: 400 bad_request"
head -c $((${maxlen:-65536} + 4096)) /dev/zero | tr '\0' a >"$T/big"
st=$(http_get "$URL?size=1" "$T/b2.out" -X GET --data-binary @"$T/big")
like "$st" '^(413|500)$' "a body over FcgidMaxRequestLen (${maxlen:-?}) is refused by Apache ($st)"
st=$(http_get "$URL?filename=after.txt&size=5" "$T/after.json")
is "$st" 200 "the next request is still served"

apache_stop
alive "$APID"
ok $((! $?)) "Apache stopped"
left=$(pids_running "$PROG")
is "$left" "" "no ossign process left after Apache stops" ||
    for p in $left; do kill -KILL "$p"; done
