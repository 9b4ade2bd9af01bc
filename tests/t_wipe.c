/*
 * No secret left in freed memory: the program is linked with
 * -Wl,--wrap=free, and every block ossign's own code frees is searched for
 * the test's secrets first.  The long-term key of access_key_file (in both
 * of its forms) and the token of oidc_token_file (with white space that
 * trimming moves) go through the real creds_source_new and
 * creds_source_free.  (Issue 9, defect 4: the access_key_file buffer was
 * freed with the secret still in it, the wipe stopping at the first NUL
 * that parsing had put there.)
 */
#include <sys/wait.h>

#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "creds_source.h"
#include "tap.h"
#include "tfile.h"

/* Fixed test secrets: tests/data/test-secrets.txt lists them. */
#define WIPE_SECRET	"wipe-test-secret-3Kx9vQ"
#define WIPE_TOKEN	"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ3aXBlIn0.wipe-token-tail-8Zr4"
#define WIPE_TAIL	"token-tail-8Zr4"	/* what a short wipe leaves */

void	__real_free(void *);
void	__wrap_free(void *);

static int wipe_armed;
static int wipe_found;

static int
wipe_holds(const unsigned char *p, size_t n, const char *s)
{
	size_t len = strlen(s), i;

	for (i = 0; i + len <= n; i++)
		if (p[i] == (unsigned char)s[0] && memcmp(p + i, s, len) == 0)
			return 1;
	return 0;
}

void
__wrap_free(void *p)
{
	size_t n;

	if (p != NULL && wipe_armed) {
		n = malloc_usable_size(p);
		if (wipe_holds(p, n, WIPE_SECRET) ||
		    wipe_holds(p, n, WIPE_TAIL))
			wipe_found++;
	}
	__real_free(p);
}

static char base[] = "/tmp/t_wipe.XXXXXX";

static void
put_file(const char *p, const char *text)
{
	tfile_put(p, text, strlen(text), 0600);
}

/* creds_source_new and _free on text, the free hook armed throughout. */
static int
wipe_run(const char *text)
{
	char err[256];
	struct conf *c;
	struct creds_source *s;

	if ((c = conf_parse(text, strlen(text), "t", err, sizeof(err))) ==
	    NULL) {
		printf("# conf: %s\n", err);
		return -1;
	}
	wipe_found = 0;
	wipe_armed = 1;
	s = creds_source_new(c, err, sizeof(err));
	if (s == NULL)
		printf("# %s\n", err);
	creds_source_free(s);
	wipe_armed = 0;
	conf_free(c);
	return s == NULL ? -1 : wipe_found;
}

int
main(void)
{
	char f[300], text[1024];

	tap_plan(4);
	if (mkdtemp(base) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(f, sizeof(f), "%s/ak", base);
	snprintf(text, sizeof(text), "bucket = b12\nregion = cn-hangzhou\n"
	    "credentials = ram_role_arn\nrole_arn = acs:ram::1:role/r\n"
	    "cache_dir = %s/cache\naccess_key_file = %s\n", base, f);
	put_file(f, "LTAIwipe\n" WIPE_SECRET "\n");
	is_int(wipe_run(text), 0, "access_key_file, two lines: no freed "
	    "block holds the secret");
	put_file(f, "# key\naccess_key_id = LTAIwipe\naccess_key_secret = "
	    WIPE_SECRET "\n");
	is_int(wipe_run(text), 0, "access_key_file, key = value: no freed "
	    "block holds the secret");

	snprintf(f, sizeof(f), "%s/token", base);
	snprintf(text, sizeof(text), "bucket = b12\nregion = cn-hangzhou\n"
	    "credentials = oidc_role_arn\nrole_arn = acs:ram::1:role/r\n"
	    "oidc_provider_arn = acs:ram::1:oidc-provider/p\n"
	    "cache_dir = %s/cache\noidc_token_file = %s\n", base, f);
	put_file(f, WIPE_TOKEN);
	is_int(wipe_run(text), 0, "oidc_token_file, bare: no freed block "
	    "holds the token");
	/* Leading blanks: trimming moves the token left over its tail. */
	put_file(f, "                " WIPE_TOKEN " \n");
	is_int(wipe_run(text), 0, "oidc_token_file with blanks around it: "
	    "no freed block holds a piece of the token");

	if (fork() == 0)
		execlp("rm", "rm", "-rf", base, (char *)NULL);
	wait(NULL);
	return tap_done();
}
