#!/bin/bash
# tests/jwt.sh: JSON Web Tokens minted by the npm "jose" library
# (tests/lib/jwt-mint.js: fresh keys, every algorithm and key form, and each
# refusal of src/jwt.h, tampered by hand where jose will not make the token)
# verified by src/jwt.c through tests/t_jwt DIR, each against its expected
# outcome.  Skips without node or node_modules/jose.
. "${top_srcdir:-.}/tests/lib/common.sh"

[ -n "$NODE" ] || skip_all "node not installed"
[ -r "$top_srcdir/node_modules/jose/package.json" ] ||
    skip_all "node_modules/jose missing (npm ci at the top of the tree)"
t_jwt=$top_builddir/tests/t_jwt
[ -x "$t_jwt" ] || skip_all "tests/t_jwt not built"

t_tmpdir
t_artifacts
if ! "$NODE" "$top_srcdir/tests/lib/jwt-mint.js" "$T/jwt" >"$ART/mint.log" 2>&1; then
	plan 1
	ok 1 "jwt-mint.js minted the tokens"
	diag_file "$ART/mint.log"
	exit
fi
t_secret "$(cat "$T/jwt/hs.b64u")"
# t_jwt prints the TAP (a plan from cases.json, one point per key load and
# per token); OSSIGN_WRAP runs it under valgrind for make check-valgrind.
# Not exec: the exit trap removes $T.
# shellcheck disable=SC2086
$OSSIGN_WRAP "$t_jwt" "$T/jwt"
exit $?
