/*
 * File helpers for the unit tests and benches: write a file with a mode,
 * read a whole file.
 *   tfile_put(path, "text", 4, 0600); buf = tfile_slurp(path, &len);
 */
#ifndef OSSIGN_TFILE_H
#define OSSIGN_TFILE_H

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/*
 * path made anew (whatever was there unlinked, 0600 while written), the len
 * bytes of data in it, then chmod to mode (umask or not); 0, or -1 (said on
 * stderr).
 */
static __attribute__((unused)) int
tfile_put(const char *path, const void *data, size_t len, mode_t mode)
{
	const char *p = data;
	ssize_t n;
	int fd, rc = 0;

	unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1) {
		perror(path);
		return -1;
	}
	while (len > 0) {
		if ((n = write(fd, p, len)) == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = -1;
			break;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fchmod(fd, mode) == -1)
		rc = -1;
	if (close(fd) == -1)
		rc = -1;
	if (rc == -1)
		perror(path);
	return rc;
}

/*
 * The whole of path, malloc'd, a NUL after it (not counted); its length in
 * *len unless len is NULL.  NULL if it cannot be read.
 */
static __attribute__((unused)) char *
tfile_slurp(const char *path, size_t *len)
{
	char *buf = NULL, *nbuf;
	size_t size = 0, used = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		return NULL;
	for (;;) {
		if (size - used < 2) {
			size = size == 0 ? 4096 : size * 2;
			if ((nbuf = realloc(buf, size)) == NULL)
				goto fail;
			buf = nbuf;
		}
		if ((n = read(fd, buf + used, size - used - 1)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	close(fd);
	buf[used] = '\0';
	if (len != NULL)
		*len = used;
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

#endif
