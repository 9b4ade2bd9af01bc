#!/bin/bash
# ca_file replaces the system's CAs (issue 9, defect 3): with ca_file set,
# a server whose CA only the system trusts is refused.  The "system" is a
# trust directory of this test's own (the emulator's CA, hashed, and a
# bundle holding it) bound over /etc/ssl/certs in a private mount
# namespace, so the real trust store is never touched; root only (unshare
# -m, as tests/libcurl.sh does), skipped otherwise.
. "${top_srcdir:-.}/tests/lib/credsemu.sh"
need_emu
if ! unshare -m true 2>/dev/null || [ ! -d /etc/ssl/certs ]; then
	skip_all "no mount namespace here (unshare -m needs root), or no /etc/ssl/certs"
fi
plan 6

emu_start
# Another CA, unrelated to the emulator's, with a subject of its own (a
# CA of the same name would hide the system's from OpenSSL's lookup and
# prove nothing): what ca_file names.
mkdir -p "$T/other"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/other/ca-key.pem" -out "$T/other/ca.pem" -days 2 \
    -subj "/CN=ossign test: a CA unrelated to the emulator" >"$T/other.log" 2>&1 ||
    bail_out "openssl req failed"
mkdir -p "$T/system"
cp "$EMU_CA" "$T/system/ca-certificates.crt"
cp "$EMU_CA" "$T/system/emu-ca.pem"
ln -s emu-ca.pem "$T/system/$(openssl x509 -hash -noout -in "$EMU_CA").0"

# syscgi DIR CONF: one CGI request with DIR as the system's CAs.
syscgi() {
	local out
	out=$(unshare -m sh -c 'mount --bind "$1" /etc/ssl/certs && shift && exec "$@"' \
	    sh "$1" env -i PATH="$PATH" OSSIGN_CONFIG="$2" \
	    GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET QUERY_STRING=filename=a.png \
	    $OSSIGN_WRAP "$OSSIGN" </dev/null 2>>"$T/cgi.log")
	printf '%s\n' "$out" >>"$T/responses"
	STATUS=$(sed -n 's/^Status: \([0-9]*\).*/\1/p' <<<"${out%%$'\r\n\r\n'*}")
	[ -n "$STATUS" ] || STATUS=200
	BODY=${out#*$'\r\n\r\n'}
}

# Control: without ca_file the system's CAs are used, and they trust the
# emulator: the setup works.
emu_conf "$T/sys.conf" "cache_dir = $T/cache-sys" "role_session_name = sys-ca"
sed -i '/^ca_file = /d' "$T/sys.conf"
syscgi "$T/system" "$T/sys.conf"
is "$STATUS" 200 "no ca_file: the system's CAs (which trust the emulator) verify it" ||
    diag_file "$T/cgi.log"

emu_conf "$T/own.conf" "cache_dir = $T/cache-own" "role_session_name = own-ca" \
    "ca_file = $T/other/ca.pem"
n=$(emu_stat AssumeRole)
syscgi "$T/system" "$T/own.conf"
is "$STATUS/$(jget error/message)" "503/STS AssumeRole is unavailable: TLS verification failed" \
    "ca_file set: a server only the system trusts is refused"
is "$(emu_stat AssumeRole)" "$n" "STS was never asked"
like "$(tail -n 3 "$T/cgi.log")" "check ca_file" "the log says to check ca_file"

# And ca_file naming the emulator's CA is enough on its own, whatever the
# system trusts (here: only the other CA).
emu_conf "$T/emu.conf" "cache_dir = $T/cache-emu" "role_session_name = emu-ca"
mkdir -p "$T/system2"
cp "$T/other/ca.pem" "$T/system2/ca-certificates.crt"
syscgi "$T/system2" "$T/emu.conf"
is "$STATUS" 200 "ca_file alone verifies the emulator" || diag_file "$T/cgi.log"
checker_clean
