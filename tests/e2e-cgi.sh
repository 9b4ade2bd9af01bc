#!/bin/bash
# End to end with ossign as a plain CGI program under Apache 2.4, both ways
# deploy/apache/ describes:
#   1) mod_cgid (event MPM) with ossign-cgi.conf (ScriptAlias, SetEnv);
#   2) mod_cgi (prefork MPM) with deploy/apache/htaccess in a document root
#      (shared hosting: the program named like the URL, AllowOverride),
#      then its commented authentication block on (REMOTE_USER).
# Each: sign, upload to the OSS emulator, read back, errors.  Apache's
# children and so the CGI run as www-data; every process stopped by pid.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib/apache.sh"

apache_need cgi cgid mpm_prefork
need curl python3 openssl
need_ossign

plan $((2 * E2E_NTESTS + 12))

t_tmpdir
STACK_DIR=$T
e2e_backend || bail_out "emulators did not start"
# The CGI runs as Apache's user: cache_dir and the callback spool are its.
stack_callback_owner "$APACHE_USER"
# The CGI gets the test key through Apache: PassEnv, test copies only.
PASSENV="PassEnv ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET"

# ---- 1: mod_cgid + ossign-cgi.conf ---------------------------------------
D=$T/cgid
mkdir -p "$D" "$T/cgi-bin"
cp "$STACK_OSSIGN" "$T/cgi-bin/ossign" && chmod 755 "$T/cgi-bin/ossign"
sed -e "s|\"/usr/lib/cgi-bin/ossign\"|\"$T/cgi-bin/ossign\"|" \
    -e "s|SetEnv OSSIGN_CONFIG /etc/ossign/ossign.conf|SetEnv OSSIGN_CONFIG $STACK_CONF\\
	$PASSENV|" \
    "$top_srcdir/deploy/apache/ossign-cgi.conf" >"$D/ossign.conf"
grep -q "ScriptAlias \"/get_post_signature_for_oss_upload\" \"$T/cgi-bin/ossign\"" "$D/ossign.conf" &&
grep -q "SetEnv OSSIGN_CONFIG $STACK_CONF\$" "$D/ossign.conf"
ok $? "deploy/apache/ossign-cgi.conf: program and config paths filled in"
PORT=$STACK_HTTP_PORT
APACHE_EXTRA="ScriptSock \"$D/run/cgid.sock\"
<Directory \"$T/cgi-bin\">
	Options +ExecCGI
	Require all granted
</Directory>"
apache_conf "$D" "$PORT" event "$D/ossign.conf" cgid && apache_run "$D" "$PORT"
ok $? "Apache (event MPM, mod_cgid) runs with it" || bail_out "apache2 (cgid)"
e2e_checks "http://127.0.0.1:$PORT/get_post_signature_for_oss_upload"
apache_stop
APACHE_EXTRA=

# ---- 2: mod_cgi + .htaccess (shared hosting) -----------------------------
# docroot DIR [auth]: www/ plus the program and deploy/apache/htaccess.
docroot() {
	local h=$1
	mkdir -p "$h"
	cp -r "$top_srcdir/www/." "$h/"
	cp "$STACK_OSSIGN" "$h/get_post_signature_for_oss_upload"
	chmod 755 "$h/get_post_signature_for_oss_upload"
	sed -e "s|SetEnv OSSIGN_CONFIG /home/YOU/ossign.conf|SetEnv OSSIGN_CONFIG $STACK_CONF\\
$PASSENV|" "$top_srcdir/deploy/apache/htaccess" >"$h/.htaccess"
	if [ -n "${2:-}" ]; then
		# The commented <Files> authentication block, on.
		# ... and the callbacks' exemption from it.
		sed -i -e '/^#<Files "get_post_signature_for_oss_upload">/,/^#<\/Files>/s/^#//' \
		    -e "s|AuthUserFile /home/YOU/.htpasswd|AuthUserFile $h/../htpasswd|" \
		    -e 's|^\([[:space:]]*\)#Require all granted$|\1Require all granted|' "$h/.htaccess"
		grep -q "^	AuthUserFile $h/../htpasswd" "$h/.htaccess" &&
		grep -q "^	Require all granted" "$h/.htaccess" || return 1
	fi
	chmod -R a+rX "$h"
	grep -q "^SetEnv OSSIGN_CONFIG $STACK_CONF\$" "$h/.htaccess"
}
H=$T/htdocs
docroot "$H"
ok $? "deploy/apache/htaccess: config path filled in"
D=$T/cgi
APACHE_DOCROOT=$H APACHE_OVERRIDE="Options FileInfo AuthConfig"
echo "# the site's own config: nothing; everything is in .htaccess" >"$T/empty.conf"
# Shared hosting has no /ossign/callback: OSS calls the program's own URL.
STACK_CALLBACK_URL=http://127.0.0.1:$PORT/get_post_signature_for_oss_upload
stack_write_conf "$STACK_CONF"
apache_conf "$D" "$PORT" prefork "$T/empty.conf" cgi && apache_run "$D" "$PORT"
ok $? "Apache (prefork MPM, mod_cgi, AllowOverride) runs with it" || bail_out "apache2 (cgi)"
st=$(http_get "http://127.0.0.1:$PORT/.htaccess" "$T/ht.out")
is "$st" 403 ".htaccess itself is not served"
e2e_checks "http://127.0.0.1:$PORT/get_post_signature_for_oss_upload"
apache_stop

# ---- 2b: the htaccess authentication block, on ---------------------------
H=$T/htdocs-auth
docroot "$H" auth
ok $? "deploy/apache/htaccess: authentication block uncommented"
pw=$(openssl rand -hex 8)
htpasswd_make "$T/htpasswd" alice "$pw"
chmod 644 "$T/htpasswd"
D=$T/cgi-auth
APACHE_DOCROOT=$H
apache_conf "$D" "$PORT" prefork "$T/empty.conf" cgi && apache_run "$D" "$PORT"
ok $? "Apache restarts with it"
st=$(http_get "http://127.0.0.1:$PORT/get_post_signature_for_oss_upload?upload=private&filename=n.txt" \
    "$T/p.json" -u "alice:$pw")
is "$st" 200 "htaccess auth: an authenticated user is signed for" || diag "$(mask <"$T/p.json")"
is "$(json_get "$T/p.json" dir)" user/alice/ "htaccess auth: dir is user/alice/ (REMOTE_USER)"
st=$(http_get "http://127.0.0.1:$PORT/get_post_signature_for_oss_upload?upload=private" "$T/p2.json")
is "$st" 401 "htaccess auth: no password, no signature"
# OSS cannot log in: the htaccess lets its callbacks past the password.
if [ "${E2E_OSS:-0}" = 1 ]; then
	head -c 100 /dev/urandom >"$T/cb2.bin"
	http_get "http://127.0.0.1:$PORT/get_post_signature_for_oss_upload?upload=notify&filename=cb2.bin" \
	    "$T/cb2.json" -u "alice:$pw" >/dev/null
	st=$(post_object "$T/cb2.json" "$T/cb2.bin" "$T/cb2.out")
	is "$st/$(json_get "$T/cb2.out" status)" 200/ok \
	    "htaccess auth: OSS's callback still reaches ossign (POST with x-oss-pub-key-url)"
	st=$(http_get "http://127.0.0.1:$PORT/get_post_signature_for_oss_upload?upload=private" \
	    "$T/p3.json" -H 'x-oss-pub-key-url: eA==')
	is "$st" 401 "htaccess auth: the header on a GET lets nothing past the password"
else
	skip 2 "no OSS emulator"
fi
apache_stop
