/*
 * The Prometheus text exposition format (version 0.0.4), written into a
 * buffer the caller provides: # HELP and # TYPE lines, samples with
 * escaped label values, histograms with cumulative le buckets, _sum and
 * _count.  No allocation, no float formatting: values are unsigned
 * integers, and durations are microseconds written as exact decimal
 * seconds ("0.0025").  Pure.
 *
 *	struct prom w;
 *	prom_init(&w, buf, sizeof(buf));
 *	prom_family(&w, "x_total", "counter", "Things done.");
 *	prom_sample(&w, "x_total", (const char *[]){ "kind", "a", NULL }, 3);
 *	if (prom_end(&w, &len) == -1) ...
 */
#ifndef OSSIGN_PROM_H
#define OSSIGN_PROM_H

#include <stddef.h>
#include <stdint.h>

struct prom {
	char	*buf;
	size_t	 cap, len;
	int	 err;	/* too small or a bad name: every later call is a no-op */
};

/* Write into buf (cap bytes). */
void	 prom_init(struct prom *w, char *buf, size_t cap);

/*
 * "# HELP name help" (help escaped: backslash, newline) and
 * "# TYPE name type" (counter, gauge or histogram).  name must match
 * [a-zA-Z_:][a-zA-Z0-9_:]*.
 */
void	 prom_family(struct prom *w, const char *name, const char *type,
	    const char *help);

/*
 * "name{k="v",...} value": labels is NULL or name/value pairs ending in
 * NULL; label names match [a-zA-Z_][a-zA-Z0-9_]* and do not start with
 * "__"; values are escaped (backslash, double quote, newline).
 */
void	 prom_sample(struct prom *w, const char *name,
	    const char *const *labels, uint64_t value);

/*
 * A histogram's samples: name_bucket{labels,le="B"} for each of the n
 * ascending upper bounds bounds_us[] (microseconds, written in seconds),
 * cumulative over counts[0..n] (counts[i]: observations in bucket i,
 * counts[n]: above every bound), then le="+Inf", name_sum (sum_us in
 * seconds) and name_count.
 */
void	 prom_histogram(struct prom *w, const char *name,
	    const char *const *labels, const uint64_t *bounds_us,
	    const uint64_t *counts, size_t n, uint64_t sum_us);

/*
 * Finish: 0 with the text's length in *len (buf is NUL-terminated), or -1
 * when it did not fit or a name was invalid.
 */
int	 prom_end(struct prom *w, size_t *len);

#endif /* OSSIGN_PROM_H */
