/*
 * cli_util.c -- what every verb shares: the help flag, the mapping of
 * engine return codes to exit codes and the error line (cli.h).  A leaf:
 * it calls the C library and the engine, never main.c or a cmd_*.c
 * (tests/cli_layering.sh).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "cli/cli.h"
#include "colink/plugin.h"

void cli_error(const char *fmt, ...)
{
	char line[1200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (colink_log_get_format() == COLINK_LOG_FORMAT_JSON)
		colink_log(COLINK_LOG_ERROR, "%s", line);
	else
		fprintf(stderr, "colink: %s\n", line);
}

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
