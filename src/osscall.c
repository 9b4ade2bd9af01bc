/* ossign's calls to OSS through the outbound HTTP module; see osscall.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http.h"
#include "limit.h"
#include "olog.h"
#include "osscall.h"

static int osscall_http_ready;

/* One call's state, handed to http's hooks. */
struct osscall_state {
	const struct osscall	*c;
	enum ossapi_op		 op;
	osscall_build_fn	 build;
	osscall_parse_fn	 parse;
	void			*arg;
	time_t			 started;	/* time() when the call began */
	char			 what[48];	/* "OSS ListParts", for logs */
	/* each try (build) */
	struct ossapi_request	 req;
	struct http_header	 hdr[LIMIT_OSS_HEADERS + OSSSIG_MAX_ADD];
	struct oerr_detail	 build_err;
	int			 build_failed;
	/* the last answer (judge) */
	enum ossapi_result	 r;
	struct ossapi_error	 e;
	int			 answered;
};

/*
 * http's build hook: the request signed at the call's time moved on by
 * the time spent since (a retry's x-oss-date is its own).
 */
static int
osscall_build(void *arg, long try, struct http_request *hreq)
{
	struct osscall_state *s = arg;
	time_t now = s->c->now, t = time(NULL);
	size_t i;

	(void)try;
	if (t > s->started)
		now += t - s->started;
	ossapi_request_free(&s->req);
	if (s->build(s->arg, now, &s->req, &s->build_err) == -1) {
		s->build_failed = 1;
		return -1;
	}
	if (s->req.nheaders > sizeof(s->hdr) / sizeof(s->hdr[0])) {
		oerr_set(&s->build_err, OERR_INTERNAL, NULL);
		s->build_failed = 1;
		return -1;
	}
	for (i = 0; i < s->req.nheaders; i++)
		s->hdr[i] = (struct http_header){ s->req.headers[i].name,
		    s->req.headers[i].value };
	memset(hreq, 0, sizeof(*hreq));
	hreq->method = s->req.method;
	hreq->url = s->req.url;
	hreq->headers = s->hdr;
	hreq->nheaders = s->req.nheaders;
	/* POST without a body: an empty one (InitiateMultipartUpload). */
	hreq->body = s->req.body != NULL ? s->req.body : "";
	hreq->bodylen = s->req.body_len;
	if (strcmp(s->req.method, "POST") != 0 && s->req.body == NULL)
		hreq->body = NULL;
	return 0;
}

/* http's judge hook: the caller's parser says what the answer is. */
static enum http_verdict
osscall_judge(void *arg, const struct http_response *resp)
{
	struct osscall_state *s = arg;
	struct ossapi_answer a = { resp->status, resp->body, resp->len,
	    resp->headers[0][0] != '\0' ? resp->headers[0] : NULL };

	s->answered = 1;
	memset(&s->e, 0, sizeof(s->e));
	s->r = s->parse(s->arg, &a, &s->e);
	if (s->r == OSSAPI_OK)
		return HTTP_DONE;
	if (s->r != OSSAPI_RETRY)
		return HTTP_FAIL;
	olog_warn("%s: try %ld of %ld: HTTP %ld, Code %s, RequestId %s",
	    s->what, resp->try, resp->tries, resp->status,
	    s->e.x.code[0] != '\0' ? s->e.x.code : "none",
	    s->e.x.request_id[0] != '\0' ? s->e.x.request_id : "none");
	return HTTP_RETRY;
}

int
osscall_run(const struct osscall *c, enum ossapi_op op, osscall_build_fn build,
    osscall_parse_fn parse, void *arg, struct oerr_detail *d)
{
	struct osscall_state s;
	struct http_opts h;
	struct http_result res;
	const struct conf *conf = c->conf;
	const char *what;
	long timeout;
	int rc = -1;

	if ((int)op < 0 || op >= OSSAPI__MAX)
		return oerr_set(d, OERR_INTERNAL, NULL), -1;
	memset(&s, 0, sizeof(s));
	snprintf(s.what, sizeof(s.what), "OSS %s", ossapi_op_name(op));
	what = s.what;
	s.c = c;
	s.op = op;
	s.build = build;
	s.parse = parse;
	s.arg = arg;
	s.started = time(NULL);
	s.r = OSSAPI_GARBAGE;

	timeout = (long)conf->timeout;
	/* OSS joins the parts while the Complete request waits. */
	if (op == OSSAPI_COMPLETE && timeout < LIMIT_S3_COMPLETE_TIMEOUT)
		timeout = LIMIT_S3_COMPLETE_TIMEOUT;
	memset(&h, 0, sizeof(h));
	h.what = what;
	/* The host is the one the browsers post to: http only when it is. */
	h.allow_http = strncmp(c->target->host, "http://", 7) == 0;
	h.proxy = conf->proxy;
	h.ca_file = conf->ca_file;
	h.connect_timeout_ms = (long)conf->connect_timeout * 1000;
	h.timeout_ms = timeout * 1000;
	h.retries = (long)conf->retries;
	h.max_response = LIMIT_OSS_XML_SIZE;
	h.want[0] = "x-oss-request-id";
	h.build = osscall_build;
	h.judge = osscall_judge;
	h.arg = &s;

	/* Counted once for the process: libcurl stays loaded between calls. */
	if (!osscall_http_ready) {
		(void)http_init();
		osscall_http_ready = 1;
	}
	if (http_exchange(&h, &res) == 0) {
		rc = 0;
		goto out;
	}
	switch (res.err) {
	case HTTP_ERR_BUILD:
		if (s.build_failed)
			*d = s.build_err;
		else
			oerr_set(d, OERR_INTERNAL, NULL);
		olog_err("%s: the request cannot be built: %s", what, d->msg);
		break;
	case HTTP_ERR_LIBCURL:
	case HTTP_ERR_TRANSPORT:
		olog_err("%s failed after %ld %s: %s: %s", what, res.tries,
		    res.tries == 1 ? "try" : "tries", res.detail,
		    res.hint != NULL ? res.hint : "");
		oerr_set(d, OERR_OSS_UNAVAILABLE, "%s is unavailable: %s",
		    what, res.reason);
		break;
	default:
		ossapi_oerr(op, s.answered ? s.r : OSSAPI_GARBAGE, &s.e, d);
		olog_err("%s: %s", what, d->msg);
		break;
	}
out:
	http_result_clear(&res);
	ossapi_request_free(&s.req);
	return rc;
}
