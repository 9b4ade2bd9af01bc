/*
 * Rate limits: parsing, exact token arithmetic, the table's forgetting and
 * eviction, and 4 forked processes hammering one shared mapping (counted
 * exactly), plus processes killed mid-run not wedging the lock.
 */
#include <sys/mman.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ratelimit.h"
#include "tap.h"

static const unsigned char SALT[32];	/* fixed: the tests are repeatable */

static int
parses(const char *rate, const char *burst, long long count, long long period,
    long long b)
{
	struct ratelimit_rate r;
	char why[128];

	return ratelimit_parse(rate, burst, &r, why, sizeof(why)) == 0 &&
	    r.count == count && r.period_ms == period && r.burst == b;
}

static int
refused(const char *rate, const char *burst)
{
	struct ratelimit_rate r = { 7, 7, 7 };
	char why[128];

	return ratelimit_parse(rate, burst, &r, why, sizeof(why)) == -1 &&
	    r.count == 7 && why[0] != '\0';
}

static void *
region(size_t nslots, size_t *len)
{
	void *p;

	*len = ratelimit_size(nslots);
	p = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	    -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static struct ratelimit_table *
table(size_t nslots, void **mem, size_t *len)
{
	*mem = region(nslots, len);
	if (*mem == NULL || ratelimit_init(*mem, *len, nslots, SALT) == -1)
		return NULL;
	return ratelimit_attach(*mem, *len);
}

static struct ratelimit_result res;

static enum ratelimit_verdict
take(struct ratelimit_table *t, const struct ratelimit_rate *r,
    const char *key, long long n, long long now)
{
	return ratelimit_take(t, r, "default", key, n, now, &res);
}

#define T0	1767225600000LL		/* ms */

/* Counts a child leaves in the shared page. */
struct counts {
	long long	 shared_ok, shared_no, own_ok, own_no, evicted, errors;
};

static void
hammer(struct ratelimit_table *t, struct counts *c, int id)
{
	struct ratelimit_rate shared = { 1, 3600000, 1000 };
	struct ratelimit_rate own = { 1, 3600000, 1 };
	struct ratelimit_result rr;
	char key[64];
	int i, k;

	for (i = 0; i < 500; i++) {
		switch (ratelimit_take(t, &shared, "default", "u:shared", 1,
		    T0, &rr)) {
		case RATELIMIT_ALLOW: c->shared_ok++; break;
		case RATELIMIT_DENY: c->shared_no++; break;
		default: c->errors++;
		}
		c->evicted += rr.evicted;
		if (i % 5 != 0)
			continue;
		/* 100 keys of its own, twice each: one passes, one not. */
		for (k = 0; k < 2; k++) {
			snprintf(key, sizeof(key), "a:10.0.%d.%d", id, i / 5);
			switch (ratelimit_take(t, &own, "default", key, 1, T0,
			    &rr)) {
			case RATELIMIT_ALLOW: c->own_ok++; break;
			case RATELIMIT_DENY: c->own_no++; break;
			default: c->errors++;
			}
			c->evicted += rr.evicted;
		}
	}
}

int
main(void)
{
	struct ratelimit_rate r3s, r10m, r1h, rb, lru;
	struct ratelimit_table *t;
	struct counts *cs, sum;
	void *mem;
	size_t len;
	pid_t pids[4], pid;
	char key[32], why[128];
	int i, st, allok, evicted, first, resets = 0, hung = 0;
	long long now;

	tap_plan(53);

	/* Parsing, strictly. */
	ok(parses("10/s", NULL, 10, 1000, 10), "10/s, burst defaults to 10");
	ok(parses("5/min", "20", 5, 60000, 20), "5/min burst 20");
	ok(parses("1/h", NULL, 1, 3600000, 1), "1/h");
	ok(parses("1000000/s", "1000000", 1000000, 1000, 1000000),
	    "the largest rate and burst");
	ok(refused("", NULL) && refused("10", NULL) && refused("10/", NULL) &&
	    refused("/s", NULL), "missing parts refused");
	ok(refused("0/s", NULL) && refused("-1/s", NULL) &&
	    refused("+1/s", NULL) && refused("01/s", NULL) &&
	    refused("1000001/s", NULL), "N out of range or not plain");
	ok(refused("10/sec", NULL) && refused("10/S", NULL) &&
	    refused("10/m", NULL) && refused("10/d", NULL),
	    "units other than s, min, h refused");
	ok(refused(" 10/s", NULL) && refused("10/s ", NULL) &&
	    refused("10 /s", NULL) && refused("10/ s", NULL),
	    "spaces refused");
	ok(refused("10/s", "0") && refused("10/s", "01") &&
	    refused("10/s", "x") && refused("10/s", "") &&
	    refused("10/s", "1000001"), "bad bursts refused");

	/* Sizes, init, attach. */
	ok(ratelimit_size(15) == 0 && ratelimit_size(8) == 0 &&
	    ratelimit_size(24) == 0 &&
	    ratelimit_size(LIMIT_RATE_SLOTS_MAX * 2) == 0,
	    "only powers of two in range");
	ok(ratelimit_size(DEFAULT_RATE_SLOTS) > 0 &&
	    ratelimit_size(DEFAULT_RATE_SLOTS) < 256 * 1024,
	    "the default table is under 256 KiB (%zu bytes)",
	    ratelimit_size(DEFAULT_RATE_SLOTS));
	mem = region(16, &len);
	ok(mem != NULL && ratelimit_attach(mem, len) == NULL,
	    "zeroed memory is not a table");
	ok(ratelimit_init(mem, len - 1, 16, SALT) == -1,
	    "init refuses a short region");
	ok(ratelimit_init(mem, len, 16, SALT) == 0 &&
	    (t = ratelimit_attach(mem, len)) != NULL, "init, then attach");
	ok(ratelimit_attach(mem, len - 1) == NULL,
	    "attach refuses a region shorter than the table");
	((unsigned char *)mem)[8] ^= 0xff;	/* the version */
	ok(ratelimit_attach(mem, len) == NULL, "attach refuses another version");
	munmap(mem, len);

	/* Exact arithmetic. */
	t = table(64, &mem, &len);
	ratelimit_parse("3/s", NULL, &r3s, why, sizeof(why));
	allok = 1;
	for (i = 0; i < 3; i++)
		allok &= take(t, &r3s, "u:a", 1, T0) == RATELIMIT_ALLOW &&
		    res.remaining == 2 - i;
	ok(allok, "3/s: three pass at once, remaining 2, 1, 0");
	ok(take(t, &r3s, "u:a", 1, T0) == RATELIMIT_DENY &&
	    res.retry_after == 1, "the fourth waits 1 s");
	ok(take(t, &r3s, "u:a", 1, T0 + 333) == RATELIMIT_DENY,
	    "at +333 ms: 0.999 of a token");
	ok(take(t, &r3s, "u:a", 1, T0 + 334) == RATELIMIT_ALLOW &&
	    res.remaining == 0, "at +334 ms: one token (1/3 s, exactly)");
	ok(take(t, &r3s, "u:a", 1, T0 + 667) == RATELIMIT_ALLOW,
	    "at +667 ms: the next");
	ok(take(t, &r3s, "u:a", 3, T0 + 667 + 3000) == RATELIMIT_ALLOW,
	    "3 s later the bucket is full: 3 at once");
	ok(take(t, &r3s, "u:a", 1, T0 + 667 + 10000) == RATELIMIT_ALLOW &&
	    res.remaining == 2, "refilling stops at the burst");

	ratelimit_parse("10/min", NULL, &r10m, why, sizeof(why));
	for (i = 0; i < 10; i++)
		take(t, &r10m, "u:b", 1, T0);
	ok(take(t, &r10m, "u:b", 1, T0) == RATELIMIT_DENY &&
	    res.retry_after == 6, "10/min: the 11th waits 6 s");
	ok(take(t, &r10m, "u:b", 1, T0 + 5999) == RATELIMIT_DENY &&
	    res.retry_after == 1, "at +5.999 s: 1 s more (rounded up)");
	ok(take(t, &r10m, "u:b", 1, T0 + 6000) == RATELIMIT_ALLOW,
	    "at +6 s: one more");

	ratelimit_parse("1/h", NULL, &r1h, why, sizeof(why));
	ok(take(t, &r1h, "u:c", 1, T0) == RATELIMIT_ALLOW, "1/h: one");
	ok(take(t, &r1h, "u:c", 1, T0) == RATELIMIT_DENY &&
	    res.retry_after == 3600, "then 3600 s");
	ok(take(t, &r1h, "u:c", 1, T0 - 5000) == RATELIMIT_DENY &&
	    res.retry_after == 3600, "a clock gone back refills nothing");
	ok(take(t, &r1h, "u:c", 1, T0 + 3599999) == RATELIMIT_DENY &&
	    res.retry_after == 1, "1 ms short: 1 s");
	ok(take(t, &r1h, "u:c", 1, T0 + 3600000) == RATELIMIT_ALLOW,
	    "after an hour: one");

	/* Batches: n tokens at once, all or none. */
	ratelimit_parse("10/min", "10", &rb, why, sizeof(why));
	ok(take(t, &rb, "u:d", 7, T0) == RATELIMIT_ALLOW && res.remaining == 3,
	    "a batch of 7 takes 7");
	ok(take(t, &rb, "u:d", 4, T0) == RATELIMIT_DENY &&
	    res.retry_after == 6 && res.remaining == 3,
	    "a batch of 4 with 3 left: refused, nothing taken, 6 s");
	ok(take(t, &rb, "u:d", 3, T0) == RATELIMIT_ALLOW && res.remaining == 0,
	    "a batch of 3 then passes");
	ok(take(t, &rb, "u:d", 11, T0 + 3600000) == RATELIMIT_NEVER,
	    "a batch above the burst can never pass");
	ok(take(t, &rb, "u:d", 0, T0) == RATELIMIT_ERROR &&
	    take(t, &rb, "u:d", -1, T0) == RATELIMIT_ERROR,
	    "n < 1 is an error");

	/* Keys and scopes are separate; a changed rate starts afresh. */
	ok(take(t, &r1h, "u:e", 1, T0) == RATELIMIT_ALLOW &&
	    take(t, &r1h, "u:e", 1, T0) == RATELIMIT_DENY &&
	    take(t, &r1h, "u:f", 1, T0) == RATELIMIT_ALLOW &&
	    ratelimit_take(t, &r1h, "avatars", "u:e", 1, T0, &res) ==
	    RATELIMIT_ALLOW, "another key or scope has its own bucket");
	ok(take(t, &r10m, "u:e", 1, T0) == RATELIMIT_ALLOW,
	    "another rate for the key: a fresh bucket");
	ok(ratelimit_take(t, &r1h, "default", "", 1, T0, &res) ==
	    RATELIMIT_ALLOW, "an empty key is a key");
	{
		char big[LIMIT_RATE_KEY + 2];

		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		ok(take(t, &r1h, big, 1, T0) == RATELIMIT_ERROR,
		    "a key over LIMIT_RATE_KEY bytes is an error");
	}
	munmap(mem, len);

	/* A small table forgets: free slots first, then full-again ones,
	 * then the least recently used of the window. */
	t = table(16, &mem, &len);
	first = 0;
	for (i = 0; i < 200; i++) {
		snprintf(key, sizeof(key), "u:%d", i);
		if (take(t, &r1h, key, 1, T0 + i) != RATELIMIT_ALLOW)
			break;
		if (res.evicted && first == 0)
			first = i + 1;
		evicted = res.evicted;
		if (i >= 100 && !evicted)
			break;
	}
	is_int(i, 200, "a full table still admits new keys (200 into 16)");
	ok(first >= 9 && first <= 17, "the first eviction came with key %d "
	    "(9..17: a window is 8 slots, the table 16)", first);
	ok(take(t, &r1h, "u:new", 1, T0 + 200) == RATELIMIT_ALLOW &&
	    res.evicted == 1, "a full table of live buckets evicts one");
	ok(take(t, &r1h, "u:later", 1, T0 + 3600000 + 300) == RATELIMIT_ALLOW &&
	    res.evicted == 0, "an hour on every bucket is full again: reused, "
	    "nothing evicted");
	munmap(mem, len);

	t = table(16, &mem, &len);
	lru.count = 1;
	lru.period_ms = 3600000;
	lru.burst = 1000;
	allok = 1;
	for (i = 0; i < 500; i++) {
		allok &= take(t, &lru, "u:hot", 1, T0 + 2 * i) ==
		    RATELIMIT_ALLOW;
		snprintf(key, sizeof(key), "u:cold%d", i);
		take(t, &r1h, key, 1, T0 + 2 * i + 1);
	}
	allok &= take(t, &lru, "u:hot", 1, T0 + 1000) == RATELIMIT_ALLOW;
	ok(allok && res.remaining == 1000 - 501, "a key in use is never the "
	    "one evicted: 501 taken, exactly %lld left", res.remaining);
	munmap(mem, len);

	/* Four processes, one mapping, counted exactly. */
	t = table(16384, &mem, &len);
	cs = mmap(NULL, 4 * sizeof(*cs), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	memset(cs, 0, 4 * sizeof(*cs));
	fflush(stdout);
	for (i = 0; i < 4; i++)
		if ((pids[i] = fork()) == 0) {
			hammer(t, &cs[i], i);
			_exit(0);
		}
	allok = 1;
	for (i = 0; i < 4; i++)
		allok &= waitpid(pids[i], &st, 0) == pids[i] &&
		    WIFEXITED(st) && WEXITSTATUS(st) == 0;
	memset(&sum, 0, sizeof(sum));
	for (i = 0; i < 4; i++) {
		sum.shared_ok += cs[i].shared_ok;
		sum.shared_no += cs[i].shared_no;
		sum.own_ok += cs[i].own_ok;
		sum.own_no += cs[i].own_no;
		sum.evicted += cs[i].evicted;
		sum.errors += cs[i].errors;
	}
	ok(allok, "4 processes ran");
	is_int(sum.shared_ok, 1000, "one shared bucket of 1000: exactly 1000 "
	    "of 2000 passed");
	is_int(sum.shared_no, 1000, "and exactly 1000 were refused");
	is_int(sum.own_ok, 400, "400 keys of their own: one pass each");
	is_int(sum.own_no, 400, "and one refusal each");
	ok(sum.evicted == 0 && sum.errors == 0, "no eviction, no error");
	lru.burst = 1000;	/* the children's rate */
	ok(take(t, &lru, "u:shared", 1, T0) == RATELIMIT_DENY,
	    "the parent sees the children's bucket empty");

	/* Processes killed at any moment never wedge the lock. */
	signal(SIGALRM, SIG_DFL);
	for (i = 0; i < 20; i++) {
		if ((pid = fork()) == 0) {
			for (now = 0;; now++)
				take(t, &r1h, (now & 1) ? "u:x" : "u:y", 1,
				    T0 + now);
		}
		usleep(2000 + 300 * i);
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		if ((pid = fork()) == 0) {
			alarm(10);	/* a wedged lock: SIGALRM kills us */
			take(t, &r1h, "u:z", 1, T0);
			_exit(res.reset ? 3 : 0);
		}
		waitpid(pid, &st, 0);
		if (!WIFEXITED(st))
			hung++;
		else if (WEXITSTATUS(st) == 3)
			resets++;
	}
	ok(hung == 0, "20 processes killed mid-run: the next taker never "
	    "hung (%d found the lock's holder dead and reset)", resets);
	munmap(cs, 4 * sizeof(*cs));
	munmap(mem, len);
	return tap_done();
}
