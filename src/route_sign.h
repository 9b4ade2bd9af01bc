/*
 * The sign route: GET with the query parameters of request.h answers the
 * PostObject V4 signature (the pipeline of signer.h, with the process's
 * credentials and the clock read once).
 */
#ifndef OSSIGN_ROUTE_SIGN_H
#define OSSIGN_ROUTE_SIGN_H

#include "route.h"

/* A route_fn (route.h): reads the clock, the CSPRNG and the credentials. */
void	 route_sign(struct responder *r, const struct request *req,
	    const struct route_pick *p, struct reply *rep,
	    struct oerr_detail *d);

#endif /* OSSIGN_ROUTE_SIGN_H */
