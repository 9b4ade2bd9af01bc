/* Rendering answers; see reply.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "reply.h"
#include "util.h"

#ifndef JSON_C_TO_STRING_NOSLASHESCAPE
#define JSON_C_TO_STRING_NOSLASHESCAPE	(1 << 4)
#endif

void
reply_init(struct reply *r)
{
	memset(r, 0, sizeof(*r));
	r->status = 500;
	snprintf(r->reason, sizeof(r->reason), "%s",
	    oerr_reason(OERR_INTERNAL));
}

void
reply_clear(struct reply *r)
{
	free(r->body);
	reply_init(r);
}

/*
 * An Origin as browsers serialize it (RFC 6454): printable ASCII without
 * spaces.  With cors_origins = * it is echoed, so nothing else may pass.
 */
static int
reply_origin_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

int
reply_header(struct reply *r, const char *name, const char *value)
{
	int n;

	if (util_has_ctl(name) || util_has_ctl(value))
		return -1;
	n = snprintf(r->hdr + r->hdrlen, sizeof(r->hdr) - r->hdrlen,
	    "%s: %s\r\n", name, value);
	if (n < 0 || (size_t)n >= sizeof(r->hdr) - r->hdrlen) {
		r->hdr[r->hdrlen] = '\0';
		return -1;
	}
	r->hdrlen += (size_t)n;
	return 0;
}

void
reply_answer(struct reply *r, int status, const char *reason,
    const char *ctype, char *body, size_t len)
{
	free(r->body);
	r->status = status;
	snprintf(r->reason, sizeof(r->reason), "%s", reason);
	r->ctype = ctype;
	r->body = body;
	r->bodylen = len;
}

static void
reply_body(struct reply *r, int status, const char *reason, char *body,
    size_t len)
{
	reply_answer(r, status, reason, NULL, body, len);
}

void
reply_ok(struct reply *r, char *body, size_t len)
{
	reply_body(r, 200, "OK", body, len);
}

void
reply_empty(struct reply *r)
{
	reply_body(r, 204, "No Content", NULL, 0);
}

char *
reply_error_json(const struct oerr_detail *d, size_t *len)
{
	json_object *root = NULL, *err;
	const char *s;
	char *body = NULL;

	if ((root = json_object_new_object()) != NULL &&
	    (err = json_object_new_object()) != NULL) {
		json_object_object_add(root, "error", err);
		json_object_object_add(err, "code",
		    json_object_new_string(oerr_code(d->err)));
		json_object_object_add(err, "message",
		    json_object_new_string(d->msg[0] != '\0' ? d->msg :
		    oerr_message(d->err)));
		s = json_object_to_json_string_length(root,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
		    len);
		if (s != NULL)
			body = strndup(s, *len);
	}
	json_object_put(root);
	return body;
}

void
reply_error(struct reply *r, const struct oerr_detail *d)
{
	static const char fallback[] =
	    "{\"error\":{\"code\":\"internal_error\",\"message\":\"out of "
	    "memory\"}}";
	char *body;
	size_t len = 0;

	if ((body = reply_error_json(d, &len)) == NULL) {
		reply_body(r, 500, oerr_reason(OERR_INTERNAL), NULL, 0);
		if ((body = strdup(fallback)) != NULL)
			reply_body(r, 500, oerr_reason(OERR_INTERNAL), body,
			    strlen(body));
		return;
	}
	reply_body(r, oerr_status(d->err), oerr_reason(d->err), body, len);
}

/* CORS headers; methods NULL: not a preflight. */
static int
reply_cors_for(struct reply *r, const struct conf *conf,
    const struct request *req, const char *methods, const char *headers)
{
	if (req->origin == NULL || strlen(req->origin) > LIMIT_ORIGIN_LEN ||
	    !reply_origin_ok(req->origin) ||
	    !conf_origin_allowed(conf, req->origin))
		return 0;
	/* The exact origin, never "*": the answer depends on it. */
	if (reply_header(r, "Access-Control-Allow-Origin", req->origin) == -1)
		return 0;
	reply_header(r, "Vary", "Origin");
	if (methods != NULL) {
		reply_header(r, "Access-Control-Allow-Methods", methods);
		if (headers != NULL && *headers != '\0')
			reply_header(r, "Access-Control-Allow-Headers",
			    headers);
		reply_header(r, "Access-Control-Max-Age", "600");
	}
	return 1;
}

int
reply_cors(struct reply *r, const struct conf *conf,
    const struct request *req, int preflight)
{
	return reply_cors_for(r, conf, req, preflight ? "GET, OPTIONS" : NULL,
	    "Content-Type");
}

int
reply_preflight(struct reply *r, const struct conf *conf,
    const struct request *req, const char *methods, const char *headers)
{
	return reply_cors_for(r, conf, req, methods, headers);
}

size_t
reply_head(const struct reply *r, char *buf, size_t bufsz)
{
	int n;

	n = snprintf(buf, bufsz,
	    "Status: %d %s\r\n"
	    "%s%s%s%zu\r\n"
	    "Cache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "%s"
	    "\r\n",
	    r->status, r->reason,
	    r->body != NULL ? "Content-Type: " : "",
	    r->body != NULL ? (r->ctype != NULL ? r->ctype :
	    "application/json") : "",
	    r->body != NULL ? "\r\nContent-Length: " : "Content-Length: ",
	    r->bodylen, r->hdr);
	if (n < 0 || (size_t)n >= bufsz)
		return 0;
	return (size_t)n;
}
