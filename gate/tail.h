/*
 * tail.h: has a benchmark's upper tail got heavier than its history's?
 *
 * A p95 gate must see a slowdown of a few samples in ten that leaves the
 * median alone, and must not fail on the two or three outliers any run may
 * have. Comparing the current run's p95 with the history's p95s cannot do
 * both: a quantile estimated from one run is heavy-tailed, and ten runs of
 * history rarely show the burst of outliers the eleventh one has. So the
 * shape of the tail is compared with the pooled history instead:
 *
 *  1. every run's samples are divided by that run's median, which removes
 *     whatever moved the whole run:
 *     the machine, the benchmark's drift, a slow neighbour;
 *  2. the history's aligned samples are pooled (k runs of n samples: the
 *     outliers of all of them, so their rate is known); the level L is the
 *     history's typical p95 over median (the median over its runs) raised
 *     by the threshold: the p95 has grown past the threshold exactly when
 *     more than 5% of the samples lie beyond L;
 *  3. the current run's samples beyond L are counted. With nothing changed
 *     the count is binomial(n, p) for a p that is only known from the
 *     history: p0 = (count + 1/2) / (N + 1) of the pooled samples beyond L
 *     (outliers, mostly: a few events), and each run's own p varies about
 *     it as much as the history runs' counts show (their dispersion,
 *     moderated towards the suite's). Both make the count beta-binomial,
 *     with concentration N + 1 for the first and (l - d) / (d - 1) for a
 *     dispersion d > 1 measured on history runs of l samples; the smaller
 *     (the wider) is used, whatever the current run's length;
 *  4. the one-sided p is that beta-binomial's smaller tail, summed from its
 *     inner end until the terms stop counting (the normal approximation
 *     past a few thousand terms). Treating p0 as known
 *     would be badly wrong far in the tail, where P(X >= 5) grows as p0^5.
 *
 * A tail shift of 15% of the samples 60% slower puts about 17 of 100
 * samples beyond L where 2 are expected: p ~ 1e-10. A burst of outliers
 * twice the usual puts 4 there: p ~ 0.05. One sample never decides.
 */
#ifndef BG_GATE_TAIL_H
#define BG_GATE_TAIL_H

#include "core/bg.h"
#include "core/model.h"

/* Samples of one run used at most (a stride through the rest): bounds the work. */
#define TAIL_MAX_PER_RUN 2048
/* Current samples needed for a tail test. */
#define TAIL_MIN_N 20

/* One baseline run's part: its count beyond the level, of how many samples
 * read, and its p when judged against the others as if it were the current
 * run (NAN where it has no samples). */
struct tail_run {
    unsigned count, len;
    double loo_p;
};

struct tail_input {
    const struct bg_result *const *base; /* k results (NULL where a run lacks it) */
    size_t k;
    const struct bg_result *const *cur;  /* m results (NULL where a run lacks it) */
    size_t m;
    const double *base_median, *cur_median; /* each run's median of this result */
    const double *base_p95;              /* each baseline run's p95 of this result */
    double threshold;                    /* the allowed growth: L is the p95 times 1 + this */
    struct tail_run *runs;               /* k of them, the caller's: filled in */
};

struct tail_result {
    bool tested;          /* false: too few samples, or a side without samples */
    double level;         /* L over a run's median: 1.2 is 20% above it */
    double p0;            /* share of the pooled history beyond the level */
    size_t pooled;        /* history samples pooled */
    size_t beyond;        /* of which beyond the level */
    size_t n_runs;        /* baseline runs with their counts below */
    size_t measured_runs; /* of which with samples read */
    size_t n_current;     /* current samples counted */
    double expected;      /* current samples expected above it */
    size_t observed;      /* current samples above it */
    double dispersion_ss; /* the history runs' sum of squared standardised counts */
    unsigned dispersion_df;
    double dispersion;    /* the run-to-run dispersion used (>= 1) */
    double concentration; /* the beta-binomial's alpha + beta */
    double p_worse, p_better;
    struct tail_run *runs; /* the input's, n_runs of them */
};

/* First pass: the level, the counts and the history's dispersion statistic
 * of one benchmark. */
void tail_measure(const struct tail_input *in, struct tail_result *out);

/* The suite's dispersion: the statistic pooled over every measured result. */
struct tail_suite {
    double ss, df;
};
void tail_suite_add(struct tail_suite *s, const struct tail_result *r);
/* >= 1, or NAN when nothing was measured. */
double tail_suite_dispersion(const struct tail_suite *s);

/* Second pass: the p-values, with the suite's dispersion as the prior. */
void tail_finish(struct tail_result *r, double suite_dispersion);

#endif /* BG_GATE_TAIL_H */
