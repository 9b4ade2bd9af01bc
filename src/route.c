/* The route table and dispatch; see route.h. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "route.h"

/* Method names for Allow, in the order they are listed. */
static const struct {
	enum request_method m;
	const char	*name;
} route_method_names[] = {
	{ REQUEST_GET, "GET" }, { REQUEST_HEAD, "HEAD" },
	{ REQUEST_POST, "POST" }, { REQUEST_PUT, "PUT" },
	{ REQUEST_DELETE, "DELETE" }, { REQUEST_OPTIONS, "OPTIONS" },
};

void
route_methods_str(unsigned int methods, char *buf, size_t bufsz)
{
	size_t i, o = 0;
	int n;

	if (bufsz == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < sizeof(route_method_names) /
	    sizeof(route_method_names[0]); i++) {
		if (!(methods & ROUTE_M(route_method_names[i].m)))
			continue;
		n = snprintf(buf + o, bufsz - o, "%s%s", o > 0 ? ", " : "",
		    route_method_names[i].name);
		if (n < 0 || (size_t)n >= bufsz - o)
			return;
		o += (size_t)n;
	}
}

/* Where the '/'-separated segment ending at end (in s0..) starts. */
static const char *
route_seg_start(const char *s0, const char *end)
{
	while (end > s0 && end[-1] != '/')
		end--;
	return end;
}

/*
 * 1 when path ends with the segments of pat ("*": any non-empty one);
 * then p's args (in path order) and before are set.
 */
static int
route_tail(const char *path, const char *pat, struct route_pick *p)
{
	struct route_seg args[LIMIT_ROUTE_ARGS];
	const char *pe = path + strlen(path), *ps;
	const char *qe = pat + strlen(pat), *qs;
	size_t n = 0, i;
	int more = 1;

	for (;;) {
		if (!more)
			return 0;
		qs = route_seg_start(pat, qe);
		ps = route_seg_start(path, pe);
		if (qe - qs == 1 && *qs == '*') {
			if (pe == ps || n == LIMIT_ROUTE_ARGS)
				return 0;
			args[n].p = ps;
			args[n].len = (size_t)(pe - ps);
			n++;
		} else if (pe - ps != qe - qs ||
		    memcmp(ps, qs, (size_t)(qe - qs)) != 0)
			return 0;
		if (ps == path)
			more = 0;
		else
			pe = ps - 1;
		if (qs == pat)
			break;
		qe = qs - 1;
	}
	memset(&p->before, 0, sizeof(p->before));
	if (more) {
		ps = route_seg_start(path, pe);
		p->before.p = ps;
		p->before.len = (size_t)(pe - ps);
	}
	for (i = 0; i < n; i++)
		p->args[i] = args[n - 1 - i];
	p->nargs = n;
	return 1;
}

static int
route_matches(const struct route *row, const char *path, struct route_pick *p)
{
	return row->match == ROUTE_ANY || (row->match == ROUTE_TAIL &&
	    route_tail(path, row->pattern, p));
}

static int
route_same_path(const struct route *a, const struct route *b)
{
	return a->match == b->match && (a->pattern == b->pattern ||
	    (a->pattern != NULL && b->pattern != NULL &&
	    strcmp(a->pattern, b->pattern) == 0));
}

/* 1 when the ", "-separated list buf names the header h[0..n). */
static int
route_has_header(const char *buf, const char *h, size_t n)
{
	size_t l;

	while (*buf != '\0') {
		l = strcspn(buf, ",");
		if (l == n && strncasecmp(buf, h, n) == 0)
			return 1;
		buf += l;
		buf += strspn(buf, ", ");
	}
	return 0;
}

/*
 * Append each header the comma-separated list h names to buf unless buf
 * names it already: rows of a group may list the same headers, or some.
 */
static void
route_add_headers(char *buf, size_t bufsz, const char *h)
{
	const char *e;
	size_t n, o;

	for (; *h != '\0'; h = *e != '\0' ? e + 1 : e) {
		h += strspn(h, " ");
		e = h + strcspn(h, ",");
		for (n = (size_t)(e - h); n > 0 && h[n - 1] == ' '; n--)
			;
		if (n == 0 || route_has_header(buf, h, n))
			continue;
		o = strlen(buf);
		snprintf(buf + o, bufsz - o, "%s%.*s", o > 0 ? ", " : "",
		    (int)n, h);
	}
}

void
route_pick(const struct route *tab, size_t n, const struct request *req,
    struct route_pick *p)
{
	const struct route *row;
	size_t i;

	memset(p, 0, sizeof(*p));
	if (req->method == REQUEST_NONE)
		return;
	for (i = 0; i < n && p->group == NULL; i++)
		if (route_matches(&tab[i], req->path, p))
			p->group = &tab[i];
	if (p->group == NULL)
		return;
	p->methods = ROUTE_M(REQUEST_OPTIONS);
	for (i = 0; i < n; i++) {
		row = &tab[i];
		if (!route_same_path(row, p->group))
			continue;
		p->methods |= row->methods;
		if (row->headers != NULL)
			route_add_headers(p->headers, sizeof(p->headers),
			    row->headers);
		if (p->row == NULL && (row->methods &
		    ROUTE_M(req->method)) && (row->when == NULL ||
		    row->when(req)))
			p->row = row;
	}
	route_methods_str(p->methods, p->allow, sizeof(p->allow));
}

size_t
route_body_max(const struct route_pick *p)
{
	return p->row != NULL ? p->row->body_max : 0;
}

/* The row's body rules; 0, or -1 with d set. */
static int
route_body_ok(const struct route *row, const struct request *req,
    struct oerr_detail *d)
{
	long long cl = request_content_length(req);
	char m[16];

	if (cl < 0) {
		oerr_set(d, OERR_BAD_REQUEST, "CONTENT_LENGTH is malformed");
		return -1;
	}
	if (row->body_max == 0) {
		/* As GET always was: 413 past what is drained, else 400. */
		if (cl > LIMIT_BODY_DRAIN)
			oerr_set(d, OERR_REQUEST_TOO_LARGE, NULL);
		else if (cl > 0) {
			route_methods_str(ROUTE_M(req->method), m, sizeof(m));
			oerr_set(d, OERR_BAD_REQUEST, "a %s request carries no "
			    "body", m);
		} else
			return 0;
		return -1;
	}
	if ((unsigned long long)cl > row->body_max || req->body_over) {
		oerr_set(d, OERR_REQUEST_TOO_LARGE, "the body is larger than "
		    "%zu bytes", row->body_max);
		return -1;
	}
	return 0;
}

/* OPTIONS: p->allow and p->headers say what the path allows. */
static void
route_preflight(const struct conf *conf, const struct request *req,
    const struct route_pick *p, struct reply *rep, struct oerr_detail *d)
{
	if (!reply_preflight(rep, conf, req, p->allow, p->headers)) {
		oerr_set(d, OERR_ORIGIN_NOT_ALLOWED, NULL);
		return;
	}
	d->err = OERR_OK;
	reply_empty(rep);
}

void
route_dispatch(struct responder *r, const struct conf *conf,
    const struct route_pick *p, const struct request *req, struct reply *rep,
    struct oerr_detail *d)
{
	memset(d, 0, sizeof(*d));
	d->err = OERR_INTERNAL;
	if (req->method == REQUEST_NONE) {
		oerr_set(d, OERR_BAD_REQUEST, "REQUEST_METHOD is not set: "
		    "run ossign from a web server");
		goto out;
	}
	if (p->group == NULL)
		oerr_set(d, OERR_NOT_FOUND, NULL);
	else if (p->row == NULL && req->method == REQUEST_OPTIONS) {
		/* No CORS beyond what the preflight grants. */
		route_preflight(conf, req, p, rep, d);
		goto out;
	} else if (p->row == NULL)
		oerr_set(d, OERR_METHOD_NOT_ALLOWED, "only %s %s allowed here%s",
		    p->allow, strchr(p->allow, ',') != NULL ? "are" : "is",
		    req->method == REQUEST_POST && (p->methods &
		    ROUTE_M(REQUEST_POST)) ? " (POST with this Content-Type "
		    "is not)" : "");
	else if (route_body_ok(p->row, req, d) == 0)
		p->row->fn(r, req, p, rep, d);
	reply_cors(rep, conf, req, 0);
out:
	if (d->err == OERR_OK)
		return;
	reply_error(rep, d);
	if (d->err == OERR_METHOD_NOT_ALLOWED)
		reply_header(rep, "Allow", p->allow);
}
