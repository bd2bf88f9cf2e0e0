/*
 * wh_pg_wp.c -- the white paper's per-person work set on PostgreSQL
 * (#16 part 4): wh_sqlite_wp.c in PostgreSQL's dialect, so that `colink
 * report whitepaper` writes the bytes it writes on SQLite.  One section per
 * reader, in the order of wh_sqlite_wp.c (work set, exams, attendance,
 * bands, sites, jobs, counts, guidance, site rows, claims); the
 * participation of ⑤ is wh_pg_part.c's.
 *
 * The work set is a TEMP table of the connection (wp_person), as on
 * SQLite, so C memory holds only the released tables.  The session is
 * READ ONLY (wh_pg.c), which forbids CREATE and DROP even of a temporary
 * table: those two alone run with the session's default switched to read
 * write and back (wp_ddl); writing rows of a temporary table is allowed in
 * a read-only transaction, so nothing else can change the warehouse.
 *
 * The derived facts keep their one definition in C: SQLite calls them as
 * SQL functions, PostgreSQL cannot load them, so the few distinct inputs
 * (birth months, ages) are read, mapped in C (colink_age_fy_end_ym,
 * colink_age_band10) and joined back as arrays (unnest).  Other
 * differences: text ordered COLLATE "C" (SQLite's BINARY); total() is
 * coalesce(sum(float8), 0); averages in float8, as SQLite's REAL.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "core/value.h"
#include "warehouse/wh_pg_int.h"

static int fail(struct colink_wh *wh, const char *what, PGresult *res, struct colink_error *err)
{
	char w[128];
	snprintf(w, sizeof(w), "white paper: %s", what);
	return whp_err(wh, w, res ? PQresultErrorMessage(res) : PQerrorMessage(whp_db(wh)), err);
}

/* One statement (params: text values), no rows wanted; without params,
 * several statements separated by ';'. */
int whp_wp_exec(struct colink_wh *wh, const char *sql, int n, const char *const *v,
		const char *what, struct colink_error *err)
{
	PGresult *res = n ? PQexecParams(whp_db(wh), sql, n, NULL, v, NULL, NULL, 0)
			  : PQexec(whp_db(wh), sql);
	int rc = COLINK_OK;
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
		rc = fail(wh, what, res, err);
	PQclear(res);
	return rc;
}

/* A query's rows (NULL with err set on failure; PQclear it). */
PGresult *whp_wp_query(struct colink_wh *wh, const char *sql, int n, const char *const *v,
		       const char *what, struct colink_error *err)
{
	PGresult *res = PQexecParams(whp_db(wh), sql, n, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		fail(wh, what, res, err);
		PQclear(res);
		return NULL;
	}
	return res;
}

/* CREATE or DROP of the work tables: the read-only default off for them. */
static int wp_ddl(struct colink_wh *wh, const char *sql, const char *what, struct colink_error *err)
{
	struct colink_error ignored = {0};
	int rc = whp_wp_exec(wh, "SET client_min_messages TO warning; "
			     "SET default_transaction_read_only TO off", 0, NULL, what, err);
	int back;
	if (!rc)
		rc = whp_wp_exec(wh, sql, 0, NULL, what, err);
	back = whp_wp_exec(wh, "SET default_transaction_read_only TO on", 0, NULL, what,
			   rc ? &ignored : err);
	return rc ? rc : back;
}

/* ---- derived facts as arrays ---- */

/* A growing "{a,b,...}" array literal. */
struct arr {
	char *p;
	size_t len, cap;
	int failed;
};

static void arr_add(struct arr *a, long long v)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%s%lld", a->len > 1 ? "," : "", v);
	if (a->failed)
		return;
	if (a->len + (size_t)n + 2 > a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 256;
		char *p = colink_realloc(a->p, cap);
		if (!p) {
			a->failed = 1;
			return;
		}
		a->p = p;
		a->cap = cap;
	}
	if (!a->len)
		a->p[a->len++] = '{';
	memcpy(a->p + a->len, tmp, (size_t)n);
	a->len += (size_t)n;
	a->p[a->len] = '}';
	a->p[a->len + 1] = '\0';
}

static void arr_free(struct arr *a)
{
	colink_free(a->p);
	memset(a, 0, sizeof(*a));
}

/* The distinct values of `sql` (one integer column) as keys[], with f of
 * each as vals[] and band10 of f as bands[] (NULL: not wanted). */
static int int_map(struct colink_wh *wh, const char *sql, int n, const char *const *v,
		   int (*f)(int x, int arg), int arg, struct arr *keys, struct arr *vals,
		   struct arr *bands, const char *what, struct colink_error *err)
{
	PGresult *res = whp_wp_query(wh, sql, n, v, what, err);
	int i;
	if (!res)
		return COLINK_EIO;
	for (i = 0; i < PQntuples(res); i++) {
		long long x;
		int y;
		if (PQgetisnull(res, i, 0))
			continue;
		x = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		y = f((int)x, arg);
		arr_add(keys, x);
		arr_add(vals, y);
		if (bands)
			arr_add(bands, colink_age_band10(y));
	}
	PQclear(res);
	if (!keys->p) { /* an empty map is still an array */
		keys->p = colink_strdup("{}");
		vals->p = colink_strdup("{}");
		if (bands)
			bands->p = colink_strdup("{}");
	}
	if (keys->failed || vals->failed || !keys->p || !vals->p ||
	    (bands && (bands->failed || !bands->p)))
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	return COLINK_OK;
}

static int age_of_ym(int ym, int fy)
{
	return colink_age_fy_end_ym(ym, fy);
}

static int band_of(int age, int unused)
{
	(void)unused;
	return colink_age_band10(age);
}

/* The persons' birth months with their age on 31 March of fy and its band,
 * as three array literals for unnest($::bigint[], $::int[], $::int[]) (the
 * claims readers of wh_pg_allow.c); colink_free each. */
int whp_age_map(struct colink_wh *wh, int fy, char **ym, char **age, char **band, const char *what,
		struct colink_error *err)
{
	struct arr y = {0}, a = {0}, b = {0};
	int rc = int_map(wh, "SELECT DISTINCT birth_ym FROM person WHERE birth_ym IS NOT NULL", 0, NULL,
			 age_of_ym, fy, &y, &a, &b, what, err);
	if (rc) {
		arr_free(&y);
		arr_free(&a);
		arr_free(&b);
		*ym = *age = *band = NULL;
		return rc;
	}
	*ym = y.p;
	*age = a.p;
	*band = b.p;
	return COLINK_OK;
}

/* ---- the work set ---- */

int whp_wp_begin(struct colink_wh *wh, int fy, struct colink_error *err)
{
	struct arr ym = {0}, age = {0};
	char sql[1400];
	const char *v[2];
	int rc;
	rc = wp_ddl(wh, "DROP TABLE IF EXISTS pg_temp.wp_person; "
		    "CREATE TEMP TABLE wp_person ("
		    " eid bigint PRIMARY KEY, aid text, sex int, age int,"
		    " site text, job text, band int, site_idx int, job_idx int,"
		    " examined int DEFAULT 0, guidance int,"
		    " r0 int, r1 int, r2 int, r3 int, r4 int, r5 int,"
		    " smoking int, att_n int DEFAULT 0, ot float8, sick float8); "
		    "CREATE INDEX wp_person_aid ON wp_person (aid)",
		    "creating the work table", err);
	if (rc)
		return rc;
	rc = int_map(wh, "SELECT DISTINCT birth_ym FROM person WHERE birth_ym IS NOT NULL", 0, NULL,
		     age_of_ym, fy, &ym, &age, NULL, "reading the employees of the year", err);
	/* eid: the employee's person_no, aid: the linked association
	 * pseudonym; the age on 31 March from the birth month until an exam's
	 * replaces it (as wh_sqlite_wp.c) */
	snprintf(sql, sizeof(sql),
		 "INSERT INTO wp_person (eid, aid, sex, age, site, job) "
		 "SELECT e.person_no, l.association_person_id, CAST(p.sex AS int), a.age, "
		 " e.site, e.job_type "
		 "FROM employee e JOIN person p ON p.person_no = e.person_no "
		 "LEFT JOIN link l ON l.employer_person_id = p.person_id "
		 "LEFT JOIN unnest($1::bigint[], $2::int[]) AS a (ym, age) ON a.ym = p.birth_ym "
		 "WHERE (e.hire_date IS NULL OR e.hire_date <= '%04d-03-31') "
		 "AND (e.leave_date IS NULL OR e.leave_date >= '%04d-04-01') "
		 "AND p.birth_ym IS NOT NULL AND p.sex IN ('1', '2')",
		 fy + 1, fy);
	v[0] = ym.p;
	v[1] = age.p;
	if (!rc)
		rc = whp_wp_exec(wh, sql, 2, v, "reading the employees of the year", err);
	arr_free(&ym);
	arr_free(&age);
	return rc;
}

int whp_wp_exam(struct colink_wh *wh, const struct colink_wh_wp_exam *x, struct colink_error *err)
{
	char num[3 + COLINK_WH_WP_AREAS][16];
	const char *v[4 + COLINK_WH_WP_AREAS];
	int a;
	snprintf(num[0], 16, "%d", x->age_fy_end);
	v[0] = x->age_fy_end >= 0 ? num[0] : NULL;
	snprintf(num[1], 16, "%d", x->guidance);
	v[1] = num[1];
	for (a = 0; a < COLINK_WH_WP_AREAS; a++) {
		snprintf(num[2 + a], 16, "%d", x->risk[a]);
		v[2 + a] = x->risk[a] < 0 ? NULL : num[2 + a];
	}
	snprintf(num[2 + COLINK_WH_WP_AREAS], 16, "%d", x->smoking);
	v[2 + COLINK_WH_WP_AREAS] = num[2 + COLINK_WH_WP_AREAS];
	v[3 + COLINK_WH_WP_AREAS] = x->person_id;
	return whp_wp_exec(wh, "UPDATE wp_person SET examined = 1, age = coalesce($1::int, age), "
			   "guidance = $2::int, r0 = $3::int, r1 = $4::int, r2 = $5::int, "
			   "r3 = $6::int, r4 = $7::int, r5 = $8::int, smoking = $9::int "
			   "WHERE aid = $10", 4 + COLINK_WH_WP_AREAS, v,
			   "storing an evaluated checkup", err);
}

int whp_wp_attendance(struct colink_wh *wh, int fy, struct colink_error *err)
{
	char from[16], to[16];
	const char *v[2] = { from, to };
	snprintf(from, sizeof(from), "%04d-04", fy);
	snprintf(to, sizeof(to), "%04d-03", fy + 1);
	/* one aggregate per person over the year's months, then one join: on a
	 * sharded warehouse the GROUP BY person_no (the partition key) runs on
	 * the shards (docs/postgres-shards.md); persons without a month get
	 * 0, NULL, 0 as the subqueries per person gave */
	return whp_wp_exec(wh,
			   "UPDATE wp_person w SET att_n = coalesce(x.n, 0), ot = x.ot, "
			   " sick = coalesce(x.sick, 0) "
			   "FROM wp_person w2 LEFT JOIN ("
			   " SELECT person_no, count(*) AS n,"
			   "  avg(CAST(overtime_minutes AS float8)) / CAST(60.0 AS float8) AS ot,"
			   "  sum(CAST(sick_days AS float8)) AS sick"
			   " FROM attendance_month WHERE year_month BETWEEN $1 AND $2"
			   " GROUP BY person_no) x ON x.person_no = w2.eid "
			   "WHERE w2.eid = w.eid",
			   2, v, "reading attendance", err);
}

int whp_wp_band(struct colink_wh *wh, struct colink_error *err)
{
	struct arr age = {0}, band = {0};
	const char *v[2];
	int rc = whp_wp_exec(wh, "DELETE FROM wp_person WHERE age IS NULL OR age < 0", 0, NULL,
			     "banding ages", err);
	if (!rc)
		rc = int_map(wh, "SELECT DISTINCT age FROM wp_person", 0, NULL, band_of, 0, &age,
			     &band, NULL, "banding ages", err);
	v[0] = age.p;
	v[1] = band.p;
	if (!rc)
		rc = whp_wp_exec(wh, "UPDATE wp_person w SET band = b.band FROM "
				 "unnest($1::int[], $2::int[]) AS b (age, band) WHERE b.age = w.age",
				 2, v, "banding ages", err);
	arr_free(&age);
	arr_free(&band);
	return rc;
}

/* ---- sites and job types ---- */

int whp_wp_sites(struct colink_wh *wh, colink_wh_wp_site_cb cb, void *ud, struct colink_error *err)
{
	PGresult *res = whp_wp_query(wh, "SELECT coalesce(site, ''), count(*) FROM wp_person "
				     "GROUP BY 1 ORDER BY coalesce(site, '') COLLATE \"C\"", 0, NULL,
				     "grouping sites", err);
	int i, rc = COLINK_OK;
	if (!res)
		return COLINK_EIO;
	for (i = 0; !rc && i < PQntuples(res); i++) {
		const char *site = PQgetvalue(res, i, 0);
		char idxt[16];
		const char *v[2] = { idxt, site };
		int idx = -2;
		if ((rc = cb(ud, site, strtol(PQgetvalue(res, i, 1), NULL, 10), &idx)))
			break;
		snprintf(idxt, sizeof(idxt), "%d", idx);
		rc = whp_wp_exec(wh, "UPDATE wp_person SET site_idx = $1::int "
				 "WHERE coalesce(site, '') = $2", 2, v, "grouping sites", err);
	}
	PQclear(res);
	return rc;
}

int whp_wp_site_merge(struct colink_wh *wh, int idx, struct colink_error *err)
{
	char idxt[16];
	const char *v[1] = { idxt };
	snprintf(idxt, sizeof(idxt), "%d", idx);
	return whp_wp_exec(wh, "UPDATE wp_person SET site_idx = $1::int WHERE site_idx = -2", 1, v,
			   "grouping sites", err);
}

int whp_wp_jobs(struct colink_wh *wh, colink_wh_wp_job_cb cb, void *ud, struct colink_error *err)
{
	PGresult *res = whp_wp_query(wh, "SELECT DISTINCT coalesce(job, '') COLLATE \"C\" FROM "
				     "wp_person ORDER BY 1", 0, NULL, "grouping job types", err);
	int i, rc = COLINK_OK;
	if (!res)
		return COLINK_EIO;
	for (i = 0; !rc && i < PQntuples(res); i++)
		rc = cb(ud, PQgetvalue(res, i, 0));
	PQclear(res);
	if (rc)
		return rc;
	/* job_idx = rank of the job code in that order */
	return whp_wp_exec(wh, "UPDATE wp_person w SET job_idx = j.idx FROM (SELECT j, "
			   "row_number() OVER (ORDER BY j COLLATE \"C\") - 1 AS idx FROM (SELECT "
			   "DISTINCT coalesce(job, '') AS j FROM wp_person) d) j "
			   "WHERE j.j = coalesce(w.job, '')", 0, NULL, "grouping job types", err);
}

/* ---- counts ---- */

static void filter_sql(enum colink_wh_wp_filter f, int arg, char *buf, size_t n)
{
	switch (f) {
	case COLINK_WH_WP_EXAMINED:
		snprintf(buf, n, "examined = 1");
		break;
	case COLINK_WH_WP_MEASURED:
		snprintf(buf, n, "r%d IS NOT NULL", arg);
		break;
	case COLINK_WH_WP_RISK:
		snprintf(buf, n, "r%d = 1", arg);
		break;
	case COLINK_WH_WP_SMOKING_ANSWERED:
		snprintf(buf, n, "smoking > 0");
		break;
	case COLINK_WH_WP_SMOKING_IS:
		snprintf(buf, n, "smoking = %d", arg);
		break;
	case COLINK_WH_WP_ATTENDANCE:
		snprintf(buf, n, "att_n > 0");
		break;
	default:
		snprintf(buf, n, "TRUE");
	}
}

int whp_wp_count(struct colink_wh *wh, enum colink_wh_wp_dim dim, enum colink_wh_wp_filter filter,
		 int arg, enum colink_wh_wp_sum sum, colink_wh_wp_count_cb cb, void *ud,
		 struct colink_error *err)
{
	static const char *const dim_cols[] = {"band", "site_idx", "job_idx"};
	char sql[512], cond[64];
	PGresult *res;
	int i;
	if (arg < 0 || arg >= 100)
		arg = 0; /* an area or a status: a small number (never text) */
	filter_sql(filter, arg, cond, sizeof(cond));
	snprintf(sql, sizeof(sql),
		 "SELECT %s, sex, count(*), coalesce(sum(%s), 0) FROM wp_person WHERE %s "
		 "GROUP BY 1, 2", dim_cols[dim],
		 sum == COLINK_WH_WP_OVERTIME ? "ot" : sum == COLINK_WH_WP_SICK ? "sick" : "0::float8",
		 cond);
	if (!(res = whp_wp_query(wh, sql, 0, NULL, "counting", err)))
		return COLINK_EIO;
	for (i = 0; i < PQntuples(res); i++)
		cb(ud, PQgetisnull(res, i, 0) ? 0 : strtol(PQgetvalue(res, i, 0), NULL, 10),
		   strtol(PQgetvalue(res, i, 1), NULL, 10), strtol(PQgetvalue(res, i, 2), NULL, 10),
		   strtod(PQgetvalue(res, i, 3), NULL));
	PQclear(res);
	return COLINK_OK;
}

int whp_wp_guidance(struct colink_wh *wh, colink_wh_wp_level_cb cb, void *ud,
		    struct colink_error *err)
{
	PGresult *res = whp_wp_query(wh, "SELECT guidance, sex, count(*) FROM wp_person "
				     "WHERE examined = 1 AND age BETWEEN 40 AND 74 GROUP BY 1, 2",
				     0, NULL, "counting guidance levels", err);
	int i;
	if (!res)
		return COLINK_EIO;
	for (i = 0; i < PQntuples(res); i++)
		cb(ud, atoi(PQgetvalue(res, i, 0)), atoi(PQgetvalue(res, i, 1)),
		   strtol(PQgetvalue(res, i, 2), NULL, 10));
	PQclear(res);
	return COLINK_OK;
}

long whp_wp_site_row(struct colink_wh *wh, const char *site, struct colink_error *err)
{
	const char *v[1] = { site };
	PGresult *res = whp_wp_query(wh, "SELECT site_idx FROM wp_person WHERE coalesce(site, '') "
				     "= $1 LIMIT 1", 1, v, "smoking transitions", err);
	long idx = -1;
	if (!res)
		return -2;
	if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
		idx = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return idx;
}

void whp_wp_end(struct colink_wh *wh)
{
	struct colink_error ignored = {0};
	wp_ddl(wh, "DROP TABLE IF EXISTS pg_temp.wp_person", "dropping the work table", &ignored);
}

/* ---- claims per age band ---- */

int whp_claims_by_band(struct colink_wh *wh, int fy, int roster, int *present,
		       colink_wh_claims_cb cb, void *ud, struct colink_error *err)
{
	struct arr ym = {0}, age = {0}, band = {0};
	char fyt[16], rt[4];
	const char *v[5] = { fyt, rt };
	PGresult *res = NULL;
	int i, rc;
	*present = whp_table_exists(wh, "claims_summary");
	if (!*present)
		return COLINK_OK;
	snprintf(fyt, sizeof(fyt), "%d", fy);
	snprintf(rt, sizeof(rt), "%d", roster != 0);
	rc = int_map(wh, "SELECT DISTINCT birth_ym FROM person WHERE birth_ym IS NOT NULL", 0, NULL,
		     age_of_ym, fy, &ym, &age, &band, "reading claims_summary", err);
	v[2] = ym.p;
	v[3] = age.p;
	v[4] = band.p;
	/* every association person with a cost for the year, once: age on 31
	 * March and sex from the association person (its checkups), else ($2)
	 * from the linked employee's roster; band -1 / sex 0 when unknown */
	if (!rc)
		res = whp_wp_query(wh,
			"SELECT CASE WHEN x.a >= 0 THEN x.b ELSE -1 END, x.sex, count(*), "
			"coalesce(sum(x.cost), 0) FROM (SELECT "
			" CASE WHEN pa.age IS NOT NULL THEN pa.age WHEN $2::int = 1 THEN ea.age END AS a, "
			" CASE WHEN pa.age IS NOT NULL THEN pa.band WHEN $2::int = 1 THEN ea.band END AS b, "
			" CASE WHEN p.sex IN ('1', '2') THEN CAST(p.sex AS int) "
			"  WHEN $2::int = 1 AND e.sex IN ('1', '2') THEN CAST(e.sex AS int) ELSE 0 END AS sex, "
			" CAST(c.medical_cost AS float8) AS cost "
			" FROM claims_summary c JOIN person p ON p.person_no = c.person_no "
			" LEFT JOIN link l ON l.association_person_id = p.person_id "
			" LEFT JOIN person e ON e.person_id = l.employer_person_id "
			" LEFT JOIN unnest($3::bigint[], $4::int[], $5::int[]) AS pa (ym, age, band) "
			"  ON pa.ym = p.birth_ym "
			" LEFT JOIN unnest($3::bigint[], $4::int[], $5::int[]) AS ea (ym, age, band) "
			"  ON ea.ym = e.birth_ym "
			" WHERE c.fiscal_year = $1::int AND c.medical_cost IS NOT NULL) x GROUP BY 1, 2",
			5, v, "reading claims_summary", err);
	arr_free(&ym);
	arr_free(&age);
	arr_free(&band);
	if (!res)
		return rc ? rc : COLINK_EIO;
	for (i = 0; i < PQntuples(res); i++)
		cb(ud, atoi(PQgetvalue(res, i, 0)), atoi(PQgetvalue(res, i, 1)),
		   strtol(PQgetvalue(res, i, 2), NULL, 10), strtod(PQgetvalue(res, i, 3), NULL));
	PQclear(res);
	return COLINK_OK;
}
