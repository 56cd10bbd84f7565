/*
 * noise.h: the gate's model of benchmark noise, on two levels, fitted to a
 * history of baseline runs.
 *
 * For one statistic (the log of a quantile, usually) of benchmark b in run r:
 *
 *     y[b][r] = mu[b] + f[r] + e[b][r]
 *
 *  - mu[b]: the benchmark's level;
 *  - f[r]: a run-wide factor: the machine was faster or slower for every
 *    benchmark of that run (another VM, a busy neighbour, another clock);
 *  - e[b][r]: the rest: the benchmark's own run-to-run movement plus the
 *    error of estimating the statistic from that run's samples; variance
 *    s2[b], which may differ from benchmark to benchmark.
 *
 * The factor of each run is the median over benchmarks of its deviations
 * from their levels (robust to a few benchmarks that really moved), and is
 * only estimated from NOISE_FACTOR_MIN benchmarks or more. Each benchmark's
 * s2 comes from its own history (k - 1 degrees of freedom), moderated
 * towards the suite's typical spread by empirical Bayes (Smyth 2004, as
 * limma does): a prior (s0^2, d0) is fitted to the suite's variances, and a
 * benchmark's posterior variance is (d0 s0^2 + d s2) / (d0 + d) with
 * d0 + d degrees of freedom. A suite whose benchmarks differ a lot in noise
 * gets a small d0, so a noisy benchmark keeps its own large variance.
 *
 * The question asked of each benchmark: is the current runs' mean y, minus
 * their factor, a plausible new draw from its history? Its difference from
 * mu has variance s2 (1/k + 1/m), plus the current factor's estimation
 * error, plus any excess of the current runs' within-run estimation error
 * over the history's; the difference over its standard error is a Student
 * t with the posterior degrees of freedom. With fewer than 2 degrees of
 * freedom (3 baseline runs; 2 and 2 when the current side has several) the
 * spread is not measured: the suite's
 * prior stands in when other benchmarks have longer histories, else a
 * stated prior sd, and within-run errors of both sides are added in full.
 *
 * Pure: no I/O; memory is the caller's to release with noise_fit_release().
 */
#ifndef BG_GATE_NOISE_H
#define BG_GATE_NOISE_H

#include "core/bg.h"

#define NOISE_FACTOR_MIN 8   /* benchmarks needed to estimate a run-wide factor */
#define NOISE_MEASURED_MIN 3 /* runs needed to measure a run-to-run spread: 3 baseline
                                runs, or 2 a side when both sides have several */
#define NOISE_MODERATE_MIN 5 /* measured benchmarks needed to fit the suite's prior */
#define NOISE_DF_MAX 1000.0  /* degrees of freedom are capped here (about the normal) */
#define NOISE_MIN_SD 1e-4    /* floor of any run-to-run sd: no benchmark is perfectly still */

struct noise_input {
    size_t n_rows;     /* benchmarks */
    size_t k, m;       /* baseline runs (the history), current runs */
    const double *y;   /* y[row * (k + m) + run], baseline runs first; NAN when absent */
    const double *se2; /* same layout: within-run variance of each y; NAN when unknown */
    bool factor;       /* estimate and remove a run-wide factor */
    double prior_sd;   /* run-to-run sd assumed where it cannot be measured */
};

struct noise_row {
    double level;  /* mu: the history's level (NAN when no baseline run has the row) */
    double typical; /* the median of the history's values, each minus its run's factor:
                       a level that two or three jumpy runs do not move */
    double est;    /* current runs' mean y - mu - their factor (NAN when not comparable) */
    double var;    /* variance of est when nothing changed */
    double df;     /* its degrees of freedom; INFINITY for the normal */
    double s2;     /* the run-to-run variance used for one run (moderated) */
    double s2_own; /* the row's own estimate; NAN when it has no degree of freedom */
    double within; /* the within-run part of var */
    unsigned k, m; /* baseline and current runs that have the row */
    bool measured; /* its spread came from its own runs (>= 2 degrees of freedom) */
};

struct noise_fit {
    struct noise_row *rows; /* n_rows entries */
    double *factor;         /* per run (k + m entries); all 0 when none was removed */
    size_t factor_rows;     /* benchmarks the current factor came from; 0: not removed */
    double factor_est;      /* current runs' factor against the history's (mean 0) */
    double factor_var;      /* its variance when nothing changed; NAN without a factor */
    double factor_df;
    bool factor_measured;   /* the factor's spread came from >= NOISE_MEASURED_MIN runs */
    double prior_s2, prior_df; /* the suite's fitted prior; NAN and 0 when none */
    /*
     * Replays: each baseline run judged as if it were the current one,
     * against the others (leave one out): loo_t[row * k + run] is its t, on
     * loo_df[row] degrees of freedom; NAN where the run lacks the row or the
     * row has fewer than 4 baseline runs. The caller turns them into the
     * null distribution of this suite on this machine (gate/compare.c).
     */
    double *loo_t, *loo_df;
};

/*
 * The suite's prior (s0^2, d0) for moderating n variances s2[i] with df[i]
 * degrees of freedom each (Smyth's method of moments; entries with fewer
 * than 2 degrees of freedom, or a variance that is not positive and
 * finite, take no part). Returns false, with NAN and 0, when fewer than
 * NOISE_MODERATE_MIN take part. A row's moderated variance is then
 * (d0 s0^2 + df s2) / (d0 + df), on d0 + df degrees of freedom.
 */
bool noise_prior(const double *s2, const double *df, size_t n, double *prior_s2,
                 double *prior_df);

/* Fits the model; out is overwritten. */
void noise_fit(const struct noise_input *in, struct noise_fit *out);
void noise_fit_release(struct noise_fit *fit);

#endif /* BG_GATE_NOISE_H */
