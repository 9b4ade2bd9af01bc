#!/bin/bash
# The ossign command line: -V, -h, -t (configuration OK / file:line
# errors; a note when the credentials cannot be set up here), and `ossign
# sign` reproducing the vendor vectors byte for byte
# (tests/data/oss-post-v4.json, computed with the ali-oss npm package).
. "${top_srcdir:-.}/tests/lib/common.sh"
t_tmpdir
plan 28

run() { $OSSIGN_WRAP "$OSSIGN" "$@"; }
vec() { python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
for p in sys.argv[2].split("."):
    d = d[int(p)] if p.isdigit() else d[p]
print(d)' "$top_srcdir/tests/data/oss-post-v4.json" "$1"; }
field() { python3 -c 'import json,sys
d = json.loads(sys.stdin.read())
for p in sys.argv[1].split("/"):
    d = d[p]
print(d)' "$1"; }

like "$(run -V)" '^ossign [0-9]+\.[0-9]+' "-V prints the version"
like "$(run -h)" 'usage: ossign' "-h prints usage"
run -x >/dev/null 2>&1
isnt $? 0 "an unknown option fails"

cat >"$T/p1.conf" <<CONF
# P1 of tests/data/oss-post-v4.json
bucket = $(vec inputs.bucket)
region = $(vec inputs.region)
policy_ttl = 3600
credentials = env
min_size = 1
max_size = 10485760
key_prefix = user/alice/
# the vendor SDK's policy names no ACL
object_acl = any
CONF
unset ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET OSS_ACCESS_KEY_ID OSS_ACCESS_KEY_SECRET
is "$(run -c "$T/p1.conf" -t 2>"$T/t.err")" "configuration OK" "-t accepts a good file"
like "$(cat "$T/t.err")" '^ossign: note: the credentials cannot be set up in this environment: credentials = env needs ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET' \
    "with no credentials in this environment, -t says so on stderr"
is "$(ALIBABA_CLOUD_ACCESS_KEY_ID=LTAIcli ALIBABA_CLOUD_ACCESS_KEY_SECRET=cli-secret-never-shown-7Jq2 \
    run -c "$T/p1.conf" -t 2>&1)" "configuration OK" "and with them, nothing more"
( umask 022 && printf 'access_key_id = LTAIcli\naccess_key_secret = cli-secret-never-shown-7Jq2\n' >"$T/key.ini" )
printf 'bucket = b12\nregion = cn-hangzhou\ncredentials = ram_role_arn\nrole_arn = acs:ram::1234567890123456:role/up\naccess_key_file = %s\n' \
    "$T/key.ini" >"$T/k.conf"
out=$(run -c "$T/k.conf" -t 2>&1)
st=$?
like "$st:$out" "^0:configuration OK
ossign: note: the credentials cannot be set up in this environment: access_key_file $T/key.ini is accessible by group or others \\(mode 0644\\): refused; chmod 600 it$" \
    "a key file others can read: -t notes it (the server would refuse it)"
is "$(OSSIGN_CONFIG="$T/p1.conf" run -t 2>/dev/null)" "configuration OK" \
    "OSSIGN_CONFIG names the file"
printf 'bucket = b12\nregion = cn-hangzhou\n[upload a]\nmax_size = lots\n' \
    >"$T/bad.conf"
out=$(run -c "$T/bad.conf" -t 2>&1)
st=$?
isnt $st 0 "-t fails on a bad file"
is "$out" "ossign: $T/bad.conf:4: max_size: lots is invalid (0..53687091200000)" \
    "the error names file, line and key"
printf 'bucket = b12\nregion = cn-hangzhou\n[upload avatars]\nkey_prefix = avatars/${user}\n' \
    >"$T/user.conf"
out=$(run -c "$T/user.conf" -t 2>&1)
st=$?
is "$st:$out" "1:ossign: $T/user.conf:4: key_prefix: \${user} must be followed by / (as in avatars/\${user}/), or one user's keys are another's" \
    "-t refuses \${user} not followed by /, naming file and line"
out=$(run -c "$T/missing.conf" -t 2>&1)
like "$out" "missing.conf: No such file" "a missing file is named"
# callback_public_key is trusted as jwt_key is: nobody else may write it.
cp "$top_srcdir/data/callback_pub_key_v1.pem" "$T/cb.pem" && chmod 644 "$T/cb.pem"
printf 'bucket = b12\nregion = cn-hangzhou\ncallback_public_key = %s\n' "$T/cb.pem" >"$T/cb.conf"
is "$(run -c "$T/cb.conf" -t 2>/dev/null)" "configuration OK" "a callback_public_key of mode 0644"
chmod 664 "$T/cb.pem"
out=$(run -c "$T/cb.conf" -t 2>&1)
is "$?:$out" "1:ossign: $T/cb.conf: callback_public_key: key file $T/cb.pem is writable by group or others (mode 0664): refused; chmod 644 it" \
    "a callback_public_key the group may write is refused"

export ALIBABA_CLOUD_ACCESS_KEY_ID=$(vec inputs.access_key_id)
export ALIBABA_CLOUD_ACCESS_KEY_SECRET=$(vec inputs.access_key_secret)
export ALIBABA_CLOUD_SECURITY_TOKEN=$(vec inputs.security_token)
time=$(vec inputs.time)
out=$(run -c "$T/p1.conf" sign --time "$time")
ok $? "sign P1"
is "$(field policy <<<"$out")" "$(vec cases.0.policy_base64)" "P1 policy bytes"
is "$(field signature <<<"$out")" "$(vec cases.0.signature)" "P1 signature"
is "$(field x_oss_credential <<<"$out")" "$(vec inputs.x_oss_credential)" \
    "P1 credential"
is "$(field fields/x-oss-signature <<<"$out")" "$(vec cases.0.signature)" \
    "P1 signature in fields"
unlike "$out" "$ALIBABA_CLOUD_ACCESS_KEY_SECRET" "the secret is not printed"

cat >"$T/p2.conf" <<'CONF'
# P2 of tests/data/oss-post-v4.json: non-ASCII prefix and metadata,
# conditions in the order of this section.
bucket = examplebucket
region = oss-cn-hangzhou
policy_ttl = 3600
[upload default]
key_prefix = 上传/用户-é/
x-oss-meta-title = Grüße ☃ 🚀 "q" \ /
min_size = 0
max_size = 1048576
object_acl = any
CONF
out=$(run -c "$T/p2.conf" sign --time "$time")
is "$(field policy <<<"$out")" "$(vec cases.1.policy_base64)" "P2 policy bytes"
is "$(field signature <<<"$out")" "$(vec cases.1.signature)" "P2 signature"

out=$(run -c "$T/p1.conf" sign --time "$time" --filename "../../x y.PNG" \
    --content-type image/png --size 10)
is "$(field key <<<"$out")" "user/alice/x_y.PNG" "--filename is cleaned"
is "$(field fields/Content-Type <<<"$out")" "image/png" "--content-type"
out=$(run -c "$T/p1.conf" sign --size 99999999 2>/dev/null)
st=$?
is "$st" 1 "a refused sign exits 1"
is "$(field error/code <<<"$out")" "too_large" "and prints the JSON error"
out=$(run -c "$T/p1.conf" sign --time yesterday 2>&1)
like "$out" "--time: expected" "a bad --time is refused"
unset ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET
out=$(run -c "$T/p1.conf" sign 2>&1)
like "$out" "needs ALIBABA_CLOUD_ACCESS_KEY_ID" "missing credentials are named"
