/* The sign route and the signing pipeline; see route_sign.h. */
#include <stdlib.h>
#include <time.h>

#include "creds.h"
#include "creds_source.h"
#include "crypto.h"
#include "gate.h"
#include "metrics.h"
#include "olog.h"
#include "responder.h"
#include "route_sign.h"
#include "secret.h"
#include "signer.h"

/*
 * Prepare every item still good, with the server secret a section with
 * callbacks signs its tickets with (issue 10; NULL otherwise); 1 when one
 * is left to sign.
 */
static int
route_sign_prepare(struct responder *r, const char *user, time_t now,
    const unsigned char *secret, size_t secretlen,
    struct route_sign_item *it, struct signer_req *sr, size_t n)
{
	unsigned char rnd[16];
	char uuid[CRYPTO_UUID_LEN + 1];
	size_t i;
	int left = 0;

	for (i = 0; i < n; i++) {
		if (it[i].err != OERR_OK)
			continue;
		/* Each file its own ${uuid}. */
		if (crypto_random(rnd, sizeof(rnd)) == -1) {
			it[i].err = oerr_set(&it[i].d, OERR_INTERNAL, NULL);
			olog_err("no random bytes");
			continue;
		}
		crypto_uuid_format(rnd, uuid);
		it[i].err = signer_prepare(r->conf, it[i].p, user, now, uuid,
		    &sr[i], &it[i].d);
		sr[i].secret = secret;
		sr[i].secretlen = secretlen;
		if (it[i].err == OERR_OK)
			left = 1;
	}
	return left;
}

enum oerr
route_sign_items(struct responder *r, const struct request *req,
    const char *upload, struct route_sign_item *it, size_t n,
    route_sign_emit_fn emit, void *arg, struct reply *rep,
    struct oerr_detail *d)
{
	const struct conf_upload *up;
	struct gate_user user;
	struct signer_req *sr = NULL;
	const struct creds *creds = NULL;
	const unsigned char *secret = NULL;
	size_t secretlen = 0;
	uint64_t signed_n = 0;
	time_t now;
	size_t i;
	enum oerr e;
	int left;

	/* Read the clock once per request, for every file in it. */
	now = time(NULL);
	if ((e = signer_upload(r->conf, upload, &up, d)) != OERR_OK ||
	    (e = gate_check(r, req, up, (long long)n, &user, rep, d)) !=
	    OERR_OK)
		return e;
	/* A section with callbacks signs a ticket too (issue 10). */
	if (up->callback.url != NULL) {
		if (r->secret == NULL)
			return oerr_set(d, OERR_INTERNAL, "no server secret");
		if (secret_get(r->secret, &secret, &secretlen, d) == -1)
			return d->err;
	}
	if ((sr = calloc(n, sizeof(*sr))) == NULL)
		return oerr_set(d, OERR_INTERNAL, NULL);
	left = route_sign_prepare(r, user.name, now, secret, secretlen, it, sr,
	    n);
	/* Who the user is does not depend on the file: the whole request. */
	for (i = 0; i < n; i++)
		if (it[i].err == OERR_AUTH_REQUIRED) {
			*d = it[i].d;
			e = d->err;
			goto out;
		}
	/* Credentials only when an item is left to sign. */
	if (left && r->creds == NULL) {
		e = oerr_set(d, OERR_CREDS_UNAVAILABLE, "the signer has no "
		    "credentials configured");
		goto out;
	}
	/* now moves on by any wait for the credentials: sign at that time. */
	if (left && creds_source_get(r->creds, &now, &creds, d) == -1) {
		e = d->err;
		goto out;
	}
	for (i = 0; i < n; i++) {
		/* Only when left: no item is OERR_OK otherwise. */
		if (it[i].err == OERR_OK) {
			it[i].err = signer_sign(r->conf, &sr[i], creds, now,
			    &it[i].json, &it[i].len, &it[i].d);
			if (it[i].err == OERR_OK)
				signed_n++;
		}
		if (emit != NULL)
			emit(arg, &it[i]);
	}
	if (left)
		metrics_signatures(r->metrics, signed_n);
	e = OERR_OK;
out:
	free(sr);
	return e;
}

void
route_sign_items_clear(struct route_sign_item *it, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(it[i].json);
		it[i].json = NULL;
	}
}

/* Validate, then the pipeline for one file. */
void
route_sign(struct responder *r, const struct request *req,
    const struct route_pick *p, struct reply *rep, struct oerr_detail *d)
{
	struct request_params params;
	struct route_sign_item it = { 0 };

	(void)p;
	if (request_parse_query(req->query, &params, d) != OERR_OK)
		return;
	it.p = &params;
	if (route_sign_items(r, req, params.has_upload ? params.upload : NULL,
	    &it, 1, NULL, NULL, rep, d) != OERR_OK)
		return;
	if (it.err != OERR_OK) {
		*d = it.d;
		return;
	}
	d->err = OERR_OK;
	reply_ok(rep, it.json, it.len);
}
