/*
 * fmt_pytest.c: pytest-benchmark JSON (--benchmark-json, and the files
 * --benchmark-autosave writes under .benchmarks/).
 *
 * {"machine_info", "commit_info", "benchmarks": [{"fullname", "params",
 * "stats": {"data": [s...], "min", "max", "mean", "median", "stddev",
 * "rounds", ...}}]}. stats.data holds one value per round (seconds per
 * iteration): those are the samples, metric "time" in ns. Autosaved files
 * carry data only with --benchmark-save-data; without it a result is
 * summary-only (min, max, mean, median, stddev, n = rounds). The name is
 * fullname ("test_file.py::test_x[id]"): unique across files, unlike name.
 */
#include "core/bg.h"
#include "collector/formats.h"

#include <math.h>

#define MAX_SECONDS 1e6

static bool sniff(const struct bg_input *in)
{
    return cJSON_IsArray(bg_json_get(in->json, "benchmarks")) &&
           cJSON_IsObject(bg_json_get(in->json, "machine_info")) &&
           bg_json_get(in->json, "context") == NULL;
}

static int parse_summary(const struct bg_input *in, const cJSON *stats, const char *at,
                         struct bg_result *res, struct bg_diag *d)
{
    static const char *const keys[] = { "min", "max", "mean", "median", "stddev" };
    double *slots[] = { &res->sum.min, &res->sum.max, &res->sum.mean, &res->sum.median,
                        &res->sum.stddev };
    double rounds;
    char path[256];

    snprintf(path, sizeof(path), "%s.stats.rounds", at);
    if (bg_json_number(bg_json_get(stats, "rounds"), 1, 1e12, in->path, path, &rounds, d) < 0)
        return -1;
    res->summary_only = true;
    res->sum.n = (size_t)rounds;
    res->sum.p95 = NAN;
    for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
        double v;

        snprintf(path, sizeof(path), "%s.stats.%s", at, keys[i]);
        if (bg_json_number(bg_json_get(stats, keys[i]), 0.0, MAX_SECONDS, in->path, path, &v,
                           d) < 0)
            return -1;
        *slots[i] = v * 1e9;
    }
    return 0;
}

static int parse_benchmark(const struct bg_input *in, const cJSON *b, const char *at,
                           struct bg_run *run, struct bg_diag *d)
{
    const cJSON *stats = bg_json_get(b, "stats"), *data, *v;
    struct bg_result *res;
    const char *name, *why;
    char path[256];
    size_t j = 0;

    if (bg_json_want(b, cJSON_Object, in->path, at, d) < 0)
        return -1;
    snprintf(path, sizeof(path), "%s.fullname", at);
    if (bg_json_string(bg_json_get(b, "fullname"), in->path, path, &name, d) < 0)
        return -1;
    why = bg_bench_name_problem(name);
    if (why != NULL)
        return bg_fail(d, "%s: %s: benchmark name %s", in->path, path, why);
    snprintf(path, sizeof(path), "%s.stats", at);
    if (bg_json_want(stats, cJSON_Object, in->path, path, d) < 0)
        return -1;
    if (run->n_results >= BG_MAX_RESULTS)
        return bg_fail(d, "%s: more than %d results", in->path, BG_MAX_RESULTS);
    res = bg_run_add_result(run, name, "time", "ns", BG_DIR_LOWER);
    data = bg_json_get(stats, "data");
    if (data == NULL) {
        if (parse_summary(in, stats, at, res, d) < 0)
            return -1;
    } else {
        snprintf(path, sizeof(path), "%s.stats.data", at);
        if (bg_json_want(data, cJSON_Array, in->path, path, d) < 0)
            return -1;
        cJSON_ArrayForEach(v, data) {
            char item[320];
            double secs;

            snprintf(item, sizeof(item), "%s[%zu]", path, j++);
            if (bg_json_number(v, 0.0, MAX_SECONDS, in->path, item, &secs, d) < 0)
                return -1;
            if (res->n_samples >= BG_MAX_SAMPLES)
                return bg_fail(d, "%s: %s: more than %d samples", in->path, path,
                               BG_MAX_SAMPLES);
            bg_result_add_sample(res, secs * 1e9);
        }
        if (res->n_samples == 0)
            return bg_fail(d, "%s: %s: empty, no rounds", in->path, path);
    }
    snprintf(path, sizeof(path), "%s.params", at);
    return bg_collect_params(in->path, bg_json_get(b, "params"), path, true, res, d);
}

static int parse(const struct bg_input *in, struct bg_run *run, struct bg_diag *d)
{
    const cJSON *list = bg_json_get(in->json, "benchmarks"), *b;
    size_t i = 0, summaries = 0;
    char at[64];

    if (bg_json_want(list, cJSON_Array, in->path, "benchmarks", d) < 0)
        return -1;
    if (cJSON_GetArraySize(list) == 0)
        return bg_fail(d, "%s: benchmarks: empty array, no benchmarks", in->path);
    cJSON_ArrayForEach(b, list) {
        snprintf(at, sizeof(at), "benchmarks[%zu]", i++);
        if (parse_benchmark(in, b, at, run, d) < 0)
            return -1;
        summaries += run->results[run->n_results - 1].summary_only;
    }
    if (summaries > 0)
        bg_run_warn(run, "%s: %zu of %zu benchmarks carry summaries only (no stats.data: save "
                    "with --benchmark-save-data to keep the rounds); they are compared on the "
                    "mean, with low confidence", in->path, summaries, i);
    return 0;
}

const struct bg_format bg_format_pytest = {
    .name = "pytest-benchmark",
    .summary = "pytest-benchmark JSON (--benchmark-json, --benchmark-autosave files)",
    .is_json = true,
    .sniff = sniff,
    .parse = parse,
};
