/*
 * cmd_agreement.c -- `colink agreement keygen|sign|verify`: the parties'
 * signatures on a joint-use agreement (issue #24; docs/agreement.md
 * "Signing and verification").
 */
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/paths.h"
#include "cli/cli.h"
#include "core/job.h"
#include "identity/signing.h"
#include "policy/agreement.h"
#include "policy/agreement_sig.h"
#include "base/xmlutil.h"

static void help(FILE *f)
{
	fprintf(f,
		"usage: colink agreement keygen --party association|employer --signer NAME PRIVATE PUBLIC\n"
		"       colink agreement sign --key PRIVATE AGREEMENT\n"
		"       colink agreement verify (--trust PUBLIC)... AGREEMENT\n"
		"       colink agreement verify --job JOB\n"
		"\n"
		"Each party's responsible person signs the agreement file with an Ed25519\n"
		"key.  keygen writes the private key PRIVATE (mode 0600, never overwritten;\n"
		"keep it with that person) and the public key PUBLIC (hand it to whoever\n"
		"writes jobs: a job trusts it with <signer party=... public-key=PUBLIC/>\n"
		"in its <agreement>).  sign appends one line to AGREEMENT.sig (party,\n"
		"signer, UTC time, key fingerprint, signature over the agreement's exact\n"
		"bytes); the agreement itself is never rewritten.  verify prints every\n"
		"signature with its verdict against the trusted public keys (or the\n"
		"job's).  `colink run` refuses an agreement that is not signed by both\n"
		"parties unless --unsigned-agreement is given.\n"
		"\n"
		"exit: 0 signed by both parties (verify) / done; 2 usage; 3 not verified,\n"
		"invalid file or key; 4 missing file.\n");
}

static int fail(struct colink_error *err, int rc)
{
	fprintf(stderr, "colink: %s\n", err->msg);
	return cli_exit_for_plan(rc);
}

static int keygen(int argc, char **argv)
{
	struct colink_error err = {0};
	struct colink_signpub pub;
	const char *party = NULL, *signer = NULL, *pos[2] = {NULL, NULL};
	int i, np = 0, rc;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--party") && i + 1 < argc)
			party = argv[++i];
		else if (!strcmp(argv[i], "--signer") && i + 1 < argc)
			signer = argv[++i];
		else if (argv[i][0] != '-' && np < 2)
			pos[np++] = argv[i];
		else
			np = 3;
	}
	if (np != 2 || !party || !signer) {
		help(stderr);
		return EXIT_USAGE;
	}
	rc = colink_signkey_generate(pos[0], pos[1], party, signer, &pub, &err);
	if (rc)
		return fail(&err, rc);
	printf("%s: new signing key of the %s, signer %s, fingerprint %s\n%s: its public key\n",
	       pos[0], pub.party, pub.signer, pub.fpr, pos[1]);
	return EXIT_OK;
}

static int sign(struct cli_global *g, int argc, char **argv)
{
	struct colink_error err = {0};
	struct colink_signkey *k = NULL;
	struct colink_agreement *a = NULL;
	struct colink_agreement_sig one;
	const char *key = NULL, *agr = NULL;
	int i, rc;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--key") && i + 1 < argc)
			key = argv[++i];
		else if (argv[i][0] != '-' && !agr)
			agr = argv[i];
		else
			key = NULL, i = argc;
	}
	if (!key || !agr) {
		help(stderr);
		return EXIT_USAGE;
	}
	/* sign only what is a valid agreement */
	rc = colink_agreement_load(&a, agr, colink_data_dir(g->data_dir), NULL, &err);
	if (rc == COLINK_OK)
		rc = colink_signkey_load(&k, key, &err);
	if (rc == COLINK_OK)
		rc = colink_agreement_sign(agr, k, NULL, &one, &err);
	if (rc == COLINK_OK)
		printf("%s.sig: signed agreement %s as the %s by %s at %s (key %s)\n", agr,
		       colink_agreement_id(a), one.party, one.signer, one.time, one.fpr);
	colink_signkey_free(k);
	colink_agreement_free(a);
	return rc ? fail(&err, rc) : EXIT_OK;
}

static void print_sigs(const struct colink_agreement_sigs *s)
{
	size_t i;
	if (!s->n)
		printf("%s: %s\n", s->sig_path, s->sig_file ? "no signature" : "no signature file");
	for (i = 0; i < s->n; i++) {
		const struct colink_agreement_sig *x = &s->sigs[i];
		printf("%s:%d: %s %s at %s (key %s): %s\n", s->sig_path, x->line, x->party, x->signer,
		       x->time, x->fpr, colink_sig_verdict_name(x->verdict));
	}
}

static int verify(struct cli_global *g, int argc, char **argv)
{
	struct colink_error err = {0};
	struct colink_signpub *trust = colink_calloc((size_t)argc + 1, sizeof(*trust));
	struct colink_agreement_sigs *s = NULL;
	struct colink_job *j = NULL;
	const char *agr = NULL, *job = NULL;
	size_t nt = 0;
	int i, rc = COLINK_OK, usage = 0;
	if (!trust)
		return EXIT_FAILED;
	for (i = 1; rc == COLINK_OK && i < argc; i++) {
		if (!strcmp(argv[i], "--trust") && i + 1 < argc)
			rc = colink_signpub_load(&trust[nt++], argv[++i], &err);
		else if (!strcmp(argv[i], "--job") && i + 1 < argc && !job)
			job = argv[++i];
		else if (argv[i][0] != '-' && !agr)
			agr = argv[i];
		else
			usage = 1;
	}
	if (usage || (!agr == !job) || (job && nt)) {
		colink_free(trust);
		help(stderr);
		return EXIT_USAGE;
	}
	if (rc == COLINK_OK && job)
		rc = colink_job_load(&j, job, colink_data_dir(g->data_dir), &err);
	if (rc == COLINK_OK)
		rc = j ? colink_agreement_verify_job(&s, j, &err)
		       : colink_agreement_verify(&s, agr, trust, nt, &err);
	if (rc == COLINK_OK) {
		print_sigs(s);
		printf("%s: %s\n", j ? j->agreement_file : agr, s->summary);
		if (!s->verified)
			rc = COLINK_EPOLICY;
	}
	colink_agreement_sigs_free(s);
	colink_job_free(j);
	colink_free(trust);
	if (rc == COLINK_EPOLICY)
		return EXIT_CONFIG;
	return rc ? fail(&err, rc) : EXIT_OK;
}

int cmd_agreement(struct cli_global *g, int argc, char **argv)
{
	int i;
	/* -h/--help anywhere, as for every verb: never a key file named --help */
	for (i = 1; i < argc; i++)
		if (cli_is_help(argv[i])) {
			help(stdout);
			return EXIT_OK;
		}
	if (argc >= 2 && !strcmp(argv[1], "keygen"))
		return keygen(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "sign"))
		return sign(g, argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "verify"))
		return verify(g, argc - 1, argv + 1);
	help(stderr);
	return EXIT_USAGE;
}
