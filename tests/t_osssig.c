/*
 * OSS signature V4 for requests (src/osssig.c) against known answers:
 * tests/data/oss-v4-request.json holds the Go SDK v2 signer tests' vectors
 * (copied from aliyun/alibabacloud-oss-go-sdk-v2 oss/signer/signer_test.go)
 * and requests shaped like ossign's, computed with ali-oss's signUtils by
 * tests/lib/oss-v4-alioss.js.  Each is reproduced byte for byte: the
 * Authorization value (header form) or the signed query (query form), and
 * for the ali-oss cases the canonical request and string to sign too.
 * Then the refusals the header promises.  Strings holding a security token
 * are compared without printing them (the secrets scan reads this log).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "crypto.h"
#include "limit.h"
#include "osssig.h"
#include "tap.h"
#include "util.h"

#define T_MAX	64

/* Header form: auth, x-oss-date, token header, Authorization last. */
#define T_HEADER_CHECKS	4
/* Query form: signature, date, expires, credential, additional, order. */
#define T_QUERY_CHECKS	6
/* ali-oss cases add the canonical request and the string to sign. */
#define T_ALI_CHECKS	2
#define T_FIXED_CHECKS	29

/* One case of the vector file, as osssig wants it. */
struct t_case {
	struct osssig_request	 r;
	struct osssig_param	 p[T_MAX];
	struct osssig_header	 h[T_MAX];
	const char		*a[T_MAX];
	struct creds		 c;
	const char		*region, *name, *form;
	time_t			 t;
	long			 expires;
	json_object		*o;
};

static const char *
jstr(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) &&
	    !json_object_is_type(v, json_type_null) ?
	    json_object_get_string(v) : NULL;
}

static long long
jint(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_int64(v) :
	    -1;
}

/* Equal strings, without printing either (they may hold a token). */
static int
is_secret(const char *got, const char *want, const char *name)
{
	size_t i;
	int cond = got != NULL && want != NULL && strcmp(got, want) == 0;

	if (!ok(cond, "%s", name)) {
		for (i = 0; got != NULL && want != NULL && got[i] == want[i];
		    i++)
			;
		printf("# differs at byte %zu (got %zu bytes, want %zu)\n", i,
		    got ? strlen(got) : 0, want ? strlen(want) : 0);
	}
	return cond;
}

static void
t_load_case(json_object *o, struct t_case *tc)
{
	json_object *arr, *e;
	size_t i, n;

	memset(tc, 0, sizeof(*tc));
	tc->o = o;
	tc->name = jstr(o, "name");
	tc->form = jstr(o, "form");
	tc->region = jstr(o, "region");
	tc->t = (time_t)jint(o, "time");
	tc->expires = (long)jint(o, "expires");
	tc->c.access_key_id = (char *)jstr(o, "access_key_id");
	tc->c.access_key_secret = (char *)jstr(o, "access_key_secret");
	tc->c.security_token = (char *)jstr(o, "security_token");
	tc->r.method = jstr(o, "method");
	tc->r.bucket = jstr(o, "bucket");
	tc->r.key = jstr(o, "key");
	json_object_object_get_ex(o, "params", &arr);
	n = json_object_array_length(arr);
	for (i = 0; i < n && i < T_MAX; i++) {
		e = json_object_array_get_idx(arr, i);
		tc->p[i].name = json_object_get_string(
		    json_object_array_get_idx(e, 0));
		tc->p[i].value = json_object_is_type(
		    json_object_array_get_idx(e, 1), json_type_null) ? NULL :
		    json_object_get_string(json_object_array_get_idx(e, 1));
	}
	tc->r.params = tc->p;
	tc->r.nparams = i;
	json_object_object_get_ex(o, "headers", &arr);
	n = json_object_array_length(arr);
	for (i = 0; i < n && i < T_MAX; i++) {
		e = json_object_array_get_idx(arr, i);
		tc->h[i].name = json_object_get_string(
		    json_object_array_get_idx(e, 0));
		tc->h[i].value = json_object_get_string(
		    json_object_array_get_idx(e, 1));
	}
	tc->r.headers = tc->h;
	tc->r.nheaders = i;
	json_object_object_get_ex(o, "additional", &arr);
	n = json_object_array_length(arr);
	for (i = 0; i < n && i < T_MAX; i++)
		tc->a[i] = json_object_get_string(
		    json_object_array_get_idx(arr, i));
	tc->r.additional = tc->a;
	tc->r.nadditional = i;
}

/* The canonical request of tc with extra headers or parameters. */
static char *
t_canonical(const struct t_case *tc, const struct osssig_header *xh,
    size_t nxh, const struct osssig_param *xp, size_t nxp)
{
	struct osssig_request r = tc->r;
	struct osssig_header h[T_MAX * 2];
	struct osssig_param p[T_MAX * 2];

	memcpy(h, tc->h, tc->r.nheaders * sizeof(*h));
	if (nxh > 0)
		memcpy(h + tc->r.nheaders, xh, nxh * sizeof(*h));
	memcpy(p, tc->p, tc->r.nparams * sizeof(*p));
	if (nxp > 0)
		memcpy(p + tc->r.nparams, xp, nxp * sizeof(*p));
	r.headers = h;
	r.nheaders = tc->r.nheaders + nxh;
	r.params = p;
	r.nparams = tc->r.nparams + nxp;
	return osssig_canonical_request(&r);
}

static void
t_ali(const struct t_case *tc, const char *canonical, const char *date)
{
	char *sts;

	is_secret(canonical, jstr(tc->o, "canonical_request"),
	    "canonical request");
	sts = osssig_string_to_sign(date, tc->region, canonical);
	is_secret(sts, jstr(tc->o, "string_to_sign"), "string to sign");
	free(sts);
}

static void
t_header_case(const struct t_case *tc, int ali)
{
	struct osssig_auth a;
	char date[OSSSIG_DATE_LEN + 1], *canonical;
	const char *tok = NULL;
	size_t i;
	int rc;

	rc = osssig_sign_header(&tc->r, &tc->c, tc->region, tc->t, &a);
	is_str(rc == 0 ? a.authorization : NULL, jstr(tc->o, "authorization"),
	    tc->name);
	util_amz_date(tc->t, date);
	is_str(rc == 0 ? a.add[0].value : NULL, date, "x-oss-date added first");
	for (i = 0; rc == 0 && i < a.nadd; i++)
		if (strcmp(a.add[i].name, "x-oss-security-token") == 0)
			tok = a.add[i].value;
	ok(rc == 0 && (tc->c.security_token == NULL ? tok == NULL :
	    tok != NULL && strcmp(tok, tc->c.security_token) == 0),
	    "x-oss-security-token added exactly with a token");
	ok(rc == 0 && strcmp(a.add[a.nadd - 1].name, "Authorization") == 0 &&
	    a.add[a.nadd - 1].value == a.authorization,
	    "Authorization added last");
	if (ali) {
		canonical = rc == 0 ? t_canonical(tc, a.add, a.nadd - 1, NULL,
		    0) : NULL;
		t_ali(tc, canonical, date);
		crypto_free_secret(canonical);
	}
	if (rc == 0)
		osssig_auth_clear(&a);
}

/* The query split into decoded name/value pairs (in place). */
static size_t
t_split(char *q, struct osssig_param *p, size_t max)
{
	char *s, *eq, *save = NULL;
	size_t n = 0;
	long len;

	for (s = strtok_r(q, "&", &save); s != NULL && n < max;
	    s = strtok_r(NULL, "&", &save)) {
		if ((eq = strchr(s, '=')) != NULL)
			*eq++ = '\0';
		len = util_pct_decode(s, strlen(s), s, strlen(s) + 1);
		if (len < 0)
			break;
		if (eq != NULL && util_pct_decode(eq, strlen(eq), eq,
		    strlen(eq) + 1) < 0)
			break;
		p[n].name = s;
		p[n].value = eq;
		n++;
	}
	return n;
}

static const char *
t_get(const struct osssig_param *p, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(p[i].name, name) == 0)
			return p[i].value != NULL ? p[i].value : "";
	return NULL;
}

static void
t_query_case(const struct t_case *tc, int ali)
{
	static const char *const order[] = { "x-oss-signature-version",
	    "x-oss-credential", "x-oss-date", "x-oss-expires",
	    "x-oss-security-token", "x-oss-additional-headers",
	    "x-oss-signature" };
	struct osssig_param p[T_MAX * 2];
	char *q, *copy = NULL, *canonical, date[OSSSIG_DATE_LEN + 1], exp[24];
	const char *want, *addl;
	size_t n = 0, i, k;
	int inorder = 1;

	q = osssig_presign(&tc->r, &tc->c, tc->region, tc->t, tc->expires);
	if (q != NULL && (copy = strdup(q)) != NULL)
		n = t_split(copy, p, T_MAX * 2);
	is_str(t_get(p, n, "x-oss-signature"), jstr(tc->o, "signature"),
	    tc->name);
	util_amz_date(tc->t, date);
	want = jstr(tc->o, "x-oss-date");
	is_str(t_get(p, n, "x-oss-date"), want != NULL ? want : date,
	    "x-oss-date");
	snprintf(exp, sizeof(exp), "%ld", tc->expires);
	is_str(t_get(p, n, "x-oss-expires"), exp, "x-oss-expires");
	want = jstr(tc->o, "x-oss-credential");
	if (want != NULL)
		is_str(t_get(p, n, "x-oss-credential"), want,
		    "x-oss-credential");
	else
		ok(t_get(p, n, "x-oss-credential") != NULL &&
		    strncmp(t_get(p, n, "x-oss-credential"),
		    tc->c.access_key_id, strlen(tc->c.access_key_id)) == 0,
		    "x-oss-credential");
	addl = t_get(p, n, "x-oss-additional-headers");
	want = jstr(tc->o, "x-oss-additional-headers");
	if (want != NULL)
		is_str(addl != NULL ? addl : "", want,
		    "x-oss-additional-headers");
	else
		ok(1, "x-oss-additional-headers (not in the vector)");
	/* The request's own parameters, then ours in order, signature last. */
	for (i = 0; i < tc->r.nparams && i < n; i++)
		if (strcmp(p[i].name, tc->p[i].name) != 0)
			inorder = 0;
	for (k = 0; i < n; i++) {
		while (k < sizeof(order) / sizeof(order[0]) &&
		    strcmp(order[k], p[i].name) != 0)
			k++;
		if (k == sizeof(order) / sizeof(order[0]))
			inorder = 0;
	}
	ok(q != NULL && inorder && n > 0 &&
	    strcmp(p[n - 1].name, "x-oss-signature") == 0 &&
	    (tc->c.security_token != NULL) ==
	    (t_get(p, n, "x-oss-security-token") != NULL),
	    "parameters in order, token only with one, signature last");
	if (ali) {
		/* Everything but the signature, as a server would sign it. */
		canonical = n > 0 ? t_canonical(tc, NULL, 0, p +
		    tc->r.nparams, n - 1 - tc->r.nparams) : NULL;
		t_ali(tc, canonical, date);
		crypto_free_secret(canonical);
	}
	crypto_free_secret(copy);
	crypto_free_secret(q);
}

static size_t
t_cases(json_object *v, const char *section, json_object **cases)
{
	json_object *s;

	*cases = NULL;
	if (!json_object_object_get_ex(v, section, &s) ||
	    !json_object_object_get_ex(s, "cases", cases))
		return 0;
	return json_object_array_length(*cases);
}

static int
t_plan(json_object *v)
{
	static const char *const sections[] = { "go_sdk_v2", "ali_oss" };
	json_object *cases;
	size_t i, k, n;
	int plan = T_FIXED_CHECKS;

	for (k = 0; k < 2; k++) {
		n = t_cases(v, sections[k], &cases);
		for (i = 0; i < n; i++) {
			plan += strcmp(jstr(json_object_array_get_idx(cases, i),
			    "form"), "header") == 0 ? T_HEADER_CHECKS :
			    T_QUERY_CHECKS;
			plan += k == 1 ? T_ALI_CHECKS : 0;
		}
	}
	return plan;
}

static void
t_vectors(json_object *v, const char *section, int ali)
{
	struct t_case tc;
	json_object *cases;
	size_t i, n;

	n = t_cases(v, section, &cases);
	for (i = 0; i < n; i++) {
		t_load_case(json_object_array_get_idx(cases, i), &tc);
		if (strcmp(tc.form, "header") == 0)
			t_header_case(&tc, ali);
		else
			t_query_case(&tc, ali);
	}
}

/* The refusals and edges osssig.h promises. */
static void
t_fixed(json_object *v)
{
	struct t_case tc, bad;
	struct osssig_auth a, a2;
	struct osssig_header h[4];
	struct osssig_param p[2];
	struct creds c;
	const char *addl[1];
	char *s, *q;
	json_object *cases;

	t_cases(v, "go_sdk_v2", &cases);
	t_load_case(json_object_array_get_idx(cases, 0), &tc);

	s = osssig_uri_encode("a b/\xc3\xbc~-_.!*'()+", 1);
	is_str(s, "a%20b/%C3%BC~-_.%21%2A%27%28%29%2B", "UriEncode keeps /");
	free(s);
	s = osssig_uri_encode("a/b", 0);
	is_str(s, "a%2Fb", "UriEncode of a parameter encodes /");
	free(s);

	ok(osssig_sign_header(&tc.r, &tc.c, "oss-cn-hangzhou", tc.t, &a) == 0 &&
	    strcmp(a.authorization, jstr(tc.o, "authorization")) == 0,
	    "a leading oss- in the region is stripped");
	osssig_auth_clear(&a);
	ok(osssig_sign_header(&tc.r, &tc.c, "cn-hangzhou", tc.t + 1, &a) == 0 &&
	    strcmp(a.authorization, jstr(tc.o, "authorization")) != 0,
	    "another second, another signature");
	osssig_auth_clear(&a);
	ok(osssig_sign_header(&tc.r, &tc.c, "cn-hangzhou", tc.t, &a) == 0 &&
	    strstr(a.authorization, "sk") == NULL && a.nadd == 2,
	    "no secret in the header; x-oss-content-sha256 not added twice");
	osssig_auth_clear(&a);
	osssig_auth_clear(NULL);
	ok(1, "osssig_auth_clear(NULL)");

	/* Header refusals: one bad thing each. */
	bad = tc;
	h[0] = (struct osssig_header){ "X-OSS-Date", "20231216T162057Z" };
	bad.r.headers = h;
	bad.r.nheaders = 1;
	ok(osssig_sign_header(&bad.r, &bad.c, "cn-hangzhou", bad.t, &a) == -1 &&
	    a.authorization == NULL, "x-oss-date given by the caller refused");
	h[0] = (struct osssig_header){ "authorization", "x" };
	ok(osssig_sign_header(&bad.r, &bad.c, "cn-hangzhou", bad.t, &a) == -1,
	    "Authorization given by the caller refused");
	h[0] = (struct osssig_header){ "x-oss-security-token", "x" };
	ok(osssig_sign_header(&bad.r, &bad.c, "cn-hangzhou", bad.t, &a) == -1,
	    "x-oss-security-token given by the caller refused");
	h[0] = (struct osssig_header){ "x-oss-meta-a", "v\r\nx-oss-acl: x" };
	ok(osssig_sign_header(&bad.r, &bad.c, "cn-hangzhou", bad.t, &a) == -1,
	    "CR LF in a header value refused");
	h[0] = (struct osssig_header){ "x-oss-meta a", "v" };
	ok(osssig_sign_header(&bad.r, &bad.c, "cn-hangzhou", bad.t, &a) == -1,
	    "space in a header name refused");
	h[0] = (struct osssig_header){ "x-oss-meta-a", "1" };
	h[1] = (struct osssig_header){ "X-Oss-Meta-A", "2" };
	bad.r.nheaders = 2;
	ok(osssig_sign_header(&bad.r, &bad.c, "cn-hangzhou", bad.t, &a) == -1,
	    "a header given twice refused");
	h[1] = (struct osssig_header){ "cache-control", "no-cache" };
	addl[0] = "Range";
	bad.r.additional = addl;
	bad.r.nadditional = 1;
	ok(osssig_sign_header(&bad.r, &bad.c, "cn-hangzhou", bad.t, &a) == -1,
	    "an additional header that is not sent refused");
	addl[0] = "Cache-Control";
	ok(osssig_sign_header(&bad.r, &bad.c, "cn-hangzhou", bad.t, &a) == 0 &&
	    strstr(a.authorization, ",AdditionalHeaders=cache-control,") !=
	    NULL, "an additional header that is sent is signed");
	osssig_auth_clear(&a);
	h[0] = (struct osssig_header){ "x-oss-meta-a", "  v\t" };
	h[1] = (struct osssig_header){ "cache-control", "no-cache" };
	bad.r.nadditional = 1;
	ok(osssig_sign_header(&bad.r, &bad.c, "cn-hangzhou", bad.t, &a) == 0,
	    "sign with an untrimmed value");
	h[0].value = "v";
	ok(osssig_sign_header(&bad.r, &bad.c, "cn-hangzhou", bad.t, &a2) == 0 &&
	    strcmp(a.authorization, a2.authorization) == 0,
	    "header values are trimmed before signing");
	osssig_auth_clear(&a);
	osssig_auth_clear(&a2);

	bad = tc;
	bad.r.method = "put";
	ok(osssig_sign_header(&bad.r, &bad.c, "cn-hangzhou", bad.t, &a) == -1,
	    "a lower-case method refused");
	bad = tc;
	ok(osssig_sign_header(&bad.r, &bad.c, "cn/hangzhou", bad.t, &a) == -1 &&
	    osssig_sign_header(&bad.r, &bad.c, "", bad.t, &a) == -1,
	    "a malformed region refused");
	c = tc.c;
	c.access_key_secret = "";
	ok(osssig_sign_header(&bad.r, &c, "cn-hangzhou", bad.t, &a) == -1 &&
	    osssig_presign(&bad.r, &c, "cn-hangzhou", bad.t, 60) == NULL,
	    "an empty secret refused");
	p[0] = (struct osssig_param){ "x-oss-signature", "x" };
	bad.r.params = p;
	bad.r.nparams = 1;
	ok(osssig_sign_header(&bad.r, &bad.c, "cn-hangzhou", bad.t, &a) == -1 &&
	    osssig_canonical_request(&bad.r) == NULL,
	    "x-oss-signature as a parameter refused");
	p[0] = (struct osssig_param){ "a", "1" };
	p[1] = (struct osssig_param){ "a", "2" };
	bad.r.nparams = 2;
	ok(osssig_canonical_request(&bad.r) == NULL,
	    "a parameter given twice refused");

	/* Query refusals. */
	bad = tc;
	ok(osssig_presign(&bad.r, &bad.c, "cn-hangzhou", bad.t, 0) == NULL &&
	    osssig_presign(&bad.r, &bad.c, "cn-hangzhou", bad.t,
	    LIMIT_PRESIGN_MAX + 1) == NULL, "x-oss-expires 0 and 604801 refused");
	q = osssig_presign(&bad.r, &bad.c, "cn-hangzhou", bad.t,
	    LIMIT_PRESIGN_MAX);
	ok(q != NULL && strstr(q, "&x-oss-expires=604800&") != NULL,
	    "x-oss-expires 604800 accepted");
	free(q);
	p[0] = (struct osssig_param){ "X-Oss-Date", "20231216T162057Z" };
	bad.r.params = p;
	bad.r.nparams = 1;
	ok(osssig_presign(&bad.r, &bad.c, "cn-hangzhou", bad.t, 60) == NULL,
	    "a query parameter the query form adds refused");
	p[0] = (struct osssig_param){ "uploads", "" };
	p[1] = (struct osssig_param){ "b", NULL };
	bad.r.nparams = 2;
	bad.r.nheaders = 0;
	s = osssig_canonical_request(&bad.r);
	ok(s != NULL && strstr(s, "\nb&uploads\n") != NULL,
	    "empty and absent values are both the bare name, sorted");
	free(s);
	q = osssig_presign(&bad.r, &bad.c, "cn-hangzhou", bad.t, 60);
	ok(q != NULL && strncmp(q, "uploads&b&x-oss-signature-version=", 34) ==
	    0, "bare names stay bare in the query, in the caller's order");
	free(q);
	bad.r.bucket = NULL;
	bad.r.key = NULL;
	s = osssig_canonical_request(&bad.r);
	ok(s != NULL && strncmp(s, "PUT\n/\n", 6) == 0,
	    "no bucket and no key: the canonical URI is /");
	free(s);
	s = osssig_string_to_sign("2023121", "cn-hangzhou", "x");
	ok(s == NULL, "a short date refused for the string to sign");
	/* UTC day boundary: the scope follows x-oss-date's day. */
	q = osssig_presign(&tc.r, &tc.c, "cn-hangzhou",
	    (time_t)1702771199, 60);	/* 2023-12-16T23:59:59Z */
	ok(q != NULL && strstr(q, "%2F20231216%2Fcn-hangzhou%2Foss%2F") != NULL
	    && strstr(q, "x-oss-date=20231216T235959Z") != NULL,
	    "the scope's day is x-oss-date's day");
	free(q);
}

int
main(void)
{
	json_object *v;
	char path[4096];
	const char *top = getenv("top_srcdir");

	snprintf(path, sizeof(path), "%s/tests/data/oss-v4-request.json",
	    top != NULL ? top : ".");
	if ((v = json_object_from_file(path)) == NULL) {
		tap_plan(1);
		ok(0, "load %s", path);
		return tap_done();
	}
	tap_plan(t_plan(v));
	t_vectors(v, "go_sdk_v2", 0);
	t_vectors(v, "ali_oss", 1);
	t_fixed(v);
	json_object_put(v);
	return tap_done();
}
