/*
 * gen_common.c -- colink-gen's person model: who each synthetic person is
 * and what their exams show (see gen_common.h for the stream contract).
 *
 * Everything is synthetic: insurer numbers are made up (with valid check
 * digits), names are drawn from short lists of common names, values from
 * clipped normal distributions with a few person-level correlations.
 *
 * No libm: exp and log are computed here, so the output is byte-identical
 * wherever doubles are evaluated in IEEE-754 double precision
 * (FLT_EVAL_METHOD 0, e.g. x86-64 and arm64).
 */
#include "gen_common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
/* Dates                                                                */
/* ------------------------------------------------------------------ */

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

/* ------------------------------------------------------------------ */
/* 保険者番号                                                           */
/* ------------------------------------------------------------------ */

/*
 * Check digit of an 8-digit 保険者番号 from its first 7 digits: weights
 * 2,1,2,1,2,1,2 from the left (2 on the digit next to the check digit),
 * add the digits of each product, check = (10 - sum % 10) % 10.
 * 06139992, 01130012 and 00280081 are valid (checked by gen_init).
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

void gen_init(void)
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

const char *gen_insurer(int i)
{
	return insurers[i];
}

const char *gen_org(int i)
{
	return ORGS[i];
}

/* ------------------------------------------------------------------ */
/* Names: kanji, katakana, half-width katakana                          */
/* ------------------------------------------------------------------ */

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

/* ------------------------------------------------------------------ */
/* The person model                                                     */
/* ------------------------------------------------------------------ */

static const struct ymd FY_START = {2024, 4, 1}; /* FY2024: 2024-04-01 .. 2025-03-31 */

const struct name *gen_surname(struct rng *r)
{
	return &SURNAMES[pick(r, COUNT(SURNAMES))];
}

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

void person_make(struct person *p, uint64_t seed, uint64_t no)
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
void exam_make(struct exam *e, const struct person *p, uint64_t seed, uint64_t k,
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
/* Files                                                                */
/* ------------------------------------------------------------------ */

int gen_fail_io(const char *path)
{
	fprintf(stderr, "colink-gen: %s: %s\n", path, strerror(errno));
	return -1;
}

char *gen_join_path(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

int gen_make_dir(const char *dir)
{
	struct stat st;
	if (mkdir(dir, 0777) == 0 || (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode)))
		return 0;
	if (errno == EEXIST)
		errno = ENOTDIR;
	return gen_fail_io(dir);
}
