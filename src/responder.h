/*
 * Serving requests: the FastCGI accept loop (one request at a time per
 * process, libfcgi) and the plain CGI one-shot; both read the request
 * (request_read), pick its route (route.h), read the body the route takes,
 * and write the answer the route's handler made.  Only startup may exit; a
 * bad request never ends the loop.
 */
#ifndef OSSIGN_RESPONDER_H
#define OSSIGN_RESPONDER_H

#include "conf.h"
#include "creds.h"
#include "creds_source.h"
#include "reply.h"
#include "request.h"

struct metrics_block;
struct route;
struct secret;
struct cbkey_store;
struct gate;

struct responder {
	const struct conf	*conf;
	struct creds_source	*creds;
	const struct route	*routes;	/* routes.h's table */
	size_t			 nroutes;
	/* Upload callbacks (issue 10); NULL-safe: a NULL secret fails only
	   the sections with callback_url, NULL keys fail every callback. */
	struct secret		*secret;	/* secret.h: callback tickets
						   and upload ids */
	struct cbkey_store	*cbkeys;	/* cbkey.h: OSS's public keys */
	/* The counters shared by every process (metrics.h), or NULL when
	   metrics are off: every metrics_*() call takes NULL. */
	struct metrics_block	*metrics;
	struct gate		*gate;		/* gate.h: auth, rate limits
						   (issue 11); NULL: none */
};

/*
 * Answer req into rep (initialised by the caller) through r's route table
 * (route.h), with req->body as the caller read it (none here: for a route
 * that takes a body, the loops read it first).  Reads the clock and the
 * CSPRNG, and asks the credential source; never exits.
 */
void	 responder_handle(struct responder *r, const struct request *req,
	    struct reply *rep);

/*
 * How this process was started: 1 when it should serve FastCGI on *fd
 * (fd 0 from spawn-fcgi/mod_fcgid/lighttpd/systemd StandardInput=socket,
 * or fd 3 from systemd socket activation), 0 for plain CGI, -1 for
 * neither (started by hand).
 */
int	 responder_detect(int *fd);

/*
 * Bind a FastCGI listening socket for address ("unix:/path", "/path",
 * "host:port", ":port").  Returns the fd, or -1 with err filled.
 */
int	 responder_listen(const char *address, char *err, size_t errlen);

/*
 * Serve FastCGI on fd until SIGTERM/SIGINT; SIGHUP and SIGPIPE are
 * ignored.  With workers > 1, fork that many processes sharing fd and
 * restart any that die.  Returns 0 on a clean stop, -1 on a startup error.
 */
int	 responder_fcgi(struct responder *r, int fd, int workers);

/* Answer the one CGI request in the environment.  Returns 0 or -1. */
int	 responder_cgi(struct responder *r);

#endif /* OSSIGN_RESPONDER_H */
