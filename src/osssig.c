/* OSS signature V4 for requests and presigned URLs; see osssig.h. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto.h"
#include "limit.h"
#include "osssig.h"
#include "sign.h"
#include "util.h"

#define OSSSIG_REGION_LEN	64
#define OSSSIG_QUERY_ADD	7	/* parameters osssig_presign adds */
#define OSSSIG_ADDL_LEN		(LIMIT_OSS_HEADERS * (LIMIT_OSS_HEADER_NAME + 1))

/*
 * A string of at most cap bytes: the canonical request and the signed
 * query hold the security token, so a block it outgrows is wiped before
 * it is freed (never realloc'ed).  Going over cap is an error.  It starts
 * small and doubles: a block of cap (64 KiB) per call made the allocator
 * move the heap's end with brk on every request, ten times the CPU of
 * the signing itself (tests/bench/part_bench).
 */
#define OSSSIG_BUF_FIRST	2048

struct osssig_buf {
	char	*p;
	size_t	 len;
	size_t	 cap;		/* the most it may hold */
	size_t	 alloc;		/* what p holds room for, NUL aside */
	int	 err;
};

static void
osssig_buf_init(struct osssig_buf *b, size_t cap)
{
	memset(b, 0, sizeof(*b));
	b->alloc = cap < OSSSIG_BUF_FIRST ? cap : OSSSIG_BUF_FIRST;
	if ((b->p = malloc(b->alloc + 1)) == NULL) {
		b->err = 1;
		return;
	}
	b->cap = cap;
	b->p[0] = '\0';
}

/* Room for n more bytes; a new block, the old one wiped.  0 or -1. */
static int
osssig_buf_room(struct osssig_buf *b, size_t n)
{
	size_t want = b->len + n, alloc = b->alloc;
	char *p;

	if (want <= b->alloc)
		return 0;
	while (alloc < want)
		alloc = alloc > b->cap / 2 ? b->cap : alloc * 2;
	if ((p = malloc(alloc + 1)) == NULL)
		return -1;
	memcpy(p, b->p, b->len + 1);
	crypto_wipe(b->p, b->alloc + 1);
	free(b->p);
	b->p = p;
	b->alloc = alloc;
	return 0;
}

static void
osssig_buf_add(struct osssig_buf *b, const char *s, size_t n)
{
	if (b->err)
		return;
	if (n > b->cap - b->len || osssig_buf_room(b, n) == -1) {
		b->err = 1;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
osssig_buf_str(struct osssig_buf *b, const char *s)
{
	osssig_buf_add(b, s, strlen(s));
}

static void
osssig_buf_enc(struct osssig_buf *b, const char *s, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *run;
	char esc[3];
	unsigned char c;

	while (*s != '\0' && !b->err) {
		/* A run of bytes that stay as they are, in one copy. */
		for (run = s; (c = (unsigned char)*s) != '\0' &&
		    ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~' || (c == '/' && keep_slash)); s++)
			;
		if (s > run)
			osssig_buf_add(b, run, (size_t)(s - run));
		if (c == '\0')
			break;
		s++;
		esc[0] = '%';
		esc[1] = hex[c >> 4];
		esc[2] = hex[c & 0x0f];
		osssig_buf_add(b, esc, 3);
	}
}

static void
osssig_buf_free(struct osssig_buf *b)
{
	if (b->p != NULL) {
		crypto_wipe(b->p, b->alloc + 1);
		free(b->p);
	}
	memset(b, 0, sizeof(*b));
}

/* The string built (the caller's now), or NULL after any error. */
static char *
osssig_buf_take(struct osssig_buf *b)
{
	char *p;

	if (b->err) {
		osssig_buf_free(b);
		return NULL;
	}
	p = b->p;
	memset(b, 0, sizeof(*b));
	return p;
}

char *
osssig_uri_encode(const char *s, int keep_slash)
{
	struct osssig_buf b;

	osssig_buf_init(&b, LIMIT_OSS_CANONICAL);
	osssig_buf_enc(&b, s, keep_slash);
	return osssig_buf_take(&b);
}

/* ---- the parts of a canonical request ---------------------------------- */

/* One signed header: its lower-case name and its trimmed value. */
struct osssig_hv {
	char		 name[LIMIT_OSS_HEADER_NAME + 1];
	const char	*value;
	size_t		 vlen;
};

/* One parameter, encoded. */
struct osssig_pv {
	char	*name;
	char	*value;		/* "" for a bare name */
};

static int
osssig_is_default(const char *lname)
{
	return strcmp(lname, "content-type") == 0 ||
	    strcmp(lname, "content-md5") == 0 ||
	    strncmp(lname, "x-oss-", 6) == 0;
}

/* Lower-case name into out; -1 unless it is a plain header name. */
static int
osssig_lname(const char *name, char out[LIMIT_OSS_HEADER_NAME + 1])
{
	size_t i;
	unsigned char c;

	if (name == NULL || name[0] == '\0')
		return -1;
	for (i = 0; name[i] != '\0'; i++) {
		c = (unsigned char)name[i];
		if (i >= LIMIT_OSS_HEADER_NAME ||
		    !(isascii(c) && (isalnum(c) || c == '-' || c == '_')))
			return -1;
		out[i] = (char)tolower(c);
	}
	out[i] = '\0';
	return 0;
}

/*
 * The trimmed span of a header value; -1 when it holds a control byte
 * other than a tab (CR and LF would split the header) or is too long.
 */
static int
osssig_trim(const char *v, const char **start, size_t *len)
{
	size_t n, i;

	if (v == NULL)
		return -1;
	n = strlen(v);
	if (n > LIMIT_OSS_HEADER_VALUE)
		return -1;
	for (i = 0; i < n; i++)
		if (((unsigned char)v[i] < 0x20 && v[i] != '\t') ||
		    v[i] == 0x7f)
			return -1;
	while (n > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	*start = v;
	*len = n;
	return 0;
}

static int
osssig_hv_cmp(const void *a, const void *b)
{
	return strcmp(((const struct osssig_hv *)a)->name,
	    ((const struct osssig_hv *)b)->name);
}

static int
osssig_str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
osssig_pv_cmp(const void *a, const void *b)
{
	return strcmp(((const struct osssig_pv *)a)->name,
	    ((const struct osssig_pv *)b)->name);
}

/*
 * Every header of r, lower-cased and trimmed, into hv (sorted); -1 on a
 * malformed or repeated header.
 */
static int
osssig_headers(const struct osssig_request *r, struct osssig_hv *hv)
{
	size_t i;

	if (r->nheaders > LIMIT_OSS_HEADERS + OSSSIG_MAX_ADD ||
	    (r->nheaders > 0 && r->headers == NULL))
		return -1;
	for (i = 0; i < r->nheaders; i++)
		if (osssig_lname(r->headers[i].name, hv[i].name) == -1 ||
		    osssig_trim(r->headers[i].value, &hv[i].value,
		    &hv[i].vlen) == -1)
			return -1;
	qsort(hv, r->nheaders, sizeof(*hv), osssig_hv_cmp);
	for (i = 1; i < r->nheaders; i++)
		if (strcmp(hv[i - 1].name, hv[i].name) == 0)
			return -1;
	return 0;
}

static const struct osssig_hv *
osssig_find(const struct osssig_hv *hv, size_t n, const char *lname)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(hv[i].name, lname) == 0)
			return &hv[i];
	return NULL;
}

/*
 * The additional headers as the SDKs fix them (lower-case, no duplicates,
 * no default-signed names, sorted), joined by ';' into out; -1 when one is
 * malformed or not among the request's headers.
 */
static int
osssig_additional(const struct osssig_request *r, const struct osssig_hv *hv,
    char out[OSSSIG_ADDL_LEN + 1])
{
	char names[LIMIT_OSS_HEADERS][LIMIT_OSS_HEADER_NAME + 1];
	char *v[LIMIT_OSS_HEADERS];
	size_t i, k, n = 0, len = 0;

	out[0] = '\0';
	if (r->nadditional > LIMIT_OSS_HEADERS ||
	    (r->nadditional > 0 && r->additional == NULL))
		return -1;
	for (i = 0; i < r->nadditional; i++) {
		if (osssig_lname(r->additional[i], names[n]) == -1)
			return -1;
		if (osssig_is_default(names[n]))
			continue;
		for (k = 0; k < n; k++)
			if (strcmp(v[k], names[n]) == 0)
				break;
		if (k < n)
			continue;
		if (osssig_find(hv, r->nheaders, names[n]) == NULL)
			return -1;
		v[n] = names[n];
		n++;
	}
	qsort(v, n, sizeof(*v), osssig_str_cmp);
	for (i = 0; i < n; i++) {
		if (i > 0)
			out[len++] = ';';
		k = strlen(v[i]);
		memcpy(out + len, v[i], k);
		len += k;
	}
	out[len] = '\0';
	return 0;
}

static int
osssig_in_list(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while (*p != '\0') {
		if (strncmp(p, name, n) == 0 && (p[n] == ';' || p[n] == '\0'))
			return 1;
		if ((p = strchr(p, ';')) == NULL)
			break;
		p++;
	}
	return 0;
}

static void
osssig_pv_free(struct osssig_pv *pv, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		crypto_free_secret(pv[i].name);
		crypto_free_secret(pv[i].value);
	}
}

/* r's parameters encoded into pv (sorted); -1 on a bad or repeated one. */
static int
osssig_params(const struct osssig_request *r, struct osssig_pv *pv)
{
	const char *v;
	size_t i;

	if (r->nparams > LIMIT_OSS_PARAMS + OSSSIG_QUERY_ADD ||
	    (r->nparams > 0 && r->params == NULL))
		return -1;
	memset(pv, 0, r->nparams * sizeof(*pv));
	for (i = 0; i < r->nparams; i++) {
		if (r->params[i].name == NULL || r->params[i].name[0] == '\0' ||
		    strcmp(r->params[i].name, "x-oss-signature") == 0)
			goto fail;
		v = r->params[i].value != NULL ? r->params[i].value : "";
		if ((pv[i].name = osssig_uri_encode(r->params[i].name, 0)) ==
		    NULL || (pv[i].value = osssig_uri_encode(v, 0)) == NULL)
			goto fail;
	}
	qsort(pv, r->nparams, sizeof(*pv), osssig_pv_cmp);
	for (i = 1; i < r->nparams; i++)
		if (strcmp(pv[i - 1].name, pv[i].name) == 0)
			goto fail;
	return 0;
fail:
	osssig_pv_free(pv, r->nparams);
	return -1;
}

static int
osssig_method_ok(const char *m)
{
	if (m == NULL || *m == '\0' || strlen(m) > 16)
		return 0;
	for (; *m != '\0'; m++)
		if (*m < 'A' || *m > 'Z')
			return 0;
	return 1;
}

/* The canonical request into b; -1 when r is malformed. */
static int
osssig_canonical(const struct osssig_request *r, struct osssig_buf *b,
    char addl[OSSSIG_ADDL_LEN + 1])
{
	struct osssig_hv hv[LIMIT_OSS_HEADERS + OSSSIG_MAX_ADD];
	struct osssig_pv pv[LIMIT_OSS_PARAMS + OSSSIG_QUERY_ADD];
	const struct osssig_hv *sha;
	size_t i;

	if (!osssig_method_ok(r->method) || osssig_headers(r, hv) == -1 ||
	    osssig_additional(r, hv, addl) == -1 ||
	    osssig_params(r, pv) == -1)
		return -1;
	osssig_buf_str(b, r->method);
	osssig_buf_str(b, "\n/");
	if (r->bucket != NULL) {
		osssig_buf_enc(b, r->bucket, 1);
		osssig_buf_str(b, "/");
	}
	if (r->key != NULL)
		osssig_buf_enc(b, r->key, 1);
	osssig_buf_str(b, "\n");
	for (i = 0; i < r->nparams; i++) {
		if (i > 0)
			osssig_buf_str(b, "&");
		osssig_buf_str(b, pv[i].name);
		if (pv[i].value[0] != '\0') {
			osssig_buf_str(b, "=");
			osssig_buf_str(b, pv[i].value);
		}
	}
	osssig_pv_free(pv, r->nparams);
	osssig_buf_str(b, "\n");
	for (i = 0; i < r->nheaders; i++) {
		if (!osssig_is_default(hv[i].name) &&
		    !osssig_in_list(addl, hv[i].name))
			continue;
		osssig_buf_str(b, hv[i].name);
		osssig_buf_str(b, ":");
		osssig_buf_add(b, hv[i].value, hv[i].vlen);
		osssig_buf_str(b, "\n");
	}
	osssig_buf_str(b, "\n");
	osssig_buf_str(b, addl);
	osssig_buf_str(b, "\n");
	sha = osssig_find(hv, r->nheaders, "x-oss-content-sha256");
	if (sha != NULL)
		osssig_buf_add(b, sha->value, sha->vlen);
	else
		osssig_buf_str(b, OSSSIG_UNSIGNED_PAYLOAD);
	return b->err ? -1 : 0;
}

char *
osssig_canonical_request(const struct osssig_request *r)
{
	struct osssig_buf b;
	char addl[OSSSIG_ADDL_LEN + 1];

	osssig_buf_init(&b, LIMIT_OSS_CANONICAL);
	if (osssig_canonical(r, &b, addl) == -1)
		b.err = 1;
	return osssig_buf_take(&b);
}

static int
osssig_region_ok(const char *region)
{
	size_t n;

	if (region == NULL)
		return 0;
	region = sign_region(region);
	n = strlen(region);
	if (n == 0 || n > OSSSIG_REGION_LEN)
		return 0;
	for (; *region != '\0'; region++)
		if (!((*region >= 'a' && *region <= 'z') ||
		    (*region >= '0' && *region <= '9') || *region == '-'))
			return 0;
	return 1;
}

char *
osssig_string_to_sign(const char *date, const char *region,
    const char *canonical)
{
	struct osssig_buf b;
	unsigned char h[CRYPTO_SHA256_LEN];
	char hex[SIGN_HEX_LEN + 1];

	if (date == NULL || strlen(date) != OSSSIG_DATE_LEN ||
	    !osssig_region_ok(region) || canonical == NULL ||
	    crypto_sha256(canonical, strlen(canonical), h) == -1)
		return NULL;
	crypto_hex(h, sizeof(h), hex);
	osssig_buf_init(&b, 256);
	osssig_buf_str(&b, SIGN_VERSION "\n");
	osssig_buf_str(&b, date);
	osssig_buf_str(&b, "\n");
	osssig_buf_add(&b, date, 8);
	osssig_buf_str(&b, "/");
	osssig_buf_str(&b, sign_region(region));
	osssig_buf_str(&b, "/oss/aliyun_v4_request\n");
	osssig_buf_str(&b, hex);
	return osssig_buf_take(&b);
}

static int
osssig_creds_ok(const struct creds *c)
{
	return c != NULL && c->access_key_id != NULL &&
	    c->access_key_id[0] != '\0' &&
	    strlen(c->access_key_id) <= LIMIT_AKID_LEN &&
	    c->access_key_secret != NULL && c->access_key_secret[0] != '\0' &&
	    (c->security_token == NULL ||
	    strlen(c->security_token) <= LIMIT_TOKEN_LEN);
}

static int
osssig_has_token(const struct creds *c)
{
	return c->security_token != NULL && c->security_token[0] != '\0';
}

/*
 * Sign r (complete: every header and parameter it will be sent with) at
 * date: sig receives the hex signature and addl the additional headers.
 */
static int
osssig_sign(const struct osssig_request *r, const struct creds *c,
    const char *region, const char *date, char sig[SIGN_HEX_LEN + 1],
    char addl[OSSSIG_ADDL_LEN + 1])
{
	struct osssig_buf b;
	char *canonical = NULL, *sts = NULL, date8[9];
	int rc = -1;

	osssig_buf_init(&b, LIMIT_OSS_CANONICAL);
	if (osssig_canonical(r, &b, addl) == -1)
		b.err = 1;
	if ((canonical = osssig_buf_take(&b)) == NULL ||
	    (sts = osssig_string_to_sign(date, region, canonical)) == NULL)
		goto out;
	memcpy(date8, date, 8);
	date8[8] = '\0';
	/* sign_v4_policy is hex(HMAC(sign_v4_key(...), msg)), key cached. */
	if (sign_v4_policy(c->access_key_secret, date8, region, sts, sig) == -1)
		goto out;
	rc = 0;
out:
	crypto_free_secret(canonical);
	crypto_free_secret(sts);
	return rc;
}

static int
osssig_has_header(const struct osssig_request *r, const char *lname)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++)
		if (r->headers[i].name != NULL &&
		    strcasecmp(r->headers[i].name, lname) == 0)
			return 1;
	return 0;
}

void
osssig_auth_clear(struct osssig_auth *a)
{
	if (a == NULL)
		return;
	crypto_free_secret(a->authorization);
	crypto_wipe(a, sizeof(*a));
}

int
osssig_sign_header(const struct osssig_request *r, const struct creds *c,
    const char *region, time_t now, struct osssig_auth *out)
{
	struct osssig_header h[LIMIT_OSS_HEADERS + OSSSIG_MAX_ADD];
	struct osssig_request full;
	struct osssig_buf b;
	char sig[SIGN_HEX_LEN + 1], addl[OSSSIG_ADDL_LEN + 1], date8[9];
	char cred[LIMIT_AKID_LEN + 128];
	size_t n;

	memset(out, 0, sizeof(*out));
	if (r == NULL || !osssig_creds_ok(c) || !osssig_region_ok(region) ||
	    r->nheaders > LIMIT_OSS_HEADERS ||
	    (r->nheaders > 0 && r->headers == NULL) ||
	    osssig_has_header(r, "x-oss-date") ||
	    osssig_has_header(r, "x-oss-security-token") ||
	    osssig_has_header(r, "authorization"))
		return -1;
	util_amz_date(now, out->date);
	util_date8(now, date8);
	if (r->nheaders > 0)
		memcpy(h, r->headers, r->nheaders * sizeof(*h));
	n = r->nheaders;
	out->add[out->nadd++] = (struct osssig_header){ "x-oss-date",
	    out->date };
	if (!osssig_has_header(r, "x-oss-content-sha256"))
		out->add[out->nadd++] = (struct osssig_header){
		    "x-oss-content-sha256", OSSSIG_UNSIGNED_PAYLOAD };
	if (osssig_has_token(c))
		out->add[out->nadd++] = (struct osssig_header){
		    "x-oss-security-token", c->security_token };
	memcpy(h + n, out->add, out->nadd * sizeof(*h));
	full = *r;
	full.headers = h;
	full.nheaders = n + out->nadd;
	if (osssig_sign(&full, c, region, out->date, sig, addl) == -1 ||
	    sign_v4_credential(c->access_key_id, date8, region, cred,
	    sizeof(cred)) == -1)
		goto fail;
	osssig_buf_init(&b, sizeof(cred) + OSSSIG_ADDL_LEN + 128);
	osssig_buf_str(&b, SIGN_VERSION " Credential=");
	osssig_buf_str(&b, cred);
	if (addl[0] != '\0') {
		osssig_buf_str(&b, ",AdditionalHeaders=");
		osssig_buf_str(&b, addl);
	}
	osssig_buf_str(&b, ",Signature=");
	osssig_buf_str(&b, sig);
	crypto_wipe(sig, sizeof(sig));
	if ((out->authorization = osssig_buf_take(&b)) == NULL)
		goto fail;
	out->add[out->nadd++] = (struct osssig_header){ "Authorization",
	    out->authorization };
	return 0;
fail:
	crypto_wipe(sig, sizeof(sig));
	osssig_auth_clear(out);
	return -1;
}

static const char *const osssig_query_names[] = {
	"x-oss-signature-version", "x-oss-credential", "x-oss-date",
	"x-oss-expires", "x-oss-security-token", "x-oss-additional-headers",
	"x-oss-signature",
};

char *
osssig_query_string(const struct osssig_param *p, size_t n)
{
	struct osssig_buf b;
	size_t i;

	osssig_buf_init(&b, LIMIT_OSS_CANONICAL);
	for (i = 0; i < n; i++) {
		if (p[i].name == NULL || p[i].name[0] == '\0') {
			b.err = 1;
			break;
		}
		if (i > 0)
			osssig_buf_str(&b, "&");
		osssig_buf_enc(&b, p[i].name, 0);
		if (p[i].value != NULL && p[i].value[0] != '\0') {
			osssig_buf_str(&b, "=");
			osssig_buf_enc(&b, p[i].value, 0);
		}
	}
	return osssig_buf_take(&b);
}

char *
osssig_presign(const struct osssig_request *r, const struct creds *c,
    const char *region, time_t now, long expires)
{
	struct osssig_param p[LIMIT_OSS_PARAMS + OSSSIG_QUERY_ADD + 1];
	struct osssig_hv hv[LIMIT_OSS_HEADERS + OSSSIG_MAX_ADD];
	struct osssig_request full;
	char sig[SIGN_HEX_LEN + 1], addl[OSSSIG_ADDL_LEN + 1];
	char date[OSSSIG_DATE_LEN + 1], date8[9], exp[24];
	char cred[LIMIT_AKID_LEN + 128], *q;
	size_t i, k, n;

	if (r == NULL || !osssig_creds_ok(c) || !osssig_region_ok(region) ||
	    expires < LIMIT_PRESIGN_MIN || expires > LIMIT_PRESIGN_MAX ||
	    r->nparams > LIMIT_OSS_PARAMS ||
	    (r->nparams > 0 && r->params == NULL) ||
	    osssig_headers(r, hv) == -1 || osssig_additional(r, hv, addl) == -1)
		return NULL;
	for (i = 0; i < r->nparams; i++)
		for (k = 0; k < sizeof(osssig_query_names) /
		    sizeof(osssig_query_names[0]); k++)
			if (r->params[i].name == NULL ||
			    strcasecmp(r->params[i].name,
			    osssig_query_names[k]) == 0)
				return NULL;
	util_amz_date(now, date);
	util_date8(now, date8);
	snprintf(exp, sizeof(exp), "%ld", expires);
	if (sign_v4_credential(c->access_key_id, date8, region, cred,
	    sizeof(cred)) == -1)
		return NULL;
	if (r->nparams > 0)
		memcpy(p, r->params, r->nparams * sizeof(*p));
	n = r->nparams;
	p[n++] = (struct osssig_param){ "x-oss-signature-version",
	    SIGN_VERSION };
	p[n++] = (struct osssig_param){ "x-oss-credential", cred };
	p[n++] = (struct osssig_param){ "x-oss-date", date };
	p[n++] = (struct osssig_param){ "x-oss-expires", exp };
	if (osssig_has_token(c))
		p[n++] = (struct osssig_param){ "x-oss-security-token",
		    c->security_token };
	if (addl[0] != '\0')
		p[n++] = (struct osssig_param){ "x-oss-additional-headers",
		    addl };
	full = *r;
	full.params = p;
	full.nparams = n;
	if (osssig_sign(&full, c, region, date, sig, addl) == -1) {
		crypto_wipe(sig, sizeof(sig));
		return NULL;
	}
	p[n++] = (struct osssig_param){ "x-oss-signature", sig };
	q = osssig_query_string(p, n);
	crypto_wipe(sig, sizeof(sig));
	return q;
}
