/*
 * whitepaper.c -- 健康白書: the population of a fiscal year, its measures,
 * the site rule and the small-cell protection.  Rendering is wp_render.c.
 *
 * Everything per person lives in one TEMP table (wp_person) of the
 * read-only warehouse connection; C memory holds only the released tables
 * (rows x 2 cells per measure), so memory does not grow with persons.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "programs/wp_int.h"

const char *const wp_band_labels[WP_NBANDS] = {
	"〜19歳", "20代", "30代", "40代", "50代", "60代", "70歳〜"
};
const char *const wp_level_labels[WP_NLEVELS] = {
	"積極的支援", "動機付け支援", "情報提供", "情報提供(服薬中)", "判定不能"
};
const char *const wp_area_labels[COLINK_AREA_COUNT] = {
	"血圧", "脂質", "肝機能", "血糖", "腎機能", "貧血"
};
static const char *const area_ids[COLINK_AREA_COUNT] = {
	"bp", "lipid", "liver", "glucose", "kidney", "anemia"
};
static const char *const dim_cols[WP_NDIM] = { "band", "site_idx", "job_idx" };

#define OOM(err) COLINK_ERR(err, COLINK_ENOMEM, "white paper: out of memory")

static int db_fail(sqlite3 *db, const char *what, struct colink_error *err)
{
	return COLINK_ERR(err, COLINK_EIO, "white paper: %s: %s", what, sqlite3_errmsg(db));
}

static int exec(sqlite3 *db, const char *sql, const char *what, struct colink_error *err)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, what, err);
	return COLINK_OK;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = colink_malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

int wp_rate(const struct colink_sup_table *num, const struct colink_sup_table *den,
	    size_t c, long k, double *pct)
{
	if (num->state[c] || den->state[c] || den->v[c] < k || den->v[c] <= 0)
		return 0;
	*pct = 100.0 * (double)num->v[c] / (double)den->v[c];
	return 1;
}

int wp_mean_of(const struct colink_sup_table *n, const double *sum, size_t c, long k,
	       double *mean)
{
	if (n->state[c] || n->v[c] < k || n->v[c] <= 0)
		return 0;
	*mean = sum[c] / (double)n->v[c];
	return 1;
}

/* ---- the population ------------------------------------------------ */

static int population(sqlite3 *db, int fy, struct colink_error *err)
{
	char sql[2048];
	int rc = exec(db, "DROP TABLE IF EXISTS temp.wp_person;"
		      "CREATE TEMP TABLE wp_person ("
		      " eid INTEGER PRIMARY KEY, aid TEXT, sex INTEGER, age INTEGER,"
		      " site TEXT, job TEXT, band INTEGER, site_idx INTEGER, job_idx INTEGER,"
		      " examined INTEGER DEFAULT 0, guidance INTEGER,"
		      " r0 INTEGER, r1 INTEGER, r2 INTEGER, r3 INTEGER, r4 INTEGER, r5 INTEGER,"
		      " smoking INTEGER, att_n INTEGER DEFAULT 0, ot REAL, sick REAL);"
		      "CREATE INDEX temp.wp_person_aid ON wp_person (aid);",
		      "creating the work table", err);
	if (rc)
		return rc;
	/* eid: the employee's person_no (what attendance_month refers to), aid:
	 * the linked association pseudonym (what a checkup's row names).  Age
	 * on 31 March from the birth month (a person born on 1 April is one
	 * year younger here than the law says; a checkup's age replaces it) */
	snprintf(sql, sizeof(sql),
		 "INSERT INTO wp_person (eid, aid, sex, age, site, job) "
		 "SELECT e.person_no, l.association_person_id, CAST(p.sex AS INTEGER), "
		 " %d - p.birth_ym / 100 - (CASE WHEN p.birth_ym %% 100 > 3 THEN 1 ELSE 0 END), "
		 " e.site, e.job_type "
		 "FROM employee e JOIN person p ON p.person_no = e.person_no "
		 "LEFT JOIN link l ON l.employer_person_id = p.person_id "
		 "WHERE (e.hire_date IS NULL OR e.hire_date <= '%04d-03-31') "
		 "AND (e.leave_date IS NULL OR e.leave_date >= '%04d-04-01') "
		 "AND p.birth_ym IS NOT NULL AND p.sex IN ('1', '2', 1, 2)",
		 fy + 1, fy + 1, fy);
	return exec(db, sql, "reading the employees of the year", err);
}

struct eval_ctx {
	sqlite3_stmt *up;
	sqlite3 *db;
	int failed;
};

static int on_exam(void *vctx, const struct colink_program_row *row)
{
	struct eval_ctx *x = vctx;
	sqlite3_stmt *st = x->up;
	int a;
	if (!row->person_id)
		return 0;
	sqlite3_reset(st);
	if (row->age_fy_end >= 0)
		sqlite3_bind_int(st, 1, row->age_fy_end);
	else
		sqlite3_bind_null(st, 1);
	sqlite3_bind_int(st, 2, (int)row->guidance);
	for (a = 0; a < COLINK_AREA_COUNT; a++) {
		if (row->referral[a] == COLINK_REFERRAL_UNKNOWN)
			sqlite3_bind_null(st, 3 + a);
		else
			sqlite3_bind_int(st, 3 + a, row->referral[a] >= COLINK_REFERRAL_RECOMMEND);
	}
	sqlite3_bind_int(st, 3 + COLINK_AREA_COUNT, (int)row->smoking);
	sqlite3_bind_text(st, 4 + COLINK_AREA_COUNT, row->person_id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE) {
		x->failed = 1;
		return 1;
	}
	return 0;
}

/* Checkups of the year, evaluated; the latest exam of a person wins
 * (rows come ordered by person and exam date). */
static int evaluate(sqlite3 *db, const struct colink_rules *r, int fy, struct colink_error *err)
{
	struct eval_ctx x = { NULL, db, 0 };
	int rc;
	if (sqlite3_prepare_v2(db,
			       "UPDATE wp_person SET examined = 1, age = coalesce(?1, age), guidance = ?2, "
			       "r0 = ?3, r1 = ?4, r2 = ?5, r3 = ?6, r4 = ?7, r5 = ?8, smoking = ?9 "
			       "WHERE aid = ?10", -1, &x.up, NULL) != SQLITE_OK)
		return db_fail(db, "preparing the evaluation", err);
	rc = colink_programs_evaluate(db, r, fy, on_exam, &x, err);
	sqlite3_finalize(x.up);
	if (x.failed)
		return db_fail(db, "storing an evaluated checkup", err);
	return rc < 0 ? rc : COLINK_OK;
}

static int attendance(sqlite3 *db, int fy, struct colink_error *err)
{
	char sql[1024];
	snprintf(sql, sizeof(sql),
		 "UPDATE wp_person SET "
		 "att_n = (SELECT count(*) FROM attendance_month a WHERE a.person_no = eid "
		 "  AND a.year_month BETWEEN '%04d-04' AND '%04d-03'), "
		 "ot = (SELECT avg(overtime_minutes) / 60.0 FROM attendance_month a WHERE a.person_no = eid "
		 "  AND a.year_month BETWEEN '%04d-04' AND '%04d-03'), "
		 "sick = (SELECT total(sick_days) FROM attendance_month a WHERE a.person_no = eid "
		 "  AND a.year_month BETWEEN '%04d-04' AND '%04d-03')",
		 fy, fy + 1, fy, fy + 1, fy, fy + 1);
	return exec(db, sql, "reading attendance", err);
}

static int banding(sqlite3 *db, struct colink_error *err)
{
	return exec(db, "DELETE FROM wp_person WHERE age IS NULL OR age < 0;"
		    "UPDATE wp_person SET band = CASE WHEN age < 20 THEN 0 WHEN age >= 70 THEN 6 "
		    "ELSE age / 10 - 1 END;",
		    "banding ages", err);
}

/* ---- labels and the site rule -------------------------------------- */

static int add_label(struct wp_year *y, int d, const char *s)
{
	char **nl = colink_malloc((y->nrows[d] + 1) * sizeof(*nl));
	if (!nl)
		return -1;
	if (y->nrows[d])
		memcpy(nl, y->labels[d], y->nrows[d] * sizeof(*nl));
	colink_free(y->labels[d]);
	y->labels[d] = nl;
	if (!(nl[y->nrows[d]] = xstrdup(s)))
		return -1;
	y->nrows[d]++;
	return 0;
}

/* Sites: released alone when >= min_site; the rest merged into one
 * "その他の事業所" row (withheld when that is still small) or withheld. */
static int sites(sqlite3 *db, struct wp_year *y, const struct colink_wp_opts *o,
		 struct colink_error *err)
{
	sqlite3_stmt *st = NULL, *up = NULL;
	long small_total = 0;
	int rc = COLINK_OK, src, other = -1;
	y->withheld_row = -1;
	if (sqlite3_prepare_v2(db, "SELECT coalesce(site, ''), count(*) FROM wp_person GROUP BY 1 ORDER BY 1",
			       -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "UPDATE wp_person SET site_idx = ?1 WHERE coalesce(site, '') = ?2",
			       -1, &up, NULL) != SQLITE_OK) {
		rc = db_fail(db, "grouping sites", err);
		goto out;
	}
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		const char *site = (const char *)sqlite3_column_text(st, 0);
		long n = sqlite3_column_int64(st, 1);
		int idx;
		if (n >= o->min_site) {
			if (add_label(y, WP_SITE, *site ? site : "(事業所不明)")) {
				rc = OOM(err);
				goto out;
			}
			idx = (int)y->nrows[WP_SITE] - 1;
		} else {
			idx = -2; /* placed below */
			small_total += n;
			if (o->site_rule == COLINK_WP_SITE_MERGE)
				y->sites_merged++;
			else
				y->sites_withheld++;
		}
		sqlite3_reset(up);
		sqlite3_bind_int(up, 1, idx);
		sqlite3_bind_text(up, 2, site, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(up) != SQLITE_DONE) {
			rc = db_fail(db, "grouping sites", err);
			goto out;
		}
	}
	if (src != SQLITE_DONE) {
		rc = db_fail(db, "grouping sites", err);
		goto out;
	}
	if (small_total > 0) {
		int merge = o->site_rule == COLINK_WP_SITE_MERGE && small_total >= o->min_site;
		if (o->site_rule == COLINK_WP_SITE_MERGE && !merge) {
			y->sites_withheld += y->sites_merged;
			y->sites_merged = 0;
		}
		if (add_label(y, WP_SITE, merge ? "その他の事業所" : "非公表の事業所")) {
			rc = OOM(err);
			goto out;
		}
		other = (int)y->nrows[WP_SITE] - 1;
		if (!merge)
			y->withheld_row = other;
	}
	if (other >= 0) {
		char sql[128];
		snprintf(sql, sizeof(sql), "UPDATE wp_person SET site_idx = %d WHERE site_idx = -2", other);
		rc = exec(db, sql, "grouping sites", err);
	}
out:
	sqlite3_finalize(st);
	sqlite3_finalize(up);
	return rc;
}

static int jobs(sqlite3 *db, struct wp_year *y, struct colink_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = COLINK_OK, src;
	if (sqlite3_prepare_v2(db, "SELECT DISTINCT coalesce(job, '') FROM wp_person ORDER BY 1", -1, &st,
			       NULL) != SQLITE_OK)
		return db_fail(db, "grouping job types", err);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		const char *job = (const char *)sqlite3_column_text(st, 0);
		if (add_label(y, WP_JOB, *job ? job : "(職種未設定)")) {
			rc = OOM(err);
			break;
		}
	}
	if (!rc && src != SQLITE_DONE)
		rc = db_fail(db, "grouping job types", err);
	sqlite3_finalize(st);
	if (rc)
		return rc;
	/* job_idx = rank of the job code in that order: ranked once per code,
	 * then one index lookup per person (not a scan of wp_person per person) */
	return exec(db,
		    "DROP TABLE IF EXISTS temp.wp_job;"
		    "CREATE TEMP TABLE wp_job (job TEXT PRIMARY KEY, idx INTEGER NOT NULL);"
		    "INSERT INTO wp_job SELECT j, row_number() OVER (ORDER BY j) - 1 "
		    " FROM (SELECT DISTINCT coalesce(job, '') AS j FROM wp_person);"
		    "UPDATE wp_person SET job_idx = (SELECT idx FROM wp_job WHERE wp_job.job = "
		    " coalesce(wp_person.job, ''));"
		    "DROP TABLE temp.wp_job;",
		    "grouping job types", err);
}

/* ---- counting ------------------------------------------------------ */

/* Fill t (rows of dimension d x sex) with persons matching cond; when sum
 * is given, also the per-cell total of sum_expr. */
static int count_into(sqlite3 *db, struct colink_sup_table *t, int d, const char *cond,
		      const char *sum_expr, double *sum, struct colink_error *err)
{
	char sql[512];
	sqlite3_stmt *st;
	int src;
	size_t c;
	snprintf(sql, sizeof(sql),
		 "SELECT %s, sex, count(*), total(%s) FROM wp_person WHERE %s GROUP BY 1, 2",
		 dim_cols[d], sum_expr ? sum_expr : "0", cond);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "counting", err);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		long r = sqlite3_column_int64(st, 0), s = sqlite3_column_int64(st, 1);
		if (r < 0 || (size_t)r >= t->rows || s < 1 || s > 2)
			continue;
		c = COLINK_SUP_AT(t, (size_t)r, (size_t)(s - 1));
		t->v[c] = sqlite3_column_int64(st, 2);
		if (sum)
			sum[c] = sqlite3_column_double(st, 3);
	}
	sqlite3_finalize(st);
	if (src != SQLITE_DONE)
		return db_fail(db, "counting", err);
	colink_sup_margins(t);
	if (sum) { /* margins of the sums, as the table's */
		size_t i, j, R = t->rows;
		for (i = 0; i <= R; i++)
			sum[COLINK_SUP_AT(t, i, 2)] = 0;
		for (j = 0; j < 2; j++)
			sum[COLINK_SUP_AT(t, R, j)] = 0;
		for (i = 0; i < R; i++)
			for (j = 0; j < 2; j++) {
				double x = sum[COLINK_SUP_AT(t, i, j)];
				sum[COLINK_SUP_AT(t, i, 2)] += x;
				sum[COLINK_SUP_AT(t, R, j)] += x;
				sum[COLINK_SUP_AT(t, R, 2)] += x;
			}
	}
	return COLINK_OK;
}

static const char *const dim_names[WP_NDIM] = { "age", "site", "job" };

static int set_build(sqlite3 *db, struct wp_year *y, int s, const char *cond,
		     const struct colink_wp_opts *o, struct colink_error *err)
{
	struct wp_set *set = &y->sets[s];
	struct colink_sup_opts so = { o->k, o->suppress_zeros };
	int d, rc;
	for (d = 0; d < WP_NDIM; d++) {
		struct wp_mean *m = NULL;
		int i;
		if ((rc = colink_sup_table_init(&set->t[d], set->id, dim_names[d], "sex", y->nrows[d], 2, err)))
			return rc;
		for (i = 0; i < WP_NMEANS; i++)
			if (y->means[i].count_set == s && y->means[i].id) {
				m = &y->means[i];
				if (!(m->sum[d] = colink_calloc((y->nrows[d] + 1) * 3, sizeof(double))))
					return OOM(err);
			}
		if ((rc = count_into(db, &set->t[d], d, cond, NULL, NULL, err)))
			return rc;
		for (i = 0; i < WP_NMEANS; i++)
			if (y->means[i].count_set == s && y->means[i].sum[d] &&
			    (rc = count_into(db, &set->t[d], d, cond, i == WP_OVERTIME ? "ot" : "sick",
					     y->means[i].sum[d], err)))
				return rc;
		if (d == WP_SITE && y->withheld_row >= 0) {
			size_t j;
			for (j = 0; j <= 2; j++)
				set->t[d].state[COLINK_SUP_AT(&set->t[d], (size_t)y->withheld_row, j)] =
					COLINK_SUP_PRIMARY;
		}
	}
	set->present = 1;
	return colink_sup_protect(set->t, WP_NDIM, &so, err);
}

static int guidance_table(sqlite3 *db, struct wp_year *y, const struct colink_wp_opts *o,
			  struct colink_error *err)
{
	/* level order of wp_level_labels */
	static const int level_of[WP_NLEVELS] = {
		COLINK_GUIDANCE_ACTIVE, COLINK_GUIDANCE_MOTIVATIONAL, COLINK_GUIDANCE_INFO,
		COLINK_GUIDANCE_EXCLUDED_MEDICATION, COLINK_GUIDANCE_UNDETERMINED
	};
	struct colink_sup_opts so = { o->k, o->suppress_zeros };
	sqlite3_stmt *st;
	int rc, src, i;
	if ((rc = colink_sup_table_init(&y->guidance, "guidance", "level", "sex", WP_NLEVELS, 2, err)))
		return rc;
	if (sqlite3_prepare_v2(db, "SELECT guidance, sex, count(*) FROM wp_person WHERE examined = 1 "
			       "AND age BETWEEN 40 AND 74 GROUP BY 1, 2", -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "counting guidance levels", err);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		int g = sqlite3_column_int(st, 0), s = sqlite3_column_int(st, 1);
		for (i = 0; i < WP_NLEVELS; i++)
			if (level_of[i] == g && s >= 1 && s <= 2)
				y->guidance.v[COLINK_SUP_AT(&y->guidance, (size_t)i, (size_t)(s - 1))] =
					sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	if (src != SQLITE_DONE)
		return db_fail(db, "counting guidance levels", err);
	colink_sup_margins(&y->guidance);
	return colink_sup_protect(&y->guidance, 1, &so, err);
}

/* ---- smoking transitions by site ----------------------------------- */

struct trans_ctx {
	sqlite3 *db;
	struct wp_year *y;
	sqlite3_stmt *site_of;
};

static int on_transition(void *vctx, const struct colink_smoking_transition *t)
{
	struct trans_ctx *x = vctx;
	struct wp_year *y = x->y;
	long idx = -1;
	if (!t->site)
		return 0; /* not linked: no site */
	sqlite3_reset(x->site_of);
	sqlite3_bind_text(x->site_of, 1, t->site, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(x->site_of) == SQLITE_ROW)
		idx = sqlite3_column_int64(x->site_of, 0);
	if (idx < 0 || (size_t)idx >= y->quit.rows)
		return 0; /* a site with nobody in service this year */
	y->quit.v[COLINK_SUP_AT(&y->quit, (size_t)idx, 0)] += t->quit_after;
	y->quit.v[COLINK_SUP_AT(&y->quit, (size_t)idx, 1)] += t->current_before - t->quit_after;
	y->relapse.v[COLINK_SUP_AT(&y->relapse, (size_t)idx, 0)] += t->relapse_after;
	y->relapse.v[COLINK_SUP_AT(&y->relapse, (size_t)idx, 1)] += t->noncurrent_before - t->relapse_after;
	return 0;
}

static int transitions(sqlite3 *db, const struct colink_rules *r, struct wp_year *y,
		       const struct colink_wp_opts *o, struct colink_error *err)
{
	struct colink_sup_opts so = { o->k, o->suppress_zeros };
	struct trans_ctx x = { db, y, NULL };
	int rc;
	if ((rc = colink_sup_table_init(&y->quit, "quit", "site", "quit", y->nrows[WP_SITE], 2, err)) ||
	    (rc = colink_sup_table_init(&y->relapse, "relapse", "site", "relapse", y->nrows[WP_SITE], 2, err)))
		return rc;
	if (sqlite3_prepare_v2(db, "SELECT site_idx FROM wp_person WHERE coalesce(site, '') = ?1 LIMIT 1", -1,
			       &x.site_of, NULL) != SQLITE_OK)
		return db_fail(db, "smoking transitions", err);
	rc = colink_smoking_transitions(db, r, y->fy, on_transition, &x, err);
	sqlite3_finalize(x.site_of);
	if (rc < 0)
		return rc;
	colink_sup_margins(&y->quit);
	colink_sup_margins(&y->relapse);
	y->has_transitions = y->quit.v[COLINK_SUP_AT(&y->quit, y->quit.rows, 2)] > 0 ||
			     y->relapse.v[COLINK_SUP_AT(&y->relapse, y->relapse.rows, 2)] > 0;
	if (y->withheld_row >= 0) {
		size_t j;
		for (j = 0; j <= 2; j++) {
			y->quit.state[COLINK_SUP_AT(&y->quit, (size_t)y->withheld_row, j)] = COLINK_SUP_PRIMARY;
			y->relapse.state[COLINK_SUP_AT(&y->relapse, (size_t)y->withheld_row, j)] =
				COLINK_SUP_PRIMARY;
		}
	}
	if ((rc = colink_sup_protect(&y->quit, 1, &so, err)))
		return rc;
	return colink_sup_protect(&y->relapse, 1, &so, err);
}

/* ---- medical cost (association side) ------------------------------- */

static int claims(sqlite3 *db, struct wp_year *y, const struct colink_wp_opts *o,
		  struct colink_error *err)
{
	struct colink_sup_opts so = { o->k, o->suppress_zeros };
	sqlite3_stmt *st;
	int rc, src, exists = 0;
	size_t c, i, j;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'claims_summary'",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "looking for claims_summary", err);
	exists = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (!exists)
		return COLINK_OK;
	if ((rc = colink_sup_table_init(&y->claims, "claims", "age", "sex", WP_NBANDS, 2, err)))
		return rc;
	if (!(y->claims_sum = colink_calloc((WP_NBANDS + 1) * 3, sizeof(double))))
		return OOM(err);
	/* every association person with a row for the year; age on 31 March */
	if (sqlite3_prepare_v2(db,
			       "SELECT CASE WHEN a < 20 THEN 0 WHEN a >= 70 THEN 6 ELSE a / 10 - 1 END, sex, "
			       "count(*), total(cost) FROM (SELECT ?1 + 1 - p.birth_ym / 100 - "
			       "(CASE WHEN p.birth_ym % 100 > 3 THEN 1 ELSE 0 END) AS a, CAST(p.sex AS INTEGER) AS sex, "
			       "c.medical_cost AS cost FROM claims_summary c JOIN person p ON p.person_no = c.person_no "
			       "WHERE c.fiscal_year = ?1 AND c.medical_cost IS NOT NULL AND p.birth_ym IS NOT NULL "
			       "AND p.sex IN ('1', '2', 1, 2)) WHERE a >= 0 GROUP BY 1, 2",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "reading claims_summary", err);
	sqlite3_bind_int(st, 1, y->fy);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		int b = sqlite3_column_int(st, 0), s = sqlite3_column_int(st, 1);
		if (b < 0 || b >= WP_NBANDS || s < 1 || s > 2)
			continue;
		c = COLINK_SUP_AT(&y->claims, (size_t)b, (size_t)(s - 1));
		y->claims.v[c] = sqlite3_column_int64(st, 2);
		y->claims_sum[c] = sqlite3_column_double(st, 3);
	}
	sqlite3_finalize(st);
	if (src != SQLITE_DONE)
		return db_fail(db, "reading claims_summary", err);
	colink_sup_margins(&y->claims);
	for (i = 0; i < WP_NBANDS; i++)
		for (j = 0; j < 2; j++) {
			double x = y->claims_sum[COLINK_SUP_AT(&y->claims, i, j)];
			y->claims_sum[COLINK_SUP_AT(&y->claims, i, 2)] += x;
			y->claims_sum[COLINK_SUP_AT(&y->claims, WP_NBANDS, j)] += x;
			y->claims_sum[COLINK_SUP_AT(&y->claims, WP_NBANDS, 2)] += x;
		}
	y->has_claims = y->claims.v[COLINK_SUP_AT(&y->claims, WP_NBANDS, 2)] > 0;
	return colink_sup_protect(&y->claims, 1, &so, err);
}

/* ---- one year ------------------------------------------------------ */

static void year_free(struct wp_year *y)
{
	int d, s;
	for (d = 0; d < WP_NDIM; d++) {
		size_t i;
		for (i = 0; i < y->nrows[d]; i++)
			colink_free(y->labels[d][i]);
		colink_free(y->labels[d]);
		for (s = 0; s < WP_NSETS; s++)
			colink_sup_table_free(&y->sets[s].t[d]);
		for (s = 0; s < WP_NMEANS; s++)
			colink_free(y->means[s].sum[d]);
	}
	colink_sup_table_free(&y->guidance);
	colink_sup_table_free(&y->quit);
	colink_sup_table_free(&y->relapse);
	colink_sup_table_free(&y->claims);
	colink_free(y->claims_sum);
	memset(y, 0, sizeof(*y));
}

static void year_names(struct wp_year *y)
{
	static char names[2 * COLINK_AREA_COUNT][32];
	static const char *labels[2 * COLINK_AREA_COUNT] = {
		"血圧 判定者", "脂質 判定者", "肝機能 判定者", "血糖 判定者", "腎機能 判定者", "貧血 判定者",
		"血圧 受診勧奨以上", "脂質 受診勧奨以上", "肝機能 受診勧奨以上", "血糖 受診勧奨以上",
		"腎機能 受診勧奨以上", "貧血 受診勧奨以上"
	};
	int a;
	y->sets[WP_HEAD].id = "headcount";
	y->sets[WP_HEAD].label = "在籍者数";
	y->sets[WP_EXAMINED].id = "examined";
	y->sets[WP_EXAMINED].label = "健診受診者数";
	for (a = 0; a < COLINK_AREA_COUNT; a++) {
		snprintf(names[a], sizeof(names[a]), "measured_%s", area_ids[a]);
		snprintf(names[COLINK_AREA_COUNT + a], sizeof(names[0]), "risk_%s", area_ids[a]);
		y->sets[WP_MEASURED0 + a].id = names[a];
		y->sets[WP_MEASURED0 + a].label = labels[a];
		y->sets[WP_RISK0 + a].id = names[COLINK_AREA_COUNT + a];
		y->sets[WP_RISK0 + a].label = labels[COLINK_AREA_COUNT + a];
	}
	y->sets[WP_ANSWERED].id = "smoking_answered";
	y->sets[WP_ANSWERED].label = "喫煙 回答者数";
	y->sets[WP_SMOKER].id = "smokers";
	y->sets[WP_SMOKER].label = "現在喫煙者数";
	y->sets[WP_ATTENDANCE].id = "attendance_persons";
	y->sets[WP_ATTENDANCE].label = "勤怠データのある在籍者数";
	y->means[WP_OVERTIME] = (struct wp_mean){ "overtime", "平均時間外労働", "時間/月", WP_ATTENDANCE, { 0 } };
	y->means[WP_SICK] = (struct wp_mean){ "sick_days", "平均病欠日数", "日/年", WP_ATTENDANCE, { 0 } };
}

static int protect_nested(struct wp_year *y, const struct colink_wp_opts *o,
			  struct colink_error *err);

static int year_build(sqlite3 *db, const struct colink_rules *r, int fy,
		      const struct colink_wp_opts *o, struct wp_year *y, struct colink_error *err)
{
	char cond[64];
	int rc, a, d;
	memset(y, 0, sizeof(*y));
	y->fy = fy;
	year_names(y);
	if ((rc = population(db, fy, err)) || (rc = evaluate(db, r, fy, err)) || (rc = banding(db, err)))
		return rc;
	if (o->attendance_allowed && (rc = attendance(db, fy, err)))
		return rc;
	for (d = 0; d < WP_NBANDS; d++)
		if (add_label(y, WP_AGE, wp_band_labels[d]))
			return OOM(err);
	if ((rc = sites(db, y, o, err)) || (rc = jobs(db, y, err)))
		return rc;
	y->has_data = y->nrows[WP_SITE] > 0;
	if (!y->has_data)
		return COLINK_OK;
	if ((rc = set_build(db, y, WP_HEAD, "1", o, err)) ||
	    (rc = set_build(db, y, WP_EXAMINED, "examined = 1", o, err)))
		return rc;
	for (a = 0; a < COLINK_AREA_COUNT; a++) {
		snprintf(cond, sizeof(cond), "r%d IS NOT NULL", a);
		if ((rc = set_build(db, y, WP_MEASURED0 + a, cond, o, err)))
			return rc;
		snprintf(cond, sizeof(cond), "r%d = 1", a);
		if ((rc = set_build(db, y, WP_RISK0 + a, cond, o, err)))
			return rc;
	}
	snprintf(cond, sizeof(cond), "smoking IN (%d, %d, %d)", COLINK_SMOKING_NEVER, COLINK_SMOKING_QUIT,
		 COLINK_SMOKING_CURRENT);
	if ((rc = set_build(db, y, WP_ANSWERED, cond, o, err)))
		return rc;
	snprintf(cond, sizeof(cond), "smoking = %d", COLINK_SMOKING_CURRENT);
	if ((rc = set_build(db, y, WP_SMOKER, cond, o, err)))
		return rc;
	if (o->attendance_allowed && (rc = set_build(db, y, WP_ATTENDANCE, "att_n > 0", o, err)))
		return rc;
	if ((rc = guidance_table(db, y, o, err)) || (rc = protect_nested(y, o, err)) ||
	    (rc = transitions(db, r, y, o, err)) ||
	    (o->claims_allowed && (rc = claims(db, y, o, err))))
		return rc;
	return COLINK_OK;
}

/* ---- nested counts: a complement is a person count too ------------ */

/* The set whose persons contain those of set s, or -1. */
static int set_parent(int s)
{
	if (s == WP_EXAMINED || s == WP_ATTENDANCE)
		return WP_HEAD;
	if (s >= WP_MEASURED0 && s < WP_MEASURED0 + COLINK_AREA_COUNT)
		return WP_EXAMINED;
	if (s >= WP_RISK0 && s < WP_RISK0 + COLINK_AREA_COUNT)
		return WP_MEASURED0 + (s - WP_RISK0);
	if (s == WP_ANSWERED)
		return WP_EXAMINED;
	if (s == WP_SMOKER)
		return WP_ANSWERED;
	return -1;
}

/* A protection group: the tables colink_sup_protect sees together. */
struct wp_grp {
	struct colink_sup_table *t;
	size_t n;
};

static int all_suppressed(const struct colink_sup_table *t)
{
	size_t c, n = (t->rows + 1) * (t->cols + 1);
	for (c = 0; c < n; c++)
		if (!t->state[c])
			return 0;
	return 1;
}

static void mark_all(struct colink_sup_table *t)
{
	memset(t->state, COLINK_SUP_PRIMARY, (t->rows + 1) * (t->cols + 1));
}

/* Check the pair (parent cell pc of tp in group pg, child cell cc of tc in
 * group cg); when it reveals its complement, make the child (else the
 * parent, else the child's table, else the parent's) primary and protect
 * that group again.  1 if something changed, 0 if safe, <0 on error. */
static int nest_pair(struct wp_grp pg, struct colink_sup_table *tp, size_t pc,
		     struct wp_grp cg, struct colink_sup_table *tc, size_t cc,
		     const struct colink_sup_opts *so, struct colink_error *err)
{
	int reveals, rc;
	struct wp_grp g;
	if ((rc = colink_sup_pair_check(tp, pc, tc, cc, so, &reveals, err)))
		return rc;
	if (!reveals)
		return 0;
	if (!tc->state[cc]) {
		tc->state[cc] = COLINK_SUP_PRIMARY;
		g = cg;
	} else if (!tp->state[pc]) {
		tp->state[pc] = COLINK_SUP_PRIMARY;
		g = pg;
	} else if (!all_suppressed(tc)) {
		mark_all(tc);
		g = cg;
	} else if (!all_suppressed(tp)) {
		mark_all(tp);
		g = pg;
	} else {
		return COLINK_ERR(err, COLINK_EINVAL, "table %s: cell %zu still reveals its complement "
				  "in %s with everything suppressed", tc->name, cc, tp->name);
	}
	if ((rc = colink_sup_protect(g.t, g.n, so, err)))
		return rc;
	return 1;
}

/* Every count that is a subset of another count of the same cell
 * (examinees of the headcount, risk holders of those judged, smokers of
 * those answering, each guidance level and its total of the examinees and
 * the headcount of that sex): parent - child must be 0 or >= k or not
 * derivable, like a cell.  Iterated to a fixed point (primaries only
 * grow). */
static int protect_nested(struct wp_year *y, const struct colink_wp_opts *o,
			  struct colink_error *err)
{
	struct colink_sup_opts so = { o->k, o->suppress_zeros };
	struct wp_grp gg = { &y->guidance, 1 };
	int rc, s, a, changed = 1;
	size_t d, c, i, j;
	while (changed) {
		changed = 0;
		for (s = 0; s < WP_NSETS; s++) {
			struct wp_grp cg = { y->sets[s].t, WP_NDIM };
			if (!y->sets[s].present)
				continue;
			for (a = set_parent(s); a >= 0; a = set_parent(a)) {
				struct wp_grp pg = { y->sets[a].t, WP_NDIM };
				if (!y->sets[a].present)
					continue;
				for (d = 0; d < WP_NDIM; d++)
					for (c = 0; c < (y->nrows[d] + 1) * 3; c++) {
						rc = nest_pair(pg, &y->sets[a].t[d], c, cg, &y->sets[s].t[d], c,
							       &so, err);
						if (rc < 0)
							return rc;
						changed |= rc;
					}
			}
		}
		for (a = WP_EXAMINED; a >= WP_HEAD; a--) {
			struct wp_grp pg = { y->sets[a].t, WP_NDIM };
			struct colink_sup_table *tp = &y->sets[a].t[WP_AGE];
			if (!y->sets[a].present)
				continue;
			for (i = 0; i <= WP_NLEVELS; i++)
				for (j = 0; j <= 2; j++) {
					rc = nest_pair(pg, tp, COLINK_SUP_AT(tp, tp->rows, j), gg, &y->guidance,
						       COLINK_SUP_AT(&y->guidance, i, j), &so, err);
					if (rc < 0)
						return rc;
					changed |= rc;
				}
		}
	}
	return COLINK_OK;
}

static int latest_year(sqlite3 *db, int *fy, struct colink_error *err)
{
	sqlite3_stmt *st;
	int src;
	if (sqlite3_prepare_v2(db, "SELECT max(fiscal_year) FROM checkup", -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "finding the latest fiscal year", err);
	src = sqlite3_step(st);
	*fy = src == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	if (*fy <= 0)
		return COLINK_ERR(err, COLINK_ENOTFOUND,
				  "white paper: the warehouse has no checkup; name the year with --fiscal-year");
	return COLINK_OK;
}

int colink_whitepaper_write(sqlite3 *db, const struct colink_rules *r,
			    const struct colink_wp_opts *o, struct colink_wp_result *res,
			    struct colink_error *err)
{
	struct wp_year cur, prev;
	int rc, fy = o->fiscal_year;
	memset(res, 0, sizeof(*res));
	memset(&cur, 0, sizeof(cur));
	memset(&prev, 0, sizeof(prev));
	if (o->k < 1 || o->min_site < 0)
		return COLINK_ERR(err, COLINK_EINVAL, "white paper: k must be >= 1 and the site minimum >= 0");
	if (fy <= 0 && (rc = latest_year(db, &fy, err)))
		return rc;
	if ((rc = year_build(db, r, fy - 1, o, &prev, err)))
		goto out;
	if ((rc = year_build(db, r, fy, o, &cur, err)))
		goto out;
	if (!cur.has_data) {
		rc = COLINK_ERR(err, COLINK_ENOTFOUND,
				"white paper: nobody was in service in fiscal year %d (employee table)", fy);
		goto out;
	}
	res->fiscal_year = fy;
	res->persons = cur.sets[WP_HEAD].t[WP_AGE].v[COLINK_SUP_AT(&cur.sets[WP_HEAD].t[WP_AGE], WP_NBANDS, 2)];
	res->sites_merged = cur.sites_merged;
	res->sites_withheld = cur.sites_withheld;
	rc = wp_render(&cur, &prev, o, colink_rules_id(r), res, err);
out:
	year_free(&cur);
	year_free(&prev);
	sqlite3_exec(db, "DROP TABLE IF EXISTS temp.wp_person; DROP TABLE IF EXISTS temp.wp_job", NULL, NULL,
		     NULL);
	return rc;
}
