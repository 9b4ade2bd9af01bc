/* Outbound HTTP through libcurl, loaded with dlopen; see http.h. */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "crypto.h"
#include "http.h"
#include "limit.h"
#include "olog.h"
#include "sbuf.h"

static int http_refs;
static int http_curl_ready;

/* The libcurl functions used; the library stays for the process's life. */
static struct {
	void		*lib;
	CURLcode	(*global_init)(long);
	void		(*global_cleanup)(void);
	CURL		*(*easy_init)(void);
	CURLcode	(*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode	(*easy_perform)(CURL *);
	CURLcode	(*easy_getinfo)(CURL *, CURLINFO, ...);
	void		(*easy_cleanup)(CURL *);
	const char	*(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void		(*slist_free_all)(struct curl_slist *);
} cu;

/*
 * Load libcurl; on failure put the reason in err.  A failure is not
 * remembered: once libcurl is installed, the next exchange finds it.
 */
static int
http_curl_load(char *err, size_t errlen)
{
	/* POSIX: dlsym's data pointer converts to a function pointer. */
	static const struct {
		const char	*name;
		void		**slot;
	} syms[] = {
		{ "curl_global_init", (void **)&cu.global_init },
		{ "curl_global_cleanup", (void **)&cu.global_cleanup },
		{ "curl_easy_init", (void **)&cu.easy_init },
		{ "curl_easy_setopt", (void **)&cu.easy_setopt },
		{ "curl_easy_perform", (void **)&cu.easy_perform },
		{ "curl_easy_getinfo", (void **)&cu.easy_getinfo },
		{ "curl_easy_cleanup", (void **)&cu.easy_cleanup },
		{ "curl_easy_strerror", (void **)&cu.easy_strerror },
		{ "curl_slist_append", (void **)&cu.slist_append },
		{ "curl_slist_free_all", (void **)&cu.slist_free_all },
	};
	const char *e;
	void *lib;
	size_t i;

	if (cu.lib != NULL)
		return 0;
	if ((lib = dlopen(OSSIGN_LIBCURL, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		e = dlerror();
		snprintf(err, errlen, "cannot load %s: %s", OSSIGN_LIBCURL,
		    e != NULL ? e : "dlopen failed");
		return -1;
	}
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++)
		if ((*syms[i].slot = dlsym(lib, syms[i].name)) == NULL) {
			snprintf(err, errlen, "%s has no %s", OSSIGN_LIBCURL,
			    syms[i].name);
			dlclose(lib);
			return -1;
		}
	cu.lib = lib;
	return 0;
}

int
http_init(void)
{
	http_refs++;
	return 0;
}

void
http_cleanup(void)
{
	if (http_refs > 0 && --http_refs == 0 && http_curl_ready) {
		cu.global_cleanup();
		http_curl_ready = 0;
	}
}

/* libcurl loaded and initialised, or res says why not. */
static int
http_ready(struct http_result *res)
{
	if (http_curl_ready)
		return 0;
	if (http_curl_load(res->reason, sizeof(res->reason)) == -1) {
		snprintf(res->detail, sizeof(res->detail), "%s", res->reason);
		res->hint = "install libcurl (Debian: libcurl4)";
		return -1;
	}
	if (cu.global_init(CURL_GLOBAL_DEFAULT) != 0) {
		snprintf(res->reason, sizeof(res->reason), "libcurl failed to "
		    "initialise");
		snprintf(res->detail, sizeof(res->detail), "%s", res->reason);
		res->hint = "reinstall libcurl (Debian: libcurl4)";
		return -1;
	}
	http_curl_ready = 1;
	return 0;
}

/* One try's state, handed to libcurl's callbacks. */
struct http_try {
	const struct http_opts	*o;
	struct http_result	*res;
	size_t			 cap;		/* body bytes accepted */
	int			 toolarge;
};

static size_t
http_write(char *p, size_t size, size_t n, void *arg)
{
	struct http_try *t = arg;
	size_t len = size * n;	/* size is 1: no overflow */

	if (t->res->body_.len + len > t->cap) {
		t->toolarge = 1;
		return 0;
	}
	sbuf_add(&t->res->body_, p, len);
	return t->res->body_.oom ? 0 : len;
}

/*
 * Keep the headers the caller wants.  A status line starts another
 * answer (an interim 1xx): what came before is forgotten.
 */
static size_t
http_header(char *p, size_t size, size_t n, void *arg)
{
	struct http_try *t = arg;
	char *v;
	size_t i, k, len;

	/* size is always 1 for headers. */
	if (n >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		for (k = 0; k < HTTP_WANT_MAX; k++)
			t->res->hval_[k][0] = '\0';
		return size * n;
	}
	for (k = 0; k < HTTP_WANT_MAX && t->o->want[k] != NULL; k++) {
		len = strlen(t->o->want[k]);
		if (n <= len || p[len] != ':' ||
		    strncasecmp(p, t->o->want[k], len) != 0)
			continue;
		for (i = len + 1; i < n && (p[i] == ' ' || p[i] == '\t'); i++)
			;
		v = t->res->hval_[k];
		for (len = 0; i < n && len < LIMIT_HTTP_HEADER_LEN &&
		    p[i] != '\r' && p[i] != '\n'; i++)
			v[len++] = p[i];
		while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
			len--;
		v[len] = '\0';
	}
	return size * n;
}

/* Wipe a header list before freeing it: it may carry a security token. */
static void
http_slist_free(struct curl_slist *l)
{
	struct curl_slist *p;

	if (l == NULL)
		return;
	for (p = l; p != NULL; p = p->next)
		if (p->data != NULL)
			crypto_wipe(p->data, strlen(p->data));
	cu.slist_free_all(l);
}

/* The request's headers as libcurl's list, or -1 (out of memory). */
static int
http_slist(const struct http_request *req, struct curl_slist **out)
{
	struct curl_slist *l = NULL, *n;
	struct sbuf b = { 0 };
	size_t i;

	for (i = 0; i < req->nheaders; i++) {
		sbuf_str(&b, req->headers[i].name);
		/* "Name:" with nothing after it: libcurl sends none. */
		sbuf_str(&b, req->headers[i].value[0] ? ": " : ":");
		sbuf_str(&b, req->headers[i].value);
		if (b.oom || (n = cu.slist_append(l, b.p)) == NULL) {
			sbuf_free(&b);
			http_slist_free(l);
			return -1;
		}
		l = n;
		sbuf_free(&b);
	}
	*out = l;
	return 0;
}

/* One try.  Returns 0 when an HTTP answer came, else -1 with *cc set. */
static int
http_do(const struct http_opts *o, const struct http_request *req,
    struct http_result *res, CURLcode *cc, char *errbuf)
{
	struct http_try t = { o, res, o->max_response, 0 };
	struct curl_slist *hdrs = NULL;
	CURL *c;
	size_t k;
	int body;

	if (t.cap == 0 || t.cap > LIMIT_HTTP_RESPONSE_MAX)
		t.cap = LIMIT_HTTP_RESPONSE_MAX;
	sbuf_free(&res->body_);
	for (k = 0; k < HTTP_WANT_MAX; k++)
		res->hval_[k][0] = '\0';
	res->resp.status = 0;
	errbuf[0] = '\0';
	if (http_slist(req, &hdrs) == -1 || (c = cu.easy_init()) == NULL) {
		http_slist_free(hdrs);
		*cc = CURLE_OUT_OF_MEMORY;
		return -1;
	}
	cu.easy_setopt(c, CURLOPT_URL, req->url);
	/* The library loaded may be older (< 7.85) than the headers. */
	if (cu.easy_setopt(c, CURLOPT_PROTOCOLS_STR,
	    o->allow_http ? "http,https" : "https") != CURLE_OK) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
		cu.easy_setopt(c, CURLOPT_PROTOCOLS, o->allow_http ?
		    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS) :
		    (long)CURLPROTO_HTTPS);
#pragma GCC diagnostic pop
	}
	cu.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	cu.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	cu.easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
	cu.easy_setopt(c, CURLOPT_TIMEOUT_MS, o->timeout_ms);
	/*
	 * Always set: otherwise libcurl takes http_proxy/HTTPS_PROXY from
	 * the environment, and a CGI's HTTP_PROXY comes from the client's
	 * "Proxy:" header (httpoxy).
	 */
	cu.easy_setopt(c, CURLOPT_PROXY, o->proxy != NULL ? o->proxy : "");
	cu.easy_setopt(c, CURLOPT_NOPROXY, "");	/* nor NO_PROXY */
	cu.easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	cu.easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->ca_file != NULL) {
		/*
		 * These CAs and no others: libcurl's built-in CA directory
		 * (Debian: /etc/ssl/certs) would be searched as well.
		 * XXX should a later libcurl read NULL as "the built-in
		 * default" (a discussion about CURLOPT_CAINFO in 8.21 says
		 * that one does), tests/creds-ca.sh fails where it runs.
		 */
		cu.easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
		cu.easy_setopt(c, CURLOPT_CAPATH, (char *)NULL);
	}
	cu.easy_setopt(c, CURLOPT_USERAGENT, PACKAGE_NAME "/"
	    PACKAGE_VERSION);
	cu.easy_setopt(c, CURLOPT_MAXFILESIZE, (long)t.cap);
	cu.easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	cu.easy_setopt(c, CURLOPT_WRITEFUNCTION, http_write);
	cu.easy_setopt(c, CURLOPT_WRITEDATA, &t);
	cu.easy_setopt(c, CURLOPT_HEADERFUNCTION, http_header);
	cu.easy_setopt(c, CURLOPT_HEADERDATA, &t);
	cu.easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	body = req->body != NULL || strcmp(req->method, "POST") == 0 ||
	    strcmp(req->method, "PUT") == 0;
	if (strcmp(req->method, "HEAD") == 0)
		cu.easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (body) {
		cu.easy_setopt(c, CURLOPT_POSTFIELDS,
		    req->body != NULL ? req->body : "");
		cu.easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)(req->body != NULL ? req->bodylen : 0));
	}
	/* POSTFIELDS makes a POST, no body a GET: any other method is named. */
	if (strcmp(req->method, body ? "POST" : "GET") != 0 &&
	    strcmp(req->method, "HEAD") != 0)
		cu.easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
	*cc = cu.easy_perform(c);
	if (*cc == CURLE_OK)
		cu.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res->resp.status);
	cu.easy_cleanup(c);
	http_slist_free(hdrs);
	if (t.toolarge && *cc != CURLE_OK)
		*cc = CURLE_FILESIZE_EXCEEDED;
	return *cc == CURLE_OK ? 0 : -1;
}

/* Network errors worth another try. */
static int
http_transient(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

/* A network error as res->reason, res->detail and res->hint. */
static void
http_transport(struct http_result *res, CURLcode cc, const char *errbuf)
{
	const char *s = cu.easy_strerror(cc);

	res->timed_out = cc == CURLE_OPERATION_TIMEDOUT;
	snprintf(res->reason, sizeof(res->reason), "%s",
	    cc == CURLE_OPERATION_TIMEDOUT ? "timed out" :
	    cc == CURLE_FILESIZE_EXCEEDED || cc == CURLE_WRITE_ERROR ?
	    "answer too large" : cc == CURLE_COULDNT_CONNECT ||
	    cc == CURLE_COULDNT_RESOLVE_HOST ? "could not connect" :
	    cc == CURLE_PEER_FAILED_VERIFICATION ||
	    cc == CURLE_SSL_CACERT_BADFILE ? "TLS verification failed" : s);
	snprintf(res->detail, sizeof(res->detail), "%s (%s)", s,
	    errbuf[0] ? errbuf : "-");
	switch (cc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		res->hint = "check the endpoint's name and DNS";
		break;
	case CURLE_COULDNT_CONNECT:
		res->hint = "check the endpoint, the firewall and the proxy "
		    "setting";
		break;
	case CURLE_OPERATION_TIMEDOUT:
		res->hint = "the service did not answer in time: check the "
		    "network, or raise connect_timeout/timeout";
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
		res->hint = "TLS verification failed: check ca_file and the "
		    "endpoint's name";
		break;
	case CURLE_FILESIZE_EXCEEDED:
	case CURLE_WRITE_ERROR:
		res->hint = "the answer is larger than any real one";
		break;
	default:
		res->hint = "check the endpoint and the network";
		break;
	}
}

/* Sleep before retry n (1, 2, ...): doubling, capped, with jitter. */
static void
http_backoff(long n)
{
	struct timespec ts;
	unsigned int rnd = 0;
	long ms;

	ms = LIMIT_HTTP_BACKOFF_MS;
	while (--n > 0 && ms < LIMIT_HTTP_BACKOFF_MAX_MS)
		ms *= 2;
	if (ms > LIMIT_HTTP_BACKOFF_MAX_MS)
		ms = LIMIT_HTTP_BACKOFF_MAX_MS;
	(void)crypto_random(&rnd, sizeof(rnd));
	ms = ms / 2 + (long)(rnd % (unsigned int)(ms / 2 + 1));
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* The default judge: 2xx done, 5xx and 429 again, the rest refused. */
static enum http_verdict
http_judge_default(const struct http_response *r)
{
	if (r->status >= 200 && r->status <= 299)
		return HTTP_DONE;
	if (r->status >= 500 || r->status == 429)
		return HTTP_RETRY;
	return HTTP_FAIL;
}

int
http_exchange(const struct http_opts *o, struct http_result *res)
{
	struct http_request built;
	const struct http_request *req;
	enum http_verdict v = HTTP_FAIL;
	char errbuf[CURL_ERROR_SIZE];
	CURLcode cc = CURLE_OK;
	long max;
	size_t k;

	memset(res, 0, sizeof(*res));
	res->err = HTTP_ERR_LIBCURL;
	res->hint = "";
	for (k = 0; k < HTTP_WANT_MAX; k++)
		res->resp.headers[k] = res->hval_[k];
	res->resp.body = "";
	if (http_ready(res) == -1)
		return -1;
	max = 1 + (o->retries < 0 ? 0 : o->retries > LIMIT_HTTP_RETRIES ?
	    LIMIT_HTTP_RETRIES : o->retries);
	res->resp.tries = max;
	for (res->tries = 1; res->tries <= max; res->tries++) {
		if (res->tries > 1)
			http_backoff(res->tries - 1);
		req = o->req;
		if (o->build != NULL) {
			memset(&built, 0, sizeof(built));
			if (o->build(o->arg, res->tries, &built) == -1) {
				res->err = HTTP_ERR_BUILD;
				return -1;
			}
			req = &built;
		}
		res->resp.try = res->tries;
		if (http_do(o, req, res, &cc, errbuf) == -1) {
			res->err = HTTP_ERR_TRANSPORT;
			if (!http_transient(cc))
				break;
			olog_warn("%s: try %ld of %ld: %s", o->what,
			    res->tries, max, cu.easy_strerror(cc));
			continue;
		}
		res->err = HTTP_ERR_ANSWER;
		res->resp.body = res->body_.p != NULL ? res->body_.p : "";
		res->resp.len = res->body_.len;
		v = o->judge != NULL ? o->judge(o->arg, &res->resp) :
		    http_judge_default(&res->resp);
		if (v == HTTP_DONE) {
			if (res->tries > 1)
				olog_info("%s succeeded on try %ld", o->what,
				    res->tries);
			res->err = HTTP_ERR_NONE;
			return 0;
		}
		if (v != HTTP_RETRY)
			break;
	}
	if (res->tries > max)
		res->tries = max;
	if (res->err == HTTP_ERR_TRANSPORT) {
		sbuf_free(&res->body_);
		res->resp.body = "";
		res->resp.len = 0;
		http_transport(res, cc, errbuf);
	}
	return -1;
}

void
http_result_clear(struct http_result *res)
{
	size_t k;

	sbuf_free(&res->body_);
	res->resp.body = "";
	res->resp.len = 0;
	for (k = 0; k < HTTP_WANT_MAX; k++)
		crypto_wipe(res->hval_[k], sizeof(res->hval_[k]));
}
