/*
 * Fuzz target: a batch signing body through batch_parse() (at most 100
 * files) and the same bytes as a Content-Type (batch_is_json).  Checks
 * what the batch handler relies on: whole-body refusals are 4xx (or 413)
 * with a message and no batch; an accepted batch has 1..100 files, each
 * either valid within its caps and character sets or refused with a 4xx
 * and a message.
 */
#include <ctype.h>
#include <string.h>

#include "batch.h"
#include "fuzz.h"
#include "limit.h"

int
fuzz_batch(const uint8_t *data, size_t size)
{
	struct oerr_detail d;
	struct batch *b = NULL;
	const struct batch_file *f;
	enum oerr e;
	const char *p;
	char *s;
	size_t i;

	memset(&d, 0, sizeof(d));
	e = batch_parse((const char *)data, size, DEFAULT_BATCH_MAX, &b, &d);
	if (e != OERR_OK) {
		FUZZ_CHECK(b == NULL);
		FUZZ_CHECK(oerr_status(e) >= 400 && oerr_status(e) < 500);
		FUZZ_CHECK(d.err == e && d.msg[0] != '\0');
		FUZZ_CHECK(memchr(d.msg, '\0', sizeof(d.msg)) != NULL);
		goto out;
	}
	FUZZ_CHECK(size <= LIMIT_BATCH_BODY);
	FUZZ_CHECK(b != NULL && b->n >= 1 && b->n <= DEFAULT_BATCH_MAX);
	for (i = 0; i < b->n; i++) {
		f = &b->files[i];
		if (f->err != OERR_OK) {
			FUZZ_CHECK(f->err == OERR_BAD_REQUEST ||
			    f->err == OERR_INVALID_FILENAME);
			FUZZ_CHECK(f->d.msg[0] != '\0');
			continue;
		}
		/* Every file shares the body's upload. */
		FUZZ_CHECK(f->p.has_upload == b->files[0].p.has_upload);
		FUZZ_CHECK(strcmp(f->p.upload, b->files[0].p.upload) == 0);
		if (f->p.has_upload)
			for (p = f->p.upload; *p != '\0'; p++)
				FUZZ_CHECK(isalnum((unsigned char)*p) ||
				    *p == '-' || *p == '_');
		if (f->p.has_filename)
			FUZZ_CHECK(f->p.filename[0] != '\0' &&
			    strlen(f->p.filename) <= LIMIT_FILENAME_IN);
		if (f->p.has_ctype)
			FUZZ_CHECK(strchr(f->p.ctype, '/') != NULL &&
			    strlen(f->p.ctype) <= LIMIT_CTYPE_LEN);
		FUZZ_CHECK(f->p.has_size ? f->p.size >= 0 &&
		    f->p.size <= LIMIT_SIZE_PARAM : f->p.size == -1);
	}
out:
	batch_free(b);
	s = fuzz_cstr(data, size);
	(void)batch_is_json(s);
	free(s);
	return 0;
}

FUZZ_ENTRY(fuzz_batch)
