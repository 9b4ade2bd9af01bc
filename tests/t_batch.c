/* Batch signing bodies: the whole-body errors, per-file errors, limits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "tap.h"

static struct batch *b;
static struct oerr_detail d;

static enum oerr
parse(const char *body, size_t max)
{
	batch_free(b);
	b = NULL;
	memset(&d, 0, sizeof(d));
	return batch_parse(body, strlen(body), max, &b, &d);
}

/* {"files":[ {"filename":"f0"}, ... n of them ]} with pad bytes of name. */
static char *
many(size_t n, size_t pad)
{
	size_t cap = n * (pad + 32) + 64, i;
	char *s = malloc(cap), *p = s;

	p += sprintf(p, "{\"files\":[");
	for (i = 0; i < n; i++) {
		p += sprintf(p, "%s{\"filename\":\"f%zu", i ? "," : "", i);
		memset(p, 'x', pad);
		p += pad;
		p += sprintf(p, "\"}");
	}
	sprintf(p, "]}");
	return s;
}

int
main(void)
{
	char *s;

	tap_plan(47);

	is_int(parse("{\"upload\":\"avatars\",\"files\":["
	    "{\"filename\":\"a.png\",\"size\":123,\"content_type\":\"Image/PNG\"},"
	    "{\"filename\":\"b.txt\"},"
	    "{\"size\":5,\"extra\":[1,{\"x\":2}]}]}", 100), OERR_OK,
	    "a valid batch");
	is_int((long long)b->n, 3, "three files");
	ok(b->files[0].err == OERR_OK && b->files[1].err == OERR_OK &&
	    b->files[2].err == OERR_OK, "every file valid");
	ok(b->files[0].p.has_upload && strcmp(b->files[0].p.upload,
	    "avatars") == 0 && b->files[2].p.has_upload, "upload in each file");
	is_str(b->files[0].p.filename, "a.png", "filename");
	is_str(b->files[0].p.ctype, "image/png",
	    "content_type lowercased as the GET validator does");
	is_int(b->files[0].p.size, 123, "size");
	ok(b->files[1].p.has_filename && !b->files[1].p.has_size &&
	    b->files[1].p.size == -1 && !b->files[1].p.has_ctype,
	    "absent members stay absent");
	ok(!b->files[2].p.has_filename && b->files[2].p.size == 5,
	    "unknown members ignored");

	is_int(parse("{\"files\":[{\"filename\":\"a\"}]}", 100), OERR_OK,
	    "no upload: the default section");
	ok(!b->files[0].p.has_upload, "has_upload 0");

	/* Per-file errors, the other files still signed. */
	is_int(parse("{\"files\":["
	    "{\"filename\":7},"
	    "{\"filename\":\"\"},"
	    "{\"content_type\":\"text\"},"
	    "{\"content_type\":\"text/html\\r\\nX: y\"},"
	    "{\"size\":-1},"
	    "{\"size\":1.5},"
	    "{\"size\":\"12\"},"
	    "{\"size\":99999999999999999999},"
	    "\"a.png\","
	    "{\"filename\":\"ok.png\"},"
	    "{\"filename\":null},"
	    "{\"size\":1000000000000000001}"
	    "]}", 100), OERR_OK, "a batch with bad files parses");
	is_int(b->files[0].err, OERR_INVALID_FILENAME, "filename a number");
	is_str(b->files[0].d.msg, "filename must be a string",
	    "its message");
	is_int(b->files[1].err, OERR_INVALID_FILENAME, "filename empty");
	is_int(b->files[2].err, OERR_BAD_REQUEST, "content_type no subtype");
	is_str(b->files[2].d.msg, "the parameter content_type must be a "
	    "type/subtype", "the GET validator's message");
	is_int(b->files[3].err, OERR_BAD_REQUEST, "content_type with CRLF");
	is_int(b->files[4].err, OERR_BAD_REQUEST, "size negative");
	is_int(b->files[5].err, OERR_BAD_REQUEST, "size a fraction");
	is_str(b->files[5].d.msg, "size must be an integer", "its message");
	is_int(b->files[6].err, OERR_BAD_REQUEST, "size a string");
	is_int(b->files[7].err, OERR_BAD_REQUEST, "size past 2^64");
	is_int(b->files[8].err, OERR_BAD_REQUEST, "a file not an object");
	is_int(b->files[9].err, OERR_OK, "the good file among them");
	is_str(b->files[9].p.filename, "ok.png", "its name");
	is_int(b->files[10].err, OERR_INVALID_FILENAME, "filename null");
	is_int(b->files[11].err, OERR_BAD_REQUEST, "size over 10^18");

	/* The whole request refused. */
	is_int(parse("", 100), OERR_BAD_REQUEST, "empty body");
	is_int(parse("{\"files\":[{\"filename\":\"a\"}]", 100),
	    OERR_BAD_REQUEST, "truncated JSON");
	ok(strncmp(d.msg, "the body is not JSON", 20) == 0, "says: %s", d.msg);
	is_int(parse("[{\"filename\":\"a\"}]", 100), OERR_BAD_REQUEST,
	    "an array, not an object");
	is_int(parse("{\"files\":[{\"filename\":\"a\",\"filename\":\"b\"}]}",
	    100), OERR_BAD_REQUEST, "a member twice in a file");
	is_int(parse("{\"upload\":\"a\",\"upload\":\"b\",\"files\":[{}]}",
	    100), OERR_BAD_REQUEST, "upload twice");
	is_int(parse("{\"upload\":\"a\"}", 100), OERR_BAD_REQUEST,
	    "no files");
	is_int(parse("{\"files\":[]}", 100), OERR_BAD_REQUEST, "files empty");
	is_int(parse("{\"files\":{\"filename\":\"a\"}}", 100),
	    OERR_BAD_REQUEST, "files an object");
	is_int(parse("{\"upload\":\"../x\",\"files\":[{}]}", 100),
	    OERR_BAD_REQUEST, "upload with bad characters");
	is_str(d.msg, "the parameter upload must be 1 to 32 of A-Z a-z 0-9 "
	    "- _", "the GET validator's message");
	is_int(parse("{\"upload\":3,\"files\":[{}]}", 100), OERR_BAD_REQUEST,
	    "upload a number");
	ok(b == NULL, "nothing returned on an error");

	/* Limits. */
	s = many(3, 0);
	is_int(parse(s, 2), OERR_REQUEST_TOO_LARGE, "more files than max");
	is_int(parse(s, 3), OERR_OK, "exactly max files");
	free(s);
	s = many(100, 600);	/* ~62 KiB */
	ok(strlen(s) <= LIMIT_BATCH_BODY && parse(s, 100) == OERR_OK &&
	    b->n == 100, "100 files in just under 64 KiB");
	free(s);
	s = many(100, 700);
	ok(strlen(s) > LIMIT_BATCH_BODY && parse(s, 100) ==
	    OERR_REQUEST_TOO_LARGE, "a body over 64 KiB");
	free(s);

	ok(batch_is_json("application/json") &&
	    batch_is_json("Application/JSON; charset=utf-8") &&
	    batch_is_json("application/json;charset=UTF-8"),
	    "JSON content types");
	ok(!batch_is_json("application/jsonx") && !batch_is_json("text/json") &&
	    !batch_is_json("application/x-www-form-urlencoded") &&
	    !batch_is_json(NULL) && !batch_is_json(""),
	    "other content types");
	batch_free(b);
	batch_free(NULL);
	return tap_done();
}
