/*
 * Reading a file that holds a secret (access_key_file, oidc_token_file;
 * next secret_file and JWT HS256 keys) as OpenSSH reads a private key: not
 * through a symlink, a regular file, owned by the effective user or root,
 * readable and writable by no one else, at most a size cap.  The buffer
 * it returns is wiped in full when cleared, whatever the caller wrote
 * into it (strtok's NULs included).
 */
#ifndef OSSIGN_SECRETFILE_H
#define OSSIGN_SECRETFILE_H

#include <stddef.h>

struct secretfile {
	char	*data;		/* len bytes and a NUL; the caller may edit
				   it in place */
	size_t	 len;
	size_t	 size;		/* bytes allocated at data, all wiped by
				   secretfile_clear */
};

#define SECRETFILE_TEXT	0x1	/* refuse a NUL byte in the file */
#define SECRETFILE_PUBLIC 0x2	/* not a secret but trusted all the same (a
				   JWT public key): group and others may
				   read it, only its owner may write it */

/*
 * Read path (named what in messages: "access_key_file") under the rules
 * above, at most max bytes.  Returns 0 with out filled (secretfile_clear
 * it), or -1 with the reason in err (naming what and path, never the
 * contents) and out empty.
 */
int	 secretfile_read(const char *path, const char *what, size_t max,
	    int flags, struct secretfile *out, char *err, size_t errlen);

/* Wipe all of f's buffer and free it; f is emptied.  Clearing twice, or
 * an empty f, is fine. */
void	 secretfile_clear(struct secretfile *f);

#endif /* OSSIGN_SECRETFILE_H */
