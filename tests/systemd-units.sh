#!/bin/bash
# deploy/systemd/: the units pass "systemd-analyze verify", their hardening
# scores "OK" in "systemd-analyze security", and the service's ExecStart
# works under socket activation (LISTEN_FDS, emulated with
# systemd-socket-activate) behind nginx, with its workers, and stops cleanly.
# systemd itself is not needed (nor started): everything runs as a test.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib/e2e.sh"

need systemd-analyze
need_ossign

plan 9

t_tmpdir
units=$top_srcdir/deploy/systemd
mkdir -p "$T/units"
cp "$units/ossign.socket" "$units/ossign.service" "$T/units/"
# verify checks that the programs exist: point them at the built one.
sed -i "s|/usr/local/bin/ossign|$OSSIGN|g" "$T/units/ossign.service"

(cd "$T/units" && systemd-analyze verify --man=no ./ossign.socket ./ossign.service) \
    >"$T/verify.log" 2>&1
ok $? "systemd-analyze verify accepts ossign.socket and ossign.service" ||
    diag_file "$T/verify.log"

(cd "$T/units" && systemd-analyze security --offline=yes --no-pager ./ossign.service) \
    >"$T/security.log" 2>&1
level=$(sed -n 's/.*Overall exposure level for ossign.service: \([0-9.]*\).*/\1/p' "$T/security.log")
like "$level" '^(0|1)\.[0-9]$' "systemd-analyze security: exposure below 2.0 (got ${level:-none})" ||
    diag_file "$T/security.log" 60

# The pieces of the units the tests below rely on.
svc=$units/ossign.service
grep -q '^ListenStream=/run/ossign/ossign.sock$' "$units/ossign.socket" &&
grep -q '^Environment=OSSIGN_CONFIG=/etc/ossign/ossign.conf$' "$svc" &&
grep -q '^DynamicUser=yes$' "$svc" &&
grep -q '^LoadCredential=access_key:' "$svc" &&
grep -q '^RuntimeDirectory=ossign/cache$' "$svc"
ok $? "units: socket path, OSSIGN_CONFIG, DynamicUser, LoadCredential, RuntimeDirectory"

# ExecStart under socket activation: fd 3, LISTEN_FDS=1, LISTEN_PID.
exec_start=$(sed -n 's/^ExecStart=//p' "$svc")
read -r -a argv <<<"$exec_start"
workers=$(sed -n 's/.* -n \([0-9]*\).*/\1/p' <<<"$exec_start")
like "${argv[0]}" '/ossign$' "ExecStart runs ossign (-n ${workers:-?})"
argv[0]=$T/bin/ossign

STACK_DIR=$T
e2e_backend || bail_out "test backend did not start"
need_activate() { command -v systemd-socket-activate >/dev/null 2>&1; }
if need_activate && command -v nginx >/dev/null 2>&1; then
	sock=$T/ossign.sock
	_activate() {
		stack_export_keys
		bg_exec systemd-socket-activate -l "$sock" -E OSSIGN_CONFIG="$STACK_CONF" \
		    -E ALIBABA_CLOUD_ACCESS_KEY_ID -E ALIBABA_CLOUD_ACCESS_KEY_SECRET \
		    "${argv[@]}"
	}
	bg_start "$T/activate.log" _activate
	apid=$BG_PID
	wait_sock "$sock" 10 "$apid"
	port=$(free_port)
	nginx_conf "$T/nginx" "$port" "$sock" "$STACK_WWW" &&
	bg_start "$T/nginx/stderr.log" nginx -p "$T/nginx" -c "$T/nginx/nginx.conf" -e "$T/nginx/error.log" &&
	wait_port "$port" 10 "$BG_PID"
	npid=$BG_PID
	st=$(http_get "http://127.0.0.1:$port/get_post_signature_for_oss_upload?filename=a.txt&size=3" "$T/sig.json")
	is "$st" 200 "socket-activated ossign (LISTEN_FDS) signs through nginx" ||
	    { diag_file "$T/activate.log"; diag_file "$T/nginx/error.log"; }
	like "$(json_get "$T/sig.json" fields.key)" '/a\.txt$' "the reply carries the key"
	# A second request is served by the same socket, maybe another worker.
	st=$(http_get "http://127.0.0.1:$port/get_post_signature_for_oss_upload?size=0&upload=nope" "$T/e.json")
	is "$st/$(json_get "$T/e.json" error.code)" 400/unknown_upload "an unknown upload: 400 unknown_upload"
	n=$(wait_pids_count "$STACK_OSSIGN" $((workers + 1)) 10)
	is "$n" $((workers + 1)) "a master and $workers workers run"
	stop_pid "$apid"
	forget_pid "$apid"
	is "$(pids_running "$STACK_OSSIGN")" "" "SIGTERM to the master leaves no ossign process"
	stop_pid "$npid"
	forget_pid "$npid"
else
	skip 5 "systemd-socket-activate or nginx missing"
fi
