/* The metrics route; see route_metrics.h. */
#include <stdlib.h>

#include "conf.h"
#include "limit.h"
#include "metrics.h"
#include "responder.h"
#include "route_metrics.h"

void
route_metrics(struct responder *r, const struct request *req,
    const struct route_pick *p, struct reply *rep, struct oerr_detail *d)
{
	struct metrics_counts c;
	char *buf;
	size_t len = 0;

	(void)p;
	if (!r->conf->metrics) {
		oerr_set(d, OERR_NOT_FOUND, "metrics are off (metrics = no)");
		return;
	}
	if (!conf_metrics_allowed(r->conf, req->remote_addr)) {
		oerr_set(d, OERR_FORBIDDEN, "metrics_allow does not list this "
		    "client's address");
		return;
	}
	if (r->metrics == NULL) {
		oerr_set(d, OERR_METRICS_UNAVAILABLE, "the counters file in "
		    "cache_dir cannot be used (see the error log)");
		return;
	}
	metrics_snapshot(r->metrics, &c);
	if ((buf = malloc(LIMIT_METRICS_TEXT)) == NULL ||
	    metrics_write(&c, buf, LIMIT_METRICS_TEXT, &len) == -1) {
		free(buf);
		oerr_set(d, OERR_INTERNAL, "the metrics do not fit %d bytes",
		    LIMIT_METRICS_TEXT);
		return;
	}
	d->err = OERR_OK;
	reply_answer(rep, 200, "OK", ROUTE_METRICS_CTYPE, buf, len);
}
