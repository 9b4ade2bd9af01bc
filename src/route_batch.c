/* The batch signing route; see route_batch.h. */
#include <stdlib.h>

#include "batch.h"
#include "conf.h"
#include "jsonw.h"
#include "responder.h"
#include "route_batch.h"
#include "route_sign.h"

int
route_batch_when(const struct request *req)
{
	return batch_is_json(req->content_type);
}

/*
 * The answer, {"uploads":[...]}, built entry by entry as the pipeline
 * hands them over (each entry's own string is freed at once).  A batch
 * answer is large (50 files with STS credentials: 450 KB): the writer is
 * sized once from the first entry, so that a batch costs no realloc chain
 * and holds one copy, not two (page faults on fresh memory cost more than
 * the signing).
 */
struct route_batch_out {
	struct jsonw	 w;
	size_t		 n, done;
};

/* A route_sign_emit_fn: the item's entry, its answer or its error. */
static void
route_batch_emit(void *arg, struct route_sign_item *it)
{
	struct route_batch_out *o = arg;
	char *e = NULL;
	size_t elen = 0;

	if (it->err != OERR_OK)
		e = reply_error_json(&it->d, &elen);
	else
		elen = it->len;
	if (o->done == 0) {
		/* Every entry as long as the first, and the brackets. */
		jsonw_init(&o->w, 16 + o->n * (elen + 1));
		jsonw_open(&o->w, '{');
		jsonw_key(&o->w, "uploads");
		jsonw_open(&o->w, '[');
	}
	if (it->err == OERR_OK)
		jsonw_raw(&o->w, it->json, elen);
	else if (e != NULL)
		jsonw_raw(&o->w, e, elen);
	else
		o->w.err = 1;	/* out of memory: jsonw_finish fails */
	free(e);
	free(it->json);
	it->json = NULL;
	if (++o->done == o->n) {
		jsonw_close(&o->w, ']');
		jsonw_close(&o->w, '}');
	}
}

void
route_batch(struct responder *r, const struct request *req,
    const struct route_pick *p, struct reply *rep, struct oerr_detail *d)
{
	struct batch *b = NULL;
	struct route_sign_item *it = NULL;
	struct route_batch_out o = { 0 };
	const struct conf_upload *up;
	const char *upload;
	char *body;
	size_t i, len;

	(void)p;
	if (batch_parse(req->body != NULL ? req->body : "", req->bodylen,
	    LIMIT_BATCH_MAX, &b, d) != OERR_OK)
		return;
	/* batch_parse gives every file the body's upload. */
	upload = b->files[0].p.has_upload ? b->files[0].p.upload : NULL;
	up = conf_upload_find(r->conf, upload != NULL ? upload :
	    DEFAULT_UPLOAD);
	if (up != NULL && (long long)b->n > up->batch_max) {
		oerr_set(d, OERR_REQUEST_TOO_LARGE, "%zu files, at most %lld "
		    "in one request to %s (batch_max)", b->n, up->batch_max,
		    up->name);
		goto out;
	}
	if ((it = calloc(b->n, sizeof(*it))) == NULL) {
		oerr_set(d, OERR_INTERNAL, NULL);
		goto out;
	}
	for (i = 0; i < b->n; i++) {
		it[i].p = &b->files[i].p;
		it[i].err = b->files[i].err;
		it[i].d = b->files[i].d;
	}
	o.n = b->n;
	if (route_sign_items(r, req, upload, it, b->n, route_batch_emit, &o,
	    rep, d) != OERR_OK)
		goto out;
	if (o.done != b->n || (body = jsonw_finish(&o.w, &len)) == NULL) {
		oerr_set(d, OERR_INTERNAL, NULL);
		goto out;
	}
	d->err = OERR_OK;
	reply_ok(rep, body, len);
out:
	if (it != NULL)
		route_sign_items_clear(it, b->n);
	free(it);
	jsonw_free(&o.w);
	batch_free(b);
}
