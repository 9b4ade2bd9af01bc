#!/bin/bash
# Users logged in to a site's own application (its session cookie), as the
# deploy/ recipes sign for them, with a small Node application that checks
# the cookie (tests/lib/session-app.js):
#   1) nginx auth_request (deploy/nginx/snippets/ossign.conf, its commented
#      lines on) in front of ossign under spawn-fcgi;
#   2) Apache mod_authnz_fcgi (deploy/apache/ossign-session-auth.conf
#      appended to ossign-proxy-fcgi.conf), the application as a FastCGI
#      authorizer;
#   3) the same appended to ossign-cgi.conf, whose "Require all granted" it
#      must override (mod_cgid, ossign as a CGI).
# Each: logged in, the signature is for that user; no cookie: 401; an
# X-User header the client makes up changes nothing, with or without a
# cookie; a made-up session and a logged-out one: 401; the page itself
# needs no login.  And Apache passes Authorization only when told: without
# the deploy files' CGIPassAuth On a Bearer token never reaches ossign.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib/apache.sh"
need nginx spawn-fcgi curl python3 openssl
need_ossign
[ -n "$NODE" ] || skip_all "node not installed"
HAVE_APACHE=1
command -v apache2 >/dev/null || HAVE_APACHE=0
for m in proxy proxy_fcgi authnz_fcgi cgid; do
	[ -r "$APACHE_MODDIR/mod_$m.so" ] || HAVE_APACHE=0
done
[ "$(id -u)" = 0 ] && ! id "$APACHE_USER" >/dev/null 2>&1 && HAVE_APACHE=0
[ "$(id -u)" != 0 ] && APACHE_USER=
NCHECKS=7
plan $((3 * NCHECKS + 10))

t_tmpdir
STACK_DIR=$T
e2e_backend || bail_out "emulators did not start"
bg_start "$T/app.log" "$NODE" "$top_srcdir/tests/lib/session-app.js" --port 0 --fcgi-port 0
line=$(wait_line "$T/app.log" '^listening [0-9]+ [0-9]+' 10 "$BG_PID") ||
    { diag_file "$T/app.log"; bail_out "session-app.js did not start"; }
read -r _ APP FAPP <<<"$line"
STACK_SOCK_OWNER=$APACHE_USER STACK_SOCK_MODE=0660 stack_ossign ||
    bail_out "ossign did not start"

# login USER: a new session of the application; prints its cookie value.
login() {
	curl -s -D - -o /dev/null -d "user=$1" "http://127.0.0.1:$APP/login" |
	    tr -d '\r' | sed -n 's/^Set-Cookie: sid=\([^;]*\);.*/\1/p'
}
logout() {
	curl -s -o /dev/null -X POST -H "Cookie: sid=$1" "http://127.0.0.1:$APP/logout"
}
# sign NAME [CURL ARGS]: a signature for the private section (user/${user}/);
# prints "STATUS DIR" (DIR "-" without one).
sign() {
	local st
	st=$(http_get "$BASE/get_post_signature_for_oss_upload?upload=private&filename=a.txt" \
	    "$T/$1.json" "${@:2}")
	printf '%s %s\n' "$st" "$(json_get "$T/$1.json" dir 2>/dev/null || echo -)"
}

# checks WHO: NCHECKS assertions against $BASE.
checks() {
	local who=$1 a b
	a=$(login alice) b=$(login bob)
	is "$(sign "$who-a" -H "Cookie: theme=1; sid=$a")" "200 user/alice/" \
	    "$who: alice logged in: signed for alice"
	is "$(sign "$who-b" -H "Cookie: sid=$b" -H 'X-User: alice')" "200 user/bob/" \
	    "$who: bob's session and a forged X-User: alice: signed for bob"
	is "$(sign "$who-n" -H 'X-User: alice')" "401 -" \
	    "$who: no cookie, a forged X-User: 401"
	is "$(sign "$who-u" -H 'X-User: alice' -u alice:x)" "401 -" \
	    "$who: no cookie, made-up Basic credentials: 401"
	is "$(sign "$who-f" -H "Cookie: sid=${a}x")" "401 -" "$who: a made-up session: 401"
	logout "$a"
	is "$(sign "$who-o" -H "Cookie: sid=$a")" "401 -" "$who: alice logged out: 401"
	is "$(http_get "$BASE/" "$T/$who-page.html")" 200 "$who: the page needs no login"
}
stats() { curl -s "http://127.0.0.1:$APP/_stats" >"$T/stats.json"; json_get "$T/stats.json" "$1"; }

# ---- 1: nginx auth_request ---------------------------------------------------
PORT=$(free_port)
nginx_conf "$T/nginx" "$PORT" "$STACK_SOCK" "$STACK_WWW" "request:$APP"
ok $? "deploy/nginx/: the auth_request lines on, pointing at the application" ||
    bail_out "nginx_conf"
bg_start "$T/nginx/stderr.log" nginx -p "$T/nginx" -c "$T/nginx/nginx.conf" -e "$T/nginx/error.log"
wait_port "$PORT" 10 "$BG_PID" || { diag_file "$T/nginx/error.log"; bail_out "nginx did not start"; }
NGINX_PID=$BG_PID
BASE=http://127.0.0.1:$PORT
checks nginx
n=$(stats auth)
ok "$([ "$n" -ge 6 ] && echo 0 || echo 1)" "nginx asked the application ($n checks)"
stop_pid "$NGINX_PID"
forget_pid "$NGINX_PID"

# ---- 2, 3: Apache mod_authnz_fcgi ------------------------------------------------
# session_conf FILE: deploy/apache/ossign-session-auth.conf appended, the
# authorizer's address filled in.
session_conf() {
	sed -e "s|fcgi://127.0.0.1:9100/|fcgi://127.0.0.1:$FAPP/|" \
	    "$top_srcdir/deploy/apache/ossign-session-auth.conf" >>"$1" &&
	grep -q "AuthnzFcgiDefineProvider authn ossign_session fcgi://127.0.0.1:$FAPP/" "$1"
}
if [ "$HAVE_APACHE" = 1 ]; then
	D=$T/apache
	mkdir -p "$D"
	sed -e "s|unix:/run/ossign/ossign.sock|unix:$STACK_SOCK|" \
	    "$top_srcdir/deploy/apache/ossign-proxy-fcgi.conf" >"$D/ossign.conf"
	session_conf "$D/ossign.conf" &&
	    apache_conf "$D" "$PORT" event "$D/ossign.conf" proxy proxy_fcgi authnz_fcgi &&
	    apache_run "$D" "$PORT"
	ok $? "Apache runs ossign-proxy-fcgi.conf with ossign-session-auth.conf after it" ||
	    bail_out "apache2 (proxy_fcgi)"
	BASE=http://127.0.0.1:$PORT
	f=$(stats fcgi)
	checks apache-proxy-fcgi
	n=$(stats fcgi)
	ok "$([ $((n - f)) -ge 6 ] && echo 0 || echo 1)" \
	    "Apache asked the application's FastCGI authorizer ($((n - f)) checks)"
	apache_stop

	D=$T/apache-cgi
	mkdir -p "$D" "$T/cgi-bin"
	cp "$STACK_OSSIGN" "$T/cgi-bin/ossign" && chmod 755 "$T/cgi-bin/ossign"
	sed -e "s|\"/usr/lib/cgi-bin/ossign\"|\"$T/cgi-bin/ossign\"|" \
	    -e "s|SetEnv OSSIGN_CONFIG /etc/ossign/ossign.conf|SetEnv OSSIGN_CONFIG $STACK_CONF\\
	PassEnv ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET|" \
	    "$top_srcdir/deploy/apache/ossign-cgi.conf" >"$D/ossign.conf"
	APACHE_EXTRA="ScriptSock \"$D/run/cgid.sock\"
<Directory \"$T/cgi-bin\">
	Options +ExecCGI
	Require all granted
</Directory>"
	session_conf "$D/ossign.conf" &&
	    apache_conf "$D" "$PORT" event "$D/ossign.conf" cgid authnz_fcgi &&
	    apache_run "$D" "$PORT"
	ok $? "Apache runs ossign-cgi.conf (Require all granted) with ossign-session-auth.conf after it" ||
	    bail_out "apache2 (cgid)"
	APACHE_EXTRA=
	checks apache-cgi
	apache_stop

	# Authorization reaches ossign only with CGIPassAuth On.
	D=$T/apache-nopass
	mkdir -p "$D"
	sed -e "s|unix:/run/ossign/ossign.sock|unix:$STACK_SOCK|" \
	    -e 's|^\([[:space:]]*\)CGIPassAuth On|\1#CGIPassAuth On|' \
	    "$top_srcdir/deploy/apache/ossign-proxy-fcgi.conf" >"$D/ossign.conf"
	grep -q '#CGIPassAuth On' "$D/ossign.conf" &&
	    apache_conf "$D" "$PORT" event "$D/ossign.conf" proxy proxy_fcgi &&
	    apache_run "$D" "$PORT"
	ok $? "Apache with ossign-proxy-fcgi.conf, its CGIPassAuth On commented out"
	tok=$(e2e_jwt_token carol)
	t_secret "$tok"
	st=$(http_get "$BASE/get_post_signature_for_oss_upload?upload=jwt" "$T/np.json" \
	    -H "Authorization: Bearer $tok")
	is "$st" 401 "without CGIPassAuth On the Bearer token never reaches ossign: 401"
	apache_stop
	D=$T/apache-pass
	mkdir -p "$D"
	sed -e "s|unix:/run/ossign/ossign.sock|unix:$STACK_SOCK|" \
	    "$top_srcdir/deploy/apache/ossign-proxy-fcgi.conf" >"$D/ossign.conf"
	apache_conf "$D" "$PORT" event "$D/ossign.conf" proxy proxy_fcgi && apache_run "$D" "$PORT"
	st=$(http_get "$BASE/get_post_signature_for_oss_upload?upload=jwt" "$T/p.json" \
	    -H "Authorization: Bearer $tok")
	is "$st $(json_get "$T/p.json" dir)" "200 jwt/carol/" "with it (the deploy file as shipped): signed for carol"
	apache_stop
else
	skip $((2 * NCHECKS + 6)) "Apache 2.4 with proxy_fcgi, authnz_fcgi and cgid not installed"
fi

alive "$STACK_PID_OSSIGN"
ok $? "ossign served every request"
is "$(grep -c '\[upload private\] 401' "$STACK_DIR/ossign.log")" 0 \
    "the web servers refused every request without a session before ossign saw it"
