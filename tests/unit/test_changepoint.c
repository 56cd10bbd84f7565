/*
 * test_changepoint.c: level shifts are found where they are, and noise,
 * spikes and tiny drifts are not reported as shifts.
 */
#include "tests/unit/harness.h"
#include "core/err.h"
#include "gate/changepoint.h"

/* Deterministic noise in [-1, 1): a small LCG, so each test owns its series. */
static double noise(uint64_t *s)
{
    *s = *s * 6364136223846793005u + 1442695040888963407u;
    return (double)(*s >> 11) / (double)(1ull << 52) - 1.0;
}

/* level + amp * noise for n points. */
static void fill(double *x, size_t n, double level, double amp, uint64_t *s)
{
    for (size_t i = 0; i < n; i++)
        x[i] = level + amp * noise(s);
}

static int find(const double *x, size_t n, struct changepoint *out, size_t max)
{
    struct changepoint_opts o = CHANGEPOINT_OPTS_DEFAULT;

    return changepoint_find(x, n, &o, out, max);
}

static void test_single_step_found_exactly(void **state)
{
    double x[60];
    struct changepoint cp[4];
    uint64_t s = 1;

    (void)state;
    fill(x, 30, 100.0, 2.0, &s);
    fill(x + 30, 30, 120.0, 2.0, &s);
    assert_int_equal(find(x, 60, cp, 4), 1);
    assert_int_equal(cp[0].at, 30);
    assert_near(cp[0].before, 100.0, 2.0);
    assert_near(cp[0].after, 120.0, 2.0);
}

static void test_step_down_found(void **state)
{
    double x[40];
    struct changepoint cp[4];
    uint64_t s = 2;

    (void)state;
    fill(x, 25, 50.0, 1.0, &s);
    fill(x + 25, 15, 40.0, 1.0, &s);
    assert_int_equal(find(x, 40, cp, 4), 1);
    assert_int_equal(cp[0].at, 25);
    assert_true(cp[0].after < cp[0].before);
}

static void test_two_steps_in_order(void **state)
{
    double x[90];
    struct changepoint cp[8];
    uint64_t s = 3;

    (void)state;
    fill(x, 30, 100.0, 2.0, &s);
    fill(x + 30, 30, 130.0, 2.0, &s);
    fill(x + 60, 30, 90.0, 2.0, &s);
    assert_int_equal(find(x, 90, cp, 8), 2);
    assert_int_equal(cp[0].at, 30);
    assert_int_equal(cp[1].at, 60);
    assert_near(cp[1].after, 90.0, 2.0);
}

/* Twelve runs, seven then five: the exact p of the best split is about
 * 0.007, just under alpha, so too few shuffles would miss this shift. */
static void test_short_series_shift_found(void **state)
{
    const double x[] = { 42.45, 42.48, 42.42, 42.44, 42.49, 42.45, 42.48,
                         53.02, 53.05, 53.12, 53.06, 53.10 };
    struct changepoint cp[4];

    (void)state;
    assert_int_equal(find(x, ARRAY_SIZE(x), cp, 4), 1);
    assert_int_equal(cp[0].at, 7);
    assert_near(cp[0].after / cp[0].before, 1.25, 0.01);
}

/* alpha = 0.01: a false alarm now and then is allowed by the test's
 * definition, but with early stopping and this many flat series, more
 * than one would mean the p-value is wrong. */
static void test_flat_series_no_false_positives(void **state)
{
    struct changepoint cp[8];
    int alarms = 0;

    (void)state;
    for (uint64_t seed = 1; seed <= 50; seed++) {
        double x[80];
        uint64_t s = seed * 7919;

        fill(x, 80, 100.0, 5.0, &s);
        alarms += find(x, 80, cp, 8);
    }
    assert_in_range(alarms, 0, 1);
}

static void test_single_spike_ignored(void **state)
{
    double x[50];
    struct changepoint cp[4];
    uint64_t s = 5;

    (void)state;
    fill(x, 50, 100.0, 1.0, &s);
    x[20] = 1000.0;
    assert_int_equal(find(x, 50, cp, 4), 0);
    x[21] = 900.0; /* two wild runs are still not a level */
    assert_int_equal(find(x, 50, cp, 4), 0);
}

/* A 1% shift without noise is certain but below the 2% default. */
static void test_min_change(void **state)
{
    double x[40];
    struct changepoint cp[4];
    struct changepoint_opts o = CHANGEPOINT_OPTS_DEFAULT;

    (void)state;
    for (size_t i = 0; i < 40; i++)
        x[i] = (i < 20 ? 100.0 : 101.0) + (double)(i % 5) * 0.01;
    assert_int_equal(changepoint_find(x, 40, &o, cp, 4), 0);
    o.min_change = 0.005;
    assert_int_equal(changepoint_find(x, 40, &o, cp, 4), 1);
    assert_int_equal(cp[0].at, 20);
}

static void test_short_empty_and_constant(void **state)
{
    double x[64];
    struct changepoint cp[4];
    const double five[] = { 1, 1, 1, 9, 9 };

    (void)state;
    assert_int_equal(find(NULL, 0, cp, 4), 0);
    /* min_size 3 needs six points */
    assert_int_equal(find(five, 5, cp, 4), 0);
    for (size_t i = 0; i < 64; i++)
        x[i] = 42.0;
    assert_int_equal(find(x, 64, cp, 4), 0);
    /* zero before a shift: any change is large enough */
    for (size_t i = 0; i < 64; i++)
        x[i] = i < 32 ? 0.0 : 1.0;
    assert_int_equal(find(x, 64, cp, 4), 1);
    assert_int_equal(cp[0].at, 32);
    assert_int_equal(find(x, 64, cp, 0), 0); /* no room */
}

/* NaN points are skipped and `at` still indexes the caller's array. */
static void test_nan_skipped(void **state)
{
    double x[44];
    struct changepoint cp[4];
    uint64_t s = 6;

    (void)state;
    fill(x, 22, 10.0, 0.2, &s);
    fill(x + 22, 22, 20.0, 0.2, &s);
    x[3] = NAN;
    x[22] = NAN; /* the first point after the shift is missing */
    x[40] = INFINITY;
    assert_int_equal(find(x, 44, cp, 4), 1);
    assert_int_equal(cp[0].at, 23);
    assert_false(isnan(cp[0].before));
}

static void test_deterministic_for_a_seed(void **state)
{
    double x[120];
    struct changepoint a[8], b[8];
    uint64_t s = 7;
    int na, nb;

    (void)state;
    /* a marginal shift, so the permutations decide */
    fill(x, 60, 100.0, 10.0, &s);
    fill(x + 60, 60, 104.0, 10.0, &s);
    na = find(x, 120, a, 8);
    nb = find(x, 120, b, 8);
    assert_int_equal(na, nb);
    for (int i = 0; i < na; i++)
        assert_int_equal(a[i].at, b[i].at);
}

static void test_long_series_three_steps(void **state)
{
    size_t n = 10000;
    double *x = bg_xcalloc(n, sizeof(*x));
    struct changepoint cp[16];
    uint64_t s = 8;
    int found;

    (void)state;
    fill(x, 2500, 100.0, 3.0, &s);
    fill(x + 2500, 2500, 110.0, 3.0, &s);
    fill(x + 5000, 2500, 95.0, 3.0, &s);
    fill(x + 7500, 2500, 105.0, 3.0, &s);
    found = find(x, n, cp, 16);
    assert_int_equal(found, 3);
    assert_int_equal(cp[0].at, 2500);
    assert_int_equal(cp[1].at, 5000);
    assert_int_equal(cp[2].at, 7500);
    free(x);
}

/* A staircase: each step's medians are measured between its neighbours,
 * and its place is exact although the first split lands between steps. */
static void test_staircase(void **state)
{
    double x[90];
    struct changepoint cp[8];
    uint64_t s = 9;

    (void)state;
    fill(x, 30, 100.0, 1.0, &s);
    fill(x + 30, 30, 150.0, 1.0, &s);
    fill(x + 60, 30, 200.0, 1.0, &s);
    assert_int_equal(find(x, 90, cp, 8), 2);
    assert_int_equal(cp[0].at, 30);
    assert_near(cp[0].before, 100.0, 1.0);
    assert_near(cp[0].after, 150.0, 1.0);
    assert_int_equal(cp[1].at, 60);
    assert_near(cp[1].before, 150.0, 1.0);
    assert_near(cp[1].after, 200.0, 1.0);
}

/* Asked for one, it reports the largest relative change. */
static void test_max_keeps_largest(void **state)
{
    double x[90];
    struct changepoint cp[1];
    uint64_t s = 9;

    (void)state;
    fill(x, 30, 100.0, 1.0, &s);
    fill(x + 30, 30, 150.0, 1.0, &s); /* +50% */
    fill(x + 60, 30, 200.0, 1.0, &s); /* +33% */
    assert_int_equal(find(x, 90, cp, 1), 1);
    assert_int_equal(cp[0].at, 30);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_step_found_exactly),
        cmocka_unit_test(test_step_down_found),
        cmocka_unit_test(test_two_steps_in_order),
        cmocka_unit_test(test_short_series_shift_found),
        cmocka_unit_test(test_flat_series_no_false_positives),
        cmocka_unit_test(test_single_spike_ignored),
        cmocka_unit_test(test_min_change),
        cmocka_unit_test(test_short_empty_and_constant),
        cmocka_unit_test(test_nan_skipped),
        cmocka_unit_test(test_deterministic_for_a_seed),
        cmocka_unit_test(test_long_series_three_steps),
        cmocka_unit_test(test_staircase),
        cmocka_unit_test(test_max_keeps_largest),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
