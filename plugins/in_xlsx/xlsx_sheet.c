/*
 * xlsx_sheet.c -- one worksheet streamed row by row (SAX2 events, no
 * tree), cells decoded to the text a vendor's CSV export would hold.
 * See xlsx.h.
 *
 * Cell types (ECMA-376 18.18.11): s (shared string, by index), inlineStr
 * (<is>, rich runs concatenated, phonetic <rPh> runs left out), str (a
 * formula's text result), b (TRUE/FALSE), e (an error such as #N/A: a
 * null, reason "invalid"), d (ISO 8601 text, its date kept), n or none
 * (a number).  A formula cell keeps its cached <v>; the formula itself
 * is ignored.  A number whose style is a date becomes yyyy-mm-dd (1900 or
 * 1904 date system; see xlsx_serial_date), one whose format is only zeros
 * ("00000000") is padded to that width, so a 保険者番号 typed as a number
 * but shown with its leading zero keeps it; other numbers keep Excel's
 * text, rounded to Excel's 15 significant digits when the stored binary
 * double shows more (0.1+0.2 is stored 0.30000000000000004).
 *
 * Sparse rows: a cell goes to the column of its `r` reference ("C12");
 * a cell without one follows the previous cell, a row without `r`
 * follows the previous row, as the format says.
 */
#include "xlsx.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MERGES 100000u

enum ctype { CT_N = 0, CT_S, CT_STR, CT_INLINE, CT_B, CT_E, CT_D };

struct sh {
	const struct xlsx_book *b;
	uint32_t c_lo, c_hi;
	xlsx_row_fn fn;
	void *ud;
	int rc;            /* fn's non-zero return */
	int fail;          /* a negative code, reason in why */
	char *why;
	struct xlsx_row row;
	int in_row;
	/* the current cell */
	uint32_t col;
	int ctype, in_v, in_is, in_t, rph, had_value;
	unsigned style;
	char *cbuf;
	size_t clen, ccap;
	int ctoo_long;
	uint32_t last_col;
	uint64_t last_row;
	/* merges mode */
	int merges_only;
	struct xlsx_merge *m;
	size_t nm, capm;
};

/* ---- references, dates ---- */

int xlsx_ref_parse(const char *s, size_t n, uint32_t *col, uint32_t *row)
{
	size_t i = 0;
	uint64_t c = 0, r = 0;
	while (i < n && s[i] == '$')
		i++;
	for (; i < n && ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z')); i++) {
		c = c * 26 + (uint64_t)((s[i] | 0x20) - 'a' + 1);
		if (c > XLSX_MAX_COLS)
			return -1;
	}
	if (!c)
		return -1;
	if (i < n && s[i] == '$')
		i++;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		if ((r = r * 10 + (uint64_t)(s[i] - '0')) > XLSX_MAX_ROWS)
			return -1;
	if (i != n || (row && !r))
		return -1;
	if (col)
		*col = (uint32_t)c;
	if (row)
		*row = (uint32_t)r;
	return 0;
}

void xlsx_col_name(uint32_t col, char buf[4])
{
	char t[4];
	int n = 0, i;
	while (col && n < 3) {
		col--;
		t[n++] = (char)('A' + col % 26);
		col /= 26;
	}
	for (i = 0; i < n; i++)
		buf[i] = t[n - 1 - i];
	buf[n] = '\0';
}

/* Days since 1970-01-01 to a civil date (H. Hinnant's algorithm). */
static void civil(int64_t z, int *y, unsigned *m, unsigned *d)
{
	int64_t era, yy;
	unsigned doe, yoe, doy, mp;
	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yy + (*m <= 2));
}

/*
 * 1900 system: serial 1 is 1900-01-01; Lotus 1-2-3's bug, kept by Excel,
 * counts a 1900-02-29 that never was: serial 60 is that day (written as
 * such, so a date field rejects it as impossible) and every serial from
 * 61 on is one day late, i.e. counted from 1899-12-30.  1904 system
 * (workbookPr date1904, old Mac workbooks): serial 0 is 1904-01-01.
 * The time of day (the fraction) is dropped.
 */
int xlsx_serial_date(double serial, int date1904, char buf[16])
{
	int64_t days;
	int y;
	unsigned m, d;
	if (!(serial >= 0) || serial >= 2958466.0)
		return -1;
	days = (int64_t)floor(serial);
	if (date1904) {
		days += -24107; /* 1904-01-01 */
	} else {
		if (days < 1)
			return -1;
		if (days == 60) {
			memcpy(buf, "1900-02-29", 11);
			return 0;
		}
		days += days < 60 ? -25568 : -25569; /* 1899-12-31 / 1899-12-30 */
	}
	civil(days, &y, &m, &d);
	if (y > 9999)
		return -1;
	{
		char t[48];
		snprintf(t, sizeof(t), "%04d-%02u-%02u", y, m % 100, d % 100);
		memcpy(buf, t, 11);
	}
	return 0;
}

/* ---- the row being built ---- */

static int row_cell(struct sh *s, uint32_t col, struct xlsx_cell **out)
{
	struct xlsx_row *r = &s->row;
	if (col > r->ncells) {
		size_t i;
		if (colink_grow(s->b->host->realloc, (void **)&r->cells, &r->capcells, col,
				sizeof(*r->cells)))
			return COLINK_ENOMEM;
		for (i = r->ncells; i < col; i++)
			memset(&r->cells[i], 0, sizeof(r->cells[i]));
		r->ncells = col;
	}
	*out = &r->cells[col - 1];
	return COLINK_OK;
}

/* Put text t[0..n) as the value of cell `c`. */
static int row_text(struct sh *s, struct xlsx_cell *c, const char *t, size_t n)
{
	struct xlsx_row *r = &s->row;
	if (r->tlen + n + 1 > XLSX_ROW_MAX) {
		r->too_long = 1;
		c->bad = XLSX_BAD_LONG;
		return COLINK_OK;
	}
	if (colink_grow(s->b->host->realloc, (void **)&r->text, &r->tcap, r->tlen + n + 1, 1))
		return COLINK_ENOMEM;
	c->off = r->tlen;
	c->len = n;
	memcpy(r->text + r->tlen, t, n);
	r->text[r->tlen + n] = '\0';
	r->tlen += n + 1;
	return COLINK_OK;
}

/* More significant digits than a double shows in Excel (15)? */
static int needs_rounding(const char *v, size_t n)
{
	size_t i, digits = 0;
	int started = 0;
	for (i = 0; i < n; i++) {
		if (v[i] == 'E' || v[i] == 'e')
			return 1;
		if (v[i] >= '1' && v[i] <= '9')
			started = 1;
		if (started && v[i] >= '0' && v[i] <= '9')
			digits++;
	}
	return digits > 15 && memchr(v, '.', n) != NULL;
}

/* The number's text as a CSV export shows it, into out[64]. */
static size_t number_text(const struct sh *s, const char *v, size_t n, char *out)
{
	char tmp[64], *end;
	double x;
	unsigned kind = s->style < s->b->nxf ? s->b->xf_kind[s->style] : XLSX_STYLE_GENERAL;
	if (n == 0 || n >= sizeof(tmp))
		goto verbatim;
	memcpy(tmp, v, n);
	tmp[n] = '\0';
	x = strtod(tmp, &end);
	if (*end || !isfinite(x))
		goto verbatim;
	if (kind == XLSX_STYLE_DATE && xlsx_serial_date(x, s->b->date1904, out) == 0)
		return 10;
	if (kind == XLSX_STYLE_PAD && x >= 0 && x < 1e15 && x == floor(x)) {
		int w = snprintf(out, 64, "%0*.0f", (int)s->b->xf_pad[s->style], x);
		return w > 0 && w < 64 ? (size_t)w : 0;
	}
	if (needs_rounding(v, n)) {
		snprintf(out, 64, "%.15g", x);
		if (!strchr(out, 'e'))
			return strlen(out);
	}
verbatim:
	if (n >= 64)
		return (size_t)-1;
	memcpy(out, v, n);
	out[n] = '\0';
	return n;
}

static int shared_index(const char *v, size_t n, uint64_t *out)
{
	size_t i;
	uint64_t x = 0;
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\n' || v[n - 1] == '\r'))
		n--;
	for (i = 0; i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == '\n' || v[i] == '\r'); i++)
		;
	if (i == n)
		return -1;
	for (; i < n; i++) {
		if (v[i] < '0' || v[i] > '9' || x > UINT64_MAX / 10 - 1)
			return -1;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	*out = x;
	return 0;
}

/* The cell is complete: decode it into the row. */
static int cell_done(struct sh *s)
{
	const struct xlsx_book *b = s->b;
	struct xlsx_cell *c;
	char num[64];
	const char *t = s->cbuf ? s->cbuf : "";
	size_t n = s->clen;
	uint64_t k;
	int rc;
	if (s->c_lo && (s->col < s->c_lo || s->col > s->c_hi))
		return COLINK_OK;
	if ((rc = row_cell(s, s->col, &c)))
		return rc;
	if (!s->had_value)
		return COLINK_OK; /* an empty (styled, merged over) cell: the row reaches it */
	c->present = 1;
	c->null_reason = 0;
	c->bad = 0;
	c->off = 0;
	c->len = 0;
	if (s->ctoo_long) {
		c->bad = XLSX_BAD_LONG;
		return COLINK_OK;
	}
	switch (s->ctype) {
	case CT_S:
		if (shared_index(t, n, &k) || k >= b->nstr) {
			c->bad = XLSX_BAD_SST;
			return COLINK_OK;
		}
		t = b->arena + b->off[k];
		n = strlen(t);
		break;
	case CT_B:
		t = n == 1 && t[0] == '1' ? "TRUE" : "FALSE";
		n = strlen(t);
		break;
	case CT_E:
		c->null_reason = COLINK_NULL_INVALID;
		n = 0;
		break;
	case CT_D:
		if (n > 10 && t[4] == '-' && t[7] == '-')
			n = 10;
		break;
	case CT_N:
		n = number_text(s, t, n, num);
		if (n == (size_t)-1) {
			c->bad = XLSX_BAD_LONG;
			return COLINK_OK;
		}
		t = num;
		break;
	default: /* str, inlineStr: the text as is */
		break;
	}
	return row_text(s, c, t, n);
}

/* ---- SAX callbacks ---- */

static void sh_fail(void *ctx, struct sh *s, int code, const char *msg)
{
	if (!s->fail) {
		s->fail = code;
		if (msg)
			xlsx_why(s->why, "%s", msg);
	}
	xlsx_stop(ctx);
}

static int lname(const xmlChar *l, const char *want)
{
	return !strcmp((const char *)l, want);
}

static void start_cell(void *ctx, struct sh *s, int nattrs, const xmlChar **attrs)
{
	size_t l;
	const char *v = xlsx_attr(attrs, nattrs, "r", 0, &l);
	uint32_t col;
	if (v) {
		size_t i = 0;
		while (i < l && !(v[i] >= '0' && v[i] <= '9'))
			i++;
		if (xlsx_ref_parse(v, i, &col, NULL)) {
			char m[XLSX_WHY_MAX];
			xlsx_why(m, "row %llu: a cell reference that is not one",
				 (unsigned long long)s->row.row);
			sh_fail(ctx, s, COLINK_EFORMAT, m);
			return;
		}
	} else {
		col = s->last_col + 1;
	}
	if (col > XLSX_MAX_COLS) {
		sh_fail(ctx, s, COLINK_EFORMAT, "a cell beyond column XFD");
		return;
	}
	s->col = s->last_col = col;
	s->ctype = CT_N;
	v = xlsx_attr(attrs, nattrs, "t", 0, &l);
	if (v && l == 1 && v[0] == 's')
		s->ctype = CT_S;
	else if (v && l == 3 && !memcmp(v, "str", 3))
		s->ctype = CT_STR;
	else if (v && l == 9 && !memcmp(v, "inlineStr", 9))
		s->ctype = CT_INLINE;
	else if (v && l == 1 && v[0] == 'b')
		s->ctype = CT_B;
	else if (v && l == 1 && v[0] == 'e')
		s->ctype = CT_E;
	else if (v && l == 1 && v[0] == 'd')
		s->ctype = CT_D;
	v = xlsx_attr(attrs, nattrs, "s", 0, &l);
	s->style = 0;
	for (; v && l && *v >= '0' && *v <= '9' && s->style < 100000000u; v++, l--)
		s->style = s->style * 10 + (unsigned)(*v - '0');
	s->clen = 0;
	s->ctoo_long = 0;
	s->had_value = 0;
}

static void start_row(void *ctx, struct sh *s, int nattrs, const xmlChar **attrs)
{
	size_t l, i;
	const char *v = xlsx_attr(attrs, nattrs, "r", 0, &l);
	uint64_t r = 0;
	if (v) {
		for (i = 0; i < l && v[i] >= '0' && v[i] <= '9' && r <= XLSX_MAX_ROWS; i++)
			r = r * 10 + (uint64_t)(v[i] - '0');
		if (i != l || !r) {
			sh_fail(ctx, s, COLINK_EFORMAT, "a row number that is not one");
			return;
		}
	} else {
		r = s->last_row + 1;
	}
	if (r > XLSX_MAX_ROWS) {
		sh_fail(ctx, s, COLINK_EFORMAT, "a row beyond row 1048576");
		return;
	}
	s->row.row = s->last_row = r;
	s->row.ncells = 0;
	s->row.tlen = 0;
	s->row.too_long = 0;
	s->last_col = 0;
	s->in_row = 1;
}

static void sh_start(void *ctx, const xmlChar *local, const xmlChar *prefix,
		     const xmlChar *uri, int nns, const xmlChar **ns, int nattrs,
		     int ndef, const xmlChar **attrs)
{
	struct sh *s = xlsx_ud(ctx);
	(void)prefix, (void)uri, (void)nns, (void)ns, (void)ndef;
	if (s->merges_only) {
		size_t l;
		const char *v, *colon;
		struct xlsx_merge mg;
		if (!lname(local, "mergeCell") || !(v = xlsx_attr(attrs, nattrs, "ref", 0, &l)))
			return;
		colon = memchr(v, ':', l);
		if (!colon || xlsx_ref_parse(v, (size_t)(colon - v), &mg.c1, &mg.r1) ||
		    xlsx_ref_parse(colon + 1, l - (size_t)(colon - v) - 1, &mg.c2, &mg.r2))
			return; /* a malformed merge only loses a header name */
		if (s->nm >= MAX_MERGES)
			return;
		if (colink_grow(s->b->host->realloc, (void **)&s->m, &s->capm, s->nm + 1,
				sizeof(*s->m))) {
			sh_fail(ctx, s, COLINK_ENOMEM, NULL);
			return;
		}
		s->m[s->nm++] = mg;
		return;
	}
	if (lname(local, "c") && s->in_row) {
		start_cell(ctx, s, nattrs, attrs);
	} else if (lname(local, "v")) {
		s->in_v = 1;
		s->had_value = 1;
		s->clen = 0;
	} else if (lname(local, "is")) {
		s->in_is = 1;
		s->had_value = 1;
		s->clen = 0;
	} else if (lname(local, "rPh")) {
		s->rph = 1;
	} else if (lname(local, "t") && s->in_is && !s->rph) {
		s->in_t = 1;
	} else if (lname(local, "row")) {
		start_row(ctx, s, nattrs, attrs);
	}
}

static void sh_end(void *ctx, const xmlChar *local, const xmlChar *prefix,
		   const xmlChar *uri)
{
	struct sh *s = xlsx_ud(ctx);
	int rc;
	(void)prefix, (void)uri;
	if (s->merges_only)
		return;
	if (lname(local, "v")) {
		s->in_v = 0;
	} else if (lname(local, "t")) {
		s->in_t = 0;
	} else if (lname(local, "rPh")) {
		s->rph = 0;
	} else if (lname(local, "is")) {
		s->in_is = 0;
	} else if (lname(local, "c") && s->in_row) {
		if ((rc = cell_done(s)))
			sh_fail(ctx, s, rc, NULL);
	} else if (lname(local, "row") && s->in_row) {
		s->in_row = 0;
		if ((rc = s->fn(s->ud, &s->row))) {
			s->rc = rc;
			xlsx_stop(ctx);
		}
	} else if (lname(local, "sheetData")) {
		xlsx_stop(ctx); /* the rest (mergeCells, print setup) is not data */
	}
}

static void sh_chars(void *ctx, const xmlChar *ch, int len)
{
	struct sh *s = xlsx_ud(ctx);
	size_t n = (size_t)len;
	if (!(s->in_v || (s->in_is && s->in_t && !s->rph)) || s->ctoo_long)
		return;
	if (s->clen + n + 1 > XLSX_CELL_MAX) {
		s->ctoo_long = 1;
		return;
	}
	if (colink_grow(s->b->host->realloc, (void **)&s->cbuf, &s->ccap, s->clen + n + 1, 1)) {
		sh_fail(ctx, s, COLINK_ENOMEM, NULL);
		return;
	}
	memcpy(s->cbuf + s->clen, ch, n);
	s->clen += n;
	s->cbuf[s->clen] = '\0';
}

int xlsx_sheet_read(struct xlsx_pkg *p, const struct xlsx_book *b,
		    const char *part, uint32_t c_lo, uint32_t c_hi,
		    xlsx_row_fn fn, void *ud, struct xlsx_merge **merges,
		    size_t *nmerges, char why[XLSX_WHY_MAX])
{
	struct sh s;
	xmlSAXHandler sax;
	int stopped, rc;
	memset(&s, 0, sizeof(s));
	s.b = b;
	s.c_lo = c_lo;
	s.c_hi = c_hi;
	s.fn = fn;
	s.ud = ud;
	s.why = why;
	s.merges_only = merges != NULL;
	memset(&sax, 0, sizeof(sax));
	sax.startElementNs = sh_start;
	sax.endElementNs = sh_end;
	sax.characters = sh_chars;
	rc = xlsx_pkg_parse(p, part, &sax, &s, &stopped, why);
	if (rc == COLINK_OK && s.fail)
		rc = s.fail;
	if (rc == COLINK_OK && s.rc)
		rc = s.rc;
	if (rc == COLINK_OK && merges) {
		*merges = s.m;
		*nmerges = s.nm;
		s.m = NULL;
	}
	b->host->free(s.m);
	b->host->free(s.cbuf);
	b->host->free(s.row.cells);
	b->host->free(s.row.text);
	return rc;
}
