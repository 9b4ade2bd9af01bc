/* util: bounded integers, time formats, percent-decoding, UTF-8. */
#include <string.h>

#include "tap.h"
#include "util.h"

int
main(void)
{
	long long n = 7;
	const char *e;
	char buf[64], d8[9], amz[17], iso[25], iso2[21];
	time_t t;
	struct timespec ts;
	long long us;

	tap_plan(35);
	ok(util_strtonum("42", 0, 100, &n, &e) == 0 && n == 42, "42");
	ok(util_strtonum("-5", -10, 10, &n, &e) == 0 && n == -5, "-5");
	ok(util_strtonum("101", 0, 100, &n, &e) == -1 &&
	    strcmp(e, "too large") == 0, "too large");
	ok(util_strtonum("-1", 0, 100, &n, &e) == -1 &&
	    strcmp(e, "too small") == 0, "too small");
	ok(util_strtonum("99999999999999999999999", 0, 100, &n, &e) == -1,
	    "overflow");
	ok(util_strtonum("", 0, 100, &n, &e) == -1, "empty");
	ok(util_strtonum(" 1", 0, 100, &n, &e) == -1, "leading space");
	ok(util_strtonum("1 ", 0, 100, &n, &e) == -1, "trailing space");
	ok(util_strtonum("0x10", 0, 100, &n, &e) == -1, "hex");
	ok(util_strtonum("+1", 0, 100, &n, &e) == -1, "plus sign");

	ok(util_parse_iso("2026-11-25T06:09:41Z", &t) == 0, "parse iso");
	is_int((long long)t, 1795586981LL, "epoch");
	ok(util_parse_iso("2026-11-25T06:09:41.000Z", &t) == 0 &&
	    t == 1795586981LL, "parse iso with ms");
	ok(util_parse_iso("2026-11-25T06:09:41", &t) == -1, "no Z");
	ok(util_parse_iso("2026-13-25T06:09:41Z", &t) == -1, "month 13");
	ok(util_parse_iso("2026-11-25T06:09:41Zjunk", &t) == -1, "junk");
	util_date8(1795586981, d8);
	util_amz_date(1795586981, amz);
	util_iso_ms(1795586981, iso);
	util_iso(1795586981, iso2);
	is_str(d8, "20261125", "date8");
	is_str(amz, "20261125T060941Z", "amz date");
	is_str(iso, "2026-11-25T06:09:41.000Z", "iso ms");
	is_str(iso2, "2026-11-25T06:09:41Z", "iso");

	ok(util_pct_decode("a%2Fb+c", 7, buf, sizeof(buf)) == 5 &&
	    strcmp(buf, "a/b c") == 0, "pct decode");
	is_int(util_pct_decode("a%2", 3, buf, sizeof(buf)), -1,
	    "truncated escape");
	is_int(util_pct_decode("a%zz", 4, buf, sizeof(buf)), -1, "bad escape");
	is_int(util_pct_decode("a%00b", 5, buf, sizeof(buf)), -1, "NUL byte");
	is_int(util_pct_decode("abcdef", 6, buf, 4), -1, "too long");

	ok(util_utf8_valid("h\xc3\xa9llo \xe2\x98\x83 \xf0\x9f\x9a\x80", 15),
	    "valid UTF-8");
	ok(!util_utf8_valid("\xc0\xaf", 2), "overlong refused");
	ok(!util_utf8_valid("\xed\xa0\x80", 3), "surrogate refused");
	ok(!util_utf8_valid("\xf4\x90\x80\x80", 4), "above U+10FFFF refused");
	ok(!util_utf8_valid("\xe2\x98", 2), "truncated refused");
	ok(!util_utf8_valid("\x80", 1), "lone continuation refused");
	ok(!util_has_ctl("a b~\xc3\xa9"),
	    "printable and UTF-8: no control byte");
	ok(util_has_ctl("a\r\nb") && util_has_ctl("\x1f"),
	    "CR LF and 0x1f are control bytes");
	ok(util_has_ctl("x\x7f"), "DEL is one too");
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec -= 2;
	us = util_us_since(&ts);
	ok(us >= 2000000 && us < 60000000, "util_us_since: 2 s back");
	return tap_done();
}
