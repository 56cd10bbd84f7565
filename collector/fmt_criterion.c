/*
 * fmt_criterion.c: Criterion.rs's target/criterion directory (0.3).
 *
 * A benchmark folder is one holding new/benchmark.json and new/sample.json;
 * only new/ is read: base/ is a copy of new/ after every run (not the
 * previous run), and named baselines, change/ and report/ are not the
 * latest measurement. sample.json has iters[] and times[] (total ns for
 * iters[i] iterations), so per-iteration sample i is times[i] / iters[i]
 * ns. A declared throughput ({"Bytes": n} or {"Elements": n} per
 * iteration) becomes a second metric, "throughput" in B/s or elements/s.
 * The name is benchmark.json's full_id ("group/function/value").
 *
 * The walk is bounded (depth, folder count), skips symbolic links, and
 * visits folders in sorted order, so a run's results come out the same on
 * every machine.
 */
#include "core/bg.h"
#include "collector/formats.h"
#include "core/buf.h"

#include <dirent.h>
#include <math.h>
#include <sys/stat.h>

#define MAX_DEPTH 12
#define MAX_JSON (64u << 20)

struct walk {
    char **dirs; /* benchmark folders found */
    size_t n, cap;
    bool first_only; /* sniffing: stop at the first one */
    size_t visited;
};

static bool is_dir(const char *path)
{
    struct stat st;

    return lstat(path, &st) == 0 && S_ISDIR(st.st_mode); /* lstat: never follow links */
}

static bool has_file(const char *dir, const char *rel)
{
    struct bg_buf p = BG_BUF_INIT;
    struct stat st;
    bool yes;

    bg_buf_addf(&p, "%s/%s", dir, rel);
    yes = lstat(p.data, &st) == 0 && S_ISREG(st.st_mode);
    bg_buf_release(&p);
    return yes;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Finds benchmark folders under dir; returns -1 when the walk is too large. */
static int walk(struct walk *w, const char *dir, int depth)
{
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    DIR *dp;
    int rc = 0;

    if (w->first_only && w->n > 0)
        return 0;
    if (++w->visited > 100000)
        return -1;
    if (has_file(dir, "new/benchmark.json") && has_file(dir, "new/sample.json")) {
        BG_GROW(w->dirs, w->cap, w->n + 1);
        w->dirs[w->n++] = bg_xstrdup(dir);
        return 0; /* a benchmark folder holds no other benchmark */
    }
    if (depth >= MAX_DEPTH)
        return 0;
    dp = opendir(dir);
    if (dp == NULL)
        return 0;
    while ((e = readdir(dp)) != NULL) {
        const char *name = e->d_name;

        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strcmp(name, "report") == 0 ||
            strcmp(name, "base") == 0 || strcmp(name, "change") == 0)
            continue;
        BG_GROW(names, cap, n + 1);
        names[n++] = bg_xstrdup(name);
    }
    closedir(dp);
    if (n > 1) /* qsort needs a valid pointer even for nothing to sort */
        qsort(names, n, sizeof(*names), cmp_str);
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct bg_buf sub = BG_BUF_INIT;

        bg_buf_addf(&sub, "%s/%s", dir, names[i]);
        if (is_dir(sub.data))
            rc = walk(w, sub.data, depth + 1);
        bg_buf_release(&sub);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

static void walk_release(struct walk *w)
{
    for (size_t i = 0; i < w->n; i++)
        free(w->dirs[i]);
    free(w->dirs);
}

static bool sniff_dir(const char *dir)
{
    struct walk w = { .first_only = true };
    bool found;

    walk(&w, dir, MAX_DEPTH - 4); /* a few levels are enough to recognise it */
    found = w.n > 0;
    walk_release(&w);
    return found;
}

/* Reads and parses DIR/REL as JSON; *path_out names it for messages. */
static cJSON *read_json(const char *dir, const char *rel, struct bg_buf *path,
                        struct bg_diag *d)
{
    struct bg_buf buf = BG_BUF_INIT;
    cJSON *root = NULL;

    bg_buf_reset(path);
    bg_buf_addf(path, "%s/%s", dir, rel);
    if (bg_buf_read_file(&buf, path->data, MAX_JSON, d) == 0)
        root = bg_json_parse(buf.data, buf.len, path->data, d);
    bg_buf_release(&buf);
    return root;
}

static int parse_samples(const cJSON *sample, const char *path, struct bg_result *time,
                         struct bg_diag *d)
{
    const cJSON *iters = bg_json_get(sample, "iters"), *times = bg_json_get(sample, "times");
    char at[64];
    int n;

    if (bg_json_want(iters, cJSON_Array, path, "iters", d) < 0 ||
        bg_json_want(times, cJSON_Array, path, "times", d) < 0)
        return -1;
    n = cJSON_GetArraySize(iters);
    if (n != cJSON_GetArraySize(times))
        return bg_fail(d, "%s: iters has %d entries, times %d", path, n,
                       cJSON_GetArraySize(times));
    if (n == 0)
        return bg_fail(d, "%s: iters: empty, no samples", path);
    if (n > BG_MAX_SAMPLES)
        return bg_fail(d, "%s: more than %d samples", path, BG_MAX_SAMPLES);
    for (int i = 0; i < n; i++) {
        double it, t;

        snprintf(at, sizeof(at), "iters[%d]", i);
        if (bg_json_number(cJSON_GetArrayItem(iters, i), 1.0, 1e18, path, at, &it, d) < 0)
            return -1;
        snprintf(at, sizeof(at), "times[%d]", i);
        if (bg_json_number(cJSON_GetArrayItem(times, i), 0.0, 1e18, path, at, &t, d) < 0)
            return -1;
        bg_result_add_sample(time, t / it);
    }
    return 0;
}

/* A declared throughput: per-iteration amount and unit; 0 when none. */
static int throughput_of(const cJSON *bench, const char *path, double *amount,
                         const char **unit, struct bg_diag *d)
{
    const cJSON *tp = bg_json_get(bench, "throughput");
    const cJSON *bytes = bg_json_get(tp, "Bytes"), *elems = bg_json_get(tp, "Elements");

    *amount = 0.0;
    if (tp == NULL || cJSON_IsNull(tp))
        return 0;
    if (bg_json_want(tp, cJSON_Object, path, "throughput", d) < 0)
        return -1;
    if (bytes != NULL) {
        *unit = "B/s";
        return bg_json_number(bytes, 0.0, 1e18, path, "throughput.Bytes", amount, d);
    }
    if (elems != NULL) {
        *unit = "elements/s";
        return bg_json_number(elems, 0.0, 1e18, path, "throughput.Elements", amount, d);
    }
    return 0; /* a kind this reader does not know: time only */
}

static int parse_benchmark(const char *dir, struct bg_run *run, struct bg_diag *d)
{
    struct bg_buf bpath = BG_BUF_INIT, spath = BG_BUF_INIT;
    cJSON *bench = read_json(dir, "new/benchmark.json", &bpath, d), *sample = NULL;
    const char *id, *why, *tp_unit = NULL;
    struct bg_result *time;
    double amount;
    int rc = -1;

    if (bench == NULL)
        goto out;
    if (bg_json_want(bench, cJSON_Object, bpath.data, "(document)", d) < 0 ||
        bg_json_string(bg_json_get(bench, "full_id"), bpath.data, "full_id", &id, d) < 0)
        goto out;
    why = bg_bench_name_problem(id);
    if (why != NULL) {
        bg_fail(d, "%s: full_id: %s", bpath.data, why);
        goto out;
    }
    if (throughput_of(bench, bpath.data, &amount, &tp_unit, d) < 0)
        goto out;
    sample = read_json(dir, "new/sample.json", &spath, d);
    if (sample == NULL || bg_json_want(sample, cJSON_Object, spath.data, "(document)", d) < 0)
        goto out;
    if (run->n_results + 2 > BG_MAX_RESULTS) {
        bg_fail(d, "%s: more than %d results", dir, BG_MAX_RESULTS);
        goto out;
    }
    time = bg_run_add_result(run, id, "time", "ns", BG_DIR_LOWER);
    if (parse_samples(sample, spath.data, time, d) < 0)
        goto out;
    if (amount > 0.0) {
        size_t t = run->n_results - 1;
        struct bg_result *tp = bg_run_add_result(run, id, "throughput", tp_unit, BG_DIR_HIGHER);

        time = &run->results[t]; /* the add may have moved the array */
        for (size_t i = 0; i < time->n_samples; i++) {
            if (time->samples[i] <= 0.0) {
                bg_fail(d, "%s: times[%zu]: zero time, so no throughput", spath.data, i);
                goto out;
            }
            bg_result_add_sample(tp, amount / (time->samples[i] * 1e-9));
        }
    }
    rc = 0;
out:
    cJSON_Delete(sample);
    cJSON_Delete(bench);
    bg_buf_release(&spath);
    bg_buf_release(&bpath);
    return rc;
}

static int parse_dir(const char *dir, struct bg_run *run, struct bg_diag *d)
{
    struct walk w = { 0 };
    int rc = -1;

    if (walk(&w, dir, 0) < 0) {
        bg_fail(d, "%s: more than 100000 folders: not a Criterion output folder?", dir);
        goto out;
    }
    if (w.n == 0) {
        bg_fail(d, "%s: no Criterion benchmarks (expected */new/benchmark.json)", dir);
        goto out;
    }
    for (size_t i = 0; i < w.n; i++) {
        if (parse_benchmark(w.dirs[i], run, d) < 0)
            goto out;
    }
    rc = 0;
out:
    walk_release(&w);
    return rc;
}

const struct bg_format bg_format_criterion = {
    .name = "criterion",
    .summary = "Criterion.rs results: the target/criterion directory",
    .sniff_dir = sniff_dir,
    .parse_dir = parse_dir,
};
