/*
 * JWT verification.
 *
 *	t_jwt        unit tests: base64url, strict JSON, Bearer and cookie
 *	             parsing, HS256 tokens made here, key set limits
 *	t_jwt DIR    the tokens tests/lib/jwt-mint.js minted with the npm
 *	             "jose" library into DIR (tests/jwt.sh runs both): each
 *	             key load and each token with its expected outcome
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "crypto.h"
#include "jsonr.h"
#include "jwt.h"
#include "tap.h"
#include "tfile.h"

static long
unb64url(const char *s, unsigned char *out, size_t outsz)
{
	return crypto_unb64url(s, strlen(s), out, outsz);
}

static void
b64url(const void *in, size_t len, char *out)
{
	char *p, *q;

	crypto_b64(in, len, out);
	for (p = q = out; *p != '\0'; p++) {
		if (*p == '=')
			continue;
		*q++ = *p == '+' ? '-' : *p == '/' ? '_' : *p;
	}
	*q = '\0';
}

/* header.payload signed with HS256 under key; a new string. */
static char *
hs_token(const char *key, const char *header, const char *payload)
{
	unsigned char mac[CRYPTO_SHA256_LEN];
	size_t hl = strlen(header), pl = strlen(payload);
	char *t = malloc(crypto_b64_size(hl) + crypto_b64_size(pl) + 64);

	b64url(header, hl, t);
	strcat(t, ".");
	b64url(payload, pl, t + strlen(t));
	crypto_hmac_sha256(key, strlen(key), t, strlen(t), mac);
	strcat(t, ".");
	b64url(mac, sizeof(mac), t + strlen(t));
	return t;
}

static int
json_ok(const char *s)
{
	char why[128];
	struct json_object *o = jsonr_parse(s, strlen(s), 4, why, sizeof(why));

	json_object_put(o);
	return o != NULL;
}

static const char KEY[] = "0123456789abcdef0123456789abcdef";

static enum jwt_err
verify(struct jwt_keyset *ks, const char *tok, struct jwt_claims *cl)
{
	struct jwt_check c = { NULL, NULL, NULL, 60 };
	char why[256];

	return jwt_verify(ks, &c, 1767225600, tok, strlen(tok), cl, why,
	    sizeof(why));
}

static int
unit(void)
{
	unsigned char b[16];
	struct jwt_keyset *ks;
	struct jwt_claims cl;
	const char *tok;
	char why[256], kid[8], *t, big[LIMIT_JWT_LEN + 2];
	size_t len, i;
	int names_ok = 1;

	tap_plan(55);

	/* base64url, strictly. */
	is_int(unb64url("", b, sizeof(b)), 0, "b64url: empty");
	ok(unb64url("QQ", b, sizeof(b)) == 1 && b[0] == 'A', "b64url: QQ");
	ok(unb64url("QUJD", b, sizeof(b)) == 3 && memcmp(b, "ABC", 3) == 0,
	    "b64url: QUJD");
	ok(unb64url("-_8", b, sizeof(b)) == 2 && b[0] == 0xfb && b[1] == 0xff,
	    "b64url: - and _");
	is_int(unb64url("QR", b, sizeof(b)), -1, "b64url: spare bits set");
	is_int(unb64url("QQ==", b, sizeof(b)), -1, "b64url: padding");
	is_int(unb64url("Q", b, sizeof(b)), -1, "b64url: 1 mod 4");
	is_int(unb64url("QU+D", b, sizeof(b)), -1, "b64url: '+'");
	is_int(unb64url("QU/D", b, sizeof(b)), -1, "b64url: '/'");
	is_int(unb64url("QU D", b, sizeof(b)), -1, "b64url: space");
	is_int(unb64url("QUJD", b, 2), -1, "b64url: output too small");

	/* Strict JSON. */
	ok(json_ok(" {\"a\":[1,-2.5e3,true,null,\"\\ud83d\\ude00\"]}\n"),
	    "json: a valid object");
	ok(!json_ok("{\"a\":1,\"a\":2}"), "json: duplicate member");
	ok(!json_ok("{\"a\":1,\"\\u0061\":2}"), "json: duplicate, escaped");
	ok(!json_ok("{\"o\":{\"b\":1,\"b\":1}}"), "json: nested duplicate");
	ok(json_ok("{\"o\":{\"b\":1},\"p\":{\"b\":1}}"),
	    "json: one name in two objects");
	ok(!json_ok("{'a':1}"), "json: single quotes");
	ok(!json_ok("{\"a\":NaN}"), "json: NaN");
	ok(!json_ok("{\"a\":\"\x01\"}"), "json: raw control byte");
	ok(!json_ok("{\"a\":\"\\u0000\"}"), "json: \\u0000");
	ok(!json_ok("{\"a\":\"\\ud800\"}"), "json: lone high surrogate");
	ok(!json_ok("{\"a\":\"\\udc00\"}"), "json: lone low surrogate");
	ok(!json_ok("{\"a\":1}x"), "json: trailing bytes");
	ok(!json_ok("[1]"), "json: not an object");
	ok(!json_ok("{\"a\":[[[[1]]]]}"), "json: too deep");
	ok(!json_ok("{\"a\":\"\xff\"}"), "json: invalid UTF-8");
	ok(!json_ok("{\"a\":01}") && !json_ok("{\"a\":1.}") &&
	    !json_ok("{\"a\":-}") && !json_ok("{\"a\":1e}"),
	    "json: malformed numbers");
	ok(!json_ok("{\"a\":1,}") && !json_ok("{\"a\" 1}") &&
	    !json_ok("{\"a\":tru}") && !json_ok("{\"a\":\"x"),
	    "json: malformed structure");

	/* Where the token comes from. */
	ok(jwt_bearer("Bearer a.b-c_d.e", &tok, &len) == 0 && len == 9 &&
	    memcmp(tok, "a.b-c_d.e", 9) == 0, "bearer: plain");
	ok(jwt_bearer("bearer   x.y.z", &tok, &len) == 0 && len == 5,
	    "bearer: any case, several spaces");
	ok(jwt_bearer("Basic dXNlcjpwdw==", &tok, &len) == -1,
	    "bearer: Basic refused");
	ok(jwt_bearer("Bearer", &tok, &len) == -1 &&
	    jwt_bearer("Bearer ", &tok, &len) == -1 &&
	    jwt_bearer("Bearerx y", &tok, &len) == -1 &&
	    jwt_bearer(NULL, &tok, &len) == -1, "bearer: no token");
	ok(jwt_bearer("Bearer a b", &tok, &len) == -1 &&
	    jwt_bearer("Bearer a.b.c ", &tok, &len) == -1 &&
	    jwt_bearer("Bearer a,b", &tok, &len) == -1,
	    "bearer: bytes after the token");
	ok(jwt_cookie("a=1; tok=x.y.z; b=2", "tok", &tok, &len) == 0 &&
	    len == 5 && memcmp(tok, "x.y.z", 5) == 0, "cookie: found");
	ok(jwt_cookie("tok=\"x.y\"", "tok", &tok, &len) == 0 && len == 3,
	    "cookie: quoted");
	ok(jwt_cookie("tokx=1; xtok=2", "tok", &tok, &len) == -1,
	    "cookie: names are whole");
	ok(jwt_cookie("tok=1; tok=2", "tok", &tok, &len) == -1,
	    "cookie: twice refused");
	ok(jwt_cookie("tok=", "tok", &tok, &len) == -1 &&
	    jwt_cookie(NULL, "tok", &tok, &len) == -1, "cookie: empty");

	/* HS256 tokens made here. */
	ks = jwt_keyset_new();
	ok(jwt_keyset_add_hs256(ks, "h", KEY, strlen(KEY), why,
	    sizeof(why)) == 0, "hs256 key added");
	ok(jwt_keyset_add_hs256(ks, "h", KEY, strlen(KEY), why,
	    sizeof(why)) == -1, "a kid twice refused");
	ok(jwt_keyset_add_hs256(ks, "a b", KEY, strlen(KEY), why,
	    sizeof(why)) == -1, "a kid with a space refused");
	ok(jwt_keyset_add_hs256(ks, NULL, KEY, 31, why, sizeof(why)) == -1,
	    "a 31-byte secret refused");
	t = hs_token(KEY, "{\"alg\":\"HS256\",\"kid\":\"h\"}",
	    "{\"sub\":\"carol\",\"exp\":1767225700}");
	memset(&cl, 0, sizeof(cl));
	is_int(verify(ks, t, &cl), JWT_OK, "hs256 token verified");
	is_str(cl.user, "carol", "the user claim");
	is_int(cl.exp, 1767225700, "exp returned");
	is_str(cl.kid, "h", "the key's kid returned");
	ok(cl.alg == JWT_HS256, "the algorithm returned");
	{
		struct jwt_check c = { NULL, NULL, NULL, LIMIT_JWT_LEEWAY + 1 };

		is_int(jwt_verify(ks, &c, 1767225600, t, strlen(t), &cl, why,
		    sizeof(why)), JWT_ERR_INTERNAL, "leeway out of range");
	}
	{
		struct jwt_check c = { NULL, NULL, NULL, 60 };

		is_int(jwt_verify(ks, &c, 1767225800, t, strlen(t), &cl, why,
		    sizeof(why)), JWT_ERR_EXPIRED, "later: expired");
		ok(strstr(why, "exp 1767225700") != NULL &&
		    strstr(why, "carol") == NULL, "the reason has numbers, "
		    "not claims: %s", why);
	}
	free(t);
	memset(big, 'A', sizeof(big));
	is_int(jwt_verify(ks, &(struct jwt_check){ 0 }, 0, big,
	    LIMIT_JWT_LEN + 1, &cl, why, sizeof(why)), JWT_ERR_TOO_LONG,
	    "LIMIT_JWT_LEN + 1 bytes refused before anything else");
	t = hs_token(KEY, "{\"alg\":\"HS256\"}",
	    "{\"sub\":\"carol\",\"exp\":1767225700,\"n\":{\"a\":[1]}}");
	is_int(verify(ks, t, &cl), JWT_OK, "no kid: every HS256 key tried");
	free(t);
	t = hs_token("another-secret-of-32-bytes-at-least!",
	    "{\"alg\":\"HS256\"}", "{\"sub\":\"carol\",\"exp\":1767225700}");
	is_int(verify(ks, t, &cl), JWT_ERR_SIGNATURE, "another secret");
	free(t);
	jwt_keyset_free(ks);

	ks = jwt_keyset_new();
	for (i = 0; i < LIMIT_JWT_KEYS; i++) {
		snprintf(kid, sizeof(kid), "k%zu", i);
		if (jwt_keyset_add_hs256(ks, kid, KEY, strlen(KEY), why,
		    sizeof(why)) == -1)
			break;
	}
	is_int((long long)jwt_keyset_count(ks), LIMIT_JWT_KEYS,
	    "a key set holds LIMIT_JWT_KEYS keys, no more");
	jwt_keyset_free(ks);
	jwt_keyset_free(NULL);

	for (i = 0; i < JWT_ERR__MAX; i++)
		if (strcmp(jwt_err_name((enum jwt_err)i), "?") == 0)
			names_ok = 0;
	ok(names_ok && strcmp(jwt_err_name(JWT_ERR__MAX), "?") == 0,
	    "every error has a name");
	return tap_done();
}

/* ---- cases minted by jose ---------------------------------------------- */

static char *
slurp(const char *dir, const char *name, size_t *len)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return tfile_slurp(path, len);
}

static const char *
member(struct json_object *o, const char *name)
{
	struct json_object *v;

	return json_object_object_get_ex(o, name, &v) ?
	    json_object_get_string(v) : NULL;
}

/* Add one keyset entry ({"pem"|"hs256"|"jwks":FILE,"kid"}); -1 on failure. */
static int
load(struct jwt_keyset *ks, const char *dir, struct json_object *e,
    char *why, size_t whylen)
{
	const char *kid = member(e, "kid"), *f;
	char *data;
	size_t len = 0;
	int rc;

	if ((f = member(e, "pem")) != NULL) {
		if ((data = slurp(dir, f, &len)) == NULL)
			return -1;
		rc = jwt_keyset_add_pem(ks, kid, data, len, why, whylen);
	} else if ((f = member(e, "hs256")) != NULL) {
		if ((data = slurp(dir, f, &len)) == NULL)
			return -1;
		rc = jwt_keyset_add_hs256(ks, kid, data, len, why, whylen);
		crypto_wipe(data, len);
	} else if ((f = member(e, "jwks")) != NULL) {
		if ((data = slurp(dir, f, &len)) == NULL)
			return -1;
		rc = jwt_keyset_add_jwks(ks, data, len, why, whylen);
	} else
		return -1;
	free(data);
	return rc < 0 ? -1 : 0;
}

static int
minted(const char *dir)
{
	struct json_object *doc, *keysets, *loads, *cases, *c, *v;
	struct jwt_keyset *ks;
	struct jwt_claims cl;
	struct jwt_check chk;
	char why[256], *text;
	const char *want, *user;
	size_t len, i, n, nl, nc;
	long long now, leeway;
	enum jwt_err e;
	int fail, kfail;

	if ((text = slurp(dir, "cases.json", &len)) == NULL ||
	    (doc = json_tokener_parse(text)) == NULL) {
		printf("Bail out! cannot read %s/cases.json\n", dir);
		return 1;
	}
	free(text);
	json_object_object_get_ex(doc, "keysets", &keysets);
	json_object_object_get_ex(doc, "loads", &loads);
	json_object_object_get_ex(doc, "cases", &cases);
	nl = json_object_array_length(loads);
	nc = json_object_array_length(cases);
	tap_plan((int)(nl + nc));

	for (i = 0; i < nl; i++) {
		c = json_object_array_get_idx(loads, i);
		json_object_object_get_ex(c, "key", &v);
		ks = jwt_keyset_new();
		why[0] = '\0';
		fail = load(ks, dir, v, why, sizeof(why)) == -1;
		want = member(c, "expect");
		if (json_object_object_get_ex(c, "count", &v) && !fail &&
		    (long long)jwt_keyset_count(ks) != json_object_get_int64(v))
			fail = 2;
		ok(strcmp(want, "ok") == 0 ? fail == 0 : fail == 1 &&
		    jwt_keyset_count(ks) == 0, "load: %s%s%s",
		    member(c, "name"), *why ? ": " : "", why);
		jwt_keyset_free(ks);
	}

	for (i = 0; i < nc; i++) {
		c = json_object_array_get_idx(cases, i);
		ks = jwt_keyset_new();
		json_object_object_get_ex(keysets, member(c, "keyset"), &v);
		/* Every keyset loads: a refusal must not pass for a key
		   that was never there. */
		kfail = json_object_array_length(v) == 0;
		for (n = 0; n < json_object_array_length(v); n++)
			if (load(ks, dir, json_object_array_get_idx(v, n),
			    why, sizeof(why)) == -1) {
				printf("# keyset %s: %s\n", member(c, "keyset"),
				    why);
				kfail = 1;
			}
		memset(&chk, 0, sizeof(chk));
		chk.issuer = member(c, "issuer");
		chk.audience = member(c, "audience");
		chk.user_claim = member(c, "user_claim");
		leeway = json_object_object_get_ex(c, "leeway", &v) ?
		    json_object_get_int64(v) : 60;
		chk.leeway = leeway;
		json_object_object_get_ex(doc, "now", &v);
		now = json_object_get_int64(v);
		if (json_object_object_get_ex(c, "now", &v))
			now = json_object_get_int64(v);
		memset(&cl, 0, sizeof(cl));
		why[0] = '\0';
		e = jwt_verify(ks, &chk, (time_t)now, member(c, "token"),
		    strlen(member(c, "token")), &cl, why, sizeof(why));
		want = member(c, "expect");
		user = member(c, "user");
		if (!ok(!kfail && strcmp(jwt_err_name(e), want) == 0 &&
		    (user == NULL || strcmp(cl.user, user) == 0), "%s (%s%s%s)",
		    member(c, "name"), jwt_err_name(e), *why ? ": " : "", why))
			printf("# want %s%s%s, got user \"%s\"\n", want,
			    user ? " user " : "", user ? user : "", cl.user);
		jwt_keyset_free(ks);
	}
	json_object_put(doc);
	return tap_done();
}

int
main(int argc, char *argv[])
{
	if (argc > 1)
		return minted(argv[1]);
	return unit();
}
