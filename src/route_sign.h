/*
 * The sign route: GET with the query parameters of request.h answers the
 * PostObject V4 signature.  Its pipeline (route_sign_items: the clock read
 * once, the gate, the signer of signer.h, the process's credentials asked
 * once) signs one file here and every file of a batch (route_batch.c).
 */
#ifndef OSSIGN_ROUTE_SIGN_H
#define OSSIGN_ROUTE_SIGN_H

#include <stddef.h>

#include "route.h"

/* One file to sign. */
struct route_sign_item {
	/* In: the file's validated parameters (borrowed), or err set when
	   they were refused already (the item is then left as it is). */
	const struct request_params *p;
	enum oerr		 err;
	struct oerr_detail	 d;	/* why, when err != OERR_OK */
	/* Out, when err is OERR_OK: what GET answers for it (free it). */
	char			*json;
	size_t			 len;
};

/*
 * Called for each item, in order, once it is signed or refused, when the
 * request as a whole can no longer fail; it may take it->json (and set it
 * NULL), so that a batch holds one answer at a time, not n.
 */
typedef void	(*route_sign_emit_fn)(void *arg, struct route_sign_item *it);

/*
 * Sign the n items (n >= 1) of one upload section (upload: its name, NULL
 * for the default): one clock reading, gate_check for n signatures, a
 * ${uuid} and signer_prepare per item, one creds_source_get for them all
 * (only when one item is left to sign), then signer_sign per item, every
 * one at the same time, each handed to emit (NULL: none; the items keep
 * their answers).  Returns OERR_OK when the items say how each went, or
 * the error of the request as a whole, with d filled (and the headers the
 * gate added in rep; emit was not called): an unknown section, the gate's
 * refusal, a ${user} prefix without a user (it is not the file's fault),
 * no credentials.  Reads the clock, the CSPRNG and the credentials.
 */
enum oerr route_sign_items(struct responder *r, const struct request *req,
	    const char *upload, struct route_sign_item *it, size_t n,
	    route_sign_emit_fn emit, void *arg, struct reply *rep,
	    struct oerr_detail *d);

/* Free the answers of n items (after an error too). */
void	 route_sign_items_clear(struct route_sign_item *it, size_t n);

/* A route_fn (route.h): reads the clock, the CSPRNG and the credentials. */
void	 route_sign(struct responder *r, const struct request *req,
	    const struct route_pick *p, struct reply *rep,
	    struct oerr_detail *d);

#endif /* OSSIGN_ROUTE_SIGN_H */
