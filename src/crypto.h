/*
 * Thin wrappers over libcrypto: HMAC-SHA256, HMAC-SHA1, SHA-256, base64,
 * hex, random bytes, uuid v4 and wiping of secrets; and SipHash-2-4, which
 * OpenSSL has only behind the costly EVP_MAC interface.
 */
#ifndef OSSIGN_CRYPTO_H
#define OSSIGN_CRYPTO_H

#include <stddef.h>

#define CRYPTO_SHA256_LEN	32
#define CRYPTO_SHA1_LEN		20
#define CRYPTO_UUID_LEN		36	/* without the NUL */

/* out = HMAC-SHA256(key, msg).  Returns 0 or -1. */
int	 crypto_hmac_sha256(const void *key, size_t keylen, const void *msg,
	    size_t msglen, unsigned char out[CRYPTO_SHA256_LEN]);
/* out = HMAC-SHA1(key, msg).  Returns 0 or -1. */
int	 crypto_hmac_sha1(const void *key, size_t keylen, const void *msg,
	    size_t msglen, unsigned char out[CRYPTO_SHA1_LEN]);
/*
 * SipHash-2-4 (Aumasson and Bernstein, 2012) of msg under a 16-byte key,
 * the 64-bit result: a keyed hash for hash tables a client may aim at
 * (the rate-limit table), some 600 instructions for a short key where an
 * HMAC-SHA256 through OpenSSL 3's EVP_MAC costs 13,000.  Not a MAC for
 * anything kept or sent.
 */
unsigned long long crypto_siphash24(const unsigned char key[16],
	    const void *msg, size_t len);
/* out = SHA-256(msg).  Returns 0 or -1. */
int	 crypto_sha256(const void *msg, size_t len,
	    unsigned char out[CRYPTO_SHA256_LEN]);

/* Lowercase hex of in into out (2 * len + 1 bytes). */
void	 crypto_hex(const unsigned char *in, size_t len, char *out);

/* Bytes needed for the base64 of len bytes, NUL included. */
size_t	 crypto_b64_size(size_t len);
/* Standard base64 with padding, no newlines, into out (crypto_b64_size). */
void	 crypto_b64(const void *in, size_t len, char *out);
/*
 * Decode standard base64 (padding required, no whitespace) into out
 * (outsz bytes).  Returns the decoded length or -1.
 */
long	 crypto_unb64(const char *in, size_t len, unsigned char *out,
	    size_t outsz);

/*
 * Decode unpadded base64url (RFC 4648 section 5, as JWS uses it) into out
 * (outsz bytes): only A-Z a-z 0-9 - _, no '=', no whitespace, a length
 * that is not 1 mod 4, and zero bits where the last character has bits to
 * spare (one encoding per value).  Returns the decoded length or -1.
 */
long	 crypto_unb64url(const char *in, size_t len, unsigned char *out,
	    size_t outsz);

/* Fill buf with len bytes from the OS CSPRNG.  Returns 0 or -1. */
int	 crypto_random(void *buf, size_t len);
/* Format 16 random bytes as a version 4 uuid (37 bytes with NUL). */
void	 crypto_uuid_format(const unsigned char rnd[16],
	    char out[CRYPTO_UUID_LEN + 1]);

/* Overwrite len bytes at p in a way the compiler keeps. */
void	 crypto_wipe(void *p, size_t len);
/* Wipe a NUL-terminated string and free it; NULL is fine. */
void	 crypto_free_secret(char *s);

#endif /* OSSIGN_CRYPTO_H */
