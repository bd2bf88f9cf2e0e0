/*
 * wp_allowance.c -- 健康白書: 傷病手当金 (sickness allowance) and medical cost
 * by disease group from the claims (issue #21 parts 5 and 6).
 *
 * 傷病手当金, per fiscal year, over the white paper's population (the
 * employees in service, whitepaper.h), by age band x sex:
 *   recipients   employees (linked to the insured person of the payments)
 *                with a payment whose 支給期間 starts in the year;
 *   days         the days paid by those payments;
 *   mental       recipients with such a payment whose cause is a mental
 *                disorder (ICD-10 chapter F: the payment's ICD-10 code, else
 *                the 傷病名マスター's for its 傷病名コード);
 *   released     recipients per 1,000 在籍者 (recipients / headcount),
 *                days per 1,000 在籍者 (days / headcount), and the share
 *                of recipients whose cause is F (mental / recipients).
 * Both counts describe a health attribute, so with "allowance" in the
 * sensitive set (the default) they are protected like every sensitive
 * count: each table with colink_sup_protect, then every nested pair of a
 * cell -- recipients of the headcount, mental of the recipients, mental of
 * the headcount -- must not reveal its complement (colink_sup_pair_check),
 * or the child cell is withheld and its table protected again, to a fixed
 * point.  A rate is released only when both of its counts are and its
 * denominator is >= k; the days only where the recipients' cell is
 * released and >= k (a sum over fewer persons would describe them).
 *
 * Medical cost by disease group: every association person with a claim of
 * the year (like the claims_summary table: dependants too, 年齢不明 and 不明
 * cells), per disease group of mappings/rules/disease-groups.tsv (a claim's
 * group is that of its first 主傷病 that is not 疑い) plus その他 (no group)
 * and 全体 (every claim): persons and yen per (age band, 年齢不明) x (男, 女,
 * 不明); released as cost per person where the persons' cell is released
 * and >= k.  A group's persons are a health attribute ("disease" in the
 * sensitive set): nested in 全体's cell and protected like the allowance.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/util.h"
#include "base/text.h"
#include "programs/programs_int.h"
#include "programs/wp_int.h"

#define DASH "‐"
#define OOM(err) COLINK_ERR(err, COLINK_ENOMEM, "white paper: out of memory")

struct wp_allow {
	struct colink_sup_table t[2]; /* 0 recipients, 1 mental; band x (男, 女) */
	double *days;                 /* per cell of t[0] */
};

struct wp_cgroup {
	char *code;          /* "*" every claim, "" no group, else the rule table's */
	const char *label;   /* static, or the code */
	struct colink_sup_table t; /* (bands, 年齢不明) x (男, 女, 不明) */
	double *yen;         /* per cell */
};

struct wp_cost {
	size_t n;
	struct wp_cgroup *g; /* g[0] is "*" */
};

/* ---- 傷病手当金 ------------------------------------------------------ */

static void on_allow(void *ud, long band, int sex, long persons, double days, long mental)
{
	struct wp_allow *a = ud;
	size_t c;
	if (band < 0 || (size_t)band >= a->t[0].rows || sex < 1 || sex > 2)
		return;
	c = COLINK_SUP_AT(&a->t[0], (size_t)band, (size_t)(sex - 1));
	a->t[0].v[c] = persons;
	a->t[1].v[c] = mental;
	a->days[c] = days;
}

static int allow_protect(struct wp_year *y, struct wp_allow *a, const struct colink_wp_opts *o,
			 struct colink_error *err)
{
	struct colink_sup_opts so = { o->k, o->suppress_zeros };
	const struct colink_sup_table *head = &y->sets[WP_HEAD].t[WP_AGE];
	int rc, changed = 1;
	size_t c, n = (a->t[0].rows + 1) * 3;
	if ((rc = colink_sup_protect(&a->t[0], 1, &so, err)) ||
	    (rc = colink_sup_protect(&a->t[1], 1, &so, err)))
		return rc;
	if (!(wp_sensitive(o) & COLINK_WP_SENS_ALLOWANCE))
		return COLINK_OK;
	while (changed) {
		changed = 0;
		for (c = 0; c < n; c++) {
			if ((rc = colink_sup_nest_child(head, &a->t[0], c, &a->t[0], 1, &so, err)) < 0)
				return rc;
			changed |= rc;
			if ((rc = colink_sup_nest_child(&a->t[0], &a->t[1], c, &a->t[1], 1, &so, err)) < 0)
				return rc;
			changed |= rc;
			if ((rc = colink_sup_nest_child(head, &a->t[1], c, &a->t[1], 1, &so, err)) < 0)
				return rc;
			changed |= rc;
		}
	}
	return COLINK_OK;
}

static void allow_drop(struct wp_year *y)
{
	if (!y->allow)
		return;
	colink_sup_table_free(&y->allow->t[0]);
	colink_sup_table_free(&y->allow->t[1]);
	colink_free(y->allow->days);
	colink_free(y->allow);
	y->allow = NULL;
}

static int allow_build(struct colink_wh *db, struct wp_year *y, const struct colink_wp_opts *o,
		       struct colink_error *err)
{
	struct wp_allow *a;
	size_t rows = y->nrows[WP_AGE];
	int rc, present = 0;
	if (!o->allowance_allowed || !y->has_data || !y->sets[WP_HEAD].present)
		return COLINK_OK;
	if (!(a = y->allow = colink_calloc(1, sizeof(*a))))
		return OOM(err);
	if ((rc = colink_sup_table_init(&a->t[0], "allowance_recipients", "age", "sex", rows, 2, err)) ||
	    (rc = colink_sup_table_init(&a->t[1], "allowance_mental", "age", "sex", rows, 2, err)))
		return rc;
	if (!(a->days = colink_calloc((rows + 1) * 3, sizeof(double))))
		return OOM(err);
	if ((rc = colink_wh_wp_allowance(db, y->fy, &present, on_allow, a, err)))
		return rc;
	if (!present) { /* no payment loaded: no section (not a table of zeros) */
		allow_drop(y);
		return COLINK_OK;
	}
	colink_sup_margins(&a->t[0]);
	colink_sup_margins(&a->t[1]);
	colink_sup_margins_of(&a->t[0], a->days);
	return allow_protect(y, a, o, err);
}

/* ---- medical cost by disease group ---------------------------------- */

static const struct {
	const char *code, *label;
} group_labels[] = {
	{ "*", "全体" },
	{ "hypertension", "高血圧症" },
	{ "diabetes", "糖尿病" },
	{ "dyslipidaemia", "脂質異常症" },
	{ "ckd", "慢性腎臓病" },
	{ "", "その他・不明" },
};
#define NLABELS (sizeof(group_labels) / sizeof(group_labels[0]))

struct cost_ctx {
	struct wp_cost *c;
	struct colink_error *err;
	int failed;
};

static size_t label_order(const char *code)
{
	size_t i;
	for (i = 0; i < NLABELS; i++)
		if (!strcmp(group_labels[i].code, code))
			return i;
	return NLABELS - 1; /* another group of the rule table: before その他 */
}

static struct wp_cgroup *group_of(struct cost_ctx *x, const char *code)
{
	struct wp_cost *c = x->c;
	struct wp_cgroup *ng, *g;
	size_t i, o;
	for (i = 0; i < c->n; i++)
		if (!strcmp(c->g[i].code, code))
			return &c->g[i];
	if (!(ng = colink_realloc(c->g, (c->n + 1) * sizeof(*ng))))
		return NULL;
	c->g = ng;
	g = &c->g[c->n];
	memset(g, 0, sizeof(*g));
	if (!(g->code = colink_strdup(code)))
		return NULL;
	c->n++; /* freed by wp_allow_free from here on */
	o = label_order(code);
	g->label = o < NLABELS - 1 || !*code ? group_labels[o].label : g->code;
	if (colink_sup_table_init(&g->t, "claims_group", "claims_age", "claims_sex", WP_CLAIMS_ROWS,
				  WP_CLAIMS_COLS, x->err))
		return NULL;
	g->t.prefer_row_totals = 1;
	if (!(g->yen = colink_calloc((WP_CLAIMS_ROWS + 1) * (WP_CLAIMS_COLS + 1), sizeof(double))))
		return NULL;
	return g;
}

static void on_group(void *ud, const char *code, int b, int s, long n, double yen)
{
	struct cost_ctx *x = ud;
	struct wp_cgroup *g;
	size_t i = b >= 0 && b < WP_NBANDS ? (size_t)b : WP_NBANDS;
	size_t j = s == 1 || s == 2 ? (size_t)(s - 1) : 2, c;
	if (x->failed || !code)
		return;
	if (!(g = group_of(x, code))) {
		x->failed = 1;
		return;
	}
	c = COLINK_SUP_AT(&g->t, i, j);
	g->t.v[c] += n;
	g->yen[c] += yen;
}

static int group_cmp(const void *a, const void *b)
{
	const struct wp_cgroup *p = a, *q = b;
	size_t op = label_order(p->code), oq = label_order(q->code);
	if (op != oq)
		return op < oq ? -1 : 1;
	return strcmp(p->code, q->code);
}

static int cost_protect(struct wp_cost *c, const struct colink_wp_opts *o, struct colink_error *err)
{
	struct colink_sup_opts so = { o->k, o->suppress_zeros };
	size_t i, k, ncell = (WP_CLAIMS_ROWS + 1) * (WP_CLAIMS_COLS + 1);
	int rc, changed = 1;
	for (i = 0; i < c->n; i++) {
		colink_sup_margins(&c->g[i].t);
		colink_sup_margins_of(&c->g[i].t, c->g[i].yen);
		if ((rc = colink_sup_protect(&c->g[i].t, 1, &so, err)))
			return rc;
	}
	if (!c->n || strcmp(c->g[0].code, "*") || !(wp_sensitive(o) & COLINK_WP_SENS_DISEASE))
		return COLINK_OK;
	while (changed) {
		changed = 0;
		for (i = 1; i < c->n; i++)
			for (k = 0; k < ncell; k++) {
				if ((rc = colink_sup_nest_child(&c->g[0].t, &c->g[i].t, k, &c->g[i].t, 1, &so, err)) < 0)
					return rc;
				changed |= rc;
			}
	}
	return COLINK_OK;
}

/* The ranges are the rules loader's (the disease-group table the referral
 * table names, checked there), the very ones the follow-up reads. */
static int cost_build(struct colink_wh *db, const struct colink_rules *r, struct wp_year *y,
		      const struct colink_wp_opts *o, struct colink_error *err)
{
	struct colink_wh_icd_range rg[PROG_MAX_RANGES];
	struct cost_ctx x = { NULL, err, 0 };
	size_t n;
	int rc, present = 0;
	if (!o->claim_groups_allowed || !(n = prog_disease_ranges(r, rg, PROG_MAX_RANGES)))
		return COLINK_OK;
	if (!(x.c = y->cost = colink_calloc(1, sizeof(*y->cost))))
		return OOM(err);
	rc = colink_wh_claims_by_group(db, y->fy, o->claims_roster_age, rg, n, &present, on_group, &x,
				       err);
	if (x.failed && !rc)
		rc = err->code ? err->code : OOM(err);
	if (rc)
		return rc;
	if (x.c->n > 1)
		qsort(x.c->g, x.c->n, sizeof(*x.c->g), group_cmp);
	return cost_protect(x.c, o, err);
}

int wp_allow_build(struct colink_wh *db, const struct colink_rules *r, struct wp_year *y,
		   const struct colink_wp_opts *o, struct colink_error *err)
{
	int rc = allow_build(db, y, o, err);
	return rc ? rc : cost_build(db, r, y, o, err);
}

void wp_allow_free(struct wp_year *y)
{
	size_t i;
	allow_drop(y);
	if (y->cost) {
		for (i = 0; i < y->cost->n; i++) {
			colink_sup_table_free(&y->cost->g[i].t);
			colink_free(y->cost->g[i].yen);
			colink_free(y->cost->g[i].code);
		}
		colink_free(y->cost->g);
		colink_free(y->cost);
		y->cost = NULL;
	}
}

/* ---- the released figures ------------------------------------------ */

/* Per 1,000 在籍者: recipients (num = t[0]) or days (days != NULL). */
static int per_1000(const struct wp_year *y, size_t c, const double *days, long k, double *out)
{
	const struct wp_allow *a = y->allow;
	const struct colink_sup_table *head = &y->sets[WP_HEAD].t[WP_AGE];
	double pct;
	if (!wp_rate(&a->t[0], head, c, k, &pct))
		return 0;
	if (!days) {
		*out = pct * 10.0;
		return 1;
	}
	if (a->t[0].v[c] < k) /* days over fewer than k recipients */
		return 0;
	*out = 1000.0 * days[c] / (double)head->v[c];
	return 1;
}

static const char *band_row(const struct wp_year *y, size_t i)
{
	return i < y->nrows[WP_AGE] ? y->labels[WP_AGE][i] : "計";
}

static const char *claims_row(size_t i)
{
	return i < WP_NBANDS ? wp_band_labels[i] : i == WP_NBANDS ? "年齢不明" : "計";
}

/* ---- CSV ------------------------------------------------------------ */

struct csv_out {
	const char *dir;
	struct colink_wp_result *res;
	struct colink_error *err;
	int failed;
};

static FILE *csv_open(struct csv_out *x, const char *name)
{
	char path[4400];
	FILE *f;
	snprintf(path, sizeof(path), "%s/csv/%s.csv", x->dir, name);
	if (!(f = fopen(path, "w")) && !x->failed) {
		x->failed = 1;
		COLINK_ERR(x->err, COLINK_EIO, "white paper: %s: %s", path, strerror(errno));
	}
	if (f)
		x->res->tables++;
	return f;
}

static void csv_close(struct csv_out *x, FILE *f)
{
	if (f && (ferror(f) | fclose(f)) && !x->failed) {
		x->failed = 1;
		COLINK_ERR(x->err, COLINK_EIO, "white paper: writing %s/csv failed", x->dir);
	}
}

static void csv_allow(struct csv_out *x, const struct wp_year *y, long k)
{
	static const char *const names[5] = { "allowance_recipients_age", "allowance_mental_age",
					      "allowance_rate_recipients_per_1000_age",
					      "allowance_rate_days_per_1000_age", "allowance_rate_mental_share_age" };
	const struct wp_allow *a = y->allow;
	int m;
	for (m = 0; m < 5; m++) {
		FILE *f = csv_open(x, names[m]);
		size_t i, j;
		if (!f)
			return;
		fprintf(f, "fiscal_year,年代,男%s,女%s,計%s\n", m == 4 ? "(%)" : "", m == 4 ? "(%)" : "",
			m == 4 ? "(%)" : "");
		for (i = 0; i <= a->t[0].rows; i++) {
			fprintf(f, "%d,", y->fy);
			colink_csv_field(f, band_row(y, i));
			for (j = 0; j <= 2; j++) {
				size_t c = COLINK_SUP_AT(&a->t[0], i, j);
				double v = 0;
				int ok;
				if (m < 2) {
					ok = !a->t[m].state[c];
					v = (double)a->t[m].v[c];
					x->res->suppressed += !ok;
				} else if (m < 4) {
					ok = per_1000(y, c, m == 3 ? a->days : NULL, k, &v);
				} else {
					ok = wp_rate(&a->t[1], &a->t[0], c, k, &v);
				}
				if (!ok)
					fputs(",*", f);
				else if (m < 2)
					fprintf(f, ",%ld", (long)v);
				else
					fprintf(f, ",%.1f", v);
			}
			fputc('\n', f);
		}
		csv_close(x, f);
	}
}

static void csv_cost(struct csv_out *x, const struct wp_year *y, long k)
{
	static const char *const heads[WP_CLAIMS_COLS + 1] = { "男", "女", "不明", "計" };
	size_t g, i, j;
	int mean;
	for (g = 0; g < y->cost->n; g++) {
		const struct wp_cgroup *gr = &y->cost->g[g];
		const char *id = !strcmp(gr->code, "*") ? "all" : *gr->code ? gr->code : "other";
		for (mean = 0; mean < 2; mean++) {
			char name[160];
			FILE *f;
			size_t p;
			snprintf(name, sizeof(name), "%s_%s_age", mean ? "claims_mean_cost" : "claims_persons", id);
			for (p = 0; name[p]; p++) /* the code as a file name */
				if (!((name[p] >= 'a' && name[p] <= 'z') || (name[p] >= '0' && name[p] <= '9') ||
				      name[p] == '_'))
					name[p] = '_';
			if (!(f = csv_open(x, name)))
				return;
			fputs("fiscal_year,年代", f);
			for (j = 0; j <= WP_CLAIMS_COLS; j++)
				fprintf(f, mean ? ",%s(円)" : ",%s", heads[j]);
			fputc('\n', f);
			for (i = 0; i <= WP_CLAIMS_ROWS; i++) {
				fprintf(f, "%d,%s", y->fy, claims_row(i));
				for (j = 0; j <= WP_CLAIMS_COLS; j++) {
					size_t c = COLINK_SUP_AT(&gr->t, i, j);
					double m = 0;
					if (!mean && !gr->t.state[c])
						fprintf(f, ",%ld", gr->t.v[c]);
					else if (mean && wp_mean_of(&gr->t, gr->yen, c, k, &m))
						fprintf(f, ",%.1f", m);
					else
						fputs(",*", f);
					x->res->suppressed += !mean && gr->t.state[c];
				}
				fputc('\n', f);
			}
			csv_close(x, f);
		}
	}
}

int wp_allow_csv(const struct wp_year *y, const struct colink_wp_opts *o, const char *dir,
		 struct colink_wp_result *res, struct colink_error *err)
{
	struct csv_out x = { dir, res, err, 0 };
	if (y->allow)
		csv_allow(&x, y, o->k);
	if (y->cost && y->cost->n && !x.failed)
		csv_cost(&x, y, o->k);
	return x.failed ? COLINK_EIO : COLINK_OK;
}

/* ---- HTML ----------------------------------------------------------- */

/* A released figure with `decimals` (0 or 1) places, or the dash. */
static void td_num(FILE *f, int ok, double v, int decimals)
{
	if (!ok)
		fputs("<td class=\"sup\">" DASH "</td>", f);
	else
		fprintf(f, "<td>%.*f</td>", decimals, v);
}

static void html_allow(FILE *f, const struct wp_year *y, const struct colink_wp_opts *o)
{
	const struct wp_allow *a = y->allow;
	static const char *const sex[3] = { "男性", "女性", "計" };
	size_t i, j;
	fputs("<section id=\"allowance\"><h2>■傷病手当金</h2>\n<table class=\"allowance\"><tr><th rowspan=\"2\">年代</th>", f);
	for (j = 0; j <= 2; j++)
		fprintf(f, "<th colspan=\"3\">%s</th>", sex[j]);
	fputs("</tr>\n<tr>", f);
	for (j = 0; j <= 2; j++)
		fputs("<th>受給者<br>(千人当たり)</th><th>支給日数<br>(千人当たり)</th><th>精神疾患<br>(%)</th>", f);
	fputs("</tr>\n", f);
	for (i = 0; i <= a->t[0].rows; i++) {
		fputs("<tr><th>", f);
		colink_html_escape(f, band_row(y, i));
		fputs("</th>", f);
		for (j = 0; j <= 2; j++) {
			size_t c = COLINK_SUP_AT(&a->t[0], i, j);
			double v = 0;
			int ok = per_1000(y, c, NULL, o->k, &v);
			td_num(f, ok, v, 1);
			ok = per_1000(y, c, a->days, o->k, &v);
			td_num(f, ok, v, 0);
			ok = wp_rate(&a->t[1], &a->t[0], c, o->k, &v);
			td_num(f, ok, v, 1);
		}
		fputs("</tr>\n", f);
	}
	fprintf(f, "</table>\n<p class=\"note\">受給者: 年度中に支給期間が始まる傷病手当金の支給を受けた在籍者の実人数"
		"（健保組合の支給記録を被保険者証で突合）。千人当たり = 受給者数（支給日数の合計）÷ 在籍者数 × 1,000。"
		"精神疾患の割合 = 原因傷病が ICD-10 の F（精神及び行動の障害）である受給者 ÷ 受給者。"
		"傷病手当金は要配慮個人情報であり、受給者数・精神疾患の人数は在籍者数・受給者数との差も含めて"
		"%ld人未満が分からないよう秘匿し、支給日数は受給者が%ld人以上の区分に限り示します。"
		"人数は CSV（csv/allowance_*.csv）にあります。</p>\n</section>\n", o->k, o->k);
}

static void html_cost(FILE *f, const struct wp_year *y, const struct colink_wp_opts *o)
{
	size_t g, i;
	fputs("<section id=\"cost-groups\"><h2>■疾病分類別 1人当たり医療費（レセプト）</h2>\n"
	      "<table class=\"cost\"><tr><th>疾病分類</th>", f);
	for (i = 0; i <= WP_CLAIMS_ROWS; i++)
		fprintf(f, "<th>%s</th>", claims_row(i));
	fputs("</tr>\n", f);
	for (g = 0; g < y->cost->n; g++) {
		const struct wp_cgroup *gr = &y->cost->g[g];
		fputs("<tr><th>", f);
		colink_html_escape(f, gr->label);
		fputs("</th>", f);
		for (i = 0; i <= WP_CLAIMS_ROWS; i++) {
			double m = 0;
			int ok = wp_mean_of(&gr->t, gr->yen, COLINK_SUP_AT(&gr->t, i, WP_CLAIMS_COLS), o->k, &m);
			td_num(f, ok, m, 0);
		}
		fputs("</tr>\n", f);
	}
	fprintf(f, "</table>\n<p class=\"note\">1人当たり医療費（円、男女計）= その疾病分類のレセプトの金額の合計 ÷ "
		"そのレセプトのある人数（被扶養者を含む）。レセプトの疾病分類は、疑いでない最初の主傷病の ICD-10"
		"（傷病名マスター）が mappings/rules/disease-groups.tsv のどの範囲にあるかで決まります。"
		"疾病分類ごとの人数は健康に関わる情報として、全体の人数との差も含めて%ld人未満が分からないよう秘匿します。"
		"人数と男女別は CSV（csv/claims_*.csv）にあります。</p>\n</section>\n", o->k);
}

void wp_allow_html(FILE *f, const struct wp_year *y, const struct colink_wp_opts *o)
{
	if (y->allow)
		html_allow(f, y, o);
	if (y->cost && y->cost->n)
		html_cost(f, y, o);
}
