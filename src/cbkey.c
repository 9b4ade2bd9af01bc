/* OSS's callback public keys, loaded once; see cbkey.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cbkey.h"
#include "crypto.h"
#include "http.h"
#include "limit.h"
#include "olog.h"
#include "secretfile.h"
#include "statedir.h"

#define CBKEY_PINNED	"callback_public_key"
#define CBKEY_SHIPPED	"shipped"

struct cbkey_entry {
	char			*source;	/* CBKEY_PINNED, _SHIPPED or a URL */
	struct cbverify_key	*key;
};

struct cbkey_store {
	char			*pinned;	/* callback_public_key */
	char			*cache_dir;
	char			*ca_file;
	char			*proxy;
	struct cbkey_entry	 e[LIMIT_CB_KEYS];
	size_t			 n;
};

static int
cbkey_dup(char **dst, const char *src)
{
	*dst = NULL;
	return src == NULL || (*dst = strdup(src)) != NULL ? 0 : -1;
}

struct cbkey_store *
cbkey_new(const struct conf *conf)
{
	struct cbkey_store *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if (cbkey_dup(&s->pinned, conf->callback_public_key) == -1 ||
	    cbkey_dup(&s->cache_dir, conf->cache_dir) == -1 ||
	    cbkey_dup(&s->ca_file, conf->ca_file) == -1 ||
	    cbkey_dup(&s->proxy, conf->proxy) == -1) {
		cbkey_free(s);
		return NULL;
	}
	return s;
}

void
cbkey_free(struct cbkey_store *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++) {
		free(s->e[i].source);
		cbverify_key_free(s->e[i].key);
	}
	free(s->pinned);
	free(s->cache_dir);
	free(s->ca_file);
	free(s->proxy);
	free(s);
}

/*
 * The key in the file at path, or NULL with err filled.  The file is
 * trusted as a JWT public key is (secretfile.h): a regular file, not a
 * symlink, owned by ossign's user or root, writable by no one else.
 */
static struct cbverify_key *
cbkey_load(const char *path, char *err, size_t errlen)
{
	struct cbverify_key *k = NULL;
	struct secretfile sf;
	char why[LIMIT_ERRMSG];

	memset(&sf, 0, sizeof(sf));
	if (secretfile_read(path, "key file", LIMIT_CB_PEM,
	    SECRETFILE_TEXT | SECRETFILE_PUBLIC, &sf, err, errlen) == -1)
		return NULL;
	if ((k = cbverify_key_new(sf.data, sf.len, why, sizeof(why))) == NULL)
		snprintf(err, errlen, "%s: %s", path, why);
	secretfile_clear(&sf);
	return k;
}

/* The cache_dir name for url: "cbkey-" and 32 hex digits of SHA-256. */
static void
cbkey_cache_name(const char *url, char *out, size_t outsz)
{
	unsigned char h[CRYPTO_SHA256_LEN];
	char hex[2 * CRYPTO_SHA256_LEN + 1];

	crypto_sha256(url, strlen(url), h);
	crypto_hex(h, sizeof(h), hex);
	snprintf(out, outsz, "cbkey-%.32s.pem", hex);
}

/*
 * Fetch url once, over https (an http:// URL through its https:// twin),
 * into pem.  Returns 0 or -1 with err filled.
 */
static int
cbkey_fetch(const struct cbkey_store *s, const char *url, long timeout_ms,
    char *pem, size_t pemsz, size_t *len, char *err, size_t errlen)
{
	struct http_request req;
	struct http_opts o;
	struct http_result res;
	char twin[LIMIT_URL_LEN + 2];
	int rc = -1;

	if (strncmp(url, "http://", 7) == 0)
		snprintf(twin, sizeof(twin), "https://%s", url + 7);
	else
		snprintf(twin, sizeof(twin), "%s", url);
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.url = twin;
	memset(&o, 0, sizeof(o));
	o.what = "callback public key";
	o.allow_http = 0;
	o.proxy = s->proxy;
	o.ca_file = s->ca_file;
	o.connect_timeout_ms = timeout_ms;
	o.timeout_ms = timeout_ms;
	o.retries = 0;
	o.max_response = pemsz - 1;
	o.req = &req;
	memset(&res, 0, sizeof(res));
	if (http_exchange(&o, &res) == -1) {
		if (res.err == HTTP_ERR_ANSWER)
			snprintf(err, errlen, "%.200s answered %ld", twin,
			    res.resp.status);
		else
			snprintf(err, errlen, "%.200s: %.100s (%.100s)", twin,
			    res.reason, res.detail);
		goto out;
	}
	if (res.resp.len >= pemsz) {
		snprintf(err, errlen, "%s: too large for a public key", twin);
		goto out;
	}
	memcpy(pem, res.resp.body, res.resp.len);
	pem[res.resp.len] = '\0';
	*len = res.resp.len;
	rc = 0;
out:
	http_result_clear(&res);
	return rc;
}

/* url's key from cache_dir, or fetched and kept there. */
static struct cbverify_key *
cbkey_cached(const struct cbkey_store *s, const char *url, long timeout_ms,
    char *err, size_t errlen)
{
	struct statedir sd;
	struct cbverify_key *k = NULL;
	char name[64], pem[LIMIT_CB_PEM + 1], why[LIMIT_ERRMSG];
	size_t len = 0;
	int r;

	cbkey_cache_name(url, name, sizeof(name));
	if (statedir_open(&sd, s->cache_dir, "the callback key cannot be "
	    "kept") == -1) {
		snprintf(err, errlen, "%s: cache_dir cannot be used",
		    s->cache_dir);
		return NULL;
	}
	if ((r = statedir_read(&sd, name, pem, sizeof(pem), &len)) == 0) {
		if ((k = cbverify_key_new(pem, len, why, sizeof(why))) == NULL)
			snprintf(err, errlen, "%s/%s: %s", s->cache_dir, name,
			    why);
		goto out;
	}
	/* Missing (1) or untrusted (-1, replaced by the write below). */
	if (cbkey_fetch(s, url, timeout_ms, pem, sizeof(pem), &len, err,
	    errlen) == -1)
		goto out;
	if ((k = cbverify_key_new(pem, len, why, sizeof(why))) == NULL) {
		snprintf(err, errlen, "%s: not a usable public key: %s", url,
		    why);
		goto out;
	}
	/* KEEP: whoever fetched first wins; an untrusted file is replaced. */
	if (statedir_write(&sd, name, pem, len, r == 1 ? STATEDIR_KEEP : 0) ==
	    0)
		olog_info("%s: fetched once, kept as %s/%s", url,
		    s->cache_dir, name);
out:
	statedir_close(&sd);
	return k;
}

int
cbkey_get(struct cbkey_store *s, const char *url, long timeout_ms,
    const struct cbverify_key **key, struct oerr_detail *d)
{
	struct cbverify_key *k;
	const char *source;
	char err[LIMIT_ERRMSG + LIMIT_URL_LEN];
	size_t i;

	if (s == NULL) {
		oerr_set(d, OERR_CB_KEY_UNAVAILABLE, NULL);
		return -1;
	}
	if (s->pinned != NULL)
		source = CBKEY_PINNED;
	else if (strcmp(url, DEFAULT_CB_KEY_URL) == 0 ||
	    strcmp(url, DEFAULT_CB_KEY_URL_HTTP) == 0)
		source = CBKEY_SHIPPED;
	else
		source = url;
	for (i = 0; i < s->n; i++)
		if (strcmp(s->e[i].source, source) == 0) {
			*key = s->e[i].key;
			return 0;
		}
	if (s->n == LIMIT_CB_KEYS) {
		oerr_set(d, OERR_CB_KEY_UNAVAILABLE, NULL);
		olog_err("more callback keys than callback_key_urls allows");
		return -1;
	}
	if (strcmp(source, CBKEY_PINNED) == 0)
		k = cbkey_load(s->pinned, err, sizeof(err));
	else if (strcmp(source, CBKEY_SHIPPED) == 0)
		k = cbkey_load(DEFAULT_CB_KEY_FILE, err, sizeof(err));
	else
		k = cbkey_cached(s, url, timeout_ms, err, sizeof(err));
	if (k == NULL) {
		olog_err("the callback public key for %.200s: %s", url, err);
		oerr_set(d, OERR_CB_KEY_UNAVAILABLE, NULL);
		return -1;
	}
	if ((s->e[s->n].source = strdup(source)) == NULL) {
		cbverify_key_free(k);
		oerr_set(d, OERR_INTERNAL, NULL);
		return -1;
	}
	s->e[s->n++].key = k;
	*key = k;
	return 0;
}

int
cbkey_check(const struct conf *conf, char *err, size_t errlen, char *note,
    size_t notelen)
{
	struct cbverify_key *k;
	char why[LIMIT_ERRMSG + 1024];

	note[0] = '\0';
	if (conf->callback_public_key != NULL) {
		if ((k = cbkey_load(conf->callback_public_key, why,
		    sizeof(why))) == NULL) {
			snprintf(err, errlen, "callback_public_key: %s", why);
			return -1;
		}
		cbverify_key_free(k);
		return 0;
	}
	if (!conf_has_callbacks(conf))
		return 0;
	if ((k = cbkey_load(DEFAULT_CB_KEY_FILE, why, sizeof(why))) == NULL)
		snprintf(note, notelen, "OSS's callback key, shipped with "
		    "ossign, cannot be loaded (%s): callbacks naming OSS's "
		    "key URL will be refused until it is installed", why);
	cbverify_key_free(k);
	return 0;
}
