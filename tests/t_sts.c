/*
 * sts: the credential protocols' pure parts: answer parsing (good,
 * refused, garbage, partial, huge; AssumeRole and the flat form of the
 * metadata service and a credentials URI) and endpoint checks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "creds.h"
#include "limit.h"
#include "sts.h"
#include "tap.h"

/* 2026-11-25T06:09:41Z */
#define NOW	1795586981LL

static void
t_url(void)
{
	char h[64];

	ok(sts_url_host("https://sts.aliyuncs.com", 0, h, sizeof(h)) == 0 &&
	    strcmp(h, "sts.aliyuncs.com") == 0, "https endpoint");
	ok(sts_url_host("https://127.0.0.1:8443/", 0, h, sizeof(h)) == 0 &&
	    strcmp(h, "127.0.0.1:8443") == 0, "with port and slash");
	ok(sts_url_host("http://sts.aliyuncs.com", 0, h, sizeof(h)) == -1,
	    "http refused for STS");
	ok(sts_url_host("http://100.100.100.200", 1, h, sizeof(h)) == 0 &&
	    strcmp(h, "100.100.100.200") == 0, "http allowed for metadata");
	ok(sts_url_host("https://a@evil.example", 0, h, sizeof(h)) == -1,
	    "user info refused");
	ok(sts_url_host("https://sts.aliyuncs.com/x", 0, h, sizeof(h)) == -1,
	    "a path refused");
	ok(sts_url_host("https://sts.aliyuncs.com?x", 0, h, sizeof(h)) == -1,
	    "a query refused");
	ok(sts_url_host("https://", 0, h, sizeof(h)) == -1, "no host");
	ok(sts_url_host("https://sts.aliyuncs.com", 0, h, 8) == -1,
	    "too long for the buffer");
}

#define OK_BODY "{\"RequestId\":\"6894B13B-6D71-4EF5-88FA-F32781734A7F\"," \
	"\"AssumedRoleUser\":{\"Arn\":\"acs:ram::1:role/r/s\"," \
	"\"AssumedRoleId\":\"3:s\"},\"Credentials\":{\"SecurityToken\":" \
	"\"CAIS+tok/en==\",\"AccessKeyId\":\"STS.NUgYrLnoC37mZZCNnAbez2MNt\"," \
	"\"AccessKeySecret\":\"sec\\\"ret\",\"Expiration\":" \
	"\"2026-11-25T07:09:41Z\"}}"

static enum sts_result
parse(const char *body, long status, struct creds *c, struct sts_error *e)
{
	return sts_parse_assume(body, strlen(body), status, (time_t)NOW, 3600,
	    c, e);
}

static void
t_parse(void)
{
	struct creds c = { 0 };
	struct sts_error e;
	char *big;
	size_t i;

	ok(parse(OK_BODY, 200, &c, &e) == STS_OK, "a good answer parses");
	is_str(c.access_key_id, "STS.NUgYrLnoC37mZZCNnAbez2MNt", "id");
	is_str(c.access_key_secret, "sec\"ret", "secret (JSON unescaped)");
	is_str(c.security_token, "CAIS+tok/en==", "token");
	is_int((long long)c.expiration, NOW + 3600, "expiration");
	creds_clear(&c);

	ok(parse("{\"RequestId\":\"A-1\",\"HostId\":\"sts.aliyuncs.com\","
	    "\"Code\":\"NoPermission\",\"Message\":\"You are not authorized"
	    "\"}", 403, &c, &e) == STS_REFUSED && c.access_key_id == NULL,
	    "NoPermission is a refusal");
	is_str(e.code, "NoPermission", "its code");
	is_str(e.request_id, "A-1", "its request id");
	is_str(e.message, "You are not authorized", "its message");
	is_int(e.status, 403, "its status");

	ok(parse("{\"RequestId\":\"B\",\"Code\":\"InternalError\"}", 500,
	    &c, &e) == STS_RETRY, "5xx is retried");
	ok(parse("{\"RequestId\":\"B\",\"Code\":\"Throttling.User\"}", 400,
	    &c, &e) == STS_RETRY, "throttling is retried");
	ok(parse("<html>bad gateway</html>", 502, &c, &e) == STS_RETRY,
	    "a 5xx HTML page is retried");
	ok(parse("<html>hello</html>\n{\"RequestId\":", 200, &c, &e) ==
	    STS_GARBAGE, "garbage with 200 is garbage");
	ok(parse("", 200, &c, &e) == STS_GARBAGE, "empty body");
	ok(parse("[1,2]", 200, &c, &e) == STS_GARBAGE, "not an object");
	ok(parse(OK_BODY "x", 200, &c, &e) == STS_GARBAGE,
	    "trailing bytes refused");
	ok(parse(OK_BODY "\n", 200, &c, &e) == STS_OK, "trailing newline ok");
	creds_clear(&c);
	ok(sts_parse_assume("{\"a\":\"\0\"}", 9, 200, (time_t)NOW, 3600, &c,
	    &e) ==
	    STS_GARBAGE, "a NUL byte refused");
	ok(parse("{\"RequestId\":\"x\",\"Credentials\":{\"SecurityToken\":"
	    "\"t\",\"AccessKeyId\":\"STS.a\",\"Expiration\":"
	    "\"2026-11-25T07:09:41Z\"}}", 200, &c, &e) == STS_GARBAGE &&
	    c.access_key_id == NULL, "partial: no secret, nothing returned");
	ok(parse("{\"RequestId\":\"x\",\"Credentials\":{\"SecurityToken\":"
	    "\"t\",\"AccessKeyId\":\"STS.a\",\"AccessKeySecret\":\"s\","
	    "\"Expiration\":\"2026-11-25T07:09\"}}", 200, &c, &e) ==
	    STS_GARBAGE, "truncated Expiration refused");
	ok(parse("{\"RequestId\":\"x\",\"Credentials\":{\"SecurityToken\":"
	    "\"t\",\"AccessKeyId\":\"STS.a\",\"AccessKeySecret\":\"s\","
	    "\"Expiration\":\"2026-11-25T06:10:00Z\"}}", 200, &c, &e) ==
	    STS_GARBAGE && strstr(e.message, "clock") != NULL,
	    "credentials expiring within a minute refused (clock named)");
	ok(parse("{\"RequestId\":\"x\",\"Credentials\":{\"SecurityToken\":"
	    "\"t\",\"AccessKeyId\":\"STS.a b\",\"AccessKeySecret\":\"s\","
	    "\"Expiration\":\"2026-11-25T07:09:41Z\"}}", 200, &c, &e) ==
	    STS_GARBAGE, "a space in the id refused");
	ok(parse("{\"RequestId\":\"x\",\"Credentials\":{\"SecurityToken\":"
	    "\"t\\n\",\"AccessKeyId\":\"STS.a\",\"AccessKeySecret\":\"s\","
	    "\"Expiration\":\"2026-11-25T07:09:41Z\"}}", 200, &c, &e) ==
	    STS_GARBAGE, "a newline in the token refused");
	ok(parse("{\"RequestId\":\"x\",\"Credentials\":{\"SecurityToken\":"
	    "\"t\",\"AccessKeyId\":42,\"AccessKeySecret\":\"s\","
	    "\"Expiration\":\"2026-11-25T07:09:41Z\"}}", 200, &c, &e) ==
	    STS_GARBAGE, "a number for the id refused");
	ok(parse("{\"RequestId\":\"x\",\"Credentials\":\"no\"}", 200, &c,
	    &e) == STS_GARBAGE, "Credentials not an object");
	ok(parse("{\"RequestId\":\"x\"}", 200, &c, &e) == STS_GARBAGE,
	    "no Credentials");
	ok(parse("{\"RequestId\":\"<script>\\\"x\",\"Code\":\"No Perm\\n\"}",
	    403, &c, &e) == STS_REFUSED &&
	    strcmp(e.request_id, "?script??x") == 0 &&
	    strcmp(e.code, "No?Perm?") == 0,
	    "odd bytes in RequestId and Code become '?'");

	big = malloc(LIMIT_STS_RESPONSE + 64);
	strcpy(big, "{\"RequestId\":\"");
	for (i = strlen(big); i < LIMIT_STS_RESPONSE + 16; i++)
		big[i] = 'a';
	strcpy(big + i, "\"}");
	ok(parse(big, 200, &c, &e) == STS_GARBAGE, "a huge answer refused");
	for (i = 0; i < 100; i++)
		big[i] = '[';
	big[i] = '\0';
	ok(parse(big, 200, &c, &e) == STS_GARBAGE, "deep nesting refused");
	free(big);

	/* The ECS metadata / credentials URI form. */
	ok(sts_parse_flat("{\"AccessKeyId\":\"STS.e\",\"AccessKeySecret\":"
	    "\"s\",\"Expiration\":\"2026-11-25T12:09:41Z\",\"SecurityToken\":"
	    "\"t\",\"LastUpdated\":\"2026-11-25T06:09:41Z\",\"Code\":"
	    "\"Success\"}", 150, 200, (time_t)NOW, &c, &e) == STS_GARBAGE,
	    "flat: length given short is refused");
	big = "{\"AccessKeyId\":\"STS.e\",\"AccessKeySecret\":\"s\","
	    "\"Expiration\":\"2026-11-25T12:09:41Z\",\"SecurityToken\":\"t\","
	    "\"LastUpdated\":\"2026-11-25T06:09:41Z\",\"Code\":\"Success\"}";
	ok(sts_parse_flat(big, strlen(big), 200, (time_t)NOW, &c, &e) ==
	    STS_OK && strcmp(c.access_key_id, "STS.e") == 0 &&
	    c.expiration == (time_t)(NOW + 6 * 3600), "flat: metadata answer");
	creds_clear(&c);
	big = "{\"AccessKeyId\":\"STS.e\",\"AccessKeySecret\":\"s\","
	    "\"Expiration\":\"2026-11-25T12:09:41Z\",\"SecurityToken\":\"t\"}";
	ok(sts_parse_flat(big, strlen(big), 200, (time_t)NOW, &c, &e) ==
	    STS_OK, "flat: no Code (credentials URI)");
	creds_clear(&c);
	/*
	 * Expirations far ahead are cut (issue 9, defect 9): a credentials
	 * URI answered the year 5195, and it was cached for ever.
	 */
	big = "{\"AccessKeyId\":\"STS.e\",\"AccessKeySecret\":\"s\","
	    "\"Expiration\":\"5195-01-01T00:00:00Z\",\"SecurityToken\":\"t\"}";
	ok(sts_parse_flat(big, strlen(big), 200, (time_t)NOW, &c, &e) ==
	    STS_OK && c.expiration == (time_t)(NOW + LIMIT_CREDS_LIFE_MAX),
	    "flat: an Expiration in 5195 is cut to LIMIT_CREDS_LIFE_MAX");
	ok(e.expiration_cut != 0, "and the parse says it was cut");
	creds_clear(&c);
	ok(parse("{\"RequestId\":\"x\",\"Credentials\":{\"SecurityToken\":"
	    "\"t\",\"AccessKeyId\":\"STS.a\",\"AccessKeySecret\":\"s\","
	    "\"Expiration\":\"2026-11-25T08:09:41Z\"}}", 200, &c, &e) ==
	    STS_OK && c.expiration == (time_t)(NOW + 3600) &&
	    e.expiration_cut == (time_t)(NOW + 7200),
	    "AssumeRole: two hours for a one-hour duration is cut to one");
	creds_clear(&c);
	ok(parse("{\"RequestId\":\"x\",\"Credentials\":{\"SecurityToken\":"
	    "\"t\",\"AccessKeyId\":\"STS.a\",\"AccessKeySecret\":\"s\","
	    "\"Expiration\":\"2026-11-25T07:14:41Z\"}}", 200, &c, &e) ==
	    STS_OK && c.expiration == (time_t)(NOW + 3900) &&
	    e.expiration_cut == 0,
	    "AssumeRole: five minutes over (STS's clock ahead) is kept");
	creds_clear(&c);
	big = "{\"Code\":\"Failure\",\"Message\":\"role gone\"}";
	ok(sts_parse_flat(big, strlen(big), 200, (time_t)NOW, &c, &e) !=
	    STS_OK && strcmp(e.code, "Failure") == 0,
	    "flat: Code other than Success refused");
	big = "{\"AccessKeyId\":\"STS.e\",\"AccessKeySecret\":\"s\","
	    "\"Expiration\":\"2026-11-25T12:09:41Z\"}";
	ok(sts_parse_flat(big, strlen(big), 200, (time_t)NOW, &c, &e) ==
	    STS_GARBAGE && c.access_key_id == NULL,
	    "flat: no SecurityToken refused");
}

int
main(void)
{
	tap_plan(48);
	t_url();
	t_parse();
	return tap_done();
}
