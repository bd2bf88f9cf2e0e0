/*
 * out_postgres_int.h -- shared between the files of the out_postgres
 * plugin (out_postgres.c: settings, connection, lock, schema, ledger,
 * inputs, commit/abort; stage.c: one record checked and staged; merge.c:
 * the staged input merged into the warehouse by set-based SQL; link.c:
 * linkage).  Not part of any ABI: the only exported symbol is
 * colink_plugin_entry.
 */
#ifndef OUT_POSTGRES_INT_H
#define OUT_POSTGRES_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <libpq-fe.h>

#include "colink/plugin.h"

/* Where a field's values go (fields.tsv `table`); as out_sqlite's. */
enum dest {
	DEST_UNKNOWN = -1,
	DEST_NEVER = 0,
	DEST_PERSON,
	DEST_CHECKUP,
	DEST_EMPLOYEE,
	DEST_ATTENDANCE,
	DEST_STRESS,
	DEST_CLAIMS,
	DEST_PARTICIPATION,
	DEST_CLAIM,          /* claim (UKE claims, #21) */
	DEST_DIAGNOSIS,      /* claim_diagnosis */
	DEST_ITEM,           /* claim_item */
	DEST_DISEASE_MASTER, /* disease_master: codes, no person */
	DEST_DRUG_MASTER,    /* drug_master: codes, no person */
	DEST_ALLOWANCE,  /* 傷病手当金 (schema 9) */
	DEST_OBSERVATION,
	DEST_QUESTIONNAIRE,
	DEST_STRESS_ANSWER,
	DEST_COUNT
};
#define DEST_LAST_WIDE DEST_ALLOWANCE
#define NWIDE (DEST_LAST_WIDE - DEST_PERSON + 1)
#define DEST_IS_WIDE(d) ((d) >= DEST_PERSON && (d) <= DEST_LAST_WIDE)
#define WIDE_INDEX(d) ((d) - DEST_PERSON)

/* Record kinds (colink_out_record.kind), as out_sqlite's. */
enum kind {
	K_CHECKUP, K_ROSTER, K_ATTENDANCE, K_STRESS, K_CLAIMS, K_PARTICIPATION,
	K_CLAIM, K_DIAGNOSIS, K_ITEM, /* UKE claims (#21) */
	K_DISEASE_MASTER, K_DRUG_MASTER, /* code masters: no person, no side */
	K_ALLOWANCE, /* 傷病手当金 (schema 9) */
	K_COUNT
};

/* What a kind writes (stage.c owns the table). */
struct opg_kind {
	const char *name;   /* colink_out_record.kind */
	const char *side;   /* person.side; NULL: a code master (no person) */
	int dest;           /* its wide table */
	unsigned dests;     /* bit per dest its fields may fill */
	int month;          /* key stored as YYYY-MM */
	const char *no_key, *bad_key, *dup; /* reject reasons, never a value */
	int int_key;        /* the key is a year */
	int text_key;       /* the key is a text (a claim key, a code) */
};
extern const struct opg_kind opg_kinds[K_COUNT];

/* The staging files and tables: one COPY stream each (stage.c writes the
 * lines, merge.c loads them). */
enum stage {
	S_REC,   /* one line per staged record: s_rec */
	S_WIDE,  /* + WIDE_INDEX(dest) for the non-person wide tables: s_w1.. */
	S_OBS = S_WIDE + NWIDE,
	S_Q,
	S_SANS,
	S_KEY,
	S_COUNT
};

#define NOT_FOUND ((size_t)-1)

/* Longest row key (a date, a month, a year, a claim key or a code) plus
 * NUL; longest second key (a programme, a sequence number) plus NUL: as
 * out_sqlite's. */
#define OPG_KEY_MAX 96
#define OPG_KEY2_MAX 24

struct cat_field {
	char *name;   /* sorted key */
	char *column; /* wide column, else NULL */
	int dest;
	size_t src;   /* index in colink_run_info.fields */
};

struct out_postgres {
	const struct colink_host *host;
	struct colink_host_ctx *hc;
	char *conninfo;    /* owned; never printed (may name a password file) */
	char *where;       /* owned: "PostgreSQL db@host schema s", no secret */
	char *schema;      /* owned, the schema name */
	int lock_ms;
	uint64_t merge_batch; /* records staged before an input's end merges */
	const char *kill_at; /* COLINK_TEST_KILL_AT (crash tests only) */

	/* per run */
	PGconn *db;
	int in_run;              /* the run's transaction is open */
	char *run_id, *key_id;
	struct cat_field *cat;
	size_t ncat;
	size_t *by_run;          /* run field index -> cat index */
	const struct colink_field_def *run_fields;
	size_t run_field_size;
	const struct colink_out_value **slot;
	size_t key_field[NWIDE], key2_field[NWIDE];
	FILE *stage[S_COUNT];
	uint64_t staged[S_COUNT]; /* lines in each file since the last merge */
	uint64_t seq;            /* records staged in this run */
	uint64_t lineno;         /* long rows staged in this run (their order) */
	uint64_t replaced[K_COUNT];
	uint64_t late_rejected;  /* records the merge rejected, whole run */
	int linked;
	/* a record's pseudonyms are staged once for a run of records of one
	 * person with the same pseudonyms (stage.c, kseq_of): the twins'
	 * s_rec lines name the record whose s_key lines carry them */
	char *kprev, *kcur;      /* person and pseudonyms, serialized */
	size_t kprev_len, kprev_cap, kcur_len, kcur_cap;
	uint64_t kprev_seq;      /* s_seq carrying kprev's s_key lines; 0: none */
	uint64_t person_vals;    /* staged records with a person value (merge.c) */
	/* whether a kind's staged records may repeat a row key (stage.c,
	 * order_note; merge.c probes the stage only then): a record of the
	 * person of the kind's last record with a greater key cannot, nor one
	 * of a person the kind has not staged yet (a set of fingerprints) */
	struct opg_order {
		char person[80], key[OPG_KEY_MAX];
		int started, has_key, maybe;
	} order[K_COUNT];
	uint64_t *seen;          /* open addressing, 0 empty; host memory */
	size_t seen_cap, seen_n;
	char *line;              /* one staging line being built */
	size_t line_len, line_cap;
	int line_failed;

	/* a sharded warehouse (#17, shard.c); nshards 0: one server */
	PGconn **shard;          /* host memory, nshards */
	size_t nshards;
	size_t shards_prepared;  /* shards whose PREPARE TRANSACTION succeeded */
	int coord_prepared, coord_committed;
};

/* out_postgres.c */
char *opg_strdup(const struct colink_host *h, const char *s);
/* COLINK_EIO (or EBUSY for a lock) naming the server's one-line message. */
int opg_db_err(struct out_postgres *o, const PGresult *res, const char *what,
	       struct colink_error *err);
/* Run one statement (no result rows wanted); *rows: rows it touched. */
int opg_exec(struct out_postgres *o, const char *sql, const char *what,
	     struct colink_error *err);
int opg_exec_params(struct out_postgres *o, const char *sql, int n,
		    const char *const *vals, uint64_t *rows, const char *what,
		    struct colink_error *err);
/* One value of a one-row query into buf (empty string for NULL or no row). */
int opg_query_text(struct out_postgres *o, const char *sql, int n,
		   const char *const *vals, char *buf, size_t size, int *found,
		   const char *what, struct colink_error *err);
int opg_in_run(struct out_postgres *o, const char *what, struct colink_error *err);
/* The SQL identifier `name` quoted into host memory (NULL on OOM). */
char *opg_ident(struct out_postgres *o, const char *name);

/* stage.c */
int opg_table_dest(const struct colink_field_def *f);
const char *opg_wide_table(int dest);
int opg_cat_alloc(struct out_postgres *o, const struct colink_run_info *run,
		  struct colink_error *err);
void opg_cat_free(struct out_postgres *o);
int opg_write(void *ctx, const struct colink_out_record *rec,
	      struct colink_error *err);
/* Forget what order_note saw (a merge consumed it; the run's end). */
void opg_order_reset(struct out_postgres *o);
/* The staging line builder (COPY text format). */
void opg_line_start(struct out_postgres *o);
void opg_line_text(struct out_postgres *o, const char *s); /* NULL: \N */
void opg_line_int(struct out_postgres *o, int64_t v, int present);
int opg_line_end(struct out_postgres *o, int stage, struct colink_error *err);

/* merge.c */
int opg_stage_create(struct out_postgres *o, struct colink_error *err);
/* Merge what is staged (a no-op when nothing is). */
int opg_merge(struct out_postgres *o, struct colink_error *err);


/* shard.c: a sharded warehouse (#17) */
int opg_shard_open(struct out_postgres *o, struct colink_error *err);
int opg_shard_begin(struct out_postgres *o, struct colink_error *err);
int opg_shard_pending(struct out_postgres *o, struct colink_error *err);
int opg_shard_push(struct out_postgres *o, struct colink_error *err);
int opg_shard_commit(struct out_postgres *o, struct colink_error *err);
void opg_shard_abort(struct out_postgres *o);
void opg_shard_close(struct out_postgres *o);
/* The table the merge writes for fact table `table` (its pending table
 * p_<table> on a sharded warehouse; else itself); by wide dest. */
const char *opg_fact(const struct out_postgres *o, const char *table);
const char *opg_fact_table(const struct out_postgres *o, int dest);

/* link.c */
int opg_link(void *ctx, const struct colink_link_rules *rules,
	     struct colink_link_report *rep, struct colink_error *err);

#endif
