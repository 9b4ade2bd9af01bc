#!/bin/bash
# tests/callback-route.sh: ossign's callback route as a table, through nginx
# (deploy/nginx/, ossign under spawn-fcgi) and then as a plain CGI program
# (under $OSSIGN_WRAP: make check-valgrind runs it under valgrind).
#
# Genuine callbacks come from the OSS emulator after real uploads (signed
# with the stack's test key, which the config pins); the others are made by
# tests/lib/cb-request.py, signed as OSS signs or broken on purpose.  Each
# row checks the status and the JSON code, and the spool is counted after
# each: only the rows that pass every check deliver an event.  Rows:
# genuine (JSON, form, prefix), the same upload again, a replayed callback,
# forged (another key), tampered (body, path), foreign and malformed key
# URLs, no or bad Authorization, a body that is not JSON, no ticket, a
# ticket changed by a digit, another object than signed, an object outside
# the prefix, an expired ticket (signed with --time three days ago), a
# ticket for a section without callback_url (signed by a config that had
# one, with the same secret_file); callback_verify_object (the object as
# uploaded; one never uploaded; another ETag; another size); callback_forward
# (the application checks X-Ossign-Signature and answers: relayed; down:
# 502 and the same callback delivered once it is back; too slow: 504; not
# JSON: 502); old claims swept; then as CGI the refusals again, a body over
# 64 KiB, and a public key fetched once into cache_dir over https (an
# http:// URL through its https:// twin), a bad one refused and not kept.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib/e2e.sh"

need nginx spawn-fcgi curl python3 openssl
need_ossign
e2e_have_oss || skip_all "no OSS emulator (tests/emu/oss.js, node_modules)"

plan 61

t_tmpdir
t_artifacts
STACK_DIR=$T
CBREQ=$top_srcdir/tests/lib/cb-request.py
mkdir -p "$T/rows"
SERVERS=$top_srcdir/tests/lib/cb-servers.py

# ---- the application behind callback_forward, and the configuration ----------
(umask 077 && head -c 32 /dev/urandom >"$T/secret")
echo ok >"$T/app.mode"
bg_start "$T/app.out" python3 "$SERVERS" app --secret "$T/secret" --mode-file "$T/app.mode" \
    --log "$T/app.log"
line=$(wait_line "$T/app.out" '^listening [0-9]+' 10 "$BG_PID") || bail_out "the application did not start"
APP_PORT=${line#listening }
cat >"$T/uploads.conf" <<EOF
[upload notify]
key_prefix = notify/
callback_url = x
callback_spool = x
[upload prefix]
key_prefix = pre/\${uuid}/
callback_url = x
callback_spool = x
[upload form]
key_prefix = form/
callback_url = x
callback_body_type = application/x-www-form-urlencoded
callback_spool = x
[upload verify]
key_prefix = ver/
callback_url = x
callback_verify_object = yes
callback_spool = x
[upload fwd]
key_prefix = fwd/
callback_url = x
callback_forward = http://127.0.0.1:$APP_PORT/events
callback_timeout = 1
[upload gone]
key_prefix = gone/
EOF
STACK_UPLOADS=$T/uploads.conf
STACK_CONF_EXTRA="secret_file = $T/secret"
e2e_backend || bail_out "emulators did not start"
stack_ossign || bail_out "ossign did not start"
stack_nginx || bail_out "nginx did not start"
CB_URL=$STACK_URL/ossign/callback
# The same secret, a section "gone" that asks for callbacks: its tickets
# are ossign's own, for a section that (here) asks for none.
# (In the section itself: stack.sh may add sections after it.)
sed -e "/^\[upload gone\]/a callback_url = $CB_URL\\
callback_insecure = yes" "$STACK_CONF" >"$T/gone.conf"

# sig NAME ARGS...: `ossign sign ARGS` into $T/NAME.json (the test key).
sig() {
	local n=$1
	shift
	(stack_export_keys && exec "$OSSIGN" -c "${SIGCONF:-$STACK_CONF}" sign "$@") >"$T/$n.json" 2>"$T/$n.err"
}
# result OUT: the answer's error code, else its "status" or "app".
result() {
	json_get "$1" error.code 2>/dev/null || json_get "$1" status 2>/dev/null ||
	    json_get "$1" app 2>/dev/null || echo "?"
}
# row DESC WANT BODY ARGS...: a made callback to $CB_URL, its status/code is WANT.
row() {
	local desc=$1 want=$2 body=$3 st n
	shift 3
	n=$(( _tap_n + 1 ))
	st=$(cb_send "$body" "$T/rows/$n.json" "$@" 2>"$T/rows/$n.err")
	is "$st/$(result "$T/rows/$n.json")" "$want" "$desc" || diag_file "$T/rows/$n.err"
}
# upload NAME FILE: post the signature $T/NAME.json with FILE to the emulator.
upload() {
	post_object "$T/$1.json" "$2" "$T/$1.post"
}
spooled() { spool_count; }
# form_body SIGJSON OBJECT OUT: cb_body, form-encoded.
form_body() {
	cb_body "$1" "$2" "$3.j"
	python3 -c 'import json, sys, urllib.parse
print(urllib.parse.urlencode(json.load(open(sys.argv[1]))), end="")' "$3.j" >"$3"
}

head -c 1000 /dev/urandom >"$T/a.bin"
head -c 1500 /dev/urandom >"$T/b.bin"

# ---- genuine callbacks, and the same upload again -----------------------------
n0=$(spooled)
sig n1 --upload notify --filename a.bin
st=$(upload n1 "$T/a.bin")
is "$st/$(result "$T/n1.post")" 200/ok "genuine (JSON): OSS's callback delivered, its answer relayed"
is "$(spooled)" $((n0 + 1)) "genuine: one event"
st=$(upload n1 "$T/a.bin")
is "$st" 203 "the same upload again: 203 CallbackFailed to the uploader"
cb_body "$T/n1.json" notify/a.bin "$T/n1.body"
row "a replayed callback (same ticket, same object): 409" 409/callback_replayed "$T/n1.body" \
    --sign-key "$STACK_CB_KEY"
is "$(spooled)" $((n0 + 1)) "still one event"

sig f1 --upload form --filename a.bin
st=$(upload f1 "$T/a.bin")
is "$st/$(result "$T/f1.post")" 200/ok "genuine (form body): delivered"
ev=$(json_get "$T/f1.post" event)
is "$(json_get "$STACK_SPOOL/$ev.json" callback.size)" 1000 "form body: the event has OSS's size (a string)"

# ---- made callbacks refused: nothing delivered ---------------------------------
n0=$(spooled)
sig n2 --upload notify --filename b.bin
cb_body "$T/n2.json" notify/b.bin "$T/n2.body"
printf '{"bucket":"%s","object":"notify/b.bin"}' "$STACK_BUCKET" >"$T/noticket.body"
printf '{"object":' >"$T/broken.body"
python3 -c 'import json, sys
b = json.load(open(sys.argv[1]))
t = b["ossign_ticket"]
b["ossign_ticket"] = t[:-1] + ("1" if t[-1] == "0" else "0")
print(json.dumps(b, separators=(",", ":")), end="")' "$T/n2.body" >"$T/digit.body"
cb_body "$T/n2.json" notify/other.bin "$T/other.body"
openssl genrsa -out "$T/other.pem" 2048 2>/dev/null
row "forged: signed with another key" 403/callback_bad_signature "$T/n2.body" --sign-key "$T/other.pem"
row "tampered: the body changed after signing" 403/callback_bad_signature "$T/n2.body" \
    --sign-key "$STACK_CB_KEY" --signed-body "$T/other.body"
row "tampered: signed for another path" 403/callback_bad_signature "$T/n2.body" \
    --sign-key "$STACK_CB_KEY" --signed-path /ossign/callback?x=1
row "a foreign key URL" 403/callback_key_refused "$T/n2.body" --sign-key "$STACK_CB_KEY" \
    --key-url https://gosspublic.alicdn.com.evil.example/callback_pub_key_v1.pem
row "a key URL that is not base64" 400/callback_malformed "$T/n2.body" --sign-key "$STACK_CB_KEY" \
    --key-url-raw '!!!'
row "no x-oss-pub-key-url: not a callback (a JSON POST is batch signing, which refuses this body)" 400/bad_request "$T/n2.body" \
    --sign-key "$STACK_CB_KEY" --no-key-url
row "no Authorization" 400/callback_malformed "$T/n2.body" --no-auth
row "an Authorization that is not base64" 400/callback_malformed "$T/n2.body" --authorization '*&^%'
row "a body that is not JSON (signed)" 400/callback_malformed "$T/broken.body" --sign-key "$STACK_CB_KEY"
row "no ticket (signed)" 403/callback_bad_ticket "$T/noticket.body" --sign-key "$STACK_CB_KEY"
row "a ticket changed by one digit" 403/callback_bad_ticket "$T/digit.body" --sign-key "$STACK_CB_KEY"
row "another object than the one signed" 403/callback_bad_ticket "$T/other.body" --sign-key "$STACK_CB_KEY"
SIGCONF=$T/gone.conf sig g1 --upload gone --filename g.bin
cb_body "$T/g1.json" gone/g.bin "$T/g1.body"
row "a ticket for a section without callback_url" 403/callback_bad_ticket "$T/g1.body" --sign-key "$STACK_CB_KEY"
sig old --time "$(date -u -d '3 days ago' +%Y-%m-%dT%H:%M:%SZ)" --upload notify --filename old.bin
cb_body "$T/old.json" notify/old.bin "$T/old.body"
row "an expired ticket (signed three days ago)" 403/callback_bad_ticket "$T/old.body" --sign-key "$STACK_CB_KEY"
grep -q "the signature of this upload expired too long ago" "$T/rows/$_tap_n.json"
ok $? "and it says why"
is "$(spooled)" "$n0" "none of them delivered an event"
grep -q 'callback from 127.0.0.1 refused: 403 callback_bad_ticket: the ticket does not match its values' \
    "$STACK_DIR/ossign.log" && ! grep -q "$(json_get "$T/n2.json" fields.x:ossign_ticket)" "$STACK_DIR/ossign.log"
ok $? "each refusal logged with its reason, never the ticket or the body"
row "the right ticket, signed by OSS: delivered" 200/ok "$T/n2.body" --sign-key "$STACK_CB_KEY"

# ---- prefix mode ----------------------------------------------------------------
sig p1 --upload prefix
dir=$(json_get "$T/p1.json" dir)
cb_body "$T/p1.json" "${dir}any/name.bin" "$T/p1.body"
cb_body "$T/p1.json" "pre/elsewhere/x.bin" "$T/p1out.body"
row "prefix: an object outside the prefix" 403/callback_bad_ticket "$T/p1out.body" --sign-key "$STACK_CB_KEY"
# Old claims go (when no ticket they stand for can be valid any more).
old=cb-$(printf '0%.0s' $(seq 64))
(umask 077 && echo old >"$T/cache/$old") && touch -d '5 days ago' "$T/cache/$old"
rm -f "$T/cache/cb-prune"
row "prefix: an object under the prefix" 200/ok "$T/p1.body" --sign-key "$STACK_CB_KEY"
[ ! -e "$T/cache/$old" ] && [ -e "$T/cache/cb-prune" ] &&
    [ "$(find "$T/cache" -name 'cb-????????????????????????????????????????????????????????????????' | wc -l)" -ge 4 ]
ok $? "claims older than any ticket's life are swept, the others kept"

# ---- callback_verify_object --------------------------------------------------------
n0=$(spooled)
sig v1 --upload verify --filename a.bin
st=$(upload v1 "$T/a.bin")
is "$st/$(result "$T/v1.post")" 200/ok "verify_object: the uploaded object matches (HEAD on OSS)"
ev=$(json_get "$T/v1.post" event)
is "$(json_get "$STACK_SPOOL/$ev.json" object_verified)" true "verify_object: the event says so"
sig v2 --upload verify --filename never.bin
cb_body "$T/v2.json" ver/never.bin "$T/v2.body"
row "verify_object: an object never uploaded" 403/callback_object_mismatch "$T/v2.body" --sign-key "$STACK_CB_KEY"
sig v3 --upload verify --filename b.bin
st=$(upload v3 "$T/b.bin")
is "$st/$(result "$T/v3.post")" 200/ok "verify_object: another upload delivered"
# Signed in another second: the same key and expiration make the same
# ticket, and so the same upload for ossign (README, "Callbacks").
sleep 1
sig v4 --upload verify --filename b.bin
cb_body "$T/v4.json" ver/b.bin "$T/v4.body"
row "verify_object: another ETag" 403/callback_object_mismatch "$T/v4.body" --sign-key "$STACK_CB_KEY"
etag=$(json_get "$STACK_SPOOL/$(json_get "$T/v3.post" event).json" callback.etag)
sed "s/\"etag\":\"[^\"]*\"/\"etag\":\"$etag\"/" "$T/v4.body" >"$T/v4size.body"
row "verify_object: the right ETag, another size" 403/callback_object_mismatch "$T/v4size.body" \
    --sign-key "$STACK_CB_KEY"
sed 's/"size":1,/"size":1500,/' "$T/v4size.body" >"$T/v4ok.body"
row "verify_object: the right ETag and size (a replay of a real upload's data, new ticket)" 200/ok \
    "$T/v4ok.body" --sign-key "$STACK_CB_KEY"
is "$(spooled)" $((n0 + 3)) "verify_object: three events"

# ---- callback_forward ------------------------------------------------------------
sig w1 --upload fwd --filename a.bin
st=$(upload w1 "$T/a.bin")
is "$st/$(result "$T/w1.post")" 200/accepted "forward: the application's answer reaches the uploader"
grep -q "valid=1 event=$(json_get "$T/w1.post" event) repeat=0" "$T/app.log"
ok $? "forward: the application found X-Ossign-Signature valid"
echo fail >"$T/app.mode"
sig w2 --upload fwd --filename b.bin
cb_body "$T/w2.json" fwd/b.bin "$T/w2.body"
row "forward: the application fails: 502" 502/callback_forward_failed "$T/w2.body" --sign-key "$STACK_CB_KEY"
echo ok >"$T/app.mode"
row "forward: the same callback once it is back: delivered (nothing was before)" 200/accepted \
    "$T/w2.body" --sign-key "$STACK_CB_KEY"
row "forward: and not twice" 409/callback_replayed "$T/w2.body" --sign-key "$STACK_CB_KEY"
echo slow >"$T/app.mode"
sig w3 --upload fwd --filename c.bin
cb_body "$T/w3.json" fwd/c.bin "$T/w3.body"
t0=$(date +%s%N)
row "forward: slower than callback_timeout (1 s): 504" 504/callback_forward_timeout "$T/w3.body" \
    --sign-key "$STACK_CB_KEY"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -lt 2400 ]
ok $? "forward: answered in $ms ms, within OSS's 5 s"
echo nojson >"$T/app.mode"
row "forward: an answer that is not JSON: 502" 502/callback_forward_failed "$T/w3.body" --sign-key "$STACK_CB_KEY"
echo ok >"$T/app.mode"

# ---- the same refusals as a CGI program (valgrind with make check-valgrind) ------------
CB_URL=
cgi_row() {
	local desc=$1 want=$2 body=$3 st n
	shift 3
	n=$(( _tap_n + 1 ))
	st=$( (stack_export_keys && OSSIGN_CONFIG=${CGICONF:-$STACK_CONF} exec python3 "$CBREQ" \
	    --body "$body" --out "$T/rows/$n.json" --cgi "$OSSIGN" "$@") 2>"$T/rows/$n.err")
	is "$st/$(result "$T/rows/$n.json")" "$want" "CGI: $desc" || diag_file "$T/rows/$n.err"
}
n0=$(spooled)
cgi_row "forged" 403/callback_bad_signature "$T/n2.body" --sign-key "$T/other.pem"
cgi_row "a foreign key URL" 403/callback_key_refused "$T/n2.body" --sign-key "$STACK_CB_KEY" \
    --key-url https://evil.example/k.pem
cgi_row "no Authorization" 400/callback_malformed "$T/n2.body" --no-auth
cgi_row "not JSON" 400/callback_malformed "$T/broken.body" --sign-key "$STACK_CB_KEY"
cgi_row "another object" 403/callback_bad_ticket "$T/other.body" --sign-key "$STACK_CB_KEY"
cgi_row "a replay" 409/callback_replayed "$T/n2.body" --sign-key "$STACK_CB_KEY"
head -c 70000 /dev/zero | tr '\0' a >"$T/big.body"
cgi_row "a body over 64 KiB" 413/request_too_large "$T/big.body" --sign-key "$STACK_CB_KEY"
sig c1 --upload form --filename c.bin
form_body "$T/c1.json" form/c.bin "$T/c1.body"
cgi_row "a form body: delivered" 200/ok "$T/c1.body" --type form --sign-key "$STACK_CB_KEY"
is "$(spooled)" $((n0 + 1)) "CGI: one event"

# ---- a public key fetched once (CGI, so each run is a new process) --------------------
sh "$top_srcdir/tests/lib/mkca.sh" "$T/ca" >"$T/mkca.log" 2>&1 || bail_out "mkca.sh"
mkdir -p "$T/keys" && cp "$STACK_CB_PUB" "$T/keys/test.pem" && cp "$STACK_CB_PUB" "$T/keys/twin.pem" &&
    echo "not a key" >"$T/keys/junk.pem"
bg_start "$T/keys.out" python3 "$SERVERS" keys --dir "$T/keys" --cert "$T/ca/server.pem" \
    --key "$T/ca/server-key.pem" --log "$T/keys.log"
line=$(wait_line "$T/keys.out" '^listening [0-9]+' 10 "$BG_PID") || bail_out "the key server did not start"
KP=${line#listening }
: >"$T/keys.log"
sed -e '/^callback_public_key = /d' -e "s|^cache_dir = .*|cache_dir = $T/cache3\\
ca_file = $T/ca/ca.pem\\
callback_key_urls = https://127.0.0.1:$KP/test.pem http://127.0.0.1:$KP/twin.pem https://127.0.0.1:$KP/junk.pem|" \
    "$STACK_CONF" >"$T/fetch.conf"
CGICONF=$T/fetch.conf
sig k1 --upload notify --filename k1.bin
cb_body "$T/k1.json" notify/k1.bin "$T/k1.body"
sig k2 --upload notify --filename k2.bin
cb_body "$T/k2.json" notify/k2.bin "$T/k2.body"
sig k3 --upload notify --filename k3.bin
cb_body "$T/k3.json" notify/k3.bin "$T/k3.body"
cgi_row "a key URL callback_key_urls allows, not on disk: fetched, verified" 200/ok "$T/k1.body" \
    --sign-key "$STACK_CB_KEY" --key-url "https://127.0.0.1:$KP/test.pem"
cgi_row "the same key URL again, another process: from cache_dir" 200/ok "$T/k2.body" \
    --sign-key "$STACK_CB_KEY" --key-url "https://127.0.0.1:$KP/test.pem"
is "$(grep -c 'GET /test.pem' "$T/keys.log")" 1 "the key was fetched once"
cgi_row "OSS's own URL, not in this callback_key_urls" 403/callback_key_refused "$T/k3.body" \
    --sign-key "$STACK_CB_KEY"
cgi_row "an http:// key URL: fetched through its https:// twin" 200/ok "$T/k3.body" \
    --sign-key "$STACK_CB_KEY" --key-url "http://127.0.0.1:$KP/twin.pem"
sig k4 --upload notify --filename k4.bin
cb_body "$T/k4.json" notify/k4.bin "$T/k4.body"
cgi_row "an allowed URL that serves no key: 503" 503/callback_key_unavailable "$T/k4.body" \
    --sign-key "$STACK_CB_KEY" --key-url "https://127.0.0.1:$KP/junk.pem"
is "$(find "$T/cache3" -name 'cbkey-*.pem' -perm 0600 | wc -l)" 2 "two keys kept in cache_dir (0600), not the bad one"

# ---- every event delivered is a verified one ------------------------------------------
python3 - "$STACK_SPOOL" <<'EOF'
import glob, json, os, sys
bad = 0
for p in glob.glob(os.path.join(sys.argv[1], "*.json")):
    e = json.load(open(p))
    bad += os.path.basename(p) != e["event"] + ".json" or e["type"] != "ossign.upload" or \
        not e["object"].startswith(e["signed"]["key"]) or "ossign_ticket" in e["callback"]
sys.exit(1 if bad else 0)
EOF
ok $? "every spooled event is named after its upload, names what was signed, carries no ticket"
