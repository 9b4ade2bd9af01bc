/* A small JSON writer; see jsonw.h. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"

void
jsonw_init(struct jsonw *w, size_t hint)
{
	memset(w, 0, sizeof(*w));
	w->first = 1;
	if (hint < 64)
		hint = 64;
	if ((w->buf = malloc(hint)) == NULL)
		w->err = 1;
	else
		w->cap = hint;
}

static void
jsonw_mem(struct jsonw *w, const char *s, size_t n)
{
	char *nb;
	size_t cap;

	if (w->err)
		return;
	if (w->len + n + 1 > w->cap) {
		cap = w->cap * 2;
		while (cap < w->len + n + 1)
			cap *= 2;
		if ((nb = realloc(w->buf, cap)) == NULL) {
			w->err = 1;
			return;
		}
		w->buf = nb;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void
jsonw_sep(struct jsonw *w)
{
	if (!w->first)
		jsonw_mem(w, ",", 1);
	w->first = 0;
}

void
jsonw_open(struct jsonw *w, char c)
{
	jsonw_sep(w);
	jsonw_mem(w, &c, 1);
	w->first = 1;
}

void
jsonw_close(struct jsonw *w, char c)
{
	jsonw_mem(w, &c, 1);
	w->first = 0;
}

#define JSONW_ONES	0x0101010101010101ULL
#define JSONW_HIGH	0x8080808080808080ULL

/*
 * Nonzero when one of the 8 bytes in v is below 0x20, '"' or '\\': the
 * "has a byte less than n" bit trick (exact about whether there is one,
 * not about which).  The answer's long strings, the policy and the token,
 * take 8 bytes a step this way instead of one.
 */
static inline uint64_t
jsonw_special8(uint64_t v)
{
	uint64_t q = v ^ (JSONW_ONES * '"'), b = v ^ (JSONW_ONES * '\\');

	return ((v - JSONW_ONES * 0x20) | (q - JSONW_ONES) |
	    (b - JSONW_ONES)) & ~v & JSONW_HIGH;
}

/* The quoted, escaped string, with no separator. */
static void
jsonw_quote(struct jsonw *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *run, *end;
	char esc[6] = { '\\', 'u', '0', '0', 0, 0 };
	uint64_t v;

	end = p + strlen(s);
	jsonw_mem(w, "\"", 1);
	for (;;) {
		run = p;
		while (end - p >= 8) {
			memcpy(&v, p, sizeof(v));
			if (jsonw_special8(v))
				break;
			p += 8;
		}
		for (; p < end && *p >= 0x20 && *p != '"' && *p != '\\'; p++)
			;
		jsonw_mem(w, (const char *)run, (size_t)(p - run));
		if (p == end)
			break;
		switch (*p) {
		case '"':
			jsonw_mem(w, "\\\"", 2);
			break;
		case '\\':
			jsonw_mem(w, "\\\\", 2);
			break;
		case '\b':
			jsonw_mem(w, "\\b", 2);
			break;
		case '\n':
			jsonw_mem(w, "\\n", 2);
			break;
		case '\r':
			jsonw_mem(w, "\\r", 2);
			break;
		case '\t':
			jsonw_mem(w, "\\t", 2);
			break;
		case '\f':
			jsonw_mem(w, "\\f", 2);
			break;
		default:
			esc[4] = hex[*p >> 4];
			esc[5] = hex[*p & 15];
			jsonw_mem(w, esc, 6);
			break;
		}
		p++;
	}
	jsonw_mem(w, "\"", 1);
}

void
jsonw_key(struct jsonw *w, const char *k)
{
	jsonw_sep(w);
	jsonw_quote(w, k);
	jsonw_mem(w, ":", 1);
	w->first = 1;	/* the value follows without a comma */
}

void
jsonw_str(struct jsonw *w, const char *s)
{
	jsonw_sep(w);
	jsonw_quote(w, s);
}

void
jsonw_int(struct jsonw *w, long long v)
{
	char num[24];
	int n;

	jsonw_sep(w);
	n = snprintf(num, sizeof(num), "%lld", v);
	jsonw_mem(w, num, (size_t)n);
}

void
jsonw_raw(struct jsonw *w, const char *json, size_t len)
{
	jsonw_sep(w);
	jsonw_mem(w, json, len);
}

void
jsonw_kv(struct jsonw *w, const char *k, const char *v)
{
	jsonw_key(w, k);
	jsonw_str(w, v);
}

void
jsonw_obj1(struct jsonw *w, const char *k, const char *v)
{
	jsonw_open(w, '{');
	jsonw_kv(w, k, v);
	jsonw_close(w, '}');
}

char *
jsonw_finish(struct jsonw *w, size_t *len)
{
	char *s = NULL;

	if (!w->err && w->buf != NULL) {
		w->buf[w->len] = '\0';
		s = w->buf;
		*len = w->len;
	} else
		free(w->buf);
	memset(w, 0, sizeof(*w));
	return s;
}

void
jsonw_free(struct jsonw *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}
