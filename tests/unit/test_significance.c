/*
 * test_significance.c: Mann-Whitney U, Holm and the bootstrap interval
 * against values worked out by hand (the arithmetic is in the comments).
 */
#include "tests/unit/harness.h"
#include "gate/significance.h"

static double mw(const double *a, size_t na, const double *b, size_t nb, double *u)
{
    struct sig_cache cache = { 0 };
    double p = sig_mann_whitney(a, na, b, nb, &cache, u);

    sig_cache_release(&cache);
    return p;
}

/* 3 vs 3, fully separated: U = 0, one arrangement of C(6,3) = 20 is that
 * extreme on each side: two-sided p = 2/20 = 0.1. */
static void test_exact_separated(void **state)
{
    const double a[] = { 1, 2, 3 }, b[] = { 4, 5, 6 };
    const double c[] = { 10, 20, 30 }, d[] = { 1, 2, 3, 4 };
    double u;

    (void)state;
    assert_near(mw(a, 3, b, 3, &u), 0.1, 1e-12);
    assert_near(u, 0.0, 0.0);
    assert_near(mw(b, 3, a, 3, &u), 0.1, 1e-12); /* symmetric */
    assert_near(u, 9.0, 0.0);
    /* 3 vs 4 separated: 2 / C(7,3) = 2/35 */
    assert_near(mw(c, 3, d, 4, NULL), 2.0 / 35.0, 1e-12);
}

/* 2 vs 2: U takes 0,1,2,3,4 in 1,1,2,1,1 of the 6 arrangements.
 * a = {1,3}, b = {2,4}: ranks of a 1 + 3 = 4, U = 4 - 3 = 1, P(U <= 1) = 2/6. */
static void test_exact_small(void **state)
{
    const double a[] = { 1, 3 }, b[] = { 2, 4 };
    const double a5[] = { 1, 2, 3, 5, 7 }, b5[] = { 4, 6, 8, 9, 10 };
    const double a4[] = { 1, 2, 5, 7 }, b6[] = { 3, 4, 6, 8, 9, 10 };
    double u;

    (void)state;
    assert_near(mw(a, 2, b, 2, &u), 2.0 * 2.0 / 6.0, 1e-12);
    assert_near(u, 1.0, 0.0);
    /* 5 vs 5, U = 0+0+0+1+2 = 3: partitions of u <= 3 into at most 5 parts
     * of at most 5: 1 + 1 + 2 + 3 = 7 of C(10,5) = 252; p = 14/252 */
    assert_near(mw(a5, 5, b5, 5, &u), 14.0 / 252.0, 1e-12);
    assert_near(u, 3.0, 0.0);
    /* 4 vs 6, U = 0+0+2+3 = 5: P(U <= 5) = 18/210, p = 36/210 */
    assert_near(mw(a4, 4, b6, 6, &u), 36.0 / 210.0, 1e-12);
    assert_near(u, 5.0, 0.0);
}

/* Ties: a = {1,2,2}, b = {2,3,4}. The three 2s share ranks 2,3,4: midrank 3.
 * R_a = 1 + 3 + 3 = 7, U = 7 - 6 = 1, mu = 4.5, tie term 3^3 - 3 = 24,
 * var = 9/12 (7 - 24/30) = 4.65, z = (|1 - 4.5| - 0.5) / sqrt(4.65)
 * = 1.3912167, p = erfc(z / sqrt 2) = 0.1641597. */
static void test_ties_normal(void **state)
{
    const double a[] = { 1, 2, 2 }, b[] = { 2, 3, 4 };
    double u;

    (void)state;
    assert_near(mw(a, 3, b, 3, &u), 0.16415972847851523, 1e-9);
    assert_near(u, 1.0, 0.0);
}

/* 60 vs 60 (m n = 3600: normal approximation). a = 1..60, b = 30.5..89.5:
 * a's 1..30 take ranks 1..30, then b and a alternate from 30.5, so a's
 * 31..60 take ranks 32, 34, ..., 90: R_a = 465 + 930 + 900 = 2295,
 * U = 2295 - 1830 = 465, mu = 1800, var = 3600/12 * 121 = 36300,
 * z = (1335 - 0.5) / 190.526 = 7.0043085, p = 2.4820867e-12. */
static void test_large_normal(void **state)
{
    double a[60], b[60], u;

    (void)state;
    for (int i = 0; i < 60; i++) {
        a[i] = i + 1;
        b[i] = 30.5 + i;
    }
    assert_near(mw(a, 60, b, 60, &u) / 2.4820867057985253e-12, 1.0, 1e-6);
    assert_near(u, 465.0, 0.0);
}

static void test_all_equal(void **state)
{
    const double a[] = { 5, 5, 5, 5, 5, 5 }, b[] = { 5, 5, 5, 5, 5, 5 };

    (void)state;
    assert_near(mw(a, 6, b, 6, NULL), 1.0, 0.0);
}

/* 40 vs 40 without ties (m n = 1600: exact). a = 0..39, b = 6.25..45.25:
 * U = 561. The exact two-sided p, counted over all C(80,40) arrangements by
 * an independent dynamic programme, is 0.021157756831768057; the normal
 * approximation of the same U, z = (800 - 561 - 0.5) / sqrt(1600/12 * 81),
 * gives 0.0217350: close, as it should be at this size. */
static void test_exact_moderate(void **state)
{
    double a[40], b[40], u;

    (void)state;
    for (int i = 0; i < 40; i++) {
        a[i] = i * 1.0;
        b[i] = 6.25 + i * 1.0;
    }
    assert_near(mw(a, 40, b, 40, &u), 0.021157756831768057, 1e-12);
    assert_near(u, 561.0, 0.0);
    assert_near(mw(a, 40, b, 40, NULL) / 0.021734997211659494, 1.0, 0.05);
}

/* Holm, p = {0.01, 0.04, 0.03, 0.005}: sorted 0.005, 0.01, 0.03, 0.04 times
 * 4, 3, 2, 1 gives 0.02, 0.03, 0.06, 0.04 -> monotone 0.02, 0.03, 0.06,
 * 0.06. At 0.05 the first two are rejected. */
static void test_holm(void **state)
{
    const double p[] = { 0.01, 0.04, 0.03, 0.005, NAN };
    double adj[5];

    (void)state;
    assert_int_equal(sig_holm(p, 5, adj), 4);
    assert_near(adj[3], 0.02, 1e-15);
    assert_near(adj[0], 0.03, 1e-15);
    assert_near(adj[2], 0.06, 1e-15);
    assert_near(adj[1], 0.06, 1e-15);
    assert_true(isnan(adj[4]));
}

static void test_holm_caps_at_one(void **state)
{
    const double p[] = { 0.5, 0.6, 0.7 };
    double adj[3];

    (void)state;
    sig_holm(p, 3, adj);
    assert_near(adj[0], 1.0, 0.0);
    assert_near(adj[2], 1.0, 0.0);
}

static uint64_t rng = 99;

static double noise(void) /* roughly normal: sum of 12 uniforms - 6 */
{
    double s = 0;

    for (int i = 0; i < 12; i++) {
        rng = rng * 6364136223846793005u + 1442695040888963407u;
        s += (double)(rng >> 11) / 9007199254740992.0;
    }
    return s - 6.0;
}

static void test_bootstrap(void **state)
{
    double base[30], same[30], up[30], lo, hi, lo2, hi2;

    (void)state;
    for (int i = 0; i < 30; i++) {
        base[i] = 1000 * (1 + 0.02 * noise());
        same[i] = 1000 * (1 + 0.02 * noise());
        up[i] = 1200 * (1 + 0.02 * noise());
    }
    assert_int_equal(sig_bootstrap_change(base, 30, same, 30, BG_DIR_LOWER, 1000, 7, 0.95, &lo,
                                          &hi), 0);
    assert_true(lo < 0 && hi > 0);
    /* seeded: the same numbers again; another seed: others, close by */
    assert_int_equal(sig_bootstrap_change(base, 30, same, 30, BG_DIR_LOWER, 1000, 7, 0.95, &lo2,
                                          &hi2), 0);
    assert_near(lo2, lo, 0.0);
    assert_near(hi2, hi, 0.0);
    sig_bootstrap_change(base, 30, same, 30, BG_DIR_LOWER, 1000, 8, 0.95, &lo2, &hi2);
    assert_true(lo2 != lo || hi2 != hi);
    assert_near(lo2, lo, 0.02);
    /* a +20% shift: the interval excludes 0 and holds 0.2 */
    sig_bootstrap_change(base, 30, up, 30, BG_DIR_LOWER, 1000, 7, 0.95, &lo, &hi);
    assert_true(lo > 0.1 && lo < 0.2 && hi > 0.2 && hi < 0.3);
    /* higher-is-better flips the sign */
    sig_bootstrap_change(base, 30, up, 30, BG_DIR_HIGHER, 1000, 7, 0.95, &lo2, &hi2);
    assert_near(lo2, -hi, 1e-12);
    assert_near(hi2, -lo, 1e-12);
    /* nothing to resample */
    assert_int_equal(sig_bootstrap_change(base, 0, up, 30, BG_DIR_LOWER, 1000, 7, 0.95, &lo,
                                          &hi), -1);
    assert_int_equal(sig_bootstrap_change(base, 30, up, 30, BG_DIR_LOWER, 0, 7, 0.95, &lo, &hi),
                     -1);
}

/* One sample a side: every resample is that sample, the interval a point. */
static void test_bootstrap_single(void **state)
{
    const double b[] = { 100 }, c[] = { 150 };
    double lo, hi;

    (void)state;
    assert_int_equal(sig_bootstrap_change(b, 1, c, 1, BG_DIR_LOWER, 50, 1, 0.95, &lo, &hi), 0);
    assert_near(lo, 0.5, 1e-12);
    assert_near(hi, 0.5, 1e-12);
}

/* Under the null, uncorrected p-values are about uniform: roughly 5% fall
 * below 0.05 (bounded, deterministic). */
static void test_null_calibration(void **state)
{
    struct sig_cache cache = { 0 };
    double a[30], b[30];
    int below = 0;

    (void)state;
    for (int trial = 0; trial < 1000; trial++) {
        for (int i = 0; i < 30; i++) {
            a[i] = noise();
            b[i] = noise();
        }
        below += sig_mann_whitney(a, 30, b, 30, &cache, NULL) < 0.05;
    }
    sig_cache_release(&cache);
    assert_true(below >= 20 && below <= 90);
}

static void test_seed_depends_on_identity(void **state)
{
    (void)state;
    assert_true(sig_seed(1, "ab", "c") != sig_seed(1, "a", "bc"));
    assert_true(sig_seed(1, "a", "time") == sig_seed(1, "a", "time"));
    assert_true(sig_seed(1, "a", "time") != sig_seed(2, "a", "time"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_separated),
        cmocka_unit_test(test_exact_small),
        cmocka_unit_test(test_ties_normal),
        cmocka_unit_test(test_large_normal),
        cmocka_unit_test(test_all_equal),
        cmocka_unit_test(test_exact_moderate),
        cmocka_unit_test(test_holm),
        cmocka_unit_test(test_holm_caps_at_one),
        cmocka_unit_test(test_bootstrap),
        cmocka_unit_test(test_bootstrap_single),
        cmocka_unit_test(test_null_calibration),
        cmocka_unit_test(test_seed_depends_on_identity),
    };

    return cmocka_run_group_tests_name("significance", tests, NULL, NULL);
}
