#!/bin/bash
# deploy/quickstart (without its install and build steps): it starts nginx,
# ossign and the emulators on 127.0.0.1, prints the URL, the page and a
# signed upload work, and Ctrl-C (SIGINT) stops every process it started.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib/e2e.sh"

need nginx spawn-fcgi curl python3 openssl
need_ossign
e2e_have_oss || skip_all "no OSS emulator"
[ -d "$top_srcdir/node_modules" ] || skip_all "node_modules missing (npm ci)"

plan 14

t_tmpdir
# The quickstart puts the OSS emulator on the next port: both must be free.
for ((i = 0; i < 20; i++)); do
	port=$(free_port)
	! (exec 3<>"/dev/tcp/127.0.0.1/$((port + 1))") 2>/dev/null && break
done
# The quickstart as from a terminal: SIGINT at its default disposition (a
# background job of a script would start with it ignored), no cloud
# credentials in its environment.
_quickstart() {
	unset ALIBABA_CLOUD_ACCESS_KEY_ID OSS_ACCESS_KEY_ID OSSIGN_CONFIG
	bg_exec python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' "$top_srcdir/deploy/quickstart" \
	    --no-install --no-build --port "$port"
}
bg_start "$T/qs.out" _quickstart
qpid=$BG_PID
line=$(wait_line "$T/qs.out" 'Open +http://127\.0\.0\.1:[0-9]+/' 60 "$qpid")
like "$line" "Open +http://127\\.0\\.0\\.1:$port/ " "quickstart prints the URL to open" ||
    diag_file "$T/qs.out"
dir=$(sed -n 's/^ *ossign.conf: *\(.*\)\/ossign.conf$/\1/p' "$T/qs.out")
like "$dir" '^/.+' "quickstart names its files ($dir)"
like "$(grep -m1 'ssh -L' "$T/qs.out")" \
    "^ +ssh -L $port:127\\.0\\.0\\.1:$port -L $((port + 1)):127\\.0\\.0\\.1:$((port + 1)) [^ ]+@[^ ]+\$" \
    "the banner gives the ssh tunnel for another machine: the page and the OSS emulator (port + 1)"

st=$(http_get "http://127.0.0.1:$port/" "$T/index.html")
grep -q upload.js "$T/index.html"
ok $? "the page is served (GET / $st)"
# www/uppy.html and Uppy's two bundles beside it, byte for byte node_modules'.
got=
for f in uppy.html uppy/uppy.min.js uppy/uppy.min.css uppy5/uppy.min.js uppy5/uppy.min.css; do
	st=$(http_get "http://127.0.0.1:$port/$f" "$T/f")
	src=$top_srcdir/www/$f
	case $f in uppy5/*) src=$top_srcdir/node_modules/uppy5/dist/${f#uppy5/} ;;
	uppy/*) src=$top_srcdir/node_modules/uppy/dist/${f#uppy/} ;; esac
	[ "$st" = 200 ] && cmp -s "$T/f" "$src" || got="$got $f:$st"
done
is "$got" "" "uppy.html and Uppy's bundles (uppy/, uppy5/) are served"
st=$(http_get "http://127.0.0.1:$port/ossign/large/s3/params?filename=a.bin&type=application/octet-stream" "$T/params.json")
m=$(json_get "$T/params.json" method 2>/dev/null)
is "$st $m" "200 POST" "the example's [upload large] answers Uppy's s3/params (uppy.html?upload=large)"
STACK_OSS_URL=$(sed -n 's/^ *OSS emulator: \(http:[^ ]*\).*/\1/p' "$T/qs.out")
head -c 1000 /dev/urandom >"$T/f.bin"
st=$(http_get "http://127.0.0.1:$port/get_post_signature_for_oss_upload?filename=f.bin&size=1000" "$T/sig.json")
is "$st" 200 "a signature is served"
st=$(post_object "$T/sig.json" "$T/f.bin" "$T/post.out")
is "$st" 200 "the upload is accepted by the OSS emulator"
http_get "$(object_url "$(json_get "$T/sig.json" fields.key)")" "$T/back.bin" >/dev/null
cmp -s "$T/f.bin" "$T/back.bin"
ok $? "the object reads back byte for byte"

# Upload callbacks: the page's section calls ossign back; the event lands
# where the banner says.
spool=$(sed -n '/events land in/{n;s/^ *//p}' "$T/qs.out")
like "$spool" '^/.+/callbacks$' "the banner says where the callback events land ($spool)"
grep -q 'data-upload="notify"' "$dir/www/index.html"
ok $? "the quickstart's page uploads to [upload notify]"
st=$(http_get "http://127.0.0.1:$port/get_post_signature_for_oss_upload?upload=notify&filename=n.bin&size=1000" "$T/nsig.json")
st=$st/$(post_object "$T/nsig.json" "$T/f.bin" "$T/npost.out")
ev=$(json_get "$T/npost.out" event)
[ "$st" = 200/200 ] && [ -r "$spool/$ev.json" ] &&
    [ "$(json_get "$spool/$ev.json" object)" = "$(json_get "$T/nsig.json" fields.key)" ]
ok $? "an upload to [upload notify]: OSS called back, its event is in the spool ($st)" ||
    diag "$(cat "$T/npost.out")"

kill -INT "$qpid"
for ((i = 0; i < 100; i++)); do alive "$qpid" || break; sleep 0.1; done
alive "$qpid"
ok $((! $?)) "Ctrl-C (SIGINT) ends the quickstart"
# Every process it started had its directory in its command line.
left=
if [ -n "$dir" ]; then
	for p in /proc/[0-9]*; do
		{ tr "\0" " " <"$p/cmdline"; } 2>/dev/null | grep -qF -- "$dir" && left="$left ${p#/proc/}"
	done
fi
is "$left" "" "no process of the quickstart is left"
[ -n "$left" ] && kill -KILL $left
forget_pid "$qpid"
