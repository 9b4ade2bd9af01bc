/*
 * callback_verify_object (issue 10): before an event is delivered, ask OSS
 * whether the object the callback names is there and is what the callback
 * says.  HEAD HOST/KEY signed in OSS's V4 header form (osssig.h) with the
 * configured credentials, through http.h; the ETag (quotes and case
 * aside) and Content-Length must match the body's "etag" and "size" when
 * it has them.  It answers what a made-up callback with a replayed ticket
 * cannot fake: that the upload happened, with these bytes.  The edge.
 */
#ifndef OSSIGN_CBOBJECT_H
#define OSSIGN_CBOBJECT_H

#include "callback.h"
#include "conf.h"
#include "creds_source.h"
#include "oerr.h"

/*
 * Check key on conf's bucket against vars (the callback body) within
 * timeout_ms.  Returns OERR_OK, or with d filled: OERR_CB_OBJECT (no such
 * object, another ETag or size), OERR_OSS_REFUSED (OSS refused the HEAD),
 * OERR_OSS_UNAVAILABLE (no answer), or a credentials error.
 */
enum oerr cbobject_check(const struct conf *conf, struct creds_source *src,
	    const char *key, const struct callback_vars *vars, long timeout_ms,
	    struct oerr_detail *d);

#endif /* OSSIGN_CBOBJECT_H */
