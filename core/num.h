/*
 * num.h: the one checked way to turn outside text into numbers.
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

#endif /* BG_CORE_NUM_H */
