/* Reading JSON that holds secrets; see jsonr.h. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "creds.h"
#include "crypto.h"
#include "jsonr.h"
#include "limit.h"
#include "util.h"

#define JSONR_DEPTH	16

/* Overwrite every string in j (secrets live in some of them). */
static void
jsonr_wipe(json_object *j)
{
	struct json_object_iterator it, end;
	size_t i, n;

	switch (json_object_get_type(j)) {
	case json_type_string:
		crypto_wipe((char *)json_object_get_string(j),
		    (size_t)json_object_get_string_len(j));
		break;
	case json_type_array:
		n = json_object_array_length(j);
		for (i = 0; i < n; i++)
			jsonr_wipe(json_object_array_get_idx(j, i));
		break;
	case json_type_object:
		it = json_object_iter_begin(j);
		end = json_object_iter_end(j);
		while (!json_object_iter_equal(&it, &end)) {
			jsonr_wipe(json_object_iter_peek_value(&it));
			json_object_iter_next(&it);
		}
		break;
	default:
		break;
	}
}

void
jsonr_free(json_object *j)
{
	if (j == NULL)
		return;
	jsonr_wipe(j);
	json_object_put(j);
}

/*
 * Parse len bytes as one JSON object (whitespace may follow).  The
 * tokener keeps the last string it read in a scratch buffer; parsing a
 * dummy string as long as the input overwrites it before it is freed.
 */
json_object *
jsonr_parse(const char *body, size_t len)
{
	json_tokener *tok;
	json_object *j;
	char *dummy;
	size_t end;

	if (body == NULL || len == 0 || len > LIMIT_STS_RESPONSE ||
	    memchr(body, '\0', len) != NULL)
		return NULL;
	if ((tok = json_tokener_new_ex(JSONR_DEPTH)) == NULL)
		return NULL;
	j = json_tokener_parse_ex(tok, body, (int)len);
	if (j != NULL) {
		end = json_tokener_get_parse_end(tok);
		while (end < len && isspace((unsigned char)body[end]))
			end++;
		if (end != len ||
		    !json_object_is_type(j, json_type_object)) {
			jsonr_free(j);
			j = NULL;
		}
	}
	if ((dummy = malloc(len + 3)) != NULL) {
		dummy[0] = '"';
		memset(dummy + 1, 'x', len);
		dummy[len + 1] = '"';
		dummy[len + 2] = '\0';
		json_tokener_reset(tok);
		json_object_put(json_tokener_parse_ex(tok, dummy,
		    (int)len + 2));
		free(dummy);
	}
	json_tokener_free(tok);
	return j;
}

const char *
jsonr_str(json_object *j, const char *name)
{
	json_object *v;

	if (j == NULL || !json_object_object_get_ex(j, name, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int
jsonr_creds(json_object *o, struct creds *out, char *why, size_t whylen)
{
	const char *id, *secret, *token, *exp;
	struct creds c = { 0 };
	time_t t;

	/*
	 * A security token is required: only long-term keys go without
	 * one, and those never come through here.
	 */
	id = jsonr_str(o, "AccessKeyId");
	secret = jsonr_str(o, "AccessKeySecret");
	token = jsonr_str(o, "SecurityToken");
	exp = jsonr_str(o, "Expiration");
	if (!creds_charset(id, LIMIT_AKID_LEN, "._-") ||
	    !creds_printable(secret, LIMIT_SECRET_LEN) ||
	    !creds_printable(token, LIMIT_TOKEN_LEN) || exp == NULL ||
	    util_parse_iso(exp, &t) == -1) {
		snprintf(why, whylen, "the credentials are missing a field or "
		    "have one out of bounds");
		return -1;
	}
	if ((c.access_key_id = strdup(id)) == NULL ||
	    (c.access_key_secret = strdup(secret)) == NULL ||
	    (c.security_token = strdup(token)) == NULL) {
		creds_clear(&c);
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	c.expiration = t;
	*out = c;
	return 0;
}
