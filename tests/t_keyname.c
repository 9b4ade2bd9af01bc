/* keyname: prefix templates and cleaning of hostile file names. */
#include <stdio.h>
#include <string.h>

#include "keyname.h"
#include "limit.h"
#include "tap.h"
#include "ucd.h"

static const struct {
	const char	*in;
	const char	*out;	/* NULL: refused */
} names[] = {
	{ "photo.jpg", "photo.jpg" },
	{ "My Holiday Photo.JPG", "My_Holiday_Photo.JPG" },
	{ "../../etc/passwd", "etc_passwd" },
	{ "..", NULL },
	{ ".", NULL },
	{ "...", NULL },
	{ "/", NULL },
	{ ".htaccess", "htaccess" },
	{ "a/b/c.txt", "a_b_c.txt" },
	{ "a//b", "a_b" },
	{ "C:\\Users\\x\\doc.pdf", "C_Users_x_doc.pdf" },
	{ "a..b", "a.b" },
	{ "a._.b", "a.b" },
	{ "name.", "name" },
	{ "tab\there", NULL },
	{ "nl\nhere", NULL },
	{ "del\x7fhere", NULL },
	{ "c1\xc2\x85here", NULL },
	{ "bad\xff.txt", NULL },
	{ "overlong\xc0\xaf.txt", NULL },
	{ "surrogate\xed\xa0\x80.txt", NULL },
	{ "\xe4\xb8\x8a\xe4\xbc\xa0.png", "\xe4\xb8\x8a\xe4\xbc\xa0.png" },
	{ "caf\xc3\xa9 menu.pdf", "caf\xc3\xa9_menu.pdf" },
	/* U+202E RIGHT-TO-LEFT OVERRIDE hides a real extension. */
	{ "evil\xe2\x80\xaegpj.exe", "evil_gpj.exe" },
	/* Zero-width space and BOM. */
	{ "a\xe2\x80\x8b" "b\xef\xbb\xbf.txt", "a_b.txt" },
	{ "<script>alert(1)</script>.html", "script_alert_1_script.html" },
	{ "a\"b'c`d$e;f|g&h.txt", "a_b_c_d_e_f_g_h.txt" },
	{ "${filename}.txt", "filename.txt" },
	{ "%2e%2e", "2e_2e" },
	{ "", NULL },
	{ "___", NULL },
	{ "-rf.sh", "-rf.sh" },
};

/*
 * Issue 9 defect 6: code points the cleaner let through; each must become
 * '_' (from the table generated from Unicode data, src/ucd_tab.h).
 */
static const struct {
	unsigned int	 lo, hi;
	const char	*what;
} leaked[] = {
	{ 0x00a0, 0x00a0, "Zs NO-BREAK SPACE" },
	{ 0x1680, 0x1680, "Zs OGHAM SPACE MARK" },
	{ 0x180b, 0x180d, "MONGOLIAN FREE VARIATION SELECTOR ONE..THREE" },
	{ 0x2800, 0x2800, "BRAILLE PATTERN BLANK" },
	{ 0x0600, 0x0605, "Cf ARABIC NUMBER SIGN..NUMBER MARK ABOVE" },
	{ 0x06dd, 0x06dd, "Cf ARABIC END OF AYAH" },
	{ 0x070f, 0x070f, "Cf SYRIAC ABBREVIATION MARK" },
	{ 0x08e2, 0x08e2, "Cf ARABIC DISPUTED END OF AYAH" },
	{ 0x110bd, 0x110bd, "Cf KAITHI NUMBER SIGN" },
	{ 0x13430, 0x1343f, "Cf EGYPTIAN HIEROGLYPH format controls" },
	{ 0x1d173, 0x1d17a, "Cf MUSICAL SYMBOL BEGIN BEAM..END PHRASE" },
	{ 0x1bca0, 0x1bca3, "Cf SHORTHAND FORMAT LETTER OVERLAP..UP STEP" },
};

/* "a" U+cp "b.txt" in buf. */
static void
with_cp(char *buf, unsigned int cp)
{
	char u[5] = "";

	if (cp < 0x800)
		snprintf(u, sizeof(u), "%c%c", 0xc0 | (cp >> 6),
		    0x80 | (cp & 0x3f));
	else if (cp < 0x10000)
		snprintf(u, sizeof(u), "%c%c%c", 0xe0 | (cp >> 12),
		    0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
	else
		snprintf(u, sizeof(u), "%c%c%c%c", 0xf0 | (cp >> 18),
		    0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f),
		    0x80 | (cp & 0x3f));
	snprintf(buf, 16, "a%sb.txt", u);
}

/* 1 when "a" U+cp "b.txt" cleans to "a_b.txt". */
static int
blanked(unsigned int cp)
{
	struct oerr_detail d;
	char in[16], out[LIMIT_FILENAME_OUT + 1];

	with_cp(in, cp);
	return keyname_clean(in, out, sizeof(out), &d) == OERR_OK &&
	    strcmp(out, "a_b.txt") == 0;
}

/* Fullwidth and other compatibility forms of ASCII punctuation. */
static const struct {
	const char	*in;
	const char	*out;	/* NULL: refused */
} folds[] = {
	{ "a\xef\xbc\x8e" "b", "a.b" },			/* U+FF0E */
	{ "x\xef\xbc\x8fy\xef\xbc\xbcz.png", "x_y_z.png" },	/* FF0F FF3C */
	{ "\xef\xbc\x8e\xef\xbc\x8e\xef\xbc\x8f\xef\xbc\x8e\xef\xbc\x8e"
	    "\xef\xbc\x8f" "etc\xef\xbc\x8fpasswd", "etc_passwd" },
	{ "\xef\xbc\x8e\xef\xbc\x8e", NULL },		/* "．．" */
	{ "\xe2\x80\xa5", NULL },			/* U+2025 ".." */
	{ "photo\xef\xbc\x8epng", "photo.png" },
	{ "bill\xe2\x84\x80.txt", "billa_c.txt" },	/* U+2100 a/c */
	{ "\xef\xbc\xa1\xef\xbc\xa2.png", "\xef\xbc\xa1\xef\xbc\xa2.png" },
};

int
main(void)
{
	struct oerr_detail d;
	char out[LIMIT_FILENAME_OUT + 1], why[128], buf[600], ext[17];
	char longname[LIMIT_FILENAME_IN + 2];
	size_t i;
	enum oerr e;
	unsigned int diag_cp = 0;

	tap_plan((int)(sizeof(names) / sizeof(names[0]) +
	    sizeof(leaked) / sizeof(leaked[0]) +
	    sizeof(folds) / sizeof(folds[0])) + 36);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		e = keyname_clean(names[i].in, out, sizeof(out), &d);
		if (names[i].out == NULL)
			ok(e == OERR_INVALID_FILENAME, "refused: case %zu", i);
		else if (e != OERR_OK)
			ok(0, "case %zu refused: %s", i, d.msg);
		else
			is_str(out, names[i].out, names[i].out);
	}

	for (i = 0; i < sizeof(leaked) / sizeof(leaked[0]); i++) {
		unsigned int cp, bad = 0;

		for (cp = leaked[i].lo; cp <= leaked[i].hi; cp++)
			if (!blanked(cp) && bad++ == 0)
				diag_cp = cp;
		ok(bad == 0, "U+%04X..U+%04X %s: '_' (first left: U+%04X)",
		    leaked[i].lo, leaked[i].hi, leaked[i].what, bad ? diag_cp :
		    0);
	}
	/* A sample of the generated table: each range's ends and middle. */
	{
		unsigned int lo, hi, bad = 0, tried = 0;
		size_t r;

		for (r = 0; ucd_blank_range(r, &lo, &hi) == 0; r++) {
			tried += 3;
			bad += !blanked(lo) + !blanked(hi) +
			    !blanked(lo + (hi - lo) / 2);
		}
		ok(tried > 90 && bad == 0, "%u code points of the Unicode %s "
		    "table become '_' (%u do not)", tried, ucd_version, bad);
	}
	ok(!blanked(0x00e9) && !blanked(0x4e0a) && !blanked(0x1f680),
	    "letters, ideographs and emoji are kept");
	for (i = 0; i < sizeof(folds) / sizeof(folds[0]); i++) {
		e = keyname_clean(folds[i].in, out, sizeof(out), &d);
		if (folds[i].out == NULL)
			ok(e == OERR_INVALID_FILENAME, "fold refused: case %zu",
			    i);
		else if (e != OERR_OK)
			ok(0, "fold case %zu refused: %s", i, d.msg);
		else
			is_str(out, folds[i].out, folds[i].out);
	}

	/* Long names are cut on a character boundary, extension kept. */
	memset(longname, 'a', LIMIT_FILENAME_IN - 4);
	memcpy(longname + LIMIT_FILENAME_IN - 4, ".png", 5);
	ok(keyname_clean(longname, out, sizeof(out), &d) == OERR_OK,
	    "long name accepted");
	is_int((long long)strlen(out), LIMIT_FILENAME_OUT, "cut to the limit");
	ok(strcmp(out + strlen(out) - 4, ".png") == 0, "extension kept");
	memset(longname, 0, sizeof(longname));
	for (i = 0; i + 3 <= 600; i += 3)
		memcpy(longname + i, "\xe4\xb8\x8a", 3);
	ok(keyname_clean(longname, out, sizeof(out), &d) == OERR_OK &&
	    strlen(out) <= LIMIT_FILENAME_OUT && strlen(out) % 3 == 0,
	    "multibyte names cut on a boundary");
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	ok(keyname_clean(longname, out, sizeof(out), &d) ==
	    OERR_INVALID_FILENAME, "over the input limit refused");

	keyname_ext("photo.JPG", ext);
	is_str(ext, "jpg", "ext lowercased");
	keyname_ext("archive.tar.gz", ext);
	is_str(ext, "gz", "last ext");
	keyname_ext("noext", ext);
	is_str(ext, "", "no ext");
	keyname_ext("x.\xe4\xb8\x8a", ext);
	is_str(ext, "", "non-ASCII ext dropped");
	keyname_ext("x.abcdefghijklmnopq", ext);
	is_str(ext, "", "overlong ext dropped");

	ok(keyname_prefix_check("uploads/${user}/${yyyy}/${mm}/${dd}/", why,
	    sizeof(why)) == 0, "good template");
	ok(keyname_prefix_check("", why, sizeof(why)) == 0, "empty template");
	ok(keyname_prefix_check("/abs/", why, sizeof(why)) == -1,
	    "leading slash refused");
	ok(keyname_prefix_check("a//b/", why, sizeof(why)) == -1,
	    "double slash refused");
	ok(keyname_prefix_check("a/../b/", why, sizeof(why)) == -1,
	    ".. refused");
	ok(keyname_prefix_check("a/./b/", why, sizeof(why)) == -1,
	    ". refused");
	ok(keyname_prefix_check("a/${home}/", why, sizeof(why)) == -1,
	    "unknown placeholder refused");
	ok(keyname_prefix_check("a\\b/", why, sizeof(why)) == -1,
	    "backslash refused");
	/* 7 x "${user}/" expands to 455 bytes at most, 9 x to 585. */
	ok(keyname_prefix_check("${user}/${user}/${user}/${user}/${user}/"
	    "${user}/${user}/", why, sizeof(why)) == 0,
	    "a template that expands to at most 512 bytes");
	ok(keyname_prefix_check("${user}/${user}/${user}/${user}/${user}/"
	    "${user}/${user}/${user}/${user}/", why, sizeof(why)) == -1,
	    "a template that can expand past 512 bytes refused");

	/*
	 * Issue 9 defect 1: ${user} not followed by '/' lets one user's
	 * prefix run into another's ("alic" + "ex.png" = "alice" + "x.png").
	 */
	ok(keyname_prefix_check("avatars/${user}", why, sizeof(why)) == -1 &&
	    strstr(why, "${user} must be followed by /") != NULL,
	    "${user} at the end refused, saying why");
	ok(keyname_prefix_check("avatars/${user}-pics/", why,
	    sizeof(why)) == -1, "${user} followed by text refused");
	ok(keyname_prefix_check("a/${user}${yyyy}/", why, sizeof(why)) == -1,
	    "${user} followed by a placeholder refused");
	ok(keyname_prefix_check("a/${user}/${user}", why, sizeof(why)) == -1,
	    "a second ${user} without / refused");
	ok(keyname_prefix_check("a/u-${user}/", why, sizeof(why)) == 0 &&
	    keyname_prefix_check("${user}/", why, sizeof(why)) == 0,
	    "${user}/ after text or at the start accepted");
	{
		static const char *const tpls[] = { "avatars/${user}/",
		    "u-${user}/x", "${user}/${user}/" };
		char a[600], b[600];
		size_t t;
		int disjoint = 1;

		for (t = 0; t < sizeof(tpls) / sizeof(tpls[0]); t++) {
			if (keyname_prefix_check(tpls[t], why,
			    sizeof(why)) == -1 ||
			    keyname_expand(tpls[t], "alic", 0, "x", a,
			    sizeof(a), &d) != OERR_OK ||
			    keyname_expand(tpls[t], "alice", 0, "x", b,
			    sizeof(b), &d) != OERR_OK ||
			    strncmp(a, b, strlen(a)) == 0)
				disjoint = 0;
		}
		ok(disjoint, "accepted templates: the prefix of alic does not "
		    "start the prefix of alice");
	}

	ok(keyname_expand("u/${user}/${yyyy}-${mm}-${dd}/${uuid}/", "alice",
	    1795586981, "0000-1111", buf, sizeof(buf), &d) == OERR_OK, "expand");
	is_str(buf, "u/alice/2026-11-25/0000-1111/", "expanded");
	is_int(keyname_expand("u/${user}/", NULL, 0, "x", buf, sizeof(buf),
	    &d), OERR_AUTH_REQUIRED, "no user");
	is_int(keyname_expand("u/${user}/", "..", 0, "x", buf, sizeof(buf),
	    &d), OERR_BAD_REQUEST, "user ..");
	is_int(keyname_expand("u/${user}/", "a/b", 0, "x", buf, sizeof(buf),
	    &d), OERR_BAD_REQUEST, "user with slash");
	is_int(keyname_expand("u/${user}/", "bob smith", 0, "x", buf,
	    sizeof(buf), &d), OERR_BAD_REQUEST, "user with space");
	is_int(keyname_expand("uploads/", NULL, 0, "x", buf, 4, &d),
	    OERR_INTERNAL, "too long for the buffer");
	ok(keyname_prefix_needs_user("a/${user}/") &&
	    !keyname_prefix_needs_user("a/"), "needs user");
	return tap_done();
}
