/*
 * statedir_map: a fixed-size file in a state directory, mapped shared (the
 * metrics counters; helper I's rate-limit table is the other).  Made
 * whole when missing (0600, exactly its size), the same file for every
 * later opener (a good file is never rewritten), replaced when its layout
 * is another (the old mapping still works), when it is short, untrusted
 * (0644) or a symlink (whose target is left alone); eight processes racing
 * to make it all map one file and lose no update.
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "statedir.h"
#include "tap.h"
#include "tfile.h"

#define SIZE	4096
#define MAGIC	0x74657374706d6170ULL

static char base[] = "/tmp/t_statedir_map.XXXXXX";
static char path[400];

static int
init(void *region, size_t size, void *arg)
{
	(void)size;
	(void)arg;
	((uint64_t *)region)[0] = MAGIC;
	return 0;
}

static int
check(void *region, size_t size, void *arg)
{
	(void)arg;
	return size == SIZE && ((uint64_t *)region)[0] == MAGIC;
}

/* statedir_map of "m" with the layout above. */
static uint64_t *
map(const struct statedir *sd)
{
	return statedir_map(sd, "m", SIZE, check, init, NULL);
}

static void
unmap(uint64_t *m)
{
	if (m != NULL)
		munmap(m, SIZE);
}

static ino_t
inode(void)
{
	struct stat st;

	return lstat(path, &st) == 0 ? st.st_ino : 0;
}

static void
put(const char *text, mode_t mode)
{
	tfile_put(path, text, strlen(text), mode);
}

int
main(void)
{
	struct statedir sd;
	struct stat st;
	uint64_t *a, *b, *old;
	char other[400];
	pid_t pids[8];
	ino_t ino;
	int i, j, st2, allok;

	tap_plan(12);
	if (mkdtemp(base) == NULL || statedir_open(&sd, base, "test") == -1)
		return 1;
	snprintf(path, sizeof(path), "%s/m", base);

	a = map(&sd);
	ok(a != NULL && a[0] == MAGIC && stat(path, &st) == 0 &&
	    st.st_size == SIZE && (st.st_mode & 0777) == 0600,
	    "a missing file is made whole: its layout, %d bytes, 0600", SIZE);
	b = map(&sd);
	ino = inode();
	a[1] = 42;
	ok(b != NULL && b[1] == 42, "a second opener maps the same file");
	unmap(b);
	b = map(&sd);
	ok(b != NULL && b[1] == 42 && inode() == ino,
	    "a good file is never rewritten (same inode, counts kept)");
	unmap(b);

	/* Another layout (version): replaced; the old mapping still works. */
	a[0] = 1;
	old = a;
	a = map(&sd);
	ok(a != NULL && a[0] == MAGIC && a[1] == 0 && inode() != ino,
	    "another layout: a new file takes its name");
	old[1] = 7;
	ok(a != NULL && a[1] == 0 && old[1] == 7,
	    "processes with the old file keep counting into it, apart");
	unmap(old);
	unmap(a);

	put("short", 0600);
	a = map(&sd);
	ok(a != NULL && stat(path, &st) == 0 && st.st_size == SIZE,
	    "a short file is replaced by a whole one");
	unmap(a);
	put("", 0644);
	a = map(&sd);
	ok(a != NULL && stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
	    "a group/world-readable file is replaced (0600)");
	unmap(a);
	snprintf(other, sizeof(other), "%s/target", base);
	unlink(path);
	tfile_put(other, "keep", 4, 0600);
	if (symlink(other, path) == -1)
		perror("symlink");
	a = map(&sd);
	ok(a != NULL && lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    stat(other, &st) == 0 && st.st_size == 4,
	    "a symlink is replaced by a file; its target is not touched");
	unmap(a);
	a = map(&sd);
	ok(a != NULL, "and opens again");
	unmap(a);

	/* Eight processes race to make it; all count into one file. */
	unlink(path);
	fflush(stdout);
	for (i = 0; i < 8; i++)
		if ((pids[i] = fork()) == 0) {
			/*
			 * A directory of its own, as every process opens it:
			 * the lock is flock on the directory's descriptor,
			 * which processes forked from one holding it share.
			 */
			struct statedir csd;
			uint64_t *m = statedir_open(&csd, base, "test") == 0 ?
			    map(&csd) : NULL;

			if (m == NULL)
				_exit(1);
			for (j = 0; j < 10000; j++)
				__atomic_fetch_add(&m[2], 1, __ATOMIC_RELAXED);
			_exit(0);
		}
	allok = 1;
	for (i = 0; i < 8; i++)
		allok &= waitpid(pids[i], &st2, 0) == pids[i] &&
		    WIFEXITED(st2) && WEXITSTATUS(st2) == 0;
	ok(allok, "8 processes mapped it at once");
	a = map(&sd);
	is_int(a != NULL ? (long long)a[2] : -1, 80000,
	    "80000 updates in the one file: none went to a file replaced "
	    "under another process");
	unmap(a);
	ok(stat(path, &st) == 0 && st.st_size == SIZE && (st.st_mode & 0777) ==
	    0600, "it stays in place, whole and 0600, for the next process");

	unlink(path);
	unlink(other);
	statedir_close(&sd);
	rmdir(base);
	return tap_done();
}
