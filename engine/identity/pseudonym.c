/*
 * pseudonym.c -- per-purpose key derivation (HKDF-SHA256, RFC 5869) and
 * pseudonyms (HMAC-SHA256 over an unambiguous encoding of the parts).
 * See identity.h for the construction and docs/pseudonyms.md for the
 * reasons and the test vectors.
 *
 * Every buffer that holds the master key, the PRK or the derived key is
 * libgcrypt secure memory, and every HMAC context is opened with
 * GCRY_MAC_FLAG_SECURE.  The parts to hash are encoded into the
 * secure-memory buffer of the last-pseudonym cache (below) or, when too
 * long for it, fed to the MAC piece by piece, so the encoded identifier is
 * never copied into ordinary memory and computing a pseudonym allocates
 * nothing.
 */
#include "identity/identity.h"
#include "identity/identity_int.h"

#include <gcrypt.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/text.h"

#define KEY_LEN 32
#define HKDF_SALT "colink-pseudonym-v1"
#define INFO_SEP '\x1f' /* ASCII unit separator between agreement and kind */

/* The last-pseudonym cache (docs/pseudonyms.md, "The last-pseudonym
 * cache"): an input file that repeats one person's identifiers on
 * consecutive rows (attendance: one row a month) asks for the same
 * pseudonym again and again.  The pseudonymizer keeps the encoded parts of
 * its last call and the pseudonym they gave; a call with the same encoded
 * parts returns that pseudonym without the HMAC.  One entry only: the
 * encoded identifier of the last call, in secure memory, replaced by the
 * next different one and wiped when the pseudonymizer is freed.  Encodings
 * longer than CACHE_BYTES are hashed as before and not cached. */
#define CACHE_BYTES 256

struct colink_pseudonymizer {
	gcry_mac_hd_t mac;      /* HMAC-SHA256 keyed with `derived`, reused */
	unsigned char *derived; /* KEY_LEN bytes, gcry_malloc_secure */
	unsigned char *cache;   /* 2 * CACHE_BYTES, gcry_malloc_secure, or NULL */
	unsigned char *last;    /* half of `cache`: encoded parts of the last call */
	unsigned char *next;    /* the other half: this call's encoding */
	size_t last_len;        /* 0: nothing cached */
	char last_out[65];      /* the pseudonym of `last` */
};

/* ---------------------------------------------------------------- */
/* HKDF-SHA256                                                        */
/* ---------------------------------------------------------------- */

/* HMAC-SHA256(key, a || sep || b [|| 0x01]) into out (32 bytes); `sep` and
 * the counter byte are written only when with_info is set. */
static int hmac_once(const unsigned char *key, size_t keylen, const void *a,
		     size_t alen, const char *b, int with_info,
		     unsigned char *out)
{
	static const unsigned char counter = 0x01;
	const char sep = INFO_SEP;
	gcry_mac_hd_t h;
	size_t outlen = KEY_LEN;
	gcry_error_t ge;

	if (gcry_mac_open(&h, GCRY_MAC_HMAC_SHA256, GCRY_MAC_FLAG_SECURE, NULL))
		return -1;
	ge = gcry_mac_setkey(h, key, keylen);
	if (!ge)
		ge = gcry_mac_write(h, a, alen);
	if (!ge && with_info) {
		ge = gcry_mac_write(h, &sep, 1);
		if (!ge)
			ge = gcry_mac_write(h, b, strlen(b));
		if (!ge)
			ge = gcry_mac_write(h, &counter, 1);
	}
	if (!ge)
		ge = gcry_mac_read(h, out, &outlen);
	gcry_mac_close(h);
	return ge || outlen != KEY_LEN ? -1 : 0;
}

/*
 * RFC 5869 with L = 32 = HashLen, so the expand step is the single block
 * T(1) = HMAC(PRK, info || 0x01).
 *   PRK = HMAC(salt, IKM = master)
 *   OKM = HMAC(PRK, agreement || 0x1f || kind || 0x01)
 */
static int hkdf(const unsigned char *master, const char *agreement,
		const char *kind, unsigned char *okm)
{
	unsigned char *prk = gcry_malloc_secure(KEY_LEN);
	int rc;

	if (!prk)
		return -1;
	rc = hmac_once((const unsigned char *)HKDF_SALT, sizeof(HKDF_SALT) - 1,
		       master, KEY_LEN, NULL, 0, prk);
	if (!rc)
		rc = hmac_once(prk, KEY_LEN, agreement, strlen(agreement), kind,
			       1, okm);
	explicit_bzero(prk, KEY_LEN);
	gcry_free(prk);
	return rc;
}

/* ---------------------------------------------------------------- */
/* Pseudonymizer                                                      */
/* ---------------------------------------------------------------- */

void colink_pseudonymizer_free(struct colink_pseudonymizer *p)
{
	if (!p)
		return;
	if (p->mac)
		gcry_mac_close(p->mac);
	if (p->derived) {
		explicit_bzero(p->derived, KEY_LEN);
		gcry_free(p->derived);
	}
	if (p->cache) {
		explicit_bzero(p->cache, 2 * CACHE_BYTES);
		gcry_free(p->cache);
	}
	colink_wipe_free(p, sizeof(*p));
}

/* Agreement and kind are joined with 0x1f: neither may contain it, or two
 * different (agreement, kind) pairs could share one info string. */
static int check_label(const char *what, const char *s,
		       struct colink_error *err)
{
	if (!s || !*s)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "pseudonymizer: the %s is empty", what);
	if (strchr(s, INFO_SEP))
		return COLINK_ERR(err, COLINK_EINVAL,
				  "pseudonymizer: the %s contains the separator byte 0x1f",
				  what);
	return COLINK_OK;
}

int colink_pseudonymizer_new(struct colink_pseudonymizer **out,
			     const struct colink_key *k, const char *agreement,
			     const char *kind, struct colink_error *err)
{
	struct colink_pseudonymizer *p;
	int rc;

	*out = NULL;
	if (!k)
		return COLINK_ERR(err, COLINK_EINVAL, "pseudonymizer: no key");
	rc = check_label("agreement id", agreement, err);
	if (!rc)
		rc = check_label("key kind", kind, err);
	if (rc)
		return rc;
	p = colink_calloc(1, sizeof(*p));
	if (!p)
		return COLINK_ERR(err, COLINK_ENOMEM,
				  "out of memory for the pseudonymizer of kind '%s'", kind);
	p->derived = gcry_malloc_secure(KEY_LEN);
	if (!p->derived) {
		rc = COLINK_ERR(err, COLINK_ENOMEM,
				"libgcrypt secure memory exhausted for kind '%s'", kind);
		goto fail;
	}
	if (hkdf(colink_key_bytes_int(k), agreement, kind, p->derived) ||
	    gcry_mac_open(&p->mac, GCRY_MAC_HMAC_SHA256, GCRY_MAC_FLAG_SECURE,
			  NULL) ||
	    gcry_mac_setkey(p->mac, p->derived, KEY_LEN)) {
		rc = COLINK_ERR(err, COLINK_ENOMEM,
				"libgcrypt: cannot derive the key for kind '%s' (secure memory exhausted?)",
				kind);
		goto fail;
	}
	/* Without secure memory for the cache, pseudonyms are only slower. */
	p->cache = gcry_malloc_secure(2 * CACHE_BYTES);
	if (p->cache) {
		p->last = p->cache;
		p->next = p->cache + CACHE_BYTES;
	}
	*out = p;
	return COLINK_OK;
fail:
	colink_pseudonymizer_free(p);
	return rc;
}

/* "n:" for a part of n bytes into num (at least 24 bytes); its length. */
static size_t len_prefix(size_t n, char *num)
{
	char tmp[24];
	size_t k = 0, w = 0;
	do {
		tmp[k++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	while (k)
		num[w++] = tmp[--k];
	num[w++] = ':';
	return w;
}

/* encode(parts): for each part, decimal length ':' bytes ';' -- written
 * straight into the MAC. */
static gcry_error_t write_part(gcry_mac_hd_t mac, const char *s, size_t n)
{
	char num[24];
	size_t w = len_prefix(n, num);
	gcry_error_t ge = gcry_mac_write(mac, num, w);
	if (!ge && n)
		ge = gcry_mac_write(mac, s, n);
	if (!ge)
		ge = gcry_mac_write(mac, ";", 1);
	return ge;
}

/* encode(parts) into p->next when it fits in CACHE_BYTES: its length, or
 * 0 when it does not fit (or there is no cache). */
static size_t encode_into_cache(struct colink_pseudonymizer *p, size_t nparts,
				const char *const *parts, const size_t *lens)
{
	size_t i, w = 0;
	char num[24];

	if (!p->cache)
		return 0;
	for (i = 0; i < nparts; i++) {
		size_t n = lens ? lens[i] : strlen(parts[i]);
		size_t k = len_prefix(n, num);
		if (n > CACHE_BYTES || k + n + 1 > CACHE_BYTES - w) {
			explicit_bzero(p->next, w);
			return 0;
		}
		memcpy(p->next + w, num, k);
		memcpy(p->next + w + k, parts[i], n);
		p->next[w + k + n] = ';';
		w += k + n + 1;
	}
	return w;
}

int colink_pseudonym_compute(struct colink_pseudonymizer *p, size_t nparts,
			     const char *const *parts, const size_t *lens,
			     char out[65], struct colink_error *err)
{
	unsigned char dig[KEY_LEN];
	size_t i, dlen = sizeof(dig), enc;
	gcry_error_t ge;

	out[0] = '\0';
	if (!p || nparts == 0 || !parts)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "pseudonym: no parts to hash");
	for (i = 0; i < nparts; i++)
		if (!parts[i])
			return COLINK_ERR(err, COLINK_EINVAL,
					  "pseudonym: part %zu of %zu is missing",
					  i + 1, nparts);
	enc = encode_into_cache(p, nparts, parts, lens);
	if (enc && enc == p->last_len && !memcmp(p->next, p->last, enc)) {
		explicit_bzero(p->next, enc);
		memcpy(out, p->last_out, 65);
		return COLINK_OK;
	}
	ge = gcry_mac_reset(p->mac);
	if (enc) {
		if (!ge)
			ge = gcry_mac_write(p->mac, p->next, enc);
	} else {
		for (i = 0; !ge && i < nparts; i++)
			ge = write_part(p->mac, parts[i],
					lens ? lens[i] : strlen(parts[i]));
	}
	if (!ge)
		ge = gcry_mac_read(p->mac, dig, &dlen);
	/* Leave no encoded identifier in the context between calls. */
	gcry_mac_reset(p->mac);
	if (ge || dlen != sizeof(dig)) {
		explicit_bzero(dig, sizeof(dig));
		if (enc)
			explicit_bzero(p->next, enc);
		return COLINK_ERR(err, COLINK_EIO, "pseudonym: libgcrypt HMAC failed: %s",
				  gcry_strerror(ge));
	}
	colink_hex(dig, sizeof(dig), out);
	explicit_bzero(dig, sizeof(dig));
	if (p->cache) {
		/* This call's encoding becomes the cached one; the previous
		 * one is wiped (or, when this one was not cacheable, the
		 * cache is emptied: it keeps the last identifier only). */
		unsigned char *old = p->last;
		explicit_bzero(old, p->last_len);
		if (enc) {
			p->last = p->next;
			p->next = old;
			memcpy(p->last_out, out, 65);
		}
		p->last_len = enc;
	}
	return COLINK_OK;
}

int colink_pseudonymizer_derived_hex(const struct colink_pseudonymizer *p,
				     char out[65])
{
	if (!p || !p->derived) {
		out[0] = '\0';
		return COLINK_EINVAL;
	}
	colink_hex(p->derived, KEY_LEN, out);
	return COLINK_OK;
}
