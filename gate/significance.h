/*
 * significance.h: how sure the gate is: a rank test per benchmark, the Holm
 * correction across benchmarks, and a seeded bootstrap interval of the p95
 * change. Pure functions; the only state is a cache a caller owns.
 */
#ifndef BG_GATE_SIGNIFICANCE_H
#define BG_GATE_SIGNIFICANCE_H

#include "core/bg.h"
#include "core/model.h"

/*
 * Exact null distributions of the Mann-Whitney U statistic, one per pair of
 * sample sizes, computed once and reused: a suite of 10,000 benchmarks with
 * 30 samples a side computes one. Zero-initialise; free with
 * sig_cache_release().
 */
struct sig_cache {
    struct sig_dist {
        size_t m, n;
        double *cdf; /* cdf[u] = P(U <= u), u = 0 .. m n */
    } *dists;
    size_t n_dists, cap_dists;
};

void sig_cache_release(struct sig_cache *c);

/* Largest m * n for which the exact distribution is used (without ties). */
#define SIG_EXACT_MAX_MN 2500

/*
 * Two-sided p-value of the Mann-Whitney U test between a[0..na) and
 * b[0..nb) (both non-empty). Midranks for ties. Without ties and with
 * na * nb <= SIG_EXACT_MAX_MN the p-value is exact; otherwise it uses the
 * normal approximation with the tie-corrected variance and a continuity
 * correction. All values equal gives 1. *u_out (may be NULL) receives the U
 * of sample a. Sorted inputs are merged in O(N) without allocating; an
 * unsorted side is copied and sorted first. An exact distribution not yet
 * in cache costs O(m^2 n) once per (m, n).
 */
double sig_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
                        struct sig_cache *cache, double *u_out);

/*
 * Holm's step-down adjustment of n p-values: adjusted[i] is p[i]'s
 * family-wise adjusted value (monotone in p, at most 1); p[i] is rejected at
 * level alpha when adjusted[i] <= alpha. NAN entries are not part of the
 * family and stay NAN. Returns the family size.
 */
size_t sig_holm(const double *p, size_t n, double *adjusted);

/*
 * Percentile-bootstrap interval (level, e.g. 0.95) of the p95 change
 * between base and cur, bg_change's sign convention for dir: both samples
 * resampled with replacement `resamples` times from a splitmix64 stream
 * seeded by seed, so the same inputs give the same interval. Returns 0, or
 * -1 (no interval) when a side is empty or resamples is 0. Cost
 * O(resamples * (nb + nc)): resamples are drawn as counts over the sorted
 * samples (sorted inputs are used as they are), so no resample is sorted.
 */
int sig_bootstrap_change(const double *base, size_t nb, const double *cur, size_t nc,
                         enum bg_direction dir, unsigned resamples, uint64_t seed, double level,
                         double *lo, double *hi);

/* A seed for one (name, metric) derived from a base seed: rows get
 * independent streams whatever order they are compared in. */
uint64_t sig_seed(uint64_t base, const char *name, const char *metric);

#endif /* BG_GATE_SIGNIFICANCE_H */
