/* reply: status lines, JSON errors, CORS headers, header injection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "reply.h"
#include "tap.h"

int
main(void)
{
	struct reply r;
	struct request req;
	struct oerr_detail d;
	struct conf *c;
	char head[2048], err[256];
	const char *text = "bucket = b12\nregion = cn-hangzhou\n"
	    "cors_origins = https://a.example\n";

	tap_plan(28);
	c = conf_parse(text, strlen(text), "t", err, sizeof(err));
	memset(&req, 0, sizeof(req));

	reply_init(&r);
	oerr_set(&d, OERR_TOO_LARGE, "the file is \"big\"\n");
	reply_error(&r, &d);
	is_int(r.status, 413, "413");
	is_str(r.body, "{\"error\":{\"code\":\"too_large\",\"message\":\"the "
	    "file is \\\"big\\\"\\n\"}}", "JSON error escaped");
	ok(reply_head(&r, head, sizeof(head)) > 0, "head renders");
	ok(strncmp(head, "Status: 413 Payload Too Large\r\n", 31) == 0,
	    "status line");
	ok(strstr(head, "Content-Type: application/json\r\n") != NULL,
	    "content type");
	ok(strstr(head, "Cache-Control: no-store\r\n") != NULL, "no-store");
	snprintf(err, sizeof(err), "Content-Length: %zu\r\n", strlen(r.body));
	ok(strstr(head, err) != NULL && r.bodylen == strlen(r.body),
	    "content length");
	ok(strstr(head, "Access-Control") == NULL, "no CORS without Origin");
	ok(strcmp(head + strlen(head) - 4, "\r\n\r\n") == 0, "blank line");
	reply_clear(&r);

	req.origin = "https://evil.example";
	ok(reply_cors(&r, c, &req, 0) == 0 && r.hdrlen == 0,
	    "other origin gets nothing");
	req.origin = "https://a.example";
	ok(reply_cors(&r, c, &req, 1) == 1, "allowed origin");
	ok(strstr(r.hdr, "Access-Control-Allow-Origin: https://a.example\r\n")
	    != NULL && strstr(r.hdr, "Vary: Origin\r\n") != NULL,
	    "allow origin and vary");
	ok(strstr(r.hdr, "Access-Control-Allow-Methods: GET, OPTIONS\r\n") !=
	    NULL, "preflight methods");
	reply_clear(&r);

	ok(reply_header(&r, "X-A", "1\r\nSet-Cookie: x") == -1 &&
	    r.hdrlen == 0, "CRLF in a header value refused");
	ok(reply_header(&r, "X-A", "1\x01" "2") == -1 &&
	    reply_header(&r, "X-A", "1\x7f") == -1 && r.hdrlen == 0,
	    "control bytes and DEL in a header value refused");
	conf_free(c);
	text = "bucket = b12\nregion = cn-hangzhou\ncors_origins = *\n";
	c = conf_parse(text, strlen(text), "t", err, sizeof(err));
	req.origin = "https://any.example:8443";
	ok(reply_cors(&r, c, &req, 1) == 1 && strstr(r.hdr,
	    "Access-Control-Allow-Origin: https://any.example:8443\r\n") !=
	    NULL, "cors_origins = *: an origin is echoed");
	reply_clear(&r);
	req.origin = "https://a\tb.example";
	ok(reply_cors(&r, c, &req, 1) == 0 && r.hdrlen == 0,
	    "cors_origins = *: a control byte in Origin gets nothing");
	req.origin = "https://\xe4\xb8\x8a.example";
	ok(reply_cors(&r, c, &req, 0) == 0 && r.hdrlen == 0,
	    "cors_origins = *: non-ASCII Origin gets nothing");
	req.origin = "https://a b.example";
	ok(reply_cors(&r, c, &req, 0) == 0 && r.hdrlen == 0,
	    "cors_origins = *: a space in Origin gets nothing");
	req.origin = NULL;
	oerr_set(&d, OERR_METHOD_NOT_ALLOWED, NULL);
	reply_error(&r, &d);
	ok(r.status == 405 && strstr(r.hdr, "Allow:") == NULL,
	    "405: Allow is the route table's (t_route), not reply_error's");
	reply_clear(&r);
	req.origin = "https://x.example";
	ok(reply_preflight(&r, c, &req, "GET, POST, OPTIONS", "Content-Type, "
	    "Authorization") == 1 && strstr(r.hdr,
	    "Access-Control-Allow-Methods: GET, POST, OPTIONS\r\n") != NULL &&
	    strstr(r.hdr, "Access-Control-Allow-Headers: Content-Type, "
	    "Authorization\r\n") != NULL, "a preflight with a route's methods "
	    "and headers");
	reply_clear(&r);
	ok(reply_preflight(&r, c, &req, "GET, OPTIONS", NULL) == 1 &&
	    strstr(r.hdr, "Access-Control-Allow-Headers") == NULL &&
	    strstr(r.hdr, "Access-Control-Max-Age: 600\r\n") != NULL,
	    "no Allow-Headers when the route names none");
	reply_clear(&r);
	req.origin = NULL;
	reply_empty(&r);
	reply_head(&r, head, sizeof(head));
	ok(strstr(head, "Status: 204 No Content\r\n") != NULL &&
	    strstr(head, "\nContent-Type:") == NULL, "204 without body type");
	ok(reply_head(&r, head, 10) == 0, "small buffer refused");
	reply_clear(&r);

	/* Another status and type (healthz's 503, /metrics' text). */
	reply_answer(&r, 200, "OK", "text/plain; version=0.0.4",
	    strdup("x 1\n"), 4);
	reply_head(&r, head, sizeof(head));
	ok(strstr(head, "Status: 200 OK\r\nContent-Type: text/plain; "
	    "version=0.0.4\r\nContent-Length: 4\r\n") != NULL,
	    "reply_answer: its Content-Type and length");
	reply_clear(&r);
	ok(r.ctype == NULL, "reply_clear forgets the type");
	{
		char *j;
		size_t jl = 0;

		oerr_set(&d, OERR_TOO_SMALL, NULL);
		j = reply_error_json(&d, &jl);
		is_str(j, "{\"error\":{\"code\":\"too_small\",\"message\":"
		    "\"the file is smaller than allowed\"}}",
		    "reply_error_json: the error body, default message");
		reply_error(&r, &d);
		ok(j != NULL && jl == r.bodylen && memcmp(j, r.body, jl) == 0,
		    "the same bytes as reply_error's body");
		free(j);
		reply_clear(&r);
	}
	conf_free(c);
	return tap_done();
}
