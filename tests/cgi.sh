#!/bin/bash
# ossign as a plain CGI: the request comes in environment variables, the
# answer goes to stdout.  Statuses, headers, JSON errors, CORS, and every
# refusal answered in JSON.
. "${top_srcdir:-.}/tests/lib/common.sh"
t_tmpdir
plan 41

cat >"$T/ossign.conf" <<'CONF'
bucket = web-upload
region = cn-hangzhou
host = http://127.0.0.1:9
cors_origins = https://app.example
[upload default]
key_prefix = uploads/
max_size = 1000
content_types = image/png text/plain
success_action_status = 200
[upload avatars]
key_prefix = avatars/${user}/
key_name = uuid
forbid_overwrite = yes
CONF
export ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI5tCgiTestKey
export ALIBABA_CLOUD_ACCESS_KEY_SECRET=cgi-test-secret-never-shown
unset ALIBABA_CLOUD_SECURITY_TOKEN

# cgi METHOD QUERY [VAR=VALUE...]: run one request; sets STATUS HEAD BODY.
cgi() {
	local method=$1 query=$2 out
	shift 2
	out=$(env -i PATH="$PATH" OSSIGN_CONFIG="$T/ossign.conf" \
	    ALIBABA_CLOUD_ACCESS_KEY_ID="$ALIBABA_CLOUD_ACCESS_KEY_ID" \
	    ALIBABA_CLOUD_ACCESS_KEY_SECRET="$ALIBABA_CLOUD_ACCESS_KEY_SECRET" \
	    GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD="$method" \
	    QUERY_STRING="$query" "$@" $OSSIGN_WRAP "$OSSIGN" </dev/null \
	    2>>"$T/stderr"; echo "rc=$?")
	RC=${out##*rc=}
	# 99: valgrind (make check-valgrind) found an error.
	[ "$RC" = 99 ] && echo "$method $query" >>"$T/checker-errors"
	out=${out%rc=*}
	HEAD=${out%%$'\r\n\r\n'*}$'\r'
	BODY=${out#*$'\r\n\r\n'}
	BODY=${BODY%$'\n'}
	STATUS=$(sed -n 's/^Status: \([0-9]*\).*/\1/p' <<<"$HEAD")
}
code() { python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["error"]["code"])' <<<"$BODY" 2>/dev/null; }
field() { python3 -c 'import json,sys
d = json.loads(sys.stdin.read())
for p in sys.argv[1].split("/"):
    d = d[p]
print(d)' "$1" <<<"$BODY" 2>/dev/null; }

cgi GET 'filename=photo.png&content_type=image/png&size=10'
is "$STATUS" 200 "GET signs"
is "$RC" 0 "exit status 0"
like "$HEAD" $'Content-Type: application/json\r' "JSON content type"
like "$HEAD" $'Cache-Control: no-store\r' "no-store"
is "$(field key)" "uploads/photo.png" "server-chosen key"
is "$(field fields/key)" "uploads/photo.png" "key in fields"
is "$(field fields/success_action_status)" "200" "status field"
is "$(field host)" "http://127.0.0.1:9" "host from the config"
unlike "$HEAD" "Access-Control" "no CORS headers without Origin"

cgi GET 'upload=avatars&filename=me.JPG' REMOTE_USER=alice
is "$STATUS" 200 "per-user upload"
like "$(field key)" '^avatars/alice/[0-9a-f-]{36}\.jpg$' "uuid key under the user"
is "$(field fields/x-oss-forbid-overwrite)" "true" "forbid overwrite"
cgi GET 'upload=avatars&filename=me.JPG'
is "$STATUS" 401 "no REMOTE_USER for a \${user} prefix"
is "$(code)" authentication_required "401 code"

cgi GET '' HTTP_ORIGIN=https://app.example
like "$HEAD" $'Access-Control-Allow-Origin: https://app.example\r' \
    "allowed origin echoed"
like "$HEAD" $'Vary: Origin\r' "Vary: Origin"
cgi GET '' HTTP_ORIGIN=https://evil.example
unlike "$HEAD" "Access-Control" "other origins get no CORS headers"
cgi OPTIONS '' HTTP_ORIGIN=https://app.example \
    HTTP_ACCESS_CONTROL_REQUEST_METHOD=GET
is "$STATUS" 204 "preflight from an allowed origin"
like "$HEAD" $'Access-Control-Allow-Methods: GET, POST, OPTIONS\r' "preflight methods (POST: batch signing, OSS's callbacks)"
cgi OPTIONS '' HTTP_ORIGIN=https://evil.example
is "$STATUS" 403 "preflight from another origin"
is "$(code)" origin_not_allowed "403 code"

cgi POST '' CONTENT_TYPE=text/plain
is "$STATUS" 405 "POST without JSON refused"
like "$HEAD" $'Allow: GET, POST, OPTIONS\r' "Allow header"
is "$(code)" method_not_allowed "405 code"
cgi GET 'size=1001'
is "$STATUS" 413 "size above max_size"
is "$(code)" too_large "413 code"
cgi GET 'content_type=application/x-msdownload'
is "$STATUS" 415 "type not allowed"
cgi GET 'filename=%2E%2E'
is "$STATUS" 400 "filename .."
is "$(code)" invalid_filename "400 code"
cgi GET 'filename=a%FFb'
is "$(code)" invalid_filename "invalid UTF-8 refused"
cgi GET 'upload=nope'
is "$(code)" unknown_upload "unknown upload"
cgi GET 'size=1&size=2'
is "$(code)" bad_request "repeated parameter"
cgi GET "filename=$(head -c 5000 /dev/zero | tr '\0' a)"
is "$STATUS" 413 "oversized query"
cgi GET '' CONTENT_LENGTH=5
is "$STATUS" 400 "a body on GET"
cgi GET '' CONTENT_LENGTH=99999999
is "$STATUS" 413 "a huge body on GET"
cgi '' ''
is "$STATUS" 400 "no REQUEST_METHOD"

# Credentials missing: bad requests still get their 4xx, good ones a 503.
ALIBABA_CLOUD_ACCESS_KEY_ID='' cgi GET 'size=1'
is "$STATUS" 503 "no credentials: 503"
is "$(code)" credentials_unavailable "503 code"
ALIBABA_CLOUD_ACCESS_KEY_ID='' cgi POST ''
is "$STATUS" 405 "no credentials: bad input still 4xx"

! grep -q "$ALIBABA_CLOUD_ACCESS_KEY_SECRET" "$T/stderr"
ok $? "the secret never reaches the log"
[ ! -s "$T/checker-errors" ]
ok $? "no memory checker reports" || diag "$(cat "$T/checker-errors")"
