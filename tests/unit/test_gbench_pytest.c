/*
 * test_gbench_pytest.c: the Google Benchmark and pytest-benchmark parsers
 * on every corpus case (names and sample counts from MANIFEST.json), the
 * summary-only and error cases, and broken input.
 */
#include "tests/unit/collect_helpers.h"

/* text, read as b.json, is rejected with a message holding want */
static void rejects(const char *text, const char *want)
{
    expect_rejected("b.json", NULL, text, want);
}

static void test_gbench_repetitions(void **state)
{
    struct bg_run run;
    struct bg_diag d = { 0 };
    const struct bg_result *r;

    (void)state;
    bg_run_init(&run);
    if (collect_fixture("gbench/json-repetitions/stdout.json", &run, &d) != 0)
        fail_msg("%s", d.msg);
    assert_string_equal(run.tool, "gbench");
    r = find_result(&run, "BM_StringCopy", "time");
    assert_int_equal(r->n_samples, 10);       /* the 10 repetitions, not the aggregates */
    assert_false(r->summary_only);
    assert_near(r->samples[0], 18.796703455789455, 1e-12);
    assert_int_equal(find_result(&run, "BM_StringCopy", "cpu_time")->n_samples, 10);
    assert_int_equal(find_result(&run, "BM_memcpy/8", "throughput")->direction, BG_DIR_HIGHER);
    /* time_unit honoured: BM_SleepMs reports ms */
    r = find_result(&run, "BM_SleepMs/2000/real_time", "time");
    assert_true(r->samples[0] > 2e6 && r->samples[0] < 3e6);
    bg_run_release(&run);
}

static void test_gbench_counters(void **state)
{
    struct bg_run run;
    struct bg_diag d = { 0 };

    (void)state;
    bg_run_init(&run);
    assert_int_equal(collect_fixture("gbench/json-basic/stdout.json", &run, &d), 0);
    assert_near(find_result(&run, "BM_Counters", "found_per_iter")->samples[0], 143.0, 0.0);
    assert_string_equal(find_result(&run, "BM_Counters", "found")->unit, "count");
    assert_int_equal(find_result(&run, "BM_Counters", "found")->direction, BG_DIR_LOWER);
    assert_int_equal(find_result(&run, "BM_Counters", "found_rate")->direction, BG_DIR_HIGHER);
    assert_string_equal(find_result(&run, "BM_Counters", "items_throughput")->unit, "items/s");
    assert_int_equal(find_result(&run, "BM_Matrix/rows:64/cols:32", "time")->n_samples, 1);
    assert_int_equal(run.n_results, 32);
    bg_run_release(&run);
}

static void test_gbench_threads_manual(void **state)
{
    struct bg_run run;
    struct bg_diag d = { 0 };
    const struct bg_result *r;

    (void)state;
    bg_run_init(&run);
    assert_int_equal(collect_fixture("gbench/threads-manual-time/stdout.json", &run, &d), 0);
    assert_int_equal(find_result(&run, "BM_Threaded/threads:2", "time")->n_samples, 5);
    r = find_result(&run, "BM_Manual/manual_time", "time"); /* us -> ns */
    assert_true(r->samples[0] > 1000.0);
    assert_int_equal(run.n_results, 6);
    bg_run_release(&run);
}

/* Aggregates only (--benchmark_report_aggregates_only): summary-only results. */
static void test_gbench_aggregates_only(void **state)
{
    const char *doc =
        "{\"context\": {}, \"benchmarks\": ["
        "{\"name\": \"BM_A_mean\", \"run_name\": \"BM_A\", \"run_type\": \"aggregate\","
        " \"repetitions\": 5, \"aggregate_name\": \"mean\", \"real_time\": 2.5,"
        " \"cpu_time\": 2.4, \"time_unit\": \"us\"},"
        "{\"name\": \"BM_A_stddev\", \"run_name\": \"BM_A\", \"run_type\": \"aggregate\","
        " \"repetitions\": 5, \"aggregate_name\": \"stddev\", \"real_time\": 0.5,"
        " \"cpu_time\": 0.4, \"time_unit\": \"us\"},"
        "{\"name\": \"BM_A_cv\", \"run_name\": \"BM_A\", \"run_type\": \"aggregate\","
        " \"repetitions\": 5, \"aggregate_name\": \"cv\", \"aggregate_unit\": \"percentage\","
        " \"real_time\": 0.2, \"cpu_time\": 0.16, \"time_unit\": \"us\"},"
        "{\"name\": \"BM_Bad\", \"run_name\": \"BM_Bad\", \"run_type\": \"iteration\","
        " \"error_occurred\": true, \"error_message\": \"disk full\", \"real_time\": 0,"
        " \"cpu_time\": 0, \"time_unit\": \"ns\"},"
        "{\"name\": \"BM_A_BigO\", \"run_name\": \"BM_A\", \"run_type\": \"aggregate\","
        " \"big_o\": \"N\", \"real_coefficient\": 1.0}]}";
    struct bg_run run;
    struct bg_diag d = { 0 };
    const struct bg_result *r;

    (void)state;
    bg_run_init(&run);
    if (collect_text("b.json", NULL, doc, &run, &d) != 0)
        fail_msg("%s", d.msg);
    assert_int_equal(run.n_results, 1);
    r = find_result(&run, "BM_A", "time");
    assert_true(r->summary_only);
    assert_int_equal(r->sum.n, 5);
    assert_near(r->sum.mean, 2500.0, 1e-9);
    assert_near(r->sum.stddev, 500.0, 1e-9);
    assert_true(isnan(r->sum.p95));
    assert_int_equal(run.n_warnings, 1);
    assert_non_null(strstr(run.warnings[0], "'BM_Bad' reported an error (disk full): skipped"));
    bg_run_release(&run);
}

static void test_pytest(void **state)
{
    static const char *const names[] = {
        "test_basic.py::test_fib",        "test_basic.py::test_sorted[100]",
        "test_basic.py::test_sorted[10000]", "test_basic.py::test_json_dumps",
        "test_basic.py::test_json_loads", "test_basic.py::test_pedantic",
    };
    static const size_t rounds[] = { 160, 110, 135, 99, 139, 20 };
    struct bg_run run;
    struct bg_diag d = { 0 };
    const struct bg_result *r;

    (void)state;
    bg_run_init(&run);
    if (collect_fixture("pytest/json-basic/out.json", &run, &d) != 0)
        fail_msg("%s", d.msg);
    assert_string_equal(run.tool, "pytest-benchmark");
    assert_int_equal(run.n_results, 6);
    for (size_t i = 0; i < ARRAY_SIZE(names); i++)
        assert_int_equal(find_result(&run, names[i], "time")->n_samples, rounds[i]);
    r = find_result(&run, "test_basic.py::test_sorted[100]", "time");
    assert_near(r->samples[0], 8.577439998589398e-07 * 1e9, 1e-9); /* seconds -> ns */
    assert_int_equal(r->n_params, 1);
    assert_string_equal(r->params[0].key, "size");
    assert_string_equal(r->params[0].value, "100");
    bg_run_release(&run);
}

static void test_pytest_autosave(void **state)
{
    struct bg_run run;
    struct bg_diag d = { 0 };
    const struct bg_result *r;

    (void)state;
    bg_run_init(&run);
    assert_int_equal(collect_fixture("pytest/autosave-no-data/autosave.json", &run, &d), 0);
    r = find_result(&run, "test_basic.py::test_fib", "time");
    assert_true(r->summary_only);
    assert_int_equal(r->sum.n, 155); /* rounds */
    assert_true(r->sum.mean > 0 && r->sum.median > 0 && isnan(r->sum.p95));
    assert_int_equal(run.n_warnings, 1);
    bg_run_release(&run);
    bg_run_init(&run);
    assert_int_equal(collect_fixture("pytest/autosave-save-data/autosave.json", &run, &d), 0);
    assert_int_equal(find_result(&run, "test_basic.py::test_fib", "time")->n_samples, 199);
    bg_run_release(&run);
    bg_run_init(&run);
    assert_int_equal(collect_fixture("pytest/json-process-time-timer/out.json", &run, &d), 0);
    assert_int_equal(find_result(&run, "test_basic.py::test_fib", "time")->n_samples, 141);
    bg_run_release(&run);
}

static void test_bad_input(void **state)
{
    (void)state;
    rejects("{\"context\": {}, \"benchmarks\": [{\"name\": \"A\", \"real_time\": -1, "
            "\"cpu_time\": 1, \"time_unit\": \"ns\"}]}",
            "b.json: benchmarks[0].real_time: -1 is below the minimum 0");
    rejects("{\"context\": {}, \"benchmarks\": [{\"name\": \"A\", \"real_time\": 1, "
            "\"cpu_time\": 1, \"time_unit\": \"fortnights\"}]}",
            "benchmarks[0].time_unit: 'fortnights' is not ns, us, ms or s");
    rejects("{\"context\": {}, \"benchmarks\": [{\"name\": \"A\", \"real_time\": 1, "
            "\"cpu_time\": 1}]}", "benchmarks[0].time_unit: missing");
    rejects("{\"context\": {}, \"benchmarks\": [{\"real_time\": 1}]}",
            "benchmarks[0].name: missing");
    rejects("{\"context\": {}, \"benchmarks\": []}", "no benchmark with results");
    rejects("{\"context\": {}, \"benchmarks\": [{\"name\": \"A\", \"real_time\": 1e30, "
            "\"cpu_time\": 1, \"time_unit\": \"s\"}]}", "is above the maximum");
    rejects("{\"machine_info\": {}, \"benchmarks\": [{\"fullname\": \"t::a\", \"stats\": "
            "{\"data\": [0.1, \"x\"]}}]}",
            "b.json: benchmarks[0].stats.data[1]: expected a number, got string");
    rejects("{\"machine_info\": {}, \"benchmarks\": [{\"fullname\": \"t::a\", \"stats\": "
            "{\"mean\": 1}}]}", "benchmarks[0].stats.rounds: missing");
    rejects("{\"machine_info\": {}, \"benchmarks\": [{\"fullname\": \"t::a\"}]}",
            "benchmarks[0].stats: missing, expected an object");
    rejects("{\"machine_info\": {}, \"benchmarks\": []}", "benchmarks: empty array");
}

/* The console table and CSV are not collection formats. */
static void test_not_collection_formats(void **state)
{
    struct bg_run run;
    struct bg_diag d = { 0 };

    (void)state;
    bg_run_init(&run);
    assert_int_equal(collect_fixture("gbench/console-tabular/stdout.txt", &run, &d), -1);
    assert_non_null(strstr(d.msg, "not a recognised benchmark format"));
    assert_int_equal(collect_fixture("gbench/csv-format/stdout.csv", &run, &d), -1);
    assert_non_null(strstr(d.msg, "not a recognised benchmark format"));
    bg_run_release(&run);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gbench_repetitions),
        cmocka_unit_test(test_gbench_counters),
        cmocka_unit_test(test_gbench_threads_manual),
        cmocka_unit_test(test_gbench_aggregates_only),
        cmocka_unit_test(test_pytest),
        cmocka_unit_test(test_pytest_autosave),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_not_collection_formats),
    };

    return cmocka_run_group_tests_name("gbench_pytest", tests, NULL, NULL);
}
