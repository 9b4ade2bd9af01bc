/*
 * secretfile: a file that holds a secret is read only when it is a
 * regular file (not through a symlink), ours or root's, open to no one
 * else and within its cap; text files may not hold a NUL, binary ones
 * may; the buffer is cleared whole (tests/t_wipe checks that with a free
 * hook) and clearing twice is fine.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "secretfile.h"
#include "tap.h"
#include "tfile.h"

static char base[] = "/tmp/t_secretfile.XXXXXX";
static char path[300];

static void
put(const void *data, size_t len, mode_t mode)
{
	tfile_put(path, data, len, mode);
}

/* secretfile_read of p; 0 or -1, err and f as it left them. */
static int
rd(const char *p, size_t max, int flags, struct secretfile *f, char *err)
{
	err[0] = '\0';
	return secretfile_read(p, "test_file", max, flags, f, err, 256);
}

int
main(void)
{
	struct secretfile f;
	char err[256], link_[320];

	tap_plan(11);
	if (mkdtemp(base) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/secret", base);
	put("s3cret\n", 7, 0600);
	ok(rd(path, 64, SECRETFILE_TEXT, &f, err) == 0 && f.len == 7 &&
	    strcmp(f.data, "s3cret\n") == 0 && f.size > f.len,
	    "a private text file is read whole, NUL-terminated");
	secretfile_clear(&f);
	ok(f.data == NULL && f.len == 0 && f.size == 0, "cleared: emptied");
	secretfile_clear(&f);
	ok(1, "clearing twice is fine");

	put("a\0b", 3, 0600);
	ok(rd(path, 64, SECRETFILE_TEXT, &f, err) == -1 &&
	    strstr(err, "NUL") != NULL && f.data == NULL,
	    "a NUL in a text file is refused, nothing returned");
	ok(rd(path, 64, 0, &f, err) == 0 && f.len == 3 &&
	    memcmp(f.data, "a\0b", 3) == 0, "but read as binary");
	secretfile_clear(&f);

	put("0123456789", 10, 0600);
	ok(rd(path, 9, 0, &f, err) == -1 && strstr(err, "larger") != NULL,
	    "over the cap: refused");
	ok(rd(path, 10, 0, &f, err) == 0, "at the cap: read");
	secretfile_clear(&f);

	put("s3cret", 6, 0640);
	ok(rd(path, 64, 0, &f, err) == -1 && strstr(err, "0640") != NULL &&
	    strstr(err, "test_file") != NULL && strstr(err, "s3cret") == NULL,
	    "0640: refused, naming the file and its mode, never the secret");
	put("s3cret", 6, 0600);
	snprintf(link_, sizeof(link_), "%s/link", base);
	symlink(path, link_);
	ok(rd(link_, 64, 0, &f, err) == -1 && strstr(err, "symlink") != NULL,
	    "a symlink: refused");
	ok(rd(base, 64, 0, &f, err) == -1 && strstr(err, "regular") != NULL,
	    "a directory: refused");
	snprintf(link_, sizeof(link_), "%s/none", base);
	ok(rd(link_, 64, 0, &f, err) == -1 && strstr(err, "No such") != NULL,
	    "a missing file: named");

	if (fork() == 0)
		execlp("rm", "rm", "-rf", base, (char *)NULL);
	wait(NULL);
	return tap_done();
}
