/* Who may use an upload section, and how often; see gate.h. */
#include <sys/mman.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "crypto.h"
#include "gate.h"
#include "metrics.h"
#include "netaddr.h"
#include "olog.h"
#include "ratelimit.h"
#include "responder.h"
#include "statedir.h"

struct gate {
	const struct conf	*conf;
	struct auth		*auth;
	void			*map;		/* the table file, mapped */
	size_t			 size;
	struct ratelimit_table	*rt;		/* in map; NULL: not yet */
	int			 rt_failed;	/* tried, and it failed */
	time_t			 warned;	/* last eviction warning */
};

/* statedir_map's hooks for the table file. */
static int
gate_rt_valid(void *map, size_t size, void *arg)
{
	(void)arg;
	return ratelimit_attach(map, size) != NULL;
}

static int
gate_rt_init(void *map, size_t size, void *arg)
{
	unsigned char salt[32];
	int rc;

	(void)arg;
	if (crypto_random(salt, sizeof(salt)) == -1)
		return -1;
	rc = ratelimit_init(map, size, DEFAULT_RATE_SLOTS, salt);
	crypto_wipe(salt, sizeof(salt));
	return rc;
}

/* Map cache_dir's table once; -1 (logged) when it cannot be. */
static int
gate_table(struct gate *g)
{
	struct statedir sd;
	const char *dir = g->conf->cache_dir;

	if (g->rt != NULL)
		return 0;
	if (g->rt_failed)
		return -1;
	g->size = ratelimit_size(DEFAULT_RATE_SLOTS);
	if (statedir_open(&sd, dir, "rate limits cannot be kept: "
	    "requests to sections with rate_limit fail") == 0) {
		g->map = statedir_map(&sd, DEFAULT_RATE_FILE, g->size,
		    gate_rt_valid, gate_rt_init, NULL);
		statedir_close(&sd);
	}
	if (g->map == NULL || (g->rt = ratelimit_attach(g->map, g->size)) ==
	    NULL) {
		olog_err("%s/%s: no rate-limit table", dir, DEFAULT_RATE_FILE);
		g->rt_failed = 1;
		return -1;
	}
	return 0;
}

struct gate *
gate_new(const struct conf *conf, int flags, char *err, size_t errlen)
{
	struct gate *g;
	size_t i;

	if ((g = calloc(1, sizeof(*g))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	g->conf = conf;
	if ((g->auth = auth_new(conf, flags & (GATE_START | GATE_CHECK) ?
	    AUTH_LOAD_ALL : 0, err, errlen)) == NULL) {
		free(g);
		return NULL;
	}
	if (flags & GATE_START)
		for (i = 0; i < conf->nuploads; i++)
			if (conf->uploads[i].has_rate) {
				if (gate_table(g) == -1) {
					snprintf(err, errlen, "the rate-limit "
					    "table cannot be used (see above)");
					gate_free(g);
					return NULL;
				}
				break;
			}
	return g;
}

void
gate_free(struct gate *g)
{
	if (g == NULL)
		return;
	if (g->map != NULL)
		munmap(g->map, g->size);
	auth_free(g->auth);
	free(g);
}

/* The client's address for logs ("?" when unknown) and its rate key. */
static void
gate_client(const struct conf *conf, const struct request *req, char *text,
    size_t textsz, char *key)
{
	struct netaddr a;

	if (netaddr_client(req->remote_addr, req->x_forwarded_for,
	    conf->trusted_proxies, conf->ntrusted_proxies, &a) == -1) {
		snprintf(text, textsz, "?");
		snprintf(key, NETADDR_KEY_LEN, "a:?");
		return;
	}
	netaddr_key(&a, key);
	/* "a:" and at most NETADDR_KEY_LEN - 3 bytes. */
	snprintf(text, textsz, "%.*s", NETADDR_KEY_LEN - 3, key + 2);
}

/* 401: the challenge, and why in the log only. */
static enum oerr
gate_deny(const struct conf_upload *up, const struct request *req,
    const char *client, const char *why, struct reply *rep,
    struct oerr_detail *d)
{
	char chal[64];

	olog_info("[upload %s] 401 for %s: %s", up->name, client, why);
	snprintf(chal, sizeof(chal), "%s realm=\"%s\"", up->auth ==
	    CONF_AUTH_JWT ? "Bearer" : "Session", DEFAULT_AUTH_REALM);
	reply_header(rep, "WWW-Authenticate", chal);
	if (req->origin != NULL)
		reply_header(rep, "Access-Control-Expose-Headers",
		    "WWW-Authenticate");
	return oerr_set(d, OERR_AUTH_REQUIRED, NULL);
}

/* Take n from the section's bucket for key. */
static enum oerr
gate_rate(struct gate *g, const struct conf_upload *up,
    const struct request *req, const char *key, long long n,
    struct reply *rep, struct oerr_detail *d)
{
	struct ratelimit_result res;
	struct timespec ts;
	char num[24];
	long long now_ms;

	if (g == NULL || gate_table(g) == -1)
		return oerr_set(d, OERR_INTERNAL, "the rate limit cannot be "
		    "checked");
	/* The wall clock: the table outlives a boot when cache_dir does. */
	clock_gettime(CLOCK_REALTIME, &ts);
	now_ms = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	switch (ratelimit_take(g->rt, &up->rate, up->name, key, n, now_ms,
	    &res)) {
	case RATELIMIT_ALLOW:
		break;
	case RATELIMIT_DENY:
		olog_debug("[upload %s] 429 for %s: %lld signature(s), retry "
		    "in %lld s", up->name, key, n, res.retry_after);
		snprintf(num, sizeof(num), "%lld", res.retry_after);
		reply_header(rep, "Retry-After", num);
		if (req->origin != NULL)
			reply_header(rep, "Access-Control-Expose-Headers",
			    "Retry-After");
		return oerr_set(d, OERR_RATE_LIMITED, "too many requests: "
		    "retry in %lld s", res.retry_after);
	case RATELIMIT_NEVER:
		return oerr_set(d, OERR_RATE_LIMITED, "%lld signatures at "
		    "once are more than this upload's rate_burst (%lld)", n,
		    up->rate.burst);
	default:
		return oerr_set(d, OERR_INTERNAL, "the rate limit cannot be "
		    "checked");
	}
	if (res.reset)
		olog_warn("the rate-limit table was cleared: a process died "
		    "while it held the table's lock");
	if (res.evicted && ts.tv_sec - g->warned >= LIMIT_RATE_LOG) {
		g->warned = ts.tv_sec;
		olog_warn("the rate-limit table is full: a live client's "
		    "count was forgotten (more than %d clients at once)",
		    DEFAULT_RATE_SLOTS);
	}
	return OERR_OK;
}

enum oerr
gate_check(struct responder *r, const struct request *req,
    const struct conf_upload *up, long long n, struct gate_user *u,
    struct reply *rep, struct oerr_detail *d)
{
	struct gate *g = r != NULL ? r->gate : NULL;
	const struct conf *conf = r != NULL ? r->conf : NULL;
	char why[LIMIT_ERRMSG], client[NETADDR_KEY_LEN];
	char key[NETADDR_KEY_LEN + LIMIT_USER_LEN];
	enum auth_result ar;

	memset(u, 0, sizeof(*u));
	if (conf == NULL || n < 1)
		return oerr_set(d, OERR_INTERNAL, NULL);
	ar = auth_user(g != NULL ? g->auth : NULL, up, req, time(NULL), u->buf,
	    why, sizeof(why));
	/* The client's address only when it is counted or logged. */
	if (ar != AUTH_OK || (up->has_rate && u->buf[0] == '\0'))
		gate_client(conf, req, client, sizeof(client), key);
	switch (ar) {
	case AUTH_OK:
		break;
	case AUTH_DENIED:
		/* Refusals by method, for every process (metrics.h). */
		metrics_auth_refused(r->metrics, up->auth == CONF_AUTH_JWT ?
		    METRICS_AUTH_JWT : METRICS_AUTH_REMOTE_USER);
		return gate_deny(up, req, client, why, rep, d);
	case AUTH_BAD_USER:
		olog_info("[upload %s] 400 for %s: %s", up->name, client, why);
		return oerr_set(d, OERR_BAD_REQUEST, "the user name cannot be "
		    "part of an object key");
	default:
		olog_err("[upload %s] %s", up->name, why);
		return oerr_set(d, OERR_INTERNAL, "the upload's keys cannot "
		    "be used");
	}
	if (u->buf[0] != '\0') {
		u->name = u->buf;
		snprintf(key, sizeof(key), "u:%s", u->buf);
	}
	if (up->has_rate && gate_rate(g, up, req, key, n, rep, d) !=
	    OERR_OK) {
		if (d->err == OERR_RATE_LIMITED)
			metrics_rate_limited(r->metrics);
		return d->err;
	}
	return OERR_OK;
}
