/*
 * Request signatures for Alibaba Cloud's APIs (STS today): the
 * percent-encoding and canonical query they share, the RPC style
 * (HMAC-SHA1 over "METHOD&%2F&query") and ACS3-HMAC-SHA256 (a canonical
 * request of signed headers).  Pure: the time, the nonce and the secret
 * come in as arguments, so every function is tested with known answers
 * (tests/data/sts-signature.json).
 */
#ifndef OSSIGN_ACSSIG_H
#define OSSIGN_ACSSIG_H

#include <stddef.h>

#include "sbuf.h"

/* One query or form parameter; value NULL means "leave out". */
struct acssig_param {
	const char	*name;
	const char	*value;
};

/*
 * Percent-encode s the way Alibaba Cloud's APIs do: everything but
 * A-Z a-z 0-9 - _ . ~ as %XX (uppercase hex) of its UTF-8 bytes.
 * acssig_pct_encode returns a new string (free it) or NULL when out of
 * memory; acssig_pct_add appends the encoding to b.
 */
char	*acssig_pct_encode(const char *s);
void	 acssig_pct_add(struct sbuf *b, const char *s);

/*
 * Sort the n params by name (bytewise) and join them as "name=value" with
 * '&', both percent-encoded; params whose value is NULL are left out.
 * Returns a new string or NULL.
 */
char	*acssig_canonical_query(const struct acssig_param *p, size_t n);

/*
 * RPC style: the string to sign "METHOD&%2F&" + encode(canonical) and the
 * signature base64(HMAC-SHA1(secret + "&", s2s)).  Both return a new
 * string or NULL.
 */
char	*acssig_rpc_string_to_sign(const char *method, const char *canonical);
char	*acssig_rpc_signature(const char *secret, const char *string_to_sign);

/* The parts of an ACS3-HMAC-SHA256 request that are signed. */
struct acssig_acs3 {
	const char			*method;	/* "POST" */
	const char			*host;		/* host[:port] */
	const char			*action;	/* x-acs-action */
	const char			*version;	/* x-acs-version */
	const char			*date;		/* x-acs-date, 2026-11-25T06:09:41Z */
	const char			*nonce;		/* x-acs-signature-nonce */
	const char			*security_token; /* x-acs-security-token or NULL */
	const struct acssig_param	*query;
	size_t				 nquery;
	const char			*payload;	/* body, NULL for none */
	size_t				 payloadlen;
};

/*
 * ACS3: the canonical request, its string to sign and the Authorization
 * header value ("ACS3-HMAC-SHA256 Credential=...,SignedHeaders=...,
 * Signature=...").  Each returns a new string or NULL.  The payload hash
 * (x-acs-content-sha256) is written by acssig_acs3_payload_hash into hex
 * (65 bytes); it returns 0 or -1.  The signed headers are exactly those
 * named in the struct, so the request must send exactly those.
 */
int	 acssig_acs3_payload_hash(const struct acssig_acs3 *r, char hex[65]);
char	*acssig_acs3_canonical_request(const struct acssig_acs3 *r);
char	*acssig_acs3_string_to_sign(const char *canonical_request);
char	*acssig_acs3_authorization(const struct acssig_acs3 *r,
	    const char *akid, const char *secret);

#endif /* OSSIGN_ACSSIG_H */
