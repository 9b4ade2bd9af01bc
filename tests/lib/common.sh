# tests/lib/common.sh: what every shell test sources first (bash only).
#
#	. "${top_srcdir:-.}/tests/lib/common.sh"
#
# Gives: TAP helpers (tests/lib/tap.sh), paths ($top_srcdir, $top_builddir,
# $OSSIGN, $NODE), a private temporary directory ($T, from t_tmpdir), free
# ports, background processes started in their own session and stopped by
# pid when the script exits (normally, on failure, or on Ctrl-C), and waits
# for a port, a socket, an HTTP answer or a line in a log.
#
# Nothing here prints a secret: helpers that handle credentials keep them in
# shell variables and in files under $T with mode 0600, never in argv.

# shellcheck disable=SC2034	# variables are for the sourcing test

_lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$_lib_dir/tap.sh"

: "${top_srcdir:=$(cd "$_lib_dir/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${OSSIGN:=$top_builddir/src/ossign}"
: "${NODE:=$(command -v node || true)}"
export top_srcdir top_builddir OSSIGN NODE

_PIDS=()		# every background pid, in start order
T=			# the test's temporary directory, if any

# ---- temporary directory -------------------------------------------------

# t_tmpdir: create $T (removed at exit unless TEST_KEEP=1).  Mode 0755 so that
# servers that drop privileges (Apache's children, CGI programs) can reach
# the files the test makes world-readable in it.
t_tmpdir() {
	[ -n "$T" ] && return 0
	T=$(mktemp -d "${TMPDIR:-/tmp}/ossign-test.XXXXXX") || bail_out "mktemp failed"
	chmod 755 "$T"
}

# ---- ports ---------------------------------------------------------------

# free_port: print a TCP port that is free on 127.0.0.1 right now.
free_port() {
	if command -v python3 >/dev/null 2>&1; then
		python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
		return
	fi
	# Fallback: a random high port that ss does not show as listening.
	local p used
	used=$(ss -Htln 2>/dev/null | awk '{print $4}')
	while :; do
		p=$((20000 + RANDOM % 40000))
		grep -q ":$p\$" <<<"$used" || { echo "$p"; return; }
	done
}

# ---- background processes ------------------------------------------------

# bg_start LOG COMMAND...: run COMMAND in the background in a session of its
# own (setsid, so the pid is also the process group id and every child it
# forks can be stopped with it), stdin from /dev/null, stdout and stderr to
# LOG.  Sets BG_PID and records it for stop_all.
# COMMAND may be a shell function: it runs in a subshell, may export what
# only that process should see (credentials), and must end with
# "bg_exec PROGRAM ARGS..." so that the pid stays the program's.
bg_start() {
	local log=$1
	shift
	if declare -F "$1" >/dev/null; then
		("$@") >"$log" 2>&1 </dev/null &
	else
		setsid "$@" >"$log" 2>&1 </dev/null &
	fi
	BG_PID=$!
	_PIDS+=("$BG_PID")
}

# bg_exec PROGRAM ARGS...: the end of a function run by bg_start.
bg_exec() {
	exec setsid "$@"
}

# fcgi_spawn SOCK PROGRAM ARGS...: the end of a function run by bg_start:
# spawn-fcgi serving SOCK (mode 0600) with PROGRAM under $OSSIGN_WRAP when
# it is set (spawn-fcgi does not search PATH: the wrapper's path is
# resolved here).
fcgi_spawn() {
	local sock=$1 wrap=()
	shift
	read -ra wrap <<<"${OSSIGN_WRAP:-}"
	[ ${#wrap[@]} -gt 0 ] && wrap[0]=$(command -v "${wrap[0]}")
	bg_exec spawn-fcgi -n -s "$sock" -M 0600 -- "${wrap[@]}" "$@"
}

# alive PID: true while PID runs (a zombie does not count).
alive() {
	local line st
	read -r line 2>/dev/null <"/proc/$1/stat" || return 1
	st=${line##*) }
	st=${st%% *}
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# group_alive PGID: true while any live process belongs to that group.
group_alive() {
	local d line st ppid pgrp
	for d in /proc/[0-9]*; do
		read -r line 2>/dev/null <"$d/stat" || continue
		read -r st ppid pgrp _ <<<"${line##*) }"
		[ "$pgrp" = "$1" ] && [ "$st" != Z ] && [ "$st" != X ] && return 0
	done
	return 1
}

# stop_pid PID [SECONDS]: SIGTERM to PID, wait up to SECONDS (default 5) for
# it to exit, then SIGTERM to what is left of its process group, then
# SIGKILL to the group.  Reaps PID.  Always by id, never by name.
stop_pid() {
	local pid=$1 secs=${2:-5} i
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < secs * 10; i++)); do
		alive "$pid" || break
		sleep 0.1
	done
	if group_alive "$pid"; then
		kill -TERM -- "-$pid" 2>/dev/null
		for ((i = 0; i < 20; i++)); do
			group_alive "$pid" || break
			sleep 0.1
		done
		group_alive "$pid" && kill -KILL -- "-$pid" 2>/dev/null
	fi
	alive "$pid" && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# stop_all: stop every process bg_start started, newest first.
stop_all() {
	local i
	for ((i = ${#_PIDS[@]} - 1; i >= 0; i--)); do
		stop_pid "${_PIDS[i]}"
	done
	_PIDS=()
}

# forget_pid PID: after stopping it by hand with stop_pid.
forget_pid() {
	local p keep=()
	for p in "${_PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	_PIDS=("${keep[@]}")
}

# children PID: the pids whose parent is PID, sorted, on one line.
children() {
	local d line ppid
	for d in /proc/[0-9]*; do
		read -r line 2>/dev/null <"$d/stat" || continue
		read -r _ ppid _ <<<"${line##*) }"
		[ "$ppid" = "$1" ] && echo "${d#/proc/}"
	done | sort -n | tr '\n' ' '
}

# pids_running EXE: pids of processes whose executable is EXE (a per-test
# copy of a binary, so that parallel tests never see each other's).
pids_running() {
	local d exe
	for d in /proc/[0-9]*; do
		exe=$(readlink "$d/exe" 2>/dev/null) || continue
		[ "$exe" = "$1" ] && alive "${d#/proc/}" && echo "${d#/proc/}"
	done
}

# ---- waiting -------------------------------------------------------------

# wait_pids_count EXE N [SECONDS]: until exactly N processes run EXE; prints
# the last count seen.
wait_pids_count() {
	local exe=$1 want=$2 secs=${3:-10} i n
	for ((i = 0; i < secs * 10; i++)); do
		n=$(pids_running "$exe" | wc -l)
		[ "$n" = "$want" ] && break
		sleep 0.1
	done
	echo "$n"
	[ "$n" = "$want" ]
}

# wait_children PID N [SECONDS]: until PID has at least N children (a
# FastCGI master its workers); true when it has.
wait_children() {
	local i
	for ((i = 0; i < ${3:-10} * 10; i++)); do
		[ "$(children "$1" | wc -w)" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# wait_port PORT [SECONDS] [PID]: until something accepts on 127.0.0.1:PORT.
# Fails early if PID (the server) dies.
wait_port() {
	local port=$1 secs=${2:-10} pid=${3:-} i
	for ((i = 0; i < secs * 20; i++)); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			return 0
		fi
		[ -n "$pid" ] && ! alive "$pid" && return 1
		sleep 0.05
	done
	return 1
}

# wait_sock PATH [SECONDS] [PID]: until PATH is a socket.
wait_sock() {
	local path=$1 secs=${2:-10} pid=${3:-} i
	for ((i = 0; i < secs * 20; i++)); do
		[ -S "$path" ] && return 0
		[ -n "$pid" ] && ! alive "$pid" && return 1
		sleep 0.05
	done
	return 1
}

# wait_line FILE ERE [SECONDS] [PID]: until a line of FILE matches ERE;
# prints that line.
wait_line() {
	local file=$1 re=$2 secs=${3:-10} pid=${4:-} i line
	for ((i = 0; i < secs * 20; i++)); do
		if [ -r "$file" ] && line=$(grep -E -m1 -- "$re" "$file"); then
			printf '%s\n' "$line"
			return 0
		fi
		[ -n "$pid" ] && ! alive "$pid" && return 1
		sleep 0.05
	done
	return 1
}

# wait_http URL [SECONDS] [PID]: until URL answers with any HTTP status.
wait_http() {
	local url=$1 secs=${2:-10} pid=${3:-} i code
	for ((i = 0; i < secs * 10; i++)); do
		code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url" 2>/dev/null)
		[ -n "$code" ] && [ "$code" != 000 ] && return 0
		[ -n "$pid" ] && ! alive "$pid" && return 1
		sleep 0.1
	done
	return 1
}

# need CMD...: skip the whole test unless every CMD is on PATH.
need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip_all "$c not installed"
	done
}

# need_ossign: skip unless the program is built.
need_ossign() {
	[ -x "$OSSIGN" ] || skip_all "ossign not built ($OSSIGN)"
}

# ---- artifacts and secrets (read by tests/zz-secrets-scan.sh) -------------

# t_name: the test's name ("bad-input" for tests/bad-input.sh).
t_name() {
	local n=${0##*/}
	echo "${n%.*}"
}

# t_artifacts: create $top_builddir/tests/artifacts/NAME/ afresh (NAME: the
# test's) and set ART to it.  Keep there the logs and answers of the
# programs the test ran: $T goes at exit, and the secrets scan, which runs
# last, reads tests/*.log and everything under tests/artifacts/.
t_artifacts() {
	ART=$top_builddir/tests/artifacts/$(t_name)
	rm -rf "$ART"
	mkdir -p "$ART" || bail_out "cannot create $ART"
}

# t_secret VALUE [token]: tell the secrets scan about a secret made up at
# run time (fixed ones go in tests/data/test-secrets.txt).  "token" marks a
# security token, which answers carry by design: it is looked for in *.log
# files only.  Kept mode 0600 in $top_builddir/tests/secrets.d/NAME.txt,
# which the scan reads and never scans.
t_secret() {
	local d=$top_builddir/tests/secrets.d
	[ -n "$1" ] || return 0
	(umask 077 && mkdir -p "$d" &&
	    printf '%s%s\n' "${2:+token:}" "$1" >>"$d/$(t_name).txt") ||
	    bail_out "cannot write to $d"
}

# ---- exit ----------------------------------------------------------------

_common_exit() {
	local rc=$? trc
	trap - EXIT
	stop_all
	# A library's last word once every process stopped (logs complete),
	# before $T goes: e.g. e2e.sh keeps server logs as artifacts.
	declare -F t_exit_hook >/dev/null && t_exit_hook
	if [ -n "$T" ] && [ -d "$T" ]; then
		if [ "${TEST_KEEP:-0}" = 1 ]; then
			diag "kept $T"
		else
			rm -rf "$T"
		fi
	fi
	tap_done
	trc=$?
	case $_tap_planned in
	[0-9]*) exit "$trc" ;;
	esac
	exit "$rc"
}
trap _common_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
