/* Where credentials come from; see creds_origin.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "conf.h"
#include "creds.h"
#include "creds_origin.h"
#include "crypto.h"
#include "http.h"
#include "limit.h"
#include "olog.h"
#include "rampolicy.h"
#include "secretfile.h"
#include "sts.h"

/* The first of two environment variables that is set and not empty. */
static const char *
creds_env2(const char *a, const char *b)
{
	const char *v;

	if ((v = getenv(a)) != NULL && *v != '\0')
		return v;
	if (b != NULL && (v = getenv(b)) != NULL && *v != '\0')
		return v;
	return NULL;
}

/* Check a long-term key: id from the id charset, secret printable. */
static int
creds_key_ok(const char *id, const char *secret, const char *token)
{
	return creds_charset(id, LIMIT_AKID_LEN, "._-") &&
	    creds_printable(secret, LIMIT_SECRET_LEN) &&
	    (token == NULL || creds_printable(token, LIMIT_TOKEN_LEN));
}

static int
creds_set(struct creds *c, const char *id, const char *secret,
    const char *token)
{
	if ((c->access_key_id = strdup(id)) == NULL ||
	    (c->access_key_secret = strdup(secret)) == NULL ||
	    (token != NULL && (c->security_token = strdup(token)) == NULL)) {
		creds_clear(c);
		return -1;
	}
	c->expiration = 0;
	return 0;
}

/*
 * A setting the source needs: value from the file, else the variable env;
 * NULL with err naming both when neither is set.
 */
static const char *
creds_needed(const struct conf *conf, const char *value, const char *key,
    const char *env, char *err, size_t errlen)
{
	if (value != NULL || (value = creds_env2(env, NULL)) != NULL)
		return value;
	snprintf(err, errlen, "credentials = %s needs %s (or %s in the "
	    "environment)", conf_creds_names[conf->credentials], key, env);
	return NULL;
}

/* The long-term key from the environment (credentials = env, ram_role_arn). */
static int
creds_from_env(struct creds *c, const char *what, char *err, size_t errlen)
{
	const char *id, *secret, *token;

	id = creds_env2("ALIBABA_CLOUD_ACCESS_KEY_ID", "OSS_ACCESS_KEY_ID");
	secret = creds_env2("ALIBABA_CLOUD_ACCESS_KEY_SECRET",
	    "OSS_ACCESS_KEY_SECRET");
	token = creds_env2("ALIBABA_CLOUD_SECURITY_TOKEN", NULL);
	if (id == NULL || secret == NULL) {
		snprintf(err, errlen, "%s needs "
		    "ALIBABA_CLOUD_ACCESS_KEY_ID and "
		    "ALIBABA_CLOUD_ACCESS_KEY_SECRET (or OSS_ACCESS_KEY_ID "
		    "and OSS_ACCESS_KEY_SECRET) in the environment%s", what,
		    strcmp(what, "credentials = env") == 0 ? "" :
		    ", or access_key_file");
		return -1;
	}
	if (strlen(id) > LIMIT_SECRET_LEN || strlen(secret) > LIMIT_SECRET_LEN ||
	    (token != NULL && strlen(token) > LIMIT_TOKEN_LEN)) {
		snprintf(err, errlen, "credentials in the environment are too "
		    "long");
		return -1;
	}
	if (!creds_key_ok(id, secret, token)) {
		snprintf(err, errlen, "credentials in the environment have "
		    "characters no AccessKey has (spaces, quotes, a newline?)");
		return -1;
	}
	if (creds_set(c, id, secret, token) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* Trim white space at both ends of s in place; returns the start. */
static char *
creds_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/*
 * access_key_file: either "key = value" lines (access_key_id,
 * access_key_secret), or exactly two lines, the id and then the secret.
 * '#' lines and blank lines are skipped in both forms.
 */
static int
creds_parse_key_file(char *text, const char *path, struct creds *c,
    char *err, size_t errlen)
{
	char *line, *save = NULL, *k, *v, *eq, *id = NULL, *secret = NULL;
	char *plain[2];
	size_t nplain = 0, nkv = 0, lineno = 0;

	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		k = creds_trim(line);
		if (*k == '\0' || *k == '#')
			continue;
		if ((eq = strchr(k, '=')) != NULL) {
			*eq = '\0';
			k = creds_trim(k);
			v = creds_trim(eq + 1);
			nkv++;
			if (strcmp(k, "access_key_id") == 0 && id == NULL)
				id = v;
			else if (strcmp(k, "access_key_secret") == 0 &&
			    secret == NULL)
				secret = v;
			else {
				snprintf(err, errlen, "access_key_file %s:%zu: "
				    "expected access_key_id = ... or "
				    "access_key_secret = ... (once each)", path,
				    lineno);
				return -1;
			}
			continue;
		}
		if (nplain == 2) {
			snprintf(err, errlen, "access_key_file %s:%zu: more "
			    "than two lines", path, lineno);
			return -1;
		}
		plain[nplain++] = k;
	}
	if (nkv > 0 && nplain > 0) {
		snprintf(err, errlen, "access_key_file %s: mixes key = value "
		    "lines with plain lines", path);
		return -1;
	}
	if (nplain == 2) {
		id = plain[0];
		secret = plain[1];
	}
	if (id == NULL || secret == NULL) {
		snprintf(err, errlen, "access_key_file %s: needs the "
		    "AccessKey id and secret (two lines, or access_key_id = "
		    "and access_key_secret = lines)", path);
		return -1;
	}
	if (!creds_key_ok(id, secret, NULL)) {
		snprintf(err, errlen, "access_key_file %s: the id or the "
		    "secret has characters no AccessKey has", path);
		return -1;
	}
	if (creds_set(c, id, secret, NULL) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/*
 * The OIDC token from its file, trimmed and checked (JWT characters): a
 * new string (crypto_free_secret it) or NULL with the reason in err.
 */
static char *
creds_oidc_token(const char *path, char *err, size_t errlen)
{
	struct secretfile f;
	char *t, *tok = NULL;
	size_t len;

	if (secretfile_read(path, "oidc_token_file", LIMIT_OIDC_TOKEN_LEN + 2,
	    SECRETFILE_TEXT, &f, err, errlen) == -1)
		return NULL;
	t = creds_trim(f.data);
	len = strlen(t);
	if (len == 0 || len > LIMIT_OIDC_TOKEN_LEN ||
	    !creds_charset(t, LIMIT_OIDC_TOKEN_LEN, "-_.=+/"))
		snprintf(err, errlen, "oidc_token_file %s does not hold an "
		    "OIDC token (a JWT)", path);
	else if ((tok = strdup(t)) == NULL)
		snprintf(err, errlen, "out of memory");
	secretfile_clear(&f);
	return tok;
}

/*
 * s is "acs:ram::UID" + type + NAME: UID digits, NAME 1..max bytes of
 * A-Z a-z 0-9 and extra.
 */
static int
creds_arn_ok(const char *s, const char *type, size_t max, const char *extra)
{
	const char *p;
	size_t n;

	if (s == NULL || strlen(s) > LIMIT_ROLE_ARN_LEN ||
	    strncmp(s, "acs:ram::", 9) != 0)
		return 0;
	p = s + 9;
	if ((n = strspn(p, "0123456789")) == 0)
		return 0;
	p += n;
	if (strncmp(p, type, strlen(type)) != 0)
		return 0;
	return creds_charset(p + strlen(type), max, extra);
}

/* An http(s) URL with no spaces, quotes or control bytes. */
static int
creds_uri_ok(const char *s)
{
	if (s == NULL || (strncmp(s, "http://", 7) != 0 &&
	    strncmp(s, "https://", 8) != 0))
		return 0;
	return creds_printable(s, LIMIT_URL_LEN) && strpbrk(s, "\"'<>\\^`{|}")
	    == NULL && strchr(s, '#') == NULL;
}

static char *
creds_strdup(const char *s, char *err, size_t errlen)
{
	char *p;

	if (s == NULL)
		return NULL;
	if ((p = strdup(s)) == NULL)
		snprintf(err, errlen, "out of memory");
	return p;
}

/*
 * A session policy narrows what the credentials may do; set for a source
 * that cannot apply it, it would give a false sense of safety: refuse it.
 * Other keys of other sources are ignored (ossign.conf(5) says which
 * source each applies to), so that switching sources is one line.
 */
static int
creds_check_keys(const struct conf *conf, char *err, size_t errlen)
{
	if ((conf->session_policy != NULL || conf->session_policy_auto) &&
	    conf->credentials != CONF_CREDS_RAM_ROLE_ARN &&
	    conf->credentials != CONF_CREDS_OIDC_ROLE_ARN) {
		snprintf(err, errlen, "session_policy does not apply to "
		    "credentials = %s: those credentials cannot be narrowed; "
		    "remove it, or use ram_role_arn or oidc_role_arn",
		    conf_creds_names[conf->credentials]);
		return -1;
	}
	return 0;
}

/* role_arn, role_session_name, duration, external_id, session_policy. */
static int
creds_setup_role(struct creds_origin *o, const struct conf *conf,
    const char *role_arn, char *err, size_t errlen)
{
	const char *name = conf->role_session_name ? conf->role_session_name :
	    DEFAULT_SESSION_NAME;

	if (role_arn == NULL) {
		snprintf(err, errlen, "credentials = %s needs role_arn (or "
		    "ALIBABA_CLOUD_ROLE_ARN%s in the environment)",
		    conf_creds_names[conf->credentials],
		    conf->credentials == CONF_CREDS_RAM_ROLE_ARN ?
		    " or OSS_STS_ROLE_ARN" : "");
		return -1;
	}
	if (!creds_arn_ok(role_arn, ":role/", LIMIT_SESSION_NAME_MAX,
	    ".@-_")) {
		snprintf(err, errlen, "role ARN %s is not acs:ram::UID:role/NAME",
		    role_arn);
		return -1;
	}
	if (strlen(name) < LIMIT_SESSION_NAME_MIN ||
	    !creds_charset(name, LIMIT_SESSION_NAME_MAX, ".@-_")) {
		snprintf(err, errlen, "role_session_name: %d to %d of "
		    "A-Z a-z 0-9 . @ - _", LIMIT_SESSION_NAME_MIN,
		    LIMIT_SESSION_NAME_MAX);
		return -1;
	}
	o->role.duration = conf->duration ? conf->duration : DEFAULT_DURATION;
	if (o->role.duration < LIMIT_DURATION_MIN ||
	    o->role.duration > LIMIT_DURATION_MAX) {
		snprintf(err, errlen, "duration: %d to %d seconds",
		    LIMIT_DURATION_MIN, LIMIT_DURATION_MAX);
		return -1;
	}
	if (conf->external_id != NULL && !creds_charset(conf->external_id,
	    1224, "=,.@:/-_")) {
		snprintf(err, errlen, "external_id: 2 to 1224 of A-Z a-z 0-9 "
		    "= , . @ : / - _");
		return -1;
	}
	if (conf->session_policy_auto) {
		if ((o->policy_ = rampolicy_auto(conf, err, errlen)) == NULL)
			return -1;
	} else if (conf->session_policy != NULL) {
		if (strlen(conf->session_policy) > LIMIT_SESSION_POLICY) {
			snprintf(err, errlen, "session_policy: longer than %d "
			    "characters", LIMIT_SESSION_POLICY);
			return -1;
		}
		if ((o->policy_ = creds_strdup(conf->session_policy, err,
		    errlen)) == NULL)
			return -1;
	}
	if ((o->role_arn_ = creds_strdup(role_arn, err, errlen)) == NULL)
		return -1;
	o->role.role_arn = o->role_arn_;
	o->role.session_name = name;
	o->role.external_id = conf->external_id;
	o->role.policy = o->policy_;
	return 0;
}

/* Timeouts and the rest that every network source shares. */
static int
creds_setup_net(struct creds_origin *o, const struct conf *conf,
    const char *endpoint, int allow_http, char *err, size_t errlen)
{
	char host[LIMIT_URL_LEN];

	o->sts.endpoint = endpoint;
	o->sts.sig = conf->sts_signature;
	o->sts.connect_timeout = (long)conf->connect_timeout;
	o->sts.timeout = (long)conf->timeout;
	o->sts.retries = (long)conf->retries;
	o->sts.ca_file = conf->ca_file;
	o->sts.proxy = conf->proxy;
	o->refresh_before = conf->refresh_before ? conf->refresh_before :
	    DEFAULT_REFRESH_BEFORE;
	if (endpoint != NULL && sts_url_host(endpoint, allow_http, host,
	    sizeof(host)) == -1) {
		snprintf(err, errlen, "endpoint %s: expected %s://host[:port] "
		    "with no path", endpoint, allow_http ? "http(s)" :
		    "https");
		return -1;
	}
	if (conf->ca_file != NULL && access(conf->ca_file, R_OK) == -1) {
		snprintf(err, errlen, "ca_file %s: %s", conf->ca_file,
		    strerror(errno));
		return -1;
	}
	if (!o->http_) {
		(void)http_init();
		o->http_ = 1;
	}
	return 0;
}

/* The cache's directory and key: the hash of the n settings in parts. */
static int
creds_setup_cache(struct creds_origin *o, const struct conf *conf,
    const char *const *parts, size_t n, char *err, size_t errlen)
{
	o->cache_dir = conf->cache_dir;
	if (cache_key(parts, n, o->cache_key) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/*
 * The STS sources: the role, the endpoint, and the cache key over every
 * setting that changes what STS hands out; who names the caller (the
 * AccessKey id; or the OIDC provider and token file).
 */
static int
creds_setup_sts(struct creds_origin *o, const struct conf *conf,
    const char *arn, const char *const *who, size_t nwho, char *err,
    size_t errlen)
{
	const char *parts[9];
	char dur[24];
	size_t i, n = 0;

	if (creds_setup_role(o, conf, arn, err, errlen) == -1 ||
	    creds_setup_net(o, conf, conf->sts_endpoint ?
	    conf->sts_endpoint : DEFAULT_STS_ENDPOINT, 0, err, errlen) == -1)
		return -1;
	snprintf(dur, sizeof(dur), "%lld", o->role.duration);
	/* The order is the cache files' names: keep it. */
	parts[n++] = conf_creds_names[o->kind];
	parts[n++] = o->sts.endpoint;
	for (i = 0; i < nwho; i++)
		parts[n++] = who[i];
	parts[n++] = o->role.role_arn;
	parts[n++] = o->role.session_name;
	parts[n++] = dur;
	parts[n++] = o->role.external_id;
	parts[n++] = o->role.policy;
	return creds_setup_cache(o, conf, parts, n, err, errlen);
}

/* access_key_file: read, parsed into o->key, the buffer wiped whole. */
static int
creds_key_file(struct creds_origin *o, const char *path, char *err,
    size_t errlen)
{
	struct secretfile f;
	int rc;

	if (secretfile_read(path, "access_key_file", LIMIT_SECRET_FILE,
	    SECRETFILE_TEXT, &f, err, errlen) == -1)
		return -1;
	rc = creds_parse_key_file(f.data, path, &o->key, err, errlen);
	secretfile_clear(&f);
	return rc;
}

int
creds_origin_new(struct creds_origin *o, const struct conf *conf, char *err,
    size_t errlen)
{
	const char *arn, *v, *who[2];
	char *buf = NULL;

	memset(o, 0, sizeof(*o));
	o->kind = conf->credentials;
	if (creds_check_keys(conf, err, errlen) == -1)
		goto fail;
	switch (conf->credentials) {
	case CONF_CREDS_ENV:
		if (creds_from_env(&o->key, "credentials = env", err,
		    errlen) == -1)
			goto fail;
		return 0;
	case CONF_CREDS_RAM_ROLE_ARN:
		if (conf->access_key_file != NULL) {
			if (creds_key_file(o, conf->access_key_file, err,
			    errlen) == -1)
				goto fail;
		} else if (creds_from_env(&o->key, "credentials = "
		    "ram_role_arn", err, errlen) == -1)
			goto fail;
		arn = conf->role_arn ? conf->role_arn : creds_env2(
		    "ALIBABA_CLOUD_ROLE_ARN", "OSS_STS_ROLE_ARN");
		who[0] = o->key.access_key_id;
		if (creds_setup_sts(o, conf, arn, who, 1, err, errlen) == -1)
			goto fail;
		break;
	case CONF_CREDS_OIDC_ROLE_ARN:
		if ((v = creds_needed(conf, conf->oidc_provider_arn,
		    "oidc_provider_arn", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN", err,
		    errlen)) == NULL)
			goto fail;
		if (!creds_arn_ok(v, ":oidc-provider/", 128, "._-")) {
			snprintf(err, errlen, "OIDC provider ARN %s is not "
			    "acs:ram::UID:oidc-provider/NAME", v);
			goto fail;
		}
		if ((o->provider_arn_ = creds_strdup(v, err, errlen)) == NULL)
			goto fail;
		if ((v = creds_needed(conf, conf->oidc_token_file,
		    "oidc_token_file", "ALIBABA_CLOUD_OIDC_TOKEN_FILE", err,
		    errlen)) == NULL)
			goto fail;
		if ((o->token_file_ = creds_strdup(v, err, errlen)) == NULL)
			goto fail;
		/* Read now to fail early; read again at each refresh. */
		if ((buf = creds_oidc_token(o->token_file_, err, errlen)) ==
		    NULL)
			goto fail;
		arn = conf->role_arn ? conf->role_arn :
		    creds_env2("ALIBABA_CLOUD_ROLE_ARN", NULL);
		who[0] = o->provider_arn_;
		who[1] = o->token_file_;
		if (creds_setup_sts(o, conf, arn, who, 2, err, errlen) == -1)
			goto fail;
		break;
	case CONF_CREDS_ECS_RAM_ROLE:
		if (conf->ecs_role_name != NULL &&
		    !creds_charset(conf->ecs_role_name, LIMIT_ECS_ROLE_LEN,
		    ".-_")) {
			snprintf(err, errlen, "ecs_role_name: 1 to %d of "
			    "A-Z a-z 0-9 . - _", LIMIT_ECS_ROLE_LEN);
			goto fail;
		}
		if (conf->ecs_role_name != NULL && (o->ecs_role_ =
		    creds_strdup(conf->ecs_role_name, err, errlen)) == NULL)
			goto fail;
		if (creds_setup_net(o, conf, conf->metadata_endpoint ?
		    conf->metadata_endpoint : DEFAULT_METADATA_ENDPOINT, 1,
		    err, errlen) == -1)
			goto fail;
		{
			const char *parts[] = { "ecs_ram_role",
			    o->sts.endpoint, o->ecs_role_ };

			if (creds_setup_cache(o, conf, parts,
			    sizeof(parts) / sizeof(parts[0]), err,
			    errlen) == -1)
				goto fail;
		}
		break;
	case CONF_CREDS_URI:
		if ((v = creds_needed(conf, conf->credentials_uri,
		    "credentials_uri", "ALIBABA_CLOUD_CREDENTIALS_URI", err,
		    errlen)) == NULL)
			goto fail;
		if (!creds_uri_ok(v)) {
			snprintf(err, errlen, "credentials URI %s: expected an "
			    "http:// or https:// URL", v);
			goto fail;
		}
		if ((o->uri_ = creds_strdup(v, err, errlen)) == NULL ||
		    creds_setup_net(o, conf, NULL, 1, err, errlen) == -1)
			goto fail;
		{
			const char *parts[] = { "credentials_uri", o->uri_ };

			if (creds_setup_cache(o, conf, parts,
			    sizeof(parts) / sizeof(parts[0]), err,
			    errlen) == -1)
				goto fail;
		}
		break;
	default:
		snprintf(err, errlen, "unknown credentials source");
		goto fail;
	}
	crypto_free_secret(buf);
	return 0;
fail:
	crypto_free_secret(buf);
	creds_origin_clear(o);
	return -1;
}

int
creds_origin_fetch(const struct creds_origin *o, time_t now,
    struct creds *out, struct oerr_detail *d)
{
	char err[LIMIT_ERRMSG], *token;
	int rc;

	switch (o->kind) {
	case CONF_CREDS_RAM_ROLE_ARN:
		return sts_assume_role(&o->sts, &o->key, &o->role, now, out,
		    d);
	case CONF_CREDS_OIDC_ROLE_ARN:
		/* Re-read: the token file is rotated under us. */
		if ((token = creds_oidc_token(o->token_file_, err,
		    sizeof(err))) == NULL) {
			olog_err("%s", err);
			return oerr_set(d, OERR_CREDS_UNAVAILABLE, "the OIDC "
			    "token file cannot be used"), -1;
		}
		rc = sts_assume_role_oidc(&o->sts, o->provider_arn_, token,
		    &o->role, now, out, d);
		crypto_free_secret(token);
		return rc;
	case CONF_CREDS_ECS_RAM_ROLE:
		return sts_ecs_metadata(&o->sts, o->ecs_role_, now, out, d);
	case CONF_CREDS_URI:
		return sts_credentials_uri(&o->sts, o->uri_, now, out, d);
	default:
		return oerr_set(d, OERR_INTERNAL, NULL), -1;
	}
}

long
creds_origin_fetch_ms(const struct creds_origin *o)
{
	long tries = 1 + o->sts.retries;

	/* The metadata service takes up to three requests. */
	if (o->kind == CONF_CREDS_ECS_RAM_ROLE)
		tries *= 3;
	return (tries * o->sts.timeout + 1) * 1000 +
	    tries * LIMIT_HTTP_BACKOFF_MAX_MS;
}


void
creds_origin_clear(struct creds_origin *o)
{
	creds_clear(&o->key);
	free(o->role_arn_);
	free(o->policy_);
	free(o->provider_arn_);
	free(o->token_file_);
	free(o->ecs_role_);
	free(o->uri_);
	if (o->http_)
		http_cleanup();
	memset(o, 0, sizeof(*o));
}
