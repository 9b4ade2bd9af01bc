/* Query-string parsing and validation; see request.h. */
#include <ctype.h>
#include <stddef.h>
#include <string.h>

#include "request.h"
#include "util.h"

enum request_param {
	PARAM_UPLOAD,
	PARAM_FILENAME,
	PARAM_CTYPE,
	PARAM_SIZE,
	PARAM__MAX
};

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
} request_params_table[PARAM__MAX] = {
	[PARAM_UPLOAD] = { "upload", offsetof(struct request_params, upload),
	    LIMIT_UPLOAD_NAME + 1, offsetof(struct request_params, has_upload),
	    request_valid_upload, "1 to 32 of A-Z a-z 0-9 - _" },
	[PARAM_FILENAME] = { "filename",
	    offsetof(struct request_params, filename), LIMIT_FILENAME_IN + 1,
	    offsetof(struct request_params, has_filename),
	    request_valid_filename, "a file name" },
	[PARAM_CTYPE] = { "content_type",
	    offsetof(struct request_params, ctype), LIMIT_CTYPE_LEN + 1,
	    offsetof(struct request_params, has_ctype), request_valid_ctype,
	    "a type/subtype" },
	[PARAM_SIZE] = { "size", SCRATCH, LIMIT_PARAM_LEN + 1,
	    offsetof(struct request_params, has_size), request_valid_size,
	    "a byte count" },
};

enum request_method
request_method(const char *s)
{
	if (s == NULL || *s == '\0')
		return REQUEST_NONE;
	if (strcmp(s, "GET") == 0)
		return REQUEST_GET;
	if (strcmp(s, "HEAD") == 0)
		return REQUEST_HEAD;
	if (strcmp(s, "OPTIONS") == 0)
		return REQUEST_OPTIONS;
	return REQUEST_OTHER;
}

enum oerr
request_parse_query(const char *q, struct request_params *p,
    struct oerr_detail *d)
{
	char name[32], val[LIMIT_PARAM_LEN + 1], *dst;
	const char *pair, *eq, *end;
	size_t qlen, nlen, i;
	long n;
	int *has;

	memset(p, 0, sizeof(*p));
	p->size = -1;
	if (q == NULL)
		return OERR_OK;
	if ((qlen = strlen(q)) > LIMIT_QUERY_LEN)
		return oerr_set(d, OERR_REQUEST_TOO_LARGE,
		    "the query string is longer than %d bytes",
		    LIMIT_QUERY_LEN);
	for (pair = q; pair < q + qlen; pair = end + 1) {
		end = pair + strcspn(pair, "&");
		if (end == pair)
			continue;
		eq = memchr(pair, '=', (size_t)(end - pair));
		nlen = (size_t)((eq != NULL ? eq : end) - pair);
		n = util_pct_decode(pair, nlen, name, sizeof(name));
		if (n < 0)
			continue;	/* not a name we know */
		for (i = 0; i < PARAM__MAX; i++)
			if (strcmp(name, request_params_table[i].name) == 0)
				break;
		if (i == PARAM__MAX)
			continue;
		has = (int *)((char *)p + request_params_table[i].has);
		if (*has)
			return oerr_set(d, OERR_BAD_REQUEST,
			    "the parameter %s is repeated", name);
		*has = 1;
		dst = request_params_table[i].off == SCRATCH ? val :
		    (char *)p + request_params_table[i].off;
		if (eq == NULL)
			eq = end;	/* "name" alone: an empty value */
		else
			eq++;
		n = util_pct_decode(eq, (size_t)(end - eq), dst,
		    request_params_table[i].cap);
		if (n < 0) {
			/* Too long, a bad escape or a NUL byte. */
			if ((size_t)(end - eq) >= request_params_table[i].cap)
				return oerr_set(d, i == PARAM_FILENAME ?
				    OERR_INVALID_FILENAME : OERR_BAD_REQUEST,
				    "the parameter %s is too long", name);
			return oerr_set(d, i == PARAM_FILENAME ?
			    OERR_INVALID_FILENAME : OERR_BAD_REQUEST,
			    "the parameter %s is malformed", name);
		}
		if (request_params_table[i].valid(dst, p) == -1)
			return oerr_set(d, i == PARAM_FILENAME ?
			    OERR_INVALID_FILENAME : OERR_BAD_REQUEST,
			    "the parameter %s must be %s", name,
			    request_params_table[i].what);
	}
	return OERR_OK;
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
