/*
 * A set of credentials, the value every other module passes around: an
 * AccessKey id and secret, a security token for temporary ones, and when
 * they expire.  A leaf: it includes nothing of ossign's, so the sources,
 * the cache, the protocols and the signer can all use it.  Pure.
 */
#ifndef OSSIGN_CREDS_H
#define OSSIGN_CREDS_H

#include <stddef.h>
#include <time.h>

struct creds {
	char	*access_key_id;
	char	*access_key_secret;
	char	*security_token;	/* NULL for long-term keys */
	time_t	 expiration;		/* 0: does not expire */
};

/* Wipe and free the strings in c (not c itself); NULL is fine. */
void	 creds_clear(struct creds *c);

/*
 * The character checks every source applies to what it is given:
 * creds_charset: s is 1..max bytes of A-Z a-z 0-9 and the bytes in extra
 * (an AccessKey id: extra "._-"); creds_printable: s is 1..max bytes of
 * printable ASCII without spaces (a secret, a token).  1 or 0.
 */
int	 creds_charset(const char *s, size_t max, const char *extra);
int	 creds_printable(const char *s, size_t max);

#endif /* OSSIGN_CREDS_H */
