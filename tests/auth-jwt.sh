#!/bin/bash
# auth = jwt through the real program, as a CGI and as FastCGI (spawn-fcgi,
# two workers, requests through cgi-fcgi): tokens minted by the npm "jose"
# library against the clock of now (tests/lib/jwt-requests.js), every
# refusal the issue lists (alg none, an RS256 public key used as an HS256
# secret, a missing or past exp, a future nbf or iat beyond the leeway, a
# wrong iss or aud, a token over 8 KiB, bad base64url or JSON) and the key
# forms (PEM, JWKS rotated by kid, an hs256: secret file), Bearer and the
# jwt_cookie cookie.  Each 200 signs under the token's user; each 401 has
# WWW-Authenticate: Bearer and the default message, and the log says why
# without the token.  ossign -t loads the key files and names a bad one by
# file and line; a FastCGI start with one fails.
. "${top_srcdir:-.}/tests/lib/common.sh"
need_ossign
need python3 spawn-fcgi cgi-fcgi
[ -n "$NODE" ] || skip_all "node not installed"
[ -r "$top_srcdir/node_modules/jose/package.json" ] ||
    skip_all "node_modules/jose missing (npm ci at the top of the tree)"
t_tmpdir
t_artifacts

mint() {
	"$NODE" "$top_srcdir/tests/lib/jwt-requests.js" "$T/jwt" >"$ART/mint.log" 2>&1 ||
	    { diag_file "$ART/mint.log"; bail_out "jwt-requests.js failed"; }
	while IFS= read -r s; do t_secret "$s"; done <"$T/jwt/secrets.txt"
}
mint
NCASES=$(wc -l <"$T/jwt/cases.tsv")
N401=$(awk -F'\t' '$5 == 401' "$T/jwt/cases.tsv" | wc -l)
plan $((2 * NCASES + 11))

cat >"$T/ossign.conf" <<CONF
bucket = web-upload
region = cn-hangzhou
host = http://127.0.0.1:9
cors_origins = https://app.example
[upload rsa]
key_prefix = rsa/\${user}/
auth = jwt
jwt_key = $T/jwt/rsa.pem
jwt_issuer = https://idp.example.com
jwt_audience = ossign
jwt_leeway = 300
[upload jwks]
key_prefix = jwks/\${user}/
auth = jwt
jwt_key = $T/jwt/jwks.json
jwt_user_claim = email
jwt_cookie = ossign_token
[upload hs]
key_prefix = hs/\${user}/
auth = jwt
jwt_key = hs256:$T/jwt/hs.key kid=h1
CONF
AKID=LTAI5tAuthJwtTestKey
SECRET=$(openssl rand -hex 20)
t_secret "$SECRET"

# check.py FILE STATUS SECTION USER: what is wrong with the answer in FILE.
cat >"$T/check.py" <<'PY'
import json, re, sys
path, want, section, user = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
raw = open(path, 'rb').read()
sep = raw.find(b'\r\n\r\n')
if sep < 0:
    print('no end of headers: %r' % raw[:120]); sys.exit(1)
h = {}
for line in raw[:sep].decode('latin-1').split('\r\n'):
    k, _, v = line.partition(': ')
    h[k.lower()] = v
body = raw[sep + 4:]
bad = []
status = int(h.get('status', '0').split(' ')[0])
if status != want:
    bad.append('status %d, expected %d: %r' % (status, want, body[:200]))
elif want == 200:
    j = json.loads(body)
    if not re.fullmatch(re.escape('%s/%s/' % (section, user)), j.get('dir', '')):
        bad.append('dir %r, expected %s/%s/' % (j.get('dir'), section, user))
    if 'www-authenticate' in h:
        bad.append('a challenge on 200')
elif want == 401:
    if h.get('www-authenticate') != 'Bearer realm="ossign"':
        bad.append('WWW-Authenticate %r' % h.get('www-authenticate'))
    if body != (b'{"error":{"code":"authentication_required","message":'
                b'"this upload needs an authenticated user"}}'):
        bad.append('body %r' % body[:200])
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PY

# send MODE SECTION HOW VALUE: one request; the raw answer in $T/out.
send() {
	local mode=$1 section=$2 how=$3 value=$4 vars=()
	vars=(REQUEST_METHOD=GET "QUERY_STRING=upload=$section&filename=a.png"
	    REMOTE_ADDR=192.0.2.1 REMOTE_USER=mallory HTTP_X_USER=mallory)
	case $how in
	bearer)	vars+=("HTTP_AUTHORIZATION=Bearer $value") ;;
	header)	vars+=("HTTP_AUTHORIZATION=$value") ;;
	cookie)	vars+=("HTTP_COOKIE=theme=dark; ossign_token=$value") ;;
	esac
	if [ "$mode" = cgi ]; then
		env -i PATH="$PATH" OSSIGN_CONFIG="$T/ossign.conf" \
		    ALIBABA_CLOUD_ACCESS_KEY_ID="$AKID" \
		    ALIBABA_CLOUD_ACCESS_KEY_SECRET="$SECRET" \
		    GATEWAY_INTERFACE=CGI/1.1 "${vars[@]}" \
		    $OSSIGN_WRAP "$OSSIGN" </dev/null >"$T/out" 2>>"$ART/cgi-stderr.log"
		[ $? = 99 ] && echo "$section $how" >>"$T/checker-errors"
	else
		env -i PATH="$PATH" GATEWAY_INTERFACE=CGI/1.1 "${vars[@]}" \
		    cgi-fcgi -bind -connect "$T/fcgi.sock" </dev/null >"$T/out" \
		    2>>"$ART/cgi-fcgi-stderr.log"
	fi
	sed -n '1,/^\r$/p' "$T/out" >>"$ART/responses.log"
	sed '1,/^\r$/d' "$T/out" >>"$ART/responses.log"
	echo >>"$ART/responses.log"
}

run_cases() {
	local mode=$1 name section how value status user why
	while IFS=$'\t' read -r name section how value status user; do
		send "$mode" "$section" "$how" "$value"
		why=$(python3 "$T/check.py" "$T/out" "$status" "$section" "$user")
		ok $? "$mode: $name: $status" || diag "$why"
	done <"$T/jwt/cases.tsv"
}

# ---- CGI: keys loaded per run ------------------------------------------
run_cases cgi
is "$(grep -c '\] 401 for 192\.0\.2\.1: ' "$ART/cgi-stderr.log")" "$N401" \
    "cgi: each 401 is logged with its client"
grep -q 'token refused (alg_none)' "$ART/cgi-stderr.log" &&
    grep -q 'token refused (key_alg)' "$ART/cgi-stderr.log" &&
    grep -q 'token refused (expired)' "$ART/cgi-stderr.log" &&
    grep -q 'token refused (too_long)' "$ART/cgi-stderr.log" &&
    grep -q 'no Bearer token' "$ART/cgi-stderr.log"
ok $? "cgi: the log says why (alg_none, key_alg, expired, too_long, none)"

# The preflight lets a page send its token.
env -i PATH="$PATH" OSSIGN_CONFIG="$T/ossign.conf" GATEWAY_INTERFACE=CGI/1.1 \
    REQUEST_METHOD=OPTIONS HTTP_ORIGIN=https://app.example \
    HTTP_ACCESS_CONTROL_REQUEST_METHOD=GET \
    HTTP_ACCESS_CONTROL_REQUEST_HEADERS=authorization \
    "$OSSIGN" </dev/null >"$T/out" 2>>"$ART/cgi-stderr.log"
grep -q $'^Access-Control-Allow-Headers: Authorization, Content-Type\r$' "$T/out"
ok $? "the preflight allows Authorization"

# ---- ossign -t -----------------------------------------------------------
"$OSSIGN" -c "$T/ossign.conf" -t >"$T/t.out" 2>"$T/t.err"
is "$?/$(cat "$T/t.out")" "0/configuration OK" "-t loads the three key files"
cp "$T/ossign.conf" "$T/bad.conf"
echo "jwt_key = $T/jwt/hs-wrong.pem" >>"$T/bad.conf"
line=$(wc -l <"$T/bad.conf")
"$OSSIGN" -c "$T/bad.conf" -t >"$T/t.out" 2>"$T/t.err"
rc=$?
like "$rc $(cat "$T/t.err")" "^1 ossign: $T/bad.conf:$line: jwt_key $T/jwt/hs-wrong.pem: " \
    "-t: a JWKS with a private key fails, by file and line"
chmod 666 "$T/jwt/rsa.pem"
"$OSSIGN" -c "$T/ossign.conf" -t >"$T/t.out" 2>"$T/t.err"
like "$? $(cat "$T/t.err")" "^1 .*:8: jwt_key $T/jwt/rsa.pem is writable by group or others" \
    "-t: a key file others may write is refused"
chmod 644 "$T/jwt/rsa.pem"
cat "$T/t.err" >>"$ART/cli-stderr.log"

# ---- FastCGI: keys loaded at start ---------------------------------------
start_fcgi() {
	export ALIBABA_CLOUD_ACCESS_KEY_ID="$AKID"
	export ALIBABA_CLOUD_ACCESS_KEY_SECRET="$SECRET"
	fcgi_spawn "$T/$1.sock" "$OSSIGN" -c "$T/$2" -n 2
}
bg_start "$ART/fcgi-bad-stderr.log" start_fcgi fcgi-bad bad.conf
BAD_PID=$BG_PID
for ((i = 0; i < 100; i++)); do alive "$BAD_PID" || break; sleep 0.1; done
! alive "$BAD_PID" && grep -q "bad.conf:$line: jwt_key " "$ART/fcgi-bad-stderr.log"
ok $? "FastCGI does not start with a bad key file, and says which" ||
    diag_file "$ART/fcgi-bad-stderr.log"

mint		# fresh tokens: the CGI runs may have been slow
bg_start "$ART/fcgi-stderr.log" start_fcgi fcgi ossign.conf
FPID=$BG_PID
wait_sock "$T/fcgi.sock" 20 "$FPID" || { diag_file "$ART/fcgi-stderr.log"; bail_out "no FastCGI"; }
run_cases fcgi
alive "$FPID"
ok $? "fcgi: the process served every request"
stop_all
is "$(grep -c '\] 401 for 192\.0\.2\.1: ' "$ART/fcgi-stderr.log")" "$N401" \
    "fcgi: each 401 is logged"

# ---- nothing leaked --------------------------------------------------------
leaked=0
while IFS= read -r s; do
	grep -rqF -- "$s" "$ART" && leaked=$((leaked + 1))
done <"$T/jwt/secrets.txt"
is "$leaked" 0 "no token and no key in any log or answer"
! grep -E '^==[0-9]+== |ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' \
    "$ART"/*.log | grep -qv 'Warning:' && [ ! -e "$T/checker-errors" ]
ok $? "no memory-checker or sanitizer report"
