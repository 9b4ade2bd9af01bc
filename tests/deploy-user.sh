#!/bin/bash
# Issue 9 defect 12: ossign runs under a user of its own, never a shared
# one.  deploy/spawn-fcgi.sh, started as root, hands spawn-fcgi "-u ossign"
# by default (it used to be "nobody"), refuses to start when that user is
# missing and says how to create it, and keeps the current user with
# OSSIGN_USER= (as the tests run it).  spawn-fcgi, id and chown are stubs
# on PATH that record what they were asked: nothing is installed, started
# or changed on the machine.  The Apache CGI config warns and shows suexec
# with the same user.
. "${top_srcdir:-.}/tests/lib/common.sh"
t_tmpdir
plan 8

stubs=$T/bin
mkdir -p "$stubs"
# id: root for "id -u"; the users listed in $T/users exist.
cat >"$stubs/id" <<STUB
#!/bin/sh
case \$1 in
-u) echo 0 ;;
-gn) echo www-data ;;
*) grep -qx "\$1" "$T/users" ;;
esac
STUB
printf '#!/bin/sh\necho "chown $*" >>"%s/calls"\n' "$T" >"$stubs/chown"
printf '#!/bin/sh\necho "spawn-fcgi $*" >>"%s/calls"\n' "$T" >"$stubs/spawn-fcgi"
printf '#!/bin/sh\necho "configuration OK"\n' >"$stubs/ossign"
chmod 755 "$stubs"/*

# run [VAR=VALUE...]: deploy/spawn-fcgi.sh with the stubs; RC, $T/calls.
run() {
	: >"$T/calls"
	env -i PATH="$stubs:/usr/bin:/bin" OSSIGN="$stubs/ossign" \
	    OSSIGN_SOCKET="$T/run/ossign.sock" OSSIGN_CACHE_DIR="$T/run/cache" \
	    "$@" sh "$top_srcdir/deploy/spawn-fcgi.sh" >"$T/out" 2>&1
	RC=$?
}

echo ossign >"$T/users"
run
is "$RC/$(grep -c '^spawn-fcgi ' "$T/calls")" 0/1 "as root, with the user there: spawn-fcgi runs" ||
    diag_file "$T/out"
like "$(grep '^spawn-fcgi ' "$T/calls")" ' -u ossign( |$)' "it drops to the user ossign by default" ||
    diag_file "$T/calls"
like "$(grep '^chown ' "$T/calls")" "^chown ossign $T/run/cache\$" \
    "the cache directory is given to ossign"

: >"$T/users"
run
is "$RC/$(grep -c '^spawn-fcgi ' "$T/calls")" 1/0 "no user ossign: it refuses to start"
like "$(cat "$T/out")" 'no user ossign; create it with "adduser --system --group --no-create-home ossign"' \
    "and says how to create it"

run OSSIGN_USER=
unlike "$(grep '^spawn-fcgi ' "$T/calls")" ' -u ' "OSSIGN_USER= keeps the current user (the tests)"

cgi=$top_srcdir/deploy/apache/ossign-cgi.conf
grep -q '^# WARNING: .*runs as Apache.s own user (www-data)' "$cgi"
ok $? "ossign-cgi.conf warns that plain CGI runs as www-data"
grep -q '^#[[:space:]]*SuexecUserGroup ossign ossign$' "$cgi" &&
    grep -q 'adduser --system --group --no-create-home ossign' "$cgi"
ok $? "and shows suexec with the user ossign, and how to create it"
