/* JWT key sets and verification; see jwt.h. */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "crypto.h"
#include "jsonr.h"
#include "jwt.h"
#include "keyname.h"

struct jwt_key {
	enum jwt_alg	 alg;
	int		 has_kid;
	char		 kid[LIMIT_JWT_KID + 1];
	EVP_PKEY	*pkey;		/* RS256, ES256, EdDSA */
	unsigned char	*secret;	/* HS256 */
	size_t		 secretlen;
};

struct jwt_keyset {
	size_t		 n;
	int		 quick;		/* jwt_keyset_quick */
	struct jwt_key	 keys[LIMIT_JWT_KEYS];
};

static const char *const jwt_alg_names[JWT_ALG__MAX] = {
	[JWT_HS256] = "HS256",
	[JWT_RS256] = "RS256",
	[JWT_ES256] = "ES256",
	[JWT_EDDSA] = "EdDSA",
};

static const char *const jwt_err_names[JWT_ERR__MAX] = {
	[JWT_OK] = "ok",
	[JWT_ERR_TOO_LONG] = "too_long",
	[JWT_ERR_FORMAT] = "format",
	[JWT_ERR_BASE64] = "base64",
	[JWT_ERR_JSON] = "json",
	[JWT_ERR_HEADER] = "header",
	[JWT_ERR_ALG_NONE] = "alg_none",
	[JWT_ERR_ALG_UNSUPPORTED] = "alg_unsupported",
	[JWT_ERR_NO_KEY] = "no_key",
	[JWT_ERR_KEY_ALG] = "key_alg",
	[JWT_ERR_SIGNATURE] = "signature",
	[JWT_ERR_CLAIM] = "claim",
	[JWT_ERR_EXP_MISSING] = "exp_missing",
	[JWT_ERR_EXPIRED] = "expired",
	[JWT_ERR_NOT_YET_VALID] = "not_yet_valid",
	[JWT_ERR_IAT_FUTURE] = "iat_future",
	[JWT_ERR_ISSUER] = "issuer",
	[JWT_ERR_AUDIENCE] = "audience",
	[JWT_ERR_USER] = "user",
	[JWT_ERR_INTERNAL] = "internal",
};

/*
 * Header members refused outright: a key carried or named by the token
 * itself (jwk jku x5u x5c: never trusted), extensions ossign does not
 * implement (crit, b64), and what makes it a JWE or a nested token
 * (enc zip cty).
 */
static const char *const jwt_header_refused[] = {
	"jwk", "jku", "x5u", "x5c", "crit", "b64", "enc", "zip", "cty",
};

/* typ values taken (compared without case, RFC 7515 4.1.9). */
static const char *const jwt_typ_ok[] = {
	"JWT", "at+jwt", "application/jwt", "application/at+jwt",
};

/* JWKS members that only a private (or symmetric) key has. */
static const char *const jwt_jwk_private[] = {
	"d", "p", "q", "dp", "dq", "qi", "oth", "k",
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

const char *
jwt_alg_name(enum jwt_alg a)
{
	return (int)a >= 0 && a < JWT_ALG__MAX ? jwt_alg_names[a] : "?";
}

const char *
jwt_err_name(enum jwt_err e)
{
	return (int)e >= 0 && e < JWT_ERR__MAX ? jwt_err_names[e] : "?";
}

static int __attribute__((format(printf, 3, 4)))
jwt_why(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && whylen > 0) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* ---- key sets ---------------------------------------------------------- */

struct jwt_keyset *
jwt_keyset_new(void)
{
	return calloc(1, sizeof(struct jwt_keyset));
}

void
jwt_keyset_quick(struct jwt_keyset *ks)
{
	ks->quick = 1;
}

/*
 * The checks of an RSA public key that cost little: an odd modulus (its
 * size is checked already) and an odd exponent, 3 <= e < n.  OpenSSL's
 * own check adds a probable-prime test of n, 60 million instructions for
 * 2048 bits.
 */
static int
jwt_rsa_quick_ok(const EVP_PKEY *pkey)
{
	BIGNUM *n = NULL, *e = NULL;
	int ok;

	ok = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n) == 1 &&
	    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) == 1 &&
	    BN_is_odd(n) && BN_is_odd(e) && !BN_is_one(e) &&
	    BN_cmp(e, n) < 0;
	BN_free(n);
	BN_free(e);
	return ok;
}

static void
jwt_key_clear(struct jwt_key *k)
{
	EVP_PKEY_free(k->pkey);
	if (k->secret != NULL) {
		crypto_wipe(k->secret, k->secretlen);
		free(k->secret);
	}
	memset(k, 0, sizeof(*k));
}

void
jwt_keyset_free(struct jwt_keyset *ks)
{
	size_t i;

	if (ks == NULL)
		return;
	for (i = 0; i < ks->n; i++)
		jwt_key_clear(&ks->keys[i]);
	free(ks);
}

size_t
jwt_keyset_count(const struct jwt_keyset *ks)
{
	return ks->n;
}

/* 1..LIMIT_JWT_KID bytes of printable ASCII (no space). */
static int
jwt_kid_ok(const char *kid, size_t len)
{
	size_t i;

	if (len == 0 || len > LIMIT_JWT_KID)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)kid[i] < 0x21 || (unsigned char)kid[i] > 0x7e)
			return 0;
	return 1;
}

/*
 * Check that kid can join ks (valid, not there yet, room left), counting
 * the keys of a document being added that are not in ks->n yet.
 */
static int
jwt_key_room(const struct jwt_keyset *ks, size_t pending, const char *kid,
    char *why, size_t whylen)
{
	size_t i;

	if (ks->n + pending >= LIMIT_JWT_KEYS)
		return jwt_why(why, whylen, "more than %d keys",
		    LIMIT_JWT_KEYS);
	if (kid == NULL)
		return 0;
	if (!jwt_kid_ok(kid, strlen(kid)))
		return jwt_why(why, whylen,
		    "a kid must be 1 to %d printable ASCII bytes",
		    LIMIT_JWT_KID);
	for (i = 0; i < ks->n + pending; i++)
		if (ks->keys[i].has_kid && strcmp(ks->keys[i].kid, kid) == 0)
			return jwt_why(why, whylen, "the kid is given twice");
	return 0;
}

int
jwt_keyset_add_hs256(struct jwt_keyset *ks, const char *kid, const void *key,
    size_t len, char *why, size_t whylen)
{
	struct jwt_key *k;

	if (jwt_key_room(ks, 0, kid, why, whylen) == -1)
		return -1;
	if (len < LIMIT_JWT_HMAC_MIN || len > LIMIT_JWT_HMAC_MAX)
		return jwt_why(why, whylen,
		    "an HS256 secret must have %d to %d bytes, not %zu",
		    LIMIT_JWT_HMAC_MIN, LIMIT_JWT_HMAC_MAX, len);
	k = &ks->keys[ks->n];
	if ((k->secret = malloc(len)) == NULL)
		return jwt_why(why, whylen, "out of memory");
	memcpy(k->secret, key, len);
	k->secretlen = len;
	k->alg = JWT_HS256;
	if (kid != NULL) {
		k->has_kid = 1;
		snprintf(k->kid, sizeof(k->kid), "%s", kid);
	}
	ks->n++;
	return 0;
}

/* The algorithm a public key is for, or -1 with why. */
static int
jwt_pkey_alg(EVP_PKEY *pkey, char *why, size_t whylen)
{
	char group[64];
	size_t glen = 0;
	int bits;

	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_RSA:
		bits = EVP_PKEY_get_bits(pkey);
		if (bits < LIMIT_JWT_RSA_BITS || bits > LIMIT_JWT_RSA_BITS_MAX)
			return jwt_why(why, whylen,
			    "an RSA key must have %d to %d bits, not %d",
			    LIMIT_JWT_RSA_BITS, LIMIT_JWT_RSA_BITS_MAX, bits);
		return JWT_RS256;
	case EVP_PKEY_EC:
		if (!EVP_PKEY_get_utf8_string_param(pkey,
		    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &glen) ||
		    strcmp(group, "prime256v1") != 0)
			return jwt_why(why, whylen,
			    "an EC key must be on P-256 (ES256)");
		return JWT_ES256;
	case EVP_PKEY_ED25519:
		return JWT_EDDSA;
	default:
		return jwt_why(why, whylen,
		    "not an RSA, EC P-256 or Ed25519 public key");
	}
}

/* Store pkey (ownership passes) as key number ks->n + pending. */
static int
jwt_key_put(struct jwt_keyset *ks, size_t pending, const char *kid,
    EVP_PKEY *pkey, int want_alg, char *why, size_t whylen)
{
	struct jwt_key *k;
	EVP_PKEY_CTX *ctx;
	int alg, valid;

	if (jwt_key_room(ks, pending, kid, why, whylen) == -1 ||
	    (alg = jwt_pkey_alg(pkey, why, whylen)) == -1) {
		EVP_PKEY_free(pkey);
		return -1;
	}
	if (want_alg != -1 && alg != want_alg) {
		EVP_PKEY_free(pkey);
		return jwt_why(why, whylen, "a key of one type named for %s",
		    jwt_alg_name((enum jwt_alg)want_alg));
	}
	/* A point off the curve or a malformed RSA key goes no further. */
	if (ks->quick && alg == JWT_RS256)
		valid = jwt_rsa_quick_ok(pkey);
	else {
		ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
		valid = ctx != NULL && (ks->quick ?
		    EVP_PKEY_public_check_quick(ctx) :
		    EVP_PKEY_public_check(ctx)) == 1;
		EVP_PKEY_CTX_free(ctx);
	}
	if (!valid) {
		EVP_PKEY_free(pkey);
		return jwt_why(why, whylen, "the public key is not valid");
	}
	k = &ks->keys[ks->n + pending];
	memset(k, 0, sizeof(*k));
	k->alg = (enum jwt_alg)alg;
	k->pkey = pkey;
	if (kid != NULL) {
		k->has_kid = 1;
		snprintf(k->kid, sizeof(k->kid), "%s", kid);
	}
	return 0;
}

/* A base64url JWK member of exactly want bytes (0: 1..max bytes). */
static long
jwt_jwk_bytes(struct json_object *jwk, const char *name, unsigned char *out,
    size_t max, size_t want, char *why, size_t whylen)
{
	const char *s;
	long n;

	if (jsonr_str(jwk, name, &s) != 1)
		return jwt_why(why, whylen, "a JWK without a string %s", name);
	n = crypto_unb64url(s, strlen(s), out, max);
	if (n <= 0 || (want != 0 && (size_t)n != want))
		return jwt_why(why, whylen, "a JWK whose %s is malformed",
		    name);
	return n;
}

static EVP_PKEY *
jwt_pkey_fromdata(const char *type, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params;
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *pkey = NULL;

	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
		return NULL;
	ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return pkey;
}

/* An RSA public key of modulus n and exponent e (big-endian), or NULL. */
static EVP_PKEY *
jwt_raw_rsa(const unsigned char *n, size_t nlen, const unsigned char *e,
    size_t elen)
{
	OSSL_PARAM_BLD *bld;
	BIGNUM *bn = NULL, *be = NULL;
	EVP_PKEY *pkey = NULL;

	if ((bld = OSSL_PARAM_BLD_new()) == NULL)
		return NULL;
	if ((bn = BN_bin2bn(n, (int)nlen, NULL)) != NULL &&
	    (be = BN_bin2bn(e, (int)elen, NULL)) != NULL &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be))
		pkey = jwt_pkey_fromdata("RSA", bld);
	BN_free(bn);
	BN_free(be);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

/* A P-256 public key from its encoded point (0x04 x y), or NULL. */
static EVP_PKEY *
jwt_raw_p256(const unsigned char *pt, size_t len)
{
	OSSL_PARAM_BLD *bld;
	EVP_PKEY *pkey = NULL;

	if ((bld = OSSL_PARAM_BLD_new()) == NULL)
		return NULL;
	if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    "prime256v1", 0) && OSSL_PARAM_BLD_push_octet_string(bld,
	    OSSL_PKEY_PARAM_PUB_KEY, pt, len))
		pkey = jwt_pkey_fromdata("EC", bld);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

/* One usable JWK of type kty to a public key, or NULL with why. */
static EVP_PKEY *
jwt_jwk_pkey(struct json_object *jwk, const char *kty, int *alg, char *why,
    size_t whylen)
{
	unsigned char n[LIMIT_JWT_RSA_BITS_MAX / 8], e[16];
	unsigned char pt[1 + 2 * 32];
	EVP_PKEY *pkey = NULL;
	long nlen, elen;

	if (strcmp(kty, "OKP") == 0) {
		*alg = JWT_EDDSA;
		if (jwt_jwk_bytes(jwk, "x", pt, sizeof(pt), 32, why,
		    whylen) == -1)
			return NULL;
		if ((pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519,
		    NULL, pt, 32)) == NULL)
			jwt_why(why, whylen, "a JWK Ed25519 key is not valid");
		return pkey;
	}
	if (strcmp(kty, "EC") == 0) {
		*alg = JWT_ES256;
		pt[0] = 0x04;	/* uncompressed point: x then y */
		if (jwt_jwk_bytes(jwk, "x", pt + 1, 32, 32, why, whylen) ==
		    -1 || jwt_jwk_bytes(jwk, "y", pt + 33, 32, 32, why,
		    whylen) == -1)
			return NULL;
		if ((pkey = jwt_raw_p256(pt, sizeof(pt))) == NULL)
			jwt_why(why, whylen, "a JWK P-256 key is not valid");
		return pkey;
	}
	*alg = JWT_RS256;
	if ((nlen = jwt_jwk_bytes(jwk, "n", n, sizeof(n), 0, why,
	    whylen)) == -1 || (elen = jwt_jwk_bytes(jwk, "e", e, sizeof(e), 0,
	    why, whylen)) == -1)
		return NULL;
	if ((pkey = jwt_raw_rsa(n, (size_t)nlen, e, (size_t)elen)) == NULL)
		jwt_why(why, whylen, "a JWK RSA key is not valid");
	return pkey;
}

/*
 * DER, as much of it as a SubjectPublicKeyInfo needs (X.690): one element
 * of tag at *p (end at end), definite length in the shortest form; its
 * contents in *c, *clen, and *p moved past it.  -1 when it is not there.
 */
static int
jwt_der(const unsigned char **p, const unsigned char *end, unsigned char tag,
    const unsigned char **c, size_t *clen)
{
	const unsigned char *q = *p;
	size_t len, i, n;

	if (end - q < 2 || q[0] != tag)
		return -1;
	q++;
	if (*q < 0x80)
		len = *q++;
	else {
		n = *q++ & 0x7f;
		/* 0x80 is BER's indefinite length; at most 64 KiB here. */
		if (n == 0 || n > 2 || (size_t)(end - q) < n || q[0] == 0)
			return -1;
		for (len = 0, i = 0; i < n; i++)
			len = len << 8 | *q++;
		if (len < 0x80)
			return -1;	/* not the shortest form */
	}
	if ((size_t)(end - q) < len)
		return -1;
	*c = q;
	*clen = len;
	*p = q + len;
	return 0;
}

/* A DER INTEGER's contents as an unsigned big-endian number; -1 if < 1. */
static int
jwt_der_uint(const unsigned char **v, size_t *len)
{
	if (*len == 0 || ((*v)[0] & 0x80) != 0)
		return -1;	/* empty, or negative */
	if ((*v)[0] == 0) {
		if (*len == 1 || ((*v)[1] & 0x80) == 0)
			return -1;	/* zero, or a needless leading 0 */
		(*v)++;
		(*len)--;
	}
	return 0;
}

/*
 * The key of a SubjectPublicKeyInfo (RFC 5280 4.1; RFC 3279 for RSA and
 * EC, RFC 8410 for Ed25519) in DER, built from its parts like a JWK's
 * (OpenSSL's generic decoders cost 4.7 million instructions per key, a
 * lot for a CGI run); NULL with why for anything else.
 */
static EVP_PKEY *
jwt_spki_pkey(const unsigned char *der, size_t len, char *why, size_t whylen)
{
	static const unsigned char oid_rsa[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7,
	    0x0d, 0x01, 0x01, 0x01 };
	static const unsigned char oid_ec[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d,
	    0x02, 0x01 };
	static const unsigned char oid_p256[] = { 0x2a, 0x86, 0x48, 0xce,
	    0x3d, 0x03, 0x01, 0x07 };
	static const unsigned char oid_ed25519[] = { 0x2b, 0x65, 0x70 };
	const unsigned char *end = der + len, *spki, *alg, *oid, *par, *bits;
	const unsigned char *p, *q, *rsa, *n, *e;
	size_t spkilen, alglen, oidlen, parlen, bitslen, rsalen, nlen, elen;
	EVP_PKEY *pkey = NULL;

	p = der;
	if (jwt_der(&p, end, 0x30, &spki, &spkilen) == -1 || p != end)
		goto bad;
	p = spki;
	end = spki + spkilen;
	if (jwt_der(&p, end, 0x30, &alg, &alglen) == -1 ||
	    jwt_der(&p, end, 0x03, &bits, &bitslen) == -1 || p != end ||
	    bitslen < 2 || bits[0] != 0)	/* no unused bits */
		goto bad;
	bits++;
	bitslen--;
	q = alg;
	if (jwt_der(&q, alg + alglen, 0x06, &oid, &oidlen) == -1)
		goto bad;
	par = q;
	parlen = (size_t)(alg + alglen - q);
#define OID_IS(o)	(oidlen == sizeof(o) && memcmp(oid, o, sizeof(o)) == 0)
	if (OID_IS(oid_rsa)) {
		/* parameters NULL; RSAPublicKey ::= SEQUENCE { n, e } */
		if (parlen != 2 || par[0] != 0x05 || par[1] != 0)
			goto bad;
		p = bits;
		if (jwt_der(&p, bits + bitslen, 0x30, &rsa, &rsalen) == -1 ||
		    p != bits + bitslen)
			goto bad;
		p = rsa;
		if (jwt_der(&p, rsa + rsalen, 0x02, &n, &nlen) == -1 ||
		    jwt_der(&p, rsa + rsalen, 0x02, &e, &elen) == -1 ||
		    p != rsa + rsalen || jwt_der_uint(&n, &nlen) == -1 ||
		    jwt_der_uint(&e, &elen) == -1 ||
		    nlen > LIMIT_JWT_RSA_BITS_MAX / 8 || elen > 16)
			goto bad;
		pkey = jwt_raw_rsa(n, nlen, e, elen);
	} else if (OID_IS(oid_ec)) {
		if (jwt_der(&par, alg + alglen, 0x06, &oid, &oidlen) == -1 ||
		    par != alg + alglen)
			goto bad;
		if (!OID_IS(oid_p256)) {
			jwt_why(why, whylen, "an EC key must be on P-256 "
			    "(ES256)");
			return NULL;
		}
		pkey = jwt_raw_p256(bits, bitslen);
	} else if (OID_IS(oid_ed25519)) {
		if (parlen != 0 || bitslen != 32)
			goto bad;
		pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL,
		    bits, 32);
	} else {
		jwt_why(why, whylen, "not an RSA, EC P-256 or Ed25519 public "
		    "key");
		return NULL;
	}
#undef OID_IS
	if (pkey == NULL)
		jwt_why(why, whylen, "the public key is not valid");
	return pkey;
bad:
	jwt_why(why, whylen, "not a PEM public key (BEGIN PUBLIC KEY)");
	return NULL;
}

int
jwt_keyset_add_pem(struct jwt_keyset *ks, const char *kid, const char *pem,
    size_t len, char *why, size_t whylen)
{
	static const char begin[] = "-----BEGIN ";
	EVP_PKEY *pkey;
	BIO *bio;
	const char *p;
	char *name = NULL, *header = NULL;
	unsigned char *der = NULL;
	long derlen = 0;
	size_t blocks = 0;
	int rc = -1;

	if (len > LIMIT_JWT_KEYFILE)
		return jwt_why(why, whylen, "a PEM key over %d bytes",
		    LIMIT_JWT_KEYFILE);
	for (p = pem; (p = memmem(p, len - (size_t)(p - pem), begin,
	    sizeof(begin) - 1)) != NULL; p++)
		blocks++;
	if (blocks != 1)
		return jwt_why(why, whylen,
		    "a PEM key file must hold exactly one PEM block, not %zu",
		    blocks);
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL)
		return jwt_why(why, whylen, "out of memory");
	/* The block's base64 only; the key from its DER (jwt_spki_pkey). */
	if (PEM_read_bio(bio, &name, &header, &der, &derlen) != 1 ||
	    strcmp(name, "PUBLIC KEY") != 0 || header[0] != '\0') {
		jwt_why(why, whylen, "not a PEM public key (BEGIN PUBLIC KEY)");
		goto out;
	}
	if ((pkey = jwt_spki_pkey(der, (size_t)derlen, why, whylen)) == NULL ||
	    jwt_key_put(ks, 0, kid, pkey, -1, why, whylen) == -1)
		goto out;
	ks->n++;
	rc = 0;
out:
	BIO_free(bio);
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(der);
	return rc;
}

/*
 * 1 when a JWK is one ossign verifies with, 0 when it is to be skipped,
 * -1 when it makes the document unusable (why set).
 */
static int
jwt_jwk_usable(struct json_object *jwk, const char **ktyp, char *why,
    size_t whylen)
{
	static const struct {
		const char *kty, *crv, *alg;
	} types[] = {
		{ "RSA", NULL, "RS256" },
		{ "EC", "P-256", "ES256" },
		{ "OKP", "Ed25519", "EdDSA" },
	};
	const char *kty, *use, *alg, *crv;
	size_t i;

	if (!json_object_is_type(jwk, json_type_object))
		return jwt_why(why, whylen, "a JWKS key is not an object");
	if (jsonr_str(jwk, "kty", &kty) != 1)
		return jwt_why(why, whylen, "a JWK without a string kty");
	for (i = 0; i < NELEM(jwt_jwk_private); i++)
		if (json_object_object_get_ex(jwk, jwt_jwk_private[i], NULL))
			return jwt_why(why, whylen,
			    "a JWK holds private or secret key material (%s): "
			    "give public keys only, an HS256 secret in a "
			    "secret file", jwt_jwk_private[i]);
	if (strcmp(kty, "oct") == 0)
		return jwt_why(why, whylen, "a JWK of kty oct: an HS256 "
		    "secret belongs in a secret file");
	if (jsonr_str(jwk, "use", &use) == -1 ||
	    jsonr_str(jwk, "alg", &alg) == -1 ||
	    jsonr_str(jwk, "crv", &crv) == -1)
		return jwt_why(why, whylen, "a JWK whose use, alg or crv is "
		    "not a string");
	if (use != NULL && strcmp(use, "sig") != 0)
		return 0;
	for (i = 0; i < NELEM(types); i++)
		if (strcmp(kty, types[i].kty) == 0)
			break;
	if (i == NELEM(types))
		return 0;
	if (types[i].crv != NULL && (crv == NULL ||
	    strcmp(crv, types[i].crv) != 0))
		return 0;
	if (alg != NULL && strcmp(alg, types[i].alg) != 0)
		return 0;
	*ktyp = kty;
	return 1;
}

int
jwt_keyset_add_jwks(struct jwt_keyset *ks, const char *json, size_t len,
    char *why, size_t whylen)
{
	struct json_object *doc, *keys, *jwk;
	const char *kty = NULL, *kid;
	EVP_PKEY *pkey;
	size_t i, nkeys, added = 0;
	int alg, r, rc = -1;

	if (len > LIMIT_JWT_KEYFILE)
		return jwt_why(why, whylen, "a JWKS over %d bytes",
		    LIMIT_JWT_KEYFILE);
	if ((doc = jsonr_parse(json, len, LIMIT_JWT_DEPTH, why, whylen)) ==
	    NULL)
		return -1;
	if (!json_object_object_get_ex(doc, "keys", &keys) ||
	    !json_object_is_type(keys, json_type_array)) {
		jwt_why(why, whylen, "a JWKS without a \"keys\" array");
		goto out;
	}
	nkeys = json_object_array_length(keys);
	for (i = 0; i < nkeys; i++) {
		jwk = json_object_array_get_idx(keys, i);
		if ((r = jwt_jwk_usable(jwk, &kty, why, whylen)) == -1)
			goto out;
		if (r == 0)
			continue;
		if (jsonr_str(jwk, "kid", &kid) == -1) {
			jwt_why(why, whylen, "a JWK whose kid is not a string");
			goto out;
		}
		if ((pkey = jwt_jwk_pkey(jwk, kty, &alg, why, whylen)) == NULL)
			goto out;
		if (jwt_key_put(ks, added, kid, pkey, alg, why, whylen) == -1)
			goto out;
		added++;
	}
	if (added == 0) {
		jwt_why(why, whylen, "a JWKS with no RS256, ES256 (P-256) or "
		    "EdDSA (Ed25519) signing key");
		goto out;
	}
	ks->n += added;
	rc = (int)added;
out:
	if (rc == -1)
		for (i = 0; i < added; i++)
			jwt_key_clear(&ks->keys[ks->n + i]);
	json_object_put(doc);
	return rc;
}

/* ---- signatures -------------------------------------------------------- */

/* 1 when sig is key's signature of msg, 0 when not, -1 on failure. */
static int
jwt_sig_ok(const struct jwt_key *k, const unsigned char *msg, size_t msglen,
    const unsigned char *sig, size_t siglen)
{
	unsigned char mac[CRYPTO_SHA256_LEN], *der = NULL;
	const unsigned char *vsig = sig;
	size_t vlen = siglen;
	ECDSA_SIG *es = NULL;
	BIGNUM *r = NULL, *s = NULL;
	EVP_MD_CTX *md = NULL;
	int dlen, rc = -1;

	switch (k->alg) {
	case JWT_HS256:
		if (siglen != CRYPTO_SHA256_LEN)
			return 0;
		if (crypto_hmac_sha256(k->secret, k->secretlen, msg, msglen,
		    mac) == -1)
			return -1;
		rc = CRYPTO_memcmp(mac, sig, sizeof(mac)) == 0;
		crypto_wipe(mac, sizeof(mac));
		return rc;
	case JWT_RS256:
		if (siglen != (size_t)EVP_PKEY_get_size(k->pkey))
			return 0;
		break;
	case JWT_ES256:
		/* JOSE's r||s, 32 bytes each; a DER signature is refused. */
		if (siglen != 64)
			return 0;
		if ((es = ECDSA_SIG_new()) == NULL ||
		    (r = BN_bin2bn(sig, 32, NULL)) == NULL ||
		    (s = BN_bin2bn(sig + 32, 32, NULL)) == NULL ||
		    !ECDSA_SIG_set0(es, r, s))
			goto out;
		r = s = NULL;	/* es owns them */
		if ((dlen = i2d_ECDSA_SIG(es, &der)) <= 0)
			goto out;
		vsig = der;
		vlen = (size_t)dlen;
		break;
	case JWT_EDDSA:
		if (siglen != 64)
			return 0;
		break;
	default:
		return -1;
	}
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(md, NULL, k->alg == JWT_EDDSA ? NULL :
	    EVP_sha256(), NULL, k->pkey) != 1)
		goto out;
	rc = EVP_DigestVerify(md, vsig, vlen, msg, msglen) == 1;
out:
	EVP_MD_CTX_free(md);
	ECDSA_SIG_free(es);
	BN_free(r);
	BN_free(s);
	OPENSSL_free(der);
	return rc;
}

/* ---- verification ------------------------------------------------------ */

/* The header's alg as an enum, or an error. */
static enum jwt_err
jwt_header(struct json_object *h, enum jwt_alg *alg, const char **kid,
    char *why, size_t whylen)
{
	const char *a, *typ;
	size_t i;

	switch (jsonr_str(h, "alg", &a)) {
	case 0:
		jwt_why(why, whylen, "the header has no alg");
		return JWT_ERR_HEADER;
	case -1:
		jwt_why(why, whylen, "the header's alg is not a string");
		return JWT_ERR_HEADER;
	}
	if (strcasecmp(a, "none") == 0) {
		jwt_why(why, whylen, "alg none");
		return JWT_ERR_ALG_NONE;
	}
	for (i = 0; i < JWT_ALG__MAX; i++)
		if (strcmp(a, jwt_alg_names[i]) == 0)
			break;
	if (i == JWT_ALG__MAX) {
		jwt_why(why, whylen, "an alg other than HS256 RS256 ES256 "
		    "EdDSA");
		return JWT_ERR_ALG_UNSUPPORTED;
	}
	*alg = (enum jwt_alg)i;
	for (i = 0; i < NELEM(jwt_header_refused); i++)
		if (json_object_object_get_ex(h, jwt_header_refused[i],
		    NULL)) {
			jwt_why(why, whylen, "the header has %s",
			    jwt_header_refused[i]);
			return JWT_ERR_HEADER;
		}
	switch (jsonr_str(h, "typ", &typ)) {
	case -1:
		jwt_why(why, whylen, "the header's typ is not a string");
		return JWT_ERR_HEADER;
	case 1:
		for (i = 0; i < NELEM(jwt_typ_ok); i++)
			if (strcasecmp(typ, jwt_typ_ok[i]) == 0)
				break;
		if (i == NELEM(jwt_typ_ok)) {
			jwt_why(why, whylen, "the header's typ is not JWT");
			return JWT_ERR_HEADER;
		}
	}
	if (jsonr_str(h, "kid", kid) == -1 || (*kid != NULL &&
	    !jwt_kid_ok(*kid, strlen(*kid)))) {
		jwt_why(why, whylen, "the header's kid is not 1 to %d "
		    "printable ASCII bytes", LIMIT_JWT_KID);
		return JWT_ERR_HEADER;
	}
	return JWT_OK;
}

/* Find the key(s) for alg and kid and check the signature with them. */
static enum jwt_err
jwt_signature(const struct jwt_keyset *ks, enum jwt_alg alg, const char *kid,
    const char *tok, size_t signedlen, const unsigned char *sig,
    size_t siglen, const struct jwt_key **used, char *why, size_t whylen)
{
	const struct jwt_key *k;
	size_t i, tried = 0, other = 0;
	int r;

	for (i = 0; i < ks->n; i++) {
		k = &ks->keys[i];
		if (kid != NULL && (!k->has_kid || strcmp(k->kid, kid) != 0))
			continue;
		if (k->alg != alg) {
			other++;
			continue;
		}
		tried++;
		if ((r = jwt_sig_ok(k, (const unsigned char *)tok, signedlen,
		    sig, siglen)) == -1) {
			jwt_why(why, whylen, "the signature check failed");
			return JWT_ERR_INTERNAL;
		}
		if (r == 1) {
			*used = k;
			return JWT_OK;
		}
	}
	if (tried > 0) {
		jwt_why(why, whylen, "bad %s signature (%zu key%s tried)",
		    jwt_alg_name(alg), tried, tried == 1 ? "" : "s");
		return JWT_ERR_SIGNATURE;
	}
	if (other > 0) {
		jwt_why(why, whylen, "alg %s, but %s for another algorithm",
		    jwt_alg_name(alg), kid ? "the key of its kid is" :
		    "every key is");
		return JWT_ERR_KEY_ALG;
	}
	jwt_why(why, whylen, kid != NULL ? "no key has the token's kid" :
	    "no %s key", jwt_alg_name(alg));
	return JWT_ERR_NO_KEY;
}

/*
 * A NumericDate claim: 0 when absent, 1 with *t set, -1 when it is not a
 * number in 0..LIMIT_JWT_TIME_MAX (fractions are cut).
 */
static int
jwt_time(struct json_object *p, const char *name, long long *t)
{
	struct json_object *v;
	double d;

	if (!json_object_object_get_ex(p, name, &v))
		return 0;
	switch (json_object_get_type(v)) {
	case json_type_int:
		*t = (long long)json_object_get_int64(v);
		/* json-c saturates: INT64_MAX also stands for larger. */
		break;
	case json_type_double:
		d = json_object_get_double(v);
		if (!isfinite(d) || d < 0 || d > (double)LIMIT_JWT_TIME_MAX)
			return -1;
		*t = (long long)d;	/* d >= 0: the cast is floor() */
		break;
	default:
		return -1;
	}
	return *t >= 0 && *t <= LIMIT_JWT_TIME_MAX ? 1 : -1;
}

static enum jwt_err
jwt_times(struct json_object *p, long long now, long long leeway,
    long long *exp, long long *not_before, char *why, size_t whylen)
{
	static const char *const names[] = { "exp", "nbf", "iat" };
	long long t[3];
	int has[3];
	size_t i;

	for (i = 0; i < 3; i++)
		if ((has[i] = jwt_time(p, names[i], &t[i])) == -1) {
			jwt_why(why, whylen, "%s is not a time in 0..%lld",
			    names[i], LIMIT_JWT_TIME_MAX);
			return JWT_ERR_CLAIM;
		}
	if (!has[0]) {
		jwt_why(why, whylen, "no exp");
		return JWT_ERR_EXP_MISSING;
	}
	if (now - leeway >= t[0]) {
		jwt_why(why, whylen, "expired: exp %lld, now %lld, leeway %lld",
		    t[0], now, leeway);
		return JWT_ERR_EXPIRED;
	}
	if (has[1] && t[1] > now + leeway) {
		jwt_why(why, whylen, "not valid yet: nbf %lld, now %lld, "
		    "leeway %lld", t[1], now, leeway);
		return JWT_ERR_NOT_YET_VALID;
	}
	if (has[2] && t[2] > now + leeway) {
		jwt_why(why, whylen, "issued in the future: iat %lld, now %lld, "
		    "leeway %lld", t[2], now, leeway);
		return JWT_ERR_IAT_FUTURE;
	}
	*exp = t[0];
	*not_before = 0;
	if (has[1])
		*not_before = t[1];
	if (has[2] && t[2] > *not_before)
		*not_before = t[2];
	return JWT_OK;
}

enum jwt_err
jwt_claims_current(const struct jwt_claims *cl, const struct jwt_check *c,
    time_t now)
{
	if ((long long)now - c->leeway >= cl->exp)
		return JWT_ERR_EXPIRED;
	if (cl->not_before > (long long)now + c->leeway)
		return JWT_ERR_NOT_YET_VALID;
	return JWT_OK;
}

static enum jwt_err
jwt_audience(struct json_object *p, const char *want, char *why,
    size_t whylen)
{
	struct json_object *aud, *v;
	size_t i, n;
	int found = 0;

	if (!json_object_object_get_ex(p, "aud", &aud)) {
		if (want == NULL)
			return JWT_OK;
		jwt_why(why, whylen, "no aud, but an audience is configured");
		return JWT_ERR_AUDIENCE;
	}
	if (json_object_is_type(aud, json_type_string)) {
		found = want != NULL &&
		    strcmp(json_object_get_string(aud), want) == 0;
	} else if (json_object_is_type(aud, json_type_array) &&
	    (n = json_object_array_length(aud)) > 0) {
		for (i = 0; i < n; i++) {
			v = json_object_array_get_idx(aud, i);
			if (!json_object_is_type(v, json_type_string)) {
				jwt_why(why, whylen, "aud holds a non-string");
				return JWT_ERR_CLAIM;
			}
			if (want != NULL &&
			    strcmp(json_object_get_string(v), want) == 0)
				found = 1;
		}
	} else {
		jwt_why(why, whylen, "aud is not a string or a non-empty array "
		    "of strings");
		return JWT_ERR_CLAIM;
	}
	if (found)
		return JWT_OK;
	jwt_why(why, whylen, want == NULL ? "the token has aud, but no "
	    "audience is configured" : "aud does not name the audience");
	return JWT_ERR_AUDIENCE;
}

static enum jwt_err
jwt_claims(struct json_object *p, const struct jwt_check *c, long long now,
    struct jwt_claims *out, char *why, size_t whylen)
{
	const char *claim = c->user_claim ? c->user_claim :
	    DEFAULT_JWT_USER_CLAIM, *iss, *user;
	enum jwt_err e;
	long long exp = 0, not_before = 0;
	int r;

	if ((e = jwt_times(p, now, c->leeway, &exp, &not_before, why,
	    whylen)) != JWT_OK)
		return e;
	r = jsonr_str(p, "iss", &iss);
	if (r == -1) {
		jwt_why(why, whylen, "iss is not a string");
		return JWT_ERR_CLAIM;
	}
	if (c->issuer != NULL && (r == 0 || strcmp(iss, c->issuer) != 0)) {
		jwt_why(why, whylen, r == 0 ? "no iss" :
		    "iss is not the configured issuer");
		return JWT_ERR_ISSUER;
	}
	if ((e = jwt_audience(p, c->audience, why, whylen)) != JWT_OK)
		return e;
	r = jsonr_str(p, claim, &user);
	if (r != 1 || !keyname_user_ok(user)) {
		jwt_why(why, whylen, r == 0 ? "no user claim (%s)" : r == -1 ?
		    "the user claim (%s) is not a string" : "the user claim "
		    "(%s) is not 1 to 64 of A-Z a-z 0-9 . _ - @", claim);
		return JWT_ERR_USER;
	}
	snprintf(out->user, sizeof(out->user), "%s", user);
	out->exp = exp;
	out->not_before = not_before;
	return JWT_OK;
}

/* Decode one part; the JSON ones are NUL-terminated for the parser. */
static long
jwt_part(const char *s, size_t len, unsigned char *out, size_t outsz)
{
	long n = crypto_unb64url(s, len, out, outsz - 1);

	if (n >= 0)
		out[n] = '\0';
	return n;
}

enum jwt_err
jwt_verify(const struct jwt_keyset *ks, const struct jwt_check *c,
    time_t now, const char *tok, size_t len, struct jwt_claims *out,
    char *why, size_t whylen)
{
	unsigned char *buf = NULL, *hdr, *pay, *sig;
	struct json_object *h = NULL, *p = NULL;
	const struct jwt_key *used = NULL;
	struct jwt_claims cl;
	const char *d1, *d2, *kid = NULL;
	long hlen, plen, slen;
	size_t part;
	enum jwt_alg alg;
	enum jwt_err e;

	if (why != NULL && whylen > 0)
		*why = '\0';
	if (len > LIMIT_JWT_LEN) {
		jwt_why(why, whylen, "a token of %zu bytes (at most %d)", len,
		    LIMIT_JWT_LEN);
		return JWT_ERR_TOO_LONG;
	}
	if (c->leeway < 0 || c->leeway > LIMIT_JWT_LEEWAY) {
		jwt_why(why, whylen, "leeway out of range");
		return JWT_ERR_INTERNAL;
	}
	d1 = memchr(tok, '.', len);
	d2 = d1 ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - tok)) : NULL;
	/* An empty signature passes here: alg none is named as such. */
	if (d1 == NULL || d2 == NULL || memchr(d2 + 1, '.', len -
	    (size_t)(d2 + 1 - tok)) != NULL || d1 == tok || d2 == d1 + 1) {
		jwt_why(why, whylen, "not three parts, or an empty one");
		return JWT_ERR_FORMAT;
	}
	/*
	 * Each decoded part is shorter than the token: one buffer for all,
	 * of the token's size, not the largest one's (it is wiped after).
	 */
	part = len + 1;
	if ((buf = malloc(3 * part)) == NULL) {
		jwt_why(why, whylen, "out of memory");
		return JWT_ERR_INTERNAL;
	}
	hdr = buf;
	pay = buf + part;
	sig = buf + 2 * part;
	hlen = jwt_part(tok, (size_t)(d1 - tok), hdr, part);
	plen = jwt_part(d1 + 1, (size_t)(d2 - d1 - 1), pay, part);
	slen = jwt_part(d2 + 1, len - (size_t)(d2 + 1 - tok), sig, part);
	if (hlen < 0 || plen < 0 || slen < 0) {
		jwt_why(why, whylen, "the %s is not unpadded base64url",
		    hlen < 0 ? "header" : plen < 0 ? "payload" : "signature");
		e = JWT_ERR_BASE64;
		goto out;
	}
	if ((h = jsonr_parse((char *)hdr, (size_t)hlen, LIMIT_JWT_DEPTH, why,
	    whylen)) == NULL) {
		e = JWT_ERR_JSON;
		goto out;
	}
	if ((e = jwt_header(h, &alg, &kid, why, whylen)) != JWT_OK)
		goto out;
	/* The signature first: nothing of an unsigned payload is used. */
	if ((e = jwt_signature(ks, alg, kid, tok, (size_t)(d2 - tok), sig,
	    (size_t)slen, &used, why, whylen)) != JWT_OK)
		goto out;
	if ((p = jsonr_parse((char *)pay, (size_t)plen, LIMIT_JWT_DEPTH, why,
	    whylen)) == NULL) {
		e = JWT_ERR_JSON;
		goto out;
	}
	memset(&cl, 0, sizeof(cl));
	if ((e = jwt_claims(p, c, (long long)now, &cl, why, whylen)) != JWT_OK)
		goto out;
	cl.alg = alg;
	snprintf(cl.kid, sizeof(cl.kid), "%s", used->kid);
	*out = cl;
out:
	json_object_put(h);
	json_object_put(p);
	crypto_wipe(buf, 3 * part);
	free(buf);
	return e;
}

/* ---- where a token comes from ------------------------------------------ */

/* RFC 6750 b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
static int
jwt_b64token(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && (isalnum((unsigned char)s[i]) ||
	    strchr("-._~+/", s[i]) != NULL) && s[i] != '\0')
		i++;
	if (i == 0)
		return 0;
	while (i < len && s[i] == '=')
		i++;
	return i == len;
}

int
jwt_bearer(const char *authz, const char **tok, size_t *len)
{
	const char *p;

	if (authz == NULL || strncasecmp(authz, "Bearer", 6) != 0 ||
	    authz[6] != ' ')
		return -1;
	for (p = authz + 6; *p == ' '; p++)
		;
	if (!jwt_b64token(p, strlen(p)))
		return -1;
	*tok = p;
	*len = strlen(p);
	return 0;
}

int
jwt_cookie(const char *cookies, const char *name, const char **tok,
    size_t *len)
{
	const char *p, *end, *eq, *v, *found = NULL;
	size_t nlen, vlen, flen = 0;

	if (cookies == NULL || name == NULL || (nlen = strlen(name)) == 0)
		return -1;
	for (p = cookies; *p != '\0'; p = *end ? end + 1 : end) {
		while (*p == ' ')
			p++;
		end = p + strcspn(p, ";");
		if ((eq = memchr(p, '=', (size_t)(end - p))) == NULL ||
		    (size_t)(eq - p) != nlen || memcmp(p, name, nlen) != 0)
			continue;
		v = eq + 1;
		vlen = (size_t)(end - v);
		while (vlen > 0 && v[vlen - 1] == ' ')
			vlen--;
		if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
			v++;
			vlen -= 2;
		}
		if (found != NULL)
			return -1;	/* twice: which one is meant? */
		found = v;
		flen = vlen;
	}
	if (found == NULL || flen == 0)
		return -1;
	*tok = found;
	*len = flen;
	return 0;
}
