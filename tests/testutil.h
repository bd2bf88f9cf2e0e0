/*
 * testutil.h -- helpers for CUnit suites and end-to-end tests.
 *
 * Every tests/test_<module>.c registers its suite the same way: one table
 * of its tests, ended by TU_END, directly above main, and a main that adds
 * the suite and runs it.
 *
 *	static const struct tu_test tests[] = {
 *		TU_TEST(test_module__does_this),
 *		TU_TEST(test_module__refuses_that),
 *		TU_END
 *	};
 *
 *	int main(void)
 *	{
 *		if (tu_add_suite("module", setup, teardown, tests))
 *			return 1;
 *		return tu_run_suites();
 *	}
 *
 * A case is named test_<module>__<behaviour> (STYLE.md, as libgit2 does)
 * and TU_TEST registers it under that name.  TU_TEST_AS("name", fn) keeps
 * an older, shorter CUnit name where one exists (renaming a test changes
 * its log history); do not use it for new tests.  setup/teardown may be
 * NULL.  A file with more than one suite calls tu_add_suite once per
 * table.  tests/test_header.c, which compiles the public header alone,
 * is the one exception.
 */
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

/* CP932 bytes in[0..len) as a malloc'd NUL-terminated UTF-8 string
 * (*outlen, may be NULL: its length); NULL when out of memory. */
char *tu_cp932_to_utf8(const char *in, size_t len, size_t *outlen);

/* The raw identifiers of a UKE file (CP932), for a leak search: per RE
 * record its 氏名 and カナ (text: the caller may add spellings without
 * spaces), its 生年月日 as written and, when 8 digits, as ISO; per HO
 * record its 被保険者番号 as written and, when 6 or more characters, with
 * full-width digits as ASCII (the engine's NFKC form).  cb gets each value
 * (text 1 for the names); the callers filter short ones.  The number of
 * values, -1 when the file cannot be read. */
int tu_uke_identifiers(const char *path, void (*cb)(void *ud, const char *value, int text),
		       void *ud);

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

/* One test of a suite's table (see the top of this file). */
struct tu_test {
	const char *name;  /* CUnit's name for it; NULL ends the table */
	void (*fn)(void);  /* the test */
};
#define TU_TEST(fn) { #fn, fn }
#define TU_TEST_AS(name, fn) { name, fn }
#define TU_END { NULL, NULL }

/* Add suite `name` with `init`/`cleanup` (CUnit's suite initialisation and
 * cleanup; either may be NULL) and every test of `tests` in order, up to
 * TU_END; the CUnit registry is created on the first call.  Returns 0, or
 * -1 with a message on stderr (the caller's main returns 1). */
int tu_add_suite(const char *name, int (*init)(void), int (*cleanup)(void),
		 const struct tu_test *tests);

/* Standard CUnit main: run registered suites, return failures ? 1 : 0. */
int tu_run_suites(void);

#endif
