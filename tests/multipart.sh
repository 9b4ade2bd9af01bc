#!/bin/bash
# Uppy Companion's S3 routes (issue 12) end to end: nginx with
# deploy/nginx/ossign.conf (its /ossign/ location), ossign under spawn-fcgi,
# STS credentials with session_policy = auto (so the emulator checks every
# action multipart needs against the policy ossign asked for), the OSS
# emulator with its multipart API.  tests/lib/uppy-s3.js sends what both
# generations of @uppy/aws-s3 send and checks each answer; then ossign -t,
# and the logs hold no secret (tests/zz-secrets-scan.sh).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib/e2e.sh"

need nginx spawn-fcgi curl python3 openssl
need_ossign
e2e_have_oss || skip_all "no OSS emulator (node_modules)"

DRIVER=$top_srcdir/tests/lib/uppy-s3.js
n=$("$NODE" "$DRIVER" --count) || bail_out "tests/lib/uppy-s3.js --count failed"
plan $((n + 4))

t_tmpdir
STACK_DIR=$T
E2E_CREDS=sts
STACK_UPLOADS=$top_srcdir/tests/data/multipart-uploads.conf
ORIGIN=http://page.example
STACK_CONF_EXTRA="cors_origins = $ORIGIN
session_policy = auto"
# Before the config is written: callback_url names the page's port.
STACK_HTTP_PORT=$(free_port)
e2e_backend || bail_out "emulators did not start"
is "$STACK_CREDS" sts "STS credentials (session_policy = auto)"

"$STACK_OSSIGN" -c "$STACK_CONF" -t >"$T/t.out" 2>&1
ok $? "ossign -t accepts the multipart sections" || diag_file "$T/t.out"

stack_ossign || bail_out "ossign did not start"
STACK_AUTH=1
stack_nginx || bail_out "nginx did not start"
alice=$(cat "$T/nginx/password")
bob=$(openssl rand -hex 8)
htpasswd_make "$T/bob" bob "$bob"
cat "$T/bob" >>"$T/nginx/htpasswd"
t_secret "$alice"
t_secret "$bob"

BASE=$STACK_URL/ossign OSS=$STACK_OSS_URL ORIGIN=$ORIGIN SPOOL=$STACK_SPOOL \
ALICE="alice:$alice" BOB="bob:$bob" \
    "$NODE" "$DRIVER" >"$T/driver.out" 2>"$T/driver.err"
got=0
while IFS= read -r line; do
	case $line in
	"ok "*) ok 0 "${line#ok }"; got=$((got + 1)) ;;
	"not ok "*) ok 1 "${line#not ok }"; got=$((got + 1)) ;;
	esac
done <"$T/driver.out"
while [ "$got" -lt "$n" ]; do
	ok 1 "uppy-s3.js stopped before check $((got + 1))"
	got=$((got + 1))
done
[ -s "$T/driver.err" ] && diag_file "$T/driver.err"

# The policy ossign asked STS for: the multipart actions, and no more.
pol=$(python3 - "$STACK_STATE/issued" <<'PY'
import glob, json, sys
for f in sorted(glob.glob(sys.argv[1] + "/*.json")):
    p = json.load(open(f)).get("Policy")
    if p:
        acts = sorted({a for s in json.loads(p)["Statement"] for a in s["Action"]})
        print(" ".join(acts))
        break
PY
)
is "$pol" "oss:AbortMultipartUpload oss:ListParts oss:PutObject" \
    "session_policy = auto: PutObject, ListParts, AbortMultipartUpload"

uploads=$(curl -s "$STACK_OSS_URL/_emu/uploads" | python3 -c \
    'import json,sys; print(len(json.load(sys.stdin)["uploads"]))')
diag "uploads left in progress on the emulator: $uploads"
ok 0 "the stack ran to the end"
