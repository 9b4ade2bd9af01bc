/*
 * http: one exchange against a small server of the test's own on
 * 127.0.0.1 (a child process that answers each connection with the next
 * canned answer and hands back what it received): methods and bodies,
 * headers sent and suppressed, response headers kept by name, the default
 * judge and a judge of the caller's, the build hook once per try, retries
 * with a bounded count, no redirects, https only unless http is allowed,
 * no proxy from the environment, the response size cap, transport errors
 * with a safe reason and a hint.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http.h"
#include "tap.h"

static int srv_port;
static pid_t srv_pid;
static int srv_fd[2];		/* the child writes what it got here */

/* Read one request (head, then Content-Length bytes) from fd into buf. */
static size_t
srv_read(int fd, char *buf, size_t bufsz)
{
	size_t n = 0;
	ssize_t r;
	char *e, *cl;
	long want = -1;

	while (n < bufsz - 1) {
		if ((r = read(fd, buf + n, bufsz - 1 - n)) <= 0)
			break;
		n += (size_t)r;
		buf[n] = '\0';
		if (want < 0 && (e = strstr(buf, "\r\n\r\n")) != NULL) {
			cl = strcasestr(buf, "\r\ncontent-length:");
			want = (long)(e + 4 - buf) +
			    (cl != NULL && cl < e ? atol(cl + 17) : 0);
		}
		if (want >= 0 && (long)n >= want)
			break;
	}
	buf[n] = '\0';
	return n;
}

/* Answer one connection per canned answer in turn, then exit. */
static void
srv_start(const char *const *answers, size_t n)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	char buf[65536];
	size_t i, got;
	int s, c, one = 1;

	if (srv_pid > 0) {
		kill(srv_pid, SIGTERM);
		waitpid(srv_pid, NULL, 0);
		close(srv_fd[0]);
	}
	s = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(s, 8) == -1 ||
	    getsockname(s, (struct sockaddr *)&sa, &len) == -1 ||
	    pipe(srv_fd) == -1) {
		perror("server");
		exit(1);
	}
	srv_port = ntohs(sa.sin_port);
	if ((srv_pid = fork()) == 0) {
		close(srv_fd[0]);
		for (i = 0; i < n; i++) {
			if ((c = accept(s, NULL, NULL)) == -1)
				_exit(1);
			got = srv_read(c, buf, sizeof(buf));
			/* One record per request: its length, then it. */
			if (write(srv_fd[1], &got, sizeof(got)) < 0 ||
			    write(srv_fd[1], buf, got) < 0)
				_exit(1);
			if (write(c, answers[i], strlen(answers[i])) < 0)
				_exit(1);
			close(c);
		}
		_exit(0);
	}
	close(s);
	close(srv_fd[1]);
}

/* The next request the server received ("" when none). */
static const char *
srv_got(void)
{
	static char buf[65536];
	size_t n = 0;

	buf[0] = '\0';
	if (read(srv_fd[0], &n, sizeof(n)) != sizeof(n) || n >= sizeof(buf))
		return buf;
	if (read(srv_fd[0], buf, n) != (ssize_t)n)
		n = 0;
	buf[n] = '\0';
	return buf;
}

static char url[128];

static void
opts(struct http_opts *o, const struct http_request *req)
{
	memset(o, 0, sizeof(*o));
	o->what = "the test server";
	o->allow_http = 1;
	o->connect_timeout_ms = 2000;
	o->timeout_ms = 5000;
	o->max_response = 65536;
	o->req = req;
}

#define ANSWER(status, extra, body) "HTTP/1.1 " status "\r\n" extra \
	"Content-Length: " body "\r\nConnection: close\r\n\r\n"

static void
t_basic(void)
{
	static const char *const a[] = {
		ANSWER("200 OK", "X-Acs-Request-Id:   rid-1  \r\n"
		    "ETag: \"abc\"\r\n", "2") "ok",
		ANSWER("201 Created", "", "0"),
		ANSWER("204 No Content", "", "0"),
		ANSWER("200 OK", "", "0"),
		ANSWER("200 OK", "ETag: \"h\"\r\n", "10"),
	};
	struct http_header h[] = { { "X-Test", "one" }, { "Accept", "" } };
	struct http_request req = { "GET", url, h, 2, NULL, 0 };
	struct http_opts o;
	struct http_result res;
	const char *got;

	srv_start(a, 5);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/path?q=1", srv_port);
	opts(&o, &req);
	o.want[0] = "x-acs-request-id";
	o.want[1] = "etag";
	o.want[2] = "x-none";
	ok(http_exchange(&o, &res) == 0 && res.err == HTTP_ERR_NONE &&
	    res.resp.status == 200 && res.tries == 1, "GET: 200, one try");
	ok(res.resp.len == 2 && strcmp(res.resp.body, "ok") == 0, "the body");
	is_str(res.resp.headers[0], "rid-1", "a wanted header, by any case, "
	    "trimmed");
	is_str(res.resp.headers[1], "\"abc\"", "ETag keeps its quotes");
	is_str(res.resp.headers[2], "", "an absent one is \"\"");
	got = srv_got();
	ok(strncmp(got, "GET /path?q=1 HTTP/1.1\r\n", 24) == 0,
	    "the request line");
	ok(strstr(got, "\r\nX-Test: one\r\n") != NULL,
	    "a header the caller set is sent");
	ok(strcasestr(got, "\r\nAccept:") == NULL,
	    "a header set to \"\" is not sent, not even libcurl's own");
	http_result_clear(&res);

	req.method = "PUT";
	req.body = "a=1&b=2";
	req.bodylen = 7;
	ok(http_exchange(&o, &res) == 0 && res.resp.status == 201,
	    "PUT: 201 is done for the default judge");
	got = srv_got();
	ok(strncmp(got, "PUT /path?q=1 ", 14) == 0 &&
	    strstr(got, "\r\n\r\na=1&b=2") != NULL, "PUT sends its body");
	http_result_clear(&res);

	req.method = "DELETE";
	req.body = NULL;
	req.bodylen = 0;
	ok(http_exchange(&o, &res) == 0 && res.resp.status == 204,
	    "DELETE: 204");
	got = srv_got();
	ok(strncmp(got, "DELETE /path?q=1 ", 17) == 0 &&
	    strcasestr(got, "content-length") == NULL,
	    "DELETE without a body sends none");
	http_result_clear(&res);

	req.method = "POST";
	ok(http_exchange(&o, &res) == 0, "POST without a body");
	got = srv_got();
	ok(strncmp(got, "POST /path?q=1 ", 15) == 0 &&
	    strcasestr(got, "\r\ncontent-length: 0\r\n") != NULL,
	    "sends an empty one");
	http_result_clear(&res);

	req.method = "HEAD";
	ok(http_exchange(&o, &res) == 0 && res.resp.len == 0 &&
	    strcmp(res.resp.headers[1], "\"h\"") == 0,
	    "HEAD: the headers, no body read");
	ok(strncmp(srv_got(), "HEAD /path?q=1 ", 15) == 0, "HEAD is sent");
	http_result_clear(&res);
}

struct counter {
	int		 builds;
	int		 judged;
	long		 last_try;
	char		 path[32];
	struct http_header h;
	struct http_request req;
};

static int
build(void *arg, long try, struct http_request *req)
{
	struct counter *c = arg;

	c->builds++;
	c->last_try = try;
	snprintf(c->path, sizeof(c->path), "/try/%ld", try);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", srv_port,
	    c->path);
	c->h = (struct http_header){ "X-Try", c->path };
	*req = (struct http_request){ "GET", url, &c->h, 1, NULL, 0 };
	return 0;
}

static enum http_verdict
judge_teapot(void *arg, const struct http_response *r)
{
	struct counter *c = arg;

	c->judged++;
	if (r->status == 418)
		return HTTP_RETRY;
	return r->status == 200 ? HTTP_DONE : HTTP_FAIL;
}

static void
t_retries(void)
{
	static const char *const a[] = {
		ANSWER("503 Service Unavailable", "", "4") "busy",
		ANSWER("429 Too Many Requests", "", "0"),
		ANSWER("200 OK", "", "3") "yes",
		ANSWER("503 Service Unavailable", "", "0"),
		ANSWER("503 Service Unavailable", "", "0"),
		ANSWER("403 Forbidden", "", "2") "no",
		ANSWER("418 I'm a teapot", "", "0"),
		ANSWER("200 OK", "", "0"),
		ANSWER("302 Found", "Location: http://127.0.0.1:1/\r\n", "0"),
	};
	struct http_request req = { "GET", url, NULL, 0, NULL, 0 };
	struct counter c = { 0 };
	struct http_opts o;
	struct http_result res;

	srv_start(a, 9);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", srv_port);
	opts(&o, &req);
	o.retries = 2;
	ok(http_exchange(&o, &res) == 0 && res.tries == 3 &&
	    res.resp.status == 200 && strcmp(res.resp.body, "yes") == 0,
	    "503 and 429 are tried again: done on try 3");
	srv_got(), srv_got(), srv_got();
	http_result_clear(&res);

	o.retries = 1;
	ok(http_exchange(&o, &res) == -1 && res.err == HTTP_ERR_ANSWER &&
	    res.tries == 2 && res.resp.status == 503,
	    "retries run out: the last answer, HTTP_ERR_ANSWER");
	srv_got(), srv_got();
	http_result_clear(&res);

	ok(http_exchange(&o, &res) == -1 && res.err == HTTP_ERR_ANSWER &&
	    res.tries == 1 && res.resp.status == 403 &&
	    strcmp(res.resp.body, "no") == 0,
	    "a 403 is final for the default judge: one try");
	srv_got();
	http_result_clear(&res);

	o.req = NULL;
	o.build = build;
	o.judge = judge_teapot;
	o.arg = &c;
	ok(http_exchange(&o, &res) == 0 && c.builds == 2 && c.judged == 2 &&
	    c.last_try == 2, "the build hook runs before each try, the "
	    "judge after each answer");
	ok(strncmp(srv_got(), "GET /try/1 ", 11) == 0 &&
	    strncmp(srv_got(), "GET /try/2 ", 11) == 0,
	    "each try sends what its build made");
	http_result_clear(&res);

	o.build = NULL;
	o.req = &req;
	o.judge = NULL;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", srv_port);
	ok(http_exchange(&o, &res) == -1 && res.err == HTTP_ERR_ANSWER &&
	    res.resp.status == 302 && res.tries == 1,
	    "a redirect is not followed");
	srv_got();
	http_result_clear(&res);
}

static void
t_transport(void)
{
	static const char *const a[] = {
		ANSWER("200 OK", "", "100") "0123456789012345678901234567890"
		    "12345678901234567890123456789012345678901234567890123456"
		    "789012",
		ANSWER("200 OK", "", "0"),
	};
	struct http_request req = { "GET", url, NULL, 0, NULL, 0 };
	struct http_opts o;
	struct http_result res;

	srv_start(a, 2);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", srv_port);
	opts(&o, &req);
	o.max_response = 50;
	ok(http_exchange(&o, &res) == -1 && res.err == HTTP_ERR_TRANSPORT &&
	    strcmp(res.reason, "answer too large") == 0 &&
	    res.resp.len == 0, "over max_response: a transport error, "
	    "nothing kept");
	ok(res.hint != NULL && res.hint[0] != '\0' && res.detail[0] != '\0',
	    "with a hint and a detail for the log");
	srv_got();
	http_result_clear(&res);

	/* A proxy in the environment must not be used (httpoxy). */
	setenv("http_proxy", "http://127.0.0.1:1", 1);
	setenv("HTTP_PROXY", "http://127.0.0.1:1", 1);
	setenv("ALL_PROXY", "http://127.0.0.1:1", 1);
	o.max_response = 0;
	ok(http_exchange(&o, &res) == 0, "proxy variables are ignored");
	srv_got();
	http_result_clear(&res);
	unsetenv("http_proxy");
	unsetenv("HTTP_PROXY");
	unsetenv("ALL_PROXY");

	o.allow_http = 0;
	ok(http_exchange(&o, &res) == -1 && res.err == HTTP_ERR_TRANSPORT &&
	    res.tries == 1, "http:// refused when only https is allowed, "
	    "not tried again");
	http_result_clear(&res);

	/* Nothing listens there now: refused, tried again, then given up. */
	o.allow_http = 1;
	o.retries = 1;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", srv_port);
	waitpid(srv_pid, NULL, 0);
	srv_pid = 0;
	ok(http_exchange(&o, &res) == -1 && res.err == HTTP_ERR_TRANSPORT &&
	    res.tries == 2 && strcmp(res.reason, "could not connect") == 0 &&
	    !res.timed_out,
	    "connection refused: retried, then \"could not connect\"");
	http_result_clear(&res);

	/* A server that takes the connection and never answers. */
	{
		struct sockaddr_in sa;
		socklen_t len = sizeof(sa);
		int l = socket(AF_INET, SOCK_STREAM, 0);

		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (l == -1 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) ==
		    -1 || listen(l, 1) == -1 ||
		    getsockname(l, (struct sockaddr *)&sa, &len) == -1) {
			perror("silent server");
			exit(1);
		}
		snprintf(url, sizeof(url), "http://127.0.0.1:%d/",
		    ntohs(sa.sin_port));
		o.timeout_ms = 300;
		o.retries = 0;
		ok(http_exchange(&o, &res) == -1 &&
		    res.err == HTTP_ERR_TRANSPORT && res.timed_out &&
		    strcmp(res.reason, "timed out") == 0,
		    "no answer within timeout_ms: \"timed out\", timed_out set");
		http_result_clear(&res);
		close(l);
	}
	http_result_clear(&res);
	ok(1, "http_result_clear twice");
}

int
main(void)
{
	tap_plan(29);
	http_init();
	t_basic();
	t_retries();
	t_transport();
	http_cleanup();
	close(srv_fd[0]);
	return tap_done();
}
