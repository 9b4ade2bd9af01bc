/* `ossign callback-verify`'s check and report; see cbcheck.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callback.h"
#include "cbcheck.h"
#include "limit.h"
#include "rawreq.h"
#include "util.h"

/* s[0..len) with control bytes, '\\' and invalid UTF-8 as \xNN. */
static void
cbcheck_put(FILE *f, const char *s, size_t len)
{
	unsigned int cp;
	size_t i = 0;
	int n;

	while (i < len) {
		n = util_utf8_next(s + i, len - i, &cp);
		if (n < 0 || cp < 0x20 || cp == 0x7f || cp == '\\' ||
		    (cp >= 0x80 && cp < 0xa0)) {
			fprintf(f, "\\x%02x", (unsigned char)s[i]);
			i++;
			continue;
		}
		fwrite(s + i, 1, (size_t)n, f);
		i += (size_t)n;
	}
}

/* The one-line refusal. */
static void
cbcheck_refuse(FILE *f, const char *why, const char *detail)
{
	fprintf(f, "signature does not verify: %s", why);
	if (detail != NULL && *detail != '\0') {
		fputs(" (", f);
		cbcheck_put(f, detail, strlen(detail));
		fputc(')', f);
	}
	fputc('\n', f);
}

/* The headers the check needs, each at most once; 0, or -1 (refused). */
static int
cbcheck_headers(FILE *f, const struct rawreq *r, struct cbverify_req *cr,
    const char **ctype)
{
	static const char *const names[] = {
		"x-oss-pub-key-url", "Authorization", "Content-Type",
	};
	const char *vals[3];
	char why[128];
	size_t i, n;

	for (i = 0; i < 3; i++) {
		vals[i] = rawreq_header(r, names[i], &n);
		if (n > 1) {
			snprintf(why, sizeof(why), "the request has %zu %s "
			    "headers", n, names[i]);
			cbcheck_refuse(f, why, NULL);
			return -1;
		}
	}
	cr->pub_key_url = vals[0];
	cr->authorization = vals[1];
	*ctype = vals[2];
	return 0;
}

static void
cbcheck_vars(FILE *f, const struct rawreq *r, const char *ctype)
{
	struct callback_vars *vars = NULL;
	enum callback_err e;
	size_t i;

	if (r->bodylen == 0) {
		fputs("(the body is empty)\n", f);
		return;
	}
	if ((e = callback_body_parse(ctype, r->body, r->bodylen, &vars)) !=
	    CALLBACK_OK) {
		fprintf(f, "(no variables: %s)\n", callback_err_message(e));
		return;
	}
	for (i = 0; i < vars->n; i++) {
		cbcheck_put(f, vars->v[i].name, strlen(vars->v[i].name));
		fputs(": ", f);
		cbcheck_put(f, vars->v[i].value, vars->v[i].len);
		fputc('\n', f);
	}
	callback_vars_free(vars);
}

char *
cbcheck_report(const void *data, size_t len, char *const *allowed,
    size_t nallowed, const struct cbverify_key *key, int *ok)
{
	struct cbverify_req cr;
	struct rawreq *r = NULL;
	enum cbverify_err e;
	const char *ctype = NULL;
	char err[128], url[LIMIT_URL_LEN + 1], *out = NULL;
	size_t outlen = 0;
	FILE *f;

	*ok = 0;
	if ((f = open_memstream(&out, &outlen)) == NULL)
		return NULL;
	memset(&cr, 0, sizeof(cr));
	if ((r = rawreq_parse(data, len, err, sizeof(err))) == NULL) {
		cbcheck_refuse(f, "the request cannot be read", err);
		goto done;
	}
	if (cbcheck_headers(f, r, &cr, &ctype) == -1)
		goto done;
	cr.request_uri = r->target;
	cr.body = r->body;
	cr.bodylen = r->bodylen;
	if ((e = cbverify_key_url(cr.pub_key_url, allowed, nallowed, url,
	    sizeof(url))) != CBVERIFY_OK) {
		cbcheck_refuse(f, cbverify_message(e),
		    e == CBVERIFY_FOREIGN_KEY_URL ? url : NULL);
		goto done;
	}
	if ((e = cbverify_request_sig(&cr, key)) != CBVERIFY_OK) {
		cbcheck_refuse(f, cbverify_message(e), NULL);
		goto done;
	}
	*ok = 1;
	fputs("signature OK\n", f);
	cbcheck_vars(f, r, ctype);
	if (r->trailing > 0)
		fprintf(f, "(%zu bytes after Content-Length's body were not "
		    "checked)\n", r->trailing);
done:
	rawreq_free(r);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}
