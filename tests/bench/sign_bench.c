/*
 * sign_bench: the cost of one signature inside the process, without any
 * web server: request_parse_query + signer_prepare + signer_sign (the path
 * every request takes once the responder has its CGI variables), then the
 * stages on their own, the whole responder_handle, and responder_handle of
 * a batch signing request of BENCH_BATCH files with the same names (issue
 * 11: "batch50", per request; "batch_file", per file).  Part of
 * tests/bench/run; not a test.
 *
 *	sign_bench -c FILE [-q QUERY] [-u USER] [-n N | -t SECONDS] [-p]
 *
 *   -c FILE     an ossign.conf; its credential source must answer now
 *               (credentials = env, or an STS source with a warm cache_dir)
 *   -q QUERY    the query string [filename=photo.png&content_type=image/png&size=123456]
 *   -u USER     REMOTE_USER [none]
 *   -n N        iterations per measurement (default: as many as fit in -t)
 *   -t SECONDS  time per measurement when -n is not given [1]
 *   -p          only the main path, N times, in bench_path_loop() (for
 *               valgrind --tool=callgrind --toggle-collect=bench_path_loop)
 *   -b          only the batch request, N times (for a profiler)
 *
 * Prints "name ns_per_op iterations" lines; the main path is "signature".
 * Exit 0, or 1 when the configuration or the credentials do not work.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "creds.h"
#include "creds_source.h"
#include "crypto.h"
#include "reply.h"
#include "request.h"
#include "responder.h"
#include "routes.h"
#include "sign.h"
#include "signer.h"

#define DEFAULT_QUERY	"filename=photo.png&content_type=image/png&size=123456"
#define BENCH_BATCH	50

struct bench {
	const struct conf	*conf;
	struct creds_source	*src;
	const struct creds	*creds;
	struct responder	 resp;
	const char		*query;
	const char		*user;
	time_t			 now;
	char			 uuid[CRYPTO_UUID_LEN + 1];
	char			 batch[BENCH_BATCH * 96 + 32];	/* its body */
	size_t			 batchlen;
	volatile size_t		 sink;	/* keeps results alive */
};

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* One signature through the three pure stages; 0 or -1. */
static int
bench_path_once(struct bench *b)
{
	struct request_params p;
	struct signer_req sr;
	struct oerr_detail d;
	char *json = NULL;
	size_t len = 0;

	memset(&d, 0, sizeof(d));
	if (request_parse_query(b->query, &p, &d) != OERR_OK ||
	    signer_prepare(b->conf, &p, b->user, b->now, b->uuid, &sr, &d) !=
	    OERR_OK ||
	    signer_sign(b->conf, &sr, b->creds, b->now, &json, &len, &d) !=
	    OERR_OK) {
		fprintf(stderr, "sign_bench: %d %s: %s\n", oerr_status(d.err),
		    oerr_code(d.err), d.msg);
		return -1;
	}
	b->sink += len;
	free(json);
	return 0;
}

/* The loop callgrind counts (--toggle-collect=bench_path_loop). */
__attribute__((noinline)) static int
bench_path_loop(struct bench *b, long n)
{
	long i;

	for (i = 0; i < n; i++)
		if (bench_path_once(b) == -1)
			return -1;
	return 0;
}

static int
op_path(struct bench *b)
{
	return bench_path_once(b);
}

static int
op_parse(struct bench *b)
{
	struct request_params p;
	struct oerr_detail d;

	if (request_parse_query(b->query, &p, &d) != OERR_OK)
		return -1;
	b->sink += p.has_filename;
	return 0;
}

static int
op_prepare(struct bench *b)
{
	static struct request_params p;
	static int parsed;
	struct signer_req sr;
	struct oerr_detail d;

	if (!parsed) {
		if (request_parse_query(b->query, &p, &d) != OERR_OK)
			return -1;
		parsed = 1;
	}
	if (signer_prepare(b->conf, &p, b->user, b->now, b->uuid, &sr, &d) !=
	    OERR_OK)
		return -1;
	b->sink += sr.key[0];
	return 0;
}

static int
op_sign(struct bench *b)
{
	static struct signer_req sr;
	static int prepared;
	struct request_params p;
	struct oerr_detail d;
	char *json = NULL;
	size_t len;

	if (!prepared) {
		if (request_parse_query(b->query, &p, &d) != OERR_OK ||
		    signer_prepare(b->conf, &p, b->user, b->now, b->uuid, &sr,
		    &d) != OERR_OK)
			return -1;
		prepared = 1;
	}
	if (signer_sign(b->conf, &sr, b->creds, b->now, &json, &len, &d) !=
	    OERR_OK)
		return -1;
	b->sink += len;
	free(json);
	return 0;
}

/* The V4 key derivation (4 HMACs) and the policy HMAC, nothing else. */
static int
op_hmac(struct bench *b)
{
	static const char pol[] = "eyJleHBpcmF0aW9uIjoiMjAyNi0xMS0yNVQwNjoxOTo0"
	    "MS4wMDBaIiwiY29uZGl0aW9ucyI6W3siYnVja2V0IjoiYmVuY2gifV19";
	char sig[SIGN_HEX_LEN + 1];

	if (sign_v4_policy(b->creds->access_key_secret, "20261125",
	    b->conf->region, pol, sig) == -1)
		return -1;
	b->sink += (size_t)sig[0];
	return 0;
}

static int
op_uuid(struct bench *b)
{
	unsigned char rnd[16];
	char uuid[CRYPTO_UUID_LEN + 1];

	if (crypto_random(rnd, sizeof(rnd)) == -1)
		return -1;
	crypto_uuid_format(rnd, uuid);
	b->sink += (size_t)uuid[0];
	return 0;
}

/* responder_handle for req, its answer rendered; 0 when it is a 200. */
static int
bench_handle(struct bench *b, const struct request *req)
{
	struct reply rep;
	char head[2048];
	size_t hlen;
	int rc = 0;

	reply_init(&rep);
	responder_handle(&b->resp, req, &rep);
	if (rep.status != 200 ||
	    (hlen = reply_head(&rep, head, sizeof(head))) == 0)
		rc = -1;
	else
		b->sink += hlen + rep.bodylen;
	reply_clear(&rep);
	return rc;
}

/* What the FastCGI loop calls per request, minus libfcgi. */
static int
op_handle(struct bench *b)
{
	struct request req;

	memset(&req, 0, sizeof(req));
	req.method = REQUEST_GET;
	req.query = b->query;
	req.remote_user = b->user;
	return bench_handle(b, &req);
}

/* The same for a batch of BENCH_BATCH files (POST, JSON). */
static int
op_batch(struct bench *b)
{
	struct request req;

	memset(&req, 0, sizeof(req));
	req.method = REQUEST_POST;
	req.content_type = "application/json";
	req.body = b->batch;
	req.bodylen = b->batchlen;
	req.remote_user = b->user;
	return bench_handle(b, &req);
}

static int
measure(struct bench *b, const char *name, int (*op)(struct bench *),
    long n, double secs)
{
	double t0, t1;
	long i, done = 0;

	/* Warm up: caches, lazy binding, the allocator. */
	for (i = 0; i < 100; i++)
		if (op(b) == -1) {
			fprintf(stderr, "sign_bench: %s failed\n", name);
			return -1;
		}
	t0 = now_ns();
	if (n > 0) {
		for (i = 0; i < n; i++)
			if (op(b) == -1)
				return -1;
		done = n;
		t1 = now_ns();
	} else {
		/* Batches of 256 until the time is up. */
		do {
			for (i = 0; i < 256; i++)
				if (op(b) == -1)
					return -1;
			done += 256;
			t1 = now_ns();
		} while (t1 - t0 < secs * 1e9);
	}
	printf("%-12s %10.0f %ld\n", name, (t1 - t0) / (double)done, done);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: sign_bench -c FILE [-q QUERY] [-u USER] "
	    "[-n N | -t SECONDS] [-p | -b]\n");
	exit(1);
}

int
main(int argc, char *argv[])
{
	struct bench b;
	struct conf *conf = NULL;
	struct oerr_detail d;
	const char *path = NULL;
	char err[1024];
	unsigned char rnd[16];
	double secs = 1.0;
	long n = 0;
	int ch, pathonly = 0, batchonly = 0, rc = 1;

	memset(&b, 0, sizeof(b));
	b.query = DEFAULT_QUERY;
	while ((ch = getopt(argc, argv, "bc:n:pq:t:u:")) != -1) {
		switch (ch) {
		case 'b':
			batchonly = 1;
			break;
		case 'c':
			path = optarg;
			break;
		case 'n':
			n = strtol(optarg, NULL, 10);
			break;
		case 'p':
			pathonly = 1;
			break;
		case 'q':
			b.query = optarg;
			break;
		case 't':
			secs = strtod(optarg, NULL);
			break;
		case 'u':
			b.user = optarg;
			break;
		default:
			usage();
		}
	}
	if (path == NULL || optind != argc || ((pathonly || batchonly) &&
	    n <= 0))
		usage();

	if ((conf = conf_load(path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "sign_bench: %s\n", err);
		return 1;
	}
	b.conf = conf;
	b.now = time(NULL);
	memset(&d, 0, sizeof(d));
	if ((b.src = creds_source_new(conf, err, sizeof(err))) == NULL) {
		fprintf(stderr, "sign_bench: %s\n", err);
		goto out;
	}
	if (creds_source_get(b.src, &b.now, &b.creds, &d) == -1) {
		fprintf(stderr, "sign_bench: credentials: %s\n", d.msg);
		goto out;
	}
	b.resp.conf = conf;
	b.resp.creds = b.src;
	b.resp.routes = routes;
	b.resp.nroutes = routes_len;
	if (crypto_random(rnd, sizeof(rnd)) == -1)
		goto out;
	crypto_uuid_format(rnd, b.uuid);
	{
		int i, w;

		b.batchlen = (size_t)snprintf(b.batch, sizeof(b.batch),
		    "{\"files\":[");
		for (i = 0; i < BENCH_BATCH; i++) {
			w = snprintf(b.batch + b.batchlen, sizeof(b.batch) -
			    b.batchlen, "%s{\"filename\":\"photo%d.png\","
			    "\"content_type\":\"image/png\",\"size\":123456}",
			    i > 0 ? "," : "", i);
			b.batchlen += (size_t)w;
		}
		b.batchlen += (size_t)snprintf(b.batch + b.batchlen,
		    sizeof(b.batch) - b.batchlen, "]}");
	}

	if (pathonly) {
		rc = bench_path_loop(&b, n) == 0 ? 0 : 1;
		goto out;
	}
	if (batchonly) {
		rc = measure(&b, "batch50", op_batch, n, secs) == 0 ? 0 : 1;
		goto out;
	}
	if (measure(&b, "signature", op_path, n, secs) == -1 ||
	    measure(&b, "parse", op_parse, n, secs) == -1 ||
	    measure(&b, "prepare", op_prepare, n, secs) == -1 ||
	    measure(&b, "sign", op_sign, n, secs) == -1 ||
	    measure(&b, "v4_hmacs", op_hmac, n, secs) == -1 ||
	    measure(&b, "uuid", op_uuid, n, secs) == -1 ||
	    measure(&b, "handle", op_handle, n, secs) == -1 ||
	    measure(&b, "batch50", op_batch, n > 0 ? n / BENCH_BATCH + 1 : 0,
	    secs) == -1)
		goto out;
	rc = 0;
out:
	creds_source_free(b.src);
	conf_free(conf);
	return rc;
}
