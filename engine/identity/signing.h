/*
 * signing.h -- Ed25519 signing keys of the agreement's responsible persons
 * (issue #24: a hand-edited agreement must not be trusted).
 *
 * Each party's responsible person holds one private signing key and hands
 * out the matching public key file; the job names the public keys it
 * trusts.  libgcrypt does the arithmetic (RFC 8032 Ed25519, pure, over the
 * message given; engine/policy/agreement_sig.c builds that message).
 *
 * Files (text, one "name value" per line after a version line):
 *   private  "colink-signing-key-v1", party, signer, public (64 hex),
 *            secret (64 hex: the 32-byte seed); mode 0600, created with
 *            O_EXCL (never overwritten), refused when group/other can
 *            read or write it, like the pseudonym key file
 *   public   "colink-signing-public-key-v1", party, signer, public
 * party is "association" or "employer"; signer is the person's name (one
 * line of 1..COLINK_SIGNER_MAX-1 bytes of UTF-8, no control character).
 * The fingerprint of a public key is the first 16 hex of
 * SHA-256("colink-signing-key-id-v1" || public key).
 *
 * Ownership: colink_signkey_load() returns a key freed (and wiped) by
 * colink_signkey_free(); the secret half lives in libgcrypt secure memory.
 * No message ever holds key material; messages name the file (and line).
 */
#ifndef COLINK_SIGNING_H
#define COLINK_SIGNING_H

#include <stddef.h>

#include "colink/plugin.h"

#define COLINK_SIGN_PUB_LEN 32
#define COLINK_SIGN_SIG_LEN 64
#define COLINK_SIGNER_MAX 128

/* A public signing key, as read from a public key file (or a private one). */
struct colink_signpub {
	char party[16];                  /* "association" / "employer" */
	char signer[COLINK_SIGNER_MAX];  /* the responsible person's name */
	unsigned char key[COLINK_SIGN_PUB_LEN];
	char fpr[17];                    /* 16 hex fingerprint */
};

struct colink_signkey;

/* 1 when `party` is a party name a key may carry. */
int colink_sign_party_ok(const char *party);
/* 1 when `signer` is a valid signer name (see above). */
int colink_sign_signer_ok(const char *signer);

/* Generate a key pair: the private key to `priv` (0600, never
 * overwritten), the public key to `pub` (0644, never overwritten); on a
 * failure neither file is left behind.  *out (may be NULL) receives the
 * public half. */
int colink_signkey_generate(const char *priv, const char *pub, const char *party,
			    const char *signer, struct colink_signpub *out,
			    struct colink_error *err);

/* Load a private key file (permissions, format, key pair consistency). */
int colink_signkey_load(struct colink_signkey **out, const char *path,
			struct colink_error *err);
void colink_signkey_free(struct colink_signkey *k); /* wipes; accepts NULL */
/* The public half; borrowed until colink_signkey_free. */
const struct colink_signpub *colink_signkey_pub(const struct colink_signkey *k);

/* Load a public key file. */
int colink_signpub_load(struct colink_signpub *out, const char *path,
			struct colink_error *err);

/* Ed25519 signature of msg[0..n). */
int colink_sign(const struct colink_signkey *k, const void *msg, size_t n,
		unsigned char sig[COLINK_SIGN_SIG_LEN], struct colink_error *err);
/* 0 when `sig` is pub's signature of msg[0..n), else COLINK_EPOLICY
 * (COLINK_ENOMEM when libgcrypt cannot build its objects). */
int colink_sign_verify(const struct colink_signpub *pub, const void *msg, size_t n,
		       const unsigned char sig[COLINK_SIGN_SIG_LEN]);

/* Tests and test vectors only: a key from its 32-byte seed. */
int colink_signkey_from_seed(struct colink_signkey **out, const unsigned char seed[32],
			     const char *party, const char *signer, struct colink_error *err);

#endif
