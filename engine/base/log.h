/*
 * log.h -- the engine's log: one line per event to stderr and, when a run
 * names one, to a log file.  Messages never contain raw identifier values;
 * callers pass reasons, counts, file names and column names only.
 */
#ifndef COLINK_LOG_H
#define COLINK_LOG_H

#include <stdarg.h>

#include "colink/plugin.h"

/* Messages above `level` are dropped (COLINK_LOG_WARN by default). */
void colink_log_set_level(int level);
int colink_log_get_level(void);

/* Also append every message (any level up to INFO) to `path`, created 0600
 * when absent; NULL closes.
 * Returns 0 or -1 (errno set). */
int colink_log_open_file(const char *path);

void colink_log(int level, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
void colink_vlog(int level, const char *fmt, va_list ap)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 0)))
#endif
	;

#endif
