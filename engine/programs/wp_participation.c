/*
 * wp_participation.c -- 健康白書 ⑤ その他: participation in the health
 * programmes the employer runs with the association (walking event,
 * seminar, 給食改善, 禁煙治療補助; issue #19), by age band and by site.
 *
 * Per programme and fiscal year, over the white paper's population (the
 * employees in service, whitepaper.h):
 *   participants  persons with at least one participation row dated in
 *                 the year (a person counts once per programme);
 *   completers    participants with at least one row completed = 1;
 *   参加率         participants / headcount (在籍者数) of the same cell: every
 *                 employee is offered every programme, and no list of the
 *                 eligible is an input (docs/whitepaper.md);
 *   修了率         completers / participants.
 * Both counts describe a health attribute (a 禁煙治療補助 participant
 * smokes), so they are protected like every sensitive count: the
 * participants' age and site tables (x sex) together, the completers'
 * together, each with colink_sup_protect; then every nested pair of the
 * same cell -- participants of the headcount, completers of the
 * participants, completers of the headcount -- must not reveal its
 * complement (colink_sup_pair_check), or the child cell is withheld and
 * its tables protected again, to a fixed point.  The headcount tables are
 * the white paper's own and are never changed here.  A rate is released
 * only when both of its counts are and its denominator is >= k (wp_rate).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/text.h"
#include "programs/wp_int.h"

#define DASH "‐"
#define NPD 2 /* the section's dimensions: age band, site */

static const int pdims[NPD] = { WP_AGE, WP_SITE };
static const char *const pdim_ids[NPD] = { "age", "site" };
static const char *const pdim_heads[NPD] = { "年代", "事業所" };

/* The programme codes of codemaps.tsv (participation_program), in the
 * order the white paper shows them; another code is shown as itself,
 * after these. */
static const struct {
	const char *code, *label;
} known[] = {
	{ "walking", "ウォーキングイベント" },
	{ "seminar", "健康セミナー" },
	{ "meal", "給食改善" },
	{ "smoking_treatment", "禁煙治療補助" },
};
#define NKNOWN (sizeof(known) / sizeof(known[0]))

struct wp_prog {
	char *code;
	const char *label; /* static, or the code */
	size_t order;      /* index in known[], NKNOWN for another code */
	struct colink_sup_table part[NPD], done[NPD];
};

struct wp_part {
	size_t n;
	struct wp_prog *p;
};

#define OOM(err) COLINK_ERR(err, COLINK_ENOMEM, "white paper: out of memory")

/* ---- counting ------------------------------------------------------ */

struct part_ctx {
	struct wp_year *y;
	struct colink_error *err;
	int failed;
};

static struct wp_prog *prog_of(struct part_ctx *x, const char *code)
{
	struct wp_part *pt = x->y->part;
	struct wp_prog *np, *p;
	size_t i, len = strlen(code);
	int d;
	for (i = 0; i < pt->n; i++)
		if (!strcmp(pt->p[i].code, code))
			return &pt->p[i];
	if (!(np = colink_realloc(pt->p, (pt->n + 1) * sizeof(*np))))
		return NULL;
	pt->p = np;
	p = &pt->p[pt->n];
	memset(p, 0, sizeof(*p));
	if (!(p->code = colink_malloc(len + 1)))
		return NULL;
	memcpy(p->code, code, len + 1);
	pt->n++; /* from here on freed by wp_part_free */
	p->label = p->code;
	p->order = NKNOWN;
	for (i = 0; i < NKNOWN; i++)
		if (!strcmp(known[i].code, code)) {
			p->label = known[i].label;
			p->order = i;
		}
	for (d = 0; d < NPD; d++)
		if (colink_sup_table_init(&p->part[d], "participants", pdim_ids[d], "sex",
					  x->y->nrows[pdims[d]], 2, x->err) ||
		    colink_sup_table_init(&p->done[d], "completers", pdim_ids[d], "sex",
					  x->y->nrows[pdims[d]], 2, x->err))
			return NULL;
	return p;
}

static void on_part(void *ud, const char *program, int dim, long row, int sex, long n, long done)
{
	struct part_ctx *x = ud;
	struct wp_prog *p;
	size_t c;
	if (x->failed || !program || dim < 0 || dim >= NPD || sex < 1 || sex > 2 || row < 0)
		return;
	if (!(p = prog_of(x, program))) {
		x->failed = 1;
		return;
	}
	if ((size_t)row >= p->part[dim].rows)
		return; /* a row the white paper does not show */
	c = COLINK_SUP_AT(&p->part[dim], (size_t)row, (size_t)(sex - 1));
	p->part[dim].v[c] = n;
	p->done[dim].v[c] = done;
}

static int prog_cmp(const void *a, const void *b)
{
	const struct wp_prog *p = a, *q = b;
	if (p->order != q->order)
		return p->order < q->order ? -1 : 1;
	return strcmp(p->code, q->code);
}

/* ---- protection ---------------------------------------------------- */

static int prog_protect(struct wp_year *y, struct wp_prog *p, const struct colink_wp_opts *o,
			struct colink_error *err)
{
	struct colink_sup_opts so = { o->k, o->suppress_zeros };
	int d, rc, changed = 1;
	size_t c, j;
	for (d = 0; d < NPD; d++) {
		colink_sup_margins(&p->part[d]);
		colink_sup_margins(&p->done[d]);
		if (pdims[d] == WP_SITE && y->withheld_row >= 0)
			for (j = 0; j <= 2; j++) {
				c = COLINK_SUP_AT(&p->part[d], (size_t)y->withheld_row, j);
				p->part[d].state[c] = p->done[d].state[c] = COLINK_SUP_PRIMARY;
			}
	}
	if ((rc = colink_sup_protect(p->part, NPD, &so, err)) ||
	    (rc = colink_sup_protect(p->done, NPD, &so, err)))
		return rc;
	while (changed) {
		changed = 0;
		for (d = 0; d < NPD; d++) {
			const struct colink_sup_table *head = &y->sets[WP_HEAD].t[pdims[d]];
			for (c = 0; c < (p->part[d].rows + 1) * 3; c++) {
				if ((rc = colink_sup_nest_child(head, &p->part[d], c, p->part, NPD, &so, err)) < 0)
					return rc;
				changed |= rc;
				if ((rc = colink_sup_nest_child(&p->part[d], &p->done[d], c, p->done, NPD, &so, err)) < 0)
					return rc;
				changed |= rc;
				if ((rc = colink_sup_nest_child(head, &p->done[d], c, p->done, NPD, &so, err)) < 0)
					return rc;
				changed |= rc;
			}
		}
	}
	return COLINK_OK;
}

int wp_part_build(struct colink_wh *db, struct wp_year *y, const struct colink_wp_opts *o,
		  struct colink_error *err)
{
	struct part_ctx x = { y, err, 0 };
	int rc, present = 0;
	size_t i;
	if (!o->participation_allowed || !y->has_data || !y->sets[WP_HEAD].present)
		return COLINK_OK;
	if (!(y->part = colink_calloc(1, sizeof(*y->part))))
		return OOM(err);
	rc = colink_wh_wp_participation(db, y->fy, &present, on_part, &x, err);
	if (x.failed)
		return err->code ? err->code : OOM(err);
	if (rc)
		return rc;
	if (y->part->n > 1)
		qsort(y->part->p, y->part->n, sizeof(*y->part->p), prog_cmp);
	for (i = 0; i < y->part->n; i++)
		if ((rc = prog_protect(y, &y->part->p[i], o, err)))
			return rc;
	return COLINK_OK;
}

void wp_part_free(struct wp_year *y)
{
	size_t i;
	int d;
	if (!y->part)
		return;
	for (i = 0; i < y->part->n; i++) {
		for (d = 0; d < NPD; d++) {
			colink_sup_table_free(&y->part->p[i].part[d]);
			colink_sup_table_free(&y->part->p[i].done[d]);
		}
		colink_free(y->part->p[i].code);
	}
	colink_free(y->part->p);
	colink_free(y->part);
	y->part = NULL;
}

/* ---- output -------------------------------------------------------- */

static const char *row_label(const struct wp_year *y, int d, size_t i)
{
	return i < y->nrows[pdims[d]] ? y->labels[pdims[d]][i] : "計";
}

/* The code as a file-name part: [a-z0-9_] kept, anything else '_'. */
static void safe_name(char *out, size_t n, const char *code)
{
	size_t i;
	for (i = 0; code[i] && i + 1 < n; i++) {
		char ch = code[i];
		out[i] = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ? ch : '_';
	}
	out[i] = '\0';
}

struct csv_out {
	const char *dir;
	struct colink_wp_result *res;
	struct colink_error *err;
	int failed;
};

static FILE *csv_open(struct csv_out *x, const char *kind, const char *code, int d)
{
	char path[4400], safe[64];
	FILE *f;
	safe_name(safe, sizeof(safe), code);
	snprintf(path, sizeof(path), "%s/csv/%s_%s_%s.csv", x->dir, kind, safe, pdim_ids[d]);
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

static void csv_counts(struct csv_out *x, const struct wp_year *y, const char *kind, const char *code,
		       int d, const struct colink_sup_table *t)
{
	FILE *f = csv_open(x, kind, code, d);
	size_t i, j, c;
	if (!f)
		return;
	fprintf(f, "fiscal_year,%s,男,女,計\n", pdim_heads[d]);
	for (i = 0; i <= t->rows; i++) {
		fprintf(f, "%d,", y->fy);
		colink_csv_field(f, row_label(y, d, i));
		for (j = 0; j <= 2; j++) {
			c = COLINK_SUP_AT(t, i, j);
			if (t->state[c])
				fputs(",*", f);
			else
				fprintf(f, ",%ld", t->v[c]);
			x->res->suppressed += t->state[c] != 0;
		}
		fputc('\n', f);
	}
	csv_close(x, f);
}

static void csv_rates(struct csv_out *x, const struct wp_year *y, const char *kind, const char *code,
		      int d, const struct colink_sup_table *num, const struct colink_sup_table *den, long k)
{
	FILE *f = csv_open(x, kind, code, d);
	size_t i, j;
	double pct;
	if (!f)
		return;
	fprintf(f, "fiscal_year,%s,男(%%),女(%%),計(%%)\n", pdim_heads[d]);
	for (i = 0; i <= num->rows; i++) {
		fprintf(f, "%d,", y->fy);
		colink_csv_field(f, row_label(y, d, i));
		for (j = 0; j <= 2; j++)
			if (wp_rate(num, den, COLINK_SUP_AT(num, i, j), k, &pct))
				fprintf(f, ",%.1f", pct);
			else
				fputs(",*", f);
		fputc('\n', f);
	}
	csv_close(x, f);
}

int wp_part_csv(const struct wp_year *y, const struct colink_wp_opts *o, const char *dir,
		struct colink_wp_result *res, struct colink_error *err)
{
	struct csv_out x = { dir, res, err, 0 };
	size_t i;
	int d;
	for (i = 0; y->part && i < y->part->n; i++) {
		const struct wp_prog *p = &y->part->p[i];
		for (d = 0; d < NPD; d++) {
			const struct colink_sup_table *head = &y->sets[WP_HEAD].t[pdims[d]];
			csv_counts(&x, y, "participants", p->code, d, &p->part[d]);
			csv_counts(&x, y, "completers", p->code, d, &p->done[d]);
			csv_rates(&x, y, "participation_rate", p->code, d, &p->part[d], head, o->k);
			csv_rates(&x, y, "completion_rate", p->code, d, &p->done[d], &p->part[d], o->k);
		}
	}
	return x.failed ? COLINK_EIO : COLINK_OK;
}

static void td_count(FILE *f, const struct colink_sup_table *t, size_t c)
{
	if (t->state[c])
		fputs("<td class=\"sup\">" DASH "</td>", f);
	else
		fprintf(f, "<td>%ld</td>", t->v[c]);
}

static void td_rate(FILE *f, const struct colink_sup_table *num, const struct colink_sup_table *den,
		    size_t c, long k)
{
	double pct;
	if (wp_rate(num, den, c, k, &pct))
		fprintf(f, "<td>%.1f</td>", pct);
	else
		fputs("<td class=\"sup\">" DASH "</td>", f);
}

void wp_part_html(FILE *f, const struct wp_year *y, const struct colink_wp_opts *o)
{
	size_t i, r;
	int d;
	if (!o->participation_allowed)
		return;
	fputs("<section id=\"other\"><h2>■⑤ その他: 健康施策への参加</h2>\n", f);
	if (!y->part || !y->part->n) {
		fputs("<p>本年度の健康施策（ウォーキングイベント、健康セミナー、給食改善、禁煙治療補助）の参加記録はありません。</p>"
		      "</section>\n", f);
		return;
	}
	for (d = 0; d < NPD; d++) {
		const struct colink_sup_table *head = &y->sets[WP_HEAD].t[pdims[d]];
		fprintf(f, "<h3>%s別 参加率・修了率（男女計）</h3>\n<table class=\"participation\"><tr><th rowspan=\"2\">%s</th>",
			pdim_heads[d], pdim_heads[d]);
		for (i = 0; i < y->part->n; i++) {
			fputs("<th colspan=\"3\">", f);
			colink_html_escape(f, y->part->p[i].label);
			fputs("</th>", f);
		}
		fputs("</tr>\n<tr>", f);
		for (i = 0; i < y->part->n; i++)
			fputs("<th>参加者数</th><th>参加率(%)</th><th>修了率(%)</th>", f);
		fputs("</tr>\n", f);
		for (r = 0; r <= head->rows; r++) {
			fputs("<tr><th>", f);
			colink_html_escape(f, row_label(y, d, r));
			fputs("</th>", f);
			for (i = 0; i < y->part->n; i++) {
				const struct wp_prog *p = &y->part->p[i];
				size_t c = COLINK_SUP_AT(head, r, 2);
				td_count(f, &p->part[d], c);
				td_rate(f, &p->part[d], head, c, o->k);
				td_rate(f, &p->done[d], &p->part[d], c, o->k);
			}
			fputs("</tr>\n", f);
		}
		fputs("</table>\n", f);
	}
	fprintf(f, "<p class=\"note\">参加者数: 年度中に参加した在籍者の実人数（同じ施策に複数回参加しても1人）。"
		"参加率 = 参加者数 ÷ 在籍者数（全従業員を対象とする施策として）。修了率 = 修了者数 ÷ 参加者数。"
		"参加・修了の人数は健康に関わる情報（禁煙治療補助の参加は喫煙を示す）として、"
		"在籍者数・参加者数との差も含めて%ld人未満が分からないよう秘匿します。"
		"性別の内訳は CSV（csv/participants_*.csv ほか）にあります。</p>\n</section>\n", o->k);
}
