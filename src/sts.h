/*
 * The credential protocols: STS AssumeRole (signed with the long-term key,
 * ACS3-HMAC-SHA256 or RPC) and AssumeRoleWithOIDC, the ECS instance
 * metadata service, a credentials URI.  Each call builds its requests
 * (acssig signs them, afresh for every try), makes them through http
 * (timeouts, bounded retries, no proxy from the environment) and parses
 * the answer; nothing here knows libcurl.
 *
 * The parsers and sts_url_host are pure: time and input come in as
 * arguments, so they are tested with known answers.
 */
#ifndef OSSIGN_STS_H
#define OSSIGN_STS_H

#include <stddef.h>
#include <time.h>

#include "conf.h"
#include "creds.h"
#include "limit.h"
#include "oerr.h"

#define STS_API_VERSION	"2015-04-01"

/*
 * Check that url is "scheme://host[:port]" with an optional "/" and
 * nothing else (no user info, path, query or fragment), scheme https, or
 * http too when allow_http; copy "host[:port]" into host.  Returns 0 or -1.
 */
int	 sts_url_host(const char *url, int allow_http, char *host,
	    size_t hostsz);

/*
 * A refusal or failure that STS (or a metadata service) explained: the
 * Code and RequestId it gave, already reduced to safe characters.
 */
struct sts_error {
	long	 status;			/* HTTP status, 0: none */
	char	 code[LIMIT_STS_ID_LEN + 1];	/* "" when none */
	char	 request_id[LIMIT_STS_ID_LEN + 1];
	char	 message[LIMIT_ERRMSG];		/* STS's Message, for logs */
	time_t	 expiration_cut;	/* STS_OK: the Expiration the answer
					   said, when it was cut; else 0 */
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
 * checked (present, string, charset, length, Expiration a UTC time at
 * least LIMIT_MIN_VALIDITY after now); nothing partial is ever returned.
 * An Expiration more than duration (the DurationSeconds asked for) and
 * LIMIT_CLOCK_SKEW after now is cut to now + duration, and
 * e->expiration_cut says what it was.  On STS_OK out holds new strings
 * (creds_clear them); otherwise out is untouched and e says why.
 */
enum sts_result sts_parse_assume(const char *body, size_t len, long status,
	    time_t now, long long duration, struct creds *out,
	    struct sts_error *e);

/*
 * Parse the flat form the ECS metadata service and a credentials URI
 * answer: {"Code":"Success" (optional for a URI),"AccessKeyId",
 * "AccessKeySecret","SecurityToken","Expiration"}.  As sts_parse_assume,
 * with LIMIT_CREDS_LIFE_MAX for the duration: such a source says nothing
 * of how long it meant them to last.
 */
enum sts_result sts_parse_flat(const char *body, size_t len, long status,
	    time_t now, struct creds *out, struct sts_error *e);

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

#endif /* OSSIGN_STS_H */
