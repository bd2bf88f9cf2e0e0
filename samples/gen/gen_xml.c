/*
 * gen_xml.c -- an MHLW standard XML archive folder (特定健診情報ファイル;
 * /work/shared/reference/jp-health-data.md §1.2-§1.5), as
 * mappings/vendors/mhlw_xml.xml reads it:
 *
 *   DIR/1311234567_99999999_202504010_1/     <sender>_<receiver>_<date><n>_1
 *       ix08_V08.xml                        the index, 2024 namespace
 *       DATA/h1311234567202504010<seq>.xml  one hc08 ClinicalDocument per person
 *
 * The documents follow tests/data/mhlw_fixture/DATA/h13112345672025040100000001.xml
 * element by element.  Contracts:
 *
 * - Same person, same exam.  Person k's insurer, 記号, 番号, 枝番, kana,
 *   birth date and sex come from person_make, as in the CSVs; the exam is
 *   exam 1 (date p->exam_a, stream 1), which is vendor A's row for persons
 *   in vendor_a.csv: same date, same values.  Persons only in vendor B get
 *   their own 特定健診 on the same model.  Everything the CSVs do not carry
 *   (method variants, spellings, questionnaire items 4-22) is drawn from
 *   stream 3 only, so the CSV bytes never depend on --xml.
 * - 記号 is omitted for about a third of the persons who are not in
 *   vendor A (a card without 記号 is common; jp-health-data.md §1.3).  A
 *   person in vendor_a.csv always keeps the 記号 of their row, so their
 *   card pseudonym is the same from both sources.  The omitted ones get a
 *   card pseudonym different from their vendor_b row and link to it
 *   through kana_dob_sex only.
 * - Every item code is a row of mappings/common/items.tsv with its method
 *   code and unit, so every result maps to a common field; codes the
 *   catalogue lacks (既往歴 9N056…, the RSON 対象者 flag) are left out.
 *   The vendor's own judgements (9N501 メタボ判定, 9N506 保健指導レベル)
 *   are left out too: the warehouse derives its own, and generated codes
 *   would need a second copy of the 階層化 thresholds.
 * - All text written comes from the fixed tables below or is digits, so
 *   nothing needs XML escaping.
 * - Streaming: one document is written with stdio and closed before the
 *   next; memory is constant in N.  The index is written last, so a run
 *   that fails half-way leaves a folder the reader refuses.
 *
 * The archive addresses a fictional 代行機関 (99999999, root …6.103,
 * interactionType 1) because its documents name six different insurers;
 * a submission to one insurer would carry only that insurer's people.
 */
#include "gen_common.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SENDER_ORG 0              /* gen_org(0) = 1311234567, vendor A's 実施機関 */
#define RECEIVER "99999999"       /* fictional 代行機関番号 (8 digits) */
#define CREATED "20250401"        /* creation date: after every FY2024 exam */
#define TICKET_END "20250331"     /* 受診券 valid to the end of FY2024 */
#define TG_ABOVE_RANGE 2000       /* mg/dL: TG above this gets the H flag, as the fixture's 2500 */
#define ORG_NAME "テスト健診センター（架空）"
#define ADDR "<addr><postalCode>100-0001</postalCode>東京都千代田区千代田９－９－９</addr>"

/* ------------------------------------------------------------------ */
/* Items (rows of mappings/common/items.tsv)                             */
/* ------------------------------------------------------------------ */

struct item {
	const char *code, *name, *method, *unit; /* method NULL: none */
};

static const struct item HEIGHT = {"9N001000000000001", "身長", NULL, "cm"};
static const struct item WEIGHT = {"9N006000000000001", "体重", NULL, "kg"};
static const struct item BMI = {"9N011000000000001", "BMI", NULL, "kg/m2"};
static const struct item WAIST = {"9N016160100000001", "腹囲(実測)", "9N01610000", "cm"};
static const struct item SBP1 = {"9A751000000000001", "収縮期血圧(1回目)", "9A75100000", "mm[Hg]"};
static const struct item SBP2 = {"9A752000000000001", "収縮期血圧(2回目)", "9A75200000", "mm[Hg]"};
static const struct item DBP1 = {"9A761000000000001", "拡張期血圧(1回目)", "9A76100000", "mm[Hg]"};
static const struct item DBP2 = {"9A762000000000001", "拡張期血圧(2回目)", "9A76200000", "mm[Hg]"};
static const struct item NON_HDL = {"3F069000002391901", "Non-HDLコレステロール", "3F06910000", "mg/dL"};
static const struct item EGFR = {"8A065000002391901", "eGFR", "8A06510000", "ml/min/1.73m2"};

/* Method variants of one analyte: a lab uses one of them. */
static const struct item TG_FASTING[] = {
	{"3F015000002327101", "空腹時中性脂肪(可視吸光光度法)", "3F01510000", "mg/dL"},
	{"3F015000002327201", "空腹時中性脂肪(紫外吸光光度法)", "3F01520000", "mg/dL"},
	{"3F015000002399901", "空腹時中性脂肪(その他)", "3F01530009", "mg/dL"},
};
static const struct item TG_CASUAL[] = {
	{"3F015129902327101", "随時中性脂肪(可視吸光光度法)", "3F01510000", "mg/dL"},
	{"3F015129902327201", "随時中性脂肪(紫外吸光光度法)", "3F01520000", "mg/dL"},
	{"3F015129902399901", "随時中性脂肪(その他)", "3F01530009", "mg/dL"},
};
static const struct item HDL[] = {
	{"3F070000002327101", "HDLコレステロール(可視吸光光度法)", "3F07010000", "mg/dL"},
	{"3F070000002327201", "HDLコレステロール(紫外吸光光度法)", "3F07020000", "mg/dL"},
	{"3F070000002399901", "HDLコレステロール(その他)", "3F07030009", "mg/dL"},
};
static const struct item LDL[] = {
	{"3F077000002327101", "LDLコレステロール(可視吸光光度法)", "3F07710000", "mg/dL"},
	{"3F077000002327201", "LDLコレステロール(紫外吸光光度法)", "3F07720000", "mg/dL"},
	{"3F077000002399901", "LDLコレステロール(その他)", "3F07730009", "mg/dL"},
};
static const struct item AST[] = {
	{"3B035000002327201", "AST(GOT)(紫外吸光光度法)", "3B03510000", "U/L"},
	{"3B035000002399901", "AST(GOT)(その他)", "3B03520009", "U/L"},
};
static const struct item ALT[] = {
	{"3B045000002327201", "ALT(GPT)(紫外吸光光度法)", "3B04510000", "U/L"},
	{"3B045000002399901", "ALT(GPT)(その他)", "3B04520009", "U/L"},
};
static const struct item GGT[] = {
	{"3B090000002327101", "γ-GT(可視吸光光度法)", "3B09010000", "U/L"},
	{"3B090000002399901", "γ-GT(その他)", "3B09020009", "U/L"},
};
static const struct item FPG[] = {
	{"3D010000002227101", "空腹時血糖(可視吸光光度法)", "3D01020000", "mg/dL"},
	{"3D010000001926101", "空腹時血糖(電位差法)", "3D01010000", "mg/dL"},
	{"3D010000001927201", "空腹時血糖(紫外吸光光度法)", "3D01030000", "mg/dL"},
	{"3D010000001999901", "空腹時血糖(その他)", "3D01040009", "mg/dL"},
};
static const struct item GLUCOSE[] = { /* same methods, same order as FPG */
	{"3D010129902227101", "随時血糖(可視吸光光度法)", "3D01020000", "mg/dL"},
	{"3D010129901926101", "随時血糖(電位差法)", "3D01010000", "mg/dL"},
	{"3D010129901927201", "随時血糖(紫外吸光光度法)", "3D01030000", "mg/dL"},
	{"3D010129901999901", "随時血糖(その他)", "3D01040009", "mg/dL"},
};
static const struct item HBA1C[] = {
	{"3D046000001906202", "HbA1c(NGSP)(免疫学的方法)", "3D04610000", "%"},
	{"3D046000001920402", "HbA1c(NGSP)(HPLC)", "3D04620000", "%"},
	{"3D046000001927102", "HbA1c(NGSP)(酵素法)", "3D04630000", "%"},
	{"3D046000001999902", "HbA1c(NGSP)(その他)", "3D04640009", "%"},
};
static const struct item CREAT[] = {
	{"3C015000002327101", "血清クレアチニン(可視吸光光度法)", "3C01510000", "mg/dL"},
	{"3C015000002399901", "血清クレアチニン(その他)", "3C01520009", "mg/dL"},
};
/* Dipsticks: no method code, as in the fixture. */
static const struct item URINE_GLUCOSE[] = {
	{"1A020000000191111", "尿糖(機械読み取り)", NULL, NULL},
	{"1A020000000190111", "尿糖(目視法)", NULL, NULL},
};
static const struct item URINE_PROTEIN[] = {
	{"1A010000000191111", "尿蛋白(機械読み取り)", NULL, NULL},
	{"1A010000000190111", "尿蛋白(目視法)", NULL, NULL},
};

#define CS_TIMING "1.2.392.200119.6.2202"
#define CS_DIPSTICK "1.2.392.200119.6.2102"
#define CS_NOT_DONE "1.2.392.200119.6.24080"

/* 標準的な質問票 (第4期), items 1-22 in the fixture's order. */
static const struct question {
	const char *code, *name, *cs;
	int ordinal; /* CO rather than CD */
} QUESTIONS[22] = {
	{"9N701000000000011", "服薬1(血圧)", "1.2.392.200119.6.2003", 0},
	{"9N706000000000011", "服薬2(血糖)", "1.2.392.200119.6.2003", 0},
	{"9N711000000000011", "服薬3(脂質)", "1.2.392.200119.6.2003", 0},
	{"9N716000000000011", "既往歴1(脳血管)", "1.2.392.200119.6.2003", 0},
	{"9N721000000000011", "既往歴2(心血管)", "1.2.392.200119.6.2003", 0},
	{"9N726000000000011", "既往歴3(腎不全・人工透析)", "1.2.392.200119.6.2003", 0},
	{"9N731000000000011", "貧血", "1.2.392.200119.6.2003", 0},
	{"9N736000000000011", "喫煙", "1.2.392.200119.6.24060", 0},
	{"9N741000000000011", "20歳からの体重変化", "1.2.392.200119.6.2003", 0},
	{"9N746000000000011", "30分以上の運動習慣", "1.2.392.200119.6.2003", 0},
	{"9N751000000000011", "歩行又は身体活動", "1.2.392.200119.6.2003", 0},
	{"9N756000000000011", "歩行速度", "1.2.392.200119.6.2003", 0},
	{"9N872000000000011", "咀嚼", "1.2.392.200119.6.18030", 0},
	{"9N766000000000011", "食べ方1(早食い等)", "1.2.392.200119.6.2004", 0},
	{"9N771000000000011", "食べ方2(就寝前)", "1.2.392.200119.6.2003", 0},
	{"9N782000000000011", "食べ方3(間食)", "1.2.392.200119.6.18040", 0},
	{"9N781000000000011", "食習慣(朝食を抜く)", "1.2.392.200119.6.2003", 0},
	{"9N786000000000011", "飲酒頻度", "1.2.392.200119.6.24040", 0},
	{"9N791000000000011", "飲酒量", "1.2.392.200119.6.24050", 1},
	{"9N796000000000011", "睡眠", "1.2.392.200119.6.2003", 0},
	{"9N801000000000011", "生活習慣の改善", "1.2.392.200119.6.2007", 0},
	{"9N808000000000011", "特定保健指導の受診歴", "1.2.392.200119.6.2003", 0},
};

enum { Q_DRINK_FREQ = 17, Q_DRINK_AMOUNT = 18 };

/* ------------------------------------------------------------------ */
/* The sender's habits for one person (stream 3)                          */
/* ------------------------------------------------------------------ */

struct habits {
	int omit_symbol, wide, kana_space;
	/* method variant of each analyte: indexes into the tables above */
	int tg, hdl, ldl, ast, alt, ggt, glu, a1c, creat, urine;
	int reason;  /* 9N512 測定不可能・検査未実施の理由 (24080), for a urine test not done */
	int q[22];   /* questionnaire answers; 0 = not answered */
};

/* Variant 0 for most labs (the fixture's method), else any other. */
static int variant(struct rng *r, uint32_t n)
{
	return chance(r, 0.7) ? 0 : 1 + (int)pick(r, n - 1);
}

/* 1-based answer drawn with the given weights (percent, summing to 100). */
static int weighted(struct rng *r, const unsigned char *w, int n)
{
	uint32_t u = pick(r, 100), acc = 0;
	for (int i = 0; i < n; i++) {
		acc += w[i];
		if (u < acc)
			return i + 1;
	}
	return n;
}

static int yes_no(struct rng *r, double p_yes)
{
	return chance(r, p_yes) ? 1 : 2;
}

/* Items 1-3 and 8 are the person's (as in the CSVs); the others are drawn. */
static void questionnaire(int *q, const struct person *p, struct rng *r)
{
	static const unsigned char chew[] = {80, 18, 2}, speed[] = {30, 55, 15},
				   snack[] = {20, 55, 25}, improve[] = {30, 25, 15, 10, 20},
				   amount[] = {45, 30, 15, 7, 3};
	static const unsigned char freq_m[] = {20, 8, 8, 10, 10, 8, 4, 32},
				   freq_f[] = {6, 4, 5, 8, 12, 10, 5, 50};
	q[0] = p->med_bp;
	q[1] = p->med_glu;
	q[2] = p->med_lip;
	q[3] = yes_no(r, 0.02);
	q[4] = yes_no(r, 0.03);
	q[5] = yes_no(r, 0.005);
	q[6] = yes_no(r, p->male ? 0.03 : 0.10);
	q[7] = p->smoke;
	q[8] = yes_no(r, p->bmi >= 25 ? 0.6 : 0.2);
	q[9] = yes_no(r, 0.3);
	q[10] = yes_no(r, 0.5);
	q[11] = yes_no(r, 0.5);
	q[12] = weighted(r, chew, 3);
	q[13] = weighted(r, speed, 3);
	q[14] = yes_no(r, 0.3);
	q[15] = weighted(r, snack, 3);
	q[16] = yes_no(r, 0.15);
	q[17] = weighted(r, p->male ? freq_m : freq_f, 8);
	q[18] = weighted(r, amount, 5);
	if (q[Q_DRINK_FREQ] >= 7) /* やめた, 飲まない: the amount is not asked */
		q[Q_DRINK_AMOUNT] = 0;
	q[19] = yes_no(r, 0.75);
	q[20] = weighted(r, improve, 5);
	q[21] = yes_no(r, 0.15);
}

static void habits_make(struct habits *h, const struct person *p, uint64_t seed)
{
	struct rng r = rng_for(seed, p->no, 3);
	memset(h, 0, sizeof *h);
	h->omit_symbol = chance(&r, 1.0 / 3.0) && !p->in_a;
	h->wide = chance(&r, 0.1);
	h->kana_space = chance(&r, 0.8);
	h->tg = variant(&r, COUNT(TG_FASTING));
	h->hdl = variant(&r, COUNT(HDL));
	h->ldl = variant(&r, COUNT(LDL));
	h->ast = variant(&r, COUNT(AST));
	h->alt = variant(&r, COUNT(ALT));
	h->ggt = variant(&r, COUNT(GGT));
	h->glu = variant(&r, COUNT(FPG));
	h->a1c = variant(&r, COUNT(HBA1C));
	h->creat = variant(&r, COUNT(CREAT));
	h->urine = variant(&r, COUNT(URINE_GLUCOSE));
	h->reason = 1 + (int)pick(&r, 3);
	questionnaire(h->q, p, &r);
}

/* ------------------------------------------------------------------ */
/* Observations                                                         */
/* ------------------------------------------------------------------ */

/* v / 10^dec as "123", "12.3" or "1.23" (v >= 0). */
static void fixed(char *buf, size_t cap, int v, int dec)
{
	int div = dec == 2 ? 100 : dec == 1 ? 10 : 1;
	if (dec)
		snprintf(buf, cap, "%d.%0*d", v / div, dec, v % div);
	else
		snprintf(buf, cap, "%d", v);
}

/*
 * One <observation> at indent `ind` for a PQ result: v in 1/10^dec units,
 * V_NOT_DONE (negationInd, code only) or V_UNMEASURABLE (nullFlavor NI),
 * both as the fixture writes them.  `high` adds the out-of-range H flag
 * after the value (two <value> elements, as for exams since 2013).
 */
static void obs_pq(FILE *f, int ind, const struct item *it, int v, int dec, int high)
{
	char num[24];
	fprintf(f, "%*s<observation classCode=\"OBS\" moodCode=\"EVN\"%s>\n", ind, "",
		v == V_NOT_DONE ? " negationInd=\"true\"" : "");
	fprintf(f, "%*s<code code=\"%s\" displayName=\"%s\"/>\n", ind + 2, "", it->code, it->name);
	if (v == V_UNMEASURABLE) {
		fprintf(f, "%*s<value xsi:type=\"PQ\" nullFlavor=\"NI\"/>\n", ind + 2, "");
	} else if (v >= 0) {
		fixed(num, sizeof num, v, dec);
		fprintf(f, "%*s<value xsi:type=\"PQ\" value=\"%s\" unit=\"%s\"/>\n", ind + 2, "", num,
			it->unit);
		if (high)
			fprintf(f, "%*s<value xsi:type=\"CD\" code=\"H\" codeSystem=\"2.16.840.1.113883.5.83\""
				" displayName=\"以上\"/>\n", ind + 2, "");
		if (it->method)
			fprintf(f, "%*s<methodCode code=\"%s\"/>\n", ind + 2, "", it->method);
	}
	fprintf(f, "%*s</observation>\n", ind, "");
}

/* A PQ result as its own entry; a blank (V_BLANK) writes nothing. */
static void pq(FILE *f, const struct item *it, int v, int dec)
{
	if (v == V_BLANK)
		return;
	fputs("          <entry>\n", f);
	obs_pq(f, 12, it, v, dec, 0);
	fputs("          </entry>\n", f);
}

/* A coded result (CD, or CO when `ordinal`); V_NOT_DONE as negationInd; 0 or V_BLANK: none. */
static void coded(FILE *f, const char *code, const char *name, int v, const char *cs, int ordinal)
{
	if (v == V_BLANK || v == 0)
		return;
	fprintf(f, "          <entry>\n"
		   "            <observation classCode=\"OBS\" moodCode=\"EVN\"%s>\n"
		   "              <code code=\"%s\" displayName=\"%s\"/>\n",
		v == V_NOT_DONE ? " negationInd=\"true\"" : "", code, name);
	if (v > 0)
		fprintf(f, "              <value xsi:type=\"%s\" code=\"%d\" codeSystem=\"%s\"/>\n",
			ordinal ? "CO" : "CD", v, cs);
	fputs("            </observation>\n          </entry>\n", f);
}

/* 一連検査グループ: creatinine and eGFR in one outer observation. */
static void kidney(FILE *f, const struct exam *e, const struct habits *h)
{
	static const char comp_open[] = "              <entryRelationship typeCode=\"COMP\">\n";
	static const char comp_close[] = "              </entryRelationship>\n";
	if (e->creat == V_BLANK)
		return;
	fputs("          <entry>\n"
	      "            <observation classCode=\"OBS\" moodCode=\"EVN\">\n"
	      "              <code nullFlavor=\"NA\"/>\n", f);
	fputs(comp_open, f);
	obs_pq(f, 16, &CREAT[h->creat], e->creat, 2, 0);
	fputs(comp_close, f);
	if (e->egfr >= 0) {
		fputs(comp_open, f);
		obs_pq(f, 16, &EGFR, e->egfr, 1, 0);
		fputs(comp_close, f);
	}
	fputs("            </observation>\n          </entry>\n", f);
}

static void body_measures(FILE *f, const struct exam *e)
{
	pq(f, &HEIGHT, e->height, 1);
	pq(f, &WEIGHT, e->weight, 1);
	pq(f, &BMI, e->bmi, 1);
	pq(f, &WAIST, e->waist, 1);
	pq(f, &SBP1, e->sbp1, 0);
	pq(f, &SBP2, e->sbp2, 0);
	pq(f, &DBP1, e->dbp1, 0);
	pq(f, &DBP2, e->dbp2, 0);
}

/* Blood tests, with fasting or casual items by 採血時間 as vendor A has them. */
static void blood(FILE *f, const struct exam *e, const struct habits *h)
{
	coded(f, "9N141000000000011", "採血時間(食後)", e->timing, CS_TIMING, 0);
	if (e->tg != V_BLANK) { /* blank after a meal (採血時間 4) */
		const struct item *tg = e->timing == 2 ? &TG_FASTING[h->tg] : &TG_CASUAL[h->tg];
		fputs("          <entry>\n", f);
		obs_pq(f, 12, tg, e->tg, 0, e->tg > TG_ABOVE_RANGE);
		fputs("          </entry>\n", f);
	}
	pq(f, &HDL[h->hdl], e->hdl, 0);
	pq(f, &LDL[h->ldl], e->ldl, 0);
	pq(f, &NON_HDL, e->non_hdl, 0);
	pq(f, &AST[h->ast], e->ast, 0);
	pq(f, &ALT[h->alt], e->alt, 0);
	pq(f, &GGT[h->ggt], e->ggt, 0);
	kidney(f, e, h);
	pq(f, &FPG[h->glu], e->fpg, 0);
	pq(f, &GLUCOSE[h->glu], e->glucose, 0);
	pq(f, &HBA1C[h->a1c], e->hba1c, 1);
}

static void urine(FILE *f, const struct exam *e, const struct habits *h)
{
	const struct item *g = &URINE_GLUCOSE[h->urine], *p = &URINE_PROTEIN[h->urine];
	coded(f, g->code, g->name, e->uglu, CS_DIPSTICK, 1);
	coded(f, p->code, p->name, e->upro, CS_DIPSTICK, 1);
	if (e->uglu == V_NOT_DONE || e->upro == V_NOT_DONE)
		coded(f, "9N512000000000011", "測定不可能・検査未実施の理由", h->reason, CS_NOT_DONE, 0);
}

/*
 * 医師の判断 with the doctor's name in author, as the fixture carries it
 * (the reader must drop the name).  The text is neutral on purpose: a
 * judgement from the values would copy the engine's thresholds.
 */
static void opinion(FILE *f)
{
	fputs("          <entry>\n"
	      "            <observation classCode=\"OBS\" moodCode=\"EVN\">\n"
	      "              <code code=\"9N511000000000049\" displayName=\"医師の判断\"/>\n"
	      "              <value xsi:type=\"ST\">結果のとおり</value>\n"
	      "              <author>\n"
	      "                <time nullFlavor=\"NI\"/>\n"
	      "                <assignedAuthor>\n"
	      "                  <id nullFlavor=\"NI\"/>\n"
	      "                  <assignedPerson><name>架空　医師</name></assignedPerson>\n"
	      "                </assignedAuthor>\n"
	      "              </author>\n"
	      "            </observation>\n"
	      "          </entry>\n", f);
}

/* ------------------------------------------------------------------ */
/* The document                                                         */
/* ------------------------------------------------------------------ */

/* Decimal v in `buf`, full-width digits (U+FF10..) when `wide`. */
static void digits(char *buf, size_t cap, uint64_t v, int wide)
{
	char d[24];
	int n = snprintf(d, sizeof d, "%" PRIu64, v);
	size_t o = 0;
	for (int i = 0; i < n && o + 4 <= cap; i++) {
		if (wide) {
			buf[o++] = (char)0xef;
			buf[o++] = (char)0xbc;
			buf[o++] = (char)(0x90 + (d[i] - '0'));
		} else {
			buf[o++] = d[i];
		}
	}
	buf[o] = '\0';
}

static void patient_role(FILE *f, const struct person *p, const struct habits *h)
{
	char sym[40], num[40];
	const char *ins = gen_insurer(p->insurer);
	digits(sym, sizeof sym, (uint64_t)p->symbol, h->wide);
	digits(num, sizeof num, p->no, h->wide);
	fprintf(f, "  <recordTarget>\n    <patientRole>\n"
		   "      <id extension=\"%s\" root=\"1.2.392.200119.6.101\"/>\n", ins);
	if (!h->omit_symbol)
		fprintf(f, "      <id extension=\"%s\" root=\"1.2.392.200119.6.204\"/>\n", sym);
	fprintf(f, "      <id extension=\"%s\" root=\"1.2.392.200119.6.205\"/>\n"
		   "      <id extension=\"%02d\" root=\"1.2.392.200119.6.211\"/>\n"
		   "      " ADDR "\n      <patient>\n"
		   "        <name>%s%s%s</name>\n"
		   "        <administrativeGenderCode code=\"%d\" codeSystem=\"1.2.392.200119.6.1104\"/>\n"
		   "        <birthTime value=\"%04d%02d%02d\"/>\n"
		   "      </patient>\n    </patientRole>\n  </recordTarget>\n",
		num, p->branch, p->sur->kana, h->kana_space ? "　" : "", p->given->kana,
		p->male ? 1 : 2, p->birth.y, p->birth.m, p->birth.d);
}

static void header(FILE *f, const struct person *p, const struct exam *e, const struct habits *h)
{
	const char *org = gen_org(SENDER_ORG), *ins = gen_insurer(p->insurer);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	      "<!-- SYNTHETIC TEST DATA (colink-gen). Fictional person, fictional insurer/facility "
	      "numbers. -->\n"
	      "<ClinicalDocument xmlns=\"urn:hl7-org:v3\" "
	      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
	      "xsi:schemaLocation=\"urn:hl7-org:v3 ../XSD/hc08_V08.xsd\">\n"
	      "  <typeId root=\"2.16.840.1.113883.1.3\" extension=\"POCD_HD000040\"/>\n"
	      "  <id nullFlavor=\"NI\"/>\n"
	      "  <code code=\"10\" codeSystem=\"1.2.392.200119.6.1001\"/>\n"
	      "  <effectiveTime value=\"" CREATED "\"/>\n"
	      "  <confidentialityCode code=\"N\" codeSystem=\"2.16.840.1.113883.5.25\"/>\n", f);
	patient_role(f, p, h);
	fprintf(f, "  <author>\n    <time value=\"" CREATED "\"/>\n    <assignedAuthor>\n"
		   "      <id nullFlavor=\"NI\"/>\n      <representedOrganization>\n"
		   "        <id extension=\"%s\" root=\"1.2.392.200119.6.102\"/>\n"
		   "        <name>" ORG_NAME "</name>\n"
		   "        <telecom value=\"tel:0312345678\"/>\n        " ADDR "\n"
		   "      </representedOrganization>\n    </assignedAuthor>\n  </author>\n"
		   "  <custodian>\n    <assignedCustodian>\n      <representedCustodianOrganization>\n"
		   "        <id nullFlavor=\"NI\"/>\n      </representedCustodianOrganization>\n"
		   "    </assignedCustodian>\n  </custodian>\n", org);
	/* 受診券整理番号 (11 digits): "24" (FY2024) and the person number */
	fprintf(f, "  <participant typeCode=\"HLD\">\n"
		   "    <functionCode code=\"1\" codeSystem=\"1.2.392.200119.6.208\"/>\n"
		   "    <time><high value=\"" TICKET_END "\"/></time>\n"
		   "    <associatedEntity classCode=\"IDENT\">\n"
		   "      <id extension=\"24%09" PRIu64 "\" root=\"1.2.392.200119.6.209.1%s\"/>\n"
		   "      <scopingOrganization>\n"
		   "        <id extension=\"%s\" root=\"1.2.392.200119.6.101\"/>\n"
		   "      </scopingOrganization>\n    </associatedEntity>\n  </participant>\n",
		p->no, ins, ins);
	fprintf(f, "  <documentationOf>\n    <serviceEvent>\n"
		   "      <code code=\"010\" codeSystem=\"1.2.392.200119.6.1002\"/>\n"
		   "      <effectiveTime value=\"%04d%02d%02d\"/>\n"
		   "      <performer typeCode=\"PRF\">\n        <assignedEntity>\n"
		   "          <id nullFlavor=\"NI\"/>\n          <representedOrganization>\n"
		   "            <id extension=\"%s\" root=\"1.2.392.200119.6.102\"/>\n"
		   "            <name>" ORG_NAME "</name>\n"
		   "          </representedOrganization>\n        </assignedEntity>\n"
		   "      </performer>\n    </serviceEvent>\n  </documentationOf>\n",
		e->date.y, e->date.m, e->date.d, org);
}

static void document(FILE *f, const struct person *p, const struct exam *e, const struct habits *h)
{
	header(f, p, e, h);
	fputs("  <component>\n    <structuredBody>\n      <component>\n        <section>\n"
	      "          <code code=\"01010\" codeSystem=\"1.2.392.200119.6.1010\" "
	      "displayName=\"特定健診検査・問診セクション\"/>\n"
	      "          <title>特定健診検査・問診セクション</title>\n"
	      "          <text/>\n", f);
	body_measures(f, e);
	blood(f, e, h);
	urine(f, e, h);
	opinion(f);
	for (int i = 0; i < 22; i++)
		coded(f, QUESTIONS[i].code, QUESTIONS[i].name, h->q[i], QUESTIONS[i].cs,
		      QUESTIONS[i].ordinal);
	fputs("        </section>\n      </component>\n    </structuredBody>\n  </component>\n"
	      "</ClinicalDocument>\n", f);
}

/* ------------------------------------------------------------------ */
/* The archive                                                          */
/* ------------------------------------------------------------------ */

struct gen_xml {
	char *root;      /* DIR/<archive name>, owned */
	char *data;      /* root/DATA, owned */
	char *path;      /* the file being written, owned; pathcap bytes */
	size_t pathcap;
	uint64_t persons, seed;
	int width;       /* digits of the sequence number in DATA file names */
};

/* Write `path` with `fill`, reporting any error; -1 after a report. */
static int write_file(const char *path, void (*fill)(FILE *, const void *), const void *arg)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return gen_fail_io(path);
	fill(f, arg);
	int bad = ferror(f);
	if (fclose(f) != 0 || bad)
		return gen_fail_io(path); /* errno of the failed write or close */
	return 0;
}

struct doc_args {
	const struct person *p;
	const struct exam *e;
	const struct habits *h;
};

static void fill_document(FILE *f, const void *arg)
{
	const struct doc_args *a = arg;
	document(f, a->p, a->e, a->h);
}

int gen_xml_person(struct gen_xml *x, const struct person *p, uint64_t seed)
{
	struct exam e;
	struct habits h;
	struct doc_args a = {p, &e, &h};
	exam_make(&e, p, seed, 1, p->exam_a);
	habits_make(&h, p, seed);
	/* JMA's pattern: h + sender + date + split counter 0 + sequence */
	snprintf(x->path, x->pathcap, "%s/h%s" CREATED "0%0*" PRIu64 ".xml", x->data,
		 gen_org(SENDER_ORG), x->width, p->no);
	return write_file(x->path, fill_document, &a);
}

static void fill_index(FILE *f, const void *arg)
{
	const struct gen_xml *x = arg;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<!-- SYNTHETIC TEST DATA (colink-gen seed=%" PRIu64 " persons=%" PRIu64 "). "
		   "Fictional numbers. -->\n"
		   "<index xmlns=\"https://www.mhlw.go.jp/stf/seisakunitsuite/bunya/0000161103.html\" "
		   "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
		   "xsi:schemaLocation=\"https://www.mhlw.go.jp/stf/seisakunitsuite/bunya/0000161103.html "
		   "./XSD/ix08_V08.xsd\">\n"
		   "  <interactionType code=\"1\"/>\n"
		   "  <creationTime value=\"" CREATED "\"/>\n"
		   "  <sender>\n    <id root=\"1.2.392.200119.6.102\" extension=\"%s\"/>\n  </sender>\n"
		   "  <receiver>\n    <id root=\"1.2.392.200119.6.103\" extension=\"" RECEIVER "\"/>\n"
		   "  </receiver>\n"
		   "  <serviceEventType code=\"1\"/>\n"
		   "  <totalRecordCount value=\"%" PRIu64 "\"/>\n"
		   "</index>\n",
		x->seed, x->persons, gen_org(SENDER_ORG), x->persons);
}

/* Create `path`, which must not exist yet; -1 after a report. */
static int make_new_dir(const char *path)
{
	if (mkdir(path, 0777) == 0)
		return 0;
	if (errno == EEXIST)
		fprintf(stderr, "colink-gen: %s: already exists; remove it or choose another --xml\n",
			path);
	else
		gen_fail_io(path);
	return -1;
}

struct gen_xml *gen_xml_open(const char *dir, uint64_t seed, uint64_t persons)
{
	struct gen_xml *x = calloc(1, sizeof *x);
	char name[64];
	if (!x || gen_make_dir(dir) < 0)
		goto fail;
	x->persons = persons;
	x->seed = seed;
	x->width = snprintf(name, sizeof name, "%" PRIu64, persons);
	if (x->width < 7)
		x->width = 7; /* h13112345672025040100000001.xml, as in the fixture */
	snprintf(name, sizeof name, "%s_" RECEIVER "_" CREATED "0_1", gen_org(SENDER_ORG));
	x->root = gen_join_path(dir, name);
	x->data = x->root ? gen_join_path(x->root, "DATA") : NULL;
	x->pathcap = x->data ? strlen(x->root) + 64 : 0;
	x->path = x->pathcap ? malloc(x->pathcap) : NULL;
	if (!x->path) {
		gen_fail_io(dir);
		goto fail;
	}
	if (make_new_dir(x->root) < 0 || make_new_dir(x->data) < 0)
		goto fail;
	return x;
fail:
	if (!x)
		gen_fail_io(dir);
	gen_xml_close(x, 0);
	return NULL;
}

int gen_xml_close(struct gen_xml *x, int complete)
{
	int rc = 0;
	if (!x)
		return 0;
	if (complete) {
		snprintf(x->path, x->pathcap, "%s/ix08_V08.xml", x->root);
		rc = write_file(x->path, fill_index, x);
	}
	free(x->root);
	free(x->data);
	free(x->path);
	free(x);
	return rc;
}
