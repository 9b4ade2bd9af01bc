/* jsonw: structure, commas and json-c compatible escaping. */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "jsonw.h"
#include "tap.h"

int
main(void)
{
	struct jsonw w;
	json_object *o;
	char *s, *c;
	size_t len;
	const char *nasty = "q\"b\\s/\x01\n\t\x1f\xe2\x98\x83";

	tap_plan(6);
	jsonw_init(&w, 8);	/* small on purpose: it must grow */
	jsonw_open(&w, '{');
	jsonw_kv(&w, "a", "1");
	jsonw_key(&w, "list");
	jsonw_open(&w, '[');
	jsonw_str(&w, "x");
	jsonw_int(&w, -5);
	jsonw_obj1(&w, "k", "v");
	jsonw_close(&w, ']');
	jsonw_kv(&w, "n", nasty);
	jsonw_close(&w, '}');
	s = jsonw_finish(&w, &len);
	is_str(s, "{\"a\":\"1\",\"list\":[\"x\",-5,{\"k\":\"v\"}],"
	    "\"n\":\"q\\\"b\\\\s/\\u0001\\n\\t\\u001f\xe2\x98\x83\"}",
	    "structure and escapes");
	ok(s != NULL && len == strlen(s), "length");

	/* Same bytes as json-c with the flags the policy needs. */
	o = json_object_new_object();
	json_object_object_add(o, "n", json_object_new_string(nasty));
	c = strdup(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	jsonw_init(&w, 64);
	jsonw_open(&w, '{');
	jsonw_kv(&w, "n", nasty);
	jsonw_close(&w, '}');
	free(s);
	s = jsonw_finish(&w, &len);
	is_str(s, c, "matches json-c");
	free(c);

	o = json_tokener_parse(s);
	ok(o != NULL && strcmp(json_object_get_string(json_object_object_get(
	    o, "n")), nasty) == 0, "parses back to the same string");
	json_object_put(o);
	free(s);

	jsonw_init(&w, 64);
	jsonw_open(&w, '[');
	jsonw_close(&w, ']');
	s = jsonw_finish(&w, &len);
	is_str(s, "[]", "empty array");
	free(s);
	jsonw_init(&w, 64);
	jsonw_free(&w);
	jsonw_free(&w);
	ok(w.buf == NULL, "free twice");
	return tap_done();
}
