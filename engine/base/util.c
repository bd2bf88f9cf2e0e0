/* util.c -- see util.h */
#include "base/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gcrypt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/text.h"

void colink_sha256_mem(const void *p, size_t n, char hex[65])
{
	unsigned char dg[32];
	gcry_md_hash_buffer(GCRY_MD_SHA256, dg, p, n);
	colink_hex(dg, 32, hex);
}

static int sha256_file(const char *path, char hex[65], uint64_t *size,
		       struct colink_error *err)
{
	gcry_md_hd_t md;
	unsigned char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;
	uint64_t total = 0;
	if (fd < 0)
		return COLINK_ERR(err, errno == ENOENT ? COLINK_ENOTFOUND : COLINK_EIO,
				  "%s: cannot open: %s", path, strerror(errno));
	buf = colink_malloc(1 << 16);
	if (!buf || gcry_md_open(&md, GCRY_MD_SHA256, 0)) {
		close(fd);
		colink_free(buf);
		return COLINK_ERR(err, COLINK_ENOMEM, "%s: out of memory hashing", path);
	}
	while ((r = read(fd, buf, 1 << 16)) > 0) {
		gcry_md_write(md, buf, (size_t)r);
		total += (uint64_t)r;
	}
	if (r < 0) {
		int e = errno;
		gcry_md_close(md);
		close(fd);
		colink_free(buf);
		return COLINK_ERR(err, COLINK_EIO, "%s: read error: %s", path, strerror(e));
	}
	colink_hex(gcry_md_read(md, GCRY_MD_SHA256), 32, hex);
	gcry_md_close(md);
	close(fd);
	colink_free(buf);
	if (size)
		*size = total;
	return COLINK_OK;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collect relative paths of regular files below dir/rel (recursive). */
static int collect(const char *root, const char *rel, char ***list, size_t *n,
		   size_t *cap, struct colink_error *err)
{
	char *dirp = rel[0] ? colink_path_join(root, rel) : colink_strdup(root);
	DIR *d = dirp ? opendir(dirp) : NULL;
	struct dirent *e;
	int rc = COLINK_OK;
	if (!d) {
		rc = COLINK_ERR(err, COLINK_EIO, "%s: cannot read directory", root);
		colink_free(dirp);
		return rc;
	}
	while (rc == COLINK_OK && (e = readdir(d))) {
		char *r, *full;
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		r = rel[0] ? colink_path_join(rel, e->d_name) : colink_strdup(e->d_name);
		full = r ? colink_path_join(root, r) : NULL;
		if (!r || !full || lstat(full, &st)) {
			colink_free(r);
			colink_free(full);
			rc = COLINK_ERR(err, COLINK_EIO, "%s: cannot stat entry", root);
			break;
		}
		colink_free(full);
		if (S_ISDIR(st.st_mode)) {
			rc = collect(root, r, list, n, cap, err);
			colink_free(r);
			continue;
		}
		if (!S_ISREG(st.st_mode)) {
			colink_free(r);
			continue;
		}
		if (*n == *cap) {
			char **nl;
			*cap = *cap ? *cap * 2 : 64;
			nl = colink_realloc(*list, *cap * sizeof(char *));
			if (!nl) {
				colink_free(r);
				rc = COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
				break;
			}
			*list = nl;
		}
		(*list)[(*n)++] = r;
	}
	closedir(d);
	colink_free(dirp);
	return rc;
}

static int sha256_dir(const char *path, char hex[65], uint64_t *size,
		      struct colink_error *err)
{
	char **list = NULL;
	size_t n = 0, cap = 0, i;
	gcry_md_hd_t md;
	uint64_t total = 0;
	int rc = collect(path, "", &list, &n, &cap, err);
	if (rc == COLINK_OK && gcry_md_open(&md, GCRY_MD_SHA256, 0))
		rc = COLINK_ERR(err, COLINK_ENOMEM, "out of memory hashing");
	if (rc == COLINK_OK) {
		qsort(list, n, sizeof(char *), cmp_str);
		for (i = 0; i < n && rc == COLINK_OK; i++) {
			char fh[65], *full = colink_path_join(path, list[i]);
			uint64_t sz = 0;
			rc = full ? sha256_file(full, fh, &sz, err)
				  : COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
			colink_free(full);
			if (rc)
				break;
			total += sz;
			gcry_md_write(md, list[i], strlen(list[i]) + 1);
			gcry_md_write(md, fh, 65);
		}
		if (rc == COLINK_OK)
			colink_hex(gcry_md_read(md, GCRY_MD_SHA256), 32, hex);
		gcry_md_close(md);
	}
	for (i = 0; i < n; i++)
		colink_free(list[i]);
	colink_free(list);
	if (rc == COLINK_OK && size)
		*size = total;
	return rc;
}

int colink_sha256_path(const char *path, char hex[65], uint64_t *size,
		       struct colink_error *err)
{
	struct stat st;
	if (stat(path, &st))
		return COLINK_ERR(err, errno == ENOENT ? COLINK_ENOTFOUND : COLINK_EIO,
				  "%s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return sha256_dir(path, hex, size, err);
	return sha256_file(path, hex, size, err);
}

void colink_now_iso(char out[32])
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int colink_new_run_id(char out[33], struct colink_error *err)
{
	unsigned char b[16];
	gcry_create_nonce(b, sizeof(b));
	colink_hex(b, 16, out);
	(void)err;
	return COLINK_OK;
}

void colink_os_user(char *out, size_t n)
{
	struct passwd pw, *res = NULL;
	char buf[1024];
	if (getpwuid_r(getuid(), &pw, buf, sizeof(buf), &res) == 0 && res)
		snprintf(out, n, "%s", res->pw_name);
	else
		snprintf(out, n, "uid:%u", (unsigned)getuid());
}

char *colink_path_join(const char *dir, const char *rel)
{
	size_t a, b, len;
	char *p;
	if (!rel)
		return NULL;
	if (rel[0] == '/' || !dir || !dir[0])
		return colink_strdup(rel);
	a = strlen(dir);
	b = strlen(rel);
	if (colink_size_add(&len, a, b) || colink_size_add(&len, len, 2))
		return NULL;
	p = colink_malloc(len);
	if (!p)
		return NULL;
	snprintf(p, len, "%s%s%s", dir, dir[a - 1] == '/' ? "" : "/", rel);
	return p;
}

char *colink_path_dir(const char *path)
{
	const char *s = strrchr(path, '/');
	if (!s)
		return colink_strdup(".");
	if (s == path)
		return colink_strdup("/");
	return colink_strndup(path, (size_t)(s - path));
}

const char *colink_path_base(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

int colink_read_small_file(const char *path, size_t max, char **out,
			   size_t *len, struct colink_error *err)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;
	if (!f)
		return COLINK_ERR(err, errno == ENOENT ? COLINK_ENOTFOUND : COLINK_EIO,
				  "%s: cannot open: %s", path, strerror(errno));
	buf = colink_malloc(max + 1);
	if (!buf) {
		fclose(f);
		return COLINK_ERR(err, COLINK_ENOMEM, "%s: out of memory", path);
	}
	n = fread(buf, 1, max + 1, f);
	fclose(f);
	if (n > max) {
		colink_free(buf);
		return COLINK_ERR(err, COLINK_EINVAL, "%s: larger than %zu bytes", path, max);
	}
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n;
	return COLINK_OK;
}
