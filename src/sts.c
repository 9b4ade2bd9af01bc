/* The STS client; see sts.h. */
#include "config.h"

#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "crypto.h"
#include "limit.h"
#include "olog.h"
#include "sts.h"
#include "util.h"

#define STS_ACS3	"ACS3-HMAC-SHA256"
#define STS_JSON_DEPTH	16

/* A growing string; secrets may pass through it, so it is wiped. */
struct sbuf {
	char	*p;
	size_t	 len;
	size_t	 cap;
	int	 oom;
};

static void
sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	char *np;
	size_t ncap;

	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		ncap = b->cap ? b->cap : 256;
		while (ncap < b->len + n + 1)
			ncap *= 2;
		/* Not realloc: the old block may hold a secret. */
		if ((np = malloc(ncap)) == NULL) {
			b->oom = 1;
			return;
		}
		if (b->p != NULL) {
			memcpy(np, b->p, b->len);
			crypto_wipe(b->p, b->cap);
			free(b->p);
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
sbuf_str(struct sbuf *b, const char *s)
{
	sbuf_add(b, s, strlen(s));
}

static void
sbuf_free(struct sbuf *b)
{
	if (b->p != NULL) {
		crypto_wipe(b->p, b->cap);
		free(b->p);
	}
	memset(b, 0, sizeof(*b));
}

/* The string built, handed to the caller, or NULL when out of memory. */
static char *
sbuf_take(struct sbuf *b)
{
	char *p;

	if (b->oom) {
		sbuf_free(b);
		return NULL;
	}
	if (b->p == NULL)
		return strdup("");
	p = b->p;
	memset(b, 0, sizeof(*b));
	return p;
}

static void
sbuf_pct(struct sbuf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char esc[3];
	unsigned char c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (isascii(c) && (isalnum(c) || c == '-' || c == '_' ||
		    c == '.' || c == '~')) {
			sbuf_add(b, s, 1);
			continue;
		}
		esc[0] = '%';
		esc[1] = hex[c >> 4];
		esc[2] = hex[c & 0x0f];
		sbuf_add(b, esc, 3);
	}
}

char *
sts_pct_encode(const char *s)
{
	struct sbuf b = { 0 };

	sbuf_pct(&b, s);
	return sbuf_take(&b);
}

static int
sts_param_cmp(const void *a, const void *b)
{
	const struct sts_param *x = *(const struct sts_param *const *)a;
	const struct sts_param *y = *(const struct sts_param *const *)b;

	return strcmp(x->name, y->name);
}

char *
sts_canonical_query(const struct sts_param *p, size_t n)
{
	const struct sts_param **v;
	struct sbuf b = { 0 };
	size_t i, k;

	if ((v = calloc(n ? n : 1, sizeof(*v))) == NULL)
		return NULL;
	for (i = k = 0; i < n; i++)
		if (p[i].value != NULL)
			v[k++] = &p[i];
	qsort(v, k, sizeof(*v), sts_param_cmp);
	for (i = 0; i < k; i++) {
		if (i > 0)
			sbuf_add(&b, "&", 1);
		sbuf_pct(&b, v[i]->name);
		sbuf_add(&b, "=", 1);
		sbuf_pct(&b, v[i]->value);
	}
	free(v);
	return sbuf_take(&b);
}

int
sts_url_host(const char *url, int allow_http, char *host, size_t hostsz)
{
	const char *h, *e;
	size_t len, i;

	if (strncmp(url, "https://", 8) == 0)
		h = url + 8;
	else if (allow_http && strncmp(url, "http://", 7) == 0)
		h = url + 7;
	else
		return -1;
	e = h + strcspn(h, "/");
	len = (size_t)(e - h);
	if (len == 0 || len >= hostsz || (*e == '/' && e[1] != '\0'))
		return -1;
	for (i = 0; i < len; i++)
		if (!isascii((unsigned char)h[i]) ||
		    !(isalnum((unsigned char)h[i]) || h[i] == '.' ||
		    h[i] == '-' || h[i] == ':' || h[i] == '[' || h[i] == ']'))
			return -1;
	memcpy(host, h, len);
	host[len] = '\0';
	return 0;
}

/* ---- RPC (HMAC-SHA1) ------------------------------------------------- */

char *
sts_rpc_string_to_sign(const char *method, const char *canonical)
{
	struct sbuf b = { 0 };

	sbuf_str(&b, method);
	sbuf_str(&b, "&%2F&");
	sbuf_pct(&b, canonical);
	return sbuf_take(&b);
}

char *
sts_rpc_signature(const char *secret, const char *s2s)
{
	unsigned char mac[CRYPTO_SHA1_LEN];
	struct sbuf key = { 0 };
	char *out = NULL;

	sbuf_str(&key, secret);
	sbuf_add(&key, "&", 1);
	if (key.oom || crypto_hmac_sha1(key.p, key.len, s2s, strlen(s2s),
	    mac) == -1)
		goto out;
	if ((out = malloc(crypto_b64_size(sizeof(mac)))) == NULL)
		goto out;
	crypto_b64(mac, sizeof(mac), out);
out:
	sbuf_free(&key);
	crypto_wipe(mac, sizeof(mac));
	return out;
}

/* ---- ACS3-HMAC-SHA256 ------------------------------------------------- */

int
sts_acs3_payload_hash(const struct sts_acs3 *r, char hex[65])
{
	unsigned char md[CRYPTO_SHA256_LEN];

	if (crypto_sha256(r->payload ? r->payload : "", r->payload ?
	    r->payloadlen : 0, md) == -1)
		return -1;
	crypto_hex(md, sizeof(md), hex);
	return 0;
}

/* The signed headers, in sorted order: exactly the ones we send. */
static const char *
sts_acs3_signed(const struct sts_acs3 *r)
{
	return r->security_token != NULL ? "host;x-acs-action;"
	    "x-acs-content-sha256;x-acs-date;x-acs-security-token;"
	    "x-acs-signature-nonce;x-acs-version" : "host;x-acs-action;"
	    "x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;"
	    "x-acs-version";
}

char *
sts_acs3_canonical_request(const struct sts_acs3 *r)
{
	struct sbuf b = { 0 };
	char hash[65], *q;

	if (sts_acs3_payload_hash(r, hash) == -1)
		return NULL;
	if ((q = sts_canonical_query(r->query, r->nquery)) == NULL)
		return NULL;
	sbuf_str(&b, r->method);
	sbuf_str(&b, "\n/\n");
	sbuf_str(&b, q);
	sbuf_str(&b, "\nhost:");
	sbuf_str(&b, r->host);
	sbuf_str(&b, "\nx-acs-action:");
	sbuf_str(&b, r->action);
	sbuf_str(&b, "\nx-acs-content-sha256:");
	sbuf_str(&b, hash);
	sbuf_str(&b, "\nx-acs-date:");
	sbuf_str(&b, r->date);
	if (r->security_token != NULL) {
		sbuf_str(&b, "\nx-acs-security-token:");
		sbuf_str(&b, r->security_token);
	}
	sbuf_str(&b, "\nx-acs-signature-nonce:");
	sbuf_str(&b, r->nonce);
	sbuf_str(&b, "\nx-acs-version:");
	sbuf_str(&b, r->version);
	sbuf_str(&b, "\n\n");
	sbuf_str(&b, sts_acs3_signed(r));
	sbuf_str(&b, "\n");
	sbuf_str(&b, hash);
	free(q);
	return sbuf_take(&b);
}

char *
sts_acs3_string_to_sign(const char *canonical)
{
	unsigned char md[CRYPTO_SHA256_LEN];
	char hex[2 * CRYPTO_SHA256_LEN + 1];
	struct sbuf b = { 0 };

	if (crypto_sha256(canonical, strlen(canonical), md) == -1)
		return NULL;
	crypto_hex(md, sizeof(md), hex);
	sbuf_str(&b, STS_ACS3 "\n");
	sbuf_str(&b, hex);
	return sbuf_take(&b);
}

char *
sts_acs3_authorization(const struct sts_acs3 *r, const char *akid,
    const char *secret)
{
	unsigned char mac[CRYPTO_SHA256_LEN];
	char hex[2 * CRYPTO_SHA256_LEN + 1];
	char *canon = NULL, *s2s = NULL;
	struct sbuf b = { 0 };

	if ((canon = sts_acs3_canonical_request(r)) == NULL ||
	    (s2s = sts_acs3_string_to_sign(canon)) == NULL ||
	    crypto_hmac_sha256(secret, strlen(secret), s2s, strlen(s2s),
	    mac) == -1) {
		crypto_free_secret(canon);
		free(s2s);
		return NULL;
	}
	crypto_hex(mac, sizeof(mac), hex);
	sbuf_str(&b, STS_ACS3 " Credential=");
	sbuf_str(&b, akid);
	sbuf_str(&b, ",SignedHeaders=");
	sbuf_str(&b, sts_acs3_signed(r));
	sbuf_str(&b, ",Signature=");
	sbuf_str(&b, hex);
	crypto_wipe(mac, sizeof(mac));
	crypto_free_secret(canon);	/* may hold a security token */
	free(s2s);
	return sbuf_take(&b);
}

/* ---- parsing ---------------------------------------------------------- */

/* Copy at most LIMIT_STS_ID_LEN bytes of s, anything odd as '?'. */
static void
sts_safe_copy(char *dst, const char *s)
{
	size_t i;

	for (i = 0; s != NULL && s[i] != '\0' && i < LIMIT_STS_ID_LEN; i++)
		dst[i] = (isascii((unsigned char)s[i]) &&
		    (isalnum((unsigned char)s[i]) || strchr(".-_:", s[i]) !=
		    NULL)) ? s[i] : '?';
	dst[i] = '\0';
}

/* Overwrite every string in j (secrets live in some of them). */
static void
sts_json_wipe(json_object *j)
{
	struct json_object_iterator it, end;
	size_t i, n;

	switch (json_object_get_type(j)) {
	case json_type_string:
		crypto_wipe((char *)json_object_get_string(j),
		    (size_t)json_object_get_string_len(j));
		break;
	case json_type_array:
		n = json_object_array_length(j);
		for (i = 0; i < n; i++)
			sts_json_wipe(json_object_array_get_idx(j, i));
		break;
	case json_type_object:
		it = json_object_iter_begin(j);
		end = json_object_iter_end(j);
		while (!json_object_iter_equal(&it, &end)) {
			sts_json_wipe(json_object_iter_peek_value(&it));
			json_object_iter_next(&it);
		}
		break;
	default:
		break;
	}
}

void
sts_json_free(json_object *j)
{
	if (j == NULL)
		return;
	sts_json_wipe(j);
	json_object_put(j);
}

/*
 * Parse len bytes as one JSON object (whitespace may follow).  The
 * tokener keeps the last string it read in a scratch buffer; parsing a
 * dummy string as long as the input overwrites it before it is freed.
 */
json_object *
sts_json_parse(const char *body, size_t len)
{
	json_tokener *tok;
	json_object *j;
	char *dummy;
	size_t end;

	if (body == NULL || len == 0 || len > LIMIT_STS_RESPONSE ||
	    memchr(body, '\0', len) != NULL)
		return NULL;
	if ((tok = json_tokener_new_ex(STS_JSON_DEPTH)) == NULL)
		return NULL;
	j = json_tokener_parse_ex(tok, body, (int)len);
	if (j != NULL) {
		end = json_tokener_get_parse_end(tok);
		while (end < len && isspace((unsigned char)body[end]))
			end++;
		if (end != len ||
		    !json_object_is_type(j, json_type_object)) {
			sts_json_free(j);
			j = NULL;
		}
	}
	if ((dummy = malloc(len + 3)) != NULL) {
		dummy[0] = '"';
		memset(dummy + 1, 'x', len);
		dummy[len + 1] = '"';
		dummy[len + 2] = '\0';
		json_tokener_reset(tok);
		json_object_put(json_tokener_parse_ex(tok, dummy,
		    (int)len + 2));
		free(dummy);
	}
	json_tokener_free(tok);
	return j;
}

/* The string member name of j, or NULL. */
static const char *
sts_json_str(json_object *j, const char *name)
{
	json_object *v;

	if (j == NULL || !json_object_object_get_ex(j, name, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* 1 when s is 1..max bytes, each in 0x21..0x7e (or in the id charset). */
static int
sts_field_ok(const char *s, size_t max, int id)
{
	size_t i;

	if (s == NULL || s[0] == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= max)
			return 0;
		if (id ? !(isascii((unsigned char)s[i]) &&
		    (isalnum((unsigned char)s[i]) || s[i] == '.' ||
		    s[i] == '-' || s[i] == '_')) :
		    (s[i] < 0x21 || s[i] > 0x7e))
			return 0;
	}
	return 1;
}

int
sts_json_creds(json_object *o, struct creds *out, char *why, size_t whylen)
{
	const char *id, *secret, *token, *exp;
	struct creds c = { 0 };
	time_t t;

	/*
	 * A security token is required: only long-term keys go without
	 * one, and those never come through here.
	 */
	id = sts_json_str(o, "AccessKeyId");
	secret = sts_json_str(o, "AccessKeySecret");
	token = sts_json_str(o, "SecurityToken");
	exp = sts_json_str(o, "Expiration");
	if (!sts_field_ok(id, LIMIT_AKID_LEN, 1) ||
	    !sts_field_ok(secret, LIMIT_SECRET_LEN, 0) ||
	    !sts_field_ok(token, LIMIT_TOKEN_LEN, 0) || exp == NULL ||
	    util_parse_iso(exp, &t) == -1) {
		snprintf(why, whylen, "the credentials are missing a field or "
		    "have one out of bounds");
		return -1;
	}
	if ((c.access_key_id = strdup(id)) == NULL ||
	    (c.access_key_secret = strdup(secret)) == NULL ||
	    (c.security_token = strdup(token)) == NULL) {
		creds_clear(&c);
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	c.expiration = t;
	*out = c;
	return 0;
}

/* sts_json_creds, and the credentials must outlive a signature at now. */
static int
sts_take_creds(json_object *o, time_t now, struct creds *out,
    struct sts_error *e)
{
	struct creds c;
	char exp[21];

	if (sts_json_creds(o, &c, e->message, sizeof(e->message)) == -1)
		return -1;
	if (c.expiration - now < LIMIT_MIN_VALIDITY) {
		util_iso(c.expiration, exp);
		snprintf(e->message, sizeof(e->message), "the credentials "
		    "expire at %s, too soon to use: check the system clock",
		    exp);
		creds_clear(&c);
		return -1;
	}
	*out = c;
	return 0;
}

static enum sts_result
sts_parse(const char *body, size_t len, long status, time_t now, int flat,
    struct creds *out, struct sts_error *e)
{
	json_object *j, *c = NULL;
	const char *code, *msg;
	enum sts_result r;

	memset(e, 0, sizeof(*e));
	e->status = status;
	if ((j = sts_json_parse(body, len)) == NULL) {
		snprintf(e->message, sizeof(e->message), "%s",
		    len == 0 ? "an empty answer" : "an answer that is not "
		    "a JSON object");
		return status >= 500 ? STS_RETRY : STS_GARBAGE;
	}
	sts_safe_copy(e->request_id, sts_json_str(j, "RequestId"));
	code = sts_json_str(j, "Code");
	if (flat && status == 200 && code != NULL &&
	    strcmp(code, "Success") == 0)
		code = NULL;
	if (code != NULL || status != 200) {
		sts_safe_copy(e->code, code);
		if ((msg = sts_json_str(j, "Message")) != NULL)
			snprintf(e->message, sizeof(e->message), "%s", msg);
		if (status >= 500 || status == 429 ||
		    (code != NULL && strncmp(code, "Throttling", 10) == 0) ||
		    (code != NULL && strcmp(code, "ServiceUnavailable") == 0))
			r = STS_RETRY;
		else if (code != NULL && status >= 400)
			r = STS_REFUSED;
		else
			r = STS_GARBAGE;
		goto out;
	}
	if (!flat && (!json_object_object_get_ex(j, "Credentials", &c) ||
	    !json_object_is_type(c, json_type_object))) {
		snprintf(e->message, sizeof(e->message), "no Credentials in "
		    "the answer");
		r = STS_GARBAGE;
		goto out;
	}
	r = sts_take_creds(flat ? j : c, now, out, e) == 0 ? STS_OK :
	    STS_GARBAGE;
out:
	sts_json_free(j);
	return r;
}

enum sts_result
sts_parse_assume(const char *body, size_t len, long status, time_t now,
    struct creds *out, struct sts_error *e)
{
	return sts_parse(body, len, status, now, 0, out, e);
}

enum sts_result
sts_parse_flat(const char *body, size_t len, long status, time_t now,
    struct creds *out, struct sts_error *e)
{
	return sts_parse(body, len, status, now, 1, out, e);
}

/* ---- HTTP ------------------------------------------------------------- */

static int sts_refs;
static int sts_curl_ready;

/*
 * libcurl is loaded with dlopen on the first HTTP call, not linked: its
 * dependencies (TLS, HTTP/2, SSH, LDAP, Kerberos...) cost a plain CGI
 * more in the dynamic loader than everything else it does, and most CGI
 * runs and almost every FastCGI request are served from the cache and
 * never call out.  The loaded library stays for the life of the process.
 */
static struct {
	void		*lib;
	CURLcode	(*global_init)(long);
	void		(*global_cleanup)(void);
	CURL		*(*easy_init)(void);
	CURLcode	(*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode	(*easy_perform)(CURL *);
	CURLcode	(*easy_getinfo)(CURL *, CURLINFO, ...);
	void		(*easy_cleanup)(CURL *);
	const char	*(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void		(*slist_free_all)(struct curl_slist *);
} cu;

/*
 * Load libcurl; on failure put the reason in err.  A failure is not
 * remembered: once libcurl is installed, the next refresh finds it.
 */
static int
sts_curl_load(char *err, size_t errlen)
{
	/* POSIX: dlsym's data pointer converts to a function pointer. */
	static const struct {
		const char	*name;
		void		**slot;
	} syms[] = {
		{ "curl_global_init", (void **)&cu.global_init },
		{ "curl_global_cleanup", (void **)&cu.global_cleanup },
		{ "curl_easy_init", (void **)&cu.easy_init },
		{ "curl_easy_setopt", (void **)&cu.easy_setopt },
		{ "curl_easy_perform", (void **)&cu.easy_perform },
		{ "curl_easy_getinfo", (void **)&cu.easy_getinfo },
		{ "curl_easy_cleanup", (void **)&cu.easy_cleanup },
		{ "curl_easy_strerror", (void **)&cu.easy_strerror },
		{ "curl_slist_append", (void **)&cu.slist_append },
		{ "curl_slist_free_all", (void **)&cu.slist_free_all },
	};
	const char *e;
	void *lib;
	size_t i;

	if (cu.lib != NULL)
		return 0;
	if ((lib = dlopen(OSSIGN_LIBCURL, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		e = dlerror();
		snprintf(err, errlen, "cannot load %s: %s", OSSIGN_LIBCURL,
		    e != NULL ? e : "dlopen failed");
		return -1;
	}
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++)
		if ((*syms[i].slot = dlsym(lib, syms[i].name)) == NULL) {
			snprintf(err, errlen, "%s has no %s", OSSIGN_LIBCURL,
			    syms[i].name);
			dlclose(lib);
			return -1;
		}
	cu.lib = lib;
	return 0;
}

/*
 * sts_init only counts users; libcurl (and with it OpenSSL's TLS setup)
 * is loaded and initialised by sts_ready, on the first HTTP call.
 */
int
sts_init(void)
{
	sts_refs++;
	return 0;
}

/*
 * libcurl loaded and initialised, or d filled (503, naming the cause).
 * Every public call that goes over HTTP starts here; nothing below it
 * checks again.
 */
static int
sts_ready(const char *what, struct oerr_detail *d)
{
	char err[256];

	if (sts_curl_ready)
		return 0;
	if (sts_curl_load(err, sizeof(err)) == -1) {
		olog_err("%s: %s: install libcurl (Debian: libcurl4)", what,
		    err);
		return oerr_set(d, OERR_CREDS_UNAVAILABLE, "%s is unavailable: "
		    "%s", what, err), -1;
	}
	if (cu.global_init(CURL_GLOBAL_DEFAULT) != 0) {
		olog_err("%s: libcurl failed to initialise", what);
		return oerr_set(d, OERR_CREDS_UNAVAILABLE, "%s is unavailable: "
		    "libcurl failed to initialise", what), -1;
	}
	sts_curl_ready = 1;
	return 0;
}

void
sts_cleanup(void)
{
	if (sts_refs > 0 && --sts_refs == 0 && sts_curl_ready) {
		cu.global_cleanup();
		sts_curl_ready = 0;
	}
}

struct sts_http {
	/* in */
	const char		*what;		/* "AssumeRole", for logs */
	const char		*method;	/* GET, PUT, POST */
	const char		*url;
	struct curl_slist	*headers;
	const char		*body;		/* NULL: none */
	int			 allow_http;
	int			 use_proxy;
	/* out */
	long			 status;
	CURLcode		 cc;
	struct sbuf		 resp;
	int			 toolarge;
	char			 errbuf[CURL_ERROR_SIZE];
	char			 reqid[LIMIT_STS_ID_LEN + 1]; /* header */
};

static size_t
sts_http_write(char *p, size_t size, size_t n, void *arg)
{
	struct sts_http *h = arg;
	size_t len = size * n;	/* size is 1: no overflow */

	if (h->resp.len + len > LIMIT_STS_RESPONSE) {
		h->toolarge = 1;
		return 0;
	}
	sbuf_add(&h->resp, p, len);
	return h->resp.oom ? 0 : len;
}

/* Keep x-acs-request-id: it names the call even when the body is junk. */
static size_t
sts_http_header(char *p, size_t size, size_t n, void *arg)
{
	static const char name[] = "x-acs-request-id:";
	struct sts_http *h = arg;
	char v[LIMIT_STS_ID_LEN + 1];
	size_t len, i = sizeof(name) - 1;

	/* size is always 1 for headers. */
	if (n > i && strncasecmp(p, name, i) == 0) {
		while (i < n && (p[i] == ' ' || p[i] == '\t'))
			i++;
		for (len = 0; i < n && len < LIMIT_STS_ID_LEN &&
		    p[i] != '\r' && p[i] != '\n'; i++)
			v[len++] = p[i];
		v[len] = '\0';
		sts_safe_copy(h->reqid, v);
	}
	return size * n;
}

/* One HTTP exchange.  Returns 0 when an HTTP answer came, else -1. */
static int
sts_http_do(const struct sts_opts *o, struct sts_http *h)
{
	CURL *c;

	sbuf_free(&h->resp);
	h->status = 0;
	h->toolarge = 0;
	h->errbuf[0] = '\0';
	h->reqid[0] = '\0';
	if ((c = cu.easy_init()) == NULL) {
		h->cc = CURLE_OUT_OF_MEMORY;
		return -1;
	}
	cu.easy_setopt(c, CURLOPT_URL, h->url);
	/* The library loaded may be older (< 7.85) than the headers. */
	if (cu.easy_setopt(c, CURLOPT_PROTOCOLS_STR,
	    h->allow_http ? "http,https" : "https") != CURLE_OK) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
		cu.easy_setopt(c, CURLOPT_PROTOCOLS, h->allow_http ?
		    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS) :
		    (long)CURLPROTO_HTTPS);
#pragma GCC diagnostic pop
	}
	cu.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	cu.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	cu.easy_setopt(c, CURLOPT_CONNECTTIMEOUT, o->connect_timeout);
	cu.easy_setopt(c, CURLOPT_TIMEOUT, o->timeout);
	/*
	 * Always set: otherwise libcurl takes http_proxy/HTTPS_PROXY from
	 * the environment, and a CGI's HTTP_PROXY comes from the client's
	 * "Proxy:" header (httpoxy).
	 */
	cu.easy_setopt(c, CURLOPT_PROXY,
	    h->use_proxy && o->proxy != NULL ? o->proxy : "");
	cu.easy_setopt(c, CURLOPT_NOPROXY, "");	/* nor NO_PROXY */
	cu.easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	cu.easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->ca_file != NULL)
		cu.easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
	cu.easy_setopt(c, CURLOPT_USERAGENT, PACKAGE_NAME "/"
	    PACKAGE_VERSION);
	cu.easy_setopt(c, CURLOPT_MAXFILESIZE, (long)LIMIT_STS_RESPONSE);
	cu.easy_setopt(c, CURLOPT_HTTPHEADER, h->headers);
	cu.easy_setopt(c, CURLOPT_WRITEFUNCTION, sts_http_write);
	cu.easy_setopt(c, CURLOPT_WRITEDATA, h);
	cu.easy_setopt(c, CURLOPT_HEADERFUNCTION, sts_http_header);
	cu.easy_setopt(c, CURLOPT_HEADERDATA, h);
	cu.easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
	if (strcmp(h->method, "GET") != 0) {
		cu.easy_setopt(c, CURLOPT_POSTFIELDS,
		    h->body != NULL ? h->body : "");
		cu.easy_setopt(c, CURLOPT_POSTFIELDSIZE,
		    h->body != NULL ? (long)strlen(h->body) : 0L);
		if (strcmp(h->method, "POST") != 0)
			cu.easy_setopt(c, CURLOPT_CUSTOMREQUEST, h->method);
	}
	h->cc = cu.easy_perform(c);
	if (h->cc == CURLE_OK)
		cu.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &h->status);
	cu.easy_cleanup(c);
	if (h->toolarge && h->cc != CURLE_OK)
		h->cc = CURLE_FILESIZE_EXCEEDED;
	return h->cc == CURLE_OK ? 0 : -1;
}

/* Network errors worth another try. */
static int
sts_cc_transient(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

/* What an operator should look at for a network error. */
static const char *
sts_cc_hint(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		return "check the endpoint's name and DNS";
	case CURLE_COULDNT_CONNECT:
		return "check the endpoint, the firewall and the proxy setting";
	case CURLE_OPERATION_TIMEDOUT:
		return "the service did not answer in time: check the network, "
		    "or raise connect_timeout/timeout";
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
		return "TLS verification failed: check ca_file and the "
		    "endpoint's name";
	case CURLE_FILESIZE_EXCEEDED:
	case CURLE_WRITE_ERROR:
		return "the answer is larger than any real one";
	default:
		return "check the endpoint and the network";
	}
}

/* What an operator should look at for an STS error code. */
static const char *
sts_code_hint(const char *code)
{
	static const struct {
		const char	*prefix;
		const char	*hint;
	} hints[] = {
		{ "InvalidTimeStamp", "this host's clock is off by more than "
		    "15 minutes: fix time synchronisation (NTP/chrony)" },
		{ "NoPermission", "the RAM user (or instance/OIDC identity) "
		    "may not assume this role: grant it sts:AssumeRole and "
		    "check the role's trust policy" },
		{ "EntityNotExist.Role", "role_arn names no role: check "
		    "role_arn" },
		{ "InvalidParameter.RoleArn", "role_arn is malformed: "
		    "acs:ram::UID:role/NAME" },
		{ "InvalidParameter.Policy", "the session policy is not "
		    "valid: check session_policy" },
		{ "InvalidParameter.DurationSeconds", "duration is above the "
		    "role's maximum session duration: lower duration or raise "
		    "the role's limit" },
		{ "InvalidParameter.RoleSessionName", "check "
		    "role_session_name" },
		{ "InvalidParameter.ExternalId", "check external_id against "
		    "the role's trust policy" },
		{ "SignatureDoesNotMatch", "the AccessKey secret is wrong: "
		    "check it" },
		{ "IncompleteSignature", "the AccessKey secret is wrong: "
		    "check it" },
		{ "InvalidAccessKeyId", "the AccessKey id is unknown or "
		    "disabled: check it in the RAM console" },
		{ "InvalidSecurityToken", "the security token is not valid" },
		{ "Throttling", "STS is throttling this account (AssumeRole "
		    "is limited per account): look for other callers" },
		{ "AuthenticationFail.OIDCToken", "the OIDC token was "
		    "refused: check oidc_token_file and its rotation" },
		{ "InvalidParameter.OIDCToken", "the OIDC token was refused: "
		    "check oidc_token_file" },
		{ "AuthenticationFail.NoPermission", "the OIDC provider or "
		    "the role's trust policy does not allow this token" },
		{ "EntityNotExist.OIDCProvider", "oidc_provider_arn names no "
		    "OIDC provider" },
		{ "InternalError", "a failure inside STS: it passes; if it "
		    "does not, check the Alibaba Cloud status page" },
		{ "ServiceUnavailable", "STS is briefly unavailable: it "
		    "passes; if it does not, try a regional sts_endpoint" },
	};
	size_t i;

	for (i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
		if (strncmp(code, hints[i].prefix,
		    strlen(hints[i].prefix)) == 0)
			return hints[i].hint;
	return "see the STS error code reference";
}

/* Sleep before try n (1, 2, ...): doubling, capped, with jitter. */
static void
sts_backoff(long n)
{
	struct timespec ts;
	unsigned int rnd = 0;
	long ms;

	ms = LIMIT_STS_BACKOFF_MS;
	while (--n > 0 && ms < LIMIT_STS_BACKOFF_MAX_MS)
		ms *= 2;
	if (ms > LIMIT_STS_BACKOFF_MAX_MS)
		ms = LIMIT_STS_BACKOFF_MAX_MS;
	(void)crypto_random(&rnd, sizeof(rnd));
	ms = ms / 2 + (long)(rnd % (unsigned int)(ms / 2 + 1));
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Kinds of request sts_exchange builds for each try. */
enum sts_kind {
	STS_ASSUME,		/* AssumeRole, signed */
	STS_OIDC,		/* AssumeRoleWithOIDC, unsigned */
	STS_PLAIN		/* a prepared request (metadata, URI) */
};

struct sts_call {
	enum sts_kind		 kind;
	const char		*action;
	const struct creds	*key;
	const struct sts_role	*role;
	const char		*provider_arn;
	const char		*token;
	int			 flat;		/* sts_parse_flat */
};

/* Free a header list, wiping it first: it may carry a security token. */
static void
sts_hdr_free(struct curl_slist *l)
{
	struct curl_slist *p;

	if (l == NULL)
		return;
	for (p = l; p != NULL; p = p->next)
		if (p->data != NULL)
			crypto_wipe(p->data, strlen(p->data));
	cu.slist_free_all(l);
}

static int
sts_hdr(struct curl_slist **l, const char *name, const char *value)
{
	struct curl_slist *n;
	struct sbuf b = { 0 };

	sbuf_str(&b, name);
	sbuf_str(&b, ": ");
	sbuf_str(&b, value);
	if (b.oom) {
		sbuf_free(&b);
		return -1;
	}
	n = cu.slist_append(*l, b.p);
	sbuf_free(&b);
	if (n == NULL)
		return -1;
	*l = n;
	return 0;
}

/* The role parameters AssumeRole and AssumeRoleWithOIDC share. */
static size_t
sts_role_params(const struct sts_role *r, struct sts_param *p, char *dur,
    size_t dursz)
{
	size_t n = 0;

	snprintf(dur, dursz, "%lld", r->duration);
	p[n++] = (struct sts_param){ "DurationSeconds", dur };
	p[n++] = (struct sts_param){ "RoleArn", r->role_arn };
	p[n++] = (struct sts_param){ "RoleSessionName", r->session_name };
	if (r->external_id != NULL)
		p[n++] = (struct sts_param){ "ExternalId", r->external_id };
	if (r->policy != NULL)
		p[n++] = (struct sts_param){ "Policy", r->policy };
	return n;
}

/*
 * Build one try of an STS call into h (a fresh timestamp and nonce each
 * time).  base is "https://host/".  Returns 0 or -1 (out of memory).
 */
static int
sts_build(const struct sts_opts *o, const struct sts_call *call,
    const char *host, struct sts_http *h, struct sbuf *url,
    struct sbuf *body)
{
	struct sts_param p[16];
	unsigned char rnd[16];
	char date[21], nonce[2 * sizeof(rnd) + 1], uuid[CRYPTO_UUID_LEN + 1];
	char dur[24], hash[65];
	char *q = NULL, *s2s = NULL, *sig = NULL, *auth = NULL;
	size_t n;
	struct sts_acs3 r;
	int rc = -1;

	util_iso(time(NULL), date);
	if (crypto_random(rnd, sizeof(rnd)) == -1)
		return -1;
	crypto_hex(rnd, sizeof(rnd), nonce);
	crypto_uuid_format(rnd, uuid);
	sbuf_str(url, strncmp(o->endpoint, "http://", 7) == 0 ? "http://" :
	    "https://");
	sbuf_str(url, host);
	sbuf_str(url, "/");
	n = sts_role_params(call->role, p, dur, sizeof(dur));

	if (call->kind == STS_OIDC) {
		/* Unsigned: the token is the proof. */
		p[n++] = (struct sts_param){ "OIDCProviderArn",
		    call->provider_arn };
		p[n++] = (struct sts_param){ "OIDCToken", call->token };
		if ((q = sts_canonical_query(p, n)) == NULL)
			goto out;
		sbuf_str(body, q);
		sbuf_str(url, "?Action=AssumeRoleWithOIDC&Format=JSON&"
		    "Version=" STS_API_VERSION "&Timestamp=");
		sbuf_pct(url, date);
		h->method = "POST";
		if (sts_hdr(&h->headers, "Content-Type",
		    "application/x-www-form-urlencoded") == -1)
			goto out;
	} else if (o->sig == CONF_STS_RPC) {
		p[n++] = (struct sts_param){ "AccessKeyId",
		    call->key->access_key_id };
		p[n++] = (struct sts_param){ "Action", call->action };
		p[n++] = (struct sts_param){ "Format", "JSON" };
		p[n++] = (struct sts_param){ "SignatureMethod", "HMAC-SHA1" };
		p[n++] = (struct sts_param){ "SignatureNonce", uuid };
		p[n++] = (struct sts_param){ "SignatureVersion", "1.0" };
		p[n++] = (struct sts_param){ "Timestamp", date };
		p[n++] = (struct sts_param){ "Version", STS_API_VERSION };
		if (call->key->security_token != NULL)
			p[n++] = (struct sts_param){ "SecurityToken",
			    call->key->security_token };
		if ((q = sts_canonical_query(p, n)) == NULL ||
		    (s2s = sts_rpc_string_to_sign("POST", q)) == NULL ||
		    (sig = sts_rpc_signature(call->key->access_key_secret,
		    s2s)) == NULL)
			goto out;
		sbuf_str(body, q);
		sbuf_str(body, "&Signature=");
		sbuf_pct(body, sig);
		h->method = "POST";
		if (sts_hdr(&h->headers, "Content-Type",
		    "application/x-www-form-urlencoded") == -1)
			goto out;
	} else {
		memset(&r, 0, sizeof(r));
		r.security_token = call->key->security_token;
		r.method = "POST";
		r.host = host;
		r.action = call->action;
		r.version = STS_API_VERSION;
		r.date = date;
		r.nonce = nonce;
		r.query = p;
		r.nquery = n;
		if ((q = sts_canonical_query(p, n)) == NULL ||
		    sts_acs3_payload_hash(&r, hash) == -1 ||
		    (auth = sts_acs3_authorization(&r,
		    call->key->access_key_id,
		    call->key->access_key_secret)) == NULL)
			goto out;
		sbuf_str(url, "?");
		sbuf_str(url, q);
		h->method = "POST";
		/* Exactly the headers signed; no Content-Type at all. */
		if (sts_hdr(&h->headers, "Host", host) == -1 ||
		    sts_hdr(&h->headers, "x-acs-action", call->action) == -1 ||
		    sts_hdr(&h->headers, "x-acs-version", STS_API_VERSION) ==
		    -1 || sts_hdr(&h->headers, "x-acs-date", date) == -1 ||
		    sts_hdr(&h->headers, "x-acs-signature-nonce", nonce) ==
		    -1 || sts_hdr(&h->headers, "x-acs-content-sha256", hash) ==
		    -1 || (r.security_token != NULL && sts_hdr(&h->headers,
		    "x-acs-security-token", r.security_token) == -1) ||
		    sts_hdr(&h->headers, "Authorization", auth) == -1 ||
		    sts_hdr(&h->headers, "Content-Type", "") == -1)
			goto out;
	}
	if (sts_hdr(&h->headers, "Accept", "application/json") == -1 ||
	    sts_hdr(&h->headers, "Expect", "") == -1)
		goto out;
	if (url->oom || body->oom)
		goto out;
	h->url = url->p;
	h->body = body->p;
	rc = 0;
out:
	if (q != NULL) {
		crypto_wipe(q, strlen(q));
		free(q);
	}
	crypto_free_secret(s2s);
	free(sig);
	free(auth);
	crypto_wipe(rnd, sizeof(rnd));
	return rc;
}

/*
 * Turn the last failure into d and a log line.  what names the service
 * ("STS AssumeRole", "the ECS metadata service").
 */
static int
sts_fail(const char *what, enum sts_result r, const struct sts_http *h,
    const struct sts_error *e, long tries, struct oerr_detail *d)
{
	const char *rid = e->request_id[0] ? e->request_id : "none";

	if (h->cc != CURLE_OK) {
		olog_err("%s failed after %ld %s: %s (%s): %s", what, tries,
		    tries == 1 ? "try" : "tries", cu.easy_strerror(h->cc),
		    h->errbuf[0] ? h->errbuf : "-", sts_cc_hint(h->cc));
		oerr_set(d, OERR_CREDS_UNAVAILABLE, "%s is unavailable: %s",
		    what, h->cc == CURLE_OPERATION_TIMEDOUT ? "timed out" :
		    h->cc == CURLE_FILESIZE_EXCEEDED ||
		    h->cc == CURLE_WRITE_ERROR ? "answer too large" :
		    h->cc == CURLE_COULDNT_CONNECT ||
		    h->cc == CURLE_COULDNT_RESOLVE_HOST ? "could not connect" :
		    h->cc == CURLE_PEER_FAILED_VERIFICATION ||
		    h->cc == CURLE_SSL_CACERT_BADFILE ? "TLS verification "
		    "failed" : cu.easy_strerror(h->cc));
		return -1;
	}
	switch (r) {
	case STS_REFUSED:
		olog_err("%s refused: HTTP %ld, Code %s, RequestId %s, "
		    "Message \"%s\": %s", what, e->status, e->code, rid,
		    e->message, sts_code_hint(e->code));
		oerr_set(d, OERR_CREDS_REFUSED, "%s refused: %s (RequestId "
		    "%s)", what, e->code, rid);
		break;
	case STS_RETRY:
		olog_err("%s failed after %ld %s: HTTP %ld, Code %s, "
		    "RequestId %s, Message \"%s\"%s%s", what, tries,
		    tries == 1 ? "try" : "tries", e->status,
		    e->code[0] ? e->code : "none", rid, e->message,
		    e->code[0] ? ": " : "",
		    e->code[0] ? sts_code_hint(e->code) : "");
		oerr_set(d, OERR_CREDS_UNAVAILABLE, "%s is unavailable: %s "
		    "(HTTP %ld, RequestId %s)", what, e->code[0] ? e->code :
		    "no code", e->status, rid);
		break;
	default:
		olog_err("%s sent an answer that cannot be used: HTTP %ld, "
		    "Code %s, RequestId %s: %s", what, e->status,
		    e->code[0] ? e->code : "none", rid, e->message);
		oerr_set(d, OERR_CREDS_UNAVAILABLE, "%s sent an answer that "
		    "cannot be used (HTTP %ld, Code %s, RequestId %s)", what,
		    e->status, e->code[0] ? e->code : "none", rid);
		break;
	}
	return -1;
}

/*
 * The retry loop: build, send, parse; again on network errors, 5xx and
 * throttling, at most 1 + retries times.  For STS_PLAIN the caller has
 * filled h (method, url, headers) already.
 */
static int
sts_exchange(const struct sts_opts *o, const char *what,
    const struct sts_call *call, const char *host, struct sts_http *h,
    time_t now, struct creds *out, struct oerr_detail *d)
{
	struct sbuf url = { 0 }, body = { 0 };
	struct sts_error e;
	enum sts_result r = STS_GARBAGE;
	long tries, max;
	int rc;

	max = 1 + (o->retries < 0 ? 0 : o->retries > LIMIT_STS_RETRIES ?
	    LIMIT_STS_RETRIES : o->retries);
	memset(&e, 0, sizeof(e));
	for (tries = 1; tries <= max; tries++) {
		if (tries > 1)
			sts_backoff(tries - 1);
		if (call->kind != STS_PLAIN) {
			sts_hdr_free(h->headers);
			h->headers = NULL;
			sbuf_free(&url);
			sbuf_free(&body);
			if (sts_build(o, call, host, h, &url, &body) == -1) {
				olog_err("%s: out of memory", what);
				rc = -1;
				oerr_set(d, OERR_INTERNAL, NULL);
				goto out;
			}
		}
		if (sts_http_do(o, h) == 0) {
			r = call->flat ? sts_parse_flat(h->resp.p, h->resp.len,
			    h->status, now, out, &e) : sts_parse_assume(
			    h->resp.p, h->resp.len, h->status, now, out, &e);
			if (e.request_id[0] == '\0')
				memcpy(e.request_id, h->reqid,
				    sizeof(e.request_id));
			if (r == STS_OK) {
				if (tries > 1)
					olog_info("%s succeeded on try %ld",
					    what, tries);
				rc = 0;
				goto out;
			}
			if (r != STS_RETRY)
				break;
			olog_warn("%s: try %ld of %ld: HTTP %ld, Code %s, "
			    "RequestId %s", what, tries, max, h->status,
			    e.code[0] ? e.code : "none",
			    e.request_id[0] ? e.request_id : "none");
		} else {
			if (!sts_cc_transient(h->cc))
				break;
			olog_warn("%s: try %ld of %ld: %s", what, tries, max,
			    cu.easy_strerror(h->cc));
		}
	}
	if (tries > max)
		tries = max;
	rc = sts_fail(what, r, h, &e, tries, d);
out:
	sts_hdr_free(h->headers);
	h->headers = NULL;
	sbuf_free(&h->resp);
	sbuf_free(&url);
	sbuf_free(&body);
	return rc;
}

int
sts_assume_role(const struct sts_opts *o, const struct creds *key,
    const struct sts_role *role, time_t now, struct creds *out,
    struct oerr_detail *d)
{
	struct sts_call call = { STS_ASSUME, "AssumeRole", key, role, NULL,
	    NULL, 0 };
	struct sts_http h;
	char host[LIMIT_URL_LEN];

	if (sts_ready("STS AssumeRole", d) == -1)
		return -1;
	if (sts_url_host(o->endpoint, 0, host, sizeof(host)) == -1)
		return oerr_set(d, OERR_INTERNAL, NULL), -1;
	memset(&h, 0, sizeof(h));
	h.use_proxy = 1;
	return sts_exchange(o, "STS AssumeRole", &call, host, &h, now, out,
	    d);
}

int
sts_assume_role_oidc(const struct sts_opts *o, const char *provider_arn,
    const char *token, const struct sts_role *role, time_t now,
    struct creds *out, struct oerr_detail *d)
{
	struct sts_call call = { STS_OIDC, "AssumeRoleWithOIDC", NULL, role,
	    provider_arn, token, 0 };
	struct sts_http h;
	char host[LIMIT_URL_LEN];

	if (sts_ready("STS AssumeRoleWithOIDC", d) == -1)
		return -1;
	if (sts_url_host(o->endpoint, 0, host, sizeof(host)) == -1)
		return oerr_set(d, OERR_INTERNAL, NULL), -1;
	memset(&h, 0, sizeof(h));
	h.use_proxy = 1;
	return sts_exchange(o, "STS AssumeRoleWithOIDC", &call, host, &h, now,
	    out, d);
}

/* One plain request (no retries), answer in *body (free it). */
static int
sts_plain(const struct sts_opts *o, const char *what, const char *method,
    const char *url, const char *hname, const char *hval, struct sbuf *body,
    struct oerr_detail *d)
{
	struct sts_http h;
	struct sts_error e;
	long tries, max;
	int rc = -1;

	memset(&h, 0, sizeof(h));
	memset(&e, 0, sizeof(e));
	h.method = method;
	h.url = url;
	h.allow_http = 1;
	if (sts_hdr(&h.headers, hname, hval) == -1) {
		oerr_set(d, OERR_INTERNAL, NULL);
		goto out;
	}
	max = 1 + (o->retries < 0 ? 0 : o->retries > LIMIT_STS_RETRIES ?
	    LIMIT_STS_RETRIES : o->retries);
	for (tries = 1; tries <= max; tries++) {
		if (tries > 1)
			sts_backoff(tries - 1);
		if (sts_http_do(o, &h) == 0) {
			if (h.status == 200) {
				*body = h.resp;
				memset(&h.resp, 0, sizeof(h.resp));
				rc = 0;
				goto out;
			}
			if (h.status < 500 && h.status != 429)
				break;
		} else if (!sts_cc_transient(h.cc))
			break;
	}
	if (tries > max)
		tries = max;
	e.status = h.status;
	snprintf(e.message, sizeof(e.message), "%s %s answered HTTP %ld",
	    method, url, h.status);
	sts_fail(what, h.status >= 500 || h.status == 429 ? STS_RETRY :
	    STS_GARBAGE, &h, &e, tries, d);
out:
	sts_hdr_free(h.headers);
	sbuf_free(&h.resp);
	return rc;
}

int
sts_ecs_metadata(const struct sts_opts *o, const char *role, time_t now,
    struct creds *out, struct oerr_detail *d)
{
	struct sbuf tok = { 0 }, name = { 0 }, url = { 0 };
	struct sts_call call = { STS_PLAIN, NULL, NULL, NULL, NULL, NULL, 1 };
	struct sts_http h;
	char host[LIMIT_URL_LEN], ttl[16];
	const char *base, *what = "the ECS metadata service";
	size_t i;
	int rc = -1;

	if (sts_ready(what, d) == -1)
		return -1;
	memset(&h, 0, sizeof(h));
	if (sts_url_host(o->endpoint, 1, host, sizeof(host)) == -1) {
		oerr_set(d, OERR_INTERNAL, NULL);
		goto out;
	}
	base = strncmp(o->endpoint, "https://", 8) == 0 ? "https://" :
	    "http://";
	snprintf(ttl, sizeof(ttl), "%d", LIMIT_ECS_TOKEN_TTL);

	/* Token mode only: it defeats SSRF through a forwarding proxy. */
	sbuf_str(&url, base);
	sbuf_str(&url, host);
	sbuf_str(&url, "/latest/api/token");
	if (url.oom || sts_plain(o, what, "PUT", url.p,
	    "X-aliyun-ecs-metadata-token-ttl-seconds", ttl, &tok, d) == -1)
		goto out;
	if (!sts_field_ok(tok.p, LIMIT_ECS_TOKEN_LEN, 0)) {
		olog_err("%s: the metadata token is malformed", what);
		oerr_set(d, OERR_CREDS_UNAVAILABLE, "%s sent an answer that "
		    "cannot be used", what);
		goto out;
	}

	if (role == NULL) {
		sbuf_free(&url);
		sbuf_str(&url, base);
		sbuf_str(&url, host);
		sbuf_str(&url, "/latest/meta-data/ram/security-credentials/");
		if (url.oom || sts_plain(o, what, "GET", url.p,
		    "X-aliyun-ecs-metadata-token", tok.p, &name, d) == -1)
			goto out;
		/* One role per instance; take the first line. */
		for (i = 0; i < name.len && name.p[i] != '\n' &&
		    name.p[i] != '\r'; i++)
			;
		if (name.p == NULL || i == 0 || i > LIMIT_ECS_ROLE_LEN)
			goto badrole;
		name.p[i] = '\0';
		for (i = 0; name.p[i] != '\0'; i++)
			if (!isascii((unsigned char)name.p[i]) ||
			    !(isalnum((unsigned char)name.p[i]) ||
			    strchr("-_.", name.p[i]) != NULL))
				goto badrole;
		role = name.p;
	}

	sbuf_free(&url);
	sbuf_str(&url, base);
	sbuf_str(&url, host);
	sbuf_str(&url, "/latest/meta-data/ram/security-credentials/");
	sbuf_pct(&url, role);
	if (url.oom || sts_hdr(&h.headers, "X-aliyun-ecs-metadata-token",
	    tok.p) == -1) {
		oerr_set(d, OERR_INTERNAL, NULL);
		goto out;
	}
	h.method = "GET";
	h.url = url.p;
	h.allow_http = 1;
	rc = sts_exchange(o, what, &call, host, &h, now, out, d);
	goto out;
badrole:
	olog_err("%s: no RAM role is attached to this instance (or its name "
	    "is malformed): attach one, or set ecs_role_name", what);
	oerr_set(d, OERR_CREDS_UNAVAILABLE, "%s names no usable RAM role",
	    what);
out:
	sts_hdr_free(h.headers);
	sbuf_free(&tok);
	sbuf_free(&name);
	sbuf_free(&url);
	return rc;
}

int
sts_credentials_uri(const struct sts_opts *o, const char *uri, time_t now,
    struct creds *out, struct oerr_detail *d)
{
	struct sts_call call = { STS_PLAIN, NULL, NULL, NULL, NULL, NULL, 1 };
	struct sts_http h;

	if (sts_ready("the credentials URI", d) == -1)
		return -1;
	memset(&h, 0, sizeof(h));
	h.method = "GET";
	h.url = uri;
	h.allow_http = 1;
	if (sts_hdr(&h.headers, "Accept", "application/json") == -1)
		return oerr_set(d, OERR_INTERNAL, NULL), -1;
	return sts_exchange(o, "the credentials URI", &call, NULL, &h, now,
	    out, d);
}

/* ---- session_policy = auto -------------------------------------------- */

char *
sts_policy_auto(const struct conf *conf, char *err, size_t errlen)
{
	json_object *doc = NULL, *st, *stmts, *acts, *res;
	char **pre = NULL, *out = NULL;
	struct sbuf b = { 0 };
	const char *text;
	size_t i, k, n = 0, len;
	int covered;

	if ((pre = calloc(conf->nuploads ? conf->nuploads : 1,
	    sizeof(*pre))) == NULL)
		goto oom;
	/* The static part of each prefix: ${...} may expand to anything. */
	for (i = 0; i < conf->nuploads; i++) {
		const char *p = conf->uploads[i].key_prefix ?
		    conf->uploads[i].key_prefix : "";

		len = strstr(p, "${") ? (size_t)(strstr(p, "${") - p) :
		    strlen(p);
		if ((pre[n] = strndup(p, len)) == NULL)
			goto oom;
		n++;
	}
	if ((doc = json_object_new_object()) == NULL ||
	    json_object_object_add(doc, "Version",
	    json_object_new_string("1")) != 0 ||
	    (stmts = json_object_new_array()) == NULL ||
	    json_object_object_add(doc, "Statement", stmts) != 0 ||
	    (st = json_object_new_object()) == NULL ||
	    json_object_array_add(stmts, st) != 0 ||
	    json_object_object_add(st, "Effect",
	    json_object_new_string("Allow")) != 0 ||
	    (acts = json_object_new_array()) == NULL ||
	    json_object_object_add(st, "Action", acts) != 0 ||
	    json_object_array_add(acts,
	    json_object_new_string("oss:PutObject")) != 0 ||
	    (res = json_object_new_array()) == NULL ||
	    json_object_object_add(st, "Resource", res) != 0)
		goto oom;
	for (i = 0; i < n; i++) {
		/* Skip a prefix another one covers (or a repeat of one). */
		for (covered = 0, k = 0; k < n && !covered; k++)
			if (k != i && strncmp(pre[i], pre[k],
			    strlen(pre[k])) == 0 && (strlen(pre[k]) <
			    strlen(pre[i]) || k < i))
				covered = 1;
		if (covered)
			continue;
		sbuf_free(&b);
		sbuf_str(&b, "acs:oss:*:*:");
		sbuf_str(&b, conf->bucket);
		sbuf_str(&b, "/");
		sbuf_str(&b, pre[i]);
		sbuf_str(&b, "*");
		if (b.oom || json_object_array_add(res,
		    json_object_new_string(b.p)) != 0)
			goto oom;
	}
	if ((text = json_object_to_json_string_ext(doc,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)) == NULL)
		goto oom;
	if (strlen(text) > LIMIT_SESSION_POLICY) {
		snprintf(err, errlen, "session_policy = auto: the policy for "
		    "these key prefixes is %zu characters, over the %d STS "
		    "allows: use fewer prefixes or write session_policy",
		    strlen(text), LIMIT_SESSION_POLICY);
		goto out;
	}
	if ((out = strdup(text)) == NULL)
		goto oom;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
out:
	json_object_put(doc);
	sbuf_free(&b);
	for (i = 0; i < n; i++)
		free(pre[i]);
	free(pre);
	return out;
}
