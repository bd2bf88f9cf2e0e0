/*
 * gen_employer.c -- the employer's side for colink-gen --employer:
 *
 *   roster.csv      UTF-8, LF; the layout of mappings/employer/roster.xml
 *                   (社員マスタ): ~90% of persons are employees
 *   attendance.csv  UTF-8, LF; the freee layout of
 *                   mappings/employer/attendance_freee.xml, 12 months
 *                   (FY2024: 2024-04 .. 2025-03) per employee
 *
 * Linkage cases (what the job's passes should find):
 *   - the roster carries the person's own card (保険者番号, 記号, 番号, 枝番),
 *     so pass 1 (card) links an employee who has a checkup row;
 *   - ~3% of employees have a card typo (枝番 typed "01" for "00" and the
 *     like): no card anywhere matches, since 番号 is unique per person, so
 *     only pass 2 (kana, birth date, sex within the insurer) can link them;
 *   - ~20% of rows carry 保険者番号 without its leading zero (7 digits) and
 *     ~10% a full-width space between surname and given name: the default
 *     normalization folds both, so they link like the others.
 *
 * Determinism: stream 4 of the person is the employment (is an employee,
 * site, job type, hire date, typos), stream 5 the attendance months.  No
 * other writer draws from them, so --employer never changes the vendor
 * files, truth.tsv or the XML, and the same seed gives the same bytes.
 * Memory is constant in N.
 */
#include "gen_common.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char ROSTER_HEADER[] = "社員番号,漢字氏名,カナ氏名,生年月日,性別,事業所,職種,"
				    "保険者番号,記号,番号,枝番,入社日,退職日\n";
static const char ATT_HEADER[] =
	"employee_num,target_date,work_days,total_overtime_except_normal_work_mins,"
	"num_paid_holidays,num_absences,sick_leave_days\n";

static const char *const SITES[] = {"S01", "S02", "S03"};
static const char *const JOBS[] = {"管理", "事務", "営業", "技術", "研究開発", "製造"};

struct gen_emp {
	char *roster_path, *att_path, *truth_path; /* owned */
	FILE *roster, *att, *truth;                /* truth: --corrupt only */
	uint64_t employees, months;
	int corrupt;
};

static int emp_open_file(const char *dir, const char *name, char **path, FILE **f)
{
	*path = gen_join_path(dir, name);
	if (!*path)
		return gen_fail_io(name);
	*f = fopen(*path, "wb");
	if (!*f)
		return gen_fail_io(*path);
	setvbuf(*f, NULL, _IOFBF, 1 << 20);
	return 0;
}

struct gen_emp *gen_emp_open(const char *dir, int corrupt)
{
	struct gen_emp *e = calloc(1, sizeof *e);
	if (!e) {
		gen_fail_io(dir);
		return NULL;
	}
	if (emp_open_file(dir, "roster.csv", &e->roster_path, &e->roster) < 0 ||
	    emp_open_file(dir, "attendance.csv", &e->att_path, &e->att) < 0 ||
	    fputs(ROSTER_HEADER, e->roster) == EOF || fputs(ATT_HEADER, e->att) == EOF ||
	    (corrupt && (emp_open_file(dir, "roster_truth.tsv", &e->truth_path, &e->truth) < 0 ||
			 fputs("row\tperson\tcorruptions\n", e->truth) == EOF))) {
		gen_emp_close(e);
		return NULL;
	}
	e->corrupt = corrupt;
	return e;
}

/*
 * --corrupt (#23): what real rosters get wrong, from stream 7 (so the
 * other files never change), each independently per row:
 *   kana     a small kana typed large or ジ/ズ typed ヂ/ヅ (4%, when the
 *            name has one)
 *   symbol   記号 left empty (4%)
 *   swap     day and month of the birth date swapped (2%, when both <= 12
 *            and they differ)
 *   number   番号 typed with one digit wrong (4%)
 *   married  another surname (3% of women)
 * The row's corruptions go to roster_truth.tsv.
 */
struct spoil {
	char kana[2][64];       /* surname, given name */
	int y, m, d;
	char symbol[16], number[24];
	char what[64];
};

static void note(struct spoil *s, const char *w)
{
	size_t n = strlen(s->what);
	snprintf(s->what + n, sizeof(s->what) - n, "%s%s", n ? "," : "", w);
}

/* The first small kana made large, else the first ジ/ズ made ヂ/ヅ. */
static int kana_variant(char *k, size_t n)
{
	static const char *const from[] = {"ャ", "ュ", "ョ", "ッ", "ジ", "ズ"};
	static const char *const to[] = {"ヤ", "ユ", "ヨ", "ツ", "ヂ", "ヅ"};
	size_t i;
	for (i = 0; i < COUNT(from); i++) {
		char *at = strstr(k, from[i]), rest[64];
		if (!at)
			continue;
		snprintf(rest, sizeof(rest), "%s", at + strlen(from[i]));
		snprintf(at, n - (size_t)(at - k), "%s%s", to[i], rest);
		return 1;
	}
	return 0;
}

static void spoil(struct spoil *s, const struct person *p, struct rng *r, int corrupt)
{
	snprintf(s->kana[0], sizeof(s->kana[0]), "%s", p->sur->kana);
	snprintf(s->kana[1], sizeof(s->kana[1]), "%s", p->given->kana);
	s->y = p->birth.y;
	s->m = p->birth.m;
	s->d = p->birth.d;
	snprintf(s->symbol, sizeof(s->symbol), "%d", p->symbol);
	snprintf(s->number, sizeof(s->number), "%" PRIu64, p->no);
	s->what[0] = '\0';
	if (!corrupt)
		return;
	if (chance(r, 0.04) && (kana_variant(s->kana[0], sizeof(s->kana[0])) ||
				kana_variant(s->kana[1], sizeof(s->kana[1]))))
		note(s, "kana");
	if (chance(r, 0.04)) {
		s->symbol[0] = '\0';
		note(s, "symbol");
	}
	if (chance(r, 0.02) && s->d <= 12 && s->d != s->m) {
		int t = s->d;
		s->d = s->m;
		s->m = t;
		note(s, "swap");
	}
	if (chance(r, 0.04)) { /* a digit other than the last's neighbours' */
		size_t n = strlen(s->number), at = (size_t)pick(r, n);
		s->number[at] = (char)('0' + (s->number[at] - '0' + 1 + (int)pick(r, 9)) % 10);
		if (s->number[0] == '0')
			s->number[0] = '9';
		note(s, "number");
	}
	if (!p->male && chance(r, 0.03)) {
		const struct name *n = gen_surname(r);
		if (strcmp(n->kana, p->sur->kana)) {
			snprintf(s->kana[0], sizeof(s->kana[0]), "%s", n->kana);
			note(s, "married");
		}
	}
}

/* One roster row: identity as the HR system typed it. */
static int roster_row(struct gen_emp *e, const struct person *p, struct rng *r, struct rng *c)
{
	const char *insurer = gen_insurer(p->insurer);
	int site = (int)pick(r, COUNT(SITES)), job = (int)pick(r, COUNT(JOBS));
	int short_insurer = chance(r, 0.20), wide_space = chance(r, 0.10);
	int typo = chance(r, 0.03);
	int hire_age = 18 + (int)pick(r, 12);
	int hy = p->birth.y + hire_age;
	struct spoil s;
	if (hy > 2024)
		hy = 2024;
	int branch = typo ? (p->branch + 1 + (int)pick(r, 8)) % 100 : p->branch;
	/* a leading '0' of the 8-digit number dropped, as a spreadsheet does */
	if (short_insurer && insurer[0] == '0')
		insurer++;
	spoil(&s, p, c, e->corrupt);
	int n = fprintf(e->roster,
			"%08" PRIu64 ",%s%s%s,%s%s%s,%04d/%02d/%02d,%s,%s,%s,%s,%s,%s"
			",%02d,%04d/04/01,\n",
			p->no, p->sur->kanji, wide_space ? "　" : " ", p->given->kanji,
			s.kana[0], wide_space ? "　" : " ", s.kana[1], s.y,
			s.m, s.d, p->male ? "男" : "女", SITES[site], JOBS[job],
			insurer, s.symbol, s.number, branch, hy);
	if (n < 0)
		return gen_fail_io(e->roster_path);
	if (e->truth && fprintf(e->truth, "%" PRIu64 "\t%" PRIu64 "\t%s%s\n", e->employees,
				p->no, typo ? (s.what[0] ? "branch," : "branch") : "", s.what) < 0)
		return gen_fail_io(e->truth_path);
	return 0;
}

/* Twelve months of FY2024 from stream 5. */
static int attendance_rows(struct gen_emp *e, const struct person *p, uint64_t seed)
{
	struct rng r = rng_for(seed, p->no, 5);
	double load = uniform(&r); /* how much overtime this employee does */
	for (int k = 0; k < 12; k++) {
		int y = k < 9 ? 2024 : 2025, m = k < 9 ? k + 4 : k - 8;
		int sick = chance(&r, 0.04) ? 1 + (int)pick(&r, 3) : 0;
		int absent = chance(&r, 0.01) ? 1 : 0;
		int leave2 = (int)pick(&r, 5); /* half days: 0, 0.5, 1, 1.5, 2 */
		int work = 18 + (int)pick(&r, 5) - sick - absent - leave2 / 2;
		int ot = (int)(load * 3000.0 * uniform(&r));
		int n = fprintf(e->att, "%08" PRIu64 ",%04d-%02d,%d,%d,%d%s,%d,%d\n", p->no, y, m,
				work, ot, leave2 / 2, leave2 % 2 ? ".5" : "", absent, sick);
		if (n < 0)
			return gen_fail_io(e->att_path);
		e->months++;
	}
	return 0;
}

int gen_emp_person(struct gen_emp *e, const struct person *p, uint64_t seed)
{
	struct rng r = rng_for(seed, p->no, 4), c = rng_for(seed, p->no, 7);
	if (!chance(&r, 0.90))
		return 0; /* a dependant or someone else's employee: not in the roster */
	e->employees++;
	if (roster_row(e, p, &r, &c) < 0)
		return -1;
	return attendance_rows(e, p, seed);
}

int gen_emp_close(struct gen_emp *e)
{
	int rc = 0;
	if (!e)
		return 0;
	if (e->roster && fclose(e->roster) != 0)
		rc = gen_fail_io(e->roster_path);
	if (e->att && fclose(e->att) != 0)
		rc = gen_fail_io(e->att_path);
	if (e->truth && fclose(e->truth) != 0)
		rc = gen_fail_io(e->truth_path);
	free(e->truth_path);
	free(e->roster_path);
	free(e->att_path);
	free(e);
	return rc;
}
