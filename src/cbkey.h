/*
 * The public keys OSS's callbacks are checked with (issue 10), loaded once
 * per process and kept:
 *   - callback_public_key = FILE pins one key for every allowed key URL
 *     (tests sign with a key of their own; an operator may pin a copy);
 *     it and the shipped key are read with secretfile.h's
 *     SECRETFILE_PUBLIC rules (no symlink, writable by its owner only);
 *   - otherwise OSS's published URL (https or http) is the key shipped
 *     with ossign (DEFAULT_CB_KEY_FILE, data/callback_pub_key_v1.pem): no
 *     fetch, ever;
 *   - any other URL callback_key_urls allows is read from cache_dir
 *     (cbkey-HASH.pem, statedir.h's rules); when it is not there it is
 *     fetched once, over https only (an http:// URL through its https://
 *     twin: a key fetched in clear could be anyone's), through http.h
 *     with ca_file and proxy, checked to be a usable RSA key, and written
 *     there for every later process (STATEDIR_KEEP).
 * The key URL must have passed cbverify_key_url() first: nothing else is
 * ever fetched.  The edge: files and the network.
 */
#ifndef OSSIGN_CBKEY_H
#define OSSIGN_CBKEY_H

#include <stddef.h>

#include "cbverify.h"
#include "conf.h"
#include "oerr.h"

struct cbkey_store;

/* A store for conf's settings (copied).  No I/O.  NULL: out of memory. */
struct cbkey_store *cbkey_new(const struct conf *conf);

/*
 * The key for url (an allowed key URL), loaded or fetched now if this
 * process has not yet, the fetch taking at most timeout_ms.  Returns 0
 * with *key (owned by the store), or -1 with d filled
 * (OERR_CB_KEY_UNAVAILABLE, the reason logged).
 */
int	 cbkey_get(struct cbkey_store *s, const char *url, long timeout_ms,
	    const struct cbverify_key **key, struct oerr_detail *d);

/*
 * For ossign -t: callback_public_key, when set, must load (-1 and the
 * reason in err); 0 otherwise.  *note gets a warning that is not an
 * error (the shipped key is not installed where ossign looks) or "".
 */
int	 cbkey_check(const struct conf *conf, char *err, size_t errlen,
	    char *note, size_t notelen);

/* Free s and its keys; NULL is fine. */
void	 cbkey_free(struct cbkey_store *s);

#endif /* OSSIGN_CBKEY_H */
