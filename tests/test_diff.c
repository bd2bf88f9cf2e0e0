/*
 * test_diff.c -- `colink diff` against mutated copies of the sample mapping
 * and agreement (tests/data/diff/): each copy changes one thing, and the
 * diff must name exactly that change, in review terms, with the exit code
 * of diff(1).  The engine API (colink_diff_mappings) is checked directly
 * too, so a change kind is asserted on its structure and not only its text.
 */
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "steward/doc/doc.h"
#include "core/run.h"
#include "testutil.h"

static char *data(const char *name)
{
	return tu_fmt("%s/tests/data/diff/%s", tu_srcdir(), name);
}

static char *vendor_a(void)
{
	return tu_fmt("%s/mappings/vendors/vendor_a.xml", tu_srcdir());
}

static char *agreement(void)
{
	return tu_fmt("%s/samples/agreement.xml", tu_srcdir());
}

/* Run `colink diff OLD NEW [extra]`: exit status, stdout in *out. */
static int diff(const char *old_path, const char *new_path, const char *extra, char **out,
		char **err)
{
	char *args = tu_fmt("diff %s '%s' '%s'", extra ? extra : "", old_path, new_path);
	int rc = tu_colink_run(NULL, args, out, err);
	free(args);
	return rc;
}

/* The diff of the sample against one mutated copy is exactly `expect`. */
static void expect_one(const char *old_path, const char *copy, const char *expect)
{
	char *n = data(copy), *out = NULL, *err = NULL;
	int rc = diff(old_path, n, NULL, &out, &err);
	CU_ASSERT_EQUAL(rc, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	if (strcmp(out, expect))
		fprintf(stderr, "\n%s: got:\n%s---\nwant:\n%s", copy, out, expect);
	CU_ASSERT_STRING_EQUAL(out, expect);
	free(n);
	free(out);
	free(err);
}

static void test_diff__identical_is_no_change(void)
{
	char *a = vendor_a(), *out = NULL, *err = NULL;
	CU_ASSERT_EQUAL(diff(a, a, NULL, &out, &err), 0);
	CU_ASSERT_STRING_EQUAL(out, "");
	free(out);
	free(err);
	free(a);
}

static void test_diff__reorder_and_comments_are_no_change(void)
{
	char *a = vendor_a(), *b = data("reordered.xml"), *out = NULL, *err = NULL;
	CU_ASSERT_EQUAL(diff(a, b, NULL, &out, &err), 0);
	CU_ASSERT_STRING_EQUAL(out, "");
	/* and the copy is not byte-identical: the diff is semantic */
	CU_ASSERT(!tu_file_contains(b, "Plausibility ranges", strlen("Plausibility ranges")));
	free(out);
	free(err);
	free(a);
	free(b);
}

static void test_diff__range_widened_and_narrowed(void)
{
	char *a = vendor_a();
	expect_one(a, "range_widened.xml", "~ field sbp_1: range 50..300 → 40..320 (widened)\n");
	expect_one(a, "range_narrowed.xml", "~ field dbp_1: range 20..200 → 30..200 (narrowed)\n");
	free(a);
}

static void test_diff__field_added_and_removed(void)
{
	char *a = vendor_a();
	expect_one(a, "field_added.xml",
		   "+ field hemoglobin (column \"血色素量\") [raises exposure]\n");
	expect_one(a, "field_removed.xml",
		   "- field egfr (column \"eGFR\"; if still sent, it now fails the file)\n");
	free(a);
}

static void test_diff__identifier_normalization(void)
{
	char *a = vendor_a();
	expect_one(a, "normalize.xml",
		   "~ identifier card_number: normalization changed: nfkc,strip-spaces,strip-hyphens"
		   " → nfkc,strip-spaces (pseudonyms of this kind change: earlier runs no longer link)\n");
	free(a);
}

static void test_diff__codemap_value_added(void)
{
	char *o = data("codemap_old.xml");
	expect_one(o, "codemap_new.xml", "~ codemap sex: value \"3\" added (→ \"9\")\n");
	free(o);
}

static void test_diff__unmapped_policy_raises_exposure(void)
{
	char *a = vendor_a();
	expect_one(a, "unmapped_observation.xml",
		   "~ unmapped columns: reject → observation (columns nobody reviewed are stored)"
		   " [raises exposure]\n");
	free(a);
}

/* Issue #24: an <ignore> removed under observation stores that column. */
static void test_diff__ignore_removed_raises_exposure(void)
{
	char *o = data("unmapped_observation.xml"), *i = data("unmapped_observation_ignore.xml");
	expect_one(i, "unmapped_observation.xml",
		   "- ignore 受診券整理番号 (if still sent, it is now kept as an observation)"
		   " [raises exposure]\n");
	expect_one(o, "unmapped_observation_ignore.xml",
		   "+ ignore 受診券整理番号 (read, never stored)\n");
	free(o);
	free(i);
}

static void test_diff__agreement_changes(void)
{
	char *a = agreement();
	expect_one(a, "agreement_level_raised.xml",
		   "~ clause W1: level pseudonymized → individual (raised) [raises exposure]\n");
	expect_one(a, "agreement_level_lowered.xml",
		   "~ clause R1: level individual → pseudonymized (lowered)\n");
	expect_one(a, "agreement_purpose_added.xml", "+ purpose 就業上の配慮 [raises exposure]\n");
	expect_one(a, "agreement_prohibition_removed.xml",
		   "- prohibited use 人事評価 [raises exposure]\n");
	expect_one(a, "agreement_role_added.xml",
		   "~ clause R1: role \"看護師\" added [raises exposure]\n");
	free(a);
}

/* Reversing the direction reverses the sign and the exposure flag. */
static void test_diff__reverse_direction(void)
{
	char *a = agreement(), *b = data("agreement_prohibition_removed.xml");
	char *out = NULL, *err = NULL;
	CU_ASSERT_EQUAL(diff(b, a, NULL, &out, &err), 1);
	CU_ASSERT_STRING_EQUAL(out, "+ prohibited use 人事評価\n");
	free(out);
	free(err);
	free(a);
	free(b);
}

static void test_diff__json(void)
{
	char *a = agreement(), *b = data("agreement_level_raised.xml");
	char *out = NULL, *err = NULL;
	CU_ASSERT_EQUAL(diff(a, b, "--json", &out, &err), 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"changes\":["));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "{\"op\":\"~\",\"what\":\"clause\",\"name\":\"W1\","
					   "\"detail\":\"level pseudonymized → individual (raised)\","
					   "\"raises_exposure\":true}"));
	free(out);
	free(err);
	free(a);
	free(b);
}

static void test_diff__errors(void)
{
	char *a = vendor_a(), *g = agreement(), *missing = data("no-such-file.xml");
	char *bad = NULL, *dir = tu_mkdtemp("diff"), *out = NULL, *err = NULL;
	/* usage */
	CU_ASSERT_EQUAL(tu_colink_run(NULL, "diff", NULL, NULL), 2);
	CU_ASSERT_EQUAL(diff(a, a, "--bogus", NULL, NULL), 2);
	/* different kinds */
	CU_ASSERT_EQUAL(diff(a, g, NULL, &out, &err), 3);
	CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "not the same kind"));
	free(err);
	err = NULL;
	/* missing file */
	CU_ASSERT_EQUAL(diff(a, missing, NULL, NULL, &err), 3);
	CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "no-such-file.xml"));
	free(err);
	err = NULL;
	/* an invalid mapping: one line naming FILE:LINE */
	bad = tu_fmt("%s/bad.xml", dir);
	{
		static const char x[] =
			"<?xml version=\"1.0\"?>\n<mapping xmlns=\"urn:colink:mapping:1\" id=\"x\" "
			"version=\"1\" kind=\"checkup\">\n<input plugin=\"in_csv\"/>\n"
			"<field target=\"no_such_field\" column=\"A\"/>\n</mapping>\n";
		CU_ASSERT_EQUAL_FATAL(tu_write_file(bad, x, sizeof(x) - 1), 0);
	}
	CU_ASSERT_EQUAL(diff(a, bad, NULL, NULL, &err), 3);
	CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "bad.xml:4:"));
	CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "no_such_field"));
	free(err);
	free(out);
	free(bad);
	tu_rmtree(dir);
	free(dir);
	free(missing);
	free(a);
	free(g);
}

/* The engine API: structured changes, not only lines. */
static void test_diff__api_structure(void)
{
	struct colink_changes c = {0};
	struct colink_error e = {0};
	char *a = vendor_a(), *b = data("field_added.xml");
	char *dd = tu_fmt("%s/mappings", tu_srcdir());
	CU_ASSERT_EQUAL_FATAL(colink_diff_files(&c, a, b, dd, &e), 0);
	CU_ASSERT_EQUAL_FATAL(c.n, 1);
	CU_ASSERT_EQUAL(c.v[0].op, '+');
	CU_ASSERT_STRING_EQUAL(c.v[0].what, "field");
	CU_ASSERT_STRING_EQUAL(c.v[0].name, "hemoglobin");
	CU_ASSERT_EQUAL(c.v[0].raises_exposure, 1);
	colink_changes_clear(&c);
	CU_ASSERT_EQUAL(c.n, 0);
	/* reversed: removed, no exposure raised */
	CU_ASSERT_EQUAL_FATAL(colink_diff_files(&c, b, a, dd, &e), 0);
	CU_ASSERT_EQUAL_FATAL(c.n, 1);
	CU_ASSERT_EQUAL(c.v[0].op, '-');
	CU_ASSERT_EQUAL(c.v[0].raises_exposure, 0);
	colink_changes_clear(&c);
	free(dd);
	free(a);
	free(b);
}


/* pattern= and placeholders= (#25): added is tightened, removed loosened. */
static void test_diff__pattern_and_placeholders(void)
{
	char *mhlw = tu_fmt("%s/mappings/vendors/mhlw_xml.xml", tu_srcdir());
	char *loose = data("mhlw_no_form.xml"), *out = NULL;
	expect_one(mhlw, "mhlw_no_form.xml",
		   "~ field exam_org: pattern [0-9]{10} → none (loosened: any form loads)\n"
		   "~ field exam_org: placeholders 9999999999 0000000000 → none "
		   "(loosened: placeholder values load as values)\n");
	CU_ASSERT_EQUAL(diff(loose, mhlw, NULL, &out, NULL), 1);
	CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "~ field exam_org: pattern none → [0-9]{10} "
					      "(tightened: a value of another form rejects the record)\n"));
	CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "placeholders none → 9999999999 0000000000 (tightened"));
	free(out);
	free(loose);
	free(mhlw);
}

static const struct tu_test tests[] = {
	TU_TEST(test_diff__identical_is_no_change),
	TU_TEST(test_diff__reorder_and_comments_are_no_change),
	TU_TEST(test_diff__range_widened_and_narrowed),
	TU_TEST(test_diff__field_added_and_removed),
	TU_TEST(test_diff__identifier_normalization),
	TU_TEST(test_diff__codemap_value_added),
	TU_TEST(test_diff__pattern_and_placeholders),
	TU_TEST(test_diff__unmapped_policy_raises_exposure),
	TU_TEST(test_diff__ignore_removed_raises_exposure),
	TU_TEST(test_diff__agreement_changes),
	TU_TEST(test_diff__reverse_direction),
	TU_TEST(test_diff__json),
	TU_TEST(test_diff__errors),
	TU_TEST(test_diff__api_structure),
	TU_END
};

int main(void)
{
	if (tu_add_suite("diff", NULL, NULL, tests))
		return 1;
	return tu_run_suites();
}
