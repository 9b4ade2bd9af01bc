/*
 * The PostObject policy document: {"expiration": ..., "conditions": [...]}.
 * Conditions are kept in the order they are added; the JSON is written
 * compactly (json-c PLAIN, no slash escaping), which reproduces the bytes
 * the vendor SDKs produce.  Pure.
 */
#ifndef OSSIGN_POLICY_H
#define OSSIGN_POLICY_H

#include <stddef.h>
#include <time.h>

struct policy;

/* A new empty policy expiring at expiration (UTC).  NULL on no memory. */
struct policy	*policy_new(time_t expiration);
/* Free p; NULL is fine. */
void		 policy_free(struct policy *p);

/* {"field":"value"} */
int		 policy_add_exact(struct policy *p, const char *field,
		    const char *value);
/* ["eq","$field","value"] */
int		 policy_add_eq(struct policy *p, const char *field,
		    const char *value);
/* ["starts-with","$field","prefix"] */
int		 policy_add_starts_with(struct policy *p, const char *field,
		    const char *prefix);
/* ["in","$field",[values...]] */
int		 policy_add_in(struct policy *p, const char *field,
		    char *const *values, size_t n);
/* ["not-in","$field",[values...]] */
int		 policy_add_not_in(struct policy *p, const char *field,
		    char *const *values, size_t n);
/* ["content-length-range",min,max] */
int		 policy_add_range(struct policy *p, long long min,
		    long long max);

/*
 * The policy as JSON (a new string, free it) and, when b64 is not NULL,
 * its base64 (a new string).  Returns 0 or -1.
 */
int		 policy_render(const struct policy *p, char **json, char **b64);

#endif /* OSSIGN_POLICY_H */
