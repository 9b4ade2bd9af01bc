/*
 * Small pure helpers: bounded integer parsing, UTC time formatting and
 * parsing, percent-decoding, UTF-8 validation.  No I/O, no clock.
 */
#ifndef OSSIGN_UTIL_H
#define OSSIGN_UTIL_H

#include <stddef.h>
#include <time.h>

/*
 * Parse a decimal integer in [min, max] from s, like OpenBSD strtonum(3):
 * digits only (an optional leading '-'), no spaces, no trailing bytes.
 * Returns 0 and sets *out, or -1 (and *errstr: "invalid", "too small",
 * "too large").
 */
int	 util_strtonum(const char *s, long long min, long long max,
	    long long *out, const char **errstr);

/* "20261125" (9 bytes with NUL) for t. */
void	 util_date8(time_t t, char out[9]);
/* "20261125T060941Z" (17 bytes). */
void	 util_amz_date(time_t t, char out[17]);
/* "2026-11-25T06:09:41.000Z" (25 bytes). */
void	 util_iso_ms(time_t t, char out[25]);
/* "2026-11-25T06:09:41Z" (21 bytes). */
void	 util_iso(time_t t, char out[21]);

/*
 * Parse "YYYY-MM-DDThh:mm:ss[.fff]Z" (the forms STS and the CLI use) into
 * *out.  Returns 0 or -1.
 */
int	 util_parse_iso(const char *s, time_t *out);

/*
 * Decode %XX and '+' (as a space) from the first len bytes of s into out
 * (outsz bytes, NUL-terminated).  Returns the decoded length, or -1 on a
 * malformed escape, an embedded NUL, or when out is too small.
 */
long	 util_pct_decode(const char *s, size_t len, char *out, size_t outsz);

/* The value of the hex digit c (either case), or -1. */
int	 util_hexval(int c);

/* Microseconds on the monotonic clock since t0 (read from it). */
long long util_us_since(const struct timespec *t0);

/* 1 when the string s holds a control byte (CR and LF included) or DEL. */
int	 util_has_ctl(const char *s);

/* 1 when s[0..len) is valid UTF-8 (shortest form, no surrogates), else 0. */
int	 util_utf8_valid(const char *s, size_t len);

/*
 * Decode one UTF-8 code point at s (at most len bytes).  Returns its
 * length in bytes and sets *cp, or -1 on invalid input.
 */
int	 util_utf8_next(const char *s, size_t len, unsigned int *cp);

/*
 * The next pair of a query string: from *pos (before end), skipping empty
 * ones ("a=1&&b"), the name percent-decoded into name (namesz bytes; ""
 * when it does not decode into it: no parameter is called that) and the
 * value left encoded, *v and *vlen ("" for a bare name).  Returns 1 with
 * *pos past the pair, or 0 at the end.
 */
int	 util_query_next(const char **pos, const char *end, char *name,
	    size_t namesz, const char **v, size_t *vlen);

#endif /* OSSIGN_UTIL_H */
