/* cmd_diff.c -- `colink diff OLD NEW [--json]`: changes in review terms. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "base/text.h"
#include "steward/doc/doc.h"
#include "base/paths.h"

static void help(FILE *f)
{
	fprintf(f,
		"usage: colink diff OLD NEW [--json]\n"
		"\n"
		"What changed between two versions of a mapping or of a joint-use agreement,\n"
		"one change per line, in the terms a reviewer signs off (not a text diff:\n"
		"comments, order and layout do not count):\n"
		"\n"
		"  + field hba1c: (column \"HbA1c\")\n"
		"  ~ field sbp_1: range 60 .. 250 → 50 .. 300 (widened)\n"
		"  ~ codemap sex: value \"3\" added (→ \"9\")\n"
		"  ~ identifier card_number: normalization changed: ...\n"
		"  ~ clause R1: level pseudonymized → individual (raised) [raises exposure]\n"
		"\n"
		"'+' added, '-' removed, '~' changed.  A change that lets more data reach\n"
		"more people (an item, purpose, role or clause added, a level raised, a\n"
		"prohibition or consent gate lifted, unreviewed columns stored) ends with\n"
		"[raises exposure]: a joint-use notice must announce it first.\n"
		"\n"
		"  --json   one JSON object: {\"old\", \"new\", \"changes\": [{\"op\", \"what\",\n"
		"           \"name\", \"detail\", \"raises_exposure\"}]}\n"
		"\n"
		"Both files are validated first.  Exit 0 no change; 1 changes (as diff(1));\n"
		"2 usage; 3 a file is invalid, unreadable or of another kind.\n");
}

static void print_json(const char *a, const char *b, const struct colink_changes *c)
{
	size_t i;
	printf("{\"old\":");
	colink_json_str(stdout, a);
	printf(",\"new\":");
	colink_json_str(stdout, b);
	printf(",\"changes\":[");
	for (i = 0; i < c->n; i++) {
		const struct colink_change *x = &c->v[i];
		char op[2] = {x->op, 0};
		printf("%s\n{\"op\":", i ? "," : "");
		colink_json_str(stdout, op);
		printf(",\"what\":");
		colink_json_str(stdout, x->what);
		printf(",\"name\":");
		colink_json_str(stdout, x->name);
		printf(",\"detail\":");
		if (x->detail)
			colink_json_str(stdout, x->detail);
		else
			printf("null");
		printf(",\"raises_exposure\":%s}", x->raises_exposure ? "true" : "false");
	}
	printf("%s]}\n", c->n ? "\n" : "");
}

int cmd_diff(struct cli_global *g, int argc, char **argv)
{
	const char *files[2] = {NULL, NULL};
	struct colink_changes c = {0};
	struct colink_error err = {0};
	int i, n = 0, json = 0, rc;
	size_t k;
	for (i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			help(stdout);
			return EXIT_OK;
		} else if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "colink diff: unknown option '%s'\n", argv[i]);
			return EXIT_USAGE;
		} else if (n < 2) {
			files[n++] = argv[i];
		} else {
			fprintf(stderr, "colink diff: two files only (got '%s' too)\n", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (n != 2) {
		help(stderr);
		return EXIT_USAGE;
	}
	rc = colink_diff_files(&c, files[0], files[1], colink_data_dir(g->data_dir), &err);
	if (rc) {
		fprintf(stderr, "%s\n", err.msg);
		colink_changes_clear(&c);
		return EXIT_CONFIG; /* diff(1): >1 is trouble; every trouble here is 3 */
	}
	if (json)
		print_json(files[0], files[1], &c);
	else
		for (k = 0; k < c.n; k++)
			colink_change_print(stdout, &c.v[k]);
	rc = c.n ? 1 : EXIT_OK;
	colink_changes_clear(&c);
	if (fflush(stdout)) {
		fprintf(stderr, "colink diff: writing the output failed\n");
		return EXIT_CONFIG;
	}
	return rc;
}
