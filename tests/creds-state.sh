#!/bin/bash
# What the processes of a host share through cache_dir stays bounded by
# each reader's own clock, and "ossign sign --time" (a clock of its own)
# never writes there (issue 9, defect 2): a failure hold, a refresh hold
# or an obtained time far in the future, whoever wrote it, pins nobody.
# Nor do credentials that say they last for ever (defect 9).
. "${top_srcdir:-.}/tests/lib/credsemu.sh"
need_emu
plan 12

emu_start

# ---- sign --time with a failing source writes nothing -------------------
emu_conf "$T/t.conf" "cache_dir = $T/cache-t" "role_session_name = time"
mkdir -m 700 "$T/cache-t"
emu_fail http503 -1 AssumeRole
sign "$T/t.conf" --time 2030-01-01T00:00:00Z
is "$RC/$(jget error/code)" "1/credentials_unavailable" \
    "sign --time 2030 with STS down: refused"
is "$(ls -A "$T/cache-t" | tr '\n' ' ')" "" \
    "and nothing written to cache_dir: no failure hold, no entry, no lock"
emu_fail none
n=$(emu_stat AssumeRole)
cgi "$T/t.conf" "filename=a.png"
is "$STATUS/$(emu_stat AssumeRole)" "200/$((n + 1))" \
    "a CGI on the host's clock asks STS and signs"

# A --time run reads what the host's processes share, but leaves it alone.
sum0=$(cat "$T"/cache-t/* | md5sum)
ls0=$(ls -A "$T/cache-t" | tr '\n' ' ')
n=$(emu_stat AssumeRole)
sign "$T/t.conf" --time "$(iso_in 3000)"
is "$RC/$(emu_stat AssumeRole)" "0/$((n + 1))" \
    "sign --time near the entry's expiry: refreshes for itself"
is "$(ls -A "$T/cache-t" | tr '\n' ' ')/$(cat "$T"/cache-t/* | md5sum)" "$ls0/$sum0" \
    "and the shared files are as they were"

# ---- a far-future failure hold in the file is not trusted ---------------
emu_conf "$T/f.conf" "cache_dir = $T/cache-f" "role_session_name = hold"
emu_fail http503 -1 AssumeRole
cgi "$T/f.conf" "filename=a.png"
emu_fail none
fail=$(echo "$T"/cache-f/creds-*.fail)
ok "$([ "$STATUS" = 503 ] && [ -f "$fail" ] && echo 0 || echo 1)" \
    "a failing refresh leaves its hold in the cache"
# As the old "sign --time 2030" did (or anyone who can write there).
sed -i 's/"FailedUntil":"[^"]*"/"FailedUntil":"2030-01-01T00:00:00Z"/' "$fail"
n=$(emu_stat AssumeRole)
cgi "$T/f.conf" "filename=b.png"
is "$STATUS/$(emu_stat AssumeRole)" "200/$((n + 1))" \
    "a hold until 2030 is not trusted: STS is asked, the request signed"
like "$(tail -n 5 "$T/cgi.log")" "FailedUntil .* not trusted" \
    "and the log says why"

# ---- an Expiration far ahead is bounded (issue 9, defect 9) -------------
# A credentials URI that says its credentials last until the year 5195: a
# plain HTTP server of the test's own, one answer file.
mkdir -p "$T/uri"
printf '{"Code":"Success","AccessKeyId":"STS.far","AccessKeySecret":"%s","SecurityToken":"CAISfar","Expiration":"5195-01-01T00:00:00Z"}\n' \
    "far-future-secret-$(openssl rand -hex 8)" >"$T/uri/creds"
t_secret "$(sed 's/.*"AccessKeySecret":"\([^"]*\)".*/\1/' "$T/uri/creds")"
port=$(free_port)
bg_start "$T/uri.log" python3 -m http.server --bind 127.0.0.1 --directory "$T/uri" "$port"
wait_port "$port" 10 "$BG_PID" || bail_out "the URI server did not start"
cat >"$T/u.conf" <<CONF
bucket = ossign-test
region = cn-hangzhou
host = http://127.0.0.1:9
credentials = credentials_uri
credentials_uri = http://127.0.0.1:$port/creds
cache_dir = $T/cache-u
CONF
now=$(date +%s)
cgi "$T/u.conf" "filename=a.png"
is "$STATUS" 200 "a credentials URI's Expiration in 5195: still signs"
exp=$(sed -n 's/.*"Expiration":"\([^"]*\)".*/\1/p' "$T"/cache-u/creds-*.json)
ok "$([ -n "$exp" ] && [ "$(date -u -d "$exp" +%s)" -le $((now + 43200 + 5)) ] && echo 0 || echo 1)" \
    "cached as lasting 12 hours at most (LIMIT_CREDS_LIFE_MAX), not until 5195" ||
    diag "cached Expiration: $exp"
like "$(tail -n 5 "$T/cgi.log")" "Expiration 5195-01-01T00:00:00Z .* cut to" \
    "and the log says it was cut"

secrets_scan "$T/sts.log" "$T/cgi.log" "$T/sign.log" "$T/responses"
