#!/bin/bash
# A real Prometheus (Debian's prometheus, run directly with its own config
# and storage in the test's directory, listening on 127.0.0.1 only, stopped
# by pid) scrapes ossign's metrics through nginx with deploy/nginx/ as
# shipped (.../metrics, allowed from 127.0.0.1), ossign with STS
# credentials from the emulator and metrics = yes (tests/lib/stack.sh).
# After signatures and a batch, Prometheus's HTTP API (/api/v1/query) gives
# back the counts: the target is up, every signature counted, one
# AssumeRole call, the credentials' expiry ahead.
. "${top_srcdir:-.}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/stack.sh"
need prometheus nginx spawn-fcgi curl python3
need_ossign
stack_have_sts || skip_all "the STS emulator cannot run (node_modules missing)"
plan 9

t_tmpdir
t_artifacts
STACK_DIR=$T/stack
STACK_CREDS=sts
STACK_CONF_EXTRA="metrics = yes"
stack_start || bail_out "the stack did not start"
METRICS_URL=$STACK_SIGN_URL/metrics
st=$(curl -s -o "$T/m0.txt" -w '%{http_code}' "$METRICS_URL")
is "$st" 200 "ossign's metrics through nginx: 200"

# ---- Prometheus ---------------------------------------------------------------
PPORT=$(free_port)
mkdir -p "$T/prom-data"
cat >"$T/prometheus.yml" <<EOF
# written by tests/metrics-prometheus.sh
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: ossign
    metrics_path: ${STACK_SIGN_PATH}/metrics
    static_configs:
      - targets: ['127.0.0.1:${STACK_HTTP_PORT#*:}']
EOF
bg_start "$T/prometheus.log" prometheus --config.file="$T/prometheus.yml" \
    --storage.tsdb.path="$T/prom-data" --web.listen-address="127.0.0.1:$PPORT"
PROM_PID=$BG_PID
wait_http "http://127.0.0.1:$PPORT/-/ready" 60 "$PROM_PID" ||
    { diag_file "$T/prometheus.log"; bail_out "prometheus did not start"; }
ok 0 "prometheus $(prometheus --version 2>&1 | sed -n '1s/^prometheus, version //p') ready on 127.0.0.1:$PPORT"

# query EXPR: the value of an instant query's first sample, or "none".
query() {
	curl -s -G --data-urlencode "query=$1" "http://127.0.0.1:$PPORT/api/v1/query" |
	    python3 -c 'import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "none")' 2>/dev/null || echo none
}
# until_query EXPR WANT SECONDS: poll until the query gives WANT; prints the last value.
until_query() {
	local i v
	for ((i = 0; i < $3 * 4; i++)); do
		v=$(query "$1")
		[ "$v" = "$2" ] && break
		sleep 0.25
	done
	echo "$v"
}

is "$(until_query 'up{job="ossign"}' 1 30)" 1 "Prometheus scrapes ossign: up == 1"

# ---- traffic ---------------------------------------------------------------------
K=25
for i in $(seq 1 "$K"); do
	curl -s -o /dev/null -w '%{http_code}\n' "$STACK_SIGN_URL?filename=p$i.txt"
done >"$T/codes"
is "$(grep -c '^200$' "$T/codes")" "$K" "$K signatures through nginx"
st=$(curl -s -o "$T/batch.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary '{"files":[{"filename":"x.txt"},{"filename":"y.txt"},{"filename":"z.txt"}]}' \
    "$STACK_SIGN_URL")
is "$st" 200 "a batch of 3 through nginx"

want=$((K + 3))
is "$(until_query 'ossign_signatures_total' "$want" 30)" "$want" \
    "Prometheus's API: ossign_signatures_total is $want"
is "$(until_query 'sum(ossign_requests_total{route="sign",code="2xx"})' "$K" 10)" "$K" \
    "Prometheus's API: $K sign requests answered 2xx"
is "$(query 'ossign_credential_calls_total{source="ram_role_arn",result="ok"}')" 1 \
    "Prometheus's API: one AssumeRole call for everything"
is "$(query 'ossign_credentials_expiry_timestamp_seconds > time()')" \
    "$(query 'ossign_credentials_expiry_timestamp_seconds')" \
    "Prometheus's API: the credentials' expiry is ahead"

stop_pid "$PROM_PID"
forget_pid "$PROM_PID"
cp "$T/prometheus.yml" "$T/prometheus.log" "$ART/" 2>/dev/null
curl -s "$METRICS_URL" >"$ART/metrics.txt"
:
