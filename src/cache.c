/* The cross-process credential cache file; see cache.h. */
#include "config.h"

#include <sys/file.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cache.h"
#include "crypto.h"
#include "credjson.h"
#include "jsonr.h"
#include "limit.h"
#include "olog.h"
#include "statedir.h"
#include "util.h"

#define CACHE_VERSION	1
#define CACHE_NAME_LEN	96	/* creds-KEY16.json.tmp-PID-RANDOM */

struct cache {
	char	*dir;
	char	 hex[CACHE_KEY_HEX + 1];
	char	 file[CACHE_NAME_LEN];	/* creds-KEY16.json */
	char	 lock[CACHE_NAME_LEN];	/* creds-KEY16.lock */
	char	 fail[CACHE_NAME_LEN];	/* creds-KEY16.fail */
	char	*path;			/* dir/file, for messages */
	int	 lockfd;
	pid_t	 lockpid;		/* who took the lock */
};

int
cache_key(const char *const *parts, size_t n,
    unsigned char key[CRYPTO_SHA256_LEN])
{
	unsigned char *buf, *p;
	size_t i, len = 0, l;
	int rc;

	/* Each part as a 1-byte present flag, then its bytes and a NUL. */
	for (i = 0; i < n; i++)
		len += 2 + (parts[i] ? strlen(parts[i]) : 0);
	if ((buf = p = malloc(len + 1)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		*p++ = parts[i] != NULL;
		l = parts[i] ? strlen(parts[i]) : 0;
		memcpy(p, parts[i] ? parts[i] : "", l);
		p += l;
		*p++ = '\0';
	}
	rc = crypto_sha256(buf, len, key);
	crypto_wipe(buf, len);
	free(buf);
	return rc;
}

struct cache *
cache_new(const char *dir, const unsigned char key[CRYPTO_SHA256_LEN])
{
	struct cache *c;
	size_t plen;

	if (strlen(dir) > PATH_MAX - CACHE_NAME_LEN - 2)
		return NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->lockfd = -1;
	crypto_hex(key, CRYPTO_SHA256_LEN, c->hex);
	snprintf(c->file, sizeof(c->file), "creds-%.16s.json", c->hex);
	snprintf(c->lock, sizeof(c->lock), "creds-%.16s.lock", c->hex);
	snprintf(c->fail, sizeof(c->fail), "creds-%.16s.fail", c->hex);
	plen = strlen(dir) + 1 + strlen(c->file) + 1;
	if ((c->dir = strdup(dir)) == NULL ||
	    (c->path = malloc(plen)) == NULL) {
		cache_free(c);
		return NULL;
	}
	snprintf(c->path, plen, "%s/%s", dir, c->file);
	return c;
}

void
cache_free(struct cache *c)
{
	if (c == NULL)
		return;
	cache_unlock(c);
	free(c->dir);
	free(c->path);
	free(c);
}

const char *
cache_path(const struct cache *c)
{
	return c->path;
}

/* The cache directory, open, or -1 (logged: memory only then). */
static int
cache_dir(const struct cache *c, struct statedir *sd)
{
	return statedir_open(sd, c->dir, "credentials are cached in memory "
	    "only");
}

/* An ISO 8601 member of j, or -1. */
static int
cache_json_time(json_object *j, const char *name, time_t *out)
{
	json_object *v;

	if (!json_object_object_get_ex(j, name, &v) ||
	    !json_object_is_type(v, json_type_string))
		return -1;
	return util_parse_iso(json_object_get_string(v), out);
}

/*
 * Open, check and parse the file name of the cache directory: a JSON
 * object of our version and key.  Returns it (jsonr_free it) or NULL:
 * missing (quietly), or not trusted (logged).
 */
static json_object *
cache_load(struct cache *c, const char *name)
{
	struct statedir sd;
	json_object *j = NULL, *v;
	char *buf, why[128];
	size_t len = 0;

	if (cache_dir(c, &sd) == -1)
		return NULL;
	if ((buf = malloc(LIMIT_CACHE_FILE + 1)) == NULL)
		goto out;
	if (statedir_read(&sd, name, buf, LIMIT_CACHE_FILE + 1, &len) != 0)
		goto out;
	if ((j = jsonr_parse(buf, len, CREDJSON_DEPTH, why,
	    sizeof(why))) == NULL) {
		olog_warn("%s/%s: not a complete JSON object (corrupt or "
		    "truncated): not trusted, will be replaced", c->dir, name);
		goto out;
	}
	if (!json_object_object_get_ex(j, "version", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    json_object_get_int(v) != CACHE_VERSION ||
	    !json_object_object_get_ex(j, "key", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), c->hex) != 0) {
		olog_warn("%s/%s: written for another source or version: "
		    "will be replaced", c->dir, name);
		jsonr_free(j);
		j = NULL;
	}
out:
	if (buf != NULL) {
		crypto_wipe(buf, LIMIT_CACHE_FILE + 1);
		free(buf);
	}
	statedir_close(&sd);
	return j;
}

/*
 * A time another process wrote, at most max seconds after the reader's
 * now (and LIMIT_CACHE_SLACK more): a writer on this host cannot have
 * meant a later one.  1 when t is within, else 0 and a log line.
 */
static int
cache_time_ok(const struct cache *c, const char *name, const char *field,
    time_t t, time_t now, long max)
{
	char iso[21];

	if ((long long)t - (long long)now <= (long long)max +
	    LIMIT_CACHE_SLACK)
		return 1;
	util_iso(t, iso);
	olog_warn("%s/%s: %s %s is further ahead of this clock than anyone "
	    "writes it: not trusted, will be replaced", c->dir, name, field,
	    iso);
	return 0;
}

int
cache_read(struct cache *c, time_t now, struct cache_entry *e)
{
	json_object *j, *v;
	struct cache_entry ne;
	char why[LIMIT_ERRMSG];
	int rc = -1;

	memset(&ne, 0, sizeof(ne));
	if ((j = cache_load(c, c->file)) == NULL)
		return -1;
	if (credjson_take(j, &ne.creds, why, sizeof(why)) == -1 ||
	    cache_json_time(j, "Obtained", &ne.obtained) == -1 ||
	    ne.obtained > ne.creds.expiration) {
		olog_warn("%s: %s: not trusted, will be replaced", c->path,
		    ne.creds.access_key_id == NULL ? why :
		    "bad Obtained time");
		creds_clear(&ne.creds);
		goto out;
	}
	/* Written by one that took "for ever" at its word (defect 9). */
	if (!cache_time_ok(c, c->file, "Expiration", ne.creds.expiration, now,
	    LIMIT_CREDS_LIFE_MAX)) {
		creds_clear(&ne.creds);
		goto out;
	}
	if (json_object_object_get_ex(j, "NextRefresh", &v) &&
	    cache_json_time(j, "NextRefresh", &ne.next_refresh) == -1)
		ne.next_refresh = 0;
	/*
	 * Bounded by our clock: a hold far ahead would stop every process
	 * refreshing, and a later Obtained only shortens the lifetime the
	 * refresh point is reckoned from.
	 */
	if (ne.next_refresh != 0 && !cache_time_ok(c, c->file, "NextRefresh",
	    ne.next_refresh, now, LIMIT_REFRESH_HOLD))
		ne.next_refresh = 0;
	if (ne.obtained > now)
		ne.obtained = now;
	*e = ne;
	rc = 0;
out:
	jsonr_free(j);
	return rc;
}

int
cache_read_fail(struct cache *c, time_t now, time_t *until,
    struct oerr_detail *d)
{
	json_object *j, *v;
	const char *msg = NULL;
	size_t i;
	int rc = -1;
	time_t t;

	if ((j = cache_load(c, c->fail)) == NULL)
		return -1;
	if (cache_json_time(j, "FailedUntil", &t) == -1 ||
	    !json_object_object_get_ex(j, "Status", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    (json_object_get_int(v) != oerr_status(OERR_CREDS_REFUSED) &&
	    json_object_get_int(v) != oerr_status(OERR_CREDS_UNAVAILABLE)) ||
	    !json_object_object_get_ex(j, "Message", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    strlen(msg = json_object_get_string(v)) >= sizeof(d->msg))
		goto bad;
	/* It is shown to clients: printable ASCII only. */
	for (i = 0; msg[i] != '\0'; i++)
		if (msg[i] < 0x20 || msg[i] > 0x7e)
			goto bad;
	/* Held far ahead, it would answer every request for ever. */
	if (!cache_time_ok(c, c->fail, "FailedUntil", t, now,
	    LIMIT_FAIL_HOLD))
		goto out;
	json_object_object_get_ex(j, "Status", &v);
	d->err = json_object_get_int(v) == oerr_status(OERR_CREDS_REFUSED) ?
	    OERR_CREDS_REFUSED : OERR_CREDS_UNAVAILABLE;
	memcpy(d->msg, msg, strlen(msg) + 1);
	*until = t;
	rc = 0;
	goto out;
bad:
	olog_warn("%s/%s: not a failure record: not trusted, will be "
	    "replaced", c->dir, c->fail);
out:
	jsonr_free(j);
	return rc;
}

/* Add a string member; the object takes the new string. */
static int
cache_json_add(json_object *j, const char *name, const char *value)
{
	json_object *v;

	if ((v = json_object_new_string(value)) == NULL)
		return -1;
	if (json_object_object_add(j, name, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

static int
cache_json_add_time(json_object *j, const char *name, time_t t)
{
	char iso[21];

	util_iso(t, iso);
	return cache_json_add(j, name, iso);
}

static int
cache_json_add_int(json_object *j, const char *name, int n)
{
	json_object *v;

	if ((v = json_object_new_int(n)) == NULL)
		return -1;
	if (json_object_object_add(j, name, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

/* A new object with our version and key, or NULL. */
static json_object *
cache_json_new(struct cache *c)
{
	json_object *j;

	if ((j = json_object_new_object()) == NULL)
		return NULL;
	if (cache_json_add_int(j, "version", CACHE_VERSION) == -1 ||
	    cache_json_add(j, "key", c->hex) == -1) {
		json_object_put(j);
		return NULL;
	}
	return j;
}

/*
 * Write j as the file name, atomically (statedir_write).  Wipes and frees
 * j.  Returns 0 or -1.
 */
static int
cache_store(struct cache *c, const char *name, json_object *j)
{
	struct statedir sd;
	const char *text;
	int rc = -1;

	if ((text = json_object_to_json_string_ext(j,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)) == NULL) {
		olog_err("%s/%s: out of memory", c->dir, name);
		goto out;
	}
	if (cache_dir(c, &sd) == -1)
		goto out;
	rc = statedir_write(&sd, name, text, strlen(text), 0);
	statedir_close(&sd);
	/* The printed text lives in j; wipe it with the strings. */
	crypto_wipe((char *)text, strlen(text));
out:
	jsonr_free(j);
	return rc;
}

int
cache_write(struct cache *c, const struct cache_entry *e)
{
	json_object *j;

	if (e->creds.access_key_id == NULL ||
	    e->creds.access_key_secret == NULL ||
	    e->creds.security_token == NULL)
		return -1;
	if ((j = cache_json_new(c)) == NULL ||
	    cache_json_add(j, "AccessKeyId", e->creds.access_key_id) == -1 ||
	    cache_json_add(j, "AccessKeySecret",
	    e->creds.access_key_secret) == -1 ||
	    cache_json_add(j, "SecurityToken", e->creds.security_token) ==
	    -1 || cache_json_add_time(j, "Expiration", e->creds.expiration) ==
	    -1 || cache_json_add_time(j, "Obtained", e->obtained) == -1 ||
	    (e->next_refresh != 0 && cache_json_add_time(j, "NextRefresh",
	    e->next_refresh) == -1)) {
		olog_err("%s: out of memory", c->path);
		jsonr_free(j);
		return -1;
	}
	return cache_store(c, c->file, j);
}

int
cache_write_fail(struct cache *c, time_t until, const struct oerr_detail *d)
{
	json_object *j;

	if ((j = cache_json_new(c)) == NULL ||
	    cache_json_add_time(j, "FailedUntil", until) == -1 ||
	    cache_json_add_int(j, "Status", oerr_status(d->err)) == -1 ||
	    cache_json_add(j, "Message", d->msg) == -1) {
		olog_err("%s/%s: out of memory", c->dir, c->fail);
		jsonr_free(j);
		return -1;
	}
	return cache_store(c, c->fail, j);
}

int
cache_lock(struct cache *c, long wait_ms)
{
	struct statedir sd;
	int rc, fd;

	if (c->lockfd != -1)
		return 0;
	if (cache_dir(c, &sd) == -1)
		return -1;
	rc = statedir_lock(&sd, c->lock, wait_ms, &fd);
	statedir_close(&sd);
	if (rc == 0) {
		c->lockfd = fd;
		c->lockpid = getpid();
	}
	return rc;
}

void
cache_unlock(struct cache *c)
{
	if (c == NULL || c->lockfd == -1)
		return;
	/*
	 * A forked child shares the open file: the taker releases it
	 * explicitly, anyone else only closes its copy.
	 */
	if (c->lockpid == getpid())
		(void)flock(c->lockfd, LOCK_UN);
	close(c->lockfd);
	c->lockfd = -1;
}
