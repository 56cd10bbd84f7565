/* real.h: the gate on the real harness data set (see real.c). */
#ifndef BG_TESTS_EVAL_REAL_H
#define BG_TESTS_EVAL_REAL_H

#include "core/bg.h"

/* Prints the table for the data set in dir; returns 0, or 2 when it cannot be read. */
int real_eval(const char *dir, double alpha, bool trace);

#endif /* BG_TESTS_EVAL_REAL_H */
