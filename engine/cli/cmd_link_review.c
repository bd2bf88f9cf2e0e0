/*
 * cmd_link_review.c -- review decisions that stick (#18 part 6):
 *   colink link review [--json] WAREHOUSE
 *   colink link decide WAREHOUSE GROUP --link|--never A B --by WHO --why TEXT --audit-log LOG
 *   colink link revoke WAREHOUSE DECISION --by WHO --why TEXT --audit-log LOG
 * Thin over engine/warehouse (colink_wh_link_review, _decide, _revoke) and
 * the audit log: a decision's entry is written and fsynced before the
 * warehouse COMMIT.  Nothing printed here is a value of a record: groups
 * and persons are the warehouse's own numbers, evidence is field names.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/text.h"
#include "base/util.h"
#include "cli/cli.h"
#include "policy/audit.h"
#include "warehouse/warehouse.h"

static void help(FILE *f)
{
	fprintf(f,
		"usage: colink link review [--json] WAREHOUSE\n"
		"       colink link decide WAREHOUSE GROUP --link A B | --never A B\n"
		"                          --by WHO --why TEXT --audit-log LOG\n"
		"       colink link revoke WAREHOUSE DECISION --by WHO --why TEXT --audit-log LOG\n"
		"\n"
		"review: the open review groups of the latest linking run: per group its\n"
		"pass and key kind, per candidate pair the employer and association person\n"
		"(the warehouse's own person numbers) and which key kinds, sex and birth\n"
		"month agree, disagree or are missing on a side -- never a value; for a\n"
		"probabilistic pass also its match weight and the comparison levels that\n"
		"fired (name=exact|similar|else, dob=exact|swapped|partial|else, ...); then the\n"
		"decisions taken.  A group with a decision in force is no longer open.\n"
		"\n"
		"decide: record a steward's decision on the pair of persons A and B of\n"
		"review GROUP: --link (link them) or --never (never link them, never send\n"
		"them to review again), with who and why.  Every later run applies it as\n"
		"pass 0 (kind decision) before the job's passes.  The entry goes to the\n"
		"audit log LOG (it must exist: the job's <audit log>) before the warehouse\n"
		"commits.  Prints the decision number.\n"
		"\n"
		"revoke: revoke DECISION (a link it made is removed); the next run treats\n"
		"the pair as before the decision, so it may go to review again.\n"
		"\n"
		"  --json       review as one JSON object\n"
		"  --link A B   link persons A and B (one employer, one association person)\n"
		"  --never A B  never link persons A and B\n"
		"  --by WHO     the steward deciding (recorded; name no data subject)\n"
		"  --why TEXT   the reason, one line (recorded; name no data subject)\n"
		"  --audit-log LOG  the audit log to append to (must exist)\n"
		"\n"
		"WAREHOUSE: an SQLite file, or a PostgreSQL warehouse as\n"
		"postgresql://...[#SCHEMA] (default schema colink).  Exit 0 ok; 2 usage;\n"
		"3 refused (the message says why, nothing written); 4 warehouse or audit\n"
		"log missing; 5 not recorded; 6 warehouse locked by a run.\n");
}

static int usage_err(const char *what)
{
	if (what)
		cli_error("link: %s", what);
	help(stderr);
	return EXIT_USAGE;
}

static int exit_for(int rc)
{
	return rc == COLINK_EBUSY ? EXIT_BUSY : rc == COLINK_EINVAL ? EXIT_CONFIG
		: rc == COLINK_ENOTFOUND ? EXIT_MISSING : EXIT_FAILED;
}

static int open_wh(const char *path, unsigned flags, struct colink_wh **wh)
{
	struct colink_error err = {0};
	if (colink_wh_open(wh, path, flags | COLINK_WH_MUST_EXIST | COLINK_WH_WAIT, &err)) {
		cli_error("%s", err.msg);
		return EXIT_MISSING;
	}
	if (colink_wh_check_version(*wh, &err)) {
		cli_error("%s", err.msg);
		colink_wh_close(*wh);
		*wh = NULL;
		return EXIT_CONFIG;
	}
	return EXIT_OK;
}

/* ---- review ---- */

struct review_ctx {
	int json, npairs, ngroups, ndec;
	long long group;
};

/* "a,b" as a JSON array, or as text ("-" for none). */
static void names(const char *list, int json)
{
	const char *p = list;
	if (!json) {
		fputs(*list ? list : "-", stdout);
		return;
	}
	putchar('[');
	while (*p) {
		const char *c = strchr(p, ',');
		size_t n = c ? (size_t)(c - p) : strlen(p);
		printf("%s\"%.*s\"", p == list ? "" : ",", (int)n, p);
		p += n + (c ? 1 : 0);
	}
	putchar(']');
}

static int on_pair(void *ud, const struct colink_wh_review_pair *p)
{
	struct review_ctx *x = ud;
	if (p->group_no != x->group) {
		if (x->json)
			printf("%s{\"group\":%lld,\"pass\":%lld,\"key\":\"%s\",\"pairs\":[",
			       x->ngroups ? "]}," : "", p->group_no, p->pass, p->kind);
		else
			printf("  group %lld: pass %lld (%s)\n", p->group_no, p->pass, p->kind);
		x->group = p->group_no;
		x->ngroups++;
	} else if (x->json) {
		putchar(',');
	}
	if (x->json) {
		printf("{\"employer_person\":%lld,\"association_person\":%lld,\"agree\":",
		       p->employer_no, p->association_no);
		names(p->agree, 1);
		fputs(",\"disagree\":", stdout);
		names(p->disagree, 1);
		fputs(",\"missing\":", stdout);
		names(p->missing, 1);
		if (p->levels) /* #23: a probabilistic pass */
			printf(",\"weight\":%.2f,\"levels\":\"%s\"", p->weight, p->levels);
		putchar('}');
	} else {
		printf("    employer person %lld / association person %lld\n      agree: ",
		       p->employer_no, p->association_no);
		names(p->agree, 0);
		fputs("\n      disagree: ", stdout);
		names(p->disagree, 0);
		fputs("\n      missing on a side: ", stdout);
		names(p->missing, 0);
		if (p->levels)
			printf("\n      match weight %.2f; levels: %s", p->weight, p->levels);
		putchar('\n');
	}
	x->npairs++;
	return 0;
}

static int on_decision(void *ud, const struct colink_wh_decision *d)
{
	struct review_ctx *x = ud;
	if (x->json) {
		printf("%s{\"decision\":%lld,\"group\":%lld,\"kind\":\"%s\",\"employer_person\":%lld,"
		       "\"association_person\":%lld,\"by\":", x->ndec ? "," : "", d->decision_id,
		       d->group_no, d->kind, d->employer_no, d->association_no);
		colink_json_str(stdout, d->by);
		fputs(",\"why\":", stdout);
		colink_json_str(stdout, d->why);
		printf(",\"decided\":\"%s\",\"revoked\":", d->decided ? d->decided : "");
		if (d->revoked)
			colink_json_str(stdout, d->revoked);
		else
			fputs("null", stdout);
		putchar('}');
	} else {
		printf("  decision %lld: %s employer person %lld / association person %lld "
		       "(group %lld), by %s at %s: %s\n", d->decision_id, d->kind, d->employer_no,
		       d->association_no, d->group_no, d->by, d->decided, d->why);
		if (d->revoked)
			printf("    revoked at %s by %s: %s\n", d->revoked,
			       d->revoked_by ? d->revoked_by : "", d->revoked_why ? d->revoked_why : "");
	}
	x->ndec++;
	return 0;
}

int cmd_link_review(struct cli_global *g, int argc, char **argv)
{
	struct review_ctx x = {0, 0, 0, 0, -1};
	struct colink_error err = {0};
	struct colink_wh *wh = NULL;
	const char *path = NULL;
	char run[72];
	int i, rc, code;
	(void)g;
	for (i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			help(stdout);
			return EXIT_OK;
		} else if (!strcmp(argv[i], "--json")) {
			x.json = 1;
		} else if (argv[i][0] != '-' && !path) {
			path = argv[i];
		} else {
			return usage_err(NULL);
		}
	}
	if (!path)
		return usage_err("review needs a WAREHOUSE");
	if ((code = open_wh(path, COLINK_WH_READONLY, &wh)))
		return code;
	if (x.json) {
		fputs("{\"warehouse\":", stdout);
		colink_json_str(stdout, path);
		fputs(",\"groups\":[", stdout);
	}
	if (!x.json) {
		struct colink_wh_link_summary s;
		if (colink_wh_link_summary(wh, NULL, &s, &err) > 0)
			printf("open review of run %s (the latest that linked):\n", s.run_id);
		else
			printf("open review of %s: no run has linked yet\n", path);
	}
	rc = colink_wh_link_review(wh, run, on_pair, &x, &err);
	if (!rc) {
		if (x.json)
			printf("%s],\"run_id\":\"%s\",\"decisions\":[", x.ngroups ? "]}" : "", run);
		else
			printf("  %d open groups, %d candidate pairs\ndecisions:\n", x.ngroups,
			       x.npairs);
		rc = colink_wh_link_decisions(wh, on_decision, &x, &err);
		if (x.json)
			printf("]}\n");
		else if (!x.ndec)
			printf("  none\n");
	}
	colink_wh_close(wh);
	if (rc) {
		if (x.json)
			putchar('\n');
		cli_error("%s", err.msg);
		return exit_for(rc);
	}
	return EXIT_OK;
}

/* ---- decide, revoke ---- */

struct decide_args {
	const char *wh, *kind, *by, *why, *log;
	long long n[3]; /* group or decision, then persons A and B */
	int nn;
};

struct audit_ctx {
	const char *log, *wh, *verb;
	int written; /* the entry is on disk */
};

/* The audit entry of a decision (decide) or its revocation. */
static int audit_hook(void *ud, const struct colink_wh_decision *d, struct colink_error *err)
{
	struct audit_ctx *a = ud;
	struct colink_audit_count counts[4] = {
		{ "decision", (uint64_t)d->decision_id }, { "group", (uint64_t)d->group_no },
		{ "employer_person", (uint64_t)d->employer_no },
		{ "association_person", (uint64_t)d->association_no } };
	struct colink_audit_entry e;
	char msg[COLINK_ERRMSG_MAX];
	int rc;
	if (d->revoked)
		snprintf(msg, sizeof(msg), "link decision %lld (%s) revoked by %s: %s", d->decision_id,
			 d->kind, d->revoked_by ? d->revoked_by : "", d->revoked_why ? d->revoked_why : "");
	else
		snprintf(msg, sizeof(msg), "link decision %lld: %s, decided by %s: %s", d->decision_id,
			 d->kind, d->by, d->why);
	memset(&e, 0, sizeof(e));
	e.kind = d->revoked ? "link-revoke" : "link-decision";
	e.status = "ok";
	e.job = a->verb;
	e.output = a->wh;
	e.message = msg;
	e.ncounts = 4;
	e.counts = counts;
	rc = colink_audit_append(a->log, &e, err);
	a->written = rc == COLINK_OK;
	return rc;
}

/* After a failure: an entry already on disk gets a "failed" one after it,
 * so the log says the warehouse did not take it. */
static void audit_failed(struct audit_ctx *a, const char *why)
{
	struct colink_error err = {0};
	struct colink_audit_entry e;
	if (!a->written)
		return;
	memset(&e, 0, sizeof(e));
	e.kind = "link-decision";
	e.status = "failed";
	e.job = a->verb;
	e.output = a->wh;
	e.message = why;
	if (colink_audit_append(a->log, &e, &err))
		cli_error("%s", err.msg);
}

static int number(const char *s, long long *v)
{
	char *end;
	errno = 0;
	*v = strtoll(s, &end, 10);
	return errno || end == s || *end || *v < 1;
}

/* One line of printable text. */
static int one_line(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* Options shared by decide and revoke; the positionals go to a->n after
 * the WAREHOUSE. */
static int parse(int argc, char **argv, int decide, struct decide_args *a)
{
	int i;
	for (i = 1; i < argc; i++) {
		const char *o = argv[i];
		if (cli_is_help(o)) {
			help(stdout);
			return -1;
		} else if (decide && (!strcmp(o, "--link") || !strcmp(o, "--never"))) {
			if (a->kind || i + 2 >= argc || number(argv[i + 1], &a->n[1]) ||
			    number(argv[i + 2], &a->n[2]))
				return usage_err("--link and --never take two person numbers, once");
			a->kind = o + 2;
			i += 2;
		} else if (!strcmp(o, "--by") || !strcmp(o, "--why") || !strcmp(o, "--audit-log")) {
			if (i + 1 >= argc || !argv[i + 1][0])
				return usage_err("an option lacks its value");
			if (!strcmp(o, "--by"))
				a->by = argv[++i];
			else if (!strcmp(o, "--why"))
				a->why = argv[++i];
			else
				a->log = argv[++i];
		} else if (o[0] != '-' && !a->wh) {
			a->wh = o;
		} else if (o[0] != '-' && a->nn == 0) {
			if (number(o, &a->n[0]))
				return usage_err(decide ? "GROUP is a group number (colink link review)"
						 : "DECISION is a decision number");
			a->nn = 1;
		} else {
			return usage_err(NULL);
		}
	}
	if (!a->wh || !a->nn || (decide && !a->kind) || !a->by || !a->why || !a->log)
		return usage_err(decide ? "decide needs WAREHOUSE GROUP, --link or --never A B, "
				 "--by, --why and --audit-log"
				 : "revoke needs WAREHOUSE DECISION, --by, --why and --audit-log");
	if (!one_line(a->by) || !one_line(a->why))
		return usage_err("--by and --why are one line of text");
	return 0;
}

/* The audit log must exist: a decision belongs in the job's log. */
static int log_exists(const char *log)
{
	struct stat st;
	if (stat(log, &st) || !S_ISREG(st.st_mode)) {
		cli_error("%s: no audit log there (a decision is recorded in the job's audit log: "
			  "give the path of its <audit log>)", log);
		return EXIT_MISSING;
	}
	return EXIT_OK;
}

static int decide_or_revoke(int argc, char **argv, int decide)
{
	struct decide_args a;
	struct audit_ctx ac;
	struct colink_error err = {0};
	struct colink_wh *wh = NULL;
	char name[1024];
	long long id = 0;
	int unlinked = 0, rc, code;
	memset(&a, 0, sizeof(a));
	if ((code = parse(argc, argv, decide, &a)))
		return code < 0 ? EXIT_OK : code;
	if ((code = log_exists(a.log)) || (code = open_wh(a.wh, 0, &wh)))
		return code;
	/* the audit entry names the warehouse as the module does: a password
	 * in a postgresql:// URI masked */
	snprintf(name, sizeof(name), "%s", colink_wh_name(wh));
	ac.log = a.log;
	ac.wh = name;
	ac.verb = decide ? "link decide" : "link revoke";
	ac.written = 0;
	if (decide)
		rc = colink_wh_link_decide(wh, a.n[0], a.n[1], a.n[2], a.kind, a.by, a.why,
					   audit_hook, &ac, &id, &err);
	else
		rc = colink_wh_link_revoke(wh, a.n[0], a.by, a.why, audit_hook, &ac, &unlinked, &err);
	colink_wh_close(wh);
	if (rc) {
		cli_error("%s", err.msg);
		audit_failed(&ac, err.msg);
		return exit_for(rc);
	}
	if (decide)
		printf("decision %lld: %s persons %lld and %lld of review group %lld; applied by the "
		       "next run\n", id, a.kind, a.n[1], a.n[2], a.n[0]);
	else
		printf("decision %lld revoked%s; the next run treats the pair as before it\n", a.n[0],
		       unlinked ? " and its link removed" : "");
	return EXIT_OK;
}

int cmd_link_decide(struct cli_global *g, int argc, char **argv)
{
	(void)g;
	return decide_or_revoke(argc, argv, 1);
}

int cmd_link_revoke(struct cli_global *g, int argc, char **argv)
{
	(void)g;
	return decide_or_revoke(argc, argv, 0);
}
