/*
 * pg_leaks.c -- the raw-identifier leak search of the PostgreSQL warehouse
 * tests (#16, tests/test_out_postgres.sh), as tests/test_e2e.c searches
 * the SQLite warehouse: every identifier cell of the sample inputs (the
 * columns their mappings map to an identifier field: insurer number, card
 * symbol and number, names, birth dates, employee numbers) and of the
 * UKE claims of samples/claims (each RE's 氏名, カナ and 生年月日 as written
 * and as ISO, each HO's 被保険者証番号 as written and in ASCII digits, as
 * tests/test_e2e_claims.c searches the SQLite warehouse), with and
 * without spaces and separators, must occur in none of the files named
 * (a pg_dump of the warehouse, the server log, the run's output).  Runs of
 * 16+ hex digits (pseudonyms, hashes), a server log's line prefixes and
 * process ids are blanked first; an all-digit
 * identifier counts only as a whole number.
 *
 *   pg_leaks FILE...   exit 0: none found (prints how many were searched);
 *                      1: a leak (names the identifier by number and the
 *                      file, never the value); 99: the samples are unreadable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/catalog.h"
#include "core/mapping.h"
#include "core/run.h"
#include "identity/identity.h"
#include "testutil.h"

struct needles {
	char **v;
	size_t n;
};

/* Digits in s[0..len) when it is all ASCII or full-width digits (a
 * full-width digit is 3 bytes), else -1. */
static long digit_count(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	long n = 0;
	while (i < len) {
		if (u[i] >= '0' && u[i] <= '9')
			i++;
		else if (i + 2 < len && u[i] == 0xEF && u[i + 1] == 0xBC && u[i + 2] >= 0x90 &&
			 u[i + 2] <= 0x99)
			i += 3;
		else
			return -1;
		n++;
	}
	return n;
}

static void add_needle(struct needles *nd, const char *s, size_t len)
{
	long digits = digit_count(s, len);
	/* shorter ones collide with any number; a full-width number counts its
	 * digits, not its bytes (a card symbol "５０" is as short as "50") */
	if (len < 4 || (digits >= 0 && digits < 4))
		return;
	nd->v = realloc(nd->v, (nd->n + 1) * sizeof(char *));
	nd->v[nd->n] = malloc(len + 1);
	memcpy(nd->v[nd->n], s, len);
	nd->v[nd->n][len] = '\0';
	nd->n++;
}

static void add_variants(struct needles *nd, const char *s)
{
	char buf[512];
	size_t o = 0;
	const char *p;
	add_needle(nd, s, strlen(s));
	for (p = s; *p && o < sizeof(buf) - 4; p++) {
		if (*p == ' ' || *p == '-' || *p == '/' || *p == '.')
			continue;
		if ((unsigned char)p[0] == 0xE3 && (unsigned char)p[1] == 0x80 &&
		    (unsigned char)p[2] == 0x80) {
			p += 2;
			continue;
		}
		buf[o++] = *p;
	}
	add_needle(nd, buf, o);
}

/* The identifier cells of one sample CSV; -1 when it cannot be read. */
static int collect(struct needles *nd, const char *csv, const char *mapping, int cp932)
{
	struct colink_catalog *cat = NULL;
	struct colink_variant_table *vt = NULL;
	struct colink_mapping *m = NULL;
	struct colink_error err = {0};
	char *dd = tu_fmt("%s/mappings", tu_srcdir()), *raw, *text, *line, *save = NULL;
	size_t len, i;
	int idcol[64] = {0}, first = 1, ids = 0;
	if (colink_env_load(&cat, &vt, dd, &err) || colink_mapping_load(&m, mapping, cat, vt, &err) ||
	    !(raw = tu_read_file(csv, &len))) {
		fprintf(stderr, "pg_leaks: %s: %s\n", csv, err.msg);
		return -1;
	}
	text = cp932 ? tu_cp932_to_utf8(raw, len, NULL) : strdup(raw);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *cell, *rest = line;
		int c = 0;
		line[strcspn(line, "\r")] = '\0';
		while ((cell = strsep(&rest, ",")) && c < 64) {
			size_t cl = strlen(cell);
			if (cl >= 2 && cell[0] == '"' && cell[cl - 1] == '"') {
				cell[cl - 1] = '\0';
				cell++;
			}
			if (first) {
				for (i = 0; i < m->nfields; i++)
					if (m->fields[i].column && !strcmp(m->fields[i].column, cell) &&
					    (m->fields[i].field->flags & COLINK_FIELD_IDENTIFIER))
						idcol[c] = 1, ids++;
			} else if (idcol[c])
				add_variants(nd, cell);
			c++;
		}
		first = 0;
	}
	free(raw);
	free(text);
	free(dd);
	colink_mapping_free(m);
	colink_variant_table_free(vt);
	colink_catalog_free(cat);
	return ids ? 0 : -1;
}

static void on_uke_id(void *ud, const char *value, int text)
{
	if (text)
		add_variants(ud, value);
	else
		add_needle(ud, value, strlen(value));
}

/* The identifiers of one UKE file (tu_uke_identifiers): the number of
 * values added, -1 when it cannot be read. */
static int collect_uke(struct needles *nd, const char *path)
{
	size_t before = nd->n;
	if (tu_uke_identifiers(path, on_uke_id, nd) < 0) {
		fprintf(stderr, "pg_leaks: %s: cannot read\n", path);
		return -1;
	}
	return (int)(nd->n - before);
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static void blank_hex_runs(char *b, size_t n)
{
	size_t i = 0, j;
	while (i < n) {
		for (j = i; j < n && is_hex(b[j]); j++)
			;
		if (j - i >= 16)
			memset(b + i, ' ', j - i);
		i = j > i ? j : i + 1;
	}
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Whether b[i..n) starts with the digits/separators of pat, where '9' in
 * pat stands for any digit. */
static int at(const char *b, size_t i, size_t n, const char *pat)
{
	for (; *pat; pat++, i++)
		if (i >= n || (*pat == '9' ? !is_digit(b[i]) : b[i] != *pat))
			return 0;
	return 1;
}

/* A server log's own numbers are not data: the line prefix "%m [%p] "
 * (PostgreSQL's default, which tests/pg_server.sh keeps: time stamp,
 * zone, process id) and process
 * ids in messages ("(PID 4567) exited", "Process 4567 waits").  On a fresh
 * machine the server's process ids are small and met the samples' 4-digit
 * card symbols; blank them.  A number anywhere else (a statement's literal,
 * a DETAIL's key) is still searched. */
static void blank_server_log_noise(char *b, size_t n)
{
	static const char *const words[] = { "PID ", "Process ", "process " };
	size_t i, w, j;
	for (i = 0; i < n; i = j + 1) {
		/* one line: b[i..j) */
		for (j = i; j < n && b[j] != '\n'; j++)
			;
		if (at(b, i, j, "9999-99-99 99:99:99")) {
			size_t k = i + 19;
			while (k < j && k < i + 48 && b[k] != '[')
				k++;
			if (k < j && b[k] == '[') {
				size_t e = k + 1;
				while (e < j && is_digit(b[e]))
					e++;
				if (e > k + 1 && e < j && b[e] == ']')
					memset(b + i, ' ', e + 1 - i);
			}
		}
	}
	for (w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
		size_t l = strlen(words[w]);
		const char *p = b;
		while ((p = memmem(p, n - (size_t)(p - b), words[w], l))) {
			char *d = (char *)p + l;
			while (d < b + n && is_digit(*d))
				*d++ = ' ';
			p += l;
		}
	}
}

static int occurs(const char *b, size_t n, const char *needle)
{
	size_t l = strlen(needle), k;
	int digits = 1;
	const char *p = b;
	for (k = 0; k < l; k++)
		digits &= needle[k] >= '0' && needle[k] <= '9';
	while ((p = memmem(p, n - (size_t)(p - b), needle, l))) {
		int before = p > b && p[-1] >= '0' && p[-1] <= '9';
		int after = (size_t)(p - b) + l < n && p[l] >= '0' && p[l] <= '9';
		if (!digits || (!before && !after))
			return 1;
		p++;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *csv, *mapping;
		int cp932;
	} in[] = {
		{"vendor_a.csv", "vendors/vendor_a.xml", 0},
		{"vendor_b.csv", "vendors/vendor_b.xml", 1},
		{"claims_summary.csv", "association/claims_summary.xml", 0},
		{"employer/roster.csv", "employer/roster.xml", 0},
		{"employer/attendance_kot.csv", "employer/attendance_kot.xml", 1},
		{"employer/attendance_freee.csv", "employer/attendance_freee.xml", 0},
		{"employer/stress_check.csv", "employer/stress_check.xml", 0},
	};
	struct needles nd = {NULL, 0};
	size_t i, k, leaks = 0;
	int a;
	if (argc < 2) {
		fprintf(stderr, "usage: pg_leaks FILE...\n");
		return 2;
	}
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		char *csv = tu_fmt("%s/samples/%s", tu_srcdir(), in[i].csv);
		char *map = tu_fmt("%s/mappings/%s", tu_srcdir(), in[i].mapping);
		int rc = collect(&nd, csv, map, in[i].cp932);
		free(csv);
		free(map);
		if (rc)
			return 99;
	}
	for (i = 0; i < 2; i++) {
		static const char *const uke[] = { "claims/ika_202411.uke", "claims/chozai_202411.uke" };
		char *path = tu_fmt("%s/samples/%s", tu_srcdir(), uke[i]);
		int n = collect_uke(&nd, path);
		free(path);
		if (n < 10) { /* the claims really have identifiers to look for */
			fprintf(stderr, "pg_leaks: only %d identifier values in %s\n", n, uke[i]);
			return 99;
		}
	}
	if (nd.n < 100) { /* both parties really have identifiers to look for */
		fprintf(stderr, "pg_leaks: only %zu identifier values in the samples\n", nd.n);
		return 99;
	}
	for (a = 1; a < argc; a++) {
		size_t len;
		char *b = tu_read_file(argv[a], &len);
		if (!b) {
			fprintf(stderr, "pg_leaks: %s: cannot read\n", argv[a]);
			return 99;
		}
		blank_hex_runs(b, len);
		blank_server_log_noise(b, len);
		for (k = 0; k < nd.n; k++)
			if (occurs(b, len, nd.v[k])) {
				fprintf(stderr, "LEAK: identifier value #%zu of the samples is in %s\n", k,
					argv[a]);
				leaks++;
			}
		free(b);
	}
	printf("pg_leaks: %zu identifier values searched in %d files: %zu leaks\n", nd.n, argc - 1,
	       leaks);
	return leaks ? 1 : 0;
}
