/*
 * Replay the committed fuzz corpora without libFuzzer: every file of
 * tests/fuzz/corpus/NAME/ goes through fuzz_NAME(), the same entry point
 * the fuzzer calls, in a normal build (and under ASan or valgrind when the
 * suite runs that way).  TAP: one point per target for the size of its
 * corpus, then one per file; a crash or a broken invariant aborts, and the
 * plan catches it.
 *
 *	replay                     every corpus (under $top_srcdir, or
 *	                           $FUZZ_CORPUS, or the source tree's)
 *	replay NAME FILE...        just these inputs for target NAME
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "olog.h"

#define REPLAY_MIN_SEEDS	10	/* a corpus smaller than this fails */

static const struct {
	const char	*name;
	int		(*fn)(const uint8_t *, size_t);
} replay_targets[] = {
	{ "query", fuzz_query },
	{ "keyname", fuzz_keyname },
	{ "conf", fuzz_conf },
	{ "sts_json", fuzz_sts_json },
	{ "cache", fuzz_cache },
	{ "jwt", fuzz_jwt },
	{ "batch", fuzz_batch },
	{ "rawreq", fuzz_rawreq },
	{ "cbbody", fuzz_cbbody },
	{ "ossxml", fuzz_ossxml },
	{ "request", fuzz_request },
};
#define REPLAY_NTARGETS	(sizeof(replay_targets) / sizeof(replay_targets[0]))

static int replay_n, replay_failed;

static void
replay_ok(int cond, const char *what, const char *name)
{
	printf("%sok %d - %s %s\n", cond ? "" : "not ", ++replay_n, what, name);
	fflush(stdout);
	if (!cond)
		replay_failed++;
}

/* The whole file in a buffer of exactly its size (so ASan sees overreads). */
static uint8_t *
replay_read(const char *path, size_t *len)
{
	FILE *f;
	uint8_t *buf = NULL;
	struct stat st;
	size_t n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fstat(fileno(f), &st) == -1 || !S_ISREG(st.st_mode) ||
	    (buf = malloc(st.st_size > 0 ? (size_t)st.st_size : 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	if (n != (size_t)st.st_size) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

static int
replay_file(int (*fn)(const uint8_t *, size_t), const char *path)
{
	uint8_t *buf;
	size_t len = 0;

	if ((buf = replay_read(path, &len)) == NULL)
		return -1;
	fn(buf, len);
	free(buf);
	return 0;
}

static int
replay_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The regular files of dir, sorted; NULL when dir cannot be read. */
static char **
replay_list(const char *dir, size_t *n)
{
	DIR *d;
	struct dirent *de;
	char **v = NULL, **nv;
	size_t cap = 0;

	*n = 0;
	if ((d = opendir(dir)) == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL)
				abort();
			v = nv;
		}
		if ((v[(*n)++] = strdup(de->d_name)) == NULL)
			abort();
	}
	closedir(d);
	if (v == NULL && (v = malloc(sizeof(*v))) == NULL)
		abort();
	qsort(v, *n, sizeof(*v), replay_cmp);
	return v;
}

int
main(int argc, char *argv[])
{
	char base[4096], dir[4200], path[8400], label[8400];
	char **files[REPLAY_NTARGETS];
	size_t nfiles[REPLAY_NTARGETS], i, k, total = 0;
	const char *top;
	int a;

	olog_set_level(OLOG_ERR);
	if (argc > 2) {
		for (i = 0; i < REPLAY_NTARGETS; i++)
			if (strcmp(argv[1], replay_targets[i].name) == 0)
				break;
		if (i == REPLAY_NTARGETS) {
			fprintf(stderr, "replay: no target %s\n", argv[1]);
			return 2;
		}
		printf("1..%d\n", argc - 2);
		for (a = 2; a < argc; a++) {
			errno = 0;
			replay_ok(replay_file(replay_targets[i].fn, argv[a]) ==
			    0, argv[1], argv[a]);
		}
		return replay_failed > 0;
	}
	if (argc == 2) {
		fprintf(stderr, "usage: replay [NAME FILE...]\n");
		return 2;
	}

	if ((top = getenv("FUZZ_CORPUS")) != NULL && *top != '\0')
		snprintf(base, sizeof(base), "%s", top);
	else if ((top = getenv("top_srcdir")) != NULL && *top != '\0')
		snprintf(base, sizeof(base), "%s/tests/fuzz/corpus", top);
	else
		snprintf(base, sizeof(base), "%s", FUZZ_CORPUS_DIR);
	for (i = 0; i < REPLAY_NTARGETS; i++) {
		snprintf(dir, sizeof(dir), "%s/%s", base,
		    replay_targets[i].name);
		files[i] = replay_list(dir, &nfiles[i]);
		total += nfiles[i];
	}
	printf("1..%zu\n", REPLAY_NTARGETS + total);
	printf("# corpora in %s\n", base);
	for (i = 0; i < REPLAY_NTARGETS; i++) {
		snprintf(label, sizeof(label), "%s has %zu seeds (at least %d)",
		    replay_targets[i].name, nfiles[i], REPLAY_MIN_SEEDS);
		replay_ok(files[i] != NULL && nfiles[i] >= REPLAY_MIN_SEEDS,
		    "corpus", label);
		for (k = 0; k < nfiles[i]; k++) {
			snprintf(path, sizeof(path), "%s/%s/%s", base,
			    replay_targets[i].name, files[i][k]);
			snprintf(label, sizeof(label), "%s/%s",
			    replay_targets[i].name, files[i][k]);
			replay_ok(replay_file(replay_targets[i].fn, path) == 0,
			    "replay", label);
			free(files[i][k]);
		}
		free(files[i]);
	}
	return replay_failed > 0;
}
