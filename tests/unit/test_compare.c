/* test_compare.c: verdicts, signs by direction, and matching across runs. */
#include "tests/unit/harness.h"
#include "gate/compare.h"
#include "gate/report.h"

static const struct gate_opts opts = GATE_OPTS_DEFAULT;

/* Adds a result whose samples are value, value+1, ..., n of them. */
static void add(struct bg_run *run, const char *name, const char *metric,
                enum bg_direction dir, double value, size_t n)
{
    struct bg_result *res = bg_run_add_result(run, name, metric, "ns", dir);

    for (size_t i = 0; i < n; i++)
        bg_result_add_sample(res, value + (double)i);
}

static void test_change_sign(void **state)
{
    (void)state;
    assert_near(bg_change(100, 120, BG_DIR_LOWER), 0.20, 1e-12);   /* slower: worse */
    assert_near(bg_change(100, 80, BG_DIR_LOWER), -0.20, 1e-12);   /* faster: better */
    assert_near(bg_change(100, 80, BG_DIR_HIGHER), 0.20, 1e-12);   /* less throughput: worse */
    assert_near(bg_change(100, 120, BG_DIR_HIGHER), -0.20, 1e-12);
    assert_near(bg_change(0, 0, BG_DIR_LOWER), 0.0, 0.0);
    assert_true(isinf(bg_change(0, 5, BG_DIR_LOWER)) && bg_change(0, 5, BG_DIR_LOWER) > 0);
}

static const struct gate_row *row_named(const struct gate_report *r, const char *name)
{
    for (size_t i = 0; i < r->n_rows; i++) {
        const struct bg_result *res = r->rows[i].cur != NULL ? r->rows[i].cur : r->rows[i].base;

        if (strcmp(res->name, name) == 0)
            return &r->rows[i];
    }
    fail_msg("no row '%s'", name);
    return NULL;
}

static void test_verdicts(void **state)
{
    struct bg_run base, cur;
    struct gate_report r;

    (void)state;
    bg_run_init(&base);
    bg_run_init(&cur);
    /* 10 samples each: p95 = value + 8.55 */
    add(&base, "slower", "time", BG_DIR_LOWER, 1000, 10);
    add(&cur, "slower", "time", BG_DIR_LOWER, 1200, 10);
    add(&base, "faster", "time", BG_DIR_LOWER, 1000, 10);
    add(&cur, "faster", "time", BG_DIR_LOWER, 500, 10);
    add(&base, "same", "time", BG_DIR_LOWER, 1000, 10);
    add(&cur, "same", "time", BG_DIR_LOWER, 1050, 10);   /* +5%: inside 10% */
    add(&base, "thin", "time", BG_DIR_LOWER, 1000, 3);
    add(&cur, "thin", "time", BG_DIR_LOWER, 2000, 3);
    add(&base, "tput", "throughput", BG_DIR_HIGHER, 1000, 10);
    add(&cur, "tput", "throughput", BG_DIR_HIGHER, 700, 10); /* less throughput */
    add(&base, "gone", "time", BG_DIR_LOWER, 10, 10);
    add(&cur, "fresh", "time", BG_DIR_LOWER, 10, 10);
    add(&cur, "same", "throughput", BG_DIR_HIGHER, 5, 10);  /* same name, other metric */

    gate_compare(&base, &cur, &opts, &r);
    assert_int_equal(row_named(&r, "slower")->verdict, GATE_REGRESSED);
    assert_near(row_named(&r, "slower")->change, (1208.55 / 1008.55) - 1.0, 1e-12);
    assert_int_equal(row_named(&r, "faster")->verdict, GATE_IMPROVED);
    assert_int_equal(row_named(&r, "same")->verdict, GATE_UNCHANGED);
    assert_int_equal(row_named(&r, "thin")->verdict, GATE_REGRESSED);
    assert_true(row_named(&r, "thin")->low_confidence);
    assert_false(row_named(&r, "slower")->low_confidence);
    assert_int_equal(row_named(&r, "tput")->verdict, GATE_REGRESSED);
    assert_int_equal(row_named(&r, "gone")->verdict, GATE_MISSING);
    assert_int_equal(row_named(&r, "fresh")->verdict, GATE_NEW);
    assert_int_equal(r.n_rows, 8);
    assert_int_equal(r.count[GATE_REGRESSED], 3);
    assert_int_equal(r.count[GATE_NEW], 2); /* "fresh", and "same" as throughput */
    assert_int_equal(r.count[GATE_MISSING], 1);
    assert_true(gate_failed(&r));
    /* missing rows come after the current run's rows */
    assert_int_equal(r.rows[r.n_rows - 1].verdict, GATE_MISSING);
    gate_report_release(&r);

    /* swapped, slowdowns are improvements and the speed-up is the one regression */
    gate_compare(&cur, &base, &opts, &r);
    assert_int_equal(row_named(&r, "slower")->verdict, GATE_IMPROVED);
    assert_int_equal(row_named(&r, "tput")->verdict, GATE_IMPROVED);
    assert_int_equal(row_named(&r, "faster")->verdict, GATE_REGRESSED);
    assert_int_equal(r.count[GATE_REGRESSED], 1);
    gate_report_release(&r);
    bg_run_release(&base);
    bg_run_release(&cur);
}

/* Exactly at the threshold is not past it. */
static void test_threshold_edge(void **state)
{
    struct bg_run base, cur;
    struct gate_report r;
    struct gate_opts o = GATE_OPTS_DEFAULT;

    (void)state;
    o.threshold = 0.25;
    bg_run_init(&base);
    bg_run_init(&cur);
    add(&base, "b", "time", BG_DIR_LOWER, 1000, 1);
    add(&cur, "b", "time", BG_DIR_LOWER, 1250, 1);
    gate_compare(&base, &cur, &o, &r);
    assert_int_equal(r.rows[0].verdict, GATE_UNCHANGED);
    gate_report_release(&r);
    o.threshold = 0.2499;
    gate_compare(&base, &cur, &o, &r);
    assert_int_equal(r.rows[0].verdict, GATE_REGRESSED);
    gate_report_release(&r);
    bg_run_release(&base);
    bg_run_release(&cur);
}

static void test_no_baseline(void **state)
{
    struct bg_run cur;
    struct gate_report r;

    (void)state;
    bg_run_init(&cur);
    add(&cur, "a", "time", BG_DIR_LOWER, 1, 5);
    gate_compare(NULL, &cur, &opts, &r);
    assert_int_equal(r.count[GATE_NEW], 1);
    assert_false(gate_failed(&r));
    gate_report_release(&r);
    bg_run_release(&cur);
}

/* A harness summary without a p95 (Catch2) is compared on the mean, on both
 * sides, and marked low confidence. */
static void test_summary_only_on_mean(void **state)
{
    struct bg_run base, cur;
    struct gate_report r;
    struct bg_result *res;

    (void)state;
    bg_run_init(&base);
    bg_run_init(&cur);
    add(&base, "x", "time", BG_DIR_LOWER, 1000, 10); /* samples: mean 1004.5, p95 1008.55 */
    res = bg_run_add_result(&cur, "x", "time", "ns", BG_DIR_LOWER);
    res->summary_only = true;
    res->sum.n = 20;
    res->sum.mean = 1205.4;
    res->sum.p95 = NAN;
    base.results[0].sum.mean = 1004.5;
    gate_compare(&base, &cur, &opts, &r);
    assert_string_equal(r.rows[0].stat, "mean");
    assert_near(r.rows[0].change, 1205.4 / 1004.5 - 1.0, 1e-12);
    assert_int_equal(r.rows[0].verdict, GATE_REGRESSED);
    assert_true(r.rows[0].low_confidence);
    gate_report_release(&r);
    bg_run_release(&base);
    bg_run_release(&cur);
}

static void test_formatting(void **state)
{
    char b[64];

    (void)state;
    report_format_value(b, sizeof(b), 950.0, "ns");
    assert_string_equal(b, "950.0 ns");
    report_format_value(b, sizeof(b), 12345.0, "ns");
    assert_string_equal(b, "12.35 µs");
    report_format_value(b, sizeof(b), 10.5e6, "ns");
    assert_string_equal(b, "10.50 ms");
    report_format_value(b, sizeof(b), 2.5e9, "ns");
    assert_string_equal(b, "2.500 s");
    report_format_value(b, sizeof(b), 1234.5, "B/op");
    assert_string_equal(b, "1234 B/op");
    report_format_change(b, sizeof(b), 0.2946);
    assert_string_equal(b, "+29.5%");
    report_format_change(b, sizeof(b), -0.004);
    assert_string_equal(b, "-0.4%");
    report_format_change(b, sizeof(b), INFINITY);
    assert_string_equal(b, "+inf%");
    report_format_change(b, sizeof(b), NAN);
    assert_string_equal(b, "-");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_change_sign),
        cmocka_unit_test(test_verdicts),
        cmocka_unit_test(test_threshold_edge),
        cmocka_unit_test(test_no_baseline),
        cmocka_unit_test(test_summary_only_on_mean),
        cmocka_unit_test(test_formatting),
    };

    return cmocka_run_group_tests_name("compare", tests, NULL, NULL);
}
