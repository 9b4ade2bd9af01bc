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

int
sign_v4_policy(const char *secret, const char *date8, const char *region,
    const char *policy_b64, char out[SIGN_HEX_LEN + 1])
{
	unsigned char key[CRYPTO_SHA256_LEN], mac[CRYPTO_SHA256_LEN];
	int rc = -1;

	if (sign_v4_key(secret, date8, region, key) ||
	    crypto_hmac_sha256(key, sizeof(key), policy_b64,
	    strlen(policy_b64), mac))
		goto out;
	crypto_hex(mac, sizeof(mac), out);
	rc = 0;
out:
	crypto_wipe(key, sizeof(key));
	crypto_wipe(mac, sizeof(mac));
	return rc;
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
