/*
 * A growing string for text that may hold a secret (a signature's key, a
 * security token, an answer with credentials): it never reallocs in place
 * and wipes every block it lets go.  Out of memory is sticky: later adds
 * do nothing and sbuf_take returns NULL.  Pure.
 *
 *	struct sbuf b = { 0 };
 *	sbuf_str(&b, "a"); sbuf_add(&b, p, n);
 *	s = sbuf_take(&b);	(a new string, or NULL; b is reset)
 */
#ifndef OSSIGN_SBUF_H
#define OSSIGN_SBUF_H

#include <stddef.h>

struct sbuf {
	char	*p;		/* NUL-terminated once anything was added */
	size_t	 len;
	size_t	 cap;		/* bytes allocated at p */
	int	 oom;		/* out of memory: every later add is a no-op */
};

/* Append n bytes of s (s may hold NULs) / the string s. */
void	 sbuf_add(struct sbuf *b, const void *s, size_t n);
void	 sbuf_str(struct sbuf *b, const char *s);

/*
 * The string built (ownership to the caller, who wipes it if it holds a
 * secret: crypto_free_secret), "" when nothing was added, or NULL when
 * memory ran out.  b is reset either way.
 */
char	*sbuf_take(struct sbuf *b);

/* Wipe all of b's block and free it; b is reset.  NULL-safe on an unused b. */
void	 sbuf_free(struct sbuf *b);

#endif /* OSSIGN_SBUF_H */
