/*
 * test_hyperfine.c: the hyperfine parser on every real file in the corpus
 * (expected names and sample counts from its MANIFEST.json), and on broken
 * input, where the message must say which file and where.
 */
#include "tests/unit/collect_helpers.h"

struct expect {
    const char *name;
    size_t samples;
};

/* text, read as t.json, is rejected with a message holding want */
static void rejects(const char *text, const char *want)
{
    expect_rejected("t.json", NULL, text, want);
}

/* text, read as t.json, is accepted into run (initialised here) */
static void accepts(const char *text, struct bg_run *run)
{
    struct bg_diag d = { 0 };

    bg_run_init(run);
    if (collect_text("t.json", NULL, text, run, &d) != 0)
        fail_msg("%s", d.msg);
}

static void expect_results(const char *rel, const struct expect *e, size_t n)
{
    struct bg_run run;
    struct bg_diag d = { 0 };

    bg_run_init(&run);
    if (collect_fixture(rel, &run, &d) != 0)
        fail_msg("%s: %s", rel, d.msg);
    assert_int_equal(run.n_results, n);
    assert_string_equal(run.tool, "hyperfine");
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(run.results[i].name, e[i].name);
        assert_string_equal(run.results[i].metric, "time");
        assert_string_equal(run.results[i].unit, "ns");
        assert_int_equal(run.results[i].direction, BG_DIR_LOWER);
        assert_int_equal(run.results[i].n_samples, e[i].samples);
        assert_int_equal(run.results[i].sum.n, e[i].samples);
        assert_false(run.results[i].summary_only);
    }
    bg_run_release(&run);
}

static void test_corpus_single(void **state)
{
    const struct expect e[] = { { "sleep 0.05", 57 } };
    struct bg_run run;
    struct bg_diag d;

    (void)state;
    expect_results("hyperfine/single/single.json", e, 1);
    /* seconds become nanoseconds: the first time in the file is 0.05106811714 s */
    bg_run_init(&run);
    assert_int_equal(collect_fixture("hyperfine/single/single.json", &run, &d), 0);
    assert_near(run.results[0].samples[0], 0.05106811714e9, 1e-3);
    assert_near(run.results[0].sum.min, 0.05106811714e9, 1e-3);
    assert_near(run.results[0].sum.max, 0.05314182314e9, 1e-3);
    bg_run_release(&run);
}

static void test_corpus_multi(void **state)
{
    const struct expect e[] = {
        { "sleep 0.02", 132 }, { "sleep 0.04", 71 }, { "gzip -1 -c data.txt > /dev/null", 26 }
    };

    (void)state;
    expect_results("hyperfine/multi-commands/results.json", e, 3);
}

static void test_corpus_min_max_runs(void **state)
{
    const struct expect e[] = { { "sleep 0.2", 5 }, { "sleep 0.25", 5 } };

    (void)state;
    expect_results("hyperfine/min-max-runs/minmax.json", e, 2);
}

static void test_corpus_no_shell(void **state)
{
    const struct expect e[] = {
        { "true", 4725 }, { "sleep 0.01", 256 }, { "wc -c data.txt", 3328 }
    };

    (void)state;
    expect_results("hyperfine/no-shell/noshell.json", e, 3);
}

static void test_corpus_runs50_warmup_time_unit(void **state)
{
    const struct expect r50[] = { { "sleep 0.01", 50 } };
    const struct expect warm[] = { { "gzip -1 -c data.txt > /dev/null", 34 } };
    const struct expect tu[] = { { "sleep 0.002", 20 }, { "sleep 0.3", 20 } };
    struct bg_run run;
    struct bg_diag d;

    (void)state;
    expect_results("hyperfine/runs-50/runs50.json", r50, 1);
    expect_results("hyperfine/warmup/warmup.json", warm, 1);
    expect_results("hyperfine/time-unit-ms/tu.json", tu, 2);
    /* -u millisecond does not change the JSON: it stays in seconds */
    bg_run_init(&run);
    assert_int_equal(collect_fixture("hyperfine/time-unit-ms/tu.json", &run, &d), 0);
    assert_true(run.results[1].sum.p95 > 0.29e9 && run.results[1].sum.p95 < 0.4e9);
    bg_run_release(&run);
}

static void test_corpus_parameters(void **state)
{
    const struct expect np[] = { { "gzip at level 1", 5 }, { "gzip at level 6", 5 } };
    const struct expect list[] = { { "gzip -1 -c small.txt > /dev/null", 5 },
                                   { "bzip2 -1 -c small.txt > /dev/null", 5 },
                                   { "xz -1 -c small.txt > /dev/null", 5 } };
    struct bg_run run;
    struct bg_diag d;

    (void)state;
    expect_results("hyperfine/named-parameters/np.json", np, 2);
    expect_results("hyperfine/parameter-list/list.json", list, 3);
    bg_run_init(&run);
    assert_int_equal(collect_fixture("hyperfine/parameter-list/list.json", &run, &d), 0);
    assert_int_equal(run.results[1].n_params, 1);
    assert_string_equal(run.results[1].params[0].key, "algo");
    assert_string_equal(run.results[1].params[0].value, "bzip2");
    bg_run_release(&run);
}

/* A -n name without the parameter gives two results one name: each keeps its
 * identity through its parameters. */
static void test_same_name_parameters_disambiguated(void **state)
{
    const char *doc = "{\"results\":["
                      "{\"command\":\"gzip\",\"times\":[0.1,0.2],\"parameters\":{\"level\":\"1\"}},"
                      "{\"command\":\"gzip\",\"times\":[0.3],\"parameters\":{\"level\":\"9\"}}]}";
    struct bg_run run;

    (void)state;
    accepts(doc, &run);
    assert_string_equal(run.results[0].name, "gzip (level=1)");
    assert_string_equal(run.results[1].name, "gzip (level=9)");
    bg_run_release(&run);
}

static void test_nonzero_exit_codes_warn(void **state)
{
    const char *doc = "{\"results\":[{\"command\":\"false\",\"times\":[0.1,0.2,0.3],"
                      "\"exit_codes\":[0,1,1]}]}";
    struct bg_run run;
    struct bg_diag d = { 0 };

    (void)state;
    bg_run_init(&run);
    assert_int_equal(collect_text("t.json", NULL, doc, &run, &d), 0);
    assert_int_equal(run.n_warnings, 1);
    assert_non_null(strstr(run.warnings[0], "2 of 3 runs exited with a non-zero status"));
    bg_run_release(&run);
}

static void test_bad_input(void **state)
{
    (void)state;
    rejects("", "empty file");
    rejects("hello, world\n", "not a recognised benchmark format (tried: ");
    rejects("{\"results\": [{\"command\": \"a\", \"times\": [0.1,", "t.json:1:");
    rejects("{\"results\": [{\"command\": \"a\", \"times\": [0.1,", "truncated");
    rejects("{\"results\": [{\"command\": \"a\", \"times\": [NaN]}]}", "invalid JSON");
    rejects("{\"results\": {\"command\": \"a\"}}", "not a recognised");
    rejects("{\"results\": []}", "not a recognised");
    rejects("[1, 2, 3]", "not a recognised");
}

static void test_bad_values(void **state)
{
    (void)state;
    rejects("{\"results\":[{\"command\":\"a\",\"times\":[0.1,-0.2]}]}",
            "results[0].times[1]: -0.2 is below the minimum 0");
    rejects("{\"results\":[{\"command\":\"a\",\"times\":[0.1,\"0.2\"]}]}",
            "results[0].times[1]: expected a number, got string");
    rejects("{\"results\":[{\"command\":\"a\",\"times\":[1e999]}]}",
            "results[0].times[0]: number is not finite");
    rejects("{\"results\":[{\"command\":\"a\",\"times\":[1e300]}]}",
            "results[0].times[0]: 1e+300 is above the maximum");
    rejects("{\"results\":[{\"command\":\"a\",\"times\":[]}]}",
            "results[0].times: empty");
    rejects("{\"results\":[{\"command\":\"a\",\"times\":[0.1]},{\"command\":7,\"times\":[]}]}",
            "results[1].command: expected a string, got number");
    rejects("{\"results\":[{\"command\":\"a\",\"times\":[0.1]},\"x\"]}",
            "results[1]: expected an object, got string");
    rejects("{\"results\":[{\"command\":\"a\\u0000b\",\"times\":[0.1]}]}", "\\u0000");
    rejects("{\"results\":[{\"command\":\"\",\"times\":[0.1]}]}", "is empty");
    rejects("{\"results\":[{\"command\":\"a\",\"times\":[0.1],\"exit_codes\":[0,0]}]}",
            "2 exit codes for 1 times");
    rejects("{\"results\":[{\"command\":\"a\",\"times\":[0.1]},"
            "{\"command\":\"a\",\"times\":[0.2]}]}",
            "'a' (metric time) appears twice");
    rejects("{\"results\":[{\"command\":\"a\",\"times\":[0.1],\"parameters\":{\"k\":1}}]}",
            "results[0].parameters.k: expected a string");
}

static void test_invalid_utf8_name(void **state)
{
    const char doc[] = "{\"results\":[{\"command\":\"a\xff\",\"times\":[0.1]}]}";

    (void)state;
    rejects(doc, "not valid UTF-8");
}

/* Printable Unicode is a fine name: identity survives untouched. */
static void test_unicode_name(void **state)
{
    const char *doc = "{\"results\":[{\"command\":\"µs/ü <x> \\\"q\\\"\",\"times\":[0.1]}]}";
    struct bg_run run;

    (void)state;
    accepts(doc, &run);
    assert_string_equal(run.results[0].name, "µs/ü <x> \"q\"");
    bg_run_release(&run);
}

/* hyperfine -n 'tab<TAB>and \\ backslash': the file is read, the name's control
 * characters become visible (the same on every run) with a warning. */
static void test_control_character_name(void **state)
{
    const char *doc = "{\"results\":[{\"command\":\"tab\\tand \\\\ backslash\","
                      "\"times\":[0.1]},{\"command\":\"a\\u001b[31m\\u0085\",\"times\":[0.1]}]}";
    struct bg_run run;

    (void)state;
    accepts(doc, &run);
    assert_string_equal(run.results[0].name, "tab\u2409and \\ backslash");
    assert_string_equal(run.results[1].name, "a\u241b[31m<U+0085>");
    assert_int_equal(run.n_warnings, 2);
    assert_non_null(strstr(run.warnings[0], "stored as 'tab\u2409and \\ backslash'"));
    bg_run_release(&run);
}

static void test_forced_format(void **state)
{
    struct bg_run run;
    struct bg_diag d = { 0 };

    (void)state;
    bg_run_init(&run);
    assert_int_equal(bg_collect_bytes("x", "{}", 2, "nosuch", &run, &d), -1);
    assert_non_null(strstr(d.msg, "unknown format 'nosuch' (known: "));
    assert_int_equal(bg_collect_bytes("x.txt", "plain", 5, "hyperfine", &run, &d), -1);
    assert_non_null(strstr(d.msg, "x.txt: not JSON"));
    assert_int_equal(bg_collect_bytes("y.json", "{\"a\":1}", 7, "hyperfine", &run, &d), -1);
    assert_non_null(strstr(d.msg, "y.json: results: missing, expected an array"));
    bg_run_release(&run);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus_single),
        cmocka_unit_test(test_corpus_multi),
        cmocka_unit_test(test_corpus_min_max_runs),
        cmocka_unit_test(test_corpus_no_shell),
        cmocka_unit_test(test_corpus_runs50_warmup_time_unit),
        cmocka_unit_test(test_corpus_parameters),
        cmocka_unit_test(test_same_name_parameters_disambiguated),
        cmocka_unit_test(test_nonzero_exit_codes_warn),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_invalid_utf8_name),
        cmocka_unit_test(test_unicode_name),
        cmocka_unit_test(test_control_character_name),
        cmocka_unit_test(test_forced_format),
    };

    return cmocka_run_group_tests_name("hyperfine", tests, NULL, NULL);
}
