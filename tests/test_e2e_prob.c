/*
 * test_e2e_prob.c -- the probabilistic link pass (#23) through the real
 * binary: a generated population that the exact passes link, persons on
 * one side only, and planted pairs that only the probabilistic pass can
 * link, one per corruption type:
 *   P1 kana ャ/ヤ, and 記号 missing on the association side
 *   P2 kana ヂ/ジ, and a 番号 typo
 *   P3 day and month of the birth date swapped, and 記号 missing
 *   P4 a one-kana typo in the name, and 記号 missing
 *   P5 a married name (another surname), and 記号 missing
 * and a near-twin pair (same surname, birth date, sex, insurer, 記号; a
 * given name one kana apart; another 番号) that must go to review and not
 * link.  Each planted person is found by a date only it has (the
 * employee's hire date, the association person's exam date), since every
 * identifier is a pseudonym in the warehouse.  The same data run again
 * with each hardened name filter (balanced, balanced-diffused, at their
 * default thresholds) must link and review the same planted pairs.
 */
#include <CUnit/Basic.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "identity/identity.h"
#include "testutil.h"

#define NBG 1000    /* persons on both sides, linked by pass 1 */
#define NONLY 50    /* persons on one side only, per side */

static char *dir, *db, *out1;
static int rc1;
static char ins[3][9];

/* Common surnames and given names, so that names collide as in life. */
static const char *const surnames[] = {
	"サトウ", "スズキ", "タカハシ", "タナカ", "ワタナベ", "イトウ", "ヤマモト", "ナカムラ",
	"コバヤシ", "カトウ", "ヨシダ", "ヤマダ", "ササキ", "ヤマグチ", "マツモト", "イノウエ",
	"キムラ", "ハヤシ", "シミズ", "ヤマザキ",
};
static const char *const given[] = {
	"ヒロシ", "タカシ", "アキラ", "ユウキ", "ダイスケ", "ケンタ", "ショウタ", "リョウ", "マコト",
	"ユウタ", "ヨウコ", "ケイコ", "ユミ", "アヤ", "メグミ", "ミホ", "サクラ", "ユイ", "マイ",
	"ナオミ",
};
static const char *const typo[] = {"ア", "カ", "サ", "ノ", "ミ", "レ"};
#define N(a) (sizeof(a) / sizeof((a)[0]))

static unsigned long long seed = 88172645463325252ull;

static unsigned rnd(unsigned n)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return (unsigned)(seed % n);
}

struct person {
	char name[64], birth[11], sym[8], num[8];
	int sex, ins;
};

static void random_person(struct person *p, int i)
{
	snprintf(p->name, sizeof(p->name), "%s%s", surnames[rnd(N(surnames))], given[rnd(N(given))]);
	snprintf(p->birth, sizeof(p->birth), "%04u-%02u-%02u", 1960 + rnd(40), 1 + rnd(12),
		 1 + rnd(28));
	p->sex = 1 + (int)rnd(2);
	p->ins = (int)rnd(3);
	snprintf(p->sym, sizeof(p->sym), "%d", 100 * (1 + p->ins));
	snprintf(p->num, sizeof(p->num), "%d", 100000 + 10 * i); /* a typo hits nobody's */
}

/*
 * The association side of a population person, with the corruptions of
 * real files at set rates; the exact passes still link every one of them
 * (the card or the kana name + birth date + sex is intact), so EM learns
 * from them how often a true match disagrees.
 */
static void corrupt(struct person *a)
{
	unsigned r = rnd(100);
	char *g;
	if (r < 5) { /* married: another surname */
		snprintf(a->name, sizeof(a->name), "%s%s", surnames[rnd(N(surnames))],
			 given[rnd(N(given))]);
	} else if (r < 10 && (g = strstr(a->name, "ウ"))) { /* a kana typed wrong */
		char rest[64];
		snprintf(rest, sizeof(rest), "%s", g + strlen("ウ"));
		snprintf(g, sizeof(a->name) - (size_t)(g - a->name), "%s%s", typo[rnd(N(typo))], rest);
	} else if (r < 13) { /* a 番号 typo: pass 2 links it */
		a->num[5] = (char)('1' + rnd(9));
	} else if (r < 16) { /* 記号 missing: pass 2 links it */
		a->sym[0] = '\0';
	} else if (r < 18 && a->birth[8] <= '1' && a->birth[9] <= '2' && a->birth[8] == '0') {
		char d0 = a->birth[8], d1 = a->birth[9]; /* day and month swapped */
		a->birth[8] = a->birth[5];
		a->birth[9] = a->birth[6];
		a->birth[5] = d0;
		a->birth[6] = d1;
	}
}

static void roster_row(FILE *f, const struct person *p, int no, const char *hired)
{
	fprintf(f, "%07d,,%s,%s,%s,S01,管理,%s,%s,%s,00,%s,\n", no, p->name, p->birth,
		p->sex == 1 ? "男" : "女", ins[p->ins], p->sym, p->num, hired);
}

static void checkup_row(FILE *f, const struct person *p, const char *exam)
{
	fprintf(f, "%s,%s,%s,00,%s,%s,%d,%s%s\n", ins[p->ins], p->sym, p->num, p->name, p->birth,
		p->sex, exam, ",,,,,,,,,,,,,,,,,,,,,,,,,,,");
}

/* The planted pairs: employer side, association side, and the dates. */
static const struct planted {
	struct person e, a;
	const char *hired, *exam;
} planted[] = {
	{ {"ヒャクタケミユキ", "1975-06-12", "700", "9001", 2, 0},
	  {"ヒヤクタケミユキ", "1975-06-12", "", "9001", 2, 0}, "2001-01-01", "2024-01-01" },
	{ {"フヂオカケンタ", "1980-11-03", "700", "9002", 1, 0},
	  {"フジオカケンタ", "1980-11-03", "700", "9020", 1, 0}, "2001-01-02", "2024-01-02" },
	{ {"ナガサワトモヤ", "1982-04-09", "700", "9003", 1, 0},
	  {"ナガサワトモヤ", "1982-09-04", "", "9003", 1, 0}, "2001-01-03", "2024-01-03" },
	{ {"マツモトリョウスケ", "1968-01-30", "700", "9004", 1, 0},
	  {"マツモトリョウスキ", "1968-01-30", "", "9004", 1, 0}, "2001-01-04", "2024-01-04" },
	{ {"ヤマグチサクラ", "1990-07-21", "700", "9005", 2, 0},
	  {"コバヤシサクラ", "1990-07-21", "", "9005", 2, 0}, "2001-01-05", "2024-01-05" },
	/* the near twin */
	{ {"サトウユウタ", "1991-02-03", "700", "9006", 1, 0},
	  {"サトウユウト", "1991-02-03", "700", "9007", 1, 0}, "2001-01-06", "2024-01-06" },
};
#define NPLANTED (sizeof(planted) / sizeof(planted[0]))
#define NLINKED 5

static const char vendor_header[] =
	"保険者番号,被保険者証記号,被保険者証番号,枝番,氏名カナ,生年月日,性別,受診日,身長,体重,BMI,"
	"腹囲,収縮期血圧1,収縮期血圧2,拡張期血圧1,拡張期血圧2,採血時間,中性脂肪,随時中性脂肪,HDL,"
	"LDL,NonHDL,AST,ALT,γGT,空腹時血糖,HbA1c,尿糖,尿蛋白,クレアチニン,eGFR,服薬血圧,服薬血糖,"
	"服薬脂質,喫煙\n";

static int write_data(void)
{
	char *rp = tu_fmt("%s/roster.csv", dir), *cp = tu_fmt("%s/checkups.csv", dir);
	FILE *r = fopen(rp, "w"), *c = fopen(cp, "w");
	struct person p;
	size_t i;
	if (!r || !c)
		return 1;
	fputs("社員番号,漢字氏名,カナ氏名,生年月日,性別,事業所,職種,保険者番号,記号,番号,枝番,入社日,退職日\n", r);
	fputs(vendor_header, c);
	for (i = 0; i < NBG + 2 * NONLY; i++) {
		random_person(&p, (int)i);
		if (i < NBG + NONLY)
			roster_row(r, &p, (int)i + 1, "2010-04-01");
		if (i < NBG)
			corrupt(&p);
		if (i < NBG || i >= NBG + NONLY)
			checkup_row(c, &p, "2024-06-01");
	}
	for (i = 0; i < NPLANTED; i++) {
		roster_row(r, &planted[i].e, 9000 + (int)i, planted[i].hired);
		checkup_row(c, &planted[i].a, planted[i].exam);
	}
	fclose(r);
	fclose(c);
	free(rp);
	free(cp);
	return 0;
}

static void write_job(const char *name, const char *output, const char *link)
{
	char *p = tu_fmt("%s/%s.xml", dir, name);
	char *body = tu_fmt(
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<job xmlns=\"urn:colink:job:1\" name=\"prob\">\n"
		"  <agreement file=\"" COLINK_SRC_TOP "/samples/agreement.xml\" id=\"sample-collabo-2024\"/>"
		"<purpose>健康白書</purpose><recipient party=\"association\" role=\"保健事業担当者\"/>"
		"<key file=\"k.key\"/>\n"
		"  <input mapping=\"%s/mappings/vendors/vendor_a.xml\" path=\"checkups.csv\"/>\n"
		"  <input mapping=\"%s/mappings/employer/roster.xml\" path=\"roster.csv\"/>\n"
		"  %s\n"
		"  <link>%s</link>\n"
		"</job>\n", tu_srcdir(), tu_srcdir(), output, link);
	tu_write_file(p, body, strlen(body));
	free(p);
	free(body);
}

static const char sqlite_out[] = "<output plugin=\"out_sqlite\"><set name=\"path\" value=\"w.db\"/></output>";
static const char prob_passes[] = "<pass key=\"card\"/><pass key=\"kana_dob_sex_insurer\"/>"
	"<pass kind=\"probabilistic\" upper=\"17\" lower=\"10\" dice=\"0.7\" name-filter=\"plain\"/>";

/* Three insurer numbers whose check digit holds. */
static void pick_insurers(void)
{
	int n = 0, d;
	strcpy(ins[n++], "06139992");
	for (d = 0; d < 10 && n < 3; d++) {
		snprintf(ins[n], sizeof(ins[n]), "0127000%c", (char)('0' + d));
		if (colink_insurer_check_digit_ok(ins[n]))
			n++;
	}
	for (d = 0; d < 10 && n < 3; d++) {
		snprintf(ins[n], sizeof(ins[n]), "0135000%c", (char)('0' + d));
		if (colink_insurer_check_digit_ok(ins[n]))
			n++;
	}
}

static const char fixed_key[] =
	"colink-key-v1 2b7e151628aed2a6abf7158809cf4f3c762e7160f38b4da56a784d9045190cfe\n";

static int setup(void)
{
	char *kp;
	dir = tu_mkdtemp("prob");
	db = tu_fmt("%s/w.db", dir);
	pick_insurers();
	if (write_data()) {
		fprintf(stderr, "test_e2e_prob: cannot write the inputs in %s\n", dir);
		return 1;
	}
	write_job("job", sqlite_out, prob_passes);
	/* a fixed key: the filters, hence the weights, are the same every run */
	kp = tu_fmt("%s/k.key", dir);
	if (tu_write_file(kp, fixed_key, strlen(fixed_key)) || chmod(kp, 0600)) {
		fprintf(stderr, "test_e2e_prob: cannot write %s\n", kp);
		free(kp);
		return 1;
	}
	free(kp);
	rc1 = tu_colink_run(dir, "run --json --unsigned-agreement job.xml", &out1, NULL);
	return 0;
}

static int teardown(void)
{
	tu_rmtree(dir);
	free(dir);
	free(db);
	free(out1);
	return 0;
}

static long q(const char *sql)
{
	return tu_sql_long(db, sql);
}

/* The link (or review) row of planted pair i: its table's rows joining the
 * employee hired on `hired` to the person examined on `exam`. */
static long planted_rows(const char *table, size_t i, const char *extra)
{
	char *sql = tu_fmt("SELECT count(*) FROM %s AS l "
			   "JOIN person AS pe ON pe.person_id = l.employer_person_id "
			   "JOIN employee AS e ON e.person_no = pe.person_no "
			   "JOIN person AS pa ON pa.person_id = l.association_person_id "
			   "JOIN checkup AS c ON c.person_no = pa.person_no "
			   "WHERE e.hire_date = '%s' AND c.exam_date = '%s' %s",
			   table, planted[i].hired, planted[i].exam, extra);
	long n = q(sql);
	free(sql);
	return n;
}

static void test_e2e_prob__run_loads(void)
{
	CU_ASSERT_EQUAL(rc1, 0);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM person WHERE side = 'employer'"), NBG + NONLY + NPLANTED);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM person WHERE side = 'association'"), NBG + NONLY + NPLANTED);
	/* every person has its features; the symbol only where it was given */
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM person_feature"),
			2 * (NBG + NONLY + NPLANTED));
	/* stored as BLOBs (schema 12): half the bytes of their hex; a token
	 * the first 8 bytes of its HMAC (schema 14) */
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM person_feature WHERE length(name_bf) = 64 "
			  "AND length(birth_md) = 8 AND length(number) = 8 "
			  "AND typeof(name_bf) = 'blob' AND typeof(number) = 'blob'"),
			2 * (NBG + NONLY + NPLANTED));
	/* the planted association persons without 記号 (P1, P3, P4, P5) */
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM person_feature WHERE symbol IS NULL"), 4 +
			q("SELECT count(*) FROM checkup AS c JOIN person_feature AS f "
			  "USING (person_no) WHERE f.symbol IS NULL AND c.exam_date = '2024-06-01'"));
	/* features are not pseudonyms of a key kind */
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM person_key WHERE kind LIKE 'feature%'"), 0);
}

static void test_e2e_prob__exact_passes_link_the_population(void)
{
	/* the population, corruptions and all: the card (pass 1) or the kana
	 * name, birth date, sex and insurer (pass 2, the 番号 typos and the
	 * missing 記号) are intact */
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM link WHERE pass IN (1, 2)"), NBG);
	CU_ASSERT(q("SELECT count(*) FROM link WHERE pass = 2") > NBG / 50);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM link WHERE pass < 3 AND weight IS NOT NULL"), 0);
}

static void test_e2e_prob__each_corruption_linked_by_the_probabilistic_pass(void)
{
	size_t i;
	for (i = 0; i < NLINKED; i++) {
		CU_ASSERT_EQUAL(planted_rows("link", i, "AND l.pass = 3 AND l.kind = 'probabilistic' "
					     "AND l.weight >= 17 AND l.levels IS NOT NULL"), 1);
		if (planted_rows("link", i, "") != 1)
			fprintf(stderr, "planted pair P%zu not linked\n", i + 1);
	}
	/* and nothing else: the one-side persons stay unlinked */
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM link WHERE pass = 3"), NLINKED);
	/* the levels say why */
	CU_ASSERT_EQUAL(planted_rows("link", 0, "AND l.levels LIKE 'name=exact dob=exact % "
				     "symbol=missing number=agree'"), 1);
	CU_ASSERT_EQUAL(planted_rows("link", 1, "AND l.levels LIKE 'name=exact % number=else'"), 1);
	CU_ASSERT_EQUAL(planted_rows("link", 2, "AND l.levels LIKE '% dob=swapped %'"), 1);
	CU_ASSERT_EQUAL(planted_rows("link", 3, "AND l.levels LIKE 'name=similar %'"), 1);
	CU_ASSERT_EQUAL(planted_rows("link", 4, "AND l.levels LIKE 'name=else %'"), 1);
}

static void test_e2e_prob__near_twin_goes_to_review(void)
{
	size_t twin = NPLANTED - 1;
	CU_ASSERT_EQUAL(planted_rows("link", twin, ""), 0);
	CU_ASSERT_EQUAL(planted_rows("link_review", twin, "AND l.pass = 3 AND l.weight >= 10 "
				     "AND l.weight < 17 AND l.levels LIKE '% number=else' "
				     "AND l.group_no IS NOT NULL"), 1);
}

static void test_e2e_prob__estimates_and_report(void)
{
	/* 15 levels and the prior; m of an agreeing 番号 far above its u */
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM link_em WHERE pass = 3"), 16);
	CU_ASSERT_EQUAL(q("SELECT m > 0.5 AND u < 0.05 FROM link_em WHERE feature = 'number' "
			  "AND level = 'agree'"), 1);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM link_report WHERE pass = 3 AND kind = 'probabilistic' "
			  "AND linked = 5"), 1);
	/* the histogram holds every pair judged: the linked, the reviewed and
	 * those below the lower weight */
	CU_ASSERT(q("SELECT (SELECT sum(pairs) FROM link_weight WHERE pass = 3) - "
		    "(SELECT count(*) FROM link WHERE pass = 3) - "
		    "(SELECT count(*) FROM link_review WHERE pass = 3)") > 0);
	CU_ASSERT_EQUAL(q("SELECT sum(pairs) FROM link_weight WHERE pass = 3 AND bin >= 17"), NLINKED);
	CU_ASSERT_PTR_NOT_NULL(out1 && strstr(out1, "{\"pass\":3,\"key\":\"probabilistic\",\"linked\":5}"));
}

/* colink link report shows the estimates and the histogram; colink link
 * review the near twin's weight and levels, never a value. */
static void test_e2e_prob__report_and_review_show_why(void)
{
	char *out = NULL;
	CU_ASSERT_EQUAL(tu_colink_run(dir, "link report w.db", &out, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "pass 3 (probabilistic): 5 linked, 1 ambiguous"));
	CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "pass 3 estimates (m by EM, u from random pairs"));
	CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "    number   agree    m "));
	CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "pass 3 match weights of the pairs judged"));
	free(out);
	out = NULL;
	CU_ASSERT_EQUAL(tu_colink_run(dir, "link report --json w.db", &out, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "\"estimates\":[{\"pass\":3,\"feature\":\"name\","
					     "\"level\":\"exact\""));
	CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "],\"weights\":[{\"pass\":3,\"bin\":"));
	free(out);
	out = NULL;
	CU_ASSERT_EQUAL(tu_colink_run(dir, "link review w.db", &out, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "levels: name=similar dob=exact sex=agree "
					     "insurer=agree symbol=agree number=else"));
	CU_ASSERT_PTR_NULL(out && strstr(out, "サトウ"));
	CU_ASSERT_PTR_NULL(out && strstr(out, "9006"));
	free(out);
}

/* The job file's errors name the file and line; another output refuses. */
/* No raw identifier of the planted persons (the pairs that went through
 * every step of the pass: features, EM, links, review) in the warehouse
 * file, its WAL or the run's output: kana names and birth dates as bytes
 * anywhere, card numbers and 記号+番号 as the whole value of any cell. */
static void test_e2e_prob__no_raw_identifier_anywhere(void)
{
	char *files[3] = { db, tu_fmt("%s-wal", db), NULL }, *cols, *col, *save = NULL, *in;
	const char *text[3];
	size_t len[3], i, k, leaks = 0, ncols = 0;
	for (k = 0; k < 2; k++)
		text[k] = tu_read_file(files[k], &len[k]);
	text[2] = out1;
	len[2] = out1 ? strlen(out1) : 0;
	CU_ASSERT_PTR_NOT_NULL_FATAL(text[0]);
	for (i = 0; i < 2 * NPLANTED; i++) {
		const struct person *p = i % 2 ? &planted[i / 2].a : &planted[i / 2].e;
		char ymd[9];
		const char *needle[3] = { p->name, p->birth, ymd };
		size_t j;
		snprintf(ymd, sizeof(ymd), "%.4s%.2s%.2s", p->birth, p->birth + 5, p->birth + 8);
		for (j = 0; j < 3; j++)
			for (k = 0; k < 3; k++)
				if (text[k] && memmem(text[k], len[k], needle[j], strlen(needle[j]))) {
					fprintf(stderr, "\n  LEAK: value %zu of planted person %zu in %s\n", j,
						i, k == 0 ? "the warehouse" : k == 1 ? "the WAL" : "the output");
					leaks++;
				}
	}
	/* every column of every table, against the card numbers */
	in = tu_fmt("'%s'", planted[0].e.num);
	for (i = 0; i < 2 * NPLANTED; i++) {
		const struct person *p = i % 2 ? &planted[i / 2].a : &planted[i / 2].e;
		char *more = tu_fmt("%s, '%s', '%s%s'", in, p->num, p->sym, p->num);
		free(in);
		in = more;
	}
	cols = tu_sql1(db, "SELECT group_concat(m.name || '.' || c.name, ' ') FROM sqlite_master AS m, "
		       "pragma_table_info(m.name) AS c WHERE m.type = 'table'");
	CU_ASSERT_PTR_NOT_NULL_FATAL(cols);
	for (col = strtok_r(cols, " ", &save); col; col = strtok_r(NULL, " ", &save)) {
		char *dot = strchr(col, '.'), *sql;
		*dot = '\0';
		sql = tu_fmt("SELECT count(*) FROM \"%s\" WHERE CAST(\"%s\" AS TEXT) IN (%s)", col,
			     dot + 1, in);
		if (q(sql) != 0) {
			fprintf(stderr, "\n  LEAK: a card number is a cell of %s.%s\n", col, dot + 1);
			leaks++;
		}
		ncols++;
		free(sql);
	}
	CU_ASSERT(ncols > 100); /* the search really walked the warehouse */
	CU_ASSERT_EQUAL(leaks, 0);
	free(cols);
	free(in);
	free((char *)text[0]);
	free((char *)text[1]);
	free(files[1]);
}

/* The run again with a hardened name filter (NULL: the default) at its
 * default threshold, into another warehouse: the same planted pairs
 * linked, the twin in review, every filter of the encoding's length in
 * bytes (a BLOB since schema 12). */
static void hardened(const char *filter, long bytes)
{
	const char *label = filter ? filter : "default";
	char *name = tu_fmt("hard-%s", label), *wdb = tu_fmt("%s/%s.db", dir, name);
	char *out = tu_fmt("<output plugin=\"out_sqlite\"><set name=\"path\" value=\"%s.db\"/>"
			   "</output>", name);
	char *attr = filter ? tu_fmt(" name-filter=\"%s\"", filter) : tu_fmt("%s", "");
	char *passes = tu_fmt("<pass key=\"card\"/><pass key=\"kana_dob_sex_insurer\"/>"
			      "<pass kind=\"probabilistic\" upper=\"17\" lower=\"10\"%s/>", attr);
	char *cmd = tu_fmt("run --unsigned-agreement %s.xml", name), *sql, *keep = db;
	size_t i;
	write_job(name, out, passes);
	CU_ASSERT_EQUAL_FATAL(tu_colink_run(dir, cmd, NULL, NULL), 0);
	db = wdb;
	sql = tu_fmt("SELECT count(*) FROM person_feature WHERE typeof(name_bf) = 'blob' "
		     "AND length(name_bf) = %ld", bytes);
	CU_ASSERT_EQUAL(q(sql), 2 * (NBG + NONLY + NPLANTED));
	for (i = 0; i < NLINKED; i++) {
		CU_ASSERT_EQUAL(planted_rows("link", i, "AND l.pass = 3 AND l.weight >= 17"), 1);
		if (planted_rows("link", i, "") != 1)
			fprintf(stderr, "%s: planted pair P%zu not linked\n", label, i + 1);
	}
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM link WHERE pass = 3"), NLINKED);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM link WHERE pass IN (1, 2)"), NBG);
	/* the one-kana typo is still "similar", the married name not */
	CU_ASSERT_EQUAL(planted_rows("link", 3, "AND l.levels LIKE 'name=similar %'"), 1);
	CU_ASSERT_EQUAL(planted_rows("link", 4, "AND l.levels LIKE 'name=else %'"), 1);
	CU_ASSERT_EQUAL(planted_rows("link", NPLANTED - 1, ""), 0);
	CU_ASSERT_EQUAL(planted_rows("link_review", NPLANTED - 1, "AND l.pass = 3"), 1);
	db = keep;
	free(sql);
	free(cmd);
	free(passes);
	free(attr);
	free(out);
	free(wdb);
	free(name);
}

static void test_e2e_prob__balanced_filter_links_the_planted_pairs(void)
{
	hardened("balanced", 2 * 64); /* 1,024 bits */
}

static void test_e2e_prob__diffused_filter_links_the_planted_pairs(void)
{
	hardened("diffused", 64); /* the plain filter's 512 bits, diffused */
}

/* The default: balanced, then diffused. */
static void test_e2e_prob__default_filter_links_the_planted_pairs(void)
{
	hardened(NULL, 2 * 64);
}

/* The pass keeps its features in temporary files of $TMPDIR while it
 * runs, unlinked at once: the same links, nothing left behind; a TMPDIR it
 * cannot write fails the run, whose transaction then leaves no link. */
static void test_e2e_prob__temporary_files(void)
{
	char *tmp = tu_fmt("%s/spill", dir), *wdb = tu_fmt("%s/spill.db", dir), *ls;
	char *ok = tu_fmt("cd '%s' && TMPDIR='%s' '%s' run --unsigned-agreement spill.xml", dir,
			  tmp, tu_colink());
	char *bad = tu_fmt("cd '%s' && TMPDIR='%s/nowhere' '%s' run --unsigned-agreement job.xml",
			   dir, dir, tu_colink());
	char *err = NULL, *keep = db;
	CU_ASSERT_EQUAL_FATAL(mkdir(tmp, 0700), 0);
	write_job("spill", "<output plugin=\"out_sqlite\"><set name=\"path\" value=\"spill.db\"/>"
		  "</output>", prob_passes);
	CU_ASSERT_EQUAL(tu_run(ok, NULL, NULL), 0);
	CU_ASSERT_NOT_EQUAL(tu_run(bad, NULL, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "temporary files"));
	ls = tu_fmt("test -z \"$(ls -A '%s')\"", tmp);
	CU_ASSERT_EQUAL(system(ls), 0); /* nothing left in TMPDIR */
	db = wdb;
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM link WHERE pass = 3"), NLINKED);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM link_review WHERE pass = 3"),
			tu_sql_long(keep, "SELECT count(*) FROM link_review WHERE pass = 3"));
	db = keep;
	/* the failed run linked nothing: its links are the first run's */
	CU_ASSERT_EQUAL(q("SELECT count(DISTINCT run_id) FROM link"), 1);
	free(ls);
	free(err);
	free(bad);
	free(ok);
	free(wdb);
	free(tmp);
}

/* sqlite3_exec of sql on the warehouse at path (read-write); 0 or -1. */
static int exec_db(const char *path, const char *sql)
{
	sqlite3 *h = NULL;
	char *msg = NULL;
	int rc = sqlite3_open(path, &h) == SQLITE_OK &&
		 sqlite3_exec(h, sql, NULL, NULL, &msg) == SQLITE_OK ? 0 : -1;
	if (rc)
		fprintf(stderr, "test_e2e_prob: %s: %s\n", path, msg ? msg : sqlite3_errmsg(h));
	sqlite3_free(msg);
	sqlite3_close(h);
	return rc;
}

/* What the link tables hold, run ids aside, as one text (rows sorted). */
static char *link_rows(const char *path)
{
	return tu_sql1(path, "SELECT group_concat(r, char(10)) FROM (SELECT r FROM ("
		       "SELECT 'link|'||employer_person_id||'|'||association_person_id||'|'||pass||'|'"
		       "||kind||'|'||quote(weight)||'|'||coalesce(levels, '') AS r FROM link "
		       "UNION ALL SELECT 'review|'||pass||'|'||kind||'|'||employer_person_id||'|'"
		       "||association_person_id||'|'||reason||'|'||group_no||'|'||quote(weight)||'|'"
		       "||coalesce(levels, '') FROM link_review "
		       "UNION ALL SELECT 'em|'||pass||'|'||feature||'|'||level||'|'||quote(m)||'|'"
		       "||quote(u)||'|'||quote(weight) FROM link_em "
		       "UNION ALL SELECT 'weight|'||pass||'|'||bin||'|'||pairs FROM link_weight "
		       "UNION ALL SELECT 'report|'||pass||'|'||kind||'|'||linked||'|'||ambiguous "
		       "FROM link_report) ORDER BY r)");
}

/* Every feature as hex, by person, as one text. */
static char *feature_rows(const char *path)
{
	return tu_sql1(path, "SELECT group_concat(r, char(10)) FROM (SELECT p.person_id||'|'||"
		       "hex(f.name_bf)||'|'||hex(f.birth_year)||'|'||hex(f.birth_month)||'|'||"
		       "hex(f.birth_day)||'|'||hex(f.birth_md)||'|'||hex(f.sex)||'|'||"
		       "hex(f.insurer)||'|'||coalesce(hex(f.symbol), '-')||'|'||hex(f.number) AS r "
		       "FROM person_feature AS f JOIN person AS p USING (person_no) ORDER BY r)");
}

/* A v12 warehouse with features (schema 12 stored each token as its whole
 * HMAC, 32 bytes, of which the pass compared the first 8) migrates to v14
 * on the next run: its tokens become the 8 bytes a v14 warehouse of the
 * same data has, and that run links, reviews and estimates exactly as the
 * same run into the v14 warehouse does.  The v12 warehouse is the setup
 * run's, turned back: each token followed by 24 random bytes (bytes that
 * no pass ever read; the migration must drop them, whatever they are;
 * BLOB || BLOB is text in SQLite, hence the CAST). */
static void test_e2e_prob__v12_warehouse_migrates_with_the_same_links(void)
{
	char *v12 = tu_fmt("%s/v12.db", dir), *v14 = tu_fmt("%s/v14.db", dir);
	char *copy12 = tu_fmt("VACUUM INTO '%s'", v12), *copy14 = tu_fmt("VACUUM INTO '%s'", v14);
	char *f14, *f12, *l14, *l12, *keep = db;
	CU_ASSERT_EQUAL_FATAL(exec_db(db, copy12), 0);
	CU_ASSERT_EQUAL_FATAL(exec_db(db, copy14), 0);
	CU_ASSERT_EQUAL_FATAL(exec_db(v12, "UPDATE schema_version SET version = 12;"
		"UPDATE person_feature SET "
		"birth_year = CAST(birth_year || randomblob(24) AS BLOB), "
		"birth_month = CAST(birth_month || randomblob(24) AS BLOB), "
		"birth_day = CAST(birth_day || randomblob(24) AS BLOB), "
		"birth_md = CAST(birth_md || randomblob(24) AS BLOB), "
		"sex = CAST(sex || randomblob(24) AS BLOB), "
		"insurer = CAST(insurer || randomblob(24) AS BLOB), "
		"symbol = CAST(symbol || randomblob(24) AS BLOB), "
		"number = CAST(number || randomblob(24) AS BLOB);"), 0);
	db = v12;
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM person_feature WHERE length(birth_year) = 32 "
			  "AND length(number) = 32"), 2 * (NBG + NONLY + NPLANTED));
	db = keep;
	f14 = feature_rows(v14);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f14);
	f12 = feature_rows(v12);
	CU_ASSERT(f12 && strcmp(f12, f14)); /* the padding differs */
	free(f12);

	/* a further run into each: its inputs are loaded already (skipped),
	 * its passes link what is left and estimate again over every person */
	write_job("run12", "<output plugin=\"out_sqlite\"><set name=\"path\" value=\"v12.db\"/>"
		  "</output>", prob_passes);
	write_job("run14", "<output plugin=\"out_sqlite\"><set name=\"path\" value=\"v14.db\"/>"
		  "</output>", prob_passes);
	CU_ASSERT_EQUAL(tu_colink_run(dir, "run --unsigned-agreement run12.xml", NULL, NULL), 0);
	CU_ASSERT_EQUAL(tu_colink_run(dir, "run --unsigned-agreement run14.xml", NULL, NULL), 0);

	db = v12;
	CU_ASSERT_EQUAL(q("SELECT max(version) FROM schema_version"), 15);
	CU_ASSERT_EQUAL(q("SELECT count(*) FROM person_feature WHERE length(birth_year) = 8 "
			  "AND length(birth_month) = 8 AND length(birth_day) = 8 "
			  "AND length(birth_md) = 8 AND length(sex) = 8 AND length(insurer) = 8 "
			  "AND coalesce(length(symbol), 8) = 8 AND length(number) = 8"),
			2 * (NBG + NONLY + NPLANTED));
	CU_ASSERT_EQUAL(q("SELECT count(DISTINCT run_id) FROM link_em"), 2);
	db = keep;
	f12 = feature_rows(v12);
	CU_ASSERT_PTR_NOT_NULL(f12);
	if (f12)
		CU_ASSERT_STRING_EQUAL(f12, f14);
	l12 = link_rows(v12);
	l14 = link_rows(v14);
	CU_ASSERT_PTR_NOT_NULL(l12);
	CU_ASSERT_PTR_NOT_NULL(l14);
	if (l12 && l14)
		CU_ASSERT_STRING_EQUAL(l12, l14);
	free(l14);
	free(l12);
	free(f12);
	free(f14);
	free(copy14);
	free(copy12);
	free(v14);
	free(v12);
}

static void test_e2e_prob__job_errors(void)
{
	char *err = NULL;
	int rc;
	write_job("notlast", sqlite_out, "<pass kind=\"probabilistic\"/>\n<pass key=\"card\"/>");
	rc = tu_colink_run(dir, "check --unsigned-agreement notlast.xml", NULL, &err);
	CU_ASSERT_NOT_EQUAL(rc, 0);
	CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "notlast.xml:7: the probabilistic pass must be the last pass"));
	free(err);
	err = NULL;
	write_job("thresholds", sqlite_out, "<pass kind=\"probabilistic\" upper=\"2\" lower=\"5\"/>");
	rc = tu_colink_run(dir, "check --unsigned-agreement thresholds.xml", NULL, &err);
	CU_ASSERT_NOT_EQUAL(rc, 0);
	CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "thresholds.xml:7: upper must be greater than lower"));
	free(err);
	err = NULL;
	write_job("filter", sqlite_out, "<pass kind=\"probabilistic\" name-filter=\"bloom\"/>");
	rc = tu_colink_run(dir, "check --unsigned-agreement filter.xml", NULL, &err);
	CU_ASSERT_NOT_EQUAL(rc, 0);
	CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "filter.xml:7:"));
	free(err);
	err = NULL;
	write_job("window", sqlite_out, "<pass kind=\"probabilistic\" name-filter=\"balanced\" "
		  "window=\"4\"/>");
	rc = tu_colink_run(dir, "check --unsigned-agreement window.xml", NULL, &err);
	CU_ASSERT_NOT_EQUAL(rc, 0);
	CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "window.xml:7: window applies to a diffused "
					     "name-filter only"));
	free(err);
	err = NULL;
	write_job("window2", sqlite_out, "<pass kind=\"probabilistic\" name-filter=\"diffused\" "
		  "window=\"40\"/>");
	rc = tu_colink_run(dir, "check --unsigned-agreement window2.xml", NULL, &err);
	CU_ASSERT_NOT_EQUAL(rc, 0);
	CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "window2.xml:7: window must be a whole number"));
	free(err);
	err = NULL;
	/* the features never leave the site in an extract, whatever their
	 * encoding */
	rc = tu_colink_run(dir, "pseudonymize --unsigned-agreement job.xml x.db", NULL, &err);
	CU_ASSERT_EQUAL(rc, 3);
	CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "job.xml:7: a probabilistic link pass would put "
					     "comparison features into the extract"));
	free(err);
	err = NULL;
	write_job("exportbal", sqlite_out, "<pass kind=\"probabilistic\" name-filter=\"balanced\"/>");
	rc = tu_colink_run(dir, "pseudonymize --unsigned-agreement exportbal.xml y.db", NULL, &err);
	CU_ASSERT_EQUAL(rc, 3);
	CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "exportbal.xml:7: a probabilistic link pass would "
					     "put comparison features into the extract"));
	free(err);
	err = NULL;
	write_job("pg", "<output plugin=\"out_postgres\"><set name=\"conninfo\" value=\"host=/nowhere\"/>"
		  "<set name=\"schema\" value=\"x\"/></output>", prob_passes);
	rc = tu_colink_run(dir, "run --unsigned-agreement pg.xml", NULL, &err);
	CU_ASSERT_EQUAL(rc, 3); /* a configuration error: refused before any data moves */
	CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "output plugin out_postgres cannot run a probabilistic link pass"));
	free(err);
}

static const struct tu_test tests[] = {
	TU_TEST(test_e2e_prob__run_loads),
	TU_TEST(test_e2e_prob__exact_passes_link_the_population),
	TU_TEST(test_e2e_prob__each_corruption_linked_by_the_probabilistic_pass),
	TU_TEST(test_e2e_prob__near_twin_goes_to_review),
	TU_TEST(test_e2e_prob__estimates_and_report),
	TU_TEST(test_e2e_prob__report_and_review_show_why),
	TU_TEST(test_e2e_prob__no_raw_identifier_anywhere),
	TU_TEST(test_e2e_prob__balanced_filter_links_the_planted_pairs),
	TU_TEST(test_e2e_prob__diffused_filter_links_the_planted_pairs),
	TU_TEST(test_e2e_prob__default_filter_links_the_planted_pairs),
	TU_TEST(test_e2e_prob__temporary_files),
	TU_TEST(test_e2e_prob__v12_warehouse_migrates_with_the_same_links),
	TU_TEST(test_e2e_prob__job_errors),
	TU_END
};

int main(void)
{
	if (tu_add_suite("e2e_prob", setup, teardown, tests))
		return 1;
	return tu_run_suites();
}
