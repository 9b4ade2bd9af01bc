/*
 * rampolicy: session_policy = auto, the RAM policy built from the
 * uploads' key prefixes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "rampolicy.h"
#include "tap.h"

static struct conf *
cfg(const char *text)
{
	char err[256];
	struct conf *c;

	if ((c = conf_parse(text, strlen(text), "t", err, sizeof(err))) ==
	    NULL)
		printf("# conf: %s\n", err);
	return c;
}

/* OSS's "prevent public ACLs" statement, in every auto policy. */
#define DENY "{\"Effect\":\"Deny\",\"Action\":[\"oss:PutObject\"]," \
	"\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{" \
	"\"oss:x-oss-object-acl\":[\"public-read\",\"public-read-write\"]}}}"

/* issue 12: multipart = yes sections gain ListParts and Abort, only. */
static void
t_policy_multipart(void)
{
	struct conf *c;
	char err[256], *p;

	c = cfg("bucket = b12\nregion = cn-hangzhou\n"
	    "[upload a]\nkey_prefix = big/${user}/\nmultipart = yes\n"
	    "max_size = 10000000000\n"
	    "[upload b]\nkey_prefix = small/\n"
	    "[upload c]\nkey_prefix = big/x/\nmultipart = yes\n");
	p = c ? rampolicy_auto(c, err, sizeof(err)) : NULL;
	is_str(p, "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
	    "\"Action\":[\"oss:PutObject\"],\"Resource\":["
	    "\"acs:oss:*:*:b12/big/*\",\"acs:oss:*:*:b12/small/*\"]},"
	    "{\"Effect\":\"Allow\",\"Action\":[\"oss:ListParts\","
	    "\"oss:AbortMultipartUpload\"],\"Resource\":["
	    "\"acs:oss:*:*:b12/big/*\"]}," DENY "]}",
	    "auto policy: ListParts and AbortMultipartUpload on the multipart "
	    "sections' prefixes only");
	free(p);
	conf_free(c);
}

static void
t_policy_auto(void)
{
	struct conf *c;
	char err[256], *p, *text;
	size_t i, off;

	c = cfg("bucket = b12\nregion = cn-hangzhou\n"
	    "credentials = ram_role_arn\n"
	    "[upload a]\nkey_prefix = user/${user}/\n"
	    "[upload b]\nkey_prefix = public/img/\n"
	    "[upload c]\nkey_prefix = public/\n"
	    "[upload d]\nkey_prefix = public/img/\n"
	    "[upload e]\nkey_prefix = user/${yyyy}/\n");
	p = c ? rampolicy_auto(c, err, sizeof(err)) : NULL;
	is_str(p, "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\","
	    "\"Action\":[\"oss:PutObject\"],\"Resource\":["
	    "\"acs:oss:*:*:b12/user/*\",\"acs:oss:*:*:b12/public/*\"]}," DENY
	    "]}", "auto policy: static prefixes, covered ones dropped, public "
	    "ACLs denied");
	free(p);
	conf_free(c);

	c = cfg("bucket = b12\nregion = cn-hangzhou\n");
	p = c ? rampolicy_auto(c, err, sizeof(err)) : NULL;
	ok(p != NULL && strstr(p, "\"Resource\":[\"acs:oss:*:*:b12/"
	    "uploads/*\"]") != NULL, "auto policy: the default upload");
	free(p);
	conf_free(c);

	c = cfg("bucket = b12\nregion = cn-hangzhou\n"
	    "[upload a]\nkey_prefix = ${user}/\n[upload b]\nkey_prefix = x/\n");
	p = c ? rampolicy_auto(c, err, sizeof(err)) : NULL;
	ok(p != NULL && strstr(p, "\"Resource\":[\"acs:oss:*:*:b12/*\"]") !=
	    NULL, "auto policy: a prefix starting with ${ covers the bucket");
	free(p);
	conf_free(c);

	/* 30 distinct long prefixes: over 2048 characters. */
	text = malloc(16384);
	off = (size_t)snprintf(text, 16384, "bucket = b12\nregion = "
	    "cn-hangzhou\n");
	for (i = 0; i < 30; i++)
		off += (size_t)snprintf(text + off, 16384 - off,
		    "[upload u%zu]\nkey_prefix = %02zu-aaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/\n", i, i);
	c = cfg(text);
	p = c ? rampolicy_auto(c, err, sizeof(err)) : (char *)"x";
	ok(p == NULL && strstr(err, "2048") != NULL,
	    "auto policy over 2048 characters refused");
	conf_free(c);
	free(text);
}

int
main(void)
{
	tap_plan(5);
	t_policy_auto();
	t_policy_multipart();
	return tap_done();
}
