/*
 * ossign's own calls to OSS (issue 12): one request of the multipart API
 * (ossapi.h) sent through the outbound HTTP module (http.h).  Each try is
 * built and signed again, at the time of the try, with the credentials
 * the call was given; each answer is judged by the caller's parser (OSS's
 * ossapi_parse_*), a transient one (5xx, 429, RequestTimeout...) tried
 * again within the configured retries.  The x-oss-request-id header is
 * kept for the error message and the log.  Edge: sends, reads the clock.
 */
#ifndef OSSIGN_OSSCALL_H
#define OSSIGN_OSSCALL_H

#include <time.h>

#include "conf.h"
#include "creds.h"
#include "oerr.h"
#include "ossapi.h"

/* Where and as whom: borrowed for the call. */
struct osscall {
	const struct conf		*conf;	/* timeouts, retries, proxy,
						   ca_file */
	const struct ossapi_target	*target;
	const struct creds		*creds;
	time_t				 now;	/* creds_source_get's time */
};

/*
 * build: the request of one try, signed at now (ossapi_initiate...);
 * 0, or -1 with d filled (nothing to free in out).
 * parse: judge one answer into the caller's arg (ossapi_parse_...): on
 * OSSAPI_OK keep what it needs (a's bytes do not outlive the try).
 */
typedef int	(*osscall_build_fn)(void *arg, time_t now,
		    struct ossapi_request *out, struct oerr_detail *d);
typedef enum ossapi_result (*osscall_parse_fn)(void *arg,
		    const struct ossapi_answer *a, struct ossapi_error *e);

/*
 * One call of operation op.  Returns 0 when parse said OSSAPI_OK on an
 * answer, or -1 with d filled: the build's error, OERR_OSS_UNAVAILABLE
 * when OSS could not be reached (or libcurl not loaded), else
 * ossapi_oerr's error for the last answer.  Every failure is logged with
 * OSS's code, EC and request id (never a header of the request).
 */
int	 osscall_run(const struct osscall *c, enum ossapi_op op,
	    osscall_build_fn build, osscall_parse_fn parse, void *arg,
	    struct oerr_detail *d);

#endif /* OSSIGN_OSSCALL_H */
