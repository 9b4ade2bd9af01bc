/* The health route; see route_healthz.h. */
#include <string.h>
#include <time.h>

#include "conf.h"
#include "creds.h"
#include "creds_source.h"
#include "jsonw.h"
#include "responder.h"
#include "route_healthz.h"

void
route_healthz(struct responder *r, const struct request *req,
    const struct route_pick *p, struct reply *rep, struct oerr_detail *d)
{
	const struct creds *c = NULL;
	struct oerr_detail why;
	struct jsonw w;
	time_t now = time(NULL);
	char *body;
	size_t len = 0;
	int good;

	(void)req;
	(void)p;
	memset(&why, 0, sizeof(why));
	if (r->creds == NULL) {
		oerr_set(&why, OERR_CREDS_UNAVAILABLE, "the signer has no "
		    "credentials configured");
		good = 0;
	} else
		good = creds_source_get(r->creds, &now, &c, &why) == 0;
	jsonw_init(&w, 256);
	jsonw_open(&w, '{');
	jsonw_kv(&w, "status", good ? "ok" : "unavailable");
	jsonw_key(&w, "credentials");
	jsonw_open(&w, '{');
	jsonw_kv(&w, "source", conf_creds_names[r->conf->credentials]);
	if (good) {
		jsonw_key(&w, "expires_in");
		/* Left as of now, after any wait for them. */
		if (c->expiration != 0)
			jsonw_int(&w, (long long)(c->expiration - time(NULL)));
		else
			jsonw_raw(&w, "null", 4);
	}
	jsonw_close(&w, '}');
	if (!good) {
		jsonw_key(&w, "error");
		jsonw_open(&w, '{');
		jsonw_kv(&w, "code", oerr_code(why.err));
		jsonw_kv(&w, "message", why.msg[0] != '\0' ? why.msg :
		    oerr_message(why.err));
		jsonw_close(&w, '}');
	}
	jsonw_close(&w, '}');
	if ((body = jsonw_finish(&w, &len)) == NULL) {
		oerr_set(d, OERR_INTERNAL, NULL);
		return;
	}
	d->err = OERR_OK;
	reply_answer(rep, good ? 200 : 503, good ? "OK" :
	    oerr_reason(OERR_CREDS_UNAVAILABLE), NULL, body, len);
}
