/* The credential members of a JSON object; see credjson.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "credjson.h"
#include "creds.h"
#include "jsonr.h"
#include "limit.h"
#include "util.h"

int
credjson_take(struct json_object *o, struct creds *out, char *why,
    size_t whylen)
{
	const char *id, *secret, *token, *exp;
	struct creds c = { 0 };
	time_t t;

	/*
	 * A security token is required: only long-term keys go without
	 * one, and those never come through here.
	 */
	id = jsonr_get(o, "AccessKeyId");
	secret = jsonr_get(o, "AccessKeySecret");
	token = jsonr_get(o, "SecurityToken");
	exp = jsonr_get(o, "Expiration");
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
