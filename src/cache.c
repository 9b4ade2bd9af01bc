/* The cross-process credential cache file; see cache.h. */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cache.h"
#include "crypto.h"
#include "limit.h"
#include "olog.h"
#include "sts.h"
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

/*
 * Open the cache directory, creating it 0700 when missing.  It must be a
 * directory (not a link to one), belong to us, and be writable by no one
 * else: whoever can write there can replace our file.
 */
static int
cache_dir_open(struct cache *c)
{
	struct stat st;
	int fd;

	fd = open(c->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT) {
		if (mkdir(c->dir, 0700) == -1 && errno != EEXIST) {
			olog_warn("%s: cannot create the cache directory: %s; "
			    "credentials are cached in memory only", c->dir,
			    strerror(errno));
			return -1;
		}
		fd = open(c->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	}
	if (fd == -1) {
		olog_warn("%s: cannot open the cache directory: %s%s; "
		    "credentials are cached in memory only", c->dir,
		    strerror(errno), errno == ELOOP || errno == ENOTDIR ?
		    " (a symlink or not a directory)" : "");
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 022) != 0) {
		olog_warn("%s: the cache directory must belong to uid %ld and "
		    "not be writable by group or others (chmod 0700); "
		    "credentials are cached in memory only", c->dir,
		    (long)geteuid());
		close(fd);
		return -1;
	}
	return fd;
}

/* Check an open cache or lock file: ours, regular, private, one link. */
static int
cache_file_ok(struct cache *c, int fd, const char *name, off_t max)
{
	struct stat st;
	const char *why = NULL;

	if (fstat(fd, &st) == -1)
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	else if (st.st_uid != geteuid())
		why = "owned by another user";
	else if ((st.st_mode & 077) != 0)
		why = "readable or writable by group or others";
	else if (st.st_nlink > 1)	/* 0: just replaced, still whole */
		why = "has more than one link";
	else if (max > 0 && st.st_size > max)
		why = "too large";
	if (why == NULL)
		return 0;
	olog_warn("%s/%s: %s: not trusted, will be replaced", c->dir, name,
	    why);
	return -1;
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
 * object of our version and key.  Returns it (sts_json_free it) or NULL:
 * missing (quietly), or not trusted (logged).
 */
static json_object *
cache_load(struct cache *c, const char *name)
{
	json_object *j = NULL, *v;
	char *buf = NULL;
	ssize_t n;
	size_t len = 0;
	int dfd, fd = -1;

	if ((dfd = cache_dir_open(c)) == -1)
		return NULL;
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		if (errno != ENOENT)
			olog_warn("%s/%s: %s%s: not trusted, will be replaced",
			    c->dir, name, strerror(errno), errno == ELOOP ?
			    " (a symlink)" : "");
		goto out;
	}
	if (cache_file_ok(c, fd, name, LIMIT_CACHE_FILE) == -1)
		goto out;
	if ((buf = malloc(LIMIT_CACHE_FILE + 1)) == NULL)
		goto out;
	while (len <= LIMIT_CACHE_FILE) {
		n = read(fd, buf + len, LIMIT_CACHE_FILE + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if ((j = sts_json_parse(buf, len)) == NULL) {
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
		sts_json_free(j);
		j = NULL;
	}
out:
	if (buf != NULL) {
		crypto_wipe(buf, LIMIT_CACHE_FILE + 1);
		free(buf);
	}
	if (fd != -1)
		close(fd);
	close(dfd);
	return j;
}

int
cache_read(struct cache *c, struct cache_entry *e)
{
	json_object *j, *v;
	struct cache_entry ne;
	char why[LIMIT_ERRMSG];
	int rc = -1;

	memset(&ne, 0, sizeof(ne));
	if ((j = cache_load(c, c->file)) == NULL)
		return -1;
	if (sts_json_creds(j, &ne.creds, why, sizeof(why)) == -1 ||
	    cache_json_time(j, "Obtained", &ne.obtained) == -1 ||
	    ne.obtained > ne.creds.expiration) {
		olog_warn("%s: %s: not trusted, will be replaced", c->path,
		    ne.creds.access_key_id == NULL ? why :
		    "bad Obtained time");
		creds_clear(&ne.creds);
		goto out;
	}
	if (json_object_object_get_ex(j, "NextRefresh", &v) &&
	    cache_json_time(j, "NextRefresh", &ne.next_refresh) == -1)
		ne.next_refresh = 0;
	*e = ne;
	rc = 0;
out:
	sts_json_free(j);
	return rc;
}

int
cache_read_fail(struct cache *c, time_t *until, struct oerr_detail *d)
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
	sts_json_free(j);
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
 * Write j as the file name: a temporary file (0600, never through a
 * link), then rename(2) over the old one, so that readers see the whole
 * old file or the whole new one.  Wipes and frees j.  Returns 0 or -1.
 */
static int
cache_store(struct cache *c, const char *name, json_object *j)
{
	unsigned char rnd[8];
	char tmp[CACHE_NAME_LEN + 48], rhex[2 * sizeof(rnd) + 1];
	const char *text;
	size_t len, off;
	ssize_t n;
	int dfd = -1, fd = -1, rc = -1, made = 0;

	if ((text = json_object_to_json_string_ext(j,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)) == NULL) {
		olog_err("%s/%s: out of memory", c->dir, name);
		goto out;
	}
	len = strlen(text);
	if ((dfd = cache_dir_open(c)) == -1 ||
	    crypto_random(rnd, sizeof(rnd)) == -1)
		goto out;
	crypto_hex(rnd, sizeof(rnd), rhex);
	snprintf(tmp, sizeof(tmp), "%s.tmp-%ld-%s", name, (long)getpid(),
	    rhex);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd == -1) {
		olog_warn("%s/%s: %s", c->dir, tmp, strerror(errno));
		goto out;
	}
	made = 1;
	/* umask may have taken bits away, never added them: be exact. */
	if (fchmod(fd, 0600) == -1)
		goto fail;
	for (off = 0; off < len; off += (size_t)n) {
		n = write(fd, text + off, len - off);
		if (n == -1 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n <= 0)
			goto fail;
	}
	n = close(fd);
	fd = -1;
	if (n == -1 || renameat(dfd, tmp, dfd, name) == -1)
		goto fail;
	made = 0;
	rc = 0;
	goto out;
fail:
	olog_warn("%s/%s: cannot write: %s", c->dir, name, strerror(errno));
out:
	/* The printed text lives in j; wipe it with the strings. */
	if ((text = json_object_to_json_string_ext(j,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)) != NULL)
		crypto_wipe((char *)text, strlen(text));
	sts_json_free(j);
	if (fd != -1)
		close(fd);
	if (made)
		unlinkat(dfd, tmp, 0);
	if (dfd != -1)
		close(dfd);
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
		sts_json_free(j);
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
		sts_json_free(j);
		return -1;
	}
	return cache_store(c, c->fail, j);
}

static long
cache_ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)(t.tv_sec - t0->tv_sec) * 1000 +
	    (t.tv_nsec - t0->tv_nsec) / 1000000;
}

int
cache_lock(struct cache *c, long wait_ms)
{
	struct timespec t0, pause;
	int dfd, fd;

	if (c->lockfd != -1)
		return 0;
	if ((dfd = cache_dir_open(c)) == -1)
		return -1;
	fd = openat(dfd, c->lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC, 0600);
	if (fd == -1) {
		olog_warn("%s/%s: %s%s", c->dir, c->lock, strerror(errno),
		    errno == ELOOP ? " (a symlink): remove it" : "");
		close(dfd);
		return -1;
	}
	close(dfd);
	if (cache_file_ok(c, fd, c->lock, 0) == -1) {
		close(fd);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			c->lockfd = fd;
			c->lockpid = getpid();
			return 0;
		}
		if (errno != EWOULDBLOCK && errno != EINTR) {
			olog_warn("%s/%s: flock: %s", c->dir, c->lock,
			    strerror(errno));
			close(fd);
			return -1;
		}
		if (cache_ms_since(&t0) >= wait_ms)
			break;
		pause.tv_sec = 0;
		pause.tv_nsec = LIMIT_LOCK_POLL_MS * 1000000L;
		nanosleep(&pause, NULL);
	}
	close(fd);
	return 1;
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
