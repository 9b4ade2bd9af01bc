/*
 * The upload callback of a multipart upload (issue 12 with issue 10's
 * builder): CompleteMultipartUpload carries it in two headers instead of
 * form fields, x-oss-callback (the `callback` field's value: base64 of
 * its JSON) and x-oss-callback-var (base64 of a JSON object of the x:
 * variables, {"x:ossign_user":"alice",...}), as OSS's callback reference
 * says.  Pure.
 */
#ifndef OSSIGN_S3CALLBACK_H
#define OSSIGN_S3CALLBACK_H

#include "callback.h"

/*
 * The two header values for the fields of f (callback_form_new's), new
 * strings in *callback and *var (free both).  Returns 0, or -1 (out of
 * memory, or f without a `callback` field) with neither set.
 */
int	 s3callback_headers(const struct callback_form *f, char **callback,
	    char **var);

#endif /* OSSIGN_S3CALLBACK_H */
