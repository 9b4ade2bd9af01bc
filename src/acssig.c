/* Request signatures for Alibaba Cloud's APIs; see acssig.h. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "acssig.h"
#include "crypto.h"
#include "sbuf.h"

#define ACSSIG_ACS3	"ACS3-HMAC-SHA256"

void
acssig_pct_add(struct sbuf *b, const char *s)
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
acssig_pct_encode(const char *s)
{
	struct sbuf b = { 0 };

	acssig_pct_add(&b, s);
	return sbuf_take(&b);
}

static int
acssig_param_cmp(const void *a, const void *b)
{
	const struct acssig_param *x = *(const struct acssig_param *const *)a;
	const struct acssig_param *y = *(const struct acssig_param *const *)b;

	return strcmp(x->name, y->name);
}

char *
acssig_canonical_query(const struct acssig_param *p, size_t n)
{
	const struct acssig_param **v;
	struct sbuf b = { 0 };
	size_t i, k;

	if ((v = calloc(n ? n : 1, sizeof(*v))) == NULL)
		return NULL;
	for (i = k = 0; i < n; i++)
		if (p[i].value != NULL)
			v[k++] = &p[i];
	qsort(v, k, sizeof(*v), acssig_param_cmp);
	for (i = 0; i < k; i++) {
		if (i > 0)
			sbuf_add(&b, "&", 1);
		acssig_pct_add(&b, v[i]->name);
		sbuf_add(&b, "=", 1);
		acssig_pct_add(&b, v[i]->value);
	}
	free(v);
	return sbuf_take(&b);
}

/* ---- RPC (HMAC-SHA1) ------------------------------------------------- */

char *
acssig_rpc_string_to_sign(const char *method, const char *canonical)
{
	struct sbuf b = { 0 };

	sbuf_str(&b, method);
	sbuf_str(&b, "&%2F&");
	acssig_pct_add(&b, canonical);
	return sbuf_take(&b);
}

char *
acssig_rpc_signature(const char *secret, const char *s2s)
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
acssig_acs3_payload_hash(const struct acssig_acs3 *r, char hex[65])
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
acssig_acs3_signed(const struct acssig_acs3 *r)
{
	return r->security_token != NULL ? "host;x-acs-action;"
	    "x-acs-content-sha256;x-acs-date;x-acs-security-token;"
	    "x-acs-signature-nonce;x-acs-version" : "host;x-acs-action;"
	    "x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;"
	    "x-acs-version";
}

char *
acssig_acs3_canonical_request(const struct acssig_acs3 *r)
{
	struct sbuf b = { 0 };
	char hash[65], *q;

	if (acssig_acs3_payload_hash(r, hash) == -1)
		return NULL;
	if ((q = acssig_canonical_query(r->query, r->nquery)) == NULL)
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
	sbuf_str(&b, acssig_acs3_signed(r));
	sbuf_str(&b, "\n");
	sbuf_str(&b, hash);
	free(q);
	return sbuf_take(&b);
}

char *
acssig_acs3_string_to_sign(const char *canonical)
{
	unsigned char md[CRYPTO_SHA256_LEN];
	char hex[2 * CRYPTO_SHA256_LEN + 1];
	struct sbuf b = { 0 };

	if (crypto_sha256(canonical, strlen(canonical), md) == -1)
		return NULL;
	crypto_hex(md, sizeof(md), hex);
	sbuf_str(&b, ACSSIG_ACS3 "\n");
	sbuf_str(&b, hex);
	return sbuf_take(&b);
}

char *
acssig_acs3_authorization(const struct acssig_acs3 *r, const char *akid,
    const char *secret)
{
	unsigned char mac[CRYPTO_SHA256_LEN];
	char hex[2 * CRYPTO_SHA256_LEN + 1];
	char *canon = NULL, *s2s = NULL;
	struct sbuf b = { 0 };

	if ((canon = acssig_acs3_canonical_request(r)) == NULL ||
	    (s2s = acssig_acs3_string_to_sign(canon)) == NULL ||
	    crypto_hmac_sha256(secret, strlen(secret), s2s, strlen(s2s),
	    mac) == -1) {
		crypto_free_secret(canon);
		free(s2s);
		return NULL;
	}
	crypto_hex(mac, sizeof(mac), hex);
	sbuf_str(&b, ACSSIG_ACS3 " Credential=");
	sbuf_str(&b, akid);
	sbuf_str(&b, ",SignedHeaders=");
	sbuf_str(&b, acssig_acs3_signed(r));
	sbuf_str(&b, ",Signature=");
	sbuf_str(&b, hex);
	crypto_wipe(mac, sizeof(mac));
	crypto_free_secret(canon);	/* may hold a security token */
	free(s2s);
	return sbuf_take(&b);
}
