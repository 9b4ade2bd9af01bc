/*
 * Fuzz target: object keys.  The input is a file name for keyname_clean()
 * and keyname_ext(); split at the first newline it is also a key_prefix
 * template and a REMOTE_USER for keyname_prefix_check() and
 * keyname_expand().  Checks the promises of keyname.h: a cleaned name is
 * valid UTF-8, short, without separators, control bytes or leading dots,
 * without a blank code point or a compatibility form of punctuation;
 * an expanded prefix never starts with '/', never holds "//", "." or ".."
 * segments, and the prefix of one user never starts that of another.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fuzz.h"
#include "keyname.h"
#include "limit.h"
#include "oerr.h"
#include "ucd.h"
#include "util.h"

/* No "", "." or ".." segment in the '/'-separated s (a trailing '/' ok). */
static int
fuzz_segments_ok(const char *s)
{
	size_t len;

	if (*s == '/')
		return 0;
	while (*s != '\0') {
		len = strcspn(s, "/");
		if (len == 0 || (len == 1 && s[0] == '.') ||
		    (len == 2 && s[0] == '.' && s[1] == '.'))
			return 0;
		s += len;
		if (*s == '/')
			s++;
	}
	return 1;
}

static void
fuzz_clean(const char *name)
{
	struct oerr_detail d;
	char out[LIMIT_FILENAME_OUT + 1], ext[LIMIT_EXT_LEN + 1];
	const char *s;
	size_t len;
	enum oerr e;
	unsigned int cp;
	int n;

	memset(&d, 0, sizeof(d));
	e = keyname_clean(name, out, sizeof(out), &d);
	FUZZ_CHECK(e == OERR_OK || e == OERR_INVALID_FILENAME);
	if (e != OERR_OK) {
		FUZZ_CHECK(d.err == e && d.msg[0] != '\0');
		return;
	}
	len = strlen(out);
	FUZZ_CHECK(len > 0 && len <= LIMIT_FILENAME_OUT);
	FUZZ_CHECK(util_utf8_valid(out, len));
	FUZZ_CHECK(strchr(out, '/') == NULL && strchr(out, '\\') == NULL);
	FUZZ_CHECK(strstr(out, "..") == NULL);
	FUZZ_CHECK(out[0] != '.' && out[0] != '_');
	FUZZ_CHECK(out[len - 1] != '.' && out[len - 1] != '_');
	for (s = out; *s != '\0'; s++)
		FUZZ_CHECK((unsigned char)*s >= 0x80 ||
		    isalnum((unsigned char)*s) || *s == '-' || *s == '.' ||
		    *s == '_');
	/* Nothing blank, nothing that NFKC turns into ASCII punctuation. */
	for (s = out; *s != '\0'; s += n) {
		n = util_utf8_next(s, strlen(s), &cp);
		FUZZ_CHECK(n > 0);
		FUZZ_CHECK(cp < 0x80 || (!ucd_blank(cp) &&
		    ucd_fold(cp) == NULL));
	}
	/* Cleaning is idempotent. */
	{
		char again[LIMIT_FILENAME_OUT + 1];

		FUZZ_CHECK(keyname_clean(out, again, sizeof(again), &d) ==
		    OERR_OK);
		FUZZ_CHECK(strcmp(again, out) == 0);
	}
	keyname_ext(out, ext);
	FUZZ_CHECK(strlen(ext) <= LIMIT_EXT_LEN);
	for (s = ext; *s != '\0'; s++)
		FUZZ_CHECK(isdigit((unsigned char)*s) ||
		    (*s >= 'a' && *s <= 'z'));
}

static void
fuzz_expand(const char *tpl, const char *user, time_t now)
{
	static const char uuid[] = "0f8fad5b-d9cb-469f-a165-70867728950e";
	struct oerr_detail d;
	char out[LIMIT_PREFIX_LEN + 1], why[LIMIT_ERRMSG];
	enum oerr e;

	if (keyname_prefix_check(tpl, why, sizeof(why)) == -1) {
		FUZZ_CHECK(why[0] != '\0');
		return;
	}
	memset(&d, 0, sizeof(d));
	e = keyname_expand(tpl, user, now, uuid, out, sizeof(out), &d);
	if (keyname_prefix_needs_user(tpl) && (user == NULL || *user == '\0'))
		FUZZ_CHECK(e == OERR_AUTH_REQUIRED);
	if (e != OERR_OK) {
		/* A checked template is never too long to expand. */
		FUZZ_CHECK(e == OERR_AUTH_REQUIRED || e == OERR_BAD_REQUEST);
		FUZZ_CHECK(d.err == e);
		return;
	}
	FUZZ_CHECK(strlen(out) <= LIMIT_PREFIX_LEN);
	FUZZ_CHECK(util_utf8_valid(out, strlen(out)));
	FUZZ_CHECK(fuzz_segments_ok(out));
	/* Every "${" was a placeholder, and users cannot hold '$'. */
	FUZZ_CHECK(strstr(out, "${") == NULL);
	/*
	 * No user's prefix starts another's: "alic" never gets a prefix
	 * that "alice"'s keys are under (issue 9 defect 1).
	 */
	if (keyname_prefix_needs_user(tpl) && strlen(user) < LIMIT_USER_LEN) {
		char longer[LIMIT_USER_LEN + 1], out2[LIMIT_PREFIX_LEN + 1];

		snprintf(longer, sizeof(longer), "%sx", user);
		FUZZ_CHECK(keyname_expand(tpl, longer, now, uuid, out2,
		    sizeof(out2), &d) == OERR_OK);
		FUZZ_CHECK(strncmp(out, out2, strlen(out)) != 0);
	}
}

int
fuzz_keyname(const uint8_t *data, size_t size)
{
	char *s, *nl, *user;
	time_t now;

	s = fuzz_cstr(data, size);
	fuzz_clean(s);
	/* "template\nuser\n": the user may be absent (no REMOTE_USER). */
	if ((nl = strchr(s, '\n')) != NULL) {
		*nl = '\0';
		user = nl + 1;
		if ((nl = strchr(user, '\n')) != NULL)
			*nl = '\0';
		else if (*user == '\0')
			user = NULL;
	} else
		user = NULL;
	/* A date from the input, within what gmtime handles everywhere. */
	now = (time_t)((size > 0 ? data[size - 1] : 0) * 86400L * 53 +
	    1764050981L);
	fuzz_expand(s, user, now);
	free(s);
	return 0;
}

FUZZ_ENTRY(fuzz_keyname)
