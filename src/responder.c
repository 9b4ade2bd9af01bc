/* FastCGI and CGI serving; see responder.h. */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "crypto.h"
#include "limit.h"
#include "olog.h"
#include "responder.h"
#include "signer.h"
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

/* The GET pipeline: validate, get credentials, sign. */
static void
responder_sign(struct responder *r, const struct request *req,
    struct reply *rep, struct oerr_detail *d)
{
	struct request_params params;
	struct signer_req sr;
	const struct creds *creds;
	unsigned char rnd[16];
	char uuid[CRYPTO_UUID_LEN + 1], *json = NULL;
	size_t len = 0;
	time_t now;

	if (request_parse_query(req->query, &params, d) != OERR_OK)
		return;
	/* Read the clock once per request. */
	now = time(NULL);
	if (crypto_random(rnd, sizeof(rnd)) == -1) {
		oerr_set(d, OERR_INTERNAL, NULL);
		olog_err("no random bytes");
		return;
	}
	crypto_uuid_format(rnd, uuid);
	if (signer_prepare(r->conf, &params, req->remote_user, now, uuid, &sr,
	    d) != OERR_OK)
		return;
	if (r->creds == NULL) {
		oerr_set(d, OERR_CREDS_UNAVAILABLE, "the signer has no "
		    "credentials configured");
		return;
	}
	/* now moves on by any wait for the credentials: sign at that time. */
	if (creds_source_get(r->creds, &now, &creds, d) == -1)
		return;
	if (signer_sign(r->conf, &sr, creds, now, &json, &len, d) != OERR_OK)
		return;
	d->err = OERR_OK;
	reply_ok(rep, json, len);
}

void
responder_handle(struct responder *r, const struct request *req,
    struct reply *rep)
{
	struct oerr_detail d;
	long long body;

	memset(&d, 0, sizeof(d));
	d.err = OERR_INTERNAL;
	body = request_content_length(req);
	switch (req->method) {
	case REQUEST_NONE:
		oerr_set(&d, OERR_BAD_REQUEST, "REQUEST_METHOD is not set: "
		    "run ossign from a web server");
		break;
	case REQUEST_OPTIONS:
		if (reply_cors(rep, r->conf, req, 1)) {
			reply_empty(rep);
			return;
		}
		oerr_set(&d, OERR_ORIGIN_NOT_ALLOWED, NULL);
		break;
	case REQUEST_GET:
		if (body < 0)
			oerr_set(&d, OERR_BAD_REQUEST,
			    "CONTENT_LENGTH is malformed");
		else if (body > LIMIT_BODY_DRAIN)
			oerr_set(&d, OERR_REQUEST_TOO_LARGE, NULL);
		else if (body > 0)
			oerr_set(&d, OERR_BAD_REQUEST,
			    "a GET request carries no body");
		else
			responder_sign(r, req, rep, &d);
		reply_cors(rep, r->conf, req, 0);
		break;
	default:
		oerr_set(&d, OERR_METHOD_NOT_ALLOWED, NULL);
		reply_cors(rep, r->conf, req, 0);
		break;
	}
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
	reply_error(rep, &d);
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

/* Read and drop up to LIMIT_BODY_DRAIN body bytes so the server is happy. */
static void
responder_drain_fcgi(FCGX_Stream *in, long long announced)
{
	char buf[4096];
	long long left;
	int n;

	left = announced > LIMIT_BODY_DRAIN || announced < 0 ?
	    LIMIT_BODY_DRAIN : announced;
	while (left > 0 && (n = FCGX_GetStr(buf, (int)(left < (long long)
	    sizeof(buf) ? left : (long long)sizeof(buf)), in)) > 0)
		left -= n;
}

static void
responder_serve(struct responder *r, int fd)
{
	FCGX_Request fr;
	struct request req;
	struct reply rep;
	char head[2048];
	size_t hlen;
	char **env;

	if (FCGX_InitRequest(&fr, fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		olog_err("FCGX_InitRequest failed");
		return;
	}
	reply_init(&rep);
	while (!responder_stop && FCGX_Accept_r(&fr) >= 0) {
		env = fr.envp;
		memset(&req, 0, sizeof(req));
		req.method = request_method(FCGX_GetParam("REQUEST_METHOD",
		    env));
		req.query = FCGX_GetParam("QUERY_STRING", env);
		req.remote_user = FCGX_GetParam("REMOTE_USER", env);
		req.origin = FCGX_GetParam("HTTP_ORIGIN", env);
		req.content_length = FCGX_GetParam("CONTENT_LENGTH", env);
		responder_drain_fcgi(fr.in, request_content_length(&req));
		responder_handle(r, &req, &rep);
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
	if (sigaction(SIGPIPE, &sa, NULL) == -1)
		return -1;
	/* No SA_RESTART: accept() must return so the loop can stop. */
	sa.sa_handler = responder_sigterm;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGHUP, &sa, NULL) == -1)
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

int
responder_cgi(struct responder *r)
{
	struct request req;
	struct reply rep;
	char head[2048], buf[4096];
	long long left;
	size_t hlen, n;

	memset(&req, 0, sizeof(req));
	req.method = request_method(getenv("REQUEST_METHOD"));
	req.query = getenv("QUERY_STRING");
	req.remote_user = getenv("REMOTE_USER");
	req.origin = getenv("HTTP_ORIGIN");
	req.content_length = getenv("CONTENT_LENGTH");

	/* Drain the body: Apache resets the connection otherwise. */
	left = request_content_length(&req);
	if (left < 0 || left > LIMIT_BODY_DRAIN)
		left = LIMIT_BODY_DRAIN;
	while (left > 0 && (n = fread(buf, 1, left < (long long)sizeof(buf) ?
	    (size_t)left : sizeof(buf), stdin)) > 0)
		left -= (long long)n;

	reply_init(&rep);
	responder_handle(r, &req, &rep);
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
