/*
 * in_xlsx.c -- input plugin for Excel workbooks (.xlsx, Office Open XML).
 *
 * One input is one sheet of one workbook: chosen by name (`sheet`) or by
 * its 1-based position (`sheet_index`).  Row `header_row` holds the
 * column names (0: no header; fields are then named by position), data
 * starts at `first_data_row` (0: the row after the header), and `range`
 * ("B3:H500", or columns only "B:H") keeps only the cells inside it.
 *
 * Every non-blank data row is one record: record_no counts records,
 * line_no is the sheet row, so a reject names the row, and the plugin's
 * own rejects name the cell ("Sheet1!C12").  Blank rows (no value in any
 * cell: trailing rows a vendor formatted but left empty, gaps) are not
 * records; their count is logged.  A cell's text is what a CSV export
 * of the sheet would hold (xlsx_sheet.c); an error cell (#N/A, #DIV/0!)
 * is a null with reason "invalid" and counted in the log.
 *
 * Merged header cells: Excel writes the cells a merge covers as empty
 * cells.  When the header row has such a gap, the sheet is read once
 * more for its <mergeCells> (they come after the data) and a covered
 * header cell takes the name of the merge's first cell, with "_2", "_3"
 * for the 2nd, 3rd column of a horizontal merge; a vertical merge from a
 * row above the header (氏名 over rows 1-2 beside 血圧 / 収縮期, 拡張期)
 * gives its name as is.  Only then are data rows read, in a pass of
 * their own: the header pass stops at the header row.
 *
 * Memory is flat in the number of rows: the shared strings and styles,
 * the header, and one row.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "colink/plugin.h"
#include "xlsx.h"

enum {
	S_SHEET,
	S_SHEET_INDEX,
	S_HEADER_ROW,
	S_FIRST_DATA_ROW,
	S_RANGE,
	S_MAX_PART_BYTES,
	S_MAX_RATIO,
	S_MAX_SHARED_BYTES,
	S_COUNT
};

static const struct colink_setting_def settings[S_COUNT + 1] = {
	[S_SHEET] = { "sheet", COLINK_SET_STRING, "",
		      "sheet name; empty: the sheet at sheet_index", NULL },
	[S_SHEET_INDEX] = { "sheet_index", COLINK_SET_INT, "1",
			    "1-based position of the sheet when no name is given", NULL },
	[S_HEADER_ROW] = { "header_row", COLINK_SET_INT, "1",
			   "sheet row holding the column names; 0: none (fields by position)", NULL },
	[S_FIRST_DATA_ROW] = { "first_data_row", COLINK_SET_INT, "0",
			       "first sheet row of data; 0: the row after the header", NULL },
	[S_RANGE] = { "range", COLINK_SET_STRING, "",
		      "cells read, as A1:H500 or columns only B:H; empty: the whole sheet", NULL },
	[S_MAX_PART_BYTES] = { "max_part_bytes", COLINK_SET_INT, "4294967296",
			       "refuse a workbook part (a sheet's XML) larger than this once unzipped", NULL },
	[S_MAX_RATIO] = { "max_ratio", COLINK_SET_INT, "200",
			  "refuse a part that unzips to more than this times its compressed size", NULL },
	[S_MAX_SHARED_BYTES] = { "max_shared_bytes", COLINK_SET_INT, "268435456",
				 "cap on the shared strings table, which is held in memory", NULL },
	COLINK_SETTINGS_END
};

struct inst {
	const struct colink_host *host;
	struct colink_host_ctx *hc;
	char *sheet;
	int64_t sheet_index, header_row, first_data_row;
	uint32_t c_lo, c_hi, r_lo, r_hi; /* the range; 0 when open */
	struct xlsx_limits lim;
};

/* A cell of a row above the header (vertical merges). */
struct above {
	uint32_t row, col;
	char *text;
};

struct run {
	struct inst *in;
	const char *path;
	const char *sheet; /* its name, for cell references */
	struct colink_emitter *em;
	struct xlsx_pkg *p;
	struct xlsx_book b;
	/* header pass */
	int header_seen, header_gap;
	struct above *ab;
	size_t nab, capab;
	char **names;
	size_t nnames;
	/* data pass */
	uint32_t width;          /* columns in a record */
	uint64_t no, blank, errors;
	char first_error[40];
	struct colink_raw_field *fields;
	size_t fcap;
	int host_rc;
	int oom;
};

static char *dupn(const struct colink_host *h, const char *s, size_t n)
{
	char *d = h->malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static uint32_t base_col(const struct run *r)
{
	return r->in->c_lo ? r->in->c_lo : 1;
}

static void cell_ref(const struct run *r, uint32_t col, uint64_t row, char *buf, size_t n)
{
	char c[4];
	xlsx_col_name(col, c);
	snprintf(buf, n, "%s!%s%" PRIu64, r->sheet, c, row);
}

/* ------------------------------------------------------------------ */
/* Header                                                               */
/* ------------------------------------------------------------------ */

static int keep_above(struct run *r, const struct xlsx_row *row)
{
	size_t c;
	for (c = 0; c < row->ncells && r->nab < 10000; c++) {
		const struct xlsx_cell *x = &row->cells[c];
		if (!x->present || !x->len)
			continue;
		if (colink_grow(r->in->host->realloc, (void **)&r->ab, &r->capab, r->nab + 1,
				sizeof(*r->ab)) ||
		    !(r->ab[r->nab].text = dupn(r->in->host, row->text + x->off, x->len)))
			return COLINK_ENOMEM;
		r->ab[r->nab].row = (uint32_t)row->row;
		r->ab[r->nab++].col = (uint32_t)c + 1;
	}
	return COLINK_OK;
}

static int on_header_row(void *ud, const struct xlsx_row *row)
{
	struct run *r = ud;
	uint32_t c, last = 0, base = base_col(r);
	int named = 0;
	if (row->row < (uint64_t)r->in->header_row)
		return keep_above(r, row) ? COLINK_ENOMEM : COLINK_OK;
	if (row->row > (uint64_t)r->in->header_row)
		return 1; /* no header row in the sheet: stop */
	/* up to the last cell the row has, even an empty one: the cells a
	 * merge covers at the end of the header are written empty */
	for (c = base; c <= row->ncells; c++)
		if (row->cells[c - 1].present && row->cells[c - 1].len)
			named = 1;
	last = row->ncells;
	r->header_seen = 1;
	if (!named || last < base)
		return 1;
	r->nnames = last - base + 1;
	if (!(r->names = r->in->host->calloc(r->nnames, sizeof(*r->names))))
		return COLINK_ENOMEM;
	for (c = base; c <= last; c++) {
		const struct xlsx_cell *x = &row->cells[c - 1];
		if (x->present && x->len)
			r->names[c - base] = dupn(r->in->host, row->text + x->off, x->len);
		else
			r->header_gap = 1;
		if (x->present && x->len && !r->names[c - base])
			return COLINK_ENOMEM;
	}
	return 1; /* the header is all this pass wants */
}

static const char *above_text(const struct run *r, uint32_t row, uint32_t col)
{
	size_t i;
	for (i = 0; i < r->nab; i++)
		if (r->ab[i].row == row && r->ab[i].col == col)
			return r->ab[i].text;
	return NULL;
}

/* Fill the header's gaps from the merges covering them (see the top). */
static int fill_merged(struct run *r, const struct xlsx_merge *m, size_t nm)
{
	uint32_t base = base_col(r), hr = (uint32_t)r->in->header_row;
	size_t i, c, n;
	for (c = 0; c < r->nnames; c++) {
		uint32_t col = base + (uint32_t)c;
		const char *src = NULL;
		char *name;
		if (r->names[c])
			continue;
		for (i = 0; i < nm; i++)
			if (m[i].r1 <= hr && hr <= m[i].r2 && m[i].c1 <= col && col <= m[i].c2)
				break;
		if (i == nm)
			continue;
		if (m[i].r1 == hr && m[i].c1 >= base)
			src = r->names[m[i].c1 - base];
		else if (m[i].r1 < hr)
			src = above_text(r, m[i].r1, m[i].c1);
		if (!src)
			continue;
		n = strlen(src) + 16;
		if (!(name = r->in->host->malloc(n)))
			return COLINK_ENOMEM;
		if (col == m[i].c1)
			snprintf(name, n, "%s", src);
		else
			snprintf(name, n, "%s_%u", src, (unsigned)(col - m[i].c1 + 1));
		r->names[c] = name;
	}
	return COLINK_OK;
}

static int read_header(struct run *r, const char *part, struct colink_error *err)
{
	const struct colink_host *h = r->in->host;
	char why[XLSX_WHY_MAX];
	struct xlsx_merge *m = NULL;
	size_t nm = 0, i;
	int rc = xlsx_sheet_read(r->p, &r->b, part, r->in->c_lo, r->in->c_hi, on_header_row, r,
				 NULL, NULL, why);
	if (rc == 1)
		rc = COLINK_OK;
	if (rc == COLINK_OK && !r->names)
		return COLINK_ERR(err, COLINK_EFORMAT, "%s: sheet '%s' has no header in row %" PRId64,
				  r->path, r->sheet, r->in->header_row);
	if (rc == COLINK_OK && r->header_gap) {
		rc = xlsx_sheet_read(r->p, &r->b, part, 0, 0, NULL, NULL, &m, &nm, why);
		if (rc == COLINK_OK)
			rc = fill_merged(r, m, nm);
		h->free(m);
	}
	if (rc == COLINK_ENOMEM)
		return COLINK_ERR(err, rc, "out of memory");
	if (rc)
		return COLINK_ERR(err, rc, "%s: sheet '%s': %s", r->path, r->sheet, why);
	/* trailing columns no name reaches are not columns */
	while (r->nnames && !r->names[r->nnames - 1])
		r->nnames--;
	for (i = 0; i < r->nnames; i++)
		if (!r->names[i] && !(r->names[i] = dupn(h, "", 0)))
			return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	r->width = (uint32_t)r->nnames;
	if (h->emit_header) {
		rc = h->emit_header(r->em, r->nnames, (const char *const *)r->names);
		if (rc)
			return rc == COLINK_EABORT ? rc :
				COLINK_ERR(err, rc, "%s: the header was refused", r->path);
	}
	return COLINK_OK;
}

/* ------------------------------------------------------------------ */
/* Data                                                                 */
/* ------------------------------------------------------------------ */

static int said(struct run *r, int rc)
{
	if (rc) {
		r->host_rc = rc;
		return rc;
	}
	return COLINK_OK;
}

static int reject_cell(struct run *r, uint64_t row, uint32_t col, const char *reason)
{
	char ref[64];
	cell_ref(r, col, row, ref, sizeof(ref));
	return said(r, r->in->host->emit_reject(r->em, r->no, row, ref, reason));
}

static int on_data_row(void *ud, const struct xlsx_row *row)
{
	struct run *r = ud;
	const struct colink_host *h = r->in->host;
	struct colink_raw_record rec = COLINK_RAW_RECORD_INIT(.nfields = 0);
	uint32_t c, base = base_col(r), width = r->width, end;
	int any = 0;
	if (row->row < (uint64_t)r->in->first_data_row)
		return COLINK_OK;
	if (r->in->r_hi && row->row > r->in->r_hi)
		return 2; /* past the range: done */
	for (c = base; c <= row->ncells; c++)
		any |= row->cells[c - 1].present &&
		       (row->cells[c - 1].len || row->cells[c - 1].null_reason || row->cells[c - 1].bad);
	if (!any) {
		r->blank++;
		return COLINK_OK;
	}
	r->no++;
	if (!r->names) {
		/* no header: as wide as the widest row so far */
		end = row->ncells;
		if (end >= base && end - base + 1 > r->width)
			r->width = end - base + 1;
		width = r->width;
	}
	for (c = base; c <= row->ncells; c++) {
		const struct xlsx_cell *x = &row->cells[c - 1];
		if (!x->present)
			continue;
		if (x->bad == XLSX_BAD_SST)
			return reject_cell(r, row->row, c, "shared string index out of range");
		if (x->bad == XLSX_BAD_LONG)
			return reject_cell(r, row->row, c, "cell text longer than colink reads");
		if (c - base + 1 > width && (x->len || x->null_reason))
			return reject_cell(r, row->row, c, "a value in a column the header does not name");
	}
	if (colink_grow(h->realloc, (void **)&r->fields, &r->fcap,
			width, sizeof(*r->fields)))
		return COLINK_ENOMEM;
	for (c = 0; c < width; c++) {
		struct colink_raw_field *f = &r->fields[c];
		uint32_t col = base + c;
		const struct xlsx_cell *x = col <= row->ncells ? &row->cells[col - 1] : NULL;
		memset(f, 0, sizeof(*f));
		f->name = r->names ? r->names[c] : NULL;
		f->index = c + 1;
		f->value = x && x->present ? row->text + x->off : "";
		f->len = x && x->present ? x->len : 0;
		if (x && x->present && x->null_reason) {
			f->null_reason = x->null_reason;
			f->value = NULL;
			if (!r->errors++)
				cell_ref(r, col, row->row, r->first_error, sizeof(r->first_error));
		}
	}
	rec.record_no = r->no;
	rec.line_no = row->row;
	rec.nfields = width;
	rec.fields = r->fields;
	return said(r, h->emit(r->em, &rec));
}

/* ------------------------------------------------------------------ */
/* read                                                                 */
/* ------------------------------------------------------------------ */

static const struct xlsx_sheetref *pick_sheet(struct run *r, struct colink_error *err)
{
	const struct inst *in = r->in;
	size_t i;
	if (in->sheet) {
		for (i = 0; i < r->b.nsheets; i++)
			if (!strcmp(r->b.sheets[i].name, in->sheet))
				return &r->b.sheets[i];
		COLINK_ERR(err, COLINK_ENOTFOUND, "%s: no sheet named '%s' (the workbook has %zu sheets)",
			   r->path, in->sheet, r->b.nsheets);
		return NULL;
	}
	if (in->sheet_index > (int64_t)r->b.nsheets) {
		COLINK_ERR(err, COLINK_ENOTFOUND, "%s: sheet_index %" PRId64 " but the workbook has %zu sheets",
			   r->path, in->sheet_index, r->b.nsheets);
		return NULL;
	}
	return &r->b.sheets[in->sheet_index - 1];
}

/* One INFO line naming the sheets (`colink scan` lists them from it). */
static void log_sheets(const struct run *r, const char *chosen)
{
	char list[700];
	size_t i, o = 0;
	list[0] = '\0';
	for (i = 0; i < r->b.nsheets && o + 1 < sizeof(list); i++) {
		int w = snprintf(list + o, sizeof(list) - o, "%s%zu '%s'", i ? ", " : "", i + 1,
				 r->b.sheets[i].name);
		if (w < 0 || (size_t)w >= sizeof(list) - o)
			break;
		o += (size_t)w;
	}
	r->in->host->log(r->in->hc, COLINK_LOG_INFO, "%s: sheets: %s; reading '%s'", r->path, list,
			 chosen);
}

static int read_data(struct run *r, const char *part, struct colink_error *err)
{
	char why[XLSX_WHY_MAX];
	int rc = xlsx_sheet_read(r->p, &r->b, part, r->in->c_lo, r->in->c_hi, on_data_row, r,
				 NULL, NULL, why);
	if (rc == 2)
		rc = COLINK_OK;
	if (r->host_rc)
		return r->host_rc == COLINK_EABORT ? COLINK_EABORT :
			COLINK_ERR(err, r->host_rc, "%s: the host refused record %" PRIu64,
				   r->path, r->no);
	if (rc == COLINK_ENOMEM)
		return COLINK_ERR(err, rc, "out of memory");
	if (rc)
		return COLINK_ERR(err, rc, "%s: sheet '%s': %s", r->path, r->sheet, why);
	if (r->blank)
		r->in->host->log(r->in->hc, COLINK_LOG_INFO, "%s: %" PRIu64 " blank rows skipped",
				 r->path, r->blank);
	if (r->errors)
		r->in->host->log(r->in->hc, COLINK_LOG_WARN,
				 "%s: %" PRIu64 " error cells (#N/A, #DIV/0!, ...) read as nulls with reason invalid; the first at %s",
				 r->path, r->errors, r->first_error);
	return COLINK_OK;
}

static int in_read(void *ctx, const char *path, struct colink_emitter *em,
		   struct colink_error *err)
{
	struct run r;
	const struct xlsx_sheetref *sh;
	size_t i;
	int rc;
	memset(&r, 0, sizeof(r));
	r.in = ctx;
	r.path = path;
	r.em = em;
	r.b.host = r.in->host;
	rc = xlsx_pkg_open(&r.p, r.in->host, path, &r.in->lim, err);
	if (!rc)
		rc = xlsx_book_read(&r.b, r.p, &r.in->lim, err, path);
	if (!rc && !(sh = pick_sheet(&r, err)))
		rc = err->code;
	if (!rc && !sh->part)
		rc = COLINK_ERR(err, COLINK_EFORMAT, "%s: sheet '%s' has no part in the workbook",
				path, sh->name);
	if (!rc) {
		r.sheet = sh->name;
		log_sheets(&r, sh->name);
		if (r.in->header_row)
			rc = read_header(&r, sh->part, err);
	}
	if (!rc)
		rc = read_data(&r, sh->part, err);
	for (i = 0; i < r.nab; i++)
		r.in->host->free(r.ab[i].text);
	r.in->host->free(r.ab);
	for (i = 0; i < r.nnames; i++)
		r.in->host->free(r.names[i]);
	r.in->host->free(r.names);
	r.in->host->free(r.fields);
	xlsx_book_free(&r.b);
	xlsx_pkg_close(r.p);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Descriptor                                                           */
/* ------------------------------------------------------------------ */

/* "B3:H500", "B:H" or "" into the instance. */
static int parse_range(struct inst *in, const char *s)
{
	const char *colon = strchr(s, ':');
	uint32_t r1 = 0, r2 = 0;
	if (!*s)
		return 0;
	if (!colon)
		return -1;
	if (!xlsx_ref_parse(s, (size_t)(colon - s), &in->c_lo, &r1) &&
	    !xlsx_ref_parse(colon + 1, strlen(colon + 1), &in->c_hi, &r2)) {
		in->r_lo = r1;
		in->r_hi = r2;
	} else if (xlsx_ref_parse(s, (size_t)(colon - s), &in->c_lo, NULL) ||
		   xlsx_ref_parse(colon + 1, strlen(colon + 1), &in->c_hi, NULL)) {
		return -1;
	}
	return in->c_lo <= in->c_hi && in->r_lo <= in->r_hi ? 0 : -1;
}

static int in_init(void **ctx, const struct colink_host *host, struct colink_host_ctx *hc,
		   const struct colink_setting_values *set, struct colink_error *err)
{
	struct colink_setting_value v[S_COUNT];
	struct inst *in;
	*ctx = NULL;
	if (colink_settings_copy(v, S_COUNT, set))
		return COLINK_ERR(err, COLINK_EABI, "in_xlsx: malformed settings from the host");
	if (v[S_SHEET_INDEX].i < 1)
		return COLINK_ERR(err, COLINK_EINVAL, "in_xlsx: sheet_index must be at least 1");
	if (v[S_HEADER_ROW].i < 0 || v[S_HEADER_ROW].i > XLSX_MAX_ROWS ||
	    v[S_FIRST_DATA_ROW].i < 0 || v[S_FIRST_DATA_ROW].i > XLSX_MAX_ROWS)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "in_xlsx: header_row and first_data_row are sheet rows (0 to 1048576)");
	if (v[S_FIRST_DATA_ROW].i && v[S_FIRST_DATA_ROW].i <= v[S_HEADER_ROW].i)
		return COLINK_ERR(err, COLINK_EINVAL, "in_xlsx: first_data_row must come after header_row");
	if (v[S_MAX_PART_BYTES].i < 1 || v[S_MAX_RATIO].i < 1 || v[S_MAX_SHARED_BYTES].i < 1)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "in_xlsx: max_part_bytes, max_ratio and max_shared_bytes must be at least 1");
	if (!(in = host->calloc(1, sizeof(*in))))
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	in->host = host;
	in->hc = hc;
	if (parse_range(in, v[S_RANGE].text)) {
		host->free(in);
		return COLINK_ERR(err, COLINK_EINVAL, "in_xlsx: range '%s' is not A1:H500 or B:H",
				  v[S_RANGE].text);
	}
	if (*v[S_SHEET].text && !(in->sheet = dupn(host, v[S_SHEET].text, strlen(v[S_SHEET].text)))) {
		host->free(in);
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	}
	in->sheet_index = v[S_SHEET_INDEX].i;
	in->header_row = v[S_HEADER_ROW].i;
	in->first_data_row = v[S_FIRST_DATA_ROW].i ? v[S_FIRST_DATA_ROW].i :
		in->header_row ? in->header_row + 1 : in->r_lo ? in->r_lo : 1;
	if (in->r_lo && (uint64_t)in->first_data_row < in->r_lo)
		in->first_data_row = in->r_lo;
	if (in->r_lo && in->header_row && ((uint64_t)in->header_row < in->r_lo ||
					  (uint64_t)in->header_row > in->r_hi)) {
		host->free(in->sheet);
		host->free(in);
		return COLINK_ERR(err, COLINK_EINVAL, "in_xlsx: header_row %" PRId64 " is outside range '%s'",
				  v[S_HEADER_ROW].i, v[S_RANGE].text);
	}
	in->lim.max_part_bytes = (uint64_t)v[S_MAX_PART_BYTES].i;
	in->lim.max_ratio = (uint64_t)v[S_MAX_RATIO].i;
	in->lim.max_shared_bytes = (uint64_t)v[S_MAX_SHARED_BYTES].i;
	xmlInitParser(); /* idempotent; never xmlCleanupParser in a plugin */
	*ctx = in;
	return COLINK_OK;
}

static void in_fini(void *ctx)
{
	struct inst *in = ctx;
	if (in) {
		in->host->free(in->sheet);
		in->host->free(in);
	}
}

static const struct colink_input_ops input_ops = COLINK_INPUT_OPS_INIT(.read = in_read);

static const struct colink_plugin plugin = COLINK_INPUT_PLUGIN_INIT(
	.name = "in_xlsx",
	.version = "1.0",
	.description = "Excel workbooks (.xlsx): one record per non-blank row of one sheet",
	.settings = settings,
	.init = in_init,
	.fini = in_fini,
	.input = &input_ops,
	.output = NULL);

COLINK_EXPORT const struct colink_plugin *colink_plugin_entry(void)
{
	return &plugin;
}
