/* Upload callbacks: what ossign asks OSS for, the ticket; see callback.h. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "callback.h"
#include "crypto.h"
#include "jsonr.h"
#include "sbuf.h"
#include "util.h"

const char *const callback_body_types[CALLBACK_BODY__MAX] = {
	[CALLBACK_JSON] = "application/json",
	[CALLBACK_FORM] = "application/x-www-form-urlencoded",
};

const char *const callback_var_fields[CALLBACK_VAR__MAX] = {
	[CALLBACK_VAR_USER] = "x:ossign_user",
	[CALLBACK_VAR_UPLOAD] = "x:ossign_upload",
	[CALLBACK_VAR_MATCH] = "x:ossign_match",
	[CALLBACK_VAR_KEY] = "x:ossign_key",
	[CALLBACK_VAR_EXP] = "x:ossign_exp",
	[CALLBACK_VAR_TICKET] = "x:ossign_ticket",
};

const char *const callback_var_names[CALLBACK_VAR__MAX] = {
	[CALLBACK_VAR_USER] = "ossign_user",
	[CALLBACK_VAR_UPLOAD] = "ossign_upload",
	[CALLBACK_VAR_MATCH] = "ossign_match",
	[CALLBACK_VAR_KEY] = "ossign_key",
	[CALLBACK_VAR_EXP] = "ossign_exp",
	[CALLBACK_VAR_TICKET] = "ossign_ticket",
};

#define CALLBACK_OBJECT		"object"	/* the field every body has */

/*
 * The variables a template may name: OSS's system variables (Callback API
 * reference) and ossign's own.  In a JSON body OSS fills a string
 * variable in with its quotes and a number without; cloudreve's real
 * callback (tests/data/oss-callbacks/) shows ${size} and the
 * ${imageInfo.*} sizes as bare numbers.  Variables whose kind OSS does not
 * document are taken as strings, the stricter reading: they may then only
 * stand where a JSON value does.
 */
static const struct {
	const char	*name;
	int		 number;
} callback_known[] = {
	{ "bucket", 0 }, { "object", 0 }, { "etag", 0 }, { "size", 1 },
	{ "mimeType", 0 }, { "imageInfo.height", 1 }, { "imageInfo.width", 1 },
	{ "imageInfo.format", 0 }, { "crc64", 0 }, { "contentMd5", 0 },
	{ "vpcId", 0 }, { "clientIp", 0 }, { "reqId", 0 }, { "operation", 0 },
	{ "x:ossign_user", 0 }, { "x:ossign_upload", 0 },
	{ "x:ossign_match", 0 }, { "x:ossign_key", 0 }, { "x:ossign_exp", 0 },
	{ "x:ossign_ticket", 0 },
};
#define CALLBACK_NKNOWN	(sizeof(callback_known) / sizeof(callback_known[0]))

static const char *const callback_defaults[CALLBACK_BODY__MAX] = {
	[CALLBACK_JSON] = "{\"bucket\":${bucket},\"object\":${object},"
	    "\"etag\":${etag},\"size\":${size},\"mimeType\":${mimeType},"
	    "\"ossign_user\":${x:ossign_user},"
	    "\"ossign_upload\":${x:ossign_upload},"
	    "\"ossign_match\":${x:ossign_match},"
	    "\"ossign_key\":${x:ossign_key},\"ossign_exp\":${x:ossign_exp},"
	    "\"ossign_ticket\":${x:ossign_ticket}}",
	[CALLBACK_FORM] = "bucket=${bucket}&object=${object}&etag=${etag}"
	    "&size=${size}&mimeType=${mimeType}"
	    "&ossign_user=${x:ossign_user}&ossign_upload=${x:ossign_upload}"
	    "&ossign_match=${x:ossign_match}&ossign_key=${x:ossign_key}"
	    "&ossign_exp=${x:ossign_exp}&ossign_ticket=${x:ossign_ticket}",
};

static const struct {
	const char	*name;
	const char	*message;
} callback_errs[CALLBACK__MAX] = {
	[CALLBACK_OK] = { "ok", "the ticket matches" },
	[CALLBACK_MALFORMED] = { "malformed_body",
	    "the callback body cannot be read" },
	[CALLBACK_TOO_LARGE] = { "body_too_large",
	    "the callback body is too large" },
	[CALLBACK_NO_TICKET] = { "no_ticket",
	    "the callback body carries no ossign ticket" },
	[CALLBACK_BAD_TICKET] = { "bad_ticket",
	    "the ticket does not match its values" },
	[CALLBACK_EXPIRED] = { "expired",
	    "the signature of this upload expired too long ago" },
	[CALLBACK_WRONG_BUCKET] = { "wrong_bucket",
	    "the callback names another bucket" },
	[CALLBACK_WRONG_OBJECT] = { "wrong_object",
	    "the object is not the one signed" },
	[CALLBACK_INTERNAL] = { "internal", "internal error" },
};

static enum callback_err
callback_err_valid(enum callback_err e)
{
	return (int)e >= 0 && e < CALLBACK__MAX ? e : CALLBACK_INTERNAL;
}

const char *
callback_err_name(enum callback_err e)
{
	return callback_errs[callback_err_valid(e)].name;
}

const char *
callback_err_message(enum callback_err e)
{
	return callback_errs[callback_err_valid(e)].message;
}

const char *
callback_default_body(enum callback_body_type type)
{
	return (int)type >= 0 && type < CALLBACK_BODY__MAX ?
	    callback_defaults[type] : NULL;
}

/* ---- load-time checks ---------------------------------------------- */

static int
callback_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
callback_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* 1 when s[i] starts a valid %XX escape. */
static int
callback_escape_ok(const char *s, size_t len, size_t i)
{
	return i + 2 < len && util_hexval((unsigned char)s[i + 1]) >= 0 &&
	    util_hexval((unsigned char)s[i + 2]) >= 0;
}

/* A host name or an IPv4/IPv6 literal, and an optional port. */
static int
callback_authority_ok(const char *a, size_t len)
{
	size_t i = 0, hostlen;
	long long port;
	char buf[8];

	if (len > 0 && a[0] == '[') {
		for (i = 1; i < len && a[i] != ']'; i++)
			if (util_hexval((unsigned char)a[i]) < 0 &&
			    a[i] != ':' && a[i] != '.')
				return 0;
		if (i == len || i == 1)
			return 0;
		i++;
	} else {
		for (; i < len && a[i] != ':'; i++)
			if (!isalnum((unsigned char)a[i]) && a[i] != '-' &&
			    a[i] != '.')
				return 0;
		if (i == 0 || a[0] == '.' || a[0] == '-')
			return 0;
	}
	hostlen = i;
	if (hostlen > LIMIT_CB_HOST_LEN)
		return 0;
	if (i == len)
		return 1;
	if (a[i] != ':' || len - i - 1 == 0 || len - i - 1 >= sizeof(buf))
		return 0;
	memcpy(buf, a + i + 1, len - i - 1);
	buf[len - i - 1] = '\0';
	return util_strtonum(buf, 1, 65535, &port, NULL) == 0 && buf[0] != '-';
}

/* One callback URL (len bytes, not NUL-terminated). */
static int
callback_url_ok(const char *u, size_t len, int insecure, char *err,
    size_t errlen)
{
	size_t skip, alen, i;

	if (len > LIMIT_URL_LEN)
		return callback_fail(err, errlen, "callback_url: a URL longer "
		    "than %d bytes", LIMIT_URL_LEN);
	if (len >= 8 && strncmp(u, "https://", 8) == 0)
		skip = 8;
	else if (len >= 7 && strncmp(u, "http://", 7) == 0 && insecure)
		skip = 7;
	else
		return callback_fail(err, errlen, "callback_url: %.*s: "
		    "https:// only (http:// with callback_insecure = yes)",
		    (int)(len < 64 ? len : 64), u);
	for (alen = 0; skip + alen < len && u[skip + alen] != '/' &&
	    u[skip + alen] != '?'; alen++)
		;
	if (!callback_authority_ok(u + skip, alen))
		return callback_fail(err, errlen, "callback_url: %.*s: not a "
		    "valid host[:port]", (int)(len < 64 ? len : 64), u);
	for (i = skip + alen; i < len; i++) {
		unsigned char c = (unsigned char)u[i];

		if (c <= 0x20 || c >= 0x7f || strchr("\"<>\\^`{|}#", c))
			return callback_fail(err, errlen, "callback_url: "
			    "%.*s: a byte a URL cannot hold (encode it as "
			    "%%XX; no '#')", (int)(len < 64 ? len : 64), u);
		if (c == '%' && !callback_escape_ok(u, len, i))
			return callback_fail(err, errlen, "callback_url: "
			    "%.*s: a malformed %%XX escape",
			    (int)(len < 64 ? len : 64), u);
	}
	return 0;
}

static int
callback_urls_ok(const char *url, int insecure, char *err, size_t errlen)
{
	const char *p, *semi;
	size_t n = 0, len;

	if (url == NULL || *url == '\0')
		return callback_fail(err, errlen, "callback_url: empty");
	for (p = url;; p = semi + 1) {
		semi = strchr(p, ';');
		len = semi != NULL ? (size_t)(semi - p) : strlen(p);
		if (len == 0)
			return callback_fail(err, errlen, "callback_url: an "
			    "empty URL between ';'");
		if (++n > LIMIT_CB_URLS)
			return callback_fail(err, errlen, "callback_url: more "
			    "than %d URLs (OSS's limit)", LIMIT_CB_URLS);
		if (callback_url_ok(p, len, insecure, err, errlen) == -1)
			return -1;
		if (semi == NULL)
			return 0;
	}
}

/* The index in callback_known of the variable name[0..len), or -1. */
static int
callback_known_var(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < CALLBACK_NKNOWN; i++)
		if (strlen(callback_known[i].name) == len &&
		    memcmp(callback_known[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

/*
 * Scan the template: every "${" closes with a known name.  Calls put for
 * each literal run and each variable (var >= 0) in order, when put is not
 * NULL.  Returns 0, or -1 with err filled.
 */
static int
callback_tpl_scan(const char *tpl, int (*put)(void *, const char *, size_t,
    int), void *arg, char *err, size_t errlen)
{
	const char *p = tpl, *open, *close;
	int k;

	while ((open = strstr(p, "${")) != NULL) {
		if ((close = strchr(open + 2, '}')) == NULL)
			return callback_fail(err, errlen, "callback_body: "
			    "\"${\" without \"}\"");
		if ((k = callback_known_var(open + 2,
		    (size_t)(close - open - 2))) < 0)
			return callback_fail(err, errlen, "callback_body: "
			    "unknown variable ${%.*s} (OSS's ${bucket} "
			    "${object} ${etag} ${size} ${mimeType} "
			    "${imageInfo.height} ${imageInfo.width} "
			    "${imageInfo.format} ${crc64} ${contentMd5} "
			    "${vpcId} ${clientIp} ${reqId} ${operation}, and "
			    "ossign's ${x:ossign_*})",
			    (int)(close - open - 2 < 40 ? close - open - 2 :
			    40), open + 2);
		if (put != NULL && (put(arg, p, (size_t)(open - p), -1) == -1 ||
		    put(arg, NULL, 0, k) == -1))
			return callback_fail(err, errlen, "out of memory");
		p = close + 1;
	}
	if (put != NULL && put(arg, p, strlen(p), -1) == -1)
		return callback_fail(err, errlen, "out of memory");
	return 0;
}

/*
 * A template filled with stand-ins: a string variable as the JSON string
 * "\u0001NAME", a number as 0.  A template holding "\u0001" itself is
 * refused first, and a raw 0x01 is a control byte, so no constant looks
 * like a stand-in.  (Not "\u0000": jsonr refuses it.)
 */
static int
callback_put_standin(void *arg, const char *s, size_t n, int var)
{
	struct sbuf *b = arg;
	const char *name;

	if (var < 0)
		sbuf_add(b, s, n);
	else if (callback_known[var].number)
		sbuf_str(b, "0");
	else {
		name = callback_known[var].name;
		if (strncmp(name, "x:", 2) == 0)
			name += 2;
		sbuf_str(b, "\"\\u0001");
		sbuf_str(b, name);
		sbuf_str(b, "\"");
	}
	return b->oom ? -1 : 0;
}

/*
 * Strict JSON (jsonr.h): one object of at most LIMIT_CB_BODY bytes,
 * nothing after it but spaces, no name twice.  NULL if not.
 */
static json_object *
callback_json_object(const char *s, size_t len)
{
	char why[80];

	if (len == 0 || len > LIMIT_CB_BODY)
		return NULL;
	return jsonr_parse(s, len, LIMIT_CB_JSON_DEPTH, why, sizeof(why));
}

/* The required fields: "object" = ${object}, "ossign_X" = ${x:ossign_X}. */
static const char *
callback_required(size_t i)
{
	return i == 0 ? CALLBACK_OBJECT : callback_var_names[i - 1];
}
#define CALLBACK_NREQUIRED	(1 + CALLBACK_VAR__MAX)

static int
callback_tpl_json(const char *tpl, char *err, size_t errlen)
{
	struct sbuf b = { 0 };
	json_object *j = NULL, *m;
	const char *s;
	size_t i;
	int rc = -1;

	for (s = tpl; (s = strchr(s, '\\')) != NULL; s++)
		if (strncasecmp(s, "\\u0000", 6) == 0 ||
		    strncasecmp(s, "\\u0001", 6) == 0)
			return callback_fail(err, errlen, "callback_body: "
			    "\\u0000 or \\u0001 in the template");
	if (callback_tpl_scan(tpl, callback_put_standin, &b, err, errlen) ==
	    -1)
		goto out;
	if ((j = callback_json_object(b.p, b.len)) == NULL) {
		callback_fail(err, errlen, "callback_body: not a JSON object "
		    "once OSS fills the variables in, or a name repeated (a "
		    "string variable brings its own quotes: "
		    "{\"object\":${object}}, never \"${object}\")");
		goto out;
	}
	for (i = 0; i < CALLBACK_NREQUIRED; i++) {
		s = callback_required(i);
		if (!json_object_object_get_ex(j, s, &m) ||
		    !json_object_is_type(m, json_type_string) ||
		    (size_t)json_object_get_string_len(m) != 1 + strlen(s) ||
		    memcmp(json_object_get_string(m), "\1", 1) != 0 ||
		    memcmp(json_object_get_string(m) + 1, s, strlen(s)) != 0) {
			callback_fail(err, errlen, "callback_body: needs "
			    "\"%s\":${%s%s} at the top level", s,
			    i == 0 ? "" : "x:", s);
			goto out;
		}
	}
	rc = 0;
out:
	json_object_put(j);
	sbuf_free(&b);
	return rc;
}

/* A byte a form template may hold outside variables. */
static int
callback_form_byte(int c)
{
	return c > 0x20 && c < 0x7f && strchr("\"<>\\^`{|}#$", c) == NULL;
}

static int
callback_tpl_form(const char *tpl, char *err, size_t errlen)
{
	const char *pair, *amp, *eq, *s;
	size_t plen, i, k, found[CALLBACK_NREQUIRED], npairs = 0;
	char want[64];
	const char *names[LIMIT_CB_VARS];
	size_t nlens[LIMIT_CB_VARS];

	memset(found, 0, sizeof(found));
	for (pair = tpl;; pair = amp + 1) {
		amp = strchr(pair, '&');
		plen = amp != NULL ? (size_t)(amp - pair) : strlen(pair);
		if ((eq = memchr(pair, '=', plen)) == NULL || eq == pair)
			return callback_fail(err, errlen, "callback_body: "
			    "\"%.*s\" is not name=value", (int)(plen < 40 ?
			    plen : 40), pair);
		/* The name is constant; the value may hold variables. */
		for (i = 0; i < (size_t)(eq - pair); i++)
			if (!callback_form_byte((unsigned char)pair[i]) ||
			    pair[i] == '=' || (pair[i] == '%' &&
			    !callback_escape_ok(pair, plen, i)))
				return callback_fail(err, errlen,
				    "callback_body: a name that is not "
				    "form-encoded: \"%.*s\"", (int)(eq - pair),
				    pair);
		for (s = eq + 1; s < pair + plen; s++) {
			if (s[0] == '$' && s[1] == '{') {
				s = strchr(s, '}');	/* known: scanned */
				continue;
			}
			if (!callback_form_byte((unsigned char)*s) ||
			    *s == '=' || (*s == '%' && !callback_escape_ok(
			    pair, plen, (size_t)(s - pair))))
				return callback_fail(err, errlen,
				    "callback_body: a value that is not "
				    "form-encoded in \"%.*s\"",
				    (int)(plen < 40 ? plen : 40), pair);
		}
		if (npairs == LIMIT_CB_VARS)
			return callback_fail(err, errlen, "callback_body: more "
			    "than %d variables", LIMIT_CB_VARS);
		for (k = 0; k < npairs; k++)
			if (nlens[k] == (size_t)(eq - pair) &&
			    memcmp(names[k], pair, nlens[k]) == 0)
				return callback_fail(err, errlen,
				    "callback_body: \"%.*s\" twice",
				    (int)nlens[k], pair);
		names[npairs] = pair;
		nlens[npairs++] = (size_t)(eq - pair);
		for (k = 0; k < CALLBACK_NREQUIRED; k++) {
			snprintf(want, sizeof(want), "%s=${%s%s}",
			    callback_required(k), k == 0 ? "" : "x:",
			    callback_required(k));
			if (strlen(want) == plen &&
			    memcmp(want, pair, plen) == 0)
				found[k] = 1;
		}
		if (amp == NULL)
			break;
	}
	for (k = 0; k < CALLBACK_NREQUIRED; k++)
		if (!found[k])
			return callback_fail(err, errlen, "callback_body: "
			    "needs %s=${%s%s}", callback_required(k),
			    k == 0 ? "" : "x:", callback_required(k));
	return 0;
}

static int
callback_tpl_check(enum callback_body_type type, const char *tpl, char *err,
    size_t errlen)
{
	size_t len, i;

	if (tpl == NULL || *tpl == '\0')
		return callback_fail(err, errlen, "callback_body: empty");
	if ((len = strlen(tpl)) > LIMIT_CB_TEMPLATE)
		return callback_fail(err, errlen, "callback_body: longer than "
		    "%d bytes", LIMIT_CB_TEMPLATE);
	if (!util_utf8_valid(tpl, len))
		return callback_fail(err, errlen, "callback_body: not UTF-8");
	for (i = 0; i < len; i++)
		if (((unsigned char)tpl[i] < 0x20 || tpl[i] == 0x7f) &&
		    !(type == CALLBACK_JSON && strchr("\t\r\n", tpl[i])))
			return callback_fail(err, errlen, "callback_body: a "
			    "control byte");
	if (callback_tpl_scan(tpl, NULL, NULL, err, errlen) == -1)
		return -1;
	return type == CALLBACK_JSON ? callback_tpl_json(tpl, err, errlen) :
	    callback_tpl_form(tpl, err, errlen);
}

static const char *
callback_body_of(const struct callback_settings *s)
{
	return s->body != NULL ? s->body : callback_default_body(s->body_type);
}

int
callback_settings_check(const struct callback_settings *s,
    enum callback_key *bad, char *err, size_t errlen)
{
	enum callback_key unused;
	char *param;
	size_t len;

	if (bad == NULL)
		bad = &unused;
	*bad = CALLBACK_KEY_URL;
	if (s == NULL)
		return callback_fail(err, errlen, "no callback settings");
	if (callback_urls_ok(s->url, s->insecure, err, errlen) == -1)
		return -1;
	if (s->host != NULL && ((len = strlen(s->host)) == 0 ||
	    !callback_authority_ok(s->host, len))) {
		*bad = CALLBACK_KEY_HOST;
		return callback_fail(err, errlen, "callback_host: not a host "
		    "name or address (with an optional :port)");
	}
	if (s->sni < -1 || s->sni > 1)
		return callback_fail(err, errlen, "callback_sni: yes or no");
	if ((int)s->body_type < 0 || s->body_type >= CALLBACK_BODY__MAX)
		return callback_fail(err, errlen, "callback_body_type: %s or "
		    "%s", callback_body_types[CALLBACK_JSON],
		    callback_body_types[CALLBACK_FORM]);
	if (callback_tpl_check(s->body_type, callback_body_of(s), err,
	    errlen) == -1) {
		*bad = CALLBACK_KEY_BODY;
		return -1;
	}
	if ((param = callback_param(s)) == NULL)
		return callback_fail(err, errlen, "out of memory");
	len = strlen(param);
	free(param);
	if (len > LIMIT_CB_PARAM)
		return callback_fail(err, errlen, "callback_url and "
		    "callback_body make a callback field of %zu bytes, over "
		    "OSS's %d", len, LIMIT_CB_PARAM);
	return 0;
}

/* ---- per signature ------------------------------------------------- */

char *
callback_param(const struct callback_settings *s)
{
	json_object *j;
	const char *js;
	size_t len;
	char *b64 = NULL;

	if ((j = json_object_new_object()) == NULL)
		return NULL;
	/* OSS's order (SPEC.md); json-c keeps insertion order. */
	if (json_object_object_add(j, "callbackUrl",
	    json_object_new_string(s->url)) != 0 ||
	    json_object_object_add(j, "callbackBody",
	    json_object_new_string(callback_body_of(s))) != 0 ||
	    json_object_object_add(j, "callbackBodyType",
	    json_object_new_string(callback_body_types[s->body_type])) != 0 ||
	    (s->host != NULL && json_object_object_add(j, "callbackHost",
	    json_object_new_string(s->host)) != 0) ||
	    (s->sni >= 0 && json_object_object_add(j, "callbackSNI",
	    json_object_new_boolean(s->sni)) != 0))
		goto out;
	if ((js = json_object_to_json_string_length(j, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &len)) == NULL ||
	    (b64 = malloc(crypto_b64_size(len))) == NULL)
		goto out;
	crypto_b64(js, len, b64);
out:
	json_object_put(j);
	return b64;
}

/*
 * The ticket over the wire values vals[0..CALLBACK_VAR_TICKET) for bucket:
 * "v1." + hex HMAC-SHA256(secret, "ossign-callback-v1" NUL bucket NUL
 * value NUL ...).  No value holds a NUL, so the input is unambiguous.
 */
static int
callback_mac(const void *secret, size_t secretlen, const char *bucket,
    const char *const vals[CALLBACK_VAR__MAX],
    char out[CALLBACK_TICKET_LEN + 1])
{
	static const char domain[] = "ossign-callback-v1";
	struct sbuf b = { 0 };
	unsigned char mac[CRYPTO_SHA256_LEN];
	size_t i;
	int rc = -1;

	sbuf_add(&b, domain, sizeof(domain));
	sbuf_add(&b, bucket, strlen(bucket) + 1);
	for (i = 0; i < CALLBACK_VAR_TICKET; i++)
		sbuf_add(&b, vals[i], strlen(vals[i]) + 1);
	if (b.oom ||
	    crypto_hmac_sha256(secret, secretlen, b.p, b.len, mac) == -1)
		goto out;
	memcpy(out, "v1.", 3);
	crypto_hex(mac, sizeof(mac), out + 3);
	rc = 0;
out:
	crypto_wipe(mac, sizeof(mac));
	sbuf_free(&b);
	return rc;
}

/* A value a callback may carry: UTF-8 without control bytes, 1..max. */
static int
callback_value_ok(const char *s, size_t len, size_t max)
{
	return len > 0 && len <= max && memchr(s, '\0', len) == NULL &&
	    util_utf8_valid(s, len) && !util_has_ctl(s);
}

static int
callback_secret_ok(const void *secret, size_t len)
{
	return secret != NULL && len >= LIMIT_SECRET_MIN &&
	    len <= LIMIT_SECRET_MAX;
}

struct callback_form *
callback_form_new(const struct callback_settings *s,
    const struct callback_values *v, const void *secret, size_t secretlen,
    char *err, size_t errlen)
{
	struct callback_form *f = NULL;
	const char *vals[CALLBACK_VAR__MAX];
	char exp[25], ticket[CALLBACK_TICKET_LEN + 1];
	const char *user;
	size_t i;

	if (s == NULL || v == NULL || v->bucket == NULL || *v->bucket == '\0' ||
	    v->upload == NULL || v->key == NULL) {
		callback_fail(err, errlen, "callback: missing values");
		return NULL;
	}
	if (!callback_secret_ok(secret, secretlen)) {
		callback_fail(err, errlen, "callback: the secret must have %d "
		    "to %d bytes", LIMIT_SECRET_MIN, LIMIT_SECRET_MAX);
		return NULL;
	}
	user = v->user != NULL && *v->user != '\0' ? v->user : NULL;
	if (user != NULL && (strcmp(user, CALLBACK_NO_USER) == 0 ||
	    !callback_value_ok(user, strlen(user), LIMIT_USER_LEN))) {
		callback_fail(err, errlen, "callback: the user name cannot be "
		    "sent in a callback (1 to %d bytes of UTF-8, not \"-\")",
		    LIMIT_USER_LEN);
		return NULL;
	}
	if (!callback_value_ok(v->upload, strlen(v->upload),
	    LIMIT_UPLOAD_NAME) ||
	    !callback_value_ok(v->key, strlen(v->key), LIMIT_KEY_LEN)) {
		callback_fail(err, errlen, "callback: the upload name or the "
		    "key cannot be sent in a callback (an empty key_prefix?)");
		return NULL;
	}
	util_iso_ms(v->expiration, exp);
	vals[CALLBACK_VAR_USER] = user != NULL ? user : CALLBACK_NO_USER;
	vals[CALLBACK_VAR_UPLOAD] = v->upload;
	vals[CALLBACK_VAR_MATCH] = v->prefix ? "prefix" : "exact";
	vals[CALLBACK_VAR_KEY] = v->key;
	vals[CALLBACK_VAR_EXP] = exp;
	if (callback_mac(secret, secretlen, v->bucket, vals, ticket) == -1)
		goto nomem;
	vals[CALLBACK_VAR_TICKET] = ticket;

	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    (f->fields[0].name = strdup("callback")) == NULL ||
	    (f->fields[0].value = s->param != NULL ? strdup(s->param) :
	    callback_param(s)) == NULL)
		goto nomem;
	for (i = 0; i < CALLBACK_VAR__MAX; i++)
		if ((f->fields[i + 1].name = strdup(callback_var_fields[i])) ==
		    NULL || (f->fields[i + 1].value = strdup(vals[i])) == NULL)
			goto nomem;
	f->n = 1 + CALLBACK_VAR__MAX;
	for (i = 0; i < f->n; i++) {
		f->conds[i].op = "eq";
		f->conds[i].field = f->fields[i].name;
		f->conds[i].value = f->fields[i].value;
	}
	return f;
nomem:
	callback_fail(err, errlen, "out of memory");
	/* Every field allocated so far is freed, n or not. */
	if (f != NULL)
		f->n = 1 + CALLBACK_VAR__MAX;
	callback_form_free(f);
	return NULL;
}

void
callback_form_free(struct callback_form *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->n && i < 1 + CALLBACK_VAR__MAX; i++) {
		free(f->fields[i].name);
		free(f->fields[i].value);
	}
	free(f);
}

/* ---- the verifying side -------------------------------------------- */

static int
callback_vars_add(struct callback_vars *vars, const char *name,
    const char *value, size_t len, int is_string)
{
	struct callback_var_value *vv;

	if (vars->n == LIMIT_CB_VARS)
		return -1;
	vv = &vars->v[vars->n];
	if ((vv->name = strdup(name)) == NULL ||
	    (vv->value = malloc(len + 1)) == NULL) {
		free(vv->name);
		vv->name = NULL;
		return -1;
	}
	memcpy(vv->value, value, len);
	vv->value[len] = '\0';
	vv->len = len;
	vv->is_string = is_string;
	vars->n++;
	return 0;
}

static enum callback_err
callback_parse_json(struct callback_vars *vars, const char *body, size_t len)
{
	json_object *j;
	const char *txt;
	size_t tlen;
	enum callback_err e = CALLBACK_OK;

	if ((j = callback_json_object(body, len)) == NULL)
		return CALLBACK_MALFORMED;
	if (json_object_object_length(j) > LIMIT_CB_VARS) {
		json_object_put(j);
		return CALLBACK_TOO_LARGE;
	}
	json_object_object_foreach(j, name, val) {
		if (json_object_is_type(val, json_type_string)) {
			txt = json_object_get_string(val);
			tlen = (size_t)json_object_get_string_len(val);
		} else if ((txt = json_object_to_json_string_length(val,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
		    &tlen)) == NULL) {
			e = CALLBACK_INTERNAL;
			break;
		}
		if (callback_vars_add(vars, name, txt, tlen,
		    json_object_is_type(val, json_type_string)) == -1) {
			e = CALLBACK_INTERNAL;
			break;
		}
	}
	json_object_put(j);
	return e;
}

static enum callback_err
callback_parse_form(struct callback_vars *vars, const char *body, size_t len)
{
	const char *pos = body, *end = body + len, *v;
	char *name = NULL, *value = NULL;
	enum callback_err e = CALLBACK_MALFORMED;
	size_t vlen;
	long n;

	if (memchr(body, '\0', len) != NULL)
		return CALLBACK_MALFORMED;
	if ((name = malloc(len + 1)) == NULL ||
	    (value = malloc(len + 1)) == NULL) {
		e = CALLBACK_INTERNAL;
		goto out;
	}
	/* Empty pairs ("a=1&&b=2", a trailing '&') are skipped. */
	while (util_query_next(&pos, end, name, len + 1, &v, &vlen)) {
		if (name[0] == '\0' ||
		    (n = util_pct_decode(v, vlen, value, len + 1)) < 0)
			goto out;
		if (callback_vars_get(vars, name) != NULL)
			goto out;	/* a repeated name */
		if (vars->n == LIMIT_CB_VARS) {
			e = CALLBACK_TOO_LARGE;
			goto out;
		}
		if (callback_vars_add(vars, name, value, (size_t)n, 1) == -1) {
			e = CALLBACK_INTERNAL;
			goto out;
		}
	}
	e = CALLBACK_OK;
out:
	free(name);
	free(value);
	return e;
}

/* The media type of a Content-Type value, or -1 when it is neither. */
static int
callback_ctype(const char *ct)
{
	size_t i, n;

	if (ct == NULL)
		return CALLBACK_FORM;	/* OSS's default callbackBodyType */
	while (*ct == ' ' || *ct == '\t')
		ct++;
	n = strcspn(ct, "; \t");
	for (i = 0; i < CALLBACK_BODY__MAX; i++)
		if (strlen(callback_body_types[i]) == n &&
		    strncasecmp(ct, callback_body_types[i], n) == 0)
			return (int)i;
	return -1;
}

enum callback_err
callback_body_parse(const char *content_type, const void *body, size_t len,
    struct callback_vars **out)
{
	struct callback_vars *vars;
	enum callback_err e;
	int type;

	*out = NULL;
	if (len > LIMIT_CB_BODY)
		return CALLBACK_TOO_LARGE;
	if ((type = callback_ctype(content_type)) < 0 ||
	    (body == NULL && len > 0))
		return CALLBACK_MALFORMED;
	if ((vars = calloc(1, sizeof(*vars))) == NULL)
		return CALLBACK_INTERNAL;
	vars->type = (enum callback_body_type)type;
	e = type == CALLBACK_JSON ? callback_parse_json(vars, body, len) :
	    callback_parse_form(vars, len > 0 ? body : "", len);
	if (e != CALLBACK_OK) {
		callback_vars_free(vars);
		return e;
	}
	*out = vars;
	return CALLBACK_OK;
}

const struct callback_var_value *
callback_vars_get(const struct callback_vars *vars, const char *name)
{
	size_t i;

	for (i = 0; i < vars->n; i++)
		if (strcmp(vars->v[i].name, name) == 0)
			return &vars->v[i];
	return NULL;
}

void
callback_vars_free(struct callback_vars *vars)
{
	size_t i;

	if (vars == NULL)
		return;
	for (i = 0; i < vars->n; i++) {
		free(vars->v[i].name);
		free(vars->v[i].value);
	}
	free(vars);
}

/* "v1." and 64 lowercase hex digits. */
static int
callback_ticket_form(const char *t, size_t len)
{
	size_t i;

	if (len != CALLBACK_TICKET_LEN || strncmp(t, "v1.", 3) != 0)
		return 0;
	for (i = 3; i < len; i++)
		if (!((t[i] >= '0' && t[i] <= '9') || (t[i] >= 'a' &&
		    t[i] <= 'f')))
			return 0;
	return 1;
}

enum callback_err
callback_ticket_check(const struct callback_vars *vars, const char *bucket,
    const void *secret, size_t secretlen, time_t now, long long grace,
    struct callback_event *ev)
{
	static const size_t max[CALLBACK_VAR__MAX] = {
		[CALLBACK_VAR_USER] = LIMIT_USER_LEN,
		[CALLBACK_VAR_UPLOAD] = LIMIT_UPLOAD_NAME,
		[CALLBACK_VAR_MATCH] = 6,
		[CALLBACK_VAR_KEY] = LIMIT_KEY_LEN,
		[CALLBACK_VAR_EXP] = LIMIT_CB_EXP_LEN,
		[CALLBACK_VAR_TICKET] = CALLBACK_TICKET_LEN,
	};
	static const char event_domain[] = "ossign-callback-event-v1";
	const struct callback_var_value *vv[CALLBACK_VAR__MAX], *obj, *bkt;
	const char *vals[CALLBACK_VAR__MAX];
	char want[CALLBACK_TICKET_LEN + 1], canon[25];
	unsigned char id[CRYPTO_SHA256_LEN];
	struct sbuf b = { 0 };
	time_t exp;
	size_t i;
	int prefix;

	if (vars == NULL || bucket == NULL || ev == NULL || grace < 0 ||
	    !callback_secret_ok(secret, secretlen))
		return CALLBACK_INTERNAL;
	memset(ev, 0, sizeof(*ev));
	for (i = 0; i < CALLBACK_VAR__MAX; i++)
		if ((vv[i] = callback_vars_get(vars, callback_var_names[i])) ==
		    NULL)
			return CALLBACK_NO_TICKET;
	for (i = 0; i < CALLBACK_VAR__MAX; i++) {
		if (!vv[i]->is_string ||
		    !callback_value_ok(vv[i]->value, vv[i]->len, max[i]))
			return CALLBACK_BAD_TICKET;
		vals[i] = vv[i]->value;
	}
	if (!callback_ticket_form(vals[CALLBACK_VAR_TICKET],
	    vv[CALLBACK_VAR_TICKET]->len) ||
	    callback_mac(secret, secretlen, bucket, vals, want) == -1)
		return CALLBACK_BAD_TICKET;
	if (CRYPTO_memcmp(want, vals[CALLBACK_VAR_TICKET],
	    CALLBACK_TICKET_LEN) != 0)
		return CALLBACK_BAD_TICKET;

	/* Signed by ossign: the values are its own from here on. */
	if (util_parse_iso(vals[CALLBACK_VAR_EXP], &exp) == -1)
		return CALLBACK_BAD_TICKET;
	util_iso_ms(exp, canon);
	if (strcmp(canon, vals[CALLBACK_VAR_EXP]) != 0)
		return CALLBACK_BAD_TICKET;
	if (strcmp(vals[CALLBACK_VAR_MATCH], "prefix") == 0)
		prefix = 1;
	else if (strcmp(vals[CALLBACK_VAR_MATCH], "exact") == 0)
		prefix = 0;
	else
		return CALLBACK_BAD_TICKET;
	if (now > exp && (long long)(now - exp) > grace)
		return CALLBACK_EXPIRED;
	if ((bkt = callback_vars_get(vars, "bucket")) != NULL &&
	    (!bkt->is_string || strlen(bucket) != bkt->len ||
	    memcmp(bkt->value, bucket, bkt->len) != 0))
		return CALLBACK_WRONG_BUCKET;
	if ((obj = callback_vars_get(vars, CALLBACK_OBJECT)) == NULL ||
	    !obj->is_string ||
	    !callback_value_ok(obj->value, obj->len, LIMIT_KEY_LEN))
		return CALLBACK_WRONG_OBJECT;
	if (prefix ? strncmp(obj->value, vals[CALLBACK_VAR_KEY],
	    vv[CALLBACK_VAR_KEY]->len) != 0 :
	    strcmp(obj->value, vals[CALLBACK_VAR_KEY]) != 0)
		return CALLBACK_WRONG_OBJECT;

	sbuf_add(&b, event_domain, sizeof(event_domain));
	sbuf_add(&b, vals[CALLBACK_VAR_TICKET], CALLBACK_TICKET_LEN + 1);
	sbuf_add(&b, obj->value, obj->len);
	if (b.oom || crypto_sha256(b.p, b.len, id) == -1) {
		sbuf_free(&b);
		return CALLBACK_INTERNAL;
	}
	sbuf_free(&b);
	if (strcmp(vals[CALLBACK_VAR_USER], CALLBACK_NO_USER) != 0)
		memcpy(ev->user, vals[CALLBACK_VAR_USER],
		    vv[CALLBACK_VAR_USER]->len + 1);
	memcpy(ev->upload, vals[CALLBACK_VAR_UPLOAD],
	    vv[CALLBACK_VAR_UPLOAD]->len + 1);
	memcpy(ev->key, vals[CALLBACK_VAR_KEY], vv[CALLBACK_VAR_KEY]->len + 1);
	ev->prefix = prefix;
	ev->expiration = exp;
	memcpy(ev->object, obj->value, obj->len + 1);
	crypto_hex(id, sizeof(id), ev->id);
	return CALLBACK_OK;
}
