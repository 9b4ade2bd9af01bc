/*
 * fcgi_floor: the FastCGI floor for tests/bench/run.  A libfcgi responder
 * that does nothing but answer every request with one fixed JSON body,
 * using the transport ossign uses: the listening socket on fd 0 (spawn-fcgi),
 * FCGX_Accept_r, the same headers, two FCGX_PutStr calls, and -n N worker
 * processes sharing the socket.  Whatever ossign costs above this is
 * ossign's own work.
 *
 *	spawn-fcgi -n -s SOCKET -- fcgi_floor [-n WORKERS] [-f BODYFILE]
 *
 * -f: serve the bytes of BODYFILE (read once at start), so the floor sends
 * exactly what ossign sends; default: a small fixed JSON object.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "../tfile.h"

static const char default_body[] =
    "{\"policy\":\"eyJleHBpcmF0aW9uIjoiMjAyNi0xMS0yNVQwNjoxOTo0MS4wMDBaIn0=\","
    "\"x_oss_signature_version\":\"OSS4-HMAC-SHA256\",\"signature\":"
    "\"0000000000000000000000000000000000000000000000000000000000000000\"}";

static volatile sig_atomic_t stop;

static void
on_term(int sig)
{
	stop = sig;
}

static void
serve(const char *body, size_t len)
{
	FCGX_Request r;
	char head[256];
	int hlen;

	if (FCGX_InitRequest(&r, 0, FCGI_FAIL_ACCEPT_ON_INTR) != 0)
		return;
	hlen = snprintf(head, sizeof(head),
	    "Status: 200 OK\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: %zu\r\n"
	    "Cache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "\r\n", len);
	while (!stop && FCGX_Accept_r(&r) >= 0) {
		FCGX_PutStr(head, hlen, r.out);
		FCGX_PutStr(body, (int)len, r.out);
		FCGX_Finish_r(&r);
	}
	FCGX_Free(&r, 1);
}

int
main(int argc, char *argv[])
{
	struct sigaction sa;
	const char *body = default_body;
	size_t len = sizeof(default_body) - 1;
	pid_t pids[256];
	int ch, i, n = 1;

	while ((ch = getopt(argc, argv, "f:n:")) != -1) {
		switch (ch) {
		case 'f':
			if ((body = tfile_slurp(optarg, &len)) == NULL) {
				fprintf(stderr, "fcgi_floor: cannot read %s\n",
				    optarg);
				return 1;
			}
			break;
		case 'n':
			n = atoi(optarg);
			if (n < 1 || n > 256) {
				fprintf(stderr, "fcgi_floor: -n 1..256\n");
				return 1;
			}
			break;
		default:
			fprintf(stderr, "usage: fcgi_floor [-n WORKERS] "
			    "[-f BODYFILE]\n");
			return 1;
		}
	}
	if (FCGX_Init() != 0 || FCGX_IsCGI()) {
		fprintf(stderr, "fcgi_floor: fd 0 is not a FastCGI socket\n");
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_term;	/* no SA_RESTART: accept returns */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	if (n == 1) {
		serve(body, len);
		return 0;
	}
	/* Like ossign -n: the parent only supervises. */
	for (i = 0; i < n; i++) {
		if ((pids[i] = fork()) == -1) {
			perror("fcgi_floor: fork");
			n = i;
			break;
		}
		if (pids[i] == 0) {
			serve(body, len);
			_exit(0);
		}
	}
	while (!stop && wait(NULL) != -1)
		;
	for (i = 0; i < n; i++)
		kill(pids[i], SIGTERM);
	while (wait(NULL) != -1 || errno == EINTR)
		;
	return 0;
}
