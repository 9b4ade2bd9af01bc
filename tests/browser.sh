#!/bin/bash
# tests/browser.sh: the upload page in a real browser (Debian's Chromium,
# driven by npm playwright-core) against nginx + ossign + the OSS and STS
# emulators, all on 127.0.0.1 (tests/lib/stack.sh).
#
# tests/browser/upload.mjs does the clicking and prints one "ok ID"/"not ok
# ID" line per check; this script starts and stops the servers, holds the
# fixed plan (the IDs below, in order) and checks a few things from outside
# the browser: nginx's log, the bucket's contents, no browser left running.
# Screenshots: $top_builddir/tests/artifacts/browser/*.png.
#
# The expired-signature case: a second OSS emulator on the same state
# directory runs with its clock OSS_CLOCK_AHEAD seconds ahead (policy_ttl is
# 600, x-oss-date may be 900 off); the browser's first upload of late.txt is
# routed there and gets OSS's own 403 AccessDenied "Policy expired".
#
# Large files (issue 12): tests/browser/multipart.mjs, in a second browser
# on the same stack, through www/uppy.html (both Uppy generations, their
# prebuilt bundles copied in by stack_www) and www/index.html (multipart.js):
# one 64 MiB file made once, hard-linked under the names it is uploaded as.
#
# Skips (1..0 # SKIP) without chromium, node, node_modules/playwright-core,
# nginx or spawn-fcgi.

. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/stack.sh"

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || skip_all "no Chromium at $CHROMIUM"
[ -n "$NODE" ] || skip_all "node not installed"
[ -r "$top_srcdir/node_modules/playwright-core/package.json" ] ||
    skip_all "node_modules/playwright-core missing (npm ci at the top of the tree)"
if [ ! -r "$top_srcdir/tests/emu/oss.js" ] || [ ! -r "$top_srcdir/tests/emu/sts.js" ]; then
	skip_all "emulators missing"
fi
need nginx spawn-fcgi curl openssl
need_ossign

# The checks upload.mjs reports, in plan order.
IDS=(
	keyboard.tab keyboard.enter keyboard.space keyboard.upload
	a.distinct a.batch a.done a.bars-max a.bars-progress a.sequence a.keys a.stored
	b.error b.message b.nothing
	c.error c.message c.nothing
	d.first d.exists d.message d.kept
	phone.fits
	e.answered e.done e.two-signatures e.sequence e.stored
	f.uploaded f.key f.stored
	g.fallback g.done g.stored g.remembers
	h.one-request h.done h.error h.queue h.stored
	i.done i.answer
	page.no-errors
)
SHOTS="keyboard-focus a-two-files b-too-large c-type-not-allowed d-already-exists
e-expired-renewed f-vendor-compat g-batch-fallback h-batch-drop i-callback-answer page-desktop page-phone"
OSS_CLOCK_AHEAD=750
# The checks multipart.mjs reports, in plan order.
MP_IDS=(
	uppy6.loaded uppy6.small uppy6.small-stored uppy6.parts uppy6.parts-stored
	uppy5.loaded uppy5.small uppy5.small-stored uppy5.parts uppy5.parts-stored
	page.fallback page.parts page.parts-progress page.parts-stored
	pause.paused pause.stored pause.resumed
	reload.notice reload.listed reload.missing-only reload.emulator reload.stored
	cancel.aborted mp.no-errors
)
MP_SHOTS="uppy6-small uppy6-parts uppy5-small uppy5-parts page-parts pause-paused
reload-notice reload-done"
[ -r "$top_srcdir/node_modules/uppy/dist/uppy.min.js" ] &&
[ -r "$top_srcdir/node_modules/uppy5/dist/uppy.min.js" ] ||
    skip_all "node_modules/uppy or uppy5 missing (npm ci at the top of the tree)"

plan $((2 + ${#IDS[@]} + 8 + ${#MP_IDS[@]} + 5))

t_tmpdir
t_artifacts
PROFILE_DIR=$T/chromium-profile
mkdir -p "$PROFILE_DIR"

# browser_leftovers: pids of browser processes using our profile (started
# by upload.mjs, found by the profile's unique path, never by name).
browser_leftovers() {
	local d
	for d in /proc/[0-9]*; do
		tr '\0' ' ' 2>/dev/null <"$d/cmdline" | grep -qF -- "$PROFILE_DIR" &&
		    echo "${d#/proc/}"
	done
}
# At exit, before common.sh stops the servers: any browser process left,
# then common.sh's own exit (which reads the exit status from $?).
browser_exit() {
	local rc=$? p
	for p in $(browser_leftovers); do
		kill -KILL "$p" 2>/dev/null
	done
	(exit "$rc")
	_common_exit
}
trap browser_exit EXIT

# ---- the stack ----------------------------------------------------------
STACK_DIR=$T/stack
STACK_CREDS=sts
STACK_UPLOADS=$top_srcdir/tests/browser/uploads.conf
STACK_HTTP_PORT=$(free_port)
# The page (nginx) and the bucket (the emulator) are two origins: the
# bucket's CORS rule names the page's.
STACK_OSS_CORS=http://127.0.0.1:$STACK_HTTP_PORT
stack_start
ok $? "stack started: nginx, ossign (STS credentials), OSS and STS emulators" ||
    bail_out "the stack did not start"
cp "$STACK_CONF" "$ART/ossign.conf"

late_exec() {
	export OSS_CLOCK_AHEAD
	bg_exec "$NODE" --require "$top_srcdir/tests/browser/clock-ahead.cjs" \
	    "$top_srcdir/tests/emu/oss.js" --state "$STACK_STATE" --port 0 \
	    --bucket "$STACK_BUCKET" --region "$STACK_REGION" --cors-origins "$STACK_OSS_CORS"
}
bg_start "$STACK_DIR/oss-late.log" late_exec
LATE_PID=$BG_PID
line=$(wait_line "$STACK_DIR/oss-late.log" '^listening [0-9]+' 20 "$LATE_PID")
ok $? "second OSS emulator, clock ${OSS_CLOCK_AHEAD}s ahead, started" ||
    diag_file "$STACK_DIR/oss-late.log"
LATE_OSS_URL=http://127.0.0.1:${line#listening }

# ---- the browser --------------------------------------------------------
start=$SECONDS
STACK_URL=$STACK_URL STACK_SIGN_URL=$STACK_SIGN_URL STACK_OSS_URL=$STACK_OSS_URL \
LATE_OSS_URL=$LATE_OSS_URL ART=$ART PROFILE_DIR=$PROFILE_DIR CHROMIUM=$CHROMIUM \
    timeout -k 5 100 "$NODE" "$top_srcdir/tests/browser/upload.mjs" \
    >"$ART/upload.out" 2>"$ART/upload.err"
mjs_rc=$?
note "browser part: $((SECONDS - start)) s, exit $mjs_rc"

# report OUT SCRIPT ID...: one TAP point per ID from SCRIPT's output.
report() {
	local out=$1 script=$2 id line desc
	shift 2
	for id in "$@"; do
		line=$(grep -E -m1 "^(not )?ok ${id//./\\.} - " "$out")
		if [ -z "$line" ]; then
			ok 1 "$id: (not reported by $script)"
			continue
		fi
		desc=${line#* - }
		case $line in
		ok\ *)	ok 0 "$id: $desc" ;;
		*)	ok 1 "$id: $desc"
			# its "# detail" lines
			diag "$(awk -v l="$line" '$0 == l {f = 1; next} f && /^# / {print substr($0, 3); next} {f = 0}' \
			    "$out")" ;;
		esac
	done
}
report "$ART/upload.out" upload.mjs "${IDS[@]}"

# ran_to_end NAME STATUS: NAME.mjs printed its last line and exited 0.
ran_to_end() {
	grep -q '^# browser: finished$' "$ART/$1.out" && [ "$2" = 0 ]
	ok $? "$1.mjs ran to the end" || {
		diag "exit status $2"
		diag "$(grep '^# browser:' "$ART/$1.out")"
		diag_file "$ART/$1.err"
	}
}

ran_to_end upload "$mjs_rc"

# ---- from outside the browser -------------------------------------------
n=$(grep -c 'GET /get_post_signature_for_oss_upload?filename=late\.txt&' "$STACK_DIR/nginx/access.log")
is "$n" 2 "nginx's log shows two signature requests for late.txt"

# The bucket holds exactly what should have been stored, nothing refused.
"$NODE" -e '
	let s = ""; process.stdin.on("data", (d) => s += d).on("end", () =>
	    console.log(JSON.parse(s).objects.map((o) => o.key).join(" ")));' \
    < <(curl -s "$STACK_OSS_URL/_emu/objects") >"$T/keys" 2>&1
keys=$(sed -E 's|vendor/[^ ]*vendor\.txt|vendor/.../vendor.txt|' "$T/keys")
is "$keys" "browser-cb/cb.txt browser/a.txt browser/b.png browser/g1.txt browser/g2.txt browser/h1.txt browser/h2.txt browser/h3.txt browser/h4.txt browser/keyboard.txt browser/late.txt browser/same.txt vendor/.../vendor.txt" \
    "the bucket holds the thirteen uploaded objects and nothing else"
is "$(find "$STACK_SPOOL" -maxdepth 1 -name '*.json' | wc -l)" 1 \
    "one callback event spooled: the callback upload's"
# Batch signing through nginx, as the page sent it.
n=$(grep -c '"POST /get_post_signature_for_oss_upload HTTP/1.1" 200 ' "$STACK_DIR/nginx/access.log")
is "$n" 2 "nginx's log shows the page's two batch requests answered 200 (a.*, h.*)"

missing=
for s in $SHOTS; do
	[ -s "$ART/$s.png" ] || missing="$missing $s.png"
done
is "$missing" "" "screenshots kept in tests/artifacts/browser/"

# No secret in what is kept: the logs of the servers are not copied, and
# the page never prints one; the security token is in upload.out only if a
# detail line printed a signer answer.
grep -qE '"(security_token|signature|x-oss-signature)"' "$ART/upload.out"
is "$?" 1 "no signature or token in the browser script's output"

# ---- large files: multipart.mjs ------------------------------------------
BIG_DIR=$T/big
mkdir -p "$BIG_DIR"
start=$SECONDS
head -c $((64 * 1024 * 1024)) /dev/urandom >"$BIG_DIR/big6.mp4"
for n in big5 page resume cancel; do
	ln "$BIG_DIR/big6.mp4" "$BIG_DIR/$n.mp4"
done
note "64 MiB test file made in $((SECONDS - start)) s"
MP_PROFILE=$T/chromium-profile-mp
mkdir -p "$MP_PROFILE"
start=$SECONDS
STACK_URL=$STACK_URL STACK_OSS_URL=$STACK_OSS_URL ART=$ART PROFILE_DIR=$MP_PROFILE \
CHROMIUM=$CHROMIUM BIG_DIR=$BIG_DIR OSS_LOG=$STACK_DIR/oss.log \
    timeout -k 5 150 "$NODE" "$top_srcdir/tests/browser/multipart.mjs" \
    >"$ART/multipart.out" 2>"$ART/multipart.err"
mjs_rc=$?
note "multipart part: $((SECONDS - start)) s, exit $mjs_rc"
grep '^# time ' "$ART/multipart.out" | while read -r _ _ what; do note "  $what"; done
report "$ART/multipart.out" multipart.mjs "${MP_IDS[@]}"
ran_to_end multipart "$mjs_rc"
missing=
for s in $MP_SHOTS; do
	[ -s "$ART/$s.png" ] || missing="$missing $s.png"
done
is "$missing" "" "multipart screenshots kept in tests/artifacts/browser/"
# What the bucket holds under the two multipart sections, and nothing
# left in progress.
"$NODE" -e '
	let s = ""; process.stdin.on("data", (d) => s += d).on("end", () =>
	    console.log(JSON.parse(s).objects.map((o) => o.key).join(" ")));' \
    < <(curl -s "$STACK_OSS_URL/_emu/objects") >"$T/keys" 2>&1
keys=$(tr ' ' '\n' <"$T/keys" | grep -E '^(parts|uppy)/|^browser/fallback' | tr '\n' ' ')
is "$keys" "browser/fallback.txt parts/page.mp4 parts/resume.mp4 uppy/big5.mp4 uppy/big6.mp4 uppy/small5.txt uppy/small6.txt " \
    "the bucket holds the seven large-file objects"
uploads=$("$NODE" -e '
	let s = ""; process.stdin.on("data", (d) => s += d).on("end", () =>
	    console.log(JSON.parse(s).uploads.length));' < <(curl -s "$STACK_OSS_URL/_emu/uploads") 2>&1)
is "$uploads" 0 "no multipart upload left in progress on the emulator"
grep -qE '"(security_token|signature|x-oss-signature)"|x-oss-signature=|x-oss-security-token=' "$ART/multipart.out"
is "$?" 1 "no signature, token or part URL in multipart.mjs's output"

left=$(browser_leftovers)
is "$left" "" "no browser process left running"
cp "$STACK_DIR/nginx/access.log" "$ART/nginx-access.log" 2>/dev/null
sed -E 's/(x-oss-[a-z-]*|Signature|token)=[^& ]*/\1=***/g' "$STACK_DIR/oss.log" >"$ART/oss.log" 2>/dev/null
:
