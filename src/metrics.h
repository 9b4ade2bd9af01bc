/*
 * ossign's counters, shared by every FastCGI worker and CGI run on the
 * host (issue 11): a fixed-size versioned block of 64-bit slots in a
 * memory region the caller provides (a file in cache_dir mapped MAP_SHARED;
 * an anonymous shared mapping in the tests), updated with lock-free
 * atomic adds, so counting costs the signing path no lock and no system
 * call.  A snapshot copies every slot; metrics_write renders one as the
 * Prometheus text format (src/prom.c).  Pure: time and memory come in as
 * arguments.
 *
 * The file (version 1, native byte order, METRICS_SIZE bytes):
 *	offset 0	u64 magic "ossigmt1"
 *	8		u32 version (1)
 *	12		u32 size of struct metrics_counts
 *	16		u64 created, unix seconds
 *	24		u64 reserved
 *	32		struct metrics_counts: u64 slots, in its declared order
 *	...		zero up to METRICS_SIZE (room for counters added
 *			without a new version: a new member goes last, the
 *			size field grows, old files are refused and remade)
 * A reader that finds another magic, version or size makes a new file
 * (statedir: temporary file, ftruncate, metrics_init, link or rename).
 * 64-bit atomics must be lock-free (checked at compile time): a C library
 * that emulated them with a lock would keep that lock per process.
 */
#ifndef OSSIGN_METRICS_H
#define OSSIGN_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Routes, by the responder's dispatch (label route=). */
enum metrics_route {
	METRICS_ROUTE_SIGN,		/* GET: one signature */
	METRICS_ROUTE_BATCH,		/* POST JSON: a batch */
	METRICS_ROUTE_PREFLIGHT,	/* OPTIONS */
	METRICS_ROUTE_CALLBACK,		/* OSS upload callbacks (issue 10) */
	METRICS_ROUTE_HEALTHZ,
	METRICS_ROUTE_METRICS,
	METRICS_ROUTE_S3,		/* Companion's S3 routes (issue 12) */
	METRICS_ROUTE_OTHER,		/* anything refused before a route */
	METRICS_ROUTE__MAX
};

/*
 * The route of a route table row's name (route.h): "sign", "batch",
 * "callback", "healthz", "metrics", and every name starting with "s3"
 * (the Companion routes); METRICS_ROUTE_OTHER for NULL or another name.
 * Preflights are the responder's to name (they have no row).
 */
enum metrics_route metrics_route_of(const char *name);

/* Status classes 1xx..5xx (label code="2xx"). */
#define METRICS_CLASSES	5

/* Credential sources that make calls (label source=). */
enum metrics_source {
	METRICS_SOURCE_RAM_ROLE_ARN,
	METRICS_SOURCE_ECS_RAM_ROLE,
	METRICS_SOURCE_OIDC_ROLE_ARN,
	METRICS_SOURCE_CREDENTIALS_URI,
	METRICS_SOURCE__MAX
};

/* How a credential call ended (label result=), as creds.c answers. */
enum metrics_call {
	METRICS_CALL_OK,
	METRICS_CALL_REFUSED,		/* 502 credentials_refused */
	METRICS_CALL_UNAVAILABLE,	/* 503 credentials_unavailable */
	METRICS_CALL__MAX
};

/* Where a request's credentials came from (label result=). */
enum metrics_cache {
	METRICS_CACHE_PROCESS,		/* this process's copy */
	METRICS_CACHE_FILE,		/* the shared cache file */
	METRICS_CACHE_MISS,		/* the source was asked */
	METRICS_CACHE__MAX
};

/* How an OSS callback ended (label result=). */
enum metrics_callback {
	METRICS_CALLBACK_DELIVERED,
	METRICS_CALLBACK_BAD_SIGNATURE,
	METRICS_CALLBACK_BAD_KEY_URL,
	METRICS_CALLBACK_BAD_TICKET,
	METRICS_CALLBACK_MALFORMED,
	METRICS_CALLBACK_FORWARD_FAILED,
	METRICS_CALLBACK__MAX
};

/* Refused authentications (label method=). */
enum metrics_auth {
	METRICS_AUTH_REMOTE_USER,	/* no or a bad REMOTE_USER */
	METRICS_AUTH_JWT,		/* no or a bad token */
	METRICS_AUTH__MAX
};

/* Latency buckets: upper bounds in microseconds, then +Inf. */
#define METRICS_BOUNDS	14
#define METRICS_BUCKETS	(METRICS_BOUNDS + 1)
extern const uint64_t metrics_bounds_us[METRICS_BOUNDS];

/* Every counter; all uint64_t, so a snapshot copies slot by slot. */
struct metrics_counts {
	uint64_t	 requests[METRICS_ROUTE__MAX][METRICS_CLASSES];
	uint64_t	 latency[METRICS_ROUTE__MAX][METRICS_BUCKETS];
	uint64_t	 latency_sum_us[METRICS_ROUTE__MAX];
	uint64_t	 signatures;
	uint64_t	 cred_calls[METRICS_SOURCE__MAX][METRICS_CALL__MAX];
	uint64_t	 cache[METRICS_CACHE__MAX];
	uint64_t	 cred_expiry;	/* gauge: unix seconds, 0 unknown */
	uint64_t	 callbacks[METRICS_CALLBACK__MAX];
	uint64_t	 rate_limited;
	uint64_t	 auth_refused[METRICS_AUTH__MAX];
};

struct metrics_block {
	uint64_t		 magic;
	uint32_t		 version;
	uint32_t		 counts_size;
	uint64_t		 created;
	uint64_t		 reserved;
	struct metrics_counts	 c;
};

#define METRICS_SIZE	4096	/* bytes of the file: one page */

/*
 * Make a new block in region (len >= METRICS_SIZE bytes, 8-byte aligned):
 * zeroes it, stamps created = now, and publishes the magic last.  For a
 * file, before any other process maps it.  Returns 0 or -1.
 */
int	 metrics_init(void *region, size_t len, time_t now);

/* The block in region, or NULL when it is not one of this version/size. */
struct metrics_block *metrics_attach(void *region, size_t len);

/*
 * Count one request: its route, HTTP status (100..599; others count as
 * 5xx) and latency in microseconds.  Every update below is a relaxed
 * atomic add; b may be NULL (metrics off): nothing happens.
 */
void	 metrics_request(struct metrics_block *b, enum metrics_route route,
	    int status, uint64_t latency_us);
/* n signatures issued (a batch of n counts n). */
void	 metrics_signatures(struct metrics_block *b, uint64_t n);
void	 metrics_cred_call(struct metrics_block *b, enum metrics_source src,
	    enum metrics_call result);
void	 metrics_cache(struct metrics_block *b, enum metrics_cache result);
/* The expiry of the credentials now in use (a store, not an add). */
void	 metrics_cred_expiry(struct metrics_block *b, time_t expires);
void	 metrics_callback(struct metrics_block *b,
	    enum metrics_callback result);
void	 metrics_rate_limited(struct metrics_block *b);
void	 metrics_auth_refused(struct metrics_block *b, enum metrics_auth m);

/* Copy every counter of b into out (each slot read atomically). */
void	 metrics_snapshot(const struct metrics_block *b,
	    struct metrics_counts *out);

/*
 * The Prometheus text exposition of c into buf (cap bytes; the whole text
 * is under LIMIT_METRICS_TEXT): every family with HELP and TYPE, every
 * label combination, zeros included.  Returns 0 with the length in *len,
 * or -1 when buf is too small.
 */
int	 metrics_write(const struct metrics_counts *c, char *buf, size_t cap,
	    size_t *len);

#endif /* OSSIGN_METRICS_H */
