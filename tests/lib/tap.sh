# tests/lib/tap.sh: TAP output for shell tests (bash).  Source it, call
# plan N first, then ok/is/like/... once per test point.
#
#	plan 3
#	ok $? "ossign -t accepts the example config"
#	is "$status" 200 "signature request answers 200"
#	like "$body" '"code":"too_large"' "oversized file refused"
#
# Every assertion prints exactly one "ok N"/"not ok N" line, so a fixed plan
# catches a test that dies half way.  diag writes "# ..." to stderr (shown by
# the harness, kept out of $(...) captures); note writes it to stdout.
# At exit the script's status is the number of failed points (capped), as in
# Perl's Test::More, and a plan/count mismatch is reported.
#
# Skipping a whole test: skip_all "reason" prints "1..0 # SKIP reason" and
# exits with $TAP_SKIP_STATUS, 0 by default.  automake's tap-driver.sh reports
# "1..0 # SKIP" as SKIP but turns any non-zero exit status, 77 included, into
# an ERROR; set TAP_SKIP_STATUS=77 for a runner that wants the automake
# simple-driver convention instead.

_tap_planned=
_tap_n=0
_tap_failed=0

plan() {
	_tap_planned=$1
	printf '1..%d\n' "$1"
}

diag() {
	local line
	# One "# " per line, whatever the input.
	printf '%s\n' "$*" | while IFS= read -r line; do
		printf '# %s\n' "$line"
	done >&2
}

note() {
	local line
	printf '%s\n' "$*" | while IFS= read -r line; do
		printf '# %s\n' "$line"
	done
}

# diag_file FILE [LINES]: the tail of a log file as diagnostics.
diag_file() {
	[ -r "$1" ] || { diag "($1: missing)"; return 0; }
	diag "--- ${1##*/} (last ${2:-20} lines)"
	diag "$(tail -n "${2:-20}" "$1")"
}

# ok STATUS DESCRIPTION: passes when STATUS is 0 (use "ok $? ...").
# Returns STATUS so that "ok $? x || diag ..." works.
ok() {
	local rc=$1
	shift
	_tap_n=$((_tap_n + 1))
	if [ "$rc" = 0 ]; then
		printf 'ok %d - %s\n' "$_tap_n" "$*"
		return 0
	fi
	_tap_failed=$((_tap_failed + 1))
	printf 'not ok %d - %s\n' "$_tap_n" "$*"
	return 1
}

# run_ok DESCRIPTION COMMAND...: passes when COMMAND exits 0.
run_ok() {
	local desc=$1 rc
	shift
	"$@"
	rc=$?
	ok "$rc" "$desc" || diag "command exited $rc: $*"
}

# is GOT EXPECTED DESCRIPTION
is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diag "     got: '$1'"
		diag "expected: '$2'"
		return 1
	fi
}

# isnt GOT UNEXPECTED DESCRIPTION
isnt() {
	if [ "$1" != "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diag "got '$1', which it should not be"
		return 1
	fi
}

# like GOT ERE DESCRIPTION (bash extended regular expression, unanchored)
like() {
	if [[ $1 =~ $2 ]]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diag "     got: '$1'"
		diag "expected to match: $2"
		return 1
	fi
}

# unlike GOT ERE DESCRIPTION
unlike() {
	if [[ $1 =~ $2 ]]; then
		ok 1 "$3"
		diag "     got: '$1'"
		diag "expected not to match: $2"
		return 1
	fi
	ok 0 "$3"
}

# skip COUNT REASON: COUNT points that could not run.
skip() {
	local i
	for ((i = 0; i < $1; i++)); do
		_tap_n=$((_tap_n + 1))
		printf 'ok %d # SKIP %s\n' "$_tap_n" "$2"
	done
}

# skip_all REASON: before plan; the whole test is skipped.
skip_all() {
	printf '1..0 # SKIP %s\n' "$*"
	_tap_planned=skip
	exit "${TAP_SKIP_STATUS:-0}"
}

# bail_out REASON: stop everything (the harness stops the whole run).
bail_out() {
	printf 'Bail out! %s\n' "$*"
	_tap_planned=bail
	exit 255
}

# tap_done: called from the EXIT trap in tests/lib/common.sh (or by hand);
# prints the summary and gives the exit status.
tap_done() {
	case $_tap_planned in
	skip|bail)
		return 0 ;;
	'')
		if [ "$_tap_n" -gt 0 ]; then
			printf '1..%d\n' "$_tap_n"
			diag "no plan was declared"
			return 255
		fi
		return 0 ;;
	esac
	if [ "$_tap_n" -ne "$_tap_planned" ]; then
		diag "planned $_tap_planned tests but ran $_tap_n"
		return 255
	fi
	if [ "$_tap_failed" -gt 0 ]; then
		diag "failed $_tap_failed of $_tap_n tests"
		[ "$_tap_failed" -gt 254 ] && return 254
		return "$_tap_failed"
	fi
	return 0
}
