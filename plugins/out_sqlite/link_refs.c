/*
 * link_refs.c -- out_sqlite: link's two person references, checked in bulk
 * (schema 13).
 *
 * link.employer_person_id and link.association_person_id name persons
 * (person.person_id).  Up to schema 12 SQLite checked each reference as a
 * foreign key, per inserted row: two searches of person's person_id index
 * by 64-hex text, ~4 of the ~10 s of CPU the first exact pass took at 1M
 * persons (bench/RESULTS.md, round 11).  From schema 13 the SQLite table
 * declares no such reference (schema.c rebuilds it) and this check stands
 * in for it, as out_postgres's merge does for PostgreSQL: after a link
 * phase, and after a migration, every link row's two persons must exist,
 * or the run (the migration) fails and rolls back, naming the row.
 *
 * It is a merge, not a search per row: person_id in the order of its
 * UNIQUE index, each side of link in the order of its own (the primary
 * key, the UNIQUE association column), both covering index scans that
 * read each page once.  Text compares as memcmp (BINARY), the order the
 * indexes keep.  A value that is not text (a BLOB, a number) is compared
 * by its bytes as well; SQLite sorts classes apart (numbers < text <
 * BLOB), so the merge compares the storage class first.
 */
#include <stdint.h>
#include <string.h>

#include <sqlite3.h>

#include "out_sqlite_int.h"

/* SQLite's order of storage classes (NULL, numbers, text, BLOB). */
static int class_rank(int type)
{
	switch (type) {
	case SQLITE_NULL:
		return 0;
	case SQLITE_INTEGER:
	case SQLITE_FLOAT:
		return 1;
	case SQLITE_TEXT:
		return 2;
	default:
		return 3;
	}
}

/* Compare column 0 of a (a row of the side) with column 0 of p (a person
 * row) as SQLite's BINARY order would; numbers by value. */
static int value_cmp(sqlite3_stmt *a, sqlite3_stmt *p)
{
	int ta = sqlite3_column_type(a, 0), tp = sqlite3_column_type(p, 0);
	int ra = class_rank(ta), rp = class_rank(tp), la, lp, c;
	const void *va, *vp;
	if (ra != rp)
		return ra < rp ? -1 : 1;
	if (ra == 0)
		return 0;
	if (ra == 1) {
		double x = sqlite3_column_double(a, 0), y = sqlite3_column_double(p, 0);
		return (x > y) - (x < y);
	}
	va = ra == 2 ? (const void *)sqlite3_column_text(a, 0) : sqlite3_column_blob(a, 0);
	la = sqlite3_column_bytes(a, 0);
	vp = rp == 2 ? (const void *)sqlite3_column_text(p, 0) : sqlite3_column_blob(p, 0);
	lp = sqlite3_column_bytes(p, 0);
	c = memcmp(va, vp, (size_t)(la < lp ? la : lp));
	if (c)
		return c;
	return (la > lp) - (la < lp);
}

/* One side: every value of link's column `col` (in its index's order) is
 * a person_id.  The first that is not fails with its link rowid. */
static int check_side(struct out_sqlite *o, const char *sql, const char *col,
		      const char *what, struct colink_error *err)
{
	sqlite3_stmt *s = NULL, *p = NULL;
	int ss, ps, rc = COLINK_OK;
	int src = sqlite3_prepare_v2(o->db, sql, -1, &s, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_prepare_v2(o->db, "SELECT person_id FROM person "
					 "ORDER BY person_id", -1, &p, NULL);
	if (src != SQLITE_OK) {
		rc = osq_db_err(o, src, "checking link's person references", err);
		goto out;
	}
	ss = sqlite3_step(s);
	ps = sqlite3_step(p);
	while (ss == SQLITE_ROW && (ps == SQLITE_ROW || ps == SQLITE_DONE)) {
		int c = ps == SQLITE_ROW ? value_cmp(s, p) : -1;
		if (c > 0) { /* this person is not linked on this side */
			ps = sqlite3_step(p);
			continue;
		}
		if (c < 0) {
			rc = COLINK_ERR(err, COLINK_EINVAL,
					"%s: link row (rowid %lld) names %s person whom table person "
					"does not hold (link.%s references person.person_id)",
					o->path, (long long)sqlite3_column_int64(s, 1), what, col);
			goto out;
		}
		ss = sqlite3_step(s); /* equal: the next link row */
	}
	if (ss != SQLITE_DONE && ss != SQLITE_ROW)
		rc = osq_db_err(o, ss, "checking link's person references", err);
	else if (ps != SQLITE_ROW && ps != SQLITE_DONE)
		rc = osq_db_err(o, ps, "checking link's person references", err);
out:
	sqlite3_finalize(s);
	sqlite3_finalize(p);
	return rc;
}

int osq_link_refs_check(struct out_sqlite *o, struct colink_error *err)
{
	int rc = check_side(o, "SELECT employer_person_id, rowid FROM link "
			    "ORDER BY employer_person_id", "employer_person_id",
			    "an employer", err);
	if (!rc)
		rc = check_side(o, "SELECT association_person_id, rowid FROM link "
				"ORDER BY association_person_id", "association_person_id",
				"an association", err);
	return rc;
}
