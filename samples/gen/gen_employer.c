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
	char *roster_path, *att_path; /* owned */
	FILE *roster, *att;
	uint64_t employees, months;
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

struct gen_emp *gen_emp_open(const char *dir)
{
	struct gen_emp *e = calloc(1, sizeof *e);
	if (!e) {
		gen_fail_io(dir);
		return NULL;
	}
	if (emp_open_file(dir, "roster.csv", &e->roster_path, &e->roster) < 0 ||
	    emp_open_file(dir, "attendance.csv", &e->att_path, &e->att) < 0 ||
	    fputs(ROSTER_HEADER, e->roster) == EOF || fputs(ATT_HEADER, e->att) == EOF) {
		gen_emp_close(e);
		return NULL;
	}
	return e;
}

/* One roster row: identity as the HR system typed it. */
static int roster_row(struct gen_emp *e, const struct person *p, struct rng *r)
{
	const char *insurer = gen_insurer(p->insurer);
	int site = (int)pick(r, COUNT(SITES)), job = (int)pick(r, COUNT(JOBS));
	int short_insurer = chance(r, 0.20), wide_space = chance(r, 0.10);
	int typo = chance(r, 0.03);
	int hire_age = 18 + (int)pick(r, 12);
	int hy = p->birth.y + hire_age;
	if (hy > 2024)
		hy = 2024;
	int branch = typo ? (p->branch + 1 + (int)pick(r, 8)) % 100 : p->branch;
	/* a leading '0' of the 8-digit number dropped, as a spreadsheet does */
	if (short_insurer && insurer[0] == '0')
		insurer++;
	int n = fprintf(e->roster,
			"%08" PRIu64 ",%s%s%s,%s%s%s,%04d/%02d/%02d,%s,%s,%s,%s,%d,%" PRIu64
			",%02d,%04d/04/01,\n",
			p->no, p->sur->kanji, wide_space ? "　" : " ", p->given->kanji,
			p->sur->kana, wide_space ? "　" : " ", p->given->kana, p->birth.y,
			p->birth.m, p->birth.d, p->male ? "男" : "女", SITES[site], JOBS[job],
			insurer, p->symbol, p->no, branch, hy);
	if (n < 0)
		return gen_fail_io(e->roster_path);
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
	struct rng r = rng_for(seed, p->no, 4);
	if (!chance(&r, 0.90))
		return 0; /* a dependant or someone else's employee: not in the roster */
	e->employees++;
	if (roster_row(e, p, &r) < 0)
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
	free(e->roster_path);
	free(e->att_path);
	free(e);
	return rc;
}
