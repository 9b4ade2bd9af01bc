/* session_policy = auto; see rampolicy.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "conf.h"
#include "limit.h"
#include "rampolicy.h"
#include "sbuf.h"

char *
rampolicy_auto(const struct conf *conf, char *err, size_t errlen)
{
	json_object *doc = NULL, *st, *stmts, *acts, *res;
	char **pre = NULL, *out = NULL;
	struct sbuf b = { 0 };
	const char *text;
	size_t i, k, n = 0, len;
	int covered;

	if ((pre = calloc(conf->nuploads ? conf->nuploads : 1,
	    sizeof(*pre))) == NULL)
		goto oom;
	/* The static part of each prefix: ${...} may expand to anything. */
	for (i = 0; i < conf->nuploads; i++) {
		const char *p = conf->uploads[i].key_prefix ?
		    conf->uploads[i].key_prefix : "";

		len = strstr(p, "${") ? (size_t)(strstr(p, "${") - p) :
		    strlen(p);
		if ((pre[n] = strndup(p, len)) == NULL)
			goto oom;
		n++;
	}
	if ((doc = json_object_new_object()) == NULL ||
	    json_object_object_add(doc, "Version",
	    json_object_new_string("1")) != 0 ||
	    (stmts = json_object_new_array()) == NULL ||
	    json_object_object_add(doc, "Statement", stmts) != 0 ||
	    (st = json_object_new_object()) == NULL ||
	    json_object_array_add(stmts, st) != 0 ||
	    json_object_object_add(st, "Effect",
	    json_object_new_string("Allow")) != 0 ||
	    (acts = json_object_new_array()) == NULL ||
	    json_object_object_add(st, "Action", acts) != 0 ||
	    json_object_array_add(acts,
	    json_object_new_string("oss:PutObject")) != 0 ||
	    (res = json_object_new_array()) == NULL ||
	    json_object_object_add(st, "Resource", res) != 0)
		goto oom;
	for (i = 0; i < n; i++) {
		/* Skip a prefix another one covers (or a repeat of one). */
		for (covered = 0, k = 0; k < n && !covered; k++)
			if (k != i && strncmp(pre[i], pre[k],
			    strlen(pre[k])) == 0 && (strlen(pre[k]) <
			    strlen(pre[i]) || k < i))
				covered = 1;
		if (covered)
			continue;
		sbuf_free(&b);
		sbuf_str(&b, "acs:oss:*:*:");
		sbuf_str(&b, conf->bucket);
		sbuf_str(&b, "/");
		sbuf_str(&b, pre[i]);
		sbuf_str(&b, "*");
		if (b.oom || json_object_array_add(res,
		    json_object_new_string(b.p)) != 0)
			goto oom;
	}
	if ((text = json_object_to_json_string_ext(doc,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)) == NULL)
		goto oom;
	if (strlen(text) > LIMIT_SESSION_POLICY) {
		snprintf(err, errlen, "session_policy = auto: the policy for "
		    "these key prefixes is %zu characters, over the %d STS "
		    "allows: use fewer prefixes or write session_policy",
		    strlen(text), LIMIT_SESSION_POLICY);
		goto out;
	}
	if ((out = strdup(text)) == NULL)
		goto oom;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
out:
	json_object_put(doc);
	sbuf_free(&b);
	for (i = 0; i < n; i++)
		free(pre[i]);
	free(pre);
	return out;
}
