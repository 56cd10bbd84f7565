/* test_gate_model.c: the gate's distributions, noise model and tail test. */
#include "tests/unit/harness.h"
#include "core/stats.h"
#include "gate/dist.h"
#include "gate/noise.h"
#include "gate/tail.h"

/* ---- distributions against values known in closed form ----------------- */

static void test_special_functions(void **state)
{
    (void)state;
    assert_near(dist_lgamma(0.5), 0.57236494292470008707, 1e-12); /* log sqrt(pi) */
    assert_near(dist_lgamma(10.0), 12.801827480081469611, 1e-11); /* log 9! */
    assert_near(dist_lgamma(1.0), 0.0, 1e-13);
    assert_near(dist_digamma(1.0), -0.57721566490153286061, 1e-12); /* -Euler's gamma */
    assert_near(dist_digamma(0.5), -1.9635100260214235, 1e-12);     /* -gamma - 2 log 2 */
    assert_near(dist_trigamma(1.0), 1.6449340668482264365, 1e-12);  /* pi^2 / 6 */
    assert_near(dist_trigamma(0.5), 4.9348022005446793094, 1e-11);  /* pi^2 / 2 */
    assert_near(dist_trigamma_inverse(1.6449340668482264), 1.0, 1e-9);
    assert_near(dist_trigamma_inverse(dist_trigamma(37.5)), 37.5, 1e-6);
    /* I_x(a, b) for whole a, b is a binomial tail: P(Bin(4, 0.4) >= 2) */
    assert_near(dist_incbeta(2.0, 3.0, 0.4), 0.5248, 1e-12);
    assert_near(dist_incbeta(2.0, 3.0, 0.0), 0.0, 0.0);
    assert_near(dist_incbeta(2.0, 3.0, 1.0), 1.0, 0.0);
    /* outside their domain: NAN, at once (no endless recurrence) */
    assert_true(isnan(dist_lgamma(-3.9e17)));
    assert_true(isnan(dist_digamma(-1.0)));
    assert_true(isnan(dist_trigamma(0.0)));
}

static void test_t_and_normal(void **state)
{
    (void)state;
    assert_near(dist_normal_cdf(0.0), 0.5, 1e-15);
    assert_near(dist_normal_cdf(1.959963984540054), 0.975, 1e-12);
    assert_near(dist_normal_quantile(0.975), 1.959963984540054, 1e-9);
    assert_near(dist_t_cdf(1.0, 1.0), 0.75, 1e-12);                 /* Cauchy */
    assert_near(dist_t_cdf(2.0, 2.0), 0.5 + 1.0 / sqrt(6.0), 1e-12); /* closed form for df 2 */
    assert_near(dist_t_cdf(-2.0, 2.0), 0.5 - 1.0 / sqrt(6.0), 1e-12);
    assert_near(dist_t_quantile(0.975, 9.0), 2.2621571627982053, 1e-8);
    assert_near(dist_t_quantile(0.995, 30.0), 2.7499956535670305, 1e-8);
    /* far in the tail the upper tail is computed directly, not as 1 - cdf */
    assert_true(dist_t_sf(40.0, 9.0) > 0.0 && dist_t_sf(40.0, 9.0) < 1e-10);
    assert_near(dist_t_cdf(3.0, INFINITY), dist_normal_cdf(3.0), 1e-15);
    assert_near(dist_t_cdf(3.0, 1e6), dist_normal_cdf(3.0), 1e-6);
}

/* ---- the noise model ----------------------------------------------------- */

static uint64_t rng = 12345;

static double gauss(void)
{
    double u = ((double)(stats_splitmix64(&rng) >> 11) + 0.5) / 9007199254740992.0;
    double v = ((double)(stats_splitmix64(&rng) >> 11) + 0.5) / 9007199254740992.0;

    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

/*
 * rows x (k + 1) log values: each run has a factor (sd machine), each
 * benchmark a run-to-run sd of drift; the current run (last) adds cur_factor
 * to all and shift[row] to some.
 */
static void make(double *y, double *se2, size_t rows, size_t k, double machine, double drift,
                 double cur_factor, const double *shift)
{
    for (size_t j = 0; j <= k; j++) {
        double f = machine * gauss() + (j == k ? cur_factor : 0.0);

        for (size_t r = 0; r < rows; r++) {
            y[r * (k + 1) + j] = log(1000.0 * (double)(r + 1)) + f + drift * gauss() +
                                 (j == k && shift != NULL ? shift[r] : 0.0);
            se2[r * (k + 1) + j] = 0.0;
        }
    }
}

static void test_noise_removes_machine_factor(void **state)
{
    enum { ROWS = 40, K = 10 };
    double y[ROWS * (K + 1)], se2[ROWS * (K + 1)];
    struct noise_input in = { ROWS, K, 1, y, se2, true, 0.05 };
    struct noise_fit fit;
    size_t big = 0;

    (void)state;
    /* every benchmark 12% slower in the current run: a machine, not the code */
    make(y, se2, ROWS, K, 0.03, 0.02, log(1.12), NULL);
    noise_fit(&in, &fit);
    assert_true(fit.factor_rows == ROWS);
    assert_near(fit.factor_est, log(1.12), 0.03);
    for (size_t r = 0; r < ROWS; r++) {
        const struct noise_row *row = &fit.rows[r];

        assert_true(row->measured && row->k == K && row->m == 1);
        big += fabs(row->est) / sqrt(row->var) > 3.5;
    }
    assert_true(big == 0); /* nothing stands out once the factor is gone */
    /* the factor's own test sees 12% against a history spread of 3% */
    assert_true(fit.factor_est / sqrt(fit.factor_var) > 2.5);
    noise_fit_release(&fit);

    /* without factor removal the same data moves every benchmark */
    in.factor = false;
    noise_fit(&in, &fit);
    assert_true(fit.factor_rows == 0);
    assert_near(fit.rows[0].est, log(1.12), 0.1);
    noise_fit_release(&fit);
}

static void test_noise_finds_the_shifted_one(void **state)
{
    enum { ROWS = 30, K = 10 };
    double y[ROWS * (K + 1)], se2[ROWS * (K + 1)], shift[ROWS] = { 0 };
    struct noise_input in = { ROWS, K, 1, y, se2, true, 0.05 };
    struct noise_fit fit;

    (void)state;
    shift[7] = log(1.25);
    make(y, se2, ROWS, K, 0.04, 0.02, 0.0, shift);
    noise_fit(&in, &fit);
    assert_near(fit.rows[7].est, log(1.25), 0.06);
    assert_true(fit.rows[7].est / sqrt(fit.rows[7].var) > 5.0);
    for (size_t r = 0; r < ROWS; r++) {
        if (r != 7)
            assert_true(fabs(fit.rows[r].est / sqrt(fit.rows[r].var)) < 4.5);
    }
    /* homogeneous noise: the suite's prior carries many degrees of freedom */
    assert_true(fit.prior_df > 20.0);
    assert_near(sqrt(fit.prior_s2), 0.02, 0.01);
    noise_fit_release(&fit);
}

static void test_noise_keeps_a_noisy_benchmark_noisy(void **state)
{
    enum { ROWS = 30, K = 10 };
    double y[ROWS * (K + 1)], se2[ROWS * (K + 1)];
    struct noise_input in = { ROWS, K, 1, y, se2, false, 0.05 };
    struct noise_fit fit;

    (void)state;
    make(y, se2, ROWS, K, 0.0, 0.01, 0.0, NULL);
    for (size_t j = 0; j <= K; j++) /* benchmark 3 moves 30% run to run */
        y[3 * (K + 1) + j] += 0.30 * gauss();
    noise_fit(&in, &fit);
    /* moderation must not pull its variance down to the others' */
    assert_true(sqrt(fit.rows[3].s2) > 0.12);
    assert_true(sqrt(fit.rows[4].s2) < 0.05);
    noise_fit_release(&fit);
}

static void test_noise_short_history(void **state)
{
    enum { ROWS = 4, K = 2 };
    double y[ROWS * (K + 1)], se2[ROWS * (K + 1)];
    struct noise_input in = { ROWS, K, 1, y, se2, true, 0.07 };
    struct noise_fit fit;

    (void)state;
    make(y, se2, ROWS, K, 0.0, 0.01, 0.0, NULL);
    for (size_t i = 0; i < ROWS * (K + 1); i++)
        se2[i] = 0.01 * 0.01;
    noise_fit(&in, &fit);
    for (size_t r = 0; r < ROWS; r++) {
        const struct noise_row *row = &fit.rows[r];

        assert_false(row->measured);
        assert_true(isinf(row->df) || row->df >= NOISE_DF_MAX);
        /* the stated prior, plus both sides' within-run error in full */
        assert_near(row->var, 0.07 * 0.07 * (1.0 / K + 1.0) + 0.0001 / K + 0.0001, 1e-12);
    }
    assert_true(fit.factor_rows == 0); /* 4 benchmarks: too few for a run-wide factor */
    noise_fit_release(&fit);
}

/* ---- the tail test ------------------------------------------------------- */

struct runs {
    struct bg_run run[12];
    const struct bg_result *res[12];
    double median[12], p95[12];
};

/* Records run j's result with its median and p95 (scratch holds n). */
static void keep(struct runs *t, size_t j, const struct bg_result *res, double *scratch)
{
    size_t n = res->n_samples;

    t->res[j] = res;
    memcpy(scratch, res->samples, n * sizeof(*scratch));
    t->median[j] = stats_quantile(scratch, n, 0.5);
    memcpy(scratch, res->samples, n * sizeof(*scratch));
    t->p95[j] = stats_quantile(scratch, n, 0.95);
}

/* Run j of n lognormal(5%) samples; the last one with a share slowed by mult. */
static void tail_runs(struct runs *t, size_t k, size_t n, double share, double mult,
                      size_t outliers)
{
    double *scratch = bg_xmalloc(n * sizeof(*scratch));

    for (size_t j = 0; j <= k; j++) {
        struct bg_result *res;
        double level = 1000.0 * exp(0.05 * gauss()); /* drift: removed by the alignment */

        bg_run_init(&t->run[j]);
        res = bg_run_add_result(&t->run[j], "b", "time", "ns", BG_DIR_LOWER);
        for (size_t i = 0; i < n; i++) {
            double v = level * exp(0.05 * gauss());

            if (j == k && (double)i < share * (double)n)
                v *= mult;
            if (j == k && i >= n - outliers)
                v *= 2.5;
            bg_result_add_sample(res, v);
        }
        keep(t, j, res, scratch);
    }
    free(scratch);
}

/* History runs of n_hist samples, each with its own share of outliers
 * (2.5x) between lo and hi, and a current run of n_cur samples with share
 * cur: runs whose outliers come and go, as on a shared machine. */
static void tail_outlier_runs(struct runs *t, size_t k, size_t n_hist, size_t n_cur, double lo,
                              double hi, double cur)
{
    double *scratch = bg_xmalloc((n_cur > n_hist ? n_cur : n_hist) * sizeof(*scratch));

    for (size_t j = 0; j <= k; j++) {
        size_t n = j < k ? n_hist : n_cur;
        double share = j < k ? lo + (hi - lo) * (double)j / (double)(k - 1) : cur;
        struct bg_result *res;

        bg_run_init(&t->run[j]);
        res = bg_run_add_result(&t->run[j], "b", "time", "ns", BG_DIR_LOWER);
        for (size_t i = 0; i < n; i++)
            bg_result_add_sample(res, 1000.0 * exp(0.05 * gauss()) *
                                          ((double)i < share * (double)n ? 2.5 : 1.0));
        keep(t, j, res, scratch);
    }
    free(scratch);
}

static void tail_run_test(struct runs *t, size_t k, struct tail_result *out)
{
    static struct tail_run runs[12];
    struct tail_input in = { t->res, k,    t->res + k, 1,   t->median,
                             t->median + k, t->p95, 0.10, runs };
    struct tail_suite suite = { 0.0, 0.0 };

    tail_measure(&in, out);
    tail_suite_add(&suite, out);
    tail_finish(out, tail_suite_dispersion(&suite));
    for (size_t j = 0; j <= k; j++)
        bg_run_release(&t->run[j]);
}

static void test_tail_shift_found(void **state)
{
    struct runs t;
    struct tail_result r;

    (void)state;
    tail_runs(&t, 10, 100, 0.15, 1.6, 0); /* 15 of 100 samples 60% slower */
    tail_run_test(&t, 10, &r);
    assert_true(r.tested);
    assert_true(r.observed >= 12);
    assert_true(r.expected < 3.0);
    assert_true(r.p_worse < 1e-6);
}

static void test_tail_outliers_not_enough(void **state)
{
    struct runs t;
    struct tail_result r;

    (void)state;
    tail_runs(&t, 10, 100, 0.0, 1.0, 2); /* two wild samples, nothing else */
    tail_run_test(&t, 10, &r);
    assert_true(r.tested);
    assert_true(r.p_worse > 0.001);
}

/* How much runs differ in outliers is measured on the history's runs, and
 * holds for a current run of any length: a run of 10,000 samples with the
 * outlier share of the history's worst run (of 1,000 samples) is no
 * regression, though its count is ten times theirs. */
static void test_tail_long_current_run(void **state)
{
    struct runs t;
    struct tail_result r;

    (void)state;
    tail_outlier_runs(&t, 10, 1000, 10000, 0.01, 0.05, 0.05);
    tail_run_test(&t, 10, &r);
    assert_true(r.tested);
    assert_int_equal(r.n_current, 10000);
    assert_true(r.observed >= 450);
    assert_true(r.p_worse > 0.001);
}

/* A tail shift in a long run: the count's sum must not underflow to
 * "no evidence" (P(X = 0) is about e^-600 here). */
static void test_tail_long_run_shift(void **state)
{
    struct runs t;
    struct tail_result r;

    (void)state;
    tail_outlier_runs(&t, 10, 2048, 30000, 0.02, 0.02, 0.12);
    tail_run_test(&t, 10, &r);
    assert_true(r.tested);
    assert_true(r.observed >= 3500);
    assert_true(r.expected < 1000.0);
    assert_true(r.p_worse < 1e-6);
    assert_true(r.p_better > 0.5);
}

static void test_tail_needs_samples(void **state)
{
    struct runs t;
    struct tail_result r;

    (void)state;
    tail_runs(&t, 10, TAIL_MIN_N - 1, 0.0, 1.0, 0);
    tail_run_test(&t, 10, &r);
    assert_false(r.tested);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_special_functions),
        cmocka_unit_test(test_t_and_normal),
        cmocka_unit_test(test_noise_removes_machine_factor),
        cmocka_unit_test(test_noise_finds_the_shifted_one),
        cmocka_unit_test(test_noise_keeps_a_noisy_benchmark_noisy),
        cmocka_unit_test(test_noise_short_history),
        cmocka_unit_test(test_tail_shift_found),
        cmocka_unit_test(test_tail_outliers_not_enough),
        cmocka_unit_test(test_tail_needs_samples),
        cmocka_unit_test(test_tail_long_current_run),
        cmocka_unit_test(test_tail_long_run_shift),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
