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
