/*
 * compare.h: the verdict for each (benchmark, metric), as pure functions
 * over two runs. No I/O: the report modules print what this computes.
 *
 * change = current p95 / baseline p95 - 1, with the sign flipped for
 * higher-is-better metrics, so a positive change is always worse.
 *
 * A change past the threshold is a regression (or an improvement) only if
 * it is also significant: when both sides have at least min_samples
 * samples, a two-sided Mann-Whitney U test, Holm-corrected across every
 * benchmark tested, must reject at alpha. Past the threshold but not
 * significant is "inconclusive". With fewer samples the threshold alone
 * decides and the verdict is marked low confidence.
 */
#ifndef BG_GATE_COMPARE_H
#define BG_GATE_COMPARE_H

#include "core/bg.h"
#include "core/model.h"

enum gate_verdict {
    GATE_UNCHANGED,
    GATE_IMPROVED,
    GATE_REGRESSED,
    GATE_INCONCLUSIVE, /* past the threshold, not significant */
    GATE_NEW,          /* in the current run only */
    GATE_MISSING,      /* in the baseline only */
    GATE_IGNORED,      /* ignored by the configuration */
    GATE_N_VERDICTS
};

/* Below this many samples on either side, a verdict is marked low confidence. */
#define GATE_MIN_SAMPLES 5

struct gate_config; /* gate/config.h: per-benchmark thresholds and ignores */

struct gate_opts {
    double threshold;          /* allowed change, 0.10 = 10% worse */
    size_t min_samples;        /* both sides need this many for the significance test */
    double alpha;              /* family-wise significance level (Holm) */
    unsigned resamples;        /* bootstrap resamples for the change's interval; 0: none */
    uint64_t seed;             /* bootstrap seed: the same inputs print the same interval */
    bool fail_on_inconclusive; /* an inconclusive slowdown fails the gate */
    bool fail_on_missing;      /* a benchmark missing from the current run fails the gate */
    const struct gate_config *config; /* NULL: none */
};

/* The defaults of `benchgate check`. */
#define GATE_OPTS_DEFAULT { 0.10, GATE_MIN_SAMPLES, 0.05, 1000, 42, false, false, NULL }

struct gate_row {
    const struct bg_result *base, *cur; /* either may be NULL (new, missing) */
    double base_p95, cur_p95;           /* NAN where that side is absent */
    const char *stat;                   /* what was compared: "p95", or "mean" when a side
                                           is a harness summary without a p95 */
    double change;                      /* NAN unless both sides exist; may be +-INFINITY */
    double ci_lo, ci_hi;                /* 95% bootstrap interval of change; NAN if none */
    double p, p_holm;                   /* Mann-Whitney p, Holm-adjusted; NAN if untested */
    double threshold;                   /* this row's (the configuration may differ) */
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
    size_t count[GATE_N_VERDICTS];      /* rows per verdict */
    size_t n_tested;                    /* rows in the Holm family */
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


/* Whether a row fails the gate under the report's options. */
bool gate_row_fails(const struct gate_report *r, const struct gate_row *row);

/* Why a low-confidence row is so, for the reports: "summary only, on the
 * mean", "samples pruned, on the stored p95" or "few samples". */
const char *gate_low_confidence_why(const struct gate_row *row);
/* Whether the gate fails: any row that fails it. */
bool gate_failed(const struct gate_report *r);
/* Rows that fail the gate. */
size_t gate_n_failing(const struct gate_report *r);

const char *gate_verdict_name(enum gate_verdict v);

#endif /* BG_GATE_COMPARE_H */
