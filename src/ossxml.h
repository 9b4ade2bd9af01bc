/*
 * OSS's XML answers to the multipart API, read with expat, and the one
 * XML request body ossign writes (CompleteMultipartUpload).  Pure: bytes
 * in, fixed-size fields out.
 *
 * Every parse refuses, before or while expat reads, what an answer from
 * OSS never holds and a hostile or broken peer might send: more than
 * LIMIT_OSS_XML_SIZE bytes, a NUL byte, bytes that are not UTF-8 (the
 * encoding declaration is ignored: expat is told the document is UTF-8),
 * a DOCTYPE (so no DTD is read and no entity is declared, expanded or
 * fetched: billion laughs and external entities fail), a reference to any
 * entity but the five predefined ones, elements nested deeper than
 * LIMIT_OSS_XML_DEPTH, and documents that are not well-formed (namespace
 * prefixes included).  Expat does no I/O and prints nothing; one parser
 * is made and freed per document.  Then the root element must be the
 * answer expected (its local name; any namespace), each field below
 * appears at most once and holds only text (no child elements) within its
 * size, and a field kept holds no control byte.  Unknown elements are
 * skipped, as OSS adds new ones.  On failure nothing is written to the
 * result.
 */
#ifndef OSSIGN_OSSXML_H
#define OSSIGN_OSSXML_H

#include <stddef.h>

#include "limit.h"

/* InitiateMultipartUploadResult: UploadId required, Bucket and Key kept. */
struct ossxml_initiate {
	char	 bucket[LIMIT_BUCKET_LEN + 1];
	char	 key[LIMIT_KEY_LEN + 1];	/* URL-decoded when
						   EncodingType is url */
	char	 upload_id[LIMIT_OSS_UPLOAD_ID + 1];
};

/* A part: in a ListPartsResult, or one to name in a Complete body. */
struct ossxml_part {
	int		 number;	/* 1..LIMIT_OSS_PART_NUMBER */
	char		 etag[LIMIT_OSS_ETAG + 1];	/* as OSS gave it,
							   quotes included */
	long long	 size;		/* 0..LIMIT_OSS_PART_SIZE (ListParts) */
};

/*
 * One ListPartsResult page: IsTruncated ("true"/"false") required;
 * NextPartNumberMarker required when truncated; each Part has PartNumber,
 * ETag and Size; parts strictly ascending, at most LIMIT_OSS_LIST_PAGE.
 */
struct ossxml_parts {
	int			 truncated;
	int			 next_marker;	/* 0 when absent */
	size_t			 n;
	struct ossxml_part	*parts;		/* n entries; owned, see
						   ossxml_parts_clear */
};

/* CompleteMultipartUploadResult: ETag required, the others kept. */
struct ossxml_complete {
	char	 location[LIMIT_OSS_LOCATION + 1];
	char	 bucket[LIMIT_BUCKET_LEN + 1];
	char	 key[LIMIT_KEY_LEN + 1];	/* URL-decoded with
						   EncodingType url */
	char	 etag[LIMIT_OSS_ETAG + 1];
};

/*
 * An Error answer, every field safe to log and to show a client: Code,
 * RequestId, HostId and EC cut to LIMIT_OSS_ERR_ID bytes with anything but
 * A-Z a-z 0-9 . - _ : as '?'; Message cut to fit with anything but
 * printable ASCII as '?'.  Fields OSS left out are "".  Code is required.
 */
struct ossxml_error {
	char	 code[LIMIT_OSS_ERR_ID + 1];
	char	 message[LIMIT_ERRMSG];
	char	 request_id[LIMIT_OSS_ERR_ID + 1];
	char	 host_id[LIMIT_OSS_ERR_ID + 1];
	char	 ec[LIMIT_OSS_ERR_ID + 1];
};

/*
 * s made safe as the Error fields are (dstsz >= 1): as a message when msg,
 * else as an id.  For ids OSS sends in headers (x-oss-request-id).
 */
void	 ossxml_safe(char *dst, size_t dstsz, const char *s, int msg);

/* Each returns 0 and fills out, or -1 (out untouched). */
int	 ossxml_parse_initiate(const char *body, size_t len,
	    struct ossxml_initiate *out);
int	 ossxml_parse_parts(const char *body, size_t len,
	    struct ossxml_parts *out);
int	 ossxml_parse_complete(const char *body, size_t len,
	    struct ossxml_complete *out);
int	 ossxml_parse_error(const char *body, size_t len,
	    struct ossxml_error *out);

/* Free the parts of p and zero it; NULL is fine. */
void	 ossxml_parts_clear(struct ossxml_parts *p);

/*
 * The CompleteMultipartUpload request body naming parts[0..n) (1 <= n <=
 * LIMIT_OSS_PART_NUMBER; numbers in range and distinct, in any order:
 * written ascending; ETags non-empty printable ASCII within LIMIT_OSS_ETAG,
 * written XML-escaped as Go's encoding/xml does, so the bytes match OSS's
 * Go SDK), with no XML declaration:
 *   <CompleteMultipartUpload><Part><PartNumber>1</PartNumber>
 *   <ETag>&#34;...&#34;</ETag></Part>...</CompleteMultipartUpload>
 * (one line).  Returns a new string and its length in *len, or NULL.
 */
char	*ossxml_complete_body(const struct ossxml_part *parts, size_t n,
	    size_t *len);

#endif /* OSSIGN_OSSXML_H */
