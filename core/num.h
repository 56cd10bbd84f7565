/*
 * num.h: the one checked way to turn outside text into numbers, and the
 * one fast way back.
 *
 * Each parser accepts the whole string or nothing: no leading or trailing
 * junk, no empty string, finite values only, inside [lo, hi]. On failure it
 * returns -1 and points *why at a short reason ("not a number", "too large").
 */
#ifndef BG_CORE_NUM_H
#define BG_CORE_NUM_H

#include "core/bg.h"

int bg_parse_double(const char *s, double lo, double hi, double *out, const char **why);
int bg_parse_int64(const char *s, int64_t lo, int64_t hi, int64_t *out, const char **why);

/*
 * Writes v with `decimals` (0 to 6) digits after the point, exactly as
 * snprintf's "%.Nf" ("%+.Nf" with plus) does, at a tenth of its cost: a
 * report of 10,000 benchmarks prints 80,000 such numbers. Values far from
 * an integer's range, and those within a hair of a rounding tie (where the
 * scaling could round differently), go through snprintf itself. Returns
 * what snprintf would.
 */
int bg_fmt_fixed(char *buf, size_t size, double v, int decimals, bool plus);

#endif /* BG_CORE_NUM_H */
