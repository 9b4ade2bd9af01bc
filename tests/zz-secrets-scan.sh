#!/bin/bash
# The secrets scan, run after every other test (Makefile.am makes its log
# depend on all the others).  Each secret the tests use, from
# tests/data/test-secrets.txt and from $top_builddir/tests/secrets.d/*.txt
# (registered at run time with t_secret), is looked for in every log the
# suite left ($top_builddir/tests/**/*.log) and in every file under
# $top_builddir/tests/artifacts/ (what tests kept: program logs, answers).
# One point per secret.  Security tokens ("token:" lines) are looked for in
# *.log files only: answers carry them by design.
#
# A secret is found in its plain form and as JSON, a URL or a JSON with
# escaped slashes would spell it.  Nothing here prints a secret: a secret
# is named by where it was listed, its length and a hash prefix.
. "${top_srcdir:-.}/tests/lib/common.sh"
need python3

list=$top_srcdir/tests/data/test-secrets.txt
[ -r "$list" ] || bail_out "$list is missing"

# scan.py prints one line per secret: "0|1<TAB>label<TAB>files found in".
t_tmpdir
cat >"$T/scan.py" <<'PY'
import glob, hashlib, json, os, sys, urllib.parse

top, lists = sys.argv[1], sys.argv[2:]
tests = os.path.join(top, 'tests')
me = os.path.join(tests, 'zz-secrets-scan.log')

secrets = []	# (label, value, is_token)
for path in lists:
    try:
        lines = open(path, encoding='utf-8', errors='surrogateescape').read().splitlines()
    except OSError:
        continue
    name = ('tests/' + path.rsplit('/tests/', 1)[1] if '/tests/' in path
            else os.path.basename(path))
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.startswith('#'):
            continue
        token = line.startswith('token:')
        value = line[6:] if token else line
        if len(value) < 8:
            print('1\t%s:%d: a secret of %d bytes is too short to look for\t'
                  % (name, n, len(value)))
            continue
        secrets.append(('%s:%d' % (name, n), value, token))

# Files: every *.log under tests/ but this test's own, and all artifacts.
files = set()
for root, dirs, names in os.walk(tests):
    if os.path.realpath(root).startswith(os.path.realpath(os.path.join(tests, 'secrets.d'))):
        continue
    for f in names:
        p = os.path.join(root, f)
        if p == me or os.path.islink(p) or not os.path.isfile(p):
            continue
        if f.endswith('.log') or p.startswith(os.path.join(tests, 'artifacts') + os.sep):
            files.add(p)
data = {}
for p in sorted(files):
    try:
        data[p] = open(p, 'rb').read()
    except OSError:
        pass
print('#\t%d files, %d of them logs\t' %
      (len(data), sum(1 for p in data if p.endswith('.log'))))

for label, value, token in secrets:
    forms = {value, json.dumps(value)[1:-1], value.replace('/', '\\/'),
             urllib.parse.quote(value, safe=''), urllib.parse.quote_plus(value)}
    forms = [f.encode('utf-8', 'surrogateescape') for f in forms]
    found = [os.path.relpath(p, top) for p, d in data.items()
             if (not token or p.endswith('.log')) and any(f in d for f in forms)]
    what = '%s%s (%d bytes, sha256 %s)' % (
        'token ' if token else 'secret ', label, len(value),
        hashlib.sha256(value.encode('utf-8', 'surrogateescape')).hexdigest()[:12])
    print('%d\t%s\t%s' % (1 if found else 0, what, ' '.join(sorted(found))))
PY

lists=("$list")
for f in "$top_builddir"/tests/secrets.d/*.txt; do
	[ -r "$f" ] && lists+=("$f")
done
python3 "$T/scan.py" "$top_builddir" "${lists[@]}" >"$T/result" ||
    bail_out "the scanner failed"

n=$(grep -vc '^#' "$T/result")
plan "$n"
while IFS=$'\t' read -r rc what where; do
	if [ "$rc" = '#' ]; then
		diag "scanned $what"
		continue
	fi
	ok "$rc" "$what appears in no log or artifact" ||
	    diag "found in: $where"
done <"$T/result"
