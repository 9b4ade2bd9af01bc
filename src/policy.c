/* The PostObject policy document; see policy.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "jsonw.h"
#include "policy.h"
#include "util.h"

/* The document so far: {"expiration":"...","conditions":[ ... */
struct policy {
	struct jsonw	 w;
};

struct policy *
policy_new(time_t expiration)
{
	struct policy *p;
	char exp[25];

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	util_iso_ms(expiration, exp);
	jsonw_init(&p->w, 1024);
	jsonw_open(&p->w, '{');
	jsonw_kv(&p->w, "expiration", exp);
	jsonw_key(&p->w, "conditions");
	jsonw_open(&p->w, '[');
	if (p->w.err) {
		policy_free(p);
		return NULL;
	}
	return p;
}

void
policy_free(struct policy *p)
{
	if (p == NULL)
		return;
	jsonw_free(&p->w);
	free(p);
}

static int
policy_ok(const struct policy *p)
{
	return p->w.err ? -1 : 0;
}

int
policy_add_exact(struct policy *p, const char *field, const char *value)
{
	jsonw_obj1(&p->w, field, value);
	return policy_ok(p);
}

/* ["op","$field", ...: the caller adds the value and the ']'. */
static int
policy_head(struct policy *p, const char *op, const char *field)
{
	char name[256];

	if ((size_t)snprintf(name, sizeof(name), "$%s", field) >= sizeof(name))
		return -1;
	jsonw_open(&p->w, '[');
	jsonw_str(&p->w, op);
	jsonw_str(&p->w, name);
	return 0;
}

static int
policy_triple(struct policy *p, const char *op, const char *field,
    const char *value)
{
	if (policy_head(p, op, field) == -1)
		return -1;
	jsonw_str(&p->w, value);
	jsonw_close(&p->w, ']');
	return policy_ok(p);
}

int
policy_add_eq(struct policy *p, const char *field, const char *value)
{
	return policy_triple(p, "eq", field, value);
}

int
policy_add_starts_with(struct policy *p, const char *field,
    const char *prefix)
{
	return policy_triple(p, "starts-with", field, prefix);
}

static int
policy_list(struct policy *p, const char *op, const char *field,
    char *const *values, size_t n)
{
	size_t i;

	if (policy_head(p, op, field) == -1)
		return -1;
	jsonw_open(&p->w, '[');
	for (i = 0; i < n; i++)
		jsonw_str(&p->w, values[i]);
	jsonw_close(&p->w, ']');
	jsonw_close(&p->w, ']');
	return policy_ok(p);
}

int
policy_add_in(struct policy *p, const char *field, char *const *values,
    size_t n)
{
	return policy_list(p, "in", field, values, n);
}

int
policy_add_not_in(struct policy *p, const char *field, char *const *values,
    size_t n)
{
	return policy_list(p, "not-in", field, values, n);
}

int
policy_add_range(struct policy *p, long long min, long long max)
{
	if (min < 0 || min > max)
		return -1;
	jsonw_open(&p->w, '[');
	jsonw_str(&p->w, "content-length-range");
	jsonw_int(&p->w, min);
	jsonw_int(&p->w, max);
	jsonw_close(&p->w, ']');
	return policy_ok(p);
}

int
policy_render(const struct policy *p, char **json, char **b64)
{
	size_t len;
	char *j, *b = NULL;

	if (p->w.err)
		return -1;
	len = p->w.len + 2;
	if ((j = malloc(len + 1)) == NULL)
		return -1;
	memcpy(j, p->w.buf, p->w.len);
	memcpy(j + p->w.len, "]}", 3);
	if (b64 != NULL) {
		if ((b = malloc(crypto_b64_size(len))) == NULL) {
			free(j);
			return -1;
		}
		crypto_b64(j, len, b);
		*b64 = b;
	}
	*json = j;
	return 0;
}
