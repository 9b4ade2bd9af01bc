/* A multipart upload's callback headers; see s3callback.h. */
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "jsonw.h"
#include "s3callback.h"

int
s3callback_headers(const struct callback_form *f, char **callback,
    char **var)
{
	struct jsonw w;
	char *json, *cb = NULL, *b64 = NULL;
	size_t i, len;
	int have = 0;

	*callback = *var = NULL;
	if (f == NULL)
		return -1;
	jsonw_init(&w, 512);
	jsonw_open(&w, '{');
	for (i = 0; i < f->n; i++) {
		if (strcmp(f->fields[i].name, "callback") == 0) {
			free(cb);
			if ((cb = strdup(f->fields[i].value)) == NULL)
				break;
			have = 1;
		} else if (strncmp(f->fields[i].name, "x:", 2) == 0)
			jsonw_kv(&w, f->fields[i].name, f->fields[i].value);
	}
	jsonw_close(&w, '}');
	json = jsonw_finish(&w, &len);
	if (json == NULL || !have || i < f->n ||
	    (b64 = malloc(crypto_b64_size(len))) == NULL) {
		free(json);
		free(cb);
		return -1;
	}
	crypto_b64(json, len, b64);
	free(json);
	*callback = cb;
	*var = b64;
	return 0;
}
