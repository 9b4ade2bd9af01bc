/*
 * The metrics route: GET .../metrics answers the counters every process
 * of the host keeps in the shared block (metrics.h; mapped from cache_dir
 * by main.c) in the Prometheus text format, to the addresses metrics_allow
 * lists (loopback when unset; 403 forbidden otherwise).  404 when metrics
 * are off (metrics = no), 503 metrics_unavailable when they are on but the
 * counters file could not be used.
 */
#ifndef OSSIGN_ROUTE_METRICS_H
#define OSSIGN_ROUTE_METRICS_H

#include "route.h"

/* Prometheus's text format (0.0.4). */
#define ROUTE_METRICS_CTYPE	"text/plain; version=0.0.4; charset=utf-8"

/* A route_fn (route.h). */
void	 route_metrics(struct responder *r, const struct request *req,
	    const struct route_pick *p, struct reply *rep,
	    struct oerr_detail *d);

#endif /* OSSIGN_ROUTE_METRICS_H */
