/*
 * Fuzz target: one raw HTTP request through rawreq_parse(), then through
 * what `ossign callback-verify` does with it (cbcheck_report(): the key
 * URL, every reading of the request line by cbverify_target(), the
 * signature with OSS's published key, the body parsed per Content-Type).
 * Checks what callers rely on: an accepted request's parts are within
 * their limits and inside the input, the signed-string first line is a
 * path, and the report is one verdict line (then variables) that agrees
 * with the verdict.
 */
#include <stdlib.h>
#include <string.h>

#include "cbcheck.h"
#include "cbverify.h"
#include "fuzz.h"
#include "limit.h"
#include "rawreq.h"

/* data/callback_pub_key_v1.pem (public; a fuzzer reads no files). */
static const char fuzz_oss_key[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAKs/JBGzwUB2aVht4crBx3oIPBLNsjGs\n"
    "C0fTXv+nvlmklvkcolvpvXLTjaxUHR3W9LXxQ2EHXAJfCB+6H2YF1k8CAwEAAQ==\n"
    "-----END PUBLIC KEY-----\n";

static struct cbverify_key *fuzz_key;

static void
fuzz_rawreq_cleanup(void)
{
	cbverify_key_free(fuzz_key);
	fuzz_key = NULL;
}

static void
fuzz_rawreq_targets(const struct rawreq *r)
{
	char out[LIMIT_CB_TARGET + 1];
	long n;
	int flags;

	for (flags = 0; flags < 4; flags++) {
		n = cbverify_target(r->target, NULL, NULL, NULL, flags, out,
		    sizeof(out));
		if (n < 0)
			continue;
		FUZZ_CHECK((size_t)n == strlen(out));
		FUZZ_CHECK(out[0] == '/');
		FUZZ_CHECK((size_t)n <= strlen(r->target));
	}
}

int
fuzz_rawreq(const uint8_t *data, size_t size)
{
	struct rawreq *r;
	char err[256], *report, *nl;
	size_t i, head;
	int ok;

	if (fuzz_key == NULL) {
		fuzz_key = cbverify_key_new(fuzz_oss_key,
		    sizeof(fuzz_oss_key) - 1, err, sizeof(err));
		FUZZ_CHECK(fuzz_key != NULL);
		atexit(fuzz_rawreq_cleanup);
	}
	err[0] = '\0';
	if ((r = rawreq_parse(data, size, err, sizeof(err))) == NULL)
		FUZZ_CHECK(err[0] != '\0');
	else {
		FUZZ_CHECK(r->method[0] != '\0' && r->target[0] != '\0');
		FUZZ_CHECK(strncmp(r->version, "HTTP/", 5) == 0 &&
		    strlen(r->version) == 8);
		FUZZ_CHECK(strpbrk(r->target, " \r\n\t") == NULL);
		FUZZ_CHECK(r->nheaders <= LIMIT_RAWREQ_HEADERS);
		for (i = 0; i < r->nheaders; i++) {
			FUZZ_CHECK(r->headers[i].name[0] != '\0');
			FUZZ_CHECK(strpbrk(r->headers[i].name, " :\r\n") ==
			    NULL);
			FUZZ_CHECK(strpbrk(r->headers[i].value, "\r\n") ==
			    NULL);
		}
		FUZZ_CHECK(r->bodylen <= LIMIT_CB_BODY);
		FUZZ_CHECK(r->body >= (const unsigned char *)r->buf);
		head = (size_t)((const char *)r->body - r->buf);
		FUZZ_CHECK(head <= LIMIT_RAWREQ_HEAD);
		FUZZ_CHECK(head + r->bodylen + r->trailing == size);
		FUZZ_CHECK(r->body[r->bodylen] == '\0');
		FUZZ_CHECK(memcmp(r->body, data + head, r->bodylen) == 0);
		fuzz_rawreq_targets(r);
		rawreq_free(r);
	}

	report = cbcheck_report(data, size, NULL, 0, fuzz_key, &ok);
	FUZZ_CHECK(report != NULL);
	FUZZ_CHECK((nl = strchr(report, '\n')) != NULL);
	FUZZ_CHECK(report[strlen(report) - 1] == '\n');
	if (ok)
		FUZZ_CHECK(strncmp(report, "signature OK\n", 13) == 0);
	else
		FUZZ_CHECK(strncmp(report, "signature does not verify: ", 27) ==
		    0 && nl[1] == '\0');
	free(report);
	return 0;
}

FUZZ_ENTRY(fuzz_rawreq)
