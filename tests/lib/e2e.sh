# tests/lib/e2e.sh: the checks every end-to-end test makes through its web
# server (bash; sources stack.sh).  A test starts the emulators and ossign
# (or lets its server start ossign), points its server at them, then calls
#
#	e2e_checks "http://127.0.0.1:PORT/get_post_signature_for_oss_upload"
#
# which makes exactly $E2E_NTESTS assertions: sign, upload to the OSS
# emulator with the returned fields in order then the file, read the object
# back and compare bytes, bad requests answered with their 4xx JSON (and the
# next good request still served), policy enforcement by OSS
# (forbid_overwrite), 405 for POST, a CORS preflight refused with its JSON;
# then issue 11's routes through the server: a batch (POST JSON),
# .../healthz, .../metrics (off in these configs: ossign's 404) and the
# server's own refusal of .../metrics from another address (127.0.0.2).
# Uses the [upload] sections of deploy/ossign.conf.example (default, images,
# private, notify).  Then the upload callbacks (issue 10): an upload to
# [upload notify] makes the OSS emulator call back through the server
# ($STACK_CALLBACK_URL), ossign delivers exactly one verified event to the
# spool and its answer reaches the uploader; the same upload again, a
# forged, a tampered, a foreign-key and an unsigned callback deliver
# nothing and get their documented status.
#
# Without the OSS emulator (no node, or no node_modules as under make
# distcheck) the upload checks are reported as skipped and the signing
# checks still run.

_e2e_lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
declare -F stack_start >/dev/null || . "$_e2e_lib/stack.sh"

E2E_NTESTS=$((24 + 13 + 4 + 2))

# e2e_have_oss: true when the OSS emulator can run.
# (It uses ali-oss's signing code from node_modules: absent under make
# distcheck, where the upload checks are skipped.)
e2e_have_oss() {
	[ -x "$NODE" ] && [ -r "$top_srcdir/tests/emu/oss.js" ] &&
	    [ -d "$top_srcdir/node_modules/ali-oss" ]
}

# e2e_backend: the part every e2e test shares: keys, the emulators (when
# they exist) and $STACK_CONF.  Credentials: E2E_CREDS=env (default; a
# long-term key in the emulators' accounts.json and in ossign's
# environment) or sts (ossign calls AssumeRole on the STS emulator with the
# key in access_key_file; falls back to env without the STS emulator).
# Sets E2E_OSS=1 when uploads can be checked.
e2e_backend() {
	if [ -z "${STACK_DIR:-}" ]; then
		t_tmpdir
		STACK_DIR=$T
	fi
	STACK_STATE=${STACK_STATE:-$STACK_DIR/state}
	STACK_CREDS=${E2E_CREDS:-env}
	if [ "$STACK_CREDS" = sts ] && ! stack_have_sts; then
		diag "no STS emulator: credentials = env instead"
		STACK_CREDS=env
	fi
	stack_keys
	# The server's port, before the config names it in callback_url.
	STACK_HTTP_PORT=${STACK_HTTP_PORT:-$(free_port)}
	e2e_jwt_keys
	E2E_OSS=0
	if e2e_have_oss; then
		stack_emulators || return 1
		E2E_OSS=1
	else
		# Signing still works; nothing listens there.
		STACK_OSS_URL=http://127.0.0.1:9
		STACK_CREDS=env
	fi
	[ "$STACK_CREDS" = sts ] && stack_sts_files
	STACK_CONF=$STACK_DIR/ossign.conf
	stack_write_conf "$STACK_CONF"
	chmod 644 "$STACK_CONF"
	mkdir -p "$STACK_DIR/bin"
	cp "$OSSIGN" "$STACK_DIR/bin/ossign" && chmod 755 "$STACK_DIR/bin/ossign"
	stack_www || return 1
	STACK_OSSIGN=$STACK_DIR/bin/ossign
	export STACK_CONF STACK_OSSIGN STACK_OSS_URL STACK_CREDS STACK_HTTP_PORT
}

# e2e_jwt_keys (issue 11): an RS256 key pair for auth = jwt, the public
# half in $STACK_JWT_PEM (0644: whichever user the server runs ossign as
# reads it), which stack_write_conf names in an [upload jwt] section; the
# private half signs e2e_jwt_token's tokens and never leaves STACK_DIR.
e2e_jwt_keys() {
	STACK_JWT_PEM=
	(umask 077 && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	    -out "$STACK_DIR/jwt-private.pem" 2>/dev/null) &&
	openssl pkey -in "$STACK_DIR/jwt-private.pem" -pubout -out "$STACK_DIR/jwt.pem" \
	    2>/dev/null && chmod 644 "$STACK_DIR/jwt.pem" &&
	STACK_JWT_PEM=$STACK_DIR/jwt.pem
	export STACK_JWT_PEM
}

# e2e_jwt_token SUB: an RS256 token for SUB, valid for 5 minutes.
e2e_jwt_token() {
	local now h p s b64u='openssl base64 -A | tr "+/" "-_" | tr -d "="'
	now=$(date +%s)
	h=$(printf '{"alg":"RS256","typ":"JWT"}' | eval "$b64u")
	p=$(printf '{"sub":"%s","iat":%d,"exp":%d}' "$1" "$now" $((now + 300)) | eval "$b64u")
	s=$(printf '%s.%s' "$h" "$p" | openssl dgst -sha256 -sign "$STACK_DIR/jwt-private.pem" |
	    eval "$b64u") || return 1
	printf '%s.%s.%s\n' "$h" "$p" "$s"
}

# t_exit_hook (called by common.sh at exit, every process stopped): keep
# the servers' logs under tests/artifacts/NAME/ for the secrets scan, and
# register the credentials the STS emulator issued as secrets.
t_exit_hook() {
	local f
	[ -n "${STACK_DIR:-}" ] && [ -d "$STACK_DIR" ] || return 0
	if declare -F t_artifacts >/dev/null; then
		t_artifacts
		(cd "$STACK_DIR" && find . -name '*.log' -type f -print0 |
		    xargs -0 -r cp --parents -t "$ART") 2>/dev/null
	fi
	declare -F t_secret >/dev/null || return 0
	for f in "${STACK_STATE:-/nonexistent}"/issued/*.json; do
		[ -r "$f" ] || continue
		t_secret "$(json_get "$f" AccessKeySecret)"
		t_secret "$(json_get "$f" SecurityToken)" token
	done
	return 0
}

# mask: hide signatures and tokens in text shown as diagnostics.
mask() {
	sed -E 's/("(signature|x-oss-signature|security_token|x-oss-security-token|policy)" *: *")[^"]*/\1***/g'
}

# json_get FILE PATH: the value at a dotted PATH (fields.key, error.code) of
# the JSON in FILE: strings raw, other values as JSON; fails if absent.
json_get() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
try:
    v = json.load(open(sys.argv[1], encoding="utf-8"))
    for part in sys.argv[2].split("."):
        v = v[int(part)] if isinstance(v, list) else v[part]
except Exception:
    sys.exit(1)
print(v if isinstance(v, str) else json.dumps(v, separators=(",", ":")))
EOF
}

# http_get URL OUT [CURL ARGS...]: GET, body to OUT, headers to OUT.h;
# prints the status.
http_get() {
	local url=$1 out=$2
	shift 2
	curl -s -m 20 -o "$out" -D "$out.h" -w '%{http_code}' "$@" -- "$url"
}

# header FILE NAME: the value of the last NAME header in a curl -D dump.
header() {
	tr -d '\r' <"$1" | awk -v n="$(printf '%s' "$2" | tr 'A-Z' 'a-z')" '
		{ i = index($0, ":"); if (i == 0) next
		  k = tolower(substr($0, 1, i - 1)); v = substr($0, i + 1)
		  sub(/^[ \t]+/, "", v); if (k == n) last = v }
		END { print last }'
}

# post_object SIGJSON FILE OUT [CONTENT_TYPE]: the browser's upload: every
# entry of "fields" in order as a form field (literally: --form-string),
# then the file last; to "host".  Prints the status; response in OUT.
post_object() {
	local sig=$1 file=$2 out=$3 ctype=${4:-application/octet-stream} host
	local -a args=()
	host=$(json_get "$sig" host) || return 1
	mapfile -d '' args < <(python3 - "$sig" <<'EOF'
import json, sys
fields = json.load(open(sys.argv[1], encoding="utf-8"))["fields"]
for k, v in fields.items():
    sys.stdout.write("--form-string\0%s=%s\0" % (k, v))
EOF
)
	curl -s -m 30 -o "$out" -D "$out.h" -w '%{http_code}' "${args[@]}" \
	    -F "file=@$file;type=$ctype" -- "$host"
}

# object_url KEY: where the OSS emulator serves an object back to its owner
# (the admin route: the bucket is private, an anonymous GET is refused).
object_url() {
	local k
	k=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1")
	printf '%s/_emu/object?key=%s\n' "$STACK_OSS_URL" "$k"
}

# e2e_checks SIGN_URL: E2E_NTESTS assertions against a running server.
e2e_checks() {
	local url=$1 d st key ct n=$E2E_NTESTS skipmsg="no OSS emulator (tests/emu/oss.js, node_modules)"
	d=$(mktemp -d "${STACK_DIR:-/tmp}/e2e.XXXXXX")

	# 1-6: a signature for a named file
	head -c 3000 /dev/urandom >"$d/hello.txt"
	st=$(http_get "$url?filename=hello.txt&content_type=text/plain&size=3000" "$d/sig.json")
	is "$st" 200 "signature: 200" || diag "$(mask <"$d/sig.json")"
	ct=$(header "$d/sig.json.h" Content-Type)
	like "$ct" '^application/json' "signature: Content-Type application/json"
	is "$(header "$d/sig.json.h" Cache-Control)" no-store "signature: Cache-Control no-store"
	key=$(json_get "$d/sig.json" fields.key)
	like "$key" '^uploads/[0-9]{4}/[0-9]{2}/[0-9]{2}/[0-9a-f-]{36}/hello\.txt$' \
	    "signature: fields.key from the default section's prefix and the file name"
	is "$(json_get "$d/sig.json" host)" "$STACK_OSS_URL" "signature: host is the configured OSS host"
	is "$(json_get "$d/sig.json" fields.success_action_status)" 200 \
	    "signature: fields.success_action_status 200"

	# 7-8: upload it, read it back
	if [ "${E2E_OSS:-0}" = 1 ]; then
		st=$(post_object "$d/sig.json" "$d/hello.txt" "$d/post.out" text/plain)
		is "$st" 200 "upload: OSS accepts the form (success_action_status 200)" ||
		    diag "$(mask <"$d/post.out")"
		st=$(http_get "$(object_url "$key")" "$d/back.txt")
		cmp -s "$d/hello.txt" "$d/back.txt"
		ok $? "upload: the object reads back byte for byte (GET $st)"
	else
		skip 2 "$skipmsg"
	fi

	# 9-16: bad requests get their JSON error; the process keeps serving
	st=$(http_get "$url?filename=big.bin&size=10485761" "$d/e1.json")
	is "$st" 413 "too large: 413"
	is "$(json_get "$d/e1.json" error.code)" too_large "too large: code too_large"
	st=$(http_get "$url?size=1&size=2" "$d/e2.json")
	is "$st" 400 "repeated parameter: 400"
	is "$(json_get "$d/e2.json" error.code)" bad_request "repeated parameter: code bad_request"
	st=$(http_get "$url?upload=images&filename=x.txt&content_type=text/plain" "$d/e3.json")
	is "$st" 415 "type not in content_types: 415"
	is "$(json_get "$d/e3.json" error.code)" type_not_allowed "type not in content_types: code type_not_allowed"
	# A user name made up in an Authorization header is not a login.
	st=$(http_get "$url?upload=private&filename=x.txt" "$d/e4.json" -u alice:guess)
	is "$st" 401 "\${user} prefix without authentication: 401 (made-up Authorization ignored)"
	is "$(json_get "$d/e4.json" error.code)" authentication_required \
	    "\${user} prefix without authentication: code authentication_required"

	# 17-18: the next good request still works
	printf '\211PNG\r\n\032\n' >"$d/pic.png"
	head -c 2000 /dev/urandom >>"$d/pic.png"
	n=$(stat -c %s "$d/pic.png")
	st=$(http_get "$url?upload=images&filename=pic.png&content_type=image/png&size=$n" "$d/sig2.json")
	is "$st" 200 "after errors: a good request is signed" || diag "$(mask <"$d/sig2.json")"
	like "$(json_get "$d/sig2.json" fields.key)" '^images/[0-9]{4}/[0-9]{2}/[0-9a-f-]{36}\.png$' \
	    "images: key is a uuid with the file's extension"

	# 19-21: policy enforced by OSS: the upload, then the same key again
	# (forbid_overwrite), then the bytes
	if [ "${E2E_OSS:-0}" = 1 ]; then
		st=$(post_object "$d/sig2.json" "$d/pic.png" "$d/post2.out" image/png)
		is "$st" 200 "images: upload accepted" || diag "$(mask <"$d/post2.out")"
		st=$(post_object "$d/sig2.json" "$d/pic.png" "$d/post3.out" image/png)
		is "$st" 409 "images: second upload to the same key refused (forbid_overwrite)" ||
		    diag "$(mask <"$d/post3.out")"
		http_get "$(object_url "$(json_get "$d/sig2.json" fields.key)")" "$d/back.png" >/dev/null
		cmp -s "$d/pic.png" "$d/back.png"
		ok $? "images: the object reads back byte for byte"
	else
		skip 3 "$skipmsg"
	fi

	# 22: only GET and OPTIONS
	st=$(http_get "$url" "$d/e5.json" -X POST -d x=1)
	is "$st" 405 "POST: 405 method_not_allowed"

	# 23-24: a CORS preflight reaches ossign through the server; the
	# page is same-origin, so cors_origins is unset and any origin is
	# refused.
	st=$(http_get "$url" "$d/e6.json" -X OPTIONS -H 'Origin: http://elsewhere.example' \
	    -H 'Access-Control-Request-Method: GET')
	is "$st" 403 "OPTIONS preflight from another origin: 403"
	is "$(json_get "$d/e6.json" error.code)" origin_not_allowed \
	    "OPTIONS preflight from another origin: code origin_not_allowed"

	# 25-37: upload callbacks through this server
	if [ "${E2E_OSS:-0}" = 1 ]; then
		e2e_callback_checks "$url" \
		    "${STACK_CALLBACK_URL:-http://127.0.0.1:$STACK_HTTP_PORT/ossign/callback}" "$d"
	else
		skip 13 "$skipmsg"
	fi
	# 38-41 (issue 11): batch signing, health and metrics through the server.
	st=$(http_get "$url" "$d/b.json" -H 'Content-Type: application/json' \
	    --data-binary '{"files":[{"filename":"a.txt","size":3},{"filename":"b.txt","size":99999999}]}')
	is "$st $(python3 -c 'import json, sys
print(",".join(u.get("error", {}).get("code", "ok") for u in json.load(open(sys.argv[1]))["uploads"]))' \
	    "$d/b.json" 2>/dev/null)" "200 ok,too_large" "batch: POST JSON, one entry per file"
	st=$(http_get "$url/healthz" "$d/h.json")
	is "$st $(json_get "$d/h.json" status)" "200 ok" "GET .../healthz: 200, status ok"
	st=$(http_get "$url/metrics" "$d/m.json")
	is "$st $(json_get "$d/m.json" error.code)" "404 not_found" \
	    "GET .../metrics from 127.0.0.1 reaches ossign (metrics = no: 404)"
	st=$(http_get "$url/metrics" "$d/m2.out" --interface 127.0.0.2)
	is "$st" 403 "GET .../metrics from 127.0.0.2: refused by the web server"
	# 42-43 (issue 11): the server hands ossign the Authorization header
	# (Apache only when told: CGIPassAuth On in deploy/apache/), so a
	# Bearer token is a login for auth = jwt, and no token a 401 with its
	# challenge.
	if [ -n "${STACK_JWT_PEM:-}" ] && tok=$(e2e_jwt_token carol); then
		declare -F t_secret >/dev/null && t_secret "$tok"
		st=$(http_get "$url?upload=jwt&filename=t.txt" "$d/jwt.json" \
		    -H "Authorization: Bearer $tok")
		is "$st/$(json_get "$d/jwt.json" dir)" 200/jwt/carol/ \
		    "auth = jwt: the Bearer token reaches ossign, signed for its sub" ||
		    diag "$(mask <"$d/jwt.json")"
		st=$(http_get "$url?upload=jwt&filename=t.txt" "$d/jwt2.json" -u carol:guess)
		is "$st $(header "$d/jwt2.json.h" WWW-Authenticate)" '401 Bearer realm="ossign"' \
		    "auth = jwt, Basic credentials instead: 401 with WWW-Authenticate: Bearer"
	else
		skip 2 "no RS256 key pair (openssl)"
	fi
}

# spool_count: event files in the spool.
spool_count() {
	find "$STACK_SPOOL" -maxdepth 1 -name '*.json' -type f | wc -l
}

# cb_send BODY OUT ARGS...: one callback made by tests/lib/cb-request.py
# (signed as OSS signs, or broken as ARGS say), POSTed to $CB_URL; prints
# the status.
cb_send() {
	local body=$1 out=$2 hostpart pathpart
	shift 2
	hostpart=$(printf '%s' "$CB_URL" | sed -E 's|^(https?://[^/]+).*|\1|')
	pathpart=${CB_URL#"$hostpart"}
	python3 "$top_srcdir/tests/lib/cb-request.py" --body "$body" --out "$out" \
	    --url "$hostpart" --path "${pathpart:-/}" "$@"
}

# cb_body SIGJSON OBJECT OUT: a JSON callback body (ossign's default
# template) carrying the ticket of the signature in SIGJSON, for OBJECT.
cb_body() {
	python3 - "$1" "$2" "$STACK_BUCKET" >"$3" <<'EOF'
import json, sys
f = json.load(open(sys.argv[1], encoding="utf-8"))["fields"]
b = {"bucket": sys.argv[3], "object": sys.argv[2], "etag": "D41D8CD98F00B204E9800998ECF8427E",
     "size": 1, "mimeType": "text/plain"}
for n in ("user", "upload", "match", "key", "exp", "ticket"):
    b["ossign_" + n] = f["x:ossign_" + n]
sys.stdout.write(json.dumps(b, separators=(",", ":")))
EOF
}

# e2e_callback_checks SIGN_URL CALLBACK_URL DIR: 13 assertions.
e2e_callback_checks() {
	local url=$1 d=$3 st key n0 ev
	CB_URL=$2
	head -c 2000 /dev/urandom >"$d/cb.bin"
	n0=$(spool_count)
	st=$(http_get "$url?upload=notify&filename=cb.bin&size=2000" "$d/cbsig.json")
	is "$st" 200 "callback: a signature for [upload notify]" || diag "$(mask <"$d/cbsig.json")"
	key=$(json_get "$d/cbsig.json" fields.key)
	json_get "$d/cbsig.json" fields.callback >/dev/null &&
	    [[ $(json_get "$d/cbsig.json" fields.x:ossign_ticket) =~ ^v1\.[0-9a-f]{64}$ ]]
	ok $? "callback: the answer's fields carry callback and x:ossign_ticket"
	st=$(post_object "$d/cbsig.json" "$d/cb.bin" "$d/cbpost.out")
	is "$st" 200 "callback: OSS called ossign back through the server, the upload answers 200" ||
	    { diag "$(cat "$d/cbpost.out")"; diag_file "$STACK_DIR/oss.log"; }
	ev=$(json_get "$d/cbpost.out" event)
	[ "$(json_get "$d/cbpost.out" status)" = ok ] && [ "$(json_get "$d/cbpost.out" object)" = "$key" ]
	ok $? "callback: ossign's answer reached the uploader (event ${ev:0:16}...)"
	is "$(spool_count)" $((n0 + 1)) "callback: exactly one event in the spool"
	[ -r "$STACK_SPOOL/$ev.json" ] &&
	    [ "$(json_get "$STACK_SPOOL/$ev.json" object)" = "$key" ] &&
	    [ "$(json_get "$STACK_SPOOL/$ev.json" upload)" = notify ] &&
	    [ "$(json_get "$STACK_SPOOL/$ev.json" callback.size)" = 2000 ]
	ok $? "callback: the event names the object, the section and the size OSS sent"
	http_get "$STACK_OSS_URL/_emu/callbacks" "$d/calls.json" >/dev/null
	python3 - "$d/calls.json" "$CB_URL" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))[-1]
sys.exit(0 if c["ok"] and c["url"] == sys.argv[2] else 1)
EOF
	ok $? "callback: the emulator called $CB_URL"
	# The same upload again (same signature, same key): no second event.
	st=$(post_object "$d/cbsig.json" "$d/cb.bin" "$d/cbpost2.out")
	is "$st/$(sed -n 's|.*<Code>\(.*\)</Code>.*|\1|p' "$d/cbpost2.out")" 203/CallbackFailed \
	    "callback: the same upload again: ossign answers 409, the uploader gets 203 CallbackFailed"
	cb_body "$d/cbsig.json" "$key" "$d/cbgood.json"
	openssl genrsa -out "$d/other.pem" 2048 2>/dev/null
	st=$(cb_send "$d/cbgood.json" "$d/f1.json" --sign-key "$d/other.pem")
	is "$st/$(json_get "$d/f1.json" error.code)" 403/callback_bad_signature \
	    "callback: forged (another key): 403 callback_bad_signature"
	cb_body "$d/cbsig.json" "${key%/*}/other.bin" "$d/cbtamp.json"
	st=$(cb_send "$d/cbtamp.json" "$d/f2.json" --sign-key "$STACK_CB_KEY")
	is "$st/$(json_get "$d/f2.json" error.code)" 403/callback_bad_ticket \
	    "callback: tampered (signed, another object): 403 callback_bad_ticket (Authorization reached ossign)"
	st=$(cb_send "$d/cbgood.json" "$d/f3.json" --sign-key "$STACK_CB_KEY" \
	    --key-url https://evil.example/callback_pub_key_v1.pem)
	is "$st/$(json_get "$d/f3.json" error.code)" 403/callback_key_refused \
	    "callback: a foreign key URL: 403 callback_key_refused"
	st=$(cb_send "$d/cbgood.json" "$d/f4.json" --no-auth)
	is "$st/$(json_get "$d/f4.json" error.code)" 400/callback_malformed \
	    "callback: no Authorization: 400 callback_malformed"
	is "$(spool_count)" $((n0 + 1)) "callback: still exactly one event"
}

