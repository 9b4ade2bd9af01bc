/*
 * Reading JSON that holds secrets (an STS answer, the credential cache
 * file) with json-c, leaving no copy of them behind: the tokener's scratch
 * buffer is overwritten after parsing and every string is wiped before
 * the tree is freed.  Used by the credential protocols (sts) and the cache.
 * Pure.
 */
#ifndef OSSIGN_JSONR_H
#define OSSIGN_JSONR_H

#include <stddef.h>

#include <json-c/json.h>

#include "creds.h"

/*
 * len bytes as one JSON object (white space may follow), at most
 * LIMIT_STS_RESPONSE bytes, no NUL byte, nesting at most 16 deep.
 * Returns the object (jsonr_free it) or NULL.
 */
json_object	*jsonr_parse(const char *body, size_t len);

/* Wipe every string in j, then release it; NULL is fine. */
void		 jsonr_free(json_object *j);

/* The string member name of j (borrowed from j), or NULL. */
const char	*jsonr_str(json_object *j, const char *name);

/*
 * Take AccessKeyId, AccessKeySecret, SecurityToken and Expiration from
 * the object o, all checked (present, strings, charset, length,
 * Expiration a UTC time), into out (new strings: creds_clear them), or
 * return -1 with the reason in why and out untouched.  No clock: the
 * caller judges the expiration.
 */
int		 jsonr_creds(json_object *o, struct creds *out, char *why,
		    size_t whylen);

#endif /* OSSIGN_JSONR_H */
