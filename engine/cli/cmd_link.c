/* cmd_link.c -- `colink link report [--json] WAREHOUSE [RUN]`. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static void help(FILE *f)
{
	fprintf(f,
		"usage: colink link report [--json] WAREHOUSE [RUN]\n"
		"\n"
		"Prints the link quality report of RUN (default: the latest run that\n"
		"linked): persons per side, links per pass, ambiguous candidates sent\n"
		"to review, unmatched persons per side and the link rate.  Reads the\n"
		"warehouse only.  Review rows: SELECT * FROM link_review WHERE run_id = ...\n");
}

static long long col(sqlite3_stmt *st, int i)
{
	return sqlite3_column_int64(st, i);
}

static int summary(sqlite3 *db, const char *run, int json)
{
	sqlite3_stmt *st = NULL;
	const char *sql = run
		? "SELECT s.run_id, r.started, s.association_persons, s.employer_persons, s.linked_new, "
		  "s.linked_total, s.ambiguous, s.unmatched_association, s.unmatched_employer "
		  "FROM link_summary s JOIN run r USING(run_id) WHERE s.run_id = ?1"
		: "SELECT s.run_id, r.started, s.association_persons, s.employer_persons, s.linked_new, "
		  "s.linked_total, s.ambiguous, s.unmatched_association, s.unmatched_employer "
		  "FROM link_summary s JOIN run r USING(run_id) WHERE r.status = 'ok' "
		  "ORDER BY r.started DESC, r.rowid DESC LIMIT 1";
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK && run)
		sqlite3_bind_text(st, 1, run, -1, SQLITE_STATIC);
	if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		fprintf(stderr, "colink: %s\n", rc != SQLITE_OK ? sqlite3_errmsg(db)
			: run ? "no link report for that run" : "no run of this warehouse has linked");
		sqlite3_finalize(st);
		return rc != SQLITE_OK ? EXIT_CONFIG : EXIT_MISSING;
	}
	if (json)
		printf("{\"run_id\":\"%s\",\"association_persons\":%lld,\"employer_persons\":%lld,"
		       "\"linked_new\":%lld,\"linked_total\":%lld,\"ambiguous\":%lld,"
		       "\"unmatched_association\":%lld,\"unmatched_employer\":%lld,\"passes\":[",
		       sqlite3_column_text(st, 0), col(st, 2), col(st, 3), col(st, 4), col(st, 5),
		       col(st, 6), col(st, 7), col(st, 8));
	else
		printf("link report of run %s (%s)\n"
		       "  persons: %lld association side, %lld employer side\n"
		       "  linked: %lld in total after the run (%lld new); link rate %.1f%% of employer persons\n"
		       "  ambiguous, sent to review: %lld\n"
		       "  unmatched: %lld association side, %lld employer side\n",
		       sqlite3_column_text(st, 0), sqlite3_column_text(st, 1), col(st, 2), col(st, 3),
		       col(st, 5), col(st, 4),
		       col(st, 3) ? 100.0 * (double)col(st, 5) / (double)col(st, 3) : 0.0,
		       col(st, 6), col(st, 7), col(st, 8));
	sqlite3_finalize(st);
	return EXIT_OK;
}

static int passes(sqlite3 *db, const char *run, int json)
{
	sqlite3_stmt *st = NULL;
	int n = 0;
	if (sqlite3_prepare_v2(db, "SELECT pass, kind, linked, ambiguous FROM link_report "
			       "WHERE run_id = ?1 ORDER BY pass", -1, &st, NULL) != SQLITE_OK)
		return EXIT_CONFIG;
	sqlite3_bind_text(st, 1, run, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (json)
			printf("%s{\"pass\":%lld,\"key\":\"%s\",\"linked\":%lld,\"ambiguous\":%lld}",
			       n ? "," : "", col(st, 0), sqlite3_column_text(st, 1), col(st, 2), col(st, 3));
		else
			printf("  pass %lld (%s): %lld linked, %lld ambiguous\n", col(st, 0),
			       sqlite3_column_text(st, 1), col(st, 2), col(st, 3));
		n++;
	}
	if (json)
		printf("]}\n");
	sqlite3_finalize(st);
	return EXIT_OK;
}

int cmd_link(struct cli_global *g, int argc, char **argv)
{
	const char *pos[2] = {NULL, NULL};
	char run[64] = "";
	sqlite3 *db = NULL;
	int json = 0, np = 0, i, code;
	(void)g;
	for (i = 2; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			help(stdout);
			return EXIT_OK;
		} else if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (argv[i][0] != '-' && np < 2) {
			pos[np++] = argv[i];
		} else {
			help(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc < 2 || strcmp(argv[1], "report") || np < 1) {
		if (argc >= 2 && cli_is_help(argv[1])) {
			help(stdout);
			return EXIT_OK;
		}
		help(stderr);
		return EXIT_USAGE;
	}
	if (sqlite3_open_v2(pos[0], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		fprintf(stderr, "colink: %s: cannot open the warehouse: %s\n", pos[0], sqlite3_errmsg(db));
		sqlite3_close(db);
		return EXIT_MISSING;
	}
	code = summary(db, pos[1], json);
	if (code == EXIT_OK) {
		/* the run id the summary chose (the latest one when none given) */
		sqlite3_stmt *st = NULL;
		if (pos[1])
			snprintf(run, sizeof(run), "%s", pos[1]);
		else if (sqlite3_prepare_v2(db, "SELECT s.run_id FROM link_summary s JOIN run r USING(run_id) "
					    "WHERE r.status = 'ok' ORDER BY r.started DESC, r.rowid DESC LIMIT 1",
					    -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
			snprintf(run, sizeof(run), "%s", sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		code = passes(db, run, json);
	}
	sqlite3_close(db);
	return code;
}
