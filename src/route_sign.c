/* The sign route; see route_sign.h. */
#include <stddef.h>
#include <time.h>

#include "creds.h"
#include "creds_source.h"
#include "crypto.h"
#include "gate.h"
#include "olog.h"
#include "responder.h"
#include "route_sign.h"
#include "secret.h"
#include "signer.h"

/* Validate, get credentials, sign. */
void
route_sign(struct responder *r, const struct request *req,
    const struct route_pick *p, struct reply *rep, struct oerr_detail *d)
{
	struct request_params params;
	const struct conf_upload *up;
	struct gate_user user;
	struct signer_req sr;
	const struct creds *creds;
	unsigned char rnd[16];
	char uuid[CRYPTO_UUID_LEN + 1], *json = NULL;
	size_t len = 0;
	time_t now;

	if (request_parse_query(req->query, &params, d) != OERR_OK)
		return;
	/* Read the clock once per request. */
	now = time(NULL);
	if (crypto_random(rnd, sizeof(rnd)) == -1) {
		oerr_set(d, OERR_INTERNAL, NULL);
		olog_err("no random bytes");
		return;
	}
	crypto_uuid_format(rnd, uuid);
	/* An unknown section is signer_prepare's 400 unknown_upload. */
	up = conf_upload_find(r->conf, params.has_upload ? params.upload :
	    DEFAULT_UPLOAD);
	if (up != NULL && gate_check(r, req, up, 1, &user, rep, d) != OERR_OK)
		return;
	if (signer_prepare(r->conf, &params, up != NULL ? user.name : NULL,
	    now, uuid, &sr, d) != OERR_OK)
		return;
	/* A section with callbacks signs a ticket too (issue 10). */
	if (sr.up->callback.url != NULL) {
		if (r->secret == NULL) {
			oerr_set(d, OERR_INTERNAL, "no server secret");
			return;
		}
		if (secret_get(r->secret, &sr.secret, &sr.secretlen, d) == -1)
			return;
	}
	if (r->creds == NULL) {
		oerr_set(d, OERR_CREDS_UNAVAILABLE, "the signer has no "
		    "credentials configured");
		return;
	}
	/* now moves on by any wait for the credentials: sign at that time. */
	if (creds_source_get(r->creds, &now, &creds, d) == -1)
		return;
	if (signer_sign(r->conf, &sr, creds, now, &json, &len, d) != OERR_OK)
		return;
	d->err = OERR_OK;
	reply_ok(rep, json, len);
}
