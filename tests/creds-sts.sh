#!/bin/bash
# credentials = ram_role_arn against the STS emulator, through ossign as a
# CGI and as "ossign sign": one AssumeRole for 100 concurrent CGI runs
# (single flight), both signature styles, session_policy = auto, refresh
# ahead of expiry, stale-on-error and never an expired credential, every
# failure mode answered with its JSON error, cache-file attacks, httpoxy,
# TLS verification, and no secret in any log or answer.
. "${top_srcdir:-.}/tests/lib/credsemu.sh"
need_emu
plan 82

emu_start
# Generous timeouts here: 100 processes at once (under valgrind, too).
emu_conf "$T/o.conf" "connect_timeout = 10" "timeout = 20"
env -i $OSSIGN_WRAP "$OSSIGN" -c "$T/o.conf" -t >"$T/t.log" 2>&1
ok $? "ossign -t accepts the ram_role_arn configuration" || diag_file "$T/t.log"

# ---- 100 concurrent CGI runs, an empty cache, a slow STS: one call ------
# Slow: every other run waits for this one.
emu_fail slow:800 1 AssumeRole
mkdir -p "$T/par"
pids=()
for i in $(seq 1 100); do
	(cgi "$T/o.conf" "filename=f$i.png"
	printf '%s %s\n' "$STATUS" "$(akid)" >"$T/par/$i") &
	pids+=($!)
done
wait "${pids[@]}"
statuses=$(cat "$T/par"/* | awk '{print $1}' | sort | uniq -c | awk '{print $2 "x" $1}')
is "$statuses" "200x100" "100 concurrent CGI runs all answer 200"
is "$(emu_stat AssumeRole)" 1 "they made exactly one AssumeRole call"
is "$(cat "$T/par"/* | awk '{print $2}' | sort -u | wc -l)" 1 \
    "and all signed with the same AccessKeyId"
FIRST=$(cat "$T/par/1" | awk '{print $2}')
is "$FIRST" "$(emu_issued AccessKeyId)" "the one the emulator issued"
is "$(emu_last AssumeRole SignatureStyle)" ACS3 "ACS3 by default"
is "$(emu_last AssumeRole RoleSessionName)" ossign-test "role_session_name sent"
is "$(emu_last AssumeRole DurationSeconds)" 3600 "duration 3600 by default"
is "$(emu_last AssumeRole Policy)" "" "no session policy unless configured"
perm=$(stat -c %a "$T/cache" 2>/dev/null)/$(stat -c %a "$T"/cache/creds-*.json 2>/dev/null)
is "$perm" "700/600" "cache directory 0700, file 0600"

cgi "$T/o.conf" "filename=again.png"
is "$STATUS/$(akid)/$(emu_stat AssumeRole)" "200/$FIRST/1" \
    "a later CGI run reads the cache: still one call"

# ---- RPC signature, session_policy = auto ------------------------------
emu_conf "$T/rpc.conf" "sts_signature = rpc" "role_session_name = rpc-1" \
    "session_policy = auto" "[upload a]" "key_prefix = user/\${user}/" \
    "[upload b]" "key_prefix = public/img/"
cgi "$T/rpc.conf" "upload=b&filename=x.png"
is "$STATUS" 200 "RPC-signed AssumeRole works"
is "$(emu_last AssumeRole SignatureStyle)" RPC "it was RPC"
is "$(emu_last AssumeRole Policy)" \
    '{"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:PutObject"],"Resource":["acs:oss:*:*:ossign-test/user/*","acs:oss:*:*:ossign-test/public/img/*"]},{"Effect":"Deny","Action":["oss:PutObject"],"Resource":"*","Condition":{"StringEquals":{"oss:x-oss-object-acl":["public-read","public-read-write"]}}}]}' \
    "session_policy = auto narrows to PutObject under the prefixes, public ACLs denied"
is "$(emu_stat AssumeRole)" 2 "another configuration, its own cache entry"

# ---- refresh ahead of expiry, stale-on-error, never expired ------------
# "sign --time" moves ossign's clock (the cache's notion of now); STS
# still sees the real time.  A --time run reads the shared cache file but
# never writes it (its clock is not the host's): each one starts from the
# entry the first, real-clock run wrote.
emu_conf "$T/r.conf" "role_session_name = refresh" "cache_dir = $T/cache-r"
T0=$(date +%s)
at() { date -u -d "@$((T0 + $1))" +%Y-%m-%dT%H:%M:%SZ; }
n0=$(emu_stat AssumeRole)
sign "$T/r.conf"
A1=$(akid)
is "$RC/$(emu_stat AssumeRole)" "0/$((n0 + 1))" "sign: first credentials"
sign "$T/r.conf" --time "$(at 2600)"
is "$(akid)/$(emu_stat AssumeRole)" "$A1/$((n0 + 1))" \
    "1000 s left (more than refresh_before 900): no call"
sign "$T/r.conf" --time "$(at 2800)"
A2=$(akid)
is "$RC/$(emu_stat AssumeRole)" "0/$((n0 + 2))" \
    "800 s left: refreshed ahead of expiry"
isnt "$A2" "$A1" "with new credentials"
exp=$(jget expiration)
like "$exp" '^20[0-9-]+T' "the signature has an expiration"
ok "$([ "$(date -d "$exp" +%s)" -le $((T0 + 3600 + 30)) ] && echo 0 || echo 1)" \
    "which does not pass the credentials' expiry"

# A2 stayed with that run; the file still holds A1 (real time T0, 3600 s),
# 300 s left at T0 + 3300.
emu_fail http503 -1 AssumeRole
n=$(emu_stat AssumeRole)
sign "$T/r.conf" --time "$(at 3300)"
is "$RC/$(akid)" "0/$A1" "STS down at refresh time: the cached credentials still sign"
is "$(emu_stat AssumeRole)" $((n + 2)) "after one try and one retry"
like "$(cat "$T/sign.log")" "refresh failed .*ServiceUnavailable.*serving the cached credentials" \
    "the failure is logged"
sign "$T/r.conf" --time "$(at 3310)"
is "$RC/$(akid)/$(emu_stat AssumeRole)" "0/$A1/$((n + 4))" \
    "a --time run shares no refresh hold: the next one asks again"
emu_fail none
sign "$T/r.conf" --time "$(at 3340)"
A3=$(akid)
ok "$([ "$RC" = 0 ] && [ -n "$A3" ] && [ "$A3" != "$A1" ] && echo 0 || echo 1)" \
    "STS back: new credentials"
# The file's A1 has 40 s left at T0 + 3560.
emu_fail http503 -1 AssumeRole
sign "$T/r.conf" --time "$(at 3560)"
is "$RC/$(jget error/code)" "1/credentials_unavailable" \
    "40 s left and STS down: refused, never signed with them"
like "$(jget error/message)" 'ServiceUnavailable \(HTTP 503, RequestId [0-9A-F-]{36}\)' \
    "the error names the STS code and request id"
emu_fail none

# ---- every failure mode, through the CGI ------------------------------
emu_conf "$T/f.conf" "role_session_name = failures" "cache_dir = $T/cache-f"
# fails MODE STATUS CODE MESSAGE-ERE LOG-ERE
fails() {
	local mode=$1 status=$2 code=$3 msg=$4 log=$5 rid
	rm -rf "$T/cache-f"
	: >"$T/cgi-one.log"
	emu_fail "$mode" -1 AssumeRole
	cgi "$T/f.conf" "filename=x.png"
	emu_fail none
	ok "$([ "$STATUS" = "$status" ] && [ "$(jget error/code)" = "$code" ] && echo 0 || echo 1)" \
	    "$mode: $status $code" || diag "got $STATUS $BODY"
	like "$(jget error/message)" "$msg" "$mode: the message says what happened"
	if [ -n "$log" ]; then
		like "$(tail -n 5 "$T/cgi.log")" "$log" "$mode: the log says what to fix"
	fi
	rid=$(jget error/message | sed -n 's/.*RequestId \([0-9A-F-]\{36\}\).*/\1/p')
	if [ -n "$rid" ]; then
		grep -q "req=$rid" "$T/sts.log"
		ok $? "$mode: the request id is STS's own"
	fi
}
fails nopermission 502 credentials_refused \
    '^STS AssumeRole refused: NoPermission \(RequestId [0-9A-F-]{36}\)$' \
    "trust policy"
fails badrole 502 credentials_refused 'EntityNotExist.Role \(RequestId ' "check role_arn"
fails timestamp 502 credentials_refused 'InvalidTimeStamp.Expired \(RequestId ' \
    "clock is off by more than 15 minutes"
fails throttle 503 credentials_unavailable 'Throttling.User \(HTTP 400, RequestId ' \
    "throttling"
fails http500 503 credentials_unavailable 'InternalError \(HTTP 500, RequestId ' ""
fails http503 503 credentials_unavailable 'ServiceUnavailable \(HTTP 503, RequestId ' ""
fails garbage 503 credentials_unavailable 'cannot be used \(HTTP 200, Code none, RequestId ' ""
fails partial 503 credentials_unavailable 'cannot be used \(HTTP 200, Code none, RequestId ' ""
start=$(date +%s)
fails hang 503 credentials_unavailable 'unavailable: timed out' "did not answer in time"
ok "$([ $(($(date +%s) - start)) -le 8 ] && echo 0 || echo 1)" \
    "hang: bounded by timeout and retries"
fails close 503 credentials_unavailable 'unavailable: ' ""

# ---- cache-file attacks ---------------------------------------------------
emu_conf "$T/a.conf" "role_session_name = attacks" "cache_dir = $T/cache-a"
cgi "$T/a.conf" "filename=x.png"
GOOD=$(akid)
cf=$(echo "$T"/cache-a/creds-*.json)
# A valid-looking entry with credentials the attacker chose.
sed 's/"AccessKeyId":"[^"]*"/"AccessKeyId":"STS.attacker"/' "$cf" >"$T/evil.json"
chmod 600 "$T/evil.json"
attack() {
	local what=$1 n
	n=$(emu_stat AssumeRole)
	cgi "$T/a.conf" "filename=x.png"
	ok "$([ "$STATUS" = 200 ] && [ "$(akid)" != STS.attacker ] &&
	    [ "$(emu_stat AssumeRole)" = $((n + 1)) ] && echo 0 || echo 1)" \
	    "$what: not trusted, fresh credentials fetched" ||
	    diag "status $STATUS akid $(akid)"
	ok "$([ -f "$cf" ] && [ ! -L "$cf" ] && [ "$(stat -c %a "$cf")" = 600 ] &&
	    ! grep -q STS.attacker "$cf" && echo 0 || echo 1)" \
	    "$what: replaced by a private regular file"
}
rm -f "$cf" && ln -s "$T/evil.json" "$cf"
attack "symlink"
cp "$T/evil.json" "$cf" && chmod 644 "$cf"
attack "mode 0644"
cp "$T/evil.json" "$cf" && chmod 600 "$cf" && chown nobody "$cf"
attack "owned by nobody"
printf 'garbage\n' >"$cf"
attack "garbage"
head -c 100 "$T/evil.json" >"$cf"
attack "truncated"

# ---- httpoxy: a CGI's HTTP_PROXY comes from the client --------------------
rm -rf "$T/cache-a"
n=$(emu_stat AssumeRole)
cgi "$T/a.conf" "filename=x.png" HTTP_PROXY=http://127.0.0.1:1 \
    HTTPS_PROXY=http://127.0.0.1:1 https_proxy=http://127.0.0.1:1 \
    http_proxy=http://127.0.0.1:1 ALL_PROXY=http://127.0.0.1:1
is "$STATUS/$(emu_stat AssumeRole)" "200/$((n + 1))" \
    "proxy variables in the environment are not used"
emu_conf "$T/p.conf" "role_session_name = proxied" "cache_dir = $T/cache-p" \
    "proxy = http://127.0.0.1:1"
cgi "$T/p.conf" "filename=x.png"
is "$STATUS/$(jget error/code)" "503/credentials_unavailable" \
    "but a configured proxy is (control: nothing listens there)"

# ---- TLS: a certificate from another CA is refused ----------------------
sh "$top_srcdir/tests/lib/mkca.sh" "$T/ca2" >/dev/null 2>&1
emu_conf "$T/tls.conf" "role_session_name = tls" "cache_dir = $T/cache-t" \
    "ca_file = $T/ca2/ca.pem"
cgi "$T/tls.conf" "filename=x.png"
is "$STATUS/$(jget error/message)" \
    "503/STS AssumeRole is unavailable: TLS verification failed" \
    "a server the CA does not vouch for is refused"
like "$(tail -n 3 "$T/cgi.log")" "check ca_file" "and the log says to check ca_file"

# ---- a bad long-term key ------------------------------------------------
(umask 077 && printf '%s\nwrong-secret\n' "$EMU_AKID" >"$T/bad_key")
emu_conf "$T/k.conf" "role_session_name = badkey" "cache_dir = $T/cache-k"
sed -i "s|^access_key_file = .*|access_key_file = $T/bad_key|" "$T/k.conf"
cgi "$T/k.conf" "filename=x.png"
is "$STATUS/$(jget error/code)" "502/credentials_refused" "a wrong secret: 502"
like "$(jget error/message)" "SignatureDoesNotMatch" "naming SignatureDoesNotMatch"
chmod 644 "$T/bad_key"
cgi "$T/k.conf" "filename=x.png"
is "$STATUS" 503 "a world-readable access_key_file: refused, 503"
like "$(tail -n 2 "$T/cgi.log")" "access_key_file .* accessible by group or others" \
    "and the log says why"

# ---- nothing leaked ---------------------------------------------------------
secrets_scan "$T/sts.log" "$T/cgi.log" "$T/sign.log" "$T/responses" "$T/t.log"
checker_clean
