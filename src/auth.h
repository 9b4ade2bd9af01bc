/*
 * Who a request is, as an upload section's `auth` says (issue 11): none;
 * remote_user, the web server's REMOTE_USER; jwt, the user claim of a
 * JSON Web Token the request carries (Authorization: Bearer, else the
 * cookie jwt_cookie names), verified by jwt.c against the key set of the
 * section's jwt_key files.  This module holds those key sets: it reads the
 * files at start (FastCGI, ossign -t) or when a section is first used (a
 * CGI run loads only the section it answers, with jwt_keyset_quick's
 * checks), under secretfile.c's rules.  A process that loaded every key
 * set (AUTH_LOAD_ALL: FastCGI) keeps the last LIMIT_JWT_CACHE tokens it
 * verified, each with its section and claims: the same bytes for the same
 * section again are accepted without a signature check, their exp, nbf and
 * iat checked again (jwt_claims_current).  Verification itself is pure:
 * the time comes in as an argument.
 *
 * A jwt_key file is an HS256 secret when the line says "hs256:PATH": its
 * bytes as they are, except that a file of printable text ending in one
 * newline (echo SECRET > FILE) is that text without the newline.  Any
 * other file is a PEM public key ("BEGIN PUBLIC KEY") or, when it starts
 * with '{', a JWKS document; it may be readable by anyone but writable by
 * its owner only, and that owner must be this user or root.  Secrets must
 * be mode 0600 (or 0400).
 */
#ifndef OSSIGN_AUTH_H
#define OSSIGN_AUTH_H

#include <stddef.h>
#include <time.h>

#include "conf.h"
#include "request.h"

struct auth;

#define AUTH_LOAD_ALL	0x1	/* auth_new: load every section's keys now,
				   fully checked; keep verified tokens */

/*
 * The key sets of conf's auth = jwt sections (conf must outlive it), each
 * loaded now with AUTH_LOAD_ALL, else on its section's first use.
 * Returns NULL with "FILE:LINE: jwt_key PATH: why" in err (FILE:LINE the
 * configuration line that names it) when a key file cannot be used, or
 * when out of memory.
 */
struct auth	*auth_new(const struct conf *conf, int flags, char *err,
		    size_t errlen);
/* Free a and its key sets (secrets wiped); NULL is fine. */
void		 auth_free(struct auth *a);

enum auth_result {
	AUTH_OK,	/* user filled ("" for auth = none) */
	AUTH_DENIED,	/* 401: no user, no token, a refused token */
	AUTH_BAD_USER,	/* REMOTE_USER cannot be ${user} (400, as ever) */
	AUTH_ERROR	/* the section's keys cannot be loaded (500) */
};

/*
 * The user req proves for section up at now, into user (LIMIT_USER_LEN + 1
 * bytes, always the ${user} rules of keyname_user_ok).  Anything but
 * AUTH_OK comes with the reason for the log in why: which check failed
 * and its numbers, never a byte of a token, a claim or a key.
 */
enum auth_result auth_user(struct auth *a, const struct conf_upload *up,
		    const struct request *req, time_t now, char *user,
		    char *why, size_t whylen);

#endif /* OSSIGN_AUTH_H */
