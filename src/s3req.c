/* The Companion S3 routes' inputs; see s3req.h. */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "jsonr.h"
#include "ossapi.h"
#include "s3req.h"
#include "util.h"

static const char *const s3req_names[S3REQ__MAX] = {
	[S3REQ_FILENAME] = "filename",
	[S3REQ_TYPE] = "type",
	[S3REQ_KEY] = "key",
	[S3REQ_PART_NUMBERS] = "partNumbers",
};

int
s3req_part_number(const char *s, size_t len)
{
	int n = 0;
	size_t i;

	if (len == 0 || len > 5 || s[0] == '0')
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		n = n * 10 + (s[i] - '0');
	}
	return n >= 1 && n <= LIMIT_OSS_PART_NUMBER ? n : -1;
}

/* "1,2,3" into out; 0, or -1. */
static int
s3req_part_list(const char *v, struct s3req_query *out)
{
	const char *p = v, *e;
	size_t i;
	int n;

	out->nparts = 0;
	for (;;) {
		e = p + strcspn(p, ",");
		if ((n = s3req_part_number(p, (size_t)(e - p))) == -1 ||
		    out->nparts == LIMIT_S3_BATCH)
			return -1;
		for (i = 0; i < out->nparts; i++)
			if (out->parts[i] == n)
				return -1;
		out->parts[out->nparts++] = n;
		if (*e == '\0')
			return 0;
		p = e + 1;
	}
}

enum oerr
s3req_query(const char *q, unsigned int want, struct s3req_query *out,
    struct oerr_detail *d)
{
	char name[32], val[LIMIT_KEY_LEN + 1];
	const char *pos, *end, *v;
	size_t qlen, vlen;
	long n;
	int i, seen[S3REQ__MAX] = { 0 };
	enum oerr e;

	memset(out, 0, sizeof(*out));
	request_params_init(&out->params);
	if (q == NULL)
		return OERR_OK;
	if ((qlen = strlen(q)) > LIMIT_QUERY_LEN)
		return oerr_set(d, OERR_REQUEST_TOO_LARGE, "the query string is "
		    "longer than %d bytes", LIMIT_QUERY_LEN);
	for (pos = q, end = q + qlen; util_query_next(&pos, end, name,
	    sizeof(name), &v, &vlen);) {
		for (i = 0; i < S3REQ__MAX; i++)
			if (strcmp(name, s3req_names[i]) == 0)
				break;
		/* Not a name we know (metadata[...]), or not one wanted. */
		if (i == S3REQ__MAX || !(want & S3REQ_M(i)))
			continue;
		if (seen[i]++)
			return oerr_set(d, OERR_BAD_REQUEST, "the parameter %s "
			    "is repeated", name);
		if ((n = util_pct_decode(v, vlen, val, sizeof(val))) < 0)
			return oerr_set(d, i == S3REQ_FILENAME ?
			    OERR_INVALID_FILENAME : OERR_BAD_REQUEST, "the "
			    "parameter %s is too long or malformed", name);
		switch (i) {
		case S3REQ_FILENAME:
			if ((e = request_param_set(&out->params,
			    REQUEST_PARAM_FILENAME, val, (size_t)n, d)) !=
			    OERR_OK)
				return e;
			break;
		case S3REQ_TYPE:
			if (n == 0)
				break;
			if (request_param_set(&out->params,
			    REQUEST_PARAM_CTYPE, val, (size_t)n, d) != OERR_OK)
				return oerr_set(d, OERR_BAD_REQUEST, "the "
				    "parameter type must be a type/subtype");
			break;
		case S3REQ_KEY:
			/* val holds no NUL (util_pct_decode refuses one). */
			if (!ossapi_key_ok(val))
				return oerr_set(d, OERR_BAD_REQUEST, "the "
				    "parameter key is not an object key");
			memcpy(out->key, val, (size_t)n + 1);
			out->has_key = 1;
			break;
		case S3REQ_PART_NUMBERS:
			if (s3req_part_list(val, out) == -1)
				return oerr_set(d, OERR_BAD_REQUEST, "the "
				    "parameter partNumbers must be 1 to %d "
				    "distinct part numbers (1 to %d) with commas "
				    "between", LIMIT_S3_BATCH,
				    LIMIT_OSS_PART_NUMBER);
			out->has_parts = 1;
			break;
		}
	}
	return OERR_OK;
}

/* Parse a body into an object; OERR_OK or bad_request. */
static enum oerr
s3req_json(const char *body, size_t len, json_object **out,
    struct oerr_detail *d)
{
	char why[128];

	if (body == NULL || len == 0)
		return oerr_set(d, OERR_BAD_REQUEST, "the body must be a JSON "
		    "object");
	if ((*out = jsonr_parse(body, len, LIMIT_S3_JSON_DEPTH, why,
	    sizeof(why))) == NULL)
		return oerr_set(d, OERR_BAD_REQUEST, "the body is not JSON: "
		    "%s", why);
	return OERR_OK;
}

enum oerr
s3req_create(const char *body, size_t len, struct request_params *p,
    struct oerr_detail *d)
{
	json_object *j = NULL, *m;
	const char *fn = NULL, *type = NULL;
	enum oerr e;
	int r;

	request_params_init(p);
	if ((e = s3req_json(body, len, &j, d)) != OERR_OK)
		return e;
	e = OERR_BAD_REQUEST;
	if (jsonr_str(j, "filename", &fn) != 1 || fn[0] == '\0') {
		oerr_set(d, e, "the body needs a filename (a string)");
		goto out;
	}
	if ((r = jsonr_str(j, "type", &type)) == -1 &&
	    !(json_object_object_get_ex(j, "type", &m) && m == NULL)) {
		oerr_set(d, e, "type must be a string");
		goto out;
	}
	if (json_object_object_get_ex(j, "metadata", &m) && m != NULL &&
	    !json_object_is_type(m, json_type_object)) {
		oerr_set(d, e, "metadata must be an object");
		goto out;
	}
	if ((e = request_param_set(p, REQUEST_PARAM_FILENAME, fn, strlen(fn),
	    d)) != OERR_OK)
		goto out;
	if (r == 1 && type[0] != '\0' && request_param_set(p,
	    REQUEST_PARAM_CTYPE, type, strlen(type), d) != OERR_OK) {
		e = oerr_set(d, OERR_BAD_REQUEST, "type must be a "
		    "type/subtype");
		goto out;
	}
	e = OERR_OK;
out:
	jsonr_free(j);
	return e;
}

int
s3req_etag(const char *etag, char out[LIMIT_OSS_ETAG + 1])
{
	const char *s = etag, *end;
	const char *c;

	if (etag == NULL)
		return -1;
	end = s + strlen(s);
	while (s < end && *s == '"')
		s++;
	while (end > s && end[-1] == '"')
		end--;
	if (end == s || (size_t)(end - s) > LIMIT_OSS_ETAG - 2)
		return -1;
	for (c = s; c < end; c++)
		if (*c < 0x21 || *c > 0x7e)
			return -1;
	memcpy(out, s, (size_t)(end - s));
	out[end - s] = '\0';
	return 0;
}

static int
s3req_part_cmp(const void *a, const void *b)
{
	const struct ossxml_part *x = a, *y = b;

	return (x->number > y->number) - (x->number < y->number);
}

enum oerr
s3req_complete(const char *body, size_t len, struct ossxml_part **parts,
    size_t *n, struct oerr_detail *d)
{
	json_object *j = NULL, *arr, *it, *num;
	struct ossxml_part *out = NULL;
	const char *etag;
	size_t i, count;
	int64_t v;
	enum oerr e;

	*parts = NULL;
	*n = 0;
	if ((e = s3req_json(body, len, &j, d)) != OERR_OK)
		return e;
	e = OERR_BAD_REQUEST;
	if (!json_object_object_get_ex(j, "parts", &arr) ||
	    !json_object_is_type(arr, json_type_array) ||
	    (count = json_object_array_length(arr)) == 0 ||
	    count > LIMIT_OSS_PART_NUMBER) {
		oerr_set(d, e, "the body needs parts: 1 to %d of "
		    "{\"PartNumber\",\"ETag\"}", LIMIT_OSS_PART_NUMBER);
		goto out;
	}
	if ((out = calloc(count, sizeof(*out))) == NULL) {
		e = oerr_set(d, OERR_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < count; i++) {
		it = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(it, json_type_object) ||
		    !json_object_object_get_ex(it, "PartNumber", &num) ||
		    !json_object_is_type(num, json_type_int) ||
		    (v = json_object_get_int64(num)) < 1 ||
		    v > LIMIT_OSS_PART_NUMBER ||
		    jsonr_str(it, "ETag", &etag) != 1 ||
		    s3req_etag(etag, out[i].etag) == -1) {
			oerr_set(d, e, "part %zu is not {\"PartNumber\": 1 to "
			    "%d, \"ETag\": string}", i + 1,
			    LIMIT_OSS_PART_NUMBER);
			goto out;
		}
		out[i].number = (int)v;
	}
	qsort(out, count, sizeof(*out), s3req_part_cmp);
	for (i = 1; i < count; i++)
		if (out[i].number == out[i - 1].number) {
			oerr_set(d, e, "part %d is listed twice",
			    out[i].number);
			goto out;
		}
	*parts = out;
	*n = count;
	out = NULL;
	e = OERR_OK;
out:
	free(out);
	jsonr_free(j);
	return e;
}
