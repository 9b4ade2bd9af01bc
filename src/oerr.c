/* The error table; see oerr.h. */
#include <stdarg.h>
#include <stdio.h>

#include "oerr.h"

static const struct {
	int		 status;
	const char	*reason;
	const char	*code;
	const char	*message;
} oerr_table[OERR__MAX] = {
	[OERR_OK] = { 200, "OK", "ok", "ok" },
	[OERR_BAD_REQUEST] = { 400, "Bad Request", "bad_request",
	    "the request is malformed" },
	[OERR_UNKNOWN_UPLOAD] = { 400, "Bad Request", "unknown_upload",
	    "no such upload profile" },
	[OERR_INVALID_FILENAME] = { 400, "Bad Request", "invalid_filename",
	    "the file name cannot be used" },
	[OERR_TOO_SMALL] = { 400, "Bad Request", "too_small",
	    "the file is smaller than allowed" },
	[OERR_AUTH_REQUIRED] = { 401, "Unauthorized", "authentication_required",
	    "this upload needs an authenticated user" },
	[OERR_ORIGIN_NOT_ALLOWED] = { 403, "Forbidden", "origin_not_allowed",
	    "this origin may not use the signer" },
	[OERR_NOT_FOUND] = { 404, "Not Found", "not_found",
	    "not found" },
	[OERR_METHOD_NOT_ALLOWED] = { 405, "Method Not Allowed",
	    "method_not_allowed", "this method is not allowed here" },
	[OERR_TOO_LARGE] = { 413, "Payload Too Large", "too_large",
	    "the file is larger than allowed" },
	[OERR_REQUEST_TOO_LARGE] = { 413, "Payload Too Large",
	    "request_too_large", "the request is too large" },
	[OERR_TYPE_NOT_ALLOWED] = { 415, "Unsupported Media Type",
	    "type_not_allowed", "this type of file is not allowed" },
	[OERR_INTERNAL] = { 500, "Internal Server Error", "internal_error",
	    "internal error" },
	[OERR_CREDS_REFUSED] = { 502, "Bad Gateway", "credentials_refused",
	    "the credential service refused the request" },
	[OERR_CREDS_UNAVAILABLE] = { 503, "Service Unavailable",
	    "credentials_unavailable", "no upload credentials are available" },
	/* issue 11 */
	[OERR_RATE_LIMITED] = { 429, "Too Many Requests", "rate_limited",
	    "too many requests: retry later" },
	/* issue 11: health and metrics (helper J) */
	[OERR_FORBIDDEN] = { 403, "Forbidden", "forbidden",
	    "this client may not read this" },
	[OERR_METRICS_UNAVAILABLE] = { 503, "Service Unavailable",
	    "metrics_unavailable", "the metrics are not available" },
	/* OSS's answers to ossign's own calls (ossapi, issue 12) */
	[OERR_OSS_INVALID_PART] = { 400, "Bad Request", "invalid_part",
	    "OSS refused the parts of the upload" },
	[OERR_OSS_NO_SUCH_UPLOAD] = { 404, "Not Found", "no_such_upload",
	    "OSS has no such upload (finished, aborted or expired)" },
	[OERR_OSS_EXISTS] = { 409, "Conflict", "already_exists",
	    "an object with this key exists and may not be overwritten" },
	[OERR_OSS_REFUSED] = { 502, "Bad Gateway", "storage_refused",
	    "OSS refused the request" },
	[OERR_OSS_CALLBACK_FAILED] = { 502, "Bad Gateway", "callback_failed",
	    "the object is stored but OSS's upload callback failed" },
	[OERR_OSS_UNAVAILABLE] = { 503, "Service Unavailable",
	    "storage_unavailable", "OSS could not be reached or was busy" },
	/* Uppy Companion's S3 routes (issue 12) */
	[OERR_UPLOAD_FORBIDDEN] = { 403, "Forbidden", "upload_forbidden",
	    "this upload id was issued for another key, user or upload "
	    "section" },
	/* the callback route (issue 10) */
	[OERR_CB_MALFORMED] = { 400, "Bad Request", "callback_malformed",
	    "the callback cannot be read" },
	[OERR_CB_KEY_URL] = { 403, "Forbidden", "callback_key_refused",
	    "the callback names a public key that is not allowed" },
	[OERR_CB_SIGNATURE] = { 403, "Forbidden", "callback_bad_signature",
	    "the callback's signature does not verify" },
	[OERR_CB_TICKET] = { 403, "Forbidden", "callback_bad_ticket",
	    "the callback carries no valid ossign ticket" },
	[OERR_CB_OBJECT] = { 403, "Forbidden", "callback_object_mismatch",
	    "the object on OSS is not the one the callback describes" },
	[OERR_CB_REPLAYED] = { 409, "Conflict", "callback_replayed",
	    "an event for this upload was delivered already" },
	[OERR_CB_KEY_UNAVAILABLE] = { 503, "Service Unavailable",
	    "callback_key_unavailable",
	    "the public key of the callback cannot be loaded" },
	[OERR_CB_FORWARD_FAILED] = { 502, "Bad Gateway",
	    "callback_forward_failed", "the application did not take the event" },
	[OERR_CB_FORWARD_TIMEOUT] = { 504, "Gateway Timeout",
	    "callback_forward_timeout", "the application did not answer in time" },
};

static int
oerr_valid(enum oerr e)
{
	return (int)e >= 0 && e < OERR__MAX;
}

int
oerr_status(enum oerr e)
{
	return oerr_table[oerr_valid(e) ? e : OERR_INTERNAL].status;
}

const char *
oerr_reason(enum oerr e)
{
	return oerr_table[oerr_valid(e) ? e : OERR_INTERNAL].reason;
}

const char *
oerr_code(enum oerr e)
{
	return oerr_table[oerr_valid(e) ? e : OERR_INTERNAL].code;
}

const char *
oerr_message(enum oerr e)
{
	return oerr_table[oerr_valid(e) ? e : OERR_INTERNAL].message;
}

enum oerr
oerr_set(struct oerr_detail *d, enum oerr err, const char *fmt, ...)
{
	va_list ap;

	if (d == NULL)
		return err;
	d->err = err;
	if (fmt == NULL) {
		snprintf(d->msg, sizeof(d->msg), "%s", oerr_message(err));
		return err;
	}
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	return err;
}
