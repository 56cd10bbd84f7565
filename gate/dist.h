/*
 * dist.h: the distribution functions the gate's tests need: the normal and
 * Student t distributions, the regularised incomplete beta function behind
 * the t, and the digamma and trigamma functions behind the moderated
 * variances of gate/noise.c. Pure and thread-safe: no libm function with
 * hidden state (lgamma's signgam) is used.
 */
#ifndef BG_GATE_DIST_H
#define BG_GATE_DIST_H

#include "core/bg.h"

/* P(Z <= z) for the standard normal. */
double dist_normal_cdf(double z);
/* The z with P(Z <= z) = p, for 0 < p < 1 (+-INFINITY at 0 and 1). */
double dist_normal_quantile(double p);

/*
 * P(T <= t) for Student's t with df > 0 degrees of freedom; df = INFINITY
 * (or above 1e7) is the normal. Accurate to about 1e-12.
 */
double dist_t_cdf(double t, double df);
/* P(T > t): the upper tail, computed without cancellation for large t. */
double dist_t_sf(double t, double df);
/* The t with P(T <= t) = p, for 0 < p < 1. */
double dist_t_quantile(double p, double df);

/* log Gamma(x) for x > 0 (Stirling's series after shifting x past 10). */
double dist_lgamma(double x);
/* The regularised incomplete beta I_x(a, b), a, b > 0, 0 <= x <= 1. */
double dist_incbeta(double a, double b, double x);

/* digamma psi(x) = d/dx log Gamma(x), and trigamma psi'(x), for x > 0. */
double dist_digamma(double x);
double dist_trigamma(double x);
/* The y > 0 with trigamma(y) = x, for x > 0. */
double dist_trigamma_inverse(double x);

#endif /* BG_GATE_DIST_H */
