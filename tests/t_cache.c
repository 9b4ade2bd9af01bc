/*
 * cache: the credential cache file.  Round trip, modes, and every file an
 * attacker (or an accident) could leave there: a symlink, a world-readable
 * file, another user's file, garbage, a truncated file, a hard link, a
 * FIFO, a file for another source; atomic replacement under concurrent
 * readers; the refresh lock between processes.
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

#include "cache.h"
#include "creds.h"
#include "limit.h"
#include "tap.h"
#include "tfile.h"

#define NOW	1795586981	/* 2026-11-25T06:09:41Z */

static char dir[256];
static char path[512];

static struct cache *
mk(const char *id)
{
	unsigned char key[CRYPTO_SHA256_LEN];
	const char *parts[] = { "test", id };

	if (cache_key(parts, 2, key) == -1)
		return NULL;
	return cache_new(dir, key);
}

static void
entry(struct cache_entry *e, const char *id, const char *secret)
{
	memset(e, 0, sizeof(*e));
	e->creds.access_key_id = (char *)id;
	e->creds.access_key_secret = (char *)secret;
	e->creds.security_token = (char *)"CAIS+tok/en==";
	e->creds.expiration = NOW + 3600;
	e->obtained = NOW;
}

static int
write_file(const char *p, const char *text, mode_t mode)
{
	return tfile_put(p, text, strlen(text), mode);
}

static int
reads(struct cache *c)
{
	struct cache_entry e;

	if (cache_read(c, NOW, &e) == -1)
		return 0;
	creds_clear(&e.creds);
	return 1;
}

static int
tmp_files_left(void)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strstr(de->d_name, ".tmp-") != NULL)
			n++;
	closedir(d);
	return n;
}

static void
t_key(void)
{
	unsigned char a[32], b[32];
	const char *p1[] = { "x", "y" }, *p2[] = { "x", NULL },
	    *p3[] = { "x", "" }, *p4[] = { "xy", "" }, *p5[] = { "y", "x" };

	cache_key(p1, 2, a);
	cache_key(p1, 2, b);
	ok(memcmp(a, b, 32) == 0, "key: same parts, same key");
	cache_key(p2, 2, a);
	cache_key(p3, 2, b);
	ok(memcmp(a, b, 32) != 0, "key: NULL and \"\" differ");
	cache_key(p3, 2, a);
	cache_key(p4, 2, b);
	ok(memcmp(a, b, 32) != 0, "key: part boundaries count");
	cache_key(p1, 2, a);
	cache_key(p5, 2, b);
	ok(memcmp(a, b, 32) != 0, "key: order counts");
}

static void
t_roundtrip(struct cache *c)
{
	struct cache_entry e, r;
	struct stat st;

	ok(!reads(c), "no file yet: no entry");
	ok(stat(dir, &st) == 0 && S_ISDIR(st.st_mode) &&
	    (st.st_mode & 0777) == 0700, "the directory was created 0700");
	entry(&e, "STS.one", "secret-one");
	e.next_refresh = NOW + 30;
	ok(cache_write(c, &e) == 0, "write");
	ok(lstat(cache_path(c), &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & 0777) == 0600, "the file is 0600");
	memset(&r, 0, sizeof(r));
	ok(cache_read(c, NOW, &r) == 0, "read back");
	is_str(r.creds.access_key_id, "STS.one", "id");
	is_str(r.creds.access_key_secret, "secret-one", "secret");
	is_str(r.creds.security_token, "CAIS+tok/en==", "token");
	is_int((long long)r.creds.expiration, NOW + 3600, "expiration");
	is_int((long long)r.obtained, NOW, "obtained");
	is_int((long long)r.next_refresh, NOW + 30, "next refresh");
	creds_clear(&r.creds);
	ok(tmp_files_left() == 0, "no temporary file left behind");

	/* The failure record, beside the entry. */
	{
		struct oerr_detail d, d2;
		time_t until = 0;
		char fp[600];

		oerr_set(&d, OERR_CREDS_REFUSED, "STS AssumeRole refused: "
		    "NoPermission (RequestId X-1)");
		ok(cache_read_fail(c, NOW, &until, &d2) == -1,
		    "no failure record yet");
		ok(cache_write_fail(c, NOW + 1, &d) == 0,
		    "write a failure record");
		memset(&d2, 0, sizeof(d2));
		ok(cache_read_fail(c, NOW, &until, &d2) == 0 && until == NOW + 1 &&
		    d2.err == OERR_CREDS_REFUSED &&
		    strcmp(d2.msg, d.msg) == 0,
		    "read it back: the error and its hold");
		ok(reads(c), "the entry beside it is untouched");
		snprintf(fp, sizeof(fp), "%s", cache_path(c));
		strcpy(strstr(fp, ".json"), ".fail");
		chmod(fp, 0644);
		ok(cache_read_fail(c, NOW, &until, &d2) == -1,
		    "a 0644 failure record is not trusted");
		unlink(fp);
	}
	memset(&e, 0, sizeof(e));
	ok(cache_write(c, &e) == -1, "an entry without credentials is not "
	    "written");

	/*
	 * Times another process wrote are bounded by the reader's clock
	 * (issue 9, defect 2): "ossign sign --time 2030" wrote a hold of
	 * 2030 and every process then answered 503 until then.
	 */
	{
		struct oerr_detail d, d2;
		time_t until = 0;

		oerr_set(&d, OERR_CREDS_UNAVAILABLE, "STS is down");
		cache_write_fail(c, NOW + 86400 * 365, &d);
		ok(cache_read_fail(c, NOW, &until, &d2) == -1,
		    "a failure hold a year ahead of the reader is not trusted");
		cache_write_fail(c, NOW + LIMIT_FAIL_HOLD + LIMIT_CACHE_SLACK,
		    &d);
		ok(cache_read_fail(c, NOW, &until, &d2) == 0,
		    "one within its length (and the slack) is");
		entry(&e, "STS.two", "secret-two");
		e.next_refresh = NOW + 86400 * 365;
		e.obtained = NOW + 600;
		cache_write(c, &e);
		memset(&r, 0, sizeof(r));
		ok(cache_read(c, NOW, &r) == 0 && r.next_refresh == 0,
		    "a refresh hold a year ahead is dropped (the entry kept)");
		is_int((long long)r.obtained, NOW,
		    "an Obtained time ahead of the reader is cut to its now");
		creds_clear(&r.creds);
		e.next_refresh = NOW + LIMIT_REFRESH_HOLD;
		e.obtained = NOW;
		cache_write(c, &e);
		ok(cache_read(c, NOW, &r) == 0 &&
		    r.next_refresh == NOW + LIMIT_REFRESH_HOLD,
		    "a hold within its length is kept");
		creds_clear(&r.creds);
	}

	/* Nor credentials that say they last for ever (defect 9). */
	entry(&e, "STS.far", "secret-far");
	e.creds.expiration = NOW + 86400 * 365 * 3000LL;
	cache_write(c, &e);
	ok(!reads(c), "an entry expiring in a thousand years is not trusted");
	e.creds.expiration = NOW + LIMIT_CREDS_LIFE_MAX;
	cache_write(c, &e);
	ok(reads(c), "one within LIMIT_CREDS_LIFE_MAX is");
}

static void
t_attacks(struct cache *c)
{
	struct cache_entry e, r;
	struct passwd *pw;
	struct stat st;
	char other[600], good[8192], *s;
	struct cache *c2;

	entry(&e, "STS.good", "secret-good");
	cache_write(c, &e);
	s = tfile_slurp(cache_path(c), NULL);
	snprintf(good, sizeof(good), "%s", s != NULL ? s : "");
	free(s);

	/* A symlink to a perfectly valid file is still refused. */
	snprintf(other, sizeof(other), "%s/elsewhere.json", dir);
	write_file(other, good, 0600);
	unlink(cache_path(c));
	ok(symlink(other, cache_path(c)) == 0 && !reads(c),
	    "a symlink is refused");
	entry(&e, "STS.new", "secret-new");
	ok(cache_write(c, &e) == 0 && lstat(cache_path(c), &st) == 0 &&
	    S_ISREG(st.st_mode), "and replaced by a regular file");
	s = tfile_slurp(other, NULL);
	ok(s != NULL && strstr(s, "STS.good") != NULL,
	    "the link's target is untouched");
	free(s);

	write_file(cache_path(c), good, 0644);
	ok(!reads(c), "a 0644 file is refused");
	write_file(cache_path(c), good, 0640);
	ok(!reads(c), "a 0640 file is refused");
	write_file(cache_path(c), good, 0602);
	ok(!reads(c), "a 0602 file is refused");
	cache_write(c, &e);
	ok(reads(c), "rewritten, it is trusted again");

	if (geteuid() == 0 && (pw = getpwnam("nobody")) != NULL) {
		write_file(cache_path(c), good, 0600);
		ok(chown(cache_path(c), pw->pw_uid, pw->pw_gid) == 0 &&
		    !reads(c), "a file owned by another user is refused");
		ok(cache_write(c, &e) == 0 && stat(cache_path(c), &st) == 0 &&
		    st.st_uid == 0, "and replaced by our own");
	} else
		for (int i = 0; i < 2; i++)
			ok(1, "# SKIP other owner needs root");

	write_file(cache_path(c), "garbage \x01\x02 not json", 0600);
	ok(!reads(c), "garbage is refused");
	good[strlen(good) / 2] = '\0';
	write_file(cache_path(c), good, 0600);
	ok(!reads(c), "a truncated file is refused");
	write_file(cache_path(c), "", 0600);
	ok(!reads(c), "an empty file is refused");
	write_file(cache_path(c), "{\"version\":1}", 0600);
	ok(!reads(c), "a file with no credentials is refused");

	/* The entry of one source under another's name. */
	c2 = mk("another source");
	cache_write(c2, &e);
	unlink(cache_path(c));
	ok(rename(cache_path(c2), cache_path(c)) == 0 && !reads(c),
	    "a file written for another source is refused");
	cache_free(c2);

	cache_write(c, &e);
	snprintf(other, sizeof(other), "%s/hardlink", dir);
	unlink(other);
	ok(link(cache_path(c), other) == 0 && !reads(c),
	    "a file with a second hard link is refused");
	unlink(other);

	unlink(cache_path(c));
	ok(mkfifo(cache_path(c), 0600) == 0 && !reads(c),
	    "a FIFO is refused without blocking");
	ok(cache_write(c, &e) == 0 && reads(c), "and replaced");

	/* Over LIMIT_CACHE_FILE. */
	{
		char *big = malloc(LIMIT_CACHE_FILE + 100);

		memset(big, ' ', LIMIT_CACHE_FILE + 99);
		big[0] = '{';
		big[LIMIT_CACHE_FILE + 98] = '}';
		big[LIMIT_CACHE_FILE + 99] = '\0';
		write_file(cache_path(c), big, 0600);
		ok(!reads(c), "a file over the size limit is refused");
		free(big);
	}

	/* Missing fields, bad expiration. */
	write_file(cache_path(c), "{\"version\":1,\"key\":\"x\"}", 0600);
	ok(!reads(c), "wrong key refused");
	cache_write(c, &e);
	s = tfile_slurp(cache_path(c), NULL);
	snprintf(good, sizeof(good), "%s", s != NULL ? s : "");
	free(s);
	s = strstr(good, "\"Expiration\":\"");
	if (s != NULL)
		memcpy(s + 14, "2026-13", 7);
	write_file(cache_path(c), good, 0600);
	memset(&r, 0, sizeof(r));
	ok(cache_read(c, NOW, &r) == -1 && r.creds.access_key_id == NULL,
	    "a bad Expiration is refused, nothing returned");
	cache_write(c, &e);
}

static void
t_dir(void)
{
	struct cache *c;
	struct cache_entry e;
	char real[300];

	entry(&e, "STS.d", "secret-d");
	chmod(dir, 0777);
	c = mk("dir");
	ok(cache_write(c, &e) == -1 && !reads(c),
	    "a world-writable directory is not used");
	chmod(dir, 0750);
	ok(cache_write(c, &e) == 0 && reads(c),
	    "a directory only we can write is used");
	chmod(dir, 0700);
	cache_free(c);

	/* cache_dir as a symlink to a good directory: not followed. */
	snprintf(real, sizeof(real), "%s.real", dir);
	mkdir(real, 0700);
	{
		char link_[300];
		unsigned char key[32];
		const char *parts[] = { "dir" };

		snprintf(link_, sizeof(link_), "%s.link", dir);
		unlink(link_);
		symlink(real, link_);
		cache_key(parts, 1, key);
		c = cache_new(link_, key);
		ok(c != NULL && cache_write(c, &e) == -1,
		    "a symlinked cache directory is not used");
		cache_free(c);
		unlink(link_);
	}
	rmdir(real);
}

static void
t_atomic(struct cache *c)
{
	struct cache_entry a, b, r;
	pid_t pid;
	int i, bad = 0, seen_a = 0, seen_b = 0, status;

	entry(&a, "STS.aaaa", "secret-a");
	entry(&b, "STS.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
	    "secret-b-is-much-longer-than-a-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	cache_write(c, &a);
	if ((pid = fork()) == 0) {
		for (i = 0; i < 400; i++)
			cache_write(c, i % 2 ? &a : &b);
		cache_free(c);
		_exit(0);
	}
	for (i = 0; i < 400; i++) {
		if (cache_read(c, NOW, &r) == -1) {
			bad++;
			continue;
		}
		if (strcmp(r.creds.access_key_id, "STS.aaaa") == 0 &&
		    strcmp(r.creds.access_key_secret, "secret-a") == 0)
			seen_a++;
		else if (strcmp(r.creds.access_key_secret,
		    b.creds.access_key_secret) == 0)
			seen_b++;
		else
			bad++;
		creds_clear(&r.creds);
	}
	waitpid(pid, &status, 0);
	ok(bad == 0 && seen_a + seen_b == 400,
	    "400 reads during 400 rewrites: always a whole entry (%d bad)",
	    bad);
	ok(tmp_files_left() == 0, "no temporary files left");
}

static void
t_lock(struct cache *c)
{
	struct cache *c2;
	struct stat st;
	char lockpath[600], target[600];
	pid_t pid;
	int status;

	ok(cache_lock(c, 0) == 0, "lock taken");
	ok(cache_lock(c, 0) == 0, "taking it again is a no-op");
	if ((pid = fork()) == 0) {
		struct cache *cc = mk("one");

		/* 1: busy now; 1 again after waiting 150 ms. */
		status = cache_lock(cc, 0) == 1 && cache_lock(cc, 150) == 1 ?
		    0 : 1;
		cache_free(cc);
		cache_free(c);
		_exit(status);
	}
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "another process finds it busy, also after waiting");
	if ((pid = fork()) == 0) {
		struct cache *cc = mk("one");

		status = cache_lock(cc, 2000) == 0 ? 0 : 1;
		cache_free(cc);
		cache_free(c);
		_exit(status);
	}
	usleep(100 * 1000);
	cache_unlock(c);
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "a waiting process gets it when it is released");
	ok(cache_lock(c, 0) == 0, "an exited holder releases it");
	cache_unlock(c);

	/*
	 * A lock file that breaks the rules is replaced, as the cache file
	 * is: refusing it would lose single flight for good (issue 9,
	 * defect 11).
	 */
	c2 = mk("locklink");
	snprintf(lockpath, sizeof(lockpath), "%s", cache_path(c2));
	strcpy(strstr(lockpath, ".json"), ".lock");
	snprintf(target, sizeof(target), "%s/../lock-target", dir);
	write_file(target, "keep", 0600);
	symlink(target, lockpath);
	ok(cache_lock(c2, 0) == 0 && lstat(lockpath, &st) == 0 &&
	    S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0600,
	    "a symlinked lock file is replaced by a private regular file");
	ok(stat(target, &st) == 0 && st.st_size == 4,
	    "and what the link pointed to is untouched");
	cache_unlock(c2);
	chmod(lockpath, 0644);
	ok(cache_lock(c2, 0) == 0 && stat(lockpath, &st) == 0 &&
	    (st.st_mode & 0777) == 0600, "a 0644 lock file is replaced");
	if ((pid = fork()) == 0) {
		struct cache *cc = mk("locklink");

		status = cache_lock(cc, 0) == 1 ? 0 : 1;
		cache_free(cc);
		cache_free(c2);
		cache_free(c);
		_exit(status);
	}
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "and the new one locks: another process finds it busy");
	cache_unlock(c2);
	unlink(lockpath);
	cache_free(c2);
}

int
main(void)
{
	struct cache *c;
	char base[] = "/tmp/t_cache.XXXXXX";

	tap_plan(64);
	if (mkdtemp(base) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s/run", base);
	t_key();
	c = mk("one");
	snprintf(path, sizeof(path), "%s", cache_path(c));
	t_roundtrip(c);
	t_attacks(c);
	t_atomic(c);
	t_lock(c);
	cache_free(c);
	t_dir();
	cache_free(NULL);
	ok(1, "cache_free(NULL)");
	if (fork() == 0)
		execlp("rm", "rm", "-rf", base, (char *)NULL);
	wait(NULL);
	return tap_done();
}
