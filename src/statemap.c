/* Shared fixed-size state files, mapped; see statemap.h. */
#include "config.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "limit.h"
#include "olog.h"
#include "statemap.h"

/* The waits are for another process writing one small file. */
#define STATEMAP_LOCK_MS	2000

/* Map name when it is exactly size bytes and check says yes; else NULL. */
static void *
statemap_try(const struct statedir *sd, const char *name, size_t size,
    statemap_check_fn check)
{
	struct stat st;
	void *map;
	int fd;

	if ((fd = statedir_open_rw(sd, name)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (unsigned long long)st.st_size != (unsigned long long)size) {
		close(fd);
		return NULL;
	}
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		olog_warn("%s/%s: mmap: %s", sd->path, name, strerror(errno));
		return NULL;
	}
	if (!check(map, size)) {
		munmap(map, size);
		return NULL;
	}
	return map;
}

void *
statemap_open(const struct statedir *sd, const char *name, size_t size,
    statemap_init_fn init, statemap_check_fn check)
{
	char lock[LIMIT_STATEDIR_NAME + 8];
	void *map, *buf = NULL;
	int fd = -1, rc;

	if ((map = statemap_try(sd, name, size, check)) != NULL)
		return map;
	if ((size_t)snprintf(lock, sizeof(lock), "%s.lock", name) >=
	    sizeof(lock))
		return NULL;
	if ((rc = statedir_lock(sd, lock, STATEMAP_LOCK_MS, &fd)) != 0) {
		if (rc == 1)
			olog_warn("%s/%s: another process held it for %d ms",
			    sd->path, lock, STATEMAP_LOCK_MS);
		return NULL;
	}
	/* Made or mended by another process while we waited? */
	if ((map = statemap_try(sd, name, size, check)) != NULL)
		goto out;
	if ((buf = calloc(1, size)) == NULL || init(buf, size) == -1) {
		olog_err("%s/%s: cannot lay out a new file", sd->path, name);
		goto out;
	}
	if (statedir_write(sd, name, buf, size, 0) == -1)
		goto out;
	if ((map = statemap_try(sd, name, size, check)) == NULL)
		olog_warn("%s/%s: the new file is not usable", sd->path, name);
out:
	free(buf);
	close(fd);
	return map;
}

void
statemap_close(void *map, size_t size)
{
	if (map != NULL)
		munmap(map, size);
}
