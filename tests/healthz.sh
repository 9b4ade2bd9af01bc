#!/bin/bash
# GET .../healthz (issue 11): 200 when ossign could sign now, 503 with the
# reason when it could not, never a key id or a secret.  It asks for
# credentials exactly as a signature would: with a cold cache it refreshes
# (and the next signature uses what it fetched), with a warm one it calls
# nothing, and while STS fails it says so.  As a CGI; against the STS
# emulator when node_modules is there.
. "${top_srcdir:-.}/tests/lib/credsemu.sh"
need_ossign
need python3
plan 18

t_tmpdir
AKID=LTAI5tHealthzTestKey
SECRET=$(openssl rand -hex 20)
t_secret "$SECRET"
cat >"$T/env.conf" <<'CONF'
bucket = web-upload
region = cn-hangzhou
credentials = env
CONF

# health CONF [VAR=VALUE...]: GET .../healthz as a CGI; sets STATUS BODY.
health() {
	local conf=$1
	shift
	cgi "$conf" '' REQUEST_URI=/get_post_signature_for_oss_upload/healthz "$@"
}
py() {
	python3 -c 'import json, sys
b = json.loads(sys.stdin.read())
print(eval(sys.argv[1]))' "$1" <<<"$BODY" 2>/dev/null
}

health "$T/env.conf" ALIBABA_CLOUD_ACCESS_KEY_ID="$AKID" \
    ALIBABA_CLOUD_ACCESS_KEY_SECRET="$SECRET"
is "$STATUS" 200 "env: 200"
is "$BODY" '{"status":"ok","credentials":{"source":"env","expires_in":null}}' \
    "env: ok, a long-term key never expires (expires_in null)"
health "$T/env.conf"
is "$STATUS" 503 "env without the key in the environment: 503"
is "$(py 'b["status"], b["error"]["code"], b["credentials"]["source"]')" \
    "('unavailable', 'credentials_unavailable', 'env')" \
    "status unavailable, the reason as an error code, the source"
cgi "$T/env.conf" '' REQUEST_URI=/x/healthz REQUEST_METHOD=POST
is "$STATUS" 405 "POST on healthz: 405"

if [ -n "$NODE" ] && [ -d "$top_srcdir/node_modules/@alicloud/openapi-util" ]; then
	emu_start --lifetime 1800
	emu_conf "$T/sts.conf"
	health "$T/sts.conf"
	is "$STATUS" 200 "STS, cold cache: 200"
	is "$(emu_stat AssumeRole)" 1 "it refreshed, as a signature would have"
	is "$(py 'b["status"], b["credentials"]["source"]')" "('ok', 'ram_role_arn')" \
	    "status ok, source ram_role_arn"
	exp=$(py 'b["credentials"]["expires_in"]')
	# The emulator's clock and ours may round apart by a second.
	[ -n "$exp" ] && [ "$exp" -gt 1700 ] && [ "$exp" -le 1801 ]
	ok $? "expires_in: the seconds the credentials have left ($exp of 1800)"
	sts_id=$(emu_issued AccessKeyId | tail -n 1)
	grep -qF -e "$EMU_AKID" -e "$sts_id" -e STS. <<<"$BODY"
	is $? 1 "no key id in the answer (neither the long-term one nor STS's)"
	cgi "$T/sts.conf" 'filename=a.png'
	is "$(akid)" "$sts_id" "the next signature uses the credentials healthz fetched"
	for i in $(seq 20); do
		health "$T/sts.conf"
	done
	is "$STATUS $(emu_stat AssumeRole)" "200 1" "20 more health checks: no more STS calls"

	# STS fails, nothing cached: 503 with the reason, at most one call per
	# failure hold.
	rm -rf "$T/cache"
	emu_fail http503 -1 AssumeRole
	before=$(emu_stat AssumeRole)
	health "$T/sts.conf"
	is "$STATUS" 503 "STS failing, nothing cached: 503"
	is "$(py 'b["status"], b["error"]["code"]')" "('unavailable', 'credentials_unavailable')" \
	    "the reason: credentials_unavailable"
	like "$(py 'b["error"]["message"]')" 'ServiceUnavailable' "STS's own code in the message"
	health "$T/sts.conf"
	calls=$(( $(emu_stat AssumeRole) - before ))
	[ "$calls" -ge 1 ] && [ "$calls" -le 4 ]
	ok $? "two checks in a row: the failure hold spares STS ($calls calls, retries included)"
	emu_fail none
	sleep 1.2
	health "$T/sts.conf"
	is "$STATUS" 200 "STS back: 200 again"
	secrets_scan "$T/responses" "$T/cgi.log" "$T/sts.log"
else
	skip 13 "no node or node_modules: no STS emulator"
fi
