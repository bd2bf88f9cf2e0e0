/* cmd_whitepaper.c -- placeholder while `colink report whitepaper` is being written. */
#include <stdio.h>

#include "cli.h"

int cmd_report_whitepaper(struct cli_global *g, int argc, char **argv)
{
	(void)g;
	(void)argc;
	(void)argv;
	fprintf(stderr, "colink: 'report whitepaper' is not available in this build\n");
	return EXIT_USAGE;
}
