/*
 * The fuzz targets.  Each tests/fuzz/fuzz_NAME.c defines fuzz_NAME(), one
 * input through the project's own code with its invariants checked, and
 * (built with -DFUZZ_LIBFUZZER) the libFuzzer entry point that calls it.
 * tests/fuzz/replay.c links them all without libFuzzer and runs every file
 * of tests/fuzz/corpus/NAME/ through fuzz_NAME(), so `make check`, the
 * ASan build and valgrind cover the committed corpus.
 */
#ifndef OSSIGN_FUZZ_H
#define OSSIGN_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int	fuzz_query(const uint8_t *data, size_t size);
int	fuzz_keyname(const uint8_t *data, size_t size);
int	fuzz_conf(const uint8_t *data, size_t size);
int	fuzz_sts_json(const uint8_t *data, size_t size);
int	fuzz_cache(const uint8_t *data, size_t size);
int	fuzz_jwt(const uint8_t *data, size_t size);
int	fuzz_batch(const uint8_t *data, size_t size);
int	fuzz_rawreq(const uint8_t *data, size_t size);
int	fuzz_cbbody(const uint8_t *data, size_t size);
int	fuzz_ossxml(const uint8_t *data, size_t size);
int	fuzz_request(const uint8_t *data, size_t size);

/* A broken invariant: say which and abort, so the fuzzer keeps the input. */
#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant broken: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

/* data as a new NUL-terminated string (cut at the first NUL); abort on OOM. */
static inline char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s;
	size_t i;

	if ((s = malloc(size + 1)) == NULL)
		abort();
	for (i = 0; i < size && data[i] != '\0'; i++)
		s[i] = (char)data[i];
	s[i] = '\0';
	return s;
}

#ifdef FUZZ_LIBFUZZER
#define FUZZ_ENTRY(fn)							\
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);			\
int									\
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)		\
{									\
	return fn(data, size);						\
}
#else
#define FUZZ_ENTRY(fn)
#endif

#endif /* OSSIGN_FUZZ_H */
