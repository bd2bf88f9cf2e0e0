/*
 * cli.h -- the colink command line: thin verbs over the engine.
 *
 * Exit codes (documented in README and `colink --help`):
 *   0  success; every record loaded
 *   1  success; the run committed but some records were rejected (see the
 *      reject table / summary)
 *   2  usage error
 *   3  invalid configuration: a job, mapping, key file, plugin or setting
 *      failed validation; nothing was read or written
 *   4  a named file (input, mapping, key, plugin) is missing or unreadable;
 *      nothing was written; or what a verb printed could not be written whole
 *   5  the run failed and was rolled back: nothing of it landed; the ledger
 *      keeps a failed row
 *   6  the warehouse is locked by another run (busy timeout)
 */
#ifndef COLINK_CLI_H
#define COLINK_CLI_H

#include <stdio.h>

enum {
	EXIT_OK = 0,
	EXIT_REJECTS = 1,
	EXIT_USAGE = 2,
	EXIT_CONFIG = 3,
	EXIT_MISSING = 4,
	EXIT_FAILED = 5,
	EXIT_BUSY = 6
};

struct cli_global {
	const char *data_dir;    /* --data-dir */
	const char *plugin_dirs; /* --plugin-dir (':'-separated) */
	int quiet, verbose;
};

/* The verbs, called by main.c only (its verb table): a verb calls the
 * helpers below, the engine library and its own file's statics, never main.c
 * or another verb (tests/cli_layering.sh). */
int cmd_run(struct cli_global *g, int argc, char **argv);
int cmd_pseudonymize(struct cli_global *g, int argc, char **argv);
int cmd_check(struct cli_global *g, int argc, char **argv);
int cmd_preview(struct cli_global *g, int argc, char **argv);
int cmd_plugins(struct cli_global *g, int argc, char **argv);
int cmd_key(struct cli_global *g, int argc, char **argv);
int cmd_link(struct cli_global *g, int argc, char **argv);
/* `colink link review|decide|revoke ...` (argv[0] is the sub-verb); cmd_link_review.c */
int cmd_link_review(struct cli_global *g, int argc, char **argv);
int cmd_link_decide(struct cli_global *g, int argc, char **argv);
int cmd_link_revoke(struct cli_global *g, int argc, char **argv);
int cmd_audit(struct cli_global *g, int argc, char **argv);   /* cmd_audit.c */
int cmd_scan(struct cli_global *g, int argc, char **argv);    /* cmd_scan.c */
int cmd_doc(struct cli_global *g, int argc, char **argv);     /* cmd_doc.c */
int cmd_diff(struct cli_global *g, int argc, char **argv);    /* cmd_diff.c */
int cmd_report(struct cli_global *g, int argc, char **argv);  /* cmd_report.c */
int cmd_agreement(struct cli_global *g, int argc, char **argv); /* cmd_agreement.c */
int cmd_warehouse(struct cli_global *g, int argc, char **argv); /* cmd_warehouse.c */
/* `colink report whitepaper ...` (argv[0] == "whitepaper"); cmd_whitepaper.c */
int cmd_report_whitepaper(struct cli_global *g, int argc, char **argv);

/* ---- helpers every verb shares: cli_util.c ---- */

/* Exit code for an engine return code at plan time / run time. */
int cli_exit_for_plan(int rc);
int cli_exit_for_run(int rc);

/* "colink: MESSAGE" on stderr; with --log-format=json, an "error" line of
 * the JSON log instead (base/log.h), so that the stream stays parseable. */
void cli_error(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

/* 1 if a is -h/--help. */
int cli_is_help(const char *a);

/* JSON strings, CSV fields, HTML: base/text.h. */

#endif
