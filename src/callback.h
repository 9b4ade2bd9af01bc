/*
 * Upload callbacks, ossign's side: what ossign asks OSS to send, and the
 * check that a callback carries values ossign signed.  Pure: settings,
 * values, the server secret and the time come in as arguments.
 *
 * Asking: for an upload section with callback_url, each signature gets
 *   - the form field `callback`: base64 of {"callbackUrl", "callbackBody",
 *     "callbackBodyType"[, "callbackHost"][, "callbackSNI"]}, the same for
 *     every signature of the section;
 *   - ossign's x: variables: x:ossign_user (the user, "-" for none),
 *     x:ossign_upload (the section), x:ossign_match ("exact" or "prefix"),
 *     x:ossign_key (the key signed, or the prefix), x:ossign_exp (the
 *     policy's expiration, "2026-11-25T06:19:41.000Z") and x:ossign_ticket
 *     ("v1." + hex HMAC-SHA256 with the server secret over the bucket and
 *     the five values before it);
 *   - an ["eq", "$NAME", value] condition for `callback` and each x:
 *     variable, so the browser can change neither.
 * The callback body template names OSS's system variables and ossign's
 * own (${x:ossign_ticket}...); in a JSON body a string variable brings its
 * own quotes ({"object":${object}}, never "${object}").  Every template
 * must carry "object" = ${object} and "ossign_NAME" = ${x:ossign_NAME} for
 * the six values, under those names, so the check below finds them.
 *
 * Checking (the callback route, after cbverify.h said OSS sent it): parse
 * the body as JSON or as a form, recompute the ticket over the values it
 * carries and compare in constant time, check the expiration (with a
 * grace: OSS checks the policy when the upload starts, the callback comes
 * when it ends), the bucket, and that the object OSS reports is the key
 * signed, or lies under the prefix signed.
 *
 * The threat (README, "Callbacks"): OSS honours form fields no condition
 * names, so a browser holding any signature, or any OSS account of its
 * own, can attach a `callback` of its own to an upload, point it at
 * ossign's callback route and make the body say what it likes; OSS signs
 * that callback as genuinely as any other, with the same key for every
 * bucket.  OSS's signature proves only that OSS sent the request.  What
 * ties a callback to ossign is the ticket: a forged body cannot carry one
 * for values ossign did not sign (the secret never leaves the server), so
 * it cannot speak for another user, section, bucket, a key outside what
 * was signed, or a signature expired longer than the grace.
 * What is left, for the route to handle: the browser sees its own
 * tickets (they are in the answer's fields), so it can replay one in
 * callbacks of its own with "object" set to the key it was signed for, or
 * in prefix mode any key under the prefix, before or without uploading,
 * and with etag, size and mimeType made up.  Against that: deliver at most
 * one event per callback_event.id (ticket and object), and HEAD the
 * object on OSS and compare etag and size before delivering
 * (callback_verify_object) when the application relies on them; refuse
 * callbacks for sections without callback_url (no ticket is issued for
 * them).  route_callback.c does all three (cbdeliver.h, cbobject.h).
 * Treat tickets like signatures: never log one in full.
 */
#ifndef OSSIGN_CALLBACK_H
#define OSSIGN_CALLBACK_H

#include <stddef.h>
#include <time.h>

#include "limit.h"

enum callback_body_type {
	CALLBACK_JSON,		/* application/json (ossign's default) */
	CALLBACK_FORM,		/* application/x-www-form-urlencoded */
	CALLBACK_BODY__MAX
};
/* "application/json", "application/x-www-form-urlencoded" */
extern const char *const callback_body_types[CALLBACK_BODY__MAX];

/* ossign's own values in every callback, in the order they are sent. */
enum callback_var {
	CALLBACK_VAR_USER,
	CALLBACK_VAR_UPLOAD,
	CALLBACK_VAR_MATCH,
	CALLBACK_VAR_KEY,
	CALLBACK_VAR_EXP,
	CALLBACK_VAR_TICKET,
	CALLBACK_VAR__MAX
};
/* "x:ossign_user"...: the form fields (and ${...} names). */
extern const char *const callback_var_fields[CALLBACK_VAR__MAX];
/* "ossign_user"...: the names in the callback body. */
extern const char *const callback_var_names[CALLBACK_VAR__MAX];

#define CALLBACK_NO_USER	"-"	/* x:ossign_user without a user */
#define CALLBACK_TICKET_LEN	67	/* "v1." + 64 hex */
#define CALLBACK_ID_LEN		64	/* hex SHA-256 */

/* A section's callback settings (the callback_* keys).  Borrowed. */
struct callback_settings {
	const char	*url;		/* callback_url: 1 to 5, ';' between */
	const char	*host;		/* callback_host, or NULL */
	int		 sni;		/* callback_sni: -1 unset, 0/1 no/yes */
	enum callback_body_type body_type;
	const char	*body;		/* callback_body; NULL: the default */
	int		 insecure;	/* callback_insecure: http:// allowed */
	const char	*param;		/* callback_param(this), made once at
					   load; NULL: made for each form */
};

/* The default template for type (bucket, object, etag, size, mimeType and
   ossign's six values). */
const char	*callback_default_body(enum callback_body_type type);

/*
 * Check s at load time: URLs (https unless insecure, no userinfo, no
 * fragment, a valid host and port, printable ASCII with valid escapes,
 * LIMIT_URL_LEN each, at most LIMIT_CB_URLS), callback_host, the body type
 * and the template (at most LIMIT_CB_TEMPLATE bytes; only the known
 * variables; for JSON, a JSON object once variables are filled in; the
 * fields "object" and ossign's six present as above), and that the
 * `callback` field fits LIMIT_CB_PARAM.  Returns 0, or -1 with a message
 * naming the key in err and, when bad is not NULL, the key to blame in
 * *bad (a load error's line).
 */
enum callback_key {
	CALLBACK_KEY_URL,	/* callback_url, and what has no line of its own */
	CALLBACK_KEY_HOST,	/* callback_host */
	CALLBACK_KEY_BODY	/* callback_body */
};
int		 callback_settings_check(const struct callback_settings *s,
		    enum callback_key *bad, char *err, size_t errlen);

/*
 * The `callback` field for s (checked by callback_settings_check): base64
 * of its JSON.  A new string (free it), or NULL when out of memory.
 */
char		*callback_param(const struct callback_settings *s);

/* One signature's values.  Borrowed. */
struct callback_values {
	const char	*bucket;	/* the configured bucket */
	const char	*user;		/* REMOTE_USER; NULL or "": none */
	const char	*upload;	/* the upload section */
	const char	*key;		/* the key signed, or the prefix */
	int		 prefix;	/* 1: key is a prefix (starts-with) */
	time_t		 expiration;	/* the policy's */
};

struct callback_field {
	char		*name;		/* "callback", "x:ossign_user"... */
	char		*value;
};

/* A condition for the policy: policy_add_eq(pol, field, value). */
struct callback_cond {
	const char	*op;		/* "eq" */
	const char	*field;		/* as in fields[] */
	const char	*value;
};

/* What a signature adds: every field to send and every condition to add,
   in this order (strings owned by the form). */
struct callback_form {
	struct callback_field fields[1 + CALLBACK_VAR__MAX];
	struct callback_cond conds[1 + CALLBACK_VAR__MAX];
	size_t		 n;		/* entries in both */
};

/*
 * Build the fields and conditions of one signature for s (checked) and v,
 * with the server secret (LIMIT_SECRET_MIN to LIMIT_SECRET_MAX
 * bytes).  A user must be 1 to LIMIT_USER_LEN bytes of UTF-8 without
 * control bytes and not "-"; the key or prefix must not be empty.
 * Returns a new form (free with callback_form_free) or NULL with the
 * reason in err.
 */
struct callback_form *callback_form_new(const struct callback_settings *s,
		    const struct callback_values *v, const void *secret,
		    size_t secretlen, char *err, size_t errlen);
/* NULL is fine. */
void		 callback_form_free(struct callback_form *f);

/* ---- the verifying side -------------------------------------------- */

/* Why a callback body was refused. */
enum callback_err {
	CALLBACK_OK = 0,
	CALLBACK_MALFORMED,	/* not JSON/form, unknown type, duplicates */
	CALLBACK_TOO_LARGE,	/* over LIMIT_CB_BODY or LIMIT_CB_VARS */
	CALLBACK_NO_TICKET,	/* ossign's values are missing */
	CALLBACK_BAD_TICKET,	/* the ticket does not match its values */
	CALLBACK_EXPIRED,	/* past the expiration and the grace */
	CALLBACK_WRONG_BUCKET,	/* "bucket" is not the configured one */
	CALLBACK_WRONG_OBJECT,	/* "object" missing, or not what was signed */
	CALLBACK_INTERNAL,	/* out of memory, bad arguments */
	CALLBACK__MAX
};
/* "bad_ticket": a stable name for logs and metrics labels. */
const char	*callback_err_name(enum callback_err);
/* "the ticket does not match": safe to show and to log. */
const char	*callback_err_message(enum callback_err);

struct callback_var_value {
	char		*name;
	char		*value;		/* NUL-terminated; never holds a NUL
					   (no \u0000 in JSON, no %00) */
	size_t		 len;
	int		 is_string;	/* JSON: a string (else the JSON text
					   of a number, object...); form: 1 */
};

/* A parsed callback body: its variables, in body order, names unique. */
struct callback_vars {
	enum callback_body_type type;
	struct callback_var_value v[LIMIT_CB_VARS];
	size_t		 n;
};

/*
 * Parse a callback body per content_type (its media type, any
 * parameters ignored; NULL is OSS's default, a form): a JSON object
 * read by jsonr_parse (strict RFC 8259, UTF-8, no \u0000, depth
 * LIMIT_CB_JSON_DEPTH, no name twice in any object, nothing after it but
 * spaces) or application/x-www-form-urlencoded ('+' is a
 * space, escapes valid, no %00, no duplicate names).  On CALLBACK_OK *out
 * is new (free with callback_vars_free).
 */
enum callback_err callback_body_parse(const char *content_type,
		    const void *body, size_t len, struct callback_vars **out);
/* The variable called name, or NULL. */
const struct callback_var_value *callback_vars_get(
		    const struct callback_vars *vars, const char *name);
/* NULL is fine. */
void		 callback_vars_free(struct callback_vars *vars);

/* What the ticket check established. */
struct callback_event {
	char		 user[LIMIT_USER_LEN + 1];	/* "" when none */
	char		 upload[LIMIT_UPLOAD_NAME + 1];
	char		 key[LIMIT_KEY_LEN + 1];	/* key/prefix signed */
	int		 prefix;
	time_t		 expiration;
	char		 object[LIMIT_KEY_LEN + 1];	/* the object stored */
	/* hex SHA-256 of ticket and object: one name per upload, for a
	   spool file or to refuse a second delivery */
	char		 id[CALLBACK_ID_LEN + 1];
};

/*
 * Check ossign's values in vars for bucket with the server secret at now:
 * the ticket (constant-time), then now <= expiration + grace seconds,
 * then "bucket" (when the body has one) and "object" against the key or
 * prefix.  Returns CALLBACK_OK and fills ev, or the first reason.
 */
enum callback_err callback_ticket_check(const struct callback_vars *vars,
		    const char *bucket, const void *secret, size_t secretlen,
		    time_t now, long long grace, struct callback_event *ev);

#endif /* OSSIGN_CALLBACK_H */
