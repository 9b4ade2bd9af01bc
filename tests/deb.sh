#!/bin/bash
# tests/deb.sh: the Debian package (debian/).  Built from exactly the
# release's files (make distdir) with "dpkg-buildpackage -us -uc -b";
# lintian reports no error and no warning; installed with apt-get as the
# README says; "ossign -t" accepts the shipped /etc/ossign/ossign.conf (the
# default path); one signature served through nginx from the installed
# files only (the unit's ExecStart as user ossign on the socket unit's path,
# the nginx snippet, the page in /usr/share/ossign/www, the shipped config);
# then removed (configuration and state kept) and purged (nothing of it
# left).
#
# It installs a package on the machine that runs it, so: root only; skipped
# when an ossign package is installed (or removed but not purged) already,
# which is someone else's, or when something uses /run/ossign; one run at a
# time (a lock); and at exit, whatever happened, its processes are stopped,
# the package is purged and the ossign user removed if this test created it.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib/e2e.sh"

# apt_get ARGS...: apt-get, waiting for the dpkg lock other installs hold.
apt_get() {
	DEBIAN_FRONTEND=noninteractive apt-get -y -q --no-install-recommends \
	    -o DPkg::Lock::Timeout=600 "$@"
}

# pkg_status: dpkg's status of ossign: "none" when no file of it is on the
# machine (unknown, or not installed), else its two letters (ii, rc...).
pkg_status() {
	local st
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' ossign 2>/dev/null | tr -d ' ')
	case $st in
	''|?n) echo none ;;
	*) echo "$st" ;;
	esac
}

[ "$(id -u)" = 0 ] || skip_all "root only: it installs the package on this machine"
for c in dpkg-buildpackage dh lintian apt-get nginx systemd-socket-activate setpriv curl python3 flock; do
	command -v "$c" >/dev/null 2>&1 ||
	    skip_all "$c not installed (tests/lib/install-deps.sh installs the packaging tools)"
done
[ -r /usr/share/perl5/Debian/Debhelper/Sequence/autoreconf.pm ] ||
    skip_all "dh-autoreconf not installed (debhelper brings it)"
case $(pkg_status) in
none) ;;
*) skip_all "an ossign package is on this machine already (dpkg status $(pkg_status)): not touching it" ;;
esac
SOCK=/run/ossign/ossign.sock
[ -e "$SOCK" ] && skip_all "$SOCK exists: an ossign runs here"
mkdir -p /run/lock
exec 8>/run/lock/ossign-deb-test.lock
flock -w 600 8 || skip_all "another tests/deb.sh held its lock for 10 minutes"
# Only now, under the lock: it may have been installed while we waited.
case $(pkg_status) in none) ;; *) skip_all "an ossign package was installed meanwhile" ;; esac

version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h")
[ -n "$version" ] || bail_out "no PACKAGE_VERSION in $top_builddir/config.h"

plan 28

t_tmpdir
t_artifacts
INSTALLED=0
MADE_USER=0
MADE_RUNDIR=0
getent passwd ossign >/dev/null || MADE_USER=1
[ -d /run/ossign ] || MADE_RUNDIR=1

# At exit, once common.sh has stopped every process: nothing of the package
# stays, whatever failed.
t_exit_hook() {
	if [ "$INSTALLED" = 1 ]; then
		apt_get purge ossign >>"$ART/cleanup.log" 2>&1 ||
		    diag "cleanup: apt-get purge ossign failed (see $ART/cleanup.log)"
	fi
	if [ "$MADE_USER" = 1 ] && getent passwd ossign >/dev/null; then
		userdel ossign >>"$ART/cleanup.log" 2>&1
		getent group ossign >/dev/null && groupdel ossign >>"$ART/cleanup.log" 2>&1
	fi
	rm -f "$SOCK"
	[ "$MADE_RUNDIR" = 1 ] && rmdir /run/ossign 2>/dev/null
	[ -d "$T/nginx" ] && cp "$T"/nginx/*.log "$ART/" 2>/dev/null
	return 0
}

# ---- build --------------------------------------------------------------------
src=$T/src/ossign-$version
mkdir -p "$T/src"
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" distdir distdir="$src" \
    >"$ART/distdir.log" 2>&1
ok $? "make distdir: the release's files" || diag_file "$ART/distdir.log"
is "$(cd "$src" && dpkg-parsechangelog -S Version 2>/dev/null)" "$version" \
    "debian/changelog's version is the release's ($version)"

t0=$SECONDS
(cd "$src" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL dpkg-buildpackage -us -uc -b) \
    >"$ART/build.log" 2>&1
ok $? "dpkg-buildpackage -us -uc -b ($((SECONDS - t0)) s)" || diag_file "$ART/build.log" 30
deb=$T/src/ossign_${version}_$(dpkg --print-architecture).deb
[ -s "$deb" ]
ok $? "it built ${deb##*/}" || bail_out "no package"

lintian "$deb" >"$ART/lintian.log" 2>&1
lrc=$?
bad=$(grep -E '^[EW]: ' "$ART/lintian.log")
is "$lrc/$bad" "0/" "lintian: no error, no warning" || diag "$bad"

# Every file of the page is in the package (Makefile.am lists them).
want=$(cd "$top_srcdir/www" && find . -type f | sed 's|^\./||' | sort)
have=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed -n 's|^\./usr/share/ossign/www/||p' |
    grep -v -e '/$' -e '^$' | sort)
is "$have" "$want" "the package carries every file of www/ in /usr/share/ossign/www"
deps=$(dpkg-deb -f "$deb" Depends)
like "$deps" 'libcurl4' "Depends names libcurl4 (loaded with dlopen): $deps"
like "$deps" 'libjson-c5.*libssl3|libssl3.*libjson-c5' "Depends has the computed shared libraries"

# ---- install --------------------------------------------------------------------
before=$(dpkg-query -W -f='${Package}\n' | sort)
INSTALLED=1
apt_get install "$deb" >"$ART/install.log" 2>&1
ok $? "apt-get install ./${deb##*/}" || diag_file "$ART/install.log"
added=$(comm -13 <(echo "$before") <(dpkg-query -W -f='${Package}\n' | sort) | tr '\n' ' ')
is "$added" "ossign " "only ossign was installed (its dependencies were here)"

for f in /usr/sbin/ossign /usr/share/man/man8/ossign.8.gz /usr/share/man/man5/ossign.conf.5.gz \
    /lib/systemd/system/ossign.socket /lib/systemd/system/ossign.service \
    /etc/nginx/snippets/ossign.conf /usr/share/ossign/www/index.html \
    /usr/share/ossign/callback_pub_key_v1.pem \
    /usr/share/doc/ossign/examples/ossign.conf.example; do
	[ -e "$f" ] || missing="${missing:-} $f"
done
is "${missing:-}" "" "the program, man pages, units, nginx snippet, page, OSS's callback key and examples are in place"
conffiles=$(dpkg-query -W -f='${Conffiles}\n' ossign | awk 'NF {print $1}' | sort | tr '\n' ' ')
is "$conffiles" "/etc/nginx/snippets/ossign.conf /etc/ossign/ossign.conf " \
    "/etc/ossign/ossign.conf and the snippet are conffiles"
u=$(getent passwd ossign)
IFS=: read -r _ _ uid _ _ home shell <<<"$u"
[ -n "$uid" ] && [ "$uid" -lt 1000 ] && [ "$home" = /var/lib/ossign ] && [ "$shell" = /usr/sbin/nologin ]
ok $? "postinst made the system user ossign ($u)"
is "$(stat -c '%U:%G %a' /var/lib/ossign 2>&1)" "ossign:ossign 700" "and its state directory /var/lib/ossign"
enabled=$(find /etc/systemd/system -name 'ossign.*' 2>/dev/null | tr '\n' ' ')
is "$enabled" "" "ossign.socket and ossign.service are not enabled"
if command -v systemd-analyze >/dev/null 2>&1; then
	systemd-analyze verify --man=no /lib/systemd/system/ossign.socket \
	    /lib/systemd/system/ossign.service >"$ART/verify.log" 2>&1
	ok $? "systemd-analyze verify accepts the installed units" || diag_file "$ART/verify.log"
else
	skip 1 "systemd-analyze not installed"
fi

out=$(env -u OSSIGN_CONFIG /usr/sbin/ossign -t 2>"$ART/t.err")
trc=$?
is "$trc/$out" "0/configuration OK" "ossign -t accepts the shipped /etc/ossign/ossign.conf (the default path)" ||
    diag_file "$ART/t.err"

# ---- one signature through nginx, from the installed files -------------------------
# ossign as ossign.service starts it: its ExecStart and OSSIGN_CONFIG, as
# user ossign, on ossign.socket's path (root:www-data 0660, as the unit
# makes it) by socket activation; the test key in its environment, for the
# shipped credentials = env.
unit=/lib/systemd/system/ossign.service
read -r -a argv <<<"$(sed -n 's/^ExecStart=//p' "$unit")"
conf=$(sed -n 's/^Environment=OSSIGN_CONFIG=//p' "$unit")
STACK_STATE=$T/state
stack_keys
mkdir -p /run/ossign
_activate() {
	stack_export_keys
	bg_exec systemd-socket-activate -l "$SOCK" -E OSSIGN_CONFIG="$conf" \
	    -E ALIBABA_CLOUD_ACCESS_KEY_ID -E ALIBABA_CLOUD_ACCESS_KEY_SECRET \
	    "$(command -v setpriv)" --reuid=ossign --regid=ossign --init-groups "${argv[@]}"
}
bg_start "$ART/ossign.log" _activate
apid=$BG_PID
wait_sock "$SOCK" 10 "$apid" && chgrp www-data "$SOCK" && chmod 0660 "$SOCK"
ok $? "the unit's ExecStart (${argv[*]}) listens on $SOCK" || diag_file "$ART/ossign.log"

port=$(free_port)
mkdir -p "$T/nginx/tmp"
cp /etc/nginx/fastcgi_params "$T/nginx/"
cat >"$T/nginx/nginx.conf" <<EOF
# tests/deb.sh: the installed snippet and page, nothing else of ours.
user www-data;
worker_processes 1;
daemon off;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log info;
events { worker_connections 64; }
http {
	include /etc/nginx/mime.types;
	access_log $T/nginx/access.log;
	client_body_temp_path $T/nginx/tmp/body;
	fastcgi_temp_path $T/nginx/tmp/fastcgi;
	proxy_temp_path $T/nginx/tmp/proxy;
	uwsgi_temp_path $T/nginx/tmp/uwsgi;
	scgi_temp_path $T/nginx/tmp/scgi;
	server {
		listen 127.0.0.1:$port;
		root /usr/share/ossign/www;
		index index.html;
		include /etc/nginx/snippets/ossign.conf;
	}
}
EOF
chown -R www-data "$T/nginx/tmp"
bg_start "$T/nginx/stderr.log" nginx -p "$T/nginx" -c "$T/nginx/nginx.conf" -e "$T/nginx/error.log"
wait_port "$port" 10 "$BG_PID"
ok $? "nginx (workers as www-data) with /etc/nginx/snippets/ossign.conf and root /usr/share/ossign/www" ||
    diag_file "$T/nginx/stderr.log"

st=$(http_get "http://127.0.0.1:$port/" "$T/index.html")
grep -q upload.js "$T/index.html"
ok $? "the installed page is served (GET / $st)"
st=$(http_get "http://127.0.0.1:$port/get_post_signature_for_oss_upload?filename=a.txt&size=3" "$T/sig.json")
is "$st" 200 "a signature is served through the snippet" ||
    { diag "$(mask <"$T/sig.json")"; diag_file "$ART/ossign.log"; diag_file "$T/nginx/error.log"; }
like "$(json_get "$T/sig.json" fields.key)/$(json_get "$T/sig.json" host)" \
    '^uploads/[0-9]{4}/[0-9]{2}/[0-9]{2}/[0-9a-f-]{36}/a\.txt/https://examplebucket\.oss-cn-hangzhou\.aliyuncs\.com$' \
    "signed by the shipped config's [upload default] for its placeholder bucket"
users=
for p in $(pids_running /usr/sbin/ossign); do
	users="$users $(awk '/^Uid:/ {print $2}' "/proc/$p/status")"
done
like "$users" "^( $uid)+\$" "every ossign process runs as user ossign"
stop_all

# ---- remove, then purge ---------------------------------------------------------------
echo "# locally changed" >>/etc/ossign/ossign.conf
apt_get remove ossign >"$ART/remove.log" 2>&1
rrc=$?
[ "$rrc" = 0 ] && [ ! -e /usr/sbin/ossign ] && grep -q '^# locally changed' /etc/ossign/ossign.conf &&
    [ -d /var/lib/ossign ] && [ "$(pkg_status)" = rc ]
ok $? "apt-get remove: the program goes, the configuration and /var/lib/ossign stay" ||
    diag_file "$ART/remove.log"

files=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\.||; s|/$||' | grep -v '^$')
apt_get purge ossign >"$ART/purge.log" 2>&1
prc=$?
INSTALLED=0
left=
for f in $files /etc/ossign /var/lib/ossign; do
	case $f in
	# Directories other packages share.
	/etc|/etc/nginx|/etc/nginx/snippets|/lib|/lib/systemd|/lib/systemd/system|/usr|/usr/sbin|\
	/usr/share|/usr/share/doc|/usr/share/man|/usr/share/man/man5|/usr/share/man/man8) continue ;;
	esac
	[ -e "$f" ] || [ -L "$f" ] && left="$left $f"
done
left="$left $(find /etc/systemd /var/lib/systemd -name '*ossign*' 2>/dev/null | tr '\n' ' ')"
is "$prc/$(pkg_status)/$(echo $left)" "0/none/" "apt-get purge: no file of the package, no configuration, no state left" ||
    diag_file "$ART/purge.log"
getent passwd ossign >/dev/null
ok $? "the ossign user stays (as Debian keeps system users; README.Debian says so)"
if [ "$MADE_USER" = 1 ]; then
	userdel ossign && { ! getent group ossign >/dev/null || groupdel ossign; }
	ok $? "this test made the ossign user, and removes it"
	MADE_USER=0
else
	ok 0 "the ossign user was here before this test: kept"
fi
is "$(pids_running /usr/sbin/ossign)" "" "no ossign process is left"
