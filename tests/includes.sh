#!/bin/bash
# The include graph of src/: no module depends on itself through others
# (module X uses module Y when X.c or X.h includes Y.h), the credential
# value type (creds.h) includes none of ossign's
# headers, the cache knows nothing of the sources or the protocols, and
# libcurl's header is included by src/http.c alone.
. "${top_srcdir:-.}/tests/lib/common.sh"
plan 5

cd "$top_srcdir/src" || bail_out "no src/"
# includes FILE: the ossign headers FILE includes, one a line.
includes() {
	sed -n 's/^#include "\([a-z_]*\.h\)".*/\1/p' "$1" | grep -v '^config\.h$'
}

# Every "module -> module it uses" edge; tsort fails on a loop.
edges=$(for f in *.c *.h; do
	m=${f%.*}
	printf '%s %s\n' "$m" "$m"
	for i in $(includes "$f"); do
		[ "${i%.h}" = "$m" ] || printf '%s %s\n' "$m" "${i%.h}"
	done
done)
out=$(printf '%s\n' "$edges" | tsort 2>&1 >/dev/null)
is "$out" "" "no cycle among the $(ls *.h | wc -l) modules"

is "$(includes creds.h | tr '\n' ' ')" "" "creds.h (the credential value) is a leaf"

bad=$(for f in cache.h cache.c; do
	includes "$f" | grep -E '^(creds_source|creds_origin|sts|http)\.h$' |
	    sed "s/^/$f: /"
done)
is "$bad" "" "the cache includes neither the sources nor the protocols"

is "$(grep -l 'include <curl/' *.c *.h | tr '\n' ' ')" "http.c " \
    "only http.c includes libcurl's header"

# Every header is self-contained: it compiles on its own.
cc=${CC:-cc}
bad=
for h in *.h; do
	# A generated table is a fragment of the one .c that includes it.
	case $h in *_tab.h) continue ;; esac
	printf '#include "config.h"\n#include "%s"\n' "$h" |
	    $cc -fsyntax-only -I. -I"${top_builddir:-..}" $(pkg-config --cflags json-c 2>/dev/null) \
	    -x c - 2>/dev/null || bad="$bad $h"
done
is "$bad" "" "every header compiles on its own"
