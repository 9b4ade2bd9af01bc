/*
 * The STS client: request signing (ACS3-HMAC-SHA256 and the RPC HMAC-SHA1
 * style), HTTP through libcurl, and parsing of the answers.
 *
 * The signing and parsing functions are pure: time, nonce and secrets come
 * in as arguments, so they are tested with known answers.  sts_assume_*,
 * sts_ecs_metadata and sts_credentials_uri are the edge: they read the
 * clock, draw nonces and talk to the network, with timeouts, bounded
 * retries and no proxy from the environment.
 */
#ifndef OSSIGN_STS_H
#define OSSIGN_STS_H

#include <stddef.h>
#include <time.h>

#include <json-c/json.h>

#include "conf.h"
#include "creds.h"
#include "oerr.h"

#define STS_API_VERSION	"2015-04-01"

/* One query or form parameter; value NULL means "leave out". */
struct sts_param {
	const char	*name;
	const char	*value;
};

/*
 * Percent-encode s the way Alibaba Cloud's APIs do: everything but
 * A-Z a-z 0-9 - _ . ~ as %XX (uppercase hex) of its UTF-8 bytes.  Returns
 * a new string (free it) or NULL when out of memory.
 */
char	*sts_pct_encode(const char *s);

/*
 * Sort the n params by name (bytewise) and join them as "name=value" with
 * '&', both percent-encoded; params whose value is NULL are left out.
 * Returns a new string or NULL.
 */
char	*sts_canonical_query(const struct sts_param *p, size_t n);

/*
 * Check that url is "scheme://host[:port]" with an optional "/" and
 * nothing else (no user info, path, query or fragment), scheme https, or
 * http too when allow_http; copy "host[:port]" into host.  Returns 0 or -1.
 */
int	 sts_url_host(const char *url, int allow_http, char *host,
	    size_t hostsz);

/*
 * RPC style: the string to sign "METHOD&%2F&" + encode(canonical) and the
 * signature base64(HMAC-SHA1(secret + "&", s2s)).  Both return a new
 * string or NULL.
 */
char	*sts_rpc_string_to_sign(const char *method, const char *canonical);
char	*sts_rpc_signature(const char *secret, const char *string_to_sign);

/* The parts of an ACS3-HMAC-SHA256 request that are signed. */
struct sts_acs3 {
	const char		*method;	/* "POST" */
	const char		*host;		/* host[:port] */
	const char		*action;	/* x-acs-action */
	const char		*version;	/* x-acs-version */
	const char		*date;		/* x-acs-date, 2026-11-25T06:09:41Z */
	const char		*nonce;		/* x-acs-signature-nonce */
	const char		*security_token; /* x-acs-security-token or NULL */
	const struct sts_param	*query;
	size_t			 nquery;
	const char		*payload;	/* body, NULL for none */
	size_t			 payloadlen;
};

/*
 * ACS3: the canonical request, its string to sign and the Authorization
 * header value ("ACS3-HMAC-SHA256 Credential=...,SignedHeaders=...,
 * Signature=...").  Each returns a new string or NULL.  The payload hash
 * (x-acs-content-sha256) is written by sts_acs3_payload_hash into hex
 * (65 bytes).
 */
int	 sts_acs3_payload_hash(const struct sts_acs3 *r, char hex[65]);
char	*sts_acs3_canonical_request(const struct sts_acs3 *r);
char	*sts_acs3_string_to_sign(const char *canonical_request);
char	*sts_acs3_authorization(const struct sts_acs3 *r, const char *akid,
	    const char *secret);

/*
 * A refusal or failure that STS (or a metadata service) explained: the
 * Code and RequestId it gave, already reduced to safe characters.
 */
struct sts_error {
	long	 status;			/* HTTP status, 0: none */
	char	 code[LIMIT_STS_ID_LEN + 1];	/* "" when none */
	char	 request_id[LIMIT_STS_ID_LEN + 1];
	char	 message[LIMIT_ERRMSG];		/* STS's Message, for logs */
};

enum sts_result {
	STS_OK = 0,
	STS_REFUSED,	/* an error answer: do not retry */
	STS_RETRY,	/* 5xx, throttling: try again */
	STS_GARBAGE	/* not an answer we understand, or incomplete */
};

/*
 * Parse an STS answer: on HTTP 200 {"RequestId", "Credentials":
 * {"AccessKeyId","AccessKeySecret","SecurityToken","Expiration"}}, on
 * error {"RequestId","Code","Message"}.  Every credential field is
 * checked (present, string, charset, length, Expiration a UTC time after
 * now); nothing partial is ever returned.  On STS_OK out holds new
 * strings (creds_clear them); otherwise out is untouched and e says why.
 */
enum sts_result sts_parse_assume(const char *body, size_t len, long status,
	    time_t now, struct creds *out, struct sts_error *e);

/*
 * Parse the flat form the ECS metadata service and a credentials URI
 * answer: {"Code":"Success" (optional for a URI),"AccessKeyId",
 * "AccessKeySecret","SecurityToken","Expiration"}.  As sts_parse_assume.
 */
enum sts_result sts_parse_flat(const char *body, size_t len, long status,
	    time_t now, struct creds *out, struct sts_error *e);

/*
 * JSON helpers shared with the cache.  sts_json_parse: len bytes as one
 * JSON object (NULL when it is not one, or is over LIMIT_STS_RESPONSE);
 * json-c's scratch copy of the strings is overwritten.  sts_json_free:
 * wipe every string in j, then release it; NULL is fine.
 * sts_json_creds: take AccessKeyId, AccessKeySecret, SecurityToken and
 * Expiration from the object o, all checked, into out (new strings), or
 * return -1 with the reason in why and out untouched.  No clock.
 */
json_object	*sts_json_parse(const char *body, size_t len);
void		 sts_json_free(json_object *j);
int		 sts_json_creds(json_object *o, struct creds *out, char *why,
		    size_t whylen);

/*
 * How to reach STS (or a metadata service).  Defaults are applied by the
 * caller; strings are borrowed.
 */
struct sts_opts {
	const char		*endpoint;	/* https://host[:port][/] */
	enum conf_sts_sig	 sig;
	long			 connect_timeout;	/* seconds */
	long			 timeout;		/* seconds */
	long			 retries;
	const char		*ca_file;	/* NULL: the system's CAs */
	const char		*proxy;		/* NULL: none, never the env */
};

/* What to ask of AssumeRole / AssumeRoleWithOIDC; strings are borrowed. */
struct sts_role {
	const char	*role_arn;
	const char	*session_name;
	long long	 duration;
	const char	*external_id;		/* NULL: none */
	const char	*policy;		/* NULL: none */
};

/*
 * Call AssumeRole signed with the long-term key, or AssumeRoleWithOIDC
 * with the token (unsigned), retrying as opts says.  now is used to check
 * the Expiration of what comes back.  Returns 0 with new strings in out
 * (creds_clear them), or -1 with d filled (OERR_CREDS_REFUSED when STS
 * answered with an error, else OERR_CREDS_UNAVAILABLE; the message names
 * the STS Code and RequestId and never a secret) and a log line that
 * says what to fix.
 */
int	 sts_assume_role(const struct sts_opts *opts, const struct creds *key,
	    const struct sts_role *role, time_t now, struct creds *out,
	    struct oerr_detail *d);
int	 sts_assume_role_oidc(const struct sts_opts *opts,
	    const char *provider_arn, const char *token,
	    const struct sts_role *role, time_t now, struct creds *out,
	    struct oerr_detail *d);

/*
 * Get temporary credentials from the ECS instance metadata service at
 * opts->endpoint (token mode: PUT /latest/api/token, then GETs with the
 * token); role NULL discovers the instance's role.  From a credentials
 * URI for sts_credentials_uri.  Results as sts_assume_role.
 */
int	 sts_ecs_metadata(const struct sts_opts *opts, const char *role,
	    time_t now, struct creds *out, struct oerr_detail *d);
int	 sts_credentials_uri(const struct sts_opts *opts, const char *uri,
	    time_t now, struct creds *out, struct oerr_detail *d);

/*
 * session_policy = auto: a RAM policy allowing only oss:PutObject on
 * acs:oss:*:*:BUCKET/PREFIX* for the static part (before the first "${")
 * of each upload's key_prefix, duplicates and covered prefixes dropped.
 * Pure.  Returns a new string, or NULL with the reason in err (longer
 * than LIMIT_SESSION_POLICY, out of memory).
 */
char	*sts_policy_auto(const struct conf *conf, char *err, size_t errlen);

/*
 * libcurl's global state: sts_init before the first call (creds does it in
 * creds_source_new, before any worker is forked), sts_cleanup after the
 * last.  Counted, so pairs may nest.  sts_init returns 0 or -1.
 */
int	 sts_init(void);
void	 sts_cleanup(void);

#endif /* OSSIGN_STS_H */
