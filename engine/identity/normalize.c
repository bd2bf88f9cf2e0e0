/*
 * normalize.c -- Japanese identity normalization (see identity.h for the
 * steps) and the variant-kanji table.
 *
 * A value is decoded once into an array of code points, each step rewrites
 * that array, and the result is encoded back to UTF-8.  Every buffer that
 * held a value is wiped before it is freed: these are raw identifiers.
 * Rejection reasons are fixed strings and never quote the value.
 */
#include "identity/identity.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "base/alloc.h"
#include "base/log.h"

#define NFKC_OPTS (UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT)
#define NFC_OPTS (UTF8PROC_STABLE | UTF8PROC_COMPOSE)

/* ---------------------------------------------------------------- */
/* Variant-kanji table                                                */
/* ---------------------------------------------------------------- */

struct vpair {
	int32_t from, to;
	unsigned long line; /* in the table file, for messages */
};

struct colink_variant_table {
	size_t n, cap;
	struct vpair *v; /* sorted by `from` once loaded */
};

void colink_variant_table_free(struct colink_variant_table *t)
{
	if (!t)
		return;
	colink_free(t->v);
	colink_free(t);
}

static int vpair_cmp(const void *a, const void *b)
{
	const struct vpair *x = a, *y = b;
	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static const struct vpair *vt_find(const struct colink_variant_table *t,
				   int32_t cp)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->v[mid].from == cp)
			return &t->v[mid];
		if (t->v[mid].from < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Exactly one valid code point spanning all of s[0..n). */
static int one_cp(const char *s, size_t n, int32_t *cp)
{
	utf8proc_ssize_t r;
	if (n == 0 || n > 4)
		return -1;
	r = utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, cp);
	return r == (utf8proc_ssize_t)n ? 0 : -1;
}

static int vt_add(struct colink_variant_table *t, int32_t from, int32_t to,
		  unsigned long line)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64, bytes;
		struct vpair *v;
		if (colink_size_mul(&bytes, cap, sizeof(*v)))
			return -1;
		v = colink_realloc(t->v, bytes);
		if (!v)
			return -1;
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n].from = from;
	t->v[t->n].to = to;
	t->v[t->n].line = line;
	t->n++;
	return 0;
}

/* One non-comment line "from<TAB>to[<TAB>note]" (no line terminator). */
static int vt_line(struct colink_variant_table *t, char *s, const char *path,
		   unsigned long line, struct colink_error *err)
{
	char *tab1 = strchr(s, '\t'), *tab2;
	int32_t from, to;

	if (!tab1)
		return COLINK_ERR(err, COLINK_EFORMAT,
				  "%s:%lu: expected from<TAB>to<TAB>note", path, line);
	tab2 = strchr(tab1 + 1, '\t');
	if (one_cp(s, (size_t)(tab1 - s), &from))
		return COLINK_ERR(err, COLINK_EFORMAT,
				  "%s:%lu: 'from' must be exactly one character", path, line);
	if (one_cp(tab1 + 1, tab2 ? (size_t)(tab2 - tab1 - 1) : strlen(tab1 + 1),
		   &to))
		return COLINK_ERR(err, COLINK_EFORMAT,
				  "%s:%lu: 'to' must be exactly one character", path, line);
	if (vt_add(t, from, to, line))
		return COLINK_ERR(err, COLINK_ENOMEM,
				  "%s:%lu: out of memory for the variant table", path, line);
	return COLINK_OK;
}

/* Duplicate `from`s and chains (a `to` that is also a `from`). */
static int vt_check(const struct colink_variant_table *t, const char *path,
		    struct colink_error *err)
{
	size_t i;
	for (i = 1; i < t->n; i++)
		if (t->v[i].from == t->v[i - 1].from)
			return COLINK_ERR(err, COLINK_EFORMAT,
					  "%s:%lu: U+%04X is already mapped on line %lu",
					  path, t->v[i].line, (unsigned)t->v[i].from,
					  t->v[i - 1].line);
	for (i = 0; i < t->n; i++) {
		const struct vpair *c = vt_find(t, t->v[i].to);
		if (c)
			return COLINK_ERR(err, COLINK_EFORMAT,
					  "%s:%lu: maps to U+%04X, which line %lu maps again; map straight to the final form",
					  path, t->v[i].line, (unsigned)t->v[i].to, c->line);
	}
	return COLINK_OK;
}

static int vt_read(struct colink_variant_table *t, FILE *f, const char *path,
		   struct colink_error *err)
{
	char buf[1024];
	unsigned long line = 0;
	int rc;

	while (fgets(buf, sizeof(buf), f)) {
		size_t n = strlen(buf);
		line++;
		if (n == sizeof(buf) - 1 && buf[n - 1] != '\n' && !feof(f))
			return COLINK_ERR(err, COLINK_EFORMAT,
					  "%s:%lu: line longer than %zu bytes", path,
					  line, sizeof(buf) - 2);
		while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			buf[--n] = '\0';
		if (n == 0 || buf[0] == '#')
			continue;
		rc = vt_line(t, buf, path, line, err);
		if (rc)
			return rc;
	}
	if (ferror(f))
		return COLINK_ERR(err, COLINK_EIO, "%s: read error", path);
	return COLINK_OK;
}

int colink_variant_table_load(struct colink_variant_table **out,
			      const char *path, struct colink_error *err)
{
	struct colink_variant_table *t;
	FILE *f;
	int rc;

	*out = NULL;
	f = fopen(path, "r");
	if (!f)
		return COLINK_ERR(err, errno == ENOENT ? COLINK_ENOTFOUND : COLINK_EIO,
				  "%s: cannot open variant-kanji table: %s", path,
				  strerror(errno));
	t = colink_calloc(1, sizeof(*t));
	if (!t) {
		fclose(f);
		return COLINK_ERR(err, COLINK_ENOMEM,
				  "%s: out of memory for the variant table", path);
	}
	rc = vt_read(t, f, path, err);
	fclose(f);
	if (!rc && t->n) {
		qsort(t->v, t->n, sizeof(*t->v), vpair_cmp);
		rc = vt_check(t, path, err);
	}
	if (rc) {
		colink_variant_table_free(t);
		return rc;
	}
	*out = t;
	return COLINK_OK;
}

/* ---------------------------------------------------------------- */
/* Normalizer: compiling the chain                                    */
/* ---------------------------------------------------------------- */

enum step {
	ST_NFKC, ST_KATAKANA, ST_STRIP_SPACES, ST_STRIP_HYPHENS, ST_LONG_VOWEL,
	ST_VARIANT, ST_UPPER, ST_DIGITS, ST_INSURER, ST_BRANCH, ST_DATE
};

static const struct {
	const char *name;
	enum step step;
} step_names[] = {
	{ "nfkc", ST_NFKC },
	{ "katakana", ST_KATAKANA },
	{ "strip-spaces", ST_STRIP_SPACES },
	{ "strip-hyphens", ST_STRIP_HYPHENS },
	{ "long-vowel", ST_LONG_VOWEL },
	{ "variant-kanji", ST_VARIANT },
	{ "upper", ST_UPPER },
	{ "digits", ST_DIGITS },
	{ "insurer-number", ST_INSURER },
	{ "branch-number", ST_BRANCH },
	{ "date", ST_DATE },
};
#define NSTEP_NAMES (sizeof(step_names) / sizeof(step_names[0]))
#define STEP_LIST "nfkc, katakana, strip-spaces, strip-hyphens, long-vowel, " \
	"variant-kanji, upper, digits, insurer-number, branch-number, date"

struct colink_normalizer {
	size_t nsteps;
	enum step *steps;
	const struct colink_variant_table *vt; /* borrowed; may be NULL */
	int recompose; /* chain folds text (nfkc or katakana): NFC at the end */
};

void colink_normalizer_free(struct colink_normalizer *n)
{
	if (!n)
		return;
	colink_free(n->steps);
	colink_free(n);
}

/* s[0..len) with surrounding ASCII blanks ignored. */
static int lookup_step(const char *s, size_t len, enum step *st)
{
	size_t i;
	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	for (i = 0; i < NSTEP_NAMES; i++)
		if (strlen(step_names[i].name) == len &&
		    !memcmp(step_names[i].name, s, len)) {
			*st = step_names[i].step;
			return 0;
		}
	return -1;
}

static int compile_steps(struct colink_normalizer *n, const char *chain,
			 struct colink_error *err)
{
	const char *p = chain;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		enum step st;
		if (lookup_step(p, len, &st))
			return COLINK_ERR(err, COLINK_EINVAL,
					  "unknown normalization step '%.*s' in '%.200s' (known: %s)",
					  (int)(len > 64 ? 64 : len), p, chain, STEP_LIST);
		if (st == ST_VARIANT && !n->vt)
			return COLINK_ERR(err, COLINK_EINVAL,
					  "normalization step 'variant-kanji' needs the variant-kanji table");
		n->steps[n->nsteps++] = st;
		if (st == ST_NFKC || st == ST_KATAKANA)
			n->recompose = 1;
		if (!comma)
			return COLINK_OK;
		p = comma + 1;
	}
}

/*
 * `chain` NULL or "" compiles to no steps (the value is only checked to be
 * UTF-8).  `vt` is borrowed and must outlive the normalizer.
 */
int colink_normalizer_new(struct colink_normalizer **out, const char *chain,
			  const struct colink_variant_table *vt,
			  struct colink_error *err)
{
	struct colink_normalizer *n;
	size_t count = 1;
	const char *p;
	int rc;

	*out = NULL;
	n = colink_calloc(1, sizeof(*n));
	if (!n)
		return COLINK_ERR(err, COLINK_ENOMEM,
				  "out of memory for a normalizer");
	n->vt = vt;
	if (chain && *chain) {
		for (p = chain; *p; p++)
			count += *p == ',';
		n->steps = colink_calloc(count, sizeof(*n->steps));
		if (!n->steps) {
			colink_normalizer_free(n);
			return COLINK_ERR(err, COLINK_ENOMEM,
					  "out of memory for a normalizer");
		}
		rc = compile_steps(n, chain, err);
		if (rc) {
			colink_normalizer_free(n);
			return rc;
		}
	}
	*out = n;
	return COLINK_OK;
}

/* ---------------------------------------------------------------- */
/* Code point buffers                                                 */
/* ---------------------------------------------------------------- */

struct cpbuf {
	int32_t *v;
	size_t n, cap; /* cap in code points */
};

/* A step returns NULL or a fixed reason (never containing the value);
 * this one, compared by address, means COLINK_ENOMEM. */
static const char R_NOMEM[] = "out of memory";

static void cp_free(struct cpbuf *b)
{
	colink_wipe_free(b->v, b->cap * sizeof(*b->v));
	b->v = NULL;
	b->n = b->cap = 0;
}

/* Whether s[0..len) is 7-bit ASCII only. */
static int is_ascii(const char *s, size_t len)
{
	size_t i;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

/* The fast path of cp_decode(opts 0) for ASCII: one code point a byte,
 * what utf8proc_decompose gives without options, in the same buffer size. */
static const char *cp_decode_ascii(struct cpbuf *b, const char *s, size_t len)
{
	size_t bytes, i;
	int32_t *v;

	if (colink_size_mul(&bytes, len + 1, sizeof(*v)))
		return "value too long";
	v = colink_malloc(bytes);
	if (!v)
		return R_NOMEM;
	for (i = 0; i < len; i++)
		v[i] = (unsigned char)s[i];
	cp_free(b);
	b->v = v;
	b->n = len;
	b->cap = len + 1;
	return NULL;
}

/* Decode (opts 0) or NFKC-normalize (NFKC_OPTS) UTF-8 into *b.  A fresh
 * buffer replaces *b only on success; utf8proc_decompose is called twice
 * (size, then fill) so that the memory comes from colink_malloc. */
static const char *cp_decode(struct cpbuf *b, const char *s, size_t len,
			     utf8proc_option_t opts)
{
	utf8proc_ssize_t need, got;
	size_t bytes;
	int32_t *v;

	/* utf8proc_ssize_t is ptrdiff_t and a compatibility decomposition
	 * can multiply the count; utf8proc reports OVERFLOW beyond this. */
	if (len > (size_t)PTRDIFF_MAX / 16)
		return "value too long";
	if (opts == 0 && is_ascii(s, len))
		return cp_decode_ascii(b, s, len);
	need = utf8proc_decompose((const utf8proc_uint8_t *)s,
				  (utf8proc_ssize_t)len, NULL, 0, opts);
	if (need < 0)
		return need == UTF8PROC_ERROR_NOMEM ? R_NOMEM
		       : need == UTF8PROC_ERROR_OVERFLOW ? "value too long"
		       : "invalid UTF-8";
	if (colink_size_mul(&bytes, (size_t)need + 1, sizeof(*v)))
		return "value too long";
	v = colink_malloc(bytes);
	if (!v)
		return R_NOMEM;
	got = utf8proc_decompose((const utf8proc_uint8_t *)s,
				 (utf8proc_ssize_t)len, v, need, opts);
	if (got == need && (opts & UTF8PROC_COMPOSE))
		got = utf8proc_normalize_utf32(v, got, opts);
	if (got < 0 || got > need) {
		colink_wipe_free(v, bytes);
		return "invalid UTF-8";
	}
	cp_free(b);
	b->v = v;
	b->n = (size_t)got;
	b->cap = (size_t)need + 1;
	return NULL;
}

/* UTF-8 of b into a fresh colink_malloc buffer (NUL-terminated). */
static const char *cp_encode(const struct cpbuf *b, char **out, size_t *outlen)
{
	size_t bytes, i, w = 0;
	char *s;

	if (colink_size_mul(&bytes, b->n, 4) ||
	    colink_size_add(&bytes, bytes, 1))
		return "value too long";
	s = colink_malloc(bytes);
	if (!s)
		return R_NOMEM;
	for (i = 0; i < b->n; i++)
		w += (size_t)utf8proc_encode_char(b->v[i],
						  (utf8proc_uint8_t *)s + w);
	s[w] = '\0';
	*out = s;
	*outlen = w;
	return NULL;
}

/* ---------------------------------------------------------------- */
/* Steps                                                              */
/* ---------------------------------------------------------------- */

/* Re-run utf8proc over b with `opts` (NFKC_OPTS or NFC_OPTS). */
static const char *cp_renormalize(struct cpbuf *b, utf8proc_option_t opts)
{
	char *s = NULL;
	size_t len = 0, i;
	const char *why;

	/* NFC and NFKC leave ASCII as it is: no ASCII character has a
	 * decomposition and none composes with another. */
	for (i = 0; i < b->n && b->v[i] >= 0 && b->v[i] < 0x80; i++)
		;
	if (i == b->n)
		return NULL;
	why = cp_encode(b, &s, &len);
	if (!why)
		why = cp_decode(b, s, len, opts);
	colink_wipe_free(s, len + 1);
	return why;
}

/* Hiragana, katakana and half-width katakana letters (and ゝ ヽ). */
static int is_kana(int32_t c)
{
	return (c >= 0x3041 && c <= 0x3096) || c == 0x309d ||
	       (c >= 0x30a1 && c <= 0x30fa) || c == 0x30fd ||
	       (c >= 0xff66 && c <= 0xff9d);
}

/*
 * A spacing sound mark ゛ ゜ (U+309B/U+309C) typed right after a kana is
 * that kana's mark: make it the combining one (U+3099/U+309A), as NFKC
 * already does for the half-width ﾞ ﾟ.  NFKC alone turns U+309B into a
 * space + U+3099, which composes with nothing, so "カ゛" would stay apart
 * from "ガ" and "ｶﾞ" (issue #24).  A mark anywhere else is left alone.
 */
static void adopt_sound_marks(struct cpbuf *b)
{
	size_t i;
	for (i = 1; i < b->n; i++)
		if ((b->v[i] == 0x309b || b->v[i] == 0x309c) &&
		    is_kana(b->v[i - 1]))
			b->v[i] -= 2;
}

static const char *st_nfkc(struct cpbuf *b)
{
	adopt_sound_marks(b);
	return cp_renormalize(b, NFKC_OPTS);
}

/* Remove every code point for which drop() is true. */
static void cp_filter(struct cpbuf *b, int (*drop)(int32_t))
{
	size_t i, w = 0;
	for (i = 0; i < b->n; i++)
		if (!drop(b->v[i]))
			b->v[w++] = b->v[i];
	for (i = w; i < b->n; i++)
		b->v[i] = 0;
	b->n = w;
}

static int is_space(int32_t c)
{
	return c == 0x20 || c == 0x3000 || c == 0x09;
}

/* - ‐ ‑ ‒ – — ― − － ｰ.  Not U+30FC ー: in a kana name it is a letter. */
static int is_hyphen(int32_t c)
{
	return c == 0x2d || (c >= 0x2010 && c <= 0x2015) || c == 0x2212 ||
	       c == 0xff0d || c == 0xff70;
}

/* Number steps only: a ー between digits can only be a dash (NFKC turns
 * the half-width ｰ used as a dash into ー). */
static int is_number_junk(int32_t c)
{
	return is_space(c) || is_hyphen(c) || c == 0x30fc;
}

static int is_not_digit(int32_t c)
{
	return c < '0' || c > '9';
}

/* - ‐ ‑ − － ｰ ～ 〜 and "~" (NFKC of ～) become ー. */
static int32_t long_vowel(int32_t c)
{
	switch (c) {
	case 0x2d: case 0x2010: case 0x2011: case 0x2212: case 0xff0d:
	case 0xff70: case 0xff5e: case 0x301c: case 0x7e:
		return 0x30fc;
	default:
		return c;
	}
}

static int32_t katakana(int32_t c)
{
	if (c >= 0x3041 && c <= 0x3096) /* ぁ..ゖ -> ァ..ヶ */
		return c + 0x60;
	if (c == 0x309d || c == 0x309e) /* ゝ ゞ -> ヽ ヾ */
		return c + 0x60;
	return c;
}

static void cp_map(struct cpbuf *b, int32_t (*f)(int32_t))
{
	size_t i;
	for (i = 0; i < b->n; i++)
		b->v[i] = f(b->v[i]);
}

static int32_t upper(int32_t c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

static void st_variant(struct cpbuf *b, const struct colink_variant_table *vt)
{
	size_t i;
	for (i = 0; i < b->n; i++) {
		const struct vpair *p = vt_find(vt, b->v[i]);
		if (p)
			b->v[i] = p->to;
	}
}

/* Left-pad with '0' to `width` code points (b->n <= width). */
static const char *cp_zero_pad(struct cpbuf *b, size_t width)
{
	size_t i, pad = width - b->n;
	int32_t *v;

	if (pad == 0)
		return NULL;
	v = colink_calloc(width + 1, sizeof(*v));
	if (!v)
		return R_NOMEM;
	for (i = 0; i < pad; i++)
		v[i] = '0';
	memcpy(v + pad, b->v, b->n * sizeof(*v));
	cp_free(b);
	b->v = v;
	b->n = width;
	b->cap = width + 1;
	return NULL;
}

/* nfkc, drop spaces and dashes, then 1..width ASCII digits, zero-padded. */
static const char *st_number(struct cpbuf *b, size_t width, const char *bad)
{
	const char *why = st_nfkc(b);
	size_t i;

	if (why)
		return why;
	cp_filter(b, is_number_junk);
	if (b->n == 0 || b->n > width)
		return bad;
	for (i = 0; i < b->n; i++)
		if (is_not_digit(b->v[i]))
			return bad;
	return cp_zero_pad(b, width);
}

static const char *st_insurer(struct cpbuf *b)
{
	char d[9];
	size_t i;
	int ok;
	const char *why = st_number(b, 8, "insurer number must be 1 to 8 digits");

	if (why)
		return why;
	for (i = 0; i < 8; i++)
		d[i] = (char)b->v[i];
	d[8] = '\0';
	ok = colink_insurer_check_digit_ok(d);
	explicit_bzero(d, sizeof(d));
	return ok ? NULL : "insurer number check digit does not match";
}

static const char *apply_step(const struct colink_normalizer *n, enum step st,
			      struct cpbuf *b)
{
	const char *why;

	switch (st) {
	case ST_NFKC: return st_nfkc(b);
	case ST_KATAKANA: cp_map(b, katakana); return NULL;
	case ST_STRIP_SPACES: cp_filter(b, is_space); return NULL;
	case ST_STRIP_HYPHENS: cp_filter(b, is_hyphen); return NULL;
	case ST_LONG_VOWEL: cp_map(b, long_vowel); return NULL;
	case ST_VARIANT: st_variant(b, n->vt); return NULL;
	case ST_UPPER: cp_map(b, upper); return NULL;
	case ST_DIGITS:
		why = st_nfkc(b);
		if (!why)
			cp_filter(b, is_not_digit);
		return why ? why : b->n ? NULL : "no digits";
	case ST_INSURER: return st_insurer(b);
	case ST_BRANCH:
		return st_number(b, 2, "branch number must be 1 or 2 digits");
	case ST_DATE: return NULL;
	}
	return NULL;
}

/* ---------------------------------------------------------------- */
/* Public entry points                                                */
/* ---------------------------------------------------------------- */

/* Fill why[] with a fixed reason and return the matching code. */
static int fail(char *why, size_t whylen, int code, const char *reason)
{
	if (reason == R_NOMEM)
		code = COLINK_ENOMEM;
	if (why && whylen)
		snprintf(why, whylen, "%s", reason);
	return code;
}

static int has_nul(const struct cpbuf *b)
{
	size_t i;
	for (i = 0; i < b->n; i++)
		if (b->v[i] == 0)
			return 1;
	return 0;
}

/*
 * An empty result (e.g. a name of spaces only) is returned as success with
 * *outlen 0: whether an empty part is acceptable is the caller's decision
 * (an optional key part is empty by design).  `in` may be NULL when len is
 * 0.  A NULL normalizer is COLINK_EINVAL.
 */
int colink_normalize(const struct colink_normalizer *n, const char *in,
		     size_t len, char **out, size_t *outlen, char *why,
		     size_t whylen)
{
	struct cpbuf b = { NULL, 0, 0 };
	const char *reason;
	size_t i;

	*out = NULL;
	*outlen = 0;
	if (why && whylen)
		why[0] = '\0';
	if (!n || (!in && len))
		return fail(why, whylen, COLINK_EINVAL, "no normalizer or no value");
	reason = cp_decode(&b, in ? in : "", len, 0);
	if (!reason && has_nul(&b))
		reason = "contains a NUL character";
	for (i = 0; !reason && i < n->nsteps; i++)
		reason = apply_step(n, n->steps[i], &b);
	/* The folding steps can leave a base and its mark apart: わ + U+3099
	 * becomes ワ + U+3099 (ヷ) after katakana, カ ␠ U+3099 becomes
	 * カ + U+3099 after strip-spaces.  Recompose so that every written
	 * form of one name gives one string (issue #24). */
	if (!reason && n->recompose)
		reason = cp_renormalize(&b, NFC_OPTS);
	if (!reason)
		reason = cp_encode(&b, out, outlen);
	cp_free(&b);
	if (reason)
		return fail(why, whylen, COLINK_REJECTED, reason);
	return COLINK_OK;
}

void colink_normalization_version(char out[COLINK_NORM_VERSION_MAX])
{
	snprintf(out, COLINK_NORM_VERSION_MAX, "colink-norm %d; Unicode %s",
		 COLINK_NORMALIZATION_RULES, utf8proc_unicode_version());
}

/*
 * Pseudonyms made under another identity normalization may differ for the
 * same name, so linking them would silently miss people: refused.
 */
int colink_normalization_check(const char *path, const char *recorded, int *warned,
			       struct colink_error *err)
{
	char mine[COLINK_NORM_VERSION_MAX];
	colink_normalization_version(mine);
	if (recorded && !strcmp(recorded, "unrecorded")) {
		if (!(*warned)++)
			colink_log(COLINK_LOG_WARN,
				   "%s: the extract does not record its identity normalization "
				   "(made by an older colink); this colink normalizes under '%s'",
				   path, mine);
		return COLINK_OK;
	}
	if (!recorded || strcmp(recorded, mine))
		return COLINK_ERR(err, COLINK_EINVAL,
				  "%s: the extract's pseudonyms were made under identity normalization "
				  "'%s'; this colink normalizes under '%s' (the same name may give "
				  "another pseudonym: make the extract again with a colink of this "
				  "version, or link with the colink that made it)",
				  path, recorded ? recorded : "(none)", mine);
	return COLINK_OK;
}

int colink_insurer_check_digit_ok(const char *digits8)
{
	int i, sum = 0;

	/* Reads digits8[0..7] only (stops at the first non-digit). */
	for (i = 0; i < 8; i++)
		if (digits8[i] < '0' || digits8[i] > '9')
			return 0;
	/* The digit just left of the check digit (index 6) weighs 2, the
	 * next 1, and so on; a two-digit product counts as its digit sum. */
	for (i = 0; i < 7; i++) {
		int p = (digits8[i] - '0') * ((6 - i) % 2 == 0 ? 2 : 1);
		sum += p >= 10 ? p - 9 : p;
	}
	return (10 - sum % 10) % 10 == digits8[7] - '0';
}
