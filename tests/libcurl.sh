#!/bin/bash
# libcurl is loaded with dlopen on the first STS call, not linked: a CGI
# run served from the cache or from credentials = env never maps it, one
# that must call STS does, and when it cannot be loaded the answer is a 503
# JSON error that says so (and the log says what to install).
. "${top_srcdir:-.}/tests/lib/common.sh"
t_tmpdir
plan 9

is "$(ldd "$OSSIGN" | grep -c 'libcurl')" 0 "ossign is not linked to libcurl"

# cgi CONF: one signature request as a CGI with LD_DEBUG=files; sets
# STATUS and BODY, the loader's trace in $T/trace.
cgi() {
	local out
	out=$(env -i PATH="$PATH" OSSIGN_CONFIG="$1" LD_DEBUG=files \
	    LD_DEBUG_OUTPUT="$T/trace" "${@:2}" \
	    GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET QUERY_STRING=filename=a.txt \
	    $OSSIGN_WRAP "$OSSIGN" </dev/null 2>>"$T/stderr")
	STATUS=$(printf '%s\n' "$out" | sed -n 's/^Status: \([0-9]*\).*/\1/p')
	[ -n "$STATUS" ] || STATUS=200
	BODY=${out#*$'\r\n\r\n'}
}
curl_mapped() {
	cat "$T"/trace.* 2>/dev/null | grep -q 'file=libcurl\.so'
}

cat >"$T/env.conf" <<'CONF'
bucket = web-upload
region = cn-hangzhou
credentials = env
CONF
rm -f "$T"/trace.*
cgi "$T/env.conf" ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI5tCurlTest \
    ALIBABA_CLOUD_ACCESS_KEY_SECRET=curl-test-secret-never-shown
is "$STATUS/$(printf '%s' "$BODY" | grep -o '"x_oss_signature_version":"OSS4-HMAC-SHA256"')" \
    '200/"x_oss_signature_version":"OSS4-HMAC-SHA256"' "credentials = env: signed"
curl_mapped
isnt $? 0 "without loading libcurl"

# STS on a port where nothing listens: libcurl is loaded, then fails.
mkdir -m 700 "$T/cache"
( umask 077 && printf 'access_key_id = LTAI5tCurlTest\naccess_key_secret = curl-test-secret-never-shown\n' >"$T/key" )
cat >"$T/sts.conf" <<CONF
bucket = web-upload
region = cn-hangzhou
credentials = ram_role_arn
role_arn = acs:ram::1234567890123456:role/uploader
access_key_file = $T/key
sts_endpoint = https://127.0.0.1:9
cache_dir = $T/cache
retries = 0
CONF
rm -f "$T"/trace.*
cgi "$T/sts.conf"
is "$STATUS/$BODY" '503/{"error":{"code":"credentials_unavailable","message":"STS AssumeRole is unavailable: could not connect"}}' \
    "STS needed: libcurl loaded, and STS unreachable: 503"
curl_mapped
ok $? "libcurl was loaded for it"

# The same with libcurl unloadable: an empty file bound over it in a
# mount namespace of this test's own.  A cache of its own: the one above
# holds the failure for a second.
mkdir -m 700 "$T/cache2"
sed "s|^cache_dir = .*|cache_dir = $T/cache2|" "$T/sts.conf" >"$T/sts2.conf"
lib=$(readlink -f "$(ldconfig -p | sed -n 's/.*libcurl\.so\.4 (.*x86-64.*) => //p' | head -n1)")
: >"$T/empty.so"
# noload CONF: one CGI request with libcurl hidden; prints the answer.
noload() {
	unshare -m sh -c 'mount --bind "$1" "$2" && shift 2 && exec "$@"' sh "$T/empty.so" "$lib" \
	    env -i PATH="$PATH" OSSIGN_CONFIG="$1" GATEWAY_INTERFACE=CGI/1.1 \
	    REQUEST_METHOD=GET QUERY_STRING=filename=a.txt $OSSIGN_WRAP "$OSSIGN" \
	    </dev/null 2>>"$T/noload.log"
}
# Every source that calls out goes through the same check: a credentials
# URI (its request is built differently) too.
mkdir -m 700 "$T/cache3"
cat >"$T/uri.conf" <<CONF
bucket = web-upload
region = cn-hangzhou
credentials = credentials_uri
credentials_uri = http://127.0.0.1:9/credentials
cache_dir = $T/cache3
retries = 0
CONF
if [ -n "$lib" ] && [ -f "$lib" ] && unshare -m true 2>/dev/null; then
	like "$(noload "$T/sts2.conf")" '^Status: 503 .*"message":"STS AssumeRole is unavailable: cannot load libcurl\.so\.4: [^"]+"\}\}$' \
	    "libcurl cannot be loaded: 503 naming it" || diag_file "$T/noload.log"
	like "$(cat "$T/noload.log")" 'STS AssumeRole: cannot load libcurl\.so\.4: .*: install libcurl' \
	    "and the log says what to install"
	like "$(noload "$T/uri.conf")" '^Status: 503 .*"message":"the credentials URI is unavailable: cannot load libcurl\.so\.4: [^"]+"\}\}$' \
	    "the same for a credentials URI" || diag_file "$T/noload.log"
else
	skip 3 "no mount namespace here (unshare -m needs root), or no libcurl.so.4 found"
fi
# And with libcurl there, the URI source reaches the network (nothing
# listens on port 9): the check above was about libcurl, not the URI.
rm -f "$T/cache3"/*
cgi "$T/uri.conf"
is "$STATUS/$BODY" '503/{"error":{"code":"credentials_unavailable","message":"the credentials URI is unavailable: could not connect"}}' \
    "with libcurl: the credentials URI cannot be reached, 503"
