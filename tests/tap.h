/*
 * A tiny TAP producer for the unit tests: a fixed plan, ok/is checks, and
 * an exit code that says whether every check passed.
 *   tap_plan(3); ok(x == 1, "x"); is_str(a, b, "a"); return tap_done();
 */
#ifndef OSSIGN_TAP_H
#define OSSIGN_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed, tap_planned;

static void
tap_plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

static int __attribute__((format(printf, 2, 3), unused))
ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!cond)
		tap_failed++;
	return cond;
}

static int __attribute__((unused))
is_str(const char *got, const char *want, const char *name)
{
	int cond = got != NULL && want != NULL ? strcmp(got, want) == 0 :
	    got == want;

	if (!ok(cond, "%s", name)) {
		printf("# got:  %s\n# want: %s\n", got ? got : "(null)",
		    want ? want : "(null)");
		fflush(stdout);
	}
	return cond;
}

static int __attribute__((unused))
is_int(long long got, long long want, const char *name)
{
	int cond = got == want;

	if (!ok(cond, "%s", name)) {
		printf("# got:  %lld\n# want: %lld\n", got, want);
		fflush(stdout);
	}
	return cond;
}

static int __attribute__((unused))
tap_done(void)
{
	if (tap_n != tap_planned) {
		printf("# planned %d tests but ran %d\n", tap_planned, tap_n);
		return 1;
	}
	return tap_failed > 0;
}

#endif /* OSSIGN_TAP_H */
