/*
 * stats.h: summary statistics over samples. Pure: no I/O, no allocation
 * except where a function says so.
 *
 * Quantiles use linear interpolation between closest ranks, the "type 7"
 * definition of Hyndman & Fan (R's default, numpy's "linear"): for n sorted
 * samples x[0..n-1] and 0 <= q <= 1, h = (n - 1) q and
 *     Q(q) = x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)]).
 * So Q is x[0] for n = 1, and for n = 2 the p95 is x0 + 0.95 (x1 - x0).
 */
#ifndef BG_CORE_STATS_H
#define BG_CORE_STATS_H

#include "core/bg.h"

/* Type-7 quantile of n >= 1 ascending samples. */
double stats_quantile_sorted(const double *sorted, size_t n, double q);

/*
 * Type-7 quantile of n >= 1 samples in any order, by selection (expected
 * O(n), no sort). Reorders work[] in place: pass a copy when the order
 * matters.
 */
double stats_quantile(double *work, size_t n, double q);

/* Sorts v ascending, no NANs (an introsort: O(n log n) whatever the input). */
void stats_sort(double *v, size_t n);

struct bg_summary {
    size_t n;
    double min, max, mean, median, p95, stddev; /* stddev: sample (n - 1); 0 when n < 2 */
};

/* Summary of n >= 1 finite samples; work is scratch space for n doubles. */
void stats_summarise(const double *samples, size_t n, double *work, struct bg_summary *out);

/*
 * Seeded randomness for the resampling tests (the bootstrap, the change-point
 * permutations): splitmix64, small, fast, and the same stream on every
 * machine. Inline: it is the inner loop of both.
 */
static inline uint64_t stats_splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Uniform in [0, n) for n < 2^32 by multiply-shift (bias below 2^-32 n). */
static inline size_t stats_pick(uint64_t *s, size_t n)
{
    return (size_t)(((stats_splitmix64(s) >> 32) * (uint64_t)n) >> 32);
}

#endif /* BG_CORE_STATS_H */
