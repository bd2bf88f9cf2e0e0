/* cmd_link.c -- `colink link report [--json] WAREHOUSE [RUN]`. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "warehouse/warehouse.h"

static void help(FILE *f)
{
	fprintf(f,
		"usage: colink link report [--json] WAREHOUSE [RUN]\n"
		"       (colink link review|decide|revoke --help: the review and its decisions)\n"
		"\n"
		"Prints the link quality report of RUN (default: the latest run that\n"
		"linked): persons per side, links per pass (pass 0: the stewards'\n"
		"decisions), persons in review, unmatched persons per side and the link\n"
		"rate of both sides; for a probabilistic pass also its m and u estimates\n"
		"and the histogram of the match weights it judged.  Reads the\n"
		"warehouse only.  WAREHOUSE: an SQLite file, or a PostgreSQL warehouse as\n"
		"postgresql://...[#SCHEMA] (default schema colink).  Review rows: %s\n",
		colink_wh_review_query());
}

static int summary(struct colink_wh *wh, const char *run, int json, struct colink_wh_link_summary *s)
{
	struct colink_error err = {0};
	int rc = colink_wh_link_summary(wh, run, s, &err);
	if (rc <= 0) {
		fprintf(stderr, "colink: %s\n", rc < 0 ? err.msg
			: run ? "no link report for that run" : "no run of this warehouse has linked");
		return rc < 0 ? EXIT_CONFIG : EXIT_MISSING;
	}
	double ra = s->association_persons
		? 100.0 * (double)s->linked_total / (double)s->association_persons : 0.0;
	double re = s->employer_persons
		? 100.0 * (double)s->linked_total / (double)s->employer_persons : 0.0;
	if (json)
		printf("{\"run_id\":\"%s\",\"association_persons\":%lld,\"employer_persons\":%lld,"
		       "\"linked_new\":%lld,\"linked_total\":%lld,\"ambiguous\":%lld,"
		       "\"unmatched_association\":%lld,\"unmatched_employer\":%lld,"
		       "\"review_association\":%lld,\"review_employer\":%lld,"
		       "\"link_rate_association\":%.1f,\"link_rate_employer\":%.1f,\"passes\":[",
		       s->run_id, s->association_persons, s->employer_persons, s->linked_new,
		       s->linked_total, s->ambiguous, s->unmatched_association, s->unmatched_employer,
		       s->review_association, s->review_employer, ra, re);
	else {
		printf("link report of run %s (%s)\n"
		       "  persons: %lld association side, %lld employer side\n"
		       "  linked: %lld in total after the run (%lld new); link rate %.1f%% of association "
		       "persons, %.1f%% of employer persons\n",
		       s->run_id, s->started, s->association_persons, s->employer_persons,
		       s->linked_total, s->linked_new, ra, re);
		if (s->review_association >= 0) /* schema version 9 on */
			printf("  in review: %lld association side, %lld employer side (%lld candidate "
			       "pairs)\n", s->review_association, s->review_employer, s->ambiguous);
		else
			printf("  ambiguous, sent to review: %lld candidate pairs\n", s->ambiguous);
		printf("  unmatched: %lld association side, %lld employer side\n",
		       s->unmatched_association, s->unmatched_employer);
	}
	return EXIT_OK;
}

struct pass_ctx {
	int json, n;
};

static int on_pass(void *ud, const struct colink_wh_link_pass *p)
{
	struct pass_ctx *x = ud;
	if (x->json)
		printf("%s{\"pass\":%lld,\"key\":\"%s\",\"linked\":%lld,\"ambiguous\":%lld}",
		       x->n ? "," : "", p->pass, p->kind, p->linked, p->ambiguous);
	else
		printf("  pass %lld (%s): %lld linked, %lld ambiguous\n", p->pass, p->kind, p->linked,
		       p->ambiguous);
	x->n++;
	return 0;
}

/* #23: the probabilistic pass's estimates and weight histogram. */
struct fig_ctx {
	int json, nem, nw;
	long long max;  /* the largest bin, for the bars */
};

static int on_max(void *ud, const struct colink_wh_link_figure *f)
{
	struct fig_ctx *x = ud;
	if (!strcmp(f->what, "weight") && f->pairs > x->max)
		x->max = f->pairs;
	return 0;
}

static int on_figure(void *ud, const struct colink_wh_link_figure *f)
{
	struct fig_ctx *x = ud;
	int em = !strcmp(f->what, "em");
	if (x->json) {
		if (em)
			printf("%s{\"pass\":%lld,\"feature\":\"%s\",\"level\":\"%s\",\"m\":%.6g,"
			       "\"u\":%.6g,\"weight\":%.4f}", x->nem ? "," : ",\"estimates\":[",
			       f->pass, f->feature, f->level, f->m, f->u, f->weight);
		else
			printf("%s{\"pass\":%lld,\"bin\":%lld,\"pairs\":%lld}",
			       x->nw ? "," : x->nem ? "],\"weights\":[" : ",\"weights\":[", f->pass,
			       f->bin, f->pairs);
	} else if (em) {
		if (!x->nem)
			printf("  pass %lld estimates (m by EM, u from random pairs; weight log2 m/u,\n"
			       "    never below a looser level's):\n", f->pass);
		printf("    %-8s %-8s m %.4f  u %.6f  weight %+.2f\n", f->feature, f->level, f->m,
		       f->u, f->weight);
	} else {
		int bar = x->max ? (int)((40 * f->pairs + x->max - 1) / x->max) : 0;
		if (!x->nw)
			printf("  pass %lld match weights of the pairs judged (weight rounded down: "
			       "pairs):\n", f->pass);
		printf("    %+4lld %8lld %.*s\n", f->bin, f->pairs, bar,
		       "########################################");
	}
	x->nem += em;
	x->nw += !em;
	return 0;
}

static int figures(struct colink_wh *wh, const char *run, int json)
{
	struct colink_error err = {0};
	struct fig_ctx x = {json, 0, 0, 0};
	if (colink_wh_link_figures(wh, run, on_max, &x, &err) < 0 ||
	    colink_wh_link_figures(wh, run, on_figure, &x, &err) < 0) {
		cli_error("%s", err.msg);
		return EXIT_CONFIG;
	}
	if (json && (x.nem || x.nw))
		printf("]");
	return EXIT_OK;
}

static int passes(struct colink_wh *wh, const char *run, int json)
{
	struct colink_error err = {0};
	struct pass_ctx x = {json, 0};
	int code;
	if (colink_wh_link_passes(wh, run, on_pass, &x, &err) < 0)
		return EXIT_CONFIG;
	if (json)
		printf("]");
	code = figures(wh, run, json);
	if (json)
		printf("}\n");
	return code;
}

int cmd_link(struct cli_global *g, int argc, char **argv)
{
	const char *pos[2] = {NULL, NULL};
	struct colink_wh *wh = NULL;
	struct colink_wh_link_summary s;
	struct colink_error err = {0};
	int json = 0, np = 0, i, code;
	(void)g;
	for (i = 2; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			help(stdout);
			return EXIT_OK;
		} else if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (argv[i][0] != '-' && np < 2) {
			pos[np++] = argv[i];
		} else {
			help(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc < 2 || strcmp(argv[1], "report") || np < 1) {
		if (argc >= 2 && cli_is_help(argv[1])) {
			help(stdout);
			return EXIT_OK;
		}
		help(stderr);
		return EXIT_USAGE;
	}
	if (colink_wh_open(&wh, pos[0], COLINK_WH_READONLY, &err)) {
		cli_error("%s", err.msg);
		return EXIT_MISSING;
	}
	code = summary(wh, pos[1], json, &s);
	if (code == EXIT_OK) /* the run the summary chose (the latest one when none given) */
		code = passes(wh, pos[1] ? pos[1] : s.run_id, json);
	colink_wh_close(wh);
	return code;
}
