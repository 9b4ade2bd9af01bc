#!/bin/sh
# tests/lib/install-deps.sh: install what building, testing and the
# quickstart need on Debian 12 (bookworm), then the Node packages of the
# tests (npm ci).  Shared by deploy/quickstart and the test runner (.ci/run).
#
#	tests/lib/install-deps.sh [--no-npm]
#
# Fast when there is nothing to do: apt-get runs only if a package is
# missing, npm ci only if node_modules is missing or older than
# package-lock.json.  Needs root for apt-get (uses sudo when not root).
# Environment: OSSIGN_NO_APT=1 skips apt entirely (the check still reports
# what is missing).
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)

# Every Debian package, one reason each:
PACKAGES="
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
spawn-fcgi
libfcgi-bin
nginx-light
lighttpd
apache2
libapache2-mod-fcgid
apache2-utils
chromium
nodejs:node
npm:npm
openssl
curl
valgrind
clang
libclang-rt-14-dev
wrk
python3
prometheus
unicode-data
"
# build-essential autoconf automake libtool pkg-config: the build
# libfcgi-dev libjson-c-dev libcurl4-openssl-dev libssl-dev: the program
# libexpat1-dev: the program, OSS's XML answers to the multipart API (ossxml)
# spawn-fcgi nginx-light lighttpd apache2 libapache2-mod-fcgid: deploy tests
# libfcgi-bin: cgi-fcgi, a FastCGI client for tests/bad-input.sh
# apache2-utils: htpasswd for the authentication tests
# chromium: browser tests (playwright-core drives the system chromium)
# nodejs npm: emulators, Node tests.  "package:command": the command on PATH
#   is enough (a NodeSource nodejs ships npm and conflicts with Debian's npm)
# openssl curl python3: test helpers; valgrind: make check-valgrind
# clang libclang-rt-14-dev: fuzzers and sanitizers; wrk: benchmarks
# prometheus: promtool checks the /metrics text (tests/metrics-promtool.sh;
#   issue 11, a test package, not for the quickstart)
# unicode-data: tests/ucd.sh regenerates src/ucd_tab.h from it and compares
#   (tests only: the build uses the committed table)

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

if [ -n "$missing" ]; then
	echo "install-deps: missing:$missing"
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
else
	echo "install-deps: all Debian packages present"
fi

if [ "${1:-}" = --no-npm ]; then
	exit 0
fi
if [ ! -d "$top/node_modules" ] ||
    [ -n "$(find "$top/package-lock.json" -newer "$top/node_modules" 2>/dev/null)" ]; then
	echo "install-deps: npm ci"
	(cd "$top" && npm ci --no-audit --no-fund)
	touch "$top/node_modules"
else
	echo "install-deps: node_modules up to date"
fi
