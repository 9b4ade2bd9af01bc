/*
 * Fuzz target: a token through jwt_verify() against a fixed key set (an
 * HS256 secret, a P-256 and an Ed25519 public key, kids h, e and d), or,
 * when the input starts with '{', a JWKS document through
 * jwt_keyset_add_jwks(), or when it starts with "-----", a PEM key through
 * jwt_keyset_add_pem() (ossign's own DER reader of SubjectPublicKeyInfo),
 * the full check and the quick one; the same bytes as an Authorization header
 * (jwt_bearer) and a Cookie header (jwt_cookie).  Checks what a caller
 * relies on: a known verdict with a reason, a verified user that passes
 * the ${user} rules and an exp that has not passed, a JWKS that adds keys
 * only on success, token pointers inside their input.
 */
#include <string.h>

#include "fuzz.h"
#include "jwt.h"
#include "keyname.h"

#define FUZZ_JWT_NOW	1767225600	/* 2026-01-01T00:00:00Z */

/* Made for the fuzzer only (their private halves were thrown away). */
static const char fuzz_jwt_hs[] = "fuzz-jwt-hs256-secret-0123456789abcdef";
static const char fuzz_jwt_ec[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEU5uyYpWmXps7JuDWqIvh70lTrzL4\n"
    "y1d9PZ8plO7qEJ1sRk2wDF8IpHjRz3HNeql3BLRoDfrwsfy8dDfntsZuGg==\n"
    "-----END PUBLIC KEY-----\n";
static const char fuzz_jwt_ed[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAD9+t5OML9//TEa2tadS6qcA0SINxA2toaPB6G9jwF40=\n"
    "-----END PUBLIC KEY-----\n";

static struct jwt_keyset *
fuzz_jwt_keys(void)
{
	static struct jwt_keyset *ks;
	char why[256];

	if (ks != NULL)
		return ks;
	ks = jwt_keyset_new();
	FUZZ_CHECK(ks != NULL);
	FUZZ_CHECK(jwt_keyset_add_hs256(ks, "h", fuzz_jwt_hs,
	    strlen(fuzz_jwt_hs), why, sizeof(why)) == 0);
	FUZZ_CHECK(jwt_keyset_add_pem(ks, "e", fuzz_jwt_ec,
	    strlen(fuzz_jwt_ec), why, sizeof(why)) == 0);
	FUZZ_CHECK(jwt_keyset_add_pem(ks, "d", fuzz_jwt_ed,
	    strlen(fuzz_jwt_ed), why, sizeof(why)) == 0);
	return ks;
}

static void
fuzz_jwt_token(const uint8_t *data, size_t size)
{
	struct jwt_check c = { "https://idp.example.com", "ossign", NULL, 60 };
	struct jwt_claims cl;
	enum jwt_err e;
	char why[256];

	memset(why, 'x', sizeof(why));
	memset(&cl, 0x55, sizeof(cl));
	e = jwt_verify(fuzz_jwt_keys(), &c, FUZZ_JWT_NOW, (const char *)data,
	    size, &cl, why, sizeof(why));
	FUZZ_CHECK((int)e >= 0 && e < JWT_ERR__MAX);
	FUZZ_CHECK(memchr(why, '\0', sizeof(why)) != NULL);
	if (e != JWT_OK) {
		FUZZ_CHECK(why[0] != '\0');
		return;
	}
	FUZZ_CHECK(size <= LIMIT_JWT_LEN);
	FUZZ_CHECK(memchr(cl.user, '\0', sizeof(cl.user)) != NULL);
	FUZZ_CHECK(keyname_user_ok(cl.user));
	FUZZ_CHECK(cl.exp > FUZZ_JWT_NOW - 60);
	FUZZ_CHECK(cl.alg < JWT_ALG__MAX);
	/* Without the audience configured the same token is refused only
	 * when it names one: it always names "ossign" here. */
	c.audience = NULL;
	FUZZ_CHECK(jwt_verify(fuzz_jwt_keys(), &c, FUZZ_JWT_NOW,
	    (const char *)data, size, &cl, why, sizeof(why)) ==
	    JWT_ERR_AUDIENCE);
}

static void
fuzz_jwt_jwks(const uint8_t *data, size_t size)
{
	struct jwt_keyset *ks = jwt_keyset_new();
	char why[256];
	int n;

	FUZZ_CHECK(ks != NULL);
	why[0] = '\0';
	n = jwt_keyset_add_jwks(ks, (const char *)data, size, why,
	    sizeof(why));
	if (n == -1) {
		FUZZ_CHECK(jwt_keyset_count(ks) == 0);
		FUZZ_CHECK(why[0] != '\0');
	} else {
		FUZZ_CHECK(n >= 1 && (size_t)n == jwt_keyset_count(ks));
		FUZZ_CHECK(jwt_keyset_count(ks) <= LIMIT_JWT_KEYS);
	}
	jwt_keyset_free(ks);
}

/* A PEM key, checked fully then quickly: one key added, or none. */
static void
fuzz_jwt_pem(const uint8_t *data, size_t size)
{
	struct jwt_keyset *ks;
	char why[256];
	int quick, rc;

	for (quick = 0; quick <= 1; quick++) {
		FUZZ_CHECK((ks = jwt_keyset_new()) != NULL);
		if (quick)
			jwt_keyset_quick(ks);
		why[0] = '\0';
		rc = jwt_keyset_add_pem(ks, NULL, (const char *)data, size, why,
		    sizeof(why));
		FUZZ_CHECK(rc == 0 ? jwt_keyset_count(ks) == 1 :
		    jwt_keyset_count(ks) == 0 && why[0] != '\0');
		jwt_keyset_free(ks);
	}
}

int
fuzz_jwt(const uint8_t *data, size_t size)
{
	const char *tok;
	char *s;
	size_t len;

	if (size > 0 && data[0] == '{')
		fuzz_jwt_jwks(data, size);
	else if (size >= 5 && memcmp(data, "-----", 5) == 0)
		fuzz_jwt_pem(data, size);
	else
		fuzz_jwt_token(data, size);

	s = fuzz_cstr(data, size);
	if (jwt_bearer(s, &tok, &len) == 0) {
		FUZZ_CHECK(tok > s && tok + len == s + strlen(s));
		FUZZ_CHECK(len > 0 && memchr(tok, ' ', len) == NULL);
	}
	if (jwt_cookie(s, "ossign_jwt", &tok, &len) == 0)
		FUZZ_CHECK(tok >= s && tok + len <= s + strlen(s) && len > 0);
	free(s);
	return 0;
}

FUZZ_ENTRY(fuzz_jwt)
