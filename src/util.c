/* Pure helpers; see util.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int
util_strtonum(const char *s, long long min, long long max, long long *out,
    const char **errstr)
{
	const char *p = s;
	long long v;
	char *end;

	if (errstr != NULL)
		*errstr = "invalid";
	if (s == NULL || *s == '\0')
		return -1;
	if (*p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0')
		return -1;
	if ((errno == ERANGE && v == LLONG_MIN) || v < min) {
		if (errstr != NULL)
			*errstr = "too small";
		return -1;
	}
	if ((errno == ERANGE && v == LLONG_MAX) || v > max) {
		if (errstr != NULL)
			*errstr = "too large";
		return -1;
	}
	if (errstr != NULL)
		*errstr = NULL;
	*out = v;
	return 0;
}

static void
util_tm(time_t t, struct tm *tm)
{
	if (gmtime_r(&t, tm) == NULL)
		memset(tm, 0, sizeof(*tm));
}

void
util_date8(time_t t, char out[9])
{
	struct tm tm;

	util_tm(t, &tm);
	strftime(out, 9, "%Y%m%d", &tm);
}

void
util_amz_date(time_t t, char out[17])
{
	struct tm tm;

	util_tm(t, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

void
util_iso_ms(time_t t, char out[25])
{
	struct tm tm;

	util_tm(t, &tm);
	strftime(out, 25, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
}

void
util_iso(time_t t, char out[21])
{
	struct tm tm;

	util_tm(t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int
util_digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int
util_parse_iso(const char *s, time_t *out)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	struct tm tm;
	int y, mo, d, h, mi, sec, i;
	const char *p;
	time_t t;

	if (s == NULL || strlen(s) < 20)
		return -1;
	if (util_digits(s, 4, &y) || s[4] != '-' ||
	    util_digits(s + 5, 2, &mo) || s[7] != '-' ||
	    util_digits(s + 8, 2, &d) || s[10] != 'T' ||
	    util_digits(s + 11, 2, &h) || s[13] != ':' ||
	    util_digits(s + 14, 2, &mi) || s[16] != ':' ||
	    util_digits(s + 17, 2, &sec))
		return -1;
	p = s + 19;
	if (*p == '.') {
		for (i = 0, p++; *p >= '0' && *p <= '9' && i < 9; p++, i++)
			;
		if (i == 0)
			return -1;
	}
	if (p[0] != 'Z' || p[1] != '\0')
		return -1;
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] || h > 23 || mi > 59 || sec > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	*out = t;
	return 0;
}

int
util_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long long
util_us_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)(t.tv_sec - t0->tv_sec) * 1000000 +
	    (t.tv_nsec - t0->tv_nsec) / 1000;
}

int
util_has_ctl(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

long
util_pct_decode(const char *s, size_t len, char *out, size_t outsz)
{
	size_t i, o = 0;
	int hi, lo, c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '%') {
			if (i + 2 >= len)
				return -1;
			hi = util_hexval((unsigned char)s[i + 1]);
			lo = util_hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = hi * 16 + lo;
			i += 2;
		} else if (c == '+')
			c = ' ';
		if (c == '\0' || o + 1 >= outsz)
			return -1;
		out[o++] = (char)c;
	}
	if (outsz == 0)
		return -1;
	out[o] = '\0';
	return (long)o;
}

int
util_utf8_next(const char *s, size_t len, unsigned int *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned int c, min;
	int n, i;

	if (len == 0)
		return -1;
	c = u[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else
		return -1;
	if ((size_t)n > len)
		return -1;
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return -1;
		c = (c << 6) | (u[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return -1;
	*cp = c;
	return n;
}

int
util_utf8_valid(const char *s, size_t len)
{
	unsigned int cp;
	size_t i = 0;
	int n;

	while (i < len) {
		if ((n = util_utf8_next(s + i, len - i, &cp)) < 0)
			return 0;
		i += (size_t)n;
	}
	return 1;
}

int
util_query_next(const char **pos, const char *end, char *name,
    size_t namesz, const char **v, size_t *vlen)
{
	const char *pair, *amp, *eq;

	for (pair = *pos; pair < end; pair = amp + 1) {
		if ((amp = memchr(pair, '&', (size_t)(end - pair))) == NULL)
			amp = end;
		if (amp == pair)
			continue;
		if ((eq = memchr(pair, '=', (size_t)(amp - pair))) == NULL)
			eq = amp;	/* "name" alone: an empty value */
		if (util_pct_decode(pair, (size_t)(eq - pair), name,
		    namesz) < 0)
			name[0] = '\0';
		*v = eq < amp ? eq + 1 : amp;
		*vlen = (size_t)(amp - *v);
		*pos = amp < end ? amp + 1 : end;
		return 1;
	}
	*pos = end;
	return 0;
}
