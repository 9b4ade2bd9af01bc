/*
 * The credential cache file shared by every ossign process on a host
 * (FastCGI workers, CGI invocations) so that STS is asked about once per
 * credential lifetime.
 *
 * Layout: in cache_dir, a state directory (statedir.h: its rules and those
 * of every file in it apply), for a source whose identity hashes to KEY:
 *	creds-KEY16.json	the credentials, JSON, mode 0600
 *	creds-KEY16.lock	flock(2)ed by the process that refreshes
 *	creds-KEY16.fail	the last failure, while nothing is usable
 * KEY16 is the first 16 hex digits of KEY; the full KEY is inside the file
 * and must match.  Files are replaced atomically (statedir_write).
 *
 * A file that breaks statedir's rules, is not valid JSON or lacks a field
 * is never trusted: cache_read says so in the log and reports no entry,
 * and the next cache_write replaces it.
 */
#ifndef OSSIGN_CACHE_H
#define OSSIGN_CACHE_H

#include <time.h>

#include "creds.h"
#include "crypto.h"
#include "oerr.h"

#define CACHE_KEY_HEX	(2 * CRYPTO_SHA256_LEN)

struct cache_entry {
	struct creds	creds;		/* owned; creds_clear it */
	time_t		obtained;	/* when the source issued them */
	time_t		next_refresh;	/* 0, or: do not try before */
};

struct cache;

/*
 * A handle on the cache of dir for the source identified by key (binary,
 * as from cache_key).  No I/O.  Returns NULL when out of memory or dir is
 * too long.  Free with cache_free (which releases a held lock).
 */
struct cache	*cache_new(const char *dir,
		    const unsigned char key[CRYPTO_SHA256_LEN]);
void		 cache_free(struct cache *c);

/*
 * The hash of n strings (NULL counts as absent, distinct from ""), for
 * cache_new.  Returns 0 or -1.
 */
int		 cache_key(const char *const *parts, size_t n,
		    unsigned char key[CRYPTO_SHA256_LEN]);

/*
 * Read the entry, now being the reader's clock.  Returns 0 and fills e
 * (e->creds owned by the caller), or -1 when there is no usable entry
 * (missing, or refused: logged).  Expired credentials are returned too;
 * the caller judges them.  What another process wrote is bounded by now:
 * Obtained at most now, a NextRefresh more than LIMIT_REFRESH_HOLD +
 * LIMIT_CACHE_SLACK ahead is dropped (logged), and an entry whose
 * Expiration is more than LIMIT_CREDS_LIFE_MAX + LIMIT_CACHE_SLACK ahead
 * is not trusted.
 */
int		 cache_read(struct cache *c, time_t now, struct cache_entry *e);

/*
 * Replace the entry atomically; it must hold complete credentials.
 * Returns 0 or -1 (logged).
 */
int		 cache_write(struct cache *c, const struct cache_entry *e);

/*
 * The failure of a refresh that left nothing usable, held until until
 * (the status and the message safe to show, from d), so that the other
 * processes answer it for a moment instead of asking the source again.
 * Same file checks as the entry.  cache_read_fail returns 0 and fills
 * *until and d, or -1 (none, or not trusted: a hold more than
 * LIMIT_FAIL_HOLD + LIMIT_CACHE_SLACK after the reader's now included);
 * the caller compares until with its clock.  Both return 0 or -1.
 */
int		 cache_write_fail(struct cache *c, time_t until,
		    const struct oerr_detail *d);
int		 cache_read_fail(struct cache *c, time_t now, time_t *until,
		    struct oerr_detail *d);

/*
 * Take the refresh lock.  wait_ms 0: try once; otherwise poll up to
 * wait_ms milliseconds.  A lock file that breaks statedir's rules is
 * replaced first (statedir_lock).  Returns 0 when held, 1 when another
 * process holds it, -1 when the lock file cannot be used (logged).
 */
int		 cache_lock(struct cache *c, long wait_ms);
void		 cache_unlock(struct cache *c);

/* The cache file's path, for messages. */
const char	*cache_path(const struct cache *c);

#endif /* OSSIGN_CACHE_H */
