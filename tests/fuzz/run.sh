#!/bin/bash
# tests/fuzz/run.sh: build the libFuzzer targets and run each for a bounded
# time on a copy of its committed seed corpus.  TAP, one point per target:
# ok when the fuzzer ran its time out with no crash, leak, hang, broken
# invariant or sanitizer report.
#
#	tests/fuzz/run.sh [TARGET...]      (query keyname conf sts_json cache
#	                                    jwt batch rawreq cbbody ossxml request)
#
# Environment:
#	FUZZ_SECONDS=20      how long each target runs (-max_total_time)
#	FUZZ_BUILDDIR=DIR    the build directory (default: build-fuzz/ at the
#	                     top of the source tree), configured here when it
#	                     is not yet, out of tree:
#	                         ../configure --enable-fuzzing CC=clang
#	FUZZ_JOBS=N          targets run at the same time (default: CPUs)
#
# Everything the fuzzers make stays in the build directory, under
# tests/fuzz/run/: the growing corpora in work/NAME/, logs in NAME.log, and
# any crashing input in crash/NAME-*.  Replay a crash without
# libFuzzer with "tests/fuzz/replay NAME FILE" from any build, or run
# "tests/fuzz/fuzz_NAME FILE" from the fuzzing build.  When a crash is fixed,
# copy its input into tests/fuzz/corpus/NAME/ so `make check` keeps it.
. "$(cd "$(dirname "$0")/../lib" && pwd)/common.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
all=(query keyname conf sts_json cache jwt batch rawreq cbbody ossxml request)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
secs=${FUZZ_SECONDS:-20}
bdir=${FUZZ_BUILDDIR:-$top/build-fuzz}
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}

for t in "${targets[@]}"; do
	[[ " ${all[*]} " == *" $t "* ]] || bail_out "no fuzz target $t (${all[*]})"
done
case $secs in
''|*[!0-9]*) bail_out "FUZZ_SECONDS must be a number of seconds" ;;
esac
plan ${#targets[@]}

# ---- build ---------------------------------------------------------------
command -v clang >/dev/null 2>&1 ||
    bail_out "clang is not installed (Debian: clang libclang-rt-14-dev)"
if [ ! -x "$top/configure" ]; then
	(cd "$top" && autoreconf -fi) >/dev/null 2>&1 ||
	    bail_out "autoreconf failed in $top"
fi
if [ ! -f "$bdir/config.status" ] ||
    ! grep -q -- '--enable-fuzzing' "$bdir/config.status"; then
	if [ -f "$top/config.status" ] && [ "$bdir" != "$top" ]; then
		bail_out "$top is configured in-tree, so it cannot be built out of" \
		    "tree: run 'make distclean' there, or set FUZZ_BUILDDIR to a" \
		    "fuzzing build of a clean copy"
	fi
	mkdir -p "$bdir" || bail_out "cannot create $bdir"
	(cd "$bdir" && "$top/configure" -q --enable-fuzzing CC=clang) \
	    >"$bdir/configure-fuzz.log" 2>&1 ||
	    bail_out "configure --enable-fuzzing CC=clang failed (see" \
	    "$bdir/configure-fuzz.log)"
fi
progs=()
for t in "${targets[@]}"; do
	progs+=("tests/fuzz/fuzz_$t")
done
make -C "$bdir" -s -j"$jobs" "${progs[@]}" >"$bdir/make-fuzz.log" 2>&1 ||
    bail_out "building the fuzzers failed (see $bdir/make-fuzz.log)"

# ---- run -----------------------------------------------------------------
out=$bdir/tests/fuzz/run
mkdir -p "$out/work" "$out/crash" "$out/tmp"

# fuzz_one NAME: run one target; its exit status is libFuzzer's.
fuzz_one() {
	local t=$1 work=$out/work/$1
	rm -rf "$work" "$out/tmp/$t"
	mkdir -p "$work" "$out/tmp/$t"
	cp -p "$top/tests/fuzz/corpus/$t/"* "$work/" || return 1
	rm -f "$out/crash/$t-"*
	TMPDIR=$out/tmp/$t \
	ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1${ASAN_OPTIONS:+:$ASAN_OPTIONS} \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    "$bdir/tests/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$out/crash/$t-" "$work" >"$out/$t.log" 2>&1
}

running=0
for t in "${targets[@]}"; do
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
	rm -f "$out/$t.rc"
	{ fuzz_one "$t"; echo $? >"$out/$t.rc"; } &
	running=$((running + 1))
done
wait

for t in "${targets[@]}"; do
	rc=$(cat "$out/$t.rc" 2>/dev/null || echo "?")
	log=$out/$t.log
	runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n1)
	crashes=$(ls "$out/crash/$t-"* 2>/dev/null)
	if [ "$rc" = 0 ] && [ -z "$crashes" ] && [ -n "$runs" ] &&
	    ! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|invariant broken' "$log"; then
		ok 0 "fuzz_$t: $runs runs in ${secs}s, no crash, leak or report"
	else
		ok 1 "fuzz_$t: exit $rc${runs:+ after $runs runs}"
		diag_file "$log" 40
		[ -n "$crashes" ] && diag "input: $crashes" \
		    "(reproduce: $bdir/tests/fuzz/fuzz_$t FILE)"
	fi
done
