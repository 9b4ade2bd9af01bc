/*
 * `ossign callback-verify`: one captured callback (a raw HTTP request)
 * in, a verdict and the callback's variables out, as text.  OSS's
 * signature only: the ticket needs the server's secret and is the
 * callback route's job.  Pure: the key and the allow-list come in.
 */
#ifndef OSSIGN_CBCHECK_H
#define OSSIGN_CBCHECK_H

#include <stddef.h>

#include "cbverify.h"

/*
 * Check the raw request data[0..len) (rawreq.h) with key: its key URL
 * against allowed[0..nallowed) (NULL: cbverify_default_urls), its
 * signature, then its body parsed per Content-Type.  Returns the report,
 * a new string (free it):
 *
 *	signature OK
 *	NAME: VALUE            one line per variable, in body order
 *
 * or "signature does not verify: REASON" (one line), and sets *ok to 1 or
 * 0.  Control bytes, backslashes and invalid UTF-8 in what it prints come
 * out as \xNN.  NULL when out of memory.
 */
char	*cbcheck_report(const void *data, size_t len, char *const *allowed,
	    size_t nallowed, const struct cbverify_key *key, int *ok);

#endif /* OSSIGN_CBCHECK_H */
