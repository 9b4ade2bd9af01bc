/*
 * One raw HTTP/1.x request as bytes (a captured callback, for
 * `ossign callback-verify`): request line, header lines, an empty line,
 * the body.  Lines end in CRLF or LF.  Content-Length, when present, says
 * how much of what follows is the body (more is ignored, less is an
 * error); without it the body is everything after the empty line.  No
 * chunked bodies, no folded header lines, every size bounded (limit.h).
 * Pure.
 */
#ifndef OSSIGN_RAWREQ_H
#define OSSIGN_RAWREQ_H

#include <stddef.h>

#include "limit.h"

struct rawreq_header {
	const char	*name;		/* as sent */
	const char	*value;		/* spaces around it removed */
};

/* Every string points into the request's own copy of the input. */
struct rawreq {
	const char	*method;
	const char	*target;	/* request-target, as sent */
	const char	*version;	/* "HTTP/1.1" */
	struct rawreq_header headers[LIMIT_RAWREQ_HEADERS];
	size_t		 nheaders;
	const unsigned char *body;	/* bodylen bytes, NUL after them */
	size_t		 bodylen;
	size_t		 trailing;	/* bytes after Content-Length's body */
	char		*buf;		/* the copy */
};

/*
 * Parse len bytes.  Returns a new request (free with rawreq_free) or NULL
 * with the reason in err (errlen bytes, safe to print: no input bytes).
 */
struct rawreq	*rawreq_parse(const void *data, size_t len, char *err,
		    size_t errlen);

/* NULL is fine. */
void		 rawreq_free(struct rawreq *r);

/*
 * The value of the first header called name (case-insensitive), or NULL;
 * *count (when not NULL) is set to how many headers have that name.
 */
const char	*rawreq_header(const struct rawreq *r, const char *name,
		    size_t *count);

#endif /* OSSIGN_RAWREQ_H */
