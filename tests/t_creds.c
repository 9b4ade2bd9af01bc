/* creds: the env source and its errors. */
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "creds.h"
#include "tap.h"

static struct conf *
cfg(const char *text)
{
	char err[256];

	return conf_parse(text, strlen(text), "t", err, sizeof(err));
}

int
main(void)
{
	struct conf *c = cfg("bucket = b12\nregion = cn-hangzhou\n");
	struct creds_source *s;
	const struct creds *cr;
	struct oerr_detail d;
	char err[512];

	tap_plan(8);
	unsetenv("ALIBABA_CLOUD_ACCESS_KEY_ID");
	unsetenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET");
	unsetenv("ALIBABA_CLOUD_SECURITY_TOKEN");
	unsetenv("OSS_ACCESS_KEY_ID");
	unsetenv("OSS_ACCESS_KEY_SECRET");
	ok(creds_source_new(c, err, sizeof(err)) == NULL &&
	    strstr(err, "ALIBABA_CLOUD_ACCESS_KEY_ID") != NULL,
	    "no env: a clear error");

	setenv("OSS_ACCESS_KEY_ID", "LTAIguide", 1);
	setenv("OSS_ACCESS_KEY_SECRET", "guide-secret", 1);
	s = creds_source_new(c, err, sizeof(err));
	ok(s != NULL && creds_source_get(s, 1000, &cr, &d) == 0, "guide names");
	is_str(cr->access_key_id, "LTAIguide", "guide id");
	ok(cr->security_token == NULL && cr->expiration == 0, "long-term");
	creds_source_free(s);

	setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "STS.abc", 1);
	setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "sts-secret", 1);
	setenv("ALIBABA_CLOUD_SECURITY_TOKEN", "CAIStoken", 1);
	s = creds_source_new(c, err, sizeof(err));
	ok(s != NULL && creds_source_get(s, 1000, &cr, &d) == 0,
	    "ALIBABA_CLOUD names win");
	is_str(cr->access_key_id, "STS.abc", "id");
	is_str(cr->security_token, "CAIStoken", "token");
	creds_source_free(s);
	creds_source_free(NULL);
	ok(1, "free NULL");
	conf_free(c);
	return tap_done();
}
