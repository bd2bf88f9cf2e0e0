/*
 * test_signing.c -- signed agreements (issue #24): the Ed25519 keys
 * (engine/identity/signing.c) against RFC 8032's vector, and against the
 * real binary: keygen / sign / verify, a signed agreement edited
 * afterwards, one party's signature only, an untrusted key, a damaged
 * .sig file and a private key others can read are all refused before any
 * data moves (exit 3, a "refused" audit entry); --unsigned-agreement runs
 * and is recorded in the ledger and the audit log.
 */
#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/text.h"
#include "identity/identity.h"
#include "identity/signing.h"
#include "testutil.h"

static char *dir;

static int colink(const char *args, char **out, char **err)
{
	return tu_colink_run(dir, args, out, err);
}

static char *path(const char *name)
{
	return tu_fmt("%s/%s", dir, name);
}

static int exists(const char *name)
{
	char *p = path(name);
	struct stat st;
	int r = stat(p, &st) == 0;
	free(p);
	return r;
}

/* A fresh copy of the sample agreement as `name` (its .sig removed). */
static void copy_agreement(const char *name)
{
	char *c = tu_fmt("cp '%s/samples/agreement.xml' '%s/%s' && rm -f '%s/%s.sig'", tu_srcdir(), dir,
			 name, dir, name);
	CU_ASSERT_EQUAL(tu_run(c, NULL, NULL), 0);
	free(c);
}

/* Job `name`.xml under agreement `agr` trusting the keys `signers` (XML). */
static void write_job(const char *name, const char *agr, const char *signers)
{
	char *p = tu_fmt("%s/%s.xml", dir, name), *body;
	body = tu_fmt("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		      "<job xmlns=\"urn:colink:job:1\" name=\"%s\">\n"
		      "  <agreement file=\"%s\" id=\"sample-collabo-2024\">%s</agreement>\n"
		      "  <purpose>健康白書</purpose>\n"
		      "  <recipient party=\"association\" role=\"保健事業担当者\"/>\n"
		      "  <key file=\"k.key\"/>\n"
		      "  <input mapping=\"%s/mappings/employer/roster.xml\" path=\"%s/samples/employer/roster.csv\"/>\n"
		      "  <output plugin=\"out_sqlite\"><set name=\"path\" value=\"%s.db\"/></output>\n"
		      "  <audit log=\"audit.log\"/>\n"
		      "</job>\n",
		      name, agr, signers, tu_srcdir(), tu_srcdir(), name);
	tu_write_file(p, body, strlen(body));
	free(body);
	free(p);
}

#define BOTH "<signer party=\"association\" public-key=\"a.pub\"/><signer party=\"employer\" public-key=\"e.pub\"/>"

static int setup(void)
{
	dir = tu_mkdtemp("signing");
	return colink("key new k.key", NULL, NULL) ||
	       colink("agreement keygen --party association --signer '見本 次郎' a.key a.pub", NULL, NULL) ||
	       colink("agreement keygen --party employer --signer '見本 三郎' e.key e.pub", NULL, NULL) ||
	       colink("agreement keygen --party employer --signer 'Mallory' m.key m.pub", NULL, NULL);
}

static int teardown(void)
{
	tu_rmtree(dir);
	free(dir);
	return 0;
}

/* The last line of the audit log (malloc'd), or NULL. */
static char *last_audit(void)
{
	char *p = path("audit.log"), *s = tu_read_file(p, NULL), *q, *r = NULL;
	free(p);
	if (s && *s) {
		s[strlen(s) - 1] = '\0';
		q = strrchr(s, '\n');
		r = strdup(q ? q + 1 : s);
	}
	free(s);
	return r;
}

/* `colink run` of job `name`: refused with `want` on stderr (one line),
 * a refused audit entry, no warehouse. */
static void refused(const char *name, const char *want)
{
	char *c = tu_fmt("run %s.xml", name), *e = NULL, *db = tu_fmt("%s.db", name), *last;
	CU_ASSERT_EQUAL(colink(c, NULL, &e), 3);
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, want));
	if (!(e && strstr(e, want)))
		fprintf(stderr, "\n  wanted: %s\n  got: %s\n", want, e ? e : "(nothing)");
	CU_ASSERT(e && strchr(e, '\n') == e + strlen(e) - 1);
	CU_ASSERT_FALSE(exists(db));
	last = last_audit();
	CU_ASSERT_PTR_NOT_NULL(last && strstr(last, "\"kind\":\"run\",\"status\":\"refused\""));
	CU_ASSERT_PTR_NOT_NULL(last && strstr(last, "\"agreement_signing\":\"not verified: "));
	CU_ASSERT_PTR_NOT_NULL(last && strstr(last, "\"counts\":{\"read\":0,\"loaded\":0"));
	free(last);
	free(db);
	free(e);
	free(c);
}

/* ---- the keys ---- */

/* RFC 8032 7.1 TEST 1 and TEST 2: libgcrypt through our wrapper. */
static void test_signing__rfc8032_vectors(void)
{
	static const char *const seeds[] = {
		"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
		"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"};
	static const char *const pubs[] = {
		"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
		"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"};
	static const char *const sigs[] = {
		"e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
		"5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
		"92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
		"085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"};
	static const unsigned char msgs[2][1] = {{0}, {0x72}};
	struct colink_error err = {0};
	size_t i;
	for (i = 0; i < 2; i++) {
		struct colink_signkey *k = NULL;
		unsigned char seed[32], sig[64];
		char hex[129];
		colink_unhex(seeds[i], 32, seed);
		CU_ASSERT_FATAL(colink_signkey_from_seed(&k, seed, "association", "x", &err) == COLINK_OK);
		colink_hex(colink_signkey_pub(k)->key, 32, hex);
		CU_ASSERT_STRING_EQUAL(hex, pubs[i]);
		CU_ASSERT_EQUAL(colink_sign(k, msgs[i], i, sig, &err), COLINK_OK);
		colink_hex(sig, 64, hex);
		CU_ASSERT_STRING_EQUAL(hex, sigs[i]);
		CU_ASSERT_EQUAL(colink_sign_verify(colink_signkey_pub(k), msgs[i], i, sig), COLINK_OK);
		sig[10] ^= 1;
		CU_ASSERT_EQUAL(colink_sign_verify(colink_signkey_pub(k), msgs[i], i, sig), COLINK_EPOLICY);
		colink_signkey_free(k);
	}
}

static void test_signing__keygen_files(void)
{
	char *p = path("a.key"), *q = path("a.pub"), *pub, *e = NULL;
	struct stat st;
	CU_ASSERT_EQUAL(stat(p, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	CU_ASSERT_EQUAL(stat(q, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0644);
	pub = tu_read_file(q, NULL);
	CU_ASSERT_PTR_NOT_NULL(pub && !strncmp(pub, "colink-signing-public-key-v1\nparty association\n"
					      "signer 見本 次郎\npublic ", 70));
	CU_ASSERT_PTR_NULL(pub && strstr(pub, "secret"));
	/* never overwritten */
	CU_ASSERT_EQUAL(colink("agreement keygen --party association --signer x a.key z.pub", NULL, &e), 3);
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "a.key: already exists; refusing to overwrite"));
	CU_ASSERT_FALSE(exists("z.pub"));
	free(e);
	e = NULL;
	CU_ASSERT_EQUAL(colink("agreement keygen --party boss --signer x b.key b.pub", NULL, &e), 3);
	CU_ASSERT_EQUAL(colink("agreement keygen --signer x b.key b.pub", NULL, NULL), 2);
	CU_ASSERT_FALSE(exists("b.key"));
	free(e);
	free(pub);
	free(q);
	free(p);
}

/* ---- sign and verify ---- */

static void test_signing__sign_verify_round_trip(void)
{
	char *o = NULL, *e = NULL, *sig, *sp = path("rt.xml.sig");
	copy_agreement("rt.xml");
	CU_ASSERT_EQUAL(colink("agreement sign --key a.key rt.xml", &o, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "rt.xml.sig: signed agreement sample-collabo-2024 as the "
					      "association by 見本 次郎 at "));
	free(o);
	o = NULL;
	/* one party only: not verified */
	CU_ASSERT_EQUAL(colink("agreement verify --trust a.pub --trust e.pub rt.xml", &o, NULL), 3);
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "rt.xml: not verified: no signature of the employer"));
	free(o);
	o = NULL;
	CU_ASSERT_EQUAL(colink("agreement sign --key e.key rt.xml", NULL, NULL), 0);
	CU_ASSERT_EQUAL(colink("agreement verify --trust a.pub --trust e.pub rt.xml", &o, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "rt.xml.sig:2: association 見本 次郎 at "));
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "rt.xml.sig:3: employer 見本 三郎 at "));
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "rt.xml: signed: association 見本 次郎 at 20"));
	free(o);
	o = NULL;
	/* the employer's key is not trusted: not verified */
	CU_ASSERT_EQUAL(colink("agreement verify --trust a.pub rt.xml", &o, NULL), 3);
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "employer 見本 三郎 at "));
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "untrusted key"));
	free(o);
	o = NULL;
	/* no key material in anything printed */
	sig = tu_read_file(sp, NULL);
	CU_ASSERT_PTR_NOT_NULL(sig && !strncmp(sig, "# colink agreement signatures", 29));
	CU_ASSERT_EQUAL(colink("agreement verify --trust a.pub --trust e.pub rt.xml", &o, &e), 0);
	{
		char *kp = path("a.key"), *k = tu_read_file(kp, NULL), *s = k ? strstr(k, "secret ") : NULL;
		free(kp);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		s[7 + 64] = '\0';
		CU_ASSERT_PTR_NULL(o && strstr(o, s + 7));
		CU_ASSERT_PTR_NULL(sig && strstr(sig, s + 7));
		free(k);
	}
	/* one byte changed: no signature verifies */
	{
		char *c = tu_fmt("sed -i 's/健康白書/健康白書 /' '%s/rt.xml'", dir);
		CU_ASSERT_EQUAL(tu_run(c, NULL, NULL), 0);
		free(c);
	}
	free(o);
	o = NULL;
	CU_ASSERT_EQUAL(colink("agreement verify --trust a.pub --trust e.pub rt.xml", &o, NULL), 3);
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "does not verify (the agreement or the line changed after signing)"));
	free(sig);
	free(sp);
	free(o);
	free(e);
}

/* Sign agr with the parties' keys named in `keys` (space-separated). */
static void sign_with(const char *agr, const char *k1, const char *k2)
{
	char *c = tu_fmt("agreement sign --key %s %s", k1, agr);
	CU_ASSERT_EQUAL(colink(c, NULL, NULL), 0);
	free(c);
	if (k2) {
		c = tu_fmt("agreement sign --key %s %s", k2, agr);
		CU_ASSERT_EQUAL(colink(c, NULL, NULL), 0);
		free(c);
	}
}

/* ---- the run ---- */

static void test_signing__signed_run_loads(void)
{
	char *o = NULL, *db = path("ok.db"), *v, *last;
	copy_agreement("ok-agr.xml");
	sign_with("ok-agr.xml", "a.key", "e.key");
	write_job("ok", "ok-agr.xml", BOTH);
	CU_ASSERT_EQUAL(colink("check ok.xml", &o, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "ok.xml: agreement signed: association 見本 次郎 at "));
	free(o);
	CU_ASSERT_EQUAL(colink("run ok.xml", NULL, NULL), 0);
	v = tu_sql1(db, "SELECT agreement_signing FROM run WHERE status = 'ok'");
	CU_ASSERT_PTR_NOT_NULL(v && !strncmp(v, "signed: association 見本 次郎 at 20", 36));
	CU_ASSERT_PTR_NOT_NULL(v && strstr(v, "; employer 見本 三郎 at 20"));
	last = last_audit();
	CU_ASSERT_PTR_NOT_NULL(last && strstr(last, "\"status\":\"ok\""));
	CU_ASSERT_PTR_NOT_NULL(last && strstr(last, "\"agreement_signing\":\"signed: association 見本 次郎 at "));
	free(last);
	free(v);
	free(db);
}

/* `colink doc` of the job and of the agreement: who signed and when, and
 * whether it verifies (#24). */
static void test_signing__doc_shows_signers(void)
{
	char *md = path("ok.md"), *s;
	CU_ASSERT_EQUAL(colink("doc --markdown ok.md ok.xml", NULL, NULL), 0);
	s = tu_read_file(md, NULL);
	CU_ASSERT_PTR_NOT_NULL(s && strstr(s, "## Signatures / 署名"));
	CU_ASSERT_PTR_NOT_NULL(s && strstr(s, "| association | 見本 次郎 | 20"));
	CU_ASSERT_PTR_NOT_NULL(s && strstr(s, "| employer | 見本 三郎 | 20"));
	CU_ASSERT_PTR_NOT_NULL(s && strstr(s, "Verified against the keys this job trusts: signed: association 見本 次郎 at "));
	free(s);
	CU_ASSERT_EQUAL(colink("doc --markdown agr.md ok-agr.xml", NULL, NULL), 0);
	free(md);
	md = path("agr.md");
	s = tu_read_file(md, NULL);
	CU_ASSERT_PTR_NOT_NULL(s && strstr(s, "| employer | 見本 三郎 | 20"));
	CU_ASSERT_PTR_NOT_NULL(s && strstr(s, "not checked (trusted keys are declared by a job)"));
	free(s);
	/* an unsigned agreement says so */
	copy_agreement("plain.xml");
	CU_ASSERT_EQUAL(colink("doc --markdown plain.md plain.xml", NULL, NULL), 0);
	free(md);
	md = path("plain.md");
	s = tu_read_file(md, NULL);
	CU_ASSERT_PTR_NOT_NULL(s && strstr(s, "unsigned: "));
	CU_ASSERT_PTR_NOT_NULL(s && strstr(s, "plain.xml.sig has no signature"));
	free(s);
	free(md);
}

/* 人事評価 moved from <prohibited> to <purposes> after both signed. */
static void test_signing__edited_agreement_refused(void)
{
	char *p = path("hr-agr.xml"), *s, *t;
	copy_agreement("hr-agr.xml");
	sign_with("hr-agr.xml", "a.key", "e.key");
	s = tu_read_file(p, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s && strstr(s, "    <use name=\"人事評価\"/>\n"));
	t = strstr(s, "    <use name=\"人事評価\"/>\n");
	memmove(t, t + strlen("    <use name=\"人事評価\"/>\n"), strlen(t) - strlen("    <use name=\"人事評価\"/>\n") + 1);
	t = strstr(s, "  </purposes>");
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	{
		char *u = tu_fmt("%.*s    <purpose name=\"人事評価\"/>\n%s", (int)(t - s), s, t);
		tu_write_file(p, u, strlen(u));
		free(u);
	}
	write_job("hr", "hr-agr.xml", BOTH);
	refused("hr", "hr.xml:3: agreement sample-collabo-2024 (");
	refused("hr", "is not verified: association's signature by 見本 次郎 at ");
	refused("hr", "does not verify (the agreement or the line changed after signing) (");
	CU_ASSERT_EQUAL(colink("check hr.xml", NULL, NULL), 3);
	free(s);
	free(p);
}

static void test_signing__one_party_or_untrusted_refused(void)
{
	copy_agreement("one-agr.xml");
	sign_with("one-agr.xml", "a.key", NULL);
	write_job("one", "one-agr.xml", BOTH);
	refused("one", "is not verified: no signature of the employer; a run needs the signatures of both parties");
	/* signed by a key the job does not trust */
	copy_agreement("mal-agr.xml");
	sign_with("mal-agr.xml", "a.key", "m.key");
	write_job("mal", "mal-agr.xml", BOTH);
	refused("mal", "employer's signature by Mallory at ");
	refused("mal", "untrusted key (");
	/* a job that trusts nobody */
	write_job("none", "one-agr.xml", "");
	refused("none", "not verified: no trusted public key declared");
	/* a key declared for the wrong party */
	write_job("wrong", "mal-agr.xml", "<signer party=\"association\" public-key=\"e.pub\"/>");
	CU_ASSERT_EQUAL(colink("run wrong.xml", NULL, NULL), 3);
	CU_ASSERT_FALSE(exists("wrong.db"));
}

static void test_signing__unsigned_agreement_is_recorded(void)
{
	char *db = path("uns.db"), *v, *last, *e = NULL, *o = NULL;
	copy_agreement("uns-agr.xml");
	write_job("uns", "uns-agr.xml", BOTH);
	CU_ASSERT_EQUAL(colink("check uns.xml", NULL, &e), 3);
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "uns.xml:3: agreement sample-collabo-2024 is not verified: "
					      "no signature file "));
	free(e);
	e = NULL;
	CU_ASSERT_EQUAL(colink("check --unsigned-agreement uns.xml", &o, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "uns.xml: agreement unsigned (--unsigned-agreement)"));
	CU_ASSERT_EQUAL(colink("-v run --unsigned-agreement uns.xml", NULL, &e), 0);
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "running unsigned as --unsigned-agreement asks"));
	v = tu_sql1(db, "SELECT agreement_signing FROM run WHERE status = 'ok'");
	CU_ASSERT_PTR_NOT_NULL(v && !strcmp(v, "unsigned"));
	last = last_audit();
	CU_ASSERT_PTR_NOT_NULL(last && strstr(last, "\"status\":\"ok\""));
	CU_ASSERT_PTR_NOT_NULL(last && strstr(last, "\"agreement_signing\":\"unsigned\""));
	free(last);
	free(v);
	free(o);
	free(e);
	free(db);
}

static void test_signing__bad_files_refused(void)
{
	char *e = NULL, *sp = path("bad.xml.sig");
	static const char garbage[] = "# header\nassociation\tX\tyesterday\t00\tzz\n";
	copy_agreement("bad.xml");
	tu_write_file(sp, garbage, sizeof(garbage) - 1);
	CU_ASSERT_EQUAL(colink("agreement verify --trust a.pub bad.xml", NULL, &e), 3);
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "bad.xml.sig:2: not a signature line"));
	free(e);
	e = NULL;
	/* never appended to */
	CU_ASSERT_EQUAL(colink("agreement sign --key a.key bad.xml", NULL, &e), 3);
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "bad.xml.sig:2: not a signature line"));
	write_job("badsig", "bad.xml", BOTH);
	refused("badsig", "bad.xml.sig:2: not a signature line");
	free(e);
	e = NULL;
	/* a private key others can read */
	{
		char *mk = path("m.key");
		CU_ASSERT_EQUAL(chmod(mk, 0640), 0);
		free(mk);
	}
	CU_ASSERT_EQUAL(colink("agreement sign --key m.key bad.xml", NULL, &e), 3);
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "m.key: key file is readable or writable by group/others"));
	free(e);
	e = NULL;
	/* a missing public key: job:line */
	write_job("nokey", "bad.xml", "<signer party=\"employer\" public-key=\"nowhere.pub\"/>");
	CU_ASSERT_EQUAL(colink("run nokey.xml", NULL, &e), 4);
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "nokey.xml:3: "));
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "nowhere.pub: cannot read public key file"));
	free(e);
	free(sp);
}

static const struct tu_test tests[] = {
	TU_TEST(test_signing__rfc8032_vectors),
	TU_TEST(test_signing__keygen_files),
	TU_TEST(test_signing__sign_verify_round_trip),
	TU_TEST(test_signing__signed_run_loads),
	TU_TEST(test_signing__doc_shows_signers),
	TU_TEST(test_signing__edited_agreement_refused),
	TU_TEST(test_signing__one_party_or_untrusted_refused),
	TU_TEST(test_signing__unsigned_agreement_is_recorded),
	TU_TEST(test_signing__bad_files_refused),
	TU_END
};

int main(void)
{
	struct colink_error err = {0};
	if (colink_crypto_init(&err))
		return 1;
	if (tu_add_suite("signing", setup, teardown, tests))
		return 1;
	return tu_run_suites();
}
