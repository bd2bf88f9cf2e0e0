/*
 * cli_util.c -- what every verb shares: the help flag and the mapping of
 * engine return codes to exit codes (cli.h).  A leaf: it calls only the
 * C library, never main.c or a cmd_*.c (tests/cli_layering.sh).
 */
#include <string.h>

#include "cli/cli.h"
#include "colink/plugin.h"

int cli_is_help(const char *a)
{
	return a && (!strcmp(a, "-h") || !strcmp(a, "--help"));
}

int cli_exit_for_plan(int rc)
{
	switch (rc) {
	case COLINK_OK: return EXIT_OK;
	case COLINK_ENOTFOUND:
	case COLINK_EIO: return EXIT_MISSING;
	case COLINK_ENOMEM: return EXIT_FAILED;
	default: return EXIT_CONFIG;
	}
}

int cli_exit_for_run(int rc)
{
	if (rc == COLINK_EBUSY)
		return EXIT_BUSY;
	return rc ? EXIT_FAILED : EXIT_OK;
}
