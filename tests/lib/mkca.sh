#!/bin/sh
# tests/lib/mkca.sh: make a throwaway test CA and a server certificate for 127.0.0.1 and localhost.
# Usage: mkca.sh DIR [DAYS]
# Writes into DIR (created if needed): ca.pem (the CA certificate to trust), ca-key.pem, server.pem,
# server-key.pem (0600). Keys are EC P-256; certificates are valid from one hour ago for DAYS days
# (default 30). Each run makes a new, unrelated CA, so two runs give a trusted and an untrusted one.
# Needs only openssl(1) 1.1.1 or later. Exit 0 on success, 1 on error (with a message on stderr).
set -eu

usage() { echo "usage: mkca.sh DIR [DAYS]" >&2; exit 1; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
dir=$1
days=${2:-30}
case $days in ''|*[!0-9]*) usage ;; esac
command -v openssl >/dev/null 2>&1 || { echo "mkca.sh: openssl not found" >&2; exit 1; }

mkdir -p "$dir"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mkca.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
umask 077

# Backdate by an hour so a client whose clock is a little behind still accepts the certificates.
start=$(date -u -d '1 hour ago' +%Y%m%d%H%M%SZ 2>/dev/null || date -u +%Y%m%d%H%M%SZ)
end=$(date -u -d "$days days" +%Y%m%d%H%M%SZ 2>/dev/null || echo "")

cat >"$tmp/ca.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = ossign throwaway test CA
[ca_ext]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
EOF

cat >"$tmp/server.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = localhost
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF

# openssl ca takes explicit start/end dates; a tiny CA database in the temporary directory serves it.
mkdir "$tmp/db"
: >"$tmp/db/index.txt"
openssl rand -hex 16 >"$tmp/db/serial"
cat >>"$tmp/ca.cnf" <<EOF
[ca]
default_ca = testca
[testca]
dir = $tmp/db
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
[anything]
CN = supplied
EOF

q() { "$@" >"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; echo "mkca.sh: failed: $*" >&2; exit 1; }; }

q openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/ca-key.pem"
q openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/server-key.pem"
q openssl req -new -key "$tmp/ca-key.pem" -config "$tmp/ca.cnf" -out "$tmp/ca.csr"
if [ -n "$end" ]; then
  q openssl ca -batch -notext -config "$tmp/ca.cnf" -selfsign -keyfile "$tmp/ca-key.pem" \
    -extensions ca_ext -startdate "$start" -enddate "$end" -in "$tmp/ca.csr" -out "$tmp/ca.pem"
  q openssl req -new -key "$tmp/server-key.pem" -config "$tmp/server.cnf" -out "$tmp/server.csr"
  q openssl ca -batch -notext -config "$tmp/ca.cnf" -cert "$tmp/ca.pem" -keyfile "$tmp/ca-key.pem" \
    -extfile "$tmp/server.cnf" -extensions server_ext -startdate "$start" -enddate "$end" \
    -in "$tmp/server.csr" -out "$tmp/server.pem"
else
  # date(1) without -d (not GNU): plain validity from now.
  q openssl x509 -req -in "$tmp/ca.csr" -signkey "$tmp/ca-key.pem" -days "$days" -sha256 \
    -extfile "$tmp/ca.cnf" -extensions ca_ext -out "$tmp/ca.pem"
  q openssl req -new -key "$tmp/server-key.pem" -config "$tmp/server.cnf" -out "$tmp/server.csr"
  q openssl x509 -req -in "$tmp/server.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca-key.pem" \
    -set_serial "0x$(openssl rand -hex 16)" -days "$days" -sha256 \
    -extfile "$tmp/server.cnf" -extensions server_ext -out "$tmp/server.pem"
fi
q openssl verify -CAfile "$tmp/ca.pem" "$tmp/server.pem"

for f in ca.pem ca-key.pem server.pem server-key.pem; do
  cp "$tmp/$f" "$dir/$f.new" && mv -f "$dir/$f.new" "$dir/$f"
done
chmod 0644 "$dir/ca.pem" "$dir/server.pem"
chmod 0600 "$dir/ca-key.pem" "$dir/server-key.pem"
