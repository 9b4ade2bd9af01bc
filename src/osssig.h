/*
 * OSS signature V4 (OSS4-HMAC-SHA256) for requests to OSS: the header form
 * (Authorization) for ossign's own API calls and the query form (presigned
 * URLs) for the parts a browser uploads.  Pure: the time, the credentials
 * and the request come in as arguments; nothing is sent.
 *
 *   canonical request = METHOD \n UriEncode("/" bucket "/" key, '/' kept) \n
 *       sorted query (every parameter but x-oss-signature; a parameter
 *       without a value is its bare name) \n
 *       "name:value\n" for content-type, content-md5, every x-oss-* and
 *       each additional header, lower-case names, values trimmed, sorted \n
 *       additional header names joined by ';' \n
 *       x-oss-content-sha256, or UNSIGNED-PAYLOAD
 *   string to sign = "OSS4-HMAC-SHA256\n" x-oss-date "\n"
 *       yyyymmdd "/" region "/oss/aliyun_v4_request\n" hex(SHA-256(canonical))
 *   signature = hex(HMAC-SHA256(sign_v4_key(secret, yyyymmdd, region),
 *       string to sign))
 * UriEncode is percent-encoding of every byte but A-Z a-z 0-9 - _ . ~, in
 * upper-case hex.  Parameters are sorted by their encoded names (bytes),
 * headers by their lower-case names.  This is what OSS's Go SDK v2
 * (oss/signer/v4.go) and ali-oss (lib/common/signUtils.js) compute; see
 * tests/t_osssig.c and tests/data/oss-v4-request.json.
 */
#ifndef OSSIGN_OSSSIG_H
#define OSSIGN_OSSSIG_H

#include <stddef.h>
#include <time.h>

#include "creds.h"
#include "sign.h"

/* A header as it will be sent: any case in name; value trimmed here. */
struct osssig_header {
	const char	*name;
	const char	*value;
};

/* A query parameter, not encoded; value NULL or "": the bare name. */
struct osssig_param {
	const char	*name;
	const char	*value;
};

/*
 * One request to sign.  bucket NULL: "/" alone starts the canonical URI;
 * key NULL: none.  additional: names of headers in headers[] to sign
 * besides the default ones (any case; duplicates and default-signed names
 * are dropped, as the SDKs do; a name that is not in headers[] is an
 * error).  Header names appear at most once each.  At most LIMIT_OSS_PARAMS
 * parameters and LIMIT_OSS_HEADERS headers.
 */
struct osssig_request {
	const char			 *method;	/* "PUT" */
	const char			 *bucket;
	const char			 *key;		/* not encoded */
	const struct osssig_param	 *params;
	size_t				  nparams;
	const struct osssig_header	 *headers;
	size_t				  nheaders;
	const char *const		 *additional;
	size_t				  nadditional;
};

#define OSSSIG_UNSIGNED_PAYLOAD	"UNSIGNED-PAYLOAD"
#define OSSSIG_DATE_LEN		16	/* "20231216T162057Z" */
#define OSSSIG_MAX_ADD		4	/* headers osssig_sign_header adds */

/*
 * What the header form adds to a request: the headers in add[] (x-oss-date,
 * x-oss-content-sha256 unless the request has it, x-oss-security-token with
 * an STS token, Authorization last), to be sent with the request's own
 * headers exactly as signed.  add[] points into this struct and into the
 * credentials passed: valid while both live.  Free with osssig_auth_clear.
 */
struct osssig_auth {
	char			 date[OSSSIG_DATE_LEN + 1];
	char			*authorization;	/* "OSS4-HMAC-SHA256 Credential=..." */
	struct osssig_header	 add[OSSSIG_MAX_ADD];
	size_t			 nadd;
};

/*
 * Sign r in the header form at now with c (access_key_id,
 * access_key_secret, security_token or NULL) for region ("cn-hangzhou"; a
 * leading "oss-" is stripped).  r must not carry x-oss-date,
 * x-oss-security-token or Authorization.  On success returns 0 and fills
 * *out (a header value "OSS4-HMAC-SHA256 Credential=AK/SCOPE,
 * [AdditionalHeaders=a;b,]Signature=HEX"); on failure returns -1 and *out
 * holds nothing to free.
 */
int	 osssig_sign_header(const struct osssig_request *r,
	    const struct creds *c, const char *region, time_t now,
	    struct osssig_auth *out);

/* Wipe and free what osssig_sign_header put in a; NULL is fine. */
void	 osssig_auth_clear(struct osssig_auth *a);

/*
 * Sign r in the query form at now, valid for expires seconds
 * (LIMIT_PRESIGN_MIN..LIMIT_PRESIGN_MAX; the caller keeps it within the
 * credentials' life).  r's parameters must not include any x-oss-*
 * parameter the query form adds (any case); r's headers are signed as
 * given, and the client must send them (a URL for a browser has none).
 * Returns the query string to put after '?' (a new
 * string; wipe it with crypto_free_secret when it holds a token): r's
 * parameters in their order, then x-oss-signature-version, x-oss-credential,
 * x-oss-date, x-oss-expires, x-oss-security-token (with a token),
 * x-oss-additional-headers (when any), and x-oss-signature last, each
 * name=value UriEncoded.  NULL on failure.
 */
char	*osssig_presign(const struct osssig_request *r, const struct creds *c,
	    const char *region, time_t now, long expires);

/*
 * The canonical request of r exactly as given (nothing added), a new
 * string, or NULL when r is malformed or too large (LIMIT_OSS_CANONICAL).
 */
char	*osssig_canonical_request(const struct osssig_request *r);

/*
 * The string to sign for canonical at date ("20231216T162057Z") in region,
 * a new string, or NULL.
 */
char	*osssig_string_to_sign(const char *date, const char *region,
	    const char *canonical);

/*
 * p[0..n) as a query string in that order, "name=value" joined by '&',
 * both UriEncoded, a bare name for a NULL or "" value: a new string, or
 * NULL (a parameter without a name, out of memory, over
 * LIMIT_OSS_CANONICAL).  Wipe it with crypto_free_secret when it may hold
 * a token.
 */
char	*osssig_query_string(const struct osssig_param *p, size_t n);

/*
 * UriEncode s (every byte but A-Z a-z 0-9 - _ . ~, and '/' when
 * keep_slash) into a new string; NULL when out of memory or over
 * LIMIT_OSS_CANONICAL.
 */
char	*osssig_uri_encode(const char *s, int keep_slash);

#endif /* OSSIGN_OSSSIG_H */
