/*
 * The one table of errors a request can end in: each has its HTTP status,
 * the JSON "code" a client can act on, and a default message.
 */
#ifndef OSSIGN_OERR_H
#define OSSIGN_OERR_H

#include "limit.h"

enum oerr {
	OERR_OK = 0,
	OERR_BAD_REQUEST,
	OERR_UNKNOWN_UPLOAD,
	OERR_INVALID_FILENAME,
	OERR_TOO_SMALL,
	OERR_AUTH_REQUIRED,
	OERR_ORIGIN_NOT_ALLOWED,
	OERR_NOT_FOUND,
	OERR_METHOD_NOT_ALLOWED,
	OERR_TOO_LARGE,
	OERR_REQUEST_TOO_LARGE,
	OERR_TYPE_NOT_ALLOWED,
	OERR_INTERNAL,
	OERR_CREDS_REFUSED,
	OERR_CREDS_UNAVAILABLE,
	/* issue 11 */
	OERR_RATE_LIMITED,	/* 429; the reply carries Retry-After */
	/* issue 11: health and metrics (helper J) */
	OERR_FORBIDDEN,		/* 403: an address metrics_allow does not list */
	OERR_METRICS_UNAVAILABLE, /* 503: metrics on, the counters file unusable */
	/* OSS's answers to ossign's own calls (ossapi, issue 12) */
	OERR_OSS_INVALID_PART,
	OERR_OSS_NO_SUCH_UPLOAD,
	OERR_OSS_EXISTS,
	OERR_OSS_REFUSED,
	OERR_OSS_CALLBACK_FAILED,
	OERR_OSS_UNAVAILABLE,
	/* Uppy Companion's S3 routes (issue 12) */
	OERR_UPLOAD_FORBIDDEN,	/* an upload id used with another key,
				   user or section */
	/* the callback route (issue 10): OSS's callbacks refused */
	OERR_CB_MALFORMED,	/* 400: headers or body cannot be read */
	OERR_CB_KEY_URL,	/* 403: a public key URL not allowed */
	OERR_CB_SIGNATURE,	/* 403: OSS's signature does not verify */
	OERR_CB_TICKET,		/* 403: no ticket, a bad or expired one */
	OERR_CB_OBJECT,		/* 403: the object is not what it says */
	OERR_CB_REPLAYED,	/* 409: delivered once already */
	OERR_CB_KEY_UNAVAILABLE,	/* 503: the public key cannot be had */
	OERR_CB_FORWARD_FAILED,	/* 502: callback_forward failed */
	OERR_CB_FORWARD_TIMEOUT,	/* 504: callback_forward too slow */
	OERR__MAX
};

/* An error with a message that is safe to show the client (no secrets). */
struct oerr_detail {
	enum oerr	 err;
	char		 msg[LIMIT_ERRMSG];
};

int		 oerr_status(enum oerr);
const char	*oerr_reason(enum oerr);	/* "Bad Request" */
const char	*oerr_code(enum oerr);		/* "bad_request" */
const char	*oerr_message(enum oerr);	/* default message */

/*
 * Fill d with err and a printf-style message (NULL fmt: the default
 * message).  Returns err, so callers can write `return oerr_set(...)`.
 */
enum oerr	 oerr_set(struct oerr_detail *d, enum oerr err, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

#endif /* OSSIGN_OERR_H */
