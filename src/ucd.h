/*
 * The Unicode character data the file-name cleaner needs, from tables that
 * tools/ucd-gen.py generates from the Unicode Character Database
 * (src/ucd_tab.h, version UCD_VERSION): which code points are blank
 * (separators, format characters, default-ignorables, private use,
 * noncharacters: they become '_'), and which fold to ASCII (fullwidth and
 * compatibility forms of punctuation, as NFKC would turn them).  Pure.
 */
#ifndef OSSIGN_UCD_H
#define OSSIGN_UCD_H

#include <stddef.h>

/* The Unicode version the tables come from, "15.0.0". */
extern const char ucd_version[];

/* 1 when cp (0..0x10FFFF) is blank: the cleaner writes '_' for it. */
int		 ucd_blank(unsigned int cp);

/*
 * The ASCII characters cp stands for (its compatibility decomposition:
 * U+FF0E is ".", U+2025 "..", U+2100 "a/c"), when that is ASCII and holds
 * something other than letters and digits; else NULL.  The string is
 * static, 1 to 4 bytes, never longer than twice cp's UTF-8 length.
 */
const char	*ucd_fold(unsigned int cp);

/*
 * The i-th range of blank code points, in ascending order: 0 and *lo, *hi
 * filled, or -1 past the last.  For tests.
 */
int		 ucd_blank_range(size_t i, unsigned int *lo, unsigned int *hi);

#endif /* OSSIGN_UCD_H */
