/*
 * in_csv.c -- the CSV input plugin.
 *
 * Streams a delimited text file (UTF-8 or CP932) through libcsv and hands
 * every data record to the core as decoded, NUL-terminated UTF-8 with its
 * lineage (record number, physical start line, column position and header
 * name).  Every physical record ends either emitted or rejected; a reject
 * reason names the problem and the column, never a field value.
 *
 * How the bytes flow, and why:
 *
 *   fread 64 KiB -> "pieces" ending just after a delimiter, quote or LF
 *                -> csv_parse(piece) -> on_field / on_row callbacks
 *
 *   libcsv reports a field only at a delimiter or a record terminator and
 *   a row only at a terminator (LF here), so every callback happens at the
 *   last byte of the piece being parsed.  That gives, without a second
 *   CSV parser: the exact physical line of every record end (libcsv counts
 *   no lines), the exact number of raw bytes fed since the last callback
 *   (the memory guard below), and the first byte of each field (whether
 *   it was quoted, which libcsv does not report and `trim` needs).
 *
 *   CR is a libcsv "space" and LF the only terminator: CRLF and LF files
 *   read alike and a CR before LF is dropped, also after a closing quote.
 *   CR-only (classic Mac) line ends are not supported.
 *
 *   CP932 is parsed as raw bytes and decoded per field: its second bytes
 *   are 0x40-0xFC, so a delimiter or quote below 0x40 (',', '"', TAB, ';')
 *   can never be half of a character.  init refuses any other choice.
 *
 * Memory stays flat whatever the file size: one 64 KiB block, libcsv's
 * field buffer and the current record.  A field is capped by
 * max_field_bytes and a record by max_columns; an unterminated quote at
 * the start of a huge file is caught by counting raw bytes fed since the
 * last callback (see feed_piece) and resynchronised at the next newline.
 *
 * libcsv runs in strict mode: a quote inside an unquoted field or text
 * after a closing quote rejects the record ("malformed quoting") instead
 * of silently merging following lines into one field.
 */
#include <errno.h>
#include <iconv.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <csv.h>

#include "colink/plugin.h"

#define BLOCK_SIZE 65536u       /* fread block and libcsv growth step */
#define REASON_MAX 160
#define MAX_COLUMNS_LIMIT 1000000 /* fields are indexed by uint32_t */

/* ------------------------------------------------------------------ */
/* Settings                                                             */
/* ------------------------------------------------------------------ */

enum {
	S_ENCODING,
	S_DELIMITER,
	S_QUOTE,
	S_HEADER,
	S_SKIP_LINES,
	S_STRICT_COLUMNS,
	S_MAX_FIELD_BYTES,
	S_MAX_COLUMNS,
	S_TRIM,
	S_COUNT
};

static const struct colink_setting_def settings[S_COUNT + 1] = {
	[S_ENCODING] = { "encoding", COLINK_SET_ENUM, "UTF-8",
			 "character encoding of the file", "UTF-8|CP932" },
	[S_DELIMITER] = { "delimiter", COLINK_SET_CHAR, ",",
			  "field delimiter (\"tab\" for TAB)", NULL },
	[S_QUOTE] = { "quote", COLINK_SET_CHAR, "\"",
		      "quote character; doubled inside a quoted field", NULL },
	[S_HEADER] = { "header", COLINK_SET_BOOL, "true",
		       "the first line after skip_lines names the columns", NULL },
	[S_SKIP_LINES] = { "skip_lines", COLINK_SET_INT, "0",
			   "physical preamble lines dropped before the header", NULL },
	[S_STRICT_COLUMNS] = { "strict_columns", COLINK_SET_BOOL, "true",
			       "reject rows whose field count differs from the header", NULL },
	[S_MAX_FIELD_BYTES] = { "max_field_bytes", COLINK_SET_INT, "1048576",
				"longest field accepted, in raw bytes", NULL },
	[S_MAX_COLUMNS] = { "max_columns", COLINK_SET_INT, "10000",
			    "most fields accepted in one row", NULL },
	[S_TRIM] = { "trim", COLINK_SET_BOOL, "false",
		     "trim ASCII and full-width spaces around unquoted values", NULL },
	[S_COUNT] = COLINK_SETTINGS_END
};

/* One plugin instance: the validated settings and the CP932 converter. */
struct in_csv {
	const struct colink_host *host; /* borrowed until fini */
	struct colink_host_ctx *hc;     /* borrowed until fini */
	int cp932;                      /* 1: decode CP932; 0: validate UTF-8 */
	iconv_t cd;                     /* CP932 -> UTF-8, or (iconv_t)-1 */
	unsigned char delim, quote;
	int header, strict_columns, trim;
	uint64_t skip_lines;
	size_t max_field_bytes, max_columns;
	size_t runaway_bytes;           /* see feed_piece */
};

/* Where each stored field sits in the record buffer. */
struct slot {
	size_t off, len;
};

/* The state of one read() call. */
struct reader {
	struct in_csv *ic;
	struct colink_emitter *em;
	const char *path;
	struct colink_error *err;
	int rc;                  /* first fatal or stop code; 0 while going */

	struct csv_parser csv;
	int csv_live;            /* csv needs csv_free */
	uint64_t line;           /* physical line of the next byte */
	uint64_t rec_line;       /* line where the current record starts */
	uint64_t skip;           /* newlines still to drop (preamble, resync) */
	int field_start;         /* the next byte begins a field */
	int field_quoted;        /* the current field began with the quote */
	int fired;               /* a callback ran in this csv_parse call */
	size_t since_cb;         /* raw bytes fed since the last callback */

	int want_header;         /* the next record is the header */
	char **names;            /* header names, nnames of them */
	size_t nnames;
	size_t ref_fields;       /* strict_columns: fields a row must have */

	uint64_t record_no;      /* last data record number handed out */
	size_t nfields;          /* fields seen in this record, stored or not */
	struct slot *slots;      /* stored fields (all of them unless bad) */
	size_t scap;
	struct colink_raw_field *fields; /* built at emit time */
	size_t fcap;
	char *buf;               /* decoded values, each NUL-terminated */
	size_t blen, bcap;
	int bad;                 /* the record will be rejected */
	size_t bad_index;        /* 1-based column at fault; 0: whole record */
	char bad_reason[REASON_MAX];

	uint64_t empty_line;     /* first of empty_n empty lines in a row, */
	uint64_t empty_n;        /* rejected once a later record proves them interior */
};

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */
/* ------------------------------------------------------------------ */

/* Grow *p (an array of `elem`-byte items) to hold at least `need` items
 * (plugin.h's colink_grow, in host memory). */
static int grow(const struct colink_host *h, void **p, size_t *cap,
		size_t need, size_t elem)
{
	return colink_grow(h->realloc, p, cap, need, elem);
}

/* Strict UTF-8: no overlongs, no surrogates, nothing above U+10FFFF. */
static int utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0, j, k;
	uint32_t cp, min;
	while (i < n) {
		unsigned c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			k = 1, cp = c & 0x1F, min = 0x80;
		else if (c >= 0xE0 && c <= 0xEF)
			k = 2, cp = c & 0x0F, min = 0x800;
		else if (c >= 0xF0 && c <= 0xF4)
			k = 3, cp = c & 0x07, min = 0x10000;
		else
			return 0;
		if (n - i - 1 < k)
			return 0;
		for (j = 1; j <= k; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + j] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += k + 1;
	}
	return 1;
}

/* CP932 -> UTF-8 into out (cap >= 3 * len, the worst expansion). */
static int cp932_decode(iconv_t cd, char *in, size_t len, char *out,
			size_t cap, size_t *olen)
{
	char *op = out;
	size_t ol = cap;
	iconv(cd, NULL, NULL, NULL, NULL); /* a bad field leaves no state */
	if (iconv(cd, &in, &len, &op, &ol) == (size_t)-1 ||
	    iconv(cd, NULL, NULL, &op, &ol) == (size_t)-1)
		return -1;
	*olen = (size_t)(op - out);
	return 0;
}

/* Length of a space (ASCII space, TAB, U+3000) ending at s[n-1], or 0. */
static size_t space_before(const char *s, size_t n)
{
	if (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		return 1;
	if (n >= 3 && !memcmp(s + n - 3, "\xE3\x80\x80", 3))
		return 3;
	return 0;
}

/* Length of a space starting at s[0], or 0.  s is valid UTF-8. */
static size_t space_at(const char *s, size_t n)
{
	if (n && (s[0] == ' ' || s[0] == '\t'))
		return 1;
	if (n >= 3 && !memcmp(s, "\xE3\x80\x80", 3))
		return 3;
	return 0;
}

/* Trim spaces around s[0..*n) in place. */
static void trim_spaces(char *s, size_t *n)
{
	size_t a = 0, k;
	while ((k = space_at(s + a, *n - a)) > 0)
		a += k;
	while ((k = space_before(s + a, *n - a)) > 0)
		*n -= k;
	*n -= a;
	memmove(s, s + a, *n);
}

/* libcsv's notion of a space, which it drops around fields. */
static int space_cr(unsigned char c)
{
	return c == '\r';
}

static int space_trim(unsigned char c)
{
	return c == '\r' || c == ' ' || c == '\t';
}

static int term_lf(unsigned char c)
{
	return c == '\n';
}

/* ------------------------------------------------------------------ */
/* Record state                                                         */
/* ------------------------------------------------------------------ */

static void record_reset(struct reader *r)
{
	r->nfields = 0;
	r->blen = 0;
	r->bad = 0;
	r->bad_index = 0;
	r->bad_reason[0] = '\0';
}

/*
 * The record will be rejected for `fmt` at column idx (0: the whole
 * record).  The first problem wins.  In the header it is fatal instead.
 */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void mark_bad(struct reader *r, size_t idx, const char *fmt, ...)
{
	va_list ap;
	if (r->bad || r->rc)
		return;
	r->bad = 1;
	r->bad_index = idx;
	va_start(ap, fmt);
	vsnprintf(r->bad_reason, sizeof(r->bad_reason), fmt, ap);
	va_end(ap);
	if (r->want_header)
		r->rc = COLINK_ERR(r->err, COLINK_EFORMAT,
				   "%s: line %" PRIu64 ": header column %zu: %s",
				   r->path, r->rec_line, idx, r->bad_reason);
}

static void out_of_memory(struct reader *r)
{
	if (!r->rc)
		r->rc = COLINK_ERR(r->err, COLINK_ENOMEM,
				   "%s: line %" PRIu64 ": out of memory",
				   r->path, r->line);
}

/* Whether s[0..n) holds EF BB BF: memchr for its first byte, which
 * ASCII text does not have (memmem's set-up for every field was ~1 % of a
 * load's instructions, bench/RESULTS.md round 9). */
static int has_bom(const char *s, size_t n)
{
	const char *p = s, *end = s + n;
	while ((p = memchr(p, 0xEF, (size_t)(end - p))) && end - p >= 3) {
		if ((unsigned char)p[1] == 0xBB && (unsigned char)p[2] == 0xBF)
			return 1;
		p++;
	}
	return 0;
}

/* Decode raw bytes s[0..len) to the end of the record buffer; *olen gets
 * the decoded length.  Not yet committed: store_field does that. */
static int decode_into(struct reader *r, char *s, size_t len, size_t idx,
		       size_t *olen)
{
	const struct in_csv *ic = r->ic;
	char *out;
	size_t need, cap;
	if (colink_checked_mul(&cap, len, ic->cp932 ? 3 : 1) ||
	    colink_checked_add(&need, r->blen, cap) || colink_checked_add(&need, need, 1) ||
	    grow(ic->host, (void **)&r->buf, &r->bcap, need, 1)) {
		out_of_memory(r);
		return -1;
	}
	out = r->buf + r->blen;
	if (ic->cp932) {
		if (cp932_decode(ic->cd, s, len, out, cap, olen)) {
			mark_bad(r, idx, "invalid CP932 byte sequence");
			return -1;
		}
	} else {
		if (!utf8_valid((const unsigned char *)s, len)) {
			mark_bad(r, idx, "invalid UTF-8");
			return -1;
		}
		memcpy(out, s, len);
		*olen = len;
	}
	/* In valid UTF-8, EF BB BF can only be U+FEFF itself. */
	if (has_bom(out, *olen)) {
		mark_bad(r, idx, "BOM inside data");
		return -1;
	}
	return 0;
}

/* Decode and keep field idx (1-based) of the current record. */
static void store_field(struct reader *r, char *s, size_t len, size_t idx)
{
	const struct in_csv *ic = r->ic;
	size_t olen;
	if (memchr(s, '\0', len)) {
		mark_bad(r, idx, "NUL byte");
		return;
	}
	if (grow(ic->host, (void **)&r->slots, &r->scap, idx,
		 sizeof(*r->slots))) {
		out_of_memory(r);
		return;
	}
	if (decode_into(r, s, len, idx, &olen))
		return;
	if (r->want_header || (ic->trim && !r->field_quoted))
		trim_spaces(r->buf + r->blen, &olen);
	r->buf[r->blen + olen] = '\0';
	r->slots[idx - 1].off = r->blen;
	r->slots[idx - 1].len = olen;
	r->blen += olen + 1;
}

/* ------------------------------------------------------------------ */
/* Handing records to the core                                          */
/* ------------------------------------------------------------------ */

/*
 * A host call returned rc: anything but OK stops the read.  The core may
 * already have said why in *err (the engine hands read() the error it
 * fills itself, e.g. "column X is not in the mapping"): keep that message
 * and add ours only when *err is still empty.
 */
static int host_said(struct reader *r, int rc)
{
	if (rc && !r->rc) {
		r->rc = rc;
		if (!r->err || r->err->code == COLINK_OK)
			COLINK_ERR(r->err, rc,
				   "%s: record %" PRIu64 ": reading stopped by the core",
				   r->path, r->record_no);
	}
	return rc;
}

static int reject(struct reader *r, uint64_t line, size_t idx,
		  const char *reason)
{
	char col[32];
	const char *column = NULL;
	if (idx && idx <= r->nnames) {
		column = r->names[idx - 1];
	} else if (idx) {
		snprintf(col, sizeof(col), "#%zu", idx);
		column = col;
	}
	r->record_no++;
	return host_said(r, r->ic->host->emit_reject(r->em, r->record_no, line,
						     column, reason));
}

/* Empty lines followed by a record are interior: reject them now. */
static int flush_empty(struct reader *r)
{
	uint64_t k;
	for (k = 0; k < r->empty_n && !r->rc; k++)
		reject(r, r->empty_line + k, 0, "empty line");
	r->empty_n = 0;
	return r->rc;
}

static int emit_record(struct reader *r)
{
	const struct colink_host *h = r->ic->host;
	struct colink_raw_record rec = COLINK_RAW_RECORD_INIT(.nfields = 0);
	size_t i;
	if (grow(h, (void **)&r->fields, &r->fcap, r->nfields,
		 sizeof(*r->fields))) {
		out_of_memory(r);
		return r->rc;
	}
	for (i = 0; i < r->nfields; i++) {
		struct colink_raw_field *f = &r->fields[i];
		memset(f, 0, sizeof(*f));
		f->name = i < r->nnames ? r->names[i] : NULL;
		f->index = (uint32_t)(i + 1);
		f->value = r->buf + r->slots[i].off;
		f->len = r->slots[i].len;
	}
	r->record_no++;
	rec.record_no = r->record_no;
	rec.line_no = r->rec_line;
	rec.nfields = r->nfields;
	rec.fields = r->fields;
	return host_said(r, h->emit(r->em, &rec));
}

/* A data record is complete: emit or reject it. */
static void finish_record(struct reader *r)
{
	const struct in_csv *ic = r->ic;
	if (flush_empty(r))
		return;
	if (!r->ref_fields)
		r->ref_fields = r->nfields; /* header=false: the first row */
	if (!r->bad && ic->strict_columns && r->nfields != r->ref_fields)
		mark_bad(r, 0, "row has %zu fields, %s has %zu", r->nfields,
			 ic->header ? "header" : "first row", r->ref_fields);
	if (r->bad)
		reject(r, r->rec_line, r->bad_index, r->bad_reason);
	else
		emit_record(r);
}

/* The header record is complete: keep the names and announce them. */
static void take_header(struct reader *r)
{
	const struct colink_host *h = r->ic->host;
	size_t i;
	r->names = h->calloc(r->nfields, sizeof(*r->names));
	if (!r->names) {
		out_of_memory(r);
		return;
	}
	r->nnames = r->nfields;
	for (i = 0; i < r->nnames; i++) {
		size_t len = r->slots[i].len;
		r->names[i] = h->malloc(len + 1);
		if (!r->names[i]) {
			out_of_memory(r);
			return;
		}
		memcpy(r->names[i], r->buf + r->slots[i].off, len + 1);
	}
	r->want_header = 0;
	r->ref_fields = r->nnames;
	if (h->emit_header)
		host_said(r, h->emit_header(r->em, r->nnames,
					    (const char *const *)r->names));
}

/* ------------------------------------------------------------------ */
/* libcsv callbacks                                                     */
/* ------------------------------------------------------------------ */

static void on_field(void *s, size_t len, void *data)
{
	struct reader *r = data;
	const struct in_csv *ic = r->ic;
	size_t idx;
	r->fired = 1;
	r->field_start = 1;
	if (r->rc)
		return;
	idx = ++r->nfields;
	if (r->bad)
		return;
	if (idx > ic->max_columns)
		mark_bad(r, idx, "row has more than %zu columns", ic->max_columns);
	else if (len > ic->max_field_bytes)
		mark_bad(r, idx, "field longer than max_field_bytes (%zu)",
			 ic->max_field_bytes);
	else
		store_field(r, s, len, idx);
}

/* c is the terminator (LF), or -1 from csv_fini at end of file. */
static void on_row(int c, void *data)
{
	struct reader *r = data;
	(void)c;
	r->fired = 1;
	r->field_start = 1;
	if (!r->rc) {
		if (r->nfields == 0) {
			/* Blank lines before the header are not data. */
			if (!r->want_header && r->empty_n++ == 0)
				r->empty_line = r->line;
		} else if (r->want_header) {
			take_header(r);
		} else {
			finish_record(r);
		}
	}
	record_reset(r);
	r->rec_line = r->line + 1;
}

/* ------------------------------------------------------------------ */
/* Feeding libcsv                                                       */
/* ------------------------------------------------------------------ */

static int csv_open(struct reader *r)
{
	const struct in_csv *ic = r->ic;
	if (csv_init(&r->csv, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL)) {
		out_of_memory(r);
		return r->rc;
	}
	csv_set_delim(&r->csv, ic->delim);
	csv_set_quote(&r->csv, ic->quote);
	csv_set_space_func(&r->csv, ic->trim ? space_trim : space_cr);
	csv_set_term_func(&r->csv, term_lf);
	/* libcsv allocates only through realloc_func (growing its field
	 * buffer linearly by blk_size, hence the large step). */
	csv_set_realloc_func(&r->csv, ic->host->realloc);
	csv_set_free_func(&r->csv, ic->host->free);
	csv_set_blk_size(&r->csv, BLOCK_SIZE);
	r->csv_live = 1;
	r->field_start = 1;
	r->field_quoted = 0;
	r->since_cb = 0;
	return 0;
}

static void csv_close(struct reader *r)
{
	if (r->csv_live)
		csv_free(&r->csv);
	r->csv_live = 0;
}

/*
 * Give up on the current record: reject it for `reason` at column idx,
 * throw away the parser state and resume after the next newline (at once
 * when the last byte consumed was one).  The rest of the physical line
 * belongs to the rejected record.  Resuming inside what was a quoted
 * field may turn its later lines into records of their own; they are
 * emitted or rejected on their own merits.
 */
static void resync(struct reader *r, size_t idx, const char *reason,
		   int at_line_start)
{
	mark_bad(r, idx, "%s", reason); /* fatal in the header */
	if (r->rc)
		return;
	if (!flush_empty(r))
		reject(r, r->rec_line, r->bad_index, r->bad_reason);
	record_reset(r);
	csv_close(r);
	if (r->rc || csv_open(r))
		return;
	if (at_line_start)
		r->rec_line = r->line;
	else
		r->skip = 1;
}

/* Index one past the end of the piece starting at b[i]. */
static size_t piece_end(struct reader *r, const unsigned char *b, size_t i,
			size_t n)
{
	const struct in_csv *ic = r->ic;
	for (; i < n; i++) {
		unsigned char c = b[i];
		if (r->field_start && (c == ic->delim || !(c == '\r' ||
		    (ic->trim && (c == ' ' || c == '\t'))))) {
			r->field_start = 0;
			r->field_quoted = c == ic->quote;
		}
		if (c == ic->delim || c == ic->quote || c == '\n')
			return i + 1;
	}
	return n;
}

/*
 * Parse one piece; returns the bytes consumed.  The memory guard: a field
 * of at most max_field_bytes decoded bytes takes at most 2 * max + 2 raw
 * bytes (every quote doubled, plus the surrounding quotes), so more raw
 * bytes than that without a callback is a field that can only be
 * rejected.  Counting is exact because callbacks fire at piece ends.
 */
static size_t feed_piece(struct reader *r, const unsigned char *p, size_t n)
{
	size_t done;
	r->fired = 0;
	done = csv_parse(&r->csv, p, n, on_field, on_row, r);
	if (r->rc)
		return n;
	if (done < n) {
		if (csv_error(&r->csv) != CSV_EPARSE) {
			out_of_memory(r);
			return n;
		}
		resync(r, r->nfields + 1, "malformed quoting", 0);
		return done;
	}
	if (p[n - 1] == '\n')
		r->line++;
	r->since_cb = r->fired ? 0 : r->since_cb + n;
	if (r->since_cb > r->ic->runaway_bytes) {
		char why[REASON_MAX];
		snprintf(why, sizeof(why), "field longer than max_field_bytes (%zu)",
			 r->ic->max_field_bytes);
		resync(r, r->nfields + 1, why, p[n - 1] == '\n');
	}
	return n;
}

/* Drop bytes up to the next newline; returns the index after it. */
static size_t skip_line(struct reader *r, const unsigned char *b, size_t i,
			size_t n)
{
	const unsigned char *lf = memchr(b + i, '\n', n - i);
	if (!lf)
		return n;
	r->line++;
	if (--r->skip == 0)
		r->rec_line = r->line;
	return (size_t)(lf - b) + 1;
}

static void feed_block(struct reader *r, const unsigned char *b, size_t n)
{
	size_t i = 0;
	while (i < n && !r->rc) {
		if (r->skip)
			i = skip_line(r, b, i, n);
		else
			i += feed_piece(r, b + i, piece_end(r, b, i, n) - i);
	}
}

/* End of file: finish the last record and settle the empty lines. */
static void finish_input(struct reader *r)
{
	if (!r->skip && r->csv_live &&
	    csv_fini(&r->csv, on_field, on_row, r) != 0 && !r->rc)
		resync(r, r->nfields + 1, "unterminated quoted field", 0);
	if (r->rc)
		return;
	if (r->want_header) {
		if (r->ic->skip_lines)
			r->rc = COLINK_ERR(r->err, COLINK_EFORMAT,
					   "%s: no header line after %" PRIu64 " skipped lines",
					   r->path, r->ic->skip_lines);
		else
			r->rc = COLINK_ERR(r->err, COLINK_EFORMAT,
					   "%s: no header line", r->path);
		return;
	}
	if (r->empty_n)
		r->ic->host->log(r->ic->hc, COLINK_LOG_DEBUG,
				 "%s: %" PRIu64 " empty lines at end of file ignored",
				 r->path, r->empty_n);
}

/* ------------------------------------------------------------------ */
/* read                                                                 */
/* ------------------------------------------------------------------ */

static void reader_free(struct reader *r)
{
	const struct colink_host *h = r->ic->host;
	size_t i;
	csv_close(r);
	for (i = 0; r->names && i < r->nnames; i++)
		h->free(r->names[i]);
	h->free(r->names);
	h->free(r->slots);
	h->free(r->fields);
	h->free(r->buf);
}

/* Stream the open file through the parser, 64 KiB at a time. */
static void read_stream(struct reader *r, FILE *f, unsigned char *blk)
{
	size_t n, start;
	int first = 1;
	while (!r->rc && (n = fread(blk, 1, BLOCK_SIZE, f)) > 0) {
		/* A UTF-8 BOM opening the file is dropped, whatever the
		 * encoding; anywhere else it rejects its record. */
		start = first && n >= 3 && !memcmp(blk, "\xEF\xBB\xBF", 3) ? 3 : 0;
		first = 0;
		feed_block(r, blk + start, n - start);
	}
	if (!r->rc && ferror(f)) {
		r->rc = COLINK_ERR(r->err, COLINK_EIO,
				   "%s: line %" PRIu64 ": read error: %s",
				   r->path, r->line, strerror(errno));
		return;
	}
	if (!r->rc)
		finish_input(r);
}

static int in_csv_read(void *ctx, const char *path, struct colink_emitter *em,
		       struct colink_error *err)
{
	struct in_csv *ic = ctx;
	struct reader r;
	unsigned char *blk;
	FILE *f;
	memset(&r, 0, sizeof(r));
	r.ic = ic;
	r.em = em;
	r.path = path;
	r.err = err;
	r.line = 1;
	r.rec_line = 1;
	r.skip = ic->skip_lines;
	r.want_header = ic->header;
	f = fopen(path, "rb");
	if (!f)
		return COLINK_ERR(err, COLINK_EIO, "%s: cannot open: %s", path,
				  strerror(errno));
	blk = ic->host->malloc(BLOCK_SIZE);
	if (!blk)
		out_of_memory(&r);
	else if (!csv_open(&r))
		read_stream(&r, f, blk);
	ic->host->free(blk);
	reader_free(&r);
	fclose(f);
	return r.rc;
}

/* ------------------------------------------------------------------ */
/* init / fini                                                          */
/* ------------------------------------------------------------------ */

/* A delimiter or quote must be ASCII, not a line end, and for CP932
 * below 0x40, where no second byte of a character can fall. */
static int check_char(const struct in_csv *ic, const char *what, int64_t c,
		      struct colink_error *err)
{
	if (c <= 0 || c >= 0x80 || c == '\r' || c == '\n')
		return COLINK_ERR(err, COLINK_EINVAL,
				  "in_csv: %s 0x%02X must be an ASCII character other than CR or LF",
				  what, (unsigned)(c & 0xFF));
	if (ic->cp932 && c >= 0x40)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "in_csv: %s '%c' can be the second byte of a CP932 character; use one below 0x40 (',' ';' '\"' TAB)",
				  what, (char)c);
	return 0;
}

static int check_limits(const struct colink_setting_value *v,
			struct colink_error *err)
{
	if (v[S_SKIP_LINES].i < 0)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "in_csv: skip_lines must not be negative");
	if (v[S_MAX_FIELD_BYTES].i < 1 ||
	    (uint64_t)v[S_MAX_FIELD_BYTES].i > (SIZE_MAX - 2) / 4)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "in_csv: max_field_bytes must be between 1 and %zu",
				  (SIZE_MAX - 2) / 4);
	if (v[S_MAX_COLUMNS].i < 1 || v[S_MAX_COLUMNS].i > MAX_COLUMNS_LIMIT)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "in_csv: max_columns must be between 1 and %d",
				  MAX_COLUMNS_LIMIT);
	return 0;
}

static int configure(struct in_csv *ic, const struct colink_setting_value *v,
		     struct colink_error *err)
{
	int rc;
	ic->cp932 = !strcmp(v[S_ENCODING].text, "CP932");
	if ((rc = check_char(ic, "delimiter", v[S_DELIMITER].i, err)) ||
	    (rc = check_char(ic, "quote", v[S_QUOTE].i, err)) ||
	    (rc = check_limits(v, err)))
		return rc;
	if (v[S_DELIMITER].i == v[S_QUOTE].i)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "in_csv: delimiter and quote must differ");
	ic->delim = (unsigned char)v[S_DELIMITER].i;
	ic->quote = (unsigned char)v[S_QUOTE].i;
	ic->header = v[S_HEADER].i != 0;
	ic->strict_columns = v[S_STRICT_COLUMNS].i != 0;
	ic->trim = v[S_TRIM].i != 0;
	ic->skip_lines = (uint64_t)v[S_SKIP_LINES].i;
	ic->max_field_bytes = (size_t)v[S_MAX_FIELD_BYTES].i;
	ic->max_columns = (size_t)v[S_MAX_COLUMNS].i;
	ic->runaway_bytes = 2 * ic->max_field_bytes + 2;
	if (ic->cp932) {
		/* iconv_open allocates through libc: unavoidable. */
		ic->cd = iconv_open("UTF-8", "CP932");
		if (ic->cd == (iconv_t)-1)
			return COLINK_ERR(err, COLINK_EINVAL,
					  "in_csv: no CP932 converter: %s",
					  strerror(errno));
	}
	return 0;
}

static void in_csv_fini(void *ctx)
{
	struct in_csv *ic = ctx;
	if (!ic)
		return;
	if (ic->cd != (iconv_t)-1)
		iconv_close(ic->cd);
	ic->host->free(ic);
}

static int in_csv_init(void **ctx, const struct colink_host *host,
		       struct colink_host_ctx *hc,
		       const struct colink_setting_values *set,
		       struct colink_error *err)
{
	struct colink_setting_value vals[S_COUNT];
	struct in_csv *ic;
	int rc;
	*ctx = NULL;
	if (colink_settings_copy(vals, S_COUNT, set))
		return COLINK_ERR(err, COLINK_EABI, "in_csv: malformed settings from the host");
	if (host->abi_major != COLINK_ABI_MAJOR)
		return COLINK_ERR(err, COLINK_EABI,
				  "in_csv: host ABI %d, plugin built for %d",
				  host->abi_major, COLINK_ABI_MAJOR);
	ic = host->calloc(1, sizeof(*ic));
	if (!ic)
		return COLINK_ERR(err, COLINK_ENOMEM, "in_csv: out of memory");
	ic->host = host;
	ic->hc = hc;
	ic->cd = (iconv_t)-1;
	rc = configure(ic, vals, err);
	if (rc) {
		in_csv_fini(ic);
		return rc;
	}
	*ctx = ic;
	return COLINK_OK;
}

static const struct colink_input_ops ops = COLINK_INPUT_OPS_INIT(
	.read = in_csv_read);

static const struct colink_plugin descriptor = COLINK_INPUT_PLUGIN_INIT(
	.name = "in_csv",
	.version = "1.0",
	.description = "delimited text (CSV/TSV) in UTF-8 or CP932, streamed",
	.settings = settings,
	.init = in_csv_init,
	.fini = in_csv_fini,
	.input = &ops);

COLINK_EXPORT const struct colink_plugin *colink_plugin_entry(void)
{
	return &descriptor;
}
