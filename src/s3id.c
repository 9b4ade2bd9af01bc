/* Upload ids bound to key, section and user; see s3id.h. */
#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto.h"
#include "ossapi.h"
#include "s3id.h"

#define S3ID_DOMAIN	"ossign-upload-v1"

/* Append a 4-byte big-endian length and s to buf (at *o); -1 when full. */
static int
s3id_put(unsigned char *buf, size_t bufsz, size_t *o, const char *s,
    size_t len)
{
	if (bufsz - *o < 4 || bufsz - *o - 4 < len)
		return -1;
	buf[(*o)++] = (unsigned char)(len >> 24);
	buf[(*o)++] = (unsigned char)(len >> 16);
	buf[(*o)++] = (unsigned char)(len >> 8);
	buf[(*o)++] = (unsigned char)len;
	memcpy(buf + *o, s, len);
	*o += len;
	return 0;
}

/* The MAC's hex for b and upload_id into hex (S3ID_MAC_HEX + 1). */
static int
s3id_mac(const void *secret, size_t secretlen, const struct s3id_bind *b,
    const char *upload_id, char hex[S3ID_MAC_HEX + 1])
{
	unsigned char m[sizeof(S3ID_DOMAIN) + 4 * 5 + 1 + LIMIT_BUCKET_LEN +
	    LIMIT_UPLOAD_NAME + LIMIT_USER_LEN + LIMIT_KEY_LEN +
	    LIMIT_OSS_UPLOAD_ID];
	unsigned char mac[CRYPTO_SHA256_LEN];
	char full[2 * CRYPTO_SHA256_LEN + 1];
	size_t o = sizeof(S3ID_DOMAIN) - 1;
	int rc = -1;

	if (secret == NULL || secretlen == 0 || b == NULL ||
	    b->bucket == NULL || b->section == NULL || b->key == NULL ||
	    strlen(b->bucket) > LIMIT_BUCKET_LEN ||
	    strlen(b->section) > LIMIT_UPLOAD_NAME ||
	    strlen(b->key) > LIMIT_KEY_LEN ||
	    (b->user != NULL && strlen(b->user) > LIMIT_USER_LEN) ||
	    !ossapi_upload_id_ok(upload_id))
		return -1;
	memcpy(m, S3ID_DOMAIN, o);
	if (s3id_put(m, sizeof(m), &o, b->bucket, strlen(b->bucket)) == -1 ||
	    s3id_put(m, sizeof(m), &o, b->section, strlen(b->section)) == -1)
		goto out;
	m[o++] = b->user != NULL ? 1 : 0;
	if ((b->user != NULL && s3id_put(m, sizeof(m), &o, b->user,
	    strlen(b->user)) == -1) ||
	    s3id_put(m, sizeof(m), &o, b->key, strlen(b->key)) == -1 ||
	    s3id_put(m, sizeof(m), &o, upload_id, strlen(upload_id)) == -1 ||
	    crypto_hmac_sha256(secret, secretlen, m, o, mac) == -1)
		goto out;
	crypto_hex(mac, sizeof(mac), full);
	memcpy(hex, full, S3ID_MAC_HEX);
	hex[S3ID_MAC_HEX] = '\0';
	rc = 0;
out:
	crypto_wipe(mac, sizeof(mac));
	crypto_wipe(full, sizeof(full));
	crypto_wipe(m, o);
	return rc;
}

int
s3id_make(const void *secret, size_t secretlen, const struct s3id_bind *b,
    const char *upload_id, char out[S3ID_LEN + 1])
{
	char hex[S3ID_MAC_HEX + 1];
	size_t n;

	if (s3id_mac(secret, secretlen, b, upload_id, hex) == -1)
		return -1;
	n = strlen(upload_id);
	memcpy(out, upload_id, n);
	out[n] = '.';
	memcpy(out + n + 1, hex, S3ID_MAC_HEX + 1);
	return 0;
}

enum s3id_result
s3id_open(const void *secret, size_t secretlen, const struct s3id_bind *b,
    const char *id, char upload_id[LIMIT_OSS_UPLOAD_ID + 1])
{
	char oss[LIMIT_OSS_UPLOAD_ID + 1], want[S3ID_MAC_HEX + 1];
	const char *dot, *s;
	size_t n;

	if (id == NULL || (n = strlen(id)) > S3ID_LEN ||
	    (dot = strrchr(id, '.')) == NULL ||
	    strlen(dot + 1) != S3ID_MAC_HEX ||
	    (size_t)(dot - id) > LIMIT_OSS_UPLOAD_ID)
		return S3ID_MALFORMED;
	for (s = dot + 1; *s != '\0'; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return S3ID_MALFORMED;
	memcpy(oss, id, (size_t)(dot - id));
	oss[dot - id] = '\0';
	if (!ossapi_upload_id_ok(oss))
		return S3ID_MALFORMED;
	if (s3id_mac(secret, secretlen, b, oss, want) == -1)
		return S3ID_FOREIGN;
	if (CRYPTO_memcmp(want, dot + 1, S3ID_MAC_HEX) != 0) {
		crypto_wipe(want, sizeof(want));
		return S3ID_FOREIGN;
	}
	crypto_wipe(want, sizeof(want));
	memcpy(upload_id, oss, strlen(oss) + 1);
	return S3ID_OK;
}
