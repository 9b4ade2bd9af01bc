/*
 * A small JSON writer into one growing buffer, for the per-request answer
 * and policy: no object tree, no allocation per value.  Strings are escaped
 * as json-c does with JSON_C_TO_STRING_NOSLASHESCAPE ('"', '\\', control
 * bytes; '/' and UTF-8 left as they are), so the bytes match the vendor
 * SDKs' known answers.  Pure.
 *
 *	struct jsonw w;
 *	jsonw_init(&w, 1024);
 *	jsonw_open(&w, '{'); jsonw_key(&w, "a"); jsonw_str(&w, "b");
 *	jsonw_close(&w, '}');
 *	s = jsonw_finish(&w, &len);	(a new string, or NULL on failure)
 */
#ifndef OSSIGN_JSONW_H
#define OSSIGN_JSONW_H

#include <stddef.h>

struct jsonw {
	char	*buf;
	size_t	 len, cap;
	int	 err;		/* out of memory: every later call is a no-op */
	int	 first;		/* no comma before the next item */
};

/* Start with room for hint bytes (it grows as needed). */
void	 jsonw_init(struct jsonw *w, size_t hint);
/* '{' or '[' */
void	 jsonw_open(struct jsonw *w, char c);
/* '}' or ']' */
void	 jsonw_close(struct jsonw *w, char c);
/* An object key (a comma first when needed). */
void	 jsonw_key(struct jsonw *w, const char *k);
/* A string value. */
void	 jsonw_str(struct jsonw *w, const char *s);
/* An integer value. */
void	 jsonw_int(struct jsonw *w, long long v);
/* A value that is JSON text already (len bytes, written as they are). */
void	 jsonw_raw(struct jsonw *w, const char *json, size_t len);
/* "k":"v" */
void	 jsonw_kv(struct jsonw *w, const char *k, const char *v);
/* {"k":"v"} as one value */
void	 jsonw_obj1(struct jsonw *w, const char *k, const char *v);

/*
 * The NUL-terminated text (ownership passes to the caller) and its length,
 * or NULL when memory ran out.  w is reset either way.
 */
char	*jsonw_finish(struct jsonw *w, size_t *len);

/* Drop w's buffer; for error paths.  NULL-safe on an unused w. */
void	 jsonw_free(struct jsonw *w);

#endif /* OSSIGN_JSONW_H */
