#!/bin/bash
# ossign callback-verify: OSS's signature on captured callbacks.  The two
# real callbacks OSS signed (tests/data/oss-callbacks/, checked with OSS's
# published key as shipped in data/) become raw HTTP requests here: the
# request line from the first line of the signed string, Authorization =
# base64 of NAME.sig, x-oss-pub-key-url = base64 of OSS's key URL, the body
# = the rest.  Each is accepted, and refused once tampered with (a body
# byte, the path, the query, the signature, a foreign key URL).  Then
# requests signed here with a key made for the test (openssl genrsa, RSA-MD5
# as OSS signs): escapes (%2F %20 +), UTF-8, queries with & = and escapes,
# an empty body, a bare '?', each with its expected verdict; malformed
# requests; usage and exit codes (0 verifies, 1 does not, 2 usage).
. "${top_srcdir:-.}/tests/lib/common.sh"
need_ossign
need openssl base64
t_tmpdir
t_artifacts
plan 50

run() { $OSSIGN_WRAP "$OSSIGN" "$@"; }
VEC=$top_srcdir/tests/data/oss-callbacks
OSSKEY=$top_srcdir/data/callback_pub_key_v1.pem
OSSURL=https://gosspublic.alicdn.com/callback_pub_key_v1.pem
b64() { base64 -w0; }

# mkreq OUT TARGET BODYFILE SIGFILE [KEYURL] [CTYPE] [EOL] [CLEN]: a raw
# request as OSS sends it.  EOL "lf" for bare LF lines; CLEN "none" for no
# Content-Length, or a number to state another one.
mkreq() {
	local out=$1 target=$2 body=$3 sig=$4 url=${5:-$OSSURL}
	local ctype=${6:-application/x-www-form-urlencoded} eol=$'\r\n'
	local clen=${8:-$(wc -c <"$body")}
	[ "${7:-crlf}" = lf ] && eol=$'\n'
	{
		printf 'POST %s HTTP/1.1%s' "$target" "$eol"
		printf 'Host: cb.example.com%s' "$eol"
		printf 'User-Agent: aliyun-oss-callback%s' "$eol"
		printf 'Content-Type: %s%s' "$ctype" "$eol"
		[ "$clen" = none ] || printf 'Content-Length: %s%s' "$clen" "$eol"
		printf 'Authorization: %s%s' "$(b64 <"$sig")" "$eol"
		printf 'x-oss-pub-key-url: %s%s' "$(printf %s "$url" | b64)" "$eol"
		printf '%s' "$eol"
		cat "$body"
	} >"$out"
}

# split NAME: $T/NAME.line (first line of the signed string), $T/NAME.body.
split() {
	head -n 1 "$VEC/$1.txt" | tr -d '\n' >"$T/$1.line"
	tail -c +"$(( $(wc -c <"$T/$1.line") + 2 ))" "$VEC/$1.txt" >"$T/$1.body"
}

# verdict NAME WANT_RC WANT_ERE FILE [ARGS...]: run callback-verify on FILE.
verdict() {
	local name=$1 rc=$2 re=$3 file=$4 out st a=$ART/$(( _tap_n + 1 ))
	shift 4
	out=$(run callback-verify "$@" "$file" 2>"$a.err")
	st=$?
	printf '%s\n%s\n' "# $name" "$out" >"$a.out"
	if [ "$st" = "$rc" ] && [[ $out =~ $re ]]; then
		ok 0 "$name"
	else
		ok 1 "$name"
		diag "exit $st (want $rc); output: $out"
		diag "$(cat "$a.err")"
	fi
}

# ---- the real callbacks -----------------------------------------------------

split docs_yonghu
split cloudreve
like "$(cat "$T/docs_yonghu.line")" '^/index\.php\?id=1&index=2$' "docs_yonghu's request line"
mkreq "$T/y.req" "$(cat "$T/docs_yonghu.line")" "$T/docs_yonghu.body" "$VEC/docs_yonghu.sig"
mkreq "$T/c.req" "$(cat "$T/cloudreve.line")" "$T/cloudreve.body" "$VEC/cloudreve.sig" \
    "" application/json
verdict "docs_yonghu verifies, its variable printed" 0 \
    $'^signature OK\nbucket: yonghu-test$' "$T/y.req" --key "$OSSKEY"
verdict "cloudreve (JSON) verifies, its variables printed" 0 \
    $'^signature OK\nname: 2f7b2ccf30e9270ea920f1ab8a4037a546a2f0d5\\.jpg\nsource_name: 1/1_hFRtDLgM_2f7b2ccf30e9270ea920f1ab8a4037a546a2f0d5\\.jpg\nsize: 114020\npic_info: 810,539$' \
    "$T/c.req" --key "$OSSKEY"
mkreq "$T/y-lf.req" "$(cat "$T/docs_yonghu.line")" "$T/docs_yonghu.body" "$VEC/docs_yonghu.sig" \
    "" "" lf none
verdict "docs_yonghu with LF lines and no Content-Length" 0 '^signature OK' "$T/y-lf.req" \
    --key "$OSSKEY"
out=$(run callback-verify --key "$OSSKEY" <"$T/c.req")
like "$?:$out" '^0:signature OK' "from standard input"
out=$(run callback-verify --key "$OSSKEY" - <"$T/c.req")
like "$?:$out" '^0:signature OK' "from standard input named -"

# Tampered copies: each changes what OSS signed.
sed 's/yonghu-test$/yonghu-tesu/' "$T/y.req" >"$T/y-body.req"
verdict "docs_yonghu, a body byte changed" 1 \
    '^signature does not verify: the signature does not match the request$' "$T/y-body.req" \
    --key "$OSSKEY"
sed '1s|/index\.php|/index.phq|' "$T/y.req" >"$T/y-path.req"
verdict "docs_yonghu, another path" 1 'does not match the request$' "$T/y-path.req" --key "$OSSKEY"
sed '1s|id=1&index=2|id=1\&index=3|' "$T/y.req" >"$T/y-query.req"
verdict "docs_yonghu, another query" 1 'does not match the request$' "$T/y-query.req" \
    --key "$OSSKEY"
sed 's/"size":114020/"size":114021/' "$T/c.req" >"$T/c-body.req"
verdict "cloudreve, a body byte changed" 1 'does not match the request$' "$T/c-body.req" \
    --key "$OSSKEY"
sed '1s|/oss/|/oss2/|' "$T/c.req" >"$T/c-path.req"
verdict "cloudreve, another path" 1 'does not match the request$' "$T/c-path.req" --key "$OSSKEY"
mkreq "$T/c-query.req" "$(cat "$T/cloudreve.line")?x=1" "$T/cloudreve.body" \
    "$VEC/cloudreve.sig" "" application/json
verdict "cloudreve, a query added" 1 'does not match the request$' "$T/c-query.req" \
    --key "$OSSKEY"
for n in docs_yonghu cloudreve; do
	cp "$VEC/$n.sig" "$T/$n.badsig"
	printf '\x00' | dd of="$T/$n.badsig" bs=1 seek=10 conv=notrunc status=none
	ct=application/x-www-form-urlencoded
	[ $n = cloudreve ] && ct=application/json
	mkreq "$T/$n-sig.req" "$(cat "$T/$n.line")" "$T/$n.body" "$T/$n.badsig" "" $ct
	verdict "$n, the signature changed" 1 'does not match the request$' "$T/$n-sig.req" \
	    --key "$OSSKEY"
	mkreq "$T/$n-url.req" "$(cat "$T/$n.line")" "$T/$n.body" "$VEC/$n.sig" \
	    https://evil.example.com/callback_pub_key_v1.pem $ct
	verdict "$n, a foreign key URL" 1 \
	    '^signature does not verify: the public key URL is not an allowed one \(https://evil\.example\.com/callback_pub_key_v1\.pem\)$' \
	    "$T/$n-url.req" --key "$OSSKEY"
done
mkreq "$T/y-http.req" "$(cat "$T/docs_yonghu.line")" "$T/docs_yonghu.body" \
    "$VEC/docs_yonghu.sig" http://gosspublic.alicdn.com/callback_pub_key_v1.pem
verdict "docs_yonghu naming the http:// key URL" 0 '^signature OK' "$T/y-http.req" \
    --key "$OSSKEY"
verdict "--key-url replaces the allowed list" 1 'not an allowed one' "$T/y.req" --key "$OSSKEY" \
    --key-url https://keys.example.com/k.pem
verdict "--key-url naming OSS's URL" 0 '^signature OK' "$T/y.req" --key "$OSSKEY" \
    --key-url "$OSSURL"

# ---- signed here with a key of the test's own -------------------------------

openssl genrsa -out "$T/own.key" 2048 2>/dev/null &&
    openssl rsa -in "$T/own.key" -pubout -out "$T/own.pub" 2>/dev/null
ok $? "a key for the test (openssl genrsa 2048)"

# own NAME TARGET SIGNED_LINE BODY [CTYPE]: sign "SIGNED_LINE\nBODY", make $T/NAME.req.
own() {
	printf '%s' "$4" >"$T/$1.body"
	printf '%s\n%s' "$3" "$4" >"$T/$1.msg"
	openssl dgst -md5 -sign "$T/own.key" -out "$T/$1.sig" "$T/$1.msg" ||
	    bail_out "openssl dgst -sign failed"
	mkreq "$T/$1.req" "$2" "$T/$1.body" "$T/$1.sig" "" "${5:-application/x-www-form-urlencoded}"
}

own esc '/cb/a%2Fb%20c+d/%E4%B8%AD%E6%96%87?x=%2F&y=a+b&z==&w' \
    $'/cb/a/b c+d/\xe4\xb8\xad\xe6\x96\x87?x=%2F&y=a+b&z==&w' \
    'object=a%2Fb+c%E4%B8%AD&size=3'
verdict "%2F %20 + and UTF-8 in the path, & = escapes in the query" 0 \
    $'^signature OK\nobject: a/b c\xe4\xb8\xad\nsize: 3$' "$T/esc.req" --key "$T/own.pub"
verdict "the same checked with OSS's key" 1 'does not match the request$' "$T/esc.req" \
    --key "$OSSKEY"
own plus '/cb/a+b' '/cb/a b' 'a=1'
verdict "'+' in the path signed as a space (PHP's urldecode)" 0 '^signature OK' "$T/plus.req" \
    --key "$T/own.pub"
own plus2 '/cb/a+b' '/cb/a+b' 'a=1'
verdict "'+' in the path signed as '+'" 0 '^signature OK' "$T/plus2.req" --key "$T/own.pub"
own plus3 '/cb/a+b' '/cb/a_b' 'a=1'
verdict "'+' signed as anything else" 1 'does not match' "$T/plus3.req" --key "$T/own.pub"
own empty '/cb' '/cb' ''
verdict "an empty body" 0 $'^signature OK\n\\(the body is empty\\)$' "$T/empty.req" \
    --key "$T/own.pub"
own bare '/cb?' '/cb?' 'a=1'
verdict "a bare '?', signed with it" 0 '^signature OK' "$T/bare.req" --key "$T/own.pub"
own bare2 '/cb?' '/cb' 'a=1'
verdict "a bare '?', signed without it" 0 '^signature OK' "$T/bare2.req" --key "$T/own.pub"
own bare3 '/cb?a' '/cb' 'a=1'
verdict "a query that is there is signed" 1 'does not match' "$T/bare3.req" --key "$T/own.pub"
own json '/ossign/callback' '/ossign/callback' \
    '{"object":"a\"b\\c\u4e2d.png","size":3,"ossign_user":"-","x":{"y":[1,2]}}' application/json
verdict "a JSON body with escapes and nesting" 0 \
    $'^signature OK\nobject: a"b\\\\x5cc\xe4\xb8\xad\\.png\nsize: 3\nossign_user: -\nx: \\{"y":\\[1,2\\]\\}$' \
    "$T/json.req" --key "$T/own.pub"
own ctl '/cb' '/cb' 'a=%0A%1B%5B31m'
verdict "control bytes in a value are printed escaped" 0 $'\na: \\\\x0a\\\\x1b\\[31m$' \
    "$T/ctl.req" --key "$T/own.pub"
own badjson '/cb' '/cb' '{"a":' application/json
verdict "a body that is not JSON: the signature still verifies" 0 \
    $'^signature OK\n\\(no variables: the callback body cannot be read\\)$' \
    "$T/badjson.req" --key "$T/own.pub"
{ cat "$T/empty.req"; printf 'junk'; } >"$T/trail.req"
verdict "bytes after Content-Length's body are not checked, and said" 0 \
    '\(4 bytes after Content-Length.s body were not checked\)$' "$T/trail.req" --key "$T/own.pub"
mkreq "$T/short.req" /cb "$T/empty.body" "$T/empty.sig" "" "" crlf 5
verdict "a body shorter than its Content-Length" 1 \
    'cannot be read \(the body is shorter than its Content-Length\)$' "$T/short.req" \
    --key "$T/own.pub"
own foreign '/cb' '/cb' 'a=1'
mkreq "$T/foreign.req" /cb "$T/foreign.body" "$T/foreign.sig" \
    https://keys.example.com/callback_pub_key_v1.pem
verdict "a good signature under a foreign key URL" 1 'not an allowed one' "$T/foreign.req" \
    --key "$T/own.pub"
verdict "and with that URL allowed" 0 '^signature OK' "$T/foreign.req" --key "$T/own.pub" \
    --key-url https://keys.example.com/callback_pub_key_v1.pem

# ---- malformed requests -----------------------------------------------------

sed 's/^Content-Length:.*/Transfer-Encoding: chunked\r/' "$T/y.req" >"$T/chunked.req"
verdict "a chunked body" 1 'cannot be read \(a Transfer-Encoding body' "$T/chunked.req" \
    --key "$OSSKEY"
sed '2s/^/ folded\r\n/' "$T/y.req" >"$T/fold.req"
verdict "a folded header line" 1 'cannot be read \(a folded header line\)' "$T/fold.req" \
    --key "$OSSKEY"
sed '/^Authorization/p' "$T/y.req" >"$T/auth2.req"
verdict "two Authorization headers" 1 'the request has 2 Authorization headers' "$T/auth2.req" \
    --key "$OSSKEY"
sed '/^Authorization/d' "$T/y.req" >"$T/noauth.req"
verdict "no Authorization header" 1 'no Authorization header' "$T/noauth.req" --key "$OSSKEY"
printf 'POST /cb HTTP/1.1\r\nHost: x\r\n' >"$T/nohead.req"
verdict "headers that do not end" 1 'do not end in an empty line' "$T/nohead.req" --key "$OSSKEY"
verdict "an empty file" 1 'the request is empty' /dev/null --key "$OSSKEY"

# ---- usage ------------------------------------------------------------------

run callback-verify --key "$OSSKEY" --bogus "$T/y.req" >/dev/null 2>&1
is $? 2 "an unknown option: exit 2"
run callback-verify --key "$OSSKEY" "$T/y.req" "$T/c.req" >/dev/null 2>&1
is $? 2 "two files: exit 2"
out=$(run callback-verify --key "$OSSKEY" "$T/missing.req" 2>&1)
like "$?:$out" "^2:ossign: $T/missing.req: No such file" "a missing file: exit 2, named"
out=$(run callback-verify --key "$T/own.key" "$T/y.req" 2>&1)
like "$?:$out" "^2:ossign: $T/own.key: not a PEM public key" "a private key as --key: exit 2"
out=$(OSSIGN_CONFIG=$T/no-such.conf run callback-verify --key "$OSSKEY" "$T/y.req" 2>&1)
like "$?:$out" '^0:signature OK' "no configuration needed"
out=$(run -c "$T/no-such.conf" callback-verify --key "$OSSKEY" "$T/y.req" 2>&1)
like "$?:$out" "^2:ossign: $T/no-such.conf: No such file" "-c names one: it must load (exit 2)"
# With -c, callback_public_key and callback_key_urls stand in for --key and --key-url.
printf 'bucket = examplebucket\nregion = cn-hangzhou\ncallback_public_key = %s\ncallback_key_urls = %s\n' \
    "$T/own.pub" https://keys.example.com/own.pem >"$T/cv.conf"
own cfg '/cb?a=1' '/cb?a=1' 'a=1'
sed "s|^x-oss-pub-key-url: .*|x-oss-pub-key-url: $(printf %s https://keys.example.com/own.pem | b64)\r|" \
    "$T/cfg.req" >"$T/cfg2.req"
out=$(run -c "$T/cv.conf" callback-verify "$T/cfg2.req" 2>&1)
like "$?:$out" '^0:signature OK' "-c: the configuration's key and key URL list"
out=$(run -c "$T/cv.conf" callback-verify "$T/cfg.req" 2>&1)
like "$?:$out" '^1:signature does not verify: .*not an allowed one' "-c: OSS's URL is not in that list"
