/*
 * fs.c -- Fellegi-Sunter scoring and EM (fs.h).
 */
#include "linkage/fs.h"

#include <math.h>
#include <string.h>

/* No level is ever impossible for a match: m stays in [1e-3, 1 - 1e-3],
 * so one disagreement costs at most about 10 bits however clean the
 * run's matches are (a 記号 that changed when a person moved office). */
#define M_FLOOR 1e-3

int colink_fs_init(struct colink_fs_model *fm, size_t nfeat, const unsigned *nlev)
{
	size_t f;
	unsigned l;
	memset(fm, 0, sizeof(*fm));
	if (nfeat < 1 || nfeat > COLINK_FS_MAX_FEATURES)
		return -1;
	fm->nfeat = nfeat;
	for (f = 0; f < nfeat; f++) {
		if (nlev[f] < 2 || nlev[f] > COLINK_FS_MAX_LEVELS)
			return -1;
		fm->nlev[f] = nlev[f];
		for (l = 0; l < nlev[f]; l++) {
			fm->m[f][l] = l ? 0.1 / (nlev[f] - 1) : 0.9;
			fm->u[f][l] = l + 1 < nlev[f] ? 0.1 / (nlev[f] - 1) : 0.9;
		}
	}
	fm->lambda = 0.1;
	return 0;
}

void colink_fs_estimate_u(struct colink_fs_model *fm, const unsigned char *gamma,
			  size_t n)
{
	size_t f, i;
	unsigned l;
	for (f = 0; f < fm->nfeat; f++) {
		double cnt[COLINK_FS_MAX_LEVELS] = {0}, tot = 0;
		for (i = 0; i < n; i++) {
			unsigned g = gamma[i * fm->nfeat + f];
			if (g < fm->nlev[f]) {
				cnt[g] += 1;
				tot += 1;
			}
		}
		for (l = 0; l < fm->nlev[f]; l++)
			fm->u[f][l] = (cnt[l] + 0.5) / (tot + 0.5 * fm->nlev[f]);
	}
}

/* P(vector | match) and P(vector | non-match), over its present features. */
static void likelihoods(const struct colink_fs_model *fm, const unsigned char *g,
			double *pm, double *pu)
{
	size_t f;
	*pm = 1;
	*pu = 1;
	for (f = 0; f < fm->nfeat; f++)
		if (g[f] < fm->nlev[f]) {
			*pm *= fm->m[f][g[f]];
			*pu *= fm->u[f][g[f]];
		}
}

static double clamp(double x)
{
	return x < M_FLOOR ? M_FLOOR : x > 1 - M_FLOOR ? 1 - M_FLOOR : x;
}

/* One EM step; returns the largest change of m or lambda. */
static double em_step(struct colink_fs_model *fm, const unsigned char *gamma,
		      const double *count, size_t n)
{
	double num[COLINK_FS_MAX_FEATURES][COLINK_FS_MAX_LEVELS];
	double den[COLINK_FS_MAX_FEATURES];
	double wsum = 0, tot = 0, moved, x;
	size_t i, f;
	unsigned l;
	memset(num, 0, sizeof(num));
	memset(den, 0, sizeof(den));
	for (i = 0; i < n; i++) {
		const unsigned char *g = gamma + i * fm->nfeat;
		double pm, pu, w;
		likelihoods(fm, g, &pm, &pu);
		pm *= fm->lambda;
		pu *= 1 - fm->lambda;
		w = pm + pu > 0 ? pm / (pm + pu) : 0; /* P(match | vector) */
		wsum += w * count[i];
		tot += count[i];
		for (f = 0; f < fm->nfeat; f++)
			if (g[f] < fm->nlev[f]) {
				num[f][g[f]] += w * count[i];
				den[f] += w * count[i];
			}
	}
	if (tot <= 0)
		return 0;
	x = clamp(wsum / tot);
	moved = fabs(x - fm->lambda);
	fm->lambda = x;
	for (f = 0; f < fm->nfeat; f++) {
		if (den[f] <= 0)
			continue;
		for (l = 0; l < fm->nlev[f]; l++) {
			x = clamp(num[f][l] / den[f]);
			if (fabs(x - fm->m[f][l]) > moved)
				moved = fabs(x - fm->m[f][l]);
			fm->m[f][l] = x;
		}
	}
	return moved;
}

void colink_fs_em(struct colink_fs_model *fm, const unsigned char *gamma,
		  const double *count, size_t n, unsigned maxiter, double tol)
{
	fm->iterations = 0;
	while (fm->iterations < maxiter) {
		double moved = em_step(fm, gamma, count, n);
		fm->iterations++;
		if (moved <= tol)
			break;
	}
}

double colink_fs_level_weight(const struct colink_fs_model *fm, size_t f, unsigned l)
{
	double w = log2(fm->m[f][l] / fm->u[f][l]);
	unsigned k;
	for (k = l + 1; k < fm->nlev[f]; k++) {
		double x = log2(fm->m[f][k] / fm->u[f][k]);
		if (x > w)
			w = x;
	}
	return w;
}

double colink_fs_weight(const struct colink_fs_model *fm, const unsigned char *g)
{
	double w = 0;
	size_t f;
	for (f = 0; f < fm->nfeat; f++)
		if (g[f] < fm->nlev[f])
			w += colink_fs_level_weight(fm, f, g[f]);
	return w;
}

/* Bits set in a 64-bit word, in registers: without -mpopcnt (the x86-64
 * baseline) __builtin_popcountll is a call into libgcc's table loop, which
 * profiles showed as the probabilistic pass's largest cost. */
static unsigned pop64(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555u);
	x = (x & 0x3333333333333333u) + ((x >> 2) & 0x3333333333333333u);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fu;
	return (unsigned)((x * 0x0101010101010101u) >> 56);
}

/* Bits set in a AND b (b NULL: in a), 64 bits at a time. */
unsigned colink_fs_popcount(const unsigned char *a, const unsigned char *b, size_t nbytes)
{
	unsigned n = 0;
	size_t i;
	for (i = 0; i + 8 <= nbytes; i += 8) {
		uint64_t x, y = ~(uint64_t)0;
		memcpy(&x, a + i, 8);
		if (b)
			memcpy(&y, b + i, 8);
		n += pop64(x & y);
	}
	for (; i < nbytes; i++)
		n += pop64(a[i] & (b ? b[i] : 0xffu));
	return n;
}

double colink_fs_dice(const unsigned char *a, const unsigned char *b, size_t nbytes)
{
	unsigned na = colink_fs_popcount(a, NULL, nbytes), nb = colink_fs_popcount(b, NULL, nbytes);
	return na + nb ? 2.0 * colink_fs_popcount(a, b, nbytes) / (na + nb) : 0;
}
