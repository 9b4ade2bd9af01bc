/*
 * Every limit ossign enforces, in one place.  Requests are checked against
 * these before anything else is done with them.
 */
#ifndef OSSIGN_LIMIT_H
#define OSSIGN_LIMIT_H

#define LIMIT_QUERY_LEN		4096	/* bytes of QUERY_STRING */
#define LIMIT_BODY_DRAIN	65536	/* body bytes we read and drop */
#define LIMIT_BODY_KEEP		(1024 * 1024)	/* FastCGI: body bytes read and
					   dropped to keep a kept connection;
					   beyond, it is closed */
/* ---- the request's other CGI variables (struct request, route table) --- */
#define LIMIT_REQ_PATH		2048	/* the path (REQUEST_URI before '?') */
#define LIMIT_REQ_CTYPE		256	/* CONTENT_TYPE */
#define LIMIT_REQ_AUTHZ		10240	/* Authorization: a JWT of 8 KiB + scheme */
#define LIMIT_REQ_COOKIE	8192	/* Cookie */
#define LIMIT_REQ_PUB_KEY_URL	1024	/* x-oss-pub-key-url (base64 of a URL) */
#define LIMIT_REQ_ADDR		64	/* REMOTE_ADDR (IPv6 with a zone) */
#define LIMIT_REQ_XFF		2048	/* X-Forwarded-For (issue 11) */
#define LIMIT_ROUTE_ARGS	4	/* '*' segments a route pattern captures */
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
#define LIMIT_HEADER_VALUE	1024	/* content_disposition, cache_control */
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

#define DEFAULT_CONF_PATH	"/etc/ossign/ossign.conf"
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

/* ---- auth, rate limits, batch, metrics (issue 11) ---------------------- */
#define LIMIT_JWT_LEN		8192	/* bytes of a token (compact JWS) */
#define LIMIT_JWT_DEPTH		16	/* JSON nesting in a token's parts */
#define LIMIT_JWT_KEYS		32	/* keys in one key set */
#define LIMIT_JWT_KID		128	/* bytes of a kid */
#define LIMIT_JWT_KEYFILE	65536	/* bytes of a PEM key or JWKS document */
#define LIMIT_JWT_HMAC_MIN	32	/* HS256 secret bytes at least (RFC 7518 3.2) */
#define LIMIT_JWT_HMAC_MAX	1024	/* HS256 secret bytes at most */
#define LIMIT_JWT_RSA_BITS	2048	/* smallest RSA modulus accepted */
#define LIMIT_JWT_RSA_BITS_MAX	8192	/* largest RSA modulus accepted */
#define LIMIT_JWT_CLAIM_NAME	64	/* jwt_user_claim */
#define LIMIT_JWT_LEEWAY	600	/* jwt_leeway at most, seconds */
#define LIMIT_JWT_TIME_MAX	253402300799LL	/* 9999-12-31T23:59:59Z */
#define DEFAULT_JWT_LEEWAY	60
#define DEFAULT_JWT_USER_CLAIM	"sub"

#define LIMIT_RATE_COUNT	1000000	/* N of rate_limit = N/unit */
#define LIMIT_RATE_BURST	1000000	/* rate_burst */
#define LIMIT_RATE_PROBE	8	/* slots probed for one key */
#define LIMIT_RATE_SLOTS_MIN	16	/* a rate table has at least this many */
#define LIMIT_RATE_SLOTS_MAX	(1 << 20)
#define LIMIT_RATE_KEY		256	/* bytes of a scope or key */
#define DEFAULT_RATE_SLOTS	4096	/* the table in cache_dir: ~200 KiB */

#define LIMIT_BATCH_BODY	65536	/* bytes of a batch body */
#define LIMIT_BATCH_MAX		1000	/* batch_max at most */
#define LIMIT_BATCH_DEPTH	8	/* JSON nesting in a batch body */
#define DEFAULT_BATCH_MAX	100

#define LIMIT_METRICS_TEXT	65536	/* bytes of the /metrics answer */
#define LIMIT_ADDRS		32	/* metrics_allow entries */

/* auth and rate limits wired (helper I): conf keys, gate, the table file */
#define LIMIT_JWT_KEY_FILES	8	/* jwt_key lines per upload section */
#define LIMIT_JWT_CACHE		64	/* verified tokens a FastCGI process
					   keeps (auth.c), per process */
#define LIMIT_JWT_CACHE_TOKEN	2048	/* longer tokens are not kept */
#define LIMIT_JWT_CLAIM_VALUE	1024	/* jwt_issuer, jwt_audience */
#define LIMIT_JWT_COOKIE_NAME	64	/* jwt_cookie */
#define LIMIT_TRUSTED_PROXIES	32	/* trusted_proxies entries */
#define LIMIT_RATE_LOG		60	/* seconds between two warnings that
					   the rate table forgot a live key */
#define DEFAULT_RATE_FILE	"ratelimit"	/* the table, in cache_dir */
#define DEFAULT_AUTH_REALM	"ossign"	/* WWW-Authenticate realm */
/* ---- end of issue 11 limits ------------------------------------------- */
/* ---- the server secret (secret.c): callback tickets, upload ids -------- */
#define LIMIT_SECRET_MIN	32	/* bytes of secret_file, at least */
#define LIMIT_SECRET_MAX	4096	/* and at most */

/* ---- upload callbacks (issue 10): cbverify, callback, rawreq ---------- */
#define LIMIT_CB_URLS		5	/* OSS: callbackUrl entries, ';'-separated */
#define LIMIT_CB_HOST_LEN	255	/* callback_host */
#define LIMIT_CB_TEMPLATE	4096	/* callback_body template bytes */
#define LIMIT_CB_PARAM		LIMIT_FIELD_VALUE /* the base64 `callback` field */
#define LIMIT_CB_BODY		65536	/* a callback body OSS sends */
#define LIMIT_CB_VARS		64	/* variables in one callback body */
#define LIMIT_CB_JSON_DEPTH	8	/* nesting in a JSON callback body */
#define LIMIT_CB_TARGET		8192	/* REQUEST_URI, or path + query */
#define LIMIT_CB_KEY_URLS	8	/* public key URLs in the allow-list */
#define LIMIT_CB_SIG_B64	2048	/* the Authorization header (base64) */
#define LIMIT_CB_RSA_MIN_BITS	512	/* OSS's published key has 512 bits */
#define LIMIT_CB_RSA_MAX_BITS	8192	/* bounds the CPU one check costs */
#define LIMIT_CB_PEM		16384	/* a public key file */
#define LIMIT_CB_EXP_LEN	24	/* "2026-11-25T06:19:41.000Z" */
#define LIMIT_RAWREQ_HEAD	16384	/* request line and headers of a raw request */
#define LIMIT_RAWREQ_HEADERS	64	/* header lines */
#define LIMIT_RAWREQ_SIZE	(LIMIT_RAWREQ_HEAD + LIMIT_CB_BODY)

/* How long after the policy's expiration a callback may still come: a
   PostObject is checked when it starts, and 5 GiB over a slow link takes
   hours.  Tickets are also bound to their key (see callback.h). */
#define DEFAULT_CB_GRACE	86400
#define DEFAULT_CB_KEY_URL	"https://gosspublic.alicdn.com/callback_pub_key_v1.pem"
#define DEFAULT_CB_KEY_URL_HTTP	"http://gosspublic.alicdn.com/callback_pub_key_v1.pem"
/* OSS's published key as installed (data/, Makefile.am passes the path). */
#ifdef OSSIGN_CALLBACK_KEY
#define DEFAULT_CB_KEY_FILE	OSSIGN_CALLBACK_KEY
#else
#define DEFAULT_CB_KEY_FILE	"/usr/local/share/ossign/callback_pub_key_v1.pem"
#endif
/* ---- upload callbacks wired (issue 10, wave 2): route, keys, delivery -- */
#define LIMIT_CB_REQUEST_URI	LIMIT_CB_TARGET	/* REQUEST_URI kept raw */
#define LIMIT_CB_TIMEOUT_MAX	4	/* callback_timeout at most, seconds:
					   OSS gives up after 5 */
#define DEFAULT_CB_TIMEOUT	3	/* callback_timeout, seconds */
#define LIMIT_CB_DEADLINE_MS	4500	/* everything a callback does (key
					   fetch, HEAD, forward) fits in this */
#define LIMIT_CB_KEY_FETCH_MS	2000	/* fetching a public key, once */
#define LIMIT_CB_HEAD_MS	2000	/* callback_verify_object's HEAD */
#define LIMIT_CB_ANSWER		(1024 * 1024)	/* OSS: the answer, at most 1 MB */
#define LIMIT_CB_ANSWER_DEPTH	32	/* nesting in the application's answer */
#define LIMIT_CB_KEYS		(LIMIT_CB_KEY_URLS + 2)	/* keys one process
					   keeps: pinned, shipped, fetched */
/* A claim (cache_dir/cb-ID, "delivered once") is kept as long as its
   ticket can still be valid: the longest policy_ttl, the grace, an hour. */
#define LIMIT_CB_CLAIM_KEEP	(LIMIT_TTL_MAX + DEFAULT_CB_GRACE + 3600)
#define LIMIT_CB_PRUNE_EVERY	3600	/* seconds between sweeps of old claims */
#define LIMIT_CB_FORWARD_SKEW	300	/* X-Ossign-Signature: the t= the
					   application should accept, +-s */
/* ---- end of callback limits -------------------------------------------- */
/* ---- OSS API (issue 12): V4 request signing, XML answers, multipart --- */
#define LIMIT_BUCKET_LEN	63	/* OSS: a bucket name, 3..63 bytes */
#define LIMIT_OSS_HEADERS	32	/* headers of one request ossign signs */
#define LIMIT_OSS_HEADER_NAME	128	/* a header name */
#define LIMIT_OSS_HEADER_VALUE	LIMIT_TOKEN_LEN	/* a header value */
#define LIMIT_OSS_PARAMS	16	/* query parameters of one request */
#define LIMIT_OSS_CANONICAL	65536	/* bytes of a canonical request or a
					   signed query string */
#define LIMIT_PRESIGN_MIN	1	/* OSS: x-oss-expires, seconds */
#define LIMIT_PRESIGN_MAX	604800	/* (7 days) */
#define LIMIT_OSS_XML_SIZE	(4 * 1024 * 1024)	/* an XML answer:
					   a ListParts page of 1,000 parts
					   is about 200 KB */
#define LIMIT_OSS_XML_DEPTH	8	/* element nesting in an answer (3
					   is the deepest OSS uses) */
#define LIMIT_OSS_XML_TEXT	8192	/* one element's text */
#define LIMIT_OSS_UPLOAD_ID	128	/* an UploadId (OSS: 32 hex digits) */
#define LIMIT_OSS_ETAG		128	/* an ETag, quotes included */
#define LIMIT_OSS_PART_NUMBER	10000	/* OSS: part numbers 1..10000 */
#define LIMIT_OSS_LIST_PAGE	1000	/* OSS: parts of one ListParts page */
#define LIMIT_OSS_PART_SIZE	(5LL * 1024 * 1024 * 1024)	/* a part */
#define LIMIT_OSS_ERR_ID	128	/* Code, RequestId, HostId, EC kept */
#define LIMIT_OSS_LOCATION	(LIMIT_URL_LEN + 3 * LIMIT_KEY_LEN)
#define LIMIT_OSS_CALLBACK	LIMIT_FIELD_VALUE	/* x-oss-callback and
					   x-oss-callback-var, base64 */
/* ---- end of OSS API limits -------------------------------------------- */
/* ---- Uppy Companion's S3 routes (issue 12): route_s3, s3req, s3id ----- */
#define LIMIT_MULTIPART_OBJECT	(10000LL * LIMIT_OSS_PART_SIZE)	/* OSS: 10,000
					   parts of 5 GiB, 48.8 TiB: max_size
					   with multipart = yes */
#define LIMIT_UPPY_PART_MIN	(5LL * 1024 * 1024)	/* the smallest part
					   @uppy/aws-s3 sends but the last (both
					   generations: 5 MiB) */
#define LIMIT_S3_BODY		65536	/* POST s3/multipart */
#define LIMIT_S3_COMPLETE_BODY	(1024 * 1024)	/* POST .../complete: 10,000
					   parts (Companion takes 1 MB too) */
#define LIMIT_S3_JSON_DEPTH	4	/* nesting in those bodies */
#define LIMIT_S3_BATCH		1000	/* partNumbers of one batch request */
#define LIMIT_S3_COMPLETE_TIMEOUT 60	/* seconds a Complete try may take
					   at least (OSS joins the parts) */
/* ---- end of Companion routes limits ----------------------------------- */
/* ---- outbound HTTP (src/http.c), for every caller --------------------- */
#define LIMIT_HTTP_RETRIES	10	/* retries at most */
#define LIMIT_HTTP_BACKOFF_MS	200	/* first retry pause, doubled each time */
#define LIMIT_HTTP_BACKOFF_MAX_MS 3000	/* longest retry pause */
#define LIMIT_HTTP_HEADER_LEN	1024	/* a response header value kept */
#define LIMIT_HTTP_RESPONSE_MAX	(8 * 1024 * 1024) /* an answer's body, any caller */
/* ---- end of outbound HTTP limits -------------------------------------- */

#endif /* OSSIGN_LIMIT_H */
