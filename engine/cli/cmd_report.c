/* cmd_report.c -- placeholder while `colink report` is being written. */
#include <stdio.h>

#include "cli.h"

int cmd_report(struct cli_global *g, int argc, char **argv)
{
	(void)g;
	(void)argc;
	(void)argv;
	fprintf(stderr, "colink: 'report' is not available in this build\n");
	return EXIT_USAGE;
}
