/*
 * The callback route (issue 10): a POST carrying x-oss-pub-key-url is
 * OSS's upload callback.  Top to bottom, each step refusing with its own
 * error row (oerr.h) and a log line naming the reason, never the body:
 *   1. the key URL against the allow-list (cbverify_key_url): 403
 *      callback_key_refused; unreadable: 400 callback_malformed;
 *   2. the key (cbkey.h: pinned, shipped, or fetched once): 503
 *      callback_key_unavailable;
 *   3. OSS's signature over REQUEST_URI (or SCRIPT_NAME + PATH_INFO +
 *      QUERY_STRING) and the body: 403 callback_bad_signature;
 *   4. the body (JSON or form): 400 callback_malformed;
 *   5. the ticket with the server secret (callback_ticket_check), and a
 *      section that asks for callbacks: 403 callback_bad_ticket;
 *   6. callback_verify_object: HEAD on OSS, 403 callback_object_mismatch;
 *   7. at most once per upload (cbdeliver.h): 409 callback_replayed;
 *   8. delivery: callback_spool, then callback_forward (502/504), the
 *      application's answer relayed, or ossign's own {"status":"ok"...}.
 * Everything within LIMIT_CB_DEADLINE_MS, OSS's 5 s less a margin.
 */
#ifndef OSSIGN_ROUTE_CALLBACK_H
#define OSSIGN_ROUTE_CALLBACK_H

#include "route.h"

/* The row's condition: the request carries x-oss-pub-key-url. */
int	 route_callback_when(const struct request *req);

/* A route_fn (route.h): reads the clock, files in cache_dir, the network. */
void	 route_callback(struct responder *r, const struct request *req,
	    const struct route_pick *p, struct reply *rep,
	    struct oerr_detail *d);

#endif /* OSSIGN_ROUTE_CALLBACK_H */
