#!/bin/bash
# End to end through nginx with deploy/nginx/ossign.conf, ossign under
# spawn-fcgi (deploy/spawn-fcgi.sh) on a Unix socket, the OSS emulator
# behind: sign, upload, read back, errors; then nginx's auth_basic passing
# REMOTE_USER; then everything stops and no ossign process is left.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib/e2e.sh"

need nginx spawn-fcgi curl python3 openssl
need_ossign

plan $((E2E_NTESTS + 13))

t_tmpdir
STACK_DIR=$T
E2E_CREDS=sts
e2e_backend || bail_out "emulators did not start"

"$STACK_OSSIGN" -c "$STACK_CONF" -t >"$T/t.out" 2>&1
ok $? "ossign -t accepts the config built from deploy/ossign.conf.example" ||
    diag_file "$T/t.out"

stack_ossign
ok $? "ossign listens on its socket under spawn-fcgi"
stack_nginx
ok $? "nginx starts with deploy/nginx/ossign.conf" || bail_out "nginx did not start"

st=$(http_get "$STACK_URL/" "$T/index.html")
grep -q 'upload.js' "$T/index.html"
ok $? "nginx serves www/ (GET / $st)"

e2e_checks "$STACK_SIGN_URL"

# Signed with STS credentials: the emulator's AssumeRole answer, cached.
if [ "$STACK_CREDS" = sts ]; then
	http_get "$STACK_SIGN_URL?filename=s.txt" "$T/s.json" >/dev/null
	cred=$(json_get "$T/s.json" x_oss_credential)
	tok=$(json_get "$T/s.json" fields.x-oss-security-token)
	[ "${cred#STS.}" != "$cred" ] && [ -r "$STACK_STATE/issued/${cred%%/*}.json" ] &&
	    [ -n "$tok" ]
	ok $? "signed with an STS credential the emulator issued, with its token"
else
	skip 1 "no STS emulator"
fi

# ---- authentication: the commented auth_basic lines of the config, on ----
stop_pid "$STACK_PID_NGINX"
forget_pid "$STACK_PID_NGINX"
STACK_AUTH=1
stack_nginx
ok $? "nginx restarts with auth_basic and REMOTE_USER \$remote_user" ||
    bail_out "nginx did not restart"
pw=$(cat "$T/nginx/password")
st=$(http_get "$STACK_SIGN_URL?upload=private&filename=notes.txt" "$T/p.json" \
    -u "alice:$pw")
is "$st" 200 "private: signed for an authenticated user" || diag "$(mask <"$T/p.json")"
is "$(json_get "$T/p.json" dir)" user/alice/ "private: dir is user/alice/ (REMOTE_USER)"
st=$(http_get "$STACK_SIGN_URL?upload=private&filename=notes.txt" "$T/p2.json" \
    -u "alice:wrong")
is "$st" 401 "private: wrong password refused by nginx"
# OSS cannot log in: the callback's location has auth_basic off.
if [ "${E2E_OSS:-0}" = 1 ]; then
	head -c 100 /dev/urandom >"$T/cb2.bin"
	http_get "$STACK_SIGN_URL?upload=notify&filename=cb2.bin" "$T/cb2.json" -u "alice:$pw" >/dev/null
	st=$(post_object "$T/cb2.json" "$T/cb2.bin" "$T/cb2.out")
	is "$st/$(json_get "$T/cb2.out" status)" 200/ok \
	    "with auth_basic on, OSS's callback still reaches ossign (auth_basic off there)"
else
	skip 1 "no OSS emulator"
fi

# ---- stop: by pid, nothing left ---------------------------------------------
before=$(wait_pids_count "$STACK_OSSIGN" $((${STACK_WORKERS:-2} + 1)) 10)
is "$before" $((${STACK_WORKERS:-2} + 1)) "ossign ran as a master and ${STACK_WORKERS:-2} workers"
stop_pid "$STACK_PID_OSSIGN" 5
forget_pid "$STACK_PID_OSSIGN"
left=$(pids_running "$STACK_OSSIGN")
is "$left" "" "stopping the ossign master (SIGTERM) stops its workers" ||
    for p in $left; do kill -KILL "$p"; done
stop_pid "$STACK_PID_NGINX"
forget_pid "$STACK_PID_NGINX"
alive "$STACK_PID_NGINX"
ok $((! $?)) "nginx stopped"
