/* test_stats.c: type-7 quantiles and summaries against hand-computed values. */
#include "tests/unit/harness.h"
#include "core/stats.h"

#define EPS 1e-12

static double q_sorted(const double *x, size_t n, double q)
{
    return stats_quantile_sorted(x, n, q);
}

static double q_select(const double *x, size_t n, double q)
{
    double work[64];

    memcpy(work, x, n * sizeof(*x));
    return stats_quantile(work, n, q);
}

/* n = 1: every quantile is the one sample. */
static void test_one_sample(void **state)
{
    const double x[] = { 42.5 };

    (void)state;
    assert_near(q_sorted(x, 1, 0.95), 42.5, EPS);
    assert_near(q_select(x, 1, 0.95), 42.5, EPS);
    assert_near(q_select(x, 1, 0.0), 42.5, EPS);
    assert_near(q_select(x, 1, 1.0), 42.5, EPS);
}

/* n = 2: h = 0.95, so p95 = x0 + 0.95 (x1 - x0) = 10 + 9.5; the median is the midpoint. */
static void test_two_samples(void **state)
{
    const double x[] = { 20.0, 10.0 };
    const double s[] = { 10.0, 20.0 };

    (void)state;
    assert_near(q_select(x, 2, 0.95), 19.5, EPS);
    assert_near(q_sorted(s, 2, 0.95), 19.5, EPS);
    assert_near(q_select(x, 2, 0.5), 15.0, EPS);
}

/* n = 5, 1..5: h = 4 * 0.95 = 3.8, p95 = 4 + 0.8 = 4.8; median h = 2 exactly: 3. */
static void test_five_samples(void **state)
{
    const double x[] = { 5, 3, 1, 4, 2 };

    (void)state;
    assert_near(q_select(x, 5, 0.95), 4.8, EPS);
    assert_near(q_select(x, 5, 0.5), 3.0, EPS);
    assert_near(q_select(x, 5, 0.0), 1.0, EPS);
    assert_near(q_select(x, 5, 1.0), 5.0, EPS);
}

/* {3,1,4,1,5,9,2,6} sorts to {1,1,2,3,4,5,6,9}: h = 7 * 0.95 = 6.65,
 * p95 = 6 + 0.65 * (9 - 6) = 7.95; median h = 3.5: 3 + 0.5 * (4 - 3) = 3.5. */
static void test_eight_samples_with_ties(void **state)
{
    const double x[] = { 3, 1, 4, 1, 5, 9, 2, 6 };

    (void)state;
    assert_near(q_select(x, 8, 0.95), 7.95, EPS);
    assert_near(q_select(x, 8, 0.5), 3.5, EPS);
}

/* 1..20: h = 19 * 0.95 = 18.05, p95 = 19 + 0.05 * 1 = 19.05. */
static void test_twenty_samples(void **state)
{
    double x[20];

    (void)state;
    for (int i = 0; i < 20; i++)
        x[i] = (double)(20 - i);
    assert_near(q_select(x, 20, 0.95), 19.05, 1e-9);
}

static void test_all_equal(void **state)
{
    double x[33];

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(x); i++)
        x[i] = 7.0;
    assert_near(q_select(x, 33, 0.95), 7.0, EPS);
    assert_near(q_select(x, 33, 0.5), 7.0, EPS);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* Selection must agree with sort-then-interpolate on any input, including
 * many duplicates, sorted and reverse-sorted arrays. */
static void test_selection_matches_sort(void **state)
{
    static double x[2000], sorted[2000], work[2000];
    const double qs[] = { 0.0, 0.05, 0.5, 0.9, 0.95, 0.99, 1.0 };
    unsigned seed = 12345;

    (void)state;
    for (int round = 0; round < 300; round++) {
        size_t n = 1 + (size_t)(round * 7 % 1999);
        int shape = round % 4;

        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            if (shape == 0)
                x[i] = (double)(seed >> 16) / 65536.0;
            else if (shape == 1)
                x[i] = (double)((seed >> 16) % 5); /* heavy ties */
            else if (shape == 2)
                x[i] = (double)i;                  /* sorted */
            else
                x[i] = (double)(n - i);            /* reverse */
        }
        memcpy(sorted, x, n * sizeof(*x));
        qsort(sorted, n, sizeof(*sorted), cmp_double);
        for (size_t k = 0; k < ARRAY_SIZE(qs); k++) {
            memcpy(work, x, n * sizeof(*x));
            assert_near(stats_quantile(work, n, qs[k]),
                                stats_quantile_sorted(sorted, n, qs[k]), 1e-9);
        }
    }
}

/* stats_sort against qsort on shapes that break naive quicksorts: random,
 * heavy ties, sorted, reverse, organ pipe, all equal, and sizes either side
 * of the insertion-sort cut-off, up to 100,000. */
static void test_sort_matches_qsort(void **state)
{
    static double x[100000], want[100000];
    const size_t sizes[] = { 0, 1, 2, 3, 24, 25, 26, 100, 1000, 4097, 100000 };
    unsigned seed = 777;

    (void)state;
    for (size_t si = 0; si < ARRAY_SIZE(sizes); si++) {
        for (int shape = 0; shape < 6; shape++) {
            size_t n = sizes[si];

            for (size_t i = 0; i < n; i++) {
                seed = seed * 1103515245u + 12345u;
                x[i] = shape == 0   ? (double)(seed >> 8) / 16777216.0
                       : shape == 1 ? (double)((seed >> 16) % 3)
                       : shape == 2 ? (double)i
                       : shape == 3 ? (double)(n - i)
                       : shape == 4 ? (double)(i < n / 2 ? i : n - i)
                                    : 42.0;
            }
            memcpy(want, x, n * sizeof(*x));
            if (n > 0)
                qsort(want, n, sizeof(*want), cmp_double);
            stats_sort(x, n);
            for (size_t i = 0; i < n; i++)
                assert_true(x[i] == want[i]);
        }
    }
}

/* {2,4,4,4,5,5,7,9}: mean 5, sum of squares 32, sample stddev sqrt(32 / 7). */
static void test_summary(void **state)
{
    const double x[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
    double work[8];
    struct bg_summary s;

    (void)state;
    stats_summarise(x, 8, work, &s);
    assert_int_equal(s.n, 8);
    assert_near(s.min, 2.0, EPS);
    assert_near(s.max, 9.0, EPS);
    assert_near(s.mean, 5.0, EPS);
    assert_near(s.stddev, sqrt(32.0 / 7.0), 1e-12);
    assert_near(s.median, 4.5, EPS);
    /* h = 7 * 0.95 = 6.65: 7 + 0.65 * (9 - 7) = 8.3 */
    assert_near(s.p95, 8.3, 1e-12);
    /* the input is untouched: work is the scratch space */
    assert_near(x[0], 2.0, EPS);
}

static void test_summary_single(void **state)
{
    const double x[] = { 3.0 };
    double work[1];
    struct bg_summary s;

    (void)state;
    stats_summarise(x, 1, work, &s);
    assert_near(s.stddev, 0.0, EPS);
    assert_near(s.p95, 3.0, EPS);
    assert_near(s.median, 3.0, EPS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_sample),
        cmocka_unit_test(test_two_samples),
        cmocka_unit_test(test_five_samples),
        cmocka_unit_test(test_eight_samples_with_ties),
        cmocka_unit_test(test_twenty_samples),
        cmocka_unit_test(test_all_equal),
        cmocka_unit_test(test_selection_matches_sort),
        cmocka_unit_test(test_sort_matches_qsort),
        cmocka_unit_test(test_summary),
        cmocka_unit_test(test_summary_single),
    };

    return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
