/*
 * store_sqlite.c: the SQLite store, and the only file that includes sqlite3.h.
 *
 * Connection discipline (set on every open, since pragmas do not persist):
 * WAL so readers never block the writer, a busy timeout so concurrent
 * writers wait instead of failing, foreign keys on, synchronous FULL so an
 * acknowledged run survives a power cut. Writers use BEGIN IMMEDIATE: a
 * deferred transaction that reads and then writes can fail with SQLITE_BUSY
 * at once in WAL mode, without calling the busy handler.
 */
#include "core/bg.h"
#include "core/store.h"
#include "core/buf.h"

#include <cJSON.h>
#include <math.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <time.h>

/* generated from schemas/migrations/ by tools/embed-sql.sh */
extern const char *const bg_migrations[];
extern const size_t bg_n_migrations;

#define BUSY_TIMEOUT_MS 10000

/* Long-lived statements, prepared on first use and finalized by store_close. */
enum stmt_id {
    ST_PROJECT_UPSERT,
    ST_BRANCH_UPSERT,
    ST_ENV_FIND,
    ST_ENV_INSERT,
    ST_RUN_INSERT,
    ST_BENCH_UPSERT,
    ST_RESULT_INSERT,
    ST_LATEST,
    ST_LATEST_BEFORE,
    ST_RUN_GET,
    ST_RESULTS_GET,
    ST_LIST_RUNS,
    ST_LIST_RUNS_BEFORE,
    ST_RUN_BY_COMMIT,
    ST_PIN_SET,
    ST_PIN_GET,
    ST_PIN_CLEAR,
    ST_HISTORY,
    ST_LIST_RUNS_ANY,
    ST_PROJECT_GET,
    ST_VERSION,
    ST_PROJECTS,
    ST_BENCHMARKS,
    ST_TOKEN_ADD,
    ST_TOKEN_FIND,
    ST_TOKEN_LIST,
    ST_TOKEN_REVOKE,
    ST_BRANCHES,
    ST_ENVIRONMENTS,
    ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
    [ST_PROJECT_UPSERT] =
        "INSERT INTO projects (name, created_at) VALUES (?1, ?2) "
        "ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id",
    [ST_BRANCH_UPSERT] =
        "INSERT INTO branches (project_id, name) VALUES (?1, ?2) "
        "ON CONFLICT (project_id, name) DO UPDATE SET name = excluded.name RETURNING id",
    [ST_ENV_FIND] = "SELECT id FROM environments WHERE fingerprint = ?1 AND compiler IS ?2",
    [ST_ENV_INSERT] =
        "INSERT INTO environments (fingerprint, os, kernel, arch, cpu_model, cores, "
        "memory_bytes, compiler, runner) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [ST_RUN_INSERT] =
        "INSERT INTO runs (project_id, branch_id, environment_id, commit_sha, created_at, "
        "tool, ci_provider, ci_repository, ci_run_id, ci_run_url, ci_event, meta) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    [ST_BENCH_UPSERT] =
        "INSERT INTO benchmarks (project_id, name, metric, unit, direction) "
        "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (project_id, name, metric) "
        "DO UPDATE SET name = excluded.name RETURNING id, unit",
    [ST_RESULT_INSERT] =
        "INSERT INTO results (run_id, benchmark_id, n, min, mean, median, p95, max, stddev, "
        "summary_only, params, samples) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
        "?12)",
    [ST_LATEST] =
        "SELECT r.id FROM runs r JOIN projects p ON p.id = r.project_id "
        "JOIN branches b ON b.id = r.branch_id WHERE p.name = ?1 AND b.name = ?2 "
        "ORDER BY r.created_at DESC, r.id DESC LIMIT 1",
    [ST_LATEST_BEFORE] =
        "SELECT r.id FROM runs r JOIN projects p ON p.id = r.project_id "
        "JOIN branches b ON b.id = r.branch_id JOIN runs x ON x.id = ?3 "
        "WHERE p.name = ?1 AND b.name = ?2 AND (r.created_at, r.id) < (x.created_at, x.id) "
        "ORDER BY r.created_at DESC, r.id DESC LIMIT 1",
    [ST_RUN_GET] =
        "SELECT p.name, b.name, r.commit_sha, r.created_at, r.tool, r.ci_provider, "
        "r.ci_repository, r.ci_run_id, r.ci_run_url, r.ci_event, r.meta, e.fingerprint, e.os, "
        "e.kernel, e.arch, e.cpu_model, e.cores, e.memory_bytes, e.compiler, e.runner "
        "FROM runs r JOIN projects p ON p.id = r.project_id "
        "JOIN branches b ON b.id = r.branch_id JOIN environments e ON e.id = r.environment_id "
        "WHERE r.id = ?1",
    [ST_RESULTS_GET] =
        "SELECT k.name, k.metric, k.unit, k.direction, s.n, s.min, s.mean, s.median, s.p95, "
        "s.max, s.stddev, s.summary_only, s.params, s.samples "
        "FROM results s JOIN benchmarks k ON k.id = s.benchmark_id WHERE s.run_id = ?1 "
        "ORDER BY s.id",
#define RUN_INFO_COLUMNS \
    "SELECT r.id, r.created_at, r.commit_sha, e.fingerprint, b.name, r.tool, " \
    "(SELECT count(*) FROM results s WHERE s.run_id = r.id) FROM runs r " \
    "JOIN projects p ON p.id = r.project_id JOIN branches b ON b.id = r.branch_id " \
    "JOIN environments e ON e.id = r.environment_id "
    [ST_LIST_RUNS] = RUN_INFO_COLUMNS "WHERE p.name = ?1 AND b.name = ?2 "
                     "ORDER BY r.created_at DESC, r.id DESC LIMIT ?4",
    [ST_LIST_RUNS_BEFORE] =
        RUN_INFO_COLUMNS "JOIN runs x ON x.id = ?3 "
        "WHERE p.name = ?1 AND b.name = ?2 AND (r.created_at, r.id) < (x.created_at, x.id) "
        "ORDER BY r.created_at DESC, r.id DESC LIMIT ?4",
    [ST_LIST_RUNS_ANY] = RUN_INFO_COLUMNS "WHERE p.name = ?1 AND (?2 IS NULL OR b.name = ?2) "
                         "AND (?5 IS NULL OR e.fingerprint = ?5) "
                         "ORDER BY r.created_at DESC, r.id DESC LIMIT ?4",
    /* substr, not LIKE: a prefix match that no character of the input can widen */
    [ST_RUN_BY_COMMIT] =
        "SELECT r.id FROM runs r JOIN projects p ON p.id = r.project_id "
        "WHERE p.name = ?1 AND substr(r.commit_sha, 1, length(?2)) = ?2 "
        "ORDER BY r.created_at DESC, r.id DESC LIMIT 1",
    [ST_PIN_SET] =
        "INSERT INTO baseline_pins (project_id, branch, run_id, pinned_at) "
        "SELECT r.project_id, ?2, r.id, ?4 FROM runs r JOIN projects p ON p.id = r.project_id "
        "WHERE p.name = ?1 AND r.id = ?3 ON CONFLICT (project_id, branch) "
        "DO UPDATE SET run_id = excluded.run_id, pinned_at = excluded.pinned_at",
    [ST_PIN_GET] =
        "SELECT n.run_id, n.pinned_at FROM baseline_pins n JOIN projects p ON p.id = n.project_id "
        "WHERE p.name = ?1 AND n.branch = ?2",
    [ST_PIN_CLEAR] =
        "DELETE FROM baseline_pins WHERE branch = ?2 AND project_id = "
        "(SELECT id FROM projects WHERE name = ?1)",
    [ST_HISTORY] =
        "SELECT * FROM (SELECT r.id, r.created_at, r.commit_sha, b.name, s.n, s.p95, s.median, "
        "s.mean, s.min, s.max, s.summary_only, k.unit, e.fingerprint FROM results s "
        "JOIN benchmarks k ON k.id = s.benchmark_id JOIN runs r ON r.id = s.run_id "
        "JOIN branches b ON b.id = r.branch_id JOIN projects p ON p.id = k.project_id "
        "JOIN environments e ON e.id = r.environment_id "
        "WHERE p.name = ?1 AND k.name = ?2 AND k.metric = ?3 AND (?4 IS NULL OR b.name = ?4) "
        "AND (?6 IS NULL OR e.fingerprint = ?6) "
        "ORDER BY r.created_at DESC, r.id DESC LIMIT ?5) ORDER BY 2, 1",
    [ST_PROJECT_GET] = "SELECT id FROM projects WHERE name = ?1",
    [ST_BRANCHES] =
        "SELECT b.name, count(r.id), max(r.created_at) FROM branches b "
        "JOIN projects p ON p.id = b.project_id JOIN runs r ON r.branch_id = b.id "
        "WHERE p.name = ?1 GROUP BY b.id ORDER BY 3 DESC, 1",
    /* the bare columns come from the newest run's row (SQLite's max() rule) */
    [ST_ENVIRONMENTS] =
        "SELECT e.fingerprint, e.cpu_model, e.cores, e.os, e.arch, count(r.id), "
        "max(r.created_at) FROM runs r JOIN projects p ON p.id = r.project_id "
        "JOIN environments e ON e.id = r.environment_id WHERE p.name = ?1 "
        "GROUP BY e.fingerprint ORDER BY 7 DESC, 1",
    [ST_VERSION] = "SELECT coalesce(max(id), 0) FROM runs",
    [ST_PROJECTS] =
        "SELECT p.name, count(r.id), max(r.created_at) FROM projects p "
        "LEFT JOIN runs r ON r.project_id = p.id GROUP BY p.id ORDER BY p.name",
    [ST_BENCHMARKS] =
        "SELECT k.name, k.metric, k.unit, k.direction, count(s.id) FROM benchmarks k "
        "JOIN projects p ON p.id = k.project_id LEFT JOIN results s ON s.benchmark_id = k.id "
        "WHERE p.name = ?1 GROUP BY k.id ORDER BY k.name, k.metric",
    [ST_TOKEN_ADD] =
        "INSERT INTO tokens (id, project_id, hash, name, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_TOKEN_FIND] =
        "SELECT p.name, t.hash, t.revoked_at IS NOT NULL FROM tokens t "
        "JOIN projects p ON p.id = t.project_id WHERE t.id = ?1",
    [ST_TOKEN_LIST] =
        "SELECT t.id, t.name, t.created_at, t.revoked_at FROM tokens t "
        "JOIN projects p ON p.id = t.project_id WHERE p.name = ?1 ORDER BY t.created_at, t.id",
    [ST_TOKEN_REVOKE] =
        "UPDATE tokens SET revoked_at = ?3 WHERE id = ?2 AND revoked_at IS NULL AND "
        "project_id = (SELECT id FROM projects WHERE name = ?1)",
};

struct store {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *stmt[ST_COUNT];
};

static int db_fail(struct store *st, const char *what)
{
    return bg_error("database '%s': %s: %s", st->path, what, sqlite3_errmsg(st->db));
}

static int db_exec(struct store *st, const char *sql)
{
    char *msg = NULL;

    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        bg_error("database '%s': %s", st->path, msg != NULL ? msg : "unknown error");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/* The cached statement id, reset and with bindings cleared. */
static sqlite3_stmt *stmt(struct store *st, enum stmt_id id)
{
    if (st->stmt[id] == NULL) {
        if (sqlite3_prepare_v3(st->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                               &st->stmt[id], NULL) != SQLITE_OK) {
            db_fail(st, "cannot prepare statement");
            return NULL;
        }
    }
    sqlite3_reset(st->stmt[id]);
    sqlite3_clear_bindings(st->stmt[id]);
    return st->stmt[id];
}

/* A summary value; NAN (not given by a summary-only harness) is stored as NULL. */
static void bind_stat(sqlite3_stmt *s, int i, double v)
{
    if (isnan(v))
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_double(s, i, v);
}

static double col_stat(sqlite3_stmt *s, int i)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN : sqlite3_column_double(s, i);
}

/* Text binds copy (TRANSIENT): no bound buffer has to outlive the call. */
static int bind_text(sqlite3_stmt *s, int i, const char *v)
{
    return v != NULL ? sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(s, i);
}

static char *col_text(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);

    return t != NULL ? bg_xstrdup((const char *)t) : NULL;
}

int store_schema_version(void)
{
    return (int)bg_n_migrations;
}

static int user_version(struct store *st, int *out)
{
    sqlite3_stmt *s;
    int rc;

    if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
        return db_fail(st, "cannot read schema version");
    rc = sqlite3_step(s);
    *out = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? 0 : db_fail(st, "cannot read schema version");
}

/* Applies every pending migration in one IMMEDIATE transaction, so two
 * processes opening a new database at once cannot both migrate it. */
static int migrate(struct store *st)
{
    int have;
    char sql[64];

    if (user_version(st, &have) < 0)
        return -1;
    if (have > (int)bg_n_migrations)
        return bg_error("database '%s' has schema version %d, newer than this benchgate "
                        "supports (%d): upgrade benchgate",
                        st->path, have, (int)bg_n_migrations);
    if (have == (int)bg_n_migrations)
        return 0;
    if (db_exec(st, "BEGIN IMMEDIATE") < 0)
        return -1;
    if (user_version(st, &have) < 0) /* another process may have migrated meanwhile */
        goto rollback;
    for (int v = have; v < (int)bg_n_migrations; v++) {
        if (db_exec(st, bg_migrations[v]) < 0)
            goto rollback;
    }
    snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", (int)bg_n_migrations);
    if (db_exec(st, sql) < 0 || db_exec(st, "COMMIT") < 0)
        goto rollback;
    return 0;
rollback:
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

static int set_wal(struct store *st)
{
    sqlite3_stmt *s;
    int ok;

    if (sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &s, NULL) != SQLITE_OK)
        return db_fail(st, "cannot set journal mode");
    ok = sqlite3_step(s) == SQLITE_ROW;
    /* the pragma answers with the mode in force: not every file system can do WAL */
    if (ok && strcmp((const char *)sqlite3_column_text(s, 0), "wal") != 0 &&
        strcmp(st->path, ":memory:") != 0)
        bg_warn("database '%s': journal mode is '%s', not WAL: readers may block writers",
                st->path, (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return ok ? 0 : db_fail(st, "cannot set journal mode");
}

int store_open(const char *path, bool create, struct store **out)
{
    struct store *st;
    struct stat sb;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;

    *out = NULL;
    if (!create && strcmp(path, ":memory:") != 0 && stat(path, &sb) < 0)
        return bg_error("cannot open database '%s': %s", path, strerror(errno));
    if (create)
        flags |= SQLITE_OPEN_CREATE;
    st = bg_xcalloc(1, sizeof(*st));
    st->path = bg_xstrdup(path);
    if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
        bg_error("cannot open database '%s': %s", path,
                 st->db != NULL ? sqlite3_errmsg(st->db) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
    if (db_exec(st, "PRAGMA foreign_keys = ON") < 0 || set_wal(st) < 0 ||
        db_exec(st, "PRAGMA synchronous = FULL") < 0 || migrate(st) < 0)
        goto fail;
    *out = st;
    return 0;
fail:
    store_close(st);
    return -1;
}

int store_close(struct store *st)
{
    int rc = 0;

    if (st == NULL)
        return 0;
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(st->stmt[i]);
    if (sqlite3_close(st->db) != SQLITE_OK)
        rc = bg_error("database '%s': cannot close: %s", st->path, sqlite3_errmsg(st->db));
    free(st->path);
    free(st);
    return rc;
}

/*
 * Starts a write transaction. Every cached statement is reset first: one
 * left stepped keeps an old read snapshot open, and BEGIN IMMEDIATE on a
 * connection whose snapshot is stale fails at once with SQLITE_BUSY, the
 * busy timeout cannot help. A one-shot CLI never meets that; a server's
 * long-lived connections do, as soon as another one has written.
 */
static int begin_write(struct store *st)
{
    for (int i = 0; i < ST_COUNT; i++) {
        if (st->stmt[i] != NULL)
            sqlite3_reset(st->stmt[i]);
    }
    return db_exec(st, "BEGIN IMMEDIATE");
}

/* Steps an INSERT ... RETURNING id to its one row, reads the id and resets
 * the statement: one left mid-way blocks COMMIT ("statements in progress"). */
static int step_id(struct store *st, sqlite3_stmt *s, const char *what, int64_t *id)
{
    int rc = sqlite3_step(s);

    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(s, 0);
    else
        db_fail(st, what);
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 0 : -1;
}

static int step_done(struct store *st, sqlite3_stmt *s, const char *what)
{
    int rc = sqlite3_step(s);

    if (rc != SQLITE_DONE)
        db_fail(st, what);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* A JSON object of key/value pairs ("{}" when empty); caller frees. */
static char *kv_json(const struct bg_kv *kv, size_t n)
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

static int put_environment(struct store *st, struct bg_env *env, int64_t *id)
{
    sqlite3_stmt *s = stmt(st, ST_ENV_FIND);
    int rc;

    bg_env_fingerprint(env);
    if (s == NULL)
        return -1;
    bind_text(s, 1, env->fingerprint);
    bind_text(s, 2, env->compiler);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(s, 0);
    else if (rc != SQLITE_DONE)
        db_fail(st, "cannot look up environment");
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return rc == SQLITE_ROW ? 0 : -1;
    s = stmt(st, ST_ENV_INSERT);
    if (s == NULL)
        return -1;
    bind_text(s, 1, env->fingerprint);
    bind_text(s, 2, env->os);
    bind_text(s, 3, env->kernel);
    bind_text(s, 4, env->arch);
    bind_text(s, 5, env->cpu_model);
    sqlite3_bind_int64(s, 6, env->cores);
    sqlite3_bind_int64(s, 7, env->memory_bytes);
    bind_text(s, 8, env->compiler);
    bind_text(s, 9, env->runner);
    if (step_done(st, s, "cannot store environment") < 0)
        return -1;
    *id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

/* Samples are stored as little-endian doubles: a plain copy on every
 * machine benchgate runs on today, a byte swap anywhere else. */
static const void *samples_le(const double *v, size_t n, unsigned char **scratch)
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

static void samples_from_le(const void *blob, size_t n, double *out)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(out, blob, n * 8);
#else
    const unsigned char *b = blob;

    for (size_t i = 0; i < n; i++) {
        uint64_t u = 0;

        for (int j = 0; j < 8; j++)
            u |= (uint64_t)b[i * 8 + j] << (8 * j);
        memcpy(&out[i], &u, 8);
    }
#endif
}

static int put_result(struct store *st, int64_t project_id, int64_t run_id,
                      const struct bg_result *res)
{
    sqlite3_stmt *s = stmt(st, ST_BENCH_UPSERT);
    unsigned char *scratch = NULL;
    const unsigned char *unit;
    char *params = NULL;
    int64_t bench_id = 0;
    int rc = -1;

    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, project_id);
    bind_text(s, 2, res->name);
    bind_text(s, 3, res->metric);
    bind_text(s, 4, res->unit);
    sqlite3_bind_int(s, 5, (int)res->direction);
    if (sqlite3_step(s) != SQLITE_ROW) {
        db_fail(st, "cannot store benchmark");
        sqlite3_reset(s);
        return -1;
    }
    bench_id = sqlite3_column_int64(s, 0);
    unit = sqlite3_column_text(s, 1);
    if (unit == NULL || strcmp((const char *)unit, res->unit) != 0) {
        bg_error("benchmark '%s' (metric %s) is stored with unit '%s', this run has '%s'",
                 res->name, res->metric, unit != NULL ? (const char *)unit : "", res->unit);
        sqlite3_reset(s);
        return STORE_REJECTED;
    }
    sqlite3_reset(s);

    s = stmt(st, ST_RESULT_INSERT);
    if (s == NULL)
        return -1;
    if (res->n_params > 0)
        params = kv_json(res->params, res->n_params);
    sqlite3_bind_int64(s, 1, run_id);
    sqlite3_bind_int64(s, 2, bench_id);
    sqlite3_bind_int64(s, 3, (int64_t)res->sum.n);
    bind_stat(s, 4, res->sum.min);
    bind_stat(s, 5, res->sum.mean);
    bind_stat(s, 6, res->sum.median);
    bind_stat(s, 7, res->sum.p95);
    bind_stat(s, 8, res->sum.max);
    bind_stat(s, 9, res->sum.stddev);
    sqlite3_bind_int(s, 10, res->summary_only ? 1 : 0);
    bind_text(s, 11, params);
    if (res->n_samples > 0) {
        /* STATIC: the samples outlive the step */
        const void *blob = samples_le(res->samples, res->n_samples, &scratch);

        sqlite3_bind_blob64(s, 12, blob, (sqlite3_uint64)res->n_samples * 8, SQLITE_STATIC);
    }
    rc = step_done(st, s, "cannot store result");
    sqlite3_reset(s); /* drop the STATIC blob pointer before scratch goes */
    free(scratch);
    cJSON_free(params);
    return rc;
}

int store_put_run(struct store *st, struct bg_run *run)
{
    int64_t project_id = 0, branch_id = 0, env_id = 0, run_id;
    sqlite3_stmt *s;
    char *meta = NULL;
    int rc = -1;

    if (begin_write(st) < 0)
        return -1;
    s = stmt(st, ST_PROJECT_UPSERT);
    if (s == NULL)
        goto rollback;
    bind_text(s, 1, run->project);
    sqlite3_bind_int64(s, 2, (int64_t)time(NULL));
    if (step_id(st, s, "cannot store project", &project_id) < 0)
        goto rollback;
    s = stmt(st, ST_BRANCH_UPSERT);
    if (s == NULL)
        goto rollback;
    sqlite3_bind_int64(s, 1, project_id);
    bind_text(s, 2, run->branch);
    if (step_id(st, s, "cannot store branch", &branch_id) < 0)
        goto rollback;
    if (put_environment(st, &run->env, &env_id) < 0)
        goto rollback;

    s = stmt(st, ST_RUN_INSERT);
    if (s == NULL)
        goto rollback;
    meta = kv_json(run->meta, run->n_meta);
    sqlite3_bind_int64(s, 1, project_id);
    sqlite3_bind_int64(s, 2, branch_id);
    sqlite3_bind_int64(s, 3, env_id);
    bind_text(s, 4, run->commit);
    sqlite3_bind_int64(s, 5, run->timestamp);
    bind_text(s, 6, run->tool != NULL ? run->tool : "unknown");
    bind_text(s, 7, run->ci.provider);
    bind_text(s, 8, run->ci.repository);
    bind_text(s, 9, run->ci.run_id);
    bind_text(s, 10, run->ci.run_url);
    bind_text(s, 11, run->ci.event);
    bind_text(s, 12, meta);
    if (step_done(st, s, "cannot store run") < 0)
        goto rollback;
    run_id = sqlite3_last_insert_rowid(st->db);

    for (size_t i = 0; i < run->n_results; i++) {
        rc = put_result(st, project_id, run_id, &run->results[i]);
        if (rc < 0)
            goto rollback;
    }
    rc = -1;
    if (db_exec(st, "COMMIT") < 0)
        goto rollback;
    cJSON_free(meta);
    run->id = run_id;
    return 0;
rollback:
    for (int i = 0; i < ST_COUNT; i++) {
        if (st->stmt[i] != NULL)
            sqlite3_reset(st->stmt[i]);
    }
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    cJSON_free(meta);
    return rc;
}

/*
 * Steps s to its end and reads each row into a new element (elem bytes,
 * zeroed) of the array *out with read_row; resets s, so no read
 * transaction stays open. Returns the count (caller frees *out), or -1
 * with nothing allocated.
 */
static int read_rows(struct store *st, sqlite3_stmt *s, const char *what, void **out,
                     size_t elem, void (*read_row)(sqlite3_stmt *s, void *row))
{
    size_t n = 0, cap = 0;
    char *rows = NULL;
    int rc;

    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        bg_grow((void **)&rows, &cap, n + 1, elem);
        memset(rows + n * elem, 0, elem);
        read_row(s, rows + n * elem);
        n++;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        free(rows);
        *out = NULL;
        return db_fail(st, what);
    }
    *out = rows;
    return (int)n;
}

/* Copies a text column into a fixed buffer, cut to fit; NULL reads as "". */
static void col_copy(sqlite3_stmt *s, int i, char *buf, size_t size)
{
    const unsigned char *t = sqlite3_column_text(s, i);

    snprintf(buf, size, "%s", t != NULL ? (const char *)t : "");
}

int store_latest_run(struct store *st, const char *project, const char *branch,
                     int64_t before_id, int64_t *id)
{
    sqlite3_stmt *s = stmt(st, before_id != 0 ? ST_LATEST_BEFORE : ST_LATEST);
    int rc;

    if (s == NULL)
        return -1;
    bind_text(s, 1, project);
    bind_text(s, 2, branch);
    if (before_id != 0)
        sqlite3_bind_int64(s, 3, before_id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(s, 0);
    sqlite3_reset(s); /* end the read transaction now: an open one pins the WAL */
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : db_fail(st, "cannot find runs");
}

static void read_run_info(sqlite3_stmt *s, void *row)
{
    struct store_run_info *ri = row;

    ri->id = sqlite3_column_int64(s, 0);
    ri->timestamp = sqlite3_column_int64(s, 1);
    col_copy(s, 2, ri->commit, sizeof(ri->commit));
    col_copy(s, 3, ri->fingerprint, sizeof(ri->fingerprint));
    col_copy(s, 4, ri->branch, sizeof(ri->branch));
    col_copy(s, 5, ri->tool, sizeof(ri->tool));
    ri->n_results = (size_t)sqlite3_column_int64(s, 6);
}

int store_list_runs(struct store *st, const char *project, const char *branch,
                    const char *fingerprint, int64_t before_id, size_t max,
                    struct store_run_info **out)
{
    sqlite3_stmt *s = stmt(st, before_id != 0                          ? ST_LIST_RUNS_BEFORE
                               : branch == NULL || fingerprint != NULL ? ST_LIST_RUNS_ANY
                                                                       : ST_LIST_RUNS);

    *out = NULL;
    if (s == NULL)
        return -1;
    bind_text(s, 1, project);
    bind_text(s, 2, branch);
    sqlite3_bind_int64(s, 3, before_id);
    sqlite3_bind_int64(s, 4, max > INT64_MAX ? INT64_MAX : (int64_t)max);
    if (before_id == 0 && (branch == NULL || fingerprint != NULL))
        bind_text(s, 5, fingerprint);
    return read_rows(st, s, "cannot list runs", (void **)out, sizeof(**out), read_run_info);
}

int store_run_by_commit(struct store *st, const char *project, const char *sha, int64_t *id)
{
    sqlite3_stmt *s = stmt(st, ST_RUN_BY_COMMIT);
    int rc;

    if (s == NULL)
        return -1;
    bind_text(s, 1, project);
    bind_text(s, 2, sha);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : db_fail(st, "cannot find a run by commit");
}

int store_pin_set(struct store *st, const char *project, const char *branch, int64_t run_id)
{
    sqlite3_stmt *s = stmt(st, ST_PIN_SET);

    if (s == NULL)
        return -1;
    bind_text(s, 1, project);
    bind_text(s, 2, branch);
    sqlite3_bind_int64(s, 3, run_id);
    sqlite3_bind_int64(s, 4, (int64_t)time(NULL));
    if (step_done(st, s, "cannot pin the baseline") < 0)
        return -1;
    if (sqlite3_changes(st->db) == 0)
        return STORE_REJECTED; /* no such run in that project */
    return 0;
}

int store_pin_get(struct store *st, const char *project, const char *branch, int64_t *run_id,
                  int64_t *pinned_at)
{
    sqlite3_stmt *s = stmt(st, ST_PIN_GET);
    int rc;

    if (s == NULL)
        return -1;
    bind_text(s, 1, project);
    bind_text(s, 2, branch);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *run_id = sqlite3_column_int64(s, 0);
        *pinned_at = sqlite3_column_int64(s, 1);
    }
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : db_fail(st, "cannot read the baseline pin");
}

int store_pin_clear(struct store *st, const char *project, const char *branch)
{
    sqlite3_stmt *s = stmt(st, ST_PIN_CLEAR);

    if (s == NULL)
        return -1;
    bind_text(s, 1, project);
    bind_text(s, 2, branch);
    if (step_done(st, s, "cannot clear the baseline pin") < 0)
        return -1;
    return sqlite3_changes(st->db) > 0 ? 1 : 0;
}

static void read_point(sqlite3_stmt *s, void *row)
{
    struct store_point *pt = row;

    pt->run_id = sqlite3_column_int64(s, 0);
    pt->timestamp = sqlite3_column_int64(s, 1);
    col_copy(s, 2, pt->commit, sizeof(pt->commit));
    col_copy(s, 3, pt->branch, sizeof(pt->branch));
    pt->n = (size_t)sqlite3_column_int64(s, 4);
    pt->p95 = col_stat(s, 5);
    pt->median = col_stat(s, 6);
    pt->mean = col_stat(s, 7);
    pt->min = col_stat(s, 8);
    pt->max = col_stat(s, 9);
    pt->summary_only = sqlite3_column_int(s, 10) != 0;
    col_copy(s, 11, pt->unit, sizeof(pt->unit));
    col_copy(s, 12, pt->fingerprint, sizeof(pt->fingerprint));
}

int store_history(struct store *st, const char *project, const char *name, const char *metric,
                  const char *branch, const char *fingerprint, size_t limit,
                  struct store_point **out)
{
    sqlite3_stmt *s = stmt(st, ST_HISTORY);

    *out = NULL;
    if (s == NULL)
        return -1;
    bind_text(s, 1, project);
    bind_text(s, 2, name);
    bind_text(s, 3, metric);
    bind_text(s, 4, branch);
    sqlite3_bind_int64(s, 5, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
    bind_text(s, 6, fingerprint);
    return read_rows(st, s, "cannot read the history", (void **)out, sizeof(**out), read_point);
}

/* Parses a stored JSON object of strings into key/value pairs. */
static int kv_parse(struct store *st, const char *json, struct bg_kv **kv, size_t *n)
{
    cJSON *obj = json != NULL ? cJSON_Parse(json) : NULL;
    const cJSON *item;

    *kv = NULL;
    *n = 0;
    if (json == NULL)
        return 0;
    if (!cJSON_IsObject(obj)) {
        cJSON_Delete(obj);
        return bg_error("database '%s': corrupt JSON in a stored run", st->path);
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

static int load_results(struct store *st, int64_t id, struct bg_run *run)
{
    sqlite3_stmt *s = stmt(st, ST_RESULTS_GET);
    int rc;

    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct bg_result *res = bg_run_add_result(
            run, (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
            (const char *)sqlite3_column_text(s, 2),
            sqlite3_column_int(s, 3) == 1 ? BG_DIR_HIGHER : BG_DIR_LOWER);
        int64_t n = sqlite3_column_int64(s, 4);
        int bytes = sqlite3_column_bytes(s, 13);
        const void *blob = sqlite3_column_blob(s, 13);

        res->sum.n = n > 0 ? (size_t)n : 0;
        res->sum.min = col_stat(s, 5);
        res->sum.mean = col_stat(s, 6);
        res->sum.median = col_stat(s, 7);
        res->sum.p95 = col_stat(s, 8);
        res->sum.max = col_stat(s, 9);
        res->sum.stddev = col_stat(s, 10);
        res->summary_only = sqlite3_column_int(s, 11) != 0;
        if (kv_parse(st, (const char *)sqlite3_column_text(s, 12), &res->params,
                     &res->n_params) < 0) {
            sqlite3_reset(s);
            return -1;
        }
        if (blob != NULL && (bytes % 8 != 0 || (int64_t)(bytes / 8) != n)) {
            sqlite3_reset(s);
            return bg_error("database '%s': result of '%s' has %d sample bytes for n = %" PRId64,
                            st->path, res->name, bytes, n);
        }
        if (blob != NULL) {
            res->samples = bg_xmalloc((size_t)bytes);
            res->n_samples = res->cap_samples = (size_t)bytes / 8;
            samples_from_le(blob, res->n_samples, res->samples);
        }
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : db_fail(st, "cannot read results");
}

int store_load_run(struct store *st, int64_t id, struct bg_run *run)
{
    sqlite3_stmt *s = stmt(st, ST_RUN_GET);
    struct bg_env *e = &run->env;
    const unsigned char *fp;
    int rc;

    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(s);
        return rc == SQLITE_DONE ? 0 : db_fail(st, "cannot read run");
    }
    run->id = id;
    run->project = col_text(s, 0);
    run->branch = col_text(s, 1);
    run->commit = col_text(s, 2);
    run->timestamp = sqlite3_column_int64(s, 3);
    run->tool = col_text(s, 4);
    run->ci.provider = col_text(s, 5);
    run->ci.repository = col_text(s, 6);
    run->ci.run_id = col_text(s, 7);
    run->ci.run_url = col_text(s, 8);
    run->ci.event = col_text(s, 9);
    rc = kv_parse(st, (const char *)sqlite3_column_text(s, 10), &run->meta, &run->n_meta);
    run->cap_meta = run->n_meta;
    fp = sqlite3_column_text(s, 11);
    snprintf(e->fingerprint, sizeof(e->fingerprint), "%s", fp != NULL ? (const char *)fp : "");
    e->os = col_text(s, 12);
    e->kernel = col_text(s, 13);
    e->arch = col_text(s, 14);
    e->cpu_model = col_text(s, 15);
    e->cores = sqlite3_column_int64(s, 16);
    e->memory_bytes = sqlite3_column_int64(s, 17);
    e->compiler = col_text(s, 18);
    e->runner = col_text(s, 19);
    sqlite3_reset(s);
    if (rc < 0 || load_results(st, id, run) < 0)
        return -1;
    return 1;
}

int store_version(struct store *st, int64_t *version)
{
    sqlite3_stmt *s = stmt(st, ST_VERSION);

    return s == NULL ? -1 : step_id(st, s, "cannot read the store's version", version);
}

int store_project_exists(struct store *st, const char *project)
{
    sqlite3_stmt *s = stmt(st, ST_PROJECT_GET);
    int rc;

    if (s == NULL)
        return -1;
    bind_text(s, 1, project);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : db_fail(st, "cannot find the project");
}

static void read_project(sqlite3_stmt *s, void *row)
{
    struct store_project *p = row;

    col_copy(s, 0, p->name, sizeof(p->name));
    p->n_runs = sqlite3_column_int64(s, 1);
    p->last_run = sqlite3_column_int64(s, 2); /* NULL (no runs) reads as 0 */
}

int store_list_projects(struct store *st, struct store_project **out)
{
    sqlite3_stmt *s = stmt(st, ST_PROJECTS);

    *out = NULL;
    if (s == NULL)
        return -1;
    return read_rows(st, s, "cannot list projects", (void **)out, sizeof(**out), read_project);
}

static void read_benchmark(sqlite3_stmt *s, void *row)
{
    struct store_benchmark *k = row;

    col_copy(s, 0, k->name, sizeof(k->name));
    col_copy(s, 1, k->metric, sizeof(k->metric));
    col_copy(s, 2, k->unit, sizeof(k->unit));
    k->direction = sqlite3_column_int(s, 3) != 0 ? BG_DIR_HIGHER : BG_DIR_LOWER;
    k->n_results = sqlite3_column_int64(s, 4);
}

int store_list_benchmarks(struct store *st, const char *project, struct store_benchmark **out)
{
    sqlite3_stmt *s = stmt(st, ST_BENCHMARKS);

    *out = NULL;
    if (s == NULL)
        return -1;
    bind_text(s, 1, project);
    return read_rows(st, s, "cannot list benchmarks", (void **)out, sizeof(**out),
                     read_benchmark);
}

static void read_branch(sqlite3_stmt *s, void *row)
{
    struct store_branch *b = row;

    col_copy(s, 0, b->name, sizeof(b->name));
    b->n_runs = sqlite3_column_int64(s, 1);
    b->last_run = sqlite3_column_int64(s, 2);
}

int store_list_branches(struct store *st, const char *project, struct store_branch **out)
{
    sqlite3_stmt *s = stmt(st, ST_BRANCHES);

    *out = NULL;
    if (s == NULL)
        return -1;
    bind_text(s, 1, project);
    return read_rows(st, s, "cannot list branches", (void **)out, sizeof(**out), read_branch);
}

static void read_environment(sqlite3_stmt *s, void *row)
{
    struct store_environment *e = row;

    col_copy(s, 0, e->fingerprint, sizeof(e->fingerprint));
    col_copy(s, 1, e->cpu_model, sizeof(e->cpu_model));
    e->cores = sqlite3_column_int64(s, 2);
    col_copy(s, 3, e->os, sizeof(e->os));
    col_copy(s, 4, e->arch, sizeof(e->arch));
    e->n_runs = sqlite3_column_int64(s, 5);
    e->last_run = sqlite3_column_int64(s, 6);
}

int store_list_environments(struct store *st, const char *project,
                            struct store_environment **out)
{
    sqlite3_stmt *s = stmt(st, ST_ENVIRONMENTS);

    *out = NULL;
    if (s == NULL)
        return -1;
    bind_text(s, 1, project);
    return read_rows(st, s, "cannot list environments", (void **)out, sizeof(**out),
                     read_environment);
}

int store_token_add(struct store *st, const char *project, const char *id,
                    const unsigned char hash[STORE_TOKEN_HASH], const char *name)
{
    int64_t project_id = 0, now = (int64_t)time(NULL);
    sqlite3_stmt *s;

    if (begin_write(st) < 0)
        return -1;
    s = stmt(st, ST_PROJECT_UPSERT);
    if (s == NULL)
        goto rollback;
    bind_text(s, 1, project);
    sqlite3_bind_int64(s, 2, now);
    if (step_id(st, s, "cannot add the project", &project_id) < 0)
        goto rollback;
    s = stmt(st, ST_TOKEN_ADD);
    if (s == NULL)
        goto rollback;
    bind_text(s, 1, id);
    sqlite3_bind_int64(s, 2, project_id);
    sqlite3_bind_blob(s, 3, hash, STORE_TOKEN_HASH, SQLITE_TRANSIENT);
    bind_text(s, 4, name);
    sqlite3_bind_int64(s, 5, now);
    if (step_done(st, s, "cannot add the token") < 0 || db_exec(st, "COMMIT") < 0)
        goto rollback;
    return 0;
rollback:
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

int store_token_find(struct store *st, const char *id, char project[BG_NAME_MAX + 1],
                     unsigned char hash[STORE_TOKEN_HASH], bool *revoked)
{
    sqlite3_stmt *s = stmt(st, ST_TOKEN_FIND);
    int rc;

    if (s == NULL)
        return -1;
    bind_text(s, 1, id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const void *h = sqlite3_column_blob(s, 1);

        if (h == NULL || sqlite3_column_bytes(s, 1) != STORE_TOKEN_HASH) {
            sqlite3_reset(s);
            return bg_error("database '%s': token '%s' has a damaged hash", st->path, id);
        }
        memcpy(hash, h, STORE_TOKEN_HASH);
        snprintf(project, BG_NAME_MAX + 1, "%s", (const char *)sqlite3_column_text(s, 0));
        *revoked = sqlite3_column_int(s, 2) != 0;
    }
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : db_fail(st, "cannot look up the token");
}

static void read_token(sqlite3_stmt *s, void *row)
{
    struct store_token *t = row;

    col_copy(s, 0, t->id, sizeof(t->id));
    col_copy(s, 1, t->name, sizeof(t->name));
    t->created_at = sqlite3_column_int64(s, 2);
    t->revoked_at = sqlite3_column_int64(s, 3);
}

int store_token_list(struct store *st, const char *project, struct store_token **out)
{
    sqlite3_stmt *s = stmt(st, ST_TOKEN_LIST);

    *out = NULL;
    if (s == NULL)
        return -1;
    bind_text(s, 1, project);
    return read_rows(st, s, "cannot list tokens", (void **)out, sizeof(**out), read_token);
}

int store_token_revoke(struct store *st, const char *project, const char *id)
{
    sqlite3_stmt *s = stmt(st, ST_TOKEN_REVOKE);

    if (s == NULL)
        return -1;
    bind_text(s, 1, project);
    bind_text(s, 2, id);
    sqlite3_bind_int64(s, 3, (int64_t)time(NULL));
    if (step_done(st, s, "cannot revoke the token") < 0)
        return -1;
    return sqlite3_changes(st->db) > 0 ? 1 : 0;
}
