/*
 * params.h: the ranges of the gate's numbers, defined once: `benchgate
 * check` takes its options within them, and the server's check endpoint
 * its query parameters. The defaults are GATE_OPTS_DEFAULT's (compare.h).
 */
#ifndef BG_GATE_PARAMS_H
#define BG_GATE_PARAMS_H

#include "core/bg.h"
#include "core/opt.h"

extern const struct bg_real_range gate_threshold_range;  /* allowed change: 0 to 100 (10,000%) */
extern const struct bg_real_range gate_alpha_range;      /* significance level: (0, 1] */
extern const struct bg_int_range gate_min_samples_range; /* samples a side for the test */
/* Bootstrap resamples: the interval's cost grows with them, and a server
 * request must stay cheap, so the command line has the same bound. */
extern const struct bg_int_range gate_resamples_range;
extern const struct bg_int_range gate_window_range;      /* baseline runs of history */
extern const struct bg_real_range gate_prior_range;      /* assumed run-to-run sd: 0.1% up */
extern const struct bg_int_range gate_time_range;        /* a commit time: 1970 to 9999 */

/*
 * The options compare and ab share, for an options struct with the fields
 * gate (struct gate_opts), config, report (const char *) and output (int,
 * enum report_format: gate/report.h declares report_formats).
 */
#define GATE_OPTS_JUDGE(type)                                                               \
    { "threshold", 't', "F", BG_OPT_REAL, offsetof(type, gate.threshold),                 \
      .reals = &gate_threshold_range,                                                     \
      .help = "allowed p95 growth as a fraction, 0.10 being 10%" },                        \
    { "alpha", 0, "A", BG_OPT_REAL, offsetof(type, gate.alpha), .reals = &gate_alpha_range, \
      .help = "the false-failure rate allowed: Holm over the benchmarks tested" },         \
    { "prior-spread", 0, "F", BG_OPT_REAL, offsetof(type, gate.prior_spread),             \
      .reals = &gate_prior_range,                                                         \
      .help = "the run-to-run spread (sd of the log p95) assumed where too few runs "      \
              "measure it" },                                                             \
    { "min-samples", 0, "N", BG_OPT_SIZE, offsetof(type, gate.min_samples),               \
      .ints = &gate_min_samples_range,                                                    \
      .help = "with fewer samples on a side, a verdict says 'low confidence'" },           \
    { "fail-on-inconclusive", 0, NULL, BG_OPT_FLAG,                                       \
      offsetof(type, gate.fail_on_inconclusive),                                          \
      .help = "a slowdown past the threshold that is not significant fails too" },         \
    { "fail-on-missing", 0, NULL, BG_OPT_FLAG, offsetof(type, gate.fail_on_missing),      \
      .help = "a benchmark of the old side missing from the new one fails" },             \
    { "config", 0, "PATH", BG_OPT_TEXT, offsetof(type, config),                           \
      .help = "per-benchmark thresholds and ignores (default ./benchgate.json when it "    \
              "exists)" },                                                                \
    { "output", 'o', "F", BG_OPT_CHOICE, offsetof(type, output), .choices = report_formats, \
      .help = "report format" },                                                          \
    { "report", 0, "PATH", BG_OPT_TEXT, offsetof(type, report),                           \
      .help = "also write the Markdown report to PATH" }

#endif /* BG_GATE_PARAMS_H */
