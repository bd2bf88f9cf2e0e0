/*
 * whitepaper.c -- 健康白書: the population of a fiscal year, its measures,
 * the site rule and the small-cell protection.  Rendering is wp_render.c.
 *
 * Everything per person lives in the warehouse module's work set
 * (colink_wh_wp_*, beside the read-only warehouse); C memory holds only
 * the released tables (rows x 2 cells per measure), so memory does not
 * grow with persons.
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

#define OOM(err) COLINK_ERR(err, COLINK_ENOMEM, "white paper: out of memory")

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

/* ---- the sensitive set (whitepaper.h) ------------------------------ */

static const struct {
	const char *name;
	unsigned bit;
} sens_names[] = {
	{ "examined", COLINK_WP_SENS_EXAMINED }, { "attendance", COLINK_WP_SENS_ATTENDANCE },
	{ "measured", COLINK_WP_SENS_MEASURED }, { "answered", COLINK_WP_SENS_ANSWERED },
	{ "risk", COLINK_WP_SENS_RISK },         { "smokers", COLINK_WP_SENS_SMOKERS },
	{ "guidance", COLINK_WP_SENS_GUIDANCE }, { "allowance", COLINK_WP_SENS_ALLOWANCE },
	{ "disease", COLINK_WP_SENS_DISEASE },
};
#define NSENS (sizeof(sens_names) / sizeof(sens_names[0]))

int colink_wp_sensitive_parse(const char *list, unsigned *out, struct colink_error *err)
{
	const char *p = list;
	*out = 0;
	while (p && *p) {
		size_t n = strcspn(p, ","), i;
		for (i = 0; i < NSENS; i++)
			if (strlen(sens_names[i].name) == n && !strncmp(p, sens_names[i].name, n))
				break;
		if (i == NSENS)
			return COLINK_ERR(err, COLINK_EINVAL, "--sensitive: unknown count '%.*s' (one of: examined, "
					  "attendance, measured, answered, risk, smokers, guidance, allowance, disease)", (int)(n > 40 ? 40 : n), p);
		*out |= sens_names[i].bit;
		p += n;
		if (*p == ',')
			p++;
	}
	if (!*out)
		return COLINK_ERR(err, COLINK_EINVAL, "--sensitive: name at least one count");
	return COLINK_OK;
}

void colink_wp_sensitive_names(unsigned set, char *buf, size_t n)
{
	size_t i, used = 0;
	if (n)
		buf[0] = '\0';
	for (i = 0; i < NSENS && n; i++)
		if (set & sens_names[i].bit) {
			int w = snprintf(buf + used, n - used, "%s%s", used ? "," : "", sens_names[i].name);
			if (w < 0 || (size_t)w >= n - used)
				break;
			used += (size_t)w;
		}
}

/* The sensitive bit of count set s (enum wp_set_id), 0 for the headcount. */
static unsigned set_sensitive_bit(int s)
{
	if (s == WP_EXAMINED)
		return COLINK_WP_SENS_EXAMINED;
	if (s == WP_ATTENDANCE)
		return COLINK_WP_SENS_ATTENDANCE;
	if (s >= WP_MEASURED0 && s < WP_MEASURED0 + COLINK_AREA_COUNT)
		return COLINK_WP_SENS_MEASURED;
	if (s >= WP_RISK0 && s < WP_RISK0 + COLINK_AREA_COUNT)
		return COLINK_WP_SENS_RISK;
	if (s == WP_ANSWERED)
		return COLINK_WP_SENS_ANSWERED;
	if (s == WP_SMOKER)
		return COLINK_WP_SENS_SMOKERS;
	return 0;
}

unsigned wp_sensitive(const struct colink_wp_opts *o)
{
	return o->sensitive ? o->sensitive : COLINK_WP_SENS_DEFAULT;
}

/* ---- the population ------------------------------------------------ */

struct eval_ctx {
	struct colink_wh *wh;
	struct colink_error *err;
	int failed;
};

static int on_exam(void *vctx, const struct colink_program_row *row)
{
	struct eval_ctx *x = vctx;
	struct colink_wh_wp_exam e;
	int a;
	if (!row->person_id)
		return 0;
	e.person_id = row->person_id;
	e.age_fy_end = row->age_fy_end;
	e.guidance = (int)row->guidance;
	for (a = 0; a < COLINK_AREA_COUNT; a++)
		e.risk[a] = row->referral[a] == COLINK_REFERRAL_UNKNOWN ? -1
			    : row->referral[a] >= COLINK_REFERRAL_RECOMMEND;
	e.smoking = (int)row->smoking;
	if (colink_wh_wp_exam(x->wh, &e, x->err)) {
		x->failed = 1;
		return 1;
	}
	return 0;
}

/* Checkups of the year, evaluated; the latest exam of a person wins
 * (rows come ordered by person and exam date). */
static int evaluate(struct colink_wh *wh, const struct colink_rules *r, int fy,
		    struct colink_error *err)
{
	struct eval_ctx x = { wh, err, 0 };
	int rc = colink_programs_evaluate(wh, r, fy, on_exam, &x, err);
	if (x.failed)
		return err->code;
	return rc < 0 ? rc : COLINK_OK;
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
struct site_ctx {
	struct wp_year *y;
	const struct colink_wp_opts *o;
	long small_total;
};

static int on_site(void *ud, const char *site, long n, int *idx)
{
	struct site_ctx *x = ud;
	if (n >= x->o->min_site) {
		if (add_label(x->y, WP_SITE, *site ? site : "(事業所不明)"))
			return COLINK_ENOMEM;
		*idx = (int)x->y->nrows[WP_SITE] - 1;
		return 0;
	}
	*idx = -2; /* placed below */
	x->small_total += n;
	if (x->o->site_rule == COLINK_WP_SITE_MERGE)
		x->y->sites_merged++;
	else
		x->y->sites_withheld++;
	return 0;
}

static int sites(struct colink_wh *wh, struct wp_year *y, const struct colink_wp_opts *o,
		 struct colink_error *err)
{
	struct site_ctx x = { y, o, 0 };
	int rc, other = -1;
	y->withheld_row = -1;
	rc = colink_wh_wp_sites(wh, on_site, &x, err);
	if (rc == COLINK_ENOMEM)
		return OOM(err);
	if (rc)
		return rc;
	if (x.small_total > 0) {
		int merge = o->site_rule == COLINK_WP_SITE_MERGE && x.small_total >= o->min_site;
		if (o->site_rule == COLINK_WP_SITE_MERGE && !merge) {
			y->sites_withheld += y->sites_merged;
			y->sites_merged = 0;
		}
		if (add_label(y, WP_SITE, merge ? "その他の事業所" : "非公表の事業所"))
			return OOM(err);
		other = (int)y->nrows[WP_SITE] - 1;
		if (!merge)
			y->withheld_row = other;
	}
	if (other >= 0)
		return colink_wh_wp_site_merge(wh, other, err);
	return COLINK_OK;
}

static int on_job(void *ud, const char *job)
{
	return add_label(ud, WP_JOB, *job ? job : "(職種未設定)") ? COLINK_ENOMEM : 0;
}

static int jobs(struct colink_wh *wh, struct wp_year *y, struct colink_error *err)
{
	int rc = colink_wh_wp_jobs(wh, on_job, y, err);
	return rc == COLINK_ENOMEM ? OOM(err) : rc;
}

/* ---- counting ------------------------------------------------------ */

struct count_ctx {
	struct colink_sup_table *t;
	double *sum;
};

static void on_count(void *ud, long r, long s, long n, double sum)
{
	struct count_ctx *x = ud;
	size_t c;
	if (r < 0 || (size_t)r >= x->t->rows || s < 1 || s > 2)
		return;
	c = COLINK_SUP_AT(x->t, (size_t)r, (size_t)(s - 1));
	x->t->v[c] = n;
	if (x->sum)
		x->sum[c] = sum;
}

/* What a set counts (enum wp_set_id) as a filter of the work set. */
static void set_filter(int s, enum colink_wh_wp_filter *f, int *arg)
{
	*arg = 0;
	if (s == WP_HEAD)
		*f = COLINK_WH_WP_ALL;
	else if (s == WP_EXAMINED)
		*f = COLINK_WH_WP_EXAMINED;
	else if (s >= WP_MEASURED0 && s < WP_MEASURED0 + COLINK_AREA_COUNT)
		*f = COLINK_WH_WP_MEASURED, *arg = s - WP_MEASURED0;
	else if (s >= WP_RISK0 && s < WP_RISK0 + COLINK_AREA_COUNT)
		*f = COLINK_WH_WP_RISK, *arg = s - WP_RISK0;
	else if (s == WP_ANSWERED)
		*f = COLINK_WH_WP_SMOKING_ANSWERED;
	else if (s == WP_SMOKER)
		*f = COLINK_WH_WP_SMOKING_IS, *arg = COLINK_SMOKING_CURRENT;
	else
		*f = COLINK_WH_WP_ATTENDANCE;
}

/* Fill t (rows of dimension d x sex) with the persons of set s; when sum
 * is given, also the per-cell total of `what`. */
static int count_into(struct colink_wh *wh, struct colink_sup_table *t, int d, int s,
		      enum colink_wh_wp_sum what, double *sum, struct colink_error *err)
{
	static const enum colink_wh_wp_dim dims[WP_NDIM] = { COLINK_WH_WP_BAND, COLINK_WH_WP_SITE,
							      COLINK_WH_WP_JOB };
	struct count_ctx x = { t, sum };
	enum colink_wh_wp_filter f;
	int arg, rc;
	set_filter(s, &f, &arg);
	if ((rc = colink_wh_wp_count(wh, dims[d], f, arg, what, on_count, &x, err)))
		return rc;
	colink_sup_margins(t);
	if (sum) /* margins of the sums, as the table's */
		colink_sup_margins_of(t, sum);
	return COLINK_OK;
}

static const char *const dim_names[WP_NDIM] = { "age", "site", "job" };

static int set_build(struct colink_wh *db, struct wp_year *y, int s,
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
		set->t[d].prefer_row_totals = 1; /* keep the sex cells and the by-sex totals */
		for (i = 0; i < WP_NMEANS; i++)
			if (y->means[i].count_set == s && y->means[i].id) {
				m = &y->means[i];
				if (!(m->sum[d] = colink_calloc((y->nrows[d] + 1) * 3, sizeof(double))))
					return OOM(err);
			}
		if ((rc = count_into(db, &set->t[d], d, s, COLINK_WH_WP_NO_SUM, NULL, err)))
			return rc;
		for (i = 0; i < WP_NMEANS; i++)
			if (y->means[i].count_set == s && y->means[i].sum[d] &&
			    (rc = count_into(db, &set->t[d], d, s,
					     i == WP_OVERTIME ? COLINK_WH_WP_OVERTIME : COLINK_WH_WP_SICK,
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

struct level_ctx {
	struct wp_year *y;
};

static void on_level(void *ud, int g, int s, long n)
{
	/* level order of wp_level_labels */
	static const int level_of[WP_NLEVELS] = {
		COLINK_GUIDANCE_ACTIVE, COLINK_GUIDANCE_MOTIVATIONAL, COLINK_GUIDANCE_INFO,
		COLINK_GUIDANCE_EXCLUDED_MEDICATION, COLINK_GUIDANCE_UNDETERMINED
	};
	struct wp_year *y = ud;
	int i;
	for (i = 0; i < WP_NLEVELS; i++)
		if (level_of[i] == g && s >= 1 && s <= 2)
			y->guidance.v[COLINK_SUP_AT(&y->guidance, (size_t)i, (size_t)(s - 1))] = n;
}

static int guidance_table(struct colink_wh *db, struct wp_year *y, const struct colink_wp_opts *o,
			  struct colink_error *err)
{
	struct colink_sup_opts so = { o->k, o->suppress_zeros };
	int rc;
	if ((rc = colink_sup_table_init(&y->guidance, "guidance", "level", "sex", WP_NLEVELS, 2, err)))
		return rc;
	y->guidance.prefer_row_totals = 1;
	if ((rc = colink_wh_wp_guidance(db, on_level, y, err)))
		return rc;
	colink_sup_margins(&y->guidance);
	return colink_sup_protect(&y->guidance, 1, &so, err);
}

/* ---- smoking transitions by site ----------------------------------- */

struct trans_ctx {
	struct colink_wh *db;
	struct wp_year *y;
	struct colink_error *err;
	int failed;
};

static int on_transition(void *vctx, const struct colink_smoking_transition *t)
{
	struct trans_ctx *x = vctx;
	struct wp_year *y = x->y;
	long idx;
	if (!t->site)
		return 0; /* not linked: no site */
	if ((idx = colink_wh_wp_site_row(x->db, t->site, x->err)) == -2) {
		x->failed = 1;
		return 1;
	}
	if (idx < 0 || (size_t)idx >= y->quit.rows)
		return 0; /* a site with nobody in service this year */
	y->quit.v[COLINK_SUP_AT(&y->quit, (size_t)idx, 0)] += t->quit_after;
	y->quit.v[COLINK_SUP_AT(&y->quit, (size_t)idx, 1)] += t->current_before - t->quit_after;
	y->relapse.v[COLINK_SUP_AT(&y->relapse, (size_t)idx, 0)] += t->relapse_after;
	y->relapse.v[COLINK_SUP_AT(&y->relapse, (size_t)idx, 1)] += t->noncurrent_before - t->relapse_after;
	return 0;
}

static int transitions(struct colink_wh *db, const struct colink_rules *r, struct wp_year *y,
		       const struct colink_wp_opts *o, struct colink_error *err)
{
	struct colink_sup_opts so = { o->k, o->suppress_zeros };
	struct trans_ctx x = { db, y, err, 0 };
	int rc;
	if ((rc = colink_sup_table_init(&y->quit, "quit", "site", "quit", y->nrows[WP_SITE], 2, err)) ||
	    (rc = colink_sup_table_init(&y->relapse, "relapse", "site", "relapse", y->nrows[WP_SITE], 2, err)))
		return rc;
	rc = colink_smoking_transitions(db, r, y->fy, on_transition, &x, err);
	if (x.failed)
		return err->code;
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

/* Every person with a cost lands in one cell: an unknown age (band < 0)
 * in the 年齢不明 row, an unknown sex (0) in the 不明 column. */
static void on_claims(void *ud, int b, int s, long n, double cost)
{
	struct wp_year *y = ud;
	size_t i = b >= 0 && b < WP_NBANDS ? (size_t)b : WP_NBANDS;
	size_t j = s == 1 || s == 2 ? (size_t)(s - 1) : 2;
	size_t c = COLINK_SUP_AT(&y->claims, i, j);
	y->claims.v[c] += n;
	y->claims_sum[c] += cost;
}

static int claims(struct colink_wh *db, struct wp_year *y, const struct colink_wp_opts *o,
		  struct colink_error *err)
{
	struct colink_sup_opts so = { o->k, o->suppress_zeros };
	const size_t R = WP_CLAIMS_ROWS, C = WP_CLAIMS_COLS;
	int rc, present = 0;
	if ((rc = colink_sup_table_init(&y->claims, "claims", "claims_age", "claims_sex", R, C, err)))
		return rc;
	y->claims.prefer_row_totals = 1;
	if (!(y->claims_sum = colink_calloc((R + 1) * (C + 1), sizeof(double))))
		return OOM(err);
	if ((rc = colink_wh_claims_by_band(db, y->fy, o->claims_roster_age, &present, on_claims, y, err)))
		return rc;
	if (!present)
		return COLINK_OK;
	colink_sup_margins(&y->claims);
	colink_sup_margins_of(&y->claims, y->claims_sum);
	y->has_claims = y->claims.v[COLINK_SUP_AT(&y->claims, R, C)] > 0;
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
	wp_part_free(y);
	wp_allow_free(y);
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

static int year_build(struct colink_wh *db, const struct colink_rules *r, int fy,
		      const struct colink_wp_opts *o, struct wp_year *y, struct colink_error *err)
{
	int rc, a, d;
	memset(y, 0, sizeof(*y));
	y->fy = fy;
	year_names(y);
	if ((rc = colink_wh_wp_begin(db, fy, err)) || (rc = evaluate(db, r, fy, err)) ||
	    (rc = colink_wh_wp_band(db, err)))
		return rc;
	if (o->attendance_allowed && (rc = colink_wh_wp_attendance(db, fy, err)))
		return rc;
	for (d = 0; d < WP_NBANDS; d++)
		if (add_label(y, WP_AGE, wp_band_labels[d]))
			return OOM(err);
	if ((rc = sites(db, y, o, err)) || (rc = jobs(db, y, err)))
		return rc;
	y->has_data = y->nrows[WP_SITE] > 0;
	if (!y->has_data)
		return COLINK_OK;
	for (a = 0; a < WP_NSETS; a++)
		if ((a != WP_ATTENDANCE || o->attendance_allowed) && (rc = set_build(db, y, a, o, err)))
			return rc;
	if ((rc = guidance_table(db, y, o, err)) || (rc = protect_nested(y, o, err)) ||
	    (rc = transitions(db, r, y, o, err)) ||
	    (o->claims_allowed && (rc = claims(db, y, o, err))))
		return rc;
	if ((rc = wp_part_build(db, y, o, err))) /* ⑤ その他 (wp_participation.c) */
		return rc;
	if ((rc = wp_allow_build(db, r, y, o, err))) /* 傷病手当金, cost by disease group */
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

static void mark_all(struct colink_sup_table *t)
{
	memset(t->state, COLINK_SUP_PRIMARY, (t->rows + 1) * (t->cols + 1));
}

/* Check the pair (parent cell pc of tp in group pg, child cell cc of tc in
 * group cg); when it reveals its complement, make the child primary when
 * it is released, else widen the child's table (one more partner, so that
 * the child's interval, and with it the complement's, grows), else make
 * the parent primary, else the child's table, else the parent's; then
 * protect that group again.  1 if something changed, 0 if safe, <0 on
 * error. */
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
	} else if ((rc = colink_sup_widen(tc, cc, so)) != 0) {
		if (rc < 0)
			return OOM(err);
		g = cg;
	} else if (!tp->state[pc]) {
		tp->state[pc] = COLINK_SUP_PRIMARY;
		g = pg;
	} else if (!colink_sup_all_withheld(tc)) {
		mark_all(tc);
		g = cg;
	} else if (!colink_sup_all_withheld(tp)) {
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

/* Every sensitive count (wp_sensitive) that is a subset of another count
 * of the same cell (risk holders of those judged, of the examinees and of
 * the headcount; smokers of those answering ...; each guidance level and
 * its total of the examinees and the headcount of that sex): parent -
 * child must be 0 or >= k or not derivable, like a cell.  A count outside
 * the sensitive set (by default the examinees, those judged, those
 * answering, those with attendance) is a population the recipient knows:
 * its complement (the not examined) is not protected.  Iterated to a fixed
 * point (primaries only grow). */
static int protect_nested(struct wp_year *y, const struct colink_wp_opts *o,
			  struct colink_error *err)
{
	struct colink_sup_opts so = { o->k, o->suppress_zeros };
	struct wp_grp gg = { &y->guidance, 1 };
	unsigned sens = wp_sensitive(o);
	int rc, s, a, changed = 1;
	size_t d, c, i, j;
	while (changed) {
		changed = 0;
		for (s = 0; s < WP_NSETS; s++) {
			struct wp_grp cg = { y->sets[s].t, WP_NDIM };
			if (!y->sets[s].present || !(sens & set_sensitive_bit(s)))
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
		for (a = WP_EXAMINED; a >= WP_HEAD && (sens & COLINK_WP_SENS_GUIDANCE); a--) {
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

static int latest_year(struct colink_wh *db, int *fy, struct colink_error *err)
{
	char m[COLINK_ERRMSG_MAX];
	if (colink_wh_latest_fiscal_year(db, fy, err)) {
		memcpy(m, err->msg, sizeof(m));
		return COLINK_ERR(err, COLINK_EIO, "white paper: finding the latest fiscal year: %s", m);
	}
	if (*fy <= 0)
		return COLINK_ERR(err, COLINK_ENOTFOUND,
				  "white paper: the warehouse has no checkup; name the year with --fiscal-year");
	return COLINK_OK;
}

int colink_whitepaper_write(struct colink_wh *db, const struct colink_rules *r,
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
	colink_wh_wp_end(db);
	return rc;
}
