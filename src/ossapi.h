/*
 * The OSS multipart API as a protocol module: it builds each request
 * ossign sends to OSS (InitiateMultipartUpload, ListParts,
 * CompleteMultipartUpload, AbortMultipartUpload), signed in the V4 header
 * form, and the presigned UploadPart URLs a browser PUTs its parts to; and
 * it reads OSS's answers into results or OSS errors.  It never sends
 * anything: the outbound HTTP module (src/http.h) does, with exactly the
 * method, URL, headers and body given here (it must not add a
 * Content-Type, an x-oss-* header or a body of its own: they are signed).
 * Pure: the time, the credentials and the target come in as arguments.
 *
 * Requests go to the bucket's own host (the URL path is the key), while the
 * signature covers "/BUCKET/KEY": t->host is the virtual-hosted endpoint
 * "https://BUCKET.oss-REGION.aliyuncs.com", a custom domain bound to the
 * bucket, or an emulator serving one bucket ("http://127.0.0.1:PORT").
 * Every building call signs at now: a retry builds its request again.
 */
#ifndef OSSIGN_OSSAPI_H
#define OSSIGN_OSSAPI_H

#include <stddef.h>
#include <time.h>

#include "creds.h"
#include "oerr.h"
#include "osssig.h"
#include "ossxml.h"

struct ossapi_target {
	const char	*host;		/* "https://b.oss-cn-hangzhou.aliyuncs.com",
					   http or https, no path, no '/' at
					   the end */
	const char	*bucket;	/* 3..LIMIT_BUCKET_LEN of [a-z0-9-] */
	const char	*region;	/* "cn-hangzhou"; "oss-" is stripped */
};

enum ossapi_op {
	OSSAPI_INITIATE,
	OSSAPI_LIST_PARTS,
	OSSAPI_COMPLETE,
	OSSAPI_ABORT,
	OSSAPI__MAX
};

/* The operation's name in OSS's API ("ListParts"); "OSS" for none. */
const char	*ossapi_op_name(enum ossapi_op op);

struct ossapi_header {
	char	*name;
	char	*value;
};

/*
 * One request ready to send.  Everything is owned by it (headers hold the
 * security token and the signature): free with ossapi_request_free.
 */
struct ossapi_request {
	enum ossapi_op		 op;
	const char		*method;	/* "POST", "GET", "DELETE" */
	char			*url;
	struct ossapi_header	*headers;
	size_t			 nheaders;
	char			*body;		/* NULL: no body */
	size_t			 body_len;
};

/* Wipe and free what r holds and zero it; NULL is fine. */
void	 ossapi_request_free(struct ossapi_request *r);

/*
 * Each builder returns 0 with *out filled, or -1 with nothing to free in
 * *out and d filled: OERR_BAD_REQUEST for an upload id or part number that
 * is not one (they come from the browser), OERR_CREDS_UNAVAILABLE for
 * credentials that expire too soon, OERR_INTERNAL for anything else (a
 * key, header or target that cannot be signed).  Keys are the object key
 * as stored (1..LIMIT_KEY_LEN bytes of UTF-8, no control byte, no leading
 * '/'), not encoded.
 */

/*
 * InitiateMultipartUpload: POST /KEY?uploads with Content-Type:
 * content_type, x-oss-forbid-overwrite: true when forbid_overwrite, and
 * headers[0..nheaders) (the section's pinned x-oss-meta-*, Cache-Control,
 * Content-Disposition and the like; names ossign sets itself are refused).
 */
struct ossapi_initiate_opts {
	const char			*content_type;
	int				 forbid_overwrite;
	const struct osssig_header	*headers;
	size_t				 nheaders;
};
int	 ossapi_initiate(const struct ossapi_target *t, const struct creds *c,
	    time_t now, const char *key, const struct ossapi_initiate_opts *o,
	    struct ossapi_request *out, struct oerr_detail *d);

/*
 * ListParts: GET /KEY?uploadId=ID&max-parts=MAX[&part-number-marker=M]
 * (marker 0: the first page; 0..LIMIT_OSS_PART_NUMBER; max 1..
 * LIMIT_OSS_LIST_PAGE).
 */
int	 ossapi_list_parts(const struct ossapi_target *t, const struct creds *c,
	    time_t now, const char *key, const char *upload_id, int marker,
	    int max_parts, struct ossapi_request *out, struct oerr_detail *d);

/*
 * CompleteMultipartUpload: POST /KEY?uploadId=ID, Content-Type:
 * application/xml, the body ossxml_complete_body writes for parts (OSS's
 * own ETags, quotes included), x-oss-forbid-overwrite: true when
 * forbid_overwrite, and x-oss-callback / x-oss-callback-var when given
 * (base64, as issue 10's callback builder makes them).
 */
struct ossapi_complete_opts {
	const struct ossxml_part	*parts;
	size_t				 nparts;
	int				 forbid_overwrite;
	const char			*callback;	/* NULL: none */
	const char			*callback_var;	/* NULL: none */
};
int	 ossapi_complete(const struct ossapi_target *t, const struct creds *c,
	    time_t now, const char *key, const char *upload_id,
	    const struct ossapi_complete_opts *o, struct ossapi_request *out,
	    struct oerr_detail *d);

/* AbortMultipartUpload: DELETE /KEY?uploadId=ID. */
int	 ossapi_abort(const struct ossapi_target *t, const struct creds *c,
	    time_t now, const char *key, const char *upload_id,
	    struct ossapi_request *out, struct oerr_detail *d);

/*
 * A presigned UploadPart URL, PUT HOST/KEY?partNumber=N&uploadId=ID&
 * x-oss-...&x-oss-signature=..., for part (1..LIMIT_OSS_PART_NUMBER),
 * valid for ttl seconds but never past LIMIT_PRESIGN_MAX nor the
 * credentials' expiration: *expires_at says until when.  The browser sends
 * no signed header (no Content-Type).  Returns a new string (it holds the
 * security token: crypto_free_secret), or NULL with d filled as above.
 */
char	*ossapi_presign_part(const struct ossapi_target *t,
	    const struct creds *c, time_t now, const char *key,
	    const char *upload_id, int part, long ttl, time_t *expires_at,
	    struct oerr_detail *d);

/* 1 when s can be an UploadId: 1..LIMIT_OSS_UPLOAD_ID of [A-Za-z0-9._-]. */
int	 ossapi_upload_id_ok(const char *s);

/*
 * 1 when key can be an object key: 1..LIMIT_KEY_LEN bytes of UTF-8, no
 * control byte, no leading '/'.
 */
int	 ossapi_key_ok(const char *key);

/* ---- answers ------------------------------------------------------------ */

/* What the HTTP module got back. */
struct ossapi_answer {
	long		 status;
	const char	*body;
	size_t		 len;
	const char	*request_id;	/* the x-oss-request-id header, or NULL */
};

enum ossapi_result {
	OSSAPI_OK = 0,
	OSSAPI_REFUSED,		/* OSS said no (4xx); e says why */
	OSSAPI_RETRY,		/* 5xx, 429 or a transient code: try again */
	OSSAPI_GARBAGE,		/* not an answer OSS gives to this request */
	OSSAPI_CALLBACK_FAILED,	/* Complete: 203, the object IS stored but
				   the callback failed; e says why */
};

/*
 * An OSS error, every field safe to log and show (see ossxml_error): the
 * HTTP status, and OSS's Code, Message, RequestId (the x-oss-request-id
 * header when the body has none) and EC, "" when absent.
 */
struct ossapi_error {
	long			 status;
	struct ossxml_error	 x;
};

/*
 * Each parser judges a and returns a result; on OSSAPI_OK it fills out,
 * otherwise it fills e (for OSSAPI_GARBAGE with the status and what is
 * known) and leaves out alone.  OSSAPI_RETRY is what the HTTP module's
 * "judge" hook answers as "retry".
 */

/* 200 and an UploadId; a Key in the answer must be key. */
enum ossapi_result ossapi_parse_initiate(const struct ossapi_answer *a,
		    const char *key, struct ossxml_initiate *out,
		    struct ossapi_error *e);

/*
 * 200 and a page of parts, every part after marker (the one sent); a
 * truncated page's NextPartNumberMarker must be past marker, so paging
 * always moves on.  Free out with ossxml_parts_clear.
 */
enum ossapi_result ossapi_parse_list_parts(const struct ossapi_answer *a,
		    int marker, struct ossxml_parts *out, struct ossapi_error *e);

/*
 * Without a callback: 200 and a CompleteMultipartUploadResult, in out->xml.
 * With one (with_callback): 200 carries the callback server's answer,
 * which OSS passes on: out->callback_body and callback_len point into
 * a->body; 203 is OSSAPI_CALLBACK_FAILED.
 */
struct ossapi_completed {
	struct ossxml_complete	 xml;		/* without a callback */
	const char		*callback_body;	/* with one: a->body */
	size_t			 callback_len;
};
enum ossapi_result ossapi_parse_complete(const struct ossapi_answer *a,
		    int with_callback, struct ossapi_completed *out,
		    struct ossapi_error *e);

/* 204 (or 200). */
enum ossapi_result ossapi_parse_abort(const struct ossapi_answer *a,
		    struct ossapi_error *e);

/*
 * The ossign error for a result that is not OSSAPI_OK, with a message
 * naming OSS's Code, EC and request id: InvalidPart, InvalidPartOrder and
 * EntityTooSmall -> OERR_OSS_INVALID_PART; NoSuchUpload ->
 * OERR_OSS_NO_SUCH_UPLOAD; FileAlreadyExists -> OERR_OSS_EXISTS; any other
 * refusal or garbage -> OERR_OSS_REFUSED; OSSAPI_CALLBACK_FAILED ->
 * OERR_OSS_CALLBACK_FAILED; OSSAPI_RETRY (when the retries ran out) ->
 * OERR_OSS_UNAVAILABLE.  Returns the error, as oerr_set does.
 */
enum oerr	 ossapi_oerr(enum ossapi_op op, enum ossapi_result r,
		    const struct ossapi_error *e, struct oerr_detail *d);

#endif /* OSSIGN_OSSAPI_H */
