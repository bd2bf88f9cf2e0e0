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
