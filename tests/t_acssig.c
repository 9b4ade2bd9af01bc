/*
 * acssig: Alibaba Cloud API request signing against the vendor vectors
 * (tests/data/sts-signature.json, computed with @alicloud/openapi-util and
 * @alicloud/pop-core): percent-encoding, the canonical query, RPC
 * HMAC-SHA1 and ACS3-HMAC-SHA256.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acssig.h"
#include "tap.h"

/* tests/data/sts-signature.json, "rpc_v1" and "acs3_v3". */
#define V_AKID		"LTAI5tFakeAccessKeyId123"
#define V_SECRET	"FakeAccessKeySecretForVectors0123456789"
#define V_ROLE		"acs:ram::1234567890123456:role/oss-web-upload"

#define RPC_CANON "AccessKeyId=LTAI5tFakeAccessKeyId123&Action=AssumeRole&" \
	"DurationSeconds=3600&Format=JSON&RoleArn=acs%3Aram%3A%3A1234567890" \
	"123456%3Arole%2Foss-web-upload&RoleSessionName=web-upload-1&" \
	"SignatureMethod=HMAC-SHA1&SignatureNonce=3ee8c1b8-83d3-44af-a94f-" \
	"4e0ad82fd6cf&SignatureVersion=1.0&Timestamp=2026-11-25T06%3A09%3A41Z&" \
	"Version=2015-04-01"
#define RPC_S2S "POST&%2F&AccessKeyId%3DLTAI5tFakeAccessKeyId123%26Action%3D" \
	"AssumeRole%26DurationSeconds%3D3600%26Format%3DJSON%26RoleArn%3Dacs" \
	"%253Aram%253A%253A1234567890123456%253Arole%252Foss-web-upload%26" \
	"RoleSessionName%3Dweb-upload-1%26SignatureMethod%3DHMAC-SHA1%26" \
	"SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26" \
	"SignatureVersion%3D1.0%26Timestamp%3D2026-11-25T06%253A09%253A41Z%26" \
	"Version%3D2015-04-01"
#define RPC_SIG_POST	"yg/OrLnndLE99pDA71E5qiTNap0="
#define RPC_SIG_GET	"slbfXuciTnggC5QLuRxxedHLZRY="

#define EMPTY_SHA "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define ACS3_CANON "POST\n/\nDurationSeconds=3600&RoleArn=acs%3Aram%3A%3A" \
	"1234567890123456%3Arole%2Foss-web-upload&RoleSessionName=web-upload-1\n" \
	"host:sts.cn-hangzhou.aliyuncs.com\nx-acs-action:AssumeRole\n" \
	"x-acs-content-sha256:" EMPTY_SHA "\nx-acs-date:2026-11-25T06:09:41Z\n" \
	"x-acs-signature-nonce:d410180a5abf7fe235dd9b74aca91fc0\n" \
	"x-acs-version:2015-04-01\n\nhost;x-acs-action;x-acs-content-sha256;" \
	"x-acs-date;x-acs-signature-nonce;x-acs-version\n" EMPTY_SHA
#define ACS3_S2S "ACS3-HMAC-SHA256\n" \
	"7efb38350180ff6ba369caab2257c144afb23ad050b5cb757d7bb200e10877b1"
#define ACS3_AUTH "ACS3-HMAC-SHA256 Credential=LTAI5tFakeAccessKeyId123," \
	"SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;" \
	"x-acs-signature-nonce;x-acs-version,Signature=de57cb802a2fe5b8f8f7fcce" \
	"7475222e684ed6017ee0702cb8780c94a4447270"

static void
t_encoding(void)
{
	char *s;

	s = acssig_pct_encode("a b*~-_.!'()/:=&+");
	is_str(s, "a%20b%2A~-_.%21%27%28%29%2F%3A%3D%26%2B",
	    "percent-encoding keeps only A-Za-z0-9-_.~");
	free(s);
	s = acssig_pct_encode("\xc3\xa9");
	is_str(s, "%C3%A9", "UTF-8 bytes, uppercase hex");
	free(s);
	s = acssig_pct_encode("");
	is_str(s, "", "empty string");
	free(s);
}

static void
t_rpc(void)
{
	/* Deliberately out of order: the canonical form sorts them. */
	struct acssig_param p[] = {
		{ "Version", "2015-04-01" },
		{ "Timestamp", "2026-11-25T06:09:41Z" },
		{ "SignatureVersion", "1.0" },
		{ "SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf" },
		{ "SignatureMethod", "HMAC-SHA1" },
		{ "RoleSessionName", "web-upload-1" },
		{ "RoleArn", V_ROLE },
		{ "Policy", NULL },
		{ "Format", "JSON" },
		{ "DurationSeconds", "3600" },
		{ "Action", "AssumeRole" },
		{ "AccessKeyId", V_AKID },
	};
	char *q, *s2s, *sig;

	q = acssig_canonical_query(p, sizeof(p) / sizeof(p[0]));
	is_str(q, RPC_CANON, "RPC canonical query (sorted, NULL left out)");
	s2s = acssig_rpc_string_to_sign("POST", q);
	is_str(s2s, RPC_S2S, "RPC string to sign");
	sig = acssig_rpc_signature(V_SECRET, s2s);
	is_str(sig, RPC_SIG_POST, "RPC signature, POST");
	free(s2s);
	free(sig);
	s2s = acssig_rpc_string_to_sign("GET", q);
	sig = acssig_rpc_signature(V_SECRET, s2s);
	is_str(sig, RPC_SIG_GET, "RPC signature, GET");
	free(s2s);
	free(sig);
	free(q);
	q = acssig_canonical_query(NULL, 0);
	is_str(q, "", "no parameters: empty query");
	free(q);
}

static void
t_acs3(void)
{
	struct acssig_param q[] = {
		{ "RoleSessionName", "web-upload-1" },
		{ "RoleArn", V_ROLE },
		{ "DurationSeconds", "3600" },
	};
	struct acssig_acs3 r;
	char hash[65], *canon, *s2s, *auth;

	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.host = "sts.cn-hangzhou.aliyuncs.com";
	r.action = "AssumeRole";
	r.version = "2015-04-01";
	r.date = "2026-11-25T06:09:41Z";
	r.nonce = "d410180a5abf7fe235dd9b74aca91fc0";
	r.query = q;
	r.nquery = 3;
	ok(acssig_acs3_payload_hash(&r, hash) == 0 &&
	    strcmp(hash, EMPTY_SHA) == 0, "ACS3 payload hash of no body");
	canon = acssig_acs3_canonical_request(&r);
	is_str(canon, ACS3_CANON, "ACS3 canonical request");
	s2s = acssig_acs3_string_to_sign(canon);
	is_str(s2s, ACS3_S2S, "ACS3 string to sign");
	auth = acssig_acs3_authorization(&r, V_AKID, V_SECRET);
	is_str(auth, ACS3_AUTH, "ACS3 Authorization header");
	free(canon);
	free(s2s);
	free(auth);

	/* Role chaining: the token travels in a signed header. */
	r.security_token = "CAIStok+en/=";
	canon = acssig_acs3_canonical_request(&r);
	ok(canon != NULL && strstr(canon, "\nx-acs-date:2026-11-25T06:09:41Z\n"
	    "x-acs-security-token:CAIStok+en/=\nx-acs-signature-nonce:") !=
	    NULL && strstr(canon, "x-acs-date;x-acs-security-token;"
	    "x-acs-signature-nonce") != NULL,
	    "ACS3 with a security token signs x-acs-security-token in order");
	auth = acssig_acs3_authorization(&r, V_AKID, V_SECRET);
	ok(auth != NULL && strstr(auth, "SignedHeaders=host;x-acs-action;"
	    "x-acs-content-sha256;x-acs-date;x-acs-security-token;") != NULL &&
	    strcmp(auth, ACS3_AUTH) != 0,
	    "and the Authorization names it and changes");
	free(canon);
	free(auth);
}

int
main(void)
{
	tap_plan(14);
	t_encoding();
	t_rpc();
	t_acs3();
	return tap_done();
}
