/*
 * test_gotest.c: the go test -bench parser on every corpus case (names,
 * metrics and sample counts from the corpus MANIFEST.json), the text and
 * -json forms of one run agreeing, and broken input.
 */
#include "tests/unit/collect_helpers.h"

#define PKG "example.com/benchmod/basic."

/* text, read as go.txt (format go), is rejected with a message holding want */
static void rejects(const char *text, const char *want)
{
    expect_rejected("go.txt", "go", text, want);
}

static void test_basic_text(void **state)
{
    struct bg_run run;
    struct bg_diag d = { 0 };
    const struct bg_result *r;

    (void)state;
    bg_run_init(&run);
    if (collect_fixture("go/basic-text/bench.txt", &run, &d) != 0)
        fail_msg("%s", d.msg);
    assert_string_equal(run.tool, "go");
    assert_int_equal(run.n_results, 21); /* 6 benchmarks, 3 to 5 metrics each */
    r = find_result(&run, PKG "BenchmarkFib15-2", "time");
    assert_int_equal(r->n_samples, 10);
    assert_string_equal(r->unit, "ns");
    assert_int_equal(r->direction, BG_DIR_LOWER);
    r = find_result(&run, PKG "BenchmarkCopy4K-2", "throughput");
    assert_string_equal(r->unit, "B/s");
    assert_int_equal(r->direction, BG_DIR_HIGHER);
    r = find_result(&run, PKG "BenchmarkMakeSlices-2", "bytes_per_op");
    assert_near(r->samples[0], 1408.0, 0.0);
    assert_string_equal(r->unit, "B");
    r = find_result(&run, PKG "BenchmarkMakeSlices-2", "allocs_per_op");
    assert_near(r->samples[0], 17.0, 0.0);
    r = find_result(&run, PKG "BenchmarkSplitCustom-2", "fields/op"); /* b.ReportMetric */
    assert_near(r->samples[0], 151.0, 0.0);
    assert_int_equal(r->direction, BG_DIR_LOWER);
    find_result(&run, PKG "BenchmarkSort/n=1000-2", "time");
    bg_run_release(&run);
}

/* The first Copy4K line: "44.11 ns/op  92850.00 MB/s" (verbose case). */
static void test_values_and_units(void **state)
{
    struct bg_run run;
    struct bg_diag d = { 0 };
    const struct bg_result *r;

    (void)state;
    bg_run_init(&run);
    assert_int_equal(collect_fixture("go/basic-verbose-text/bench.txt", &run, &d), 0);
    r = find_result(&run, PKG "BenchmarkCopy4K-2", "time");
    assert_near(r->samples[0], 44.11, 1e-9);
    r = find_result(&run, PKG "BenchmarkCopy4K-2", "throughput");
    assert_near(r->samples[0], 92850.00e6, 1e-3);
    /* the skipped benchmark is named in a warning and stores nothing */
    assert_int_equal(run.n_warnings, 1);
    assert_non_null(strstr(run.warnings[0], PKG "BenchmarkSkipped' was skipped"));
    bg_run_release(&run);
}

/* The same (name, metric) set and sample counts from text and -json. */
static void same_runs(const char *a, const char *b)
{
    struct bg_run x, y;
    struct bg_diag d = { 0 };

    bg_run_init(&x);
    bg_run_init(&y);
    if (collect_fixture(a, &x, &d) != 0 || collect_fixture(b, &y, &d) != 0)
        fail_msg("%s", d.msg);
    assert_int_equal(x.n_results, y.n_results);
    for (size_t i = 0; i < x.n_results; i++) {
        const struct bg_result *r = find_result(&y, x.results[i].name, x.results[i].metric);

        assert_int_equal(r->n_samples, x.results[i].n_samples);
    }
    bg_run_release(&x);
    bg_run_release(&y);
}

static void test_json_matches_text(void **state)
{
    (void)state;
    same_runs("go/basic-text/bench.txt", "go/basic-json/bench.jsonl");
    same_runs("go/cpu-1-2-text/bench.txt", "go/cpu-1-2-json/bench.jsonl");
}

/* -cpu 1,2: GOMAXPROCS=1 prints no suffix; both are distinct benchmarks. */
static void test_cpu_list(void **state)
{
    struct bg_run run;
    struct bg_diag d = { 0 };

    (void)state;
    bg_run_init(&run);
    assert_int_equal(collect_fixture("go/cpu-1-2-json/bench.jsonl", &run, &d), 0);
    assert_int_equal(run.n_results, 42);
    assert_int_equal(find_result(&run, PKG "BenchmarkFib15", "time")->n_samples, 3);
    assert_int_equal(find_result(&run, PKG "BenchmarkFib15-2", "time")->n_samples, 3);
    bg_run_release(&run);
}

static void test_other_cases(void **state)
{
    struct bg_run run;
    struct bg_diag d = { 0 };

    (void)state;
    bg_run_init(&run);
    assert_int_equal(collect_fixture("go/benchtime-iterations-text/bench.txt", &run, &d), 0);
    assert_int_equal(run.n_results, 3);
    assert_int_equal(find_result(&run, PKG "BenchmarkFib15-2", "time")->n_samples, 5);
    bg_run_release(&run);
    bg_run_init(&run);
    assert_int_equal(collect_fixture("go/no-benchmem-text/bench.txt", &run, &d), 0);
    assert_int_equal(run.n_results, 11);
    bg_run_release(&run);
}

/* Two packages: names stay apart; a failed benchmark stores nothing. */
static void test_packages_and_failures(void **state)
{
    const char *text = "pkg: a/one\n"
                       "BenchmarkX-2   \t 100\t 10.5 ns/op\n"
                       "BenchmarkY-2   \t 100\t 20 ns/op\n"
                       "--- FAIL: BenchmarkY-2\n"
                       "BenchmarkZ-2   \t--- FAIL: BenchmarkZ-2\n"
                       "pkg: b/two\n"
                       "BenchmarkX-2   \t 100\t 30 ns/op\n"
                       "ok  \tb/two\t1.0s\n";
    struct bg_run run;
    struct bg_diag d = { 0 };

    (void)state;
    bg_run_init(&run);
    if (collect_text("go.txt", NULL, text, &run, &d) != 0)
        fail_msg("%s", d.msg);
    assert_int_equal(run.n_results, 2);
    assert_near(find_result(&run, "a/one.BenchmarkX-2", "time")->samples[0], 10.5, 0.0);
    assert_near(find_result(&run, "b/two.BenchmarkX-2", "time")->samples[0], 30.0, 0.0);
    assert_int_equal(run.n_warnings, 2);
    bg_run_release(&run);
}

static void test_bad_input(void **state)
{
    (void)state;
    rejects("PASS\nok  \tx\t0.1s\n", "go.txt: no benchmark results");
    rejects("pkg: p\nBenchmarkA-2 \t 10\t -5 ns/op\n", "go.txt:2: ns/op value '-5' is negative");
    rejects("BenchmarkA-2 \t 10\t abc ns/op\n", "go.txt:1: ns/op value 'abc' is not a number");
    rejects("BenchmarkA-2 \t 10\t inf ns/op\n", "not a finite number");
    rejects("BenchmarkA-2 \t 10\t 5 ns/op\t 7\n",
            "go.txt:1: 'BenchmarkA-2': a value without its unit");
    rejects("BenchmarkA-2 \t 10\t 5 B/op\n", "'BenchmarkA-2': no ns/op in the result");
    rejects("BenchmarkA-2 \t 99999999999999999999\t 5 ns/op\n", "iteration count too large");
    rejects("BenchmarkA-2 \t 0\t 5 ns/op\n", "iteration count too small");
    rejects("{\"Action\":\"output\",\"Package\":\"p\",\"Output\":\"x\"}\n{oops\n",
            "go.txt:2: not a test2json event");
    rejects("{\"Action\":\"output\",\"Package\":\"p\","
            "\"Output\":\"BenchmarkA \\t 1\\t -1 ns/op\\n\"}\n",
            "go.txt: package p, output line 1: ns/op value '-1' is negative");
}

static void test_long_line(void **state)
{
    const char *first = "BenchmarkA \t 1\t 1 ns/op\n";
    size_t n = 70000, k = strlen(first);
    char *text = bg_xmalloc(k + n + 2);

    (void)state;
    memcpy(text, first, k);
    memset(text + k, 'x', n);
    memcpy(text + k + n, "\n", 2);
    rejects(text, "go.txt:2: line longer than 65536 bytes");
    free(text);
}

/* Plain text that only mentions benchmarks is not go output. */
static void test_sniff(void **state)
{
    struct bg_run run;
    struct bg_diag d = { 0 };
    const char *prose = "Benchmark results were fine today.\nNothing to see.\n";

    (void)state;
    bg_run_init(&run);
    assert_int_equal(bg_collect_bytes("notes.txt", prose, strlen(prose), NULL, &run, &d), -1);
    assert_non_null(strstr(d.msg, "not a recognised benchmark format"));
    bg_run_release(&run);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_text),
        cmocka_unit_test(test_values_and_units),
        cmocka_unit_test(test_json_matches_text),
        cmocka_unit_test(test_cpu_list),
        cmocka_unit_test(test_other_cases),
        cmocka_unit_test(test_packages_and_failures),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_long_line),
        cmocka_unit_test(test_sniff),
    };

    return cmocka_run_group_tests_name("gotest", tests, NULL, NULL);
}
