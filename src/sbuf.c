/* A growing string that wipes what it lets go; see sbuf.h. */
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "sbuf.h"

void
sbuf_add(struct sbuf *b, const void *s, size_t n)
{
	char *np;
	size_t ncap;

	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		ncap = b->cap ? b->cap : 256;
		while (ncap < b->len + n + 1)
			ncap *= 2;
		/* Not realloc: the old block may hold a secret. */
		if ((np = malloc(ncap)) == NULL) {
			b->oom = 1;
			return;
		}
		if (b->p != NULL) {
			memcpy(np, b->p, b->len);
			crypto_wipe(b->p, b->cap);
			free(b->p);
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
sbuf_str(struct sbuf *b, const char *s)
{
	sbuf_add(b, s, strlen(s));
}

void
sbuf_free(struct sbuf *b)
{
	if (b->p != NULL) {
		crypto_wipe(b->p, b->cap);
		free(b->p);
	}
	memset(b, 0, sizeof(*b));
}

char *
sbuf_take(struct sbuf *b)
{
	char *p;

	if (b->oom) {
		sbuf_free(b);
		return NULL;
	}
	if (b->p == NULL)
		return strdup("");
	p = b->p;
	memset(b, 0, sizeof(*b));
	return p;
}
