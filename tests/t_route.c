/*
 * route: the dispatch table.  ossign's table (healthz and metrics by the
 * last segment, every other path signs with GET and batch-signs with a
 * JSON POST, OPTIONS is the preflight, the rest 405), then a table shaped like the
 * next issues' (healthz, metrics, the Companion S3 routes with captured
 * segments and a section name before "s3", the OSS callback and batch
 * signing as POST rows with conditions) through route_pick_in and
 * route_dispatch with handlers that only say who they are: groups, 405's
 * Allow, the preflight's methods and headers, the body rules, CORS, 404.
 */
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "limit.h"
#include "responder.h"
#include "route.h"
#include "routes.h"
#include "tap.h"

/* A handler that answers 200 with its row's name as the body. */
static void
h_name(struct responder *r, const struct request *req,
    const struct route_pick *p, struct reply *rep, struct oerr_detail *d)
{
	char *b = strdup(p->row->name);

	d->err = OERR_OK;
	reply_ok(rep, b, strlen(b));
}

static int
when_pub_key(const struct request *req)
{
	return req->oss_pub_key_url != NULL;
}

static int
when_json(const struct request *req)
{
	return req->content_type != NULL &&
	    strncmp(req->content_type, "application/json", 16) == 0;
}

#define GET	ROUTE_M(REQUEST_GET)
#define POST	ROUTE_M(REQUEST_POST)
#define DELETE	ROUTE_M(REQUEST_DELETE)

static const struct route next[] = {
	{ "healthz", ROUTE_TAIL, "healthz", GET, NULL, 0, NULL, h_name },
	{ "metrics", ROUTE_TAIL, "metrics", GET, NULL, 0, NULL, h_name },
	{ "s3-params", ROUTE_TAIL, "s3/params", GET, NULL, 0,
	    "content-type, accept", h_name },
	{ "s3-create", ROUTE_TAIL, "s3/multipart", POST, NULL, 65536,
	    "content-type, accept", h_name },
	{ "s3-batch", ROUTE_TAIL, "s3/multipart/*/batch", GET, NULL, 0,
	    "content-type, accept", h_name },
	{ "s3-complete", ROUTE_TAIL, "s3/multipart/*/complete", POST, NULL,
	    65536, "content-type, accept", h_name },
	{ "s3-part", ROUTE_TAIL, "s3/multipart/*/*", GET, NULL, 0,
	    "content-type, accept", h_name },
	{ "s3-upload", ROUTE_TAIL, "s3/multipart/*", GET | DELETE, NULL, 0,
	    "content-type, accept", h_name },
	{ "callback", ROUTE_ANY, NULL, POST, when_pub_key, 1048576, NULL,
	    h_name },
	{ "batch", ROUTE_ANY, NULL, POST, when_json, 65536, "Content-Type",
	    h_name },
	{ "sign", ROUTE_ANY, NULL, GET, NULL, 0, "Content-Type", h_name },
};
#define NNEXT	(sizeof(next) / sizeof(next[0]))

static const struct route overlap[] = {
	{ "batch", ROUTE_ANY, NULL, POST, when_json, 65536, "Content-Type",
	    h_name },
	{ "sign", ROUTE_ANY, NULL, GET, NULL, 0, "Authorization, content-type",
	    h_name },
};
#define NOVERLAP	(sizeof(overlap) / sizeof(overlap[0]))

static struct request req;
static struct route_pick pk;

/* Set up req for METHOD PATH and pick in tab (NULL: the real table). */
static const char *
pick(const struct route *tab, size_t n, enum request_method m,
    const char *path)
{
	memset(&req, 0, sizeof(req));
	req.method = m;
	snprintf(req.path, sizeof(req.path), "%s", path);
	if (tab == NULL)
		route_pick(routes, routes_len, &req, &pk);
	else
		route_pick(tab, n, &req, &pk);
	return pk.row != NULL ? pk.row->name : "-";
}

static int
seg_is(const struct route_seg *s, const char *want)
{
	return s->len == strlen(want) && memcmp(s->p, want, s->len) == 0;
}

int
main(void)
{
	struct responder r;
	struct reply rep;
	struct oerr_detail d;
	struct conf *c;
	char err[256];
	const char *text = "bucket = b12\nregion = cn-hangzhou\n"
	    "cors_origins = https://a.example\n";

	tap_plan(48);
	c = conf_parse(text, strlen(text), "t", err, sizeof(err));
	memset(&r, 0, sizeof(r));
	r.conf = c;

	/* ---- ossign's table ---- */
	is_str(pick(NULL, 0, REQUEST_GET, "/get_post_signature_for_oss_upload"),
	    "sign", "GET on the vendor's path signs");
	is_str(pick(NULL, 0, REQUEST_GET, "/x/healthz"), "healthz",
	    "GET .../healthz: the health route");
	is_str(pick(NULL, 0, REQUEST_GET, "/get_post_signature_for_oss_upload/"
	    "metrics"), "metrics", "GET .../metrics: the metrics route");
	is_str(pick(NULL, 0, REQUEST_GET, ""), "sign",
	    "no path at all signs");
	is_int((long long)route_body_max(&pk), 0, "GET takes no body");
	ok(strcmp(pick(NULL, 0, REQUEST_POST, "/s"), "-") == 0 &&
	    strcmp(pk.allow, "GET, POST, OPTIONS") == 0, "today: POST without "
	    "x-oss-pub-key-url has no row, Allow: GET, POST, OPTIONS");
	/* Issue 10: the callback row. */
	memset(&req, 0, sizeof(req));
	req.method = REQUEST_POST;
	req.oss_pub_key_url = "aHR0cHM6Ly9h";
	route_pick(routes, routes_len, &req, &pk);
	ok(pk.row != NULL && strcmp(pk.row->name, "callback") == 0 &&
	    route_body_max(&pk) == LIMIT_CB_BODY, "today: POST with "
	    "x-oss-pub-key-url is the callback, with a 64 KiB body");
	req.oss_pub_key_url = NULL;
	req.content_type = "application/json; charset=utf-8";
	route_pick(routes, routes_len, &req, &pk);
	ok(pk.row != NULL && strcmp(pk.row->name, "batch") == 0 &&
	    route_body_max(&pk) == LIMIT_BATCH_BODY, "POST with JSON: batch "
	    "signing, a body of up to 64 KiB");
	ok(strcmp(pick(NULL, 0, REQUEST_HEAD, "/s"), "-") == 0 &&
	    pk.group != NULL, "HEAD has no row (405)");
	ok(strcmp(pick(NULL, 0, REQUEST_OPTIONS, "/s"), "-") == 0 &&
	    strcmp(pk.headers, "Authorization, Content-Type") == 0,
	    "today: OPTIONS is the preflight, allowing Authorization "
	    "(a Bearer token) and Content-Type");
	pick(NULL, 0, REQUEST_NONE, "/s");
	ok(pk.group == NULL && pk.row == NULL, "no REQUEST_METHOD, no "
	    "group");

	/* ---- dispatch with ossign's table ---- */
	reply_init(&rep);
	pick(NULL, 0, REQUEST_PUT, "/s");
	req.origin = "https://a.example";
	route_dispatch(&r, r.conf, &pk, &req, &rep, &d);
	ok(rep.status == 405 && d.err == OERR_METHOD_NOT_ALLOWED &&
	    strstr(rep.hdr, "Allow: GET, POST, OPTIONS\r\n") != NULL &&
	    strstr(rep.hdr, "Access-Control-Allow-Origin: https://a.example")
	    != NULL, "PUT: 405 with Allow: GET, POST, OPTIONS and CORS");
	is_str(d.msg, "only GET, POST, OPTIONS are allowed here", "its "
	    "message names them");
	reply_clear(&rep);
	pick(NULL, 0, REQUEST_POST, "/x/healthz");
	route_dispatch(&r, r.conf, &pk, &req, &rep, &d);
	ok(rep.status == 405 && strstr(rep.hdr, "Allow: GET, OPTIONS\r\n") !=
	    NULL, "POST on healthz: 405, Allow: GET, OPTIONS");
	reply_clear(&rep);
	pick(NULL, 0, REQUEST_OPTIONS, "/s");
	req.origin = "https://a.example";
	route_dispatch(&r, r.conf, &pk, &req, &rep, &d);
	ok(rep.status == 204 && d.err == OERR_OK && strstr(rep.hdr,
	    "Access-Control-Allow-Methods: GET, POST, OPTIONS\r\n") != NULL &&
	    strstr(rep.hdr, "Access-Control-Allow-Headers: Authorization, "
	    "Content-Type\r\n") != NULL,
	    "preflight: 204, GET, POST, OPTIONS (batch signing's POST with JSON), "
	    "Authorization, Content-Type");
	reply_clear(&rep);
	pick(NULL, 0, REQUEST_OPTIONS, "/s");
	req.origin = "https://evil.example";
	route_dispatch(&r, r.conf, &pk, &req, &rep, &d);
	ok(rep.status == 403 && d.err == OERR_ORIGIN_NOT_ALLOWED &&
	    strstr(rep.hdr, "Access-Control") == NULL,
	    "preflight from another origin: 403, no CORS");
	reply_clear(&rep);
	pick(NULL, 0, REQUEST_NONE, "/s");
	req.origin = "https://a.example";
	route_dispatch(&r, r.conf, &pk, &req, &rep, &d);
	ok(rep.status == 400 && strstr(d.msg, "REQUEST_METHOD") != NULL &&
	    rep.hdrlen == 0, "no REQUEST_METHOD: 400, no CORS");
	reply_clear(&rep);
	pick(NULL, 0, REQUEST_GET, "/s");
	req.content_length = "5";
	route_dispatch(&r, r.conf, &pk, &req, &rep, &d);
	is_str(d.msg, "a GET request carries no body", "GET with a body: 400, "
	    "as before");
	reply_clear(&rep);
	pick(NULL, 0, REQUEST_GET, "/s");
	req.content_length = "65537";
	route_dispatch(&r, r.conf, &pk, &req, &rep, &d);
	ok(rep.status == 413 && d.err == OERR_REQUEST_TOO_LARGE,
	    "GET with 64 KiB + 1 announced: 413");
	reply_clear(&rep);
	pick(NULL, 0, REQUEST_GET, "/s");
	req.content_length = "abc";
	route_dispatch(&r, r.conf, &pk, &req, &rep, &d);
	is_str(d.msg, "CONTENT_LENGTH is malformed", "malformed length: 400");
	reply_clear(&rep);

	/* ---- the next issues' shape ---- */
	is_str(pick(next, NNEXT, REQUEST_GET, "/ossign/healthz"), "healthz",
	    "healthz: the last segment");
	is_str(pick(next, NNEXT, REQUEST_GET, "/ossign/healthz/x"), "sign",
	    "healthz not last: signs");
	is_str(pick(next, NNEXT, REQUEST_GET, "/ossign/xhealthz"), "sign",
	    "xhealthz: segments match whole");
	is_str(pick(next, NNEXT, REQUEST_GET, "healthz"), "healthz",
	    "a path without '/'");
	ok(strcmp(pick(next, NNEXT, REQUEST_POST, "/o/metrics"), "-") == 0 &&
	    strcmp(pk.allow, "GET, OPTIONS") == 0,
	    "POST on metrics: 405, Allow: GET, OPTIONS");
	is_str(pick(next, NNEXT, REQUEST_GET, "/ossign/avatars/s3/params"),
	    "s3-params", "s3/params");
	ok(seg_is(&pk.before, "avatars") && pk.nargs == 0,
	    "s3/params: the segment before names the section");
	is_str(pick(next, NNEXT, REQUEST_GET, "/s3/params"), "s3-params",
	    "s3/params at the root");
	ok(pk.before.len == 0, "nothing before it");
	is_str(pick(next, NNEXT, REQUEST_POST, "/o/s3/multipart"), "s3-create",
	    "POST s3/multipart");
	is_int((long long)route_body_max(&pk), 65536, "takes a 64 KiB body");
	is_str(pick(next, NNEXT, REQUEST_GET, "/o/docs/s3/multipart/UP1/7"),
	    "s3-part", "s3/multipart/ID/N");
	ok(pk.nargs == 2 && seg_is(&pk.args[0], "UP1") &&
	    seg_is(&pk.args[1], "7") && seg_is(&pk.before, "docs"),
	    "captures ID and N, and the section");
	is_str(pick(next, NNEXT, REQUEST_GET, "/o/s3/multipart/UP1/batch"),
	    "s3-batch", "s3/multipart/ID/batch, before ID/N");
	is_str(pick(next, NNEXT, REQUEST_POST, "/o/s3/multipart/UP1/complete"),
	    "s3-complete", "POST s3/multipart/ID/complete");
	ok(strcmp(pick(next, NNEXT, REQUEST_GET,
	    "/o/s3/multipart/UP1/complete"), "-") == 0 &&
	    strcmp(pk.allow, "POST, OPTIONS") == 0 &&
	    strcmp(pk.headers, "content-type, accept") == 0,
	    "GET on complete: 405, Allow: POST, OPTIONS; its headers");
	is_str(pick(next, NNEXT, REQUEST_DELETE, "/o/s3/multipart/UP1"),
	    "s3-upload", "DELETE s3/multipart/ID");
	ok(strcmp(pk.allow, "GET, DELETE, OPTIONS") == 0 &&
	    seg_is(&pk.args[0], "UP1"), "its group: GET, DELETE, OPTIONS");
	is_str(pick(next, NNEXT, REQUEST_GET, "/o/s3/multipart//7"), "sign",
	    "an empty ID matches no '*'");

	pick(next, NNEXT, REQUEST_POST, "/ossign/callback");
	is_str(pk.row != NULL ? pk.row->name : "-", "-",
	    "POST without x-oss-pub-key-url or JSON: no row");
	ok(strcmp(pk.allow, "GET, POST, OPTIONS") == 0 &&
	    strcmp(pk.headers, "Content-Type") == 0,
	    "the catch-all group: GET, POST, OPTIONS");
	memset(&req, 0, sizeof(req));
	req.method = REQUEST_POST;
	req.oss_pub_key_url = "aHR0cHM6Ly9nb3NzcHVibGljLmFsaWNkbi5jb20v";
	req.content_type = "application/json";
	route_pick(next, NNEXT, &req, &pk);
	is_str(pk.row->name, "callback", "POST with x-oss-pub-key-url: the "
	    "callback, even with JSON");
	req.oss_pub_key_url = NULL;
	route_pick(next, NNEXT, &req, &pk);
	is_str(pk.row->name, "batch", "POST JSON: batch signing");

	/* ---- dispatch: bodies, 404 ---- */
	req.content_length = "70000";
	route_dispatch(&r, r.conf, &pk, &req, &rep, &d);
	ok(rep.status == 413 && strstr(d.msg, "65536") != NULL,
	    "batch: 70000 bytes announced, 413");
	reply_clear(&rep);
	req.content_length = "100";
	req.body = "{}";
	req.bodylen = 2;
	req.body_over = 1;
	route_dispatch(&r, r.conf, &pk, &req, &rep, &d);
	ok(rep.status == 413, "batch: more sent than the limit, 413");
	reply_clear(&rep);
	req.body_over = 0;
	route_dispatch(&r, r.conf, &pk, &req, &rep, &d);
	ok(rep.status == 200 && d.err == OERR_OK &&
	    strcmp(rep.body, "batch") == 0, "batch: the handler answers");
	reply_clear(&rep);
	pick(next, 2, REQUEST_GET, "/nothing/here");
	route_dispatch(&r, r.conf, &pk, &req, &rep, &d);
	ok(pk.group == NULL && rep.status == 404 && d.err == OERR_NOT_FOUND,
	    "a table without a catch-all: 404");
	reply_clear(&rep);
	pick(overlap, NOVERLAP, REQUEST_OPTIONS, "/s");
	is_str(pk.headers, "Content-Type, Authorization", "rows naming some "
	    "of the same headers: each header once, whatever its case");
	conf_free(c);
	return tap_done();
}
