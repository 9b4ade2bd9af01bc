/*
 * Rate limits shared by every process on the host (issue 11): a token
 * bucket per (scope, key) in a fixed-size open-addressing hash table that
 * lives in a memory region the caller provides (a file in cache_dir mapped
 * MAP_SHARED by every FastCGI worker and CGI run; an anonymous shared
 * mapping in the tests).  Pure: the time comes in as an argument, the
 * region is never grown, nothing is read or written outside it.
 *
 * Arithmetic, exact in integers: a bucket of `burst` tokens refills at
 * `count` tokens per `period_ms`.  Tokens are kept multiplied by
 * period_ms, so refilling adds count per elapsed millisecond and a token
 * costs period_ms: 3/s refills one token every 333.33 ms with no
 * rounding.  A new key starts with a full bucket; a request for n tokens
 * (a batch of n signatures) passes when n are there and takes them all,
 * or is refused taking none, with the seconds until n are there.
 *
 * The table: nslots (a power of two) slots of a 128-bit keyed hash of
 * (scope, key) (SipHash-2-4 under each half of the salt), keyed by a
 * random salt chosen when the table is made so that no client can aim at
 * a slot.  A key lives in one of the
 * LIMIT_RATE_PROBE slots from its hash; a new key takes a free slot, else
 * one whose bucket is full again (it remembers nothing a new one would
 * not), else the slot of the window used least recently (res->evicted
 * says so: that key's count is forgotten, the table is too small).  So
 * the table never grows and forgets old entries by itself.
 *
 * The lock: a process-shared robust pthread mutex in the region.  Taken
 * for a few hundred nanoseconds per request; uncontended it costs no
 * system call (flock would cost two per request); a process that dies
 * holding it (kill -9 mid-update) does not wedge the others: the next
 * locker gets EOWNERDEAD, clears the table (the dead process may have
 * left one slot half-written) and carries on.  The mutex's bytes depend
 * on the C library's ABI: its size is in the header, and ratelimit_attach
 * refuses a table made by another one, as it refuses another version.
 */
#ifndef OSSIGN_RATELIMIT_H
#define OSSIGN_RATELIMIT_H

#include <stddef.h>

#include "limit.h"

struct ratelimit_rate {
	long long	 count;		/* tokens per period, 1..LIMIT_RATE_COUNT */
	long long	 period_ms;	/* 1000, 60000 or 3600000 */
	long long	 burst;		/* bucket size, 1..LIMIT_RATE_BURST */
};

/*
 * Parse rate_limit ("N/s", "N/min" or "N/h": N in 1..LIMIT_RATE_COUNT
 * without sign, spaces or leading zeros) and rate_burst (NULL: N, else a
 * number in 1..LIMIT_RATE_BURST written the same way) into r.  Returns 0,
 * or -1 with the reason in why.
 */
int	 ratelimit_parse(const char *rate, const char *burst,
	    struct ratelimit_rate *r, char *why, size_t whylen);

/* A table in a region, as ratelimit_attach returns it; opaque. */
struct ratelimit_table;

/*
 * Bytes a table of nslots slots needs (nslots a power of two in
 * LIMIT_RATE_SLOTS_MIN..LIMIT_RATE_SLOTS_MAX), or 0 for another nslots.
 */
size_t	 ratelimit_size(size_t nslots);

/*
 * Make a new empty table of nslots slots in region (len bytes, at least
 * ratelimit_size(nslots), aligned for a pointer, zero or not), with salt
 * (32 random bytes from the caller) keying the hash.  For a file: do it
 * on a new file before other processes can map it (statedir's temporary
 * file, then rename).  Returns 0, or -1 (bad size, the mutex could not be
 * made).
 */
int	 ratelimit_init(void *region, size_t len, size_t nslots,
	    const unsigned char salt[32]);

/*
 * The table in region (len bytes, mapped shared), or NULL when region
 * does not hold a table of this version, this C library's mutex and a
 * size that matches len: the caller then makes a new file.
 */
struct ratelimit_table *ratelimit_attach(void *region, size_t len);

enum ratelimit_verdict {
	RATELIMIT_ALLOW,	/* the tokens were there and are taken */
	RATELIMIT_DENY,		/* not now: retry_after says when */
	RATELIMIT_NEVER,	/* n > burst: no wait is enough */
	RATELIMIT_ERROR		/* bad arguments or the lock failed */
};

struct ratelimit_result {
	long long	 retry_after;	/* DENY: whole seconds, >= 1 */
	long long	 remaining;	/* whole tokens left after this */
	int		 evicted;	/* a live key was dropped for this one */
	int		 reset;		/* the table was cleared (EOWNERDEAD) */
};

/*
 * Take n tokens (1..LIMIT_RATE_BURST) from the bucket of (scope, key)
 * under rate r at now_ms (milliseconds since the epoch; a clock that goes
 * back refills nothing).  scope is the upload section (each has its own
 * rate), key what is counted: "u:" and the user, or "a:" and the client
 * address; each at most LIMIT_RATE_KEY bytes.  The same (scope, key) must
 * always come with the same r; a changed r starts a fresh bucket.  Fills
 * res (zeroed first) and returns the verdict.
 */
enum ratelimit_verdict ratelimit_take(struct ratelimit_table *t,
	    const struct ratelimit_rate *r, const char *scope, const char *key,
	    long long n, long long now_ms, struct ratelimit_result *res);

#endif /* OSSIGN_RATELIMIT_H */
