/* noise.c: the two-level noise model of noise.h: levels, run-wide factors, moderated spreads. */
#include "core/bg.h"
#include "gate/noise.h"
#include "core/err.h"
#include "core/stats.h"
#include "gate/dist.h"

#include <math.h>

#define PI_2 1.57079632679489661923 /* the variance of a median is about pi/2 s2/n */

void noise_fit_release(struct noise_fit *fit)
{
    free(fit->rows);
    free(fit->factor);
    free(fit->loo_t);
    free(fit->loo_df);
    memset(fit, 0, sizeof(*fit));
}

/* mu for every row: the mean of its baseline values minus their runs' factors. */
static void levels(const struct noise_input *in, const double *factor, struct noise_row *rows)
{
    size_t runs = in->k + in->m;

    for (size_t r = 0; r < in->n_rows; r++) {
        const double *y = in->y + r * runs;
        double sum = 0.0;
        unsigned k = 0;

        for (size_t j = 0; j < in->k; j++) {
            if (!isnan(y[j])) {
                sum += y[j] - factor[j];
                k++;
            }
        }
        rows[r].k = k;
        rows[r].level = k > 0 ? sum / k : NAN;
    }
}

/* The median deviation of run j from the levels, over rows that have at
 * least min_k baseline values; 0 with fewer than NOISE_FACTOR_MIN such rows.
 * *used (may be NULL) receives the number of rows. */
static double run_factor(const struct noise_input *in, const struct noise_row *rows, size_t j,
                         unsigned min_k, double *scratch, size_t *used)
{
    size_t runs = in->k + in->m, n = 0;

    for (size_t r = 0; r < in->n_rows; r++) {
        double y = in->y[r * runs + j];

        if (!isnan(y) && rows[r].k >= min_k)
            scratch[n++] = y - rows[r].level;
    }
    if (used != NULL)
        *used = n;
    return n >= NOISE_FACTOR_MIN ? stats_quantile(scratch, n, 0.5) : 0.0;
}

/*
 * The factors: baseline runs' by alternating medians and levels (three
 * rounds settle them), centred so the history's factors average zero; then
 * each current run's against those levels. Leaves every factor 0 when a
 * current run has too few benchmarks to estimate its own: removing the
 * history's factors alone would understate the current run's variation.
 */
static void factors(const struct noise_input *in, struct noise_fit *out, double *scratch)
{
    size_t used = SIZE_MAX;
    double offset = 0.0;

    for (int round = 0; round < 3 && in->k >= 2; round++) {
        double mean = 0.0;

        for (size_t j = 0; j < in->k; j++)
            mean += out->factor[j] = run_factor(in, out->rows, j, 2, scratch, NULL);
        mean /= (double)in->k;
        for (size_t j = 0; j < in->k; j++)
            out->factor[j] -= mean;
        levels(in, out->factor, out->rows);
    }
    /* A median of deviations is not their mean where they are skewed (a
     * p95's are): against the settled levels, the history's runs' medians
     * sit at their factors plus that offset; the current run's lose the
     * same, or an unchanged run would read as moved by it. */
    for (size_t j = 0; j < in->k && in->k >= 2; j++)
        offset += (run_factor(in, out->rows, j, 2, scratch, NULL) - out->factor[j]) / in->k;
    for (size_t c = in->k; c < in->k + in->m; c++) {
        size_t n;

        out->factor[c] = run_factor(in, out->rows, c, 1, scratch, &n) - offset;
        if (n < used)
            used = n;
    }
    if (used < NOISE_FACTOR_MIN || used == SIZE_MAX) {
        memset(out->factor, 0, (in->k + in->m) * sizeof(*out->factor));
        levels(in, out->factor, out->rows);
        return;
    }
    out->factor_rows = used;
}

/* Each row's own residual variance, typical value and the current runs' mean deviation. */
static void residuals(const struct noise_input *in, struct noise_fit *out, double *scratch)
{
    size_t runs = in->k + in->m;

    for (size_t r = 0; r < in->n_rows; r++) {
        const double *y = in->y + r * runs;
        struct noise_row *row = &out->rows[r];
        double ss = 0.0, sum = 0.0, mean;
        unsigned m = 0, df, n = 0;

        for (size_t j = 0; j < in->k; j++) {
            if (!isnan(y[j])) {
                double e = y[j] - row->level - out->factor[j];

                ss += e * e;
                scratch[n++] = y[j] - out->factor[j];
            }
        }
        row->typical = n > 0 ? stats_quantile(scratch, n, 0.5) : NAN;
        for (size_t c = in->k; c < runs; c++) {
            if (!isnan(y[c])) {
                sum += y[c] - row->level - out->factor[c];
                m++;
            }
        }
        mean = m > 0 ? sum / m : NAN;
        for (size_t c = in->k; c < runs && m > 1; c++) {
            if (!isnan(y[c])) {
                double e = y[c] - row->level - out->factor[c] - mean;

                ss += e * e;
            }
        }
        row->m = m;
        row->est = row->k > 0 ? mean : NAN;
        df = (row->k > 0 ? row->k - 1 : 0) + (m > 0 ? m - 1 : 0);
        row->df = df;
        row->s2_own = df > 0 ? ss / df : NAN;
    }
}

bool noise_prior(const double *s2, const double *df, size_t n, double *prior_s2,
                 double *prior_df)
{
    size_t g = 0;
    double sum = 0.0, sum2 = 0.0, tri = 0.0, mean, var, target, d0;

    *prior_s2 = NAN;
    *prior_df = 0.0;
    for (size_t r = 0; r < n; r++) {
        double d = df[r], e;

        if (d < NOISE_MEASURED_MIN - 1 || !(s2[r] > 0.0) || isinf(s2[r]))
            continue;
        e = log(s2[r]) - dist_digamma(d / 2.0) + log(d / 2.0);
        sum += e;
        sum2 += e * e;
        tri += dist_trigamma(d / 2.0);
        g++;
    }
    if (g < NOISE_MODERATE_MIN)
        return false;
    mean = sum / (double)g;
    var = (sum2 - (double)g * mean * mean) / (double)(g - 1);
    target = var - tri / (double)g;
    d0 = target > 0.0 ? 2.0 * dist_trigamma_inverse(target) : NOISE_DF_MAX;
    if (d0 > NOISE_DF_MAX)
        d0 = NOISE_DF_MAX;
    *prior_df = d0;
    *prior_s2 = exp(mean + dist_digamma(d0 / 2.0) - log(d0 / 2.0));
    return true;
}

/*
 * The suite's prior (s0^2, d0) by Smyth's method of moments on log s2:
 * E[log s2] = log s0^2 + digamma(d/2) - log(d/2) + ... and its variance
 * exceeds trigamma(d/2) by trigamma(d0/2). Only rows with a measured
 * spread and a positive variance take part.
 */
static void prior(const struct noise_input *in, struct noise_fit *out, double *scratch)
{
    double *s2 = scratch, *df = scratch + in->n_rows;

    for (size_t r = 0; r < in->n_rows; r++) {
        s2[r] = out->rows[r].s2_own;
        df[r] = out->rows[r].df;
    }
    noise_prior(s2, df, in->n_rows, &out->prior_s2, &out->prior_df);
}

/* The mean within-run variance over runs [from, to) of a row; NAN when none is known. */
static double mean_se2(const double *se2, const double *y, size_t from, size_t to)
{
    double sum = 0.0;
    unsigned n = 0;

    for (size_t j = from; j < to; j++) {
        if (!isnan(y[j]) && !isnan(se2[j])) {
            sum += se2[j];
            n++;
        }
    }
    return n > 0 ? sum / n : NAN;
}

/* Posterior variance, degrees of freedom and the test's variance per row. */
static void posterior(const struct noise_input *in, struct noise_fit *out, double *scratch)
{
    size_t runs = in->k + in->m, n_typ = 0;
    double floor2 = NOISE_MIN_SD * NOISE_MIN_SD, prior_sd2 = in->prior_sd * in->prior_sd;
    double typical = 0.0;

    for (size_t r = 0; r < in->n_rows; r++) {
        struct noise_row *row = &out->rows[r];
        double d0 = out->prior_df;

        if (row->df >= NOISE_MEASURED_MIN - 1) {
            row->measured = true;
            row->s2 = d0 > 0.0 ? (d0 * out->prior_s2 + row->df * row->s2_own) / (d0 + row->df)
                               : row->s2_own;
            row->df = d0 + row->df;
        } else if (d0 > 0.0) {
            row->s2 = out->prior_s2; /* the suite's typical spread stands in */
            row->df = d0;
        } else {
            row->s2 = prior_sd2;
            row->df = INFINITY;
        }
        if (!(row->s2 >= floor2))
            row->s2 = floor2;
        if (row->df >= NOISE_DF_MAX)
            row->df = row->df > NOISE_DF_MAX ? NOISE_DF_MAX : row->df;
        if (row->m > 0 && row->k > 0)
            scratch[n_typ++] = row->s2;
    }
    if (n_typ > 0)
        typical = stats_quantile(scratch, n_typ, 0.5);

    for (size_t r = 0; r < in->n_rows; r++) {
        struct noise_row *row = &out->rows[r];
        const double *y = in->y + r * runs, *se2 = in->se2 + r * runs;
        double cur, base;

        if (row->k == 0 || row->m == 0) {
            row->est = row->var = NAN;
            continue;
        }
        row->var = row->s2 * (1.0 / row->k + 1.0 / row->m);
        cur = mean_se2(se2, y, in->k, runs);
        base = mean_se2(se2, y, 0, in->k);
        row->within = 0.0;
        if (row->measured) {
            /* the history's spread already holds its own estimation error */
            if (!isnan(cur) && cur > (isnan(base) ? 0.0 : base))
                row->within = (cur - (isnan(base) ? 0.0 : base)) / row->m;
        } else {
            row->within = (isnan(cur) ? 0.0 : cur / row->m) + (isnan(base) ? 0.0 : base / row->k);
        }
        row->var += row->within;
        if (out->factor_rows > 0)
            row->var += PI_2 * typical / (double)out->factor_rows / (double)row->m;
    }
}

/* The current runs' factor against the spread of the history's factors. */
static void factor_test(const struct noise_input *in, struct noise_fit *out)
{
    double sum = 0.0, ss = 0.0;

    out->factor_est = out->factor_var = NAN;
    out->factor_df = INFINITY;
    out->factor_measured = false;
    if (out->factor_rows == 0)
        return;
    for (size_t c = in->k; c < in->k + in->m; c++)
        sum += out->factor[c];
    out->factor_est = sum / (double)in->m;
    for (size_t j = 0; j < in->k; j++)
        ss += out->factor[j] * out->factor[j];
    if (in->k >= NOISE_MEASURED_MIN && ss > 0.0) {
        out->factor_var = ss / (double)(in->k - 1) * (1.0 / in->k + 1.0 / in->m);
        out->factor_df = (double)(in->k - 1);
        out->factor_measured = true;
    } else {
        out->factor_var = in->prior_sd * in->prior_sd * (1.0 / in->k + 1.0 / in->m);
    }
}

/*
 * The replays of every baseline run with 3 or more others beside it. With
 * run j left out, the row's level moves by its residual e over k - 1, so
 * run j stands k/(k-1) e from the others' level, and their sum of squares
 * is SS - e^2 k/(k-1) on k - 2 degrees of freedom (moderated as usual).
 */
static void replays(const struct noise_input *in, struct noise_fit *out)
{
    size_t runs = in->k + in->m;
    double d0 = out->prior_df;

    out->loo_t = bg_xmalloc((in->n_rows * in->k + 1) * sizeof(*out->loo_t));
    out->loo_df = bg_xmalloc((in->n_rows + 1) * sizeof(*out->loo_df));
    for (size_t r = 0; r < in->n_rows; r++) {
        const double *y = in->y + r * runs;
        const struct noise_row *row = &out->rows[r];
        double k = row->k, ss = 0.0;

        out->loo_df[r] = NAN;
        for (size_t j = 0; j < in->k; j++)
            out->loo_t[r * in->k + j] = NAN;
        if (row->k < 4)
            continue;
        for (size_t j = 0; j < in->k; j++) {
            if (!isnan(y[j])) {
                double e = y[j] - row->level - out->factor[j];

                ss += e * e;
            }
        }
        out->loo_df[r] = d0 + k - 2.0;
        for (size_t j = 0; j < in->k; j++) {
            double e, s2, var;

            if (isnan(y[j]))
                continue;
            e = y[j] - row->level - out->factor[j];
            s2 = (ss - e * e * k / (k - 1.0)) / (k - 2.0);
            if (d0 > 0.0)
                s2 = (d0 * out->prior_s2 + (k - 2.0) * s2) / (d0 + k - 2.0);
            if (!(s2 >= NOISE_MIN_SD * NOISE_MIN_SD))
                s2 = NOISE_MIN_SD * NOISE_MIN_SD;
            var = s2 * (1.0 + 1.0 / (k - 1.0));
            out->loo_t[r * in->k + j] = e * k / (k - 1.0) / sqrt(var);
        }
    }
}

void noise_fit(const struct noise_input *in, struct noise_fit *out)
{
    size_t runs = in->k + in->m;
    double *scratch = bg_xmalloc((2 * in->n_rows + runs + 1) * sizeof(*scratch));

    memset(out, 0, sizeof(*out));
    out->rows = bg_xcalloc(in->n_rows + 1, sizeof(*out->rows));
    out->factor = bg_xcalloc(runs + 1, sizeof(*out->factor));
    levels(in, out->factor, out->rows);
    if (in->factor && in->k > 0 && in->m > 0)
        factors(in, out, scratch);
    residuals(in, out, scratch);
    prior(in, out, scratch);
    posterior(in, out, scratch);
    factor_test(in, out);
    replays(in, out);
    free(scratch);
}
