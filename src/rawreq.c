/* A raw HTTP/1.x request parser; see rawreq.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rawreq.h"
#include "util.h"

/* RFC 9110 tchar: the bytes of a method or a header name. */
static int
rawreq_tchar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("!#$%&'*+-.^_`|~",
	    c) != NULL);
}

static int
rawreq_token(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!rawreq_tchar((unsigned char)*s))
			return 0;
	return 1;
}

/*
 * The next line of buf[*pos..end), NUL-terminated in place (its CR LF or
 * LF removed); NULL when no line ends before end.  A CR anywhere else in
 * the line, or a NUL, makes it bad (*bad = 1).
 */
static char *
rawreq_line(char *buf, size_t *pos, size_t end, int *bad)
{
	char *line = buf + *pos, *nl;
	size_t n;

	if ((nl = memchr(line, '\n', end - *pos)) == NULL)
		return NULL;
	n = (size_t)(nl - line);
	*pos += n + 1;
	if (n > 0 && line[n - 1] == '\r')
		n--;
	line[n] = '\0';
	if (memchr(line, '\r', n) != NULL || strlen(line) != n)
		*bad = 1;
	return line;
}

static int
rawreq_request_line(struct rawreq *r, char *line)
{
	char *sp1, *sp2;
	const char *p;

	if ((sp1 = strchr(line, ' ')) == NULL ||
	    (sp2 = strchr(sp1 + 1, ' ')) == NULL || strchr(sp2 + 1, ' '))
		return -1;
	*sp1 = *sp2 = '\0';
	r->method = line;
	r->target = sp1 + 1;
	r->version = sp2 + 1;
	if (!rawreq_token(r->method) || *r->target == '\0' ||
	    strncmp(r->version, "HTTP/", 5) != 0 ||
	    !(r->version[5] >= '0' && r->version[5] <= '9') ||
	    r->version[6] != '.' ||
	    !(r->version[7] >= '0' && r->version[7] <= '9') ||
	    r->version[8] != '\0')
		return -1;
	for (p = r->target; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return -1;
	return 0;
}

/* "Name: value" into r->headers; -1 when malformed. */
static int
rawreq_header_line(struct rawreq *r, char *line)
{
	char *colon, *v, *e;

	if ((colon = strchr(line, ':')) == NULL)
		return -1;
	*colon = '\0';
	if (!rawreq_token(line))
		return -1;
	for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
		;
	for (e = v + strlen(v); e > v && (e[-1] == ' ' || e[-1] == '\t'); e--)
		;
	*e = '\0';
	for (e = v; *e != '\0'; e++)
		if (((unsigned char)*e < 0x20 && *e != '\t') || *e == 0x7f)
			return -1;
	r->headers[r->nheaders].name = line;
	r->headers[r->nheaders].value = v;
	r->nheaders++;
	return 0;
}

/* Content-Length: -1 when absent, -2 when malformed or repeated unequal. */
static long long
rawreq_content_length(const struct rawreq *r)
{
	long long n = -1, v;
	size_t i;

	for (i = 0; i < r->nheaders; i++) {
		if (strcasecmp(r->headers[i].name, "Content-Length") != 0)
			continue;
		if (util_strtonum(r->headers[i].value, 0, LIMIT_RAWREQ_SIZE,
		    &v, NULL) == -1 || r->headers[i].value[0] == '-' ||
		    (n != -1 && v != n))
			return -2;
		n = v;
	}
	return n;
}

struct rawreq *
rawreq_parse(const void *data, size_t len, char *err, size_t errlen)
{
	struct rawreq *r = NULL;
	const char *why = "out of memory";
	char *line;
	size_t pos = 0, headend;
	long long clen;
	int bad = 0;

	if (data == NULL || len == 0) {
		why = "the request is empty";
		goto fail;
	}
	if (len > LIMIT_RAWREQ_SIZE) {
		why = "the request is too large";
		goto fail;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->buf = malloc(len + 1)) == NULL)
		goto fail;
	memcpy(r->buf, data, len);
	r->buf[len] = '\0';
	headend = len < LIMIT_RAWREQ_HEAD ? len : LIMIT_RAWREQ_HEAD;

	/* Empty lines before the request line are allowed (RFC 9112 2.2). */
	do {
		if ((line = rawreq_line(r->buf, &pos, headend, &bad)) == NULL) {
			why = "no complete request line";
			goto fail;
		}
	} while (*line == '\0' && !bad);
	if (bad || rawreq_request_line(r, line) == -1) {
		why = "a malformed request line";
		goto fail;
	}
	for (;;) {
		if ((line = rawreq_line(r->buf, &pos, headend, &bad)) == NULL) {
			why = len > LIMIT_RAWREQ_HEAD ? "the headers are too "
			    "large" : "the headers do not end in an empty line";
			goto fail;
		}
		if (bad) {
			why = "a header line with a stray CR or NUL";
			goto fail;
		}
		if (*line == '\0')
			break;
		if (*line == ' ' || *line == '\t') {
			why = "a folded header line";
			goto fail;
		}
		if (r->nheaders == LIMIT_RAWREQ_HEADERS) {
			why = "too many header lines";
			goto fail;
		}
		if (rawreq_header_line(r, line) == -1) {
			why = "a malformed header line";
			goto fail;
		}
	}
	if (rawreq_header(r, "Transfer-Encoding", NULL) != NULL) {
		why = "a Transfer-Encoding body (OSS sends Content-Length)";
		goto fail;
	}
	if ((clen = rawreq_content_length(r)) == -2) {
		why = "a malformed Content-Length";
		goto fail;
	}
	r->body = (const unsigned char *)r->buf + pos;
	r->bodylen = len - pos;
	if (clen >= 0) {
		if ((size_t)clen > r->bodylen) {
			why = "the body is shorter than its Content-Length";
			goto fail;
		}
		r->trailing = r->bodylen - (size_t)clen;
		r->bodylen = (size_t)clen;
		r->buf[pos + r->bodylen] = '\0';
	}
	if (r->bodylen > LIMIT_CB_BODY) {
		why = "the body is too large";
		goto fail;
	}
	return r;
fail:
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", why);
	rawreq_free(r);
	return NULL;
}

void
rawreq_free(struct rawreq *r)
{
	if (r == NULL)
		return;
	free(r->buf);
	free(r);
}

const char *
rawreq_header(const struct rawreq *r, const char *name, size_t *count)
{
	const char *v = NULL;
	size_t i, n = 0;

	for (i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, name) == 0) {
			if (n++ == 0)
				v = r->headers[i].value;
		}
	if (count != NULL)
		*count = n;
	return v;
}
