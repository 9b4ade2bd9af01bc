/*
 * Reading untrusted JSON with json-c, strictly.  json-c alone accepts
 * single-quoted strings, NaN, raw control bytes, lone surrogates and
 * invalid UTF-8, and silently keeps the last of two members with the same
 * name (a token's {"alg":"HS256","alg":"none"} means one thing to json-c
 * and another to the next parser).  jsonr_parse first checks the text
 * against RFC 8259's grammar, then lets json-c build the tree, and refuses
 * duplicate member names anywhere in it.  Pure.
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

/*
 * The member name of obj as a string: returns 1 and sets *out (borrowed
 * from obj) when it is a string, 0 when obj has no such member, -1 when
 * the member is not a string (*out NULL in both).
 */
int	 jsonr_str(struct json_object *obj, const char *name, const char **out);

#endif /* OSSIGN_JSONR_H */
