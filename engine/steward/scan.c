/* scan.c -- profiling an unknown delimited file (see scan.h). */
#include "steward/scan.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "base/alloc.h"
#include "core/value.h"

#define BLOCK 65536u
#define SAMPLE_MAX 65536u      /* bytes used to detect the delimiter */
#define SAMPLE_LINES 50
#define TEXT_MAX 64            /* longer values are counted by hash only */
#define TAB_BUDGET 262144u     /* distinct-value slots over all columns */
#define TAB_MAX 4096u
#define TAB_MIN 64u
#define FIELD_MAX (4u << 20)   /* longest field, decoded bytes */

/* ------------------------------------------------------------------ */
/* Names                                                                */
/* ------------------------------------------------------------------ */

const char *colink_scan_type_name(int type)
{
	static const char *const n[] = {"empty", "integer", "decimal", "date", "code", "text"};
	return type >= 0 && type <= COLINK_SCAN_TEXT ? n[type] : "?";
}

const char *colink_scan_date_format_name(int f)
{
	static const char *const n[] = {"auto", "iso", "yyyymmdd", "wareki", "yyyymm"};
	return f >= 0 && f <= COLINK_DATE_YYYYMM ? n[f] : "?";
}

const char *colink_scan_encoding_name(int enc)
{
	return enc == COLINK_SCAN_CP932 ? "CP932" : enc == COLINK_SCAN_UTF8_BOM ? "UTF-8 (BOM)" : "UTF-8";
}

/* ------------------------------------------------------------------ */
/* Pass 1: encoding, line ends and a sample                             */
/* ------------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s (n bytes available): >0 valid,
 * 0 incomplete at the end of the buffer, -1 invalid. */
static int utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	int len, i;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2, cp = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3, cp = c & 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4, cp = c & 0x07;
	else
		return -1;
	for (i = 1; i < len; i++) {
		if ((size_t)i >= n)
			return 0;
		if ((s[i] & 0xC0) != 0x80)
			return -1;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return -1;
	return len;
}

struct pass1 {
	int utf8_ok, cp932_ok, bom;
	uint64_t line, bad_line;   /* first line UTF-8 failed on */
	uint64_t cp932_bad_line;   /* first line CP932 failed on */
	int prev_cr;
	unsigned char carry[4];
	size_t ncarry;
	iconv_t cd;
	char icarry[4];
	size_t nicarry;
	unsigned char *sample;
	size_t nsample;
};

static void ends(struct colink_scan *s, struct pass1 *p, const unsigned char *b, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		if (b[i] == '\n') {
			if (p->prev_cr)
				s->crlf++, s->cr--;
			else
				s->lf++;
			p->line++;
		} else if (b[i] == '\r')
			s->cr++;
		p->prev_cr = b[i] == '\r';
	}
}

/* The line of byte `at` of a block that began on line `line`. */
static uint64_t line_at(uint64_t line, const unsigned char *b, size_t at)
{
	size_t i;
	for (i = 0; i < at; i++)
		line += b[i] == '\n';
	return line;
}

static void utf8_fail(struct pass1 *p, const unsigned char *b, size_t at)
{
	p->utf8_ok = 0;
	p->bad_line = line_at(p->line, b, at);
}

/* Called before ends() so p->line is the block's first line. */
static void check_utf8(struct pass1 *p, const unsigned char *b, size_t n)
{
	unsigned char tmp[8];
	size_t i = 0;
	if (!p->utf8_ok)
		return;
	if (p->ncarry) { /* finish a sequence split by the block boundary */
		size_t k = 0;
		int len;
		memcpy(tmp, p->carry, p->ncarry);
		while (p->ncarry + k < 4 && k < n)
			tmp[p->ncarry + k] = b[k], k++;
		len = utf8_seq(tmp, p->ncarry + k);
		if (len <= 0) {
			utf8_fail(p, b, 0);
			return;
		}
		i = (size_t)len - p->ncarry;
		p->ncarry = 0;
	}
	while (i < n) {
		int len = utf8_seq(b + i, n - i);
		if (len < 0) {
			utf8_fail(p, b, i);
			return;
		}
		if (len == 0) {
			p->ncarry = n - i;
			memcpy(p->carry, b + i, p->ncarry);
			return;
		}
		i += (size_t)len;
	}
}

/* Feed CP932 bytes through iconv only to see that they decode.  Called
 * before ends() so p->line is the block's first line. */
static void check_cp932(struct pass1 *p, const unsigned char *b, size_t n)
{
	char out[4096], in[BLOCK + 4];
	char *ip = in, *op;
	size_t il, ol, carried = p->nicarry, at;
	if (!p->cp932_ok)
		return;
	memcpy(in, p->icarry, p->nicarry);
	memcpy(in + p->nicarry, b, n);
	il = p->nicarry + n;
	p->nicarry = 0;
	while (il) {
		op = out;
		ol = sizeof(out);
		if (iconv(p->cd, &ip, &il, &op, &ol) != (size_t)-1)
			break;
		if (errno == E2BIG)
			continue;
		if (errno == EINVAL && il < sizeof(p->icarry)) {
			memcpy(p->icarry, ip, il);
			p->nicarry = il;
			return;
		}
		p->cp932_ok = 0;
		at = (size_t)(ip - in);
		p->cp932_bad_line = line_at(p->line, b, at > carried ? at - carried : 0);
		return;
	}
}

/*
 * The line to name when neither encoding fits: where the one that held
 * out longer failed (a CP932 file is not UTF-8 from its first Japanese
 * byte; its bad byte is where CP932 failed).  A BOM rules CP932 out.
 */
static uint64_t bad_line(const struct pass1 *p)
{
	uint64_t l = p->bad_line;
	if (!p->bom && p->cp932_bad_line > l)
		l = p->cp932_bad_line;
	return l ? l : 1;
}

static int pass1(struct colink_scan *s, struct pass1 *p, FILE *f, struct colink_error *err)
{
	unsigned char *blk = colink_malloc(BLOCK);
	size_t n;
	int first = 1;
	if (!blk)
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	p->utf8_ok = p->cp932_ok = 1;
	p->line = 1;
	while ((n = fread(blk, 1, BLOCK, f)) > 0) {
		size_t start = 0;
		if (first && n >= 3 && !memcmp(blk, "\xEF\xBB\xBF", 3))
			p->bom = 1, start = 3;
		first = 0;
		if (p->nsample < SAMPLE_MAX) {
			size_t k = n - start < SAMPLE_MAX - p->nsample ? n - start : SAMPLE_MAX - p->nsample;
			memcpy(p->sample + p->nsample, blk + start, k);
			p->nsample += k;
		}
		check_utf8(p, blk + start, n - start);
		check_cp932(p, blk + start, n - start);
		ends(s, p, blk + start, n - start);
		if (!p->utf8_ok && !p->cp932_ok)
			break;
	}
	colink_free(blk);
	if (ferror(f))
		return COLINK_ERR(err, COLINK_EIO, "%s: read error: %s", s->path, strerror(errno));
	if (p->ncarry && p->utf8_ok) /* a sequence cut by the end of the file */
		p->utf8_ok = 0, p->bad_line = p->line;
	if (p->nicarry && p->cp932_ok)
		p->cp932_ok = 0, p->cp932_bad_line = p->line;
	if (p->utf8_ok)
		s->encoding = p->bom ? COLINK_SCAN_UTF8_BOM : COLINK_SCAN_UTF8;
	else if (p->cp932_ok && !p->bom)
		s->encoding = COLINK_SCAN_CP932;
	else
		return COLINK_ERR(err, COLINK_EFORMAT,
				  "%s: line %llu: neither UTF-8 nor CP932 text (a binary file, or another encoding)",
				  s->path, (unsigned long long)bad_line(p));
	return COLINK_OK;
}

/* ------------------------------------------------------------------ */
/* Decoding to UTF-8 (CP932 through iconv, a block at a time)           */
/* ------------------------------------------------------------------ */

struct decoder {
	iconv_t cd;              /* (iconv_t)-1 for UTF-8 input */
	char carry[4];
	size_t ncarry;
	char *out;               /* decoded block */
	size_t cap;
};

/* Decode n bytes into d->out; *outlen its length.  -1 on a bad byte. */
static int decode(struct decoder *d, const char *b, size_t n, size_t *outlen)
{
	char in[BLOCK + 4], *ip = in, *op = d->out;
	size_t il, ol = d->cap;
	if (d->cd == (iconv_t)-1) {
		memcpy(d->out, b, n);
		*outlen = n;
		return 0;
	}
	memcpy(in, d->carry, d->ncarry);
	memcpy(in + d->ncarry, b, n);
	il = d->ncarry + n;
	d->ncarry = 0;
	if (iconv(d->cd, &ip, &il, &op, &ol) == (size_t)-1) {
		if (errno != EINVAL || il >= sizeof(d->carry))
			return -1; /* E2BIG cannot happen: cap is 3x the input */
		memcpy(d->carry, ip, il);
		d->ncarry = il;
	}
	*outlen = d->cap - ol;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Delimiter detection on the sample                                   */
/* ------------------------------------------------------------------ */

/* Per candidate: the field-separator count of each sample line (outside
 * quotes); its mode is the count most lines share (not zero; the larger on a
 * tie), and the winner is the candidate whose mode most lines share, then
 * the larger mode.  *lead gets the lines before the first line with the
 * winner's mode when each of them has at most half its separators: a
 * vendor's title and date lines above the header ("健診結果一覧",
 * "出力日,令和6年7月1日"), which in_csv's skip_lines drops.  A header with
 * one field fewer or more than the data is not taken for a title. */
static char detect_delimiter(const char *t, size_t n, int *quoted, size_t *lead)
{
	static const char cand[4] = {',', '\t', ';', '|'};
	size_t counts[4][SAMPLE_LINES];
	size_t nl = 0, i, j, k, cur[4] = {0};
	int inq = 0, field_start = 1, best = -1;
	size_t best_agree = 0, best_mode = 0;
	*quoted = 0;
	*lead = 0;
	for (i = 0; i < n && nl < SAMPLE_LINES; i++) {
		char c = t[i];
		if (c == '"') {
			if (field_start && !inq)
				*quoted = 1;
			inq = !inq;
		}
		field_start = 0;
		if (inq)
			continue;
		if (c == '\n') {
			for (k = 0; k < 4; k++)
				counts[k][nl] = cur[k], cur[k] = 0;
			nl++;
			field_start = 1;
			continue;
		}
		for (k = 0; k < 4; k++)
			if (c == cand[k])
				cur[k]++, field_start = 1;
	}
	if (nl < SAMPLE_LINES && (cur[0] || cur[1] || cur[2] || cur[3])) { /* a last line without an end */
		for (k = 0; k < 4; k++)
			counts[k][nl] = cur[k];
		nl++;
	}
	for (k = 0; k < 4; k++) {
		size_t mode = 0, agree = 0;
		for (i = 0; i < nl; i++) {
			size_t c = counts[k][i], a = 0;
			if (c == 0)
				continue;
			for (j = 0; j < nl; j++)
				a += counts[k][j] == c;
			if (a > agree || (a == agree && c > mode))
				mode = c, agree = a;
		}
		if (mode == 0)
			continue;
		if (agree > best_agree || (agree == best_agree && mode > best_mode))
			best = (int)k, best_agree = agree, best_mode = mode;
	}
	if (best < 0)
		return ',';
	for (i = 0; i < nl && counts[best][i] != best_mode; i++)
		if (2 * counts[best][i] > best_mode)
			break;
	/* title lines only when data lines follow them (at least two: a header
	 * and a row), never the whole sample */
	if (i < nl && counts[best][i] == best_mode && best_agree >= 2)
		*lead = i;
	return cand[best];
}

/* ------------------------------------------------------------------ */
/* Per-column statistics                                                */
/* ------------------------------------------------------------------ */

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	size_t i;
	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static size_t slots_of(size_t cap)
{
	size_t n = 1;
	while (n < 2 * cap)
		n <<= 1;
	return n;
}

static int tab_add(struct colink_scan_column *c, const char *v, size_t n)
{
	uint64_t h = fnv1a(v, n);
	size_t mask, i;
	if (!c->tab) {
		c->tab = colink_calloc(slots_of(c->cap), sizeof(*c->tab));
		if (!c->tab)
			return -1;
	}
	mask = slots_of(c->cap) - 1;
	for (i = (size_t)h & mask;; i = (i + 1) & mask) {
		struct colink_scan_value *e = &c->tab[i];
		if (!e->count) {
			if (c->distinct >= c->cap) {
				c->overflow = 1; /* counted no more: "at least cap" */
				return 0;
			}
			e->hash = h;
			e->count = 1;
			if (n <= TEXT_MAX && !(e->text = colink_strndup(v, n)))
				return -1;
			c->distinct++;
			return 0;
		}
		if (e->hash == h && (!e->text || (strlen(e->text) == n && !memcmp(e->text, v, n)))) {
			e->count++;
			return 0;
		}
	}
}

static int leading_zero(const char *v, size_t n)
{
	size_t z = 0;
	if (n >= 1 && v[0] == '0')
		z = 1;
	else if (n >= 3 && !memcmp(v, "\xEF\xBC\x90", 3)) /* ０ */
		z = 3;
	if (!z || z >= n)
		return 0;
	return (v[z] >= '0' && v[z] <= '9') ||
	       (n >= z + 3 && (unsigned char)v[z] == 0xEF && (unsigned char)v[z + 1] == 0xBC &&
		(unsigned char)v[z + 2] >= 0x90 && (unsigned char)v[z + 2] <= 0x99);
}

/* Digits only (ASCII or full width)?  Kana only (katakana, hiragana,
 * half-width katakana, ー, spaces), as a name written in kana is? */
static void shape(struct colink_scan_column *c, const unsigned char *v, size_t n)
{
	size_t i;
	int digits = 1, kana = 1;
	for (i = 0; i < n && (digits || kana);) {
		unsigned a = v[i], b = i + 1 < n ? v[i + 1] : 0, d = i + 2 < n ? v[i + 2] : 0;
		if (a >= '0' && a <= '9') {
			kana = 0, i++;
		} else if (a == ' ') {
			digits = 0, i++;
		} else if (a == 0xEF && b == 0xBC && d >= 0x90 && d <= 0x99) { /* ０-９ */
			kana = 0, i += 3;
		} else if ((a == 0xE3 && ((b == 0x81 && d >= 0x81) || b == 0x82 || (b == 0x83 && d <= 0xBC) ||
					  (b == 0x80 && d == 0x80))) ||   /* ぁ-ゟ ァ-ー, U+3000 */
			   (a == 0xEF && ((b == 0xBD && d >= 0xA6) || (b == 0xBE && d <= 0x9F)))) { /* ｦ-ﾟ */
			digits = 0, i += 3;
		} else {
			digits = kana = 0;
		}
	}
	c->n_digits += digits;
	c->n_kana += kana && n >= 6; /* two kana at least */
}

static void classify(struct colink_scan_column *c, const char *v, size_t n)
{
	char buf[64], why[128], cz = 0;
	int f;
	if (!c->min_len || n < c->min_len)
		c->min_len = n;
	shape(c, (const unsigned char *)v, n);
	if (!colink_parse_decimal(v, n, 1, buf, sizeof(buf), &cz, why, sizeof(why))) {
		c->n_number++;
		if (cz)
			c->n_censored++;
		else {
			if (strchr(buf, '.'))
				c->n_fraction++;
			if (leading_zero(v, n))
				c->n_leading_zero++;
			if (!c->num_min[0] || colink_decimal_cmp(buf, c->num_min) < 0)
				memcpy(c->num_min, buf, sizeof(buf));
			if (!c->num_max[0] || colink_decimal_cmp(buf, c->num_max) > 0)
				memcpy(c->num_max, buf, sizeof(buf));
		}
	}
	if (memchr(v, ':', n)) {
		int64_t minutes;
		if (!colink_parse_duration(v, n, COLINK_DUR_HMM, &minutes, why, sizeof(why)))
			c->n_hmm++;
	}
	for (f = COLINK_DATE_ISO; f <= COLINK_DATE_YYYYMM; f++) {
		int32_t d = 0;
		if (!colink_parse_date(v, n, f, &d, why, sizeof(why))) {
			if (!c->date_ok[f] || d < c->date_min[f])
				c->date_min[f] = d;
			if (!c->date_ok[f] || d > c->date_max[f])
				c->date_max[f] = d;
			c->date_ok[f]++;
			c->date_shape[f]++;
		} else if (strncmp(why, "not a date", 10)) {
			c->date_shape[f]++; /* a date, but not a valid one */
		}
	}
}

/* Trim ASCII spaces/tabs/CR and U+3000 at both ends. */
static void trim(const char **v, size_t *n)
{
	const char *s = *v;
	size_t len = *n;
	for (;;) {
		if (len && (*s == ' ' || *s == '\t' || *s == '\r'))
			s++, len--;
		else if (len >= 3 && !memcmp(s, "\xE3\x80\x80", 3))
			s += 3, len -= 3;
		else
			break;
	}
	for (;;) {
		if (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
			len--;
		else if (len >= 3 && !memcmp(s + len - 3, "\xE3\x80\x80", 3))
			len -= 3;
		else
			break;
	}
	*v = s;
	*n = len;
}

static int add_value(struct colink_scan_column *c, const struct colink_scan_opts *o,
		     const char *v, size_t n)
{
	size_t i;
	trim(&v, &n);
	if (!n) {
		c->empty++;
		return 0;
	}
	c->values++;
	if (n > c->max_len)
		c->max_len = n;
	if (tab_add(c, v, n))
		return -1;
	for (i = 0; i < o->nnullwords && i < COLINK_SCAN_MAX_NULLWORDS; i++)
		if (strlen(o->nullwords[i]) == n && !memcmp(o->nullwords[i], v, n)) {
			c->nullwords++;
			c->nullword_mask |= 1ull << i;
			return 0;
		}
	classify(c, v, n);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Pass 2: libcsv over the decoded stream                               */
/* ------------------------------------------------------------------ */

struct pass2 {
	struct colink_scan *s;
	const struct colink_scan_opts *o;
	char **row1;             /* the first row, kept until the header is decided */
	size_t nrow1, caprow1;
	uint64_t row;            /* rows completed */
	size_t field;            /* fields in the current row */
	int failed;              /* out of memory */
	int stop;                /* max_rows reached */
	int fired;               /* a callback ran in this csv_parse call */
	size_t unfired;          /* decoded bytes fed with no callback since */
	uint64_t line;           /* physical lines fed so far */
	uint64_t skip;           /* title lines still to drop (s->skip_lines) */
	/* the fields of the current row, profiled when the row ends (a short
	 * row, a total or a note under the table, is not) */
	char *buf;
	size_t blen, bcap;
	size_t *flen;
	size_t nf, capf;
};

static int grow_columns(struct colink_scan *s, size_t need, size_t cap_each)
{
	struct colink_scan_column *nc;
	size_t bytes, i;
	if (need <= s->ncols)
		return 0;
	if (colink_size_mul(&bytes, need, sizeof(*nc)) || !(nc = colink_realloc(s->cols, bytes)))
		return -1;
	memset(nc + s->ncols, 0, (need - s->ncols) * sizeof(*nc));
	for (i = s->ncols; i < need; i++)
		nc[i].cap = cap_each;
	s->cols = nc;
	s->ncols = need;
	return 0;
}

static void on_field(void *data, size_t len, void *ud)
{
	struct pass2 *p = ud;
	size_t col = p->field++;
	p->fired = 1;
	if (p->failed || p->stop)
		return;
	if (p->row == 0) { /* keep the first row whole */
		if (col >= COLINK_SCAN_MAX_COLUMNS) {
			p->s->extra_fields++;
			return;
		}
		if (p->nrow1 == p->caprow1) {
			size_t nc = p->caprow1 ? 2 * p->caprow1 : 64;
			char **r = colink_realloc(p->row1, nc * sizeof(*r));
			if (!r) {
				p->failed = 1;
				return;
			}
			p->row1 = r;
			p->caprow1 = nc;
		}
		if (!(p->row1[p->nrow1] = colink_strndup(data ? data : "", len))) {
			p->failed = 1;
			return;
		}
		p->nrow1++;
		return;
	}
	if (col >= COLINK_SCAN_MAX_COLUMNS) {
		p->s->extra_fields++;
		return;
	}
	/* kept until the row ends: buf holds the fields one after another */
	if (p->nf == p->capf) {
		size_t nc = p->capf ? 2 * p->capf : 64;
		size_t *r = colink_realloc(p->flen, nc * sizeof(*r));
		if (!r) {
			p->failed = 1;
			return;
		}
		p->flen = r;
		p->capf = nc;
	}
	if (len > p->bcap - p->blen) {
		size_t nc = p->bcap ? p->bcap : 4096;
		char *b;
		while (nc - p->blen < len)
			nc *= 2;
		if (!(b = colink_realloc(p->buf, nc))) {
			p->failed = 1;
			return;
		}
		p->buf = b;
		p->bcap = nc;
	}
	if (len)
		memcpy(p->buf + p->blen, data, len);
	p->blen += len;
	p->flen[p->nf++] = len;
}

/* The fields of the row that ended, into the column profiles. */
static void profile_row(struct pass2 *p)
{
	size_t col, off = 0;
	if (p->nf > p->s->ncols && grow_columns(p->s, p->nf, TAB_MIN)) {
		p->failed = 1;
		return;
	}
	for (col = 0; col < p->nf && !p->failed; off += p->flen[col], col++)
		if (add_value(&p->s->cols[col], p->o, p->buf ? p->buf + off : "", p->flen[col]))
			p->failed = 1;
}

static void on_row(int c, void *ud)
{
	struct pass2 *p = ud;
	(void)c;
	p->fired = 1;
	if (p->failed || p->stop) {
		p->field = 0;
		p->nf = 0;
		p->blen = 0;
		return;
	}
	if (p->row == 0) {
		size_t cap = p->nrow1 ? TAB_BUDGET / p->nrow1 : TAB_MAX;
		cap = cap > TAB_MAX ? TAB_MAX : cap < TAB_MIN ? TAB_MIN : cap;
		if (grow_columns(p->s, p->nrow1, cap))
			p->failed = 1;
	} else {
		if (p->field != p->nrow1)
			p->s->ragged++;
		/* a total or a note under the table ("合計,3件"): at most half the
		 * header's fields; in_csv rejects it (strict_columns), and its
		 * words would make a date column look like text */
		if (p->field != p->nrow1 && p->nrow1 >= 4 && 2 * p->field <= p->nrow1)
			p->s->short_rows++;
		else
			profile_row(p);
		p->s->rows++;
		if (p->o->max_rows && p->s->rows >= p->o->max_rows)
			p->stop = 1;
	}
	p->row++;
	p->field = 0;
	p->nf = 0;
	p->blen = 0;
}

/* libcsv holds a whole field in memory: a field that runs on (an
 * unclosed quote) would grow it without bound, so stop at FIELD_MAX. */
static int runaway(struct pass2 *p, const char *b, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		p->line += b[i] == '\n';
	p->unfired = p->fired ? 0 : p->unfired + n;
	p->fired = 0;
	return p->unfired > FIELD_MAX;
}

static int is_space_only(unsigned char c)
{
	return c == ' ';
}

static int pass2(struct colink_scan *s, struct pass2 *p, FILE *f, struct colink_error *err)
{
	struct csv_parser csv;
	struct decoder d = {(iconv_t)-1, {0}, 0, NULL, 0};
	char *blk = colink_malloc(BLOCK);
	size_t n;
	int rc = COLINK_OK, first = 1;
	d.cap = 3 * (BLOCK + 4);
	d.out = colink_malloc(d.cap);
	if (!blk || !d.out || csv_init(&csv, CSV_APPEND_NULL)) {
		colink_free(blk);
		colink_free(d.out);
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	}
	csv_set_realloc_func(&csv, colink_realloc); /* fault injection reaches libcsv */
	csv_set_free_func(&csv, colink_free);
	csv_set_delim(&csv, (unsigned char)s->delimiter);
	csv_set_space_func(&csv, is_space_only);
	if (s->encoding == COLINK_SCAN_CP932 && (d.cd = iconv_open("UTF-8", "CP932")) == (iconv_t)-1)
		rc = COLINK_ERR(err, COLINK_EINVAL, "no CP932 converter: %s", strerror(errno));
	while (!rc && !p->stop && !p->failed && (n = fread(blk, 1, BLOCK, f)) > 0) {
		size_t start = first && s->encoding == COLINK_SCAN_UTF8_BOM ? 3 : 0, outlen;
		first = 0;
		/* the title lines above the header, dropped as in_csv's skip_lines
		 * drops them: physical lines (no CP932 trail byte is a newline) */
		while (p->skip && start < n)
			if (blk[start++] == '\n')
				p->skip--;
		if (start == n)
			continue;
		if (decode(&d, blk + start, n - start, &outlen))
			rc = COLINK_ERR(err, COLINK_EFORMAT, "%s: the file changed while being scanned", s->path);
		else if (csv_parse(&csv, d.out, outlen, on_field, on_row, p) != outlen && !p->stop)
			rc = COLINK_ERR(err, COLINK_ENOMEM, "%s: %s", s->path, csv_strerror(csv_error(&csv)));
		else if (runaway(p, d.out, outlen))
			rc = COLINK_ERR(err, COLINK_EFORMAT,
					"%s: line %llu: a field longer than %u bytes (an unclosed quote?)",
					s->path, (unsigned long long)p->line, FIELD_MAX);
	}
	if (!rc && !p->stop)
		csv_fini(&csv, on_field, on_row, p);
	csv_free(&csv);
	if (d.cd != (iconv_t)-1)
		iconv_close(d.cd);
	colink_free(blk);
	colink_free(d.out);
	if (!rc && ferror(f))
		rc = COLINK_ERR(err, COLINK_EIO, "%s: read error: %s", s->path, strerror(errno));
	if (!rc && p->failed)
		rc = COLINK_ERR(err, COLINK_ENOMEM, "out of memory scanning %s", s->path);
	s->truncated = p->stop;
	return rc;
}

/* ------------------------------------------------------------------ */
/* Header decision and types                                           */
/* ------------------------------------------------------------------ */

/* A header row: every cell filled, all different, none a number or a date. */
static int looks_like_header(char **row, size_t n)
{
	size_t i, j;
	if (!n)
		return 0;
	for (i = 0; i < n; i++) {
		const char *v = row[i];
		size_t len = strlen(v);
		char buf[64], why[128], cz;
		int32_t d;
		trim(&v, &len);
		if (!len)
			return 0;
		if (!colink_parse_decimal(v, len, 1, buf, sizeof(buf), &cz, why, sizeof(why)) ||
		    !colink_parse_date(v, len, COLINK_DATE_AUTO, &d, why, sizeof(why)))
			return 0;
		for (j = 0; j < i; j++)
			if (!strcmp(row[i], row[j]))
				return 0;
	}
	return 1;
}

static void column_type(struct colink_scan_column *c)
{
	uint64_t v = c->values - c->nullwords, best = 0;
	int f, bf = 0;
	if (!v) {
		c->type = COLINK_SCAN_EMPTY;
		return;
	}
	for (f = COLINK_DATE_ISO; f <= COLINK_DATE_YYYYMM; f++)
		if (c->date_ok[f] > best)
			best = c->date_ok[f], bf = f;
	/* dates: nine in ten values shaped like one format, most of them valid */
	if (bf && c->date_shape[bf] * 10 >= v * 9 && c->date_ok[bf] * 2 >= c->date_shape[bf]) {
		c->type = COLINK_SCAN_DATE;
		c->date_format = bf;
		c->unparsed = v - c->date_ok[bf];
		return;
	}
	if (c->n_number * 10 >= v * 9) {
		c->unparsed = v - c->n_number;
		if (c->n_leading_zero)
			c->type = COLINK_SCAN_CODE; /* 00, 01, 06139992: kept as text */
		else if (c->n_fraction || c->n_censored)
			c->type = COLINK_SCAN_DECIMAL;
		else if (!c->overflow && c->distinct <= 10 && v >= 2 * c->distinct)
			c->type = COLINK_SCAN_CODE;
		else
			c->type = COLINK_SCAN_INTEGER;
		return;
	}
	c->type = !c->overflow && c->distinct <= 20 && v >= 2 * c->distinct ? COLINK_SCAN_CODE
									    : COLINK_SCAN_TEXT;
}

/* A column whose data rows are numbers or dates: a first-row cell above
 * it that is neither is a name, not a value. */
static int typed_column(const struct colink_scan_column *c)
{
	return c->type == COLINK_SCAN_INTEGER || c->type == COLINK_SCAN_DECIMAL ||
	       c->type == COLINK_SCAN_DATE ||
	       (c->type == COLINK_SCAN_CODE && c->n_number && c->n_number == c->values - c->nullwords);
}

/* The first row is a header when it looks like one and some column below
 * it holds numbers or dates.  A file of text columns only is taken as
 * headerless: its first row might be a person's name and address, and a
 * header is printed. */
static int finish(struct colink_scan *s, struct pass2 *p)
{
	size_t i;
	int typed = 0;
	if (p->nrow1 && s->ncols < p->nrow1 && grow_columns(s, p->nrow1, TAB_MIN))
		return -1;
	for (i = 0; i < s->ncols; i++) {
		column_type(&s->cols[i]);
		typed |= i < p->nrow1 && typed_column(&s->cols[i]);
	}
	s->header = typed && looks_like_header(p->row1, p->nrow1);
	for (i = 0; i < p->nrow1; i++) {
		if (s->header) {
			s->cols[i].header = p->row1[i];
			p->row1[i] = NULL;
		} else if (add_value(&s->cols[i], p->o, p->row1[i], strlen(p->row1[i]))) {
			return -1;
		}
	}
	if (!s->header && p->nrow1)
		s->rows++;
	for (i = 0; !s->header && i < s->ncols; i++)
		column_type(&s->cols[i]);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Entry points                                                         */
/* ------------------------------------------------------------------ */

static char *sample_utf8(const struct colink_scan *s, const struct pass1 *p, size_t *n)
{
	char *out = colink_malloc(3 * SAMPLE_MAX + 1);
	if (!out)
		return NULL;
	if (s->encoding != COLINK_SCAN_CP932) {
		memcpy(out, p->sample, p->nsample);
		*n = p->nsample;
	} else {
		iconv_t cd = iconv_open("UTF-8", "CP932");
		char *ip = (char *)p->sample, *op = out;
		size_t il = p->nsample, ol = 3 * SAMPLE_MAX;
		if (cd != (iconv_t)-1) {
			iconv(cd, &ip, &il, &op, &ol); /* stops at a split character */
			iconv_close(cd);
		}
		*n = (size_t)(op - out);
	}
	out[*n] = '\0';
	return out;
}

int colink_scan_file(struct colink_scan **out, const char *path,
		     const struct colink_scan_opts *o, struct colink_error *err)
{
	struct colink_scan *s = colink_calloc(1, sizeof(*s));
	struct pass1 p1;
	struct pass2 p2;
	FILE *f = NULL;
	char *sample = NULL;
	size_t i, ns = 0, lead = 0;
	int rc = COLINK_OK;

	*out = NULL;
	memset(&p1, 0, sizeof(p1));
	memset(&p2, 0, sizeof(p2));
	p1.cd = (iconv_t)-1;
	if (!s || !(s->path = colink_strdup(path)) || !(p1.sample = colink_malloc(SAMPLE_MAX))) {
		rc = COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		goto out;
	}
	if (!(f = fopen(path, "rb"))) {
		rc = COLINK_ERR(err, errno == ENOENT ? COLINK_ENOTFOUND : COLINK_EIO, "%s: %s",
				path, strerror(errno));
		goto out;
	}
	if ((p1.cd = iconv_open("UTF-8", "CP932")) == (iconv_t)-1) {
		rc = COLINK_ERR(err, COLINK_EINVAL, "no CP932 converter: %s", strerror(errno));
		goto out;
	}
	if ((rc = pass1(s, &p1, f, err)))
		goto out;
	if (!(sample = sample_utf8(s, &p1, &ns))) {
		rc = COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		goto out;
	}
	s->delimiter = detect_delimiter(sample, ns, &s->quoted, &lead);
	s->skip_lines = lead;
	rewind(f);
	p2.s = s;
	p2.o = o;
	p2.line = 1 + lead;
	p2.skip = lead;
	if ((rc = pass2(s, &p2, f, err)))
		goto out;
	if (finish(s, &p2)) {
		rc = COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		goto out;
	}
	if (!s->ncols)
		rc = COLINK_ERR(err, COLINK_EFORMAT, "%s:1: no rows: the file is empty", path);
out:
	for (i = 0; i < p2.nrow1; i++)
		colink_free(p2.row1[i]);
	colink_free(p2.row1);
	colink_free(p2.buf);
	colink_free(p2.flen);
	colink_free(sample);
	colink_free(p1.sample);
	if (p1.cd != (iconv_t)-1)
		iconv_close(p1.cd);
	if (f)
		fclose(f);
	if (rc) {
		colink_scan_free(s);
		return rc;
	}
	*out = s;
	return COLINK_OK;
}

void colink_scan_free(struct colink_scan *s)
{
	size_t i, j;
	if (!s)
		return;
	for (i = 0; i < s->ncols; i++) {
		struct colink_scan_column *c = &s->cols[i];
		for (j = 0; c->tab && j < slots_of(c->cap); j++)
			colink_free(c->tab[j].text);
		colink_free(c->tab);
		colink_free(c->header);
	}
	colink_free(s->cols);
	colink_free(s->path);
	colink_free(s);
}

size_t colink_scan_frequent(const struct colink_scan_column *c,
			    const struct colink_scan_value **out, size_t max)
{
	size_t i, j, n = 0;
	if (c->hidden || !c->tab)
		return 0;
	for (i = 0; i < slots_of(c->cap); i++) {
		const struct colink_scan_value *e = &c->tab[i];
		if (e->count < COLINK_SCAN_SHOW_MIN || !e->text)
			continue;
		/* insertion into the top `max`, most frequent first */
		for (j = n; j > 0 && out[j - 1]->count < e->count; j--)
			if (j < max)
				out[j] = out[j - 1];
		if (j < max) {
			out[j] = e;
			if (n < max)
				n++;
		}
	}
	return n;
}
