/*
 * The route table: which handler answers a request, from the path's
 * ending, the method and, for some rows, a condition on the request (as
 * cgit's cmds[] and kcgi's disps[]).  Each handler lives in a module named
 * for it (route_sign.c...); the table itself is routes.c's, which main.c
 * hands to the responder.  responder.c reads the request, calls
 * route_pick() and route_dispatch(), and writes the reply.
 *
 * Rows that share a path pattern form the path's group; the first row, in
 * table order, whose pattern matches the path picks the group (so the
 * catch-all row goes last).  In the group, the first row that takes the
 * method and whose condition holds answers.  OPTIONS is answered for every
 * group as a CORS preflight allowing the group's methods; a method no row
 * of the group takes gets 405 with those methods in Allow.  Today's table:
 *	sign	any path		GET	no body		route_sign
 * A later issue adds a row to routes[] in routes.c, above the catch-all
 * rows, for example
 *	healthz	tail "healthz"		GET	no body		route_healthz
 *	s3	tail "s3/multipart/ * /complete"	POST	64 KiB	route_s3
 *	callback any path, when x-oss-pub-key-url	POST	1 MiB	route_callback
 *	batch	any path, when JSON	POST	64 KiB		route_batch
 * (a tail of one segment is the path's last segment).
 * Pure, but for what the handlers do.
 */
#ifndef OSSIGN_ROUTE_H
#define OSSIGN_ROUTE_H

#include <stddef.h>

#include "conf.h"
#include "limit.h"
#include "oerr.h"
#include "reply.h"
#include "request.h"

struct responder;
struct route_pick;

/* A method as a bit of a row's method set. */
#define ROUTE_M(m)	(1u << (m))

enum route_match {
	ROUTE_ANY,	/* every path */
	ROUTE_TAIL	/* the path ends with pattern's '/'-separated
			   segments, byte for byte, each "*" matching any
			   one non-empty segment (captured); "healthz" is
			   the last segment */
};

/*
 * A handler: answer req into rep (status, body, its own headers) and set
 * d->err to OERR_OK, or leave d set to the error to answer (it comes in
 * as OERR_INTERNAL; route_dispatch renders it).  CORS for the request's
 * Origin is added by route_dispatch.
 */
typedef void (*route_fn)(struct responder *r, const struct request *req,
	    const struct route_pick *p, struct reply *rep,
	    struct oerr_detail *d);

struct route {
	const char	*name;		/* for logs and metrics: "sign" */
	enum route_match match;
	const char	*pattern;	/* ROUTE_TAIL; NULL for ROUTE_ANY */
	unsigned int	 methods;	/* ROUTE_M(REQUEST_GET) | ... */
	int		(*when)(const struct request *);	/* or NULL */
	size_t		 body_max;	/* body bytes read for it; 0: none
					   allowed (400, 413 over
					   LIMIT_BODY_DRAIN, as for GET) */
	const char	*headers;	/* preflight Allow-Headers, or NULL */
	route_fn	 fn;
};

/* A slice of req->path. */
struct route_seg {
	const char	*p;
	size_t		 len;
};

/* What route_pick() found for a request; it points into req->path. */
struct route_pick {
	const struct route *row;	/* NULL: no row takes the method */
	const struct route *group;	/* the group's first row; NULL: no
					   row's path matches (404), or no
					   REQUEST_METHOD (400) */
	unsigned int	 methods;	/* the group's methods, OPTIONS too */
	char		 allow[64];	/* "GET, OPTIONS": 405's Allow */
	char		 headers[128];	/* the preflight's Allow-Headers */
	/* ROUTE_TAIL: the "*" segments, and the segment before the tail
	   (an upload section name, say); len 0 when there is none. */
	struct route_seg args[LIMIT_ROUTE_ARGS];
	size_t		 nargs;
	struct route_seg before;
};

/*
 * Pick the row of tab (n rows: routes.h's table, or a test's) for req:
 * its path, method and the rows' conditions.  Fills p; reads only req.
 */
void	 route_pick(const struct route *tab, size_t n,
	    const struct request *req, struct route_pick *p);

/* The body bytes the responder reads into req->body for p (0: none). */
size_t	 route_body_max(const struct route_pick *p);

/*
 * Answer req as p says: 400 without REQUEST_METHOD, the CORS preflight for
 * OPTIONS (204 with the group's methods and headers for an Origin conf
 * allows, else 403 origin_not_allowed), 405 (with Allow) for a method no
 * row takes, the body checks of the row (400 / 413), else the row's
 * handler, which gets r; CORS for allowed origins on every answer but
 * preflights and requests without a method.  On an error d says which
 * (for the caller's log) and rep holds its JSON answer; otherwise d->err
 * is OERR_OK.
 */
void	 route_dispatch(struct responder *r, const struct conf *conf,
	    const struct route_pick *p, const struct request *req,
	    struct reply *rep, struct oerr_detail *d);

/* "GET, POST, OPTIONS" for a method set, in a fixed order. */
void	 route_methods_str(unsigned int methods, char *buf, size_t bufsz);

#endif /* OSSIGN_ROUTE_H */
