/*
 * Files that the ossign processes of one host share in one directory
 * (cache_dir): the credential cache and its lock today; rate-limit tables,
 * metrics counters, a callback spool, a generated secret and a fetched
 * public key next.  Every one of them gets the same trust rules, here:
 *  - the directory is a directory (not a symlink to one), owned by the
 *    effective user and not writable by group or others, since whoever
 *    can write there can replace any file in it; it is created 0700;
 *  - a file is opened without following a symlink and used only when it
 *    is a regular file owned by the effective user, with no permission
 *    bit for group or others, at most one link and at most its size cap;
 *  - a file is written to a new temporary name (0600, O_EXCL) and renamed
 *    over the old one, so a reader sees the whole old file or the whole
 *    new one, never a mix;
 *  - a file that breaks a rule is not trusted: it is logged and replaced
 *    by the next write (or, for a file opened to lock or map, at once).
 * Everything is logged as "DIR/NAME: why" with the function name.
 */
#ifndef OSSIGN_STATEDIR_H
#define OSSIGN_STATEDIR_H

#include <sys/types.h>

#include <stddef.h>

/* An open state directory. */
struct statedir {
	int		 fd;		/* the directory; -1 when not open */
	const char	*path;		/* borrowed, for messages */
};

/*
 * Open path as a state directory, creating it 0700 when missing (its
 * parent must exist).  then says what the caller does without it and
 * ends the warning logged on failure ("credentials are cached in memory
 * only").  Returns 0 with sd open (statedir_close it), or -1.
 */
int	 statedir_open(struct statedir *sd, const char *path,
	    const char *then);
void	 statedir_close(struct statedir *sd);

/*
 * The file rules for fd, open on name in sd: regular, ours, no group or
 * other permission bits, at most one link (0: just replaced, still
 * whole), at most max bytes (max 0: any size).  Returns 0, or -1 with
 * "not trusted, will be replaced" logged.
 */
int	 statedir_check(const struct statedir *sd, int fd, const char *name,
	    off_t max);

/*
 * Read name whole into buf (bufsz bytes: at most bufsz - 1 of the file,
 * then a NUL).  Returns 0 with the length in *len; 1 when there is no
 * such file (quietly); -1 when it is not trusted (larger than bufsz - 1
 * bytes included) or cannot be read (logged).  buf may hold a secret:
 * the caller wipes all of it.
 */
int	 statedir_read(const struct statedir *sd, const char *name, char *buf,
	    size_t bufsz, size_t *len);

#define STATEDIR_KEEP	0x1	/* statedir_write: never replace name */

/*
 * Make name hold the len bytes at data, atomically (see the top).  With
 * STATEDIR_KEEP an existing name is left as it is and 1 returned: for a
 * file made once and then only read (a generated secret).  Returns 0, 1,
 * or -1 (logged).
 */
int	 statedir_write(const struct statedir *sd, const char *name,
	    const void *data, size_t len, int flags);

/*
 * Open name for reading and writing, creating it (0600) when missing:
 * for a lock file or a mapped table.  One that breaks the rules (a
 * symlink, another user's, group- or world-accessible, hard-linked, not a
 * regular file) is replaced by a new empty file, under a lock on the
 * directory so that two processes never both replace it.  Returns the fd
 * (O_CLOEXEC) or -1 (logged).
 */
int	 statedir_open_rw(const struct statedir *sd, const char *name);

/*
 * Lock name exclusively (flock) through a fresh statedir_open_rw:
 * wait_ms 0 tries once, otherwise polls every LIMIT_LOCK_POLL_MS up to
 * wait_ms milliseconds.  A lock taken on a file that was replaced in the
 * meantime is dropped and taken again on the new one.  Returns 0 with
 * the held fd in *fd (close it to release), 1 when another process holds
 * it, -1 when the file cannot be used (logged).
 */
int	 statedir_lock(const struct statedir *sd, const char *name,
	    long wait_ms, int *fd);

/*
 * A table that every process maps and updates in place (the rate-limit
 * table and the metrics counters; issue 11): name, exactly size bytes,
 * mapped MAP_SHARED.  A file that is missing, untrusted, of another size,
 * or that valid() refuses (another version's layout) is made anew, one
 * process at a time: under the directory's lock, looked at again (another
 * process may have just made it), else a new temporary file gets its
 * size (blocks allocated, so a full disk fails here and not with SIGBUS
 * later), init() fills it through its own mapping, and it is renamed over
 * name.  A file valid() accepts is never replaced, so every process on the
 * host maps the same one.  valid and init return 1/0 and 0/-1; arg is
 * theirs.  Returns the mapping (munmap(map, size) it), or NULL (logged).
 */
void	*statedir_map(const struct statedir *sd, const char *name, size_t size,
	    int (*valid)(void *map, size_t size, void *arg),
	    int (*init)(void *map, size_t size, void *arg), void *arg);

#endif /* OSSIGN_STATEDIR_H */
