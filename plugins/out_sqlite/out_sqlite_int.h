/*
 * out_sqlite_int.h -- shared between the files of the out_sqlite plugin
 * (out_sqlite.c: settings, run and ledger; columns.c: catalogue to columns
 * and SQL; record.c: one record into the warehouse).  Not part of any ABI:
 * nothing here is exported from the plugin, whose only exported symbol is
 * colink_plugin_entry.
 */
#ifndef OUT_SQLITE_INT_H
#define OUT_SQLITE_INT_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "colink/plugin.h"

/* Where a field's values go (from its `table` in fields.tsv). */
enum dest {
	DEST_UNKNOWN = -1,
	DEST_NEVER = 0, /* identifier, not stored or table "-" */
	DEST_PERSON,
	DEST_CHECKUP,
	DEST_OBSERVATION,
	DEST_QUESTIONNAIRE
};

/* Prepared statements, each prepared once per run and reused. */
enum stmt {
	ST_PERSON,    /* built from the catalogue (person columns) */
	ST_CHECKUP,   /* built from the catalogue (checkup columns) */
	ST_PERSON_KEY,
	ST_CK_FIND,
	ST_CK_DEL_OBS,
	ST_CK_DEL_Q,
	ST_CK_DEL,
	ST_OBS,
	ST_Q,
	ST_REJECT,
	ST_INPUT,
	ST_FIELD_MAP,
	ST_SKIP,
	ST_RUN_OK,
	ST_COUNT
};


/* Fixed parameters of the built statements; catalogue columns follow. */
#define PERSON_FIXED_PARAMS 4  /* person_id, key_id, birth_ym, run_id */
#define CHECKUP_FIXED_PARAMS 8 /* person_id .. line_no, see build_checkup_sql */

#define NOT_FOUND ((size_t)-1)

/* One catalogue field as this plugin keeps it for the run. */
struct cat_field {
	char *name;   /* common-schema name (sorted key) */
	char *column; /* person/checkup column, else NULL */
	int dest;     /* enum dest */
	int param;    /* parameter in ST_PERSON / ST_CHECKUP, 0 if none */
};

struct out_sqlite {
	const struct colink_host *host;
	struct colink_host_ctx *hc;
	char *path;              /* owned */
	int busy_ms;
	const char *synchronous; /* static pragma text */
	const char *journal;     /* static pragma text */

	/* per run; all NULL/0 between runs */
	sqlite3 *db;
	sqlite3_stmt *st[ST_COUNT];
	char *run_id, *key_id;   /* owned copies */
	struct cat_field *cat;   /* owned, sorted by name */
	size_t ncat;
	const struct colink_out_value **slot; /* per cat entry, this record */
	char *person_sql, *checkup_sql;       /* owned */
	size_t exam_date;        /* cat index of the exam date, or NOT_FOUND */
	uint64_t replaced;       /* checkups of earlier runs replaced */
};


/* ---- columns.c ---- */

/* Copy of s in host memory, NULL for NULL or out of memory. */
char *osq_strdup(const struct colink_host *h, const char *s);
/* Where values of field f go: enum dest. */
int osq_table_dest(const struct colink_field_def *f);
/* Index of the named field in o->cat, or NOT_FOUND. */
size_t osq_cat_find(const struct out_sqlite *o, const char *name);
/* Everything begin allocates, before the database is touched: run id
 * and key id copies, the catalogue, the slots and the built SQL. */
int osq_run_alloc(struct out_sqlite *o, const struct colink_run_info *run,
		  struct colink_error *err);

/* ---- out_sqlite.c ---- */

/* Turn an SQLite failure into a colink error naming the warehouse:
 * COLINK_EBUSY for a lock, COLINK_EIO otherwise. */
int osq_db_err(struct out_sqlite *o, int src, const char *what,
	       struct colink_error *err);
/* COLINK_EINVAL unless a run's transaction is open. */
int osq_in_run(struct out_sqlite *o, const char *what, struct colink_error *err);

/* ---- record.c ---- */

/* colink_output_ops.write */
int osq_write(void *ctx, const struct colink_out_record *rec,
	      struct colink_error *err);

/* ---- statement helpers ---- */

static inline int osq_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC)
		 : sqlite3_bind_null(st, i);
}

/* For text in a buffer that does not outlive the call. */
static inline int osq_bind_copy(sqlite3_stmt *st, int i, const char *s)
{
	return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT)
		 : sqlite3_bind_null(st, i);
}

static inline int osq_bind_u64(sqlite3_stmt *st, int i, uint64_t v)
{
	return sqlite3_bind_int64(st, i, (sqlite3_int64)v);
}

/* Values below `unknown_below` mean unknown: bind NULL. */
static inline int osq_bind_pos(sqlite3_stmt *st, int i, int64_t v,
			       int64_t unknown_below)
{
	return v < unknown_below ? sqlite3_bind_null(st, i)
				 : sqlite3_bind_int64(st, i, v);
}

/* Reset a prepared statement and clear its bindings, ready to bind afresh
 * (no binding of an earlier record can leak into this one). */
static inline sqlite3_stmt *osq_use(struct out_sqlite *o, int id)
{
	sqlite3_reset(o->st[id]);
	sqlite3_clear_bindings(o->st[id]);
	return o->st[id];
}

/* Step a statement that returns no row: SQLITE_OK or the error. */
static inline int osq_step_done(sqlite3_stmt *st)
{
	int src = sqlite3_step(st);
	sqlite3_reset(st);
	return src == SQLITE_DONE ? SQLITE_OK : src;
}

#endif
