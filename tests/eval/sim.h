/*
 * sim.h: a seeded simulator of benchmark runs under CI noise, for the
 * gate's evaluation (make gate-eval).
 *
 * A run of a suite: every benchmark's samples are
 *     level * machine * drift * hiccup * exp(within * z) * outlier * change
 *  - machine: the run's factor, shared by every benchmark of the run;
 *  - drift: the benchmark's own level this run (lognormal);
 *  - hiccup: now and then a benchmark's whole run is slower (a neighbour
 *    woke up for part of the run);
 *  - within: lognormal spread of the samples inside one run;
 *  - outlier: a few samples 1.5-3x slower (interrupts, page faults);
 *  - change: what a pull request did, on the current run only.
 * Benchmarks differ: each draws its own within-run and run-to-run spreads
 * from the profile's ranges. The same seed gives the same runs.
 */
#ifndef BG_TESTS_EVAL_SIM_H
#define BG_TESTS_EVAL_SIM_H

#include "core/bg.h"
#include "core/model.h"

struct sim_profile {
    const char *name;
    double within_lo, within_hi;   /* within-run lognormal sd, per benchmark */
    double outlier_rate;           /* share of samples that are outliers */
    double outlier_lo, outlier_hi; /* their multiplier */
    double machine_sd;             /* run-wide factor's sd (log) */
    bool machine_two_point;        /* the factor is +-machine_sd at random, not normal */
    double drift_lo, drift_hi;     /* run-to-run sd of a benchmark's level (log) */
    double hiccup_rate, hiccup_size; /* per benchmark and run */
};

struct sim_change {
    const char *name;
    size_t n_shifted;              /* the first n_shifted benchmarks change */
    double location;               /* every sample times this (1: none) */
    double tail_share, tail_mult;  /* this share of samples times tail_mult */
    double suite;                  /* every benchmark times this (1: none) */
};

struct sim_setup {
    size_t n_bench, n_samples, k;  /* benchmarks, samples per result, history runs */
    bool summaries;                /* results as mean/stddev summaries only */
};

/* The history (k runs) and the current run of one trial, as finished runs. */
void sim_trial(const struct sim_profile *p, const struct sim_change *c,
               const struct sim_setup *s, uint64_t seed, struct bg_run *history,
               struct bg_run *current);

#endif /* BG_TESTS_EVAL_SIM_H */
