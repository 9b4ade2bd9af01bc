#!/bin/bash
# Hostile requests, table-driven: every row is sent to ossign as a plain
# CGI (environment variables, as tests/cgi.sh does) and to one long-lived
# FastCGI process (spawn-fcgi, requests through cgi-fcgi).  Each answer
# must carry the row's documented status and JSON error code (HACKING.md's
# table), a JSON body that parses, and only the headers ossign may send (no
# injected ones, no CORS for origins not configured).  After every hostile
# FastCGI request, a good request must still succeed from the same process.
#
# Every answer and the program's stderr are kept in
# $top_builddir/tests/artifacts/bad-input/ for tests/zz-secrets-scan.sh.
. "${top_srcdir:-.}/tests/lib/common.sh"
need_ossign
need python3 spawn-fcgi cgi-fcgi
t_tmpdir

t_artifacts
art=$ART

cat >"$T/ossign.conf" <<'CONF'
bucket = web-upload
region = cn-hangzhou
host = http://127.0.0.1:9
cors_origins = https://app.example
[upload default]
key_prefix = uploads/
max_size = 1000
content_types = image/png text/plain
[upload docs]
key_prefix = docs/
min_size = 10
max_size = 5368709120
[upload avatars]
key_prefix = avatars/${user}/
key_name = uuid
[upload tok]
auth = jwt
CONF
# OSS's callbacks (issue 10), checked with OSS's own key (a global key).
# (A copy: callback_public_key must be writable by its owner only, and a
# checkout made under umask 002 is not.)
cp "$top_srcdir/data/callback_pub_key_v1.pem" "$T/cb.pem" && chmod 644 "$T/cb.pem"
sed -i "/^cors_origins/a callback_public_key = $T/cb.pem" "$T/ossign.conf"
# auth = jwt (issue 11): a secret file, hostile Authorization headers.
head -c 32 /dev/urandom >"$T/jwt.key" && chmod 600 "$T/jwt.key"
echo "jwt_key = hs256:$T/jwt.key" >>"$T/ossign.conf"
AKID=LTAI5tBadInputTestKey
SECRET=bad-input-test-secret-never-shown	# in tests/data/test-secrets.txt
GOOD='filename=ok.png&content_type=image/png&size=1'

# ---- the answer checker ----------------------------------------------------
# check.py FILE STATUS WANT [ORIGIN]: WANT is an error code, "ok" (a
# signature), "key:ERE" (a signature whose key matches), or "-" (no body,
# 204).  ORIGIN is the only origin CORS may be granted to (default
# https://app.example; "" none).  Prints what is wrong, exits 1 when
# anything is.
cat >"$T/check.py" <<'PY'
import json, re, sys

path, want_status, want = sys.argv[1], int(sys.argv[2]), sys.argv[3]
grant = sys.argv[4] if len(sys.argv) > 4 else 'https://app.example'
raw = open(path, 'rb').read()
bad = []
sep = raw.find(b'\r\n\r\n')
if sep < 0:
    print('no end of headers in %r' % raw[:200])
    sys.exit(1)
head, body = raw[:sep], raw[sep + 4:]
allowed = {'status', 'content-type', 'content-length', 'cache-control',
           'x-content-type-options', 'allow', 'vary',
           'access-control-allow-origin', 'access-control-allow-methods',
           'access-control-allow-headers', 'access-control-max-age',
           'www-authenticate', 'retry-after',
           'access-control-expose-headers'}
h = {}
for line in head.split(b'\r\n'):
    m = re.fullmatch(rb'([A-Za-z0-9-]+): ([\x20-\x7e]*)', line)
    if not m:
        bad.append('malformed header line %r' % line[:80])
        continue
    name = m.group(1).decode().lower()
    if name not in allowed:
        bad.append('unexpected header %r' % line[:80])
    if name in h:
        bad.append('repeated header %s' % name)
    h[name] = m.group(2).decode()
try:
    status = int(h.get('status', '').split(' ')[0])
except ValueError:
    status = None
if status != want_status:
    bad.append('status %s, expected %d' % (h.get('status'), want_status))
if h.get('cache-control') != 'no-store':
    bad.append('no Cache-Control: no-store')
if h.get('content-length') != str(len(body)):
    bad.append('Content-Length %s for %d body bytes' %
               (h.get('content-length'), len(body)))
acao = h.get('access-control-allow-origin')
if acao is not None and acao != grant:
    bad.append('CORS granted to %r' % acao[:80])
# The signing path: GET signs, POST with JSON is batch signing (issue 11).
if want_status == 405 and h.get('allow') != 'GET, POST, OPTIONS':
    bad.append('405 without Allow: GET, POST, OPTIONS')
# 401: a challenge, and the default message only (issue 11).
if want_status == 401 and h.get('www-authenticate') not in (
        'Bearer realm="ossign"', 'Session realm="ossign"'):
    bad.append('401 with WWW-Authenticate %r' % h.get('www-authenticate'))
if want_status != 401 and 'www-authenticate' in h:
    bad.append('WWW-Authenticate on %d' % want_status)
if want == '-':
    if body:
        bad.append('a body on %d' % want_status)
else:
    if h.get('content-type') != 'application/json':
        bad.append('Content-Type %r' % h.get('content-type'))
    try:
        j = json.loads(body)
        if not isinstance(j, dict):
            raise ValueError('not an object')
    except ValueError as e:
        bad.append('body is not JSON (%s): %r' % (e, body[:120]))
        j = None
    if j is not None and want.startswith('batch:'):
        # batch:ok,too_large,...: one entry per file, a signature or
        # that file's error code, and nothing else in the answer.
        ups = j.get('uploads') if set(j) == {'uploads'} else None
        codes = want[6:].split(',')
        if not isinstance(ups, list) or len(ups) != len(codes):
            bad.append('not a batch answer of %d entries: %r' %
                       (len(codes), body[:160]))
        else:
            for i, (u, c) in enumerate(zip(ups, codes)):
                got = ('ok' if isinstance(u, dict) and 'policy' in u and
                       'signature' in u and 'error' not in u else
                       u.get('error', {}).get('code')
                       if isinstance(u, dict) and set(u) == {'error'}
                       else repr(u)[:60])
                if got != c:
                    bad.append('entry %d: %s, expected %s' % (i, got, c))
    elif j is not None and (want == 'ok' or want.startswith('key:')):
        if 'error' in j or 'policy' not in j or 'signature' not in j:
            bad.append('not a signature: %r' % body[:160])
        elif want.startswith('key:'):
            key = j.get('key')
            if not isinstance(key, str) or not re.search(want[4:], key):
                bad.append('key %r does not match %s' % (key, want[4:]))
            elif j.get('fields', {}).get('key') != key:
                bad.append('fields.key differs from key')
    elif j is not None:
        err = j.get('error')
        if set(j) != {'error'} or not isinstance(err, dict):
            bad.append('not an error object: %r' % body[:160])
        elif err.get('code') != want:
            bad.append('code %r, expected %r' % (err.get('code'), want))
        elif not isinstance(err.get('message'), str) or not err['message']:
            bad.append('no error message')
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PY

# ---- sending one request ---------------------------------------------------
# send MODE METHOD QUERY [ARG...]: one request, the raw answer in $T/out.
# MODE cgi or fcgi.  METHOD "-" leaves REQUEST_METHOD unset, QUERY "-"
# leaves QUERY_STRING unset.  ARG is VAR=VALUE (a CGI variable), or <FILE
# (the request body on stdin).  Sets RC (the CGI's exit status).
send() {
	local mode=$1 method=$2 query=$3 in=/dev/null a vars=()
	shift 3
	[ "$method" != - ] && vars+=("REQUEST_METHOD=$method")
	[ "$query" != - ] && vars+=("QUERY_STRING=$query")
	for a in "$@"; do
		case $a in
		'<'*)	in=${a#<} ;;
		*)	vars+=("$a") ;;
		esac
	done
	if [ "$mode" = cgi ]; then
		env -i PATH="$PATH" OSSIGN_CONFIG="$T/ossign.conf" \
		    ALIBABA_CLOUD_ACCESS_KEY_ID="$AKID" \
		    ALIBABA_CLOUD_ACCESS_KEY_SECRET="$SECRET" \
		    GATEWAY_INTERFACE=CGI/1.1 "${vars[@]}" \
		    $OSSIGN_WRAP "$OSSIGN" <"$in" >"$T/out" 2>>"$art/cgi-stderr.log"
		RC=$?
	else
		env -i PATH="$PATH" GATEWAY_INTERFACE=CGI/1.1 "${vars[@]}" \
		    cgi-fcgi -bind -connect "$T/fcgi.sock" <"$in" >"$T/out" \
		    2>>"$art/cgi-fcgi-stderr.log"
		RC=$?
	fi
	{
		printf '=== %s %s\n' "$mode" "$DESC"
		cat "$T/out"
		printf '\n'
	} >>"$art/responses.log"
}

# answer_is STATUS WANT [ORIGIN]: check $T/out; prints the problems.
answer_is() {
	python3 "$T/check.py" "$T/out" "$@"
}

# ---- the table -------------------------------------------------------------
# row STATUS WANT DESCRIPTION METHOD QUERY [ARG...]  (see send, check.py)
big() { head -c "$1" /dev/zero | tr '\0' "${2:-a}"; }
pad_to() {	# pad_to N QUERY: QUERY&x=aaa... of exactly N bytes
	local q="$1&x="
	printf '%s%s' "$q" "$(big $(($2 - ${#q})))"
}
K100=$(big 102400)
printf hello >"$T/body-5"
big 65537 b >"$T/body-64k1"
HEADERS=()
for ((i = 0; i < 2000; i++)); do
	HEADERS+=("HTTP_X_FILLER_$i=value-$i")
done
CRLF=$'\r\nX-Injected: 1'
PKURL=$(printf %s https://gosspublic.alicdn.com/callback_pub_key_v1.pem | base64 -w0)
EVILURL=$(printf %s https://evil.example/callback_pub_key_v1.pem | base64 -w0)
CRLFURL=$(printf 'https://gosspublic.alicdn.com/\r\nX-Injected: 1' | base64 -w0)
FAKESIG=$(head -c 64 /dev/urandom | base64 -w0)
# Batch signing bodies (issue 11): POST, Content-Type: application/json.
jbody() { printf '%s' "$2" >"$T/batch-$1.json"; }
jbody good '{"files":[{"filename":"a.png","size":1,"content_type":"image/png"},{"filename":"b.png","size":5000},{"filename":"a\u0001b"},{"size":"1"}]}'
jbody notjson '{"files":[{"filename":"a.png"}'
jbody array '[{"filename":"a.png"}]'
jbody dup '{"files":[{"filename":"a.png"}],"files":[]}'
jbody nofiles '{"upload":"default"}'
jbody empty '{"files":[]}'
jbody unknown '{"upload":"nope","files":[{}]}'
jbody avatars '{"upload":"avatars","files":[{"filename":"a.png"}]}'
jbody nan '{"files":[{"size":NaN}]}'
printf '{"files":[{"filename":"a\xffb.png"}]}' >"$T/batch-utf8.json"
printf '{"files":[{"filename":"a\0b.png"}]}' >"$T/batch-nul.json"
python3 -c 'import json; print(json.dumps({"files": [{"filename": "f%d" % i} for i in range(101)]}))' \
    >"$T/batch-101.json"
python3 -c 'import json; print(json.dumps({"files": [{"filename": "x" * 70000}]}))' \
    >"$T/batch-big.json"
# batch NAME: the CGI variables and stdin of a POST of $T/batch-NAME.json.
batch() {
	printf '%s\n' CONTENT_TYPE=application/json \
	    "CONTENT_LENGTH=$(wc -c <"$T/batch-$1.json")" "<$T/batch-$1.json"
}

rows() {
	# Oversized query, parameters and headers.
	row 413 request_too_large "query of 4097 bytes" GET "$(pad_to "$GOOD" 4097)"
	row 413 request_too_large "query of 64 KiB" GET "x=$(big 65536)"
	row 200 'key:^uploads/ok\.png$' "query of exactly 4096 bytes (the limit)" \
	    GET "$(pad_to "$GOOD" 4096)"
	row 400 invalid_filename "filename of 1100 bytes" GET "filename=$(big 1100).png"
	row 400 bad_request "content_type of 200 bytes" GET "content_type=image/$(big 200)"
	row 400 bad_request "upload name of 40 bytes" GET "upload=$(big 40)"
	row 200 ok "a 100 KiB header is ignored" GET "$GOOD" "HTTP_X_BIG=$K100"
	row 200 ok "2000 headers are ignored" GET "$GOOD" "${HEADERS[@]}"
	row 200 ok "100 KiB Cookie and Authorization" GET "$GOOD" \
	    "HTTP_COOKIE=s=$K100" "HTTP_AUTHORIZATION=Basic $K100"
	row 200 ok "a 100 KiB Origin gets no CORS" GET "$GOOD" \
	    "HTTP_ORIGIN=https://app.example$K100"
	row 403 origin_not_allowed "a 100 KiB Origin preflight" OPTIONS '' \
	    "HTTP_ORIGIN=https://app.example/$K100"

	# File names: encodings and control bytes.
	row 400 invalid_filename "invalid UTF-8 in filename" GET 'filename=a%FFb.png'
	row 400 invalid_filename "overlong UTF-8 slash" GET 'filename=a%C0%AFb.png'
	row 400 invalid_filename "UTF-16 surrogate in UTF-8" GET 'filename=a%ED%A0%80.png'
	row 400 invalid_filename "truncated UTF-8 sequence" GET 'filename=a%E4%B8.png'
	row 400 invalid_filename "control byte 0x01" GET 'filename=a%01b.png'
	row 400 invalid_filename "CR LF in filename" GET 'filename=a%0D%0AX-Injected:%201.png'
	row 400 invalid_filename "raw CR LF bytes in QUERY_STRING" GET "filename=a${CRLF}.png"
	row 400 invalid_filename "NUL byte in filename" GET 'filename=a%00.png'
	row 400 invalid_filename "DEL in filename" GET 'filename=a%7F.png'
	row 400 invalid_filename "C1 control U+0085" GET 'filename=a%C2%85.png'
	row 400 invalid_filename "filename .." GET 'filename=..'
	row 400 invalid_filename "filename ///" GET 'filename=%2F%2F%2F'
	row 400 invalid_filename "empty filename" GET 'filename='
	row 400 invalid_filename "bad percent escape" GET 'filename=%G0.png'
	row 400 invalid_filename "truncated percent escape" GET 'filename=a%2'

	# Traversal and absolute names: cleaned, always under the prefix.
	row 200 'key:^uploads/etc_passwd$' "../../etc/passwd" GET \
	    'filename=..%2F..%2Fetc%2Fpasswd'
	row 200 'key:^uploads/etc_passwd$' "absolute /etc/passwd" GET \
	    'filename=%2Fetc%2Fpasswd'
	row 200 'key:^uploads/C_Windows_win\.ini$' "C:\\Windows\\win.ini" GET \
	    'filename=C:%5CWindows%5Cwin.ini'
	row 200 'key:^uploads/[A-Za-z0-9._-]+$' "double-encoded ../" GET \
	    'filename=%252E%252E%252Fx'
	row 200 'key:^uploads/[^/.][^/]*\.png$' "RTL override and zero-width" GET \
	    'filename=x%E2%80%AEgnp%E2%80%8B.exe.png'

	# JSON and header injection.
	row 200 'key:^uploads/a_b_c_d\.png$' "quotes and backslashes in filename" \
	    GET 'filename=a%22b%5Cc%27d.png'
	row 200 'key:^uploads/[A-Za-z0-9._-]+$' "JSON injection in filename" GET \
	    'filename=x%22%2C%22key%22%3A%22evil%22%7D.png'
	row 400 bad_request "JSON injection in content_type" GET \
	    'content_type=image/png%22%2C%22x%22%3A%22'
	row 400 bad_request "CR LF in content_type" GET \
	    'content_type=text/plain%0D%0AX-Injected:%201'
	row 400 bad_request "CR LF in upload" GET 'upload=default%0D%0AX-Injected:%201'
	row 200 ok "CR LF in Origin: no CORS, no injected header" GET "$GOOD" \
	    "HTTP_ORIGIN=https://app.example$CRLF"
	row 403 origin_not_allowed "CR LF in Origin on a preflight" OPTIONS '' \
	    "HTTP_ORIGIN=https://app.example$CRLF"
	row 400 bad_request "CR LF in REMOTE_USER" GET 'upload=avatars&filename=a.png' \
	    "REMOTE_USER=alice$CRLF"
	row 400 bad_request "REMOTE_USER ../admin" GET 'upload=avatars' \
	    'REMOTE_USER=../admin'
	row 400 bad_request "REMOTE_USER of 100 bytes" GET 'upload=avatars' \
	    "REMOTE_USER=$(big 100)"
	row 401 authentication_required "no REMOTE_USER for a \${user} prefix" GET \
	    'upload=avatars'
	row 401 authentication_required "empty REMOTE_USER" GET 'upload=avatars' \
	    'REMOTE_USER='
	# auth = jwt: every malformed token is the same 401.
	row 401 authentication_required "auth = jwt without a token" GET \
	    'upload=tok' 'REMOTE_USER=alice'
	row 401 authentication_required "a 9 KiB Bearer token" GET 'upload=tok' \
	    "HTTP_AUTHORIZATION=Bearer $(big 3000).$(big 3000).$(big 3000)"
	row 401 authentication_required "a 100 KiB Authorization" GET \
	    'upload=tok' "HTTP_AUTHORIZATION=Bearer $K100"
	row 401 authentication_required "CR LF in a Bearer token" GET \
	    'upload=tok' "HTTP_AUTHORIZATION=Bearer a.b.c$CRLF"
	row 401 authentication_required "alg none" GET 'upload=tok' \
	    "HTTP_AUTHORIZATION=Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0."
	row 401 authentication_required "a token of NUL-free junk" GET \
	    'upload=tok' "HTTP_AUTHORIZATION=Bearer $(big 200 '.')"

	# Repeated parameters.
	row 400 bad_request "repeated size" GET 'size=1&size=2'
	row 400 bad_request "repeated filename, same value" GET 'filename=a.png&filename=a.png'
	row 400 bad_request "repeated upload, name percent-encoded" GET \
	    'upload=default&%75pload=docs'
	row 400 bad_request "repeated content_type" GET \
	    'content_type=image/png&content_type=text/plain'

	# Upload profiles.
	row 400 unknown_upload "unknown upload" GET 'upload=nope'
	row 400 unknown_upload "upload name in another case" GET 'upload=DEFAULT'
	row 400 bad_request "upload ../default" GET 'upload=..%2Fdefault'
	row 400 bad_request "empty upload" GET 'upload='

	# Sizes.
	row 400 bad_request "negative size" GET 'size=-1'
	row 400 bad_request "size 10^20" GET 'size=100000000000000000000'
	row 400 bad_request "size 2^63" GET 'size=9223372036854775808'
	row 413 too_large "size above max_size" GET 'size=1001'
	row 413 too_large "size 10^18" GET 'size=1000000000000000000'
	row 413 too_large "size 5 GiB + 1 on a 5 GiB upload" GET \
	    'upload=docs&size=5368709121'
	row 400 too_small "size below min_size" GET 'upload=docs&size=5'
	row 400 bad_request "size 1e3" GET 'size=1e3'
	row 400 bad_request "size 0x10" GET 'size=0x10'
	row 400 bad_request "size with a leading space" GET 'size=%201'
	row 400 bad_request "size with a plus sign" GET 'size=%2B1'
	row 400 bad_request "empty size" GET 'size='

	# Content types.
	row 415 type_not_allowed "text/html" GET 'content_type=text/html'
	row 415 type_not_allowed "image/svg+xml" GET 'content_type=image/svg%2Bxml'
	row 415 type_not_allowed "application/x-msdownload" GET \
	    'content_type=application/x-msdownload'
	row 400 bad_request "parameters in content_type" GET \
	    'content_type=image/png;charset=utf-8'
	row 400 bad_request "content_type without subtype" GET 'content_type=image/'

	# Methods.
	row 405 method_not_allowed "POST" POST "$GOOD"
	row 405 method_not_allowed "PUT" PUT "$GOOD"
	row 405 method_not_allowed "DELETE" DELETE "$GOOD"
	row 405 method_not_allowed "HEAD" HEAD "$GOOD"
	row 405 method_not_allowed "TRACE" TRACE "$GOOD"
	row 405 method_not_allowed "PATCH" PATCH "$GOOD"
	row 405 method_not_allowed "bogus method" BREW "$GOOD"
	row 405 method_not_allowed "lowercase get" get "$GOOD"
	row 405 method_not_allowed "method with CR LF" "GET$CRLF" "$GOOD"
	row 405 method_not_allowed "POST with a body" POST "$GOOD" \
	    CONTENT_LENGTH=5 CONTENT_TYPE=text/plain "<$T/body-5"

	# OSS's callbacks (issue 10): POST with x-oss-pub-key-url.
	row 400 callback_malformed "callback: no Authorization" POST '' "HTTP_X_OSS_PUB_KEY_URL=$PKURL" \
	    CONTENT_LENGTH=5 CONTENT_TYPE=application/json "<$T/body-5"
	row 400 callback_malformed "callback: Authorization not base64" POST '' \
	    "HTTP_X_OSS_PUB_KEY_URL=$PKURL" 'HTTP_AUTHORIZATION=***'
	row 403 callback_bad_signature "callback: a made-up signature" POST '' \
	    "HTTP_X_OSS_PUB_KEY_URL=$PKURL" "HTTP_AUTHORIZATION=$FAKESIG" REQUEST_URI=/cb \
	    CONTENT_LENGTH=5 "<$T/body-5"
	row 403 callback_key_refused "callback: a foreign key URL" POST '' \
	    "HTTP_X_OSS_PUB_KEY_URL=$EVILURL" "HTTP_AUTHORIZATION=$FAKESIG"
	row 400 callback_malformed "callback: a key URL that is not base64" POST '' \
	    'HTTP_X_OSS_PUB_KEY_URL=!!!'
	row 400 callback_malformed "callback: CR LF in the key URL" POST '' \
	    "HTTP_X_OSS_PUB_KEY_URL=$CRLFURL"
	row 400 callback_malformed "callback: a 100 KiB key URL" POST '' "HTTP_X_OSS_PUB_KEY_URL=$K100"
	row 400 callback_malformed "callback: a 100 KiB Authorization" POST '' \
	    "HTTP_X_OSS_PUB_KEY_URL=$PKURL" "HTTP_AUTHORIZATION=$K100"
	row 413 request_too_large "callback: a 64 KiB + 1 body" POST '' "HTTP_X_OSS_PUB_KEY_URL=$PKURL" \
	    CONTENT_LENGTH=65537 "<$T/body-64k1"
	row 405 method_not_allowed "callback: the header on a PUT" PUT '' \
	    "HTTP_X_OSS_PUB_KEY_URL=$PKURL"

	# Bodies on GET.
	row 400 bad_request "a body on GET" GET "$GOOD" CONTENT_LENGTH=5 "<$T/body-5"
	row 413 request_too_large "a 64 KiB + 1 body on GET" GET "$GOOD" \
	    CONTENT_LENGTH=65537 "<$T/body-64k1"
	row 413 request_too_large "10^8 bytes announced, 5 sent" GET "$GOOD" \
	    CONTENT_LENGTH=100000000 "<$T/body-5"
	row 400 bad_request "CONTENT_LENGTH -1" GET "$GOOD" CONTENT_LENGTH=-1
	row 400 bad_request "CONTENT_LENGTH abc" GET "$GOOD" CONTENT_LENGTH=abc
	row 400 bad_request "CONTENT_LENGTH 2^64" GET "$GOOD" \
	    CONTENT_LENGTH=18446744073709551616

	# Missing environment.
	row 400 bad_request "no REQUEST_METHOD" - "$GOOD"
	row 400 bad_request "empty REQUEST_METHOD" '' "$GOOD"
	row 200 ok "no QUERY_STRING at all" GET -

	# Origins.
	row 403 origin_not_allowed "preflight without Origin" OPTIONS ''
	row 403 origin_not_allowed "Origin null" OPTIONS '' HTTP_ORIGIN=null
	row 403 origin_not_allowed "Origin with a trailing slash" OPTIONS '' \
	    HTTP_ORIGIN=https://app.example/
	row 403 origin_not_allowed "Origin as a suffix" OPTIONS '' \
	    HTTP_ORIGIN=https://app.example.evil.example
	row 403 origin_not_allowed "Origin in upper case" OPTIONS '' \
	    HTTP_ORIGIN=HTTPS://APP.EXAMPLE
	row 403 origin_not_allowed "Origin *" OPTIONS '' 'HTTP_ORIGIN=*'
	row 200 ok "Origin with invalid UTF-8 gets no CORS" GET "$GOOD" \
	    $'HTTP_ORIGIN=https://\xff\xfe.example'

	# Batch signing (issue 11): the body as a whole, then file by file.
	mapfile -t B <<<"$(batch good)"
	row 200 batch:ok,too_large,invalid_filename,bad_request \
	    "batch: one signature, then each file's own error" POST '' "${B[@]}"
	mapfile -t B <<<"$(batch good)"
	B[0]='CONTENT_TYPE=Application/JSON; charset=utf-8'
	row 200 batch:ok,too_large,invalid_filename,bad_request \
	    "batch: Content-Type with another case and a charset" POST '' "${B[@]}"
	mapfile -t B <<<"$(batch good)"
	B[0]=CONTENT_TYPE=application/jsonx
	row 405 method_not_allowed "batch: not JSON (application/jsonx)" POST '' "${B[@]}"
	for b in notjson array dup nofiles empty nan utf8 nul; do
		mapfile -t B <<<"$(batch $b)"
		row 400 bad_request "batch: body $b" POST '' "${B[@]}"
	done
	mapfile -t B <<<"$(batch 101)"
	row 413 request_too_large "batch: 101 files (batch_max 100)" POST '' "${B[@]}"
	mapfile -t B <<<"$(batch big)"
	row 413 request_too_large "batch: a body over 64 KiB" POST '' "${B[@]}"
	mapfile -t B <<<"$(batch good)"
	B[1]=CONTENT_LENGTH=100000000
	row 413 request_too_large "batch: 10^8 bytes announced" POST '' "${B[@]}"
	row 400 bad_request "batch: no body" POST '' CONTENT_TYPE=application/json
	mapfile -t B <<<"$(batch unknown)"
	row 400 unknown_upload "batch: unknown upload" POST '' "${B[@]}"
	mapfile -t B <<<"$(batch avatars)"
	row 401 authentication_required "batch: a \${user} prefix without a user" \
	    POST '' "${B[@]}"

	# Health and metrics (issue 11): the path's last segment.
	row 400 bad_request "healthz with a body" GET '' REQUEST_URI=/s/healthz \
	    CONTENT_LENGTH=5 "<$T/body-5"
	row 404 not_found "metrics when metrics = no" GET '' REQUEST_URI=/s/metrics \
	    REMOTE_ADDR=127.0.0.1
}

# Count the rows for the plan.
NROWS=0
row() { NROWS=$((NROWS + 1)); }
rows
plan $((3 * NROWS + 11))

ok $((NROWS < 40)) "the table has at least 40 hostile requests ($NROWS)"

# ---- CGI -------------------------------------------------------------------
row() {
	local status=$1 want=$2 why r
	DESC=$3
	shift 3
	send cgi "$@"
	why=$(answer_is "$status" "$want")
	r=$?
	[ "$RC" = 0 ] || { why="exit status $RC${why:+; $why}"; r=1; }
	ok $r "cgi: $DESC: $status $want" || diag "$why"
}
rows

# CGI without its environment at all.
DESC="no GATEWAY_INTERFACE"
env -i PATH="$PATH" OSSIGN_CONFIG="$T/ossign.conf" REQUEST_METHOD=GET \
    $OSSIGN_WRAP "$OSSIGN" </dev/null >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 1 ] && [ ! -s "$T/out" ] && grep -q usage "$T/err"
ok $? "cgi: no GATEWAY_INTERFACE: usage, exit 1, nothing on stdout" ||
    diag "exit $rc; stdout: $(head -c 200 "$T/out")"
cat "$T/err" >>"$art/cgi-stderr.log"
DESC="missing configuration"
env -i PATH="$PATH" OSSIGN_CONFIG="$T/missing.conf" GATEWAY_INTERFACE=CGI/1.1 \
    REQUEST_METHOD=GET $OSSIGN_WRAP "$OSSIGN" </dev/null >"$T/out" \
    2>>"$art/cgi-stderr.log"
rc=$?
# This answer has no Content-Length: check the JSON alone.
[ "$rc" = 1 ] && python3 -c 'import json, sys
raw = open(sys.argv[1], "rb").read()
head, body = raw.split(b"\r\n\r\n", 1)
assert head.startswith(b"Status: 500 ")
assert json.loads(body)["error"]["code"] == "internal_error"' "$T/out" 2>/dev/null
ok $? "cgi: missing configuration: exit 1, 500 internal_error in JSON" ||
    diag "exit $rc; stdout: $(head -c 300 "$T/out")"

# cors_origins = *: any well-formed origin is echoed, never one with
# control bytes, spaces or non-ASCII bytes (not an origin, not a valid
# header value).
sed 's|^cors_origins = .*|cors_origins = *|' "$T/ossign.conf" >"$T/any.conf"
any_row() {
	local status=$1 want=$2 grant=$3 origin=$4 why r
	DESC="cors_origins = *: $5"
	send cgi "$6" "$7" OSSIGN_CONFIG="$T/any.conf" "HTTP_ORIGIN=$origin"
	why=$(answer_is "$status" "$want" "$grant")
	r=$?
	if [ -n "$grant" ] && ! grep -qF $'Access-Control-Allow-Origin: '"$grant"$'\r' "$T/out"; then
		why="no Access-Control-Allow-Origin: $grant${why:+; $why}"
		r=1
	fi
	ok $r "cgi: $DESC: $status $want" || diag "$why"
}
any_row 204 - https://any.example:8443 https://any.example:8443 \
    "a well-formed origin is echoed" OPTIONS ''
any_row 403 origin_not_allowed '' $'https://a\x01b.example' \
    "control byte in Origin" OPTIONS ''
any_row 403 origin_not_allowed '' $'https://a\x7fb.example' "DEL in Origin" \
    OPTIONS ''
any_row 403 origin_not_allowed '' $'https://\xff\xfe.example' \
    "non-ASCII bytes in Origin" OPTIONS ''
any_row 200 ok '' 'https://a b.example' "a space in Origin gets no CORS" \
    GET "$GOOD"

# ---- FastCGI -----------------------------------------------------------------
start_fcgi() {
	local wrap=()
	export OSSIGN_CONFIG="$T/ossign.conf"
	export ALIBABA_CLOUD_ACCESS_KEY_ID="$AKID"
	export ALIBABA_CLOUD_ACCESS_KEY_SECRET="$SECRET"
	# spawn-fcgi does not search PATH.
	read -ra wrap <<<"${OSSIGN_WRAP:-}"
	[ ${#wrap[@]} -gt 0 ] && wrap[0]=$(command -v "${wrap[0]}")
	bg_exec spawn-fcgi -n -s "$T/fcgi.sock" -M 0600 -- \
	    "${wrap[@]}" "$OSSIGN"
}
bg_start "$art/fcgi-stderr.log" start_fcgi
FPID=$BG_PID
DESC="first request"
if ! wait_sock "$T/fcgi.sock" 20 "$FPID" || ! send fcgi GET "$GOOD" ||
    ! answer_is 200 ok >/dev/null; then
	diag_file "$art/fcgi-stderr.log"
	bail_out "the FastCGI process does not answer"
fi
starttime() { awk '{ print $22 }' "/proc/$1/stat" 2>/dev/null; }
FSTART=$(starttime "$FPID")

row() {
	local status=$1 want=$2 why what
	DESC=$3
	shift 3
	send fcgi "$@"
	why=$(answer_is "$status" "$want")
	ok $? "fcgi: $DESC: $status $want" || diag "$why"
	what=$DESC
	DESC="good request after: $what"
	send fcgi GET "$GOOD"
	why=$(answer_is 200 'key:^uploads/ok\.png$')
	if [ $? = 0 ] && alive "$FPID" && [ "$(starttime "$FPID")" = "$FSTART" ]; then
		ok 0 "fcgi: the same process still signs after: $what"
	else
		ok 1 "fcgi: the same process still signs after: $what"
		diag "${why:-the process $FPID is gone}"
		diag_file "$art/fcgi-stderr.log" 10
	fi
}
rows

alive "$FPID" && [ "$(starttime "$FPID")" = "$FSTART" ]
ok $? "fcgi: one process answered every request (pid $FPID)"
stop_all
# Leaks are reported when the process exits (on SIGTERM, as here).
! grep -E '^==[0-9]+== |ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' \
    "$art/fcgi-stderr.log" | grep -qv 'Warning:'
ok $? "fcgi: no memory-checker or sanitizer report" ||
    diag_file "$art/fcgi-stderr.log" 30

# ---- nothing secret came out ---------------------------------------------------
! grep -rqF -- "$SECRET" "$art"
ok $? "the secret is in no answer and no log"
