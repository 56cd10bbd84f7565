/* model.c: building, validating and freeing the normalised run. */
#include "core/bg.h"
#include "core/buf.h"
#include "core/model.h"
#include "core/hash.h"

#include <math.h>

void bg_run_init(struct bg_run *run)
{
    memset(run, 0, sizeof(*run));
}

static void kv_free(struct bg_kv *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(kv[i].key);
        free(kv[i].value);
    }
    free(kv);
}

static void result_release(struct bg_result *res)
{
    free(res->name);
    free(res->metric);
    free(res->unit);
    free(res->samples);
    kv_free(res->params, res->n_params);
}

void bg_run_release(struct bg_run *run)
{
    struct bg_env *e = &run->env;

    for (size_t i = 0; i < run->n_results; i++)
        result_release(&run->results[i]);
    free(run->results);
    for (size_t i = 0; i < run->n_warnings; i++)
        free(run->warnings[i]);
    free(run->warnings);
    kv_free(run->meta, run->n_meta);
    if (run->meta_index != NULL)
        bg_str_index_release(run->meta_index);
    free(run->meta_index);
    free(run->project);
    free(run->branch);
    free(run->commit);
    free(run->tool);
    free(e->os);
    free(e->kernel);
    free(e->arch);
    free(e->cpu_model);
    free(e->compiler);
    free(e->runner);
    free(run->ci.provider);
    free(run->ci.repository);
    free(run->ci.run_id);
    free(run->ci.run_url);
    free(run->ci.event);
    bg_run_init(run);
}

/* *dst = *src when dst is empty; either way src's string is dst's or freed. */
static void take(char **dst, char **src)
{
    if (*dst == NULL) {
        *dst = *src;
    } else {
        free(*src);
    }
    *src = NULL;
}

void bg_run_absorb(struct bg_run *dst, struct bg_run *src)
{
    /* memcpy's pointers must be valid even for 0 bytes: an empty src has NULL arrays */
    if (src->n_results > 0) {
        BG_GROW(dst->results, dst->cap_results, dst->n_results + src->n_results);
        memcpy(dst->results + dst->n_results, src->results,
               src->n_results * sizeof(*src->results));
        dst->n_results += src->n_results;
    }
    src->n_results = 0;
    if (src->n_warnings > 0) {
        BG_GROW(dst->warnings, dst->cap_warnings, dst->n_warnings + src->n_warnings);
        memcpy(dst->warnings + dst->n_warnings, src->warnings,
               src->n_warnings * sizeof(*src->warnings));
        dst->n_warnings += src->n_warnings;
    }
    src->n_warnings = 0;
    for (size_t i = 0; i < src->n_meta; i++)
        bg_run_add_meta(dst, src->meta[i].key, src->meta[i].value);
    for (const char *p = src->tool; p != NULL && *p != '\0';) {
        size_t len = strcspn(p, ",");
        char *one = bg_xstrndup(p, len);

        bg_run_add_tool(dst, one);
        free(one);
        p += len + (p[len] == ',');
    }
    take(&dst->project, &src->project);
    take(&dst->branch, &src->branch);
    take(&dst->commit, &src->commit);
    if (dst->timestamp == 0)
        dst->timestamp = src->timestamp;
    take(&dst->env.os, &src->env.os);
    take(&dst->env.kernel, &src->env.kernel);
    take(&dst->env.arch, &src->env.arch);
    take(&dst->env.cpu_model, &src->env.cpu_model);
    take(&dst->env.compiler, &src->env.compiler);
    take(&dst->env.runner, &src->env.runner);
    if (dst->env.cores == 0)
        dst->env.cores = src->env.cores;
    if (dst->env.memory_bytes == 0)
        dst->env.memory_bytes = src->env.memory_bytes;
    take(&dst->ci.provider, &src->ci.provider);
    take(&dst->ci.repository, &src->ci.repository);
    take(&dst->ci.run_id, &src->ci.run_id);
    take(&dst->ci.run_url, &src->ci.run_url);
    take(&dst->ci.event, &src->ci.event);
    bg_run_release(src);
}

/* name, a separator, and metric: ("ab","c") and ("a","bc") differ. */
static uint64_t identity_hash(const char *name, const char *metric)
{
    return bg_hash_str(bg_hash_byte(bg_hash_str(BG_HASH_INIT, name), 0xff), metric);
}

static void index_insert(struct bg_result_index *ix, const struct bg_run *run, size_t i)
{
    size_t k = identity_hash(run->results[i].name, run->results[i].metric) & (ix->cap - 1);

    while (ix->slots[k] != 0)
        k = (k + 1) & (ix->cap - 1);
    ix->slots[k] = i + 1;
    ix->used++;
}

/* An open-addressing table of positions + 1 kept at most half full: when
 * one more would pass that, makes a table twice the size (empty) and
 * returns the old slots to insert again and free (*old_cap of them), NULL
 * when there were none; NULL too when there is room. */
static size_t *make_room(size_t **slots, size_t *cap, size_t *used, size_t *old_cap)
{
    size_t *old = *slots;

    if ((*used + 1) * 2 <= *cap)
        return NULL;
    *old_cap = *cap;
    *cap = *cap == 0 ? 64 : *cap * 2;
    *slots = bg_xcalloc(*cap, sizeof(**slots));
    *used = 0;
    return old;
}

struct bg_result *bg_result_index_get(struct bg_result_index *ix, struct bg_run *run,
                                      const char *name, const char *metric, const char *unit,
                                      enum bg_direction dir)
{
    size_t k, old_cap, *old;

    if (ix->cap > 0) {
        k = identity_hash(name, metric) & (ix->cap - 1);
        while (ix->slots[k] != 0) {
            struct bg_result *r = &run->results[ix->slots[k] - 1];

            if (strcmp(r->name, name) == 0 && strcmp(r->metric, metric) == 0)
                return r;
            k = (k + 1) & (ix->cap - 1);
        }
    }
    if (run->n_results >= BG_MAX_RESULTS)
        return NULL;
    old = make_room(&ix->slots, &ix->cap, &ix->used, &old_cap);
    if (old != NULL) {
        for (size_t j = 0; j < old_cap; j++) {
            if (old[j] != 0)
                index_insert(ix, run, old[j] - 1);
        }
        free(old);
    }
    bg_run_add_result(run, name, metric, unit, dir);
    index_insert(ix, run, run->n_results - 1);
    return &run->results[run->n_results - 1];
}

void bg_result_index_release(struct bg_result_index *ix)
{
    free(ix->slots);
    memset(ix, 0, sizeof(*ix));
}

void bg_run_drop_result(struct bg_run *run, size_t i)
{
    result_release(&run->results[i]);
    memmove(&run->results[i], &run->results[i + 1],
            (run->n_results - i - 1) * sizeof(*run->results));
    run->n_results--;
}

void bg_run_add_tool(struct bg_run *run, const char *name)
{
    size_t n = strlen(name), have = run->tool != NULL ? strlen(run->tool) : 0;
    char *tool;

    for (const char *p = run->tool; p != NULL && *p != '\0';) {
        size_t len = strcspn(p, ",");

        if (len == n && strncmp(p, name, n) == 0)
            return;
        p += len + (p[len] == ',');
    }
    tool = bg_xmalloc(have + n + 2);
    if (have > 0)
        memcpy(tool, run->tool, have);
    if (have > 0)
        tool[have++] = ',';
    memcpy(tool + have, name, n + 1);
    free(run->tool);
    run->tool = tool;
}

void bg_set_str(char **field, const char *value)
{
    free(*field);
    *field = value != NULL ? bg_xstrdup(value) : NULL;
}

struct bg_result *bg_run_add_result(struct bg_run *run, const char *name, const char *metric,
                                    const char *unit, enum bg_direction dir)
{
    struct bg_result *res;

    BG_GROW(run->results, run->cap_results, run->n_results + 1);
    res = &run->results[run->n_results++];
    memset(res, 0, sizeof(*res));
    res->name = bg_xstrdup(name);
    res->metric = bg_xstrdup(metric);
    res->unit = bg_xstrdup(unit);
    res->direction = dir;
    return res;
}

void bg_result_add_sample(struct bg_result *res, double v)
{
    BG_GROW(res->samples, res->cap_samples, res->n_samples + 1);
    res->samples[res->n_samples++] = v;
}

void bg_result_add_param(struct bg_result *res, const char *key, const char *value)
{
    res->params = bg_xrealloc(res->params, (res->n_params + 1) * sizeof(*res->params));
    res->params[res->n_params].key = bg_xstrdup(key);
    res->params[res->n_params].value = bg_xstrdup(value);
    res->n_params++;
}

static void str_index_put(struct bg_str_index *ix, size_t i, const char *key)
{
    size_t k = bg_hash_str(BG_HASH_INIT, key) & (ix->cap - 1);

    while (ix->slots[k] != 0)
        k = (k + 1) & (ix->cap - 1);
    ix->slots[k] = i + 1;
    ix->used++;
}

size_t bg_str_index_find(const struct bg_str_index *ix, const char *key, bg_key_at *key_at,
                         const void *arr)
{
    if (ix->cap == 0)
        return SIZE_MAX;
    for (size_t k = bg_hash_str(BG_HASH_INIT, key) & (ix->cap - 1); ix->slots[k] != 0;
         k = (k + 1) & (ix->cap - 1)) {
        if (strcmp(key_at(arr, ix->slots[k] - 1), key) == 0)
            return ix->slots[k] - 1;
    }
    return SIZE_MAX;
}

void bg_str_index_add(struct bg_str_index *ix, size_t i, bg_key_at *key_at, const void *arr)
{
    size_t old_cap, *old = make_room(&ix->slots, &ix->cap, &ix->used, &old_cap);

    if (old != NULL) {
        for (size_t j = 0; j < old_cap; j++) {
            if (old[j] != 0)
                str_index_put(ix, old[j] - 1, key_at(arr, old[j] - 1));
        }
        free(old);
    }
    str_index_put(ix, i, key_at(arr, i));
}

void bg_str_index_release(struct bg_str_index *ix)
{
    free(ix->slots);
    memset(ix, 0, sizeof(*ix));
}

static const char *meta_key_at(const void *arr, size_t i)
{
    return ((const struct bg_kv *)arr)[i].key;
}

/* Below this many entries a scan is as quick as the index. */
#define META_SCAN_MAX 16

/* The position of key in run->meta, or SIZE_MAX. The index is made when the
 * entries outgrow a scan, and made again when they changed behind its back
 * (a store fills run->meta directly). */
static size_t meta_find(struct bg_run *run, const char *key)
{
    struct bg_str_index *ix = run->meta_index;

    if (run->n_meta <= META_SCAN_MAX) {
        for (size_t i = 0; i < run->n_meta; i++) {
            if (strcmp(run->meta[i].key, key) == 0)
                return i;
        }
        return SIZE_MAX;
    }
    if (ix == NULL)
        ix = run->meta_index = bg_xcalloc(1, sizeof(*ix));
    if (ix->used != run->n_meta) {
        bg_str_index_release(ix);
        for (size_t i = 0; i < run->n_meta; i++)
            bg_str_index_add(ix, i, meta_key_at, run->meta);
    }
    return bg_str_index_find(ix, key, meta_key_at, run->meta);
}

void bg_run_add_meta(struct bg_run *run, const char *key, const char *value)
{
    size_t i = meta_find(run, key);

    if (i != SIZE_MAX) {
        bg_set_str(&run->meta[i].value, value);
        return;
    }
    BG_GROW(run->meta, run->cap_meta, run->n_meta + 1);
    run->meta[run->n_meta].key = bg_xstrdup(key);
    run->meta[run->n_meta].value = bg_xstrdup(value);
    run->n_meta++;
    if (run->meta_index != NULL && run->meta_index->used == run->n_meta - 1)
        bg_str_index_add(run->meta_index, run->n_meta - 1, meta_key_at, run->meta);
}

const char *bg_run_meta(const struct bg_run *run, const char *key)
{
    for (size_t i = 0; i < run->n_meta; i++) {
        if (strcmp(run->meta[i].key, key) == 0)
            return run->meta[i].value;
    }
    return NULL;
}

void bg_run_warn(struct bg_run *run, const char *fmt, ...)
{
    char msg[BG_DIAG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    BG_GROW(run->warnings, run->cap_warnings, run->n_warnings + 1);
    run->warnings[run->n_warnings++] = bg_xstrdup(msg);
}

/* Length of the UTF-8 sequence at s (1-4), or 0 when it is not valid UTF-8
 * (overlong forms, surrogates and code points past U+10FFFF are invalid). */
static size_t utf8_seq(const unsigned char *s, uint32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        if ((s[1] & 0xc0) != 0x80)
            return 0;
        *cp = ((uint32_t)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
        return 2;
    }
    if (s[0] >= 0xe0 && s[0] <= 0xef) {
        if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
            return 0;
        *cp = ((uint32_t)(s[0] & 0x0f) << 12) | ((uint32_t)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
        if (*cp < 0x800 || (*cp >= 0xd800 && *cp <= 0xdfff))
            return 0;
        return 3;
    }
    if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
            return 0;
        *cp = ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3f) << 12) |
              ((uint32_t)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
        if (*cp < 0x10000 || *cp > 0x10ffff)
            return 0;
        return 4;
    }
    return 0;
}

static bool is_control(uint32_t cp)
{
    /* C0 controls, DEL, C1 controls, and the line/paragraph separators */
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029;
}

char *bg_name_visible(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    struct bg_buf b = BG_BUF_INIT;
    bool changed = false;

    while (*p != '\0') {
        uint32_t cp;
        size_t n = utf8_seq(p, &cp);

        if (n == 0) { /* left as it is: bg_name_problem refuses it */
            n = 1;
            cp = 0xfffd;
        }
        if (cp < 0x20) {
            /* U+2400 + cp: the Unicode picture of the control character */
            bg_buf_addf(&b, "\xe2\x90%c", (char)(0x80 + cp));
            changed = true;
        } else if (cp == 0x7f) {
            bg_buf_adds(&b, "\xe2\x90\xa1"); /* U+2421, the picture of DEL */
            changed = true;
        } else if (is_control(cp)) {
            bg_buf_addf(&b, "<U+%04" PRIX32 ">", cp);
            changed = true;
        } else {
            bg_buf_add(&b, (const char *)p, n);
        }
        p += n;
    }
    if (!changed) {
        bg_buf_release(&b);
        return NULL;
    }
    return bg_buf_detach(&b, NULL);
}

static const char *name_problem(const char *s, bool controls_ok)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t len = strlen(s);

    if (len == 0)
        return "is empty";
    if (len > BG_NAME_MAX)
        return "is longer than 1024 bytes";
    if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return "is '.' or '..', which no URL can name";
    while (*p != '\0') {
        uint32_t cp;
        size_t n = utf8_seq(p, &cp);

        if (n == 0)
            return "is not valid UTF-8";
        if (!controls_ok && is_control(cp))
            return "contains a control character";
        p += n;
    }
    return NULL;
}

const char *bg_name_problem(const char *s)
{
    return name_problem(s, false);
}

const char *bg_bench_name_problem(const char *s)
{
    return name_problem(s, true);
}

int bg_result_ptr_cmp(const void *a, const void *b)
{
    const struct bg_result *x = *(const struct bg_result *const *)a;
    const struct bg_result *y = *(const struct bg_result *const *)b;
    int c = strcmp(x->name, y->name);

    return c != 0 ? c : strcmp(x->metric, y->metric);
}

double bg_change(double base, double cur, enum bg_direction dir)
{
    double ratio;

    if (base == 0.0 && cur == 0.0)
        return 0.0;
    if (base == 0.0)
        ratio = INFINITY; /* from nothing to something */
    else
        ratio = cur / base - 1.0;
    return dir == BG_DIR_HIGHER ? -ratio : ratio;
}

/* Duplicate (name, metric) pairs would make a comparison ambiguous: find one.
 * Sorting pointers keeps this O(n log n) and free of shared state. */
static const struct bg_result *find_duplicate(const struct bg_run *run)
{
    const struct bg_result **ptr = bg_xmalloc(run->n_results * sizeof(*ptr));
    const struct bg_result *dup = NULL;

    for (size_t i = 0; i < run->n_results; i++)
        ptr[i] = &run->results[i];
    qsort(ptr, run->n_results, sizeof(*ptr), bg_result_ptr_cmp);
    for (size_t i = 1; i < run->n_results && dup == NULL; i++) {
        if (bg_result_ptr_cmp(&ptr[i - 1], &ptr[i]) == 0)
            dup = ptr[i];
    }
    free(ptr);
    return dup;
}

/* A summary-only result: its given statistics are finite and not negative
 * (NAN means "not given"), and it has a sample count. */
double bg_value_max(const char *unit)
{
    static const struct { const char *unit; double max; } times[] = {
        { "ns", 1e15 }, { "us", 1e12 }, { "ms", 1e9 }, { "s", 1e6 },
    };

    for (size_t i = 0; i < ARRAY_SIZE(times); i++) {
        if (strcmp(unit, times[i].unit) == 0)
            return times[i].max;
    }
    return 1e300;
}

static int check_summary(const struct bg_result *res, const char *what, struct bg_diag *d)
{
    const double v[] = { res->sum.min,    res->sum.mean, res->sum.median,
                         res->sum.p95,    res->sum.max,  res->sum.stddev };

    if (res->n_samples != 0)
        return bg_fail(d, "%s: benchmark '%s' is %s but has samples", what, res->name,
                       res->pruned ? "pruned" : "summary-only");
    for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
        if (!isnan(v[i]) && (!isfinite(v[i]) || v[i] < 0 || v[i] > bg_value_max(res->unit)))
            return bg_fail(d, "%s: benchmark '%s' has a summary value %g, not a finite "
                           "value from 0 to %g", what, res->name, v[i],
                           bg_value_max(res->unit));
    }
    if (isnan(res->sum.mean) && isnan(res->sum.median) && isnan(res->sum.p95))
        return bg_fail(d, "%s: benchmark '%s' has neither samples nor a mean", what, res->name);
    return 0;
}

int bg_run_finish(struct bg_run *run, const char *what, struct bg_diag *d)
{
    double *work = NULL, hi;
    const struct bg_result *dup;
    size_t work_n = 0;
    int rc = -1;

    if (run->n_results == 0)
        return bg_fail(d, "%s: no benchmark results", what);
    if (run->n_results > BG_MAX_RESULTS)
        return bg_fail(d, "%s: %zu results, more than the limit of %d", what, run->n_results,
                       BG_MAX_RESULTS);
    if (run->n_meta > BG_MAX_META) /* --meta and every file's keys together */
        return bg_fail(d, "%s: meta: more than %d keys", what, BG_MAX_META);
    for (size_t i = 0; i < run->n_results; i++) {
        struct bg_result *res = &run->results[i];
        char *visible = bg_name_visible(res->name);

        /* a harness's file is never refused for a name's control characters:
         * the same name becomes the same visible one on every run */
        if (visible != NULL) {
            bg_run_warn(run, "%s: a benchmark name with control characters is stored as "
                        "'%.200s'", what, visible);
            free(res->name);
            res->name = visible;
        }
    }
    for (size_t i = 0; i < run->n_results; i++) {
        struct bg_result *res = &run->results[i];
        const char *why = bg_name_problem(res->name);

        if (why != NULL) {
            bg_fail(d, "%s: benchmark name '%.80s' %s", what, res->name, why);
            goto out;
        }
        why = strlen(res->metric) > BG_METRIC_MAX ? "is longer than 64 bytes"
                                                  : bg_name_problem(res->metric);
        if (why == NULL && strlen(res->unit) > BG_METRIC_MAX)
            why = "has a unit longer than 64 bytes";
        if (why != NULL) {
            bg_fail(d, "%s: benchmark '%.80s': metric '%.80s' %s", what, res->name, res->metric,
                    why);
            goto out;
        }
        if (res->summary_only || res->pruned) {
            if (check_summary(res, what, d) < 0)
                goto out;
            continue;
        }
        if (res->n_samples == 0) {
            bg_fail(d, "%s: benchmark '%s' has no samples", what, res->name);
            goto out;
        }
        if (res->n_samples > BG_MAX_SAMPLES) {
            bg_fail(d, "%s: benchmark '%s' has %zu samples, more than the limit of %d", what,
                    res->name, res->n_samples, BG_MAX_SAMPLES);
            goto out;
        }
        hi = bg_value_max(res->unit);
        for (size_t j = 0; j < res->n_samples; j++) {
            if (!isfinite(res->samples[j]) || res->samples[j] < 0 || res->samples[j] > hi) {
                bg_fail(d, "%s: benchmark '%s' sample %zu is %g, not a finite value from 0 "
                        "to %g", what, res->name, j, res->samples[j], hi);
                goto out;
            }
        }
        if (res->n_samples > work_n) {
            work_n = res->n_samples;
            free(work);
            work = bg_xmalloc(work_n * sizeof(*work));
        }
        stats_summarise(res->samples, res->n_samples, work, &res->sum);
    }
    dup = find_duplicate(run);
    if (dup != NULL) {
        bg_fail(d, "%s: benchmark '%s' (metric %s) appears twice; names must be unique", what,
                dup->name, dup->metric);
        goto out;
    }
    rc = 0;
out:
    free(work);
    return rc;
}

/* One field, then a separator, so ("ab","c") and ("a","bc") differ. */
static uint64_t field(uint64_t h, const char *s)
{
    return bg_hash_byte(bg_hash_str(h, s), 0x1f);
}

void bg_env_fingerprint(struct bg_env *env)
{
    char num[64];
    uint64_t h = BG_HASH_INIT;

    h = field(h, env->cpu_model);
    snprintf(num, sizeof(num), "%" PRId64, env->cores);
    h = field(h, num);
    /* whole GiB: the kernel reserves slightly different amounts on identical machines */
    snprintf(num, sizeof(num), "%" PRId64,
             (int64_t)((env->memory_bytes + (INT64_C(1) << 29)) >> 30));
    h = field(h, num);
    h = field(h, env->os);
    h = field(h, env->kernel);
    h = field(h, env->arch);
    h = field(h, env->runner);
    snprintf(env->fingerprint, sizeof(env->fingerprint), "%016" PRIx64, h);
}
