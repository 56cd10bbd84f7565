/* real.h: the gate on the real harness data set (see real.c). */
#ifndef BG_TESTS_EVAL_REAL_H
#define BG_TESTS_EVAL_REAL_H

#include "core/bg.h"

/* Prints the table for the data set in dir; returns 0, or 2 when it cannot be read. */
int real_eval(const char *dir, double alpha, bool trace);

/* benchgate ab's evaluation (ab.c): the trials tests/eval/ab-eval.sh ran in dir,
 * judged at threshold; returns 0, 1 when a trial's exit status disagrees with
 * its replay, 2 when dir cannot be read. */
int ab_eval(const char *dir, double alpha, double threshold, bool trace);

/* benchgate ab's paired rule against history check on seeded simulated rounds (ab.c). */
int ab_sim(size_t trials, double alpha, double threshold);

#endif /* BG_TESTS_EVAL_REAL_H */
