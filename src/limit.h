/*
 * Every limit ossign enforces, in one place.  Requests are checked against
 * these before anything else is done with them.
 */
#ifndef OSSIGN_LIMIT_H
#define OSSIGN_LIMIT_H

#define LIMIT_QUERY_LEN		4096	/* bytes of QUERY_STRING */
#define LIMIT_BODY_DRAIN	65536	/* body bytes we read and drop */
#define LIMIT_PARAM_LEN		1024	/* a decoded parameter value */
#define LIMIT_UPLOAD_NAME	32	/* [upload NAME] */
#define LIMIT_CTYPE_LEN		127	/* type/subtype */
#define LIMIT_CTYPES		32	/* content_types per upload */
#define LIMIT_FILENAME_IN	1024	/* bytes of a filename as sent */
#define LIMIT_FILENAME_OUT	160	/* bytes of a cleaned name, extension included */
#define LIMIT_EXT_LEN		16	/* bytes of an extension, dot excluded */
#define LIMIT_PREFIX_LEN	512	/* an expanded key prefix */
#define LIMIT_KEY_LEN		1023	/* an OSS object key */
#define LIMIT_USER_LEN		64	/* REMOTE_USER in a key */
#define LIMIT_ORIGIN_LEN	256	/* an Origin header */
#define LIMIT_ORIGINS		32	/* cors_origins entries */
#define LIMIT_META		16	/* x-oss-meta-* per upload */
#define LIMIT_FIELD_VALUE	8192	/* OSS: each form field value */
#define LIMIT_CONF_SIZE		(1024 * 1024)	/* config file bytes */
#define LIMIT_CONF_LINE		4096	/* a config line */
#define LIMIT_CONF_UPLOADS	64	/* [upload] sections */
#define LIMIT_ERRMSG		256	/* an error message */
#define LIMIT_SECRET_LEN	1024	/* an AccessKey secret or id */
#define LIMIT_TOKEN_LEN		8192	/* an STS security token */

#define LIMIT_OBJECT_SIZE	(5LL * 1024 * 1024 * 1024)	/* OSS: 5 GiB */
#define LIMIT_SIZE_PARAM	1000000000000000000LL	/* size= parses up to 10^18 */
#define LIMIT_TTL_MIN		60	/* policy_ttl bounds, seconds */
#define LIMIT_TTL_MAX		86400
#define LIMIT_MIN_VALIDITY	60	/* never sign with creds expiring sooner */

#define DEFAULT_CONF_PATH	"/etc/ossign.conf"
#define DEFAULT_POLICY_TTL	600
#define DEFAULT_MAX_SIZE	(10LL * 1024 * 1024)
#define DEFAULT_UPLOAD		"default"

/* ---- credentials (issue 3): STS client, sources, cache ---------------- */
#define LIMIT_STS_RESPONSE	65536	/* bytes of an STS/metadata answer */
#define LIMIT_AKID_LEN		128	/* an AccessKey id */
#define LIMIT_ROLE_ARN_LEN	256	/* acs:ram::UID:role/NAME */
#define LIMIT_SESSION_NAME_MIN	2	/* RoleSessionName */
#define LIMIT_SESSION_NAME_MAX	64
#define LIMIT_DURATION_MIN	900	/* DurationSeconds */
#define LIMIT_DURATION_MAX	43200
#define LIMIT_SESSION_POLICY	2048	/* STS: characters of Policy */
#define LIMIT_OIDC_TOKEN_LEN	16384	/* an OIDC token (JWT) */
#define LIMIT_SECRET_FILE	16384	/* access_key_file, oidc_token_file */
#define LIMIT_URL_LEN		2048	/* an endpoint or credentials URI */
#define LIMIT_ECS_ROLE_LEN	64	/* an ECS RAM role name */
#define LIMIT_ECS_TOKEN_LEN	1024	/* an ECS metadata token */
#define LIMIT_ECS_TOKEN_TTL	21600	/* seconds asked for a metadata token */
#define LIMIT_STS_ID_LEN	128	/* RequestId, Code echoed in errors */
#define LIMIT_CACHE_FILE	32768	/* bytes of the cache file */
#define LIMIT_REFRESH_HOLD	30	/* after a failed refresh with usable
					   credentials, wait this long */
#define LIMIT_FAIL_HOLD		1	/* after a failure with nothing usable,
					   answer the same error this long */
#define LIMIT_CACHE_SLACK	5	/* seconds a hold read from the cache may
					   lie beyond its length from now */
#define LIMIT_CREDS_LIFE_MAX	43200	/* the longest credentials are trusted
					   to last: STS's longest duration; an
					   ECS metadata or credentials URI
					   Expiration further ahead is cut */
#define LIMIT_CLOCK_SKEW	300	/* seconds STS's clock may run ahead of
					   ours in an AssumeRole Expiration */
#define LIMIT_LOCK_POLL_MS	20	/* lock wait poll interval */
#define LIMIT_STATEDIR_NAME	128	/* a file name in a state directory */
#define LIMIT_LOG_REPEAT	10	/* seconds an identical error answer is
					   counted instead of logged again */

#define DEFAULT_STS_ENDPOINT	"https://sts.aliyuncs.com"
#define DEFAULT_METADATA_ENDPOINT "http://100.100.100.200"
#define DEFAULT_CACHE_DIR	"/run/ossign"
#define DEFAULT_SESSION_NAME	"ossign"
#define DEFAULT_DURATION	3600
#define DEFAULT_CONNECT_TIMEOUT	2
#define DEFAULT_TIMEOUT		5
#define DEFAULT_RETRIES		2
#define DEFAULT_REFRESH_BEFORE	900
/* ---- end of credentials limits ---------------------------------------- */

/* ---- outbound HTTP (src/http.c), for every caller --------------------- */
#define LIMIT_HTTP_RETRIES	10	/* retries at most */
#define LIMIT_HTTP_BACKOFF_MS	200	/* first retry pause, doubled each time */
#define LIMIT_HTTP_BACKOFF_MAX_MS 3000	/* longest retry pause */
#define LIMIT_HTTP_HEADER_LEN	1024	/* a response header value kept */
#define LIMIT_HTTP_RESPONSE_MAX	(8 * 1024 * 1024) /* an answer's body, any caller */
/* ---- end of outbound HTTP limits -------------------------------------- */

#endif /* OSSIGN_LIMIT_H */
