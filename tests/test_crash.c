/*
 * test_crash.c -- crash consistency, concurrency and resource faults of
 * `colink run`: the real binary (fork/exec), the real plugins, real SQLite
 * warehouses.
 *
 *   crash        SIGKILL a large run at 20 seeded points spread over its
 *                duration; after each kill the warehouse passes
 *                integrity_check, holds no row of the killed run, and the
 *                ledger shows it 'incomplete'; a final rerun gives the same
 *                content as an uninterrupted run into a fresh warehouse.
 *   concurrency  a second run against a warehouse another run is writing
 *                fails fast with exit 6 (short busy_timeout_ms) or waits and
 *                commits after the first (long timeout); a reader meanwhile
 *                sees committed states only.
 *   faults       the Nth allocation fails (COLINK_FAIL_ALLOC_AFTER), the file
 *                system is full, the configuration names something missing:
 *                a clean exit code, one clear line, nothing of a failed run.
 *
 * Environment: COLINK_CRASH_PERSONS sizes the generated input (default
 * 25000: a run of a few seconds), COLINK_CRASH_SEED seeds the kill points.
 * The disk-full case mounts a 2 MiB tmpfs (root); without the privilege it
 * falls back to RLIMIT_FSIZE in the child and says so.
 */
#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#define KILLS 20
#define FULL_FS_BYTES (2L * 1024 * 1024)

static char *top;     /* scratch folder of the suite */
static char *gen_dir; /* generated inputs (vendor_a.csv, vendor_b.csv) */
static char *smp_dir; /* copy of the 22-row samples */
static char *key;     /* the one key file of every run */
static char *mounted[2]; /* mount points to detach in teardown */

static char *pool[96];   /* paths made by tpath, freed in teardown */
static size_t npool;

/* Data tables: everything but the ledger (run, run_input, input_field_map). */
static const char *const data_tables[] = {
	"person", "person_key", "checkup", "observation", "questionnaire", "reject"
};
#define NDATA (sizeof(data_tables) / sizeof(data_tables[0]))

/* ================================================================== */
/* Time, processes                                                      */
/* ================================================================== */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec ts;
	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int status_code(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 255;
}

struct spawn_opts {
	const char *env_name;  /* one variable to set in the child, or NULL */
	const char *env_value;
	long fsize_limit;      /* > 0: RLIMIT_FSIZE in bytes, SIGXFSZ ignored */
};

/* Start `colink run --no-progress JOB`; stdout to /dev/null, stderr to
 * errfile (or /dev/null).  Returns the pid, or -1. */
static pid_t spawn_run(const char *job, const char *errfile, const struct spawn_opts *o)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	{
		int null = open("/dev/null", O_RDWR);
		int efd = errfile ? open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0600) : null;
		if (null < 0 || efd < 0)
			_exit(126);
		dup2(null, 0);
		dup2(null, 1);
		dup2(efd, 2);
		if (o && o->env_name)
			setenv(o->env_name, o->env_value, 1);
		if (o && o->fsize_limit > 0) {
			struct rlimit rl = { (rlim_t)o->fsize_limit, (rlim_t)o->fsize_limit };
			signal(SIGXFSZ, SIG_IGN); /* write() then fails with EFBIG */
			if (setrlimit(RLIMIT_FSIZE, &rl))
				_exit(126);
		}
		execl(tu_colink(), "colink", "run", "--no-progress", "--unsigned-agreement", job, (char *)NULL);
		_exit(127);
	}
}

static int wait_code(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 255;
	return status_code(st);
}

/* 1 and *code set when the child has ended, 0 while it runs. */
static int poll_code(pid_t pid, int *code)
{
	int st;
	if (waitpid(pid, &st, WNOHANG) != pid)
		return 0;
	*code = status_code(st);
	return 1;
}

/* Run to the end; *secs (may be NULL) gets the wall time. */
static int run_sync(const char *job, const char *errfile, const struct spawn_opts *o,
		    double *secs)
{
	double t0 = now_s();
	pid_t pid = spawn_run(job, errfile, o);
	int code = pid < 0 ? 255 : wait_code(pid);
	if (secs)
		*secs = now_s() - t0;
	return code;
}

/* ================================================================== */
/* Files and jobs                                                       */
/* ================================================================== */

/* TOP/NAME; valid until teardown. */
static const char *tpath(const char *name)
{
	char *p = tu_fmt("%s/%s", top, name);
	CU_ASSERT_FATAL(npool < sizeof(pool) / sizeof(pool[0]));
	pool[npool++] = p;
	return p;
}

/* Detach mount point I if it is mounted; 0 or -1 as umount2. */
static int unmount_slot(size_t i)
{
	int rc = mounted[i] ? umount2(mounted[i], MNT_DETACH) : 0;
	free(mounted[i]);
	mounted[i] = NULL;
	return rc;
}

struct job_spec {
	const char *in_dir;    /* folder of vendor_a.csv and vendor_b.csv */
	const char *db;        /* warehouse path */
	long busy_ms;          /* < 0: the plugin's default */
	const char *mapping_a; /* NULL: mappings/vendors/vendor_a.xml */
	const char *input_a;   /* NULL: IN_DIR/vendor_a.csv */
	const char *key;       /* NULL: the suite's key */
	const char *out_plugin;/* NULL: out_sqlite */
};

/* Write TOP/NAME.xml from spec; returns its path (valid until teardown). */
static const char *write_job(const char *name, const struct job_spec *s)
{
	char *fn = tu_fmt("%s.xml", name);
	const char *path = tpath(fn);
	char *ma = s->mapping_a ? strdup(s->mapping_a)
				: tu_fmt("%s/mappings/vendors/vendor_a.xml", tu_srcdir());
	char *ia = s->input_a ? strdup(s->input_a) : tu_fmt("%s/vendor_a.csv", s->in_dir);
	char *busy = s->busy_ms >= 0
		? tu_fmt("<set name=\"busy_timeout_ms\" value=\"%ld\"/>", s->busy_ms) : strdup("");
	char *body = tu_fmt(
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<job xmlns=\"urn:colink:job:1\" name=\"%s\">\n"
		"  <agreement file=\"" COLINK_SRC_TOP "/samples/agreement.xml\" id=\"sample-collabo-2024\"/>\n"
		"  <purpose>健康白書</purpose><recipient party=\"association\" role=\"保健事業担当者\"/>\n"
		"  <key file=\"%s\"/>\n"
		"  <input mapping=\"%s\" path=\"%s\"/>\n"
		"  <input mapping=\"%s/mappings/vendors/vendor_b.xml\" path=\"%s/vendor_b.csv\"/>\n"
		"  <output plugin=\"%s\"><set name=\"path\" value=\"%s\"/>%s</output>\n"
		"</job>\n", name, s->key ? s->key : key, ma, ia, tu_srcdir(), s->in_dir,
		s->out_plugin ? s->out_plugin : "out_sqlite", s->db, busy);
	CU_ASSERT_EQUAL(tu_write_file(path, body, strlen(body)), 0);
	free(fn);
	free(ma);
	free(ia);
	free(busy);
	free(body);
	return path;
}

static int exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* Remove a warehouse with its -wal and -shm files. */
static void remove_db(const char *db)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	size_t i;
	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		char *p = tu_fmt("%s%s", db, sfx[i]);
		unlink(p);
		free(p);
	}
}

/* Lines of a text ("a\nb\n" and "a\nb" are 2). */
/* The lines of a message, not counting the rejects a failed run lists
 * after it (#18: the header "... were rejected (no reject row is kept)"
 * and its indented lines). */
static int count_lines(const char *s)
{
	int n = 0;
	const char *nl;
	for (; s && *s; s = nl ? nl + 1 : s + strlen(s)) {
		nl = strchr(s, '\n');
		if (!strncmp(s, "  ", 2))
			continue;
		if (strstr(s, "were rejected (no reject row is kept)") &&
		    (!nl || strstr(s, "were rejected (no reject row is kept)") < nl))
			continue;
		n++;
	}
	return n;
}

static int sanitizer_report(const char *e)
{
	return e && (strstr(e, "Sanitizer") || strstr(e, "runtime error:"));
}

/* ================================================================== */
/* Warehouse queries                                                    */
/* ================================================================== */

/* One integer from SQL on DB, read-only, waiting out a writer's brief
 * exclusive moments (creating the file, switching it to WAL); -1 on an
 * error, SQL NULL or no row. */
static long q(const char *db, const char *sql)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	long v = -1;
	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
		sqlite3_busy_timeout(h, 5000);
		if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
			v = (long)sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

/* 1 if TABLE exists, 0 if not or no warehouse, -1 if it cannot be read. */
static int has_table(const char *db, const char *table)
{
	char *s;
	long n;
	if (!exists(db))
		return 0;
	s = tu_fmt("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='%s'", table);
	n = q(db, s);
	free(s);
	return n < 0 ? -1 : n > 0;
}

/* count(*) of TABLE [WHERE where]; 0 when the warehouse or table is absent,
 * -1 when it cannot be read. */
static long count_rows(const char *db, const char *table, const char *where)
{
	char *s;
	long n;
	int t = has_table(db, table);
	if (t <= 0)
		return t;
	s = tu_fmt("SELECT count(*) FROM %s%s%s", table, where ? " WHERE " : "", where ? where : "");
	n = q(db, s);
	free(s);
	return n;
}

static long data_rows(const char *db)
{
	long n = count_rows(db, "run_input", NULL) + count_rows(db, "input_field_map", NULL);
	size_t i;
	for (i = 0; i < NDATA; i++)
		n += count_rows(db, data_tables[i], NULL);
	return n;
}

/* PRAGMA integrity_check is "ok"; an absent warehouse counts as intact. */
static int intact(const char *db)
{
	char *r;
	int ok;
	if (!exists(db))
		return 1;
	r = tu_sql1(db, "PRAGMA integrity_check");
	ok = r && !strcmp(r, "ok");
	if (!ok)
		fprintf(stderr, "\n%s: integrity_check: %s\n", db, r ? r : "(no answer)");
	free(r);
	return ok;
}

/*
 * Every ok run's rows carry its run_id and match its ledger counts, and no
 * row belongs to a run that is not ok.  Per loaded input, the records that
 * landed (checkup) or were rejected (reject) are exactly 1..records_read,
 * each once: rows of two runs cannot have been mixed.
 */
static void assert_rows_match_ledger(const char *db)
{
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM run r WHERE status='ok' AND "
		"records_loaded != (SELECT count(*) FROM checkup c WHERE c.run_id=r.run_id)"), 0);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM run r WHERE status='ok' AND "
		"records_rejected != (SELECT count(*) FROM reject j WHERE j.run_id=r.run_id)"), 0);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT (SELECT count(*) FROM checkup WHERE run_id NOT IN "
		"(SELECT run_id FROM run WHERE status='ok')) + (SELECT count(*) FROM reject WHERE "
		"run_id NOT IN (SELECT run_id FROM run WHERE status='ok')) + (SELECT count(*) FROM "
		"person WHERE first_run_id NOT IN (SELECT run_id FROM run WHERE status='ok'))"), 0);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM run_input i JOIN run r USING (run_id) "
		"WHERE r.status='ok' AND i.status='loaded' AND (SELECT count(*) || '/' || "
		"count(DISTINCT record_no) || '/' || max(record_no) FROM (SELECT record_no FROM checkup c "
		"WHERE c.run_id=i.run_id AND c.input_no=i.input_no UNION ALL SELECT record_no FROM reject j "
		"WHERE j.run_id=i.run_id AND j.input_no=i.input_no)) IS NOT (i.records_read || '/' || "
		"i.records_read || '/' || i.records_read)"), 0);
	CU_ASSERT(tu_sql_long(db, "SELECT count(*) FROM run_input i JOIN run r USING (run_id) "
			      "WHERE r.status='ok' AND i.status='loaded'") > 0);
}

/* ================================================================== */
/* Content digests                                                      */
/* ================================================================== */

/*
 * Columns left out of the comparison, and why: they name the run or are
 * surrogates, so two correct loads of the same bytes differ there.
 *   run_id (checkup, reject), first_run_id and last_run_id (person): a new
 *     random id per run.
 *   checkup_id (checkup, observation, questionnaire): an INTEGER PRIMARY KEY
 *     surrogate; observation and questionnaire are instead tied to their
 *     checkup's natural key (person_id, exam_date) through a join.
 *   person_no (person): the person's INTEGER PRIMARY KEY surrogate (schema
 *     v4); every other table's person_no is compared as the person's
 *     pseudonym (person_id) instead.
 * Kept on purpose: input_no, record_no and line_no (same job, same files,
 * same order: they must agree), key_id (same key file), every value.
 * The ledger tables (run, run_input, input_field_map) hold times and run
 * ids and are checked through assert_rows_match_ledger instead.
 */
static int excluded(const char *table, const char *col)
{
	if (!strcmp(col, "run_id") || !strcmp(col, "checkup_id"))
		return 1;
	return !strcmp(table, "person") &&
	       (!strcmp(col, "first_run_id") || !strcmp(col, "last_run_id") ||
		!strcmp(col, "person_no"));
}

/* SELECT of TABLE's compared columns, ordered by all of them. */
static char *digest_sql(const char *db, const char *table)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	char *cols = strdup(""), *sql = NULL, *order = strdup("");
	int n = 0, join = 0;
	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(h, "SELECT name FROM pragma_table_info(?1) ORDER BY cid", -1,
			       &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *c = (const char *)sqlite3_column_text(st, 0);
			char *nc, *no;
			if (!strcmp(c, "checkup_id") && strcmp(table, "checkup"))
				join = 1;
			if (excluded(table, c))
				continue;
			if (!strcmp(c, "person_no"))
				nc = tu_fmt("%s%s(SELECT p.person_id FROM person p WHERE p.person_no = "
					    "t.person_no)", cols, n ? ", " : "");
			else
				nc = tu_fmt("%s%st.\"%s\"", cols, n ? ", " : "", c);
			no = tu_fmt("%s%s%d", order, n ? ", " : "", n + 1);
			free(cols);
			free(order);
			cols = nc;
			order = no;
			n++;
		}
	}
	if (n)
		sql = join ? tu_fmt("SELECT %s, kp.person_id, k.exam_date FROM %s t JOIN checkup k "
				    "ON k.checkup_id = t.checkup_id JOIN person kp ON kp.person_no = "
				    "k.person_no ORDER BY %s, %d, %d",
				    cols, table, order, n + 1, n + 2)
			   : tu_fmt("SELECT %s FROM %s t ORDER BY %s", cols, table, order);
	sqlite3_finalize(st);
	sqlite3_close(h);
	free(cols);
	free(order);
	return sql;
}

/* FNV-1a 64 over every value (type tag, text) of the query's rows. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	while (n--)
		h = (h ^ *b++) * 1099511628211ULL;
	return h;
}

static int digest(const char *db, const char *sql, uint64_t *hash, long *rows)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	int src = SQLITE_ERROR;
	*hash = 14695981039346656037ULL;
	*rows = 0;
	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK) {
		while ((src = sqlite3_step(st)) == SQLITE_ROW) {
			int i, n = sqlite3_column_count(st);
			for (i = 0; i < n; i++) {
				unsigned char t = (unsigned char)sqlite3_column_type(st, i);
				const unsigned char *v = sqlite3_column_text(st, i);
				*hash = fnv(*hash, &t, 1);
				if (t != SQLITE_NULL)
					*hash = fnv(*hash, v, (size_t)sqlite3_column_bytes(st, i));
				*hash = fnv(*hash, "\x1f", 1);
			}
			*hash = fnv(*hash, "\x1e", 1);
			(*rows)++;
		}
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
	return src == SQLITE_DONE ? 0 : -1;
}

/* Same rows in every data table of A and B (A gives the column lists). */
static void assert_same_content(const char *a, const char *b)
{
	size_t i;
	for (i = 0; i < NDATA; i++) {
		char *sql = digest_sql(a, data_tables[i]);
		uint64_t ha = 0, hb = 1;
		long ra = -1, rb = -2;
		CU_ASSERT_PTR_NOT_NULL_FATAL(sql);
		CU_ASSERT_EQUAL(digest(a, sql, &ha, &ra), 0);
		CU_ASSERT_EQUAL(digest(b, sql, &hb, &rb), 0);
		CU_ASSERT(ra > 0); /* the comparison is not vacuous */
		CU_ASSERT_EQUAL(ra, rb);
		CU_ASSERT(ha == hb);
		if (ra != rb || ha != hb)
			fprintf(stderr, "\n%s: %ld rows %016llx vs %ld rows %016llx\n", data_tables[i],
				ra, (unsigned long long)ha, rb, (unsigned long long)hb);
		free(sql);
	}
}

/* ================================================================== */
/* Suite setup                                                          */
/* ================================================================== */

static long env_long(const char *name, long def)
{
	const char *e = getenv(name);
	return e && *e ? strtol(e, NULL, 10) : def;
}

static int setup(void)
{
	const char *gen = getenv("COLINK_GEN");
	char *dgen = gen ? strdup(gen) : tu_fmt("%s/samples/colink-gen", tu_builddir());
	char *c;
	int rc;
	top = tu_mkdtemp("crash");
	if (!top)
		return 1;
	gen_dir = tu_fmt("%s/gen", top);
	smp_dir = tu_fmt("%s/smp", top);
	key = tu_fmt("%s/k.key", top);
	/* Generated rows all load; the samples' two last rows (an impossible
	 * date, a blood pressure of 999) are appended so rejects land too. */
	c = tu_fmt("'%s' --persons %ld --out '%s' && tail -n 2 '%s/samples/vendor_a.csv' >> "
		   "'%s/vendor_a.csv' && mkdir '%s' && cp '%s/samples/vendor_a.csv' "
		   "'%s/samples/vendor_b.csv' '%s/' && '%s' key new '%s'",
		   dgen, env_long("COLINK_CRASH_PERSONS", 25000), gen_dir, tu_srcdir(), gen_dir,
		   smp_dir, tu_srcdir(), tu_srcdir(), smp_dir, tu_colink(), key);
	rc = tu_run(c, NULL, NULL);
	free(c);
	free(dgen);
	return rc != 0;
}

static int teardown(void)
{
	size_t i;
	for (i = 0; i < sizeof(mounted) / sizeof(mounted[0]); i++)
		(void)unmount_slot(i);
	for (i = 0; i < npool; i++)
		free(pool[i]);
	npool = 0;
	tu_rmtree(top);
	free(top);
	free(gen_dir);
	free(smp_dir);
	free(key);
	return 0;
}

/* ================================================================== */
/* Crash consistency                                                    */
/* ================================================================== */

struct kill_stats {
	int killed;          /* SIGKILL landed while the run was alive */
	int left_row;        /* ... after its ledger row was committed */
	int finished_first;  /* the run had ended (or committed) before the kill */
	long incomplete;     /* unfinished ledger rows expected in the warehouse */
};

/* The run committed before it was killed (or ended on its own): it must be
 * complete and correct.  Start again from an empty warehouse. */
static void committed_before_kill(const char *db, const char *ref, struct kill_stats *ks)
{
	ks->finished_first++;
	CU_ASSERT(intact(db));
	CU_ASSERT_EQUAL(count_rows(db, "run", "status='ok'"), 1);
	assert_rows_match_ledger(db);
	assert_same_content(ref, db);
	remove_db(db);
	ks->incomplete = 0;
}

/* One run of JOB on DB, SIGKILLed after `delay` seconds, then checked. */
static void kill_once(const char *job, const char *db, const char *ref, double delay,
		      struct kill_stats *ks)
{
	long before = count_rows(db, "run", NULL), after;
	pid_t pid = spawn_run(job, NULL, NULL);
	int st;
	CU_ASSERT_FATAL(pid > 0);
	sleep_s(delay);
	kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFSIGNALED(st) || count_rows(db, "run", "status='ok'") > 0) {
		if (!WIFSIGNALED(st))
			CU_ASSERT_EQUAL(status_code(st), 1);
		committed_before_kill(db, ref, ks);
		return;
	}
	CU_ASSERT_EQUAL(WTERMSIG(st), SIGKILL);
	ks->killed++;
	CU_ASSERT(intact(db));
	after = count_rows(db, "run", NULL);
	CU_ASSERT(after == before || after == before + 1); /* at most one row per run */
	if (after == before + 1)
		ks->left_row++;
	ks->incomplete += after - before;
	/* A killed run is 'incomplete'; 'failed' would also be a clean state. */
	CU_ASSERT_EQUAL(count_rows(db, "run", "status NOT IN ('incomplete', 'failed')"), 0);
	CU_ASSERT_EQUAL(count_rows(db, "run", NULL), ks->incomplete);
	/* No run has committed, so every row of a data or input table would be
	 * a row of a killed run. */
	CU_ASSERT_EQUAL(data_rows(db), 0);
}

/* Run JOB into DB to the end (exit 1: the planted rejects); return the
 * seconds until its commit became visible to a reader, or -1. */
static double run_to_commit(const char *job, const char *db)
{
	double t0 = now_s(), commit = -1;
	pid_t pid = spawn_run(job, NULL, NULL);
	int code = -1;
	if (pid < 0)
		return -1;
	while (!poll_code(pid, &code)) {
		if (commit < 0 && count_rows(db, "run", "status='ok'") > 0)
			commit = now_s() - t0;
		sleep_s(0.01);
	}
	CU_ASSERT_EQUAL(code, 1);
	if (commit < 0) /* committed within the last poll */
		commit = now_s() - t0;
	return code == 1 ? commit : -1;
}

static void test_crash__sigkill_at_random_points_leaves_no_trace(void)
{
	struct job_spec sr = { gen_dir, NULL, -1, NULL, NULL, NULL, NULL }, sc = sr;
	const char *ref = tpath("ref.db"), *db = tpath("crash.db"), *jref, *jc;
	unsigned long long seed = (unsigned long long)env_long("COLINK_CRASH_SEED", 20240601);
	struct kill_stats ks = { 0, 0, 0, 0 };
	double secs = 0, scale = 1.0;
	int i;

	sr.db = ref;
	sc.db = db;
	jref = write_job("ref", &sr);
	jc = write_job("crash", &sc);
	/* The uninterrupted run into a fresh warehouse: the time until its
	 * commit spreads the kill points, and its content is what the final
	 * rerun must equal. */
	secs = run_to_commit(jref, ref);
	CU_ASSERT_FATAL(secs > 0);
	CU_ASSERT_EQUAL_FATAL(tu_sql_long(ref, "SELECT count(*) FROM reject"), 2);
	printf("\n  uninterrupted run: commit after %.2f s; %d kills, seed %llu\n", secs, KILLS,
	       seed);
	for (i = 0; i < KILLS; i++) {
		double u;
		int first = ks.finished_first;
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		u = (double)(seed >> 11) / 9007199254740992.0;
		/* one point in each twentieth of 95% of the time to the commit */
		kill_once(jc, db, ref, scale * secs * 0.95 * ((double)i + u) / KILLS, &ks);
		/* The reference run may have been slowed by a busy machine: when a
		 * run commits before its kill point, the later points move in. */
		if (ks.finished_first > first)
			scale *= 0.7;
	}
	printf("  killed %d (%d after the ledger row), %d had committed first; scale %.2f\n",
	       ks.killed, ks.left_row, ks.finished_first, scale);
	/* Runs vary: a late point may come after the commit (checked above as
	 * a complete load).  Most kills must hit the run's transaction. */
	CU_ASSERT(ks.left_row >= KILLS / 2);

	CU_ASSERT_EQUAL(run_sync(jc, NULL, NULL, NULL), 1);
	CU_ASSERT(intact(db));
	CU_ASSERT_EQUAL(count_rows(db, "run", "status='ok'"), 1);
	CU_ASSERT_EQUAL(count_rows(db, "run", "status!='ok'"), ks.incomplete);
	assert_rows_match_ledger(db);
	assert_same_content(ref, db);
}

/* ================================================================== */
/* Concurrency                                                          */
/* ================================================================== */

/*
 * What a reader sees, in one read transaction: checkup and reject rows equal
 * the ledger's sums over ok runs (the samples and the generated persons
 * never share a checkup, so nothing is replaced).  Returns 1 when a run was
 * in flight ('incomplete'), 0 when not, -1 when the read failed.
 */
static int reader_snapshot(const char *db)
{
	static const char *const q[] = {
		"SELECT count(*) FROM checkup",
		"SELECT coalesce(sum(records_loaded), 0) FROM run WHERE status='ok'",
		"SELECT count(*) FROM reject",
		"SELECT coalesce(sum(records_rejected), 0) FROM run WHERE status='ok'",
		"SELECT count(*) FROM run WHERE status='incomplete'",
	};
	long v[5] = { -1, -1, -1, -1, -1 };
	sqlite3 *h = NULL;
	int i, ok;
	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		sqlite3_close(h);
		return -1;
	}
	sqlite3_busy_timeout(h, 5000);
	ok = sqlite3_exec(h, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
	for (i = 0; ok && i < 5; i++) {
		sqlite3_stmt *st = NULL;
		ok = sqlite3_prepare_v2(h, q[i], -1, &st, NULL) == SQLITE_OK &&
		     sqlite3_step(st) == SQLITE_ROW;
		if (ok)
			v[i] = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(h);
	if (!ok)
		return -1;
	CU_ASSERT_EQUAL(v[0], v[1]);
	CU_ASSERT_EQUAL(v[2], v[3]);
	return v[4] > 0;
}

/* Wait until PID's run holds the warehouse's write transaction: its ledger
 * row is committed and a BEGIN IMMEDIATE of ours is refused. */
static int wait_writer(const char *db, pid_t pid)
{
	double end = now_s() + 120;
	int code;
	while (now_s() < end && !poll_code(pid, &code)) {
		sqlite3 *h = NULL;
		int src = SQLITE_OK;
		if (count_rows(db, "run", "status='incomplete'") > 0 &&
		    sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK) {
			sqlite3_busy_timeout(h, 0);
			src = sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL);
			if (src == SQLITE_OK)
				sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
		}
		sqlite3_close(h);
		if (src == SQLITE_BUSY)
			return 1;
		sleep_s(0.002);
	}
	return 0;
}

/* Start JOB with the pause variable VAR (COLINK_TEST_PAUSE_BEFORE_COMMIT or
 * COLINK_TEST_PAUSE_AFTER_INTENT, engine/core/run.c) set to PAUSE and wait
 * until it stops there, holding its write transaction with every row
 * written. */
static pid_t spawn_paused(const char *job, const char *var, const char *pause)
{
	struct spawn_opts po = { var, pause, 0 };
	double end = now_s() + 120;
	int code, paused = 0;
	pid_t a = spawn_run(job, NULL, &po);
	CU_ASSERT_FATAL(a > 0);
	while (!paused && now_s() < end && !poll_code(a, &code)) {
		paused = access(pause, F_OK) == 0;
		if (!paused)
			sleep_s(0.01);
	}
	CU_ASSERT_FATAL(paused);
	return a;
}

/* B's stderr E after exit CODE: one line saying the warehouse DB is locked;
 * with AUDIT_GAP it also says that B's own "failed" audit entry was not
 * written (the log was held by A throughout). */
static void assert_locked_out(int code, const char *e, const char *db, int audit_gap)
{
	CU_ASSERT_EQUAL(code, 6);
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, "locked"));
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, db));
	CU_ASSERT_EQUAL(count_lines(e), 1);
	CU_ASSERT_EQUAL(e && strstr(e, "\"failed\" audit entry was not written either") != NULL,
			audit_gap);
}

/* Let A (paused at PAUSE) commit; then DB holds A's run alone, whole. */
static void release_and_check(pid_t a, const char *pause, const char *db)
{
	CU_ASSERT_EQUAL(unlink(pause), 0);
	CU_ASSERT_EQUAL(wait_code(a), 1);
	CU_ASSERT(intact(db));
	CU_ASSERT_EQUAL(count_rows(db, "run", "status='ok'"), 1);
	CU_ASSERT_EQUAL(count_rows(db, "run", "status='incomplete'"), 0);
	assert_rows_match_ledger(db);
}

static void test_crash__second_run_with_short_timeout_exits_locked(void)
{
	struct job_spec sa = { gen_dir, NULL, -1, NULL, NULL, NULL, NULL }, sb = sa;
	const char *db = tpath("short.db"), *ef = tpath("short.err"), *ja, *jb;
	const char *pause = tpath("short.pause");
	char *e;
	pid_t a;
	double secs = 0;
	int code;
	sa.db = sb.db = db;
	sb.in_dir = smp_dir;
	sb.busy_ms = 500;
	ja = write_job("short_a", &sa);
	jb = write_job("short_b", &sb);
	/* A holds its write transaction before its commit until PAUSE is removed:
	 * however fast the machine, B meets a writer that is still there when
	 * its 500 ms are up. */
	a = spawn_paused(ja, "COLINK_TEST_PAUSE_BEFORE_COMMIT", pause);
	CU_ASSERT_FATAL(wait_writer(db, a));
	CU_ASSERT_EQUAL(reader_snapshot(db), 1); /* sees the run in flight, none of its rows */
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT count(*) FROM checkup"), 0);
	code = run_sync(jb, ef, NULL, &secs);
	e = tu_read_file(ef, NULL);
	assert_locked_out(code, e, db, 0);
	CU_ASSERT(secs >= 0.45); /* it did wait its busy_timeout_ms */
	if (code != 6)
		fprintf(stderr, "\nsecond run: exit %d after %.2f s: %s\n", code, secs, e);
	release_and_check(a, pause, db);
	free(e);
}

/* A stopped inside its commit: the audit log locked by it, its intent
 * written.  B does not wait on the log to check earlier runs, waits its
 * 500 ms for the warehouse, then at most 10 s for the log to write its
 * "failed" entry, and exits 6 (it used to hang in flock on the audit log
 * until A ended). */
static void test_crash__second_run_during_a_commit_exits_locked(void)
{
	struct job_spec sa = { gen_dir, NULL, -1, NULL, NULL, NULL, NULL }, sb = sa;
	const char *db = tpath("incommit.db"), *ef = tpath("incommit.err");
	const char *pause = tpath("incommit.pause"), *ja, *jb;
	char *e;
	pid_t a, b;
	double end;
	int code = -1, done = 0;
	sa.db = sb.db = db;
	sb.in_dir = smp_dir;
	sb.busy_ms = 500;
	ja = write_job("incommit_a", &sa);
	jb = write_job("incommit_b", &sb);
	a = spawn_paused(ja, "COLINK_TEST_PAUSE_AFTER_INTENT", pause);
	CU_ASSERT_FATAL(wait_writer(db, a));
	b = spawn_run(jb, ef, NULL);
	CU_ASSERT_FATAL(b > 0);
	end = now_s() + 120;
	while (!(done = poll_code(b, &code)) && now_s() < end)
		sleep_s(0.02);
	if (!done) {
		kill(b, SIGKILL);
		wait_code(b);
	}
	e = tu_read_file(ef, NULL);
	CU_ASSERT(done); /* not stuck behind A's audit log lock */
	assert_locked_out(code, e, db, 1);
	if (code != 6)
		fprintf(stderr, "\nsecond run: %s %d: %s\n", done ? "exit" : "still running, killed; code",
			code, e);
	release_and_check(a, pause, db);
	free(e);
}

static void test_crash__second_run_with_long_timeout_waits_then_commits(void)
{
	struct job_spec sa = { gen_dir, NULL, -1, NULL, NULL, NULL, NULL }, sb = sa;
	const char *db = tpath("long.db"), *pause = tpath("long.pause"), *ja, *jb;
	pid_t a, b;
	int ca = -1, cb = -1, a_done = 0, b_done = 0, in_flight = 0, failed_reads = 0;
	double end;
	sa.db = sb.db = db;
	sb.in_dir = smp_dir;
	sb.busy_ms = 600000;
	ja = write_job("long_a", &sa);
	jb = write_job("long_b", &sb);
	a = spawn_paused(ja, "COLINK_TEST_PAUSE_BEFORE_COMMIT", pause); /* A cannot commit before B waits for it */
	CU_ASSERT_FATAL(wait_writer(db, a));
	b = spawn_run(jb, NULL, NULL);
	CU_ASSERT_FATAL(b > 0);
	in_flight += reader_snapshot(db) > 0;
	sleep_s(0.3);
	b_done = poll_code(b, &cb);
	CU_ASSERT_EQUAL(b_done, 0); /* B waits */
	CU_ASSERT_EQUAL(unlink(pause), 0);
	end = now_s() + 600;
	while ((!a_done || !b_done) && now_s() < end) {
		int r = reader_snapshot(db);
		if (r < 0)
			failed_reads++;
		in_flight += r > 0;
		if (!a_done)
			a_done = poll_code(a, &ca);
		if (!b_done)
			b_done = poll_code(b, &cb);
		sleep_s(0.02);
	}
	CU_ASSERT_FATAL(a_done && b_done);
	CU_ASSERT_EQUAL(ca, 1);
	CU_ASSERT_EQUAL(cb, 1); /* the samples' three planted rejects */
	CU_ASSERT(in_flight >= 1);
	CU_ASSERT_EQUAL(failed_reads, 0); /* WAL: the reader is never locked out */
	CU_ASSERT(intact(db));
	CU_ASSERT_EQUAL(count_rows(db, "run", "status='ok'"), 2);
	CU_ASSERT_EQUAL(count_rows(db, "run", "status!='ok'"), 0);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT sum(checkups_replaced) FROM run"), 0);
	assert_rows_match_ledger(db);
	/* B wrote only after A had committed: every row of B comes after every
	 * row of A (rowids are handed out in write order).  B may well exit
	 * before A: A's COMMIT goes on to checkpoint its large WAL, and B
	 * writes meanwhile. */
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT (SELECT max(checkup_id) FROM checkup JOIN run "
		"USING (run_id) WHERE job_name='long_a') < (SELECT min(checkup_id) FROM checkup JOIN "
		"run USING (run_id) WHERE job_name='long_b')"), 1);
	CU_ASSERT_EQUAL(tu_sql_long(db, "SELECT (SELECT max(j.rowid) FROM reject j JOIN run "
		"USING (run_id) WHERE job_name='long_a') < (SELECT min(j.rowid) FROM reject j JOIN "
		"run USING (run_id) WHERE job_name='long_b')"), 1);
}

/* ================================================================== */
/* Out of memory                                                        */
/* ================================================================== */

/* Run JOB with the Nth allocation failing; stderr into *e (caller frees). */
static int run_oom(const char *job, long n, char **e)
{
	char v[32], *ef = tu_fmt("%s/oom.err", top);
	struct spawn_opts o = { "COLINK_FAIL_ALLOC_AFTER", v, 0 };
	int code;
	snprintf(v, sizeof(v), "%ld", n);
	code = run_sync(job, ef, &o, NULL);
	*e = tu_read_file(ef, NULL);
	free(ef);
	return code;
}

struct oom_stats {
	int runs, bad_code, bad_msg, sanitizer;
};

/* Judge one injected run; print the first failures of each kind. */
static void judge_oom(long n, int code, const char *e, struct oom_stats *s)
{
	s->runs++;
	if (sanitizer_report(e)) {
		if (s->sanitizer++ < 3)
			fprintf(stderr, "\n--- N=%ld: exit %d, sanitizer report:\n%.4000s\n", n, code, e);
		return;
	}
	if (code != 3 && code != 4 && code != 5) {
		if (s->bad_code++ < 8)
			fprintf(stderr, "\nN=%ld: exit %d (want 5, or 3/4): %.300s", n, code, e ? e : "");
		return;
	}
	if (count_lines(e) < 1 || count_lines(e) > 3 || !strcasestr(e, "memory")) {
		if (s->bad_msg++ < 8)
			fprintf(stderr, "\nN=%ld: exit %d, stderr does not say out of memory: %.300s",
				n, code, e ? e : "");
	}
}

/* The whole run succeeds with the Nth allocation failing.  A run that
 * fails is judged like the sampled ones: the search's probes are allocation
 * failures too, and a crash among them counts. */
static int oom_run_ok(const char *job, const char *db, long n, struct oom_stats *st)
{
	char *e = NULL;
	int code, ok;
	remove_db(db);
	code = run_oom(job, n, &e);
	ok = code == 1 && !sanitizer_report(e);
	if (!ok)
		judge_oom(n, code, e, st);
	free(e);
	remove_db(db);
	return ok;
}

/* The smallest N with which the whole run succeeds: about the number of
 * allocations of a full run.  -1 if none up to 2^24. */
static long alloc_total(const char *job, const char *db, struct oom_stats *st)
{
	long lo = 0, hi = 256;
	while (!oom_run_ok(job, db, hi, st)) {
		lo = hi;
		hi *= 2;
		if (hi > (1L << 24))
			return -1;
	}
	while (hi - lo > 1) {
		long mid = lo + (hi - lo) / 2;
		if (oom_run_ok(job, db, mid, st))
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

static void test_crash__failed_allocation_anywhere_fails_cleanly(void)
{
	struct job_spec s = { NULL, NULL, -1, NULL, NULL, NULL, NULL }, sp;
	const char *db = tpath("oom.db"), *pdb = tpath("probe.db"), *job, *pj;
	char *e;
	struct oom_stats st = { 0, 0, 0, 0 };
	unsigned long long seed = (unsigned long long)env_long("COLINK_CRASH_SEED", 20240601);
	long total, n, step;
	int code;
	s.in_dir = smp_dir;
	s.db = db;
	sp = s;
	sp.db = pdb;
	job = write_job("oom", &s);
	pj = write_job("oom_probe", &sp);
	total = alloc_total(pj, pdb, &st);
	CU_ASSERT_FATAL(total > 200);
	step = (total - 200) / 250 > 1 ? (total - 200) / 250 : 1;
	/* every N below 200 (plan: catalogue, job, loader), then one seeded
	 * N in each stretch of `step`, so that no stride of the allocation
	 * pattern hides a failing site */
	for (n = 0; n < total; n++) {
		long pick = n;
		if (n >= 200) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			pick = n + (long)((seed >> 33) % (unsigned long long)step);
			n += step - 1;
			if (pick >= total)
				break;
		}
		code = run_oom(job, pick, &e);
		judge_oom(pick, code, e, &st);
		free(e);
	}
	code = run_oom(job, total - 1, &e); /* the last allocation: commit path */
	judge_oom(total - 1, code, e, &st);
	free(e);
	printf("\n  %d runs with N in 0..%ld (every N below 200, then one in each %ld)\n",
	       st.runs, total - 1, step);
	CU_ASSERT_EQUAL(st.sanitizer, 0);
	CU_ASSERT_EQUAL(st.bad_code, 0);
	CU_ASSERT_EQUAL(st.bad_msg, 0);
	/* Only failed runs touched the warehouse: it holds none of their rows,
	 * and each that reached the ledger is marked failed. */
	CU_ASSERT(intact(db));
	CU_ASSERT_EQUAL(count_rows(db, "run", "status!='failed'"), 0);
	CU_ASSERT_EQUAL(data_rows(db), 0);
	/* and it still takes a run */
	CU_ASSERT_EQUAL(run_sync(job, NULL, NULL, NULL), 1);
	CU_ASSERT_EQUAL(count_rows(db, "checkup", NULL), 19);
	CU_ASSERT_EQUAL(count_rows(db, "run", "status='ok'"), 1);
}

/* ================================================================== */
/* Disk full                                                            */
/* ================================================================== */

static void test_crash__full_disk_fails_cleanly(void)
{
	struct job_spec s = { gen_dir, NULL, -1, NULL, NULL, NULL, NULL };
	const char *dir = tpath("full"), *db = tpath("full/w.db"), *ef = tpath("full.err");
	struct spawn_opts o = { NULL, NULL, 0 };
	const char *job;
	char *e;
	int code;
	CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0700), 0);
	if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=2m,mode=0700") == 0) {
		mounted[0] = strdup(dir);
		printf("\n  disk full: a 2 MiB tmpfs at %s\n", dir);
	} else {
		o.fsize_limit = FULL_FS_BYTES;
		printf("\n  disk full: no mount (%s); RLIMIT_FSIZE of 2 MiB instead\n",
		       strerror(errno));
	}
	s.db = db;
	job = write_job("full", &s);
	code = run_sync(job, ef, &o, NULL);
	e = tu_read_file(ef, NULL);
	CU_ASSERT_EQUAL(code, 5);
	CU_ASSERT_EQUAL(count_lines(e), 1);
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, db)); /* the message names the warehouse */
	if (!e || !strstr(e, db))
		fprintf(stderr, "\ndisk full: exit %d: %s", code, e ? e : "");
	CU_ASSERT(intact(db));
	CU_ASSERT_EQUAL(count_rows(db, "run", NULL), 1);
	CU_ASSERT_EQUAL(count_rows(db, "run", "status='failed'"), 1);
	CU_ASSERT_EQUAL(data_rows(db), 0);
	remove_db(db);
	CU_ASSERT_EQUAL(unmount_slot(0), 0);
	free(e);
}

/* ================================================================== */
/* Configuration faults                                                 */
/* ================================================================== */

/* JOB fails with CODE, one line on stderr naming NEEDLE, nothing written
 * at DB (unless it is the point of the case). */
static void expect_refused(const char *name, const struct job_spec *s, int code,
			   const char *needle)
{
	const char *ef = tpath("cfg.err");
	int rc = run_sync(write_job(name, s), ef, NULL, NULL);
	char *e = tu_read_file(ef, NULL);
	CU_ASSERT_EQUAL(rc, code);
	CU_ASSERT_EQUAL(count_lines(e), 1);
	CU_ASSERT_PTR_NOT_NULL(e && !strncmp(e, "colink: ", 8));
	CU_ASSERT_PTR_NOT_NULL(e && strstr(e, needle));
	CU_ASSERT_FALSE(exists(s->db));
	if (rc != code || count_lines(e) != 1 || !e || !strstr(e, needle))
		fprintf(stderr, "\n%s: exit %d (want %d): %s", name, rc, code, e ? e : "");
	free(e);
}

/* A folder the run cannot write in.  Root ignores modes, so as root it is
 * a read-only tmpfs; otherwise a folder of mode 0500.  NULL: neither. */
static const char *unwritable_dir(void)
{
	const char *d = tpath("ro");
	CU_ASSERT_EQUAL(mkdir(d, 0700), 0);
	if (geteuid() != 0) {
		chmod(d, 0500);
		return d;
	}
	if (mount("tmpfs", d, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=64k") == 0) {
		mounted[1] = strdup(d);
		return d;
	}
	printf("\n  read-only folder: cannot mount (%s); case skipped\n", strerror(errno));
	return NULL;
}

static void test_crash__configuration_faults_exit_with_one_line(void)
{
	struct job_spec base = { gen_dir, NULL, -1, NULL, NULL, NULL, NULL }, s;
	const char *fdb = tpath("afile/x.db"), *ro = unwritable_dir();
	const char *k644 = tpath("k644.key"), *m2 = tpath("in_nosuch.xml");
	char *c = tu_fmt("cp '%s' '%s' && chmod 0644 '%s' && sed 's/plugin=\"in_csv\"/plugin="
			 "\"in_nosuch\"/' '%s/mappings/vendors/vendor_a.xml' > '%s'",
			 key, k644, k644, tu_srcdir(), m2);
	CU_ASSERT_EQUAL_FATAL(tu_run(c, NULL, NULL), 0);
	CU_ASSERT_EQUAL(tu_write_file(tpath("afile"), "x", 1), 0);
	free(c);
	base.db = tpath("cfg.db");

	/* the warehouse cannot be created: the run fails (5), naming it */
	s = base, s.db = fdb;
	expect_refused("cfg_notdir", &s, 5, fdb);
	if (ro) {
		s = base, s.db = tpath("ro/x.db");
		expect_refused("cfg_readonly", &s, 5, s.db);
	}
	CU_ASSERT_EQUAL(unmount_slot(1), 0);
	/* a named file is missing (4); a key others can read is invalid (3) */
	s = base, s.input_a = tpath("nosuch.csv");
	expect_refused("cfg_noinput", &s, 4, s.input_a);
	s = base, s.mapping_a = tpath("nosuch.xml");
	expect_refused("cfg_nomapping", &s, 4, s.mapping_a);
	s = base, s.key = tpath("nokey.key");
	expect_refused("cfg_nokey", &s, 4, s.key);
	s = base, s.key = k644;
	expect_refused("cfg_key0644", &s, 3, "k644.key");
	s = base, s.out_plugin = "out_nosuch";
	expect_refused("cfg_nooutplugin", &s, 4, "out_nosuch");
	s = base, s.mapping_a = m2;
	expect_refused("cfg_noinplugin", &s, 4, "in_nosuch");
}

static const struct tu_test tests[] = {
	TU_TEST(test_crash__sigkill_at_random_points_leaves_no_trace),
	TU_TEST(test_crash__second_run_with_short_timeout_exits_locked),
	TU_TEST(test_crash__second_run_during_a_commit_exits_locked),
	TU_TEST(test_crash__second_run_with_long_timeout_waits_then_commits),
	TU_TEST(test_crash__failed_allocation_anywhere_fails_cleanly),
	TU_TEST(test_crash__full_disk_fails_cleanly),
	TU_TEST(test_crash__configuration_faults_exit_with_one_line),
	TU_END
};

int main(void)
{
	if (tu_add_suite("crash", setup, teardown, tests))
		return 1;
	return tu_run_suites();
}
