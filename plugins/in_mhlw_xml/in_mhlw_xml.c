/*
 * in_mhlw_xml.c -- input plugin for MHLW standard XML submission archives
 * (特定健診・特定保健指導の電子的な標準様式; jp-health-data.md §1).
 *
 * One input is one archive: a .zip or an unpacked folder (archive.h).  The
 * index ix08_V08.xml must parse (2024 or 2008 namespace); its
 * totalRecordCount is compared with the files in DATA/ + CLAIMS/ and a
 * mismatch is logged.  Then every DATA/h*.xml, in path order, becomes one
 * record (cda.h) with record_no = its 1-based position and line_no = 0; a
 * document that is refused, malformed, unsafe or (validate=true) invalid
 * is rejected with a one-line reason and the rest of the archive loads.
 * DATA/g*.xml (特定保健指導) and other files are counted and skipped.
 *
 * XML safety: documents are parsed without entity substitution, without
 * DTD loading, without network (XML_PARSE_NONET), with libxml2's default
 * size limits (never XML_PARSE_HUGE); any DOCTYPE that declares entities
 * or names an external identifier stops the parse and rejects the
 * document; while a document parses, libxml2's external entity loader is
 * replaced by one that refuses everything, and the finished tree is
 * checked again for a DTD with entities or an external subset.
 *
 * Two paths, one result: a document is streamed (SAX2 events into cda.c,
 * no tree) unless validate=true or it has a DOCTYPE; the streaming parse
 * stops at any DOCTYPE and the document is parsed again into a tree,
 * where the checks above refuse it or cda_extract reads it.
 *
 * libxml2 2.9 has one process-wide entity loader: it is swapped in for
 * the duration of each parse and restored after, which assumes the host
 * does not parse XML on another thread at the same time.
 *
 * Memory is flat in the number of documents: one document's bytes (and
 * tree, on the tree path) at a time; the record builder and the
 * streaming state are reused.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlIO.h>
#include <libxml/xmlschemas.h>

#include "colink/plugin.h"
#include "archive.h"
#include "cda.h"

#define NS_INDEX_2024 "https://www.mhlw.go.jp/stf/seisakunitsuite/bunya/0000161103.html"
#define NS_INDEX_2008 "http://tokuteikenshin.jp/checkup/2007"
#define IX_OID_INSURER "1.2.392.200119.6.101" /* 保険者番号 */
#define IX_OID_ORG "1.2.392.200119.6.102"     /* 健診・保健指導機関番号 */
#define SCHEMA_FILE "hc08_V08.xsd"

/* No XML_PARSE_NOENT, no XML_PARSE_DTDLOAD, no XML_PARSE_HUGE. */
#define PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

enum { SET_VALIDATE, SET_MAX_ENTRY_BYTES, SET_MAX_RATIO, SET_COUNT };

static const struct colink_setting_def settings[] = {
	{ "validate", COLINK_SET_BOOL, "false",
	  "validate each DATA/h*.xml against the archive's own XSD/hc08_V08.xsd", NULL },
	{ "max_entry_bytes", COLINK_SET_INT, "67108864",
	  "refuse an archive entry larger than this many bytes", NULL },
	{ "max_ratio", COLINK_SET_INT, "200",
	  "refuse a zip entry whose uncompressed size is more than this times its compressed size",
	  NULL },
	COLINK_SETTINGS_END
};

struct inst {
	const struct colink_host *host;
	struct colink_host_ctx *hc;
	int validate;
	struct mhlw_limits lim;
};

/* State of one read() call. */
struct run {
	struct inst *in;
	const char *path;
	struct colink_emitter *em;
	struct mhlw_archive *a;
	xmlSchemaPtr schema;
	xmlSchemaValidCtxtPtr vctxt;
	struct cda_stream st; /* streaming state, reused (cda.h) */
	struct cda_record rec;
};

/* First line of a libxml2 message, printable ASCII only, bounded. */
static void sanitize(const char *in, char *out, size_t outsz)
{
	size_t o = 0;
	for (; in && *in && *in != '\n' && o + 1 < outsz; in++) {
		unsigned char c = (unsigned char)*in;
		out[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
}

/* ------------------------------------------------------------------ */
/* Safe parsing                                                         */
/* ------------------------------------------------------------------ */

struct guard {
	const char *refused; /* static reason once the parse was stopped */
};

static void refuse(void *ctx, const char *why)
{
	xmlParserCtxtPtr c = ctx;
	struct guard *g = c->_private;
	if (!g->refused)
		g->refused = why;
	xmlStopParser(c);
}

static void g_internal_subset(void *ctx, const xmlChar *name,
			      const xmlChar *eid, const xmlChar *sid)
{
	if (eid || sid) {
		refuse(ctx, "DOCTYPE with an external identifier refused");
		return;
	}
	xmlSAX2InternalSubset(ctx, name, eid, sid);
}

static void g_external_subset(void *ctx, const xmlChar *name,
			      const xmlChar *eid, const xmlChar *sid)
{
	(void)name;
	if (eid || sid)
		refuse(ctx, "DOCTYPE with an external identifier refused");
}

static void g_entity_decl(void *ctx, const xmlChar *name, int type,
			  const xmlChar *pid, const xmlChar *sid, xmlChar *content)
{
	(void)name, (void)type, (void)pid, (void)sid, (void)content;
	refuse(ctx, "DOCTYPE declaring entities refused");
}

static void g_unparsed_entity_decl(void *ctx, const xmlChar *name,
				   const xmlChar *pid, const xmlChar *sid,
				   const xmlChar *notation)
{
	(void)name, (void)pid, (void)sid, (void)notation;
	refuse(ctx, "DOCTYPE declaring entities refused");
}

/* Errors stay in the parser context (xmlCtxtGetLastError): never printed
 * and never routed to a handler the host may have installed. */
static void quiet(void *data, xmlErrorPtr e)
{
	(void)data, (void)e;
}

static xmlParserInputPtr refuse_loader(const char *url, const char *id,
				       xmlParserCtxtPtr ctxt)
{
	(void)url, (void)id, (void)ctxt;
	return NULL;
}

/* Defence in depth: the finished tree must carry no entity machinery. */
static const char *doctype_problem(xmlDocPtr doc)
{
	xmlDtdPtr d = doc->intSubset;
	if (doc->extSubset || (d && (d->ExternalID || d->SystemID)))
		return "DOCTYPE with an external identifier refused";
	if (d && (d->entities || d->pentities))
		return "DOCTYPE declaring entities refused";
	return NULL;
}

static void parse_error_reason(xmlParserCtxtPtr c, char why[MHLW_WHY_MAX])
{
	xmlErrorPtr e = xmlCtxtGetLastError(c);
	char msg[128];
	sanitize(e && e->message ? e->message : "not well-formed", msg, sizeof(msg));
	mhlw_why(why, "malformed XML at line %d: %s", e ? e->line : 0, msg);
}

/*
 * Parser contexts: one per document, as before.  Reusing one context (and
 * its dictionary) across the documents of a read() was measured and gave
 * no measurable gain once no tree is built (docs/drafts/xml-perf.md), so
 * a document never parses in a context another document has used.
 *
 * A tree-building context for buf[0..len) (1 <= len <= INT_MAX), with the
 * DOCTYPE guards above.
 */
static xmlParserCtxtPtr tree_parser_new(const char *buf, size_t len)
{
	xmlParserCtxtPtr c = xmlCreateMemoryParserCtxt(buf, (int)len);
	if (!c)
		return NULL;
	c->sax->internalSubset = g_internal_subset;
	c->sax->externalSubset = g_external_subset;
	c->sax->entityDecl = g_entity_decl;
	c->sax->unparsedEntityDecl = g_unparsed_entity_decl;
	c->sax->serror = quiet;
	return c;
}

/* Streaming: any DOCTYPE stops the parse, and the document goes to the
 * tree path, which applies the checks above to it. */
static void s_doctype(void *ctx, const xmlChar *name, const xmlChar *eid,
		      const xmlChar *sid)
{
	xmlParserCtxtPtr c = ctx;
	struct cda_stream *st = c->_private;
	(void)name, (void)eid, (void)sid;
	st->dtd = 1;
	xmlStopParser(c);
}

/* A context for buf[0..len) that builds nothing: elements and text go to
 * cda.c, any DOCTYPE to s_doctype. */
static xmlParserCtxtPtr stream_parser_new(const char *buf, size_t len)
{
	xmlParserCtxtPtr c = xmlCreateMemoryParserCtxt(buf, (int)len);
	if (!c)
		return NULL;
	memset(c->sax, 0, sizeof(*c->sax));
	cda_sax_handlers(c->sax);
	/* Entity lookup as in tree mode: with no DOCTYPE seen it finds only
	 * the predefined entities; after a fatal error (callbacks off, the
	 * document already malformed) it finds what libxml2 stored, as the
	 * tree path did, so the parse and its last error are the same. */
	c->sax->getEntity = xmlSAX2GetEntity;
	c->sax->getParameterEntity = xmlSAX2GetParameterEntity;
	c->sax->internalSubset = s_doctype;
	c->sax->externalSubset = s_doctype;
	c->sax->serror = quiet;
	return c;
}

/*
 * Run the parser `c` with the plugin's options, the refusing entity
 * loader and libxml2's global error handler silenced.
 */
static void parse_in(xmlParserCtxtPtr c)
{
	xmlExternalEntityLoader old;
	xmlStructuredErrorFunc old_serr;
	void *old_sctx;
	xmlCtxtUseOptions(c, PARSE_OPTIONS);
	old = xmlGetExternalEntityLoader();
	xmlSetExternalEntityLoader(refuse_loader);
	/* Encoding and I/O errors are raised without the parser context and
	 * would go to libxml2's global handler, which prints to stderr with
	 * the offending input bytes ("bytes 0x85 0x40 0x83 0x69": part of a
	 * name).  Silence the global handler for the parse, then restore. */
	old_serr = xmlStructuredError;
	old_sctx = xmlStructuredErrorContext;
	xmlSetStructuredErrorFunc(NULL, quiet);
	xmlParseDocument(c);
	xmlSetStructuredErrorFunc(old_sctx, old_serr);
	xmlSetExternalEntityLoader(old);
}

static int size_ok(size_t len, char why[MHLW_WHY_MAX])
{
	if (len == 0) {
		mhlw_why(why, "empty document");
		return COLINK_REJECTED;
	}
	if (len > INT_MAX) {
		mhlw_why(why, "document larger than %d bytes", INT_MAX);
		return COLINK_REJECTED;
	}
	return COLINK_OK;
}

/*
 * Parse buf[0..len) safely into a tree.  COLINK_OK with *out (free with
 * xmlFreeDoc), COLINK_REJECTED with a reason in `why`, or COLINK_ENOMEM.
 */
static int safe_parse(const char *buf, size_t len, xmlDocPtr *out,
		      char why[MHLW_WHY_MAX])
{
	struct guard g = { NULL };
	xmlParserCtxtPtr c;
	xmlErrorPtr e;
	const char *problem;
	int rc = size_ok(len, why);
	*out = NULL;
	if (rc)
		return rc;
	if (!(c = tree_parser_new(buf, len)))
		return COLINK_ENOMEM;
	c->_private = &g;
	parse_in(c);
	e = xmlCtxtGetLastError(c);
	if (g.refused) {
		mhlw_why(why, "%s", g.refused);
		rc = COLINK_REJECTED;
	} else if (e && e->code == XML_ERR_NO_MEMORY) {
		rc = COLINK_ENOMEM;
	} else if (!c->wellFormed || !c->myDoc) {
		parse_error_reason(c, why);
		rc = COLINK_REJECTED;
	} else if ((problem = doctype_problem(c->myDoc)) != NULL) {
		mhlw_why(why, "%s", problem);
		rc = COLINK_REJECTED;
	}
	if (rc == COLINK_OK)
		*out = c->myDoc;
	else if (c->myDoc)
		xmlFreeDoc(c->myDoc);
	c->myDoc = NULL;
	xmlFreeParserCtxt(c);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Index (ix08_V08.xml)                                                 */
/* ------------------------------------------------------------------ */

static xmlNode *ns_child(xmlNode *n, const char *name, const xmlChar *href)
{
	for (n = n ? n->children : NULL; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE && n->ns &&
		    xmlStrEqual(n->ns->href, href) &&
		    !strcmp((const char *)n->name, name))
			return n;
	return NULL;
}

/* Parse a non-negative decimal count of at most 12 digits. */
static int parse_count(const char *s, long long *out)
{
	long long v = 0;
	size_t i;
	if (!s || !*s || strlen(s) > 12)
		return -1;
	for (i = 0; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* The index's totalRecordCount, or a COLINK_EFORMAT reason in `why`. */
static int index_count(xmlDocPtr doc, long long *count, char why[MHLW_WHY_MAX])
{
	xmlNode *root = xmlDocGetRootElement(doc), *trc;
	xmlChar *v;
	int bad;
	if (!root || !root->ns || strcmp((const char *)root->name, "index") ||
	    (!xmlStrEqual(root->ns->href, (const xmlChar *)NS_INDEX_2024) &&
	     !xmlStrEqual(root->ns->href, (const xmlChar *)NS_INDEX_2008))) {
		mhlw_why(why, "root element is not an index of the 2024 or 2008 MHLW namespace");
		return COLINK_EFORMAT;
	}
	trc = ns_child(root, "totalRecordCount", root->ns->href);
	v = trc ? xmlGetNoNsProp(trc, (const xmlChar *)"value") : NULL;
	bad = parse_count((const char *)v, count);
	xmlFree(v);
	if (bad) {
		mhlw_why(why, "totalRecordCount missing or not a count");
		return COLINK_EFORMAT;
	}
	return COLINK_OK;
}

static int all_digits(const char *s, size_t n)
{
	size_t i;
	if (!s || strlen(s) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* 1 when s is a real calendar date YYYYMMDD from 1900 on, not after today (UTC). */
static int index_date_ok(const char *s, char why[MHLW_WHY_MAX])
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d;
	char today[16];
	time_t now = time(NULL);
	struct tm tm;
	if (!all_digits(s, 8)) {
		mhlw_why(why, "is not a date YYYYMMDD");
		return 0;
	}
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[4] - '0') * 10 + (s[5] - '0');
	d = (s[6] - '0') * 10 + (s[7] - '0');
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] ||
	    (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))) {
		mhlw_why(why, "is not a calendar date");
		return 0;
	}
	if (gmtime_r(&now, &tm) && strftime(today, sizeof(today), "%Y%m%d", &tm) &&
	    strcmp(s, today) > 0) {
		mhlw_why(why, "is in the future");
		return 0;
	}
	return 1;
}

/*
 * The index's creationTime and receiver, checked with a warning naming
 * the field (the documents' own headers are what colink loads): the
 * creation time a calendar date not in the future; the receiver, when
 * present (it is optional), an organisation OID -- 保険者 (...101, an 8-digit
 * number), 健診機関 (...102, 10 digits), 代行機関 (...103) or 自治体 (...105).
 * Values are never printed: a receiver number names the recipient.
 */
static void index_fields(struct run *r, xmlDocPtr doc)
{
	xmlNode *root = xmlDocGetRootElement(doc), *ct, *rcv, *id;
	xmlChar *v, *oid = NULL, *ext = NULL;
	char why[MHLW_WHY_MAX];
	const struct colink_host *h = r->in->host;
	ct = ns_child(root, "creationTime", root->ns->href);
	v = ct ? xmlGetNoNsProp(ct, (const xmlChar *)"value") : NULL;
	if (!v)
		h->log(r->in->hc, COLINK_LOG_WARN, "%s: ix08_V08.xml: creationTime@value is missing",
		       r->path);
	else if (!index_date_ok((const char *)v, why))
		h->log(r->in->hc, COLINK_LOG_WARN, "%s: ix08_V08.xml: creationTime@value %s", r->path,
		       why);
	xmlFree(v);
	rcv = ns_child(root, "receiver", root->ns->href);
	if (!rcv)
		return;
	id = ns_child(rcv, "id", root->ns->href);
	if (id) {
		oid = xmlGetNoNsProp(id, (const xmlChar *)"root");
		ext = xmlGetNoNsProp(id, (const xmlChar *)"extension");
	}
	if (!oid)
		h->log(r->in->hc, COLINK_LOG_WARN, "%s: ix08_V08.xml: receiver/id@root is missing",
		       r->path);
	else if (strcmp((const char *)oid, IX_OID_INSURER) && strcmp((const char *)oid, IX_OID_ORG) &&
		 strcmp((const char *)oid, "1.2.392.200119.6.103") &&
		 strcmp((const char *)oid, "1.2.392.200119.6.105"))
		h->log(r->in->hc, COLINK_LOG_WARN,
		       "%s: ix08_V08.xml: receiver/id@root is not the OID of an insurer (...6.101), "
		       "checkup institution (...6.102), agency (...6.103) or municipality (...6.105)",
		       r->path);
	else if (!strcmp((const char *)oid, IX_OID_INSURER) && !all_digits((const char *)ext, 8))
		h->log(r->in->hc, COLINK_LOG_WARN,
		       "%s: ix08_V08.xml: receiver/id@extension is not an 8-digit insurer number",
		       r->path);
	else if (!strcmp((const char *)oid, IX_OID_ORG) && !all_digits((const char *)ext, 10))
		h->log(r->in->hc, COLINK_LOG_WARN,
		       "%s: ix08_V08.xml: receiver/id@extension is not a 10-digit institution number",
		       r->path);
	xmlFree(oid);
	xmlFree(ext);
}

static int check_index(struct run *r, struct colink_error *err)
{
	char why[MHLW_WHY_MAX], *buf = NULL;
	size_t len = 0, files = mhlw_archive_nentries(r->a);
	xmlDocPtr doc = NULL;
	long long total = 0;
	int rc = mhlw_archive_read_index(r->a, &buf, &len, why);
	if (rc == COLINK_OK) {
		rc = safe_parse(buf, len, &doc, why);
		r->in->host->free(buf);
	}
	if (rc == COLINK_OK) {
		rc = index_count(doc, &total, why);
		if (rc == COLINK_OK)
			index_fields(r, doc);
		xmlFreeDoc(doc);
	}
	if (rc == COLINK_ENOMEM)
		return COLINK_ERR(err, rc, "%s: out of memory reading ix08_V08.xml", r->path);
	if (rc)
		return COLINK_ERR(err, rc == COLINK_EPERM ? COLINK_EPERM : COLINK_EFORMAT,
				  "%s: ix08_V08.xml: %s", r->path, why);
	if ((unsigned long long)total != (unsigned long long)files)
		r->in->host->log(r->in->hc, COLINK_LOG_WARN,
				 "%s: ix08_V08.xml: totalRecordCount says %lld, archive has %zu files",
				 r->path, total, files);
	return COLINK_OK;
}

/* ------------------------------------------------------------------ */
/* XSD validation                                                       */
/* ------------------------------------------------------------------ */

struct first_error {
	int set, line, code;
	char node[64];
	char msg[128];
};

static void keep_first_error(void *data, xmlErrorPtr e)
{
	struct first_error *f = data;
	xmlNodePtr n;
	if (!e || f->set)
		return;
	f->set = 1;
	f->line = e->line;
	f->code = e->code;
	n = e->node;
	if (n && n->type == XML_ELEMENT_NODE)
		sanitize((const char *)n->name, f->node, sizeof(f->node));
	sanitize(e->message, f->msg, sizeof(f->msg));
}

/*
 * Schema files come from the archive: a schema may include only local
 * *.xsd files (no network, no other scheme, no ".." step), so an archive
 * cannot make the parser fetch a URL or read arbitrary files.
 */
static xmlParserInputPtr xsd_loader(const char *url, const char *id,
				    xmlParserCtxtPtr ctxt)
{
	const char *p = url;
	size_t l;
	if (!url)
		return NULL;
	if (!strncmp(url, "file://", 7))
		p = url + 7;
	else if (strchr(url, ':'))
		return NULL;
	l = strlen(p);
	if (strstr(p, "/../") || !strncmp(p, "../", 3) || l < 4 ||
	    strcmp(p + l - 4, ".xsd"))
		return NULL;
	return xmlNoNetExternalEntityLoader(url, id, ctxt);
}

static int load_schema(struct run *r, struct colink_error *err)
{
	const struct colink_host *h = r->in->host;
	struct first_error fe = { 0, 0, 0, "", "" };
	xmlSchemaParserCtxtPtr pc;
	xmlExternalEntityLoader old;
	xmlStructuredErrorFunc old_serr = xmlStructuredError;
	void *old_sctx = xmlStructuredErrorContext;
	const char *dir;
	char *file;
	size_t n;
	int rc = mhlw_archive_xsd_dir(r->a, &dir, err);
	if (rc)
		return rc;
	if (colink_checked_add(&n, strlen(dir), sizeof("/" SCHEMA_FILE)) ||
	    !(file = h->malloc(n)))
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	snprintf(file, n, "%s/%s", dir, SCHEMA_FILE);
	old = xmlGetExternalEntityLoader();
	xmlSetExternalEntityLoader(xsd_loader);
	/* A schema file that cannot be loaded is reported through libxml2's
	 * global handler (printed on stderr): make it the reason instead. */
	xmlSetStructuredErrorFunc(&fe, keep_first_error);
	pc = xmlSchemaNewParserCtxt(file);
	if (pc) {
		xmlSchemaSetParserStructuredErrors(pc, keep_first_error, &fe);
		r->schema = xmlSchemaParse(pc);
		xmlSchemaFreeParserCtxt(pc);
	}
	xmlSetStructuredErrorFunc(old_sctx, old_serr);
	xmlSetExternalEntityLoader(old);
	h->free(file);
	if (!pc)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	if (!r->schema)
		return COLINK_ERR(err, COLINK_EFORMAT, "%s: XSD/" SCHEMA_FILE
				  " cannot be loaded: %s", r->path,
				  fe.set ? fe.msg : "unknown error");
	r->vctxt = xmlSchemaNewValidCtxt(r->schema);
	if (!r->vctxt)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	return COLINK_OK;
}

/* The reason names the line and element only: libxml2's message may
 * quote the offending value, which can be an identifier. */
static int validate_doc(struct run *r, xmlDocPtr doc, char why[MHLW_WHY_MAX])
{
	struct first_error fe = { 0, 0, 0, "", "" };
	int ret;
	xmlSchemaSetValidStructuredErrors(r->vctxt, keep_first_error, &fe);
	ret = xmlSchemaValidateDoc(r->vctxt, doc);
	if (ret == 0)
		return COLINK_OK;
	if (ret < 0)
		mhlw_why(why, "XSD validation failed inside libxml2");
	else
		mhlw_why(why, "not valid against XSD/" SCHEMA_FILE
			": line %d, element %s (libxml2 error %d)",
			fe.line, fe.node[0] ? fe.node : "?", fe.code);
	return COLINK_REJECTED;
}

/* ------------------------------------------------------------------ */
/* Documents                                                            */
/* ------------------------------------------------------------------ */

/* Pass an emit / emit_reject result through; EABORT ends the read.  The
 * host may have said why in *err already (the engine hands read() the
 * error it fills itself): keep its message rather than overwrite it. */
static int host_rc(int rc, uint64_t no, struct colink_error *err)
{
	if (rc == COLINK_OK)
		return COLINK_OK;
	if (err && err->code != COLINK_OK)
		return rc;
	if (rc == COLINK_EABORT)
		return COLINK_ERR(err, rc, "stopped by the host at record %llu",
				  (unsigned long long)no);
	return COLINK_ERR(err, rc, "the host refused record %llu",
			  (unsigned long long)no);
}

static int reject(struct run *r, uint64_t no, const char *name,
		  const char *why, struct colink_error *err)
{
	return host_rc(r->in->host->emit_reject(r->em, no, 0, name, why), no, err);
}

/*
 * Streaming parse of buf[0..len) into r->rec (cda.h).  COLINK_OK with the
 * record built, COLINK_REJECTED with a reason, COLINK_ENOMEM; or COLINK_OK
 * with *use_tree set when the document has a DOCTYPE: the tree path then
 * parses it again and applies its DOCTYPE checks.
 */
static int stream_document(struct run *r, const char *buf, size_t len,
			   const char *name, int *use_tree,
			   char why[MHLW_WHY_MAX])
{
	xmlParserCtxtPtr c;
	xmlErrorPtr e;
	int rc = size_ok(len, why);
	*use_tree = 0;
	if (rc)
		return rc;
	if (cda_stream_begin(&r->st, r->in->host))
		return COLINK_ENOMEM;
	if (!(c = stream_parser_new(buf, len)))
		return COLINK_ENOMEM;
	c->_private = &r->st;
	parse_in(c);
	e = xmlCtxtGetLastError(c);
	if (r->st.dtd) {
		*use_tree = 1;
	} else if (r->st.nomem || (e && e->code == XML_ERR_NO_MEMORY)) {
		rc = COLINK_ENOMEM;
	} else if (!c->wellFormed) {
		parse_error_reason(c, why);
		rc = COLINK_REJECTED;
	}
	/* Nothing here builds a document, but libxml2 does when it meets an
	 * entity declaration with SAX already off after a fatal error (its
	 * "expat compatibility" store, as in tree mode; the document is
	 * malformed then and rejected): free it. */
	if (c->myDoc) {
		xmlFreeDoc(c->myDoc);
		c->myDoc = NULL;
	}
	xmlFreeParserCtxt(c);
	if (rc == COLINK_OK && !*use_tree)
		rc = cda_stream_record(&r->st, &r->rec, name, why);
	return rc;
}

/* Tree parse, (validate,) convert: the path for validate=true and for
 * documents with a DOCTYPE. */
static int tree_document(struct run *r, const char *buf, size_t len,
			 const char *name, char why[MHLW_WHY_MAX])
{
	xmlDocPtr doc = NULL;
	int rc = safe_parse(buf, len, &doc, why);
	if (rc == COLINK_OK && r->vctxt)
		rc = validate_doc(r, doc, why);
	if (rc == COLINK_OK)
		rc = cda_extract(&r->rec, doc, name, why);
	xmlFreeDoc(doc);
	return rc;
}

/* Parse, (validate,) convert and emit document `i` as record `no`. */
static int one_document(struct run *r, size_t i, uint64_t no,
			struct colink_error *err)
{
	const struct colink_host *h = r->in->host;
	const char *name = mhlw_archive_entry_name(r->a, i);
	char why[MHLW_WHY_MAX], *buf = NULL;
	size_t len = 0;
	struct colink_raw_record rec = COLINK_RAW_RECORD_INIT(.nfields = 0);
	int use_tree = 1;
	int rc = mhlw_archive_read(r->a, i, &buf, &len, why);
	if (rc == COLINK_OK) {
		if (!r->vctxt)
			rc = stream_document(r, buf, len, name, &use_tree, why);
		if (rc == COLINK_OK && use_tree)
			rc = tree_document(r, buf, len, name, why);
		h->free(buf);
	}
	if (rc == COLINK_ENOMEM)
		return COLINK_ERR(err, rc, "%s: out of memory at %s", r->path, name);
	if (rc)
		return reject(r, no, name, why, err);
	if (r->rec.skipped)
		h->log(r->in->hc, COLINK_LOG_WARN,
		       "%s: %s: %zu observations without an item code skipped",
		       r->path, name, r->rec.skipped);
	rec.record_no = no;
	rec.line_no = 0;
	rec.nfields = r->rec.n;
	rec.fields = r->rec.fields;
	rec.document = name; /* rejects name the document (#18) */
	return host_rc(h->emit(r->em, &rec), no, err);
}

static int has_suffix_ci(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);
	return ls >= lx && !strcasecmp(s + ls - lx, suffix);
}

static int read_documents(struct run *r, struct colink_error *err)
{
	size_t i, n = mhlw_archive_nentries(r->a), guidance = 0, other = 0;
	uint64_t no = 0;
	int rc = COLINK_OK;
	for (i = 0; i < n && rc == COLINK_OK; i++) {
		const char *name = mhlw_archive_entry_name(r->a, i);
		const char *base = strrchr(name, '/') + 1;
		if (strncmp(name, "DATA/", 5))
			continue; /* CLAIMS/: counted for the index only */
		if (mhlw_archive_entry_unsafe(r->a, i)) {
			rc = reject(r, ++no, name, "zip entry with unsafe path", err);
		} else if (base[0] == 'g') {
			guidance++;
		} else if (base[0] != 'h' || !has_suffix_ci(base, ".xml")) {
			other++;
		} else {
			rc = one_document(r, i, ++no, err);
		}
	}
	if (guidance)
		r->in->host->log(r->in->hc, COLINK_LOG_INFO,
				 "%s: %zu guidance documents (DATA/g*) skipped",
				 r->path, guidance);
	if (other)
		r->in->host->log(r->in->hc, COLINK_LOG_WARN,
				 "%s: %zu DATA/ files that are not h*.xml skipped",
				 r->path, other);
	return rc;
}

static int in_read(void *ctx, const char *path, struct colink_emitter *em,
		   struct colink_error *err)
{
	struct run r;
	int rc;
	memset(&r, 0, sizeof(r));
	r.in = ctx;
	r.path = path;
	r.em = em;
	r.rec.host = r.in->host;
	rc = mhlw_archive_open(&r.a, r.in->host, r.in->hc, path, &r.in->lim, err);
	if (!rc)
		rc = check_index(&r, err);
	if (!rc && r.in->validate)
		rc = load_schema(&r, err);
	if (!rc)
		rc = read_documents(&r, err);
	cda_record_free(&r.rec);
	cda_stream_free(&r.st);
	if (r.vctxt)
		xmlSchemaFreeValidCtxt(r.vctxt);
	if (r.schema)
		xmlSchemaFree(r.schema);
	mhlw_archive_close(r.a);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Descriptor                                                           */
/* ------------------------------------------------------------------ */

static int in_init(void **ctx, const struct colink_host *host,
		   struct colink_host_ctx *hc,
		   const struct colink_setting_values *set,
		   struct colink_error *err)
{
	struct colink_setting_value vals[SET_COUNT];
	struct inst *in;
	*ctx = NULL;
	if (colink_settings_copy(vals, SET_COUNT, set))
		return COLINK_ERR(err, COLINK_EABI, "in_mhlw_xml: malformed settings from the host");
	if (vals[SET_MAX_ENTRY_BYTES].i < 1)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "in_mhlw_xml: max_entry_bytes must be at least 1");
	if (vals[SET_MAX_RATIO].i < 1)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "in_mhlw_xml: max_ratio must be at least 1");
	in = host->calloc(1, sizeof(*in));
	if (!in)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	in->host = host;
	in->hc = hc;
	in->validate = vals[SET_VALIDATE].i != 0;
	in->lim.max_entry_bytes = (uint64_t)vals[SET_MAX_ENTRY_BYTES].i;
	in->lim.max_ratio = (uint64_t)vals[SET_MAX_RATIO].i;
	xmlInitParser(); /* idempotent; never xmlCleanupParser in a plugin */
	*ctx = in;
	return COLINK_OK;
}

static void in_fini(void *ctx)
{
	struct inst *in = ctx;
	if (in)
		in->host->free(in);
}

static const struct colink_input_ops input_ops = COLINK_INPUT_OPS_INIT(
	.read = in_read);

static const struct colink_plugin plugin = COLINK_INPUT_PLUGIN_INIT(
	.name = "in_mhlw_xml",
	.version = "1.0",
	.description = "MHLW standard XML checkup archives (zip or folder): one record per DATA/h*.xml",
	.settings = settings,
	.init = in_init,
	.fini = in_fini,
	.input = &input_ops,
	.output = NULL);

COLINK_EXPORT const struct colink_plugin *colink_plugin_entry(void)
{
	return &plugin;
}
