/* The route table; see routes.h. */
#include "route.h"
#include "route_batch.h"
#include "route_healthz.h"
#include "route_metrics.h"
#include "route_sign.h"
#include "routes.h"

/*
 * Every route, most specific first: the first row whose path pattern
 * matches picks the group (route.h).  Add rows above the catch-all ones.
 */
const struct route routes[] = {
	/* issue 11: health and metrics, by the path's last segment. */
	{ "healthz", ROUTE_TAIL, "healthz", ROUTE_M(REQUEST_GET), NULL, 0,
	    NULL, route_healthz },
	{ "metrics", ROUTE_TAIL, "metrics", ROUTE_M(REQUEST_GET), NULL, 0,
	    NULL, route_metrics },
	/*
	 * The signing path (any other path): batch signing (issue 11) as
	 * POST with a JSON body, a signature as GET.  A POST row with a
	 * narrower condition (an OSS callback may be JSON too) goes above
	 * the batch row.
	 */
	{ "batch", ROUTE_ANY, NULL, ROUTE_M(REQUEST_POST), route_batch_when,
	    LIMIT_BATCH_BODY, "Content-Type", route_batch },
	{ "sign", ROUTE_ANY, NULL, ROUTE_M(REQUEST_GET), NULL, 0,
	    "Content-Type", route_sign },
};

const size_t routes_len = sizeof(routes) / sizeof(routes[0]);
