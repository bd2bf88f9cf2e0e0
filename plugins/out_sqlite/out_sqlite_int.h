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
#include <time.h>

#include <sqlite3.h>

#include "colink/plugin.h"
#include "linkage/fs.h"

/* Where a field's values go (from its `table` in fields.tsv).  The wide
 * tables (one row per record, one column per field) come first, in the
 * order of their built statements. */
enum dest {
	DEST_UNKNOWN = -1,
	DEST_NEVER = 0, /* identifier, not stored or table "-" */
	DEST_PERSON,
	DEST_CHECKUP,
	DEST_EMPLOYEE,   /* fields.tsv table employee */
	DEST_ATTENDANCE, /* table attendance: warehouse attendance_month */
	DEST_STRESS,     /* table stress: warehouse stress_check */
	DEST_CLAIMS,     /* table claims_summary (v3) */
	DEST_PARTICIPATION, /* table participation (v6) */
	DEST_CLAIM,      /* table claim (v7, UKE claims) */
	DEST_DIAGNOSIS,  /* table claim_diagnosis (v7) */
	DEST_ITEM,       /* table claim_item (v7) */
	DEST_DISEASE_MASTER, /* table disease_master (v7): codes, no person */
	DEST_DRUG_MASTER,    /* table drug_master (v7): codes, no person */
	DEST_ALLOWANCE,  /* table allowance (v9, 傷病手当金) */
	DEST_OBSERVATION,
	DEST_QUESTIONNAIRE,
	DEST_STRESS_ANSWER,
	DEST_COUNT
};

#define DEST_LAST_WIDE DEST_ALLOWANCE
#define NWIDE (DEST_LAST_WIDE - DEST_PERSON + 1)
#define DEST_IS_WIDE(d) ((d) >= DEST_PERSON && (d) <= DEST_LAST_WIDE)
#define WIDE_INDEX(d) ((d) - DEST_PERSON)

/* Record kinds this plugin stores (colink_out_record.kind). */
enum kind {
	K_CHECKUP,    /* association: checkup + long rows */
	K_ROSTER,     /* employer: employee */
	K_ATTENDANCE, /* employer: attendance_month */
	K_STRESS,     /* employer: stress_check + stress_answer */
	K_CLAIMS,     /* association: claims_summary (v3) */
	K_PARTICIPATION, /* employer: participation (v6) */
	K_CLAIM,      /* association: claim (v7) */
	K_DIAGNOSIS,  /* association: claim_diagnosis (v7) */
	K_ITEM,       /* association: claim_item (v7) */
	K_DISEASE_MASTER, /* no side: disease_master (v7) */
	K_DRUG_MASTER,    /* no side: drug_master (v7) */
	K_ALLOWANCE,      /* association: allowance (v9, 傷病手当金) */
	K_COUNT
};

/* Prepared statements, each prepared once per run and reused.  The first
 * NWIDE are built from the catalogue, in enum dest order. */
enum stmt {
	ST_PERSON,    /* insert, built (person columns); see ST_PERSON_UPD */
	ST_CHECKUP,   /* insert, built (checkup columns) */
	ST_EMPLOYEE,  /* insert, built (employee columns) */
	ST_ATTENDANCE,/* insert, built (attendance_month columns) */
	ST_STRESS,    /* insert, built (stress_check columns) */
	ST_CLAIMS,    /* insert, built (claims_summary columns) */
	ST_PARTICIPATION, /* insert, built (participation columns) */
	ST_CLAIM,     /* insert, built (claim columns) */
	ST_DIAGNOSIS, /* insert, built (claim_diagnosis columns) */
	ST_ITEM,      /* insert, built (claim_item columns) */
	ST_DISEASE_MASTER, /* insert, built (disease_master columns) */
	ST_DRUG_MASTER,    /* insert, built (drug_master columns) */
	ST_ALLOWANCE,      /* insert, built (allowance columns) */
	ST_PERSON_SIDE,
	ST_PERSON_NO, /* a person by person_no (person_map.c) */
	ST_KEY_STAGE, /* a pseudonym into temp.osq_key_stage (see osq_keys_flush) */
	ST_FEATURE,   /* a comparison feature into person_feature (#23) */
	ST_FEATURE_UPD, /* the same into the person's existing row */
	ST_CK_FIND,
	ST_CK_DEL_OBS,
	ST_CK_DEL_Q,
	ST_CK_DEL,
	ST_EMP_FIND,
	ST_EMP_DEL,
	ST_AT_FIND,
	ST_AT_DEL,
	ST_SC_FIND,
	ST_SC_DEL_ANS,
	ST_SC_DEL,
	ST_CL_FIND,
	ST_CL_DEL,
	ST_PA_FIND,
	ST_PA_DEL,
	ST_RC_FIND,
	ST_RC_DEL,
	ST_DG_FIND,
	ST_DG_DEL,
	ST_IT_FIND,
	ST_IT_DEL,
	ST_DM_FIND,
	ST_DM_DEL,
	ST_MM_FIND,
	ST_MM_DEL,
	ST_AL_FIND,
	ST_AL_DEL,
	ST_OBS,
	ST_Q,
	ST_SANS,
	ST_REJECT,
	ST_INPUT,
	ST_FIELD_MAP,
	ST_SKIP,
	ST_RUN_OK,
	ST_PERSON_UPD,     /* update a person of this run, built */
	ST_PERSON_UPD_RUN, /* update a person of an earlier run, built */
	ST_COUNT
};

_Static_assert(ST_CLAIMS == ST_PERSON + WIDE_INDEX(DEST_CLAIMS) &&
	       ST_PARTICIPATION == ST_PERSON + WIDE_INDEX(DEST_PARTICIPATION) &&
	       ST_DRUG_MASTER == ST_PERSON + WIDE_INDEX(DEST_DRUG_MASTER) &&
	       ST_ALLOWANCE == ST_PERSON + WIDE_INDEX(DEST_ALLOWANCE),
	       "built statements follow enum dest");

/* Fixed parameters of the built statements; catalogue columns follow. */
#define PERSON_FIXED_PARAMS 5  /* person_id, key_id, birth_ym, run_id, side */
#define CHECKUP_FIXED_PARAMS 8 /* person_no .. line_no, see columns.c */
#define ROW_FIXED_PARAMS 5     /* person_no, run_id, input_no, record_no, line_no */
#define MASTER_FIXED_PARAMS 4  /* run_id, input_no, record_no, line_no (no person) */

#define NOT_FOUND ((size_t)-1)

/* Longest row key (a date, a month, a year or a claim key) plus NUL. */
#define OSQ_KEY_MAX 96

/* One catalogue field as this plugin keeps it for the run. */
struct cat_field {
	char *name;   /* common-schema name (sorted key) */
	char *column; /* column of a wide table, else NULL */
	int dest;     /* enum dest */
	int param;    /* parameter in its built statement, 0 if none */
	size_t src;   /* its index in colink_run_info.fields */
};

#define OSQ_LAST_MAXPS 6 /* pseudonyms remembered of the previous record */
/* Pseudonym kinds a connection stages by number (keys.c; keys.tsv has 4),
 * and their longest name + 1; others are staged by name. */
#define OSQ_KEY_KINDS 32
#define OSQ_KEY_KIND_NAME 48

struct out_sqlite {
	const struct colink_host *host;
	struct colink_host_ctx *hc;
	char *path;              /* owned */
	int busy_ms;
	const char *synchronous; /* static pragma text */
	const char *journal;     /* static pragma text */
	/* COLINK_TEST_KILL_AT as read once at init (crash tests only; NULL
	 * in any real run): see kill_hooks() in out_sqlite.c */
	const char *kill_at;

	/* per run; all NULL/0 between runs */
	sqlite3 *db;
	sqlite3_stmt *st[ST_COUNT];
	char *run_id, *key_id;   /* owned copies */
	struct cat_field *cat;   /* owned, sorted by name */
	size_t ncat;
	const struct colink_out_value **slot; /* per cat entry, this record */
	/* cat indexes of each wide table's fields, in cat order: those of
	 * wide table w are wfield[wstart[w] .. wstart[w + 1] - 1] */
	size_t *wfield;
	size_t wstart[NWIDE + 1];
	/* cat index of each run catalogue entry: a value's field_index
	 * (ABI 2.0) -> o->cat; the second half of wfield's allocation, so
	 * freed with it.  With run_fields (the run's colink_run_info.fields,
	 * alive while the run is open) it lets record.c check a value's
	 * field pointer against its index instead of looking names up. */
	size_t *by_run;
	const struct colink_field_def *run_fields;
	size_t run_field_size;
	char *built_sql[NWIDE];  /* owned, SQL of ST_PERSON .. ST_STRESS */
	char *person_upd_sql[2]; /* owned, SQL of ST_PERSON_UPD, _UPD_RUN */
	/* cat index of the column that, with person_no, identifies a row of
	 * each wide table (exam_date, year_month, stress_date), or NOT_FOUND */
	size_t key_field[NWIDE];
	/* cat index of a second key column (participation: program), bound
	 * as ?3 of the kind's find and delete, or NOT_FOUND */
	size_t key2_field[NWIDE];
	uint64_t replaced[K_COUNT]; /* rows of earlier runs replaced */
	/* the second key of the record being written (participation's
	 * programme, a claim child's sequence number) as text, or "" */
	char key2[24];
	uint64_t staged;         /* rows in temp.osq_key_stage, not flushed */
	/* the pseudonym kinds staged on this connection: a staged row names
	 * its kind by its index here (keys.c) */
	char key_kinds[OSQ_KEY_KINDS][OSQ_KEY_KIND_NAME];
	size_t nkey_kinds;
	int linked;              /* link ran in this run */
	int bulk_refs;           /* a first load: foreign keys off for the run's
				  * transaction, every reference checked once
				  * before COMMIT (osq_fk_check) instead of per
				  * row */
	/* a first load's persons by pseudonym, while person_person_id is
	 * dropped (person_map.c); allocated for every run, used in a first
	 * load */
	struct osq_pmap *pmap;
	int person_index_dropped; /* this run dropped person_person_id */
	int dry;                 /* a dry run (colink_run_info.dry_run, ABI 2.3):
				  * o->db is a private copy (dry.c) */
	/* The person the previous record of this run wrote (record.c): a
	 * record of the same person, side, birth month and pseudonyms, with
	 * no person column of its own, skips the side lookup and the person
	 * update, which would change nothing (an employee's 12 attendance
	 * months are 12 consecutive records).  Pseudonyms only, never a raw
	 * identifier; cleared by run_reset. */
	struct osq_last_person {
		int valid;
		const char *side;    /* static kinds[] text */
		int birth_ym;
		size_t npseudonyms;
		sqlite3_int64 person_no; /* its person.person_no */
		char person[65];
		char kind[OSQ_LAST_MAXPS][24];
		char value[OSQ_LAST_MAXPS][65];
	} last;
};


/* Value i and pseudonym i of an out record, through the strides the core
 * declared (checked by record.c before use). */
#define OSQ_VAL(rec, i) \
	COLINK_AT(struct colink_out_value, (rec)->values, (rec)->value_size, (i))
#define OSQ_PS(rec, i) \
	COLINK_AT(struct colink_pseudonym, (rec)->pseudonyms, (rec)->pseudonym_size, (i))

/* ---- columns.c ---- */

/* Copy of s in host memory, NULL for NULL or out of memory. */
char *osq_strdup(const struct colink_host *h, const char *s);
/* Canonical decimal text -> double: 0, or -1 when not wholly a number. */
int osq_decimal_num(const char *text, double *out);
/* Where values of field f go: enum dest. */
int osq_table_dest(const struct colink_field_def *f);
/* The warehouse table of a wide dest (DEST_IS_WIDE). */
const char *osq_wide_table(int dest);
/* Index of the named field in o->cat, or NOT_FOUND. */
size_t osq_cat_find(const struct out_sqlite *o, const char *name);
/* Everything begin allocates, before the database is touched: run id
 * and key id copies, the catalogue, the slots and the built SQL. */
int osq_person_no_param(const struct out_sqlite *o);
int osq_run_alloc(struct out_sqlite *o, const struct colink_run_info *run,
		  struct colink_error *err);

/* ---- out_sqlite.c ---- */

/* Turn an SQLite failure into a colink error naming the warehouse:
 * COLINK_EBUSY for a lock, COLINK_EIO otherwise. */
/* out_sqlite.c: SQLite helpers shared with schema.c */
int osq_exec(struct out_sqlite *o, const char *sql, const char *what,
	     struct colink_error *err);
int osq_query_int(struct out_sqlite *o, const char *sql, int64_t *out,
		  int *is_null, struct colink_error *err);
void osq_rollback_if_open(struct out_sqlite *o);

/* schema.c: create or migrate the schema, and the checks before a run */
/* dry.c: open o->db as a private temporary copy of the warehouse at
 * o->path (empty when there is none: *created = 1); o->path itself is
 * only read (#18). */
int osq_dry_open(struct out_sqlite *o, int *created, struct colink_error *err);

int osq_schema_upgrade(struct out_sqlite *o, struct colink_error *err);
/* PRAGMA foreign_key_check over the warehouse: COLINK_OK when every row's
 * references hold, else `code` with one line naming the first row that
 * breaks one ("<path>: <what> table T row R: its P row is missing"). */
int osq_fk_check(struct out_sqlite *o, int code, const char *what,
		 struct colink_error *err);
/* BEGIN IMMEDIATE of the run's transaction; a first load (no person yet)
 * with foreign keys off and o->bulk_refs set. */
int osq_run_transaction(struct out_sqlite *o, struct colink_error *err);
/* A first load's references, all at once before COMMIT, timed (INFO). */
int osq_bulk_refs_check(struct out_sqlite *o, struct colink_error *err);

/* person_map.c (schema 15): a first load finds persons by pseudonym in a
 * bounded map while person.person_id's unique index is dropped, and builds
 * the index again by one sort (osq_person_index) before anything reads by
 * person_id.  schema.c makes the index with the same statement. */
#define OSQ_PERSON_ID_INDEX_SQL "CREATE UNIQUE INDEX person_person_id ON person (person_id)"
#define OSQ_PMAP_MAX_BYTES ((size_t)96 << 20) /* 8 bytes a person, <= 3/4 full */
struct osq_pmap;
int osq_person_map_alloc(struct out_sqlite *o, struct colink_error *err);
int osq_person_map_start(struct out_sqlite *o, struct colink_error *err);
int osq_person_find(struct out_sqlite *o, const char *person, const char *side,
		    sqlite3_int64 *person_no, int *other_side, int *mapped,
		    struct colink_error *err);
int osq_person_added(struct out_sqlite *o, const char *person, sqlite3_int64 person_no,
		     struct colink_error *err);
int osq_person_index(struct out_sqlite *o, struct colink_error *err);
void osq_person_map_free(struct out_sqlite *o);
int osq_schema_ensure(struct out_sqlite *o, struct colink_error *err);
int osq_check_columns(struct out_sqlite *o, struct colink_error *err);
int osq_check_key_id(struct out_sqlite *o, const struct colink_run_info *run,
		     struct colink_error *err);
int osq_check_normalization(struct out_sqlite *o, const struct colink_run_info *run,
			    struct colink_error *err);

int osq_db_err(struct out_sqlite *o, int src, const char *what,
	       struct colink_error *err);
/* COLINK_EINVAL unless a run's transaction is open. */
int osq_in_run(struct out_sqlite *o, const char *what, struct colink_error *err);
/* Shrink the page cache for a step that sorts (sort = 1), or restore it
 * (sort = 0): peak memory stays near the cache size. */
enum { OSQ_CACHE_RUN, OSQ_CACHE_SORT, OSQ_CACHE_LINK };
int osq_sort_cache(struct out_sqlite *o, int sort, struct colink_error *err);
int osq_cache_less(struct out_sqlite *o, size_t kib, struct colink_error *err);
/* ---- keys.c: the run's pseudonyms, staged and flushed into person_key ---- */
/* Create the connection's stage (temp.osq_key_stage). */
int osq_key_stage_create(struct out_sqlite *o, struct colink_error *err);
/* Stage one pseudonym (hex) of `kind` for person_no. */
int osq_key_stage(struct out_sqlite *o, sqlite3_int64 person_no, const char *kind,
		  const char *hex, struct colink_error *err);
/* Move the run's staged pseudonyms into person_key, in key order (before
 * link and commit; a no-op when nothing is staged). */
int osq_keys_flush(struct out_sqlite *o, struct colink_error *err);

/* ---- link_prob.c: the probabilistic pass (#23) ---- */
/* Features arrive as pseudonyms of kinds "feature.*" (engine
 * identity/feature.h): tokens of OSQ_FEATURE_TOKEN_HEX hex (8 bytes since
 * schema 14) and the name's Bloom filter. */
#define OSQ_FEATURE_PREFIX "feature."
#define OSQ_FEATURE_BF_HEX (COLINK_FS_BF_BYTES * 2)
#define OSQ_FEATURE_TOKEN_HEX (COLINK_FS_TOKEN_BYTES * 2)
/* person_feature's columns after person_no and key_id, in order */
#define OSQ_FEATURE_COLUMNS "name_bf", "birth_year", "birth_month", "birth_day", \
	"birth_md", "sex", "insurer", "symbol", "number"
#define OSQ_NFEATURES 9

/* Pass `pass` (1-based) as `p` declares, over the persons not in
 * temp.linked; adds its links to temp.linked and writes its link,
 * link_review, link_report, link_em and link_weight rows.  *linked and
 * *review get its counts. */
int osq_link_prob(struct out_sqlite *o, int pass, const struct colink_link_pass *p,
		  uint64_t *linked, uint64_t *review, struct colink_error *err);

/* ---- link_exact.c: an exact pass from memory (#23) ---- */
struct osq_exact;
/* Returned by the two below when link.c's SQL must do the pass (nothing
 * written yet); not a colink error code. */
#define OSQ_EXACT_FALLBACK 1000
/* The persons' sides, links so far (temp.linked) and "never" decisions;
 * *out NULL (and COLINK_OK) when the warehouse is beyond its arrays. */
int osq_exact_open(struct out_sqlite *o, struct osq_exact **out,
		   struct colink_error *err);
/* link.c's exact pass over key kind `kind`, from memory; adds its links to
 * temp.linked. */
int osq_exact_pass(struct osq_exact *x, int pass, const char *kind, uint64_t *linked,
		   uint64_t *review, struct colink_error *err);
void osq_exact_close(struct osq_exact *x);

/* ---- link_refs.c ---- */
/* Every link row's two persons are in person (schema 13: SQLite no longer
 * checks them per row); COLINK_EINVAL naming the first row that is not. */
int osq_link_refs_check(struct out_sqlite *o, struct colink_error *err);

/* ---- record.c ---- */

/* colink_output_ops.write */
int osq_write(void *ctx, const struct colink_out_record *rec,
	      struct colink_error *err);

/* ---- link.c ---- */

/* A step's time, for the INFO lines of link and commit. */
struct osq_lap {
	struct timespec wall, cpu;
};
void osq_lap_start(struct osq_lap *l);
/* Seconds since the start or the last lap: wall returned, CPU in *cpu. */
double osq_lap(struct osq_lap *l, double *cpu);

/* colink_output_ops.link (ABI 1.1) */
int osq_link(void *ctx, const struct colink_link_rules *rules,
	     struct colink_link_report *rep, struct colink_error *err);

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

/*
 * Schema 12 stores pseudonyms (person_key.pseudonym, 32 bytes) and comparison
 * features (person_feature; tokens 8 bytes since schema 14) as BLOBs, half
 * the bytes of their hex (the
 * declared type stays TEXT, which PostgreSQL keeps: mappings/warehouse/
 * README.md).  Bind the hex text s (checked hex by the caller, at most
 * 2 * OSQ_BLOB_MAX digits) as the bytes it spells; NULL stays NULL.
 */
#define OSQ_BLOB_MAX (COLINK_FS_BF_MAX_BYTES > 32 ? COLINK_FS_BF_MAX_BYTES : 32)
int osq_bind_hex(sqlite3_stmt *st, int i, const char *s);
size_t osq_unhex(const char *s, size_t n, unsigned char *out); /* n even */
/* SQL function colink_unhex(text) -> blob on db (the v11 -> v12 step). */
int osq_register_unhex(sqlite3 *db);

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
