/*
 * Fuzz target: the configuration parser, conf_parse().  A file it accepts
 * must hold what the rest of ossign relies on (bucket, region, bounds,
 * key prefixes that pass keyname_prefix_check), and must drive the pure
 * pipeline: each upload signs a request, and the answer and the policy in
 * it are one valid JSON object each, whatever the values (metadata with
 * quotes, odd hosts) were.  Also runs rampolicy_auto() on it.
 */
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "conf.h"
#include "creds.h"
#include "crypto.h"
#include "fuzz.h"
#include "keyname.h"
#include "limit.h"
#include "rampolicy.h"
#include "request.h"
#include "signer.h"

/* A whole-text JSON object, or NULL. */
static json_object *
fuzz_json(const char *s, size_t len)
{
	json_tokener *tok;
	json_object *j;

	if ((tok = json_tokener_new()) == NULL)
		abort();
	j = json_tokener_parse_ex(tok, s, (int)len);
	if (j != NULL && (json_tokener_get_parse_end(tok) != len ||
	    !json_object_is_type(j, json_type_object))) {
		json_object_put(j);
		j = NULL;
	}
	json_tokener_free(tok);
	return j;
}

static void
fuzz_sign(const struct conf *conf, const struct conf_upload *up)
{
	static char akid[] = "LTAI5tFuzzKeyId", secret[] = "fuzz-secret";
	const struct creds creds = { akid, secret, NULL, 0 };
	struct request_params p;
	struct signer_req sr;
	struct oerr_detail d;
	json_object *j = NULL, *pj = NULL, *v;
	unsigned char *pol = NULL;
	const char *b64;
	char *json = NULL;
	size_t len = 0;
	long n;
	enum oerr e;

	memset(&p, 0, sizeof(p));
	p.has_upload = 1;
	snprintf(p.upload, sizeof(p.upload), "%s", up->name);
	p.has_filename = 1;
	snprintf(p.filename, sizeof(p.filename), "report \"final\".pdf");
	p.has_size = 1;
	p.size = up->min_size;
	if (up->ncontent_types > 0) {
		p.has_ctype = 1;
		snprintf(p.ctype, sizeof(p.ctype), "%s", up->content_types[0]);
	}
	memset(&d, 0, sizeof(d));
	e = signer_prepare(conf, &p, "alice", (time_t)1764050981,
	    "0f8fad5b-d9cb-469f-a165-70867728950e", &sr, &d);
	/*
	 * A request for the smallest allowed size of a configured type, by
	 * a valid user, is always signed: a config that passes conf_parse
	 * (and so ossign -t) cannot fail every request.
	 */
	FUZZ_CHECK(e == OERR_OK);
	/* As route_sign does for a section with callbacks (issue 10). */
	sr.secret = (const unsigned char *)"fuzz-server-secret-of-32-bytes!!";
	sr.secretlen = 32;
	e = signer_sign(conf, &sr, &creds, (time_t)1764050981, &json, &len,
	    &d);
	if (e != OERR_OK) {
		FUZZ_CHECK(json == NULL);
		return;
	}
	FUZZ_CHECK(json != NULL && strlen(json) == len);
	FUZZ_CHECK((j = fuzz_json(json, len)) != NULL);
	FUZZ_CHECK(json_object_object_get_ex(j, "policy", &v));
	b64 = json_object_get_string(v);
	if ((pol = malloc(strlen(b64) + 1)) == NULL)
		abort();
	n = crypto_unb64(b64, strlen(b64), pol, strlen(b64) + 1);
	FUZZ_CHECK(n > 0);
	FUZZ_CHECK((pj = fuzz_json((const char *)pol, (size_t)n)) != NULL);
	FUZZ_CHECK(json_object_object_get_ex(pj, "conditions", &v));
	FUZZ_CHECK(json_object_is_type(v, json_type_array));
	json_object_put(pj);
	json_object_put(j);
	free(pol);
	free(json);
}

int
fuzz_conf(const uint8_t *data, size_t size)
{
	struct conf *conf;
	const struct conf_upload *up;
	char err[LIMIT_ERRMSG], why[LIMIT_ERRMSG], *pol;
	size_t i, k;

	err[0] = '\0';
	conf = conf_parse((const char *)data, size, "fuzz.conf", err,
	    sizeof(err));
	if (conf == NULL) {
		FUZZ_CHECK(strncmp(err, "fuzz.conf", 9) == 0);
		return 0;
	}
	FUZZ_CHECK(conf->bucket != NULL && conf->region != NULL &&
	    conf->host != NULL);
	FUZZ_CHECK(conf->policy_ttl >= LIMIT_TTL_MIN &&
	    conf->policy_ttl <= LIMIT_TTL_MAX);
	FUZZ_CHECK(conf->credentials < CONF_CREDS__MAX);
	FUZZ_CHECK(conf->ncors_origins <= LIMIT_ORIGINS);
	FUZZ_CHECK(conf->nuploads >= 1 &&
	    conf->nuploads <= LIMIT_CONF_UPLOADS);
	for (i = 0; i < conf->nuploads; i++) {
		up = &conf->uploads[i];
		FUZZ_CHECK(up->name != NULL && up->key_prefix != NULL);
		FUZZ_CHECK(conf_upload_find(conf, up->name) == up);
		FUZZ_CHECK(keyname_prefix_check(up->key_prefix, why,
		    sizeof(why)) == 0);
		FUZZ_CHECK(up->min_size >= 0 && up->min_size <= up->max_size &&
		    up->max_size <= LIMIT_OBJECT_SIZE);
		FUZZ_CHECK(up->ncontent_types <= LIMIT_CTYPES);
		FUZZ_CHECK(up->nmeta <= LIMIT_META);
		FUZZ_CHECK(up->norder <= sizeof(up->order) /
		    sizeof(up->order[0]));
		for (k = 0; k < up->norder; k++) {
			FUZZ_CHECK(up->order[k].kind < CONF_COND__MAX);
			if (up->order[k].kind == CONF_COND_META)
				FUZZ_CHECK(up->order[k].meta < up->nmeta);
		}
		fuzz_sign(conf, up);
	}
	(void)conf_origin_allowed(conf, "https://app.example");
	if ((pol = rampolicy_auto(conf, err, sizeof(err))) != NULL) {
		json_object *j = fuzz_json(pol, strlen(pol));

		FUZZ_CHECK(j != NULL);
		json_object_put(j);
		free(pol);
	}
	conf_free(conf);
	return 0;
}

FUZZ_ENTRY(fuzz_conf)
