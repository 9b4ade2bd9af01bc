/* The OSS multipart API: requests built and signed, answers read; see ossapi.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto.h"
#include "limit.h"
#include "oerr.h"
#include "ossapi.h"
#include "osssig.h"
#include "ossxml.h"
#include "util.h"

#define OSSAPI_OWN_HEADERS	4	/* Content-Type, forbid-overwrite,
					   two callback headers */

static const char *const ossapi_op_names[OSSAPI__MAX] = {
	[OSSAPI_INITIATE] = "InitiateMultipartUpload",
	[OSSAPI_LIST_PARTS] = "ListParts",
	[OSSAPI_COMPLETE] = "CompleteMultipartUpload",
	[OSSAPI_ABORT] = "AbortMultipartUpload",
};

/*
 * Headers a caller may not pass: ossign sets them itself, osssig adds
 * them, or the HTTP layer owns them.
 */
static const char *const ossapi_reserved[] = {
	"authorization", "content-type", "content-length", "content-md5",
	"host", "date", "expect", "transfer-encoding", "connection",
	"x-oss-date", "x-oss-content-sha256", "x-oss-security-token",
	"x-oss-forbid-overwrite", "x-oss-callback", "x-oss-callback-var",
};

/* A request taking shape: what osssig signs, and the body. */
struct ossapi_build {
	enum ossapi_op		 op;
	const char		*method;
	struct osssig_param	 p[4];
	size_t			 np;
	struct osssig_header	 h[LIMIT_OSS_HEADERS];
	size_t			 nh;
	char			*body;
	size_t			 body_len;
};

const char *
ossapi_op_name(enum ossapi_op op)
{
	return (int)op >= 0 && op < OSSAPI__MAX ? ossapi_op_names[op] : "OSS";
}

int
ossapi_upload_id_ok(const char *s)
{
	size_t n;

	if (s == NULL || (n = strlen(s)) == 0 || n > LIMIT_OSS_UPLOAD_ID)
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' ||
		    *s == '-'))
			return 0;
	return 1;
}

int
ossapi_key_ok(const char *key)
{
	size_t n;

	return key != NULL && (n = strlen(key)) > 0 && n <= LIMIT_KEY_LEN &&
	    key[0] != '/' && util_utf8_valid(key, n) && !util_has_ctl(key);
}

/* scheme://host[:port] and nothing more; a bucket name; a region. */
static int
ossapi_target_ok(const struct ossapi_target *t)
{
	const char *h, *s;
	size_t n;

	if (t == NULL || t->host == NULL || t->bucket == NULL ||
	    t->region == NULL || strlen(t->host) > LIMIT_URL_LEN)
		return 0;
	if (strncmp(t->host, "https://", 8) == 0)
		h = t->host + 8;
	else if (strncmp(t->host, "http://", 7) == 0)
		h = t->host + 7;
	else
		return 0;
	if (*h == '\0')
		return 0;
	for (s = h; *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || strchr(".-:[]", *s) != NULL))
			return 0;
	n = strlen(t->bucket);
	if (n < 3 || n > LIMIT_BUCKET_LEN)
		return 0;
	for (s = t->bucket; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '-'))
			return 0;
	return 1;
}

static int
ossapi_reserved_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(ossapi_reserved) / sizeof(ossapi_reserved[0]);
	    i++)
		if (strcasecmp(name, ossapi_reserved[i]) == 0)
			return 1;
	return 0;
}

/* Credentials that still work at now. */
static int
ossapi_creds_ok(const struct creds *c, time_t now, struct oerr_detail *d)
{
	if (c == NULL || c->access_key_id == NULL ||
	    c->access_key_secret == NULL) {
		oerr_set(d, OERR_INTERNAL, "no credentials to sign with");
		return 0;
	}
	if (c->expiration != 0 && c->expiration <= now) {
		oerr_set(d, OERR_CREDS_UNAVAILABLE,
		    "the upload credentials have expired");
		return 0;
	}
	return 1;
}

void
ossapi_request_free(struct ossapi_request *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nheaders; i++) {
		crypto_free_secret(r->headers[i].name);
		crypto_free_secret(r->headers[i].value);
	}
	free(r->headers);
	free(r->url);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

/* HOST/KEY?query, the key UriEncoded with '/' kept; a new string or NULL. */
static char *
ossapi_url(const struct ossapi_target *t, const char *key, const char *query)
{
	char *ekey, *url = NULL;
	size_t n;

	if ((ekey = osssig_uri_encode(key, 1)) == NULL)
		return NULL;
	n = strlen(t->host) + 1 + strlen(ekey) + 1 + strlen(query) + 1;
	if ((url = malloc(n)) != NULL)
		snprintf(url, n, "%s/%s%s%s", t->host, ekey,
		    query[0] != '\0' ? "?" : "", query);
	free(ekey);
	return url;
}

/* Add a header to b; -1 when b is full. */
static int
ossapi_add(struct ossapi_build *b, const char *name, const char *value)
{
	if (b->nh >= LIMIT_OSS_HEADERS)
		return -1;
	b->h[b->nh++] = (struct osssig_header){ name, value };
	return 0;
}

/* Sign b at now and turn it into out; b's body passes to out. */
static int
ossapi_finish(const struct ossapi_target *t, const struct creds *c,
    time_t now, const char *key, struct ossapi_build *b,
    struct ossapi_request *out, struct oerr_detail *d)
{
	struct osssig_request r;
	struct osssig_auth auth;
	char *query = NULL;
	size_t i, n;

	memset(out, 0, sizeof(*out));
	memset(&auth, 0, sizeof(auth));
	if (!ossapi_target_ok(t)) {
		oerr_set(d, OERR_INTERNAL, "the OSS host, bucket or region "
		    "cannot be used");
		goto fail;
	}
	if (!ossapi_key_ok(key)) {
		oerr_set(d, OERR_INTERNAL, "the object key cannot be used");
		goto fail;
	}
	if (!ossapi_creds_ok(c, now, d))
		goto fail;
	r = (struct osssig_request){ b->method, t->bucket, key, b->p, b->np,
	    b->h, b->nh, NULL, 0 };
	if (osssig_sign_header(&r, c, t->region, now, &auth) == -1) {
		oerr_set(d, OERR_INTERNAL, "%s: the request cannot be signed "
		    "(a header or value OSS does not take?)",
		    ossapi_op_name(b->op));
		goto fail;
	}
	n = b->nh + auth.nadd;
	if ((query = osssig_query_string(b->p, b->np)) == NULL ||
	    (out->url = ossapi_url(t, key, query)) == NULL ||
	    (out->headers = calloc(n, sizeof(*out->headers))) == NULL)
		goto oom;
	for (i = 0; i < n; i++) {
		const struct osssig_header *h = i < b->nh ? &b->h[i] :
		    &auth.add[i - b->nh];

		if ((out->headers[i].name = strdup(h->name)) == NULL ||
		    (out->headers[i].value = strdup(h->value)) == NULL) {
			crypto_free_secret(out->headers[i].name);
			goto oom;
		}
		out->nheaders++;
	}
	out->op = b->op;
	out->method = b->method;
	out->body = b->body;
	out->body_len = b->body_len;
	b->body = NULL;
	free(query);
	osssig_auth_clear(&auth);
	return 0;
oom:
	oerr_set(d, OERR_INTERNAL, "out of memory");
fail:
	free(query);
	osssig_auth_clear(&auth);
	ossapi_request_free(out);
	free(b->body);
	b->body = NULL;
	return -1;
}

static int
ossapi_upload_id_check(const char *upload_id, struct oerr_detail *d)
{
	if (ossapi_upload_id_ok(upload_id))
		return 0;
	oerr_set(d, OERR_BAD_REQUEST, "not an upload id");
	return -1;
}

int
ossapi_initiate(const struct ossapi_target *t, const struct creds *c,
    time_t now, const char *key, const struct ossapi_initiate_opts *o,
    struct ossapi_request *out, struct oerr_detail *d)
{
	struct ossapi_build b;
	size_t i;

	memset(&b, 0, sizeof(b));
	memset(out, 0, sizeof(*out));
	b.op = OSSAPI_INITIATE;
	b.method = "POST";
	b.p[b.np++] = (struct osssig_param){ "uploads", NULL };
	if (o == NULL || o->content_type == NULL ||
	    o->content_type[0] == '\0' ||
	    strlen(o->content_type) > LIMIT_CTYPE_LEN ||
	    o->nheaders > LIMIT_OSS_HEADERS - OSSAPI_OWN_HEADERS ||
	    (o->nheaders > 0 && o->headers == NULL)) {
		oerr_set(d, OERR_INTERNAL, "InitiateMultipartUpload: no content "
		    "type, or too many headers");
		return -1;
	}
	ossapi_add(&b, "Content-Type", o->content_type);
	if (o->forbid_overwrite)
		ossapi_add(&b, "x-oss-forbid-overwrite", "true");
	for (i = 0; i < o->nheaders; i++) {
		if (o->headers[i].name == NULL || o->headers[i].value == NULL ||
		    ossapi_reserved_name(o->headers[i].name)) {
			oerr_set(d, OERR_INTERNAL, "InitiateMultipartUpload: "
			    "header %zu may not be set by the caller", i);
			return -1;
		}
		ossapi_add(&b, o->headers[i].name, o->headers[i].value);
	}
	return ossapi_finish(t, c, now, key, &b, out, d);
}

int
ossapi_list_parts(const struct ossapi_target *t, const struct creds *c,
    time_t now, const char *key, const char *upload_id, int marker,
    int max_parts, struct ossapi_request *out, struct oerr_detail *d)
{
	struct ossapi_build b;
	char m[16], max[16];

	memset(&b, 0, sizeof(b));
	memset(out, 0, sizeof(*out));
	if (ossapi_upload_id_check(upload_id, d) == -1)
		return -1;
	if (marker < 0 || marker > LIMIT_OSS_PART_NUMBER || max_parts < 1 ||
	    max_parts > LIMIT_OSS_LIST_PAGE) {
		oerr_set(d, OERR_INTERNAL, "ListParts: marker or page size "
		    "out of range");
		return -1;
	}
	b.op = OSSAPI_LIST_PARTS;
	b.method = "GET";
	snprintf(max, sizeof(max), "%d", max_parts);
	b.p[b.np++] = (struct osssig_param){ "max-parts", max };
	if (marker > 0) {
		snprintf(m, sizeof(m), "%d", marker);
		b.p[b.np++] = (struct osssig_param){ "part-number-marker", m };
	}
	b.p[b.np++] = (struct osssig_param){ "uploadId", upload_id };
	return ossapi_finish(t, c, now, key, &b, out, d);
}

static int
ossapi_b64_ok(const char *s)
{
	size_t n;

	if (s == NULL || (n = strlen(s)) == 0 || n > LIMIT_OSS_CALLBACK ||
	    n % 4 != 0)
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '+' || *s == '/' ||
		    *s == '='))
			return 0;
	return 1;
}

int
ossapi_complete(const struct ossapi_target *t, const struct creds *c,
    time_t now, const char *key, const char *upload_id,
    const struct ossapi_complete_opts *o, struct ossapi_request *out,
    struct oerr_detail *d)
{
	struct ossapi_build b;

	memset(&b, 0, sizeof(b));
	memset(out, 0, sizeof(*out));
	if (ossapi_upload_id_check(upload_id, d) == -1)
		return -1;
	if (o == NULL ||
	    (o->callback != NULL && !ossapi_b64_ok(o->callback)) ||
	    (o->callback_var != NULL && !ossapi_b64_ok(o->callback_var)) ||
	    (o->callback_var != NULL && o->callback == NULL)) {
		oerr_set(d, OERR_INTERNAL, "CompleteMultipartUpload: the "
		    "callback is not base64");
		return -1;
	}
	if ((b.body = ossxml_complete_body(o->parts, o->nparts,
	    &b.body_len)) == NULL) {
		oerr_set(d, OERR_BAD_REQUEST, "the list of parts cannot be "
		    "completed (none, too many, a number twice or out of "
		    "range, or an ETag that is not one)");
		return -1;
	}
	b.op = OSSAPI_COMPLETE;
	b.method = "POST";
	b.p[b.np++] = (struct osssig_param){ "uploadId", upload_id };
	ossapi_add(&b, "Content-Type", "application/xml");
	if (o->forbid_overwrite)
		ossapi_add(&b, "x-oss-forbid-overwrite", "true");
	if (o->callback != NULL)
		ossapi_add(&b, "x-oss-callback", o->callback);
	if (o->callback_var != NULL)
		ossapi_add(&b, "x-oss-callback-var", o->callback_var);
	return ossapi_finish(t, c, now, key, &b, out, d);
}

int
ossapi_abort(const struct ossapi_target *t, const struct creds *c,
    time_t now, const char *key, const char *upload_id,
    struct ossapi_request *out, struct oerr_detail *d)
{
	struct ossapi_build b;

	memset(&b, 0, sizeof(b));
	memset(out, 0, sizeof(*out));
	if (ossapi_upload_id_check(upload_id, d) == -1)
		return -1;
	b.op = OSSAPI_ABORT;
	b.method = "DELETE";
	b.p[b.np++] = (struct osssig_param){ "uploadId", upload_id };
	return ossapi_finish(t, c, now, key, &b, out, d);
}

char *
ossapi_presign_part(const struct ossapi_target *t, const struct creds *c,
    time_t now, const char *key, const char *upload_id, int part, long ttl,
    time_t *expires_at, struct oerr_detail *d)
{
	struct osssig_param p[2];
	struct osssig_request r;
	char num[16], *query, *url;
	long expires = ttl;

	if (ossapi_upload_id_check(upload_id, d) == -1)
		return NULL;
	if (part < 1 || part > LIMIT_OSS_PART_NUMBER) {
		oerr_set(d, OERR_BAD_REQUEST, "part numbers are 1 to %d",
		    LIMIT_OSS_PART_NUMBER);
		return NULL;
	}
	if (!ossapi_target_ok(t) || !ossapi_key_ok(key) || ttl < 1) {
		oerr_set(d, OERR_INTERNAL, "UploadPart: the target, key or "
		    "lifetime cannot be used");
		return NULL;
	}
	if (!ossapi_creds_ok(c, now, d))
		return NULL;
	if (expires > LIMIT_PRESIGN_MAX)
		expires = LIMIT_PRESIGN_MAX;
	/* A URL signed with STS credentials dies with them. */
	if (c->expiration != 0 && expires > c->expiration - now)
		expires = (long)(c->expiration - now);
	if (expires < LIMIT_PRESIGN_MIN) {
		oerr_set(d, OERR_CREDS_UNAVAILABLE,
		    "the upload credentials expire too soon");
		return NULL;
	}
	snprintf(num, sizeof(num), "%d", part);
	p[0] = (struct osssig_param){ "partNumber", num };
	p[1] = (struct osssig_param){ "uploadId", upload_id };
	r = (struct osssig_request){ "PUT", t->bucket, key, p, 2, NULL, 0,
	    NULL, 0 };
	if ((query = osssig_presign(&r, c, t->region, now, expires)) == NULL) {
		oerr_set(d, OERR_INTERNAL, "UploadPart: the URL cannot be "
		    "signed");
		return NULL;
	}
	url = ossapi_url(t, key, query);
	crypto_free_secret(query);
	if (url == NULL) {
		oerr_set(d, OERR_INTERNAL, "out of memory");
		return NULL;
	}
	if (expires_at != NULL)
		*expires_at = now + expires;
	return url;
}

/* ---- answers ------------------------------------------------------------ */

/* OSS's codes for a try that may work again, whatever the status. */
static int
ossapi_transient(const char *code)
{
	return strcmp(code, "RequestTimeout") == 0 ||
	    strcmp(code, "InternalError") == 0 ||
	    strcmp(code, "ServiceUnavailable") == 0 ||
	    strcmp(code, "SlowDown") == 0 ||
	    strcmp(code, "RequestTimeTooSkewed") == 0;
}

/* e for answer a, with OSS's Error when the body is one. */
static void
ossapi_error_of(const struct ossapi_answer *a, struct ossapi_error *e)
{
	memset(e, 0, sizeof(*e));
	e->status = a->status;
	if (a->body == NULL ||
	    ossxml_parse_error(a->body, a->len, &e->x) == -1)
		memset(&e->x, 0, sizeof(e->x));
	if (e->x.request_id[0] == '\0' && a->request_id != NULL)
		ossxml_safe(e->x.request_id, sizeof(e->x.request_id),
		    a->request_id, 0);
}

/* The result of an answer whose status is not the one hoped for. */
static enum ossapi_result
ossapi_judge(const struct ossapi_answer *a, struct ossapi_error *e)
{
	ossapi_error_of(a, e);
	if (a->status >= 500 || a->status == 429 ||
	    (a->status >= 400 && ossapi_transient(e->x.code)))
		return OSSAPI_RETRY;
	if (a->status >= 400)
		return OSSAPI_REFUSED;
	return OSSAPI_GARBAGE;
}

static enum ossapi_result
ossapi_garbage(const struct ossapi_answer *a, struct ossapi_error *e)
{
	ossapi_error_of(a, e);
	return OSSAPI_GARBAGE;
}

enum ossapi_result
ossapi_parse_initiate(const struct ossapi_answer *a, const char *key,
    struct ossxml_initiate *out, struct ossapi_error *e)
{
	struct ossxml_initiate v;

	if (a->status != 200)
		return ossapi_judge(a, e);
	if (ossxml_parse_initiate(a->body, a->len, &v) == -1 ||
	    !ossapi_upload_id_ok(v.upload_id) ||
	    (v.key[0] != '\0' && (key == NULL || strcmp(v.key, key) != 0)))
		return ossapi_garbage(a, e);
	*out = v;
	return OSSAPI_OK;
}

enum ossapi_result
ossapi_parse_list_parts(const struct ossapi_answer *a, int marker,
    struct ossxml_parts *out, struct ossapi_error *e)
{
	struct ossxml_parts v;

	if (a->status != 200)
		return ossapi_judge(a, e);
	if (ossxml_parse_parts(a->body, a->len, &v) == -1)
		return ossapi_garbage(a, e);
	/* Parts ascend (ossxml): the first one tells for all. */
	if ((v.n > 0 && v.parts[0].number <= marker) ||
	    (v.truncated && (v.next_marker <= marker || (v.n > 0 &&
	    v.next_marker < v.parts[v.n - 1].number)))) {
		ossxml_parts_clear(&v);
		return ossapi_garbage(a, e);
	}
	*out = v;
	return OSSAPI_OK;
}

enum ossapi_result
ossapi_parse_complete(const struct ossapi_answer *a, int with_callback,
    struct ossapi_completed *out, struct ossapi_error *e)
{
	struct ossxml_complete v;

	if (with_callback && a->status == 203) {
		ossapi_error_of(a, e);
		return OSSAPI_CALLBACK_FAILED;
	}
	if (a->status != 200)
		return ossapi_judge(a, e);
	if (with_callback) {
		memset(out, 0, sizeof(*out));
		out->callback_body = a->body;
		out->callback_len = a->len;
		return OSSAPI_OK;
	}
	if (ossxml_parse_complete(a->body, a->len, &v) == -1)
		return ossapi_garbage(a, e);
	memset(out, 0, sizeof(*out));
	out->xml = v;
	return OSSAPI_OK;
}

enum ossapi_result
ossapi_parse_abort(const struct ossapi_answer *a, struct ossapi_error *e)
{
	if (a->status == 204 || a->status == 200)
		return OSSAPI_OK;
	return ossapi_judge(a, e);
}

/* s, or "none" when OSS left it out. */
static const char *
ossapi_or_none(const char *s)
{
	return s[0] != '\0' ? s : "none";
}

enum oerr
ossapi_oerr(enum ossapi_op op, enum ossapi_result r,
    const struct ossapi_error *e, struct oerr_detail *d)
{
	const char *code = e->x.code, *name = ossapi_op_name(op);
	const char *rid = ossapi_or_none(e->x.request_id);
	const char *ec = ossapi_or_none(e->x.ec);
	enum oerr err;

	switch (r) {
	case OSSAPI_OK:
		return oerr_set(d, OERR_OK, NULL);
	case OSSAPI_RETRY:
		return oerr_set(d, OERR_OSS_UNAVAILABLE, "OSS is unavailable "
		    "for %s: HTTP %ld %s (request id %s)", name, e->status,
		    code, rid);
	case OSSAPI_GARBAGE:
		return oerr_set(d, OERR_OSS_REFUSED, "OSS gave an answer to %s "
		    "that ossign cannot read (HTTP %ld, request id %s)", name,
		    e->status, rid);
	case OSSAPI_CALLBACK_FAILED:
		return oerr_set(d, OERR_OSS_CALLBACK_FAILED, "the object is "
		    "stored but OSS's callback failed: %s (EC %s, request id "
		    "%s): %s", code[0] != '\0' ? code : "CallbackFailed", ec, rid,
		    e->x.message);
	case OSSAPI_REFUSED:
	default:
		break;
	}
	if (strcmp(code, "InvalidPart") == 0 ||
	    strcmp(code, "InvalidPartOrder") == 0 ||
	    strcmp(code, "EntityTooSmall") == 0)
		err = OERR_OSS_INVALID_PART;
	else if (strcmp(code, "NoSuchUpload") == 0)
		err = OERR_OSS_NO_SUCH_UPLOAD;
	else if (strcmp(code, "FileAlreadyExists") == 0)
		err = OERR_OSS_EXISTS;
	else
		err = OERR_OSS_REFUSED;
	return oerr_set(d, err, "OSS refused %s: %s (HTTP %ld, EC %s, request "
	    "id %s): %s", name, code[0] != '\0' ? code : "no code", e->status,
	    ec, rid, e->x.message);
}
