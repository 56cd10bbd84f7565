/*
 * paired.c: benchgate ab's verdicts: per-round paired differences of base
 * and head, a round factor per metric, moderated paired t tests, Holm (see
 * paired.h for the rules and docs/gate.md for the measurements).
 */
#include "core/bg.h"
#include "core/stats.h"
#include "gate/dist.h"
#include "gate/noise.h"
#include "gate/observe.h"
#include "gate/paired.h"

#include <math.h>

enum { LOC, P95, N_TESTS }; /* the location test (p50, or the mean), and the p95's */

/* One compared row's paired data and fits. */
struct prow {
    bool compared, log_scale, mean_only;
    double scale;                 /* the linear scale's unit, when not log_scale */
    double *d[N_TESTS];           /* per round, factor removed; NAN where unpaired */
    double *raw95;                /* d95 before the factor's removal */
    double mean[N_TESTS], s2[N_TESTS], df[N_TESTS], var[N_TESTS];
    unsigned m;                   /* paired rounds */
    bool measured;
    size_t group;
};

/* Rows of one metric, direction and scale share a round factor and a prior. */
struct group {
    const char *metric;
    enum bg_direction dir;
    bool log_scale;
};

struct paired {
    const struct bg_run *const *base, *const *head;
    size_t n;
    const struct gate_opts *opts;
    struct gate_report *out;
    struct prow *rows;
    struct group *groups;
    size_t n_groups;
    double *scratch;
};

/* A run's results sorted by (name, metric), for lookups by identity. */
static const struct bg_result **sorted_results(const struct bg_run *run)
{
    const struct bg_result **p = bg_xmalloc((run->n_results + 1) * sizeof(*p));

    for (size_t i = 0; i < run->n_results; i++)
        p[i] = &run->results[i];
    if (run->n_results > 0)
        qsort(p, run->n_results, sizeof(*p), bg_result_ptr_cmp);
    return p;
}

static const struct bg_result *lookup(const struct bg_result **sorted, size_t n,
                                      const struct bg_result *key)
{
    const struct bg_result **hit;

    if (n == 0)
        return NULL;
    hit = bsearch(&key, sorted, n, sizeof(*sorted), bg_result_ptr_cmp);
    return hit != NULL ? *hit : NULL;
}

/* The value of a test's statistic in an observation. */
static double stat_of(const struct prow *p, const struct gate_obs *o, int test)
{
    if (p->mean_only)
        return o->v[GATE_STAT_MEAN];
    return o->v[test == LOC ? GATE_STAT_P50 : GATE_STAT_P95];
}

/* d = how much worse head is than base: a log ratio, or a difference in
 * units of the row's scale where a value is not positive. */
static double diff(const struct prow *p, enum bg_direction dir, double b, double h)
{
    double d;

    if (isnan(b) || isnan(h))
        return NAN;
    d = p->log_scale ? log(h / b) : (h - b) / p->scale;
    return dir == BG_DIR_HIGHER ? -d : d;
}

/* The change a worse-is-positive difference stands for, as bg_change says it. */
static double change_of(const struct prow *p, enum bg_direction dir, double d, double base)
{
    double signed_d = dir == BG_DIR_HIGHER ? -d : d;

    if (isnan(d))
        return NAN;
    if (p->log_scale)
        return bg_change(1.0, exp(signed_d), dir);
    return bg_change(base, base + signed_d * p->scale, dir);
}

static size_t group_of(struct paired *px, const struct bg_result *res, enum bg_direction dir,
                       bool log_scale)
{
    for (size_t g = 0; g < px->n_groups; g++) {
        if (strcmp(px->groups[g].metric, res->metric) == 0 && px->groups[g].dir == dir &&
            px->groups[g].log_scale == log_scale)
            return g;
    }
    px->groups = bg_xrealloc(px->groups, (px->n_groups + 1) * sizeof(*px->groups));
    px->groups[px->n_groups] = (struct group){ res->metric, dir, log_scale };
    return px->n_groups++;
}

/* Reads row r's rounds: both sides' observations, the differences, the
 * displayed values and the low-confidence bits. */
static void read_row(struct paired *px, size_t r, const struct bg_result ***bs,
                     const struct bg_result ***hs)
{
    struct gate_row *row = &px->out->rows[r];
    struct prow *p = &px->rows[r];
    const struct bg_result *key = row->cur;
    struct gate_obs *ob = bg_xcalloc(2 * px->n + 1, sizeof(*ob)), *oh = ob + px->n;
    double top = 0.0, sum_b = 0.0, sum_h = 0.0;
    unsigned n_b = 0, n_h = 0;

    p->log_scale = true;
    for (size_t i = 0; i < px->n; i++) {
        const struct bg_result *b = lookup(bs[i], px->base[i]->n_results, key);
        const struct bg_result *h = lookup(hs[i], px->head[i]->n_results, key);

        if (b != NULL)
            gate_observe(b, &ob[i]);
        if (h != NULL)
            gate_observe(h, &oh[i]);
        for (int side = 0; side < 2; side++) {
            const struct bg_result *res = side == 0 ? b : h;
            const struct gate_obs *o = side == 0 ? &ob[i] : &oh[i];

            if (res == NULL)
                continue;
            p->mean_only |= gate_needs_mean(res);
            if (!o->samples)
                row->low |= res->pruned ? GATE_LOW_PRUNED : GATE_LOW_SUMMARY;
            else if (o->n < px->opts->min_samples)
                row->low |= GATE_LOW_SAMPLES;
        }
    }
    for (size_t i = 0; i < 2 * px->n; i++) {
        for (int s = 0; s < GATE_N_STATS; s++) {
            double v = ob[i].present ? ob[i].v[s] : NAN;

            if (isnan(v))
                continue;
            if (!(v > 0.0) || isinf(v))
                p->log_scale = false;
            if (!isinf(v) && fabs(v) > top)
                top = fabs(v);
        }
    }
    p->scale = top > 0.0 ? top : 1.0;
    p->group = group_of(px, key, row->dir, p->log_scale);
    for (int t = 0; t < N_TESTS; t++)
        p->d[t] = bg_xmalloc((px->n + 1) * sizeof(double));
    p->raw95 = bg_xmalloc((px->n + 1) * sizeof(double));
    for (size_t i = 0; i < px->n; i++) {
        bool both = ob[i].present && oh[i].present;

        for (int t = 0; t < N_TESTS; t++)
            p->d[t][i] = both ? diff(p, row->dir, stat_of(p, &ob[i], t), stat_of(p, &oh[i], t))
                              : NAN;
        p->raw95[i] = p->d[P95][i];
        if (both && !isnan(p->d[P95][i])) {
            double vb = stat_of(p, &ob[i], P95), vh = stat_of(p, &oh[i], P95);

            p->m++;
            sum_b += p->log_scale ? log(vb) : vb;
            sum_h += p->log_scale ? log(vh) : vh;
            n_b++;
            n_h++;
        }
    }
    /* shown: the typical value of each side over the paired rounds */
    row->base_p95 = n_b == 0 ? NAN : p->log_scale ? exp(sum_b / n_b) : sum_b / n_b;
    row->cur_p95 = n_h == 0 ? NAN : p->log_scale ? exp(sum_h / n_h) : sum_h / n_h;
    row->stat = p->mean_only ? "mean" : "p95";
    row->k = row->m = p->m;
    free(ob);
}

/* The median of the group's location differences in round i, when enough rows have one. */
static double round_factor(struct paired *px, size_t g, size_t i)
{
    size_t k = 0;

    for (size_t r = 0; r < px->out->n_rows; r++) {
        const struct prow *p = &px->rows[r];

        if (p->compared && p->group == g && !isnan(p->d[LOC][i]))
            px->scratch[k++] = p->d[LOC][i];
    }
    return k >= NOISE_FACTOR_MIN ? stats_quantile(px->scratch, k, 0.5) : NAN;
}

/* Mean and sample variance of the non-NAN values of v[0..n); returns the count. */
static unsigned mean_var(const double *v, size_t n, double *mean, double *s2)
{
    double sum = 0.0, ss = 0.0;
    unsigned m = 0;

    for (size_t i = 0; i < n; i++) {
        if (!isnan(v[i])) {
            sum += v[i];
            m++;
        }
    }
    *mean = m > 0 ? sum / m : NAN;
    for (size_t i = 0; i < n; i++) {
        if (!isnan(v[i]))
            ss += (v[i] - *mean) * (v[i] - *mean);
    }
    *s2 = m > 1 ? ss / (m - 1) : NAN;
    return m;
}

/* One-sided p of a mean difference against its variance: worse (> 0) and better. */
static void one_sided(double mean, double var, double df, double *worse, double *better)
{
    double t;

    if (!(var > 0.0)) {
        *worse = mean > 0 ? 0.0 : 1.0;
        *better = mean < 0 ? 0.0 : 1.0;
        return;
    }
    t = mean / sqrt(var);
    *worse = dist_t_sf(t, df);
    *better = dist_t_sf(-t, df);
}

/* Removes each group's round factors and records them as suite findings. */
static void factors(struct paired *px)
{
    double *f = bg_xmalloc((px->n + 1) * sizeof(*f));

    for (size_t g = 0; g < px->n_groups; g++) {
        const struct group *gr = &px->groups[g];
        struct gate_suite *su;
        double mean, s2, var, df, worse, better;
        size_t rows = 0;
        unsigned m;

        if (!gr->log_scale)
            continue;
        for (size_t i = 0; i < px->n; i++)
            f[i] = round_factor(px, g, i);
        m = mean_var(f, px->n, &mean, &s2);
        if (m == 0)
            continue;
        for (size_t r = 0; r < px->out->n_rows; r++) {
            struct prow *p = &px->rows[r];

            if (!p->compared || p->group != g)
                continue;
            rows++;
            for (size_t i = 0; i < px->n; i++) {
                if (!isnan(f[i])) {
                    p->d[LOC][i] -= f[i];
                    p->d[P95][i] -= f[i];
                }
            }
        }
        px->out->suites = bg_xrealloc(px->out->suites,
                                      (px->out->n_suites + 1) * sizeof(*px->out->suites));
        su = &px->out->suites[px->out->n_suites++];
        memset(su, 0, sizeof(*su));
        su->metric = gr->metric;
        su->direction = gr->dir;
        su->n_rows = rows;
        su->change = bg_change(1.0, exp(gr->dir == BG_DIR_HIGHER ? -mean : mean), gr->dir);
        su->measured = m >= NOISE_MEASURED_MIN;
        if (su->measured) {
            var = fmax(s2, NOISE_MIN_SD * NOISE_MIN_SD) / m;
            df = m - 1.0;
            su->spread = sqrt(s2);
        } else {
            var = 2.0 * px->opts->prior_spread * px->opts->prior_spread / m;
            df = INFINITY;
            su->spread = NAN;
        }
        one_sided(mean, var, df, &worse, &better);
        su->p = su->change > 0 ? worse : better;
    }
    free(f);
}

/* Each row's mean differences and their moderated variances. */
static void fit(struct paired *px)
{
    size_t n_rows = px->out->n_rows;
    double *s2 = bg_xmalloc((n_rows + 1) * sizeof(*s2)), *df = bg_xmalloc((n_rows + 1) *
                                                                            sizeof(*df));

    for (size_t g = 0; g < px->n_groups; g++) {
        for (int t = 0; t < N_TESTS; t++) {
            double prior_s2, prior_df;
            bool prior;

            for (size_t r = 0; r < n_rows; r++) {
                struct prow *p = &px->rows[r];
                unsigned m;

                s2[r] = df[r] = NAN;
                if (!p->compared || p->group != g)
                    continue;
                m = mean_var(p->d[t], px->n, &p->mean[t], &p->s2[t]);
                s2[r] = p->s2[t];
                df[r] = m > 0 ? m - 1.0 : 0.0;
            }
            prior = noise_prior(s2, df, n_rows, &prior_s2, &prior_df);
            for (size_t r = 0; r < n_rows; r++) {
                struct prow *p = &px->rows[r];
                double own = df[r];

                if (!p->compared || p->group != g)
                    continue;
                p->measured = own >= NOISE_MEASURED_MIN - 1;
                if (prior && own >= 1.0) {
                    p->s2[t] = (prior_df * prior_s2 + own * p->s2[t]) / (prior_df + own);
                    p->df[t] = fmin(prior_df + own, NOISE_DF_MAX);
                } else if (prior) {
                    p->s2[t] = prior_s2;
                    p->df[t] = fmin(prior_df, NOISE_DF_MAX);
                } else if (p->measured) {
                    p->df[t] = own;
                } else {
                    /* a difference of two runs, each with the assumed spread */
                    p->s2[t] = 2.0 * px->opts->prior_spread * px->opts->prior_spread;
                    p->df[t] = INFINITY;
                }
                if (!(p->s2[t] >= NOISE_MIN_SD * NOISE_MIN_SD))
                    p->s2[t] = NOISE_MIN_SD * NOISE_MIN_SD;
                p->var[t] = p->m > 0 ? p->s2[t] / p->m : NAN;
            }
        }
    }
    free(df);
    free(s2);
}

/* Row r's change, interval and evidence. */
static void judge(struct paired *px, size_t r)
{
    struct gate_row *row = &px->out->rows[r];
    const struct prow *p = &px->rows[r];
    double raw, rs2, worse[N_TESTS], better[N_TESTS], w_loc, tq, lo, hi;

    if (p->m == 0) { /* never in the same round on both sides */
        row->verdict = GATE_INCONCLUSIVE;
        row->low |= GATE_LOW_HISTORY;
        row->low_confidence = true;
        return;
    }
    mean_var(p->raw95, px->n, &raw, &rs2);
    row->change = change_of(p, row->dir, raw, row->base_p95);
    row->adj_change = change_of(p, row->dir, p->mean[P95], row->base_p95);
    row->location_change = change_of(p, row->dir, p->mean[LOC], row->base_p95);
    tq = dist_t_quantile(0.975, p->df[P95]);
    lo = change_of(p, row->dir, p->mean[P95] - tq * sqrt(p->var[P95]), row->base_p95);
    hi = change_of(p, row->dir, p->mean[P95] + tq * sqrt(p->var[P95]), row->base_p95);
    row->ci_lo = fmin(lo, hi);
    row->ci_hi = fmax(lo, hi);
    row->noise = p->log_scale ? sqrt(p->s2[P95])
                              : sqrt(p->s2[P95]) * p->scale / fabs(row->base_p95);
    if (!isfinite(row->noise) || !isfinite(row->ci_lo) || !isfinite(row->ci_hi)) {
        row->noise = NAN;
        row->ci_lo = row->ci_hi = NAN;
    }
    for (int t = 0; t < N_TESTS; t++)
        one_sided(p->mean[t], p->var[t], p->df[t], &worse[t], &better[t]);
    /* evidence only for a change past the threshold, each test of its own statistic */
    if (!(row->location_change > row->threshold))
        worse[LOC] = 1.0;
    if (!(row->location_change < -row->threshold))
        better[LOC] = 1.0;
    if (!(row->adj_change > row->threshold))
        worse[P95] = 1.0;
    if (!(row->adj_change < -row->threshold))
        better[P95] = 1.0;
    if (p->mean_only) { /* one statistic: one test */
        worse[P95] = better[P95] = 1.0;
        w_loc = 1.0;
    } else {
        w_loc = 1.0 - GATE_TAIL_WEIGHT;
    }
    worse[LOC] = fmin(1.0, worse[LOC] / w_loc);
    better[LOC] = fmin(1.0, better[LOC] / w_loc);
    worse[P95] = fmin(1.0, worse[P95] / GATE_TAIL_WEIGHT);
    better[P95] = fmin(1.0, better[P95] / GATE_TAIL_WEIGHT);
    row->evidence = p->mean_only ? "mean"
                    : fmin(worse[P95], better[P95]) < fmin(worse[LOC], better[LOC]) ? "p95"
                                                                                     : "p50";
    {
        double w = fmin(worse[LOC], worse[P95]), b = fmin(better[LOC], better[P95]);

        row->direction = w < b ? 1 : b < w ? -1 : 0;
        row->p = row->direction != 0 ? fmin(w, b) : 1.0;
    }
    if (!p->measured)
        row->low |= GATE_LOW_HISTORY;
    row->low_confidence = row->low != 0;
}

/* The smallest whole-distribution shift the rounds could confirm (after Holm's family is known). */
static void sensitivity(struct paired *px, size_t r)
{
    struct gate_row *row = &px->out->rows[r];
    const struct prow *p = &px->rows[r];
    double w = p->mean_only ? 1.0 : 1.0 - GATE_TAIL_WEIGHT, shift;

    if (isnan(row->p) || isnan(p->var[LOC]) || px->out->n_tested == 0)
        return;
    shift = -dist_t_quantile(px->out->alpha_rows * w / (double)px->out->n_tested, p->df[LOC]) *
            sqrt(p->var[LOC]);
    row->detectable = p->log_scale ? exp(shift) - 1.0 : shift * p->scale / fabs(row->base_p95);
    if (!isfinite(row->detectable)) {
        row->detectable = NAN;
        return;
    }
    row->ungateable = row->detectable > row->threshold;
    if (row->ungateable)
        row->advice = p->measured ? "more rounds (--rounds), or a quieter runner"
                                  : "more rounds (--rounds): 3 or more measure the spread";
}

void gate_compare_paired(const struct bg_run *const *base, const struct bg_run *const *head,
                         size_t n, const struct gate_opts *opts, struct gate_report *out)
{
    struct paired px = { base, head, n, opts, out, NULL, NULL, 0, NULL };
    const struct bg_result ***bs = bg_xmalloc((2 * n + 1) * sizeof(*bs)), ***hs = bs + n;
    size_t max_rows = 0;

    /* the rows, the configuration's rules, new, missing and ignored: as compare makes them */
    gate_compare_runs(base, n, head, n, opts, out);
    free(out->suites);
    out->suites = NULL;
    out->n_suites = 0;
    out->inflation_location = out->inflation_tail = 1.0;
    out->replays = 0;
    for (size_t i = 0; i < n; i++) {
        bs[i] = sorted_results(base[i]);
        hs[i] = sorted_results(head[i]);
    }
    px.rows = bg_xcalloc(out->n_rows + 1, sizeof(*px.rows));
    for (size_t r = 0; r < out->n_rows; r++) {
        struct gate_row *row = &out->rows[r];

        px.rows[r].compared = row->base != NULL && row->cur != NULL &&
                              row->verdict != GATE_IGNORED;
        if (!px.rows[r].compared)
            continue;
        max_rows++;
        row->change = row->adj_change = row->location_change = NAN;
        row->ci_lo = row->ci_hi = row->boot_lo = row->boot_hi = NAN;
        row->p = row->p_holm = row->detectable = row->noise = NAN;
        row->tail_level = row->tail_expected = NAN;
        row->tail_observed = 0;
        row->low = 0;
        row->low_confidence = row->ungateable = false;
        row->advice = NULL;
        row->verdict = GATE_UNCHANGED;
        read_row(&px, r, bs, hs);
    }
    px.scratch = bg_xmalloc((max_rows + 1) * sizeof(*px.scratch));
    factors(&px);
    fit(&px);
    for (size_t r = 0; r < out->n_rows; r++) {
        if (px.rows[r].compared)
            judge(&px, r);
    }
    gate_report_settle(out);
    for (size_t r = 0; r < out->n_rows; r++) {
        if (px.rows[r].compared)
            sensitivity(&px, r);
    }
    gate_report_count(out);
    for (size_t r = 0; r < out->n_rows; r++) {
        for (int t = 0; t < N_TESTS; t++)
            free(px.rows[r].d[t]);
        free(px.rows[r].raw95);
    }
    for (size_t i = 0; i < 2 * n; i++)
        free(bs[i]);
    free(bs);
    free(px.rows);
    free(px.groups);
    free(px.scratch);
}
