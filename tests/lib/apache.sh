# tests/lib/apache.sh: run Apache 2.4 for a test (bash; sources e2e.sh).
#
# Apache runs in the foreground (-DFOREGROUND) from its own httpd.conf in a
# temporary directory: its own ServerRoot, PidFile, ErrorLog, runtime dir,
# modules loaded from /usr/lib/apache2/modules, listening on 127.0.0.1 only.
# The master runs as root (the test's user) and its children as www-data
# ("User www-data", in the test's httpd.conf only): Apache refuses to run
# CGI as root, and a root master without User would have nobody to switch
# to.  So everything the children read (configs, www/, the ossign copy) is
# made world-readable and the directories it writes are given to www-data.

_apache_lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
declare -F e2e_checks >/dev/null || . "$_apache_lib/e2e.sh"

APACHE_MODDIR=${APACHE_MODDIR:-/usr/lib/apache2/modules}
APACHE_USER=${APACHE_USER-www-data}	# empty when not root (apache_need)

# apache_need MODULE...: skip the test unless apache2 and the modules exist.
apache_need() {
	local m
	need apache2
	for m in "$@"; do
		[ -r "$APACHE_MODDIR/mod_$m.so" ] || skip_all "Apache module mod_$m not installed"
	done
	if [ "$(id -u)" = 0 ]; then
		id "$APACHE_USER" >/dev/null 2>&1 ||
		    skip_all "no user $APACHE_USER for Apache's children"
	else
		# Not root: Apache and its children all run as the test's user.
		APACHE_USER=
	fi
}

# apache_conf DIR PORT MPM SNIPPET MODULE...: DIR/httpd.conf loading MPM
# (event, prefork, worker) and the modules, serving www/ on PORT, including
# SNIPPET (a file already copied and filled in by the test).  The page is
# the copy of www/ that e2e_backend made (the children run as www-data and
# may not be able to read the checkout), or $APACHE_DOCROOT.  Any extra
# lines the test wants are in $APACHE_EXTRA.
apache_conf() {
	local d=$1 port=$2 mpm=$3 snippet=$4 m
	shift 4
	mkdir -p "$d/run" "$d/logs"
	[ -n "$APACHE_USER" ] && chown "$APACHE_USER" "$d/run"
	{
		echo "# Test wrapper (tests/lib/apache.sh) around ${snippet##*/}."
		echo "ServerRoot \"$d\""
		echo "ServerName 127.0.0.1"
		echo "Listen 127.0.0.1:$port"
		echo "PidFile \"$d/run/httpd.pid\""
		echo "DefaultRuntimeDir \"$d/run\""
		echo "ErrorLog \"$d/error.log\""
		echo "LogLevel warn"
		if [ -n "$APACHE_USER" ]; then
			echo "# Root master, unprivileged children: CGI refuses to run as root."
			echo "User $APACHE_USER"
			echo "Group $(id -gn "$APACHE_USER")"
		fi
		echo "LoadModule mpm_${mpm}_module $APACHE_MODDIR/mod_mpm_$mpm.so"
		# authz_host: Require ip (deploy/apache/: .../metrics), on by
		# default in Debian.
		for m in authz_core authn_core authn_file auth_basic authz_user \
		    authz_host alias mime dir env "$@"; do
			echo "LoadModule ${m}_module $APACHE_MODDIR/mod_$m.so"
		done
		echo "LogFormat \"%h %u %t \\\"%r\\\" %>s %b\" common"
		echo "CustomLog \"$d/access.log\" common"
		echo "TypesConfig /etc/mime.types"
		echo "DocumentRoot \"${APACHE_DOCROOT:-$STACK_WWW}\""
		echo "DirectoryIndex index.html"
		echo "<Directory />"
		echo "	AllowOverride None"
		echo "	Require all denied"
		echo "</Directory>"
		echo "<Directory \"${APACHE_DOCROOT:-$STACK_WWW}\">"
		echo "	AllowOverride ${APACHE_OVERRIDE:-None}"
		echo "	Require all granted"
		echo "</Directory>"
		echo "Timeout 30"
		echo "MaxConnectionsPerChild 0"
		[ -n "${APACHE_EXTRA:-}" ] && printf '%s\n' "$APACHE_EXTRA"
		echo "Include \"$snippet\""
	} >"$d/httpd.conf"
	chmod 644 "$d/httpd.conf" "$snippet"
	apache2 -t -f "$d/httpd.conf" >"$d/configtest.log" 2>&1 ||
	    { diag_file "$d/configtest.log"; return 1; }
}

# apache_run DIR PORT: start it, with the test key in its environment (the
# configs pass it on with PassEnv / FcgidInitialEnv ${...}); sets APID.
_apache_exec() {
	stack_export_keys
	bg_exec apache2 -f "$1/httpd.conf" -DFOREGROUND
}
apache_run() {
	bg_start "$1/stderr.log" _apache_exec "$1"
	APID=$BG_PID
	wait_port "$2" 15 "$APID" ||
	    { diag_file "$1/error.log"; diag_file "$1/stderr.log"; return 1; }
}

# apache_stop: SIGTERM to the master (it stops its children, mod_cgid's
# daemon and mod_fcgid's processes), then whatever is left of its group.
apache_stop() {
	stop_pid "$APID" 10
	forget_pid "$APID"
}
