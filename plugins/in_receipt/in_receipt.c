/*
 * in_receipt.c -- the claims (レセプト) input plugin: UKE files of the
 * レセプト電算処理システム (記録条件仕様: 医科, 調剤 ...).
 *
 * A UKE file is CSV without quoting, one record per line, the record type
 * in the first field: IR heads the file (the institution and billing
 * month), RE starts a claim, HO/KO/SN carry its insurance card and
 * points, SY its diagnoses, SI/IY/TO its procedures, drugs and materials,
 * and GO ends the file.  The reader groups the lines of one claim (RE up
 * to the next RE, IR or GO), checks the claim as a whole, and then emits,
 * according to the `emit` setting, one record per claim, one per
 * diagnosis, or one per procedure/drug/material line.  A job that wants
 * claims and diagnoses lists the file twice, each with its mapping (kind
 * claim, kind diagnosis; docs/claims.md): the records of one claim carry
 * its card and a claim key, so they meet on one person and one claim.
 *
 * A malformed claim (RE missing its month, a bad date, a card without a
 * number, a SY before any RE ...) is rejected whole, by the `emit=claim`
 * input, with the line, record type and field at fault and never a value;
 * inputs emitting children skip it silently, so one bad claim is one
 * reject.  Record types the layout does not cover are counted and logged
 * (by type), never fatal.
 *
 * CP932 is decoded line by line: a comma (0x2C) is never half of a CP932
 * character.  Memory is bounded by max_claim_lines and max_line_bytes.
 */
#include <errno.h>
#include <iconv.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "colink/plugin.h"
#include "uke.h"

enum {
	S_ENCODING, S_EMIT, S_LAYOUT, S_ERA_CODES, S_ITEM_RECORDS,
	S_SUSPECT_MODIFIER, S_MAIN_VALUE, S_YEN_PER_POINT, S_REQUIRE_CARD,
	S_MAX_LINE_BYTES, S_MAX_CLAIM_LINES, S_COUNT
};

static const struct colink_setting_def settings[S_COUNT + 1] = {
	[S_ENCODING] = COLINK_SETTING("encoding", COLINK_SET_ENUM, "CP932",
		"character encoding of the file (the 記録条件仕様 says Shift_JIS)", "CP932|UTF-8"),
	[S_EMIT] = COLINK_SETTING("emit", COLINK_SET_ENUM, "claim",
		"what one record is: a claim, a diagnosis (SY) or an item (SI/IY/TO line)",
		"claim|diagnosis|item"),
	[S_LAYOUT] = COLINK_SETTING("layout", COLINK_SET_STRING, "",
		"field positions overriding the built-in 医科 layout: RE:month=4,birth=7;HO:points=6 ...",
		NULL),
	[S_ERA_CODES] = COLINK_SETTING("era_codes", COLINK_SET_STRING, "1=M,2=T,3=S,4=H,5=R",
		"和暦 era code digits of GYYMMDD dates (別表 元号コード)", NULL),
	[S_ITEM_RECORDS] = COLINK_SETTING("item_records", COLINK_SET_STRING, "SI,IY,TO",
		"record types emitted as items with emit=item (of SI IY TO)", NULL),
	[S_SUSPECT_MODIFIER] = COLINK_SETTING("suspect_modifier", COLINK_SET_STRING, "8002",
		"修飾語コード meaning 疑い; a SY whose modifiers include it is a suspected diagnosis", NULL),
	[S_MAIN_VALUE] = COLINK_SETTING("main_value", COLINK_SET_STRING, "01",
		"value of the SY 主傷病 field that marks the main diagnosis", NULL),
	[S_YEN_PER_POINT] = COLINK_SETTING("yen_per_point", COLINK_SET_INT, "10",
		"yen per point for a claim's amount (10 for 医科 and 調剤 点数表)", NULL),
	[S_REQUIRE_CARD] = COLINK_SETTING("require_card", COLINK_SET_BOOL, "true",
		"reject a claim without a HO record (公費単独: no insurance card)", NULL),
	[S_MAX_LINE_BYTES] = COLINK_SETTING("max_line_bytes", COLINK_SET_INT, "65536",
		"longest line accepted", NULL),
	[S_MAX_CLAIM_LINES] = COLINK_SETTING("max_claim_lines", COLINK_SET_INT, "100000",
		"most lines one claim may have", NULL),
	COLINK_SETTINGS_END
};

enum emit_what { EMIT_CLAIM, EMIT_DIAGNOSIS, EMIT_ITEM };

#define CODE_MAX 16
#define NUNKNOWN 32

struct in_receipt {
	const struct colink_host *host;
	struct colink_host_ctx *hc;
	iconv_t cd; /* CP932 -> UTF-8, or (iconv_t)-1 for UTF-8 */
	int emit;
	struct uke_layout layout;
	struct uke_eras eras;
	int item_rec[R_NREC];
	char suspect[CODE_MAX], main_value[CODE_MAX];
	int64_t yen_per_point;
	int require_card;
	size_t max_line, max_lines;
};

/* One line of the current claim: its fields are NUL-separated in buf. */
struct line {
	uint64_t line_no;
	int rec;     /* enum uke_rec or -1 */
	size_t f0;   /* index of its first field in offs */
	size_t nf;
};

struct reader {
	struct in_receipt *ir;
	struct colink_emitter *em;
	const char *path;
	struct colink_error *err;
	int rc;
	uint64_t line_no, record_no;
	/* the file header (IR), kept as text */
	int have_ir;
	char inst[32], table[8], billing[12];
	/* the claim being gathered */
	char *buf; size_t blen, bcap;
	size_t *offs; size_t noffs, ocap;
	struct line *lines; size_t nlines, lcap;
	int overflow;       /* too many lines: rejected at its end */
	uint64_t poison_line; /* a line of the claim could not be read */
	const char *poison; /* why (static text), or NULL */
	/* decoding */
	char *dec; size_t dcap;
	/* unknown record types, counted */
	char unk_id[NUNKNOWN][3];
	uint64_t unk_n[NUNKNOWN], unk_other;
	uint64_t skipped, claims;
};

/* ------------------------------------------------------------------ */

static int host_said(struct reader *r, int rc)
{
	if (rc && !r->rc) {
		r->rc = rc;
		if (r->err && r->err->code == COLINK_OK)
			COLINK_ERR(r->err, rc, "%s: line %" PRIu64 ": reading stopped by the core",
				   r->path, r->line_no);
	}
	return rc;
}

static void oom(struct reader *r)
{
	if (!r->rc)
		r->rc = COLINK_ERR(r->err, COLINK_ENOMEM, "%s: line %" PRIu64 ": out of memory",
				   r->path, r->line_no);
}

static const char *fld(const struct reader *r, const struct line *l, unsigned pos)
{
	if (!pos || pos > l->nf)
		return "";
	return r->buf + r->offs[l->f0 + pos - 1];
}

static const char *at(const struct reader *r, const struct line *l, int attr)
{
	return fld(r, l, r->ir->layout.pos[l->rec][attr]);
}

/* ------------------------------------------------------------------ */
/* The claim as a whole                                                 */
/* ------------------------------------------------------------------ */

/* What the checks found: the first fault, by line, type and field. */
struct verdict {
	uint64_t line_no;
	char column[24];
	char reason[200];
};

static int fault(struct verdict *v, const struct reader *r, const struct line *l,
		 int attr, const char *what)
{
	unsigned pos = attr >= 0 ? r->ir->layout.pos[l->rec][attr] : 0;
	v->line_no = l->line_no;
	if (pos)
		snprintf(v->column, sizeof(v->column), "%s field %u", uke_rec_name(l->rec), pos);
	else
		snprintf(v->column, sizeof(v->column), "%s", l->rec >= 0 ? uke_rec_name(l->rec) : "line");
	snprintf(v->reason, sizeof(v->reason), "claim rejected: line %" PRIu64 " %s%s%s: %s",
		 l->line_no, uke_rec_name(l->rec), pos ? " " : "",
		 pos ? uke_attr_name(attr) : "", what);
	return -1;
}

static int need_date(struct verdict *v, const struct reader *r, const struct line *l,
		     int attr, int month_only, int required)
{
	int32_t ymd;
	const char *s = at(r, l, attr);
	if (!*s)
		return required ? fault(v, r, l, attr, "is empty") : 0;
	if (uke_date(&r->ir->eras, s, month_only, &ymd))
		return fault(v, r, l, attr, month_only ? "is not a year and month (YYYYMM or GYYMM)"
					    : "is not a date (YYYYMMDD or GYYMMDD)");
	return 0;
}

static int need_uint(struct verdict *v, const struct reader *r, const struct line *l, int attr)
{
	int64_t n;
	const char *s = at(r, l, attr);
	if (*s && uke_uint(s, &n))
		return fault(v, r, l, attr, "is not a whole number");
	return 0;
}

/* s is 1..max ASCII digits. */
static int digits_max(const char *s, size_t max)
{
	size_t n = strlen(s), i;
	if (!n || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* The HO line of the claim (the first), or NULL. */
static const struct line *first_of(const struct reader *r, int rec)
{
	size_t i;
	for (i = 1; i < r->nlines; i++)
		if (r->lines[i].rec == rec)
			return &r->lines[i];
	return NULL;
}

/* Check every line of the claim; 0 or -1 with *v filled. */
static int claim_check(const struct reader *r, struct verdict *v)
{
	const struct line *re = &r->lines[0], *l;
	size_t i;
	if (!r->have_ir)
		return fault(v, r, re, -1, "no IR record before the first claim");
	if (r->overflow)
		return fault(v, r, re, -1, "more lines than max_claim_lines");
	if (r->poison) {
		v->line_no = r->poison_line;
		snprintf(v->column, sizeof(v->column), "line");
		snprintf(v->reason, sizeof(v->reason), "claim rejected: line %" PRIu64 ": %s",
			 r->poison_line, r->poison);
		return -1;
	}
	if (!*at(r, re, A_RECEIPT_NO))
		return fault(v, r, re, A_RECEIPT_NO, "is empty");
	if (!digits_max(at(r, re, A_RECEIPT_NO), 12))
		return fault(v, r, re, A_RECEIPT_NO, "is not a number of at most 12 digits");
	if (need_date(v, r, re, A_MONTH, 1, 1) || need_date(v, r, re, A_BIRTH, 0, 0))
		return -1;
	l = first_of(r, R_HO);
	if (!l && r->ir->require_card)
		return fault(v, r, re, -1, "no HO record (the claim has no insurance card)");
	for (i = 1; i < r->nlines; i++) {
		l = &r->lines[i];
		switch (l->rec) {
		case R_HO:
			if (!*at(r, l, A_INSURER))
				return fault(v, r, l, A_INSURER, "is empty");
			if (!*at(r, l, A_NUMBER))
				return fault(v, r, l, A_NUMBER, "is empty");
			/* fall through */
		case R_KO:
			if (need_uint(v, r, l, A_DAYS) || need_uint(v, r, l, A_POINTS))
				return -1;
			break;
		case R_SY:
			if (!*at(r, l, A_CODE))
				return fault(v, r, l, A_CODE, "is empty");
			if (need_date(v, r, l, A_START, 0, 0))
				return -1;
			break;
		case R_SI: case R_IY: case R_TO:
			if (!*at(r, l, A_CODE))
				return fault(v, r, l, A_CODE, "is empty");
			if (strlen(at(r, l, A_GROUP)) >= CODE_MAX)
				return fault(v, r, l, A_GROUP, "is longer than 15 bytes");
			if (*at(r, l, A_QUANTITY) && uke_decimal(at(r, l, A_QUANTITY)))
				return fault(v, r, l, A_QUANTITY, "is not a number");
			if (need_uint(v, r, l, A_POINTS) || need_uint(v, r, l, A_TIMES))
				return -1;
			break;
		default:
			break;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Emitting                                                             */
/* ------------------------------------------------------------------ */

#define MAXF 40

struct out {
	struct colink_raw_field f[MAXF];
	size_t n;
	char text[MAXF][64]; /* values the reader computes */
};

static void put(struct out *o, const char *name, const char *value)
{
	struct colink_raw_field *f = &o->f[o->n];
	memset(f, 0, sizeof(*f));
	f->name = name;
	f->index = (uint32_t)(o->n + 1);
	f->value = value;
	f->len = value ? strlen(value) : 0;
	o->n++;
}

/* A computed value: formatted into the record's own buffer. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void putf(struct out *o, const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(o->text[o->n], sizeof(o->text[0]), fmt, ap);
	va_end(ap);
	put(o, name, o->text[o->n]);
}

static void put_date(struct out *o, const struct reader *r, const char *name,
		     const char *s, int month_only)
{
	int32_t ymd;
	if (!*s || uke_date(&r->ir->eras, s, month_only, &ymd)) {
		put(o, name, "");
		return;
	}
	putf(o, name, "%04d-%02d-%02d", (int)(ymd / 10000), (int)(ymd / 100 % 100),
	     (int)(ymd % 100));
}

/* The claim's identity and key, common to every record it gives. */
static void put_identity(struct out *o, const struct reader *r)
{
	const struct line *re = &r->lines[0], *ho = first_of(r, R_HO), *sn = NULL;
	size_t i;
	int32_t month = 0;
	for (i = 1; ho && i < r->nlines; i++) { /* the SN of the HO's card */
		const struct line *l = &r->lines[i];
		if (l->rec == R_SN && !strcmp(at(r, l, A_INSURER), at(r, ho, A_INSURER)) &&
		    !strcmp(at(r, l, A_NUMBER), at(r, ho, A_NUMBER))) {
			sn = l;
			break;
		}
	}
	put(o, "保険者番号", ho ? at(r, ho, A_INSURER) : "");
	put(o, "記号", ho ? at(r, ho, A_SYMBOL) : "");
	put(o, "番号", ho ? at(r, ho, A_NUMBER) : "");
	put(o, "枝番", sn ? at(r, sn, A_BRANCH) : "");
	put(o, "氏名", at(r, re, A_NAME));
	put(o, "カナ氏名", at(r, re, A_KANA));
	put_date(o, r, "生年月日", at(r, re, A_BIRTH), 0);
	put(o, "男女区分", at(r, re, A_SEX));
	uke_date(&r->ir->eras, at(r, re, A_MONTH), 1, &month);
	putf(o, "請求キー", "%s-%s-%06d-%s", r->inst, r->billing, (int)(month / 100),
	     at(r, re, A_RECEIPT_NO));
	put_date(o, r, "診療年月", at(r, re, A_MONTH), 1);
}

static int emit_out(struct reader *r, struct out *o, uint64_t line_no)
{
	struct colink_raw_record rec = COLINK_RAW_RECORD_INIT(.nfields = o->n);
	rec.record_no = ++r->record_no;
	rec.line_no = line_no;
	rec.fields = o->f;
	return host_said(r, r->ir->host->emit(r->em, &rec));
}

/* Points of the claim: the HO's, else the first KO's (公費単独). */
static const char *claim_points(const struct reader *r, const struct line **src)
{
	const struct line *l = first_of(r, R_HO);
	if (!l || !*at(r, l, A_POINTS))
		l = first_of(r, R_KO);
	*src = l;
	return l ? at(r, l, A_POINTS) : "";
}

static int emit_claim(struct reader *r)
{
	struct out o;
	const struct line *re = &r->lines[0], *src;
	const char *pts = claim_points(r, &src);
	int64_t p;
	size_t i, ndiag = 0, nitem = 0;
	for (i = 1; i < r->nlines; i++) {
		ndiag += r->lines[i].rec == R_SY;
		nitem += r->lines[i].rec == R_SI || r->lines[i].rec == R_IY ||
			 r->lines[i].rec == R_TO;
	}
	o.n = 0;
	put_identity(&o, r);
	put(&o, "医療機関", r->inst);
	put(&o, "点数表", r->table);
	put_date(&o, r, "請求年月", r->billing, 1);
	put(&o, "レセプト番号", at(r, re, A_RECEIPT_NO));
	put(&o, "レセプト種別", at(r, re, A_RECEIPT_TYPE));
	put(&o, "診療実日数", src ? at(r, src, A_DAYS) : "");
	put(&o, "合計点数", pts);
	if (*pts && !uke_uint(pts, &p))
		putf(&o, "金額", "%" PRId64, p * r->ir->yen_per_point);
	else
		put(&o, "金額", "");
	putf(&o, "傷病数", "%zu", ndiag);
	putf(&o, "明細数", "%zu", nitem);
	return emit_out(r, &o, re->line_no);
}

/* Does the concatenation of 4-digit 修飾語 codes hold `code`? */
static int has_modifier(const char *mods, const char *code)
{
	size_t n = strlen(mods), k = strlen(code), i;
	if (!k)
		return 0;
	for (i = 0; i + k <= n; i += k)
		if (!memcmp(mods + i, code, k))
			return 1;
	return 0;
}

static int emit_children(struct reader *r)
{
	size_t i, seq = 0;
	char group[CODE_MAX] = "";
	for (i = 1; i < r->nlines && !r->rc; i++) {
		const struct line *l = &r->lines[i];
		struct out o;
		o.n = 0;
		if (r->ir->emit == EMIT_DIAGNOSIS && l->rec == R_SY) {
			put_identity(&o, r);
			putf(&o, "順番", "%zu", ++seq);
			put(&o, "傷病名コード", at(r, l, A_CODE));
			put_date(&o, r, "診療開始日", at(r, l, A_START), 0);
			put(&o, "転帰区分", at(r, l, A_OUTCOME));
			put(&o, "修飾語コード", at(r, l, A_MODIFIER));
			put(&o, "主傷病", !strcmp(at(r, l, A_MAIN), r->ir->main_value) ? "1" : "0");
			put(&o, "疑い", has_modifier(at(r, l, A_MODIFIER), r->ir->suspect) ? "1" : "0");
			emit_out(r, &o, l->line_no);
		} else if (r->ir->emit == EMIT_ITEM && l->rec >= 0 && r->ir->item_rec[l->rec]) {
			/* 診療識別 is written on the first line of its group only */
			if (*at(r, l, A_GROUP))
				snprintf(group, sizeof(group), "%s", at(r, l, A_GROUP));
			put_identity(&o, r);
			putf(&o, "順番", "%zu", ++seq);
			put(&o, "レコード", uke_rec_name(l->rec));
			put(&o, "診療識別", group);
			put(&o, "コード", at(r, l, A_CODE));
			put(&o, "数量", at(r, l, A_QUANTITY));
			put(&o, "点数", at(r, l, A_POINTS));
			put(&o, "回数", at(r, l, A_TIMES));
			emit_out(r, &o, l->line_no);
		}
	}
	return r->rc;
}

/* The claim gathered so far is complete: check it, emit or reject. */
static int claim_end(struct reader *r)
{
	struct verdict v;
	if (!r->nlines)
		return r->rc;
	r->claims++;
	if (claim_check(r, &v)) {
		if (r->ir->emit == EMIT_CLAIM)
			host_said(r, r->ir->host->emit_reject(r->em, ++r->record_no, v.line_no,
							      v.column, v.reason));
		else
			r->skipped++;
	} else if (r->ir->emit == EMIT_CLAIM)
		emit_claim(r);
	else
		emit_children(r);
	r->nlines = r->noffs = r->blen = 0;
	r->overflow = 0;
	r->poison = NULL;
	return r->rc;
}

/* ------------------------------------------------------------------ */
/* Lines                                                                */
/* ------------------------------------------------------------------ */

/* A line outside any claim that cannot be read: one reject of its own
 * (emit=claim) or skipped. */
static int line_reject(struct reader *r, const char *column, const char *what)
{
	char reason[200];
	if (r->ir->emit != EMIT_CLAIM) {
		r->skipped++;
		return r->rc;
	}
	snprintf(reason, sizeof(reason), "line %" PRIu64 ": %s", r->line_no, what);
	return host_said(r, r->ir->host->emit_reject(r->em, ++r->record_no, r->line_no,
						     column, reason));
}

/* A line that cannot be read: the open claim is rejected whole (the line
 * was one of its own), or, outside a claim, the line is. */
static void bad_line(struct reader *r, const char *what)
{
	if (r->nlines) {
		if (!r->poison) {
			r->poison = what;
			r->poison_line = r->line_no;
		}
		return;
	}
	line_reject(r, NULL, what);
}

static void count_unknown(struct reader *r, const char *id)
{
	size_t i;
	int ok = strlen(id) == 2 && id[0] >= 'A' && id[0] <= 'Z' && id[1] >= 'A' && id[1] <= 'Z';
	for (i = 0; ok && i < NUNKNOWN; i++) {
		if (!r->unk_id[i][0])
			memcpy(r->unk_id[i], id, 3);
		if (!strcmp(r->unk_id[i], id)) {
			r->unk_n[i]++;
			return;
		}
	}
	r->unk_other++;
}

/* Keep a decoded line (in r->dec, n bytes) as a line of the claim. */
static int keep_line(struct reader *r, const char *s, size_t n, int rec)
{
	const struct colink_host *h = r->ir->host;
	struct line *l;
	size_t i, need;
	if (r->nlines >= r->ir->max_lines) {
		r->overflow = 1;
		return 0;
	}
	if (colink_checked_add(&need, r->blen, n + 1) ||
	    colink_grow(h->realloc, (void **)&r->buf, &r->bcap, need, 1) ||
	    colink_grow(h->realloc, (void **)&r->lines, &r->lcap, r->nlines + 1, sizeof(*r->lines))) {
		oom(r);
		return -1;
	}
	l = &r->lines[r->nlines++];
	l->line_no = r->line_no;
	l->rec = rec;
	l->f0 = r->noffs;
	l->nf = 0;
	memcpy(r->buf + r->blen, s, n);
	r->buf[r->blen + n] = '\0';
	/* a field starts at 0 and after each comma, which becomes its end */
	for (i = 0; i <= n; i++) {
		if (i && s[i - 1] != ',')
			continue;
		if (colink_grow(h->realloc, (void **)&r->offs, &r->ocap, r->noffs + 1,
				sizeof(*r->offs))) {
			oom(r);
			return -1;
		}
		r->offs[r->noffs++] = r->blen + i;
		l->nf++;
	}
	for (i = 0; i < n; i++)
		if (r->buf[r->blen + i] == ',')
			r->buf[r->blen + i] = '\0';
	r->blen += n + 1;
	/* trim ASCII spaces around each field (国保 insurer numbers are
	 * right-aligned with spaces) */
	for (i = 0; i < l->nf; i++) {
		char *f = r->buf + r->offs[l->f0 + i];
		size_t k = strlen(f), b = 0;
		while (b < k && f[b] == ' ')
			b++;
		while (k > b && f[k - 1] == ' ')
			k--;
		memmove(f, f + b, k - b);
		f[k - b] = '\0';
	}
	return 0;
}

static void keep_ir(struct reader *r, const char *s, size_t n)
{
	struct line *l;
	const char *pref, *table, *inst;
	int32_t ymd;
	r->nlines = r->noffs = r->blen = 0;
	if (keep_line(r, s, n, R_IR))
		return;
	l = &r->lines[0];
	pref = at(r, l, A_PREF);
	table = at(r, l, A_TABLE);
	inst = at(r, l, A_INSTITUTION);
	r->have_ir = 0;
	if (!*inst || !*at(r, l, A_BILLING_MONTH))
		line_reject(r, "IR", "IR record without its institution or billing month");
	else if (!digits_max(pref, 2) || !digits_max(table, 2) || !digits_max(inst, 10))
		line_reject(r, "IR", "IR prefecture, 点数表 or institution code is not a short number");
	else if (uke_date(&r->ir->eras, at(r, l, A_BILLING_MONTH), 1, &ymd))
		line_reject(r, "IR", "IR billing month is not a year and month");
	else {
		/* 西暦 YYYYMM whichever form the file uses */
		snprintf(r->billing, sizeof(r->billing), "%06d", (int)(ymd / 100));
		snprintf(r->table, sizeof(r->table), "%s", table);
		snprintf(r->inst, sizeof(r->inst), "%s%s%s", pref, table, inst);
		r->have_ir = 1;
	}
	r->nlines = r->noffs = r->blen = 0;
}

/* Well-formed UTF-8 (no overlong forms, surrogates or code points above
 * U+10FFFF). */
static int utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0, k, len;
	while (i < n) {
		unsigned c = s[i];
		uint32_t cp;
		if (c < 0x80) {
			i++;
			continue;
		}
		len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
		if (!len || c > 0xF4 || i + len > n)
			return 0;
		cp = c & (0x3Fu >> (len - 1));
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += len;
	}
	return 1;
}

/* One physical line (without its end), raw bytes. */
static void one_line(struct reader *r, char *s, size_t n)
{
	struct in_receipt *ir = r->ir;
	char id[3];
	int rec;
	size_t need;
	if (n && s[n - 1] == '\r')
		n--;
	if (!n)
		return; /* blank lines (a trailing one, a 0x1A EOF) are nothing */
	if (n == 1 && s[0] == 0x1A)
		return;
	if (memchr(s, '\0', n)) {
		bad_line(r, "NUL byte in the line");
		return;
	}
	if (ir->cd != (iconv_t)-1) {
		char *in = s, *op;
		size_t il = n, ol;
		if (colink_checked_mul(&need, n, 3) || colink_checked_add(&need, need, 1) ||
		    colink_grow(ir->host->realloc, (void **)&r->dec, &r->dcap, need, 1)) {
			oom(r);
			return;
		}
		op = r->dec;
		ol = r->dcap;
		iconv(ir->cd, NULL, NULL, NULL, NULL);
		if (iconv(ir->cd, &in, &il, &op, &ol) == (size_t)-1 ||
		    iconv(ir->cd, NULL, NULL, &op, &ol) == (size_t)-1) {
			bad_line(r, "invalid CP932 byte sequence");
			return;
		}
		s = r->dec;
		n = (size_t)(op - r->dec);
	} else if (!utf8_valid((const unsigned char *)s, n)) {
		bad_line(r, "invalid UTF-8");
		return;
	}
	memcpy(id, s, n >= 2 ? 2 : n);
	id[n >= 2 ? 2 : n] = '\0';
	if (n > 2 && s[2] != ',')
		id[0] = '\0';
	rec = uke_rec_type(id);
	if (rec == R_IR) {
		claim_end(r);
		keep_ir(r, s, n);
	} else if (rec == R_RE) {
		claim_end(r);
		keep_line(r, s, n, R_RE);
	} else if (!strcmp(id, "GO")) {
		claim_end(r);
	} else if (rec >= 0 || !strcmp(id, "CO") || !strcmp(id, "SJ")) {
		if (!r->nlines)
			line_reject(r, id, "record outside any claim (before its RE)");
		else
			keep_line(r, s, n, rec);
	} else
		count_unknown(r, id);
}

static void log_counts(struct reader *r)
{
	size_t i;
	for (i = 0; i < NUNKNOWN && r->unk_id[i][0]; i++)
		r->ir->host->log(r->ir->hc, COLINK_LOG_INFO,
				 "%s: %" PRIu64 " %s record(s) of a type the layout does not cover, skipped",
				 r->path, r->unk_n[i], r->unk_id[i]);
	if (r->unk_other)
		r->ir->host->log(r->ir->hc, COLINK_LOG_WARN,
				 "%s: %" PRIu64 " line(s) without a record type, skipped",
				 r->path, r->unk_other);
	if (r->skipped)
		r->ir->host->log(r->ir->hc, COLINK_LOG_INFO,
				 "%s: %" PRIu64 " malformed claim(s) or line(s) skipped (the emit=claim input rejects them)",
				 r->path, r->skipped);
}

static int in_receipt_read(void *ctx, const char *path, struct colink_emitter *em,
			   struct colink_error *err)
{
	struct in_receipt *ir = ctx;
	struct reader r;
	char *line;
	size_t len = 0;
	int c, toolong = 0;
	FILE *f;
	memset(&r, 0, sizeof(r));
	r.ir = ir;
	r.em = em;
	r.path = path;
	r.err = err;
	f = fopen(path, "rb");
	if (!f)
		return COLINK_ERR(err, COLINK_EIO, "%s: cannot open: %s", path, strerror(errno));
	line = ir->host->malloc(ir->max_line + 1);
	if (!line)
		oom(&r);
	r.line_no = 1;
	while (line && !r.rc && (c = getc(f)) != EOF) {
		if (c != '\n') {
			if (len < ir->max_line)
				line[len++] = (char)c;
			else
				toolong = 1;
			continue;
		}
		if (toolong)
			bad_line(&r, "line longer than max_line_bytes");
		else
			one_line(&r, line, len);
		len = 0;
		toolong = 0;
		r.line_no++;
	}
	if (!r.rc && ferror(f))
		r.rc = COLINK_ERR(err, COLINK_EIO, "%s: read error", path);
	if (!r.rc && (len || toolong)) {
		if (toolong)
			bad_line(&r, "line longer than max_line_bytes");
		else
			one_line(&r, line, len);
	}
	if (!r.rc)
		claim_end(&r);
	if (!r.rc)
		log_counts(&r);
	fclose(f);
	ir->host->free(line);
	ir->host->free(r.buf);
	ir->host->free(r.offs);
	ir->host->free(r.lines);
	ir->host->free(r.dec);
	return r.rc;
}

/* ------------------------------------------------------------------ */
/* init / fini                                                          */
/* ------------------------------------------------------------------ */

static int configure(struct in_receipt *ir, const struct colink_setting_value *v,
		     struct colink_error *err)
{
	char why[160];
	const char *p;
	if (v[S_MAX_LINE_BYTES].i < 16 || v[S_MAX_LINE_BYTES].i > 16 * 1024 * 1024)
		return COLINK_ERR(err, COLINK_EINVAL, "in_receipt: max_line_bytes must be 16 to 16777216");
	if (v[S_MAX_CLAIM_LINES].i < 2 || v[S_MAX_CLAIM_LINES].i > 10000000)
		return COLINK_ERR(err, COLINK_EINVAL, "in_receipt: max_claim_lines must be 2 to 10000000");
	if (v[S_YEN_PER_POINT].i < 1 || v[S_YEN_PER_POINT].i > 1000)
		return COLINK_ERR(err, COLINK_EINVAL, "in_receipt: yen_per_point must be 1 to 1000");
	if (strlen(v[S_SUSPECT_MODIFIER].text) >= CODE_MAX || strlen(v[S_MAIN_VALUE].text) >= CODE_MAX)
		return COLINK_ERR(err, COLINK_EINVAL, "in_receipt: suspect_modifier and main_value are codes of at most 15 characters");
	ir->max_line = (size_t)v[S_MAX_LINE_BYTES].i;
	ir->max_lines = (size_t)v[S_MAX_CLAIM_LINES].i;
	ir->yen_per_point = v[S_YEN_PER_POINT].i;
	ir->require_card = v[S_REQUIRE_CARD].i != 0;
	ir->emit = !strcmp(v[S_EMIT].text, "claim") ? EMIT_CLAIM
		 : !strcmp(v[S_EMIT].text, "diagnosis") ? EMIT_DIAGNOSIS : EMIT_ITEM;
	strcpy(ir->suspect, v[S_SUSPECT_MODIFIER].text);
	strcpy(ir->main_value, v[S_MAIN_VALUE].text);
	uke_layout_default(&ir->layout);
	if (uke_layout_parse(&ir->layout, v[S_LAYOUT].text, why, sizeof(why)) ||
	    uke_eras_parse(&ir->eras, v[S_ERA_CODES].text, why, sizeof(why)))
		return COLINK_ERR(err, COLINK_EINVAL, "in_receipt: %s", why);
	for (p = v[S_ITEM_RECORDS].text; *p;) {
		char id[3] = { p[0], p[0] ? p[1] : 0, 0 };
		int rec = uke_rec_type(id);
		if (rec != R_SI && rec != R_IY && rec != R_TO)
			return COLINK_ERR(err, COLINK_EINVAL,
					  "in_receipt: item_records: a comma-separated list of SI, IY, TO");
		ir->item_rec[rec] = 1;
		p += 2;
		if (*p == ',')
			p++;
		else if (*p)
			return COLINK_ERR(err, COLINK_EINVAL,
					  "in_receipt: item_records: a comma-separated list of SI, IY, TO");
	}
	if (!strcmp(v[S_ENCODING].text, "CP932")) {
		ir->cd = iconv_open("UTF-8", "CP932");
		if (ir->cd == (iconv_t)-1)
			return COLINK_ERR(err, COLINK_EINVAL, "in_receipt: no CP932 converter: %s",
					  strerror(errno));
	}
	return COLINK_OK;
}

static void in_receipt_fini(void *ctx)
{
	struct in_receipt *ir = ctx;
	if (!ir)
		return;
	if (ir->cd != (iconv_t)-1)
		iconv_close(ir->cd);
	ir->host->free(ir);
}

static int in_receipt_init(void **ctx, const struct colink_host *host,
			   struct colink_host_ctx *hc, const struct colink_setting_values *set,
			   struct colink_error *err)
{
	struct colink_setting_value vals[S_COUNT];
	struct in_receipt *ir;
	int rc;
	*ctx = NULL;
	if (colink_settings_copy(vals, S_COUNT, set))
		return COLINK_ERR(err, COLINK_EABI, "in_receipt: malformed settings from the host");
	if (host->abi_major != COLINK_ABI_MAJOR)
		return COLINK_ERR(err, COLINK_EABI, "in_receipt: host ABI %d, plugin built for %d",
				  host->abi_major, COLINK_ABI_MAJOR);
	ir = host->calloc(1, sizeof(*ir));
	if (!ir)
		return COLINK_ERR(err, COLINK_ENOMEM, "in_receipt: out of memory");
	ir->host = host;
	ir->hc = hc;
	ir->cd = (iconv_t)-1;
	rc = configure(ir, vals, err);
	if (rc) {
		in_receipt_fini(ir);
		return rc;
	}
	*ctx = ir;
	return COLINK_OK;
}

static const struct colink_input_ops ops = COLINK_INPUT_OPS_INIT(.read = in_receipt_read);

static const struct colink_plugin descriptor = COLINK_INPUT_PLUGIN_INIT(
	.name = "in_receipt",
	.version = "1.0",
	.description = "レセプト電算 (UKE) claims: one record per claim, diagnosis or item",
	.settings = settings,
	.init = in_receipt_init,
	.fini = in_receipt_fini,
	.input = &ops);

COLINK_EXPORT const struct colink_plugin *colink_plugin_entry(void)
{
	return &descriptor;
}
