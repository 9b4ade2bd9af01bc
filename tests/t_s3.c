/*
 * The pure parts of Uppy Companion's S3 routes (issue 12): upload ids bound
 * by a MAC (s3id), the routes' inputs (s3req), the callback headers of a
 * Complete (s3callback), the highest part number (route_s3_max_part).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callback.h"
#include "conf.h"
#include "crypto.h"
#include "route_s3.h"
#include "s3callback.h"
#include "s3id.h"
#include "s3req.h"
#include "tap.h"

static const char SECRET[] = "0123456789abcdef0123456789abcdef";
static const char OSSID[] = "0004B9894A22E5B1888A1E29F8236E2A";

/* 12 tests */
static void
t_s3id(void)
{
	struct s3id_bind b = { "bucket-a", "big", "alice", "big/alice/v.mp4" };
	struct s3id_bind o;
	char id[S3ID_LEN + 1], id2[S3ID_LEN + 1], up[LIMIT_OSS_UPLOAD_ID + 1];
	char bad[S3ID_LEN + 8];

	ok(s3id_make(SECRET, 32, &b, OSSID, id) == 0 &&
	    strncmp(id, OSSID, strlen(OSSID)) == 0 &&
	    id[strlen(OSSID)] == '.' && strlen(id) == strlen(OSSID) + 33,
	    "id: UploadId '.' 32 hex (%s)", id);
	ok(s3id_make(SECRET, 32, &b, OSSID, id2) == 0 && strcmp(id, id2) == 0,
	    "id: the same binding, the same id (no state)");
	memset(up, 0, sizeof(up));
	ok(s3id_open(SECRET, 32, &b, id, up) == S3ID_OK &&
	    strcmp(up, OSSID) == 0, "open: OSS's UploadId back");
	o = b;
	o.key = "big/alice/w.mp4";
	is_int(s3id_open(SECRET, 32, &o, id, up), S3ID_FOREIGN,
	    "another key: foreign");
	o = b;
	o.user = "bob";
	is_int(s3id_open(SECRET, 32, &o, id, up), S3ID_FOREIGN,
	    "another user: foreign");
	o = b;
	o.user = NULL;
	is_int(s3id_open(SECRET, 32, &o, id, up), S3ID_FOREIGN,
	    "no user where one was: foreign");
	o = b;
	o.section = "other";
	is_int(s3id_open(SECRET, 32, &o, id, up), S3ID_FOREIGN,
	    "another section: foreign");
	is_int(s3id_open("another secret, 32 bytes long!!!", 32, &b, id, up),
	    S3ID_FOREIGN, "another secret: foreign");
	snprintf(bad, sizeof(bad), "%s", id);
	bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == '0' ? '1' : '0';
	is_int(s3id_open(SECRET, 32, &b, bad, up), S3ID_FOREIGN,
	    "one MAC digit changed: foreign");
	is_int(s3id_open(SECRET, 32, &b, OSSID, up), S3ID_MALFORMED,
	    "OSS's bare UploadId (Companion's form): malformed");
	snprintf(bad, sizeof(bad), "%s", id);
	bad[0] = '/';
	is_int(s3id_open(SECRET, 32, &b, bad, up), S3ID_MALFORMED,
	    "a '/' in it: malformed");
	ok(s3id_make(SECRET, 32, &b, "a/b", id) == -1,
	    "an UploadId OSS does not make is not bound");
}

/* 17 tests */
static void
t_s3req_query(void)
{
	struct s3req_query q;
	struct oerr_detail d;
	unsigned int all = S3REQ_M(S3REQ_FILENAME) | S3REQ_M(S3REQ_TYPE) |
	    S3REQ_M(S3REQ_KEY) | S3REQ_M(S3REQ_PART_NUMBERS);

	ok(s3req_query("filename=my+file%20x.mp4&type=video%2FMP4&"
	    "metadata%5Bname%5D=my+file.mp4&metadata[type]=video/mp4", all, &q,
	    &d) == OERR_OK && strcmp(q.params.filename, "my file x.mp4") == 0 &&
	    strcmp(q.params.ctype, "video/mp4") == 0,
	    "params: '+' and %%20 are spaces, type lowercased, metadata ignored");
	ok(s3req_query("filename=a&type=", all, &q, &d) == OERR_OK &&
	    !q.params.has_ctype, "an empty type (5.x) is none");
	ok(s3req_query("key=big%2Fa+b.bin", all, &q, &d) == OERR_OK &&
	    q.has_key && strcmp(q.key, "big/a b.bin") == 0, "key decoded");
	ok(s3req_query("key=a&key=b", all, &q, &d) == OERR_BAD_REQUEST,
	    "a repeated key: 400");
	ok(s3req_query("key=%2Fa", all, &q, &d) == OERR_BAD_REQUEST,
	    "a key with a leading '/': 400");
	ok(s3req_query("key=a%01b", all, &q, &d) == OERR_BAD_REQUEST,
	    "a key with a control byte: 400");
	ok(s3req_query("key=a%FF", all, &q, &d) == OERR_BAD_REQUEST,
	    "a key that is not UTF-8: 400");
	ok(s3req_query("key=a&partNumbers=3,1,10000", all, &q, &d) ==
	    OERR_OK && q.nparts == 3 && q.parts[0] == 3 && q.parts[2] == 10000,
	    "partNumbers in the order sent");
	ok(s3req_query("partNumbers=1,1", all, &q, &d) == OERR_BAD_REQUEST,
	    "partNumbers repeated: 400");
	ok(s3req_query("partNumbers=0", all, &q, &d) == OERR_BAD_REQUEST &&
	    s3req_query("partNumbers=10001", all, &q, &d) == OERR_BAD_REQUEST &&
	    s3req_query("partNumbers=1,,2", all, &q, &d) == OERR_BAD_REQUEST &&
	    s3req_query("partNumbers=01", all, &q, &d) == OERR_BAD_REQUEST,
	    "partNumbers out of range or malformed: 400");
	ok(s3req_query("key=a&partNumbers=1", S3REQ_M(S3REQ_KEY), &q, &d) ==
	    OERR_OK && !q.has_parts, "a parameter the route does not take is "
	    "ignored");
	ok(s3req_query("filename=%00", all, &q, &d) == OERR_INVALID_FILENAME,
	    "a NUL in the file name: invalid_filename");
	ok(s3req_query("type=text", all, &q, &d) == OERR_BAD_REQUEST,
	    "a type without a subtype: 400");
	is_int(s3req_part_number("10000", 5), 10000, "part 10000");
	is_int(s3req_part_number("1x", 2), -1, "part 1x: none");
	is_int(s3req_part_number("0", 1), -1, "part 0: none");
	is_int(s3req_part_number("10001", 5), -1, "part 10001: none");
}

/* 12 tests */
static void
t_s3req_bodies(void)
{
	struct request_params p;
	struct ossxml_part *parts;
	struct oerr_detail d;
	char etag[LIMIT_OSS_ETAG + 1];
	size_t n;
	const char *b;

	b = "{\"filename\":\"v.mp4\",\"type\":\"video/mp4\",\"metadata\":"
	    "{\"name\":\"v.mp4\",\"relativePath\":null}}";
	ok(s3req_create(b, strlen(b), &p, &d) == OERR_OK &&
	    strcmp(p.filename, "v.mp4") == 0 && strcmp(p.ctype, "video/mp4") ==
	    0, "create: filename, type; metadata read and dropped");
	b = "{\"filename\":\"v.mp4\",\"type\":null}";
	ok(s3req_create(b, strlen(b), &p, &d) == OERR_OK && !p.has_ctype,
	    "create: a null type is none");
	b = "{\"type\":\"video/mp4\"}";
	is_int(s3req_create(b, strlen(b), &p, &d), OERR_BAD_REQUEST,
	    "create: no filename: 400");
	b = "{\"filename\":\"a\",\"filename\":\"b\"}";
	is_int(s3req_create(b, strlen(b), &p, &d), OERR_BAD_REQUEST,
	    "create: a repeated member: 400");
	b = "{\"filename\":\"a\",\"metadata\":[1]}";
	is_int(s3req_create(b, strlen(b), &p, &d), OERR_BAD_REQUEST,
	    "create: metadata not an object: 400");
	b = "{\"parts\":[{\"PartNumber\":2,\"ETag\":\"BB\"},"
	    "{\"PartNumber\":1,\"ETag\":\"\\\"AA\\\"\",\"x\":1}]}";
	ok(s3req_complete(b, strlen(b), &parts, &n, &d) == OERR_OK && n == 2 &&
	    parts[0].number == 1 && strcmp(parts[0].etag, "AA") == 0 &&
	    parts[1].number == 2 && strcmp(parts[1].etag, "BB") == 0,
	    "complete: sorted, quotes (5.x) taken off");
	free(parts);
	b = "{\"parts\":[{\"PartNumber\":1,\"ETag\":\"A\"},"
	    "{\"PartNumber\":1,\"ETag\":\"B\"}]}";
	is_int(s3req_complete(b, strlen(b), &parts, &n, &d), OERR_BAD_REQUEST,
	    "complete: a part twice: 400");
	b = "{\"parts\":[{\"PartNumber\":\"1\",\"ETag\":\"A\"}]}";
	is_int(s3req_complete(b, strlen(b), &parts, &n, &d), OERR_BAD_REQUEST,
	    "complete: a part number as a string: 400 (Companion's rule)");
	b = "{\"parts\":[]}";
	is_int(s3req_complete(b, strlen(b), &parts, &n, &d), OERR_BAD_REQUEST,
	    "complete: no parts: 400");
	b = "{\"parts\":[{\"PartNumber\":10001,\"ETag\":\"A\"}]}";
	is_int(s3req_complete(b, strlen(b), &parts, &n, &d), OERR_BAD_REQUEST,
	    "complete: part 10001: 400");
	ok(s3req_etag("\"\"", etag) == -1 && s3req_etag("a b", etag) == -1,
	    "etag: nothing, or a space: none");
	ok(s3req_etag("\"5B3C-2\"", etag) == 0 && strcmp(etag, "5B3C-2") == 0,
	    "etag: quotes off");
}

/* 4 tests */
static void
t_s3callback(void)
{
	struct callback_settings s = { "https://app.example/ossign/callback",
	    NULL, -1, CALLBACK_JSON, NULL, 0, NULL };
	struct callback_values v = { "bucket-a", "alice", "big",
	    "big/alice/v.mp4", 0, 1795586981 };
	struct callback_form *f;
	unsigned char json[1024];
	char err[256], *cb = NULL, *var = NULL, *want;
	long n;

	f = callback_form_new(&s, &v, SECRET, 32, err, sizeof(err));
	ok(f != NULL && s3callback_headers(f, &cb, &var) == 0,
	    "callback headers built (%s)", f == NULL ? err : "");
	want = callback_param(&s);
	ok(cb != NULL && want != NULL && strcmp(cb, want) == 0,
	    "x-oss-callback: the callback field's value");
	n = var != NULL ? crypto_unb64(var, strlen(var), json,
	    sizeof(json) - 1) : -1;
	if (n >= 0)
		json[n] = '\0';
	ok(n > 0 && strstr((char *)json, "\"x:ossign_user\":\"alice\"") !=
	    NULL && strstr((char *)json, "\"x:ossign_key\":\"big/alice/v.mp4\"")
	    != NULL && strstr((char *)json, "\"x:ossign_ticket\":\"v1.") != NULL,
	    "x-oss-callback-var: base64 of the x: variables (%s)",
	    n > 0 ? (char *)json : "");
	{
		char *c2 = (char *)"x", *v2 = (char *)"x";

		ok(s3callback_headers(NULL, &c2, &v2) == -1 && c2 == NULL &&
		    v2 == NULL, "no form: -1, nothing set");
	}
	free(want);
	free(cb);
	free(var);
	callback_form_free(f);
}

/* 4 tests */
static void
t_max_part(void)
{
	struct conf_upload up;

	memset(&up, 0, sizeof(up));
	up.max_size = 64LL * 1024 * 1024;
	is_int(route_s3_max_part(&up), 13, "64 MiB: 13 parts of 5 MiB (the last "
	    "smaller)");
	up.max_size = 5LL * 1024 * 1024;
	is_int(route_s3_max_part(&up), 1, "5 MiB: one part");
	up.max_size = 0;
	is_int(route_s3_max_part(&up), 1, "0: still part 1");
	up.max_size = LIMIT_MULTIPART_OBJECT;
	is_int(route_s3_max_part(&up), 10000, "48.8 TiB: 10,000 parts");
}

int
main(void)
{
	tap_plan(12 + 17 + 12 + 4 + 4);
	t_s3id();
	t_s3req_query();
	t_s3req_bodies();
	t_s3callback();
	t_max_part();
	return tap_done();
}
