/*
 * paired.h: the gate's verdicts for `benchgate ab`: base and head measured
 * in one job, round after round, where round i of base and round i of head
 * shared the machine's state (interleaved seconds apart, or at once in a
 * duet). Pure functions; no I/O.
 *
 * Per benchmark and round i, the paired differences
 *     d50[i] = log(p50 of head / p50 of base),  d95[i] = log(p95 ... / ...)
 * (the mean for harnesses that give only summaries; sign-flipped for
 * higher-is-better metrics so that positive is worse). Whatever slowed the
 * machine during round i slowed both sides of it, and cancels.
 *
 *  - A round's factor: the median over a metric's benchmarks of d50[i]
 *    (NOISE_FACTOR_MIN benchmarks or more) is what moved every benchmark of
 *    that round (a neighbour that woke up between the two sides of an
 *    interleaved round, a CPU of a duet busier than the other); it is
 *    subtracted from each benchmark's d50[i] and d95[i], and judged on its
 *    own as the suite finding: its mean over rounds against its spread.
 *  - Each benchmark's mean of d over the rounds is tested against the
 *    spread of its own d (a paired t on rounds - 1 degrees of freedom), the
 *    variances moderated across the suite by empirical Bayes (noise_prior,
 *    as gate v2 moderates run-to-run spreads).
 *  - Two tests, as check has: location (d50: the whole distribution moved)
 *    and p95 (d95: the gated statistic itself, which a tail-only change
 *    moves while the median stays), weighted Bonferroni (the p95 test
 *    GATE_TAIL_WEIGHT), Holm across benchmarks. A test counts only for a
 *    change past the threshold: the location test when exp(mean d50) - 1
 *    is past it, the p95 test when exp(mean d95) - 1 is.
 *  - The change is exp(mean d95) - 1, with its 95% interval from the same
 *    t; a benchmark regresses when that change is past the threshold and
 *    the evidence holds (Holm at alpha).
 *  - Detectable: the smallest shift of the whole distribution the rounds
 *    could confirm, t at the first Holm step times the d50 mean's error.
 *  - Fewer than 3 paired rounds cannot measure a benchmark's spread: the
 *    suite's prior stands in when the others measured one, else twice the
 *    square of --prior-spread (a difference of two runs); low confidence.
 */
#ifndef BG_GATE_PAIRED_H
#define BG_GATE_PAIRED_H

#include "core/bg.h"
#include "core/model.h"
#include "gate/compare.h"

/*
 * Judges head[0..n) against base[0..n), round i against round i (n >= 1).
 * Rows point into the runs, which must outlive the report. out->ab is left
 * NULL for the caller to describe how the rounds ran.
 */
void gate_compare_paired(const struct bg_run *const *base, const struct bg_run *const *head,
                         size_t n, const struct gate_opts *opts, struct gate_report *out);

#endif /* BG_GATE_PAIRED_H */
