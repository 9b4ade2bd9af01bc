/*
 * Reading untrusted JSON with json-c, strictly and leaving no copy of a
 * secret behind.  json-c alone accepts single-quoted strings, NaN, raw
 * control bytes, lone surrogates and invalid UTF-8, and silently keeps the
 * last of two members with the same name (a token's
 * {"alg":"HS256","alg":"none"} means one thing to json-c and another to
 * the next parser).  jsonr_parse first checks the text against RFC 8259's
 * grammar, then lets json-c build the tree, refuses duplicate member names
 * anywhere in it, and overwrites the tokener's scratch copy of the last
 * string it read; jsonr_free wipes every string before the tree goes.
 * STS answers and the credential cache file hold secrets; tokens, batch
 * bodies and callbacks do not, but the same reader serves them.  Pure.
 */
#ifndef OSSIGN_JSONR_H
#define OSSIGN_JSONR_H

#include <stddef.h>

struct json_object;

/*
 * Parse exactly len bytes of s as one JSON object (RFC 8259: UTF-8, only
 * double-quoted strings without raw control bytes, no \u0000, surrogates
 * only in pairs, no NaN/Infinity, numbers as the grammar says, whitespace
 * around it allowed, nothing after it), nested at most depth deep
 * (depth >= 1), with no object holding two members of one name.
 * Returns a new object (the caller json_object_put()s it), or NULL with a
 * reason in why (whylen bytes; never a copy of the input).
 */
struct json_object *jsonr_parse(const char *s, size_t len, int depth,
	    char *why, size_t whylen);

/* Wipe every string in j, then release it; NULL is fine. */
void	 jsonr_free(struct json_object *j);

/*
 * The member name of obj as a string: returns 1 and sets *out (borrowed
 * from obj) when it is a string, 0 when obj has no such member, -1 when
 * the member is not a string (*out NULL in both).
 */
int	 jsonr_str(struct json_object *obj, const char *name, const char **out);

/* The member name of obj when it is a string (borrowed from obj), else NULL. */
const char *jsonr_get(struct json_object *obj, const char *name);

#endif /* OSSIGN_JSONR_H */
