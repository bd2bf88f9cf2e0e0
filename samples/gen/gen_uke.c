/*
 * gen_uke.c -- the association's claims for colink-gen --uke: two UKE files
 * (レセプト電算処理, CP932, CRLF, one record per line; the layout
 * plugins/in_receipt reads with its default settings, docs/claims.md):
 *
 *   ika.uke     医科: IR, then per claim RE, HO, SN, SY..., SI/IY..., and GO
 *   chozai.uke  調剤: IR, then per claim RE, HO, SN, IY..., and GO
 *
 * One 医科 claim per person and 診療年月 of FY2024 (2024-04 .. 2025-03) in
 * which the person saw a doctor: monthly, with probability 0.8, for a
 * person whose traits make a chronic disease (hypertension: sbp >= 140,
 * diabetes: fpg >= 126, dyslipidaemia: ldl >= 160; their diagnoses, ~10%
 * 疑い, start in the first month of visits), else 0.25 (a cold).  A chronic
 * visit gets a 調剤 claim with probability 0.6.  About 6.5 claims per
 * person (4.9 医科, 1.6 調剤; 4,000 persons of seed 1 give 25,957):
 * `--persons` sets the size (1M claims: ~154,000 persons, ~290 MB).  The
 * card is the person's (the one the vendor files carry), so claims and
 * checkups of one person meet on one person_id.  Codes are those of the
 * synthetic masters in samples/masters/.
 *
 * Determinism: stream 6 of the person; no other writer draws from it.
 * Memory is constant in N.
 */
#include "gen_common.h"

#include <iconv.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_BYTES 1024

struct uke_file {
	char *path; /* owned */
	FILE *f;
	uint64_t claims, points;
	uint64_t receipt; /* レセプト番号 of the last claim */
};

struct gen_uke {
	struct uke_file ika, chozai;
	iconv_t cd;
};

/* One record: UTF-8 formatted, CP932 written, CRLF. */
static int rec(struct gen_uke *u, struct uke_file *f, const char *fmt, ...)
{
	char in[LINE_MAX_BYTES], out[LINE_MAX_BYTES * 2];
	char *ip = in, *op = out;
	size_t il, ol = sizeof out - 2;
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(in, sizeof in, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof in) {
		fputs("colink-gen: internal error: UKE record too long\n", stderr);
		abort();
	}
	il = (size_t)n;
	iconv(u->cd, NULL, NULL, NULL, NULL);
	if (iconv(u->cd, &ip, &il, &op, &ol) == (size_t)-1) {
		fprintf(stderr, "colink-gen: %s: a name has no CP932 form\n", f->path);
		return -1;
	}
	*op++ = '\r';
	*op++ = '\n';
	if (fwrite(out, 1, (size_t)(op - out), f->f) != (size_t)(op - out))
		return gen_fail_io(f->path);
	return 0;
}

static int open_file(struct gen_uke *u, struct uke_file *f, const char *dir, const char *name,
		     int score_table, const char *inst_name)
{
	f->path = gen_join_path(dir, name);
	if (!f->path)
		return gen_fail_io(name);
	if (!(f->f = fopen(f->path, "wb")))
		return gen_fail_io(f->path);
	setvbuf(f->f, NULL, _IOFBF, 1 << 20);
	/* IR: 審査支払機関, 都道府県, 点数表, 医療機関コード, , name, 請求年月, ... */
	return rec(u, f, "IR,1,13,%d,%s,,%s,202504,00,0312345678", score_table,
		   score_table == 4 ? "7654321" : "1234567", inst_name);
}

struct gen_uke *gen_uke_open(const char *dir)
{
	struct gen_uke *u = calloc(1, sizeof *u);
	if (!u) {
		gen_fail_io(dir);
		return NULL;
	}
	u->cd = iconv_open("CP932", "UTF-8");
	if (u->cd == (iconv_t)-1) {
		fputs("colink-gen: iconv cannot convert UTF-8 to CP932\n", stderr);
		free(u);
		return NULL;
	}
	if (open_file(u, &u->ika, dir, "ika.uke", 1, "テスト医院") < 0 ||
	    open_file(u, &u->chozai, dir, "chozai.uke", 4, "テスト薬局") < 0) {
		gen_uke_close(u);
		return NULL;
	}
	return u;
}

/* "１２３" of v: the card's 記号 and 番号 as UKE files often carry them. */
static void wide(char *buf, size_t cap, uint64_t v)
{
	char d[24];
	int n = snprintf(d, sizeof d, "%" PRIu64, v);
	size_t o = 0;
	for (int i = 0; i < n && o + 4 < cap; i++) {
		buf[o++] = (char)0xef;
		buf[o++] = (char)0xbc;
		buf[o++] = (char)(0x90 + (d[i] - '0'));
	}
	buf[o] = '\0';
}

/* RE, HO and SN of one claim. */
static int head(struct gen_uke *u, struct uke_file *f, const struct person *p, int y, int m,
		int days, int points)
{
	char sym[16], no[48];
	const char *ins = gen_insurer(p->insurer);
	wide(sym, sizeof sym, (uint64_t)p->symbol);
	wide(no, sizeof no, p->no);
	f->receipt++;
	f->claims++;
	f->points += (uint64_t)points;
	if (rec(u, f, "RE,%" PRIu64 ",1112,%04d%02d,%s　%s,%d,%04d%02d%02d,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,%s　%s,",
		f->receipt, y, m, p->sur->kanji, p->given->kanji, p->male ? 1 : 2, p->birth.y,
		p->birth.m, p->birth.d, p->sur->kana, p->given->kana) < 0 ||
	    rec(u, f, "HO,%s,%s,%s,%d,%d,,,,,,,,,", ins, sym, no, days, points) < 0)
		return -1;
	return rec(u, f, "SN,1,01,%s,%s,%s,%02d,,", ins, sym, no, p->branch);
}

#define TAIL ",,,,,,,1,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,"

/* The person's chronic diagnoses (傷病名コード of samples/masters/). */
struct chronic {
	const char *code[3];
	int n;
};

static void chronic_of(const struct person *p, struct chronic *c)
{
	c->n = 0;
	if (p->sbp >= 140)
		c->code[c->n++] = "9990101"; /* I10 */
	if (p->fpg >= 126)
		c->code[c->n++] = "9990201"; /* E11 */
	if (p->ldl >= 160)
		c->code[c->n++] = "9990301"; /* E78 */
}

int gen_uke_person(struct gen_uke *u, const struct person *p, uint64_t seed)
{
	struct rng r = rng_for(seed, p->no, 6);
	struct chronic c;
	int first = 0, suspect[3];
	chronic_of(p, &c);
	for (int i = 0; i < c.n; i++)
		suspect[i] = chance(&r, 0.10);
	for (int k = 0; k < 12; k++) {
		int y = k < 9 ? 2024 : 2025, m = k < 9 ? k + 4 : k - 8, day = 1 + (int)pick(&r, 28);
		int days = 1 + (int)pick(&r, 2), drugs = c.n && chance(&r, 0.6);
		if (!chance(&r, c.n ? 0.8 : 0.25))
			continue;
		if (!first)
			first = y * 10000 + m * 100 + day;
		if (head(u, &u->ika, p, y, m, days, c.n ? 288 + 142 : 288) < 0)
			return -1;
		for (int i = 0; i < c.n; i++)
			if (rec(u, &u->ika, "SY,%s,%d,1,%s,,%s,", c.code[i], first,
				suspect[i] ? "8002" : "", i ? "" : "01") < 0)
				return -1;
		if (!c.n && rec(u, &u->ika, "SY,9990501,%04d%02d%02d,1,,,01,", y, m, day) < 0)
			return -1;
		if (rec(u, &u->ika, "SI,12,1,999000101,,288,1" TAIL) < 0 ||
		    (c.n && rec(u, &u->ika, "SI,13,1,999000201,,142,1" TAIL) < 0))
			return -1;
		if (!drugs)
			continue;
		if (head(u, &u->chozai, p, y, m, 1, 84) < 0 ||
		    rec(u, &u->chozai, "IY,,1,%s,1,84,28" TAIL,
			!strcmp(c.code[0], "9990201") ? "999100201"
			: !strcmp(c.code[0], "9990301") ? "999100301" : "999100101") < 0)
			return -1;
	}
	return 0;
}

static int close_file(struct gen_uke *u, struct uke_file *f, int complete)
{
	int rc = 0;
	if (f->f && complete && u->cd != (iconv_t)-1 &&
	    rec(u, f, "GO,%" PRIu64 ",%" PRIu64 ",99", f->claims, f->points) < 0)
		rc = -1;
	if (f->f && fclose(f->f) != 0)
		rc = gen_fail_io(f->path);
	free(f->path);
	return rc;
}

int gen_uke_close(struct gen_uke *u)
{
	int rc = 0;
	if (!u)
		return 0;
	if (close_file(u, &u->ika, 1) < 0)
		rc = -1;
	if (close_file(u, &u->chozai, 1) < 0)
		rc = -1;
	if (u->cd != (iconv_t)-1)
		iconv_close(u->cd);
	free(u);
	return rc;
}
