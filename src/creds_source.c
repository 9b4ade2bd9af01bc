/*
 * Credentials from the source through the cache; see creds_source.h.
 *
 * creds_source_get, in order:
 *  1. the credentials in memory, while fresh (more than refresh_before
 *     left, capped at half their lifetime);
 *  2. the same while a failed refresh is on hold (stale-on-error);
 *  3. the cache file, when another process refreshed it;
 *  4. a refresh under the cache lock: whoever holds the lock calls STS
 *     (or the metadata service, or the credentials URI) and writes the
 *     file; the others go on serving what they have while it is usable,
 *     or wait for the lock and read the file.
 * Credentials with less than LIMIT_MIN_VALIDITY seconds left are never
 * handed out.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"
#include "conf.h"
#include "creds.h"
#include "creds_origin.h"
#include "creds_source.h"
#include "limit.h"
#include "metrics.h"
#include "olog.h"
#include "util.h"

struct creds_source {
	struct creds_origin	 origin;

	/* In memory: the credentials handed out, and when they came. */
	struct creds		 cur;
	time_t			 obtained;
	time_t			 next_refresh;	/* hold after a failed refresh */
	time_t			 fail_until;	/* nothing usable: answer fail */
	struct oerr_detail	 fail;

	struct cache		*cache;		/* NULL: memory only */
	int			 readonly;	/* the cache: read, never
						   written or locked */

	creds_fetch_fn		 fetch;		/* tests */
	void			*fetch_arg;

	struct metrics_block	*metrics;	/* NULL: not counted */
	time_t			 expiry_shown;	/* last metrics_cred_expiry */
	unsigned long		 nfetch;	/* calls to the source */
	unsigned long		 nadopt;	/* credentials taken from the file */
};

struct creds_source *
creds_source_new(const struct conf *conf, char *err, size_t errlen)
{
	struct creds_source *s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (creds_origin_new(&s->origin, conf, err, errlen) == -1) {
		free(s);
		return NULL;
	}
	if (s->origin.kind != CONF_CREDS_ENV &&
	    (s->cache = cache_new(s->origin.cache_dir,
	    s->origin.cache_key)) == NULL) {
		snprintf(err, errlen, "cache_dir %s: too long, or out of "
		    "memory", s->origin.cache_dir);
		creds_source_free(s);
		return NULL;
	}
	return s;
}

void
creds_source_set_readonly(struct creds_source *s)
{
	s->readonly = 1;
}

void
creds_source_set_metrics(struct creds_source *s, struct metrics_block *b)
{
	s->metrics = b;
}

/* The metrics label of a source that makes calls. */
static enum metrics_source
creds_metrics_source(enum conf_creds kind)
{
	switch (kind) {
	case CONF_CREDS_ECS_RAM_ROLE:
		return METRICS_SOURCE_ECS_RAM_ROLE;
	case CONF_CREDS_OIDC_ROLE_ARN:
		return METRICS_SOURCE_OIDC_ROLE_ARN;
	case CONF_CREDS_URI:
		return METRICS_SOURCE_CREDENTIALS_URI;
	default:
		return METRICS_SOURCE_RAM_ROLE_ARN;
	}
}

/* A request served from where (metrics_cache), with s->cur. */
static void
creds_count(struct creds_source *s, enum metrics_cache where)
{
	if (s->metrics == NULL)
		return;
	metrics_cache(s->metrics, where);
	/* A store only when it changed: the slot is shared by every worker. */
	if (s->cur.expiration != s->expiry_shown) {
		metrics_cred_expiry(s->metrics, s->cur.expiration);
		s->expiry_shown = s->cur.expiration;
	}
}

void
creds_source_set_fetch(struct creds_source *s, creds_fetch_fn fetch,
    void *arg)
{
	s->fetch = fetch;
	s->fetch_arg = arg;
}

/* Credentials that may sign at now: complete, and not about to expire. */
static int
creds_usable(const struct creds *c, time_t now)
{
	return c->access_key_id != NULL && (c->expiration == 0 ||
	    c->expiration - now >= LIMIT_MIN_VALIDITY);
}

/*
 * Usable and not yet due for a refresh: more than refresh_before left,
 * where refresh_before is capped at half the lifetime so that short-lived
 * credentials are not refreshed on every request.
 */
static int
creds_fresh(const struct creds_source *s, const struct creds *c,
    time_t obtained, time_t now)
{
	long long before = s->origin.refresh_before, life;

	if (!creds_usable(c, now))
		return 0;
	if (c->expiration == 0)
		return 1;
	life = (long long)(c->expiration - obtained);
	if (life > 0 && before > life / 2)
		before = life / 2;
	return (long long)(c->expiration - now) > before;
}

/* What is in memory may be handed out: fresh, or held after a failure. */
static int
creds_servable(const struct creds_source *s, time_t now)
{
	return creds_fresh(s, &s->cur, s->obtained, now) ||
	    (creds_usable(&s->cur, now) && now < s->next_refresh);
}

/*
 * Take the cache file's credentials when they are usable and newer than
 * ours, and its refresh hold when it is about ours.  With nothing usable,
 * take another process's failure while it holds.
 */
static void
creds_adopt_file(struct creds_source *s, time_t now)
{
	struct cache_entry e;
	struct oerr_detail d;
	time_t until;

	if (s->cache == NULL)
		return;
	if (cache_read(s->cache, now, &e) == 0) {
		if (creds_usable(&e.creds, now) &&
		    (!creds_usable(&s->cur, now) ||
		    e.creds.expiration > s->cur.expiration)) {
			creds_clear(&s->cur);
			s->cur = e.creds;
			memset(&e.creds, 0, sizeof(e.creds));
			s->obtained = e.obtained;
			s->next_refresh = e.next_refresh;
			s->nadopt++;
		} else if (s->cur.access_key_id != NULL &&
		    strcmp(s->cur.access_key_id, e.creds.access_key_id) == 0 &&
		    e.next_refresh > s->next_refresh)
			s->next_refresh = e.next_refresh;
		creds_clear(&e.creds);
	}
	if (!creds_usable(&s->cur, now) &&
	    cache_read_fail(s->cache, now, &until, &d) == 0 && until > now &&
	    until > s->fail_until) {
		s->fail_until = until;
		s->fail = d;
	}
}

/* Write what we have: credentials, or else the failure and its hold. */
static void
creds_write_file(struct creds_source *s, int failed)
{
	struct cache_entry e;

	if (s->cache == NULL || s->readonly)
		return;
	if (failed) {
		(void)cache_write_fail(s->cache, s->fail_until, &s->fail);
		return;
	}
	memset(&e, 0, sizeof(e));
	e.creds = s->cur;
	e.obtained = s->obtained;
	e.next_refresh = s->next_refresh;
	(void)cache_write(s->cache, &e);
}

/* Ask the source itself. */
/* The failure on hold, if there is one and nothing usable. */
static int
creds_failing(const struct creds_source *s, time_t now,
    struct oerr_detail *d)
{
	if (creds_usable(&s->cur, now) || now >= s->fail_until)
		return 0;
	*d = s->fail;
	return 1;
}

/* Ask the source itself (or the test's stand-in). */
static int
creds_fetch(struct creds_source *s, time_t now, struct creds *out,
    struct oerr_detail *d)
{
	int rc;

	s->nfetch++;
	if (s->fetch != NULL)
		rc = s->fetch(s->fetch_arg, now, out, d);
	else
		rc = creds_origin_fetch(&s->origin, now, out, d);
	metrics_cred_call(s->metrics, creds_metrics_source(s->origin.kind),
	    rc == 0 ? METRICS_CALL_OK : d->err == OERR_CREDS_REFUSED ?
	    METRICS_CALL_REFUSED : METRICS_CALL_UNAVAILABLE);
	return rc;
}

/*
 * The request's time req moved on by the whole seconds since t0 (the
 * monotonic clock when the waiting began).  req is not always the wall
 * clock (sign --time), so the time spent is added, not the clock read.
 */
static time_t
creds_clock(time_t req, const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return req + (t.tv_sec - t0->tv_sec) -
	    (t.tv_nsec < t0->tv_nsec ? 1 : 0);
}

/*
 * Step 4 of the comment at the top, for a request at req (t0: the
 * monotonic clock then).  *now is set to the time after whatever this
 * waited for (the lock, the source), and what is kept or handed out is
 * judged at that time.
 */
static int
creds_refresh(struct creds_source *s, time_t req, const struct timespec *t0,
    time_t *now, struct oerr_detail *d)
{
	struct creds nc = { 0 };
	char exp[21];
	time_t asked;
	int locked = -1, rc;

	*now = req;
	if (s->cache != NULL && !s->readonly &&
	    (locked = cache_lock(s->cache, 0)) == 1) {
		/* Another process is refreshing. */
		if (creds_usable(&s->cur, req))
			return 0;
		locked = cache_lock(s->cache, creds_origin_fetch_ms(&s->origin));
		*now = creds_clock(req, t0);
		if (locked == 1) {
			/*
			 * Not past its own timeouts: something is badly
			 * slow.  Piling onto the source would not help.
			 */
			olog_err("%s: gave up after %ld ms waiting for another "
			    "process to refresh the credentials",
			    cache_path(s->cache),
			    creds_origin_fetch_ms(&s->origin));
			return oerr_set(d, OERR_CREDS_UNAVAILABLE, "timed out "
			    "waiting for the credentials"), -1;
		}
	}
	if (locked == 0) {
		/* It may have refreshed, or failed, while we waited. */
		creds_adopt_file(s, *now);
		if (creds_fresh(s, &s->cur, s->obtained, *now) ||
		    (creds_usable(&s->cur, *now) && *now < s->next_refresh)) {
			cache_unlock(s->cache);
			return 0;
		}
		/*
		 * Held at the time this request began: the outcome of the
		 * attempt it waited for (however long the wait), or one
		 * that ended just before it.  Take it rather than ask again.
		 */
		if (creds_failing(s, req, d)) {
			cache_unlock(s->cache);
			return -1;
		}
	}
	asked = *now;
	rc = creds_fetch(s, asked, &nc, d);
	*now = creds_clock(req, t0);
	if (rc == 0 && !creds_usable(&nc, *now)) {
		/* Usable when asked for, no longer once they came. */
		util_iso(nc.expiration, exp);
		olog_err("the credentials the source sent expire at %s, less "
		    "than %d s after they came: check the source and the "
		    "system clock", exp, LIMIT_MIN_VALIDITY);
		oerr_set(d, OERR_CREDS_UNAVAILABLE, "the credentials the "
		    "source sent expire too soon to use");
		creds_clear(&nc);
		rc = -1;
	}
	if (rc == 0) {
		creds_clear(&s->cur);
		s->cur = nc;
		s->obtained = asked;
		s->next_refresh = 0;
		s->fail_until = 0;
		/* Without the lock too: the rename is atomic. */
		creds_write_file(s, 0);
		cache_unlock(s->cache);
		return 0;
	}
	if (creds_usable(&s->cur, *now)) {
		/* Stale-on-error: keep signing, retry later. */
		util_iso(s->cur.expiration, exp);
		olog_warn("refresh failed (%s); serving the cached credentials "
		    "until %s, next try in %d s", d->msg, exp,
		    LIMIT_REFRESH_HOLD);
		s->next_refresh = *now + LIMIT_REFRESH_HOLD;
		if (locked == 0)
			creds_write_file(s, 0);
		cache_unlock(s->cache);
		return 0;
	}
	/*
	 * Nothing usable: hold the failure for a moment, here and for the
	 * processes waiting on the lock, counted from the end of the
	 * attempt.
	 */
	s->fail = *d;
	s->fail_until = *now + LIMIT_FAIL_HOLD;
	if (locked == 0)
		creds_write_file(s, 1);
	cache_unlock(s->cache);
	return -1;
}

int
creds_source_get(struct creds_source *s, time_t *nowp,
    const struct creds **out, struct oerr_detail *d)
{
	struct timespec t0;
	enum metrics_cache where;
	unsigned long nfetch, nadopt;
	time_t now = *nowp;

	if (s->origin.kind == CONF_CREDS_ENV) {
		if (!creds_usable(&s->origin.key, now)) {
			oerr_set(d, OERR_CREDS_UNAVAILABLE, NULL);
			return -1;
		}
		*out = &s->origin.key;
		return 0;
	}
	if (creds_servable(s, now)) {
		where = METRICS_CACHE_PROCESS;
		goto ok;
	}
	if (creds_failing(s, now, d))
		return -1;
	creds_adopt_file(s, now);
	if (creds_servable(s, now)) {
		where = METRICS_CACHE_FILE;
		goto ok;
	}
	if (creds_failing(s, now, d))
		return -1;
	/* From here on the request may wait: its clock moves on. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	nfetch = s->nfetch;
	nadopt = s->nadopt;
	if (creds_refresh(s, now, &t0, nowp, d) == -1)
		return -1;
	if (!creds_usable(&s->cur, *nowp)) {
		/* Defensive: creds_refresh returns 0 only with usable ones. */
		oerr_set(d, OERR_CREDS_UNAVAILABLE, NULL);
		return -1;
	}
	/*
	 * Fetched (or stale-on-error after asking), another process's
	 * refresh read from the file, or what we had while it refreshes.
	 */
	where = s->nfetch != nfetch ? METRICS_CACHE_MISS : s->nadopt !=
	    nadopt ? METRICS_CACHE_FILE : METRICS_CACHE_PROCESS;
ok:
	creds_count(s, where);
	*out = &s->cur;
	return 0;
}

void
creds_source_free(struct creds_source *s)
{
	if (s == NULL)
		return;
	creds_clear(&s->cur);
	cache_free(s->cache);
	creds_origin_clear(&s->origin);
	free(s);
}
