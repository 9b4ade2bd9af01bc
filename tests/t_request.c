/* request: the parameter allow-list, validators and caps. */
#include <string.h>

#include "request.h"
#include "tap.h"

static enum oerr
parse(const char *q, struct request_params *p)
{
	struct oerr_detail d;

	return request_parse_query(q, p, &d);
}

int
main(void)
{
	struct request_params p;
	struct request r;
	char big[LIMIT_QUERY_LEN + 16];

	tap_plan(30);
	is_int(parse(NULL, &p), OERR_OK, "no query");
	ok(!p.has_upload && !p.has_filename && !p.has_size && p.size == -1,
	    "nothing set");
	is_int(parse("upload=avatars&filename=a%20b.png&content_type=Image%2F"
	    "PNG&size=1234&_=17000", &p), OERR_OK, "all parameters");
	is_str(p.upload, "avatars", "upload");
	is_str(p.filename, "a b.png", "filename decoded");
	is_str(p.ctype, "image/png", "content type lowercased");
	is_int(p.size, 1234, "size");
	is_int(parse("filename=a+b", &p), OERR_OK, "plus");
	is_str(p.filename, "a b", "plus is a space");
	is_int(parse("unknown=%zz&x", &p), OERR_OK, "unknown ignored");
	is_int(parse("size=1&size=2", &p), OERR_BAD_REQUEST, "repeated");
	is_int(parse("size=1;size=2", &p), OERR_BAD_REQUEST,
	    "repeated with ;");
	is_int(parse("size=-1", &p), OERR_BAD_REQUEST, "negative size");
	is_int(parse("size=1e9", &p), OERR_BAD_REQUEST, "float size");
	is_int(parse("size=", &p), OERR_BAD_REQUEST, "empty size");
	is_int(parse("size=99999999999999999999999", &p), OERR_BAD_REQUEST,
	    "overflowing size");
	is_int(parse("size=999999999999", &p), OERR_OK, "huge size parses "
	    "(the upload's max_size refuses it)");
	is_int(parse("upload=a/b", &p), OERR_BAD_REQUEST, "bad upload name");
	is_int(parse("upload=", &p), OERR_BAD_REQUEST, "empty upload name");
	is_int(parse("content_type=text", &p), OERR_BAD_REQUEST,
	    "type without subtype");
	is_int(parse("content_type=text/html%0d%0aX-Injected:1", &p),
	    OERR_BAD_REQUEST, "header injection in type");
	is_int(parse("content_type=text/plain;charset=utf-8", &p),
	    OERR_BAD_REQUEST, "type parameters refused");
	is_int(parse("filename=", &p), OERR_INVALID_FILENAME, "empty filename");
	is_int(parse("filename=a%00b", &p), OERR_INVALID_FILENAME,
	    "NUL in filename");
	is_int(parse("filename=a%2", &p), OERR_INVALID_FILENAME,
	    "bad escape in filename");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "filename=", 9);
	is_int(parse(big, &p), OERR_REQUEST_TOO_LARGE, "query too long");

	memset(&r, 0, sizeof(r));
	is_int(request_content_length(&r), 0, "no content length");
	r.content_length = "12";
	is_int(request_content_length(&r), 12, "content length");
	r.content_length = "-3";
	is_int(request_content_length(&r), -1, "negative content length");
	ok(request_method("GET") == REQUEST_GET && request_method("get") ==
	    REQUEST_OTHER && request_method(NULL) == REQUEST_NONE &&
	    request_method("OPTIONS") == REQUEST_OPTIONS, "methods");
	return tap_done();
}
