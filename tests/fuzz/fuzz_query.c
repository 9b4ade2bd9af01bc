/*
 * Fuzz target: QUERY_STRING through request_parse_query(), the allow-list
 * and validators of the query parameters; the same bytes as
 * CONTENT_LENGTH and REQUEST_METHOD.  Checks what a caller relies on:
 * every accepted value is within its cap and character set, every refusal
 * is a 4xx with a message.
 */
#include <ctype.h>
#include <string.h>

#include "fuzz.h"
#include "keyname.h"
#include "limit.h"
#include "oerr.h"
#include "request.h"

int
fuzz_query(const uint8_t *data, size_t size)
{
	struct request_params p;
	struct request r;
	struct oerr_detail d;
	enum oerr e;
	char *q, clean[LIMIT_FILENAME_OUT + 1];
	const char *s;
	long long n;

	q = fuzz_cstr(data, size);
	memset(&d, 0, sizeof(d));
	e = request_parse_query(q, &p, &d);
	if (e != OERR_OK) {
		FUZZ_CHECK(e > OERR_OK && e < OERR__MAX);
		FUZZ_CHECK(d.err == e);
		FUZZ_CHECK(oerr_status(e) >= 400 && oerr_status(e) < 500);
		FUZZ_CHECK(memchr(d.msg, '\0', sizeof(d.msg)) != NULL);
		FUZZ_CHECK(d.msg[0] != '\0');
		goto out;
	}
	FUZZ_CHECK(strlen(q) <= LIMIT_QUERY_LEN);
	if (p.has_upload) {
		FUZZ_CHECK(p.upload[0] != '\0');
		FUZZ_CHECK(strlen(p.upload) <= LIMIT_UPLOAD_NAME);
		for (s = p.upload; *s != '\0'; s++)
			FUZZ_CHECK(isalnum((unsigned char)*s) || *s == '-' ||
			    *s == '_');
	} else
		FUZZ_CHECK(p.upload[0] == '\0');
	if (p.has_filename) {
		FUZZ_CHECK(p.filename[0] != '\0');
		FUZZ_CHECK(strlen(p.filename) <= LIMIT_FILENAME_IN);
		/* The next step of the pipeline takes any accepted name. */
		memset(&d, 0, sizeof(d));
		e = keyname_clean(p.filename, clean, sizeof(clean), &d);
		FUZZ_CHECK(e == OERR_OK || e == OERR_INVALID_FILENAME);
		if (e == OERR_OK)
			FUZZ_CHECK(strlen(clean) <= LIMIT_FILENAME_OUT);
	}
	if (p.has_ctype) {
		FUZZ_CHECK(strlen(p.ctype) <= LIMIT_CTYPE_LEN);
		FUZZ_CHECK(strchr(p.ctype, '/') != NULL);
		FUZZ_CHECK(p.ctype[0] != '/');
		for (s = p.ctype; *s != '\0'; s++)
			FUZZ_CHECK(!isupper((unsigned char)*s) &&
			    *s > 0x20 && *s < 0x7f && *s != '"' &&
			    *s != '\\');
	}
	if (p.has_size)
		FUZZ_CHECK(p.size >= 0 && p.size <= LIMIT_SIZE_PARAM);
	else
		FUZZ_CHECK(p.size == -1);

out:
	/* The same bytes as the other CGI variables ossign parses. */
	memset(&r, 0, sizeof(r));
	r.content_length = q;
	n = request_content_length(&r);
	FUZZ_CHECK(n >= -1);
	FUZZ_CHECK(request_method(q) <= REQUEST_NONE);
	free(q);
	return 0;
}

FUZZ_ENTRY(fuzz_query)
