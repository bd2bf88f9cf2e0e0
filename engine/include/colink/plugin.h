/*
 * colink/plugin.h -- the colink plugin ABI.
 *
 * This is the only header a plugin includes.  A plugin is a shared object
 * exporting exactly one symbol, `colink_plugin_entry`, which returns a
 * pointer to a static, constant descriptor.  Everything a plugin needs from
 * the engine (memory, logging, record building, pseudonyms) reaches it
 * through the host table handed to `init`; plugins never link against
 * engine symbols.
 *
 * Versioning rules (SQLite sqlite3ext.h / Redis modules style):
 *   - structs only ever grow at the end;
 *   - every struct passed on its own starts with `size_t struct_size`
 *     (the descriptor with the ABI version first), filled by the side that
 *     builds it; every array of structs travels with an explicit element
 *     stride (`field_size`, `value_size`, ...) beside its count.  The
 *     reader steps through an array with COLINK_AT and reads a member only
 *     when COLINK_HAS says the declared size covers it; it never copies or
 *     indexes at its own sizeof;
 *   - a major bump means an incompatible change: the loader refuses it;
 *   - a minor bump adds fields at the end: old plugins keep loading.
 * Fill sizes and versions with the COLINK_*_INIT macros below, never by
 * hand.
 *
 * Ownership: every pointer in this header is borrowed unless the comment on
 * it says otherwise.  Borrowed pointers handed to a callback are valid only
 * for the duration of that callback.  Memory one side allocates and the
 * other frees goes through the host table's allocator.
 *
 * What changed in 2.3: colink_output_ops ends with `capabilities`; an
 * output that sets COLINK_OUTPUT_DRY_RUN there is driven through a whole
 * `colink run --dry-run` (begin, every input, link, then abort instead of
 * commit) with colink_run_info.dry_run = 1 (#18), and must then leave its
 * destination exactly as it was (no ledger row, no file created).  The
 * core reads `capabilities` only when ops->struct_size covers it: an
 * older output is never opened by a dry run, as before.  Also in 2.3:
 * colink_raw_record and colink_reject end with `document`, the file
 * inside the input a record is (an archive's member), so that a reject
 * names it rather than a line.
 *
 * What changed in 2.2: colink_reject ends with `nreasons`, `reason_size`
 * and `reasons`, every failing field of the rejected record (#25); an
 * output reads them only when rj->struct_size covers them, and a 2.1
 * output still sees the first reason in `column` and `reason`.
 *
 * Also in 2.2: colink_value ends with `source_null` (the source
 * named the item and gave no value), so an output can keep a row for a
 * "missing" null the source stated (#25); read it only when the value
 * stride covers it.
 *
 * What changed in 2.1: colink_run_info ends with `normalization` and
 * `agreement_signing` (the ledger records them); an output reads them only
 * when run->struct_size covers them.
 *
 * What changed in 2.0 (from 1.1; a plugin built for 1.x is refused):
 *   - colink_raw_record, colink_reject, colink_input_info and
 *     colink_run_summary start with struct_size; colink_raw_record,
 *     colink_out_record, colink_run_info, colink_link_rules, the
 *     descriptor's settings and the settings handed to init
 *     (colink_setting_values) carry the stride of their arrays;
 *   - colink_out_value carries `field_index`, the field's index in
 *     colink_run_info.fields, so an output finds its own per-field data
 *     without looking names up;
 *   - the per-record outcome left the error enum: COLINK_REJECTED is gone;
 *     a record is COLINK_LOADED or COLINK_REJECTED (enum colink_outcome,
 *     non-negative, so an int result is "negative: enum colink_rc,
 *     otherwise enum colink_outcome");
 *   - init receives `const struct colink_setting_values *`;
 *   - initializer macros (COLINK_INPUT_PLUGIN_INIT, ...) and the growth
 *     helper colink_grow.
 */
#ifndef COLINK_PLUGIN_H
#define COLINK_PLUGIN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#define COLINK_ABI_MAJOR 2
#define COLINK_ABI_MINOR 4

/* ------------------------------------------------------------------ */
/* Errors                                                               */
/* ------------------------------------------------------------------ */

/* Return codes: 0 is success, negatives are failures a caller acts on.
 * Whether one record is loaded or rejected is not a failure: see enum
 * colink_outcome. */
enum colink_rc {
	COLINK_OK = 0,
	COLINK_ENOMEM = -1,   /* allocation failed */
	COLINK_EIO = -2,      /* reading or writing a file or database failed */
	COLINK_EINVAL = -3,   /* invalid configuration or argument */
	COLINK_EFORMAT = -4,  /* input is not in the declared format */
	COLINK_EABI = -5,     /* plugin/host ABI mismatch */
	COLINK_ENOTFOUND = -6,/* a named file, plugin, field or key is missing */
	COLINK_EPERM = -7,    /* unsafe permissions or refused by policy */
	COLINK_EABORT = -8,   /* a callback asked the producer to stop */
	COLINK_EBUSY = -9,    /* the warehouse is locked by another run */
	COLINK_EPOLICY = -10  /* the joint-use agreement forbids it */
};

/*
 * What became of one record: every record read ends loaded or rejected
 * with a reason.  Values are non-negative so that a function deciding a
 * record's fate returns one int: negative is a fatal enum colink_rc,
 * otherwise an enum colink_outcome (COLINK_LOADED == COLINK_OK).
 */
enum colink_outcome {
	COLINK_LOADED = 0,  /* the record goes on (is written) */
	COLINK_REJECTED = 1 /* the record is rejected; the reason is one line */
};

#define COLINK_ERRMSG_MAX 512

/*
 * An explicit error out-parameter, owned (usually on the stack) by the
 * caller and filled by the callee.  The message buffer is fixed so that
 * reporting out-of-memory never allocates.  Messages are one line, name the
 * file/line/record/column/key at fault, and never contain the raw value of
 * an identifier.  When a call returns COLINK_REJECTED, `msg` carries the
 * rejection reason and `code` is COLINK_REJECTED.  This struct is frozen
 * for the whole of ABI 2.x (a change is a major bump).
 */
struct colink_error {
	int code;                    /* enum colink_rc */
	char msg[COLINK_ERRMSG_MAX]; /* one line, NUL-terminated */
	const char *src_file;        /* where it was raised (static string) */
	int src_line;
};

#if defined(__GNUC__)
__attribute__((format(printf, 5, 0)))
#endif
static inline int colink_error_vset(struct colink_error *err, int code,
				    const char *file, int line,
				    const char *fmt, va_list ap)
{
	if (err) {
		err->code = code;
		err->src_file = file;
		err->src_line = line;
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	}
	return code;
}

#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static inline int colink_error_set(struct colink_error *err, int code,
				   const char *file, int line,
				   const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	colink_error_vset(err, code, file, line, fmt, ap);
	va_end(ap);
	return code;
}

static inline void colink_error_clear(struct colink_error *err)
{
	if (err) {
		err->code = COLINK_OK;
		err->msg[0] = '\0';
		err->src_file = NULL;
		err->src_line = 0;
	}
}

/* Set *err and evaluate to `code`: `return COLINK_ERR(err, COLINK_EIO, "...")`. */
#define COLINK_ERR(err, code, ...) \
	colink_error_set((err), (code), __FILE__, __LINE__, __VA_ARGS__)

/* Reject one record: the reason goes to err->msg; evaluates to
 * COLINK_REJECTED.  `return COLINK_REJECT(err, "field %s ...", name)`. */
#define COLINK_REJECT(err, ...) \
	colink_error_set((err), COLINK_REJECTED, __FILE__, __LINE__, __VA_ARGS__)

/* ------------------------------------------------------------------ */
/* Sizes, strides and growth                                            */
/* ------------------------------------------------------------------ */

/* Element i of an array whose elements are `stride` bytes apart (the
 * `*_size` the builder declared), as a `const type *`. */
#define COLINK_AT(type, base, stride, i) \
	((const type *)(const void *)((const char *)(base) + (size_t)(i) * (stride)))

/* Bytes of `type` up to and including `member`. */
#define COLINK_SIZE_TO(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))

/* Does a `type` declared `size` bytes long have `member`? */
#define COLINK_HAS(type, size, member) ((size) >= COLINK_SIZE_TO(type, member))

/* Overflow-checked size arithmetic: 0 and *out set, or -1 on overflow
 * (*out untouched). */
static inline int colink_checked_add(size_t *out, size_t a, size_t b)
{
	if (a > SIZE_MAX - b)
		return -1;
	*out = a + b;
	return 0;
}

static inline int colink_checked_mul(size_t *out, size_t a, size_t b)
{
	if (a != 0 && b > SIZE_MAX / a)
		return -1;
	*out = a * b;
	return 0;
}

/*
 * Make the array *p of `elem`-byte items hold at least `need` items,
 * doubling the capacity *cap (16 at first) with `realloc_fn` -- a plugin
 * passes host->realloc, so the memory is the host's.  Every size is
 * overflow-checked.  0 on success; -1 when the size overflows or the
 * allocation fails, with *p and *cap unchanged (the old block stays valid
 * and owned by the caller).  Warning: on success *p may move; pointers
 * into the old block are invalid.
 */
static inline int colink_grow(void *(*realloc_fn)(void *, size_t), void **p,
			      size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 16, bytes;
	void *np;
	if (need <= *cap)
		return 0;
	while (ncap < need)
		if (colink_checked_mul(&ncap, ncap, 2))
			return -1;
	if (colink_checked_mul(&bytes, ncap, elem) || !(np = realloc_fn(*p, bytes)))
		return -1;
	*p = np;
	*cap = ncap;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Values                                                               */
/* ------------------------------------------------------------------ */

enum colink_type {
	COLINK_T_NULL = 0,
	COLINK_T_TEXT = 1,
	COLINK_T_INT = 2,
	COLINK_T_DECIMAL = 3,  /* exact decimal text, never a float */
	COLINK_T_DATE = 4,     /* yyyymmdd in `i` */
	COLINK_T_CODE = 5,     /* code system + code */
	COLINK_T_PSEUDONYM = 6 /* 64 hex chars of HMAC-SHA256 */
};

/* Why a value is null.  NONE means the value is present. */
enum colink_null {
	COLINK_NULL_NONE = 0,
	COLINK_NULL_NOT_PERFORMED = 1, /* 未実施 (negationInd) */
	COLINK_NULL_UNMEASURABLE = 2,  /* 測定不能 (nullFlavor NI) */
	COLINK_NULL_MISSING = 3,       /* empty in the source */
	COLINK_NULL_BELOW_RANGE = 4,   /* censored: "<5"; text holds the bound */
	COLINK_NULL_ABOVE_RANGE = 5,   /* censored: ">1000"; text holds the bound */
	COLINK_NULL_INVALID = 6        /* unparseable, kept as null by on-error="null" */
};

/*
 * One typed value.  `text` carries TEXT, the canonical DECIMAL text
 * ("92.0", kept exactly), the CODE, the PSEUDONYM hex, or for a censored
 * null the bound.  `raw` is the source text for lineage; it is NULL for
 * identifier fields, whose raw value never leaves the identity step.
 * Every pointer is borrowed from the record that carries the value.
 * A colink_value only travels as the last member of colink_out_value, so
 * it grows at its end together with that element's stride.
 */
struct colink_value {
	int type;                /* enum colink_type */
	int null_reason;         /* enum colink_null */
	const char *text;
	int64_t i;               /* INT value, or DATE as yyyymmdd */
	const char *code_system; /* CODE: OID or table name; may be NULL */
	const char *unit;        /* unit as declared by the mapping; may be NULL */
	char flag;               /* 'H' / 'L' out-of-range flag from the source, or 0 */
	const char *raw;         /* source text; NULL for identifiers */
	/* 2.2: 1 when the source itself said the value is null (an MHLW
	 * observation named by its item code with no value): the item was
	 * there, so a "missing" null is worth a row; 0 for an empty cell.
	 * Read only when the value stride covers it. */
	int source_null;
};

/* ------------------------------------------------------------------ */
/* Settings                                                             */
/* ------------------------------------------------------------------ */

enum colink_setting_type {
	COLINK_SET_STRING = 1,
	COLINK_SET_INT = 2,  /* signed 64-bit decimal */
	COLINK_SET_BOOL = 3, /* true/false/yes/no/1/0 */
	COLINK_SET_CHAR = 4, /* exactly one byte; "\t" and "tab" accepted */
	COLINK_SET_ENUM = 5  /* one of `choices`, '|' separated */
};

/*
 * One declared setting.  The same table drives validation (the core refuses
 * unknown, duplicate, missing and mistyped keys before `init`), `colink
 * plugins NAME` and the auditor documentation.  An array element: its
 * stride is colink_plugin.setting_size; terminate the table with
 * COLINK_SETTINGS_END (a NULL name).  Static in the plugin.
 */
struct colink_setting_def {
	const char *name;
	int type;                  /* enum colink_setting_type */
	const char *default_value; /* NULL: required */
	const char *description;   /* one line */
	const char *choices;       /* COLINK_SET_ENUM only */
};

/* One setting in a plugin's table (designated initializers). */
#define COLINK_SETTING(name_, type_, default_, description_, choices_) \
	{ .name = (name_), .type = (type_), .default_value = (default_), \
	  .description = (description_), .choices = (choices_) }
#define COLINK_SETTINGS_END \
	{ .name = NULL, .type = 0, .default_value = NULL, .description = NULL, \
	  .choices = NULL }

/* A validated setting value, index-aligned with the plugin's table.  An
 * array element: see colink_setting_values. */
struct colink_setting_value {
	const char *text; /* the text as given (or the default); never NULL */
	int64_t i;        /* INT, BOOL (0/1), CHAR (the byte) */
	int is_default;   /* 1 when not given in the file */
};

/* The validated settings handed to init; owned by the core, valid only
 * during init (copy what you keep). */
struct colink_setting_values {
	size_t struct_size;
	size_t n;          /* entries, index-aligned with the settings table */
	size_t value_size; /* stride of `values` */
	const struct colink_setting_value *values;
};

#define COLINK_SETTING_VALUES_INIT(...) \
	{ .struct_size = sizeof(struct colink_setting_values), \
	  .value_size = sizeof(struct colink_setting_value), __VA_ARGS__ }

/*
 * Copy the n values of `src` into the plugin's own array `dst` (n entries
 * of this build's size): each element is read through src->value_size and
 * only the bytes both sides have are copied; the rest is zeroed.  0, or -1
 * when `src` is not an ABI 2 settings view of exactly n values.  The
 * copied `text` pointers stay borrowed: valid only during init.
 */
static inline int colink_settings_copy(struct colink_setting_value *dst, size_t n,
				       const struct colink_setting_values *src)
{
	size_t i, take;
	if (!src || src->struct_size < COLINK_SIZE_TO(struct colink_setting_values, values) ||
	    src->n != n ||
	    (n && (!src->values || src->value_size <
				   COLINK_SIZE_TO(struct colink_setting_value, is_default))))
		return -1;
	take = src->value_size < sizeof(*dst) ? src->value_size : sizeof(*dst);
	for (i = 0; i < n; i++) {
		memset(&dst[i], 0, sizeof(dst[i]));
		memcpy(&dst[i], COLINK_AT(struct colink_setting_value, src->values,
					  src->value_size, i), take);
	}
	return 0;
}

/* Setting i, or NULL when i is out of range. */
static inline const struct colink_setting_value *
colink_setting_get(const struct colink_setting_values *s, size_t i)
{
	if (!s || i >= s->n)
		return NULL;
	return COLINK_AT(struct colink_setting_value, s->values, s->value_size, i);
}

/* ------------------------------------------------------------------ */
/* Records from input plugins                                           */
/* ------------------------------------------------------------------ */

/*
 * One raw field as read.  `value` is decoded UTF-8, NUL-terminated, `len`
 * bytes long.  Plugins that know more (XML) fill the optional members.
 * An array element (stride: colink_raw_record.field_size); every pointer
 * is the plugin's, valid until emit returns.
 */
struct colink_raw_field {
	const char *name;        /* header name or item code; NULL: use `index` */
	uint32_t index;          /* 1-based position in the source record */
	const char *value;       /* NULL for a field without a value */
	size_t len;
	const char *unit;        /* optional */
	const char *code_system; /* optional */
	int null_reason;         /* optional: enum colink_null known by the source */
	char flag;               /* optional: 'H'/'L' */
};

/* Built by the input plugin, borrowed by the core during emit. */
struct colink_raw_record {
	size_t struct_size;
	uint64_t record_no; /* 1-based, data records only (header excluded) */
	uint64_t line_no;   /* 1-based physical line where it starts; 0 if n/a */
	size_t nfields;
	size_t field_size;  /* stride of `fields` */
	const struct colink_raw_field *fields;
	/* ABI 2.3 (the core reads it when struct_size covers it): the file
	 * inside the input this record is, e.g. an MHLW archive's document
	 * "0003.xml", or NULL; rejects then name it instead of a line */
	const char *document;
};

#define COLINK_RAW_RECORD_INIT(...) \
	{ .struct_size = sizeof(struct colink_raw_record), \
	  .field_size = sizeof(struct colink_raw_field), __VA_ARGS__ }

/* Opaque handle through which an input plugin hands records to the core. */
struct colink_emitter;

/* ------------------------------------------------------------------ */
/* Records to output plugins                                            */
/* ------------------------------------------------------------------ */

/* Field flags in the common schema catalogue (mappings/common/fields.tsv). */
#define COLINK_FIELD_IDENTIFIER 0x1u /* pseudonymized; raw never stored */
#define COLINK_FIELD_NOT_STORED 0x2u /* used for derivations only */

/* One common-schema field (a row of mappings/common/fields.tsv).  An
 * array element (stride: colink_run_info.field_size); owned by the core,
 * valid until the run's commit or abort returns. */
struct colink_field_def {
	const char *name;        /* common-schema name, e.g. "sbp_1" */
	const char *table;       /* warehouse table, e.g. "checkup" */
	const char *column;      /* column in that table */
	int type;                /* enum colink_type */
	const char *unit;        /* canonical unit or NULL */
	const char *item_code;   /* 17-digit 特定健診項目コード or NULL */
	const char *code_system; /* for CODE fields, or NULL */
	unsigned flags;          /* COLINK_FIELD_* */
	const char *description;
};

/* `field_index` of a value whose item is not in the catalogue. */
#define COLINK_NO_FIELD UINT32_MAX

/* One value of an out record.  An array element (stride:
 * colink_out_record.value_size); `v` stays the last member. */
struct colink_out_value {
	const struct colink_field_def *field; /* NULL for an unknown item */
	uint32_t field_index;   /* index of `field` in colink_run_info.fields,
				 * or COLINK_NO_FIELD when `field` is NULL */
	const char *item_code;  /* the source item code (unknown items too) */
	const char *source;     /* source column / item for lineage */
	struct colink_value v;  /* last: grows at its end */
};

/* An array element (stride: colink_out_record.pseudonym_size); both
 * strings are the core's, borrowed during write. */
struct colink_pseudonym {
	const char *kind;  /* key kind, e.g. "card" or "kana_dob_sex" */
	const char *value; /* 64 hex; of a "feature.*" kind (only to a plugin
			    * with COLINK_OUTPUT_PROBABILISTIC): a token 16 hex
			    * (schema 14; 64 before), a name filter 128 or 256 */
};

/* One mapped, pseudonymized record for the warehouse.  Built by the
 * core; borrowed by the output during write. */
struct colink_out_record {
	size_t struct_size;
	const char *kind;          /* record kind: "checkup", ... */
	uint32_t input_no;         /* 1-based input index in this run */
	uint64_t record_no;
	uint64_t line_no;
	const char *person;        /* pseudonym of the primary key, or NULL */
	size_t npseudonyms;        /* every pseudonym computed for the record */
	size_t pseudonym_size;     /* stride of `pseudonyms` */
	const struct colink_pseudonym *pseudonyms;
	size_t nvalues;
	size_t value_size;         /* stride of `values` */
	const struct colink_out_value *values;
	/* derived at load time from the raw birth date (never stored) */
	int birth_ym;              /* yyyymm or 0 */
	int age_at_exam;           /* -1 when unknown */
	int age_fy_end;            /* age on 31 March of the exam's fiscal year */
	int fiscal_year;           /* April-March year of the exam, or 0 */
};

#define COLINK_OUT_RECORD_INIT(...) \
	{ .struct_size = sizeof(struct colink_out_record), \
	  .pseudonym_size = sizeof(struct colink_pseudonym), \
	  .value_size = sizeof(struct colink_out_value), __VA_ARGS__ }

/* One reason a record is rejected: the source column at fault (NULL for
 * the whole record) and why, in one line that names the field and the
 * rule broken, never a raw identifier value. */
struct colink_reject_reason {
	const char *column;
	const char *reason;
};

/* A rejected record, for the output's rejects table.  Built by the core;
 * borrowed by the output during reject.  A record is rejected once (and
 * counted once) whatever the number of its reasons. */
struct colink_reject {
	size_t struct_size;
	uint32_t input_no;
	uint64_t record_no;
	uint64_t line_no;
	const char *column; /* source column, or NULL for the whole record */
	const char *reason; /* one line, never a raw identifier value */
	/* ABI 2.2 (check struct_size before reading): every reason, in the
	 * order of the mapping's columns, then the record-level checks;
	 * reasons[0] is column/reason above.  nreasons >= 1 when the core
	 * built the reject. */
	size_t nreasons;
	size_t reason_size; /* stride of `reasons` */
	const struct colink_reject_reason *reasons;
	/* ABI 2.3 (check struct_size before reading): the record's document
	 * inside the input (colink_raw_record.document), or NULL */
	const char *document;
};

#define COLINK_REJECT_INIT(...) \
	{ .struct_size = sizeof(struct colink_reject), \
	  .reason_size = sizeof(struct colink_reject_reason), __VA_ARGS__ }

/* One input of the run.  Built by the core; borrowed by the output during
 * input_begin and input_end. */
struct colink_input_info {
	size_t struct_size;
	uint32_t input_no;
	const char *path;
	const char *sha256;         /* 64 hex of the file bytes */
	uint64_t size;
	const char *plugin;
	const char *mapping_path;
	const char *mapping_sha256;
	const char *mapping_id;
	/* counts, filled at input end */
	uint64_t read, loaded, rejected;
	const char *status;         /* "loaded", "skipped-duplicate" */
	/* lineage: which source column feeds which common field */
	size_t nmap;
	const char *const *map_fields;  /* common field names */
	const char *const *map_sources; /* source column names (or "#N") */
};

#define COLINK_INPUT_INFO_INIT(...) \
	{ .struct_size = sizeof(struct colink_input_info), __VA_ARGS__ }

/* The run.  Built by the core; borrowed by the output during begin (copy
 * what you keep; `fields` stays valid until commit or abort returns). */
struct colink_run_info {
	size_t struct_size;
	const char *run_id;     /* 32 hex */
	const char *job_name;
	const char *job_path;
	const char *job_sha256;
	const char *purpose;
	const char *key_id;
	const char *os_user;
	const char *started;    /* ISO 8601 UTC */
	const char *version;    /* colink version */
	size_t nfields;         /* the common-schema catalogue */
	size_t field_size;      /* stride of `fields` */
	const struct colink_field_def *fields;
	/* ABI 2.1 (check struct_size before reading): recorded in the ledger */
	const char *normalization;     /* identity-normalization version of the
					* run's pseudonyms (colink_normalization_version) */
	const char *agreement_signing; /* "signed: ..." or "unsigned"; NULL when
					* the job names no agreement */
	/* ABI 2.3 (check struct_size before reading): 1 for a dry run, set
	 * only for an output declaring COLINK_OUTPUT_DRY_RUN.  The output
	 * does everything a run does (duplicates, replacements, link) where
	 * nothing outlives the run: the core ends it with abort, never
	 * commit, and abort must leave no trace (no failed ledger row, no
	 * file created, an existing one byte for byte as it was). */
	int dry_run;
};

#define COLINK_RUN_INFO_INIT(...) \
	{ .struct_size = sizeof(struct colink_run_info), \
	  .field_size = sizeof(struct colink_field_def), __VA_ARGS__ }

/* How the run ended.  Built by the core; borrowed by the output during
 * commit or abort. */
struct colink_run_summary {
	size_t struct_size;
	const char *status;  /* "ok" or "failed" */
	const char *message; /* failure reason or NULL */
	const char *finished;
	uint64_t read, loaded, rejected;
};

#define COLINK_RUN_SUMMARY_INIT(...) \
	{ .struct_size = sizeof(struct colink_run_summary), __VA_ARGS__ }

/* ------------------------------------------------------------------ */
/* Host table                                                           */
/* ------------------------------------------------------------------ */

enum colink_log_level {
	COLINK_LOG_ERROR = 0,
	COLINK_LOG_WARN = 1,
	COLINK_LOG_INFO = 2,
	COLINK_LOG_DEBUG = 3
};

/* Opaque per-instance host context, passed back on every host call. */
struct colink_host_ctx;

/*
 * Services the engine offers a plugin.  Owned by the core; passed to
 * `init`, valid until `fini` returns.  Check COLINK_HAS(struct
 * colink_host, host->struct_size, member) before using members added
 * after ABI 2.0.
 */
/* ---- extract reading (engine/warehouse, issue #14) ----
 * Owned by engine/warehouse: in_extract reads a pseudonymized extract
 * through host->extract_read, so that no SQL naming a warehouse table
 * lives in a plugin.  The field's strings are borrowed for the callback. */
struct colink_extract_field {
	size_t struct_size;
	const char *name;        /* extract.key_id, pseudonym.<kind>, derived.<x>, <field> */
	const char *value;       /* exact text; NULL when null */
	const char *unit;        /* NULL: none */
	const char *code_system; /* NULL: none */
	const char *null_reason; /* "not-performed" ... "invalid"; NULL: none */
	const char *flag;        /* "H" or "L"; NULL: none */
};
struct colink_extract_sink {
	size_t struct_size;
	/* one field of the current checkup; non-zero stops the read */
	int (*field)(void *ud, const struct colink_extract_field *f);
	/* the current checkup's fields are complete; non-zero stops */
	int (*record_end)(void *ud);
	void *ud;
};

struct colink_host {
	size_t struct_size;
	int abi_major;
	int abi_minor;

	/* Memory: anything crossing the plugin boundary uses these.  They go
	 * through the engine's allocator, which tests can make fail.  What a
	 * plugin allocates here it owns and frees here (free accepts NULL). */
	void *(*malloc)(size_t n);
	void *(*calloc)(size_t n, size_t size);
	void *(*realloc)(void *p, size_t n);
	void (*free)(void *p);

	/* Logging: one line, no raw identifier values. */
	void (*log)(struct colink_host_ctx *hc, int level, const char *fmt, ...)
#if defined(__GNUC__)
		__attribute__((format(printf, 3, 4)))
#endif
		;

	/* Input side: hand the core one record (borrowed during the call;
	 * built with COLINK_RAW_RECORD_INIT).  Returns COLINK_OK, or
	 * COLINK_EABORT when the run must stop (stop reading and return). */
	int (*emit)(struct colink_emitter *em, const struct colink_raw_record *rec);
	/* The source cannot decode record `record_no`: it is counted as read
	 * and rejected with `reason` (one line, never a raw identifier).
	 * `column` and `reason` are borrowed during the call; the core copies
	 * them.  Same return convention as emit. */
	int (*emit_reject)(struct colink_emitter *em, uint64_t record_no,
			   uint64_t line_no, const char *column, const char *reason);
	/* Optional: header names, 1-based index i at names[i-1]; borrowed
	 * during the call. */
	int (*emit_header)(struct colink_emitter *em, size_t n,
			   const char *const *names);

	/* Pseudonym service: HMAC-SHA256 under the run's key derived for
	 * `kind`, over the unambiguous encoding of already normalized
	 * `parts` (borrowed during the call).  Writes 64 hex + NUL into `out`,
	 * owned by the caller. */
	int (*pseudonym)(struct colink_host_ctx *hc, const char *kind,
			 size_t nparts, const char *const *parts,
			 char out[65], struct colink_error *err);

	/* Extract reading (engine/warehouse; issue #14, added at the end):
	 * read the extract at `path` checkup by checkup into `sink` (see
	 * engine/warehouse/warehouse.h colink_wh_extract_read).  COLINK_OK,
	 * a negative code with *err set (one line naming path), or the
	 * sink's non-zero return as is.  Present when struct_size covers it. */
	int (*extract_read)(struct colink_host_ctx *hc, const char *path,
			    const struct colink_extract_sink *sink,
			    struct colink_error *err);
};

#define COLINK_HOST_INIT(...) \
	{ .struct_size = sizeof(struct colink_host), .abi_major = COLINK_ABI_MAJOR, \
	  .abi_minor = COLINK_ABI_MINOR, __VA_ARGS__ }

/* ------------------------------------------------------------------ */
/* Plugin descriptor                                                    */
/* ------------------------------------------------------------------ */

enum colink_plugin_kind {
	COLINK_PLUGIN_INPUT = 1,
	COLINK_PLUGIN_OUTPUT = 2
};

struct colink_input_ops {
	size_t struct_size;
	/* Read the whole of `path` (borrowed during the call), calling
	 * host->emit / emit_reject for each
	 * record in order.  Return COLINK_OK at end of input, a negative code
	 * with *err set for a fatal problem with the file as a whole
	 * (unreadable, wrong format), or COLINK_EABORT passed through. */
	int (*read)(void *ctx, const char *path, struct colink_emitter *em,
		    struct colink_error *err);
};

#define COLINK_INPUT_OPS_INIT(...) \
	{ .struct_size = sizeof(struct colink_input_ops), __VA_ARGS__ }

/* ---- linkage ---- */

#define COLINK_LINK_MAX_PASSES 16

/* One linkage pass: a key kind of mappings/common/keys.tsv.  An array
 * element (stride: colink_link_rules.pass_size). */
struct colink_link_pass {
	const char *kind;
	/* ABI 2.4 (#23): a probabilistic pass (kind "probabilistic") compares
	 * the persons' keyed features (identity/feature.h) within blocks and
	 * scores the pairs with Fellegi-Sunter weights (m by EM, u from random
	 * pairs).  An output whose pass_size does not reach these members
	 * sees exact passes only. */
	int probabilistic;  /* 1: the members below apply */
	double upper;       /* match weight (log2) at or above which a pair links */
	double lower;       /* at or above which (and below upper) it goes to review */
	double dice;        /* Dice coefficient of the name filters for level "similar" */
	unsigned blocking;  /* COLINK_BLOCK_* bits */
};

#define COLINK_BLOCK_INSURER_YEAR 0x1u /* same insurer, birth year and sex */
#define COLINK_BLOCK_BIRTH_DATE   0x2u /* same birth date (or day and month swapped) */

/*
 * The job's linkage rules; owned by the core, borrowed during link.  Persons come in two sides: the association's
 * (persons of checkup records, keyed by the card pseudonym) and the
 * employer's (persons of roster records, keyed by the employee pseudonym);
 * the output records each person's side.  Passes
 * run in order over persons not yet linked; a pseudonym that matches more
 * than one candidate on either side links nobody: the candidates go to
 * review with the pass that found them.
 */
struct colink_link_rules {
	size_t struct_size;
	size_t npasses;                       /* 1..COLINK_LINK_MAX_PASSES */
	size_t pass_size;                     /* stride of `passes` */
	const struct colink_link_pass *passes;
};

#define COLINK_LINK_RULES_INIT(...) \
	{ .struct_size = sizeof(struct colink_link_rules), \
	  .pass_size = sizeof(struct colink_link_pass), __VA_ARGS__ }

/* Owned by the core, filled by the output's link operation (only the
 * members its struct_size covers). */
struct colink_link_report {
	size_t struct_size;
	uint64_t association_persons;  /* persons on each side, whole warehouse */
	uint64_t employer_persons;
	uint64_t linked[COLINK_LINK_MAX_PASSES]; /* new links per pass, this run */
	uint64_t linked_total;         /* links in the warehouse after this run */
	uint64_t ambiguous;            /* review rows added by this run */
	uint64_t unmatched_association;/* persons without a link and not in
					* review, after this run (#18: before, in
					* review counted as unmatched) */
	uint64_t unmatched_employer;
	/* #18 part 6: persons, not pairs, in this run's review (and not
	 * linked), and links made by the stewards' decisions (pass 0).  An
	 * output whose struct is older leaves them 0. */
	uint64_t review_association;
	uint64_t review_employer;
	uint64_t linked_decision;
};

#define COLINK_LINK_REPORT_INIT(...) \
	{ .struct_size = sizeof(struct colink_link_report), __VA_ARGS__ }

/*
 * Threads: the core calls an output instance from one thread at a time,
 * in the order of the run, but write and reject come from the core's
 * writer thread (engine/core/writer.c) and every other operation from the
 * thread that called colink_run; the core waits for the writer to finish
 * before input_end, link, commit and abort.  So an output needs no locks,
 * but must not keep per-thread state (e.g. thread-local storage) across
 * those calls; SQLite connections opened in begin are fine (colink runs
 * SQLite in its multi-thread mode, which allows a connection used by one
 * thread at a time, never by two at once).  The record passed to write
 * is valid only during the call.
 */
struct colink_output_ops {
	size_t struct_size;
	/* Start the run: open the warehouse, record the ledger row, open the
	 * run's transaction. */
	int (*begin)(void *ctx, const struct colink_run_info *run,
		     struct colink_error *err);
	/* An input starts.  Set *skip to 1 when the same bytes were already
	 * loaded by an earlier successful run (then no records follow). */
	int (*input_begin)(void *ctx, const struct colink_input_info *in,
			   int *skip, struct colink_error *err);
	/* Store one record (borrowed during the call).  Returns COLINK_OK
	 * (COLINK_LOADED), COLINK_REJECTED when the output refuses this one
	 * record (the reason in err->msg, set with COLINK_REJECT; the run
	 * goes on and the core records the reject), or a negative
	 * enum colink_rc that fails the run. */
	int (*write)(void *ctx, const struct colink_out_record *rec,
		     struct colink_error *err);
	int (*reject)(void *ctx, const struct colink_reject *rj,
		      struct colink_error *err);
	int (*input_end)(void *ctx, const struct colink_input_info *in,
			 struct colink_error *err);
	/* Commit everything the run wrote, ledger row set to ok. */
	int (*commit)(void *ctx, const struct colink_run_summary *s,
		      struct colink_error *err);
	/* Undo everything the run wrote; leave only a failed ledger row. */
	void (*abort)(void *ctx, const struct colink_run_summary *s);
	/* Link persons per `rules`
	 * inside the run's transaction, after the last input_end and before
	 * commit; record links, review candidates and the report.  NULL when
	 * the output cannot link (a job with link rules is then refused). */
	int (*link)(void *ctx, const struct colink_link_rules *rules,
		    struct colink_link_report *rep, struct colink_error *err);
	/* ABI 2.3 (the core reads it only when struct_size covers it):
	 * COLINK_OUTPUT_* flags of what this output can do. */
	unsigned capabilities;
};

/* colink_output_ops.capabilities (ABI 2.3) */
#define COLINK_OUTPUT_DRY_RUN 0x1u /* honours colink_run_info.dry_run */
#define COLINK_OUTPUT_PROBABILISTIC 0x2u /* ABI 2.4: stores the "feature.*"
					  * pseudonyms and runs a probabilistic
					  * link pass (#23) */

#define COLINK_OUTPUT_OPS_INIT(...) \
	{ .struct_size = sizeof(struct colink_output_ops), __VA_ARGS__ }

/*
 * The descriptor.  Static and constant, owned by the plugin; the loader
 * reads abi_major first, then only the first `struct_size` bytes, and never
 * copies it at its own size.  Build it with COLINK_INPUT_PLUGIN_INIT or
 * COLINK_OUTPUT_PLUGIN_INIT.
 */
struct colink_plugin {
	int abi_major;            /* COLINK_ABI_MAJOR at build time */
	int abi_minor;            /* COLINK_ABI_MINOR at build time */
	size_t struct_size;       /* sizeof(struct colink_plugin) at build time */
	int kind;                 /* enum colink_plugin_kind */
	const char *name;         /* "in_csv"; must match the file name */
	const char *version;      /* plugin version, free text */
	const char *description;  /* one line */
	const struct colink_setting_def *settings; /* COLINK_SETTINGS_END-terminated */
	size_t setting_size;      /* stride of `settings` */

	/* Create an instance.  `vals` is index-aligned with `settings`,
	 * already validated, and valid only during this call: copy what you
	 * keep (read it with colink_setting_get).  `host` and `hc` stay valid
	 * until `fini`.  On success *ctx is the instance context, owned by
	 * the plugin until `fini`. */
	int (*init)(void **ctx, const struct colink_host *host,
		    struct colink_host_ctx *hc,
		    const struct colink_setting_values *vals,
		    struct colink_error *err);
	/* Free an instance; accepts NULL. */
	void (*fini)(void *ctx);

	const struct colink_input_ops *input;   /* kind == INPUT */
	const struct colink_output_ops *output; /* kind == OUTPUT */
};

/* The descriptor of an input / output plugin: version, size, kind and
 * settings stride filled in; pass the rest as designated initializers:
 *   static const struct colink_plugin plugin = COLINK_INPUT_PLUGIN_INIT(
 *           .name = "in_x", .version = "1", ..., .input = &ops);      */
#define COLINK_PLUGIN_INIT_(kind_, ...) \
	{ .abi_major = COLINK_ABI_MAJOR, .abi_minor = COLINK_ABI_MINOR, \
	  .struct_size = sizeof(struct colink_plugin), .kind = (kind_), \
	  .setting_size = sizeof(struct colink_setting_def), __VA_ARGS__ }
#define COLINK_INPUT_PLUGIN_INIT(...) \
	COLINK_PLUGIN_INIT_(COLINK_PLUGIN_INPUT, __VA_ARGS__)
#define COLINK_OUTPUT_PLUGIN_INIT(...) \
	COLINK_PLUGIN_INIT_(COLINK_PLUGIN_OUTPUT, __VA_ARGS__)

#define COLINK_PLUGIN_ENTRY_SYMBOL "colink_plugin_entry"

/* The one exported symbol of a plugin. */
typedef const struct colink_plugin *(*colink_plugin_entry_fn)(void);

#if defined(__GNUC__)
#define COLINK_EXPORT __attribute__((visibility("default")))
#else
#define COLINK_EXPORT
#endif

#ifdef __cplusplus
}
#endif

#endif /* COLINK_PLUGIN_H */
