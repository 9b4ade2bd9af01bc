/* The CORS preflight; see route_preflight.h. */
#include "responder.h"
#include "route_preflight.h"

void
route_preflight(struct responder *r, const struct request *req,
    const struct route_pick *p, struct reply *rep, struct oerr_detail *d)
{
	if (!reply_preflight(rep, r->conf, req, p->allow, p->headers)) {
		oerr_set(d, OERR_ORIGIN_NOT_ALLOWED, NULL);
		return;
	}
	d->err = OERR_OK;
	reply_empty(rep);
}
