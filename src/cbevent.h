/*
 * The event ossign delivers for a callback that passed every check (issue
 * 10), the same bytes in callback_spool's file and callback_forward's body:
 *
 *   {"event":"<64 hex: callback_event.id>","type":"ossign.upload",
 *    "received":"2026-11-25T06:20:03Z","bucket":"b","object":"key",
 *    "upload":"section","user":"alice" (null without one),
 *    "signed":{"key":"key or prefix","match":"exact","expiration":"..."},
 *    "object_verified":true (callback_verify_object's HEAD agreed),
 *    "callback":{every variable of the callback body but ossign's own,
 *                strings as strings, JSON numbers as numbers}}
 *
 * and what proves to the application that ossign sent it:
 *
 *   X-Ossign-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>
 *
 * the HMAC keyed with the server secret (secret_file) over
 * "ossign-forward-v1\n" t "\n" body.  Pure.
 */
#ifndef OSSIGN_CBEVENT_H
#define OSSIGN_CBEVENT_H

#include <stddef.h>
#include <time.h>

#include "callback.h"

#define CBEVENT_SIG_LEN	(2 + 23 + 4 + 64)	/* "t=N,v1=HEX" at most */
#define CBEVENT_DOMAIN	"ossign-forward-v1"

/*
 * The event JSON for ev (callback_ticket_check's) with vars (the body's)
 * for bucket, received at now; verified: the object was checked on OSS.
 * A new string of *len bytes (free it), or NULL when out of memory.
 */
char	*cbevent_json(const struct callback_event *ev,
	    const struct callback_vars *vars, const char *bucket, time_t now,
	    int verified, size_t *len);

/*
 * The X-Ossign-Signature value for body at t with the secret, into out
 * (CBEVENT_SIG_LEN + 1 bytes).  Returns 0, or -1 (bad arguments).
 */
int	 cbevent_sign(const void *secret, size_t secretlen, time_t t,
	    const char *body, size_t len, char out[CBEVENT_SIG_LEN + 1]);

/*
 * ossign's own answer when nothing is forwarded (OSS hands it to the
 * browser): {"status":"ok","event":"<id>","object":"key"}.  A new string
 * of *len bytes, or NULL.
 */
char	*cbevent_answer(const struct callback_event *ev, size_t *len);

#endif /* OSSIGN_CBEVENT_H */
