#!/bin/bash
# The other credential sources against the emulator, through the CGI:
# oidc_role_arn (AssumeRoleWithOIDC with a token file that rotates),
# ecs_ram_role (token-mode instance metadata, role configured or found),
# credentials_uri (https and http), from the configuration and from the
# environment; their failures; no secret in any log or answer.
. "${top_srcdir:-.}/tests/lib/credsemu.sh"
need_emu
plan 36

emu_start

# A JWT-shaped token the emulator accepts (it compares, it does not verify).
jwt() {
	local h p
	h=$(printf '{"alg":"RS256","kid":"%s"}' "$1" | base64 -w0 | tr '+/' '-_' | tr -d '=')
	p=$(printf '{"sub":"system:serviceaccount:web:ossign","iss":"https://oidc.example","aud":"sts.aliyuncs.com","exp":%d}' \
	    $(($(date +%s) + 3600)) | base64 -w0 | tr '+/' '-_' | tr -d '=')
	printf '%s.%s.%s' "$h" "$p" "$(openssl rand -hex 16)"
}
set_token() {
	declare -F t_secret >/dev/null && t_secret "$1"
	(umask 077 && printf '%s\n' "$1" >"$EMU_STATE/oidc_token" &&
	    printf '%s\n' "$1" >"$T/oidc-token")
}

# base CONF CREDENTIALS [LINE...]: a config with no ram_role_arn keys; a
# LINE replaces the default of its key.
base() {
	local f=$1 c=$2 d
	shift 2
	{
		echo "bucket = ossign-test"
		echo "region = cn-hangzhou"
		echo "host = http://127.0.0.1:9"
		echo "credentials = $c"
		for d in "cache_dir = $T/cache-$c" "connect_timeout = 1" \
		    "timeout = 1" "retries = 1"; do
			printf '%s\n' "$@" | grep -q "^${d%% = *} = " || echo "$d"
		done
		printf '%s\n' "$@"
	} >"$f"
}

# ---- oidc_role_arn ----------------------------------------------------------
TOK1=$(jwt one)
set_token "$TOK1"
base "$T/oidc.conf" oidc_role_arn "role_arn = $EMU_ROLE" \
    "oidc_provider_arn = $EMU_OIDC_PROVIDER" "oidc_token_file = $T/oidc-token" \
    "sts_endpoint = $EMU_URL" "ca_file = $EMU_CA" "session_policy = auto" \
    "role_session_name = pod-1"
cgi "$T/oidc.conf" "filename=a.png"
is "$STATUS" 200 "oidc: signed with AssumeRoleWithOIDC credentials"
is "$(emu_stat AssumeRoleWithOIDC)" 1 "oidc: one call"
is "$(emu_last AssumeRoleWithOIDC RoleSessionName)" pod-1 "oidc: session name sent"
like "$(emu_last AssumeRoleWithOIDC Policy)" 'ossign-test/uploads/\*' \
    "oidc: session_policy = auto sent"
cgi "$T/oidc.conf" "filename=b.png"
is "$STATUS/$(emu_stat AssumeRoleWithOIDC)" "200/1" "oidc: the next run reads the cache"

# Kubernetes rotates the token in place; the emulator now wants the new one.
set_token "$(jwt two)"
rm -rf "$T/cache-oidc_role_arn"
cgi "$T/oidc.conf" "filename=c.png"
is "$STATUS/$(emu_stat AssumeRoleWithOIDC)" "200/2" \
    "oidc: the token file is read again at each refresh"

STALE=$(jwt stale)
declare -F t_secret >/dev/null && t_secret "$STALE"
(umask 077 && printf '%s\n' "$STALE" >"$T/oidc-token")
rm -rf "$T/cache-oidc_role_arn"
cgi "$T/oidc.conf" "filename=d.png"
is "$STATUS/$(jget error/code)" "502/credentials_refused" "oidc: a refused token: 502"
like "$(jget error/message)" 'AuthenticationFail.OIDCToken.InvalidSignature \(RequestId ' \
    "oidc: naming the code"
like "$(tail -n 2 "$T/cgi.log")" "check oidc_token_file" "oidc: the log says what to check"

set_token "$(jwt three)"
chmod 644 "$T/oidc-token"
cgi "$T/oidc.conf" "filename=e.png"
is "$STATUS" 503 "oidc: a world-readable token file is refused"
like "$(tail -n 3 "$T/cgi.log")" "oidc_token_file .* accessible by group or others" \
    "oidc: and the log says why"
chmod 600 "$T/oidc-token"

# Everything from the environment, as the RRSA webhook sets it.
base "$T/oidc-env.conf" oidc_role_arn "sts_endpoint = $EMU_URL" "ca_file = $EMU_CA"
cgi "$T/oidc-env.conf" "filename=f.png" ALIBABA_CLOUD_ROLE_ARN="$EMU_ROLE" \
    ALIBABA_CLOUD_OIDC_PROVIDER_ARN="$EMU_OIDC_PROVIDER" \
    ALIBABA_CLOUD_OIDC_TOKEN_FILE="$T/oidc-token"
is "$STATUS" 200 "oidc: from ALIBABA_CLOUD_* variables"
is "$(emu_last AssumeRoleWithOIDC RoleSessionName)" ossign "oidc: default session name"

# ---- ecs_ram_role -----------------------------------------------------------
base "$T/ecs.conf" ecs_ram_role "metadata_endpoint = $EMU_HTTP_URL"
cgi "$T/ecs.conf" "filename=a.png"
is "$STATUS" 200 "ecs: signed with instance credentials"
is "$(emu_stat metadata_token)/$(emu_stat metadata_list)/$(emu_stat metadata)" "1/1/1" \
    "ecs: token, role discovered, credentials"
ecs_id=$(akid)
cgi "$T/ecs.conf" "filename=b.png"
is "$STATUS/$(emu_stat metadata)/$(akid)" "200/1/$ecs_id" "ecs: the next run reads the cache"
base "$T/ecs-role.conf" ecs_ram_role "metadata_endpoint = $EMU_HTTP_URL" \
    "ecs_role_name = oss-upload-role"
cgi "$T/ecs-role.conf" "filename=c.png"
is "$STATUS/$(emu_stat metadata_list)/$(emu_stat metadata)" "200/1/2" \
    "ecs: a configured role is not looked up"
base "$T/ecs-bad.conf" ecs_ram_role "metadata_endpoint = $EMU_HTTP_URL" \
    "ecs_role_name = no-such-role" "cache_dir = $T/cache-ecs-bad"
cgi "$T/ecs-bad.conf" "filename=d.png"
is "$STATUS/$(jget error/code)" "503/credentials_unavailable" "ecs: an unknown role: 503"
emu_fail partial 1 metadata
base "$T/ecs-p.conf" ecs_ram_role "metadata_endpoint = $EMU_HTTP_URL" \
    "cache_dir = $T/cache-ecs-p"
cgi "$T/ecs-p.conf" "filename=e.png"
is "$STATUS/$(jget error/code)" "503/credentials_unavailable" \
    "ecs: an answer without a secret: 503, nothing partial used"
like "$(jget error/message)" "ECS metadata service sent an answer that cannot be used" \
    "ecs: naming the service"
sleep 1.1	# a failure is answered as is for a second, by every process
cgi "$T/ecs-p.conf" "filename=e.png"
is "$STATUS" 200 "ecs: a second later it works"

# ---- credentials_uri --------------------------------------------------------
base "$T/uri.conf" credentials_uri "credentials_uri = $EMU_URL/credentials" \
    "ca_file = $EMU_CA"
cgi "$T/uri.conf" "filename=a.png"
is "$STATUS/$(emu_stat credentials_uri)" "200/1" "uri: https, with ca_file"
cgi "$T/uri.conf" "filename=b.png"
is "$STATUS/$(emu_stat credentials_uri)" "200/1" "uri: the next run reads the cache"
base "$T/uri-env.conf" credentials_uri "cache_dir = $T/cache-uri-env"
cgi "$T/uri-env.conf" "filename=c.png" \
    ALIBABA_CLOUD_CREDENTIALS_URI="$EMU_HTTP_URL/credentials"
is "$STATUS/$(emu_stat credentials_uri)" "200/2" "uri: http, from the environment"
# Issue 9 defect 10: the URI is requested exactly as configured, its
# trailing '/' included.
base "$T/uri-slash.conf" credentials_uri \
    "credentials_uri = $EMU_HTTP_URL/credentials/latest/creds/" \
    "cache_dir = $T/cache-uri-slash"
cgi "$T/uri-slash.conf" "filename=s.png"
is "$STATUS/$(grep -c ' GET /credentials/latest/creds/ credentials_uri ' "$T/sts.log")" \
    "200/1" "uri: requested with its trailing / (the emulator logs the path)" ||
    diag "$(grep ' credentials_uri ' "$T/sts.log" | tail -n 2)"
emu_fail garbage 2 credentials_uri
rm -rf "$T/cache-uri-env"
cgi "$T/uri-env.conf" "filename=d.png" \
    ALIBABA_CLOUD_CREDENTIALS_URI="$EMU_HTTP_URL/credentials"
is "$STATUS/$(jget error/code)" "503/credentials_unavailable" "uri: garbage: 503"
emu_fail none
sleep 1.1
cgi "$T/uri-env.conf" "filename=d.png"
is "$STATUS" 503 "uri: no URI at all: 503"
like "$(tail -n 3 "$T/cgi.log")" "ALIBABA_CLOUD_CREDENTIALS_URI" "uri: the log names the variable"

# ---- the environment is read once, proxies are ignored ---------------------
rm -rf "$T/cache-credentials_uri"
cgi "$T/uri.conf" "filename=e.png" HTTPS_PROXY=http://127.0.0.1:1 \
    https_proxy=http://127.0.0.1:1 ALL_PROXY=http://127.0.0.1:1
is "$STATUS" 200 "uri: proxy variables ignored"
base "$T/ecs-px.conf" ecs_ram_role "metadata_endpoint = $EMU_HTTP_URL" \
    "cache_dir = $T/cache-ecs-px"
cgi "$T/ecs-px.conf" "filename=f.png" HTTP_PROXY=http://127.0.0.1:1 \
    http_proxy=http://127.0.0.1:1 ALL_PROXY=http://127.0.0.1:1
is "$STATUS" 200 "ecs: proxy variables ignored (httpoxy)"

# ---- configuration mistakes are reported before any request ---------------
base "$T/x.conf" ecs_ram_role "session_policy = auto"
env -i "$OSSIGN" -c "$T/x.conf" sign >/dev/null 2>"$T/x.log"
like "$(cat "$T/x.log")" "session_policy does not apply to credentials = ecs_ram_role" \
    "a session policy that could not apply is refused"
base "$T/y.conf" oidc_role_arn "role_arn = $EMU_ROLE" \
    "oidc_provider_arn = $EMU_OIDC_PROVIDER" "oidc_token_file = $T/none"
env -i "$OSSIGN" -c "$T/y.conf" sign >/dev/null 2>"$T/y.log"
like "$(cat "$T/y.log")" "oidc_token_file $T/none: No such file" "a missing token file is named"
ln -sf "$T/oidc-token" "$T/token-link"
base "$T/z.conf" oidc_role_arn "role_arn = $EMU_ROLE" \
    "oidc_provider_arn = $EMU_OIDC_PROVIDER" "oidc_token_file = $T/token-link"
env -i "$OSSIGN" -c "$T/z.conf" sign >/dev/null 2>"$T/z.log"
like "$(cat "$T/z.log")" "is a symlink: refused" "a symlinked token file is refused"

# ---- nothing leaked ---------------------------------------------------------
cat "$T/x.log" "$T/y.log" "$T/z.log" >>"$T/cgi.log"
secrets_scan "$T/sts.log" "$T/cgi.log" "$T/responses"
ok "$(grep -qF -- "$TOK1" "$T/sts.log" "$T/cgi.log" "$T/responses" && echo 1 || echo 0)" \
    "no OIDC token in any log or answer"
checker_clean
