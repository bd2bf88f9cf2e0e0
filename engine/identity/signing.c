/*
 * signing.c -- Ed25519 signing keys for agreements (see signing.h and
 * docs/agreement.md "Signing and verification").
 *
 * The 32-byte seed lives only in libgcrypt secure memory, as the pseudonym
 * key does; the private key file is read into secure memory too.  libgcrypt
 * signs (RFC 8032 PureEdDSA: "(flags eddsa)(hash-algo sha512)", the whole
 * message given) and derives the public key from the seed, so a private
 * key file whose "public" line does not belong to its secret is refused.
 */
#include "identity/signing.h"
#include "identity/identity.h"
#include "identity/identity_int.h"

#include <errno.h>
#include <fcntl.h>
#include <gcrypt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/text.h"

#define PRIV_MAGIC "colink-signing-key-v1"
#define PUB_MAGIC "colink-signing-public-key-v1"
#define FPR_PREFIX "colink-signing-key-id-v1"
#define SEED_LEN 32
#define TEXT_MAX 1024 /* longest file accepted (a name is < COLINK_SIGNER_MAX) */

struct colink_signkey {
	unsigned char *seed;        /* SEED_LEN bytes of gcry_malloc_secure memory */
	struct colink_signpub pub;
};

/* ---------------------------------------------------------------- */
/* Names                                                              */
/* ---------------------------------------------------------------- */

int colink_sign_party_ok(const char *party)
{
	return party && (!strcmp(party, "association") || !strcmp(party, "employer"));
}

/* One line of valid UTF-8 without control characters (a tab or newline
 * would break the line formats), 1..COLINK_SIGNER_MAX-1 bytes. */
int colink_sign_signer_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	const unsigned char *p = (const unsigned char *)s;
	if (n == 0 || n >= COLINK_SIGNER_MAX || s[0] == ' ' || s[n - 1] == ' ')
		return 0;
	while (*p) {
		int k = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 : (*p & 0xf0) == 0xe0 ? 2
			: (*p & 0xf8) == 0xf0 ? 3 : -1;
		if (k < 0 || *p < 0x20 || *p == 0x7f || (k == 1 && *p < 0xc2))
			return 0;
		for (p++; k > 0; k--, p++)
			if ((*p & 0xc0) != 0x80)
				return 0;
	}
	return 1;
}

/* ---------------------------------------------------------------- */
/* libgcrypt                                                          */
/* ---------------------------------------------------------------- */

static void fingerprint(struct colink_signpub *pub)
{
	unsigned char d[32];
	gcry_md_hd_t md;
	if (gcry_md_open(&md, GCRY_MD_SHA256, 0)) {
		memset(pub->fpr, '0', 16);
		pub->fpr[16] = '\0';
		return;
	}
	gcry_md_write(md, FPR_PREFIX, sizeof(FPR_PREFIX) - 1);
	gcry_md_write(md, pub->key, COLINK_SIGN_PUB_LEN);
	memcpy(d, gcry_md_read(md, GCRY_MD_SHA256), sizeof(d));
	gcry_md_close(md);
	colink_hex(d, 8, pub->fpr);
}

/* The public key of a seed (A = [s]B, RFC 8032 5.1.5). */
static int derive_public(const unsigned char *seed, unsigned char pub[COLINK_SIGN_PUB_LEN],
			 struct colink_error *err)
{
	gcry_sexp_t sk = NULL;
	gcry_ctx_t ctx = NULL;
	gcry_mpi_t q = NULL;
	size_t n = 0;
	int rc = COLINK_OK;
	if (gcry_sexp_build(&sk, NULL, "(private-key (ecc (curve Ed25519)(flags eddsa)(d %b)))",
			    SEED_LEN, seed) ||
	    gcry_mpi_ec_new(&ctx, sk, NULL) || !(q = gcry_mpi_ec_get_mpi("q@eddsa", ctx, 1)) ||
	    gcry_mpi_print(GCRYMPI_FMT_USG, pub, COLINK_SIGN_PUB_LEN, &n, q) ||
	    n != COLINK_SIGN_PUB_LEN)
		rc = COLINK_ERR(err, COLINK_ENOMEM, "libgcrypt: cannot derive an Ed25519 public key");
	gcry_mpi_release(q);
	gcry_ctx_release(ctx);
	gcry_sexp_release(sk);
	return rc;
}

static int new_key(struct colink_signkey **out, const unsigned char *seed, const char *party,
		   const char *signer, struct colink_error *err)
{
	struct colink_signkey *k;
	int rc;
	*out = NULL;
	if ((rc = colink_crypto_init(err)))
		return rc;
	if (!(k = colink_calloc(1, sizeof(*k))))
		return COLINK_ERR(err, COLINK_ENOMEM, "out of memory for a signing key");
	if (!(k->seed = gcry_malloc_secure(SEED_LEN))) {
		colink_signkey_free(k);
		return COLINK_ERR(err, COLINK_ENOMEM, "libgcrypt secure memory exhausted for a signing key");
	}
	memcpy(k->seed, seed, SEED_LEN);
	snprintf(k->pub.party, sizeof(k->pub.party), "%s", party);
	snprintf(k->pub.signer, sizeof(k->pub.signer), "%s", signer);
	if ((rc = derive_public(k->seed, k->pub.key, err))) {
		colink_signkey_free(k);
		return rc;
	}
	fingerprint(&k->pub);
	*out = k;
	return COLINK_OK;
}

int colink_signkey_from_seed(struct colink_signkey **out, const unsigned char seed[32],
			     const char *party, const char *signer, struct colink_error *err)
{
	return new_key(out, seed, party, signer, err);
}

void colink_signkey_free(struct colink_signkey *k)
{
	if (!k)
		return;
	if (k->seed) {
		explicit_bzero(k->seed, SEED_LEN);
		gcry_free(k->seed);
	}
	colink_wipe_free(k, sizeof(*k));
}

const struct colink_signpub *colink_signkey_pub(const struct colink_signkey *k)
{
	return k ? &k->pub : NULL;
}

int colink_sign(const struct colink_signkey *k, const void *msg, size_t n,
		unsigned char sig[COLINK_SIGN_SIG_LEN], struct colink_error *err)
{
	gcry_sexp_t sk = NULL, data = NULL, s = NULL, r = NULL, sv = NULL;
	const char *b;
	size_t rn = 0, sn = 0;
	int rc = COLINK_OK;
	if (gcry_sexp_build(&sk, NULL, "(private-key (ecc (curve Ed25519)(flags eddsa)(d %b)))",
			    SEED_LEN, k->seed) ||
	    gcry_sexp_build(&data, NULL, "(data (flags eddsa)(hash-algo sha512)(value %b))",
			    (int)n, msg) ||
	    gcry_pk_sign(&s, data, sk) || !(r = gcry_sexp_find_token(s, "r", 0)) ||
	    !(sv = gcry_sexp_find_token(s, "s", 0)) ||
	    !(b = gcry_sexp_nth_data(r, 1, &rn)) || rn != 32) {
		rc = COLINK_ERR(err, COLINK_ENOMEM, "libgcrypt: cannot make an Ed25519 signature");
		goto out;
	}
	memcpy(sig, b, 32);
	if (!(b = gcry_sexp_nth_data(sv, 1, &sn)) || sn != 32) {
		rc = COLINK_ERR(err, COLINK_ENOMEM, "libgcrypt: cannot make an Ed25519 signature");
		goto out;
	}
	memcpy(sig + 32, b, 32);
out:
	gcry_sexp_release(sv);
	gcry_sexp_release(r);
	gcry_sexp_release(s);
	gcry_sexp_release(data);
	gcry_sexp_release(sk);
	return rc;
}

int colink_sign_verify(const struct colink_signpub *pub, const void *msg, size_t n,
		       const unsigned char sig[COLINK_SIGN_SIG_LEN])
{
	gcry_sexp_t pk = NULL, data = NULL, s = NULL;
	int rc;
	if (gcry_sexp_build(&pk, NULL, "(public-key (ecc (curve Ed25519)(flags eddsa)(q %b)))",
			    COLINK_SIGN_PUB_LEN, pub->key) ||
	    gcry_sexp_build(&data, NULL, "(data (flags eddsa)(hash-algo sha512)(value %b))",
			    (int)n, msg) ||
	    gcry_sexp_build(&s, NULL, "(sig-val (eddsa (r %b)(s %b)))", 32, sig, 32, sig + 32))
		rc = COLINK_ENOMEM;
	else
		rc = gcry_pk_verify(s, data, pk) ? COLINK_EPOLICY : COLINK_OK;
	gcry_sexp_release(s);
	gcry_sexp_release(data);
	gcry_sexp_release(pk);
	return rc;
}

/* ---------------------------------------------------------------- */
/* Files                                                              */
/* ---------------------------------------------------------------- */

/* The value of line `name` ("name value\n") in text, copied to out
 * (NUL-terminated, at most cap-1 bytes); the line number in *line.  0, or
 * -1 when absent, repeated or too long. */
static int field(const char *text, const char *name, char *out, size_t cap, int *line)
{
	size_t nl = strlen(name);
	const char *p = text, *found = NULL, *end;
	int ln = 1, at = 0;
	for (; *p; ln++) {
		end = strchr(p, '\n');
		if (!end)
			end = p + strlen(p);
		if ((size_t)(end - p) > nl && !strncmp(p, name, nl) && p[nl] == ' ') {
			if (found)
				return -1;
			found = p + nl + 1;
			at = ln;
			if ((size_t)(end - found) >= cap)
				return -1;
			memcpy(out, found, (size_t)(end - found));
			out[end - found] = '\0';
		}
		p = *end ? end + 1 : end;
	}
	if (line)
		*line = at;
	return found ? 0 : -1;
}

/* Lines allowed in a file of `magic`: the magic line, then `names` once
 * each; anything else is refused.  0 or the 1-based line at fault. */
static int lines_known(const char *text, const char *magic, const char *const *names)
{
	const char *p = text, *end;
	int ln = 1;
	size_t i;
	for (; *p; ln++) {
		int ok = 0;
		end = strchr(p, '\n');
		if (!end)
			end = p + strlen(p);
		if (ln == 1)
			ok = (size_t)(end - p) == strlen(magic) && !strncmp(p, magic, strlen(magic));
		for (i = 0; !ok && ln > 1 && names[i]; i++)
			ok = !strncmp(p, names[i], strlen(names[i])) && p[strlen(names[i])] == ' ';
		if (!ok)
			return ln;
		p = *end ? end + 1 : end;
	}
	return ln == 1 ? 1 : 0;
}

/* party, signer and public key of a key file's text into pub. */
static int parse_pub(const char *text, const char *path, const char *magic,
		     struct colink_signpub *pub, struct colink_error *err)
{
	static const char *const priv_names[] = {"party", "signer", "public", "secret", NULL};
	static const char *const pub_names[] = {"party", "signer", "public", NULL};
	char hex[2 * COLINK_SIGN_PUB_LEN + 1];
	int bad = lines_known(text, magic, strcmp(magic, PUB_MAGIC) ? priv_names : pub_names), line = 0;
	if (bad)
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: not a line of a %s file", path, bad, magic);
	if (field(text, "party", pub->party, sizeof(pub->party), &line) ||
	    !colink_sign_party_ok(pub->party))
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: party must be 'association' or 'employer'",
				  path, line ? line : 1);
	if (field(text, "signer", pub->signer, sizeof(pub->signer), &line) ||
	    !colink_sign_signer_ok(pub->signer))
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: missing or invalid signer name",
				  path, line ? line : 1);
	if (field(text, "public", hex, sizeof(hex), &line) || strlen(hex) != 2 * COLINK_SIGN_PUB_LEN ||
	    colink_unhex(hex, COLINK_SIGN_PUB_LEN, pub->key))
		return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: public must be 64 lowercase hex digits",
				  path, line ? line : 1);
	fingerprint(pub);
	return COLINK_OK;
}

/* Read a public file whole (at most TEXT_MAX bytes) into buf. */
static int read_public(const char *path, char *buf, struct colink_error *err)
{
	FILE *f = fopen(path, "rb");
	size_t n;
	if (!f)
		return COLINK_ERR(err, errno == ENOENT ? COLINK_ENOTFOUND : COLINK_EIO,
				  "%s: cannot read public key file: %s", path, strerror(errno));
	n = fread(buf, 1, TEXT_MAX + 1, f);
	fclose(f);
	if (n > TEXT_MAX || memchr(buf, '\0', n))
		return COLINK_ERR(err, COLINK_EINVAL, "%s: not a %s file", path, PUB_MAGIC);
	buf[n] = '\0';
	return COLINK_OK;
}

int colink_signpub_load(struct colink_signpub *out, const char *path, struct colink_error *err)
{
	char buf[TEXT_MAX + 2];
	int rc;
	memset(out, 0, sizeof(*out));
	if ((rc = colink_crypto_init(err)) || (rc = read_public(path, buf, err)))
		return rc;
	return parse_pub(buf, path, PUB_MAGIC, out, err);
}

int colink_signkey_load(struct colink_signkey **out, const char *path, struct colink_error *err)
{
	struct colink_signpub want;
	unsigned char *seed = NULL;
	char *text = NULL, hex[2 * SEED_LEN + 1];
	struct stat st;
	size_t n = 0;
	int fd = -1, rc, line = 0;

	*out = NULL;
	if ((rc = colink_crypto_init(err)))
		return rc;
	if (lstat(path, &st) && errno == ENOENT)
		return COLINK_ERR(err, COLINK_ENOTFOUND, "%s: signing key file not found "
				  "(create one with 'colink agreement keygen')", path);
	if ((rc = colink_keyfile_open_int(path, &fd, err)))
		return rc;
	text = gcry_malloc_secure(TEXT_MAX + 2);
	seed = gcry_malloc_secure(SEED_LEN);
	if (!text || !seed) {
		rc = COLINK_ERR(err, COLINK_ENOMEM, "libgcrypt secure memory exhausted reading %s", path);
		goto out;
	}
	if (colink_keyfile_read_int(fd, text, TEXT_MAX + 1, &n)) {
		rc = COLINK_ERR(err, COLINK_EIO, "%s: cannot read signing key file: %s", path, strerror(errno));
		goto out;
	}
	text[n] = '\0';
	if (n > TEXT_MAX || strlen(text) != n) {
		rc = COLINK_ERR(err, COLINK_EINVAL, "%s: not a %s file", path, PRIV_MAGIC);
		goto out;
	}
	if ((rc = parse_pub(text, path, PRIV_MAGIC, &want, err)))
		goto out;
	if (field(text, "secret", hex, sizeof(hex), &line) || strlen(hex) != 2 * SEED_LEN ||
	    colink_unhex(hex, SEED_LEN, seed)) {
		rc = COLINK_ERR(err, COLINK_EINVAL, "%s:%d: secret must be 64 lowercase hex digits",
				path, line ? line : 1);
		goto out;
	}
	if ((rc = new_key(out, seed, want.party, want.signer, err)))
		goto out;
	if (memcmp((*out)->pub.key, want.key, COLINK_SIGN_PUB_LEN)) {
		colink_signkey_free(*out);
		*out = NULL;
		rc = COLINK_ERR(err, COLINK_EINVAL, "%s: the public key does not belong to the secret key", path);
	}
out:
	explicit_bzero(hex, sizeof(hex));
	if (fd >= 0)
		close(fd);
	if (text) {
		explicit_bzero(text, TEXT_MAX + 2);
		gcry_free(text);
	}
	if (seed) {
		explicit_bzero(seed, SEED_LEN);
		gcry_free(seed);
	}
	return rc;
}

/* "party P\nsigner S\npublic HEX\n" */
static int pub_lines(char *out, size_t cap, const struct colink_signpub *pub)
{
	char hex[2 * COLINK_SIGN_PUB_LEN + 1];
	colink_hex(pub->key, COLINK_SIGN_PUB_LEN, hex);
	return snprintf(out, cap, "party %s\nsigner %s\npublic %s\n", pub->party, pub->signer, hex);
}

/* The public file: created exclusively, 0644 (it is meant to be handed out). */
static int write_public(const char *path, const struct colink_signpub *pub, struct colink_error *err)
{
	char text[TEXT_MAX];
	int n = snprintf(text, sizeof(text), "%s\n", PUB_MAGIC), fd, e;
	n += pub_lines(text + n, sizeof(text) - (size_t)n, pub);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return COLINK_ERR(err, errno == EEXIST ? COLINK_EPERM : COLINK_EIO, "%s: %s", path,
				  errno == EEXIST ? "already exists; refusing to overwrite a key file"
						  : strerror(errno));
	if (fchmod(fd, 0644) || write(fd, text, (size_t)n) != n || fsync(fd) || close(fd)) {
		e = errno;
		close(fd);
		unlink(path);
		return COLINK_ERR(err, COLINK_EIO, "%s: cannot write public key file: %s", path, strerror(e));
	}
	return COLINK_OK;
}

int colink_signkey_generate(const char *priv, const char *pub, const char *party,
			    const char *signer, struct colink_signpub *out,
			    struct colink_error *err)
{
	struct colink_signkey *k = NULL;
	unsigned char *seed = NULL;
	char *text = NULL, hex[2 * SEED_LEN + 1];
	struct stat st;
	int rc, n;

	if (!colink_sign_party_ok(party))
		return COLINK_ERR(err, COLINK_EINVAL, "party must be 'association' or 'employer'");
	if (!colink_sign_signer_ok(signer))
		return COLINK_ERR(err, COLINK_EINVAL, "signer name must be one line of 1..%d bytes of UTF-8 "
				  "without control characters", COLINK_SIGNER_MAX - 1);
	if (!lstat(pub, &st))
		return COLINK_ERR(err, COLINK_EPERM, "%s: already exists; refusing to overwrite a key file", pub);
	if ((rc = colink_crypto_init(err)))
		return rc;
	seed = gcry_malloc_secure(SEED_LEN);
	text = gcry_malloc_secure(TEXT_MAX);
	if (!seed || !text) {
		rc = COLINK_ERR(err, COLINK_ENOMEM, "libgcrypt secure memory exhausted for a signing key");
		goto out;
	}
	gcry_randomize(seed, SEED_LEN, GCRY_VERY_STRONG_RANDOM);
	if ((rc = new_key(&k, seed, party, signer, err)))
		goto out;
	n = snprintf(text, TEXT_MAX, "%s\n", PRIV_MAGIC);
	n += pub_lines(text + n, TEXT_MAX - (size_t)n, &k->pub);
	colink_hex(seed, SEED_LEN, hex);
	n += snprintf(text + n, TEXT_MAX - (size_t)n, "secret %s\n", hex);
	if ((rc = colink_keyfile_create_int(priv, text, (size_t)n, err)))
		goto out;
	if ((rc = write_public(pub, &k->pub, err))) {
		unlink(priv);
		goto out;
	}
	if (out)
		*out = k->pub;
out:
	explicit_bzero(hex, sizeof(hex));
	colink_signkey_free(k);
	if (seed) {
		explicit_bzero(seed, SEED_LEN);
		gcry_free(seed);
	}
	if (text) {
		explicit_bzero(text, TEXT_MAX);
		gcry_free(text);
	}
	return rc;
}
