/*
 * Credential sources and the cache in front of them; see creds.h.
 *
 * creds_source_get, in order:
 *  1. the credentials in memory, while fresh (more than refresh_before
 *     left, capped at half their lifetime);
 *  2. the same while a failed refresh is on hold (stale-on-error);
 *  3. the cache file, when another process refreshed it;
 *  4. a refresh under the cache lock: whoever holds the lock calls STS
 *     (or the metadata service, or the credentials URI) and writes the
 *     file; the others go on serving what they have while it is usable,
 *     or wait for the lock and read the file.
 * Credentials with less than LIMIT_MIN_VALIDITY seconds left are never
 * handed out.
 */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "creds.h"
#include "crypto.h"
#include "limit.h"
#include "olog.h"
#include "sts.h"
#include "util.h"

struct creds_source {
	enum conf_creds		 kind;

	/* In memory: the credentials handed out, and when they came. */
	struct creds		 cur;
	time_t			 obtained;
	time_t			 next_refresh;	/* hold after a failed refresh */
	time_t			 fail_until;	/* nothing usable: answer fail */
	struct oerr_detail	 fail;

	/* The source. */
	struct sts_opts		 sts;		/* STS, metadata or URI */
	struct sts_role		 role;
	struct creds		 key;		/* ram_role_arn: long-term */
	char			*role_arn;
	char			*policy;
	char			*provider_arn;
	char			*token_file;
	char			*ecs_role;
	char			*uri;
	long long		 refresh_before;
	struct cache		*cache;		/* NULL: memory only */
	int			 curl;		/* sts_init done */

	creds_fetch_fn		 fetch;		/* tests */
	void			*fetch_arg;
};

void
creds_clear(struct creds *c)
{
	if (c == NULL)
		return;
	free(c->access_key_id);
	crypto_free_secret(c->access_key_secret);
	crypto_free_secret(c->security_token);
	memset(c, 0, sizeof(*c));
}

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

/* 1 when s is 1..max bytes of A-Z a-z 0-9 and the bytes in extra. */
static int
creds_charset(const char *s, size_t max, const char *extra)
{
	size_t i;

	if (s == NULL || *s == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (i >= max || !isascii((unsigned char)s[i]) ||
		    !(isalnum((unsigned char)s[i]) ||
		    strchr(extra, s[i]) != NULL))
			return 0;
	return 1;
}

/* 1 when s is 1..max printable ASCII bytes without spaces. */
static int
creds_printable(const char *s, size_t max)
{
	size_t i;

	if (s == NULL || *s == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (i >= max || s[i] < 0x21 || s[i] > 0x7e)
			return 0;
	return 1;
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

/*
 * Read a file that holds a secret, as OpenSSH reads a private key: not
 * through a symlink, a regular file, owned by us or root, readable by no
 * one else, at most max bytes.  Returns a new NUL-terminated buffer (free
 * it with crypto_free_secret) or NULL with the reason in err.
 */
static char *
creds_read_secret(const char *path, const char *what, size_t max, char *err,
    size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		if (errno == ELOOP)
			snprintf(err, errlen, "%s %s is a symlink: refused "
			    "(name the file itself)", what, path);
		else
			snprintf(err, errlen, "%s %s: %s", what, path,
			    strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s %s is not a regular file: refused",
		    what, path);
		goto fail;
	}
	if ((st.st_mode & 077) != 0) {
		snprintf(err, errlen, "%s %s is accessible by group or "
		    "others (mode %04o): refused; chmod 600 it", what, path,
		    (unsigned int)(st.st_mode & 07777));
		goto fail;
	}
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		snprintf(err, errlen, "%s %s belongs to uid %ld, neither "
		    "this user nor root: refused", what, path,
		    (long)st.st_uid);
		goto fail;
	}
	if ((size_t)st.st_size > max) {
		snprintf(err, errlen, "%s %s is larger than %zu bytes", what,
		    path, max);
		goto fail;
	}
	if ((buf = malloc(max + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	while (len <= max) {
		n = read(fd, buf + len, max + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, errlen, "%s %s: %s", what, path,
			    strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > max) {
		snprintf(err, errlen, "%s %s is larger than %zu bytes", what,
		    path, max);
		goto fail;
	}
	buf[len] = '\0';
	if (strlen(buf) != len) {
		snprintf(err, errlen, "%s %s holds a NUL byte", what, path);
		goto fail;
	}
	close(fd);
	return buf;
fail:
	if (buf != NULL) {
		crypto_wipe(buf, max + 1);
		free(buf);
	}
	close(fd);
	return NULL;
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

/* The OIDC token from its file, trimmed and checked (JWT characters). */
static char *
creds_oidc_token(const char *path, char *err, size_t errlen)
{
	char *buf, *t;
	size_t len;

	if ((buf = creds_read_secret(path, "oidc_token_file",
	    LIMIT_OIDC_TOKEN_LEN + 2, err, errlen)) == NULL)
		return NULL;
	t = creds_trim(buf);
	len = strlen(t);
	if (len == 0 || len > LIMIT_OIDC_TOKEN_LEN ||
	    !creds_charset(t, LIMIT_OIDC_TOKEN_LEN, "-_.=+/")) {
		snprintf(err, errlen, "oidc_token_file %s does not hold an "
		    "OIDC token (a JWT)", path);
		crypto_free_secret(buf);
		return NULL;
	}
	memmove(buf, t, len + 1);
	return buf;
}

static int
creds_role_arn_ok(const char *s)
{
	const char *p;

	if (s == NULL || strlen(s) > LIMIT_ROLE_ARN_LEN ||
	    strncmp(s, "acs:ram::", 9) != 0)
		return 0;
	p = s + 9;
	if (strspn(p, "0123456789") == 0)
		return 0;
	p += strspn(p, "0123456789");
	if (strncmp(p, ":role/", 6) != 0)
		return 0;
	return creds_charset(p + 6, LIMIT_SESSION_NAME_MAX, ".@-_");
}

static int
creds_provider_arn_ok(const char *s)
{
	const char *p;

	if (s == NULL || strlen(s) > LIMIT_ROLE_ARN_LEN ||
	    strncmp(s, "acs:ram::", 9) != 0)
		return 0;
	p = s + 9;
	if (strspn(p, "0123456789") == 0)
		return 0;
	p += strspn(p, "0123456789");
	if (strncmp(p, ":oidc-provider/", 15) != 0)
		return 0;
	return creds_charset(p + 15, 128, "._-");
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
creds_setup_role(struct creds_source *s, const struct conf *conf,
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
	if (!creds_role_arn_ok(role_arn)) {
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
	s->role.duration = conf->duration ? conf->duration : DEFAULT_DURATION;
	if (s->role.duration < LIMIT_DURATION_MIN ||
	    s->role.duration > LIMIT_DURATION_MAX) {
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
		if ((s->policy = sts_policy_auto(conf, err, errlen)) == NULL)
			return -1;
	} else if (conf->session_policy != NULL) {
		if (strlen(conf->session_policy) > LIMIT_SESSION_POLICY) {
			snprintf(err, errlen, "session_policy: longer than %d "
			    "characters", LIMIT_SESSION_POLICY);
			return -1;
		}
		if ((s->policy = creds_strdup(conf->session_policy, err,
		    errlen)) == NULL)
			return -1;
	}
	if ((s->role_arn = creds_strdup(role_arn, err, errlen)) == NULL)
		return -1;
	s->role.role_arn = s->role_arn;
	s->role.session_name = name;
	s->role.external_id = conf->external_id;
	s->role.policy = s->policy;
	return 0;
}

/* Timeouts and the rest that every network source shares. */
static int
creds_setup_net(struct creds_source *s, const struct conf *conf,
    const char *endpoint, int allow_http, char *err, size_t errlen)
{
	char host[LIMIT_URL_LEN];

	s->sts.endpoint = endpoint;
	s->sts.sig = conf->sts_signature;
	s->sts.connect_timeout = conf->connect_timeout ?
	    (long)conf->connect_timeout : DEFAULT_CONNECT_TIMEOUT;
	s->sts.timeout = conf->timeout ? (long)conf->timeout : DEFAULT_TIMEOUT;
	s->sts.retries = conf->retries >= 0 ? (long)conf->retries :
	    DEFAULT_RETRIES;
	if (s->sts.retries > LIMIT_STS_RETRIES)
		s->sts.retries = LIMIT_STS_RETRIES;
	s->sts.ca_file = conf->ca_file;
	s->sts.proxy = conf->proxy;
	s->refresh_before = conf->refresh_before ? conf->refresh_before :
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
	if (sts_init() == -1) {
		snprintf(err, errlen, "cannot initialise libcurl");
		return -1;
	}
	s->curl = 1;
	return 0;
}

static int
creds_setup_cache(struct creds_source *s, const struct conf *conf,
    const char *const *parts, size_t n, char *err, size_t errlen)
{
	unsigned char key[CRYPTO_SHA256_LEN];
	const char *dir = conf->cache_dir ? conf->cache_dir :
	    DEFAULT_CACHE_DIR;

	if (cache_key(parts, n, key) == -1 ||
	    (s->cache = cache_new(dir, key)) == NULL) {
		snprintf(err, errlen, "cache_dir %s: too long, or out of "
		    "memory", dir);
		return -1;
	}
	return 0;
}

struct creds_source *
creds_source_new(const struct conf *conf, char *err, size_t errlen)
{
	struct creds_source *s;
	const char *arn, *v;
	char *buf = NULL, dur[24];

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->kind = conf->credentials;
	if (creds_check_keys(conf, err, errlen) == -1)
		goto fail;
	switch (conf->credentials) {
	case CONF_CREDS_ENV:
		if (creds_from_env(&s->cur, "credentials = env", err,
		    errlen) == -1)
			goto fail;
		return s;
	case CONF_CREDS_RAM_ROLE_ARN:
		if (conf->access_key_file != NULL) {
			if ((buf = creds_read_secret(conf->access_key_file,
			    "access_key_file", LIMIT_SECRET_FILE, err,
			    errlen)) == NULL ||
			    creds_parse_key_file(buf, conf->access_key_file,
			    &s->key, err, errlen) == -1)
				goto fail;
		} else if (creds_from_env(&s->key, "credentials = "
		    "ram_role_arn", err, errlen) == -1)
			goto fail;
		arn = conf->role_arn ? conf->role_arn : creds_env2(
		    "ALIBABA_CLOUD_ROLE_ARN", "OSS_STS_ROLE_ARN");
		if (creds_setup_role(s, conf, arn, err, errlen) == -1 ||
		    creds_setup_net(s, conf, conf->sts_endpoint ?
		    conf->sts_endpoint : DEFAULT_STS_ENDPOINT, 0, err,
		    errlen) == -1)
			goto fail;
		snprintf(dur, sizeof(dur), "%lld", s->role.duration);
		{
			const char *parts[] = { "ram_role_arn",
			    s->sts.endpoint, s->key.access_key_id,
			    s->role.role_arn, s->role.session_name, dur,
			    s->role.external_id, s->role.policy };

			if (creds_setup_cache(s, conf, parts,
			    sizeof(parts) / sizeof(parts[0]), err,
			    errlen) == -1)
				goto fail;
		}
		break;
	case CONF_CREDS_OIDC_ROLE_ARN:
		v = conf->oidc_provider_arn ? conf->oidc_provider_arn :
		    creds_env2("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", NULL);
		if (v == NULL) {
			snprintf(err, errlen, "credentials = oidc_role_arn "
			    "needs oidc_provider_arn (or "
			    "ALIBABA_CLOUD_OIDC_PROVIDER_ARN in the "
			    "environment)");
			goto fail;
		}
		if (!creds_provider_arn_ok(v)) {
			snprintf(err, errlen, "OIDC provider ARN %s is not "
			    "acs:ram::UID:oidc-provider/NAME", v);
			goto fail;
		}
		if ((s->provider_arn = creds_strdup(v, err, errlen)) == NULL)
			goto fail;
		v = conf->oidc_token_file ? conf->oidc_token_file :
		    creds_env2("ALIBABA_CLOUD_OIDC_TOKEN_FILE", NULL);
		if (v == NULL) {
			snprintf(err, errlen, "credentials = oidc_role_arn "
			    "needs oidc_token_file (or "
			    "ALIBABA_CLOUD_OIDC_TOKEN_FILE in the "
			    "environment)");
			goto fail;
		}
		if ((s->token_file = creds_strdup(v, err, errlen)) == NULL)
			goto fail;
		/* Read now to fail early; read again at each refresh. */
		if ((buf = creds_oidc_token(s->token_file, err, errlen)) ==
		    NULL)
			goto fail;
		arn = conf->role_arn ? conf->role_arn :
		    creds_env2("ALIBABA_CLOUD_ROLE_ARN", NULL);
		if (creds_setup_role(s, conf, arn, err, errlen) == -1 ||
		    creds_setup_net(s, conf, conf->sts_endpoint ?
		    conf->sts_endpoint : DEFAULT_STS_ENDPOINT, 0, err,
		    errlen) == -1)
			goto fail;
		snprintf(dur, sizeof(dur), "%lld", s->role.duration);
		{
			const char *parts[] = { "oidc_role_arn",
			    s->sts.endpoint, s->provider_arn, s->token_file,
			    s->role.role_arn, s->role.session_name, dur,
			    s->role.external_id, s->role.policy };

			if (creds_setup_cache(s, conf, parts,
			    sizeof(parts) / sizeof(parts[0]), err,
			    errlen) == -1)
				goto fail;
		}
		break;
	case CONF_CREDS_ECS_RAM_ROLE:
		if (conf->ecs_role_name != NULL &&
		    !creds_charset(conf->ecs_role_name, LIMIT_ECS_ROLE_LEN,
		    ".-_")) {
			snprintf(err, errlen, "ecs_role_name: 1 to %d of "
			    "A-Z a-z 0-9 . - _", LIMIT_ECS_ROLE_LEN);
			goto fail;
		}
		if (conf->ecs_role_name != NULL && (s->ecs_role =
		    creds_strdup(conf->ecs_role_name, err, errlen)) == NULL)
			goto fail;
		if (creds_setup_net(s, conf, conf->metadata_endpoint ?
		    conf->metadata_endpoint : DEFAULT_METADATA_ENDPOINT, 1,
		    err, errlen) == -1)
			goto fail;
		{
			const char *parts[] = { "ecs_ram_role",
			    s->sts.endpoint, s->ecs_role };

			if (creds_setup_cache(s, conf, parts,
			    sizeof(parts) / sizeof(parts[0]), err,
			    errlen) == -1)
				goto fail;
		}
		break;
	case CONF_CREDS_URI:
		v = conf->credentials_uri ? conf->credentials_uri :
		    creds_env2("ALIBABA_CLOUD_CREDENTIALS_URI", NULL);
		if (v == NULL) {
			snprintf(err, errlen, "credentials = credentials_uri "
			    "needs credentials_uri (or "
			    "ALIBABA_CLOUD_CREDENTIALS_URI in the "
			    "environment)");
			goto fail;
		}
		if (!creds_uri_ok(v)) {
			snprintf(err, errlen, "credentials URI %s: expected an "
			    "http:// or https:// URL", v);
			goto fail;
		}
		if ((s->uri = creds_strdup(v, err, errlen)) == NULL ||
		    creds_setup_net(s, conf, NULL, 1, err, errlen) == -1)
			goto fail;
		{
			const char *parts[] = { "credentials_uri", s->uri };

			if (creds_setup_cache(s, conf, parts,
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
	return s;
fail:
	crypto_free_secret(buf);
	creds_source_free(s);
	return NULL;
}

void
creds_source_set_fetch(struct creds_source *s, creds_fetch_fn fetch,
    void *arg)
{
	s->fetch = fetch;
	s->fetch_arg = arg;
}

/* Credentials that may sign at now: complete, and not about to expire. */
static int
creds_usable(const struct creds *c, time_t now)
{
	return c->access_key_id != NULL && (c->expiration == 0 ||
	    c->expiration - now >= LIMIT_MIN_VALIDITY);
}

/*
 * Usable and not yet due for a refresh: more than refresh_before left,
 * where refresh_before is capped at half the lifetime so that short-lived
 * credentials are not refreshed on every request.
 */
static int
creds_fresh(const struct creds_source *s, const struct creds *c,
    time_t obtained, time_t now)
{
	long long before = s->refresh_before, life;

	if (!creds_usable(c, now))
		return 0;
	if (c->expiration == 0)
		return 1;
	life = (long long)(c->expiration - obtained);
	if (life > 0 && before > life / 2)
		before = life / 2;
	return (long long)(c->expiration - now) > before;
}

/*
 * Take the cache file's credentials when they are usable and newer than
 * ours, and its refresh hold when it is about ours.  With nothing usable,
 * take another process's failure while it holds.
 */
static void
creds_adopt_file(struct creds_source *s, time_t now)
{
	struct cache_entry e;
	struct oerr_detail d;
	time_t until;

	if (s->cache == NULL)
		return;
	if (cache_read(s->cache, &e) == 0) {
		if (creds_usable(&e.creds, now) &&
		    (!creds_usable(&s->cur, now) ||
		    e.creds.expiration > s->cur.expiration)) {
			creds_clear(&s->cur);
			s->cur = e.creds;
			memset(&e.creds, 0, sizeof(e.creds));
			s->obtained = e.obtained;
			s->next_refresh = e.next_refresh;
		} else if (s->cur.access_key_id != NULL &&
		    strcmp(s->cur.access_key_id, e.creds.access_key_id) == 0 &&
		    e.next_refresh > s->next_refresh)
			s->next_refresh = e.next_refresh;
		creds_clear(&e.creds);
	}
	if (!creds_usable(&s->cur, now) &&
	    cache_read_fail(s->cache, &until, &d) == 0 && until > now &&
	    until > s->fail_until) {
		s->fail_until = until;
		s->fail = d;
	}
}

/* Write what we have: credentials, or else the failure and its hold. */
static void
creds_write_file(struct creds_source *s, int failed)
{
	struct cache_entry e;

	if (s->cache == NULL)
		return;
	if (failed) {
		(void)cache_write_fail(s->cache, s->fail_until, &s->fail);
		return;
	}
	memset(&e, 0, sizeof(e));
	e.creds = s->cur;
	e.obtained = s->obtained;
	e.next_refresh = s->next_refresh;
	(void)cache_write(s->cache, &e);
}

/* Ask the source itself. */
static int
creds_fetch(struct creds_source *s, time_t now, struct creds *out,
    struct oerr_detail *d)
{
	char err[LIMIT_ERRMSG], *token;
	int rc;

	if (s->fetch != NULL)
		return s->fetch(s->fetch_arg, now, out, d);
	switch (s->kind) {
	case CONF_CREDS_RAM_ROLE_ARN:
		return sts_assume_role(&s->sts, &s->key, &s->role, now, out,
		    d);
	case CONF_CREDS_OIDC_ROLE_ARN:
		/* Re-read: the token file is rotated under us. */
		if ((token = creds_oidc_token(s->token_file, err,
		    sizeof(err))) == NULL) {
			olog_err("%s", err);
			return oerr_set(d, OERR_CREDS_UNAVAILABLE, "the OIDC "
			    "token file cannot be used"), -1;
		}
		rc = sts_assume_role_oidc(&s->sts, s->provider_arn, token,
		    &s->role, now, out, d);
		crypto_free_secret(token);
		return rc;
	case CONF_CREDS_ECS_RAM_ROLE:
		return sts_ecs_metadata(&s->sts, s->ecs_role, now, out, d);
	case CONF_CREDS_URI:
		return sts_credentials_uri(&s->sts, s->uri, now, out, d);
	default:
		return oerr_set(d, OERR_INTERNAL, NULL), -1;
	}
}

/* The longest a refresh can take, to bound waiting for another's. */
static long
creds_refresh_ms(const struct creds_source *s)
{
	long tries = 1 + s->sts.retries;

	/* The metadata service takes up to three requests. */
	if (s->kind == CONF_CREDS_ECS_RAM_ROLE)
		tries *= 3;
	return (tries * s->sts.timeout + 1) * 1000 +
	    tries * LIMIT_STS_BACKOFF_MAX_MS;
}

/* The failure on hold, if there is one and nothing usable. */
static int
creds_failing(const struct creds_source *s, time_t now,
    struct oerr_detail *d)
{
	if (creds_usable(&s->cur, now) || now >= s->fail_until)
		return 0;
	*d = s->fail;
	return 1;
}

/* Step 4 of the comment at the top. */
static int
creds_refresh(struct creds_source *s, time_t now, struct oerr_detail *d)
{
	struct creds nc = { 0 };
	char exp[21];
	time_t t0 = time(NULL);
	int locked = -1;

	if (s->cache != NULL && (locked = cache_lock(s->cache, 0)) == 1) {
		/* Another process is refreshing. */
		if (creds_usable(&s->cur, now))
			return 0;
		if ((locked = cache_lock(s->cache, creds_refresh_ms(s))) ==
		    1) {
			/*
			 * Not past its own timeouts: something is badly
			 * slow.  Piling onto the source would not help.
			 */
			olog_err("%s: gave up after %ld ms waiting for another "
			    "process to refresh the credentials",
			    cache_path(s->cache), creds_refresh_ms(s));
			return oerr_set(d, OERR_CREDS_UNAVAILABLE, "timed out "
			    "waiting for the credentials"), -1;
		}
	}
	if (locked == 0) {
		/* It may have refreshed, or failed, while we waited. */
		creds_adopt_file(s, now);
		if (creds_fresh(s, &s->cur, s->obtained, now) ||
		    (creds_usable(&s->cur, now) && now < s->next_refresh)) {
			cache_unlock(s->cache);
			return 0;
		}
		/*
		 * Held at the time this request began: the outcome of the
		 * attempt it waited for (however long the wait), or one
		 * that ended just before it.  Take it rather than ask again.
		 */
		if (creds_failing(s, now, d)) {
			cache_unlock(s->cache);
			return -1;
		}
	}
	if (creds_fetch(s, now, &nc, d) == 0) {
		creds_clear(&s->cur);
		s->cur = nc;
		s->obtained = now;
		s->next_refresh = 0;
		s->fail_until = 0;
		/* Without the lock too: the rename is atomic. */
		creds_write_file(s, 0);
		cache_unlock(s->cache);
		return 0;
	}
	if (creds_usable(&s->cur, now)) {
		/* Stale-on-error: keep signing, retry later. */
		util_iso(s->cur.expiration, exp);
		olog_warn("refresh failed (%s); serving the cached credentials "
		    "until %s, next try in %d s", d->msg, exp,
		    LIMIT_REFRESH_HOLD);
		s->next_refresh = now + LIMIT_REFRESH_HOLD;
		if (locked == 0)
			creds_write_file(s, 0);
		cache_unlock(s->cache);
		return 0;
	}
	/*
	 * Nothing usable: hold the failure for a moment, here and for the
	 * processes waiting on the lock, counted from the end of the
	 * attempt (now may not be the wall clock).
	 */
	s->fail = *d;
	s->fail_until = now + (time(NULL) - t0) + LIMIT_FAIL_HOLD;
	if (locked == 0)
		creds_write_file(s, 1);
	cache_unlock(s->cache);
	return -1;
}

int
creds_source_get(struct creds_source *s, time_t now,
    const struct creds **out, struct oerr_detail *d)
{
	if (s->kind == CONF_CREDS_ENV) {
		if (!creds_usable(&s->cur, now)) {
			oerr_set(d, OERR_CREDS_UNAVAILABLE, NULL);
			return -1;
		}
		*out = &s->cur;
		return 0;
	}
	if (creds_fresh(s, &s->cur, s->obtained, now) ||
	    (creds_usable(&s->cur, now) && now < s->next_refresh))
		goto ok;
	if (creds_failing(s, now, d))
		return -1;
	creds_adopt_file(s, now);
	if (creds_fresh(s, &s->cur, s->obtained, now) ||
	    (creds_usable(&s->cur, now) && now < s->next_refresh))
		goto ok;
	if (creds_failing(s, now, d))
		return -1;
	if (creds_refresh(s, now, d) == -1)
		return -1;
	if (!creds_usable(&s->cur, now)) {
		/* Defensive: creds_refresh returns 0 only with usable ones. */
		oerr_set(d, OERR_CREDS_UNAVAILABLE, NULL);
		return -1;
	}
ok:
	*out = &s->cur;
	return 0;
}

void
creds_source_free(struct creds_source *s)
{
	if (s == NULL)
		return;
	creds_clear(&s->cur);
	creds_clear(&s->key);
	free(s->role_arn);
	free(s->policy);
	free(s->provider_arn);
	free(s->token_file);
	free(s->ecs_role);
	free(s->uri);
	cache_free(s->cache);
	if (s->curl)
		sts_cleanup();
	free(s);
}
