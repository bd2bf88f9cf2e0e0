/*
 * paths.h -- where colink finds its data files and plugins.
 *
 * colink runs "uninstalled" when its executable sits at the top of the build
 * tree it was configured in (so `./colink` works right after `make`); then
 * data comes from the source tree's mappings/ and plugins from the build
 * tree's plugins/<name>/.libs.  Installed, they come from $(pkgdatadir) and
 * $(pkglibdir).  COLINK_DATA_DIR and COLINK_PLUGIN_PATH override both.
 */
#ifndef COLINK_PATHS_H
#define COLINK_PATHS_H

/* 1 when running from the build tree. */
int colink_running_uninstalled(void);

/* The mappings directory (holding common/, schema/, vendors/ ...).
 * `override` (may be NULL) wins, then $COLINK_DATA_DIR.  Borrowed string,
 * valid until the next call. */
const char *colink_data_dir(const char *override);

/* A NULL-terminated list of plugin directories, caller frees with
 * colink_plugin_dirs_free: `extra` (':'-separated, may be NULL), then
 * $COLINK_PLUGIN_PATH, then the build tree (when uninstalled), then the
 * installed pkglibdir. */
char **colink_plugin_dirs(const char *extra);
void colink_plugin_dirs_free(char **dirs);

/* Create the missing directories above the file PATH, each mode 0700
 * (an existing one is left as it is).  0, or -1 with errno set. */
int colink_mkdir_parents(const char *path);

#endif
