/* The route table; see routes.h. */
#include "route.h"
#include "route_sign.h"
#include "routes.h"

/*
 * Every route, most specific first: the first row whose path pattern
 * matches picks the group (route.h).  Add rows above the catch-all ones.
 */
const struct route routes[] = {
	/* Authorization: a page sends its JWT as a Bearer token (auth). */
	{ "sign", ROUTE_ANY, NULL, ROUTE_M(REQUEST_GET), NULL, 0,
	    "Authorization, Content-Type", route_sign },
};

const size_t routes_len = sizeof(routes) / sizeof(routes[0]);
