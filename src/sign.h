/*
 * OSS signature V4 (OSS4-HMAC-SHA256) for PostObject policies:
 *   k1 = HMAC("aliyun_v4" + secret, yyyymmdd), k2 = HMAC(k1, region),
 *   k3 = HMAC(k2, "oss"), key = HMAC(k3, "aliyun_v4_request"),
 *   signature = hex(HMAC(key, policy_base64)).
 * Pure: no I/O, no clock.
 */
#ifndef OSSIGN_SIGN_H
#define OSSIGN_SIGN_H

#include <stddef.h>

#include "crypto.h"

#define SIGN_VERSION	"OSS4-HMAC-SHA256"
#define SIGN_HEX_LEN	(2 * CRYPTO_SHA256_LEN)

/*
 * Derive the signing key for secret, date8 ("20261125") and region
 * ("cn-hangzhou"; a leading "oss-" is stripped).  The caller wipes key.
 * Returns 0 or -1.
 */
int	 sign_v4_key(const char *secret, const char *date8, const char *region,
	    unsigned char key[CRYPTO_SHA256_LEN]);

/*
 * Sign policy_b64 with the key derived as above (kept between calls while
 * secret, date8 and region stay the same; see sign_cache_clear); out receives the
 * lowercase hex signature (SIGN_HEX_LEN + 1 bytes).  Returns 0 or -1.
 */
int	 sign_v4_policy(const char *secret, const char *date8,
	    const char *region, const char *policy_b64,
	    char out[SIGN_HEX_LEN + 1]);

/* Wipe the derived key kept by sign_v4_policy. */
void	 sign_cache_clear(void);

/*
 * The credential scope "AKID/date8/region/oss/aliyun_v4_request" into out.
 * Returns 0, or -1 if out is too small.
 */
int	 sign_v4_credential(const char *akid, const char *date8,
	    const char *region, char *out, size_t outsz);

/* region without a leading "oss-". */
const char *sign_region(const char *region);

#endif /* OSSIGN_SIGN_H */
