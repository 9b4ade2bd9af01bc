/*
 * The configuration file: "key = value" lines, '#' comments, global keys,
 * then "[upload NAME]" sections.  Every value is validated at load; an
 * error names the file and the line.  The loaded struct conf is read-only
 * for the life of the process.
 */
#ifndef OSSIGN_CONF_H
#define OSSIGN_CONF_H

#include <stddef.h>

#include "callback.h"
#include "limit.h"
#include "netaddr.h"
#include "ratelimit.h"

enum conf_creds {
	CONF_CREDS_ENV,
	CONF_CREDS_RAM_ROLE_ARN,
	CONF_CREDS_ECS_RAM_ROLE,
	CONF_CREDS_OIDC_ROLE_ARN,
	CONF_CREDS_URI,
	CONF_CREDS__MAX
};
extern const char *const conf_creds_names[CONF_CREDS__MAX];

enum conf_sts_sig {
	CONF_STS_ACS3,
	CONF_STS_RPC,
	CONF_STS__MAX
};

enum conf_keyname {
	CONF_KEYNAME_ORIGINAL,
	CONF_KEYNAME_UUID,
	CONF_KEYNAME__MAX
};

/* The configurable policy conditions, in their default order. */
enum conf_cond {
	CONF_COND_RANGE,	/* content-length-range */
	CONF_COND_KEY,		/* key starts-with / eq */
	CONF_COND_CTYPE,	/* content-type and x-oss-content-type in [...] */
	CONF_COND_OVERWRITE,	/* x-oss-forbid-overwrite */
	CONF_COND_STATUS,	/* success_action_status */
	CONF_COND_DISPOSITION,	/* content-disposition */
	CONF_COND_CACHE,	/* cache-control */
	CONF_COND_ACL,		/* x-oss-object-acl and acl */
	CONF_COND_STORAGE,	/* x-oss-storage-class */
	CONF_COND_META,		/* x-oss-meta-NAME (one per entry); keep last */
	CONF_COND__MAX
};

/* object_acl: the ACL every upload must ask for; ANY pins none. */
enum conf_acl {
	CONF_ACL_DEFAULT,
	CONF_ACL_PRIVATE,
	CONF_ACL_PUBLIC_READ,
	CONF_ACL_ANY,
	CONF_ACL__MAX
};
extern const char *const conf_acl_names[CONF_ACL__MAX];

/* auth (issue 11): who may use an upload section. */
enum conf_auth {
	CONF_AUTH_NONE,		/* anyone; no user */
	CONF_AUTH_REMOTE_USER,	/* the web server's REMOTE_USER */
	CONF_AUTH_JWT,		/* a JSON Web Token (Bearer or jwt_cookie) */
	CONF_AUTH__MAX		/* while parsing: not set */
};
extern const char *const conf_auth_names[CONF_AUTH__MAX];

/* One jwt_key line: "[hs256:]PATH [kid=KID]". */
struct conf_jwt_key {
	char		*path;
	char		*kid;		/* NULL: none */
	int		 hs256;		/* PATH holds an HS256 secret */
	size_t		 line;		/* in the configuration, for errors */
};

struct conf_meta {
	char		*field;		/* "x-oss-meta-title" (lowercase) */
	char		*value;
};

struct conf_order {
	enum conf_cond	 kind;
	size_t		 meta;		/* index into meta[] for META */
};

struct conf_upload {
	char		*name;
	char		*key_prefix;	/* template, may hold ${user} etc. */
	enum conf_keyname key_name;
	long long	 min_size;
	long long	 max_size;
	char		**content_types;
	size_t		 ncontent_types;
	int		 forbid_overwrite;
	int		 success_action_status;	/* 0: no condition */
	char		*content_disposition;	/* NULL: no condition */
	char		*cache_control;		/* NULL: no condition */
	enum conf_acl	 object_acl;
	char		*storage_class;		/* NULL: no condition */
	struct conf_meta *meta;
	size_t		 nmeta;
	/* Who and how often (issue 11; gate.c). */
	enum conf_auth	 auth;
	struct conf_jwt_key *jwt_keys;
	size_t		 njwt_keys;
	char		*jwt_issuer;		/* NULL: iss not checked */
	char		*jwt_audience;		/* NULL: no aud allowed */
	char		*jwt_user_claim;	/* NULL: sub */
	long long	 jwt_leeway;		/* seconds */
	char		*jwt_cookie;		/* NULL: Bearer only */
	int		 has_rate;		/* rate_limit is set */
	struct ratelimit_rate rate;		/* rate_limit, rate_burst */
	long long	 rate_burst;		/* as given; 0: not given */
	/* Conditions in the order their keys appear, then the rest. */
	struct conf_order order[CONF_COND__MAX - 1 + LIMIT_META];
	size_t		 norder;
	/* issue 12: Uppy Companion's S3 routes (route_s3.c) */
	int		 multipart;	/* multipart = yes: the routes answer */
	size_t		 max_size_line;	/* where max_size and multipart were */
	size_t		 multipart_line;	/* set, for conf_finish's errors */

	/* Upload callbacks (issue 10): callback.url NULL means none.  The
	   settings point at the strings below, checked at load by
	   callback_settings_check. */
	struct callback_settings callback;
	char		*callback_url;
	char		*callback_host;
	char		*callback_body;
	char		*callback_param;	/* the `callback` field */
	int		 callback_sni;		/* -1: unset */
	int		 callback_body_type;	/* enum callback_body_type */
	int		 callback_insecure;
	int		 callback_verify_object;	/* HEAD it on OSS first */
	char		*callback_spool;	/* a directory, or NULL */
	char		*callback_forward;	/* an internal URL, or NULL */
	long long	 callback_timeout;	/* seconds, for the forward */
	size_t		 callback_line[3];	/* lines of callback_url,
						   callback_host, callback_body
						   (enum callback_key) */
	/* issue 11: batch signing (helper J) */
	long long	 batch_max;	/* files in one batch request */
};

struct conf {
	char		*path;		/* the name conf_parse was given */
	char		*bucket;
	char		*region;	/* without "oss-" */
	char		*host;		/* no trailing slash */
	enum conf_creds	 credentials;
	long long	 policy_ttl;
	char		**cors_origins;
	size_t		 ncors_origins;
	int		 cors_any;	/* cors_origins = * */

	/* Credential sources (see creds_origin.h); NULL/0 when unset. */
	char		*role_arn;
	char		*role_session_name;
	long long	 duration;
	char		*external_id;
	char		*session_policy;	/* JSON text */
	int		 session_policy_auto;
	char		*sts_endpoint;
	enum conf_sts_sig sts_signature;
	long long	 connect_timeout;	/* seconds; defaults filled in */
	long long	 timeout;		/* seconds */
	long long	 retries;		/* DEFAULT_RETRIES when not set */
	char		*access_key_file;
	char		*ecs_role_name;
	char		*metadata_endpoint;
	char		*oidc_provider_arn;
	char		*oidc_token_file;
	char		*credentials_uri;
	char		*cache_dir;	/* DEFAULT_CACHE_DIR when not set */
	long long	 refresh_before;	/* seconds */
	char		*ca_file;
	char		*proxy;

	/* Upload callbacks (issue 10). */
	char		*secret_file;		/* NULL: cache_dir/secret */
	char		**callback_key_urls;	/* NULL: OSS's own (cbverify) */
	size_t		 ncallback_key_urls;
	char		*callback_public_key;	/* a PEM file pinned, or NULL */
	/* issue 11: health and metrics (helper J) */
	int		 metrics;	/* metrics = yes: count in cache_dir */
	struct netaddr_cidr *metrics_allow;	/* who may GET .../metrics */
	size_t		 nmetrics_allow;
	int		 metrics_allow_any;	/* metrics_allow = * */
	/* issue 11: whose X-Forwarded-For is believed (gate.c) */
	struct netaddr_cidr *trusted_proxies;
	size_t		 ntrusted_proxies;

	struct conf_upload *uploads;
	size_t		 nuploads;
};

/*
 * Parse len bytes of text as a configuration; name is used in error
 * messages (and kept as path).  Pure.  Returns a new conf (free with conf_free) or NULL with
 * "name:line: message" in err.
 */
struct conf	*conf_parse(const char *text, size_t len, const char *name,
		    char *err, size_t errlen);

/* Read and parse the file at path; errors as conf_parse. */
struct conf	*conf_load(const char *path, char *err, size_t errlen);

/* Free conf and everything it owns; NULL is fine. */
void		 conf_free(struct conf *conf);

/* The upload section called name, or NULL. */
const struct conf_upload *conf_upload_find(const struct conf *conf,
		    const char *name);

/* 1 when some upload section has callback_url (issue 10). */
int		 conf_has_callbacks(const struct conf *conf);
/*
 * 1 when addr (REMOTE_ADDR) may read the metrics: metrics_allow, or the
 * loopback addresses when it is unset; else 0.
 */
int		 conf_metrics_allowed(const struct conf *conf, const char *addr);

/* 1 when origin is allowed by cors_origins, else 0. */
int		 conf_origin_allowed(const struct conf *conf,
		    const char *origin);

#endif /* OSSIGN_CONF_H */
