/* cmd_audit.c -- placeholder while `colink audit` is being written. */
#include <stdio.h>

#include "cli.h"

int cmd_audit(struct cli_global *g, int argc, char **argv)
{
	(void)g;
	(void)argc;
	(void)argv;
	fprintf(stderr, "colink: 'audit' is not available in this build\n");
	return EXIT_USAGE;
}
