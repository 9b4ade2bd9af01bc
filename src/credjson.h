/*
 * The credential members of a JSON object (an STS or metadata answer, a
 * credentials URI's answer, the cache file): AccessKeyId, AccessKeySecret,
 * SecurityToken and Expiration.  Pure.
 */
#ifndef OSSIGN_CREDJSON_H
#define OSSIGN_CREDJSON_H

#include <stddef.h>

#include "creds.h"

struct json_object;

/* JSON nesting allowed in an answer or the cache file. */
#define CREDJSON_DEPTH	16

/*
 * Take AccessKeyId, AccessKeySecret, SecurityToken and Expiration from
 * the object o, all checked (present, strings, charset, length,
 * Expiration a UTC time), into out (new strings: creds_clear them), or
 * return -1 with the reason in why and out untouched.  No clock: the
 * caller judges the expiration.
 */
int	 credjson_take(struct json_object *o, struct creds *out, char *why,
	    size_t whylen);

#endif /* OSSIGN_CREDJSON_H */
