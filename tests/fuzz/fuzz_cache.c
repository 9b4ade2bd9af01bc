/*
 * Fuzz target: the credential cache file reader, cache_read().  cache.h
 * has no pure parser, so each input is written (mode 0600) as the cache
 * file of a private directory and read back through the real code path.
 * Every "@KEY@" in the input becomes the source's 64-hex key first, so
 * seeds can name the right source without knowing its hash.  An entry
 * that is accepted must be complete, and must survive cache_write() and
 * cache_read() unchanged.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "creds.h"
#include "crypto.h"
#include "fuzz.h"
#include "limit.h"
#include "olog.h"

/* The reader's clock: 2026-11-25T06:09:41Z, the seeds' time. */
#define FUZZ_NOW	((time_t)1795586981)

static struct cache	*fuzz_c;
static char		 fuzz_dir[4096];
static char		 fuzz_hex[CACHE_KEY_HEX + 1];

static void
fuzz_cache_cleanup(void)
{
	if (fuzz_c != NULL) {
		unlink(cache_path(fuzz_c));
		cache_free(fuzz_c);
		fuzz_c = NULL;
		rmdir(fuzz_dir);
	}
}

static void
fuzz_cache_init(void)
{
	static const char *const parts[] = { "ram_role_arn", "LTAI5tFuzz",
	    "acs:ram::1234567890123456:role/fuzz", NULL };
	unsigned char key[CRYPTO_SHA256_LEN];
	const char *tmp;

	olog_set_level(OLOG_ERR);	/* every bad file is logged */
	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/ossign-fuzz-cache.XXXXXX",
	    tmp);
	if (mkdtemp(fuzz_dir) == NULL || chmod(fuzz_dir, 0700) == -1 ||
	    cache_key(parts, 4, key) == -1 ||
	    (fuzz_c = cache_new(fuzz_dir, key)) == NULL) {
		perror("fuzz_cache: setup");
		abort();
	}
	crypto_hex(key, sizeof(key), fuzz_hex);
	atexit(fuzz_cache_cleanup);
}

/* Write n bytes as the cache file, exactly; abort when we cannot. */
static void
fuzz_cache_put(const char *buf, size_t n)
{
	const char *path = cache_path(fuzz_c);
	ssize_t w;
	int fd;

	unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1) {
		perror(path);
		abort();
	}
	while (n > 0) {
		if ((w = write(fd, buf, n)) <= 0) {
			perror(path);
			abort();
		}
		buf += w;
		n -= (size_t)w;
	}
	close(fd);
}

/* data with every "@KEY@" replaced by the hex key; *len is set. */
static char *
fuzz_cache_subst(const uint8_t *data, size_t size, size_t *len)
{
	static const char mark[] = "@KEY@";
	const size_t ml = sizeof(mark) - 1;
	char *out;
	size_t i, o = 0;

	if ((out = malloc(size / ml * CACHE_KEY_HEX + size + 1)) == NULL)
		abort();
	for (i = 0; i < size; ) {
		if (size - i >= ml && memcmp(data + i, mark, ml) == 0) {
			memcpy(out + o, fuzz_hex, CACHE_KEY_HEX);
			o += CACHE_KEY_HEX;
			i += ml;
		} else
			out[o++] = (char)data[i++];
	}
	*len = o;
	return out;
}

int
fuzz_cache(const uint8_t *data, size_t size)
{
	struct cache_entry e, again;
	char *buf;
	size_t len;

	if (fuzz_c == NULL)
		fuzz_cache_init();
	buf = fuzz_cache_subst(data, size, &len);
	fuzz_cache_put(buf, len);
	free(buf);
	memset(&e, 0, sizeof(e));
	if (cache_read(fuzz_c, FUZZ_NOW, &e) == -1) {
		FUZZ_CHECK(e.creds.access_key_id == NULL &&
		    e.creds.access_key_secret == NULL &&
		    e.creds.security_token == NULL);
		return 0;
	}
	FUZZ_CHECK(e.creds.access_key_id != NULL &&
	    e.creds.access_key_secret != NULL &&
	    e.creds.security_token != NULL);
	FUZZ_CHECK(e.obtained <= e.creds.expiration);
	/* Bounded by the reader's clock (cache.h). */
	FUZZ_CHECK(e.obtained <= FUZZ_NOW);
	FUZZ_CHECK(e.next_refresh == 0 || e.next_refresh - FUZZ_NOW <=
	    LIMIT_REFRESH_HOLD + LIMIT_CACHE_SLACK);
	FUZZ_CHECK(e.creds.expiration - FUZZ_NOW <= LIMIT_CREDS_LIFE_MAX +
	    LIMIT_CACHE_SLACK);
	/* What was accepted is written and read back the same. */
	FUZZ_CHECK(cache_write(fuzz_c, &e) == 0);
	memset(&again, 0, sizeof(again));
	FUZZ_CHECK(cache_read(fuzz_c, FUZZ_NOW, &again) == 0);
	FUZZ_CHECK(strcmp(again.creds.access_key_id,
	    e.creds.access_key_id) == 0);
	FUZZ_CHECK(strcmp(again.creds.access_key_secret,
	    e.creds.access_key_secret) == 0);
	FUZZ_CHECK(strcmp(again.creds.security_token,
	    e.creds.security_token) == 0);
	FUZZ_CHECK(again.creds.expiration == e.creds.expiration);
	FUZZ_CHECK(again.obtained == e.obtained);
	FUZZ_CHECK(again.next_refresh == e.next_refresh);
	creds_clear(&again.creds);
	creds_clear(&e.creds);
	return 0;
}

FUZZ_ENTRY(fuzz_cache)
