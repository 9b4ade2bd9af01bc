/*
 * Outbound HTTP: the one module that knows libcurl.  One call makes one
 * exchange (a request and its answer) with bounded retries; every outbound
 * caller (the credential protocols today; OSS's callback key, the callback
 * forward and OSS API calls next) goes through it.
 *
 * libcurl is loaded with dlopen on the first exchange, not linked: its
 * dependencies cost a CGI run more in the dynamic loader than everything
 * else it does, and most runs never call out.  A failed load is tried
 * again at the next exchange.
 *
 * Every exchange: no redirects; https only unless the caller allows http;
 * no proxy but the one passed (never http_proxy, HTTPS_PROXY, NO_PROXY...
 * from the environment: a CGI's HTTP_PROXY comes from the client, httpoxy);
 * TLS peers verified, against ca_file alone when it is given; connect and
 * total timeouts per try; the answer's body capped.  The answer is kept in
 * a buffer that is wiped when cleared: answers carry secrets.
 *
 *	struct http_opts o = { .what = "STS AssumeRole", ... };
 *	struct http_result res;
 *	if (http_exchange(&o, &res) == 0) use res.resp.status, res.resp.body;
 *	else log res.err, res.reason, res.detail, res.hint;
 *	http_result_clear(&res);
 */
#ifndef OSSIGN_HTTP_H
#define OSSIGN_HTTP_H

#include <stddef.h>

#include "limit.h"
#include "sbuf.h"

#define HTTP_WANT_MAX	4	/* response headers kept per exchange */

/* A request header; value "" means "do not send it", not even libcurl's. */
struct http_header {
	const char	*name;
	const char	*value;
};

/*
 * What one try sends.  Strings are borrowed: from the caller for the
 * whole exchange, or from the build hook until its next call.  A body is
 * sent with POST and PUT (empty when NULL) and with any method given one.
 */
struct http_request {
	const char			*method;	/* GET HEAD PUT POST DELETE */
	const char			*url;
	const struct http_header	*headers;
	size_t				 nheaders;
	const char			*body;		/* NULL: none */
	size_t				 bodylen;
};

/* An answer, as the judge hook and the caller see it. */
struct http_response {
	long		 status;	/* HTTP status */
	const char	*body;		/* len bytes and a NUL ("" when empty) */
	size_t		 len;
	/* The value of response header want[i] ("" when absent), spaces
	 * trimmed, at most LIMIT_HTTP_HEADER_LEN bytes (cut there). */
	const char	*headers[HTTP_WANT_MAX];
	long		 try;		/* this answer came on try 1, 2, ... */
	long		 tries;		/* of at most this many */
};

enum http_verdict {
	HTTP_DONE,		/* the answer the caller wanted */
	HTTP_RETRY,		/* try again, if tries are left */
	HTTP_FAIL		/* an answer, but a final refusal */
};

/*
 * build: fill req for try (1, 2, ...): a fresh timestamp, nonce and
 * signature each time.  Returns 0, or -1 (out of memory) to end the
 * exchange with HTTP_ERR_BUILD.
 * judge: say what an answer means.  It may parse the body and keep the
 * result in arg; it is called once per answer, the last call being about
 * the answer the exchange ends with.
 */
typedef int		(*http_build_fn)(void *arg, long try,
			    struct http_request *req);
typedef enum http_verdict (*http_judge_fn)(void *arg,
			    const struct http_response *resp);

/* One exchange.  Strings are borrowed. */
struct http_opts {
	const char		*what;		/* names the service in logs */
	int			 allow_http;	/* 0: https:// only */
	const char		*proxy;		/* NULL: none (never the env's) */
	const char		*ca_file;	/* NULL: the system's CAs;
						   else these and no others */
	long			 connect_timeout_ms;
	long			 timeout_ms;	/* each try, whole */
	long			 retries;	/* more tries after the first,
						   0..LIMIT_HTTP_RETRIES */
	size_t			 max_response;	/* body bytes; 0 or more than
						   LIMIT_HTTP_RESPONSE_MAX:
						   that limit */
	const char		*want[HTTP_WANT_MAX]; /* response headers to
						   keep, by name; NULL: none */
	const struct http_request *req;		/* every try, when no build */
	http_build_fn		 build;		/* else this, before each try */
	http_judge_fn		 judge;		/* NULL: 2xx done, 5xx and 429
						   retry, the rest fail */
	void			*arg;		/* for build and judge */
};

enum http_err {
	HTTP_ERR_NONE = 0,	/* done: the judge took the answer */
	HTTP_ERR_ANSWER,	/* an answer the judge refused, or retries
				   ran out on one it would retry: resp */
	HTTP_ERR_TRANSPORT,	/* no answer: connect, TLS, timeout, size */
	HTTP_ERR_LIBCURL,	/* libcurl cannot be loaded or initialised */
	HTTP_ERR_BUILD		/* the build hook failed (out of memory) */
};

struct http_result {
	enum http_err		 err;
	long			 tries;		/* tries made */
	struct http_response	 resp;		/* the last answer, when err is
						   NONE or ANSWER */
	/*
	 * HTTP_ERR_TRANSPORT and _LIBCURL: reason is short and safe to show
	 * ("timed out", "could not connect", "TLS verification failed",
	 * "answer too large", "cannot load libcurl.so.4: ..."); detail is
	 * for the log (libcurl's message and error buffer); hint says what
	 * an operator should check.  "" otherwise.
	 */
	char			 reason[LIMIT_ERRMSG];
	char			 detail[LIMIT_ERRMSG];
	const char		*hint;
	int			 timed_out;	/* the last try's transport error
						   was a timeout */
	/* private */
	struct sbuf		 body_;
	char			 hval_[HTTP_WANT_MAX][LIMIT_HTTP_HEADER_LEN + 1];
};

/*
 * Make the exchange o describes: up to 1 + o->retries tries, with a
 * pause before each retry (doubling from LIMIT_HTTP_BACKOFF_MS up to
 * LIMIT_HTTP_BACKOFF_MAX_MS, with jitter), again after a transient network
 * error or when the judge says HTTP_RETRY.  Returns 0 when the judge said
 * HTTP_DONE, else -1 with res->err saying why.  Either way res holds the
 * outcome until http_result_clear (which wipes the answer).  Logs a
 * warning per failed try and a line when a retry succeeds, naming o->what;
 * the final failure is the caller's to log.
 */
int	 http_exchange(const struct http_opts *o, struct http_result *res);

/* Wipe and free what res holds; res may be cleared twice. */
void	 http_result_clear(struct http_result *res);

/*
 * libcurl's global state: http_init before the first exchange (the
 * credential sources do it at start, before any worker is forked),
 * http_cleanup after the last.  Counted, so pairs may nest; http_init
 * only counts (libcurl is loaded by the first exchange) and returns 0.
 */
int	 http_init(void);
void	 http_cleanup(void);

#endif /* OSSIGN_HTTP_H */
