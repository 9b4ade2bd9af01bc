/*
 * Fuzz target: a request as the web server hands it over, through
 * request_read() (the bounded CGI variables), route_pick() with today's
 * table and with a table of the next issues' shape (tail patterns with
 * captured segments), and request_read_body().  The input is
 * "NAME=value" lines (the CGI variables), then an empty line, then the
 * body.  Checks the promises of request.h and route.h: every variable is
 * within its cap or NULL and flagged, the path within LIMIT_REQ_PATH, a
 * pick's captures and section are non-overlapping slices of the path
 * without '/', Allow always names OPTIONS, the body within the route's
 * limit and never past what was sent; and the client a rate limit counts
 * (netaddr_client, X-Forwarded-For behind trusted proxies).
 */
#include <string.h>

#include "batch.h"
#include "fuzz.h"
#include "limit.h"
#include "netaddr.h"
#include "request.h"
#include "route.h"
#include "route_callback.h"
#include "routes.h"

#define FUZZ_NVARS	32

struct fuzz_env {
	char	*name[FUZZ_NVARS];
	char	*value[FUZZ_NVARS];
	size_t	 n;
};

static const char *
fuzz_getvar(const char *name, void *arg)
{
	struct fuzz_env *e = arg;
	size_t i;

	for (i = 0; i < e->n; i++)
		if (strcmp(e->name[i], name) == 0)
			return e->value[i];
	return NULL;
}

struct fuzz_src {
	const uint8_t	*p;
	size_t		 left;
};

static size_t
fuzz_rd(void *arg, char *buf, size_t n)
{
	struct fuzz_src *s = arg;

	if (n > s->left)
		n = s->left;
	memcpy(buf, s->p, n);
	s->p += n;
	s->left -= n;
	return n;
}

static void
fuzz_h(struct responder *r, const struct request *req,
    const struct route_pick *p, struct reply *rep, struct oerr_detail *d)
{
}

static const struct route fuzz_next[] = {
	{ "healthz", ROUTE_TAIL, "healthz", ROUTE_M(REQUEST_GET), NULL, 0,
	    NULL, fuzz_h },
	{ "s3-complete", ROUTE_TAIL, "s3/multipart/*/complete",
	    ROUTE_M(REQUEST_POST), NULL, 65536, "content-type", fuzz_h },
	{ "s3-part", ROUTE_TAIL, "s3/multipart/*/*", ROUTE_M(REQUEST_GET),
	    NULL, 0, "content-type", fuzz_h },
	{ "s3-upload", ROUTE_TAIL, "s3/multipart/*",
	    ROUTE_M(REQUEST_GET) | ROUTE_M(REQUEST_DELETE), NULL, 0, NULL,
	    fuzz_h },
	{ "sign", ROUTE_ANY, NULL, ROUTE_M(REQUEST_GET), NULL, 0,
	    "Content-Type", fuzz_h },
};

/* s is a slice of path, holds no '/', and (nonempty) is not empty. */
static void
fuzz_seg(const struct request *req, const struct route_seg *s, int nonempty)
{
	const char *end = req->path + strlen(req->path);

	if (s->len == 0 && !nonempty)
		return;
	FUZZ_CHECK(s->p >= req->path && s->p + s->len <= end);
	FUZZ_CHECK(memchr(s->p, '/', s->len) == NULL);
	FUZZ_CHECK(!nonempty || s->len > 0);
}

static void
fuzz_picks(const struct request *req)
{
	struct route_pick p;
	size_t i;

	route_pick(routes, routes_len, req, &p);
	if (req->method == REQUEST_NONE) {
		FUZZ_CHECK(p.group == NULL && p.row == NULL);
		return;
	}
	/*
	 * Every path has a group: one of Uppy Companion's s3 routes (issue
	 * 12) for a path ending in one; healthz and metrics by the last
	 * segment (GET); else the signing group, its first row the OSS
	 * callback (issue 10: POST with x-oss-pub-key-url), then batch
	 * signing (issue 11: POST with JSON), then sign (GET).
	 */
	FUZZ_CHECK(p.group != NULL);
	if (strncmp(p.group->name, "s3-", 3) == 0) {
		FUZZ_CHECK(strstr(req->path, "s3/") != NULL);
		FUZZ_CHECK(route_body_max(&p) <= LIMIT_S3_COMPLETE_BODY);
		FUZZ_CHECK(strstr(p.allow, "OPTIONS") != NULL);
	} else if (strcmp(p.group->name, "healthz") == 0 ||
	    strcmp(p.group->name, "metrics") == 0) {
		FUZZ_CHECK(p.group->match == ROUTE_TAIL);
		FUZZ_CHECK((req->method == REQUEST_GET) == (p.row != NULL));
		FUZZ_CHECK(strcmp(p.allow, "GET, OPTIONS") == 0);
		FUZZ_CHECK(route_body_max(&p) == 0);
	} else {
		FUZZ_CHECK(strcmp(p.group->name, "callback") == 0);
		FUZZ_CHECK(strcmp(p.allow, "GET, POST, OPTIONS") == 0);
		if (req->method == REQUEST_GET)
			FUZZ_CHECK(p.row != NULL &&
			    strcmp(p.row->name, "sign") == 0 &&
			    route_body_max(&p) == 0);
		else if (req->method == REQUEST_POST &&
		    route_callback_when(req))
			FUZZ_CHECK(p.row != NULL &&
			    strcmp(p.row->name, "callback") == 0 &&
			    route_body_max(&p) == LIMIT_CB_BODY);
		else if (req->method == REQUEST_POST &&
		    batch_is_json(req->content_type))
			FUZZ_CHECK(p.row != NULL &&
			    strcmp(p.row->name, "batch") == 0 &&
			    route_body_max(&p) == LIMIT_BATCH_BODY);
		else
			FUZZ_CHECK(p.row == NULL && route_body_max(&p) == 0);
	}

	route_pick(fuzz_next, sizeof(fuzz_next) / sizeof(fuzz_next[0]),
	    req, &p);
	FUZZ_CHECK(p.group != NULL);
	FUZZ_CHECK(strstr(p.allow, "OPTIONS") != NULL);
	FUZZ_CHECK(p.nargs <= LIMIT_ROUTE_ARGS);
	if (p.group->match == ROUTE_ANY)
		FUZZ_CHECK(p.nargs == 0);
	for (i = 0; i < p.nargs; i++) {
		fuzz_seg(req, &p.args[i], 1);
		if (i > 0)
			FUZZ_CHECK(p.args[i].p > p.args[i - 1].p +
			    p.args[i - 1].len);
	}
	fuzz_seg(req, &p.before, 0);
	if (p.before.len > 0 && p.nargs > 0)
		FUZZ_CHECK(p.before.p + p.before.len < p.args[0].p);
	if (p.row != NULL)
		FUZZ_CHECK(p.row->methods & ROUTE_M(req->method));
}

/*
 * The client a rate limit counts (issue 11): REMOTE_ADDR, or an entry of
 * X-Forwarded-For behind trusted proxies (netaddr.h); its key is "a:" and
 * an address that parses again, IPv6 cut to its /64.
 */
static void
fuzz_client(const struct request *req)
{
	static const char *const ranges[] = { "10.0.0.0/8", "127.0.0.1",
	    "fd00::/8", "::ffff:192.0.2.0/120" };
	struct netaddr_cidr trusted[4];
	struct netaddr a, again;
	char key[NETADDR_KEY_LEN], why[128];
	size_t i, n;

	for (i = 0; i < 4; i++)
		FUZZ_CHECK(netaddr_cidr_parse(ranges[i], &trusted[i], why,
		    sizeof(why)) == 0);
	/* With none trusted, or REMOTE_ADDR unparsed, X-Forwarded-For is moot. */
	for (n = 0; n <= 4; n += 4) {
		if (netaddr_client(req->remote_addr, req->x_forwarded_for,
		    trusted, n, &a) == -1) {
			FUZZ_CHECK(req->remote_addr == NULL ||
			    netaddr_parse(req->remote_addr,
			    strlen(req->remote_addr), &again) == -1);
			continue;
		}
		netaddr_key(&a, key);
		FUZZ_CHECK(strncmp(key, "a:", 2) == 0 &&
		    strlen(key) < NETADDR_KEY_LEN);
		if (!a.v6)
			FUZZ_CHECK(netaddr_parse(key + 2, strlen(key + 2),
			    &again) == 0 && !again.v6 &&
			    memcmp(again.a, a.a, 4) == 0);
		else
			FUZZ_CHECK(strlen(key) > 5 &&
			    strcmp(key + strlen(key) - 3, "/64") == 0);
		if (n == 0)
			FUZZ_CHECK(netaddr_parse(req->remote_addr,
			    strlen(req->remote_addr), &again) == 0 &&
			    memcmp(&again, &a, sizeof(a)) == 0);
	}
}

int
fuzz_request(const uint8_t *data, size_t size)
{
	static const size_t caps[REQUEST_VAR__MAX] = {
		[REQUEST_VAR_CONTENT_TYPE] = LIMIT_REQ_CTYPE,
		[REQUEST_VAR_AUTHORIZATION] = LIMIT_REQ_AUTHZ,
		[REQUEST_VAR_COOKIE] = LIMIT_REQ_COOKIE,
		[REQUEST_VAR_OSS_PUB_KEY_URL] = LIMIT_REQ_PUB_KEY_URL,
		[REQUEST_VAR_REMOTE_ADDR] = LIMIT_REQ_ADDR,
		[REQUEST_VAR_REQUEST_URI] = LIMIT_CB_REQUEST_URI,
		[REQUEST_VAR_X_FORWARDED_FOR] = LIMIT_REQ_XFF,
	};
	struct fuzz_env env;
	struct fuzz_src src;
	struct request req;
	const char *vals[REQUEST_VAR__MAX];
	char *text, *line, *next, *eq, *buf;
	size_t i, hlen, max;
	const uint8_t *body;

	/* The variables end at the first empty line; the body follows. */
	body = data;
	for (hlen = 0; hlen < size; hlen++)
		if (data[hlen] == '\n' && (hlen == 0 || data[hlen - 1] == '\n'))
			break;
	text = fuzz_cstr(data, hlen);
	memset(&env, 0, sizeof(env));
	for (line = text; line != NULL && env.n < FUZZ_NVARS; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if ((eq = strchr(line, '=')) == NULL)
			continue;
		*eq = '\0';
		env.name[env.n] = line;
		env.value[env.n++] = eq + 1;
	}
	request_read(&req, fuzz_getvar, &env);

	FUZZ_CHECK(strlen(req.path) <= LIMIT_REQ_PATH);
	FUZZ_CHECK(req.method <= REQUEST_NONE);
	FUZZ_CHECK(req.body == NULL && req.bodylen == 0 && !req.body_over);
	FUZZ_CHECK((req.path_src == REQUEST_PATH_NONE) <=
	    (req.path[0] == '\0'));
	FUZZ_CHECK(req.toolong < (1u << REQUEST_VAR__MAX));
	vals[REQUEST_VAR_PATH] = NULL;
	vals[REQUEST_VAR_CONTENT_TYPE] = req.content_type;
	vals[REQUEST_VAR_AUTHORIZATION] = req.authorization;
	vals[REQUEST_VAR_COOKIE] = req.cookie;
	vals[REQUEST_VAR_OSS_PUB_KEY_URL] = req.oss_pub_key_url;
	vals[REQUEST_VAR_REMOTE_ADDR] = req.remote_addr;
	vals[REQUEST_VAR_REQUEST_URI] = req.request_uri;
	vals[REQUEST_VAR_X_FORWARDED_FOR] = req.x_forwarded_for;
	for (i = 1; i < REQUEST_VAR__MAX; i++) {
		if (req.toolong & (1u << i))
			FUZZ_CHECK(vals[i] == NULL);
		if (vals[i] != NULL)
			FUZZ_CHECK(strlen(vals[i]) <= caps[i]);
	}
	if (req.toolong & (1u << REQUEST_VAR_PATH))
		FUZZ_CHECK(req.path[0] == '\0');
	fuzz_picks(&req);
	fuzz_client(&req);

	/* The body: what follows the empty line, at a limit from the input. */
	if (hlen < size) {
		body = data + hlen + 1;
		src.p = body;
		src.left = size - hlen - 1;
		max = size > 0 ? data[size - 1] % 64 : 0;
		i = request_read_body(&req, max, (long long)(size % 97), fuzz_rd,
		    &src, &buf);
		FUZZ_CHECK(req.bodylen <= max);
		FUZZ_CHECK(req.bodylen <= size - hlen - 1);
		FUZZ_CHECK(max == 0 ? req.body == NULL : req.body == buf);
		if (req.bodylen > 0)
			FUZZ_CHECK(memcmp(req.body, body, req.bodylen) == 0);
		free(buf);
	}
	free(text);
	return 0;
}

FUZZ_ENTRY(fuzz_request)
