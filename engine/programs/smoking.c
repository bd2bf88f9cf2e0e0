/*
 * smoking.c -- 禁煙推進: smoking status per person and fiscal year (the last
 * answered exam of the year), and quit / relapse / smoker rates between two
 * fiscal years, per site.  Streams the warehouse ordered by person; memory
 * grows with the number of sites only.
 */
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

static const char smoking_sql[] =
	"SELECT p.person_id, c.fiscal_year, e.site, q.answer, q.code_system "
	"FROM checkup c JOIN person p ON p.person_no = c.person_no "
	"LEFT JOIN questionnaire q ON q.checkup_id = c.checkup_id AND q.field = 'q_smoking' "
	"AND q.answer IS NOT NULL "
	"LEFT JOIN link l ON l.association_person_id = p.person_id "
	"LEFT JOIN person pe ON pe.person_id = l.employer_person_id "
	"LEFT JOIN employee e ON e.person_no = pe.person_no "
	"WHERE c.fiscal_year IN (?1 - 1, ?1) "
	"ORDER BY c.person_no, c.fiscal_year, c.exam_date";

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

int colink_smoking_transitions(sqlite3 *db, const struct colink_rules *r, int fiscal_year,
			       colink_smoking_cb cb, void *ctx, struct colink_error *err)
{
	sqlite3_stmt *st = NULL;
	struct acc a = {NULL, 0, 0};
	char person[72] = "", *site = NULL;
	enum colink_smoking before = COLINK_SMOKING_UNKNOWN, now = COLINK_SMOKING_UNKNOWN;
	int rc, ret = 0;
	size_t i;
	if (sqlite3_prepare_v2(db, smoking_sql, -1, &st, NULL) != SQLITE_OK) {
		COLINK_ERR(err, COLINK_EIO, "%s: cannot read questionnaires: %s",
			   sqlite3_db_filename(db, "main"), sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_bind_int(st, 1, fiscal_year);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *pid = (const char *)sqlite3_column_text(st, 0);
		const char *s = (const char *)sqlite3_column_text(st, 2);
		int fy = sqlite3_column_int(st, 1);
		enum colink_smoking status = colink_rules_smoking(
			r, (const char *)sqlite3_column_text(st, 3), (const char *)sqlite3_column_text(st, 4));
		if (!pid)
			continue;
		if (strcmp(pid, person)) {
			if (person[0] && person_done(&a, site, before, now))
				goto oom;
			snprintf(person, sizeof(person), "%s", pid);
			colink_free(site);
			site = NULL;
			if (s && !(site = colink_strdup(s)))
				goto oom;
			before = now = COLINK_SMOKING_UNKNOWN;
		}
		if (status == COLINK_SMOKING_UNKNOWN)
			continue;
		if (fy == fiscal_year)
			now = status;
		else
			before = status;
	}
	if (rc != SQLITE_DONE) {
		ret = -1;
		COLINK_ERR(err, COLINK_EIO, "%s: reading questionnaires: %s",
			   sqlite3_db_filename(db, "main"), sqlite3_errmsg(db));
		goto out;
	}
	if (person[0] && person_done(&a, site, before, now))
		goto oom;
	if (a.n)
		qsort(a.s, a.n, sizeof(a.s[0]), by_site);
	for (i = 0; i < a.n && !ret; i++) {
		a.s[i].t.site = a.s[i].site;
		ret = cb(ctx, &a.s[i].t);
	}
	goto out;
oom:
	ret = -1;
	COLINK_ERR(err, COLINK_ENOMEM, "out of memory counting smoking transitions");
out:
	sqlite3_finalize(st);
	colink_free(site);
	for (i = 0; i < a.n; i++)
		colink_free(a.s[i].site);
	colink_free(a.s);
	return ret;
}
