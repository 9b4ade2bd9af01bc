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

/* {"uploads":[...]} from the items; NULL when out of memory. */
static char *
route_batch_answer(const struct route_sign_item *it, size_t n, size_t *len)
{
	struct jsonw w;
	char *e;
	size_t i, el;

	jsonw_init(&w, 2048 * n);
	jsonw_open(&w, '{');
	jsonw_key(&w, "uploads");
	jsonw_open(&w, '[');
	for (i = 0; i < n; i++) {
		if (it[i].err == OERR_OK) {
			jsonw_raw(&w, it[i].json, it[i].len);
			continue;
		}
		if ((e = reply_error_json(&it[i].d, &el)) == NULL) {
			jsonw_free(&w);
			return NULL;
		}
		jsonw_raw(&w, e, el);
		free(e);
	}
	jsonw_close(&w, ']');
	jsonw_close(&w, '}');
	return jsonw_finish(&w, len);
}

void
route_batch(struct responder *r, const struct request *req,
    const struct route_pick *p, struct reply *rep, struct oerr_detail *d)
{
	struct batch *b = NULL;
	struct route_sign_item *it = NULL;
	const struct conf_upload *up;
	const char *upload;
	char *json;
	size_t i, len = 0;

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
	if (route_sign_items(r, req, upload, it, b->n, rep, d) != OERR_OK)
		goto out;
	if ((json = route_batch_answer(it, b->n, &len)) == NULL) {
		oerr_set(d, OERR_INTERNAL, NULL);
		goto out;
	}
	d->err = OERR_OK;
	reply_ok(rep, json, len);
out:
	if (it != NULL)
		route_sign_items_clear(it, b->n);
	free(it);
	batch_free(b);
}
