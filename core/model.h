/*
 * model.h: the normalised run, the one shape every harness format becomes.
 *
 * A run is one execution of a suite on one machine at one commit; a result
 * is one (benchmark, metric) with its raw samples and their summary. Every
 * string is owned by the struct that holds it and freed by bg_run_release().
 */
#ifndef BG_CORE_MODEL_H
#define BG_CORE_MODEL_H

#include "core/bg.h"
#include "core/err.h"
#include "core/stats.h"

/* Limits on outside input, so no file can make benchgate allocate without bound. */
#define BG_NAME_MAX 1024            /* bytes in a benchmark, project or branch name */
#define BG_METRIC_MAX 64            /* bytes in a metric's name or a unit */
#define BG_TEXT_MAX 4096            /* bytes in any other stored string */
#define BG_MAX_RESULTS 100000       /* results in one run */
#define BG_MAX_SAMPLES 10000000     /* samples in one result */
#define BG_MAX_META 10000           /* metadata entries in one run */
#define BG_MAX_INPUT (256u << 20)   /* bytes in one input file */

enum bg_direction {
    BG_DIR_LOWER = 0,  /* lower is better: times, bytes, allocations */
    BG_DIR_HIGHER = 1, /* higher is better: throughput */
};

struct bg_kv {
    char *key;
    char *value;
};

struct bg_result {
    char *name;                  /* the benchmark's identity with metric */
    char *metric;                /* "time", "throughput", ... */
    char *unit;                  /* "ns" for time */
    enum bg_direction direction;
    double *samples;
    size_t n_samples, cap_samples;
    bool summary_only;           /* the harness gave no raw samples: sum came from it */
    bool pruned;                 /* the store dropped its samples (benchgate prune) and
                                    kept sum, their summary: not a harness summary */
    struct bg_summary sum;       /* filled by bg_run_finish() unless summary_only */
    struct bg_kv *params;        /* harness parameters, e.g. hyperfine -L values */
    size_t n_params;
};

/* The machine; fields that decide comparability feed the fingerprint. */
struct bg_env {
    char *os, *kernel, *arch, *cpu_model, *compiler, *runner;
    int64_t cores;               /* online processors, 0 if unknown */
    int64_t memory_bytes;        /* physical memory, 0 if unknown */
    char fingerprint[17];        /* 16 hex digits, set by bg_env_fingerprint() */
};

/* Where the run came from, when CI says so. */
struct bg_ci {
    char *provider;              /* "github", "gitlab", or NULL */
    char *repository, *run_id, *run_url, *event;
};

/*
 * A lookup from a string to its position in an array the caller keeps
 * (open addressing on the FNV-1a hash): for parsers and pages that meet
 * many keys and must not compare each with every earlier one.
 * Zero-initialise; key_at(arr, i) is the key at position i.
 */
struct bg_str_index {
    size_t *slots; /* position + 1; 0 = empty */
    size_t cap, used;
};

typedef const char *bg_key_at(const void *arr, size_t i);

/* The position of key, or SIZE_MAX. */
size_t bg_str_index_find(const struct bg_str_index *ix, const char *key, bg_key_at *key_at,
                         const void *arr);
/* Adds position i (whose key is key_at(arr, i)). */
void bg_str_index_add(struct bg_str_index *ix, size_t i, bg_key_at *key_at, const void *arr);
void bg_str_index_release(struct bg_str_index *ix);

struct bg_run {
    int64_t id;                  /* store id, 0 until stored */
    char *project, *branch, *commit;  /* commit may be NULL */
    int64_t timestamp;           /* unix seconds */
    char *tool;                  /* the format(s) parsed, "hyperfine" */
    struct bg_env env;
    struct bg_ci ci;
    struct bg_kv *meta;          /* --meta keys that are not environment fields */
    size_t n_meta, cap_meta;
    struct bg_str_index *meta_index; /* bg_run_add_meta's lookup, made past a few keys */
    struct bg_result *results;
    size_t n_results, cap_results;
    char **warnings;             /* non-fatal findings of the parsers */
    size_t n_warnings, cap_warnings;
};

void bg_run_init(struct bg_run *run);
void bg_run_release(struct bg_run *run);

/* Appends a zeroed result and returns it; the pointer lives until the next add. */
struct bg_result *bg_run_add_result(struct bg_run *run, const char *name, const char *metric,
                                    const char *unit, enum bg_direction dir);
void bg_result_add_sample(struct bg_result *res, double v);
void bg_result_add_param(struct bg_result *res, const char *key, const char *value);
/* Sets a metadata entry (a later value replaces an earlier one); callers
 * that read outside input keep run->n_meta within BG_MAX_META. */
void bg_run_add_meta(struct bg_run *run, const char *key, const char *value);
/* The value of a metadata key, or NULL. */
const char *bg_run_meta(const struct bg_run *run, const char *key);
void bg_run_warn(struct bg_run *run, const char *fmt, ...) BG_PRINTF(2, 3);

/*
 * Moves everything src holds into dst and releases src: results, warnings,
 * metadata and tool names are added; origin, environment and CI fields fill
 * only what dst does not have yet. Each input file is parsed into its own
 * run and absorbed only when it parsed whole, so a bad file leaves nothing.
 */
void bg_run_absorb(struct bg_run *dst, struct bg_run *src);

/*
 * A lookup from (name, metric) to a run's result, for parsers that meet
 * each benchmark's samples one line or entry at a time. Zero-initialise;
 * it holds indexes, so it stays valid as the run's results array grows.
 */
struct bg_result_index {
    size_t *slots; /* result index + 1; 0 = empty */
    size_t cap, used;
};

/* The result for (name, metric) in run, added (with unit and dir) when new;
 * NULL when the run already holds BG_MAX_RESULTS results. */
struct bg_result *bg_result_index_get(struct bg_result_index *ix, struct bg_run *run,
                                      const char *name, const char *metric, const char *unit,
                                      enum bg_direction dir);
void bg_result_index_release(struct bg_result_index *ix);

/* Removes result i (frees it; later results move up one). Invalidates any
 * bg_result_index over the run. */
void bg_run_drop_result(struct bg_run *run, size_t i);

/* Adds a format name to run->tool ("hyperfine" or "hyperfine,go"), once. */
void bg_run_add_tool(struct bg_run *run, const char *name);

/* Replaces *field with a copy of value (NULL allowed). */
void bg_set_str(char **field, const char *value);

/*
 * Checks a name for storage and display: valid UTF-8, no control characters,
 * 1..BG_NAME_MAX bytes. Returns NULL when fine, else a short reason.
 */
const char *bg_name_problem(const char *s);
/* The largest value a sample or summary in unit may hold: a time in ns, us,
 * ms or s is under 10^6 s, as every harness format's; any other 1e300. */
double bg_value_max(const char *unit);
/* The same for a benchmark name from a harness, whose control characters
 * bg_run_finish makes visible (bg_name_visible) instead of refusing. */
const char *bg_bench_name_problem(const char *s);
/* s with each control character shown: C0 and DEL as their Unicode pictures
 * (a tab is U+2409), the others as <U+XXXX>; NULL when s has none. */
char *bg_name_visible(const char *s);

/*
 * Validates the results (names, duplicates, sample counts and values) and
 * computes every summary. `what` prefixes messages (the file name). Returns
 * 0, or -1 with d filled.
 */
int bg_run_finish(struct bg_run *run, const char *what, struct bg_diag *d);

/*
 * The change from base to cur as a fraction, signed so that positive is
 * worse in dir's sense: cur / base - 1 for lower-is-better metrics, its
 * negation for higher-is-better ones. 0 when both are 0, +-inf from 0.
 */
double bg_change(double base, double cur, enum bg_direction dir);

/* qsort/bsearch order of an array of `const struct bg_result *`: by name,
 * then metric (a result's identity). */
int bg_result_ptr_cmp(const void *a, const void *b);

/* Computes env->fingerprint from the comparability fields. */
void bg_env_fingerprint(struct bg_env *env);

#endif /* BG_CORE_MODEL_H */
