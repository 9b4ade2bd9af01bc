/*
 * The batch signing route: POST with a JSON body (batch.h) on the signing
 * path answers {"uploads":[...]}, one entry per file in the body's order:
 * exactly what GET answers for that file, or {"error":{...}} for that file
 * alone.  Every file is signed by the sign route's pipeline
 * (route_sign_items: one clock reading, one credential, the gate counting
 * each file).  Errors of the whole request (the body, more files than the
 * section's batch_max, an unknown section, the gate, the credentials) are
 * answered as GET answers them.
 */
#ifndef OSSIGN_ROUTE_BATCH_H
#define OSSIGN_ROUTE_BATCH_H

#include "route.h"

/* 1 when req carries a JSON body (Content-Type application/json). */
int	 route_batch_when(const struct request *req);

/* A route_fn (route.h): reads the clock, the CSPRNG and the credentials. */
void	 route_batch(struct responder *r, const struct request *req,
	    const struct route_pick *p, struct reply *rep,
	    struct oerr_detail *d);

#endif /* OSSIGN_ROUTE_BATCH_H */
