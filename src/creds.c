/* Credential sources; see creds.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "creds.h"
#include "crypto.h"
#include "limit.h"
#include "olog.h"

struct creds_source {
	const struct conf	*conf;
	struct creds		 cur;
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

static int
creds_from_env(struct creds *c, char *err, size_t errlen)
{
	const char *id, *secret, *token;

	id = creds_env2("ALIBABA_CLOUD_ACCESS_KEY_ID", "OSS_ACCESS_KEY_ID");
	secret = creds_env2("ALIBABA_CLOUD_ACCESS_KEY_SECRET",
	    "OSS_ACCESS_KEY_SECRET");
	token = creds_env2("ALIBABA_CLOUD_SECURITY_TOKEN", NULL);
	if (id == NULL || secret == NULL) {
		snprintf(err, errlen, "credentials = env needs "
		    "ALIBABA_CLOUD_ACCESS_KEY_ID and "
		    "ALIBABA_CLOUD_ACCESS_KEY_SECRET (or OSS_ACCESS_KEY_ID "
		    "and OSS_ACCESS_KEY_SECRET) in the environment");
		return -1;
	}
	if (strlen(id) > LIMIT_SECRET_LEN || strlen(secret) > LIMIT_SECRET_LEN ||
	    (token != NULL && strlen(token) > LIMIT_TOKEN_LEN)) {
		snprintf(err, errlen, "credentials in the environment are too "
		    "long");
		return -1;
	}
	if ((c->access_key_id = strdup(id)) == NULL ||
	    (c->access_key_secret = strdup(secret)) == NULL ||
	    (token != NULL && (c->security_token = strdup(token)) == NULL)) {
		creds_clear(c);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	c->expiration = 0;
	return 0;
}

struct creds_source *
creds_source_new(const struct conf *conf, char *err, size_t errlen)
{
	struct creds_source *src;

	if ((src = calloc(1, sizeof(*src))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	src->conf = conf;
	switch (conf->credentials) {
	case CONF_CREDS_ENV:
		if (creds_from_env(&src->cur, err, errlen) == -1)
			goto fail;
		break;
	default:
		/* XXX the STS sources land with the credentials issue. */
		snprintf(err, errlen, "credentials = %s is not supported yet",
		    conf_creds_names[conf->credentials]);
		goto fail;
	}
	return src;
fail:
	creds_source_free(src);
	return NULL;
}

int
creds_source_get(struct creds_source *src, time_t now,
    const struct creds **out, struct oerr_detail *d)
{
	if (src->cur.access_key_id == NULL) {
		oerr_set(d, OERR_CREDS_UNAVAILABLE, NULL);
		return -1;
	}
	if (src->cur.expiration != 0 &&
	    src->cur.expiration - now < LIMIT_MIN_VALIDITY) {
		oerr_set(d, OERR_CREDS_UNAVAILABLE,
		    "the upload credentials have expired");
		return -1;
	}
	*out = &src->cur;
	return 0;
}

void
creds_source_free(struct creds_source *src)
{
	if (src == NULL)
		return;
	creds_clear(&src->cur);
	free(src);
}
