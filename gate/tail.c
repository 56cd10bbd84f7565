/* tail.c: the tail-shape test of tail.h: counts above the pooled history's tail level. */
#include "core/bg.h"
#include "gate/tail.h"
#include "core/err.h"
#include "core/stats.h"
#include "gate/dist.h"

#include <math.h>

/* The stride that reads at most TAIL_MAX_PER_RUN of n samples. */
static size_t stride_of(size_t n)
{
    return n > TAIL_MAX_PER_RUN ? (n + TAIL_MAX_PER_RUN - 1) / TAIL_MAX_PER_RUN : 1;
}

/* Samples of res (every stride-th) beyond limit, and how many were read;
 * false when a value is not positive. */
static bool count_beyond(const struct bg_result *res, size_t stride, double limit,
                         size_t *beyond, size_t *read)
{
    *beyond = *read = 0;
    for (size_t i = 0; i < res->n_samples; i += stride) {
        if (!(res->samples[i] > 0.0))
            return false;
        *beyond += res->samples[i] > limit;
        (*read)++;
    }
    return true;
}

void tail_measure(const struct tail_input *in, struct tail_result *out)
{
    size_t n_cur = SIZE_MAX, total = 0, pooled = 0, beyond = 0, runs = 0, n_ratio = 0;
    double ratio[64], level, bias;

    memset(out, 0, sizeof(*out));
    for (size_t c = 0; c < in->m; c++) {
        const struct bg_result *r = in->cur[c];

        if (r == NULL)
            continue;
        if (r->n_samples == 0 || !(in->cur_median[c] > 0.0))
            return;
        if (r->n_samples < n_cur)
            n_cur = r->n_samples;
    }
    if (n_cur == SIZE_MAX || n_cur < TAIL_MIN_N)
        return;

    /* the level: the history's typical p95 over median, raised by the threshold */
    for (size_t j = 0; j < in->k && n_ratio < ARRAY_SIZE(ratio); j++) {
        if (in->base[j] != NULL && in->base[j]->n_samples > 0 && in->base_median[j] > 0.0 &&
            in->base_p95[j] > 0.0)
            ratio[n_ratio++] = in->base_p95[j] / in->base_median[j];
    }
    if (n_ratio == 0)
        return;
    level = stats_quantile(ratio, n_ratio, 0.5) * (1.0 + in->threshold);
    out->level = level;

    /* the pooled history's share beyond it, and each run's own count */
    out->runs = in->runs;
    out->n_runs = in->k;
    for (size_t j = 0; j < in->k; j++) {
        const struct bg_result *r = in->base[j];
        struct tail_run *t = &in->runs[j];
        size_t b, n;

        t->count = t->len = 0;
        t->loo_p = NAN;
        if (r == NULL || r->n_samples == 0 || !(in->base_median[j] > 0.0) ||
            !count_beyond(r, stride_of(r->n_samples), level * in->base_median[j], &b, &n))
            continue;
        t->count = (unsigned)b; /* at most TAIL_MAX_PER_RUN */
        t->len = (unsigned)n;
        pooled += n;
        beyond += b;
        runs++;
    }
    if (runs == 0)
        return;
    out->p0 = ((double)beyond + 0.5) / ((double)pooled + 1.0);
    out->pooled = pooled;
    out->beyond = beyond;
    out->measured_runs = runs;

    /* the history runs' own counts: binomial, or more spread? A run's count
     * against a share it helped estimate varies (1 - 1/runs) as much: undo that. */
    bias = runs > 1 ? 1.0 - 1.0 / (double)runs : 1.0;
    for (size_t j = 0; j < in->k; j++) {
        const struct tail_run *t = &in->runs[j];
        double e, var;

        if (t->len == 0)
            continue;
        e = (double)t->count - (double)t->len * out->p0;
        var = (double)t->len * out->p0 * (1.0 - out->p0) * bias;
        out->dispersion_ss += e * e / var;
        out->dispersion_df++;
    }

    /* the current runs' samples beyond the level, every one of them */
    for (size_t c = 0; c < in->m; c++) {
        const struct bg_result *r = in->cur[c];
        size_t b, n;

        if (r == NULL)
            continue;
        if (!count_beyond(r, 1, level * in->cur_median[c], &b, &n))
            return;
        out->observed += b;
        total += n;
    }
    out->n_current = total;
    out->expected = (double)total * out->p0;
    out->tested = true;
}

void tail_suite_add(struct tail_suite *s, const struct tail_result *r)
{
    if (r->tested && r->dispersion_df >= 2) {
        s->ss += r->dispersion_ss;
        s->df += r->dispersion_df;
    }
}

double tail_suite_dispersion(const struct tail_suite *s)
{
    return s->df > 0.0 ? fmax(1.0, s->ss / s->df) : NAN;
}

/* log of the beta-binomial(n, a, b) probability of x. */
static double bb_logpmf(double x, double n, double a, double b)
{
    return dist_lgamma(n + 1.0) - dist_lgamma(x + 1.0) - dist_lgamma(n - x + 1.0) +
           dist_lgamma(x + a) + dist_lgamma(n - x + b) - dist_lgamma(n + a + b) +
           dist_lgamma(a + b) - dist_lgamma(a) - dist_lgamma(b);
}

/* Terms summed exactly at most; the normal approximation takes over beyond. */
#define BB_EXACT_MAX 4000

/*
 * P(X >= c) for X ~ beta-binomial(n, a, b), c and n whole. The smaller
 * tail is summed from its inner end outwards, each term from the one
 * before by pmf(x+1)/pmf(x) = (n-x)(x+a) / ((x+1)(n-x-1+b)), relative to
 * the first (only it needs log Gammas, and nothing underflows however far
 * the first term is from the body: 30,000 samples have P(X = 0) ~ e^-900);
 * the sum stops when the terms no longer count, or after BB_EXACT_MAX of
 * them, where the normal approximation takes over.
 */
static double bb_upper(double c, double n, double a, double b)
{
    double mean = n * a / (a + b), sum = 0.0, term = 1.0, first, var;
    size_t i = 0;

    if (c <= 0.0)
        return 1.0;
    if (c > n)
        return 0.0;
    if (c > mean) { /* the upper tail, from c up */
        first = bb_logpmf(c, n, a, b);
        for (double x = c; x <= n && i < BB_EXACT_MAX; x += 1.0, i++) {
            double ratio = (n - x) * (x + a) / ((x + 1.0) * (n - x - 1.0 + b));

            sum += term;
            term *= ratio;
            if (ratio < 1.0 && term < sum * 1e-17)
                break;
        }
        if (i < BB_EXACT_MAX)
            return fmin(1.0, exp(first + log(sum)));
    } else { /* the lower tail P(X < c), from c - 1 down */
        first = bb_logpmf(c - 1.0, n, a, b);
        for (double x = c - 1.0; x >= 0.0 && i < BB_EXACT_MAX; x -= 1.0, i++) {
            double ratio = x * (n - x + b) / ((n - x + 1.0) * (x - 1.0 + a));

            sum += term;
            term *= ratio;
            if (ratio < 1.0 && term < sum * 1e-17)
                break;
        }
        if (i < BB_EXACT_MAX)
            return fmax(0.0, 1.0 - exp(first + log(sum)));
    }
    var = n * a * b * (a + b + n) / ((a + b) * (a + b) * (a + b + 1.0));
    return 1.0 - dist_normal_cdf((c - 0.5 - mean) / sqrt(var));
}

/*
 * The beta-binomial's concentration: the rate is known from `pooled`
 * samples (concentration pooled + 1), and each run's own rate varies about
 * it by the dispersion phi the history's runs of `len` samples showed (a
 * count of len samples is phi times as spread as a binomial one when the
 * concentration is (len - phi) / (phi - 1)); the smaller, the wider. The
 * concentration belongs to the runs' rates, not to a count: it holds for a
 * current run of any length.
 */
static double concentration(double pooled, double len, double phi)
{
    double kappa = pooled + 1.0;

    if (phi >= len)
        return 1.0;
    if (phi > 1.0 && (len - phi) / (phi - 1.0) < kappa)
        kappa = (len - phi) / (phi - 1.0);
    return kappa;
}

void tail_finish(struct tail_result *r, double suite)
{
    double df = r->dispersion_df, phi, n, c, kappa, total, len;

    if (!r->tested)
        return;
    /* the benchmark's own dispersion, shrunk towards the suite's with the
     * weight of twice its own degrees of freedom: ten counts say little */
    if (!isnan(suite))
        phi = (2.0 * df * suite + r->dispersion_ss) / (3.0 * df);
    else if (df >= 2.0)
        phi = r->dispersion_ss / df;
    else
        phi = 2.0; /* nothing measured: assume the counts twice as spread as binomial */
    if (!(phi >= 1.0))
        phi = 1.0;
    r->dispersion = phi;
    n = (double)r->n_current;
    c = (double)r->observed;
    total = (double)r->pooled;
    len = total / (double)r->measured_runs; /* the history's run length, as read */
    kappa = concentration(total, len, phi);
    r->concentration = kappa;
    /* every baseline run as if it were the current one, against the others */
    for (size_t j = 0; j < r->n_runs; j++) {
        struct tail_run *t = &r->runs[j];
        double own = t->len, p0, k;

        t->loo_p = NAN;
        if (own == 0 || total - own < 1)
            continue;
        p0 = ((double)(r->beyond - t->count) + 0.5) / (total - own + 1.0);
        k = concentration(total - own, len, phi);
        t->loo_p = bb_upper(t->count, own, k * p0, k * (1.0 - p0));
    }
    r->p_worse = bb_upper(c, n, kappa * r->p0, kappa * (1.0 - r->p0));
    /* P(X <= c) = P(n - X >= n - c), and n - X is beta-binomial(n, b, a) */
    r->p_better = bb_upper(n - c, n, kappa * (1.0 - r->p0), kappa * r->p0);
}
