/*
 * statedir: the trust rules of files the processes of a host share.  The
 * directory (created 0700; refused when group- or world-writable or a
 * symlink), atomic writes (0600, no temporary file left, STATEDIR_KEEP),
 * reads that refuse what an attacker or an accident could leave (a
 * symlink, 0644, a hard link, a FIFO, a file over its cap), and files
 * opened to lock or map, which are replaced when they break the rules
 * (issue 9, defect 11), then lock between processes.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "statedir.h"
#include "tap.h"
#include "tfile.h"

static char base[] = "/tmp/t_statedir.XXXXXX";
static char dir[300];

static void
put(const char *name, const char *text, mode_t mode)
{
	char p[400];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	tfile_put(p, text, strlen(text), mode);
}

static int
mode_of(const char *name)
{
	char p[400];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (lstat(p, &st) == -1)
		return -1;
	return S_ISREG(st.st_mode) ? (int)(st.st_mode & 07777) : -2;
}

static int
tmp_left(void)
{
	DIR *d;
	struct dirent *e;
	int n = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strstr(e->d_name, ".tmp-") != NULL)
			n++;
	closedir(d);
	return n;
}

/* statedir_read of name into a 16-byte buffer; the text or a marker. */
static const char *
rd(struct statedir *sd, const char *name)
{
	static char buf[16];
	size_t len;
	int rc;

	rc = statedir_read(sd, name, buf, sizeof(buf), &len);
	return rc == 0 ? buf : rc == 1 ? "(missing)" : "(refused)";
}

static void
t_dir(void)
{
	struct statedir sd;
	char p[400];
	struct stat st;

	ok(statedir_open(&sd, dir, "test") == 0 && stat(dir, &st) == 0 &&
	    (st.st_mode & 0777) == 0700, "a missing directory is made 0700");
	statedir_close(&sd);
	statedir_close(&sd);
	ok(sd.fd == -1, "closing twice is fine");
	chmod(dir, 0777);
	ok(statedir_open(&sd, dir, "test") == -1 && sd.fd == -1,
	    "a world-writable directory is refused");
	chmod(dir, 0700);
	snprintf(p, sizeof(p), "%s/link", base);
	symlink(dir, p);
	ok(statedir_open(&sd, p, "test") == -1, "a symlink to one is refused");
}

static void
t_files(struct statedir *sd)
{
	char p[400], q[400];

	ok(statedir_write(sd, "a", "hello", 5, 0) == 0 &&
	    mode_of("a") == 0600 && tmp_left() == 0,
	    "write: 0600, no temporary file left");
	is_str(rd(sd, "a"), "hello", "read it back");
	ok(statedir_write(sd, "a", "bye", 3, 0) == 0, "replace it");
	is_str(rd(sd, "a"), "bye", "the new text, whole");
	is_int(statedir_write(sd, "a", "other", 5, STATEDIR_KEEP), 1,
	    "STATEDIR_KEEP leaves an existing file");
	is_str(rd(sd, "a"), "bye", "untouched");
	ok(statedir_write(sd, "k", "new", 3, STATEDIR_KEEP) == 0 &&
	    strcmp(rd(sd, "k"), "new") == 0 && tmp_left() == 0,
	    "and makes a missing one");
	is_str(rd(sd, "none"), "(missing)", "a missing file: 1, quietly");

	put("big", "0123456789abcdef", 0600);
	is_str(rd(sd, "big"), "(refused)", "over the cap: refused");
	put("open", "x", 0644);
	is_str(rd(sd, "open"), "(refused)", "0644: refused");
	put("t", "x", 0600);
	snprintf(p, sizeof(p), "%s/t", dir);
	snprintf(q, sizeof(q), "%s/sym", dir);
	symlink(p, q);
	is_str(rd(sd, "sym"), "(refused)", "a symlink: refused");
	snprintf(q, sizeof(q), "%s/hard", dir);
	link(p, q);
	is_str(rd(sd, "hard"), "(refused)", "a hard link: refused");
	unlink(q);
	snprintf(q, sizeof(q), "%s/fifo", dir);
	mkfifo(q, 0600);
	is_str(rd(sd, "fifo"), "(refused)", "a FIFO: refused (no hang)");
	ok(statedir_write(sd, "sym", "mine", 4, 0) == 0 &&
	    mode_of("sym") == 0600 && strcmp(rd(sd, "t"), "x") == 0,
	    "a write replaces the symlink, not what it points to");
}

/* open_rw on name: 1 when it gives a private regular file, else 0. */
static int
rw_ok(struct statedir *sd, const char *name)
{
	int fd;

	if ((fd = statedir_open_rw(sd, name)) == -1)
		return 0;
	close(fd);
	return mode_of(name) == 0600;
}

static void
t_rw(struct statedir *sd)
{
	struct passwd *pw;
	char p[400], q[400];
	pid_t pid;
	int fd, fd2, status;

	ok(rw_ok(sd, "l1"), "open_rw makes a missing file 0600");
	ok(rw_ok(sd, "l1"), "and opens it again");
	put("l2", "x", 0644);
	ok(rw_ok(sd, "l2"), "a 0644 file is replaced");
	snprintf(p, sizeof(p), "%s/target", base);
	tfile_put(p, "", 0, 0600);
	snprintf(q, sizeof(q), "%s/l3", dir);
	symlink(p, q);
	ok(rw_ok(sd, "l3") && access(p, F_OK) == 0,
	    "a symlink is replaced, its target left");
	snprintf(q, sizeof(q), "%s/l4", dir);
	mkfifo(q, 0600);
	ok(rw_ok(sd, "l4"), "a FIFO is replaced");
	snprintf(q, sizeof(q), "%s/l5", dir);
	link(p, q);
	ok(rw_ok(sd, "l5"), "a hard link is replaced");
	if (geteuid() == 0 && (pw = getpwnam("nobody")) != NULL) {
		put("l6", "", 0600);
		snprintf(q, sizeof(q), "%s/l6", dir);
		if (chown(q, pw->pw_uid, pw->pw_gid) == -1)
			perror("chown");
		ok(rw_ok(sd, "l6"), "another user's file is replaced");
	} else
		ok(1, "# SKIP another user's file needs root");
	snprintf(q, sizeof(q), "%s/d", dir);
	mkdir(q, 0700);
	ok(statedir_open_rw(sd, "d") == -1, "a directory is not replaced");

	ok(statedir_lock(sd, "lk", 0, &fd) == 0, "lock taken");
	if ((pid = fork()) == 0) {
		status = statedir_lock(sd, "lk", 0, &fd2) == 1 &&
		    statedir_lock(sd, "lk", 100, &fd2) == 1 ? 0 : 1;
		_exit(status);
	}
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "another process finds it busy, also after waiting");
	close(fd);
	ok(statedir_lock(sd, "lk", 0, &fd) == 0, "free again once closed");
	close(fd);
	chmod(q, 0700);
	put("lk", "", 0666);
	ok(statedir_lock(sd, "lk", 0, &fd) == 0 && mode_of("lk") == 0600,
	    "a lock file that breaks the rules is replaced, then locked");
	close(fd);
}

int
main(void)
{
	struct statedir sd;

	tap_plan(30);
	if (mkdtemp(base) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s/state", base);
	t_dir();
	if (statedir_open(&sd, dir, "test") == -1)
		return 1;
	t_files(&sd);
	t_rw(&sd);
	statedir_close(&sd);
	if (fork() == 0)
		execlp("rm", "rm", "-rf", base, (char *)NULL);
	wait(NULL);
	return tap_done();
}
