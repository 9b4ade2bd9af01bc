/*
 * session_policy = auto: the RAM policy ossign sends with AssumeRole so
 * that the temporary credentials can do no more than the configured
 * uploads need.  Pure.
 */
#ifndef OSSIGN_RAMPOLICY_H
#define OSSIGN_RAMPOLICY_H

#include <stddef.h>

#include "conf.h"

/*
 * A RAM policy allowing only oss:PutObject on acs:oss:*:*:BUCKET/PREFIX*
 * for the static part (before the first "${") of each upload's
 * key_prefix, duplicates and covered prefixes dropped; for the sections
 * with multipart = yes also oss:ListParts and oss:AbortMultipartUpload on
 * theirs (oss:PutObject covers Initiate, UploadPart and Complete); and,
 * always, OSS's "prevent public ACLs" statement: Deny oss:PutObject on *
 * when oss:x-oss-object-acl is public-read or public-read-write.  Returns
 * a new string, or NULL with the reason in err (longer than
 * LIMIT_SESSION_POLICY, out of memory).
 */
char	*rampolicy_auto(const struct conf *conf, char *err, size_t errlen);

#endif /* OSSIGN_RAMPOLICY_H */
