/*
 * ossign: sign Alibaba Cloud OSS PostObject V4 uploads for browsers.
 * main only wires the modules together: options, the configuration, the
 * credential source, then serve (FastCGI or CGI), check (-t) or sign.
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cbcheck.h"
#include "cbkey.h"
#include "cbverify.h"
#include "conf.h"
#include "creds.h"
#include "creds_source.h"
#include "crypto.h"
#include "gate.h"
#include "limit.h"
#include "metrics.h"
#include "olog.h"
#include "reply.h"
#include "request.h"
#include "responder.h"
#include "routes.h"
#include "secret.h"
#include "sign.h"
#include "signer.h"
#include "statedir.h"
#include "util.h"

#define METRICS_FILE	"metrics"	/* in cache_dir */

/* statedir_map's callbacks for the counters file (metrics.h). */
static int
metrics_file_init(void *region, size_t size, void *unused)
{
	return metrics_init(region, size, time(NULL));
}

static int
metrics_file_valid(void *region, size_t size, void *unused)
{
	return metrics_attach(region, size) != NULL;
}

/*
 * metrics = yes: the counters every process of the host shares, mapped
 * from cache_dir/metrics (before the FastCGI workers are forked, so they
 * inherit the mapping), or NULL (logged; nothing is counted).
 */
static struct metrics_block *
metrics_open(const struct conf *conf)
{
	struct statedir sd;
	void *map;

	if (!conf->metrics)
		return NULL;
	if (statedir_open(&sd, conf->cache_dir, "metrics are not counted") ==
	    -1)
		return NULL;
	map = statedir_map(&sd, METRICS_FILE, METRICS_SIZE, metrics_file_valid,
	    metrics_file_init, NULL);
	statedir_close(&sd);
	return map != NULL ? metrics_attach(map, METRICS_SIZE) : NULL;
}

/* No core files: they would hold the AccessKey secret and the tokens. */
static void
no_core_dumps(void)
{
	struct rlimit rl = { 0, 0 };

	setrlimit(RLIMIT_CORE, &rl);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: ossign [-c file] [-s address] [-n workers] [-d]\n"
	    "       ossign [-c file] -t\n"
	    "       ossign [-c file] sign [--time ISO8601] [--upload name] "
	    "[--filename name]\n"
	    "              [--content-type type] [--size bytes] "
	    "[--user name]\n"
	    "       ossign [-c file] callback-verify [--key file] [--key-url url]... "
	    "[file]\n"
	    "       ossign -h | -V\n"
	    "Serves upload signatures as a FastCGI responder (started by "
	    "spawn-fcgi,\nsystemd or the web server, or with -s) or as a "
	    "CGI program.\n");
}

/* Append "&name=<percent-encoded value>" to q. */
static int
query_add(char *q, size_t qsz, const char *name, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = strlen(q);
	const unsigned char *v;
	int n;

	n = snprintf(q + o, qsz - o, "%s%s=", o > 0 ? "&" : "", name);
	if (n < 0 || (size_t)n >= qsz - o)
		return -1;
	o += (size_t)n;
	for (v = (const unsigned char *)value; *v != '\0'; v++) {
		if (o + 4 >= qsz)
			return -1;
		if ((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') ||
		    (*v >= '0' && *v <= '9') || strchr("-_.~", *v) != NULL)
			q[o++] = (char)*v;
		else {
			q[o++] = '%';
			q[o++] = hex[*v >> 4];
			q[o++] = hex[*v & 15];
		}
	}
	q[o] = '\0';
	return 0;
}

/*
 * ossign sign: print exactly what GET would answer.  The options become a
 * query string so that they pass the same validation as HTTP requests.
 */
static int
cmd_sign(const struct conf *conf, int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "time", required_argument, NULL, 't' },
		{ "upload", required_argument, NULL, 'u' },
		{ "filename", required_argument, NULL, 'f' },
		{ "content-type", required_argument, NULL, 'y' },
		{ "size", required_argument, NULL, 's' },
		{ "user", required_argument, NULL, 'U' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const names[] = {
		['u'] = "upload", ['f'] = "filename",
		['y'] = "content_type", ['s'] = "size",
	};
	struct request_params params;
	struct oerr_detail d;
	struct signer_req sr;
	struct creds_source *src = NULL;
	struct secret *secret = NULL;
	const struct creds *creds;
	struct reply rep;
	char query[LIMIT_QUERY_LEN + 1] = "", err[512], *json = NULL;
	char uuid[CRYPTO_UUID_LEN + 1];
	unsigned char rnd[16];
	const char *user = NULL;
	time_t now = time(NULL);
	size_t len;
	int ch, rc = 1, fixed_time = 0;

	memset(&d, 0, sizeof(d));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 't':
			fixed_time = 1;
			if (util_parse_iso(optarg, &now) == -1) {
				fprintf(stderr, "ossign: --time: expected "
				    "YYYY-MM-DDThh:mm:ssZ\n");
				return 1;
			}
			break;
		case 'U':
			user = optarg;
			break;
		case 'u':
		case 'f':
		case 'y':
		case 's':
			if (query_add(query, sizeof(query), names[ch],
			    optarg) == -1) {
				fprintf(stderr, "ossign: --%s: too long\n",
				    names[ch]);
				return 1;
			}
			break;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 1;
	}
	if (crypto_random(rnd, sizeof(rnd)) == -1) {
		fprintf(stderr, "ossign: no random bytes\n");
		return 1;
	}
	crypto_uuid_format(rnd, uuid);

	reply_init(&rep);
	if (request_parse_query(query, &params, &d) != OERR_OK ||
	    signer_prepare(conf, &params, user, now, uuid, &sr, &d) !=
	    OERR_OK)
		goto out;
	/* A section with callbacks: the ticket needs the server secret. */
	if (sr.up->callback.url != NULL && ((secret = secret_new(
	    conf->secret_file, conf->cache_dir)) == NULL ||
	    secret_get(secret, &sr.secret, &sr.secretlen, &d) == -1)) {
		if (secret == NULL)
			oerr_set(&d, OERR_INTERNAL, NULL);
		goto out;
	}
	if ((src = creds_source_new(conf, err, sizeof(err))) == NULL) {
		fprintf(stderr, "ossign: %s\n", err);
		goto done;
	}
	/* A clock of its own: share nothing it fetches or fails with. */
	if (fixed_time)
		creds_source_set_readonly(src);
	if (creds_source_get(src, &now, &creds, &d) == -1 ||
	    signer_sign(conf, &sr, creds, now, &json, &len, &d) != OERR_OK)
		goto out;
	printf("%s\n", json);
	free(json);
	rc = 0;
	goto done;
out:
	reply_error(&rep, &d);
	printf("%.*s\n", (int)rep.bodylen, rep.body != NULL ? rep.body : "");
	fprintf(stderr, "ossign: %d %s: %s\n", oerr_status(d.err),
	    oerr_code(d.err), d.msg);
done:
	reply_clear(&rep);
	creds_source_free(src);
	secret_free(secret);
	return rc;
}

/*
 * All of fd, at most max bytes, into a new buffer (NUL after it).  NULL
 * with errno set (EFBIG: more than max).
 */
static char *
read_fd(int fd, size_t max, size_t *len)
{
	char *buf;
	size_t got = 0;
	ssize_t n;

	if ((buf = malloc(max + 2)) == NULL)
		return NULL;
	while (got <= max) {
		if ((n = read(fd, buf + got, max + 1 - got)) == -1) {
			if (errno == EINTR)
				continue;
			free(buf);
			return NULL;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got > max) {
		free(buf);
		errno = EFBIG;
		return NULL;
	}
	buf[got] = '\0';
	*len = got;
	return buf;
}

/* The file at path ("-": standard input), at most max bytes. */
static char *
read_path(const char *path, size_t max, size_t *len)
{
	char *buf;
	int fd, saved;

	if (strcmp(path, "-") == 0)
		return read_fd(STDIN_FILENO, max, len);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	buf = read_fd(fd, max, len);
	saved = errno;
	close(fd);
	errno = saved;
	return buf;
}

/*
 * ossign callback-verify: check OSS's signature on one captured callback
 * (cbcheck.c).  Needs no configuration; with -c FILE (conf not NULL), its
 * callback_public_key and callback_key_urls stand in for --key and
 * --key-url when those are not given.  Exit 0: it verifies; 1: it does
 * not; 2: usage, or FILE, the configuration or the key cannot be read.
 */
static int
cmd_callback_verify(const struct conf *conf, int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "key-url", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	struct cbverify_key *key = NULL;
	char *urls[LIMIT_CB_KEY_URLS], *pem = NULL, *req = NULL, *report;
	char err[256];
	const char *keypath = DEFAULT_CB_KEY_FILE, *path = "-";
	size_t nurls = 0, pemlen = 0, reqlen = 0;
	int ch, ok = 0, rc = 2, keygiven = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'k':
			keypath = optarg;
			keygiven = 1;
			break;
		case 'u':
			if (nurls == LIMIT_CB_KEY_URLS) {
				fprintf(stderr, "ossign: --key-url: at most "
				    "%d\n", LIMIT_CB_KEY_URLS);
				return 2;
			}
			urls[nurls++] = optarg;
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind > 1) {
		usage(stderr);
		return 2;
	}
	if (argc - optind == 1)
		path = argv[optind];
	if (conf != NULL && !keygiven && conf->callback_public_key != NULL)
		keypath = conf->callback_public_key;
	if (conf != NULL && nurls == 0)
		for (; nurls < conf->ncallback_key_urls; nurls++)
			urls[nurls] = conf->callback_key_urls[nurls];
	if ((pem = read_path(keypath, LIMIT_CB_PEM, &pemlen)) == NULL) {
		fprintf(stderr, "ossign: %s: %s\n", keypath, errno == EFBIG ?
		    "too large for a public key" : strerror(errno));
		goto out;
	}
	if ((key = cbverify_key_new(pem, pemlen, err, sizeof(err))) == NULL) {
		fprintf(stderr, "ossign: %s: %s\n", keypath, err);
		goto out;
	}
	if ((req = read_path(path, LIMIT_RAWREQ_SIZE, &reqlen)) == NULL) {
		fprintf(stderr, "ossign: %s: %s\n", strcmp(path, "-") == 0 ?
		    "standard input" : path, errno == EFBIG ? "larger than a "
		    "callback can be" : strerror(errno));
		goto out;
	}
	if ((report = cbcheck_report(req, reqlen, nurls > 0 ? urls : NULL,
	    nurls, key, &ok)) == NULL) {
		fprintf(stderr, "ossign: out of memory\n");
		goto out;
	}
	fputs(report, stdout);
	free(report);
	rc = ok ? 0 : 1;
out:
	free(req);
	free(pem);
	cbverify_key_free(key);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct conf *conf = NULL;
	struct responder r;
	struct creds_source *src;
	const char *path, *address = NULL;
	char err[1024], note[1024];
	long long workers = 1;
	int ch, check = 0, fd, mode, rc = 1, given = 0;

	no_core_dumps();
	if ((path = getenv("OSSIGN_CONFIG")) == NULL || *path == '\0')
		path = DEFAULT_CONF_PATH;
	/* '+': stop at the first non-option, the "sign" command. */
	while ((ch = getopt(argc, argv, "+c:dhn:s:tV")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			given = 1;
			break;
		case 'd':
			olog_set_level(OLOG_DEBUG);
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'n':
			if (util_strtonum(optarg, 1, 256, &workers, NULL) ==
			    -1) {
				fprintf(stderr, "ossign: -n: 1 to 256 "
				    "workers\n");
				return 1;
			}
			break;
		case 's':
			address = optarg;
			break;
		case 't':
			check = 1;
			break;
		case 'V':
			printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	argc -= optind;
	argv += optind;
	/* Checks a captured request on its own: a configuration only with -c. */
	if (argc > 0 && !check && strcmp(argv[0], "callback-verify") == 0) {
		if (given && (conf = conf_load(path, err, sizeof(err))) == NULL) {
			fprintf(stderr, "ossign: %s\n", err);
			return 2;
		}
		rc = cmd_callback_verify(conf, argc, argv);
		conf_free(conf);
		return rc;
	}

	if ((conf = conf_load(path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "ossign: %s\n", err);
		/* A CGI still answers in JSON, not with a bare 500. */
		if (!check && argc == 0 && getenv("GATEWAY_INTERFACE") != NULL)
			printf("Status: 500 Internal Server Error\r\n"
			    "Content-Type: application/json\r\n"
			    "Cache-Control: no-store\r\n\r\n"
			    "{\"error\":{\"code\":\"internal_error\","
			    "\"message\":\"the signer is not configured\"}}");
		return 1;
	}
	if (check) {
		struct gate *g;

		/* The key files too (issue 11); no shared file is touched. */
		if ((g = gate_new(conf, GATE_CHECK, err, sizeof(err))) ==
		    NULL) {
			fprintf(stderr, "ossign: %s\n", err);
			goto out;
		}
		gate_free(g);
		/* Files the configuration names that are read later (issue 10). */
		if (conf->secret_file != NULL &&
		    secret_check_file(conf->secret_file, err, sizeof(err)) ==
		    -1) {
			fprintf(stderr, "ossign: %s: %s\n", conf->path, err);
			goto out;
		}
		if (cbkey_check(conf, err, sizeof(err), note, sizeof(note)) ==
		    -1) {
			fprintf(stderr, "ossign: %s: %s\n", conf->path, err);
			goto out;
		}
		printf("configuration OK\n");
		if (note[0] != '\0')
			fprintf(stderr, "ossign: note: %s\n", note);
		fflush(stdout);
		/*
		 * The server's environment (its user, systemd credentials,
		 * variables) may differ from this shell's: a note, not an
		 * error.  Nothing here touches the network.
		 */
		if ((src = creds_source_new(conf, err, sizeof(err))) == NULL)
			fprintf(stderr, "ossign: note: the credentials cannot "
			    "be set up in this environment: %s\n", err);
		creds_source_free(src);
		rc = 0;
		goto out;
	}
	if (argc > 0) {
		if (strcmp(argv[0], "sign") != 0) {
			usage(stderr);
			goto out;
		}
		rc = cmd_sign(conf, argc, argv);
		goto out;
	}

	if (address != NULL) {
		if ((fd = responder_listen(address, err, sizeof(err))) == -1) {
			fprintf(stderr, "ossign: %s\n", err);
			goto out;
		}
		mode = 1;
	} else if ((mode = responder_detect(&fd)) == -1) {
		fprintf(stderr, "ossign: not started by a web server; use -s "
		    "ADDRESS to listen for FastCGI, or see ossign(8)\n");
		usage(stderr);
		goto out;
	}

	memset(&r, 0, sizeof(r));
	r.conf = conf;
	r.routes = routes;
	r.nroutes = routes_len;
	/* Upload callbacks (issue 10): nothing is read until first used. */
	if ((r.secret = secret_new(conf->secret_file, conf->cache_dir)) ==
	    NULL || (r.cbkeys = cbkey_new(conf)) == NULL) {
		fprintf(stderr, "ossign: out of memory\n");
		goto stop;
	}
	/* A CGI still answers when these fail: 4xx for bad requests, else 503. */
	if ((r.creds = creds_source_new(conf, err, sizeof(err))) == NULL) {
		fprintf(stderr, "ossign: %s: %s\n", conf->path, err);
		if (mode == 1)
			goto stop;
	}
	/*
	 * Key files and the rate table: FastCGI before it forks, so a bad
	 * key stops it and the workers share the mapping; a CGI run loads
	 * only what its request needs.
	 */
	if ((r.gate = gate_new(conf, mode == 1 ? GATE_START : 0, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "ossign: %s\n", err);
		if (mode == 1)
			goto stop;
	}
	r.metrics = metrics_open(conf);
	if (r.creds != NULL)
		creds_source_set_metrics(r.creds, r.metrics);
	if (mode == 1)
		rc = responder_fcgi(&r, fd, (int)workers) == 0 ? 0 : 1;
	else
		rc = responder_cgi(&r) == 0 ? 0 : 1;
stop:
	gate_free(r.gate);
	creds_source_free(r.creds);
	secret_free(r.secret);
	cbkey_free(r.cbkeys);
	if (r.metrics != NULL)
		munmap(r.metrics, METRICS_SIZE);
	if (mode == 0) {
		/*
		 * A CGI is done once its answer is out: skip the libraries'
		 * exit handlers, a measurable share of a one-shot process.
		 */
		conf_free(conf);
		sign_cache_clear();
		_exit(rc);
	}
out:
	conf_free(conf);
	sign_cache_clear();
	return rc;
}
