/*
 * gate: the check every signing route makes, through its C interface.
 * auth = none / remote_user / jwt (an HS256 secret file, tokens made here;
 * tests/auth-jwt.sh runs tokens minted by npm jose through the program),
 * the 401 and its challenge (and nothing about why), key files refused
 * with FILE:LINE, the rate limit per user and per client address, 429 with
 * Retry-After, a batch taking n, and the table file in cache_dir: made
 * 0600 at its size, shared by a second gate (another process), a foreign
 * file replaced, a live one never.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "crypto.h"
#include "gate.h"
#include "ratelimit.h"
#include "reply.h"
#include "request.h"
#include "responder.h"
#include "tap.h"
#include "tfile.h"

#define SECRET	"a text secret of more than thirty-two bytes"

static char dir[] = "/tmp/t_gate.XXXXXX";
static struct responder r;
static struct request req;
static struct reply rep;
static struct oerr_detail d;
static struct gate_user u;

/* Standard base64 to unpadded base64url, in place. */
static void
b64url(char *s)
{
	char *o = s;

	for (; *s != '\0' && *s != '='; s++)
		*o++ = *s == '+' ? '-' : *s == '/' ? '_' : *s;
	*o = '\0';
}

/* An HS256 token over header and payload with key. */
static char *
mint(const char *key, const char *header, const char *payload)
{
	static char tok[2048];
	char h[512], p[1024], sig[64];
	unsigned char mac[CRYPTO_SHA256_LEN];

	crypto_b64(header, strlen(header), h);
	b64url(h);
	crypto_b64(payload, strlen(payload), p);
	b64url(p);
	snprintf(tok, sizeof(tok), "%s.%s", h, p);
	crypto_hmac_sha256(key, strlen(key), tok, strlen(tok), mac);
	crypto_b64(mac, sizeof(mac), sig);
	b64url(sig);
	snprintf(tok + strlen(tok), sizeof(tok) - strlen(tok), ".%s", sig);
	return tok;
}

static char *
token(const char *sub, long long exp_from_now)
{
	char payload[256];
	long long now = (long long)time(NULL);

	snprintf(payload, sizeof(payload),
	    "{\"sub\":\"%s\",\"iat\":%lld,\"exp\":%lld}", sub, now - 5,
	    now + exp_from_now);
	return mint(SECRET, "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload);
}

static void
put(const char *name, const char *text, mode_t mode)
{
	char p[300];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	tfile_put(p, text, strlen(text), mode);
}

/* gate_check for section name with the request as set up; 0 or status. */
static int
check(const char *name, long long n)
{
	const struct conf_upload *up = conf_upload_find(r.conf, name);

	reply_clear(&rep);
	memset(&d, 0, sizeof(d));
	if (gate_check(&r, &req, up, n, &u, &rep, &d) == OERR_OK)
		return 0;
	reply_error(&rep, &d);
	return rep.status;
}

static void
request_as(const char *addr, const char *user, const char *authz)
{
	memset(&req, 0, sizeof(req));
	req.method = REQUEST_GET;
	req.remote_addr = addr;
	req.remote_user = user;
	req.authorization = authz;
}

static ino_t
inode_of(const char *name)
{
	char p[300];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return stat(p, &st) == 0 ? st.st_ino : 0;
}

int
main(void)
{
	struct conf *c;
	struct gate *g2;
	struct stat st;
	char text[4096], err[512], bearer[2200], p[300];
	int i, passed;

	tap_plan(43);
	if (mkdtemp(dir) == NULL)
		return 1;
	put("hs.key", SECRET "\n", 0600);
	put("hs-open.key", SECRET "\n", 0644);
	put("pub.pem", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC "
	    "KEY-----\n", 0600);
	snprintf(text, sizeof(text),
	    "bucket = b12\nregion = cn-hangzhou\ncache_dir = %s/cache\n"
	    "trusted_proxies = 10.0.0.0/8\n"
	    "[upload open]\n"
	    "[upload site]\nkey_prefix = u/${user}/\n"
	    "[upload tok]\nauth = jwt\njwt_key = hs256:%s/hs.key\n"
	    "jwt_cookie = tk\n"
	    "[upload slow]\nrate_limit = 3/min\n"
	    "[upload slowuser]\nauth = remote_user\nrate_limit = 1/h\n"
	    "rate_burst = 4\n", dir, dir);
	if ((c = conf_parse(text, strlen(text), "t.conf", err, sizeof(err))) ==
	    NULL) {
		printf("# %s\n", err);
		return 1;
	}
	memset(&r, 0, sizeof(r));
	r.conf = c;
	reply_init(&rep);
	r.gate = gate_new(c, 0, err, sizeof(err));
	ok(r.gate != NULL, "a gate for a CGI run: nothing loaded yet (%s)",
	    r.gate ? "" : err);

	/* ---- auth = none ---- */
	request_as("192.0.2.1", "mallory", NULL);
	ok(check("open", 1) == 0 && u.name == NULL,
	    "auth = none: passes, and REMOTE_USER is no user");

	/* ---- auth = remote_user ---- */
	request_as("192.0.2.1", "alice", NULL);
	ok(check("site", 1) == 0 && u.name != NULL &&
	    strcmp(u.name, "alice") == 0, "remote_user: REMOTE_USER is the "
	    "user");
	request_as("192.0.2.1", NULL, NULL);
	ok(check("site", 1) == 401 && strstr(rep.hdr, "WWW-Authenticate: "
	    "Session realm=\"ossign\"\r\n") != NULL, "no REMOTE_USER: 401, "
	    "WWW-Authenticate: Session");
	is_str(rep.body, "{\"error\":{\"code\":\"authentication_required\","
	    "\"message\":\"this upload needs an authenticated user\"}}",
	    "the answer says nothing about why");
	request_as("192.0.2.1", "a/b", NULL);
	ok(check("site", 1) == 400 && u.name == NULL,
	    "a REMOTE_USER that cannot be ${user}: 400");

	/* ---- auth = jwt ---- */
	snprintf(bearer, sizeof(bearer), "Bearer %s", token("bob", 300));
	request_as("192.0.2.1", "alice", bearer);
	ok(check("tok", 1) == 0 && u.name != NULL &&
	    strcmp(u.name, "bob") == 0, "jwt: the token's sub, REMOTE_USER "
	    "ignored; the secret file's newline is not the key's");
	request_as("192.0.2.1", "alice", NULL);
	ok(check("tok", 1) == 401 && strstr(rep.hdr, "WWW-Authenticate: "
	    "Bearer realm=\"ossign\"\r\n") != NULL && u.name == NULL,
	    "no token: 401, WWW-Authenticate: Bearer");
	snprintf(bearer, sizeof(bearer), "Bearer %s", token("bob", -120));
	request_as("192.0.2.1", NULL, bearer);
	ok(check("tok", 1) == 401 && strstr(rep.body, "expired") == NULL,
	    "an expired token: 401, not said");
	snprintf(bearer, sizeof(bearer), "Bearer %s", mint("another secret "
	    "of thirty-two bytes or more",
	    "{\"alg\":\"HS256\"}", "{\"sub\":\"bob\",\"exp\":9999999999}"));
	request_as("192.0.2.1", NULL, bearer);
	ok(check("tok", 1) == 401, "another key's signature: 401");
	request_as("192.0.2.1", NULL, "Basic YWxpY2U6cHc=");
	ok(check("tok", 1) == 401, "Basic credentials: 401");
	request_as("192.0.2.1", NULL, NULL);
	snprintf(bearer, sizeof(bearer), "a=1; tk=%s", token("carol", 300));
	req.cookie = bearer;
	ok(check("tok", 1) == 0 && strcmp(u.name, "carol") == 0,
	    "the jwt_cookie cookie");
	request_as("192.0.2.1", NULL, NULL);
	req.toolong = 1u << REQUEST_VAR_AUTHORIZATION;
	ok(check("tok", 1) == 401, "an Authorization header over its cap: 401");
	request_as("192.0.2.1", NULL, NULL);
	req.origin = "https://app.example";
	ok(check("tok", 1) == 401 && strstr(rep.hdr,
	    "Access-Control-Expose-Headers: WWW-Authenticate\r\n") != NULL,
	    "with an Origin: the challenge is exposed to the page");

	/* ---- FastCGI keeps verified tokens: exp and the section still count */
	snprintf(text, sizeof(text), "bucket = b12\nregion = cn-hangzhou\n"
	    "[upload k1]\nauth = jwt\njwt_key = hs256:%s/hs.key\n"
	    "jwt_leeway = 0\n"
	    "[upload k2]\nauth = jwt\njwt_key = hs256:%s/hs.key\n"
	    "jwt_leeway = 0\njwt_issuer = https://idp.example\n", dir, dir);
	g2 = r.gate;
	r.conf = conf_parse(text, strlen(text), "t.conf", err, sizeof(err));
	r.gate = gate_new(r.conf, GATE_START, err, sizeof(err));
	snprintf(bearer, sizeof(bearer), "Bearer %s", token("dan", 2));
	request_as("192.0.2.1", NULL, bearer);
	ok(r.gate != NULL && check("k1", 1) == 0 && check("k1", 1) == 0 &&
	    strcmp(u.name, "dan") == 0, "FastCGI: a token verified, then kept");
	ok(check("k2", 1) == 401, "kept for its section only: another's "
	    "jwt_issuer still refuses it");
	sleep(3);
	ok(check("k1", 1) == 401, "a kept token that expired is refused");
	gate_free(r.gate);
	conf_free((struct conf *)r.conf);
	r.gate = g2;
	r.conf = c;

	/* ---- key files: FILE:LINE ---- */
	snprintf(text, sizeof(text), "bucket = b12\nregion = cn-hangzhou\n"
	    "[upload a]\nauth = jwt\n\njwt_key = %s/missing.pem\n", dir);
	gate_free(r.gate);
	r.gate = NULL;
	conf_free((struct conf *)r.conf);
	c = conf_parse(text, strlen(text), "t.conf", err, sizeof(err));
	g2 = gate_new(c, GATE_CHECK, err, sizeof(err));
	snprintf(p, sizeof(p), "t.conf:6: jwt_key "
	    "%s/missing.pem: No such file or directory", dir);
	ok(g2 == NULL && strcmp(err, p) == 0, "-t: a missing key file, by "
	    "file and line: %s", err);
	conf_free(c);
	snprintf(text, sizeof(text), "bucket = b12\nregion = cn-hangzhou\n"
	    "[upload a]\nauth = jwt\njwt_key = hs256:%s/hs-open.key\n", dir);
	c = conf_parse(text, strlen(text), "t.conf", err, sizeof(err));
	g2 = gate_new(c, GATE_START, err, sizeof(err));
	ok(g2 == NULL && strstr(err, "t.conf:5: jwt_key ") == err &&
	    strstr(err, "chmod 600") != NULL, "a secret others can read: "
	    "refused at start");
	conf_free(c);
	snprintf(text, sizeof(text), "bucket = b12\nregion = cn-hangzhou\n"
	    "[upload a]\nauth = jwt\njwt_key = hs256:%s/pub.pem\n", dir);
	c = conf_parse(text, strlen(text), "t.conf", err, sizeof(err));
	g2 = gate_new(c, GATE_CHECK, err, sizeof(err));
	ok(g2 == NULL && strstr(err, "not a secret") != NULL,
	    "a PEM key named as an hs256: secret: refused");
	conf_free(c);
	/* Lazily, a CGI run: the request gets 500, the log the reason. */
	snprintf(text, sizeof(text), "bucket = b12\nregion = cn-hangzhou\n"
	    "[upload a]\nauth = jwt\njwt_key = %s/missing.pem\n", dir);
	c = conf_parse(text, strlen(text), "t.conf", err, sizeof(err));
	r.conf = c;
	r.gate = gate_new(c, 0, err, sizeof(err));
	request_as("192.0.2.1", NULL, "Bearer a.b.c");
	ok(r.gate != NULL && check("a", 1) == 500, "CGI: a missing key file "
	    "fails the request (500), not the start");
	gate_free(r.gate);
	conf_free(c);

	/* ---- rate limits ---- */
	snprintf(text, sizeof(text),
	    "bucket = b12\nregion = cn-hangzhou\ncache_dir = %s/cache\n"
	    "trusted_proxies = 10.0.0.0/8\n"
	    "[upload slow]\nrate_limit = 3/min\n"
	    "[upload slowuser]\nauth = remote_user\nrate_limit = 1/h\n"
	    "rate_burst = 4\n", dir);
	c = conf_parse(text, strlen(text), "t.conf", err, sizeof(err));
	r.conf = c;
	r.gate = gate_new(c, 0, err, sizeof(err));
	snprintf(p, sizeof(p), "%s/cache/ratelimit", dir);
	ok(stat(p, &st) == -1, "no table before a request needs it");
	request_as("192.0.2.1", NULL, NULL);
	for (passed = 0, i = 0; i < 5; i++)
		passed += check("slow", 1) == 0;
	is_int(passed, 3, "3/min: 3 of 5 pass at once (burst 3)");
	ok(rep.status == 429 && strstr(rep.hdr, "Retry-After: 20\r\n") !=
	    NULL && strstr(rep.body, "\"rate_limited\"") != NULL,
	    "429 rate_limited, Retry-After: 20 (one token per 20 s)");
	ok(stat(p, &st) == 0 && (st.st_mode & 07777) == 0600 &&
	    (size_t)st.st_size == ratelimit_size(DEFAULT_RATE_SLOTS),
	    "the table: cache_dir/ratelimit, 0600, its size");
	request_as("192.0.2.2", NULL, NULL);
	ok(check("slow", 1) == 0, "another address has its own bucket");
	request_as("10.0.0.7", NULL, NULL);
	req.x_forwarded_for = "198.51.100.1";
	ok(check("slow", 1) == 0, "behind a trusted proxy: the forwarded "
	    "client");
	request_as("10.0.0.7", NULL, NULL);
	req.x_forwarded_for = "192.0.2.1";
	ok(check("slow", 1) == 429, "and 192.0.2.1 forwarded is the client "
	    "that used its bucket up");
	request_as("198.51.100.77", NULL, NULL);
	req.x_forwarded_for = "198.51.100.1";
	ok(check("slow", 1) == 0, "X-Forwarded-For from an untrusted peer is "
	    "ignored");
	request_as("198.51.100.77", NULL, NULL);
	req.x_forwarded_for = "192.0.2.1";
	ok(check("slow", 1) == 0, "even when it names a client whose bucket "
	    "is spent: the peer is counted");

	/* Per user: the address does not matter. */
	request_as("192.0.2.9", "alice", NULL);
	ok(check("slowuser", 3) == 0, "a batch of 3 of burst 4");
	request_as("192.0.2.10", "alice", NULL);
	ok(check("slowuser", 2) == 429 && strstr(rep.hdr, "Retry-After: "
	    "3600\r\n") != NULL, "alice from another address: 1 left, a "
	    "batch of 2 refused, retry in an hour");
	ok(check("slowuser", 5) == 429 && strstr(rep.hdr, "Retry-After") ==
	    NULL && strstr(rep.body, "rate_burst (4)") != NULL,
	    "5 at once can never pass: 429 without Retry-After");
	request_as("192.0.2.10", "bob", NULL);
	ok(check("slowuser", 4) == 0, "bob has his own");

	/* Another process maps the same table. */
	g2 = r.gate;
	r.gate = gate_new(c, GATE_START, err, sizeof(err));
	ok(r.gate != NULL && inode_of("cache/ratelimit") != 0,
	    "a second gate (GATE_START) maps it at once");
	request_as("192.0.2.1", NULL, NULL);
	ok(check("slow", 1) == 429, "and shares its counts");
	request_as("192.0.2.9", "alice", NULL);
	ok(check("slowuser", 1) == 0 && check("slowuser", 1) == 429,
	    "alice's last token, then none, across both");
	gate_free(g2);
	{
		ino_t before = inode_of("cache/ratelimit");

		gate_free(r.gate);
		r.gate = gate_new(c, GATE_START, err, sizeof(err));
		ok(r.gate != NULL && inode_of("cache/ratelimit") == before,
		    "a valid table is never replaced");
	}
	/* A file of the right size that is no table (another version). */
	gate_free(r.gate);
	{
		size_t size = ratelimit_size(DEFAULT_RATE_SLOTS);
		char *junk = malloc(size);
		int fd;

		memset(junk, 'x', size);
		unlink(p);
		fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
		ok(fd != -1 && write(fd, junk, size) == (ssize_t)size,
		    "a foreign file in its place");
		if (fd != -1)
			close(fd);
		free(junk);
	}
	{
		ino_t before = inode_of("cache/ratelimit");

		r.gate = gate_new(c, GATE_START, err, sizeof(err));
		request_as("192.0.2.1", NULL, NULL);
		ok(r.gate != NULL && inode_of("cache/ratelimit") != before &&
		    check("slow", 1) == 0, "is replaced by a new table");
	}
	gate_free(r.gate);
	chmod(p, 0644);
	r.gate = gate_new(c, GATE_START, err, sizeof(err));
	ok(r.gate != NULL && stat(p, &st) == 0 && (st.st_mode & 07777) ==
	    0600, "a table others can read is replaced too");
	gate_free(r.gate);
	snprintf(text, sizeof(text), "bucket = b12\nregion = cn-hangzhou\n"
	    "cache_dir = %s/hs.key/sub\n[upload a]\nrate_limit = 1/s\n", dir);
	conf_free(c);
	c = conf_parse(text, strlen(text), "t.conf", err, sizeof(err));
	r.conf = c;
	r.gate = gate_new(c, GATE_START, err, sizeof(err));
	ok(r.gate == NULL, "FastCGI: no table, no start");
	r.gate = gate_new(c, 0, err, sizeof(err));
	request_as("192.0.2.1", NULL, NULL);
	ok(check("a", 1) == 500, "CGI: no table, 500 (a limit is never "
	    "skipped)");
	gate_free(r.gate);
	conf_free(c);
	reply_clear(&rep);

	snprintf(text, sizeof(text), "rm -rf %s", dir);
	if (system(text) != 0)
		perror("rm");
	return tap_done();
}
