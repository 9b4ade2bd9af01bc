/* policy: each condition form, order kept, bad ranges refused. */
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "tap.h"

int
main(void)
{
	struct policy *p;
	char *json = NULL, *b64 = NULL;
	char *types[] = { "image/png", "image/jpeg" };
	char *bad[] = { "no-cache" };

	tap_plan(7);
	p = policy_new(1795590581);	/* 2026-11-25T07:09:41Z */
	ok(p != NULL, "new");
	ok(policy_add_exact(p, "bucket", "b") == 0 &&
	    policy_add_eq(p, "success_action_status", "201") == 0 &&
	    policy_add_starts_with(p, "key", "user/") == 0 &&
	    policy_add_in(p, "content-type", types, 2) == 0 &&
	    policy_add_not_in(p, "cache-control", bad, 1) == 0 &&
	    policy_add_range(p, 1, 10) == 0, "add every form");
	ok(policy_add_range(p, 10, 1) == -1, "min above max refused");
	ok(policy_add_range(p, -1, 1) == -1, "negative min refused");
	ok(policy_render(p, &json, &b64) == 0, "render");
	is_str(json, "{\"expiration\":\"2026-11-25T07:09:41.000Z\","
	    "\"conditions\":[{\"bucket\":\"b\"},"
	    "[\"eq\",\"$success_action_status\",\"201\"],"
	    "[\"starts-with\",\"$key\",\"user/\"],"
	    "[\"in\",\"$content-type\",[\"image/png\",\"image/jpeg\"]],"
	    "[\"not-in\",\"$cache-control\",[\"no-cache\"]],"
	    "[\"content-length-range\",1,10]]}", "JSON in order");
	ok(b64 != NULL && strncmp(b64, "eyJleHBpcmF0aW9uIjoi", 20) == 0,
	    "base64 of the JSON");
	free(json);
	free(b64);
	policy_free(p);
	policy_free(NULL);
	return tap_done();
}
