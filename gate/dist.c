/*
 * dist.c: normal and Student t distributions, the incomplete beta function,
 * digamma and trigamma. Written from the textbook definitions:
 *  - log Gamma: the recurrence log G(x) = log G(x + 1) - log x moves x past
 *    10, where Stirling's series (terms in 1/x, 1/x^3, ..., 1/x^9) is good
 *    to about 1e-14;
 *  - I_x(a, b): its continued fraction, evaluated by the modified Lentz
 *    method, on the side of the symmetry I_x(a, b) = 1 - I_{1-x}(b, a)
 *    where it converges fast;
 *  - the t: P(|T| > t) = I_{df/(df+t^2)}(df/2, 1/2);
 *  - digamma and trigamma: recurrences to x >= 10, then their asymptotic
 *    series in 1/x (Bernoulli numbers up to B10).
 * Quantiles are found by bisection on the monotone distribution function:
 * slower than a rational approximation, but exact to the precision asked
 * and with nothing to get wrong; callers cache what they reuse.
 */
#include "core/bg.h"
#include "gate/dist.h"

#include <float.h>
#include <math.h>

#define HALF_LOG_2PI 0.91893853320467274178
#define SQRT_2 1.41421356237309504880

double dist_normal_cdf(double z)
{
    return 0.5 * erfc(-z / SQRT_2);
}

/* Bisection for the x in [lo, hi] where an increasing f(x, arg) reaches p. */
static double solve_increasing(double (*f)(double, double), double arg, double p, double lo,
                               double hi)
{
    for (int i = 0; i < 200 && hi - lo > 1e-12 * (1.0 + fabs(lo) + fabs(hi)); i++) {
        double mid = 0.5 * (lo + hi);

        if (f(mid, arg) < p)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

static double normal_cdf_arg(double z, double unused)
{
    (void)unused;
    return dist_normal_cdf(z);
}

double dist_normal_quantile(double p)
{
    if (!(p > 0.0))
        return -INFINITY;
    if (!(p < 1.0))
        return INFINITY;
    return solve_increasing(normal_cdf_arg, 0.0, p, -40.0, 40.0);
}

double dist_lgamma(double x)
{
    double prod = 1.0, shift, x2;

    if (!(x > 0.0) || isinf(x))
        return x > 0.0 ? x : NAN; /* positive x only: and no endless loop below */

    /* Gamma(x) = Gamma(x + n) / (x (x + 1) ... (x + n - 1)): one log of the
     * product, not n logs (it is at most 10!, or tiny for a tiny x) */
    while (x < 10.0) {
        prod *= x;
        x += 1.0;
    }
    shift = log(prod);
    x2 = 1.0 / (x * x);
    return (x - 0.5) * log(x) - x + HALF_LOG_2PI +
           (1.0 / 12.0 - x2 * (1.0 / 360.0 - x2 * (1.0 / 1260.0 - x2 * (1.0 / 1680.0 -
                                                                           x2 / 1188.0)))) /
               x -
           shift;
}

/* One step of the modified Lentz method: the continued fraction's next
 * term num, with c and d kept away from zero; returns the factor f gains. */
static double lentz_step(double num, double *c, double *d)
{
    const double tiny = 1e-300;

    *d = 1.0 + num * *d;
    *c = 1.0 + num / *c;
    if (fabs(*d) < tiny)
        *d = tiny;
    if (fabs(*c) < tiny)
        *c = tiny;
    *d = 1.0 / *d;
    return *d * *c;
}

/* The continued fraction of I_x(a, b), modified Lentz; converges fast for
 * x < (a + 1) / (a + b + 2). */
static double incbeta_cf(double a, double b, double x)
{
    double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0), f; /* 1 + d_1 */

    if (fabs(d) < 1e-300)
        d = 1e-300;
    d = 1.0 / d;
    f = d;
    for (int m = 1; m <= 500; m++) {
        double m2 = 2.0 * m, delta;

        /* even step: d_{2m} = m (b - m) x / ((a + 2m - 1)(a + 2m)) */
        f *= lentz_step(m * (b - m) * x / ((a + m2 - 1.0) * (a + m2)), &c, &d);
        /* odd step: d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)) */
        delta = lentz_step(-(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0)), &c, &d);
        f *= delta;
        if (fabs(delta - 1.0) < 1e-15)
            break;
    }
    return f;
}

double dist_incbeta(double a, double b, double x)
{
    double front;

    if (!(x > 0.0))
        return 0.0;
    if (!(x < 1.0))
        return 1.0;
    front = exp(dist_lgamma(a + b) - dist_lgamma(a) - dist_lgamma(b) + a * log(x) +
                b * log1p(-x));
    if (x < (a + 1.0) / (a + b + 2.0))
        return front * incbeta_cf(a, b, x) / a;
    return 1.0 - front * incbeta_cf(b, a, 1.0 - x) / b;
}

double dist_t_sf(double t, double df)
{
    double tail;

    if (isnan(t))
        return NAN;
    if (!(df < 1e7))
        return dist_normal_cdf(-t);
    if (isinf(t))
        return t > 0 ? 0.0 : 1.0;
    tail = 0.5 * dist_incbeta(0.5 * df, 0.5, df / (df + t * t)); /* P(T > |t|) */
    return t > 0 ? tail : 1.0 - tail;
}

double dist_t_cdf(double t, double df)
{
    return dist_t_sf(-t, df);
}

double dist_t_quantile(double p, double df)
{
    double lo, hi;

    if (!(p > 0.0))
        return -INFINITY;
    if (!(p < 1.0))
        return INFINITY;
    if (!(df < 1e7))
        return dist_normal_quantile(p);
    /* bracket: the t's quantiles lie beyond the normal's, and far beyond
     * for small df (about p^(-1/df)): widen until they are inside */
    lo = -1.0;
    hi = 1.0;
    while (dist_t_cdf(lo, df) > p && lo > -1e300)
        lo *= 4.0;
    while (dist_t_cdf(hi, df) < p && hi < 1e300)
        hi *= 4.0;
    return solve_increasing(dist_t_cdf, df, p, lo, hi);
}

double dist_digamma(double x)
{
    double shift = 0.0, x2;

    if (!(x > 0.0) || isinf(x))
        return x > 0.0 ? x : NAN; /* positive x only: and no endless loop below */

    while (x < 10.0) {
        shift += 1.0 / x;
        x += 1.0;
    }
    x2 = 1.0 / (x * x);
    return log(x) - 0.5 / x -
           x2 * (1.0 / 12.0 -
                 x2 * (1.0 / 120.0 - x2 * (1.0 / 252.0 - x2 * (1.0 / 240.0 - x2 / 132.0)))) -
           shift;
}

double dist_trigamma(double x)
{
    double shift = 0.0, x2;

    if (!(x > 0.0) || isinf(x))
        return x > 0.0 ? 0.0 : NAN; /* positive x only: and no endless loop below */

    while (x < 10.0) {
        shift += 1.0 / (x * x);
        x += 1.0;
    }
    x2 = 1.0 / (x * x);
    return 1.0 / x + 0.5 * x2 +
           (1.0 / 6.0 - x2 * (1.0 / 30.0 - x2 * (1.0 / 42.0 - x2 * (1.0 / 30.0 -
                                                                    x2 * 5.0 / 66.0)))) *
               x2 / x +
           shift;
}

/* -trigamma: increasing, so solve_increasing can invert it. */
static double neg_trigamma_of_log(double logy, double unused)
{
    (void)unused;
    return -dist_trigamma(exp(logy));
}

double dist_trigamma_inverse(double x)
{
    if (!(x > 0.0))
        return INFINITY;
    return exp(solve_increasing(neg_trigamma_of_log, 0.0, -x, log(1e-8), log(1e12)));
}
