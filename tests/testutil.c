/* testutil.c -- see testutil.h */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "testutil.h"

#include <CUnit/Basic.h>
#include <iconv.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

char *tu_fmt(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

char *tu_mkdtemp(const char *tag)
{
	const char *t = getenv("TMPDIR");
	char *p = tu_fmt("%s/colink-%s-XXXXXX", t && *t ? t : "/tmp", tag);
	if (!mkdtemp(p)) {
		free(p);
		return NULL;
	}
	return p;
}

void tu_rmtree(const char *dir)
{
	char *cmd;
	if (!dir || !*dir || !strcmp(dir, "/"))
		return;
	cmd = tu_fmt("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "tu_rmtree: could not remove %s\n", dir);
	free(cmd);
}

const char *tu_srcdir(void)
{
	const char *s = getenv("COLINK_TEST_SRCDIR");
	return s ? s : ".";
}

const char *tu_builddir(void)
{
	const char *s = getenv("COLINK_TEST_BUILDDIR");
	return s ? s : ".";
}

const char *tu_colink(void)
{
	const char *s = getenv("COLINK_BIN");
	return s ? s : "./colink";
}

char *tu_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;
	if (!f)
		return NULL;
	for (;;) {
		if (n + 65536 + 1 > cap) {
			cap = cap ? cap * 2 : 131072;
			buf = realloc(buf, cap);
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

int tu_write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	if (len && fwrite(data, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

int tu_file_contains(const char *path, const char *needle, size_t nlen)
{
	size_t len;
	char *buf = tu_read_file(path, &len);
	int found;
	if (!buf)
		return 0;
	found = memmem(buf, len, needle, nlen) != NULL;
	free(buf);
	return found;
}

int tu_run(const char *cmd, char **out, char **err)
{
	char *dir = tu_mkdtemp("run");
	char *o = tu_fmt("%s/out", dir), *e = tu_fmt("%s/err", dir);
	char *full = tu_fmt("( %s ) >'%s' 2>'%s' </dev/null", cmd, o, e);
	int st = system(full), rc;
	if (st == -1)
		rc = 127;
	else if (WIFEXITED(st))
		rc = WEXITSTATUS(st);
	else if (WIFSIGNALED(st))
		rc = 128 + WTERMSIG(st);
	else
		rc = 255;
	if (out)
		*out = tu_read_file(o, NULL);
	if (err)
		*err = tu_read_file(e, NULL);
	free(full);
	free(o);
	free(e);
	tu_rmtree(dir);
	free(dir);
	return rc;
}

int tu_colink_run(const char *dir, const char *args, char **out, char **err)
{
	char *c = dir ? tu_fmt("cd '%s' && '%s' %s", dir, tu_colink(), args)
		      : tu_fmt("'%s' %s", tu_colink(), args);
	int rc = tu_run(c, out, err);
	free(c);
	return rc;
}

char *tu_sql1(const char *db, const char *sql)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	char *res = NULL;
	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		goto out;
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "tu_sql1: %s: %s\n", sql, sqlite3_errmsg(h));
		goto out;
	}
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		res = strdup((const char *)sqlite3_column_text(st, 0));
out:
	sqlite3_finalize(st);
	sqlite3_close(h);
	return res;
}

long tu_sql_long(const char *db, const char *sql)
{
	char *s = tu_sql1(db, sql);
	long v = s ? strtol(s, NULL, 10) : -1;
	free(s);
	return v;
}

int tu_add_suite(const char *name, int (*init)(void), int (*cleanup)(void),
		 const struct tu_test *tests)
{
	CU_pSuite s;
	if (!CU_registry_initialized() && CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "%s: cannot create the CUnit registry: %s\n", name,
			CU_get_error_msg());
		return -1;
	}
	s = CU_add_suite(name, init, cleanup);
	if (!s) {
		fprintf(stderr, "%s: cannot add the suite: %s\n", name, CU_get_error_msg());
		return -1;
	}
	for (; tests->name; tests++)
		if (!CU_add_test(s, tests->name, tests->fn)) {
			fprintf(stderr, "%s: cannot add test %s: %s\n", name, tests->name,
				CU_get_error_msg());
			return -1;
		}
	return 0;
}

int tu_run_suites(void)
{
	unsigned fails;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	fails = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	if (CU_get_number_of_tests_run() == 0)
		fails = 1;
	CU_cleanup_registry();
	return fails ? 1 : 0;
}

char *tu_cp932_to_utf8(const char *in, size_t len, size_t *outlen)
{
	iconv_t cd = iconv_open("UTF-8", "CP932");
	size_t cap = len * 3 + 1, il = len, ol = cap;
	char *out = calloc(1, cap), *ip = (char *)in, *op = out;
	if (cd == (iconv_t)-1 || !out) {
		if (cd != (iconv_t)-1)
			iconv_close(cd);
		free(out);
		return NULL;
	}
	iconv(cd, &ip, &il, &op, &ol);
	iconv_close(cd);
	if (outlen)
		*outlen = (size_t)(op - out);
	return out;
}

/* Field n (1-based) of a comma-separated line into buf. */
static void uke_field(const char *line, int n, char *buf, size_t cap)
{
	const char *e;
	while (--n > 0 && line)
		line = strchr(line, ',') ? strchr(line, ',') + 1 : NULL;
	buf[0] = '\0';
	if (!line)
		return;
	e = line + strcspn(line, ",\r\n");
	snprintf(buf, cap, "%.*s", (int)(e - line), line);
}

/* Full-width digits to ASCII (the NFKC form card numbers are normalized to). */
static void ascii_digits(const char *s, char *buf, size_t cap)
{
	size_t o = 0;
	for (; *s && o + 1 < cap; s++) {
		const unsigned char *u = (const unsigned char *)s;
		if (u[0] == 0xEF && u[1] == 0xBC && u[2] >= 0x90 && u[2] <= 0x99) {
			buf[o++] = (char)('0' + u[2] - 0x90);
			s += 2;
		} else
			buf[o++] = *s;
	}
	buf[o] = '\0';
}

int tu_uke_identifiers(const char *path, void (*cb)(void *ud, const char *value, int text),
		       void *ud)
{
	size_t len;
	char *raw = tu_read_file(path, &len), *text, *line, *save = NULL, f[256], a[256];
	int n = 0;
	if (!raw)
		return -1;
	text = tu_cp932_to_utf8(raw, len, NULL);
	free(raw);
	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "RE,", 3)) {
			uke_field(line, 5, f, sizeof(f));
			cb(ud, f, 1), n++;                   /* 氏名 */
			uke_field(line, 37, f, sizeof(f));
			cb(ud, f, 1), n++;                   /* カナ */
			uke_field(line, 7, f, sizeof(f));
			cb(ud, f, 0), n++;                   /* 生年月日 as written */
			if (strlen(f) == 8) {                /* and as ISO */
				snprintf(a, sizeof(a), "%.4s-%.2s-%.2s", f, f + 4, f + 6);
				cb(ud, a, 0), n++;
			}
		} else if (!strncmp(line, "HO,", 3)) {
			uke_field(line, 4, f, sizeof(f));
			cb(ud, f, 0), n++;                   /* 番号 as written */
			ascii_digits(f, a, sizeof(a));
			if (strlen(a) >= 6)                  /* shorter ones collide with numbers */
				cb(ud, a, 0), n++;
		}
	}
	free(text);
	return n;
}
