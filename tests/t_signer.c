/*
 * signer: the policy each option produces, checked by decoding the answer,
 * and the vendor vector P1 reproduced through the whole pipeline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "conf.h"
#include "creds.h"
#include "crypto.h"
#include "callback.h"
#include "signer.h"
#include "tap.h"

#define NOW	1795586981	/* 2026-11-25T06:09:41Z */
#define UUID	"6f1c3b1e-2a4d-4c8e-9f00-0123456789ab"

static struct creds creds = {
	"STS.NUgYrLnoC37mZZCNnAbez2SjD",
	"Ec9pHiLqW6oBaD8LkRStkBpdz3cAHeGh5PdhrNe2hwJW",
	"CAIS+AF1q6Ft5B2yfSjIr5bPeOzTv5dF0aSxVn3z1XYeNdpJqK/jmDz2IHhJeHZoAu4"
	"ZsvQwlGtV7/0elrp6R5ZAVkDNb8Z1tlh1DbZ1ZYqq7ZqN++7Y7PAz3XK0Xp8oPXJ7FQ==",
	0,
};

static struct conf *
cfg(const char *text)
{
	char err[512];
	struct conf *c = conf_parse(text, strlen(text), "t", err, sizeof(err));

	if (c == NULL)
		printf("# %s\n", err);
	return c;
}

/* The server secret route_sign hands the signer (issue 10). */
static const unsigned char cb_secret[32] = "0123456789abcdef0123456789abcdef";

/*
 * Run the pipeline for query q (with secret as the server secret, or
 * none); on success return the answer and put the decoded policy JSON in
 * *policy.  On error return NULL and set *e.
 */
static json_object *
run_secret(const struct conf *c, const char *q, const char *user,
    const struct creds *cr, const unsigned char *secret, char **policy,
    enum oerr *e)
{
	struct request_params p;
	struct oerr_detail d;
	struct signer_req sr;
	json_object *o, *v;
	unsigned char buf[16384];
	char *json = NULL;
	size_t len;
	long n;

	*policy = NULL;
	if ((*e = request_parse_query(q, &p, &d)) != OERR_OK ||
	    (*e = signer_prepare(c, &p, user, NOW, UUID, &sr, &d)) != OERR_OK)
		return NULL;
	sr.secret = secret;
	sr.secretlen = secret != NULL ? sizeof(cb_secret) : 0;
	if ((*e = signer_sign(c, &sr, cr, NOW, &json, &len, &d)) != OERR_OK)
		return NULL;
	o = json_tokener_parse(json);
	free(json);
	if (o == NULL || !json_object_object_get_ex(o, "policy", &v))
		return o;
	n = crypto_unb64(json_object_get_string(v),
	    strlen(json_object_get_string(v)), buf, sizeof(buf) - 1);
	if (n >= 0) {
		buf[n] = '\0';
		*policy = strdup((char *)buf);
	}
	return o;
}

static json_object *
run(const struct conf *c, const char *q, const char *user,
    const struct creds *cr, char **policy, enum oerr *e)
{
	return run_secret(c, q, user, cr, NULL, policy, e);
}

/* run() as route_sign runs a callback section (issue 10). */
static json_object *
run_cb(const struct conf *c, const char *q, const char *user, int with_secret,
    char **policy, enum oerr *e)
{
	return run_secret(c, q, user, &creds, with_secret ? cb_secret : NULL,
	    policy, e);
}

/*
 * The callback OSS would send for the answer o's fields (the default JSON
 * body with object) through callback_ticket_check at NOW.
 */
static enum callback_err
cb_roundtrip(json_object *o, const char *object, struct callback_event *ev)
{
	struct callback_vars *vars = NULL;
	json_object *body = json_object_new_object(), *f, *v;
	const char *txt;
	size_t i;
	enum callback_err ce;

	json_object_object_add(body, "bucket",
	    json_object_new_string("examplebucket"));
	json_object_object_add(body, "object", json_object_new_string(object));
	json_object_object_get_ex(o, "fields", &f);
	for (i = 0; i < CALLBACK_VAR__MAX; i++)
		if (json_object_object_get_ex(f, callback_var_fields[i], &v))
			json_object_object_add(body, callback_var_names[i],
			    json_object_get(v));
	txt = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN);
	ce = callback_body_parse("application/json", txt, strlen(txt), &vars);
	if (ce == CALLBACK_OK)
		ce = callback_ticket_check(vars, "examplebucket", cb_secret,
		    sizeof(cb_secret), NOW, DEFAULT_CB_GRACE, ev);
	callback_vars_free(vars);
	json_object_put(body);
	return ce;
}

static const char *
get(json_object *o, const char *path)
{
	char k[128], *dot;
	json_object *v = o;

	snprintf(k, sizeof(k), "%s", path);
	if ((dot = strchr(k, '.')) != NULL) {
		*dot = '\0';
		if (!json_object_object_get_ex(v, k, &v))
			return NULL;
		memmove(k, dot + 1, strlen(dot + 1) + 1);
	}
	if (!json_object_object_get_ex(v, k, &v))
		return NULL;
	return json_object_get_string(v);
}

static int
has(const char *policy, const char *frag)
{
	return policy != NULL && strstr(policy, frag) != NULL;
}

int
main(void)
{
	struct conf *c;
	struct creds cr;
	json_object *o;
	char *pol;
	enum oerr e;

	tap_plan(51 + 13);	/* + upload callbacks (issue 10) */

	/*
	 * P1 through the pipeline, vendor fields and all.  The vendor SDK's
	 * policy names no ACL: object_acl = any leaves it out.
	 */
	c = cfg("bucket = examplebucket\nregion = cn-hangzhou\n"
	    "policy_ttl = 3600\nmin_size = 1\nmax_size = 10485760\n"
	    "key_prefix = user/alice/\nobject_acl = any\n");
	o = run(c, NULL, NULL, &creds, &pol, &e);
	ok(o != NULL, "P1 signs");
	is_str(get(o, "signature"), "bdec970747a0c72eb9e9c0da71862f0732cb1a3b"
	    "29cd60c0b493b95bd0223634", "P1 signature");
	is_str(get(o, "x_oss_date"), "20261125T060941Z", "x_oss_date");
	is_str(get(o, "x_oss_signature_version"), "OSS4-HMAC-SHA256",
	    "x_oss_signature_version");
	is_str(get(o, "dir"), "user/alice/", "dir");
	is_str(get(o, "security_token"), creds.security_token,
	    "security_token");
	is_str(get(o, "expiration"), "2026-11-25T07:09:41.000Z", "expiration");
	is_str(get(o, "host"), "https://examplebucket.oss-cn-hangzhou"
	    ".aliyuncs.com", "host");
	ok(get(o, "key") == NULL && get(o, "fields.key") == NULL,
	    "no key without filename");
	is_str(get(o, "fields.x-oss-signature"), get(o, "signature"),
	    "fields carry the signature");
	is_str(get(o, "fields.x-oss-security-token"), creds.security_token,
	    "fields carry the token");
	json_object_put(o);
	free(pol);

	/* The expiration never passes the credentials'. */
	cr = creds;
	cr.expiration = NOW + 120;
	o = run(c, NULL, NULL, &cr, &pol, &e);
	is_str(get(o, "expiration"), "2026-11-25T06:11:41.000Z",
	    "capped by the credentials");
	ok(has(pol, "\"expiration\":\"2026-11-25T06:11:41.000Z\""),
	    "policy capped too");
	json_object_put(o);
	free(pol);
	cr.expiration = NOW + 30;
	o = run(c, NULL, NULL, &cr, &pol, &e);
	ok(o == NULL && e == OERR_CREDS_UNAVAILABLE,
	    "credentials about to expire refused");
	cr = creds;
	cr.security_token = NULL;
	o = run(c, NULL, NULL, &cr, &pol, &e);
	ok(o != NULL && get(o, "security_token") == NULL &&
	    !has(pol, "x-oss-security-token"), "no token, no token condition");
	json_object_put(o);
	free(pol);
	conf_free(c);

	/* Every option, with a filename. */
	c = cfg("bucket = b12\nregion = cn-hangzhou\n"
	    "[upload default]\nkey_prefix = u/${user}/${yyyy}/${mm}/\n"
	    "content_types = image/png image/jpeg\nforbid_overwrite = yes\n"
	    "success_action_status = 201\nmax_size = 1000\n"
	    "[upload docs]\nkey_prefix = docs/\nkey_name = uuid\n"
	    "x-oss-meta-source = web\n");
	o = run(c, "filename=My%20Photo.PNG&content_type=image/png&size=10",
	    "alice", &creds, &pol, &e);
	ok(o != NULL, "every option signs");
	is_str(get(o, "key"), "u/alice/2026/11/My_Photo.PNG", "exact key");
	is_str(get(o, "fields.key"), "u/alice/2026/11/My_Photo.PNG",
	    "key in fields");
	ok(has(pol, "[\"eq\",\"$key\",\"u/alice/2026/11/My_Photo.PNG\"]"),
	    "key pinned with eq");
	ok(!has(pol, "starts-with"), "no starts-with when the key is known");
	ok(has(pol, "[\"in\",\"$content-type\",[\"image/png\",\"image/jpeg\"]]"),
	    "content types with in");
	ok(has(pol, "[\"in\",\"$content-type\",[\"image/png\",\"image/jpeg\"]],"
	    "[\"in\",\"$x-oss-content-type\",[\"image/png\",\"image/jpeg\"]]"),
	    "x-oss-content-type with the same in list, right after");
	is_str(get(o, "fields.x-oss-content-type"), "image/png",
	    "x-oss-content-type field");
	ok(has(pol, "[\"eq\",\"$x-oss-object-acl\",\"default\"],"
	    "[\"eq\",\"$acl\",\"default\"]"), "ACL pinned to default, both fields");
	ok(strcmp(get(o, "fields.x-oss-object-acl"), "default") == 0 &&
	    strcmp(get(o, "fields.acl"), "default") == 0, "ACL fields");
	ok(has(pol, "{\"x-oss-forbid-overwrite\":\"true\"}"),
	    "forbid overwrite");
	ok(has(pol, "[\"eq\",\"$success_action_status\",\"201\"]"),
	    "success_action_status");
	ok(has(pol, "[\"content-length-range\",0,1000]"), "size range");
	ok(has(pol, "{\"bucket\":\"b12\"}"), "bucket");
	is_str(get(o, "fields.Content-Type"), "image/png", "Content-Type field");
	is_str(get(o, "fields.x-oss-forbid-overwrite"), "true",
	    "forbid-overwrite field");
	is_str(get(o, "fields.success_action_status"), "201", "status field");
	json_object_put(o);
	free(pol);

	o = run(c, "upload=docs&filename=report.final.PDF", NULL, &creds, &pol,
	    &e);
	is_str(get(o, "key"), "docs/" UUID ".pdf", "uuid key with extension");
	ok(has(pol, "[\"eq\",\"$x-oss-meta-source\",\"web\"]"), "meta pinned");
	is_str(get(o, "fields.x-oss-meta-source"), "web", "meta field");
	ok(!has(pol, "content-type") && !has(pol, "success_action_status") &&
	    !has(pol, "forbid"), "unset options add no condition");
	json_object_put(o);
	free(pol);

	o = run(c, "upload=docs&content_type=text/plain", NULL, &creds, &pol,
	    &e);
	ok(has(pol, "[\"eq\",\"$content-type\",\"text/plain\"]") &&
	    has(pol, "[\"starts-with\",\"$key\",\"docs/\"]"),
	    "asked type pinned; prefix with starts-with");
	ok(has(pol, "[\"eq\",\"$x-oss-content-type\",\"text/plain\"]") &&
	    strcmp(get(o, "fields.x-oss-content-type"), "text/plain") == 0,
	    "asked type pinned on x-oss-content-type too, and sent");
	json_object_put(o);
	free(pol);

	o = run(c, "size=1001", "alice", &creds, &pol, &e);
	ok(o == NULL && e == OERR_TOO_LARGE, "size above max");
	o = run(c, "content_type=text/html", "alice", &creds, &pol, &e);
	ok(o == NULL && e == OERR_TYPE_NOT_ALLOWED, "type not allowed");
	o = run(c, "content_type=image/pngx", "alice", &creds, &pol, &e);
	ok(o == NULL && e == OERR_TYPE_NOT_ALLOWED, "no prefix match on types");
	o = run(c, NULL, NULL, &creds, &pol, &e);
	ok(o == NULL && e == OERR_AUTH_REQUIRED, "${user} needs a user");
	o = run(c, "upload=nope", NULL, &creds, &pol, &e);
	ok(o == NULL && e == OERR_UNKNOWN_UPLOAD, "unknown upload");
	o = run(c, "filename=..", "alice", &creds, &pol, &e);
	ok(o == NULL && e == OERR_INVALID_FILENAME, "filename ..");
	conf_free(c);

	/* Every key that changes what is stored, pinned and sent. */
	c = cfg("bucket = b12\nregion = cn-hangzhou\n"
	    "[upload docs]\ncontent_disposition = attachment\n"
	    "cache_control = private, max-age=600\nstorage_class = IA\n"
	    "object_acl = private\n[upload classic]\nobject_acl = any\n");
	o = run(c, "upload=docs", NULL, &creds, &pol, &e);
	ok(has(pol, "[\"eq\",\"$content-disposition\",\"attachment\"],"
	    "[\"eq\",\"$cache-control\",\"private, max-age=600\"],"
	    "[\"eq\",\"$x-oss-storage-class\",\"IA\"],"
	    "[\"eq\",\"$x-oss-object-acl\",\"private\"],"
	    "[\"eq\",\"$acl\",\"private\"]"), "headers, class, ACL pinned in "
	    "file order");
	ok(strcmp(get(o, "fields.Content-Disposition"), "attachment") == 0 &&
	    strcmp(get(o, "fields.Cache-Control"), "private, max-age=600") ==
	    0 && strcmp(get(o, "fields.x-oss-storage-class"), "IA") == 0 &&
	    strcmp(get(o, "fields.x-oss-object-acl"), "private") == 0 &&
	    strcmp(get(o, "fields.acl"), "private") == 0, "and sent in fields");
	ok(!has(pol, "x-oss-content-type"), "no type asked, none configured: "
	    "no type condition");
	json_object_put(o);
	free(pol);
	o = run(c, "upload=classic", NULL, &creds, &pol, &e);
	ok(o != NULL && !has(pol, "acl") && get(o, "fields.acl") == NULL &&
	    get(o, "fields.x-oss-object-acl") == NULL && !has(pol,
	    "disposition") && !has(pol, "cache-control") && !has(pol,
	    "storage"), "object_acl = any and unset keys: no condition, no "
	    "field");
	json_object_put(o);
	free(pol);
	conf_free(c);

	c = cfg("bucket = b12\nregion = cn-hangzhou\nmin_size = 5\n");
	o = run(c, "size=4", NULL, &creds, &pol, &e);
	ok(o == NULL && e == OERR_TOO_SMALL, "size below min");
	o = run(c, "size=5&filename=x", NULL, &creds, &pol, &e);
	ok(o != NULL && strcmp(get(o, "key"), "uploads/x") == 0,
	    "size at min; default prefix");
	json_object_put(o);
	free(pol);
	o = run(c, "filename=%E2%80%AEtxt.exe", NULL, &creds, &pol, &e);
	ok(o != NULL && strcmp(get(o, "key"), "uploads/txt.exe") == 0,
	    "bidi override removed");
	json_object_put(o);
	free(pol);
	conf_free(c);
	/* ---- upload callbacks (issue 10) ---- */
	c = cfg("bucket = examplebucket\nregion = cn-hangzhou\n"
	    "[upload n]\nkey_prefix = user/${user}/\n"
	    "callback_url = https://www.example.com/ossign/callback\n"
	    "[upload plain]\n");
	o = run_cb(c, "upload=n&filename=a.txt", "alice", 1, &pol, &e);
	ok(o != NULL, "a callback section signs (%d)", (int)e);
	{
		struct callback_event ev;
		char *param = callback_param(&conf_upload_find(c, "n")->callback);
		char want[256];

		is_str(get(o, "fields.callback"), param, "fields.callback is "
		    "callback_param()'s");
		snprintf(want, sizeof(want), "[\"eq\",\"$callback\",\"%s\"]",
		    param);
		ok(has(pol, want), "the callback field pinned with eq");
		free(param);
		ok(get(o, "fields.x:ossign_user") != NULL &&
		    strcmp(get(o, "fields.x:ossign_user"), "alice") == 0 &&
		    strcmp(get(o, "fields.x:ossign_upload"), "n") == 0 &&
		    strcmp(get(o, "fields.x:ossign_match"), "exact") == 0 &&
		    strcmp(get(o, "fields.x:ossign_key"),
		    "user/alice/a.txt") == 0 && strcmp(get(o,
		    "fields.x:ossign_exp"), get(o, "expiration")) == 0,
		    "x:ossign_* fields: user, section, exact key, the "
		    "policy's expiration");
		ok(has(pol, "[\"eq\",\"$x:ossign_user\",\"alice\"]") &&
		    has(pol, "[\"eq\",\"$x:ossign_key\",\"user/alice/a.txt\"]") &&
		    has(pol, "[\"eq\",\"$x:ossign_ticket\",\"v1."),
		    "each x: variable pinned with eq");
		ok(strstr(pol, "$x:ossign_ticket") > strstr(pol, "$acl"),
		    "after the section's own conditions");
		ok(cb_roundtrip(o, "user/alice/a.txt", &ev) == CALLBACK_OK &&
		    strcmp(ev.user, "alice") == 0 && !ev.prefix,
		    "the ticket verifies for the key signed");
		ok(cb_roundtrip(o, "user/alice/b.txt", &ev) ==
		    CALLBACK_WRONG_OBJECT, "and for no other object");
		json_object_put(o);
		free(pol);
		o = run_cb(c, "upload=n", "bob", 1, &pol, &e);
		ok(o != NULL && strcmp(get(o, "fields.x:ossign_match"),
		    "prefix") == 0 && strcmp(get(o, "fields.x:ossign_key"),
		    "user/bob/") == 0, "without a file name: the prefix");
		ok(cb_roundtrip(o, "user/bob/any.bin", &ev) == CALLBACK_OK &&
		    ev.prefix && cb_roundtrip(o, "user/alice/x", &ev) ==
		    CALLBACK_WRONG_OBJECT, "any key under it, none outside");
		json_object_put(o);
		free(pol);
	}
	o = run_cb(c, "upload=n&filename=a.txt", "alice", 0, &pol, &e);
	ok(o == NULL && e == OERR_INTERNAL, "no server secret: 500");
	o = run_cb(c, "upload=plain&filename=a.txt", NULL, 0, &pol, &e);
	ok(o != NULL && get(o, "fields.callback") == NULL &&
	    get(o, "fields.x:ossign_ticket") == NULL && !has(pol, "ossign"),
	    "a section without callback_url: no callback, no secret needed");
	json_object_put(o);
	free(pol);
	o = run_cb(c, "upload=n&filename=a.txt", NULL, 1, &pol, &e);
	ok(o == NULL && e == OERR_AUTH_REQUIRED, "${user} without a user: "
	    "401 before any ticket");
	conf_free(c);
	/* ---- end of upload callbacks ---- */
	return tap_done();
}
