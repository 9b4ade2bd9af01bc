/*
 * A request as the web server hands it over (CGI variables), and the
 * allow-list of query parameters with a validator and a length cap each.
 * Pure: the responder fills struct request with request_read() from the
 * environment (CGI) or the FastCGI parameters, through a lookup function.
 */
#ifndef OSSIGN_REQUEST_H
#define OSSIGN_REQUEST_H

#include <stddef.h>

#include "limit.h"
#include "oerr.h"

enum request_method {
	REQUEST_GET,
	REQUEST_HEAD,
	REQUEST_OPTIONS,
	REQUEST_POST,
	REQUEST_PUT,
	REQUEST_DELETE,
	REQUEST_OTHER,
	REQUEST_NONE		/* REQUEST_METHOD missing */
};

/*
 * The bounded CGI variables of struct request: one over its cap is left
 * NULL (never cut) and its bit (1 << REQUEST_VAR_*) set in toolong, so a
 * route that needs it can refuse the request and the others ignore it.
 */
enum request_var {
	REQUEST_VAR_PATH,		/* LIMIT_REQ_PATH */
	REQUEST_VAR_CONTENT_TYPE,	/* LIMIT_REQ_CTYPE */
	REQUEST_VAR_AUTHORIZATION,	/* LIMIT_REQ_AUTHZ */
	REQUEST_VAR_COOKIE,		/* LIMIT_REQ_COOKIE */
	REQUEST_VAR_OSS_PUB_KEY_URL,	/* LIMIT_REQ_PUB_KEY_URL */
	REQUEST_VAR_REMOTE_ADDR,	/* LIMIT_REQ_ADDR */
	REQUEST_VAR_REQUEST_URI,	/* LIMIT_CB_REQUEST_URI (issue 10) */
	REQUEST_VAR_X_FORWARDED_FOR,	/* LIMIT_REQ_XFF (issue 11) */
	REQUEST_VAR__MAX
};

/* Where path came from. */
enum request_path_src {
	REQUEST_PATH_NONE,	/* neither: path is "" */
	REQUEST_PATH_URI,	/* REQUEST_URI up to '?', as sent (escaped) */
	REQUEST_PATH_SCRIPT	/* SCRIPT_NAME + PATH_INFO (decoded) */
};

/*
 * The CGI variables ossign reads.  Strings are borrowed from the lookup
 * (the environment, or the FastCGI parameters until FCGX_Finish_r), except
 * path, which is a copy.  query, remote_user, origin, content_length and
 * acr_method are bounded where they are used (request_parse_query,
 * keyname_expand, reply_cors...); the others by their REQUEST_VAR_ cap.
 */
struct request {
	enum request_method method;
	const char	*query;		/* QUERY_STRING, may be NULL */
	const char	*remote_user;	/* REMOTE_USER */
	const char	*origin;	/* HTTP_ORIGIN */
	const char	*content_length;	/* CONTENT_LENGTH */
	const char	*acr_method;	/* HTTP_ACCESS_CONTROL_REQUEST_METHOD */
	/* What the routes of issues 10-12 need. */
	const char	*content_type;	/* CONTENT_TYPE */
	const char	*authorization;	/* HTTP_AUTHORIZATION */
	const char	*cookie;	/* HTTP_COOKIE */
	const char	*oss_pub_key_url;	/* HTTP_X_OSS_PUB_KEY_URL */
	const char	*remote_addr;	/* REMOTE_ADDR */
	const char	*request_uri;	/* REQUEST_URI, raw: what OSS signs
					   (the callback route, issue 10) */
	const char	*x_forwarded_for;	/* HTTP_X_FORWARDED_FOR */
	enum request_path_src path_src;
	unsigned int	 toolong;	/* 1 << REQUEST_VAR_* over its cap */
	char		 path[LIMIT_REQ_PATH + 1];	/* "" when none */
	/*
	 * The body, read by the responder up to the route's limit (NULL
	 * when the route takes none); body_over: more was sent than that.
	 */
	const char	*body;
	size_t		 bodylen;
	int		 body_over;
};

/* A CGI variable by name, or NULL (getenv, or FCGX_GetParam on envp). */
typedef const char *(*request_getvar_fn)(const char *name, void *arg);

/*
 * Fill r (every field but body, bodylen, body_over, which it clears) from
 * the CGI variables get returns.  Never fails: a variable over its cap is
 * left NULL and flagged in r->toolong.
 */
void	 request_read(struct request *r, request_getvar_fn get, void *arg);

/*
 * A body source: up to n bytes into buf; fewer than n only at the end of
 * the body (or on an error).
 */
typedef size_t (*request_body_fn)(void *arg, char *buf, size_t n);

/*
 * Read at most limit body bytes from rd: the first max of them into a new
 * buffer (*buf, to free; r->body and r->bodylen point at it; none when max
 * is 0), the rest dropped, with r->body_over set when there were any.
 * Returns 1 when rd ended before limit bytes, else 0 (there may be more).
 */
int	 request_read_body(struct request *r, size_t max, long long limit,
	    request_body_fn rd, void *arg, char **buf);

/* Validated query parameters; has_* says which were given. */
struct request_params {
	int		 has_upload, has_filename, has_ctype, has_size;
	char		 upload[LIMIT_UPLOAD_NAME + 1];
	char		 filename[LIMIT_FILENAME_IN + 1];
	char		 ctype[LIMIT_CTYPE_LEN + 1];	/* lowercased */
	long long	 size;
};

/*
 * The allow-list of parameters, shared by the query string and the JSON
 * batch body (src/batch.c): each has a name, a cap and a validator.
 */
enum request_param {
	REQUEST_PARAM_UPLOAD,		/* upload */
	REQUEST_PARAM_FILENAME,		/* filename */
	REQUEST_PARAM_CTYPE,		/* content_type */
	REQUEST_PARAM_SIZE,		/* size */
	REQUEST_PARAM__MAX
};

/* The enum request_param of a parameter name, or -1. */
int	 request_param_find(const char *name);

/* Empty parameters: nothing given, size -1. */
void	 request_params_init(struct request_params *p);

/*
 * Set parameter i of p from the len bytes at v (already decoded): refused
 * when len reaches its cap, when v holds a NUL, or when its validator
 * says no (OERR_INVALID_FILENAME for the file name, else
 * OERR_BAD_REQUEST, with d filled: "the parameter NAME ...").  Marks it
 * given; repeats are the caller's to refuse.
 */
enum oerr request_param_set(struct request_params *p, enum request_param i,
	    const char *v, size_t len, struct oerr_detail *d);

/* REQUEST_METHOD to enum request_method. */
enum request_method request_method(const char *s);

/*
 * Parse and validate a query string (NULL is an empty one) into p.
 * Unknown parameters are ignored; repeated, malformed or out-of-range ones
 * are refused.  Returns OERR_OK, or an error with d filled.
 */
enum oerr request_parse_query(const char *query, struct request_params *p,
	    struct oerr_detail *d);

/*
 * CONTENT_LENGTH as a number: 0 when absent or empty, -1 when malformed.
 */
long long request_content_length(const struct request *r);

#endif /* OSSIGN_REQUEST_H */
