/* The batch signing route; see route_batch.h. */
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "conf.h"
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
 * answer is large (50 files with STS credentials: 450 KB): the buffer is
 * sized once from the first entry, so that a batch costs no realloc chain
 * and holds one copy, not two (page faults on fresh memory cost more than
 * the signing).
 */
struct route_batch_out {
	char	*buf;
	size_t	 len, cap, n, done;
	int	 err;		/* out of memory */
};

/* Room for want more bytes (and a NUL) in o->buf. */
static void
route_batch_room(struct route_batch_out *o, size_t want)
{
	char *nb;
	size_t cap = o->cap > 0 ? o->cap : want + 1;

	if (o->err || o->len + want + 1 <= o->cap)
		return;
	while (cap < o->len + want + 1)
		cap *= 2;
	if ((nb = realloc(o->buf, cap)) == NULL) {
		o->err = 1;
		return;
	}
	o->buf = nb;
	o->cap = cap;
}

static void
route_batch_put(struct route_batch_out *o, const char *s, size_t len)
{
	route_batch_room(o, len);
	if (o->err)
		return;
	memcpy(o->buf + o->len, s, len);
	o->len += len;
}

/* A route_sign_emit_fn: the item's entry, its answer or its error. */
static void
route_batch_emit(void *arg, struct route_sign_item *it)
{
	struct route_batch_out *o = arg;
	char *e = NULL;
	size_t elen = 0;

	if (it->err != OERR_OK && (e = reply_error_json(&it->d, &elen)) ==
	    NULL)
		o->err = 1;
	if (it->err == OERR_OK)
		elen = it->len;
	/* Every entry as long as the first, and the brackets. */
	if (o->buf == NULL)
		route_batch_room(o, 16 + o->n * (elen + 1));
	route_batch_put(o, o->done == 0 ? "{\"uploads\":[" : ",",
	    o->done == 0 ? 12 : 1);
	if (it->err == OERR_OK || e != NULL)
		route_batch_put(o, it->err == OERR_OK ? it->json : e, elen);
	free(e);
	free(it->json);
	it->json = NULL;
	o->done++;
	if (o->done == o->n)
		route_batch_put(o, "]}", 2);
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
	size_t i;

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
	if (o.err || o.done != b->n) {
		oerr_set(d, OERR_INTERNAL, NULL);
		goto out;
	}
	o.buf[o.len] = '\0';
	d->err = OERR_OK;
	reply_ok(rep, o.buf, o.len);
	o.buf = NULL;
out:
	if (it != NULL)
		route_sign_items_clear(it, b->n);
	free(it);
	free(o.buf);
	batch_free(b);
}
