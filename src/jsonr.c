/* Strict JSON reading over json-c; see jsonr.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "crypto.h"
#include "jsonr.h"
#include "util.h"

/* The grammar check: a cursor over the text and what it has counted. */
struct jsonr_scan {
	const char	*p, *end;
	int		 depth, maxdepth;
	size_t		 members;	/* in every object, duplicates included */
	const char	*err;
};

static int	jsonr_value(struct jsonr_scan *);

static void
jsonr_ws(struct jsonr_scan *sc)
{
	while (sc->p < sc->end && (*sc->p == ' ' || *sc->p == '\t' ||
	    *sc->p == '\n' || *sc->p == '\r'))
		sc->p++;
}

static int
jsonr_fail(struct jsonr_scan *sc, const char *err)
{
	if (sc->err == NULL)
		sc->err = err;
	return -1;
}

static int
jsonr_hex4(const char *p, unsigned int *cp)
{
	int i;

	*cp = 0;
	for (i = 0; i < 4; i++) {
		*cp <<= 4;
		if (p[i] >= '0' && p[i] <= '9')
			*cp |= (unsigned int)(p[i] - '0');
		else if (p[i] >= 'a' && p[i] <= 'f')
			*cp |= (unsigned int)(p[i] - 'a' + 10);
		else if (p[i] >= 'A' && p[i] <= 'F')
			*cp |= (unsigned int)(p[i] - 'A' + 10);
		else
			return -1;
	}
	return 0;
}

static int
jsonr_scan_string(struct jsonr_scan *sc)
{
	unsigned int cp, lo;

	sc->p++;	/* the opening quote */
	while (sc->p < sc->end) {
		unsigned char c = (unsigned char)*sc->p;

		if (c == '"') {
			sc->p++;
			return 0;
		}
		if (c < 0x20)
			return jsonr_fail(sc, "a control byte in a string");
		if (c != '\\') {
			sc->p++;
			continue;
		}
		if (sc->end - sc->p < 2)
			break;
		switch (sc->p[1]) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n':
		case 'r': case 't':
			sc->p += 2;
			continue;
		case 'u':
			break;
		default:
			return jsonr_fail(sc, "a bad escape in a string");
		}
		if (sc->end - sc->p < 6 || jsonr_hex4(sc->p + 2, &cp) == -1)
			return jsonr_fail(sc, "a bad \\u escape in a string");
		sc->p += 6;
		if (cp == 0)
			return jsonr_fail(sc, "\\u0000 in a string");
		if (cp >= 0xdc00 && cp <= 0xdfff)
			return jsonr_fail(sc, "a lone surrogate in a string");
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (sc->end - sc->p < 6 || sc->p[0] != '\\' ||
			    sc->p[1] != 'u' || jsonr_hex4(sc->p + 2, &lo) == -1 ||
			    lo < 0xdc00 || lo > 0xdfff)
				return jsonr_fail(sc,
				    "a lone surrogate in a string");
			sc->p += 6;
		}
	}
	return jsonr_fail(sc, "an unterminated string");
}

static int
jsonr_digits(struct jsonr_scan *sc)
{
	const char *start = sc->p;

	while (sc->p < sc->end && *sc->p >= '0' && *sc->p <= '9')
		sc->p++;
	return sc->p > start ? 0 : -1;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int
jsonr_number(struct jsonr_scan *sc)
{
	if (*sc->p == '-')
		sc->p++;
	if (sc->p < sc->end && *sc->p == '0')
		sc->p++;
	else if (jsonr_digits(sc) == -1)
		return jsonr_fail(sc, "a malformed number");
	if (sc->p < sc->end && *sc->p == '.') {
		sc->p++;
		if (jsonr_digits(sc) == -1)
			return jsonr_fail(sc, "a malformed number");
	}
	if (sc->p < sc->end && (*sc->p == 'e' || *sc->p == 'E')) {
		sc->p++;
		if (sc->p < sc->end && (*sc->p == '+' || *sc->p == '-'))
			sc->p++;
		if (jsonr_digits(sc) == -1)
			return jsonr_fail(sc, "a malformed number");
	}
	return 0;
}

static int
jsonr_literal(struct jsonr_scan *sc, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(sc->end - sc->p) < n || memcmp(sc->p, word, n) != 0)
		return jsonr_fail(sc, "an unexpected character");
	sc->p += n;
	return 0;
}

/* An object or array after its opening bracket; close is '}' or ']'. */
static int
jsonr_container(struct jsonr_scan *sc, char close)
{
	if (++sc->depth > sc->maxdepth)
		return jsonr_fail(sc, "nested too deep");
	sc->p++;
	jsonr_ws(sc);
	if (sc->p < sc->end && *sc->p == close) {
		sc->p++;
		sc->depth--;
		return 0;
	}
	for (;;) {
		if (close == '}') {
			if (sc->p >= sc->end || *sc->p != '"')
				return jsonr_fail(sc, "a member name expected");
			if (jsonr_scan_string(sc) == -1)
				return -1;
			jsonr_ws(sc);
			if (sc->p >= sc->end || *sc->p != ':')
				return jsonr_fail(sc, "':' expected");
			sc->p++;
			sc->members++;
		}
		if (jsonr_value(sc) == -1)
			return -1;
		jsonr_ws(sc);
		if (sc->p >= sc->end)
			return jsonr_fail(sc, "truncated");
		if (*sc->p == close) {
			sc->p++;
			sc->depth--;
			return 0;
		}
		if (*sc->p != ',')
			return jsonr_fail(sc, "',' expected");
		sc->p++;
		jsonr_ws(sc);
	}
}

static int
jsonr_value(struct jsonr_scan *sc)
{
	jsonr_ws(sc);
	if (sc->p >= sc->end)
		return jsonr_fail(sc, "truncated");
	switch (*sc->p) {
	case '{':
		return jsonr_container(sc, '}');
	case '[':
		return jsonr_container(sc, ']');
	case '"':
		return jsonr_scan_string(sc);
	case 't':
		return jsonr_literal(sc, "true");
	case 'f':
		return jsonr_literal(sc, "false");
	case 'n':
		return jsonr_literal(sc, "null");
	default:
		if (*sc->p == '-' || (*sc->p >= '0' && *sc->p <= '9'))
			return jsonr_number(sc);
		return jsonr_fail(sc, "an unexpected character");
	}
}

/* Members of every object in the tree, as json-c kept them. */
static size_t
jsonr_tree_members(struct json_object *o)
{
	size_t n = 0, i, len;

	switch (json_object_get_type(o)) {
	case json_type_object: {
		json_object_object_foreach(o, k, v) {
			(void)k;
			n += 1 + jsonr_tree_members(v);
		}
		return n;
	}
	case json_type_array:
		len = json_object_array_length(o);
		for (i = 0; i < len; i++)
			n += jsonr_tree_members(json_object_array_get_idx(o, i));
		return n;
	default:
		return 0;
	}
}

/* Overwrite every string in j (secrets live in some of them). */
static void
jsonr_wipe(struct json_object *j)
{
	struct json_object_iterator it, end;
	size_t i, n;

	switch (json_object_get_type(j)) {
	case json_type_string:
		crypto_wipe((char *)json_object_get_string(j),
		    (size_t)json_object_get_string_len(j));
		break;
	case json_type_array:
		n = json_object_array_length(j);
		for (i = 0; i < n; i++)
			jsonr_wipe(json_object_array_get_idx(j, i));
		break;
	case json_type_object:
		it = json_object_iter_begin(j);
		end = json_object_iter_end(j);
		while (!json_object_iter_equal(&it, &end)) {
			jsonr_wipe(json_object_iter_peek_value(&it));
			json_object_iter_next(&it);
		}
		break;
	default:
		break;
	}
}

void
jsonr_free(struct json_object *j)
{
	if (j == NULL)
		return;
	jsonr_wipe(j);
	json_object_put(j);
}

/*
 * The tokener keeps the last string it read in a scratch buffer, freed
 * without a wipe: parsing a dummy string as long as the input overwrites
 * it first.
 */
static void
jsonr_scrub(struct json_tokener *tok, size_t len)
{
	char *dummy;

	if ((dummy = malloc(len + 3)) == NULL)
		return;
	dummy[0] = '"';
	memset(dummy + 1, 'x', len);
	dummy[len + 1] = '"';
	dummy[len + 2] = '\0';
	json_tokener_reset(tok);
	json_object_put(json_tokener_parse_ex(tok, dummy, (int)len + 2));
	free(dummy);
}

struct json_object *
jsonr_parse(const char *s, size_t len, int depth, char *why, size_t whylen)
{
	struct jsonr_scan sc;
	struct json_tokener *tok = NULL;
	struct json_object *o = NULL;

	memset(&sc, 0, sizeof(sc));
	sc.p = s;
	sc.end = s + len;
	sc.maxdepth = depth;
	if (len > 0x7fffffff || !util_utf8_valid(s, len)) {
		snprintf(why, whylen, "not UTF-8");
		return NULL;
	}
	jsonr_ws(&sc);
	if (sc.p >= sc.end || *sc.p != '{') {
		snprintf(why, whylen, "not a JSON object");
		return NULL;
	}
	if (jsonr_value(&sc) == -1) {
		snprintf(why, whylen, "not JSON: %s at byte %zu", sc.err,
		    (size_t)(sc.p - s));
		return NULL;
	}
	jsonr_ws(&sc);
	if (sc.p != sc.end) {
		snprintf(why, whylen, "not JSON: bytes after the object");
		return NULL;
	}
	/* The grammar holds: json-c builds the tree. */
	if ((tok = json_tokener_new_ex(depth + 1)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, s, (int)len);
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(o, json_type_object)) {
		snprintf(why, whylen, "not JSON (json-c: %s)",
		    json_tokener_error_desc(json_tokener_get_error(tok)));
		jsonr_free(o);
		o = NULL;
	} else if (jsonr_tree_members(o) != sc.members) {
		snprintf(why, whylen, "a member name appears twice");
		jsonr_free(o);
		o = NULL;
	}
	jsonr_scrub(tok, len);
	json_tokener_free(tok);
	return o;
}

int
jsonr_str(struct json_object *obj, const char *name, const char **out)
{
	struct json_object *v;

	*out = NULL;
	if (!json_object_object_get_ex(obj, name, &v))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return -1;
	*out = json_object_get_string(v);
	return 1;
}

const char *
jsonr_get(struct json_object *obj, const char *name)
{
	const char *v;

	return obj != NULL && jsonr_str(obj, name, &v) == 1 ? v : NULL;
}
