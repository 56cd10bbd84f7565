/*
 * observe.h: what the gate's noise model reads of one result: its median,
 * p95 and mean, each with a within-run error band. They come from the
 * result's summary (computed once when it was collected, the same type-7
 * quantiles; a harness summary or a result whose samples were pruned has
 * nothing else), so no sample is sorted again: a check over 10,000
 * benchmarks and 11 runs reads 330,000 summaries, not 3.3 million samples.
 *
 * The band is one standard error either side, from the summary's sd: for
 * the mean sd / sqrt(n); for quantile q, sqrt(q (1 - q) / n) / phi(z_q) sd,
 * the asymptotic error of a sample quantile where the samples are near
 * normal. Outliers inflate sd, so the band errs wide. The gate uses it only
 * to scale the history's estimation error to the current run's sample count
 * and where run-to-run noise is not measured.
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

/* Reduces res: from its summary (bg_run_finish and the store fill it; a
 * result with samples and no summary is summarised here). */
void gate_observe(const struct bg_result *res, struct gate_obs *o);

/*
 * Replaces the sd-based bands of the median and p95 with distribution-free
 * ones from res's samples: the order statistics about sqrt(n q (1 - q))
 * ranks either side of the quantile (the binomial behind every
 * order-statistic interval), which outliers cannot widen. A sort: done
 * where within-run error decides, with fewer than 3 baseline runs.
 */
void gate_observe_robust(const struct bg_result *res, struct gate_obs *o);

/* "p50", "p95", "mean". */
const char *gate_stat_name(enum gate_stat s);

#endif /* BG_GATE_OBSERVE_H */
