/*
 * loader.c -- finding and loading plugins with dlopen (see loader.h).
 *
 * Order of checks for one candidate file, cheapest and safest first, so
 * that nothing from an unsafe file runs:
 *   1. lstat: refuse a symlink, a non-regular file, a file writable by
 *      group or others;
 *   2. stat of the containing directory: refuse one writable by others
 *      without the sticky bit (anyone could swap the file between our
 *      check and dlopen).  Only the immediate directory is checked, and
 *      only o+w: group-writable directories are common on shared installs
 *      (Debian's /usr/local/lib is root:staff 2775);
 *   3. dlopen(RTLD_NOW | RTLD_LOCAL), dlsym(colink_plugin_entry), entry();
 *   4. the descriptor: abi_major first (a future major may lay out
 *      everything after it differently; a plugin built for ABI 1.x is
 *      refused here), then struct_size, and only then the ABI 2.0 members
 *      that struct_size covers; then the ops table's struct_size and the
 *      settings table's stride (setting_size).  The descriptor is
 *      never copied: the loader keeps the plugin's own pointer, so a
 *      descriptor built against a shorter or longer struct is never read
 *      or copied at the host's size (the Fluent Bit crash, STYLE.md).
 *
 * The check in 1-2 and dlopen in 3 are not atomic; the directory check is
 * what makes the window harmless (only the owner or root can replace the
 * file).
 *
 * Plugin names are checked against [a-z][a-z0-9_]{0,63} before any path
 * is built, so a name can never reach outside the search directories.
 */
/* lstat, S_ISVTX, dlopen are POSIX/XSI, not C11. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "core/loader.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/alloc.h"

#define NAME_MAX_LEN 64
#define NAME_RULE "names must match [a-z][a-z0-9_]{0,63}"

/* Offset just past member `m` of struct `type`. */
#define MEMBER_END(type, m) (offsetof(type, m) + sizeof(((type *)0)->m))

/* The smallest descriptor this host accepts: ABI 2.0 ends with `output`. */
#define DESC_MIN_SIZE MEMBER_END(struct colink_plugin, output)
/* The smallest settings-table element: ABI 2.0 ends with `choices`. */
#define SETTING_MIN_SIZE MEMBER_END(struct colink_setting_def, choices)
/* A settings table longer than this is taken for a missing terminator. */
#define SETTINGS_MAX 256

_Static_assert(sizeof(colink_plugin_entry_fn) == sizeof(void *),
	       "dlsym result must convert to a function pointer");

struct colink_loader {
	char **dirs;                           /* owned copies */
	size_t ndirs;
	struct colink_loaded_plugin **plugins; /* owned; stable addresses */
	size_t n, cap;
};

/* ------------------------------------------------------------------ */
/* Names and paths                                                      */
/* ------------------------------------------------------------------ */

static int name_valid(const char *name)
{
	size_t i;
	if (!name || name[0] < 'a' || name[0] > 'z')
		return 0;
	for (i = 1; name[i]; i++) {
		char c = name[i];
		if (i >= NAME_MAX_LEN)
			return 0;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return 0;
	}
	return 1;
}

/* A name as it may appear in a one-line message: at most NAME_MAX_LEN
 * bytes, anything but printable ASCII (and the quote) shown as '?'. */
static const char *name_for_msg(char out[NAME_MAX_LEN + 4], const char *name)
{
	size_t i;
	if (!name)
		return "(null)";
	for (i = 0; name[i] && i < NAME_MAX_LEN; i++) {
		unsigned char c = (unsigned char)name[i];
		out[i] = (c > 0x20 && c < 0x7f && c != '\'') ? (char)c : '?';
	}
	if (name[i]) {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
	return out;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* DIR/NAME.so, without doubling a trailing '/'.  Caller frees. */
static char *join_path(const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name), total;
	int slash = dl > 0 && dir[dl - 1] == '/';
	char *p;
	if (colink_size_add(&total, dl, nl) ||
	    colink_size_add(&total, total, slash ? 4 : 5))
		return NULL;
	p = colink_malloc(total);
	if (!p)
		return NULL;
	memcpy(p, dir, dl);
	if (!slash)
		p[dl++] = '/';
	memcpy(p + dl, name, nl);
	memcpy(p + dl + nl, ".so", 4);
	return p;
}

/* ------------------------------------------------------------------ */
/* Checks on one file                                                   */
/* ------------------------------------------------------------------ */

static int check_stat(const char *path, struct colink_error *err)
{
	struct stat st;
	unsigned mode;
	if (lstat(path, &st) != 0) {
		int e = errno;
		return COLINK_ERR(err, e == ENOENT ? COLINK_ENOTFOUND : COLINK_EIO,
				  "%s: cannot stat: %s", path, strerror(e));
	}
	mode = (unsigned)(st.st_mode & 07777);
	if (S_ISLNK(st.st_mode))
		return COLINK_ERR(err, COLINK_EPERM,
				  "%s: is a symbolic link; plugins must be regular files",
				  path);
	if (!S_ISREG(st.st_mode))
		return COLINK_ERR(err, COLINK_EINVAL, "%s: is not a regular file",
				  path);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return COLINK_ERR(err, COLINK_EPERM,
				  "%s: is writable by group or others (mode %04o); plugins must not be",
				  path, mode);
	return COLINK_OK;
}

/* Refuse a containing directory writable by others without the sticky
 * bit: anyone could replace the plugin file in it. */
static int check_dir(const char *path, struct colink_error *err)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	struct stat st;
	int rc = COLINK_OK;
	if (!slash)
		dir = colink_strdup(".");
	else
		dir = colink_strndup(path, slash == path ? 1 : (size_t)(slash - path));
	if (!dir)
		return COLINK_ERR(err, COLINK_ENOMEM, "%s: out of memory", path);
	if (stat(dir, &st) != 0) {
		int e = errno;
		rc = COLINK_ERR(err, COLINK_EIO, "%s: cannot stat directory %s: %s",
				path, dir, strerror(e));
	} else if ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX)) {
		rc = COLINK_ERR(err, COLINK_EPERM,
				"%s: directory %s is writable by others without the sticky bit (mode %04o); plugins must not be loaded from it",
				path, dir, (unsigned)(st.st_mode & 07777));
	}
	colink_free(dir);
	return rc;
}

/* dlopen's message, without the path it usually starts with (the error
 * names the path once, first). */
static int dl_refusal(const char *path, const char *msg,
		      struct colink_error *err)
{
	size_t pl = strlen(path);
	if (!msg)
		msg = "unknown dlopen error";
	if (!strncmp(msg, path, pl) && msg[pl] == ':') {
		msg += pl + 1;
		while (*msg == ' ')
			msg++;
	}
	return COLINK_ERR(err, COLINK_EABI, "%s: cannot be loaded: %s", path, msg);
}

static int open_module(const char *path, void **handle,
		       const struct colink_plugin **desc,
		       struct colink_error *err)
{
	colink_plugin_entry_fn entry;
	void *h, *sym;
	(void)dlerror();
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return dl_refusal(path, dlerror(), err);
	(void)dlerror();
	sym = dlsym(h, COLINK_PLUGIN_ENTRY_SYMBOL);
	if (!sym) {
		dlclose(h);
		return COLINK_ERR(err, COLINK_ENOTFOUND, "%s: has no %s symbol",
				  path, COLINK_PLUGIN_ENTRY_SYMBOL);
	}
	/* object pointer -> function pointer: POSIX guarantees it works;
	 * memcpy keeps -Wpedantic quiet. */
	memcpy(&entry, &sym, sizeof(entry));
	*desc = entry();
	if (!*desc) {
		dlclose(h);
		return COLINK_ERR(err, COLINK_EABI, "%s: %s returned no descriptor",
				  path, COLINK_PLUGIN_ENTRY_SYMBOL);
	}
	*handle = h;
	return COLINK_OK;
}

static int check_input_ops(const char *path, const struct colink_input_ops *in,
			   struct colink_error *err)
{
	size_t need = MEMBER_END(struct colink_input_ops, read);
	if (!in)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "%s: input plugin without input operations", path);
	if (in->struct_size < need)
		return COLINK_ERR(err, COLINK_EABI,
				  "%s: input operations too small (%zu bytes, need at least %zu)",
				  path, in->struct_size, need);
	if (!in->read)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "%s: input plugin without a read operation", path);
	return COLINK_OK;
}

/* begin, write, commit and abort are required; input_begin, reject and
 * input_end may be NULL (the runner skips them). */
static int check_output_ops(const char *path,
			    const struct colink_output_ops *out,
			    struct colink_error *err)
{
	size_t need = MEMBER_END(struct colink_output_ops, abort);
	const char *missing = NULL;
	if (!out)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "%s: output plugin without output operations", path);
	if (out->struct_size < need)
		return COLINK_ERR(err, COLINK_EABI,
				  "%s: output operations too small (%zu bytes, need at least %zu)",
				  path, out->struct_size, need);
	if (!out->begin)
		missing = "begin";
	else if (!out->write)
		missing = "write";
	else if (!out->commit)
		missing = "commit";
	else if (!out->abort)
		missing = "abort";
	if (missing)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "%s: output plugin without a %s operation", path,
				  missing);
	return COLINK_OK;
}

static int check_name(const char *path, const struct colink_plugin *d,
		      const char *expect, struct colink_error *err)
{
	char shown[NAME_MAX_LEN + 4];
	if (!d->name)
		return COLINK_ERR(err, COLINK_EINVAL, "%s: declares no name", path);
	if (!name_valid(d->name))
		return COLINK_ERR(err, COLINK_EINVAL,
				  "%s: declares an invalid name '%s'; " NAME_RULE,
				  path, name_for_msg(shown, d->name));
	if (strcmp(d->name, expect) != 0)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "%s: declares name '%s' but the file is %s", path,
				  d->name, base_name(path));
	return COLINK_OK;
}

/* Validate a descriptor whose object may be smaller than ours: read
 * abi_major, then struct_size, then nothing beyond DESC_MIN_SIZE.  The
 * two leading members are read as bytes because until struct_size is
 * checked the object is not known to be a struct colink_plugin. */
static int check_desc(const char *path, const struct colink_plugin *d,
		      const char *expect, struct colink_error *err)
{
	const char *bytes = (const char *)d;
	int major, rc;
	size_t size;
	memcpy(&major, bytes + offsetof(struct colink_plugin, abi_major),
	       sizeof(major));
	if (major != COLINK_ABI_MAJOR)
		return COLINK_ERR(err, COLINK_EABI,
				  "%s: was built for plugin ABI %d.x; this colink supports %d.x",
				  path, major, COLINK_ABI_MAJOR);
	memcpy(&size, bytes + offsetof(struct colink_plugin, struct_size),
	       sizeof(size));
	if (size < DESC_MIN_SIZE)
		return COLINK_ERR(err, COLINK_EABI,
				  "%s: descriptor too small (%zu bytes, need at least %zu)",
				  path, size, (size_t)DESC_MIN_SIZE);
	rc = check_name(path, d, expect, err);
	if (rc)
		return rc;
	if (!d->init)
		return COLINK_ERR(err, COLINK_EINVAL, "%s: has no init operation", path);
	if (!d->fini)
		return COLINK_ERR(err, COLINK_EINVAL, "%s: has no fini operation", path);
	if (d->settings && d->setting_size < SETTING_MIN_SIZE)
		return COLINK_ERR(err, COLINK_EABI,
				  "%s: settings table stride too small (%zu bytes, need at least %zu)",
				  path, d->setting_size, (size_t)SETTING_MIN_SIZE);
	if (d->kind == COLINK_PLUGIN_INPUT)
		return check_input_ops(path, d->input, err);
	if (d->kind == COLINK_PLUGIN_OUTPUT)
		return check_output_ops(path, d->output, err);
	return COLINK_ERR(err, COLINK_EINVAL, "%s: declares an unknown kind (%d)",
			  path, d->kind);
}

/*
 * The descriptor's settings table at the host's own stride, so that the
 * core (settings.c, `colink plugins`, docs) indexes it as an ordinary
 * array: each element is read through the plugin's `setting_size` and
 * only its first min(setting_size, ours) bytes are copied; members the
 * plugin's ABI lacks stay zero.  Terminated by a NULL name, as declared.
 */
static int copy_settings(const char *path, const struct colink_plugin *d,
			 struct colink_setting_def **out, struct colink_error *err)
{
	size_t n = 0, i, take;
	struct colink_setting_def *t;
	*out = NULL;
	while (d->settings && n <= SETTINGS_MAX &&
	       COLINK_AT(struct colink_setting_def, d->settings, d->setting_size, n)->name)
		n++;
	if (n > SETTINGS_MAX)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "%s: settings table has more than %d entries (missing terminator?)",
				  path, SETTINGS_MAX);
	t = colink_calloc(n + 1, sizeof(*t));
	if (!t)
		return COLINK_ERR(err, COLINK_ENOMEM, "%s: out of memory loading plugin", path);
	take = d->setting_size < sizeof(*t) ? d->setting_size : sizeof(*t);
	for (i = 0; i < n; i++)
		memcpy(&t[i], COLINK_AT(struct colink_setting_def, d->settings,
					d->setting_size, i), take);
	*out = t;
	return COLINK_OK;
}

/* All checks; on success the module stays open and *handle / *desc are
 * set.  `path` must contain a '/' so that dlopen never searches. */
static int load_file(const char *path, const char *expect, void **handle,
		     const struct colink_plugin **desc, struct colink_error *err)
{
	int rc = check_stat(path, err);
	if (!rc)
		rc = check_dir(path, err);
	if (!rc)
		rc = open_module(path, handle, desc, err);
	if (rc)
		return rc;
	rc = check_desc(path, *desc, expect, err);
	if (rc) {
		dlclose(*handle);
		*handle = NULL;
		*desc = NULL;
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* The loader                                                           */
/* ------------------------------------------------------------------ */

int colink_loader_new(struct colink_loader **out, const char *const *dirs,
		      struct colink_error *err)
{
	struct colink_loader *l;
	size_t n = 0, i;
	if (!out)
		return COLINK_ERR(err, COLINK_EINVAL, "colink_loader_new: no output");
	*out = NULL;
	while (dirs && dirs[n]) {
		/* An empty entry would mean "the current directory", as in
		 * $PATH: never search there implicitly. */
		if (!dirs[n][0])
			return COLINK_ERR(err, COLINK_EINVAL,
					  "plugin search directory %zu is empty", n + 1);
		n++;
	}
	l = colink_calloc(1, sizeof(*l));
	if (!l)
		goto nomem;
	if (n) {
		l->dirs = colink_calloc(n, sizeof(*l->dirs));
		if (!l->dirs)
			goto nomem;
	}
	for (i = 0; i < n; i++) {
		l->dirs[i] = colink_strdup(dirs[i]);
		if (!l->dirs[i])
			goto nomem;
		l->ndirs = i + 1;
	}
	*out = l;
	return COLINK_OK;
nomem:
	colink_loader_free(l);
	return COLINK_ERR(err, COLINK_ENOMEM,
			  "out of memory creating the plugin loader");
}

void colink_loader_free(struct colink_loader *l)
{
	size_t i;
	if (!l)
		return;
	for (i = l->n; i-- > 0;) {
		dlclose(l->plugins[i]->handle);
		colink_free(l->plugins[i]->path);
		colink_free(l->plugins[i]->settings);
		colink_free(l->plugins[i]);
	}
	colink_free(l->plugins);
	for (i = 0; i < l->ndirs; i++)
		colink_free(l->dirs[i]);
	colink_free(l->dirs);
	colink_free(l);
}

static struct colink_loaded_plugin *find_cached(const struct colink_loader *l,
						const char *name)
{
	size_t i;
	for (i = 0; i < l->n; i++)
		if (!strcmp(l->plugins[i]->desc->name, name))
			return l->plugins[i];
	return NULL;
}

/* Load `path` (a file named `name`.so) and keep it.  On failure nothing
 * is kept and the module is closed. */
static int load_and_add(struct colink_loader *l, const char *path,
			const char *name, const struct colink_loaded_plugin **out,
			struct colink_error *err)
{
	struct colink_loaded_plugin *p = NULL;
	const struct colink_plugin *desc;
	void *handle;
	int rc = load_file(path, name, &handle, &desc, err);
	if (rc)
		return rc;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap : 4, bytes;
		struct colink_loaded_plugin **np;
		if ((l->cap && colink_size_mul(&cap, l->cap, 2)) ||
		    colink_size_mul(&bytes, cap, sizeof(*np)))
			goto nomem;
		np = colink_realloc(l->plugins, bytes);
		if (!np)
			goto nomem;
		l->plugins = np;
		l->cap = cap;
	}
	p = colink_calloc(1, sizeof(*p));
	if (!p || !(p->path = colink_strdup(path)))
		goto nomem;
	rc = copy_settings(path, desc, &p->settings, err);
	if (rc) {
		colink_free(p->path);
		colink_free(p);
		dlclose(handle);
		return rc;
	}
	p->desc = desc;
	p->handle = handle;
	l->plugins[l->n++] = p;
	if (out)
		*out = p;
	return COLINK_OK;
nomem:
	if (p)
		colink_free(p->path);
	colink_free(p);
	dlclose(handle);
	return COLINK_ERR(err, COLINK_ENOMEM, "%s: out of memory loading plugin",
			  path);
}

static void buf_append(char *buf, size_t cap, size_t *len, const char *s)
{
	size_t n = strlen(s);
	if (*len + 1 >= cap)
		return;
	if (n > cap - 1 - *len)
		n = cap - 1 - *len;
	memcpy(buf + *len, s, n);
	*len += n;
	buf[*len] = '\0';
}

static int not_found(const struct colink_loader *l, const char *name,
		     struct colink_error *err)
{
	char list[COLINK_ERRMSG_MAX];
	size_t len = 0, i;
	list[0] = '\0';
	for (i = 0; i < l->ndirs; i++) {
		if (i)
			buf_append(list, sizeof(list), &len, ", ");
		buf_append(list, sizeof(list), &len, l->dirs[i]);
	}
	if (!l->ndirs)
		buf_append(list, sizeof(list), &len, "(no plugin directories)");
	return COLINK_ERR(err, COLINK_ENOTFOUND, "plugin '%s' not found in: %s",
			  name, list);
}

/*
 * The first directory holding NAME.so decides: if that file is refused,
 * the error is returned and later directories are not tried, so a broken
 * or unsafe plugin is never silently replaced by another of the same name.
 */
int colink_loader_get(struct colink_loader *l, const char *name,
		      const struct colink_loaded_plugin **out,
		      struct colink_error *err)
{
	char shown[NAME_MAX_LEN + 4];
	struct colink_loaded_plugin *p;
	size_t i;
	if (out)
		*out = NULL;
	if (!l || !out)
		return COLINK_ERR(err, COLINK_EINVAL, "colink_loader_get: no loader or output");
	if (!name_valid(name))
		return COLINK_ERR(err, COLINK_EINVAL,
				  "invalid plugin name '%s'; " NAME_RULE,
				  name_for_msg(shown, name));
	p = find_cached(l, name);
	if (p) {
		*out = p;
		return COLINK_OK;
	}
	for (i = 0; i < l->ndirs; i++) {
		struct stat st;
		char *path = join_path(l->dirs[i], name);
		int rc;
		if (!path)
			return COLINK_ERR(err, COLINK_ENOMEM,
					  "out of memory looking for plugin '%s'", name);
		if (lstat(path, &st) != 0 && (errno == ENOENT || errno == ENOTDIR)) {
			colink_free(path);
			continue;
		}
		/* Any other lstat failure is reported by load_file. */
		rc = load_and_add(l, path, name, out, err);
		colink_free(path);
		return rc;
	}
	return not_found(l, name, err);
}

/* ------------------------------------------------------------------ */
/* Scanning                                                             */
/* ------------------------------------------------------------------ */

typedef void (*on_error_fn)(void *ud, const struct colink_error *e);

static void report(on_error_fn on_error, void *ud, const struct colink_error *e)
{
	if (on_error)
		on_error(ud, e);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		colink_free(names[i]);
	colink_free(names);
}

/* Add "X.so" to the list as "X" (file names are bounded by NAME_MAX, so
 * the stem length cannot overflow). */
static int push_stem(char ***names, size_t *n, size_t *cap, const char *file)
{
	size_t len = strlen(file);
	char *stem;
	if (*n == *cap) {
		size_t nc = *cap ? *cap : 16, bytes;
		char **nn;
		if ((*cap && colink_size_mul(&nc, *cap, 2)) ||
		    colink_size_mul(&bytes, nc, sizeof(*nn)))
			return COLINK_ENOMEM;
		nn = colink_realloc(*names, bytes);
		if (!nn)
			return COLINK_ENOMEM;
		*names = nn;
		*cap = nc;
	}
	stem = colink_strndup(file, len - 3);
	if (!stem)
		return COLINK_ENOMEM;
	(*names)[(*n)++] = stem;
	return COLINK_OK;
}

/* The stems of DIR's *.so entries (dot files skipped), sorted so that the
 * scan order does not depend on readdir.  A missing directory is empty;
 * an unreadable one is reported and treated as empty. */
static int list_dir(const char *dir, on_error_fn on_error, void *ud,
		    char ***names, size_t *n, struct colink_error *err)
{
	size_t cap = 0;
	struct dirent *de;
	DIR *d = opendir(dir);
	*names = NULL;
	*n = 0;
	if (!d) {
		int e = errno;
		struct colink_error rep;
		if (e == ENOENT || e == ENOTDIR)
			return COLINK_OK;
		COLINK_ERR(&rep, COLINK_EIO, "%s: cannot read plugin directory: %s",
			   dir, strerror(e));
		report(on_error, ud, &rep);
		return COLINK_OK;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= 3 ||
		    strcmp(de->d_name + len - 3, ".so") != 0)
			continue;
		if (push_stem(names, n, &cap, de->d_name)) {
			closedir(d);
			free_names(*names, *n);
			*names = NULL;
			*n = 0;
			return COLINK_ERR(err, COLINK_ENOMEM,
					  "%s: out of memory listing plugins", dir);
		}
	}
	closedir(d);
	if (*n)
		qsort(*names, *n, sizeof(**names), cmp_str);
	return COLINK_OK;
}

/* Index of the first search directory holding NAME.so (any file type),
 * or ndirs. */
static size_t first_dir_with(const struct colink_loader *l, const char *name,
			     int *nomem)
{
	size_t i;
	for (i = 0; i < l->ndirs; i++) {
		struct stat st;
		char *path = join_path(l->dirs[i], name);
		int found;
		if (!path) {
			*nomem = 1;
			return l->ndirs;
		}
		found = lstat(path, &st) == 0;
		colink_free(path);
		if (found)
			return i;
	}
	return l->ndirs;
}

/* Report one refusal found while scanning. */
static void report_fmt(on_error_fn on_error, void *ud, int code,
		       const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;

static void report_fmt(on_error_fn on_error, void *ud, int code,
		       const char *fmt, ...)
{
	struct colink_error rep;
	va_list ap;
	if (!on_error)
		return;
	va_start(ap, fmt);
	colink_error_vset(&rep, code, __FILE__, __LINE__, fmt, ap);
	va_end(ap);
	on_error(ud, &rep);
}

/* Decide and act on DIRS[i]/NAME.so during a scan, resolving NAME the
 * same way colink_loader_get does (the first directory holding NAME.so
 * decides).  Only ENOMEM is returned; every refusal goes to on_error. */
static int scan_one(struct colink_loader *l, size_t i, const char *name,
		    on_error_fn on_error, void *ud, struct colink_error *err)
{
	struct colink_loaded_plugin *have = NULL;
	char shown[NAME_MAX_LEN + 4];
	int nomem = 0, rc = COLINK_OK;
	size_t first;
	char *path = join_path(l->dirs[i], name), *other;
	if (!path)
		return COLINK_ERR(err, COLINK_ENOMEM,
				  "%s: out of memory scanning plugins", l->dirs[i]);
	if (!name_valid(name)) {
		report_fmt(on_error, ud, COLINK_EINVAL,
			   "%s: file name is not a valid plugin name '%s'; " NAME_RULE,
			   path, name_for_msg(shown, name));
	} else if ((have = find_cached(l, name)) != NULL) {
		if (strcmp(have->path, path) != 0)
			report_fmt(on_error, ud, COLINK_EINVAL,
				   "%s: duplicate plugin name '%s' (already loaded from %s)",
				   path, name, have->path);
	} else if ((first = first_dir_with(l, name, &nomem)) < i) {
		other = join_path(l->dirs[first], name);
		report_fmt(on_error, ud, COLINK_EINVAL,
			   "%s: duplicate plugin name '%s' (shadowed by %s, which was refused)",
			   path, name, other ? other : l->dirs[first]);
		colink_free(other);
	} else if (nomem) {
		rc = COLINK_ERR(err, COLINK_ENOMEM,
				"%s: out of memory scanning plugins", path);
	} else {
		struct colink_error rep;
		rc = load_and_add(l, path, name, NULL, &rep);
		if (rc == COLINK_ENOMEM)
			colink_error_set(err, rep.code, rep.src_file, rep.src_line, "%s", rep.msg);
		else if (rc)
			report(on_error, ud, &rep);
		if (rc != COLINK_ENOMEM)
			rc = COLINK_OK;
	}
	colink_free(path);
	return rc;
}

int colink_loader_scan(struct colink_loader *l,
		       void (*on_error)(void *ud, const struct colink_error *e),
		       void *ud, struct colink_error *err)
{
	size_t i, j;
	if (!l)
		return COLINK_ERR(err, COLINK_EINVAL, "colink_loader_scan: no loader");
	for (i = 0; i < l->ndirs; i++) {
		char **names;
		size_t n;
		int rc = list_dir(l->dirs[i], on_error, ud, &names, &n, err);
		if (rc)
			return rc;
		for (j = 0; j < n && !rc; j++)
			rc = scan_one(l, i, names[j], on_error, ud, err);
		free_names(names, n);
		if (rc)
			return rc;
	}
	return COLINK_OK;
}

size_t colink_loader_count(const struct colink_loader *l)
{
	return l ? l->n : 0;
}

const struct colink_loaded_plugin *colink_loader_at(const struct colink_loader *l,
						    size_t i)
{
	return l && i < l->n ? l->plugins[i] : NULL;
}

/* ------------------------------------------------------------------ */
/* Checking one file                                                    */
/* ------------------------------------------------------------------ */

/* `expect_name` NULL: the name is taken from the file name (without a
 * trailing ".so").  A path without '/' is opened as "./PATH" so that
 * dlopen never searches the library path. */
int colink_loader_check_file(const char *path, const char *expect_name,
			     struct colink_error *err)
{
	char stem[NAME_MAX_LEN + 1], shown[NAME_MAX_LEN + 4];
	const struct colink_plugin *desc;
	const char *base;
	char *local = NULL;
	void *handle;
	size_t len;
	int rc;
	if (!path || !*path)
		return COLINK_ERR(err, COLINK_EINVAL, "colink_loader_check_file: no path");
	if (!expect_name) {
		base = base_name(path);
		len = strlen(base);
		if (len > 3 && !strcmp(base + len - 3, ".so"))
			len -= 3;
		if (len > NAME_MAX_LEN)
			return COLINK_ERR(err, COLINK_EINVAL,
					  "%s: file name is too long for a plugin name; " NAME_RULE,
					  path);
		memcpy(stem, base, len);
		stem[len] = '\0';
		expect_name = stem;
	}
	if (!name_valid(expect_name))
		return COLINK_ERR(err, COLINK_EINVAL,
				  "%s: invalid plugin name '%s'; " NAME_RULE, path,
				  name_for_msg(shown, expect_name));
	if (!strchr(path, '/')) {
		size_t n;
		if (colink_size_add(&n, strlen(path), 3) || !(local = colink_malloc(n)))
			return COLINK_ERR(err, COLINK_ENOMEM, "%s: out of memory", path);
		memcpy(local, "./", 2);
		memcpy(local + 2, path, n - 2);
		path = local;
	}
	rc = load_file(path, expect_name, &handle, &desc, err);
	if (!rc)
		dlclose(handle);
	colink_free(local);
	return rc;
}
