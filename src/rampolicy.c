/* session_policy = auto; see rampolicy.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "conf.h"
#include "limit.h"
#include "rampolicy.h"
#include "sbuf.h"

/*
 * Add acs:oss:*:*:BUCKET/PREFIX* to res for the static part (before the
 * first "${": it may expand to anything) of each upload's key_prefix,
 * only the multipart = yes ones when multipart_only; duplicates and
 * prefixes another one covers dropped.  Returns the number added, or -1
 * when out of memory.
 */
static int
rampolicy_resources(const struct conf *conf, int multipart_only,
    json_object *res)
{
	char **pre = NULL;
	struct sbuf b = { 0 };
	size_t i, k, n = 0, len;
	int covered, added = 0;

	if ((pre = calloc(conf->nuploads ? conf->nuploads : 1,
	    sizeof(*pre))) == NULL)
		return -1;
	for (i = 0; i < conf->nuploads; i++) {
		const char *p = conf->uploads[i].key_prefix ?
		    conf->uploads[i].key_prefix : "";

		if (multipart_only && !conf->uploads[i].multipart)
			continue;
		len = strstr(p, "${") ? (size_t)(strstr(p, "${") - p) :
		    strlen(p);
		if ((pre[n] = strndup(p, len)) == NULL)
			goto oom;
		n++;
	}
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
		added++;
	}
	goto out;
oom:
	added = -1;
out:
	sbuf_free(&b);
	for (i = 0; i < n; i++)
		free(pre[i]);
	free(pre);
	return added;
}

/* {"Effect":effect,"Action":[actions...]} added to stmts; NULL: oom. */
static json_object *
rampolicy_statement(json_object *stmts, const char *effect,
    const char *const *actions, size_t nactions)
{
	json_object *st, *acts;
	size_t i;

	if ((st = json_object_new_object()) == NULL)
		return NULL;
	if (json_object_array_add(stmts, st) != 0) {
		json_object_put(st);
		return NULL;
	}
	if (json_object_object_add(st, "Effect",
	    json_object_new_string(effect)) != 0 ||
	    (acts = json_object_new_array()) == NULL ||
	    json_object_object_add(st, "Action", acts) != 0)
		return NULL;
	for (i = 0; i < nactions; i++)
		if (json_object_array_add(acts,
		    json_object_new_string(actions[i])) != 0)
			return NULL;
	return st;
}

char *
rampolicy_auto(const struct conf *conf, char *err, size_t errlen)
{
	/* PostObject, and the parts, Initiate and Complete of multipart. */
	static const char *const put[] = { "oss:PutObject" };
	/* Multipart's other calls: ossign lists a finished upload's parts
	   and aborts one that breaks the rules (Uppy aborts too). */
	static const char *const multipart[] = { "oss:ListParts",
	    "oss:AbortMultipartUpload" };
	static const char *const publics[] = { "public-read",
	    "public-read-write" };
	json_object *doc = NULL, *st, *stmts, *res, *cond, *eq, *acl;
	const char *text;
	char *out = NULL;
	size_t i;
	int nmp = 0;

	for (i = 0; i < conf->nuploads; i++)
		nmp += conf->uploads[i].multipart;
	if ((doc = json_object_new_object()) == NULL ||
	    json_object_object_add(doc, "Version",
	    json_object_new_string("1")) != 0 ||
	    (stmts = json_object_new_array()) == NULL ||
	    json_object_object_add(doc, "Statement", stmts) != 0 ||
	    (st = rampolicy_statement(stmts, "Allow", put, 1)) == NULL ||
	    (res = json_object_new_array()) == NULL ||
	    json_object_object_add(st, "Resource", res) != 0 ||
	    rampolicy_resources(conf, 0, res) == -1)
		goto oom;
	if (nmp > 0 && ((st = rampolicy_statement(stmts, "Allow", multipart,
	    2)) == NULL || (res = json_object_new_array()) == NULL ||
	    json_object_object_add(st, "Resource", res) != 0 ||
	    rampolicy_resources(conf, 1, res) == -1))
		goto oom;
	/*
	 * OSS's own "prevent public ACLs" statement: an ACL on an upload is
	 * authorized as plain oss:PutObject, so a section with object_acl =
	 * any (the vendor's page) is still kept from making objects public.
	 */
	if ((st = rampolicy_statement(stmts, "Deny", put, 1)) == NULL ||
	    json_object_object_add(st, "Resource",
	    json_object_new_string("*")) != 0 ||
	    (cond = json_object_new_object()) == NULL ||
	    json_object_object_add(st, "Condition", cond) != 0 ||
	    (eq = json_object_new_object()) == NULL ||
	    json_object_object_add(cond, "StringEquals", eq) != 0 ||
	    (acl = json_object_new_array()) == NULL ||
	    json_object_object_add(eq, "oss:x-oss-object-acl", acl) != 0)
		goto oom;
	for (i = 0; i < 2; i++)
		if (json_object_array_add(acl,
		    json_object_new_string(publics[i])) != 0)
			goto oom;
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
	return out;
}
