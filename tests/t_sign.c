/*
 * OSS4-HMAC-SHA256 known answers from tests/data/oss-post-v4.json (computed
 * with the ali-oss npm package): signing key, credential scope, policy
 * JSON bytes, base64 and signature, for both cases.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "crypto.h"
#include "policy.h"
#include "sign.h"
#include "tap.h"
#include "util.h"

static const char *
jstr(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ?
	    json_object_get_string(v) : NULL;
}

static json_object *
load_vectors(void)
{
	char path[4096];
	const char *top = getenv("top_srcdir");

	snprintf(path, sizeof(path), "%s/tests/data/oss-post-v4.json",
	    top != NULL ? top : ".");
	return json_object_from_file(path);
}

int
main(void)
{
	json_object *v, *in, *cases, *c;
	unsigned char key[CRYPTO_SHA256_LEN];
	char hex[65], sig[SIGN_HEX_LEN + 1], cred[256], date8[9], amz[17];
	char *json = NULL, *b64 = NULL, *b64b;
	const char *secret, *region;
	time_t t;
	size_t i, len;

	tap_plan(18);
	if ((v = load_vectors()) == NULL) {
		ok(0, "load tests/data/oss-post-v4.json");
		return 1;
	}
	json_object_object_get_ex(v, "inputs", &in);
	json_object_object_get_ex(v, "cases", &cases);
	secret = jstr(in, "access_key_secret");
	region = jstr(in, "region");

	ok(util_parse_iso(jstr(in, "time"), &t) == 0, "parse vector time");
	util_date8(t, date8);
	util_amz_date(t, amz);
	is_str(amz, jstr(in, "x_oss_date"), "x-oss-date from the time");

	ok(sign_v4_key(secret, date8, region, key) == 0, "derive key");
	crypto_hex(key, sizeof(key), hex);
	is_str(hex, jstr(in, "signing_key_hex"), "signing key");
	ok(sign_v4_key(secret, date8, "oss-cn-hangzhou", key) == 0,
	    "derive key with oss- region");
	crypto_hex(key, sizeof(key), hex);
	is_str(hex, jstr(in, "signing_key_hex"), "oss- prefix is stripped");

	ok(sign_v4_credential(jstr(in, "access_key_id"), date8, region, cred,
	    sizeof(cred)) == 0, "credential scope");
	is_str(cred, jstr(in, "x_oss_credential"), "credential value");
	ok(sign_v4_credential("AKID", date8, region, cred, 10) == -1,
	    "credential scope refuses a short buffer");

	for (i = 0; i < json_object_array_length(cases); i++) {
		c = json_object_array_get_idx(cases, i);
		len = strlen(jstr(c, "policy_json"));
		if ((b64b = malloc(crypto_b64_size(len))) == NULL)
			return 1;
		crypto_b64(jstr(c, "policy_json"), len, b64b);
		is_str(b64b, jstr(c, "policy_base64"), jstr(c, "name"));
		ok(sign_v4_policy(secret, date8, region, b64b, sig) == 0,
		    "sign %s", jstr(c, "name"));
		is_str(sig, jstr(c, "signature"), "signature");
		free(b64b);
	}

	/* The policy builder reproduces P2, non-ASCII and escapes included. */
	{
		struct policy *p = policy_new(t + 3600);
		char *cred2 = strdup(jstr(in, "x_oss_credential"));

		c = json_object_array_get_idx(cases, 1);
		ok(p != NULL &&
		    policy_add_exact(p, "bucket", jstr(in, "bucket")) == 0 &&
		    policy_add_exact(p, "x-oss-signature-version",
		    SIGN_VERSION) == 0 &&
		    policy_add_exact(p, "x-oss-credential", cred2) == 0 &&
		    policy_add_exact(p, "x-oss-date", amz) == 0 &&
		    policy_add_exact(p, "x-oss-security-token",
		    jstr(in, "security_token")) == 0 &&
		    policy_add_starts_with(p, "key",
		    "\xe4\xb8\x8a\xe4\xbc\xa0/\xe7\x94\xa8\xe6\x88\xb7-\xc3\xa9/")
		    == 0 &&
		    policy_add_eq(p, "x-oss-meta-title",
		    "Gr\xc3\xbc\xc3\x9f" "e \xe2\x98\x83 \xf0\x9f\x9a\x80 "
		    "\"q\" \\ /") == 0 &&
		    policy_add_range(p, 0, 1048576) == 0 &&
		    policy_render(p, &json, &b64) == 0, "build P2");
		is_str(json, jstr(c, "policy_json"), "P2 JSON bytes");
		is_str(b64, jstr(c, "policy_base64"), "P2 base64");
		policy_free(p);
		free(cred2);
	}
	free(json);
	free(b64);
	json_object_put(v);
	return tap_done();
}
