/*
 * observe.h: what the gate's noise model reads of one result: a few
 * quantiles of its samples, each with a within-run error band, and its
 * mean; or, for a harness summary (or a result whose samples were pruned),
 * what the summary holds (its median, p95 and mean).
 *
 * The error band of a quantile is distribution-free: for n sorted samples
 * and quantile q the order statistics about sqrt(n q (1 - q)) ranks either
 * side of position (n - 1) q bracket it with roughly one standard error on
 * each side (the binomial behind every order-statistic interval), so half
 * the band's width estimates the standard error without assuming a shape.
 */
#ifndef BG_GATE_OBSERVE_H
#define BG_GATE_OBSERVE_H

#include "core/bg.h"
#include "core/model.h"

enum gate_stat {
    GATE_STAT_P50,
    GATE_STAT_P95,
    GATE_STAT_MEAN,
    GATE_N_STATS
};

struct gate_obs {
    double v[GATE_N_STATS];  /* the statistic; NAN when the result cannot give it */
    double lo[GATE_N_STATS]; /* its within-run band; NAN when unknown */
    double hi[GATE_N_STATS];
    size_t n;                /* samples, or the summary's n */
    bool samples;            /* from raw samples (else a summary) */
    bool present;            /* the run has this benchmark at all */
};

/* Reduces res; scratch holds res->n_samples doubles. */
void gate_observe(const struct bg_result *res, double *scratch, struct gate_obs *o);

/* "p50", "p95", "mean". */
const char *gate_stat_name(enum gate_stat s);

#endif /* BG_GATE_OBSERVE_H */
