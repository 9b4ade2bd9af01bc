/* The server secret; see secret.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "limit.h"
#include "olog.h"
#include "secret.h"
#include "secretfile.h"
#include "statedir.h"

#define SECRET_MADE_LEN	32	/* bytes ossign makes for cache_dir/secret */

struct secret {
	char			*file;	/* NULL: dir/SECRET_FILE_NAME */
	char			*dir;
	struct secretfile	 sf;	/* the bytes, once loaded */
	int			 loaded;
};

struct secret *
secret_new(const char *file, const char *dir)
{
	struct secret *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if ((file != NULL && (s->file = strdup(file)) == NULL) ||
	    (s->dir = strdup(dir)) == NULL) {
		secret_free(s);
		return NULL;
	}
	return s;
}

void
secret_free(struct secret *s)
{
	if (s == NULL)
		return;
	secretfile_clear(&s->sf);
	free(s->file);
	free(s->dir);
	free(s);
}

static int
secret_read_file(const char *file, struct secretfile *sf, char *err,
    size_t errlen)
{
	if (secretfile_read(file, "secret_file", LIMIT_SECRET_MAX, 0, sf,
	    err, errlen) == -1)
		return -1;
	if (sf->len < LIMIT_SECRET_MIN) {
		snprintf(err, errlen, "secret_file %s holds %zu bytes: it needs "
		    "%d or more random bytes (head -c 32 /dev/urandom > FILE)",
		    file, sf->len, LIMIT_SECRET_MIN);
		secretfile_clear(sf);
		return -1;
	}
	return 0;
}

int
secret_check_file(const char *file, char *err, size_t errlen)
{
	struct secretfile sf;
	int rc;

	memset(&sf, 0, sizeof(sf));
	rc = secret_read_file(file, &sf, err, errlen);
	secretfile_clear(&sf);
	return rc;
}

/* cache_dir/secret: read it, or make it once (never replaced). */
static int
secret_from_dir(struct secret *s)
{
	struct statedir sd;
	unsigned char rnd[SECRET_MADE_LEN];
	size_t len = 0, size = LIMIT_SECRET_MAX + 1;
	char *buf;
	int rc = -1, r;

	if (statedir_open(&sd, s->dir, "no server secret: set secret_file") ==
	    -1)
		return -1;
	if ((buf = malloc(size)) == NULL)
		goto out;
	if ((r = statedir_read(&sd, SECRET_FILE_NAME, buf, size, &len)) == 1) {
		/* None yet: make one; whoever is first wins (KEEP). */
		if (crypto_random(rnd, sizeof(rnd)) == -1 ||
		    statedir_write(&sd, SECRET_FILE_NAME, rnd, sizeof(rnd),
		    STATEDIR_KEEP) == -1)
			goto out;
		r = statedir_read(&sd, SECRET_FILE_NAME, buf, size, &len);
	}
	if (r != 0)
		goto out;
	if (len < LIMIT_SECRET_MIN) {
		olog_err("%s/%s: %zu bytes, fewer than %d: remove it (ossign "
		    "makes a new one) or set secret_file", s->dir,
		    SECRET_FILE_NAME, len, LIMIT_SECRET_MIN);
		goto out;
	}
	s->sf.data = buf;
	s->sf.len = len;
	s->sf.size = size;
	buf = NULL;
	rc = 0;
out:
	crypto_wipe(rnd, sizeof(rnd));
	if (buf != NULL) {
		crypto_wipe(buf, size);
		free(buf);
	}
	statedir_close(&sd);
	return rc;
}

int
secret_get(struct secret *s, const unsigned char **key, size_t *len,
    struct oerr_detail *d)
{
	char err[LIMIT_ERRMSG];

	if (!s->loaded) {
		if (s->file != NULL) {
			if (secret_read_file(s->file, &s->sf, err,
			    sizeof(err)) == -1) {
				olog_err("%s", err);
				goto fail;
			}
		} else if (secret_from_dir(s) == -1)
			goto fail;
		s->loaded = 1;
	}
	*key = (const unsigned char *)s->sf.data;
	*len = s->sf.len;
	return 0;
fail:
	oerr_set(d, OERR_INTERNAL, "the server secret cannot be used");
	return -1;
}
