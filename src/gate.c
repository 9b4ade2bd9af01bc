/* Who may use an upload section; see gate.h. */
#include <string.h>

#include "gate.h"
#include "responder.h"

enum oerr
gate_check(struct responder *r, const struct request *req,
    const struct conf_upload *up, long long n, struct gate_user *u,
    struct reply *rep, struct oerr_detail *d)
{
	(void)r;
	(void)up;
	(void)n;
	(void)rep;
	(void)d;
	memset(u, 0, sizeof(*u));
	/* keyname_expand checks it when the prefix uses ${user}. */
	if (req->remote_user != NULL && req->remote_user[0] != '\0')
		u->name = req->remote_user;
	return OERR_OK;
}
