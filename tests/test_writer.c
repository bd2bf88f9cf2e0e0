/*
 * test_writer.c -- engine/core/writer.c: the output's calls on a second thread.
 *
 * A recording output stands in for out_sqlite: every write and reject it
 * gets is appended to a log (kind, record number, every value's text, the
 * reject's reason), and the log is compared with what a single thread
 * would produce.  Cases: many records and rejects in order, with the
 * output rejecting some of them (their reason recorded); the writer
 * failing half way (the caller is stopped and gets the output's message);
 * the copies outliving the caller's buffers; and the same log with
 * COLINK_WRITER_THREAD=0.
 */
#include <CUnit/Basic.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "core/writer.h"

struct rec_out {
	char *log;
	size_t len, cap;
	uint64_t fail_at; /* write of this record_no fails (0: never) */
	unsigned writes, rejects;
};

static void append(struct rec_out *o, const char *s)
{
	size_t n = strlen(s);
	if (o->len + n + 1 > o->cap) {
		o->cap = (o->len + n + 1) * 2;
		o->log = realloc(o->log, o->cap);
	}
	memcpy(o->log + o->len, s, n + 1);
	o->len += n;
}

/* Every third record is rejected by the output with a reason naming it. */
static int w_write(void *ctx, const struct colink_out_record *r, struct colink_error *err)
{
	struct rec_out *o = ctx;
	char line[256];
	size_t i;
	o->writes++;
	if (o->fail_at && r->record_no == o->fail_at)
		return COLINK_ERR(err, COLINK_EIO, "disk full at record %" PRIu64, r->record_no);
	if (r->record_no % 3 == 0)
		return COLINK_REJECT(err, "output refuses record %" PRIu64, r->record_no);
	snprintf(line, sizeof(line), "W%" PRIu64 ":%s:%s:%zu", r->record_no, r->kind,
		 r->person ? r->person : "-", r->npseudonyms);
	append(o, line);
	for (i = 0; i < r->npseudonyms; i++) {
		snprintf(line, sizeof(line), ":%s=%s", r->pseudonyms[i].kind, r->pseudonyms[i].value);
		append(o, line);
	}
	for (i = 0; i < r->nvalues; i++) {
		snprintf(line, sizeof(line), ":%s/%s/%s", r->values[i].source,
			 r->values[i].v.text ? r->values[i].v.text : "(null)",
			 r->values[i].v.raw ? r->values[i].v.raw : "(null)");
		append(o, line);
	}
	append(o, "\n");
	return COLINK_OK;
}

static int w_reject(void *ctx, const struct colink_reject *rj, struct colink_error *err)
{
	struct rec_out *o = ctx;
	char line[700];
	(void)err;
	o->rejects++;
	snprintf(line, sizeof(line), "R%" PRIu64 ":%" PRIu64 ":%s:%s\n", rj->record_no,
		 rj->line_no, rj->column ? rj->column : "-", rj->reason);
	append(o, line);
	return COLINK_OK;
}

static const struct colink_output_ops ops = {
	.struct_size = sizeof(struct colink_output_ops),
	.write = w_write,
	.reject = w_reject,
};

/* Hand n items over, built in buffers that are overwritten right after
 * (the writer must have copied them): every 7th is a core reject.
 * Returns the first non-OK result of a hand-over. */
static int feed(struct colink_writer *w, uint64_t n)
{
	uint64_t i;
	int rc;
	for (i = 1; i <= n; i++) {
		char person[65], text[32], raw[32], kind[16], column[16], reason[64];
		struct colink_pseudonym ps[2];
		struct colink_out_value vals[2];
		struct colink_out_record r = COLINK_OUT_RECORD_INIT(.nvalues = 0);
		memset(vals, 0, sizeof(vals));
		snprintf(person, sizeof(person), "%064" PRIu64, i);
		snprintf(text, sizeof(text), "%" PRIu64 ".5", i);
		snprintf(raw, sizeof(raw), "raw%" PRIu64, i);
		snprintf(kind, sizeof(kind), "k%" PRIu64, i % 4);
		if (i % 7 == 0) {
			struct colink_reject rj = COLINK_REJECT_INIT(.input_no = 1, .record_no = i,
				.line_no = i + 1, .column = column, .reason = reason);
			snprintf(column, sizeof(column), "col%" PRIu64, i % 5);
			snprintf(reason, sizeof(reason), "core rejects %" PRIu64, i);
			rc = colink_writer_reject(w, &rj);
			memset(reason, 'x', sizeof(reason) - 1); /* the copy must not see this */
		} else {
			ps[0].kind = "card";
			ps[0].value = person;
			ps[1].kind = kind;
			ps[1].value = person;
			vals[0].source = "a";
			vals[0].v.text = text;
			vals[0].v.raw = raw;
			vals[1].source = "b";
			r.kind = "checkup";
			r.input_no = 1;
			r.record_no = i;
			r.line_no = i + 1;
			r.person = person;
			r.npseudonyms = 2;
			r.pseudonyms = ps;
			r.nvalues = 2;
			r.values = vals;
			rc = colink_writer_record(w, &r);
			memset(text, 'y', sizeof(text) - 1);
			memset(person, 'z', sizeof(person) - 1);
		}
		if (rc)
			return rc;
	}
	return COLINK_OK;
}

/* The log one thread makes of feed(n), without a writer: the reference. */
static char *reference(uint64_t n)
{
	struct rec_out o = { 0 };
	struct colink_writer *w = NULL;
	struct colink_error err = { 0 };
	uint64_t loaded = 0, rejected = 0;
	setenv("COLINK_WRITER_THREAD", "0", 1);
	CU_ASSERT_EQUAL_FATAL(colink_writer_start(&w, &ops, &o, 1, &err), COLINK_OK);
	CU_ASSERT_EQUAL(feed(w, n), COLINK_OK);
	CU_ASSERT_EQUAL(colink_writer_finish(w, &loaded, &rejected, &err), COLINK_OK);
	unsetenv("COLINK_WRITER_THREAD");
	CU_ASSERT_EQUAL(loaded + rejected, n);
	return o.log;
}

static void test_writer__same_calls_in_the_same_order(void)
{
	const uint64_t n = 20000;
	struct rec_out o = { 0 };
	struct colink_writer *w = NULL;
	struct colink_error err = { 0 };
	uint64_t loaded = 0, rejected = 0, want_rej = 0, i;
	char *ref = reference(n);
	CU_ASSERT_EQUAL_FATAL(colink_writer_start(&w, &ops, &o, 1, &err), COLINK_OK);
	CU_ASSERT_EQUAL(feed(w, n), COLINK_OK);
	CU_ASSERT_EQUAL(colink_writer_finish(w, &loaded, &rejected, &err), COLINK_OK);
	for (i = 1; i <= n; i++)
		want_rej += i % 7 == 0 || i % 3 == 0;
	CU_ASSERT_EQUAL(rejected, want_rej);
	CU_ASSERT_EQUAL(loaded, n - want_rej);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o.log);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
	CU_ASSERT_STRING_EQUAL(o.log, ref);
	/* spot checks of the log's content itself */
	CU_ASSERT_PTR_NOT_NULL(strstr(o.log, "W1:checkup:0000000000000000000000000000000000000000000000000000000000000001:2:card="));
	CU_ASSERT_PTR_NOT_NULL(strstr(o.log, ":a/1.5/raw1:b/(null)/(null)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(o.log, "R3:4:-:output refuses record 3\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(o.log, "R7:8:col2:core rejects 7\n"));
	CU_ASSERT_PTR_NULL(strstr(o.log, "yyy"));
	CU_ASSERT_PTR_NULL(strstr(o.log, "zzz"));
	CU_ASSERT_PTR_NULL(strstr(o.log, "xxx"));
	free(o.log);
	free(ref);
}

/* The output fails at record 5000: the caller is stopped (EABORT) soon
 * after, nothing after the failure is written, and finish gives the
 * output's own message. */
static void test_writer__failure_stops_the_caller_with_the_output_message(void)
{
	struct rec_out o = { 0 };
	struct colink_writer *w = NULL;
	struct colink_error err = { 0 };
	uint64_t loaded = 0, rejected = 0;
	const char *last;
	o.fail_at = 5000;
	CU_ASSERT_EQUAL_FATAL(colink_writer_start(&w, &ops, &o, 1, &err), COLINK_OK);
	CU_ASSERT_EQUAL(feed(w, 200000), COLINK_EABORT);
	CU_ASSERT(colink_writer_failed(w));
	CU_ASSERT_EQUAL(colink_writer_finish(w, &loaded, &rejected, &err), COLINK_EIO);
	CU_ASSERT_STRING_EQUAL(err.msg, "disk full at record 5000");
	/* records 1..5000 less the core's rejects: nothing after the failure */
	CU_ASSERT_EQUAL(o.writes, 5000 - 5000 / 7);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o.log);
	last = strrchr(o.log, 'W');
	CU_ASSERT_PTR_NOT_NULL(last && !strncmp(last, "W4999:", 6) ? last : NULL);
	CU_ASSERT_PTR_NULL(strstr(o.log, "W5001:"));
	free(o.log);
}

/* The same failure without a thread gives the same message and stops at
 * the failing record exactly. */
static void test_writer__failure_without_thread(void)
{
	struct rec_out o = { 0 };
	struct colink_writer *w = NULL;
	struct colink_error err = { 0 };
	uint64_t loaded = 0, rejected = 0;
	o.fail_at = 5000;
	setenv("COLINK_WRITER_THREAD", "0", 1);
	CU_ASSERT_EQUAL_FATAL(colink_writer_start(&w, &ops, &o, 1, &err), COLINK_OK);
	CU_ASSERT_EQUAL(feed(w, 200000), COLINK_EABORT);
	CU_ASSERT_EQUAL(o.writes, 5000 - 5000 / 7);
	CU_ASSERT_EQUAL(colink_writer_finish(w, &loaded, &rejected, &err), COLINK_EIO);
	CU_ASSERT_STRING_EQUAL(err.msg, "disk full at record 5000");
	unsetenv("COLINK_WRITER_THREAD");
	free(o.log);
}

/* Finishing a writer that got nothing, and a NULL one. */
static void test_writer__empty_and_null(void)
{
	struct rec_out o = { 0 };
	struct colink_writer *w = NULL;
	struct colink_error err = { 0 };
	uint64_t loaded = 0, rejected = 0;
	CU_ASSERT_EQUAL_FATAL(colink_writer_start(&w, &ops, &o, 1, &err), COLINK_OK);
	CU_ASSERT_EQUAL(colink_writer_finish(w, &loaded, &rejected, &err), COLINK_OK);
	CU_ASSERT_EQUAL(loaded + rejected, 0);
	CU_ASSERT_EQUAL(o.writes + o.rejects, 0);
	CU_ASSERT_EQUAL(colink_writer_finish(NULL, &loaded, &rejected, &err), COLINK_OK);
	CU_ASSERT_FALSE(colink_writer_failed(NULL));
}

static const struct tu_test tests[] = {
	TU_TEST(test_writer__same_calls_in_the_same_order),
	TU_TEST(test_writer__failure_stops_the_caller_with_the_output_message),
	TU_TEST(test_writer__failure_without_thread),
	TU_TEST(test_writer__empty_and_null),
	TU_END
};

int main(void)
{
	if (tu_add_suite("writer", NULL, NULL, tests))
		return 1;
	return tu_run_suites();
}
