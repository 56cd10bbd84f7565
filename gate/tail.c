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
    size_t *count, *len;
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
    count = bg_xcalloc(2 * (in->k + 1), sizeof(*count));
    len = count + in->k + 1;
    for (size_t j = 0; j < in->k && j < TAIL_MAX_RUNS; j++) {
        const struct bg_result *r = in->base[j];

        if (r == NULL || r->n_samples == 0 || !(in->base_median[j] > 0.0))
            continue;
        if (!count_beyond(r, stride_of(r->n_samples), level * in->base_median[j], &count[j],
                          &len[j])) {
            len[j] = 0;
            continue;
        }
        pooled += len[j];
        beyond += count[j];
        runs++;
    }
    if (runs == 0) {
        free(count);
        return;
    }
    out->p0 = ((double)beyond + 0.5) / ((double)pooled + 1.0);
    out->pooled = pooled;
    out->beyond = beyond;
    for (size_t j = 0; j < in->k && j < TAIL_MAX_RUNS; j++) {
        out->run_count[j] = (unsigned short)count[j];
        out->run_len[j] = (unsigned short)len[j];
    }
    out->n_runs = in->k < TAIL_MAX_RUNS ? in->k : TAIL_MAX_RUNS;

    /* the history runs' own counts: binomial, or more spread? A run's count
     * against a share it helped estimate varies (1 - 1/runs) as much: undo that. */
    bias = runs > 1 ? 1.0 - 1.0 / (double)runs : 1.0;
    for (size_t j = 0; j < in->k; j++) {
        double e, var;

        if (len[j] == 0)
            continue;
        e = (double)count[j] - (double)len[j] * out->p0;
        var = (double)len[j] * out->p0 * (1.0 - out->p0) * bias;
        out->dispersion_ss += e * e / var;
        out->dispersion_df++;
    }
    free(count);

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
 * P(X >= c) for X ~ beta-binomial(n, a, b), c and n whole: the terms from
 * one end by the ratio pmf(x+1)/pmf(x) = (n-x)(x+a) / ((x+1)(n-x-1+b)),
 * so only the first needs log Gammas.
 */
static double bb_upper(double c, double n, double a, double b)
{
    double sum = 0.0, term, mean, var;

    if (c <= 0.0)
        return 1.0;
    if (c > n)
        return 0.0;
    if (n - c < BB_EXACT_MAX) {
        term = exp(bb_logpmf(c, n, a, b));
        for (double x = c; x <= n; x += 1.0) {
            sum += term;
            term *= (n - x) * (x + a) / ((x + 1.0) * (n - x - 1.0 + b));
        }
        return fmin(1.0, sum);
    }
    if (c < BB_EXACT_MAX) {
        term = exp(bb_logpmf(0.0, n, a, b));
        for (double x = 0.0; x < c; x += 1.0) {
            sum += term;
            term *= (n - x) * (x + a) / ((x + 1.0) * (n - x - 1.0 + b));
        }
        return fmax(0.0, 1.0 - sum);
    }
    mean = n * a / (a + b);
    var = n * a * b * (a + b + n) / ((a + b) * (a + b) * (a + b + 1.0));
    return 1.0 - dist_normal_cdf((c - 0.5 - mean) / sqrt(var));
}

/* The beta-binomial's concentration for n current samples: the rate known
 * from `pooled` samples, spread by the run-to-run dispersion phi. */
static double concentration(double pooled, double n, double phi)
{
    double kappa = pooled + 1.0;

    if (phi >= n)
        return 1.0;
    if (phi > 1.0 && (n - phi) / (phi - 1.0) < kappa)
        kappa = (n - phi) / (phi - 1.0);
    return kappa;
}

void tail_finish(struct tail_result *r, double suite)
{
    double df = r->dispersion_df, phi, n, c, kappa, total;

    if (!r->tested)
        return;
    if (!isnan(suite))
        phi = (2.0 * df * suite + r->dispersion_ss) / (3.0 * df + (df == 0.0));
    else if (df >= 2.0)
        phi = r->dispersion_ss / df;
    else
        phi = 2.0; /* nothing measured: assume the counts twice as spread as binomial */
    if (!(phi >= 1.0))
        phi = 1.0;
    r->dispersion = phi;
    n = r->expected / r->p0;
    c = (double)r->observed;
    total = r->pooled;
    kappa = concentration(total, n, phi);
    r->concentration = kappa;
    /* every baseline run as if it were the current one, against the others */
    for (size_t j = 0; j < r->n_runs; j++) {
        double len = r->run_len[j], p0, k;

        r->loo_p[j] = NAN;
        if (len == 0 || total - len < 1)
            continue;
        p0 = ((double)(r->beyond - r->run_count[j]) + 0.5) / (total - len + 1.0);
        k = concentration(total - len, len, phi);
        r->loo_p[j] = bb_upper(r->run_count[j], len, k * p0, k * (1.0 - p0));
    }
    r->p_worse = bb_upper(c, n, kappa * r->p0, kappa * (1.0 - r->p0));
    /* P(X <= c) = P(n - X >= n - c), and n - X is beta-binomial(n, b, a) */
    r->p_better = bb_upper(n - c, n, kappa * (1.0 - r->p0), kappa * r->p0);
}
