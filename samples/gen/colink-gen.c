/*
 * colink-gen -- deterministic synthetic checkup files in the two sample
 * vendor layouts (mappings/vendors/vendor_a.xml, vendor_b.xml).
 *
 *   colink-gen --persons N [--seed S] --out DIR [--only vendor_a,vendor_b]
 *
 * writes DIR/vendor_a.csv (UTF-8, LF, ISO dates, MHLW codes), DIR/vendor_b.csv
 * (CP932 through iconv, CRLF, every cell quoted, 和暦, full-width card
 * numbers, words for codes) and DIR/truth.tsv (which person each data row
 * belongs to, so tests can check that one person got one pseudonym).
 *
 * Everything is synthetic: insurer numbers are made up (with valid check
 * digits), names are drawn from short lists of common names, values from
 * clipped normal distributions with a few person-level correlations.
 *
 * Determinism: person k depends only on (seed, k).  Each person has its
 * own splitmix64 streams, so --only and --persons never change the rows a
 * person gets.  No libm: exp and log are computed here, so the output is
 * byte-identical on every platform with IEEE-754 doubles.
 *
 * Memory is constant in N: each row is formatted into a fixed buffer and
 * written at once.  Exit status: 0 ok, 1 I/O or conversion error, 2 bad
 * arguments.
 */
#include <errno.h>
#include <getopt.h>
#include <iconv.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_PERSONS 100000000ULL /* card numbers stay 9 digits or fewer */

/* ------------------------------------------------------------------ */
/* Random numbers: splitmix64, one stream per (seed, person, purpose)   */
/* ------------------------------------------------------------------ */

struct rng {
	uint64_t s;
};

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rng_next(struct rng *r)
{
	r->s += 0x9e3779b97f4a7c15ULL;
	return mix64(r->s);
}

/* Stream 0 holds a person's identity and traits; stream k >= 1 their k-th exam. */
static struct rng rng_for(uint64_t seed, uint64_t person, uint64_t stream)
{
	struct rng r = {mix64(seed ^ mix64(person * 8 + stream))};
	return r;
}

static double uniform(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

static int chance(struct rng *r, double p)
{
	return uniform(r) < p;
}

/* 0 <= result < n, without modulo bias worth worrying about (n is small). */
static uint32_t pick(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * n) >> 32);
}

/*
 * Standard normal, approximately: the sum of four 16-bit uniforms from one
 * draw (Irwin-Hall), scaled to unit variance.  Tails stop at +-3.46, which
 * is fine: every value is clipped to a plausible range anyway.
 */
static double normal(struct rng *r)
{
	uint64_t x = rng_next(r);
	double sum = (double)(x & 0xffff) + (double)((x >> 16) & 0xffff) +
		     (double)((x >> 32) & 0xffff) + (double)(x >> 48);
	return (sum - 131070.0) / 37837.23;
}

/* ------------------------------------------------------------------ */
/* Arithmetic without libm                                              */
/* ------------------------------------------------------------------ */

static const double LN2 = 0.69314718055994530942;

/* Natural log, x > 0: reduce to [1,2), then the atanh series. */
static double xlog(double x)
{
	int k = 0;
	while (x >= 2.0) {
		x *= 0.5;
		k++;
	}
	while (x < 1.0) {
		x *= 2.0;
		k--;
	}
	double t = (x - 1.0) / (x + 1.0), t2 = t * t, term = t, sum = 0.0;
	for (int i = 1; i < 40; i += 2) {
		sum += term / i;
		term *= t2;
	}
	return 2.0 * sum + k * LN2;
}

/* e^y for moderate |y| (< 700): y = k ln2 + r with |r| < ln2, Taylor on r. */
static double xexp(double y)
{
	int k = (int)(y / LN2);
	double r = y - k * LN2, term = 1.0, sum = 1.0;
	for (int i = 1; i < 17; i++) { /* ln2^17 / 17! < 1e-17 */
		term *= r / i;
		sum += term;
	}
	for (; k > 0; k--)
		sum *= 2.0;
	for (; k < 0; k++)
		sum *= 0.5;
	return sum;
}

static double clip(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

/* x rounded half away from zero to an integer count of 1/scale units. */
static int scaled(double x, int scale)
{
	double v = x * scale;
	return (int)(v >= 0 ? v + 0.5 : v - 0.5);
}

/* ------------------------------------------------------------------ */
/* Dates and 和暦                                                       */
/* ------------------------------------------------------------------ */

struct ymd {
	int y, m, d;
};

/* Days since 1970-01-01 (proleptic Gregorian; H. Hinnant's algorithm). */
static long days_from_civil(struct ymd c)
{
	int y = c.y - (c.m <= 2);
	long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153u * (unsigned)(c.m + (c.m > 2 ? -3 : 9)) + 2) / 5 + (unsigned)c.d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

static struct ymd civil_from_days(long z)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	struct ymd c;
	c.d = (int)(doy - (153 * mp + 2) / 5 + 1);
	c.m = (int)(mp < 10 ? mp + 3 : mp - 9);
	c.y = (int)(yoe + era * 400) + (c.m <= 2);
	return c;
}

static int age_at(struct ymd birth, struct ymd day)
{
	int a = day.y - birth.y;
	if (day.m < birth.m || (day.m == birth.m && day.d < birth.d))
		a--;
	return a;
}

/* Era starts (the first day of year 1), newest first. */
static const struct era {
	int start; /* yyyymmdd */
	char letter;
	const char *kanji;
} ERAS[] = {
	{20190501, 'R', "令和"}, {19890108, 'H', "平成"}, {19261225, 'S', "昭和"},
	{19120730, 'T', "大正"}, {18680125, 'M', "明治"},
};

enum wareki_style {
	WAREKI_LETTER,   /* S45.05.15 (JIS X 0301) */
	WAREKI_KANJI,    /* 昭和45年5月15日, 令和元年10月1日 */
	WAREKI_UNPADDED, /* S45.5.15 */
};

/* ------------------------------------------------------------------ */
/* 保険者番号                                                           */
/* ------------------------------------------------------------------ */

/*
 * Check digit of an 8-digit 保険者番号 from its first 7 digits: weights
 * 2,1,2,1,2,1,2 from the left (2 on the digit next to the check digit),
 * add the digits of each product, check = (10 - sum % 10) % 10.
 * 06139992, 01130012 and 00280081 are valid (checked in main at start-up).
 */
static int insurer_check_digit(const char *first7)
{
	int sum = 0;
	for (int i = 0; i < 7; i++) {
		int p = (first7[i] - '0') * (i % 2 == 0 ? 2 : 1);
		sum += p / 10 + p % 10;
	}
	return (10 - sum % 10) % 10;
}

/* Fictional 健康保険組合 numbers (法別 06, 東京 13 / 大阪 27); check digit added at start-up. */
static const char *const INSURER_BASES[] = {
	"0613999", "0613998", "0613997", "0627999", "0627998", "0614999",
};
#define N_INSURERS (sizeof INSURER_BASES / sizeof INSURER_BASES[0])
static char insurers[N_INSURERS][9];

/* Fictional 健診機関番号 (10 digits). */
static const char *const ORGS[] = {"1311234567", "1311234575", "2711234561"};

/* ------------------------------------------------------------------ */
/* Names: kanji, katakana, half-width katakana                          */
/* ------------------------------------------------------------------ */

struct name {
	const char *kanji, *kana, *hkana;
};

/* 髙 and 﨑 appear now and then: they exist only in CP932's extensions. */
static const struct name SURNAMES[] = {
	{"佐藤", "サトウ", "ｻﾄｳ"}, {"鈴木", "スズキ", "ｽｽﾞｷ"}, {"髙橋", "タカハシ", "ﾀｶﾊｼ"},
	{"田中", "タナカ", "ﾀﾅｶ"}, {"伊藤", "イトウ", "ｲﾄｳ"}, {"渡辺", "ワタナベ", "ﾜﾀﾅﾍﾞ"},
	{"山本", "ヤマモト", "ﾔﾏﾓﾄ"}, {"中村", "ナカムラ", "ﾅｶﾑﾗ"}, {"小林", "コバヤシ", "ｺﾊﾞﾔｼ"},
	{"加藤", "カトウ", "ｶﾄｳ"}, {"吉田", "ヨシダ", "ﾖｼﾀﾞ"}, {"山田", "ヤマダ", "ﾔﾏﾀﾞ"},
	{"佐々木", "ササキ", "ｻｻｷ"}, {"山口", "ヤマグチ", "ﾔﾏｸﾞﾁ"}, {"松本", "マツモト", "ﾏﾂﾓﾄ"},
	{"井上", "イノウエ", "ｲﾉｳｴ"}, {"木村", "キムラ", "ｷﾑﾗ"}, {"林", "ハヤシ", "ﾊﾔｼ"},
	{"清水", "シミズ", "ｼﾐｽﾞ"}, {"山﨑", "ヤマザキ", "ﾔﾏｻﾞｷ"}, {"森", "モリ", "ﾓﾘ"},
	{"池田", "イケダ", "ｲｹﾀﾞ"}, {"橋本", "ハシモト", "ﾊｼﾓﾄ"}, {"宮﨑", "ミヤザキ", "ﾐﾔｻﾞｷ"},
	{"石川", "イシカワ", "ｲｼｶﾜ"}, {"前田", "マエダ", "ﾏｴﾀﾞ"}, {"藤田", "フジタ", "ﾌｼﾞﾀ"},
	{"後藤", "ゴトウ", "ｺﾞﾄｳ"}, {"岡田", "オカダ", "ｵｶﾀﾞ"}, {"長谷川", "ハセガワ", "ﾊｾｶﾞﾜ"},
	{"村上", "ムラカミ", "ﾑﾗｶﾐ"}, {"髙田", "タカダ", "ﾀｶﾀﾞ"},
};

static const struct name MALE_NAMES[] = {
	{"一郎", "イチロウ", "ｲﾁﾛｳ"}, {"健太", "ケンタ", "ｹﾝﾀ"}, {"大輔", "ダイスケ", "ﾀﾞｲｽｹ"},
	{"翔", "ショウ", "ｼｮｳ"}, {"誠", "マコト", "ﾏｺﾄ"}, {"浩", "ヒロシ", "ﾋﾛｼ"},
	{"隆", "タカシ", "ﾀｶｼ"}, {"剛", "ツヨシ", "ﾂﾖｼ"}, {"拓也", "タクヤ", "ﾀｸﾔ"},
	{"直樹", "ナオキ", "ﾅｵｷ"}, {"和也", "カズヤ", "ｶｽﾞﾔ"}, {"健一", "ケンイチ", "ｹﾝｲﾁ"},
	{"達也", "タツヤ", "ﾀﾂﾔ"}, {"亮", "リョウ", "ﾘｮｳ"}, {"修", "オサム", "ｵｻﾑ"},
	{"悠斗", "ユウト", "ﾕｳﾄ"},
};

static const struct name FEMALE_NAMES[] = {
	{"花子", "ハナコ", "ﾊﾅｺ"}, {"美咲", "ミサキ", "ﾐｻｷ"}, {"恵子", "ケイコ", "ｹｲｺ"},
	{"真由美", "マユミ", "ﾏﾕﾐ"}, {"陽子", "ヨウコ", "ﾖｳｺ"}, {"裕子", "ユウコ", "ﾕｳｺ"},
	{"直美", "ナオミ", "ﾅｵﾐ"}, {"愛", "アイ", "ｱｲ"}, {"由美", "ユミ", "ﾕﾐ"},
	{"明美", "アケミ", "ｱｹﾐ"}, {"さくら", "サクラ", "ｻｸﾗ"}, {"彩", "アヤ", "ｱﾔ"},
	{"久美子", "クミコ", "ｸﾐｺ"}, {"智子", "トモコ", "ﾄﾓｺ"}, {"千尋", "チヒロ", "ﾁﾋﾛ"},
	{"典子", "ノリコ", "ﾉﾘｺ"},
};

#define COUNT(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

/* ------------------------------------------------------------------ */
/* The person model                                                     */
/* ------------------------------------------------------------------ */

/* Result cells that are not numbers.  Real values are always >= 0. */
enum {
	V_BLANK = -1,        /* empty cell */
	V_NOT_DONE = -2,     /* 未実施 */
	V_UNMEASURABLE = -3, /* 測定不能 */
};

/* Who a person is and the traits their exams scatter around (stream 0). */
struct person {
	uint64_t no; /* 1-based; also the card number, hence unique cards */
	int male;
	struct ymd birth;
	const struct name *sur, *given;
	int insurer, symbol, branch, org;
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

static const struct ymd FY_START = {2024, 4, 1}; /* FY2024: 2024-04-01 .. 2025-03-31 */

static void person_identity(struct person *p, struct rng *r)
{
	p->male = chance(r, 0.55);
	p->birth = civil_from_days(days_from_civil((struct ymd){1950, 1, 1}) +
				   (long)pick(r, 51 * 365 + 13)); /* 1950-01-01 .. 2000-12-31 */
	p->sur = &SURNAMES[pick(r, COUNT(SURNAMES))];
	p->given = p->male ? &MALE_NAMES[pick(r, COUNT(MALE_NAMES))]
			   : &FEMALE_NAMES[pick(r, COUNT(FEMALE_NAMES))];
	p->insurer = (int)pick(r, N_INSURERS);
	p->symbol = 10 + (int)pick(r, 90);
	p->branch = chance(r, 0.85) ? 0 : 1 + (int)pick(r, 3);
	p->org = (int)pick(r, COUNT(ORGS));
	/* ~60% vendor A only or A+B, ~40% B only; 1/12 of A (5% of all) also in B */
	p->in_a = chance(r, 0.60);
	p->in_b = !p->in_a || chance(r, 1.0 / 12.0);
	long fy0 = days_from_civil(FY_START);
	p->exam_a = civil_from_days(fy0 + (long)pick(r, 365));
	p->exam_b = p->in_a ? civil_from_days(days_from_civil(p->exam_a) + 14 + (long)pick(r, 167))
			    : civil_from_days(fy0 + (long)pick(r, 365));
	double u = uniform(r);
	p->b_birth_style = u < 0.5 ? WAREKI_LETTER : u < 0.8 ? WAREKI_KANJI : WAREKI_UNPADDED;
	p->b_exam_style = chance(r, 0.8) ? WAREKI_LETTER : WAREKI_KANJI;
	p->b_unpadded = chance(r, 0.4);
	p->b_wide = chance(r, 0.1);
	p->b_bare_dip = chance(r, 0.2);
}

/* Traits, loosely correlated through BMI and age as in real populations. */
static void person_traits(struct person *p, struct rng *r)
{
	double age = 2024 - p->birth.y, m = p->male, dz = 0;
	p->height = m ? clip(171 + 5.8 * normal(r), 145, 200) : clip(158 + 5.4 * normal(r), 135, 185);
	p->bmi = clip((m ? 23.8 : 22.0) + 3.5 * normal(r), 15, 45);
	double fat = p->bmi - 22;
	p->sbp = clip(100 + 0.45 * age + 1.4 * fat + 5 * m + 12 * normal(r), 85, 220);
	p->dbp = clip(0.55 * p->sbp + 3 + 7 * normal(r), 45, 135);
	p->tg = (m ? 110 : 80) * xexp(0.04 * fat + 0.5 * normal(r));
	if (chance(r, 0.01))
		p->tg *= 2 + 8 * uniform(r); /* hypertriglyceridaemia: TG >= 1,000 now and then */
	p->tg = clip(p->tg, 20, 3000);
	p->hdl = clip((m ? 55 : 68) - 1.2 * fat + 12 * normal(r), 20, 150);
	p->ldl = clip(118 + 0.3 * (age - 45) + 2 * fat + 28 * normal(r), 40, 320);
	p->ast = clip((m ? 23 : 19) * xexp(0.02 * fat + 0.25 * normal(r)), 6, 2000);
	p->alt = clip((m ? 24 : 15) * xexp(0.04 * fat + 0.45 * normal(r)), 2, 2000);
	p->ggt = (m ? 35 : 20) * xexp(0.6 * normal(r));
	if (chance(r, 0.03))
		p->ggt *= 2 + 8 * uniform(r); /* heavy drinkers */
	p->ggt = clip(p->ggt, 3, 2000);
	if (chance(r, 0.06))
		dz = clip(45 + 20 * normal(r), 10, 200); /* diabetes */
	p->fpg = clip(90 + 0.15 * (age - 45) + 1.2 * fat + 8 * normal(r) + dz, 65, 380);
	p->creat_measured = chance(r, 0.75);
	p->creat = clip((m ? 0.88 : 0.64) + 0.003 * (age - 45) + 0.12 * normal(r), 0.42, 8);
	p->hb = m ? clip(14.8 + normal(r), 6, 20) : clip(13.0 + normal(r), 6, 20);
	p->med_bp = chance(r, clip((age - 35) * 0.012 + (p->sbp > 150 ? 0.25 : 0), 0.01, 0.8)) ? 1 : 2;
	p->med_glu = chance(r, p->fpg > 126 ? 0.5 : 0.01) ? 1 : 2;
	p->med_lip = chance(r, clip(0.02 + (age - 40) * 0.004 + (p->ldl > 160 ? 0.2 : 0), 0.01, 0.6)) ? 1 : 2;
	double s = uniform(r);
	p->smoke = m ? (s < 0.27 ? 1 : s < 0.45 ? 2 : 3) : (s < 0.08 ? 1 : s < 0.15 ? 2 : 3);
}

static void person_make(struct person *p, uint64_t seed, uint64_t no)
{
	struct rng r = rng_for(seed, no, 0);
	memset(p, 0, sizeof *p);
	p->no = no;
	person_identity(p, &r);
	person_traits(p, &r);
}

/* Japanese eGFR (JSN 2008): 194 * Cr^-1.094 * age^-0.287 (* 0.739 female). */
static double egfr_jsn(double creat, int age, int male)
{
	double v = 194.0 * xexp(-1.094 * xlog(creat) - 0.287 * xlog(age < 18 ? 18 : age));
	return male ? v : v * 0.739;
}

static void exam_body(struct exam *e, const struct person *p, struct rng *r)
{
	double h = p->height + 0.3 * normal(r);
	double hm = h / 100.0;
	e->height = scaled(h, 10);
	e->weight = scaled(clip(p->bmi + 0.4 * normal(r), 15, 45) * hm * hm, 10);
	hm = e->height / 1000.0; /* BMI from the printed height and weight */
	e->bmi = scaled(e->weight / 10.0 / (hm * hm), 10);
	double w = p->male ? 2.45 * p->bmi + 24 : 2.3 * p->bmi + 27;
	e->waist = scaled(clip(w + 3.5 * normal(r), 50, 160), 10);
	if (e->age < 40 && chance(r, 0.25))
		e->waist = V_BLANK; /* may be omitted under 40 by the doctor's judgement */
	e->sbp1 = scaled(clip(p->sbp + 6 * normal(r), 80, 230), 1);
	e->sbp2 = scaled(clip(e->sbp1 - 2 + 4 * normal(r), 80, 230), 1);
	e->dbp1 = scaled(clip(p->dbp + 4 * normal(r), 40, 140), 1);
	e->dbp2 = scaled(clip(e->dbp1 - 1 + 3 * normal(r), 40, 140), 1);
}

static void exam_blood(struct exam *e, const struct person *p, struct rng *r)
{
	double u = uniform(r);
	e->timing = u < 0.85 ? 2 : u < 0.97 ? 3 : 4;
	double tg = clip(p->tg * xexp(0.2 * normal(r)), 20, 3000);
	e->tg = e->timing == 4 ? V_BLANK : scaled(tg, 1);
	e->hdl = scaled(clip(p->hdl + 3 * normal(r), 20, 150), 1);
	double ldl = clip(p->ldl + 6 * normal(r), 40, 320);
	e->non_hdl = scaled(clip(ldl + tg / 5 * (1 + 0.1 * normal(r)), 50, 950), 1);
	/* Non-HDL replaces LDL for non-fasting draws and TG >= 400 */
	e->ldl = (e->timing == 2 && tg < 400) ? scaled(ldl, 1) : V_BLANK;
	e->ast = scaled(clip(p->ast * xexp(0.1 * normal(r)), 3, 2000), 1);
	e->alt = scaled(clip(p->alt * xexp(0.15 * normal(r)), 1, 2000), 1);
	e->ggt = scaled(clip(p->ggt * xexp(0.1 * normal(r)), 2, 2000), 1);
	double fpg = clip(p->fpg + 5 * normal(r), 60, 400);
	e->fpg = e->timing == 2 ? scaled(fpg, 1) : V_BLANK;
	e->glucose = e->timing == 2 ? V_BLANK : scaled(clip(fpg + 25 + 15 * normal(r), 60, 500), 1);
	e->hba1c = scaled(clip(2.6 + 0.03 * p->fpg + 0.2 * normal(r), 4.0, 14.0), 10);
	e->hb = scaled(clip(p->hb + 0.3 * normal(r), 6, 20), 10);
}

static int dipstick(struct rng *r, double p2, double p3, double p4, double p5)
{
	double u = uniform(r);
	return u < p5 ? 5 : u < p5 + p4 ? 4 : u < p5 + p4 + p3 ? 3 : u < p5 + p4 + p3 + p2 ? 2 : 1;
}

static void exam_urine_kidney(struct exam *e, const struct person *p, struct rng *r)
{
	e->uglu = p->fpg > 180 ? dipstick(r, 0.2, 0.3, 0.2, 0.1) : dipstick(r, 0.02, 0.01, 0, 0);
	e->upro = dipstick(r, 0.08, 0.04, 0.015, 0.005);
	if (!p->creat_measured) {
		e->creat = e->egfr = V_BLANK;
		return;
	}
	double c = clip(p->creat + 0.04 * normal(r), 0.4, 8);
	e->creat = scaled(c, 100);
	e->egfr = scaled(clip(egfr_jsn(c, e->age, p->male), 1, 200), 10);
}

/* The odd cell vendors really send: 未実施 (~1%) and 測定不能 (~0.3%). */
static void exam_quirks(struct exam *e, struct rng *r)
{
	if (chance(r, 0.01)) {
		switch (pick(r, 3)) {
		case 0: e->upro = V_NOT_DONE; break;
		case 1: e->hba1c = V_NOT_DONE; break;
		default: e->creat = V_NOT_DONE; e->egfr = V_BLANK; break;
		}
	}
	if (chance(r, 0.003)) {
		if (e->ldl != V_BLANK)
			e->ldl = V_UNMEASURABLE;
		else
			e->hb = V_UNMEASURABLE;
	}
}

/* Exam k (1 = vendor A's, 2 = vendor B's) uses stream k of the person. */
static void exam_make(struct exam *e, const struct person *p, uint64_t seed, uint64_t k,
		      struct ymd date)
{
	struct rng r = rng_for(seed, p->no, k);
	memset(e, 0, sizeof *e);
	e->date = date;
	e->age = age_at(p->birth, date);
	exam_body(e, p, &r);
	exam_blood(e, p, &r);
	exam_urine_kidney(e, p, &r);
	exam_quirks(e, &r);
}

/* ------------------------------------------------------------------ */
/* Row formatting                                                       */
/* ------------------------------------------------------------------ */

#define ROW_MAX 2048 /* longest row is ~700 bytes; overflow is a bug, see put() */

struct row {
	char b[ROW_MAX];
	size_t len;
	int ncells;
	int quoted;    /* vendor B: every cell in double quotes */
	int wide;      /* write digits and '.' full-width */
	int thousands; /* group integers >= 1000 with ',' */
	const char *lt5; /* text for a result below 5 */
};

static void put(struct row *w, const char *s, size_t n)
{
	if (n > ROW_MAX - w->len) {
		fputs("colink-gen: internal error: row buffer too small\n", stderr);
		abort();
	}
	memcpy(w->b + w->len, s, n);
	w->len += n;
}

static void puts_(struct row *w, const char *s)
{
	put(w, s, strlen(s));
}

static void row_begin(struct row *w, int quoted, int wide, int thousands, const char *lt5)
{
	w->len = 0;
	w->ncells = 0;
	w->quoted = quoted;
	w->wide = wide;
	w->thousands = thousands;
	w->lt5 = lt5;
}

static void cell_open(struct row *w)
{
	if (w->ncells++)
		put(w, ",", 1);
	if (w->quoted)
		put(w, "\"", 1);
}

static void cell_close(struct row *w)
{
	if (w->quoted)
		put(w, "\"", 1);
}

/* "０".."９" are U+FF10..U+FF19: EF BC 90+d in UTF-8. */
static void put_digit(struct row *w, unsigned d, int wide)
{
	char c[3] = {(char)0xef, (char)0xbc, (char)(0x90 + d)};
	if (wide)
		put(w, c, 3);
	else {
		c[0] = (char)('0' + d);
		put(w, c, 1);
	}
}

/* Decimal v, zero-padded to `minwidth` digits, full-width when `wide`. */
static void put_num(struct row *w, uint64_t v, int minwidth, int wide)
{
	char d[24];
	int n = 0;
	do {
		d[n++] = (char)(v % 10);
		v /= 10;
	} while (v);
	while (n < minwidth && n < (int)sizeof d)
		d[n++] = 0;
	while (n--)
		put_digit(w, (unsigned)d[n], wide);
}

/* v / 10^dec with `dec` (0-2) decimals; "1,250" when the row groups thousands. */
static void put_fixed(struct row *w, int v, int dec)
{
	int div = dec == 2 ? 100 : dec == 1 ? 10 : 1, ip = v / div;
	if (w->thousands && !w->wide && ip >= 1000) {
		put_num(w, (uint64_t)(ip / 1000), 0, 0);
		put(w, ",", 1);
		put_num(w, (uint64_t)(ip % 1000), 3, 0);
	} else {
		put_num(w, (uint64_t)ip, 0, w->wide);
	}
	if (dec) {
		if (w->wide)
			puts_(w, "．");
		else
			put(w, ".", 1);
		put_num(w, (uint64_t)(v % div), dec, w->wide);
	}
}

static void cell_text(struct row *w, const char *s)
{
	cell_open(w);
	puts_(w, s);
	cell_close(w);
}

/* Two parts joined by `sep` (names: surname, space, given name). */
static void cell_pair(struct row *w, const char *a, const char *sep, const char *b)
{
	cell_open(w);
	puts_(w, a);
	puts_(w, sep);
	puts_(w, b);
	cell_close(w);
}

/* An identifier or code made of digits. */
static void cell_num(struct row *w, uint64_t v, int minwidth, int wide)
{
	cell_open(w);
	put_num(w, v, minwidth, wide);
	cell_close(w);
}

/* A result: a number, a blank, 未実施, 測定不能, or "<5" when `censor`. */
static void cell_value(struct row *w, int v, int dec, int censor)
{
	cell_open(w);
	if (v == V_NOT_DONE)
		puts_(w, "未実施");
	else if (v == V_UNMEASURABLE)
		puts_(w, "測定不能");
	else if (v >= 0 && censor && v < 5)
		puts_(w, w->lt5);
	else if (v >= 0)
		put_fixed(w, v, dec);
	cell_close(w);
}

static void cell_int(struct row *w, int v)
{
	cell_value(w, v, 0, 0);
}

static void cell_iso(struct row *w, struct ymd c)
{
	cell_open(w);
	put_num(w, (uint64_t)c.y, 4, 0);
	put(w, "-", 1);
	put_num(w, (uint64_t)c.m, 2, 0);
	put(w, "-", 1);
	put_num(w, (uint64_t)c.d, 2, 0);
	cell_close(w);
}

/* A date in 和暦, in one of the wareki_style spellings. */
static void cell_wareki(struct row *w, struct ymd c, int style)
{
	int key = c.y * 10000 + c.m * 100 + c.d, pad = style == WAREKI_LETTER ? 2 : 0;
	size_t i = 0;
	while (i + 1 < sizeof ERAS / sizeof ERAS[0] && key < ERAS[i].start)
		i++;
	int ey = c.y - ERAS[i].start / 10000 + 1;
	cell_open(w);
	if (style == WAREKI_KANJI) {
		puts_(w, ERAS[i].kanji);
		if (ey == 1)
			puts_(w, "元");
		else
			put_num(w, (uint64_t)ey, 0, 0);
		puts_(w, "年");
		put_num(w, (uint64_t)c.m, 0, 0);
		puts_(w, "月");
		put_num(w, (uint64_t)c.d, 0, 0);
		puts_(w, "日");
	} else {
		put(w, &ERAS[i].letter, 1);
		put_num(w, (uint64_t)ey, pad, 0);
		put(w, ".", 1);
		put_num(w, (uint64_t)c.m, pad, 0);
		put(w, ".", 1);
		put_num(w, (uint64_t)c.d, pad, 0);
	}
	cell_close(w);
}

/* ------------------------------------------------------------------ */
/* Vendor A: UTF-8, LF, ISO dates, MHLW codes                            */
/* ------------------------------------------------------------------ */

static const char HEADER_A[] =
	"保険者番号,被保険者証記号,被保険者証番号,枝番,氏名カナ,生年月日,性別,受診日,"
	"身長,体重,BMI,腹囲,収縮期血圧1,収縮期血圧2,拡張期血圧1,拡張期血圧2,採血時間,"
	"中性脂肪,随時中性脂肪,HDL,LDL,NonHDL,AST,ALT,γGT,空腹時血糖,HbA1c,尿糖,尿蛋白,"
	"クレアチニン,eGFR,服薬血圧,服薬血糖,服薬脂質,喫煙\n";

static void row_a_identity(struct row *w, const struct person *p, const struct exam *e)
{
	cell_text(w, insurers[p->insurer]);
	cell_num(w, (uint64_t)p->symbol, 0, 0);
	cell_num(w, p->no, 0, 0);
	cell_num(w, (uint64_t)p->branch, 2, 0);
	cell_pair(w, p->sur->kana, " ", p->given->kana);
	cell_iso(w, p->birth);
	cell_text(w, p->male ? "1" : "2");
	cell_iso(w, e->date);
}

static void row_a(struct row *w, const struct person *p, const struct exam *e)
{
	row_begin(w, 0, 0, 0, "<5");
	row_a_identity(w, p, e);
	cell_value(w, e->height, 1, 0);
	cell_value(w, e->weight, 1, 0);
	cell_value(w, e->bmi, 1, 0);
	cell_value(w, e->waist, 1, 0);
	cell_int(w, e->sbp1);
	cell_int(w, e->sbp2);
	cell_int(w, e->dbp1);
	cell_int(w, e->dbp2);
	cell_int(w, e->timing);
	cell_int(w, e->timing == 2 ? e->tg : V_BLANK);
	cell_int(w, e->timing == 3 ? e->tg : V_BLANK);
	cell_int(w, e->hdl);
	cell_int(w, e->ldl);
	cell_int(w, e->non_hdl);
	cell_value(w, e->ast, 0, 1);
	cell_value(w, e->alt, 0, 1);
	cell_value(w, e->ggt, 0, 1);
	cell_int(w, e->fpg);
	cell_value(w, e->hba1c, 1, 0);
	cell_int(w, e->uglu);
	cell_int(w, e->upro);
	cell_value(w, e->creat, 2, 0);
	cell_value(w, e->egfr, 1, 0);
	cell_int(w, p->med_bp);
	cell_int(w, p->med_glu);
	cell_int(w, p->med_lip);
	cell_int(w, p->smoke);
	put(w, "\n", 1);
}

/* ------------------------------------------------------------------ */
/* Vendor B: CP932, CRLF, quoted, 和暦, full-width card numbers, words    */
/* ------------------------------------------------------------------ */

static const char HEADER_B[] =
	"\"健診日\",\"実施機関番号\",\"カナ氏名\",\"漢字氏名\",\"性別\",\"生年月日\",\"保険者番号\","
	"\"記号\",\"番号\",\"枝番\",\"社員番号\",\"身長\",\"体重\",\"BMI\",\"腹囲\",\"血圧(収縮期)\","
	"\"血圧(拡張期)\",\"採血区分\",\"中性脂肪(空腹時)\",\"中性脂肪(随時)\",\"HDL-C\",\"LDL-C\","
	"\"non-HDL-C\",\"GOT\",\"GPT\",\"γ-GTP\",\"血糖(空腹時)\",\"血糖(随時)\",\"HbA1c(NGSP)\","
	"\"尿糖\",\"尿蛋白\",\"血清クレアチニン\",\"eGFR\",\"血色素量\",\"服薬(血圧)\",\"服薬(血糖)\","
	"\"服薬(脂質)\",\"喫煙\"\r\n";

static const char *const DIP_PAREN[] = {"", "(-)", "(±)", "(+)", "(2+)", "(3+)"};
static const char *const DIP_BARE[] = {"", "-", "±", "+", "2+", "3+"};
static const char *const TIMING_WORD[] = {"", "", "空腹時", "随時", "食直後"};
static const char *const SMOKE_WORD[] = {"", "はい", "以前は吸っていたが最近1か月は吸っていない", "いいえ"};

static void row_b_identity(struct row *w, const struct person *p, const struct exam *e)
{
	cell_wareki(w, e->date, p->b_exam_style);
	cell_text(w, ORGS[p->org]);
	cell_pair(w, p->sur->hkana, " ", p->given->hkana);
	cell_pair(w, p->sur->kanji, "\xe3\x80\x80", p->given->kanji); /* U+3000 */
	cell_text(w, p->male ? "男" : "女");
	cell_wareki(w, p->birth, p->b_birth_style);
	const char *ins = insurers[p->insurer];
	cell_text(w, p->b_unpadded && ins[0] == '0' ? ins + 1 : ins);
	cell_num(w, (uint64_t)p->symbol, 0, 1);
	cell_num(w, p->no, 0, 1);
	cell_num(w, (uint64_t)p->branch, 0, 0);
	/* 社員番号 for the insured employee only (枝番 0), full-width like the cards */
	if (p->branch == 0)
		cell_num(w, p->no, 7, 1);
	else
		cell_text(w, "");
}

/* A code written as a word; blanks and 未実施 as any other value. */
static void cell_word(struct row *w, const char *const *words, int code)
{
	if (code > 0)
		cell_text(w, words[code]);
	else
		cell_int(w, code);
}

static void row_b_coded(struct row *w, const struct person *p, const struct exam *e)
{
	const char *const *dip = p->b_bare_dip ? DIP_BARE : DIP_PAREN;
	cell_word(w, dip, e->uglu);
	cell_word(w, dip, e->upro);
	cell_value(w, e->creat, 2, 0);
	cell_value(w, e->egfr, 1, 0);
	cell_value(w, e->hb, 1, 0);
	cell_text(w, p->med_bp == 1 ? "はい" : "いいえ");
	cell_text(w, p->med_glu == 1 ? "はい" : "いいえ");
	cell_text(w, p->med_lip == 1 ? "はい" : "いいえ");
	cell_word(w, SMOKE_WORD, p->smoke);
}

static void row_b(struct row *w, const struct person *p, const struct exam *e)
{
	row_begin(w, 1, p->b_wide, 1, "＜５");
	row_b_identity(w, p, e);
	cell_value(w, e->height, 1, 0);
	cell_value(w, e->weight, 1, 0);
	cell_value(w, e->bmi, 1, 0);
	cell_value(w, e->waist, 1, 0);
	cell_int(w, e->sbp1); /* one reading: the その他 slot */
	cell_int(w, e->dbp1);
	cell_word(w, TIMING_WORD, e->timing);
	cell_int(w, e->timing == 2 ? e->tg : V_BLANK);
	cell_int(w, e->timing == 3 ? e->tg : V_BLANK);
	cell_int(w, e->hdl);
	cell_int(w, e->ldl);
	cell_int(w, e->non_hdl);
	cell_value(w, e->ast, 0, 1);
	cell_value(w, e->alt, 0, 1);
	cell_value(w, e->ggt, 0, 1);
	cell_int(w, e->fpg);
	cell_int(w, e->glucose);
	cell_value(w, e->hba1c, 1, 0);
	row_b_coded(w, p, e);
	put(w, "\r\n", 2);
}

/* ------------------------------------------------------------------ */
/* Output files                                                         */
/* ------------------------------------------------------------------ */

#define PEND_CAP (256 * 1024) /* UTF-8 waiting for iconv; CP932 is never longer */

struct out {
	const char *name; /* file name inside --out, e.g. "vendor_a.csv" */
	char *path;       /* owned */
	FILE *f;
	iconv_t cd;       /* (iconv_t)-1: write the UTF-8 as is */
	char *pend, *conv; /* owned, PEND_CAP each, only with cd */
	size_t plen;
	uint64_t rows;    /* data rows written so far */
};

static int fail_io(const char *path)
{
	fprintf(stderr, "colink-gen: %s: %s\n", path, strerror(errno));
	return -1;
}

/* Convert and write the pending UTF-8.  Input holds whole rows only. */
static int out_flush_pending(struct out *o)
{
	char *in = o->pend, *outp = o->conv;
	size_t inleft = o->plen, outleft = PEND_CAP;
	if (iconv(o->cd, &in, &inleft, &outp, &outleft) == (size_t)-1) {
		fprintf(stderr, "colink-gen: %s: cannot encode as CP932: %s\n", o->path,
			strerror(errno));
		return -1;
	}
	size_t n = PEND_CAP - outleft;
	o->plen = 0;
	if (fwrite(o->conv, 1, n, o->f) != n)
		return fail_io(o->path);
	return 0;
}

static int out_write(struct out *o, const char *s, size_t n)
{
	if (o->cd == (iconv_t)-1) {
		if (fwrite(s, 1, n, o->f) != n)
			return fail_io(o->path);
		return 0;
	}
	if (n > PEND_CAP - o->plen && out_flush_pending(o) < 0)
		return -1;
	memcpy(o->pend + o->plen, s, n);
	o->plen += n;
	return 0;
}

static char *join_path(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

/* Open DIR/name; with `cp932` rows are converted from UTF-8 on the way out. */
static int out_open(struct out *o, const char *dir, const char *name, int cp932)
{
	memset(o, 0, sizeof *o);
	o->name = name;
	o->cd = (iconv_t)-1;
	o->path = join_path(dir, name);
	if (!o->path)
		return fail_io(name);
	if (cp932) {
		o->cd = iconv_open("CP932", "UTF-8");
		o->pend = malloc(PEND_CAP);
		o->conv = malloc(PEND_CAP);
		if (o->cd == (iconv_t)-1 || !o->pend || !o->conv)
			return fail_io(o->path);
	}
	o->f = fopen(o->path, "wb");
	if (!o->f)
		return fail_io(o->path);
	setvbuf(o->f, NULL, _IOFBF, 1 << 20);
	return 0;
}

/* Flush and close; returns -1 after reporting if anything failed. */
static int out_close(struct out *o)
{
	int rc = 0;
	if (o->f && o->cd != (iconv_t)-1 && o->plen && out_flush_pending(o) < 0)
		rc = -1;
	if (o->f && fclose(o->f) != 0 && rc == 0)
		rc = fail_io(o->path);
	if (o->cd != (iconv_t)-1)
		iconv_close(o->cd);
	free(o->pend);
	free(o->conv);
	free(o->path);
	memset(o, 0, sizeof *o);
	o->cd = (iconv_t)-1;
	return rc;
}

/* ------------------------------------------------------------------ */
/* Command line                                                         */
/* ------------------------------------------------------------------ */

struct options {
	uint64_t persons, seed;
	const char *out;
	int want_a, want_b;
};

static const char USAGE[] =
	"usage: colink-gen --persons N [--seed S] --out DIR [--only vendor_a,vendor_b]\n"
	"\n"
	"Write deterministic synthetic checkup files (no real person, fictional insurers):\n"
	"  DIR/vendor_a.csv  UTF-8, LF, ISO dates, codes; ~60% of persons\n"
	"                    (layout of mappings/vendors/vendor_a.xml)\n"
	"  DIR/vendor_b.csv  CP932, CRLF, 和暦, full-width digits, words; the other ~40%\n"
	"                    plus 5% of persons also in vendor A with a later exam date\n"
	"                    (layout of mappings/vendors/vendor_b.xml)\n"
	"  DIR/truth.tsv     one line per data row: file, row (1 = first data row),\n"
	"                    line (1 = header), person (1..N)\n"
	"\n"
	"  --persons N   number of persons, 1..100000000 (required)\n"
	"  --seed S      PRNG seed, unsigned 64-bit (default 1); same seed, same bytes\n"
	"  --out DIR     output directory, created if missing (required)\n"
	"  --only LIST   write only these files: vendor_a, vendor_b (comma separated)\n"
	"  --help        show this text\n"
	"\n"
	"Exit status: 0 ok, 1 I/O error, 2 bad arguments.\n";

/* One line on stderr, exit status 2.  `arg` (may be NULL) is quoted. */
static int usage_error(const char *what, const char *arg)
{
	if (arg)
		fprintf(stderr, "colink-gen: %s '%s' (try --help)\n", what, arg);
	else
		fprintf(stderr, "colink-gen: %s (try --help)\n", what);
	return 2;
}

/* Strict unsigned decimal: digits only, no sign, no overflow. */
static int parse_u64(const char *s, uint64_t *v)
{
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	char *end;
	unsigned long long x = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*v = x;
	return 0;
}

static int parse_only(const char *list, struct options *o)
{
	char buf[64];
	if (strlen(list) >= sizeof buf)
		return -1;
	strcpy(buf, list);
	o->want_a = o->want_b = 0;
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (strcmp(t, "vendor_a") == 0)
			o->want_a = 1;
		else if (strcmp(t, "vendor_b") == 0)
			o->want_b = 1;
		else
			return -1;
	}
	return o->want_a || o->want_b ? 0 : -1;
}

/* Returns -1 to continue, else the exit status (0 after --help). */
static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"persons", required_argument, NULL, 'n'}, {"seed", required_argument, NULL, 's'},
		{"out", required_argument, NULL, 'o'},     {"only", required_argument, NULL, 'O'},
		{"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
	};
	int c, have_n = 0;
	*o = (struct options){.seed = 1, .want_a = 1, .want_b = 1};
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (parse_u64(optarg, &o->persons) || o->persons < 1 || o->persons > MAX_PERSONS)
				return usage_error("--persons: expected 1..100000000, got", optarg);
			have_n = 1;
			break;
		case 's':
			if (parse_u64(optarg, &o->seed))
				return usage_error("--seed: expected an unsigned integer, got", optarg);
			break;
		case 'o': o->out = optarg; break;
		case 'O':
			if (parse_only(optarg, o))
				return usage_error("--only: expected vendor_a and/or vendor_b, got", optarg);
			break;
		case 'h': fputs(USAGE, stdout); return 0;
		case ':': return usage_error("missing value for", argv[optind - 1]);
		default: return usage_error("unknown option", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument", argv[optind]);
	if (!have_n || !o->out || !*o->out)
		return usage_error("--persons and --out are required", NULL);
	return -1;
}

/* ------------------------------------------------------------------ */
/* Main                                                                 */
/* ------------------------------------------------------------------ */

static void init_insurers(void)
{
	static const char *const known[] = {"06139992", "01130012", "00280081"};
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
		if (insurer_check_digit(known[i]) != known[i][7] - '0') {
			fputs("colink-gen: internal error: check digit rule\n", stderr);
			abort();
		}
	}
	for (size_t i = 0; i < N_INSURERS; i++)
		snprintf(insurers[i], sizeof insurers[i], "%s%d", INSURER_BASES[i],
			 insurer_check_digit(INSURER_BASES[i]));
}

/* Write one data row and its truth.tsv line (file, row, line, person). */
static int emit(struct out *o, struct out *truth, const struct row *w, uint64_t person)
{
	static struct row t; /* plain text: no cells, no quoting */
	if (out_write(o, w->b, w->len) < 0)
		return -1;
	o->rows++;
	row_begin(&t, 0, 0, 0, "");
	puts_(&t, o->name);
	put(&t, "\t", 1);
	put_num(&t, o->rows, 0, 0);
	put(&t, "\t", 1);
	put_num(&t, o->rows + 1, 0, 0);
	put(&t, "\t", 1);
	put_num(&t, person, 0, 0);
	put(&t, "\n", 1);
	return out_write(truth, t.b, t.len);
}

/* Generate every person in order; rows go out as they are made. */
static int generate(const struct options *op, struct out *a, struct out *b, struct out *truth)
{
	static struct row w; /* static: 2 KiB is better off the stack */
	struct person p;
	struct exam e;
	for (uint64_t no = 1; no <= op->persons; no++) {
		person_make(&p, op->seed, no);
		if (p.in_a && op->want_a) {
			exam_make(&e, &p, op->seed, 1, p.exam_a);
			row_a(&w, &p, &e);
			if (emit(a, truth, &w, no) < 0)
				return -1;
		}
		if (p.in_b && op->want_b) {
			exam_make(&e, &p, op->seed, 2, p.exam_b);
			row_b(&w, &p, &e);
			if (emit(b, truth, &w, no) < 0)
				return -1;
		}
	}
	return 0;
}

static int make_dir(const char *dir)
{
	struct stat st;
	if (mkdir(dir, 0777) == 0 || (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode)))
		return 0;
	if (errno == EEXIST)
		errno = ENOTDIR;
	return fail_io(dir);
}

static int run(const struct options *op)
{
	struct out a = {.cd = (iconv_t)-1}, b = {.cd = (iconv_t)-1}, t = {.cd = (iconv_t)-1};
	char head[128];
	int rc = 1;
	int n = snprintf(head, sizeof head,
			 "# colink-gen seed=%" PRIu64 " persons=%" PRIu64 "\n# file\trow\tline\tperson\n",
			 op->seed, op->persons);
	if (out_open(&t, op->out, "truth.tsv", 0) < 0 || out_write(&t, head, (size_t)n) < 0)
		goto out;
	if (op->want_a && (out_open(&a, op->out, "vendor_a.csv", 0) < 0 ||
			   out_write(&a, HEADER_A, sizeof HEADER_A - 1) < 0))
		goto out;
	if (op->want_b && (out_open(&b, op->out, "vendor_b.csv", 1) < 0 ||
			   out_write(&b, HEADER_B, sizeof HEADER_B - 1) < 0))
		goto out;
	if (generate(op, &a, &b, &t) < 0)
		goto out;
	rc = 0;
out:
	/* close all three even after a failure; any close error fails the run */
	if (out_close(&a) < 0)
		rc = 1;
	if (out_close(&b) < 0)
		rc = 1;
	if (out_close(&t) < 0)
		rc = 1;
	return rc;
}

int main(int argc, char **argv)
{
	struct options op;
	int rc = parse_args(argc, argv, &op);
	if (rc >= 0)
		return rc;
	init_insurers();
	if (make_dir(op.out) < 0)
		return 1;
	return run(&op);
}
