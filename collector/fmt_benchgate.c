/*
 * fmt_benchgate.c: benchgate's own run document (schemas/run.schema.json),
 * read and written here so its shape lives in one file.
 *
 * It is what `collect --output json` prints and what any other harness can
 * be adapted to. Unlike the harness formats it may carry the run's origin
 * (project, branch, commit, timestamp), its machine and CI context: those
 * fill the run where the run has nothing yet, so flags given to collect
 * still win, and a document printed and read back stores the same run.
 */
#include "core/bg.h"
#include "collector/formats.h"
#include "core/env.h"
#include "core/num.h"

#include <math.h>

#define FORMAT_VERSION 1

static bool sniff(const struct bg_input *in)
{
    return cJSON_IsNumber(bg_json_get(in->json, "benchgate")) &&
           cJSON_IsArray(bg_json_get(in->json, "results"));
}

/* An optional string member: absent or null is fine, anything else must be a
 * string that passes check (NULL: any string up to BG_TEXT_MAX bytes). */
static int opt_string(const cJSON *obj, const char *key, const char *what, const char *at,
                      bool is_name, const char **out, struct bg_diag *d)
{
    const cJSON *item = bg_json_get(obj, key);
    const char *why;

    *out = NULL;
    if (item == NULL || cJSON_IsNull(item))
        return 0;
    if (bg_json_string(item, what, at, out, d) < 0)
        return -1;
    why = is_name ? bg_name_problem(*out) : strlen(*out) > BG_TEXT_MAX ? "is too long" : NULL;
    if (why != NULL)
        return bg_fail(d, "%s: %s: %s", what, at, why);
    return 0;
}

static int opt_int(const cJSON *obj, const char *key, const char *what, const char *at,
                   int64_t *out, struct bg_diag *d)
{
    const cJSON *item = bg_json_get(obj, key);
    double v;

    if (item == NULL || cJSON_IsNull(item))
        return 0;
    if (bg_json_number(item, 0, 9007199254740992.0, what, at, &v, d) < 0)
        return -1;
    if (v != floor(v))
        return bg_fail(d, "%s: %s: expected a whole number", what, at);
    *out = (int64_t)v;
    return 0;
}

/* Sets *field from a string member unless the run already has a value. */
static int fill(const cJSON *obj, const char *key, const char *what, const char *at, bool is_name,
                char **field, struct bg_diag *d)
{
    const char *v;

    if (opt_string(obj, key, what, at, is_name, &v, d) < 0)
        return -1;
    if (*field == NULL && v != NULL)
        *field = bg_xstrdup(v);
    return 0;
}

static int parse_origin(const struct bg_input *in, struct bg_run *run, struct bg_diag *d)
{
    const cJSON *root = in->json;
    const char *commit, *tool;
    int64_t ts = 0;

    if (fill(root, "project", in->path, "project", true, &run->project, d) < 0 ||
        fill(root, "branch", in->path, "branch", true, &run->branch, d) < 0 ||
        opt_string(root, "commit", in->path, "commit", false, &commit, d) < 0 ||
        opt_string(root, "tool", in->path, "tool", false, &tool, d) < 0 ||
        opt_int(root, "timestamp", in->path, "timestamp", &ts, d) < 0)
        return -1;
    if (commit != NULL) {
        char *c = bg_xstrdup(commit);

        if (!bg_commit_ok(c)) {
            free(c);
            return bg_fail(d, "%s: commit: expected 4 to 64 hex digits", in->path);
        }
        if (run->commit == NULL)
            run->commit = c;
        else
            free(c);
    }
    if (run->timestamp == 0)
        run->timestamp = ts;
    for (const char *p = tool; p != NULL && *p != '\0';) {
        size_t len = strcspn(p, ",");
        char *one = bg_xstrndup(p, len);

        if (*one != '\0')
            bg_run_add_tool(run, one);
        free(one);
        p += len + (p[len] == ',');
    }
    if (tool == NULL || *tool == '\0')
        bg_run_add_tool(run, "benchgate");
    return 0;
}

static int parse_context(const struct bg_input *in, struct bg_run *run, struct bg_diag *d)
{
    const cJSON *env = bg_json_get(in->json, "environment");
    const cJSON *ci = bg_json_get(in->json, "ci");
    const cJSON *meta = bg_json_get(in->json, "meta"), *item;
    struct bg_env *e = &run->env;
    int64_t cores = 0, memory = 0;

    if (env != NULL && bg_json_want(env, cJSON_Object, in->path, "environment", d) < 0)
        return -1;
    if (fill(env, "os", in->path, "environment.os", false, &e->os, d) < 0 ||
        fill(env, "kernel", in->path, "environment.kernel", false, &e->kernel, d) < 0 ||
        fill(env, "arch", in->path, "environment.arch", false, &e->arch, d) < 0 ||
        fill(env, "cpu_model", in->path, "environment.cpu_model", false, &e->cpu_model, d) < 0 ||
        fill(env, "compiler", in->path, "environment.compiler", false, &e->compiler, d) < 0 ||
        fill(env, "runner", in->path, "environment.runner", false, &e->runner, d) < 0 ||
        opt_int(env, "cores", in->path, "environment.cores", &cores, d) < 0 ||
        opt_int(env, "memory_bytes", in->path, "environment.memory_bytes", &memory, d) < 0)
        return -1;
    if (e->cores == 0)
        e->cores = cores;
    if (e->memory_bytes == 0)
        e->memory_bytes = memory;

    if (ci != NULL && bg_json_want(ci, cJSON_Object, in->path, "ci", d) < 0)
        return -1;
    if (fill(ci, "provider", in->path, "ci.provider", false, &run->ci.provider, d) < 0 ||
        fill(ci, "repository", in->path, "ci.repository", false, &run->ci.repository, d) < 0 ||
        fill(ci, "run_id", in->path, "ci.run_id", false, &run->ci.run_id, d) < 0 ||
        fill(ci, "run_url", in->path, "ci.run_url", false, &run->ci.run_url, d) < 0 ||
        fill(ci, "event", in->path, "ci.event", false, &run->ci.event, d) < 0)
        return -1;

    if (meta != NULL && bg_json_want(meta, cJSON_Object, in->path, "meta", d) < 0)
        return -1;
    cJSON_ArrayForEach(item, meta) {
        const char *v;
        char at[96];

        snprintf(at, sizeof(at), "meta.%.64s", item->string);
        if (bg_name_problem(item->string) != NULL || strlen(item->string) > 64)
            return bg_fail(d, "%s: %s: bad key", in->path, at);
        if (bg_json_string(item, in->path, at, &v, d) < 0)
            return -1;
        if (strlen(v) > BG_TEXT_MAX)
            return bg_fail(d, "%s: %s: is too long", in->path, at);
        if (run->n_meta >= BG_MAX_META && bg_run_meta(run, item->string) == NULL)
            return bg_fail(d, "%s: meta: more than %d keys", in->path, BG_MAX_META);
        bg_run_add_meta(run, item->string, v);
    }
    return 0;
}

static int parse_summary(const struct bg_input *in, const cJSON *sum, const char *at,
                         struct bg_result *res, struct bg_diag *d)
{
    static const char *const keys[] = { "min", "mean", "median", "p95", "max", "stddev" };
    double *slots[] = { &res->sum.min, &res->sum.mean, &res->sum.median,
                        &res->sum.p95, &res->sum.max,  &res->sum.stddev };
    const cJSON *pruned;
    int64_t n = 0;
    char path[256];

    if (bg_json_want(sum, cJSON_Object, in->path, at, d) < 0)
        return -1;
    snprintf(path, sizeof(path), "%s.n", at);
    if (bg_json_get(sum, "n") == NULL)
        return bg_fail(d, "%s: %s: missing, expected a number", in->path, path);
    if (opt_int(sum, "n", in->path, path, &n, d) < 0)
        return -1;
    /* null: a tool that does not say how many samples stand behind it */
    if (n < 1 && !cJSON_IsNull(bg_json_get(sum, "n")))
        return bg_fail(d, "%s: %s: %" PRId64 "; a summary stands for at least one sample",
                       in->path, path, n);
    pruned = bg_json_get(sum, "pruned");
    snprintf(path, sizeof(path), "%s.pruned", at);
    if (pruned != NULL && !cJSON_IsBool(pruned))
        return bg_fail(d, "%s: %s: expected true or false, got %s", in->path, path,
                       bg_json_type(pruned));
    /* the summary of samples a store dropped (benchgate prune), or a harness's */
    res->pruned = cJSON_IsTrue(pruned);
    res->summary_only = !res->pruned;
    res->sum.n = (size_t)n;
    for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
        const cJSON *v = bg_json_get(sum, keys[i]);

        *slots[i] = NAN;
        snprintf(path, sizeof(path), "%s.%s", at, keys[i]);
        if (v != NULL && !cJSON_IsNull(v) &&
            bg_json_number(v, 0.0, bg_value_max(res->unit), in->path, path, slots[i], d) < 0)
            return -1;
    }
    return 0;
}

static int parse_samples(const struct bg_input *in, const cJSON *samples, const char *at,
                         struct bg_result *res, struct bg_diag *d)
{
    const cJSON *v;
    size_t j = 0;
    double hi = bg_value_max(res->unit);
    char path[256];

    if (bg_json_want(samples, cJSON_Array, in->path, at, d) < 0)
        return -1;
    cJSON_ArrayForEach(v, samples) {
        double x;

        snprintf(path, sizeof(path), "%s[%zu]", at, j++);
        if (bg_json_number(v, 0.0, hi, in->path, path, &x, d) < 0)
            return -1;
        if (res->n_samples >= BG_MAX_SAMPLES)
            return bg_fail(d, "%s: %s: more than %d samples", in->path, at, BG_MAX_SAMPLES);
        bg_result_add_sample(res, x);
    }
    if (res->n_samples == 0)
        return bg_fail(d, "%s: %s: empty; give samples or a summary", in->path, at);
    return 0;
}

static bool is_rate(const char *unit)
{
    size_t n = strlen(unit);

    return n >= 2 && strcmp(unit + n - 2, "/s") == 0;
}

static int parse_result(const struct bg_input *in, const cJSON *item, const char *at,
                        struct bg_run *run, struct bg_diag *d)
{
    const cJSON *samples = bg_json_get(item, "samples"), *summary = bg_json_get(item, "summary");
    const char *name, *metric, *unit, *dir;
    enum bg_direction direction;
    struct bg_result *res;
    char path[128];

    if (bg_json_want(item, cJSON_Object, in->path, at, d) < 0)
        return -1;
    snprintf(path, sizeof(path), "%s.name", at);
    if (bg_json_get(item, "name") == NULL)
        return bg_fail(d, "%s: %s: missing, expected a string", in->path, path);
    if (opt_string(item, "name", in->path, path, false, &name, d) < 0)
        return -1;
    if (bg_bench_name_problem(name) != NULL) /* control characters are made visible later */
        return bg_fail(d, "%s: %s: %s", in->path, path, bg_bench_name_problem(name));
    snprintf(path, sizeof(path), "%s.metric", at);
    if (opt_string(item, "metric", in->path, path, true, &metric, d) < 0)
        return -1;
    metric = metric != NULL ? metric : "time";
    snprintf(path, sizeof(path), "%s.unit", at);
    if (opt_string(item, "unit", in->path, path, false, &unit, d) < 0)
        return -1;
    if (unit == NULL && strcmp(metric, "time") != 0)
        return bg_fail(d, "%s: %s: missing; a metric other than time needs a unit", in->path,
                       path);
    unit = unit != NULL ? unit : "ns";
    if (strlen(unit) > 64 || (*unit != '\0' && bg_name_problem(unit) != NULL))
        return bg_fail(d, "%s: %s: not a unit", in->path, path);
    snprintf(path, sizeof(path), "%s.direction", at);
    if (opt_string(item, "direction", in->path, path, false, &dir, d) < 0)
        return -1;
    if (dir == NULL)
        direction = is_rate(unit) ? BG_DIR_HIGHER : BG_DIR_LOWER;
    else if (strcmp(dir, "lower") == 0)
        direction = BG_DIR_LOWER;
    else if (strcmp(dir, "higher") == 0)
        direction = BG_DIR_HIGHER;
    else
        return bg_fail(d, "%s: %s: expected \"lower\" or \"higher\"", in->path, path);
    if ((samples == NULL) == (summary == NULL))
        return bg_fail(d, "%s: %s: give exactly one of samples and summary", in->path, at);
    if (run->n_results >= BG_MAX_RESULTS)
        return bg_fail(d, "%s: more than %d results", in->path, BG_MAX_RESULTS);

    res = bg_run_add_result(run, name, metric, unit, direction);
    snprintf(path, sizeof(path), "%s.%s", at, samples != NULL ? "samples" : "summary");
    if (samples != NULL ? parse_samples(in, samples, path, res, d) < 0
                        : parse_summary(in, summary, path, res, d) < 0)
        return -1;
    snprintf(path, sizeof(path), "%s.params", at);
    return bg_collect_params(in->path, bg_json_get(item, "params"), path, false, res, d);
}

static int parse(const struct bg_input *in, struct bg_run *run, struct bg_diag *d)
{
    const cJSON *version = bg_json_get(in->json, "benchgate");
    const cJSON *results = bg_json_get(in->json, "results"), *item;
    size_t i = 0;
    double v;
    char at[64];

    if (bg_json_number(version, 0, 1e9, in->path, "benchgate", &v, d) < 0)
        return -1;
    if (v != FORMAT_VERSION)
        return bg_fail(d, "%s: benchgate: document version %g is not supported (this "
                       "benchgate reads version %d)", in->path, v, FORMAT_VERSION);
    if (bg_json_want(results, cJSON_Array, in->path, "results", d) < 0)
        return -1;
    if (cJSON_GetArraySize(results) == 0)
        return bg_fail(d, "%s: results: empty array, no benchmarks", in->path);
    if (parse_origin(in, run, d) < 0 || parse_context(in, run, d) < 0)
        return -1;
    cJSON_ArrayForEach(item, results) {
        snprintf(at, sizeof(at), "results[%zu]", i++);
        if (parse_result(in, item, at, run, d) < 0)
            return -1;
    }
    return 0;
}

/* ---- writing ---------------------------------------------------------- */

/* Object members, one a line: `first` tracks whether a comma is due. An
 * object opens with "{" and closes with close_object(). */
static void put_key(struct bg_buf *b, const char *key, bool *first)
{
    bg_buf_adds(b, *first ? "\n    " : ",\n    ");
    bg_json_add_string(b, key);
    bg_buf_adds(b, ": ");
    *first = false;
}

static void put_member(struct bg_buf *b, const char *key, const char *value, bool *first)
{
    if (value == NULL)
        return;
    put_key(b, key, first);
    bg_json_add_string(b, value);
}

static void put_int(struct bg_buf *b, const char *key, int64_t v, bool *first)
{
    put_key(b, key, first);
    bg_buf_addf(b, "%" PRId64, v);
}

static void close_object(struct bg_buf *b, bool first)
{
    bg_buf_adds(b, first ? "}" : "\n  }");
}

static void put_result(struct bg_buf *b, const struct bg_result *res)
{
    static const char *const keys[] = { "min", "mean", "median", "p95", "max", "stddev" };
    const double vals[] = { res->sum.min, res->sum.mean, res->sum.median,
                            res->sum.p95, res->sum.max,  res->sum.stddev };

    bg_buf_adds(b, "    {\"name\": ");
    bg_json_add_string(b, res->name);
    bg_buf_adds(b, ", \"metric\": ");
    bg_json_add_string(b, res->metric);
    bg_buf_adds(b, ", \"unit\": ");
    bg_json_add_string(b, res->unit);
    bg_buf_addf(b, ", \"direction\": \"%s\"",
                res->direction == BG_DIR_HIGHER ? "higher" : "lower");
    if (res->n_params > 0) {
        bg_buf_adds(b, ", \"params\": {");
        for (size_t k = 0; k < res->n_params; k++) {
            bg_buf_adds(b, k > 0 ? ", " : "");
            bg_json_add_string(b, res->params[k].key);
            bg_buf_adds(b, ": ");
            bg_json_add_string(b, res->params[k].value);
        }
        bg_buf_adds(b, "}");
    }
    if (res->summary_only || (res->pruned && res->n_samples == 0)) {
        if (res->sum.n > 0)
            bg_buf_addf(b, ", \"summary\": {\"n\": %zu", res->sum.n);
        else
            bg_buf_adds(b, ", \"summary\": {\"n\": null");
        if (!res->summary_only)
            bg_buf_adds(b, ", \"pruned\": true");
        for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
            if (isnan(vals[k]))
                continue;
            bg_buf_addf(b, ", \"%s\": ", keys[k]);
            bg_json_add_number(b, vals[k]);
        }
        bg_buf_adds(b, "}}");
        return;
    }
    bg_buf_adds(b, ",\n     \"samples\": [");
    for (size_t j = 0; j < res->n_samples; j++) {
        bg_buf_adds(b, j > 0 ? ", " : "");
        bg_json_add_number(b, res->samples[j]);
    }
    bg_buf_adds(b, "]}");
}

void bg_run_write_json(const struct bg_run *run, struct bg_buf *b)
{
    const struct bg_env *e = &run->env;
    bool first;

    bg_buf_addf(b, "{\n  \"benchgate\": %d", FORMAT_VERSION);
    if (run->id != 0)
        bg_buf_addf(b, ",\n  \"id\": %" PRId64, run->id);
    if (run->project != NULL) {
        bg_buf_adds(b, ",\n  \"project\": ");
        bg_json_add_string(b, run->project);
    }
    if (run->branch != NULL) {
        bg_buf_adds(b, ",\n  \"branch\": ");
        bg_json_add_string(b, run->branch);
    }
    if (run->commit != NULL) {
        bg_buf_adds(b, ",\n  \"commit\": ");
        bg_json_add_string(b, run->commit);
    }
    bg_buf_addf(b, ",\n  \"timestamp\": %" PRId64, run->timestamp);
    if (run->tool != NULL) {
        bg_buf_adds(b, ",\n  \"tool\": ");
        bg_json_add_string(b, run->tool);
    }

    bg_buf_adds(b, ",\n  \"environment\": {");
    first = true;
    put_member(b, "os", e->os, &first);
    put_member(b, "kernel", e->kernel, &first);
    put_member(b, "arch", e->arch, &first);
    put_member(b, "cpu_model", e->cpu_model, &first);
    put_int(b, "cores", e->cores, &first);
    put_int(b, "memory_bytes", e->memory_bytes, &first);
    put_member(b, "compiler", e->compiler, &first);
    put_member(b, "runner", e->runner, &first);
    put_member(b, "fingerprint", e->fingerprint[0] != '\0' ? e->fingerprint : NULL, &first);
    close_object(b, first);

    bg_buf_adds(b, ",\n  \"ci\": {");
    first = true;
    put_member(b, "provider", run->ci.provider, &first);
    put_member(b, "repository", run->ci.repository, &first);
    put_member(b, "run_id", run->ci.run_id, &first);
    put_member(b, "run_url", run->ci.run_url, &first);
    put_member(b, "event", run->ci.event, &first);
    close_object(b, first);

    bg_buf_adds(b, ",\n  \"meta\": {");
    first = true;
    for (size_t i = 0; i < run->n_meta; i++)
        put_member(b, run->meta[i].key, run->meta[i].value, &first);
    close_object(b, first);

    bg_buf_adds(b, ",\n  \"results\": [\n");
    for (size_t i = 0; i < run->n_results; i++) {
        put_result(b, &run->results[i]);
        bg_buf_adds(b, i + 1 < run->n_results ? ",\n" : "\n");
    }
    bg_buf_adds(b, "  ]\n}\n");
}

int bg_run_read_json(const cJSON *doc, const char *what, struct bg_run *run, struct bg_diag *d)
{
    struct bg_input in = { what, "", 0, doc };
    const cJSON *id = bg_json_get(doc, "id");

    if (parse(&in, run, d) < 0 || bg_run_finish(run, what, d) < 0)
        return -1;
    if (cJSON_IsNumber(id) && id->valuedouble >= 1 && id->valuedouble <= 9007199254740992.0)
        run->id = (int64_t)id->valuedouble;
    bg_env_fingerprint(&run->env);
    return 0;
}

const struct bg_format bg_format_benchgate = {
    .name = "benchgate",
    .summary = "benchgate's own run document (schemas/run.schema.json)",
    .is_json = true,
    .names_tool = true,
    .sniff = sniff,
    .parse = parse,
};
