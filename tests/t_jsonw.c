/* jsonw: structure, commas and json-c compatible escaping. */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "jsonw.h"
#include "tap.h"

/* 1 when jsonw and json-c (as the policy uses it) quote str differently. */
static int
json_c_differs(const char *str)
{
	struct jsonw w;
	json_object *o;
	char *s;
	size_t len;
	int differs;

	o = json_object_new_string(str);
	jsonw_init(&w, 16);
	jsonw_str(&w, str);
	s = jsonw_finish(&w, &len);
	differs = s == NULL || strcmp(s, json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)) != 0;
	json_object_put(o);
	free(s);
	return differs;
}

int
main(void)
{
	struct jsonw w;
	json_object *o;
	char *s, *c;
	size_t len;
	const char *nasty = "q\"b\\s/\x01\n\t\x1f\xe2\x98\x83";

	tap_plan(9);
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

	/*
	 * Every byte at every position of a string long enough for the
	 * 8-bytes-a-step scan, and pseudo-random strings of every length
	 * up to 80: always json-c's bytes.
	 */
	{
		char buf[96];
		int b, pos, n, bad = 0, tried = 0;
		unsigned long x = 12345;

		for (b = 1; b < 256; b++)
			for (pos = 0; pos < 24; pos++) {
				memset(buf, 'a', 23);
				buf[23] = '\0';
				buf[pos < 23 ? pos : 22] = (char)b;
				bad += json_c_differs(buf);
				tried++;
			}
		ok(bad == 0, "%d of %d single-byte strings differ from json-c",
		    bad, tried);
		bad = tried = 0;
		for (n = 0; n <= 80; n++)
			for (b = 0; b < 40; b++) {
				for (pos = 0; pos < n; pos++) {
					x = x * 1103515245 + 12345;
					/* mostly plain, sometimes special */
					buf[pos] = (char)((x >> 16) % 8 ?
					    'A' + (x >> 8) % 58 : (x >> 20) % 255 + 1);
				}
				buf[n] = '\0';
				bad += json_c_differs(buf);
				tried++;
			}
		ok(bad == 0, "%d of %d random strings differ from json-c",
		    bad, tried);
	}

	jsonw_init(&w, 64);
	jsonw_open(&w, '[');
	jsonw_close(&w, ']');
	s = jsonw_finish(&w, &len);
	is_str(s, "[]", "empty array");
	free(s);

	/* Pre-rendered values (a batch's entries) take their commas too. */
	jsonw_init(&w, 8);
	jsonw_open(&w, '{');
	jsonw_key(&w, "uploads");
	jsonw_open(&w, '[');
	jsonw_raw(&w, "{\"a\":1}", 7);
	jsonw_raw(&w, "{\"error\":{}}xx", 12);
	jsonw_close(&w, ']');
	jsonw_close(&w, '}');
	s = jsonw_finish(&w, &len);
	is_str(s, "{\"uploads\":[{\"a\":1},{\"error\":{}}]}",
	    "raw values, exactly len bytes, with commas");
	free(s);
	jsonw_init(&w, 64);
	jsonw_free(&w);
	jsonw_free(&w);
	ok(w.buf == NULL, "free twice");
	return tap_done();
}
