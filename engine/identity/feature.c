/*
 * feature.c -- keyed comparison features for probabilistic linkage (#23);
 * the construction is described in feature.h and docs/pseudonyms.md.
 * Nothing here logs or returns a value it was given.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "identity/identity.h"
#include "identity/feature.h"

#define BF_BYTES (COLINK_FEATURE_BF_BITS / 8)
#define BF_MAX_BYTES (COLINK_FEATURE_BF_MAX_BITS / 8)
#define GETBIT(b, i) (((b)[(i) / 8] >> ((i) % 8)) & 1u)
#define SETBIT(b, i) ((b)[(i) / 8] |= (unsigned char)(1u << ((i) % 8)))
#define NAME_MAX_CP 128
#define POS_BITS 9 /* log2(COLINK_FEATURE_BF_BITS) */

_Static_assert(1u << POS_BITS == COLINK_FEATURE_BF_BITS, "a position is POS_BITS bits");
_Static_assert(BF_MAX_BYTES == COLINK_FS_BF_MAX_BYTES, "the pass holds the longest filter");
_Static_assert(COLINK_FEATURE_BF_MAX_BITS <= 65536, "positions fit uint16_t");
_Static_assert(COLINK_FEATURE_BF_K * POS_BITS <= 256, "one HMAC gives all K positions");
_Static_assert((COLINK_FEATURE_BF_K - 1) * POS_BITS / 8 + 2 < 32, "a position's 24 bits lie in the HMAC");

/* ---- kana folding for comparison ---- */

/* Small kana to large, ヂ ヅ to ジ ズ, ヲ to オ, ヴ to ブ: the spellings
 * that differ between systems for one name (ャ/ヤ, ヂ/ジ). */
static uint32_t fold_kana(uint32_t c)
{
	switch (c) {
	case 0x30A1: case 0x30A3: case 0x30A5: case 0x30A7: case 0x30A9: /* ァィゥェォ */
	case 0x30C3: case 0x30E3: case 0x30E5: case 0x30E7: case 0x30EE: /* ッャュョヮ */
		return c + 1;
	case 0x30F5: return 0x30AB; /* ヵ -> カ */
	case 0x30F6: return 0x30B1; /* ヶ -> ケ */
	case 0x30C2: return 0x30B8; /* ヂ -> ジ */
	case 0x30C5: return 0x30BA; /* ヅ -> ズ */
	case 0x30F2: return 0x30AA; /* ヲ -> オ */
	case 0x30F4: return 0x30D6; /* ヴ -> ブ */
	default: return c;
	}
}

/* Decode UTF-8 (already valid: normalized) into at most `max` code
 * points, folded; returns their number. */
static size_t decode(const char *s, size_t len, uint32_t *cp, size_t max)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	size_t n = 0;
	while (p < end && n < max) {
		uint32_t c = *p;
		int more = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
		if (more)
			c &= 0x3Fu >> more;
		p++;
		while (more-- && p < end)
			c = (c << 6) | (*p++ & 0x3Fu);
		cp[n++] = fold_kana(c);
	}
	return n;
}

static size_t encode(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

static int hexval(char c)
{
	return c >= 'a' ? c - 'a' + 10 : c - '0';
}

/* ---- the Bloom filter ---- */

/* Set the K positions of one bigram: one HMAC of the bigram, its 256
 * output bits read as K positions of log2(BITS) bits each (K * 9 = 180
 * bits for 512 bits, K = 20), so a bigram costs one HMAC, not two. */
static int bloom_bigram(struct colink_pseudo_set *ps, const char *bg, size_t bglen,
			unsigned char *bf, struct colink_error *err)
{
	char hex[65];
	unsigned char dig[32];
	const char *parts[1] = {bg};
	size_t i, bit = 0;
	int rc = colink_pseudo_set_memo(ps, COLINK_FEATURE_PREFIX "name_bf", 1, parts, &bglen,
					hex, err);
	if (rc)
		return rc;
	for (i = 0; i < sizeof(dig); i++)
		dig[i] = (unsigned char)(hexval(hex[2 * i]) << 4 | hexval(hex[2 * i + 1]));
	for (i = 0; i < COLINK_FEATURE_BF_K; i++, bit += POS_BITS) {
		/* bits bit .. bit + 8, big-endian, from the 24 bits at its byte */
		const unsigned char *d = dig + bit / 8;
		unsigned v = ((unsigned)d[0] << 16 | (unsigned)d[1] << 8 | d[2]) >>
			     (24 - POS_BITS - bit % 8) & ((1u << POS_BITS) - 1);
		bf[v / 8] |= (unsigned char)(1u << (v % 8));
	}
	explicit_bzero(hex, sizeof(hex));
	explicit_bzero(dig, sizeof(dig));
	return COLINK_OK;
}

int colink_feature_bloom(struct colink_pseudo_set *ps, const char *name,
			 size_t len, unsigned char *bf, struct colink_error *err)
{
	uint32_t cp[NAME_MAX_CP + 2];
	char bg[8];
	size_t n, i;
	int rc = COLINK_OK;
	memset(bf, 0, BF_BYTES);
	n = decode(name, len, cp + 1, NAME_MAX_CP);
	if (!n)
		return COLINK_ERR(err, COLINK_EINVAL, "an empty name has no Bloom filter");
	cp[0] = '_'; /* padding: the first and last characters weigh as the rest */
	cp[n + 1] = '_';
	for (i = 0; i <= n && !rc; i++) {
		size_t bl = encode(cp[i], bg);
		bl += encode(cp[i + 1], bg + bl);
		rc = bloom_bigram(ps, bg, bl, bf, err);
	}
	explicit_bzero(cp, sizeof(cp));
	explicit_bzero(bg, sizeof(bg));
	return rc;
}

/* ---- hardened encodings: balanced, diffused ---- */

int colink_feature_enc_parse(const char *name)
{
	static const char *const names[4] = {"plain", "balanced", "diffused", "balanced-diffused"};
	static const int modes[4] = {0, COLINK_BF_BALANCED, COLINK_BF_DIFFUSED,
				     COLINK_BF_BALANCED | COLINK_BF_DIFFUSED};
	size_t i;
	for (i = 0; name && i < 4; i++)
		if (!strcmp(name, names[i]))
			return modes[i];
	return -1;
}

const char *colink_feature_enc_name(unsigned mode)
{
	switch (mode & (COLINK_BF_BALANCED | COLINK_BF_DIFFUSED)) {
	case COLINK_BF_BALANCED: return "balanced";
	case COLINK_BF_DIFFUSED: return "diffused";
	case COLINK_BF_BALANCED | COLINK_BF_DIFFUSED: return "balanced-diffused";
	default: return "plain";
	}
}

size_t colink_feature_enc_bits(unsigned mode)
{
	return mode & COLINK_BF_BALANCED ? COLINK_FEATURE_BF_MAX_BITS : COLINK_FEATURE_BF_BITS;
}

double colink_feature_enc_dice(unsigned mode)
{
	switch (mode & (COLINK_BF_BALANCED | COLINK_BF_DIFFUSED)) {
	/* the highest threshold (in steps of 0.05) at which the near names of
	 * bench/name-filter-dice.c stay at >= 0.99 recall, as 0.7 does for
	 * the plain filter */
	case COLINK_BF_BALANCED: return 0.85;
	case COLINK_BF_DIFFUSED: return 0.6;
	case COLINK_BF_BALANCED | COLINK_BF_DIFFUSED: return 0.65;
	default: return 0.7;
	}
}

void colink_feature_enc_wipe(struct colink_feature_enc *enc)
{
	if (!enc)
		return;
	explicit_bzero(enc->perm, sizeof(enc->perm));
	explicit_bzero(enc->win, sizeof(enc->win));
	explicit_bzero(enc->base, sizeof(enc->base));
	explicit_bzero(enc->flip, sizeof(enc->flip));
	enc->ready = 0;
}

/* A keyed stream of 32-bit words: HMAC(key of `kind`, decimal counter),
 * each 256-bit output read as eight big-endian words. */
struct stream {
	struct colink_pseudo_set *ps;
	const char *kind;
	unsigned long ctr;
	unsigned char buf[32];
	size_t used;
};

static int stream_u32(struct stream *s, uint32_t *v, struct colink_error *err)
{
	if (s->used + 4 > sizeof(s->buf)) {
		char num[24], hex[65];
		const char *parts[1] = {num};
		size_t i;
		int rc;
		snprintf(num, sizeof(num), "%lu", s->ctr++);
		rc = colink_pseudo_set_compute(s->ps, s->kind, 1, parts, NULL, hex, err);
		if (rc)
			return rc;
		for (i = 0; i < sizeof(s->buf); i++)
			s->buf[i] = (unsigned char)(hexval(hex[2 * i]) << 4 | hexval(hex[2 * i + 1]));
		explicit_bzero(hex, sizeof(hex));
		s->used = 0;
	}
	*v = (uint32_t)s->buf[s->used] << 24 | (uint32_t)s->buf[s->used + 1] << 16 |
	     (uint32_t)s->buf[s->used + 2] << 8 | s->buf[s->used + 3];
	s->used += 4;
	return COLINK_OK;
}

/* The plain filter bf (BF_BITS) in enc's encoding into out (zeroed
 * here), bit by bit from the permutation and the windows: the definition,
 * from which enc_prepare derives the table that colink_feature_name_filter
 * uses; returns the output's length in bits. */
static size_t harden(const struct colink_feature_enc *enc, const unsigned char *bf,
		     unsigned char *out)
{
	unsigned char mid[BF_MAX_BYTES];
	size_t n = COLINK_FEATURE_BF_BITS, i, j;
	memset(mid, 0, sizeof(mid));
	memcpy(mid, bf, BF_BYTES);
	if (enc->mode & COLINK_BF_BALANCED) {
		memset(mid, 0, sizeof(mid));
		for (i = 0; i < 2 * n; i++)
			if (i < n ? GETBIT(bf, i) : !GETBIT(bf, i - n))
				SETBIT(mid, enc->perm[i]);
		n *= 2;
	}
	memset(out, 0, BF_MAX_BYTES);
	if (!(enc->mode & COLINK_BF_DIFFUSED))
		memcpy(out, mid, n / 8);
	for (i = 0; enc->mode & COLINK_BF_DIFFUSED && i < n; i++) {
		unsigned x = 0;
		for (j = 0; j < enc->window; j++)
			x ^= GETBIT(mid, enc->win[i * enc->window + j]);
		if (x)
			SETBIT(out, i);
	}
	explicit_bzero(mid, sizeof(mid));
	return n;
}

/* The encoding as an affine map (struct colink_feature_enc): base is the
 * encoding of the empty filter, flip[i] the encoding of the filter of bit
 * i alone XOR base.  An affine map is the XOR of base and of the flips of
 * the set bits (harden: the balanced half is a permutation of the filter
 * and its complement, the diffused bits XORs of its bits), so
 * colink_feature_name_filter's filters are harden's, bit for bit
 * (test_feature's table test compares them).  At 1M persons harden per
 * record was 10 % of the bench job's CPU (bench/RESULTS.md, round 10). */
static void affine_table(struct colink_feature_enc *enc)
{
	unsigned char zero[BF_BYTES], one[BF_BYTES], out[BF_MAX_BYTES];
	uint64_t w[COLINK_FEATURE_BF_MAX_BITS / 64];
	size_t i, k;
	memset(zero, 0, sizeof(zero));
	harden(enc, zero, out);
	memcpy(enc->base, out, sizeof(enc->base));
	for (i = 0; i < COLINK_FEATURE_BF_BITS; i++) {
		memset(one, 0, sizeof(one));
		SETBIT(one, i);
		harden(enc, one, out);
		memcpy(w, out, sizeof(w));
		for (k = 0; k < COLINK_FEATURE_BF_MAX_BITS / 64; k++)
			enc->flip[i][k] = w[k] ^ enc->base[k];
	}
	explicit_bzero(out, sizeof(out));
	explicit_bzero(w, sizeof(w));
}

/* The keyed permutation (Fisher-Yates; a 32-bit word mod at most 1,024
 * has a bias below 2^-22) and the diffusion windows (t distinct
 * positions per output bit), drawn once per run and encoding. */
static int enc_prepare(struct colink_pseudo_set *ps, struct colink_feature_enc *enc,
		       struct colink_error *err)
{
	struct stream s = {ps, COLINK_FEATURE_PREFIX "name_bf.perm", 0, {0}, 32};
	size_t n = colink_feature_enc_bits(enc->mode), i, j, k;
	uint32_t v = 0;
	int rc = COLINK_OK;
	if (enc->mode & COLINK_BF_DIFFUSED &&
	    (enc->window < 2 || enc->window > COLINK_FEATURE_WINDOW_MAX))
		return COLINK_ERR(err, COLINK_EINVAL, "a diffusion window must be 2 to %d bits",
				  COLINK_FEATURE_WINDOW_MAX);
	for (i = 0; i < n; i++)
		enc->perm[i] = (uint16_t)i;
	for (i = n - 1; enc->mode & COLINK_BF_BALANCED && i > 0 && !rc; i--) {
		uint16_t x;
		rc = stream_u32(&s, &v, err);
		j = v % (i + 1);
		x = enc->perm[i];
		enc->perm[i] = enc->perm[j];
		enc->perm[j] = x;
	}
	s.kind = COLINK_FEATURE_PREFIX "name_bf.diffuse";
	s.ctr = 0;
	s.used = sizeof(s.buf);
	for (i = 0; enc->mode & COLINK_BF_DIFFUSED && i < n && !rc; i++)
		for (j = 0; j < enc->window && !rc; j++) {
			uint16_t *w = enc->win + i * enc->window;
			do {
				rc = stream_u32(&s, &v, err);
				w[j] = (uint16_t)(v % n);
				for (k = 0; k < j && w[k] != w[j]; k++)
					;
			} while (!rc && k < j);
		}
	explicit_bzero(s.buf, sizeof(s.buf));
	if (!rc)
		affine_table(enc);
	if (rc)
		colink_feature_enc_wipe(enc);
	else
		enc->ready = 1;
	return rc;
}

int colink_feature_name_filter(struct colink_pseudo_set *ps, struct colink_feature_enc *enc,
			       const char *name, size_t len, unsigned char *bf,
			       size_t *nbytes, struct colink_error *err)
{
	unsigned char plain[BF_BYTES];
	int rc;
	*nbytes = 0;
	memset(bf, 0, BF_MAX_BYTES);
	if (enc && enc->mode && !enc->ready && (rc = enc_prepare(ps, enc, err)))
		return rc;
	rc = colink_feature_bloom(ps, name, len, plain, err);
	if (!rc && enc && enc->mode) {
		uint64_t w[COLINK_FEATURE_BF_MAX_BITS / 64];
		size_t i, k, nw = colink_feature_enc_bits(enc->mode) / 64;
		memcpy(w, enc->base, sizeof(w));
		for (i = 0; i < COLINK_FEATURE_BF_BITS; i++) {
			const uint64_t *f = enc->flip[i];
			if (!plain[i / 8]) { /* a byte without a set bit */
				i |= 7;
				continue;
			}
			if (!GETBIT(plain, i))
				continue;
			for (k = 0; k < nw; k++)
				w[k] ^= f[k];
		}
		memcpy(bf, w, nw * 8);
		*nbytes = nw * 8;
		explicit_bzero(w, sizeof(w));
	} else if (!rc) {
		memcpy(bf, plain, BF_BYTES);
		*nbytes = BF_BYTES;
	}
	explicit_bzero(plain, sizeof(plain));
	return rc;
}

/* ---- tokens ---- */

/* The tokens of a small domain (birth year, month, day, {month, day},
 * sex, insurer) are remembered for the run (colink_pseudo_set_memo); 記号
 * and 番号 are not. */
static int small_domain(const char *kind)
{
	const char *k = kind + sizeof(COLINK_FEATURE_PREFIX) - 1;
	return strcmp(k, "symbol") && strcmp(k, "number");
}

static int token(struct colink_pseudo_set *ps, const char *kind, size_t nparts,
		 const char *const *parts, const size_t *lens,
		 struct colink_feature *out, size_t *nout, struct colink_error *err)
{
	int rc = small_domain(kind)
		 ? colink_pseudo_set_memo(ps, kind, nparts, parts, lens, out[*nout].value, err)
		 : colink_pseudo_set_compute(ps, kind, nparts, parts, lens, out[*nout].value, err);
	if (!rc) {
		/* the HMAC's first COLINK_FEATURE_TOKEN_BYTES bytes: the same
		 * bits the linker compared when the whole HMAC was stored */
		out[*nout].value[COLINK_FEATURE_TOKEN_HEX] = '\0';
		out[(*nout)++].kind = kind;
	}
	return rc;
}

static int one(struct colink_pseudo_set *ps, const char *kind, const char *v,
	       struct colink_feature *out, size_t *nout, struct colink_error *err)
{
	const char *parts[1] = {v};
	if (!v || !*v)
		return COLINK_OK;
	return token(ps, kind, 1, parts, NULL, out, nout, err);
}

static int birth(struct colink_pseudo_set *ps, const char *b,
		 struct colink_feature *out, size_t *nout, struct colink_error *err)
{
	const char *p[2];
	size_t l[2] = {2, 2};
	size_t four = 4;
	int swap, rc;
	if (!b || strlen(b) != 8)
		return COLINK_OK;
	p[0] = b;
	rc = token(ps, COLINK_FEATURE_PREFIX "birth_year", 1, p, &four, out, nout, err);
	p[0] = b + 4;
	if (!rc)
		rc = token(ps, COLINK_FEATURE_PREFIX "birth_month", 1, p, l, out, nout, err);
	p[0] = b + 6;
	if (!rc)
		rc = token(ps, COLINK_FEATURE_PREFIX "birth_day", 1, p, l, out, nout, err);
	swap = memcmp(b + 4, b + 6, 2) > 0; /* {mm, dd} in a fixed order */
	p[0] = b + (swap ? 6 : 4);
	p[1] = b + (swap ? 4 : 6);
	if (!rc)
		rc = token(ps, COLINK_FEATURE_PREFIX "birth_md", 2, p, l, out, nout, err);
	return rc;
}

int colink_features_compute(struct colink_pseudo_set *ps,
			    const struct colink_feature_input *in,
			    struct colink_feature out[COLINK_FEATURE_MAX],
			    size_t *nout, struct colink_error *err)
{
	static const char xd[] = "0123456789abcdef";
	unsigned char bf[BF_MAX_BYTES];
	size_t i, nb;
	int rc = COLINK_OK;
	*nout = 0;
	if (in->name_kana && in->name_len) {
		rc = colink_feature_name_filter(ps, in->enc, in->name_kana, in->name_len, bf, &nb, err);
		if (rc)
			return rc;
		for (i = 0; i < nb; i++) {
			out[0].value[2 * i] = xd[bf[i] >> 4];
			out[0].value[2 * i + 1] = xd[bf[i] & 15];
		}
		out[0].value[2 * nb] = '\0';
		out[0].kind = COLINK_FEATURE_PREFIX "name_bf";
		*nout = 1;
		explicit_bzero(bf, sizeof(bf));
	}
	rc = birth(ps, in->birth8, out, nout, err);
	if (!rc)
		rc = one(ps, COLINK_FEATURE_PREFIX "sex", in->sex, out, nout, err);
	if (!rc)
		rc = one(ps, COLINK_FEATURE_PREFIX "insurer", in->insurer, out, nout, err);
	if (!rc)
		rc = one(ps, COLINK_FEATURE_PREFIX "symbol", in->symbol, out, nout, err);
	if (!rc)
		rc = one(ps, COLINK_FEATURE_PREFIX "number", in->number, out, nout, err);
	return rc;
}
