/*
 * Credentials that may sign now, from the configured source (creds_origin)
 * through the cache in front of it: in memory, then the cache file every
 * process of the host shares (cache), then one refresh under the cache's
 * lock, with stale-on-error.  This is the edge of the program: it reads
 * the environment and files at start, and talks to the source when it
 * must.
 */
#ifndef OSSIGN_CREDS_SOURCE_H
#define OSSIGN_CREDS_SOURCE_H

#include <stddef.h>
#include <time.h>

#include "conf.h"
#include "creds.h"
#include "oerr.h"

struct creds_source;
struct metrics_block;

/*
 * Set up the source conf names; reads the environment and secret files
 * now (at start, never per request).  Returns NULL with a message in err
 * on a configuration error.  Free with creds_source_free.
 */
struct creds_source *creds_source_new(const struct conf *conf, char *err,
		    size_t errlen);

/*
 * Credentials valid for at least LIMIT_MIN_VALIDITY seconds.  *now is
 * the request's time on the way in; on the way out it has moved on by
 * however long getting them took (waiting for another process's refresh,
 * a refresh of our own: up to the source's timeouts and retries), and
 * the credentials are judged at that later time: sign with it.  On
 * success returns 0 and sets *out, owned by src and valid until the next
 * call.  On failure returns -1 and fills d (OERR_CREDS_UNAVAILABLE or
 * OERR_CREDS_REFUSED, with a message safe to show: no secrets).
 */
int		 creds_source_get(struct creds_source *src, time_t *now,
		    const struct creds **out, struct oerr_detail *d);

/*
 * Read the shared cache but never write it or take its lock: for
 * "ossign sign --time", whose clock is not the host's, so that what it
 * fetches or fails with at its own time is never shared with the
 * processes on the host's clock.
 */
void		 creds_source_set_readonly(struct creds_source *src);

/*
 * Count in b (metrics.h; NULL: not counted) where each request's
 * credentials came from (this process, the shared cache file, the
 * source), every call to the source by its result, and the expiry of the
 * credentials handed out.
 */
void		 creds_source_set_metrics(struct creds_source *src,
		    struct metrics_block *b);

/*
 * For tests: fetch replaces the call to STS (or the metadata service, or
 * the credentials URI) that a refresh makes; the cache around it is the
 * real one.  fetch returns 0 with new strings in *out, or -1 with d
 * filled.  NULL restores the real call.
 */
typedef int	(*creds_fetch_fn)(void *arg, time_t now, struct creds *out,
		    struct oerr_detail *d);
void		 creds_source_set_fetch(struct creds_source *src,
		    creds_fetch_fn fetch, void *arg);

/* Free src, wiping secrets; NULL is fine. */
void		 creds_source_free(struct creds_source *src);

#endif /* OSSIGN_CREDS_SOURCE_H */
