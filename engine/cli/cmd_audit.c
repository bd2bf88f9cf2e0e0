/*
 * cmd_audit.c -- `colink audit verify|show LOG`: the hash-chained audit log.
 *
 * verify: exit 0 when the chain is intact, 3 when an entry was edited,
 * removed, reordered or the last line is truncated (the first bad line is
 * named), 4 when the log cannot be read.  With --warehouse WH it also
 * reconciles the log with WH's run ledger (policy/audit_ledger.h, #24):
 * one line per finding, a summary, exit 3 when a committed run is missing
 * from the log, completed twice, or completed but not committed.  show: a
 * table, or the entries as JSON Lines (--json), exactly as stored.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/audit.h"
#include "policy/audit_ledger.h"
#include "cli/cli.h"

static void help(FILE *f)
{
	fprintf(f, "usage: colink audit verify [--head HASH] [--warehouse WH] LOG\n"
		   "       colink audit show [--json] LOG\n\n"
		   "verify  checks the hash chain of the audit log: every entry's hash, its\n"
		   "        link to the previous entry and the sequence numbers.  Names the\n"
		   "        first bad line (edited, missing, out of order, truncated).\n"
		   "        --head HASH also requires the last entry's hash to be HASH (a\n"
		   "        value kept elsewhere): this detects removed entries at the end.\n"
		   "        --warehouse WH also reconciles the log with the run ledger of\n"
		   "        the warehouse WH: every committed run must be in the log,\n"
		   "        completed exactly once.  One line per finding: a committed run\n"
		   "        the log lacks, or completes twice; a run completed in the log\n"
		   "        but not committed; a committed run named only by its\n"
		   "        'committing' intent (killed between COMMIT and its completion\n"
		   "        entry; the next run on WH completes it); an intent whose run\n"
		   "        did not commit (nothing of it landed).  Then the counts.\n"
		   "show    prints the entries as a table, or with --json as JSON Lines.\n\n"
		   "exit: 0 intact (and with --warehouse every committed run logged); 3 the\n"
		   "log was tampered with, or a committed run is missing from it, completed\n"
		   "twice, or completed but not committed; 4 the log or the warehouse cannot\n"
		   "be read; 2 usage error.\n");
}

static int show_json(void *ud, uint64_t line, const char *json)
{
	(void)ud;
	(void)line;
	printf("%s\n", json);
	return 0;
}

static int show_row(void *ud, uint64_t line, const char *json)
{
	char seq[24], time[32], kind[16], status[16], user[64], job[80], purpose[80];
	char party[24], role[80], agr[80], read[24], loaded[24], rej[24], wc[24], hash[72];
	(void)ud;
	(void)line;
	seq[0] = '\0';
	if (!strncmp(json, "{\"seq\":", 7))
		snprintf(seq, sizeof(seq), "%.*s", (int)strspn(json + 7, "0123456789"), json + 7);
	colink_audit_member(json, "time", time, sizeof(time));
	colink_audit_member(json, "kind", kind, sizeof(kind));
	colink_audit_member(json, "status", status, sizeof(status));
	colink_audit_member(json, "user", user, sizeof(user));
	colink_audit_member(json, "job", job, sizeof(job));
	colink_audit_member(json, "purpose", purpose, sizeof(purpose));
	colink_audit_member(json, "recipient_party", party, sizeof(party));
	colink_audit_member(json, "recipient_role", role, sizeof(role));
	colink_audit_member(json, "agreement_id", agr, sizeof(agr));
	colink_audit_member(json, "read", read, sizeof(read));
	colink_audit_member(json, "loaded", loaded, sizeof(loaded));
	colink_audit_member(json, "rejected", rej, sizeof(rej));
	colink_audit_member(json, "withheld_without_consent", wc, sizeof(wc));
	colink_audit_member(json, "hash", hash, sizeof(hash));
	printf("%-4s %-20s %-6s %-7s %-10s %-14s %-10s %-9s %-16s %-22s %6s %6s %6s %6s %.16s\n",
	       seq, time, kind, status, user, job, purpose, party, role, agr, read, loaded, rej,
	       wc, hash);
	return 0;
}

static int cmd_show(int argc, char **argv)
{
	struct colink_error err = {0};
	const char *log = NULL;
	int json = 0, i, rc;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (argv[i][0] == '-' || log) {
			help(stderr);
			return EXIT_USAGE;
		} else
			log = argv[i];
	}
	if (!log) {
		help(stderr);
		return EXIT_USAGE;
	}
	if (!json)
		printf("%-4s %-20s %-6s %-7s %-10s %-14s %-10s %-9s %-16s %-22s %6s %6s %6s %6s %s\n",
		       "seq", "time", "kind", "status", "user", "job", "purpose", "party", "role",
		       "agreement", "read", "loaded", "rej", "w/o-c", "hash");
	rc = colink_audit_read(log, json ? show_json : show_row, NULL, &err);
	if (rc) {
		cli_error("%s", err.msg);
		return EXIT_MISSING;
	}
	return EXIT_OK;
}

/* One line per finding of the reconciliation (policy/audit_ledger.h). */
struct findings {
	const char *log, *wh;
};

static void print_finding(void *ud, const struct colink_audit_finding_info *f)
{
	const struct findings *x = ud;
	printf("%s: run %s: ", x->log, f->run_id);
	switch (f->what) {
	case COLINK_AUDIT_MISSING:
		printf("committed in %s but the audit log has no entry for it\n", x->wh);
		break;
	case COLINK_AUDIT_DUPLICATE:
		printf("committed in %s but completed %" PRIu64 " times in the log (last at line %" PRIu64 ")\n",
		       x->wh, f->times, f->line);
		break;
	case COLINK_AUDIT_CONTRADICTED:
		printf("completed in the log (line %" PRIu64 ") but '%s' in %s: it did not commit\n", f->line,
		       f->ledger_status, x->wh);
		break;
	case COLINK_AUDIT_INTENT_ONLY:
		printf("committed in %s; the log names it only by its 'committing' intent (line %" PRIu64
		       "): killed between COMMIT and its completion entry, which the next run on %s appends\n",
		       x->wh, f->line, x->wh);
		break;
	case COLINK_AUDIT_NOT_COMMITTED:
		printf("'committing' intent (line %" PRIu64 ") but '%s' in %s: rolled back or killed before "
		       "its COMMIT, nothing of it landed (fine)\n", f->line, f->ledger_status, x->wh);
		break;
	}
}

static int reconcile(const char *log, const char *wh)
{
	struct colink_error err = {0};
	struct colink_audit_tally t;
	struct findings x = {log, wh};
	int rc = colink_audit_ledger_reconcile(log, wh, print_finding, &x, &t, &err);
	if (rc && rc != COLINK_EPOLICY) {
		cli_error("%s", err.msg);
		return EXIT_MISSING;
	}
	printf("%s: %s: %" PRIu64 " committed run%s: %" PRIu64 " logged once as completed (%" PRIu64
	       " completed by a later run), %" PRIu64 " only by their intent, %" PRIu64 " missing",
	       log, wh, t.committed, t.committed == 1 ? "" : "s", t.completed_once, t.recovered,
	       t.intent_only, t.missing);
	if (t.duplicate)
		printf(", %" PRIu64 " completed more than once", t.duplicate);
	if (t.contradicted)
		printf("; %" PRIu64 " completed but not committed", t.contradicted);
	printf("; %" PRIu64 " %s that did not commit; %" PRIu64 " logged run%s not in %s\n",
	       t.not_committed, t.not_committed == 1 ? "intent of a run" : "intents of runs", t.elsewhere,
	       t.elsewhere == 1 ? "" : "s", wh);
	return rc ? EXIT_CONFIG : EXIT_OK;
}

static int cmd_verify(int argc, char **argv)
{
	struct colink_error err = {0};
	struct colink_audit_verdict v;
	const char *log = NULL, *head = NULL, *wh = NULL;
	int i, rc;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--head") && i + 1 < argc)
			head = argv[++i];
		else if (!strcmp(argv[i], "--warehouse") && i + 1 < argc)
			wh = argv[++i];
		else if (argv[i][0] == '-' || log) {
			help(stderr);
			return EXIT_USAGE;
		} else
			log = argv[i];
	}
	if (!log) {
		help(stderr);
		return EXIT_USAGE;
	}
	rc = colink_audit_verify(log, &v, &err);
	if (rc == COLINK_EPOLICY) {
		fprintf(stderr, "%s: %s\n", log, v.problem);
		return EXIT_CONFIG;
	}
	if (rc) {
		cli_error("%s", err.msg);
		return EXIT_MISSING;
	}
	if (head && strcmp(head, v.head)) {
		fprintf(stderr, "%s: line %" PRIu64 ": the last entry (%" PRIu64 ") is not the expected head %s: "
			"entries after it were removed or replaced\n", log, v.entries, v.entries, head);
		return EXIT_CONFIG;
	}
	printf("%s: ok, %" PRIu64 " %s, chain intact; head %s\n", log, v.entries,
	       v.entries == 1 ? "entry" : "entries", v.head);
	return wh ? reconcile(log, wh) : EXIT_OK;
}

int cmd_audit(struct cli_global *g, int argc, char **argv)
{
	(void)g;
	if (argc < 2 || cli_is_help(argv[1])) {
		help(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	for (int i = 2; i < argc; i++)
		if (cli_is_help(argv[i])) { /* colink audit verify|show --help */
			help(stdout);
			return EXIT_OK;
		}
	if (!strcmp(argv[1], "verify"))
		return cmd_verify(argc - 1, argv + 1);
	if (!strcmp(argv[1], "show"))
		return cmd_show(argc - 1, argv + 1);
	fprintf(stderr, "colink audit: unknown subcommand '%s'\n", argv[1]);
	help(stderr);
	return EXIT_USAGE;
}
