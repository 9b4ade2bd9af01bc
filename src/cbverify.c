/* OSS callback signature verification; see cbverify.h. */
#include <stdlib.h>
#include <string.h>

#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "cbverify.h"
#include "crypto.h"
#include "limit.h"
#include "util.h"

static const struct {
	const char	*name;
	const char	*message;
} cbverify_table[CBVERIFY__MAX] = {
	[CBVERIFY_OK] = { "ok", "the signature verifies" },
	[CBVERIFY_NO_KEY_URL] = { "no_key_url",
	    "the request has no x-oss-pub-key-url header" },
	[CBVERIFY_BAD_KEY_URL] = { "bad_key_url",
	    "the x-oss-pub-key-url header is not the base64 of a URL" },
	[CBVERIFY_FOREIGN_KEY_URL] = { "foreign_key_url",
	    "the public key URL is not an allowed one" },
	[CBVERIFY_NO_SIGNATURE] = { "no_signature",
	    "the request has no Authorization header" },
	[CBVERIFY_BAD_BASE64] = { "bad_base64",
	    "the Authorization header is not base64" },
	[CBVERIFY_BAD_SIGNATURE] = { "bad_signature",
	    "the signature does not match the request" },
	[CBVERIFY_MALFORMED] = { "malformed",
	    "the request's path cannot be read" },
	[CBVERIFY_TOO_LARGE] = { "too_large",
	    "a header or the body is too large" },
	[CBVERIFY_INTERNAL] = { "internal", "internal error" },
};

const char *const cbverify_default_urls[] = {
	DEFAULT_CB_KEY_URL,
	DEFAULT_CB_KEY_URL_HTTP,
};
const size_t cbverify_ndefault_urls =
    sizeof(cbverify_default_urls) / sizeof(cbverify_default_urls[0]);

struct cbverify_key {
	EVP_PKEY	*pkey;
	EVP_MD		*md5;
	int		 bits;
	size_t		 size;		/* bytes of a signature */
};

static enum cbverify_err
cbverify_valid(enum cbverify_err e)
{
	return (int)e >= 0 && e < CBVERIFY__MAX ? e : CBVERIFY_INTERNAL;
}

const char *
cbverify_name(enum cbverify_err e)
{
	return cbverify_table[cbverify_valid(e)].name;
}

const char *
cbverify_message(enum cbverify_err e)
{
	return cbverify_table[cbverify_valid(e)].message;
}

enum cbverify_err
cbverify_key_url(const char *b64, char *const *allowed, size_t nallowed,
    char *url, size_t urlsz)
{
	unsigned char buf[LIMIT_URL_LEN + 1];
	size_t i, blen;
	long n;

	if (url != NULL && urlsz > 0)
		url[0] = '\0';
	if (b64 == NULL || *b64 == '\0')
		return CBVERIFY_NO_KEY_URL;
	if ((blen = strlen(b64)) >= crypto_b64_size(LIMIT_URL_LEN) ||
	    (n = crypto_unb64(b64, blen, buf, LIMIT_URL_LEN)) <= 0)
		return CBVERIFY_BAD_KEY_URL;
	for (i = 0; i < (size_t)n; i++)
		if (buf[i] <= 0x20 || buf[i] >= 0x7f)
			return CBVERIFY_BAD_KEY_URL;
	buf[n] = '\0';
	if (url != NULL && urlsz > (size_t)n)
		memcpy(url, buf, (size_t)n + 1);
	if (allowed == NULL) {
		allowed = (char *const *)cbverify_default_urls;
		nallowed = cbverify_ndefault_urls;
	}
	for (i = 0; i < nallowed; i++)
		if (allowed[i] != NULL && strcmp(allowed[i], (char *)buf) == 0)
			return CBVERIFY_OK;
	return CBVERIFY_FOREIGN_KEY_URL;
}

/* Append n bytes of s to out at *o; -1 when it does not fit (NUL kept). */
static int
cbverify_put(char *out, size_t outsz, size_t *o, const char *s, size_t n)
{
	if (n >= outsz - *o)
		return -1;
	memcpy(out + *o, s, n);
	*o += n;
	out[*o] = '\0';
	return 0;
}

/*
 * Append the path s[0..len): percent-decoded when decode is set (a
 * malformed escape or %00 fails), '+' as a space with plus_space.
 */
static int
cbverify_put_path(char *out, size_t outsz, size_t *o, const char *s,
    size_t len, int decode, int plus_space)
{
	size_t i;
	int hi, lo;
	char c;

	for (i = 0; i < len; i++) {
		c = s[i];
		if (c == '%' && decode) {
			if (len - i < 3 ||
			    (hi = util_hexval((unsigned char)s[i + 1])) < 0 ||
			    (lo = util_hexval((unsigned char)s[i + 2])) < 0 ||
			    (hi == 0 && lo == 0))
				return -1;
			c = (char)(hi * 16 + lo);
			i += 2;
		} else if (c == '+' && plus_space)
			c = ' ';
		if (cbverify_put(out, outsz, o, &c, 1) == -1)
			return -1;
	}
	return 0;
}

/* Where the path of an absolute-form target ("https://h/p?q") starts. */
static const char *
cbverify_skip_authority(const char *uri)
{
	const char *p;

	for (p = uri; (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
	    (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.';
	    p++)
		;
	if (p == uri || strncmp(p, "://", 3) != 0)
		return NULL;
	return p + 3 + strcspn(p + 3, "/?");
}

long
cbverify_target(const char *request_uri, const char *script_name,
    const char *path_info, const char *query_string, int flags, char *out,
    size_t outsz)
{
	const char *path, *q;
	size_t o = 0, plen;
	int plus = (flags & CBVERIFY_PLUS_SPACE) != 0;
	int alt = (flags & CBVERIFY_QMARK_ALT) != 0;

	if (out == NULL || outsz == 0)
		return -1;
	out[0] = '\0';
	if (request_uri != NULL && *request_uri != '\0') {
		path = request_uri;
		if (*path != '/' && (path = cbverify_skip_authority(path)) ==
		    NULL)
			return -1;
		q = strchr(path, '?');
		plen = q != NULL ? (size_t)(q - path) : strlen(path);
		if (plen == 0) {
			/* "https://host?x": the path is "/". */
			if (path == request_uri ||
			    cbverify_put(out, outsz, &o, "/", 1) == -1)
				return -1;
		} else if (cbverify_put_path(out, outsz, &o, path, plen, 1,
		    plus) == -1)
			return -1;
		/* A bare '?': PHP's and Python's samples keep it, Java's
		   drops it. */
		if (q != NULL && !(alt && q[1] == '\0') &&
		    cbverify_put(out, outsz, &o, q, strlen(q)) == -1)
			return -1;
		return (long)o;
	}

	/* SCRIPT_NAME and PATH_INFO come decoded: only '+' is read again. */
	if (script_name == NULL)
		script_name = "";
	if (path_info == NULL)
		path_info = "";
	if (cbverify_put_path(out, outsz, &o, script_name,
	    strlen(script_name), 0, plus) == -1 ||
	    cbverify_put_path(out, outsz, &o, path_info, strlen(path_info), 0,
	    plus) == -1 || o == 0 || out[0] != '/')
		return -1;
	if (query_string != NULL && *query_string != '\0') {
		if (cbverify_put(out, outsz, &o, "?", 1) == -1 ||
		    cbverify_put(out, outsz, &o, query_string,
		    strlen(query_string)) == -1)
			return -1;
	} else if (alt && cbverify_put(out, outsz, &o, "?", 1) == -1)
		return -1;
	return (long)o;
}

/* 1 when pem looks like a public key and nothing private. */
static int
cbverify_pem_public(const char *pem, size_t len)
{
	static const char *const begins[] = {
		"-----BEGIN PUBLIC KEY-----", "-----BEGIN RSA PUBLIC KEY-----",
	};
	size_t i, k, n;

	if (memchr(pem, '\0', len) != NULL)
		return 0;
	for (i = 0; i + 7 <= len; i++)
		if (memcmp(pem + i, "PRIVATE", 7) == 0)
			return 0;
	for (k = 0; k < sizeof(begins) / sizeof(begins[0]); k++) {
		n = strlen(begins[k]);
		for (i = 0; i + n <= len; i++)
			if (memcmp(pem + i, begins[k], n) == 0)
				return 1;
	}
	return 0;
}

struct cbverify_key *
cbverify_key_new(const void *pem, size_t len, char *err, size_t errlen)
{
	struct cbverify_key *k = NULL;
	OSSL_DECODER_CTX *dctx = NULL;
	EVP_PKEY *pkey = NULL;
	const unsigned char *data = pem;
	size_t left = len;
	const char *why = "internal error";

	if (pem == NULL || len == 0 || len > LIMIT_CB_PEM) {
		why = "not a PEM public key (empty or too large)";
		goto fail;
	}
	if (!cbverify_pem_public(pem, len)) {
		why = "not a PEM public key (BEGIN PUBLIC KEY)";
		goto fail;
	}
	if ((dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, "PEM", NULL, "RSA",
	    EVP_PKEY_PUBLIC_KEY, NULL, NULL)) == NULL)
		goto fail;
	if (!OSSL_DECODER_from_data(dctx, &data, &left) || pkey == NULL) {
		why = "not an RSA public key";
		goto fail;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL)
		goto fail;
	k->bits = EVP_PKEY_get_bits(pkey);
	if (k->bits < LIMIT_CB_RSA_MIN_BITS ||
	    k->bits > LIMIT_CB_RSA_MAX_BITS || EVP_PKEY_get_size(pkey) <= 0) {
		why = "an RSA key of an unusable size";
		goto fail;
	}
	k->size = (size_t)EVP_PKEY_get_size(pkey);
	/* OSS signs with MD5: OpenSSL 3 has it in the default provider. */
	if ((k->md5 = EVP_MD_fetch(NULL, "MD5", NULL)) == NULL) {
		why = "this OpenSSL has no MD5 (a FIPS-only configuration?), "
		    "which OSS signs callbacks with";
		goto fail;
	}
	k->pkey = pkey;
	OSSL_DECODER_CTX_free(dctx);
	ERR_clear_error();
	return k;
fail:
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", why);
	if (k != NULL)
		EVP_MD_free(k->md5);
	free(k);
	EVP_PKEY_free(pkey);
	OSSL_DECODER_CTX_free(dctx);
	ERR_clear_error();
	return NULL;
}

void
cbverify_key_free(struct cbverify_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	EVP_MD_free(k->md5);
	free(k);
}

int
cbverify_key_bits(const struct cbverify_key *k)
{
	return k != NULL ? k->bits : 0;
}

struct cbverify_part {
	const void	*p;
	size_t		 len;
};

/* Verify sig over the concatenation of parts[0..n). */
static enum cbverify_err
cbverify_parts(const struct cbverify_key *k, const struct cbverify_part *parts,
    size_t n, const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX *ctx;
	EVP_PKEY_CTX *pctx = NULL;
	enum cbverify_err e = CBVERIFY_INTERNAL;
	size_t i;
	int rc;

	if (k == NULL)
		return CBVERIFY_INTERNAL;
	if (sig == NULL || siglen != k->size)
		return CBVERIFY_BAD_SIGNATURE;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return CBVERIFY_INTERNAL;
	if (EVP_DigestVerifyInit(ctx, &pctx, k->md5, NULL, k->pkey) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1)
		goto out;
	for (i = 0; i < n; i++)
		if (parts[i].len > 0 &&
		    EVP_DigestVerifyUpdate(ctx, parts[i].p, parts[i].len) != 1)
			goto out;
	rc = EVP_DigestVerifyFinal(ctx, sig, siglen);
	e = rc == 1 ? CBVERIFY_OK : CBVERIFY_BAD_SIGNATURE;
out:
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return e;
}

enum cbverify_err
cbverify_signature(const struct cbverify_key *k, const void *msg, size_t len,
    const unsigned char *sig, size_t siglen)
{
	struct cbverify_part part = { msg, len };

	return cbverify_parts(k, &part, 1, sig, siglen);
}

enum cbverify_err
cbverify_request_sig(const struct cbverify_req *r,
    const struct cbverify_key *k)
{
	/* Every reading of the request line; the plain one first. */
	static const int readings[] = {
		0, CBVERIFY_QMARK_ALT, CBVERIFY_PLUS_SPACE,
		CBVERIFY_PLUS_SPACE | CBVERIFY_QMARK_ALT,
	};
#define CBVERIFY_NREADINGS (sizeof(readings) / sizeof(readings[0]))
	char (*targets)[LIMIT_CB_TARGET + 1] = NULL;
	long tlen[CBVERIFY_NREADINGS];
	unsigned char sig[LIMIT_CB_SIG_B64];
	struct cbverify_part parts[3];
	enum cbverify_err e;
	size_t i, j, alen;
	long siglen;

	if (r->authorization == NULL || *r->authorization == '\0')
		return CBVERIFY_NO_SIGNATURE;
	if ((alen = strlen(r->authorization)) > LIMIT_CB_SIG_B64 ||
	    r->bodylen > LIMIT_CB_BODY)
		return CBVERIFY_TOO_LARGE;
	if ((siglen = crypto_unb64(r->authorization, alen, sig,
	    sizeof(sig))) <= 0)
		return CBVERIFY_BAD_BASE64;
	if (r->bodylen > 0 && r->body == NULL)
		return CBVERIFY_MALFORMED;
	if ((targets = malloc(CBVERIFY_NREADINGS * sizeof(*targets))) == NULL)
		return CBVERIFY_INTERNAL;
	e = CBVERIFY_MALFORMED;
	for (i = 0; i < CBVERIFY_NREADINGS; i++) {
		tlen[i] = cbverify_target(r->request_uri, r->script_name,
		    r->path_info, r->query_string, readings[i], targets[i],
		    sizeof(targets[i]));
		if (tlen[i] < 0) {
			if (i == 0)
				goto out;
			continue;
		}
		for (j = 0; j < i; j++)
			if (tlen[j] == tlen[i] && memcmp(targets[j],
			    targets[i], (size_t)tlen[i]) == 0)
				break;
		if (j < i)
			continue;	/* the same string: already tried */
		parts[0].p = targets[i];
		parts[0].len = (size_t)tlen[i];
		parts[1].p = "\n";
		parts[1].len = 1;
		parts[2].p = r->body;
		parts[2].len = r->bodylen;
		e = cbverify_parts(k, parts, 3, sig, (size_t)siglen);
		if (e != CBVERIFY_BAD_SIGNATURE)
			goto out;
	}
out:
	free(targets);
	return e;
#undef CBVERIFY_NREADINGS
}

enum cbverify_err
cbverify_request(const struct cbverify_req *r, char *const *allowed,
    size_t nallowed, const struct cbverify_key *k)
{
	enum cbverify_err e;

	if ((e = cbverify_key_url(r->pub_key_url, allowed, nallowed, NULL,
	    0)) != CBVERIFY_OK)
		return e;
	return cbverify_request_sig(r, k);
}
