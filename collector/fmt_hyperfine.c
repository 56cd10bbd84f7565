/*
 * fmt_hyperfine.c: hyperfine --export-json.
 *
 * {"results": [{"command", "times": [s...], "exit_codes": [...],
 * "parameters": {"name": "value"}}]}. Each result becomes one benchmark,
 * metric "time" in ns, one sample per timed run (warmups are not in times).
 * "command" is the -n name when one was given, with parameters substituted.
 * The summary fields (mean, stddev, ...) are ignored: benchgate recomputes
 * them from the samples, and stddev is null with a single run anyway.
 */
#include "core/bg.h"
#include "collector/formats.h"
#include "core/buf.h"

/* One timed run longer than a million seconds (11.6 days) is not a benchmark. */
#define MAX_SECONDS 1e6

static bool sniff(const struct bg_input *in)
{
    const cJSON *results = bg_json_get(in->json, "results");
    const cJSON *first = cJSON_IsArray(results) ? cJSON_GetArrayItem(results, 0) : NULL;

    return cJSON_IsString(bg_json_get(first, "command")) &&
           cJSON_IsArray(bg_json_get(first, "times"));
}

static int parse_times(const struct bg_input *in, const cJSON *times, const char *at,
                       struct bg_result *res, struct bg_diag *d)
{
    const cJSON *t;
    char path[256];
    size_t j = 0;

    if (bg_json_want(times, cJSON_Array, in->path, at, d) < 0)
        return -1;
    cJSON_ArrayForEach(t, times) {
        double secs;

        snprintf(path, sizeof(path), "%s[%zu]", at, j++);
        if (bg_json_number(t, 0.0, MAX_SECONDS, in->path, path, &secs, d) < 0)
            return -1;
        if (res->n_samples >= BG_MAX_SAMPLES)
            return bg_fail(d, "%s: %s: more than %d samples", in->path, at, BG_MAX_SAMPLES);
        bg_result_add_sample(res, secs * 1e9);
    }
    if (res->n_samples == 0)
        return bg_fail(d, "%s: %s: empty, no timed runs", in->path, at);
    return 0;
}

/* exit_codes[] is optional; when present it matches times[] one to one. A
 * non-zero code means the command failed (hyperfine -i kept going): the
 * times are kept, since the user asked to ignore failures, but said. */
static int check_exit_codes(const struct bg_input *in, const cJSON *codes, const char *at,
                            struct bg_result *res, struct bg_run *run, struct bg_diag *d)
{
    const cJSON *c;
    size_t j = 0, failed = 0;
    char path[256];

    if (codes == NULL || cJSON_IsNull(codes))
        return 0;
    if (bg_json_want(codes, cJSON_Array, in->path, at, d) < 0)
        return -1;
    cJSON_ArrayForEach(c, codes) {
        double code;

        snprintf(path, sizeof(path), "%s[%zu]", at, j++);
        if (cJSON_IsNull(c))
            continue; /* hyperfine writes null when a run was ended by a signal */
        if (bg_json_number(c, -1e9, 1e9, in->path, path, &code, d) < 0)
            return -1;
        failed += code != 0;
    }
    if (j != res->n_samples)
        return bg_fail(d, "%s: %s: %zu exit codes for %zu times", in->path, at, j,
                       res->n_samples);
    if (failed > 0)
        bg_run_warn(run, "%s: '%s': %zu of %zu runs exited with a non-zero status", in->path,
                    res->name, failed, res->n_samples);
    return 0;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp((*(struct bg_result *const *)a)->name, (*(struct bg_result *const *)b)->name);
}

static void append_params(struct bg_result *res)
{
    struct bg_buf b = BG_BUF_INIT;

    bg_buf_addf(&b, "%s (", res->name);
    for (size_t k = 0; k < res->n_params; k++)
        bg_buf_addf(&b, "%s%s=%s", k > 0 ? ", " : "", res->params[k].key, res->params[k].value);
    bg_buf_adds(&b, ")");
    free(res->name);
    res->name = bg_buf_detach(&b, NULL);
}

/*
 * Without -n, parameters are substituted into the command, so names are
 * unique. With a -n name that does not use every parameter, two results
 * share a name: append the parameters to keep each benchmark's identity.
 * Sorted, so a hostile file with many results costs O(n log n).
 */
static void disambiguate(struct bg_run *run, size_t first)
{
    size_t n = run->n_results - first, i = 0;
    struct bg_result **by_name = bg_xmalloc(n * sizeof(*by_name));

    for (size_t k = 0; k < n; k++)
        by_name[k] = &run->results[first + k];
    qsort(by_name, n, sizeof(*by_name), cmp_name);
    while (i < n) {
        size_t j = i + 1;

        while (j < n && strcmp(by_name[i]->name, by_name[j]->name) == 0)
            j++;
        for (size_t k = i; j - i > 1 && k < j; k++) {
            if (by_name[k]->n_params > 0)
                append_params(by_name[k]);
        }
        i = j;
    }
    free(by_name);
}

static int parse(const struct bg_input *in, struct bg_run *run, struct bg_diag *d)
{
    const cJSON *results = bg_json_get(in->json, "results"), *item;
    size_t first = run->n_results, i = 0;
    char at[64], path[128];

    if (bg_json_want(in->json, cJSON_Object, in->path, "(document)", d) < 0 ||
        bg_json_want(results, cJSON_Array, in->path, "results", d) < 0)
        return -1;
    if (cJSON_GetArraySize(results) == 0)
        return bg_fail(d, "%s: results: empty array, no benchmarks", in->path);
    cJSON_ArrayForEach(item, results) {
        struct bg_result *res;
        const char *command, *why;

        snprintf(at, sizeof(at), "results[%zu]", i++);
        if (bg_json_want(item, cJSON_Object, in->path, at, d) < 0)
            return -1;
        snprintf(path, sizeof(path), "%s.command", at);
        if (bg_json_string(bg_json_get(item, "command"), in->path, path, &command, d) < 0)
            return -1;
        why = bg_bench_name_problem(command);
        if (why != NULL)
            return bg_fail(d, "%s: %s: benchmark name %s", in->path, path, why);
        if (run->n_results >= BG_MAX_RESULTS)
            return bg_fail(d, "%s: more than %d results", in->path, BG_MAX_RESULTS);
        res = bg_run_add_result(run, command, "time", "ns", BG_DIR_LOWER);
        snprintf(path, sizeof(path), "%s.times", at);
        if (parse_times(in, bg_json_get(item, "times"), path, res, d) < 0)
            return -1;
        snprintf(path, sizeof(path), "%s.exit_codes", at);
        if (check_exit_codes(in, bg_json_get(item, "exit_codes"), path, res, run, d) < 0)
            return -1;
        snprintf(path, sizeof(path), "%s.parameters", at);
        if (bg_collect_params(in->path, bg_json_get(item, "parameters"), path, false, res, d) < 0)
            return -1;
    }
    disambiguate(run, first);
    return 0;
}

const struct bg_format bg_format_hyperfine = {
    .name = "hyperfine",
    .summary = "hyperfine --export-json FILE",
    .is_json = true,
    .sniff = sniff,
    .parse = parse,
};
