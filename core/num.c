/* num.c: whole-string, range-checked number parsing (benchgate never calls setlocale). */
#include "core/bg.h"
#include "core/num.h"

#include <ctype.h>
#include <math.h>

int bg_parse_double(const char *s, double lo, double hi, double *out, const char **why)
{
    char *end;
    double v;

    if (s == NULL || *s == '\0' || isspace((unsigned char)*s)) {
        *why = "not a number";
        return -1;
    }
    errno = 0;
    v = strtod(s, &end);
    if (end == s || *end != '\0') {
        *why = "not a number";
        return -1;
    }
    if (!isfinite(v) || errno == ERANGE) {
        *why = "not a finite number";
        return -1;
    }
    if (v < lo) {
        *why = "too small";
        return -1;
    }
    if (v > hi) {
        *why = "too large";
        return -1;
    }
    *out = v;
    return 0;
}

int bg_parse_int64(const char *s, int64_t lo, int64_t hi, int64_t *out, const char **why)
{
    char *end;
    long long v;

    if (s == NULL || *s == '\0' || isspace((unsigned char)*s)) {
        *why = "not a whole number";
        return -1;
    }
    errno = 0;
    v = strtoll(s, &end, 10);
    if (end == s || *end != '\0') {
        *why = "not a whole number";
        return -1;
    }
    if (errno == ERANGE) {
        *why = v < 0 ? "too small" : "too large";
        return -1;
    }
    if (v < lo) {
        *why = "too small";
        return -1;
    }
    if (v > hi) {
        *why = "too large";
        return -1;
    }
    *out = v;
    return 0;
}
