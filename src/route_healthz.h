/*
 * The health route: GET .../healthz answers whether ossign could sign now,
 * by asking for credentials exactly as a signature would (creds_source_get:
 * the process's copy, the shared cache, or a refresh under the cache's
 * single flight and failure holds, so polling it never calls the source
 * more often than signing does):
 *	200 {"status":"ok","credentials":{"source":"ram_role_arn",
 *	     "expires_in":3012}}		(expires_in null: a long-term key)
 *	503 {"status":"unavailable","credentials":{"source":"..."},
 *	     "error":{"code":"credentials_unavailable","message":"..."}}
 * No key id, no secret, no token.
 */
#ifndef OSSIGN_ROUTE_HEALTHZ_H
#define OSSIGN_ROUTE_HEALTHZ_H

#include "route.h"

/* A route_fn (route.h): reads the clock and the credentials. */
void	 route_healthz(struct responder *r, const struct request *req,
	    const struct route_pick *p, struct reply *rep,
	    struct oerr_detail *d);

#endif /* OSSIGN_ROUTE_HEALTHZ_H */
