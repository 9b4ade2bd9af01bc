/*
 * The CORS preflight: OPTIONS on any route's path answers 204 with the
 * methods the path takes and the request headers its rows allow, for an
 * Origin in cors_origins; 403 origin_not_allowed otherwise.
 */
#ifndef OSSIGN_ROUTE_PREFLIGHT_H
#define OSSIGN_ROUTE_PREFLIGHT_H

#include "route.h"

/* A route_fn (route.h); p->allow and p->headers say what is allowed. */
void	 route_preflight(struct responder *r, const struct request *req,
	    const struct route_pick *p, struct reply *rep,
	    struct oerr_detail *d);

#endif /* OSSIGN_ROUTE_PREFLIGHT_H */
