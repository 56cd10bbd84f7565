/*
 * test_criterion.c: Criterion's target/criterion folder (only new/ counts)
 * and the bencher text format, on the corpus (names and sample counts from
 * MANIFEST.json) and on broken folders built in a temporary directory.
 */
#include "tests/unit/collect_helpers.h"
#include "core/spawn.h"

#include <sys/stat.h>
#include <unistd.h>

static int collect(const char *rel, struct bg_run *run, struct bg_diag *d)
{
    char path[512];
    int rc;

    fixture(path, sizeof(path), rel);
    rc = bg_collect_path(path, NULL, run, d);
    return rc == 0 ? bg_run_finish(run, rel, d) : rc;
}

static void test_first_run(void **state)
{
    static const char *const ids[] = {
        "checksum/bytes/1024", "checksum/bytes/16384", "checksum/bytes/262144",
        "fibonacci/compare/Iterative/10", "fibonacci/compare/Iterative/20",
        "fibonacci/compare/Recursive/10", "fibonacci/compare/Recursive/20",
        "sum_u32/100", "sum_u32/10000",
    };
    struct bg_run run;
    struct bg_diag d = { 0 };
    const struct bg_result *r, *t;

    (void)state;
    bg_run_init(&run);
    if (collect("criterion/first-run/target/criterion", &run, &d) != 0)
        fail_msg("%s", d.msg);
    assert_string_equal(run.tool, "criterion");
    for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
        assert_int_equal(find_result(&run, ids[i], "time")->n_samples, 20);
    assert_int_equal(find_result(&run, "slow/sleep_1ms", "time")->n_samples, 10); /* Flat, 10 */
    assert_int_equal(run.n_results, 15); /* 10 times + 5 throughputs */
    /* per-iteration time = times[0] / iters[0] = 2372073 / 2778 */
    r = find_result(&run, "checksum/bytes/1024", "time");
    assert_near(r->samples[0], 2372073.0 / 2778.0, 1e-9);
    /* Bytes throughput: 1024 bytes per iteration */
    t = find_result(&run, "checksum/bytes/1024", "throughput");
    assert_string_equal(t->unit, "B/s");
    assert_int_equal(t->direction, BG_DIR_HIGHER);
    assert_near(t->samples[0], 1024.0 / (r->samples[0] * 1e-9), 1e-3);
    assert_string_equal(find_result(&run, "sum_u32/100", "throughput")->unit, "elements/s");
    bg_run_release(&run);
}

/* The folder above target/criterion is recognised too; so is noplot. */
static void test_target_and_noplot(void **state)
{
    struct bg_run run;
    struct bg_diag d = { 0 };

    (void)state;
    bg_run_init(&run);
    assert_int_equal(collect("criterion/first-run/target", &run, &d), 0);
    assert_int_equal(run.n_results, 15);
    bg_run_release(&run);
    bg_run_init(&run);
    assert_int_equal(collect("criterion/noplot/target/criterion", &run, &d), 0);
    assert_int_equal(run.n_results, 15);
    bg_run_release(&run);
}

static void test_bencher(void **state)
{
    struct bg_run run;
    struct bg_diag d = { 0 };
    const struct bg_result *r;

    (void)state;
    bg_run_init(&run);
    if (collect("criterion/bencher-format/stdout.txt", &run, &d) != 0)
        fail_msg("%s", d.msg);
    assert_string_equal(run.tool, "bencher");
    assert_int_equal(run.n_results, 10);
    r = find_result(&run, "checksum/bytes/16384", "time");
    assert_true(r->summary_only);
    assert_near(r->sum.mean, 13433.0, 0.0);
    assert_true(isnan(r->sum.p95) && isnan(r->sum.stddev));
    assert_near(find_result(&run, "fibonacci/compare/Iterative/20", "time")->sum.mean, 4.0, 0.0);
    bg_run_release(&run);
}

static void test_bencher_libtest_commas(void **state)
{
    const char *text = "running 2 tests\n"
                       "test parse::big   ... bench:   1,234,567 ns/iter (+/- 8,910)\n"
                       "test parse::small ... bench:          12 ns/iter (+/- 1)\n"
                       "\ntest result: ok. 0 passed; 0 failed; 0 ignored; 2 measured\n";
    struct bg_run run;
    struct bg_diag d = { 0 };

    (void)state;
    bg_run_init(&run);
    if (bg_collect_bytes("bench.txt", text, strlen(text), NULL, &run, &d) != 0)
        fail_msg("%s", d.msg);
    assert_near(find_result(&run, "parse::big", "time")->sum.mean, 1234567.0, 0.0); /* unpadded */
    assert_near(find_result(&run, "parse::small", "time")->sum.mean, 12.0, 0.0);
    bg_run_release(&run);
}

/* A temporary folder for hand-made Criterion trees. */
static char tmp[64];

static void put(const char *rel, const char *text)
{
    char path[256], dir[256];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", tmp, rel);
    for (char *s = strchr(path + strlen(tmp) + 1, '/'); s != NULL; s = strchr(s + 1, '/')) {
        snprintf(dir, sizeof(dir), "%.*s", (int)(s - path), path);
        mkdir(dir, 0700);
    }
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmp, sizeof(tmp), "/tmp/bg-test-criterion-XXXXXX");
    return mkdtemp(tmp) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    const char *const argv[] = { "rm", "-rf", tmp, NULL };
    (void)state;
    return bg_spawn_capture(argv, NULL, NULL, 5000) == 0 ? 0 : -1;
}

static int collect_tmp(struct bg_run *run, struct bg_diag *d)
{
    int rc = bg_collect_path(tmp, NULL, run, d);

    return rc == 0 ? bg_run_finish(run, "tmp", d) : rc;
}

/* base/ holds 3 samples, new/ 2: only new/ is read. */
static void test_only_new(void **state)
{
    struct bg_run run;
    struct bg_diag d = { 0 };

    (void)state;
    put("g/a/new/benchmark.json", "{\"full_id\": \"g/a\", \"throughput\": null}");
    put("g/a/new/sample.json", "{\"iters\": [1, 2], \"times\": [10, 30]}");
    put("g/a/base/benchmark.json", "{\"full_id\": \"g/a\", \"throughput\": null}");
    put("g/a/base/sample.json", "{\"iters\": [1, 2, 3], \"times\": [1, 2, 3]}");
    bg_run_init(&run);
    if (collect_tmp(&run, &d) != 0)
        fail_msg("%s", d.msg);
    assert_int_equal(run.n_results, 1);
    assert_int_equal(run.results[0].n_samples, 2);
    assert_near(run.results[0].samples[1], 15.0, 0.0);
    bg_run_release(&run);
}

static void expect_tmp_error(const char *want)
{
    struct bg_run run;
    struct bg_diag d = { 0 };

    bg_run_init(&run);
    if (collect_tmp(&run, &d) == 0)
        fail_msg("accepted");
    if (strstr(d.msg, want) == NULL)
        fail_msg("message '%s' lacks '%s'", d.msg, want);
    bg_run_release(&run);
}

static void test_bad_folders(void **state)
{
    (void)state;
    put("g/a/new/benchmark.json", "{\"full_id\": \"g/a\"}");
    put("g/a/new/sample.json", "{\"iters\": [1, 2], \"times\": [10]}");
    expect_tmp_error("g/a/new/sample.json: iters has 2 entries, times 1");
    put("g/a/new/sample.json", "{\"iters\": [0], \"times\": [10]}");
    expect_tmp_error("g/a/new/sample.json: iters[0]: 0 is below the minimum 1");
    put("g/a/new/sample.json", "{\"iters\": [1], \"times\": [-10]}");
    expect_tmp_error("g/a/new/sample.json: times[0]: -10 is below the minimum 0");
    put("g/a/new/sample.json", "{\"iters\": [1], \"times\": [10");
    expect_tmp_error("g/a/new/sample.json:1:");
    put("g/a/new/sample.json", "{\"iters\": [1], \"times\": [10]}");
    put("g/a/new/benchmark.json", "{\"full_id\": 7}");
    expect_tmp_error("g/a/new/benchmark.json: full_id: expected a string, got number");
    put("g/a/new/benchmark.json", "{\"full_id\": \"g/a\", \"throughput\": {\"Bytes\": -1}}");
    expect_tmp_error("throughput.Bytes: -1 is below the minimum 0");
}

static void test_empty_folder(void **state)
{
    struct bg_run run;
    struct bg_diag d = { 0 };

    (void)state;
    put("report/index.html", "<html></html>");
    bg_run_init(&run);
    assert_int_equal(bg_collect_path(tmp, "criterion", &run, &d), -1);
    assert_non_null(strstr(d.msg, "no Criterion benchmarks (expected */new/benchmark.json)"));
    assert_int_equal(bg_collect_path(tmp, NULL, &run, &d), -1);
    assert_non_null(strstr(d.msg, "is a directory that no format recognises"));
    bg_run_release(&run);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_run),
        cmocka_unit_test(test_target_and_noplot),
        cmocka_unit_test(test_bencher),
        cmocka_unit_test(test_bencher_libtest_commas),
        cmocka_unit_test_setup_teardown(test_only_new, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_folders, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_folder, setup, teardown),
    };

    return cmocka_run_group_tests_name("criterion", tests, NULL, NULL);
}
