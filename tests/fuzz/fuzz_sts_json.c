/*
 * Fuzz target: answers from STS (AssumeRole, AssumeRoleWithOIDC), the ECS
 * metadata service and a credentials URI, through sts_parse_assume() and
 * sts_parse_flat(), as if they came with HTTP 200, 400, 403 and 503.
 * Checks sts.h's promises: credentials only from a 200 answer, complete,
 * within bounds and valid for a while; nothing partial on failure; the
 * Code and RequestId echoed back reduced to safe characters.
 */
#include <ctype.h>
#include <string.h>
#include <time.h>

#include "creds.h"
#include "fuzz.h"
#include "limit.h"
#include "sts.h"

#define FUZZ_NOW	((time_t)1795586981)	/* 2026-11-25T06:09:41Z */
#define FUZZ_DURATION	3600	/* DurationSeconds asked for */

static void
fuzz_safe(const char *s, size_t cap)
{
	FUZZ_CHECK(memchr(s, '\0', cap) != NULL);
	for (; *s != '\0'; s++)
		FUZZ_CHECK(isascii((unsigned char)*s) &&
		    (isalnum((unsigned char)*s) || strchr(".-_:?", *s) != NULL));
}

static void
fuzz_one(const char *body, size_t len, long status, int flat)
{
	struct creds out;
	struct sts_error e;
	enum sts_result r;
	const char *s;

	memset(&out, 0, sizeof(out));
	memset(&e, 0x5a, sizeof(e));
	r = flat ? sts_parse_flat(body, len, status, FUZZ_NOW, &out, &e) :
	    sts_parse_assume(body, len, status, FUZZ_NOW, FUZZ_DURATION, &out,
	    &e);
	FUZZ_CHECK(r == STS_OK || r == STS_REFUSED || r == STS_RETRY ||
	    r == STS_GARBAGE);
	if (r != STS_OK) {
		FUZZ_CHECK(out.access_key_id == NULL &&
		    out.access_key_secret == NULL &&
		    out.security_token == NULL && out.expiration == 0);
		FUZZ_CHECK(e.status == status);
		fuzz_safe(e.code, sizeof(e.code));
		fuzz_safe(e.request_id, sizeof(e.request_id));
		FUZZ_CHECK(memchr(e.message, '\0', sizeof(e.message)) != NULL);
		/* XXX an empty "Code" counts as a refusal with no code. */
		if (r == STS_REFUSED)
			FUZZ_CHECK(status >= 400);
		return;
	}
	FUZZ_CHECK(status == 200);
	FUZZ_CHECK(out.access_key_id != NULL && out.access_key_secret != NULL &&
	    out.security_token != NULL);
	FUZZ_CHECK(out.access_key_id[0] != '\0' &&
	    strlen(out.access_key_id) <= LIMIT_AKID_LEN);
	for (s = out.access_key_id; *s != '\0'; s++)
		FUZZ_CHECK(isascii((unsigned char)*s) &&
		    (isalnum((unsigned char)*s) || strchr(".-_", *s) != NULL));
	FUZZ_CHECK(out.access_key_secret[0] != '\0' &&
	    strlen(out.access_key_secret) <= LIMIT_SECRET_LEN);
	FUZZ_CHECK(out.security_token[0] != '\0' &&
	    strlen(out.security_token) <= LIMIT_TOKEN_LEN);
	for (s = out.security_token; *s != '\0'; s++)
		FUZZ_CHECK(*s > 0x20 && *s < 0x7f);
	FUZZ_CHECK(out.expiration - FUZZ_NOW >= LIMIT_MIN_VALIDITY);
	/* Never longer than asked for (or any source's longest). */
	FUZZ_CHECK(out.expiration - FUZZ_NOW <= (flat ? LIMIT_CREDS_LIFE_MAX :
	    FUZZ_DURATION) + LIMIT_CLOCK_SKEW);
	creds_clear(&out);
}

int
fuzz_sts_json(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 200, 400, 403, 503 };
	size_t i;
	char *copy;

	/* An exact-size copy, so ASan sees any read past the answer. */
	if ((copy = malloc(size > 0 ? size : 1)) == NULL)
		abort();
	memcpy(copy, data, size);
	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		fuzz_one(copy, size, statuses[i], 0);
		fuzz_one(copy, size, statuses[i], 1);
	}
	free(copy);
	return 0;
}

FUZZ_ENTRY(fuzz_sts_json)
