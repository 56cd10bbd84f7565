/*
 * compare.c: matching results across the baseline history and the current
 * run(s), fitting the noise model per metric and statistic, and judging
 * each benchmark and each run-wide factor (see compare.h for the rules).
 */
#include "core/bg.h"
#include "gate/compare.h"
#include "core/deadline.h"
#include "core/stats.h"
#include "gate/config.h"
#include "gate/dist.h"
#include "gate/noise.h"
#include "gate/significance.h"
#include "gate/tail.h"

#include <math.h>

double gate_p95(const struct bg_result *res, double *scratch)
{
    if (res->n_samples == 0)
        return res->sum.p95;
    memcpy(scratch, res->samples, res->n_samples * sizeof(*scratch));
    return stats_quantile(scratch, res->n_samples, 0.95);
}

bool gate_needs_mean(const struct bg_result *res)
{
    return res->n_samples == 0 && isnan(res->sum.p95);
}

/* ---- rows: one per (name, metric) ------------------------------------- */

/* Per-row working state beside the public row. */
struct work {
    const struct bg_result *any;  /* a result that names the row */
    enum bg_direction dir;
    bool ignored, compared;
    bool log_scale;               /* y = log(v); else y = v / scale */
    double scale;
    struct noise_row fit[GATE_N_STATS];
    bool has[GATE_N_STATS];       /* fit[] holds a fit of that statistic */
    enum gate_stat stat;          /* what the change is on: p95 or mean */
    enum gate_stat test;          /* the model test: p50 (location) or the mean */
    struct tail_result tail;      /* the tail test, when tested */
};

/* t quantiles at one level, cached by degrees of freedom (rows share a few). */
struct tq_cache {
    double p[8], df[8], t[8];
    size_t n;
};

static double tq_get(struct tq_cache *c, double p, double df)
{
    size_t slot;

    for (size_t i = 0; i < c->n && i < ARRAY_SIZE(c->t); i++) {
        if (c->p[i] == p && c->df[i] == df)
            return c->t[i];
    }
    slot = c->n++ % ARRAY_SIZE(c->t);
    c->p[slot] = p;
    c->df[slot] = df;
    c->t[slot] = dist_t_quantile(p, df);
    return c->t[slot];
}

/*
 * What unchanged runs of this suite on this machine really do: the p-values
 * of the history's replays (each baseline run judged against the others).
 * A model of noise is right in the body and can be wrong in the tail (a
 * neighbour that slows half a benchmark's samples now and then), so the
 * current run's p is read against them:
 *     calibrated p = max(p * F, share of replays with a p as small)
 * where F >= 1 is how much more often than the model says the replays reach
 * p <= 0.001 (shrunk towards 1 by a prior of 1,000 well-behaved replays).
 * Within the range the replays cover the share is an empirical p-value;
 * beyond it, the model's p discounted by F.
 */
#define CALIB_LEVEL 1e-3
#define CALIB_PRIOR 1000.0

struct calib {
    double *p;
    size_t n, cap;
    double factor;
};

static void calib_add(struct calib *c, double p)
{
    if (isnan(p))
        return;
    BG_GROW(c->p, c->cap, c->n + 1);
    c->p[c->n++] = p;
}

static void calib_ready(struct calib *c)
{
    size_t below = 0;

    stats_sort(c->p, c->n);
    while (below < c->n && c->p[below] <= CALIB_LEVEL)
        below++;
    c->factor = ((double)below + CALIB_LEVEL * CALIB_PRIOR) / ((double)c->n + CALIB_PRIOR) /
                CALIB_LEVEL;
    if (c->factor < 1.0)
        c->factor = 1.0;
}

static double calib_apply(const struct calib *c, double p)
{
    size_t lo = 0, hi = c->n;

    if (c->n == 0 || isnan(p))
        return p;
    while (lo < hi) { /* replays with a p at most this one */
        size_t mid = lo + (hi - lo) / 2;

        if (c->p[mid] <= p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return fmin(1.0, fmax(p * c->factor, (double)lo / (double)c->n));
}

/* A row's identity, for lookups by (name, metric). */
struct ident {
    const struct bg_result *res;
    size_t seq; /* order of first appearance; later the row number */
};

struct compare {
    const struct bg_run *const *runs; /* k baseline runs, then m current ones */
    size_t k, m, n_runs;
    const struct gate_opts *opts;
    struct gate_report *out;
    struct work *w;
    struct ident *index;          /* one per row, sorted by identity */
    size_t n_index;
    struct gate_obs *obs;         /* obs[row * n_runs + run] */
    struct tail_run *tail_runs;   /* tail_runs[row * k + run]: the tail test's per run */
    const struct bg_result **res; /* res[row * n_runs + run], NULL where absent */
    struct tq_cache tq;           /* t quantiles of the intervals and sensitivities */
    struct calib null_loc, null_tail; /* the replays' p-values, worse side */
};

static int cmp_ident(const void *a, const void *b)
{
    const struct ident *x = a, *y = b;
    int c = strcmp(x->res->name, y->res->name);

    if (c == 0)
        c = strcmp(x->res->metric, y->res->metric);
    if (c == 0)
        c = (x->seq > y->seq) - (x->seq < y->seq);
    return c;
}

static int cmp_ident_name(const void *a, const void *b)
{
    const struct ident *x = a, *y = b;
    int c = strcmp(x->res->name, y->res->name);

    return c != 0 ? c : strcmp(x->res->metric, y->res->metric);
}

static int cmp_seq(const void *a, const void *b)
{
    const struct ident *x = a, *y = b;

    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* The row of (name, metric), or SIZE_MAX. */
static size_t find_row(const struct compare *cx, const struct bg_result *res)
{
    size_t lo = 0, hi = cx->n_index;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct bg_result *x = cx->index[mid].res;
        int c = strcmp(x->name, res->name);

        if (c == 0)
            c = strcmp(x->metric, res->metric);
        if (c == 0)
            return cx->index[mid].seq;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return SIZE_MAX;
}

/* Sorts ids by identity and drops repeats, keeping each identity's first
 * appearance; returns the count left. */
static size_t unique_idents(struct ident *ids, size_t n)
{
    size_t u = 0;

    qsort(ids, n, sizeof(*ids), cmp_ident);
    for (size_t i = 0; i < n; i++) {
        if (u > 0 && strcmp(ids[u - 1].res->name, ids[i].res->name) == 0 &&
            strcmp(ids[u - 1].res->metric, ids[i].res->metric) == 0)
            continue;
        ids[u++] = ids[i];
    }
    return u;
}

/*
 * Rows: every benchmark of the current runs in their order, then the newest
 * baseline run's benchmarks that no current run has (missing). Sorting
 * once, not inserting one by one: a run may hold 100,000 results.
 */
static void make_rows(struct compare *cx)
{
    const struct bg_run *newest = cx->k > 0 ? cx->runs[0] : NULL;
    size_t total = newest != NULL ? newest->n_results : 0, n = 0, n_cur, n_all;
    struct ident *ids;

    for (size_t j = cx->k; j < cx->n_runs; j++)
        total += cx->runs[j]->n_results;
    ids = bg_xmalloc((total + 1) * sizeof(*ids));
    for (size_t j = cx->k; j < cx->n_runs; j++) {
        for (size_t i = 0; i < cx->runs[j]->n_results; i++, n++)
            ids[n] = (struct ident){ &cx->runs[j]->results[i], n };
    }
    n_cur = unique_idents(ids, n);
    cx->index = ids;
    cx->n_index = n_cur;
    /* the newest baseline's benchmarks the current runs lack, after them */
    n_all = n_cur;
    for (size_t i = 0; newest != NULL && i < newest->n_results; i++) {
        struct ident probe = { &newest->results[i], SIZE_MAX };

        if (bsearch(&probe, ids, n_cur, sizeof(*ids), cmp_ident_name) == NULL)
            ids[n_all++] = (struct ident){ &newest->results[i], total + i };
    }
    n_all = n_cur + unique_idents(ids + n_cur, n_all - n_cur);
    /* number the rows in order of appearance, then index them by identity */
    qsort(ids, n_all, sizeof(*ids), cmp_seq);
    cx->out->rows = bg_xcalloc(n_all + 1, sizeof(*cx->out->rows));
    cx->w = bg_xcalloc(n_all + 1, sizeof(*cx->w));
    for (size_t r = 0; r < n_all; r++) {
        ids[r].seq = r;
        cx->w[r].any = ids[r].res;
    }
    cx->out->n_rows = n_all;
    qsort(ids, n_all, sizeof(*ids), cmp_ident);
    cx->n_index = n_all;
}

static size_t max_samples(const struct compare *cx)
{
    size_t n = 0;

    for (size_t j = 0; j < cx->n_runs; j++) {
        for (size_t i = 0; i < cx->runs[j]->n_results; i++) {
            if (cx->runs[j]->results[i].n_samples > n)
                n = cx->runs[j]->results[i].n_samples;
        }
    }
    return n;
}

/* Every run's results reduced to observations; each row's newest baseline
 * and current result. Results of older baseline runs that name no row are
 * benchmarks the newest runs no longer have: not part of the comparison. */
static void observe_all(struct compare *cx)
{
    /* Runs of one suite mostly list their results in the same order: the
     * row found at a position of the previous run is tried first (hint),
     * and the binary search only runs when it is not the one. */
    size_t n_hint = 0;
    size_t *hint;

    for (size_t j = 0; j < cx->n_runs; j++)
        n_hint = cx->runs[j]->n_results > n_hint ? cx->runs[j]->n_results : n_hint;
    hint = bg_xmalloc((n_hint + 1) * sizeof(*hint));
    for (size_t i = 0; i < n_hint; i++)
        hint[i] = SIZE_MAX;
    cx->obs = bg_xcalloc(cx->out->n_rows * cx->n_runs + 1, sizeof(*cx->obs));
    cx->res = bg_xcalloc(cx->out->n_rows * cx->n_runs + 1, sizeof(*cx->res));
    for (size_t j = 0; j < cx->n_runs; j++) {
        const struct bg_run *run = cx->runs[j];

        for (size_t i = 0; i < run->n_results; i++) {
            const struct bg_result *res = &run->results[i];
            size_t r = hint[i];
            struct gate_row *row;

            if (r == SIZE_MAX || strcmp(cx->w[r].any->name, res->name) != 0 ||
                strcmp(cx->w[r].any->metric, res->metric) != 0)
                r = hint[i] = find_row(cx, res);
            if (r == SIZE_MAX)
                continue;
            row = &cx->out->rows[r];
            if (cx->obs[r * cx->n_runs + j].present)
                continue; /* a duplicate identity in one run: the first counts */
            gate_observe(res, &cx->obs[r * cx->n_runs + j]);
            cx->res[r * cx->n_runs + j] = res;
            if (j < cx->k && row->base == NULL)
                row->base = res;
            if (j >= cx->k && row->cur == NULL)
                row->cur = res;
        }
    }
    free(hint);
}

/* The configuration's say on a row: threshold, direction, ignore. */
static void apply_config(struct compare *cx, size_t r)
{
    struct gate_row *row = &cx->out->rows[r];
    struct work *w = &cx->w[r];
    const struct gate_rule *rule =
        gate_config_match(cx->opts->config, w->any->name, w->any->metric);

    row->threshold = rule != NULL && !isnan(rule->threshold) ? rule->threshold
                                                             : cx->opts->threshold;
    w->dir = rule != NULL && rule->direction >= 0 ? (enum bg_direction)rule->direction
                                                  : w->any->direction;
    row->dir = w->dir;
    w->ignored = rule != NULL && rule->ignore;
}

/* Robust bands for the rows whose history is too short to measure their
 * run-to-run noise: there the within-run error counts in full. */
static void robust_bands(struct compare *cx)
{
    for (size_t r = 0; r < cx->out->n_rows; r++) {
        unsigned k = 0;

        for (size_t j = 0; j < cx->k; j++)
            k += cx->obs[r * cx->n_runs + j].present;
        if (k >= NOISE_MEASURED_MIN && cx->m == 1)
            continue;
        for (size_t j = 0; j < cx->n_runs; j++) {
            const struct bg_result *res = cx->res[r * cx->n_runs + j];

            if (res != NULL && res->n_samples > 0)
                gate_observe_robust(res, &cx->obs[r * cx->n_runs + j]);
        }
    }
}

/* ---- transforms ------------------------------------------------------- */

/* Logs when every value the row has is positive; else a linear scale. */
static void choose_scale(struct compare *cx, size_t r)
{
    const struct gate_obs *o = &cx->obs[r * cx->n_runs];
    struct work *w = &cx->w[r];
    double top = 0.0;

    w->log_scale = true;
    for (size_t j = 0; j < cx->n_runs; j++) {
        for (int s = 0; s < GATE_N_STATS; s++) {
            double v = o[j].v[s];

            if (!o[j].present || isnan(v))
                continue;
            if (!(v > 0.0) || isinf(v))
                w->log_scale = false;
            if (fabs(v) > top && !isinf(v))
                top = fabs(v);
        }
    }
    w->scale = top > 0.0 ? top : 1.0;
}

static double to_y(const struct work *w, double v)
{
    return w->log_scale ? log(v) : v / w->scale;
}

static double from_y(const struct work *w, double y)
{
    return w->log_scale ? exp(y) : y * w->scale;
}

/* ---- fitting, one (metric, direction, scale) group at a time ------------ */

/* A compared row with what groups it: rows of one metric, direction and
 * scale share a noise model. */
struct grouped {
    const struct work *w;
    size_t row;
};

static int cmp_group(const struct work *a, const struct work *b)
{
    int c = strcmp(a->any->metric, b->any->metric);

    if (c != 0)
        return c;
    if (a->dir != b->dir)
        return (int)a->dir - (int)b->dir;
    return (int)a->log_scale - (int)b->log_scale;
}

static int cmp_grouped(const void *a, const void *b)
{
    const struct grouped *x = a, *y = b;
    int c = cmp_group(x->w, y->w);

    return c != 0 ? c : (x->row > y->row) - (x->row < y->row);
}

/* Fits statistic s for the rows rows[0..n) of one group; keeps the fit
 * whose factor the suite finding reads (the median's; the mean's for
 * summaries without one): a slower machine moves the median as much as the
 * p95, and the median does not jump with a burst of outliers. */
static void fit_group(struct compare *cx, const size_t *rows, size_t n, enum gate_stat s,
                      double *y, double *se2, struct noise_fit *keep)
{
    struct noise_input in = { n, cx->k, cx->m, y, se2, false, cx->opts->prior_spread };
    struct noise_fit fit;
    bool any = false;

    for (size_t i = 0; i < n; i++) {
        const struct work *w = &cx->w[rows[i]];
        const struct gate_obs *o = &cx->obs[rows[i] * cx->n_runs];
        double *ys = y + i * cx->n_runs, *es = se2 + i * cx->n_runs, base_n_se2 = 0.0;
        unsigned n_base = 0;

        in.factor = w->log_scale;
        for (size_t j = 0; j < cx->n_runs; j++) {
            double v = o[j].present ? o[j].v[s] : NAN, half;

            ys[j] = isnan(v) ? NAN : to_y(w, v);
            half = isnan(v) || isnan(o[j].lo[s]) || isnan(o[j].hi[s]) ? NAN
                   : w->log_scale && !(o[j].lo[s] > 0.0)
                       /* a band reaching zero (few samples, a wild one): its log
                        * width by the delta method, se / v */
                       ? (o[j].hi[s] - o[j].lo[s]) / 2.0 / v
                       : (to_y(w, o[j].hi[s]) - to_y(w, o[j].lo[s])) / 2.0;
            es[j] = half * half;
            any |= !isnan(v);
            if (j < cx->k && !isnan(es[j]) && o[j].n > 0) {
                base_n_se2 += es[j] * (double)o[j].n;
                n_base++;
            }
        }
        /*
         * The test asks whether the current value is a draw of the history's
         * kind: its estimation error is then the history's, scaled by its
         * own sample count (variance ~ 1/n). Its observed band would be
         * wrong twice: a tail that moved widens the band around the p95
         * exactly when the change is real, and hides it. (The mean is the
         * exception: its error is the run's own sd over root n, and outliers
         * that move a mean also widen that sd.)
         */
        for (size_t j = cx->k; j < cx->n_runs && n_base > 0 && s != GATE_STAT_MEAN; j++) {
            if (!isnan(ys[j]) && o[j].n > 0)
                es[j] = base_n_se2 / n_base / (double)o[j].n;
        }
    }
    if (!any)
        return;
    noise_fit(&in, &fit);
    for (size_t i = 0; i < n; i++) {
        struct work *w = &cx->w[rows[i]];

        w->fit[s] = fit.rows[i];
        w->has[s] = fit.rows[i].k > 0 && fit.rows[i].m > 0;
        /* the location test's replays: one-sided, worse. One that points the
         * better way has p >= 1/2, which never decides anything: counted as 1
         * (its exact tail, a tenth of the gate's time, would only lower the
         * share of replays at p >= 1/2, and so the p of rows that pass) */
        for (size_t j = 0; s == GATE_STAT_P50 && j < cx->k; j++) {
            double t = fit.loo_t[i * cx->k + j];

            if (w->dir == BG_DIR_HIGHER)
                t = -t;
            if (!isnan(t))
                calib_add(&cx->null_loc, t > 0.0 ? dist_t_sf(t, fit.loo_df[i]) : 1.0);
        }
    }
    if (keep != NULL && fit.factor_rows > 0 &&
        (s == GATE_STAT_P50 || (s == GATE_STAT_MEAN && keep->factor_rows == 0))) {
        noise_fit_release(keep);
        *keep = fit;
    } else {
        noise_fit_release(&fit);
    }
}

/* A run-wide factor of one group, as the suite finding it may become. */
static void add_suite(struct compare *cx, const struct work *w, const struct noise_fit *fit)
{
    struct gate_report *out = cx->out;
    struct gate_suite *su;
    double ratio = exp(fit->factor_est), per_run;

    if (fit->factor_rows == 0 || !w->log_scale || isnan(fit->factor_est))
        return;
    out->suites = bg_xrealloc(out->suites, (out->n_suites + 1) * sizeof(*out->suites));
    su = &out->suites[out->n_suites++];
    memset(su, 0, sizeof(*su));
    su->metric = w->any->metric;
    su->direction = w->dir;
    su->n_rows = fit->factor_rows;
    su->change = bg_change(1.0, ratio, w->dir);
    per_run = fit->factor_var / (1.0 / (double)cx->k + 1.0 / (double)cx->m);
    su->spread = fit->factor_measured ? sqrt(per_run) : NAN;
    su->measured = fit->factor_measured;
    {
        double t = fit->factor_est / sqrt(fit->factor_var);
        bool worse = su->change > 0;

        if (w->dir == BG_DIR_HIGHER)
            t = -t;
        su->p = worse ? dist_t_sf(t, fit->factor_df) : dist_t_cdf(t, fit->factor_df);
    }
}

/* Whether a row of the group is compared on its mean (a side without a p95). */
static bool needs_mean(const struct compare *cx, const size_t *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct gate_obs *o = &cx->obs[rows[i] * cx->n_runs];

        for (size_t j = 0; j < cx->n_runs; j++) {
            if (o[j].present && isnan(o[j].v[GATE_STAT_P95]))
                return true;
        }
    }
    return false;
}

static void fit_all(struct compare *cx)
{
    size_t n = 0, runs = cx->n_runs;
    struct grouped *g = bg_xmalloc((cx->out->n_rows + 1) * sizeof(*g));
    size_t *order = bg_xmalloc((cx->out->n_rows + 1) * sizeof(*order));
    double *y, *se2;

    for (size_t r = 0; r < cx->out->n_rows; r++) {
        if (cx->w[r].compared) {
            choose_scale(cx, r);
            g[n++] = (struct grouped){ &cx->w[r], r };
        }
    }
    qsort(g, n, sizeof(*g), cmp_grouped);
    for (size_t i = 0; i < n; i++)
        order[i] = g[i].row;
    y = bg_xmalloc((n * runs + 1) * sizeof(*y));
    se2 = bg_xmalloc((n * runs + 1) * sizeof(*se2));
    for (size_t a = 0; a < n;) {
        size_t b = a + 1;
        struct noise_fit factor;

        memset(&factor, 0, sizeof(factor));
        while (b < n && cmp_group(g[a].w, g[b].w) == 0)
            b++;
        for (int s = 0; s < GATE_N_STATS; s++) {
            if (s != GATE_STAT_MEAN || needs_mean(cx, order + a, b - a))
                fit_group(cx, order + a, b - a, (enum gate_stat)s, y, se2, &factor);
        }
        add_suite(cx, g[a].w, &factor);
        noise_fit_release(&factor);
        a = b;
    }
    free(se2);
    free(y);
    free(order);
    free(g);
}

/* ---- judging ------------------------------------------------------------ */

/* What the change is on, and which model test goes with the tail test. */
static void choose_tests(struct compare *cx, size_t r)
{
    struct work *w = &cx->w[r];
    const struct gate_row *row = &cx->out->rows[r];

    if (!w->has[GATE_STAT_P95] || gate_needs_mean(row->cur) || gate_needs_mean(row->base)) {
        w->stat = w->test = GATE_STAT_MEAN;
        return;
    }
    w->stat = GATE_STAT_P95;
    w->test = w->has[GATE_STAT_P50] ? GATE_STAT_P50 : GATE_STAT_P95;
}

/* One-sided p-values of a fitted statistic: worse, and better. */
static void one_sided(const struct work *w, const struct noise_row *f, double *worse,
                      double *better)
{
    double sign = w->dir == BG_DIR_HIGHER ? -1.0 : 1.0, t;

    if (!(f->var > 0.0)) {
        double d = sign * f->est;

        *worse = d > 0 ? 0.0 : 1.0;
        *better = d < 0 ? 0.0 : 1.0;
        return;
    }
    t = sign * f->est / sqrt(f->var);
    *worse = dist_t_sf(t, f->df);
    *better = 1.0 - *worse;
}

static double mean_current(const struct compare *cx, size_t r, enum gate_stat s)
{
    const struct gate_obs *o = &cx->obs[r * cx->n_runs];
    const struct work *w = &cx->w[r];
    double sum = 0.0;
    unsigned n = 0;

    for (size_t j = cx->k; j < cx->n_runs; j++) {
        if (o[j].present && !isnan(o[j].v[s])) {
            sum += to_y(w, o[j].v[s]);
            n++;
        }
    }
    return n > 0 ? from_y(w, sum / n) : NAN;
}

/* The tail test's first pass for a compared row on a log scale. */
static void measure_tail(struct compare *cx, size_t r, double *medians, double *p95s)
{
    struct work *w = &cx->w[r];
    const struct gate_obs *o = &cx->obs[r * cx->n_runs];
    struct tail_input in;

    if (!w->log_scale || w->stat != GATE_STAT_P95 || w->dir != BG_DIR_LOWER)
        return; /* a slower throughput is a heavier lower tail: not tested */
    for (size_t j = 0; j < cx->n_runs; j++) {
        medians[j] = o[j].present ? o[j].v[GATE_STAT_P50] : NAN;
        p95s[j] = o[j].present ? o[j].v[GATE_STAT_P95] : NAN;
    }
    in.base = cx->res + r * cx->n_runs;
    in.k = cx->k;
    in.cur = cx->res + r * cx->n_runs + cx->k;
    in.m = cx->m;
    in.base_median = medians;
    in.cur_median = medians + cx->k;
    in.base_p95 = p95s;
    in.threshold = cx->out->rows[r].threshold;
    in.runs = cx->tail_runs + r * cx->k;
    tail_measure(&in, &w->tail);
}

/* The model test's estimate as a change, net of the run's factor: how far
 * the whole distribution moved (signed so that positive is worse). */
static double location_change(const struct work *w)
{
    const struct noise_row *t = &w->fit[w->test];

    return bg_change(from_y(w, t->level), from_y(w, t->level + t->est), w->dir);
}

/* The model test's share of alpha: all of it, or what the tail test leaves. */
static double model_weight(const struct work *w)
{
    return w->tail.tested ? 1.0 - GATE_TAIL_WEIGHT : 1.0;
}

/*
 * The change, its interval and the evidence of one compared row: the model
 * test (the median against its history: a shift of the whole distribution;
 * the mean for summaries) and the tail test, by weighted Bonferroni.
 */
static void judge(struct compare *cx, size_t r)
{
    struct gate_row *row = &cx->out->rows[r];
    struct work *w = &cx->w[r];
    const struct noise_row *f = &w->fit[w->stat];
    double worse, better, tq, lo, hi, shift;

    row->stat = gate_stat_name(w->stat);
    row->k = f->k;
    row->m = f->m;
    /* the baseline is the history's typical value: the median of its runs'
     * values, each net of its run's factor. One run's p95 is skewed (a run
     * with a few outliers reads far higher), and an unchanged run's p95 is
     * as likely above the history's median as below it: the threshold is
     * crossed by chance as often either way. (Their mean would sit higher,
     * and a real shift would read smaller than it is.) The current value is
     * the run's own, and the adjusted one its own minus its run's factor. */
    row->base_p95 = from_y(w, f->typical);
    row->cur_p95 = mean_current(cx, r, w->stat);
    row->change = bg_change(row->base_p95, row->cur_p95, w->dir);
    row->adj_change = bg_change(row->base_p95, from_y(w, f->level + f->est), w->dir);
    row->noise = w->log_scale ? sqrt(f->s2) : sqrt(f->s2) * w->scale / fabs(row->base_p95);
    tq = tq_get(&cx->tq, 0.975, f->df);
    lo = bg_change(row->base_p95, from_y(w, f->level + f->est - tq * sqrt(f->var)), w->dir);
    hi = bg_change(row->base_p95, from_y(w, f->level + f->est + tq * sqrt(f->var)), w->dir);
    row->ci_lo = fmin(lo, hi);
    row->ci_hi = fmax(lo, hi);
    if (!isfinite(row->noise) || !isfinite(row->ci_lo) || !isfinite(row->ci_hi)) {
        /* a history of zeros (bytes of a benchmark that allocates nothing):
         * no spread relative to it; the change itself still says +inf% */
        row->noise = NAN;
        row->ci_lo = row->ci_hi = NAN;
    }

    one_sided(w, &w->fit[w->test], &worse, &better);
    if (w->test == GATE_STAT_P50)
        worse = calib_apply(&cx->null_loc, worse);
    /*
     * A verdict needs the p95 past the threshold and evidence of a change
     * past it too. The model test asks whether the whole distribution
     * moved at all, so it is evidence only when that move is past the
     * threshold itself: a real 3% shift is no regression however high a
     * noisy p95 happened to read. The tail test's level has the threshold
     * in it already.
     */
    shift = location_change(w);
    row->location_change = shift;
    if (!(shift > row->threshold))
        worse = 1.0;
    if (!(shift < -row->threshold))
        better = 1.0;
    row->evidence = gate_stat_name(w->test);
    row->tail_level = w->tail.tested ? w->tail.level : NAN;
    row->tail_expected = w->tail.tested ? w->tail.expected : NAN;
    row->tail_observed = w->tail.tested ? w->tail.observed : 0;
    /* weighted Bonferroni: each test's p over its share of alpha */
    worse /= model_weight(w);
    better /= model_weight(w);
    if (w->tail.tested) {
        double tw = calib_apply(&cx->null_tail, w->tail.p_worse) / GATE_TAIL_WEIGHT;
        double tb = w->tail.p_better / GATE_TAIL_WEIGHT;

        if (!(row->adj_change > row->threshold))
            tw = 1.0;
        if (!(row->adj_change < -row->threshold))
            tb = 1.0;
        if (fmin(tw, tb) < fmin(worse, better))
            row->evidence = "tail";
        worse = fmin(worse, tw);
        better = fmin(better, tb);
    }
    worse = fmin(1.0, worse);
    better = fmin(1.0, better);
    /* the way the evidence points: worse, better, or neither */
    row->direction = worse < better ? 1 : better < worse ? -1 : 0;
    row->p = row->direction != 0 ? fmin(worse, better) : 1.0;
    if (isnan(row->adj_change))
        row->p = NAN;
}

static void mark_low(struct compare *cx, size_t r)
{
    struct gate_row *row = &cx->out->rows[r];
    const struct gate_obs *o = &cx->obs[r * cx->n_runs];

    row->low = 0;
    for (size_t j = 0; j < cx->n_runs; j++) {
        if (!o[j].present)
            continue;
        if (!o[j].samples)
            row->low |= cx->res[r * cx->n_runs + j]->pruned ? GATE_LOW_PRUNED : GATE_LOW_SUMMARY;
        else if (o[j].n < cx->opts->min_samples)
            row->low |= GATE_LOW_SAMPLES;
    }
    if (!cx->w[r].fit[cx->w[r].stat].measured)
        row->low |= GATE_LOW_HISTORY;
    row->low_confidence = row->low != 0;
}

/* Holm across every tested row, at the rows' share of alpha. */
static void settle(struct gate_report *out)
{
    double *p = bg_xmalloc((out->n_rows + 1) * sizeof(*p));
    double *adj = bg_xmalloc((out->n_rows + 1) * sizeof(*adj));

    for (size_t i = 0; i < out->n_rows; i++)
        p[i] = out->rows[i].p;
    out->n_tested = sig_holm(p, out->n_rows, adj);
    for (size_t i = 0; i < out->n_rows; i++) {
        struct gate_row *row = &out->rows[i];
        double e = row->adj_change;

        row->p_holm = adj[i];
        if (isnan(row->p))
            continue;
        /* the p95 past the threshold, and evidence (for a change past it,
         * judge saw to that) pointing the same way */
        if (e > row->threshold)
            row->verdict = row->p_holm <= out->alpha_rows && row->direction > 0
                               ? GATE_REGRESSED : GATE_INCONCLUSIVE;
        else if (e < -row->threshold)
            row->verdict = row->p_holm <= out->alpha_rows && row->direction < 0
                               ? GATE_IMPROVED : GATE_INCONCLUSIVE;
        else
            row->verdict = GATE_UNCHANGED;
    }
    free(adj);
    free(p);
}

static void settle_suites(struct gate_report *out)
{
    out->alpha_suite = out->opts.alpha;
    for (size_t i = 0; i < out->n_suites; i++) {
        struct gate_suite *s = &out->suites[i];

        s->p_adj = fmin(1.0, s->p * (double)out->n_suites);
        if (fabs(s->change) <= out->opts.threshold)
            s->verdict = GATE_UNCHANGED;
        else if (s->p_adj <= out->alpha_suite)
            s->verdict = s->change > 0 ? GATE_REGRESSED : GATE_IMPROVED;
        else
            s->verdict = GATE_INCONCLUSIVE;
    }
}

void gate_report_settle(struct gate_report *out)
{
    out->alpha_rows = out->opts.alpha;
    settle(out);
    settle_suites(out);
}

void gate_report_count(struct gate_report *out)
{
    memset(out->count, 0, sizeof(out->count));
    out->n_low = out->n_ungateable = 0;
    for (size_t r = 0; r < out->n_rows; r++) {
        out->count[out->rows[r].verdict]++;
        out->n_low += out->rows[r].low_confidence;
        out->n_ungateable += out->rows[r].ungateable;
    }
}

/* How much the replays discount the model test's p (1: not at all). */
static double calib_factor(const struct compare *cx, const struct work *w)
{
    return w->test == GATE_STAT_P50 && cx->null_loc.n > 0 ? cx->null_loc.factor : 1.0;
}

/*
 * The smallest shift of the whole distribution the gate would confirm: the
 * model test at the first Holm step's level (alpha over the family, over
 * the tests made), as a p95 change. Past the threshold, the benchmark cannot
 * fail the gate on a real change near the threshold: say what would help.
 */
static void sensitivity(struct compare *cx, size_t r)
{
    struct gate_row *row = &cx->out->rows[r];
    const struct work *w = &cx->w[r];
    const struct noise_row *f = &w->fit[w->test];
    double t, shift;

    if (isnan(f->var))
        return;
    /* the upper quantile as minus the lower one: 1 - a tiny level rounds to 1 */
    t = -tq_get(&cx->tq, cx->out->alpha_rows * model_weight(w) / (double)cx->out->n_tested /
                             calib_factor(cx, w), f->df);
    shift = t * sqrt(f->var);
    row->detectable = w->log_scale ? exp(shift) - 1.0 : shift * w->scale / fabs(row->base_p95);
    if (!isfinite(row->detectable)) {
        row->detectable = NAN; /* relative to a typical value of zero */
        return;
    }
    row->ungateable = row->detectable > row->threshold;
    if (!row->ungateable)
        return;
    if (f->k < 10 && f->s2 / f->k >= 0.25 * f->var)
        row->advice = "more baseline runs";
    else if (f->within >= 0.25 * f->var)
        row->advice = "more samples per run";
    else
        row->advice = "a looser threshold for it in benchgate.json, or a quieter runner";
}

/* Whether row r gets the optional bootstrap interval. */
static bool bootstrapped(const struct compare *cx, size_t r)
{
    const struct gate_row *row = &cx->out->rows[r];
    const struct bg_result *b = row->base, *c = row->cur;

    return cx->opts->resamples > 0 && cx->w[r].compared && b != NULL && c != NULL &&
           b->n_samples > 0 && c->n_samples > 0 && cx->w[r].stat == GATE_STAT_P95;
}

/* The bootstrap's random draws over every row: resamples x both sides' samples. */
static uint64_t bootstrap_draws(const struct compare *cx)
{
    uint64_t draws = 0;

    for (size_t r = 0; r < cx->out->n_rows; r++) {
        if (bootstrapped(cx, r))
            draws += (uint64_t)cx->opts->resamples *
                     (cx->out->rows[r].base->n_samples + cx->out->rows[r].cur->n_samples);
    }
    return draws;
}

/* The optional within-run bootstrap interval between the newest runs. */
static void bootstrap(struct compare *cx, size_t r)
{
    struct gate_row *row = &cx->out->rows[r];
    const struct bg_result *b = row->base, *c = row->cur;

    if (!bootstrapped(cx, r))
        return;
    sig_bootstrap_change(b->samples, b->n_samples, c->samples, c->n_samples, cx->w[r].dir,
                         cx->opts->resamples, sig_seed(cx->opts->seed, c->name, c->metric), 0.95,
                         &row->boot_lo, &row->boot_hi);
}

/* The value a lone (new or missing) result is shown with. */
static double lone_value(const struct bg_result *res, double *scratch, const char **stat)
{
    *stat = gate_needs_mean(res) ? "mean" : "p95";
    return gate_needs_mean(res) ? res->sum.mean : gate_p95(res, scratch);
}

void gate_compare_runs(const struct bg_run *const *base, size_t k,
                       const struct bg_run *const *cur, size_t m, const struct gate_opts *opts,
                       struct gate_report *out)
{
    struct compare cx;
    const struct bg_run **runs = bg_xmalloc((k + m + 1) * sizeof(*runs));
    struct tail_suite tails = { 0.0, 0.0 };
    double *scratch;

    memset(out, 0, sizeof(*out));
    memset(&cx, 0, sizeof(cx));
    out->base = k > 0 ? base[0] : NULL;
    out->base_runs = base;
    out->n_base = k;
    out->cur = cur[0];
    out->n_cur = m;
    out->opts = *opts;
    for (size_t j = 0; j < k; j++)
        runs[j] = base[j];
    for (size_t j = 0; j < m; j++)
        runs[k + j] = cur[j];
    cx.runs = runs;
    cx.k = k;
    cx.m = m;
    cx.n_runs = k + m;
    cx.opts = opts;
    cx.out = out;

    make_rows(&cx);
    observe_all(&cx);
    robust_bands(&cx);
    for (size_t r = 0; r < out->n_rows; r++) {
        struct gate_row *row = &out->rows[r];

        row->base_p95 = row->cur_p95 = NAN;
        row->change = row->adj_change = row->location_change = row->ci_lo = row->ci_hi = NAN;
        row->boot_lo = row->boot_hi = row->p = row->p_holm = NAN;
        row->detectable = row->noise = NAN;
        apply_config(&cx, r);
        cx.w[r].compared = !cx.w[r].ignored && row->base != NULL && row->cur != NULL;
    }
    fit_all(&cx);
    out->alpha_rows = opts->alpha;
    out->alpha_suite = opts->alpha;

    cx.tail_runs = bg_xcalloc(out->n_rows * k + 1, sizeof(*cx.tail_runs));
    scratch = bg_xmalloc((max_samples(&cx) + 2 * cx.n_runs + 1) * sizeof(*scratch));
    for (size_t r = 0; r < out->n_rows && !bg_deadline_over(); r++) {
        if (cx.w[r].compared) {
            choose_tests(&cx, r);
            measure_tail(&cx, r, scratch, scratch + cx.n_runs);
            tail_suite_add(&tails, &cx.w[r].tail);
        }
    }
    for (size_t r = 0; r < out->n_rows; r++) {
        if (!cx.w[r].compared)
            continue;
        tail_finish(&cx.w[r].tail, tail_suite_dispersion(&tails));
        for (size_t j = 0; j < cx.w[r].tail.n_runs; j++)
            calib_add(&cx.null_tail, cx.w[r].tail.runs[j].loo_p);
    }
    calib_ready(&cx.null_loc);
    calib_ready(&cx.null_tail);
    out->inflation_location = cx.null_loc.factor;
    out->inflation_tail = cx.null_tail.factor;
    out->replays = cx.null_loc.n + cx.null_tail.n;
    out->draws_asked = bootstrap_draws(&cx);
    if (out->draws_asked <= opts->max_draws || opts->max_draws == 0)
        out->draws_asked = 0;
    for (size_t r = 0; r < out->n_rows; r++) {
        struct gate_row *row = &out->rows[r];
        struct work *w = &cx.w[r];

        if (bg_deadline_over()) {
            out->stopped = true;
            break;
        }
        if (w->compared) {
            judge(&cx, r);
            mark_low(&cx, r);
            if (out->draws_asked == 0)
                bootstrap(&cx, r);
            continue;
        }
        if (row->cur != NULL)
            row->cur_p95 = lone_value(row->cur, scratch, &row->stat);
        if (row->base != NULL)
            row->base_p95 = lone_value(row->base, scratch, &row->stat);
        row->verdict = w->ignored ? GATE_IGNORED : row->base == NULL ? GATE_NEW : GATE_MISSING;
        if (w->ignored && row->base != NULL && row->cur != NULL)
            row->change = bg_change(row->base_p95, row->cur_p95, w->dir);
    }
    gate_report_settle(out);
    for (size_t r = 0; r < out->n_rows; r++) {
        if (cx.w[r].compared && !isnan(out->rows[r].p))
            sensitivity(&cx, r);
    }
    gate_report_count(out);
    free(scratch);
    free(cx.null_loc.p);
    free(cx.null_tail.p);
    free(cx.obs);
    free(cx.tail_runs);
    free(cx.res);
    free(cx.index);
    free(cx.w);
    free(runs);
}

void gate_compare(const struct bg_run *base, const struct bg_run *cur,
                  const struct gate_opts *opts, struct gate_report *out)
{
    /* the report keeps a pointer to the history's list: one static-free slot per report */
    const struct bg_run **list = NULL;

    if (base != NULL) {
        list = bg_xmalloc(sizeof(*list));
        list[0] = base;
    }
    gate_compare_runs(list, base != NULL ? 1 : 0, &cur, 1, opts, out);
    out->owned_runs = list;
}

void gate_report_release(struct gate_report *r)
{
    free(r->rows);
    free(r->suites);
    free(r->owned_runs);
    memset(r, 0, sizeof(*r));
}

bool gate_row_fails(const struct gate_report *r, const struct gate_row *row)
{
    switch (row->verdict) {
    case GATE_REGRESSED:
        return true;
    case GATE_INCONCLUSIVE:
        return r->opts.fail_on_inconclusive && row->adj_change > 0; /* only slowdowns */
    case GATE_MISSING:
        return r->opts.fail_on_missing;
    default:
        return false;
    }
}

bool gate_suite_fails(const struct gate_report *r, const struct gate_suite *s)
{
    return s->verdict == GATE_REGRESSED ||
           (s->verdict == GATE_INCONCLUSIVE && r->opts.fail_on_inconclusive && s->change > 0);
}

size_t gate_n_failing(const struct gate_report *r)
{
    size_t n = 0;

    for (size_t i = 0; i < r->n_rows; i++)
        n += gate_row_fails(r, &r->rows[i]);
    return n;
}

bool gate_failed(const struct gate_report *r)
{
    for (size_t i = 0; i < r->n_suites; i++) {
        if (gate_suite_fails(r, &r->suites[i]))
            return true;
    }
    return gate_n_failing(r) > 0;
}

const char *gate_verdict_name(enum gate_verdict v)
{
    switch (v) {
    case GATE_UNCHANGED:
        return "unchanged";
    case GATE_IMPROVED:
        return "improved";
    case GATE_REGRESSED:
        return "regressed";
    case GATE_INCONCLUSIVE:
        return "inconclusive";
    case GATE_NEW:
        return "new";
    case GATE_MISSING:
        return "missing";
    case GATE_IGNORED:
        return "ignored";
    case GATE_N_VERDICTS:
        break;
    }
    return "?";
}

void gate_low_text(const struct gate_report *r, const struct gate_row *row, char *buf,
                   size_t size)
{
    size_t len = 0;

    buf[0] = '\0';
    if ((row->low & GATE_LOW_SAMPLES) && len < size)
        len += (size_t)snprintf(buf + len, size - len, "fewer than %zu samples",
                                r->opts.min_samples);
    if ((row->low & GATE_LOW_SUMMARY) && len < size)
        len += (size_t)snprintf(buf + len, size - len, "%ssummary only%s", len > 0 ? "; " : "",
                                row->stat != NULL && strcmp(row->stat, "mean") == 0
                                    ? ", on the mean" : "");
    if ((row->low & GATE_LOW_PRUNED) && len < size)
        len += (size_t)snprintf(buf + len, size - len, "%ssamples pruned, on the stored "
                                "summaries", len > 0 ? "; " : "");
    if ((row->low & GATE_LOW_HISTORY) && len < size)
        snprintf(buf + len, size - len, "%srun-to-run noise not measured (%u baseline run%s)",
                 len > 0 ? "; " : "", row->k, row->k == 1 ? "" : "s");
}
