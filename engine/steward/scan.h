/*
 * scan.h -- profiling an unknown delimited vendor file and drafting its
 * mapping (`colink scan`).
 *
 * colink_scan_file() streams the file twice with bounded memory: once to
 * detect the encoding (valid UTF-8 with or without BOM, else CP932) and
 * line ends, once through libcsv (after decoding to UTF-8) with the
 * delimiter detected on the first 64 KiB (, TAB ; |).  Per column it keeps
 * counts, number and date statistics (through the engine's own parsers in
 * value.c: ISO, YYYYMMDD, 和暦, YYYYMM) and a capped table of distinct
 * values (exact up to `cap` values, then "at least").
 *
 * colink_scan_suggest() then proposes a target field per column from the
 * header name in any of its spellings (scan_match.c: width, case, units,
 * legends, item numbers, swapped brackets; mappings/common/synonyms.tsv,
 * then fields.tsv descriptions and items.tsv names), checks it against the
 * values (type, date format, code map coverage), decides the kind of file
 * and what may be shown.  colink_scan_write_draft()
 * writes the draft mapping, with TODO markers where a steward must decide.
 *
 * PRIVACY: a scanned file holds real identifiers.  Nothing here prints or
 * returns a value, except through colink_scan_frequent(), which returns
 * only values occurring at least COLINK_SCAN_SHOW_MIN times, and never for a
 * column that is or looks like an identifier (see `hidden`).
 */
#ifndef COLINK_SCAN_H
#define COLINK_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/catalog.h"
#include "colink/plugin.h"

#define COLINK_SCAN_SHOW_MIN 5        /* a value is shown only this frequent */
#define COLINK_SCAN_MAX_COLUMNS 2000  /* more columns are counted, not profiled */
#define COLINK_SCAN_MAX_NULLWORDS 64

enum colink_scan_encoding { COLINK_SCAN_UTF8 = 0, COLINK_SCAN_UTF8_BOM, COLINK_SCAN_CP932 };

enum colink_scan_type {
	COLINK_SCAN_EMPTY = 0,  /* no value at all (or only null words) */
	COLINK_SCAN_INTEGER,
	COLINK_SCAN_DECIMAL,
	COLINK_SCAN_DATE,       /* see date_format */
	COLINK_SCAN_CODE,       /* few distinct values, or digits with leading zeros */
	COLINK_SCAN_TEXT
};

struct colink_scan_value {
	uint64_t hash;
	uint64_t count;
	char *text;              /* NULL when longer than the stored limit */
};

struct colink_scan_column {
	char *header;            /* header cell (UTF-8), NULL without a header row */
	uint64_t values;         /* non-empty cells, null words included */
	uint64_t empty;          /* empty cells */
	uint64_t nullwords;      /* cells that are a null word */
	uint64_t nullword_mask;  /* which null words (bit i: word i of the opts) */
	uint64_t n_number, n_fraction, n_censored, n_leading_zero;
	uint64_t n_hmm;                     /* durations such as 12:30 */
	uint64_t date_ok[5], date_shape[5]; /* per enum colink_date_format 1..4 */
	int32_t date_min[5], date_max[5];
	char num_min[64], num_max[64];      /* canonical decimals; "" when none */
	size_t max_len;                     /* longest value, bytes */
	size_t min_len;                     /* shortest value (not a null word), bytes */
	uint64_t n_digits;                  /* values of digits only (0-9, ０-９) */
	uint64_t n_kana;                    /* values of kana (and spaces, ー) only */
	struct colink_scan_value *tab;      /* open addressing, `cap` slots */
	size_t cap, distinct;
	int overflow;                       /* more distinct values than cap */
	/* filled by colink_scan_file at the end */
	int type;                           /* enum colink_scan_type */
	int date_format;                    /* enum colink_date_format when DATE */
	uint64_t unparsed;                  /* values that do not fit the type */
	/* filled by colink_scan_suggest */
	const struct colink_field_def *field; /* target (certain or to confirm) */
	const struct colink_field_def *cand[4]; /* candidates of a <todo> */
	size_t ncand;
	const char *todo;                   /* why the mapping needs a steward */
	const char *codemap;                /* shared code map that covers the values */
	const char *dur_format;             /* minutes, h:mm for a duration field */
	int hidden;                         /* identifier-like: no value, no range shown */
	int required;
};

struct colink_scan_opts {
	uint64_t max_rows;                  /* 0: the whole file */
	const char *const *nullwords;       /* words meaning "no value" */
	size_t nnullwords;                  /* at most COLINK_SCAN_MAX_NULLWORDS */
};

struct colink_scan {
	char *path;
	int encoding;                       /* enum colink_scan_encoding */
	char delimiter;
	uint64_t skip_lines;                /* title lines above the first row */
	int header;                         /* the first row names the columns */
	int quoted;                         /* some field was quoted */
	uint64_t crlf, lf, cr;              /* line ends */
	uint64_t rows;                      /* data rows profiled */
	uint64_t ragged;                    /* rows with another field count */
	uint64_t short_rows;                /* of them, rows with at most half the
	                                       first row's fields (a 合計 line, a
	                                       note): not profiled */
	int truncated;                      /* stopped at max_rows */
	size_t ncols;
	struct colink_scan_column *cols;
	uint64_t extra_fields;              /* fields beyond COLINK_SCAN_MAX_COLUMNS */
	/* filled by colink_scan_suggest */
	const char *kind;                   /* checkup, roster, attendance, stress, claims, participation */
	const char *primary_key;            /* card or employee */
	size_t kind_votes;                  /* columns whose name says this kind */
	size_t kind_named;                  /* columns whose name says some kind */
	uint64_t persons;                   /* distinct values of the named identifiers; 0 unknown */
	uint64_t nullword_mask;             /* null words seen anywhere */
	size_t ntodo;                       /* columns needing a steward */
};

/* Profile `path`.  *out freed with colink_scan_free.  Errors (missing file:
 * COLINK_ENOENT/EIO; neither UTF-8 nor CP932, no rows: COLINK_EINVAL) name
 * the file and line, never a value. */
int colink_scan_file(struct colink_scan **out, const char *path,
		     const struct colink_scan_opts *o, struct colink_error *err);
void colink_scan_free(struct colink_scan *s);

/* Values of column c occurring at least COLINK_SCAN_SHOW_MIN times, most
 * frequent first, at most `max`; none for a hidden column.  Borrowed
 * pointers into s, valid until colink_scan_free.  Returns the count. */
size_t colink_scan_frequent(const struct colink_scan_column *c,
			    const struct colink_scan_value **out, size_t max);

/* Names for the profile: "integer", "date" ...; "iso", "wareki" ... */
const char *colink_scan_type_name(int type);
const char *colink_scan_date_format_name(int format);
const char *colink_scan_encoding_name(int enc);

/* ---- suggestions and the draft (scan_draft.c) ---- */

/* mappings/common/synonyms.tsv plus the catalogue's names. */
struct colink_scan_vocab;
int colink_scan_vocab_load(struct colink_scan_vocab **out, const char *data_dir,
			   const struct colink_catalog *cat, struct colink_error *err);
void colink_scan_vocab_free(struct colink_scan_vocab *v);
/* The null words of the vocabulary, for colink_scan_opts. Borrowed. */
const char *const *colink_scan_vocab_nullwords(const struct colink_scan_vocab *v, size_t *n);
const char *colink_scan_vocab_null_reason(const struct colink_scan_vocab *v, size_t i);

/*
 * Is a column an identifier?  One decision for `colink scan` (what it may
 * show) and for the mapping checks (what may never be stored raw,
 * engine/steward/unmapped.h).
 *
 * colink_scan_header_is_identifier(): by name alone.  1 when the header is
 * an item code whose items.tsv field is an identifier, when any field it
 * names at the strongest level (synonyms.tsv, fields.tsv names and
 * descriptions, items.tsv names) is an identifier (*field: that field's
 * name), or when synonyms.tsv lists it as an `identifier` colink has no
 * field for (*field NULL); else 0.
 *
 * colink_scan_column_is_identifier(): a scanned column (after
 * colink_scan_suggest's name matching): its target or candidates by name,
 * the `identifier` rows, then the values' shape (scan_shape.c: kana names
 * and id-length digit strings whatever the name; with no name to go by
 * also mostly distinct values that are not decimals, text, dates over
 * decades, one value per person).  colink_scan_suggest also weighs the
 * number of persons (the distinct values of the columns named as
 * identifiers) and sets each column's `hidden`.
 */
int colink_scan_header_is_identifier(const struct colink_scan_vocab *v, const char *header,
				     const char **field);
int colink_scan_column_is_identifier(const struct colink_scan_vocab *v,
				     const struct colink_scan_column *c);

/* Suggest targets, decide kind, primary key, TODOs and what is hidden. */
int colink_scan_suggest(struct colink_scan *s, const struct colink_scan_vocab *v,
			const struct colink_catalog *cat, struct colink_error *err);

/* Write the draft mapping to f.  `id` is the mapping id. */
int colink_scan_write_draft(const struct colink_scan *s, const struct colink_scan_vocab *v,
			    const char *id, FILE *f);

/* ---- other paths, and the shipped mappings (scan_archive.c) ---- */

/* Shipped mappings of a kind of file: "employer/roster.xml" ... under
 * data_dir (vendors/, employer/, association/), in name order, at most
 * max; out[i] freed by the caller with colink_free.  Returns the count. */
size_t colink_scan_shipped(const char *data_dir, const char *kind, char **out, size_t max);

#define COLINK_SCAN_ARCHIVE_PEEK 5000  /* documents whose type is read */
#define COLINK_SCAN_ARCHIVE_TYPES 8

/* An MHLW standard XML archive (a folder, or a zip with ix08_V08.xml at
 * its top or in one top folder): counts only, no value of a document. */
struct colink_scan_archive {
	const char *form;                 /* "folder" or "zip" */
	int index;                        /* ix08_V08.xml found */
	size_t documents;                 /* DATA/ *.xml */
	size_t checkups, guidance, other; /* h*.xml, g*.xml, others in DATA/ */
	size_t claims;                    /* CLAIMS/ *.xml */
	struct { int code; size_t count; } types[COLINK_SCAN_ARCHIVE_TYPES];
	size_t ntypes;                    /* 報告区分 codes seen (0: not found) */
};
/* 1 when path is a folder (any: it is described as an archive) or an
 * MHLW zip, *a filled; 0 when it is neither (scan it as a file); -1 out
 * of memory. */
int colink_scan_archive(const char *path, struct colink_scan_archive *a);
/* 特定健診 (10), 特定保健指導 (21-25), 削除依頼 (19, 49), other. */
const char *colink_scan_doctype_name(int code);

#endif
