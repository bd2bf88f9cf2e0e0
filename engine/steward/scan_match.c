/*
 * scan_match.c -- what a header name says, whatever its spelling
 * (`colink scan`, see scan.h and scan_int.h).
 *
 * A header is compared with the vocabulary (synonyms.tsv, fields.tsv,
 * items.tsv) as normalized keys: NFKC (half-width kana ｶﾅｼﾒｲ is カナシメイ,
 * full-width ＨＤＬ（ｍｇ／ｄＬ） is HDL(mg/dL)), ASCII upper case (snake_case,
 * camelCase and spaced names meet: employee_number, employeeNumber,
 * EMPLOYEE NUMBER), no spaces or punctuation, and digit runs without
 * leading zeros (B05 is B5).  A header that does not match as written is
 * tried in these other spellings, all at the strength of the name they
 * meet:
 *   - without a leading item number ("01_身長", "(3) 体重");
 *   - without a bracket that holds a unit (HDL(mg/dL), 腹囲【cm】) or a
 *     legend (飲酒(1:毎日 2:時々 3:ほとんど飲まない), 喫煙(はい/いいえ));
 *   - without a trailing unit (dbp_mmHg, waistCm, 体重kg; units written
 *     in Japanese (円, 分, 日 ...) only after a separator: 残業_分);
 *   - X(Y) as Y(X) (GPT(ALT) is ALT(GPT)).
 * Only when none of them is known: X or Y of X(Y) alone, as a partial
 * match the steward confirms (尿蛋白(定性) -> 尿蛋白).
 * Units are synonyms.tsv `unit` rows: data, not code.
 */
#include "steward/scan_int.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "identity/identity.h"

const char *const colink_scan_kinds[SCAN_NKINDS] = {
	"checkup", "roster", "attendance", "stress", "claims", "participation", "allowance",
};

char *scan_nfkc(const struct colink_scan_vocab *v, const char *s)
{
	char *nf = NULL, why[64];
	size_t nlen = 0;
	if (!colink_normalize(v->norm, s, strlen(s), &nf, &nlen, why, sizeof(why)))
		return nf;
	colink_free(nf);
	return colink_strdup(s);
}

/* Brackets NFKC leaves full width: 【】〔〕「」〈〉《》 (U+3008..U+3015). */
static int cjk_bracket(const unsigned char *p, size_t left, int *open)
{
	if (left < 3 || p[0] != 0xE3 || p[1] != 0x80 || p[2] < 0x88 || p[2] > 0x95 ||
	    p[2] == 0x92 || p[2] == 0x93)
		return 0;
	*open = !(p[2] & 1);
	return 1;
}

void scan_key_of(const struct colink_scan_vocab *v, const char *s, size_t len, char out[KEY_MAX])
{
	char *nf = NULL, why[64];
	size_t nlen = 0, i, o = 0;
	const char *p = s;
	int open;
	if (!colink_normalize(v->norm, s, len, &nf, &nlen, why, sizeof(why)))
		p = nf, len = nlen;
	for (i = 0; i < len && o + 1 < KEY_MAX; i++) {
		unsigned char c = (unsigned char)p[i];
		if (strchr(" \t()[]<>-_./:'\"", c) && c)
			continue;
		if (c == 0xE3 && i + 2 < len && (unsigned char)p[i + 1] == 0x83 &&
		    (unsigned char)p[i + 2] == 0xBB) { /* ・ */
			i += 2;
			continue;
		}
		if (cjk_bracket((const unsigned char *)p + i, len - i, &open)) {
			i += 2;
			continue;
		}
		/* a leading zero of a digit run: B05 is B5, 服薬01 is 服薬1 */
		if (c == '0' && i + 1 < len && p[i + 1] >= '0' && p[i + 1] <= '9' &&
		    !(o && out[o - 1] >= '0' && out[o - 1] <= '9'))
			continue;
		out[o++] = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
	}
	out[o] = '\0';
	colink_free(nf);
}

/* ------------------------------------------------------------------ */
/* Spellings                                                            */
/* ------------------------------------------------------------------ */

#define MAX_SPELL 16

struct spellings {
	char key[MAX_SPELL][KEY_MAX];
	int partial[MAX_SPELL];
	size_t n;
};

static void add_key(struct spellings *sp, const char *key, int partial)
{
	size_t i;
	if (!key[0] || sp->n >= MAX_SPELL)
		return;
	for (i = 0; i < sp->n; i++)
		if (!strcmp(sp->key[i], key))
			return;
	strcpy(sp->key[sp->n], key);
	sp->partial[sp->n++] = partial;
}

static void add_text(struct spellings *sp, const struct colink_scan_vocab *v, const char *t,
		     size_t n, int partial)
{
	char key[KEY_MAX];
	scan_key_of(v, t, n, key);
	add_key(sp, key, partial);
}

static int unit_key(const struct colink_scan_vocab *v, const char *t, size_t n)
{
	char key[KEY_MAX];
	size_t i;
	scan_key_of(v, t, n, key);
	for (i = 0; key[0] && i < v->nunits; i++)
		if (!strcmp(v->unitkey[i], key))
			return 1;
	return 0;
}

/* A unit (mg/dL), a count of one (8桁) or 単位: ... */
static int is_unit(const struct colink_scan_vocab *v, const char *t, size_t n)
{
	size_t d = 0;
	while (n && t[0] == ' ')
		t++, n--;
	if (n >= 6 && !memcmp(t, "\xE5\x8D\x98\xE4\xBD\x8D", 6)) /* 単位: ... */
		return 1;
	if (unit_key(v, t, n))
		return 1;
	while (d < n && t[d] >= '0' && t[d] <= '9')
		d++;
	return d && d < n && (unsigned char)t[d] >= 0x80 && unit_key(v, t + d, n - d);
}

/* A legend: "1:毎日 2:時々", "1=はい", "1.男 2.女", "はい/いいえ". */
static int is_legend(const char *t, size_t n)
{
	size_t i;
	for (i = 0; i + 1 < n; i++) {
		if (t[i] < '0' || t[i] > '9')
			continue;
		if (t[i + 1] == ':' || t[i + 1] == '=' ||
		    (t[i + 1] == '.' && (i + 2 >= n || t[i + 2] < '0' || t[i + 2] > '9')))
			return 1;
	}
	return memmem(t, n, "\xE3\x81\xAF\xE3\x81\x84", 6) && /* はい */
	       memmem(t, n, "\xE3\x81\x84\xE3\x81\x84\xE3\x81\x88", 9); /* いいえ */
}

/* ASCII brackets for the full-width ones NFKC keeps: 【cm】 is (cm). */
static void ascii_brackets(char *s)
{
	size_t i, o = 0, n = strlen(s);
	int open;
	for (i = 0; i < n; i++) {
		if (cjk_bracket((unsigned char *)s + i, n - i, &open)) {
			s[o++] = open ? '(' : ')';
			i += 2;
		} else if (s[i] == '[' || s[i] == ']') {
			s[o++] = s[i] == '[' ? '(' : ')';
		} else {
			s[o++] = s[i];
		}
	}
	s[o] = '\0';
}

/* "01_", "1.", "(3)", "12 " before a name: an item number. */
static const char *skip_numbering(const char *s)
{
	const char *p = s;
	int paren = *p == '(';
	p += paren;
	if (*p < '0' || *p > '9')
		return s;
	while (*p >= '0' && *p <= '9' && p - s < 5)
		p++;
	if (paren && *p++ != ')')
		return s;
	if (!paren && !strchr("._:) -", *p))
		return s;
	while (*p && strchr("._:) -", *p))
		p++;
	return *p ? p : s;
}

/* Remove each top-level (...) holding a unit or a legend; the others
 * are kept.  *last_open: where the last kept group starts in out when it
 * ends the text (X(Y)), else (size_t)-1. */
static void drop_groups(const struct colink_scan_vocab *v, const char *s, char *out, size_t *last_open)
{
	size_t o = 0, i = 0, n = strlen(s);
	*last_open = (size_t)-1;
	while (i < n) {
		size_t j, depth = 0;
		if (s[i] != '(') {
			out[o++] = s[i++];
			continue;
		}
		for (j = i; j < n; j++) {
			depth += s[j] == '(';
			depth -= s[j] == ')';
			if (!depth)
				break;
		}
		if (j >= n) { /* unbalanced: keep the rest as it is */
			memcpy(out + o, s + i, n - i);
			o += n - i;
			break;
		}
		if (!is_unit(v, s + i + 1, j - i - 1) && !is_legend(s + i + 1, j - i - 1)) {
			*last_open = o;
			memcpy(out + o, s + i, j + 1 - i);
			o += j + 1 - i;
		}
		i = j + 1;
	}
	while (o && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	if (*last_open != (size_t)-1 && out[o ? o - 1 : 0] != ')')
		*last_open = (size_t)-1;
}

static int ascii_unit(const char *u)
{
	for (; *u; u++)
		if ((*u >= 'A' && *u <= 'Z') || (*u >= 'a' && *u <= 'z') || *u == '%')
			return 1;
	return 0;
}

/* Trailing units: on the key for units with Latin letters (dbp_mmHg,
 * waistCm, HDLmg/dL), after a separator for the others (残業_分). */
static void strip_units(struct spellings *sp, const struct colink_scan_vocab *v, const char *s)
{
	char key[KEY_MAX], k2[KEY_MAX];
	size_t i, n = strlen(s), kl;
	scan_key_of(v, s, n, key);
	kl = strlen(key);
	for (i = 0; i < v->nunits; i++) {
		const char *u = v->unit[i], *uk = v->unitkey[i];
		size_t ul = strlen(u), ukl = strlen(uk);
		if (ascii_unit(u)) {
			if (ukl && kl > ukl && !strcmp(key + kl - ukl, uk)) {
				memcpy(k2, key, kl - ukl);
				k2[kl - ukl] = '\0';
				add_key(sp, k2, 0);
			}
		} else if (n > ul + 1 && !memcmp(s + n - ul, u, ul) && strchr("_ -", s[n - ul - 1])) {
			add_text(sp, v, s, n - ul - 1, 0);
		}
	}
}

static void spellings_of(const struct colink_scan_vocab *v, const char *header, struct spellings *sp)
{
	char *nf = scan_nfkc(v, header), *core = NULL;
	const char *body;
	size_t last;
	sp->n = 0;
	add_text(sp, v, header, strlen(header), 0);
	if (!nf)
		return;
	ascii_brackets(nf);
	body = skip_numbering(nf);
	core = colink_malloc(strlen(body) + 1);
	if (!core) {
		colink_free(nf);
		return;
	}
	drop_groups(v, body, core, &last);
	add_text(sp, v, core, strlen(core), 0);
	strip_units(sp, v, core);
	if (last != (size_t)-1 && last > 0) {
		char kx[KEY_MAX], ky[KEY_MAX], both[2 * KEY_MAX];
		size_t cl = strlen(core);
		scan_key_of(v, core, last, kx);
		scan_key_of(v, core + last + 1, cl - last - 2, ky);
		snprintf(both, sizeof(both), "%s%s", ky, kx);
		if (strlen(both) < KEY_MAX)
			add_key(sp, both, 0);        /* GPT(ALT): ALT(GPT) */
		add_key(sp, kx, 1);                  /* 尿蛋白(定性): 尿蛋白 */
		add_key(sp, ky, 1);
	}
	colink_free(core);
	colink_free(nf);
}

/* ------------------------------------------------------------------ */
/* Lookups                                                              */
/* ------------------------------------------------------------------ */

static int lookup(const struct colink_scan_vocab *v, const char *key,
		  const struct colink_field_def **cand, size_t max, size_t *n, int *weak)
{
	size_t i, j;
	int best = 0;
	*n = 0;
	*weak = 0;
	for (i = 0; i < v->nnames; i++) {
		const struct name *nm = &v->names[i];
		int dup = 0;
		if (strcmp(nm->key, key) || nm->level < best)
			continue;
		if (nm->level > best)
			best = nm->level, *n = 0, *weak = 0;
		for (j = 0; j < *n; j++)
			dup |= cand[j] == nm->field;
		if (nm->weak)
			*weak = 1;
		if (!dup && *n < max)
			cand[(*n)++] = nm->field;
	}
	return best;
}

int scan_level_of(const struct colink_scan_vocab *v, const char *header,
		  const struct colink_field_def **cand, size_t max, size_t *n, int *weak,
		  int *partial)
{
	struct spellings *sp = colink_malloc(sizeof(*sp));
	const struct colink_field_def *c2[16];
	size_t i, n2;
	int best = 0, w2, lv, pass;
	*n = 0;
	*weak = 0;
	*partial = 0;
	if (!sp || !header)
		goto out;
	if (max > 16)
		max = 16;
	spellings_of(v, header, sp);
	/* whole spellings first; parts only when none is known */
	for (pass = 0; pass < 2 && !best; pass++)
		for (i = 0; i < sp->n; i++) {
			if (sp->partial[i] != pass)
				continue;
			lv = lookup(v, sp->key[i], c2, max, &n2, &w2);
			if (lv > best) {
				best = lv;
				memcpy(cand, c2, n2 * sizeof(c2[0]));
				*n = n2;
				*weak = w2;
				*partial = pass;
			}
		}
out:
	colink_free(sp);
	return best;
}

static int key_in(char *const *keys, size_t n, const struct spellings *sp)
{
	size_t i, j;
	for (i = 0; i < sp->n; i++)
		for (j = 0; j < n; j++)
			if (!strcmp(keys[j], sp->key[i]))
				return 1;
	return 0;
}

int scan_is_idword(const struct colink_scan_vocab *v, const char *header)
{
	struct spellings *sp;
	int r;
	if (!header || !*header || !(sp = colink_malloc(sizeof(*sp))))
		return 0;
	spellings_of(v, header, sp);
	r = key_in(v->idwords, v->nidwords, sp);
	colink_free(sp);
	return r;
}

const char *scan_kind_word(const struct colink_scan_vocab *v, const char *header)
{
	struct spellings *sp;
	const char *kind = NULL;
	size_t i, j;
	if (!header || !*header || !(sp = colink_malloc(sizeof(*sp))))
		return NULL;
	spellings_of(v, header, sp);
	for (i = 0; !kind && i < sp->n; i++)
		for (j = 0; !kind && !sp->partial[i] && j < v->nkindwords; j++)
			if (!strcmp(v->kindwords[j].key, sp->key[i]))
				kind = v->kindwords[j].kind;
	colink_free(sp);
	return kind;
}

const char *scan_kind_of_field(const struct colink_field_def *f)
{
	const char *t = f ? f->table : "";
	if (!strcmp(t, "checkup") || !strcmp(t, "observation") || !strcmp(t, "questionnaire"))
		return "checkup";
	if (!strcmp(t, "employee"))
		return "roster";
	if (!strcmp(t, "attendance_month"))
		return "attendance";
	if (!strncmp(t, "stress", 6))
		return "stress";
	if (!strcmp(t, "claims_summary"))
		return "claims";
	if (!strcmp(t, "participation"))
		return "participation";
	if (!strcmp(t, "allowance"))
		return "allowance";
	return NULL;
}
