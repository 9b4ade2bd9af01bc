/*
 * Where credentials come from: the source the configuration names
 * (credentials = env, ram_role_arn, ecs_ram_role, oidc_role_arn,
 * credentials_uri), set up once at start, when its settings are checked
 * and the environment and secret files (access_key_file, oidc_token_file)
 * are read; creds_origin_fetch then asks it for new credentials, once per
 * refresh.  No cache: creds_source keeps what this fetches.
 */
#ifndef OSSIGN_CREDS_ORIGIN_H
#define OSSIGN_CREDS_ORIGIN_H

#include <time.h>

#include "conf.h"
#include "creds.h"
#include "crypto.h"
#include "oerr.h"
#include "sts.h"

/* A configured source.  Read-only once creds_origin_new has filled it. */
struct creds_origin {
	enum conf_creds		 kind;
	struct creds		 key;		/* env: the credentials served;
						   ram_role_arn: the long-term
						   key AssumeRole is signed with */
	struct sts_opts		 sts;		/* STS, metadata or URI */
	struct sts_role		 role;
	long long		 refresh_before;
	/* The cache of this source: the directory, and the hash of every
	 * setting that changes what the source hands out. */
	const char		*cache_dir;	/* borrowed from the conf */
	unsigned char		 cache_key[CRYPTO_SHA256_LEN];
	/* private */
	char			*role_arn_;
	char			*policy_;
	char			*provider_arn_;
	char			*token_file_;
	char			*ecs_role_;
	char			*uri_;
	int			 http_;		/* http_init done */
};

/*
 * Set up o for the source conf names (conf must outlive o).  Returns 0,
 * or -1 with a message in err on a configuration error (o is then
 * cleared).  Clear with creds_origin_clear.
 */
int	 creds_origin_new(struct creds_origin *o, const struct conf *conf,
	    char *err, size_t errlen);

/*
 * Ask the source (not env) for new credentials, now being the time the
 * answer is judged by.  Returns 0 with new strings in out (creds_clear
 * them), or -1 with d filled (a message safe to show) and a log line.
 */
int	 creds_origin_fetch(const struct creds_origin *o, time_t now,
	    struct creds *out, struct oerr_detail *d);

/* The longest one fetch can take, in milliseconds (timeouts, retries). */
long	 creds_origin_fetch_ms(const struct creds_origin *o);

/* Wipe and free what o holds; o is emptied.  An empty o is fine. */
void	 creds_origin_clear(struct creds_origin *o);

#endif /* OSSIGN_CREDS_ORIGIN_H */
