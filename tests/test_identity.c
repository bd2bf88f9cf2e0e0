/*
 * test_identity.c -- keys, derivation, pseudonyms and normalization
 * (engine/identity/keyfile.c, engine/identity/pseudonym.c, engine/identity/normalize.c).
 *
 * The vectors are computed with stock tools (openssl kdf / dgst, sha256sum,
 * python3 hmac); the exact commands are in docs/pseudonyms.md.
 */
#include <CUnit/Basic.h>
#include <gcrypt.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "identity/identity.h"
#include "testutil.h"

/* Master key for every vector: the 32 bytes 00 01 .. 1f. */
#define VEC_KEY_HEX "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define VEC_KEY_ID "6137fb3f979b832b"
#define VEC_AGR1 "kenpo-2024-01"
#define VEC_AGR2 "kenpo-2024-02"
#define VEC_DERIVED_AGR1_CARD "517b7c8a2572a7da249d09fefcafd59b51fc753db5417dba6442cf0e7b880190"
#define VEC_DERIVED_AGR1_KANA "a5a8c61b8f470ae362394e49fb1b0b8051239bc15edc601c28a2315eb7fd6752"
#define VEC_DERIVED_AGR2_CARD "ef60ae3c717d363c0c77709099dbec02e6f402e60d74f9d03410e04acc405cee"
/* HMAC over "8:06139992;3:123;4:4567;2:00;" */
#define VEC_PSEUDO_AGR1_CARD "d62d252a6f108a47cf7912fd131ccf35bee1486bf0fb265a1db44f9ffdff24fa"
#define VEC_PSEUDO_AGR1_KANA "e8a11ceb2bc0a66bed2f281f06285471de8a71020a717b45590bcf4c661e7f30"
#define VEC_PSEUDO_AGR2_CARD "068f559232d7a11710a4c682437b0dcfdee2853332f9341a1cc396b9b2a2ad75"
/* Under the agr1/card key: "2:12;1:3;", "1:1;2:23;", "8:06139992;0:;3:123;0:;" */
#define VEC_PSEUDO_12_3 "e71a1da917c08e762b9f880a2d89735da11bf1e317571ff4cdb21253d63aa0cd"
#define VEC_PSEUDO_1_23 "f1a3787447900b1bb4e50890ee3509369af2ca0c352af45e1ec41954eab4d077"
#define VEC_PSEUDO_EMPTY_PARTS "f2edb6b91593ffde2244379e9c87d02dea046cc05eb3c9f7a2b4370490029311"

/*
 * GCRY_VERY_STRONG_RANDOM makes libgcrypt start its jitter entropy
 * collector, which keeps a 128 KiB malloc'ed buffer for the life of the
 * process, referenced only from libgcrypt's mmap'ed secure-memory pool.
 * LeakSanitizer does not scan that pool and reports the buffer as leaked
 * (valgrind, which does, reports it "still reachable").  Engine code
 * allocates nothing inside libgcrypt except secure memory, which
 * LeakSanitizer cannot see either, so this hides nothing of ours.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libgcrypt.so\n";
}

static char *tmpdir;
static struct colink_variant_table *vt; /* the shipped table */
static const char *const card_parts[] = { "06139992", "123", "4567", "00" };

static struct colink_key *vec_key(void)
{
	unsigned char raw[32];
	struct colink_key *k = NULL;
	struct colink_error err;
	int i;
	for (i = 0; i < 32; i++)
		raw[i] = (unsigned char)i;
	CU_ASSERT_EQUAL_FATAL(colink_key_from_bytes(&k, raw, &err), COLINK_OK);
	return k;
}

/* A file in tmpdir with `text` and `mode`; returns the path (free it). */
static char *key_file(const char *name, const char *text, mode_t mode)
{
	char *p = tu_fmt("%s/%s", tmpdir, name);
	unlink(p);
	CU_ASSERT_EQUAL_FATAL(tu_write_file(p, text, strlen(text)), 0);
	CU_ASSERT_EQUAL_FATAL(chmod(p, mode), 0);
	return p;
}

static int suite_init(void)
{
	struct colink_error err;
	char *p;
	int rc;

	tmpdir = tu_mkdtemp("identity");
	if (!tmpdir || colink_crypto_init(&err))
		return -1;
	p = tu_fmt("%s/mappings/common/variant-kanji.tsv", tu_srcdir());
	rc = colink_variant_table_load(&vt, p, &err);
	if (rc)
		fprintf(stderr, "%s\n", err.msg);
	free(p);
	return rc ? -1 : 0;
}

static int suite_clean(void)
{
	colink_variant_table_free(vt);
	tu_rmtree(tmpdir);
	free(tmpdir);
	return 0;
}

/* ================================================================ */
/* Keys                                                              */
/* ================================================================ */

static void test_identity__key_generate_mode_and_format(void)
{
	struct colink_error err;
	struct colink_key *k = NULL;
	char *p = tu_fmt("%s/gen.key", tmpdir);
	struct stat st;
	size_t len, i;
	char *text;
	mode_t old = umask(0); /* a careless umask must not loosen the mode */

	CU_ASSERT_EQUAL_FATAL(colink_key_generate(p, &err), COLINK_OK);
	umask(old);
	CU_ASSERT_EQUAL(lstat(p, &st), 0);
	CU_ASSERT_TRUE(S_ISREG(st.st_mode));
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0600);
	text = tu_read_file(p, &len);
	CU_ASSERT_FATAL(text != NULL);
	CU_ASSERT_EQUAL(len, 79);
	CU_ASSERT_EQUAL(memcmp(text, "colink-key-v1 ", 14), 0);
	for (i = 14; i < 78; i++)
		CU_ASSERT_PTR_NOT_NULL(strchr("0123456789abcdef", text[i]));
	CU_ASSERT_EQUAL(text[78], '\n');
	CU_ASSERT_EQUAL(colink_key_load(&k, p, &err), COLINK_OK);
	CU_ASSERT_EQUAL(strlen(colink_key_id(k)), 16);
	colink_key_free(k);
	free(text);
	free(p);
}

static void test_identity__key_generate_refuses_existing(void)
{
	struct colink_error err;
	char *p = key_file("exists.key", "precious", 0600);
	char *text;

	CU_ASSERT_EQUAL(colink_key_generate(p, &err), COLINK_EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "already exists"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, p));
	text = tu_read_file(p, NULL);
	CU_ASSERT_STRING_EQUAL(text, "precious");
	free(text);
	free(p);
}

static void test_identity__key_generate_keys_differ(void)
{
	struct colink_error err;
	char *a = tu_fmt("%s/a.key", tmpdir), *b = tu_fmt("%s/b.key", tmpdir);
	char *ta, *tb;

	CU_ASSERT_EQUAL_FATAL(colink_key_generate(a, &err), COLINK_OK);
	CU_ASSERT_EQUAL_FATAL(colink_key_generate(b, &err), COLINK_OK);
	ta = tu_read_file(a, NULL);
	tb = tu_read_file(b, NULL);
	CU_ASSERT_STRING_NOT_EQUAL(ta, tb);
	free(ta);
	free(tb);
	free(a);
	free(b);
}

static void expect_mode_refused(mode_t mode, const char *shown)
{
	struct colink_error err;
	struct colink_key *k = (struct colink_key *)&err; /* must be reset */
	char *p = key_file("mode.key", "colink-key-v1 " VEC_KEY_HEX "\n", mode);
	char *want = tu_fmt("%s: key file is readable or writable by group/others (mode %s); run chmod 600 %s",
			    p, shown, p);

	CU_ASSERT_EQUAL(colink_key_load(&k, p, &err), COLINK_EPERM);
	CU_ASSERT_PTR_NULL(k);
	CU_ASSERT_STRING_EQUAL(err.msg, want);
	CU_ASSERT_PTR_NULL(strstr(err.msg, VEC_KEY_HEX + 8));
	free(want);
	free(p);
}

static void test_identity__key_load_refuses_world_readable(void)
{
	expect_mode_refused(0644, "0644");
}

static void test_identity__key_load_refuses_group_readable(void)
{
	expect_mode_refused(0640, "0640");
}

static void test_identity__key_load_refuses_other_writable(void)
{
	expect_mode_refused(0602, "0602");
}

static void expect_format_refused(const char *text)
{
	struct colink_error err;
	struct colink_key *k = NULL;
	char *p = key_file("fmt.key", text, 0600);
	char *want = tu_fmt("%s: not a colink key file (expected 'colink-key-v1' and 64 hex digits)", p);

	CU_ASSERT_EQUAL(colink_key_load(&k, p, &err), COLINK_EINVAL);
	CU_ASSERT_PTR_NULL(k);
	CU_ASSERT_STRING_EQUAL(err.msg, want);
	free(want);
	free(p);
}

static void test_identity__key_load_refuses_wrong_length(void)
{
	/* 63 and 65 hex digits */
	expect_format_refused("colink-key-v1 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1\n");
	expect_format_refused("colink-key-v1 " VEC_KEY_HEX "0\n");
	expect_format_refused("");
}

static void test_identity__key_load_refuses_bad_hex(void)
{
	expect_format_refused("colink-key-v1 g00102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n");
}

static void test_identity__key_load_refuses_uppercase_hex(void)
{
	/* The format is lower case only: one canonical spelling per key. */
	expect_format_refused("colink-key-v1 000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F\n");
}

static void test_identity__key_load_refuses_extra_bytes(void)
{
	expect_format_refused("colink-key-v1 " VEC_KEY_HEX "\n\n");
	expect_format_refused("colink-key-v1 " VEC_KEY_HEX " \n");
	expect_format_refused("colink-key-v1 " VEC_KEY_HEX "\r\n");
	expect_format_refused("colink-key-v2 " VEC_KEY_HEX "\n");
	expect_format_refused(VEC_KEY_HEX "\n");
}

static void test_identity__key_load_accepts_missing_newline(void)
{
	struct colink_error err;
	struct colink_key *k = NULL;
	char *p = key_file("nonl.key", "colink-key-v1 " VEC_KEY_HEX, 0600);

	CU_ASSERT_EQUAL_FATAL(colink_key_load(&k, p, &err), COLINK_OK);
	CU_ASSERT_STRING_EQUAL(colink_key_id(k), VEC_KEY_ID);
	colink_key_free(k);
	free(p);
}

static void test_identity__key_load_refuses_symlink(void)
{
	struct colink_error err;
	struct colink_key *k = NULL;
	char *target = key_file("target.key", "colink-key-v1 " VEC_KEY_HEX "\n", 0600);
	char *link = tu_fmt("%s/link.key", tmpdir);
	char *want = tu_fmt("%s: key file is not a regular file (symbolic links are refused)", link);

	unlink(link);
	CU_ASSERT_EQUAL_FATAL(symlink(target, link), 0);
	CU_ASSERT_EQUAL(colink_key_load(&k, link, &err), COLINK_EPERM);
	CU_ASSERT_PTR_NULL(k);
	CU_ASSERT_STRING_EQUAL(err.msg, want);
	free(want);
	free(link);
	free(target);
}

static void test_identity__key_load_refuses_directory(void)
{
	struct colink_error err;
	struct colink_key *k = NULL;

	CU_ASSERT_EQUAL(colink_key_load(&k, tmpdir, &err), COLINK_EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not a regular file"));
}

static void test_identity__key_load_missing_file(void)
{
	struct colink_error err;
	struct colink_key *k = NULL;
	char *p = tu_fmt("%s/none.key", tmpdir);

	CU_ASSERT_EQUAL(colink_key_load(&k, p, &err), COLINK_ENOTFOUND);
	CU_ASSERT_EQUAL(strncmp(err.msg, p, strlen(p)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "key file not found"));
	free(p);
}

static void test_identity__key_id_vector(void)
{
	struct colink_error err;
	struct colink_key *k = vec_key(), *l = NULL;
	char *p = key_file("vec.key", "colink-key-v1 " VEC_KEY_HEX "\n", 0600);

	/* (printf colink-key-id-v1; xxd -r -p <<<000102..1f) | sha256sum */
	CU_ASSERT_STRING_EQUAL(colink_key_id(k), VEC_KEY_ID);
	CU_ASSERT_EQUAL_FATAL(colink_key_load(&l, p, &err), COLINK_OK);
	CU_ASSERT_STRING_EQUAL(colink_key_id(l), VEC_KEY_ID);
	colink_key_free(k);
	colink_key_free(l);
	free(p);
}

static void test_identity__key_destructors_accept_null(void)
{
	colink_key_free(NULL);
	colink_pseudonymizer_free(NULL);
	colink_normalizer_free(NULL);
	colink_variant_table_free(NULL);
	colink_wipe_free(NULL, 10);
	CU_ASSERT_PTR_NULL(colink_key_id(NULL));
}

/* ================================================================ */
/* Derivation and pseudonyms                                         */
/* ================================================================ */

static struct colink_pseudonymizer *vec_pz(const struct colink_key *k,
					   const char *agr, const char *kind)
{
	struct colink_pseudonymizer *p = NULL;
	struct colink_error err;
	CU_ASSERT_EQUAL_FATAL(colink_pseudonymizer_new(&p, k, agr, kind, &err),
			      COLINK_OK);
	return p;
}

static void expect_derived(const struct colink_key *k, const char *agr,
			   const char *kind, const char *want)
{
	struct colink_pseudonymizer *p = vec_pz(k, agr, kind);
	char hex[65];
	CU_ASSERT_EQUAL(colink_pseudonymizer_derived_hex(p, hex), COLINK_OK);
	CU_ASSERT_STRING_EQUAL(hex, want);
	colink_pseudonymizer_free(p);
}

static void test_identity__pseudonym_hkdf_vectors(void)
{
	struct colink_key *k = vec_key();
	expect_derived(k, VEC_AGR1, "card", VEC_DERIVED_AGR1_CARD);
	expect_derived(k, VEC_AGR1, "kana_dob_sex", VEC_DERIVED_AGR1_KANA);
	expect_derived(k, VEC_AGR2, "card", VEC_DERIVED_AGR2_CARD);
	colink_key_free(k);
}

static void expect_pseudonym(struct colink_pseudonymizer *p, size_t n,
			     const char *const *parts, const size_t *lens,
			     const char *want)
{
	struct colink_error err;
	char out[65];
	CU_ASSERT_EQUAL(colink_pseudonym_compute(p, n, parts, lens, out, &err),
			COLINK_OK);
	CU_ASSERT_STRING_EQUAL(out, want);
}

static void test_identity__pseudonym_vectors(void)
{
	struct colink_key *k = vec_key();
	struct colink_pseudonymizer *a = vec_pz(k, VEC_AGR1, "card");
	struct colink_pseudonymizer *b = vec_pz(k, VEC_AGR1, "kana_dob_sex");
	struct colink_pseudonymizer *c = vec_pz(k, VEC_AGR2, "card");

	expect_pseudonym(a, 4, card_parts, NULL, VEC_PSEUDO_AGR1_CARD);
	expect_pseudonym(b, 4, card_parts, NULL, VEC_PSEUDO_AGR1_KANA);
	expect_pseudonym(c, 4, card_parts, NULL, VEC_PSEUDO_AGR2_CARD);
	/* the reused MAC handle gives the same answer again */
	expect_pseudonym(a, 4, card_parts, NULL, VEC_PSEUDO_AGR1_CARD);
	colink_pseudonymizer_free(a);
	colink_pseudonymizer_free(b);
	colink_pseudonymizer_free(c);
	colink_key_free(k);
}

static void test_identity__pseudonym_same_inputs_equal(void)
{
	struct colink_error err;
	struct colink_key *k = vec_key(), *l = NULL;
	char *path = key_file("same.key", "colink-key-v1 " VEC_KEY_HEX "\n", 0600);
	struct colink_pseudonymizer *a, *b;
	char x[65], y[65];

	CU_ASSERT_EQUAL_FATAL(colink_key_load(&l, path, &err), COLINK_OK);
	a = vec_pz(k, "A", "card");
	b = vec_pz(l, "A", "card");
	CU_ASSERT_EQUAL(colink_pseudonym_compute(a, 4, card_parts, NULL, x, &err), 0);
	CU_ASSERT_EQUAL(colink_pseudonym_compute(b, 4, card_parts, NULL, y, &err), 0);
	CU_ASSERT_STRING_EQUAL(x, y);
	CU_ASSERT_EQUAL(strlen(x), 64);
	colink_pseudonymizer_free(a);
	colink_pseudonymizer_free(b);
	colink_key_free(k);
	colink_key_free(l);
	free(path);
}

/* One master key, two agreements (or two kinds): unlinkable pseudonyms. */
static void test_identity__pseudonym_domain_separation(void)
{
	struct colink_error err;
	struct colink_key *k = vec_key();
	struct colink_pseudonymizer *a = vec_pz(k, "A", "card");
	struct colink_pseudonymizer *b = vec_pz(k, "B", "card");
	struct colink_pseudonymizer *c = vec_pz(k, "A", "employee");
	/* "A" + "Bcard" must not collide with "AB" + "card" */
	struct colink_pseudonymizer *d = vec_pz(k, "AB", "card");
	struct colink_pseudonymizer *e = vec_pz(k, "A", "Bcard");
	char x[65], y[65], z[65], u[65], w[65];

	CU_ASSERT_EQUAL(colink_pseudonym_compute(a, 4, card_parts, NULL, x, &err), 0);
	CU_ASSERT_EQUAL(colink_pseudonym_compute(b, 4, card_parts, NULL, y, &err), 0);
	CU_ASSERT_EQUAL(colink_pseudonym_compute(c, 4, card_parts, NULL, z, &err), 0);
	CU_ASSERT_EQUAL(colink_pseudonym_compute(d, 4, card_parts, NULL, u, &err), 0);
	CU_ASSERT_EQUAL(colink_pseudonym_compute(e, 4, card_parts, NULL, w, &err), 0);
	CU_ASSERT_STRING_NOT_EQUAL(x, y);
	CU_ASSERT_STRING_NOT_EQUAL(x, z);
	CU_ASSERT_STRING_NOT_EQUAL(y, z);
	CU_ASSERT_STRING_NOT_EQUAL(u, w);
	colink_pseudonymizer_free(a);
	colink_pseudonymizer_free(b);
	colink_pseudonymizer_free(c);
	colink_pseudonymizer_free(d);
	colink_pseudonymizer_free(e);
	colink_key_free(k);
}

static void test_identity__pseudonym_composite_unambiguous(void)
{
	struct colink_key *k = vec_key();
	struct colink_pseudonymizer *p = vec_pz(k, VEC_AGR1, "card");
	const char *const p1[] = { "12", "3" };
	const char *const p2[] = { "1", "23" };
	const char *const p3[] = { "06139992", "", "123", "" };

	expect_pseudonym(p, 2, p1, NULL, VEC_PSEUDO_12_3);
	expect_pseudonym(p, 2, p2, NULL, VEC_PSEUDO_1_23);
	expect_pseudonym(p, 4, p3, NULL, VEC_PSEUDO_EMPTY_PARTS);
	colink_pseudonymizer_free(p);
	colink_key_free(k);
}

static void test_identity__pseudonym_explicit_lengths(void)
{
	struct colink_key *k = vec_key();
	struct colink_pseudonymizer *p = vec_pz(k, VEC_AGR1, "card");
	/* lengths win over the NUL: only the first bytes of each part count */
	const char *const parts[] = { "06139992xx", "1234", "4567", "00\0z" };
	const size_t lens[] = { 8, 3, 4, 2 };

	expect_pseudonym(p, 4, parts, lens, VEC_PSEUDO_AGR1_CARD);
	colink_pseudonymizer_free(p);
	colink_key_free(k);
}

/* HMAC-SHA256 of encode(parts) computed here, from the derived key, with
 * no pseudonymizer: the reference for the last-pseudonym cache. */
static void ref_pseudonym(struct colink_pseudonymizer *p, size_t n,
			  const char *const *parts, const size_t *lens,
			  char out[65])
{
	unsigned char key[32], dig[32];
	char hex[65], num[24];
	gcry_mac_hd_t h;
	size_t i, dlen = sizeof(dig);

	CU_ASSERT_EQUAL_FATAL(colink_pseudonymizer_derived_hex(p, hex), COLINK_OK);
	for (i = 0; i < 32; i++) {
		unsigned v;
		sscanf(hex + 2 * i, "%2x", &v);
		key[i] = (unsigned char)v;
	}
	CU_ASSERT_EQUAL_FATAL(gcry_mac_open(&h, GCRY_MAC_HMAC_SHA256, 0, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(gcry_mac_setkey(h, key, sizeof(key)), 0);
	for (i = 0; i < n; i++) {
		size_t len = lens ? lens[i] : strlen(parts[i]);
		int w = snprintf(num, sizeof(num), "%zu:", len);
		gcry_mac_write(h, num, (size_t)w);
		gcry_mac_write(h, parts[i], len);
		gcry_mac_write(h, ";", 1);
	}
	CU_ASSERT_EQUAL(gcry_mac_read(h, dig, &dlen), 0);
	gcry_mac_close(h);
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", dig[i]);
}

static void expect_ref(struct colink_pseudonymizer *p, size_t n,
		       const char *const *parts, const size_t *lens)
{
	char want[65];
	ref_pseudonym(p, n, parts, lens, want);
	expect_pseudonym(p, n, parts, lens, want);
}

/* The last-pseudonym cache (docs/pseudonyms.md) answers a repeated call
 * and only a repeated call: same bytes in other parts, parts that do not
 * fit the cache (256 encoded bytes) and the boundary all give the HMAC. */
static void test_identity__pseudonym_last_cache(void)
{
	struct colink_key *k = vec_key();
	struct colink_pseudonymizer *p = vec_pz(k, VEC_AGR1, "card");
	const char *const p1[] = { "12", "3" };
	const char *const p2[] = { "1", "23" };
	const char *const trail[] = { "06139992xx", "1234", "4567", "00\0z" };
	const size_t tlens[] = { 8, 3, 4, 2 };
	char fit[252], over[253], big[600];
	const char *const pf[] = { fit }, *const po[] = { over };
	const char *const pb[] = { big, "1" };

	memset(fit, 'a', sizeof(fit) - 1); /* "251:" + 251 + ";" = 256 */
	fit[sizeof(fit) - 1] = '\0';
	memset(over, 'a', sizeof(over) - 1); /* 257 bytes encoded */
	over[sizeof(over) - 1] = '\0';
	memset(big, 'b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';

	expect_pseudonym(p, 4, card_parts, NULL, VEC_PSEUDO_AGR1_CARD);
	expect_pseudonym(p, 4, card_parts, NULL, VEC_PSEUDO_AGR1_CARD);
	expect_pseudonym(p, 4, trail, tlens, VEC_PSEUDO_AGR1_CARD);
	expect_pseudonym(p, 2, p1, NULL, VEC_PSEUDO_12_3);
	expect_pseudonym(p, 2, p2, NULL, VEC_PSEUDO_1_23);
	expect_pseudonym(p, 2, p2, NULL, VEC_PSEUDO_1_23);
	expect_pseudonym(p, 2, p1, NULL, VEC_PSEUDO_12_3);
	expect_ref(p, 1, pf, NULL);
	expect_ref(p, 1, pf, NULL);
	expect_ref(p, 1, po, NULL);
	expect_ref(p, 1, po, NULL);
	expect_ref(p, 2, pb, NULL);
	expect_ref(p, 1, pf, NULL);
	expect_pseudonym(p, 2, p1, NULL, VEC_PSEUDO_12_3);
	expect_ref(p, 2, p1, NULL); /* the reference agrees with the vectors */
	colink_pseudonymizer_free(p);
	colink_key_free(k);
}

static void test_identity__pseudonym_refuses_bad_labels(void)
{
	struct colink_error err;
	struct colink_key *k = vec_key();
	struct colink_pseudonymizer *p = (struct colink_pseudonymizer *)&err;

	CU_ASSERT_EQUAL(colink_pseudonymizer_new(&p, k, "A\x1f" "B", "card", &err),
			COLINK_EINVAL);
	CU_ASSERT_PTR_NULL(p);
	CU_ASSERT_STRING_EQUAL(err.msg,
			       "pseudonymizer: the agreement id contains the separator byte 0x1f");
	CU_ASSERT_EQUAL(colink_pseudonymizer_new(&p, k, "A", "", &err),
			COLINK_EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "pseudonymizer: the key kind is empty");
	CU_ASSERT_EQUAL(colink_pseudonymizer_new(&p, NULL, "A", "card", &err),
			COLINK_EINVAL);
	colink_key_free(k);
}

static void test_identity__pseudonym_refuses_bad_parts(void)
{
	struct colink_error err;
	struct colink_key *k = vec_key();
	struct colink_pseudonymizer *p = vec_pz(k, "A", "card");
	const char *const parts[] = { "06139992", NULL };
	char out[65] = "x";

	CU_ASSERT_EQUAL(colink_pseudonym_compute(p, 0, parts, NULL, out, &err),
			COLINK_EINVAL);
	CU_ASSERT_STRING_EQUAL(out, "");
	CU_ASSERT_EQUAL(colink_pseudonym_compute(p, 2, parts, NULL, out, &err),
			COLINK_EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "pseudonym: part 2 of 2 is missing");
	colink_pseudonymizer_free(p);
	colink_key_free(k);
}

static void test_identity__pseudonym_enomem(void)
{
	struct colink_error err;
	struct colink_key *k = vec_key(), *l = (struct colink_key *)&err;
	struct colink_pseudonymizer *p = (struct colink_pseudonymizer *)&err;
	unsigned char raw[32] = { 0 };

	colink_alloc_fail_after(0);
	CU_ASSERT_EQUAL(colink_pseudonymizer_new(&p, k, "A", "card", &err),
			COLINK_ENOMEM);
	CU_ASSERT_PTR_NULL(p);
	CU_ASSERT_EQUAL(err.code, COLINK_ENOMEM);
	CU_ASSERT_EQUAL(colink_key_from_bytes(&l, raw, &err), COLINK_ENOMEM);
	CU_ASSERT_PTR_NULL(l);
	colink_alloc_fail_after(-1);
	/* and it works again */
	p = vec_pz(k, VEC_AGR1, "card");
	expect_pseudonym(p, 4, card_parts, NULL, VEC_PSEUDO_AGR1_CARD);
	colink_pseudonymizer_free(p);
	colink_key_free(k);
}

/* ================================================================ */
/* Normalization                                                     */
/* ================================================================ */

static void expect_norm_len(const char *chain, const char *in, size_t len,
			    const char *want)
{
	struct colink_error err;
	struct colink_normalizer *n = NULL;
	char *out = NULL, why[128] = "unset";
	size_t outlen = 0;

	CU_ASSERT_EQUAL_FATAL(colink_normalizer_new(&n, chain, vt, &err), COLINK_OK);
	CU_ASSERT_EQUAL(colink_normalize(n, in, len, &out, &outlen, why, sizeof(why)),
			COLINK_OK);
	CU_ASSERT_STRING_EQUAL(why, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_STRING_EQUAL(out, want);
	CU_ASSERT_EQUAL(outlen, strlen(want));
	colink_wipe_free(out, outlen);
	colink_normalizer_free(n);
}

static void expect_norm(const char *chain, const char *in, const char *want)
{
	expect_norm_len(chain, in, strlen(in), want);
}

static void expect_reject_len(const char *chain, const char *in, size_t len,
			      const char *reason)
{
	struct colink_error err;
	struct colink_normalizer *n = NULL;
	char *out = (char *)"x", why[128] = "unset";
	size_t outlen = 99;

	CU_ASSERT_EQUAL_FATAL(colink_normalizer_new(&n, chain, vt, &err), COLINK_OK);
	CU_ASSERT_EQUAL(colink_normalize(n, in, len, &out, &outlen, why, sizeof(why)),
			COLINK_REJECTED);
	CU_ASSERT_PTR_NULL(out);
	CU_ASSERT_EQUAL(outlen, 0);
	CU_ASSERT_STRING_EQUAL(why, reason);
	/* the reason never quotes the value */
	if (len >= 2)
		CU_ASSERT_PTR_NULL(memmem(why, strlen(why), in, len));
	colink_normalizer_free(n);
}

static void expect_reject(const char *chain, const char *in, const char *reason)
{
	expect_reject_len(chain, in, strlen(in), reason);
}

static void test_identity__normalize_nfkc_halfwidth_kana(void)
{
	expect_norm("nfkc", "ﾃｽﾄ", "テスト");
	expect_norm("nfkc", "ｶﾞ", "ガ");  /* ｶ + ﾞ compose to one code point */
	expect_norm("nfkc", "ﾊﾟﾋﾟ", "パピ");
	expect_norm("nfkc", "㈱ＡＢＣ", "(株)ABC");
}

static void test_identity__normalize_katakana(void)
{
	expect_norm("katakana", "ひらがな", "ヒラガナ");
	expect_norm("katakana", "ゝゞゔぁゖ", "ヽヾヴァヶ");
	expect_norm("katakana", "カタカナ漢字abc", "カタカナ漢字abc");
	expect_norm("nfkc,katakana", "やまだ ﾀﾛｳ", "ヤマダ タロウ");
}

static void test_identity__normalize_fullwidth_digits(void)
{
	expect_norm("nfkc", "１２３", "123");
	expect_norm("digits", "１２３-４", "1234");
	expect_norm("digits", "記号 ４５６７", "4567");
}

static void test_identity__normalize_strip_spaces(void)
{
	expect_norm("strip-spaces", "山田\xe3\x80\x80太郎", "山田太郎"); /* U+3000 */
	expect_norm("strip-spaces", " ﾔﾏﾀﾞ\t ﾀﾛｳ ", "ﾔﾏﾀﾞﾀﾛｳ");
	expect_norm("nfkc,strip-spaces", "山田\xe3\x80\x80太郎", "山田太郎");
}

static void test_identity__normalize_strip_hyphens(void)
{
	/* - ‐ ‑ ‒ – — ― − － */
	expect_norm("strip-hyphens", "1-2‐3‑4‒5–6—7―8−9－0", "1234567890");
	/* half-width ｰ used as a dash is removed when nfkc has not run ... */
	expect_norm("strip-hyphens", "12ｰ34", "1234");
	/* ... but the long-vowel mark ー of a kana name is kept */
	expect_norm("nfkc,strip-hyphens", "ラーメン-1", "ラーメン1");
	expect_norm("nfkc,strip-hyphens", "ﾗｰﾒﾝ", "ラーメン");
}

static void test_identity__normalize_long_vowel(void)
{
	expect_norm("long-vowel", "ラ-メン", "ラーメン");
	expect_norm("long-vowel", "ラ‐メ−ン－ｰ～〜", "ラーメーンーーーー");
	expect_norm("nfkc,long-vowel", "ｻﾄｰ", "サトー");
	expect_norm("nfkc,long-vowel", "サト～", "サトー"); /* ～ -> ~ -> ー */
	expect_norm("nfkc,long-vowel", "サト〜", "サトー"); /* U+301C */
}

static void test_identity__normalize_variant_kanji(void)
{
	expect_norm("variant-kanji", "髙橋", "高橋");
	expect_norm("variant-kanji", "𠮷田", "吉田");
	expect_norm("variant-kanji", "渡邉", "渡辺");
	expect_norm("variant-kanji", "渡邊", "渡辺");
	/* 齋 and 齊 stay apart: 斎 and 斉 are different names */
	expect_norm("variant-kanji", "齋藤齊藤", "斎藤斉藤");
	expect_norm("nfkc,variant-kanji", "髙槗", "高橋");
}

static void test_identity__normalize_variant_kanji_from_cp932(void)
{
	/* 山﨑 in CP932: 山 = 0x8E 0x52, 﨑 (NEC selected IBM extension) =
	 * 0xED 0x95 */
	char in[] = "\x8e\x52\xed\x95";
	char outb[16] = { 0 };
	char *ip = in, *op = outb;
	size_t il = 4, ol = sizeof(outb) - 1;
	iconv_t cd = iconv_open("UTF-8", "CP932");

	CU_ASSERT_FATAL(cd != (iconv_t)-1);
	CU_ASSERT_NOT_EQUAL_FATAL(iconv(cd, &ip, &il, &op, &ol), (size_t)-1);
	iconv_close(cd);
	CU_ASSERT_STRING_EQUAL(outb, "山\xef\xa8\x91"); /* U+FA11 */
	/* NFKC leaves U+FA11 alone (a unified ideograph) ... */
	expect_norm("nfkc", outb, "山\xef\xa8\x91");
	/* ... the table folds it */
	expect_norm("nfkc,variant-kanji", outb, "山崎");
}

static void test_identity__normalize_shipped_table_pairs(void)
{
	expect_norm("variant-kanji",
		    "髙﨑嵜濵濱邊邉齋齊德栁𠮷槗瀨國澤邨廣眞惠冨櫻",
		    "高崎崎浜浜辺辺斎斉徳柳吉橋瀬国沢村広真恵富桜");
	/* already-final forms are left alone (the table has no chains) */
	expect_norm("variant-kanji", "高崎浜辺斎斉徳柳吉橋瀬国沢村広真恵富桜",
		    "高崎浜辺斎斉徳柳吉橋瀬国沢村広真恵富桜");
}

static void test_identity__normalize_upper(void)
{
	expect_norm("upper", "abcXyz09-é", "ABCXYZ09-é");
	expect_norm("nfkc,upper", "ａｂｃ", "ABC");
}

static void test_identity__normalize_digits_none_rejected(void)
{
	expect_reject("digits", "abc", "no digits");
	expect_reject("digits", "", "no digits");
}

static void test_identity__normalize_insurer_number(void)
{
	expect_norm("insurer-number", "6139992", "06139992");
	expect_norm("insurer-number", "06139992", "06139992");
	expect_norm("insurer-number", "０６１３９９９２", "06139992");
	expect_norm("insurer-number", " 06-139992 ", "06139992");
	expect_norm("insurer-number", "06ｰ139992", "06139992");
	expect_norm("insurer-number", "01130012", "01130012");
	expect_norm("insurer-number", "280081", "00280081");
}

static void test_identity__normalize_insurer_check_digit_rejected(void)
{
	expect_reject("insurer-number", "06139993",
		      "insurer number check digit does not match");
	expect_reject("insurer-number", "6139991",
		      "insurer number check digit does not match");
}

static void test_identity__normalize_insurer_not_digits_rejected(void)
{
	const char *bad = "insurer number must be 1 to 8 digits";
	expect_reject("insurer-number", "0613999A", bad);
	expect_reject("insurer-number", "106139992", bad); /* 9 digits */
	expect_reject("insurer-number", "", bad);
	expect_reject("insurer-number", " - ", bad);
}

static void test_identity__normalize_branch_number(void)
{
	const char *bad = "branch number must be 1 or 2 digits";
	expect_norm("branch-number", "1", "01");
	expect_norm("branch-number", "１", "01");
	expect_norm("branch-number", "12", "12");
	expect_norm("branch-number", " 0 3", "03");
	expect_reject("branch-number", "123", bad);
	expect_reject("branch-number", "", bad);
	expect_reject("branch-number", "1a", bad);
}

static void test_identity__normalize_date_noop(void)
{
	expect_norm("date", "20240401", "20240401");
}

static void test_identity__normalize_invalid_utf8_rejected(void)
{
	expect_reject("nfkc", "\xff", "invalid UTF-8");
	expect_reject("nfkc", "ab\xc0\xaf", "invalid UTF-8");       /* overlong */
	expect_reject("", "\xe3\x81", "invalid UTF-8");             /* truncated */
	expect_reject("katakana", "\xed\xa0\x80", "invalid UTF-8"); /* surrogate */
	/* CP932 bytes handed over undecoded */
	expect_reject("nfkc,katakana", "\x83\x65\x83\x58\x83\x67", "invalid UTF-8");
}

static void test_identity__normalize_nul_rejected(void)
{
	expect_reject_len("nfkc", "12\0" "34", 5, "contains a NUL character");
}

static void test_identity__normalize_name_chain(void)
{
	const char *chain = "nfkc,katakana,strip-spaces,long-vowel,upper";
	expect_norm(chain, "ﾔﾏﾀﾞ　ﾀﾛｰ", "ヤマダタロー");
	expect_norm(chain, "やまだ たろ-", "ヤマダタロー");
	/* idempotent: normalizing the result changes nothing */
	expect_norm(chain, "ヤマダタロー", "ヤマダタロー");
	expect_norm(" nfkc , katakana ", "ｶﾞ", "ガ");
	expect_norm("", "ｶﾞ", "ｶﾞ");
	expect_norm(NULL, "abc", "abc");
}

/*
 * Issue #24: every kana that takes a sound mark, typed precomposed, with
 * the combining mark (U+3099/U+309A), the spacing mark (U+309B/U+309C) or
 * the half-width one (U+FF9E/U+FF9F), in hiragana and katakana, gives
 * one normalized string and so one pseudonym under the shipped name
 * chains.  Before the fix "カ゛" came out as カ + U+3099.
 */
struct sound_mark {
	int32_t base;  /* katakana without the mark */
	int32_t half;  /* its half-width form, 0 if none */
	int32_t mark;  /* 0x3099 dakuten or 0x309a handakuten */
	int32_t want;  /* the precomposed katakana */
	int32_t hira;  /* precomposed hiragana, 0 if Unicode has none */
};

static size_t put_cp(char *s, int32_t c)
{
	if (c < 0x80) {
		s[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		s[0] = (char)(0xc0 | (c >> 6));
		s[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	s[0] = (char)(0xe0 | (c >> 12));
	s[1] = (char)(0x80 | ((c >> 6) & 0x3f));
	s[2] = (char)(0x80 | (c & 0x3f));
	return 3;
}

/* UTF-8 of up to three code points (0 ends early) into s[16]. */
static const char *u8(char *s, int32_t a, int32_t b, int32_t c)
{
	size_t w = put_cp(s, a);
	if (b)
		w += put_cp(s + w, b);
	if (c)
		w += put_cp(s + w, c);
	s[w] = '\0';
	return s;
}

static size_t sound_marks(struct sound_mark *t)
{
	static const char half_kt[] = "\x76\x77\x78\x79\x7a\x7b\x7c\x7d\x7e\x7f"
				      "\x80\x81\x82\x83\x84"; /* ｶ..ﾄ = U+FF76.. */
	static const int32_t kt[] = { 0x30ab, 0x30ad, 0x30af, 0x30b1, 0x30b3,
				      0x30b5, 0x30b7, 0x30b9, 0x30bb, 0x30bd,
				      0x30bf, 0x30c1, 0x30c4, 0x30c6, 0x30c8 };
	size_t i, n = 0;
	int32_t h;

	for (i = 0; i < 15; i++, n++) /* カ..ト + ゛ (ツ skips ッ) */
		t[n] = (struct sound_mark){ kt[i], 0xff00 | (unsigned char)half_kt[i],
					    0x3099, kt[i] + 1, kt[i] + 1 - 0x60 };
	for (i = 0; i < 5; i++) { /* ハ ヒ フ ヘ ホ + ゛ and ゜ */
		h = 0x30cf + 3 * (int32_t)i;
		t[n++] = (struct sound_mark){ h, 0xff8a + (int32_t)i, 0x3099,
					      h + 1, h + 1 - 0x60 };
		t[n++] = (struct sound_mark){ h, 0xff8a + (int32_t)i, 0x309a,
					      h + 2, h + 2 - 0x60 };
	}
	t[n++] = (struct sound_mark){ 0x30a6, 0xff73, 0x3099, 0x30f4, 0x3094 }; /* ウ ヴ ゔ */
	t[n++] = (struct sound_mark){ 0x30ef, 0xff9c, 0x3099, 0x30f7, 0 };      /* ワ ヷ */
	t[n++] = (struct sound_mark){ 0x30f0, 0, 0x3099, 0x30f8, 0 };           /* ヰ ヸ */
	t[n++] = (struct sound_mark){ 0x30f1, 0, 0x3099, 0x30f9, 0 };           /* ヱ ヹ */
	t[n++] = (struct sound_mark){ 0x30f2, 0xff66, 0x3099, 0x30fa, 0 };      /* ヲ ヺ */
	t[n++] = (struct sound_mark){ 0x30fd, 0, 0x3099, 0x30fe, 0x309e };      /* ヽ ヾ ゞ */
	return n;
}

/* Every written form of one marked kana, after "ア" so that the mark
 * never starts the value: the name chains give `want`, and so does
 * `chain2` for the forms it keeps in that script. */
static void expect_marked(const struct sound_mark *m, const char *chain,
			  const char *want, int kata_only)
{
	int32_t spacing = m->mark == 0x3099 ? 0x309b : 0x309c;
	int32_t halfmark = m->mark == 0x3099 ? 0xff9e : 0xff9f;
	int32_t bases[2] = { m->base, m->base - 0x60 };
	char in[16];
	size_t b;

	expect_norm(chain, u8(in, 0x30a2, m->want, 0), want);
	for (b = 0; b < (kata_only ? 1u : 2u); b++) {
		if (b == 1 && m->hira)
			expect_norm(chain, u8(in, 0x30a2, m->hira, 0), want);
		expect_norm(chain, u8(in, 0x30a2, bases[b], m->mark), want);
		expect_norm(chain, u8(in, 0x30a2, bases[b], spacing), want);
		expect_norm(chain, u8(in, 0x30a2, bases[b], halfmark), want);
	}
	if (m->half) {
		expect_norm(chain, u8(in, 0x30a2, m->half, halfmark), want);
		expect_norm(chain, u8(in, 0x30a2, m->half, spacing), want);
		expect_norm(chain, u8(in, 0x30a2, m->half, m->mark), want);
	}
}

static void test_identity__normalize_sound_marks_every_form(void)
{
	struct sound_mark t[40];
	size_t i, n = sound_marks(t);
	char want[16];

	CU_ASSERT_EQUAL(n, 31);
	for (i = 0; i < n; i++) {
		u8(want, 0x30a2, t[i].want, 0);
		/* the shipped name_kana chain, and without strip-spaces */
		expect_marked(&t[i], "nfkc,katakana,long-vowel,strip-spaces", want, 0);
		expect_marked(&t[i], "nfkc,katakana", want, 0);
		/* name_kanji keeps the script: katakana forms only */
		expect_marked(&t[i], "nfkc,variant-kanji,strip-spaces", want, 1);
	}
}

/* ... and so one pseudonym: the hiragana spacing form of ガ pseudonymizes
 * like the precomposed katakana. */
static void test_identity__normalize_sound_marks_one_pseudonym(void)
{
	static const char *const forms[] = {
		"ガ", "か\xe3\x82\x9b", "カ\xe3\x82\x9b", "か\xe3\x82\x99",
		"ｶﾞ", "ｶ\xe3\x82\x9b", "ﾔﾏ\xe3\x80\x80ﾀ\xe3\x82\x9b",
	};
	struct colink_error err;
	struct colink_key *k = vec_key();
	struct colink_pseudonymizer *p = vec_pz(k, VEC_AGR1, "kana");
	struct colink_normalizer *n = NULL;
	char first[65] = "", ps[65], why[64];
	size_t i, len;

	CU_ASSERT_EQUAL_FATAL(colink_normalizer_new(&n,
		"nfkc,katakana,long-vowel,strip-spaces", vt, &err), COLINK_OK);
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		char *out = NULL;
		const char *part;
		CU_ASSERT_EQUAL_FATAL(colink_normalize(n, forms[i], strlen(forms[i]),
						       &out, &len, why, sizeof(why)),
				      COLINK_OK);
		part = out;
		CU_ASSERT_EQUAL(colink_pseudonym_compute(p, 1, &part, &len, ps, &err),
				COLINK_OK);
		if (i == 0) {
			memcpy(first, ps, sizeof(ps));
		} else if (i < 6) {
			CU_ASSERT_STRING_EQUAL(ps, first);
		} else {
			CU_ASSERT_STRING_NOT_EQUAL(ps, first); /* ヤマダ is not ガ */
		}
		colink_wipe_free(out, len + 1);
	}
	colink_normalizer_free(n);
	colink_pseudonymizer_free(p);
	colink_key_free(k);
}

static void test_identity__normalize_unknown_step(void)
{
	struct colink_error err;
	struct colink_normalizer *n = (struct colink_normalizer *)&err;

	CU_ASSERT_EQUAL(colink_normalizer_new(&n, "nfkc,bogus", vt, &err),
			COLINK_EINVAL);
	CU_ASSERT_PTR_NULL(n);
	CU_ASSERT_EQUAL(strncmp(err.msg, "unknown normalization step 'bogus' in 'nfkc,bogus' (known: nfkc,", 64), 0);
	CU_ASSERT_EQUAL(colink_normalizer_new(&n, "nfkc,,upper", vt, &err),
			COLINK_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "step '' in"));
}

static void test_identity__normalize_variant_needs_table(void)
{
	struct colink_error err;
	struct colink_normalizer *n = NULL;

	CU_ASSERT_EQUAL(colink_normalizer_new(&n, "nfkc,variant-kanji", NULL, &err),
			COLINK_EINVAL);
	CU_ASSERT_PTR_NULL(n);
	CU_ASSERT_STRING_EQUAL(err.msg,
			       "normalization step 'variant-kanji' needs the variant-kanji table");
}

static void test_identity__normalize_enomem(void)
{
	struct colink_error err;
	struct colink_normalizer *n = NULL, *m = (struct colink_normalizer *)&err;
	char *out = (char *)"x", why[64];
	size_t outlen = 5;

	CU_ASSERT_EQUAL_FATAL(colink_normalizer_new(&n, "nfkc,katakana", vt, &err), 0);
	colink_alloc_fail_after(0);
	CU_ASSERT_EQUAL(colink_normalize(n, "ﾃｽﾄ", strlen("ﾃｽﾄ"), &out, &outlen,
					 why, sizeof(why)), COLINK_ENOMEM);
	CU_ASSERT_PTR_NULL(out);
	CU_ASSERT_EQUAL(outlen, 0);
	CU_ASSERT_STRING_EQUAL(why, "out of memory");
	CU_ASSERT_EQUAL(colink_normalizer_new(&m, "nfkc", vt, &err), COLINK_ENOMEM);
	CU_ASSERT_PTR_NULL(m);
	colink_alloc_fail_after(-1);
	colink_normalizer_free(n);
}

/* Fail each allocation in turn: every outcome is a clean ENOMEM or the
 * right answer (ASan reports any leak on the failure paths). */
static void test_identity__normalize_enomem_every_allocation(void)
{
	const char *chain = "nfkc,katakana,variant-kanji,strip-spaces,insurer-number";
	struct colink_error err;
	struct colink_normalizer *n;
	char *out, why[64];
	size_t outlen;
	long i;
	int rc = COLINK_ENOMEM, seen_enomem = 0;

	for (i = 0; i < 100 && rc == COLINK_ENOMEM; i++) {
		n = NULL;
		out = NULL;
		colink_alloc_fail_after(i);
		rc = colink_normalizer_new(&n, chain, vt, &err);
		if (rc == COLINK_OK)
			rc = colink_normalize(n, "６１３９９９２", strlen("６１３９９９２"),
					      &out, &outlen, why, sizeof(why));
		colink_alloc_fail_after(-1);
		if (rc == COLINK_ENOMEM) {
			seen_enomem = 1;
			CU_ASSERT_PTR_NULL(out);
		}
		colink_normalizer_free(n);
	}
	CU_ASSERT_TRUE(seen_enomem);
	CU_ASSERT_EQUAL_FATAL(rc, COLINK_OK);
	CU_ASSERT_STRING_EQUAL(out, "06139992");
	colink_wipe_free(out, outlen);
}

static void test_identity__check_digit_known_numbers(void)
{
	const char *ok[] = { "06139992", "01130012", "00280081" };
	char buf[9];
	size_t i;
	int d;

	for (i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(colink_insurer_check_digit_ok(ok[i]), 1);
		/* every other last digit fails */
		for (d = 0; d < 10; d++) {
			memcpy(buf, ok[i], 9);
			if (buf[7] == '0' + d)
				continue;
			buf[7] = (char)('0' + d);
			CU_ASSERT_EQUAL(colink_insurer_check_digit_ok(buf), 0);
		}
	}
	CU_ASSERT_EQUAL(colink_insurer_check_digit_ok("0613999"), 0);
	CU_ASSERT_EQUAL(colink_insurer_check_digit_ok("0613a992"), 0);
	/* by hand: 7*2 = 14 -> 1+4 = 5, plus 2*1 = 7; (10 - 7) % 10 = 3 */
	CU_ASSERT_EQUAL(colink_insurer_check_digit_ok("00000273"), 1);
}

/* ================================================================ */
/* Variant table loading                                             */
/* ================================================================ */

static void expect_table_error(const char *text, int code, const char *tail)
{
	struct colink_error err;
	struct colink_variant_table *t = (struct colink_variant_table *)&err;
	char *p = key_file("vt.tsv", text, 0644);
	char *want = tu_fmt("%s:%s", p, tail);

	CU_ASSERT_EQUAL(colink_variant_table_load(&t, p, &err), code);
	CU_ASSERT_PTR_NULL(t);
	CU_ASSERT_STRING_EQUAL(err.msg, want);
	free(want);
	free(p);
}

static void test_identity__variant_table_duplicate_rejected(void)
{
	expect_table_error("# from\tto\tnote\n髙\t高\tone\n\n髙\t高\ttwo\n",
			   COLINK_EFORMAT, "4: U+9AD9 is already mapped on line 2");
}

static void test_identity__variant_table_one_character_each(void)
{
	expect_table_error("髙髙\t高\n", COLINK_EFORMAT,
			   "1: 'from' must be exactly one character");
	expect_table_error("# c\n髙\t\tnote\n", COLINK_EFORMAT,
			   "2: 'to' must be exactly one character");
	expect_table_error("髙 高\n", COLINK_EFORMAT,
			   "1: expected from<TAB>to<TAB>note");
	expect_table_error("\xff\t高\n", COLINK_EFORMAT,
			   "1: 'from' must be exactly one character");
}

static void test_identity__variant_table_chain_rejected(void)
{
	expect_table_error("惠\t恵\n恵\t惠\n", COLINK_EFORMAT,
			   "2: maps to U+60E0, which line 1 maps again; map straight to the final form");
}

static void test_identity__variant_table_missing_file(void)
{
	struct colink_error err;
	struct colink_variant_table *t = NULL;
	char *p = tu_fmt("%s/nope.tsv", tmpdir);

	CU_ASSERT_EQUAL(colink_variant_table_load(&t, p, &err), COLINK_ENOTFOUND);
	CU_ASSERT_EQUAL(strncmp(err.msg, p, strlen(p)), 0);
	free(p);
}

static void test_identity__variant_table_crlf_and_no_note(void)
{
	struct colink_error err;
	struct colink_variant_table *t = NULL, *saved = vt;
	char *p = key_file("crlf.tsv", "# x\r\n髙\t高\r\n邉\t辺", 0644);

	CU_ASSERT_EQUAL_FATAL(colink_variant_table_load(&t, p, &err), COLINK_OK);
	vt = t;
	expect_norm("variant-kanji", "髙邉濵", "高辺濵");
	vt = saved;
	colink_variant_table_free(t);
	free(p);
}

/* ================================================================ */

/* Issue #24: values shaped like an identifier, whatever their column is
 * called; measurements, dates, codes and comments are not. */
static void test_identity__identifier_shapes(void)
{
	static const char *const ids[] = {
		"24061000123", "090-1234-5678", "03(1234)5678", "０９０－１２３４－５６７８",
		"taro.yamada@example.jp", "ヤマダ タロウ", "ヤマダ　タロウ", "ﾔﾏﾀﾞ ﾀﾛｳ",
		"連絡先 090-3141-5926", "受診券 24061000123 紛失", "09012345678",
	};
	static const char *const not_ids[] = {
		"45.2", "138", "0.95", "20240610", "2024-06-10", "12345678", "<5", "＜５",
		"特記事項なし", "再検査希望", "異常なし　経過観察", "ペプシノゲン", "A", "",
		"@", "a@b", "ヤマダ", "1,234,567,890", "HbA1c 6.0", "120 130 125 118",
		"A B",
	};
	size_t i;
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		const char *why = colink_identifier_shape(ids[i], strlen(ids[i]));
		if (!why)
			fprintf(stderr, "\n  not seen as an identifier: case %zu", i);
		CU_ASSERT_PTR_NOT_NULL(why);
	}
	for (i = 0; i < sizeof(not_ids) / sizeof(not_ids[0]); i++) {
		const char *why = colink_identifier_shape(not_ids[i], strlen(not_ids[i]));
		if (why)
			fprintf(stderr, "\n  %s seen as %s", not_ids[i], why);
		CU_ASSERT_PTR_NULL(why);
	}
	CU_ASSERT_PTR_NULL(colink_identifier_shape(NULL, 0));
}

static const struct tu_test tests[] = {
	TU_TEST(test_identity__key_generate_mode_and_format),
	TU_TEST(test_identity__key_generate_refuses_existing),
	TU_TEST(test_identity__key_generate_keys_differ),
	TU_TEST(test_identity__key_load_refuses_world_readable),
	TU_TEST(test_identity__key_load_refuses_group_readable),
	TU_TEST(test_identity__key_load_refuses_other_writable),
	TU_TEST(test_identity__key_load_refuses_wrong_length),
	TU_TEST(test_identity__key_load_refuses_bad_hex),
	TU_TEST(test_identity__key_load_refuses_uppercase_hex),
	TU_TEST(test_identity__key_load_refuses_extra_bytes),
	TU_TEST(test_identity__key_load_accepts_missing_newline),
	TU_TEST(test_identity__key_load_refuses_symlink),
	TU_TEST(test_identity__key_load_refuses_directory),
	TU_TEST(test_identity__key_load_missing_file),
	TU_TEST(test_identity__key_id_vector),
	TU_TEST(test_identity__key_destructors_accept_null),
	TU_TEST(test_identity__pseudonym_hkdf_vectors),
	TU_TEST(test_identity__pseudonym_vectors),
	TU_TEST(test_identity__pseudonym_same_inputs_equal),
	TU_TEST(test_identity__pseudonym_domain_separation),
	TU_TEST(test_identity__pseudonym_composite_unambiguous),
	TU_TEST(test_identity__pseudonym_explicit_lengths),
	TU_TEST(test_identity__pseudonym_last_cache),
	TU_TEST(test_identity__pseudonym_refuses_bad_labels),
	TU_TEST(test_identity__pseudonym_refuses_bad_parts),
	TU_TEST(test_identity__pseudonym_enomem),
	TU_TEST(test_identity__normalize_nfkc_halfwidth_kana),
	TU_TEST(test_identity__normalize_katakana),
	TU_TEST(test_identity__normalize_fullwidth_digits),
	TU_TEST(test_identity__normalize_strip_spaces),
	TU_TEST(test_identity__normalize_strip_hyphens),
	TU_TEST(test_identity__normalize_long_vowel),
	TU_TEST(test_identity__normalize_variant_kanji),
	TU_TEST(test_identity__normalize_variant_kanji_from_cp932),
	TU_TEST(test_identity__normalize_shipped_table_pairs),
	TU_TEST(test_identity__normalize_upper),
	TU_TEST(test_identity__normalize_digits_none_rejected),
	TU_TEST(test_identity__normalize_insurer_number),
	TU_TEST(test_identity__normalize_insurer_check_digit_rejected),
	TU_TEST(test_identity__normalize_insurer_not_digits_rejected),
	TU_TEST(test_identity__normalize_branch_number),
	TU_TEST(test_identity__normalize_date_noop),
	TU_TEST(test_identity__normalize_invalid_utf8_rejected),
	TU_TEST(test_identity__normalize_nul_rejected),
	TU_TEST(test_identity__normalize_name_chain),
	TU_TEST(test_identity__normalize_sound_marks_every_form),
	TU_TEST(test_identity__normalize_sound_marks_one_pseudonym),
	TU_TEST(test_identity__normalize_unknown_step),
	TU_TEST(test_identity__normalize_variant_needs_table),
	TU_TEST(test_identity__normalize_enomem),
	TU_TEST(test_identity__normalize_enomem_every_allocation),
	TU_TEST(test_identity__check_digit_known_numbers),
	TU_TEST(test_identity__variant_table_duplicate_rejected),
	TU_TEST(test_identity__variant_table_one_character_each),
	TU_TEST(test_identity__variant_table_chain_rejected),
	TU_TEST(test_identity__variant_table_missing_file),
	TU_TEST(test_identity__variant_table_crlf_and_no_note),
	TU_TEST(test_identity__identifier_shapes),
	TU_END
};

int main(void)
{
	if (tu_add_suite("identity", suite_init, suite_clean, tests))
		return 1;
	return tu_run_suites();
}
