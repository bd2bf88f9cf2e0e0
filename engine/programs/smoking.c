/*
 * smoking.c -- 禁煙推進: smoking status per person and fiscal year (the last
 * answered exam of the year), and quit / relapse / smoker rates between two
 * fiscal years, per site.  Streams the warehouse ordered by person; memory
 * grows with the number of sites only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "programs/programs_int.h"
#include "programs/suppress.h"

struct site_acc {
	char *site; /* NULL: not linked */
	struct colink_smoking_transition t;
};

struct acc {
	struct site_acc *s;
	size_t n, cap;
};

static struct site_acc *site_get(struct acc *a, const char *site)
{
	size_t i;
	for (i = 0; i < a->n; i++)
		if ((!site && !a->s[i].site) || (site && a->s[i].site && !strcmp(site, a->s[i].site)))
			return &a->s[i];
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 8;
		struct site_acc *ns = colink_realloc(a->s, cap * sizeof(*ns));
		if (!ns)
			return NULL;
		a->s = ns;
		a->cap = cap;
	}
	memset(&a->s[a->n], 0, sizeof(a->s[0]));
	if (site && !(a->s[a->n].site = colink_strdup(site)))
		return NULL;
	return &a->s[a->n++];
}

/* One person's statuses of the two years into the site's counts. */
static int person_done(struct acc *a, const char *site, enum colink_smoking before,
		       enum colink_smoking now)
{
	struct site_acc *s;
	if (before == COLINK_SMOKING_UNKNOWN && now == COLINK_SMOKING_UNKNOWN)
		return 0;
	if (!(s = site_get(a, site)))
		return -1;
	if (now != COLINK_SMOKING_UNKNOWN) {
		s->t.answered_now++;
		s->t.current_now += now == COLINK_SMOKING_CURRENT;
	}
	if (before == COLINK_SMOKING_UNKNOWN || now == COLINK_SMOKING_UNKNOWN)
		return 0;
	if (before == COLINK_SMOKING_CURRENT) {
		s->t.current_before++;
		s->t.quit_after += now != COLINK_SMOKING_CURRENT;
	} else {
		s->t.noncurrent_before++;
		s->t.relapse_after += now == COLINK_SMOKING_CURRENT;
	}
	return 0;
}

static int by_site(const void *x, const void *y)
{
	const struct site_acc *a = x, *b = y;
	if (!a->site || !b->site)
		return !a->site - !b->site; /* not linked last */
	return strcmp(a->site, b->site);
}

struct walk {
	const struct colink_rules *r;
	int fy;
	struct acc a;
	char person[72], *site;
	enum colink_smoking before, now;
	int oom;
};

static int on_answer(void *ud, const struct colink_wh_smoking_answer *x)
{
	struct walk *w = ud;
	enum colink_smoking status = colink_rules_smoking(w->r, x->answer, x->code_system);
	if (!x->person_id)
		return 0;
	if (strcmp(x->person_id, w->person)) {
		if (w->person[0] && person_done(&w->a, w->site, w->before, w->now))
			goto oom;
		snprintf(w->person, sizeof(w->person), "%s", x->person_id);
		colink_free(w->site);
		w->site = NULL;
		if (x->site && !(w->site = colink_strdup(x->site)))
			goto oom;
		w->before = w->now = COLINK_SMOKING_UNKNOWN;
	}
	if (status == COLINK_SMOKING_UNKNOWN)
		return 0;
	if (x->fiscal_year == w->fy)
		w->now = status;
	else
		w->before = status;
	return 0;
oom:
	w->oom = 1;
	return 1;
}

int colink_smoking_transitions(struct colink_wh *wh, const struct colink_rules *r, int fiscal_year,
			       colink_smoking_cb cb, void *ctx, struct colink_error *err)
{
	struct walk w;
	int ret;
	size_t i;
	memset(&w, 0, sizeof(w));
	w.r = r;
	w.fy = fiscal_year;
	ret = colink_wh_smoking_answers(wh, fiscal_year, on_answer, &w, err);
	if (ret && !w.oom)
		goto out;
	if (w.oom || (w.person[0] && person_done(&w.a, w.site, w.before, w.now))) {
		ret = -1;
		COLINK_ERR(err, COLINK_ENOMEM, "out of memory counting smoking transitions");
		goto out;
	}
	if (w.a.n)
		qsort(w.a.s, w.a.n, sizeof(w.a.s[0]), by_site);
	for (i = 0; i < w.a.n && !ret; i++) {
		w.a.s[i].t.site = w.a.s[i].site;
		ret = cb(ctx, &w.a.s[i].t);
	}
out:
	colink_free(w.site);
	for (i = 0; i < w.a.n; i++)
		colink_free(w.a.s[i].site);
	colink_free(w.a.s);
	return ret;
}

int colink_smoking_protect(const struct colink_smoking_transition *t, long k,
			   struct colink_smoking_release *rel, struct colink_error *err)
{
	struct colink_sup_table tab;
	struct colink_sup_opts so = { k, 0 };
	long still = t->current_before - t->quit_after, stay = t->noncurrent_before - t->relapse_after;
	int rc;
	memset(rel, 0, sizeof(*rel));
	if ((rc = colink_sup_table_init(&tab, "smoking", "before", "now", 3, 2, err)))
		return rc;
	/* rows: before current, non-smoker, not known; columns: now current, non-smoker */
	tab.v[COLINK_SUP_AT(&tab, 0, 0)] = still;
	tab.v[COLINK_SUP_AT(&tab, 0, 1)] = t->quit_after;
	tab.v[COLINK_SUP_AT(&tab, 1, 0)] = t->relapse_after;
	tab.v[COLINK_SUP_AT(&tab, 1, 1)] = stay;
	tab.v[COLINK_SUP_AT(&tab, 2, 0)] = t->current_now - still - t->relapse_after;
	tab.v[COLINK_SUP_AT(&tab, 2, 1)] =
		t->answered_now - t->current_now - t->quit_after - stay;
	colink_sup_margins(&tab);
	if ((rc = colink_sup_protect(&tab, 1, &so, err)) == 0) {
		rel->current_before = !tab.state[COLINK_SUP_AT(&tab, 0, 2)];
		rel->quit_after = !tab.state[COLINK_SUP_AT(&tab, 0, 1)];
		rel->noncurrent_before = !tab.state[COLINK_SUP_AT(&tab, 1, 2)];
		rel->relapse_after = !tab.state[COLINK_SUP_AT(&tab, 1, 0)];
		rel->current_now = !tab.state[COLINK_SUP_AT(&tab, 3, 0)];
		rel->answered_now = !tab.state[COLINK_SUP_AT(&tab, 3, 2)];
	}
	colink_sup_table_free(&tab);
	return rc;
}
