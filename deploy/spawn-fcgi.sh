#!/bin/sh
# deploy/spawn-fcgi.sh: run ossign as a FastCGI server on a Unix socket with
# spawn-fcgi, in the foreground (for a supervisor: runit, daemontools, a
# terminal, the tests).  Where systemd is available, prefer the socket-
# activated units in deploy/systemd/.
#
#	[VAR=value ...] deploy/spawn-fcgi.sh
#
# Environment (defaults in brackets):
#   OSSIGN          the program                     [/usr/local/bin/ossign]
#   OSSIGN_CONFIG   its configuration file          [/etc/ossign/ossign.conf]
#   OSSIGN_SOCKET   the socket the web server uses  [/run/ossign/ossign.sock]
#   OSSIGN_WORKERS  worker processes                [2]
#   OSSIGN_USER     user ossign runs as, when started as root  [ossign]
#   OSSIGN_GROUP    its group                       [OSSIGN_USER's group]
#   OSSIGN_SOCKET_OWNER  the web server's user; owns the socket [www-data]
#   OSSIGN_SOCKET_MODE   the socket's mode          [0660]
#   OSSIGN_CACHE_DIR     cache_dir of ossign.conf; created 0700 for
#                        OSSIGN_USER when started as root [/run/ossign/cache]
# Set OSSIGN_USER= (empty) to keep the current user (tests, non-root).
#
# Why a user of its own: ossign holds the AccessKey (access_key_file, or the
# environment) and writes the credential cache that every ossign process
# trusts.  Under a shared user such as "nobody" or "www-data", every other
# service running as that user could read the key (/proc/PID/environ, the
# key file) and plant cache files that ossign would then sign with.  So the
# default is a dedicated system user "ossign" (the Debian package creates
# the same one), with no login and no home; create it once:
#   adduser --system --group --no-create-home ossign
# or, without adduser:
#   useradd --system --user-group --no-create-home --shell /usr/sbin/nologin ossign
# and give it the key file: chown ossign: /etc/ossign/access_key; chmod 600.
#
# With credentials = env in ossign.conf, export ALIBABA_CLOUD_ACCESS_KEY_ID
# and ALIBABA_CLOUD_ACCESS_KEY_SECRET before running this: spawn-fcgi passes
# the environment on.  Never put them on a command line (ps shows argv).
#
# The equivalent command, spelled out:
#   spawn-fcgi -n -s /run/ossign/ossign.sock -M 0660 -U www-data -G www-data \
#       -u ossign -g ossign -- /usr/local/bin/ossign -n 2
set -eu

OSSIGN=${OSSIGN:-/usr/local/bin/ossign}
OSSIGN_CONFIG=${OSSIGN_CONFIG:-/etc/ossign/ossign.conf}
OSSIGN_SOCKET=${OSSIGN_SOCKET:-/run/ossign/ossign.sock}
OSSIGN_WORKERS=${OSSIGN_WORKERS:-2}
OSSIGN_USER=${OSSIGN_USER-ossign}
OSSIGN_GROUP=${OSSIGN_GROUP-}
OSSIGN_SOCKET_OWNER=${OSSIGN_SOCKET_OWNER-www-data}
OSSIGN_SOCKET_MODE=${OSSIGN_SOCKET_MODE:-0660}
OSSIGN_CACHE_DIR=${OSSIGN_CACHE_DIR:-/run/ossign/cache}
export OSSIGN_CONFIG

# Check the configuration first: a mistake is reported here, with its line,
# rather than by every worker.  (-t does not print secrets.)
"$OSSIGN" -t >&2

# The socket's directory must exist.  A socket file left by a previous run
# is no problem: spawn-fcgi replaces it when nothing listens on it (and
# refuses to start when something does).
mkdir -p "$(dirname "$OSSIGN_SOCKET")"

set -- -n -s "$OSSIGN_SOCKET" -M "$OSSIGN_SOCKET_MODE"
if [ "$(id -u)" = 0 ]; then
	# spawn-fcgi binds the socket as root, chowns it to the web
	# server's user (so nginx/Apache can connect and no one else can),
	# then drops to OSSIGN_USER before running ossign.
	if [ -n "$OSSIGN_SOCKET_OWNER" ]; then
		set -- "$@" -U "$OSSIGN_SOCKET_OWNER" -G "$(id -gn "$OSSIGN_SOCKET_OWNER")"
	fi
	if [ -n "$OSSIGN_USER" ]; then
		if ! id "$OSSIGN_USER" >/dev/null 2>&1; then
			echo "spawn-fcgi.sh: no user $OSSIGN_USER; create it with" \
			    "\"adduser --system --group --no-create-home" \
			    "$OSSIGN_USER\" (see the top of this file)" >&2
			exit 1
		fi
		# The credential cache must belong to the user ossign runs
		# as, or ossign refuses it and asks STS once per worker.
		mkdir -p "$OSSIGN_CACHE_DIR"
		chown "$OSSIGN_USER" "$OSSIGN_CACHE_DIR"
		chmod 0700 "$OSSIGN_CACHE_DIR"
		set -- "$@" -u "$OSSIGN_USER"
		[ -n "$OSSIGN_GROUP" ] && set -- "$@" -g "$OSSIGN_GROUP"
	fi
fi

# -n: no fork; spawn-fcgi binds, then becomes ossign (same pid), so a
# supervisor or "kill PID" reaches the ossign master, which stops its
# workers.  One listening socket is inherited on fd 0; "ossign -n N" forks N
# workers that all accept on it (each serves one connection at a time).
exec spawn-fcgi "$@" -- "$OSSIGN" -n "$OSSIGN_WORKERS"
