/* The callback route; see route_callback.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "callback.h"
#include "cbdeliver.h"
#include "cbevent.h"
#include "cbkey.h"
#include "cbobject.h"
#include "cbverify.h"
#include "limit.h"
#include "metrics.h"
#include "olog.h"
#include "responder.h"
#include "route_callback.h"
#include "secret.h"
#include "util.h"

int
route_callback_when(const struct request *req)
{
	return req->oss_pub_key_url != NULL ||
	    (req->toolong & (1u << REQUEST_VAR_OSS_PUB_KEY_URL)) != 0;
}

/* Milliseconds left of the callback's time, from start. */
static long
route_callback_left(const struct timespec *start)
{
	return LIMIT_CB_DEADLINE_MS - (long)(util_us_since(start) / 1000);
}

/* min(want, what is left), at least 1 ms (http.h: 0 means none). */
static long
route_callback_budget(const struct timespec *start, long want)
{
	long left = route_callback_left(start);

	if (left < want)
		want = left;
	return want > 0 ? want : 1;
}

/*
 * A refusal: d filled and one log line with the reason (never the body).
 * 5xx are logged by the responder already.
 */
static void
route_callback_refuse(const struct request *req, struct oerr_detail *d,
    enum oerr e, const char *msg)
{
	if (msg != NULL)
		oerr_set(d, e, "%s", msg);
	else
		oerr_set(d, e, NULL);
	if (oerr_status(e) < 500)
		olog_warn("callback from %s refused: %d %s: %s",
		    req->remote_addr != NULL ? req->remote_addr : "?",
		    oerr_status(e), oerr_code(e), d->msg);
}

/* Steps 1-3: OSS sent it.  Returns 0, or -1 with d set. */
static int
route_callback_signed(struct responder *r, const struct request *req,
    const struct timespec *start, struct oerr_detail *d)
{
	const struct conf *conf = r->conf;
	const struct cbverify_key *key;
	struct cbverify_req cr;
	char url[LIMIT_URL_LEN + 1], msg[LIMIT_ERRMSG];
	enum cbverify_err ve;

	if (req->toolong & (1u << REQUEST_VAR_AUTHORIZATION |
	    1u << REQUEST_VAR_OSS_PUB_KEY_URL | 1u << REQUEST_VAR_PATH |
	    1u << REQUEST_VAR_REQUEST_URI)) {
		route_callback_refuse(req, d, OERR_CB_MALFORMED, "a header or "
		    "the path of the callback is too long");
		return -1;
	}
	ve = cbverify_key_url(req->oss_pub_key_url, conf->callback_key_urls,
	    conf->ncallback_key_urls, url, sizeof(url));
	if (ve == CBVERIFY_FOREIGN_KEY_URL) {
		snprintf(msg, sizeof(msg), "%s: %.120s",
		    cbverify_message(ve), url);
		route_callback_refuse(req, d, OERR_CB_KEY_URL, msg);
		return -1;
	}
	if (ve != CBVERIFY_OK) {
		route_callback_refuse(req, d, OERR_CB_MALFORMED,
		    cbverify_message(ve));
		return -1;
	}
	if (cbkey_get(r->cbkeys, url, route_callback_budget(start,
	    LIMIT_CB_KEY_FETCH_MS), &key, d) == -1)
		return -1;
	memset(&cr, 0, sizeof(cr));
	if (req->path_src == REQUEST_PATH_URI)
		cr.request_uri = req->request_uri;
	else {
		cr.script_name = req->path;
		cr.path_info = "";
	}
	cr.query_string = req->query;
	cr.pub_key_url = req->oss_pub_key_url;
	cr.authorization = req->authorization;
	cr.body = req->body != NULL ? req->body : "";
	cr.bodylen = req->bodylen;
	switch ((ve = cbverify_request_sig(&cr, key))) {
	case CBVERIFY_OK:
		return 0;
	case CBVERIFY_BAD_SIGNATURE:
		route_callback_refuse(req, d, OERR_CB_SIGNATURE, NULL);
		return -1;
	case CBVERIFY_INTERNAL:
		oerr_set(d, OERR_INTERNAL, "the signature cannot be checked");
		return -1;
	default:
		route_callback_refuse(req, d, OERR_CB_MALFORMED,
		    cbverify_message(ve));
		return -1;
	}
}

/* Step 8: spool, forward; the answer for OSS into rep. */
static void
route_callback_deliver(struct responder *r, const struct request *req,
    const struct conf_upload *up, const struct callback_event *ev,
    const struct callback_vars *vars, const unsigned char *secret,
    size_t secretlen, time_t now, const struct timespec *start,
    struct reply *rep, struct oerr_detail *d)
{
	const struct conf *conf = r->conf;
	const char *cache = conf->cache_dir;
	struct cbdeliver_forward f;
	char *json = NULL, *answer = NULL;
	size_t len = 0, alen = 0;

	if ((json = cbevent_json(ev, vars, conf->bucket, now,
	    up->callback_verify_object, &len)) == NULL) {
		oerr_set(d, OERR_INTERNAL, NULL);
		cbdeliver_unclaim(cache, ev->id);
		return;
	}
	if (up->callback_spool != NULL &&
	    cbdeliver_spool(up->callback_spool, ev->id, json, len) == -1) {
		oerr_set(d, OERR_INTERNAL, "the event cannot be spooled");
		cbdeliver_unclaim(cache, ev->id);
		goto out;
	}
	if (up->callback_forward != NULL) {
		memset(&f, 0, sizeof(f));
		f.url = up->callback_forward;
		f.secret = secret;
		f.secretlen = secretlen;
		f.ca_file = conf->ca_file;
		f.id = ev->id;
		f.json = json;
		f.len = len;
		f.now = now;
		f.timeout_ms = route_callback_budget(start,
		    up->callback_timeout * 1000);
		if (cbdeliver_forward(&f, &answer, &alen, d) != OERR_OK) {
			/* Spooled, it is delivered: the claim stays. */
			if (up->callback_spool == NULL)
				cbdeliver_unclaim(cache, ev->id);
			goto out;
		}
	} else if ((answer = cbevent_answer(ev, &alen)) == NULL) {
		oerr_set(d, OERR_INTERNAL, NULL);
		goto out;
	}
	olog_info("callback delivered: event %.16s, [upload %s]%s%s", ev->id,
	    up->name, up->callback_spool != NULL ? ", spooled" : "",
	    up->callback_forward != NULL ? ", forwarded" : "");
	d->err = OERR_OK;
	reply_ok(rep, answer, alen);
	answer = NULL;
out:
	free(answer);
	free(json);
}

static void
route_callback_run(struct responder *r, const struct request *req,
    struct reply *rep, struct oerr_detail *d)
{
	const struct conf *conf = r->conf;
	const struct conf_upload *up;
	const unsigned char *secret;
	struct callback_vars *vars = NULL;
	struct callback_event ev;
	struct timespec start;
	char msg[LIMIT_ERRMSG];
	size_t secretlen;
	enum callback_err ce;
	time_t now;
	int claimed;

	clock_gettime(CLOCK_MONOTONIC, &start);
	if (route_callback_signed(r, req, &start, d) == -1)
		return;
	/* OSS sent it; now is it one ossign asked for? */
	if ((ce = callback_body_parse(req->content_type, req->body,
	    req->bodylen, &vars)) != CALLBACK_OK) {
		route_callback_refuse(req, d, ce == CALLBACK_INTERNAL ?
		    OERR_INTERNAL : OERR_CB_MALFORMED,
		    callback_err_message(ce));
		return;
	}
	if (r->secret == NULL) {
		oerr_set(d, OERR_INTERNAL, "no server secret");
		goto out;
	}
	if (secret_get(r->secret, &secret, &secretlen, d) == -1)
		goto out;
	now = time(NULL);
	if ((ce = callback_ticket_check(vars, conf->bucket, secret, secretlen,
	    now, DEFAULT_CB_GRACE, &ev)) != CALLBACK_OK) {
		route_callback_refuse(req, d, ce == CALLBACK_INTERNAL ?
		    OERR_INTERNAL : OERR_CB_TICKET, callback_err_message(ce));
		goto out;
	}
	/* Signed by ossign once; the section may have changed since. */
	if ((up = conf_upload_find(conf, ev.upload)) == NULL ||
	    up->callback.url == NULL) {
		snprintf(msg, sizeof(msg), "the upload section %s asks for no "
		    "callbacks", ev.upload);
		route_callback_refuse(req, d, OERR_CB_TICKET, msg);
		goto out;
	}
	if (up->callback_verify_object && cbobject_check(conf, r->creds,
	    ev.object, vars, route_callback_budget(&start, LIMIT_CB_HEAD_MS),
	    d) != OERR_OK) {
		snprintf(msg, sizeof(msg), "%s", d->msg);
		route_callback_refuse(req, d, d->err, msg);
		goto out;
	}
	claimed = cbdeliver_claim(conf->cache_dir, ev.id, now);
	if (claimed == 1) {
		route_callback_refuse(req, d, OERR_CB_REPLAYED, NULL);
		goto out;
	}
	if (claimed == -1) {
		oerr_set(d, OERR_INTERNAL, "cache_dir cannot record the "
		    "delivery");
		goto out;
	}
	route_callback_deliver(r, req, up, &ev, vars, secret, secretlen, now,
	    &start, rep, d);
out:
	callback_vars_free(vars);
}

/* The metrics label of how a callback ended; -1: none (ossign's fault). */
static int
route_callback_result(enum oerr e)
{
	switch (e) {
	case OERR_OK:
		return METRICS_CALLBACK_DELIVERED;
	case OERR_CB_SIGNATURE:
		return METRICS_CALLBACK_BAD_SIGNATURE;
	case OERR_CB_KEY_URL:
	case OERR_CB_KEY_UNAVAILABLE:
		return METRICS_CALLBACK_BAD_KEY_URL;
	case OERR_CB_TICKET:
	case OERR_CB_OBJECT:
	case OERR_CB_REPLAYED:
		return METRICS_CALLBACK_BAD_TICKET;
	case OERR_CB_MALFORMED:
	case OERR_REQUEST_TOO_LARGE:
		return METRICS_CALLBACK_MALFORMED;
	case OERR_CB_FORWARD_FAILED:
	case OERR_CB_FORWARD_TIMEOUT:
		return METRICS_CALLBACK_FORWARD_FAILED;
	default:
		return -1;
	}
}

void
route_callback(struct responder *r, const struct request *req,
    const struct route_pick *p, struct reply *rep, struct oerr_detail *d)
{
	int m;

	(void)p;
	route_callback_run(r, req, rep, d);
	/* Callbacks by result, for every worker and CGI run (metrics.h). */
	if ((m = route_callback_result(d->err)) != -1)
		metrics_callback(r->metrics, (enum metrics_callback)m);
}
