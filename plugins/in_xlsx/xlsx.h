/*
 * xlsx.h -- internals of the in_xlsx plugin (Office Open XML workbooks).
 *
 * An .xlsx file is a zip of XML parts (ECMA-376 Part 1): _rels/.rels names
 * the workbook part, the workbook's relationships name its sheets, the
 * shared strings table and the styles.  Files:
 *
 *   xlsx_pkg.c    the zip (libzip): part lookup, relationship targets, and
 *                 every part streamed through a SAX2 push parser in 64 KiB
 *                 chunks with the archive defences of in_mhlw_xml
 *                 (archive.c): a size cap and a compression-ratio cap
 *                 checked from the declared sizes and again while reading,
 *                 ".." and absolute part names refused, any DOCTYPE
 *                 refused (so no entity is ever declared), no network
 *   xlsx_book.c   workbook.xml (sheets, date1904), styles.xml (which cell
 *                 style is a date, zero padding or text), sharedStrings.xml
 *                 (one arena + an offset per string, bounded)
 *   xlsx_sheet.c  a worksheet streamed row by row: cells decoded to text
 *                 (dates as ISO yyyy-mm-dd), sparse rows placed by their
 *                 `r` reference, mergeCells collected
 *   in_xlsx.c     settings, header and records handed to the core
 *
 * Memory: the shared strings table (capped by max_shared_bytes) and the
 * style table are held; a sheet is never held, only its current row.
 */
#ifndef IN_XLSX_H
#define IN_XLSX_H

#include <stddef.h>
#include <stdint.h>

#include <libxml/parser.h>

#include "colink/plugin.h"

#define XLSX_WHY_MAX 200
#define XLSX_MAX_COLS 16384u     /* Excel's XFD */
#define XLSX_MAX_ROWS 1048576u   /* Excel's last row */
#define XLSX_CELL_MAX 131072u    /* bytes of one cell's text (Excel: 32767 chars) */
#define XLSX_ROW_MAX (16u << 20) /* bytes of one row's text */

void xlsx_why(char *why, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

struct xlsx_limits {
	uint64_t max_part_bytes;   /* refuse a part expanding beyond this */
	uint64_t max_ratio;        /* refuse a part expanding more than this times */
	uint64_t max_shared_bytes; /* cap on the shared strings held in memory */
};

/* ---- the package (xlsx_pkg.c) ---- */

struct xlsx_pkg;

int xlsx_pkg_open(struct xlsx_pkg **out, const struct colink_host *host,
		  const char *path, const struct xlsx_limits *lim,
		  struct colink_error *err);
void xlsx_pkg_close(struct xlsx_pkg *p);

/* 1 when the part exists (names are case-insensitive in OPC). */
int xlsx_pkg_has(struct xlsx_pkg *p, const char *part);

/* Resolve relationship target `target` of part `source` ("xl/workbook.xml")
 * into a package part name, host->malloc'd; NULL with *bad = 1 when the
 * name is unsafe (absolute outside the package, "..") or external. */
char *xlsx_pkg_resolve(struct xlsx_pkg *p, const char *source,
		       const char *target, int *bad);

/*
 * Stream part `part` through SAX handlers `sax` (SAX2: the caller sets
 * startElementNs etc.; this function adds the DOCTYPE refusals and the
 * quiet error handler) with `ud` as the callbacks' user data.  The
 * callbacks may call xlsx_stop(ctxt) to end the parse early.
 * COLINK_OK; COLINK_ENOTFOUND (no such part); COLINK_EPERM (a limit, a
 * DOCTYPE); COLINK_EFORMAT (not well-formed); COLINK_EIO; COLINK_ENOMEM;
 * each with a one-line reason in why.  *stopped is set when a callback
 * stopped the parse (not an error).
 */
int xlsx_pkg_parse(struct xlsx_pkg *p, const char *part, xmlSAXHandler *sax,
		   void *ud, int *stopped, char why[XLSX_WHY_MAX]);
/* From a callback: end the parse (ctxt is the callbacks' ctx). */
void xlsx_stop(void *ctx);
/* From a callback: the user data given to xlsx_pkg_parse. */
void *xlsx_ud(void *ctx);

/* Attribute `name` (local name; `ns_any` 0: only without a namespace) of
 * a SAX2 startElementNs attribute array, or NULL; *len its length. */
const char *xlsx_attr(const xmlChar **attrs, int nattrs, const char *name,
		      int ns_any, size_t *len);

/* ---- workbook, styles and shared strings (xlsx_book.c) ---- */

struct xlsx_sheetref {
	char *name;
	char *part; /* resolved part name, NULL when its relationship is missing */
};

enum xlsx_style { XLSX_STYLE_GENERAL = 0, XLSX_STYLE_DATE, XLSX_STYLE_TEXT,
		  XLSX_STYLE_PAD };

struct xlsx_book {
	const struct colink_host *host;
	int date1904;
	struct xlsx_sheetref *sheets;
	size_t nsheets;
	/* cellXfs: per style index its kind and, for PAD, the width */
	unsigned char *xf_kind;
	unsigned char *xf_pad;
	size_t nxf;
	/* shared strings: text of i at arena + off[i], NUL-terminated */
	char *arena;
	size_t arena_len, arena_cap;
	uint64_t *off;
	size_t nstr, strcap;
};

/* Read the workbook (sheets), its styles and its shared strings. */
int xlsx_book_read(struct xlsx_book *b, struct xlsx_pkg *p,
		   const struct xlsx_limits *lim, struct colink_error *err,
		   const char *path);
void xlsx_book_free(struct xlsx_book *b);
/* The kind of a numFmtId / custom format code (exposed for the tests of
 * the date rules through the plugin). */
int xlsx_format_kind(const char *code, unsigned *pad);
int xlsx_builtin_kind(unsigned id);

/* ---- a sheet (xlsx_sheet.c) ---- */

/* One cell of the current row. */
struct xlsx_cell {
	size_t off;       /* text at row->text + off, NUL-terminated */
	size_t len;
	int null_reason;  /* enum colink_null: an error cell (#N/A) */
	int present;      /* the sheet has a value for this cell */
	int bad;          /* 0, or a reason code (see xlsx_cell_problem) */
};

enum xlsx_bad { XLSX_BAD_NONE = 0, XLSX_BAD_SST, XLSX_BAD_LONG, XLSX_BAD_UTF8 };

struct xlsx_row {
	uint64_t row;            /* 1-based sheet row */
	struct xlsx_cell *cells; /* cells[c - 1] for column c = 1..ncells */
	size_t ncells, capcells;
	char *text;
	size_t tlen, tcap;
	int too_long;            /* the row's text passed XLSX_ROW_MAX */
};

struct xlsx_merge {
	uint32_t r1, c1, r2, c2;
};

/* Called at the end of every row holding at least one cell; a non-zero
 * return stops the parse and is returned by xlsx_sheet_read. */
typedef int (*xlsx_row_fn)(void *ud, const struct xlsx_row *row);

/*
 * Stream the sheet `part`.  Rows are handed to `fn` (cells between the
 * columns c_lo..c_hi only; 0..0 for all).  With `merges`, only the
 * mergeCell ranges are collected (no row is decoded; `fn` is not called)
 * into a host-allocated array (*merges, *nmerges; at most 100000).
 * Returns COLINK_OK, fn's non-zero return, or a negative code with `why`.
 */
int xlsx_sheet_read(struct xlsx_pkg *p, const struct xlsx_book *b,
		    const char *part, uint32_t c_lo, uint32_t c_hi,
		    xlsx_row_fn fn, void *ud, struct xlsx_merge **merges,
		    size_t *nmerges, char why[XLSX_WHY_MAX]);

/* "C12" -> column 3, row 12 (either pointer may be NULL).  0 on success,
 * -1 when not a cell reference (row part optional when row is NULL). */
int xlsx_ref_parse(const char *s, size_t n, uint32_t *col, uint32_t *row);
/* Column number -> letters ("C", "AA"), buf of 4 bytes at least. */
void xlsx_col_name(uint32_t col, char buf[4]);
/* A date serial as ISO yyyy-mm-dd into buf[11]; 0, or -1 when the serial
 * is no date (negative, beyond 9999-12-31). */
int xlsx_serial_date(double serial, int date1904, char buf[16]);

#endif
