/*
 * gen_csv.c -- the two sample vendor CSV layouts
 * (mappings/vendors/vendor_a.xml, vendor_b.xml) and truth.tsv.
 *
 *   vendor_a.csv  UTF-8, LF, ISO dates, MHLW codes
 *   vendor_b.csv  CP932 through iconv, CRLF, every cell quoted, 和暦,
 *                 full-width card numbers, words for codes
 *   truth.tsv     which person each data row belongs to, so tests can
 *                 check that one person got one pseudonym
 *
 * Memory is constant in N: each row is formatted into a fixed buffer and
 * written at once.
 */
#include "gen_common.h"

#include <errno.h>
#include <iconv.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Era starts (the first day of year 1), newest first. */
static const struct era {
	int start; /* yyyymmdd */
	char letter;
	const char *kanji;
} ERAS[] = {
	{20190501, 'R', "令和"}, {19890108, 'H', "平成"}, {19261225, 'S', "昭和"},
	{19120730, 'T', "大正"}, {18680125, 'M', "明治"},
};

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
	cell_text(w, gen_insurer(p->insurer));
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
	cell_text(w, gen_org(p->org));
	cell_pair(w, p->sur->hkana, " ", p->given->hkana);
	cell_pair(w, p->sur->kanji, "\xe3\x80\x80", p->given->kanji); /* U+3000 */
	cell_text(w, p->male ? "男" : "女");
	cell_wareki(w, p->birth, p->b_birth_style);
	const char *ins = gen_insurer(p->insurer);
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
		return gen_fail_io(o->path);
	return 0;
}

static int out_write(struct out *o, const char *s, size_t n)
{
	if (o->cd == (iconv_t)-1) {
		if (fwrite(s, 1, n, o->f) != n)
			return gen_fail_io(o->path);
		return 0;
	}
	if (n > PEND_CAP - o->plen && out_flush_pending(o) < 0)
		return -1;
	memcpy(o->pend + o->plen, s, n);
	o->plen += n;
	return 0;
}

/* Open DIR/name; with `cp932` rows are converted from UTF-8 on the way out. */
static int out_open(struct out *o, const char *dir, const char *name, int cp932)
{
	memset(o, 0, sizeof *o);
	o->name = name;
	o->cd = (iconv_t)-1;
	o->path = gen_join_path(dir, name);
	if (!o->path)
		return gen_fail_io(name);
	if (cp932) {
		o->cd = iconv_open("CP932", "UTF-8");
		o->pend = malloc(PEND_CAP);
		o->conv = malloc(PEND_CAP);
		if (o->cd == (iconv_t)-1 || !o->pend || !o->conv)
			return gen_fail_io(o->path);
	}
	o->f = fopen(o->path, "wb");
	if (!o->f)
		return gen_fail_io(o->path);
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
		rc = gen_fail_io(o->path);
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
/* The writer                                                           */
/* ------------------------------------------------------------------ */

struct gen_csv {
	struct out a, b, truth; /* a, b closed (f == NULL) when not wanted */
	int want_a, want_b;
	struct row w;           /* the row being written; 2 KiB, kept off the stack */
	struct row t;           /* its truth.tsv line: plain text, no cells */
	struct gen_alt *alt;    /* --fixed / --xlsx: vendor A's rows again, or NULL */
};

void gen_csv_set_alt(struct gen_csv *c, struct gen_alt *a)
{
	c->alt = a;
}

/* Write one data row and its truth.tsv line (file, row, line, person). */
static int emit(struct gen_csv *c, struct out *o, uint64_t person)
{
	struct row *t = &c->t;
	if (out_write(o, c->w.b, c->w.len) < 0)
		return -1;
	o->rows++;
	row_begin(t, 0, 0, 0, "");
	puts_(t, o->name);
	put(t, "\t", 1);
	put_num(t, o->rows, 0, 0);
	put(t, "\t", 1);
	put_num(t, o->rows + 1, 0, 0);
	put(t, "\t", 1);
	put_num(t, person, 0, 0);
	put(t, "\n", 1);
	return out_write(&c->truth, t->b, t->len);
}

int gen_csv_person(struct gen_csv *c, const struct person *p, uint64_t seed)
{
	struct exam e;
	if (p->in_a && c->want_a) {
		exam_make(&e, p, seed, 1, p->exam_a);
		row_a(&c->w, p, &e);
		if (emit(c, &c->a, p->no) < 0 || gen_alt_row(c->alt, c->w.b, c->w.len) < 0)
			return -1;
	}
	if (p->in_b && c->want_b) {
		exam_make(&e, p, seed, 2, p->exam_b);
		row_b(&c->w, p, &e);
		if (emit(c, &c->b, p->no) < 0)
			return -1;
	}
	return 0;
}

struct gen_csv *gen_csv_open(const char *dir, uint64_t seed, uint64_t persons, int want_a,
			     int want_b)
{
	struct gen_csv *c = calloc(1, sizeof *c);
	char head[128];
	if (!c) {
		gen_fail_io(dir);
		return NULL;
	}
	c->a.cd = c->b.cd = c->truth.cd = (iconv_t)-1;
	c->want_a = want_a;
	c->want_b = want_b;
	int n = snprintf(head, sizeof head,
			 "# colink-gen seed=%" PRIu64 " persons=%" PRIu64 "\n# file\trow\tline\tperson\n",
			 seed, persons);
	if (out_open(&c->truth, dir, "truth.tsv", 0) < 0 ||
	    out_write(&c->truth, head, (size_t)n) < 0)
		goto fail;
	if (want_a && (out_open(&c->a, dir, "vendor_a.csv", 0) < 0 ||
		       out_write(&c->a, HEADER_A, sizeof HEADER_A - 1) < 0))
		goto fail;
	if (want_b && (out_open(&c->b, dir, "vendor_b.csv", 1) < 0 ||
		       out_write(&c->b, HEADER_B, sizeof HEADER_B - 1) < 0))
		goto fail;
	return c;
fail:
	gen_csv_close(c);
	return NULL;
}

int gen_csv_close(struct gen_csv *c)
{
	int rc = 0;
	if (!c)
		return 0;
	/* close all three even after a failure; any close error fails the run */
	if (out_close(&c->a) < 0)
		rc = -1;
	if (out_close(&c->b) < 0)
		rc = -1;
	if (out_close(&c->truth) < 0)
		rc = -1;
	free(c);
	return rc;
}
