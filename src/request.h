/*
 * A request as the web server hands it over (CGI variables), and the
 * allow-list of query parameters with a validator and a length cap each.
 * Pure: the responder fills struct request from the environment or from
 * FastCGI parameters.
 */
#ifndef OSSIGN_REQUEST_H
#define OSSIGN_REQUEST_H

#include "limit.h"
#include "oerr.h"

enum request_method {
	REQUEST_GET,
	REQUEST_HEAD,
	REQUEST_OPTIONS,
	REQUEST_OTHER,
	REQUEST_NONE		/* REQUEST_METHOD missing */
};

/* The CGI variables ossign reads.  Strings are borrowed. */
struct request {
	enum request_method method;
	const char	*query;		/* QUERY_STRING, may be NULL */
	const char	*remote_user;	/* REMOTE_USER */
	const char	*origin;	/* HTTP_ORIGIN */
	const char	*content_length;	/* CONTENT_LENGTH */
	const char	*acr_method;	/* HTTP_ACCESS_CONTROL_REQUEST_METHOD */
};

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
