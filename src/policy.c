/* The PostObject policy document; see policy.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "crypto.h"
#include "policy.h"
#include "util.h"

#ifndef JSON_C_TO_STRING_NOSLASHESCAPE
#define JSON_C_TO_STRING_NOSLASHESCAPE	(1 << 4)
#endif

struct policy {
	json_object	*root;
	json_object	*conds;		/* borrowed from root */
};

struct policy *
policy_new(time_t expiration)
{
	struct policy *p;
	char exp[25];

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	util_iso_ms(expiration, exp);
	if ((p->root = json_object_new_object()) == NULL ||
	    (p->conds = json_object_new_array()) == NULL) {
		json_object_put(p->root);
		free(p);
		return NULL;
	}
	if (json_object_object_add(p->root, "expiration",
	    json_object_new_string(exp)) != 0 ||
	    json_object_object_add(p->root, "conditions", p->conds) != 0) {
		json_object_put(p->conds);
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
	json_object_put(p->root);
	free(p);
}

static int
policy_push(struct policy *p, json_object *cond)
{
	if (cond == NULL)
		return -1;
	if (json_object_array_add(p->conds, cond) != 0) {
		json_object_put(cond);
		return -1;
	}
	return 0;
}

/* ["op", "$field", value] with value already built (owned). */
static int
policy_triple(struct policy *p, const char *op, const char *field,
    json_object *value)
{
	json_object *a;
	char name[256];

	if (value == NULL)
		return -1;
	if ((size_t)snprintf(name, sizeof(name), "$%s", field) >=
	    sizeof(name) || (a = json_object_new_array()) == NULL) {
		json_object_put(value);
		return -1;
	}
	json_object_array_add(a, json_object_new_string(op));
	json_object_array_add(a, json_object_new_string(name));
	json_object_array_add(a, value);
	return policy_push(p, a);
}

int
policy_add_exact(struct policy *p, const char *field, const char *value)
{
	json_object *o;

	if ((o = json_object_new_object()) == NULL)
		return -1;
	if (json_object_object_add(o, field,
	    json_object_new_string(value)) != 0) {
		json_object_put(o);
		return -1;
	}
	return policy_push(p, o);
}

int
policy_add_eq(struct policy *p, const char *field, const char *value)
{
	return policy_triple(p, "eq", field, json_object_new_string(value));
}

int
policy_add_starts_with(struct policy *p, const char *field,
    const char *prefix)
{
	return policy_triple(p, "starts-with", field,
	    json_object_new_string(prefix));
}

static json_object *
policy_list(char *const *values, size_t n)
{
	json_object *a;
	size_t i;

	if ((a = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (json_object_array_add(a,
		    json_object_new_string(values[i])) != 0) {
			json_object_put(a);
			return NULL;
		}
	return a;
}

int
policy_add_in(struct policy *p, const char *field, char *const *values,
    size_t n)
{
	return policy_triple(p, "in", field, policy_list(values, n));
}

int
policy_add_not_in(struct policy *p, const char *field, char *const *values,
    size_t n)
{
	return policy_triple(p, "not-in", field, policy_list(values, n));
}

int
policy_add_range(struct policy *p, long long min, long long max)
{
	json_object *a;

	if (min < 0 || min > max || (a = json_object_new_array()) == NULL)
		return -1;
	json_object_array_add(a, json_object_new_string(
	    "content-length-range"));
	json_object_array_add(a, json_object_new_int64(min));
	json_object_array_add(a, json_object_new_int64(max));
	return policy_push(p, a);
}

int
policy_render(const struct policy *p, char **json, char **b64)
{
	const char *s;
	size_t len;
	char *j = NULL, *b = NULL;

	s = json_object_to_json_string_length(p->root,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if (s == NULL || (j = strndup(s, len)) == NULL)
		return -1;
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
