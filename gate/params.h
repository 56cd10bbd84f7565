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

#endif /* BG_GATE_PARAMS_H */
