/* Shared counters and their exposition; see metrics.h. */
#include <stdio.h>
#include <string.h>

#include "metrics.h"
#include "prom.h"

#define METRICS_MAGIC	0x6f737369676d7431ULL	/* "ossigmt1" */
#define METRICS_VERSION	1

_Static_assert(__atomic_always_lock_free(sizeof(uint64_t), 0),
    "64-bit atomics must be lock-free to be shared between processes");
_Static_assert(sizeof(struct metrics_block) <= METRICS_SIZE,
    "the counters outgrew METRICS_SIZE");
_Static_assert(sizeof(struct metrics_counts) % sizeof(uint64_t) == 0,
    "struct metrics_counts is not made of uint64_t slots");

const uint64_t metrics_bounds_us[METRICS_BOUNDS] = {
	500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 5000000, 10000000,
};

static const char *const metrics_route_names[METRICS_ROUTE__MAX] = {
	[METRICS_ROUTE_SIGN] = "sign",
	[METRICS_ROUTE_BATCH] = "batch",
	[METRICS_ROUTE_PREFLIGHT] = "preflight",
	[METRICS_ROUTE_CALLBACK] = "callback",
	[METRICS_ROUTE_HEALTHZ] = "healthz",
	[METRICS_ROUTE_METRICS] = "metrics",
	[METRICS_ROUTE_S3] = "s3",
	[METRICS_ROUTE_OTHER] = "other",
};

enum metrics_route
metrics_route_of(const char *name)
{
	size_t i;

	if (name == NULL)
		return METRICS_ROUTE_OTHER;
	if (strncmp(name, "s3", 2) == 0)
		return METRICS_ROUTE_S3;
	for (i = 0; i < METRICS_ROUTE__MAX; i++)
		if (i != METRICS_ROUTE_PREFLIGHT && i != METRICS_ROUTE_OTHER &&
		    strcmp(name, metrics_route_names[i]) == 0)
			return (enum metrics_route)i;
	return METRICS_ROUTE_OTHER;
}

static const char *const metrics_class_names[METRICS_CLASSES] = {
	"1xx", "2xx", "3xx", "4xx", "5xx",
};

static const char *const metrics_source_names[METRICS_SOURCE__MAX] = {
	[METRICS_SOURCE_RAM_ROLE_ARN] = "ram_role_arn",
	[METRICS_SOURCE_ECS_RAM_ROLE] = "ecs_ram_role",
	[METRICS_SOURCE_OIDC_ROLE_ARN] = "oidc_role_arn",
	[METRICS_SOURCE_CREDENTIALS_URI] = "credentials_uri",
};

static const char *const metrics_call_names[METRICS_CALL__MAX] = {
	[METRICS_CALL_OK] = "ok",
	[METRICS_CALL_REFUSED] = "refused",
	[METRICS_CALL_UNAVAILABLE] = "unavailable",
};

static const char *const metrics_cache_names[METRICS_CACHE__MAX] = {
	[METRICS_CACHE_PROCESS] = "hit_process",
	[METRICS_CACHE_FILE] = "hit_file",
	[METRICS_CACHE_MISS] = "miss",
};

static const char *const metrics_callback_names[METRICS_CALLBACK__MAX] = {
	[METRICS_CALLBACK_DELIVERED] = "delivered",
	[METRICS_CALLBACK_BAD_SIGNATURE] = "bad_signature",
	[METRICS_CALLBACK_BAD_KEY_URL] = "bad_key_url",
	[METRICS_CALLBACK_BAD_TICKET] = "bad_ticket",
	[METRICS_CALLBACK_MALFORMED] = "malformed",
	[METRICS_CALLBACK_FORWARD_FAILED] = "forward_failed",
};

static const char *const metrics_auth_names[METRICS_AUTH__MAX] = {
	[METRICS_AUTH_REMOTE_USER] = "remote_user",
	[METRICS_AUTH_JWT] = "jwt",
};

int
metrics_init(void *region, size_t len, time_t now)
{
	struct metrics_block *b = region;

	if (len < METRICS_SIZE || ((uintptr_t)region & 7) != 0)
		return -1;
	memset(region, 0, METRICS_SIZE);
	b->version = METRICS_VERSION;
	b->counts_size = sizeof(struct metrics_counts);
	b->created = now > 0 ? (uint64_t)now : 0;
	__atomic_store_n(&b->magic, METRICS_MAGIC, __ATOMIC_RELEASE);
	return 0;
}

struct metrics_block *
metrics_attach(void *region, size_t len)
{
	struct metrics_block *b = region;

	if (len < METRICS_SIZE || ((uintptr_t)region & 7) != 0 ||
	    __atomic_load_n(&b->magic, __ATOMIC_ACQUIRE) != METRICS_MAGIC ||
	    b->version != METRICS_VERSION ||
	    b->counts_size != sizeof(struct metrics_counts))
		return NULL;
	return b;
}

static void
metrics_add(uint64_t *slot, uint64_t n)
{
	__atomic_fetch_add(slot, n, __ATOMIC_RELAXED);
}

void
metrics_request(struct metrics_block *b, enum metrics_route route, int status,
    uint64_t latency_us)
{
	size_t i, cls;

	if (b == NULL || (int)route < 0 || route >= METRICS_ROUTE__MAX)
		return;
	cls = status >= 100 && status <= 599 ? (size_t)(status / 100 - 1) : 4;
	for (i = 0; i < METRICS_BOUNDS; i++)
		if (latency_us <= metrics_bounds_us[i])
			break;
	metrics_add(&b->c.requests[route][cls], 1);
	metrics_add(&b->c.latency[route][i], 1);
	metrics_add(&b->c.latency_sum_us[route], latency_us);
}

void
metrics_signatures(struct metrics_block *b, uint64_t n)
{
	if (b != NULL)
		metrics_add(&b->c.signatures, n);
}

void
metrics_cred_call(struct metrics_block *b, enum metrics_source src,
    enum metrics_call result)
{
	if (b != NULL && (int)src >= 0 && src < METRICS_SOURCE__MAX &&
	    (int)result >= 0 && result < METRICS_CALL__MAX)
		metrics_add(&b->c.cred_calls[src][result], 1);
}

void
metrics_cache(struct metrics_block *b, enum metrics_cache result)
{
	if (b != NULL && (int)result >= 0 && result < METRICS_CACHE__MAX)
		metrics_add(&b->c.cache[result], 1);
}

void
metrics_cred_expiry(struct metrics_block *b, time_t expires)
{
	if (b != NULL)
		__atomic_store_n(&b->c.cred_expiry,
		    expires > 0 ? (uint64_t)expires : 0, __ATOMIC_RELAXED);
}

void
metrics_callback(struct metrics_block *b, enum metrics_callback result)
{
	if (b != NULL && (int)result >= 0 && result < METRICS_CALLBACK__MAX)
		metrics_add(&b->c.callbacks[result], 1);
}

void
metrics_rate_limited(struct metrics_block *b)
{
	if (b != NULL)
		metrics_add(&b->c.rate_limited, 1);
}

void
metrics_auth_refused(struct metrics_block *b, enum metrics_auth m)
{
	if (b != NULL && (int)m >= 0 && m < METRICS_AUTH__MAX)
		metrics_add(&b->c.auth_refused[m], 1);
}

void
metrics_snapshot(const struct metrics_block *b, struct metrics_counts *out)
{
	const uint64_t *src = (const uint64_t *)&b->c;
	uint64_t *dst = (uint64_t *)out;
	size_t i;

	for (i = 0; i < sizeof(*out) / sizeof(uint64_t); i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

/* A family of one label over a table of names and a row of counts. */
static void
metrics_by(struct prom *w, const char *name, const char *help,
    const char *label, const char *const *names, const uint64_t *v, size_t n)
{
	size_t i;

	prom_family(w, name, "counter", help);
	for (i = 0; i < n; i++)
		prom_sample(w, name, (const char *[]){ label, names[i], NULL },
		    v[i]);
}

int
metrics_write(const struct metrics_counts *c, char *buf, size_t cap,
    size_t *len)
{
	struct prom w;
	size_t r, k;

	prom_init(&w, buf, cap);
	prom_family(&w, "ossign_requests_total", "counter",
	    "Requests answered, by route and HTTP status class.");
	for (r = 0; r < METRICS_ROUTE__MAX; r++)
		for (k = 0; k < METRICS_CLASSES; k++)
			prom_sample(&w, "ossign_requests_total",
			    (const char *[]){ "route", metrics_route_names[r],
			    "code", metrics_class_names[k], NULL },
			    c->requests[r][k]);
	prom_family(&w, "ossign_request_duration_seconds", "histogram",
	    "Time from reading a request to its answer, by route.");
	for (r = 0; r < METRICS_ROUTE__MAX; r++)
		prom_histogram(&w, "ossign_request_duration_seconds",
		    (const char *[]){ "route", metrics_route_names[r], NULL },
		    metrics_bounds_us, c->latency[r], METRICS_BOUNDS,
		    c->latency_sum_us[r]);
	prom_family(&w, "ossign_signatures_total", "counter",
	    "Upload signatures issued (a batch of n counts n).");
	prom_sample(&w, "ossign_signatures_total", NULL, c->signatures);
	prom_family(&w, "ossign_credential_calls_total", "counter",
	    "Calls to the credential source, by source and result.");
	for (r = 0; r < METRICS_SOURCE__MAX; r++)
		for (k = 0; k < METRICS_CALL__MAX; k++)
			prom_sample(&w, "ossign_credential_calls_total",
			    (const char *[]){ "source", metrics_source_names[r],
			    "result", metrics_call_names[k], NULL },
			    c->cred_calls[r][k]);
	metrics_by(&w, "ossign_credential_cache_total", "Where a request's "
	    "credentials came from: this process, the shared cache file, or "
	    "the source (miss).", "result", metrics_cache_names, c->cache,
	    METRICS_CACHE__MAX);
	prom_family(&w, "ossign_credentials_expiry_timestamp_seconds", "gauge",
	    "When the credentials in use expire, in seconds since the epoch "
	    "(0: not known yet).");
	prom_sample(&w, "ossign_credentials_expiry_timestamp_seconds", NULL,
	    c->cred_expiry);
	metrics_by(&w, "ossign_callbacks_total", "OSS upload callbacks, by "
	    "result.", "result", metrics_callback_names, c->callbacks,
	    METRICS_CALLBACK__MAX);
	prom_family(&w, "ossign_rate_limited_total", "counter",
	    "Requests refused by rate_limit (429).");
	prom_sample(&w, "ossign_rate_limited_total", NULL, c->rate_limited);
	metrics_by(&w, "ossign_auth_refused_total", "Requests refused for "
	    "authentication (401), by method.", "method", metrics_auth_names,
	    c->auth_refused, METRICS_AUTH__MAX);
	return prom_end(&w, len);
}
