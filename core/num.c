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

int bg_fmt_fixed(char *buf, size_t size, double v, int decimals, bool plus)
{
    static const double scale[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6 };
    char digits[24];
    double x, whole, frac;
    uint64_t u;
    int n = 0, len = 0;

    if (decimals < 0 || decimals > 6 || !isfinite(v) || !(fabs(v) < 1e15 / scale[decimals]) ||
        size < 24) /* the fast path writes at most 18 bytes */
        goto slow;
    x = fabs(v) * scale[decimals];
    frac = x - floor(x);
    if (fabs(frac - 0.5) < 1e-6)
        goto slow; /* a tie, or near enough that the scaling may have moved it */
    whole = frac < 0.5 ? floor(x) : floor(x) + 1.0;
    u = (uint64_t)whole;
    do {
        digits[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0 || n <= decimals);
    if (signbit(v))
        buf[len++] = '-';
    else if (plus)
        buf[len++] = '+';
    while (n > 0) {
        if (n == decimals)
            buf[len++] = '.';
        buf[len++] = digits[--n];
    }
    buf[len] = '\0';
    return len;
slow:
    return snprintf(buf, size, plus ? "%+.*f" : "%.*f", decimals, v);
}
