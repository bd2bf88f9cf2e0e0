/* cmd_scan.c -- placeholder while `colink scan` is being written. */
#include <stdio.h>

#include "cli.h"

int cmd_scan(struct cli_global *g, int argc, char **argv)
{
	(void)g;
	(void)argc;
	(void)argv;
	fprintf(stderr, "colink: 'scan' is not available in this build\n");
	return EXIT_USAGE;
}
