/*
 * store.c: the store interface (core/store.h) over its backends: the
 * locator picks a backend table, each store_* call goes through it, and
 * what every backend needs alike (diagnostics, the JSON of key/value
 * pairs, the byte order of samples) lives here, out of the engines' files.
 */
#include "core/bg.h"
#include "core/store_impl.h"
#include "core/store_git.h"

#include <cJSON.h>

/* ---- locators ---- */

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool store_locator_is_pg(const char *locator)
{
    return has_prefix(locator, "postgres://") || has_prefix(locator, "postgresql://");
}

/* Appends n bytes of s to buf (size bytes, NUL-terminated), cutting at the end. */
static void put(char *buf, size_t size, size_t *len, const char *s, size_t n)
{
    if (*len + 1 >= size)
        return;
    if (n > size - 1 - *len)
        n = size - 1 - *len;
    memcpy(buf + *len, s, n);
    *len += n;
    buf[*len] = '\0';
}

/*
 * A URI's password never reaches a message or a log: the user-info part
 * (before the last '@' of the authority) keeps its user name only, and a
 * password=... query parameter loses its value.
 */
void store_locator_display(const char *locator, char *buf, size_t size)
{
    const char *auth, *end, *at = NULL, *p;
    size_t len = 0;

    if (size == 0)
        return;
    buf[0] = '\0';
    if (!store_locator_is_pg(locator)) {
        p = has_prefix(locator, "sqlite:") ? locator + 7 : locator;
        put(buf, size, &len, p, strlen(p));
        return;
    }
    auth = strstr(locator, "//") + 2;
    end = auth + strcspn(auth, "/?");
    for (p = auth; p < end; p++) {
        if (*p == '@')
            at = p;
    }
    if (at != NULL) {
        const char *colon = memchr(auth, ':', (size_t)(at - auth));

        put(buf, size, &len, locator, (size_t)((colon != NULL ? colon : at) - locator));
        if (colon != NULL)
            put(buf, size, &len, ":***", 4);
        p = at;
    } else {
        p = locator;
    }
    end = strchr(p, '?');
    if (end == NULL) {
        put(buf, size, &len, p, strlen(p));
        return;
    }
    put(buf, size, &len, p, (size_t)(end - p));
    for (p = end; *p != '\0';) {
        size_t n = 1 + strcspn(p + 1, "&"); /* one separator and its parameter */

        if (strncmp(p + 1, "password=", 9) == 0) {
            put(buf, size, &len, p, 10);
            put(buf, size, &len, "***", 3);
        } else {
            put(buf, size, &len, p, n);
        }
        p += n;
    }
}

static const struct store_backend *backend_of(const char *locator, const char **target)
{
    if (store_locator_is_pg(locator)) {
        *target = locator;
        return &store_backend_pg;
    }
    *target = has_prefix(locator, "sqlite:") ? locator + 7 : locator;
    return &store_backend_sqlite;
}

int store_schema_version(const char *engine)
{
    if (strcmp(engine, store_backend_sqlite.engine) == 0)
        return (int)*store_backend_sqlite.n_migrations;
    if (strcmp(engine, store_backend_pg.engine) == 0)
        return (int)*store_backend_pg.n_migrations;
    return -1;
}

/* A git history: a store in memory that the branch's runs are read into. */
static int open_git(const char *locator, struct store **out, struct bg_diag *d)
{
    struct store_git *git;

    if (store_backend_sqlite.open(":memory:", locator, true, out, d) < 0)
        return -1;
    if (store_git_open(locator + 4, *out, &git, d) < 0) {
        store_backend_sqlite.close(*out, NULL);
        *out = NULL;
        return -1;
    }
    (*out)->git = git;
    return 0;
}

/* Only collect writes to a git history: everything else it refuses. */
static int git_read_only(struct store *st, const char *what)
{
    return store_reject(st, "%s: a git history is changed only by collect, which appends runs; "
                        "%s needs a SQLite or PostgreSQL store", st->name, what);
}

int store_open(const char *locator, bool create, struct store **out, struct bg_diag *d)
{
    const struct store_backend *be;
    const char *target;
    char name[1024];

    *out = NULL;
    if (store_locator_is_git(locator))
        return open_git(locator, out, d);
    be = backend_of(locator, &target);
    store_locator_display(locator, name, sizeof(name));
    if (*target == '\0')
        return bg_fail(d, "no database given (locator '%s')", name);
    if (be->open(target, name, create, out, d) == 0)
        return 0;
    if (d != NULL)
        d->fault = BG_FAULT_BROKEN; /* exit status 3, HTTP 503 */
    return -1;
}

int store_close(struct store *st, struct bg_diag *d)
{
    if (st != NULL && st->git != NULL) {
        store_git_free(st->git);
        st->git = NULL;
    }
    if (st == NULL || st->be->close(st, d) == 0)
        return 0;
    if (d != NULL)
        d->fault = BG_FAULT_BROKEN;
    return -1;
}

const char *store_errmsg(const struct store *st)
{
    return st != NULL ? st->diag.msg : "";
}

bool store_unavailable(const struct store *st)
{
    return st != NULL && st->diag.msg[0] != '\0' && st->unavailable;
}

void store_clear_error(struct store *st)
{
    st->diag.msg[0] = '\0';
    st->diag.fault = BG_FAULT_BROKEN;
    st->unavailable = false;
}

int store_take_error(struct store *st, struct bg_diag *d)
{
    if (d != NULL)
        *d = st->diag;
    store_clear_error(st);
    return -1;
}

const char *store_engine(const struct store *st)
{
    return st->be->engine;
}

const char *store_name(const struct store *st)
{
    return st->name;
}

/* ---- diagnostics ---- */

static void record(struct store *st, bool unavailable, const char *fmt, va_list ap)
    BG_PRINTF(3, 0);

static void record(struct store *st, bool unavailable, const char *fmt, va_list ap)
{
    vsnprintf(st->diag.msg, sizeof(st->diag.msg), fmt, ap);
    st->diag.fault = BG_FAULT_BROKEN;
    st->unavailable = unavailable;
}

int store_fail(struct store *st, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    record(st, false, fmt, ap);
    va_end(ap);
    return -1;
}

int store_fail_unavailable(struct store *st, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    record(st, true, fmt, ap);
    va_end(ap);
    return -1;
}

int store_reject(struct store *st, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    record(st, false, fmt, ap);
    va_end(ap);
    st->diag.fault = BG_FAULT_INPUT;
    return STORE_REJECTED;
}

/* ---- what the backends share ---- */

char *store_kv_json(const struct bg_kv *kv, size_t n)
{
    cJSON *obj = cJSON_CreateObject();
    char *s;

    if (obj == NULL)
        bg_die("out of memory");
    for (size_t i = 0; i < n; i++) {
        if (cJSON_AddStringToObject(obj, kv[i].key, kv[i].value) == NULL)
            bg_die("out of memory");
    }
    s = cJSON_PrintUnformatted(obj);
    cJSON_Delete(obj);
    if (s == NULL)
        bg_die("out of memory");
    return s;
}

int store_kv_parse(struct store *st, const char *json, struct bg_kv **kv, size_t *n)
{
    cJSON *obj = json != NULL ? cJSON_ParseWithOpts(json, NULL, 1) : NULL;
    const cJSON *item;

    *kv = NULL;
    *n = 0;
    if (json == NULL)
        return 0;
    if (!cJSON_IsObject(obj)) {
        cJSON_Delete(obj);
        return store_fail(st, "database '%s': corrupt JSON in a stored run", st->name);
    }
    cJSON_ArrayForEach(item, obj) {
        if (cJSON_IsString(item)) {
            *kv = bg_xrealloc(*kv, (*n + 1) * sizeof(**kv));
            (*kv)[*n].key = bg_xstrdup(item->string);
            (*kv)[*n].value = bg_xstrdup(item->valuestring);
            (*n)++;
        }
    }
    cJSON_Delete(obj);
    return 0;
}

const void *store_samples_le(const double *v, size_t n, unsigned char **scratch)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    (void)n;
    *scratch = NULL;
    return v;
#else
    unsigned char *b = bg_xmalloc(n * 8);

    for (size_t i = 0; i < n; i++) {
        uint64_t u;

        memcpy(&u, &v[i], 8);
        for (int j = 0; j < 8; j++)
            b[i * 8 + j] = (unsigned char)(u >> (8 * j));
    }
    *scratch = b;
    return b;
#endif
}

void store_samples_from_le(const void *bytes, size_t n, double *out)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(out, bytes, n * 8);
#else
    const unsigned char *b = bytes;

    for (size_t i = 0; i < n; i++) {
        uint64_t u = 0;

        for (int j = 0; j < 8; j++)
            u |= (uint64_t)b[i * 8 + j] << (8 * j);
        memcpy(&out[i], &u, 8);
    }
#endif
}

void store_result_samples(const struct store *st, struct bg_result *res, const void *bytes,
                          size_t n)
{
    size_t stride = st->sample_cap > 0 && n > st->sample_cap
                        ? (n + st->sample_cap - 1) / st->sample_cap : 1;
    const unsigned char *b = bytes;

    res->n_samples = res->cap_samples = (n + stride - 1) / stride;
    res->samples = bg_xmalloc(res->n_samples * sizeof(*res->samples));
    if (stride == 1) {
        store_samples_from_le(bytes, n, res->samples);
        return;
    }
    for (size_t i = 0; i < res->n_samples; i++)
        store_samples_from_le(b + i * stride * 8, 1, &res->samples[i]);
}

void store_set_sample_cap(struct store *st, size_t cap)
{
    st->sample_cap = cap;
}

void *store_row_add(void **rows, size_t *n, size_t *cap, size_t elem)
{
    char *row;

    bg_grow(rows, cap, *n + 1, elem);
    row = (char *)*rows + *n * elem;
    memset(row, 0, elem);
    (*n)++;
    return row;
}

/* ---- the interface: each call through the store's backend ---- */

int store_put_run(struct store *st, struct bg_run *run)
{
    struct bg_diag d = { 0 };
    int rc = st->be->put_run(st, run, false);

    /* a git history: validated by the store in memory, then appended to the branch */
    if (rc == 0 && st->git != NULL && store_git_append(st->git, run, &d) < 0)
        return store_fail_unavailable(st, "%s", d.msg);
    return rc;
}

int store_import_run(struct store *st, struct bg_run *run)
{
    if (st->git != NULL)
        return git_read_only(st, "copying runs into it");
    if (run->id <= 0)
        return store_reject(st, "database '%s': an imported run needs its id", st->name);
    return st->be->put_run(st, run, true);
}

int store_generation(struct store *st, int64_t *generation)
{
    return st->be->generation(st, generation);
}

int store_latest_run(struct store *st, const char *project, const char *branch,
                     int64_t before_id, int64_t *id)
{
    return st->be->latest_run(st, project, branch, before_id, id);
}

int store_load_run(struct store *st, int64_t id, struct bg_run *run)
{
    return st->be->load_run(st, id, true, run);
}

int store_load_run_summary(struct store *st, int64_t id, struct bg_run *run)
{
    return st->be->load_run(st, id, false, run);
}

int store_list_runs(struct store *st, const char *project, const char *branch,
                    const char *fingerprint, int64_t before_id, size_t max,
                    struct store_run_info **out)
{
    return st->be->list_runs(st, project, branch, fingerprint, before_id, max, out);
}

int store_run_by_commit(struct store *st, const char *project, const char *sha, int64_t *id)
{
    return st->be->run_by_commit(st, project, sha, id);
}

int store_pin_set(struct store *st, const char *project, const char *branch, int64_t run_id)
{
    if (st->git != NULL)
        return git_read_only(st, "pinning a baseline");
    return st->be->pin_set(st, project, branch, run_id, 0);
}

int store_pin_import(struct store *st, const struct store_pin *pin)
{
    if (st->git != NULL)
        return git_read_only(st, "pinning a baseline");
    return st->be->pin_set(st, pin->project, pin->branch, pin->run_id,
                           pin->pinned_at > 0 ? pin->pinned_at : 1);
}

int store_pin_get(struct store *st, const char *project, const char *branch, int64_t *run_id,
                  int64_t *pinned_at)
{
    return st->be->pin_get(st, project, branch, run_id, pinned_at);
}

int store_pin_clear(struct store *st, const char *project, const char *branch)
{
    if (st->git != NULL)
        return git_read_only(st, "pinning a baseline");
    return st->be->pin_clear(st, project, branch);
}

int store_pin_list(struct store *st, struct store_pin **out)
{
    return st->be->pin_list(st, out);
}

int store_history(struct store *st, const char *project, const char *name, const char *metric,
                  const char *branch, const char *fingerprint, size_t limit,
                  struct store_point **out)
{
    return st->be->history(st, project, name, metric, branch, fingerprint, limit, out);
}

int store_project_exists(struct store *st, const char *project)
{
    return st->be->project_exists(st, project);
}

int store_list_projects(struct store *st, struct store_project **out)
{
    return st->be->list_projects(st, out);
}

int store_list_benchmarks(struct store *st, const char *project, struct store_benchmark **out)
{
    return st->be->list_benchmarks(st, project, out);
}

int store_list_branches(struct store *st, const char *project, struct store_branch **out)
{
    return st->be->list_branches(st, project, out);
}

int store_list_environments(struct store *st, const char *project,
                            struct store_environment **out)
{
    return st->be->list_environments(st, project, out);
}

int store_token_add(struct store *st, const char *project, const char *id,
                    const unsigned char hash[STORE_TOKEN_HASH], const char *name)
{
    if (st->git != NULL)
        return git_read_only(st, "a token");
    return st->be->token_add(st, project, id, hash, name, 0, 0);
}

int store_token_find(struct store *st, const char *id, char project[BG_NAME_MAX + 1],
                     unsigned char hash[STORE_TOKEN_HASH], bool *revoked)
{
    return st->be->token_find(st, id, project, hash, revoked);
}

int store_token_list(struct store *st, const char *project, struct store_token **out)
{
    return st->be->token_list(st, project, out);
}

int store_token_revoke(struct store *st, const char *project, const char *id)
{
    if (st->git != NULL)
        return git_read_only(st, "a token");
    return st->be->token_revoke(st, project, id);
}

int store_token_export(struct store *st, struct store_token_record **out)
{
    return st->be->token_export(st, out);
}

/* An identical token already there is fine (a copy resumed); a different
 * one under the same id is not. */
int store_token_import(struct store *st, const struct store_token_record *t)
{
    if (st->git != NULL)
        return git_read_only(st, "a token");
    char project[BG_NAME_MAX + 1];
    unsigned char hash[STORE_TOKEN_HASH];
    bool revoked;
    int rc = st->be->token_find(st, t->token.id, project, hash, &revoked);

    if (rc < 0)
        return -1;
    if (rc == 1) {
        if (strcmp(project, t->project) == 0 && memcmp(hash, t->hash, sizeof(hash)) == 0 &&
            revoked == (t->token.revoked_at != 0))
            return 0;
        return store_reject(st, "database '%s': token '%s' is there already, and differs",
                            st->name, t->token.id);
    }
    rc = st->be->token_add(st, t->project, t->token.id, t->hash,
                           t->token.name[0] != '\0' ? t->token.name : NULL,
                           t->token.created_at > 0 ? t->token.created_at : 1,
                           t->token.revoked_at);
    return rc < 0 ? rc : 1;
}

int store_run_ids(struct store *st, int64_t after, size_t max, int64_t **out)
{
    return st->be->run_ids(st, after, max, out);
}

int store_counts(struct store *st, struct store_counts *out)
{
    memset(out, 0, sizeof(*out));
    return st->be->counts(st, out);
}

int store_prune(struct store *st, const char *project, int64_t before, size_t max_runs,
                bool dry_run, struct store_prune_stats *stats)
{
    if (st->git != NULL)
        return git_read_only(st, "pruning");
    return st->be->prune(st, project, before, max_runs == 0 ? 1 : max_runs, dry_run, stats);
}
