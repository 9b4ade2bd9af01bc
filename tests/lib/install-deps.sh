#!/bin/sh
# tests/lib/install-deps.sh: install what ossign needs on Debian 12
# (bookworm), then the Node packages (npm ci).  Two sets:
#
#	tests/lib/install-deps.sh --quickstart [--no-npm]   what deploy/quickstart runs
#	tests/lib/install-deps.sh [--no-npm]                that and what the tests run
#
# The quickstart set is the build, nginx, spawn-fcgi and Node with npm for
# the emulators; the test set adds the other web servers, Chromium, the
# checkers, fuzzers and packaging tools (tests/run-all, .ci/run).
#
# It says what it will install before it does.  Fast when there is nothing
# to do: apt-get runs only if a package is missing, npm ci only if
# node_modules is missing or older than package-lock.json.  Needs root for
# apt-get (uses sudo when not root).
#
# Web servers it installs (nginx, lighttpd, Apache) are for the tests and
# the quickstart, which start their own on 127.0.0.1: they are never
# started by the install (policy-rc.d), and their system services are
# disabled afterwards, so none holds port 80 or starts at boot.  One that
# was installed before is left as it was.
#
# Environment: OSSIGN_NO_APT=1 skips apt entirely (the check still reports
# what is missing).
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
set_name=test
npm=1
for a in "$@"; do
	case $a in
	--quickstart) set_name=quickstart ;;
	--no-npm) npm=0 ;;
	*) echo "install-deps: unknown option $a" >&2; exit 2 ;;
	esac
done

# ---- the quickstart set: every Debian package, one reason each ------------
QUICKSTART_PACKAGES="
build-essential
autoconf
automake
libtool
pkg-config
libfcgi-dev
libjson-c-dev
libcurl4-openssl-dev
libssl-dev
libexpat1-dev
nginx-light
spawn-fcgi
nodejs:node
npm:npm
openssl
ca-certificates
"
# build-essential autoconf automake libtool pkg-config: the build
# libfcgi-dev libjson-c-dev libcurl4-openssl-dev libssl-dev: the program
#   (libcurl4 comes with libcurl4-openssl-dev: ossign loads it at run time)
# libexpat1-dev: the program, OSS's XML answers to the multipart API (ossxml)
# nginx-light: serves the page and the endpoint; spawn-fcgi: runs ossign
# nodejs npm: the OSS and STS emulators, npm ci.  "package:command": the
#   command on PATH is enough (a NodeSource nodejs ships npm and conflicts
#   with Debian's npm)
# openssl: the emulators' keys (the STS emulator's test CA, the OSS
#   emulator's callback key)
# ca-certificates: npm ci fetches from the npm registry over https

# ---- the test set: the quickstart's and these ------------------------------
TEST_PACKAGES="
libfcgi-bin
lighttpd
apache2
libapache2-mod-fcgid
apache2-utils
chromium
curl
python3
valgrind
clang
libclang-rt-14-dev
wrk
debhelper
dpkg-dev
fakeroot
lintian
debootstrap
prometheus
unicode-data
"
# libfcgi-bin: cgi-fcgi, a FastCGI client for tests/bad-input.sh
# lighttpd apache2 libapache2-mod-fcgid: the other web servers' e2e tests
# apache2-utils: htpasswd for the authentication tests
# chromium: browser tests (playwright-core drives the system chromium)
# curl python3: test helpers (python3 also makes and sends callbacks:
#   tests/lib/cb-request.py, cb-servers.py); valgrind: make check-valgrind
# clang libclang-rt-14-dev: fuzzers and sanitizers; wrk: benchmarks
# debhelper dpkg-dev fakeroot lintian: tests/deb.sh builds and checks the
#   Debian package; debootstrap: tests/fresh-debian (not in make check)
# prometheus: promtool checks the /metrics text (tests/metrics-promtool.sh)
#   and a real Prometheus scrapes it (issue 11)
# unicode-data: tests/ucd.sh regenerates src/ucd_tab.h from it and compares
#   (tests only: the build uses the committed table)

# ---- more packages from other work go below, one reason each ---------------

# Web server packages and their system services, disabled when this script
# installed the package.
SERVICES="nginx-light:nginx lighttpd:lighttpd apache2:apache2,apache-htcacheclean"

PACKAGES=$QUICKSTART_PACKAGES
[ "$set_name" = test ] && PACKAGES="$PACKAGES $TEST_PACKAGES"

missing=
for entry in $PACKAGES; do
	p=${entry%%:*}
	case $entry in
	*:*)	command -v "${entry#*:}" >/dev/null 2>&1 && continue ;;
	esac
	# "install ok installed" only for a package that is fully there.
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case $st in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done

# disable_services: stop and disable the system service of every web
# server package this run installed (nothing else).
disable_services() {
	for s in $SERVICES; do
		case " $missing " in
		*" ${s%%:*} "*) ;;
		*) continue ;;
		esac
		for unit in $(echo "${s#*:}" | tr , ' '); do
			# Works with systemd running or not (then it only
			# removes the links that start it at boot).
			if command -v systemctl >/dev/null 2>&1; then
				$sudo systemctl disable --now --quiet "$unit" 2>/dev/null ||
				    $sudo systemctl disable --quiet "$unit" 2>/dev/null || true
			fi
			if [ -x "/etc/init.d/$unit" ] && command -v update-rc.d >/dev/null 2>&1; then
				$sudo update-rc.d "$unit" disable >/dev/null 2>&1 || true
			fi
			echo "install-deps: $unit's system service: not started, disabled at boot" \
			    "(the quickstart and the tests run their own on 127.0.0.1)"
		done
	done
}

if [ -n "$missing" ]; then
	n=$(echo $missing | wc -w)
	echo "install-deps: the $set_name set needs $n Debian packages not installed here" \
	    "(apt-get adds what they depend on):"
	echo "$missing" | fold -s -w 76 | sed 's/^ */    /'
	if [ "${OSSIGN_NO_APT:-0}" = 1 ]; then
		echo "install-deps: OSSIGN_NO_APT=1, not installing" >&2
		exit 1
	fi
	sudo=
	[ "$(id -u)" = 0 ] || sudo=sudo
	export DEBIAN_FRONTEND=noninteractive
	# Installing nginx/lighttpd/apache2 must not start them on the
	# machine's port 80: policy-rc.d 101 forbids service starts for the
	# duration of this install only (removed again if we created it).
	prc=/usr/sbin/policy-rc.d
	made_prc=0
	if [ ! -e "$prc" ]; then
		printf '#!/bin/sh\nexit 101\n' | $sudo tee "$prc" >/dev/null
		$sudo chmod 755 "$prc"
		made_prc=1
	fi
	rc=0
	$sudo apt-get update -q || rc=$?
	[ "$rc" = 0 ] && { $sudo apt-get install -y -q --no-install-recommends $missing || rc=$?; }
	[ "$made_prc" = 1 ] && $sudo rm -f "$prc"
	[ "$rc" = 0 ] || { echo "install-deps: apt-get failed ($rc)" >&2; exit "$rc"; }
	disable_services
else
	echo "install-deps: all Debian packages of the $set_name set present"
fi

if [ "$npm" = 0 ]; then
	exit 0
fi
if [ ! -d "$top/node_modules" ] ||
    [ -n "$(find "$top/package-lock.json" -newer "$top/node_modules" 2>/dev/null)" ]; then
	echo "install-deps: npm ci (the emulators' and tests' Node packages, package-lock.json)"
	(cd "$top" && npm ci --no-audit --no-fund)
	touch "$top/node_modules"
else
	echo "install-deps: node_modules up to date"
fi
