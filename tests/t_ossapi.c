/*
 * The OSS multipart API module (src/ossapi.c).
 *
 * Requests: each builder's method, URL, headers and body; the Authorization
 * of Initiate, ListParts, Complete and Abort and the signature of presigned
 * UploadPart URLs equal to the ali-oss-computed cases of
 * tests/data/oss-v4-request.json (built with the same inputs); and every
 * request built here, more shapes included (custom and emulator hosts, an
 * "oss-" region, odd keys, pinned headers, STS and long-term keys), taken
 * apart and verified by ali-oss's own signing code, as the OSS emulator
 * will (tests/lib/oss-v4-alioss.js verify; those points skip without
 * node_modules).  Then the refusals, and answers: real shapes of OSS's
 * answers and errors through each parser and into ossign's errors.
 * Nothing secret is printed: the secrets scan reads this log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "crypto.h"
#include "jsonw.h"
#include "limit.h"
#include "oerr.h"
#include "ossapi.h"
#include "tap.h"

#define T_NOW		((time_t)1795586981)	/* 2026-11-25T06:09:41Z */
#define T_UPLOAD_ID	"0004B9894A22E5B1888A1E29F8236E2A"
#define T_MAX_LIVE	32

static const struct ossapi_target t_target = {
	"https://examplebucket.oss-cn-hangzhou.aliyuncs.com", "examplebucket",
	"cn-hangzhou"
};

static struct creds t_sts, t_ltk;	/* from the vector file */

/* Requests and URLs kept for ali-oss to verify. */
static struct {
	char		*line[T_MAX_LIVE];
	const char	*name[T_MAX_LIVE];
	size_t		 n;
} t_live;

static json_object *t_vectors;

static const char *
jstr(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) &&
	    !json_object_is_type(v, json_type_null) ?
	    json_object_get_string(v) : NULL;
}

/* The ali_oss case named name. */
static json_object *
t_case(const char *name)
{
	json_object *s, *cases, *c;
	size_t i;

	if (!json_object_object_get_ex(t_vectors, "ali_oss", &s) ||
	    !json_object_object_get_ex(s, "cases", &cases))
		return NULL;
	for (i = 0; i < json_object_array_length(cases); i++) {
		c = json_object_array_get_idx(cases, i);
		if (strcmp(jstr(c, "name"), name) == 0)
			return c;
	}
	return NULL;
}

static const char *
t_header(const struct ossapi_request *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

/* The header names of r, in order, joined by ' '. */
static void
t_names(const struct ossapi_request *r, char *out, size_t outsz)
{
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; i < r->nheaders && len < outsz; i++)
		len += (size_t)snprintf(out + len, outsz - len, "%s%s",
		    i > 0 ? " " : "", r->headers[i].name);
}

/* Keep a request (or a presigned URL: r NULL) for ali-oss. */
static void
t_keep(const char *name, const struct creds *c, const char *region,
    const char *bucket, const char *method, const char *url,
    const struct ossapi_request *r)
{
	struct jsonw w;
	size_t i, len;

	if (t_live.n >= T_MAX_LIVE)
		abort();
	jsonw_init(&w, 1024);
	jsonw_open(&w, '{');
	jsonw_kv(&w, "secret", c->access_key_secret);
	jsonw_kv(&w, "region", region);
	jsonw_kv(&w, "bucket", bucket);
	jsonw_kv(&w, "method", method);
	jsonw_kv(&w, "url", url);
	jsonw_key(&w, "headers");
	jsonw_open(&w, '[');
	for (i = 0; r != NULL && i < r->nheaders; i++) {
		jsonw_open(&w, '[');
		jsonw_str(&w, r->headers[i].name);
		jsonw_str(&w, r->headers[i].value);
		jsonw_close(&w, ']');
	}
	jsonw_close(&w, ']');
	jsonw_close(&w, '}');
	t_live.name[t_live.n] = name;
	if ((t_live.line[t_live.n++] = jsonw_finish(&w, &len)) == NULL)
		abort();
}

/* A request's Authorization against the vector named name (5 points). */
static void
t_vector_request(const char *name, int rc, const struct ossapi_request *r,
    const char *url, const char *names)
{
	json_object *c = t_case(name);
	char got[512];

	ok(rc == 0, "%s: built", name);
	is_str(rc == 0 ? r->url : NULL, url, "URL");
	t_names(r, got, sizeof(got));
	is_str(got, names, "headers, in order");
	is_str(t_header(r, "x-oss-date"), "20261125T060941Z", "x-oss-date");
	ok(c != NULL && t_header(r, "Authorization") != NULL &&
	    strcmp(t_header(r, "Authorization"), jstr(c, "authorization")) == 0,
	    "Authorization = ali-oss's (%s)", name);
}

static void
t_requests(void)
{
	struct ossapi_request r;
	struct oerr_detail d;
	struct osssig_header meta[] = { { "x-oss-meta-owner", "alice" } };
	struct ossapi_initiate_opts io = { "video/mp4", 1, meta, 1 };
	struct ossxml_part parts[2];
	struct ossapi_complete_opts co;
	json_object *c;
	const char *key = "user/alice/video.mp4";
	char *url;
	const char *q;
	time_t exp = 0;
	int rc;

	rc = ossapi_initiate(&t_target, &t_sts, T_NOW, key, &io, &r, &d);
	t_vector_request("initiate-multipart-sts", rc, &r,
	    "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/user/alice/"
	    "video.mp4?uploads", "Content-Type x-oss-forbid-overwrite "
	    "x-oss-meta-owner x-oss-date x-oss-content-sha256 "
	    "x-oss-security-token Authorization");
	ok(r.op == OSSAPI_INITIATE && strcmp(r.method, "POST") == 0 &&
	    r.body == NULL && strcmp(t_header(&r, "Content-Type"),
	    "video/mp4") == 0 && strcmp(t_header(&r, "x-oss-content-sha256"),
	    "UNSIGNED-PAYLOAD") == 0 && strcmp(t_header(&r,
	    "x-oss-security-token"), t_sts.security_token) == 0,
	    "Initiate: POST, no body, the type, UNSIGNED-PAYLOAD, the token");
	if (rc == 0)
		t_keep("initiate", &t_sts, "cn-hangzhou", "examplebucket",
		    r.method, r.url, &r);
	ossapi_request_free(&r);

	rc = ossapi_list_parts(&t_target, &t_ltk, T_NOW, key, T_UPLOAD_ID,
	    1000, 1000, &r, &d);
	t_vector_request("list-parts-long-term-key", rc, &r,
	    "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/user/alice/"
	    "video.mp4?max-parts=1000&part-number-marker=1000&uploadId="
	    T_UPLOAD_ID, "x-oss-date x-oss-content-sha256 Authorization");
	ok(strcmp(r.method, "GET") == 0 && r.body == NULL &&
	    t_header(&r, "x-oss-security-token") == NULL,
	    "ListParts: GET, no body, no token with a long-term key");
	if (rc == 0)
		t_keep("list-parts", &t_ltk, "cn-hangzhou", "examplebucket",
		    r.method, r.url, &r);
	ossapi_request_free(&r);
	rc = ossapi_list_parts(&t_target, &t_sts, T_NOW, key, T_UPLOAD_ID, 0,
	    1000, &r, &d);
	ok(rc == 0 && strstr(r.url, "part-number-marker") == NULL,
	    "ListParts: the first page sends no marker");
	if (rc == 0)
		t_keep("list-parts-first", &t_sts, "cn-hangzhou",
		    "examplebucket", r.method, r.url, &r);
	ossapi_request_free(&r);

	memset(parts, 0, sizeof(parts));
	parts[0].number = 2;
	snprintf(parts[0].etag, sizeof(parts[0].etag),
	    "\"8C315065167132444177411FDA149B2C\"");
	parts[1].number = 1;
	snprintf(parts[1].etag, sizeof(parts[1].etag),
	    "\"3349DC700140D7F86A0784842780AB12\"");
	c = t_case("complete-multipart-callback");
	co = (struct ossapi_complete_opts){ parts, 2, 1, NULL, NULL };
	if (c != NULL) {
		json_object *h, *e;
		size_t i;

		json_object_object_get_ex(c, "headers", &h);
		for (i = 0; i < json_object_array_length(h); i++) {
			e = json_object_array_get_idx(h, i);
			if (strcmp(json_object_get_string(
			    json_object_array_get_idx(e, 0)),
			    "x-oss-callback") == 0)
				co.callback = json_object_get_string(
				    json_object_array_get_idx(e, 1));
			if (strcmp(json_object_get_string(
			    json_object_array_get_idx(e, 0)),
			    "x-oss-callback-var") == 0)
				co.callback_var = json_object_get_string(
				    json_object_array_get_idx(e, 1));
		}
	}
	rc = ossapi_complete(&t_target, &t_sts, T_NOW, key, T_UPLOAD_ID, &co,
	    &r, &d);
	t_vector_request("complete-multipart-callback", rc, &r,
	    "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/user/alice/"
	    "video.mp4?uploadId=" T_UPLOAD_ID, "Content-Type "
	    "x-oss-forbid-overwrite x-oss-callback x-oss-callback-var "
	    "x-oss-date x-oss-content-sha256 x-oss-security-token "
	    "Authorization");
	is_str(r.body, "<CompleteMultipartUpload><Part><PartNumber>1"
	    "</PartNumber><ETag>&#34;3349DC700140D7F86A0784842780AB12&#34;"
	    "</ETag></Part><Part><PartNumber>2</PartNumber><ETag>&#34;"
	    "8C315065167132444177411FDA149B2C&#34;</ETag></Part>"
	    "</CompleteMultipartUpload>", "Complete: the parts, ascending");
	ok(r.body != NULL && r.body_len == strlen(r.body) &&
	    strcmp(r.method, "POST") == 0 &&
	    strcmp(t_header(&r, "Content-Type"), "application/xml") == 0,
	    "Complete: POST, application/xml, the body's length");
	if (rc == 0)
		t_keep("complete", &t_sts, "cn-hangzhou", "examplebucket",
		    r.method, r.url, &r);
	ossapi_request_free(&r);

	rc = ossapi_abort(&t_target, &t_sts, T_NOW, key, T_UPLOAD_ID, &r, &d);
	t_vector_request("abort-multipart", rc, &r,
	    "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/user/alice/"
	    "video.mp4?uploadId=" T_UPLOAD_ID, "x-oss-date "
	    "x-oss-content-sha256 x-oss-security-token Authorization");
	ok(strcmp(r.method, "DELETE") == 0 && r.body == NULL, "Abort: DELETE");
	if (rc == 0)
		t_keep("abort", &t_sts, "cn-hangzhou", "examplebucket",
		    r.method, r.url, &r);
	ossapi_request_free(&r);
	ossapi_request_free(&r);
	ossapi_request_free(NULL);
	ok(1, "ossapi_request_free twice, and on NULL");

	/* Presigned parts. */
	c = t_case("presign-upload-part-sts");
	url = ossapi_presign_part(&t_target, &t_sts, T_NOW, key, T_UPLOAD_ID,
	    3, 900, &exp, &d);
	ok(url != NULL && c != NULL && (q = strstr(url, "&x-oss-signature="))
	    != NULL && strcmp(q + 17, jstr(c, "signature")) == 0,
	    "UploadPart URL: x-oss-signature = ali-oss's");
	q = "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/user/alice/"
	    "video.mp4?partNumber=3&uploadId=" T_UPLOAD_ID
	    "&x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-credential="
	    "STS.NUgYrLnoC37mZZCNnAbez2SjD%2F20261125%2Fcn-hangzhou%2Foss%2F"
	    "aliyun_v4_request&x-oss-date=20261125T060941Z&x-oss-expires=900"
	    "&x-oss-security-token=";
	ok(url != NULL && strncmp(url, q, strlen(q)) == 0 &&
	    exp == T_NOW + 900, "UploadPart URL: its query, 900 s");
	if (url != NULL)
		t_keep("presign-sts", &t_sts, "cn-hangzhou", "examplebucket",
		    "PUT", url, NULL);
	crypto_free_secret(url);

	c = t_case("presign-upload-part-long-term-key");
	url = ossapi_presign_part(&t_target, &t_ltk, T_NOW, "a/b c.bin",
	    T_UPLOAD_ID, 10000, 10 * LIMIT_PRESIGN_MAX, &exp, &d);
	ok(url != NULL && c != NULL && (q = strstr(url, "&x-oss-signature="))
	    != NULL && strcmp(q + 17, jstr(c, "signature")) == 0 &&
	    strstr(url, "/a/b%20c.bin?partNumber=10000&") != NULL &&
	    strstr(url, "x-oss-security-token") == NULL &&
	    exp == T_NOW + LIMIT_PRESIGN_MAX,
	    "UploadPart URL, long-term key: ali-oss's, capped at 7 days");
	if (url != NULL)
		t_keep("presign-long-term", &t_ltk, "cn-hangzhou",
		    "examplebucket", "PUT", url, NULL);
	crypto_free_secret(url);

	/* Never past the credentials. */
	{
		struct creds soon = t_sts;

		soon.expiration = T_NOW + 300;
		url = ossapi_presign_part(&t_target, &soon, T_NOW, key,
		    T_UPLOAD_ID, 1, 3600, &exp, &d);
		ok(url != NULL && strstr(url, "&x-oss-expires=300&") != NULL &&
		    exp == T_NOW + 300,
		    "a URL expires with the STS credentials (300 s, not 3600)");
		crypto_free_secret(url);
		soon.expiration = T_NOW;
		url = ossapi_presign_part(&t_target, &soon, T_NOW, key,
		    T_UPLOAD_ID, 1, 3600, &exp, &d);
		ok(url == NULL && d.err == OERR_CREDS_UNAVAILABLE,
		    "expired credentials: no URL, credentials_unavailable");
		ok(ossapi_abort(&t_target, &soon, T_NOW, key, T_UPLOAD_ID, &r,
		    &d) == -1 && d.err == OERR_CREDS_UNAVAILABLE,
		    "expired credentials: no request either");
	}
}

/* More shapes, for ali-oss only. */
static void
t_shapes(void)
{
	static const struct ossapi_target emu = { "http://127.0.0.1:9000",
	    "bucket-1", "oss-cn-shanghai" };
	static const struct ossapi_target custom = {
	    "https://files.example.com", "examplebucket", "ap-southeast-1" };
	struct osssig_header h[] = {
		{ "Cache-Control", "no-cache" },
		{ "Content-Disposition", "attachment; filename=\"a b.png\"" },
		{ "x-oss-meta-user", "alice@example.com" },
		{ "X-Oss-Storage-Class", "IA" },
		{ "x-oss-object-acl", "private" },
	};
	struct ossapi_initiate_opts io = { "image/png", 0, h, 5 };
	struct ossapi_request r;
	struct oerr_detail d;
	const char *key = "\xe7\x85\xa7\xe7\x89\x87/2026/a b+c~!'()*&=?#%.png";
	char *url;
	int n = 0;

	if (ossapi_initiate(&emu, &t_sts, T_NOW, key, &io, &r, &d) == 0) {
		n++;
		t_keep("emulator initiate, odd key, pinned headers", &t_sts,
		    "cn-shanghai", "bucket-1", r.method, r.url, &r);
	}
	ossapi_request_free(&r);
	if (ossapi_list_parts(&custom, &t_ltk, T_NOW + 86399, key,
	    T_UPLOAD_ID, 9999, 1, &r, &d) == 0) {
		n++;
		t_keep("custom host list parts", &t_ltk, "ap-southeast-1",
		    "examplebucket", r.method, r.url, &r);
	}
	ossapi_request_free(&r);
	url = ossapi_presign_part(&emu, &t_sts, T_NOW, key, T_UPLOAD_ID, 77,
	    60, NULL, &d);
	n += url != NULL;
	if (url != NULL)
		t_keep("emulator presign, odd key", &t_sts, "cn-shanghai",
		    "bucket-1", "PUT", url, NULL);
	crypto_free_secret(url);
	ok(n == 3, "other shapes built (emulator host, custom host, odd key)");
}

/* Run every kept request through ali-oss; one point each. */
static void
t_alioss(size_t planned)
{
	char in[] = "/tmp/t_ossapi.XXXXXX", cmd[8400], line[512];
	const char *top = getenv("top_srcdir"), *node = getenv("NODE");
	FILE *f, *p;
	size_t i;
	int fd;

	if (node == NULL || *node == '\0')
		node = "node";
	if (top == NULL)
		top = ".";
	snprintf(cmd, sizeof(cmd), "%s/node_modules/ali-oss/package.json", top);
	if (access(cmd, R_OK) != 0) {
		for (i = 0; i < planned; i++)
			printf("ok %d # SKIP node_modules missing (npm ci)\n",
			    ++tap_n);
		return;
	}
	if ((fd = mkstemp(in)) == -1 || (f = fdopen(fd, "w")) == NULL)
		abort();
	for (i = 0; i < t_live.n; i++)
		fprintf(f, "%s\n", t_live.line[i]);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "'%s' '%s/tests/lib/oss-v4-alioss.js' "
	    "verify < '%s'", node, top, in);
	if ((p = popen(cmd, "r")) == NULL)
		abort();
	for (i = 0; i < planned; i++) {
		if (i >= t_live.n || fgets(line, sizeof(line), p) == NULL)
			line[0] = '\0';
		line[strcspn(line, "\n")] = '\0';
		if (!ok(strcmp(line, "ok") == 0, "ali-oss verifies: %s",
		    i < t_live.n ? t_live.name[i] : "(missing)"))
			printf("# %s\n", line);
	}
	pclose(p);
	unlink(in);
}

static void
t_refusals(void)
{
	struct ossapi_target bad = t_target;
	struct ossapi_request r;
	struct oerr_detail d;
	struct osssig_header h[1];
	struct ossapi_initiate_opts io = { "text/plain", 0, h, 1 };
	struct ossapi_complete_opts co;
	struct ossxml_part part = { 1, "\"e\"", 0 };
	const char *key = "k";
	char *url;

	h[0] = (struct osssig_header){ "Authorization", "x" };
	ok(ossapi_initiate(&t_target, &t_sts, T_NOW, key, &io, &r, &d) == -1 &&
	    d.err == OERR_INTERNAL && r.url == NULL,
	    "a caller's Authorization header refused");
	h[0] = (struct osssig_header){ "X-OSS-Security-Token", "x" };
	ok(ossapi_initiate(&t_target, &t_sts, T_NOW, key, &io, &r, &d) == -1,
	    "a caller's security token header refused");
	h[0] = (struct osssig_header){ "x-oss-meta-a", "1\r\nx-oss-acl: x" };
	ok(ossapi_initiate(&t_target, &t_sts, T_NOW, key, &io, &r, &d) == -1 &&
	    d.err == OERR_INTERNAL, "CR LF in a pinned header refused");
	io.content_type = NULL;
	io.nheaders = 0;
	ok(ossapi_initiate(&t_target, &t_sts, T_NOW, key, &io, &r, &d) == -1,
	    "Initiate without a content type refused");
	io.content_type = "text/plain";
	ok(ossapi_initiate(&t_target, &t_sts, T_NOW, "/k", &io, &r, &d) == -1 &&
	    ossapi_initiate(&t_target, &t_sts, T_NOW, "", &io, &r, &d) == -1 &&
	    ossapi_initiate(&t_target, &t_sts, T_NOW, "a\nb", &io, &r, &d) ==
	    -1 && ossapi_initiate(&t_target, &t_sts, T_NOW, "a\xc3", &io, &r,
	    &d) == -1, "keys: leading '/', empty, control byte, bad UTF-8");
	bad.host = "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/";
	ok(ossapi_initiate(&bad, &t_sts, T_NOW, key, &io, &r, &d) == -1,
	    "a host with a path refused");
	bad.host = "ftp://h";
	ok(ossapi_initiate(&bad, &t_sts, T_NOW, key, &io, &r, &d) == -1,
	    "a host that is not http(s) refused");
	bad = t_target;
	bad.bucket = "Bad_Bucket";
	ok(ossapi_initiate(&bad, &t_sts, T_NOW, key, &io, &r, &d) == -1,
	    "a bucket name OSS does not allow refused");
	bad = t_target;
	bad.region = "cn hangzhou";
	ok(ossapi_initiate(&bad, &t_sts, T_NOW, key, &io, &r, &d) == -1,
	    "a malformed region refused");

	ok(ossapi_abort(&t_target, &t_sts, T_NOW, key, "a/b", &r, &d) == -1 &&
	    d.err == OERR_BAD_REQUEST && ossapi_abort(&t_target, &t_sts,
	    T_NOW, key, "", &r, &d) == -1 && ossapi_list_parts(&t_target,
	    &t_sts, T_NOW, key, "x&uploads", 0, 1000, &r, &d) == -1,
	    "upload ids that are not one: bad_request");
	ok(ossapi_list_parts(&t_target, &t_sts, T_NOW, key, T_UPLOAD_ID, -1,
	    1000, &r, &d) == -1 && ossapi_list_parts(&t_target, &t_sts, T_NOW,
	    key, T_UPLOAD_ID, 0, 1001, &r, &d) == -1 &&
	    ossapi_list_parts(&t_target, &t_sts, T_NOW, key, T_UPLOAD_ID, 0, 0,
	    &r, &d) == -1, "ListParts marker and page size bounds");
	url = ossapi_presign_part(&t_target, &t_sts, T_NOW, key, T_UPLOAD_ID,
	    0, 60, NULL, &d);
	ok(url == NULL && d.err == OERR_BAD_REQUEST &&
	    ossapi_presign_part(&t_target, &t_sts, T_NOW, key, T_UPLOAD_ID,
	    10001, 60, NULL, &d) == NULL, "part numbers 0 and 10001 refused");
	co = (struct ossapi_complete_opts){ &part, 0, 0, NULL, NULL };
	ok(ossapi_complete(&t_target, &t_sts, T_NOW, key, T_UPLOAD_ID, &co, &r,
	    &d) == -1 && d.err == OERR_BAD_REQUEST,
	    "Complete with no parts: bad_request");
	co.nparts = 1;
	co.callback = "not base64!";
	ok(ossapi_complete(&t_target, &t_sts, T_NOW, key, T_UPLOAD_ID, &co, &r,
	    &d) == -1, "a callback that is not base64 refused");
	co.callback = NULL;
	co.callback_var = "eyJ4OmEiOiIxIn0=";
	ok(ossapi_complete(&t_target, &t_sts, T_NOW, key, T_UPLOAD_ID, &co, &r,
	    &d) == -1, "callback variables without a callback refused");
}

/* ---- answers ------------------------------------------------------------ */

#define ERR(code, ec, msg) "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
	"<Error>\n  <Code>" code "</Code>\n  <Message>" msg "</Message>\n" \
	"  <RequestId>5C3D9175B6FC201293AD4890</RequestId>\n" \
	"  <HostId>examplebucket.oss-cn-hangzhou.aliyuncs.com</HostId>\n" \
	"  <EC>" ec "</EC>\n</Error>\n"

static struct ossapi_answer
t_ans(long status, const char *body, const char *rid)
{
	return (struct ossapi_answer){ status, body,
	    body != NULL ? strlen(body) : 0, rid };
}

static void
t_answers(void)
{
	struct ossapi_answer a;
	struct ossapi_error e;
	struct ossxml_initiate in;
	struct ossxml_parts pa;
	struct ossapi_completed co;
	struct oerr_detail d;
	enum ossapi_result r;
	const char *ok_init = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<InitiateMultipartUploadResult>\n  <Bucket>examplebucket</Bucket>\n"
	    "  <Key>user/alice/video.mp4</Key>\n  <UploadId>" T_UPLOAD_ID
	    "</UploadId>\n</InitiateMultipartUploadResult>\n";
	const char *page = "<ListPartsResult><IsTruncated>true</IsTruncated>"
	    "<NextPartNumberMarker>2</NextPartNumberMarker><Part><PartNumber>1"
	    "</PartNumber><ETag>\"a\"</ETag><Size>5242880</Size></Part><Part>"
	    "<PartNumber>2</PartNumber><ETag>\"b\"</ETag><Size>5242880</Size>"
	    "</Part></ListPartsResult>";

	a = t_ans(200, ok_init, NULL);
	ok(ossapi_parse_initiate(&a, "user/alice/video.mp4", &in, &e) ==
	    OSSAPI_OK && strcmp(in.upload_id, T_UPLOAD_ID) == 0,
	    "Initiate 200: the UploadId");
	ok(ossapi_parse_initiate(&a, "user/bob/video.mp4", &in, &e) ==
	    OSSAPI_GARBAGE, "Initiate naming another key: garbage");
	a = t_ans(200, "<InitiateMultipartUploadResult><UploadId>a/b"
	    "</UploadId></InitiateMultipartUploadResult>", NULL);
	ok(ossapi_parse_initiate(&a, "k", &in, &e) == OSSAPI_GARBAGE,
	    "Initiate with an UploadId that is not one: garbage");
	a = t_ans(200, "<html>ok</html>", "5C3D9175B6FC201293AD0000");
	r = ossapi_parse_initiate(&a, "k", &in, &e);
	ossapi_oerr(OSSAPI_INITIATE, r, &e, &d);
	ok(r == OSSAPI_GARBAGE && d.err == OERR_OSS_REFUSED &&
	    strstr(d.msg, "request id 5C3D9175B6FC201293AD0000") != NULL,
	    "a 200 that is not XML: storage_refused with the header's request id");

	a = t_ans(403, ERR("AccessDenied", "0003-00000001",
	    "You have no right to access this object."), NULL);
	r = ossapi_parse_initiate(&a, "k", &in, &e);
	ossapi_oerr(OSSAPI_INITIATE, r, &e, &d);
	ok(r == OSSAPI_REFUSED && d.err == OERR_OSS_REFUSED &&
	    oerr_status(d.err) == 502 && strcmp(d.msg, "OSS refused "
	    "InitiateMultipartUpload: AccessDenied (HTTP 403, EC 0003-00000001, "
	    "request id 5C3D9175B6FC201293AD4890): You have no right to access "
	    "this object.") == 0, "403 AccessDenied: 502 storage_refused, "
	    "OSS's code, EC and request id in the message");
	a = t_ans(503, "<html>busy</html>", "5C3D9175B6FC201293AD0001");
	r = ossapi_parse_list_parts(&a, 0, &pa, &e);
	ossapi_oerr(OSSAPI_LIST_PARTS, r, &e, &d);
	ok(r == OSSAPI_RETRY && d.err == OERR_OSS_UNAVAILABLE &&
	    oerr_status(d.err) == 503, "503 without XML: retry, then "
	    "storage_unavailable");
	a = t_ans(500, ERR("InternalError", "0001-00000001", "We "
	    "encountered an internal error. Please try again."), NULL);
	ok(ossapi_parse_abort(&a, &e) == OSSAPI_RETRY, "500 InternalError: "
	    "retry");
	a = t_ans(400, ERR("RequestTimeout", "0002-00000000", "timeout"),
	    NULL);
	ok(ossapi_parse_abort(&a, &e) == OSSAPI_RETRY, "400 RequestTimeout: "
	    "retry");
	a = t_ans(429, NULL, NULL);
	ok(ossapi_parse_abort(&a, &e) == OSSAPI_RETRY && e.status == 429,
	    "429 without a body: retry");

	a = t_ans(200, page, NULL);
	memset(&pa, 0, sizeof(pa));
	ok(ossapi_parse_list_parts(&a, 0, &pa, &e) == OSSAPI_OK &&
	    pa.n == 2 && pa.truncated && pa.next_marker == 2 &&
	    strcmp(pa.parts[1].etag, "\"b\"") == 0, "ListParts page");
	ossxml_parts_clear(&pa);
	ok(ossapi_parse_list_parts(&a, 2, &pa, &e) == OSSAPI_GARBAGE,
	    "ListParts listing parts at or before the marker: garbage");
	a = t_ans(200, "<ListPartsResult><IsTruncated>true</IsTruncated>"
	    "<NextPartNumberMarker>1</NextPartNumberMarker><Part><PartNumber>2"
	    "</PartNumber><ETag>\"a\"</ETag><Size>1</Size></Part>"
	    "</ListPartsResult>", NULL);
	ok(ossapi_parse_list_parts(&a, 0, &pa, &e) == OSSAPI_GARBAGE,
	    "a marker behind the page's last part: garbage (paging must move "
	    "on)");
	a = t_ans(404, "<?xml version=\"1.0\"?><Error><Code>NoSuchUpload"
	    "</Code><Message>The specified upload does not exist.</Message>"
	    "<RequestId>63E37239D9A902383982A9EC</RequestId><EC>0017-00000244"
	    "</EC></Error>", NULL);
	r = ossapi_parse_list_parts(&a, 0, &pa, &e);
	ossapi_oerr(OSSAPI_LIST_PARTS, r, &e, &d);
	ok(r == OSSAPI_REFUSED && d.err == OERR_OSS_NO_SUCH_UPLOAD &&
	    oerr_status(d.err) == 404 &&
	    strcmp(oerr_code(d.err), "no_such_upload") == 0 &&
	    strstr(d.msg, "EC 0017-00000244") != NULL,
	    "404 NoSuchUpload: no_such_upload");

	a = t_ans(200, "<CompleteMultipartUploadResult><Location>"
	    "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/k</Location>"
	    "<Bucket>examplebucket</Bucket><Key>k</Key><ETag>\"D4-2\"</ETag>"
	    "</CompleteMultipartUploadResult>", NULL);
	ok(ossapi_parse_complete(&a, 0, &co, &e) == OSSAPI_OK &&
	    strcmp(co.xml.etag, "\"D4-2\"") == 0 && co.callback_body == NULL,
	    "Complete 200: the result");
	a = t_ans(200, "{\"ok\":true}", NULL);
	ok(ossapi_parse_complete(&a, 1, &co, &e) == OSSAPI_OK &&
	    co.callback_body == a.body && co.callback_len == 11,
	    "Complete with a callback: the application's answer passed on");
	ok(ossapi_parse_complete(&a, 0, &co, &e) == OSSAPI_GARBAGE,
	    "the same without a callback: garbage");
	a = t_ans(203, ERR("CallbackFailed", "0007-00000203",
	    "Error status : 502."), NULL);
	r = ossapi_parse_complete(&a, 1, &co, &e);
	ossapi_oerr(OSSAPI_COMPLETE, r, &e, &d);
	ok(r == OSSAPI_CALLBACK_FAILED && d.err == OERR_OSS_CALLBACK_FAILED &&
	    strstr(d.msg, "CallbackFailed") != NULL,
	    "203 CallbackFailed: the object is stored, callback_failed");
	a = t_ans(400, ERR("InvalidPart", "0042-00000200", "One or more of "
	    "the specified parts could not be found."), NULL);
	r = ossapi_parse_complete(&a, 0, &co, &e);
	ossapi_oerr(OSSAPI_COMPLETE, r, &e, &d);
	ok(r == OSSAPI_REFUSED && d.err == OERR_OSS_INVALID_PART &&
	    oerr_status(d.err) == 400, "400 InvalidPart: invalid_part");
	a = t_ans(400, ERR("EntityTooSmall", "0042-00000220", "Your proposed "
	    "upload is smaller than the minimum allowed size."), NULL);
	r = ossapi_parse_complete(&a, 0, &co, &e);
	ok(ossapi_oerr(OSSAPI_COMPLETE, r, &e, &d) == OERR_OSS_INVALID_PART,
	    "400 EntityTooSmall: invalid_part");
	a = t_ans(409, ERR("FileAlreadyExists", "0006-00000107", "The object "
	    "you specified already exists and can not be overwritten."), NULL);
	r = ossapi_parse_complete(&a, 0, &co, &e);
	ok(ossapi_oerr(OSSAPI_COMPLETE, r, &e, &d) == OERR_OSS_EXISTS &&
	    oerr_status(d.err) == 409, "409 FileAlreadyExists: already_exists");
	a = t_ans(302, NULL, NULL);
	ok(ossapi_parse_complete(&a, 0, &co, &e) == OSSAPI_GARBAGE,
	    "a redirect: garbage");

	a = t_ans(204, NULL, NULL);
	ok(ossapi_parse_abort(&a, &e) == OSSAPI_OK, "Abort 204");
	a = t_ans(403, "<Error><Code>Access\"Denied\n</Code><Message>caf\xc3\xa9"
	    "</Message></Error>", "<script>");
	r = ossapi_parse_abort(&a, &e);
	ossapi_oerr(OSSAPI_ABORT, r, &e, &d);
	ok(r == OSSAPI_REFUSED && strstr(d.msg, "Access?Denied?") != NULL &&
	    strstr(d.msg, "?script?") != NULL && strstr(d.msg, "caf??") != NULL,
	    "odd bytes in OSS's fields and headers are masked in the message");
}

int
main(void)
{
	json_object *s, *cases, *c;
	char path[4096];
	const char *top = getenv("top_srcdir");
	size_t i;

	snprintf(path, sizeof(path), "%s/tests/data/oss-v4-request.json",
	    top != NULL ? top : ".");
	t_vectors = json_object_from_file(path);
	if (t_vectors == NULL || !json_object_object_get_ex(t_vectors,
	    "ali_oss", &s) || !json_object_object_get_ex(s, "cases", &cases)) {
		tap_plan(1);
		ok(0, "load %s", path);
		return tap_done();
	}
	/* The vectors' two credentials. */
	for (i = 0; i < json_object_array_length(cases); i++) {
		c = json_object_array_get_idx(cases, i);
		if (jstr(c, "security_token") != NULL && t_sts.access_key_id ==
		    NULL) {
			t_sts.access_key_id = (char *)jstr(c, "access_key_id");
			t_sts.access_key_secret = (char *)jstr(c,
			    "access_key_secret");
			t_sts.security_token = (char *)jstr(c,
			    "security_token");
			t_sts.expiration = T_NOW + 3600;
		}
		if (jstr(c, "security_token") == NULL && t_ltk.access_key_id ==
		    NULL) {
			t_ltk.access_key_id = (char *)jstr(c, "access_key_id");
			t_ltk.access_key_secret = (char *)jstr(c,
			    "access_key_secret");
		}
	}

	tap_plan(33 + 1 + 10 + 15 + 23);
	t_requests();
	t_shapes();
	t_alioss(10);
	t_refusals();
	t_answers();
	for (i = 0; i < t_live.n; i++)
		crypto_free_secret(t_live.line[i]);
	json_object_put(t_vectors);
	return tap_done();
}
