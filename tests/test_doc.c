/*
 * test_doc.c -- `colink doc` on the sample mappings, the sample agreement
 * and the sample job: the content an auditor relies on is there (every
 * column of samples/vendor_a.csv with its target, the code map values, the
 * file's SHA-256, the five statutory items of the notice, the clause that
 * covers each released item), everything is escaped, the HTML fetches
 * nothing, and headless Chromium renders each page without a console error
 * (tests/html_render.sh; skipped when chromium is not installed).
 * Expected values come from the files themselves, read through the engine,
 * not from copies typed here.
 */
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "policy/agreement.h"
#include "base/alloc.h"
#include "core/run.h"
#include "testutil.h"
#include "base/util.h"

static char *tmp;
static struct colink_catalog *cat;
static struct colink_variant_table *vt;
static int render_skipped;

static int setup(void)
{
	struct colink_error e = {0};
	char *dd = tu_fmt("%s/mappings", tu_srcdir());
	int rc;
	tmp = tu_mkdtemp("doc");
	rc = colink_env_load(&cat, &vt, dd, &e);
	free(dd);
	return tmp && rc == 0 ? 0 : -1;
}

static int teardown(void)
{
	colink_variant_table_free(vt);
	colink_catalog_free(cat);
	tu_rmtree(tmp);
	free(tmp);
	return 0;
}

/* HTML-escape as the writer does (for building expected needles). */
static char *esc(const char *s)
{
	size_t n = 0;
	const char *p;
	char *o, *q;
	for (p = s; *p; p++)
		n += 6;
	o = q = malloc(n + 1);
	for (p = s; *p; p++) {
		switch (*p) {
		case '&': q += sprintf(q, "&amp;"); break;
		case '<': q += sprintf(q, "&lt;"); break;
		case '>': q += sprintf(q, "&gt;"); break;
		case '"': q += sprintf(q, "&quot;"); break;
		case '\'': q += sprintf(q, "&#39;"); break;
		default: *q++ = *p;
		}
	}
	*q = 0;
	return o;
}

static int has(const char *hay, const char *needle)
{
	return hay && needle && strstr(hay, needle) != NULL;
}

/* `colink doc SRC -o tmp/NAME.html --markdown tmp/NAME.md`; returns the
 * exit status, *html and *md the documents. */
static int doc(const char *src, const char *name, char **html, char **md)
{
	char *args = tu_fmt("doc '%s' -o '%s/%s.html' --markdown '%s/%s.md'", src, tmp, name, tmp, name);
	char *h = tu_fmt("%s/%s.html", tmp, name), *m = tu_fmt("%s/%s.md", tmp, name);
	char *err = NULL;
	int rc = tu_colink_run(NULL, args, NULL, &err);
	if (rc)
		fprintf(stderr, "\ncolink doc %s: %s", src, err ? err : "");
	*html = rc ? NULL : tu_read_file(h, NULL);
	*md = rc ? NULL : tu_read_file(m, NULL);
	free(err);
	free(args);
	free(h);
	free(m);
	return rc;
}

/* Self-contained, escaped, printable, Japanese. */
static void assert_page(const char *html)
{
	CU_ASSERT_PTR_NOT_NULL_FATAL(html);
	CU_ASSERT(has(html, "<html lang=\"ja\">"));
	CU_ASSERT(has(html, "<meta charset=\"utf-8\">"));
	CU_ASSERT(has(html, "@media print"));
	CU_ASSERT(has(html, "Content-Security-Policy"));
	CU_ASSERT(!has(html, "<script"));
	CU_ASSERT(!has(html, "src="));
	CU_ASSERT(!has(html, "<link"));
	CU_ASSERT(!has(html, "url("));
	CU_ASSERT(!has(html, "http://"));
	CU_ASSERT(!has(html, "https://"));
	CU_ASSERT(has(html, "</html>\n"));
}

static void assert_sha(const char *doc_text, const char *path)
{
	struct colink_error e = {0};
	char hex[65];
	CU_ASSERT_EQUAL_FATAL(colink_sha256_path(path, hex, NULL, &e), 0);
	CU_ASSERT(has(doc_text, hex));
}

/* Render with headless Chromium: 0 ok, 77 skipped. */
static void render(const char *name)
{
	char *cmd = tu_fmt("sh '%s/tests/html_render.sh' '%s/%s.html' '%s/%s.png'", tu_srcdir(), tmp,
			   name, tmp, name);
	char *err = NULL;
	int rc = tu_run(cmd, NULL, &err);
	if (rc == 77) {
		render_skipped = 1;
	} else {
		if (rc)
			fprintf(stderr, "\nhtml_render %s: %s", name, err ? err : "");
		CU_ASSERT_EQUAL(rc, 0);
	}
	free(err);
	free(cmd);
}

/* ---- mappings ------------------------------------------------------------ */

static void test_doc__mapping_every_csv_column(void)
{
	char *src = tu_fmt("%s/mappings/vendors/vendor_a.xml", tu_srcdir());
	char *csv = tu_fmt("%s/samples/vendor_a.csv", tu_srcdir());
	char *html = NULL, *md = NULL, *data = tu_read_file(csv, NULL), *line, *col, *save = NULL;
	struct colink_mapping *m = NULL;
	struct colink_error e = {0};
	size_t i, ncols = 0;
	CU_ASSERT_EQUAL_FATAL(doc(src, "vendor_a", &html, &md), 0);
	assert_page(html);
	assert_sha(html, src);
	assert_sha(md, src);
	CU_ASSERT_EQUAL_FATAL(colink_mapping_load(&m, src, cat, vt, &e), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	line = strtok_r(data, "\r\n", &save);
	for (col = strtok_r(line, ",", &save); col; col = strtok_r(NULL, ",", &save)) {
		const struct colink_map_field *f = NULL;
		char *needle, *ecol = esc(col);
		for (i = 0; i < m->nfields && !f; i++)
			if (m->fields[i].column && !strcmp(m->fields[i].column, col))
				f = &m->fields[i];
		CU_ASSERT_PTR_NOT_NULL(f); /* the sample maps every column */
		if (f) {
			/* source column then its target field, in one row */
			needle = tu_fmt("<td>column &quot;%s&quot;</td><td>%s — ", ecol, f->field->name);
			if (!has(html, needle))
				fprintf(stderr, "\nmissing in HTML: %s", needle);
			CU_ASSERT(has(html, needle));
			free(needle);
			needle = tu_fmt("| column \"%s\" | ", col);
			CU_ASSERT(has(md, needle));
			free(needle);
		}
		free(ecol);
		ncols++;
	}
	CU_ASSERT_EQUAL(ncols, 35);
	/* parse format, unit and range of one value, identifier handling */
	CU_ASSERT(has(html, "<td>column &quot;収縮期血圧1&quot;</td><td>sbp_1 — "));
	CU_ASSERT(has(html, "<td>mm[Hg]</td><td>50..300</td>"));
	CU_ASSERT(has(html, "<td>iso</td>"));
	CU_ASSERT(has(html, "insurer-number (default of common/fields.tsv)"));
	CU_ASSERT(has(html, "<h2>Identifiers / 識別子 (pseudonymized; raw never stored)</h2>"));
	CU_ASSERT(has(html, "unmapped columns=&quot;reject&quot;"));
	colink_mapping_free(m);
	free(data);
	free(html);
	free(md);
	free(csv);
	free(src);
	render("vendor_a");
}

static void test_doc__mapping_codemap_values(void)
{
	char *src = tu_fmt("%s/mappings/vendors/vendor_b.xml", tu_srcdir());
	char *html = NULL, *md = NULL;
	const char *maps[] = {"sex", "dipstick", "yes_no"};
	size_t i, k;
	CU_ASSERT_EQUAL_FATAL(doc(src, "vendor_b", &html, &md), 0);
	assert_page(html);
	CU_ASSERT(has(html, "<td>wareki</td>"));
	for (k = 0; k < sizeof(maps) / sizeof(maps[0]); k++) {
		const struct colink_codemap *cm = colink_catalog_codemap(cat, maps[k]);
		char *h = tu_fmt("<h3>Code map %s</h3>", maps[k]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(cm);
		CU_ASSERT(has(html, h));
		free(h);
		for (i = 0; i < cm->n; i++) {
			char *f = esc(cm->from[i]), *t = esc(cm->to[i]);
			char *row = tu_fmt("<tr><td>%s</td><td>%s</td></tr>", f, t);
			if (!has(html, row))
				fprintf(stderr, "\nmissing code map row: %s", row);
			CU_ASSERT(has(html, row));
			free(row);
			free(f);
			free(t);
		}
	}
	free(html);
	free(md);
	free(src);
	render("vendor_b");
}


/* A field's pattern= and placeholders= are in its row (#25). */
static void test_doc__mapping_pattern_and_placeholders(void)
{
	char *src = tu_fmt("%s/mappings/vendors/mhlw_xml.xml", tu_srcdir());
	char *html = NULL, *md = NULL;
	CU_ASSERT_EQUAL_FATAL(doc(src, "mhlw", &html, &md), 0);
	CU_ASSERT(has(html, "must match [0-9]{10} (whole value) or the record is rejected"));
	CU_ASSERT(has(html, "placeholders (mean unknown, record rejected): 9999999999 0000000000"));
	CU_ASSERT(has(md, "must match \\[0-9\\]{10}")); /* markdown escapes [ ] */
	free(html);
	free(md);
	free(src);
}

static void test_doc__employer_mappings(void)
{
	const char *names[] = {"roster", "attendance_kot", "attendance_freee", "stress_check"};
	size_t i;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *src = tu_fmt("%s/mappings/employer/%s.xml", tu_srcdir(), names[i]);
		char *html = NULL, *md = NULL;
		CU_ASSERT_EQUAL(doc(src, names[i], &html, &md), 0);
		assert_page(html);
		assert_sha(html, src);
		free(html);
		free(md);
		free(src);
	}
	render("attendance_kot");
}

static void test_doc__escapes_everything(void)
{
	char *src = tu_fmt("%s/mappings/vendors/vendor_a.xml", tu_srcdir());
	char *text = tu_read_file(src, NULL), *copy = tu_fmt("%s/hostile.xml", tmp);
	char *html = NULL, *md = NULL, *p, *q, *out;
	const char *evil = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 'q' | *b* `c`";
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	p = strstr(text, "<description>");
	q = p ? strstr(p, "</description>") : NULL;
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	out = tu_fmt("%.*s<description>%s%s", (int)(p - text), text, evil, q);
	CU_ASSERT_EQUAL_FATAL(tu_write_file(copy, out, strlen(out)), 0);
	CU_ASSERT_EQUAL_FATAL(doc(copy, "hostile", &html, &md), 0);
	assert_page(html);
	CU_ASSERT(has(html, "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39; | *b* `c`</p>"));
	CU_ASSERT(has(md, "&lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; 'q' \\| \\*b\\* \\`c\\`"));
	CU_ASSERT(!has(md, "<script"));
	free(html);
	free(md);
	free(out);
	free(copy);
	free(text);
	free(src);
	render("hostile");
}

/* ---- agreement ------------------------------------------------------------ */

static char *pre_block(const char *html)
{
	const char *p = html ? strstr(html, "<pre>") : NULL, *q = p ? strstr(p, "</pre>") : NULL;
	return q ? tu_fmt("%.*s", (int)(q - p), p) : NULL;
}

static void test_doc__agreement_notice_five_items(void)
{
	char *src = tu_fmt("%s/samples/agreement.xml", tu_srcdir()), *dd = tu_fmt("%s/mappings", tu_srcdir());
	char *html = NULL, *md = NULL, *notice;
	struct colink_agreement *a = NULL;
	struct colink_error e = {0};
	size_t i, k;
	CU_ASSERT_EQUAL_FATAL(doc(src, "agreement", &html, &md), 0);
	assert_page(html);
	assert_sha(html, src);
	CU_ASSERT_EQUAL_FATAL(colink_agreement_load(&a, src, dd, cat, &e), 0);
	notice = pre_block(html);
	CU_ASSERT_PTR_NOT_NULL_FATAL(notice);
	/* the statute and the five items, in order */
	CU_ASSERT(has(notice, "第27条第5項第3号"));
	{
		const char *items[] = {"１．共同利用をする旨", "２．共同して利用される個人データの項目",
				       "３．共同して利用する者の範囲", "４．利用する者の利用目的",
				       "５．当該個人データの管理について責任を有する者"};
		const char *prev = notice;
		for (i = 0; i < 5; i++) {
			const char *at = strstr(notice, items[i]);
			CU_ASSERT_PTR_NOT_NULL(at);
			CU_ASSERT(at && at > prev);
			if (at)
				prev = at;
		}
	}
	/* ③ every co-user role, ⑤ name, address and representative of each party */
	for (i = 0; i < colink_agreement_nparties(a); i++) {
		const struct colink_agreement_party *p = colink_agreement_party_at(a, i);
		char *n = esc(p->name), *ad = esc(p->address), *r = esc(p->representative);
		char *addr = tu_fmt("住所：%s", ad), *rep = tu_fmt("代表者：%s", r);
		CU_ASSERT(has(notice, n));
		CU_ASSERT(has(notice, addr));
		CU_ASSERT(has(notice, rep));
		for (k = 0; k < p->nroles; k++)
			CU_ASSERT(has(notice, p->roles[k]));
		free(n);
		free(ad);
		free(r);
		free(addr);
		free(rep);
	}
	/* ④ every purpose, and the prohibited uses */
	for (i = 0; i < colink_agreement_npurposes(a); i++)
		CU_ASSERT(has(notice, colink_agreement_purpose_at(a, i, NULL)));
	for (i = 0; i < colink_agreement_nprohibited(a); i++)
		CU_ASSERT(has(notice, colink_agreement_prohibited_at(a, i, NULL)));
	/* ② each clause's items, under its level */
	CU_ASSERT(has(notice, "HbA1c"));
	CU_ASSERT(has(notice, "集計データのみ"));
	/* clause A1 (#21): the 傷病手当金 payments, 要配慮, as aggregates */
	CU_ASSERT(has(notice, "傷病手当金の支給記録"));
	CU_ASSERT(has(notice, "傷病手当金 支給期間（開始日・終了日）"));
	CU_ASSERT(has(notice, "個人が特定できる個人データ"));
	/* the clause table and the item index outside the notice */
	for (i = 0; i < colink_agreement_nclauses(a); i++) {
		char *c = tu_fmt("<td>%s", colink_agreement_clause_at(a, i)->id);
		CU_ASSERT(has(html, c));
		free(c);
	}
	CU_ASSERT(has(html, "<td>hba1c</td>"));
	CU_ASSERT(has(md, "    ５．当該個人データの管理について責任を有する者"));
	colink_agreement_free(a);
	free(notice);
	free(html);
	free(md);
	free(dd);
	free(src);
	render("agreement");
}

/* ---- job ------------------------------------------------------------------ */

static void test_doc__job_clause_per_released_item(void)
{
	char *src = tu_fmt("%s/samples/sample-job.xml", tu_srcdir());
	char *html = NULL, *md = NULL;
	CU_ASSERT_EQUAL_FATAL(doc(src, "job", &html, &md), 0);
	assert_page(html);
	assert_sha(html, src);
	/* every input's mapping is documented in full */
	CU_ASSERT(has(html, "Input 1: mapping vendor-a"));
	CU_ASSERT(has(html, "Input 3: mapping claims-summary"));
	CU_ASSERT(has(html, "Input 7: mapping employer-stress-check"));
	/* the recipient is the association: its own checkups need no clause,
	 * the employer's attendance crosses under clause W2 */
	CU_ASSERT(has(html, "<td>1 vendor-a</td><td>hba1c (mapped)</td><td>checkup.hba1c</td>"
			    "<td>association</td><td>stays with the association: no clause needed</td>"));
	CU_ASSERT(has(html, "<td>employer</td><td>clause W2 (line "));
	CU_ASSERT(has(html, "<td>employer</td><td>clause W1 (line "));
	/* scores derived by the stress-check rules are released items too */
	CU_ASSERT(has(html, "<td>3 claims-summary</td><td>last_visit_date (mapped)</td>"
			    "<td>claims_summary.last_visit_date</td><td>association</td>"
			    "<td>stays with the association: no clause needed</td>"));
	CU_ASSERT(has(html, "<td>7 employer-stress-check</td><td>stress_high (derived)</td>"
			    "<td>stress_check.high_stress</td><td>employer</td><td>clause W3 (line "));
	/* programme participation (#19) is the employer's and crosses under W5 */
	CU_ASSERT(has(html, "Input 8: mapping employer-participation"));
	CU_ASSERT(has(html, "<td>8 employer-participation</td><td>participation_program (mapped)</td>"
			    "<td>participation.program</td><td>employer</td><td>clause W5 (line "));
	CU_ASSERT(has(html, "<td>8 employer-participation</td><td>participation_completed (mapped)</td>"
			    "<td>participation.completed</td><td>employer</td><td>clause W5 (line "));
	CU_ASSERT(!has(html, "NOT COVERED"));
	free(html);
	free(md);
	free(src);
	render("job");
}

/* The same job sent to the employer's 健康管理チーム: checkup items are
 * allowed only as aggregates (W4), so each is shown as not covered. */
static char *subst_all(char *s, const char *from, const char *to)
{
	char *r = strdup(""), *p = s, *hit, *t;
	while ((hit = strstr(p, from))) {
		t = tu_fmt("%s%.*s%s", r, (int)(hit - p), p, to);
		free(r);
		r = t;
		p = hit + strlen(from);
	}
	t = tu_fmt("%s%s", r, p);
	free(r);
	free(s);
	return t;
}

static void test_doc__job_not_covered(void)
{
	char *src = tu_fmt("%s/samples/sample-job.xml", tu_srcdir());
	char *s = tu_read_file(src, NULL), *copy = tu_fmt("%s/employer-job.xml", tmp);
	char *html = NULL, *md = NULL, *to;
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	/* the copy lives elsewhere: make its paths absolute */
	to = tu_fmt("mapping=\"%s/samples/", tu_srcdir());
	s = subst_all(s, "mapping=\"", to);
	free(to);
	to = tu_fmt("path=\"%s/samples/", tu_srcdir());
	s = subst_all(s, "path=\"", to);
	free(to);
	to = tu_fmt("file=\"%s/samples/", tu_srcdir());
	s = subst_all(s, "file=\"", to);
	free(to);
	s = subst_all(s, "<recipient party=\"association\" role=\"保健事業担当者\"/>",
		      "<recipient party=\"employer\" role=\"健康管理チーム\"/>");
	CU_ASSERT(has(s, "role=\"健康管理チーム\""));
	CU_ASSERT_EQUAL_FATAL(tu_write_file(copy, s, strlen(s)), 0);
	CU_ASSERT_EQUAL_FATAL(doc(copy, "employer-job", &html, &md), 0);
	CU_ASSERT(has(html, "<td>1 vendor-a</td><td>hba1c (mapped)</td><td>checkup.hba1c</td>"
			    "<td>association</td><td>NOT COVERED: no clause allows it"));
	CU_ASSERT(has(html, "<td>employer</td><td>stays with the employer: no clause needed</td>"));
	/* stress results reach the employer only with the worker's consent */
	CU_ASSERT(has(html, "<td>stress_high (derived)</td><td>stress_check.high_stress</td>"
			    "<td>employer</td><td>stays with the employer: no clause needed; only "
			    "records with consent"));
	free(html);
	free(md);
	free(copy);
	free(s);
	free(src);
}

/* ---- the command line --------------------------------------------------------- */

static void test_doc__cli_errors(void)
{
	char *out = NULL, *err = NULL, *args, *bad = tu_fmt("%s/other.xml", tmp);
	char *src = tu_fmt("%s/mappings/vendors/vendor_a.xml", tu_srcdir());
	static const char other[] = "<?xml version=\"1.0\"?>\n<notes>\n</notes>\n";
	CU_ASSERT_EQUAL(tu_colink_run(NULL, "doc --help", &out, NULL), 0);
	CU_ASSERT(has(out, "--markdown OUT.md"));
	free(out);
	out = NULL;
	CU_ASSERT_EQUAL(tu_colink_run(NULL, "doc", NULL, NULL), 2);
	CU_ASSERT_EQUAL(tu_colink_run(NULL, "doc a.xml b.xml", NULL, NULL), 2);
	/* not a colink file: FILE:LINE */
	CU_ASSERT_EQUAL_FATAL(tu_write_file(bad, other, sizeof(other) - 1), 0);
	args = tu_fmt("doc '%s'", bad);
	CU_ASSERT_EQUAL(tu_colink_run(NULL, args, NULL, &err), 3);
	CU_ASSERT(has(err, "other.xml:2: not a colink mapping, job or agreement file"));
	free(args);
	free(err);
	err = NULL;
	/* missing input */
	CU_ASSERT_EQUAL(tu_colink_run(NULL, "doc /nonexistent/x.xml", NULL, NULL), 4);
	/* an output that cannot be written: nothing left behind */
	args = tu_fmt("doc '%s' -o '%s/no/such/dir/x.html'", src, tmp);
	CU_ASSERT_EQUAL(tu_colink_run(NULL, args, NULL, NULL), 4);
	free(args);
	/* HTML to standard output by default */
	args = tu_fmt("doc '%s'", src);
	CU_ASSERT_EQUAL(tu_colink_run(NULL, args, &out, NULL), 0);
	CU_ASSERT(has(out, "<!DOCTYPE html>"));
	free(args);
	free(out);
	free(src);
	free(bad);
}

/* Issue #24: the rule for kept columns, and what is dropped on purpose. */
static void test_doc__ignored_columns_listed(void)
{
	char *src = tu_fmt("%s/tests/data/diff/unmapped_observation_ignore.xml", tu_srcdir());
	char *html = NULL, *md = NULL;
	CU_ASSERT_EQUAL_FATAL(doc(src, "ignore", &html, &md), 0);
	CU_ASSERT(has(md, "refuses the file when such a column is or looks like an identifier"));
	CU_ASSERT(has(md, "- 受診券整理番号 (line 113)"));
	CU_ASSERT(has(html, "受診券整理番号 (line 113)"));
	free(html);
	free(md);
	free(src);
}

static const struct tu_test tests[] = {
	TU_TEST(test_doc__mapping_every_csv_column),
	TU_TEST(test_doc__mapping_codemap_values),
	TU_TEST(test_doc__mapping_pattern_and_placeholders),
	TU_TEST(test_doc__employer_mappings),
	TU_TEST(test_doc__escapes_everything),
	TU_TEST(test_doc__agreement_notice_five_items),
	TU_TEST(test_doc__job_clause_per_released_item),
	TU_TEST(test_doc__job_not_covered),
	TU_TEST(test_doc__cli_errors),
	TU_TEST(test_doc__ignored_columns_listed),
	TU_END
};

int main(void)
{
	int rc;
	if (tu_add_suite("doc", setup, teardown, tests))
		return 1;
	rc = tu_run_suites();
	if (rc == 0 && render_skipped)
		fprintf(stderr, "test_doc: chromium not installed: the render checks were skipped\n");
	return rc;
}
