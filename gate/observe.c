/* observe.c: a result reduced to quantiles, their within-run bands, and its mean (see observe.h). */
#include "core/bg.h"
#include "gate/observe.h"
#include "core/stats.h"
#include "core/stats.h"

#include <math.h>

static const double quantile_of[GATE_N_STATS] = { 0.5, 0.95, NAN };

const char *gate_stat_name(enum gate_stat s)
{
    static const char *const names[GATE_N_STATS] = { "p50", "p95", "mean" };

    return names[s];
}

static void from_samples(const struct bg_result *res, double *x, struct gate_obs *o)
{
    size_t n = res->n_samples;
    double sum = 0.0, ss = 0.0, mean, se;

    memcpy(x, res->samples, n * sizeof(*x));
    stats_sort(x, n);
    for (int s = GATE_STAT_P50; s <= GATE_STAT_P95; s++) {
        double q = quantile_of[s], h = (double)(n - 1) * q, half = sqrt((double)n * q * (1 - q));
        double lo = floor(h - half), hi = ceil(h + half);

        o->v[s] = stats_quantile_sorted(x, n, q);
        o->lo[s] = x[lo < 0 ? 0 : (size_t)lo];
        o->hi[s] = x[hi > (double)(n - 1) ? n - 1 : (size_t)hi];
    }
    for (size_t i = 0; i < n; i++)
        sum += x[i];
    mean = sum / (double)n;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - mean) * (x[i] - mean);
    se = n > 1 ? sqrt(ss / (double)(n - 1) / (double)n) : NAN;
    o->v[GATE_STAT_MEAN] = mean;
    o->lo[GATE_STAT_MEAN] = mean - se;
    o->hi[GATE_STAT_MEAN] = mean + se;
    o->n = n;
    o->samples = true;
}

static void from_summary(const struct bg_summary *sum, struct gate_obs *o)
{
    double se = sum->n > 1 && !isnan(sum->stddev) ? sum->stddev / sqrt((double)sum->n) : NAN;

    o->v[GATE_STAT_P50] = sum->median;
    o->v[GATE_STAT_P95] = sum->p95;
    o->v[GATE_STAT_MEAN] = sum->mean;
    o->lo[GATE_STAT_MEAN] = sum->mean - se;
    o->hi[GATE_STAT_MEAN] = sum->mean + se;
    o->n = sum->n;
}

void gate_observe(const struct bg_result *res, double *scratch, struct gate_obs *o)
{
    for (int s = 0; s < GATE_N_STATS; s++)
        o->v[s] = o->lo[s] = o->hi[s] = NAN;
    o->n = 0;
    o->samples = false;
    o->present = true;
    if (res->n_samples > 0)
        from_samples(res, scratch, o);
    else
        from_summary(&res->sum, o);
}
