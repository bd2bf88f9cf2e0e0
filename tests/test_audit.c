/*
 * test_audit.c -- the hash-chained audit log (engine/policy/audit.c) and `colink
 * audit verify|show`: an intact chain verifies; an edited entry, a removed
 * one, two swapped, a forged entry with a recomputed hash and a truncated
 * last line are each detected and named by line; appending to a damaged
 * log is refused.
 */
#include <CUnit/Basic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/audit.h"
#include "testutil.h"
#include "base/util.h"

static char *dir;

/* Lines of a file (at most 16), each with its '\n'; caller frees all. */
static size_t split(const char *path, char *lines[16])
{
	char *text = tu_read_file(path, NULL), *p, *nl;
	size_t n = 0;
	for (p = text; p && *p && n < 16; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl) {
			lines[n++] = strdup(p);
			break;
		}
		lines[n++] = strndup(p, (size_t)(nl - p + 1));
	}
	free(text);
	return n;
}

static void join(const char *path, char *lines[], size_t n)
{
	size_t i, len = 0;
	char *buf;
	for (i = 0; i < n; i++)
		len += strlen(lines[i]);
	buf = malloc(len + 1);
	buf[0] = '\0';
	for (i = 0; i < n; i++)
		strcat(buf, lines[i]);
	tu_write_file(path, buf, len);
	free(buf);
}

static void free_lines(char *lines[], size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		free(lines[i]);
}

/* A log of `n` entries at dir/name; returns its path. */
static char *make_log(const char *name, int n)
{
	char *log = tu_fmt("%s/%s", dir, name);
	int i;
	for (i = 0; i < n; i++) {
		struct colink_error err = {0};
		struct colink_audit_file in = {"in.csv", "98ae9dd394dfdd01421ccdb23df2ec61f0facbcb1913bf8f17e2cc055aa125e9"};
		const char *items[] = {"sbp_1", "hba1c"};
		struct colink_audit_count c[] = {{"read", (uint64_t)(10 + i)}, {"loaded", (uint64_t)(9 + i)}};
		struct colink_audit_entry e;
		char job[16];
		memset(&e, 0, sizeof(e));
		snprintf(job, sizeof(job), "job%d", i + 1);
		e.kind = i == 2 ? "export" : "run";
		e.status = "ok";
		e.user = "tester";
		e.job = job;
		e.purpose = "健康白書";
		e.recipient_party = "association";
		e.recipient_role = "保健事業担当者";
		e.agreement_id = "sample-collabo-2024";
		e.agreement_sha256 = "a6df273658ece434fc8649fabd9654f33b98394e9571b8a61af04350398c4cdd";
		e.message = i == 1 ? "a \"quoted\"\nmessage" : NULL;
		e.ninputs = 1;
		e.inputs = &in;
		e.nitems = 2;
		e.items = items;
		e.ncounts = 2;
		e.counts = c;
		CU_ASSERT_EQUAL(colink_audit_append(log, &e, &err), COLINK_OK);
	}
	return log;
}

static int setup(void)
{
	dir = tu_mkdtemp("audit");
	return 0;
}

static int teardown(void)
{
	tu_rmtree(dir);
	free(dir);
	return 0;
}

static void expect(const char *log, uint64_t line, const char *problem)
{
	struct colink_error err = {0};
	struct colink_audit_verdict v;
	CU_ASSERT_EQUAL(colink_audit_verify(log, &v, &err), line ? COLINK_EPOLICY : COLINK_OK);
	CU_ASSERT_EQUAL(v.bad_line, line);
	CU_ASSERT_STRING_EQUAL(v.problem, problem);
	if (strcmp(v.problem, problem))
		fprintf(stderr, "\n  got: %s\n", v.problem);
}

static void test_audit__intact_chain(void)
{
	char *log = make_log("intact.log", 4), *lines[16], *text;
	struct colink_error err = {0};
	struct colink_audit_verdict v;
	size_t n = split(log, lines);
	CU_ASSERT_EQUAL(n, 4);
	CU_ASSERT_EQUAL(colink_audit_verify(log, &v, &err), COLINK_OK);
	CU_ASSERT_EQUAL(v.entries, 4);
	CU_ASSERT_STRING_EQUAL(v.problem, "");
	/* each entry names its predecessor's hash; the first names zeros */
	CU_ASSERT_PTR_NOT_NULL(strstr(lines[0], "{\"seq\":1,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(lines[0], "\"prev\":\"0000000000000000000000000000000000000000000000000000000000000000\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(lines[3], "{\"seq\":4,"));
	{
		char hash3[65], hash4[65], want[80];
		const char *h3 = strstr(lines[2], ",\"hash\":\""), *h4 = strstr(lines[3], ",\"hash\":\"");
		CU_ASSERT_FATAL(h3 != NULL && h4 != NULL);
		snprintf(hash3, sizeof(hash3), "%.64s", h3 + 9);
		snprintf(hash4, sizeof(hash4), "%.64s", h4 + 9);
		snprintf(want, sizeof(want), "\"prev\":\"%s\"", hash3);
		CU_ASSERT_PTR_NOT_NULL(strstr(lines[3], want));
		/* the head is the last entry's hash */
		CU_ASSERT_STRING_EQUAL(v.head, hash4);
	}
	/* the recorded items, counts and the escaped message */
	CU_ASSERT_PTR_NOT_NULL(strstr(lines[1], "\"message\":\"a \\\"quoted\\\"\\nmessage\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(lines[2], "\"kind\":\"export\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(lines[0], "\"items\":[\"sbp_1\",\"hba1c\"],\"counts\":{\"read\":10,\"loaded\":9}"));
	/* the log is private */
	text = tu_fmt("stat -c %%a '%s'", log);
	{
		char *o = NULL;
		CU_ASSERT_EQUAL(tu_run(text, &o, NULL), 0);
		CU_ASSERT_PTR_NOT_NULL(o && !strncmp(o, "600", 3));
		free(o);
	}
	free(text);
	free_lines(lines, n);
	free(log);
}

static void test_audit__edit_detected(void)
{
	char *log = make_log("edit.log", 4), *lines[16], *p;
	size_t n = split(log, lines);
	/* change a count in entry 2: 11 read becomes 91 */
	p = strstr(lines[1], "\"read\":11");
	CU_ASSERT_FATAL(p != NULL);
	p[7] = '9';
	join(log, lines, n);
	expect(log, 2, "line 2: hash mismatch: entry 2 was edited");
	free_lines(lines, n);
	free(log);
}

static void test_audit__forged_hash_detected(void)
{
	char *log = make_log("forge.log", 3), *lines[16], *p, hash[65];
	size_t n = split(log, lines), canon;
	/* edit entry 2 and recompute its own hash: entry 3 no longer chains */
	p = strstr(lines[1], "\"job\":\"job2\"");
	CU_ASSERT_FATAL(p != NULL);
	p[10] = '9';
	p = strstr(lines[1], ",\"hash\":\"");
	canon = (size_t)(p - lines[1]);
	{
		char *buf = tu_fmt("%.*s}", (int)canon, lines[1]);
		colink_sha256_mem(buf, canon + 1, hash);
		free(buf);
	}
	memcpy(p + 9, hash, 64);
	join(log, lines, n);
	expect(log, 3, "line 3: entry 3 does not chain to entry 2 (prev hash differs: an earlier entry was replaced)");
	free_lines(lines, n);
	free(log);
}

static void test_audit__deletion_detected(void)
{
	char *log = make_log("delete.log", 4), *lines[16];
	size_t n = split(log, lines);
	free(lines[1]);
	lines[1] = strdup("");
	join(log, lines, n);
	expect(log, 2, "line 2: sequence gap: entry 2 missing");
	free_lines(lines, n);
	free(log);
}

static void test_audit__reorder_detected(void)
{
	char *log = make_log("reorder.log", 4), *lines[16], *t;
	size_t n = split(log, lines);
	t = lines[1];
	lines[1] = lines[2];
	lines[2] = t;
	join(log, lines, n);
	expect(log, 2, "line 2: entry 2 out of order (it is at line 3)");
	free_lines(lines, n);
	free(log);
}

static void test_audit__truncated_tail_detected(void)
{
	struct colink_error err = {0};
	struct colink_audit_entry e;
	char *log = make_log("trunc.log", 3), *lines[16];
	size_t n = split(log, lines);
	lines[2][strlen(lines[2]) / 2] = '\0';
	join(log, lines, n);
	expect(log, 3, "line 3: truncated last line (entry 3 incomplete)");
	/* appending to a damaged log is refused, and the log stays as it was */
	memset(&e, 0, sizeof(e));
	e.kind = "run";
	e.status = "ok";
	CU_ASSERT_EQUAL(colink_audit_append(log, &e, &err), COLINK_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "the last line is truncated"));
	expect(log, 3, "line 3: truncated last line (entry 3 incomplete)");
	free_lines(lines, n);
	free(log);
}

static void test_audit__cli_verify_and_show(void)
{
	char *log = make_log("cli.log", 3), *c, *o = NULL, *e = NULL, *lines[16], head[65];
	size_t n;
	c = tu_fmt("audit verify '%s'", log);
	CU_ASSERT_EQUAL(tu_colink_run(NULL, c, &o, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "ok, 3 entries, chain intact; head "));
	CU_ASSERT_FATAL(o && strstr(o, "head "));
	{
		char *one = make_log("one.log", 1), *c1 = tu_fmt("audit verify '%s'", one), *o1 = NULL;
		CU_ASSERT_EQUAL(tu_colink_run(NULL, c1, &o1, NULL), 0);
		CU_ASSERT_PTR_NOT_NULL(o1 && strstr(o1, "ok, 1 entry, chain intact; head "));
		free(o1);
		free(c1);
		free(one);
	}
	snprintf(head, sizeof(head), "%.64s", strstr(o, "head ") + 5);
	free(o);
	o = NULL;
	free(c);
	/* show: a table row per entry, or the entries as stored (--json) */
	c = tu_fmt("audit show '%s'", log);
	CU_ASSERT_EQUAL(tu_colink_run(NULL, c, &o, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "job2"));
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "export"));
	CU_ASSERT_PTR_NOT_NULL(o && strstr(o, "保健事業担当者"));
	free(o);
	o = NULL;
	free(c);
	c = tu_fmt("audit show --json '%s'", log);
	CU_ASSERT_EQUAL(tu_colink_run(NULL, c, &o, NULL), 0);
	{
		char *whole = tu_read_file(log, NULL);
		CU_ASSERT_PTR_NOT_NULL(o && whole && !strcmp(o, whole));
		free(whole);
	}
	free(o);
	o = NULL;
	free(c);
	/* remove the last entry whole: the chain alone cannot tell, the head can */
	n = split(log, lines);
	free(lines[2]);
	lines[2] = strdup("");
	join(log, lines, n);
	free_lines(lines, n);
	c = tu_fmt("audit verify '%s'", log);
	CU_ASSERT_EQUAL(tu_colink_run(NULL, c, NULL, NULL), 0);
	free(c);
	c = tu_fmt("audit verify --head %s '%s'", head, log);
	CU_ASSERT_EQUAL(tu_colink_run(NULL, c, NULL, &e), 3);
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "line 2: the last entry (2) is not the expected head"));
	free(e);
	e = NULL;
	free(c);
	/* an edit: exit 3 and the line named */
	n = split(log, lines);
	lines[0][20] = lines[0][20] == '1' ? '2' : '1';
	join(log, lines, n);
	free_lines(lines, n);
	c = tu_fmt("audit verify '%s'", log);
	CU_ASSERT_EQUAL(tu_colink_run(NULL, c, NULL, &e), 3);
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "cli.log: line 1: hash mismatch: entry 1 was edited"));
	free(e);
	e = NULL;
	free(c);
	c = tu_fmt("audit verify '%s/none.log'", dir);
	CU_ASSERT_EQUAL(tu_colink_run(NULL, c, NULL, NULL), 4);
	free(c);
	free(log);
}

/* Append one run entry with `status` for `run_id` to `log`. */
static void append_run(const char *log, const char *run_id, const char *status)
{
	struct colink_error err = {0};
	struct colink_audit_count c[] = {{"read", 12}, {"loaded", 10}};
	struct colink_audit_entry e;
	memset(&e, 0, sizeof(e));
	e.kind = "run";
	e.status = status;
	e.user = "tester";
	e.job = "j \"quoted\"";
	e.run_id = run_id;
	e.ncounts = 2;
	e.counts = c;
	CU_ASSERT_EQUAL(colink_audit_append(log, &e, &err), COLINK_OK);
}

/* The ledger of the test: runs "c..." committed, others not. */
static int committed_if_c(void *ud, const char *run_id, struct colink_error *err)
{
	(void)err;
	++*(int *)ud;
	return run_id[0] == 'c';
}

/*
 * #24: a run whose last word is its "committing" intent is completed by
 * colink_audit_complete when the ledger says it committed: one "ok" entry
 * with the intent's members, "recovered_by", chained; runs that ended
 * (ok or failed) are not asked about; a second call completes nothing.
 */
static void test_audit__complete_dangling_intents(void)
{
	struct colink_error err = {0};
	char *log = tu_fmt("%s/dangling.log", dir), *text, *last;
	size_t n = 9;
	int asked = 0;
	CU_ASSERT_EQUAL(colink_audit_complete(log, "by", committed_if_c, &asked, &n, &err), COLINK_OK);
	CU_ASSERT_EQUAL(n, 0); /* no log yet: nothing to do */
	append_run(log, "c1", "committing"); /* killed after COMMIT */
	append_run(log, "c2", "committing");
	append_run(log, "c2", "ok");         /* completed normally */
	append_run(log, "r3", "committing");
	append_run(log, "r3", "failed");     /* rolled back, logged */
	append_run(log, "r4", "committing"); /* killed before COMMIT */
	CU_ASSERT_EQUAL(colink_audit_complete(log, "b0b", committed_if_c, &asked, &n, &err), COLINK_OK);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(asked, 2); /* c1 and r4 */
	expect(log, 0, "");
	text = tu_read_file(log, NULL);
	CU_ASSERT_FATAL(text != NULL && strlen(text) > 1);
	text[strlen(text) - 1] = '\0';
	last = strrchr(text, '\n') + 1;
	CU_ASSERT_PTR_NOT_NULL(strstr(last, "{\"seq\":7,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(last, ",\"kind\":\"run\",\"status\":\"ok\",\"user\":\"tester\","
					    "\"job\":\"j \\\"quoted\\\"\","));
	CU_ASSERT_PTR_NOT_NULL(strstr(last, ",\"run_id\":\"c1\","));
	CU_ASSERT_PTR_NOT_NULL(strstr(last, ",\"message\":\"completed by run b0b: committed in the warehouse, "
					    "killed before its completion entry\","));
	CU_ASSERT_PTR_NOT_NULL(strstr(last, ",\"counts\":{\"read\":12,\"loaded\":10},\"recovered_by\":\"b0b\","
					    "\"hash\":\""));
	free(text);
	asked = 0;
	CU_ASSERT_EQUAL(colink_audit_complete(log, "b1", committed_if_c, &asked, &n, &err), COLINK_OK);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL(asked, 1); /* r4 only: it may still be asked, never completed */
	expect(log, 0, "");
	free(log);
}

static const struct tu_test tests[] = {
	TU_TEST(test_audit__intact_chain),
	TU_TEST(test_audit__edit_detected),
	TU_TEST(test_audit__forged_hash_detected),
	TU_TEST(test_audit__deletion_detected),
	TU_TEST(test_audit__reorder_detected),
	TU_TEST(test_audit__truncated_tail_detected),
	TU_TEST(test_audit__cli_verify_and_show),
	TU_TEST(test_audit__complete_dangling_intents),
	TU_END
};

int main(void)
{
	if (tu_add_suite("audit", setup, teardown, tests))
		return 1;
	return tu_run_suites();
}
