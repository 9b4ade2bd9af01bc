#!/bin/bash
# End to end through lighttpd with deploy/lighttpd/ossign.conf, both
# variants: 1) lighttpd starts ossign itself (bin-path, fd 0 socket, -n
# workers); 2) ossign runs apart under spawn-fcgi and lighttpd connects to
# its socket, then with mod_auth passing REMOTE_USER.  Each: sign, upload to
# the OSS emulator, read back, errors.  Every process is stopped by pid.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib/e2e.sh"

need lighttpd spawn-fcgi curl python3 openssl
need_ossign

plan $((2 * E2E_NTESTS + 11))

t_tmpdir
STACK_DIR=$T
e2e_backend || bail_out "emulators did not start"
src=$top_srcdir/deploy/lighttpd/ossign.conf

# lighttpd_conf DIR PORT VARIANT [auth]: the test lighttpd.conf around a
# copy of the deploy file with paths filled in.
lighttpd_conf() {
	local d=$1 port=$2 variant=$3 auth=${4:-}
	mkdir -p "$d/tmp"
	if [ "$variant" = 1 ]; then
		sed -e "s|\"/usr/local/bin/ossign |\"$STACK_OSSIGN |" \
		    -e "s|/run/lighttpd/ossign.sock|$d/ossign.sock|" \
		    -e "s|\"/etc/ossign/ossign.conf\"|\"$STACK_CONF\"|" \
		    -e 's|"bin-copy-environment" => ( "PATH" ),|"bin-copy-environment" => ( "PATH", "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET" ),|' \
		    "$src" >"$d/ossign.conf"
		grep -q "\"bin-path\" => \"$STACK_OSSIGN -n [0-9]*\"" "$d/ossign.conf" &&
		grep -q "$d/ossign.sock" "$d/ossign.conf" &&
		grep -q "\"$STACK_CONF\"" "$d/ossign.conf" &&
		grep -q 'ALIBABA_CLOUD_ACCESS_KEY_SECRET' "$d/ossign.conf" || return 1
	else
		sed -e '/^# >>> variant 1/,/^# <<< variant 1/d' -e 's|^#~ ||' \
		    -e "s|/run/ossign/ossign.sock|$STACK_SOCK|" \
		    "$src" >"$d/ossign.conf"
		grep -q "^[[:space:]]*\"socket\" => \"$STACK_SOCK\"" "$d/ossign.conf" &&
		! grep -q bin-path "$d/ossign.conf" || return 1
	fi
	cat >"$d/lighttpd.conf" <<EOF
# Test wrapper for deploy/lighttpd/ossign.conf (tests/e2e-lighttpd.sh).
server.modules = ( "mod_access", "mod_auth", "mod_authn_file", "mod_fastcgi" )
server.document-root = "$STACK_WWW"
server.bind = "127.0.0.1"
server.port = $port
server.errorlog = "$d/error.log"
server.upload-dirs = ( "$d/tmp" )
index-file.names = ( "index.html" )
mimetype.assign = ( ".html" => "text/html", ".js" => "text/javascript",
	".css" => "text/css", "" => "application/octet-stream" )
include "$d/ossign.conf"
EOF
	if [ -n "$auth" ]; then
		cat >>"$d/lighttpd.conf" <<EOF
auth.backend = "htpasswd"
auth.backend.htpasswd.userfile = "$d/htpasswd"
auth.require = ( "/get_post_signature_for_oss_upload" =>
	( "method" => "basic", "realm" => "Uploads", "require" => "valid-user" ) )
EOF
	fi
	lighttpd -tt -f "$d/lighttpd.conf" >"$d/configtest.log" 2>&1 ||
	    { diag_file "$d/configtest.log"; return 1; }
}

# lighttpd_run DIR: start it in the foreground (-D) with the test key in its
# environment (variant 1 copies it to ossign); sets LPID.
_lighttpd_exec() {
	stack_export_keys
	bg_exec lighttpd -D -f "$1/lighttpd.conf"
}
lighttpd_run() {
	bg_start "$1/stderr.log" _lighttpd_exec "$1"
	LPID=$BG_PID
	wait_port "$PORT" 10 "$LPID"
}

# ---- variant 1: lighttpd spawns ossign ---------------------------------------
PORT=$STACK_HTTP_PORT
D=$T/lt1
lighttpd_conf "$D" "$PORT" 1
ok $? "variant 1 (bin-path): config filled in and accepted by lighttpd -tt" ||
    bail_out "variant 1 config"
lighttpd_run "$D"
ok $? "variant 1: lighttpd listens" || { diag_file "$D/error.log"; bail_out "lighttpd"; }
workers=$(sed -n 's/.*"bin-path" => "[^"]* -n \([0-9]*\)".*/\1/p' "$D/ossign.conf")
n=$(wait_pids_count "$STACK_OSSIGN" $((workers + 1)) 10)
is "$n" $((workers + 1)) "variant 1: lighttpd started ossign, a master and $workers workers"
e2e_checks "http://127.0.0.1:$PORT/get_post_signature_for_oss_upload"
stop_pid "$LPID"
forget_pid "$LPID"
left=$(pids_running "$STACK_OSSIGN")
is "$left" "" "variant 1: stopping lighttpd stops the ossign it started" ||
    for p in $left; do kill -KILL "$p"; done

# ---- variant 2: ossign apart (spawn-fcgi), lighttpd connects -----------------
stack_ossign
ok $? "variant 2: ossign listens on its socket under spawn-fcgi"
PORT=$STACK_HTTP_PORT
D=$T/lt2
lighttpd_conf "$D" "$PORT" 2
ok $? "variant 2 (socket): config filled in and accepted by lighttpd -tt" ||
    bail_out "variant 2 config"
lighttpd_run "$D"
ok $? "variant 2: lighttpd listens" || { diag_file "$D/error.log"; bail_out "lighttpd"; }
e2e_checks "http://127.0.0.1:$PORT/get_post_signature_for_oss_upload"
stop_pid "$LPID"
forget_pid "$LPID"

# ---- variant 2 with mod_auth: REMOTE_USER ----------------------------------------
D=$T/lt3
lighttpd_conf "$D" "$PORT" 2 auth || diag "auth config failed"
pw=$(openssl rand -hex 8)
htpasswd_make "$D/htpasswd" alice "$pw"
lighttpd_run "$D"
st=$(http_get "http://127.0.0.1:$PORT/get_post_signature_for_oss_upload?upload=private&filename=n.txt" \
    "$T/p.json" -u "alice:$pw")
is "$st" 200 "mod_auth: an authenticated user is signed for" || diag "$(mask <"$T/p.json")"
is "$(json_get "$T/p.json" dir)" user/alice/ "mod_auth: dir is user/alice/ (REMOTE_USER)"
st=$(http_get "http://127.0.0.1:$PORT/get_post_signature_for_oss_upload?upload=private" \
    "$T/p2.json" -u "alice:wrong")
is "$st" 401 "mod_auth: a wrong password is refused"
stop_pid "$LPID"
forget_pid "$LPID"
stop_pid "$STACK_PID_OSSIGN"
forget_pid "$STACK_PID_OSSIGN"
is "$(pids_running "$STACK_OSSIGN")" "" "variant 2: no ossign process left"
