/* Delivering a verified callback's event; see cbdeliver.h. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "callback.h"
#include "cbdeliver.h"
#include "cbevent.h"
#include "http.h"
#include "jsonr.h"
#include "limit.h"
#include "olog.h"
#include "statedir.h"
#include "util.h"

#define CBDELIVER_PREFIX	"cb-"
#define CBDELIVER_STAMP		"cb-prune"

/* "cb-" and 64 lowercase hex digits. */
static int
cbdeliver_is_claim(const char *name)
{
	size_t i;

	if (strncmp(name, CBDELIVER_PREFIX, 3) != 0 ||
	    strlen(name) != 3 + CALLBACK_ID_LEN)
		return 0;
	for (i = 3; name[i] != '\0'; i++)
		if (!((name[i] >= '0' && name[i] <= '9') ||
		    (name[i] >= 'a' && name[i] <= 'f')))
			return 0;
	return 1;
}

/* Remove claims older than LIMIT_CB_CLAIM_KEEP, when the stamp says so. */
static void
cbdeliver_prune(const struct statedir *sd, time_t now)
{
	struct stat st;
	struct dirent *de;
	DIR *dir;
	int fd;
	unsigned long n = 0;

	if (fstatat(sd->fd, CBDELIVER_STAMP, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    st.st_mtime <= now && now - st.st_mtime < LIMIT_CB_PRUNE_EVERY)
		return;
	/* Another process may sweep at the same time: harmless. */
	if (statedir_write(sd, CBDELIVER_STAMP, "", 0, 0) == -1)
		return;
	if ((fd = dup(sd->fd)) == -1 || (dir = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return;
	}
	rewinddir(dir);
	while ((de = readdir(dir)) != NULL) {
		if (!cbdeliver_is_claim(de->d_name) ||
		    fstatat(sd->fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISREG(st.st_mode) || st.st_mtime > now ||
		    now - st.st_mtime <= LIMIT_CB_CLAIM_KEEP)
			continue;
		if (unlinkat(sd->fd, de->d_name, 0) == 0)
			n++;
	}
	closedir(dir);
	if (n > 0)
		olog_info("%s: %lu callback claims past any ticket's life "
		    "removed", sd->path, n);
}

int
cbdeliver_claim(const char *cache_dir, const char *id, time_t now)
{
	struct statedir sd;
	char name[8 + CALLBACK_ID_LEN], when[21];
	int r;

	snprintf(name, sizeof(name), CBDELIVER_PREFIX "%s", id);
	if (!cbdeliver_is_claim(name))
		return -1;
	if (statedir_open(&sd, cache_dir, "callbacks cannot be delivered "
	    "(at most once needs it)") == -1)
		return -1;
	util_iso(now, when);
	r = statedir_write(&sd, name, when, strlen(when), STATEDIR_KEEP);
	if (r == 0)
		cbdeliver_prune(&sd, now);
	statedir_close(&sd);
	return r;
}

void
cbdeliver_unclaim(const char *cache_dir, const char *id)
{
	struct statedir sd;
	char name[8 + CALLBACK_ID_LEN];

	snprintf(name, sizeof(name), CBDELIVER_PREFIX "%s", id);
	if (!cbdeliver_is_claim(name) || statedir_open(&sd, cache_dir,
	    "the claim stays") == -1)
		return;
	if (unlinkat(sd.fd, name, 0) == -1 && errno != ENOENT)
		olog_warn("%s/%s: %s", cache_dir, name, strerror(errno));
	statedir_close(&sd);
}

int
cbdeliver_spool(const char *dir, const char *id, const char *json,
    size_t len)
{
	struct statedir sd;
	char name[CALLBACK_ID_LEN + 8];
	int r;

	snprintf(name, sizeof(name), "%s.json", id);
	if (statedir_open(&sd, dir, "the callback event is not spooled") ==
	    -1)
		return -1;
	r = statedir_write(&sd, name, json, len, STATEDIR_KEEP);
	statedir_close(&sd);
	return r == -1 ? -1 : 0;
}

/* A 2xx answer is taken; cbdeliver_forward then wants a JSON object
   (OSS relays it to the browser). */
static enum http_verdict
cbdeliver_judge(void *arg, const struct http_response *resp)
{
	(void)arg;
	return resp->status >= 200 && resp->status <= 299 ? HTTP_DONE :
	    HTTP_FAIL;
}

enum oerr
cbdeliver_forward(const struct cbdeliver_forward *f, char **answer,
    size_t *alen, struct oerr_detail *d)
{
	struct http_header h[3];
	struct http_request req;
	struct http_opts o;
	struct http_result res;
	struct json_object *j;
	char sig[CBEVENT_SIG_LEN + 1], why[LIMIT_ERRMSG];
	enum oerr e;

	*answer = NULL;
	if (cbevent_sign(f->secret, f->secretlen, f->now, f->json, f->len,
	    sig) == -1)
		return oerr_set(d, OERR_INTERNAL, NULL);
	h[0].name = "Content-Type";
	h[0].value = "application/json";
	h[1].name = "X-Ossign-Event";
	h[1].value = f->id;
	h[2].name = "X-Ossign-Signature";
	h[2].value = sig;
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = f->url;
	req.headers = h;
	req.nheaders = 3;
	req.body = f->json;
	req.bodylen = f->len;
	memset(&o, 0, sizeof(o));
	o.what = "callback_forward";
	o.allow_http = 1;	/* an internal URL */
	o.ca_file = f->ca_file;
	o.connect_timeout_ms = f->timeout_ms;
	o.timeout_ms = f->timeout_ms;
	o.retries = 0;		/* OSS waits 5 s, once */
	o.max_response = LIMIT_CB_ANSWER;
	o.req = &req;
	o.judge = cbdeliver_judge;
	memset(&res, 0, sizeof(res));
	if (http_exchange(&o, &res) == -1) {
		if (res.err == HTTP_ERR_TRANSPORT && res.timed_out) {
			olog_warn("callback_forward %.200s: no answer in %ld ms",
			    f->url, f->timeout_ms);
			e = oerr_set(d, OERR_CB_FORWARD_TIMEOUT, NULL);
		} else if (res.err == HTTP_ERR_ANSWER) {
			olog_warn("callback_forward %.200s: answered %ld",
			    f->url, res.resp.status);
			e = oerr_set(d, OERR_CB_FORWARD_FAILED, "the application "
			    "answered %ld", res.resp.status);
		} else {
			olog_warn("callback_forward %.200s: %s (%s)", f->url,
			    res.reason, res.detail);
			e = oerr_set(d, OERR_CB_FORWARD_FAILED, "the application "
			    "cannot be reached: %s", res.reason);
		}
		goto out;
	}
	if ((j = jsonr_parse(res.resp.body, res.resp.len,
	    LIMIT_CB_ANSWER_DEPTH, why, sizeof(why))) == NULL) {
		olog_warn("callback_forward %.200s: the answer is not a JSON "
		    "object: %s", f->url, why);
		e = oerr_set(d, OERR_CB_FORWARD_FAILED, "the application's "
		    "answer is not a JSON object");
		goto out;
	}
	jsonr_free(j);
	if ((*answer = malloc(res.resp.len + 1)) == NULL) {
		e = oerr_set(d, OERR_INTERNAL, NULL);
		goto out;
	}
	memcpy(*answer, res.resp.body, res.resp.len + 1);
	*alen = res.resp.len;
	e = OERR_OK;
out:
	http_result_clear(&res);
	return e;
}
