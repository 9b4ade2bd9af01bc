/* OSS's XML answers through libxml2, and the Complete body; see ossxml.h. */
#include "config.h"	/* memmem */

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/tree.h>

#include "limit.h"
#include "ossxml.h"
#include "util.h"

/*
 * What libxml2 may do: no network, no messages, CDATA read as text, the
 * encoding declaration ignored (the bytes are checked to be UTF-8 first).
 * Left out on purpose: XML_PARSE_NOENT (entity substitution),
 * XML_PARSE_DTDLOAD/DTDATTR/DTDVALID (DTDs), XML_PARSE_HUGE (its own caps).
 */
#define OSSXML_OPTIONS	(XML_PARSE_NONET | XML_PARSE_NOERROR | \
	XML_PARSE_NOWARNING | XML_PARSE_NOCDATA | XML_PARSE_IGNORE_ENC)

/* ---- parsing: the hardened read ----------------------------------------- */

struct ossxml_state {
	int	 depth;
	int	 refused;
};

static void
ossxml_refuse(void *ctx)
{
	xmlParserCtxtPtr ctxt = ctx;

	((struct ossxml_state *)ctxt->_private)->refused = 1;
	xmlStopParser(ctxt);
}

static void
ossxml_sax_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
    int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct ossxml_state *st = ctxt->_private;

	if (++st->depth > LIMIT_OSS_XML_DEPTH) {
		ossxml_refuse(ctx);
		return;
	}
	xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces,
	    namespaces, nb_attributes, nb_defaulted, attributes);
}

static void
ossxml_sax_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri)
{
	xmlParserCtxtPtr ctxt = ctx;

	((struct ossxml_state *)ctxt->_private)->depth--;
	xmlSAX2EndElementNs(ctx, localname, prefix, uri);
}

/* A DOCTYPE, internal or external. */
static void
ossxml_sax_subset(void *ctx, const xmlChar *name, const xmlChar *external_id,
    const xmlChar *system_id)
{
	ossxml_refuse(ctx);
}

static void
ossxml_sax_entity_decl(void *ctx, const xmlChar *name, int type,
    const xmlChar *public_id, const xmlChar *system_id, xmlChar *content)
{
	ossxml_refuse(ctx);
}

/* Asked only for entities other than the five predefined ones. */
static xmlEntityPtr
ossxml_sax_get_entity(void *ctx, const xmlChar *name)
{
	ossxml_refuse(ctx);
	return NULL;
}

static void
ossxml_sax_reference(void *ctx, const xmlChar *name)
{
	ossxml_refuse(ctx);
}

static void
ossxml_sax_silent(void *arg, xmlErrorPtr err)
{
}

/* len bytes as a document, or NULL for anything ossxml.h refuses. */
static xmlDocPtr
ossxml_read(const char *body, size_t len)
{
	static const char doctype[] = "<!DOCTYPE";
	struct ossxml_state st = { 0, 0 };
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc = NULL;

	if (body == NULL || len == 0 || len > LIMIT_OSS_XML_SIZE ||
	    memchr(body, '\0', len) != NULL || !util_utf8_valid(body, len) ||
	    memmem(body, len, doctype, sizeof(doctype) - 1) != NULL)
		return NULL;
	xmlInitParser();
	if ((ctxt = xmlCreateMemoryParserCtxt(body, (int)len)) == NULL)
		return NULL;
	xmlCtxtUseOptions(ctxt, OSSXML_OPTIONS);
	ctxt->_private = &st;
	ctxt->sax->startElementNs = ossxml_sax_start;
	ctxt->sax->endElementNs = ossxml_sax_end;
	ctxt->sax->internalSubset = ossxml_sax_subset;
	ctxt->sax->externalSubset = ossxml_sax_subset;
	ctxt->sax->entityDecl = ossxml_sax_entity_decl;
	ctxt->sax->getEntity = ossxml_sax_get_entity;
	ctxt->sax->getParameterEntity = ossxml_sax_get_entity;
	ctxt->sax->reference = ossxml_sax_reference;
	ctxt->sax->serror = ossxml_sax_silent;
	ctxt->sax->error = NULL;
	ctxt->sax->warning = NULL;
	ctxt->sax->fatalError = NULL;
	xmlParseDocument(ctxt);
	doc = ctxt->myDoc;
	ctxt->myDoc = NULL;
	if (!ctxt->wellFormed || st.refused || doc == NULL ||
	    doc->intSubset != NULL || doc->extSubset != NULL) {
		xmlFreeDoc(doc);
		doc = NULL;
	}
	xmlFreeParserCtxt(ctxt);
	return doc;
}

/* ---- parsing: fields ------------------------------------------------------ */

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

static int
ossxml_is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	    strcmp((const char *)n->name, name) == 0;
}

/*
 * The text of element e (its text children joined; comments skipped) into
 * out; -1 when e has any other child or the text does not fit.
 */
static long
ossxml_text(const xmlNode *e, char *out, size_t outsz)
{
	const xmlNode *c;
	size_t len = 0, n;

	for (c = e->children; c != NULL; c = c->next) {
		if (c->type == XML_COMMENT_NODE || c->type == XML_PI_NODE)
			continue;
		if (c->type != XML_TEXT_NODE &&
		    c->type != XML_CDATA_SECTION_NODE)
			return -1;
		n = c->content != NULL ? strlen((const char *)c->content) : 0;
		if (n >= outsz - len)
			return -1;
		memcpy(out + len, c->content, n);
		len += n;
	}
	out[len] = '\0';
	return (long)len;
}

static int
ossxml_has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

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

/*
 * The fields f[0..nf) of the children of e into out; other children are
 * skipped, except those named skip (handled by the caller).  -1 when a
 * field repeats, holds more than text, is too long or a required one is
 * missing.
 */
static int
ossxml_fields(const xmlNode *e, const struct ossxml_field *f, size_t nf,
    void *out, const char *skip)
{
	char text[LIMIT_OSS_XML_TEXT + 1];
	unsigned char seen[16] = { 0 };
	const xmlNode *c;
	char *dst;
	size_t i;

	if (nf > sizeof(seen))
		return -1;
	for (c = e->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE ||
		    (skip != NULL && ossxml_is(c, skip)))
			continue;
		for (i = 0; i < nf && !ossxml_is(c, f[i].name); i++)
			;
		if (i == nf)
			continue;
		if (seen[i]++ || ossxml_text(c, text, sizeof(text)) < 0)
			return -1;
		dst = (char *)out + f[i].off;
		if (f[i].kind != OSSXML_TEXT) {
			ossxml_safe(dst, f[i].size, text,
			    f[i].kind == OSSXML_MSG);
			continue;
		}
		if (strlen(text) >= f[i].size || ossxml_has_control(text))
			return -1;
		memcpy(dst, text, strlen(text) + 1);
	}
	for (i = 0; i < nf; i++)
		if (f[i].required && !seen[i])
			return -1;
	return 0;
}

/* The document's root when its local name is name, else NULL. */
static const xmlNode *
ossxml_root(xmlDocPtr doc, const char *name)
{
	const xmlNode *root;

	if (doc == NULL || (root = xmlDocGetRootElement(doc)) == NULL ||
	    !ossxml_is(root, name))
		return NULL;
	return root;
}

/*
 * The answer in body read, its root checked against name and the fields
 * f[0..nf) read into raw (see ossxml_fields): the document (the caller
 * frees it) with *root set, or NULL.
 */
static xmlDocPtr
ossxml_answer(const char *body, size_t len, const char *name,
    const struct ossxml_field *f, size_t nf, void *raw, const char *skip,
    const xmlNode **root)
{
	xmlDocPtr doc;

	doc = ossxml_read(body, len);
	if ((*root = ossxml_root(doc, name)) == NULL ||
	    ossxml_fields(*root, f, nf, raw, skip) == -1) {
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

#define OSSXML_NF(f)	(sizeof(f) / sizeof((f)[0]))

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
	    (size_t)n >= keysz || ossxml_has_control(tmp) ||
	    !util_utf8_valid(tmp, (size_t)n))
		return -1;
	memcpy(key, tmp, (size_t)n + 1);
	return 0;
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
	const xmlNode *root;
	xmlDocPtr doc;
	int rc = -1;

	memset(&raw, 0, sizeof(raw));
	if ((doc = ossxml_answer(body, len, "InitiateMultipartUploadResult", f,
	    OSSXML_NF(f), &raw, NULL, &root)) == NULL ||
	    raw.v.upload_id[0] == '\0' ||
	    ossxml_key(raw.v.key, sizeof(raw.v.key), raw.encoding) == -1)
		goto out;
	*out = raw.v;
	rc = 0;
out:
	xmlFreeDoc(doc);
	return rc;
}

struct ossxml_part_raw {
	char	 number[8];
	char	 etag[LIMIT_OSS_ETAG + 1];
	char	 size[24];
};

static int
ossxml_part(const xmlNode *e, struct ossxml_part *p)
{
	static const struct ossxml_field f[] = {
	    OSSXML_F("PartNumber", struct ossxml_part_raw, number,
		OSSXML_TEXT, 1),
	    OSSXML_F("ETag", struct ossxml_part_raw, etag, OSSXML_TEXT, 1),
	    OSSXML_F("Size", struct ossxml_part_raw, size, OSSXML_TEXT, 1),
	};
	struct ossxml_part_raw raw;
	long long num, size;

	memset(&raw, 0, sizeof(raw));
	if (ossxml_fields(e, f, OSSXML_NF(f), &raw, NULL) == -1 ||
	    util_strtonum(raw.number, 1, LIMIT_OSS_PART_NUMBER, &num,
	    NULL) == -1 ||
	    util_strtonum(raw.size, 0, LIMIT_OSS_PART_SIZE, &size, NULL) == -1 ||
	    raw.etag[0] == '\0')
		return -1;
	p->number = (int)num;
	p->size = size;
	memcpy(p->etag, raw.etag, sizeof(p->etag));
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
	struct ossxml_parts_raw raw;
	struct ossxml_parts v;
	const xmlNode *root, *c;
	long long next = 0;
	xmlDocPtr doc;
	int rc = -1;

	memset(&raw, 0, sizeof(raw));
	memset(&v, 0, sizeof(v));
	if ((doc = ossxml_answer(body, len, "ListPartsResult", f, OSSXML_NF(f),
	    &raw, "Part", &root)) == NULL)
		goto out;
	if (strcmp(raw.truncated, "true") == 0)
		v.truncated = 1;
	else if (strcmp(raw.truncated, "false") != 0)
		goto out;
	if (raw.next[0] != '\0' &&
	    util_strtonum(raw.next, 0, LIMIT_OSS_PART_NUMBER, &next, NULL) == -1)
		goto out;
	if (v.truncated && next == 0)
		goto out;
	v.next_marker = (int)next;
	for (c = root->children; c != NULL; c = c->next)
		if (ossxml_is(c, "Part"))
			v.n++;
	if (v.n > LIMIT_OSS_LIST_PAGE)
		goto out;
	if ((v.parts = calloc(v.n ? v.n : 1, sizeof(*v.parts))) == NULL)
		goto out;
	v.n = 0;
	for (c = root->children; c != NULL; c = c->next) {
		if (!ossxml_is(c, "Part"))
			continue;
		if (ossxml_part(c, &v.parts[v.n]) == -1 ||
		    (v.n > 0 && v.parts[v.n].number <= v.parts[v.n - 1].number))
			goto out;
		v.n++;
	}
	*out = v;
	v.parts = NULL;
	rc = 0;
out:
	free(v.parts);
	xmlFreeDoc(doc);
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
	const xmlNode *root;
	xmlDocPtr doc;
	int rc = -1;

	/* Location and Key make it large for the stack. */
	if ((raw = calloc(1, sizeof(*raw))) == NULL)
		return -1;
	if ((doc = ossxml_answer(body, len, "CompleteMultipartUploadResult", f,
	    OSSXML_NF(f), raw, NULL, &root)) == NULL || raw->v.etag[0] == '\0' ||
	    ossxml_key(raw->v.key, sizeof(raw->v.key), raw->encoding) == -1)
		goto out;
	*out = raw->v;
	rc = 0;
out:
	free(raw);
	xmlFreeDoc(doc);
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
	const xmlNode *root;
	xmlDocPtr doc;
	int rc = -1;

	memset(&v, 0, sizeof(v));
	if ((doc = ossxml_answer(body, len, "Error", f, OSSXML_NF(f), &v, NULL,
	    &root)) == NULL || v.code[0] == '\0')
		goto out;
	*out = v;
	rc = 0;
out:
	xmlFreeDoc(doc);
	return rc;
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
