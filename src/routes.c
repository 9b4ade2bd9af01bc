/* The route table; see routes.h. */
#include "route.h"
#include "route_s3.h"
#include "route_callback.h"
#include "route_batch.h"
#include "route_healthz.h"
#include "route_metrics.h"
#include "route_sign.h"
#include "routes.h"

/*
 * Every route, most specific first: the first row whose path pattern
 * matches picks the group (route.h).  Add rows above the catch-all ones.
 */
#define S3_GET		ROUTE_M(REQUEST_GET)
#define S3_POST		ROUTE_M(REQUEST_POST)
#define S3_DELETE	ROUTE_M(REQUEST_DELETE)
/* What @uppy/aws-s3 5.x sends (6.x sends content-type alone). */
#define S3_HEADERS	"content-type, accept"

const struct route routes[] = {
	/* issue 12: Uppy Companion's S3 routes (route_s3.h); batch and
	   complete above ID/N, as Companion's router has them */
	{ "s3-params", ROUTE_TAIL, "s3/params", S3_GET, NULL, 0, S3_HEADERS,
	    route_s3_params },
	{ "s3-create", ROUTE_TAIL, "s3/multipart", S3_POST, NULL,
	    LIMIT_S3_BODY, S3_HEADERS, route_s3_create },
	{ "s3-batch", ROUTE_TAIL, "s3/multipart/*/batch", S3_GET, NULL, 0,
	    S3_HEADERS, route_s3_batch },
	{ "s3-complete", ROUTE_TAIL, "s3/multipart/*/complete", S3_POST, NULL,
	    LIMIT_S3_COMPLETE_BODY, S3_HEADERS, route_s3_complete },
	{ "s3-part", ROUTE_TAIL, "s3/multipart/*/*", S3_GET, NULL, 0,
	    S3_HEADERS, route_s3_part },
	{ "s3-list", ROUTE_TAIL, "s3/multipart/*", S3_GET, NULL, 0,
	    S3_HEADERS, route_s3_list },
	{ "s3-abort", ROUTE_TAIL, "s3/multipart/*", S3_DELETE, NULL, 0,
	    S3_HEADERS, route_s3_abort },
	/* issue 11: health and metrics, by the path's last segment. */
	{ "healthz", ROUTE_TAIL, "healthz", ROUTE_M(REQUEST_GET), NULL, 0,
	    NULL, route_healthz },
	{ "metrics", ROUTE_TAIL, "metrics", ROUTE_M(REQUEST_GET), NULL, 0,
	    NULL, route_metrics },
	/* OSS's upload callback (issue 10): any path, POST with the header. */
	{ "callback", ROUTE_ANY, NULL, ROUTE_M(REQUEST_POST),
	    route_callback_when, LIMIT_CB_BODY, NULL, route_callback },
	/*
	 * The signing path (any other path): batch signing (issue 11) as
	 * POST with a JSON body, a signature as GET.  A POST row with a
	 * narrower condition (an OSS callback may be JSON too) goes above
	 * the batch row.
	 */
	{ "batch", ROUTE_ANY, NULL, ROUTE_M(REQUEST_POST), route_batch_when,
	    LIMIT_BATCH_BODY, "Authorization, Content-Type", route_batch },
	/* Authorization: a page sends its JWT as a Bearer token (auth). */
	{ "sign", ROUTE_ANY, NULL, ROUTE_M(REQUEST_GET), NULL, 0,
	    "Authorization, Content-Type", route_sign },
};

const size_t routes_len = sizeof(routes) / sizeof(routes[0]);
