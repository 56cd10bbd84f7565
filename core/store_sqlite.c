/*
 * store_sqlite.c: the SQLite backend (core/store_impl.h), and the only file
 * that includes sqlite3.h.
 *
 * Connection discipline (set on every open, since pragmas do not persist):
 * WAL so readers never block the writer, a busy timeout so concurrent
 * writers wait instead of failing, foreign keys on, synchronous FULL so an
 * acknowledged run survives a power cut. Writers use BEGIN IMMEDIATE: a
 * deferred transaction that reads and then writes can fail with SQLITE_BUSY
 * at once in WAL mode, without calling the busy handler. Every write
 * transaction bumps the generation before it commits.
 */
#include "core/bg.h"
#include "core/store_impl.h"
#include "core/deadline.h"

#include <cJSON.h>
#include <fcntl.h>
#include <math.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* generated from the files in schemas/migrations/ by tools/embed-sql.sh */
extern const char *const bg_migrations[];
extern const size_t bg_migrations_n;

#define BUSY_TIMEOUT_MS 10000

/* Long-lived statements, prepared on first use and finalized by close. */
enum stmt_id {
    ST_PROJECT_UPSERT,
    ST_BRANCH_UPSERT,
    ST_ENV_FIND,
    ST_ENV_INSERT,
    ST_RUN_INSERT,
    ST_RUN_IMPORT,
    ST_RUN_EXISTS,
    ST_BENCH_UPSERT,
    ST_RESULT_INSERT,
    ST_LATEST,
    ST_LATEST_BEFORE,
    ST_RUN_GET,
    ST_RESULTS_GET,
    ST_RESULTS_GET_SUMMARY,
    ST_BENCH_GET,
    ST_LIST_RUNS,
    ST_LIST_RUNS_BEFORE,
    ST_RUN_BY_COMMIT,
    ST_PIN_SET,
    ST_PIN_GET,
    ST_PIN_CLEAR,
    ST_PIN_LIST,
    ST_HISTORY,
    ST_LIST_RUNS_ANY,
    ST_PROJECT_GET,
    ST_GENERATION,
    ST_GENERATION_BUMP,
    ST_PROJECTS,
    ST_BENCHMARKS,
    ST_TOKEN_ADD,
    ST_TOKEN_FIND,
    ST_TOKEN_LIST,
    ST_TOKEN_REVOKE,
    ST_TOKEN_EXPORT,
    ST_BRANCHES,
    ST_ENVIRONMENTS,
    ST_RUN_IDS,
    ST_COUNTS,
    ST_PRUNE_RUNS,
    ST_PRUNE_COUNT,
    ST_PRUNE_RESULTS,
    ST_COUNT
};

/* The runs prune would thin, oldest first: made before ?2, of project ?1
 * (NULL: any), with samples left, and not pinned as a baseline. */
#define PRUNE_WHERE \
    "FROM runs r WHERE r.created_at < ?2 " \
    "AND (?1 IS NULL OR r.project_id = (SELECT id FROM projects WHERE name = ?1)) " \
    "AND EXISTS (SELECT 1 FROM results s WHERE s.run_id = r.id AND s.samples IS NOT NULL) " \
    "AND NOT EXISTS (SELECT 1 FROM baseline_pins n WHERE n.run_id = r.id) "

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
    [ST_RUN_IMPORT] =
        "INSERT INTO runs (project_id, branch_id, environment_id, commit_sha, created_at, "
        "tool, ci_provider, ci_repository, ci_run_id, ci_run_url, ci_event, meta, id) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    [ST_RUN_EXISTS] = "SELECT count(*) FROM runs WHERE id = ?1",
    [ST_BENCH_UPSERT] =
        "INSERT INTO benchmarks (project_id, name, metric, unit, direction) "
        "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (project_id, name, metric) "
        "DO UPDATE SET name = excluded.name RETURNING id, unit",
    [ST_RESULT_INSERT] =
        "INSERT INTO results (run_id, benchmark_id, n, min, mean, median, p95, max, stddev, "
        "summary_only, params, samples, pruned) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
        "?10, ?11, ?12, ?13)",
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
    /* the benchmark by id, not a join: its identity comes from the cache of
     * struct bench_cache on every run but the first that names it */
    [ST_RESULTS_GET] =
        "SELECT s.benchmark_id, s.n, s.min, s.mean, s.median, s.p95, "
        "s.max, s.stddev, s.summary_only, s.params, s.pruned, s.samples "
        "FROM results s WHERE s.run_id = ?1 ORDER BY s.id",
    /* the same columns but the samples: a NULL in their place */
    [ST_RESULTS_GET_SUMMARY] =
        "SELECT s.benchmark_id, s.n, s.min, s.mean, s.median, s.p95, "
        "s.max, s.stddev, s.summary_only, s.params, s.pruned, NULL "
        "FROM results s WHERE s.run_id = ?1 ORDER BY s.id",
    [ST_BENCH_GET] = "SELECT name, metric, unit, direction FROM benchmarks WHERE id = ?1",
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
    [ST_PIN_LIST] =
        "SELECT p.name, n.branch, n.run_id, n.pinned_at FROM baseline_pins n "
        "JOIN projects p ON p.id = n.project_id ORDER BY p.name, n.branch",
    [ST_HISTORY] =
        "SELECT * FROM (SELECT r.id, r.created_at, r.commit_sha, b.name, s.n, s.p95, s.median, "
        "s.mean, s.min, s.max, s.summary_only, k.unit, e.fingerprint, s.pruned FROM results s "
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
    [ST_GENERATION] = "SELECT n FROM generation WHERE slot = 0",
    [ST_GENERATION_BUMP] = "UPDATE generation SET n = n + 1 WHERE slot = 0",
    [ST_PROJECTS] =
        "SELECT p.name, count(r.id), max(r.created_at) FROM projects p "
        "LEFT JOIN runs r ON r.project_id = p.id GROUP BY p.id ORDER BY p.name",
    [ST_BENCHMARKS] =
        "SELECT k.name, k.metric, k.unit, k.direction, count(s.id) FROM benchmarks k "
        "JOIN projects p ON p.id = k.project_id LEFT JOIN results s ON s.benchmark_id = k.id "
        "WHERE p.name = ?1 GROUP BY k.id ORDER BY k.name, k.metric",
    [ST_TOKEN_ADD] =
        "INSERT INTO tokens (id, project_id, hash, name, created_at, revoked_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_TOKEN_FIND] =
        "SELECT p.name, t.hash, t.revoked_at IS NOT NULL FROM tokens t "
        "JOIN projects p ON p.id = t.project_id WHERE t.id = ?1",
    [ST_TOKEN_LIST] =
        "SELECT t.id, t.name, t.created_at, t.revoked_at FROM tokens t "
        "JOIN projects p ON p.id = t.project_id WHERE p.name = ?1 ORDER BY t.created_at, t.id",
    [ST_TOKEN_REVOKE] =
        "UPDATE tokens SET revoked_at = ?3 WHERE id = ?2 AND revoked_at IS NULL AND "
        "project_id = (SELECT id FROM projects WHERE name = ?1)",
    [ST_TOKEN_EXPORT] =
        "SELECT p.name, t.id, t.name, t.created_at, t.revoked_at, t.hash FROM tokens t "
        "JOIN projects p ON p.id = t.project_id ORDER BY t.id",
    [ST_RUN_IDS] = "SELECT id FROM runs WHERE id > ?1 ORDER BY id LIMIT ?2",
    [ST_COUNTS] =
        "SELECT (SELECT count(*) FROM projects), (SELECT count(*) FROM runs), "
        "(SELECT count(*) FROM results), "
        "(SELECT coalesce(sum(length(samples) / 8), 0) FROM results), "
        "(SELECT count(*) FROM results WHERE pruned = 1), "
        "(SELECT count(*) FROM baseline_pins), (SELECT count(*) FROM tokens)",
    [ST_PRUNE_RUNS] = "SELECT r.id " PRUNE_WHERE "ORDER BY r.created_at, r.id LIMIT ?3",
    [ST_PRUNE_COUNT] =
        "SELECT count(*), coalesce(sum(length(s.samples) / 8), 0) FROM results s "
        "WHERE s.run_id = ?1 AND s.samples IS NOT NULL",
    [ST_PRUNE_RESULTS] =
        "UPDATE results SET samples = NULL, pruned = 1 WHERE run_id = ?1 AND samples IS NOT NULL",
};

/*
 * Benchmark identities by id, for loading runs: a history of ten runs of
 * 10,000 benchmarks names each benchmark ten times, and looking it up once
 * instead of joining every result with its benchmark row takes a sixth off
 * the load. A benchmark row never changes once written, so an entry cannot
 * go stale. Open addressing, at most half full; emptied when it would hold
 * more than BENCH_CACHE_MAX, so a long-lived server connection stays small.
 */
#define BENCH_CACHE_MAX (1u << 16)

struct bench_ident {
    int64_t id;                  /* 0: an empty slot */
    char *name, *metric, *unit;
    enum bg_direction direction;
};

struct bench_cache {
    struct bench_ident *slots;
    size_t cap, used;
};

struct sqlite_store {
    struct store base;
    sqlite3 *db;
    sqlite3_stmt *stmt[ST_COUNT];
    struct bench_cache benches;
};

static struct sqlite_store *sq(struct store *st)
{
    return (struct sqlite_store *)st;
}

/* A failure of the last call on the connection: "database 'NAME': what: why".
 * A busy database is worth another try, as a lost server would be. */
static int db_fail(struct sqlite_store *st, const char *what)
{
    int code = sqlite3_errcode(st->db);

    if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
        return store_fail_unavailable(&st->base, "database '%s': %s: %s", st->base.name, what,
                                      sqlite3_errmsg(st->db));
    return store_fail(&st->base, "database '%s': %s: %s", st->base.name, what,
                      sqlite3_errmsg(st->db));
}

static int db_exec(struct sqlite_store *st, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(st->db, sql, NULL, NULL, &msg);

    if (rc != SQLITE_OK) {
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
            store_fail_unavailable(&st->base, "database '%s': %s", st->base.name,
                                   msg != NULL ? msg : "busy");
        else
            store_fail(&st->base, "database '%s': %s", st->base.name,
                       msg != NULL ? msg : "unknown error");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/* The cached statement id, reset and with bindings cleared. */
static sqlite3_stmt *stmt(struct sqlite_store *st, enum stmt_id id)
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

/* Copies a text column into a fixed buffer, cut to fit; NULL reads as "". */
static void col_copy(sqlite3_stmt *s, int i, char *buf, size_t size)
{
    const unsigned char *t = sqlite3_column_text(s, i);

    snprintf(buf, size, "%s", t != NULL ? (const char *)t : "");
}

static int user_version(struct sqlite_store *st, int *out)
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
static int migrate(struct sqlite_store *st)
{
    int have;
    char sql[64];

    if (user_version(st, &have) < 0)
        return -1;
    if (have > (int)bg_migrations_n)
        return store_fail(&st->base, "database '%s' has schema version %d, newer than this "
                          "benchgate supports (%d): upgrade benchgate",
                          st->base.name, have, (int)bg_migrations_n);
    if (have == (int)bg_migrations_n)
        return 0;
    if (db_exec(st, "BEGIN IMMEDIATE") < 0)
        return -1;
    if (user_version(st, &have) < 0) /* another process may have migrated meanwhile */
        goto rollback;
    for (int v = have; v < (int)bg_migrations_n; v++) {
        if (db_exec(st, bg_migrations[v]) < 0)
            goto rollback;
    }
    snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", (int)bg_migrations_n);
    if (db_exec(st, sql) < 0 || db_exec(st, "COMMIT") < 0)
        goto rollback;
    return 0;
rollback:
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

static int set_wal(struct sqlite_store *st, const char *path)
{
    sqlite3_stmt *s;
    int ok;

    if (sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &s, NULL) != SQLITE_OK)
        return db_fail(st, "cannot set journal mode");
    ok = sqlite3_step(s) == SQLITE_ROW;
    /* the pragma answers with the mode in force: not every file system can do WAL */
    if (ok && strcmp((const char *)sqlite3_column_text(s, 0), "wal") != 0 &&
        strcmp(path, ":memory:") != 0)
        bg_warn("database '%s': journal mode is '%s', not WAL: readers may block writers",
                st->base.name, (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return ok ? 0 : db_fail(st, "cannot set journal mode");
}

static void bench_cache_clear(struct bench_cache *c)
{
    for (size_t i = 0; i < c->cap; i++) {
        free(c->slots[i].name);
        free(c->slots[i].metric);
        free(c->slots[i].unit);
    }
    free(c->slots);
    memset(c, 0, sizeof(*c));
}

static size_t bench_slot(const struct bench_cache *c, int64_t id)
{
    size_t k = (size_t)(((uint64_t)id * UINT64_C(0x9e3779b97f4a7c15)) >> 32) & (c->cap - 1);

    while (c->slots[k].id != 0 && c->slots[k].id != id)
        k = (k + 1) & (c->cap - 1);
    return k;
}

/* The identity of benchmark id, from the cache or read into it; NULL with
 * the store's diagnostic set when it cannot be read. */
static const struct bench_ident *bench_get(struct sqlite_store *st, int64_t id)
{
    struct bench_cache *c = &st->benches;
    struct bench_ident *b;
    sqlite3_stmt *s;
    int rc;

    if (c->cap > 0 && c->slots[bench_slot(c, id)].id == id)
        return &c->slots[bench_slot(c, id)];
    if (c->used + 1 > BENCH_CACHE_MAX)
        bench_cache_clear(c);
    if ((c->used + 1) * 2 > c->cap) {
        struct bench_cache old = *c;

        c->cap = old.cap == 0 ? 1024 : old.cap * 2;
        c->slots = bg_xcalloc(c->cap, sizeof(*c->slots));
        for (size_t i = 0; i < old.cap; i++) {
            if (old.slots[i].id != 0)
                c->slots[bench_slot(c, old.slots[i].id)] = old.slots[i];
        }
        free(old.slots);
    }
    if ((s = stmt(st, ST_BENCH_GET)) == NULL)
        return NULL;
    sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        if (rc == SQLITE_DONE)
            store_fail(&st->base, "database '%s': a result names benchmark %" PRId64
                       ", which does not exist", st->base.name, id);
        else
            db_fail(st, "cannot read a benchmark");
        sqlite3_reset(s);
        return NULL;
    }
    if (sqlite3_column_type(s, 0) == SQLITE_NULL || sqlite3_column_type(s, 1) == SQLITE_NULL ||
        sqlite3_column_type(s, 2) == SQLITE_NULL) {
        sqlite3_reset(s);
        store_fail(&st->base, "database '%s': benchmark %" PRId64 " has no name", st->base.name,
                   id);
        return NULL;
    }
    b = &c->slots[bench_slot(c, id)];
    b->id = id;
    b->name = col_text(s, 0);
    b->metric = col_text(s, 1);
    b->unit = col_text(s, 2);
    b->direction = sqlite3_column_int(s, 3) == 1 ? BG_DIR_HIGHER : BG_DIR_LOWER;
    c->used++;
    sqlite3_reset(s);
    return b;
}

static int sq_close(struct store *base, struct bg_diag *d)
{
    struct sqlite_store *st = sq(base);
    int rc = 0;

    bench_cache_clear(&st->benches);
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(st->stmt[i]);
    if (sqlite3_close(st->db) != SQLITE_OK)
        rc = bg_fail(d, "database '%s': cannot close: %s", base->name, sqlite3_errmsg(st->db));
    free(base->name);
    free(st);
    return rc;
}

/* SQLite asks this every few thousand steps of a statement: a request past
 * its deadline, or a server stopping, interrupts it (core/deadline.h). */
static int past_deadline(void *unused)
{
    (void)unused;
    return bg_deadline_over();
}

static int sq_open(const char *path, const char *name, bool create, struct store **out,
                   struct bg_diag *d)
{
    struct sqlite_store *st;
    struct stat sb;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;

    if (!create && strcmp(path, ":memory:") != 0 && stat(path, &sb) < 0)
        return bg_fail(d, "cannot open database '%s': %s", name, strerror(errno));
    if (create) {
        flags |= SQLITE_OPEN_CREATE;
        /* a new database is readable by its owner only (private projects and
         * token hashes live in it); SQLite gives its -wal and -shm files the
         * database's mode. An existing file keeps the mode it has. */
        if (strcmp(path, ":memory:") != 0 && stat(path, &sb) < 0 && errno == ENOENT) {
            int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

            if (fd < 0 && errno != EEXIST)
                return bg_fail(d, "cannot open database '%s': %s", name, strerror(errno));
            if (fd >= 0)
                close(fd);
        }
    }
    st = bg_xcalloc(1, sizeof(*st));
    st->base.be = &store_backend_sqlite;
    st->base.name = bg_xstrdup(name);
    if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
        bg_fail(d, "cannot open database '%s': %s", name,
                st->db != NULL ? sqlite3_errmsg(st->db) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
    sqlite3_progress_handler(st->db, 4096, past_deadline, NULL);
    if (db_exec(st, "PRAGMA foreign_keys = ON") < 0 || set_wal(st, path) < 0 ||
        db_exec(st, "PRAGMA synchronous = FULL") < 0 || migrate(st) < 0) {
        bg_fail(d, "%s", st->base.diag.msg);
        goto fail;
    }
    *out = &st->base;
    return 0;
fail:
    sq_close(&st->base, NULL);
    return -1;
}

/*
 * Starts a write transaction. Every cached statement is reset first: one
 * left stepped keeps an old read snapshot open, and BEGIN IMMEDIATE on a
 * connection whose snapshot is stale fails at once with SQLITE_BUSY, the
 * busy timeout cannot help. A one-shot CLI never meets that; a server's
 * long-lived connections do, as soon as another one has written.
 */
static int begin_write(struct sqlite_store *st)
{
    for (int i = 0; i < ST_COUNT; i++) {
        if (st->stmt[i] != NULL)
            sqlite3_reset(st->stmt[i]);
    }
    return db_exec(st, "BEGIN IMMEDIATE");
}

/* Steps an INSERT ... RETURNING id to its one row, reads the id and resets
 * the statement: one left mid-way blocks COMMIT ("statements in progress"). */
static int step_id(struct sqlite_store *st, sqlite3_stmt *s, const char *what, int64_t *id)
{
    int rc = sqlite3_step(s);

    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(s, 0);
    else
        db_fail(st, what);
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 0 : -1;
}

static int step_done(struct sqlite_store *st, sqlite3_stmt *s, const char *what)
{
    int rc = sqlite3_step(s);

    if (rc != SQLITE_DONE)
        db_fail(st, what);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Bumps the generation and commits; on failure the caller rolls back. */
static int commit_write(struct sqlite_store *st)
{
    sqlite3_stmt *s = stmt(st, ST_GENERATION_BUMP);

    if (s == NULL || step_done(st, s, "cannot bump the generation") < 0)
        return -1;
    return db_exec(st, "COMMIT");
}

static void rollback(struct sqlite_store *st)
{
    for (int i = 0; i < ST_COUNT; i++) {
        if (st->stmt[i] != NULL)
            sqlite3_reset(st->stmt[i]);
    }
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

static int sq_generation(struct store *base, int64_t *generation)
{
    struct sqlite_store *st = sq(base);
    sqlite3_stmt *s = stmt(st, ST_GENERATION);

    return s == NULL ? -1 : step_id(st, s, "cannot read the store's generation", generation);
}

static int put_environment(struct sqlite_store *st, struct bg_env *env, int64_t *id)
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

static int put_result(struct sqlite_store *st, int64_t project_id, int64_t run_id,
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
        store_reject(&st->base, "benchmark '%s' (metric %s) is stored with unit '%s', this run "
                     "has '%s'", res->name, res->metric,
                     unit != NULL ? (const char *)unit : "", res->unit);
        sqlite3_reset(s);
        return STORE_REJECTED;
    }
    sqlite3_reset(s);

    s = stmt(st, ST_RESULT_INSERT);
    if (s == NULL)
        return -1;
    if (res->n_params > 0)
        params = store_kv_json(res->params, res->n_params);
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
        const void *blob = store_samples_le(res->samples, res->n_samples, &scratch);

        sqlite3_bind_blob64(s, 12, blob, (sqlite3_uint64)res->n_samples * 8, SQLITE_STATIC);
    }
    sqlite3_bind_int(s, 13, res->pruned && res->n_samples == 0 ? 1 : 0);
    rc = step_done(st, s, "cannot store result");
    sqlite3_reset(s); /* drop the STATIC blob pointer before scratch goes */
    free(scratch);
    cJSON_free(params);
    return rc;
}

static int sq_put_run(struct store *base, struct bg_run *run, bool keep_id)
{
    struct sqlite_store *st = sq(base);
    int64_t project_id = 0, branch_id = 0, env_id = 0, run_id, taken = 0;
    sqlite3_stmt *s;
    char *meta = NULL;
    int rc = -1;

    if (begin_write(st) < 0)
        return -1;
    if (keep_id) {
        s = stmt(st, ST_RUN_EXISTS);
        if (s == NULL)
            goto rollback;
        sqlite3_bind_int64(s, 1, run->id);
        if (step_id(st, s, "cannot look up the run", &taken) < 0)
            goto rollback;
        if (taken > 0) {
            rc = store_reject(base, "database '%s': run %" PRId64 " is there already",
                              base->name, run->id);
            goto rollback;
        }
    }
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

    s = stmt(st, keep_id ? ST_RUN_IMPORT : ST_RUN_INSERT);
    if (s == NULL)
        goto rollback;
    meta = store_kv_json(run->meta, run->n_meta);
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
    if (keep_id)
        sqlite3_bind_int64(s, 13, run->id);
    if (step_done(st, s, "cannot store run") < 0)
        goto rollback;
    run_id = sqlite3_last_insert_rowid(st->db);

    for (size_t i = 0; i < run->n_results; i++) {
        rc = put_result(st, project_id, run_id, &run->results[i]);
        if (rc < 0)
            goto rollback;
    }
    rc = -1;
    if (commit_write(st) < 0)
        goto rollback;
    cJSON_free(meta);
    run->id = run_id;
    return 0;
rollback:
    rollback(st);
    cJSON_free(meta);
    return rc;
}

/*
 * Steps s to its end and reads each row into a new element (elem bytes,
 * zeroed) of the array *out with read_row; resets s, so no read
 * transaction stays open. Returns the count (caller frees *out), or -1
 * with nothing allocated.
 */
static int read_rows(struct sqlite_store *st, sqlite3_stmt *s, const char *what, void **out,
                     size_t elem, void (*read_row)(sqlite3_stmt *s, void *row))
{
    size_t n = 0, cap = 0;
    void *rows = NULL;
    int rc;

    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        read_row(s, store_row_add(&rows, &n, &cap, elem));
    if (rc != SQLITE_DONE)
        db_fail(st, what);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        free(rows);
        *out = NULL;
        return -1;
    }
    *out = rows;
    return (int)n;
}

/* Steps a query of one int64 (or none): 1 and *v, 0, or -1. */
static int one_int(struct sqlite_store *st, sqlite3_stmt *s, const char *what, int64_t *v)
{
    int rc = sqlite3_step(s);

    if (rc == SQLITE_ROW)
        *v = sqlite3_column_int64(s, 0);
    else if (rc != SQLITE_DONE)
        db_fail(st, what);
    sqlite3_reset(s); /* end the read transaction now: an open one pins the WAL */
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : -1;
}

static int sq_latest_run(struct store *base, const char *project, const char *branch,
                         int64_t before_id, int64_t *id)
{
    struct sqlite_store *st = sq(base);
    sqlite3_stmt *s = stmt(st, before_id != 0 ? ST_LATEST_BEFORE : ST_LATEST);

    if (s == NULL)
        return -1;
    bind_text(s, 1, project);
    bind_text(s, 2, branch);
    if (before_id != 0)
        sqlite3_bind_int64(s, 3, before_id);
    return one_int(st, s, "cannot find runs", id);
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

static int sq_list_runs(struct store *base, const char *project, const char *branch,
                        const char *fingerprint, int64_t before_id, size_t max,
                        struct store_run_info **out)
{
    struct sqlite_store *st = sq(base);
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

static int sq_run_by_commit(struct store *base, const char *project, const char *sha,
                            int64_t *id)
{
    struct sqlite_store *st = sq(base);
    sqlite3_stmt *s = stmt(st, ST_RUN_BY_COMMIT);

    if (s == NULL)
        return -1;
    bind_text(s, 1, project);
    bind_text(s, 2, sha);
    return one_int(st, s, "cannot find a run by commit", id);
}

/* Runs the write statement s (the transaction begun) and commits it with
 * the generation bumped; returns the rows it changed, or -1. */
static int write_one(struct sqlite_store *st, sqlite3_stmt *s, const char *what)
{
    int changed;

    if (step_done(st, s, what) < 0)
        goto rollback;
    changed = sqlite3_changes(st->db);
    if (changed == 0) { /* nothing changed: no new generation either */
        rollback(st);
        return 0;
    }
    if (commit_write(st) < 0)
        goto rollback;
    return changed;
rollback:
    rollback(st);
    return -1;
}

static int sq_pin_set(struct store *base, const char *project, const char *branch,
                      int64_t run_id, int64_t pinned_at)
{
    struct sqlite_store *st = sq(base);
    sqlite3_stmt *s;
    int changed;

    if (begin_write(st) < 0)
        return -1;
    s = stmt(st, ST_PIN_SET);
    if (s == NULL) {
        rollback(st);
        return -1;
    }
    bind_text(s, 1, project);
    bind_text(s, 2, branch);
    sqlite3_bind_int64(s, 3, run_id);
    sqlite3_bind_int64(s, 4, pinned_at != 0 ? pinned_at : (int64_t)time(NULL));
    changed = write_one(st, s, "cannot pin the baseline");
    if (changed == 0)
        return store_reject(base, "database '%s': no run %" PRId64 " in project '%s'",
                            base->name, run_id, project);
    return changed < 0 ? -1 : 0;
}

static int sq_pin_get(struct store *base, const char *project, const char *branch,
                      int64_t *run_id, int64_t *pinned_at)
{
    struct sqlite_store *st = sq(base);
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
    } else if (rc != SQLITE_DONE) {
        db_fail(st, "cannot read the baseline pin");
    }
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : -1;
}

static int sq_pin_clear(struct store *base, const char *project, const char *branch)
{
    struct sqlite_store *st = sq(base);
    sqlite3_stmt *s;
    int changed;

    if (begin_write(st) < 0)
        return -1;
    s = stmt(st, ST_PIN_CLEAR);
    if (s == NULL) {
        rollback(st);
        return -1;
    }
    bind_text(s, 1, project);
    bind_text(s, 2, branch);
    changed = write_one(st, s, "cannot clear the baseline pin");
    return changed < 0 ? -1 : changed > 0 ? 1 : 0;
}

static void read_pin(sqlite3_stmt *s, void *row)
{
    struct store_pin *p = row;

    col_copy(s, 0, p->project, sizeof(p->project));
    col_copy(s, 1, p->branch, sizeof(p->branch));
    p->run_id = sqlite3_column_int64(s, 2);
    p->pinned_at = sqlite3_column_int64(s, 3);
}

static int sq_pin_list(struct store *base, struct store_pin **out)
{
    struct sqlite_store *st = sq(base);
    sqlite3_stmt *s = stmt(st, ST_PIN_LIST);

    *out = NULL;
    if (s == NULL)
        return -1;
    return read_rows(st, s, "cannot list the pins", (void **)out, sizeof(**out), read_pin);
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
    pt->pruned = sqlite3_column_int(s, 13) != 0;
}

static int sq_history(struct store *base, const char *project, const char *name,
                      const char *metric, const char *branch, const char *fingerprint,
                      size_t limit, struct store_point **out)
{
    struct sqlite_store *st = sq(base);
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

static int load_results(struct sqlite_store *st, int64_t id, bool samples, struct bg_run *run)
{
    sqlite3_stmt *s = stmt(st, samples ? ST_RESULTS_GET : ST_RESULTS_GET_SUMMARY);
    int rc;

    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const struct bench_ident *b = bench_get(st, sqlite3_column_int64(s, 0));
        struct bg_result *res;
        int64_t n = sqlite3_column_int64(s, 1);
        int bytes = sqlite3_column_bytes(s, 11);
        const void *blob = sqlite3_column_blob(s, 11);

        if (b == NULL) {
            sqlite3_reset(s);
            return -1;
        }
        res = bg_run_add_result(run, b->name, b->metric, b->unit, b->direction);
        res->sum.n = n > 0 ? (size_t)n : 0;
        res->sum.min = col_stat(s, 2);
        res->sum.mean = col_stat(s, 3);
        res->sum.median = col_stat(s, 4);
        res->sum.p95 = col_stat(s, 5);
        res->sum.max = col_stat(s, 6);
        res->sum.stddev = col_stat(s, 7);
        res->summary_only = sqlite3_column_int(s, 8) != 0;
        res->pruned = sqlite3_column_int(s, 10) != 0;
        if (store_kv_parse(&st->base, (const char *)sqlite3_column_text(s, 9), &res->params,
                           &res->n_params) < 0) {
            sqlite3_reset(s);
            return -1;
        }
        if (blob != NULL && (bytes % 8 != 0 || (int64_t)(bytes / 8) != n)) {
            sqlite3_reset(s);
            return store_fail(&st->base, "database '%s': result of '%s' has %d sample bytes "
                              "for n = %" PRId64, st->base.name, res->name, bytes, n);
        }
        if (blob != NULL)
            store_result_samples(&st->base, res, blob, (size_t)bytes / 8);
    }
    if (rc != SQLITE_DONE)
        db_fail(st, "cannot read results");
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int sq_load_run(struct store *base, int64_t id, bool samples, struct bg_run *run)
{
    struct sqlite_store *st = sq(base);
    sqlite3_stmt *s = stmt(st, ST_RUN_GET);
    struct bg_env *e = &run->env;
    const unsigned char *fp;
    int rc;

    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        if (rc != SQLITE_DONE)
            db_fail(st, "cannot read run");
        sqlite3_reset(s);
        return rc == SQLITE_DONE ? 0 : -1;
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
    rc = store_kv_parse(base, (const char *)sqlite3_column_text(s, 10), &run->meta,
                        &run->n_meta);
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
    if (rc < 0 || load_results(st, id, samples, run) < 0)
        return -1;
    return 1;
}

static int sq_project_exists(struct store *base, const char *project)
{
    struct sqlite_store *st = sq(base);
    sqlite3_stmt *s = stmt(st, ST_PROJECT_GET);
    int64_t id;

    if (s == NULL)
        return -1;
    bind_text(s, 1, project);
    return one_int(st, s, "cannot find the project", &id);
}

static void read_project(sqlite3_stmt *s, void *row)
{
    struct store_project *p = row;

    col_copy(s, 0, p->name, sizeof(p->name));
    p->n_runs = sqlite3_column_int64(s, 1);
    p->last_run = sqlite3_column_int64(s, 2); /* NULL (no runs) reads as 0 */
}

static int sq_list_projects(struct store *base, struct store_project **out)
{
    struct sqlite_store *st = sq(base);
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

static int sq_list_benchmarks(struct store *base, const char *project,
                              struct store_benchmark **out)
{
    struct sqlite_store *st = sq(base);
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

static int sq_list_branches(struct store *base, const char *project, struct store_branch **out)
{
    struct sqlite_store *st = sq(base);
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

static int sq_list_environments(struct store *base, const char *project,
                                struct store_environment **out)
{
    struct sqlite_store *st = sq(base);
    sqlite3_stmt *s = stmt(st, ST_ENVIRONMENTS);

    *out = NULL;
    if (s == NULL)
        return -1;
    bind_text(s, 1, project);
    return read_rows(st, s, "cannot list environments", (void **)out, sizeof(**out),
                     read_environment);
}

static int sq_token_add(struct store *base, const char *project, const char *id,
                        const unsigned char hash[STORE_TOKEN_HASH], const char *name,
                        int64_t created_at, int64_t revoked_at)
{
    struct sqlite_store *st = sq(base);
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
    sqlite3_bind_int64(s, 5, created_at != 0 ? created_at : now);
    if (revoked_at != 0)
        sqlite3_bind_int64(s, 6, revoked_at);
    if (step_done(st, s, "cannot add the token") < 0 || commit_write(st) < 0)
        goto rollback;
    return 0;
rollback:
    rollback(st);
    return -1;
}

static int sq_token_find(struct store *base, const char *id, char project[BG_NAME_MAX + 1],
                         unsigned char hash[STORE_TOKEN_HASH], bool *revoked)
{
    struct sqlite_store *st = sq(base);
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
            return store_fail(base, "database '%s': token '%s' has a damaged hash", base->name,
                              id);
        }
        memcpy(hash, h, STORE_TOKEN_HASH);
        snprintf(project, BG_NAME_MAX + 1, "%s", (const char *)sqlite3_column_text(s, 0));
        *revoked = sqlite3_column_int(s, 2) != 0;
    } else if (rc != SQLITE_DONE) {
        db_fail(st, "cannot look up the token");
    }
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : -1;
}

static void read_token(sqlite3_stmt *s, void *row)
{
    struct store_token *t = row;

    col_copy(s, 0, t->id, sizeof(t->id));
    col_copy(s, 1, t->name, sizeof(t->name));
    t->created_at = sqlite3_column_int64(s, 2);
    t->revoked_at = sqlite3_column_int64(s, 3);
}

static int sq_token_list(struct store *base, const char *project, struct store_token **out)
{
    struct sqlite_store *st = sq(base);
    sqlite3_stmt *s = stmt(st, ST_TOKEN_LIST);

    *out = NULL;
    if (s == NULL)
        return -1;
    bind_text(s, 1, project);
    return read_rows(st, s, "cannot list tokens", (void **)out, sizeof(**out), read_token);
}

static int sq_token_revoke(struct store *base, const char *project, const char *id)
{
    struct sqlite_store *st = sq(base);
    sqlite3_stmt *s;
    int changed;

    if (begin_write(st) < 0)
        return -1;
    s = stmt(st, ST_TOKEN_REVOKE);
    if (s == NULL) {
        rollback(st);
        return -1;
    }
    bind_text(s, 1, project);
    bind_text(s, 2, id);
    sqlite3_bind_int64(s, 3, (int64_t)time(NULL));
    changed = write_one(st, s, "cannot revoke the token");
    return changed < 0 ? -1 : changed > 0 ? 1 : 0;
}

static void read_token_record(sqlite3_stmt *s, void *row)
{
    struct store_token_record *t = row;
    const void *h = sqlite3_column_blob(s, 5);

    col_copy(s, 0, t->project, sizeof(t->project));
    col_copy(s, 1, t->token.id, sizeof(t->token.id));
    col_copy(s, 2, t->token.name, sizeof(t->token.name));
    t->token.created_at = sqlite3_column_int64(s, 3);
    t->token.revoked_at = sqlite3_column_int64(s, 4);
    if (h != NULL && sqlite3_column_bytes(s, 5) == STORE_TOKEN_HASH)
        memcpy(t->hash, h, STORE_TOKEN_HASH); /* the schema's CHECK makes it so */
}

static int sq_token_export(struct store *base, struct store_token_record **out)
{
    struct sqlite_store *st = sq(base);
    sqlite3_stmt *s = stmt(st, ST_TOKEN_EXPORT);

    *out = NULL;
    if (s == NULL)
        return -1;
    return read_rows(st, s, "cannot list tokens", (void **)out, sizeof(**out),
                     read_token_record);
}

static void read_id(sqlite3_stmt *s, void *row)
{
    *(int64_t *)row = sqlite3_column_int64(s, 0);
}

static int sq_run_ids(struct store *base, int64_t after, size_t max, int64_t **out)
{
    struct sqlite_store *st = sq(base);
    sqlite3_stmt *s = stmt(st, ST_RUN_IDS);

    *out = NULL;
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, after);
    sqlite3_bind_int64(s, 2, max > INT64_MAX ? INT64_MAX : (int64_t)max);
    return read_rows(st, s, "cannot list runs", (void **)out, sizeof(**out), read_id);
}

static int sq_counts(struct store *base, struct store_counts *out)
{
    struct sqlite_store *st = sq(base);
    sqlite3_stmt *s = stmt(st, ST_COUNTS);
    int64_t *slots[] = { &out->projects, &out->runs,  &out->results, &out->samples,
                         &out->pruned,   &out->pins, &out->tokens };
    int rc;

    if (s == NULL)
        return -1;
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        for (size_t i = 0; i < ARRAY_SIZE(slots); i++)
            *slots[i] = sqlite3_column_int64(s, (int)i);
    } else {
        db_fail(st, "cannot count");
    }
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 0 : -1;
}

static int sq_prune(struct store *base, const char *project, int64_t before, size_t max_runs,
                    bool dry_run, struct store_prune_stats *stats)
{
    struct sqlite_store *st = sq(base);
    struct store_prune_stats add = { 0, 0, 0 };
    int64_t *ids = NULL;
    sqlite3_stmt *s;
    int n;

    if (!dry_run && begin_write(st) < 0)
        return -1;
    s = stmt(st, ST_PRUNE_RUNS);
    if (s == NULL)
        goto fail;
    bind_text(s, 1, project);
    sqlite3_bind_int64(s, 2, before);
    sqlite3_bind_int64(s, 3, dry_run || max_runs > INT64_MAX ? INT64_MAX : (int64_t)max_runs);
    n = read_rows(st, s, "cannot find runs to prune", (void **)&ids, sizeof(*ids), read_id);
    if (n < 0)
        goto fail;
    for (int i = 0; i < n; i++) {
        s = stmt(st, ST_PRUNE_COUNT);
        if (s == NULL)
            goto fail;
        sqlite3_bind_int64(s, 1, ids[i]);
        if (sqlite3_step(s) != SQLITE_ROW) {
            db_fail(st, "cannot count samples to prune");
            goto fail;
        }
        add.results += sqlite3_column_int64(s, 0);
        add.samples += sqlite3_column_int64(s, 1);
        sqlite3_reset(s);
        if (dry_run)
            continue;
        s = stmt(st, ST_PRUNE_RESULTS);
        if (s == NULL)
            goto fail;
        sqlite3_bind_int64(s, 1, ids[i]);
        if (step_done(st, s, "cannot prune samples") < 0)
            goto fail;
    }
    if (!dry_run && n > 0 && commit_write(st) < 0)
        goto fail;
    if (!dry_run && n == 0)
        rollback(st); /* nothing to do: end the transaction without a new generation */
    free(ids);
    add.runs = n;
    stats->runs += add.runs;
    stats->results += add.results;
    stats->samples += add.samples;
    return n;
fail:
    rollback(st); /* resets every statement; without a transaction the ROLLBACK is a no-op */
    free(ids);
    return -1;
}

const struct store_backend store_backend_sqlite = {
    .engine = "sqlite",
    .n_migrations = &bg_migrations_n,
    .open = sq_open,
    .close = sq_close,
    .generation = sq_generation,
    .put_run = sq_put_run,
    .latest_run = sq_latest_run,
    .load_run = sq_load_run,
    .list_runs = sq_list_runs,
    .run_by_commit = sq_run_by_commit,
    .pin_set = sq_pin_set,
    .pin_get = sq_pin_get,
    .pin_clear = sq_pin_clear,
    .pin_list = sq_pin_list,
    .history = sq_history,
    .project_exists = sq_project_exists,
    .list_projects = sq_list_projects,
    .list_benchmarks = sq_list_benchmarks,
    .list_branches = sq_list_branches,
    .list_environments = sq_list_environments,
    .token_add = sq_token_add,
    .token_find = sq_token_find,
    .token_list = sq_token_list,
    .token_revoke = sq_token_revoke,
    .token_export = sq_token_export,
    .run_ids = sq_run_ids,
    .counts = sq_counts,
    .prune = sq_prune,
};
