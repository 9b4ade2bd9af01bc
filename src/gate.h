/*
 * Who may use an upload section, and how often: the one check that every
 * route that signs makes before it signs (the sign route; batch signing
 * and the Companion routes with it).  It decides the user that ${user}
 * becomes, by the section's `auth` (auth.c: none, the web server's
 * REMOTE_USER, or a JSON Web Token), then takes the request's signatures
 * from the section's rate limit (ratelimit.c), counted per user when
 * there is one, else per client address (netaddr.c: REMOTE_ADDR, or
 * X-Forwarded-For from trusted_proxies), in one table that every process
 * on the host maps from cache_dir (statedir_map).
 *
 * Refusals: 401 authentication_required with WWW-Authenticate (Bearer for
 * jwt, Session for remote_user: a scheme no browser answers with a password
 * dialog) and nothing about why in the answer (the log says why, never the
 * token); 429 rate_limited with Retry-After.
 */
#ifndef OSSIGN_GATE_H
#define OSSIGN_GATE_H

#include "conf.h"
#include "limit.h"
#include "oerr.h"
#include "reply.h"
#include "request.h"

struct responder;
struct gate;

/* The user a request signs for. */
struct gate_user {
	const char	*name;			/* NULL: none; else borrowed
						   from the request or buf */
	char		 buf[LIMIT_USER_LEN + 1];
};

#define GATE_START	0x1	/* gate_new: load every key set and map the
				   rate table now (FastCGI, before forking) */
#define GATE_CHECK	0x2	/* gate_new: load every key set, touch no
				   shared file (ossign -t) */

/*
 * The state the checks keep for conf (which must outlive it).  Without a
 * flag (a CGI run) nothing is loaded before a request needs it: the key
 * set of its section, the table when its section has a rate limit.
 * Returns NULL with err ("FILE:LINE: ..." for a key file) on failure.
 */
struct gate	*gate_new(const struct conf *conf, int flags, char *err,
		    size_t errlen);
/* Unmap and free; NULL is fine. */
void		 gate_free(struct gate *g);

/*
 * May req use section up for n signatures (n >= 1; a batch counts one
 * each)?  Returns OERR_OK with u filled, or the error with d filled and
 * the headers it needs (WWW-Authenticate, Retry-After) added to rep.
 * Reads the clock and the shared state the checks keep (r->gate; without
 * one only auth = none and remote_user sections without rate_limit pass);
 * never exits.
 */
enum oerr gate_check(struct responder *r, const struct request *req,
	    const struct conf_upload *up, long long n, struct gate_user *u,
	    struct reply *rep, struct oerr_detail *d);

#endif /* OSSIGN_GATE_H */
