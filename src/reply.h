/*
 * The answer to one request: status, headers and a JSON body, rendered as
 * a CGI response ("Status:" line, headers, blank line, body).  Pure.
 */
#ifndef OSSIGN_REPLY_H
#define OSSIGN_REPLY_H

#include <stddef.h>

#include "conf.h"
#include "oerr.h"
#include "request.h"

#define REPLY_HDR_MAX	1024

struct reply {
	int	 status;
	char	 reason[40];
	const char *ctype;		/* Content-Type of body; NULL:
					   application/json */
	char	 hdr[REPLY_HDR_MAX];	/* extra "Name: value\r\n" lines */
	size_t	 hdrlen;
	char	*body;			/* owned; NULL: no body */
	size_t	 bodylen;
};

/* An empty 500 reply. */
void	 reply_init(struct reply *r);
/* Free the body and reset r. */
void	 reply_clear(struct reply *r);

/*
 * Add a header line.  Returns 0, or -1 (and adds nothing) when name or
 * value holds a control byte (CR, LF, any below 0x20) or DEL, or the
 * headers are full.
 */
int	 reply_header(struct reply *r, const char *name, const char *value);

/* A 200 JSON answer; takes ownership of body (len bytes). */
void	 reply_ok(struct reply *r, char *body, size_t len);
/*
 * Any answer: status, its reason phrase ("OK"), the body's Content-Type
 * (a static string; NULL: application/json) and body (owned from now on;
 * NULL: none).
 */
void	 reply_answer(struct reply *r, int status, const char *reason,
	    const char *ctype, char *body, size_t len);
/* A 204 answer without body. */
void	 reply_empty(struct reply *r);
/*
 * An error answer {"error":{"code":..,"message":..}} for d.  A 405 needs
 * its Allow header from the caller (route_dispatch knows the methods).
 */
void	 reply_error(struct reply *r, const struct oerr_detail *d);
/*
 * The body reply_error() answers for d, as a new string of *len bytes
 * (free it), or NULL when out of memory: for answers that carry errors
 * inside (a batch's entries).
 */
char	*reply_error_json(const struct oerr_detail *d, size_t *len);

/*
 * CORS headers when req's Origin (printable ASCII without spaces, at most
 * LIMIT_ORIGIN_LEN bytes) is allowed by conf:
 * Access-Control-Allow-Origin and Vary: Origin; with preflight set also
 * the -Methods, -Headers and -Max-Age answers.  Returns 1 when the origin
 * is allowed, else 0 (and adds nothing).
 */
int	 reply_cors(struct reply *r, const struct conf *conf,
	    const struct request *req, int preflight);

/*
 * reply_cors() for a preflight that allows methods ("GET, OPTIONS") and
 * headers ("Content-Type"; NULL or "": no Access-Control-Allow-Headers).
 */
int	 reply_preflight(struct reply *r, const struct conf *conf,
	    const struct request *req, const char *methods,
	    const char *headers);

/*
 * Render the status line and headers into buf (bufsz bytes), including
 * Content-Type, Content-Length, Cache-Control and the blank line.
 * Returns the length, or 0 if buf is too small.
 */
size_t	 reply_head(const struct reply *r, char *buf, size_t bufsz);

#endif /* OSSIGN_REPLY_H */
