/*
 * refresh_rss: does a process grow with every credential refresh?  One
 * credential source, as a FastCGI worker holds it, made to refresh N times
 * against tests/emu/sts.js, printing VmRSS as it goes.  Part of
 * tests/bench/run; not a test.
 *
 *	refresh_rss -c FILE -p HTTP_PORT [-n N] [-s STEP]
 *
 *   -c FILE       an ossign.conf with an STS source and a cache_dir of its own
 *   -p HTTP_PORT  the emulator's plain-HTTP admin port (its clock is moved)
 *   -n N          refreshes [1200]
 *   -s STEP       seconds the clock moves per refresh [101]: credentials
 *                 of lifetime L are refreshed with B = min(L/2, 900)
 *                 seconds left and used only with a minute left, so STEP
 *                 must lie in [L - B, L - 60]
 *
 * A refresh needs time to pass.  The clock given to ossign and the
 * emulator's move STEP seconds a step, 8 steps a cycle (707 s, inside
 * STS's 15-minute window); at each cycle's start the source is set up
 * anew and the cache file removed, so that it fetches again.  libcurl
 * stays initialised throughout, as in a worker.  Prints "after N
 * refreshes: VmRSS K kB" lines and exits 1 on any failed refresh.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "creds.h"
#include "creds_source.h"
#include "http.h"
#include "limit.h"
#include "oerr.h"

static long
vmrss(void)
{
	char line[256];
	long kb = -1;
	FILE *f;

	if ((f = fopen("/proc/self/status", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = atol(line + 6);
	fclose(f);
	return kb;
}

/* Remove the cache files, so that the next get fetches. */
static void
clear_cache(const char *dir)
{
	char pat[4096];
	glob_t g;
	size_t i;

	snprintf(pat, sizeof(pat), "%s/creds-*", dir);
	if (glob(pat, 0, NULL, &g) == 0) {
		for (i = 0; i < g.gl_pathc; i++)
			(void)unlink(g.gl_pathv[i]);
		globfree(&g);
	}
}

/* POST {"offset":S} to the emulator's /_emu/clock; 0 or -1. */
static int
set_clock(int port, long offset)
{
	struct sockaddr_in sa;
	char req[256], body[64], resp[64];
	int fd, n, rc = -1;

	snprintf(body, sizeof(body), "{\"offset\":%ld}", offset);
	n = snprintf(req, sizeof(req), "POST /_emu/clock HTTP/1.0\r\n"
	    "Host: 127.0.0.1\r\nContent-Type: application/json\r\n"
	    "Content-Length: %zu\r\n\r\n%s", strlen(body), body);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    write(fd, req, (size_t)n) == n &&
	    (n = (int)read(fd, resp, sizeof(resp) - 1)) > 12) {
		resp[n] = '\0';
		rc = strncmp(resp + 9, "200", 3) == 0 ? 0 : -1;
	}
	close(fd);
	return rc;
}

int
main(int argc, char **argv)
{
	struct conf *conf;
	struct creds_source *src = NULL;
	const struct creds *cr;
	struct oerr_detail d;
	char err[512], last[128] = "";
	long step = 101, off;
	time_t now;
	int ch, port = 0, n = 1200, i, got = 0;
	const char *path = NULL;

	while ((ch = getopt(argc, argv, "c:p:n:s:")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 'n':
			n = atoi(optarg);
			break;
		case 's':
			step = atol(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (path == NULL || port <= 0 || n <= 0 || step <= 0)
		goto usage;
	if ((conf = conf_load(path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "refresh_rss: %s\n", err);
		return 1;
	}
	http_init();	/* as a worker: libcurl stays initialised */
	for (i = 0; got < n; i++) {
		if (i % 8 == 0) {
			creds_source_free(src);
			if ((src = creds_source_new(conf, err, sizeof(err))) ==
			    NULL) {
				fprintf(stderr, "refresh_rss: %s\n", err);
				return 1;
			}
			clear_cache(conf->cache_dir != NULL ? conf->cache_dir :
			    DEFAULT_CACHE_DIR);
			last[0] = '\0';
		}
		off = (i % 8) * step;
		if (set_clock(port, off) == -1) {
			fprintf(stderr, "refresh_rss: cannot set the "
			    "emulator's clock on port %d\n", port);
			return 1;
		}
		now = time(NULL) + off;
		if (creds_source_get(src, &now, &cr, &d) == -1) {
			fprintf(stderr, "refresh_rss: %s\n", d.msg);
			return 1;
		}
		if (strcmp(last, cr->access_key_id) == 0) {
			fprintf(stderr, "refresh_rss: no refresh at step %d: "
			    "STEP does not suit the credential lifetime\n", i);
			return 1;
		}
		snprintf(last, sizeof(last), "%s", cr->access_key_id);
		got++;
		if (got == 1 || got % (n / 8 > 0 ? n / 8 : 1) == 0)
			printf("after %d refreshes: VmRSS %ld kB\n", got,
			    vmrss());
	}
	(void)set_clock(port, 0);
	creds_source_free(src);
	http_cleanup();
	conf_free(conf);
	return 0;
usage:
	fprintf(stderr, "usage: refresh_rss -c FILE -p HTTP_PORT [-n N] "
	    "[-s STEP]\n");
	return 1;
}
