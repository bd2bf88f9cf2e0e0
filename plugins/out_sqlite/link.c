/*
 * link.c -- out_sqlite: link the employer's persons to the association's.
 *
 * colink_output_ops.link (ABI 1.1), called once per run after the last
 * input and before commit, inside the run's transaction: an aborted run
 * leaves no link, review, report or summary row.  The rules and the tables
 * are described for auditors in mappings/warehouse/schema.sql
 * ("Linkage").  In short, for each pass with key kind K, over persons not
 * linked yet:
 *
 *   candidates  (employer e, association a) sharing a pseudonym of kind K
 *               (person_key), collected in the temporary table link_cand;
 *   link        the pairs whose e and a have no other candidate;
 *   review      every other pair, with the reason, both persons unlinked;
 *               the pairs sharing one pseudonym are one review group
 *               (link_review.group_no, numbered warehouse-wide).
 *
 * Before the passes, pass 0 (kind "decision", #18 part 6) applies the
 * stewards' decisions of link_decision that are not revoked: a "link"
 * decision links its two persons when neither is linked yet; a "never"
 * decision keeps its pair out of every pass's candidates, so it is neither
 * linked nor sent to review again.
 *
 * The exact passes run from memory (link_exact.c: one scan of person_key
 * per pass, a byte per person; bench/RESULTS.md, "The exact passes from
 * memory"), with the same rules and rows; the SQL below is their
 * reference, which the tests compare them with (COLINK_TEST_LINK_SQL=1),
 * and their fallback.  It is SQL over indexes (person_key's primary key is
 * (kind, pseudonym, person_no); link has one index per side; link_cand one
 * per side), so memory stays bounded by SQLite's cache however many
 * persons the warehouse holds.  link_cand lives in the connection's temp schema,
 * is emptied per pass and dropped at the end; it cannot outlive the run,
 * whose connection run_close closes.
 */
#include <inttypes.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "out_sqlite_int.h"

enum lst {
	L_CLEAR,
	L_CLEAR_NEW,
	L_CAND,
	L_REVIEW,
	L_NEW,
	L_LINK,
	L_LINKED,
	L_REPORT,
	L_SUMMARY,
	L_READ,
	D_ANY,
	D_NEW,
	L_COUNT
};

/*
 * Persons are joined by person_no throughout (v4); their pseudonyms
 * person_id are looked up only for the rows written to link and
 * link_review.  temp.linked holds the person_no of every linked person
 * (earlier runs' links at the start, each pass's as it links), so "not
 * linked yet" is an integer lookup.  Candidates are inserted sorted, so
 * link_cand's B-trees fill in order.
 */
static const char *const link_sql[L_COUNT] = {
	[L_CLEAR] = "DELETE FROM temp.link_cand",
	[L_CLEAR_NEW] = "DELETE FROM temp.link_new",
	/* ?1 kind.  Drives on person_key's primary key (kind = ?1) and finds
	 * the other side by (kind, pseudonym), the next entries of the same
	 * index; the sides come from the narrow index person_side (named:
	 * without statistics SQLite's planner would look the wide person rows
	 * up by rowid instead, a page read per pseudonym once person
	 * outgrows the cache; bench/RESULTS.md, round 7).  A pair a "never"
	 * decision keeps apart is no candidate. */
	[L_CAND] = "INSERT OR IGNORE INTO temp.link_cand (employer, association, grp) "
		"SELECT ek.person_no, ak.person_no, ek.pseudonym FROM person_key AS ek "
		"JOIN person_key AS ak ON ak.kind = ek.kind AND ak.pseudonym = ek.pseudonym "
		"JOIN person AS pe INDEXED BY person_side ON pe.person_no = ek.person_no "
		"JOIN person AS pa INDEXED BY person_side ON pa.person_no = ak.person_no "
		"WHERE ek.kind = ?1 AND pe.side = 'employer' AND pa.side = 'association' "
		"AND NOT EXISTS (SELECT 1 FROM temp.linked WHERE person_no = ek.person_no) "
		"AND NOT EXISTS (SELECT 1 FROM temp.linked WHERE person_no = ak.person_no) "
		"AND NOT EXISTS (SELECT 1 FROM link_decision AS d WHERE d.kind = 'never' "
		"AND d.revoked IS NULL AND d.employer_no = ek.person_no "
		"AND d.association_no = ak.person_no) "
		"ORDER BY 1, 2",
	/* ?1 pass, ?2 kind, ?3 run_id.  group_no: the pairs sharing one
	 * pseudonym, numbered after the warehouse's highest group. */
	[L_REVIEW] = "INSERT INTO link_review (run_id, pass, kind, employer_person_id, "
		"association_person_id, reason, group_no) "
		"SELECT ?3, ?1, ?2, pe.person_id, pa.person_id, "
		"CASE WHEN ne > 1 AND na > 1 THEN printf('employer person has %d candidates; "
		"association person has %d candidates', ne, na) "
		"WHEN ne > 1 THEN printf('employer person has %d candidates', ne) "
		"ELSE printf('association person has %d candidates', na) END, "
		"(SELECT coalesce(max(group_no), 0) FROM link_review) "
		"+ dense_rank() OVER (ORDER BY r.grp) "
		"FROM (SELECT c.employer, c.association, c.grp, "
		"(SELECT count(*) FROM temp.link_cand AS x WHERE x.employer = c.employer) AS ne, "
		"(SELECT count(*) FROM temp.link_cand AS y WHERE y.association = c.association) AS na "
		"FROM temp.link_cand AS c) AS r "
		"JOIN person AS pe ON pe.person_no = r.employer "
		"JOIN person AS pa ON pa.person_no = r.association "
		"WHERE ne > 1 OR na > 1 ORDER BY pe.person_id, pa.person_id",
	/* the pairs whose two persons have no other candidate */
	[L_NEW] = "INSERT INTO temp.link_new (employer, association) "
		"SELECT c.employer, c.association "
		"FROM temp.link_cand AS c WHERE NOT EXISTS (SELECT 1 FROM temp.link_cand AS x "
		"WHERE x.employer = c.employer AND x.association != c.association) "
		"AND NOT EXISTS (SELECT 1 FROM temp.link_cand AS y "
		"WHERE y.association = c.association AND y.employer != c.employer)",
	/* sorted by link's primary key, so that B-tree fills in order */
	[L_LINK] = "INSERT INTO link (employer_person_id, association_person_id, pass, "
		"kind, run_id) SELECT pe.person_id, pa.person_id, ?1, ?2, ?3 "
		"FROM temp.link_new AS n JOIN person AS pe ON pe.person_no = n.employer "
		"JOIN person AS pa ON pa.person_no = n.association ORDER BY pe.person_id",
	[L_LINKED] = "INSERT INTO temp.linked (person_no) SELECT employer FROM temp.link_new "
		"UNION ALL SELECT association FROM temp.link_new",
	/* ?1 pass, ?2 kind, ?3 run_id, ?4 linked, ?5 ambiguous */
	[L_REPORT] = "INSERT INTO link_report (run_id, pass, kind, linked, ambiguous) "
		"VALUES (?3, ?1, ?2, ?4, ?5)",
	/* ?1 run_id, ?2 passes, ?3 linked_new, ?4 ambiguous, ?5 linked by
	 * decisions.  A link joins an employer person to an association
	 * person; a person of this run's review is in review while it and its
	 * candidate are both unlinked (a later pass may have linked either:
	 * then the pair is moot), so each side's persons are linked + in
	 * review + unmatched. */
	[L_SUMMARY] = "INSERT INTO link_summary (run_id, passes, association_persons, "
		"employer_persons, linked_new, linked_total, ambiguous, "
		"unmatched_association, unmatched_employer, review_association, "
		"review_employer, linked_decision) SELECT ?1, ?2, na, ne, ?3, "
		"nl, ?4, na - nl - ra, ne - nl - re, ra, re, ?5 FROM "
		"(SELECT (SELECT count(*) FROM person WHERE side = 'association') AS na, "
		"(SELECT count(*) FROM person WHERE side = 'employer') AS ne, "
		"(SELECT count(*) FROM link) AS nl, "
		"(SELECT count(DISTINCT r.association_person_id) FROM link_review AS r "
		"WHERE r.run_id = ?1 AND NOT EXISTS (SELECT 1 FROM link AS l "
		"WHERE l.association_person_id = r.association_person_id) "
		"AND NOT EXISTS (SELECT 1 FROM link AS m "
		"WHERE m.employer_person_id = r.employer_person_id)) AS ra, "
		"(SELECT count(DISTINCT r.employer_person_id) FROM link_review AS r "
		"WHERE r.run_id = ?1 AND NOT EXISTS (SELECT 1 FROM link AS l "
		"WHERE l.employer_person_id = r.employer_person_id) "
		"AND NOT EXISTS (SELECT 1 FROM link AS m "
		"WHERE m.association_person_id = r.association_person_id)) AS re)",
	[L_READ] = "SELECT association_persons, employer_persons, linked_total, "
		"unmatched_association, unmatched_employer, review_association, "
		"review_employer FROM link_summary WHERE run_id = ?",
	[D_ANY] = "SELECT count(*) FROM link_decision WHERE revoked IS NULL",
	/* Pass 0: the "link" decisions in force whose persons are both
	 * unlinked, of the right sides, and named by no other "link" decision
	 * in force (colink link decide refuses that; a hand-edited table
	 * links neither of them). */
	[D_NEW] = "INSERT INTO temp.link_new (employer, association) "
		"SELECT d.employer_no, d.association_no FROM link_decision AS d "
		"JOIN person AS pe ON pe.person_no = d.employer_no AND pe.side = 'employer' "
		"JOIN person AS pa ON pa.person_no = d.association_no AND pa.side = 'association' "
		"WHERE d.kind = 'link' AND d.revoked IS NULL "
		"AND NOT EXISTS (SELECT 1 FROM temp.linked WHERE person_no = d.employer_no) "
		"AND NOT EXISTS (SELECT 1 FROM temp.linked WHERE person_no = d.association_no) "
		"AND NOT EXISTS (SELECT 1 FROM link_decision AS x WHERE x.kind = 'link' "
		"AND x.revoked IS NULL AND x.decision_id != d.decision_id "
		"AND (x.employer_no = d.employer_no OR x.association_no = d.association_no)) "
		"ORDER BY 1",
};

static const char create_sql[] =
	"CREATE TEMP TABLE link_cand (employer INTEGER NOT NULL, "
	"association INTEGER NOT NULL, grp TEXT, PRIMARY KEY (employer, association)) "
	"WITHOUT ROWID;"
	"CREATE INDEX temp.link_cand_association ON link_cand (association, employer);"
	"CREATE TEMP TABLE link_new (employer INTEGER NOT NULL, association INTEGER NOT NULL);"
	"CREATE TEMP TABLE linked (person_no INTEGER PRIMARY KEY);"
	/* the persons linked before this run */
	"INSERT INTO temp.linked (person_no) SELECT p.person_no FROM link AS l "
	"JOIN person AS p ON p.person_id = l.employer_person_id UNION ALL "
	"SELECT p.person_no FROM link AS l JOIN person AS p ON p.person_id = l.association_person_id;";

static const char drop_sql[] = "DROP TABLE IF EXISTS temp.link_cand; "
	"DROP TABLE IF EXISTS temp.link_new; DROP TABLE IF EXISTS temp.linked";

struct linker {
	struct out_sqlite *o;
	sqlite3_stmt *st[L_COUNT];
	struct colink_link_report r; /* filled here, copied out at the end */
};

/* Pass i of the rules, through the stride the core declared. */
#define PASS(rules, i) \
	COLINK_AT(struct colink_link_pass, (rules)->passes, (rules)->pass_size, (i))

static int check_rules(struct out_sqlite *o, const struct colink_link_rules *rules,
		       struct colink_error *err)
{
	size_t i, j;
	if (!rules || rules->struct_size < sizeof(*rules) || !rules->passes ||
	    rules->pass_size < COLINK_SIZE_TO(struct colink_link_pass, kind) ||
	    rules->npasses < 1 || rules->npasses > COLINK_LINK_MAX_PASSES)
		return COLINK_ERR(err, COLINK_EINVAL,
				  "%s: link: the rules need 1 to %d passes", o->path,
				  COLINK_LINK_MAX_PASSES);
	for (i = 0; i < rules->npasses; i++) {
		const char *k = PASS(rules, i)->kind;
		if (!k || !*k)
			return COLINK_ERR(err, COLINK_EINVAL,
					  "%s: link: pass %zu names no key kind", o->path, i + 1);
		for (j = 0; j < i; j++)
			if (!strcmp(k, PASS(rules, j)->kind))
				return COLINK_ERR(err, COLINK_EINVAL,
						  "%s: link: pass %zu repeats key kind %s of pass %zu",
						  o->path, i + 1, k, j + 1);
	}
	return COLINK_OK;
}

/* Run a statement with no result rows; *changes gets the rows it wrote. */
static int step(struct linker *l, int id, uint64_t *changes, const char *what,
		struct colink_error *err)
{
	int src = osq_step_done(l->st[id]);
	if (src != SQLITE_OK)
		return osq_db_err(l->o, src, what, err);
	if (changes)
		*changes = (uint64_t)sqlite3_changes(l->o->db); /* 3.35 lacks changes64 */
	return COLINK_OK;
}

/* The pass's link_report row (L_REPORT bound but its counts) and
 * counts. */
static int report_pass(struct linker *l, int pass, uint64_t linked, uint64_t review,
		       struct colink_error *err)
{
	int rc;
	osq_bind_u64(l->st[L_REPORT], 4, linked);
	osq_bind_u64(l->st[L_REPORT], 5, review);
	rc = step(l, L_REPORT, NULL, "recording the link report", err);
	l->r.linked[pass - 1] = linked;
	l->r.ambiguous += review;
	return rc;
}

/* Pass `pass` (1-based) with key kind `kind`. */
static int link_pass(struct linker *l, int pass, const char *kind,
		     struct colink_error *err)
{
	uint64_t linked = 0, review = 0;
	int i, rc;
	for (i = L_CLEAR; i <= L_REPORT; i++) {
		sqlite3_reset(l->st[i]);
		sqlite3_clear_bindings(l->st[i]);
	}
	sqlite3_bind_text(l->st[L_CAND], 1, kind, -1, SQLITE_STATIC);
	for (i = L_REVIEW; i <= L_REPORT; i++) {
		if (sqlite3_bind_parameter_count(l->st[i]) < 3)
			continue; /* L_NEW, L_LINKED */
		sqlite3_bind_int(l->st[i], 1, pass);
		sqlite3_bind_text(l->st[i], 2, kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(l->st[i], 3, l->o->run_id, -1, SQLITE_STATIC);
	}
	rc = step(l, L_CLEAR, NULL, "linking persons", err);
	if (!rc)
		rc = step(l, L_CLEAR_NEW, NULL, "linking persons", err);
	if (!rc)
		rc = step(l, L_CAND, NULL, "finding link candidates", err);
	/* review and link read the same candidates and are disjoint */
	if (!rc)
		rc = step(l, L_REVIEW, &review, "recording link candidates for review", err);
	if (!rc)
		rc = step(l, L_NEW, NULL, "linking persons", err);
	if (!rc)
		rc = step(l, L_LINK, &linked, "linking persons", err);
	if (!rc)
		rc = step(l, L_LINKED, NULL, "linking persons", err);
	if (rc)
		return rc;
	return report_pass(l, pass, linked, review, err);
}

/* Pass `pass` from memory (link_exact.c) while *ex holds the persons,
 * else (or when it falls back) by link_pass. */
static int exact_pass(struct linker *l, struct osq_exact **ex, int *ex_off, int pass,
		      const char *kind, struct colink_error *err)
{
	uint64_t linked, review;
	int rc = COLINK_OK;
	if (!*ex && !*ex_off) {
		rc = osq_exact_open(l->o, ex, err);
		*ex_off = !*ex;
	}
	if (!rc && *ex) {
		rc = osq_exact_pass(*ex, pass, kind, &linked, &review, err);
		if (!rc) {
			l->o->host->log(l->o->hc, COLINK_LOG_DEBUG, "link: pass %d (%s) from memory",
					pass, kind);
			sqlite3_reset(l->st[L_REPORT]);
			sqlite3_clear_bindings(l->st[L_REPORT]);
			sqlite3_bind_int(l->st[L_REPORT], 1, pass);
			sqlite3_bind_text(l->st[L_REPORT], 2, kind, -1, SQLITE_STATIC);
			sqlite3_bind_text(l->st[L_REPORT], 3, l->o->run_id, -1, SQLITE_STATIC);
			return report_pass(l, pass, linked, review, err);
		}
		if (rc != OSQ_EXACT_FALLBACK)
			return rc;
		osq_exact_close(*ex);
		*ex = NULL;
		*ex_off = 1;
		rc = COLINK_OK;
	}
	return rc ? rc : link_pass(l, pass, kind, err);
}

/* Pass 0: the stewards' "link" decisions in force (#18 part 6).  Its
 * link_report row (pass 0, kind "decision") is written only when some
 * decision is in force, so a warehouse without decisions reports as
 * before. */
static int decision_pass(struct linker *l, struct colink_error *err)
{
	sqlite3_stmt *st = l->st[D_ANY];
	uint64_t linked = 0;
	long long any;
	int i, src, rc;
	src = sqlite3_step(st);
	any = src == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (src != SQLITE_ROW)
		return osq_db_err(l->o, src, "reading the link decisions", err);
	if (!any)
		return COLINK_OK;
	for (i = L_CLEAR_NEW; i <= L_REPORT; i++) {
		sqlite3_reset(l->st[i]);
		sqlite3_clear_bindings(l->st[i]);
	}
	sqlite3_reset(l->st[D_NEW]);
	for (i = 0; i < 2; i++) { /* pass 0, kind "decision" */
		sqlite3_stmt *x = l->st[i ? L_REPORT : L_LINK];
		sqlite3_bind_int(x, 1, 0);
		sqlite3_bind_text(x, 2, "decision", -1, SQLITE_STATIC);
		sqlite3_bind_text(x, 3, l->o->run_id, -1, SQLITE_STATIC);
	}
	rc = step(l, L_CLEAR_NEW, NULL, "applying link decisions", err);
	if (!rc)
		rc = step(l, D_NEW, NULL, "applying link decisions", err);
	if (!rc)
		rc = step(l, L_LINK, &linked, "applying link decisions", err);
	if (!rc)
		rc = step(l, L_LINKED, NULL, "applying link decisions", err);
	if (rc)
		return rc;
	osq_bind_u64(l->st[L_REPORT], 4, linked);
	osq_bind_u64(l->st[L_REPORT], 5, 0);
	l->r.linked_decision = linked;
	return step(l, L_REPORT, NULL, "recording the link report", err);
}

/* The summary row, and the report's warehouse-wide numbers read back from
 * it (so the report and the row cannot disagree). */
static int link_summary(struct linker *l, size_t npasses, struct colink_error *err)
{
	sqlite3_stmt *st = l->st[L_SUMMARY];
	uint64_t linked_new = 0;
	size_t i;
	int src, rc;
	for (i = 0; i < npasses; i++)
		linked_new += l->r.linked[i];
	linked_new += l->r.linked_decision;
	osq_bind_text(st, 1, l->o->run_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)npasses);
	osq_bind_u64(st, 3, linked_new);
	osq_bind_u64(st, 4, l->r.ambiguous);
	osq_bind_u64(st, 5, l->r.linked_decision);
	rc = step(l, L_SUMMARY, NULL, "recording the link summary", err);
	if (rc)
		return rc;
	st = l->st[L_READ];
	osq_bind_text(st, 1, l->o->run_id);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		l->r.association_persons = (uint64_t)sqlite3_column_int64(st, 0);
		l->r.employer_persons = (uint64_t)sqlite3_column_int64(st, 1);
		l->r.linked_total = (uint64_t)sqlite3_column_int64(st, 2);
		l->r.unmatched_association = (uint64_t)sqlite3_column_int64(st, 3);
		l->r.unmatched_employer = (uint64_t)sqlite3_column_int64(st, 4);
		l->r.review_association = (uint64_t)sqlite3_column_int64(st, 5);
		l->r.review_employer = (uint64_t)sqlite3_column_int64(st, 6);
	}
	sqlite3_reset(st);
	if (src != SQLITE_ROW)
		return osq_db_err(l->o, src == SQLITE_DONE ? SQLITE_ERROR : src,
				  "reading the link summary", err);
	return COLINK_OK;
}

/* Copy the report into the caller's, up to the size the caller declared
 * (an older caller's struct is shorter; its struct_size is kept). */
static void report_out(const struct colink_link_report *r,
		       struct colink_link_report *rep)
{
	size_t n;
	if (!rep || rep->struct_size <= sizeof(rep->struct_size))
		return;
	n = rep->struct_size < sizeof(*r) ? rep->struct_size : sizeof(*r);
	memcpy((char *)rep + sizeof(rep->struct_size),
	       (const char *)r + sizeof(r->struct_size), n - sizeof(r->struct_size));
}

/* Wall and CPU time of one step of the link phase (the process's CPU:
 * the reader threads are idle by now), the steadier figure on a shared
 * machine. */
static double secs(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

void osq_lap_start(struct osq_lap *l)
{
	clock_gettime(CLOCK_MONOTONIC, &l->wall);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &l->cpu);
}

double osq_lap(struct osq_lap *l, double *cpu)
{
	struct osq_lap n;
	double w;
	osq_lap_start(&n);
	w = secs(&l->wall, &n.wall);
	*cpu = secs(&l->cpu, &n.cpu);
	*l = n;
	return w;
}

/* The link phase's time apart, logged (INFO): the run's pseudonyms into
 * person_key (work deferred from the load), then each pass. */
int osq_link(void *ctx, const struct colink_link_rules *rules,
	     struct colink_link_report *rep, struct colink_error *err)
{
	struct osq_lap t;
	struct out_sqlite *o = ctx;
	struct linker l;
	struct osq_exact *ex = NULL;
	double w, cpu;
	size_t i;
	/* tests: link.c's SQL for every exact pass, to compare with */
	const char *sql_only = getenv("COLINK_TEST_LINK_SQL");
	int ex_off = sql_only && *sql_only == '1';
	int src, rc = osq_in_run(o, "link", err);
	if (rc)
		return rc;
	rc = check_rules(o, rules, err);
	if (rc)
		return rc;
	if (o->linked)
		return COLINK_ERR(err, COLINK_EINVAL, "%s: link called twice in run %s",
				  o->path, o->run_id);
	osq_lap_start(&t);
	rc = osq_keys_flush(o, err); /* the run's pseudonyms into person_key */
	if (!rc) /* the passes look persons up and sort their candidates */
		rc = osq_sort_cache(o, OSQ_CACHE_LINK, err);
	if (rc)
		return rc;
	/* The load's page cache, shrunk to the link's, back to the system
	 * before the passes allocate their own arrays: glibc keeps what is
	 * freed below the top of its heap (bench/RESULTS.md, round 12). */
	sqlite3_db_release_memory(o->db);
#ifdef __GLIBC__
	malloc_trim(0);
#endif
	w = osq_lap(&t, &cpu);
	o->host->log(o->hc, COLINK_LOG_INFO,
		     "link: the run's pseudonyms into person_key in %.2f s (CPU %.2f s)", w, cpu);
	memset(&l, 0, sizeof(l));
	l.o = o;
	l.r.struct_size = sizeof(l.r);
	src = sqlite3_exec(o->db, create_sql, NULL, NULL, NULL);
	if (src != SQLITE_OK) {
		rc = osq_db_err(o, src, "creating the link candidate table", err);
		goto out;
	}
	for (i = 0; i < L_COUNT && !rc; i++) {
		src = sqlite3_prepare_v2(o->db, link_sql[i], -1, &l.st[i], NULL);
		if (src != SQLITE_OK)
			rc = osq_db_err(o, src, "preparing a link statement", err);
	}
	if (!rc)
		rc = decision_pass(&l, err);
	for (i = 0; i < rules->npasses && !rc; i++) {
		const struct colink_link_pass *p = PASS(rules, i);
		if (rules->pass_size >= COLINK_SIZE_TO(struct colink_link_pass, blocking) &&
		    p->probabilistic) {
			uint64_t linked = 0, review = 0;
			rc = osq_link_prob(o, (int)i + 1, p, &linked, &review, err);
			l.r.linked[i] = linked;
			l.r.ambiguous += review;
			osq_exact_close(ex); /* its links are in temp.linked only */
			ex = NULL;
		} else
			rc = exact_pass(&l, &ex, &ex_off, (int)i + 1, p->kind, err);
		w = osq_lap(&t, &cpu);
		if (!rc)
			o->host->log(o->hc, COLINK_LOG_INFO, "link: pass %zu (%s) in %.2f s (CPU %.2f s)",
				     i + 1, p->kind ? p->kind : "probabilistic", w, cpu);
	}
	if (!rc) { /* link's person references, in bulk (link_refs.c) */
		rc = osq_link_refs_check(o, err);
		w = osq_lap(&t, &cpu);
		if (!rc)
			o->host->log(o->hc, COLINK_LOG_INFO, "link: person references of link checked "
				     "in %.2f s (CPU %.2f s)", w, cpu);
	}
	if (!rc)
		rc = link_summary(&l, rules->npasses, err);
	if (!rc) {
		o->linked = 1;
		report_out(&l.r, rep);
	}
out:
	osq_exact_close(ex);
	for (i = 0; i < L_COUNT; i++)
		sqlite3_finalize(l.st[i]);
	sqlite3_exec(o->db, drop_sql, NULL, NULL, NULL);
	if (!rc)
		rc = osq_sort_cache(o, OSQ_CACHE_RUN, err);
	return rc;
}
