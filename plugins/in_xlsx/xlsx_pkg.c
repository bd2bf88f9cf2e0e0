/*
 * xlsx_pkg.c -- the zip package of a workbook: parts streamed through
 * SAX2 with the defences of in_mhlw_xml's archive.c.  See xlsx.h.
 *
 * A part is never read whole: 64 KiB of inflated bytes at a time go to a
 * libxml2 push parser.  Before reading, the sizes the zip declares are
 * checked against max_part_bytes and max_ratio x compressed size; while
 * reading, the bytes actually inflated are counted against the same caps,
 * so a central directory that lies about sizes does not help a zip bomb.
 * libxml2 keeps its default size limits (never XML_PARSE_HUGE), never
 * substitutes entities (no XML_PARSE_NOENT), never loads a DTD or touches
 * the network (XML_PARSE_NONET, and the external entity loader refuses
 * everything during the parse); a DOCTYPE of any kind stops the parse,
 * since no Office Open XML part has one, so no entity can be declared.
 */
#include "xlsx.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <libxml/SAX2.h>
#include <libxml/parserInternals.h>
#include <zip.h>

#define CHUNK 65536u
#define PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

struct xlsx_pkg {
	const struct colink_host *host;
	struct xlsx_limits lim;
	zip_t *zip;
	char *buf; /* CHUNK bytes, reused */
};

/* What a push parse carries besides the caller's user data. */
struct parse_state {
	void *ud;
	const char *refused; /* static reason once a DOCTYPE stopped the parse */
	int stopped;         /* a callback stopped the parse */
};

void xlsx_why(char *why, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, XLSX_WHY_MAX, fmt, ap);
	va_end(ap);
}

/* Same rule as archive.c: absolute names, drive letters and ".."
 * components are refused ("zip slip"). */
static int path_unsafe(const char *p)
{
	const char *c = p;
	if (p[0] == '/' || p[0] == '\\' || p[0] == '\0')
		return 1;
	if (((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z')) && p[1] == ':')
		return 1;
	while (*c) {
		size_t l = strcspn(c, "/\\");
		if (l == 2 && c[0] == '.' && c[1] == '.')
			return 1;
		c += l;
		if (*c)
			c++;
	}
	return 0;
}

int xlsx_pkg_open(struct xlsx_pkg **out, const struct colink_host *host,
		  const char *path, const struct xlsx_limits *lim,
		  struct colink_error *err)
{
	struct xlsx_pkg *p;
	struct stat st;
	int ze = 0;
	*out = NULL;
	if (stat(path, &st) != 0)
		return COLINK_ERR(err, errno == ENOENT ? COLINK_ENOTFOUND : COLINK_EIO,
				  "%s: cannot open: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return COLINK_ERR(err, COLINK_EFORMAT, "%s: not a regular file", path);
	p = host->calloc(1, sizeof(*p));
	if (!p || !(p->buf = host->malloc(CHUNK))) {
		host->free(p);
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	}
	p->host = host;
	p->lim = *lim;
	if (p->lim.max_ratio < 1)
		p->lim.max_ratio = 1;
	p->zip = zip_open(path, ZIP_RDONLY, &ze);
	if (!p->zip) {
		zip_error_t zerr;
		int code = ze == ZIP_ER_MEMORY ? COLINK_ENOMEM :
			(ze == ZIP_ER_OPEN || ze == ZIP_ER_READ) ? COLINK_EIO : COLINK_EFORMAT;
		zip_error_init_with_code(&zerr, ze);
		COLINK_ERR(err, code, "%s: not an .xlsx workbook (not a readable zip archive: %s)",
			   path, zip_error_strerror(&zerr));
		zip_error_fini(&zerr);
		xlsx_pkg_close(p);
		return code;
	}
	*out = p;
	return COLINK_OK;
}

void xlsx_pkg_close(struct xlsx_pkg *p)
{
	if (!p)
		return;
	if (p->zip)
		zip_discard(p->zip);
	p->host->free(p->buf);
	p->host->free(p);
}

static zip_int64_t locate(struct xlsx_pkg *p, const char *part)
{
	if (path_unsafe(part))
		return -1;
	return zip_name_locate(p->zip, part, ZIP_FL_NOCASE);
}

int xlsx_pkg_has(struct xlsx_pkg *p, const char *part)
{
	return locate(p, part) >= 0;
}

char *xlsx_pkg_resolve(struct xlsx_pkg *p, const char *source, const char *target,
		       int *bad)
{
	const char *slash = strrchr(source, '/');
	size_t dl = slash ? (size_t)(slash - source) + 1 : 0, tl = strlen(target), n, i, o;
	char *s, *r;
	*bad = 0;
	if (strstr(target, "://") || !tl) {
		*bad = 1;
		return NULL;
	}
	if (target[0] == '/') {
		dl = 0;
		target++;
		tl--;
	}
	if (colink_checked_add(&n, dl, tl) || colink_checked_add(&n, n, 1) ||
	    !(s = p->host->malloc(n)))
		return NULL;
	memcpy(s, source, dl);
	memcpy(s + dl, target, tl + 1);
	/* fold "x/../" and "./" segments; a ".." above the root is unsafe */
	if (!(r = p->host->malloc(n))) {
		p->host->free(s);
		return NULL;
	}
	for (i = 0, o = 0; s[i];) {
		size_t l = strcspn(s + i, "/");
		if (l == 1 && s[i] == '.') {
			/* drop */
		} else if (l == 2 && s[i] == '.' && s[i + 1] == '.') {
			if (!o) {
				*bad = 1;
				break;
			}
			o--; /* the '/' after the previous segment */
			while (o && r[o - 1] != '/')
				o--;
		} else {
			memcpy(r + o, s + i, l);
			o += l;
			if (s[i + l])
				r[o++] = '/';
		}
		i += l;
		if (s[i])
			i++;
	}
	r[o] = '\0';
	p->host->free(s);
	if (*bad || !o || path_unsafe(r)) {
		*bad = 1;
		p->host->free(r);
		return NULL;
	}
	return r;
}

const char *xlsx_attr(const xmlChar **attrs, int nattrs, const char *name,
		      int ns_any, size_t *len)
{
	int i;
	for (i = 0; i < nattrs; i++) {
		const xmlChar **a = attrs + 5 * i;
		if (strcmp((const char *)a[0], name) || (!ns_any && a[2]))
			continue;
		*len = (size_t)(a[4] - a[3]);
		return (const char *)a[3];
	}
	*len = 0;
	return NULL;
}

/* ---- the safe push parser ---- */

void xlsx_stop(void *ctx)
{
	xmlParserCtxtPtr c = ctx;
	struct parse_state *ps = c->_private;
	ps->stopped = 1;
	xmlStopParser(c);
}

void *xlsx_ud(void *ctx)
{
	xmlParserCtxtPtr c = ctx;
	return ((struct parse_state *)c->_private)->ud;
}

static void refuse(void *ctx, const char *why)
{
	xmlParserCtxtPtr c = ctx;
	struct parse_state *ps = c->_private;
	if (!ps->refused)
		ps->refused = why;
	xmlStopParser(c);
}

static void g_subset(void *ctx, const xmlChar *name, const xmlChar *eid,
		     const xmlChar *sid)
{
	(void)name, (void)eid, (void)sid;
	refuse(ctx, "DOCTYPE refused (no workbook part has one; entities are never expanded)");
}

static void g_entity_decl(void *ctx, const xmlChar *name, int type,
			  const xmlChar *pid, const xmlChar *sid, xmlChar *content)
{
	(void)name, (void)type, (void)pid, (void)sid, (void)content;
	refuse(ctx, "DOCTYPE declaring entities refused");
}

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

static void sanitize(const char *in, char *out, size_t outsz)
{
	size_t o = 0;
	for (; in && *in && *in != '\n' && o + 1 < outsz; in++) {
		unsigned char ch = (unsigned char)*in;
		out[o++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
}

/* Feed the entry to the parser; the caps as described at the top. */
static int feed(struct xlsx_pkg *p, zip_file_t *zf, xmlParserCtxtPtr c,
		struct parse_state *ps, uint64_t cap, uint64_t ratio_cap,
		char why[XLSX_WHY_MAX])
{
	uint64_t total = 0;
	for (;;) {
		zip_int64_t got = zip_fread(zf, p->buf, CHUNK);
		int xe;
		if (got < 0) {
			xlsx_why(why, "read error: %s", zip_file_strerror(zf));
			return COLINK_EIO;
		}
		total += (uint64_t)got;
		if (total > cap) {
			xlsx_why(why, "part larger than max_part_bytes %llu",
				 (unsigned long long)p->lim.max_part_bytes);
			return COLINK_EPERM;
		}
		if (total > ratio_cap) {
			xlsx_why(why, "compression ratio above max_ratio %llu (a zip bomb?)",
				 (unsigned long long)p->lim.max_ratio);
			return COLINK_EPERM;
		}
		xe = xmlParseChunk(c, p->buf, (int)got, got == 0);
		if (ps->refused || ps->stopped)
			return COLINK_OK;
		if (xe || !c->wellFormed) {
			xmlErrorPtr e = xmlCtxtGetLastError(c);
			char msg[128];
			if (e && e->code == XML_ERR_NO_MEMORY)
				return COLINK_ENOMEM;
			sanitize(e && e->message ? e->message : "not well-formed", msg, sizeof(msg));
			xlsx_why(why, "malformed XML at line %d: %s", e ? e->line : 0, msg);
			return COLINK_EFORMAT;
		}
		if (got == 0)
			return COLINK_OK;
	}
}

int xlsx_pkg_parse(struct xlsx_pkg *p, const char *part, xmlSAXHandler *sax,
		   void *ud, int *stopped, char why[XLSX_WHY_MAX])
{
	struct parse_state ps = { ud, NULL, 0 };
	zip_int64_t zi = locate(p, part);
	zip_stat_t st;
	zip_file_t *zf;
	xmlParserCtxtPtr c;
	xmlExternalEntityLoader old;
	xmlStructuredErrorFunc old_serr;
	void *old_sctx;
	uint64_t cap = p->lim.max_part_bytes, ratio_cap = UINT64_MAX;
	int rc;
	*stopped = 0;
	if (zi < 0) {
		xlsx_why(why, "no part %s", part);
		return COLINK_ENOTFOUND;
	}
	zip_stat_init(&st);
	if (zip_stat_index(p->zip, (zip_uint64_t)zi, 0, &st) != 0) {
		xlsx_why(why, "cannot stat part %s: %s", part, zip_strerror(p->zip));
		return COLINK_EIO;
	}
	if (st.valid & ZIP_STAT_COMP_SIZE) {
		ratio_cap = st.comp_size > UINT64_MAX / p->lim.max_ratio ? UINT64_MAX :
			st.comp_size * p->lim.max_ratio;
		if (ratio_cap < 4096)
			ratio_cap = 4096; /* tiny parts compress oddly */
	}
	if ((st.valid & ZIP_STAT_SIZE) && st.size > cap) {
		xlsx_why(why, "part %s of %llu bytes exceeds max_part_bytes %llu", part,
			 (unsigned long long)st.size, (unsigned long long)cap);
		return COLINK_EPERM;
	}
	if ((st.valid & ZIP_STAT_SIZE) && st.size > ratio_cap) {
		xlsx_why(why, "part %s: compression ratio above max_ratio %llu (a zip bomb?)",
			 part, (unsigned long long)p->lim.max_ratio);
		return COLINK_EPERM;
	}
	if (!(zf = zip_fopen_index(p->zip, (zip_uint64_t)zi, 0))) {
		xlsx_why(why, "cannot open part %s: %s", part, zip_strerror(p->zip));
		return COLINK_EIO;
	}
	sax->initialized = XML_SAX2_MAGIC;
	sax->internalSubset = g_subset;
	sax->externalSubset = g_subset;
	sax->entityDecl = g_entity_decl;
	sax->serror = quiet;
	c = xmlCreatePushParserCtxt(sax, NULL, NULL, 0, part);
	if (!c) {
		zip_fclose(zf);
		return COLINK_ENOMEM;
	}
	c->_private = &ps;
	xmlCtxtUseOptions(c, PARSE_OPTIONS);
	old = xmlGetExternalEntityLoader();
	xmlSetExternalEntityLoader(refuse_loader);
	old_serr = xmlStructuredError;
	old_sctx = xmlStructuredErrorContext;
	xmlSetStructuredErrorFunc(NULL, quiet);
	rc = feed(p, zf, c, &ps, cap, ratio_cap, why);
	xmlSetStructuredErrorFunc(old_sctx, old_serr);
	xmlSetExternalEntityLoader(old);
	if (rc == COLINK_OK && ps.refused) {
		xlsx_why(why, "%s", ps.refused);
		rc = COLINK_EPERM;
	}
	if (rc && rc != COLINK_ENOMEM) {
		char inner[XLSX_WHY_MAX];
		memcpy(inner, why, XLSX_WHY_MAX);
		if (strncmp(inner, "part ", 5))
			xlsx_why(why, "%s: %s", part, inner);
	}
	*stopped = ps.stopped;
	if (c->myDoc)
		xmlFreeDoc(c->myDoc);
	xmlFreeParserCtxt(c);
	zip_fclose(zf);
	return rc;
}
