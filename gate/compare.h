/*
 * compare.h: the verdict for each (benchmark, metric), as pure functions
 * over two runs. No I/O: the report modules print what this computes.
 *
 * change = current p95 / baseline p95 - 1, with the sign flipped for
 * higher-is-better metrics, so a positive change is always worse.
 */
#ifndef BG_GATE_COMPARE_H
#define BG_GATE_COMPARE_H

#include "core/bg.h"
#include "core/model.h"

enum gate_verdict {
    GATE_UNCHANGED,
    GATE_IMPROVED,
    GATE_REGRESSED,
    GATE_NEW,     /* in the current run only */
    GATE_MISSING, /* in the baseline only */
};

/* Below this many samples on either side, a verdict is marked low confidence. */
#define GATE_MIN_SAMPLES 5

struct gate_opts {
    double threshold; /* allowed change, 0.10 = 10% worse */
    size_t min_samples;
};

struct gate_row {
    const struct bg_result *base, *cur; /* either may be NULL (new, missing) */
    double base_p95, cur_p95;           /* NAN where that side is absent */
    const char *stat;                   /* what was compared: "p95", or "mean" when a side
                                           is a harness summary without a p95 */
    double change;                      /* NAN unless both sides exist; may be +-INFINITY */
    enum gate_verdict verdict;
    bool low_confidence;                /* fewer than min_samples on a side, or summaries only */
};

struct gate_report {
    const struct bg_run *base, *cur;    /* base is NULL when there is no baseline */
    const char *baseline_why;           /* how the baseline was chosen, for the report */
    const char *baseline_warning;       /* "" or why the comparison may mislead */
    struct gate_opts opts;
    struct gate_row *rows;              /* current run's order, then missing ones */
    size_t n_rows;
    size_t count[GATE_MISSING + 1];     /* rows per verdict */
};

/* Compares cur against base (NULL: everything is new). Rows point into both runs. */
void gate_compare(const struct bg_run *base, const struct bg_run *cur,
                  const struct gate_opts *opts, struct gate_report *out);
void gate_report_release(struct gate_report *r);

/* The p95 of a result: from its samples, or the harness's summary when there are none. */
double gate_p95(const struct bg_result *res, double *scratch);

/* Whether a result can only be compared on its mean: a summary without a p95
 * (Catch2, bencher). Both sides of such a pair are then compared on the mean. */
bool gate_needs_mean(const struct bg_result *res);

/* Signed change: positive is worse for the metric's direction. */
double gate_change(double base, double cur, enum bg_direction dir);

/* Whether the gate fails: any regression. */
bool gate_failed(const struct gate_report *r);

const char *gate_verdict_name(enum gate_verdict v);

#endif /* BG_GATE_COMPARE_H */
