/* cmd_key.c -- `colink key new FILE`, `colink key id FILE`. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "identity/identity.h"

static void help(FILE *f)
{
	fprintf(f,
		"usage: colink key new FILE   write a fresh 256-bit key (mode 0600; never overwrites)\n"
		"       colink key id FILE    print the key id: a one-way fingerprint stored with\n"
		"                             every pseudonym set and run; it reveals nothing of the key\n"
		"\n"
		"Keep key files off shared storage; whoever holds the key can recompute\n"
		"pseudonyms from identifiers.  See docs/pseudonyms.md.\n");
}

int cmd_key(struct cli_global *g, int argc, char **argv)
{
	struct colink_error err = {0};
	struct colink_key *k = NULL;
	int rc;
	(void)g;
	if ((argc >= 2 && cli_is_help(argv[1])) || (argc >= 3 && cli_is_help(argv[2]))) {
		help(stdout);
		return EXIT_OK;
	}
	if (argc != 3 || (strcmp(argv[1], "new") && strcmp(argv[1], "id"))) {
		help(stderr);
		return EXIT_USAGE;
	}
	/* an option where FILE belongs is a mistake, not a file name (name a
	 * file that starts with '-' as ./-name) */
	if (argv[2][0] == '-') {
		fprintf(stderr, "colink: key %s: unknown option '%s' (FILE expected; write ./%s for a "
			"file of that name)\n", argv[1], argv[2], argv[2]);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "new")) {
		rc = colink_key_generate(argv[2], &err);
		if (rc == COLINK_OK)
			rc = colink_key_load(&k, argv[2], &err);
		if (rc == COLINK_OK)
			printf("%s: new key, id %s\n", argv[2], colink_key_id(k));
	} else {
		rc = colink_key_load(&k, argv[2], &err);
		if (rc == COLINK_OK)
			printf("%s\n", colink_key_id(k));
	}
	colink_key_free(k);
	if (rc) {
		cli_error("%s", err.msg);
		return cli_exit_for_plan(rc);
	}
	return EXIT_OK;
}
