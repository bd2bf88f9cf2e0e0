/*
 * pg_2pc.h -- the one rule that resolves a sharded PostgreSQL warehouse's
 * in-doubt prepared transactions (#17 part 3).  Compiled into the engine
 * (colink warehouse recover, status) and into out_postgres (the start of
 * every run): one source, pg_2pc.c, so that the rule cannot differ.
 *
 * A run prepares 'colink-<run_id>-<i>' on every server (i = 0 the
 * coordinator, 1..N the shards), commits the coordinator's first -- that
 * commit is the decision: it carries the ledger row's 'ok' -- then the
 * shards'.  So a prepared transaction named colink-RUN-i is committed when
 * the coordinator's ledger says RUN is 'ok', else rolled back (the
 * coordinator's own prepared transaction, not yet committed, keeps the
 * ledger row 'incomplete': it and every shard's are rolled back).
 * Not public.
 */
#ifndef COLINK_PG_2PC_H
#define COLINK_PG_2PC_H

#include <stddef.h>

#include <libpq-fe.h>

/* The fact tables a sharded warehouse hash-partitions by person_no
 * across its shards (everything else stays on the coordinator); the long
 * tables among them carry person_no too on a sharded warehouse (their
 * parent's), so that a person's rows are on one shard. */
#define COLINK_SHARD_FACTS "checkup", "observation", "questionnaire", "employee", \
	"attendance_month", "stress_check", "stress_answer", "claims_summary", "participation", \
	"claim", "claim_diagnosis", "claim_item", "allowance"
#define COLINK_SHARD_LONGS "observation", "questionnaire", "stress_answer"
#define COLINK_SHARD_NFACTS 13

/* The prepared transaction's name of run `run_id` on server i. */
void colink_pg_2pc_gid(char *buf, size_t size, const char *run_id, int i);

/* Resolve every prepared transaction named colink-* of the current
 * database on the coordinator `coord` (its search_path naming the
 * warehouse's schema, where the run ledger is) and on `shards[0..n-1]`
 * (NULL entries: a server not reachable, skipped).  The caller holds the warehouse's lock.  Counts in
 * *committed and *rolled_back; 0, or -1 with a one-line message (no
 * value, no connection string) in msg. */
int colink_pg_2pc_resolve(PGconn *coord, PGconn *const *shards, size_t n, unsigned *committed,
			  unsigned *rolled_back, char *msg, size_t msgsize);

/* Prepared transactions named colink-* on one server: their count, or -1. */
long colink_pg_2pc_count(PGconn *db);

/* The schema version of a sharded warehouse: the coordinator's
 * max(schema_version.version) into *version, and every shard's tables at
 * the same version (each shard keeps a schema_version table of its own,
 * written by warehouse init and by whoever migrates it).  coord and
 * shards[0..n-1] have their search_path at the warehouse's schema; NULL
 * shards (not reachable) are skipped; uris[i] is shard i's connection
 * string as colink_shard lists it.  0, or -1 with a one-line message in
 * msg naming the first shard that differs by its number and connection
 * string (without a password, were one there). */
int colink_pg_shard_versions(PGconn *coord, PGconn *const *shards, const char *const *uris,
			     size_t n, long *version, char *msg, size_t msgsize);

#endif
