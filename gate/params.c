/* params.c: the ranges of the gate's numbers (see params.h). */
#include "core/bg.h"
#include "gate/params.h"
#include "gate/baseline.h"

const struct bg_real_range gate_threshold_range = { 0.0, 100.0 };
const struct bg_real_range gate_alpha_range = { 1e-12, 1.0 };
const struct bg_int_range gate_min_samples_range = { 1, 1000000 };
const struct bg_int_range gate_resamples_range = { 0, 10000 };
const struct bg_int_range gate_window_range = { 1, BASELINE_MAX_WINDOW };
const struct bg_real_range gate_prior_range = { 0.001, 10.0 }; /* 0 would claim certainty */
const struct bg_int_range gate_time_range = { 1, INT64_C(253402300799) };
