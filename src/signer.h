/*
 * One signature request, top to bottom and pure: validated parameters,
 * the configuration, credentials and the time in; the JSON answer out.
 *   signer_prepare: pick the upload, check size and type, decide the key
 *                   (cheap, before any credentials are fetched)
 *   signer_sign:    build the policy, sign it, write the answer
 */
#ifndef OSSIGN_SIGNER_H
#define OSSIGN_SIGNER_H

#include <stddef.h>
#include <time.h>

#include "conf.h"
#include "creds.h"
#include "limit.h"
#include "oerr.h"
#include "request.h"

struct signer_req {
	const struct conf_upload *up;		/* borrowed from conf */
	char	 dir[LIMIT_PREFIX_LEN + 1];	/* expanded key prefix */
	char	 key[LIMIT_KEY_LEN + 1];	/* "" when the client names it */
	char	 ctype[LIMIT_CTYPE_LEN + 1];	/* "" when none was asked */
	/* Upload callbacks (issue 10): the user the callback names ("" for
	   none, set by signer_prepare) and the server secret the ticket is
	   made with (secret.h), which the caller sets after signer_prepare
	   when up->callback.url is set (borrowed). */
	char	 user[LIMIT_USER_LEN + 1];
	const unsigned char *secret;
	size_t	 secretlen;
};

/*
 * The upload section called name (NULL: DEFAULT_UPLOAD) into *up, or
 * OERR_UNKNOWN_UPLOAD with d filled: the first step of signer_prepare.
 */
enum oerr signer_upload(const struct conf *conf, const char *name,
	    const struct conf_upload **up, struct oerr_detail *d);

/*
 * Validate params against conf for user (REMOTE_USER or NULL) at now;
 * uuid (36 chars) fills ${uuid} and key_name = uuid.  Returns OERR_OK and
 * fills out, or an error with d filled.
 */
enum oerr signer_prepare(const struct conf *conf,
	    const struct request_params *params, const char *user, time_t now,
	    const char *uuid, struct signer_req *out, struct oerr_detail *d);

/*
 * Build and sign the policy for sr with creds at now.  On OERR_OK *json
 * is a new NUL-terminated string of *len bytes (free it).  The policy
 * expires at now + policy_ttl, never after the credentials.  A section
 * with callback_url adds the `callback` field and ossign's x: variables
 * (callback.h) to the fields, each pinned with an eq condition after the
 * section's own; that needs sr->secret.
 */
enum oerr signer_sign(const struct conf *conf, const struct signer_req *sr,
	    const struct creds *creds, time_t now, char **json, size_t *len,
	    struct oerr_detail *d);

/*
 * The same signature in the shape Uppy Companion's GET s3/params answers
 * (issue 12): {"method":"POST","url":HOST "/","fields":{...},"expires":
 * seconds the policy is valid}, fields as signer_sign's.  Same contract.
 */
enum oerr signer_sign_post(const struct conf *conf,
	    const struct signer_req *sr, const struct creds *creds, time_t now,
	    char **json, size_t *len, struct oerr_detail *d);

#endif /* OSSIGN_SIGNER_H */
