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
 *   - every struct starts with a size (and the descriptor with the ABI
 *     version) so that each side reads only the fields the other declared;
 *   - a major bump means an incompatible change: the loader refuses it;
 *   - a minor bump adds fields at the end: old plugins keep loading.
 *
 * Ownership: every pointer in this header is borrowed unless the comment on
 * it says otherwise.  Borrowed pointers handed to a callback are valid only
 * for the duration of that callback.
 */
#ifndef COLINK_PLUGIN_H
#define COLINK_PLUGIN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define COLINK_ABI_MAJOR 1
#define COLINK_ABI_MINOR 1

/* ------------------------------------------------------------------ */
/* Errors                                                               */
/* ------------------------------------------------------------------ */

/* Return codes: 0 is success, negatives are failures a caller acts on. */
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
	COLINK_EPOLICY = -10, /* the joint-use agreement forbids it */
	COLINK_EREJECT = -11  /* one record is rejected (per-record, not fatal) */
};

#define COLINK_ERRMSG_MAX 512

/*
 * An explicit error out-parameter.  The message buffer is fixed so that
 * reporting out-of-memory never allocates.  Messages are one line, name the
 * file/line/record/column/key at fault, and never contain the raw value of
 * an identifier.
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
 * plugins NAME` and the auditor documentation.  Terminate with {0}.
 */
struct colink_setting_def {
	const char *name;
	int type;                  /* enum colink_setting_type */
	const char *default_value; /* NULL: required */
	const char *description;   /* one line */
	const char *choices;       /* COLINK_SET_ENUM only */
};

/* A validated setting value, index-aligned with the plugin's table. */
struct colink_setting_value {
	const char *text; /* the text as given (or the default); never NULL */
	int64_t i;        /* INT, BOOL (0/1), CHAR (the byte) */
	int is_default;   /* 1 when not given in the file */
};

/* ------------------------------------------------------------------ */
/* Records from input plugins                                           */
/* ------------------------------------------------------------------ */

/*
 * One raw field as read.  `value` is decoded UTF-8, NUL-terminated, `len`
 * bytes long.  Plugins that know more (XML) fill the optional members.
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

struct colink_raw_record {
	uint64_t record_no; /* 1-based, data records only (header excluded) */
	uint64_t line_no;   /* 1-based physical line where it starts; 0 if n/a */
	size_t nfields;
	const struct colink_raw_field *fields;
};

/* Opaque handle through which an input plugin hands records to the core. */
struct colink_emitter;

/* ------------------------------------------------------------------ */
/* Records to output plugins                                            */
/* ------------------------------------------------------------------ */

/* Field flags in the common schema catalogue (mappings/common/fields.tsv). */
#define COLINK_FIELD_IDENTIFIER 0x1u /* pseudonymized; raw never stored */
#define COLINK_FIELD_NOT_STORED 0x2u /* used for derivations only */

/* One common-schema field (a row of mappings/common/fields.tsv). */
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

struct colink_out_value {
	const struct colink_field_def *field; /* NULL for an unknown item */
	const char *item_code;  /* the source item code (unknown items too) */
	const char *source;     /* source column / item for lineage */
	struct colink_value v;
};

struct colink_pseudonym {
	const char *kind;  /* key kind, e.g. "card" or "kana_dob_sex" */
	const char *value; /* 64 hex */
};

/* One mapped, pseudonymized record for the warehouse. */
struct colink_out_record {
	size_t struct_size;
	const char *kind;          /* record kind: "checkup", ... */
	uint32_t input_no;         /* 1-based input index in this run */
	uint64_t record_no;
	uint64_t line_no;
	const char *person;        /* pseudonym of the primary key, or NULL */
	size_t npseudonyms;        /* every pseudonym computed for the record */
	const struct colink_pseudonym *pseudonyms;
	size_t nvalues;
	const struct colink_out_value *values;
	/* derived at load time from the raw birth date (never stored) */
	int birth_ym;              /* yyyymm or 0 */
	int age_at_exam;           /* -1 when unknown */
	int age_fy_end;            /* age on 31 March of the exam's fiscal year */
	int fiscal_year;           /* April-March year of the exam, or 0 */
};

struct colink_reject {
	uint32_t input_no;
	uint64_t record_no;
	uint64_t line_no;
	const char *column; /* source column, or NULL for the whole record */
	const char *reason; /* one line, never a raw identifier value */
};

struct colink_input_info {
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
	const struct colink_field_def *fields;
};

struct colink_run_summary {
	const char *status;  /* "ok" or "failed" */
	const char *message; /* failure reason or NULL */
	const char *finished;
	uint64_t read, loaded, rejected;
};

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
 * Services the engine offers a plugin.  Passed to `init`; valid until
 * `fini` returns.  Check `struct_size` before using members added after
 * ABI 1.0.
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
	 * through the engine's allocator, which tests can make fail. */
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

	/* Input side: hand the core one record.  Returns COLINK_OK, or
	 * COLINK_EABORT when the run must stop (stop reading and return). */
	int (*emit)(struct colink_emitter *em, const struct colink_raw_record *rec);
	/* The source cannot decode record `record_no`: it is counted as read
	 * and rejected with `reason`.  Same return convention as emit. */
	int (*emit_reject)(struct colink_emitter *em, uint64_t record_no,
			   uint64_t line_no, const char *column, const char *reason);
	/* Optional: header names, 1-based index i at names[i-1]. */
	int (*emit_header)(struct colink_emitter *em, size_t n,
			   const char *const *names);

	/* Pseudonym service: HMAC-SHA256 under the run's key derived for
	 * `kind`, over the unambiguous encoding of already normalized
	 * `parts`.  Writes 64 hex + NUL into out. */
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

/* ------------------------------------------------------------------ */
/* Plugin descriptor                                                    */
/* ------------------------------------------------------------------ */

enum colink_plugin_kind {
	COLINK_PLUGIN_INPUT = 1,
	COLINK_PLUGIN_OUTPUT = 2
};

struct colink_input_ops {
	size_t struct_size;
	/* Read the whole of `path`, calling host->emit / emit_reject for each
	 * record in order.  Return COLINK_OK at end of input, a negative code
	 * with *err set for a fatal problem with the file as a whole
	 * (unreadable, wrong format), or COLINK_EABORT passed through. */
	int (*read)(void *ctx, const char *path, struct colink_emitter *em,
		    struct colink_error *err);
};

/* ---- linkage (ABI 1.1) ---- */

#define COLINK_LINK_MAX_PASSES 16

/* One linkage pass: a key kind of mappings/common/keys.tsv. */
struct colink_link_pass {
	const char *kind;
};

/*
 * The job's linkage rules.  Persons come in two sides: the association's
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
	const struct colink_link_pass *passes;
};

/* Filled by the output's link operation. */
struct colink_link_report {
	size_t struct_size;
	uint64_t association_persons;  /* persons on each side, whole warehouse */
	uint64_t employer_persons;
	uint64_t linked[COLINK_LINK_MAX_PASSES]; /* new links per pass, this run */
	uint64_t linked_total;         /* links in the warehouse after this run */
	uint64_t ambiguous;            /* review rows added by this run */
	uint64_t unmatched_association;/* persons without a link, after this run */
	uint64_t unmatched_employer;
};

/*
 * Threads: the core calls an output instance from one thread at a time,
 * in the order of the run, but write and reject come from the core's
 * writer thread (engine/core/writer.c) and every other operation from the
 * thread that called colink_run; the core waits for the writer to finish
 * before input_end, link, commit and abort.  So an output needs no locks,
 * but must not keep per-thread state (e.g. thread-local storage) across
 * those calls; SQLite connections opened in begin are fine (SQLite's
 * default threading mode allows a connection used by one thread at a
 * time).  The record passed to write is valid only during the call.
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
	/* ABI 1.1 -- check struct_size before use.  Link persons per `rules`
	 * inside the run's transaction, after the last input_end and before
	 * commit; record links, review candidates and the report.  NULL when
	 * the output cannot link (a job with link rules is then refused). */
	int (*link)(void *ctx, const struct colink_link_rules *rules,
		    struct colink_link_report *rep, struct colink_error *err);
};

/*
 * The descriptor.  Static and constant; the loader reads only the first
 * `struct_size` bytes and never copies it at its own size.
 */
struct colink_plugin {
	int abi_major;            /* COLINK_ABI_MAJOR at build time */
	int abi_minor;            /* COLINK_ABI_MINOR at build time */
	size_t struct_size;       /* sizeof(struct colink_plugin) at build time */
	int kind;                 /* enum colink_plugin_kind */
	const char *name;         /* "in_csv"; must match the file name */
	const char *version;      /* plugin version, free text */
	const char *description;  /* one line */
	const struct colink_setting_def *settings; /* {0}-terminated */

	/* Create an instance.  `vals` is index-aligned with `settings`,
	 * already validated, and valid only during this call: copy what you
	 * keep.  `host` and `hc` stay valid until `fini`.  On success *ctx is
	 * the instance context. */
	int (*init)(void **ctx, const struct colink_host *host,
		    struct colink_host_ctx *hc,
		    const struct colink_setting_value *vals,
		    struct colink_error *err);
	/* Free an instance; accepts NULL. */
	void (*fini)(void *ctx);

	const struct colink_input_ops *input;   /* kind == INPUT */
	const struct colink_output_ops *output; /* kind == OUTPUT */
};

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
