/* The credential value; see creds.h. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "creds.h"
#include "crypto.h"

void
creds_clear(struct creds *c)
{
	if (c == NULL)
		return;
	free(c->access_key_id);
	crypto_free_secret(c->access_key_secret);
	crypto_free_secret(c->security_token);
	memset(c, 0, sizeof(*c));
}

int
creds_charset(const char *s, size_t max, const char *extra)
{
	size_t i;

	if (s == NULL || *s == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (i >= max || !isascii((unsigned char)s[i]) ||
		    !(isalnum((unsigned char)s[i]) ||
		    strchr(extra, s[i]) != NULL))
			return 0;
	return 1;
}

int
creds_printable(const char *s, size_t max)
{
	size_t i;

	if (s == NULL || *s == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (i >= max || s[i] < 0x21 || s[i] > 0x7e)
			return 0;
	return 1;
}
