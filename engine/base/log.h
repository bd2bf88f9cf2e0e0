/*
 * log.h -- the engine's log: one line per event to stderr and, when a run
 * names one, to a log file.  Messages never contain raw identifier values;
 * callers pass reasons, counts, file names and column names only.
 *
 * stderr carries either text lines ("colink: LEVEL: MESSAGE", the default)
 * or, with colink_log_set_format(COLINK_LOG_FORMAT_JSON), one JSON object
 * a line (#22):
 *
 *   {"time":"2026-12-01T02:00:00.123Z","level":"warning","run_id":"…",
 *    "input":"/data/vendor_a.csv","input_no":1,"record":null,
 *    "plugin":"in_csv","message":"…"}
 *
 * time is UTC with milliseconds; level is error, warning, info or debug;
 * run_id, input/input_no (the input file being read) and record (the
 * record the core was handling when the message was logged) are null when
 * there is none; plugin names the plugin that logged it, null for the
 * core.  Strings are JSON-escaped: '"' and '\', control characters as
 * \n, \t or \u00XX, valid UTF-8 passed through as it is, and a byte that
 * is not part of valid UTF-8 as \ufffd, so that every line parses.
 */
#ifndef COLINK_LOG_H
#define COLINK_LOG_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include "colink/plugin.h"

/* Messages above `level` are dropped (COLINK_LOG_WARN by default). */
void colink_log_set_level(int level);
int colink_log_get_level(void);

enum { COLINK_LOG_FORMAT_TEXT = 0, COLINK_LOG_FORMAT_JSON = 1 };

/* The format of the stderr stream (the log file stays text). */
void colink_log_set_format(int format);
int colink_log_get_format(void);
/* "text" or "json": the format, or -1. */
int colink_log_format_parse(const char *name);

/* The context JSON lines carry.  Strings are copied; NULL (or 0) clears.
 * The run id and the input are the process's; the record is the calling
 * thread's (the thread that reads the input sets it). */
void colink_log_set_run(const char *run_id);
void colink_log_set_input(unsigned input_no, const char *path);
void colink_log_set_record(uint64_t record_no);

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
/* A message on behalf of `plugin` (text: "colink: LEVEL: PLUGIN: MESSAGE"). */
void colink_log_plugin(const char *plugin, int level, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/* `s` as a JSON string, with the escaping above (NULL: null). */
void colink_log_json_str(FILE *f, const char *s);

#endif
