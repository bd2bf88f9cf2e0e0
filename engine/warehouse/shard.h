/*
 * shard.h -- a PostgreSQL warehouse spread over several servers (#17):
 * `colink warehouse init|status|recover` (wh_pg_shard.c, libpq).
 *
 * WAREHOUSE is the coordinator as the other verbs name a PostgreSQL
 * warehouse, "postgresql://...[#SCHEMA]"; a shard is a libpq URI or
 * connection string.  None may carry a password (refused, never
 * printed): ~/.pgpass, PGPASSFILE or a service file give it.  Each
 * function prints what it did to `out` and returns 0 or a negative
 * enum colink_rc with *err set (one line); COLINK_EINVAL for a bad
 * argument or a server that is not set up for it, COLINK_EBUSY when a
 * run holds the warehouse's lock.  Built without libpq, each fails with
 * COLINK_EINVAL saying so.
 */
#ifndef COLINK_WH_SHARD_H
#define COLINK_WH_SHARD_H

#include <stdio.h>

#include "colink/plugin.h"

/* Create a sharded warehouse: the schema on every shard (the fact tables,
 * plain), on the coordinator the whole warehouse with each fact table a
 * hash-partitioned parent whose partitions are postgres_fdw foreign
 * tables, one per shard.  `shards`: comma-separated, at least one. */
int colink_wh_shard_init(const char *warehouse, const char *shards, FILE *out,
			 struct colink_error *err);
/* Shards, rows per shard and table, in-doubt prepared transactions. */
int colink_wh_shard_status(const char *warehouse, FILE *out, struct colink_error *err);
/* Resolve the in-doubt prepared transactions from the ledger (pg_2pc.h). */
int colink_wh_shard_recover(const char *warehouse, FILE *out, struct colink_error *err);

#endif
