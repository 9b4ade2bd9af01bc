#!/bin/bash
# Batch signing (issue 11): POST {"upload","files":[...]} with
# Content-Type: application/json on the signing path, as a CGI.
#  - every entry is byte for byte what GET answers for that file (checked
#    at one second: the signature depends on the clock), errors per file;
#  - one clock reading for all (one x-oss-date), a ${uuid} each;
#  - the CORS preflight allows POST, Content-Type and Authorization for
#    allowed origins;
#  - batch_max per section;
#  - against the STS emulator with a cold cache: a batch of 50 files makes
#    one AssumeRole call and every entry carries the same credential.
. "${top_srcdir:-.}/tests/lib/credsemu.sh"
need_ossign
need python3
plan 22

t_tmpdir
AKID=LTAI5tBatchTestKey
SECRET=$(openssl rand -hex 20)
t_secret "$SECRET"
cat >"$T/env.conf" <<'CONF'
bucket = web-upload
region = cn-hangzhou
host = http://127.0.0.1:9
credentials = env
cors_origins = https://app.example
[upload default]
key_prefix = uploads/
max_size = 1000
content_types = image/png text/plain
[upload uuid]
key_prefix = u/${uuid}/
batch_max = 5
CONF

# run CONF METHOD [VAR=VALUE...] [<FILE]: one CGI request; sets STATUS HEAD
# BODY.  The answer is kept in $T/responses.
run() {
	local conf=$1 method=$2 in=/dev/null a out vars=()
	shift 2
	for a in "$@"; do
		case $a in
		'<'*) in=${a#<} ;;
		*) vars+=("$a") ;;
		esac
	done
	out=$(env -i PATH="$PATH" OSSIGN_CONFIG="$conf" GATEWAY_INTERFACE=CGI/1.1 \
	    ALIBABA_CLOUD_ACCESS_KEY_ID="$AKID" ALIBABA_CLOUD_ACCESS_KEY_SECRET="$SECRET" \
	    REQUEST_METHOD="$method" REQUEST_URI=/get_post_signature_for_oss_upload \
	    "${vars[@]}" $OSSIGN_WRAP "$OSSIGN" <"$in" 2>>"$T/cgi.log"; echo "rc=$?")
	[ "${out##*rc=}" = 99 ] && echo "checker: $method $*" >>"$T/checker-errors"
	out=${out%rc=*}
	printf '%s\n' "$out" >>"$T/responses"
	HEAD=${out%%$'\r\n\r\n'*}$'\r'
	BODY=${out#*$'\r\n\r\n'}
	BODY=${BODY%$'\n'}
	STATUS=$(sed -n 's/^Status: \([0-9]*\).*/\1/p' <<<"$HEAD")
}
# post CONF JSON [VAR=VALUE...]: a batch request with JSON as its body.
post() {
	local conf=$1
	printf '%s' "$2" >"$T/body.json"
	shift 2
	run "$conf" POST CONTENT_TYPE=application/json \
	    "CONTENT_LENGTH=$(wc -c <"$T/body.json")" "$@" "<$T/body.json"
}
# py EXPR: evaluate a Python expression with b = the JSON in $BODY.
py() {
	python3 -c 'import json, sys
b = json.loads(sys.stdin.read())
print(eval(sys.argv[1]))' "$1" <<<"$BODY" 2>/dev/null
}

# ---- every entry is what GET answers for that file --------------------------
FILES='[{"filename":"a.png","size":10,"content_type":"image/png"},
 {"filename":"b c.txt","content_type":"text/plain"},{"filename":"n\u00e4me.png"},{}]'
QUERIES=('filename=a.png&size=10&content_type=image/png'
    'filename=b%20c.txt&content_type=text%2Fplain' 'filename=n%C3%A4me.png' '')
# The bytes depend on the clock (x-oss-date, expiration, the signature): the
# batch and the four GETs must fall in one second to be compared byte for
# byte.  Under a memory checker (OSSIGN_WRAP) a run takes seconds: then the
# answers are compared without the fields the clock changes.
same=
tries=10
[ -n "${OSSIGN_WRAP:-}" ] && tries=1
for ((try = 1; try <= tries; try++)); do
	post "$T/env.conf" "{\"files\":$FILES}"
	printf '%s' "$BODY" >"$T/batch.json"
	for i in 0 1 2 3; do
		run "$T/env.conf" GET "QUERY_STRING=${QUERIES[i]}"
		printf '%s' "$BODY" >"$T/get-$i.json"
	done
	same=$(python3 - "$T" "$try" "$tries" <<'EOF'
import base64, json, sys
d, last = sys.argv[1], sys.argv[2] == sys.argv[3]
raw = open(d + "/batch.json").read()
b = json.loads(raw)
gets = [open("%s/get-%d.json" % (d, i)).read() for i in range(4)]
dates = {json.loads(g)["x_oss_date"] for g in gets} | {u["x_oss_date"] for u in b["uploads"]}
if len(dates) == 1:
    print("yes" if raw == '{"uploads":[' + ",".join(gets) + "]}" else "no")
    sys.exit()
if not last:
    print("clock")
    sys.exit()
# Across seconds: everything but what the clock decides.
def strip(s):
    j = json.loads(s)
    pol = json.loads(base64.b64decode(j["policy"]))
    pol.pop("expiration")
    pol["conditions"] = [c for c in pol["conditions"] if not (isinstance(c, dict) and
        ({"x-oss-date", "x-oss-credential"} & set(c)))]
    for k in ("policy", "x_oss_date", "x_oss_credential", "signature", "expiration"):
        j.pop(k)
    for k in ("policy", "x-oss-date", "x-oss-credential", "x-oss-signature"):
        j["fields"].pop(k)
    return json.dumps([j, pol])
print("yes, apart from the clock" if [strip(json.dumps(u)) for u in b["uploads"]] ==
      [strip(g) for g in gets] else "no")
EOF
)
	[ "$same" = clock ] || break
done
like "$same" '^yes' "each entry is byte for byte GET's answer for that file ($same)" ||
    diag "$(head -c 600 "$T/batch.json")"
is "$(grep -c '^Content-Type: application/json' <<<"$HEAD")" 1 "JSON answer"

post "$T/env.conf" '{"files":[{"filename":"ok.png","size":1},{"filename":"big.png","size":1001},
 {"filename":"x.html","content_type":"text/html"},{"filename":".."},{"size":"12"},7]}'
is "$STATUS" 200 "a batch with bad files: 200"
is "$(py '[u.get("error", {}).get("code", "ok") for u in b["uploads"]]')" \
    "['ok', 'too_large', 'type_not_allowed', 'invalid_filename', 'bad_request', 'bad_request']" \
    "each file's own error, in order; the good one signed"
is "$(py 'b["uploads"][1]')" \
    "{'error': {'code': 'too_large', 'message': 'the file is larger than 1000 bytes'}}" \
    "an error entry is GET's error body"

# ---- one clock reading, a ${uuid} each ---------------------------------------
post "$T/env.conf" '{"upload":"uuid","files":[{"filename":"a"},{"filename":"a"},{"filename":"a"},{"filename":"a"},{"filename":"a"}]}'
is "$(py 'len({u["dir"] for u in b["uploads"]})')" 5 "five files, five \${uuid} directories"
is "$(py 'len({u["x_oss_date"] for u in b["uploads"]}) == 1 and len({u["expiration"] for u in b["uploads"]}) == 1')" \
    True "one x-oss-date and one expiration for all: one clock reading"
post "$T/env.conf" '{"upload":"uuid","files":[{},{},{},{},{},{}]}'
is "$STATUS" 413 "six files for batch_max = 5: 413"
is "$(py 'b["error"]["code"]')" request_too_large "code request_too_large"
post "$T/env.conf" '{"upload":"nope","files":[{}]}'
is "$(py 'b["error"]["code"]')" unknown_upload "an unknown section refuses the whole batch"

# ---- CORS --------------------------------------------------------------------
run "$T/env.conf" OPTIONS HTTP_ORIGIN=https://app.example \
    HTTP_ACCESS_CONTROL_REQUEST_METHOD=POST HTTP_ACCESS_CONTROL_REQUEST_HEADERS=content-type
is "$STATUS" 204 "preflight for a POST from an allowed origin: 204"
like "$HEAD" $'Access-Control-Allow-Methods: GET, POST, OPTIONS\r' "it allows POST"
like "$HEAD" $'Access-Control-Allow-Headers: Authorization, Content-Type\r' \
    "and Content-Type (and Authorization, for a Bearer token)"
run "$T/env.conf" OPTIONS HTTP_ORIGIN=https://evil.example \
    HTTP_ACCESS_CONTROL_REQUEST_METHOD=POST
is "$STATUS" 403 "preflight from another origin: 403"
post "$T/env.conf" '{"files":[{"filename":"a.png"}]}' HTTP_ORIGIN=https://app.example
like "$HEAD" $'Access-Control-Allow-Origin: https://app.example\r' \
    "the batch answer carries CORS for the allowed origin"

# ---- STS: one credential for a batch of 50, cold cache -----------------------
if [ -n "$NODE" ] && [ -d "$top_srcdir/node_modules/@alicloud/openapi-util" ]; then
	emu_start
	emu_conf "$T/sts.conf" "[upload default]" "key_prefix = s/\${uuid}/"
	before=$(emu_stat AssumeRole)
	files=$(python3 -c 'import json; print(json.dumps([{"filename": "f%d.png" % i} for i in range(50)]))')
	post "$T/sts.conf" "{\"files\":$files}"
	is "$STATUS" 200 "STS: a batch of 50 files signed"
	is "$(( $(emu_stat AssumeRole) - before ))" 1 "STS: one AssumeRole call for the 50"
	is "$(py 'len({(u["x_oss_credential"], u["security_token"], u["x_oss_date"]) for u in b["uploads"]})')" 1 \
	    "STS: one credential, token and date in every entry"
	is "$(py 'len({u["key"] for u in b["uploads"]})')" 50 "STS: 50 keys"
	cred=$(py 'b["uploads"][0]["x_oss_credential"]')
	[ "${cred#STS.}" != "$cred" ] && [ -r "$EMU_STATE/issued/${cred%%/*}.json" ]
	ok $? "STS: the credential is one the emulator issued"
	secrets_scan "$T/responses" "$T/cgi.log" "$T/sts.log"
else
	skip 6 "no node or node_modules: no STS emulator"
fi
checker_clean
