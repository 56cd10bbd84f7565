/*
 * compare.h: the verdict for each (benchmark, metric), as pure functions
 * over a baseline history and the current run(s). No I/O: the report
 * modules print what this computes.
 *
 * change = current p95 / baseline p95 - 1, sign-flipped for higher-is-better
 * metrics so a positive change is always worse; the baseline p95 is the
 * history's typical one (the median of its runs' p95s, each with its run's
 * machine factor removed). The verdict is on the *adjusted* change: the
 * current run's own machine factor removed too (gate/noise.h), when the
 * suite is large enough to estimate one.
 *
 * A change past the threshold regresses (or improves) only when the
 * evidence says the benchmark really moved, past the threshold, beyond its
 * usual run-to-run variation. Two one-sided tests of the current run
 * against the history, Bonferroni within the benchmark and Holm across
 * benchmarks:
 *  - location: the median's change against the spread of the history's
 *    medians (gate/noise.h): a shift of the whole distribution; evidence
 *    only when that shift is itself past the threshold;
 *  - tail: the current samples beyond the pooled history's p95 raised by
 *    the threshold, each run aligned on its median (gate/tail.h): a
 *    slowdown of some samples that leaves the median alone.
 * Summaries without samples are judged on their means alone. A suite-wide factor past the threshold and outside the
 * history's spread of factors is a finding of its own (struct gate_suite),
 * tested at alpha as a family of its own: it also has to be past the
 * threshold, which a machine within its usual spread almost never is.
 */
#ifndef BG_GATE_COMPARE_H
#define BG_GATE_COMPARE_H

#include "core/bg.h"
#include "core/model.h"
#include "gate/observe.h"

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
/* The run-to-run sd (of the log p95) assumed where the history is too short
 * to measure it: about what real harnesses on shared 2-core CI machines
 * show once the run-wide factor is removed (README, "How the gate decides"). */
#define GATE_PRIOR_SPREAD 0.05

/* The tail test's share of alpha within a benchmark (weighted Bonferroni);
 * the location test has the rest. A real shift of the whole distribution
 * moves the median by many standard errors, so it needs the share least. */
#define GATE_TAIL_WEIGHT (2.0 / 3.0)

/* Why a verdict is marked low confidence (bits of gate_row.low). */
enum {
    GATE_LOW_SAMPLES = 1,   /* fewer than min_samples on a side */
    GATE_LOW_SUMMARY = 2,   /* a side has a harness's summary only */
    GATE_LOW_HISTORY = 4,   /* fewer than 3 baseline runs: run-to-run noise not measured */
    GATE_LOW_PRUNED = 8,    /* a baseline run's samples were pruned: its stored summary */
};

struct gate_config; /* gate/config.h: per-benchmark thresholds and ignores */

struct gate_opts {
    double threshold;          /* allowed change, 0.10 = 10% worse */
    size_t min_samples;        /* fewer samples than this on a side: low confidence */
    double alpha;              /* family-wise significance level (Holm) */
    unsigned resamples;        /* bootstrap resamples for a within-run interval; 0: none */
    uint64_t seed;             /* bootstrap seed: the same inputs print the same interval */
    bool fail_on_inconclusive; /* an inconclusive slowdown fails the gate */
    bool fail_on_missing;      /* a benchmark missing from the current run fails the gate */
    const struct gate_config *config; /* NULL: none */
    double prior_spread;       /* run-to-run sd assumed where it cannot be measured */
    uint64_t max_draws;        /* the bootstrap's random draws (resamples times the
                                  samples of every row it would resample) allowed at
                                  most; past it no interval is drawn and the report
                                  says so (draws_asked). 0: no bound */
};

/* The defaults of `benchgate check`. */
#define GATE_OPTS_DEFAULT \
    { 0.10, GATE_MIN_SAMPLES, 0.01, 0, 42, false, false, NULL, GATE_PRIOR_SPREAD, 0 }

struct gate_row {
    const struct bg_result *base, *cur; /* newest baseline's and current's; either may be NULL */
    double base_p95, cur_p95;           /* the compared statistic; NAN where absent */
    const char *stat;                   /* what was compared: "p95", or "mean" when a side
                                           is a harness summary without a p95 */
    double change;                      /* NAN unless both sides exist; may be +-INFINITY */
    double adj_change;                  /* change with the current run's machine factor
                                           removed: what the threshold judges */
    double location_change;             /* how far the whole distribution moved (the model
                                           test's statistic, net of the factor): the
                                           model test is evidence only past the threshold */
    double ci_lo, ci_hi;                /* 95% interval of adj_change from the noise model */
    double boot_lo, boot_hi;            /* within-run bootstrap interval (opt-in); NAN */
    double p, p_holm;                   /* one-sided evidence p in `direction`, for a
                                           change past the threshold (Bonferroni over
                                           the tests made), and Holm-adjusted; NAN if
                                           untested */
    int direction;                      /* where the evidence points: 1 worse, -1
                                           better, 0 nowhere (p is then 1) */
    const char *evidence;               /* the test with the stronger evidence: "p50"
                                           (location), "tail", "mean" or "p95" */
    double tail_level;                  /* the tail test's level over the median: the
                                           history's p95 raised by the threshold */
    double tail_expected;               /* current samples expected beyond it */
    size_t tail_observed;               /* and found there; NAN/0 when untested */
    double detectable;                  /* smallest shift the gate could confirm, as a
                                           p95 change; NAN if untested */
    double noise;                       /* the p95's run-to-run sd (a fraction); NAN */
    const char *advice;                 /* when detectable > threshold: what would help */
    double threshold;                   /* this row's (the configuration may differ) */
    enum bg_direction dir;              /* this row's (the configuration may differ) */
    unsigned k, m;                      /* baseline and current runs with this benchmark */
    enum gate_verdict verdict;
    unsigned low;                       /* GATE_LOW_* bits; 0: not low confidence */
    bool low_confidence;                /* low != 0 */
    bool ungateable;                    /* detectable > threshold */
};

/* A run-wide factor: every benchmark of a metric moved together. */
struct gate_suite {
    const char *metric;
    enum bg_direction direction;
    size_t n_rows;             /* benchmarks the factor came from */
    double change;             /* the factor (measured on the medians), as a change,
                                  positive worse */
    double spread;             /* the history's sd of that factor, a fraction; NAN */
    bool measured;             /* spread from >= 3 baseline runs (else the prior) */
    double p, p_adj;           /* one-sided in the change's direction; Bonferroni-adjusted */
    enum gate_verdict verdict; /* regressed, improved, inconclusive or unchanged */
};

/* How `benchgate ab` ran base and head (gate/paired.h); what its reports state. */
struct gate_ab {
    const char *mode;      /* "interleaved" or "duet" */
    const char *order;     /* "random" or "alternate" */
    uint64_t seed;         /* the order's seed: --seed replays it */
    size_t rounds;         /* rounds run (each side once a round) */
    const char *cpus;      /* duet: "CPUs 0 and 1", or why none were pinned; NULL */
    const char *keep;      /* the folder that keeps every round's output */
    double seconds;        /* wall time of all rounds; NAN on a replay */
};

struct gate_report {
    const struct bg_run *base, *cur;    /* newest of each side; base NULL: no baseline */
    const struct bg_run *const *base_runs; /* the history, newest first */
    size_t n_base, n_cur;
    const char *baseline_why;           /* how the baseline was chosen, for the report */
    const char *baseline_warning;       /* "" or why the comparison may mislead */
    struct gate_opts opts;
    struct gate_row *rows;              /* current run's order, then missing ones */
    size_t n_rows;
    size_t count[GATE_N_VERDICTS];      /* rows per verdict */
    size_t n_tested;                    /* rows in the Holm family */
    size_t n_low, n_ungateable;
    struct gate_suite *suites;          /* one per metric with a factor */
    size_t n_suites;
    double alpha_rows;                  /* Holm's level across benchmarks */
    double alpha_suite;                 /* the suite findings' level (Bonferroni over
                                           metrics): a family of its own */
    const struct bg_run **owned_runs;   /* gate_compare's one-run history list */
    /* how much more often the history's replays reached p <= 0.001 than the
     * model expects (>= 1): the evidence is discounted by it (compare.c) */
    double inflation_location, inflation_tail;
    size_t replays;                     /* history runs judged as if current */
    const struct gate_ab *ab;           /* benchgate ab's rounds: paired; NULL otherwise */
    uint64_t draws_asked;               /* the bootstrap's draws when past opts.max_draws
                                           (no interval was drawn); else 0 */
    bool stopped;                       /* the caller's deadline passed (core/deadline.h):
                                           the report is incomplete, not to be shown */
};

/*
 * Compares the current runs cur[0..m) (m >= 1; newest first) against the
 * baseline history base[0..k) (newest first; k = 0: everything is new).
 * Rows point into the runs, which must outlive the report.
 */
void gate_compare_runs(const struct bg_run *const *base, size_t k,
                       const struct bg_run *const *cur, size_t m, const struct gate_opts *opts,
                       struct gate_report *out);
/* One baseline run (NULL: none) against one current run. */
void gate_compare(const struct bg_run *base, const struct bg_run *cur,
                  const struct gate_opts *opts, struct gate_report *out);
void gate_report_release(struct gate_report *r);

/* The p95 of a result: from its samples, or the harness's summary when there are none. */
double gate_p95(const struct bg_result *res, double *scratch);

/* Whether a result can only be compared on its mean: a summary without a p95
 * (Catch2, bencher). Both sides of such a pair are then compared on the mean. */
bool gate_needs_mean(const struct bg_result *res);


/*
 * What every way of judging ends with, once each tested row has its p,
 * direction and adjusted change, and each suite its p: Holm across the
 * rows and their verdicts, then the suites' (Bonferroni over metrics).
 * gate_report_count() then tallies verdicts, low-confidence and
 * ungateable rows.
 */
void gate_report_settle(struct gate_report *out);
void gate_report_count(struct gate_report *out);

/* Whether a row fails the gate under the report's options. */
bool gate_row_fails(const struct gate_report *r, const struct gate_row *row);
/* Whether a suite finding fails the gate. */
bool gate_suite_fails(const struct gate_report *r, const struct gate_suite *s);
/* Whether the gate fails: any row or suite finding that fails it. */
bool gate_failed(const struct gate_report *r);
/* Rows that fail the gate. */
size_t gate_n_failing(const struct gate_report *r);

const char *gate_verdict_name(enum gate_verdict v);
/* "fewer than 5 samples", "summaries only", "run-to-run noise not measured
 * (2 baseline runs)": the reasons of a row's low confidence, joined by "; ". */
void gate_low_text(const struct gate_report *r, const struct gate_row *row, char *buf,
                   size_t size);

#endif /* BG_GATE_COMPARE_H */
