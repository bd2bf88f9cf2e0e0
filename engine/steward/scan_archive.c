/*
 * scan_archive.c -- what `colink scan` says about a path that is not a
 * delimited file (an MHLW standard XML archive, folder or zip), and the
 * shipped mappings it proposes for a kind of file (see scan.h).
 *
 * The archive is only looked at, never loaded: the files under DATA/ and
 * CLAIMS/ are counted by name (h*.xml 特定健診, g*.xml 特定保健指導), and
 * while there are at most COLINK_SCAN_ARCHIVE_PEEK documents the first
 * 16 KiB of each is searched for the document's 報告区分
 * (/ClinicalDocument/code, codeSystem 1.2.392.200119.6.1001).  Nothing of
 * a document (names, numbers) is kept or printed.
 */
#include "steward/scan.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zip.h>

#include "base/alloc.h"
#include "base/util.h"

#define INDEX_NAME "ix08_V08.xml"
#define PEEK_BYTES 16384
#define DOCTYPE_OID "1.2.392.200119.6.1001"

/* ------------------------------------------------------------------ */
/* Shipped mappings of a kind                                           */
/* ------------------------------------------------------------------ */

/* kind="..." of the <mapping> element in the first bytes of a file. */
static int mapping_kind_is(const char *path, const char *kind)
{
	char buf[4096], want[64], *m, *end;
	size_t n;
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (!(m = strstr(buf, "<mapping ")) || !(end = strchr(m, '>')))
		return 0;
	*end = '\0';
	snprintf(want, sizeof(want), " kind=\"%s\"", kind);
	return strstr(m, want) != NULL;
}

static const char *const shipped_dirs[] = {"vendors", "employer", "association"};

size_t colink_scan_shipped(const char *data_dir, const char *kind, char **out, size_t max)
{
	size_t d, got = 0;
	for (d = 0; d < sizeof(shipped_dirs) / sizeof(shipped_dirs[0]) && got < max; d++) {
		char *sub = colink_path_join(data_dir, shipped_dirs[d]);
		struct dirent **ents = NULL;
		int n = sub ? scandir(sub, &ents, NULL, alphasort) : -1, i;
		for (i = 0; i < n; i++) {
			const char *nm = ents[i]->d_name;
			size_t l = strlen(nm);
			char *full;
			if (got < max && l > 4 && !strcmp(nm + l - 4, ".xml") &&
			    (full = colink_path_join(sub, nm))) {
				if (mapping_kind_is(full, kind) &&
				    (out[got] = colink_malloc(strlen(shipped_dirs[d]) + l + 2)))
					sprintf(out[got++], "%s/%s", shipped_dirs[d], nm);
				colink_free(full);
			}
			free(ents[i]);
		}
		free(ents);
		colink_free(sub);
	}
	return got;
}

/* ------------------------------------------------------------------ */
/* MHLW archives                                                        */
/* ------------------------------------------------------------------ */

/* The 報告区分 code of a document's first bytes, 0 when not found. */
static int doctype_of(const char *b, size_t n)
{
	const char *p = b, *end = b + n;
	while ((p = memmem(p, (size_t)(end - p), DOCTYPE_OID, sizeof(DOCTYPE_OID) - 1)) != NULL) {
		const char *open = p, *c;
		while (open > b && *open != '<')
			open--;
		c = memmem(open, (size_t)(end - open), "code=\"", 6);
		if (c && c < p + 200 && (c == open || c[-1] == ' ' || c[-1] == '\t' || c[-1] == '\n'))
			return atoi(c + 6);
		p += sizeof(DOCTYPE_OID) - 1;
	}
	return 0;
}

static void count_doc(struct colink_scan_archive *a, const char *name, const char *head, size_t n,
		      int peeked)
{
	const char *base = strrchr(name, '/');
	size_t i;
	int type;
	base = base ? base + 1 : name;
	if (!strncmp(name, "CLAIMS/", 7) || strstr(name, "/CLAIMS/")) {
		a->claims++;
		return;
	}
	a->documents++;
	if (base[0] == 'h')
		a->checkups++;
	else if (base[0] == 'g')
		a->guidance++;
	else
		a->other++;
	if (!peeked)
		return;
	type = doctype_of(head, n);
	for (i = 0; i < a->ntypes && a->types[i].code != type; i++)
		;
	if (i == a->ntypes && i < COLINK_SCAN_ARCHIVE_TYPES) {
		a->types[i].code = type;
		a->types[i].count = 0;
		a->ntypes++;
	}
	if (i < a->ntypes)
		a->types[i].count++;
}

static int is_doc_name(const char *rel)
{
	size_t l = strlen(rel);
	return l > 4 && !strcasecmp(rel + l - 4, ".xml") &&
	       (!strncmp(rel, "DATA/", 5) || !strncmp(rel, "CLAIMS/", 7));
}

/* Folder: the root (path, or its one sub-folder with the index). */
static char *folder_root(const char *path)
{
	char *ix = colink_path_join(path, INDEX_NAME), *root = NULL;
	struct stat st;
	DIR *d;
	struct dirent *de;
	int found = 0;
	if (ix && stat(ix, &st) == 0) {
		colink_free(ix);
		return colink_strdup(path);
	}
	colink_free(ix);
	if (!(d = opendir(path)))
		return NULL;
	while ((de = readdir(d)) != NULL) {
		char *sub, *six;
		if (de->d_name[0] == '.')
			continue;
		sub = colink_path_join(path, de->d_name);
		six = sub ? colink_path_join(sub, INDEX_NAME) : NULL;
		if (six && stat(six, &st) == 0 && !found++)
			root = sub, sub = NULL;
		colink_free(six);
		colink_free(sub);
	}
	closedir(d);
	if (found != 1) {
		colink_free(root);
		return NULL;
	}
	return root;
}

static void folder_docs(struct colink_scan_archive *a, const char *root, const char *sub, char *buf)
{
	char *dir = colink_path_join(root, sub);
	struct dirent **ents = NULL;
	int n = dir ? scandir(dir, &ents, NULL, alphasort) : -1, i;
	for (i = 0; i < n; i++) {
		char rel[512], *full;
		size_t got = 0;
		int peek = a->documents + a->claims < COLINK_SCAN_ARCHIVE_PEEK;
		snprintf(rel, sizeof(rel), "%s/%s", sub, ents[i]->d_name);
		if (is_doc_name(rel) && (full = colink_path_join(dir, ents[i]->d_name))) {
			FILE *f = peek ? fopen(full, "rb") : NULL;
			if (f) {
				got = fread(buf, 1, PEEK_BYTES, f);
				fclose(f);
			}
			count_doc(a, rel, buf, got, peek);
			colink_free(full);
		}
		free(ents[i]);
	}
	free(ents);
	colink_free(dir);
}

static int zip_docs(struct colink_scan_archive *a, const char *path, char *buf)
{
	int zerr = 0;
	zip_t *z = zip_open(path, ZIP_RDONLY, &zerr);
	zip_int64_t i, n;
	size_t rootlen = 0;
	const char *root = NULL;
	if (!z)
		return 0;
	n = zip_get_num_entries(z, 0);
	for (i = 0; i < n; i++) { /* the index: at the top or in one top folder */
		const char *nm = zip_get_name(z, (zip_uint64_t)i, 0), *sl;
		if (!nm)
			continue;
		sl = strchr(nm, '/');
		if (!strcmp(nm, INDEX_NAME) || (sl && !strcmp(sl + 1, INDEX_NAME))) {
			root = nm;
			rootlen = sl && strcmp(nm, INDEX_NAME) ? (size_t)(sl + 1 - nm) : 0;
			break;
		}
	}
	if (!root) {
		zip_close(z);
		return 0;
	}
	a->index = 1;
	for (i = 0; i < n; i++) {
		const char *nm = zip_get_name(z, (zip_uint64_t)i, 0);
		zip_file_t *zf;
		zip_int64_t got = 0;
		int peek = a->documents + a->claims < COLINK_SCAN_ARCHIVE_PEEK;
		if (!nm || strlen(nm) <= rootlen || strncmp(nm, root, rootlen) || !is_doc_name(nm + rootlen))
			continue;
		if (peek && (zf = zip_fopen_index(z, (zip_uint64_t)i, 0)) != NULL) {
			got = zip_fread(zf, buf, PEEK_BYTES);
			zip_fclose(zf);
		}
		count_doc(a, nm + rootlen, buf, got > 0 ? (size_t)got : 0, peek);
	}
	zip_discard(z);
	return 1;
}

int colink_scan_archive(const char *path, struct colink_scan_archive *a)
{
	struct stat st;
	char *buf;
	memset(a, 0, sizeof(*a));
	if (stat(path, &st))
		return 0;
	if (!(buf = colink_malloc(PEEK_BYTES)))
		return -1;
	if (S_ISDIR(st.st_mode)) {
		char *root = folder_root(path);
		a->form = "folder";
		a->index = root != NULL;
		folder_docs(a, root ? root : path, "DATA", buf);
		folder_docs(a, root ? root : path, "CLAIMS", buf);
		colink_free(root);
		colink_free(buf);
		return 1;
	}
	a->form = "zip";
	if (S_ISREG(st.st_mode) && zip_docs(a, path, buf)) {
		colink_free(buf);
		return 1;
	}
	colink_free(buf);
	memset(a, 0, sizeof(*a));
	return 0;
}

const char *colink_scan_doctype_name(int code)
{
	if (code == 10)
		return "特定健診";
	if (code >= 21 && code <= 25)
		return "特定保健指導";
	if (code == 19 || code == 49)
		return "削除依頼";
	return code ? "other" : "not found";
}
