/*
 * archive.c -- MHLW submission archives: zip (libzip) or unpacked folder.
 * See archive.h for the contract and the safety rules.
 */
#include "archive.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#define INDEX_NAME "ix08_V08.xml"

struct entry {
	char *name;     /* relative to the root, '/'-separated, UTF-8 */
	char *fsname;   /* folder: the name as on disk when name differs */
	zip_int64_t zi; /* zip index, -1 for a folder */
	int unsafe;     /* refused path (zip only) */
};

struct mhlw_archive {
	const struct colink_host *host;
	struct colink_host_ctx *hc;
	struct mhlw_limits lim;
	zip_t *zip;            /* NULL for a folder */
	char *root;            /* folder: root path; zip: "" or "top/" */
	int rootfd;            /* folder: the root, open (-1: none) */
	zip_int64_t ix_index;  /* zip: index of ix08_V08.xml */
	struct entry *ents;    /* DATA/ and CLAIMS/ files, sorted */
	size_t n, cap;
	int has_xsd;
	char *xsd_dir;         /* computed by mhlw_archive_xsd_dir */
	char *xsd_tmp;         /* zip: private copy to remove on close */
};

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */
/* ------------------------------------------------------------------ */

static char *xstrcat3(const struct colink_host *h, const char *a,
		      const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c), n;
	char *s;
	if (colink_checked_add(&n, la, lb) || colink_checked_add(&n, n, lc) ||
	    colink_checked_add(&n, n, 1))
		return NULL;
	s = h->malloc(n);
	if (!s)
		return NULL;
	memcpy(s, a, la);
	memcpy(s + la, b, lb);
	memcpy(s + la + lb, c, lc + 1);
	return s;
}

void mhlw_why(char *why, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, MHLW_WHY_MAX, fmt, ap);
	va_end(ap);
}

size_t mhlw_utf8_seq(const unsigned char *s, size_t len)
{
	unsigned c = s[0], cp;
	size_t need, k;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		need = 1, cp = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		need = 2, cp = c & 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		need = 3, cp = c & 0x07;
	else
		return 0;
	if (len <= need)
		return 0;
	for (k = 1; k <= need; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3F);
	}
	if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
	    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return need + 1;
}

int mhlw_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < len) {
		size_t l;
		/* ASCII runs (item codes, numbers, dates), eight bytes at a time */
		while (len - i >= 8) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			if (w & 0x8080808080808080ULL)
				break;
			i += 8;
		}
		if (i < len && s[i] < 0x80) {
			i++;
			continue;
		}
		if (i >= len)
			break;
		l = mhlw_utf8_seq(s + i, len - i);
		if (!l)
			return 0;
		i += l;
	}
	return 1;
}

/* Replace the bytes of invalid UTF-8 sequences with '?', in place. */
static void utf8_repair(char *str)
{
	unsigned char *s = (unsigned char *)str;
	size_t i = 0, len = strlen(str);
	while (i < len) {
		size_t l = mhlw_utf8_seq(s + i, len - i);
		if (!l) {
			s[i] = '?';
			l = 1;
		}
		i += l;
	}
}

/*
 * A zip entry path is unsafe when it is absolute (leading '/' or '\',
 * a drive letter) or has a ".." component ('/' or '\' separated): such a
 * name could escape any folder it were extracted to ("zip slip").
 */
static int path_unsafe(const char *p)
{
	const char *c = p;
	if (p[0] == '/' || p[0] == '\\' || p[0] == '\0')
		return 1;
	if (((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z')) &&
	    p[1] == ':')
		return 1;
	while (*c) {
		size_t l = strcspn(c, "/\\");
		if (l == 2 && c[0] == '.' && c[1] == '.')
			return 1;
		c += l;
		if (*c)
			c++;
	}
	return 0;
}

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int is_listed_folder(const char *rel)
{
	return starts_with(rel, "DATA/") || starts_with(rel, "CLAIMS/");
}

static int add_entry(struct mhlw_archive *a, const char *name,
		     zip_int64_t zi, int unsafe)
{
	char *copy;
	if (colink_grow(a->host->realloc, (void **)&a->ents, &a->cap, a->n + 1,
			sizeof(*a->ents)))
		return COLINK_ENOMEM;
	copy = xstrcat3(a->host, name, "", "");
	if (!copy)
		return COLINK_ENOMEM;
	a->ents[a->n].fsname = NULL;
	if (!mhlw_utf8_valid(name, strlen(name))) {
		a->ents[a->n].fsname = copy;
		copy = xstrcat3(a->host, name, "", "");
		if (!copy) {
			a->host->free(a->ents[a->n].fsname);
			return COLINK_ENOMEM;
		}
		utf8_repair(copy);
	}
	a->ents[a->n].name = copy;
	a->ents[a->n].zi = zi;
	a->ents[a->n].unsafe = unsafe;
	a->n++;
	return COLINK_OK;
}

static int entry_cmp(const void *x, const void *y)
{
	return strcmp(((const struct entry *)x)->name,
		      ((const struct entry *)y)->name);
}

/* ------------------------------------------------------------------ */
/* Bounded reading                                                      */
/* ------------------------------------------------------------------ */

/* Where bytes come from: a zip entry or a file descriptor. */
struct source {
	zip_file_t *zf;
	int fd;
};

static zip_int64_t source_read(struct source *s, char *p, size_t n)
{
	if (s->zf)
		return zip_fread(s->zf, p, n);
	for (;;) {
		ssize_t r = read(s->fd, p, n);
		if (r >= 0 || errno != EINTR)
			return r;
	}
}

/*
 * Read the whole source into a host buffer, never more than
 * max_entry_bytes + 1 bytes, and (when ratio_limit is not 0) never more
 * than ratio_limit bytes.  `hint` is the declared size.
 */
static int read_bounded(struct mhlw_archive *a, struct source *s,
			uint64_t hint, uint64_t ratio_limit, char **out,
			size_t *len, char why[MHLW_WHY_MAX])
{
	uint64_t max = a->lim.max_entry_bytes;
	size_t limit = max > SIZE_MAX - 2 ? SIZE_MAX - 2 : (size_t)max;
	size_t cap = (hint < limit ? (size_t)hint : limit) + 2, total = 0;
	char *buf = a->host->malloc(cap);
	if (!buf)
		return COLINK_ENOMEM;
	for (;;) {
		zip_int64_t got;
		if (total + 1 >= cap) {
			size_t ncap = cap > (limit + 2) / 2 ? limit + 2 : cap * 2;
			char *nb = a->host->realloc(buf, ncap);
			if (!nb) {
				a->host->free(buf);
				return COLINK_ENOMEM;
			}
			buf = nb;
			cap = ncap;
		}
		got = source_read(s, buf + total, cap - 1 - total);
		if (got < 0) {
			a->host->free(buf);
			mhlw_why(why, "read error: %s",
				s->zf ? zip_file_strerror(s->zf) : strerror(errno));
			return COLINK_EIO;
		}
		if (got == 0)
			break;
		total += (size_t)got;
		if (total > limit) {
			a->host->free(buf);
			mhlw_why(why, "entry larger than max_entry_bytes %llu",
				(unsigned long long)max);
			return COLINK_EPERM;
		}
		if (ratio_limit && total > ratio_limit) {
			a->host->free(buf);
			mhlw_why(why, "compression ratio above max_ratio %llu",
				(unsigned long long)a->lim.max_ratio);
			return COLINK_EPERM;
		}
	}
	buf[total] = '\0';
	*out = buf;
	*len = total;
	return COLINK_OK;
}

static int zip_read_entry(struct mhlw_archive *a, zip_int64_t zi, char **out,
			  size_t *len, char why[MHLW_WHY_MAX])
{
	zip_stat_t st;
	struct source s = { NULL, -1 };
	uint64_t ratio_limit = 0;
	int rc;
	zip_stat_init(&st);
	if (zip_stat_index(a->zip, (zip_uint64_t)zi, 0, &st) != 0) {
		mhlw_why(why, "cannot stat zip entry: %s", zip_strerror(a->zip));
		return COLINK_EIO;
	}
	if ((st.valid & ZIP_STAT_SIZE) && st.size > a->lim.max_entry_bytes) {
		mhlw_why(why, "entry of %llu bytes exceeds max_entry_bytes %llu",
			(unsigned long long)st.size,
			(unsigned long long)a->lim.max_entry_bytes);
		return COLINK_EPERM;
	}
	if (st.valid & ZIP_STAT_COMP_SIZE) {
		/* comp_size * ratio, saturating; an entry of 0 compressed
		 * bytes may hold at most 1 byte (0 means "no limit" below). */
		ratio_limit = st.comp_size > UINT64_MAX / a->lim.max_ratio ?
			UINT64_MAX : st.comp_size * a->lim.max_ratio;
		if (ratio_limit == 0)
			ratio_limit = 1;
		if ((st.valid & ZIP_STAT_SIZE) && st.size > ratio_limit) {
			mhlw_why(why, "compression ratio above max_ratio %llu",
				(unsigned long long)a->lim.max_ratio);
			return COLINK_EPERM;
		}
	}
	s.zf = zip_fopen_index(a->zip, (zip_uint64_t)zi, 0);
	if (!s.zf) {
		mhlw_why(why, "cannot open zip entry: %s", zip_strerror(a->zip));
		return COLINK_EIO;
	}
	rc = read_bounded(a, &s, (st.valid & ZIP_STAT_SIZE) ? st.size : 0,
			  ratio_limit, out, len, why);
	zip_fclose(s.zf);
	return rc;
}

static int file_read(struct mhlw_archive *a, const char *rel, char **out,
		     size_t *len, char why[MHLW_WHY_MAX])
{
	struct source s = { NULL, -1 };
	struct stat st;
	int rc, saved;
	/* O_NOFOLLOW: a symbolic link in the archive could point anywhere;
	 * O_NONBLOCK: a FIFO must not hang the run (fstat refuses it).
	 * Opened from the root's descriptor: no walk of the root's path
	 * for every document. */
	if (a->rootfd >= 0) {
		s.fd = openat(a->rootfd, rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
		saved = errno;
	} else {
		char *path = xstrcat3(a->host, a->root, "/", rel);
		if (!path)
			return COLINK_ENOMEM;
		s.fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
		saved = errno;
		a->host->free(path);
	}
	if (s.fd < 0) {
		if (saved == ELOOP) {
			mhlw_why(why, "not a regular file (symbolic link refused)");
			return COLINK_EPERM;
		}
		mhlw_why(why, "cannot open: %s", strerror(saved));
		return saved == ENOENT ? COLINK_ENOTFOUND : COLINK_EIO;
	}
	if (fstat(s.fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(s.fd);
		mhlw_why(why, "not a regular file");
		return COLINK_EPERM;
	}
	if ((uint64_t)st.st_size > a->lim.max_entry_bytes) {
		close(s.fd);
		mhlw_why(why, "entry of %llu bytes exceeds max_entry_bytes %llu",
			(unsigned long long)st.st_size,
			(unsigned long long)a->lim.max_entry_bytes);
		return COLINK_EPERM;
	}
	rc = read_bounded(a, &s, (uint64_t)st.st_size, 0, out, len, why);
	close(s.fd);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Opening a folder                                                     */
/* ------------------------------------------------------------------ */

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int has_index(const struct colink_host *h, const char *dir)
{
	struct stat st;
	char *p = xstrcat3(h, dir, "/", INDEX_NAME);
	int ok;
	if (!p)
		return -1;
	ok = lstat(p, &st) == 0 && !S_ISDIR(st.st_mode);
	h->free(p);
	return ok;
}

/* The root: `path` itself, or its only sub-folder that has the index. */
static int find_folder_root(struct mhlw_archive *a, const char *path,
			    struct colink_error *err)
{
	DIR *d;
	struct dirent *de;
	int found = 0, hi = has_index(a->host, path);
	if (hi < 0)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	if (hi) {
		a->root = xstrcat3(a->host, path, "", "");
		return a->root ? COLINK_OK :
			COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	}
	d = opendir(path);
	if (!d)
		return COLINK_ERR(err, COLINK_EIO, "%s: cannot list folder: %s",
				  path, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		char *sub;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		sub = xstrcat3(a->host, path, "/", de->d_name);
		hi = sub && is_dir(sub) ? has_index(a->host, sub) : 0;
		if (!sub || hi < 0) {
			a->host->free(sub);
			closedir(d);
			return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		}
		if (hi && found++ == 0) {
			a->root = sub;
			continue;
		}
		a->host->free(sub);
	}
	closedir(d);
	if (found == 1)
		return COLINK_OK;
	return COLINK_ERR(err, COLINK_EFORMAT,
			  found ? "%s: several sub-folders hold " INDEX_NAME :
			  "%s: no " INDEX_NAME " in the folder or in one sub-folder",
			  path);
}

/* List the non-folder entries of root/<sub>/ as "<sub>/<name>". */
static int list_folder(struct mhlw_archive *a, const char *sub,
		       struct colink_error *err)
{
	char *dir = xstrcat3(a->host, a->root, "/", sub);
	DIR *d;
	struct dirent *de;
	int rc = COLINK_OK;
	if (!dir)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	d = opendir(dir);
	if (!d) {
		int saved = errno;
		a->host->free(dir);
		if (saved == ENOENT)
			return COLINK_OK; /* no such folder: no entries */
		return COLINK_ERR(err, COLINK_EIO, "%s/: cannot list folder: %s",
				  sub, strerror(saved));
	}
	while (rc == COLINK_OK && (de = readdir(d)) != NULL) {
		struct stat st;
		char *rel;
		int isdir = de->d_type == DT_DIR;
		if (de->d_name[0] == '.' &&
		    (!de->d_name[1] || !strcmp(de->d_name, "..")))
			continue;
		/* the type from the listing; lstat only when the file
		 * system does not give it (or the entry is gone: skipped) */
		if (de->d_type == DT_UNKNOWN) {
			if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW))
				continue;
			isdir = S_ISDIR(st.st_mode);
		}
		if (isdir)
			continue;
		rel = xstrcat3(a->host, sub, "/", de->d_name);
		if (!rel || add_entry(a, rel, -1, 0))
			rc = COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		a->host->free(rel);
	}
	closedir(d);
	a->host->free(dir);
	return rc;
}

static int open_folder(struct mhlw_archive *a, const char *path,
		       struct colink_error *err)
{
	char *xsd;
	int rc = find_folder_root(a, path, err);
	if (rc)
		return rc;
	/* documents are opened from here (file_read); without it, by path */
	a->rootfd = open(a->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	rc = list_folder(a, "DATA", err);
	if (!rc)
		rc = list_folder(a, "CLAIMS", err);
	if (rc)
		return rc;
	xsd = xstrcat3(a->host, a->root, "/", "XSD");
	if (!xsd)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	a->has_xsd = is_dir(xsd);
	a->host->free(xsd);
	return COLINK_OK;
}

/* ------------------------------------------------------------------ */
/* Opening a zip                                                        */
/* ------------------------------------------------------------------ */

/* 1 when `name` is INDEX_NAME at the top or in one top folder. */
static int index_candidate(const char *name)
{
	const char *slash = strchr(name, '/');
	if (!slash)
		return strcmp(name, INDEX_NAME) == 0;
	return slash != name && strcmp(slash + 1, INDEX_NAME) == 0;
}

static int find_zip_root(struct mhlw_archive *a, const char *path,
			 struct colink_error *err)
{
	zip_int64_t i, n = zip_get_num_entries(a->zip, 0);
	int found = 0;
	for (i = 0; i < n; i++) {
		const char *name = zip_get_name(a->zip, (zip_uint64_t)i, 0);
		if (!name || path_unsafe(name) || !index_candidate(name))
			continue;
		if (found++)
			continue;
		a->ix_index = i;
		a->root = xstrcat3(a->host, name, "", "");
		if (!a->root)
			return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		/* keep "top/" (or ""): cut the index name off */
		a->root[strlen(name) - strlen(INDEX_NAME)] = '\0';
	}
	if (found == 1)
		return COLINK_OK;
	return COLINK_ERR(err, COLINK_EFORMAT,
			  found ? "%s: several " INDEX_NAME " in the zip" :
			  "%s: no " INDEX_NAME " at the top of the zip or in one top folder",
			  path);
}

static int open_zip(struct mhlw_archive *a, const char *path,
		    struct colink_error *err)
{
	int ze = 0, rc;
	size_t plen;
	zip_int64_t i, n;
	a->zip = zip_open(path, ZIP_RDONLY, &ze);
	if (!a->zip) {
		zip_error_t zerr;
		int code = ze == ZIP_ER_MEMORY ? COLINK_ENOMEM :
			(ze == ZIP_ER_OPEN || ze == ZIP_ER_READ) ? COLINK_EIO :
			COLINK_EFORMAT;
		zip_error_init_with_code(&zerr, ze);
		rc = COLINK_ERR(err, code, "%s: not a readable zip archive or folder: %s",
				path, zip_error_strerror(&zerr));
		zip_error_fini(&zerr);
		return rc;
	}
	rc = find_zip_root(a, path, err);
	if (rc)
		return rc;
	plen = strlen(a->root);
	n = zip_get_num_entries(a->zip, 0);
	for (i = 0; i < n; i++) {
		const char *name = zip_get_name(a->zip, (zip_uint64_t)i, 0);
		const char *rel;
		int unsafe;
		if (!name)
			continue;
		unsafe = path_unsafe(name);
		rel = strncmp(name, a->root, plen) == 0 ? name + plen : NULL;
		if (rel && is_listed_folder(rel) && rel[strlen(rel) - 1] != '/' &&
		    (unsafe || !strchr(strchr(rel, '/') + 1, '/'))) {
			if (add_entry(a, rel, i, unsafe))
				return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		} else if (unsafe) {
			a->host->log(a->hc, COLINK_LOG_WARN,
				     "%s: zip entry %lld with unsafe path ignored",
				     path, (long long)i + 1);
		} else if (rel && starts_with(rel, "XSD/")) {
			a->has_xsd = 1;
		}
	}
	return COLINK_OK;
}

/* ------------------------------------------------------------------ */
/* Public API                                                           */
/* ------------------------------------------------------------------ */

int mhlw_archive_open(struct mhlw_archive **out, const struct colink_host *host,
		      struct colink_host_ctx *hc, const char *path,
		      const struct mhlw_limits *lim, struct colink_error *err)
{
	struct mhlw_archive *a;
	struct stat st;
	int rc;
	*out = NULL;
	if (stat(path, &st) != 0)
		return COLINK_ERR(err, errno == ENOENT ? COLINK_ENOTFOUND : COLINK_EIO,
				  "%s: cannot open: %s", path, strerror(errno));
	a = host->calloc(1, sizeof(*a));
	if (!a)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	a->host = host;
	a->hc = hc;
	a->lim = *lim;
	if (a->lim.max_entry_bytes < 1)
		a->lim.max_entry_bytes = 1;
	if (a->lim.max_ratio < 1)
		a->lim.max_ratio = 1;
	a->ix_index = -1;
	a->rootfd = -1;
	if (S_ISDIR(st.st_mode))
		rc = open_folder(a, path, err);
	else if (S_ISREG(st.st_mode))
		rc = open_zip(a, path, err);
	else
		rc = COLINK_ERR(err, COLINK_EFORMAT, "%s: not a zip file or a folder", path);
	if (rc) {
		mhlw_archive_close(a);
		return rc;
	}
	if (a->n > 1)
		qsort(a->ents, a->n, sizeof(*a->ents), entry_cmp);
	*out = a;
	return COLINK_OK;
}

static int rm_one(const char *p, const struct stat *sb, int flag,
		  struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(p);
	return 0;
}

void mhlw_archive_close(struct mhlw_archive *a)
{
	size_t i;
	if (!a)
		return;
	if (a->xsd_tmp) {
		nftw(a->xsd_tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
		a->host->free(a->xsd_tmp);
	}
	if (a->zip)
		zip_discard(a->zip);
	if (a->rootfd >= 0)
		close(a->rootfd);
	for (i = 0; i < a->n; i++) {
		a->host->free(a->ents[i].name);
		a->host->free(a->ents[i].fsname);
	}
	a->host->free(a->ents);
	a->host->free(a->root);
	a->host->free(a->xsd_dir);
	a->host->free(a);
}

size_t mhlw_archive_nentries(const struct mhlw_archive *a)
{
	return a->n;
}

const char *mhlw_archive_entry_name(const struct mhlw_archive *a, size_t i)
{
	return i < a->n ? a->ents[i].name : NULL;
}

int mhlw_archive_entry_unsafe(const struct mhlw_archive *a, size_t i)
{
	return i < a->n ? a->ents[i].unsafe : 0;
}

int mhlw_archive_read(struct mhlw_archive *a, size_t i, char **buf,
		      size_t *len, char why[MHLW_WHY_MAX])
{
	*buf = NULL;
	*len = 0;
	if (i >= a->n) {
		mhlw_why(why, "no such entry");
		return COLINK_ENOTFOUND;
	}
	if (a->ents[i].unsafe) {
		mhlw_why(why, "zip entry with unsafe path");
		return COLINK_EPERM;
	}
	if (a->zip)
		return zip_read_entry(a, a->ents[i].zi, buf, len, why);
	return file_read(a, a->ents[i].fsname ? a->ents[i].fsname :
			 a->ents[i].name, buf, len, why);
}

int mhlw_archive_read_index(struct mhlw_archive *a, char **buf, size_t *len,
			    char why[MHLW_WHY_MAX])
{
	*buf = NULL;
	*len = 0;
	if (a->zip)
		return zip_read_entry(a, a->ix_index, buf, len, why);
	return file_read(a, INDEX_NAME, buf, len, why);
}

/* ------------------------------------------------------------------ */
/* XSD folder                                                           */
/* ------------------------------------------------------------------ */

/* Create the folders of `rel` (a relative, checked path) under `base`. */
static int make_parents(const struct colink_host *h, const char *base,
			const char *rel)
{
	const char *slash = rel;
	while ((slash = strchr(slash, '/')) != NULL) {
		char *p = xstrcat3(h, base, "/", rel);
		int ok;
		if (!p)
			return COLINK_ENOMEM;
		p[strlen(base) + 1 + (size_t)(slash - rel)] = '\0';
		ok = mkdir(p, 0700) == 0 || errno == EEXIST;
		h->free(p);
		if (!ok)
			return COLINK_EIO;
		slash++;
	}
	return COLINK_OK;
}

static int write_file(const char *path, const char *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		      0600);
	size_t off = 0;
	if (fd < 0)
		return COLINK_EIO;
	while (off < len) {
		ssize_t w = write(fd, buf + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			return COLINK_EIO;
		}
		off += (size_t)w;
	}
	return close(fd) == 0 ? COLINK_OK : COLINK_EIO;
}

/* Copy one XSD/ zip entry (`rel` below XSD/) into the private folder. */
static int copy_xsd_entry(struct mhlw_archive *a, zip_int64_t zi,
			  const char *rel, struct colink_error *err)
{
	char why[MHLW_WHY_MAX], *buf = NULL, *dst;
	size_t len = 0;
	int saved, rc = zip_read_entry(a, zi, &buf, &len, why);
	if (rc == COLINK_ENOMEM)
		return COLINK_ERR(err, rc, "out of memory");
	if (rc)
		return COLINK_ERR(err, rc, "XSD/%s: %s", rel, why);
	dst = xstrcat3(a->host, a->xsd_tmp, "/", rel);
	if (!dst) {
		a->host->free(buf);
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	}
	rc = make_parents(a->host, a->xsd_tmp, rel);
	if (!rc)
		rc = write_file(dst, buf, len);
	saved = errno;
	a->host->free(dst);
	a->host->free(buf);
	if (rc == COLINK_ENOMEM)
		return COLINK_ERR(err, rc, "out of memory");
	if (rc)
		return COLINK_ERR(err, rc, "XSD/%s: cannot copy to a temporary folder: %s",
				  rel, strerror(saved));
	return COLINK_OK;
}

/* Extract the zip's XSD/ tree into a fresh private temporary folder, so
 * that libxml2 resolves the schema's relative includes as files. */
static int extract_xsd(struct mhlw_archive *a, struct colink_error *err)
{
	const char *tmp = getenv("TMPDIR");
	size_t plen = strlen(a->root);
	zip_int64_t i, n = zip_get_num_entries(a->zip, 0);
	a->xsd_tmp = xstrcat3(a->host, tmp && *tmp ? tmp : "/tmp", "/",
			      "colink-xsd-XXXXXX");
	if (!a->xsd_tmp)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	if (!mkdtemp(a->xsd_tmp)) {
		a->host->free(a->xsd_tmp);
		a->xsd_tmp = NULL;
		return COLINK_ERR(err, COLINK_EIO, "cannot create a temporary folder for XSD/: %s",
				  strerror(errno));
	}
	for (i = 0; i < n; i++) {
		const char *name = zip_get_name(a->zip, (zip_uint64_t)i, 0);
		const char *rel;
		int rc;
		if (!name || path_unsafe(name) || strncmp(name, a->root, plen))
			continue;
		rel = name + plen;
		if (!starts_with(rel, "XSD/") || !rel[4] ||
		    rel[strlen(rel) - 1] == '/')
			continue;
		rc = copy_xsd_entry(a, i, rel + 4, err);
		if (rc)
			return rc;
	}
	a->xsd_dir = xstrcat3(a->host, a->xsd_tmp, "", "");
	return a->xsd_dir ? COLINK_OK :
		COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
}

int mhlw_archive_xsd_dir(struct mhlw_archive *a, const char **dir,
			 struct colink_error *err)
{
	int rc;
	*dir = NULL;
	if (!a->has_xsd)
		return COLINK_ERR(err, COLINK_ENOTFOUND,
				  "validate=true but the archive has no XSD/ folder");
	if (!a->xsd_dir && a->xsd_tmp)
		return COLINK_ERR(err, COLINK_EIO, "XSD/: an earlier copy failed");
	if (!a->xsd_dir) {
		if (a->zip) {
			rc = extract_xsd(a, err);
			if (rc)
				return rc;
		} else {
			a->xsd_dir = xstrcat3(a->host, a->root, "/", "XSD");
			if (!a->xsd_dir)
				return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		}
	}
	*dir = a->xsd_dir;
	return COLINK_OK;
}
