/*
 * xlsx_book.c -- the workbook's parts that a sheet needs: the sheet list
 * and date system (workbook.xml), which styles are dates (styles.xml) and
 * the shared strings (sharedStrings.xml).  See xlsx.h.
 *
 * The shared strings table is the one part held in memory (a cell refers
 * to it by index, anywhere in the sheet): all strings in one arena, NUL
 * separated, plus one 8-byte offset each.  The arena is capped by
 * max_shared_bytes; a larger table fails the file with that reason.
 * Phonetic runs (<rPh>, the furigana Excel stores beside Japanese text)
 * are not part of the text.
 */
#include "xlsx.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define REL_NS "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
#define MAX_SHEETS 4096u
#define MAX_XF 1000000u
#define MAX_NUMFMT 100000u

static char *dupn(const struct colink_host *h, const char *s, size_t n)
{
	char *d = h->malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* A decimal attribute value (not NUL-terminated); saturates. */
static unsigned attr_uint(const char *v, size_t n)
{
	unsigned long x = 0;
	size_t i;
	for (i = 0; i < n && v[i] >= '0' && v[i] <= '9'; i++)
		if ((x = x * 10 + (unsigned long)(v[i] - '0')) > 0xFFFFFFFFul)
			return 0xFFFFFFFFu;
	return (unsigned)x;
}

static int lname(const xmlChar *l, const char *want)
{
	return !strcmp((const char *)l, want);
}

/* ------------------------------------------------------------------ */
/* Relationships (_rels/.rels, xl/_rels/workbook.xml.rels)             */
/* ------------------------------------------------------------------ */

struct rel {
	char *id, *type_tail, *target;
};

struct rels {
	const struct colink_host *h;
	struct rel *r;
	size_t n, cap;
	int oom, too_many;
};

static void rels_start(void *ctx, const xmlChar *local, const xmlChar *prefix,
		       const xmlChar *uri, int nns, const xmlChar **ns, int nattrs,
		       int ndef, const xmlChar **attrs)
{
	struct rels *rs = xlsx_ud(ctx);
	const char *id, *type, *target, *mode, *tail;
	size_t il, tl, gl, ml;
	(void)prefix, (void)uri, (void)nns, (void)ns, (void)ndef;
	if (!lname(local, "Relationship"))
		return;
	id = xlsx_attr(attrs, nattrs, "Id", 0, &il);
	type = xlsx_attr(attrs, nattrs, "Type", 0, &tl);
	target = xlsx_attr(attrs, nattrs, "Target", 0, &gl);
	mode = xlsx_attr(attrs, nattrs, "TargetMode", 0, &ml);
	if (!id || !type || !target || (mode && ml == 8 && !memcmp(mode, "External", 8)))
		return;
	if (rs->n >= MAX_SHEETS * 4) {
		rs->too_many = 1;
		xlsx_stop(ctx);
		return;
	}
	tail = type + tl;
	while (tail > type && tail[-1] != '/')
		tail--;
	if (colink_grow(rs->h->realloc, (void **)&rs->r, &rs->cap, rs->n + 1, sizeof(*rs->r))) {
		rs->oom = 1;
		xlsx_stop(ctx);
		return;
	}
	rs->r[rs->n].id = dupn(rs->h, id, il);
	rs->r[rs->n].type_tail = dupn(rs->h, tail, (size_t)(type + tl - tail));
	rs->r[rs->n].target = dupn(rs->h, target, gl);
	rs->n++;
	if (!rs->r[rs->n - 1].id || !rs->r[rs->n - 1].type_tail || !rs->r[rs->n - 1].target) {
		rs->oom = 1;
		xlsx_stop(ctx);
	}
}

static void rels_free(struct rels *rs)
{
	size_t i;
	if (!rs->h)
		return;
	for (i = 0; i < rs->n; i++) {
		rs->h->free(rs->r[i].id);
		rs->h->free(rs->r[i].type_tail);
		rs->h->free(rs->r[i].target);
	}
	rs->h->free(rs->r);
}

/* The relationships part of `source`: dir/_rels/name.rels. */
static int rels_read(struct xlsx_pkg *p, const struct colink_host *h,
		     const char *source, struct rels *rs, char why[XLSX_WHY_MAX])
{
	xmlSAXHandler sax;
	const char *slash = strrchr(source, '/');
	size_t dl = slash ? (size_t)(slash - source) + 1 : 0, n = strlen(source) + 16;
	char *part = h->malloc(n);
	int stopped, rc;
	memset(rs, 0, sizeof(*rs));
	rs->h = h;
	if (!part)
		return COLINK_ENOMEM;
	snprintf(part, n, "%.*s_rels/%s.rels", (int)dl, source, source + dl);
	memset(&sax, 0, sizeof(sax));
	sax.startElementNs = rels_start;
	rc = xlsx_pkg_parse(p, part, &sax, rs, &stopped, why);
	h->free(part);
	if (rc == COLINK_OK && rs->oom)
		rc = COLINK_ENOMEM;
	if (rc == COLINK_OK && rs->too_many) {
		xlsx_why(why, "%s: too many relationships", source);
		rc = COLINK_EFORMAT;
	}
	return rc;
}

static const struct rel *rel_by_type(const struct rels *rs, const char *tail)
{
	size_t i;
	for (i = 0; i < rs->n; i++)
		if (!strcmp(rs->r[i].type_tail, tail))
			return &rs->r[i];
	return NULL;
}

static const struct rel *rel_by_id(const struct rels *rs, const char *id)
{
	size_t i;
	for (i = 0; i < rs->n; i++)
		if (!strcmp(rs->r[i].id, id))
			return &rs->r[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* workbook.xml                                                         */
/* ------------------------------------------------------------------ */

struct wb_state {
	struct xlsx_book *b;
	char **rids; /* per sheet */
	int oom, too_many;
};

static void wb_start(void *ctx, const xmlChar *local, const xmlChar *prefix,
		     const xmlChar *uri, int nns, const xmlChar **ns, int nattrs,
		     int ndef, const xmlChar **attrs)
{
	struct wb_state *w = xlsx_ud(ctx);
	struct xlsx_book *b = w->b;
	const char *v, *rid;
	size_t vl, rl, cap;
	(void)prefix, (void)uri, (void)nns, (void)ns, (void)ndef;
	if (lname(local, "workbookPr")) {
		v = xlsx_attr(attrs, nattrs, "date1904", 0, &vl);
		b->date1904 = v && ((vl == 1 && v[0] == '1') || (vl == 4 && !memcmp(v, "true", 4)));
		return;
	}
	if (!lname(local, "sheet"))
		return;
	v = xlsx_attr(attrs, nattrs, "name", 0, &vl);
	rid = xlsx_attr(attrs, nattrs, "id", 1, &rl);
	if (!v)
		return;
	if (b->nsheets >= MAX_SHEETS) {
		w->too_many = 1;
		xlsx_stop(ctx);
		return;
	}
	cap = b->nsheets;
	if (colink_grow(b->host->realloc, (void **)&b->sheets, &cap, b->nsheets + 1,
			sizeof(*b->sheets)) ||
	    (cap = b->nsheets,
	     colink_grow(b->host->realloc, (void **)&w->rids, &cap, b->nsheets + 1,
			 sizeof(*w->rids)))) {
		w->oom = 1;
		xlsx_stop(ctx);
		return;
	}
	b->sheets[b->nsheets].name = dupn(b->host, v, vl);
	b->sheets[b->nsheets].part = NULL;
	w->rids[b->nsheets] = rid ? dupn(b->host, rid, rl) : NULL;
	b->nsheets++;
	if (!b->sheets[b->nsheets - 1].name || (rid && !w->rids[b->nsheets - 1])) {
		w->oom = 1;
		xlsx_stop(ctx);
	}
}

/* ------------------------------------------------------------------ */
/* styles.xml: which cell styles are dates                              */
/* ------------------------------------------------------------------ */

/* ECMA-376 18.8.30 built-in formats: 14-17 and 22 are dates (22 with a
 * time), 18-21 and 45-47 times; 27-36 and 50-58 are the East Asian
 * (ja-JP: 和暦 ge.m.d, yyyy"年"m"月"d"日") dates, 32-33 times; 49 is "@". */
int xlsx_builtin_kind(unsigned id)
{
	if ((id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 31) ||
	    (id >= 34 && id <= 36) || (id >= 50 && id <= 58))
		return XLSX_STYLE_DATE;
	if (id == 49)
		return XLSX_STYLE_TEXT;
	return XLSX_STYLE_GENERAL;
}

/*
 * A custom format code: a date when, outside quoted text, escapes,
 * [bracketed] sections and the _x / *x fill pairs, it has one of the date
 * tokens y, d, e, g (era), or m without h/s (m next to h or s is minutes).
 * "0000" (only zeros) pads an integer to that width: the display a vendor
 * uses to show a 保険者番号's leading zero.  "@" is text.  Only the first
 * section (before ';') counts.
 */
int xlsx_format_kind(const char *code, unsigned *pad)
{
	const char *c;
	int date = 0, m = 0, hs = 0, zeros = 0, other = 0;
	*pad = 0;
	for (c = code; *c && *c != ';'; c++) {
		char ch = *c;
		if (ch == '"') {
			while (c[1] && c[1] != '"')
				c++;
			if (c[1])
				c++;
			other = 1;
			continue;
		}
		if (ch == '\\' || ch == '_' || ch == '*') {
			if (c[1])
				c++;
			other = 1;
			continue;
		}
		if (ch == '[') {
			if (c[1] == 'h' || c[1] == 'H' || c[1] == 'm' || c[1] == 'M' ||
			    c[1] == 's' || c[1] == 'S')
				hs = 1; /* [h]:mm elapsed time */
			while (c[1] && c[1] != ']')
				c++;
			if (c[1])
				c++;
			continue;
		}
		switch (ch) {
		case 'y': case 'Y': case 'd': case 'D': case 'e': case 'E': case 'g': case 'G':
			date = 1;
			break;
		case 'm': case 'M':
			m = 1;
			break;
		case 'h': case 'H': case 's': case 'S':
			hs = 1;
			break;
		case '0':
			zeros++;
			break;
		case '@':
			return XLSX_STYLE_TEXT;
		default:
			other = 1;
		}
	}
	if (date || (m && !hs))
		return XLSX_STYLE_DATE;
	if (zeros > 1 && !other && !m && !hs && zeros <= 30) {
		*pad = (unsigned)zeros;
		return XLSX_STYLE_PAD;
	}
	return XLSX_STYLE_GENERAL;
}

struct numfmt {
	unsigned id;
	unsigned char kind, pad;
};

struct st_state {
	struct xlsx_book *b;
	struct numfmt *fmts;
	size_t nfmts, capfmts;
	unsigned *xf_ids;
	size_t capxf;
	int in_cellxfs, oom, too_many;
};

static void st_start(void *ctx, const xmlChar *local, const xmlChar *prefix,
		     const xmlChar *uri, int nns, const xmlChar **ns, int nattrs,
		     int ndef, const xmlChar **attrs)
{
	struct st_state *s = xlsx_ud(ctx);
	const char *v;
	size_t vl;
	(void)prefix, (void)uri, (void)nns, (void)ns, (void)ndef;
	if (lname(local, "cellXfs")) {
		s->in_cellxfs = 1;
	} else if (lname(local, "numFmt")) {
		const char *code;
		char *tmp;
		unsigned pad, id;
		size_t il;
		v = xlsx_attr(attrs, nattrs, "numFmtId", 0, &il);
		code = xlsx_attr(attrs, nattrs, "formatCode", 0, &vl);
		if (!v || !code)
			return;
		if (s->nfmts >= MAX_NUMFMT || colink_grow(s->b->host->realloc, (void **)&s->fmts,
							  &s->capfmts, s->nfmts + 1, sizeof(*s->fmts))) {
			s->too_many = s->nfmts >= MAX_NUMFMT;
			s->oom = !s->too_many;
			xlsx_stop(ctx);
			return;
		}
		if (!(tmp = dupn(s->b->host, code, vl))) {
			s->oom = 1;
			xlsx_stop(ctx);
			return;
		}
		id = attr_uint(v, il);
		s->fmts[s->nfmts].id = id;
		s->fmts[s->nfmts].kind = (unsigned char)xlsx_format_kind(tmp, &pad);
		s->fmts[s->nfmts].pad = (unsigned char)pad;
		s->nfmts++;
		s->b->host->free(tmp);
	} else if (lname(local, "xf") && s->in_cellxfs) {
		v = xlsx_attr(attrs, nattrs, "numFmtId", 0, &vl);
		if (s->b->nxf >= MAX_XF || colink_grow(s->b->host->realloc, (void **)&s->xf_ids,
						       &s->capxf, s->b->nxf + 1, sizeof(*s->xf_ids))) {
			s->too_many = s->b->nxf >= MAX_XF;
			s->oom = !s->too_many;
			xlsx_stop(ctx);
			return;
		}
		s->xf_ids[s->b->nxf++] = v ? attr_uint(v, vl) : 0;
	}
}

static void st_end(void *ctx, const xmlChar *local, const xmlChar *prefix,
		   const xmlChar *uri)
{
	struct st_state *s = xlsx_ud(ctx);
	(void)prefix, (void)uri;
	if (lname(local, "cellXfs"))
		s->in_cellxfs = 0;
}

static int styles_resolve(struct st_state *s)
{
	struct xlsx_book *b = s->b;
	size_t i, k;
	if (!b->nxf)
		return COLINK_OK;
	b->xf_kind = b->host->calloc(b->nxf, 1);
	b->xf_pad = b->host->calloc(b->nxf, 1);
	if (!b->xf_kind || !b->xf_pad)
		return COLINK_ENOMEM;
	for (i = 0; i < b->nxf; i++) {
		unsigned id = s->xf_ids[i];
		b->xf_kind[i] = (unsigned char)xlsx_builtin_kind(id);
		for (k = s->nfmts; k-- > 0;)
			if (s->fmts[k].id == id) {
				b->xf_kind[i] = s->fmts[k].kind;
				b->xf_pad[i] = s->fmts[k].pad;
				break;
			}
	}
	return COLINK_OK;
}

static int styles_read(struct xlsx_book *b, struct xlsx_pkg *p, const char *part,
		       char why[XLSX_WHY_MAX])
{
	struct st_state s;
	xmlSAXHandler sax;
	int stopped, rc;
	memset(&s, 0, sizeof(s));
	s.b = b;
	memset(&sax, 0, sizeof(sax));
	sax.startElementNs = st_start;
	sax.endElementNs = st_end;
	rc = xlsx_pkg_parse(p, part, &sax, &s, &stopped, why);
	if (rc == COLINK_OK && s.oom)
		rc = COLINK_ENOMEM;
	if (rc == COLINK_OK && s.too_many) {
		xlsx_why(why, "%s: too many styles", part);
		rc = COLINK_EFORMAT;
	}
	if (rc == COLINK_OK)
		rc = styles_resolve(&s);
	b->host->free(s.fmts);
	b->host->free(s.xf_ids);
	return rc;
}

/* ------------------------------------------------------------------ */
/* sharedStrings.xml                                                    */
/* ------------------------------------------------------------------ */

struct ss_state {
	struct xlsx_book *b;
	uint64_t max;
	int in_si, in_t, rph, oom, full;
};

static int arena_put(struct ss_state *s, const char *p, size_t n)
{
	struct xlsx_book *b = s->b;
	if ((uint64_t)b->arena_len + n + 1 > s->max) {
		s->full = 1;
		return -1;
	}
	if (colink_grow(b->host->realloc, (void **)&b->arena, &b->arena_cap,
			b->arena_len + n + 1, 1)) {
		s->oom = 1;
		return -1;
	}
	memcpy(b->arena + b->arena_len, p, n);
	b->arena_len += n;
	return 0;
}

static void ss_start(void *ctx, const xmlChar *local, const xmlChar *prefix,
		     const xmlChar *uri, int nns, const xmlChar **ns, int nattrs,
		     int ndef, const xmlChar **attrs)
{
	struct ss_state *s = xlsx_ud(ctx);
	struct xlsx_book *b = s->b;
	(void)prefix, (void)uri, (void)nns, (void)ns, (void)nattrs, (void)ndef, (void)attrs;
	if (lname(local, "si")) {
		if (colink_grow(b->host->realloc, (void **)&b->off, &b->strcap, b->nstr + 1,
				sizeof(*b->off))) {
			s->oom = 1;
			xlsx_stop(ctx);
			return;
		}
		b->off[b->nstr] = b->arena_len;
		s->in_si = 1;
	} else if (lname(local, "rPh")) {
		s->rph = 1;
	} else if (lname(local, "t") && s->in_si && !s->rph) {
		s->in_t = 1;
	}
}

static void ss_end(void *ctx, const xmlChar *local, const xmlChar *prefix,
		   const xmlChar *uri)
{
	struct ss_state *s = xlsx_ud(ctx);
	(void)prefix, (void)uri;
	if (lname(local, "t")) {
		s->in_t = 0;
	} else if (lname(local, "rPh")) {
		s->rph = 0;
	} else if (lname(local, "si") && s->in_si) {
		s->in_si = 0;
		if (arena_put(s, "", 0)) {
			xlsx_stop(ctx);
			return;
		}
		s->b->arena[s->b->arena_len++] = '\0';
		s->b->nstr++;
	}
}

static void ss_chars(void *ctx, const xmlChar *ch, int len)
{
	struct ss_state *s = xlsx_ud(ctx);
	if (s->in_t && arena_put(s, (const char *)ch, (size_t)len))
		xlsx_stop(ctx);
}

static int strings_read(struct xlsx_book *b, struct xlsx_pkg *p, const char *part,
			const struct xlsx_limits *lim, char why[XLSX_WHY_MAX])
{
	struct ss_state s;
	xmlSAXHandler sax;
	int stopped, rc;
	memset(&s, 0, sizeof(s));
	s.b = b;
	s.max = lim->max_shared_bytes;
	memset(&sax, 0, sizeof(sax));
	sax.startElementNs = ss_start;
	sax.endElementNs = ss_end;
	sax.characters = ss_chars;
	rc = xlsx_pkg_parse(p, part, &sax, &s, &stopped, why);
	if (rc == COLINK_OK && s.oom)
		rc = COLINK_ENOMEM;
	if (rc == COLINK_OK && s.full) {
		xlsx_why(why, "%s: shared strings beyond max_shared_bytes %llu (held in memory)",
			 part, (unsigned long long)s.max);
		rc = COLINK_EPERM;
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* The book                                                             */
/* ------------------------------------------------------------------ */

static int book_parts(struct xlsx_book *b, struct xlsx_pkg *p, const char *wb,
		      const struct xlsx_limits *lim, char **rids, char why[XLSX_WHY_MAX])
{
	struct rels rs;
	const struct rel *r;
	size_t i;
	int rc = rels_read(p, b->host, wb, &rs, why), bad;
	if (rc == COLINK_ENOTFOUND) {
		rels_free(&rs);
		memset(&rs, 0, sizeof(rs));
		rs.h = b->host;
		rc = COLINK_OK;
	}
	for (i = 0; rc == COLINK_OK && i < b->nsheets; i++) {
		r = rids[i] ? rel_by_id(&rs, rids[i]) : NULL;
		if (r && !(b->sheets[i].part = xlsx_pkg_resolve(p, wb, r->target, &bad)) && !bad)
			rc = COLINK_ENOMEM;
	}
	if (rc == COLINK_OK && (r = rel_by_type(&rs, "styles"))) {
		char *part = xlsx_pkg_resolve(p, wb, r->target, &bad);
		if (part)
			rc = styles_read(b, p, part, why);
		else if (!bad)
			rc = COLINK_ENOMEM;
		b->host->free(part);
	}
	if (rc == COLINK_OK && (r = rel_by_type(&rs, "sharedStrings"))) {
		char *part = xlsx_pkg_resolve(p, wb, r->target, &bad);
		if (part)
			rc = strings_read(b, p, part, lim, why);
		else if (!bad)
			rc = COLINK_ENOMEM;
		b->host->free(part);
	}
	rels_free(&rs);
	return rc;
}

int xlsx_book_read(struct xlsx_book *b, struct xlsx_pkg *p,
		   const struct xlsx_limits *lim, struct colink_error *err,
		   const char *path)
{
	char why[XLSX_WHY_MAX], *wb = NULL;
	struct rels rs;
	struct wb_state w;
	xmlSAXHandler sax;
	const struct rel *r;
	size_t i;
	int rc, stopped, bad = 0;
	memset(&w, 0, sizeof(w));
	w.b = b;
	rc = rels_read(p, b->host, "", &rs, why);
	if (rc == COLINK_OK && (r = rel_by_type(&rs, "officeDocument")))
		wb = xlsx_pkg_resolve(p, "", r->target, &bad);
	rels_free(&rs);
	if (rc == COLINK_ENOTFOUND || (rc == COLINK_OK && !wb && !bad)) {
		/* no package relationships: the usual name */
		rc = COLINK_OK;
		if (!(wb = dupn(b->host, "xl/workbook.xml", 15)))
			rc = COLINK_ENOMEM;
	}
	if (rc == COLINK_OK && !wb)
		return COLINK_ERR(err, COLINK_EFORMAT, "%s: the workbook part name is unsafe", path);
	if (rc == COLINK_OK) {
		memset(&sax, 0, sizeof(sax));
		sax.startElementNs = wb_start;
		rc = xlsx_pkg_parse(p, wb, &sax, &w, &stopped, why);
		if (rc == COLINK_ENOTFOUND)
			xlsx_why(why, "no workbook part (%s): not an .xlsx workbook", wb);
		if (rc == COLINK_OK && w.oom)
			rc = COLINK_ENOMEM;
		if (rc == COLINK_OK && w.too_many) {
			xlsx_why(why, "more than %u sheets", MAX_SHEETS);
			rc = COLINK_EFORMAT;
		}
	}
	if (rc == COLINK_OK)
		rc = book_parts(b, p, wb, lim, w.rids, why);
	for (i = 0; i < b->nsheets; i++)
		b->host->free(w.rids[i]);
	b->host->free(w.rids);
	b->host->free(wb);
	if (rc == COLINK_ENOMEM)
		return COLINK_ERR(err, rc, "out of memory");
	if (rc)
		return COLINK_ERR(err, rc == COLINK_ENOTFOUND ? COLINK_EFORMAT : rc, "%s: %s",
				  path, why);
	if (!b->nsheets)
		return COLINK_ERR(err, COLINK_EFORMAT, "%s: the workbook lists no sheet", path);
	return COLINK_OK;
}

void xlsx_book_free(struct xlsx_book *b)
{
	size_t i;
	for (i = 0; i < b->nsheets; i++) {
		b->host->free(b->sheets[i].name);
		b->host->free(b->sheets[i].part);
	}
	b->host->free(b->sheets);
	b->host->free(b->xf_kind);
	b->host->free(b->xf_pad);
	b->host->free(b->arena);
	b->host->free(b->off);
	memset(b, 0, sizeof(*b));
}
