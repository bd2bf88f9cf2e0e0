/* cmd_warehouse.c -- `colink warehouse init|status|recover` (#17): a
 * PostgreSQL warehouse spread over several servers (engine/warehouse/
 * shard.h, docs/postgres-shards.md). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "warehouse/shard.h"

static void help(FILE *f)
{
	fputs("usage: colink warehouse init --shards URI,URI,... [--warehouse] WAREHOUSE\n"
	      "       colink warehouse status WAREHOUSE\n"
	      "       colink warehouse recover WAREHOUSE\n"
	      "\n"
	      "A PostgreSQL warehouse across several servers: a coordinator holds the\n"
	      "ledger, persons, keys, links and review, and each fact table as a\n"
	      "hash-partitioned parent whose partitions are postgres_fdw foreign tables\n"
	      "on the shards; a run writes each shard's rows to it directly and commits\n"
	      "on every server or none (PREPARE TRANSACTION, then COMMIT PREPARED).\n"
	      "WAREHOUSE: the coordinator, postgresql://...[#SCHEMA] (default schema\n"
	      "colink); a job's out_postgres conninfo and schema name the same.  No\n"
	      "URI may carry a password: ~/.pgpass, PGPASSFILE or a service file.\n"
	      "\n"
	      "  init      create a new sharded warehouse (the schema must not exist on\n"
	      "            any server; every server needs max_prepared_transactions > 0\n"
	      "            and the coordinator the postgres_fdw extension)\n"
	      "  status    the shards, rows per shard and fact table, in-doubt prepared\n"
	      "            transactions\n"
	      "  recover   commit or roll back in-doubt prepared transactions of killed\n"
	      "            runs as the coordinator's ledger says (every run does it first)\n"
	      "\n"
	      "options:\n"
	      "  --shards URI,...     init: the shard servers, in partition order\n"
	      "  --warehouse URI      init: the coordinator (or give it as the argument)\n"
	      "  -h, --help           this help\n"
	      "\n"
	      "exit: 0 ok; 2 usage; 3 a server not set up for it (the message says\n"
	      "what); 5 a server failed; 6 the warehouse is locked by a run.\n", f);
}

static int exit_for(int rc)
{
	if (rc == COLINK_EBUSY)
		return EXIT_BUSY;
	if (rc == COLINK_EINVAL)
		return EXIT_CONFIG;
	return rc ? EXIT_FAILED : EXIT_OK;
}

int cmd_warehouse(struct cli_global *g, int argc, char **argv)
{
	const char *sub, *wh = NULL, *shards = NULL;
	struct colink_error err = { 0 };
	int i, rc;
	(void)g;
	if (argc < 2 || cli_is_help(argv[1])) {
		help(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	sub = argv[1];
	for (i = 2; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			help(stdout);
			return EXIT_OK;
		} else if (!strcmp(argv[i], "--shards") && i + 1 < argc)
			shards = argv[++i];
		else if (!strncmp(argv[i], "--shards=", 9))
			shards = argv[i] + 9;
		else if (!strcmp(argv[i], "--warehouse") && i + 1 < argc && !wh)
			wh = argv[++i];
		else if (argv[i][0] != '-' && !wh)
			wh = argv[i];
		else {
			cli_error("warehouse: unexpected argument '%s' (see colink warehouse --help)",
				  argv[i][0] == '-' ? argv[i] : "(a second warehouse)");
			return EXIT_USAGE;
		}
	}
	if (!wh) {
		cli_error("warehouse %s: no WAREHOUSE (postgresql://...[#SCHEMA])", sub);
		return EXIT_USAGE;
	}
	if (!strcmp(sub, "init")) {
		if (!shards) {
			cli_error("warehouse init: --shards URI,URI,... is required");
			return EXIT_USAGE;
		}
		rc = colink_wh_shard_init(wh, shards, stdout, &err);
	} else if (shards) {
		cli_error("warehouse %s: --shards is for init", sub);
		return EXIT_USAGE;
	} else if (!strcmp(sub, "status"))
		rc = colink_wh_shard_status(wh, stdout, &err);
	else if (!strcmp(sub, "recover"))
		rc = colink_wh_shard_recover(wh, stdout, &err);
	else {
		cli_error("warehouse: unknown sub-command '%s' (init, status, recover)", sub);
		return EXIT_USAGE;
	}
	if (rc)
		cli_error("%s", err.msg);
	return exit_for(rc);
}
