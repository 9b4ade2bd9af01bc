/* Query-string parsing and validation; see request.h. */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"
#include "util.h"

typedef int (*request_valid_fn)(char *v, struct request_params *p);

static int
request_valid_upload(char *v, struct request_params *p)
{
	size_t len = strlen(v);

	if (len == 0 || len > LIMIT_UPLOAD_NAME)
		return -1;
	for (; *v != '\0'; v++)
		if (!isalnum((unsigned char)*v) && *v != '-' && *v != '_')
			return -1;
	return 0;
}

static int
request_valid_filename(char *v, struct request_params *p)
{
	/* Cleaning and its errors happen in keyname_clean(). */
	return *v == '\0' ? -1 : 0;
}

static int
request_valid_ctype(char *v, struct request_params *p)
{
	static const char tchar[] = "!#$&-^_.+";
	char *slash = strchr(v, '/');

	if (slash == NULL || slash == v || slash[1] == '\0' ||
	    strlen(v) > LIMIT_CTYPE_LEN)
		return -1;
	for (; *v != '\0'; v++) {
		if (v == slash)
			continue;
		if (!isalnum((unsigned char)*v) && strchr(tchar, *v) == NULL)
			return -1;
		*v = (char)tolower((unsigned char)*v);
	}
	return 0;
}

static int
request_valid_size(char *v, struct request_params *p)
{
	return util_strtonum(v, 0, LIMIT_SIZE_PARAM, &p->size, NULL);
}

/* Parameters parsed by their validator from a scratch buffer. */
#define SCRATCH	((size_t)-1)

static const struct {
	const char	*name;
	size_t		 off;		/* where the value goes, or SCRATCH */
	size_t		 cap;		/* bytes, NUL included */
	size_t		 has;		/* offset of the has_ flag */
	request_valid_fn valid;
	const char	*what;
} request_params_table[REQUEST_PARAM__MAX] = {
	[REQUEST_PARAM_UPLOAD] = { "upload", offsetof(struct request_params, upload),
	    LIMIT_UPLOAD_NAME + 1, offsetof(struct request_params, has_upload),
	    request_valid_upload, "1 to 32 of A-Z a-z 0-9 - _" },
	[REQUEST_PARAM_FILENAME] = { "filename",
	    offsetof(struct request_params, filename), LIMIT_FILENAME_IN + 1,
	    offsetof(struct request_params, has_filename),
	    request_valid_filename, "a file name" },
	[REQUEST_PARAM_CTYPE] = { "content_type",
	    offsetof(struct request_params, ctype), LIMIT_CTYPE_LEN + 1,
	    offsetof(struct request_params, has_ctype), request_valid_ctype,
	    "a type/subtype" },
	[REQUEST_PARAM_SIZE] = { "size", SCRATCH, LIMIT_PARAM_LEN + 1,
	    offsetof(struct request_params, has_size), request_valid_size,
	    "a byte count" },
};

/* Every value fits the scratch buffers. */
_Static_assert(LIMIT_FILENAME_IN <= LIMIT_PARAM_LEN &&
    LIMIT_UPLOAD_NAME <= LIMIT_PARAM_LEN && LIMIT_CTYPE_LEN <= LIMIT_PARAM_LEN,
    "a parameter's cap exceeds LIMIT_PARAM_LEN");

int
request_param_find(const char *name)
{
	int i;

	for (i = 0; i < REQUEST_PARAM__MAX; i++)
		if (strcmp(name, request_params_table[i].name) == 0)
			return i;
	return -1;
}

/* A bad filename is invalid_filename, anything else bad_request. */
static enum oerr
request_param_error(int i, const char *what, struct oerr_detail *d)
{
	return oerr_set(d, i == REQUEST_PARAM_FILENAME ?
	    OERR_INVALID_FILENAME : OERR_BAD_REQUEST, "the parameter %s %s",
	    request_params_table[i].name, what);
}

enum oerr
request_param_set(struct request_params *p, enum request_param i,
    const char *v, size_t len, struct oerr_detail *d)
{
	char val[LIMIT_PARAM_LEN + 1], what[96], *dst;

	if ((int)i < 0 || i >= REQUEST_PARAM__MAX)
		return oerr_set(d, OERR_INTERNAL, NULL);
	if (len >= request_params_table[i].cap)
		return request_param_error(i, "is too long", d);
	if (memchr(v, '\0', len) != NULL)
		return request_param_error(i, "is malformed", d);
	dst = request_params_table[i].off == SCRATCH ? val :
	    (char *)p + request_params_table[i].off;
	memcpy(dst, v, len);
	dst[len] = '\0';
	*(int *)((char *)p + request_params_table[i].has) = 1;
	if (request_params_table[i].valid(dst, p) == -1) {
		snprintf(what, sizeof(what), "must be %s",
		    request_params_table[i].what);
		return request_param_error(i, what, d);
	}
	return OERR_OK;
}

void
request_params_init(struct request_params *p)
{
	memset(p, 0, sizeof(*p));
	p->size = -1;
}

enum request_method
request_method(const char *s)
{
	static const char *const names[] = {
		[REQUEST_GET] = "GET", [REQUEST_HEAD] = "HEAD",
		[REQUEST_OPTIONS] = "OPTIONS", [REQUEST_POST] = "POST",
		[REQUEST_PUT] = "PUT", [REQUEST_DELETE] = "DELETE",
	};
	size_t i;

	if (s == NULL || *s == '\0')
		return REQUEST_NONE;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0)
			return (enum request_method)i;
	return REQUEST_OTHER;
}

/* The bounded variables: where each goes and its cap. */
static const struct {
	const char	*name;
	size_t		 off;
	size_t		 cap;
} request_vars[] = {
	[REQUEST_VAR_CONTENT_TYPE] = { "CONTENT_TYPE",
	    offsetof(struct request, content_type), LIMIT_REQ_CTYPE },
	[REQUEST_VAR_AUTHORIZATION] = { "HTTP_AUTHORIZATION",
	    offsetof(struct request, authorization), LIMIT_REQ_AUTHZ },
	[REQUEST_VAR_COOKIE] = { "HTTP_COOKIE",
	    offsetof(struct request, cookie), LIMIT_REQ_COOKIE },
	[REQUEST_VAR_OSS_PUB_KEY_URL] = { "HTTP_X_OSS_PUB_KEY_URL",
	    offsetof(struct request, oss_pub_key_url), LIMIT_REQ_PUB_KEY_URL },
	[REQUEST_VAR_REMOTE_ADDR] = { "REMOTE_ADDR",
	    offsetof(struct request, remote_addr), LIMIT_REQ_ADDR },
	[REQUEST_VAR_REQUEST_URI] = { "REQUEST_URI",
	    offsetof(struct request, request_uri), LIMIT_CB_REQUEST_URI },
	[REQUEST_VAR_X_FORWARDED_FOR] = { "HTTP_X_FORWARDED_FOR",
	    offsetof(struct request, x_forwarded_for), LIMIT_REQ_XFF },
};

/*
 * The path: REQUEST_URI without its query, or where the server gives no
 * REQUEST_URI, SCRIPT_NAME + PATH_INFO.  Over LIMIT_REQ_PATH: "", flagged.
 */
static void
request_read_path(struct request *r, request_getvar_fn get, void *arg)
{
	const char *uri, *script, *info;
	size_t len, ilen;

	if ((uri = get("REQUEST_URI", arg)) != NULL) {
		r->path_src = REQUEST_PATH_URI;
		if ((len = strcspn(uri, "?")) > LIMIT_REQ_PATH)
			goto toolong;
		memcpy(r->path, uri, len);
		r->path[len] = '\0';
		return;
	}
	script = get("SCRIPT_NAME", arg);
	info = get("PATH_INFO", arg);
	if (script == NULL && info == NULL)
		return;
	r->path_src = REQUEST_PATH_SCRIPT;
	len = script != NULL ? strlen(script) : 0;
	ilen = info != NULL ? strlen(info) : 0;
	if (len > LIMIT_REQ_PATH || ilen > LIMIT_REQ_PATH - len)
		goto toolong;
	if (len > 0)
		memcpy(r->path, script, len);
	if (ilen > 0)
		memcpy(r->path + len, info, ilen);
	r->path[len + ilen] = '\0';
	return;
toolong:
	r->path[0] = '\0';
	r->toolong |= 1u << REQUEST_VAR_PATH;
}

void
request_read(struct request *r, request_getvar_fn get, void *arg)
{
	const char *v;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->method = request_method(get("REQUEST_METHOD", arg));
	r->query = get("QUERY_STRING", arg);
	r->remote_user = get("REMOTE_USER", arg);
	r->origin = get("HTTP_ORIGIN", arg);
	r->content_length = get("CONTENT_LENGTH", arg);
	r->acr_method = get("HTTP_ACCESS_CONTROL_REQUEST_METHOD", arg);
	request_read_path(r, get, arg);
	for (i = 0; i < REQUEST_VAR__MAX; i++) {
		if (request_vars[i].name == NULL ||
		    (v = get(request_vars[i].name, arg)) == NULL)
			continue;
		if (strnlen(v, request_vars[i].cap + 1) > request_vars[i].cap)
			r->toolong |= 1u << i;
		else
			*(const char **)((char *)r + request_vars[i].off) = v;
	}
}

enum oerr
request_parse_query(const char *q, struct request_params *p,
    struct oerr_detail *d)
{
	char name[32], val[LIMIT_PARAM_LEN + 1];
	const char *pos, *end, *v;
	size_t qlen, vlen;
	enum oerr e;
	long n;
	int i, *has;

	request_params_init(p);
	if (q == NULL)
		return OERR_OK;
	if ((qlen = strlen(q)) > LIMIT_QUERY_LEN)
		return oerr_set(d, OERR_REQUEST_TOO_LARGE,
		    "the query string is longer than %d bytes",
		    LIMIT_QUERY_LEN);
	for (pos = q, end = q + qlen; util_query_next(&pos, end, name,
	    sizeof(name), &v, &vlen);) {
		if ((i = request_param_find(name)) < 0)
			continue;	/* not a name we know */
		has = (int *)((char *)p + request_params_table[i].has);
		if (*has)
			return oerr_set(d, OERR_BAD_REQUEST,
			    "the parameter %s is repeated", name);
		n = util_pct_decode(v, vlen, val, sizeof(val));
		if (n < 0) {
			/* Too long, a bad escape or a NUL byte. */
			if (vlen >= request_params_table[i].cap)
				return request_param_error(i, "is too long", d);
			return request_param_error(i, "is malformed", d);
		}
		if ((e = request_param_set(p, (enum request_param)i, val,
		    (size_t)n, d)) != OERR_OK)
			return e;
	}
	return OERR_OK;
}

int
request_read_body(struct request *r, size_t max, long long limit,
    request_body_fn rd, void *arg, char **buf)
{
	char drop[4096], *dst;
	size_t got = 0, want, n;

	*buf = NULL;
	if (max > 0 && (*buf = malloc(max)) == NULL)
		max = 0;	/* then it is all "over": 413, never a cut body */
	while (limit > 0) {
		dst = got < max ? *buf + got : drop;
		want = got < max ? max - got : sizeof(drop);
		if ((long long)want > limit)
			want = (size_t)limit;
		n = rd(arg, dst, want);
		if (dst == drop && n > 0)
			r->body_over = 1;
		else
			got += n;
		limit -= (long long)n;
		if (n < want)
			break;
	}
	r->body = *buf;
	r->bodylen = got;
	return limit > 0;
}

long long
request_content_length(const struct request *r)
{
	long long n;

	if (r->content_length == NULL || *r->content_length == '\0')
		return 0;
	if (util_strtonum(r->content_length, 0, 0x7fffffffffffffffLL, &n,
	    NULL) == -1)
		return -1;
	return n;
}
