/* observe.c: a result reduced to quantiles, their within-run bands, and its mean (see observe.h). */
#include "core/bg.h"
#include "gate/observe.h"
#include "core/err.h"
#include "core/stats.h"
#include "core/stats.h"

#include <math.h>

const char *gate_stat_name(enum gate_stat s)
{
    static const char *const names[GATE_N_STATS] = { "p50", "p95", "mean" };

    return names[s];
}

/* sqrt(q (1 - q)) / phi(z_q): a quantile's error in sds, times 1 / sqrt(n). */
#define SE_P50 1.2533141373155003 /* sqrt(pi / 2) */
#define SE_P95 2.1131320502306393 /* sqrt(0.95 * 0.05) / phi(1.6448536) */

static void band(struct gate_obs *o, enum gate_stat s, double se)
{
    if (isnan(o->v[s]) || !(se >= 0.0))
        return;
    o->lo[s] = o->v[s] - se;
    o->hi[s] = o->v[s] + se;
}

void gate_observe(const struct bg_result *res, struct gate_obs *o)
{
    const struct bg_summary *sum = &res->sum;
    struct bg_summary own;

    if (res->n_samples > 0 && sum->n != res->n_samples) {
        /* a run never finished (bg_run_finish): summarise it here */
        double *work = bg_xmalloc(res->n_samples * sizeof(*work));

        stats_summarise(res->samples, res->n_samples, work, &own);
        free(work);
        sum = &own;
    }
    double root = sum->n > 1 ? sqrt((double)sum->n) : NAN;
    double sd = sum->n > 1 && !isnan(sum->stddev) ? sum->stddev / root : NAN;

    for (int s = 0; s < GATE_N_STATS; s++)
        o->v[s] = o->lo[s] = o->hi[s] = NAN;
    o->n = sum->n;
    o->samples = res->n_samples > 0;
    o->present = true;
    o->v[GATE_STAT_P50] = sum->median;
    o->v[GATE_STAT_P95] = sum->p95;
    o->v[GATE_STAT_MEAN] = sum->mean;
    band(o, GATE_STAT_P50, SE_P50 * sd);
    band(o, GATE_STAT_P95, SE_P95 * sd);
    band(o, GATE_STAT_MEAN, sd);
}

void gate_observe_robust(const struct bg_result *res, struct gate_obs *o)
{
    static const struct {
        enum gate_stat s;
        double q;
    } quantiles[] = { { GATE_STAT_P50, 0.5 }, { GATE_STAT_P95, 0.95 } };
    size_t n = res->n_samples;
    double *x;

    if (n < 2)
        return;
    x = bg_xmalloc(n * sizeof(*x));
    memcpy(x, res->samples, n * sizeof(*x));
    stats_sort(x, n);
    for (size_t i = 0; i < ARRAY_SIZE(quantiles); i++) {
        double q = quantiles[i].q, h = (double)(n - 1) * q, half = sqrt((double)n * q * (1 - q));
        double lo = floor(h - half), hi = ceil(h + half);

        o->lo[quantiles[i].s] = x[lo < 0 ? 0 : (size_t)lo];
        o->hi[quantiles[i].s] = x[hi > (double)(n - 1) ? n - 1 : (size_t)hi];
    }
    free(x);
}
