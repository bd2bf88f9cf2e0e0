/*
 * wp_render.c -- 健康白書 output: one self-contained HTML file (inline CSS
 * and SVG, no script, no external fetch, lang=ja, A4 print CSS) and a CSV
 * file per released table (csv/).  Only released numbers are printed: a
 * suppressed count, and every rate or mean resting on one, is "‐" in the
 * HTML and "*" in the CSV.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/alloc.h"
#include "base/text.h"
#include "programs/wp_int.h"

#define DASH "‐"

static const char *const dim_ids[WP_NDIM] = { "age", "site", "job" };
static const char *const dim_heads[WP_NDIM] = { "年代", "事業所", "職種" };

struct out {
	const struct colink_wp_opts *o;
	const struct wp_year *cur, *prev;
	struct colink_wp_result *res;
	struct colink_error *err;
	char dir[4096];
	int failed;
};

/* ---- helpers ------------------------------------------------------- */

static size_t cell(const struct colink_sup_table *t, size_t i, size_t j)
{
	return COLINK_SUP_AT(t, i, j);
}

/* Row label i of a dimension table with `rows` rows (rows = 計). */
static const char *row_label(const struct wp_year *y, int d, size_t i)
{
	return i < y->nrows[d] ? y->labels[d][i] : "計";
}

static FILE *csv_open(struct out *x, const char *name)
{
	char path[4200];
	FILE *f;
	snprintf(path, sizeof(path), "%s/csv/%s.csv", x->dir, name);
	f = fopen(path, "w");
	if (!f && !x->failed) {
		x->failed = 1;
		COLINK_ERR(x->err, COLINK_EIO, "white paper: %s: %s", path, strerror(errno));
	}
	if (f)
		x->res->tables++;
	return f;
}

static void csv_close(struct out *x, FILE *f)
{
	if (f && (ferror(f) | fclose(f)) && !x->failed) {
		x->failed = 1;
		COLINK_ERR(x->err, COLINK_EIO, "white paper: writing %s/csv failed", x->dir);
	}
}

static long count_suppressed(const struct colink_sup_table *t)
{
	size_t c;
	long n = 0;
	if (!t->state)
		return 0;
	for (c = 0; c < (t->rows + 1) * (t->cols + 1); c++)
		n += t->state[c] != 0;
	return n;
}

/* ---- CSV ----------------------------------------------------------- */

/* A count table: rows x (男, 女, 計). */
static void csv_counts(struct out *x, const char *name, const struct wp_year *y, int d,
		       const struct colink_sup_table *t, const char *const *col_heads)
{
	FILE *f = csv_open(x, name);
	size_t i, j;
	if (!f)
		return;
	fprintf(f, "fiscal_year,%s,%s,%s,%s\n", dim_heads[d] ? dim_heads[d] : "区分", col_heads[0],
		col_heads[1], col_heads[2]);
	for (i = 0; i <= t->rows; i++) {
		fprintf(f, "%d,", y->fy);
		colink_csv_field(f, d >= 0 ? row_label(y, d, i) : "");
		for (j = 0; j <= 2; j++) {
			size_t c = cell(t, i, j);
			if (t->state[c])
				fputs(",*", f);
			else
				fprintf(f, ",%ld", t->v[c]);
		}
		fputc('\n', f);
	}
	x->res->suppressed += count_suppressed(t);
	csv_close(x, f);
}

static void csv_rates(struct out *x, const char *name, const struct wp_year *y, int d,
		      const struct colink_sup_table *num, const struct colink_sup_table *den)
{
	FILE *f = csv_open(x, name);
	size_t i, j;
	if (!f)
		return;
	fprintf(f, "fiscal_year,%s,男(%%),女(%%),計(%%)\n", dim_heads[d]);
	for (i = 0; i <= num->rows; i++) {
		fprintf(f, "%d,", y->fy);
		colink_csv_field(f, row_label(y, d, i));
		for (j = 0; j <= 2; j++) {
			double p;
			if (wp_rate(num, den, cell(num, i, j), x->o->k, &p))
				fprintf(f, ",%.1f", p);
			else
				fputs(",*", f);
		}
		fputc('\n', f);
	}
	csv_close(x, f);
}

static void csv_means(struct out *x, const char *name, const struct wp_year *y, int d,
		      const struct colink_sup_table *n, const double *sum, const char *unit)
{
	FILE *f = csv_open(x, name);
	size_t i, j;
	if (!f)
		return;
	fprintf(f, "fiscal_year,%s,男(%s),女(%s),計(%s)\n", dim_heads[d], unit, unit, unit);
	for (i = 0; i <= n->rows; i++) {
		fprintf(f, "%d,", y->fy);
		colink_csv_field(f, row_label(y, d, i));
		for (j = 0; j <= 2; j++) {
			double m;
			if (wp_mean_of(n, sum, cell(n, i, j), x->o->k, &m))
				fprintf(f, ",%.1f", m);
			else
				fputs(",*", f);
		}
		fputc('\n', f);
	}
	csv_close(x, f);
}

static const char *const claims_heads[WP_CLAIMS_COLS + 1] = { "男", "女", "不明", "計" };

static const char *claims_row(size_t i)
{
	return i < WP_NBANDS ? wp_band_labels[i] : i == WP_NBANDS ? "年齢不明" : "計";
}

/* The medical-cost table: (bands, 年齢不明, 計) x (男, 女, 不明, 計); persons,
 * or with sum the mean cost per person (yen). */
static void csv_claims(struct out *x, const char *name, const struct wp_year *y, const double *sum)
{
	const struct colink_sup_table *t = &y->claims;
	FILE *f = csv_open(x, name);
	size_t i, j;
	if (!f)
		return;
	fputs("fiscal_year,年代", f);
	for (j = 0; j <= t->cols; j++)
		fprintf(f, sum ? ",%s(円)" : ",%s", claims_heads[j]);
	fputc('\n', f);
	for (i = 0; i <= t->rows; i++) {
		fprintf(f, "%d,%s", y->fy, claims_row(i));
		for (j = 0; j <= t->cols; j++) {
			size_t c = cell(t, i, j);
			double m;
			if (!sum && !t->state[c])
				fprintf(f, ",%ld", t->v[c]);
			else if (sum && wp_mean_of(t, sum, c, x->o->k, &m))
				fprintf(f, ",%.1f", m);
			else
				fputs(",*", f);
		}
		fputc('\n', f);
	}
	if (!sum)
		x->res->suppressed += count_suppressed(t);
	csv_close(x, f);
}

static void write_csvs(struct out *x, const struct wp_year *y)
{
	static const char *const sex_heads[3] = { "男", "女", "計" };
	static const char *const quit_heads[3] = { "禁煙", "喫煙継続", "前年度喫煙者" };
	static const char *const relapse_heads[3] = { "再喫煙", "非喫煙継続", "前年度非喫煙者" };
	char name[128];
	int s, d, a;
	for (s = 0; s < WP_NSETS; s++) {
		if (!y->sets[s].present)
			continue;
		for (d = 0; d < WP_NDIM; d++) {
			snprintf(name, sizeof(name), "%s_%s", y->sets[s].id, dim_ids[d]);
			csv_counts(x, name, y, d, &y->sets[s].t[d], sex_heads);
		}
	}
	for (d = 0; d < WP_NDIM; d++) {
		snprintf(name, sizeof(name), "uptake_rate_%s", dim_ids[d]);
		csv_rates(x, name, y, d, &y->sets[WP_EXAMINED].t[d], &y->sets[WP_HEAD].t[d]);
		snprintf(name, sizeof(name), "smoker_rate_%s", dim_ids[d]);
		csv_rates(x, name, y, d, &y->sets[WP_SMOKER].t[d], &y->sets[WP_ANSWERED].t[d]);
		for (a = 0; a < COLINK_AREA_COUNT; a++) {
			const char *id = y->sets[WP_RISK0 + a].id + strlen("risk_");
			snprintf(name, sizeof(name), "prevalence_%s_%s", id, dim_ids[d]);
			csv_rates(x, name, y, d, &y->sets[WP_RISK0 + a].t[d], &y->sets[WP_MEASURED0 + a].t[d]);
		}
		for (a = 0; a < WP_NMEANS; a++) {
			const struct wp_mean *m = &y->means[a];
			if (!y->sets[m->count_set].present || !m->sum[d])
				continue;
			snprintf(name, sizeof(name), "%s_mean_%s", m->id, dim_ids[d]);
			csv_means(x, name, y, d, &y->sets[m->count_set].t[d], m->sum[d], m->unit);
		}
	}
	{
		FILE *f = csv_open(x, "guidance_levels");
		size_t i, j;
		if (f) {
			fprintf(f, "fiscal_year,階層化,男,女,計\n");
			for (i = 0; i <= WP_NLEVELS; i++) {
				fprintf(f, "%d,%s", y->fy, i < WP_NLEVELS ? wp_level_labels[i] : "計");
				for (j = 0; j <= 2; j++) {
					size_t c = cell(&y->guidance, i, j);
					if (y->guidance.state[c])
						fputs(",*", f);
					else
						fprintf(f, ",%ld", y->guidance.v[c]);
				}
				fputc('\n', f);
			}
			x->res->suppressed += count_suppressed(&y->guidance);
			csv_close(x, f);
		}
	}
	if (y->has_transitions) {
		csv_counts(x, "smoking_quit_site", y, WP_SITE, &y->quit, quit_heads);
		csv_counts(x, "smoking_relapse_site", y, WP_SITE, &y->relapse, relapse_heads);
	}
	if (y->has_claims) {
		csv_claims(x, "claims_persons_age", y, NULL);
		csv_claims(x, "medical_cost_per_person_age", y, y->claims_sum);
	}
}

/* ---- SVG charts ---------------------------------------------------- */

static const char *const series_colors[4] = { "#2b6cb0", "#d53f8c", "#718096", "#38a169" };

/* Grouped vertical bars: ncat categories x nser series; ok[c*nser+s] 0 =
 * suppressed: a marked 秘匿 placeholder (a dashed outline), never a gap.
 * A chart with nothing releasable (every value suppressed or 0) is one
 * line saying why, not bare axes. */
static void svg_bars(FILE *f, const char *id, const char *title, size_t ncat,
		     const char *const *cats, int nser, const char *const *sers,
		     const double *vals, const int *ok, const char *unit, int decimals)
{
	const double W = 720, H = 300, left = 56, right = 12, top = 34, bottom = 58;
	double max = 0, gw, bw;
	size_t c;
	int s, any = 0;
	for (c = 0; c < ncat * (size_t)nser; c++) {
		any |= ok[c] && vals[c] > 0;
		if (ok[c] && vals[c] > max)
			max = vals[c];
	}
	if (!any) {
		fprintf(f, "<p id=\"%s\" class=\"note chart-empty\">", id);
		colink_html_escape(f, title);
		fputs(": 図なし。どの値も秘匿（人数が少なく、集計値から個人が推測されうるため）または0です。</p>\n", f);
		return;
	}
	if (max <= 0)
		max = 1;
	max *= 1.15;
	if (decimals == 0) { /* whole-number ticks: a multiple of 4 */
		long m = (long)max;
		if ((double)m < max)
			m++;
		max = (double)((m + 3) / 4 * 4);
	}
	gw = (W - left - right) / (double)(ncat ? ncat : 1);
	bw = gw * 0.8 / nser;
	fprintf(f, "<figure class=\"chart\"><svg id=\"%s\" class=\"bar-chart\" xmlns=\"http://www.w3.org/2000/svg\" "
		"viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"", id, W, H);
	colink_html_escape(f, title);
	fprintf(f, "\">\n<title>");
	colink_html_escape(f, title);
	fprintf(f, "</title>\n<text x=\"%.0f\" y=\"18\" class=\"ct\">", left);
	colink_html_escape(f, title);
	fprintf(f, " (%s)</text>\n", unit);
	fprintf(f, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" class=\"axis\"/>\n", left,
		H - bottom, W - right, H - bottom);
	for (s = 0; s <= 4; s++) {
		double yv = max * s / 4.0, yy = H - bottom - (H - bottom - top) * s / 4.0;
		fprintf(f, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" class=\"grid\"/>"
			"<text x=\"%.0f\" y=\"%.1f\" class=\"yl\">%.*f</text>\n",
			left, yy, W - right, yy, left - 4, yy + 4, decimals, yv);
	}
	for (c = 0; c < ncat; c++) {
		double gx = left + gw * (double)c + gw * 0.1;
		for (s = 0; s < nser; s++) {
			size_t k = c * (size_t)nser + (size_t)s;
			double x0 = gx + bw * s, h = ok[k] ? (H - bottom - top) * vals[k] / max : 0;
			if (ok[k]) {
				fprintf(f, "<rect class=\"bar s%d\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
					"fill=\"%s\"/><text x=\"%.1f\" y=\"%.1f\" class=\"vl\">%.*f</text>\n",
					s, x0, H - bottom - h, bw * 0.92, h, series_colors[s % 4],
					x0 + bw * 0.46, H - bottom - h - 3, decimals, vals[k]);
			} else {
				double ph = (H - bottom - top) * 0.18;
				fprintf(f, "<rect class=\"bar sup\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>"
					"<text x=\"%.1f\" y=\"%.1f\" class=\"vl sup\">秘匿</text>\n",
					x0, H - bottom - ph, bw * 0.92, ph, x0 + bw * 0.46, H - bottom - ph - 3);
			}
		}
		fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" class=\"xl\">", gx + gw * 0.4, H - bottom + 16);
		colink_html_escape(f, cats[c]);
		fputs("</text>\n", f);
	}
	for (s = 0; s < nser; s++) {
		double lx = left + 110.0 * s;
		fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"12\" height=\"12\" fill=\"%s\"/>"
			"<text x=\"%.0f\" y=\"%.0f\" class=\"lg\">",
			lx, H - 22, series_colors[s % 4], lx + 16, H - 12);
		colink_html_escape(f, sers[s]);
		fputs("</text>\n", f);
	}
	fputs("</svg></figure>\n", f);
}

/* ---- HTML ---------------------------------------------------------- */

static void td_count(FILE *f, const struct colink_sup_table *t, size_t c)
{
	if (t->state[c])
		fputs("<td class=\"sup\">" DASH "</td>", f);
	else
		fprintf(f, "<td>%ld</td>", t->v[c]);
}

static void td_mean(FILE *f, const struct colink_sup_table *n, const double *sum, size_t c, long k,
		    int decimals)
{
	double m;
	if (sum && wp_mean_of(n, sum, c, k, &m))
		fprintf(f, "<td>%.*f</td>", decimals, m);
	else
		fputs("<td class=\"sup\">" DASH "</td>", f);
}

/* Rate of column 0 in row i over the row total (both released, total >= k). */
static int row_rate(const struct colink_sup_table *t, size_t i, long k, double *pct)
{
	size_t a = cell(t, i, 0), b = cell(t, i, 2);
	if (t->state[a] || t->state[b] || t->v[b] < k || t->v[b] <= 0)
		return 0;
	*pct = 100.0 * (double)t->v[a] / (double)t->v[b];
	return 1;
}

static void css(FILE *f)
{
	fputs("<style>\n"
	      "@page { size: A4; margin: 14mm; }\n"
	      "body { font-family: 'Noto Sans CJK JP', 'Noto Sans JP', 'IPAexGothic', sans-serif; color: #1a202c;"
	      " max-width: 190mm; margin: 0 auto; padding: 8px; font-size: 10.5pt; line-height: 1.5; }\n"
	      "h1 { font-size: 18pt; border-bottom: 3px solid #2b6cb0; margin-bottom: 4px; }\n"
	      "h2 { font-size: 13pt; background: #ebf4ff; padding: 3px 6px; margin-top: 18px; }\n"
	      "h3 { font-size: 11pt; margin: 10px 0 4px; }\n"
	      "table { border-collapse: collapse; margin: 6px 0; font-size: 9.5pt; }\n"
	      "th, td { border: 1px solid #a0aec0; padding: 2px 6px; }\n"
	      "td { text-align: right; } th { background: #edf2f7; }\n"
	      "td.sup { color: #718096; text-align: center; }\n"
	      "figure.chart { margin: 6px 0; } svg.bar-chart { width: 100%; height: auto; max-width: 180mm; }\n"
	      "svg .ct { font-size: 14px; font-weight: bold; } svg .yl { font-size: 10px; text-anchor: end; }\n"
	      "svg .xl { font-size: 11px; text-anchor: middle; } svg .vl { font-size: 9px; text-anchor: middle; }\n"
	      "svg .sup { fill: #718096; } svg .lg { font-size: 11px; }\n"
	      "svg rect.bar.sup { fill: #f7fafc; stroke: #a0aec0; stroke-dasharray: 3 2; }\n"
	      "svg .axis { stroke: #4a5568; } svg .grid { stroke: #e2e8f0; }\n"
	      ".note { font-size: 9pt; color: #4a5568; } .meta { font-size: 9pt; color: #4a5568; }\n"
	      "section { page-break-inside: avoid; }\n"
	      "@media print { h2 { page-break-after: avoid; } figure.chart { page-break-inside: avoid; } }\n"
	      "</style>\n", f);
}

/* Overall indicators of a year, in a fixed order; ok 0 when not released. */
#define NIND (3 + COLINK_AREA_COUNT + WP_NMEANS)
static void indicators(const struct wp_year *y, int d, size_t c, long k, double *v, int *ok)
{
	int a, i = 0;
	if (!y->has_data) {
		for (i = 0; i < NIND; i++)
			ok[i] = 0;
		return;
	}
	ok[i] = !y->sets[WP_HEAD].t[d].state[c];
	v[i++] = (double)y->sets[WP_HEAD].t[d].v[c];
	ok[i] = wp_rate(&y->sets[WP_EXAMINED].t[d], &y->sets[WP_HEAD].t[d], c, k, &v[i]);
	i++;
	ok[i] = wp_rate(&y->sets[WP_SMOKER].t[d], &y->sets[WP_ANSWERED].t[d], c, k, &v[i]);
	i++;
	for (a = 0; a < COLINK_AREA_COUNT; a++, i++)
		ok[i] = wp_rate(&y->sets[WP_RISK0 + a].t[d], &y->sets[WP_MEASURED0 + a].t[d], c, k, &v[i]);
	for (a = 0; a < WP_NMEANS; a++, i++) {
		const struct wp_mean *m = &y->means[a];
		ok[i] = y->sets[m->count_set].present && m->sum[d] &&
			wp_mean_of(&y->sets[m->count_set].t[d], m->sum[d], c, k, &v[i]);
	}
}

static const char *const ind_labels[NIND] = {
	"在籍者数", "健診受診率(%)", "喫煙率(%)", "血圧 受診勧奨以上(%)", "脂質 受診勧奨以上(%)",
	"肝機能 受診勧奨以上(%)", "血糖 受診勧奨以上(%)", "腎機能 受診勧奨以上(%)", "貧血 受診勧奨以上(%)",
	"平均時間外労働(時間/月)", "平均病欠日数(日/年)"
};

static void td_ind(FILE *f, double v, int ok, int count)
{
	if (!ok)
		fputs("<td class=\"sup\">" DASH "</td>", f);
	else if (count)
		fprintf(f, "<td>%.0f</td>", v);
	else
		fprintf(f, "<td>%.1f</td>", v);
}

static void section_summary(FILE *f, struct out *x)
{
	const struct wp_year *y = x->cur, *p = x->prev;
	const struct colink_sup_table *t = &y->sets[WP_HEAD].t[WP_AGE];
	size_t c = cell(t, t->rows, 2), pc = p->has_data ? cell(&p->sets[WP_HEAD].t[WP_AGE], p->nrows[WP_AGE], 2) : 0;
	double v[NIND], pv[NIND], vals[2 * (NIND - 1)];
	int ok[NIND], pok[NIND], oks[2 * (NIND - 1)], i;
	const char *cats[NIND - 1], *sers[2];
	char s0[32], s1[32];
	indicators(y, WP_AGE, c, x->o->k, v, ok);
	indicators(p, WP_AGE, pc, x->o->k, pv, pok);
	fprintf(f, "<section id=\"summary\"><h2>■概要と経年変化</h2>\n<table class=\"yoy\"><tr><th>指標</th>"
		"<th>%d年度</th><th>%d年度</th></tr>\n", y->fy - 1, y->fy);
	for (i = 0; i < NIND; i++) {
		fprintf(f, "<tr><th>%s</th>", ind_labels[i]);
		td_ind(f, pv[i], pok[i], i == 0);
		td_ind(f, v[i], ok[i], i == 0);
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
	/* year-over-year chart of the rates (not the headcount, not the means) */
	for (i = 1; i < NIND - WP_NMEANS; i++) {
		cats[i - 1] = ind_labels[i];
		vals[2 * (i - 1)] = pv[i];
		oks[2 * (i - 1)] = pok[i];
		vals[2 * (i - 1) + 1] = v[i];
		oks[2 * (i - 1) + 1] = ok[i];
	}
	{
		static char shortcats[NIND][40];
		const char *sc[NIND];
		for (i = 0; i < NIND - 1 - WP_NMEANS; i++) {
			const char *l = cats[i];
			size_t n = strcspn(l, "(");
			if (n >= sizeof(shortcats[0]))
				n = sizeof(shortcats[0]) - 1;
			memcpy(shortcats[i], l, n);
			shortcats[i][n] = '\0';
			{
				char *sp = strstr(shortcats[i], " 受診勧奨以上");
				if (sp)
					*sp = '\0';
			}
			sc[i] = shortcats[i];
		}
		snprintf(s0, sizeof(s0), "%d年度", y->fy - 1);
		snprintf(s1, sizeof(s1), "%d年度", y->fy);
		sers[0] = s0;
		sers[1] = s1;
		svg_bars(f, "chart-yoy", "経年変化: 受診率・喫煙率・受診勧奨以上の割合", (size_t)(NIND - 1 - WP_NMEANS), sc,
			 2, sers, vals, oks, "%", 1);
	}
	fputs("<p class=\"note\">受診勧奨以上: 受診勧奨判定値以上の者の割合（その領域の判定ができた受診者に対する割合）。</p>"
	      "</section>\n", f);
}

/* Indicators by rows of dimension d (計 of each row), and the sex split
 * of the rows in a chart of `chart_set` rate or count. */
static void dim_table(FILE *f, struct out *x, int d)
{
	const struct wp_year *y = x->cur;
	size_t i;
	int k;
	fprintf(f, "<table class=\"dim\"><tr><th>%s</th>", dim_heads[d]);
	for (k = 0; k < NIND; k++)
		fprintf(f, "<th>%s</th>", ind_labels[k]);
	fputs("</tr>\n", f);
	for (i = 0; i <= y->nrows[d]; i++) {
		double v[NIND];
		int ok[NIND];
		indicators(y, d, cell(&y->sets[WP_HEAD].t[d], i, 2), x->o->k, v, ok);
		fputs("<tr><th>", f);
		colink_html_escape(f, row_label(y, d, i));
		fputs("</th>", f);
		for (k = 0; k < NIND; k++)
			td_ind(f, v[k], ok[k], k == 0);
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

/* A chart of rows of d x sex for one rate (num/den) or, den NULL, count. */
static void dim_chart(FILE *f, struct out *x, int d, const char *id, const char *title,
		      const struct colink_sup_table *num, const struct colink_sup_table *den,
		      const char *unit)
{
	static const char *const sexes[2] = { "男性", "女性" };
	const struct wp_year *y = x->cur;
	size_t n = y->nrows[d], i, j;
	double *vals = colink_calloc(2 * n + 2, sizeof(double));
	int *ok = colink_calloc(2 * n + 2, sizeof(int));
	if (!vals || !ok) {
		colink_free(vals);
		colink_free(ok);
		return;
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < 2; j++) {
			size_t c = cell(num, i, j);
			if (den)
				ok[2 * i + j] = wp_rate(num, den, c, x->o->k, &vals[2 * i + j]);
			else if ((ok[2 * i + j] = !num->state[c]))
				vals[2 * i + j] = (double)num->v[c];
		}
	svg_bars(f, id, title, n, (const char *const *)y->labels[d], 2, sexes, vals, ok, unit, den ? 1 : 0);
	colink_free(vals);
	colink_free(ok);
}

static void section_sex(FILE *f, struct out *x)
{
	const struct wp_year *y = x->cur;
	const struct colink_sup_table *t = &y->sets[WP_HEAD].t[WP_AGE];
	static const char *const sexes[2] = { "男性", "女性" };
	double vals[2 * COLINK_AREA_COUNT + 4];
	int ok[2 * COLINK_AREA_COUNT + 4], k, a;
	size_t j;
	fputs("<section id=\"sex\"><h2>■性別による特徴</h2>\n<table><tr><th>指標</th><th>男性</th><th>女性</th>"
	      "<th>計</th></tr>\n", f);
	for (k = 0; k < NIND; k++) {
		fprintf(f, "<tr><th>%s</th>", ind_labels[k]);
		for (j = 0; j <= 2; j++) {
			double v[NIND];
			int okk[NIND];
			indicators(y, WP_AGE, cell(t, t->rows, j), x->o->k, v, okk);
			td_ind(f, v[k], okk[k], k == 0);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
	for (a = 0; a < COLINK_AREA_COUNT; a++)
		for (j = 0; j < 2; j++)
			ok[2 * a + (int)j] = wp_rate(&y->sets[WP_RISK0 + a].t[WP_AGE], &y->sets[WP_MEASURED0 + a].t[WP_AGE],
						   cell(t, t->rows, j), x->o->k, &vals[2 * a + (int)j]);
	svg_bars(f, "chart-sex-risk", "性別: 領域別 受診勧奨以上の割合", COLINK_AREA_COUNT, wp_area_labels, 2, sexes,
		 vals, ok, "%", 1);
	fputs("</section>\n", f);
}

static void section_age(FILE *f, struct out *x)
{
	const struct wp_year *y = x->cur;
	fputs("<section id=\"age\"><h2>■年代による特徴</h2>\n", f);
	dim_chart(f, x, WP_AGE, "chart-age-headcount", "年代・性別 在籍者数", &y->sets[WP_HEAD].t[WP_AGE], NULL, "人");
	dim_chart(f, x, WP_AGE, "chart-age-uptake", "年代・性別 健診受診率", &y->sets[WP_EXAMINED].t[WP_AGE],
		  &y->sets[WP_HEAD].t[WP_AGE], "%");
	dim_chart(f, x, WP_AGE, "chart-age-smoker", "年代・性別 喫煙率", &y->sets[WP_SMOKER].t[WP_AGE],
		  &y->sets[WP_ANSWERED].t[WP_AGE], "%");
	dim_table(f, x, WP_AGE);
	if (y->has_claims) {
		static const char *const sexes[2] = { "男性", "女性" };
		const struct colink_sup_table *t = &y->claims;
		size_t u = cell(t, t->rows, 2); /* the 不明 column's total: shown when not a released 0 */
		int unk = t->state[u] || t->v[u], b, j;
		double vals[2 * WP_NBANDS];
		int ok[2 * WP_NBANDS];
		fputs("<h3>一人当たり医療費（年代・性別、健保組合の加入者全体）</h3>\n<table><tr><th rowspan=\"2\">年代</th>"
		      "<th colspan=\"2\">男性</th><th colspan=\"2\">女性</th>", f);
		if (unk)
			fputs("<th colspan=\"2\">性別不明</th>", f);
		fputs("<th colspan=\"2\">計</th></tr>\n<tr>", f);
		for (j = 0; j < 3 + unk; j++)
			fputs("<th>人数</th><th>円/人</th>", f);
		fputs("</tr>\n", f);
		for (b = 0; b <= (int)t->rows; b++) {
			fprintf(f, "<tr><th>%s</th>", claims_row((size_t)b));
			for (j = 0; j <= (int)t->cols; j++) {
				if (j == 2 && !unk)
					continue;
				td_count(f, t, cell(t, (size_t)b, (size_t)j));
				td_mean(f, t, y->claims_sum, cell(t, (size_t)b, (size_t)j), x->o->k, 0);
			}
			fputs("</tr>\n", f);
		}
		fputs("</table>\n<p class=\"note\">人数の計は、本年度に医療費のある加入者全員（被扶養者を含む）。"
		      "年齢・性別は健保組合の健診データから、ない者は共同利用の取決めで許される場合に限り"
		      "突合した従業員名簿の生年月・性別から求め、なお分からない者は「年齢不明」「性別不明」に計上します。</p>\n",
		      f);
		for (b = 0; b < WP_NBANDS; b++)
			for (j = 0; j < 2; j++)
				ok[2 * b + j] = wp_mean_of(&y->claims, y->claims_sum,
							   cell(&y->claims, (size_t)b, (size_t)j), x->o->k,
							   &vals[2 * b + j]);
		svg_bars(f, "chart-age-cost", "年代・性別 一人当たり医療費", WP_NBANDS, wp_band_labels, 2, sexes,
			 vals, ok, "円", 0);
	}
	fputs("</section>\n", f);
}

/* 禁煙推進: quit and relapse rates by site, this year and last (the
 * previous year's row of the same label), and a chart of the quit rates. */
static void smoking_by_site(FILE *f, struct out *x)
{
	const struct wp_year *y = x->cur, *p = x->prev;
	size_t n = y->nrows[WP_SITE], i;
	fprintf(f, "<h3>禁煙推進: 事業所別 禁煙率・再喫煙率（前年度からの変化）</h3>\n"
		"<table class=\"smoking\"><tr><th>事業所</th><th>禁煙率 %d年度(%%)</th><th>禁煙率 %d年度(%%)</th>"
		"<th>再喫煙率 %d年度(%%)</th><th>再喫煙率 %d年度(%%)</th></tr>\n",
		y->fy - 1, y->fy, y->fy - 1, y->fy);
	{
		double *vals = colink_calloc(2 * n + 2, sizeof(double));
		int *ok = colink_calloc(2 * n + 2, sizeof(int));
		const char *sers[2];
		char s0[32], s1[32];
		for (i = 0; i <= n; i++) {
			const char *label = row_label(y, WP_SITE, i);
			size_t pi = SIZE_MAX, j;
			double q[4];
			int qok[4];
			if (p->has_data && p->has_transitions)
				for (j = 0; j <= p->nrows[WP_SITE]; j++)
					if (!strcmp(row_label(p, WP_SITE, j), label))
						pi = j;
			qok[0] = pi != SIZE_MAX && row_rate(&p->quit, pi, x->o->k, &q[0]);
			qok[1] = y->has_transitions && row_rate(&y->quit, i, x->o->k, &q[1]);
			qok[2] = pi != SIZE_MAX && row_rate(&p->relapse, pi, x->o->k, &q[2]);
			qok[3] = y->has_transitions && row_rate(&y->relapse, i, x->o->k, &q[3]);
			fputs("<tr><th>", f);
			colink_html_escape(f, label);
			fputs("</th>", f);
			for (j = 0; j < 4; j++)
				td_ind(f, q[j], qok[j], 0);
			fputs("</tr>\n", f);
			if (vals && ok && i < n) {
				vals[2 * i] = q[0];
				ok[2 * i] = qok[0];
				vals[2 * i + 1] = q[1];
				ok[2 * i + 1] = qok[1];
			}
		}
		fputs("</table>\n", f);
		snprintf(s0, sizeof(s0), "%d年度", y->fy - 1);
		snprintf(s1, sizeof(s1), "%d年度", y->fy);
		sers[0] = s0;
		sers[1] = s1;
		if (vals && ok)
			svg_bars(f, "chart-site-quit", "事業所別 禁煙率の推移", n, (const char *const *)y->labels[WP_SITE],
				 2, sers, vals, ok, "%", 1);
		colink_free(vals);
		colink_free(ok);
	}
	fprintf(f, "<p class=\"note\">禁煙率: 前年度の喫煙者のうち本年度に喫煙していない者の割合。再喫煙率: 前年度の非喫煙者のうち本年度に喫煙している者の割合。"
	      "前年度の喫煙者（非喫煙者）が%ld人未満の事業所は表示しません。</p>\n", x->o->k);
}

static void section_site(FILE *f, struct out *x)
{
	const struct wp_year *y = x->cur;
	fputs("<section id=\"site\"><h2>■事業所による特徴</h2>\n", f);
	dim_chart(f, x, WP_SITE, "chart-site-uptake", "事業所別 健診受診率", &y->sets[WP_EXAMINED].t[WP_SITE],
		  &y->sets[WP_HEAD].t[WP_SITE], "%");
	dim_chart(f, x, WP_SITE, "chart-site-smoker", "事業所別 喫煙率", &y->sets[WP_SMOKER].t[WP_SITE],
		  &y->sets[WP_ANSWERED].t[WP_SITE], "%");
	dim_table(f, x, WP_SITE);
	smoking_by_site(f, x);
	fputs("</section>\n", f);
}

static void section_job(FILE *f, struct out *x)
{
	const struct wp_year *y = x->cur;
	fputs("<section id=\"job\"><h2>■職種による特徴</h2>\n", f);
	dim_chart(f, x, WP_JOB, "chart-job-uptake", "職種別 健診受診率", &y->sets[WP_EXAMINED].t[WP_JOB],
		  &y->sets[WP_HEAD].t[WP_JOB], "%");
	dim_table(f, x, WP_JOB);
	fputs("</section>\n", f);
}

static void section_guidance(FILE *f, struct out *x)
{
	const struct wp_year *y = x->cur;
	size_t i, j;
	fputs("<section id=\"guidance\"><h2>■特定保健指導の階層化（40〜74歳の受診者）</h2>\n<table><tr><th>階層化</th>"
	      "<th>男性</th><th>女性</th><th>計</th></tr>\n", f);
	for (i = 0; i <= WP_NLEVELS; i++) {
		fprintf(f, "<tr><th>%s</th>", i < WP_NLEVELS ? wp_level_labels[i] : "計");
		for (j = 0; j <= 2; j++)
			td_count(f, &y->guidance, cell(&y->guidance, i, j));
		fputs("</tr>\n", f);
	}
	fputs("</table></section>\n", f);
}

static void section_notes(FILE *f, struct out *x, const char *rules_id)
{
	const struct wp_year *y = x->cur;
	fprintf(f, "<section id=\"notes\"><h2>■注記</h2><ul class=\"note\">\n"
		"<li>「" DASH "」は秘匿: 人数が%ld未満（1〜%ld人%s）の集計値、およびその値を合計や他の数値から"
		"逆算できないよう併せて秘匿した値（二次秘匿）。秘匿した人数に基づく割合・平均も表示しません。"
		"割合・平均は、その分母の人数が%ld人以上で公表される場合に限り表示します。"
		"グラフでは秘匿した値を点線の枠「秘匿」で示します。</li>\n",
		x->o->k, x->o->k - 1, x->o->suppress_zeros ? "、および0人" : "", x->o->k);
	{
		char names[160];
		colink_wp_sensitive_names(wp_sensitive(x->o), names, sizeof(names));
		fprintf(f, "<li>健康に関する属性（%s）の人数は、その補数（例: 受診勧奨に該当しない者、非喫煙者）も"
			"%ld人未満にならないよう保護しています。在籍者数・受診者数など事業主が既に知る集団の人数は、"
			"%ld人以上であれば公表します。</li>\n", names, x->o->k, x->o->k);
	}
	fprintf(f, "<li>被保険者数が%ld人未満の事業所は%s（%s）。</li>\n", x->o->min_site,
		x->o->site_rule == COLINK_WP_SITE_MERGE ? "「その他の事業所」に合算し、合算後も少ない場合は非公表"
							: "非公表",
		y->sites_merged || y->sites_withheld ? "本年度は該当あり" : "本年度は該当なし");
	fputs("<li>対象: 年度中に在籍した従業員（性別・生年月の分かる者）。年齢は年度末（3月31日）時点。"
	      "健診結果は健保組合の健診データと仮名（ハッシュ）で突合した者のみ。</li>\n", f);
	fputs("<li>判定基準: ", f);
	colink_html_escape(f, rules_id ? rules_id : "");
	fputs("。</li>\n", f);
	if (!x->o->attendance_allowed)
		fputs("<li>勤怠（時間外労働・病欠）の集計は、共同利用の取決めで許可されていないため掲載していません。</li>\n", f);
	fputs("</ul></section>\n", f);
}

static int write_html(struct out *x, const char *rules_id)
{
	char path[4200];
	FILE *f;
	snprintf(path, sizeof(path), "%s/whitepaper.html", x->dir);
	f = fopen(path, "w");
	if (!f)
		return COLINK_ERR(x->err, COLINK_EIO, "white paper: %s: %s", path, strerror(errno));
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
		"img-src data:\">\n<title>健康白書 %d年度</title>\n", x->cur->fy);
	css(f);
	fprintf(f, "</head>\n<body>\n<h1>健康白書 %d年度</h1>\n<p class=\"meta\">健保組合と事業主の共同利用データ"
		"（仮名化済み）による集計。出典: ", x->cur->fy);
	colink_html_escape(f, x->o->source ? x->o->source : "warehouse");
	fputs("</p>\n", f);
	section_summary(f, x);
	section_sex(f, x);
	section_age(f, x);
	section_site(f, x);
	section_job(f, x);
	section_guidance(f, x);
	wp_part_html(f, x->cur, x->o); /* ⑤ その他 (wp_participation.c) */
	wp_allow_html(f, x->cur, x->o); /* 傷病手当金, cost by disease group (wp_allowance.c) */
	section_notes(f, x, rules_id);
	fputs("</body>\n</html>\n", f);
	if (ferror(f) | fclose(f))
		return COLINK_ERR(x->err, COLINK_EIO, "white paper: writing %s failed", path);
	return COLINK_OK;
}

static int mkdir_p(const char *dir, struct colink_error *err)
{
	if (mkdir(dir, 0750) && errno != EEXIST)
		return COLINK_ERR(err, COLINK_EIO, "white paper: %s: %s", dir, strerror(errno));
	return COLINK_OK;
}

int wp_render(const struct wp_year *cur, const struct wp_year *prev,
	      const struct colink_wp_opts *o, const char *rules_id,
	      struct colink_wp_result *res, struct colink_error *err)
{
	struct out x = { o, cur, prev, res, err, "", 0 };
	char csvdir[4200];
	int rc;
	if (strlen(o->out_dir) >= sizeof(x.dir))
		return COLINK_ERR(err, COLINK_EINVAL, "white paper: output directory name too long");
	snprintf(x.dir, sizeof(x.dir), "%s", o->out_dir);
	snprintf(csvdir, sizeof(csvdir), "%s/csv", x.dir);
	if ((rc = mkdir_p(x.dir, err)) || (rc = mkdir_p(csvdir, err)))
		return rc;
	write_csvs(&x, cur);
	if (x.failed)
		return COLINK_EIO;
	if ((rc = wp_part_csv(cur, o, x.dir, res, err)) || /* ⑤ その他 */
	    (rc = wp_allow_csv(cur, o, x.dir, res, err)))
		return rc;
	return write_html(&x, rules_id);
}
