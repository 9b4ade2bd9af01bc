/* OSS4-HMAC-SHA256; see sign.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "limit.h"
#include "sign.h"

const char *
sign_region(const char *region)
{
	if (strncmp(region, "oss-", 4) == 0)
		return region + 4;
	return region;
}

int
sign_v4_key(const char *secret, const char *date8, const char *region,
    unsigned char key[CRYPTO_SHA256_LEN])
{
	unsigned char k[CRYPTO_SHA256_LEN];
	char seed[sizeof("aliyun_v4") + LIMIT_SECRET_LEN];
	const char *r = sign_region(region);
	size_t slen = strlen(secret);
	int rc = -1;

	if (slen > LIMIT_SECRET_LEN)
		return -1;
	memcpy(seed, "aliyun_v4", 9);
	memcpy(seed + 9, secret, slen);
	if (crypto_hmac_sha256(seed, 9 + slen, date8, strlen(date8), k) ||
	    crypto_hmac_sha256(k, sizeof(k), r, strlen(r), k) ||
	    crypto_hmac_sha256(k, sizeof(k), "oss", 3, k) ||
	    crypto_hmac_sha256(k, sizeof(k), "aliyun_v4_request", 17, key))
		goto out;
	rc = 0;
out:
	crypto_wipe(seed, sizeof(seed));
	crypto_wipe(k, sizeof(k));
	return rc;
}

/*
 * The last derived key: it changes once a day or when the credentials do,
 * so deriving it anew (four HMACs) for every request is wasted work.
 */
static struct {
	int		 ok;
	char		 secret[LIMIT_SECRET_LEN + 1];
	char		 date8[9];
	char		 region[65];
	unsigned char	 key[CRYPTO_SHA256_LEN];
} sign_cache;

void
sign_cache_clear(void)
{
	crypto_wipe(&sign_cache, sizeof(sign_cache));
}

int
sign_v4_policy(const char *secret, const char *date8, const char *region,
    const char *policy_b64, char out[SIGN_HEX_LEN + 1])
{
	unsigned char mac[CRYPTO_SHA256_LEN];

	if (!sign_cache.ok || strcmp(sign_cache.date8, date8) != 0 ||
	    strcmp(sign_cache.region, region) != 0 ||
	    strcmp(sign_cache.secret, secret) != 0) {
		sign_cache_clear();
		if (strlen(secret) >= sizeof(sign_cache.secret) ||
		    strlen(date8) >= sizeof(sign_cache.date8) ||
		    strlen(region) >= sizeof(sign_cache.region) ||
		    sign_v4_key(secret, date8, region, sign_cache.key) == -1) {
			sign_cache_clear();
			return -1;
		}
		memcpy(sign_cache.secret, secret, strlen(secret) + 1);
		memcpy(sign_cache.date8, date8, strlen(date8) + 1);
		memcpy(sign_cache.region, region, strlen(region) + 1);
		sign_cache.ok = 1;
	}
	if (crypto_hmac_sha256(sign_cache.key, sizeof(sign_cache.key),
	    policy_b64, strlen(policy_b64), mac) == -1)
		return -1;
	crypto_hex(mac, sizeof(mac), out);
	crypto_wipe(mac, sizeof(mac));
	return 0;
}

int
sign_v4_credential(const char *akid, const char *date8, const char *region,
    char *out, size_t outsz)
{
	int n;

	n = snprintf(out, outsz, "%s/%s/%s/oss/aliyun_v4_request", akid, date8,
	    sign_region(region));
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}
