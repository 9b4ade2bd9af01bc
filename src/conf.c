/*
 * The configuration file parser; see conf.h and ossign.conf(5).
 * Table-driven: every key has a scope, a type and bounds, and every value
 * is checked here, at start, so that requests never meet a bad setting.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "conf.h"
#include "keyname.h"
#include "util.h"

const char *const conf_creds_names[CONF_CREDS__MAX] = {
	"env", "ram_role_arn", "ecs_ram_role", "oidc_role_arn",
	"credentials_uri",
};
static const char *const conf_sts_names[CONF_STS__MAX] = { "acs3", "rpc" };
static const char *const conf_keyname_names[CONF_KEYNAME__MAX] = {
	"original", "uuid",
};
const char *const conf_acl_names[CONF_ACL__MAX] = {
	"default", "private", "public-read", "any",
};
const char *const conf_auth_names[CONF_AUTH__MAX] = {
	"none", "remote_user", "jwt",
};
/* OSS's storage classes (x-oss-storage-class). */
static const char *const conf_storage_names[] = {
	"Standard", "IA", "Archive", "ColdArchive", "DeepColdArchive",
};

enum conf_scope { SCOPE_GLOBAL, SCOPE_UPLOAD };

enum conf_type {
	T_STR,		/* any text without control bytes */
	T_INT,		/* bounded integer */
	T_BOOL,		/* yes/no */
	T_CREDS,	/* enum conf_creds */
	T_STS,		/* enum conf_sts_sig */
	T_KEYNAME,	/* enum conf_keyname */
	T_BUCKET,
	T_REGION,
	T_URL,		/* http(s)://host[:port][/path], kept as written */
	T_URL_NOPATH,	/* http(s)://host[:port], a trailing '/' dropped */
	T_PATH,		/* absolute file system path */
	T_ORIGINS,
	T_CTYPES,
	T_PREFIX,
	T_STATUS,	/* 200, 201, 204 */
	T_SESSION_NAME,
	T_ROLE_ARN,
	T_SESSION_POLICY,
	T_HEADER,	/* an HTTP header value: printable ASCII */
	T_ACL,		/* enum conf_acl */
	T_STORAGE,	/* a storage class name */
	T_CB_KEY_URLS,	/* callback_key_urls: http(s) URLs (issue 10) */
	T_CB_BODY_TYPE,	/* enum callback_body_type (issue 10) */
	T_ADDRS,	/* addresses and CIDR ranges (netaddr), or "*" */
	/* issue 11 */
	T_AUTH,		/* enum conf_auth */
	T_JWT_KEY,	/* [hs256:]PATH [kid=KID]; may be repeated */
	T_CLAIM,	/* a JWT claim name */
	T_COOKIE,	/* a cookie name (RFC 6265 token) */
	T_RATE,		/* N/s N/min N/h */
	T_BURST,	/* a number of tokens */
	T_PROXIES,	/* IPv4/IPv6 addresses and ranges */
};

struct conf_key {
	const char	*name;
	enum conf_scope	 scope;
	enum conf_type	 type;
	size_t		 off;
	long long	 min, max;
	enum conf_cond	 cond;		/* for upload keys; __MAX: none */
	int		 line;		/* callback_line[] slot, or -1 */
};

#define G(n, t, f, lo, hi) \
	{ n, SCOPE_GLOBAL, t, offsetof(struct conf, f), lo, hi, CONF_COND__MAX, \
	    -1 }
#define U(n, t, f, lo, hi, c) \
	{ n, SCOPE_UPLOAD, t, offsetof(struct conf_upload, f), lo, hi, c, -1 }
/* An upload callback key (issue 10): no condition of its own. */
#define UCB(n, t, f, lo, hi, line) \
	{ n, SCOPE_UPLOAD, t, offsetof(struct conf_upload, f), lo, hi, \
	    CONF_COND__MAX, line }

static const struct conf_key conf_keys[] = {
	G("bucket", T_BUCKET, bucket, 0, 0),
	G("region", T_REGION, region, 0, 0),
	G("host", T_URL_NOPATH, host, 0, 0),
	G("credentials", T_CREDS, credentials, 0, 0),
	G("policy_ttl", T_INT, policy_ttl, LIMIT_TTL_MIN, LIMIT_TTL_MAX),
	G("cors_origins", T_ORIGINS, cors_origins, 0, 0),
	G("role_arn", T_ROLE_ARN, role_arn, 0, 0),
	G("role_session_name", T_SESSION_NAME, role_session_name, 0, 0),
	G("duration", T_INT, duration, 900, 43200),
	G("external_id", T_STR, external_id, 2, 1224),
	G("session_policy", T_SESSION_POLICY, session_policy, 0, 2048),
	G("sts_endpoint", T_URL_NOPATH, sts_endpoint, 0, 0),
	G("sts_signature", T_STS, sts_signature, 0, 0),
	G("connect_timeout", T_INT, connect_timeout, 1, 60),
	G("timeout", T_INT, timeout, 1, 300),
	G("retries", T_INT, retries, 0, 10),
	G("access_key_file", T_PATH, access_key_file, 0, 0),
	G("ecs_role_name", T_STR, ecs_role_name, 1, 64),
	G("metadata_endpoint", T_URL_NOPATH, metadata_endpoint, 0, 0),
	G("oidc_provider_arn", T_STR, oidc_provider_arn, 1, 512),
	G("oidc_token_file", T_PATH, oidc_token_file, 0, 0),
	G("credentials_uri", T_URL, credentials_uri, 0, 0),
	G("cache_dir", T_PATH, cache_dir, 0, 0),
	G("refresh_before", T_INT, refresh_before, 0, 43200),
	G("ca_file", T_PATH, ca_file, 0, 0),
	G("proxy", T_URL_NOPATH, proxy, 0, 0),
	/* issue 11: batch signing, health and metrics (helper J) */
	G("metrics", T_BOOL, metrics, 0, 0),
	G("metrics_allow", T_ADDRS, metrics_allow, 0, 0),
	U("batch_max", T_INT, batch_max, 1, LIMIT_BATCH_MAX, CONF_COND__MAX),
	U("key_prefix", T_PREFIX, key_prefix, 0, 0, CONF_COND_KEY),
	U("key_name", T_KEYNAME, key_name, 0, 0, CONF_COND_KEY),
	/* Up to 48.8 TiB with multipart = yes, else 5 GiB (conf_finish). */
	U("min_size", T_INT, min_size, 0, LIMIT_MULTIPART_OBJECT,
	    CONF_COND_RANGE),
	U("max_size", T_INT, max_size, 0, LIMIT_MULTIPART_OBJECT,
	    CONF_COND_RANGE),
	U("content_types", T_CTYPES, content_types, 0, 0, CONF_COND_CTYPE),
	U("forbid_overwrite", T_BOOL, forbid_overwrite, 0, 0,
	    CONF_COND_OVERWRITE),
	U("success_action_status", T_STATUS, success_action_status, 0, 0,
	    CONF_COND_STATUS),
	U("content_disposition", T_HEADER, content_disposition, 1,
	    LIMIT_HEADER_VALUE, CONF_COND_DISPOSITION),
	U("cache_control", T_HEADER, cache_control, 1, LIMIT_HEADER_VALUE,
	    CONF_COND_CACHE),
	U("object_acl", T_ACL, object_acl, 0, 0, CONF_COND_ACL),
	U("storage_class", T_STORAGE, storage_class, 0, 0, CONF_COND_STORAGE),
	/* issue 12: Uppy Companion's S3 routes; no policy condition */
	U("multipart", T_BOOL, multipart, 0, 0, CONF_COND__MAX),
	/* ---- upload callbacks (issue 10) ---- */
	G("secret_file", T_PATH, secret_file, 0, 0),
	G("callback_key_urls", T_CB_KEY_URLS, callback_key_urls, 0, 0),
	G("callback_public_key", T_PATH, callback_public_key, 0, 0),
	UCB("callback_url", T_STR, callback_url, 1,
	    LIMIT_CB_URLS * (LIMIT_URL_LEN + 1), 0),
	UCB("callback_host", T_STR, callback_host, 1, LIMIT_CB_HOST_LEN, 1),
	UCB("callback_sni", T_BOOL, callback_sni, 0, 0, -1),
	UCB("callback_body_type", T_CB_BODY_TYPE, callback_body_type, 0, 0,
	    -1),
	UCB("callback_body", T_STR, callback_body, 1, LIMIT_CB_TEMPLATE, 2),
	UCB("callback_insecure", T_BOOL, callback_insecure, 0, 0, -1),
	UCB("callback_verify_object", T_BOOL, callback_verify_object, 0, 0,
	    -1),
	UCB("callback_spool", T_PATH, callback_spool, 0, 0, -1),
	UCB("callback_forward", T_URL, callback_forward, 0, 0, -1),
	UCB("callback_timeout", T_INT, callback_timeout, 1,
	    LIMIT_CB_TIMEOUT_MAX, -1),
	/* ---- end of upload callbacks ---- */
	/* ---- issue 11: who may sign, and how often (gate.c) ---- */
	G("trusted_proxies", T_PROXIES, trusted_proxies, 0, 0),
	U("auth", T_AUTH, auth, 0, 0, CONF_COND__MAX),
	U("jwt_key", T_JWT_KEY, jwt_keys, 0, 0, CONF_COND__MAX),
	U("jwt_issuer", T_STR, jwt_issuer, 1, LIMIT_JWT_CLAIM_VALUE,
	    CONF_COND__MAX),
	U("jwt_audience", T_STR, jwt_audience, 1, LIMIT_JWT_CLAIM_VALUE,
	    CONF_COND__MAX),
	U("jwt_user_claim", T_CLAIM, jwt_user_claim, 1, LIMIT_JWT_CLAIM_NAME,
	    CONF_COND__MAX),
	U("jwt_leeway", T_INT, jwt_leeway, 0, LIMIT_JWT_LEEWAY,
	    CONF_COND__MAX),
	U("jwt_cookie", T_COOKIE, jwt_cookie, 1, LIMIT_JWT_COOKIE_NAME,
	    CONF_COND__MAX),
	U("rate_limit", T_RATE, rate, 0, 0, CONF_COND__MAX),
	U("rate_burst", T_BURST, rate_burst, 0, 0, CONF_COND__MAX),
	/* ---- end of issue 11 keys ---- */
};

#define CONF_NKEYS	(sizeof(conf_keys) / sizeof(conf_keys[0]))
#define META_PREFIX	"x-oss-meta-"

/* Parser state. */
struct conf_parser {
	struct conf	*conf;
	const char	*name;
	size_t		 line;
	char		*err;
	size_t		 errlen;
	int		 has_sections;
	int		 global_upload_keys;	/* upload keys seen globally */
	struct conf_upload *cur;		/* NULL: global scope */
	unsigned char	 seen_global[CONF_NKEYS];
	unsigned char	*seen_upload;		/* CONF_NKEYS per upload */
};

static int
conf_fail(struct conf_parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
conf_fail(struct conf_parser *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->line > 0)
		snprintf(p->err, p->errlen, "%s:%zu: %s", p->name, p->line, msg);
	else
		snprintf(p->err, p->errlen, "%s: %s", p->name, msg);
	return -1;
}

static void
conf_strv_free(char **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
conf_upload_clear(struct conf_upload *u)
{
	size_t i;

	free(u->name);
	free(u->key_prefix);
	free(u->content_disposition);
	free(u->cache_control);
	free(u->storage_class);
	conf_strv_free(u->content_types, u->ncontent_types);
	free(u->callback_url);
	free(u->callback_host);
	free(u->callback_body);
	free(u->callback_param);
	free(u->callback_spool);
	free(u->callback_forward);
	for (i = 0; i < u->njwt_keys; i++) {
		free(u->jwt_keys[i].path);
		free(u->jwt_keys[i].kid);
	}
	free(u->jwt_keys);
	free(u->jwt_issuer);
	free(u->jwt_audience);
	free(u->jwt_user_claim);
	free(u->jwt_cookie);
	for (i = 0; i < u->nmeta; i++) {
		free(u->meta[i].field);
		free(u->meta[i].value);
	}
	free(u->meta);
}

void
conf_free(struct conf *c)
{
	size_t i;

	if (c == NULL)
		return;
	free(c->path);
	free(c->bucket);
	free(c->region);
	free(c->host);
	conf_strv_free(c->cors_origins, c->ncors_origins);
	free(c->role_arn);
	free(c->role_session_name);
	free(c->external_id);
	free(c->session_policy);
	free(c->sts_endpoint);
	free(c->access_key_file);
	free(c->ecs_role_name);
	free(c->metadata_endpoint);
	free(c->oidc_provider_arn);
	free(c->oidc_token_file);
	free(c->credentials_uri);
	free(c->cache_dir);
	free(c->ca_file);
	free(c->proxy);
	free(c->secret_file);
	conf_strv_free(c->callback_key_urls, c->ncallback_key_urls);
	free(c->callback_public_key);
	free(c->metrics_allow);
	free(c->trusted_proxies);
	for (i = 0; i < c->nuploads; i++)
		conf_upload_clear(&c->uploads[i]);
	free(c->uploads);
	free(c);
}

const struct conf_upload *
conf_upload_find(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nuploads; i++)
		if (strcmp(c->uploads[i].name, name) == 0)
			return &c->uploads[i];
	return NULL;
}

/* metrics_allow's default: 127.0.0.0/8 and ::1. */
static const struct netaddr_cidr conf_loopback[] = {
	{ { 0, { 127 } }, 8 },
	{ { 1, { [15] = 1 } }, 128 },
};

int
conf_metrics_allowed(const struct conf *c, const char *addr)
{
	struct netaddr a;

	if (c->metrics_allow_any)
		return 1;
	if (addr == NULL || netaddr_parse(addr, strlen(addr), &a) == -1)
		return 0;
	if (c->metrics_allow == NULL)
		return netaddr_in(&a, conf_loopback, sizeof(conf_loopback) /
		    sizeof(conf_loopback[0]));
	return netaddr_in(&a, c->metrics_allow, c->nmetrics_allow);
}

int
conf_has_callbacks(const struct conf *c)
{
	size_t i;

	for (i = 0; i < c->nuploads; i++)
		if (c->uploads[i].callback.url != NULL)
			return 1;
	return 0;
}

int
conf_origin_allowed(const struct conf *c, const char *origin)
{
	size_t i;

	if (origin == NULL || *origin == '\0')
		return 0;
	if (c->cors_any)
		return 1;
	for (i = 0; i < c->ncors_origins; i++)
		if (strcmp(c->cors_origins[i], origin) == 0)
			return 1;
	return 0;
}

/* No control bytes, valid UTF-8. */
static int
conf_text_ok(const char *v)
{
	return !util_has_ctl(v) && util_utf8_valid(v, strlen(v));
}

static int
conf_charset(const char *v, const char *extra)
{
	for (; *v != '\0'; v++)
		if (!isalnum((unsigned char)*v) && strchr(extra, *v) == NULL)
			return 0;
	return 1;
}

/* scheme://host[:port][/path], no spaces, no userinfo. */
static int
conf_url_ok(const char *v, int allow_path)
{
	const char *h, *end;

	if (strncmp(v, "https://", 8) == 0)
		h = v + 8;
	else if (strncmp(v, "http://", 7) == 0)
		h = v + 7;
	else
		return 0;
	end = h + strcspn(h, "/");
	if (end == h || memchr(h, '@', (size_t)(end - h)) != NULL)
		return 0;
	for (; h < end; h++)
		if (!isalnum((unsigned char)*h) && strchr(".-:[]", *h) == NULL)
			return 0;
	if (*end != '\0' && !allow_path)
		return 0;
	for (; *end != '\0'; end++)
		if ((unsigned char)*end <= 0x20 || (unsigned char)*end >= 0x7f)
			return 0;
	return 1;
}

static int
conf_ctype_ok(const char *v)
{
	const char *slash = strchr(v, '/');
	static const char tchar[] = "!#$&-^_.+";

	if (slash == NULL || slash == v || slash[1] == '\0' ||
	    strlen(v) > LIMIT_CTYPE_LEN)
		return 0;
	for (; *v != '\0'; v++) {
		if (v == slash)
			continue;
		if (!isalnum((unsigned char)*v) && strchr(tchar, *v) == NULL)
			return 0;
	}
	return 1;
}

/* Split v on spaces into a new string vector. */
static int
conf_split(struct conf_parser *p, const char *v, size_t max, char ***out,
    size_t *n)
{
	char *copy, *tok, *save = NULL;
	char **vec;

	if ((copy = strdup(v)) == NULL)
		return conf_fail(p, "out of memory");
	if ((vec = calloc(max, sizeof(*vec))) == NULL) {
		free(copy);
		return conf_fail(p, "out of memory");
	}
	*n = 0;
	for (tok = strtok_r(copy, " \t", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t", &save)) {
		if (*n == max) {
			conf_strv_free(vec, *n);
			free(copy);
			return conf_fail(p, "too many values (at most %zu)",
			    max);
		}
		if ((vec[(*n)++] = strdup(tok)) == NULL) {
			conf_strv_free(vec, *n);
			free(copy);
			return conf_fail(p, "out of memory");
		}
	}
	free(copy);
	*out = vec;
	return 0;
}

static int
conf_enum(const char *v, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v, names[i]) == 0)
			return (int)i;
	return -1;
}

static int
conf_set_str(struct conf_parser *p, char **dst, const char *v)
{
	free(*dst);
	if ((*dst = strdup(v)) == NULL)
		return conf_fail(p, "out of memory");
	return 0;
}

static int
conf_bucket_ok(const char *v)
{
	size_t len = strlen(v);

	return len >= 3 && len <= 63 && conf_charset(v, "-") &&
	    v[0] != '-' && v[len - 1] != '-' &&
	    strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789-") == len;
}

/* ---- issue 11: auth and rate-limit values ---- */

/* Printable ASCII without spaces. */
static int
conf_token_ok(const char *v)
{
	if (*v == '\0')
		return 0;
	for (; *v != '\0'; v++)
		if ((unsigned char)*v <= 0x20 || (unsigned char)*v >= 0x7f)
			return 0;
	return 1;
}

/* One jwt_key line: "[hs256:]PATH [kid=KID]", added to the section. */
static int
conf_jwt_key(struct conf_parser *p, struct conf_upload *u, const char *v)
{
	struct conf_jwt_key k, *keys;
	const char *kid = NULL, *sp;
	size_t plen;

	memset(&k, 0, sizeof(k));
	if (u->njwt_keys == LIMIT_JWT_KEY_FILES)
		return conf_fail(p, "jwt_key: at most %d per section (a JWKS "
		    "file holds many keys)", LIMIT_JWT_KEY_FILES);
	if (strncmp(v, "hs256:", 6) == 0) {
		k.hs256 = 1;
		v += 6;
	}
	plen = strlen(v);
	if ((sp = strrchr(v, ' ')) != NULL && strncmp(sp + 1, "kid=", 4) ==
	    0) {
		kid = sp + 5;
		plen = (size_t)(sp - v);
		while (plen > 0 && (v[plen - 1] == ' ' || v[plen - 1] == '\t'))
			plen--;
		if (!conf_token_ok(kid) || strlen(kid) > LIMIT_JWT_KID)
			return conf_fail(p, "jwt_key: kid= takes 1 to %d "
			    "printable ASCII bytes", LIMIT_JWT_KID);
	}
	if (plen == 0 || v[0] != '/' || plen > 1024)
		return conf_fail(p, "jwt_key: expected [hs256:]/ABSOLUTE/PATH "
		    "[kid=KID]");
	if ((k.path = strndup(v, plen)) == NULL ||
	    (kid != NULL && (k.kid = strdup(kid)) == NULL)) {
		free(k.path);
		return conf_fail(p, "out of memory");
	}
	if (!conf_text_ok(k.path)) {
		free(k.path);
		free(k.kid);
		return conf_fail(p, "jwt_key: the path holds control bytes");
	}
	k.line = p->line;
	if ((keys = reallocarray(u->jwt_keys, u->njwt_keys + 1,
	    sizeof(*keys))) == NULL) {
		free(k.path);
		free(k.kid);
		return conf_fail(p, "out of memory");
	}
	u->jwt_keys = keys;
	u->jwt_keys[u->njwt_keys++] = k;
	return 0;
}

/* trusted_proxies: space-separated addresses and ranges. */
static int
conf_proxies(struct conf_parser *p, const char *v)
{
	struct conf *c = p->conf;
	char **words = NULL, why[160];
	size_t n = 0, i;
	int rc = 0;

	if (conf_split(p, v, LIMIT_TRUSTED_PROXIES, &words, &n) == -1)
		return -1;
	if ((c->trusted_proxies = calloc(n > 0 ? n : 1,
	    sizeof(*c->trusted_proxies))) == NULL)
		rc = conf_fail(p, "out of memory");
	for (i = 0; rc == 0 && i < n; i++)
		if (netaddr_cidr_parse(words[i], &c->trusted_proxies[i], why,
		    sizeof(why)) == -1)
			rc = conf_fail(p, "trusted_proxies: %s", why);
	if (rc == 0)
		c->ntrusted_proxies = n;
	conf_strv_free(words, n);
	return rc;
}

/* A section's auth and rate settings, once it is read whole. */
static int
conf_finish_gate(struct conf_parser *p, struct conf_upload *u)
{
	int needs_user = keyname_prefix_needs_user(u->key_prefix);

	if (u->auth == CONF_AUTH__MAX)
		u->auth = needs_user ? CONF_AUTH_REMOTE_USER : CONF_AUTH_NONE;
	if (u->auth == CONF_AUTH_NONE && needs_user)
		return conf_fail(p, "[upload %s]: key_prefix uses ${user} but "
		    "auth = none gives no user (remote_user or jwt)",
		    u->name);
	if (u->auth == CONF_AUTH_JWT && u->njwt_keys == 0)
		return conf_fail(p, "[upload %s]: auth = jwt needs jwt_key",
		    u->name);
	if (u->auth != CONF_AUTH_JWT && (u->njwt_keys > 0 ||
	    u->jwt_issuer != NULL || u->jwt_audience != NULL ||
	    u->jwt_user_claim != NULL || u->jwt_cookie != NULL ||
	    u->jwt_leeway != DEFAULT_JWT_LEEWAY))
		return conf_fail(p, "[upload %s]: jwt_ keys are set but auth "
		    "is %s (set auth = jwt)", u->name,
		    conf_auth_names[u->auth]);
	if (u->rate_burst > 0 && !u->has_rate)
		return conf_fail(p, "[upload %s]: rate_burst needs rate_limit",
		    u->name);
	if (u->has_rate && u->rate_burst > 0)
		u->rate.burst = u->rate_burst;
	return 0;
}
/* ---- end of issue 11 values ---- */

static int
conf_set(struct conf_parser *p, const struct conf_key *k, void *base,
    const char *v)
{
	char *field = (char *)base + k->off;
	const char *errstr;
	long long n;
	size_t i, len = strlen(v);
	int e;

	switch (k->type) {
	case T_STR:
		if (!conf_text_ok(v) || (long long)len < k->min ||
		    (long long)len > k->max)
			return conf_fail(p, "%s: invalid value", k->name);
		return conf_set_str(p, (char **)field, v);
	case T_INT:
		if (util_strtonum(v, k->min, k->max, &n, &errstr) == -1)
			return conf_fail(p, "%s: %s is %s (%lld..%lld)", k->name,
			    v, errstr, k->min, k->max);
		*(long long *)field = n;
		return 0;
	case T_BOOL:
		if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
		    strcmp(v, "on") == 0)
			*(int *)field = 1;
		else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 ||
		    strcmp(v, "off") == 0)
			*(int *)field = 0;
		else
			return conf_fail(p, "%s: expected yes or no, not %s",
			    k->name, v);
		return 0;
	case T_CREDS:
		if ((e = conf_enum(v, conf_creds_names, CONF_CREDS__MAX)) < 0)
			return conf_fail(p, "credentials: unknown source %s "
			    "(env, ram_role_arn, ecs_ram_role, oidc_role_arn, "
			    "credentials_uri)", v);
		*(enum conf_creds *)field = (enum conf_creds)e;
		return 0;
	case T_STS:
		if ((e = conf_enum(v, conf_sts_names, CONF_STS__MAX)) < 0)
			return conf_fail(p, "sts_signature: expected acs3 or "
			    "rpc, not %s", v);
		*(enum conf_sts_sig *)field = (enum conf_sts_sig)e;
		return 0;
	case T_KEYNAME:
		if ((e = conf_enum(v, conf_keyname_names,
		    CONF_KEYNAME__MAX)) < 0)
			return conf_fail(p, "key_name: expected original or "
			    "uuid, not %s", v);
		*(enum conf_keyname *)field = (enum conf_keyname)e;
		return 0;
	case T_BUCKET:
		if (!conf_bucket_ok(v))
			return conf_fail(p, "bucket: %s is not a valid bucket "
			    "name (3-63 of a-z 0-9 -)", v);
		return conf_set_str(p, (char **)field, v);
	case T_REGION:
		if (strncmp(v, "oss-", 4) == 0)
			v += 4;
		len = strlen(v);
		if (len == 0 || len > 64 ||
		    strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789-") != len)
			return conf_fail(p, "region: %s is not a region id "
			    "(like cn-hangzhou)", v);
		return conf_set_str(p, (char **)field, v);
	case T_URL:
		/*
		 * A path is the server's to interpret: kept byte for byte
		 * (http://h/latest/creds/ is not http://h/latest/creds).
		 */
		if (len > 1024)
			return conf_fail(p, "%s: too long", k->name);
		if (!conf_url_ok(v, 1))
			return conf_fail(p, "%s: %s is not an http(s) URL",
			    k->name, v);
		return conf_set_str(p, (char **)field, v);
	case T_URL_NOPATH: {
		char *u;

		if (len > 1024)
			return conf_fail(p, "%s: too long", k->name);
		if (conf_set_str(p, (char **)field, v) == -1)
			return -1;
		/*
		 * Where the path must be empty, "https://h/" means
		 * "https://h" (and "host/" + key would double the '/').
		 */
		u = *(char **)field;
		while (len > 0 && u[len - 1] == '/')
			u[--len] = '\0';
		if (!conf_url_ok(u, 0))
			return conf_fail(p, "%s: %s is not an http(s) URL "
			    "without a path", k->name, v);
		return 0;
	}
	case T_PATH:
		if (v[0] != '/' || !conf_text_ok(v) || len > 1024)
			return conf_fail(p, "%s: %s is not an absolute path",
			    k->name, v);
		return conf_set_str(p, (char **)field, v);
	case T_ORIGINS:
		if (strcmp(v, "*") == 0) {
			p->conf->cors_any = 1;
			return 0;
		}
		if (conf_split(p, v, LIMIT_ORIGINS, &p->conf->cors_origins,
		    &p->conf->ncors_origins) == -1)
			return -1;
		for (i = 0; i < p->conf->ncors_origins; i++) {
			const char *o = p->conf->cors_origins[i];

			if (strcmp(o, "*") == 0)
				return conf_fail(p, "cors_origins: * must "
				    "stand alone");
			if (!conf_url_ok(o, 0) || strlen(o) > LIMIT_ORIGIN_LEN)
				return conf_fail(p, "cors_origins: %s is not "
				    "an origin (scheme://host[:port])", o);
		}
		return 0;
	case T_CTYPES: {
		struct conf_upload *u = base;

		if (conf_split(p, v, LIMIT_CTYPES, &u->content_types,
		    &u->ncontent_types) == -1)
			return -1;
		for (i = 0; i < u->ncontent_types; i++) {
			char *t = u->content_types[i];

			if (strchr(t, '*') != NULL)
				return conf_fail(p, "content_types: %s: "
				    "wildcards are not allowed", t);
			if (!conf_ctype_ok(t))
				return conf_fail(p, "content_types: %s is not "
				    "an exact type/subtype", t);
			for (; *t != '\0'; t++)
				*t = (char)tolower((unsigned char)*t);
		}
		return 0;
	}
	case T_PREFIX: {
		char why[128];

		if (keyname_prefix_check(v, why, sizeof(why)) == -1)
			return conf_fail(p, "key_prefix: %s", why);
		return conf_set_str(p, (char **)field, v);
	}
	case T_STATUS:
		if (strcmp(v, "200") != 0 && strcmp(v, "201") != 0 &&
		    strcmp(v, "204") != 0)
			return conf_fail(p, "success_action_status: expected "
			    "200, 201 or 204, not %s", v);
		*(int *)field = atoi(v);	/* one of three literals */
		return 0;
	case T_SESSION_NAME:
		if (len < 2 || len > 64 || !conf_charset(v, ".@-_"))
			return conf_fail(p, "role_session_name: 2 to 64 of "
			    "A-Z a-z 0-9 . @ - _");
		return conf_set_str(p, (char **)field, v);
	case T_ROLE_ARN:
		if (strncmp(v, "acs:ram::", 9) != 0 || strstr(v, ":role/") ==
		    NULL || !conf_charset(v, ":/-_.@"))
			return conf_fail(p, "role_arn: %s is not a role ARN "
			    "(acs:ram::UID:role/NAME)", v);
		return conf_set_str(p, (char **)field, v);
	case T_SESSION_POLICY: {
		json_object *j;

		if (strcmp(v, "auto") == 0) {
			p->conf->session_policy_auto = 1;
			return 0;
		}
		if ((long long)len > k->max)
			return conf_fail(p, "session_policy: longer than %lld "
			    "characters", k->max);
		if ((j = json_tokener_parse(v)) == NULL ||
		    !json_object_is_type(j, json_type_object)) {
			json_object_put(j);
			return conf_fail(p, "session_policy: not a JSON "
			    "object (or auto)");
		}
		json_object_put(j);
		return conf_set_str(p, (char **)field, v);
	}
	case T_HEADER:
		for (i = 0; i < len; i++)
			if ((unsigned char)v[i] < 0x20 ||
			    (unsigned char)v[i] > 0x7e)
				return conf_fail(p, "%s: printable ASCII only "
				    "(it becomes an HTTP header)", k->name);
		if ((long long)len > k->max)
			return conf_fail(p, "%s: longer than %lld bytes",
			    k->name, k->max);
		return conf_set_str(p, (char **)field, v);
	case T_ACL:
		if (strcmp(v, "public-read-write") == 0)
			return conf_fail(p, "object_acl: public-read-write "
			    "would let anyone replace or delete the object; "
			    "refused");
		if ((e = conf_enum(v, conf_acl_names, CONF_ACL__MAX)) < 0)
			return conf_fail(p, "object_acl: expected default, "
			    "private, public-read or any, not %s", v);
		*(enum conf_acl *)field = (enum conf_acl)e;
		return 0;
	case T_ADDRS: {
		char **v2 = NULL, why[256];
		size_t n2 = 0;

		if (strcmp(v, "*") == 0) {
			p->conf->metrics_allow_any = 1;
			return 0;
		}
		if (conf_split(p, v, LIMIT_ADDRS, &v2, &n2) == -1)
			return -1;
		if ((p->conf->metrics_allow = calloc(n2,
		    sizeof(*p->conf->metrics_allow))) == NULL) {
			conf_strv_free(v2, n2);
			return conf_fail(p, "out of memory");
		}
		for (i = 0; i < n2; i++)
			if (netaddr_cidr_parse(v2[i],
			    &p->conf->metrics_allow[i], why, sizeof(why)) ==
			    -1) {
				conf_fail(p, "%s: %s (or * for any)", k->name,
				    why);
				conf_strv_free(v2, n2);
				return -1;
			}
		p->conf->nmetrics_allow = n2;
		conf_strv_free(v2, n2);
		return 0;
	}
	case T_AUTH:
		if ((e = conf_enum(v, conf_auth_names, CONF_AUTH__MAX)) < 0)
			return conf_fail(p, "auth: expected none, remote_user "
			    "or jwt, not %s", v);
		*(enum conf_auth *)field = (enum conf_auth)e;
		return 0;
	case T_JWT_KEY:
		return conf_jwt_key(p, base, v);
	case T_CLAIM:
		if ((long long)len > k->max || !conf_token_ok(v))
			return conf_fail(p, "%s: a claim name of 1 to %lld "
			    "printable ASCII bytes", k->name, k->max);
		if (strcmp(v, "exp") == 0 || strcmp(v, "nbf") == 0 ||
		    strcmp(v, "iat") == 0 || strcmp(v, "aud") == 0)
			return conf_fail(p, "%s: %s is not a user name",
			    k->name, v);
		return conf_set_str(p, (char **)field, v);
	case T_COOKIE:
		if ((long long)len > k->max || !conf_token_ok(v) ||
		    strpbrk(v, "()<>@,;:\\\"/[]?={}") != NULL)
			return conf_fail(p, "%s: a cookie name (RFC 6265 "
			    "token) of 1 to %lld bytes", k->name, k->max);
		return conf_set_str(p, (char **)field, v);
	case T_RATE: {
		struct conf_upload *u = base;
		char why[128];

		if (ratelimit_parse(v, NULL, &u->rate, why, sizeof(why)) == -1)
			return conf_fail(p, "%s", why);
		u->has_rate = 1;
		return 0;
	}
	case T_BURST: {
		struct ratelimit_rate r;
		char why[128];

		/* ratelimit.c's number rules, on a rate of its own. */
		if (ratelimit_parse("1/s", v, &r, why, sizeof(why)) == -1)
			return conf_fail(p, "%s", why);
		*(long long *)field = r.burst;
		return 0;
	}
	case T_PROXIES:
		return conf_proxies(p, v);
	case T_STORAGE:
		if (conf_enum(v, conf_storage_names,
		    sizeof(conf_storage_names) /
		    sizeof(conf_storage_names[0])) < 0)
			return conf_fail(p, "storage_class: expected Standard, "
			    "IA, Archive, ColdArchive or DeepColdArchive, "
			    "not %s", v);
		return conf_set_str(p, (char **)field, v);
	case T_CB_KEY_URLS:
		if (conf_split(p, v, LIMIT_CB_KEY_URLS, &p->conf->callback_key_urls,
		    &p->conf->ncallback_key_urls) == -1)
			return -1;
		for (i = 0; i < p->conf->ncallback_key_urls; i++) {
			const char *u = p->conf->callback_key_urls[i];

			if (strlen(u) > LIMIT_URL_LEN || !conf_url_ok(u, 1) ||
			    strchr(u, '#') != NULL)
				return conf_fail(p, "callback_key_urls: %.64s is "
				    "not an http(s) URL", u);
		}
		return 0;
	case T_CB_BODY_TYPE:
		for (e = 0; e < CALLBACK_BODY__MAX; e++)
			if (strcmp(v, callback_body_types[e]) == 0)
				break;
		if (e == CALLBACK_BODY__MAX)
			return conf_fail(p, "callback_body_type: expected %s or "
			    "%s, not %s", callback_body_types[CALLBACK_JSON],
			    callback_body_types[CALLBACK_FORM], v);
		*(int *)field = e;
		return 0;
	}
	return conf_fail(p, "%s: internal error", k->name);
}

static void
conf_upload_defaults(struct conf_upload *u)
{
	u->key_name = CONF_KEYNAME_ORIGINAL;
	u->min_size = 0;
	u->max_size = DEFAULT_MAX_SIZE;
	u->forbid_overwrite = 0;
	u->success_action_status = 0;
	u->object_acl = CONF_ACL_DEFAULT;
	u->callback_sni = -1;
	u->callback_body_type = CALLBACK_JSON;
	u->callback_timeout = DEFAULT_CB_TIMEOUT;
	u->batch_max = DEFAULT_BATCH_MAX;
	u->auth = CONF_AUTH__MAX;	/* resolved by conf_finish */
	u->jwt_leeway = DEFAULT_JWT_LEEWAY;
}

static void
conf_order_add(struct conf_upload *u, enum conf_cond kind, size_t meta)
{
	size_t i;

	if (kind != CONF_COND_META)
		for (i = 0; i < u->norder; i++)
			if (u->order[i].kind == kind)
				return;
	u->order[u->norder].kind = kind;
	u->order[u->norder].meta = meta;
	u->norder++;
}

static int
conf_new_upload(struct conf_parser *p, const char *name)
{
	struct conf_upload *u;
	unsigned char *seen;
	size_t n = p->conf->nuploads;

	if (n == LIMIT_CONF_UPLOADS)
		return conf_fail(p, "too many [upload] sections");
	if (conf_upload_find(p->conf, name) != NULL)
		return conf_fail(p, "[upload %s] appears twice", name);
	if ((u = reallocarray(p->conf->uploads, n + 1, sizeof(*u))) == NULL)
		return conf_fail(p, "out of memory");
	p->conf->uploads = u;
	if ((seen = reallocarray(p->seen_upload, n + 1, CONF_NKEYS)) == NULL)
		return conf_fail(p, "out of memory");
	p->seen_upload = seen;
	memset(seen + n * CONF_NKEYS, 0, CONF_NKEYS);
	u = &p->conf->uploads[n];
	memset(u, 0, sizeof(*u));
	conf_upload_defaults(u);
	p->conf->nuploads++;
	if ((u->name = strdup(name)) == NULL)
		return conf_fail(p, "out of memory");
	p->cur = u;
	return 0;
}

static int
conf_meta(struct conf_parser *p, struct conf_upload *u, const char *key,
    const char *v)
{
	const char *name = key + strlen(META_PREFIX);
	struct conf_meta *m;
	size_t i;
	char *f;

	if (*name == '\0' || !conf_charset(name, "-_") || strlen(key) > 128)
		return conf_fail(p, "%s: metadata names are a-z 0-9 - _", key);
	if (!conf_text_ok(v) || strlen(v) > LIMIT_FIELD_VALUE)
		return conf_fail(p, "%s: invalid value", key);
	for (i = 0; i < u->nmeta; i++)
		if (strcasecmp(u->meta[i].field, key) == 0)
			return conf_fail(p, "%s is set twice", key);
	if (u->nmeta == LIMIT_META)
		return conf_fail(p, "too many x-oss-meta- keys (at most %d)",
		    LIMIT_META);
	if ((m = reallocarray(u->meta, u->nmeta + 1, sizeof(*m))) == NULL)
		return conf_fail(p, "out of memory");
	u->meta = m;
	m = &u->meta[u->nmeta];
	if ((m->field = strdup(key)) == NULL)
		return conf_fail(p, "out of memory");
	if ((m->value = strdup(v)) == NULL) {
		free(m->field);
		return conf_fail(p, "out of memory");
	}
	for (f = m->field; *f != '\0'; f++)
		*f = (char)tolower((unsigned char)*f);
	conf_order_add(u, CONF_COND_META, u->nmeta);
	u->nmeta++;
	return 0;
}

static int
conf_line(struct conf_parser *p, char *s)
{
	const struct conf_key *k = NULL;
	struct conf_upload *u;
	unsigned char *seen;
	char *eq, *key, *val, *end;
	size_t i;

	/* Trim; skip blanks and comments. */
	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r'))
		*--end = '\0';
	if (*s == '\0' || *s == '#')
		return 0;

	if (*s == '[') {
		char name[LIMIT_UPLOAD_NAME + 2];
		size_t len;

		if (end[-1] != ']' || strncmp(s, "[upload ", 8) != 0)
			return conf_fail(p, "expected [upload NAME]");
		end[-1] = '\0';
		key = s + 8;
		while (*key == ' ')
			key++;
		len = strlen(key);
		while (len > 0 && key[len - 1] == ' ')
			key[--len] = '\0';
		if (len == 0 || len > LIMIT_UPLOAD_NAME ||
		    !conf_charset(key, "-_"))
			return conf_fail(p, "upload names are 1 to %d of "
			    "A-Z a-z 0-9 - _", LIMIT_UPLOAD_NAME);
		if (p->global_upload_keys)
			return conf_fail(p, "upload keys appear before the "
			    "first [upload] section; move them into one");
		snprintf(name, sizeof(name), "%s", key);
		p->has_sections = 1;
		return conf_new_upload(p, name);
	}

	if ((eq = strchr(s, '=')) == NULL)
		return conf_fail(p, "expected key = value");
	*eq = '\0';
	key = s;
	val = eq + 1;
	end = eq;
	while (end > key && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	while (*val == ' ' || *val == '\t')
		val++;
	/* An inline comment needs a blank before the '#'. */
	for (end = val; *end != '\0'; end++)
		if (*end == '#' && end > val &&
		    (end[-1] == ' ' || end[-1] == '\t')) {
			*end = '\0';
			while (end > val && (end[-1] == ' ' || end[-1] == '\t'))
				*--end = '\0';
			break;
		}
	if (*key == '\0')
		return conf_fail(p, "expected key = value");
	if (*val == '\0')
		return conf_fail(p, "%s: empty value", key);

	for (i = 0; i < CONF_NKEYS; i++)
		if (strcmp(conf_keys[i].name, key) == 0) {
			k = &conf_keys[i];
			break;
		}
	if (k == NULL && strncasecmp(key, META_PREFIX,
	    strlen(META_PREFIX)) != 0)
		return conf_fail(p, "unknown key %s", key);

	if (k != NULL && k->scope == SCOPE_GLOBAL) {
		if (p->has_sections)
			return conf_fail(p, "%s is a global key: put it above "
			    "the first [upload] section", key);
		if (p->seen_global[i])
			return conf_fail(p, "%s is set twice", key);
		p->seen_global[i] = 1;
		return conf_set(p, k, p->conf, val);
	}

	/* An upload key: outside sections it builds the default upload. */
	if (p->cur == NULL) {
		if (conf_new_upload(p, DEFAULT_UPLOAD) == -1)
			return -1;
		p->global_upload_keys = 1;
	}
	u = p->cur;
	if (k == NULL)
		return conf_meta(p, u, key, val);
	seen = p->seen_upload + (size_t)(u - p->conf->uploads) * CONF_NKEYS;
	/* jwt_key lines add up: one key file each (issue 11). */
	if (seen[i] && k->type != T_JWT_KEY)
		return conf_fail(p, "%s is set twice", key);
	seen[i] = 1;
	if (k->cond != CONF_COND__MAX)
		conf_order_add(u, k->cond, 0);
	/* issue 12: conf_finish names these lines. */
	if (k->off == offsetof(struct conf_upload, max_size))
		u->max_size_line = p->line;
	else if (k->off == offsetof(struct conf_upload, multipart))
		u->multipart_line = p->line;
	if (k->line >= 0)
		u->callback_line[k->line] = p->line;
	return conf_set(p, k, u, val);
}

/*
 * An upload section's callback keys (issue 10), once its section is read:
 * the settings callback.h checks, each error on the line of the key it
 * names.
 */
static int
conf_finish_callback(struct conf_parser *p, struct conf_upload *u,
    const unsigned char *seen)
{
	struct callback_settings *s = &u->callback;
	enum callback_key bad;
	char err[480];
	size_t i;

	if (u->callback_url == NULL) {
		for (i = 0; i < CONF_NKEYS; i++)
			if (seen != NULL && seen[i] &&
			    strncmp(conf_keys[i].name, "callback_",
			    9) == 0)
				return conf_fail(p, "[upload %s]: %s needs "
				    "callback_url", u->name, conf_keys[i].name);
		return 0;
	}
	s->url = u->callback_url;
	s->host = u->callback_host;
	s->sni = u->callback_sni;
	s->body_type = (enum callback_body_type)u->callback_body_type;
	s->body = u->callback_body;
	s->insecure = u->callback_insecure;
	if (callback_settings_check(s, &bad, err, sizeof(err)) == -1) {
		/* The slots of callback_line are callback_key's. */
		p->line = u->callback_line[bad] > 0 ? u->callback_line[bad] :
		    u->callback_line[CALLBACK_KEY_URL];
		memset(s, 0, sizeof(*s));
		return conf_fail(p, "[upload %s] %s", u->name, err);
	}
	if (u->callback_verify_object && p->conf->session_policy_auto) {
		p->line = u->callback_line[0];
		memset(s, 0, sizeof(*s));
		return conf_fail(p, "[upload %s]: callback_verify_object needs "
		    "oss:GetObject, which session_policy = auto does not grant "
		    "(its token reaches browsers)", u->name);
	}
	if (u->callback_forward != NULL && p->conf->secret_file == NULL) {
		p->line = u->callback_line[0];
		memset(s, 0, sizeof(*s));
		return conf_fail(p, "[upload %s]: callback_forward needs "
		    "secret_file: the application checks X-Ossign-Signature "
		    "with the same secret", u->name);
	}
	/* The same for every signature of the section: made once. */
	if ((u->callback_param = callback_param(s)) == NULL) {
		memset(s, 0, sizeof(*s));
		return conf_fail(p, "out of memory");
	}
	s->param = u->callback_param;
	p->line = 0;
	return 0;
}

/* Checks that span keys, and defaults, once the whole file is read. */
static int
conf_finish(struct conf_parser *p)
{
	struct conf *c = p->conf;
	char host[300];
	size_t i;
	enum conf_cond kind;

	p->line = 0;
	if (c->bucket == NULL)
		return conf_fail(p, "bucket is not set");
	if (c->region == NULL)
		return conf_fail(p, "region is not set");
	if (c->host == NULL) {
		snprintf(host, sizeof(host), "https://%s.oss-%s.aliyuncs.com",
		    c->bucket, c->region);
		if ((c->host = strdup(host)) == NULL)
			return conf_fail(p, "out of memory");
	}
	if (c->policy_ttl == 0)
		c->policy_ttl = DEFAULT_POLICY_TTL;
	if (c->cache_dir == NULL &&
	    (c->cache_dir = strdup(DEFAULT_CACHE_DIR)) == NULL)
		return conf_fail(p, "out of memory");
	/* Every outbound call's (STS, OSS, the credential sources). */
	if (c->connect_timeout == 0)
		c->connect_timeout = DEFAULT_CONNECT_TIMEOUT;
	if (c->timeout == 0)
		c->timeout = DEFAULT_TIMEOUT;
	if (c->retries < 0)
		c->retries = DEFAULT_RETRIES;
	if (c->nuploads == 0 && conf_new_upload(p, DEFAULT_UPLOAD) == -1)
		return -1;
	for (i = 0; i < c->nuploads; i++) {
		struct conf_upload *u = &c->uploads[i];

		if (u->min_size > u->max_size)
			return conf_fail(p, "[upload %s]: min_size %lld is "
			    "above max_size %lld", u->name, u->min_size,
			    u->max_size);
		/* issue 12: a form upload takes 5 GiB, multipart 48.8 TiB. */
		if (!u->multipart && u->max_size > LIMIT_OBJECT_SIZE) {
			p->line = u->max_size_line;
			return conf_fail(p, "[upload %s]: max_size %lld is above "
			    "%lld (5 GiB), the most one form upload takes; with "
			    "multipart = yes it may go up to %lld (48.8 TiB)",
			    u->name, u->max_size, LIMIT_OBJECT_SIZE,
			    LIMIT_MULTIPART_OBJECT);
		}
		/*
		 * InitiateMultipartUpload takes no x-oss-object-acl (OSS's
		 * InitiateMultipartUpload reference lists the headers it
		 * takes): the object gets the bucket's ACL, so an ACL the
		 * section pins cannot hold for parts.
		 */
		if (u->multipart && u->object_acl != CONF_ACL_DEFAULT &&
		    u->object_acl != CONF_ACL_ANY) {
			p->line = u->multipart_line;
			return conf_fail(p, "[upload %s]: multipart = yes with "
			    "object_acl = %s: a multipart upload cannot set an "
			    "ACL (InitiateMultipartUpload takes none); use "
			    "object_acl = default or any", u->name,
			    conf_acl_names[u->object_acl]);
		}
		p->line = 0;
		if (u->key_prefix == NULL &&
		    (u->key_prefix = strdup("uploads/")) == NULL)
			return conf_fail(p, "out of memory");
		if (conf_finish_gate(p, u) == -1)
			return -1;
		for (kind = 0; kind < CONF_COND_META; kind++)
			conf_order_add(u, kind, 0);
		if (conf_finish_callback(p, u, p->seen_upload != NULL ?
		    p->seen_upload + i * CONF_NKEYS : NULL) == -1)
			return -1;
	}
	return 0;
}

struct conf *
conf_parse(const char *text, size_t len, const char *name, char *err,
    size_t errlen)
{
	struct conf_parser p;
	char line[LIMIT_CONF_LINE + 1];
	size_t pos = 0, n;
	const char *nl;

	memset(&p, 0, sizeof(p));
	p.name = name;
	p.err = err;
	p.errlen = errlen;
	if ((p.conf = calloc(1, sizeof(*p.conf))) == NULL) {
		conf_fail(&p, "out of memory");
		return NULL;
	}
	p.conf->retries = -1;	/* unset: conf_finish puts the default */
	if (memchr(text, '\0', len) != NULL) {
		conf_fail(&p, "the file holds a NUL byte");
		goto fail;
	}
	while (pos < len) {
		p.line++;
		nl = memchr(text + pos, '\n', len - pos);
		n = (nl != NULL ? (size_t)(nl - text) : len) - pos;
		if (n > LIMIT_CONF_LINE) {
			conf_fail(&p, "line longer than %d bytes",
			    LIMIT_CONF_LINE);
			goto fail;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + 1;
		if (!util_utf8_valid(line, n)) {
			conf_fail(&p, "invalid UTF-8");
			goto fail;
		}
		if (conf_line(&p, line) == -1)
			goto fail;
	}
	if (conf_finish(&p) == -1)
		goto fail;
	/* Errors found later (key files, issue 11) name the file too. */
	if ((p.conf->path = strdup(name)) == NULL) {
		conf_fail(&p, "out of memory");
		goto fail;
	}
	free(p.seen_upload);
	return p.conf;
fail:
	free(p.seen_upload);
	conf_free(p.conf);
	return NULL;
}

struct conf *
conf_load(const char *path, char *err, size_t errlen)
{
	struct conf *c = NULL;
	struct stat st;
	char *buf = NULL;
	ssize_t r;
	size_t got = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	if (st.st_size > LIMIT_CONF_SIZE) {
		snprintf(err, errlen, "%s: larger than %d bytes", path,
		    LIMIT_CONF_SIZE);
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	while (got < (size_t)st.st_size) {
		r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			snprintf(err, errlen, "%s: read error", path);
			goto out;
		}
		got += (size_t)r;
	}
	c = conf_parse(buf, got, path, err, errlen);
out:
	free(buf);
	close(fd);
	return c;
}
