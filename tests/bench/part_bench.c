/*
 * part_bench: what signing one part of a multipart upload costs (issue
 * 12: no more than one form signature), inside the process, with fixed
 * STS-shaped credentials: the part route's work (s3req_query for key=,
 * s3id_open, ossapi_presign_part, the {"url"} answer) against the sign
 * route's (request_parse_query, signer_prepare, signer_sign).  Part of
 * tests/bench/run (BENCH_ONLY=part); not a test.
 *
 *	part_bench -c FILE [-n N | -t SECONDS] [-p form|part]
 *
 *   -c FILE     an ossign.conf with an [upload default] that has multipart = yes
 *   -n N, -t S  iterations, or seconds per measurement [1]
 *   -p WHICH    only that path, N times, in bench_form_loop() or
 *               bench_part_loop() (valgrind --tool=callgrind
 *               --toggle-collect=bench_WHICH_loop)
 *
 * Prints "form NS N" and "part NS N" (ns per operation, iterations).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "creds.h"
#include "crypto.h"
#include "jsonw.h"
#include "ossapi.h"
#include "request.h"
#include "s3id.h"
#include "s3req.h"
#include "signer.h"

#define FORM_QUERY	"filename=video.mp4&content_type=video/mp4&size=123456"
#define OSSID		"0004B9894A22E5B1888A1E29F8236E2A"

struct bench {
	const struct conf	*conf;
	struct creds		 creds;
	struct ossapi_target	 t;
	time_t			 now;
	char			 uuid[CRYPTO_UUID_LEN + 1];
	char			 query[256];	/* the part route's key= */
	char			 id[S3ID_LEN + 1];
	unsigned char		 secret[32];
	volatile size_t		 sink;
};

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* One form signature, as route_sign makes it. */
static int
bench_form_once(struct bench *b)
{
	struct request_params p;
	struct signer_req sr;
	struct oerr_detail d;
	char *json = NULL;
	size_t len = 0;

	if (request_parse_query(FORM_QUERY, &p, &d) != OERR_OK ||
	    signer_prepare(b->conf, &p, NULL, b->now, b->uuid, &sr, &d) !=
	    OERR_OK || signer_sign(b->conf, &sr, &b->creds, b->now, &json, &len,
	    &d) != OERR_OK) {
		fprintf(stderr, "part_bench: form: %s\n", d.msg);
		return -1;
	}
	b->sink += len;
	free(json);
	return 0;
}

/* One part URL, as route_s3_part makes it (after the gate). */
static int
bench_part_once(struct bench *b)
{
	struct s3req_query q;
	struct s3id_bind bind;
	struct oerr_detail d;
	struct jsonw w;
	char up[LIMIT_OSS_UPLOAD_ID + 1], *url, *json;
	size_t len;

	if (s3req_query(b->query, S3REQ_M(S3REQ_KEY), &q, &d) != OERR_OK)
		return -1;
	bind = (struct s3id_bind){ b->conf->bucket, "default", NULL, q.key };
	if (s3id_open(b->secret, sizeof(b->secret), &bind, b->id, up) !=
	    S3ID_OK)
		return -1;
	if ((url = ossapi_presign_part(&b->t, &b->creds, b->now, q.key, up, 7,
	    (long)b->conf->policy_ttl, NULL, &d)) == NULL) {
		fprintf(stderr, "part_bench: part: %s\n", d.msg);
		return -1;
	}
	jsonw_init(&w, strlen(url) * 2 + 32);
	jsonw_open(&w, '{');
	jsonw_kv(&w, "url", url);
	jsonw_close(&w, '}');
	crypto_free_secret(url);
	if ((json = jsonw_finish(&w, &len)) == NULL)
		return -1;
	b->sink += len;
	free(json);
	return 0;
}

__attribute__((noinline)) static int
bench_form_loop(struct bench *b, long n)
{
	long i;

	for (i = 0; i < n; i++)
		if (bench_form_once(b) == -1)
			return -1;
	return 0;
}

__attribute__((noinline)) static int
bench_part_loop(struct bench *b, long n)
{
	long i;

	for (i = 0; i < n; i++)
		if (bench_part_once(b) == -1)
			return -1;
	return 0;
}

static int
measure(const char *name, int (*loop)(struct bench *, long), struct bench *b,
    long n, double secs)
{
	double t0, t1;
	long done = 0, step = 1000;

	if (loop(b, 100) == -1)		/* warm: caches, the derived key */
		return -1;
	t0 = now_ns();
	if (n > 0) {
		if (loop(b, n) == -1)
			return -1;
		done = n;
	} else
		do {
			if (loop(b, step) == -1)
				return -1;
			done += step;
		} while (now_ns() - t0 < secs * 1e9);
	t1 = now_ns();
	printf("%s %.0f %ld\n", name, (t1 - t0) / (double)done, done);
	return 0;
}

int
main(int argc, char *argv[])
{
	static const char token[] = "CAIS+benchmarkSecurityTokenOfAReal"
	    "isticLengthxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
	struct bench b;
	struct conf *conf;
	struct s3id_bind bind;
	const char *path = NULL, *only = NULL;
	char err[512];
	long n = 0;
	double secs = 1;
	int ch, rc = 0;

	while ((ch = getopt(argc, argv, "c:n:t:p:")) != -1)
		switch (ch) {
		case 'c': path = optarg; break;
		case 'n': n = atol(optarg); break;
		case 't': secs = atof(optarg); break;
		case 'p': only = optarg; break;
		default: return 2;
		}
	if (path == NULL || (conf = conf_load(path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "part_bench: %s\n", path ? err : "-c FILE");
		return 1;
	}
	memset(&b, 0, sizeof(b));
	b.conf = conf;
	b.now = time(NULL);
	b.creds.access_key_id = (char *)"STS.NBenchmarkKey0000000001";
	b.creds.access_key_secret = (char *)"BenchmarkSecretBenchmarkSecret0123456789";
	b.creds.security_token = (char *)token;
	b.creds.expiration = b.now + 3600;
	b.t = (struct ossapi_target){ conf->host, conf->bucket, conf->region };
	memcpy(b.uuid, "3b241101-e2bb-4255-8caf-4136c566a962", CRYPTO_UUID_LEN + 1);
	memset(b.secret, 7, sizeof(b.secret));
	snprintf(b.query, sizeof(b.query), "key=uploads%%2Fvideo.mp4");
	bind = (struct s3id_bind){ conf->bucket, "default", NULL,
	    "uploads/video.mp4" };
	if (s3id_make(b.secret, sizeof(b.secret), &bind, OSSID, b.id) == -1)
		return 1;
	if (only != NULL && strcmp(only, "form") == 0)
		rc = bench_form_loop(&b, n > 0 ? n : 1000);
	else if (only != NULL && strcmp(only, "part") == 0)
		rc = bench_part_loop(&b, n > 0 ? n : 1000);
	else if (measure("form", bench_form_loop, &b, n, secs) == -1 ||
	    measure("part", bench_part_loop, &b, n, secs) == -1)
		rc = -1;
	conf_free(conf);
	return rc == 0 ? 0 : 1;
}
