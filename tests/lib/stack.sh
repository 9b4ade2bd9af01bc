# tests/lib/stack.sh: the whole thing on 127.0.0.1, for the quickstart, the
# end-to-end tests and the browser tests (bash; sources common.sh).
#
#	. tests/lib/stack.sh
#	stack_start || bail_out "stack did not start"
#	curl "$STACK_URL/get_post_signature_for_oss_upload?filename=a.txt"
#	...			# stack_stop, or just exit: the EXIT trap stops all
#
# stack_start runs, each in its own session, recorded by pid:
#   - the OSS emulator (tests/emu/oss.js) and, for STACK_CREDS=sts, the STS
#     emulator (tests/emu/sts.js), sharing one state directory;
#   - ossign under spawn-fcgi through deploy/spawn-fcgi.sh, on a Unix socket;
#   - nginx with deploy/nginx/ossign.conf, serving a copy of www/ (stack_www)
#     and the endpoint.
# The deploy/ files are used as they are, copied into $STACK_DIR with only
# ports and paths substituted (sed), and "user root;" in the test nginx.conf
# only (so its workers can reach the private temporary directory).
#
# Settings (environment or shell variables, all optional):
#   STACK_DIR        where everything goes            [$T from t_tmpdir]
#   STACK_HTTP_PORT  nginx's port                     [a free port]
#   STACK_WORKERS    ossign worker processes          [2]
#   STACK_CREDS      env: a long-term key in accounts.json, in ossign's env;
#                    sts: ossign gets STS credentials from the emulator;
#                    cloud: no emulators, STACK_CONF is a real config and
#                    the credentials are in the environment already.
#                    [sts when the STS emulator can run, else env]
#   STACK_CONF       cloud: the ossign.conf to use as is.  env/sts: ignored;
#                    $STACK_DIR/ossign.conf is written: emulator globals,
#                    STACK_CONF_EXTRA, the [upload] sections of STACK_UPLOADS
#   STACK_UPLOADS    a file whose [upload ...] sections are used
#                    [deploy/ossign.conf.example]
#   STACK_JWT_PEM    an RS256 public key: an [upload jwt] section (auth =
#                    jwt) is added for it (tests/lib/e2e.sh makes one)
#   STACK_CONF_EXTRA extra global lines for the written config
#   STACK_OSS_CORS   the OSS emulator's CORS origins            [*]
#   STACK_OSS_LISTEN the OSS emulator's port          [0: a free one]
#   STACK_OSS_ARGS, STACK_STS_ARGS: more emulator options (--versioned,
#                    --lifetime S ...), split on white space
#   STACK_SCAN_SECRETS 0: do not register the key with t_secret (not a test)
#   STACK_AUTH       1: nginx asks for a password (auth_basic, user "alice",
#                    password in $STACK_DIR/nginx/password) and passes
#                    REMOTE_USER, by uncommenting lines of deploy/nginx/
#   STACK_WWW        the static files                 [a copy of www/ in
#                    $STACK_DIR/www, see stack_www]
#   STACK_SOCK_OWNER, STACK_SOCK_MODE: ossign's socket (for servers whose
#                    workers are not root)            [root, 0600]
#   STACK_CALLBACK_URL where the OSS emulator calls back: replaces every
#                    callback_url of the [upload] sections (issue 10)
#                    [http://127.0.0.1:$STACK_HTTP_PORT/ossign/callback]
# Upload callbacks (issue 10): the OSS emulator signs its callbacks with a
# test RSA key made here ($STACK_DIR/cbkey/key.pem); the written config pins
# its public half (callback_public_key = $STACK_CB_PUB), keeps cache_dir in
# $STACK_DIR/cache and spools the events of callback_spool sections in
# $STACK_SPOOL ($STACK_DIR/callbacks); stack_callback_owner USER gives both
# to a server's user.
# After stack_start (exported):
#   STACK_URL        http://127.0.0.1:PORT (the page; the endpoint below it)
#   STACK_SIGN_URL   $STACK_URL/get_post_signature_for_oss_upload
#   STACK_OSS_URL    the OSS emulator (= "host" in ossign.conf)
#   STACK_STS_URL    the STS emulator, https (sts only); STACK_CA its CA
#   STACK_STATE      the emulators' state directory (accounts.json, issued/)
#   STACK_BUCKET     the bucket name; STACK_REGION
#   STACK_CONF       the config ossign runs with
#   STACK_SOCK       ossign's FastCGI socket
#   STACK_OSSIGN     ossign's binary (a private copy: its pids can be
#                    found with pids_running "$STACK_OSSIGN")
#   STACK_PID_OSS STACK_PID_STS STACK_PID_OSSIGN STACK_PID_NGINX
#   STACK_AKID       the AccessKeyId in use (the secret is never exported)
#   STACK_CB_KEY STACK_CB_PUB  the emulator's callback key, its public half
#   STACK_SPOOL      where callback events land (callback_spool)

_stack_lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
declare -F plan >/dev/null || . "$_stack_lib/common.sh"

STACK_BUCKET=${STACK_BUCKET:-ossign-test}
STACK_REGION=${STACK_REGION:-cn-hangzhou}
STACK_SIGN_PATH=/get_post_signature_for_oss_upload

# _stack_fail MESSAGE [LOG...]: say what failed, with log tails, return 1.
_stack_fail() {
	local f
	diag "stack: $1"
	shift
	for f in "$@"; do
		diag_file "$f"
	done
	return 1
}

# stack_keys: a fresh long-term AccessKey, accepted by the emulators through
# $STACK_STATE/accounts.json (mode 0600).  The secret stays in the shell
# variable _STACK_SECRET; it is put in a process environment only by
# stack_export_keys and never printed.
stack_keys() {
	STACK_AKID=LTAI$(openssl rand -hex 10 | tr a-f A-F)
	_STACK_SECRET=$(openssl rand -base64 30 | tr -d '/+=\n')
	mkdir -p "$STACK_STATE"
	(umask 077 && printf '[{"AccessKeyId":"%s","AccessKeySecret":"%s"}]\n' \
	    "$STACK_AKID" "$_STACK_SECRET" >"$STACK_STATE/accounts.json")
	export STACK_AKID
	# Tests: the secrets scan (tests/zz-secrets-scan.sh) looks for it.
	[ "${STACK_SCAN_SECRETS:-1}" = 1 ] && declare -F t_secret >/dev/null &&
	    t_secret "$_STACK_SECRET"
	return 0
}

# stack_export_keys: in a process about to exec (a bg_start function), put
# the test key in ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET: an environment, not
# argv, and only that process's.
stack_export_keys() {
	export ALIBABA_CLOUD_ACCESS_KEY_ID="$STACK_AKID"
	export ALIBABA_CLOUD_ACCESS_KEY_SECRET="$_STACK_SECRET"
}

# stack_have_sts: true when the STS emulator can run (it needs node_modules).
stack_have_sts() {
	[ -x "$NODE" ] && [ -r "$top_srcdir/tests/emu/sts.js" ] &&
	    [ -d "$top_srcdir/node_modules/@alicloud/openapi-util" ]
}

# stack_callback_key: the test RSA key the OSS emulator signs its callbacks
# with (OSS signs with its own; ossign pins this one's public half).
stack_callback_key() {
	STACK_CB_KEY=$STACK_DIR/cbkey/key.pem
	STACK_CB_PUB=$STACK_DIR/cbkey/pub.pem
	[ -r "$STACK_CB_PUB" ] && return 0
	mkdir -p "$STACK_DIR/cbkey" && chmod 755 "$STACK_DIR/cbkey" &&
	openssl genrsa -out "$STACK_CB_KEY" 2048 2>/dev/null &&
	openssl rsa -in "$STACK_CB_KEY" -pubout -out "$STACK_CB_PUB" 2>/dev/null &&
	chmod 644 "$STACK_CB_PUB" ||
	    { _stack_fail "cannot make the callback test key"; return 1; }
	export STACK_CB_KEY STACK_CB_PUB
}

# stack_callback_owner USER: cache_dir and the spool belong to USER (a web
# server's, when it runs ossign itself: Apache CGI, mod_fcgid).
stack_callback_owner() {
	[ -n "$1" ] || return 0
	chown "$1" "$STACK_DIR/cache" "$STACK_SPOOL"
}

# stack_emulators: start the OSS emulator (and the STS one for sts).
stack_emulators() {
	local line
	[ -n "$NODE" ] || { _stack_fail "node not found"; return 1; }
	[ -r "$top_srcdir/tests/emu/oss.js" ] ||
	    { _stack_fail "tests/emu/oss.js missing"; return 1; }
	mkdir -p "$STACK_STATE"
	stack_callback_key || return 1
	# The browser posts from the page's origin: the bucket's CORS rule.
	bg_start "$STACK_DIR/oss.log" "$NODE" "$top_srcdir/tests/emu/oss.js" \
	    --state "$STACK_STATE" --port "${STACK_OSS_LISTEN:-0}" --bucket "$STACK_BUCKET" \
	    --region "$STACK_REGION" --cors-origins "${STACK_OSS_CORS:-*}" \
	    --callback-key "$STACK_CB_KEY" ${STACK_OSS_ARGS:-}
	STACK_PID_OSS=$BG_PID
	line=$(wait_line "$STACK_DIR/oss.log" '^listening [0-9]+' 20 "$BG_PID") ||
	    { _stack_fail "OSS emulator did not start" "$STACK_DIR/oss.log"; return 1; }
	STACK_OSS_PORT=${line#listening }
	STACK_OSS_URL=http://127.0.0.1:$STACK_OSS_PORT
	if [ "$STACK_CREDS" = sts ]; then
		sh "$top_srcdir/tests/lib/mkca.sh" "$STACK_DIR/ca" >"$STACK_DIR/mkca.log" 2>&1 ||
		    { _stack_fail "mkca.sh failed" "$STACK_DIR/mkca.log"; return 1; }
		STACK_CA=$STACK_DIR/ca/ca.pem
		bg_start "$STACK_DIR/sts.log" "$NODE" "$top_srcdir/tests/emu/sts.js" \
		    --state "$STACK_STATE" --port 0 --http-port 0 \
		    --cert "$STACK_DIR/ca/server.pem" --key "$STACK_DIR/ca/server-key.pem" \
		    ${STACK_STS_ARGS:-}
		STACK_PID_STS=$BG_PID
		line=$(wait_line "$STACK_DIR/sts.log" '^listening [0-9]+ [0-9]+' 20 "$BG_PID") ||
		    { _stack_fail "STS emulator did not start" "$STACK_DIR/sts.log"; return 1; }
		read -r _ STACK_STS_PORT _ <<<"$line"
		STACK_STS_URL=https://127.0.0.1:$STACK_STS_PORT
	fi
	export STACK_OSS_URL STACK_OSS_PORT STACK_STS_URL STACK_STATE STACK_CA
}

# stack_sts_files: the RAM user's key for AssumeRole in a file (the format
# access_key_file reads: AccessKeyId line, AccessKeySecret line; mode 0600)
# and the credential cache directory.
stack_sts_files() {
	(umask 077 && printf '%s\n%s\n' "$STACK_AKID" "$_STACK_SECRET" \
	    >"$STACK_DIR/access_key")
	mkdir -p "$STACK_DIR/cache" && chmod 700 "$STACK_DIR/cache"
}

# stack_write_conf FILE: an ossign.conf for the emulators: generated globals,
# then every line of $STACK_UPLOADS from its first [upload] section on, with
# callback_url and callback_spool pointed at this stack (issue 10).
stack_write_conf() {
	local file=$1 uploads=${STACK_UPLOADS:-$top_srcdir/deploy/ossign.conf.example}
	local cburl=${STACK_CALLBACK_URL:-http://127.0.0.1:${STACK_HTTP_PORT:-9}/ossign/callback}
	STACK_SPOOL=$STACK_DIR/callbacks
	mkdir -p "$STACK_DIR/cache" "$STACK_SPOOL" && chmod 700 "$STACK_DIR/cache" "$STACK_SPOOL"
	export STACK_SPOOL
	{
		echo "# written by tests/lib/stack.sh for the emulators"
		echo "bucket = $STACK_BUCKET"
		echo "region = $STACK_REGION"
		echo "host = $STACK_OSS_URL"
		echo "policy_ttl = 600"
		case $STACK_CREDS in
		sts)
			echo "credentials = ram_role_arn"
			echo "role_arn = acs:ram::1234567890123456:role/ossign-test"
			echo "role_session_name = ossign-test"
			echo "sts_endpoint = $STACK_STS_URL"
			echo "access_key_file = $STACK_DIR/access_key"
			echo "ca_file = $STACK_CA"
			;;
		*)
			echo "credentials = env"
			;;
		esac
		# The credential cache (sts), the server secret and the
		# callbacks' claims (issue 10): never the system's /run/ossign.
		echo "cache_dir = $STACK_DIR/cache"
		[ -n "${STACK_CB_PUB:-}" ] && echo "callback_public_key = $STACK_CB_PUB"
		[ -n "${STACK_CONF_EXTRA:-}" ] && printf '%s\n' "$STACK_CONF_EXTRA"
		echo
		sed -n '/^\[upload /,$p' "$uploads" |
		    sed -e "s|^callback_url = .*|callback_url = $cburl\\
callback_insecure = yes|" -e "s|^callback_spool = .*|callback_spool = $STACK_SPOOL|"
		# issue 11: a section for Bearer tokens (e2e_jwt_keys).
		if [ -n "${STACK_JWT_PEM:-}" ]; then
			echo
			echo "[upload jwt]"
			echo "key_prefix = jwt/\${user}/"
			echo "auth = jwt"
			echo "jwt_key = $STACK_JWT_PEM"
		fi
	} >"$file"
}

# stack_www: unless STACK_WWW is set, copy www/ to $STACK_DIR/www and point
# STACK_WWW there.  A web server whose workers run as their own user
# (Apache's www-data) cannot read a checkout under /root (mode 0700), and
# nothing may depend on where the checkout lives; $STACK_DIR is readable.
# Uppy's prebuilt bundles go in beside it for www/uppy.html (stack_uppy).
stack_www() {
	[ -n "${STACK_WWW:-}" ] && return 0
	mkdir -p "$STACK_DIR/www" &&
	cp -R "$top_srcdir/www/." "$STACK_DIR/www/" &&
	stack_uppy "$STACK_DIR/www" &&
	chmod -R a+rX "$STACK_DIR/www" ||
	    { _stack_fail "cannot copy www/ to $STACK_DIR/www"; return 1; }
	STACK_WWW=$STACK_DIR/www
	export STACK_WWW
}

# stack_uppy DIR: the two files of each of Uppy's prebuilt bundles that
# www/uppy.html loads, from node_modules (package.json: "uppy", 6.x, and
# "uppy5", 5.x) into DIR/uppy/ and DIR/uppy5/ (issue 12).  Without
# node_modules there is nothing to copy, and uppy.html says how to get them.
stack_uppy() {
	local pkg src
	for pkg in uppy uppy5; do
		src=$top_srcdir/node_modules/$pkg/dist
		[ -r "$src/uppy.min.js" ] && [ -r "$src/uppy.min.css" ] || continue
		mkdir -p "$1/$pkg" &&
		cp "$src/uppy.min.js" "$src/uppy.min.css" "$1/$pkg/" || return 1
	done
}

# stack_ossign: ossign on $STACK_SOCK via deploy/spawn-fcgi.sh.
stack_ossign() {
	mkdir -p "$STACK_DIR/bin"
	# A private copy: the test can find exactly its own processes.
	cp "$OSSIGN" "$STACK_DIR/bin/ossign" || return 1
	STACK_OSSIGN=$STACK_DIR/bin/ossign
	STACK_SOCK=$STACK_DIR/ossign.sock
	rm -f "$STACK_SOCK"
	bg_start "$STACK_DIR/ossign.log" _stack_ossign_exec
	STACK_PID_OSSIGN=$BG_PID
	wait_sock "$STACK_SOCK" 10 "$BG_PID" ||
	    { _stack_fail "ossign did not start" "$STACK_DIR/ossign.log"; return 1; }
	export STACK_SOCK STACK_OSSIGN STACK_CONF
}
_stack_ossign_exec() {
	export OSSIGN=$STACK_OSSIGN OSSIGN_CONFIG=$STACK_CONF \
	    OSSIGN_SOCKET=$STACK_SOCK OSSIGN_WORKERS=${STACK_WORKERS:-2} \
	    OSSIGN_USER= OSSIGN_SOCKET_OWNER=${STACK_SOCK_OWNER:-} \
	    OSSIGN_SOCKET_MODE=${STACK_SOCK_MODE:-0600}
	[ "$STACK_CREDS" = env ] && stack_export_keys
	bg_exec sh "$top_srcdir/deploy/spawn-fcgi.sh"
}

# nginx_conf DIR PORT SOCK WWW [auth]: copy deploy/nginx/ossign.conf (the
# site) and deploy/nginx/snippets/ossign.conf (the endpoint it includes)
# into DIR with the port, root and socket filled in, and a DIR/nginx.conf
# that includes the site; fails if a substitution found nothing to replace.
# auth "request:PORT" turns on the auth_request recipe instead of
# auth_basic, its application at http://127.0.0.1:PORT/auth (issue 11).
nginx_conf() {
	local dir=$1 port=$2 sock=$3 www=$4 auth=${5:-} src=$top_srcdir/deploy/nginx
	local site=$dir/ossign.conf snip=$dir/snippets/ossign.conf
	mkdir -p "$dir/tmp" "$dir/snippets"
	cp /etc/nginx/fastcgi_params /etc/nginx/mime.types "$dir/" || return 1
	sed -e "s|^\([[:space:]]*\)listen 80;|\1listen 127.0.0.1:$port;|" \
	    -e '/listen \[::\]:80;/d' \
	    -e "s|root /var/www/ossign;|root $www;|" \
	    "$src/ossign.conf" >"$site" || return 1
	sed -e "s|unix:/run/ossign/ossign.sock;|unix:$sock;|" \
	    "$src/snippets/ossign.conf" >"$snip" || return 1
	if [ "${auth%%:*}" = request ]; then
		# The auth_request recipe: its three lines for the one
		# REMOTE_USER line, and the login check's location.
		sed -i -e 's|^\([[:space:]]*\)fastcgi_param REMOTE_USER "";|\1#&|' \
		    -e 's|^\([[:space:]]*\)#\(auth_request .*\)|\1\2|' \
		    -e 's|^\([[:space:]]*\)#\(auth_request_set .*\)|\1\2|' \
		    -e 's|^\([[:space:]]*\)#\(fastcgi_param REMOTE_USER \$ossign_user;\)|\1\2|' \
		    -e '/^#location = \/_ossign_auth {/,/^#}/s|^#||' \
		    -e "s|proxy_pass http://127.0.0.1:3000/auth;|proxy_pass http://127.0.0.1:${auth#request:}/auth;|" \
		    "$snip"
		grep -q '^[[:space:]]*auth_request /_ossign_auth;' "$snip" &&
		grep -q '^[[:space:]]*fastcgi_param REMOTE_USER \$ossign_user;' "$snip" &&
		grep -q "^[[:space:]]*proxy_pass http://127.0.0.1:${auth#request:}/auth;" "$snip" &&
		grep -q '^location = /_ossign_auth {' "$snip" ||
		    { _stack_fail "deploy/nginx/: auth_request lines not found"; return 1; }
	elif [ -n "$auth" ]; then
		# Turn on the commented authentication lines of both files.
		sed -i -e 's|^\([[:space:]]*\)#auth_basic "|\1auth_basic "|' \
		    -e "s|^\([[:space:]]*\)#auth_basic_user_file .*|\1auth_basic_user_file $dir/htpasswd;|" \
		    "$site"
		# Every location but the callback's, which stays "" (OSS
		# does not log in).
		sed -i -e '/^location = \/ossign\/callback /,/^}/!{
s|^\([[:space:]]*\)fastcgi_param REMOTE_USER "";|\1#&|
s|^\([[:space:]]*\)#fastcgi_param REMOTE_USER \$remote_user;|\1fastcgi_param REMOTE_USER $remote_user;|
}' "$snip"
		grep -q "auth_basic_user_file $dir/htpasswd;" "$site" &&
		grep -q '^[[:space:]]*fastcgi_param REMOTE_USER \$remote_user;' "$snip" ||
		    { _stack_fail "deploy/nginx/: auth lines not found"; return 1; }
	fi
	grep -q "listen 127.0.0.1:$port;" "$site" &&
	grep -q "root $www;" "$site" &&
	grep -q '^[[:space:]]*include snippets/ossign.conf;' "$site" &&
	grep -q "^[[:space:]]*fastcgi_pass unix:$sock;" "$snip" ||
	    { _stack_fail "deploy/nginx/: listen/root/include/socket lines not found"; return 1; }
	cat >"$dir/nginx.conf" <<EOF
# Test wrapper for deploy/nginx/ossign.conf (written by tests/lib/stack.sh).
# root: the test runs as root and its files are in a private directory.
user root;
worker_processes 2;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log info;
events { worker_connections 256; }
http {
	include mime.types;
	default_type application/octet-stream;
	access_log $dir/access.log;
	client_body_temp_path $dir/tmp/body;
	fastcgi_temp_path $dir/tmp/fastcgi;
	proxy_temp_path $dir/tmp/proxy;
	uwsgi_temp_path $dir/tmp/uwsgi;
	scgi_temp_path $dir/tmp/scgi;
	include ossign.conf;
}
EOF
}

# htpasswd_make FILE USER PASSWORD: an apr1 (MD5) entry, which nginx, Apache
# and lighttpd all read.
htpasswd_make() {
	printf '%s:%s\n' "$2" "$(openssl passwd -apr1 "$3")" >"$1"
}

# stack_nginx: nginx on 127.0.0.1:$STACK_HTTP_PORT.
stack_nginx() {
	local d=$STACK_DIR/nginx
	stack_www || return 1
	nginx_conf "$d" "$STACK_HTTP_PORT" "$STACK_SOCK" "$STACK_WWW" \
	    "${STACK_AUTH:+auth}" || return 1
	if [ -n "${STACK_AUTH:-}" ]; then
		openssl rand -hex 8 >"$d/password"
		htpasswd_make "$d/htpasswd" alice "$(cat "$d/password")"
	fi
	nginx -t -q -p "$d" -c "$d/nginx.conf" -e "$d/error.log" 2>"$d/configtest.log" ||
	    { _stack_fail "nginx -t failed" "$d/configtest.log"; return 1; }
	bg_start "$d/stderr.log" nginx -p "$d" -c "$d/nginx.conf" -e "$d/error.log"
	STACK_PID_NGINX=$BG_PID
	wait_port "$STACK_HTTP_PORT" 10 "$BG_PID" ||
	    { _stack_fail "nginx did not start" "$d/error.log" "$d/stderr.log"; return 1; }
	STACK_URL=http://127.0.0.1:$STACK_HTTP_PORT
	STACK_SIGN_URL=$STACK_URL$STACK_SIGN_PATH
	export STACK_URL STACK_SIGN_URL
}

# stack_start: everything, in order; returns 1 (with diagnostics) if any
# part failed to start.
stack_start() {
	if [ -z "${STACK_DIR:-}" ]; then
		t_tmpdir
		STACK_DIR=$T
	fi
	mkdir -p "$STACK_DIR"
	STACK_STATE=${STACK_STATE:-$STACK_DIR/state}
	STACK_HTTP_PORT=${STACK_HTTP_PORT:-$(free_port)}
	if [ -z "${STACK_CREDS:-}" ]; then
		STACK_CREDS=env
		stack_have_sts && STACK_CREDS=sts
	fi
	[ -x "$OSSIGN" ] || { _stack_fail "$OSSIGN not built"; return 1; }
	command -v nginx >/dev/null || { _stack_fail "nginx not installed"; return 1; }
	command -v spawn-fcgi >/dev/null || { _stack_fail "spawn-fcgi not installed"; return 1; }
	case $STACK_CREDS in
	cloud)
		[ -r "${STACK_CONF:-}" ] ||
		    { _stack_fail "STACK_CREDS=cloud needs STACK_CONF"; return 1; }
		;;
	env|sts)
		stack_keys
		stack_emulators || return 1
		[ "$STACK_CREDS" = sts ] && stack_sts_files
		# Always a new file: a STACK_CONF set by the caller is for
		# cloud only and is never overwritten.
		STACK_CONF=$STACK_DIR/ossign.conf
		stack_write_conf "$STACK_CONF"
		;;
	*)
		_stack_fail "STACK_CREDS=$STACK_CREDS: expected env, sts or cloud"
		return 1 ;;
	esac
	export STACK_BUCKET STACK_REGION STACK_CREDS STACK_DIR
	stack_ossign || return 1
	stack_nginx || return 1
}

# stack_stop: stop everything stack_start started (and anything else the
# test started with bg_start), newest first.
stack_stop() {
	stop_all
}
