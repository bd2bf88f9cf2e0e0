/* stress.c -- see stress.h.  The rules are data; this file only applies them. */
#include "core/stress.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/util.h"

#define CHECK_FILE "rules/stress-check.tsv"
#define CONV_FILE "rules/stress-conversion.tsv"
#define TSV_MAX_BYTES (256 * 1024)
#define TSV_MAX_COLS 8
#define MAX_SUBS 32                               /* 尺度; the manual has 19 */
#define SUB_NAME_MAX 128                          /* bytes incl. NUL */
#define RAW_CAP (4 * COLINK_STRESS_NITEMS + 1)    /* 素点 0..228 */

/* ------------------------------------------------------------------ */
/* Rules                                                                */
/* ------------------------------------------------------------------ */

/* The scales in answer order: letter, item count, index of the first item. */
static const struct {
	char letter;
	int count;
	int first;
} scales[] = {{'a', 17, 0}, {'b', 29, 17}, {'c', 9, 46}, {'d', 2, 55}};

/* Threshold names as written in stress-check.tsv (the values live there). */
enum { T_TOTAL_B, T_TOTAL_AC, T_TOTAL_AC_B, T_CONV_B, T_CONV_AC, T_CONV_AC_B, NTHR };
static const char *const thr_names[NTHR] = {
	"total_b_min", "total_ac_min", "total_ac_b_min",
	"converted_b_max", "converted_ac_max", "converted_ac_b_max"};

struct sub {
	char name[SUB_NAME_MAX]; /* 尺度 name as in the file */
	char scale;              /* 'A'..'D' */
	int nitems;              /* items that belong to it */
	int line;                /* first line that named it */
	signed char pts[2][RAW_CAP]; /* 評価点 by [sex-1][素点]; 0 = no band */
};

struct item {
	int line;      /* 0 = not (yet) defined */
	int sub;       /* index into subs */
	int total_rev; /* 1: 合計点数 term is 5-x; -1: not scored (D) */
	int raw_rev;   /* 1: 素点 term is 5-x; -1: not scored (D) */
};

struct colink_stress_rules {
	struct item items[COLINK_STRESS_NITEMS];
	struct sub subs[MAX_SUBS];
	int nsubs;
	int thr[NTHR];      /* threshold values */
	int thr_line[NTHR]; /* 0 = missing */
	int has_conv;       /* 1 when stress-conversion.tsv was loaded, every cell decided */
	int undecided_line; /* first '?' row of stress-conversion.tsv, 0 = none */
	char conv_why[256]; /* why the converted method is unavailable */
};

/* ------------------------------------------------------------------ */
/* Small parsers                                                        */
/* ------------------------------------------------------------------ */

/* Strict decimal integer in [lo, hi]; 0 on success. */
static int parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v;
	if (!s[0] || s[0] == '+' || s[0] == ' ')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

/* "a01".."d02" -> answer index, or -1. */
static int item_index(const char *id)
{
	size_t i;
	int n;
	if (strlen(id) != 3 || id[1] < '0' || id[1] > '9' || id[2] < '0' || id[2] > '9')
		return -1;
	n = (id[1] - '0') * 10 + (id[2] - '0');
	for (i = 0; i < sizeof(scales) / sizeof(scales[0]); i++)
		if (id[0] == scales[i].letter && n >= 1 && n <= scales[i].count)
			return scales[i].first + n - 1;
	return -1;
}

/* Answer index -> scale letter (upper case) and the id "a01". */
static char item_scale(int idx, char name[4])
{
	size_t i;
	for (i = sizeof(scales) / sizeof(scales[0]); i-- > 0;)
		if (idx >= scales[i].first) {
			int k = idx - scales[i].first + 1; /* 1..29 */
			name[0] = scales[i].letter;
			name[1] = (char)('0' + k / 10);
			name[2] = (char)('0' + k % 10);
			name[3] = '\0';
			return (char)(scales[i].letter - 'a' + 'A');
		}
	name[0] = '\0';
	return '?';
}

/* "x" -> 0, "5-x" -> 1, "-" -> -1 (only allowed for scale D), else -2. */
static int parse_term(const char *s, char scale)
{
	if (!strcmp(s, "x"))
		return 0;
	if (!strcmp(s, "5-x"))
		return 1;
	if (!strcmp(s, "-") && scale == 'D')
		return -1;
	return -2;
}

/* ------------------------------------------------------------------ */
/* A tiny TSV reader: calls `row` for each non-comment, non-blank line  */
/* ------------------------------------------------------------------ */

typedef int (*row_fn)(struct colink_stress_rules *r, const char *file, int line,
		      char **cols, int ncols, struct colink_error *err);

/* Split one line in place into at most TSV_MAX_COLS columns. */
static int split_tabs(char *p, char **cols)
{
	int n = 0;
	for (;;) {
		char *t = strchr(p, '\t');
		cols[n++] = p;
		if (!t || n == TSV_MAX_COLS)
			return n;
		*t = '\0';
		p = t + 1;
	}
}

static int tsv_each(const char *path, row_fn row, struct colink_stress_rules *r,
		    struct colink_error *err)
{
	char *buf, *p, *cols[TSV_MAX_COLS];
	int line = 0, rc;

	rc = colink_read_small_file(path, TSV_MAX_BYTES, &buf, NULL, err);
	if (rc)
		return rc;
	p = buf;
	if (!strncmp(p, "\xEF\xBB\xBF", 3)) /* UTF-8 BOM from spreadsheet exports */
		p += 3;
	while (rc == COLINK_OK && p && *p) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		line++;
		if (nl && nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		if (*p && *p != '#')
			rc = row(r, path, line, cols, split_tabs(p, cols), err);
		p = nl ? nl + 1 : NULL;
	}
	colink_free(buf);
	return rc;
}

/* ------------------------------------------------------------------ */
/* stress-check.tsv                                                     */
/* ------------------------------------------------------------------ */

/* Find or add the 尺度 `name` of scale `scale`; index or a negative rc. */
static int sub_intern(struct colink_stress_rules *r, const char *name, char scale,
		      const char *file, int line, struct colink_error *err)
{
	int i;
	for (i = 0; i < r->nsubs; i++) {
		if (strcmp(r->subs[i].name, name))
			continue;
		if (r->subs[i].scale != scale)
			return COLINK_ERR(err, COLINK_EINVAL,
					  "%s:%d: subscale '%s' is scale %c at line %d, not %c",
					  file, line, name, r->subs[i].scale, r->subs[i].line, scale);
		return i;
	}
	if (!name[0] || strlen(name) >= SUB_NAME_MAX)
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: subscale name empty or longer than %d bytes",
				  file, line, SUB_NAME_MAX - 1);
	if (r->nsubs == MAX_SUBS)
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: more than %d subscales", file, line, MAX_SUBS);
	strcpy(r->subs[r->nsubs].name, name);
	r->subs[r->nsubs].scale = scale;
	r->subs[r->nsubs].line = line;
	return r->nsubs++;
}

/* item  id  scale  subscale  total_term  raw_term  text_ja */
static int item_row(struct colink_stress_rules *r, const char *file, int line,
		    char **c, int n, struct colink_error *err)
{
	char name[4];
	int idx, sub, trev, rrev;
	if (n < 7)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "%s:%d: item row needs 7 tab-separated columns, found %d", file, line, n);
	idx = item_index(c[1]);
	if (idx < 0)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "%s:%d: unknown item id '%s' (expected a01..a17, b01..b29, c01..c09, d01..d02)",
				  file, line, c[1]);
	if (r->items[idx].line)
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: item %s already defined at line %d",
				  file, line, c[1], r->items[idx].line);
	if (strlen(c[2]) != 1 || c[2][0] != item_scale(idx, name))
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: item %s must have scale %c",
				  file, line, c[1], item_scale(idx, name));
	trev = parse_term(c[4], c[2][0]);
	rrev = parse_term(c[5], c[2][0]);
	if (trev < -1 || rrev < -1 || (c[2][0] == 'D') != (trev == -1) || (trev == -1) != (rrev == -1))
		return COLINK_ERR(err, COLINK_EINVAL,
				  "%s:%d: item %s: terms must be 'x' or '5-x' (scale D: '-')",
				  file, line, c[1]);
	sub = sub_intern(r, c[3], c[2][0], file, line, err);
	if (sub < 0)
		return sub;
	r->subs[sub].nitems++;
	r->items[idx] = (struct item){line, sub, trev, rrev};
	return COLINK_OK;
}

/* threshold  name  value  [note] */
static int threshold_row(struct colink_stress_rules *r, const char *file, int line,
			 char **c, int n, struct colink_error *err)
{
	int t;
	if (n < 3)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "%s:%d: threshold row needs name and value columns", file, line);
	for (t = 0; t < NTHR && strcmp(thr_names[t], c[1]); t++)
		;
	if (t == NTHR)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "%s:%d: unknown threshold '%s' (valid: total_b_min, total_ac_min, "
				  "total_ac_b_min, converted_b_max, converted_ac_max, converted_ac_b_max)",
				  file, line, c[1]);
	if (r->thr_line[t])
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: threshold '%s' already set at line %d",
				  file, line, c[1], r->thr_line[t]);
	if (parse_int(c[2], 0, 4 * COLINK_STRESS_NITEMS, &r->thr[t]))
		return COLINK_ERR(err, COLINK_EINVAL,
				  "%s:%d: threshold '%s' is not an integer in 0..%d",
				  file, line, c[1], 4 * COLINK_STRESS_NITEMS);
	r->thr_line[t] = line;
	return COLINK_OK;
}

static int check_row(struct colink_stress_rules *r, const char *file, int line,
		     char **c, int n, struct colink_error *err)
{
	if (!strcmp(c[0], "item"))
		return item_row(r, file, line, c, n, err);
	if (!strcmp(c[0], "threshold"))
		return threshold_row(r, file, line, c, n, err);
	return COLINK_ERR(err, COLINK_EINVAL,
			  "%s:%d: unknown row kind '%s' (valid: item, threshold)", file, line, c[0]);
}

/* Every item and every threshold must be defined. */
static int check_complete(const struct colink_stress_rules *r, const char *file,
			  struct colink_error *err)
{
	char name[4];
	int i;
	for (i = 0; i < COLINK_STRESS_NITEMS; i++)
		if (!r->items[i].line) {
			item_scale(i, name);
			return COLINK_ERR(err, COLINK_EINVAL, "%s: item %s is missing", file, name);
		}
	for (i = 0; i < NTHR; i++)
		if (!r->thr_line[i])
			return COLINK_ERR(err, COLINK_EINVAL, "%s: threshold '%s' is missing",
					  file, thr_names[i]);
	return COLINK_OK;
}

/* ------------------------------------------------------------------ */
/* stress-conversion.tsv (素点換算表)                                   */
/* ------------------------------------------------------------------ */

/* subscale  sex  raw_min  raw_max  points */
static int conv_row(struct colink_stress_rules *r, const char *file, int line,
		    char **c, int n, struct colink_error *err)
{
	struct sub *s = NULL;
	int i, sex, lo, hi, pts = -1, v;
	if (n < 5)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "%s:%d: expected 5 tab-separated columns, found %d", file, line, n);
	for (i = 0; i < r->nsubs && !s; i++)
		if (!strcmp(r->subs[i].name, c[0]))
			s = &r->subs[i];
	if (!s || s->scale == 'D')
		return COLINK_ERR(err, COLINK_EINVAL,
				  "%s:%d: '%s' is not a subscale of scale A, B or C in " CHECK_FILE,
				  file, line, c[0]);
	if (parse_int(c[1], 1, 2, &sex))
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: sex must be 1 or 2", file, line);
	if (parse_int(c[2], s->nitems, 4 * s->nitems, &lo) ||
	    parse_int(c[3], lo, 4 * s->nitems, &hi))
		return COLINK_ERR(err, COLINK_EINVAL,
				  "%s:%d: raw_min..raw_max must lie in %d..%d for '%s' and not decrease",
				  file, line, s->nitems, 4 * s->nitems, s->name);
	if (strcmp(c[4], "?") && parse_int(c[4], 1, 5, &pts))
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: points must be 1..5 or '?'", file, line);
	if (pts < 0 && !r->undecided_line) { /* '?': the sources disagree on this cell */
		r->undecided_line = line;
		snprintf(r->conv_why, sizeof(r->conv_why),
			 CONV_FILE ":%d: 素点 %d..%d of '%s' sex %d is undecided ('?')",
			 line, lo, hi, s->name, sex);
	}
	for (v = lo; v <= hi; v++) {
		if (s->pts[sex - 1][v])
			return COLINK_ERR(err, COLINK_EINVAL,
					  "%s:%d: 素点 %d of '%s' sex %d is already in another band",
					  file, line, v, s->name, sex);
		s->pts[sex - 1][v] = (signed char)pts;
	}
	return COLINK_OK;
}

/* Every 尺度 of A/B/C, both sexes, every 素点 in [n, 4n]; '?' (-1) counts
 * as covered, it only keeps the method unavailable. */
static int conv_complete(const struct colink_stress_rules *r, const char *file,
			 struct colink_error *err)
{
	int i, sex, v;
	for (i = 0; i < r->nsubs; i++) {
		const struct sub *s = &r->subs[i];
		if (s->scale == 'D')
			continue;
		for (sex = 1; sex <= 2; sex++)
			for (v = s->nitems; v <= 4 * s->nitems; v++)
				if (!s->pts[sex - 1][v])
					return COLINK_ERR(err, COLINK_EINVAL,
							  "%s: subscale '%s' sex %d: 素点 %d has no band",
							  file, s->name, sex, v);
	}
	return COLINK_OK;
}

/* Absent file: the converted method stays unavailable, not an error. */
static int load_conversion(struct colink_stress_rules *r, const char *dir,
			   struct colink_error *err)
{
	char *path = colink_path_join(dir, CONV_FILE);
	int rc;
	if (!path)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	rc = tsv_each(path, conv_row, r, err);
	if (rc == COLINK_ENOTFOUND) {
		colink_error_clear(err);
		snprintf(r->conv_why, sizeof(r->conv_why), CONV_FILE " is not installed");
		rc = COLINK_OK;
	} else if (rc == COLINK_OK) {
		rc = conv_complete(r, path, err);
		r->has_conv = rc == COLINK_OK && !r->undecided_line;
	}
	colink_free(path);
	return rc;
}

int colink_stress_rules_load(struct colink_stress_rules **out, const char *dir,
			     struct colink_error *err)
{
	struct colink_stress_rules *r;
	char *path;
	int rc;

	*out = NULL;
	r = colink_calloc(1, sizeof(*r));
	path = colink_path_join(dir, CHECK_FILE);
	if (!r || !path) {
		rc = COLINK_ERR(err, COLINK_ENOMEM, "out of memory loading stress rules");
		goto out;
	}
	rc = tsv_each(path, check_row, r, err);
	if (rc == COLINK_OK)
		rc = check_complete(r, path, err);
	if (rc == COLINK_OK)
		rc = load_conversion(r, dir, err);
out:
	colink_free(path);
	if (rc) {
		colink_free(r);
		return rc;
	}
	*out = r;
	return COLINK_OK;
}

void colink_stress_rules_free(struct colink_stress_rules *r)
{
	colink_free(r);
}

int colink_stress_rules_has_conversion(const struct colink_stress_rules *r)
{
	return r && r->has_conv;
}

const char *colink_stress_rules_conversion_why(const struct colink_stress_rules *r)
{
	return r && !r->has_conv ? r->conv_why : NULL;
}

/* ------------------------------------------------------------------ */
/* Scoring                                                              */
/* ------------------------------------------------------------------ */

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void say(char *why, size_t wl, const char *fmt, ...)
{
	va_list ap;
	if (!why || !wl)
		return;
	va_start(ap, fmt);
	vsnprintf(why, wl, fmt, ap);
	va_end(ap);
}

/* Every A/B/C answer 1..4, D 0..4.  Names the first bad item, never its value. */
static int check_answers(const int *answers, char *why, size_t wl)
{
	char name[4];
	int i;
	for (i = 0; i < COLINK_STRESS_NITEMS; i++) {
		char scale = item_scale(i, name);
		if (answers[i] == 0 && scale != 'D') {
			say(why, wl, "item %s has no answer", name);
			return COLINK_REJECTED;
		}
		if (answers[i] < 0 || answers[i] > 4) {
			say(why, wl, "item %s: answer out of range 1..4", name);
			return COLINK_REJECTED;
		}
	}
	return COLINK_OK;
}

static int term(int answer, int rev)
{
	return rev == 1 ? 5 - answer : answer;
}

/* その1: sums of the total terms per scale. */
static void score_total(const struct colink_stress_rules *r, const int *answers,
			struct colink_stress_result *res)
{
	char name[4];
	int i;
	for (i = 0; i < COLINK_STRESS_NITEMS; i++) {
		int v = term(answers[i], r->items[i].total_rev);
		switch (item_scale(i, name)) {
		case 'A': res->score_a += v; break;
		case 'B': res->score_b += v; break;
		case 'C': res->score_c += v; break;
		default: break; /* D: not used for the decision */
		}
	}
	res->high = res->score_b >= r->thr[T_TOTAL_B] ||
		    (res->score_a + res->score_c >= r->thr[T_TOTAL_AC] &&
		     res->score_b >= r->thr[T_TOTAL_AC_B]);
}

/* その2: 素点 per 尺度, looked up in the table, 評価点 summed per scale. */
static void score_converted(const struct colink_stress_rules *r, const int *answers,
			    int sex, struct colink_stress_result *res)
{
	int raw[MAX_SUBS] = {0};
	int i;
	for (i = 0; i < COLINK_STRESS_NITEMS; i++)
		if (r->items[i].raw_rev >= 0)
			raw[r->items[i].sub] += term(answers[i], r->items[i].raw_rev);
	for (i = 0; i < r->nsubs; i++) {
		const struct sub *s = &r->subs[i];
		int p = s->scale == 'D' ? 0 : s->pts[sex - 1][raw[i]];
		if (s->scale == 'A')
			res->score_a += p;
		else if (s->scale == 'B')
			res->score_b += p;
		else if (s->scale == 'C')
			res->score_c += p;
	}
	res->high = res->score_b <= r->thr[T_CONV_B] ||
		    (res->score_a + res->score_c <= r->thr[T_CONV_AC] &&
		     res->score_b <= r->thr[T_CONV_AC_B]);
}

/* One line naming the criterion that decided (thresholds only, no answers). */
static void explain(const struct colink_stress_rules *r,
		    const struct colink_stress_result *res, char *why, size_t wl)
{
	int total = res->method == COLINK_STRESS_TOTAL;
	int b_only = total ? res->score_b >= r->thr[T_TOTAL_B]
			   : res->score_b <= r->thr[T_CONV_B];
	const char *op = total ? ">=" : "<=";
	if (!res->high)
		say(why, wl, "not high stress (%s method)", total ? "total" : "converted");
	else if (b_only)
		say(why, wl, "high stress: B %s %d (%s)", op, r->thr[total ? T_TOTAL_B : T_CONV_B],
		    thr_names[total ? T_TOTAL_B : T_CONV_B]);
	else
		say(why, wl, "high stress: A+C %s %d and B %s %d (%s, %s)", op,
		    r->thr[total ? T_TOTAL_AC : T_CONV_AC], op,
		    r->thr[total ? T_TOTAL_AC_B : T_CONV_AC_B],
		    thr_names[total ? T_TOTAL_AC : T_CONV_AC],
		    thr_names[total ? T_TOTAL_AC_B : T_CONV_AC_B]);
}

int colink_stress_score(const struct colink_stress_rules *r,
			const int answers[COLINK_STRESS_NITEMS], int sex,
			int method, struct colink_stress_result *res, char *why,
			size_t wl)
{
	int rc;
	say(why, wl, "%s", "");
	if (!r || !answers || !res ||
	    (method != COLINK_STRESS_TOTAL && method != COLINK_STRESS_CONVERTED)) {
		say(why, wl, "invalid argument to colink_stress_score (method %d)", method);
		return COLINK_EINVAL;
	}
	memset(res, 0, sizeof(*res));
	res->method = method;
	if (method == COLINK_STRESS_CONVERTED && !r->has_conv) {
		say(why, wl, "converted-score method unavailable: %s", r->conv_why);
		return COLINK_EINVAL;
	}
	rc = check_answers(answers, why, wl);
	if (rc)
		return rc;
	if (method == COLINK_STRESS_TOTAL) {
		score_total(r, answers, res);
	} else {
		if (sex != 1 && sex != 2) {
			say(why, wl, "sex unknown: the converted method has sex-specific tables");
			return COLINK_REJECTED;
		}
		score_converted(r, answers, sex, res);
	}
	explain(r, res, why, wl);
	return COLINK_OK;
}
