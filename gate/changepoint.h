/*
 * changepoint.h: where a benchmark's history shifted to a new level.
 * Binary segmentation on ranks with a permutation test; changepoint.c has
 * the statistic. Pure: deterministic for a given seed, no I/O.
 */
#ifndef BG_GATE_CHANGEPOINT_H
#define BG_GATE_CHANGEPOINT_H

#include "core/bg.h"

struct changepoint_opts {
    size_t min_size;        /* fewest points on each side of a shift (default 3) */
    double alpha;           /* significance level of the permutation test (default 0.01) */
    double min_change;      /* smallest relative level change reported, 0.02 = 2% */
    unsigned permutations;  /* at most; fewer on long series (default 9999) */
    uint64_t seed;          /* the same input gives the same answer */
};
#define CHANGEPOINT_OPTS_DEFAULT { 3, 0.01, 0.02, 9999, 42 }

struct changepoint {
    size_t at;       /* index into x of the first point after the shift */
    double before;   /* median of the segment before the shift */
    double after;    /* median of the segment after it */
};

/*
 * Finds up to max level shifts in x[0..n) (NaN values are skipped) and
 * writes them to out in ascending order of `at`. o may be NULL for the
 * defaults. Returns how many were found.
 */
int changepoint_find(const double *x, size_t n, const struct changepoint_opts *o,
                     struct changepoint *out, size_t max);

#endif /* BG_GATE_CHANGEPOINT_H */
