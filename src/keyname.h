/*
 * Object keys: prefix templates and the cleaning of file names sent by
 * browsers.  A key is always the expanded prefix plus a cleaned name, from
 * a restricted character set: no "..", no leading '/', no '/' runs, no
 * control bytes, no invalid UTF-8.  Pure.
 */
#ifndef OSSIGN_KEYNAME_H
#define OSSIGN_KEYNAME_H

#include <stddef.h>
#include <time.h>

#include "oerr.h"

/*
 * Check a key_prefix template at load time: valid UTF-8, no control bytes,
 * no backslash, no leading '/', no "//", no "." or ".." segment, only the
 * placeholders ${user} ${yyyy} ${mm} ${dd} ${uuid}, every ${user}
 * directly followed by '/' (so no user's prefix is a prefix of another
 * user's), and at most
 * LIMIT_PREFIX_LEN bytes once expanded (so keyname_expand never finds it
 * too long).  Returns 0, or -1 with the reason in why.
 */
int	 keyname_prefix_check(const char *tpl, char *why, size_t whylen);

/* 1 when the template uses ${user}. */
int	 keyname_prefix_needs_user(const char *tpl);

/*
 * 1 when u can be ${user}: 1 to LIMIT_USER_LEN of A-Z a-z 0-9 . _ - @,
 * and not "." or "..".  Every source of a user name (REMOTE_USER, a JWT
 * claim) passes this before it is used.
 */
int	 keyname_user_ok(const char *u);

/*
 * Expand tpl for user (REMOTE_USER, may be NULL), the UTC date of now and
 * uuid into out.  Returns OERR_OK, OERR_AUTH_REQUIRED (no user but the
 * template needs one), OERR_BAD_REQUEST (a user name that cannot be part of
 * a key) or OERR_INTERNAL (too long), with d filled.
 */
enum oerr keyname_expand(const char *tpl, const char *user, time_t now,
	    const char *uuid, char *out, size_t outsz, struct oerr_detail *d);

/*
 * Clean a file name sent by a client into out (outsz bytes): invalid UTF-8
 * and control bytes are refused; ASCII other than A-Z a-z 0-9 - . _
 * becomes '_', and so does every code point ucd_blank() names (space
 * separators, format characters, default-ignorables, private use,
 * noncharacters); compatibility forms of ASCII punctuation (fullwidth
 * "．／＼") count as the ASCII they fold to (ucd_fold()); runs of '_'
 * and '.' collapse; leading and
 * trailing dots and '_' go; the result is cut to LIMIT_FILENAME_OUT bytes
 * keeping the extension.  Returns OERR_OK or OERR_INVALID_FILENAME.
 */
enum oerr keyname_clean(const char *name, char *out, size_t outsz,
	    struct oerr_detail *d);

/*
 * The extension of a cleaned name, lowercased, without the dot, at most
 * LIMIT_EXT_LEN of [a-z0-9]; "" when there is none.  ext has
 * LIMIT_EXT_LEN + 1 bytes.
 */
void	 keyname_ext(const char *cleaned, char *ext);

#endif /* OSSIGN_KEYNAME_H */
