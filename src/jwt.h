/*
 * JSON Web Tokens (RFC 7519, compact JWS of RFC 7515) as `auth = jwt`
 * uses them: a key set (PEM public keys, HS256 secrets, JWKS documents),
 * the token a request carries (Authorization: Bearer, or a cookie), and
 * the verification of a token against the key set and the configured
 * issuer, audience, user claim and leeway.  Signatures through OpenSSL 3
 * (EVP), JSON through json-c via jsonr.  Pure: keys arrive as bytes (the
 * caller reads the files), the time as an argument; nothing is logged.
 *
 * What verification refuses, each with its enum jwt_err:
 *   - a token over LIMIT_JWT_LEN bytes, not three dot-separated parts (an
 *     empty header or payload), a part that is not strict unpadded
 *     base64url (an empty signature fails as a signature), a header or
 *     payload that is not one strict JSON object (jsonr: duplicate member
 *     names, NaN, lone surrogates, invalid UTF-8... are all refused);
 *   - alg "none" (in any case), an alg other than HS256 RS256 ES256 EdDSA;
 *     header members that make the token carry or name its own key or
 *     change how it is read: jwk jku x5u x5c crit b64 enc zip cty; a typ
 *     other than JWT, at+jwt, application/jwt, application/at+jwt (any
 *     case); a kid that is not 1..LIMIT_JWT_KID printable ASCII bytes;
 *   - no key for the token: the key type fixes the algorithm (an RSA key
 *     is RS256 only, a P-256 key ES256, an Ed25519 key EdDSA, a secret
 *     HS256), so an RS256 public key is never an HS256 secret; with a kid
 *     only the key of that kid is tried, without one every key of the
 *     token's algorithm;
 *   - a bad signature (ES256: the 64-byte r||s of RFC 7518 3.4 only, a DER
 *     signature is refused);
 *   - exp missing, exp <= now - leeway, nbf > now + leeway,
 *     iat > now + leeway; a registered claim of the wrong type or outside
 *     0..LIMIT_JWT_TIME_MAX;
 *   - iss unlike the configured issuer; aud (a string or an array of
 *     strings) without the configured audience, or an aud at all when no
 *     audience is configured (RFC 7519 4.1.3);
 *   - a user claim (default sub) missing, not a string, or failing
 *     keyname_user_ok (the ${user} rules).
 */
#ifndef OSSIGN_JWT_H
#define OSSIGN_JWT_H

#include <stddef.h>
#include <time.h>

#include "limit.h"

enum jwt_alg {
	JWT_HS256,
	JWT_RS256,
	JWT_ES256,
	JWT_EDDSA,
	JWT_ALG__MAX
};

enum jwt_err {
	JWT_OK = 0,
	JWT_ERR_TOO_LONG,
	JWT_ERR_FORMAT,
	JWT_ERR_BASE64,
	JWT_ERR_JSON,
	JWT_ERR_HEADER,
	JWT_ERR_ALG_NONE,
	JWT_ERR_ALG_UNSUPPORTED,
	JWT_ERR_NO_KEY,
	JWT_ERR_KEY_ALG,
	JWT_ERR_SIGNATURE,
	JWT_ERR_CLAIM,
	JWT_ERR_EXP_MISSING,
	JWT_ERR_EXPIRED,
	JWT_ERR_NOT_YET_VALID,
	JWT_ERR_IAT_FUTURE,
	JWT_ERR_ISSUER,
	JWT_ERR_AUDIENCE,
	JWT_ERR_USER,
	JWT_ERR_INTERNAL,
	JWT_ERR__MAX
};

/* "HS256" "RS256" "ES256" "EdDSA" (the JWS names). */
const char	*jwt_alg_name(enum jwt_alg);
/* A stable word per error for logs and tests: "expired", "signature"... */
const char	*jwt_err_name(enum jwt_err);

/* Keys a token may be signed with; opaque, at most LIMIT_JWT_KEYS. */
struct jwt_keyset;

/* A new empty key set, or NULL when out of memory. */
struct jwt_keyset *jwt_keyset_new(void);
/* Free ks and every key in it (secrets wiped first); NULL is fine. */
void	 jwt_keyset_free(struct jwt_keyset *ks);
/* How many keys ks holds. */
size_t	 jwt_keyset_count(const struct jwt_keyset *ks);

/*
 * Check the public keys added to ks from now on the quick way, for a
 * process that loads them for one request (a CGI run): an EC point on its
 * curve (EVP_PKEY_public_check_quick), an RSA key's modulus odd and its
 * exponent odd and in 3..n-1, without OpenSSL's full check (for RSA a
 * probable-prime test of the modulus: 60 million instructions for 2048
 * bits).  A key that only the full check refuses cannot verify a token
 * anyone but its owner made either; ossign -t and a FastCGI start check
 * the same files fully.
 */
void	 jwt_keyset_quick(struct jwt_keyset *ks);

/*
 * Add an HS256 secret: len bytes at key (LIMIT_JWT_HMAC_MIN to
 * LIMIT_JWT_HMAC_MAX), used as they are (the caller reads the secret file
 * and decides about a trailing newline).  The bytes are copied and wiped
 * when ks is freed.  kid (NULL: none) must be unique in ks.  Returns 0, or
 * -1 with the reason in why.
 */
int	 jwt_keyset_add_hs256(struct jwt_keyset *ks, const char *kid,
	    const void *key, size_t len, char *why, size_t whylen);

/*
 * Add the one public key of a PEM document ("BEGIN PUBLIC KEY",
 * SubjectPublicKeyInfo): RSA of LIMIT_JWT_RSA_BITS to LIMIT_JWT_RSA_BITS_MAX
 * bits (RS256), EC P-256 (ES256) or Ed25519 (EdDSA); anything else, a
 * private key, or more than one PEM block is refused.  kid as above.
 * Returns 0, or -1 with the reason in why.
 */
int	 jwt_keyset_add_pem(struct jwt_keyset *ks, const char *kid,
	    const char *pem, size_t len, char *why, size_t whylen);

/*
 * Add the keys of a JWKS document ({"keys":[...]}, RFC 7517): kty RSA
 * (n, e), EC with crv P-256 (x, y) and OKP with crv Ed25519 (x).  Keys
 * with use other than "sig", an alg that is not their type's, another
 * curve or an unknown kty are skipped (an identity provider's JWKS mixes
 * them); a key with private members (d, p, q, dp, dq, qi, k), a kty "oct"
 * (a secret belongs in a secret file), malformed members or a kid already
 * in ks fails the whole document and adds nothing.  Returns the number of
 * keys added (at least 1), or -1 with the reason in why.
 */
int	 jwt_keyset_add_jwks(struct jwt_keyset *ks, const char *json,
	    size_t len, char *why, size_t whylen);

/* What a token is checked against besides its signature. */
struct jwt_check {
	const char	*issuer;	/* iss must equal it; NULL: not checked */
	const char	*audience;	/* aud must hold it; NULL: no aud allowed */
	const char	*user_claim;	/* NULL: DEFAULT_JWT_USER_CLAIM */
	long long	 leeway;	/* seconds, 0..LIMIT_JWT_LEEWAY */
};

/* What a verified token says. */
struct jwt_claims {
	char		 user[LIMIT_USER_LEN + 1];	/* the user claim */
	long long	 exp;		/* its exp, seconds since the epoch */
	long long	 not_before;	/* the later of nbf and iat; 0: neither */
	enum jwt_alg	 alg;
	char		 kid[LIMIT_JWT_KID + 1];	/* the key's, "" if none */
};

/*
 * Verify the len bytes of tok (need not be NUL-terminated) at time now
 * against ks and c.  Returns JWT_OK and fills out, or an error with a
 * reason for the log in why (whylen bytes): it names the check that failed
 * and the numbers involved, never a byte of the token, a claim's text or a
 * key.  out is written only on success.
 */
enum jwt_err jwt_verify(const struct jwt_keyset *ks, const struct jwt_check *c,
	    time_t now, const char *tok, size_t len, struct jwt_claims *out,
	    char *why, size_t whylen);

/*
 * Whether claims that jwt_verify accepted under c still hold at now: its
 * exp and its nbf and iat against now and c's leeway, as jwt_verify
 * checked them (for a process that keeps verified tokens).  Returns JWT_OK,
 * JWT_ERR_EXPIRED or JWT_ERR_NOT_YET_VALID.
 */
enum jwt_err jwt_claims_current(const struct jwt_claims *cl,
	    const struct jwt_check *c, time_t now);

/*
 * The token of an Authorization header value ("Bearer TOKEN": the scheme
 * in any case, one or more spaces, then 1*b64token as RFC 6750 2.1 says,
 * nothing after it).  Returns 0 and points *tok, *len into authz, or -1.
 */
int	 jwt_bearer(const char *authz, const char **tok, size_t *len);

/*
 * The value of cookie name in a Cookie header value ("a=1; b=2", RFC 6265
 * 4.2.1; the value may be double-quoted).  Returns 0 and points *tok,
 * *len into cookies, or -1 when the cookie is absent, empty or given more
 * than once.
 */
int	 jwt_cookie(const char *cookies, const char *name, const char **tok,
	    size_t *len);

#endif /* OSSIGN_JWT_H */
