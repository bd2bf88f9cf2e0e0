/* paths.c -- see paths.h */
#include "base/paths.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/alloc.h"
#include "base/util.h"

#ifndef COLINK_PKGLIBDIR
#define COLINK_PKGLIBDIR "/usr/local/lib/colink"
#endif
#ifndef COLINK_PKGDATADIR
#define COLINK_PKGDATADIR "/usr/local/share/colink"
#endif
#ifndef COLINK_BUILD_TOP
#define COLINK_BUILD_TOP ""
#endif
#ifndef COLINK_SRC_TOP
#define COLINK_SRC_TOP ""
#endif

int colink_running_uninstalled(void)
{
	char exe[PATH_MAX], top[PATH_MAX];
	char *slash;
	if (!COLINK_BUILD_TOP[0] || !realpath("/proc/self/exe", exe) ||
	    !realpath(COLINK_BUILD_TOP, top))
		return 0;
	slash = strrchr(exe, '/');
	if (!slash)
		return 0;
	*slash = '\0';
	return strcmp(exe, top) == 0;
}

const char *colink_data_dir(const char *override)
{
	static char buf[PATH_MAX];
	const char *env = getenv("COLINK_DATA_DIR");
	if (override && *override)
		snprintf(buf, sizeof(buf), "%s", override);
	else if (env && *env)
		snprintf(buf, sizeof(buf), "%s", env);
	else if (colink_running_uninstalled())
		snprintf(buf, sizeof(buf), "%s/mappings", COLINK_SRC_TOP);
	else
		snprintf(buf, sizeof(buf), "%s/mappings", COLINK_PKGDATADIR);
	return buf;
}

static int push(char ***v, size_t *n, size_t *cap, const char *s, size_t len)
{
	char *d;
	if (*n + 2 > *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		char **nv = colink_realloc(*v, nc * sizeof(char *));
		if (!nv)
			return -1;
		*v = nv;
		*cap = nc;
		nv[*n] = NULL; /* stay terminated even if the copy below fails */
	}
	d = colink_strndup(s, len);
	if (!d)
		return -1;
	(*v)[(*n)++] = d;
	(*v)[*n] = NULL;
	return 0;
}

static int push_list(char ***v, size_t *n, size_t *cap, const char *list)
{
	const char *p = list;
	while (p && *p) {
		const char *c = strchr(p, ':');
		size_t l = c ? (size_t)(c - p) : strlen(p);
		if (l && push(v, n, cap, p, l))
			return -1;
		p = c ? c + 1 : NULL;
	}
	return 0;
}

/* Build-tree plugin folders: <top>/plugins/<name>/.libs, sorted. */
static int push_build_tree(char ***v, size_t *n, size_t *cap)
{
	char base[PATH_MAX], path[PATH_MAX + 320];
	struct dirent **ents = NULL;
	int k, i, rc = 0;
	snprintf(base, sizeof(base), "%s/plugins", COLINK_BUILD_TOP);
	k = scandir(base, &ents, NULL, alphasort);
	for (i = 0; i < k; i++) {
		struct stat st;
		if (ents[i]->d_name[0] != '.' && !rc) {
			snprintf(path, sizeof(path), "%s/%s/.libs", base,
				 ents[i]->d_name);
			if (!stat(path, &st) && S_ISDIR(st.st_mode))
				rc = push(v, n, cap, path, strlen(path));
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

char **colink_plugin_dirs(const char *extra)
{
	char **v = NULL;
	size_t n = 0, cap = 0;
	if (push_list(&v, &n, &cap, extra) ||
	    push_list(&v, &n, &cap, getenv("COLINK_PLUGIN_PATH")) ||
	    (colink_running_uninstalled() && push_build_tree(&v, &n, &cap)) ||
	    push(&v, &n, &cap, COLINK_PKGLIBDIR, strlen(COLINK_PKGLIBDIR))) {
		colink_plugin_dirs_free(v);
		return NULL;
	}
	return v;
}

void colink_plugin_dirs_free(char **dirs)
{
	size_t i;
	for (i = 0; dirs && dirs[i]; i++)
		colink_free(dirs[i]);
	colink_free(dirs);
}

int colink_mkdir_parents(const char *path)
{
	char buf[4096];
	size_t n, i;
	const char *slash = strrchr(path, '/');
	if (!slash || slash == path)
		return 0;
	n = (size_t)(slash - path);
	if (n >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, path, n);
	buf[n] = '\0';
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0700) && errno != EEXIST)
			return -1;
		if (i < n)
			buf[i] = '/';
	}
	return 0;
}
