/* main.c -- colink entry point: global options, then one verb. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "identity/identity.h"
#include "base/log.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.1.0"
#endif

/*
 * One row per verb: dispatch and `colink --help` both read this table, so
 * a verb cannot be reachable and undocumented or the other way round.  A
 * row with `sub` set is taken when argv[1] is `sub`, and its function gets
 * argv from there (`colink report whitepaper ...`); it comes before the
 * row of its verb, and has no help lines when the verb's own lines name it.
 */
struct verb {
	const char *name;
	const char *sub;
	int (*fn)(struct cli_global *g, int argc, char **argv);
	const char *help[2][2]; /* up to two { synopsis, what it does } lines */
};

static const struct verb verbs[] = {
	{ "run", NULL, cmd_run,
	  { { "run JOB", "run a job (one transaction) and print a summary" } } },
	{ "pseudonymize", NULL, cmd_pseudonymize,
	  { { "pseudonymize JOB EXTRACT",
	      "run JOB's inputs into a pseudonymized extract (split-site)" } } },
	{ "check", NULL, cmd_check,
	  { { "check FILE...", "validate mapping and job files; nothing is read or written" } } },
	{ "preview", NULL, cmd_preview,
	  { { "preview MAPPING INPUT [-n N]",
	      "show the first N mapped records; nothing is written" } } },
	{ "plugins", NULL, cmd_plugins,
	  { { "plugins [NAME]", "list plugins, or one plugin's settings" } } },
	{ "link", "review", cmd_link_review, { { NULL, NULL } } },
	{ "link", "decide", cmd_link_decide, { { NULL, NULL } } },
	{ "link", "revoke", cmd_link_revoke, { { NULL, NULL } } },
	{ "link", NULL, cmd_link,
	  { { "link report|review WAREHOUSE",
	      "the link quality report of a run / the open review groups and their evidence" },
	    { "link decide|revoke WAREHOUSE ...",
	      "record a steward's link or never decision on a review pair / revoke one" } } },
	{ "agreement", NULL, cmd_agreement,
	  { { "agreement keygen|sign|verify ...",
	      "sign a joint-use agreement (Ed25519) / verify both parties' signatures" } } },
	{ "key", NULL, cmd_key,
	  { { "key new FILE", "write a fresh 256-bit pseudonym key (mode 0600)" },
	    { "key id FILE", "print a key's id (a one-way fingerprint)" } } },
	{ "audit", NULL, cmd_audit,
	  { { "audit verify|show LOG",
	      "check an audit log's hash chain (and a warehouse's ledger against it) / print its entries" } } },
	{ "scan", NULL, cmd_scan,
	  { { "scan FILE", "profile an unknown vendor file and draft a mapping for it" } } },
	{ "doc", NULL, cmd_doc,
	  { { "doc FILE", "document a mapping, agreement or job (HTML and Markdown)" } } },
	{ "diff", NULL, cmd_diff,
	  { { "diff OLD NEW", "what changed between two mappings or agreements, in review terms" } } },
	{ "warehouse", NULL, cmd_warehouse,
	  { { "warehouse init|status|recover ...",
	      "one PostgreSQL warehouse across several servers: create, inspect, resolve" } } },
	{ "report", "whitepaper", cmd_report_whitepaper, { { NULL, NULL } } },
	{ "report", NULL, cmd_report,
	  { { "report referral|guidance|whitepaper|smoking ...",
	      "collabo-health program outputs from a warehouse" } } },
};

#define NVERBS (sizeof(verbs) / sizeof(verbs[0]))

static void usage(FILE *f)
{
	size_t i, j;
	fputs("usage: colink [GLOBAL OPTIONS] COMMAND [ARGS]\n"
	      "\n"
	      "colink loads health-checkup, questionnaire and employer data into a\n"
	      "common warehouse, pseudonymizing every identifier with a keyed hash.\n"
	      "\n"
	      "commands:\n", f);
	for (i = 0; i < NVERBS; i++)
		for (j = 0; j < 2 && verbs[i].help[j][0]; j++) {
			const char *syn = verbs[i].help[j][0], *what = verbs[i].help[j][1];
			if (strlen(syn) <= 20)
				fprintf(f, "  %-20s %s\n", syn, what);
			else
				fprintf(f, "  %s\n  %-20s %s\n", syn, "", what);
		}
	fputs("\n"
	      "global options:\n"
	      "  --data-dir DIR       mappings directory (default: installed, or the source tree)\n"
	      "  --plugin-dir DIRS    extra plugin directories, ':'-separated (also COLINK_PLUGIN_PATH)\n"
	      "  -q, --quiet          only errors on stderr\n"
	      "  -v, --verbose        informational messages on stderr\n"
	      "  --log-format=FORMAT  text (default) or json: one JSON object a line on\n"
	      "                       stderr (time, level, run_id, input, input_no, record,\n"
	      "                       plugin, message; also COLINK_LOG_FORMAT)\n"
	      "  --version            print the version\n"
	      "  -h, --help           this help; `colink COMMAND --help` for a command\n"
	      "\n"
	      "exit codes: 0 ok; 1 ok but some records rejected; 2 usage; 3 invalid\n"
	      "configuration; 4 missing or unreadable file, or output not written whole;\n"
	      "5 run failed and rolled back; 6 warehouse locked by another run.\n", f);
}

/* The verb's function on argv[0] (and argv[1] for a sub-verb row). */
static int dispatch(struct cli_global *g, int argc, char **argv)
{
	size_t i;
	for (i = 0; i < NVERBS; i++) {
		const struct verb *v = &verbs[i];
		if (strcmp(argv[0], v->name))
			continue;
		if (!v->sub)
			return v->fn(g, argc, argv);
		if (argc >= 2 && !strcmp(argv[1], v->sub))
			return v->fn(g, argc - 1, argv + 1);
	}
	cli_error("unknown command '%s' (see colink --help)", argv[0]);
	return EXIT_USAGE;
}

/* --log-format=F / --log-format F at argv[*i] (COLINK_LOG_FORMAT otherwise):
 * 0, 1 when argv[*i] is another option, -1 when the format is unknown. */
static int log_format_opt(int argc, char **argv, int *i)
{
	const char *a = argv[*i], *v;
	int f;
	if (!strncmp(a, "--log-format=", 13))
		v = a + 13;
	else if (!strcmp(a, "--log-format") && *i + 1 < argc)
		v = argv[++*i];
	else
		return 1;
	if ((f = colink_log_format_parse(v)) < 0) {
		fprintf(stderr, "colink: --log-format: '%s' is neither text nor json\n", v);
		return -1;
	}
	colink_log_set_format(f);
	return 0;
}

int main(int argc, char **argv)
{
	struct cli_global g = {0};
	struct colink_error err = {0};
	const char *env = getenv("COLINK_LOG_FORMAT");
	int i, lf, rc;

	if (env && *env) {
		if (colink_log_format_parse(env) < 0) {
			fprintf(stderr, "colink: COLINK_LOG_FORMAT: '%s' is neither text nor json\n", env);
			return EXIT_USAGE;
		}
		colink_log_set_format(colink_log_format_parse(env));
	}

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--data-dir") && i + 1 < argc)
			g.data_dir = argv[++i];
		else if (!strcmp(argv[i], "--plugin-dir") && i + 1 < argc)
			g.plugin_dirs = argv[++i];
		else if ((lf = log_format_opt(argc, argv, &i)) <= 0) {
			if (lf < 0)
				return EXIT_USAGE;
		} else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
			g.quiet = 1;
		else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose"))
			g.verbose = 1;
		else if (!strcmp(argv[i], "--version")) {
			printf("colink %s (plugin ABI %d.%d)\n", PACKAGE_VERSION,
			       COLINK_ABI_MAJOR, COLINK_ABI_MINOR);
			return EXIT_OK;
		} else if (cli_is_help(argv[i])) {
			usage(stdout);
			return EXIT_OK;
		} else {
			fprintf(stderr, "colink: unknown option '%s' (see colink --help)\n", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	colink_log_set_level(g.quiet ? COLINK_LOG_ERROR : g.verbose ? COLINK_LOG_INFO : COLINK_LOG_WARN);
	if (colink_crypto_init(&err)) {
		cli_error("%s", err.msg);
		return EXIT_FAILED;
	}
	rc = dispatch(&g, argc - i, argv + i);
	/* A report cut short by a full disk or a closed pipe must not exit as if
	 * it were whole: stdout is checked once, after the verb.  A run has
	 * committed by then, and its exit code says so; it only warns. */
	if ((fflush(stdout) || ferror(stdout)) && (rc == EXIT_OK || rc == EXIT_REJECTS)) {
		cli_error("writing the standard output failed; what was printed is incomplete");
		if (strcmp(argv[i], "run"))
			rc = EXIT_MISSING;
	}
	return rc;
}
