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

static void usage(FILE *f)
{
	fprintf(f,
		"usage: colink [GLOBAL OPTIONS] COMMAND [ARGS]\n"
		"\n"
		"colink loads health-checkup, questionnaire and employer data into a\n"
		"common warehouse, pseudonymizing every identifier with a keyed hash.\n"
		"\n"
		"commands:\n"
		"  run JOB              run a job (one transaction) and print a summary\n"
		"  pseudonymize JOB EXTRACT\n"
		"                       run JOB's inputs into a pseudonymized extract (split-site)\n"
		"  check FILE...        validate mapping and job files; nothing is read or written\n"
		"  preview MAPPING INPUT [-n N]\n"
		"                       show the first N mapped records; nothing is written\n"
		"  plugins [NAME]       list plugins, or one plugin's settings\n"
		"  link report WAREHOUSE [RUN]\n"
		"                       the link quality report of a run\n"
		"  key new FILE         write a fresh 256-bit pseudonym key (mode 0600)\n"
		"  key id FILE          print a key's id (a one-way fingerprint)\n"
		"  audit verify|show LOG\n"
		"                       check the hash chain of an audit log / print its entries\n"
		"  scan FILE            profile an unknown vendor file and draft a mapping for it\n"
		"  doc FILE             document a mapping, agreement or job (HTML and Markdown)\n"
		"  diff OLD NEW         what changed between two mappings or agreements, in review terms\n"
		"  report referral|guidance|whitepaper|smoking ...\n"
		"                       collabo-health program outputs from a warehouse\n"
		"\n"
		"global options:\n"
		"  --data-dir DIR       mappings directory (default: installed, or the source tree)\n"
		"  --plugin-dir DIRS    extra plugin directories, ':'-separated (also COLINK_PLUGIN_PATH)\n"
		"  -q, --quiet          only errors on stderr\n"
		"  -v, --verbose        informational messages on stderr\n"
		"  --version            print the version\n"
		"  -h, --help           this help; `colink COMMAND --help` for a command\n"
		"\n"
		"exit codes: 0 ok; 1 ok but some records rejected; 2 usage; 3 invalid\n"
		"configuration; 4 missing or unreadable file; 5 run failed and rolled back;\n"
		"6 warehouse locked by another run.\n");
}

int cli_is_help(const char *a)
{
	return a && (!strcmp(a, "-h") || !strcmp(a, "--help"));
}

void cli_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

int main(int argc, char **argv)
{
	struct cli_global g = {0};
	struct colink_error err = {0};
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--data-dir") && i + 1 < argc)
			g.data_dir = argv[++i];
		else if (!strcmp(argv[i], "--plugin-dir") && i + 1 < argc)
			g.plugin_dirs = argv[++i];
		else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
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
		fprintf(stderr, "colink: %s\n", err.msg);
		return EXIT_FAILED;
	}
	argc -= i;
	argv += i;
	if (!strcmp(argv[0], "run"))
		return cmd_run(&g, argc, argv);
	if (!strcmp(argv[0], "pseudonymize"))
		return cmd_pseudonymize(&g, argc, argv);
	if (!strcmp(argv[0], "check"))
		return cmd_check(&g, argc, argv);
	if (!strcmp(argv[0], "preview"))
		return cmd_preview(&g, argc, argv);
	if (!strcmp(argv[0], "plugins"))
		return cmd_plugins(&g, argc, argv);
	if (!strcmp(argv[0], "link"))
		return cmd_link(&g, argc, argv);
	if (!strcmp(argv[0], "key"))
		return cmd_key(&g, argc, argv);
	if (!strcmp(argv[0], "audit"))
		return cmd_audit(&g, argc, argv);
	if (!strcmp(argv[0], "scan"))
		return cmd_scan(&g, argc, argv);
	if (!strcmp(argv[0], "doc"))
		return cmd_doc(&g, argc, argv);
	if (!strcmp(argv[0], "diff"))
		return cmd_diff(&g, argc, argv);
	if (!strcmp(argv[0], "report"))
		return cmd_report(&g, argc, argv);
	fprintf(stderr, "colink: unknown command '%s' (see colink --help)\n", argv[0]);
	return EXIT_USAGE;
}
