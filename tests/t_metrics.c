/*
 * Prometheus text and the shared counters.
 *
 *	t_metrics            unit tests: prom byte for byte, the block,
 *	                     4 forked processes counting into one mapping,
 *	                     metrics_write against tests/data/metrics.txt
 *	t_metrics --print    the exposition of a populated block on stdout
 *	                     (tests/metrics-promtool.sh feeds it to promtool)
 */
#include <sys/mman.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "limit.h"
#include "metrics.h"
#include "prom.h"
#include "tap.h"
#include "tfile.h"

/* A block with a known value in every kind of slot. */
static void
populate(struct metrics_block *b)
{
	metrics_request(b, METRICS_ROUTE_SIGN, 200, 400);	/* le 0.0005 */
	metrics_request(b, METRICS_ROUTE_SIGN, 200, 500);	/* le 0.0005 */
	metrics_request(b, METRICS_ROUTE_SIGN, 200, 501);	/* le 0.001 */
	metrics_request(b, METRICS_ROUTE_SIGN, 413, 2600);	/* le 0.005 */
	metrics_request(b, METRICS_ROUTE_BATCH, 200, 12345);	/* le 0.025 */
	metrics_request(b, METRICS_ROUTE_CALLBACK, 502, 4000000); /* le 5 */
	metrics_request(b, METRICS_ROUTE_OTHER, 999, 20000000);	/* +Inf, 5xx */
	metrics_request(b, METRICS_ROUTE_PREFLIGHT, 204, 0);
	metrics_signatures(b, 3);
	metrics_signatures(b, 50);
	metrics_cred_call(b, METRICS_SOURCE_RAM_ROLE_ARN, METRICS_CALL_OK);
	metrics_cred_call(b, METRICS_SOURCE_RAM_ROLE_ARN, METRICS_CALL_OK);
	metrics_cred_call(b, METRICS_SOURCE_OIDC_ROLE_ARN,
	    METRICS_CALL_UNAVAILABLE);
	metrics_cache(b, METRICS_CACHE_PROCESS);
	metrics_cache(b, METRICS_CACHE_FILE);
	metrics_cache(b, METRICS_CACHE_MISS);
	metrics_cred_expiry(b, 1767229200);
	metrics_callback(b, METRICS_CALLBACK_DELIVERED);
	metrics_callback(b, METRICS_CALLBACK_BAD_SIGNATURE);
	metrics_rate_limited(b);
	metrics_auth_refused(b, METRICS_AUTH_JWT);
}

int
main(int argc, char *argv[])
{
	static char buf[LIMIT_METRICS_TEXT], small[64];
	static const uint64_t bounds[] = { 500, 2500, 1000000, 12000000 };
	static const uint64_t counts[] = { 1, 0, 2, 0, 3 };
	struct metrics_counts c;
	struct metrics_block *b, *shared;
	struct prom w;
	const char *top;
	char path[4096], *want, *body;
	size_t len, wlen;
	pid_t pids[4];
	void *mem;
	int i, j, st, allok;

	mem = mmap(NULL, METRICS_SIZE, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (argc > 1 && strcmp(argv[1], "--print") == 0) {
		metrics_init(mem, METRICS_SIZE, 1767225600);
		b = metrics_attach(mem, METRICS_SIZE);
		populate(b);
		metrics_snapshot(b, &c);
		if (metrics_write(&c, buf, sizeof(buf), &len) == -1)
			return 1;
		fwrite(buf, 1, len, stdout);
		return 0;
	}

	tap_plan(27);

	/* prom, byte for byte. */
	prom_init(&w, buf, sizeof(buf));
	prom_family(&w, "x_total", "counter", "Line one\nback\\slash \"q\".");
	prom_sample(&w, "x_total", NULL, 0);
	prom_sample(&w, "x_total", (const char *[]){ "a", "q\"b\\s\nn",
	    "b_2", "", NULL }, 18446744073709551615ULL);
	prom_family(&w, "lat_seconds", "histogram", "Latency.");
	prom_histogram(&w, "lat_seconds", (const char *[]){ "r", "s", NULL },
	    bounds, counts, 4, 3000001);
	prom_histogram(&w, "lat_seconds", NULL, bounds, counts, 0, 0);
	ok(prom_end(&w, &len) == 0, "prom: written");
	is_str(buf,
	    "# HELP x_total Line one\\nback\\\\slash \"q\".\n"
	    "# TYPE x_total counter\n"
	    "x_total 0\n"
	    "x_total{a=\"q\\\"b\\\\s\\nn\",b_2=\"\"} 18446744073709551615\n"
	    "# HELP lat_seconds Latency.\n"
	    "# TYPE lat_seconds histogram\n"
	    "lat_seconds_bucket{r=\"s\",le=\"0.0005\"} 1\n"
	    "lat_seconds_bucket{r=\"s\",le=\"0.0025\"} 1\n"
	    "lat_seconds_bucket{r=\"s\",le=\"1\"} 3\n"
	    "lat_seconds_bucket{r=\"s\",le=\"12\"} 3\n"
	    "lat_seconds_bucket{r=\"s\",le=\"+Inf\"} 6\n"
	    "lat_seconds_sum{r=\"s\"} 3.000001\n"
	    "lat_seconds_count{r=\"s\"} 6\n"
	    "lat_seconds_bucket{le=\"+Inf\"} 1\n"
	    "lat_seconds_sum 0\n"
	    "lat_seconds_count 1\n",
	    "prom: HELP and label escaping, cumulative buckets, exact seconds");
	is_int((long long)len, (long long)strlen(buf), "prom: the length");
	prom_init(&w, small, sizeof(small));
	prom_family(&w, "x_total", "counter", "A help text longer than the "
	    "buffer that holds it.");
	ok(prom_end(&w, &len) == -1 && strlen(small) < sizeof(small),
	    "prom: a short buffer fails, NUL-terminated");
	prom_init(&w, buf, sizeof(buf));
	prom_family(&w, "9x", "counter", "h");
	ok(prom_end(&w, &len) == -1, "prom: a metric name with a digit first");
	prom_init(&w, buf, sizeof(buf));
	prom_sample(&w, "x", (const char *[]){ "__x", "v", NULL }, 1);
	ok(prom_end(&w, &len) == -1, "prom: a label name with __");
	prom_init(&w, buf, sizeof(buf));
	prom_sample(&w, "x", (const char *[]){ "a-b", "v", NULL }, 1);
	ok(prom_end(&w, &len) == -1, "prom: a label name with -");
	prom_init(&w, buf, sizeof(buf));
	prom_family(&w, "x", "summary", "h");
	ok(prom_end(&w, &len) == -1, "prom: an unknown type");

	/* The block. */
	ok(mem != MAP_FAILED && metrics_attach(mem, METRICS_SIZE) == NULL,
	    "zeroed memory is not a block");
	ok(metrics_init(mem, METRICS_SIZE - 1, 1) == -1,
	    "init refuses a short region");
	ok(metrics_init(mem, METRICS_SIZE, 1767225600) == 0 &&
	    (b = metrics_attach(mem, METRICS_SIZE)) != NULL &&
	    b->created == 1767225600, "init, attach, created stamped");
	((uint32_t *)mem)[2] = 2;
	ok(metrics_attach(mem, METRICS_SIZE) == NULL,
	    "attach refuses another version");
	((uint32_t *)mem)[2] = 1;
	((uint32_t *)mem)[3] += 8;
	ok(metrics_attach(mem, METRICS_SIZE) == NULL,
	    "attach refuses another layout size");
	metrics_init(mem, METRICS_SIZE, 1767225600);
	b = metrics_attach(mem, METRICS_SIZE);
	metrics_request(NULL, METRICS_ROUTE_SIGN, 200, 1);
	metrics_signatures(NULL, 1);
	metrics_rate_limited(NULL);
	metrics_request(b, METRICS_ROUTE__MAX, 200, 1);
	metrics_cache(b, METRICS_CACHE__MAX);
	metrics_snapshot(b, &c);
	{
		static const struct metrics_counts zero;

		ok(memcmp(&c, &zero, sizeof(c)) == 0,
		    "a NULL block or an out-of-range enum counts nothing");
	}
	populate(b);
	metrics_snapshot(b, &c);
	ok(c.requests[METRICS_ROUTE_SIGN][1] == 3 &&
	    c.requests[METRICS_ROUTE_SIGN][3] == 1 &&
	    c.requests[METRICS_ROUTE_OTHER][4] == 1 &&
	    c.requests[METRICS_ROUTE_PREFLIGHT][1] == 1,
	    "status classes (999 counts as 5xx)");
	ok(c.latency[METRICS_ROUTE_SIGN][0] == 2 &&
	    c.latency[METRICS_ROUTE_SIGN][1] == 1 &&
	    c.latency[METRICS_ROUTE_SIGN][3] == 1 &&
	    c.latency[METRICS_ROUTE_OTHER][METRICS_BOUNDS] == 1 &&
	    c.latency_sum_us[METRICS_ROUTE_SIGN] == 400 + 500 + 501 + 2600,
	    "latency buckets: bounds inclusive, +Inf last, sum in us");
	ok(c.signatures == 53 && c.cred_expiry == 1767229200 &&
	    c.cred_calls[METRICS_SOURCE_RAM_ROLE_ARN][METRICS_CALL_OK] == 2,
	    "signatures, expiry gauge, credential calls");
	metrics_cred_expiry(b, 1767232800);
	metrics_snapshot(b, &c);
	ok(c.cred_expiry == 1767232800, "the expiry is a store, not an add");

	/* The whole text against the committed expectation. */
	metrics_init(mem, METRICS_SIZE, 1767225600);
	b = metrics_attach(mem, METRICS_SIZE);
	populate(b);
	metrics_snapshot(b, &c);
	ok(metrics_write(&c, buf, sizeof(buf), &len) == 0 &&
	    len == strlen(buf) && len < LIMIT_METRICS_TEXT,
	    "metrics_write: %zu bytes", len);
	top = getenv("top_srcdir");
	snprintf(path, sizeof(path), "%s/tests/data/metrics.txt",
	    top != NULL && *top != '\0' ? top : TOP_SRCDIR);
	want = tfile_slurp(path, &wlen);
	/* Its first line names where it comes from. */
	body = want != NULL ? strchr(want, '\n') : NULL;
	ok(body != NULL && wlen - (size_t)(body + 1 - want) == len &&
	    memcmp(body + 1, buf, len) == 0,
	    "metrics_write equals tests/data/metrics.txt byte for byte");
	free(want);
	ok(metrics_write(&c, small, sizeof(small), &len) == -1,
	    "metrics_write: a short buffer fails");

	/* Four processes counting into one mapping: nothing lost. */
	metrics_init(mem, METRICS_SIZE, 1767225600);
	shared = metrics_attach(mem, METRICS_SIZE);
	fflush(stdout);
	for (i = 0; i < 4; i++)
		if ((pids[i] = fork()) == 0) {
			for (j = 0; j < 25000; j++) {
				metrics_request(shared, METRICS_ROUTE_SIGN,
				    j % 10 == 0 ? 429 : 200, (uint64_t)j);
				metrics_signatures(shared, 2);
				if (j % 10 == 0)
					metrics_rate_limited(shared);
			}
			_exit(0);
		}
	allok = 1;
	for (i = 0; i < 4; i++)
		allok &= waitpid(pids[i], &st, 0) == pids[i] &&
		    WIFEXITED(st) && WEXITSTATUS(st) == 0;
	metrics_snapshot(shared, &c);
	ok(allok, "4 processes ran");
	is_int((long long)(c.requests[METRICS_ROUTE_SIGN][1] +
	    c.requests[METRICS_ROUTE_SIGN][3]), 100000,
	    "100000 requests counted");
	is_int((long long)c.requests[METRICS_ROUTE_SIGN][3], 10000,
	    "10000 of them 4xx");
	is_int((long long)c.signatures, 200000, "200000 signatures");
	{
		uint64_t n = 0;

		for (i = 0; i < METRICS_BUCKETS; i++)
			n += c.latency[METRICS_ROUTE_SIGN][i];
		ok(n == 100000 && c.rate_limited == 10000 &&
		    c.latency_sum_us[METRICS_ROUTE_SIGN] ==
		    4ULL * (24999ULL * 25000ULL / 2),
		    "histogram count, sum and rate_limited exact");
	}
	ok(metrics_route_of("sign") == METRICS_ROUTE_SIGN &&
	    metrics_route_of("batch") == METRICS_ROUTE_BATCH &&
	    metrics_route_of("healthz") == METRICS_ROUTE_HEALTHZ &&
	    metrics_route_of("metrics") == METRICS_ROUTE_METRICS &&
	    metrics_route_of("callback") == METRICS_ROUTE_CALLBACK &&
	    metrics_route_of("s3-complete") == METRICS_ROUTE_S3 &&
	    metrics_route_of("preflight") == METRICS_ROUTE_OTHER &&
	    metrics_route_of("nothing") == METRICS_ROUTE_OTHER &&
	    metrics_route_of(NULL) == METRICS_ROUTE_OTHER,
	    "metrics_route_of: the route table's row names, s3* together, "
	    "anything else other");
	munmap(mem, METRICS_SIZE);
	return tap_done();
}
