/* cmd_diff.c -- placeholder while `colink diff` is being written. */
#include <stdio.h>

#include "cli.h"

int cmd_diff(struct cli_global *g, int argc, char **argv)
{
	(void)g;
	(void)argc;
	(void)argv;
	fprintf(stderr, "colink: 'diff' is not available in this build\n");
	return EXIT_USAGE;
}
