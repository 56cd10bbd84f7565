/*
 * fmt_gbench.c: Google Benchmark JSON (--benchmark_format=json, or
 * --benchmark_out=FILE --benchmark_out_format=json).
 *
 * {"context": {...}, "benchmarks": [...]}. The "iteration" entries sharing a
 * run_name are the samples, one per repetition: real_time -> "time" and
 * cpu_time -> "cpu_time", both converted from each entry's time_unit to ns;
 * bytes_per_second -> "throughput" (B/s) and items_per_second ->
 * "items_throughput" (items/s). Every other numeric key is a user counter:
 * a metric named after it, unit "count", higher-is-better only when the key
 * ends in "_per_second" or "_rate" (the JSON does not carry a counter's
 * flags). Aggregates (_mean, _median, _stddev) are used only for a run_name
 * with no iteration entries (--benchmark_report_aggregates_only): then the
 * result is summary-only. Entries with error_occurred are skipped with a
 * warning; complexity entries (_BigO, _RMS) carry no times and are skipped.
 */
#include "core/bg.h"
#include "collector/formats.h"

#include <math.h>

/* Keys of an entry that are not user counters. */
static const char *const standard_keys[] = {
    "name",           "family_index",   "per_family_instance_index",
    "run_name",       "run_type",       "repetitions",
    "repetition_index", "threads",      "iterations",
    "real_time",      "cpu_time",       "time_unit",
    "bytes_per_second", "items_per_second", "label",
    "error_occurred", "error_message",  "aggregate_name",
    "aggregate_unit", "big_o",          "rms",
    "complexity",     "time_unit_str",
};

/* Largest time one repetition may report, in seconds (about 11.6 days). */
#define MAX_SECONDS 1e6

/* A summary gathered from the aggregate entries of one run_name. */
struct aggregate {
    char *run_name;
    double mean, median, stddev; /* ns; NAN when absent */
    double n;
    bool has_iterations;
};

struct gbench {
    const struct bg_input *in;
    struct bg_run *run;
    struct bg_result_index idx;
    struct aggregate *aggs;
    size_t n_aggs, cap_aggs;
    struct bg_str_index aggs_by_name; /* a file may hold 100,000 run names */
    struct bg_diag *d;
};

static bool sniff(const struct bg_input *in)
{
    return cJSON_IsObject(bg_json_get(in->json, "context")) &&
           cJSON_IsArray(bg_json_get(in->json, "benchmarks"));
}

static bool is_standard(const char *key)
{
    for (size_t i = 0; i < ARRAY_SIZE(standard_keys); i++) {
        if (strcmp(key, standard_keys[i]) == 0)
            return true;
    }
    return false;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static const char *aggregate_name_at(const void *arr, size_t i)
{
    return ((const struct aggregate *)arr)[i].run_name;
}

static struct aggregate *aggregate_for(struct gbench *g, const char *run_name)
{
    size_t i = bg_str_index_find(&g->aggs_by_name, run_name, aggregate_name_at, g->aggs);
    struct aggregate *a;

    if (i != SIZE_MAX)
        return &g->aggs[i];
    BG_GROW(g->aggs, g->cap_aggs, g->n_aggs + 1);
    a = &g->aggs[g->n_aggs++];
    a->run_name = bg_xstrdup(run_name);
    a->mean = a->median = a->stddev = NAN;
    a->n = 0;
    a->has_iterations = false;
    bg_str_index_add(&g->aggs_by_name, g->n_aggs - 1, aggregate_name_at, g->aggs);
    return a;
}

/* ns per time_unit, or 0 for a unit Google Benchmark does not write. */
static double unit_scale(const char *unit)
{
    if (strcmp(unit, "ns") == 0)
        return 1.0;
    if (strcmp(unit, "us") == 0)
        return 1e3;
    if (strcmp(unit, "ms") == 0)
        return 1e6;
    if (strcmp(unit, "s") == 0)
        return 1e9;
    return 0.0;
}

/* The entry's time_unit as ns per unit. */
static int entry_scale(struct gbench *g, const cJSON *e, const char *at, double *scale)
{
    const char *unit;
    char path[256];

    snprintf(path, sizeof(path), "%s.time_unit", at);
    if (bg_json_string(bg_json_get(e, "time_unit"), g->in->path, path, &unit, g->d) < 0)
        return -1;
    *scale = unit_scale(unit);
    if (*scale == 0.0)
        return bg_fail(g->d, "%s: %s: '%.16s' is not ns, us, ms or s", g->in->path, path, unit);
    return 0;
}

static int add_sample(struct gbench *g, const char *name, const char *metric, const char *unit,
                      enum bg_direction dir, double v, const char *at)
{
    struct bg_result *res = bg_result_index_get(&g->idx, g->run, name, metric, unit, dir);

    if (res == NULL)
        return bg_fail(g->d, "%s: %s: more than %d results", g->in->path, at, BG_MAX_RESULTS);
    if (res->n_samples >= BG_MAX_SAMPLES)
        return bg_fail(g->d, "%s: %s: more than %d samples", g->in->path, at, BG_MAX_SAMPLES);
    bg_result_add_sample(res, v);
    return 0;
}

/* A number member of an entry: finite, >= 0, at most hi. */
static int number(struct gbench *g, const cJSON *e, const char *key, const char *at, double hi,
                  double *out)
{
    char path[256];

    snprintf(path, sizeof(path), "%s.%s", at, key);
    return bg_json_number(bg_json_get(e, key), 0.0, hi, g->in->path, path, out, g->d);
}

static int parse_iteration(struct gbench *g, const cJSON *e, const char *run_name,
                           const char *at)
{
    const cJSON *item;
    double scale, real, cpu, v;

    if (entry_scale(g, e, at, &scale) < 0)
        return -1;
    if (number(g, e, "real_time", at, MAX_SECONDS * 1e9 / scale, &real) < 0 ||
        number(g, e, "cpu_time", at, MAX_SECONDS * 1e9 / scale, &cpu) < 0)
        return -1;
    if (add_sample(g, run_name, "time", "ns", BG_DIR_LOWER, real * scale, at) < 0 ||
        add_sample(g, run_name, "cpu_time", "ns", BG_DIR_LOWER, cpu * scale, at) < 0)
        return -1;
    cJSON_ArrayForEach(item, e) {
        const char *key = item->string;

        if (!cJSON_IsNumber(item) ||
            (is_standard(key) && strcmp(key, "bytes_per_second") != 0 &&
             strcmp(key, "items_per_second") != 0))
            continue;
        if (bg_name_problem(key) != NULL || strlen(key) > 64)
            return bg_fail(g->d, "%s: %s: a counter name that is not a name", g->in->path, at);
        if (number(g, e, key, at, 1e300, &v) < 0)
            return -1;
        if (strcmp(key, "bytes_per_second") == 0) {
            if (add_sample(g, run_name, "throughput", "B/s", BG_DIR_HIGHER, v, at) < 0)
                return -1;
        } else if (strcmp(key, "items_per_second") == 0) {
            if (add_sample(g, run_name, "items_throughput", "items/s", BG_DIR_HIGHER, v, at) < 0)
                return -1;
        } else if (add_sample(g, run_name, key, "count",
                              ends_with(key, "_per_second") || ends_with(key, "_rate")
                                  ? BG_DIR_HIGHER
                                  : BG_DIR_LOWER,
                              v, at) < 0) {
            return -1;
        }
    }
    return 0;
}

static int parse_aggregate(struct gbench *g, const cJSON *e, const char *run_name,
                           const char *at)
{
    const cJSON *kind = bg_json_get(e, "aggregate_name");
    struct aggregate *a = aggregate_for(g, run_name);
    double real, reps, scale;

    if (!cJSON_IsString(kind))
        return 0;
    if (strcmp(kind->valuestring, "mean") != 0 && strcmp(kind->valuestring, "median") != 0 &&
        strcmp(kind->valuestring, "stddev") != 0)
        return 0; /* cv is a fraction however time_unit reads; nothing needs it */
    if (entry_scale(g, e, at, &scale) < 0)
        return -1;
    if (number(g, e, "real_time", at, MAX_SECONDS * 1e9 / scale, &real) < 0 ||
        number(g, e, "repetitions", at, 1e9, &reps) < 0)
        return -1;
    a->n = reps;
    if (strcmp(kind->valuestring, "mean") == 0)
        a->mean = real * scale;
    else if (strcmp(kind->valuestring, "median") == 0)
        a->median = real * scale;
    else
        a->stddev = real * scale;
    return 0;
}

static int parse_entry(struct gbench *g, const cJSON *e, const char *at)
{
    const char *name, *run_name, *why;
    const cJSON *type = bg_json_get(e, "run_type"), *run = bg_json_get(e, "run_name");
    char path[256];

    if (bg_json_want(e, cJSON_Object, g->in->path, at, g->d) < 0)
        return -1;
    snprintf(path, sizeof(path), "%s.name", at);
    if (bg_json_string(bg_json_get(e, "name"), g->in->path, path, &name, g->d) < 0)
        return -1;
    run_name = cJSON_IsString(run) ? run->valuestring : name;
    why = bg_bench_name_problem(run_name);
    if (why != NULL)
        return bg_fail(g->d, "%s: %s: benchmark name %s", g->in->path, path, why);
    if (cJSON_IsTrue(bg_json_get(e, "error_occurred"))) {
        const cJSON *msg = bg_json_get(e, "error_message");

        bg_run_warn(g->run, "%s: benchmark '%s' reported an error (%.200s): skipped",
                    g->in->path, name, cJSON_IsString(msg) ? msg->valuestring : "no message");
        return 0;
    }
    if (bg_json_get(e, "big_o") != NULL || bg_json_get(e, "rms") != NULL)
        return 0; /* complexity fits: no times */
    if (cJSON_IsString(type) && strcmp(type->valuestring, "aggregate") == 0)
        return parse_aggregate(g, e, run_name, at);
    aggregate_for(g, run_name)->has_iterations = true;
    return parse_iteration(g, e, run_name, at);
}

static int parse(const struct bg_input *in, struct bg_run *run, struct bg_diag *d)
{
    const cJSON *list = bg_json_get(in->json, "benchmarks"), *e;
    struct gbench g = { .in = in, .run = run, .d = d };
    size_t i = 0;
    char at[64];
    int rc = -1;

    if (bg_json_want(list, cJSON_Array, in->path, "benchmarks", d) < 0)
        return -1;
    cJSON_ArrayForEach(e, list) {
        snprintf(at, sizeof(at), "benchmarks[%zu]", i++);
        if (parse_entry(&g, e, at) < 0)
            goto out;
    }
    /* aggregates stand in only where no repetition was reported */
    for (size_t k = 0; k < g.n_aggs; k++) {
        struct aggregate *a = &g.aggs[k];
        struct bg_result *res;

        if (a->has_iterations || (isnan(a->mean) && isnan(a->median)))
            continue;
        res = bg_result_index_get(&g.idx, run, a->run_name, "time", "ns", BG_DIR_LOWER);
        if (res == NULL) {
            bg_fail(d, "%s: more than %d results", in->path, BG_MAX_RESULTS);
            goto out;
        }
        res->summary_only = true;
        res->sum.n = (size_t)a->n;
        res->sum.mean = a->mean;
        res->sum.median = a->median;
        res->sum.stddev = a->stddev;
        res->sum.min = res->sum.max = res->sum.p95 = NAN;
    }
    if (run->n_results == 0) {
        bg_fail(d, "%s: benchmarks: no benchmark with results", in->path);
        goto out;
    }
    rc = 0;
out:
    for (size_t k = 0; k < g.n_aggs; k++)
        free(g.aggs[k].run_name);
    free(g.aggs);
    bg_str_index_release(&g.aggs_by_name);
    bg_result_index_release(&g.idx);
    return rc;
}

const struct bg_format bg_format_gbench = {
    .name = "gbench",
    .summary = "Google Benchmark JSON (--benchmark_format=json or --benchmark_out)",
    .is_json = true,
    .sniff = sniff,
    .parse = parse,
};
