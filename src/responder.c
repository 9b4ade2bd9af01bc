/* FastCGI and CGI serving; see responder.h. */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "limit.h"
#include "metrics.h"
#include "olog.h"
#include "responder.h"
#include "route.h"
#include "util.h"

static volatile sig_atomic_t responder_stop;

static void
responder_sigterm(int sig)
{
	responder_stop = sig;
}

/*
 * 5xx answers are logged, but the same one again within LIMIT_LOG_REPEAT
 * seconds only as a count, said with the next different answer: during an
 * STS outage every request fails alike, and a line per request would
 * flood the web server's error log.
 */
static struct oerr_detail log_last;
static time_t log_since;
static unsigned long log_held;

static void
responder_log_flush(time_t now)
{
	if (log_held > 0)
		olog_warn("%d %s: the same answer %lu more times in %ld s",
		    oerr_status(log_last.err), oerr_code(log_last.err),
		    log_held, (long)(now - log_since));
	log_held = 0;
	log_last.err = OERR_OK;
}

static void
responder_log_5xx(const struct oerr_detail *d, time_t now)
{
	if (d->err == log_last.err && strcmp(d->msg, log_last.msg) == 0 &&
	    now >= log_since && now - log_since < LIMIT_LOG_REPEAT) {
		log_held++;
		return;
	}
	responder_log_flush(now);
	olog_warn("%d %s: %s", oerr_status(d->err), oerr_code(d->err),
	    d->msg);
	log_last = *d;
	log_since = now;
}

/*
 * Count the answer in the shared counters: its route (a preflight has no
 * row; a request no row took is "other"), status and the time since t0
 * (the monotonic clock when the request came in).
 */
static void
responder_count(struct responder *r, const struct route_pick *p,
    const struct request *req, const struct reply *rep,
    const struct timespec *t0)
{
	enum metrics_route route;
	long long us;

	if (r->metrics == NULL)
		return;
	us = util_us_since(t0);
	if (p->row != NULL)
		route = metrics_route_of(p->row->name);
	else if (p->group != NULL && req->method == REQUEST_OPTIONS)
		route = METRICS_ROUTE_PREFLIGHT;
	else
		route = METRICS_ROUTE_OTHER;
	metrics_request(r->metrics, route, rep->status,
	    us > 0 ? (uint64_t)us : 0);
}

/*
 * Answer req as the route table picked it (t0: when it came in), log what
 * went wrong, and count it.
 */
static void
responder_answer(struct responder *r, const struct route_pick *p,
    const struct request *req, struct reply *rep, const struct timespec *t0)
{
	struct oerr_detail d;

	route_dispatch(r, r->conf, p, req, rep, &d);
	responder_count(r, p, req, rep, t0);
	if (d.err == OERR_OK) {
		if (log_held > 0)
			responder_log_flush(time(NULL));
		return;
	}
	if (oerr_status(d.err) >= 500)
		responder_log_5xx(&d, time(NULL));
	else
		olog_debug("%d %s: %s", oerr_status(d.err), oerr_code(d.err),
		    d.msg);
}

void
responder_handle(struct responder *r, const struct request *req,
    struct reply *rep)
{
	struct route_pick p;
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	route_pick(r->routes, r->nroutes, req, &p);
	responder_answer(r, &p, req, rep, &t0);
}

int
responder_detect(int *fd)
{
	const char *pid, *fds;
	long long n, p;

	pid = getenv("LISTEN_PID");
	fds = getenv("LISTEN_FDS");
	if (pid != NULL && fds != NULL &&
	    util_strtonum(pid, 1, 0x7fffffff, &p, NULL) == 0 &&
	    p == (long long)getpid() &&
	    util_strtonum(fds, 1, 1, &n, NULL) == 0) {
		/* systemd socket activation: our socket is fd 3. */
		unsetenv("LISTEN_PID");
		unsetenv("LISTEN_FDS");
		unsetenv("LISTEN_FDNAMES");
		*fd = 3;
		return 1;
	}
	if (!FCGX_IsCGI()) {
		*fd = 0;
		return 1;
	}
	if (getenv("GATEWAY_INTERFACE") != NULL)
		return 0;
	return -1;
}

int
responder_listen(const char *address, char *err, size_t errlen)
{
	const char *path = address;
	int fd;

	if (strncmp(path, "unix:", 5) == 0)
		path += 5;
	if (*path == '\0') {
		snprintf(err, errlen, "empty listen address");
		return -1;
	}
	if (FCGX_Init() != 0) {
		snprintf(err, errlen, "libfcgi failed to initialise");
		return -1;
	}
	if ((fd = FCGX_OpenSocket(path, 128)) < 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", address,
		    strerror(errno));
		return -1;
	}
	return fd;
}

/* FastCGI stdin (request_body_fn). */
static size_t
responder_fcgi_in(void *in, char *buf, size_t n)
{
	int got;

	got = FCGX_GetStr(buf, n > INT_MAX ? INT_MAX : (int)n, in);
	return got > 0 ? (size_t)got : 0;
}

/*
 * Read the request body up to its end (the empty FCGI_STDIN record),
 * whatever CONTENT_LENGTH says: the first max bytes into *body (free it),
 * the rest dropped, LIMIT_BODY_KEEP bytes at most in all.  libfcgi does
 * not: FCGX_Finish_r keeps a FCGI_KEEP_CONN connection open with the
 * unread records in it, and the next FCGX_Accept_r reads them as the next
 * request, which fails.  Returns 1 at the end of the body, 0 when it is
 * longer (or the stream failed): the caller then closes the connection,
 * which libfcgi does with a lingering read, so the server writes the rest
 * without an error and loses no answer.
 */
static int
responder_body_fcgi(FCGX_Stream *in, size_t max, struct request *req,
    char **body)
{
	if (!request_read_body(req, max, LIMIT_BODY_KEEP, responder_fcgi_in,
	    in, body)) {
		/* The limit, exactly: at the end only if nothing follows. */
		if (FCGX_GetChar(in) != EOF) {
			req->body_over = 1;
			return 0;
		}
	}
	return FCGX_GetError(in) == 0;
}

/* CGI stdin (request_body_fn). */
static size_t
responder_cgi_in(void *f, char *buf, size_t n)
{
	return fread(buf, 1, n, f);
}

/* A FastCGI parameter (request_getvar_fn). */
static const char *
responder_fcgi_var(const char *name, void *envp)
{
	return FCGX_GetParam(name, envp);
}

/* A CGI variable (request_getvar_fn). */
static const char *
responder_cgi_var(const char *name, void *unused)
{
	return getenv(name);
}

static void
responder_serve(struct responder *r, int fd)
{
	FCGX_Request fr;
	struct request req;
	struct route_pick p;
	struct reply rep;
	struct timespec t0;
	char head[2048], *body;
	size_t hlen;

	if (FCGX_InitRequest(&fr, fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		olog_err("FCGX_InitRequest failed");
		return;
	}
	reply_init(&rep);
	while (!responder_stop && FCGX_Accept_r(&fr) >= 0) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		request_read(&req, responder_fcgi_var, fr.envp);
		route_pick(r->routes, r->nroutes, &req, &p);
		if (!responder_body_fcgi(fr.in, route_body_max(&p), &req,
		    &body))
			/* FCGX_Finish_r closes the connection. */
			fr.keepConnection = 0;
		responder_answer(r, &p, &req, &rep, &t0);
		free(body);
		if ((hlen = reply_head(&rep, head, sizeof(head))) > 0) {
			FCGX_PutStr(head, (int)hlen, fr.out);
			if (rep.body != NULL)
				FCGX_PutStr(rep.body, (int)rep.bodylen, fr.out);
		}
		reply_clear(&rep);
		/* Params are gone after this; nothing above keeps them. */
		FCGX_Finish_r(&fr);
	}
	FCGX_Free(&fr, 1);
}

static int
responder_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	/*
	 * SIGHUP is ignored, by the master and (inherited) its workers: it
	 * used to stop the service with exit status 0, which systemd's
	 * Restart=on-failure does not restart.  There is nothing to reload
	 * (the configuration is read once; restart to change it) and no log
	 * file to reopen (logs go to stderr).
	 */
	if (sigaction(SIGPIPE, &sa, NULL) == -1 ||
	    sigaction(SIGHUP, &sa, NULL) == -1)
		return -1;
	/* No SA_RESTART: accept() must return so the loop can stop. */
	sa.sa_handler = responder_sigterm;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1)
		return -1;
	return 0;
}

int
responder_fcgi(struct responder *r, int fd, int workers)
{
	pid_t *pids, pid;
	time_t *started;
	int i, status, alive, quick_death = 0;

	if (FCGX_Init() != 0) {
		olog_err("libfcgi failed to initialise");
		return -1;
	}
	if (responder_signals() == -1) {
		olog_err("sigaction: %s", strerror(errno));
		return -1;
	}
	if (workers <= 1) {
		responder_serve(r, fd);
		return 0;
	}
	if ((pids = calloc((size_t)workers, sizeof(*pids))) == NULL ||
	    (started = calloc((size_t)workers, sizeof(*started))) == NULL) {
		free(pids);
		olog_err("out of memory");
		return -1;
	}
	for (;;) {
		for (i = 0; i < workers && !responder_stop; i++) {
			if (pids[i] > 0)
				continue;
			/* Workers that die at once must not spin us. */
			if (quick_death) {
				sleep(1);
				quick_death = 0;
			}
			if ((pid = fork()) == -1) {
				olog_err("fork: %s", strerror(errno));
				break;
			}
			if (pid == 0) {
				free(pids);
				free(started);
				responder_serve(r, fd);
				_exit(0);
			}
			pids[i] = pid;
			started[i] = time(NULL);
		}
		if (responder_stop)
			break;
		pid = wait(&status);
		if (pid == -1 && errno != EINTR)
			break;
		for (i = 0; i < workers; i++)
			if (pids[i] == pid) {
				pids[i] = 0;
				if (time(NULL) - started[i] < 2)
					quick_death = 1;
				if (!responder_stop)
					olog_warn("worker %ld exited (status "
					    "%d); restarting", (long)pid,
					    status);
			}
	}
	for (i = 0; i < workers; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGTERM);
	do {
		alive = 0;
		for (i = 0; i < workers; i++)
			if (pids[i] > 0) {
				if (waitpid(pids[i], &status, 0) == pids[i] ||
				    errno == ECHILD)
					pids[i] = 0;
				else
					alive = 1;
			}
	} while (alive);
	free(pids);
	free(started);
	return 0;
}

/*
 * The CGI body: CONTENT_LENGTH bytes on stdin, the first max into *body
 * (free it), the rest read and dropped, LIMIT_BODY_DRAIN bytes at most in
 * all: Apache resets the connection otherwise.
 */
static void
responder_body_cgi(size_t max, struct request *req, char **body)
{
	long long left = request_content_length(req);

	if (left < 0 || left > LIMIT_BODY_DRAIN)
		left = LIMIT_BODY_DRAIN;
	request_read_body(req, max, left, responder_cgi_in, stdin, body);
}

int
responder_cgi(struct responder *r)
{
	struct request req;
	struct route_pick p;
	struct reply rep;
	struct timespec t0;
	char head[2048], *body;
	size_t hlen;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	request_read(&req, responder_cgi_var, NULL);
	route_pick(r->routes, r->nroutes, &req, &p);
	responder_body_cgi(route_body_max(&p), &req, &body);
	reply_init(&rep);
	responder_answer(r, &p, &req, &rep, &t0);
	free(body);
	if ((hlen = reply_head(&rep, head, sizeof(head))) == 0) {
		reply_clear(&rep);
		return -1;
	}
	fwrite(head, 1, hlen, stdout);
	if (rep.body != NULL)
		fwrite(rep.body, 1, rep.bodylen, stdout);
	reply_clear(&rep);
	return fflush(stdout) == 0 ? 0 : -1;
}
