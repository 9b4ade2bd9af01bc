/* Uppy Companion's S3 routes; see route_s3.h. */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "batch.h"
#include "callback.h"
#include "creds_source.h"
#include "crypto.h"
#include "gate.h"
#include "jsonr.h"
#include "jsonw.h"
#include "olog.h"
#include "ossapi.h"
#include "osscall.h"
#include "osssig.h"
#include "responder.h"
#include "route_s3.h"
#include "s3callback.h"
#include "s3id.h"
#include "s3req.h"
#include "secret.h"
#include "signer.h"

/* One request's state, top to bottom. */
struct s3ctx {
	struct responder		*r;
	const struct conf		*conf;
	const struct conf_upload	*up;
	struct gate_user		 user;
	struct ossapi_target		 target;
	const unsigned char		*secret;
	size_t				 secretlen;
	const struct creds		*creds;
	time_t				 now;
	struct s3req_query		 q;
	char				 oss_id[LIMIT_OSS_UPLOAD_ID + 1];
};

int
route_s3_max_part(const struct conf_upload *up)
{
	long long n = (up->max_size + LIMIT_UPPY_PART_MIN - 1) /
	    LIMIT_UPPY_PART_MIN;

	if (n < 1)
		return 1;
	return n > LIMIT_OSS_PART_NUMBER ? LIMIT_OSS_PART_NUMBER : (int)n;
}

/*
 * The section (the segment before "s3" when it names one, else default),
 * which must take these routes, then the gate.  OERR_OK or d filled.
 */
static enum oerr
s3_begin(struct responder *r, const struct request *req,
    const struct route_pick *p, struct reply *rep, struct s3ctx *c,
    struct oerr_detail *d)
{
	char name[LIMIT_UPLOAD_NAME + 1];
	enum oerr e;

	memset(c, 0, sizeof(*c));
	c->r = r;
	c->conf = r->conf;
	c->up = NULL;
	if (p->before.len > 0 && p->before.len <= LIMIT_UPLOAD_NAME) {
		memcpy(name, p->before.p, p->before.len);
		name[p->before.len] = '\0';
		c->up = conf_upload_find(c->conf, name);
	}
	if (c->up == NULL &&
	    (c->up = conf_upload_find(c->conf, DEFAULT_UPLOAD)) == NULL)
		return oerr_set(d, OERR_UNKNOWN_UPLOAD, "there is no upload "
		    "called %s", DEFAULT_UPLOAD);
	if (!c->up->multipart)
		return oerr_set(d, OERR_NOT_FOUND, "the upload %s does not take "
		    "Uppy's s3 routes (multipart = no)", c->up->name);
	if ((e = gate_check(r, req, c->up, 1, &c->user, rep, d)) != OERR_OK)
		return e;
	c->target.host = c->conf->host;
	c->target.bucket = c->conf->bucket;
	c->target.region = c->conf->region;
	return OERR_OK;
}

/* Credentials valid now, and the time to sign with. */
static enum oerr
s3_creds(struct s3ctx *c, struct oerr_detail *d)
{
	if (c->r->creds == NULL)
		return oerr_set(d, OERR_CREDS_UNAVAILABLE, "the signer has no "
		    "credentials configured");
	c->now = time(NULL);
	/* now moves on by any wait for the credentials: sign at that time. */
	if (creds_source_get(c->r->creds, &c->now, &c->creds, d) == -1)
		return d->err;
	return OERR_OK;
}

static enum oerr
s3_secret(struct s3ctx *c, struct oerr_detail *d)
{
	if (c->r->secret == NULL)
		return oerr_set(d, OERR_INTERNAL, "the server secret cannot be "
		    "used");
	if (secret_get(c->r->secret, &c->secret, &c->secretlen, d) == -1)
		return d->err;
	return OERR_OK;
}

static void
s3_bind(const struct s3ctx *c, const char *key, struct s3id_bind *b)
{
	b->bucket = c->conf->bucket;
	b->section = c->up->name;
	b->user = c->user.name;
	b->key = key;
}

/*
 * The query of a route on one upload (key and what want adds), and the
 * upload id of the path checked against key, section and user: OSS's
 * UploadId into c->oss_id.
 */
static enum oerr
s3_upload(struct s3ctx *c, const struct route_pick *p, const char *query,
    unsigned int want, struct oerr_detail *d)
{
	struct s3id_bind b;
	char id[S3ID_LEN + 1];
	enum oerr e;

	if ((e = s3req_query(query, S3REQ_M(S3REQ_KEY) | want, &c->q, d)) !=
	    OERR_OK)
		return e;
	if (!c->q.has_key)
		return oerr_set(d, OERR_BAD_REQUEST, "the object key must be "
		    "passed as the query parameter key");
	if (p->nargs < 1 || p->args[0].len > S3ID_LEN)
		return oerr_set(d, OERR_BAD_REQUEST, "not an upload id");
	memcpy(id, p->args[0].p, p->args[0].len);
	id[p->args[0].len] = '\0';
	if ((e = s3_secret(c, d)) != OERR_OK)
		return e;
	s3_bind(c, c->q.key, &b);
	switch (s3id_open(c->secret, c->secretlen, &b, id, c->oss_id)) {
	case S3ID_OK:
		return OERR_OK;
	case S3ID_MALFORMED:
		return oerr_set(d, OERR_BAD_REQUEST, "not an upload id ossign "
		    "issued");
	case S3ID_FOREIGN:
	default:
		olog_warn("upload %s: an upload id used with another key, "
		    "user or section", c->up->name);
		return oerr_set(d, OERR_UPLOAD_FORBIDDEN, NULL);
	}
}

/*
 * A JSON body: Content-Type application/json, which no HTML form can send,
 * so another site's page cannot start or finish an upload with the
 * browser's cookies without a CORS preflight.
 */
static enum oerr
s3_json_body(const struct request *req, struct oerr_detail *d)
{
	if (!batch_is_json(req->content_type))
		return oerr_set(d, OERR_BAD_REQUEST, "the body must be JSON "
		    "(Content-Type: application/json)");
	return OERR_OK;
}

/* The answer: w's text as a 200 JSON body. */
static void
s3_answer(struct jsonw *w, struct reply *rep, struct oerr_detail *d)
{
	char *json;
	size_t len;

	if ((json = jsonw_finish(w, &len)) == NULL) {
		oerr_set(d, OERR_INTERNAL, "out of memory");
		return;
	}
	d->err = OERR_OK;
	reply_ok(rep, json, len);
}

/* ---- GET s3/params ------------------------------------------------------ */

void
route_s3_params(struct responder *r, const struct request *req,
    const struct route_pick *p, struct reply *rep, struct oerr_detail *d)
{
	struct s3ctx c;
	struct signer_req sr;
	unsigned char rnd[16];
	char uuid[CRYPTO_UUID_LEN + 1], *json = NULL;
	size_t len = 0;

	if (s3_begin(r, req, p, rep, &c, d) != OERR_OK ||
	    s3req_query(req->query, S3REQ_M(S3REQ_FILENAME) |
	    S3REQ_M(S3REQ_TYPE), &c.q, d) != OERR_OK)
		return;
	if (!c.q.params.has_filename) {
		oerr_set(d, OERR_BAD_REQUEST, "the parameter filename is "
		    "required (Uppy sends the key it gets in fields.key)");
		return;
	}
	/* Uppy sends exactly the fields: a type the policy needs must come. */
	if (c.up->ncontent_types > 0 && !c.q.params.has_ctype) {
		oerr_set(d, OERR_TYPE_NOT_ALLOWED, "the parameter type is "
		    "required: the upload %s takes only some types",
		    c.up->name);
		return;
	}
	c.q.params.has_upload = 1;
	memcpy(c.q.params.upload, c.up->name, strlen(c.up->name) + 1);
	if (crypto_random(rnd, sizeof(rnd)) == -1) {
		oerr_set(d, OERR_INTERNAL, NULL);
		olog_err("no random bytes");
		return;
	}
	crypto_uuid_format(rnd, uuid);
	c.now = time(NULL);
	if (signer_prepare(c.conf, &c.q.params, c.user.name, c.now, uuid, &sr,
	    d) != OERR_OK || s3_creds(&c, d) != OERR_OK ||
	    signer_sign_post(c.conf, &sr, c.creds, c.now, &json, &len, d) !=
	    OERR_OK)
		return;
	d->err = OERR_OK;
	reply_ok(rep, json, len);
}

/* ---- OSS calls ---------------------------------------------------------- */

struct s3_initiate {
	const char			*key;
	struct ossapi_initiate_opts	 o;
	struct ossxml_initiate		 out;
};

struct s3_iarg {
	struct s3_initiate	*in;
	const struct osscall	*oc;
};

static int
s3_initiate_build(void *arg, time_t now, struct ossapi_request *out,
    struct oerr_detail *d)
{
	struct s3_iarg *a = arg;

	return ossapi_initiate(a->oc->target, a->oc->creds, now, a->in->key,
	    &a->in->o, out, d);
}

static enum ossapi_result
s3_initiate_parse(void *arg, const struct ossapi_answer *ans,
    struct ossapi_error *e)
{
	struct s3_iarg *a = arg;

	return ossapi_parse_initiate(ans, a->in->key, &a->in->out, e);
}

/* One upload's call: ListParts (a page), Complete or Abort. */
struct s3_call {
	const char			*key;
	const char			*upload_id;
	int				 marker;	/* ListParts */
	struct ossxml_parts		 page;
	struct ossapi_complete_opts	 co;		/* Complete */
	int				 with_callback;
	struct ossxml_complete		 done;
	char				*cb_body;	/* the callback's answer */
	size_t				 cb_len;
};

struct s3_arg {
	struct s3_call		*call;
	const struct osscall	*oc;
};

static int
s3_list_build(void *arg, time_t now, struct ossapi_request *out,
    struct oerr_detail *d)
{
	struct s3_arg *a = arg;

	return ossapi_list_parts(a->oc->target, a->oc->creds, now,
	    a->call->key, a->call->upload_id, a->call->marker,
	    LIMIT_OSS_LIST_PAGE, out, d);
}

static enum ossapi_result
s3_list_parse(void *arg, const struct ossapi_answer *ans,
    struct ossapi_error *e)
{
	struct s3_arg *a = arg;

	return ossapi_parse_list_parts(ans, a->call->marker, &a->call->page,
	    e);
}

static int
s3_complete_build(void *arg, time_t now, struct ossapi_request *out,
    struct oerr_detail *d)
{
	struct s3_arg *a = arg;

	return ossapi_complete(a->oc->target, a->oc->creds, now, a->call->key,
	    a->call->upload_id, &a->call->co, out, d);
}

static enum ossapi_result
s3_complete_parse(void *arg, const struct ossapi_answer *ans,
    struct ossapi_error *e)
{
	struct s3_arg *a = arg;
	struct ossapi_completed done;
	enum ossapi_result res;

	if ((res = ossapi_parse_complete(ans, a->call->with_callback, &done,
	    e)) != OSSAPI_OK)
		return res;
	if (!a->call->with_callback) {
		a->call->done = done.xml;
		return OSSAPI_OK;
	}
	/* The answer's bytes go with the try: keep a copy. */
	free(a->call->cb_body);
	if ((a->call->cb_body = malloc(done.callback_len + 1)) == NULL)
		return OSSAPI_GARBAGE;
	memcpy(a->call->cb_body, done.callback_body, done.callback_len);
	a->call->cb_body[done.callback_len] = '\0';
	a->call->cb_len = done.callback_len;
	return OSSAPI_OK;
}

static int
s3_abort_build(void *arg, time_t now, struct ossapi_request *out,
    struct oerr_detail *d)
{
	struct s3_arg *a = arg;

	return ossapi_abort(a->oc->target, a->oc->creds, now, a->call->key,
	    a->call->upload_id, out, d);
}

static enum ossapi_result
s3_abort_parse(void *arg, const struct ossapi_answer *ans,
    struct ossapi_error *e)
{
	(void)arg;
	return ossapi_parse_abort(ans, e);
}

static void
s3_osscall(const struct s3ctx *c, struct osscall *oc)
{
	oc->conf = c->conf;
	oc->target = &c->target;
	oc->creds = c->creds;
	oc->now = c->now;
}

/*
 * Every part OSS holds for the upload (ListParts, page after page) into
 * *parts (new, *n entries, ascending; free it).  0, or -1 with d filled.
 */
static int
s3_list_all(const struct s3ctx *c, struct ossxml_part **parts, size_t *n,
    struct oerr_detail *d)
{
	struct osscall oc;
	struct s3_call call;
	struct s3_arg a = { &call, &oc };
	struct ossxml_part *all = NULL, *grown;
	size_t count = 0;
	int pages;

	*parts = NULL;
	*n = 0;
	s3_osscall(c, &oc);
	memset(&call, 0, sizeof(call));
	call.key = c->q.key;
	call.upload_id = c->oss_id;
	/* Each page starts past the last (ossapi checks): at most 11. */
	for (pages = 0; pages <= LIMIT_OSS_PART_NUMBER / LIMIT_OSS_LIST_PAGE;
	    pages++) {
		if (osscall_run(&oc, OSSAPI_LIST_PARTS, s3_list_build,
		    s3_list_parse, &a, d) == -1)
			goto fail;
		if (count + call.page.n > LIMIT_OSS_PART_NUMBER) {
			oerr_set(d, OERR_OSS_REFUSED, "OSS listed more parts "
			    "than an upload has");
			goto fail;
		}
		if (call.page.n > 0) {
			if ((grown = reallocarray(all, count + call.page.n,
			    sizeof(*all))) == NULL) {
				oerr_set(d, OERR_INTERNAL, "out of memory");
				goto fail;
			}
			all = grown;
			memcpy(all + count, call.page.parts, call.page.n *
			    sizeof(*all));
			count += call.page.n;
		}
		if (!call.page.truncated) {
			ossxml_parts_clear(&call.page);
			*parts = all;
			*n = count;
			return 0;
		}
		call.marker = call.page.next_marker;
		ossxml_parts_clear(&call.page);
	}
	oerr_set(d, OERR_OSS_REFUSED, "OSS's ListParts pages did not end");
fail:
	ossxml_parts_clear(&call.page);
	free(all);
	return -1;
}

/* AbortMultipartUpload; 0, or -1 with d filled. */
static int
s3_abort_call(const struct s3ctx *c, struct oerr_detail *d)
{
	struct osscall oc;
	struct s3_call call;
	struct s3_arg a = { &call, &oc };

	s3_osscall(c, &oc);
	memset(&call, 0, sizeof(call));
	call.key = c->q.key;
	call.upload_id = c->oss_id;
	return osscall_run(&oc, OSSAPI_ABORT, s3_abort_build, s3_abort_parse,
	    &a, d);
}

/* ---- POST s3/multipart -------------------------------------------------- */

/* The headers the section pins on the object (Initiate takes them). */
static size_t
s3_pinned_headers(const struct conf_upload *up, struct osssig_header *h,
    size_t max)
{
	size_t n = 0, i;

	if (up->cache_control != NULL && n < max)
		h[n++] = (struct osssig_header){ "Cache-Control",
		    up->cache_control };
	if (up->content_disposition != NULL && n < max)
		h[n++] = (struct osssig_header){ "Content-Disposition",
		    up->content_disposition };
	if (up->storage_class != NULL && n < max)
		h[n++] = (struct osssig_header){ "x-oss-storage-class",
		    up->storage_class };
	for (i = 0; i < up->nmeta && n < max; i++)
		h[n++] = (struct osssig_header){ up->meta[i].field,
		    up->meta[i].value };
	return n;
}

void
route_s3_create(struct responder *r, const struct request *req,
    const struct route_pick *p, struct reply *rep, struct oerr_detail *d)
{
	struct osssig_header h[3 + LIMIT_META];
	struct request_params params;
	struct s3_initiate in;
	struct signer_req sr;
	struct s3id_bind b;
	struct osscall oc;
	struct s3ctx c;
	struct jsonw w;
	struct s3_iarg arg = { &in, &oc };
	unsigned char rnd[16];
	char uuid[CRYPTO_UUID_LEN + 1], id[S3ID_LEN + 1];

	if (s3_begin(r, req, p, rep, &c, d) != OERR_OK ||
	    s3_json_body(req, d) != OERR_OK ||
	    s3req_create(req->body, req->bodylen, &params, d) != OERR_OK)
		return;
	if (c.up->ncontent_types > 0 && !params.has_ctype) {
		oerr_set(d, OERR_TYPE_NOT_ALLOWED, "a type is required: the "
		    "upload %s takes only some types", c.up->name);
		return;
	}
	params.has_upload = 1;
	memcpy(params.upload, c.up->name, strlen(c.up->name) + 1);
	if (crypto_random(rnd, sizeof(rnd)) == -1) {
		oerr_set(d, OERR_INTERNAL, NULL);
		olog_err("no random bytes");
		return;
	}
	crypto_uuid_format(rnd, uuid);
	/* The key exactly as a form upload's, the type checked the same. */
	if (signer_prepare(c.conf, &params, c.user.name, time(NULL), uuid,
	    &sr, d) != OERR_OK || s3_secret(&c, d) != OERR_OK ||
	    s3_creds(&c, d) != OERR_OK)
		return;
	memset(&in, 0, sizeof(in));
	in.key = sr.key;
	in.o.content_type = sr.ctype[0] != '\0' ? sr.ctype :
	    "application/octet-stream";
	in.o.forbid_overwrite = c.up->forbid_overwrite;
	in.o.headers = h;
	in.o.nheaders = s3_pinned_headers(c.up, h, sizeof(h) / sizeof(h[0]));
	s3_osscall(&c, &oc);
	if (osscall_run(&oc, OSSAPI_INITIATE, s3_initiate_build,
	    s3_initiate_parse, &arg, d) == -1)
		return;
	s3_bind(&c, sr.key, &b);
	if (s3id_make(c.secret, c.secretlen, &b, in.out.upload_id, id) == -1) {
		oerr_set(d, OERR_INTERNAL, "the upload id cannot be bound");
		return;
	}
	jsonw_init(&w, 256 + strlen(sr.key));
	jsonw_open(&w, '{');
	jsonw_kv(&w, "key", sr.key);
	jsonw_kv(&w, "uploadId", id);
	jsonw_close(&w, '}');
	s3_answer(&w, rep, d);
}

/* ---- GET s3/multipart/ID/N and .../ID/batch ----------------------------- */

/*
 * Part n within what the section's max_size allows (checked before the
 * credentials are fetched); OERR_OK or d filled.
 */
static enum oerr
s3_part_check(const struct s3ctx *c, int n, struct oerr_detail *d)
{
	int max = route_s3_max_part(c->up);

	if (n > max)
		return oerr_set(d, OERR_BAD_REQUEST, "part numbers of the "
		    "upload %s are 1 to %d (max_size %lld in parts of at least "
		    "%lld bytes)", c->up->name, max, c->up->max_size,
		    LIMIT_UPPY_PART_MIN);
	return OERR_OK;
}

/* A presigned UploadPart URL for part n (new; crypto_free_secret). */
static char *
s3_part_url(const struct s3ctx *c, int n, struct oerr_detail *d)
{
	return ossapi_presign_part(&c->target, c->creds, c->now, c->q.key,
	    c->oss_id, n, (long)c->conf->policy_ttl, NULL, d);
}

void
route_s3_part(struct responder *r, const struct request *req,
    const struct route_pick *p, struct reply *rep, struct oerr_detail *d)
{
	struct s3ctx c;
	struct jsonw w;
	char *url;
	int n;

	if (s3_begin(r, req, p, rep, &c, d) != OERR_OK ||
	    s3_upload(&c, p, req->query, 0, d) != OERR_OK)
		return;
	if (p->nargs < 2 ||
	    (n = s3req_part_number(p->args[1].p, p->args[1].len)) == -1) {
		oerr_set(d, OERR_BAD_REQUEST, "the part number must be 1 to "
		    "%d", LIMIT_OSS_PART_NUMBER);
		return;
	}
	if (s3_part_check(&c, n, d) != OERR_OK || s3_creds(&c, d) != OERR_OK ||
	    (url = s3_part_url(&c, n, d)) == NULL)
		return;
	jsonw_init(&w, strlen(url) * 2 + 32);
	jsonw_open(&w, '{');
	jsonw_kv(&w, "url", url);
	jsonw_close(&w, '}');
	crypto_free_secret(url);
	s3_answer(&w, rep, d);
}

void
route_s3_batch(struct responder *r, const struct request *req,
    const struct route_pick *p, struct reply *rep, struct oerr_detail *d)
{
	struct s3ctx c;
	struct jsonw w;
	char num[16], *url;
	size_t i;

	if (s3_begin(r, req, p, rep, &c, d) != OERR_OK ||
	    s3_upload(&c, p, req->query, S3REQ_M(S3REQ_PART_NUMBERS), d) !=
	    OERR_OK)
		return;
	if (!c.q.has_parts) {
		oerr_set(d, OERR_BAD_REQUEST, "the part numbers must be passed "
		    "as partNumbers=1,2,3");
		return;
	}
	for (i = 0; i < c.q.nparts; i++)
		if (s3_part_check(&c, c.q.parts[i], d) != OERR_OK)
			return;
	if (s3_creds(&c, d) != OERR_OK)
		return;
	jsonw_init(&w, 1024 * c.q.nparts);
	jsonw_open(&w, '{');
	jsonw_key(&w, "presignedUrls");
	jsonw_open(&w, '{');
	for (i = 0; i < c.q.nparts; i++) {
		if ((url = s3_part_url(&c, c.q.parts[i], d)) == NULL) {
			jsonw_free(&w);
			return;
		}
		snprintf(num, sizeof(num), "%d", c.q.parts[i]);
		jsonw_kv(&w, num, url);
		crypto_free_secret(url);
	}
	jsonw_close(&w, '}');
	jsonw_close(&w, '}');
	s3_answer(&w, rep, d);
}

/* ---- GET and DELETE s3/multipart/ID ------------------------------------ */

void
route_s3_list(struct responder *r, const struct request *req,
    const struct route_pick *p, struct reply *rep, struct oerr_detail *d)
{
	struct ossxml_part *parts;
	struct s3ctx c;
	struct jsonw w;
	size_t n, i;

	if (s3_begin(r, req, p, rep, &c, d) != OERR_OK ||
	    s3_upload(&c, p, req->query, 0, d) != OERR_OK ||
	    s3_creds(&c, d) != OERR_OK || s3_list_all(&c, &parts, &n, d) == -1)
		return;
	jsonw_init(&w, 64 + 96 * n);
	jsonw_open(&w, '[');
	for (i = 0; i < n; i++) {
		jsonw_open(&w, '{');
		jsonw_key(&w, "PartNumber");
		jsonw_int(&w, parts[i].number);
		jsonw_kv(&w, "ETag", parts[i].etag);
		jsonw_key(&w, "Size");
		jsonw_int(&w, parts[i].size);
		jsonw_close(&w, '}');
	}
	jsonw_close(&w, ']');
	free(parts);
	s3_answer(&w, rep, d);
}

void
route_s3_abort(struct responder *r, const struct request *req,
    const struct route_pick *p, struct reply *rep, struct oerr_detail *d)
{
	struct s3ctx c;
	char *json;

	if (s3_begin(r, req, p, rep, &c, d) != OERR_OK ||
	    s3_upload(&c, p, req->query, 0, d) != OERR_OK ||
	    s3_creds(&c, d) != OERR_OK || s3_abort_call(&c, d) == -1)
		return;
	if ((json = strdup("{}")) == NULL) {
		oerr_set(d, OERR_INTERNAL, "out of memory");
		return;
	}
	d->err = OERR_OK;
	reply_ok(rep, json, 2);
}

/* ---- POST s3/multipart/ID/complete -------------------------------------- */

/* The section's callback settings (callback_url, issue 10), or NULL. */
static const struct callback_settings *
s3_callback_settings(const struct conf_upload *up)
{
	return up->callback.url != NULL ? &up->callback : NULL;
}

/*
 * The browser's list against OSS's: the same part numbers, each with
 * OSS's ETag (quotes aside).  1 when they match.
 */
static int
s3_parts_match(const struct ossxml_part *want, size_t nwant,
    const struct ossxml_part *have, size_t nhave, char *why, size_t whylen)
{
	char etag[LIMIT_OSS_ETAG + 1];
	size_t i;

	if (nwant != nhave) {
		snprintf(why, whylen, "the upload has %zu parts on OSS, the "
		    "list names %zu", nhave, nwant);
		return 0;
	}
	for (i = 0; i < nwant; i++) {
		if (want[i].number != have[i].number) {
			snprintf(why, whylen, "part %d is not on OSS",
			    want[i].number < have[i].number ? want[i].number :
			    have[i].number);
			return 0;
		}
		if (s3req_etag(have[i].etag, etag) == -1 ||
		    strcmp(etag, want[i].etag) != 0) {
			snprintf(why, whylen, "part %d has another ETag on OSS",
			    want[i].number);
			return 0;
		}
	}
	return 1;
}

/* Abort a breach, and answer its error (already in d). */
static void
s3_abort_breach(const struct s3ctx *c, struct oerr_detail *d)
{
	struct oerr_detail ad;

	memset(&ad, 0, sizeof(ad));
	if (s3_abort_call(c, &ad) == -1)
		olog_err("upload %s: aborting a refused upload failed: %s",
		    c->up->name, ad.msg);
	else
		olog_info("upload %s: refused and aborted: %s", c->up->name,
		    d->msg);
}

/* The callback's two headers for the upload (new strings), or none. */
static int
s3_callback_headers(const struct s3ctx *c, char **cb, char **var,
    struct oerr_detail *d)
{
	const struct callback_settings *s = s3_callback_settings(c->up);
	struct callback_values v;
	struct callback_form *f;
	char err[LIMIT_ERRMSG];
	int rc;

	*cb = *var = NULL;
	if (s == NULL)
		return 0;
	v.bucket = c->conf->bucket;
	v.user = c->user.name;
	v.upload = c->up->name;
	v.key = c->q.key;
	v.prefix = 0;
	v.expiration = c->now + (time_t)c->conf->policy_ttl;
	if ((f = callback_form_new(s, &v, c->secret, c->secretlen, err,
	    sizeof(err))) == NULL) {
		olog_err("upload %s: the callback cannot be built: %s",
		    c->up->name, err);
		return oerr_set(d, OERR_INTERNAL, NULL), -1;
	}
	rc = s3callback_headers(f, cb, var);
	callback_form_free(f);
	if (rc == -1)
		oerr_set(d, OERR_INTERNAL, "out of memory");
	return rc;
}

/* The answer without a callback: OSS's location, else HOST/KEY. */
static void
s3_completed(const struct s3ctx *c, const struct ossxml_complete *done,
    struct reply *rep, struct oerr_detail *d)
{
	struct jsonw w;
	char *ekey = NULL, *loc = NULL;
	size_t n;

	if (done->location[0] == '\0') {
		if ((ekey = osssig_uri_encode(c->q.key, 1)) == NULL ||
		    (loc = malloc((n = strlen(c->conf->host) + strlen(ekey) +
		    2))) == NULL) {
			free(ekey);
			oerr_set(d, OERR_INTERNAL, "out of memory");
			return;
		}
		snprintf(loc, n, "%s/%s", c->conf->host, ekey);
		free(ekey);
	}
	jsonw_init(&w, 256 + 4 * strlen(c->q.key));
	jsonw_open(&w, '{');
	jsonw_kv(&w, "location", loc != NULL ? loc : done->location);
	jsonw_kv(&w, "key", c->q.key);
	jsonw_close(&w, '}');
	free(loc);
	s3_answer(&w, rep, d);
}

void
route_s3_complete(struct responder *r, const struct request *req,
    const struct route_pick *p, struct reply *rep, struct oerr_detail *d)
{
	struct ossxml_part *want = NULL, *have = NULL;
	struct osscall oc;
	struct s3_call call;
	struct s3_arg a = { &call, &oc };
	struct s3ctx c;
	json_object *j;
	char why[160], *cb = NULL, *var = NULL;
	long long total = 0;
	size_t nwant = 0, nhave = 0, i;

	memset(&call, 0, sizeof(call));
	if (s3_begin(r, req, p, rep, &c, d) != OERR_OK ||
	    s3_upload(&c, p, req->query, 0, d) != OERR_OK ||
	    s3_json_body(req, d) != OERR_OK ||
	    s3req_complete(req->body, req->bodylen, &want, &nwant, d) !=
	    OERR_OK || s3_creds(&c, d) != OERR_OK ||
	    s3_list_all(&c, &have, &nhave, d) == -1)
		goto out;
	/* What OSS holds decides: the browser's sizes are not asked. */
	for (i = 0; i < nhave; i++)
		total += have[i].size;
	if (total > c.up->max_size) {
		oerr_set(d, OERR_TOO_LARGE, "the parts add up to %lld bytes, "
		    "over %lld: the upload is aborted", total, c.up->max_size);
		s3_abort_breach(&c, d);
		goto out;
	}
	if (total < c.up->min_size) {
		oerr_set(d, OERR_TOO_SMALL, "the parts add up to %lld bytes, "
		    "under %lld: the upload is aborted", total,
		    c.up->min_size);
		s3_abort_breach(&c, d);
		goto out;
	}
	if (!s3_parts_match(want, nwant, have, nhave, why, sizeof(why))) {
		oerr_set(d, OERR_OSS_INVALID_PART, "the list of parts does not "
		    "match OSS's: %s (list them again: GET .../s3/multipart/ID)",
		    why);
		goto out;
	}
	if (s3_callback_headers(&c, &cb, &var, d) == -1)
		goto out;
	s3_osscall(&c, &oc);
	call.key = c.q.key;
	call.upload_id = c.oss_id;
	call.co.parts = have;		/* OSS's own ETags, quotes included */
	call.co.nparts = nhave;
	call.co.forbid_overwrite = c.up->forbid_overwrite;
	call.co.callback = cb;
	call.co.callback_var = var;
	call.with_callback = cb != NULL;
	if (osscall_run(&oc, OSSAPI_COMPLETE, s3_complete_build,
	    s3_complete_parse, &a, d) == -1)
		goto out;
	if (!call.with_callback) {
		s3_completed(&c, &call.done, rep, d);
		goto out;
	}
	/* OSS passes the application's answer on: JSON, as Uppy needs. */
	if ((j = jsonr_parse(call.cb_body, call.cb_len, 64, why,
	    sizeof(why))) == NULL) {
		oerr_set(d, OERR_OSS_CALLBACK_FAILED, "the object is stored "
		    "but the callback's answer is not JSON");
		goto out;
	}
	jsonr_free(j);
	d->err = OERR_OK;
	reply_ok(rep, call.cb_body, call.cb_len);
	call.cb_body = NULL;
out:
	free(call.cb_body);
	free(cb);
	free(var);
	free(want);
	free(have);
}
