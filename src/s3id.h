/*
 * The upload id the browser holds for a multipart upload (issue 12): OSS's
 * UploadId bound to the bucket, the upload section, the user and the
 * object key by a MAC with the server secret (secret.h), so that every
 * later Companion route can refuse a call that names the upload with
 * another key, user or section (Uppy Companion itself trusts whatever key
 * the browser sends back).  No state is kept: every process and every
 * host sharing secret_file checks the id on its own.  Pure.
 *
 *   id  = UploadId "." hex(HMAC-SHA256(secret, m))[0..32)
 *   m   = "ossign-upload-v1" then, for bucket, section, user, key and
 *         UploadId in turn, a 4-byte big-endian length and the bytes (the
 *         user as one byte 0 without a user, else 1 and the name)
 * The MAC is 128 bits (RFC 2104 section 5 truncation); it never leaves
 * [A-Za-z0-9._-], so the id needs no escaping in a URL path.
 */
#ifndef OSSIGN_S3ID_H
#define OSSIGN_S3ID_H

#include <stddef.h>

#include "limit.h"

#define S3ID_MAC_HEX	32
#define S3ID_LEN	(LIMIT_OSS_UPLOAD_ID + 1 + S3ID_MAC_HEX)

/* What an id is bound to.  Borrowed strings; user NULL: no user. */
struct s3id_bind {
	const char	*bucket;
	const char	*section;
	const char	*user;
	const char	*key;
};

/*
 * The id for OSS's upload_id (ossapi_upload_id_ok) under b, with the
 * secret (len >= 1), into out (S3ID_LEN + 1 bytes).  Returns 0, or -1
 * when upload_id or b cannot be bound (out untouched).
 */
int	 s3id_make(const void *secret, size_t secretlen,
	    const struct s3id_bind *b, const char *upload_id,
	    char out[S3ID_LEN + 1]);

enum s3id_result {
	S3ID_OK = 0,
	S3ID_MALFORMED,		/* not an id ossign makes: 400 */
	S3ID_FOREIGN		/* well-formed, but not for b: 403 */
};

/*
 * Check id against b (MAC compared in constant time).  On S3ID_OK,
 * upload_id (LIMIT_OSS_UPLOAD_ID + 1 bytes) holds OSS's UploadId;
 * otherwise it is untouched.
 */
enum s3id_result s3id_open(const void *secret, size_t secretlen,
	    const struct s3id_bind *b, const char *id,
	    char upload_id[LIMIT_OSS_UPLOAD_ID + 1]);

#endif /* OSSIGN_S3ID_H */
