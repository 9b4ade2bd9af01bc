/*
 * The body of a batch signing request (issue 11):
 *
 *	{"upload":"NAME","files":[{"filename":"a.png","size":123,
 *	  "content_type":"image/png"}, ...]}
 *
 * parsed strictly (jsonr: one JSON object, no duplicate members) into one
 * struct request_params per file, validated by the same allow-list and
 * validators as the GET query (src/request.c), so each file is exactly
 * what `?upload=NAME&filename=...&size=...&content_type=...` would give.
 * Errors in the body as a whole (not JSON, over LIMIT_BATCH_BODY bytes, no
 * files array, more than the caller's maximum, a bad upload) refuse the
 * request; an error in one file is kept with that file, and the others
 * are signed.  Members not named here are ignored, as unknown query
 * parameters are.  Pure.
 */
#ifndef OSSIGN_BATCH_H
#define OSSIGN_BATCH_H

#include <stddef.h>

#include "oerr.h"
#include "request.h"

struct batch_file {
	enum oerr		 err;	/* OERR_OK, or why this file is refused */
	struct oerr_detail	 d;	/* its message when err != OERR_OK */
	struct request_params	 p;	/* valid when err == OERR_OK */
};

struct batch {
	size_t			 n;	/* files, 1..max */
	struct batch_file	*files;	/* n of them, in the body's order */
};

/*
 * 1 when a Content-Type header value is JSON: "application/json", any
 * case, optionally followed by parameters (";charset=utf-8").
 */
int	 batch_is_json(const char *content_type);

/*
 * Parse the len bytes of body (need not be NUL-terminated) with at most
 * max files (1..LIMIT_BATCH_MAX; the section's batch_max).  Returns
 * OERR_OK and a new *out (free with batch_free), or an error for the whole
 * request with d filled: OERR_REQUEST_TOO_LARGE (over LIMIT_BATCH_BODY
 * bytes or more than max files), OERR_BAD_REQUEST (not JSON, files missing
 * or empty or not an array, upload not a valid name), OERR_INTERNAL.
 * Per-file errors: OERR_BAD_REQUEST (not an object, a member of the wrong
 * type, a bad content_type or size) and OERR_INVALID_FILENAME.
 */
enum oerr batch_parse(const char *body, size_t len, size_t max,
	    struct batch **out, struct oerr_detail *d);

/* Free b; NULL is fine. */
void	 batch_free(struct batch *b);

#endif /* OSSIGN_BATCH_H */
