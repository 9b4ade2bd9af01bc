/*
 * ucd: the generated tables of the file-name cleaner (src/ucd_tab.h, from
 * tools/ucd-gen.py): sorted and disjoint, searched right at every range's
 * edges, a sample of what they hold and what they leave alone, and
 * everything the cleaner blanked before the tables existed still blank.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "ucd.h"

/* keyname.c's hand list before issue 9 (1 = kept, 0 = '_'), verbatim. */
static int
old_cp_ok(unsigned int c)
{
	if (c < 0xa0)
		return 0;
	if (c == 0xad || c == 0x34f || c == 0x61c || c == 0x115f ||
	    c == 0x1160 || c == 0x180e || c == 0x3000 || c == 0x3164 ||
	    c == 0xfeff || c == 0xffa0)
		return 0;
	if ((c >= 0x2000 && c <= 0x200f) || (c >= 0x2028 && c <= 0x202f) ||
	    (c >= 0x205f && c <= 0x206f) || (c >= 0xe000 && c <= 0xf8ff) ||
	    (c >= 0xfdd0 && c <= 0xfdef) || (c >= 0xfe00 && c <= 0xfe0f) ||
	    (c >= 0xfff0) || (c & 0xfffe) == 0xfffe)
		return c >= 0x10000 && c < 0xe0000 && (c & 0xfffe) != 0xfffe;
	return 1;
}

static const struct {
	unsigned int	 cp;
	int		 blank;
	const char	*what;
} sample[] = {
	{ 0x00a0, 1, "Zs NO-BREAK SPACE" },
	{ 0x2007, 1, "Zs FIGURE SPACE" },
	{ 0x205f, 1, "Zs MEDIUM MATHEMATICAL SPACE" },
	{ 0x2029, 1, "Zp PARAGRAPH SEPARATOR" },
	{ 0x2061, 1, "Cf FUNCTION APPLICATION" },
	{ 0x2066, 1, "Cf LEFT-TO-RIGHT ISOLATE" },
	{ 0xfff9, 1, "Cf INTERLINEAR ANNOTATION ANCHOR" },
	{ 0x110cd, 1, "Cf KAITHI NUMBER SIGN ABOVE" },
	{ 0xe0041, 1, "Cf TAG LATIN CAPITAL LETTER A" },
	{ 0x17b4, 1, "Mn KHMER VOWEL INHERENT AQ (default ignorable)" },
	{ 0x180f, 1, "Mn MONGOLIAN FREE VARIATION SELECTOR FOUR" },
	{ 0xfe0f, 1, "Mn VARIATION SELECTOR-16" },
	{ 0xe0100, 1, "Mn VARIATION SELECTOR-17" },
	{ 0x2065, 1, "Cn reserved, default ignorable" },
	{ 0xf0000, 1, "Co plane 15 private use" },
	{ 0x10fffd, 1, "Co plane 16 private use" },
	{ 0x1fffe, 1, "noncharacter" },
	{ 0xfffd, 1, "So REPLACEMENT CHARACTER" },
	{ 0x00e9, 0, "Ll LATIN SMALL LETTER E WITH ACUTE" },
	{ 0x4e0a, 0, "Lo CJK UNIFIED IDEOGRAPH-4E0A" },
	{ 0x1f680, 0, "So ROCKET" },
	{ 0x0606, 0, "Sm ARABIC-INDIC CUBE ROOT (after U+0605)" },
	{ 0x2801, 0, "So BRAILLE PATTERN DOTS-1 (after U+2800)" },
	{ 0x1d17b, 0, "Mn MUSICAL SYMBOL COMBINING ACCENT (after U+1D17A)" },
	{ 0x0301, 0, "Mn COMBINING ACUTE ACCENT" },
	{ 0xff21, 0, "Lu FULLWIDTH LATIN CAPITAL LETTER A" },
};

int
main(void)
{
	unsigned int lo, hi, prev_hi = 0, cp;
	size_t i, n, sorted = 1, edges = 1;
	const char *f;
	unsigned long lost = 0;
	char first[16] = "";

	tap_plan((int)(sizeof(sample) / sizeof(sample[0])) + 13);
	ok(strlen(ucd_version) >= 5 && isdigit((unsigned char)ucd_version[0]) &&
	    strchr(ucd_version, '.') != NULL, "the tables name their Unicode "
	    "version (%s)", ucd_version);

	for (n = 0; ucd_blank_range(n, &lo, &hi) == 0; n++) {
		if (lo > hi || hi > 0x10ffff || lo < 0x80 ||
		    (n > 0 && lo <= prev_hi + 1))
			sorted = 0;
		if (!ucd_blank(lo) || !ucd_blank(hi) ||
		    !ucd_blank(lo + (hi - lo) / 2) || ucd_blank(lo - 1) ||
		    (hi < 0x10ffff && ucd_blank(hi + 1)))
			edges = 0;
		prev_hi = hi;
	}
	ok(n > 30, "%zu blank ranges", n);
	ok(sorted, "ascending, disjoint, never adjacent, within U+0080..U+10FFFF");
	ok(edges, "the search finds each range's ends and middle, and not the "
	    "code points just outside");
	ok(!ucd_blank(0) && !ucd_blank(0x20) && !ucd_blank(0x7f) &&
	    !ucd_blank(0x110000), "ASCII and values past U+10FFFF are not in "
	    "the table");

	for (i = 0; i < sizeof(sample) / sizeof(sample[0]); i++)
		ok(ucd_blank(sample[i].cp) == sample[i].blank, "U+%04X %s: %s",
		    sample[i].cp, sample[i].what, sample[i].blank ? "blank" :
		    "kept");

	/* What the hand list blanked is still blank (or, FFFC.., folded). */
	for (cp = 0xa0; cp <= 0x10ffff; cp++) {
		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		if (!old_cp_ok(cp) && !ucd_blank(cp)) {
			if (lost++ == 0)
				snprintf(first, sizeof(first), "U+%04X", cp);
		}
	}
	ok(lost == 0, "every code point the old hand list blanked is blank "
	    "(%lu lost, first %s)", lost, first);

	is_str(ucd_fold(0xff0e), ".", "U+FF0E FULLWIDTH FULL STOP folds to .");
	is_str(ucd_fold(0xff0f), "/", "U+FF0F FULLWIDTH SOLIDUS folds to /");
	is_str(ucd_fold(0xff3c), "\\", "U+FF3C FULLWIDTH REVERSE SOLIDUS "
	    "folds to \\");
	is_str(ucd_fold(0x2025), "..", "U+2025 TWO DOT LEADER folds to ..");
	is_str(ucd_fold(0x2100), "a/c", "U+2100 ACCOUNT OF folds to a/c");
	ok(ucd_fold(0xff21) == NULL && ucd_fold(0x00b2) == NULL &&
	    ucd_fold(0x4e0a) == NULL && ucd_fold('.') == NULL &&
	    ucd_fold(0x00a0) == NULL, "letters, digits, ASCII and blanks do "
	    "not fold");
	for (cp = 0x80, n = 0, lost = 0; cp <= 0x10ffff; cp++) {
		if ((f = ucd_fold(cp)) == NULL)
			continue;
		n++;
		if (strlen(f) < 1 || strlen(f) > 4 || ucd_blank(cp))
			lost++;
		for (; *f != '\0'; f++)
			if ((unsigned char)*f >= 0x80 || *f < 0x20)
				lost++;
	}
	ok(n > 100 && lost == 0, "%zu folds, each 1 to 4 printable ASCII "
	    "bytes, none of a blank code point", n);
	return tap_done();
}
