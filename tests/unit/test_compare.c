/* test_compare.c: verdicts, signs by direction, and matching across runs. */
#include "tests/unit/harness.h"
#include "gate/compare.h"
#include "gate/report.h"
#include "core/stats.h"

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
    struct gate_opts o = GATE_OPTS_DEFAULT;

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

    /* one baseline run: run-to-run noise is assumed; a quiet machine here,
     * so these verdicts are about the rules, not the noise */
    o.prior_spread = 0.01;
    gate_compare(&base, &cur, &o, &r);
    assert_int_equal(row_named(&r, "slower")->verdict, GATE_REGRESSED);
    assert_near(row_named(&r, "slower")->change, (1208.55 / 1008.55) - 1.0, 1e-12);
    assert_int_equal(row_named(&r, "faster")->verdict, GATE_IMPROVED);
    assert_int_equal(row_named(&r, "same")->verdict, GATE_UNCHANGED);
    assert_int_equal(row_named(&r, "thin")->verdict, GATE_REGRESSED);
    assert_true(row_named(&r, "thin")->low & GATE_LOW_SAMPLES);
    assert_true(row_named(&r, "slower")->low == GATE_LOW_HISTORY); /* 1 baseline run */
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
    gate_compare(&cur, &base, &o, &r);
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
    struct gate_opts o = GATE_OPTS_DEFAULT;

    (void)state;
    o.prior_spread = 0.01;
    bg_run_init(&base);
    bg_run_init(&cur);
    add(&base, "x", "time", BG_DIR_LOWER, 1000, 10); /* samples: mean 1004.5, p95 1008.55 */
    res = bg_run_add_result(&cur, "x", "time", "ns", BG_DIR_LOWER);
    res->summary_only = true;
    res->sum.n = 20;
    res->sum.mean = 1205.4;
    res->sum.p95 = NAN;
    base.results[0].sum.mean = 1004.5;
    gate_compare(&base, &cur, &o, &r);
    assert_string_equal(r.rows[0].stat, "mean");
    assert_near(r.rows[0].change, 1205.4 / 1004.5 - 1.0, 1e-12);
    assert_int_equal(r.rows[0].verdict, GATE_REGRESSED);
    assert_true(r.rows[0].low_confidence);
    gate_report_release(&r);
    bg_run_release(&base);
    bg_run_release(&cur);
}

/* ---- histories ---------------------------------------------------------- */

static uint64_t rng;

static double gauss(void)
{
    double u = ((double)(stats_splitmix64(&rng) >> 11) + 0.5) / 9007199254740992.0;
    double v = ((double)(stats_splitmix64(&rng) >> 11) + 0.5) / 9007199254740992.0;

    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

struct suite {
    size_t n_bench, n;     /* benchmarks, samples */
    double machine;        /* this run's factor */
    double shift;          /* benchmark 0 (and those below n_shifted) times this */
    size_t n_shifted;
    double tail_share, tail_mult; /* of benchmark 0's samples */
    size_t outliers;       /* samples of benchmark 1 made 3x */
    double noise0;         /* benchmark 2's run-to-run sd (others 2%) */
    double outlier_rate;   /* every run's samples made 2x at this rate */
    double drift;          /* the others' run-to-run sd; 0: 2% */
};

static void make_run(struct bg_run *run, const struct suite *s, bool current)
{
    char name[32];
    struct bg_diag d;

    bg_run_init(run);
    bg_set_str(&run->project, "p");
    bg_set_str(&run->branch, current ? "pr" : "main");
    for (size_t b = 0; b < s->n_bench; b++) {
        double sd = b == 2 ? s->noise0 : s->drift > 0.0 ? s->drift : 0.02;
        double level = 1e5 * (double)(b + 1) * exp(s->machine + sd * gauss());
        struct bg_result *res;

        if (current && b < s->n_shifted)
            level *= s->shift;
        snprintf(name, sizeof(name), "b%02zu", b);
        res = bg_run_add_result(run, name, "time", "ns", BG_DIR_LOWER);
        for (size_t i = 0; i < s->n; i++) {
            double v = level * exp(0.03 * gauss());

            if (current && b == 0 && (double)i < s->tail_share * (double)s->n)
                v *= s->tail_mult;
            if (current && b == 1 && i < s->outliers)
                v *= 3.0;
            if (s->outlier_rate > 0.0 &&
                (double)(stats_splitmix64(&rng) >> 11) / 9007199254740992.0 < s->outlier_rate)
                v *= 2.0;
            bg_result_add_sample(res, v);
        }
    }
    assert_int_equal(bg_run_finish(run, "test", &d), 0);
}

/* k history runs and one current one, judged with the defaults. */
static void judge(const struct suite *hist, const struct suite *cur, size_t k,
                  struct gate_report *r, struct bg_run *runs)
{
    const struct bg_run *list[16], *c = &runs[k];

    for (size_t j = 0; j < k; j++) {
        struct suite h = *hist;

        h.machine = 0.04 * gauss(); /* each run on a machine a little faster or slower */
        make_run(&runs[j], &h, false);
        list[j] = &runs[j];
    }
    make_run(&runs[k], cur, true);
    gate_compare_runs(list, k, &c, 1, &opts, r);
}

static void release_runs(struct bg_run *runs, size_t n)
{
    for (size_t j = 0; j < n; j++)
        bg_run_release(&runs[j]);
}

/* A run 8% slower across the board, within a history that moves 4%: the
 * machine, not the code. The factor is removed and reported; nothing fails. */
static void test_machine_factor_passes(void **state)
{
    struct suite h = { 30, 30, 0, 1, 0, 0, 1, 0, 0.02, 0, 0 }, c = h;
    struct bg_run runs[11];
    struct gate_report r;

    (void)state;
    rng = 7;
    c.machine = log(1.08);
    judge(&h, &c, 10, &r, runs);
    assert_false(gate_failed(&r));
    assert_int_equal(r.n_suites, 1);
    assert_near(r.suites[0].change, 0.08, 0.03);
    assert_int_not_equal(r.suites[0].verdict, GATE_REGRESSED);
    assert_int_equal(r.count[GATE_REGRESSED], 0);
    assert_true(fabs(r.rows[5].adj_change) < 0.05); /* the factor is out of each change */
    assert_true(r.rows[5].change > 0.02);           /* but the raw change still shows it */
    gate_report_release(&r);
    release_runs(runs, 11);
}

/* Every benchmark 30% slower: past the threshold and the history's spread of
 * the factor: a finding of its own, and the gate fails on it. */
static void test_suite_shift_fails(void **state)
{
    struct suite h = { 30, 30, 0, 1, 0, 0, 1, 0, 0.02, 0, 0 }, c = h;
    struct bg_run runs[11];
    struct gate_report r;

    (void)state;
    rng = 8;
    c.machine = log(1.30);
    judge(&h, &c, 10, &r, runs);
    assert_int_equal(r.n_suites, 1);
    assert_int_equal(r.suites[0].verdict, GATE_REGRESSED);
    assert_true(gate_suite_fails(&r, &r.suites[0]));
    assert_true(gate_failed(&r));
    assert_int_equal(r.count[GATE_REGRESSED], 0); /* no single benchmark stands out */
    gate_report_release(&r);
    release_runs(runs, 11);
}

/* +25% on one benchmark against a 10-run history: regressed on its median. */
static void test_location_shift_found(void **state)
{
    struct suite h = { 30, 30, 0, 1, 0, 0, 1, 0, 0.02, 0, 0 }, c = h;
    struct bg_run runs[11];
    struct gate_report r;

    (void)state;
    rng = 9;
    c.shift = 1.25;
    c.n_shifted = 1;
    judge(&h, &c, 10, &r, runs);
    assert_int_equal(r.rows[0].verdict, GATE_REGRESSED);
    assert_string_equal(r.rows[0].evidence, "p50");
    assert_near(r.rows[0].adj_change, 0.25, 0.08);
    assert_int_equal(r.count[GATE_REGRESSED], 1);
    assert_false(r.rows[0].low_confidence);
    assert_int_equal(r.rows[0].k, 10);
    gate_report_release(&r);
    release_runs(runs, 11);
}

/* Reverses a run's results in place: the same results in another order. */
static void reverse_results(struct bg_run *run)
{
    for (size_t i = 0, j = run->n_results - 1; i < j; i++, j--) {
        struct bg_result t = run->results[i];

        run->results[i] = run->results[j];
        run->results[j] = t;
    }
}

/* Results are matched by name and metric, not by position: the same history
 * with its runs listing their results in other orders (a harness that sorts,
 * one that does not, a benchmark added in the middle) gives the same report. */
static void test_result_order_does_not_matter(void **state)
{
    struct suite h = { 30, 30, 0, 1, 0, 0, 1, 0, 0.02, 0, 0 }, c = h;
    struct bg_run runs[11], again[11];
    const struct bg_run *list[10], *cur = &again[10];
    struct gate_report r, q;

    (void)state;
    c.shift = 1.25;
    c.n_shifted = 1;
    rng = 9;
    judge(&h, &c, 10, &r, runs);
    rng = 9;
    judge(&h, &c, 10, &q, again); /* the same runs again, to reorder */
    gate_report_release(&q);
    for (size_t j = 0; j < 10; j += 2)
        reverse_results(&again[j]); /* every other run reversed */
    for (size_t j = 0; j < 10; j++)
        list[j] = &again[j];
    gate_compare_runs(list, 10, &cur, 1, &opts, &q);
    assert_int_equal(q.n_rows, r.n_rows);
    assert_int_equal(q.count[GATE_REGRESSED], 1);
    for (size_t i = 0; i < r.n_rows; i++) {
        const struct gate_row *a = &r.rows[i], *b = &q.rows[i];

        assert_string_equal(a->cur->name, b->cur->name);
        assert_int_equal(a->verdict, b->verdict);
        assert_int_equal(a->k, b->k);
        assert_near(a->change, b->change, 1e-12);
        assert_near(a->p, b->p, 1e-12);
    }
    gate_report_release(&q);
    /* one run without b07: its row has a run less, the others all ten */
    bg_run_drop_result(&again[3], 7);
    gate_compare_runs(list, 10, &cur, 1, &opts, &q);
    for (size_t i = 0; i < q.n_rows; i++)
        assert_int_equal(q.rows[i].k, i == 7 ? 9 : 10);
    assert_int_equal(q.rows[0].verdict, GATE_REGRESSED);
    gate_report_release(&r);
    gate_report_release(&q);
    release_runs(runs, 11);
    release_runs(again, 11);
}

/* 15% of samples 60% slower, median unchanged: the tail test finds it; three
 * wild samples of another benchmark do not fail it. */
static void test_tail_not_outliers(void **state)
{
    struct suite h = { 30, 100, 0, 1, 0, 0, 1, 0, 0.02, 0, 0 }, c = h;
    struct bg_run runs[11];
    struct gate_report r;

    (void)state;
    rng = 10;
    c.tail_share = 0.15;
    c.tail_mult = 1.6;
    c.outliers = 3;
    judge(&h, &c, 10, &r, runs);
    assert_int_equal(r.rows[0].verdict, GATE_REGRESSED);
    assert_string_equal(r.rows[0].evidence, "tail");
    assert_true(r.rows[0].tail_observed >= 10);
    assert_int_not_equal(r.rows[1].verdict, GATE_REGRESSED);
    gate_report_release(&r);
    release_runs(runs, 11);
}

/* A benchmark that moves 25% run to run cannot confirm a 10% change: it is
 * named, with what would help. A short history is low confidence. */
static void test_sensitivity_and_short_history(void **state)
{
    struct suite h = { 30, 30, 0, 1, 0, 0, 1, 0, 0.25, 0, 0 }, c = h;
    struct bg_run runs[11];
    struct gate_report r;

    (void)state;
    rng = 11;
    judge(&h, &c, 10, &r, runs);
    assert_true(r.rows[2].ungateable);
    assert_true(r.rows[2].detectable > 0.10);
    assert_non_null(r.rows[2].advice);
    assert_false(r.rows[5].ungateable);
    assert_true(r.rows[5].detectable < 0.10);
    assert_true(r.n_ungateable >= 1);
    gate_report_release(&r);
    release_runs(runs, 11);

    judge(&h, &c, 2, &r, runs);
    assert_true(r.rows[5].low & GATE_LOW_HISTORY);
    assert_int_equal(r.rows[5].k, 2);
    gate_report_release(&r);
    release_runs(runs, 3);
}

/* Counters: bytes of a benchmark that allocates nothing (all zeros) and
 * one that allocates the same every run. No spread is known relative to
 * zero, so none is claimed (not an infinite one); a still counter can
 * detect any change, and its +15% fails. */
static void test_counters(void **state)
{
    struct bg_run runs[6];
    const struct bg_run *list[5], *c = &runs[5];
    struct gate_report r;
    struct bg_diag d;

    (void)state;
    for (size_t j = 0; j < 6; j++) {
        struct bg_result *zero, *still;

        bg_run_init(&runs[j]);
        bg_set_str(&runs[j].project, "p");
        bg_set_str(&runs[j].branch, j < 5 ? "main" : "pr");
        zero = bg_run_add_result(&runs[j], "fib", "bytes_per_op", "B", BG_DIR_LOWER);
        still = bg_run_add_result(&runs[j], "sort", "bytes_per_op", "B", BG_DIR_LOWER);
        for (size_t i = 0; i < 30; i++) {
            bg_result_add_sample(zero, 0.0);
            bg_result_add_sample(still, j < 5 ? 480.0 : 552.0);
        }
        assert_int_equal(bg_run_finish(&runs[j], "test", &d), 0);
        if (j < 5)
            list[j] = &runs[j];
    }
    gate_compare_runs(list, 5, &c, 1, &opts, &r);
    assert_int_equal(r.n_rows, 2);
    for (size_t i = 0; i < r.n_rows; i++) {
        const struct gate_row *row = &r.rows[i];

        if (strcmp(row->base->name, "fib") == 0) {
            assert_int_equal(row->verdict, GATE_UNCHANGED);
            assert_true(isnan(row->noise) && isnan(row->ci_lo) && isnan(row->detectable));
            assert_false(row->ungateable);
        } else {
            assert_int_equal(row->verdict, GATE_REGRESSED);
            assert_near(row->change, 0.15, 1e-9);
            assert_true(row->detectable < 0.01);
            assert_false(row->ungateable);
        }
    }
    assert_true(gate_failed(&r));
    gate_report_release(&r);
    release_runs(runs, 6);
}

/* A real shift under the threshold is no regression, however high a noisy
 * p95 reads: 10 benchmarks 5% slower, with 3% outliers in every run (their
 * p95s jump 20% from run to run) and steady medians (0.5% run to run). The
 * median's test finds the 5%; it must not carry a p95 that happened to
 * read +12% over the threshold. */
static void test_small_shift_not_regressed(void **state)
{
    struct suite h = { 30, 30, 0, 1, 0, 0, 1, 0, 0.005, 0.03, 0.005 }, c = h;
    struct bg_run runs[11];
    struct gate_report r;
    size_t regressed = 0, past = 0;

    (void)state;
    rng = 11;
    c.shift = 1.05;
    c.n_shifted = 10;
    for (int trial = 0; trial < 20; trial++) {
        judge(&h, &c, 10, &r, runs);
        for (size_t i = 0; i < 10; i++) {
            regressed += r.rows[i].verdict == GATE_REGRESSED;
            past += r.rows[i].adj_change > 0.10;
        }
        gate_report_release(&r);
        release_runs(runs, 11);
    }
    assert_true(past >= 10); /* the p95 did read past the threshold, often */
    assert_true(regressed <= 1);
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
    report_format_value(b, sizeof(b), 10220.0, "allocs");
    assert_string_equal(b, "10220 allocs"); /* not 1.022e+04 */
    report_format_value(b, sizeof(b), 1222388.0, "B");
    assert_string_equal(b, "1.2 MiB");
    report_format_value(b, sizeof(b), 480.0, "B");
    assert_string_equal(b, "480 B");
    report_format_value(b, sizeof(b), 2.5e12, "ops");
    assert_string_equal(b, "2.5e+12 ops");
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
        cmocka_unit_test(test_machine_factor_passes),
        cmocka_unit_test(test_suite_shift_fails),
        cmocka_unit_test(test_location_shift_found),
        cmocka_unit_test(test_tail_not_outliers),
        cmocka_unit_test(test_sensitivity_and_short_history),
        cmocka_unit_test(test_counters),
        cmocka_unit_test(test_result_order_does_not_matter),
        cmocka_unit_test(test_small_shift_not_regressed),
        cmocka_unit_test(test_formatting),
    };

    return cmocka_run_group_tests_name("compare", tests, NULL, NULL);
}
