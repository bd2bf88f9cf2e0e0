/* report_leak.h -- the leak check every `colink report` verb's tests run on
 * what the verb releases (issue #19): no count 1..k-1 anywhere in a released
 * aggregate, and no withheld count recoverable from the released ones (the
 * brute-force audit of sup_audit.h, written independently of the engine).
 * Include once per test program, after sup_audit.h's dependencies (it
 * includes sup_audit.h itself).
 *
 * report smoking: each row (a site, or "(all)") is one 3 x 2 table of
 * persons: before = current / non-smoker / not known (rows) by now =
 * current / non-smoker (columns).  Its released numbers are current_before
 * (row 0 total), quit_after (cell 0,1), noncurrent_before (row 1 total),
 * relapse_after (cell 1,0), current_now (column 0 total) and answered_now
 * (the grand total); every other cell is known to a reader when the
 * relations give it (still smoking = current_before - quit_after, ...), so
 * the check first derives everything derivable, then requires each known
 * cell to be 0 or >= k and audits the withheld ones.
 * report referral / guidance: person-level lists, not aggregates; the
 * check requires that every row names a person (no row counts persons).
 */
#ifndef COLINK_REPORT_LEAK_H
#define COLINK_REPORT_LEAK_H

#include <stdlib.h>

#include "sup_audit.h"

/* Released counts of t not withheld: 0 or >= k (>= k with suppress_zeros);
 * then the audit of every withheld cell (truth unknown).  Returns the
 * number of offending released counts; *audited = 1 when the audit ran. */
SUP_AUDIT_UNUSED static int sup_leak_check(const struct colink_sup_table *t, const struct colink_sup_opts *o,
			  const char *what, const long *clo, int *audited)
{
	size_t c, n = (t->rows + 1) * (t->cols + 1);
	int bad = 0, a;
	for (c = 0; c < n; c++)
		if (released(t, c) && t->v[c] < o->k && (t->v[c] > 0 || o->suppress_zeros)) {
			fprintf(stderr, "%s: released count %ld below k=%ld (cell %zu)\n", what, t->v[c], o->k, c);
			bad++;
		}
	CU_ASSERT_EQUAL(bad, 0);
	a = audit_table_lo(t, o, 0, clo);
	if (audited)
		*audited = a;
	return bad;
}

/* One smoking row as the 3 x 2 table above; v[6]: current_before,
 * quit_after, noncurrent_before, relapse_after, current_now, answered_now;
 * known[i] = 0 when withheld.  Derives what the relations give and runs
 * sup_leak_check.  Returns the number of offending released counts;
 * *audited_out = 0 when the brute force ran out of its budget (a row with
 * large withheld totals) -- NULL: that fails the check. */
static int leak_check_smoking_row(const long v[6], const int known[6], long k, const char *what,
				  int *audited_out)
{
	struct colink_sup_table t;
	struct colink_sup_opts o = { k, 0 };
	struct colink_error err = { 0 };
	static const size_t cell[6][2] = { { 0, 2 }, { 0, 1 }, { 1, 2 }, { 1, 0 }, { 3, 0 }, { 3, 2 } };
	unsigned char kn[12];
	long clo[12] = { 0 }; /* a withheld ("*") number is >= 1: 0 would be printed */
	size_t i, j, c;
	int changed = 1, bad, audited = 0;
	long maxv = 0;
	CU_ASSERT_FATAL(colink_sup_table_init(&t, what, "before", "now", 3, 2, &err) == 0);
	memset(kn, 0, sizeof(kn));
	for (i = 0; i < 6; i++)
		if (!known[i])
			clo[AT(&t, cell[i][0], cell[i][1])] = 1;
		else {
			c = AT(&t, cell[i][0], cell[i][1]);
			t.v[c] = v[i];
			kn[c] = 1;
			if (v[i] > maxv)
				maxv = v[i];
		}
	while (changed) { /* a relation with one unknown member gives it */
		changed = 0;
		for (i = 0; i <= 3; i++) { /* rows: (i,0) + (i,1) = (i,2) */
			size_t a = AT(&t, i, 0), b = AT(&t, i, 1), s = AT(&t, i, 2);
			if (kn[a] + kn[b] + kn[s] == 2) {
				if (!kn[s])
					t.v[s] = t.v[a] + t.v[b], kn[s] = 1;
				else if (!kn[a])
					t.v[a] = t.v[s] - t.v[b], kn[a] = 1;
				else
					t.v[b] = t.v[s] - t.v[a], kn[b] = 1;
				changed = 1;
			}
		}
		for (j = 0; j <= 2; j++) { /* columns: (0,j) + (1,j) + (2,j) = (3,j) */
			int nk = 0;
			size_t miss = 0;
			long s = 0;
			for (i = 0; i <= 3; i++) {
				c = AT(&t, i, j);
				if (kn[c])
					nk++, s += i < 3 ? t.v[c] : -t.v[c];
				else
					miss = i;
			}
			if (nk == 3) {
				c = AT(&t, miss, j);
				t.v[c] = miss < 3 ? -s : s;
				kn[c] = 1;
				changed = 1;
			}
		}
	}
	for (c = 0; c < 12; c++) {
		t.state[c] = kn[c] ? COLINK_SUP_RELEASED : COLINK_SUP_PRIMARY;
		CU_ASSERT(!kn[c] || t.v[c] >= 0); /* the released numbers are consistent */
	}
	if (!kn[AT(&t, 3, 2)]) /* bound the audit's search */
		t.v[AT(&t, 3, 2)] = maxv + k;
	bad = sup_leak_check(&t, &o, what, clo, &audited);
	if (audited_out)
		*audited_out = audited;
	else
		CU_ASSERT(audited);
	colink_sup_table_free(&t);
	return bad;
}

/* The CSV of `report smoking` (header + rows): every row through
 * leak_check_smoking_row ("*" = withheld), and a rate printed only when
 * both of its counts are.  Returns the number of rows checked. */
SUP_AUDIT_UNUSED static int leak_check_smoking_csv(const char *csv, long k)
{
	const char *p = strchr(csv ? csv : "", '\n');
	int rows = 0;
	static const int count_col[6] = { 2, 3, 5, 6, 8, 9 };
	static const int rate_col[3][3] = { { 4, 3, 2 }, { 7, 6, 5 }, { 10, 8, 9 } }; /* rate, num, den */
	while (p && p[1]) {
		char line[512], *f[16], *s;
		const char *e = strchr(p + 1, '\n');
		size_t len = e ? (size_t)(e - p - 1) : strlen(p + 1);
		int nf = 0, i;
		long v[6];
		int known[6];
		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, p + 1, len);
		line[len] = '\0';
		p = e;
		/* split on commas keeping empty fields (no quoted commas in these rows) */
		for (s = line; nf < 16; nf++) {
			f[nf] = s;
			if (!(s = strchr(s, ',')))
				break;
			*s++ = '\0';
		}
		CU_ASSERT_EQUAL_FATAL(nf + 1, 11);
		for (i = 0; i < 6; i++) {
			known[i] = strcmp(f[count_col[i]], "*") != 0;
			v[i] = known[i] ? atol(f[count_col[i]]) : 0;
		}
		for (i = 0; i < 3; i++) {
			const char *r = f[rate_col[i][0]];
			if (*r && strcmp(r, "*") && (!strcmp(f[rate_col[i][1]], "*") || !strcmp(f[rate_col[i][2]], "*"))) {
				fprintf(stderr, "smoking row %s,%s: rate %s printed over a withheld count\n",
					f[0], f[1], r);
				CU_FAIL("a rate over a withheld count");
			}
		}
		leak_check_smoking_row(v, known, k, "smoking row", NULL);
		rows++;
	}
	return rows;
}

/* A person-level list (referral, guidance, smoking --persons): every row's
 * first field names a person (a pseudonym of 64 hex, or an employee
 * number), none is a count of persons.  Returns the number of rows. */
SUP_AUDIT_UNUSED static int leak_check_person_list(const char *csv)
{
	const char *p = strchr(csv ? csv : "", '\n');
	int rows = 0;
	while (p && p[1]) {
		const char *e = strchr(p + 1, '\n');
		size_t n = strcspn(p + 1, ",\n");
		CU_ASSERT(n > 0); /* a person named */
		rows++;
		p = e;
	}
	return rows;
}

#endif
