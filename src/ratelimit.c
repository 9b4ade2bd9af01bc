/* Token buckets in a shared hash table; see ratelimit.h. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "ratelimit.h"
#include "util.h"

#define RATELIMIT_MAGIC		0x6f73736967726c31ULL	/* "ossigrl1" */
#define RATELIMIT_VERSION	2	/* 2: SipHash slots */
#define RATELIMIT_KEYLEN	16

struct ratelimit_slot {
	unsigned char	 key[RATELIMIT_KEYLEN];	/* all zero: free */
	uint32_t	 tag;		/* which rate the bucket counts by */
	uint32_t	 unused;
	uint64_t	 tokens;	/* tokens × period_ms */
	int64_t		 last_ms;	/* last refill */
	int64_t		 full_ms;	/* the bucket is full again at this time */
};

struct ratelimit_table {
	uint64_t	 magic;
	uint32_t	 version;
	uint32_t	 nslots;
	uint32_t	 slot_size;	/* sizeof(struct ratelimit_slot) */
	uint32_t	 mutex_size;	/* sizeof(pthread_mutex_t) */
	uint64_t	 size;		/* bytes of the whole table */
	unsigned char	 salt[32];
	pthread_mutex_t	 lock;
	struct ratelimit_slot slots[];
};

static const struct {
	const char	*unit;
	long long	 ms;
} ratelimit_units[] = {
	{ "s", 1000 },
	{ "min", 60 * 1000 },
	{ "h", 60 * 60 * 1000 },
};

/* A positive decimal without sign or leading zero in 1..max. */
static int
ratelimit_number(const char *s, size_t len, long long max, long long *out)
{
	char buf[24];

	if (len == 0 || len >= sizeof(buf) || s[0] < '1' || s[0] > '9')
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return util_strtonum(buf, 1, max, out, NULL);
}

int
ratelimit_parse(const char *rate, const char *burst, struct ratelimit_rate *r,
    char *why, size_t whylen)
{
	struct ratelimit_rate v;
	const char *slash;
	size_t i;

	if ((slash = strchr(rate, '/')) == NULL ||
	    ratelimit_number(rate, (size_t)(slash - rate), LIMIT_RATE_COUNT,
	    &v.count) == -1) {
		snprintf(why, whylen, "rate_limit must be N/s, N/min or N/h "
		    "with N in 1..%d", LIMIT_RATE_COUNT);
		return -1;
	}
	for (i = 0; i < sizeof(ratelimit_units) / sizeof(ratelimit_units[0]);
	    i++)
		if (strcmp(slash + 1, ratelimit_units[i].unit) == 0)
			break;
	if (i == sizeof(ratelimit_units) / sizeof(ratelimit_units[0])) {
		snprintf(why, whylen, "rate_limit must be N/s, N/min or N/h");
		return -1;
	}
	v.period_ms = ratelimit_units[i].ms;
	v.burst = v.count;
	if (burst != NULL && ratelimit_number(burst, strlen(burst),
	    LIMIT_RATE_BURST, &v.burst) == -1) {
		snprintf(why, whylen, "rate_burst must be a number in 1..%d",
		    LIMIT_RATE_BURST);
		return -1;
	}
	*r = v;
	return 0;
}

size_t
ratelimit_size(size_t nslots)
{
	if (nslots < LIMIT_RATE_SLOTS_MIN || nslots > LIMIT_RATE_SLOTS_MAX ||
	    (nslots & (nslots - 1)) != 0)
		return 0;
	return sizeof(struct ratelimit_table) +
	    nslots * sizeof(struct ratelimit_slot);
}

int
ratelimit_init(void *region, size_t len, size_t nslots,
    const unsigned char salt[32])
{
	struct ratelimit_table *t = region;
	pthread_mutexattr_t attr;
	size_t size = ratelimit_size(nslots);
	int rc;

	if (size == 0 || len < size)
		return -1;
	memset(t, 0, size);
	if (pthread_mutexattr_init(&attr) != 0)
		return -1;
	rc = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED) ||
	    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST) ||
	    pthread_mutex_init(&t->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	if (rc != 0)
		return -1;
	memcpy(t->salt, salt, sizeof(t->salt));
	t->version = RATELIMIT_VERSION;
	t->nslots = (uint32_t)nslots;
	t->slot_size = sizeof(struct ratelimit_slot);
	t->mutex_size = sizeof(pthread_mutex_t);
	t->size = size;
	/* The magic last: a half-made table is never attached. */
	__atomic_store_n(&t->magic, RATELIMIT_MAGIC, __ATOMIC_RELEASE);
	return 0;
}

struct ratelimit_table *
ratelimit_attach(void *region, size_t len)
{
	struct ratelimit_table *t = region;

	if (len < sizeof(*t) ||
	    __atomic_load_n(&t->magic, __ATOMIC_ACQUIRE) != RATELIMIT_MAGIC ||
	    t->version != RATELIMIT_VERSION ||
	    t->slot_size != sizeof(struct ratelimit_slot) ||
	    t->mutex_size != sizeof(pthread_mutex_t) ||
	    ratelimit_size(t->nslots) == 0 || t->size != ratelimit_size(t->nslots) ||
	    t->size > len)
		return NULL;
	return t;
}

/*
 * The keyed hash of (scope, key): SipHash-2-4 under each half of the salt,
 * 128 bits (it was HMAC-SHA256, 13,000 instructions a request through
 * OpenSSL 3; table version 1); never all zero (that marks a free slot).
 */
static int
ratelimit_hash(const struct ratelimit_table *t, const char *scope,
    const char *key, unsigned char out[RATELIMIT_KEYLEN])
{
	unsigned char msg[2 * LIMIT_RATE_KEY + 2];
	unsigned long long h[2];
	size_t sl = strlen(scope), kl = strlen(key);

	if (sl > LIMIT_RATE_KEY || kl > LIMIT_RATE_KEY)
		return -1;
	/* scope NUL key: no two pairs give one message. */
	memcpy(msg, scope, sl + 1);
	memcpy(msg + sl + 1, key, kl);
	h[0] = crypto_siphash24(t->salt, msg, sl + 1 + kl);
	h[1] = crypto_siphash24(t->salt + 16, msg, sl + 1 + kl);
	memcpy(out, h, RATELIMIT_KEYLEN);
	out[0] |= 1;
	return 0;
}

static uint32_t
ratelimit_tag(const struct ratelimit_rate *r)
{
	uint64_t v[3] = { (uint64_t)r->count, (uint64_t)r->period_ms,
	    (uint64_t)r->burst };
	uint32_t h = 2166136261u;	/* FNV-1a over the three numbers */
	size_t i;

	for (i = 0; i < sizeof(v); i++)
		h = (h ^ ((const unsigned char *)v)[i]) * 16777619u;
	return h;
}

static int
ratelimit_free_slot(const struct ratelimit_slot *s)
{
	static const unsigned char zero[RATELIMIT_KEYLEN];

	return memcmp(s->key, zero, sizeof(zero)) == 0;
}

/* The slot of hash in its window, a fresh one if it has none. */
static struct ratelimit_slot *
ratelimit_slot(struct ratelimit_table *t, const unsigned char *hash,
    long long now, int *isnew, int *evicted)
{
	struct ratelimit_slot *s, *free = NULL, *full = NULL, *old = NULL;
	uint32_t mask = t->nslots - 1, start, i;

	memcpy(&start, hash + 4, sizeof(start));
	for (i = 0; i < LIMIT_RATE_PROBE; i++) {
		s = &t->slots[(start + i) & mask];
		if (memcmp(s->key, hash, RATELIMIT_KEYLEN) == 0) {
			*isnew = 0;
			return s;
		}
		if (ratelimit_free_slot(s)) {
			if (free == NULL)
				free = s;
		} else if (s->full_ms <= now) {
			if (full == NULL)
				full = s;
		} else if (old == NULL || s->last_ms < old->last_ms)
			old = s;
	}
	*isnew = 1;
	if (free != NULL)
		return free;
	if (full != NULL)
		return full;
	*evicted = 1;
	return old;
}

enum ratelimit_verdict
ratelimit_take(struct ratelimit_table *t, const struct ratelimit_rate *r,
    const char *scope, const char *key, long long n, long long now,
    struct ratelimit_result *res)
{
	unsigned char hash[RATELIMIT_KEYLEN];
	struct ratelimit_slot *s;
	enum ratelimit_verdict v;
	uint64_t cap, need, delta, fill;
	uint32_t tag;
	int isnew = 0, rc;

	memset(res, 0, sizeof(*res));
	if (t == NULL || r->count < 1 || r->count > LIMIT_RATE_COUNT ||
	    r->burst < 1 || r->burst > LIMIT_RATE_BURST ||
	    (r->period_ms != 1000 && r->period_ms != 60000 &&
	    r->period_ms != 3600000) || n < 1 || now < 0 ||
	    ratelimit_hash(t, scope, key, hash) == -1)
		return RATELIMIT_ERROR;
	if (n > r->burst)
		return RATELIMIT_NEVER;
	cap = (uint64_t)r->burst * (uint64_t)r->period_ms;
	need = (uint64_t)n * (uint64_t)r->period_ms;
	tag = ratelimit_tag(r);

	if ((rc = pthread_mutex_lock(&t->lock)) == EOWNERDEAD) {
		/* Its holder died mid-update: start afresh rather than trust
		 * a half-written slot. */
		memset(t->slots, 0, (size_t)t->nslots * sizeof(t->slots[0]));
		pthread_mutex_consistent(&t->lock);
		res->reset = 1;
	} else if (rc != 0)
		return RATELIMIT_ERROR;

	s = ratelimit_slot(t, hash, now, &isnew, &res->evicted);
	if (isnew || s->tag != tag) {
		memcpy(s->key, hash, sizeof(s->key));
		s->tag = tag;
		s->tokens = cap;
		s->last_ms = now;
	} else if (now > s->last_ms) {
		delta = (uint64_t)(now - s->last_ms);
		/* Refill, without overflow: past the time to full it is full. */
		fill = (cap - s->tokens + (uint64_t)r->count - 1) /
		    (uint64_t)r->count;
		s->tokens = delta >= fill ? cap :
		    s->tokens + delta * (uint64_t)r->count;
		if (s->tokens > cap)
			s->tokens = cap;
		s->last_ms = now;
	}
	if (s->tokens >= need) {
		s->tokens -= need;
		v = RATELIMIT_ALLOW;
	} else {
		/* Milliseconds until n tokens, then whole seconds up. */
		delta = (need - s->tokens + (uint64_t)r->count - 1) /
		    (uint64_t)r->count;
		res->retry_after = (long long)((delta + 999) / 1000);
		if (res->retry_after < 1)
			res->retry_after = 1;
		v = RATELIMIT_DENY;
	}
	res->remaining = (long long)(s->tokens / (uint64_t)r->period_ms);
	s->full_ms = s->last_ms + (int64_t)((cap - s->tokens +
	    (uint64_t)r->count - 1) / (uint64_t)r->count);
	pthread_mutex_unlock(&t->lock);
	return v;
}
