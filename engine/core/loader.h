/*
 * loader.h -- finding and loading plugins with dlopen.
 *
 * Search path (first match wins): directories given with --plugin-dir /
 * COLINK_PLUGIN_PATH (':'-separated), then the build tree when colink runs
 * uninstalled (see paths.h), then the installed pkglibdir.
 *
 * A candidate file is NAME.so.  The loader refuses, with a clear one-line
 * error naming the file: a symlink or non-regular file; a file writable by
 * group or others; a missing entry symbol; an ABI major mismatch; a
 * descriptor whose struct_size is smaller than the ABI 2.0 descriptor, or
 * an ops table or settings stride smaller than ABI 2.0's; a
 * name in the descriptor that differs from the file name; a kind that is not
 * input/output or whose ops table is missing; two files providing the same
 * plugin name in one directory list scan (duplicate).
 */
#ifndef COLINK_LOADER_H
#define COLINK_LOADER_H

#include <stddef.h>

#include "colink/plugin.h"

struct colink_loaded_plugin {
	const struct colink_plugin *desc; /* borrowed from the module */
	/* owned: desc->settings at the host's stride, NULL-name terminated
	 * (read this, never desc->settings directly) */
	struct colink_setting_def *settings;
	void *handle;                     /* dlopen handle */
	char *path;                       /* file it came from */
};

struct colink_loader;

/* `dirs` is a NULL-terminated list of directories searched in order.  The
 * loader copies it. */
int colink_loader_new(struct colink_loader **out, const char *const *dirs,
		      struct colink_error *err);
void colink_loader_free(struct colink_loader *l); /* dlcloses all; NULL ok */

/* Find and load plugin `name` (loaded once, then cached).  *out borrowed
 * until colink_loader_free. */
int colink_loader_get(struct colink_loader *l, const char *name,
		      const struct colink_loaded_plugin **out,
		      struct colink_error *err);

/* Load every *.so in the search path (for `colink plugins`).  Files that
 * fail are reported through `on_error` (may be NULL) and skipped.  A
 * plugin name found in two directories: the first wins and the second is
 * reported as a duplicate. */
int colink_loader_scan(struct colink_loader *l,
		       void (*on_error)(void *ud, const struct colink_error *e),
		       void *ud, struct colink_error *err);

size_t colink_loader_count(const struct colink_loader *l);
const struct colink_loaded_plugin *colink_loader_at(const struct colink_loader *l,
						    size_t i);

/* Check one file without keeping it (tests): same refusals as above. */
int colink_loader_check_file(const char *path, const char *expect_name,
			     struct colink_error *err);

#endif
