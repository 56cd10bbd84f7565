/* tail.c: the tail-shape test of tail.h: counts above the pooled history's tail level. */
#include "core/bg.h"
#include "gate/tail.h"
#include "core/err.h"
#include "core/stats.h"
#include "gate/dist.h"

#include <math.h>

/* Appends up to TAIL_MAX_PER_RUN of res's samples, in log space minus the
 * log median; false when a value or the median is not positive. */
static bool aligned(const struct bg_result *res, double median, double *out, size_t *n)
{
    size_t stride = res->n_samples > TAIL_MAX_PER_RUN
                        ? (res->n_samples + TAIL_MAX_PER_RUN - 1) / TAIL_MAX_PER_RUN
                        : 1;
    double lm;

    if (!(median > 0.0))
        return false;
    lm = log(median);
    *n = 0;
    for (size_t i = 0; i < res->n_samples; i += stride) {
        if (!(res->samples[i] > 0.0))
            return false;
        out[(*n)++] = log(res->samples[i]) - lm;
    }
    return true;
}

static size_t count_above(const double *v, size_t n, double level)
{
    size_t c = 0;

    for (size_t i = 0; i < n; i++)
        c += v[i] > level;
    return c;
}

void tail_measure(const struct tail_input *in, struct tail_result *out)
{
    size_t n_cur = SIZE_MAX, total = 0, pooled = 0, *len, runs = 0;
    double *hist, *work, level, lm, bias;

    memset(out, 0, sizeof(*out));
    for (size_t c = 0; c < in->m; c++) {
        const struct bg_result *r = in->cur[c];

        if (r == NULL)
            continue;
        if (r->n_samples == 0)
            return;
        if (r->n_samples < n_cur)
            n_cur = r->n_samples;
    }
    if (n_cur == SIZE_MAX || n_cur < TAIL_MIN_N)
        return;

    hist = bg_xmalloc((in->k * TAIL_MAX_PER_RUN + 1) * sizeof(*hist));
    len = bg_xcalloc(in->k + 1, sizeof(*len));
    for (size_t j = 0; j < in->k; j++) {
        if (in->base[j] == NULL || in->base[j]->n_samples == 0)
            continue;
        if (!aligned(in->base[j], in->base_median[j], hist + pooled, &len[j])) {
            len[j] = 0;
            continue;
        }
        pooled += len[j];
        runs++;
    }
    if (runs == 0 || pooled < 2) {
        free(len);
        free(hist);
        return;
    }
    /* the level: a quantile of the pooled history, found on a copy */
    work = bg_xmalloc((pooled + 1) * sizeof(*work));
    memcpy(work, hist, pooled * sizeof(*work));
    level = stats_quantile(work, pooled, 0.95) + log1p(in->threshold);
    free(work);
    out->level = exp(level);
    out->p0 = ((double)count_above(hist, pooled, level) + 0.5) / ((double)pooled + 1.0);
    out->pooled = pooled;

    /* the history runs' own counts: binomial, or more spread? A run's count
     * against a level it helped set varies (1 - 1/runs) as much: undo that. */
    bias = runs > 1 ? 1.0 - 1.0 / (double)runs : 1.0;
    for (size_t j = 0, at = 0; j < in->k; j++) {
        double e, var;

        if (len[j] == 0)
            continue;
        e = (double)count_above(hist + at, len[j], level) - (double)len[j] * out->p0;
        var = (double)len[j] * out->p0 * (1.0 - out->p0) * bias;
        out->dispersion_ss += e * e / var;
        out->dispersion_df++;
        at += len[j];
    }

    /* the current runs' samples above the level, every one of them */
    for (size_t c = 0; c < in->m; c++) {
        const struct bg_result *r = in->cur[c];

        if (r == NULL)
            continue;
        if (!(in->cur_median[c] > 0.0)) {
            free(len);
            free(hist);
            return;
        }
        lm = log(in->cur_median[c]);
        for (size_t i = 0; i < r->n_samples; i++) {
            if (!(r->samples[i] > 0.0)) {
                free(len);
                free(hist);
                return;
            }
            out->observed += log(r->samples[i]) - lm > level;
        }
        total += r->n_samples;
    }
    out->expected = (double)total * out->p0;
    out->tested = true;
    free(len);
    free(hist);
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

/* P(X >= c) for X ~ beta-binomial(n, a, b), c and n whole. */
static double bb_upper(double c, double n, double a, double b)
{
    double sum = 0.0, mean, var;

    if (c <= 0.0)
        return 1.0;
    if (c > n)
        return 0.0;
    if (n - c < BB_EXACT_MAX) {
        for (double x = c; x <= n; x += 1.0)
            sum += exp(bb_logpmf(x, n, a, b));
        return fmin(1.0, sum);
    }
    if (c < BB_EXACT_MAX) {
        for (double x = 0.0; x < c; x += 1.0)
            sum += exp(bb_logpmf(x, n, a, b));
        return fmax(0.0, 1.0 - sum);
    }
    mean = n * a / (a + b);
    var = n * a * b * (a + b + n) / ((a + b) * (a + b) * (a + b + 1.0));
    return 1.0 - dist_normal_cdf((c - 0.5 - mean) / sqrt(var));
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
    kappa = total + 1.0;
    if (phi > 1.0 && phi < n && (n - phi) / (phi - 1.0) < kappa)
        kappa = (n - phi) / (phi - 1.0);
    if (phi >= n)
        kappa = 1.0;
    r->concentration = kappa;
    r->p_worse = bb_upper(c, n, kappa * r->p0, kappa * (1.0 - r->p0));
    /* P(X <= c) = P(n - X >= n - c), and n - X is beta-binomial(n, b, a) */
    r->p_better = bb_upper(n - c, n, kappa * (1.0 - r->p0), kappa * r->p0);
}
