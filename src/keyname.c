/* Key prefixes and file-name cleaning; see keyname.h. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "keyname.h"
#include "limit.h"
#include "ucd.h"
#include "util.h"

static const char *const keyname_vars[] = {
	"${user}", "${yyyy}", "${mm}", "${dd}", "${uuid}",
};
/* The longest each placeholder expands to. */
static const size_t keyname_vars_max[] = {
	LIMIT_USER_LEN, 4, 2, 2, 36,
};
#define KEYNAME_NVARS	(sizeof(keyname_vars) / sizeof(keyname_vars[0]))

int
keyname_prefix_check(const char *tpl, char *why, size_t whylen)
{
	const char *p, *seg;
	size_t i, len = strlen(tpl), seglen, names = 0, values = 0;

	if (len > LIMIT_PREFIX_LEN / 2) {
		snprintf(why, whylen, "longer than %d bytes",
		    LIMIT_PREFIX_LEN / 2);
		return -1;
	}
	if (!util_utf8_valid(tpl, len)) {
		snprintf(why, whylen, "invalid UTF-8");
		return -1;
	}
	for (p = tpl; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\') {
			snprintf(why, whylen, "control bytes and backslashes "
			    "are not allowed");
			return -1;
		}
	if (tpl[0] == '/') {
		snprintf(why, whylen, "must not start with /");
		return -1;
	}
	if (strstr(tpl, "//") != NULL) {
		snprintf(why, whylen, "must not contain //");
		return -1;
	}
	for (seg = tpl; *seg != '\0'; seg += seglen + (seg[seglen] == '/')) {
		seglen = strcspn(seg, "/");
		if ((seglen == 1 && seg[0] == '.') ||
		    (seglen == 2 && seg[0] == '.' && seg[1] == '.')) {
			snprintf(why, whylen, "must not contain . or .. "
			    "segments");
			return -1;
		}
	}
	for (p = tpl; (p = strstr(p, "${")) != NULL; ) {
		for (i = 0; i < KEYNAME_NVARS; i++)
			if (strncmp(p, keyname_vars[i],
			    strlen(keyname_vars[i])) == 0)
				break;
		if (i == KEYNAME_NVARS) {
			snprintf(why, whylen, "unknown placeholder (use "
			    "${user} ${yyyy} ${mm} ${dd} ${uuid})");
			return -1;
		}
		/*
		 * ${user} must end a segment: with "avatars/${user}" the
		 * keys of user "alic" (avatars/alicex.png) are those of
		 * user "alice" (her x.png), and a prefix signature for
		 * "ali" covers every key of "alice".  Users hold no '/',
		 * so with the '/' no user's prefix starts another's.
		 */
		if (i == 0 && p[strlen(keyname_vars[0])] != '/') {
			snprintf(why, whylen, "${user} must be followed by / "
			    "(as in avatars/${user}/), or one user's keys "
			    "are another's");
			return -1;
		}
		p += strlen(keyname_vars[i]);
		names += strlen(keyname_vars[i]);
		values += keyname_vars_max[i];
	}
	/* Refused now, or every request would fail when expanding it. */
	if (len - names + values > LIMIT_PREFIX_LEN) {
		snprintf(why, whylen, "can expand to more than %d bytes "
		    "(${user} to %d, ${uuid} to 36)", LIMIT_PREFIX_LEN,
		    LIMIT_USER_LEN);
		return -1;
	}
	return 0;
}

int
keyname_prefix_needs_user(const char *tpl)
{
	return strstr(tpl, "${user}") != NULL;
}

int
keyname_user_ok(const char *u)
{
	size_t len = strlen(u);

	if (len == 0 || len > LIMIT_USER_LEN || strcmp(u, ".") == 0 ||
	    strcmp(u, "..") == 0)
		return 0;
	for (; *u != '\0'; u++)
		if (!isalnum((unsigned char)*u) && strchr("._-@", *u) == NULL)
			return 0;
	return 1;
}

enum oerr
keyname_expand(const char *tpl, const char *user, time_t now,
    const char *uuid, char *out, size_t outsz, struct oerr_detail *d)
{
	char date[9];
	const char *p = tpl, *val;
	size_t o = 0, vlen, i;

	util_date8(now, date);
	while (*p != '\0') {
		val = NULL;
		vlen = 1;
		if (p[0] == '$' && p[1] == '{') {
			for (i = 0; i < KEYNAME_NVARS; i++)
				if (strncmp(p, keyname_vars[i],
				    strlen(keyname_vars[i])) == 0)
					break;
			switch (i) {
			case 0:
				if (user == NULL || *user == '\0')
					return oerr_set(d, OERR_AUTH_REQUIRED,
					    NULL);
				if (!keyname_user_ok(user))
					return oerr_set(d, OERR_BAD_REQUEST,
					    "the user name cannot be part of "
					    "an object key");
				val = user;
				vlen = strlen(user);
				break;
			case 1:
				val = date;
				vlen = 4;
				break;
			case 2:
				val = date + 4;
				vlen = 2;
				break;
			case 3:
				val = date + 6;
				vlen = 2;
				break;
			case 4:
				val = uuid;
				vlen = strlen(uuid);
				break;
			}
			if (val != NULL)
				p += strlen(keyname_vars[i]);
		}
		if (val == NULL) {
			val = p;
			vlen = 1;
			p++;
		}
		if (o + vlen >= outsz)
			return oerr_set(d, OERR_INTERNAL,
			    "the key prefix is too long");
		memcpy(out + o, val, vlen);
		o += vlen;
	}
	out[o] = '\0';
	return OERR_OK;
}

/*
 * Append c to buf at *o, so that '_' and '.' never run together (a '.'
 * wins over a '_' next to it, so extensions survive) and never lead.
 */
static void
keyname_emit(char *buf, size_t *o, char c)
{
	int sep = (c == '_' || c == '.');

	if (sep && *o == 0)
		return;
	if (sep && (buf[*o - 1] == '_' || buf[*o - 1] == '.')) {
		if (c == '.')
			buf[*o - 1] = '.';
		return;
	}
	buf[(*o)++] = c;
}

/* An ASCII character of a name: A-Z a-z 0-9 - . _ stay, the rest is '_'. */
static void
keyname_ascii(char *buf, size_t *o, unsigned int c)
{
	keyname_emit(buf, o, isalnum((int)c) || c == '-' || c == '.' ||
	    c == '_' ? (char)c : '_');
}

enum oerr
keyname_clean(const char *name, char *out, size_t outsz,
    struct oerr_detail *d)
{
	/* A fold writes at most twice the bytes it reads (ucd.h). */
	char buf[LIMIT_FILENAME_IN * 2 + 1];
	size_t len = strlen(name), i = 0, o = 0, stem, extlen, cut;
	unsigned int cp;
	const char *dot, *fold;
	int n;

	if (len == 0 || len > LIMIT_FILENAME_IN)
		return oerr_set(d, OERR_INVALID_FILENAME,
		    len == 0 ? "the file name is empty" :
		    "the file name is too long");
	for (; i < len; i += (size_t)n) {
		if ((n = util_utf8_next(name + i, len - i, &cp)) < 0)
			return oerr_set(d, OERR_INVALID_FILENAME,
			    "the file name is not valid UTF-8");
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
			return oerr_set(d, OERR_INVALID_FILENAME,
			    "the file name holds control characters");
		if (cp < 0x80)
			keyname_ascii(buf, &o, cp);
		else if (ucd_blank(cp))
			/* Spaces, invisibles, bidi controls, private use. */
			keyname_emit(buf, &o, '_');
		else if ((fold = ucd_fold(cp)) != NULL) {
			/* "．．／" is what "../" becomes under NFKC. */
			for (; *fold != '\0'; fold++)
				keyname_ascii(buf, &o, (unsigned char)*fold);
		} else {
			memcpy(buf + o, name + i, (size_t)n);
			o += (size_t)n;
		}
	}
	while (o > 0 && (buf[o - 1] == '.' || buf[o - 1] == '_'))
		o--;
	buf[o] = '\0';
	if (o == 0)
		return oerr_set(d, OERR_INVALID_FILENAME,
		    "nothing usable is left of the file name");

	/* Cut long names in the stem, keeping the extension. */
	if (o > LIMIT_FILENAME_OUT) {
		dot = strrchr(buf, '.');
		extlen = dot != NULL ? strlen(dot) : 0;
		if (extlen > LIMIT_EXT_LEN + 1)
			extlen = 0;
		stem = LIMIT_FILENAME_OUT - extlen;
		/* Back up to a code point boundary. */
		for (cut = stem; cut > 0 &&
		    ((unsigned char)buf[cut] & 0xc0) == 0x80; cut--)
			;
		while (cut > 0 && (buf[cut - 1] == '.' || buf[cut - 1] == '_'))
			cut--;
		if (extlen > 0)
			memmove(buf + cut, dot, extlen);
		o = cut + extlen;
		buf[o] = '\0';
	}
	if (o + 1 > outsz)
		return oerr_set(d, OERR_INVALID_FILENAME,
		    "the file name is too long");
	memcpy(out, buf, o + 1);
	return OERR_OK;
}

void
keyname_ext(const char *cleaned, char *ext)
{
	const char *dot = strrchr(cleaned, '.');
	size_t i;

	ext[0] = '\0';
	if (dot == NULL || dot == cleaned || strlen(dot + 1) > LIMIT_EXT_LEN)
		return;
	for (i = 0; dot[1 + i] != '\0'; i++) {
		if (!isalnum((unsigned char)dot[1 + i])) {
			ext[0] = '\0';
			return;
		}
		ext[i] = (char)tolower((unsigned char)dot[1 + i]);
	}
	ext[i] = '\0';
}
