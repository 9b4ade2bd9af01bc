/*
 * cb_bench: the CPU one OSS upload callback costs to verify (issue 10:
 * under 1 ms).  A real callback OSS signed (NAME.txt and NAME.sig of
 * tests/data/oss-callbacks/) is made into the request OSS sends, then
 * checked again and again.  Part of tests/bench/run; not a test.
 *
 *	cb_bench -k KEY -v DIR/NAME [-n N | -t SECONDS]
 *
 *   -k KEY       the PEM public key (data/callback_pub_key_v1.pem)
 *   -v DIR/NAME  the vector (tests/data/oss-callbacks/docs_yonghu)
 *   -n N         iterations per measurement (default: as many as fit in -t)
 *   -t SECONDS   CPU time per measurement when -n is not given [1]
 *
 * Prints "name us_per_op iterations" lines, CPU time (user + system) of
 * the process per operation:
 *   verify    cbverify_request(): key URL, signed string, base64, RSA-MD5
 *             (what the callback route does to check OSS's signature)
 *   request   rawreq_parse() + verify + callback_body_parse() of the raw
 *             request (all of `ossign callback-verify` but the printing)
 *   rsa       cbverify_signature() alone, over the signed string
 *   ticket    callback_body_parse() + callback_ticket_check() of a body
 *             carrying a ticket (the route's next step)
 *   key_load  cbverify_key_new() (once per process, for information)
 * Exit 0, or 1 when a check fails or a file cannot be read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "callback.h"
#include "cbverify.h"
#include "crypto.h"
#include "limit.h"
#include "rawreq.h"
#include "../tfile.h"

struct bench {
	struct cbverify_key	*key;
	char			*pem, *txt, *sig;
	size_t			 pemlen, txtlen, siglen;
	char			 line[LIMIT_CB_TARGET + 1];
	char			*sigb64, *urlb64, *raw, *cbody;
	size_t			 rawlen, cbodylen;
	struct cbverify_req	 req;
	volatile size_t		 sink;
};

#define BENCH_SECRET	"bench-callback-secret-0123456789"
#define BENCH_BUCKET	"bench-bucket"

static double
cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static char *
b64(const void *p, size_t len)
{
	char *s = malloc(crypto_b64_size(len));

	if (s != NULL)
		crypto_b64(p, len, s);
	return s;
}

static int
op_verify(struct bench *b)
{
	return cbverify_request(&b->req, NULL, 0, b->key) == CBVERIFY_OK ?
	    0 : -1;
}

static int
op_request(struct bench *b)
{
	struct callback_vars *vars = NULL;
	struct cbverify_req cr;
	struct rawreq *r;
	int rc = -1;

	if ((r = rawreq_parse(b->raw, b->rawlen, NULL, 0)) == NULL)
		return -1;
	memset(&cr, 0, sizeof(cr));
	cr.request_uri = r->target;
	cr.pub_key_url = rawreq_header(r, "x-oss-pub-key-url", NULL);
	cr.authorization = rawreq_header(r, "Authorization", NULL);
	cr.body = r->body;
	cr.bodylen = r->bodylen;
	if (cbverify_request(&cr, NULL, 0, b->key) == CBVERIFY_OK &&
	    callback_body_parse(rawreq_header(r, "Content-Type", NULL),
	    r->body, r->bodylen, &vars) == CALLBACK_OK) {
		b->sink += vars->n;
		rc = 0;
	}
	callback_vars_free(vars);
	rawreq_free(r);
	return rc;
}

static int
op_rsa(struct bench *b)
{
	return cbverify_signature(b->key, b->txt, b->txtlen,
	    (unsigned char *)b->sig, b->siglen) == CBVERIFY_OK ? 0 : -1;
}

static int
op_ticket(struct bench *b)
{
	struct callback_vars *vars = NULL;
	struct callback_event ev;
	int rc = -1;

	if (callback_body_parse(callback_body_types[CALLBACK_JSON], b->cbody,
	    b->cbodylen, &vars) == CALLBACK_OK &&
	    callback_ticket_check(vars, BENCH_BUCKET, BENCH_SECRET,
	    sizeof(BENCH_SECRET) - 1, 1795587581, DEFAULT_CB_GRACE, &ev) ==
	    CALLBACK_OK) {
		b->sink += (size_t)ev.id[0];
		rc = 0;
	}
	callback_vars_free(vars);
	return rc;
}

static int
op_key(struct bench *b)
{
	struct cbverify_key *k;

	if ((k = cbverify_key_new(b->pem, b->pemlen, NULL, 0)) == NULL)
		return -1;
	b->sink += (size_t)cbverify_key_bits(k);
	cbverify_key_free(k);
	return 0;
}

static int
measure(struct bench *b, const char *name, int (*op)(struct bench *), long n,
    double secs)
{
	double t0, t1;
	long i, done = 0;

	for (i = 0; i < 50; i++)	/* warm up */
		if (op(b) == -1) {
			fprintf(stderr, "cb_bench: %s failed\n", name);
			return -1;
		}
	t0 = cpu_us();
	do {
		for (i = 0; i < (n > 0 ? n : 64); i++)
			if (op(b) == -1) {
				fprintf(stderr, "cb_bench: %s failed\n", name);
				return -1;
			}
		done += i;
		t1 = cpu_us();
	} while (n <= 0 && t1 - t0 < secs * 1e6);
	printf("%-9s %9.2f %ld\n", name, (t1 - t0) / (double)done, done);
	return 0;
}

/* The request OSS sends for the vector, and a body with a ticket. */
static int
bench_prepare(struct bench *b)
{
	struct callback_settings s;
	struct callback_values v;
	struct callback_form *f;
	const char *nl, *body, *url = DEFAULT_CB_KEY_URL;
	size_t bodylen, cap;
	int n;

	if ((nl = memchr(b->txt, '\n', b->txtlen)) == NULL ||
	    (size_t)(nl - b->txt) >= sizeof(b->line))
		return -1;
	memcpy(b->line, b->txt, (size_t)(nl - b->txt));
	b->line[nl - b->txt] = '\0';
	body = nl + 1;
	bodylen = b->txtlen - (size_t)(body - b->txt);
	if ((b->sigb64 = b64(b->sig, b->siglen)) == NULL ||
	    (b->urlb64 = b64(url, strlen(url))) == NULL)
		return -1;
	b->req.request_uri = b->line;
	b->req.pub_key_url = b->urlb64;
	b->req.authorization = b->sigb64;
	b->req.body = body;
	b->req.bodylen = bodylen;
	cap = bodylen + 1024;
	if ((b->raw = malloc(cap)) == NULL)
		return -1;
	n = snprintf(b->raw, cap, "POST %s HTTP/1.1\r\nHost: cb.example.com\r\n"
	    "Content-Type: %s\r\nContent-Length: %zu\r\nAuthorization: %s\r\n"
	    "x-oss-pub-key-url: %s\r\n\r\n", b->line, body[0] == '{' ?
	    "application/json" : "application/x-www-form-urlencoded", bodylen,
	    b->sigb64, b->urlb64);
	if (n < 0 || (size_t)n + bodylen >= cap)
		return -1;
	memcpy(b->raw + n, body, bodylen);
	b->rawlen = (size_t)n + bodylen;

	memset(&s, 0, sizeof(s));
	s.url = "https://www.example.com/ossign/callback";
	s.sni = -1;
	memset(&v, 0, sizeof(v));
	v.bucket = BENCH_BUCKET;
	v.user = "alice";
	v.upload = "default";
	v.key = "user/alice/photo.png";
	v.expiration = 1795587581;
	if ((f = callback_form_new(&s, &v, BENCH_SECRET,
	    sizeof(BENCH_SECRET) - 1, NULL, 0)) == NULL ||
	    (b->cbody = malloc(2048)) == NULL) {
		callback_form_free(f);
		return -1;
	}
	n = snprintf(b->cbody, 2048, "{\"bucket\":\"%s\",\"object\":\"%s\","
	    "\"etag\":\"D41D8CD98F00B204E9800998ECF8427E\",\"size\":123456,"
	    "\"mimeType\":\"image/png\",\"ossign_user\":\"%s\","
	    "\"ossign_upload\":\"%s\",\"ossign_match\":\"%s\","
	    "\"ossign_key\":\"%s\",\"ossign_exp\":\"%s\","
	    "\"ossign_ticket\":\"%s\"}", BENCH_BUCKET, v.key,
	    f->fields[1].value, f->fields[2].value, f->fields[3].value,
	    f->fields[4].value, f->fields[5].value, f->fields[6].value);
	callback_form_free(f);
	if (n < 0 || n >= 2048)
		return -1;
	b->cbodylen = (size_t)n;
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: cb_bench -k KEY -v DIR/NAME [-n N | "
	    "-t SECONDS]\n");
	exit(1);
}

int
main(int argc, char *argv[])
{
	struct bench b;
	const char *keypath = NULL, *vec = NULL;
	char path[4096], err[256];
	double secs = 1.0;
	long n = 0;
	int ch, rc = 1;

	memset(&b, 0, sizeof(b));
	while ((ch = getopt(argc, argv, "k:n:t:v:")) != -1) {
		switch (ch) {
		case 'k':
			keypath = optarg;
			break;
		case 'n':
			n = strtol(optarg, NULL, 10);
			break;
		case 't':
			secs = strtod(optarg, NULL);
			break;
		case 'v':
			vec = optarg;
			break;
		default:
			usage();
		}
	}
	if (keypath == NULL || vec == NULL || optind != argc)
		usage();
	if ((b.pem = tfile_slurp(keypath, &b.pemlen)) == NULL ||
	    (b.key = cbverify_key_new(b.pem, b.pemlen, err, sizeof(err))) ==
	    NULL) {
		fprintf(stderr, "cb_bench: %s: %s\n", keypath, b.pem == NULL ?
		    "cannot be read" : err);
		goto out;
	}
	snprintf(path, sizeof(path), "%s.txt", vec);
	b.txt = tfile_slurp(path, &b.txtlen);
	snprintf(path, sizeof(path), "%s.sig", vec);
	b.sig = tfile_slurp(path, &b.siglen);
	if (b.txt == NULL || b.sig == NULL || bench_prepare(&b) == -1) {
		fprintf(stderr, "cb_bench: %s: cannot be read\n", vec);
		goto out;
	}
	if (measure(&b, "verify", op_verify, n, secs) == -1 ||
	    measure(&b, "request", op_request, n, secs) == -1 ||
	    measure(&b, "rsa", op_rsa, n, secs) == -1 ||
	    measure(&b, "ticket", op_ticket, n, secs) == -1 ||
	    measure(&b, "key_load", op_key, n, secs) == -1)
		goto out;
	rc = 0;
out:
	cbverify_key_free(b.key);
	free(b.pem);
	free(b.txt);
	free(b.sig);
	free(b.sigb64);
	free(b.urlb64);
	free(b.raw);
	free(b.cbody);
	return rc;
}
