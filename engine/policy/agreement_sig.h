/*
 * agreement_sig.h -- signed agreements (issue #24): who signed the
 * agreement file, and does it still say what they signed?
 *
 * Each party's responsible person signs the agreement's bytes with an
 * Ed25519 key (identity/signing.h).  Signatures live in a detached file
 * next to the agreement, AGREEMENT.sig (AGREEMENT's path + ".sig"), so the
 * XML itself is never rewritten and needs no canonicalization: one
 * signature per line, five fields separated by tabs
 *
 *   party  signer  time (UTC, YYYY-MM-DDTHH:MM:SSZ)  key fingerprint  signature
 *
 * (the signature as 128 lowercase hex); blank lines and lines starting
 * with '#' are comments.  The signed message is domain-separated:
 *
 *   "colink-agreement-signature-v1" 0x00 SHA-512(agreement bytes)
 *   party 0x00 signer 0x00 time
 *
 * so a signature covers the agreement's exact bytes and the line's own
 * party, signer and time; changing one byte of either fails it.
 *
 * A job trusts the public keys it declares (<agreement><signer party
 * public-key/></agreement>); an agreement is signed when the association
 * AND the employer each have a line that verifies under a key the job
 * trusts for that party and signer.  Messages name files and lines, never
 * key material.
 */
#ifndef COLINK_AGREEMENT_SIG_H
#define COLINK_AGREEMENT_SIG_H

#include <stddef.h>

#include "colink/plugin.h"
#include "identity/signing.h"

#define COLINK_AGREEMENT_SIG_CONTEXT "colink-agreement-signature-v1"

/* What became of one signature line. */
enum colink_sig_verdict {
	COLINK_SIG_OK = 0,        /* verifies under a trusted key of its party and signer */
	COLINK_SIG_UNTRUSTED = 1, /* its key is not one the job trusts */
	COLINK_SIG_BAD = 2,       /* does not verify: the agreement (or the line) changed */
	COLINK_SIG_MISMATCH = 3   /* a trusted key, but of another party or signer */
};
/* "ok", "untrusted key", "does not verify", "key of another party or signer" */
const char *colink_sig_verdict_name(int verdict);

struct colink_agreement_sig {
	int line;                        /* line in the .sig file */
	char party[16];
	char signer[COLINK_SIGNER_MAX];
	char time[32];                   /* UTC, YYYY-MM-DDTHH:MM:SSZ */
	char fpr[17];                    /* fingerprint of the signing key */
	int verdict;                     /* enum colink_sig_verdict */
};

struct colink_agreement_sigs {
	char *sig_path;                  /* AGREEMENT.sig */
	int sig_file;                    /* 1 when the .sig file exists */
	size_t n;
	struct colink_agreement_sig *sigs; /* file order */
	int verified;                    /* both parties have a COLINK_SIG_OK line */
	/* verified: "signed: association NAME at TIME; employer NAME at TIME";
	 * else why not, one line (no key material) */
	char summary[COLINK_ERRMSG_MAX];
};

/* AGREEMENT + ".sig"; caller frees with colink_free(); NULL on OOM. */
char *colink_agreement_sig_path(const char *agreement);

/*
 * Sign the bytes of `agreement` with `k` at the current UTC time (or at
 * `time` when not NULL, tests only) and append the line to AGREEMENT.sig
 * (created 0644 with a comment header when absent).  A .sig file with a
 * malformed line is refused (FILE:LINE) and left as it is.  *out (may be
 * NULL) receives the line appended.
 */
int colink_agreement_sign(const char *agreement, const struct colink_signkey *k,
			  const char *time, struct colink_agreement_sig *out,
			  struct colink_error *err);

/*
 * Verify AGREEMENT.sig against the bytes of `agreement` and the trusted
 * keys trust[0..ntrust).  A missing .sig file is not an error (nothing
 * verifies: *out says unsigned); a malformed line is COLINK_EINVAL with
 * "FILE:LINE: ...".  On success *out is the caller's
 * (colink_agreement_sigs_free).
 */
int colink_agreement_verify(struct colink_agreement_sigs **out, const char *agreement,
			    const struct colink_signpub *trust, size_t ntrust,
			    struct colink_error *err);

/*
 * The same for a job: its <signer> public keys are loaded (a bad or
 * missing key file is "JOB:LINE: ..." with the file's own error) and its
 * agreement file verified against them.  A job that declares no signer
 * verifies nothing: *out says so.
 */
struct colink_job;
int colink_agreement_verify_job(struct colink_agreement_sigs **out, const struct colink_job *j,
				struct colink_error *err);

void colink_agreement_sigs_free(struct colink_agreement_sigs *s); /* accepts NULL */

#endif
