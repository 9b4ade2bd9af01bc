/* Prometheus text exposition; see prom.h. */
#include <stdio.h>
#include <string.h>

#include "prom.h"

void
prom_init(struct prom *w, char *buf, size_t cap)
{
	w->buf = buf;
	w->cap = cap;
	w->len = 0;
	w->err = cap == 0;
	if (cap > 0)
		buf[0] = '\0';
}

static void
prom_put(struct prom *w, const char *s, size_t n)
{
	if (w->err)
		return;
	if (n >= w->cap - w->len) {	/* room for the NUL too */
		w->err = 1;
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void
prom_puts(struct prom *w, const char *s)
{
	prom_put(w, s, strlen(s));
}

static void
prom_u64(struct prom *w, uint64_t v)
{
	char num[24];

	prom_put(w, num, (size_t)snprintf(num, sizeof(num), "%llu",
	    (unsigned long long)v));
}

/* Microseconds as seconds: 2500 -> "0.0025", 1000000 -> "1". */
static void
prom_seconds(struct prom *w, uint64_t us)
{
	char num[32];
	int n;

	n = snprintf(num, sizeof(num), "%llu.%06llu",
	    (unsigned long long)(us / 1000000),
	    (unsigned long long)(us % 1000000));
	while (num[n - 1] == '0')
		n--;
	if (num[n - 1] == '.')
		n--;
	prom_put(w, num, (size_t)n);
}

/* Escape backslash and newline, and the double quote when quote is set. */
static void
prom_escaped(struct prom *w, const char *s, int quote)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			prom_puts(w, "\\\\");
		else if (*s == '\n')
			prom_puts(w, "\\n");
		else if (*s == '"' && quote)
			prom_puts(w, "\\\"");
		else
			prom_put(w, s, 1);
	}
}

static int
prom_name_ok(const char *s, int metric)
{
	const char *p;

	if (*s == '\0' || (*s >= '0' && *s <= '9') ||
	    (!metric && s[0] == '_' && s[1] == '_'))
		return 0;
	for (p = s; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' ||
		    (metric && *p == ':')))
			return 0;
	return 1;
}

void
prom_family(struct prom *w, const char *name, const char *type,
    const char *help)
{
	if (!prom_name_ok(name, 1) || (strcmp(type, "counter") != 0 &&
	    strcmp(type, "gauge") != 0 && strcmp(type, "histogram") != 0)) {
		w->err = 1;
		return;
	}
	prom_puts(w, "# HELP ");
	prom_puts(w, name);
	prom_puts(w, " ");
	prom_escaped(w, help, 0);
	prom_puts(w, "\n# TYPE ");
	prom_puts(w, name);
	prom_puts(w, " ");
	prom_puts(w, type);
	prom_puts(w, "\n");
}

/* name and suffix, then {labels}, le last when it is not NULL. */
static void
prom_series(struct prom *w, const char *name, const char *suffix,
    const char *const *labels, const char *le)
{
	size_t i;
	int any = 0;

	if (!prom_name_ok(name, 1)) {
		w->err = 1;
		return;
	}
	prom_puts(w, name);
	prom_puts(w, suffix);
	for (i = 0; labels != NULL && labels[i] != NULL; i += 2) {
		if (!prom_name_ok(labels[i], 0) || labels[i + 1] == NULL) {
			w->err = 1;
			return;
		}
		prom_puts(w, any++ ? "," : "{");
		prom_puts(w, labels[i]);
		prom_puts(w, "=\"");
		prom_escaped(w, labels[i + 1], 1);
		prom_puts(w, "\"");
	}
	if (le != NULL) {
		prom_puts(w, any++ ? "," : "{");
		prom_puts(w, "le=\"");
		prom_puts(w, le);
		prom_puts(w, "\"");
	}
	if (any)
		prom_puts(w, "}");
	prom_puts(w, " ");
}

void
prom_sample(struct prom *w, const char *name, const char *const *labels,
    uint64_t value)
{
	prom_series(w, name, "", labels, NULL);
	prom_u64(w, value);
	prom_puts(w, "\n");
}

void
prom_histogram(struct prom *w, const char *name, const char *const *labels,
    const uint64_t *bounds_us, const uint64_t *counts, size_t n,
    uint64_t sum_us)
{
	struct prom le;
	char lebuf[32];
	uint64_t cum = 0;
	size_t i;

	for (i = 0; i <= n; i++) {
		cum += counts[i];
		if (i < n) {
			prom_init(&le, lebuf, sizeof(lebuf));
			prom_seconds(&le, bounds_us[i]);
		}
		prom_series(w, name, "_bucket", labels, i < n ? lebuf : "+Inf");
		prom_u64(w, cum);
		prom_puts(w, "\n");
	}
	prom_series(w, name, "_sum", labels, NULL);
	prom_seconds(w, sum_us);
	prom_puts(w, "\n");
	prom_series(w, name, "_count", labels, NULL);
	prom_u64(w, cum);
	prom_puts(w, "\n");
}

int
prom_end(struct prom *w, size_t *len)
{
	if (w->err)
		return -1;
	*len = w->len;
	return 0;
}
