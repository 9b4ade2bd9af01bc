/* The signing pipeline; see signer.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callback.h"
#include "crypto.h"
#include "jsonw.h"
#include "keyname.h"
#include "policy.h"
#include "sign.h"
#include "signer.h"
#include "util.h"

enum oerr
signer_upload(const struct conf *conf, const char *name,
    const struct conf_upload **up, struct oerr_detail *d)
{
	if (name == NULL)
		name = DEFAULT_UPLOAD;
	if ((*up = conf_upload_find(conf, name)) == NULL)
		return oerr_set(d, OERR_UNKNOWN_UPLOAD,
		    "there is no upload called %s", name);
	return OERR_OK;
}

enum oerr
signer_prepare(const struct conf *conf, const struct request_params *params,
    const char *user, time_t now, const char *uuid, struct signer_req *out,
    struct oerr_detail *d)
{
	const struct conf_upload *up;
	char clean[LIMIT_FILENAME_OUT + 1], ext[LIMIT_EXT_LEN + 1];
	enum oerr e;
	size_t i;
	int n;

	memset(out, 0, sizeof(*out));
	if (user != NULL && strlen(user) < sizeof(out->user))
		memcpy(out->user, user, strlen(user) + 1);
	if ((e = signer_upload(conf, params->has_upload ? params->upload :
	    NULL, &up, d)) != OERR_OK)
		return e;
	out->up = up;

	if (params->has_size) {
		/* One form upload takes 5 GiB, whatever multipart allows. */
		if (params->size > LIMIT_OBJECT_SIZE)
			return oerr_set(d, OERR_TOO_LARGE,
			    "the file is larger than %lld bytes, the most one "
			    "form upload takes%s", LIMIT_OBJECT_SIZE,
			    up->multipart ? ": upload it in parts (s3/multipart)"
			    : "");
		if (params->size > up->max_size)
			return oerr_set(d, OERR_TOO_LARGE,
			    "the file is larger than %lld bytes",
			    up->max_size);
		if (params->size < up->min_size)
			return oerr_set(d, OERR_TOO_SMALL,
			    "the file is smaller than %lld bytes",
			    up->min_size);
	}
	if (params->has_ctype) {
		if (up->ncontent_types > 0) {
			for (i = 0; i < up->ncontent_types; i++)
				if (strcmp(up->content_types[i],
				    params->ctype) == 0)
					break;
			if (i == up->ncontent_types)
				return oerr_set(d, OERR_TYPE_NOT_ALLOWED,
				    "files of type %s are not allowed",
				    params->ctype);
		}
		snprintf(out->ctype, sizeof(out->ctype), "%s", params->ctype);
	}

	if ((e = keyname_expand(up->key_prefix, user, now, uuid, out->dir,
	    sizeof(out->dir), d)) != OERR_OK)
		return e;

	if (!params->has_filename)
		return OERR_OK;
	if ((e = keyname_clean(params->filename, clean, sizeof(clean), d)) !=
	    OERR_OK)
		return e;
	if (up->key_name == CONF_KEYNAME_UUID) {
		keyname_ext(clean, ext);
		n = snprintf(out->key, sizeof(out->key), "%s%s%s%s", out->dir,
		    uuid, ext[0] != '\0' ? "." : "", ext);
	} else
		n = snprintf(out->key, sizeof(out->key), "%s%s", out->dir,
		    clean);
	if (n < 0 || (size_t)n >= sizeof(out->key))
		return oerr_set(d, OERR_INVALID_FILENAME,
		    "the object key would be too long");
	return OERR_OK;
}

/*
 * The type conditions, on field (content-type, x-oss-content-type): the
 * configured list, else the type the page declared, else none.
 */
static int
signer_ctype(const struct conf_upload *up, const struct signer_req *sr,
    const char *field, struct policy *pol)
{
	if (up->ncontent_types > 0)
		return policy_add_in(pol, field, up->content_types,
		    up->ncontent_types);
	if (sr->ctype[0] != '\0')
		return policy_add_eq(pol, field, sr->ctype);
	return 0;
}

/* ["eq","$field",value] when the value is configured; nothing otherwise. */
static int
signer_pin(struct policy *pol, const char *field, const char *value)
{
	return value == NULL ? 0 : policy_add_eq(pol, field, value);
}

/*
 * Add the configured condition at order slot o to pol.  OSS stores the
 * type of x-oss-content-type before the file part's own Content-Type and
 * before the Content-Type field, so the type is pinned on both fields.
 * The ACL goes on x-oss-object-acl and on acl, the form field OSS also
 * reads (help.aliyun.com/document_detail/480522, "the acl form field of a
 * PostObject request"): pinning only one would leave the other to the
 * browser.
 */
static int
signer_condition(const struct conf_upload *up, const struct signer_req *sr,
    const struct conf_order *o, struct policy *pol)
{
	const char *acl;
	char status[8];

	switch (o->kind) {
	case CONF_COND_RANGE:
		/* A multipart section's max_size is not a form's (5 GiB). */
		return policy_add_range(pol, up->min_size,
		    up->max_size < LIMIT_OBJECT_SIZE ? up->max_size :
		    LIMIT_OBJECT_SIZE);
	case CONF_COND_KEY:
		if (sr->key[0] != '\0')
			return policy_add_eq(pol, "key", sr->key);
		return policy_add_starts_with(pol, "key", sr->dir);
	case CONF_COND_CTYPE:
		if (signer_ctype(up, sr, "content-type", pol) == -1)
			return -1;
		return signer_ctype(up, sr, "x-oss-content-type", pol);
	case CONF_COND_DISPOSITION:
		return signer_pin(pol, "content-disposition",
		    up->content_disposition);
	case CONF_COND_CACHE:
		return signer_pin(pol, "cache-control", up->cache_control);
	case CONF_COND_ACL:
		if (up->object_acl == CONF_ACL_ANY)
			return 0;
		acl = conf_acl_names[up->object_acl];
		if (policy_add_eq(pol, "x-oss-object-acl", acl) == -1)
			return -1;
		return policy_add_eq(pol, "acl", acl);
	case CONF_COND_STORAGE:
		return signer_pin(pol, "x-oss-storage-class", up->storage_class);
	case CONF_COND_OVERWRITE:
		if (up->forbid_overwrite)
			return policy_add_exact(pol, "x-oss-forbid-overwrite",
			    "true");
		return 0;
	case CONF_COND_STATUS:
		if (up->success_action_status == 0)
			return 0;
		snprintf(status, sizeof(status), "%d",
		    up->success_action_status);
		return policy_add_eq(pol, "success_action_status", status);
	case CONF_COND_META:
		return policy_add_eq(pol, up->meta[o->meta].field,
		    up->meta[o->meta].value);
	case CONF_COND__MAX:
		break;
	}
	return -1;
}

/*
 * The callback fields and conditions of sr (issue 10): for the key signed,
 * or the prefix when the browser names the file, until exp.
 */
static struct callback_form *
signer_callback(const struct conf *conf, const struct signer_req *sr,
    time_t exp, struct oerr_detail *d)
{
	struct callback_values v;
	struct callback_form *f;
	char err[LIMIT_ERRMSG];

	if (sr->secret == NULL) {
		oerr_set(d, OERR_INTERNAL, "no server secret for the callback");
		return NULL;
	}
	memset(&v, 0, sizeof(v));
	v.bucket = conf->bucket;
	v.user = sr->user;
	v.upload = sr->up->name;
	v.prefix = sr->key[0] == '\0';
	v.key = v.prefix ? sr->dir : sr->key;
	v.expiration = exp;
	if ((f = callback_form_new(&sr->up->callback, &v, sr->secret,
	    sr->secretlen, err, sizeof(err))) == NULL)
		oerr_set(d, OERR_INTERNAL, "%s", err);
	return f;
}

/* A signed policy, as both answers carry it. */
struct signer_signed {
	char	 date8[9], amzdate[17], expiso[25];
	char	 credential[LIMIT_SECRET_LEN + 64], sig[SIGN_HEX_LEN + 1];
	char	*pb64;
	time_t	 exp;
	struct callback_form *cb;	/* the callback fields, or NULL */
};

static void
signer_signed_clear(struct signer_signed *s)
{
	crypto_wipe(s->sig, sizeof(s->sig));
	free(s->pb64);
	s->pb64 = NULL;
	callback_form_free(s->cb);
	s->cb = NULL;
}

/* Build and sign the policy for sr; OERR_OK, or an error with d filled. */
static enum oerr
signer_build(const struct conf *conf, const struct signer_req *sr,
    const struct creds *creds, time_t now, struct signer_signed *out,
    struct oerr_detail *d)
{
	const struct conf_upload *up = sr->up;
	struct policy *pol = NULL;
	char *pjson = NULL;
	const char *token = creds->security_token;
	size_t i;
	enum oerr e = OERR_INTERNAL;

	memset(out, 0, sizeof(*out));
	out->exp = now + (time_t)conf->policy_ttl;
	if (creds->expiration != 0) {
		if (creds->expiration - now < LIMIT_MIN_VALIDITY)
			return oerr_set(d, OERR_CREDS_UNAVAILABLE,
			    "the upload credentials are about to expire");
		if (out->exp > creds->expiration)
			out->exp = creds->expiration;
	}
	util_date8(now, out->date8);
	util_amz_date(now, out->amzdate);
	util_iso_ms(out->exp, out->expiso);
	if (sign_v4_credential(creds->access_key_id, out->date8, conf->region,
	    out->credential, sizeof(out->credential)) == -1)
		goto fail;

	if ((pol = policy_new(out->exp)) == NULL ||
	    policy_add_exact(pol, "bucket", conf->bucket) ||
	    policy_add_exact(pol, "x-oss-signature-version", SIGN_VERSION) ||
	    policy_add_exact(pol, "x-oss-credential", out->credential) ||
	    policy_add_exact(pol, "x-oss-date", out->amzdate) ||
	    (token != NULL && policy_add_exact(pol, "x-oss-security-token",
	    token)))
		goto fail;
	for (i = 0; i < up->norder; i++)
		if (signer_condition(up, sr, &up->order[i], pol) == -1)
			goto fail;
	if (up->callback.url != NULL) {
		if ((out->cb = signer_callback(conf, sr, out->exp, d)) ==
		    NULL) {
			e = d->err;
			signer_signed_clear(out);
			goto done;
		}
		for (i = 0; i < out->cb->n; i++)
			if (policy_add_eq(pol, out->cb->conds[i].field,
			    out->cb->conds[i].value) == -1)
				goto fail;
	}
	if (policy_render(pol, &pjson, &out->pb64) == -1)
		goto fail;
	if (sign_v4_policy(creds->access_key_secret, out->date8, conf->region,
	    out->pb64, out->sig) == -1)
		goto fail;
	e = OERR_OK;
	goto done;
fail:
	oerr_set(d, OERR_INTERNAL, "could not build the signature");
	signer_signed_clear(out);
done:
	policy_free(pol);
	free(pjson);
	return e;
}

/* Every form field to send, in order, as one object; the file goes last. */
static void
signer_fields(struct jsonw *w, const struct signer_req *sr,
    const struct creds *creds, const struct signer_signed *s)
{
	const struct conf_upload *up = sr->up;
	const char *token = creds->security_token;
	char status[8];
	size_t i;

	jsonw_open(w, '{');
	if (sr->key[0] != '\0')
		jsonw_kv(w, "key", sr->key);
	jsonw_kv(w, "policy", s->pb64);
	jsonw_kv(w, "x-oss-signature-version", SIGN_VERSION);
	jsonw_kv(w, "x-oss-credential", s->credential);
	jsonw_kv(w, "x-oss-date", s->amzdate);
	jsonw_kv(w, "x-oss-signature", s->sig);
	if (token != NULL)
		jsonw_kv(w, "x-oss-security-token", token);
	if (up->success_action_status != 0) {
		snprintf(status, sizeof(status), "%d",
		    up->success_action_status);
		jsonw_kv(w, "success_action_status", status);
	}
	if (sr->ctype[0] != '\0') {
		jsonw_kv(w, "Content-Type", sr->ctype);
		jsonw_kv(w, "x-oss-content-type", sr->ctype);
	}
	if (up->forbid_overwrite)
		jsonw_kv(w, "x-oss-forbid-overwrite", "true");
	if (up->content_disposition != NULL)
		jsonw_kv(w, "Content-Disposition", up->content_disposition);
	if (up->cache_control != NULL)
		jsonw_kv(w, "Cache-Control", up->cache_control);
	if (up->object_acl != CONF_ACL_ANY) {
		jsonw_kv(w, "x-oss-object-acl", conf_acl_names[up->object_acl]);
		jsonw_kv(w, "acl", conf_acl_names[up->object_acl]);
	}
	if (up->storage_class != NULL)
		jsonw_kv(w, "x-oss-storage-class", up->storage_class);
	for (i = 0; i < up->nmeta; i++)
		jsonw_kv(w, up->meta[i].field, up->meta[i].value);
	for (i = 0; s->cb != NULL && i < s->cb->n; i++)
		jsonw_kv(w, s->cb->fields[i].name, s->cb->fields[i].value);
	jsonw_close(w, '}');
}

/* The room an answer takes, roughly (the writer grows as needed). */
static size_t
signer_hint(const struct creds *creds, const struct signer_signed *s)
{
	return 1024 + 2 * strlen(s->pb64) + (creds->security_token != NULL ?
	    3 * strlen(creds->security_token) : 0) + (s->cb != NULL ?
	    2 * strlen(s->cb->fields[0].value) + 1024 : 0);
}

enum oerr
signer_sign(const struct conf *conf, const struct signer_req *sr,
    const struct creds *creds, time_t now, char **json, size_t *len,
    struct oerr_detail *d)
{
	const struct conf_upload *up = sr->up;
	struct signer_signed s;
	struct jsonw w;
	const char *token = creds->security_token;
	size_t i;
	enum oerr e;

	if ((e = signer_build(conf, sr, creds, now, &s, d)) != OERR_OK)
		return e;
	/* The vendor guide's fields first, so its pages work unchanged. */
	jsonw_init(&w, signer_hint(creds, &s));
	jsonw_open(&w, '{');
	jsonw_kv(&w, "policy", s.pb64);
	jsonw_kv(&w, "x_oss_signature_version", SIGN_VERSION);
	jsonw_kv(&w, "x_oss_credential", s.credential);
	jsonw_kv(&w, "x_oss_date", s.amzdate);
	jsonw_kv(&w, "signature", s.sig);
	jsonw_kv(&w, "host", conf->host);
	jsonw_kv(&w, "dir", sr->dir);
	if (token != NULL)
		jsonw_kv(&w, "security_token", token);
	if (sr->key[0] != '\0')
		jsonw_kv(&w, "key", sr->key);
	jsonw_kv(&w, "expiration", s.expiso);
	jsonw_key(&w, "min_size");
	jsonw_int(&w, up->min_size);
	jsonw_key(&w, "max_size");
	jsonw_int(&w, up->max_size);
	if (up->ncontent_types > 0) {
		jsonw_key(&w, "content_types");
		jsonw_open(&w, '[');
		for (i = 0; i < up->ncontent_types; i++)
			jsonw_str(&w, up->content_types[i]);
		jsonw_close(&w, ']');
	}
	jsonw_key(&w, "fields");
	signer_fields(&w, sr, creds, &s);
	jsonw_close(&w, '}');
	*json = jsonw_finish(&w, len);
	signer_signed_clear(&s);
	if (*json == NULL)
		return oerr_set(d, OERR_INTERNAL, "could not build the "
		    "signature");
	return OERR_OK;
}

enum oerr
signer_sign_post(const struct conf *conf, const struct signer_req *sr,
    const struct creds *creds, time_t now, char **json, size_t *len,
    struct oerr_detail *d)
{
	struct signer_signed s;
	struct jsonw w;
	char url[LIMIT_URL_LEN + 2];
	enum oerr e;

	if ((e = signer_build(conf, sr, creds, now, &s, d)) != OERR_OK)
		return e;
	snprintf(url, sizeof(url), "%s/", conf->host);
	jsonw_init(&w, signer_hint(creds, &s));
	jsonw_open(&w, '{');
	jsonw_kv(&w, "method", "POST");
	jsonw_kv(&w, "url", url);
	jsonw_key(&w, "fields");
	signer_fields(&w, sr, creds, &s);
	jsonw_key(&w, "expires");
	jsonw_int(&w, (long long)(s.exp - now));
	jsonw_close(&w, '}');
	*json = jsonw_finish(&w, len);
	signer_signed_clear(&s);
	if (*json == NULL)
		return oerr_set(d, OERR_INTERNAL, "could not build the "
		    "signature");
	return OERR_OK;
}
