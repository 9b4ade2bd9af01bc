/* OSS's XML answers read with expat, and the Complete body; see ossxml.h. */
#include "config.h"	/* memmem */

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "limit.h"
#include "ossxml.h"
#include "util.h"

/* ---- fields -------------------------------------------------------------- */

enum ossxml_kind {
	OSSXML_TEXT,	/* kept as is: refused when too long or with a
			   control byte */
	OSSXML_ID,	/* Error fields: cut, odd bytes as '?' */
	OSSXML_MSG,
};

/* One field of an answer: its element, where it goes, what it is. */
struct ossxml_field {
	const char		*name;
	size_t			 off;
	size_t			 size;
	enum ossxml_kind	 kind;
	int			 required;
};

#define OSSXML_F(name, type, member, kind, req) \
	{ name, offsetof(type, member), sizeof(((type *)0)->member), kind, req }
#define OSSXML_NF(f)	(sizeof(f) / sizeof((f)[0]))
#define OSSXML_MAXF	16	/* fields in one table */

/*
 * What one answer looks like: the local name of its root, the fields among
 * the root's children, and optionally a child that repeats (ListParts'
 * Part) with fields of its own, each one handed to rec_end once read.
 * Fields deeper down, or below an element that is not one of these, are
 * not looked at.
 */
struct ossxml_shape {
	const char			*root;
	const struct ossxml_field	*f;
	size_t				 nf;
	const char			*rec;	/* NULL: none */
	const struct ossxml_field	*rf;
	size_t				 nrf;
	size_t				 rec_size;	/* its bytes */
	int			       (*rec_end)(void *, const void *);
};

void
ossxml_safe(char *dst, size_t dstsz, const char *s, int msg)
{
	size_t i;
	unsigned char c;

	for (i = 0; s[i] != '\0' && i + 1 < dstsz; i++) {
		c = (unsigned char)s[i];
		if (msg)
			dst[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
		else
			dst[i] = isascii(c) && (isalnum(c) ||
			    strchr(".-_:", c) != NULL) ? (char)c : '?';
	}
	dst[i] = '\0';
}

/* ---- parsing: the hardened read ----------------------------------------- */

/*
 * Expat reports a namespaced name as URI, this byte, local name.  No name
 * holds a newline (and expat refuses a URI with one), so the local name is
 * what follows the last one.
 */
#define OSSXML_NS	'\n'

/* One document being read by expat. */
struct ossxml_reader {
	XML_Parser			 p;
	const struct ossxml_shape	*shape;
	void				*raw;	/* the root's fields */
	void				*rec;	/* the record read */
	void				*arg;	/* for rec_end */
	int				 depth;
	int				 refused;
	int				 in_rec;
	const struct ossxml_field	*field;	/* being read */
	char				*dst;	/* its struct */
	unsigned char			 seen[OSSXML_MAXF];
	unsigned char			 rseen[OSSXML_MAXF];
	size_t				 len;
	char				 text[LIMIT_OSS_XML_TEXT + 1];
};

/*
 * Stop expat for good.  It may still deliver a callback or two (the end of
 * an empty element, the rest of a run of text): each handler returns at
 * once when refused is set.
 */
static void
ossxml_refuse(struct ossxml_reader *r)
{
	if (!r->refused) {
		r->refused = 1;
		XML_StopParser(r->p, XML_FALSE);
	}
}

/* An element named local starts: when it is a field of f[0..nf), read it. */
static void
ossxml_begin(struct ossxml_reader *r, const struct ossxml_field *f, size_t nf,
    unsigned char *seen, void *dst, const char *local)
{
	size_t i;

	for (i = 0; i < nf && strcmp(f[i].name, local) != 0; i++)
		;
	if (i == nf)
		return;
	if (seen[i]++) {
		ossxml_refuse(r);
		return;
	}
	r->field = &f[i];
	r->dst = dst;
	r->len = 0;
}

/* The field read ends: its text, checked, goes where the table says. */
static void
ossxml_finish(struct ossxml_reader *r)
{
	const struct ossxml_field *f = r->field;
	char *dst = r->dst + f->off;

	r->field = NULL;
	r->text[r->len] = '\0';
	if (f->kind != OSSXML_TEXT)
		ossxml_safe(dst, f->size, r->text, f->kind == OSSXML_MSG);
	else if (r->len >= f->size || util_has_ctl(r->text))
		ossxml_refuse(r);
	else
		memcpy(dst, r->text, r->len + 1);
}

static int
ossxml_missing(const struct ossxml_field *f, size_t nf,
    const unsigned char *seen)
{
	size_t i;

	for (i = 0; i < nf; i++)
		if (f[i].required && !seen[i])
			return 1;
	return 0;
}

static void XMLCALL
ossxml_start(void *arg, const XML_Char *name, const XML_Char **attrs)
{
	struct ossxml_reader *r = arg;
	const struct ossxml_shape *s = r->shape;
	const char *local;

	if (r->refused)
		return;
	/* A field holds text only: no element inside one. */
	if (++r->depth > LIMIT_OSS_XML_DEPTH || r->field != NULL) {
		ossxml_refuse(r);
		return;
	}
	local = (local = strrchr(name, OSSXML_NS)) != NULL ? local + 1 : name;
	if (r->depth == 1) {
		if (strcmp(local, s->root) != 0)
			ossxml_refuse(r);
	} else if (r->depth == 2 && s->rec != NULL &&
	    strcmp(local, s->rec) == 0) {
		r->in_rec = 1;
		memset(r->rec, 0, s->rec_size);
		memset(r->rseen, 0, sizeof(r->rseen));
	} else if (r->depth == 2)
		ossxml_begin(r, s->f, s->nf, r->seen, r->raw, local);
	else if (r->depth == 3 && r->in_rec)
		ossxml_begin(r, s->rf, s->nrf, r->rseen, r->rec, local);
}

static void XMLCALL
ossxml_end(void *arg, const XML_Char *name)
{
	struct ossxml_reader *r = arg;
	const struct ossxml_shape *s = r->shape;

	if (r->refused)
		return;
	if (r->field != NULL)
		ossxml_finish(r);
	else if (r->depth == 2 && r->in_rec) {
		r->in_rec = 0;
		if (ossxml_missing(s->rf, s->nrf, r->rseen) ||
		    s->rec_end(r->arg, r->rec) == -1)
			ossxml_refuse(r);
	}
	r->depth--;
}

/* Text, CDATA included; comments and PIs never come here. */
static void XMLCALL
ossxml_text(void *arg, const XML_Char *s, int len)
{
	struct ossxml_reader *r = arg;

	if (r->refused || r->field == NULL)
		return;
	if ((size_t)len >= sizeof(r->text) - r->len) {
		ossxml_refuse(r);
		return;
	}
	memcpy(r->text + r->len, s, (size_t)len);
	r->len += (size_t)len;
}

/*
 * The XML declaration: expat checks its form but not the version's value,
 * which must be "1." and digits (a bare "1." passes, as libxml2 let it).
 * The encoding is not looked at.
 */
static void XMLCALL
ossxml_decl(void *arg, const XML_Char *version, const XML_Char *encoding,
    int standalone)
{
	if (version == NULL || strncmp(version, "1.", 2) != 0 ||
	    strspn(version + 2, "0123456789") != strlen(version + 2))
		ossxml_refuse(arg);
}

/* A DOCTYPE, internal subset or not. */
static void XMLCALL
ossxml_doctype(void *arg, const XML_Char *name, const XML_Char *system_id,
    const XML_Char *public_id, int has_internal_subset)
{
	ossxml_refuse(arg);
}

static void XMLCALL
ossxml_entity_decl(void *arg, const XML_Char *name, int parameter,
    const XML_Char *value, int value_len, const XML_Char *base,
    const XML_Char *system_id, const XML_Char *public_id,
    const XML_Char *notation)
{
	ossxml_refuse(arg);
}

/* A reference to an entity expat did not read (there is no DTD to read). */
static void XMLCALL
ossxml_skipped(void *arg, const XML_Char *name, int parameter)
{
	ossxml_refuse(arg);
}

/*
 * Read the answer in body as shape s says: the root's fields into raw, each
 * record into rec (s->rec_size bytes) and then to s->rec_end(arg, rec).
 * 0, or -1 for anything ossxml.h refuses (raw may then be half written).
 */
static int
ossxml_read(const char *body, size_t len, const struct ossxml_shape *s,
    void *raw, void *rec, void *arg)
{
	static const char doctype[] = "<!DOCTYPE";
	struct ossxml_reader r;
	enum XML_Status st;

	if (body == NULL || len == 0 || len > LIMIT_OSS_XML_SIZE ||
	    memchr(body, '\0', len) != NULL || !util_utf8_valid(body, len) ||
	    memmem(body, len, doctype, sizeof(doctype) - 1) != NULL ||
	    s->nf > OSSXML_MAXF || s->nrf > OSSXML_MAXF)
		return -1;
	memset(&r, 0, offsetof(struct ossxml_reader, text));
	r.shape = s;
	r.raw = raw;
	r.rec = rec;
	r.arg = arg;
	/*
	 * "UTF-8" here overrides any encoding declaration (the bytes were
	 * checked above).  Expat does no I/O of its own: with no DTD read and
	 * no external entity handler, nothing outside body is ever opened.
	 */
	if ((r.p = XML_ParserCreateNS("UTF-8", OSSXML_NS)) == NULL)
		return -1;
	XML_SetUserData(r.p, &r);
	XML_SetParamEntityParsing(r.p, XML_PARAM_ENTITY_PARSING_NEVER);
	XML_SetXmlDeclHandler(r.p, ossxml_decl);
	XML_SetStartDoctypeDeclHandler(r.p, ossxml_doctype);
	XML_SetEntityDeclHandler(r.p, ossxml_entity_decl);
	XML_SetSkippedEntityHandler(r.p, ossxml_skipped);
	XML_SetElementHandler(r.p, ossxml_start, ossxml_end);
	XML_SetCharacterDataHandler(r.p, ossxml_text);
	st = XML_Parse(r.p, body, (int)len, XML_TRUE);
	XML_ParserFree(r.p);
	if (st != XML_STATUS_OK || r.refused ||
	    ossxml_missing(s->f, s->nf, r.seen))
		return -1;
	return 0;
}

/* ---- the four answers ---------------------------------------------------- */

/* With EncodingType url, OSS percent-encodes the key: decode it in place. */
static int
ossxml_key(char *key, size_t keysz, const char *encoding)
{
	char tmp[LIMIT_KEY_LEN + 1];
	long n;

	if (encoding[0] == '\0')
		return 0;
	if (strcmp(encoding, "url") != 0 ||
	    (n = util_pct_decode(key, strlen(key), tmp, sizeof(tmp))) < 0 ||
	    (size_t)n >= keysz || util_has_ctl(tmp) ||
	    !util_utf8_valid(tmp, (size_t)n))
		return -1;
	memcpy(key, tmp, (size_t)n + 1);
	return 0;
}

/* An answer whose fields are all children of its root. */
static int
ossxml_answer(const char *body, size_t len, const char *root,
    const struct ossxml_field *f, size_t nf, void *raw)
{
	struct ossxml_shape s;

	memset(&s, 0, sizeof(s));
	s.root = root;
	s.f = f;
	s.nf = nf;
	return ossxml_read(body, len, &s, raw, NULL, NULL);
}

struct ossxml_initiate_raw {
	struct ossxml_initiate	 v;
	char			 encoding[8];
};

int
ossxml_parse_initiate(const char *body, size_t len,
    struct ossxml_initiate *out)
{
	static const struct ossxml_field f[] = {
	    OSSXML_F("Bucket", struct ossxml_initiate_raw, v.bucket,
		OSSXML_TEXT, 0),
	    OSSXML_F("Key", struct ossxml_initiate_raw, v.key, OSSXML_TEXT, 0),
	    OSSXML_F("UploadId", struct ossxml_initiate_raw, v.upload_id,
		OSSXML_TEXT, 1),
	    OSSXML_F("EncodingType", struct ossxml_initiate_raw, encoding,
		OSSXML_TEXT, 0),
	};
	struct ossxml_initiate_raw raw;

	memset(&raw, 0, sizeof(raw));
	if (ossxml_answer(body, len, "InitiateMultipartUploadResult", f,
	    OSSXML_NF(f), &raw) == -1 || raw.v.upload_id[0] == '\0' ||
	    ossxml_key(raw.v.key, sizeof(raw.v.key), raw.encoding) == -1)
		return -1;
	*out = raw.v;
	return 0;
}

struct ossxml_part_raw {
	char	 number[8];
	char	 etag[LIMIT_OSS_ETAG + 1];
	char	 size[24];
};

/* A ListParts page as it is read: the parts so far, room for cap. */
struct ossxml_page {
	struct ossxml_parts	 v;
	size_t			 cap;
};

/* One Part read (its three fields are there): checked and kept. */
static int
ossxml_part_end(void *arg, const void *rec)
{
	struct ossxml_page *pg = arg;
	const struct ossxml_part_raw *raw = rec;
	struct ossxml_part *p;
	long long num, size;
	size_t cap;

	if (pg->v.n == LIMIT_OSS_LIST_PAGE ||
	    util_strtonum(raw->number, 1, LIMIT_OSS_PART_NUMBER, &num,
	    NULL) == -1 ||
	    util_strtonum(raw->size, 0, LIMIT_OSS_PART_SIZE, &size,
	    NULL) == -1 ||
	    raw->etag[0] == '\0' ||
	    (pg->v.n > 0 && num <= pg->v.parts[pg->v.n - 1].number))
		return -1;
	if (pg->v.n == pg->cap) {
		cap = pg->cap == 0 ? 16 : pg->cap * 2;
		if (cap > LIMIT_OSS_LIST_PAGE)
			cap = LIMIT_OSS_LIST_PAGE;
		if ((p = realloc(pg->v.parts, cap * sizeof(*p))) == NULL)
			return -1;
		pg->v.parts = p;
		pg->cap = cap;
	}
	p = &pg->v.parts[pg->v.n++];
	memset(p, 0, sizeof(*p));
	p->number = (int)num;
	p->size = size;
	memcpy(p->etag, raw->etag, sizeof(p->etag));
	return 0;
}

struct ossxml_parts_raw {
	char	 truncated[8];
	char	 next[8];
};

int
ossxml_parse_parts(const char *body, size_t len, struct ossxml_parts *out)
{
	static const struct ossxml_field f[] = {
	    OSSXML_F("IsTruncated", struct ossxml_parts_raw, truncated,
		OSSXML_TEXT, 1),
	    OSSXML_F("NextPartNumberMarker", struct ossxml_parts_raw, next,
		OSSXML_TEXT, 0),
	};
	static const struct ossxml_field pf[] = {
	    OSSXML_F("PartNumber", struct ossxml_part_raw, number,
		OSSXML_TEXT, 1),
	    OSSXML_F("ETag", struct ossxml_part_raw, etag, OSSXML_TEXT, 1),
	    OSSXML_F("Size", struct ossxml_part_raw, size, OSSXML_TEXT, 1),
	};
	static const struct ossxml_shape s = {
	    "ListPartsResult", f, OSSXML_NF(f),
	    "Part", pf, OSSXML_NF(pf), sizeof(struct ossxml_part_raw),
	    ossxml_part_end,
	};
	struct ossxml_parts_raw raw;
	struct ossxml_part_raw part;
	struct ossxml_page pg;
	long long next = 0;
	int rc = -1;

	memset(&raw, 0, sizeof(raw));
	memset(&pg, 0, sizeof(pg));
	if (ossxml_read(body, len, &s, &raw, &part, &pg) == -1)
		goto out;
	if (strcmp(raw.truncated, "true") == 0)
		pg.v.truncated = 1;
	else if (strcmp(raw.truncated, "false") != 0)
		goto out;
	if (raw.next[0] != '\0' &&
	    util_strtonum(raw.next, 0, LIMIT_OSS_PART_NUMBER, &next, NULL) == -1)
		goto out;
	if (pg.v.truncated && next == 0)
		goto out;
	pg.v.next_marker = (int)next;
	/* parts is never NULL on success, even for an empty page. */
	if (pg.v.parts == NULL &&
	    (pg.v.parts = calloc(1, sizeof(*pg.v.parts))) == NULL)
		goto out;
	*out = pg.v;
	pg.v.parts = NULL;
	rc = 0;
out:
	free(pg.v.parts);
	return rc;
}

void
ossxml_parts_clear(struct ossxml_parts *p)
{
	if (p == NULL)
		return;
	free(p->parts);
	memset(p, 0, sizeof(*p));
}

struct ossxml_complete_raw {
	struct ossxml_complete	 v;
	char			 encoding[8];
};

int
ossxml_parse_complete(const char *body, size_t len,
    struct ossxml_complete *out)
{
	static const struct ossxml_field f[] = {
	    OSSXML_F("Location", struct ossxml_complete_raw, v.location,
		OSSXML_TEXT, 0),
	    OSSXML_F("Bucket", struct ossxml_complete_raw, v.bucket,
		OSSXML_TEXT, 0),
	    OSSXML_F("Key", struct ossxml_complete_raw, v.key, OSSXML_TEXT, 0),
	    OSSXML_F("ETag", struct ossxml_complete_raw, v.etag, OSSXML_TEXT,
		1),
	    OSSXML_F("EncodingType", struct ossxml_complete_raw, encoding,
		OSSXML_TEXT, 0),
	};
	struct ossxml_complete_raw *raw;
	int rc = -1;

	/* Location and Key make it large for the stack. */
	if ((raw = calloc(1, sizeof(*raw))) == NULL)
		return -1;
	if (ossxml_answer(body, len, "CompleteMultipartUploadResult", f,
	    OSSXML_NF(f), raw) == -1 || raw->v.etag[0] == '\0' ||
	    ossxml_key(raw->v.key, sizeof(raw->v.key), raw->encoding) == -1)
		goto out;
	*out = raw->v;
	rc = 0;
out:
	free(raw);
	return rc;
}

int
ossxml_parse_error(const char *body, size_t len, struct ossxml_error *out)
{
	static const struct ossxml_field f[] = {
	    OSSXML_F("Code", struct ossxml_error, code, OSSXML_ID, 1),
	    OSSXML_F("Message", struct ossxml_error, message, OSSXML_MSG, 0),
	    OSSXML_F("RequestId", struct ossxml_error, request_id, OSSXML_ID,
		0),
	    OSSXML_F("HostId", struct ossxml_error, host_id, OSSXML_ID, 0),
	    OSSXML_F("EC", struct ossxml_error, ec, OSSXML_ID, 0),
	};
	struct ossxml_error v;

	memset(&v, 0, sizeof(v));
	if (ossxml_answer(body, len, "Error", f, OSSXML_NF(f), &v) == -1 ||
	    v.code[0] == '\0')
		return -1;
	*out = v;
	return 0;
}

/* ---- the CompleteMultipartUpload body ------------------------------------ */

static int
ossxml_part_cmp(const void *a, const void *b)
{
	const struct ossxml_part *x = *(const struct ossxml_part *const *)a;
	const struct ossxml_part *y = *(const struct ossxml_part *const *)b;

	return (x->number > y->number) - (x->number < y->number);
}

/* The escape of c as Go's encoding/xml writes it, or NULL. */
static const char *
ossxml_escape(char c)
{
	switch (c) {
	case '"':
		return "&#34;";
	case '\'':
		return "&#39;";
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	default:
		return NULL;
	}
}

static int
ossxml_etag_ok(const char *s)
{
	size_t n = strnlen(s, LIMIT_OSS_ETAG + 1);

	if (n == 0 || n > LIMIT_OSS_ETAG)
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

/* Write (or, with out NULL, measure) the body of the sorted parts v. */
static size_t
ossxml_write(const struct ossxml_part *const *v, size_t n, char *out)
{
	char num[16];
	const char *e, *s;
	size_t len = 0, i, k;

#define OSSXML_PUT(str, l) do {						\
	if (out != NULL)						\
		memcpy(out + len, (str), (l));				\
	len += (l);							\
} while (0)
	OSSXML_PUT("<CompleteMultipartUpload>", 25);
	for (i = 0; i < n; i++) {
		k = (size_t)snprintf(num, sizeof(num), "%d", v[i]->number);
		OSSXML_PUT("<Part><PartNumber>", 18);
		OSSXML_PUT(num, k);
		OSSXML_PUT("</PartNumber><ETag>", 19);
		for (s = v[i]->etag; *s != '\0'; s++) {
			if ((e = ossxml_escape(*s)) != NULL)
				OSSXML_PUT(e, strlen(e));
			else
				OSSXML_PUT(s, 1);
		}
		OSSXML_PUT("</ETag></Part>", 14);
	}
	OSSXML_PUT("</CompleteMultipartUpload>", 26);
#undef OSSXML_PUT
	if (out != NULL)
		out[len] = '\0';
	return len;
}

char *
ossxml_complete_body(const struct ossxml_part *parts, size_t n, size_t *len)
{
	const struct ossxml_part **v;
	char *out = NULL;
	size_t i, size;

	if (parts == NULL || n == 0 || n > LIMIT_OSS_PART_NUMBER ||
	    (v = calloc(n, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (parts[i].number < 1 ||
		    parts[i].number > LIMIT_OSS_PART_NUMBER ||
		    !ossxml_etag_ok(parts[i].etag))
			goto out;
		v[i] = &parts[i];
	}
	qsort(v, n, sizeof(*v), ossxml_part_cmp);
	for (i = 1; i < n; i++)
		if (v[i]->number == v[i - 1]->number)
			goto out;
	size = ossxml_write(v, n, NULL);
	if ((out = malloc(size + 1)) == NULL)
		goto out;
	ossxml_write(v, n, out);
	*len = size;
out:
	free(v);
	return out;
}
