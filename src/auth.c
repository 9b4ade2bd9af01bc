/* Who a request is; see auth.h. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth.h"
#include "crypto.h"
#include "jwt.h"
#include "keyname.h"
#include "secretfile.h"

/* A token verified before, for the section at index section. */
struct auth_seen {
	char			*tok;		/* NULL: empty slot */
	size_t			 len;
	size_t			 section;
	struct jwt_claims	 cl;
};

struct auth {
	const struct conf	*conf;
	struct jwt_keyset	**ks;		/* per section; NULL: not yet */
	size_t			 n;		/* conf->nuploads */
	int			 quick;		/* loaded per request (CGI) */
	/* FastCGI: the last tokens verified, by a hash of their bytes. */
	struct auth_seen	 seen[LIMIT_JWT_CACHE];
};

static int	auth_load(struct auth *, const struct conf_upload *, char *,
		    size_t);

struct auth *
auth_new(const struct conf *conf, int flags, char *err, size_t errlen)
{
	struct auth *a;
	size_t i;

	if ((a = calloc(1, sizeof(*a))) == NULL ||
	    (a->ks = calloc(conf->nuploads > 0 ? conf->nuploads : 1,
	    sizeof(*a->ks))) == NULL) {
		free(a);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	a->conf = conf;
	a->n = conf->nuploads;
	/* Loaded for one request: jwt_keyset_quick (ossign -t checks fully). */
	a->quick = !(flags & AUTH_LOAD_ALL);
	if (flags & AUTH_LOAD_ALL)
		for (i = 0; i < conf->nuploads; i++)
			if (conf->uploads[i].auth == CONF_AUTH_JWT &&
			    auth_load(a, &conf->uploads[i], err, errlen) ==
			    -1) {
				auth_free(a);
				return NULL;
			}
	return a;
}

/* Forget one kept token (a bearer credential: wiped). */
static void
auth_seen_clear(struct auth_seen *e)
{
	if (e->tok != NULL) {
		crypto_wipe(e->tok, e->len);
		free(e->tok);
	}
	crypto_wipe(e, sizeof(*e));
}

void
auth_free(struct auth *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < LIMIT_JWT_CACHE; i++)
		auth_seen_clear(&a->seen[i]);
	for (i = 0; i < a->n; i++)
		jwt_keyset_free(a->ks[i]);
	free(a->ks);
	free(a);
}

/*
 * How many of the len bytes at s are the secret: all of them, but for the
 * newline that ends a file of printable text.
 */
static size_t
auth_secret_len(const char *s, size_t len)
{
	size_t n = len, i;

	if (n > 0 && s[n - 1] == '\n') {
		n--;
		if (n > 0 && s[n - 1] == '\r')
			n--;
	} else
		return len;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return len;	/* binary: every byte counts */
	return n;
}

/*
 * One jwt_key line's file into ks; -1 with why: secretfile's own message
 * (it names the file), or "jwt_key PATH: " and what is wrong with the key.
 */
static int
auth_load_key(struct jwt_keyset *ks, const struct conf_jwt_key *k, char *why,
    size_t whylen)
{
	struct secretfile sf;
	char reason[LIMIT_ERRMSG];
	const char *s;
	int rc = -1;

	reason[0] = '\0';
	if (k->hs256) {
		if (secretfile_read(k->path, "jwt_key", LIMIT_JWT_HMAC_MAX + 2,
		    0, &sf, why, whylen) == -1)
			return -1;
		/* A public key is no secret: anyone could sign with it. */
		if (strstr(sf.data, "-----BEGIN") != NULL ||
		    (sf.len > 0 && sf.data[0] == '{'))
			snprintf(reason, sizeof(reason), "an hs256: file holds "
			    "a PEM key or JSON, not a secret (name a public "
			    "key or JWKS without hs256:)");
		else
			rc = jwt_keyset_add_hs256(ks, k->kid, sf.data,
			    auth_secret_len(sf.data, sf.len), reason,
			    sizeof(reason));
		goto out;
	}
	if (secretfile_read(k->path, "jwt_key", LIMIT_JWT_KEYFILE,
	    SECRETFILE_TEXT | SECRETFILE_PUBLIC, &sf, why, whylen) == -1)
		return -1;
	for (s = sf.data; *s == ' ' || *s == '\t' || *s == '\r' || *s == '\n';
	    s++)
		;
	if (*s == '{' && k->kid != NULL)
		snprintf(reason, sizeof(reason), "a JWKS document names its "
		    "own keys: kid= is for a PEM key or an hs256: secret");
	else if (*s == '{')
		rc = jwt_keyset_add_jwks(ks, sf.data, sf.len, reason,
		    sizeof(reason)) > 0 ? 0 : -1;
	else
		rc = jwt_keyset_add_pem(ks, k->kid, sf.data, sf.len, reason,
		    sizeof(reason));
out:
	secretfile_clear(&sf);
	if (rc == -1)
		snprintf(why, whylen, "jwt_key %s: %s", k->path, reason);
	return rc;
}

/* Load up's key set unless it is there; -1 with err. */
static int
auth_load(struct auth *a, const struct conf_upload *up, char *err,
    size_t errlen)
{
	size_t idx = (size_t)(up - a->conf->uploads), i;
	struct jwt_keyset *ks;
	char why[LIMIT_ERRMSG];

	if (a->ks[idx] != NULL)
		return 0;
	if ((ks = jwt_keyset_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (a->quick)
		jwt_keyset_quick(ks);
	for (i = 0; i < up->njwt_keys; i++) {
		why[0] = '\0';
		if (auth_load_key(ks, &up->jwt_keys[i], why, sizeof(why)) ==
		    -1) {
			snprintf(err, errlen, "%s:%zu: %s", a->conf->path,
			    up->jwt_keys[i].line, why);
			jwt_keyset_free(ks);
			return -1;
		}
	}
	a->ks[idx] = ks;
	return 0;
}

/* The token of req: Bearer, else the cookie; -1 with why. */
static int
auth_token(const struct conf_upload *up, const struct request *req,
    const char **tok, size_t *len, char *why, size_t whylen)
{
	if (req->toolong & (1u << REQUEST_VAR_AUTHORIZATION)) {
		snprintf(why, whylen, "the Authorization header is longer "
		    "than %d bytes", LIMIT_REQ_AUTHZ);
		return -1;
	}
	if (req->authorization != NULL &&
	    jwt_bearer(req->authorization, tok, len) == 0)
		return 0;
	if (up->jwt_cookie != NULL) {
		if (req->toolong & (1u << REQUEST_VAR_COOKIE)) {
			snprintf(why, whylen, "the Cookie header is longer "
			    "than %d bytes", LIMIT_REQ_COOKIE);
			return -1;
		}
		if (req->cookie != NULL &&
		    jwt_cookie(req->cookie, up->jwt_cookie, tok, len) == 0)
			return 0;
	}
	snprintf(why, whylen, "%s", req->authorization != NULL ?
	    "the Authorization header is not \"Bearer TOKEN\"" :
	    up->jwt_cookie != NULL ? "no Bearer token and no token cookie "
	    "(or one given twice)" : "no Bearer token");
	return -1;
}

/*
 * The slot of tok for section: FNV-1a of both, the token's length and its
 * last 64 bytes (the signature's: as good as random, and the whole token is
 * compared anyway, in constant time: the kept one is another client's
 * credential).  A page sends the same token with each request until it
 * expires, and a verification costs up to a million instructions (ES256;
 * RS256 400,000), so a FastCGI process keeps what it verified: the same
 * bytes for the same section are the same verdict, but for exp, nbf and
 * iat, which are checked again.
 */
static struct auth_seen *
auth_seen_slot(struct auth *a, size_t section, const char *tok, size_t len)
{
	uint64_t h = (14695981039346656037ULL ^ section) * 1099511628211ULL;
	size_t i;

	h = (h ^ len) * 1099511628211ULL;
	for (i = len > 64 ? len - 64 : 0; i < len; i++)
		h = (h ^ (unsigned char)tok[i]) * 1099511628211ULL;
	return &a->seen[h % LIMIT_JWT_CACHE];
}

enum auth_result
auth_user(struct auth *a, const struct conf_upload *up,
    const struct request *req, time_t now, char *user, char *why,
    size_t whylen)
{
	struct jwt_claims cl;
	struct jwt_check c;
	struct auth_seen *seen;
	const char *tok;
	size_t len, idx;
	enum jwt_err e;
	char err[LIMIT_ERRMSG];

	user[0] = '\0';
	switch (up->auth) {
	case CONF_AUTH_REMOTE_USER:
		if (req->remote_user == NULL || req->remote_user[0] == '\0') {
			snprintf(why, whylen, "no REMOTE_USER: the web server "
			    "did not authenticate the request");
			return AUTH_DENIED;
		}
		if (!keyname_user_ok(req->remote_user)) {
			snprintf(why, whylen, "REMOTE_USER is not 1 to %d of "
			    "A-Z a-z 0-9 . _ - @", LIMIT_USER_LEN);
			return AUTH_BAD_USER;
		}
		snprintf(user, LIMIT_USER_LEN + 1, "%s", req->remote_user);
		return AUTH_OK;
	case CONF_AUTH_JWT:
		break;
	default:
		return AUTH_OK;
	}
	if (a == NULL || auth_load(a, up, err, sizeof(err)) == -1) {
		snprintf(why, whylen, "%s", a == NULL ? "no key sets" : err);
		return AUTH_ERROR;
	}
	if (auth_token(up, req, &tok, &len, why, whylen) == -1)
		return AUTH_DENIED;
	c.issuer = up->jwt_issuer;
	c.audience = up->jwt_audience;
	c.user_claim = up->jwt_user_claim;
	c.leeway = up->jwt_leeway;
	idx = (size_t)(up - a->conf->uploads);
	seen = a->quick ? NULL : auth_seen_slot(a, idx, tok, len);
	if (seen != NULL && seen->tok != NULL && seen->section == idx &&
	    seen->len == len && CRYPTO_memcmp(seen->tok, tok, len) == 0 &&
	    jwt_claims_current(&seen->cl, &c, now) == JWT_OK) {
		snprintf(user, LIMIT_USER_LEN + 1, "%s", seen->cl.user);
		return AUTH_OK;
	}
	if ((e = jwt_verify(a->ks[idx], &c, now, tok, len, &cl, err,
	    sizeof(err))) != JWT_OK) {
		snprintf(why, whylen, "token refused (%s): %s",
		    jwt_err_name(e), err);
		return AUTH_DENIED;
	}
	snprintf(user, LIMIT_USER_LEN + 1, "%s", cl.user);
	if (seen != NULL && len <= LIMIT_JWT_CACHE_TOKEN) {
		auth_seen_clear(seen);
		if ((seen->tok = malloc(len)) != NULL) {
			memcpy(seen->tok, tok, len);
			seen->len = len;
			seen->section = idx;
			seen->cl = cl;
		}
	}
	crypto_wipe(&cl, sizeof(cl));
	return AUTH_OK;
}
