/* Batch signing bodies; see batch.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "batch.h"
#include "jsonr.h"
#include "limit.h"

/*
 * The members of one file: each a JSON type and the request parameter
 * that validates it (request.c's table), so a batch file and a GET query
 * are checked by the same code.
 */
static const struct {
	const char		*name;
	enum json_type		 type;
	enum request_param	 param;
	const char		*what;
} batch_members[] = {
	{ "filename", json_type_string, REQUEST_PARAM_FILENAME, "a string" },
	{ "content_type", json_type_string, REQUEST_PARAM_CTYPE, "a string" },
	{ "size", json_type_int, REQUEST_PARAM_SIZE, "an integer" },
};
#define BATCH_NMEMBERS	(sizeof(batch_members) / sizeof(batch_members[0]))

int
batch_is_json(const char *ct)
{
	static const char json[] = "application/json";
	size_t n = sizeof(json) - 1;

	if (ct == NULL || strncasecmp(ct, json, n) != 0)
		return 0;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

/* One member of a file into f->p, or f's error. */
static enum oerr
batch_member(struct json_object *v, size_t m, struct batch_file *f)
{
	char num[32];
	const char *s;
	size_t len;
	int ok;

	ok = json_object_is_type(v, batch_members[m].type);
	/* json-c calls an integer past INT64_MAX a json_type_int too. */
	if (ok && batch_members[m].type == json_type_int) {
		snprintf(num, sizeof(num), "%lld",
		    (long long)json_object_get_int64(v));
		s = num;
		len = strlen(num);
	} else if (ok) {
		s = json_object_get_string(v);
		len = (size_t)json_object_get_string_len(v);
	} else
		return oerr_set(&f->d, batch_members[m].param ==
		    REQUEST_PARAM_FILENAME ? OERR_INVALID_FILENAME :
		    OERR_BAD_REQUEST, "%s must be %s", batch_members[m].name,
		    batch_members[m].what);
	return request_param_set(&f->p, batch_members[m].param, s, len, &f->d);
}

static void
batch_file(struct json_object *o, const struct request_params *base,
    struct batch_file *f)
{
	struct json_object *v;
	size_t m;

	f->p = *base;
	if (!json_object_is_type(o, json_type_object)) {
		f->err = oerr_set(&f->d, OERR_BAD_REQUEST,
		    "a file must be an object");
		return;
	}
	for (m = 0; m < BATCH_NMEMBERS; m++) {
		if (!json_object_object_get_ex(o, batch_members[m].name, &v))
			continue;
		if ((f->err = batch_member(v, m, f)) != OERR_OK)
			return;
	}
	f->err = OERR_OK;
}

enum oerr
batch_parse(const char *body, size_t len, size_t max, struct batch **out,
    struct oerr_detail *d)
{
	struct json_object *doc = NULL, *files, *up;
	struct request_params base;
	struct batch *b = NULL;
	char why[LIMIT_ERRMSG];
	enum oerr e;
	size_t i, n;

	*out = NULL;
	if (max < 1 || max > LIMIT_BATCH_MAX)
		return oerr_set(d, OERR_INTERNAL, NULL);
	if (len > LIMIT_BATCH_BODY)
		return oerr_set(d, OERR_REQUEST_TOO_LARGE,
		    "the body is longer than %d bytes", LIMIT_BATCH_BODY);
	if ((doc = jsonr_parse(body, len, LIMIT_BATCH_DEPTH, why,
	    sizeof(why))) == NULL)
		return oerr_set(d, OERR_BAD_REQUEST, "the body is %s", why);
	request_params_init(&base);
	if (json_object_object_get_ex(doc, "upload", &up)) {
		if (!json_object_is_type(up, json_type_string)) {
			e = oerr_set(d, OERR_BAD_REQUEST,
			    "upload must be a string");
			goto out;
		}
		if ((e = request_param_set(&base, REQUEST_PARAM_UPLOAD,
		    json_object_get_string(up),
		    (size_t)json_object_get_string_len(up), d)) != OERR_OK)
			goto out;
	}
	if (!json_object_object_get_ex(doc, "files", &files) ||
	    !json_object_is_type(files, json_type_array) ||
	    (n = json_object_array_length(files)) == 0) {
		e = oerr_set(d, OERR_BAD_REQUEST,
		    "files must be a non-empty array");
		goto out;
	}
	if (n > max) {
		e = oerr_set(d, OERR_REQUEST_TOO_LARGE,
		    "%zu files, at most %zu in one request", n, max);
		goto out;
	}
	if ((b = calloc(1, sizeof(*b))) == NULL ||
	    (b->files = calloc(n, sizeof(*b->files))) == NULL) {
		e = oerr_set(d, OERR_INTERNAL, NULL);
		goto out;
	}
	b->n = n;
	for (i = 0; i < n; i++)
		batch_file(json_object_array_get_idx(files, i), &base,
		    &b->files[i]);
	*out = b;
	b = NULL;
	e = OERR_OK;
out:
	batch_free(b);
	json_object_put(doc);
	return e;
}

void
batch_free(struct batch *b)
{
	if (b == NULL)
		return;
	free(b->files);
	free(b);
}
