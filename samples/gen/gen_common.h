/*
 * gen_common.h -- what the parts of colink-gen share.
 *
 *   gen_common.c  the person model: PRNG streams, names, 保険者番号 check
 *                 digits, dates, value distributions (person_make, exam_make)
 *   gen_csv.c     the two vendor CSV layouts and truth.tsv
 *   gen_xml.c     the MHLW standard XML archive (ix08 + DATA/h*.xml)
 *   gen_employer.c the employer's roster and monthly attendance (--employer)
 *   gen_uke.c     the association's claims, UKE files 医科 and 調剤 (--uke)
 *   colink-gen.c  command line and the main loop over persons
 *
 * Determinism contract: person k depends only on (seed, k), through
 * per-person splitmix64 streams (rng_for).  Stream 0 is the person's
 * identity and traits, stream 1 the exam vendor A reports (and the XML
 * archive too), stream 2 vendor B's exam, stream 3 the XML sender's
 * habits and the questionnaire items the CSVs do not carry, stream 4 the
 * person's employment (roster row), stream 5 their attendance months and
 * stream 6 their claims (--uke).  A writer
 * never draws from another writer's stream, so adding or leaving out an
 * output never changes the bytes of another.
 */
#ifndef COLINK_GEN_COMMON_H
#define COLINK_GEN_COMMON_H

#include <stddef.h>
#include <stdint.h>

#define MAX_PERSONS 100000000ULL /* card numbers stay 9 digits or fewer */

#define COUNT(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

/* ------------------------------------------------------------------ */
/* Random numbers: splitmix64, one stream per (seed, person, purpose)   */
/* ------------------------------------------------------------------ */

struct rng {
	uint64_t s;
};

static inline uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t rng_next(struct rng *r)
{
	r->s += 0x9e3779b97f4a7c15ULL;
	return mix64(r->s);
}

/* Stream `stream` (0..7) of person `person`; see the contract above. */
static inline struct rng rng_for(uint64_t seed, uint64_t person, uint64_t stream)
{
	struct rng r = {mix64(seed ^ mix64(person * 8 + stream))};
	return r;
}

static inline double uniform(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

static inline int chance(struct rng *r, double p)
{
	return uniform(r) < p;
}

/* 0 <= result < n, without modulo bias worth worrying about (n is small). */
static inline uint32_t pick(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * n) >> 32);
}

/*
 * Standard normal, approximately: the sum of four 16-bit uniforms from one
 * draw (Irwin-Hall), scaled to unit variance.  Tails stop at +-3.46, which
 * is fine: every value is clipped to a plausible range anyway.
 */
static inline double normal(struct rng *r)
{
	uint64_t x = rng_next(r);
	double sum = (double)(x & 0xffff) + (double)((x >> 16) & 0xffff) +
		     (double)((x >> 32) & 0xffff) + (double)(x >> 48);
	return (sum - 131070.0) / 37837.23;
}

/* ------------------------------------------------------------------ */
/* The person model (gen_common.c)                                      */
/* ------------------------------------------------------------------ */

struct ymd {
	int y, m, d;
};

enum wareki_style {
	WAREKI_LETTER,   /* S45.05.15 (JIS X 0301) */
	WAREKI_KANJI,    /* 昭和45年5月15日, 令和元年10月1日 */
	WAREKI_UNPADDED, /* S45.5.15 */
};

struct name {
	const char *kanji, *kana, *hkana;
};

/* Result cells that are not numbers.  Real values are always >= 0. */
enum {
	V_BLANK = -1,        /* empty cell; no observation in XML */
	V_NOT_DONE = -2,     /* 未実施; negationInd="true" in XML */
	V_UNMEASURABLE = -3, /* 測定不能; nullFlavor="NI" in XML */
};

/* Who a person is and the traits their exams scatter around (stream 0). */
struct person {
	uint64_t no; /* 1-based; also the card number, hence unique cards */
	int male;
	struct ymd birth;
	const struct name *sur, *given; /* static tables, never freed */
	int insurer, symbol, branch, org; /* indexes for gen_insurer/gen_org */
	int in_a, in_b;
	struct ymd exam_a, exam_b;
	/* vendor B habits for this person's row */
	int b_birth_style, b_exam_style, b_unpadded, b_wide, b_bare_dip;
	/* traits */
	double height, bmi, sbp, dbp, tg, hdl, ldl, ast, alt, ggt, fpg, creat, hb;
	int creat_measured, med_bp, med_glu, med_lip, smoke;
};

/* One exam's results, in the units the CSVs print (see the comments). */
struct exam {
	struct ymd date;
	int age;
	int height, weight, bmi, waist;   /* tenths */
	int sbp1, sbp2, dbp1, dbp2;       /* mmHg */
	int timing;                       /* 2 fasting, 3 casual, 4 just after a meal */
	int tg, hdl, ldl, non_hdl;        /* mg/dL */
	int ast, alt, ggt, fpg, glucose;  /* U/L, mg/dL; glucose = casual */
	int hba1c;                        /* tenths of % */
	int uglu, upro;                   /* dipstick code 1-5 */
	int creat;                        /* hundredths of mg/dL */
	int egfr, hb;                     /* tenths */
};

/* Fill the insurer table and check the check-digit rule; call once first. */
void gen_init(void);

/* 保険者番号 (8 digits) of insurer index i (struct person's `insurer`); static storage. */
const char *gen_insurer(int i);

/* 健診機関番号 (10 digits) of organisation index i (struct person's `org`); static storage. */
const char *gen_org(int i);

/* Person `no` (1-based) of `seed`. */
void person_make(struct person *p, uint64_t seed, uint64_t no);

/* Exam k (1 = vendor A's, 2 = vendor B's) on `date`, from stream k. */
void exam_make(struct exam *e, const struct person *p, uint64_t seed, uint64_t k,
	       struct ymd date);

/* ------------------------------------------------------------------ */
/* Writers.  Each reports its own errors on stderr (one line, naming the */
/* path) and returns -1; 0 on success.  Handles are malloc'd and freed  */
/* by the matching close, which accepts NULL.                           */
/* ------------------------------------------------------------------ */

struct gen_csv; /* gen_csv.c: vendor_a.csv, vendor_b.csv, truth.tsv */

/* Create the files in `dir` (which must exist); NULL after a reported error. */
struct gen_csv *gen_csv_open(const char *dir, uint64_t seed, uint64_t persons, int want_a,
			     int want_b);
/* Write person p's rows (if any) and their truth.tsv lines. */
int gen_csv_person(struct gen_csv *c, const struct person *p, uint64_t seed);
/* Flush, close and free; -1 if anything failed. */
int gen_csv_close(struct gen_csv *c);

struct gen_xml; /* gen_xml.c: DIR/<sender>_<receiver>_<date>0_1/ */

#define XML_MAX_PERSONS 99999999ULL /* ix08 totalRecordCount has 8 digits */

/*
 * Create the archive folder and its DATA/ under `dir` (created if missing);
 * refuses an archive folder that already exists, so no stale document from
 * a larger run can survive.  `persons` is the number of documents to come.
 */
struct gen_xml *gen_xml_open(const char *dir, uint64_t seed, uint64_t persons);
/* Write person p's document DATA/h….xml. */
int gen_xml_person(struct gen_xml *x, const struct person *p, uint64_t seed);
/* Write ix08_V08.xml when `complete` (every document written), then free. */
int gen_xml_close(struct gen_xml *x, int complete);

struct gen_alt; /* gen_alt.c: vendor A as fixed-width and .xlsx (colink-gen --fixed, --xlsx) */
/* DIR/vendor_a.dat (fixed) and/or DIR/vendor_a.xlsx (xlsx); NULL after reporting. */
struct gen_alt *gen_alt_open(const char *dir, int fixed, int xlsx);
/* One vendor_a.csv row (as written) into both; 0 or -1 after reporting. */
int gen_alt_row(struct gen_alt *a, const char *row, size_t len);
/* Trailer, zip, close; ok 0 leaves them incomplete.  NULL is fine. */
int gen_alt_close(struct gen_alt *a, int ok);
/* vendor_a rows of c also go to a (may be NULL). */
void gen_csv_set_alt(struct gen_csv *c, struct gen_alt *a);

struct gen_emp; /* gen_employer.c: roster.csv, attendance.csv (colink-gen --employer) */

/* Create DIR/roster.csv and DIR/attendance.csv (DIR must exist); NULL after a reported error.
 * With `corrupt` (--corrupt, #23) the roster carries the corruptions of
 * real files at set rates, recorded per row in DIR/roster_truth.tsv. */
struct gen_emp *gen_emp_open(const char *dir, int corrupt);
/* A surname of the generator's table (a married name, #23). */
const struct name *gen_surname(struct rng *r);
/* Write person p's roster row and 12 attendance months, if p is an employee. */
int gen_emp_person(struct gen_emp *e, const struct person *p, uint64_t seed);
/* Flush, close and free; -1 if anything failed.  Accepts NULL. */
int gen_emp_close(struct gen_emp *e);

struct gen_uke; /* gen_uke.c: ika.uke, chozai.uke (colink-gen --uke) */

/* Create DIR/ika.uke and DIR/chozai.uke (DIR must exist); NULL after a reported error. */
struct gen_uke *gen_uke_open(const char *dir);
/* Write person p's claims of FY2024 (none for a person who saw no doctor). */
int gen_uke_person(struct gen_uke *u, const struct person *p, uint64_t seed);
/* Write the GO records, close and free; -1 if anything failed.  Accepts NULL. */
int gen_uke_close(struct gen_uke *u);

/* mkdir unless `dir` is already a directory; -1 after a reported error. */
int gen_make_dir(const char *dir);

/* "dir/name" in a malloc'd string, or NULL. */
char *gen_join_path(const char *dir, const char *name);

/* Report errno for `path` on stderr; returns -1. */
int gen_fail_io(const char *path);

#endif
