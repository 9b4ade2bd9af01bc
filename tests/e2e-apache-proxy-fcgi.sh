#!/bin/bash
# End to end through Apache 2.4 (event MPM) + mod_proxy_fcgi with
# deploy/apache/ossign-proxy-fcgi.conf; ossign under spawn-fcgi
# (deploy/spawn-fcgi.sh) on a Unix socket owned by Apache's user.  Sign,
# upload to the OSS emulator, read back, errors; then the commented
# authentication lines on (REMOTE_USER); everything stopped by pid.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib/apache.sh"

apache_need proxy proxy_fcgi
need spawn-fcgi curl python3 openssl
need_ossign

plan $((E2E_NTESTS + 9))

t_tmpdir
STACK_DIR=$T
e2e_backend || bail_out "emulators did not start"

# ossign as in production: the socket belongs to Apache's user, mode 0660.
STACK_SOCK_OWNER=$APACHE_USER STACK_SOCK_MODE=0660 stack_ossign
ok $? "ossign listens on a socket owned by ${APACHE_USER:-the test user}"

# apache_snippet DIR [auth]: the deploy file with the socket filled in.
apache_snippet() {
	local d=$1
	mkdir -p "$d"
	sed -e "s|unix:/run/ossign/ossign.sock|unix:$STACK_SOCK|" \
	    "$top_srcdir/deploy/apache/ossign-proxy-fcgi.conf" >"$d/ossign.conf"
	if [ -n "${2:-}" ]; then
		sed -i -e 's|^\([[:space:]]*\)#\(Auth[A-Za-z]* \)|\1\2|' \
		    -e "s|AuthUserFile .*|AuthUserFile $d/htpasswd|" \
		    -e 's|^\([[:space:]]*\)#Require valid-user|\1Require valid-user|' "$d/ossign.conf"
		grep -q "^[[:space:]]*AuthUserFile $d/htpasswd" "$d/ossign.conf" &&
		grep -q '^[[:space:]]*Require valid-user' "$d/ossign.conf" || return 1
	fi
	grep -q "unix:$STACK_SOCK|fcgi://localhost/" "$d/ossign.conf"
}

PORT=$STACK_HTTP_PORT
D=$T/apache
apache_snippet "$D" && apache_conf "$D" "$PORT" event "$D/ossign.conf" proxy proxy_fcgi
ok $? "Apache accepts deploy/apache/ossign-proxy-fcgi.conf (socket filled in)" ||
    bail_out "config"
apache_run "$D" "$PORT"
ok $? "Apache (event MPM) listens on 127.0.0.1:$PORT" || bail_out "apache2 did not start"
st=$(http_get "http://127.0.0.1:$PORT/" "$T/index.html")
grep -q upload.js "$T/index.html"
ok $? "Apache serves www/ (GET / $st)"

e2e_checks "http://127.0.0.1:$PORT/get_post_signature_for_oss_upload"
apache_stop

# ---- the commented authentication lines, on ------------------------------------
D=$T/apache-auth
apache_snippet "$D" auth
pw=$(openssl rand -hex 8)
htpasswd_make "$D/htpasswd" alice "$pw"
chmod 644 "$D/htpasswd"
apache_conf "$D" "$PORT" event "$D/ossign.conf" proxy proxy_fcgi && apache_run "$D" "$PORT"
ok $? "Apache restarts with AuthType Basic on the endpoint"
st=$(http_get "http://127.0.0.1:$PORT/get_post_signature_for_oss_upload?upload=private&filename=n.txt" \
    "$T/p.json" -u "alice:$pw")
is "$st" 200 "auth: an authenticated user is signed for" || diag "$(mask <"$T/p.json")"
is "$(json_get "$T/p.json" dir)" user/alice/ "auth: dir is user/alice/ (REMOTE_USER)"
apache_stop
alive "$APID"
ok $((! $?)) "Apache stopped"

stop_pid "$STACK_PID_OSSIGN"
forget_pid "$STACK_PID_OSSIGN"
is "$(pids_running "$STACK_OSSIGN")" "" "no ossign process left"
