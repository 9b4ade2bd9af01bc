/*
 * Who may use an upload section, and how often: the one check that every
 * route that signs makes before it signs (the sign route today; batch
 * signing and the Companion routes next).  It decides the user that
 * ${user} becomes.  Today that is the web server's REMOTE_USER when it
 * passed one (a ${user} prefix without one is answered 401 by
 * keyname_expand); issue 11 puts `auth = none | remote_user | jwt` and
 * the shared rate limits behind the same call.
 */
#ifndef OSSIGN_GATE_H
#define OSSIGN_GATE_H

#include "conf.h"
#include "limit.h"
#include "oerr.h"
#include "reply.h"
#include "request.h"

struct responder;

/* The user a request signs for. */
struct gate_user {
	const char	*name;			/* NULL: none; else borrowed
						   from the request or buf */
	char		 buf[LIMIT_USER_LEN + 1];
};

/*
 * May req use section up for n signatures (n >= 1; a batch counts one
 * each)?  Returns OERR_OK with u filled, or the error with d filled and
 * the headers it needs (WWW-Authenticate, Retry-After) added to rep.
 * Reads the clock and the shared state the checks keep; never exits.
 */
enum oerr gate_check(struct responder *r, const struct request *req,
	    const struct conf_upload *up, long long n, struct gate_user *u,
	    struct reply *rep, struct oerr_detail *d);

#endif /* OSSIGN_GATE_H */
