/*
 * Fuzz target: callback bodies and templates.  The input is "TYPE\nBODY":
 * TYPE "j" or "f" stands for application/json or the form type, anything
 * else is taken as the Content-Type itself.  BODY goes through
 * callback_body_parse() and callback_ticket_check() (secret, bucket and
 * clock fixed below, so a seed can carry a valid ticket), then as a
 * callback_body template through callback_settings_check(),
 * callback_param() and callback_form_new().  Checks: parsed names are
 * unique and within the limits; an accepted ticket's object is the key or
 * under the prefix; an accepted template makes a `callback` field within
 * OSS's limit that holds the template unchanged, and a form.
 */
#include <string.h>

#include <json-c/json.h>

#include "callback.h"
#include "crypto.h"
#include "fuzz.h"
#include "limit.h"

/* The seeds' ticket secret (32 bytes of nothing secret). */
#define FUZZ_SECRET	"fuzz-callback-secret-0123456789a"
#define FUZZ_BUCKET	"fuzz-bucket"
#define FUZZ_NOW	1795500000	/* 2026-11-24T06:00:00Z: the seeds'
					   tickets expire a day later */

static void
fuzz_cbbody_vars(const char *ctype, const char *body, size_t len)
{
	struct callback_vars *vars = NULL;
	struct callback_event ev;
	enum callback_err e;
	size_t i, k;

	e = callback_body_parse(ctype, body, len, &vars);
	FUZZ_CHECK(e >= CALLBACK_OK && e < CALLBACK__MAX);
	FUZZ_CHECK(callback_err_message(e)[0] != '\0');
	if (e != CALLBACK_OK) {
		FUZZ_CHECK(vars == NULL);
		return;
	}
	FUZZ_CHECK(vars->n <= LIMIT_CB_VARS);
	for (i = 0; i < vars->n; i++) {
		FUZZ_CHECK(vars->v[i].value[vars->v[i].len] == '\0');
		FUZZ_CHECK(vars->v[i].len <= len);
		if (vars->type == CALLBACK_FORM)
			FUZZ_CHECK(vars->v[i].is_string);
		for (k = 0; k < i; k++)
			FUZZ_CHECK(strcmp(vars->v[i].name, vars->v[k].name) !=
			    0);
	}
	e = callback_ticket_check(vars, FUZZ_BUCKET, FUZZ_SECRET,
	    sizeof(FUZZ_SECRET) - 1, FUZZ_NOW, DEFAULT_CB_GRACE, &ev);
	FUZZ_CHECK(e >= CALLBACK_OK && e < CALLBACK__MAX && e !=
	    CALLBACK_INTERNAL);
	if (e == CALLBACK_OK) {
		FUZZ_CHECK(strlen(ev.id) == CALLBACK_ID_LEN);
		FUZZ_CHECK(ev.key[0] != '\0' && ev.upload[0] != '\0');
		if (ev.prefix)
			FUZZ_CHECK(strncmp(ev.object, ev.key,
			    strlen(ev.key)) == 0);
		else
			FUZZ_CHECK(strcmp(ev.object, ev.key) == 0);
		FUZZ_CHECK(FUZZ_NOW - ev.expiration <= DEFAULT_CB_GRACE);
	}
	callback_vars_free(vars);
}

static void
fuzz_cbbody_template(enum callback_body_type type, const char *tpl)
{
	struct callback_settings s;
	struct callback_values v;
	struct callback_form *f;
	enum callback_key bad;
	unsigned char dec[LIMIT_CB_PARAM];
	json_object *j, *b;
	char err[512], *param;
	long n;

	memset(&s, 0, sizeof(s));
	s.url = "https://www.example.com/ossign/callback";
	s.sni = -1;
	s.body_type = type;
	s.body = tpl;
	err[0] = '\0';
	if (callback_settings_check(&s, &bad, err, sizeof(err)) == -1) {
		FUZZ_CHECK(strncmp(err, "callback_body: ", 15) == 0 &&
		    bad == CALLBACK_KEY_BODY);
		return;
	}
	FUZZ_CHECK((param = callback_param(&s)) != NULL);
	FUZZ_CHECK(strlen(param) <= LIMIT_CB_PARAM);
	n = crypto_unb64(param, strlen(param), dec, sizeof(dec) - 1);
	FUZZ_CHECK(n > 0);
	dec[n] = '\0';
	FUZZ_CHECK((j = json_tokener_parse((char *)dec)) != NULL);
	FUZZ_CHECK(json_object_object_get_ex(j, "callbackBody", &b));
	FUZZ_CHECK(strcmp(json_object_get_string(b), tpl) == 0);
	json_object_put(j);
	free(param);

	memset(&v, 0, sizeof(v));
	v.bucket = FUZZ_BUCKET;
	v.upload = "default";
	v.key = "uploads/";
	v.prefix = 1;
	v.expiration = FUZZ_NOW;
	f = callback_form_new(&s, &v, FUZZ_SECRET, sizeof(FUZZ_SECRET) - 1,
	    err, sizeof(err));
	FUZZ_CHECK(f != NULL && f->n == 1 + CALLBACK_VAR__MAX);
	callback_form_free(f);
}

int
fuzz_cbbody(const uint8_t *data, size_t size)
{
	char *in, *nl, *body;
	const char *ctype;
	size_t len;

	if ((in = malloc(size + 1)) == NULL)
		abort();
	memcpy(in, data, size);
	in[size] = '\0';
	if ((nl = memchr(in, '\n', size)) == NULL) {
		free(in);
		return 0;
	}
	*nl = '\0';
	body = nl + 1;
	len = size - (size_t)(body - in);
	if (strcmp(in, "j") == 0)
		ctype = callback_body_types[CALLBACK_JSON];
	else if (strcmp(in, "f") == 0)
		ctype = callback_body_types[CALLBACK_FORM];
	else
		ctype = in;
	fuzz_cbbody_vars(ctype, body, len);
	if (memchr(body, '\0', len) == NULL)
		fuzz_cbbody_template(strcmp(in, "f") == 0 ? CALLBACK_FORM :
		    CALLBACK_JSON, body);
	free(in);
	return 0;
}

FUZZ_ENTRY(fuzz_cbbody)
