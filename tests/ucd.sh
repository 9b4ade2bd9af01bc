#!/bin/bash
# src/ucd_tab.h is what tools/ucd-gen.py makes of the Unicode data on this
# machine (Debian's unicode-data), when that data is the version the table
# names: nobody edited the generated file by hand, and the generator still
# writes it byte for byte.  Skips when unicode-data is absent or another
# version (the build never needs it).
. "${top_srcdir:-.}/tests/lib/common.sh"
need python3
ucd=${OSSIGN_UCD_DIR:-/usr/share/unicode}
[ -r "$ucd/DerivedCoreProperties.txt" ] && [ -r "$ucd/UnicodeData.txt" ] &&
    [ -r "$ucd/PropList.txt" ] || skip_all "no Unicode data in $ucd (apt-get install unicode-data)"
tab=$top_srcdir/src/ucd_tab.h
want=$(sed -n 's/^#define UCD_VERSION[[:space:]]*"\(.*\)"$/\1/p' "$tab")
have=$(sed -n '1s/^# DerivedCoreProperties-\(.*\)\.txt$/\1/p' "$ucd/DerivedCoreProperties.txt")
[ -n "$want" ] && [ "$want" = "$have" ] ||
    skip_all "src/ucd_tab.h is Unicode ${want:-?}, $ucd holds ${have:-?}"
t_tmpdir
plan 2
python3 "$top_srcdir/tools/ucd-gen.py" "$ucd" >"$T/ucd_tab.h" 2>"$T/gen.err"
ok $? "tools/ucd-gen.py runs on Unicode $have" || diag_file "$T/gen.err"
cmp -s "$T/ucd_tab.h" "$tab"
ok $? "src/ucd_tab.h is its output, byte for byte" ||
    diag "$(diff "$tab" "$T/ucd_tab.h" | head -n 20)"
