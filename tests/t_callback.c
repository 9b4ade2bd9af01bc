/*
 * callback: the `callback` field, ossign's x: variables and their
 * conditions, the load-time checks of the callback_* settings, the body
 * parser and the ticket check.  The known answers (the `callback` base64,
 * the tickets, the event ids) were computed with Python's json, hmac and
 * hashlib, an implementation independent of this one:
 *	hmac.new(secret, b"ossign-callback-v1\0" + bucket + b"\0" +
 *	    b"".join(v + b"\0" for v in values), hashlib.sha256).hexdigest()
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callback.h"
#include "crypto.h"
#include "limit.h"
#include "tap.h"

#define SECRET		"0123456789abcdef0123456789abcdef"
#define SECRETLEN	32
#define BUCKET		"examplebucket"
#define EXP		1795587581	/* 2026-11-25T06:19:41Z */
#define TICKET1		"v1.00f961a01c018074b0fbb45e3cb9db3c2ccca31088d743e1fc24fc30089cf37a"
#define TICKET2		"v1.51d6824c48cce886882f51b8c3a6164f2e4cf99c91f60f60c472f3697e1a2c96"
#define CBURL		"https://www.example.com/ossign/callback"

static struct callback_settings
settings(enum callback_body_type type, const char *body)
{
	struct callback_settings s;

	memset(&s, 0, sizeof(s));
	s.url = CBURL;
	s.sni = -1;
	s.body_type = type;
	s.body = body;
	return s;
}

static int
check(const struct callback_settings *s, char *err, size_t errlen)
{
	err[0] = '\0';
	return callback_settings_check(s, NULL, err, errlen);
}

/* Settings refused, with err containing want. */
static void
refused(const struct callback_settings *s, const char *want,
    const char *name)
{
	char err[1024];
	int rc = check(s, err, sizeof(err));

	if (!ok(rc == -1 && strstr(err, want) != NULL, "%s", name))
		printf("# rc %d, err: %s\n# want: %s\n", rc, err, want);
}

static void
accepted(const struct callback_settings *s, const char *name)
{
	char err[1024];

	if (!ok(check(s, err, sizeof(err)) == 0, "%s", name))
		printf("# err: %s\n", err);
}

static void
test_param(void)
{
	struct callback_settings s = settings(CALLBACK_JSON, NULL);
	unsigned char dec[4096];
	char *p;
	long n;

	accepted(&s, "the default JSON template is accepted");
	p = callback_param(&s);
	is_str(p, "eyJjYWxsYmFja1VybCI6Imh0dHBzOi8vd3d3LmV4YW1wbGUuY29tL29zc2lnb"
	    "i9jYWxsYmFjayIsImNhbGxiYWNrQm9keSI6IntcImJ1Y2tldFwiOiR7YnVja2V0fS"
	    "xcIm9iamVjdFwiOiR7b2JqZWN0fSxcImV0YWdcIjoke2V0YWd9LFwic2l6ZVwiOiR"
	    "7c2l6ZX0sXCJtaW1lVHlwZVwiOiR7bWltZVR5cGV9LFwib3NzaWduX3VzZXJcIjok"
	    "e3g6b3NzaWduX3VzZXJ9LFwib3NzaWduX3VwbG9hZFwiOiR7eDpvc3NpZ25fdXBsb"
	    "2FkfSxcIm9zc2lnbl9tYXRjaFwiOiR7eDpvc3NpZ25fbWF0Y2h9LFwib3NzaWduX2"
	    "tleVwiOiR7eDpvc3NpZ25fa2V5fSxcIm9zc2lnbl9leHBcIjoke3g6b3NzaWduX2V"
	    "4cH0sXCJvc3NpZ25fdGlja2V0XCI6JHt4Om9zc2lnbl90aWNrZXR9fSIsImNhbGxi"
	    "YWNrQm9keVR5cGUiOiJhcHBsaWNhdGlvbi9qc29uIn0=",
	    "the callback field for the defaults (Python's json + base64)");
	free(p);
	s.host = "cb.example.com";
	s.sni = 1;
	s.body = "{\"object\":${object},\"ossign_user\":${x:ossign_user},"
	    "\"ossign_upload\":${x:ossign_upload},"
	    "\"ossign_match\":${x:ossign_match},\"ossign_key\":${x:ossign_key},"
	    "\"ossign_exp\":${x:ossign_exp},"
	    "\"ossign_ticket\":${x:ossign_ticket},"
	    "\"pic\":\"${imageInfo.width}x${imageInfo.height}\"}";
	accepted(&s, "host, SNI and a template of its own");
	p = callback_param(&s);
	n = p != NULL ? crypto_unb64(p, strlen(p), dec, sizeof(dec) - 1) : -1;
	if (n >= 0)
		dec[n] = '\0';
	is_str(n >= 0 ? (char *)dec : NULL, "{\"callbackUrl\":\"" CBURL "\","
	    "\"callbackBody\":\"{\\\"object\\\":${object},\\\"ossign_user\\\":"
	    "${x:ossign_user},\\\"ossign_upload\\\":${x:ossign_upload},"
	    "\\\"ossign_match\\\":${x:ossign_match},\\\"ossign_key\\\":"
	    "${x:ossign_key},\\\"ossign_exp\\\":${x:ossign_exp},"
	    "\\\"ossign_ticket\\\":${x:ossign_ticket},\\\"pic\\\":"
	    "\\\"${imageInfo.width}x${imageInfo.height}\\\"}\","
	    "\"callbackBodyType\":\"application/json\","
	    "\"callbackHost\":\"cb.example.com\",\"callbackSNI\":true}",
	    "its JSON: OSS's order, the body escaped, SNI a boolean");
	free(p);
	s = settings(CALLBACK_FORM, NULL);
	accepted(&s, "the default form template is accepted");
	is_str(callback_default_body(CALLBACK_FORM),
	    "bucket=${bucket}&object=${object}&etag=${etag}&size=${size}"
	    "&mimeType=${mimeType}&ossign_user=${x:ossign_user}"
	    "&ossign_upload=${x:ossign_upload}&ossign_match=${x:ossign_match}"
	    "&ossign_key=${x:ossign_key}&ossign_exp=${x:ossign_exp}"
	    "&ossign_ticket=${x:ossign_ticket}", "the default form template");
	s.sni = 0;
	p = callback_param(&s);
	n = p != NULL ? crypto_unb64(p, strlen(p), dec, sizeof(dec) - 1) : -1;
	if (n >= 0)
		dec[n] = '\0';
	ok(n > 0 && strstr((char *)dec, "\"callbackBodyType\":\"application/"
	    "x-www-form-urlencoded\",\"callbackSNI\":false}") != NULL,
	    "form type and callbackSNI false");
	free(p);
}

static void
test_settings(void)
{
	struct callback_settings s = settings(CALLBACK_JSON, NULL);
	char urls[6 * 64 + 8], big[LIMIT_URL_LEN + 64], tpl[LIMIT_CB_TEMPLATE + 8];
	int i;

	s.url = "http://www.example.com/cb";
	refused(&s, "https:// only", "http:// without callback_insecure");
	s.insecure = 1;
	accepted(&s, "http:// with callback_insecure");
	s.insecure = 0;
	s.url = "https://a.example.com/cb;https://b.example.com:8443/cb?x=1";
	accepted(&s, "two URLs, a port and a query");
	urls[0] = '\0';
	for (i = 0; i < 6; i++)
		snprintf(urls + strlen(urls), sizeof(urls) - strlen(urls),
		    "%shttps://h%d.example.com/cb", i > 0 ? ";" : "", i);
	s.url = urls;
	refused(&s, "more than 5", "six URLs");
	*strrchr(urls, ';') = '\0';
	accepted(&s, "five URLs");
	s.url = "https://a.example.com/cb;;https://b.example.com/cb";
	refused(&s, "empty URL", "an empty URL between ';'");
	s.url = "https://a.example.com/c b";
	refused(&s, "cannot hold", "a space in a URL");
	s.url = "https://a.example.com/cb#frag";
	refused(&s, "cannot hold", "a fragment");
	s.url = "https://a.example.com/%E4%B8%AD%zz";
	refused(&s, "escape", "a malformed escape");
	s.url = "https://a.example.com/\xe4\xb8\xad.php";
	refused(&s, "cannot hold", "raw UTF-8 (OSS wants it encoded)");
	s.url = "https://user:pw@a.example.com/cb";
	refused(&s, "host", "userinfo");
	s.url = "https://a.example.com:0/cb";
	refused(&s, "host", "port 0");
	s.url = "https://a.example.com:70000/cb";
	refused(&s, "host", "port 70000");
	s.url = "https://[::1]:8443/cb";
	accepted(&s, "an IPv6 literal");
	s.url = "";
	refused(&s, "callback_url: empty", "no URL");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "https://a.example.com/", 22);
	s.url = big;
	refused(&s, "longer than", "a URL over LIMIT_URL_LEN");
	{
		char five[5 * 1601];

		for (i = 0; i < 5; i++) {
			memcpy(five + i * 1601, big, 1600);
			five[i * 1601 + 1600] = i < 4 ? ';' : '\0';
		}
		s.url = five;
		refused(&s, "over OSS's", "a callback field over 8 KiB");
	}
	s.url = CBURL;

	s.host = "cb.example.com:443";
	accepted(&s, "callback_host with a port");
	s.host = "cb example";
	refused(&s, "callback_host", "a bad callback_host");
	s.host = NULL;
	s.sni = 2;
	refused(&s, "callback_sni", "a bad callback_sni");
	s.sni = -1;
	s.body_type = CALLBACK_BODY__MAX;
	refused(&s, "callback_body_type", "a bad body type");
	s.body_type = CALLBACK_JSON;

	s.body = "{\"object\":${object},\"x\":${nope}}";
	refused(&s, "unknown variable ${nope}", "an unknown variable");
	s.body = "{\"object\":${object";
	refused(&s, "without", "an unclosed variable");
	s.body = "{\"object\":\"${object}\",\"ossign_user\":${x:ossign_user},"
	    "\"ossign_upload\":${x:ossign_upload},"
	    "\"ossign_match\":${x:ossign_match},\"ossign_key\":${x:ossign_key},"
	    "\"ossign_exp\":${x:ossign_exp},"
	    "\"ossign_ticket\":${x:ossign_ticket}}";
	refused(&s, "its own quotes", "\"${object}\": a string variable quoted");
	s.body = "{\"object\":${object},\"ossign_user\":${x:ossign_user}}";
	refused(&s, "\"ossign_upload\":${x:ossign_upload}",
	    "ossign's values missing");
	s.body = "{\"object\":\"a.png\",\"ossign_user\":${x:ossign_user},"
	    "\"ossign_upload\":${x:ossign_upload},"
	    "\"ossign_match\":${x:ossign_match},\"ossign_key\":${x:ossign_key},"
	    "\"ossign_exp\":${x:ossign_exp},"
	    "\"ossign_ticket\":${x:ossign_ticket}}";
	refused(&s, "\"object\":${object}", "a constant object");
	s.body = "{\"object\":\"\\u0000object\",\"ossign_user\":${x:ossign_user}}";
	refused(&s, "\\u0000", "a constant dressed as a stand-in");
	s.body = "{\"object\":\"\\u0001object\",\"ossign_user\":${x:ossign_user}}";
	refused(&s, "\\u0001", "a constant dressed as a stand-in (\\u0001)");
	s.body = "{\"object\":${object},\"object\":${object},"
	    "\"ossign_user\":${x:ossign_user},"
	    "\"ossign_upload\":${x:ossign_upload},"
	    "\"ossign_match\":${x:ossign_match},\"ossign_key\":${x:ossign_key},"
	    "\"ossign_exp\":${x:ossign_exp},"
	    "\"ossign_ticket\":${x:ossign_ticket}}";
	refused(&s, "repeated", "a name twice");
	s.body = "{\"a\":{\"object\":${object}}}";
	refused(&s, "\"object\":${object}", "object nested, not at the top");
	s.body = "[${object}]";
	refused(&s, "not a JSON object", "an array");
	s.body = "";
	refused(&s, "callback_body: empty", "an empty template");
	memset(tpl, ' ', sizeof(tpl) - 1);
	tpl[sizeof(tpl) - 1] = '\0';
	s.body = tpl;
	refused(&s, "longer than", "a template over LIMIT_CB_TEMPLATE");
	s.body = "{\"object\":${object}\x01}";
	refused(&s, "control byte", "a control byte");

	s.body_type = CALLBACK_FORM;
	s.body = "object=${object}&ossign_user=${x:ossign_user}"
	    "&ossign_upload=${x:ossign_upload}&ossign_match=${x:ossign_match}"
	    "&ossign_key=${x:ossign_key}&ossign_exp=${x:ossign_exp}"
	    "&ossign_ticket=${x:ossign_ticket}&pic=${imageInfo.width}%2C"
	    "${imageInfo.height}&tag=photo";
	accepted(&s, "a form template of its own");
	s.body = "object=${object}&ossign_user=${x:ossign_user}";
	refused(&s, "needs ossign_upload=${x:ossign_upload}",
	    "a form template without ossign's values");
	s.body = "object=${object}&object=${object}";
	refused(&s, "twice", "a form name twice");
	s.body = "object=${object}&a b=1";
	refused(&s, "not form-encoded", "a space in a form name");
	s.body = "object=${object}&a=$1";
	refused(&s, "not form-encoded", "a '$' that is no variable");
	s.body = "object=${object}&&a=1";
	refused(&s, "name=value", "an empty pair");
}

static struct callback_values
values1(void)
{
	struct callback_values v;

	memset(&v, 0, sizeof(v));
	v.bucket = BUCKET;
	v.user = "alice";
	v.upload = "default";
	v.key = "user/alice/photo.png";
	v.prefix = 0;
	v.expiration = EXP;
	return v;
}

/* The same in prefix mode, without a user. */
static struct callback_values
values2(void)
{
	struct callback_values v = values1();

	v.user = NULL;
	v.upload = "avatars";
	v.key = "avatars/";
	v.prefix = 1;
	return v;
}

static void
test_form(void)
{
	struct callback_settings s = settings(CALLBACK_JSON, NULL);
	struct callback_values v = values1();
	struct callback_form *f;
	char err[256], *p;
	size_t i;

	f = callback_form_new(&s, &v, SECRET, SECRETLEN, err, sizeof(err));
	if (!ok(f != NULL && f->n == 7, "a form for an exact key")) {
		callback_form_free(f);
		return;
	}
	p = callback_param(&s);
	ok(strcmp(f->fields[0].name, "callback") == 0 &&
	    strcmp(f->fields[0].value, p) == 0, "callback first");
	free(p);
	is_str(f->fields[1].name, "x:ossign_user", "x:ossign_user");
	is_str(f->fields[1].value, "alice", "the user");
	is_str(f->fields[2].value, "default", "x:ossign_upload");
	is_str(f->fields[3].value, "exact", "x:ossign_match");
	is_str(f->fields[4].value, "user/alice/photo.png", "x:ossign_key");
	is_str(f->fields[5].value, "2026-11-25T06:19:41.000Z", "x:ossign_exp");
	is_str(f->fields[6].name, "x:ossign_ticket", "x:ossign_ticket");
	is_str(f->fields[6].value, TICKET1, "the ticket (Python's hmac)");
	for (i = 0; i < f->n; i++)
		if (strcmp(f->conds[i].op, "eq") != 0 ||
		    f->conds[i].field != f->fields[i].name ||
		    f->conds[i].value != f->fields[i].value)
			break;
	ok(i == f->n, "an eq condition for every field");
	callback_form_free(f);

	v = values2();
	f = callback_form_new(&s, &v, SECRET, SECRETLEN, err, sizeof(err));
	ok(f != NULL && strcmp(f->fields[1].value, "-") == 0 &&
	    strcmp(f->fields[3].value, "prefix") == 0 &&
	    strcmp(f->fields[6].value, TICKET2) == 0,
	    "no user is \"-\"; prefix mode; its ticket");
	callback_form_free(f);
	v.user = "";
	f = callback_form_new(&s, &v, SECRET, SECRETLEN, err, sizeof(err));
	ok(f != NULL && strcmp(f->fields[6].value, TICKET2) == 0,
	    "an empty user is no user");
	callback_form_free(f);
	v.user = "-";
	ok(callback_form_new(&s, &v, SECRET, SECRETLEN, err,
	    sizeof(err)) == NULL, "a user called \"-\" is refused");
	v.user = "a\nb";
	ok(callback_form_new(&s, &v, SECRET, SECRETLEN, err,
	    sizeof(err)) == NULL, "a user with a control byte is refused");
	v.user = "alice";
	v.key = "";
	ok(callback_form_new(&s, &v, SECRET, SECRETLEN, err,
	    sizeof(err)) == NULL && strstr(err, "key_prefix") != NULL,
	    "an empty prefix is refused");
	v.key = "avatars/";
	ok(callback_form_new(&s, &v, SECRET, 31, err, sizeof(err)) == NULL,
	    "a secret under 32 bytes is refused");
	callback_form_free(NULL);
}

static struct callback_vars *
parse(const char *ctype, const char *body)
{
	struct callback_vars *vars = NULL;

	if (callback_body_parse(ctype, body, strlen(body), &vars) !=
	    CALLBACK_OK)
		return NULL;
	return vars;
}

static enum callback_err
parse_err(const char *ctype, const char *body)
{
	struct callback_vars *vars = NULL;
	enum callback_err e;

	e = callback_body_parse(ctype, body, strlen(body), &vars);
	callback_vars_free(vars);
	return e;
}

static void
test_parse(void)
{
	struct callback_vars *vars;
	const struct callback_var_value *vv;
	char many[LIMIT_CB_VARS * 8 + 16];
	int i;

	vars = parse("application/json", "{\"name\":\"a\\\"b\\\\c\\u4e2d.png\","
	    "\"size\":114020,\"info\":{\"w\":1},\"n\":null}");
	ok(vars != NULL && vars->n == 4 && vars->type == CALLBACK_JSON,
	    "a JSON body");
	vv = vars != NULL ? callback_vars_get(vars, "name") : NULL;
	ok(vv != NULL && vv->is_string &&
	    strcmp(vv->value, "a\"b\\c\xe4\xb8\xad.png") == 0,
	    "a string unescaped");
	vv = vars != NULL ? callback_vars_get(vars, "size") : NULL;
	ok(vv != NULL && !vv->is_string && strcmp(vv->value, "114020") == 0,
	    "a number as its text");
	vv = vars != NULL ? callback_vars_get(vars, "info") : NULL;
	ok(vv != NULL && strcmp(vv->value, "{\"w\":1}") == 0,
	    "an object as its JSON");
	callback_vars_free(vars);
	vars = parse("Application/JSON; charset=utf-8", "{\"a\":\"1\"}  \r\n");
	ok(vars != NULL && vars->n == 1, "type parameters and case ignored, "
	    "trailing spaces allowed");
	callback_vars_free(vars);
	vars = parse("application/x-www-form-urlencoded",
	    "bucket=yonghu-test&object=a%20b+c%2F%E4%B8%AD&empty=&bare&&");
	ok(vars != NULL && vars->n == 4 && vars->type == CALLBACK_FORM,
	    "a form body");
	vv = vars != NULL ? callback_vars_get(vars, "object") : NULL;
	ok(vv != NULL && strcmp(vv->value, "a b c/\xe4\xb8\xad") == 0,
	    "%%20, '+', %%2F and UTF-8 decoded");
	vv = vars != NULL ? callback_vars_get(vars, "bare") : NULL;
	ok(vv != NULL && vv->len == 0, "a name without '=' has an empty value");
	callback_vars_free(vars);
	vars = parse(NULL, "bucket=b");
	ok(vars != NULL && vars->type == CALLBACK_FORM,
	    "no Content-Type: a form, OSS's default");
	callback_vars_free(vars);
	is_int(parse_err("application/json", "{\"a\":1,\"a\":2}"),
	    CALLBACK_MALFORMED, "JSON: a name twice");
	is_int(parse_err("application/json", "{\"a\":\"x:y\",\"b\":\"{\"}"),
	    CALLBACK_OK, "':' and '{' inside strings are not members");
	is_int(parse_err(NULL, "a=1&a=2"), CALLBACK_MALFORMED, "form: twice");
	is_int(parse_err("application/json", "{\"a\":1} x"),
	    CALLBACK_MALFORMED, "something after the object");
	is_int(parse_err("application/json", "[1]"), CALLBACK_MALFORMED,
	    "not an object");
	is_int(parse_err("application/json", "{'a':1}"), CALLBACK_MALFORMED,
	    "not strict JSON");
	is_int(parse_err("application/json", "{\"a\":\"\xff\"}"),
	    CALLBACK_MALFORMED, "invalid UTF-8");
	is_int(parse_err("application/json", "{\"a\":\"x\\u0000\"}"),
	    CALLBACK_MALFORMED, "JSON: \\u0000 in a string");
	is_int(parse_err("application/json", "{\"a\":{\"b\":1,\"b\":2}}"),
	    CALLBACK_MALFORMED, "JSON: a nested name twice");
	is_int(parse_err("application/json",
	    "{\"a\":[[[[[[[[[[1]]]]]]]]]]}"), CALLBACK_MALFORMED,
	    "nested too deep");
	is_int(parse_err("text/plain", "a=1"), CALLBACK_MALFORMED,
	    "another type");
	is_int(parse_err(NULL, "a=%00"), CALLBACK_MALFORMED, "an escaped NUL");
	is_int(parse_err(NULL, "a=%zz"), CALLBACK_MALFORMED, "a bad escape");
	is_int(parse_err(NULL, "=1"), CALLBACK_MALFORMED, "an empty name");
	many[0] = '\0';
	for (i = 0; i <= LIMIT_CB_VARS; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many),
		    "%sv%d=1", i > 0 ? "&" : "", i);
	is_int(parse_err(NULL, many), CALLBACK_TOO_LARGE, "too many variables");
	{
		struct callback_vars *out = NULL;

		is_int(callback_body_parse(NULL, "a=1", LIMIT_CB_BODY + 1,
		    &out), CALLBACK_TOO_LARGE, "a body over the limit");
	}
}

/* A JSON body as OSS fills the default template for f's values. */
static char *
oss_json(const struct callback_form *f, const char *bucket,
    const char *object)
{
	char *b = malloc(4096);

	snprintf(b, 4096, "{\"bucket\":\"%s\",\"object\":\"%s\","
	    "\"etag\":\"D41D8CD98F00B204E9800998ECF8427E\",\"size\":0,"
	    "\"mimeType\":\"image/png\",\"ossign_user\":\"%s\","
	    "\"ossign_upload\":\"%s\",\"ossign_match\":\"%s\","
	    "\"ossign_key\":\"%s\",\"ossign_exp\":\"%s\","
	    "\"ossign_ticket\":\"%s\"}", bucket, object, f->fields[1].value,
	    f->fields[2].value, f->fields[3].value, f->fields[4].value,
	    f->fields[5].value, f->fields[6].value);
	return b;
}

static enum callback_err
ticket(const char *ctype, const char *body, const char *bucket, time_t now,
    struct callback_event *ev)
{
	struct callback_vars *vars = NULL;
	enum callback_err e;

	if ((e = callback_body_parse(ctype, body, strlen(body), &vars)) !=
	    CALLBACK_OK)
		return e;
	e = callback_ticket_check(vars, bucket, SECRET, SECRETLEN, now,
	    DEFAULT_CB_GRACE, ev);
	callback_vars_free(vars);
	return e;
}

static void
test_ticket(void)
{
	struct callback_settings s = settings(CALLBACK_JSON, NULL);
	struct callback_values v = values1();
	struct callback_form *f;
	struct callback_event ev;
	char err[256], *b, *t;
	struct callback_vars *vars;

	f = callback_form_new(&s, &v, SECRET, SECRETLEN, err, sizeof(err));
	if (f == NULL) {
		ok(0, "form");
		return;
	}
	b = oss_json(f, BUCKET, "user/alice/photo.png");
	is_int(ticket("application/json", b, BUCKET, EXP - 100, &ev),
	    CALLBACK_OK, "OSS's callback for the exact key");
	is_str(ev.user, "alice", "the user");
	is_str(ev.upload, "default", "the section");
	is_str(ev.object, "user/alice/photo.png", "the object");
	ok(ev.prefix == 0 && ev.expiration == EXP, "exact, its expiration");
	is_str(ev.id, "3d0b4dcfda2cd47446dce8a74be34270471b6a4de6eaa75994bd658a"
	    "74894497", "its id (Python's hashlib)");
	is_int(ticket("application/json", b, BUCKET, EXP + DEFAULT_CB_GRACE,
	    &ev), CALLBACK_OK, "within the grace");
	is_int(ticket("application/json", b, BUCKET,
	    EXP + DEFAULT_CB_GRACE + 1, &ev), CALLBACK_EXPIRED,
	    "past the grace");
	is_int(ticket("application/json", b, "otherbucket", EXP, &ev),
	    CALLBACK_BAD_TICKET, "a ticket of another bucket's ossign");
	free(b);
	b = oss_json(f, "otherbucket", "user/alice/photo.png");
	is_int(ticket("application/json", b, BUCKET, EXP, &ev),
	    CALLBACK_WRONG_BUCKET, "a body naming another bucket");
	free(b);
	b = oss_json(f, BUCKET, "user/alice/other.png");
	is_int(ticket("application/json", b, BUCKET, EXP, &ev),
	    CALLBACK_WRONG_OBJECT, "another object than the exact key");
	free(b);
	b = oss_json(f, BUCKET, "user/alice/photo.png");
	t = strstr(b, "\"alice\"");
	memcpy(t, "\"alicf\"", 7);
	is_int(ticket("application/json", b, BUCKET, EXP, &ev),
	    CALLBACK_BAD_TICKET, "another user with alice's ticket");
	memcpy(t, "\"alice\"", 7);
	t = strstr(b, "v1.") + 3;
	*t = *t == '0' ? '1' : '0';
	is_int(ticket("application/json", b, BUCKET, EXP, &ev),
	    CALLBACK_BAD_TICKET, "a ticket changed by one digit");
	*t = *t == '0' ? '1' : '0';
	for (; *t != '"'; t++)	/* TICKET1 has letters */
		if (*t >= 'a' && *t <= 'f')
			*t = (char)(*t - 'a' + 'A');
	is_int(ticket("application/json", b, BUCKET, EXP, &ev),
	    CALLBACK_BAD_TICKET, "the ticket in upper case is not the ticket");
	free(b);
	{
		struct callback_vars *vv = NULL;

		b = oss_json(f, BUCKET, "user/alice/photo.png");
		callback_body_parse("application/json", b, strlen(b), &vv);
		is_int(vv != NULL ? (int)callback_ticket_check(vv, BUCKET,
		    "another secret, 32 bytes long...", 32, EXP, 0, &ev) : -1,
		    CALLBACK_BAD_TICKET, "another server secret");
		is_int(vv != NULL ? (int)callback_ticket_check(vv, BUCKET,
		    SECRET, 31, EXP, 0, &ev) : -1, CALLBACK_INTERNAL,
		    "a short secret is a bad argument");
		callback_vars_free(vv);
		free(b);
	}
	callback_form_free(f);

	/* Prefix mode, no user, a form body. */
	v = values2();
	f = callback_form_new(&s, &v, SECRET, SECRETLEN, err, sizeof(err));
	b = malloc(4096);
	snprintf(b, 4096, "bucket=%s&object=avatars%%2Fx.png&size=3"
	    "&ossign_user=-&ossign_upload=avatars&ossign_match=prefix"
	    "&ossign_key=avatars%%2F&ossign_exp=2026-11-25T06%%3A19%%3A41.000Z"
	    "&ossign_ticket=%s", BUCKET, TICKET2);
	is_int(ticket(NULL, b, BUCKET, EXP, &ev), CALLBACK_OK,
	    "a form body, prefix mode, an object under the prefix");
	ok(ev.user[0] == '\0' && ev.prefix == 1 &&
	    strcmp(ev.key, "avatars/") == 0, "no user, the prefix");
	is_str(ev.id, "eaf59c16ccf8ca85de001c11317d8f66a556670d5b6cb4e8599db9a5"
	    "fbe464d2", "its id");
	t = strstr(b, "avatars%2Fx.png");
	memcpy(t, "avatarz", 7);
	is_int(ticket(NULL, b, BUCKET, EXP, &ev), CALLBACK_WRONG_OBJECT,
	    "an object outside the prefix");
	free(b);
	is_int(ticket(NULL, "object=avatars%2Fx.png&ossign_user=-", BUCKET,
	    EXP, &ev), CALLBACK_NO_TICKET, "ossign's values missing");
	b = oss_json(f, BUCKET, "avatars/x.png");
	t = strstr(b, "\"prefix\"");
	memcpy(t, "\"exactx\"", 8);
	is_int(ticket("application/json", b, BUCKET, EXP, &ev),
	    CALLBACK_BAD_TICKET, "a match that is neither");
	free(b);
	vars = parse("application/json", "{\"object\":\"avatars/x.png\","
	    "\"ossign_user\":\"-\",\"ossign_upload\":\"avatars\","
	    "\"ossign_match\":\"prefix\",\"ossign_key\":\"avatars/\","
	    "\"ossign_exp\":1795587581,\"ossign_ticket\":\"" TICKET2 "\"}");
	is_int(vars != NULL ? (int)callback_ticket_check(vars, BUCKET,
	    SECRET, SECRETLEN, EXP, 0, &ev) : -1, CALLBACK_BAD_TICKET,
	    "a value that is not a JSON string");
	callback_vars_free(vars);
	callback_form_free(f);
}

static void
test_names(void)
{
	int e, good = 1;

	for (e = 0; e < CALLBACK__MAX; e++)
		if (callback_err_name(e)[0] == '\0' ||
		    callback_err_message(e)[0] == '\0')
			good = 0;
	ok(good, "every refusal has a name and a message");
	is_str(callback_err_name(CALLBACK_BAD_TICKET), "bad_ticket",
	    "bad_ticket");
}

int
main(void)
{
	tap_plan(114);
	test_names();
	test_param();
	test_settings();
	test_form();
	test_parse();
	test_ticket();
	return tap_done();
}
