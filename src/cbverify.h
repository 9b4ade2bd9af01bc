/*
 * OSS upload callbacks: is this request really from OSS?  OSS signs each
 * callback with RSA (PKCS#1 v1.5, MD5) over
 *
 *	urldecode(path) [ "?" raw-query ] "\n" body
 *
 * and names its public key in x-oss-pub-key-url (base64 of a URL).  This
 * module checks that URL against an allow-list, rebuilds the signed string
 * from the CGI variables and verifies the Authorization header (base64 of
 * the signature) with a key the caller loaded once.  It fetches nothing
 * and reads no file: keys come in as PEM bytes.  Pure (but for OpenSSL).
 *
 * A valid signature proves that OSS sent the request, not that ossign
 * asked for it: a browser may attach a callback of its own to an upload
 * (see callback.h for the ticket that ties a callback to a signature).
 */
#ifndef OSSIGN_CBVERIFY_H
#define OSSIGN_CBVERIFY_H

#include <stddef.h>

/* Why a callback was refused; names and messages in cbverify.c. */
enum cbverify_err {
	CBVERIFY_OK = 0,
	CBVERIFY_NO_KEY_URL,		/* no x-oss-pub-key-url header */
	CBVERIFY_BAD_KEY_URL,		/* not base64, or not a printable URL */
	CBVERIFY_FOREIGN_KEY_URL,	/* a URL not in the allow-list */
	CBVERIFY_NO_SIGNATURE,		/* no Authorization header */
	CBVERIFY_BAD_BASE64,		/* Authorization is not base64 */
	CBVERIFY_BAD_SIGNATURE,		/* the signature does not verify */
	CBVERIFY_MALFORMED,		/* no usable path (bad escape, ...) */
	CBVERIFY_TOO_LARGE,		/* a header or the body too large */
	CBVERIFY_INTERNAL,		/* out of memory, OpenSSL failed */
	CBVERIFY__MAX
};

/* "bad_signature": a stable name for logs and metrics labels. */
const char	*cbverify_name(enum cbverify_err);
/* "the signature does not verify": safe to show and to log. */
const char	*cbverify_message(enum cbverify_err);

/* The request as the web server hands it over.  Strings are borrowed. */
struct cbverify_req {
	const char	*request_uri;	/* REQUEST_URI (raw), NULL if none */
	const char	*script_name;	/* SCRIPT_NAME (decoded already) */
	const char	*path_info;	/* PATH_INFO (decoded already) */
	const char	*query_string;	/* QUERY_STRING (raw) */
	const char	*pub_key_url;	/* HTTP_X_OSS_PUB_KEY_URL (base64) */
	const char	*authorization;	/* HTTP_AUTHORIZATION (base64) */
	const void	*body;		/* the body exactly as received */
	size_t		 bodylen;
};

/* The default allow-list: OSS's published key, https and http. */
extern const char *const cbverify_default_urls[];
extern const size_t cbverify_ndefault_urls;

/*
 * Decode the base64 x-oss-pub-key-url value b64 into url (urlsz bytes,
 * NUL-terminated) and accept it only when it equals one of allowed[0..n)
 * exactly (NULL allowed: cbverify_default_urls).  Returns CBVERIFY_OK,
 * CBVERIFY_NO_KEY_URL, CBVERIFY_BAD_KEY_URL (not base64, too long, not
 * printable ASCII) or CBVERIFY_FOREIGN_KEY_URL (url is then filled, for a
 * log line).
 */
enum cbverify_err cbverify_key_url(const char *b64, char *const *allowed,
	    size_t nallowed, char *url, size_t urlsz);

/* Readings of an ambiguous request line, for cbverify_target(). */
#define CBVERIFY_PLUS_SPACE	0x1	/* '+' in the path is a space (PHP's
					   urldecode), not a '+' */
#define CBVERIFY_QMARK_ALT	0x2	/* an empty query: the other reading
					   of a '?' (see cbverify_target) */

/*
 * The first line of the string OSS signs, for the request the server saw:
 * with request_uri (not NULL, not empty): its path percent-decoded, then
 * everything from the first '?' as it is.  Without: script_name +
 * path_info (already decoded by the server) and "?" query_string when the
 * query is not empty.  An absolute-form target ("https://host/p?q") counts
 * from its path.  flags pick another reading of what OSS's samples read
 * differently: CBVERIFY_PLUS_SPACE, and CBVERIFY_QMARK_ALT, which drops a
 * bare trailing '?' of request_uri, or adds one to an empty QUERY_STRING.
 * Writes out (outsz bytes, NUL-terminated) and returns its length, or -1:
 * a malformed escape, an escaped NUL, no path, or longer than outsz - 1.
 */
long		 cbverify_target(const char *request_uri,
		    const char *script_name, const char *path_info,
		    const char *query_string, int flags, char *out,
		    size_t outsz);

/* A public key, loaded once and used for any number of checks. */
struct cbverify_key;

/*
 * Load an RSA public key from PEM bytes ("PUBLIC KEY" or "RSA PUBLIC
 * KEY"), LIMIT_CB_RSA_MIN_BITS to LIMIT_CB_RSA_MAX_BITS, and fetch MD5
 * (OpenSSL 3's default provider has it; a FIPS-only setup does not).
 * Returns a new key (free with cbverify_key_free) or NULL with the reason
 * in err.
 */
struct cbverify_key *cbverify_key_new(const void *pem, size_t len, char *err,
		    size_t errlen);
/* NULL is fine. */
void		 cbverify_key_free(struct cbverify_key *key);
/* The key's size in bits. */
int		 cbverify_key_bits(const struct cbverify_key *key);

/*
 * Verify sig (siglen bytes) over msg with key: RSA PKCS#1 v1.5, MD5.
 * Returns CBVERIFY_OK, CBVERIFY_BAD_SIGNATURE or CBVERIFY_INTERNAL.
 */
enum cbverify_err cbverify_signature(const struct cbverify_key *key,
		    const void *msg, size_t len, const unsigned char *sig,
		    size_t siglen);

/*
 * Check the signature of a whole callback with key: decode Authorization,
 * rebuild the signed string (every reading of cbverify_target() that
 * differs, the plain one first) and verify it.  The key URL is not looked
 * at: check it first with cbverify_key_url(), which also says which key to
 * use.  Returns CBVERIFY_OK or the first reason that applies.
 */
enum cbverify_err cbverify_request_sig(const struct cbverify_req *r,
		    const struct cbverify_key *key);

/*
 * Both steps with one key: the key URL against allowed (NULL: the
 * default list), then the signature.  Returns CBVERIFY_OK or the reason.
 */
enum cbverify_err cbverify_request(const struct cbverify_req *r,
		    char *const *allowed, size_t nallowed,
		    const struct cbverify_key *key);

#endif /* OSSIGN_CBVERIFY_H */
