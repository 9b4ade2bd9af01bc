/* libcrypto wrappers; see crypto.h. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_GETRANDOM
#include <sys/random.h>
#endif

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "crypto.h"

/*
 * OpenSSL 3's one-shot HMAC() looks the algorithms up by name and builds a
 * context on every call; a signature needs one to five HMACs per request,
 * so the MAC is fetched once and its context reused (a process is single
 * threaded).
 */
static EVP_MAC_CTX *crypto_hmac_ctx;

int
crypto_hmac_sha256(const void *key, size_t keylen, const void *msg,
    size_t msglen, unsigned char out[CRYPTO_SHA256_LEN])
{
	OSSL_PARAM params[2];
	EVP_MAC *mac;
	size_t len = 0;

	if (crypto_hmac_ctx == NULL) {
		if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
			return -1;
		crypto_hmac_ctx = EVP_MAC_CTX_new(mac);
		EVP_MAC_free(mac);	/* the context keeps its reference */
		if (crypto_hmac_ctx == NULL)
			return -1;
		params[0] = OSSL_PARAM_construct_utf8_string(
		    OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
		params[1] = OSSL_PARAM_construct_end();
		if (!EVP_MAC_CTX_set_params(crypto_hmac_ctx, params)) {
			EVP_MAC_CTX_free(crypto_hmac_ctx);
			crypto_hmac_ctx = NULL;
			return -1;
		}
	}
	if (!EVP_MAC_init(crypto_hmac_ctx, key, keylen, NULL) ||
	    !EVP_MAC_update(crypto_hmac_ctx, msg, msglen) ||
	    !EVP_MAC_final(crypto_hmac_ctx, out, &len, CRYPTO_SHA256_LEN) ||
	    len != CRYPTO_SHA256_LEN)
		return -1;
	return 0;
}

#define CRYPTO_ROTL(x, b)	(((x) << (b)) | ((x) >> (64 - (b))))
#define CRYPTO_SIPROUND(v0, v1, v2, v3) do {				\
	v0 += v1; v1 = CRYPTO_ROTL(v1, 13); v1 ^= v0;			\
	v0 = CRYPTO_ROTL(v0, 32);					\
	v2 += v3; v3 = CRYPTO_ROTL(v3, 16); v3 ^= v2;			\
	v0 += v3; v3 = CRYPTO_ROTL(v3, 21); v3 ^= v0;			\
	v2 += v1; v1 = CRYPTO_ROTL(v1, 17); v1 ^= v2;			\
	v2 = CRYPTO_ROTL(v2, 32);					\
} while (0)

/* Little-endian 64 bits at p. */
static uint64_t
crypto_le64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

unsigned long long
crypto_siphash24(const unsigned char key[16], const void *msg, size_t len)
{
	const unsigned char *m = msg;
	uint64_t k0 = crypto_le64(key), k1 = crypto_le64(key + 8), b, mi;
	uint64_t v0 = k0 ^ 0x736f6d6570736575ULL, v1 = k1 ^ 0x646f72616e646f6dULL;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ULL, v3 = k1 ^ 0x7465646279746573ULL;
	size_t i, left = len % 8;

	for (i = 0; i + 8 <= len; i += 8) {
		mi = crypto_le64(m + i);
		v3 ^= mi;
		CRYPTO_SIPROUND(v0, v1, v2, v3);
		CRYPTO_SIPROUND(v0, v1, v2, v3);
		v0 ^= mi;
	}
	/* The last 0..7 bytes, and the length's low byte on top. */
	b = (uint64_t)len << 56;
	for (m += i; left > 0; left--)
		b |= (uint64_t)m[left - 1] << (8 * (left - 1));
	v3 ^= b;
	CRYPTO_SIPROUND(v0, v1, v2, v3);
	CRYPTO_SIPROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	for (i = 0; i < 4; i++)
		CRYPTO_SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

int
crypto_hmac_sha1(const void *key, size_t keylen, const void *msg,
    size_t msglen, unsigned char out[CRYPTO_SHA1_LEN])
{
	unsigned int len = 0;

	if (HMAC(EVP_sha1(), key, (int)keylen, msg, msglen, out,
	    &len) == NULL || len != CRYPTO_SHA1_LEN)
		return -1;
	return 0;
}

int
crypto_sha256(const void *msg, size_t len, unsigned char out[CRYPTO_SHA256_LEN])
{
	unsigned int olen = 0;

	if (EVP_Digest(msg, len, out, &olen, EVP_sha256(), NULL) != 1 ||
	    olen != CRYPTO_SHA256_LEN)
		return -1;
	return 0;
}

void
crypto_hex(const unsigned char *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

size_t
crypto_b64_size(size_t len)
{
	return (len + 2) / 3 * 4 + 1;
}

void
crypto_b64(const void *in, size_t len, char *out)
{
	/* EVP_EncodeBlock writes no newlines and NUL-terminates. */
	EVP_EncodeBlock((unsigned char *)out, in, (int)len);
}

long
crypto_unb64(const char *in, size_t len, unsigned char *out, size_t outsz)
{
	unsigned char *tmp;
	size_t pad = 0;
	int n;

	if (len == 0)
		return 0;
	if (len % 4 != 0 || len > 0x7fffffff)
		return -1;
	if (in[len - 1] == '=')
		pad++;
	if (in[len - 2] == '=')
		pad++;
	if ((tmp = malloc(len / 4 * 3)) == NULL)
		return -1;
	n = EVP_DecodeBlock(tmp, (const unsigned char *)in, (int)len);
	if (n < 0 || (size_t)n < pad || (size_t)n - pad > outsz) {
		crypto_wipe(tmp, len / 4 * 3);
		free(tmp);
		return -1;
	}
	n -= (int)pad;
	memcpy(out, tmp, (size_t)n);
	crypto_wipe(tmp, len / 4 * 3);
	free(tmp);
	return n;
}

static int
crypto_b64url_val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

long
crypto_unb64url(const char *in, size_t len, unsigned char *out, size_t outsz)
{
	unsigned long acc = 0;
	size_t i, o = 0;
	int bits = 0, v;

	if (len % 4 == 1 || len > 0x7fffffff)
		return -1;
	for (i = 0; i < len; i++) {
		if ((v = crypto_b64url_val((unsigned char)in[i])) < 0)
			return -1;
		acc = (acc << 6) | (unsigned long)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == outsz)
				return -1;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1UL << bits) - 1;
		}
	}
	/* Left-over bits must be zero: "AB" and "AC" are not one value. */
	if (acc != 0)
		return -1;
	return (long)o;
}

int
crypto_random(void *buf, size_t len)
{
#ifdef HAVE_GETRANDOM
	/* The kernel's CSPRNG: no DRBG to set up in a one-shot CGI. */
	if (len <= 256 && getrandom(buf, len, 0) == (ssize_t)len)
		return 0;
#endif
	return RAND_bytes(buf, (int)len) == 1 ? 0 : -1;
}

void
crypto_uuid_format(const unsigned char rnd[16], char out[CRYPTO_UUID_LEN + 1])
{
	unsigned char b[16];
	char hex[33];

	memcpy(b, rnd, sizeof(b));
	b[6] = (b[6] & 0x0f) | 0x40;	/* version 4 */
	b[8] = (b[8] & 0x3f) | 0x80;	/* RFC 4122 variant */
	crypto_hex(b, sizeof(b), hex);
	memcpy(out, hex, 8);
	out[8] = '-';
	memcpy(out + 9, hex + 8, 4);
	out[13] = '-';
	memcpy(out + 14, hex + 12, 4);
	out[18] = '-';
	memcpy(out + 19, hex + 16, 4);
	out[23] = '-';
	memcpy(out + 24, hex + 20, 12);
	out[36] = '\0';
}

void
crypto_wipe(void *p, size_t len)
{
	if (p != NULL && len > 0)
		OPENSSL_cleanse(p, len);
}

void
crypto_free_secret(char *s)
{
	if (s == NULL)
		return;
	crypto_wipe(s, strlen(s));
	free(s);
}
