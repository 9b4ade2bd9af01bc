/*
 * The server secret: the key of the MACs ossign checks later on its own
 * (callback tickets, issue 10; multipart upload ids, issue 12).  It is
 * the bytes of secret_file, as they are (32 or more; the file is checked
 * like access_key_file), or, without secret_file, 32 random bytes that
 * the first process to need them writes to cache_dir/secret and every
 * later one reads (one host; hosts behind one name share secret_file).
 * Loaded on first use, then kept for the life of the process.
 */
#ifndef OSSIGN_SECRET_H
#define OSSIGN_SECRET_H

#include <stddef.h>

#include "oerr.h"

#define SECRET_FILE_NAME	"secret"	/* in cache_dir */

struct secret;

/*
 * A handle on the secret of file (NULL: the one in dir, which is never
 * NULL: conf_parse fills in DEFAULT_CACHE_DIR).  No I/O; both strings are
 * copied.  NULL when out of memory.  Free with secret_free.
 */
struct secret	*secret_new(const char *file, const char *dir);

/*
 * The secret's bytes (owned by s, valid until secret_free), read or made
 * on the first call.  Returns 0, or -1 with d filled (500
 * internal_error: "the server secret cannot be used") and the reason
 * logged; a later call tries again.
 */
int		 secret_get(struct secret *s, const unsigned char **key,
		    size_t *len, struct oerr_detail *d);

/*
 * Read secret_file now to check it (ossign -t, start-up).  Returns 0, or
 * -1 with the reason (naming the file, never its bytes) in err.
 */
int		 secret_check_file(const char *file, char *err, size_t errlen);

/* Wipe and free s; NULL is fine. */
void		 secret_free(struct secret *s);

#endif /* OSSIGN_SECRET_H */
