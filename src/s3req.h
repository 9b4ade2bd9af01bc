/*
 * The inputs of Uppy Companion's S3 routes (issue 12), each through an
 * allow-list with a validator and a cap, as request.c does for the sign
 * route: the query parameters (filename, type, key, partNumbers; every
 * other one, metadata[NAME] included, ignored), the part number of a
 * path, and the JSON bodies of POST s3/multipart and .../complete (read
 * with jsonr: strict, no duplicate names).  Browser metadata is read and
 * dropped: a section pins its own (x-oss-meta-*).  Pure.
 */
#ifndef OSSIGN_S3REQ_H
#define OSSIGN_S3REQ_H

#include <stddef.h>

#include "limit.h"
#include "oerr.h"
#include "ossxml.h"
#include "request.h"

enum s3req_param {
	S3REQ_FILENAME,		/* filename: request.h's validator */
	S3REQ_TYPE,		/* type: request.h's content_type */
	S3REQ_KEY,		/* key: an object key, as stored */
	S3REQ_PART_NUMBERS,	/* partNumbers: "1,2,3" */
	S3REQ__MAX
};
#define S3REQ_M(p)	(1u << (p))

/* What a query held; has_* / params.has_* say which were given. */
struct s3req_query {
	struct request_params	 params;	/* filename, ctype */
	int			 has_key, has_parts;
	char			 key[LIMIT_KEY_LEN + 1];
	size_t			 nparts;
	int			 parts[LIMIT_S3_BATCH];	/* distinct, as sent */
};

/*
 * Parse query (NULL: empty; '+' and %20 are both spaces) into out, taking
 * only the parameters in want (S3REQ_M bits).  A repeated one, a value
 * over its cap or failing its validator: OERR_BAD_REQUEST (the file name:
 * OERR_INVALID_FILENAME), d filled.  An empty type counts as none (5.x
 * sends "type=" for files of unknown type).  Presence is the caller's to
 * require.
 */
enum oerr s3req_query(const char *query, unsigned int want,
	    struct s3req_query *out, struct oerr_detail *d);

/* A part number of a path: "1".."10000", digits only; else -1. */
int	 s3req_part_number(const char *s, size_t len);

/*
 * The body of POST s3/multipart: {"filename": string, "type": string or
 * null, "metadata": object or null, ...}; filename required.  Fills p
 * (filename, ctype) as request_param_set does.
 */
enum oerr s3req_create(const char *body, size_t len,
	    struct request_params *p, struct oerr_detail *d);

/*
 * The body of POST .../complete: {"parts": [{"PartNumber": 1..10000,
 * "ETag": string}, ...]} with 1 to LIMIT_OSS_PART_NUMBER parts, numbers
 * distinct; each ETag without the quotes around it (6.x sends none, 5.x
 * sends OSS's), 1..LIMIT_OSS_ETAG printable ASCII.  On OERR_OK *parts is
 * a new array of *n entries sorted by number (free it); size is 0.
 */
enum oerr s3req_complete(const char *body, size_t len,
	    struct ossxml_part **parts, size_t *n, struct oerr_detail *d);

/*
 * etag without the double quotes around it (as Uppy's sanitizeETag), into
 * out (LIMIT_OSS_ETAG + 1).  Returns 0, or -1 when nothing is left, it is
 * too long, or holds anything but printable ASCII.
 */
int	 s3req_etag(const char *etag, char out[LIMIT_OSS_ETAG + 1]);

#endif /* OSSIGN_S3REQ_H */
