/* The credential protocols; see sts.h. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "acssig.h"
#include "creds.h"
#include "crypto.h"
#include "http.h"
#include "credjson.h"
#include "jsonr.h"
#include "limit.h"
#include "olog.h"
#include "sbuf.h"
#include "sts.h"
#include "util.h"

int
sts_url_host(const char *url, int allow_http, char *host, size_t hostsz)
{
	const char *h, *e;
	size_t len, i;

	if (strncmp(url, "https://", 8) == 0)
		h = url + 8;
	else if (allow_http && strncmp(url, "http://", 7) == 0)
		h = url + 7;
	else
		return -1;
	e = h + strcspn(h, "/");
	len = (size_t)(e - h);
	if (len == 0 || len >= hostsz || (*e == '/' && e[1] != '\0'))
		return -1;
	for (i = 0; i < len; i++)
		if (!isascii((unsigned char)h[i]) ||
		    !(isalnum((unsigned char)h[i]) || h[i] == '.' ||
		    h[i] == '-' || h[i] == ':' || h[i] == '[' || h[i] == ']'))
			return -1;
	memcpy(host, h, len);
	host[len] = '\0';
	return 0;
}

/* ---- parsing ---------------------------------------------------------- */

/* Copy at most LIMIT_STS_ID_LEN bytes of s, anything odd as '?'. */
static void
sts_safe_copy(char *dst, const char *s)
{
	size_t i;

	for (i = 0; s != NULL && s[i] != '\0' && i < LIMIT_STS_ID_LEN; i++)
		dst[i] = (isascii((unsigned char)s[i]) &&
		    (isalnum((unsigned char)s[i]) || strchr(".-_:", s[i]) !=
		    NULL)) ? s[i] : '?';
	dst[i] = '\0';
}

/*
 * credjson_take, and the credentials must outlive a signature at now; an
 * Expiration further than life (and LIMIT_CLOCK_SKEW) ahead is cut.
 */
static int
sts_take_creds(json_object *o, time_t now, long long life, struct creds *out,
    struct sts_error *e)
{
	struct creds c;
	char exp[21];

	if (credjson_take(o, &c, e->message, sizeof(e->message)) == -1)
		return -1;
	if (c.expiration - now < LIMIT_MIN_VALIDITY) {
		util_iso(c.expiration, exp);
		snprintf(e->message, sizeof(e->message), "the credentials "
		    "expire at %s, too soon to use: check the system clock",
		    exp);
		creds_clear(&c);
		return -1;
	}
	/* No source hands out credentials for longer than it says. */
	if ((long long)c.expiration - (long long)now > life +
	    LIMIT_CLOCK_SKEW) {
		e->expiration_cut = c.expiration;
		c.expiration = now + (time_t)life;
	}
	*out = c;
	return 0;
}

static enum sts_result
sts_parse(const char *body, size_t len, long status, time_t now,
    long long life, int flat, struct creds *out, struct sts_error *e)
{
	json_object *j, *c = NULL;
	const char *code, *msg;
	char why[128];
	enum sts_result r;

	memset(e, 0, sizeof(*e));
	e->status = status;
	if (len > LIMIT_STS_RESPONSE || (j = jsonr_parse(body, len,
	    CREDJSON_DEPTH, why, sizeof(why))) == NULL) {
		snprintf(e->message, sizeof(e->message), "%s",
		    len == 0 ? "an empty answer" : "an answer that is not "
		    "a JSON object");
		return status >= 500 ? STS_RETRY : STS_GARBAGE;
	}
	sts_safe_copy(e->request_id, jsonr_get(j, "RequestId"));
	code = jsonr_get(j, "Code");
	if (flat && status == 200 && code != NULL &&
	    strcmp(code, "Success") == 0)
		code = NULL;
	if (code != NULL || status != 200) {
		sts_safe_copy(e->code, code);
		if ((msg = jsonr_get(j, "Message")) != NULL)
			snprintf(e->message, sizeof(e->message), "%s", msg);
		if (status >= 500 || status == 429 ||
		    (code != NULL && strncmp(code, "Throttling", 10) == 0) ||
		    (code != NULL && strcmp(code, "ServiceUnavailable") == 0))
			r = STS_RETRY;
		else if (code != NULL && status >= 400)
			r = STS_REFUSED;
		else
			r = STS_GARBAGE;
		goto out;
	}
	if (!flat && (!json_object_object_get_ex(j, "Credentials", &c) ||
	    !json_object_is_type(c, json_type_object))) {
		snprintf(e->message, sizeof(e->message), "no Credentials in "
		    "the answer");
		r = STS_GARBAGE;
		goto out;
	}
	r = sts_take_creds(flat ? j : c, now, life, out, e) == 0 ? STS_OK :
	    STS_GARBAGE;
out:
	jsonr_free(j);
	return r;
}

enum sts_result
sts_parse_assume(const char *body, size_t len, long status, time_t now,
    long long duration, struct creds *out, struct sts_error *e)
{
	return sts_parse(body, len, status, now, duration, 0, out, e);
}

enum sts_result
sts_parse_flat(const char *body, size_t len, long status, time_t now,
    struct creds *out, struct sts_error *e)
{
	return sts_parse(body, len, status, now, LIMIT_CREDS_LIFE_MAX, 1, out,
	    e);
}

/* ---- the calls -------------------------------------------------------- */

/* What an operator should look at for an STS error code. */
static const char *
sts_code_hint(const char *code)
{
	static const struct {
		const char	*prefix;
		const char	*hint;
	} hints[] = {
		{ "InvalidTimeStamp", "this host's clock is off by more than "
		    "15 minutes: fix time synchronisation (NTP/chrony)" },
		{ "NoPermission", "the RAM user (or instance/OIDC identity) "
		    "may not assume this role: grant it sts:AssumeRole and "
		    "check the role's trust policy" },
		{ "EntityNotExist.Role", "role_arn names no role: check "
		    "role_arn" },
		{ "InvalidParameter.RoleArn", "role_arn is malformed: "
		    "acs:ram::UID:role/NAME" },
		{ "InvalidParameter.Policy", "the session policy is not "
		    "valid: check session_policy" },
		{ "InvalidParameter.DurationSeconds", "duration is above the "
		    "role's maximum session duration: lower duration or raise "
		    "the role's limit" },
		{ "InvalidParameter.RoleSessionName", "check "
		    "role_session_name" },
		{ "InvalidParameter.ExternalId", "check external_id against "
		    "the role's trust policy" },
		{ "SignatureDoesNotMatch", "the AccessKey secret is wrong: "
		    "check it" },
		{ "IncompleteSignature", "the AccessKey secret is wrong: "
		    "check it" },
		{ "InvalidAccessKeyId", "the AccessKey id is unknown or "
		    "disabled: check it in the RAM console" },
		{ "InvalidSecurityToken", "the security token is not valid" },
		{ "Throttling", "STS is throttling this account (AssumeRole "
		    "is limited per account): look for other callers" },
		{ "AuthenticationFail.OIDCToken", "the OIDC token was "
		    "refused: check oidc_token_file and its rotation" },
		{ "InvalidParameter.OIDCToken", "the OIDC token was refused: "
		    "check oidc_token_file" },
		{ "AuthenticationFail.NoPermission", "the OIDC provider or "
		    "the role's trust policy does not allow this token" },
		{ "EntityNotExist.OIDCProvider", "oidc_provider_arn names no "
		    "OIDC provider" },
		{ "InternalError", "a failure inside STS: it passes; if it "
		    "does not, check the Alibaba Cloud status page" },
		{ "ServiceUnavailable", "STS is briefly unavailable: it "
		    "passes; if it does not, try a regional sts_endpoint" },
	};
	size_t i;

	for (i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
		if (strncmp(code, hints[i].prefix,
		    strlen(hints[i].prefix)) == 0)
			return hints[i].hint;
	return "see the STS error code reference";
}

/* The role parameters AssumeRole and AssumeRoleWithOIDC share. */
static size_t
sts_role_params(const struct sts_role *r, struct acssig_param *p, char *dur,
    size_t dursz)
{
	size_t n = 0;

	snprintf(dur, dursz, "%lld", r->duration);
	p[n++] = (struct acssig_param){ "DurationSeconds", dur };
	p[n++] = (struct acssig_param){ "RoleArn", r->role_arn };
	p[n++] = (struct acssig_param){ "RoleSessionName", r->session_name };
	if (r->external_id != NULL)
		p[n++] = (struct acssig_param){ "ExternalId", r->external_id };
	if (r->policy != NULL)
		p[n++] = (struct acssig_param){ "Policy", r->policy };
	return n;
}

/* Kinds of request sts_exchange makes. */
enum sts_kind {
	STS_ASSUME,		/* AssumeRole, signed */
	STS_OIDC,		/* AssumeRoleWithOIDC, unsigned */
	STS_PLAIN		/* a prepared request (metadata, URI) */
};

#define STS_NHDR	12

/* One call: what to ask, each try's request, and the last answer's parse. */
struct sts_call {
	/* in */
	const struct sts_opts	*o;
	const char		*what;		/* "STS AssumeRole", for logs */
	enum sts_kind		 kind;
	const char		*action;
	const struct creds	*key;
	const struct sts_role	*role;
	const char		*provider_arn;
	const char		*token;
	const char		*host;		/* host[:port] of the endpoint */
	int			 flat;		/* sts_parse_flat */
	time_t			 now;
	/* each try (build) */
	struct sbuf		 url;
	struct sbuf		 body;
	struct http_header	 hdr[STS_NHDR];
	size_t			 nhdr;
	char			 date[21];
	char			 nonce[33];
	char			 hash[65];
	char			*auth;
	/* the last answer (judge) */
	struct creds		*out;
	struct sts_error	 e;
	enum sts_result		 r;
};

static void
sts_call_hdr(struct sts_call *c, const char *name, const char *value)
{
	if (c->nhdr < STS_NHDR)
		c->hdr[c->nhdr++] = (struct http_header){ name, value };
}

/* Drop the last try's request; everything may hold a secret. */
static void
sts_call_reset(struct sts_call *c)
{
	sbuf_free(&c->url);
	sbuf_free(&c->body);
	free(c->auth);
	c->auth = NULL;
	c->nhdr = 0;
	crypto_wipe(c->nonce, sizeof(c->nonce));
}

/*
 * http's build hook: one try of an STS call, with a fresh timestamp and
 * nonce.  Returns 0 or -1 (out of memory).
 */
static int
sts_build(void *arg, long try, struct http_request *req)
{
	struct sts_call *call = arg;
	struct acssig_param p[16];
	struct acssig_acs3 r;
	unsigned char rnd[16];
	char uuid[CRYPTO_UUID_LEN + 1], dur[24];
	char *q = NULL, *s2s = NULL, *sig = NULL;
	size_t n;
	int rc = -1;

	(void)try;
	sts_call_reset(call);
	util_iso(time(NULL), call->date);
	if (crypto_random(rnd, sizeof(rnd)) == -1)
		return -1;
	crypto_hex(rnd, sizeof(rnd), call->nonce);
	crypto_uuid_format(rnd, uuid);
	sbuf_str(&call->url, strncmp(call->o->endpoint, "http://", 7) == 0 ?
	    "http://" : "https://");
	sbuf_str(&call->url, call->host);
	sbuf_str(&call->url, "/");
	n = sts_role_params(call->role, p, dur, sizeof(dur));

	if (call->kind == STS_OIDC) {
		/* Unsigned: the token is the proof. */
		p[n++] = (struct acssig_param){ "OIDCProviderArn",
		    call->provider_arn };
		p[n++] = (struct acssig_param){ "OIDCToken", call->token };
		if ((q = acssig_canonical_query(p, n)) == NULL)
			goto out;
		sbuf_str(&call->body, q);
		sbuf_str(&call->url, "?Action=AssumeRoleWithOIDC&Format=JSON&"
		    "Version=" STS_API_VERSION "&Timestamp=");
		acssig_pct_add(&call->url, call->date);
		sts_call_hdr(call, "Content-Type",
		    "application/x-www-form-urlencoded");
	} else if (call->o->sig == CONF_STS_RPC) {
		p[n++] = (struct acssig_param){ "AccessKeyId",
		    call->key->access_key_id };
		p[n++] = (struct acssig_param){ "Action", call->action };
		p[n++] = (struct acssig_param){ "Format", "JSON" };
		p[n++] = (struct acssig_param){ "SignatureMethod",
		    "HMAC-SHA1" };
		p[n++] = (struct acssig_param){ "SignatureNonce", uuid };
		p[n++] = (struct acssig_param){ "SignatureVersion", "1.0" };
		p[n++] = (struct acssig_param){ "Timestamp", call->date };
		p[n++] = (struct acssig_param){ "Version", STS_API_VERSION };
		if (call->key->security_token != NULL)
			p[n++] = (struct acssig_param){ "SecurityToken",
			    call->key->security_token };
		if ((q = acssig_canonical_query(p, n)) == NULL ||
		    (s2s = acssig_rpc_string_to_sign("POST", q)) == NULL ||
		    (sig = acssig_rpc_signature(call->key->access_key_secret,
		    s2s)) == NULL)
			goto out;
		sbuf_str(&call->body, q);
		sbuf_str(&call->body, "&Signature=");
		acssig_pct_add(&call->body, sig);
		sts_call_hdr(call, "Content-Type",
		    "application/x-www-form-urlencoded");
	} else {
		memset(&r, 0, sizeof(r));
		r.security_token = call->key->security_token;
		r.method = "POST";
		r.host = call->host;
		r.action = call->action;
		r.version = STS_API_VERSION;
		r.date = call->date;
		r.nonce = call->nonce;
		r.query = p;
		r.nquery = n;
		if ((q = acssig_canonical_query(p, n)) == NULL ||
		    acssig_acs3_payload_hash(&r, call->hash) == -1 ||
		    (call->auth = acssig_acs3_authorization(&r,
		    call->key->access_key_id,
		    call->key->access_key_secret)) == NULL)
			goto out;
		sbuf_str(&call->url, "?");
		sbuf_str(&call->url, q);
		/* Exactly the headers signed; no Content-Type at all. */
		sts_call_hdr(call, "Host", call->host);
		sts_call_hdr(call, "x-acs-action", call->action);
		sts_call_hdr(call, "x-acs-version", STS_API_VERSION);
		sts_call_hdr(call, "x-acs-date", call->date);
		sts_call_hdr(call, "x-acs-signature-nonce", call->nonce);
		sts_call_hdr(call, "x-acs-content-sha256", call->hash);
		if (r.security_token != NULL)
			sts_call_hdr(call, "x-acs-security-token",
			    r.security_token);
		sts_call_hdr(call, "Authorization", call->auth);
		sts_call_hdr(call, "Content-Type", "");
	}
	sts_call_hdr(call, "Accept", "application/json");
	sts_call_hdr(call, "Expect", "");
	if (call->url.oom || call->body.oom)
		goto out;
	req->method = "POST";
	req->url = call->url.p;
	req->headers = call->hdr;
	req->nheaders = call->nhdr;
	req->body = call->body.p;
	req->bodylen = call->body.len;
	rc = 0;
out:
	if (q != NULL) {
		crypto_wipe(q, strlen(q));
		free(q);
	}
	crypto_free_secret(s2s);
	free(sig);
	crypto_wipe(rnd, sizeof(rnd));
	return rc;
}

/* http's judge hook: parse the answer into call->out. */
static enum http_verdict
sts_judge(void *arg, const struct http_response *resp)
{
	struct sts_call *call = arg;
	struct sts_error *e = &call->e;
	char was[21], cut[21];

	call->r = call->flat ? sts_parse_flat(resp->body, resp->len,
	    resp->status, call->now, call->out, e) : sts_parse_assume(
	    resp->body, resp->len, resp->status, call->now,
	    call->role->duration, call->out, e);
	/* x-acs-request-id names the call even when the body is junk. */
	if (e->request_id[0] == '\0')
		sts_safe_copy(e->request_id, resp->headers[0]);
	if (call->r == STS_OK) {
		if (e->expiration_cut != 0) {
			util_iso(e->expiration_cut, was);
			util_iso(call->out->expiration, cut);
			olog_warn("%s: the answer's Expiration %s is further "
			    "ahead than %s hands out credentials for: cut to "
			    "%s", call->what, was, call->flat ? "any source "
			    "(LIMIT_CREDS_LIFE_MAX)" : "the duration asked",
			    cut);
		}
		return HTTP_DONE;
	}
	if (call->r != STS_RETRY)
		return HTTP_FAIL;
	olog_warn("%s: try %ld of %ld: HTTP %ld, Code %s, RequestId %s",
	    call->what, resp->try, resp->tries, resp->status,
	    e->code[0] ? e->code : "none",
	    e->request_id[0] ? e->request_id : "none");
	return HTTP_RETRY;
}

/* The exchange's options for o; allow_http and the proxy are per call. */
static void
sts_http_opts(const struct sts_opts *o, const char *what, int allow_http,
    int use_proxy, struct http_opts *h)
{
	memset(h, 0, sizeof(*h));
	h->what = what;
	h->allow_http = allow_http;
	h->proxy = use_proxy ? o->proxy : NULL;
	h->ca_file = o->ca_file;
	h->connect_timeout_ms = o->connect_timeout * 1000;
	h->timeout_ms = o->timeout * 1000;
	h->retries = o->retries;
	h->max_response = LIMIT_STS_RESPONSE;
	h->want[0] = "x-acs-request-id";
}

/*
 * Turn a failed exchange into d and a log line.  r and e are the parse of
 * the last answer, when there was one.
 */
static int
sts_fail(const char *what, const struct http_result *res, enum sts_result r,
    const struct sts_error *e, struct oerr_detail *d)
{
	const char *rid = e->request_id[0] ? e->request_id : "none";
	long tries = res->tries;

	switch (res->err) {
	case HTTP_ERR_LIBCURL:
		olog_err("%s: %s: %s", what, res->reason, res->hint);
		return oerr_set(d, OERR_CREDS_UNAVAILABLE, "%s is unavailable: "
		    "%s", what, res->reason), -1;
	case HTTP_ERR_BUILD:
		olog_err("%s: out of memory", what);
		return oerr_set(d, OERR_INTERNAL, NULL), -1;
	case HTTP_ERR_TRANSPORT:
		olog_err("%s failed after %ld %s: %s: %s", what, tries,
		    tries == 1 ? "try" : "tries", res->detail, res->hint);
		return oerr_set(d, OERR_CREDS_UNAVAILABLE, "%s is unavailable: "
		    "%s", what, res->reason), -1;
	default:
		break;
	}
	switch (r) {
	case STS_REFUSED:
		olog_err("%s refused: HTTP %ld, Code %s, RequestId %s, "
		    "Message \"%s\": %s", what, e->status, e->code, rid,
		    e->message, sts_code_hint(e->code));
		oerr_set(d, OERR_CREDS_REFUSED, "%s refused: %s (RequestId "
		    "%s)", what, e->code, rid);
		break;
	case STS_RETRY:
		olog_err("%s failed after %ld %s: HTTP %ld, Code %s, "
		    "RequestId %s, Message \"%s\"%s%s", what, tries,
		    tries == 1 ? "try" : "tries", e->status,
		    e->code[0] ? e->code : "none", rid, e->message,
		    e->code[0] ? ": " : "",
		    e->code[0] ? sts_code_hint(e->code) : "");
		oerr_set(d, OERR_CREDS_UNAVAILABLE, "%s is unavailable: %s "
		    "(HTTP %ld, RequestId %s)", what, e->code[0] ? e->code :
		    "no code", e->status, rid);
		break;
	default:
		olog_err("%s sent an answer that cannot be used: HTTP %ld, "
		    "Code %s, RequestId %s: %s", what, e->status,
		    e->code[0] ? e->code : "none", rid, e->message);
		oerr_set(d, OERR_CREDS_UNAVAILABLE, "%s sent an answer that "
		    "cannot be used (HTTP %ld, Code %s, RequestId %s)", what,
		    e->status, e->code[0] ? e->code : "none", rid);
		break;
	}
	return -1;
}

/*
 * The call: build (for STS), send, parse, again on network errors, 5xx
 * and throttling, at most 1 + retries times.  For STS_PLAIN req is the
 * request every try sends.
 */
static int
sts_exchange(struct sts_call *call, const struct http_request *req,
    int allow_http, int use_proxy, struct oerr_detail *d)
{
	struct http_opts h;
	struct http_result res;
	int rc;

	sts_http_opts(call->o, call->what, allow_http, use_proxy, &h);
	if (call->kind == STS_PLAIN)
		h.req = req;
	else
		h.build = sts_build;
	h.judge = sts_judge;
	h.arg = call;
	memset(&call->e, 0, sizeof(call->e));
	call->r = STS_GARBAGE;
	rc = http_exchange(&h, &res) == 0 ? 0 :
	    sts_fail(call->what, &res, call->r, &call->e, d);
	http_result_clear(&res);
	sts_call_reset(call);
	return rc;
}

/* An STS call (AssumeRole, AssumeRoleWithOIDC) at now, into out. */
static int
sts_role_call(struct sts_call *call, time_t now, struct creds *out,
    struct oerr_detail *d)
{
	char host[LIMIT_URL_LEN];

	if (sts_url_host(call->o->endpoint, 0, host, sizeof(host)) == -1)
		return oerr_set(d, OERR_INTERNAL, NULL), -1;
	call->host = host;
	call->now = now;
	call->out = out;
	return sts_exchange(call, NULL, 0, 1, d);
}

int
sts_assume_role(const struct sts_opts *o, const struct creds *key,
    const struct sts_role *role, time_t now, struct creds *out,
    struct oerr_detail *d)
{
	struct sts_call call = { .o = o, .what = "STS AssumeRole",
	    .kind = STS_ASSUME, .action = "AssumeRole", .key = key,
	    .role = role };

	return sts_role_call(&call, now, out, d);
}

int
sts_assume_role_oidc(const struct sts_opts *o, const char *provider_arn,
    const char *token, const struct sts_role *role, time_t now,
    struct creds *out, struct oerr_detail *d)
{
	struct sts_call call = { .o = o, .what = "STS AssumeRoleWithOIDC",
	    .kind = STS_OIDC, .action = "AssumeRoleWithOIDC", .role = role,
	    .provider_arn = provider_arn, .token = token };

	return sts_role_call(&call, now, out, d);
}

/* The plain requests' judge: 200 done, 5xx and 429 again. */
static enum http_verdict
sts_plain_judge(void *arg, const struct http_response *resp)
{
	(void)arg;
	if (resp->status == 200)
		return HTTP_DONE;
	return resp->status >= 500 || resp->status == 429 ? HTTP_RETRY :
	    HTTP_FAIL;
}

/*
 * One plain metadata request, retried as opts says; the answer's body
 * into *body (wiped by sbuf_free).  Returns 0 or -1 with d filled.
 */
static int
sts_plain(const struct sts_opts *o, const char *what, const char *method,
    const char *url, const char *hname, const char *hval, struct sbuf *body,
    struct oerr_detail *d)
{
	struct http_header hdr = { hname, hval };
	struct http_request req = { method, url, &hdr, 1, NULL, 0 };
	struct http_opts h;
	struct http_result res;
	struct sts_error e;
	int rc = -1;

	sts_http_opts(o, what, 1, 0, &h);
	h.want[0] = NULL;
	h.req = &req;
	h.judge = sts_plain_judge;
	if (http_exchange(&h, &res) == 0) {
		sbuf_add(body, res.resp.body, res.resp.len);
		if (body->oom) {
			olog_err("%s: out of memory", what);
			oerr_set(d, OERR_INTERNAL, NULL);
		} else
			rc = 0;
		goto out;
	}
	memset(&e, 0, sizeof(e));
	e.status = res.resp.status;
	snprintf(e.message, sizeof(e.message), "%s %s answered HTTP %ld",
	    method, url, res.resp.status);
	sts_fail(what, &res, res.resp.status >= 500 ||
	    res.resp.status == 429 ? STS_RETRY : STS_GARBAGE, &e, d);
out:
	http_result_clear(&res);
	return rc;
}

int
sts_ecs_metadata(const struct sts_opts *o, const char *role, time_t now,
    struct creds *out, struct oerr_detail *d)
{
	struct sbuf tok = { 0 }, name = { 0 }, url = { 0 };
	struct sts_call call;
	struct http_header hdr;
	struct http_request req;
	char host[LIMIT_URL_LEN], ttl[16];
	const char *base, *what = "the ECS metadata service";
	size_t i;
	int rc = -1;

	if (sts_url_host(o->endpoint, 1, host, sizeof(host)) == -1) {
		oerr_set(d, OERR_INTERNAL, NULL);
		goto out;
	}
	base = strncmp(o->endpoint, "https://", 8) == 0 ? "https://" :
	    "http://";
	snprintf(ttl, sizeof(ttl), "%d", LIMIT_ECS_TOKEN_TTL);

	/* Token mode only: it defeats SSRF through a forwarding proxy. */
	sbuf_str(&url, base);
	sbuf_str(&url, host);
	sbuf_str(&url, "/latest/api/token");
	if (url.oom || sts_plain(o, what, "PUT", url.p,
	    "X-aliyun-ecs-metadata-token-ttl-seconds", ttl, &tok, d) == -1)
		goto out;
	if (!creds_printable(tok.p, LIMIT_ECS_TOKEN_LEN)) {
		olog_err("%s: the metadata token is malformed", what);
		oerr_set(d, OERR_CREDS_UNAVAILABLE, "%s sent an answer that "
		    "cannot be used", what);
		goto out;
	}

	if (role == NULL) {
		sbuf_free(&url);
		sbuf_str(&url, base);
		sbuf_str(&url, host);
		sbuf_str(&url, "/latest/meta-data/ram/security-credentials/");
		if (url.oom || sts_plain(o, what, "GET", url.p,
		    "X-aliyun-ecs-metadata-token", tok.p, &name, d) == -1)
			goto out;
		/* One role per instance; take the first line. */
		for (i = 0; i < name.len && name.p[i] != '\n' &&
		    name.p[i] != '\r'; i++)
			;
		if (name.p == NULL || i == 0 || i > LIMIT_ECS_ROLE_LEN)
			goto badrole;
		name.p[i] = '\0';
		if (!creds_charset(name.p, LIMIT_ECS_ROLE_LEN, "-_."))
			goto badrole;
		role = name.p;
	}

	sbuf_free(&url);
	sbuf_str(&url, base);
	sbuf_str(&url, host);
	sbuf_str(&url, "/latest/meta-data/ram/security-credentials/");
	acssig_pct_add(&url, role);
	if (url.oom) {
		oerr_set(d, OERR_INTERNAL, NULL);
		goto out;
	}
	hdr = (struct http_header){ "X-aliyun-ecs-metadata-token", tok.p };
	req = (struct http_request){ "GET", url.p, &hdr, 1, NULL, 0 };
	call = (struct sts_call){ .o = o, .what = what, .kind = STS_PLAIN,
	    .flat = 1, .now = now, .out = out };
	rc = sts_exchange(&call, &req, 1, 0, d);
	goto out;
badrole:
	olog_err("%s: no RAM role is attached to this instance (or its name "
	    "is malformed): attach one, or set ecs_role_name", what);
	oerr_set(d, OERR_CREDS_UNAVAILABLE, "%s names no usable RAM role",
	    what);
out:
	sbuf_free(&tok);
	sbuf_free(&name);
	sbuf_free(&url);
	return rc;
}

int
sts_credentials_uri(const struct sts_opts *o, const char *uri, time_t now,
    struct creds *out, struct oerr_detail *d)
{
	struct http_header hdr = { "Accept", "application/json" };
	struct http_request req = { "GET", uri, &hdr, 1, NULL, 0 };
	struct sts_call call = { .o = o, .what = "the credentials URI",
	    .kind = STS_PLAIN, .flat = 1, .now = now, .out = out };

	return sts_exchange(&call, &req, 1, 0, d);
}
