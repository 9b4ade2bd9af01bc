/*
 * Fuzz target: OSS's XML answers.  The input goes through every parser of
 * ossxml.h (InitiateMultipartUpload, ListParts, CompleteMultipartUpload,
 * Error) as the body of an answer.  Checks the header's promises: on
 * failure the result is untouched; on success every string is terminated
 * within its field, the fields kept hold no control byte, the UploadId and
 * an ETag are not empty, parts are in range and strictly ascending, a
 * truncated page has a marker, and an Error's fields use only the safe
 * characters.  A page of parts then makes a Complete body, which must
 * succeed exactly when every ETag is printable ASCII.
 */
#include <ctype.h>
#include <string.h>

#include "fuzz.h"
#include "limit.h"
#include "ossxml.h"

#define FUZZ_POISON	0x5a

static void
fuzz_text(const char *s, size_t cap)
{
	FUZZ_CHECK(memchr(s, '\0', cap) != NULL);
	for (; *s != '\0'; s++)
		FUZZ_CHECK((unsigned char)*s >= 0x20 && *s != 0x7f);
}

static void
fuzz_id(const char *s, size_t cap)
{
	FUZZ_CHECK(memchr(s, '\0', cap) != NULL);
	for (; *s != '\0'; s++)
		FUZZ_CHECK(isascii((unsigned char)*s) &&
		    (isalnum((unsigned char)*s) || strchr(".-_:?", *s) != NULL));
}

static int
fuzz_untouched(const void *p, size_t n)
{
	const unsigned char *u = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (u[i] != FUZZ_POISON)
			return 0;
	return 1;
}

static void
fuzz_parts(const char *body, size_t len)
{
	struct ossxml_parts p;
	char *xml;
	size_t i, blen = 0;
	const char *s;
	int ascii = 1;

	memset(&p, FUZZ_POISON, sizeof(p));
	if (ossxml_parse_parts(body, len, &p) == -1) {
		FUZZ_CHECK(fuzz_untouched(&p, sizeof(p)));
		return;
	}
	FUZZ_CHECK(p.truncated == 0 || p.truncated == 1);
	FUZZ_CHECK(p.next_marker >= 0 &&
	    p.next_marker <= LIMIT_OSS_PART_NUMBER);
	FUZZ_CHECK(!p.truncated || p.next_marker > 0);
	FUZZ_CHECK(p.n <= LIMIT_OSS_LIST_PAGE && p.parts != NULL);
	for (i = 0; i < p.n; i++) {
		FUZZ_CHECK(p.parts[i].number >= 1 &&
		    p.parts[i].number <= LIMIT_OSS_PART_NUMBER);
		FUZZ_CHECK(i == 0 || p.parts[i].number > p.parts[i - 1].number);
		FUZZ_CHECK(p.parts[i].size >= 0 &&
		    p.parts[i].size <= LIMIT_OSS_PART_SIZE);
		fuzz_text(p.parts[i].etag, sizeof(p.parts[i].etag));
		FUZZ_CHECK(p.parts[i].etag[0] != '\0');
		for (s = p.parts[i].etag; *s != '\0'; s++)
			if ((unsigned char)*s > 0x7e)
				ascii = 0;
	}
	if (p.n > 0) {
		xml = ossxml_complete_body(p.parts, p.n, &blen);
		FUZZ_CHECK((xml != NULL) == ascii);
		if (xml != NULL) {
			FUZZ_CHECK(blen == strlen(xml));
			FUZZ_CHECK(strstr(xml, "</CompleteMultipartUpload>") ==
			    xml + blen - 26);
		}
		free(xml);
	}
	ossxml_parts_clear(&p);
	FUZZ_CHECK(p.parts == NULL && p.n == 0);
}

int
fuzz_ossxml(const uint8_t *data, size_t size)
{
	struct ossxml_initiate in;
	struct ossxml_complete co;
	struct ossxml_error er;
	char *copy;

	/* An exact-size copy, so ASan sees any read past the answer. */
	if ((copy = malloc(size > 0 ? size : 1)) == NULL)
		abort();
	memcpy(copy, data, size);

	memset(&in, FUZZ_POISON, sizeof(in));
	if (ossxml_parse_initiate(copy, size, &in) == 0) {
		fuzz_text(in.bucket, sizeof(in.bucket));
		fuzz_text(in.key, sizeof(in.key));
		fuzz_text(in.upload_id, sizeof(in.upload_id));
		FUZZ_CHECK(in.upload_id[0] != '\0');
	} else
		FUZZ_CHECK(fuzz_untouched(&in, sizeof(in)));

	fuzz_parts(copy, size);

	memset(&co, FUZZ_POISON, sizeof(co));
	if (ossxml_parse_complete(copy, size, &co) == 0) {
		fuzz_text(co.location, sizeof(co.location));
		fuzz_text(co.bucket, sizeof(co.bucket));
		fuzz_text(co.key, sizeof(co.key));
		fuzz_text(co.etag, sizeof(co.etag));
		FUZZ_CHECK(co.etag[0] != '\0');
	} else
		FUZZ_CHECK(fuzz_untouched(&co, sizeof(co)));

	memset(&er, FUZZ_POISON, sizeof(er));
	if (ossxml_parse_error(copy, size, &er) == 0) {
		fuzz_id(er.code, sizeof(er.code));
		FUZZ_CHECK(er.code[0] != '\0');
		fuzz_id(er.request_id, sizeof(er.request_id));
		fuzz_id(er.host_id, sizeof(er.host_id));
		fuzz_id(er.ec, sizeof(er.ec));
		FUZZ_CHECK(memchr(er.message, '\0', sizeof(er.message)) != NULL);
		fuzz_text(er.message, sizeof(er.message));
		FUZZ_CHECK(strchr(er.message, '\t') == NULL);
	} else
		FUZZ_CHECK(fuzz_untouched(&er, sizeof(er)));
	free(copy);
	return 0;
}

FUZZ_ENTRY(fuzz_ossxml)
