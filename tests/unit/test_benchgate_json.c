/*
 * test_benchgate_json.c: benchgate's own run document: written and read back
 * to the same run (bit-exact samples, summaries, origin, machine), and
 * rejected with a JSON path when broken.
 */
#include "tests/unit/collect_helpers.h"

/* text, read as run.json, is rejected with a message holding want */
static void rejects(const char *text, const char *want)
{
    expect_rejected("run.json", NULL, text, want);
}

static void make_run(struct bg_run *run)
{
    struct bg_result *res;
    struct bg_diag d;

    bg_run_init(run);
    run->project = bg_xstrdup("acme/widgets");
    run->branch = bg_xstrdup("feature/ü \"quoted\"");
    run->commit = bg_xstrdup("0123abcd");
    run->timestamp = 1763800000;
    run->tool = bg_xstrdup("hyperfine,go");
    run->env.cpu_model = bg_xstrdup("Test CPU @ 3.0GHz");
    run->env.cores = 8;
    run->env.memory_bytes = INT64_C(17179869184);
    run->ci.provider = bg_xstrdup("github");
    run->ci.run_url = bg_xstrdup("https://ci.example/r/1");
    bg_run_add_meta(run, "purpose", "nightly");
    res = bg_run_add_result(run, "parse <x> \\ \"y\"", "time", "ns", BG_DIR_LOWER);
    bg_result_add_sample(res, 0.1 + 0.2); /* not exactly representable: must survive */
    bg_result_add_sample(res, 1e-300);
    bg_result_add_sample(res, 12015004.000000002);
    bg_result_add_param(res, "level", "9");
    res = bg_run_add_result(run, "parse <x> \\ \"y\"", "throughput", "B/s", BG_DIR_HIGHER);
    bg_result_add_sample(res, 5e9);
    res = bg_run_add_result(run, "catch2 thing", "time", "ns", BG_DIR_LOWER);
    res->summary_only = true;
    res->sum.n = 20;
    res->sum.mean = 627.233;
    res->sum.stddev = 12.5;
    res->sum.min = res->sum.max = res->sum.median = res->sum.p95 = NAN;
    assert_int_equal(bg_run_finish(run, "test", &d), 0);
}

static void test_write_then_read_is_identity(void **state)
{
    struct bg_buf a = BG_BUF_INIT, b = BG_BUF_INIT;
    struct bg_run in, out;
    struct bg_diag d = { 0 };

    (void)state;
    make_run(&in);
    bg_run_write_json(&in, &a);
    bg_run_init(&out);
    if (collect_text("run.json", NULL, a.data, &out, &d) != 0)
        fail_msg("%s\n%s", d.msg, a.data);
    assert_string_equal(out.project, in.project);
    assert_string_equal(out.branch, in.branch);
    assert_string_equal(out.commit, in.commit);
    assert_int_equal(out.timestamp, in.timestamp);
    assert_string_equal(out.tool, "hyperfine,go");
    assert_string_equal(out.env.cpu_model, in.env.cpu_model);
    assert_int_equal(out.env.cores, 8);
    assert_int_equal(out.env.memory_bytes, in.env.memory_bytes);
    assert_string_equal(out.ci.run_url, in.ci.run_url);
    assert_string_equal(out.meta[0].value, "nightly");
    assert_int_equal(out.n_results, 3);
    assert_string_equal(out.results[0].name, in.results[0].name);
    assert_memory_equal(out.results[0].samples, in.results[0].samples, 3 * sizeof(double));
    assert_string_equal(out.results[0].params[0].value, "9");
    assert_int_equal(out.results[1].direction, BG_DIR_HIGHER);
    assert_string_equal(out.results[1].unit, "B/s");
    assert_true(out.results[2].summary_only);
    assert_int_equal(out.results[2].sum.n, 20);
    assert_near(out.results[2].sum.mean, 627.233, 0.0);
    assert_true(isnan(out.results[2].sum.p95));
    /* and written again, byte for byte the same document */
    bg_run_write_json(&out, &b);
    assert_string_equal(a.data, b.data);
    bg_buf_release(&a);
    bg_buf_release(&b);
    bg_run_release(&in);
    bg_run_release(&out);
}

/* The minimal document: only benchgate and results; defaults apply. */
static void test_minimal_document(void **state)
{
    const char *doc = "{\"benchgate\": 1, \"results\": ["
                      "{\"name\": \"a\", \"samples\": [1, 2, 3]},"
                      "{\"name\": \"a\", \"metric\": \"rate\", \"unit\": \"ops/s\", "
                      "\"samples\": [9]}]}";
    struct bg_run run;
    struct bg_diag d = { 0 };

    (void)state;
    bg_run_init(&run);
    if (collect_text("run.json", NULL, doc, &run, &d) != 0)
        fail_msg("%s", d.msg);
    assert_string_equal(run.results[0].metric, "time");
    assert_string_equal(run.results[0].unit, "ns");
    assert_int_equal(run.results[0].direction, BG_DIR_LOWER);
    assert_int_equal(run.results[1].direction, BG_DIR_HIGHER); /* unit ends in /s */
    assert_string_equal(run.tool, "benchgate");
    assert_null(run.project);
    bg_run_release(&run);
}

static void test_bad_documents(void **state)
{
    (void)state;
    rejects("{\"benchgate\": 2, \"results\": [{\"name\": \"a\", \"samples\": [1]}]}",
            "run.json: benchgate: document version 2 is not supported");
    rejects("{\"benchgate\": 1, \"results\": []}", "results: empty array");
    rejects("{\"benchgate\": 1, \"results\": [{\"samples\": [1]}]}",
            "results[0].name: missing");
    rejects("{\"benchgate\": 1, \"results\": [{\"name\": \"a\"}]}",
            "results[0]: give exactly one of samples and summary");
    rejects("{\"benchgate\": 1, \"results\": [{\"name\": \"a\", \"samples\": [1], "
            "\"summary\": {\"n\": 1}}]}", "exactly one");
    rejects("{\"benchgate\": 1, \"results\": [{\"name\": \"a\", \"samples\": [1, -2]}]}",
            "results[0].samples[1]: -2 is below the minimum 0");
    rejects("{\"benchgate\": 1, \"results\": [{\"name\": \"a\", \"samples\": []}]}",
            "results[0].samples: empty");
    rejects("{\"benchgate\": 1, \"results\": [{\"name\": \"a\", \"summary\": {\"mean\": 1}}]}",
            "results[0].summary.n: missing");
    rejects("{\"benchgate\": 1, \"results\": [{\"name\": \"a\", \"metric\": \"x\", "
            "\"samples\": [1]}]}", "results[0].unit: missing");
    rejects("{\"benchgate\": 1, \"results\": [{\"name\": \"a\", \"direction\": \"up\", "
            "\"samples\": [1]}]}", "results[0].direction: expected \"lower\" or \"higher\"");
    rejects("{\"benchgate\": 1, \"commit\": \"xyz\", \"results\": [{\"name\": \"a\", "
            "\"samples\": [1]}]}", "run.json: commit: expected 4 to 64 hex digits");
    rejects("{\"benchgate\": 1, \"branch\": \"a\\u0007b\", \"results\": [{\"name\": \"a\", "
            "\"samples\": [1]}]}", "branch: contains a control character");
    rejects("{\"benchgate\": 1, \"environment\": {\"cores\": -1}, \"results\": "
            "[{\"name\": \"a\", \"samples\": [1]}]}", "environment.cores: -1 is below");
    rejects("{\"benchgate\": 1, \"timestamp\": 1.5, \"results\": [{\"name\": \"a\", "
            "\"samples\": [1]}]}", "timestamp: expected a whole number");
    rejects("{\"benchgate\": 1, \"results\": [{\"name\": \"a\", \"summary\": {\"n\": 3}}]}",
            "neither samples nor a mean");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_then_read_is_identity),
        cmocka_unit_test(test_minimal_document),
        cmocka_unit_test(test_bad_documents),
    };

    return cmocka_run_group_tests_name("benchgate_json", tests, NULL, NULL);
}
