/* conf: every key parsed and validated; errors name file and line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "tap.h"

static struct conf *
parse(const char *text, char *err, size_t errlen)
{
	err[0] = '\0';
	return conf_parse(text, strlen(text), "t.conf", err, errlen);
}

/* The text must fail with exactly this message. */
static void
fails(const char *text, const char *want)
{
	char err[512];
	struct conf *c = parse(text, err, sizeof(err));

	if (c != NULL) {
		ok(0, "should fail: %s", want);
		conf_free(c);
		return;
	}
	is_str(err, want, want);
}

#define BASE "bucket = examplebucket\nregion = cn-hangzhou\n"

/* issue 12: multipart = yes, and the sizes it allows (7 tests). */
static void
t_multipart(void)
{
	char err[512];
	struct conf *c;
	const struct conf_upload *u;

	c = parse(BASE "[upload big]\nmax_size = 53687091200000\n"
	    "multipart = yes\n[upload small]\nmax_size = 5368709120\n", err,
	    sizeof(err));
	u = c != NULL ? conf_upload_find(c, "big") : NULL;
	ok(u != NULL && u->multipart == 1 && u->max_size == 53687091200000LL,
	    "multipart = yes after max_size: 48.8 TiB allowed (%s)", err);
	u = c != NULL ? conf_upload_find(c, "small") : NULL;
	ok(u != NULL && u->multipart == 0 && u->max_size == 5368709120LL,
	    "without it: 5 GiB allowed, multipart off");
	conf_free(c);
	fails(BASE "[upload a]\nmax_size = 53687091200001\nmultipart = yes\n",
	    "t.conf:4: max_size: 53687091200001 is too large "
	    "(0..53687091200000)");
	fails(BASE "[upload a]\nmultipart = no\n\nmax_size = 5368709121\n",
	    "t.conf:6: [upload a]: max_size 5368709121 is above 5368709120 "
	    "(5 GiB), the most one form upload takes; with multipart = yes it "
	    "may go up to 53687091200000 (48.8 TiB)");
	fails(BASE "[upload a]\nmultipart = maybe\n",
	    "t.conf:4: multipart: expected yes or no, not maybe");
	fails(BASE "[upload a]\nobject_acl = public-read\nmultipart = yes\n",
	    "t.conf:5: [upload a]: multipart = yes with object_acl = "
	    "public-read: a multipart upload cannot set an ACL "
	    "(InitiateMultipartUpload takes none); use object_acl = default or "
	    "any");
	c = parse(BASE "multipart = yes\nobject_acl = any\n", err, sizeof(err));
	ok(c != NULL && c->uploads[0].multipart == 1 &&
	    c->uploads[0].norder == CONF_COND_META,
	    "global multipart: the default section, no condition of its own "
	    "(%s)", err);
	conf_free(c);
}

int
main(void)
{
	struct conf *c;
	const struct conf_upload *u;
	char err[512];

	tap_plan(86 + 7 + 23 + 12 + 25);	/* + multipart (issue 12), callbacks
					   (issue 10), batch_max and metrics, auth
					   and rate limits (issue 11) */
	t_multipart();

	c = parse("# comment\n\n" BASE
	    "host = http://127.0.0.1:9000/\n"
	    "credentials = env\n"
	    "policy_ttl = 300   # five minutes\n"
	    "cors_origins = http://127.0.0.1:8080 https://example.com\n"
	    "\n[upload default]\n"
	    "key_prefix = uploads/${user}/\n"
	    "key_name = uuid\n"
	    "content_types = image/png IMAGE/JPEG\n"
	    "forbid_overwrite = yes\n"
	    "success_action_status = 201\n"
	    "max_size = 1000\n"
	    "min_size = 10\n"
	    "x-oss-meta-Title = hello # not a comment\n"
	    "[upload  avatars ]\n"
	    "max_size = 5\n", err, sizeof(err));
	ok(c != NULL, "full config parses (%s)", err);
	if (c == NULL)
		return 1;
	is_str(c->bucket, "examplebucket", "bucket");
	is_str(c->region, "cn-hangzhou", "region");
	is_str(c->host, "http://127.0.0.1:9000", "host without trailing /");
	is_int(c->policy_ttl, 300, "policy_ttl with inline comment");
	is_int((long long)c->ncors_origins, 2, "two origins");
	ok(conf_origin_allowed(c, "https://example.com"), "origin allowed");
	ok(!conf_origin_allowed(c, "https://example.com.evil"),
	    "similar origin refused");
	ok(!conf_origin_allowed(c, NULL), "no origin");
	is_int((long long)c->nuploads, 2, "two uploads");
	u = conf_upload_find(c, "default");
	ok(u != NULL, "default upload");
	is_str(u->key_prefix, "uploads/${user}/", "key_prefix");
	is_int(u->key_name, CONF_KEYNAME_UUID, "key_name");
	is_int((long long)u->ncontent_types, 2, "content types");
	is_str(u->content_types[1], "image/jpeg", "types lowercased");
	is_int(u->forbid_overwrite, 1, "forbid_overwrite");
	is_int(u->success_action_status, 201, "success_action_status");
	is_int(u->min_size, 10, "min_size");
	is_int(u->max_size, 1000, "max_size");
	is_int((long long)u->nmeta, 1, "one meta");
	is_str(u->meta[0].field, "x-oss-meta-title", "meta name lowercased");
	is_str(u->meta[0].value, "hello", "meta value");
	/* Order: key, ctype, overwrite, status, range, meta; then the rest. */
	ok(u->norder == 10 && u->order[0].kind == CONF_COND_KEY &&
	    u->order[1].kind == CONF_COND_CTYPE &&
	    u->order[2].kind == CONF_COND_OVERWRITE &&
	    u->order[3].kind == CONF_COND_STATUS &&
	    u->order[4].kind == CONF_COND_RANGE &&
	    u->order[5].kind == CONF_COND_META &&
	    u->order[6].kind == CONF_COND_DISPOSITION &&
	    u->order[7].kind == CONF_COND_CACHE &&
	    u->order[8].kind == CONF_COND_ACL &&
	    u->order[9].kind == CONF_COND_STORAGE, "conditions in file order");
	ok(u->object_acl == CONF_ACL_DEFAULT && u->content_disposition ==
	    NULL && u->cache_control == NULL && u->storage_class == NULL,
	    "new keys unset: ACL default, no headers, no class");
	u = conf_upload_find(c, "avatars");
	ok(u != NULL && u->max_size == 5 && u->min_size == 0 &&
	    strcmp(u->key_prefix, "uploads/") == 0, "second section defaults");
	ok(u != NULL && u->order[0].kind == CONF_COND_RANGE &&
	    u->order[1].kind == CONF_COND_KEY, "default order");
	ok(conf_upload_find(c, "nope") == NULL, "unknown upload");
	conf_free(c);

	c = parse(BASE, err, sizeof(err));
	ok(c != NULL && c->policy_ttl == 600 && c->credentials ==
	    CONF_CREDS_ENV && c->nuploads == 1 &&
	    strcmp(c->host, "https://examplebucket.oss-cn-hangzhou.aliyuncs.com")
	    == 0 && c->uploads[0].max_size == 10485760,
	    "defaults: ttl, env, one upload, host, max_size");
	ok(c != NULL && strcmp(c->cache_dir, DEFAULT_CACHE_DIR) == 0 &&
	    c->connect_timeout == DEFAULT_CONNECT_TIMEOUT &&
	    c->timeout == DEFAULT_TIMEOUT && c->retries == DEFAULT_RETRIES,
	    "defaults filled in once: cache_dir, connect_timeout, timeout, "
	    "retries");
	conf_free(c);

	c = parse("bucket = b12\nregion = oss-cn-beijing\nmax_size = 7\n"
	    "cors_origins = *\n", err, sizeof(err));
	ok(c != NULL && strcmp(c->region, "cn-beijing") == 0 &&
	    c->uploads[0].max_size == 7 && c->cors_any &&
	    conf_origin_allowed(c, "http://x"), "oss- stripped; global "
	    "upload keys; cors *");
	conf_free(c);

	/*
	 * Issue 9 defect 10: a trailing '/' is stripped only where the path
	 * must be empty; a credentials URI is requested as written.
	 */
	c = parse(BASE "credentials = credentials_uri\n"
	    "credentials_uri = http://127.0.0.1:8080/latest/creds/\n"
	    "metadata_endpoint = http://100.100.100.200/\n"
	    "sts_endpoint = https://sts.aliyuncs.com/\n"
	    "proxy = http://127.0.0.1:3128/\n", err, sizeof(err));
	ok(c != NULL, "URL keys parse (%s)", err);
	is_str(c != NULL ? c->credentials_uri : NULL,
	    "http://127.0.0.1:8080/latest/creds/",
	    "credentials_uri kept with its trailing /");
	ok(c != NULL && strcmp(c->metadata_endpoint,
	    "http://100.100.100.200") == 0 && strcmp(c->sts_endpoint,
	    "https://sts.aliyuncs.com") == 0 && strcmp(c->proxy,
	    "http://127.0.0.1:3128") == 0,
	    "endpoints without a path lose their trailing /");
	conf_free(c);
	fails(BASE "sts_endpoint = https://sts.aliyuncs.com/v1\n",
	    "t.conf:3: sts_endpoint: https://sts.aliyuncs.com/v1 is not an "
	    "http(s) URL without a path");
	fails(BASE "credentials_uri = http://h/a b\n",
	    "t.conf:3: credentials_uri: http://h/a b is not an http(s) URL");

	c = parse(BASE "credentials = ram_role_arn\n"
	    "role_arn = acs:ram::1234567890123456:role/oss-web-upload\n"
	    "role_session_name = web-upload\nduration = 3600\n"
	    "session_policy = auto\nsts_endpoint = https://sts.cn-hangzhou"
	    ".aliyuncs.com\nsts_signature = rpc\nconnect_timeout = 1\n"
	    "timeout = 3\nretries = 0\ncache_dir = /run/ossign\n"
	    "refresh_before = 600\nca_file = /etc/ssl/ca.pem\n"
	    "access_key_file = /etc/ossign/key\n", err, sizeof(err));
	ok(c != NULL && c->credentials == CONF_CREDS_RAM_ROLE_ARN &&
	    c->session_policy_auto && c->sts_signature == CONF_STS_RPC &&
	    c->duration == 3600 && c->timeout == 3 && c->retries == 0 &&
	    c->refresh_before == 600, "credential keys (%s)", err);
	conf_free(c);

	/* What a browser could otherwise change about the stored object. */
	c = parse(BASE "[upload docs]\nstorage_class = IA\n"
	    "content_disposition = attachment; filename=\"report.pdf\"\n"
	    "object_acl = private\ncache_control = private, max-age=600\n"
	    "[upload classic]\nobject_acl = any\n"
	    "[upload pub]\nobject_acl = public-read\n", err, sizeof(err));
	u = c != NULL ? conf_upload_find(c, "docs") : NULL;
	ok(u != NULL && strcmp(u->storage_class, "IA") == 0 &&
	    strcmp(u->content_disposition, "attachment; filename=\"report.pdf\""
	    ) == 0 && strcmp(u->cache_control, "private, max-age=600") == 0 &&
	    u->object_acl == CONF_ACL_PRIVATE, "stored-object keys (%s)", err);
	ok(u != NULL && u->norder == 9 &&
	    u->order[0].kind == CONF_COND_STORAGE &&
	    u->order[1].kind == CONF_COND_DISPOSITION &&
	    u->order[2].kind == CONF_COND_ACL &&
	    u->order[3].kind == CONF_COND_CACHE, "their conditions in file order");
	ok(c != NULL && conf_upload_find(c, "classic")->object_acl ==
	    CONF_ACL_ANY && conf_upload_find(c, "pub")->object_acl ==
	    CONF_ACL_PUBLIC_READ, "object_acl any, public-read");
	conf_free(c);
	fails(BASE "[upload a]\nobject_acl = public-read-write\n",
	    "t.conf:4: object_acl: public-read-write would let anyone replace "
	    "or delete the object; refused");
	fails(BASE "[upload a]\nobject_acl = public\n", "t.conf:4: object_acl: "
	    "expected default, private, public-read or any, not public");
	fails(BASE "[upload a]\nstorage_class = standard\n", "t.conf:4: "
	    "storage_class: expected Standard, IA, Archive, ColdArchive or "
	    "DeepColdArchive, not standard");
	fails(BASE "[upload a]\ncache_control = max-age=60\tx\n",
	    "t.conf:4: cache_control: printable ASCII only (it becomes an HTTP "
	    "header)");
	fails(BASE "[upload a]\ncontent_disposition = attachment; "
	    "filename=\"r\xc3\xa9.pdf\"\n", "t.conf:4: content_disposition: "
	    "printable ASCII only (it becomes an HTTP header)");
	fails(BASE "[upload a]\ncontent_disposition = inline\n"
	    "content_disposition = attachment\n",
	    "t.conf:5: content_disposition is set twice");
	{
		char long_line[LIMIT_HEADER_VALUE + 128];

		snprintf(long_line, sizeof(long_line), BASE "[upload a]\n"
		    "cache_control = %0*d\n", LIMIT_HEADER_VALUE + 1, 0);
		fails(long_line, "t.conf:4: cache_control: longer than 1024 "
		    "bytes");
	}

	fails("region = cn-hangzhou\n", "t.conf: bucket is not set");
	fails("bucket = b12\n", "t.conf: region is not set");
	fails(BASE "colour = blue\n", "t.conf:3: unknown key colour");
	fails(BASE "policy_ttl = 5\n",
	    "t.conf:3: policy_ttl: 5 is too small (60..86400)");
	fails(BASE "policy_ttl = 10m\n",
	    "t.conf:3: policy_ttl: 10m is invalid (60..86400)");
	fails(BASE "bucket = other\n", "t.conf:3: bucket is set twice");
	fails("bucket = Bad_Bucket\n", "t.conf:1: bucket: Bad_Bucket is not "
	    "a valid bucket name (3-63 of a-z 0-9 -)");
	fails("bucket = b12\nregion = cn hangzhou\n", "t.conf:2: region: cn "
	    "hangzhou is not a region id (like cn-hangzhou)");
	fails(BASE "host = ftp://x\n",
	    "t.conf:3: host: ftp://x is not an http(s) URL without a path");
	fails(BASE "host = https://x/path\n",
	    "t.conf:3: host: https://x/path is not an http(s) URL without a "
	    "path");
	fails(BASE "credentials = magic\n", "t.conf:3: credentials: unknown "
	    "source magic (env, ram_role_arn, ecs_ram_role, oidc_role_arn, "
	    "credentials_uri)");
	fails(BASE "cors_origins = http://a/x\n", "t.conf:3: cors_origins: "
	    "http://a/x is not an origin (scheme://host[:port])");
	fails(BASE "cors_origins = * http://a\n",
	    "t.conf:3: cors_origins: * must stand alone");
	fails(BASE "[upload a]\nmax_size = 6000000000\n", "t.conf:4: "
	    "[upload a]: max_size 6000000000 is above 5368709120 (5 GiB), the "
	    "most one form upload takes; with multipart = yes it may go up to "
	    "53687091200000 (48.8 TiB)");
	fails(BASE "[upload a]\nmin_size = -1\n",
	    "t.conf:4: min_size: -1 is too small (0..53687091200000)");
	fails(BASE "[upload a]\nmin_size = 10\nmax_size = 5\n",
	    "t.conf: [upload a]: min_size 10 is above max_size 5");
	fails(BASE "[upload a]\ncontent_types = image/*\n",
	    "t.conf:4: content_types: image/*: wildcards are not allowed");
	fails(BASE "[upload a]\ncontent_types = image\n",
	    "t.conf:4: content_types: image is not an exact type/subtype");
	fails(BASE "[upload a]\nforbid_overwrite = maybe\n",
	    "t.conf:4: forbid_overwrite: expected yes or no, not maybe");
	fails(BASE "[upload a]\nsuccess_action_status = 302\n",
	    "t.conf:4: success_action_status: expected 200, 201 or 204, not "
	    "302");
	fails(BASE "[upload a]\nkey_name = random\n",
	    "t.conf:4: key_name: expected original or uuid, not random");
	fails(BASE "[upload a]\nkey_prefix = /etc/\n",
	    "t.conf:4: key_prefix: must not start with /");
	fails(BASE "[upload a]\nkey_prefix = a/../b/\n",
	    "t.conf:4: key_prefix: must not contain . or .. segments");
	fails(BASE "[upload a]\nkey_prefix = ${home}/\n",
	    "t.conf:4: key_prefix: unknown placeholder (use ${user} ${yyyy} "
	    "${mm} ${dd} ${uuid})");
	fails(BASE "[upload a]\nkey_prefix = avatars/${user}\n",
	    "t.conf:4: key_prefix: ${user} must be followed by / (as in "
	    "avatars/${user}/), or one user's keys are another's");
	fails(BASE "[upload a]\n[upload a]\n",
	    "t.conf:4: [upload a] appears twice");
	fails(BASE "[upload a b]\n",
	    "t.conf:3: upload names are 1 to 32 of A-Z a-z 0-9 - _");
	fails(BASE "[download a]\n", "t.conf:3: expected [upload NAME]");
	fails(BASE "[upload a]\npolicy_ttl = 600\n", "t.conf:4: policy_ttl "
	    "is a global key: put it above the first [upload] section");
	fails(BASE "max_size = 5\n[upload a]\n", "t.conf:4: upload keys "
	    "appear before the first [upload] section; move them into one");
	fails(BASE "just words\n", "t.conf:3: expected key = value");
	fails(BASE "bucket =\n", "t.conf:3: bucket: empty value");
	fails(BASE "role_session_name = x\n", "t.conf:3: role_session_name: "
	    "2 to 64 of A-Z a-z 0-9 . @ - _");
	fails(BASE "role_arn = arn:aws:iam::1:role/x\n", "t.conf:3: role_arn: "
	    "arn:aws:iam::1:role/x is not a role ARN (acs:ram::UID:role/NAME)");
	fails(BASE "duration = 100\n",
	    "t.conf:3: duration: 100 is too small (900..43200)");
	fails(BASE "session_policy = {not json\n",
	    "t.conf:3: session_policy: not a JSON object (or auto)");
	fails(BASE "access_key_file = relative/key\n",
	    "t.conf:3: access_key_file: relative/key is not an absolute path");
	fails(BASE "[upload a]\nx-oss-meta-a b = 1\n",
	    "t.conf:4: x-oss-meta-a b: metadata names are a-z 0-9 - _");
	fails(BASE "[upload a]\nx-oss-meta-a = 1\nx-oss-meta-A = 2\n",
	    "t.conf:5: x-oss-meta-A is set twice");
	fails(BASE "key_prefix = \xff\n", "t.conf:3: invalid UTF-8");
	/* ---- upload callbacks (issue 10) ---- */
	c = parse(BASE "secret_file = /etc/ossign/secret\n"
	    "callback_key_urls = https://k.example/a.pem "
	    "http://gosspublic.alicdn.com/callback_pub_key_v1.pem\n"
	    "callback_public_key = /etc/ossign/cb.pem\n"
	    "[upload n]\nkey_prefix = n/\n"
	    "callback_url = https://a.example/cb;http://b.example:8080/cb?x=1\n"
	    "callback_insecure = yes\n"
	    "callback_host = a.example\ncallback_sni = yes\n"
	    "callback_body_type = application/x-www-form-urlencoded\n"
	    "callback_verify_object = yes\n"
	    "callback_spool = /var/lib/ossign/cb\n"
	    "callback_forward = http://127.0.0.1:8000/hook\n"
	    "callback_timeout = 4\n"
	    "[upload plain]\n", err, sizeof(err));
	ok(c != NULL, "callback keys parse (%s)", err);
	u = c != NULL ? conf_upload_find(c, "n") : NULL;
	ok(u != NULL && u->callback.url != NULL && strcmp(u->callback.url,
	    "https://a.example/cb;http://b.example:8080/cb?x=1") == 0 &&
	    u->callback.insecure == 1 && u->callback.sni == 1 &&
	    strcmp(u->callback.host, "a.example") == 0 &&
	    u->callback.body_type == CALLBACK_FORM && u->callback.body == NULL,
	    "callback settings filled in for callback_settings_check");
	ok(u != NULL && u->callback_verify_object == 1 &&
	    strcmp(u->callback_spool, "/var/lib/ossign/cb") == 0 &&
	    strcmp(u->callback_forward, "http://127.0.0.1:8000/hook") == 0 &&
	    u->callback_timeout == 4, "verify_object, spool, forward, timeout");
	{
		struct callback_settings fresh;
		char *want = NULL;

		if (u != NULL) {
			fresh = u->callback;
			fresh.param = NULL;
			want = callback_param(&fresh);
		}
		ok(want != NULL && u->callback.param == u->callback_param &&
		    strcmp(u->callback.param, want) == 0,
		    "the callback field is made once at load, as callback_param "
		    "makes it");
		free(want);
	}
	ok(c != NULL && c->ncallback_key_urls == 2 &&
	    strcmp(c->callback_key_urls[0], "https://k.example/a.pem") == 0 &&
	    strcmp(c->secret_file, "/etc/ossign/secret") == 0 &&
	    strcmp(c->callback_public_key, "/etc/ossign/cb.pem") == 0,
	    "secret_file, callback_key_urls, callback_public_key");
	u = c != NULL ? conf_upload_find(c, "plain") : NULL;
	ok(u != NULL && u->callback.url == NULL && u->callback_sni == -1 &&
	    u->callback_timeout == DEFAULT_CB_TIMEOUT &&
	    u->callback_body_type == CALLBACK_JSON && conf_has_callbacks(c),
	    "a section without callback_url has none; defaults");
	/* The callback keys add no policy condition of their own. */
	u = c != NULL ? conf_upload_find(c, "n") : NULL;
	ok(u != NULL && u->norder == CONF_COND_META, "no condition slot for "
	    "callback keys (%zu)", u != NULL ? u->norder : 0);
	conf_free(c);
	c = parse(BASE, err, sizeof(err));
	ok(c != NULL && !conf_has_callbacks(c) && c->secret_file == NULL,
	    "no callbacks by default");
	conf_free(c);
	fails(BASE "[upload a]\ncallback_host = a.example\n",
	    "t.conf: [upload a]: callback_host needs callback_url");
	fails(BASE "[upload a]\ncallback_spool = /tmp/x\n",
	    "t.conf: [upload a]: callback_spool needs callback_url");
	fails(BASE "[upload a]\ncallback_url = http://a.example/cb\n",
	    "t.conf:4: [upload a] callback_url: http://a.example/cb: https:// "
	    "only (http:// with callback_insecure = yes)");
	fails(BASE "[upload a]\ncallback_url = https://a.example/cb\n"
	    "callback_host = -bad\n", "t.conf:5: [upload a] callback_host: "
	    "not a host name or address (with an optional :port)");
	fails(BASE "[upload a]\ncallback_url = https://a.example/cb\n"
	    "callback_body = {\"object\":\"${object}\"}\n",
	    "t.conf:5: [upload a] callback_body: not a JSON object once OSS "
	    "fills the variables in, or a name repeated (a string variable "
	    "brings its own quotes: {\"object\":${object}}, never "
	    "\"${object}\")");
	fails(BASE "[upload a]\ncallback_url = https://a.example/cb\n"
	    "callback_body = {\"object\":${object}}\n",
	    "t.conf:5: [upload a] callback_body: needs "
	    "\"ossign_user\":${x:ossign_user} at the top level");
	fails(BASE "[upload a]\ncallback_timeout = 5\n",
	    "t.conf:4: callback_timeout: 5 is too large (1..4)");
	fails(BASE "[upload a]\ncallback_body_type = text/plain\n",
	    "t.conf:4: callback_body_type: expected application/json or "
	    "application/x-www-form-urlencoded, not text/plain");
	fails(BASE "[upload a]\ncallback_url = https://a.example/cb\n"
	    "callback_forward = http://127.0.0.1:1/h\n",
	    "t.conf:4: [upload a]: callback_forward needs secret_file: the "
	    "application checks X-Ossign-Signature with the same secret");
	fails(BASE "session_policy = auto\n[upload a]\n"
	    "callback_url = https://a.example/cb\ncallback_verify_object = yes\n",
	    "t.conf:5: [upload a]: callback_verify_object needs oss:GetObject, "
	    "which session_policy = auto does not grant (its token reaches "
	    "browsers)");
	fails(BASE "[upload a]\ncallback_forward = ftp://x/h\n",
	    "t.conf:4: callback_forward: ftp://x/h is not an http(s) URL");
	fails(BASE "callback_key_urls = gosspublic.alicdn.com/k.pem\n",
	    "t.conf:3: callback_key_urls: gosspublic.alicdn.com/k.pem is not "
	    "an http(s) URL");
	fails(BASE "callback_key_urls = https://a/1 https://a/2 https://a/3 "
	    "https://a/4 https://a/5 https://a/6 https://a/7 https://a/8 "
	    "https://a/9\n", "t.conf:3: too many values (at most 8)");
	fails(BASE "secret_file = secret\n",
	    "t.conf:3: secret_file: secret is not an absolute path");
	fails(BASE "[upload a]\ncallback_spool = spool\n",
	    "t.conf:4: callback_spool: spool is not an absolute path");
	fails(BASE "[upload a]\ncallback_url = https://a.example/cb\n"
	    "callback_url = https://b.example/cb\n",
	    "t.conf:5: callback_url is set twice");
	/* ---- end of upload callbacks ---- */

	/* issue 11: batch_max, metrics, metrics_allow (helper J). */
	c = parse(BASE "metrics = yes\nmetrics_allow = 10.0.0.0/8 ::1 "
	    "192.0.2.7\n[upload a]\nbatch_max = 7\n[upload b]\n", err,
	    sizeof(err));
	ok(c != NULL && c->metrics == 1 && c->nmetrics_allow == 3 &&
	    !c->metrics_allow_any, "metrics and metrics_allow parse (%s)", err);
	u = c != NULL ? conf_upload_find(c, "a") : NULL;
	ok(u != NULL && u->batch_max == 7 && u->norder == CONF_COND_META,
	    "batch_max: set, and pins no policy condition");
	u = c != NULL ? conf_upload_find(c, "b") : NULL;
	ok(u != NULL && u->batch_max == DEFAULT_BATCH_MAX,
	    "batch_max defaults to %d", DEFAULT_BATCH_MAX);
	ok(c != NULL && conf_metrics_allowed(c, "10.1.2.3") &&
	    conf_metrics_allowed(c, "::1") &&
	    conf_metrics_allowed(c, "::ffff:10.9.9.9") &&
	    conf_metrics_allowed(c, "192.0.2.7") &&
	    !conf_metrics_allowed(c, "192.0.2.8") &&
	    !conf_metrics_allowed(c, "127.0.0.1") &&
	    !conf_metrics_allowed(c, NULL),
	    "metrics_allow: networks and addresses, nothing else");
	conf_free(c);
	c = parse(BASE, err, sizeof(err));
	ok(c != NULL && c->metrics == 0 && conf_metrics_allowed(c,
	    "127.0.0.1") && conf_metrics_allowed(c, "127.200.0.1") &&
	    conf_metrics_allowed(c, "::1") && !conf_metrics_allowed(c,
	    "10.0.0.1") && !conf_metrics_allowed(c, "::2"),
	    "metrics off by default; metrics_allow defaults to loopback");
	conf_free(c);
	c = parse(BASE "metrics_allow = *\n", err, sizeof(err));
	ok(c != NULL && conf_metrics_allowed(c, "203.0.113.5"),
	    "metrics_allow = *: any address");
	conf_free(c);
	fails(BASE "metrics_allow = 10.0.0.1/8\n", "t.conf:3: metrics_allow: "
	    "10.0.0.1/8: bits are set past the /8 prefix (write the network "
	    "address) (or * for any)");
	fails(BASE "metrics_allow = localhost\n", "t.conf:3: metrics_allow: "
	    "localhost is not an IPv4 or IPv6 address or range (ADDRESS or "
	    "ADDRESS/BITS) (or * for any)");
	fails(BASE "metrics_allow = * ::1\n", "t.conf:3: metrics_allow: * is "
	    "not an IPv4 or IPv6 address or range (ADDRESS or ADDRESS/BITS) "
	    "(or * for any)");
	fails(BASE "[upload a]\nbatch_max = 0\n",
	    "t.conf:4: batch_max: 0 is too small (1..1000)");
	fails(BASE "metrics = maybe\n",
	    "t.conf:3: metrics: expected yes or no, not maybe");

	/* ---- issue 11: auth, jwt_*, rate limits, trusted_proxies ---- */
	c = parse(BASE "trusted_proxies = 10.0.0.0/8 192.0.2.7 2001:db8::/32\n"
	    "[upload open]\n"
	    "[upload mine]\nkey_prefix = u/${user}/\nrate_limit = 10/min\n"
	    "[upload tok]\nauth = jwt\njwt_key = /etc/ossign/idp.pem\n"
	    "jwt_key = hs256:/etc/ossign/jwt.secret kid=h1\n"
	    "jwt_issuer = https://idp.example\njwt_audience = ossign\n"
	    "jwt_user_claim = email\njwt_leeway = 0\njwt_cookie = ossign_jwt\n"
	    "rate_limit = 5/s\nrate_burst = 20\n"
	    "[upload site]\nauth = remote_user\nrate_limit = 100/h\n",
	    err, sizeof(err));
	ok(c != NULL, "auth and rate keys parse (%s)", err);
	if (c == NULL)
		return 1;
	ok(c->ntrusted_proxies == 3 && c->trusted_proxies[0].bits == 8 &&
	    c->trusted_proxies[1].bits == 32 && c->trusted_proxies[2].net.v6 &&
	    c->trusted_proxies[2].bits == 32, "trusted_proxies: 3 ranges");
	u = conf_upload_find(c, "open");
	ok(u->auth == CONF_AUTH_NONE && !u->has_rate && u->jwt_leeway == 60,
	    "default: auth none, no rate limit, leeway 60");
	u = conf_upload_find(c, "mine");
	ok(u->auth == CONF_AUTH_REMOTE_USER && u->has_rate &&
	    u->rate.count == 10 && u->rate.period_ms == 60000 &&
	    u->rate.burst == 10, "${user} prefix: remote_user; 10/min, "
	    "burst 10");
	u = conf_upload_find(c, "tok");
	ok(u->auth == CONF_AUTH_JWT && u->njwt_keys == 2 &&
	    strcmp(u->jwt_keys[0].path, "/etc/ossign/idp.pem") == 0 &&
	    !u->jwt_keys[0].hs256 && u->jwt_keys[0].kid == NULL &&
	    u->jwt_keys[0].line == 10 &&
	    strcmp(u->jwt_keys[1].path, "/etc/ossign/jwt.secret") == 0 &&
	    u->jwt_keys[1].hs256 && strcmp(u->jwt_keys[1].kid, "h1") == 0 &&
	    u->jwt_keys[1].line == 11, "jwt_key twice: PEM, hs256 with kid, "
	    "lines kept");
	ok(strcmp(u->jwt_issuer, "https://idp.example") == 0 &&
	    strcmp(u->jwt_audience, "ossign") == 0 &&
	    strcmp(u->jwt_user_claim, "email") == 0 && u->jwt_leeway == 0 &&
	    strcmp(u->jwt_cookie, "ossign_jwt") == 0 && u->rate.count == 5 &&
	    u->rate.period_ms == 1000 && u->rate.burst == 20,
	    "jwt_issuer, audience, claim, leeway 0, cookie; 5/s burst 20");
	u = conf_upload_find(c, "site");
	ok(u->auth == CONF_AUTH_REMOTE_USER && u->rate.period_ms == 3600000,
	    "auth = remote_user without ${user}; 100/h");
	conf_free(c);
	fails(BASE "[upload a]\nauth = oauth\n",
	    "t.conf:4: auth: expected none, remote_user or jwt, not oauth");
	fails(BASE "[upload a]\nkey_prefix = u/${user}/\nauth = none\n",
	    "t.conf: [upload a]: key_prefix uses ${user} but auth = none gives "
	    "no user (remote_user or jwt)");
	fails(BASE "[upload a]\nauth = jwt\n",
	    "t.conf: [upload a]: auth = jwt needs jwt_key");
	fails(BASE "[upload a]\njwt_issuer = x\n",
	    "t.conf: [upload a]: jwt_ keys are set but auth is none (set auth "
	    "= jwt)");
	fails(BASE "[upload a]\nauth = jwt\njwt_key = relative.pem\n",
	    "t.conf:5: jwt_key: expected [hs256:]/ABSOLUTE/PATH [kid=KID]");
	fails(BASE "[upload a]\nauth = jwt\njwt_key = /k kid=\n",
	    "t.conf:5: jwt_key: kid= takes 1 to 128 printable ASCII bytes");
	fails(BASE "[upload a]\nauth = jwt\njwt_key = /1\njwt_key = /2\n"
	    "jwt_key = /3\njwt_key = /4\njwt_key = /5\njwt_key = /6\n"
	    "jwt_key = /7\njwt_key = /8\njwt_key = /9\n",
	    "t.conf:13: jwt_key: at most 8 per section (a JWKS file holds many "
	    "keys)");
	fails(BASE "[upload a]\nauth = jwt\njwt_key = /k\njwt_user_claim = "
	    "exp\n", "t.conf:6: jwt_user_claim: exp is not a user name");
	fails(BASE "[upload a]\nauth = jwt\njwt_key = /k\njwt_leeway = 601\n",
	    "t.conf:6: jwt_leeway: 601 is too large (0..600)");
	fails(BASE "[upload a]\nauth = jwt\njwt_key = /k\njwt_cookie = a=b\n",
	    "t.conf:6: jwt_cookie: a cookie name (RFC 6265 token) of 1 to 64 "
	    "bytes");
	fails(BASE "[upload a]\nrate_limit = 10/day\n",
	    "t.conf:4: rate_limit must be N/s, N/min or N/h");
	fails(BASE "[upload a]\nrate_limit = 010/s\n",
	    "t.conf:4: rate_limit must be N/s, N/min or N/h with N in "
	    "1..1000000");
	fails(BASE "[upload a]\nrate_burst = 5\n",
	    "t.conf: [upload a]: rate_burst needs rate_limit");
	fails(BASE "[upload a]\nrate_limit = 1/s\nrate_burst = 0\n",
	    "t.conf:5: rate_burst must be a number in 1..1000000");
	fails(BASE "trusted_proxies = 10.1.2.3/8\n",
	    "t.conf:3: trusted_proxies: 10.1.2.3/8: bits are set past the /8 "
	    "prefix (write the network address)");
	fails(BASE "trusted_proxies = localhost\n",
	    "t.conf:3: trusted_proxies: localhost is not an IPv4 or IPv6 "
	    "address or range (ADDRESS or ADDRESS/BITS)");
	fails(BASE "trusted_proxies = ::1/129\n",
	    "t.conf:3: trusted_proxies: ::1/129: the prefix length must be 0 "
	    "to 128");
	fails(BASE "[upload a]\nrate_limit = 1/s\nrate_limit = 2/s\n",
	    "t.conf:5: rate_limit is set twice");
	return tap_done();
}
