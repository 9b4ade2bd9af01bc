/* Files shared by the processes of one host; see statedir.h. */
#include "config.h"

#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crypto.h"
#include "limit.h"
#include "olog.h"
#include "statedir.h"
#include "util.h"

int
statedir_open(struct statedir *sd, const char *path, const char *then)
{
	struct stat st;
	int fd;

	sd->fd = -1;
	sd->path = path;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT) {
		if (mkdir(path, 0700) == -1 && errno != EEXIST) {
			olog_warn("%s: cannot create the directory: %s; %s",
			    path, strerror(errno), then);
			return -1;
		}
		fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	}
	if (fd == -1) {
		olog_warn("%s: cannot open the directory: %s%s; %s", path,
		    strerror(errno), errno == ELOOP || errno == ENOTDIR ?
		    " (a symlink or not a directory)" : "", then);
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 022) != 0) {
		olog_warn("%s: the directory must belong to uid %ld and not be "
		    "writable by group or others (chmod 0700); %s", path,
		    (long)geteuid(), then);
		close(fd);
		return -1;
	}
	sd->fd = fd;
	return 0;
}

void
statedir_close(struct statedir *sd)
{
	if (sd->fd != -1)
		close(sd->fd);
	sd->fd = -1;
}

/* Which rule fd breaks (max 0: no size cap), or NULL. */
static const char *
statedir_why(int fd, off_t max)
{
	struct stat st;

	if (fstat(fd, &st) == -1)
		return strerror(errno);
	if (!S_ISREG(st.st_mode))
		return "not a regular file";
	if (st.st_uid != geteuid())
		return "owned by another user";
	if ((st.st_mode & 077) != 0)
		return "readable or writable by group or others";
	if (st.st_nlink > 1)	/* 0: just replaced, still whole */
		return "has more than one link";
	if (max > 0 && st.st_size > max)
		return "too large";
	return NULL;
}

int
statedir_check(const struct statedir *sd, int fd, const char *name,
    off_t max)
{
	const char *why;

	if ((why = statedir_why(fd, max)) == NULL)
		return 0;
	olog_warn("%s/%s: %s: not trusted, will be replaced", sd->path, name,
	    why);
	return -1;
}

int
statedir_read(const struct statedir *sd, const char *name, char *buf,
    size_t bufsz, size_t *len)
{
	char extra;
	size_t n = 0, max = bufsz - 1;
	ssize_t r;
	int fd, rc = -1;

	fd = openat(sd->fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd == -1) {
		if (errno == ENOENT)
			return 1;
		olog_warn("%s/%s: %s%s: not trusted, will be replaced",
		    sd->path, name, strerror(errno), errno == ELOOP ?
		    " (a symlink)" : "");
		return -1;
	}
	if (statedir_check(sd, fd, name, (off_t)max) == -1)
		goto out;
	while (n < max) {
		r = read(fd, buf + n, max - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			olog_warn("%s/%s: %s", sd->path, name,
			    strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	/* Grown past its cap since the check: as untrusted as too large. */
	if (n == max && read(fd, &extra, 1) > 0) {
		olog_warn("%s/%s: too large: not trusted, will be replaced",
		    sd->path, name);
		goto out;
	}
	buf[n] = '\0';
	*len = n;
	rc = 0;
out:
	close(fd);
	return rc;
}

/*
 * A new temporary file beside name (its name into tmp, STATEDIR_TMP bytes),
 * mode 0600 exactly, open for reading and writing.  Returns the fd, or -1
 * (logged).
 */
#define STATEDIR_TMP	(LIMIT_STATEDIR_NAME + 48)
static int
statedir_mktemp(const struct statedir *sd, const char *name, char *tmp)
{
	unsigned char rnd[8];
	char rhex[2 * sizeof(rnd) + 1];
	int fd;

	if (strlen(name) > LIMIT_STATEDIR_NAME ||
	    crypto_random(rnd, sizeof(rnd)) == -1) {
		olog_err("%s/%s: no name for a temporary file", sd->path,
		    name);
		return -1;
	}
	crypto_hex(rnd, sizeof(rnd), rhex);
	snprintf(tmp, STATEDIR_TMP, "%s.tmp-%ld-%s", name, (long)getpid(),
	    rhex);
	fd = openat(sd->fd, tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	/* umask may have taken bits away, never added them: be exact. */
	if (fd == -1 || fchmod(fd, 0600) == -1) {
		olog_warn("%s/%s: %s", sd->path, tmp, strerror(errno));
		if (fd != -1) {
			close(fd);
			unlinkat(sd->fd, tmp, 0);
		}
		return -1;
	}
	return fd;
}

int
statedir_write(const struct statedir *sd, const char *name,
    const void *data, size_t len, int flags)
{
	char tmp[STATEDIR_TMP];
	const char *p = data;
	size_t off;
	ssize_t n;
	int fd, rc = -1, made = 0;

	if ((fd = statedir_mktemp(sd, name, tmp)) == -1)
		return -1;
	made = 1;
	for (off = 0; off < len; off += (size_t)n) {
		n = write(fd, p + off, len - off);
		if (n == -1 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n <= 0)
			goto fail;
	}
	n = close(fd);
	fd = -1;
	if (n == -1)
		goto fail;
	if (flags & STATEDIR_KEEP) {
		if (renameat2(sd->fd, tmp, sd->fd, name, RENAME_NOREPLACE) ==
		    -1) {
			if (errno != EEXIST)
				goto fail;
			rc = 1;
			goto out;
		}
	} else if (renameat(sd->fd, tmp, sd->fd, name) == -1)
		goto fail;
	made = 0;
	rc = 0;
	goto out;
fail:
	olog_warn("%s/%s: cannot write: %s", sd->path, name, strerror(errno));
out:
	if (fd != -1)
		close(fd);
	if (made)
		unlinkat(sd->fd, tmp, 0);
	return rc;
}

/* Open name for statedir_open_rw and check it; -1 quietly when unfit. */
static int
statedir_rw_try(const struct statedir *sd, const char *name, int quiet)
{
	int fd;

	fd = openat(sd->fd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC, 0600);
	if (fd == -1) {
		if (!quiet)
			olog_warn("%s/%s: %s%s: not trusted, will be replaced",
			    sd->path, name, strerror(errno), errno == ELOOP ?
			    " (a symlink)" : "");
		return -1;
	}
	if (quiet ? statedir_why(fd, 0) != NULL : statedir_check(sd, fd, name,
	    0) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

int
statedir_open_rw(const struct statedir *sd, const char *name)
{
	char tmp[STATEDIR_TMP];
	int fd;

	if ((fd = statedir_rw_try(sd, name, 0)) != -1)
		return fd;
	/*
	 * Replace it, one process at a time: under the directory's lock,
	 * look again (another may have just done it), else rename a new
	 * file over it.  What a symlink points to is never touched.
	 */
	if (flock(sd->fd, LOCK_EX) == -1) {
		olog_warn("%s: flock: %s", sd->path, strerror(errno));
		return -1;
	}
	if ((fd = statedir_rw_try(sd, name, 1)) != -1)
		goto out;
	if ((fd = statedir_mktemp(sd, name, tmp)) == -1)
		goto out;
	if (renameat(sd->fd, tmp, sd->fd, name) == -1) {
		olog_warn("%s/%s: cannot replace it: %s", sd->path, name,
		    strerror(errno));
		close(fd);
		unlinkat(sd->fd, tmp, 0);
		fd = -1;
		goto out;
	}
	olog_warn("%s/%s: replaced", sd->path, name);
out:
	(void)flock(sd->fd, LOCK_UN);
	return fd;
}

int
statedir_lock(const struct statedir *sd, const char *name, long wait_ms,
    int *fdp)
{
	struct timespec t0, pause;
	struct stat st, now;
	int fd, reopened = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
again:
	if ((fd = statedir_open_rw(sd, name)) == -1)
		return -1;
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			/* Replaced between the open and the lock: again. */
			if (fstat(fd, &st) == 0 && fstatat(sd->fd, name, &now,
			    AT_SYMLINK_NOFOLLOW) == 0 && st.st_dev ==
			    now.st_dev && st.st_ino == now.st_ino) {
				*fdp = fd;
				return 0;
			}
			close(fd);
			if (++reopened > 3)
				return 1;
			goto again;
		}
		if (errno != EWOULDBLOCK && errno != EINTR) {
			olog_warn("%s/%s: flock: %s", sd->path, name,
			    strerror(errno));
			close(fd);
			return -1;
		}
		if (util_us_since(&t0) / 1000 >= wait_ms)
			break;
		pause.tv_sec = 0;
		pause.tv_nsec = LIMIT_LOCK_POLL_MS * 1000000L;
		nanosleep(&pause, NULL);
	}
	close(fd);
	return 1;
}

/*
 * name mapped, when it is trusted, size bytes and valid; NULL otherwise,
 * with what is wrong in *why when a file was there (NULL: there was none).
 * Quiet: the caller logs it when it replaces the file.
 */
static void *
statedir_map_try(const struct statedir *sd, const char *name, size_t size,
    int (*valid)(void *, size_t, void *), void *arg, const char **why)
{
	struct stat st;
	void *map;
	int fd;

	*why = NULL;
	fd = openat(sd->fd, name, O_RDWR | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd == -1) {
		if (errno != ENOENT)
			*why = errno == ELOOP ? "a symlink" : strerror(errno);
		return NULL;
	}
	if ((*why = statedir_why(fd, 0)) != NULL || fstat(fd, &st) == -1 ||
	    (uintmax_t)st.st_size != (uintmax_t)size) {
		if (*why == NULL)
			*why = "not the size of the table";
		close(fd);
		return NULL;
	}
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		*why = strerror(errno);
		return NULL;
	}
	if (!valid(map, size, arg)) {
		munmap(map, size);
		*why = "not a table of this version";
		return NULL;
	}
	return map;
}

void *
statedir_map(const struct statedir *sd, const char *name, size_t size,
    int (*valid)(void *, size_t, void *), int (*init)(void *, size_t, void *),
    void *arg)
{
	char tmp[STATEDIR_TMP];
	const char *why;
	void *map;
	int fd = -1, e;

	if ((map = statedir_map_try(sd, name, size, valid, arg, &why)) != NULL)
		return map;
	if (flock(sd->fd, LOCK_EX) == -1) {
		olog_warn("%s: flock: %s", sd->path, strerror(errno));
		return NULL;
	}
	/* Another process may have made it while this one waited. */
	if ((map = statedir_map_try(sd, name, size, valid, arg, &why)) != NULL)
		goto out;
	if ((fd = statedir_mktemp(sd, name, tmp)) == -1)
		goto out;
	if ((e = posix_fallocate(fd, 0, (off_t)size)) != 0) {
		olog_warn("%s/%s: cannot make %zu bytes: %s", sd->path, name,
		    size, strerror(e));
		goto fail;
	}
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		map = NULL;
		olog_warn("%s/%s: mmap: %s", sd->path, tmp, strerror(errno));
		goto fail;
	}
	if (init(map, size, arg) == -1) {
		olog_warn("%s/%s: the table cannot be made", sd->path, name);
		goto fail;
	}
	if (renameat(sd->fd, tmp, sd->fd, name) == -1) {
		olog_warn("%s/%s: cannot rename it into place: %s", sd->path,
		    name, strerror(errno));
		goto fail;
	}
	if (why != NULL)
		olog_warn("%s/%s: %s: replaced", sd->path, name, why);
	close(fd);
	goto out;
fail:
	if (map != NULL)
		munmap(map, size);
	map = NULL;
	if (fd != -1) {
		close(fd);
		unlinkat(sd->fd, tmp, 0);
	}
out:
	(void)flock(sd->fd, LOCK_UN);
	return map;
}
