/* The event a verified callback becomes; see cbevent.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cbevent.h"
#include "crypto.h"
#include "util.h"

/* 1 when name is one of ossign's own variables (summed up elsewhere). */
static int
cbevent_own(const char *name)
{
	size_t i;

	for (i = 0; i < CALLBACK_VAR__MAX; i++)
		if (strcmp(name, callback_var_names[i]) == 0)
			return 1;
	return 0;
}

static int
cbevent_add(json_object *o, const char *k, json_object *v)
{
	if (v == NULL)
		return -1;
	if (json_object_object_add(o, k, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

/* The body's variables but ossign's: strings, or the JSON they were. */
static json_object *
cbevent_vars(const struct callback_vars *vars)
{
	const struct callback_var_value *vv;
	json_object *o, *v;
	size_t i;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	for (i = 0; i < vars->n; i++) {
		vv = &vars->v[i];
		if (cbevent_own(vv->name))
			continue;
		/* Not a string: JSON text callback_body_parse checked. */
		v = vv->is_string ?
		    json_object_new_string_len(vv->value, (int)vv->len) :
		    json_tokener_parse(vv->value);
		/* json-c's null is NULL: only "null" may come back so. */
		if (v == NULL && (vv->is_string ||
		    strcmp(vv->value, "null") != 0))
			goto fail;
		if (json_object_object_add(o, vv->name, v) != 0) {
			json_object_put(v);
			goto fail;
		}
	}
	return o;
fail:
	json_object_put(o);
	return NULL;
}

char *
cbevent_json(const struct callback_event *ev, const struct callback_vars *vars,
    const char *bucket, time_t now, int verified, size_t *len)
{
	json_object *o, *sig;
	const char *txt;
	char when[21], exp[25];
	char *out = NULL;
	size_t n;

	util_iso(now, when);
	util_iso_ms(ev->expiration, exp);
	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (cbevent_add(o, "event", json_object_new_string(ev->id)) == -1 ||
	    cbevent_add(o, "type", json_object_new_string("ossign.upload")) ==
	    -1 ||
	    cbevent_add(o, "received", json_object_new_string(when)) == -1 ||
	    cbevent_add(o, "bucket", json_object_new_string(bucket)) == -1 ||
	    cbevent_add(o, "object", json_object_new_string(ev->object)) ==
	    -1 ||
	    cbevent_add(o, "upload", json_object_new_string(ev->upload)) ==
	    -1)
		goto out;
	/* NULL is JSON null: json-c adds it as such. */
	if (json_object_object_add(o, "user", ev->user[0] != '\0' ?
	    json_object_new_string(ev->user) : NULL) != 0)
		goto out;
	if ((sig = json_object_new_object()) == NULL ||
	    cbevent_add(o, "signed", sig) == -1 ||
	    cbevent_add(sig, "key", json_object_new_string(ev->key)) == -1 ||
	    cbevent_add(sig, "match", json_object_new_string(ev->prefix ?
	    "prefix" : "exact")) == -1 ||
	    cbevent_add(sig, "expiration", json_object_new_string(exp)) == -1 ||
	    cbevent_add(o, "object_verified",
	    json_object_new_boolean(verified)) == -1 ||
	    cbevent_add(o, "callback", cbevent_vars(vars)) == -1)
		goto out;
	if ((txt = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &n)) == NULL ||
	    (out = malloc(n + 1)) == NULL)
		goto out;
	memcpy(out, txt, n + 1);
	*len = n;
out:
	json_object_put(o);
	return out;
}

int
cbevent_sign(const void *secret, size_t secretlen, time_t t, const char *body,
    size_t len, char out[CBEVENT_SIG_LEN + 1])
{
	unsigned char mac[CRYPTO_SHA256_LEN];
	char ts[24], hex[2 * CRYPTO_SHA256_LEN + 1], *msg;
	size_t dl = strlen(CBEVENT_DOMAIN), tl;
	int rc = -1;

	if (secret == NULL || secretlen == 0 || (body == NULL && len > 0))
		return -1;
	tl = (size_t)snprintf(ts, sizeof(ts), "%lld", (long long)t);
	if ((msg = malloc(dl + 1 + tl + 1 + len + 1)) == NULL)
		return -1;
	memcpy(msg, CBEVENT_DOMAIN "\n", dl + 1);
	memcpy(msg + dl + 1, ts, tl);
	msg[dl + 1 + tl] = '\n';
	if (len > 0)
		memcpy(msg + dl + 2 + tl, body, len);
	if (crypto_hmac_sha256(secret, secretlen, msg, dl + 2 + tl + len,
	    mac) == 0) {
		crypto_hex(mac, sizeof(mac), hex);
		snprintf(out, CBEVENT_SIG_LEN + 1, "t=%s,v1=%s", ts, hex);
		rc = 0;
	}
	crypto_wipe(mac, sizeof(mac));
	free(msg);
	return rc;
}

char *
cbevent_answer(const struct callback_event *ev, size_t *len)
{
	json_object *o;
	const char *txt;
	char *out = NULL;
	size_t n;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (cbevent_add(o, "status", json_object_new_string("ok")) == 0 &&
	    cbevent_add(o, "event", json_object_new_string(ev->id)) == 0 &&
	    cbevent_add(o, "object", json_object_new_string(ev->object)) ==
	    0 && (txt = json_object_to_json_string_length(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n)) !=
	    NULL && (out = malloc(n + 1)) != NULL) {
		memcpy(out, txt, n + 1);
		*len = n;
	}
	json_object_put(o);
	return out;
}
