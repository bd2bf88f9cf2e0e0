/* util.c -- see util.h */
#include "base/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gcrypt.h>
#include <pthread.h>
#include <pwd.h>
#include <stdatomic.h>
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

/* One hasher: a SHA-256 handle reset for each file and a read buffer,
 * both reused across the files of a directory. */
struct hasher {
	gcry_md_hd_t md;
	unsigned char *buf;
};

#define HASH_BUF (1 << 16)

static int hasher_open(struct hasher *h)
{
	h->buf = colink_malloc(HASH_BUF);
	if (!h->buf)
		return -1;
	if (gcry_md_open(&h->md, GCRY_MD_SHA256, 0)) {
		colink_free(h->buf);
		h->buf = NULL;
		return -1;
	}
	return 0;
}

static void hasher_close(struct hasher *h)
{
	if (h->buf)
		gcry_md_close(h->md);
	colink_free(h->buf);
	h->buf = NULL;
}

/* Hash the file `path`, opened relative to `dirfd` (AT_FDCWD: as is).
 * 0, or -1 with errno set and *what telling which step failed. */
static int hash_fd_path(struct hasher *h, int dirfd, const char *path, char hex[65],
			uint64_t *size, const char **what)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	ssize_t r;
	uint64_t total = 0;
	if (fd < 0) {
		*what = "cannot open";
		return -1;
	}
	gcry_md_reset(h->md);
	while ((r = read(fd, h->buf, HASH_BUF)) != 0) {
		if (r < 0) {
			int e = errno;
			if (e == EINTR)
				continue;
			close(fd);
			errno = e;
			*what = "read error";
			return -1;
		}
		gcry_md_write(h->md, h->buf, (size_t)r);
		total += (uint64_t)r;
	}
	close(fd);
	colink_hex(gcry_md_read(h->md, GCRY_MD_SHA256), 32, hex);
	*size = total;
	return 0;
}

static int sha256_file(const char *path, char hex[65], uint64_t *size,
		       struct colink_error *err)
{
	struct hasher h;
	const char *what = NULL;
	uint64_t total = 0;
	int rc, e;
	if (hasher_open(&h))
		return COLINK_ERR(err, COLINK_ENOMEM, "%s: out of memory hashing", path);
	rc = hash_fd_path(&h, AT_FDCWD, path, hex, &total, &what);
	e = errno;
	hasher_close(&h);
	if (rc)
		return COLINK_ERR(err, e == ENOENT ? COLINK_ENOTFOUND : COLINK_EIO,
				  "%s: %s: %s", path, what, strerror(e));
	if (size)
		*size = total;
	return COLINK_OK;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_add(char ***list, size_t *n, size_t *cap, char *r)
{
	if (*n == *cap) {
		char **nl;
		size_t ncap = *cap ? *cap * 2 : 64;
		nl = colink_realloc(*list, ncap * sizeof(char *));
		if (!nl)
			return -1;
		*list = nl;
		*cap = ncap;
	}
	(*list)[(*n)++] = r;
	return 0;
}

/* Collect relative paths of regular files below the directory `dfd`
 * (recursive; symbolic links are not followed; dfd is closed).  `rel` is
 * the directory's path relative to `root` ("" for the root). */
static int collect(const char *root, int dfd, const char *rel, char ***list,
		   size_t *n, size_t *cap, struct colink_error *err)
{
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *e;
	int rc = COLINK_OK;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return COLINK_ERR(err, COLINK_EIO, "%s: cannot read directory", root);
	}
	while (rc == COLINK_OK && (e = readdir(d))) {
		char *r;
		int isdir = e->d_type == DT_DIR, isreg = e->d_type == DT_REG;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (e->d_type == DT_UNKNOWN) { /* the file system does not say: ask */
			struct stat st;
			if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW)) {
				rc = COLINK_ERR(err, COLINK_EIO, "%s: cannot stat entry", root);
				break;
			}
			isdir = S_ISDIR(st.st_mode);
			isreg = S_ISREG(st.st_mode);
		}
		if (!isdir && !isreg)
			continue;
		r = rel[0] ? colink_path_join(rel, e->d_name) : colink_strdup(e->d_name);
		if (!r) {
			rc = COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
			break;
		}
		if (isdir) {
			int sub = openat(dirfd(d), e->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			rc = collect(root, sub, r, list, n, cap, err);
			colink_free(r);
			continue;
		}
		if (list_add(list, n, cap, r)) {
			colink_free(r);
			rc = COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		}
	}
	closedir(d);
	return rc;
}

/*
 * The files of a directory are hashed by up to DIR_THREADS threads (the
 * caller's and helpers), each taking the next file of the sorted list; the
 * per-file results are combined in list order by the caller, so the hash
 * does not depend on the number of threads.  A run hashes its inputs
 * before it reads them, when nothing else is working.
 */
#define DIR_THREADS 2
#define DIR_THREAD_MIN 64 /* fewer files: one thread */

struct dir_job {
	int rootfd;
	char **list;
	size_t n;
	char (*hex)[65];
	uint64_t *sizes;
	unsigned char *failed; /* per file: 1 when hashing it failed */
	atomic_size_t next;
};

static void dir_work(struct dir_job *j, struct hasher *h)
{
	for (;;) {
		size_t i = atomic_fetch_add(&j->next, 1);
		const char *what;
		if (i >= j->n)
			break;
		if (hash_fd_path(h, j->rootfd, j->list[i], j->hex[i], &j->sizes[i], &what))
			j->failed[i] = 1;
	}
}

/* A helper: its hasher comes from the caller, so that the thread never
 * allocates (glibc would give it a malloc arena of its own). */
struct dir_helper {
	struct dir_job *j;
	struct hasher h;
};

static void *dir_thread(void *arg)
{
	struct dir_helper *hp = arg;
	dir_work(hp->j, &hp->h);
	return NULL;
}

static int hash_list(const char *root, struct dir_job *j, struct colink_error *err)
{
	pthread_t th[DIR_THREADS - 1];
	struct dir_helper hp[DIR_THREADS - 1];
	size_t nth = 0, i;
	struct hasher h;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t want = j->n < DIR_THREAD_MIN || cpus < 2 ? 1 :
		(size_t)(cpus < DIR_THREADS ? cpus : DIR_THREADS);
	if (hasher_open(&h))
		return COLINK_ERR(err, COLINK_ENOMEM, "%s: out of memory hashing", root);
	while (nth + 1 < want) {
		hp[nth].j = j;
		if (hasher_open(&hp[nth].h))
			break;
		if (pthread_create(&th[nth], NULL, dir_thread, &hp[nth])) {
			hasher_close(&hp[nth].h);
			break;
		}
		nth++;
	}
	dir_work(j, &h);
	hasher_close(&h);
	for (i = 0; i < nth; i++) {
		pthread_join(th[i], NULL);
		hasher_close(&hp[i].h);
	}
	for (i = 0; i < j->n; i++) {
		char *full;
		int rc;
		if (!j->failed[i])
			continue;
		/* a failure, in list order: once more by its full path, for
		 * the reason (or the bytes, if it was passing) */
		full = colink_path_join(root, j->list[i]);
		if (!full)
			return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		rc = sha256_file(full, j->hex[i], &j->sizes[i], err);
		colink_free(full);
		if (rc)
			return rc;
	}
	return COLINK_OK;
}

static int sha256_dir(const char *path, char hex[65], uint64_t *size,
		      struct colink_error *err)
{
	char **list = NULL;
	size_t n = 0, cap = 0, i;
	gcry_md_hd_t md;
	uint64_t total = 0;
	struct dir_job j;
	int rc;
	memset(&j, 0, sizeof(j));
	j.rootfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	rc = collect(path, j.rootfd >= 0 ? dup(j.rootfd) : -1, "", &list, &n, &cap, err);
	if (rc == COLINK_OK) {
		qsort(list, n, sizeof(char *), cmp_str);
		j.list = list;
		j.n = n;
		j.hex = colink_malloc((n ? n : 1) * sizeof(*j.hex));
		j.sizes = colink_malloc((n ? n : 1) * sizeof(*j.sizes));
		j.failed = colink_calloc(n ? n : 1, 1);
		atomic_init(&j.next, 0);
		if (!j.hex || !j.sizes || !j.failed)
			rc = COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	}
	if (rc == COLINK_OK)
		rc = hash_list(path, &j, err);
	if (rc == COLINK_OK && gcry_md_open(&md, GCRY_MD_SHA256, 0))
		rc = COLINK_ERR(err, COLINK_ENOMEM, "out of memory hashing");
	if (rc == COLINK_OK) {
		for (i = 0; i < n; i++) {
			total += j.sizes[i];
			gcry_md_write(md, list[i], strlen(list[i]) + 1);
			gcry_md_write(md, j.hex[i], 65);
		}
		colink_hex(gcry_md_read(md, GCRY_MD_SHA256), 32, hex);
		gcry_md_close(md);
	}
	if (j.rootfd >= 0)
		close(j.rootfd);
	colink_free(j.hex);
	colink_free(j.sizes);
	colink_free(j.failed);
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
