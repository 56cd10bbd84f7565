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

struct bg_summary {
    size_t n;
    double min, max, mean, median, p95, stddev; /* stddev: sample (n - 1); 0 when n < 2 */
};

/* Summary of n >= 1 finite samples; work is scratch space for n doubles. */
void stats_summarise(const double *samples, size_t n, double *work, struct bg_summary *out);

#endif /* BG_CORE_STATS_H */
