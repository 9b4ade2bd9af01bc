/* request: the parameter allow-list, validators and caps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"
#include "tap.h"

static enum oerr
parse(const char *q, struct request_params *p)
{
	struct oerr_detail d;

	return request_parse_query(q, p, &d);
}

/* A CGI environment for request_read: "NAME=value" strings, NULL-ended. */
static const char *
getvar(const char *name, void *arg)
{
	const char *const *e;
	size_t n = strlen(name);

	for (e = arg; *e != NULL; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

/* A body source over a string. */
struct src {
	const char	*p;
	size_t		 left;
};

static size_t
rd(void *arg, char *buf, size_t n)
{
	struct src *s = arg;
	size_t k = 0;

	/* Short reads only at the end, as request_body_fn says. */
	while (k < n && s->left > 0) {
		buf[k++] = *s->p++;
		s->left--;
	}
	return k;
}

/* request_read_body over text with max and limit; 1 when it checks out. */
static int
body(const char *text, size_t max, long long limit, const char *want,
    int over, int ended)
{
	struct request r;
	struct src s = { text, strlen(text) };
	char *buf;
	int e, good;

	memset(&r, 0, sizeof(r));
	e = request_read_body(&r, max, limit, rd, &s, &buf);
	good = e == ended && r.body_over == over && (want == NULL ?
	    r.body == NULL && r.bodylen == 0 : r.bodylen == strlen(want) &&
	    memcmp(r.body, want, r.bodylen) == 0);
	free(buf);
	return good;
}

int
main(void)
{
	struct request_params p;
	struct request r;
	char big[LIMIT_QUERY_LEN + 16];

	tap_plan(41);
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

	/* request_read: the same variables from CGI and FastCGI. */
	{
		static char longv[LIMIT_REQ_AUTHZ + 2];
		static char bigauth[LIMIT_REQ_AUTHZ + 32];
		const char *env1[] = { "REQUEST_METHOD=POST",
		    "QUERY_STRING=a=1", "REQUEST_URI=/ossign/s3/params?a=1",
		    "SCRIPT_NAME=/ossign", "PATH_INFO=/ignored",
		    "CONTENT_TYPE=application/json", "CONTENT_LENGTH=2",
		    "HTTP_COOKIE=s=1", "HTTP_X_OSS_PUB_KEY_URL=aHR0cA==",
		    "REMOTE_ADDR=2001:db8::1", "REMOTE_USER=alice",
		    "HTTP_ORIGIN=https://a.example", NULL };
		const char *env2[] = { "REQUEST_METHOD=DELETE",
		    "SCRIPT_NAME=/cgi-bin/ossign", "PATH_INFO=/s3/multipart/X",
		    NULL };
		const char *env3[] = { "REQUEST_METHOD=GET", bigauth, NULL };

		request_read(&r, getvar, (void *)env1);
		ok(r.method == REQUEST_POST && strcmp(r.query, "a=1") == 0 &&
		    strcmp(r.remote_user, "alice") == 0 &&
		    strcmp(r.origin, "https://a.example") == 0 &&
		    strcmp(r.content_length, "2") == 0, "read: the variables "
		    "of today");
		ok(strcmp(r.path, "/ossign/s3/params") == 0 &&
		    r.path_src == REQUEST_PATH_URI, "read: the path is "
		    "REQUEST_URI without its query");
		ok(strcmp(r.content_type, "application/json") == 0 &&
		    strcmp(r.cookie, "s=1") == 0 && strcmp(r.oss_pub_key_url,
		    "aHR0cA==") == 0 && strcmp(r.remote_addr, "2001:db8::1")
		    == 0 && r.authorization == NULL && r.toolong == 0 &&
		    r.body == NULL, "read: content type, cookie, pub key URL, "
		    "address");
		request_read(&r, getvar, (void *)env2);
		ok(r.method == REQUEST_DELETE && strcmp(r.path,
		    "/cgi-bin/ossign/s3/multipart/X") == 0 &&
		    r.path_src == REQUEST_PATH_SCRIPT,
		    "read: no REQUEST_URI: SCRIPT_NAME + PATH_INFO");
		memset(longv, 'a', sizeof(longv) - 1);
		snprintf(bigauth, sizeof(bigauth), "HTTP_AUTHORIZATION=Bearer "
		    "%s", longv);
		request_read(&r, getvar, (void *)env3);
		ok(r.authorization == NULL && r.toolong ==
		    (1u << REQUEST_VAR_AUTHORIZATION) && r.path[0] == '\0' &&
		    r.path_src == REQUEST_PATH_NONE,
		    "read: Authorization over its cap is left out and flagged");
		longv[LIMIT_REQ_PATH + 1] = '\0';
		longv[0] = '/';
		snprintf(bigauth, sizeof(bigauth), "REQUEST_URI=%s", longv);
		request_read(&r, getvar, (void *)env3);
		ok(r.path[0] == '\0' && r.toolong ==
		    (1u << REQUEST_VAR_PATH), "read: a path over "
		    "LIMIT_REQ_PATH is left out and flagged");
		ok(body("hello", 10, 100, "hello", 0, 1), "body: all of it, "
		    "under the route's limit");
		ok(body("0123456789abc", 10, 100, "0123456789", 1, 1),
		    "body: over the route's limit: the first bytes, flagged");
		ok(body("0123456789abcdefghij", 4, 12, "0123", 1, 0),
		    "body: at the read limit: not at the end");
		ok(body("", 10, 100, "", 0, 1) && body("abc", 0, 100, NULL, 1, 1),
		    "body: none; or the route takes none");
		ok(request_method("POST") == REQUEST_POST &&
		    request_method("DELETE") == REQUEST_DELETE &&
		    request_method("PUT") == REQUEST_PUT &&
		    request_method("PATCH") == REQUEST_OTHER,
		    "methods of the next routes");
	}
	return tap_done();
}
