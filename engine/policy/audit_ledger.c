/* audit_ledger.c -- the audit log against the warehouse ledger (see audit_ledger.h). */
#include "policy/audit_ledger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "policy/audit.h"
#include "warehouse/warehouse.h"

/* ================================================================== */
/* What the log says about each run                                     */
/* ================================================================== */

/* One entry naming a run, then (merged) one run of the log. */
struct logged {
	char run_id[72];
	uint64_t intents, completed, other; /* entries: "committing", "ok", anything else */
	uint64_t intent_line, done_line;    /* the last of each */
	int recovered;                      /* a completion written by a later run */
	int matched;                        /* the ledger has the run */
};

struct log_runs {
	struct logged *v;
	size_t n, cap;
	int oom;
};

static int collect(void *ud, uint64_t line, const char *json)
{
	struct log_runs *lr = ud;
	struct logged *e;
	char status[32], by[72];
	if (lr->n == lr->cap) {
		size_t cap = lr->cap * 2 + 16;
		struct logged *v = colink_realloc(lr->v, cap * sizeof(*v));
		if (!v)
			return lr->oom = 1;
		lr->v = v;
		lr->cap = cap;
	}
	e = &lr->v[lr->n];
	memset(e, 0, sizeof(*e));
	colink_audit_member(json, "run_id", e->run_id, sizeof(e->run_id));
	if (!e->run_id[0]) /* a refusal: no run */
		return 0;
	colink_audit_member(json, "status", status, sizeof(status));
	colink_audit_member(json, "recovered_by", by, sizeof(by));
	if (!strcmp(status, "committing")) {
		e->intents = 1;
		e->intent_line = line;
	} else if (!strcmp(status, "ok")) {
		e->completed = 1;
		e->done_line = line;
		e->recovered = by[0] != '\0';
	} else {
		e->other = 1;
	}
	lr->n++;
	return 0;
}

static int by_run_id(const void *a, const void *b)
{
	return strcmp(((const struct logged *)a)->run_id, ((const struct logged *)b)->run_id);
}

/* Sort the entries and merge those of one run (lines grow: the last wins). */
static void merge_runs(struct log_runs *lr)
{
	size_t i, k = 0;
	if (!lr->n)
		return;
	qsort(lr->v, lr->n, sizeof(*lr->v), by_run_id);
	for (i = 1; i < lr->n; i++) {
		struct logged *a = &lr->v[k], *b = &lr->v[i];
		if (strcmp(a->run_id, b->run_id)) {
			lr->v[++k] = *b;
			continue;
		}
		a->intents += b->intents;
		a->completed += b->completed;
		a->other += b->other;
		a->recovered |= b->recovered;
		if (b->intent_line > a->intent_line)
			a->intent_line = b->intent_line;
		if (b->done_line > a->done_line)
			a->done_line = b->done_line;
	}
	lr->n = k + 1;
}

static int read_log(const char *log, struct log_runs *lr, struct colink_error *err)
{
	int rc = colink_audit_read(log, collect, lr, err);
	if (rc == COLINK_OK && lr->oom)
		rc = COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
	if (rc == COLINK_OK)
		merge_runs(lr);
	return rc;
}

/* ================================================================== */
/* Reconciling with the ledger                                          */
/* ================================================================== */

struct reconcile {
	struct log_runs lr;
	struct colink_audit_tally *t;
	colink_audit_finding_fn fn;
	void *ud;
};

static void finding(struct reconcile *r, enum colink_audit_finding what,
		    const struct colink_wh_run *run, uint64_t line, uint64_t times)
{
	struct colink_audit_finding_info f = {what, run->run_id, run->status, line, times};
	if (r->fn)
		r->fn(r->ud, &f);
}

static int on_ledger_run(void *ud, const struct colink_wh_run *run)
{
	struct reconcile *r = ud;
	struct logged key, *l;
	snprintf(key.run_id, sizeof(key.run_id), "%s", run->run_id);
	l = r->lr.n ? bsearch(&key, r->lr.v, r->lr.n, sizeof(key), by_run_id) : NULL;
	if (l)
		l->matched = 1;
	if (strcmp(run->status, "ok")) {
		if (l && l->completed) {
			r->t->contradicted++;
			finding(r, COLINK_AUDIT_CONTRADICTED, run, l->done_line, l->completed);
		} else if (l && l->intents && !l->other) {
			r->t->not_committed++;
			finding(r, COLINK_AUDIT_NOT_COMMITTED, run, l->intent_line, 0);
		}
		return 0;
	}
	r->t->committed++;
	if (l && l->completed == 1) {
		r->t->completed_once++;
		r->t->recovered += l->recovered != 0;
	} else if (l && l->completed > 1) {
		r->t->duplicate++;
		finding(r, COLINK_AUDIT_DUPLICATE, run, l->done_line, l->completed);
	} else if (l && l->intents) {
		r->t->intent_only++;
		finding(r, COLINK_AUDIT_INTENT_ONLY, run, l->intent_line, 0);
	} else {
		r->t->missing++;
		finding(r, COLINK_AUDIT_MISSING, run, 0, 0);
	}
	return 0;
}

int colink_audit_ledger_reconcile(const char *log, const char *warehouse, colink_audit_finding_fn fn,
				  void *ud, struct colink_audit_tally *t, struct colink_error *err)
{
	struct reconcile r = {{NULL, 0, 0, 0}, t, fn, ud};
	struct colink_wh *wh = NULL;
	size_t i;
	int rc;
	memset(t, 0, sizeof(*t));
	rc = read_log(log, &r.lr, err);
	if (rc == COLINK_OK)
		rc = colink_wh_open(&wh, warehouse, COLINK_WH_READONLY | COLINK_WH_MUST_EXIST | COLINK_WH_WAIT,
				    err);
	if (rc == COLINK_OK)
		rc = colink_wh_runs(wh, on_ledger_run, &r, err);
	colink_wh_close(wh);
	for (i = 0; rc == COLINK_OK && i < r.lr.n; i++)
		t->elsewhere += !r.lr.v[i].matched;
	colink_free(r.lr.v);
	if (rc)
		return rc;
	return t->missing || t->duplicate || t->contradicted ? COLINK_EPOLICY : COLINK_OK;
}

/* ================================================================== */
/* Completing committed runs on the next run                            */
/* ================================================================== */

/* The committed run ids of a ledger, read on first use. */
struct ok_runs {
	const char *warehouse;
	int loaded;
	char (*ids)[72];
	size_t n, cap;
};

static int add_ok(void *ud, const struct colink_wh_run *run)
{
	struct ok_runs *o = ud;
	if (strcmp(run->status, "ok"))
		return 0;
	if (o->n == o->cap) {
		size_t cap = o->cap * 2 + 16;
		char (*v)[72] = colink_realloc(o->ids, cap * sizeof(*v));
		if (!v)
			return COLINK_ENOMEM;
		o->ids = v;
		o->cap = cap;
	}
	snprintf(o->ids[o->n++], sizeof(o->ids[0]), "%s", run->run_id);
	return 0;
}

static int cmp_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int committed(void *ud, const char *run_id, struct colink_error *err)
{
	struct ok_runs *o = ud;
	char key[72];
	if (!o->loaded) {
		struct colink_wh *wh = NULL;
		int rc = colink_wh_open(&wh, o->warehouse,
					COLINK_WH_READONLY | COLINK_WH_MUST_EXIST | COLINK_WH_WAIT, err);
		o->loaded = 1;
		if (rc == COLINK_ENOTFOUND) /* no warehouse yet: nothing committed */
			return 0;
		if (rc == COLINK_OK && (rc = colink_wh_runs(wh, add_ok, o, err)) == COLINK_ENOMEM)
			rc = COLINK_ERR(err, COLINK_ENOMEM, "out of memory");
		colink_wh_close(wh);
		if (rc)
			return rc;
		if (o->n)
			qsort(o->ids, o->n, sizeof(o->ids[0]), cmp_id);
	}
	snprintf(key, sizeof(key), "%s", run_id);
	return o->n && bsearch(key, o->ids, o->n, sizeof(o->ids[0]), cmp_id) != NULL;
}

int colink_audit_ledger_complete(const char *log, const char *warehouse, const char *by_run,
				 size_t *completed, struct colink_error *err)
{
	struct ok_runs o = {warehouse, 0, NULL, 0, 0};
	int rc = colink_audit_complete(log, by_run, committed, &o, completed, err);
	colink_free(o.ids);
	return rc;
}
