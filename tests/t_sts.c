/*
 * sts: request signing against the vendor vectors (tests/data/
 * sts-signature.json, computed with @alicloud/openapi-util and
 * @alicloud/pop-core), answer parsing (good, refused, garbage, partial,
 * huge), endpoint checks and session_policy = auto.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "creds.h"
#include "sts.h"
#include "tap.h"

/* tests/data/sts-signature.json, "rpc_v1" and "acs3_v3". */
#define V_AKID		"LTAI5tFakeAccessKeyId123"
#define V_SECRET	"FakeAccessKeySecretForVectors0123456789"
#define V_ROLE		"acs:ram::1234567890123456:role/oss-web-upload"

#define RPC_CANON "AccessKeyId=LTAI5tFakeAccessKeyId123&Action=AssumeRole&" \
	"DurationSeconds=3600&Format=JSON&RoleArn=acs%3Aram%3A%3A1234567890" \
	"123456%3Arole%2Foss-web-upload&RoleSessionName=web-upload-1&" \
	"SignatureMethod=HMAC-SHA1&SignatureNonce=3ee8c1b8-83d3-44af-a94f-" \
	"4e0ad82fd6cf&SignatureVersion=1.0&Timestamp=2026-11-25T06%3A09%3A41Z&" \
	"Version=2015-04-01"
#define RPC_S2S "POST&%2F&AccessKeyId%3DLTAI5tFakeAccessKeyId123%26Action%3D" \
	"AssumeRole%26DurationSeconds%3D3600%26Format%3DJSON%26RoleArn%3Dacs" \
	"%253Aram%253A%253A1234567890123456%253Arole%252Foss-web-upload%26" \
	"RoleSessionName%3Dweb-upload-1%26SignatureMethod%3DHMAC-SHA1%26" \
	"SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26" \
	"SignatureVersion%3D1.0%26Timestamp%3D2026-11-25T06%253A09%253A41Z%26" \
	"Version%3D2015-04-01"
#define RPC_SIG_POST	"yg/OrLnndLE99pDA71E5qiTNap0="
#define RPC_SIG_GET	"slbfXuciTnggC5QLuRxxedHLZRY="

#define EMPTY_SHA "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define ACS3_CANON "POST\n/\nDurationSeconds=3600&RoleArn=acs%3Aram%3A%3A" \
	"1234567890123456%3Arole%2Foss-web-upload&RoleSessionName=web-upload-1\n" \
	"host:sts.cn-hangzhou.aliyuncs.com\nx-acs-action:AssumeRole\n" \
	"x-acs-content-sha256:" EMPTY_SHA "\nx-acs-date:2026-11-25T06:09:41Z\n" \
	"x-acs-signature-nonce:d410180a5abf7fe235dd9b74aca91fc0\n" \
	"x-acs-version:2015-04-01\n\nhost;x-acs-action;x-acs-content-sha256;" \
	"x-acs-date;x-acs-signature-nonce;x-acs-version\n" EMPTY_SHA
#define ACS3_S2S "ACS3-HMAC-SHA256\n" \
	"7efb38350180ff6ba369caab2257c144afb23ad050b5cb757d7bb200e10877b1"
#define ACS3_AUTH "ACS3-HMAC-SHA256 Credential=LTAI5tFakeAccessKeyId123," \
	"SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;" \
	"x-acs-signature-nonce;x-acs-version,Signature=de57cb802a2fe5b8f8f7fcce" \
	"7475222e684ed6017ee0702cb8780c94a4447270"

/* 2026-11-25T06:09:41Z */
#define NOW	1795586981LL

static void
t_encoding(void)
{
	char *s;

	s = sts_pct_encode("a b*~-_.!'()/:=&+");
	is_str(s, "a%20b%2A~-_.%21%27%28%29%2F%3A%3D%26%2B",
	    "percent-encoding keeps only A-Za-z0-9-_.~");
	free(s);
	s = sts_pct_encode("\xc3\xa9");
	is_str(s, "%C3%A9", "UTF-8 bytes, uppercase hex");
	free(s);
	s = sts_pct_encode("");
	is_str(s, "", "empty string");
	free(s);
}

static void
t_rpc(void)
{
	/* Deliberately out of order: the canonical form sorts them. */
	struct sts_param p[] = {
		{ "Version", "2015-04-01" },
		{ "Timestamp", "2026-11-25T06:09:41Z" },
		{ "SignatureVersion", "1.0" },
		{ "SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf" },
		{ "SignatureMethod", "HMAC-SHA1" },
		{ "RoleSessionName", "web-upload-1" },
		{ "RoleArn", V_ROLE },
		{ "Policy", NULL },
		{ "Format", "JSON" },
		{ "DurationSeconds", "3600" },
		{ "Action", "AssumeRole" },
		{ "AccessKeyId", V_AKID },
	};
	char *q, *s2s, *sig;

	q = sts_canonical_query(p, sizeof(p) / sizeof(p[0]));
	is_str(q, RPC_CANON, "RPC canonical query (sorted, NULL left out)");
	s2s = sts_rpc_string_to_sign("POST", q);
	is_str(s2s, RPC_S2S, "RPC string to sign");
	sig = sts_rpc_signature(V_SECRET, s2s);
	is_str(sig, RPC_SIG_POST, "RPC signature, POST");
	free(s2s);
	free(sig);
	s2s = sts_rpc_string_to_sign("GET", q);
	sig = sts_rpc_signature(V_SECRET, s2s);
	is_str(sig, RPC_SIG_GET, "RPC signature, GET");
	free(s2s);
	free(sig);
	free(q);
	q = sts_canonical_query(NULL, 0);
	is_str(q, "", "no parameters: empty query");
	free(q);
}

static void
t_acs3(void)
{
	struct sts_param q[] = {
		{ "RoleSessionName", "web-upload-1" },
		{ "RoleArn", V_ROLE },
		{ "DurationSeconds", "3600" },
	};
	struct sts_acs3 r;
	char hash[65], *canon, *s2s, *auth;

	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.host = "sts.cn-hangzhou.aliyuncs.com";
	r.action = "AssumeRole";
	r.version = STS_API_VERSION;
	r.date = "2026-11-25T06:09:41Z";
	r.nonce = "d410180a5abf7fe235dd9b74aca91fc0";
	r.query = q;
	r.nquery = 3;
	ok(sts_acs3_payload_hash(&r, hash) == 0 &&
	    strcmp(hash, EMPTY_SHA) == 0, "ACS3 payload hash of no body");
	canon = sts_acs3_canonical_request(&r);
	is_str(canon, ACS3_CANON, "ACS3 canonical request");
	s2s = sts_acs3_string_to_sign(canon);
	is_str(s2s, ACS3_S2S, "ACS3 string to sign");
	auth = sts_acs3_authorization(&r, V_AKID, V_SECRET);
	is_str(auth, ACS3_AUTH, "ACS3 Authorization header");
	free(canon);
	free(s2s);
	free(auth);

	/* Role chaining: the token travels in a signed header. */
	r.security_token = "CAIStok+en/=";
	canon = sts_acs3_canonical_request(&r);
	ok(canon != NULL && strstr(canon, "\nx-acs-date:2026-11-25T06:09:41Z\n"
	    "x-acs-security-token:CAIStok+en/=\nx-acs-signature-nonce:") !=
	    NULL && strstr(canon, "x-acs-date;x-acs-security-token;"
	    "x-acs-signature-nonce") != NULL,
	    "ACS3 with a security token signs x-acs-security-token in order");
	auth = sts_acs3_authorization(&r, V_AKID, V_SECRET);
	ok(auth != NULL && strstr(auth, "SignedHeaders=host;x-acs-action;"
	    "x-acs-content-sha256;x-acs-date;x-acs-security-token;") != NULL &&
	    strcmp(auth, ACS3_AUTH) != 0,
	    "and the Authorization names it and changes");
	free(canon);
	free(auth);
}

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
	return sts_parse_assume(body, strlen(body), status, (time_t)NOW, c, e);
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
	ok(sts_parse_assume("{\"a\":\"\0\"}", 9, 200, (time_t)NOW, &c, &e) ==
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

static struct conf *
cfg(const char *text)
{
	char err[256];
	struct conf *c;

	if ((c = conf_parse(text, strlen(text), "t", err, sizeof(err))) ==
	    NULL)
		printf("# conf: %s\n", err);
	return c;
}

static void
t_policy_auto(void)
{
	struct conf *c;
	char err[256], *p, *text;
	size_t i, off;

	c = cfg("bucket = b12\nregion = cn-hangzhou\n"
	    "credentials = ram_role_arn\n"
	    "[upload a]\nkey_prefix = user/${user}/\n"
	    "[upload b]\nkey_prefix = public/img/\n"
	    "[upload c]\nkey_prefix = public/\n"
	    "[upload d]\nkey_prefix = public/img/\n"
	    "[upload e]\nkey_prefix = user/${yyyy}/\n");
	p = c ? sts_policy_auto(c, err, sizeof(err)) : NULL;
	is_str(p, "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
	    "\"Action\":[\"oss:PutObject\"],\"Resource\":["
	    "\"acs:oss:*:*:b12/user/*\",\"acs:oss:*:*:b12/public/*\"]}]}",
	    "auto policy: static prefixes, covered ones dropped");
	free(p);
	conf_free(c);

	c = cfg("bucket = b12\nregion = cn-hangzhou\n");
	p = c ? sts_policy_auto(c, err, sizeof(err)) : NULL;
	ok(p != NULL && strstr(p, "\"Resource\":[\"acs:oss:*:*:b12/"
	    "uploads/*\"]") != NULL, "auto policy: the default upload");
	free(p);
	conf_free(c);

	c = cfg("bucket = b12\nregion = cn-hangzhou\n"
	    "[upload a]\nkey_prefix = ${user}/\n[upload b]\nkey_prefix = x/\n");
	p = c ? sts_policy_auto(c, err, sizeof(err)) : NULL;
	ok(p != NULL && strstr(p, "\"Resource\":[\"acs:oss:*:*:b12/*\"]") !=
	    NULL, "auto policy: a prefix starting with ${ covers the bucket");
	free(p);
	conf_free(c);

	/* 30 distinct long prefixes: over 2048 characters. */
	text = malloc(16384);
	off = (size_t)snprintf(text, 16384, "bucket = b12\nregion = "
	    "cn-hangzhou\n");
	for (i = 0; i < 30; i++)
		off += (size_t)snprintf(text + off, 16384 - off,
		    "[upload u%zu]\nkey_prefix = %02zu-aaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/\n", i, i);
	c = cfg(text);
	p = c ? sts_policy_auto(c, err, sizeof(err)) : (char *)"x";
	ok(p == NULL && strstr(err, "2048") != NULL,
	    "auto policy over 2048 characters refused");
	conf_free(c);
	free(text);
}

int
main(void)
{
	tap_plan(62);
	t_encoding();
	t_rpc();
	t_acs3();
	t_url();
	t_parse();
	t_policy_auto();
	return tap_done();
}
