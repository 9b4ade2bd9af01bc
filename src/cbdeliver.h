/*
 * Delivering the event of a callback that passed every check (issue 10):
 * at most once per upload, then to callback_spool and/or callback_forward.
 *
 * Once: the first callback for an upload (callback_event.id: its ticket
 * and object) creates cache_dir/cb-ID, atomically and only if it is not
 * there (statedir_write with STATEDIR_KEEP); any later callback for the
 * same upload, from any process, finds it and delivers nothing (409).
 * The claim is made before delivering and removed when nothing was
 * delivered (a forward that failed without a spool), so that the same
 * upload may still be delivered later.  Claims older than
 * LIMIT_CB_CLAIM_KEEP, when no ticket they stand for can be valid any
 * more, are swept at most every LIMIT_CB_PRUNE_EVERY seconds (the stamp
 * file cache_dir/cb-prune).
 *
 * Spool: DIR/ID.json, the event JSON (cbevent.h), under statedir.h's
 * rules: DIR is ossign's user's and not writable by others (created 0700
 * when missing), the file 0600, written to a temporary name and renamed,
 * never replaced: a consumer running as the same user (or root) reads and
 * removes the files.
 *
 * Forward: POST the event JSON to an internal URL (http or https, no
 * proxy, ca_file when set) with Content-Type: application/json,
 * X-Ossign-Event: ID and X-Ossign-Signature (cbevent.h); a 2xx answer
 * whose body is a JSON object is relayed to OSS, which hands it to the
 * browser.  The edge: files and the network.
 */
#ifndef OSSIGN_CBDELIVER_H
#define OSSIGN_CBDELIVER_H

#include <stddef.h>
#include <time.h>

#include "oerr.h"

/*
 * Claim the delivery of id in cache_dir at now (and sweep old claims when
 * due).  Returns 0 when this call claimed it, 1 when it was claimed
 * before, -1 when cache_dir cannot be used (logged).
 */
int	 cbdeliver_claim(const char *cache_dir, const char *id, time_t now);

/* Give a claim back: nothing was delivered. */
void	 cbdeliver_unclaim(const char *cache_dir, const char *id);

/*
 * Write the event json (len bytes) as dir/ID.json.  Returns 0 (written,
 * or there already), -1 (logged).
 */
int	 cbdeliver_spool(const char *dir, const char *id, const char *json,
	    size_t len);

/* A callback_forward exchange. */
struct cbdeliver_forward {
	const char		*url;
	const unsigned char	*secret;	/* the server secret */
	size_t			 secretlen;
	const char		*ca_file;	/* NULL: the system's CAs */
	const char		*id;
	const char		*json;		/* the event */
	size_t			 len;
	time_t			 now;		/* X-Ossign-Signature's t */
	long			 timeout_ms;
};

/*
 * POST f's event.  Returns OERR_OK with *answer (a new string of *alen
 * bytes: the application's JSON object) or OERR_CB_FORWARD_TIMEOUT,
 * OERR_CB_FORWARD_FAILED (unreachable, a status other than 2xx, an answer
 * that is not a JSON object or larger than LIMIT_CB_ANSWER) with d filled
 * and the reason logged.
 */
enum oerr cbdeliver_forward(const struct cbdeliver_forward *f, char **answer,
	    size_t *alen, struct oerr_detail *d);

#endif /* OSSIGN_CBDELIVER_H */
