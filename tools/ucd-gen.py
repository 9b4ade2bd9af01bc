#!/usr/bin/env python3
"""tools/ucd-gen.py: write src/ucd_tab.h, the Unicode tables of the file-name
cleaner (src/ucd.c, used by src/keyname.c), from the Unicode Character
Database files of Debian's unicode-data package.

    tools/ucd-gen.py [UCD_DIR] > src/ucd_tab.h      (make ucd-tab)

UCD_DIR defaults to /usr/share/unicode and must hold UnicodeData.txt,
DerivedCoreProperties.txt and PropList.txt of one Unicode version.  The
output names that version.  The build never runs this: the generated file is
committed, and tests/ucd.sh checks it against the installed data when the
versions match.

Two tables:
- blank: code points the cleaner turns into '_', the union of
    General_Category Zs, Zl, Zp  space, line and paragraph separators
    General_Category Cf          format characters (bidi controls, zero
                                 width, Arabic number signs, Egyptian
                                 hieroglyph and musical format controls...)
    Default_Ignorable_Code_Point invisible by default (variation selectors,
                                 fillers, tags, reserved ignorables)
    General_Category Co          private use: no agreed glyph
    Noncharacter_Code_Point      never meant for interchange
  and these, which no property above covers (the cleaner refused or mapped
  them before the table existed, or they render blank):
    U+2800                       BRAILLE PATTERN BLANK (So): an empty glyph
    U+FFFC..U+FFFD               OBJECT REPLACEMENT, REPLACEMENT CHARACTER:
                                 a name that was mangled on the way
    U+E0000..U+EFFFF             plane 14 (tags, variation selectors and
                                 reserved code points after them)
- fold: code points whose full compatibility decomposition (NFKD, what an
  NFKC-normalising system downstream turns them into) is ASCII and holds
  something other than a letter or digit: U+FF0E FULLWIDTH FULL STOP is
  ".", U+FF0F FULLWIDTH SOLIDUS "/", U+FF3C FULLWIDTH REVERSE SOLIDUS "\\",
  U+2025 TWO DOT LEADER "..", U+2100 ACCOUNT OF "a/c".  The cleaner treats
  each as those ASCII characters, so no such name can become "..", or gain
  a "/", once normalised.  Letters and digits alone (fullwidth A, superscript
  two) are left as they are.
"""
import os
import re
import sys

ucd = sys.argv[1] if len(sys.argv) > 1 else '/usr/share/unicode'
MAXCP = 0x10FFFF


def version(name):
    with open(os.path.join(ucd, name), encoding='utf-8') as f:
        m = re.match(r'# %s-(\d+\.\d+\.\d+)\.txt' % re.escape(name[:-4]),
                     f.readline())
    if not m:
        sys.exit('ucd-gen: %s: no version in its first line' % name)
    return m.group(1)


def props(name, want):
    """Code points with property want in a UCD property file."""
    out = set()
    with open(os.path.join(ucd, name), encoding='utf-8') as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if not line:
                continue
            rng, prop = [x.strip() for x in line.split(';')[:2]]
            if prop != want:
                continue
            lo, _, hi = rng.partition('..')
            out.update(range(int(lo, 16), int(hi or lo, 16) + 1))
    return out


ver = version('DerivedCoreProperties.txt')
if version('PropList.txt') != ver:
    sys.exit('ucd-gen: DerivedCoreProperties.txt and PropList.txt differ '
             'in version')

# UnicodeData.txt: name, category, decomposition; ranges as First/Last.
names, gc, decomp = {}, {}, {}
with open(os.path.join(ucd, 'UnicodeData.txt'), encoding='utf-8') as f:
    first = None
    for line in f:
        fl = line.rstrip('\n').split(';')
        cp, name, cat, dec = int(fl[0], 16), fl[1], fl[2], fl[5]
        if name.endswith(', First>'):
            first = cp
            continue
        if name.endswith(', Last>'):
            for c in range(first, cp + 1):
                gc[c] = cat
                names[c] = name[1:-7]
            first = None
            continue
        gc[cp] = cat
        names[cp] = name
        if dec:
            decomp[cp] = [int(x, 16) for x in dec.split() if x[0] != '<']

blank = {c for c, cat in gc.items() if cat in ('Zs', 'Zl', 'Zp', 'Cf', 'Co')}
blank |= props('DerivedCoreProperties.txt', 'Default_Ignorable_Code_Point')
nonchar = props('PropList.txt', 'Noncharacter_Code_Point')
blank |= nonchar
blank |= {0x2800, 0xFFFC, 0xFFFD}
blank |= set(range(0xE0000, 0xF0000))
# Surrogates never get here (the UTF-8 decoder refuses them), nor ASCII
# (the cleaner keeps A-Z a-z 0-9 - . _ and maps the rest of it itself).
blank -= set(range(0xD800, 0xE000)) | set(range(0x80))


def nfkd(c):
    if c not in decomp:
        return [c]
    return [x for d in decomp[c] for x in nfkd(d)]


fold = {}
for c in sorted(decomp):
    if c < 0x80 or c in blank:
        continue
    d = nfkd(c)
    if all(x < 0x80 for x in d) and \
            any(not chr(x).isalnum() for x in d):
        s = ''.join(chr(x) for x in d)
        # The cleaner's buffer allows twice the input's bytes.
        if len(s) > 2 * len(chr(c).encode('utf-8')):
            sys.exit('ucd-gen: U+%04X folds to %r: too long' % (c, s))
        fold[c] = s


def ranges(cps):
    out = []
    for c in sorted(cps):
        if out and out[-1][1] == c - 1:
            out[-1][1] = c
        else:
            out.append([c, c])
    return out


def label(c):
    n = names.get(c, 'noncharacter' if c in nonchar else 'reserved')
    return '%s %s' % (gc.get(c, 'Cn'), n)


def cstr(s):
    # '?' escaped too: no trigraph can form.
    return '"' + ''.join('\\' + ch if ch in '\\"?' else ch
                         for ch in s) + '"'


w = sys.stdout.write
w('/*\n'
  ' * GENERATED by tools/ucd-gen.py from Unicode %s (UnicodeData.txt,\n'
  ' * DerivedCoreProperties.txt, PropList.txt): do not edit.  Regenerate\n'
  ' * with "make ucd-tab" (needs python3 and Debian\'s unicode-data).\n'
  ' * Included by src/ucd.c only; tools/ucd-gen.py says what each table\n'
  ' * holds and why.\n'
  ' */\n' % ver)
w('#define UCD_VERSION\t"%s"\n\n' % ver)
w('/* Zs Zl Zp Cf Co, Default_Ignorable, noncharacters, and the extras. */\n')
w('static const struct ucd_range ucd_blank_tab[] = {\n')
for lo, hi in ranges(blank):
    what = label(lo) + ('' if lo == hi else '..')
    w('\t{ 0x%05x, 0x%05x },\t/* %s */\n' % (lo, hi, what[:52]))
w('};\n\n')
w('/* NFKD to ASCII with a non-alphanumeric: treated as that ASCII. */\n')
w('static const struct ucd_fold ucd_fold_tab[] = {\n')
for c in sorted(fold):
    w('\t{ 0x%05x, %s },\t/* %s */\n' % (c, cstr(fold[c]), names[c][:44]))
w('};\n')
