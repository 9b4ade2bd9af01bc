#!/bin/bash
# What the processes of a host share through cache_dir stays bounded by
# each reader's own clock, and "ossign sign --time" (a clock of its own)
# never writes there (issue 9, defect 2): a failure hold, a refresh hold
# or an obtained time far in the future, whoever wrote it, pins nobody.
. "${top_srcdir:-.}/tests/lib/credsemu.sh"
need_emu
plan 9

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

secrets_scan "$T/sts.log" "$T/cgi.log" "$T/sign.log" "$T/responses"
