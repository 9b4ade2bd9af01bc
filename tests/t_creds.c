/*
 * creds: the sources' configuration (environment, secret files and their
 * permissions, every source's errors), and the cache in front of them
 * driven through a fake fetch and a fake clock: one fetch per lifetime
 * across processes, refresh ahead of expiry, stale-on-error, never
 * expired credentials, single-flight refresh under concurrency.
 */
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "creds.h"
#include "creds_source.h"
#include "crypto.h"
#include "tap.h"
#include "tfile.h"

#define T0	1795586981	/* 2026-11-25T06:09:41Z */

static char base[] = "/tmp/t_creds.XXXXXX";

static struct conf *
cfg(const char *text)
{
	char err[256];
	struct conf *c;

	if ((c = conf_parse(text, strlen(text), "t", err, sizeof(err))) ==
	    NULL)
		printf("# conf: %s\n", err);
	return c;
}

/* creds_source_new on text; err receives the message.  1 when it worked. */
static int
try_new(const char *text, char *err, size_t errlen)
{
	struct conf *c = cfg(text);
	struct creds_source *s;

	err[0] = '\0';
	if (c == NULL) {
		snprintf(err, errlen, "(conf refused)");
		return 0;
	}
	s = creds_source_new(c, err, errlen);
	creds_source_free(s);
	conf_free(c);
	return s != NULL;
}

static void
clear_env(void)
{
	static const char *names[] = { "ALIBABA_CLOUD_ACCESS_KEY_ID",
	    "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
	    "OSS_ACCESS_KEY_ID", "OSS_ACCESS_KEY_SECRET",
	    "ALIBABA_CLOUD_ROLE_ARN", "OSS_STS_ROLE_ARN",
	    "ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
	    "ALIBABA_CLOUD_CREDENTIALS_URI" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unsetenv(names[i]);
}

static void
put_file(const char *p, const char *text, mode_t mode)
{
	tfile_put(p, text, strlen(text), mode);
}

static void
t_env(void)
{
	struct conf *c = cfg("bucket = b12\nregion = cn-hangzhou\n");
	struct creds_source *s;
	const struct creds *cr = NULL;
	struct oerr_detail d;
	char err[512];
	time_t now;

	clear_env();
	ok(creds_source_new(c, err, sizeof(err)) == NULL &&
	    strstr(err, "ALIBABA_CLOUD_ACCESS_KEY_ID") != NULL,
	    "env: nothing set, a clear error");

	setenv("OSS_ACCESS_KEY_ID", "LTAIguide", 1);
	setenv("OSS_ACCESS_KEY_SECRET", "guide-secret", 1);
	s = creds_source_new(c, err, sizeof(err));
	now = T0;
	ok(s != NULL && creds_source_get(s, &now, &cr, &d) == 0,
	    "env: the guide's names");
	is_str(cr ? cr->access_key_id : NULL, "LTAIguide", "env: guide id");
	ok(cr != NULL && cr->security_token == NULL && cr->expiration == 0,
	    "env: long-term, no expiry");
	creds_source_free(s);

	setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "STS.abc", 1);
	setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "sts-secret", 1);
	setenv("ALIBABA_CLOUD_SECURITY_TOKEN", "CAIStoken", 1);
	s = creds_source_new(c, err, sizeof(err));
	now = T0;
	ok(s != NULL && creds_source_get(s, &now, &cr, &d) == 0,
	    "env: ALIBABA_CLOUD names win");
	is_str(cr ? cr->access_key_id : NULL, "STS.abc", "env: id");
	is_str(cr ? cr->security_token : NULL, "CAIStoken", "env: token");
	creds_source_free(s);

	setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "has a space", 1);
	ok(creds_source_new(c, err, sizeof(err)) == NULL &&
	    strstr(err, "characters") != NULL, "env: a secret with a space");
	creds_source_free(NULL);
	ok(1, "creds_source_free(NULL)");
	conf_free(c);
	clear_env();

	setenv("OSS_ACCESS_KEY_ID", "LTAIguide", 1);
	setenv("OSS_ACCESS_KEY_SECRET", "guide-secret", 1);
	ok(!try_new("bucket = b12\nregion = cn-hangzhou\n"
	    "session_policy = auto\n", err, sizeof(err)) &&
	    strstr(err, "session_policy does not apply to credentials = env")
	    != NULL, "env: session_policy is refused, naming both");
	ok(try_new("bucket = b12\nregion = cn-hangzhou\ncache_dir = /x\n"
	    "role_arn = acs:ram::1:role/r\n", err, sizeof(err)),
	    "env: other sources' keys are ignored (switching is one line)");
	clear_env();
}

#define RAM "bucket = b12\nregion = cn-hangzhou\ncredentials = ram_role_arn\n"

static void
t_ram_role_arn(void)
{
	char err[512], text[1024], f[300], l[300];

	clear_env();
	ok(!try_new(RAM "role_arn = acs:ram::1:role/r\n", err, sizeof(err)) &&
	    strstr(err, "OSS_ACCESS_KEY_ID") != NULL &&
	    strstr(err, "access_key_file") != NULL,
	    "ram_role_arn: no key, names env and access_key_file");
	setenv("OSS_ACCESS_KEY_ID", "LTAIk", 1);
	setenv("OSS_ACCESS_KEY_SECRET", "s3cr3t", 1);
	ok(!try_new(RAM, err, sizeof(err)) &&
	    strstr(err, "ALIBABA_CLOUD_ROLE_ARN") != NULL &&
	    strstr(err, "OSS_STS_ROLE_ARN") != NULL,
	    "ram_role_arn: no role, names role_arn and both variables");
	setenv("OSS_STS_ROLE_ARN", "acs:ram::1234:role/upload", 1);
	ok(try_new(RAM, err, sizeof(err)), "ram_role_arn: OSS_STS_ROLE_ARN");
	setenv("OSS_STS_ROLE_ARN", "arn:aws:iam::1:role/x", 1);
	ok(!try_new(RAM, err, sizeof(err)) && strstr(err, "acs:ram::UID:"
	    "role/NAME") != NULL, "ram_role_arn: a malformed ARN refused");
	unsetenv("OSS_STS_ROLE_ARN");
	ok(try_new(RAM "role_arn = acs:ram::1234:role/upload\nduration = 900\n"
	    "role_session_name = web.upload@x\nexternal_id = abc-123\n"
	    "session_policy = auto\nsts_endpoint = "
	    "https://sts.cn-hangzhou.aliyuncs.com\nsts_signature = rpc\n",
	    err, sizeof(err)), "ram_role_arn: every key");
	ok(!try_new(RAM "role_arn = acs:ram::1:role/r\nsts_endpoint = "
	    "http://sts.aliyuncs.com\n", err, sizeof(err)) &&
	    strstr(err, "https") != NULL, "ram_role_arn: http STS refused");
	ok(try_new(RAM "role_arn = acs:ram::1:role/r\necs_role_name = x\n",
	    err, sizeof(err)), "ram_role_arn: ecs_role_name ignored");
	ok(!try_new(RAM "role_arn = acs:ram::1:role/r\nca_file = /nonexistent"
	    "/ca.pem\n", err, sizeof(err)) && strstr(err, "ca_file") != NULL,
	    "ram_role_arn: an unreadable ca_file is named");
	clear_env();

	/* access_key_file: formats and permissions. */
	snprintf(f, sizeof(f), "%s/ak", base);
	snprintf(text, sizeof(text), RAM "role_arn = acs:ram::1:role/r\n"
	    "access_key_file = %s\n", f);
	put_file(f, "LTAIfile\nfile-secret\n", 0600);
	ok(try_new(text, err, sizeof(err)), "access_key_file: two lines");
	put_file(f, "# ossign key\naccess_key_id = LTAIfile\n\n"
	    "access_key_secret = file-secret\n", 0600);
	ok(try_new(text, err, sizeof(err)), "access_key_file: key = value");
	put_file(f, "access_key_id = LTAIfile\nfile-secret\n", 0600);
	ok(!try_new(text, err, sizeof(err)) && strstr(err, "mixes") != NULL,
	    "access_key_file: mixed forms refused");
	put_file(f, "a\nb\nc\n", 0600);
	ok(!try_new(text, err, sizeof(err)) && strstr(err, "more than two")
	    != NULL, "access_key_file: three lines refused");
	put_file(f, "access_key = x\n", 0600);
	ok(!try_new(text, err, sizeof(err)) && strstr(err, ":1:") != NULL,
	    "access_key_file: unknown key refused with its line");
	put_file(f, "LTAIfile\n", 0600);
	ok(!try_new(text, err, sizeof(err)), "access_key_file: one line");
	put_file(f, "LTAIfile\nfile-secret\n", 0644);
	ok(!try_new(text, err, sizeof(err)) && strstr(err, "group or others")
	    != NULL && strstr(err, "0644") != NULL &&
	    strstr(err, "chmod 600") != NULL,
	    "access_key_file: 0644 refused, says how to fix");
	put_file(f, "LTAIfile\nfile-secret\n", 0640);
	ok(!try_new(text, err, sizeof(err)), "access_key_file: 0640 refused");
	put_file(f, "LTAIfile\nfile-secret\n", 0600);
	snprintf(l, sizeof(l), "%s/aklink", base);
	symlink(f, l);
	snprintf(text, sizeof(text), RAM "role_arn = acs:ram::1:role/r\n"
	    "access_key_file = %s\n", l);
	ok(!try_new(text, err, sizeof(err)) && strstr(err, "symlink") != NULL,
	    "access_key_file: a symlink refused");
	snprintf(text, sizeof(text), RAM "role_arn = acs:ram::1:role/r\n"
	    "access_key_file = %s\n", base);
	ok(!try_new(text, err, sizeof(err)) && strstr(err, "regular") != NULL,
	    "access_key_file: a directory refused");
	snprintf(text, sizeof(text), RAM "role_arn = acs:ram::1:role/r\n"
	    "access_key_file = %s/none\n", base);
	ok(!try_new(text, err, sizeof(err)) && strstr(err, "No such") != NULL,
	    "access_key_file: a missing file named");
	ok(strstr(err, "file-secret") == NULL, "no secret in the messages");
}

#define OIDC "bucket = b12\nregion = cn-hangzhou\n" \
	"credentials = oidc_role_arn\nrole_arn = acs:ram::1:role/r\n"
#define JWT "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"

static void
t_oidc(void)
{
	char err[512], text[1024], f[300], l[300];

	clear_env();
	snprintf(f, sizeof(f), "%s/token", base);
	put_file(f, JWT "\n", 0600);
	ok(!try_new(OIDC, err, sizeof(err)) &&
	    strstr(err, "ALIBABA_CLOUD_OIDC_PROVIDER_ARN") != NULL,
	    "oidc: no provider, names the variable");
	setenv("ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
	    "acs:ram::1:oidc-provider/ack", 1);
	ok(!try_new(OIDC, err, sizeof(err)) &&
	    strstr(err, "ALIBABA_CLOUD_OIDC_TOKEN_FILE") != NULL,
	    "oidc: no token file, names the variable");
	setenv("ALIBABA_CLOUD_OIDC_TOKEN_FILE", f, 1);
	ok(try_new(OIDC, err, sizeof(err)), "oidc: from the environment");
	setenv("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "acs:ram::1:role/x", 1);
	ok(!try_new(OIDC, err, sizeof(err)) && strstr(err, "oidc-provider")
	    != NULL, "oidc: a malformed provider ARN refused");
	clear_env();
	snprintf(text, sizeof(text), OIDC "oidc_provider_arn = "
	    "acs:ram::1:oidc-provider/ack\noidc_token_file = %s\n", f);
	ok(try_new(text, err, sizeof(err)), "oidc: from the configuration");
	put_file(f, JWT "\n", 0644);
	ok(!try_new(text, err, sizeof(err)) && strstr(err, "0644") != NULL,
	    "oidc: a 0644 token file refused");
	put_file(f, "not a token\n", 0600);
	ok(!try_new(text, err, sizeof(err)) && strstr(err, "JWT") != NULL,
	    "oidc: a file that holds no token refused");
	put_file(f, JWT "\n", 0600);
	snprintf(l, sizeof(l), "%s/tokenlink", base);
	symlink(f, l);
	snprintf(text, sizeof(text), OIDC "oidc_provider_arn = "
	    "acs:ram::1:oidc-provider/ack\noidc_token_file = %s\n", l);
	ok(!try_new(text, err, sizeof(err)) && strstr(err, "symlink") != NULL,
	    "oidc: a symlinked token file refused");
	ok(!try_new(OIDC "oidc_provider_arn = acs:ram::1:oidc-provider/ack\n"
	    "oidc_token_file = /nonexistent/token\n", err, sizeof(err)) &&
	    strstr(err, "/nonexistent/token") != NULL,
	    "oidc: a missing token file is named");
}

static void
t_ecs_uri(void)
{
	char err[512];

	clear_env();
	ok(try_new("bucket = b12\nregion = cn-hangzhou\n"
	    "credentials = ecs_ram_role\n", err, sizeof(err)),
	    "ecs: defaults (discovered role)");
	ok(try_new("bucket = b12\nregion = cn-hangzhou\n"
	    "credentials = ecs_ram_role\necs_role_name = oss-upload\n"
	    "metadata_endpoint = http://127.0.0.1:8080\n", err, sizeof(err)),
	    "ecs: role and endpoint");
	ok(!try_new("bucket = b12\nregion = cn-hangzhou\n"
	    "credentials = ecs_ram_role\nmetadata_endpoint = "
	    "http://127.0.0.1/latest\n", err, sizeof(err)),
	    "ecs: an endpoint with a path refused");
	ok(!try_new("bucket = b12\nregion = cn-hangzhou\n"
	    "credentials = ecs_ram_role\nsession_policy = auto\n", err,
	    sizeof(err)) && strstr(err, "session_policy does not apply") !=
	    NULL, "ecs: session_policy refused (it could not narrow)");
	ok(!try_new("bucket = b12\nregion = cn-hangzhou\n"
	    "credentials = credentials_uri\n", err, sizeof(err)) &&
	    strstr(err, "ALIBABA_CLOUD_CREDENTIALS_URI") != NULL,
	    "uri: none, names the variable");
	setenv("ALIBABA_CLOUD_CREDENTIALS_URI", "http://127.0.0.1:9/creds", 1);
	ok(try_new("bucket = b12\nregion = cn-hangzhou\n"
	    "credentials = credentials_uri\n", err, sizeof(err)),
	    "uri: from the environment");
	setenv("ALIBABA_CLOUD_CREDENTIALS_URI", "file:///etc/passwd", 1);
	ok(!try_new("bucket = b12\nregion = cn-hangzhou\n"
	    "credentials = credentials_uri\n", err, sizeof(err)),
	    "uri: file:// refused");
	clear_env();
}

/* ---- the cache, through a fake fetch ------------------------------- */

struct fake {
	int		 calls;
	int		 fail;		/* answer this error */
	enum oerr	 err;
	long		 life;		/* seconds */
	int		 sleep_ms;
	const char	*countfile;	/* one byte appended per call */
};

static int
fake_fetch(void *arg, time_t now, struct creds *out, struct oerr_detail *d)
{
	struct fake *f = arg;
	char id[64];
	int fd;

	f->calls++;
	if (f->countfile != NULL &&
	    (fd = open(f->countfile, O_WRONLY | O_APPEND | O_CREAT, 0600)) !=
	    -1) {
		if (write(fd, "x", 1) != 1)
			perror("write");
		close(fd);
	}
	if (f->sleep_ms)
		usleep((useconds_t)f->sleep_ms * 1000);
	if (f->fail) {
		oerr_set(d, f->err, "STS AssumeRole refused: NoPermission "
		    "(RequestId FAKE-1)");
		return -1;
	}
	snprintf(id, sizeof(id), "STS.n%d.%ld", f->calls, (long)getpid());
	memset(out, 0, sizeof(*out));
	out->access_key_id = strdup(id);
	out->access_key_secret = strdup("fake-secret");
	out->security_token = strdup("CAISfaketoken");
	out->expiration = now + f->life;
	return 0;
}

static struct creds_source *
fake_source(struct conf *c, struct fake *f)
{
	char err[256];
	struct creds_source *s;

	if ((s = creds_source_new(c, err, sizeof(err))) == NULL) {
		printf("# %s\n", err);
		return NULL;
	}
	creds_source_set_fetch(s, fake_fetch, f);
	return s;
}

static struct conf *
cache_conf(const char *sub, const char *extra)
{
	char text[1024];

	snprintf(text, sizeof(text), RAM "role_arn = acs:ram::1:role/r\n"
	    "cache_dir = %s/%s\n%s", base, sub, extra);
	return cfg(text);
}

/* The time the last get returned (the request's, moved on by waits). */
static time_t got_now;

/* get at now; returns the id (static copy) or NULL. */
static const char *
get(struct creds_source *s, time_t now, struct oerr_detail *d)
{
	static char id[64];
	const struct creds *cr;

	got_now = now;
	if (creds_source_get(s, &got_now, &cr, d) == -1)
		return NULL;
	now = got_now;
	if (cr->expiration != 0 && cr->expiration - now < LIMIT_MIN_VALIDITY)
		return "EXPIRED";
	snprintf(id, sizeof(id), "%s", cr->access_key_id);
	return id;
}

static void
t_cache_flow(void)
{
	struct conf *c;
	struct creds_source *s, *s2;
	struct fake f = { 0 }, f2 = { 0 };
	struct oerr_detail d;
	const char *id;
	char first[64], second[64];

	setenv("OSS_ACCESS_KEY_ID", "LTAIk", 1);
	setenv("OSS_ACCESS_KEY_SECRET", "s3cr3t", 1);
	c = cache_conf("flow", "");
	f.life = f2.life = 3600;
	s = fake_source(c, &f);
	id = get(s, T0, &d);
	ok(id != NULL && f.calls == 1, "first get fetches");
	snprintf(first, sizeof(first), "%s", id ? id : "");
	ok(get(s, T0 + 100, &d) != NULL && f.calls == 1,
	    "second get is served from memory");

	/* Another process (a CGI run): the file serves it. */
	s2 = fake_source(c, &f2);
	id = get(s2, T0 + 200, &d);
	ok(id != NULL && strcmp(id, first) == 0 && f2.calls == 0,
	    "another process reads the cache file, no fetch");
	creds_source_free(s2);

	/* refresh_before 900: fresh until 900 s are left. */
	ok(get(s, T0 + 2699, &d) != NULL && f.calls == 1,
	    "901 s left: no refresh");
	id = get(s, T0 + 2701, &d);
	ok(id != NULL && f.calls == 2 && strcmp(id, first) != 0,
	    "899 s left: refreshed ahead of expiry");
	snprintf(second, sizeof(second), "%s", id ? id : "");

	/* Stale-on-error: n2 expires at T0 + 6301. */
	f.fail = 1;
	f.err = OERR_CREDS_REFUSED;
	id = get(s, T0 + 5402, &d);
	ok(id != NULL && strcmp(id, second) == 0 && f.calls == 3,
	    "refresh fails: the cached credentials are still served");
	ok(get(s, T0 + 5403, &d) != NULL && f.calls == 3,
	    "and no new try during the hold");
	s2 = fake_source(c, &f2);
	id = get(s2, T0 + 5410, &d);
	ok(id != NULL && strcmp(id, second) == 0 && f2.calls == 0,
	    "another process honours the hold written to the file");
	creds_source_free(s2);
	ok(get(s, T0 + 5402 + LIMIT_REFRESH_HOLD + 1, &d) != NULL &&
	    f.calls == 4, "after the hold, another try");

	/* Never expired: 59 s left is not usable. */
	id = get(s, T0 + 6301 - 59, &d);
	ok(id == NULL && d.err == OERR_CREDS_REFUSED && f.calls == 5 &&
	    strstr(d.msg, "NoPermission") != NULL,
	    "credentials about to expire are never served: the error is");
	id = get(s, T0 + 6301 - 59, &d);
	ok(id == NULL && d.err == OERR_CREDS_REFUSED && f.calls == 5,
	    "the same error again, without a fetch, for a second");
	s2 = fake_source(c, &f2);
	id = get(s2, T0 + 6301 - 59, &d);
	ok(id == NULL && d.err == OERR_CREDS_REFUSED && f2.calls == 0 &&
	    strstr(d.msg, "FAKE-1") != NULL,
	    "another process gets the same error from the file, no fetch");
	creds_source_free(s2);
	id = get(s, T0 + 6301 - 59 + LIMIT_FAIL_HOLD + 1, &d);
	ok(id == NULL && f.calls == 6, "then fetched again");
	f.fail = 0;
	id = get(s, T0 + 6301 + 10, &d);
	ok(id != NULL && strcmp(id, "EXPIRED") != 0 && f.calls == 7,
	    "recovery: new credentials");
	creds_source_free(s);
	conf_free(c);

	/* Short lifetimes: refresh_before is capped at half. */
	c = cache_conf("short", "");
	memset(&f, 0, sizeof(f));
	f.life = 1000;
	s = fake_source(c, &f);
	get(s, T0, &d);
	ok(get(s, T0 + 499, &d) != NULL && f.calls == 1,
	    "1000 s credentials: not refreshed at 499 s");
	ok(get(s, T0 + 501, &d) != NULL && f.calls == 2,
	    "refreshed past half their life");
	creds_source_free(s);
	conf_free(c);

	/* refresh_before configured. */
	c = cache_conf("rb", "refresh_before = 120\n");
	memset(&f, 0, sizeof(f));
	f.life = 3600;
	s = fake_source(c, &f);
	get(s, T0, &d);
	ok(get(s, T0 + 3479, &d) != NULL && f.calls == 1,
	    "refresh_before = 120: 121 s left, no refresh");
	ok(get(s, T0 + 3481, &d) != NULL && f.calls == 2,
	    "119 s left: refreshed");
	creds_source_free(s);
	conf_free(c);

	/* Another configuration does not reuse the file. */
	c = cache_conf("flow", "role_session_name = other\n");
	memset(&f, 0, sizeof(f));
	f.life = 3600;
	s = fake_source(c, &f);
	ok(get(s, T0 + 6400, &d) != NULL && f.calls == 1,
	    "a changed configuration fetches its own credentials");
	creds_source_free(s);
	conf_free(c);

	/* A corrupt file is replaced. */
	c = cache_conf("corrupt", "");
	memset(&f, 0, sizeof(f));
	f.life = 3600;
	s = fake_source(c, &f);
	get(s, T0, &d);
	creds_source_free(s);
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "for f in %s/corrupt/creds-*.json; "
		    "do printf '{\"version\":1,\"key\":' > $f; done", base);
		if (system(cmd) != 0)
			printf("# system failed\n");
	}
	memset(&f, 0, sizeof(f));
	f.life = 3600;
	s = fake_source(c, &f);
	ok(get(s, T0 + 10, &d) != NULL && f.calls == 1,
	    "a truncated cache file is ignored and refetched");
	creds_source_free(s);
	memset(&f, 0, sizeof(f));
	f.life = 3600;
	s = fake_source(c, &f);
	ok(get(s, T0 + 20, &d) != NULL && f.calls == 0,
	    "and replaced: the next process reads it");
	creds_source_free(s);
	conf_free(c);

	/* An unusable cache_dir: memory only, still works. */
	{
		char p[400];

		snprintf(p, sizeof(p), "%s/open", base);
		mkdir(p, 0777);
		chmod(p, 0777);
		c = cache_conf("open", "");
		memset(&f, 0, sizeof(f));
		f.life = 3600;
		s = fake_source(c, &f);
		ok(get(s, T0, &d) != NULL && get(s, T0 + 1, &d) != NULL &&
		    f.calls == 1, "a world-writable cache_dir: memory only");
		creds_source_free(s);
		conf_free(c);
	}

	/*
	 * A process whose clock is far ahead (as "sign --time 2030" was)
	 * fails and writes its hold: the others, on their own clock, do not
	 * take it (issue 9, defect 2).
	 */
	c = cache_conf("ahead", "");
	memset(&f, 0, sizeof(f));
	f.fail = 1;
	f.err = OERR_CREDS_UNAVAILABLE;
	s = fake_source(c, &f);
	ok(get(s, T0 + 86400 * 365, &d) == NULL && f.calls == 1,
	    "a process a year ahead fails and holds the failure");
	creds_source_free(s);
	memset(&f2, 0, sizeof(f2));
	f2.life = 3600;
	s2 = fake_source(c, &f2);
	ok(get(s2, T0, &d) != NULL && f2.calls == 1,
	    "another process on its own clock does not take that hold: it "
	    "asks the source");
	creds_source_free(s2);
	conf_free(c);

	/* Nothing at all and the source unreachable: 503 stays 503. */
	c = cache_conf("down", "");
	memset(&f, 0, sizeof(f));
	f.fail = 1;
	f.err = OERR_CREDS_UNAVAILABLE;
	s = fake_source(c, &f);
	ok(get(s, T0, &d) == NULL && d.err == OERR_CREDS_UNAVAILABLE,
	    "no credentials and a failing source: its error");
	creds_source_free(s);
	conf_free(c);
}

/* One get at T0 from an empty cache sub, the source taking 1.1 s. */
static const char *
slow_get(const char *sub, long life, struct fake *f)
{
	struct conf *c = cache_conf(sub, "");
	struct creds_source *s;
	struct oerr_detail d;
	const char *id;

	memset(f, 0, sizeof(*f));
	f->life = life;
	f->sleep_ms = 1100;
	s = fake_source(c, f);
	id = get(s, T0, &d);
	creds_source_free(s);
	conf_free(c);
	return id;
}

/*
 * The clock moves on while credentials are got (issue 9, defect 5): a
 * request's time was read once and used after waits of up to ~25 s, so
 * credentials with under 60 s left were signed with.
 */
static void
t_clock(void)
{
	struct conf *c;
	struct creds_source *s;
	struct fake f = { 0 };
	struct oerr_detail d;
	const char *id;
	pid_t pid;
	int status;

	c = cache_conf("clock", "");
	f.life = 3600;
	s = fake_source(c, &f);
	get(s, T0, &d);
	f.fail = 1;
	f.err = OERR_CREDS_UNAVAILABLE;
	f.sleep_ms = 1100;
	id = get(s, T0 + 3540, &d);
	ok(id == NULL && f.calls == 2 && d.err == OERR_CREDS_UNAVAILABLE,
	    "60 s left when the request came, 59 after a refresh that failed "
	    "in 1.1 s: not served");
	creds_source_free(s);
	conf_free(c);

	ok(slow_get("clock2", 3600, &f) != NULL && got_now == T0 + 1,
	    "a refresh that took 1.1 s: the time returned moved on by 1 s");
	ok(slow_get("clock3", 60, &f) == NULL && f.calls == 1,
	    "new credentials with 60 s left when asked for, 59 when they came: "
	    "not served");

	/* Waiting for another process's refresh moves the clock too. */
	c = cache_conf("clock4", "");
	if ((pid = fork()) == 0) {
		struct fake cf = { 0 };
		struct creds_source *cs;

		cf.life = 3600;
		cf.sleep_ms = 1500;
		cs = fake_source(c, &cf);
		status = get(cs, T0, &d) != NULL ? 0 : 1;
		creds_source_free(cs);
		conf_free(c);
		_exit(status);
	}
	usleep(300 * 1000);
	memset(&f, 0, sizeof(f));
	f.life = 3600;
	s = fake_source(c, &f);
	id = get(s, T0, &d);
	ok(id != NULL && f.calls == 0 && got_now >= T0 + 1,
	    "after waiting for another's refresh: its credentials, and the "
	    "time moved on");
	waitpid(pid, &status, 0);
	creds_source_free(s);
	conf_free(c);
}

static double
elapsed(const struct timeval *t0)
{
	struct timeval t;

	gettimeofday(&t, NULL);
	return (double)(t.tv_sec - t0->tv_sec) +
	    (double)(t.tv_usec - t0->tv_usec) / 1e6;
}

/*
 * 8 processes at once on the cache of c, with a slow source (failing with
 * a refusal when fail): how many of them got what they should (the
 * credentials, or that refusal), and in *fetches how many fetches they
 * made between them.
 */
static int
flight(struct conf *c, const char *sub, int fail, int *fetches)
{
	struct oerr_detail d;
	char countfile[300], buf[64];
	int go[2], i, okc = 0, status, fd;
	pid_t pids[8];

	snprintf(countfile, sizeof(countfile), "%s/%s-count", base, sub);
	*fetches = 0;
	if (pipe(go) == -1)
		return 0;
	for (i = 0; i < 8; i++) {
		if ((pids[i] = fork()) == 0) {
			struct fake cf = { 0 };
			struct creds_source *cs;

			close(go[1]);
			cf.life = 3600;
			cf.fail = fail;
			cf.err = OERR_CREDS_REFUSED;
			cf.sleep_ms = 300;
			cf.countfile = countfile;
			cs = fake_source(c, &cf);
			/* Wait for the start signal (EOF). */
			if (read(go[0], buf, 1) < 0)
				_exit(2);
			if (fail)
				status = cs != NULL && get(cs, T0, &d) ==
				    NULL && d.err == OERR_CREDS_REFUSED &&
				    strstr(d.msg, "NoPermission") != NULL ?
				    0 : 1;
			else
				status = cs != NULL && get(cs, T0, &d) !=
				    NULL ? 0 : 1;
			creds_source_free(cs);
			conf_free(c);
			_exit(status);
		}
	}
	close(go[0]);
	close(go[1]);
	for (i = 0; i < 8; i++) {
		waitpid(pids[i], &status, 0);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			okc++;
	}
	if ((fd = open(countfile, O_RDONLY)) != -1) {
		*fetches = (int)read(fd, buf, sizeof(buf));
		close(fd);
	}
	return okc;
}

static void
t_concurrency(void)
{
	struct conf *c;
	struct creds_source *s;
	struct fake f = { 0 };
	struct oerr_detail d;
	struct timeval tv;
	char buf[64], cmd[600];
	const char *id;
	int n, status;
	pid_t pids[1];

	/* 8 processes, one empty cache, a slow source: one fetch. */
	c = cache_conf("flight", "");
	ok(flight(c, "flight", 0, &n) == 8,
	    "8 concurrent processes all got credentials");
	is_int(n, 1, "single flight: exactly one fetch among them");
	conf_free(c);

	/* The same with a source that fails: one fetch, 8 errors. */
	c = cache_conf("flightfail", "");
	ok(flight(c, "flightfail", 1, &n) == 8,
	    "a failing source: 8 processes all get its error");
	is_int(n, 1, "from exactly one fetch (the others read it)");
	conf_free(c);

	/*
	 * A lock file left with the wrong mode (or owner): replaced, and
	 * single flight still holds (issue 9, defect 11).
	 */
	c = cache_conf("flightlock", "");
	f.life = 3600;
	s = fake_source(c, &f);
	get(s, T0, &d);		/* makes the directory and the lock */
	creds_source_free(s);
	snprintf(cmd, sizeof(cmd), "cd %s/flightlock && rm -f creds-*.json && "
	    "chmod 644 creds-*.lock", base);
	if (system(cmd) != 0)
		printf("# system failed\n");
	ok(flight(c, "flightlock", 0, &n) == 8,
	    "a 0644 lock file: 8 processes all got credentials");
	is_int(n, 1, "single flight again: the lock file was replaced, "
	    "one fetch");
	memset(&f, 0, sizeof(f));
	conf_free(c);
	c = cache_conf("flight", "");

	/*
	 * While one process refreshes (slowly), another with usable
	 * credentials does not wait for it.
	 */
	f.life = 3600;
	s = fake_source(c, &f);
	id = get(s, T0 + 10, &d);
	ok(id != NULL && f.calls == 0, "the parent reads the shared entry");
	snprintf(buf, sizeof(buf), "%s", id ? id : "");
	if ((pids[0] = fork()) == 0) {
		struct fake cf = { 0 };
		struct creds_source *cs;

		cf.life = 3600;
		cf.sleep_ms = 1500;
		cs = fake_source(c, &cf);
		status = get(cs, T0 + 2701, &d) != NULL && cf.calls == 1 ? 0 :
		    1;
		creds_source_free(cs);
		creds_source_free(s);
		conf_free(c);
		_exit(status);
	}
	usleep(400 * 1000);
	gettimeofday(&tv, NULL);
	id = get(s, T0 + 2702, &d);
	ok(id != NULL && f.calls == 0 && elapsed(&tv) < 1.0,
	    "while another refreshes, usable credentials are served at once");
	waitpid(pids[0], &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "the refreshing process fetched once");
	id = get(s, T0 + 2703, &d);
	ok(id != NULL && f.calls == 0 && strncmp(id, "STS.n1.", 7) == 0 &&
	    strcmp(id, buf) != 0, "then its new credentials reach us");
	creds_source_free(s);
	conf_free(c);
}

int
main(void)
{
	tap_plan(86);
	if (mkdtemp(base) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	t_env();
	t_ram_role_arn();
	t_oidc();
	t_ecs_uri();
	t_cache_flow();
	t_clock();
	t_concurrency();
	clear_env();
	if (fork() == 0)
		execlp("rm", "rm", "-rf", base, (char *)NULL);
	wait(NULL);
	return tap_done();
}
