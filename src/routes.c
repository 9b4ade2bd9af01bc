/* The route table; see routes.h. */
#include "route.h"
#include "route_callback.h"
#include "route_sign.h"
#include "routes.h"

/*
 * Every route, most specific first: the first row whose path pattern
 * matches picks the group (route.h).  Add rows above the catch-all ones.
 */
const struct route routes[] = {
	/* OSS's upload callback (issue 10): any path, POST with the header. */
	{ "callback", ROUTE_ANY, NULL, ROUTE_M(REQUEST_POST),
	    route_callback_when, LIMIT_CB_BODY, NULL, route_callback },
	{ "sign", ROUTE_ANY, NULL, ROUTE_M(REQUEST_GET), NULL, 0,
	    "Content-Type", route_sign },
};

const size_t routes_len = sizeof(routes) / sizeof(routes[0]);
