/*
 * secret: the server secret is secret_file's bytes when it is set (32 or
 * more, checked like access_key_file), else 32 random bytes made once in
 * cache_dir/secret and read by every later process, the same bytes for
 * all of them even when several make it at once; one that is too short is
 * refused, and a failure is tried again on the next call.
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "secret.h"
#include "tap.h"
#include "tfile.h"

static char base[] = "/tmp/t_secret.XXXXXX";

/* secret_get on a new handle; the bytes into out (64), their length. */
static long
get(const char *file, const char *dir, unsigned char *out)
{
	struct secret *s;
	struct oerr_detail d;
	const unsigned char *k;
	size_t len;
	long rc = -1;

	if ((s = secret_new(file, dir)) == NULL)
		return -1;
	if (secret_get(s, &k, &len, &d) == 0 && len <= 64) {
		memcpy(out, k, len);
		rc = (long)len;
	}
	secret_free(s);
	return rc;
}

int
main(void)
{
	unsigned char a[64], b[64], *shared;
	char file[300], dir[300], dir2[300], made[320], err[256];
	struct secret *s;
	struct oerr_detail d;
	const unsigned char *k;
	size_t len;
	int i, same, status;
	pid_t pid;
	struct stat st;

	tap_plan(15);
	if (mkdtemp(base) == NULL)
		return 1;
	snprintf(file, sizeof(file), "%s/secret_file", base);
	snprintf(dir, sizeof(dir), "%s/cache", base);
	snprintf(dir2, sizeof(dir2), "%s/cache2", base);
	snprintf(made, sizeof(made), "%s/%s", dir, SECRET_FILE_NAME);

	/* ---- secret_file ---- */
	tfile_put(file, "0123456789abcdef0123456789abcdef\n", 33, 0600);
	is_int(get(file, dir, a), 33, "secret_file: its bytes, as they are");
	ok(memcmp(a, "0123456789abcdef0123456789abcdef\n", 33) == 0,
	    "secret_file: the same bytes");
	is_int(secret_check_file(file, err, sizeof(err)), 0,
	    "secret_check_file accepts it");
	tfile_put(file, "0123456789abcdef0123456789abcde", 31, 0600);
	ok(get(file, dir, a) == -1 && secret_check_file(file, err,
	    sizeof(err)) == -1 && strstr(err, "32 or more") != NULL,
	    "secret_file of 31 bytes: refused (%s)", err);
	tfile_put(file, "0123456789abcdef0123456789abcdef", 32, 0644);
	ok(get(file, dir, a) == -1 && secret_check_file(file, err,
	    sizeof(err)) == -1 && strstr(err, "group or others") != NULL,
	    "secret_file readable by others: refused (%s)", err);
	ok(strstr(err, "0123456789") == NULL, "the message never holds the "
	    "secret");

	/* ---- made in cache_dir ---- */
	is_int(get(NULL, dir, a), 32, "no secret_file: 32 bytes made");
	ok(stat(made, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & 077) == 0 && st.st_size == 32,
	    "cache_dir/secret: 32 bytes, closed to group and others");
	is_int(get(NULL, dir, b), 32, "a second process reads them");
	ok(memcmp(a, b, 32) == 0, "the same 32 bytes");
	is_int(get(NULL, dir2, b), 32, "another cache_dir: its own secret");
	ok(memcmp(a, b, 32) != 0, "different bytes there");

	/* Four processes making it at once all end with the same bytes. */
	shared = mmap(NULL, 4 * 32, PROT_READ | PROT_WRITE, MAP_SHARED |
	    MAP_ANONYMOUS, -1, 0);
	snprintf(dir2, sizeof(dir2), "%s/race", base);
	for (i = 0; i < 4; i++)
		if ((pid = fork()) == 0)
			_exit(get(NULL, dir2, shared + 32 * i) == 32 ? 0 : 1);
	same = 1;
	for (i = 0; i < 4; i++)
		if (wait(&status) == -1 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			same = 0;
	for (i = 1; i < 4; i++)
		if (memcmp(shared, shared + 32 * i, 32) != 0)
			same = 0;
	ok(same, "4 processes making the secret at once: one secret");

	/* A short cache_dir/secret is refused, and tried again later. */
	tfile_put(made, "short", 5, 0600);
	s = secret_new(NULL, dir);
	ok(secret_get(s, &k, &len, &d) == -1 && d.err == OERR_INTERNAL,
	    "cache_dir/secret of 5 bytes: refused, 500");
	unlink(made);
	ok(secret_get(s, &k, &len, &d) == 0 && len == 32,
	    "once it is removed, the next call makes a new one");
	secret_free(s);
	secret_free(NULL);
	return tap_done();
}
