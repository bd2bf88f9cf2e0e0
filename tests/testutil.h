/* testutil.h -- helpers for CUnit suites and end-to-end tests. */
#ifndef COLINK_TESTUTIL_H
#define COLINK_TESTUTIL_H

#include <stddef.h>

/* A fresh directory under $TMPDIR (or /tmp); caller frees the string.
 * The directory is removed by tu_rmtree. */
char *tu_mkdtemp(const char *tag);
void tu_rmtree(const char *dir);

/* Paths from the environment set by `make check`. */
const char *tu_srcdir(void);   /* $COLINK_TEST_SRCDIR or "." */
const char *tu_builddir(void); /* $COLINK_TEST_BUILDDIR or "." */
const char *tu_colink(void);   /* $COLINK_BIN or ./colink */

/* Run `cmd` through /bin/sh; stdout and stderr captured into malloc'd
 * strings (may be NULL to discard).  Returns the exit status (0-255), or
 * 128+signal when killed. */
int tu_run(const char *cmd, char **out, char **err);

/* Run the colink binary under test with `args` (shell words), from `dir`
 * when it is not NULL; output captured as tu_run does. */
int tu_colink_run(const char *dir, const char *args, char **out, char **err);

/* Write / read whole files. */
int tu_write_file(const char *path, const char *data, size_t len);
char *tu_read_file(const char *path, size_t *len); /* NUL-terminated */

/* memmem over a file: 1 if `needle` occurs in `path`. */
int tu_file_contains(const char *path, const char *needle, size_t nlen);

/* Single-value SQLite query on `db`; result as malloc'd text or NULL for
 * SQL NULL / no row.  *rc (may be NULL) gets the sqlite result code. */
char *tu_sql1(const char *db, const char *sql);
long tu_sql_long(const char *db, const char *sql); /* -1 on NULL/no row */

/* printf into a malloc'd string. */
char *tu_fmt(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

/* Standard CUnit main: run registered suites, return failures ? 1 : 0. */
int tu_run_suites(void);

#endif
