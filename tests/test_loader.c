/*
 * test_loader.c -- the plugin loader against real dlopen'ed test plugins
 * (tests/plugins/tp_*.c, built into $COLINK_TEST_BUILDDIR/tests/plugins/
 * .libs).  Each test copies the plugins it needs into a fresh directory so
 * that it controls file and directory modes.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "core/loader.h"
#include "testutil.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                              */
/* ------------------------------------------------------------------ */

/* Copy built test plugin `tp` into DIR/AS.so with `mode`; returns the new
 * path (free()), or NULL with a CUnit failure. */
static char *install_as(const char *dir, const char *tp, const char *as,
			mode_t mode)
{
	char *src = tu_fmt("%s/tests/plugins/.libs/%s.so", tu_builddir(), tp);
	char *dst = tu_fmt("%s/%s.so", dir, as);
	size_t len = 0;
	char *data = tu_read_file(src, &len);
	int ok = data && tu_write_file(dst, data, len) == 0 &&
		 chmod(dst, mode) == 0;
	if (!data)
		fprintf(stderr, "test plugin missing: %s\n", src);
	CU_ASSERT_FATAL(ok);
	free(data);
	free(src);
	return dst;
}

static char *install(const char *dir, const char *tp, mode_t mode)
{
	return install_as(dir, tp, tp, mode);
}

/* A fresh 0700 directory. */
static char *fresh_dir(const char *tag)
{
	char *d = tu_mkdtemp(tag);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_FATAL(chmod(d, 0700) == 0);
	return d;
}

static struct colink_loader *loader_for(const char *d1, const char *d2)
{
	const char *dirs[3] = { d1, d2, NULL };
	struct colink_loader *l = NULL;
	struct colink_error err;
	int rc = colink_loader_new(&l, dirs, &err);
	CU_ASSERT_EQUAL_FATAL(rc, COLINK_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	return l;
}

/* Assert rc, err->code and the exact message; `want` is freed. */
static void expect_err(int rc, const struct colink_error *err, int code,
		       char *want)
{
	CU_ASSERT_EQUAL(rc, code);
	CU_ASSERT_EQUAL(err->code, code);
	CU_ASSERT_STRING_EQUAL(err->msg, want);
	if (strcmp(err->msg, want) != 0)
		fprintf(stderr, "\n  got:  %s\n  want: %s\n", err->msg, want);
	CU_ASSERT_PTR_NULL(strchr(err->msg, '\n'));
	free(want);
}

/* Load plugin `name` from a one-directory loader over `dir` and expect a
 * refusal. */
static void expect_get_refused(const char *dir, const char *name, int code,
			       char *want)
{
	struct colink_loader *l = loader_for(dir, NULL);
	const struct colink_loaded_plugin *p = (void *)1;
	struct colink_error err;
	int rc = colink_loader_get(l, name, &p, &err);
	expect_err(rc, &err, code, want);
	CU_ASSERT_PTR_NULL(p);
	CU_ASSERT_EQUAL(colink_loader_count(l), 0);
	colink_loader_free(l);
}

/* on_error collector for scans. */
struct reports {
	size_t n;
	char *msg[16];
	int code[16];
};

static void collect(void *ud, const struct colink_error *e)
{
	struct reports *r = ud;
	if (r->n < 16) {
		r->msg[r->n] = strdup(e->msg);
		r->code[r->n] = e->code;
	}
	r->n++;
}

static void reports_free(struct reports *r)
{
	size_t i;
	for (i = 0; i < r->n && i < 16; i++)
		free(r->msg[i]);
}

/* ------------------------------------------------------------------ */
/* Loading                                                              */
/* ------------------------------------------------------------------ */

static void test_loader__good_loads(void)
{
	char *d = fresh_dir("ld-good"), *path = install(d, "tp_good", 0755);
	struct colink_loader *l = loader_for(d, NULL);
	const struct colink_loaded_plugin *p = NULL;
	const struct colink_plugin *desc;
	struct colink_error err;
	int rc = colink_loader_get(l, "tp_good", &p, &err);
	CU_ASSERT_EQUAL_FATAL(rc, COLINK_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	desc = p->desc;
	CU_ASSERT_STRING_EQUAL(p->path, path);
	CU_ASSERT_PTR_NOT_NULL(p->handle);
	CU_ASSERT_EQUAL(desc->abi_major, COLINK_ABI_MAJOR);
	CU_ASSERT_EQUAL(desc->struct_size, sizeof(struct colink_plugin));
	CU_ASSERT_STRING_EQUAL(desc->name, "tp_good");
	CU_ASSERT_EQUAL(desc->kind, COLINK_PLUGIN_INPUT);
	CU_ASSERT_STRING_EQUAL(desc->settings[0].name, "path_hint");
	CU_ASSERT_EQUAL(desc->settings[0].type, COLINK_SET_STRING);
	CU_ASSERT_PTR_NULL(desc->settings[1].name);
	CU_ASSERT_EQUAL(desc->setting_size, sizeof(struct colink_setting_def));
	/* the host's own copy of the table, read through the plugin's stride */
	CU_ASSERT_PTR_NOT_NULL_FATAL(p->settings);
	CU_ASSERT_PTR_NOT_EQUAL(p->settings, desc->settings);
	CU_ASSERT_STRING_EQUAL(p->settings[0].name, "path_hint");
	CU_ASSERT_STRING_EQUAL(p->settings[0].description, "unused test setting");
	CU_ASSERT_PTR_NULL(p->settings[1].name);
	CU_ASSERT_PTR_NULL(desc->output);
	CU_ASSERT_PTR_NOT_NULL_FATAL(desc->input);
	CU_ASSERT_EQUAL(desc->input->read(NULL, "unused", NULL, &err), COLINK_OK);
	CU_ASSERT_EQUAL(colink_loader_count(l), 1);
	CU_ASSERT_PTR_EQUAL(colink_loader_at(l, 0), p);
	CU_ASSERT_PTR_NULL(colink_loader_at(l, 1));
	colink_loader_free(l);
	free(path);
	tu_rmtree(d);
	free(d);
}

static void test_loader__cache_returns_same_pointer(void)
{
	char *d = fresh_dir("ld-cache"), *path = install(d, "tp_good", 0755);
	struct colink_loader *l = loader_for(d, NULL);
	const struct colink_loaded_plugin *p1 = NULL, *p2 = NULL;
	struct colink_error err;
	CU_ASSERT_EQUAL(colink_loader_get(l, "tp_good", &p1, &err), COLINK_OK);
	/* Once loaded, the file no longer matters: the cache answers. */
	CU_ASSERT_EQUAL(unlink(path), 0);
	CU_ASSERT_EQUAL(colink_loader_get(l, "tp_good", &p2, &err), COLINK_OK);
	CU_ASSERT_PTR_NOT_NULL(p1);
	CU_ASSERT_PTR_EQUAL(p1, p2);
	CU_ASSERT_EQUAL(colink_loader_count(l), 1);
	colink_loader_free(l);
	free(path);
	tu_rmtree(d);
	free(d);
}

static void test_loader__bad_abi_refused(void)
{
	char *d = fresh_dir("ld-abi"), *path = install(d, "tp_badabi", 0755);
	expect_get_refused(d, "tp_badabi", COLINK_EABI,
			   tu_fmt("%s: was built for plugin ABI %d.x; this colink supports %d.x",
				  path, COLINK_ABI_MAJOR + 1, COLINK_ABI_MAJOR));
	free(path);
	tu_rmtree(d);
	free(d);
}

/* A plugin built for the previous major (1.1) is refused on abi_major
 * alone, with one line naming both majors. */
static void test_loader__old_major_refused(void)
{
	char *d = fresh_dir("ld-old"), *path = install(d, "tp_oldabi", 0755);
	char *want = tu_fmt("%s: was built for plugin ABI 1.x; this colink supports %d.x",
			    path, COLINK_ABI_MAJOR);
	CU_ASSERT_EQUAL(COLINK_ABI_MAJOR, 2);
	CU_ASSERT_PTR_NULL(strchr(want, '\n'));
	expect_get_refused(d, "tp_oldabi", COLINK_EABI, want);
	CU_ASSERT_EQUAL(colink_loader_check_file(path, "tp_oldabi", NULL), COLINK_EABI);
	free(path);
	tu_rmtree(d);
	free(d);
}

/* A settings table whose declared stride is smaller than ABI 2.0's. */
static void test_loader__small_settings_stride_refused(void)
{
	char *d = fresh_dir("ld-stride"), *path = install(d, "tp_stride", 0755);
	expect_get_refused(d, "tp_stride", COLINK_EABI,
			   tu_fmt("%s: settings table stride too small (8 bytes, need at least %zu)",
				  path, offsetof(struct colink_setting_def, choices) + sizeof(void *)));
	free(path);
	tu_rmtree(d);
	free(d);
}

static void test_loader__short_descriptor_refused(void)
{
	char *d = fresh_dir("ld-short"), *path = install(d, "tp_short", 0755);
	size_t need = offsetof(struct colink_plugin, output) + sizeof(void *);
	expect_get_refused(d, "tp_short", COLINK_EABI,
			   tu_fmt("%s: descriptor too small (16 bytes, need at least %zu)",
				  path, need));
	free(path);
	tu_rmtree(d);
	free(d);
}

static void test_loader__no_entry_refused(void)
{
	char *d = fresh_dir("ld-noent"), *path = install(d, "tp_noentry", 0755);
	expect_get_refused(d, "tp_noentry", COLINK_ENOTFOUND,
			   tu_fmt("%s: has no colink_plugin_entry symbol", path));
	free(path);
	tu_rmtree(d);
	free(d);
}

static void test_loader__name_mismatch_refused(void)
{
	char *d = fresh_dir("ld-name"), *path = install(d, "tp_badname", 0755);
	expect_get_refused(d, "tp_badname", COLINK_EINVAL,
			   tu_fmt("%s: declares name 'other' but the file is tp_badname.so",
				  path));
	free(path);
	tu_rmtree(d);
	free(d);
}

/* ------------------------------------------------------------------ */
/* File system refusals                                                 */
/* ------------------------------------------------------------------ */

static void test_loader__group_writable_refused(void)
{
	char *d = fresh_dir("ld-gw"), *path = install(d, "tp_good", 0775);
	expect_get_refused(d, "tp_good", COLINK_EPERM,
			   tu_fmt("%s: is writable by group or others (mode 0775); plugins must not be",
				  path));
	free(path);
	tu_rmtree(d);
	free(d);
}

static void test_loader__other_writable_refused(void)
{
	char *d = fresh_dir("ld-ow"), *path = install(d, "tp_good", 0646);
	expect_get_refused(d, "tp_good", COLINK_EPERM,
			   tu_fmt("%s: is writable by group or others (mode 0646); plugins must not be",
				  path));
	free(path);
	tu_rmtree(d);
	free(d);
}

static void test_loader__dir_writable_by_others_refused_unless_sticky(void)
{
	char *d = fresh_dir("ld-dirw"), *path = install(d, "tp_good", 0755);
	struct colink_loader *l;
	const struct colink_loaded_plugin *p = NULL;
	struct colink_error err;
	CU_ASSERT_FATAL(chmod(d, 0777) == 0);
	expect_get_refused(d, "tp_good", COLINK_EPERM,
			   tu_fmt("%s: directory %s is writable by others without the sticky bit (mode 0777); plugins must not be loaded from it",
				  path, d));
	/* With the sticky bit (as /tmp) only the owner can replace the file. */
	CU_ASSERT_FATAL(chmod(d, 01777) == 0);
	l = loader_for(d, NULL);
	CU_ASSERT_EQUAL(colink_loader_get(l, "tp_good", &p, &err), COLINK_OK);
	CU_ASSERT_PTR_NOT_NULL(p);
	colink_loader_free(l);
	free(path);
	tu_rmtree(d);
	free(d);
}

static void test_loader__symlink_refused(void)
{
	char *real = fresh_dir("ld-real"), *d = fresh_dir("ld-link");
	char *target = install(real, "tp_good", 0755);
	char *path = tu_fmt("%s/tp_good.so", d);
	CU_ASSERT_FATAL(symlink(target, path) == 0);
	expect_get_refused(d, "tp_good", COLINK_EPERM,
			   tu_fmt("%s: is a symbolic link; plugins must be regular files",
				  path));
	free(target);
	free(path);
	tu_rmtree(d);
	tu_rmtree(real);
	free(d);
	free(real);
}

static void test_loader__directory_refused(void)
{
	char *d = fresh_dir("ld-isdir"), *path = tu_fmt("%s/tp_dir.so", d);
	CU_ASSERT_FATAL(mkdir(path, 0755) == 0);
	expect_get_refused(d, "tp_dir", COLINK_EINVAL,
			   tu_fmt("%s: is not a regular file", path));
	free(path);
	tu_rmtree(d);
	free(d);
}

static void test_loader__garbage_file_refused_with_dlerror(void)
{
	static const char junk[] =
		"this is not an ELF shared object, just text long enough to "
		"fill an ELF header and then some more bytes\n";
	char *d = fresh_dir("ld-junk"), *path = tu_fmt("%s/tp_junk.so", d);
	CU_ASSERT_FATAL(tu_write_file(path, junk, sizeof(junk) - 1) == 0);
	CU_ASSERT_FATAL(chmod(path, 0644) == 0);
	expect_get_refused(d, "tp_junk", COLINK_EABI,
			   tu_fmt("%s: cannot be loaded: invalid ELF header", path));
	free(path);
	tu_rmtree(d);
	free(d);
}

/* ------------------------------------------------------------------ */
/* Search path, names, scanning                                         */
/* ------------------------------------------------------------------ */

static void test_loader__duplicate_first_wins_and_scan_reports(void)
{
	char *d1 = fresh_dir("ld-dup1"), *d2 = fresh_dir("ld-dup2");
	char *p1 = install(d1, "tp_good", 0755), *p2 = install(d2, "tp_good", 0755);
	struct colink_loader *l = loader_for(d1, d2);
	const struct colink_loaded_plugin *p = NULL;
	struct reports r = { 0 };
	struct colink_error err;
	CU_ASSERT_EQUAL(colink_loader_get(l, "tp_good", &p, &err), COLINK_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_STRING_EQUAL(p->path, p1);
	colink_loader_free(l);

	l = loader_for(d1, d2);
	CU_ASSERT_EQUAL(colink_loader_scan(l, collect, &r, &err), COLINK_OK);
	CU_ASSERT_EQUAL(colink_loader_count(l), 1);
	CU_ASSERT_STRING_EQUAL(colink_loader_at(l, 0)->path, p1);
	CU_ASSERT_EQUAL_FATAL(r.n, 1);
	CU_ASSERT_EQUAL(r.code[0], COLINK_EINVAL);
	{
		char *want = tu_fmt("%s: duplicate plugin name 'tp_good' (already loaded from %s)",
				    p2, p1);
		CU_ASSERT_STRING_EQUAL(r.msg[0], want);
		free(want);
	}
	reports_free(&r);
	colink_loader_free(l);
	free(p1);
	free(p2);
	tu_rmtree(d1);
	tu_rmtree(d2);
	free(d1);
	free(d2);
}

/* A refused file in an earlier directory is not silently replaced by a
 * later one of the same name, by get or by scan. */
static void test_loader__refused_first_shadows_later(void)
{
	char *d1 = fresh_dir("ld-sh1"), *d2 = fresh_dir("ld-sh2");
	char *p1 = install(d1, "tp_good", 0775), *p2 = install(d2, "tp_good", 0755);
	struct colink_loader *l = loader_for(d1, d2);
	const struct colink_loaded_plugin *p = NULL;
	struct reports r = { 0 };
	struct colink_error err;
	char *want;
	expect_err(colink_loader_get(l, "tp_good", &p, &err), &err, COLINK_EPERM,
		   tu_fmt("%s: is writable by group or others (mode 0775); plugins must not be",
			  p1));
	CU_ASSERT_EQUAL(colink_loader_scan(l, collect, &r, &err), COLINK_OK);
	CU_ASSERT_EQUAL(colink_loader_count(l), 0);
	CU_ASSERT_EQUAL_FATAL(r.n, 2);
	want = tu_fmt("%s: is writable by group or others (mode 0775); plugins must not be",
		      p1);
	CU_ASSERT_STRING_EQUAL(r.msg[0], want);
	free(want);
	want = tu_fmt("%s: duplicate plugin name 'tp_good' (shadowed by %s, which was refused)",
		      p2, p1);
	CU_ASSERT_STRING_EQUAL(r.msg[1], want);
	free(want);
	reports_free(&r);
	colink_loader_free(l);
	free(p1);
	free(p2);
	tu_rmtree(d1);
	tu_rmtree(d2);
	free(d1);
	free(d2);
}

static void test_loader__scan_loads_good_and_reports_each_refusal(void)
{
	static const char *const tps[] = { "tp_badabi", "tp_badname", "tp_good",
					   "tp_noentry", "tp_short" };
	char *d = fresh_dir("ld-scan"), *paths[5], *extra, *want[6];
	struct colink_loader *l;
	struct reports r = { 0 };
	struct colink_error err;
	size_t i;
	for (i = 0; i < 5; i++)
		paths[i] = install(d, tps[i], 0755);
	/* Not plugins: skipped silently (no .so suffix, dot file). */
	extra = tu_fmt("%s/README", d);
	CU_ASSERT_FATAL(tu_write_file(extra, "x", 1) == 0);
	free(extra);
	extra = tu_fmt("%s/.hidden.so", d);
	CU_ASSERT_FATAL(tu_write_file(extra, "x", 1) == 0);
	free(extra);
	/* A .so whose name is not a plugin name: reported. */
	extra = install_as(d, "tp_good", "Bad-Name", 0755);
	l = loader_for(d, "/nonexistent/colink-plugins");
	CU_ASSERT_EQUAL(colink_loader_scan(l, collect, &r, &err), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(colink_loader_count(l), 1);
	CU_ASSERT_STRING_EQUAL(colink_loader_at(l, 0)->desc->name, "tp_good");
	want[0] = tu_fmt("%s: file name is not a valid plugin name 'Bad-Name'; names must match [a-z][a-z0-9_]{0,63}",
			 extra);
	want[1] = tu_fmt("%s: was built for plugin ABI %d.x; this colink supports %d.x",
			 paths[0], COLINK_ABI_MAJOR + 1, COLINK_ABI_MAJOR);
	want[2] = tu_fmt("%s: declares name 'other' but the file is tp_badname.so",
			 paths[1]);
	want[3] = tu_fmt("%s: has no colink_plugin_entry symbol", paths[3]);
	want[4] = tu_fmt("%s: descriptor too small (16 bytes, need at least %zu)",
			 paths[4], offsetof(struct colink_plugin, output) + sizeof(void *));
	CU_ASSERT_EQUAL_FATAL(r.n, 5);
	for (i = 0; i < 5; i++) {
		CU_ASSERT_STRING_EQUAL(r.msg[i], want[i]);
		free(want[i]);
	}
	CU_ASSERT_EQUAL(r.code[1], COLINK_EABI);
	CU_ASSERT_EQUAL(r.code[3], COLINK_ENOTFOUND);
	/* A second scan finds the cached plugin and loads nothing twice. */
	CU_ASSERT_EQUAL(colink_loader_scan(l, NULL, NULL, &err), COLINK_OK);
	CU_ASSERT_EQUAL(colink_loader_count(l), 1);
	reports_free(&r);
	colink_loader_free(l);
	for (i = 0; i < 5; i++)
		free(paths[i]);
	free(extra);
	tu_rmtree(d);
	free(d);
}

static void test_loader__invalid_names_refused(void)
{
	static const char *const bad[] = { "../x", "A", "", "a-b", "x.so",
					   "a/b", "_x", "9x" };
	struct colink_loader *l = loader_for("/nonexistent", NULL);
	const struct colink_loaded_plugin *p = NULL;
	struct colink_error err;
	char n64[65], n65[66];
	size_t i;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_err(colink_loader_get(l, bad[i], &p, &err), &err, COLINK_EINVAL,
			   tu_fmt("invalid plugin name '%s'; names must match [a-z][a-z0-9_]{0,63}",
				  bad[i]));
	expect_err(colink_loader_get(l, "a\nb", &p, &err), &err, COLINK_EINVAL,
		   strdup("invalid plugin name 'a?b'; names must match [a-z][a-z0-9_]{0,63}"));
	expect_err(colink_loader_get(l, NULL, &p, &err), &err, COLINK_EINVAL,
		   strdup("invalid plugin name '(null)'; names must match [a-z][a-z0-9_]{0,63}"));
	/* 64 characters is the longest valid name; 65 is refused. */
	memset(n64, 'a', 64);
	n64[64] = '\0';
	memset(n65, 'a', 65);
	n65[65] = '\0';
	CU_ASSERT_EQUAL(colink_loader_get(l, n64, &p, &err), COLINK_ENOTFOUND);
	expect_err(colink_loader_get(l, n65, &p, &err), &err, COLINK_EINVAL,
		   tu_fmt("invalid plugin name '%s...'; names must match [a-z][a-z0-9_]{0,63}",
			  n64));
	colink_loader_free(l);
}

static void test_loader__not_found_lists_dirs(void)
{
	char *d1 = fresh_dir("ld-nf1"), *d2 = fresh_dir("ld-nf2");
	struct colink_loader *l = loader_for(d1, d2);
	const struct colink_loaded_plugin *p = (void *)1;
	struct colink_error err;
	expect_err(colink_loader_get(l, "nosuch", &p, &err), &err, COLINK_ENOTFOUND,
		   tu_fmt("plugin 'nosuch' not found in: %s, %s", d1, d2));
	CU_ASSERT_PTR_NULL(p);
	colink_loader_free(l);
	l = loader_for(NULL, NULL);
	expect_err(colink_loader_get(l, "nosuch", &p, &err), &err, COLINK_ENOTFOUND,
		   strdup("plugin 'nosuch' not found in: (no plugin directories)"));
	colink_loader_free(l);
	tu_rmtree(d1);
	tu_rmtree(d2);
	free(d1);
	free(d2);
}

static void test_loader__empty_dir_entry_refused(void)
{
	const char *dirs[] = { "/usr/lib", "", NULL };
	struct colink_loader *l = (void *)1;
	struct colink_error err;
	expect_err(colink_loader_new(&l, dirs, &err), &err, COLINK_EINVAL,
		   strdup("plugin search directory 2 is empty"));
	CU_ASSERT_PTR_NULL(l);
}

static void test_loader__check_file(void)
{
	char *d = fresh_dir("ld-chk"), *good = install(d, "tp_good", 0755);
	char *bad = install(d, "tp_badname", 0755);
	char *renamed = install_as(d, "tp_good", "renamed", 0755);
	struct colink_error err;
	CU_ASSERT_EQUAL(colink_loader_check_file(good, "tp_good", &err), COLINK_OK);
	CU_ASSERT_EQUAL(colink_loader_check_file(good, NULL, &err), COLINK_OK);
	expect_err(colink_loader_check_file(bad, NULL, &err), &err, COLINK_EINVAL,
		   tu_fmt("%s: declares name 'other' but the file is tp_badname.so", bad));
	expect_err(colink_loader_check_file(renamed, NULL, &err), &err, COLINK_EINVAL,
		   tu_fmt("%s: declares name 'tp_good' but the file is renamed.so",
			  renamed));
	expect_err(colink_loader_check_file(good, "../x", &err), &err, COLINK_EINVAL,
		   tu_fmt("%s: invalid plugin name '../x'; names must match [a-z][a-z0-9_]{0,63}",
			  good));
	/* No '/': opened as ./PATH, never searched for on the library path. */
	expect_err(colink_loader_check_file("tp_nosuch_xyz.so", NULL, &err), &err,
		   COLINK_ENOTFOUND,
		   strdup("./tp_nosuch_xyz.so: cannot stat: No such file or directory"));
	free(good);
	free(bad);
	free(renamed);
	tu_rmtree(d);
	free(d);
}

static void test_loader__free_null(void)
{
	colink_loader_free(NULL);
	CU_ASSERT_EQUAL(colink_loader_count(NULL), 0);
	CU_ASSERT_PTR_NULL(colink_loader_at(NULL, 0));
}

/* Fail the k-th allocation for k = 0, 1, ... through new, get and scan:
 * each attempt ends in COLINK_ENOMEM or success, and ASan sees no leak. */
static void test_loader__alloc_failure_is_clean(void)
{
	char *d1 = fresh_dir("ld-oom1"), *d2 = fresh_dir("ld-oom2");
	char *paths[4];
	const char *dirs[3] = { d1, d2, NULL };
	long k;
	int succeeded = 0, failed = 0;
	paths[0] = install(d1, "tp_good", 0755);
	paths[1] = install(d1, "tp_badabi", 0755);
	paths[2] = install(d2, "tp_good", 0755);
	paths[3] = install(d2, "tp_short", 0755);
	for (k = 0; k < 1000 && !succeeded; k++) {
		struct colink_loader *l = NULL;
		const struct colink_loaded_plugin *p = NULL;
		struct reports r = { 0 };
		struct colink_error err;
		int rc;
		colink_error_clear(&err);
		colink_alloc_fail_after(k);
		rc = colink_loader_new(&l, dirs, &err);
		if (rc == COLINK_OK)
			rc = colink_loader_get(l, "tp_good", &p, &err);
		if (rc == COLINK_OK)
			rc = colink_loader_scan(l, collect, &r, &err);
		if (rc == COLINK_OK)
			rc = colink_loader_check_file(paths[0], NULL, &err);
		colink_alloc_fail_after(-1);
		if (rc == COLINK_OK) {
			succeeded = 1;
			CU_ASSERT_EQUAL(colink_loader_count(l), 1);
			CU_ASSERT_EQUAL(r.n, 3);
		} else {
			failed++;
			CU_ASSERT_EQUAL(rc, COLINK_ENOMEM);
			CU_ASSERT_EQUAL(err.code, COLINK_ENOMEM);
			CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "out of memory"));
		}
		reports_free(&r);
		colink_loader_free(l);
	}
	CU_ASSERT(succeeded);
	CU_ASSERT(failed > 5);
	for (k = 0; k < 4; k++)
		free(paths[k]);
	tu_rmtree(d1);
	tu_rmtree(d2);
	free(d1);
	free(d2);
}

static const struct tu_test tests[] = {
	TU_TEST_AS("good_loads", test_loader__good_loads),
	TU_TEST_AS("cache_returns_same_pointer", test_loader__cache_returns_same_pointer),
	TU_TEST_AS("bad_abi_refused", test_loader__bad_abi_refused),
	TU_TEST_AS("old_major_refused", test_loader__old_major_refused),
	TU_TEST_AS("small_settings_stride_refused", test_loader__small_settings_stride_refused),
	TU_TEST_AS("short_descriptor_refused", test_loader__short_descriptor_refused),
	TU_TEST_AS("no_entry_refused", test_loader__no_entry_refused),
	TU_TEST_AS("name_mismatch_refused", test_loader__name_mismatch_refused),
	TU_TEST_AS("group_writable_refused", test_loader__group_writable_refused),
	TU_TEST_AS("other_writable_refused", test_loader__other_writable_refused),
	TU_TEST_AS("dir_writable_by_others_refused_unless_sticky",
		   test_loader__dir_writable_by_others_refused_unless_sticky),
	TU_TEST_AS("symlink_refused", test_loader__symlink_refused),
	TU_TEST_AS("directory_refused", test_loader__directory_refused),
	TU_TEST_AS("garbage_file_refused_with_dlerror",
		   test_loader__garbage_file_refused_with_dlerror),
	TU_TEST_AS("duplicate_first_wins_and_scan_reports",
		   test_loader__duplicate_first_wins_and_scan_reports),
	TU_TEST_AS("refused_first_shadows_later", test_loader__refused_first_shadows_later),
	TU_TEST_AS("scan_loads_good_and_reports_each_refusal",
		   test_loader__scan_loads_good_and_reports_each_refusal),
	TU_TEST_AS("invalid_names_refused", test_loader__invalid_names_refused),
	TU_TEST_AS("not_found_lists_dirs", test_loader__not_found_lists_dirs),
	TU_TEST_AS("empty_dir_entry_refused", test_loader__empty_dir_entry_refused),
	TU_TEST_AS("check_file", test_loader__check_file),
	TU_TEST_AS("free_null", test_loader__free_null),
	TU_TEST_AS("alloc_failure_is_clean", test_loader__alloc_failure_is_clean),
	TU_END
};

int main(void)
{
	if (tu_add_suite("loader", NULL, NULL, tests))
		return 1;
	return tu_run_suites();
}
