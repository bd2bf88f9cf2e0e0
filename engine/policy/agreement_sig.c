/*
 * agreement_sig.c -- the detached signature file of an agreement: signing
 * (append one line), reading and verifying (see agreement_sig.h).
 */
#include "policy/agreement_sig.h"

#include <errno.h>
#include <fcntl.h>
#include <gcrypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/text.h"
#include "base/util.h"
#include "core/job.h"
#include "policy/agreement.h"

#define OOM(err) COLINK_ERR(err, COLINK_ENOMEM, "out of memory reading agreement signatures")
#define LINE_MAX_BYTES 1024
#define SIG_HEADER "# colink agreement signatures (docs/agreement.md): party, signer, UTC time, " \
	"key fingerprint, Ed25519 signature; one per line, tab-separated\n"

const char *colink_sig_verdict_name(int v)
{
	switch (v) {
	case COLINK_SIG_OK: return "ok";
	case COLINK_SIG_UNTRUSTED: return "untrusted key";
	case COLINK_SIG_BAD: return "does not verify (the agreement or the line changed after signing)";
	case COLINK_SIG_MISMATCH: return "key of another party or signer";
	default: return "?";
	}
}

char *colink_agreement_sig_path(const char *agreement)
{
	size_t n = strlen(agreement);
	char *p = colink_malloc(n + 5);
	if (p) {
		memcpy(p, agreement, n);
		memcpy(p + n, ".sig", 5);
	}
	return p;
}

void colink_agreement_sigs_free(struct colink_agreement_sigs *s)
{
	if (!s)
		return;
	colink_free(s->sig_path);
	colink_free(s->sigs);
	colink_free(s);
}

/* SHA-512 of the agreement file's bytes. */
static int agreement_digest(const char *path, unsigned char d[64], struct colink_error *err)
{
	FILE *f = fopen(path, "rb");
	gcry_md_hd_t md;
	char buf[65536];
	size_t n;
	int bad;
	if (!f)
		return COLINK_ERR(err, errno == ENOENT ? COLINK_ENOTFOUND : COLINK_EIO,
				  "%s: cannot read agreement: %s", path, strerror(errno));
	if (gcry_md_open(&md, GCRY_MD_SHA512, 0)) {
		fclose(f);
		return COLINK_ERR(err, COLINK_ENOMEM, "libgcrypt: cannot open SHA-512");
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		gcry_md_write(md, buf, n);
	bad = ferror(f);
	fclose(f);
	if (!bad)
		memcpy(d, gcry_md_read(md, GCRY_MD_SHA512), 64);
	gcry_md_close(md);
	return bad ? COLINK_ERR(err, COLINK_EIO, "%s: cannot read agreement", path) : COLINK_OK;
}

/* The signed message of a line (agreement_sig.h); *len its length. */
static size_t message(unsigned char *out, size_t cap, const unsigned char d[64],
		      const struct colink_agreement_sig *s)
{
	size_t n = 0, k;
	const char *parts[3] = {s->party, s->signer, s->time};
	int i;
	memcpy(out, COLINK_AGREEMENT_SIG_CONTEXT, sizeof(COLINK_AGREEMENT_SIG_CONTEXT));
	n = sizeof(COLINK_AGREEMENT_SIG_CONTEXT); /* with its NUL */
	memcpy(out + n, d, 64);
	n += 64;
	for (i = 0; i < 3; i++) {
		k = strlen(parts[i]);
		if (n + k + 1 > cap)
			return 0;
		memcpy(out + n, parts[i], k);
		n += k;
		if (i < 2)
			out[n++] = '\0';
	}
	return n;
}

/* YYYY-MM-DDTHH:MM:SSZ */
static int time_ok(const char *t)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:ddZ";
	size_t i;
	if (strlen(t) != sizeof(pat) - 1)
		return 0;
	for (i = 0; pat[i]; i++)
		if (pat[i] == 'd' ? (t[i] < '0' || t[i] > '9') : t[i] != pat[i])
			return 0;
	return 1;
}

/* Split one line into its fields; 0 or -1 when malformed. */
static int parse_line(char *l, struct colink_agreement_sig *s, unsigned char sig[64])
{
	char *f[5], *p = l;
	int i;
	for (i = 0; i < 5; i++) {
		f[i] = p;
		p = strchr(p, '\t');
		if (i < 4) {
			if (!p)
				return -1;
			*p++ = '\0';
		} else if (p) {
			return -1;
		}
	}
	if (!colink_sign_party_ok(f[0]) || !colink_sign_signer_ok(f[1]) || !time_ok(f[2]) ||
	    strlen(f[3]) != 16 || strlen(f[4]) != 128 || colink_unhex(f[4], 64, sig))
		return -1;
	for (i = 0; i < 16; i++)
		if (!strchr("0123456789abcdef", f[3][i]))
			return -1;
	snprintf(s->party, sizeof(s->party), "%s", f[0]);
	snprintf(s->signer, sizeof(s->signer), "%s", f[1]);
	snprintf(s->time, sizeof(s->time), "%s", f[2]);
	memcpy(s->fpr, f[3], 17);
	return 0;
}

static int verdict(const struct colink_agreement_sig *s, const unsigned char *msg, size_t mlen,
		   const unsigned char sig[64], const struct colink_signpub *trust, size_t ntrust)
{
	size_t i;
	int best = COLINK_SIG_UNTRUSTED;
	for (i = 0; i < ntrust; i++) {
		if (strcmp(trust[i].fpr, s->fpr))
			continue;
		if (strcmp(trust[i].party, s->party) || strcmp(trust[i].signer, s->signer)) {
			best = COLINK_SIG_MISMATCH;
			continue;
		}
		if (colink_sign_verify(&trust[i], msg, mlen, sig) == COLINK_OK)
			return COLINK_SIG_OK;
		best = COLINK_SIG_BAD;
	}
	return best;
}

/*
 * Read every line of the .sig file into s (a missing file leaves s empty);
 * with `d` and `trust`, each line gets its verdict.  Malformed lines are
 * COLINK_EINVAL "FILE:LINE: ...".
 */
static int read_sigs(struct colink_agreement_sigs *s, const unsigned char d[64],
		     const struct colink_signpub *trust, size_t ntrust, struct colink_error *err)
{
	FILE *f = fopen(s->sig_path, "rb");
	char line[LINE_MAX_BYTES + 2];
	unsigned char msg[LINE_MAX_BYTES + 128], sig[64];
	int ln = 0;
	if (!f) {
		if (errno == ENOENT)
			return COLINK_OK;
		return COLINK_ERR(err, COLINK_EIO, "%s: cannot read signature file: %s", s->sig_path,
				  strerror(errno));
	}
	s->sig_file = 1;
	while (fgets(line, sizeof(line), f)) {
		struct colink_agreement_sig *na, one;
		size_t n = strlen(line), mlen;
		ln++;
		if (n > LINE_MAX_BYTES || (n && line[n - 1] != '\n' && !feof(f))) {
			fclose(f);
			return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: signature line too long", s->sig_path, ln);
		}
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n && line[n - 1] == '\r')
			line[--n] = '\0';
		if (!n || line[0] == '#')
			continue;
		memset(&one, 0, sizeof(one));
		one.line = ln;
		if (parse_line(line, &one, sig)) {
			fclose(f);
			return COLINK_ERR(err, COLINK_EINVAL, "%s:%d: not a signature line (party, signer, UTC time "
					  "YYYY-MM-DDTHH:MM:SSZ, 16-hex key fingerprint, 128-hex signature, "
					  "separated by tabs)", s->sig_path, ln);
		}
		if (d) {
			mlen = message(msg, sizeof(msg), d, &one);
			one.verdict = mlen ? verdict(&one, msg, mlen, sig, trust, ntrust) : COLINK_SIG_BAD;
		}
		if (!(na = colink_realloc(s->sigs, (s->n + 1) * sizeof(*na)))) {
			fclose(f);
			return OOM(err);
		}
		s->sigs = na;
		s->sigs[s->n++] = one;
	}
	fclose(f);
	return COLINK_OK;
}

/* One party's state for the summary: its first verifying signature, or
 * why it has none. */
static const struct colink_agreement_sig *party_ok(const struct colink_agreement_sigs *s,
						   const char *party)
{
	size_t i;
	for (i = 0; i < s->n; i++)
		if (s->sigs[i].verdict == COLINK_SIG_OK && !strcmp(s->sigs[i].party, party))
			return &s->sigs[i];
	return NULL;
}

static void party_why(const struct colink_agreement_sigs *s, const char *party, char *out, size_t cap)
{
	size_t i;
	for (i = 0; i < s->n; i++)
		if (!strcmp(s->sigs[i].party, party)) {
			snprintf(out, cap, "%s's signature by %s at %s: %s (%s:%d)", party, s->sigs[i].signer,
				 s->sigs[i].time, colink_sig_verdict_name(s->sigs[i].verdict), s->sig_path,
				 s->sigs[i].line);
			return;
		}
	snprintf(out, cap, "no signature of the %s", party);
}

static void summarize(struct colink_agreement_sigs *s, size_t ntrust)
{
	const struct colink_agreement_sig *as = party_ok(s, "association"), *em = party_ok(s, "employer");
	char a[COLINK_ERRMSG_MAX / 2], e[COLINK_ERRMSG_MAX / 2];
	s->verified = as && em;
	if (s->verified) {
		snprintf(s->summary, sizeof(s->summary), "signed: association %s at %s; employer %s at %s",
			 as->signer, as->time, em->signer, em->time);
		return;
	}
	if (!ntrust) {
		snprintf(s->summary, sizeof(s->summary), "not verified: no trusted public key declared "
			 "(<signer party=... public-key=...> in the job's <agreement>)");
		return;
	}
	if (!s->sig_file) {
		snprintf(s->summary, sizeof(s->summary), "not verified: no signature file %s", s->sig_path);
		return;
	}
	a[0] = e[0] = '\0';
	if (!as)
		party_why(s, "association", a, sizeof(a));
	if (!em)
		party_why(s, "employer", e, sizeof(e));
	/* a summary longer than a message line is cut (it stays one line) */
	if (snprintf(s->summary, sizeof(s->summary), "not verified: %s%s%s", a, a[0] && e[0] ? "; " : "",
		     e) >= (int)sizeof(s->summary))
		s->summary[sizeof(s->summary) - 1] = '\0';
}

int colink_agreement_verify(struct colink_agreement_sigs **out, const char *agreement,
			    const struct colink_signpub *trust, size_t ntrust,
			    struct colink_error *err)
{
	struct colink_agreement_sigs *s = colink_calloc(1, sizeof(*s));
	unsigned char d[64];
	int rc;
	*out = NULL;
	if (!s || !(s->sig_path = colink_agreement_sig_path(agreement))) {
		colink_agreement_sigs_free(s);
		return OOM(err);
	}
	rc = agreement_digest(agreement, d, err);
	if (rc == COLINK_OK)
		rc = read_sigs(s, d, trust, ntrust, err);
	if (rc) {
		colink_agreement_sigs_free(s);
		return rc;
	}
	summarize(s, ntrust);
	*out = s;
	return COLINK_OK;
}

int colink_agreement_verify_job(struct colink_agreement_sigs **out, const struct colink_job *j,
				struct colink_error *err)
{
	struct colink_signpub *trust = colink_calloc(j->nsigners + 1, sizeof(*trust));
	size_t i;
	int rc = COLINK_OK;
	*out = NULL;
	if (!trust)
		return OOM(err);
	for (i = 0; rc == COLINK_OK && i < j->nsigners; i++) {
		const struct colink_job_signer *sg = &j->signers[i];
		rc = colink_signpub_load(&trust[i], sg->public_key, err);
		if (rc == COLINK_OK && strcmp(trust[i].party, colink_party_name(sg->party)))
			rc = COLINK_ERR(err, COLINK_EINVAL, "%s: the key's party is %s, not %s",
					sg->public_key, trust[i].party, colink_party_name(sg->party));
		if (rc) {
			char why[COLINK_ERRMSG_MAX];
			snprintf(why, sizeof(why), "%s", err->msg);
			COLINK_ERR(err, rc, "%s:%d: %s", j->path, sg->line, why);
		}
	}
	if (rc == COLINK_OK)
		rc = colink_agreement_verify(out, j->agreement_file, trust, j->nsigners, err);
	colink_free(trust);
	return rc;
}

/* ---- signing ---- */

static int append_line(const char *path, const char *text, size_t n, struct colink_error *err)
{
	struct stat st;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644), e;
	int fresh = fd >= 0 && !fstat(fd, &st) && st.st_size == 0;
	if (fd < 0)
		return COLINK_ERR(err, COLINK_EIO, "%s: cannot open signature file: %s", path, strerror(errno));
	if ((fresh && write(fd, SIG_HEADER, sizeof(SIG_HEADER) - 1) != (ssize_t)(sizeof(SIG_HEADER) - 1)) ||
	    write(fd, text, n) != (ssize_t)n || fsync(fd)) {
		e = errno;
		close(fd);
		return COLINK_ERR(err, COLINK_EIO, "%s: cannot write signature: %s", path, strerror(e));
	}
	return close(fd) ? COLINK_ERR(err, COLINK_EIO, "%s: cannot write signature: %s", path,
				      strerror(errno)) : COLINK_OK;
}

int colink_agreement_sign(const char *agreement, const struct colink_signkey *k,
			  const char *time, struct colink_agreement_sig *out,
			  struct colink_error *err)
{
	const struct colink_signpub *pub = colink_signkey_pub(k);
	struct colink_agreement_sigs *s = colink_calloc(1, sizeof(*s));
	struct colink_agreement_sig one;
	unsigned char d[64], msg[LINE_MAX_BYTES + 128], sig[64];
	char line[LINE_MAX_BYTES], hex[129], now[32];
	size_t mlen;
	int rc, n;
	if (!s || !(s->sig_path = colink_agreement_sig_path(agreement))) {
		colink_agreement_sigs_free(s);
		return OOM(err);
	}
	/* never append to a damaged file: every line already there must parse */
	rc = agreement_digest(agreement, d, err);
	if (rc == COLINK_OK)
		rc = read_sigs(s, NULL, NULL, 0, err);
	if (rc)
		goto out;
	memset(&one, 0, sizeof(one));
	colink_now_iso(now);
	snprintf(one.party, sizeof(one.party), "%s", pub->party);
	snprintf(one.signer, sizeof(one.signer), "%s", pub->signer);
	snprintf(one.time, sizeof(one.time), "%s", time ? time : now);
	memcpy(one.fpr, pub->fpr, 17);
	if (!time_ok(one.time)) {
		rc = COLINK_ERR(err, COLINK_EINVAL, "signing time %s is not YYYY-MM-DDTHH:MM:SSZ", one.time);
		goto out;
	}
	mlen = message(msg, sizeof(msg), d, &one);
	if ((rc = colink_sign(k, msg, mlen, sig, err)))
		goto out;
	colink_hex(sig, 64, hex);
	n = snprintf(line, sizeof(line), "%s\t%s\t%s\t%s\t%s\n", one.party, one.signer, one.time, one.fpr, hex);
	rc = append_line(s->sig_path, line, (size_t)n, err);
	if (rc == COLINK_OK && out)
		*out = one;
out:
	colink_agreement_sigs_free(s);
	return rc;
}
