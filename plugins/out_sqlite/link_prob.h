/*
 * link_prob.h -- out_sqlite: the probabilistic link pass's own types
 * (link_prob.c: features, blocking, estimates; link_prob_rows.c: the
 * decision and the rows it writes).  Private to the plugin.
 */
#ifndef OSQ_LINK_PROB_H
#define OSQ_LINK_PROB_H

#include <stdint.h>
#include <stdio.h>

#include "out_sqlite_int.h"

/* in the order of person_feature's token columns (OSQ_FEATURE_COLUMNS) */
enum tok { T_YEAR, T_MONTH, T_DAY, T_MD, T_SEX, T_INS, T_SYM, T_NUM, T_COUNT };
#define HAS(t) (1u << (t))
#define HAS_BF (1u << T_COUNT)

enum feat { F_NAME, F_DOB, F_SEX, F_INS, F_SYM, F_NUM, F_COUNT };
static const unsigned feat_nlev[F_COUNT] = {3, 4, 2, 2, 2, 2};
/* vectors as a mixed-radix number, a missing level as nlev */
#define NPAT (4 * 5 * 3 * 3 * 3 * 3)
#define U_SAMPLE 200000u
#define EST_PAIRS 2000000u /* blocked pairs EM sees at most */
#define EM_MAXITER 200u
#define EM_TOL 1e-7
#define HIST_MIN (-40)
#define HIST_MAX 40
#define NFILE 64            /* spill files of persons with a birth year */
#define NOYEAR NFILE        /* the file of those without: never blocked */
#define LOC_BITS 24         /* a person's position: file << LOC_BITS | record */
#define YMAP 1024           /* birth years told apart when spreading them */

/* One person, as the spill files hold it (fixed size: read by position). */
struct prec {
	int64_t no;
	int64_t partner;            /* an employer person's linked partner, or 0 */
	uint64_t tok[T_COUNT];      /* each token's 64 bits (COLINK_FS_TOKEN_BYTES) */
	unsigned char bf[COLINK_FS_BF_MAX_BYTES];
	uint16_t has;               /* HAS(t), HAS_BF */
	uint16_t bfpop;             /* bits set in bf */
	uint16_t bflen;             /* bytes of bf in use (plain or balanced) */
	unsigned char employer, linked;
};

/* A pair at or above the lower weight; rule and block give the order in
 * which an enumeration of all persons at once finds it. */
struct pcand {
	int64_t e, a;               /* person_no */
	uint64_t k1, k2;            /* its block's key */
	double w;
	unsigned char g[F_COUNT];
	unsigned char rule;         /* 0 rule A, 1 rule B */
	unsigned char link;
	unsigned char reviewed;     /* an earlier pass of this run sent it to review */
};

struct pcount {
	int64_t no;
	uint32_t ncand;             /* pairs at or above the lower weight */
};

struct bkey {
	uint64_t k1, k2;
	uint32_t idx;
};

/* A block of one rule: its key, its pairs, where they start in the order
 * of all blocks' keys (rule A's, then rule B's). */
struct blk {
	uint64_t k1, k2, n, start;
};

struct blist {
	struct blk *b;
	size_t n, cap;
	uint64_t total;
};

enum mode { M_COUNT, M_SAMPLE, M_SCORE };

struct prob {
	struct out_sqlite *o;
	const struct colink_link_pass *p;
	int pass;
	FILE *f[NFILE + 1];
	uint32_t nrec[NFILE + 1];
	uint64_t ykey[YMAP];
	unsigned char yfile[YMAP], yused[YMAP];
	unsigned nyears;
	uint32_t *emp, *ass;        /* positions of each side, in person_no order */
	size_t ne, na, cape, capa;
	struct prec *r;             /* one file's persons */
	struct bkey *ek, *ak;
	size_t capr;
	struct blist bl[2];         /* rule A's blocks, rule B's */
	struct colink_fs_model fm;
	double count[NPAT];         /* blocked pairs per vector */
	double known[NPAT];         /* of them, pairs the warehouse links */
	double weight[NPAT];
	uint64_t hist[HIST_MAX - HIST_MIN + 1];
	struct pcand *c;
	size_t nc, capc;
	struct pcount *pc;          /* the persons of the pairs, by person_no */
	size_t npc;
	uint64_t npairs, every;     /* the estimate visits every `every`th pair */
};

/* The decision (one-to-one), the link and review rows, the estimates, the
 * histogram and the report row (link_prob_rows.c). */
int osq_prob_write(struct prob *pr, uint64_t *linked, uint64_t *review,
		   struct colink_error *err);

#endif
