/*
 * cmd_audit.c -- `colink audit verify|show LOG`: the hash-chained audit log.
 *
 * verify: exit 0 when the chain is intact, 3 when an entry was edited,
 * removed, reordered or the last line is truncated (the first bad line is
 * named), 4 when the log cannot be read.  show: a table, or the entries as
 * JSON Lines (--json), exactly as stored.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/audit.h"
#include "cli/cli.h"

static void help(FILE *f)
{
	fprintf(f, "usage: colink audit verify [--head HASH] LOG\n"
		   "       colink audit show [--json] LOG\n\n"
		   "verify  checks the hash chain of the audit log: every entry's hash, its\n"
		   "        link to the previous entry and the sequence numbers.  Names the\n"
		   "        first bad line (edited, missing, out of order, truncated).\n"
		   "        --head HASH also requires the last entry's hash to be HASH (a\n"
		   "        value kept elsewhere): this detects removed entries at the end.\n"
		   "show    prints the entries as a table, or with --json as JSON Lines.\n\n"
		   "exit: 0 intact; 3 the log was tampered with; 4 the log cannot be read;\n"
		   "2 usage error.\n");
}

/* The string member `name` of an entry line into out ("" when absent).
 * Members are searched as ,"name": so that text inside a value (where a
 * quote is always escaped) never matches. */
static void member(const char *line, const char *name, char *out, size_t n)
{
	char key[64];
	const char *p;
	size_t k = 0;
	out[0] = '\0';
	snprintf(key, sizeof(key), ",\"%s\":", name);
	if (!(p = strstr(line, key))) {
		key[0] = '{'; /* the first member of an object */
		if (!(p = strstr(line, key)))
			return;
	}
	p += strlen(key);
	if (*p != '"') { /* a number */
		while (*p >= '0' && *p <= '9' && k + 1 < n)
			out[k++] = *p++;
		out[k] = '\0';
		return;
	}
	for (p++; *p && *p != '"' && k + 1 < n; p++) {
		if (*p == '\\' && p[1])
			p++;
		out[k++] = *p;
	}
	out[k] = '\0';
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
	member(json, "time", time, sizeof(time));
	member(json, "kind", kind, sizeof(kind));
	member(json, "status", status, sizeof(status));
	member(json, "user", user, sizeof(user));
	member(json, "job", job, sizeof(job));
	member(json, "purpose", purpose, sizeof(purpose));
	member(json, "recipient_party", party, sizeof(party));
	member(json, "recipient_role", role, sizeof(role));
	member(json, "agreement_id", agr, sizeof(agr));
	member(json, "read", read, sizeof(read));
	member(json, "loaded", loaded, sizeof(loaded));
	member(json, "rejected", rej, sizeof(rej));
	member(json, "withheld_without_consent", wc, sizeof(wc));
	member(json, "hash", hash, sizeof(hash));
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
		fprintf(stderr, "colink: %s\n", err.msg);
		return EXIT_MISSING;
	}
	return EXIT_OK;
}

static int cmd_verify(int argc, char **argv)
{
	struct colink_error err = {0};
	struct colink_audit_verdict v;
	const char *log = NULL, *head = NULL;
	int i, rc;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--head") && i + 1 < argc)
			head = argv[++i];
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
		fprintf(stderr, "colink: %s\n", err.msg);
		return EXIT_MISSING;
	}
	if (head && strcmp(head, v.head)) {
		fprintf(stderr, "%s: line %" PRIu64 ": the last entry (%" PRIu64 ") is not the expected head %s: "
			"entries after it were removed or replaced\n", log, v.entries, v.entries, head);
		return EXIT_CONFIG;
	}
	printf("%s: ok, %" PRIu64 " %s, chain intact; head %s\n", log, v.entries,
	       v.entries == 1 ? "entry" : "entries", v.head);
	return EXIT_OK;
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
