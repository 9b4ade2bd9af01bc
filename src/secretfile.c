/* Reading a file that holds a secret; see secretfile.h. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto.h"
#include "secretfile.h"

int
secretfile_read(const char *path, const char *what, size_t max, int flags,
    struct secretfile *out, char *err, size_t errlen)
{
	struct secretfile f = { NULL, 0, 0 };
	struct stat st;
	ssize_t n;
	int fd;

	memset(out, 0, sizeof(*out));
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		if (errno == ELOOP)
			snprintf(err, errlen, "%s %s is a symlink: refused "
			    "(name the file itself)", what, path);
		else
			snprintf(err, errlen, "%s %s: %s", what, path,
			    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s %s is not a regular file: refused",
		    what, path);
		goto fail;
	}
	if ((flags & SECRETFILE_PUBLIC) && (st.st_mode & 022) != 0) {
		snprintf(err, errlen, "%s %s is writable by group or others "
		    "(mode %04o): refused; chmod 644 it", what, path,
		    (unsigned int)(st.st_mode & 07777));
		goto fail;
	}
	if (!(flags & SECRETFILE_PUBLIC) && (st.st_mode & 077) != 0) {
		snprintf(err, errlen, "%s %s is accessible by group or "
		    "others (mode %04o): refused; chmod 600 it", what, path,
		    (unsigned int)(st.st_mode & 07777));
		goto fail;
	}
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		snprintf(err, errlen, "%s %s belongs to uid %ld, neither "
		    "this user nor root: refused", what, path,
		    (long)st.st_uid);
		goto fail;
	}
	if ((size_t)st.st_size > max) {
		snprintf(err, errlen, "%s %s is larger than %zu bytes", what,
		    path, max);
		goto fail;
	}
	f.size = max + 1;
	if ((f.data = malloc(f.size)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	while (f.len <= max) {
		n = read(fd, f.data + f.len, max + 1 - f.len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, errlen, "%s %s: %s", what, path,
			    strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		f.len += (size_t)n;
	}
	if (f.len > max) {
		snprintf(err, errlen, "%s %s is larger than %zu bytes", what,
		    path, max);
		goto fail;
	}
	f.data[f.len] = '\0';
	if ((flags & SECRETFILE_TEXT) && memchr(f.data, '\0', f.len) != NULL) {
		snprintf(err, errlen, "%s %s holds a NUL byte", what, path);
		goto fail;
	}
	close(fd);
	*out = f;
	return 0;
fail:
	secretfile_clear(&f);
	close(fd);
	return -1;
}

void
secretfile_clear(struct secretfile *f)
{
	if (f->data != NULL) {
		crypto_wipe(f->data, f->size);
		free(f->data);
	}
	memset(f, 0, sizeof(*f));
}
