/* callback_verify_object: HEAD the object on OSS; see cbobject.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cbobject.h"
#include "crypto.h"
#include "http.h"
#include "limit.h"
#include "olog.h"
#include "osssig.h"
#include "util.h"

/* s without surrounding quotes (an ETag's), as [*p, *p + *n). */
static void
cbobject_unquote(const char *s, size_t len, const char **p, size_t *n)
{
	if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
		s++;
		len -= 2;
	}
	*p = s;
	*n = len;
}

/* The body's "etag" and "size" (when present) against OSS's answer. */
static int
cbobject_same(const struct callback_vars *vars, const char *etag,
    const char *clen, char *why, size_t whylen)
{
	const struct callback_var_value *v;
	const char *a, *b;
	size_t an, bn;
	long long want, have;

	if ((v = callback_vars_get(vars, "etag")) != NULL) {
		cbobject_unquote(v->value, v->len, &a, &an);
		cbobject_unquote(etag, strlen(etag), &b, &bn);
		if (an != bn || strncasecmp(a, b, an) != 0) {
			snprintf(why, whylen, "the ETag on OSS differs");
			return 0;
		}
	}
	if ((v = callback_vars_get(vars, "size")) != NULL) {
		if (util_strtonum(v->value, 0, LIMIT_OBJECT_SIZE, &want,
		    NULL) == -1 || util_strtonum(clen, 0, LIMIT_OBJECT_SIZE,
		    &have, NULL) == -1 || want != have) {
			snprintf(why, whylen, "the size on OSS differs");
			return 0;
		}
	}
	return 1;
}

enum oerr
cbobject_check(const struct conf *conf, struct creds_source *src,
    const char *key, const struct callback_vars *vars, long timeout_ms,
    struct oerr_detail *d)
{
	struct osssig_request sr;
	struct osssig_auth auth;
	struct http_header h[OSSSIG_MAX_ADD];
	struct http_request req;
	struct http_opts o;
	struct http_result res;
	const struct creds *creds;
	char *path = NULL, *url = NULL, why[64];
	time_t now = time(NULL);
	size_t i, ulen;
	enum oerr e = OERR_INTERNAL;

	memset(&auth, 0, sizeof(auth));
	memset(&res, 0, sizeof(res));
	if (src == NULL)
		return oerr_set(d, OERR_CREDS_UNAVAILABLE, "the signer has no "
		    "credentials configured");
	if (creds_source_get(src, &now, &creds, d) == -1)
		return d->err;
	memset(&sr, 0, sizeof(sr));
	sr.method = "HEAD";
	sr.bucket = conf->bucket;
	sr.key = key;
	if (osssig_sign_header(&sr, creds, conf->region, now, &auth) == -1 ||
	    (path = osssig_uri_encode(key, 1)) == NULL)
		goto fail;
	ulen = strlen(conf->host) + 1 + strlen(path) + 1;
	if ((url = malloc(ulen)) == NULL)
		goto fail;
	snprintf(url, ulen, "%s/%s", conf->host, path);
	for (i = 0; i < auth.nadd; i++) {
		h[i].name = auth.add[i].name;
		h[i].value = auth.add[i].value;
	}
	memset(&req, 0, sizeof(req));
	req.method = "HEAD";
	req.url = url;
	req.headers = h;
	req.nheaders = auth.nadd;
	memset(&o, 0, sizeof(o));
	o.what = "OSS HeadObject (callback_verify_object)";
	o.allow_http = strncmp(conf->host, "http://", 7) == 0;
	o.proxy = conf->proxy;
	o.ca_file = conf->ca_file;
	o.connect_timeout_ms = timeout_ms;
	o.timeout_ms = timeout_ms;
	o.retries = 0;
	o.max_response = 4096;
	o.want[0] = "ETag";
	o.want[1] = "Content-Length";
	o.req = &req;
	if (http_exchange(&o, &res) == -1) {
		if (res.err == HTTP_ERR_ANSWER && res.resp.status == 404)
			e = oerr_set(d, OERR_CB_OBJECT, "OSS has no such object");
		else if (res.err == HTTP_ERR_ANSWER && res.resp.status < 500)
			e = oerr_set(d, OERR_OSS_REFUSED, "OSS refused HEAD "
			    "(%ld): the credentials may not read the object",
			    res.resp.status);
		else
			e = oerr_set(d, OERR_OSS_UNAVAILABLE, "OSS did not "
			    "answer HEAD: %s", res.err == HTTP_ERR_ANSWER ?
			    "a server error" : res.reason);
		goto out;
	}
	if (!cbobject_same(vars, res.resp.headers[0], res.resp.headers[1],
	    why, sizeof(why))) {
		e = oerr_set(d, OERR_CB_OBJECT, "%s", why);
		goto out;
	}
	e = OERR_OK;
	goto out;
fail:
	e = oerr_set(d, OERR_INTERNAL, "cannot sign HEAD for the object");
out:
	http_result_clear(&res);
	osssig_auth_clear(&auth);
	free(path);
	free(url);
	return e;
}
