/* cmd_doc.c -- placeholder while `colink doc` is being written. */
#include <stdio.h>

#include "cli.h"

int cmd_doc(struct cli_global *g, int argc, char **argv)
{
	(void)g;
	(void)argc;
	(void)argv;
	fprintf(stderr, "colink: 'doc' is not available in this build\n");
	return EXIT_USAGE;
}
