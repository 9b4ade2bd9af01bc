/*
 * cbverify: OSS callback signatures.  Known answers: the two real
 * callbacks OSS signed (tests/data/oss-callbacks/, with OSS's published
 * key in data/), the signed string's first line for paths with escapes,
 * '+', UTF-8, queries and a bare '?', from REQUEST_URI and from the CGI
 * variables, the key URL allow-list, and signatures made here with a key
 * generated for the test (OpenSSL, RSA-MD5 as OSS signs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "cbverify.h"
#include "crypto.h"
#include "limit.h"
#include "tap.h"
#include "tfile.h"

/* The file top_srcdir/rel, whole, NUL after it; NULL if unreadable. */
static char *
slurp(const char *rel, size_t *len)
{
	char path[4096];
	const char *top = getenv("top_srcdir");

	snprintf(path, sizeof(path), "%s/%s", top != NULL ? top : ".", rel);
	return tfile_slurp(path, len);
}

static char *
b64(const void *p, size_t len)
{
	char *s = malloc(crypto_b64_size(len));

	if (s != NULL)
		crypto_b64(p, len, s);
	return s;
}

static void
target_is(const char *uri, const char *script, const char *pinfo,
    const char *query, int flags, const char *want, const char *name)
{
	char out[LIMIT_CB_TARGET + 1];
	long n;

	n = cbverify_target(uri, script, pinfo, query, flags, out, sizeof(out));
	if (want == NULL)
		is_int(n, -1, name);
	else
		is_str(n >= 0 ? out : "(refused)", want, name);
}

/* An RSA key of bits made here: its PEM public key (SPKI or PKCS#1). */
static EVP_PKEY *
own_key(unsigned int bits, int pkcs1, char **pem, size_t *pemlen)
{
	EVP_PKEY *pk = EVP_RSA_gen(bits);
	OSSL_ENCODER_CTX *ectx;
	unsigned char *data = NULL;
	size_t len = 0;

	*pem = NULL;
	if (pk == NULL)
		return NULL;
	ectx = OSSL_ENCODER_CTX_new_for_pkey(pk, EVP_PKEY_PUBLIC_KEY, "PEM",
	    pkcs1 ? "type-specific" : "SubjectPublicKeyInfo", NULL);
	if (ectx == NULL || !OSSL_ENCODER_to_data(ectx, &data, &len)) {
		OSSL_ENCODER_CTX_free(ectx);
		EVP_PKEY_free(pk);
		return NULL;
	}
	OSSL_ENCODER_CTX_free(ectx);
	*pem = (char *)data;
	*pemlen = len;
	return pk;
}

/* RSA PKCS#1 v1.5 with MD5 over msg, base64 (a new string). */
static char *
own_sign(EVP_PKEY *pk, const char *msg, size_t len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char sig[1024];
	size_t siglen = sizeof(sig);
	char *out = NULL;

	if (ctx != NULL &&
	    EVP_DigestSignInit_ex(ctx, NULL, "MD5", NULL, NULL, pk, NULL) ==
	    1 && EVP_DigestSign(ctx, sig, &siglen, (const unsigned char *)msg,
	    len) == 1)
		out = b64(sig, siglen);
	EVP_MD_CTX_free(ctx);
	return out;
}

/* Sign "line\nbody" with pk and check the request uri/cgi vars carry it. */
static enum cbverify_err
own_check(EVP_PKEY *pk, const struct cbverify_key *key, const char *line,
    const char *uri, const char *script, const char *query,
    const char *body)
{
	struct cbverify_req r;
	char msg[4096], *sig;
	enum cbverify_err e;
	int n;

	n = snprintf(msg, sizeof(msg), "%s\n%s", line, body);
	if ((sig = own_sign(pk, msg, (size_t)n)) == NULL)
		return CBVERIFY__MAX;
	memset(&r, 0, sizeof(r));
	r.request_uri = uri;
	r.script_name = script;
	r.query_string = query;
	r.authorization = sig;
	r.body = body;
	r.bodylen = strlen(body);
	e = cbverify_request_sig(&r, key);
	free(sig);
	return e;
}

static void
test_tables(void)
{
	int e, good = 1;

	for (e = 0; e < CBVERIFY__MAX; e++)
		if (cbverify_name(e)[0] == '\0' ||
		    cbverify_message(e)[0] == '\0')
			good = 0;
	ok(good, "every refusal has a name and a message");
	is_str(cbverify_name(CBVERIFY__MAX), "internal",
	    "an out-of-range reason reads as internal");
	is_str(cbverify_message(CBVERIFY_FOREIGN_KEY_URL),
	    "the public key URL is not an allowed one", "foreign key message");
}

static void
test_key_url(void)
{
	static char *const mine[] = { "https://keys.example.com/k.pem" };
	char url[LIMIT_URL_LEN + 1], *s;
	const char *u;

	u = "https://gosspublic.alicdn.com/callback_pub_key_v1.pem";
	s = b64(u, strlen(u));
	is_int(cbverify_key_url(s, NULL, 0, url, sizeof(url)), CBVERIFY_OK,
	    "OSS's https key URL is allowed by default");
	is_str(url, u, "and decoded");
	is_int(cbverify_key_url(s, mine, 1, url, sizeof(url)),
	    CBVERIFY_FOREIGN_KEY_URL, "a list of its own replaces the default");
	free(s);
	u = "http://gosspublic.alicdn.com/callback_pub_key_v1.pem";
	s = b64(u, strlen(u));
	is_int(cbverify_key_url(s, NULL, 0, NULL, 0), CBVERIFY_OK,
	    "its http:// twin too");
	free(s);
	u = "https://keys.example.com/k.pem";
	s = b64(u, strlen(u));
	is_int(cbverify_key_url(s, mine, 1, NULL, 0), CBVERIFY_OK,
	    "a URL of the list of its own");
	is_int(cbverify_key_url(s, NULL, 0, url, sizeof(url)),
	    CBVERIFY_FOREIGN_KEY_URL, "a foreign key URL is refused");
	is_str(url, u, "and named for the log");
	free(s);
	u = "https://gosspublic.alicdn.com/callback_pub_key_v1.pem.evil.com/k";
	s = b64(u, strlen(u));
	is_int(cbverify_key_url(s, NULL, 0, NULL, 0), CBVERIFY_FOREIGN_KEY_URL,
	    "a URL that only starts like OSS's is refused");
	free(s);
	u = "https://gosspublic.alicdn.com/other.pem";
	s = b64(u, strlen(u));
	is_int(cbverify_key_url(s, NULL, 0, NULL, 0), CBVERIFY_FOREIGN_KEY_URL,
	    "another file on OSS's host is not on the list");
	free(s);
	u = "https://gosspublic.alicdn.com/callback pub.pem";
	s = b64(u, strlen(u));
	is_int(cbverify_key_url(s, NULL, 0, NULL, 0), CBVERIFY_BAD_KEY_URL,
	    "a space in the decoded URL is refused");
	free(s);
	is_int(cbverify_key_url("aHR0cHM6Ly9n!!!=", NULL, 0, NULL, 0),
	    CBVERIFY_BAD_KEY_URL, "not base64");
	is_int(cbverify_key_url(NULL, NULL, 0, NULL, 0), CBVERIFY_NO_KEY_URL,
	    "no header");
	is_int(cbverify_key_url("", NULL, 0, NULL, 0), CBVERIFY_NO_KEY_URL,
	    "an empty header");
}

static void
test_target(void)
{
	target_is("/index.php?id=1&index=2", NULL, NULL, NULL, 0,
	    "/index.php?id=1&index=2", "OSS's documented request");
	target_is("/a%20b/c%2Fd/%E4%B8%AD%E6%96%87.php?k=%E4%B8%AD&x=a+b", NULL,
	    NULL, NULL, 0, "/a b/c/d/\xe4\xb8\xad\xe6\x96\x87.php?k=%E4%B8%AD&x=a+b",
	    "the path is decoded (%20 %2F UTF-8), the query kept raw");
	target_is("/a+b", NULL, NULL, NULL, 0, "/a+b", "'+' in a path is a '+'");
	target_is("/a+b", NULL, NULL, NULL, CBVERIFY_PLUS_SPACE, "/a b",
	    "or a space, read as PHP's urldecode does");
	target_is("/a%2Bb", NULL, NULL, NULL, CBVERIFY_PLUS_SPACE, "/a+b",
	    "%2B stays a '+' either way");
	target_is("/cb?", NULL, NULL, NULL, 0, "/cb?", "a bare '?' is kept");
	target_is("/cb?", NULL, NULL, NULL, CBVERIFY_QMARK_ALT, "/cb",
	    "or dropped in the other reading");
	target_is("/cb?a=", NULL, NULL, NULL, CBVERIFY_QMARK_ALT, "/cb?a=",
	    "a query with something in it is always kept");
	target_is("/cb", NULL, NULL, NULL, CBVERIFY_QMARK_ALT, "/cb",
	    "no '?' is never one");
	target_is("/cb?x=%zz", NULL, NULL, NULL, 0, "/cb?x=%zz",
	    "the query is not decoded, so not checked");
	target_is("/a%zz", NULL, NULL, NULL, 0, NULL, "a malformed escape");
	target_is("/a%4", NULL, NULL, NULL, 0, NULL, "a cut escape");
	target_is("/a%00b", NULL, NULL, NULL, 0, NULL, "an escaped NUL");
	target_is("https://cb.example.com:8443/p%20q?x=1", NULL, NULL, NULL, 0,
	    "/p q?x=1", "an absolute-form target counts from its path");
	target_is("http://cb.example.com?x=1", NULL, NULL, NULL, 0, "/?x=1",
	    "an absolute-form target without a path");
	target_is("cb.example.com/p", NULL, NULL, NULL, 0, NULL,
	    "a target that is neither");
	target_is("*", NULL, NULL, NULL, 0, NULL, "the asterisk form");
	target_is("", "/ossign", "/callback", "a=%2F&b", 0,
	    "/ossign/callback?a=%2F&b",
	    "no REQUEST_URI: SCRIPT_NAME + PATH_INFO + ? + QUERY_STRING");
	target_is(NULL, "/ossign/callback", NULL, "", 0, "/ossign/callback",
	    "an empty QUERY_STRING adds nothing");
	target_is(NULL, "/ossign/callback", NULL, "", CBVERIFY_QMARK_ALT,
	    "/ossign/callback?", "or a bare '?' in the other reading");
	target_is(NULL, "/a%b c+d", NULL, NULL, 0, "/a%b c+d",
	    "the CGI path is already decoded: not decoded again");
	target_is(NULL, "/a+b", NULL, NULL, CBVERIFY_PLUS_SPACE, "/a b",
	    "but '+' has its other reading there too");
	target_is(NULL, NULL, NULL, "a=1", 0, NULL, "no path at all");
	target_is(NULL, "ossign", NULL, NULL, 0, NULL,
	    "a path that does not start with '/'");
	{
		char small[8];

		is_int(cbverify_target("/0123456789", NULL, NULL, NULL, 0,
		    small, sizeof(small)), -1, "longer than the buffer");
	}
}

static void
test_keys(void)
{
	struct cbverify_key *k;
	EVP_PKEY *pk;
	char err[256], *pem;
	size_t len;

	k = cbverify_key_new("junk", 4, err, sizeof(err));
	ok(k == NULL && strstr(err, "PEM") != NULL, "junk is not a key: %s",
	    err);
	k = cbverify_key_new("-----BEGIN PUBLIC KEY-----\nAAAA\n"
	    "-----END PUBLIC KEY-----\n", 56, err, sizeof(err));
	ok(k == NULL, "a broken PEM body is refused: %s", err);
	pk = own_key(1024, 1, &pem, &len);
	k = cbverify_key_new(pem, len, err, sizeof(err));
	ok(k != NULL && cbverify_key_bits(k) == 1024,
	    "an RSA PUBLIC KEY (PKCS#1) loads");
	cbverify_key_free(k);
	OPENSSL_free(pem);
	{
		unsigned char *data = NULL;
		OSSL_ENCODER_CTX *ectx = OSSL_ENCODER_CTX_new_for_pkey(pk,
		    EVP_PKEY_KEYPAIR, "PEM", NULL, NULL);

		len = 0;
		OSSL_ENCODER_to_data(ectx, &data, &len);
		OSSL_ENCODER_CTX_free(ectx);
		k = cbverify_key_new(data, len, err, sizeof(err));
		ok(k == NULL, "a private key file is refused: %s", err);
		OPENSSL_clear_free(data, len);
	}
	EVP_PKEY_free(pk);
	{
		EVP_PKEY *ec = EVP_EC_gen("P-256");
		unsigned char *data = NULL;
		OSSL_ENCODER_CTX *ectx = OSSL_ENCODER_CTX_new_for_pkey(ec,
		    EVP_PKEY_PUBLIC_KEY, "PEM", "SubjectPublicKeyInfo", NULL);

		len = 0;
		OSSL_ENCODER_to_data(ectx, &data, &len);
		OSSL_ENCODER_CTX_free(ectx);
		k = cbverify_key_new(data, len, err, sizeof(err));
		ok(k == NULL && strstr(err, "RSA") != NULL,
		    "an EC key is refused: %s", err);
		OPENSSL_free(data);
		EVP_PKEY_free(ec);
	}
	cbverify_key_free(NULL);
}

/* One real callback, NAME.txt and NAME.sig, and copies of it tampered. */
/* "NAME: what", for the tests run once per vector. */
static const char *
lbl(const char *name, const char *what)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "%s: %s", name, what);
	return buf;
}

static void
test_real_one(const struct cbverify_key *oss, const char *name,
    const char *keyurl)
{
	struct cbverify_req r;
	char rel[128], *txt, *sig, *sigb = NULL, *nl, line[256];
	size_t tlen = 0, slen = 0;

	snprintf(rel, sizeof(rel), "tests/data/oss-callbacks/%s.txt", name);
	txt = slurp(rel, &tlen);
	snprintf(rel, sizeof(rel), "tests/data/oss-callbacks/%s.sig", name);
	sig = slurp(rel, &slen);
	if (txt == NULL || sig == NULL ||
	    (nl = memchr(txt, '\n', tlen)) == NULL ||
	    (size_t)(nl - txt) >= sizeof(line)) {
		ok(0, "read %s", name);
		goto out;
	}
	is_int(cbverify_signature(oss, txt, tlen, (unsigned char *)sig, slen),
	    CBVERIFY_OK, lbl(name, "OSS's signature over the string verifies"));
	memcpy(line, txt, (size_t)(nl - txt));
	line[nl - txt] = '\0';
	sigb = b64(sig, slen);
	memset(&r, 0, sizeof(r));
	r.request_uri = line;	/* no escapes in either */
	r.pub_key_url = keyurl;
	r.authorization = sigb;
	r.body = nl + 1;
	r.bodylen = tlen - (size_t)(nl + 1 - txt);
	is_int(cbverify_request(&r, NULL, 0, oss), CBVERIFY_OK,
	    lbl(name, "and as a request, from REQUEST_URI"));
	r.request_uri = NULL;
	if ((r.query_string = strchr(line, '?')) != NULL)
		*(char *)r.query_string++ = '\0';
	r.script_name = line;
	is_int(cbverify_request(&r, NULL, 0, oss), CBVERIFY_OK,
	    lbl(name, "and from SCRIPT_NAME and QUERY_STRING"));
	r.bodylen--;
	is_int(cbverify_request(&r, NULL, 0, oss), CBVERIFY_BAD_SIGNATURE,
	    lbl(name, "a byte less of body does not"));
	r.bodylen++;
	r.script_name = "/other";
	is_int(cbverify_request(&r, NULL, 0, oss), CBVERIFY_BAD_SIGNATURE,
	    lbl(name, "another path does not"));
	r.script_name = line;
	sig[slen / 2] ^= 1;
	free(sigb);
	sigb = b64(sig, slen);
	r.authorization = sigb;
	is_int(cbverify_request(&r, NULL, 0, oss), CBVERIFY_BAD_SIGNATURE,
	    lbl(name, "a changed signature does not"));
	free(sigb);
	sigb = b64(sig, slen - 1);
	r.authorization = sigb;
	is_int(cbverify_request(&r, NULL, 0, oss), CBVERIFY_BAD_SIGNATURE,
	    lbl(name, "nor a short one"));
out:
	free(sigb);
	free(txt);
	free(sig);
}

/* The real callbacks: docs_yonghu (form) and cloudreve (JSON). */
static void
test_real(const struct cbverify_key *oss)
{
	struct cbverify_req r;
	char *txt, *sigb, *keyurl;
	size_t slen;
	const char *u = DEFAULT_CB_KEY_URL;

	keyurl = b64(u, strlen(u));
	test_real_one(oss, "docs_yonghu", keyurl);
	test_real_one(oss, "cloudreve", keyurl);
	/* docs_yonghu's query, changed. */
	{
		txt = slurp("tests/data/oss-callbacks/docs_yonghu.sig", &slen);
		sigb = txt != NULL ? b64(txt, slen) : NULL;
		memset(&r, 0, sizeof(r));
		r.request_uri = "/index.php?id=1&index=3";
		r.pub_key_url = keyurl;
		r.authorization = sigb;
		r.body = "bucket=yonghu-test";
		r.bodylen = 18;
		is_int(cbverify_request(&r, NULL, 0, oss),
		    CBVERIFY_BAD_SIGNATURE, "docs_yonghu with another query");
		r.request_uri = "/index.php?id=1&index=2";
		is_int(cbverify_request(&r, NULL, 0, oss), CBVERIFY_OK,
		    "docs_yonghu as OSS sent it");
		r.request_uri = "/index%2Ephp?id=1&index=2";
		is_int(cbverify_request(&r, NULL, 0, oss), CBVERIFY_OK,
		    "an escaped path decodes to the signed one");
		r.pub_key_url = "aHR0cHM6Ly9ldmlsLmV4YW1wbGUvay5wZW0=";
		is_int(cbverify_request(&r, NULL, 0, oss),
		    CBVERIFY_FOREIGN_KEY_URL, "a foreign key URL goes first");
		r.pub_key_url = keyurl;
		r.authorization = "not base64!";
		is_int(cbverify_request(&r, NULL, 0, oss), CBVERIFY_BAD_BASE64,
		    "an Authorization that is not base64");
		r.authorization = NULL;
		is_int(cbverify_request(&r, NULL, 0, oss),
		    CBVERIFY_NO_SIGNATURE, "no Authorization");
		r.authorization = sigb;
		r.request_uri = "/index%zz.php";
		is_int(cbverify_request(&r, NULL, 0, oss), CBVERIFY_MALFORMED,
		    "a path that cannot be decoded");
		r.request_uri = "/index.php?id=1&index=2";
		r.bodylen = LIMIT_CB_BODY + 1;
		is_int(cbverify_request(&r, NULL, 0, oss), CBVERIFY_TOO_LARGE,
		    "a body over the limit");
		free(sigb);
		free(txt);
	}
	free(keyurl);
}

/* Signatures made here, for what the real vectors do not cover. */
static void
test_own(void)
{
	struct cbverify_key *k;
	EVP_PKEY *pk;
	char err[256], *pem;
	size_t len;

	if ((pk = own_key(2048, 0, &pem, &len)) == NULL ||
	    (k = cbverify_key_new(pem, len, err, sizeof(err))) == NULL) {
		ok(0, "own key");
		return;
	}
	is_int(own_check(pk, k, "/ossign/callback/a b/c/d/\xe4\xb8\xad?x=%2F&y=+&z",
	    "/ossign/callback/a%20b/c%2Fd/%E4%B8%AD?x=%2F&y=+&z", NULL, NULL,
	    "{\"a\":1}"), CBVERIFY_OK,
	    "escapes %20 %2F and UTF-8 in the path, & = + in the query");
	is_int(own_check(pk, k, "/a+b", "/a+b", NULL, NULL, "x=1"),
	    CBVERIFY_OK, "'+' signed as '+'");
	is_int(own_check(pk, k, "/a b", "/a+b", NULL, NULL, "x=1"),
	    CBVERIFY_OK, "'+' signed as a space (PHP's reading)");
	is_int(own_check(pk, k, "/a_b", "/a+b", NULL, NULL, "x=1"),
	    CBVERIFY_BAD_SIGNATURE, "but nothing else");
	is_int(own_check(pk, k, "/cb?", "/cb?", NULL, NULL, ""), CBVERIFY_OK,
	    "a bare '?' signed, empty body");
	is_int(own_check(pk, k, "/cb", "/cb?", NULL, NULL, ""), CBVERIFY_OK,
	    "a bare '?' not signed");
	is_int(own_check(pk, k, "/cb?", NULL, "/cb", "", ""), CBVERIFY_OK,
	    "CGI variables, '?' signed but QUERY_STRING empty");
	is_int(own_check(pk, k, "/cb?a=1", "/cb?a=2", NULL, NULL, ""),
	    CBVERIFY_BAD_SIGNATURE, "another query");
	is_int(own_check(pk, k, "/cb", "/cb", NULL, NULL, "body"),
	    CBVERIFY_OK, "a plain one");
	{
		struct cbverify_key *oss;
		char *osspem;
		size_t osslen;
		struct cbverify_req r;
		char msg[] = "/cb\nbody", *sig = own_sign(pk, msg, 8);

		osspem = slurp("data/callback_pub_key_v1.pem", &osslen);
		oss = osspem != NULL ? cbverify_key_new(osspem, osslen, err,
		    sizeof(err)) : NULL;
		memset(&r, 0, sizeof(r));
		r.request_uri = "/cb";
		r.authorization = sig;
		r.body = "body";
		r.bodylen = 4;
		is_int(cbverify_request_sig(&r, oss), CBVERIFY_BAD_SIGNATURE,
		    "a signature by another key does not verify with OSS's");
		cbverify_key_free(oss);
		free(osspem);
		free(sig);
	}
	cbverify_key_free(k);
	OPENSSL_free(pem);
	EVP_PKEY_free(pk);
}

int
main(void)
{
	struct cbverify_key *oss = NULL;
	char err[256], *pem;
	size_t len;

	tap_plan(80);
	test_tables();
	test_key_url();
	test_target();
	test_keys();
	pem = slurp("data/callback_pub_key_v1.pem", &len);
	ok(pem != NULL && (oss = cbverify_key_new(pem, len, err,
	    sizeof(err))) != NULL, "OSS's published key loads");
	is_int(cbverify_key_bits(oss), 512, "and has 512 bits");
	test_real(oss);
	test_own();
	cbverify_key_free(oss);
	free(pem);
	return tap_done();
}
