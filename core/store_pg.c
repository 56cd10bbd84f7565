/*
 * store_pg.c: the PostgreSQL backend (core/store_impl.h), and the only file
 * that includes libpq-fe.h.
 *
 * One connection per store, so one per server worker thread (libpq is
 * thread-safe as long as a connection is not shared). Statements are
 * prepared on first use on each connection; every parameter is bound
 * (numbers and bytes in binary, text as text) and every result comes back
 * in binary, so no number goes through text either way. The SQL casts each
 * parameter ($1::int8) so its type never depends on inference.
 *
 * A run is one transaction, written in a handful of round trips whatever
 * its size: the benchmarks and results of a run go as arrays (unnest), in
 * batches that bound a message's size. Concurrent writers: names are
 * inserted with ON CONFLICT DO NOTHING after a lookup (so an existing name
 * costs no sequence value and takes no row lock), new benchmarks in a
 * fixed order (so two runs cannot deadlock on them), and the generation is
 * bumped on one of 16 rows chosen by the connection, right before COMMIT.
 *
 * A dropped connection (the server restarted, a failover, a network cut)
 * fails the call in progress with a message marked unavailable, which the
 * server answers with 503; nothing of a transaction survives a dropped
 * connection. The next call reconnects. A read that was not inside a
 * transaction is retried once on a fresh connection, so a restart costs
 * readers nothing once the database is back.
 */
#include "core/bg.h"
#include "core/store_impl.h"
#include "core/buf.h"

#include <cJSON.h>
#include <libpq-fe.h>
#include <limits.h>
#include <math.h>
#include <time.h>

/* generated from the files in schemas/migrations/postgres/ by tools/embed-sql.sh */
extern const char *const bg_pg_migrations[];
extern const size_t bg_pg_migrations_n;

/* Type OIDs (catalog/pg_type.h is in the server's headers, not libpq's). */
#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_TEXT 25
#define OID_FLOAT8 701

/* pg_advisory_xact_lock key for migrations: "benchgat" in ASCII */
#define MIGRATION_LOCK "7378417717236687220"

/* Results per INSERT, and sample bytes per INSERT: a message stays far
 * below PostgreSQL's 1 GB limit on a value and libpq's on a message. */
#define BATCH_RESULTS 2000
#define BATCH_BYTES (64u << 20)

/* Transactions a serialization failure or deadlock may retry. */
#define WRITE_ATTEMPTS 3

#define GENERATION_SLOTS 16

enum stmt_id {
    ST_PROJECT_GET,
    ST_PROJECT_INSERT,
    ST_BRANCH_GET,
    ST_BRANCH_INSERT,
    ST_ENV_FIND,
    ST_ENV_INSERT,
    ST_RUN_INSERT,
    ST_RUN_IMPORT,
    ST_RUN_EXISTS,
    ST_RUN_SEQUENCE,
    ST_BENCH_INSERT,
    ST_BENCH_IDS,
    ST_RESULTS_INSERT,
    ST_LATEST,
    ST_LATEST_BEFORE,
    ST_RUN_GET,
    ST_RESULTS_GET,
    ST_RESULTS_GET_SUMMARY,
    ST_LIST_RUNS,
    ST_LIST_RUNS_BEFORE,
    ST_LIST_RUNS_ANY,
    ST_RUN_BY_COMMIT,
    ST_PIN_SET,
    ST_PIN_GET,
    ST_PIN_CLEAR,
    ST_PIN_LIST,
    ST_HISTORY,
    ST_GENERATION,
    ST_GENERATION_BUMP,
    ST_PROJECTS,
    ST_BENCHMARKS,
    ST_BRANCHES,
    ST_ENVIRONMENTS,
    ST_TOKEN_ADD,
    ST_TOKEN_FIND,
    ST_TOKEN_LIST,
    ST_TOKEN_REVOKE,
    ST_TOKEN_EXPORT,
    ST_RUN_IDS,
    ST_COUNTS,
    ST_PRUNE_RUNS,
    ST_PRUNE_COUNT,
    ST_PRUNE_RESULTS,
    ST_COUNT
};

struct stmt_def {
    const char *sql;
    bool read; /* reads only: safe to retry on a new connection */
};

#define RUN_INFO_COLUMNS \
    "SELECT r.id, r.created_at, r.commit_sha, e.fingerprint, b.name, r.tool, " \
    "(SELECT count(*) FROM results s WHERE s.run_id = r.id) FROM runs r " \
    "JOIN projects p ON p.id = r.project_id JOIN branches b ON b.id = r.branch_id " \
    "JOIN environments e ON e.id = r.environment_id "

#define RESULT_COLUMNS \
    "SELECT k.name, k.metric, k.unit, k.direction, s.n, s.min, s.mean, s.median, s.p95, " \
    "s.max, s.stddev, s.summary_only, s.params, s.pruned, "

#define PRUNE_WHERE \
    "FROM runs r WHERE r.created_at < $2::int8 " \
    "AND ($1::text IS NULL OR r.project_id = (SELECT id FROM projects WHERE name = $1::text)) " \
    "AND EXISTS (SELECT 1 FROM results s WHERE s.run_id = r.id AND s.samples IS NOT NULL) " \
    "AND NOT EXISTS (SELECT 1 FROM baseline_pins n WHERE n.run_id = r.id) "

static const struct stmt_def stmts[ST_COUNT] = {
    [ST_PROJECT_GET] = { "SELECT id FROM projects WHERE name = $1::text", true },
    [ST_PROJECT_INSERT] = { "INSERT INTO projects (name, created_at) VALUES ($1::text, $2::int8) "
                            "ON CONFLICT (name) DO NOTHING RETURNING id", false },
    [ST_BRANCH_GET] = { "SELECT id FROM branches WHERE project_id = $1::int8 AND name = $2::text",
                        true },
    [ST_BRANCH_INSERT] = { "INSERT INTO branches (project_id, name) VALUES ($1::int8, $2::text) "
                           "ON CONFLICT (project_id, name) DO NOTHING RETURNING id", false },
    [ST_ENV_FIND] = { "SELECT id FROM environments WHERE fingerprint = $1::text "
                      "AND compiler IS NOT DISTINCT FROM $2::text", true },
    [ST_ENV_INSERT] = {
        "INSERT INTO environments (fingerprint, compiler, os, kernel, arch, cpu_model, cores, "
        "memory_bytes, runner) VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, "
        "$6::text, $7::int8, $8::int8, $9::text) ON CONFLICT DO NOTHING RETURNING id", false },
    [ST_RUN_INSERT] = {
        "INSERT INTO runs (project_id, branch_id, environment_id, commit_sha, created_at, tool, "
        "ci_provider, ci_repository, ci_run_id, ci_run_url, ci_event, meta) VALUES ($1::int8, "
        "$2::int8, $3::int8, $4::text, $5::int8, $6::text, $7::text, $8::text, $9::text, "
        "$10::text, $11::text, $12::text) RETURNING id", false },
    [ST_RUN_IMPORT] = {
        "INSERT INTO runs (project_id, branch_id, environment_id, commit_sha, created_at, tool, "
        "ci_provider, ci_repository, ci_run_id, ci_run_url, ci_event, meta, id) VALUES ($1::int8, "
        "$2::int8, $3::int8, $4::text, $5::int8, $6::text, $7::text, $8::text, $9::text, "
        "$10::text, $11::text, $12::text, $13::int8) RETURNING id", false },
    [ST_RUN_EXISTS] = { "SELECT count(*) FROM runs WHERE id = $1::int8", true },
    /* after an import, new runs must number past it */
    [ST_RUN_SEQUENCE] = { "SELECT setval('runs_id_seq', $1::int8) FROM runs_id_seq "
                          "WHERE last_value < $1::int8", false },
    /* the missing ones only (an existing benchmark costs no sequence value),
     * in one order for every writer, so two new runs cannot deadlock */
    [ST_BENCH_INSERT] = {
        "INSERT INTO benchmarks (project_id, name, metric, unit, direction) "
        "SELECT $1::int8, u.name, u.metric, u.unit, u.dir "
        "FROM unnest($2::text[], $3::text[], $4::text[], $5::int2[]) AS u(name, metric, unit, dir) "
        "WHERE NOT EXISTS (SELECT 1 FROM benchmarks b WHERE b.project_id = $1::int8 "
        "AND b.name = u.name AND b.metric = u.metric) "
        "ORDER BY u.name COLLATE \"C\", u.metric COLLATE \"C\" "
        "ON CONFLICT (project_id, name, metric) DO NOTHING", false },
    [ST_BENCH_IDS] = {
        "SELECT b.id, b.unit FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS u(name, "
        "metric, i) JOIN benchmarks b ON b.project_id = $1::int8 AND b.name = u.name "
        "AND b.metric = u.metric ORDER BY u.i", false },
    [ST_RESULTS_INSERT] = {
        "INSERT INTO results (run_id, benchmark_id, n, min, mean, median, p95, max, stddev, "
        "summary_only, params, samples, pruned) "
        "SELECT $1::int8, u.k, u.n, u.lo, u.mean, u.med, u.p95, u.hi, u.sd, u.so, u.params, "
        "u.samples, u.pr FROM unnest($2::int8[], $3::int8[], $4::float8[], $5::float8[], "
        "$6::float8[], $7::float8[], $8::float8[], $9::float8[], $10::int2[], $11::text[], "
        "$12::bytea[], $13::int2[]) WITH ORDINALITY AS u(k, n, lo, mean, med, p95, hi, sd, so, "
        "params, samples, pr, i) ORDER BY u.i", false },
    [ST_LATEST] = {
        "SELECT r.id FROM runs r JOIN projects p ON p.id = r.project_id "
        "JOIN branches b ON b.id = r.branch_id WHERE p.name = $1::text AND b.name = $2::text "
        "ORDER BY r.created_at DESC, r.id DESC LIMIT 1", true },
    [ST_LATEST_BEFORE] = {
        "SELECT r.id FROM runs r JOIN projects p ON p.id = r.project_id "
        "JOIN branches b ON b.id = r.branch_id JOIN runs x ON x.id = $3::int8 "
        "WHERE p.name = $1::text AND b.name = $2::text "
        "AND (r.created_at, r.id) < (x.created_at, x.id) "
        "ORDER BY r.created_at DESC, r.id DESC LIMIT 1", true },
    [ST_RUN_GET] = {
        "SELECT p.name, b.name, r.commit_sha, r.created_at, r.tool, r.ci_provider, "
        "r.ci_repository, r.ci_run_id, r.ci_run_url, r.ci_event, r.meta, e.fingerprint, e.os, "
        "e.kernel, e.arch, e.cpu_model, e.cores, e.memory_bytes, e.compiler, e.runner "
        "FROM runs r JOIN projects p ON p.id = r.project_id "
        "JOIN branches b ON b.id = r.branch_id JOIN environments e ON e.id = r.environment_id "
        "WHERE r.id = $1::int8", true },
    [ST_RESULTS_GET] = { RESULT_COLUMNS "s.samples FROM results s "
                         "JOIN benchmarks k ON k.id = s.benchmark_id "
                         "WHERE s.run_id = $1::int8 ORDER BY s.id", true },
    [ST_RESULTS_GET_SUMMARY] = { RESULT_COLUMNS "NULL::bytea FROM results s "
                                 "JOIN benchmarks k ON k.id = s.benchmark_id "
                                 "WHERE s.run_id = $1::int8 ORDER BY s.id", true },
    [ST_LIST_RUNS] = { RUN_INFO_COLUMNS "WHERE p.name = $1::text AND b.name = $2::text "
                       "ORDER BY r.created_at DESC, r.id DESC LIMIT $3::int8", true },
    [ST_LIST_RUNS_BEFORE] = {
        RUN_INFO_COLUMNS "JOIN runs x ON x.id = $3::int8 "
        "WHERE p.name = $1::text AND b.name = $2::text "
        "AND (r.created_at, r.id) < (x.created_at, x.id) "
        "ORDER BY r.created_at DESC, r.id DESC LIMIT $4::int8", true },
    [ST_LIST_RUNS_ANY] = {
        RUN_INFO_COLUMNS "WHERE p.name = $1::text AND ($2::text IS NULL OR b.name = $2::text) "
        "AND ($3::text IS NULL OR e.fingerprint = $3::text) "
        "ORDER BY r.created_at DESC, r.id DESC LIMIT $4::int8", true },
    /* substr, not LIKE: a prefix match that no character of the input can widen */
    [ST_RUN_BY_COMMIT] = {
        "SELECT r.id FROM runs r JOIN projects p ON p.id = r.project_id "
        "WHERE p.name = $1::text AND substr(r.commit_sha, 1, length($2::text)) = $2::text "
        "ORDER BY r.created_at DESC, r.id DESC LIMIT 1", true },
    [ST_PIN_SET] = {
        "INSERT INTO baseline_pins (project_id, branch, run_id, pinned_at) "
        "SELECT r.project_id, $2::text, r.id, $4::int8 FROM runs r "
        "JOIN projects p ON p.id = r.project_id WHERE p.name = $1::text AND r.id = $3::int8 "
        "ON CONFLICT (project_id, branch) "
        "DO UPDATE SET run_id = excluded.run_id, pinned_at = excluded.pinned_at", false },
    [ST_PIN_GET] = {
        "SELECT n.run_id, n.pinned_at FROM baseline_pins n JOIN projects p ON p.id = n.project_id "
        "WHERE p.name = $1::text AND n.branch = $2::text", true },
    [ST_PIN_CLEAR] = { "DELETE FROM baseline_pins WHERE branch = $2::text AND project_id = "
                       "(SELECT id FROM projects WHERE name = $1::text)", false },
    [ST_PIN_LIST] = { "SELECT p.name, n.branch, n.run_id, n.pinned_at FROM baseline_pins n "
                      "JOIN projects p ON p.id = n.project_id ORDER BY p.name, n.branch", true },
    [ST_HISTORY] = {
        "SELECT * FROM (SELECT r.id, r.created_at, r.commit_sha, b.name, s.n, s.p95, s.median, "
        "s.mean, s.min, s.max, s.summary_only, k.unit, e.fingerprint, s.pruned FROM results s "
        "JOIN benchmarks k ON k.id = s.benchmark_id JOIN runs r ON r.id = s.run_id "
        "JOIN branches b ON b.id = r.branch_id JOIN projects p ON p.id = k.project_id "
        "JOIN environments e ON e.id = r.environment_id "
        "WHERE p.name = $1::text AND k.name = $2::text AND k.metric = $3::text "
        "AND ($4::text IS NULL OR b.name = $4::text) "
        "AND ($6::text IS NULL OR e.fingerprint = $6::text) "
        "ORDER BY r.created_at DESC, r.id DESC LIMIT $5::int8) AS h ORDER BY 2, 1", true },
    [ST_GENERATION] = { "SELECT sum(n)::int8 FROM generation", true },
    [ST_GENERATION_BUMP] = { "UPDATE generation SET n = n + 1 WHERE slot = $1::int4", false },
    [ST_PROJECTS] = {
        "SELECT p.name, count(r.id), max(r.created_at) FROM projects p "
        "LEFT JOIN runs r ON r.project_id = p.id GROUP BY p.id ORDER BY p.name", true },
    [ST_BENCHMARKS] = {
        "SELECT k.name, k.metric, k.unit, k.direction, count(s.id) FROM benchmarks k "
        "JOIN projects p ON p.id = k.project_id LEFT JOIN results s ON s.benchmark_id = k.id "
        "WHERE p.name = $1::text GROUP BY k.id ORDER BY k.name, k.metric", true },
    [ST_BRANCHES] = {
        "SELECT b.name, count(r.id), max(r.created_at) FROM branches b "
        "JOIN projects p ON p.id = b.project_id JOIN runs r ON r.branch_id = b.id "
        "WHERE p.name = $1::text GROUP BY b.id ORDER BY 3 DESC, 1", true },
    /* each machine described by its newest run, as SQLite's max() rule does */
    [ST_ENVIRONMENTS] = {
        "SELECT fingerprint, cpu_model, cores, os, arch, n, last FROM ("
        "SELECT DISTINCT ON (e.fingerprint) e.fingerprint, e.cpu_model, e.cores, e.os, e.arch, "
        "count(*) OVER (PARTITION BY e.fingerprint) AS n, "
        "max(r.created_at) OVER (PARTITION BY e.fingerprint) AS last "
        "FROM runs r JOIN projects p ON p.id = r.project_id "
        "JOIN environments e ON e.id = r.environment_id WHERE p.name = $1::text "
        "ORDER BY e.fingerprint, r.created_at DESC, r.id DESC) AS m "
        "ORDER BY last DESC, fingerprint", true },
    [ST_TOKEN_ADD] = {
        "INSERT INTO tokens (id, project_id, hash, name, created_at, revoked_at) "
        "VALUES ($1::text, $2::int8, $3::bytea, $4::text, $5::int8, $6::int8)", false },
    [ST_TOKEN_FIND] = { "SELECT p.name, t.hash, t.revoked_at IS NOT NULL FROM tokens t "
                        "JOIN projects p ON p.id = t.project_id WHERE t.id = $1::text", true },
    [ST_TOKEN_LIST] = {
        "SELECT t.id, t.name, t.created_at, t.revoked_at FROM tokens t "
        "JOIN projects p ON p.id = t.project_id WHERE p.name = $1::text "
        "ORDER BY t.created_at, t.id", true },
    [ST_TOKEN_REVOKE] = {
        "UPDATE tokens SET revoked_at = $3::int8 WHERE id = $2::text AND revoked_at IS NULL "
        "AND project_id = (SELECT id FROM projects WHERE name = $1::text)", false },
    [ST_TOKEN_EXPORT] = {
        "SELECT p.name, t.id, t.name, t.created_at, t.revoked_at, t.hash FROM tokens t "
        "JOIN projects p ON p.id = t.project_id ORDER BY t.id", true },
    [ST_RUN_IDS] = { "SELECT id FROM runs WHERE id > $1::int8 ORDER BY id LIMIT $2::int8", true },
    [ST_COUNTS] = {
        "SELECT (SELECT count(*) FROM projects), (SELECT count(*) FROM runs), "
        "(SELECT count(*) FROM results), "
        "(SELECT coalesce(sum(length(samples) / 8), 0)::int8 FROM results), "
        "(SELECT count(*) FROM results WHERE pruned = 1), "
        "(SELECT count(*) FROM baseline_pins), (SELECT count(*) FROM tokens)", true },
    [ST_PRUNE_RUNS] = { "SELECT r.id " PRUNE_WHERE "ORDER BY r.created_at, r.id LIMIT $3::int8",
                        true },
    [ST_PRUNE_COUNT] = {
        "SELECT count(*), coalesce(sum(length(s.samples) / 8), 0)::int8 FROM results s "
        "WHERE s.run_id = $1::int8 AND s.samples IS NOT NULL", true },
    [ST_PRUNE_RESULTS] = { "UPDATE results SET samples = NULL, pruned = 1 "
                           "WHERE run_id = $1::int8 AND samples IS NOT NULL", false },
};

struct pg_store {
    struct store base;
    PGconn *conn;
    bool prepared[ST_COUNT]; /* on this connection */
    bool in_txn;
    int slot;                /* this connection's generation row */
};

static struct pg_store *pq(struct store *st)
{
    return (struct pg_store *)st;
}

/* ---- parameters: bound, never formatted into SQL ---- */

#define MAX_PARAMS 16

struct params {
    int n;
    const char *v[MAX_PARAMS];
    int len[MAX_PARAMS];
    int fmt[MAX_PARAMS];
    unsigned char num[MAX_PARAMS][8];
};

static void put_be(unsigned char *out, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        out[i] = (unsigned char)(v >> (8 * (bytes - 1 - i)));
}

static uint64_t get_be(const unsigned char *in, int bytes)
{
    uint64_t v = 0;

    for (int i = 0; i < bytes; i++)
        v = v << 8 | in[i];
    return v;
}

static void p_null(struct params *p)
{
    p->v[p->n] = NULL;
    p->len[p->n] = 0;
    p->fmt[p->n++] = 0;
}

static void p_text(struct params *p, const char *s)
{
    p->v[p->n] = s; /* NULL: SQL NULL */
    p->len[p->n] = 0;
    p->fmt[p->n++] = 0;
}

static void p_int(struct params *p, int64_t v)
{
    put_be(p->num[p->n], (uint64_t)v, 8);
    p->v[p->n] = (const char *)p->num[p->n];
    p->len[p->n] = 8;
    p->fmt[p->n++] = 1;
}

static void p_int4(struct params *p, int32_t v)
{
    put_be(p->num[p->n], (uint32_t)v, 4);
    p->v[p->n] = (const char *)p->num[p->n];
    p->len[p->n] = 4;
    p->fmt[p->n++] = 1;
}

static void p_bytes(struct params *p, const void *b, size_t n)
{
    p->v[p->n] = b;
    p->len[p->n] = (int)n; /* callers keep n far below INT_MAX (BATCH_BYTES) */
    p->fmt[p->n++] = 1;
}

/* ---- one-dimensional arrays in PostgreSQL's binary format ---- */

struct pg_array {
    struct bg_buf b;
    uint32_t n;
    bool nulls;
};

static void arr_u32(struct pg_array *a, uint32_t v)
{
    unsigned char be[4];

    put_be(be, v, 4);
    bg_buf_add(&a->b, be, 4);
}

/* Header: dimensions, has-nulls flag, element type, length, lower bound. */
static void arr_init(struct pg_array *a, uint32_t oid)
{
    a->b = (struct bg_buf)BG_BUF_INIT;
    a->n = 0;
    a->nulls = false;
    arr_u32(a, 1);
    arr_u32(a, 0);
    arr_u32(a, oid);
    arr_u32(a, 0);
    arr_u32(a, 1);
}

static void arr_add(struct pg_array *a, const void *v, size_t len)
{
    arr_u32(a, (uint32_t)len);
    bg_buf_add(&a->b, v, len);
    a->n++;
}

static void arr_null(struct pg_array *a)
{
    arr_u32(a, UINT32_MAX); /* length -1 */
    a->nulls = true;
    a->n++;
}

static void arr_text(struct pg_array *a, const char *s)
{
    if (s == NULL)
        arr_null(a);
    else
        arr_add(a, s, strlen(s));
}

static void arr_int(struct pg_array *a, int64_t v, int bytes)
{
    unsigned char be[8];

    put_be(be, (uint64_t)v, bytes);
    arr_add(a, be, (size_t)bytes);
}

static void arr_float(struct pg_array *a, double v)
{
    uint64_t u;
    unsigned char be[8];

    if (isnan(v)) { /* a statistic a summary-only harness did not give */
        arr_null(a);
        return;
    }
    memcpy(&u, &v, 8);
    put_be(be, u, 8);
    arr_add(a, be, 8);
}

/* Fills in the count and the has-nulls flag; the array is ready to bind. */
static void arr_finish(struct pg_array *a)
{
    put_be((unsigned char *)a->b.data + 4, a->nulls ? 1 : 0, 4);
    put_be((unsigned char *)a->b.data + 12, a->n, 4);
}

/* ---- columns of binary results ---- */

static int64_t c_int(const PGresult *r, int row, int col)
{
    const unsigned char *v = (const unsigned char *)PQgetvalue(r, row, col);

    if (PQgetisnull(r, row, col))
        return 0;
    switch (PQftype(r, col)) {
    case OID_INT8:
        return (int64_t)get_be(v, 8);
    case OID_INT4:
        return (int32_t)(uint32_t)get_be(v, 4);
    case OID_INT2:
        return (int16_t)(uint16_t)get_be(v, 2);
    case OID_BOOL:
        return v[0] != 0;
    default:
        bg_die("store_pg: column %d is not an integer (type %u)", col,
               (unsigned)PQftype(r, col));
    }
}

static double c_float(const PGresult *r, int row, int col)
{
    uint64_t u;
    double d;

    if (PQgetisnull(r, row, col))
        return NAN;
    if (PQftype(r, col) != OID_FLOAT8)
        bg_die("store_pg: column %d is not a float8 (type %u)", col, (unsigned)PQftype(r, col));
    u = get_be((const unsigned char *)PQgetvalue(r, row, col), 8);
    memcpy(&d, &u, 8);
    return d;
}

/* Text comes back NUL-terminated in binary results too; NULL is NULL. */
static const char *c_str(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static char *c_text(const PGresult *r, int row, int col)
{
    const char *s = c_str(r, row, col);

    return s != NULL ? bg_xstrdup(s) : NULL;
}

static void c_copy(const PGresult *r, int row, int col, char *buf, size_t size)
{
    const char *s = c_str(r, row, col);

    snprintf(buf, size, "%s", s != NULL ? s : "");
}

/* ---- the connection ---- */

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* NOTICEs such as "relation already exists, skipping" */
}

/* The first line of libpq's message, without its "ERROR:  " or "FATAL:  ". */
static void first_line(const char *msg, char *out, size_t size)
{
    const char *m = msg != NULL ? msg : "";

    if (strncmp(m, "ERROR:  ", 8) == 0 || strncmp(m, "FATAL:  ", 8) == 0)
        m += 8;
    snprintf(out, size, "%.*s", (int)strcspn(m, "\n"), m);
    if (out[0] == '\0')
        snprintf(out, size, "unknown error");
}

static bool conn_lost(const struct pg_store *st)
{
    return PQstatus(st->conn) == CONNECTION_BAD;
}

/* Records the failure of r (or of the connection, r NULL) for `what`. */
static int fail(struct pg_store *st, const PGresult *r, const char *what)
{
    const char *state = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = r != NULL ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    char line[512];
    bool lost = conn_lost(st);

    first_line(msg != NULL ? msg : PQerrorMessage(st->conn), line, sizeof(line));
    /* connection exceptions, shutdowns, too many connections, and the two
     * outcomes of concurrency that a retry resolves */
    if (lost || (state != NULL && (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0 ||
                                   strcmp(state, "53300") == 0 || strcmp(state, "40001") == 0 ||
                                   strcmp(state, "40P01") == 0)))
        return store_fail_unavailable(&st->base, "database '%s': %s: %s%s", st->base.name, what,
                                      line, lost ? " (the connection was lost)" : "");
    return store_fail(&st->base, "database '%s': %s: %s", st->base.name, what, line);
}

static void forget_prepared(struct pg_store *st)
{
    memset(st->prepared, 0, sizeof(st->prepared));
    st->slot = (int)((unsigned)PQbackendPID(st->conn) % GENERATION_SLOTS);
}

/* A new connection in place of a lost one. */
static int reconnect(struct pg_store *st)
{
    char line[512];

    PQreset(st->conn);
    if (PQstatus(st->conn) != CONNECTION_OK) {
        first_line(PQerrorMessage(st->conn), line, sizeof(line));
        return store_fail_unavailable(&st->base, "database '%s': cannot connect: %s",
                                      st->base.name, line);
    }
    forget_prepared(st);
    return 0;
}

static bool result_ok(const PGresult *r)
{
    ExecStatusType s = PQresultStatus(r);

    return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

/* Runs a statement without parameters (BEGIN, COMMIT, a migration). */
static int simple(struct pg_store *st, const char *sql, const char *what)
{
    PGresult *r = PQexec(st->conn, sql);
    int rc = result_ok(r) ? 0 : fail(st, r, what);

    PQclear(r);
    return rc;
}

static int prepare(struct pg_store *st, enum stmt_id id)
{
    char name[16];
    PGresult *r;
    int rc;

    snprintf(name, sizeof(name), "bg%d", (int)id);
    r = PQprepare(st->conn, name, stmts[id].sql, 0, NULL);
    rc = result_ok(r) ? 0 : fail(st, r, "cannot prepare a statement");
    PQclear(r);
    if (rc == 0)
        st->prepared[id] = true;
    return rc;
}

/*
 * Runs prepared statement id with p, results in binary. Returns the result
 * (caller clears) or NULL with the failure recorded. A read outside a
 * transaction that loses its connection is tried once more on a new one.
 */
static PGresult *exec(struct pg_store *st, enum stmt_id id, const struct params *p,
                      const char *what)
{
    static const struct params none = { .n = 0 };
    char name[16];

    if (p == NULL)
        p = &none;
    snprintf(name, sizeof(name), "bg%d", (int)id);
    for (int attempt = 0;; attempt++) {
        PGresult *r = NULL;
        bool retry = attempt == 0 && !st->in_txn && stmts[id].read;

        if (!st->in_txn && conn_lost(st) && reconnect(st) < 0)
            return NULL;
        if (st->prepared[id] || prepare(st, id) == 0) {
            r = PQexecPrepared(st->conn, name, p->n, p->v, p->len, p->fmt, 1);
            if (result_ok(r))
                return r;
        }
        if (retry && conn_lost(st)) {
            PQclear(r);
            continue;
        }
        if (r != NULL)
            fail(st, r, what);
        PQclear(r);
        return NULL;
    }
}

/* Runs a statement for its effect; returns the rows it changed, or -1. */
static int64_t exec_change(struct pg_store *st, enum stmt_id id, const struct params *p,
                           const char *what)
{
    PGresult *r = exec(st, id, p, what);
    int64_t n;

    if (r == NULL)
        return -1;
    n = strtoll(PQcmdTuples(r), NULL, 10); /* libpq's own digits, or "" */
    PQclear(r);
    return n;
}

/* A query of at most one row of one integer: 1 and *v, 0 (no row), or -1. */
static int exec_int(struct pg_store *st, enum stmt_id id, const struct params *p,
                    const char *what, int64_t *v)
{
    PGresult *r = exec(st, id, p, what);
    int found;

    if (r == NULL)
        return -1;
    found = PQntuples(r) > 0;
    if (found)
        *v = c_int(r, 0, 0);
    PQclear(r);
    return found;
}

/*
 * Runs query id and reads each row into a new zeroed element (elem bytes)
 * of *out. Returns the count (caller frees *out), or -1 with *out NULL.
 */
static int exec_rows(struct pg_store *st, enum stmt_id id, const struct params *p,
                     const char *what, void **out, size_t elem,
                     void (*read_row)(const PGresult *r, int row, void *dst))
{
    PGresult *r = exec(st, id, p, what);
    size_t n = 0, cap = 0;
    void *rows = NULL;

    *out = NULL;
    if (r == NULL)
        return -1;
    for (int i = 0; i < PQntuples(r); i++)
        read_row(r, i, store_row_add(&rows, &n, &cap, elem));
    PQclear(r);
    *out = rows;
    return (int)n;
}

static int begin(struct pg_store *st)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        if (conn_lost(st) && reconnect(st) < 0)
            return -1;
        if (simple(st, "BEGIN", "cannot begin a transaction") == 0) {
            st->in_txn = true;
            return 0;
        }
        if (!conn_lost(st))
            return -1;
    }
    return -1;
}

static void rollback(struct pg_store *st)
{
    st->in_txn = false;
    if (!conn_lost(st) && PQtransactionStatus(st->conn) != PQTRANS_IDLE)
        PQclear(PQexec(st->conn, "ROLLBACK"));
}

/* Bumps this connection's generation row and commits. */
static int commit(struct pg_store *st)
{
    struct params p = { .n = 0 };
    PGresult *r;
    int rc;

    int64_t bumped;

    p_int4(&p, st->slot);
    bumped = exec_change(st, ST_GENERATION_BUMP, &p, "cannot bump the generation");
    if (bumped < 0)
        return -1;
    if (bumped != 1)
        return store_fail(&st->base, "database '%s': its generation row %d is missing",
                          st->base.name, st->slot);
    r = PQexec(st->conn, "COMMIT");
    /* a COMMIT that ends a failed transaction says ROLLBACK */
    if (result_ok(r) && strcmp(PQcmdStatus(r), "COMMIT") == 0) {
        rc = 0;
    } else if (result_ok(r)) {
        rc = store_fail(&st->base, "database '%s': the transaction was rolled back",
                        st->base.name);
    } else {
        rc = fail(st, r, conn_lost(st) ? "the connection was lost while committing, so the "
                  "change may or may not be stored" : "cannot commit");
    }
    PQclear(r);
    if (rc == 0)
        st->in_txn = false;
    return rc;
}

/* ---- open, migrate, close ---- */

static int schema_version(struct pg_store *st, bool *exists, int *version)
{
    PGresult *r = PQexec(st->conn, "SELECT to_regclass('schema_migrations') IS NOT NULL");
    int rc = 0;

    *version = 0;
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        rc = fail(st, r, "cannot read the schema version");
        PQclear(r);
        return rc;
    }
    *exists = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    if (!*exists)
        return 0;
    r = PQexec(st->conn, "SELECT coalesce(max(version), 0) FROM schema_migrations");
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        *version = (int)strtol(PQgetvalue(r, 0, 0), NULL, 10);
    else
        rc = fail(st, r, "cannot read the schema version");
    PQclear(r);
    return rc;
}

/*
 * Applies the pending migrations in one transaction under an advisory
 * lock: of several servers starting at once, one migrates and the others
 * wait, then find nothing left to do. DDL is transactional in PostgreSQL,
 * so a crash leaves the schema all old or all new.
 */
static int migrate(struct pg_store *st, bool create)
{
    int want = (int)bg_pg_migrations_n, have;
    bool exists;
    char v[32];

    if (schema_version(st, &exists, &have) < 0)
        return -1;
    if (!exists && !create)
        return store_fail(&st->base, "database '%s' has no benchgate store yet (benchgate "
                          "collect or serve creates one)", st->base.name);
    if (have > want)
        return store_fail(&st->base, "database '%s' has schema version %d, newer than this "
                          "benchgate supports (%d): upgrade benchgate",
                          st->base.name, have, want);
    if (have == want)
        return 0;
    if (simple(st, "BEGIN", "cannot begin the migration") < 0)
        return -1;
    if (simple(st, "SELECT pg_advisory_xact_lock(" MIGRATION_LOCK ")",
               "cannot take the migration lock") < 0 ||
        simple(st, "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, "
               "applied_at bigint NOT NULL)", "cannot create the schema version table") < 0 ||
        schema_version(st, &exists, &have) < 0) /* someone may have migrated meanwhile */
        goto rollback;
    for (int i = have; i < want; i++) {
        struct params p = { .n = 0 };
        PGresult *r;

        snprintf(v, sizeof(v), "%d", i + 1);
        if (simple(st, bg_pg_migrations[i], "cannot migrate the schema") < 0)
            goto rollback;
        p_text(&p, v);
        p_int(&p, (int64_t)time(NULL));
        r = PQexecParams(st->conn, "INSERT INTO schema_migrations (version, applied_at) "
                         "VALUES ($1::int4, $2::int8)", p.n, NULL, p.v, p.len, p.fmt, 0);
        if (!result_ok(r)) {
            fail(st, r, "cannot record the schema version");
            PQclear(r);
            goto rollback;
        }
        PQclear(r);
    }
    if (simple(st, "COMMIT", "cannot commit the migration") == 0)
        return 0;
rollback:
    rollback(st);
    return -1;
}

static int pg_close(struct store *base, struct bg_diag *d)
{
    struct pg_store *st = pq(base);

    (void)d; /* PQfinish cannot fail */
    PQfinish(st->conn);
    free(base->name);
    free(st);
    return 0;
}

static int pg_open(const char *uri, const char *name, bool create, struct store **out,
                   struct bg_diag *d)
{
    /* the URI's own settings override the defaults before it; the encoding is ours */
    const char *const keys[] = { "connect_timeout", "fallback_application_name", "dbname",
                                 "client_encoding", NULL };
    const char *const values[] = { "10", "benchgate", uri, "UTF8", NULL };
    struct pg_store *st = bg_xcalloc(1, sizeof(*st));
    char line[512];

    st->base.be = &store_backend_pg;
    st->base.name = bg_xstrdup(name);
    st->conn = PQconnectdbParams(keys, values, 1);
    if (st->conn == NULL)
        bg_die("out of memory");
    if (PQstatus(st->conn) != CONNECTION_OK) {
        first_line(PQerrorMessage(st->conn), line, sizeof(line));
        bg_fail(d, "cannot connect to database '%s': %s", name, line);
        pg_close(&st->base, NULL);
        return -1;
    }
    PQsetNoticeProcessor(st->conn, quiet, NULL);
    forget_prepared(st);
    if (migrate(st, create) < 0) {
        bg_fail(d, "%s", st->base.diag.msg);
        pg_close(&st->base, NULL);
        return -1;
    }
    *out = &st->base;
    return 0;
}

/* ---- writing a run ---- */

/* The id of a name row: looked up, else inserted (a concurrent insert of
 * the same name makes ours do nothing, and the second lookup finds it). */
static int get_or_add(struct pg_store *st, enum stmt_id get, enum stmt_id add,
                      const struct params *pg, const struct params *pa, const char *what,
                      int64_t *id)
{
    int rc = exec_int(st, get, pg, what, id);

    if (rc != 0)
        return rc < 0 ? -1 : 0;
    rc = exec_int(st, add, pa, what, id);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    rc = exec_int(st, get, pg, what, id);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    return store_fail(&st->base, "database '%s': %s: it vanished", st->base.name, what);
}

static int put_environment(struct pg_store *st, struct bg_env *env, int64_t *id)
{
    struct params find = { .n = 0 }, add = { .n = 0 };

    bg_env_fingerprint(env);
    p_text(&find, env->fingerprint);
    p_text(&find, env->compiler);
    p_text(&add, env->fingerprint);
    p_text(&add, env->compiler);
    p_text(&add, env->os);
    p_text(&add, env->kernel);
    p_text(&add, env->arch);
    p_text(&add, env->cpu_model);
    p_int(&add, env->cores);
    p_int(&add, env->memory_bytes);
    p_text(&add, env->runner);
    return get_or_add(st, ST_ENV_FIND, ST_ENV_INSERT, &find, &add, "cannot store environment",
                      id);
}

/* The benchmark ids of results [from, to), inserting the new ones; checks
 * each stored unit against the result's. */
static int put_benchmarks(struct pg_store *st, int64_t project_id, const struct bg_run *run,
                          size_t from, size_t to, int64_t *ids)
{
    struct pg_array names, metrics, units, dirs;
    struct params p = { .n = 0 };
    PGresult *r = NULL;
    int rc = -1;

    arr_init(&names, OID_TEXT);
    arr_init(&metrics, OID_TEXT);
    arr_init(&units, OID_TEXT);
    arr_init(&dirs, OID_INT2);
    for (size_t i = from; i < to; i++) {
        arr_text(&names, run->results[i].name);
        arr_text(&metrics, run->results[i].metric);
        arr_text(&units, run->results[i].unit);
        arr_int(&dirs, (int64_t)run->results[i].direction, 2);
    }
    arr_finish(&names);
    arr_finish(&metrics);
    arr_finish(&units);
    arr_finish(&dirs);
    p_int(&p, project_id);
    p_bytes(&p, names.b.data, names.b.len);
    p_bytes(&p, metrics.b.data, metrics.b.len);
    p_bytes(&p, units.b.data, units.b.len);
    p_bytes(&p, dirs.b.data, dirs.b.len);
    if (exec_change(st, ST_BENCH_INSERT, &p, "cannot store benchmarks") < 0)
        goto out;
    p.n = 3; /* project, names, metrics */
    r = exec(st, ST_BENCH_IDS, &p, "cannot read benchmark ids");
    if (r == NULL)
        goto out;
    if ((size_t)PQntuples(r) != to - from) {
        store_fail(&st->base, "database '%s': %d benchmark ids for %zu results", st->base.name,
                   PQntuples(r), to - from);
        goto out;
    }
    for (size_t i = from; i < to; i++) {
        const struct bg_result *res = &run->results[i];
        const char *unit = c_str(r, (int)(i - from), 1);

        ids[i - from] = c_int(r, (int)(i - from), 0);
        if (unit == NULL || strcmp(unit, res->unit) != 0) {
            rc = store_reject(&st->base, "benchmark '%s' (metric %s) is stored with unit '%s', "
                              "this run has '%s'", res->name, res->metric,
                              unit != NULL ? unit : "", res->unit);
            goto out;
        }
    }
    rc = 0;
out:
    PQclear(r);
    bg_buf_release(&names.b);
    bg_buf_release(&metrics.b);
    bg_buf_release(&units.b);
    bg_buf_release(&dirs.b);
    return rc;
}

/* Results [from, to) of run in one INSERT. */
static int put_results(struct pg_store *st, int64_t run_id, const struct bg_run *run,
                       size_t from, size_t to, const int64_t *bench_ids)
{
    enum { K, N, LO, MEAN, MED, P95, HI, SD, SO, PARAMS, SAMPLES, PRUNED, N_ARRAYS };
    static const uint32_t oids[N_ARRAYS] = { OID_INT8,   OID_INT8,   OID_FLOAT8, OID_FLOAT8,
                                             OID_FLOAT8, OID_FLOAT8, OID_FLOAT8, OID_FLOAT8,
                                             OID_INT2,   OID_TEXT,   OID_BYTEA,  OID_INT2 };
    struct pg_array a[N_ARRAYS];
    struct params p = { .n = 0 };
    int64_t stored;
    int rc;

    for (int k = 0; k < N_ARRAYS; k++)
        arr_init(&a[k], oids[k]);
    for (size_t i = from; i < to; i++) {
        const struct bg_result *res = &run->results[i];
        unsigned char *scratch = NULL;
        char *params = res->n_params > 0 ? store_kv_json(res->params, res->n_params) : NULL;

        arr_int(&a[K], bench_ids[i - from], 8);
        arr_int(&a[N], (int64_t)res->sum.n, 8);
        arr_float(&a[LO], res->sum.min);
        arr_float(&a[MEAN], res->sum.mean);
        arr_float(&a[MED], res->sum.median);
        arr_float(&a[P95], res->sum.p95);
        arr_float(&a[HI], res->sum.max);
        arr_float(&a[SD], res->sum.stddev);
        arr_int(&a[SO], res->summary_only ? 1 : 0, 2);
        arr_text(&a[PARAMS], params);
        if (res->n_samples > 0)
            arr_add(&a[SAMPLES], store_samples_le(res->samples, res->n_samples, &scratch),
                    res->n_samples * 8);
        else
            arr_null(&a[SAMPLES]);
        arr_int(&a[PRUNED], res->pruned && res->n_samples == 0 ? 1 : 0, 2);
        free(scratch);
        cJSON_free(params);
    }
    p_int(&p, run_id);
    for (int k = 0; k < N_ARRAYS; k++) {
        arr_finish(&a[k]);
        p_bytes(&p, a[k].b.data, a[k].b.len);
    }
    stored = exec_change(st, ST_RESULTS_INSERT, &p, "cannot store results");
    rc = stored == (int64_t)(to - from) ? 0 : -1;
    if (stored >= 0 && rc < 0)
        store_fail(&st->base, "database '%s': %" PRId64 " of %zu results stored",
                   st->base.name, stored, to - from);
    for (int k = 0; k < N_ARRAYS; k++)
        bg_buf_release(&a[k].b);
    return rc;
}

/* The end of the batch that starts at from: BATCH_RESULTS results or
 * BATCH_BYTES of samples, whichever comes first, and at least one. */
static size_t batch_end(const struct bg_run *run, size_t from)
{
    size_t to = from, bytes = 0;

    while (to < run->n_results && to - from < BATCH_RESULTS) {
        bytes += run->results[to].n_samples * 8;
        if (to > from && bytes > BATCH_BYTES)
            break;
        to++;
    }
    return to;
}

static int put_run_once(struct pg_store *st, struct bg_run *run, bool keep_id, int64_t *out_id)
{
    struct params p = { .n = 0 }, q = { .n = 0 };
    int64_t project_id, branch_id, env_id, run_id = 0, taken = 0, *ids = NULL;
    char *meta = NULL;
    int rc = -1;

    if (begin(st) < 0)
        return -1;
    if (keep_id) {
        p_int(&p, run->id);
        if (exec_int(st, ST_RUN_EXISTS, &p, "cannot look up the run", &taken) < 0)
            goto rollback;
        if (taken > 0) {
            rc = store_reject(&st->base, "database '%s': run %" PRId64 " is there already",
                              st->base.name, run->id);
            goto rollback;
        }
    }
    p.n = 0;
    p_text(&p, run->project);
    q.n = 0;
    p_text(&q, run->project);
    p_int(&q, (int64_t)time(NULL));
    if (get_or_add(st, ST_PROJECT_GET, ST_PROJECT_INSERT, &p, &q, "cannot store project",
                   &project_id) < 0)
        goto rollback;
    p.n = 0;
    p_int(&p, project_id);
    p_text(&p, run->branch);
    if (get_or_add(st, ST_BRANCH_GET, ST_BRANCH_INSERT, &p, &p, "cannot store branch",
                   &branch_id) < 0)
        goto rollback;
    if (put_environment(st, &run->env, &env_id) < 0)
        goto rollback;

    meta = store_kv_json(run->meta, run->n_meta);
    p.n = 0;
    p_int(&p, project_id);
    p_int(&p, branch_id);
    p_int(&p, env_id);
    p_text(&p, run->commit);
    p_int(&p, run->timestamp);
    p_text(&p, run->tool != NULL ? run->tool : "unknown");
    p_text(&p, run->ci.provider);
    p_text(&p, run->ci.repository);
    p_text(&p, run->ci.run_id);
    p_text(&p, run->ci.run_url);
    p_text(&p, run->ci.event);
    p_text(&p, meta);
    if (keep_id)
        p_int(&p, run->id);
    if (exec_int(st, keep_id ? ST_RUN_IMPORT : ST_RUN_INSERT, &p, "cannot store run",
                 &run_id) != 1)
        goto rollback;
    if (keep_id) {
        p.n = 0;
        p_int(&p, run_id);
        if (exec_change(st, ST_RUN_SEQUENCE, &p, "cannot move the run numbering on") < 0)
            goto rollback;
    }

    ids = bg_xmalloc(BATCH_RESULTS * sizeof(*ids));
    for (size_t from = 0, to; from < run->n_results; from = to) {
        to = batch_end(run, from);
        rc = put_benchmarks(st, project_id, run, from, to, ids);
        if (rc < 0)
            goto rollback;
        rc = put_results(st, run_id, run, from, to, ids);
        if (rc < 0)
            goto rollback;
    }
    rc = -1;
    if (commit(st) < 0)
        goto rollback;
    free(ids);
    cJSON_free(meta);
    *out_id = run_id;
    return 0;
rollback:
    rollback(st);
    free(ids);
    cJSON_free(meta);
    return rc;
}

/* Whether the last failure was a serialization failure or a deadlock,
 * which the same transaction, tried again, can get past. */
static bool worth_retrying(const struct pg_store *st)
{
    return st->base.unavailable && !conn_lost(st) &&
           (strstr(st->base.diag.msg, "deadlock") != NULL ||
            strstr(st->base.diag.msg, "serializ") != NULL);
}

static int pg_put_run(struct store *base, struct bg_run *run, bool keep_id)
{
    struct pg_store *st = pq(base);
    int64_t id = 0;
    int rc = -1;

    for (int attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
        store_clear_error(base);
        rc = put_run_once(st, run, keep_id, &id);
        if (rc == 0) {
            run->id = id;
            return 0;
        }
        if (rc != -1 || !worth_retrying(st))
            break;
    }
    return rc;
}

/* ---- reading ---- */

static int pg_generation(struct store *base, int64_t *generation)
{
    return exec_int(pq(base), ST_GENERATION, NULL, "cannot read the store's generation",
                    generation) == 1
               ? 0
               : -1;
}

static int pg_latest_run(struct store *base, const char *project, const char *branch,
                         int64_t before_id, int64_t *id)
{
    struct params p = { .n = 0 };

    p_text(&p, project);
    p_text(&p, branch);
    if (before_id != 0)
        p_int(&p, before_id);
    return exec_int(pq(base), before_id != 0 ? ST_LATEST_BEFORE : ST_LATEST, &p,
                    "cannot find runs", id);
}

static void read_run_info(const PGresult *r, int i, void *row)
{
    struct store_run_info *ri = row;

    ri->id = c_int(r, i, 0);
    ri->timestamp = c_int(r, i, 1);
    c_copy(r, i, 2, ri->commit, sizeof(ri->commit));
    c_copy(r, i, 3, ri->fingerprint, sizeof(ri->fingerprint));
    c_copy(r, i, 4, ri->branch, sizeof(ri->branch));
    c_copy(r, i, 5, ri->tool, sizeof(ri->tool));
    ri->n_results = (size_t)c_int(r, i, 6);
}

static int pg_list_runs(struct store *base, const char *project, const char *branch,
                        const char *fingerprint, int64_t before_id, size_t max,
                        struct store_run_info **out)
{
    struct params p = { .n = 0 };
    int64_t limit = max > INT64_MAX ? INT64_MAX : (int64_t)max;
    enum stmt_id id;

    p_text(&p, project);
    p_text(&p, branch);
    if (before_id != 0) {
        id = ST_LIST_RUNS_BEFORE;
        p_int(&p, before_id);
    } else if (branch == NULL || fingerprint != NULL) {
        id = ST_LIST_RUNS_ANY;
        p_text(&p, fingerprint);
    } else {
        id = ST_LIST_RUNS;
    }
    p_int(&p, limit);
    return exec_rows(pq(base), id, &p, "cannot list runs", (void **)out, sizeof(**out),
                     read_run_info);
}

static int pg_run_by_commit(struct store *base, const char *project, const char *sha,
                            int64_t *id)
{
    struct params p = { .n = 0 };

    p_text(&p, project);
    p_text(&p, sha);
    return exec_int(pq(base), ST_RUN_BY_COMMIT, &p, "cannot find a run by commit", id);
}

static int load_results(struct pg_store *st, int64_t id, bool samples, struct bg_run *run)
{
    struct params p = { .n = 0 };
    PGresult *r;

    p_int(&p, id);
    r = exec(st, samples ? ST_RESULTS_GET : ST_RESULTS_GET_SUMMARY, &p, "cannot read results");
    if (r == NULL)
        return -1;
    for (int i = 0; i < PQntuples(r); i++) {
        struct bg_result *res = bg_run_add_result(
            run, c_str(r, i, 0), c_str(r, i, 1), c_str(r, i, 2),
            c_int(r, i, 3) == 1 ? BG_DIR_HIGHER : BG_DIR_LOWER);
        int64_t n = c_int(r, i, 4);
        bool has = !PQgetisnull(r, i, 14);
        int bytes = PQgetlength(r, i, 14);

        res->sum.n = n > 0 ? (size_t)n : 0;
        res->sum.min = c_float(r, i, 5);
        res->sum.mean = c_float(r, i, 6);
        res->sum.median = c_float(r, i, 7);
        res->sum.p95 = c_float(r, i, 8);
        res->sum.max = c_float(r, i, 9);
        res->sum.stddev = c_float(r, i, 10);
        res->summary_only = c_int(r, i, 11) != 0;
        res->pruned = c_int(r, i, 13) != 0;
        if (store_kv_parse(&st->base, c_str(r, i, 12), &res->params, &res->n_params) < 0) {
            PQclear(r);
            return -1;
        }
        if (has && (bytes % 8 != 0 || (int64_t)(bytes / 8) != n)) {
            store_fail(&st->base, "database '%s': result of '%s' has %d sample bytes for "
                       "n = %" PRId64, st->base.name, res->name, bytes, n);
            PQclear(r);
            return -1;
        }
        if (has && bytes > 0)
            store_result_samples(&st->base, res, PQgetvalue(r, i, 14), (size_t)bytes / 8);
    }
    PQclear(r);
    return 0;
}

static int pg_load_run(struct store *base, int64_t id, bool samples, struct bg_run *run)
{
    struct pg_store *st = pq(base);
    struct params p = { .n = 0 };
    struct bg_env *e = &run->env;
    PGresult *r;
    int rc;

    p_int(&p, id);
    r = exec(st, ST_RUN_GET, &p, "cannot read run");
    if (r == NULL)
        return -1;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return 0;
    }
    run->id = id;
    run->project = c_text(r, 0, 0);
    run->branch = c_text(r, 0, 1);
    run->commit = c_text(r, 0, 2);
    run->timestamp = c_int(r, 0, 3);
    run->tool = c_text(r, 0, 4);
    run->ci.provider = c_text(r, 0, 5);
    run->ci.repository = c_text(r, 0, 6);
    run->ci.run_id = c_text(r, 0, 7);
    run->ci.run_url = c_text(r, 0, 8);
    run->ci.event = c_text(r, 0, 9);
    rc = store_kv_parse(base, c_str(r, 0, 10), &run->meta, &run->n_meta);
    run->cap_meta = run->n_meta;
    c_copy(r, 0, 11, e->fingerprint, sizeof(e->fingerprint));
    e->os = c_text(r, 0, 12);
    e->kernel = c_text(r, 0, 13);
    e->arch = c_text(r, 0, 14);
    e->cpu_model = c_text(r, 0, 15);
    e->cores = c_int(r, 0, 16);
    e->memory_bytes = c_int(r, 0, 17);
    e->compiler = c_text(r, 0, 18);
    e->runner = c_text(r, 0, 19);
    PQclear(r);
    if (rc < 0 || load_results(st, id, samples, run) < 0)
        return -1;
    return 1;
}

/* A write statement in its own transaction with the generation bumped;
 * nothing changed means nothing committed. Returns the rows changed or -1. */
static int64_t write_one(struct pg_store *st, enum stmt_id id, const struct params *p,
                         const char *what)
{
    int64_t changed;

    if (begin(st) < 0)
        return -1;
    changed = exec_change(st, id, p, what);
    if (changed > 0 && commit(st) < 0)
        changed = -1;
    if (changed <= 0)
        rollback(st);
    return changed;
}

static int pg_pin_set(struct store *base, const char *project, const char *branch,
                      int64_t run_id, int64_t pinned_at)
{
    struct params p = { .n = 0 };
    int64_t changed;

    p_text(&p, project);
    p_text(&p, branch);
    p_int(&p, run_id);
    p_int(&p, pinned_at != 0 ? pinned_at : (int64_t)time(NULL));
    changed = write_one(pq(base), ST_PIN_SET, &p, "cannot pin the baseline");
    if (changed == 0)
        return store_reject(base, "database '%s': no run %" PRId64 " in project '%s'",
                            base->name, run_id, project);
    return changed < 0 ? -1 : 0;
}

static int pg_pin_get(struct store *base, const char *project, const char *branch,
                      int64_t *run_id, int64_t *pinned_at)
{
    struct params p = { .n = 0 };
    PGresult *r;
    int found;

    p_text(&p, project);
    p_text(&p, branch);
    r = exec(pq(base), ST_PIN_GET, &p, "cannot read the baseline pin");
    if (r == NULL)
        return -1;
    found = PQntuples(r) > 0;
    if (found) {
        *run_id = c_int(r, 0, 0);
        *pinned_at = c_int(r, 0, 1);
    }
    PQclear(r);
    return found;
}

static int pg_pin_clear(struct store *base, const char *project, const char *branch)
{
    struct params p = { .n = 0 };
    int64_t changed;

    p_text(&p, project);
    p_text(&p, branch);
    changed = write_one(pq(base), ST_PIN_CLEAR, &p, "cannot clear the baseline pin");
    return changed < 0 ? -1 : changed > 0 ? 1 : 0;
}

static void read_pin(const PGresult *r, int i, void *row)
{
    struct store_pin *p = row;

    c_copy(r, i, 0, p->project, sizeof(p->project));
    c_copy(r, i, 1, p->branch, sizeof(p->branch));
    p->run_id = c_int(r, i, 2);
    p->pinned_at = c_int(r, i, 3);
}

static int pg_pin_list(struct store *base, struct store_pin **out)
{
    return exec_rows(pq(base), ST_PIN_LIST, NULL, "cannot list the pins", (void **)out,
                     sizeof(**out), read_pin);
}

static void read_point(const PGresult *r, int i, void *row)
{
    struct store_point *pt = row;

    pt->run_id = c_int(r, i, 0);
    pt->timestamp = c_int(r, i, 1);
    c_copy(r, i, 2, pt->commit, sizeof(pt->commit));
    c_copy(r, i, 3, pt->branch, sizeof(pt->branch));
    pt->n = (size_t)c_int(r, i, 4);
    pt->p95 = c_float(r, i, 5);
    pt->median = c_float(r, i, 6);
    pt->mean = c_float(r, i, 7);
    pt->min = c_float(r, i, 8);
    pt->max = c_float(r, i, 9);
    pt->summary_only = c_int(r, i, 10) != 0;
    c_copy(r, i, 11, pt->unit, sizeof(pt->unit));
    c_copy(r, i, 12, pt->fingerprint, sizeof(pt->fingerprint));
    pt->pruned = c_int(r, i, 13) != 0;
}

static int pg_history(struct store *base, const char *project, const char *name,
                      const char *metric, const char *branch, const char *fingerprint,
                      size_t limit, struct store_point **out)
{
    struct params p = { .n = 0 };

    p_text(&p, project);
    p_text(&p, name);
    p_text(&p, metric);
    p_text(&p, branch);
    p_int(&p, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
    p_text(&p, fingerprint);
    return exec_rows(pq(base), ST_HISTORY, &p, "cannot read the history", (void **)out,
                     sizeof(**out), read_point);
}

static int pg_project_exists(struct store *base, const char *project)
{
    struct params p = { .n = 0 };
    int64_t id;

    p_text(&p, project);
    return exec_int(pq(base), ST_PROJECT_GET, &p, "cannot find the project", &id);
}

static void read_project(const PGresult *r, int i, void *row)
{
    struct store_project *p = row;

    c_copy(r, i, 0, p->name, sizeof(p->name));
    p->n_runs = c_int(r, i, 1);
    p->last_run = c_int(r, i, 2); /* NULL (no runs) reads as 0 */
}

static int pg_list_projects(struct store *base, struct store_project **out)
{
    return exec_rows(pq(base), ST_PROJECTS, NULL, "cannot list projects", (void **)out,
                     sizeof(**out), read_project);
}

static void read_benchmark(const PGresult *r, int i, void *row)
{
    struct store_benchmark *k = row;

    c_copy(r, i, 0, k->name, sizeof(k->name));
    c_copy(r, i, 1, k->metric, sizeof(k->metric));
    c_copy(r, i, 2, k->unit, sizeof(k->unit));
    k->direction = c_int(r, i, 3) != 0 ? BG_DIR_HIGHER : BG_DIR_LOWER;
    k->n_results = c_int(r, i, 4);
}

static int pg_list_benchmarks(struct store *base, const char *project,
                              struct store_benchmark **out)
{
    struct params p = { .n = 0 };

    p_text(&p, project);
    return exec_rows(pq(base), ST_BENCHMARKS, &p, "cannot list benchmarks", (void **)out,
                     sizeof(**out), read_benchmark);
}

static void read_branch(const PGresult *r, int i, void *row)
{
    struct store_branch *b = row;

    c_copy(r, i, 0, b->name, sizeof(b->name));
    b->n_runs = c_int(r, i, 1);
    b->last_run = c_int(r, i, 2);
}

static int pg_list_branches(struct store *base, const char *project, struct store_branch **out)
{
    struct params p = { .n = 0 };

    p_text(&p, project);
    return exec_rows(pq(base), ST_BRANCHES, &p, "cannot list branches", (void **)out,
                     sizeof(**out), read_branch);
}

static void read_environment(const PGresult *r, int i, void *row)
{
    struct store_environment *e = row;

    c_copy(r, i, 0, e->fingerprint, sizeof(e->fingerprint));
    c_copy(r, i, 1, e->cpu_model, sizeof(e->cpu_model));
    e->cores = c_int(r, i, 2);
    c_copy(r, i, 3, e->os, sizeof(e->os));
    c_copy(r, i, 4, e->arch, sizeof(e->arch));
    e->n_runs = c_int(r, i, 5);
    e->last_run = c_int(r, i, 6);
}

static int pg_list_environments(struct store *base, const char *project,
                                struct store_environment **out)
{
    struct params p = { .n = 0 };

    p_text(&p, project);
    return exec_rows(pq(base), ST_ENVIRONMENTS, &p, "cannot list environments", (void **)out,
                     sizeof(**out), read_environment);
}

/* ---- tokens ---- */

static int pg_token_add(struct store *base, const char *project, const char *id,
                        const unsigned char hash[STORE_TOKEN_HASH], const char *name,
                        int64_t created_at, int64_t revoked_at)
{
    struct pg_store *st = pq(base);
    struct params p = { .n = 0 }, q = { .n = 0 };
    int64_t project_id, now = (int64_t)time(NULL);

    if (begin(st) < 0)
        return -1;
    p_text(&p, project);
    p_text(&q, project);
    p_int(&q, now);
    if (get_or_add(st, ST_PROJECT_GET, ST_PROJECT_INSERT, &p, &q, "cannot add the project",
                   &project_id) < 0)
        goto rollback;
    p.n = 0;
    p_text(&p, id);
    p_int(&p, project_id);
    p_bytes(&p, hash, STORE_TOKEN_HASH);
    p_text(&p, name);
    p_int(&p, created_at != 0 ? created_at : now);
    if (revoked_at != 0)
        p_int(&p, revoked_at);
    else
        p_null(&p);
    if (exec_change(st, ST_TOKEN_ADD, &p, "cannot add the token") != 1 || commit(st) < 0)
        goto rollback;
    return 0;
rollback:
    rollback(st);
    return -1;
}

static int pg_token_find(struct store *base, const char *id, char project[BG_NAME_MAX + 1],
                         unsigned char hash[STORE_TOKEN_HASH], bool *revoked)
{
    struct params p = { .n = 0 };
    PGresult *r;
    int found;

    p_text(&p, id);
    r = exec(pq(base), ST_TOKEN_FIND, &p, "cannot look up the token");
    if (r == NULL)
        return -1;
    found = PQntuples(r) > 0;
    if (found) {
        if (PQgetlength(r, 0, 1) != STORE_TOKEN_HASH) {
            PQclear(r);
            return store_fail(base, "database '%s': token '%s' has a damaged hash", base->name,
                              id);
        }
        memcpy(hash, PQgetvalue(r, 0, 1), STORE_TOKEN_HASH);
        c_copy(r, 0, 0, project, BG_NAME_MAX + 1);
        *revoked = c_int(r, 0, 2) != 0;
    }
    PQclear(r);
    return found;
}

static void read_token(const PGresult *r, int i, void *row)
{
    struct store_token *t = row;

    c_copy(r, i, 0, t->id, sizeof(t->id));
    c_copy(r, i, 1, t->name, sizeof(t->name));
    t->created_at = c_int(r, i, 2);
    t->revoked_at = c_int(r, i, 3);
}

static int pg_token_list(struct store *base, const char *project, struct store_token **out)
{
    struct params p = { .n = 0 };

    p_text(&p, project);
    return exec_rows(pq(base), ST_TOKEN_LIST, &p, "cannot list tokens", (void **)out,
                     sizeof(**out), read_token);
}

static int pg_token_revoke(struct store *base, const char *project, const char *id)
{
    struct params p = { .n = 0 };
    int64_t changed;

    p_text(&p, project);
    p_text(&p, id);
    p_int(&p, (int64_t)time(NULL));
    changed = write_one(pq(base), ST_TOKEN_REVOKE, &p, "cannot revoke the token");
    return changed < 0 ? -1 : changed > 0 ? 1 : 0;
}

static void read_token_record(const PGresult *r, int i, void *row)
{
    struct store_token_record *t = row;

    c_copy(r, i, 0, t->project, sizeof(t->project));
    c_copy(r, i, 1, t->token.id, sizeof(t->token.id));
    c_copy(r, i, 2, t->token.name, sizeof(t->token.name));
    t->token.created_at = c_int(r, i, 3);
    t->token.revoked_at = c_int(r, i, 4);
    if (PQgetlength(r, i, 5) == STORE_TOKEN_HASH) /* the schema's CHECK makes it so */
        memcpy(t->hash, PQgetvalue(r, i, 5), STORE_TOKEN_HASH);
}

static int pg_token_export(struct store *base, struct store_token_record **out)
{
    return exec_rows(pq(base), ST_TOKEN_EXPORT, NULL, "cannot list tokens", (void **)out,
                     sizeof(**out), read_token_record);
}

/* ---- copy and prune ---- */

static void read_id(const PGresult *r, int i, void *row)
{
    *(int64_t *)row = c_int(r, i, 0);
}

static int pg_run_ids(struct store *base, int64_t after, size_t max, int64_t **out)
{
    struct params p = { .n = 0 };

    p_int(&p, after);
    p_int(&p, max > INT64_MAX ? INT64_MAX : (int64_t)max);
    return exec_rows(pq(base), ST_RUN_IDS, &p, "cannot list runs", (void **)out, sizeof(**out),
                     read_id);
}

static int pg_counts(struct store *base, struct store_counts *out)
{
    PGresult *r = exec(pq(base), ST_COUNTS, NULL, "cannot count");
    int64_t *slots[] = { &out->projects, &out->runs,  &out->results, &out->samples,
                         &out->pruned,   &out->pins, &out->tokens };

    if (r == NULL)
        return -1;
    for (size_t i = 0; i < ARRAY_SIZE(slots); i++)
        *slots[i] = c_int(r, 0, (int)i);
    PQclear(r);
    return 0;
}

static int pg_prune(struct store *base, const char *project, int64_t before, size_t max_runs,
                    bool dry_run, struct store_prune_stats *stats)
{
    struct pg_store *st = pq(base);
    struct store_prune_stats add = { 0, 0, 0 };
    struct params p = { .n = 0 };
    int64_t *ids = NULL;
    int n;

    if (!dry_run && begin(st) < 0)
        return -1;
    p_text(&p, project);
    p_int(&p, before);
    p_int(&p, dry_run || max_runs > INT64_MAX ? INT64_MAX : (int64_t)max_runs);
    n = exec_rows(st, ST_PRUNE_RUNS, &p, "cannot find runs to prune", (void **)&ids,
                  sizeof(*ids), read_id);
    if (n < 0)
        goto fail;
    for (int i = 0; i < n; i++) {
        PGresult *r;

        p.n = 0;
        p_int(&p, ids[i]);
        r = exec(st, ST_PRUNE_COUNT, &p, "cannot count samples to prune");
        if (r == NULL)
            goto fail;
        add.results += c_int(r, 0, 0);
        add.samples += c_int(r, 0, 1);
        PQclear(r);
        if (!dry_run && exec_change(st, ST_PRUNE_RESULTS, &p, "cannot prune samples") < 0)
            goto fail;
    }
    if (!dry_run) {
        if (n > 0 && commit(st) < 0)
            goto fail;
        if (n == 0)
            rollback(st);
    }
    free(ids);
    add.runs = n;
    stats->runs += add.runs;
    stats->results += add.results;
    stats->samples += add.samples;
    return n;
fail:
    if (!dry_run)
        rollback(st);
    free(ids);
    return -1;
}

const struct store_backend store_backend_pg = {
    .engine = "postgres",
    .n_migrations = &bg_pg_migrations_n,
    .open = pg_open,
    .close = pg_close,
    .generation = pg_generation,
    .put_run = pg_put_run,
    .latest_run = pg_latest_run,
    .load_run = pg_load_run,
    .list_runs = pg_list_runs,
    .run_by_commit = pg_run_by_commit,
    .pin_set = pg_pin_set,
    .pin_get = pg_pin_get,
    .pin_clear = pg_pin_clear,
    .pin_list = pg_pin_list,
    .history = pg_history,
    .project_exists = pg_project_exists,
    .list_projects = pg_list_projects,
    .list_benchmarks = pg_list_benchmarks,
    .list_branches = pg_list_branches,
    .list_environments = pg_list_environments,
    .token_add = pg_token_add,
    .token_find = pg_token_find,
    .token_list = pg_token_list,
    .token_revoke = pg_token_revoke,
    .token_export = pg_token_export,
    .run_ids = pg_run_ids,
    .counts = pg_counts,
    .prune = pg_prune,
};
