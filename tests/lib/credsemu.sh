# tests/lib/credsemu.sh: the STS emulator and ossign's credential sources,
# for the tests/creds-*.sh tests (bash; sources common.sh).
#
#	. "${top_srcdir:-.}/tests/lib/credsemu.sh"
#	emu_start [--lifetime S ...]	# CA, state, a long-term key, emulator
#	emu_conf "$T/o.conf" [extra lines]	# credentials = ram_role_arn
#	cgi "$T/o.conf" 'filename=a.png'	# one CGI request: STATUS BODY
#	is "$(emu_stat AssumeRole)" 1 "one call"
#	secrets_scan "$T"/*.log ...		# at the end
#
# Secrets stay in files under $T (0600) and in shell variables; they are
# given to ossign through access_key_file, never argv, never printed.

_credsemu_lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
declare -F plan >/dev/null || . "$_credsemu_lib/common.sh"

EMU_ROLE=acs:ram::1234567890123456:role/ossign-test
EMU_OIDC_PROVIDER=acs:ram::1234567890123456:oidc-provider/ack-rrsa

# need_emu: skip the test unless node, openssl, curl, python3 and the
# emulator's npm packages are there.
need_emu() {
	need node openssl curl python3
	need_ossign
	[ -d "$top_srcdir/node_modules/@alicloud/openapi-util" ] ||
	    skip_all "node_modules missing (npm ci)"
}

# emu_start [ARGS...]: a CA, a state directory with a fresh long-term key,
# and tests/emu/sts.js on free ports.  Sets EMU_STATE, EMU_PORT,
# EMU_HTTP_PORT, EMU_URL (https), EMU_HTTP_URL, EMU_PID, EMU_AKID, EMU_CA,
# and writes the key to $T/access_key (0600).
emu_start() {
	local line
	t_tmpdir
	EMU_STATE=$T/state
	mkdir -p "$EMU_STATE"
	sh "$top_srcdir/tests/lib/mkca.sh" "$T/ca" >"$T/mkca.log" 2>&1 ||
	    bail_out "mkca.sh failed"
	EMU_CA=$T/ca/ca.pem
	EMU_AKID=LTAI$(openssl rand -hex 10 | tr a-f A-F)
	_EMU_SECRET=$(openssl rand -base64 30 | tr -d '/+=\n')
	(umask 077
	printf '[{"AccessKeyId":"%s","AccessKeySecret":"%s"}]\n' \
	    "$EMU_AKID" "$_EMU_SECRET" >"$EMU_STATE/accounts.json"
	printf '%s\n%s\n' "$EMU_AKID" "$_EMU_SECRET" >"$T/access_key")
	bg_start "$T/sts.log" "$NODE" "$top_srcdir/tests/emu/sts.js" \
	    --state "$EMU_STATE" --port 0 --http-port 0 \
	    --cert "$T/ca/server.pem" --key "$T/ca/server-key.pem" "$@"
	EMU_PID=$BG_PID
	line=$(wait_line "$T/sts.log" '^listening [0-9]+ [0-9]+' 20 "$EMU_PID") ||
	    { diag_file "$T/sts.log"; bail_out "the STS emulator did not start"; }
	read -r _ EMU_PORT EMU_HTTP_PORT <<<"$line"
	EMU_URL=https://127.0.0.1:$EMU_PORT
	EMU_HTTP_URL=http://127.0.0.1:$EMU_HTTP_PORT
}

# emu_admin PATH [JSON]: GET (or POST JSON) an admin endpoint; prints it.
emu_admin() {
	if [ $# -gt 1 ]; then
		curl -s --cacert "$EMU_CA" -X POST -H 'Content-Type: application/json' \
		    -d "$2" "$EMU_URL/_emu/$1"
	else
		curl -s --cacert "$EMU_CA" "$EMU_URL/_emu/$1"
	fi
}

# emu_stat FIELD: one number from /_emu/stats (AssumeRole, metadata, ...).
emu_stat() {
	emu_admin stats | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

# emu_last ACTION FIELD: a field of the last call's summary.
emu_last() {
	emu_admin stats | python3 -c 'import json,sys
v = json.load(sys.stdin)["last"].get(sys.argv[1], {}).get(sys.argv[2])
print("" if v is None else v)' "$1" "$2"
}

# emu_fail MODE [COUNT] [ACTION]: inject failures (COUNT -1: until cleared).
emu_fail() {
	local j="{\"mode\":\"$1\",\"count\":${2:-1}"
	[ -n "${3:-}" ] && j="$j,\"action\":\"$3\""
	emu_admin fail "$j}" >/dev/null
}

emu_reset() {
	emu_admin reset '{}' >/dev/null
}

# emu_conf FILE [LINE...]: a config for credentials = ram_role_arn against
# the emulator, cache in $T/cache, short timeouts.  A LINE "key = value"
# replaces the base line of that key; other LINEs (sections) are appended.
emu_conf() {
	local f=$1 l k i done_
	shift
	local -a lines=(
		"bucket = ossign-test"
		"region = cn-hangzhou"
		"host = http://127.0.0.1:9"
		"credentials = ram_role_arn"
		"role_arn = $EMU_ROLE"
		"role_session_name = ossign-test"
		"access_key_file = $T/access_key"
		"sts_endpoint = $EMU_URL"
		"ca_file = $EMU_CA"
		"cache_dir = $T/cache"
		"connect_timeout = 1"
		"timeout = 1"
		"retries = 1"
	)
	local nbase=${#lines[@]} insect=
	for l in "$@"; do
		done_=
		case $l in
		"["*)
			insect=1 ;;
		*" = "*)
			k=${l%% = *}
			for ((i = 0; i < nbase; i++)); do
				if [ -z "$insect" ] &&
				    [ "${lines[i]%% = *}" = "$k" ]; then
					lines[i]=$l
					done_=1
				fi
			done ;;
		esac
		[ -n "$done_" ] || lines+=("$l")
	done
	printf '%s\n' "${lines[@]}" >"$f"
}

# cgi CONF QUERY [VAR=VALUE...]: ossign as a CGI, in an environment that
# holds only what a web server would set (plus VARs).  Sets STATUS, BODY,
# RC; stderr goes to $T/cgi.log, the answer to $T/responses.
cgi() {
	local conf=$1 query=$2 out
	shift 2
	out=$(env -i PATH="$PATH" OSSIGN_CONFIG="$conf" \
	    GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET \
	    QUERY_STRING="$query" SERVER_PROTOCOL=HTTP/1.1 \
	    "$@" $OSSIGN_WRAP "$OSSIGN" </dev/null 2>>"$T/cgi.log"; echo "rc=$?")
	RC=${out##*rc=}
	[ "$RC" = 99 ] && echo "checker error: $query" >>"$T/checker-errors"
	out=${out%rc=*}
	printf '%s\n' "$out" >>"$T/responses"
	BODY=${out#*$'\r\n\r\n'}
	BODY=${BODY%$'\n'}
	STATUS=$(sed -n 's/^Status: \([0-9]*\).*/\1/p' <<<"${out%%$'\r\n\r\n'*}")
	[ -n "$STATUS" ] || STATUS=200
}

# sign CONF [ARGS...]: "ossign -c CONF sign ARGS"; sets BODY and RC;
# stderr to $T/sign.log.
sign() {
	local conf=$1
	shift
	BODY=$(env -i PATH="$PATH" $OSSIGN_WRAP "$OSSIGN" -c "$conf" sign "$@" \
	    </dev/null 2>>"$T/sign.log")
	RC=$?
	[ "$RC" = 99 ] && echo "checker error: sign $*" >>"$T/checker-errors"
	printf '%s\n' "$BODY" >>"$T/responses"
}

# jget PATH: a field of the JSON in $BODY ("error/code", "fields/key").
jget() {
	python3 -c 'import json,sys
try:
    d = json.loads(sys.stdin.read())
    for p in sys.argv[1].split("/"):
        d = d[p]
    print(d)
except Exception:
    pass' "$1" <<<"$BODY"
}

# akid: the AccessKeyId that signed $BODY (from x_oss_credential).
akid() {
	local c
	c=$(jget x_oss_credential)
	echo "${c%%/*}"
}

# iso_in SECONDS: the UTC time SECONDS from now, as ossign sign --time wants.
iso_in() {
	date -u -d "@$(($(date +%s) + $1))" +%Y-%m-%dT%H:%M:%SZ
}

# emu_issued FIELD: FIELD of every credential the emulator issued, one a line.
emu_issued() {
	python3 -c 'import glob,json,sys
for f in sorted(glob.glob(sys.argv[1] + "/issued/*.json")):
    with open(f) as fh:
        print(json.load(fh)[sys.argv[2]])' "$EMU_STATE" "$1"
}

# secrets_scan FILE...: one assertion: no long-term secret and no issued
# AccessKeySecret appears in FILEs, and no security token in those of them
# that are logs (*.log); responses carry tokens by design.
secrets_scan() {
	local f found= s
	local -a secrets=("$_EMU_SECRET") tokens=()
	while IFS= read -r s; do
		[ -n "$s" ] && secrets+=("$s")
	done < <(emu_issued AccessKeySecret)
	while IFS= read -r s; do
		[ -n "$s" ] && tokens+=("$s")
	done < <(emu_issued SecurityToken)
	for f in "$@"; do
		[ -r "$f" ] || continue
		for s in "${secrets[@]}"; do
			grep -qF -- "$s" "$f" && found="$found ${f##*/}(secret)"
		done
		case $f in
		*.log)
			for s in "${tokens[@]}"; do
				grep -qF -- "$s" "$f" && found="$found ${f##*/}(token)"
			done ;;
		esac
	done
	ok "$([ -z "$found" ] && echo 0 || echo 1)" \
	    "no secret in ${#} files (${#secrets[@]} secrets, ${#tokens[@]} tokens checked)" ||
	    diag "found in:$found"
}

# checker_clean: one assertion: no memory-checker report, neither valgrind's
# (exit 99) nor a sanitizer's (in the logs).
checker_clean() {
	grep -l -E 'ERROR: [A-Za-z]*Sanitizer|runtime error:' "$T"/*.log \
	    >>"$T/checker-errors" 2>/dev/null
	ok "$([ -s "$T/checker-errors" ] && echo 1 || echo 0)" \
	    "no memory-checker report" || diag_file "$T/checker-errors"
}

# At exit (tests/lib/common.sh calls it once every process has stopped):
# hand the secrets of this run and the logs and answers to the suite-wide
# scan (tests/zz-secrets-scan.sh).  The cache files, which hold secrets by
# design, are not kept.
t_exit_hook() {
	local s f n
	[ -n "${EMU_STATE:-}" ] && declare -F t_secret >/dev/null || return 0
	t_secret "$_EMU_SECRET"
	while IFS= read -r s; do
		t_secret "$s"
	done < <(emu_issued AccessKeySecret)
	while IFS= read -r s; do
		t_secret "$s" token
	done < <(emu_issued SecurityToken)
	t_artifacts
	for f in "$T"/*.log "$T/responses" "$T"/nginx-*/error.log; do
		[ -f "$f" ] || continue
		n=${f#"$T"/}
		cp "$f" "$ART/${n//\//-}"
	done
}
