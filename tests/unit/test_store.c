/*
 * test_store.c: the store through its interface, on either engine: round
 * trips, one-transaction writes, the generation, pruning, importing, run
 * selection. Without BENCHGATE_TEST_PG it runs on a SQLite file; with it
 * (a postgres:// URI of a database, as `make test-pg` sets) every test
 * gets a fresh schema of that database, and the PostgreSQL-only tests run
 * too (dropped connections, replicas migrating at once). The tests read
 * the database with sqlite3 or libpq directly to see what really landed
 * (product code never does).
 */
#include "tests/unit/harness.h"
#include "core/store.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>
#include <unistd.h>

static const char *pg_base; /* BENCHGATE_TEST_PG, or NULL: SQLite */

struct fixture_db {
    char dir[64];
    char path[128];    /* SQLite */
    char schema[64];   /* PostgreSQL: this test's schema */
    char loc[2048];    /* the locator the store opens */
};

/* "URI?options=-csearch_path%3DSCHEMA" (or "&options=..."): the schema is
 * where the store's tables go, as a deployment might keep benchgate's. */
static void schema_locator(const char *schema, char *out, size_t size)
{
    snprintf(out, size, "%s%soptions=-csearch_path%%3D%s", pg_base,
             strchr(pg_base, '?') != NULL ? "&" : "?", schema);
}

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* DROP SCHEMA ... CASCADE lists what it dropped */
}

static void pg_exec(const char *conninfo, const char *sql)
{
    PGconn *c = PQconnectdb(conninfo);
    PGresult *r;

    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("cannot connect to the test database: %s", PQerrorMessage(c));
    PQsetNoticeProcessor(c, quiet, NULL);
    r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
}

static int setup(void **state)
{
    static int counter;
    struct fixture_db *f = bg_xcalloc(1, sizeof(*f));
    char sql[128];

    if (pg_base != NULL) {
        snprintf(f->schema, sizeof(f->schema), "ut_%ld_%d", (long)getpid(), ++counter);
        snprintf(sql, sizeof(sql), "CREATE SCHEMA %s", f->schema);
        pg_exec(pg_base, sql);
        schema_locator(f->schema, f->loc, sizeof(f->loc));
    } else {
        snprintf(f->dir, sizeof(f->dir), "/tmp/bg-test-store-XXXXXX");
        if (mkdtemp(f->dir) == NULL)
            return -1;
        snprintf(f->path, sizeof(f->path), "%s/t.db", f->dir);
        snprintf(f->loc, sizeof(f->loc), "%s", f->path);
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture_db *f = *state;
    const char *const suffix[] = { "", "-wal", "-shm" };
    char p[160];

    if (pg_base != NULL) {
        snprintf(p, sizeof(p), "DROP SCHEMA %s CASCADE", f->schema);
        pg_exec(pg_base, p);
    } else {
        for (size_t i = 0; i < ARRAY_SIZE(suffix); i++) {
            snprintf(p, sizeof(p), "%s%s", f->path, suffix[i]);
            unlink(p);
        }
        rmdir(f->dir);
    }
    free(f);
    return 0;
}

/* Number from a one-value query, read straight from the database. */
static int64_t query_int(const struct fixture_db *f, const char *sql)
{
    int64_t v = -1;

    if (pg_base != NULL) {
        PGconn *c = PQconnectdb(f->loc);
        PGresult *r;

        assert_int_equal(PQstatus(c), CONNECTION_OK);
        r = PQexec(c, sql);
        if (PQresultStatus(r) != PGRES_TUPLES_OK)
            fail_msg("%s: %s", sql, PQerrorMessage(c));
        if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
            v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        PQclear(r);
        PQfinish(c);
    } else {
        sqlite3 *db;
        sqlite3_stmt *s;

        assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
        if (sqlite3_step(s) == SQLITE_ROW)
            v = sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
        assert_int_equal(sqlite3_close(db), SQLITE_OK);
    }
    return v;
}

/* A statement for its effect, straight on the database. */
static void exec_sql(const struct fixture_db *f, const char *sql)
{
    if (pg_base != NULL) {
        pg_exec(f->loc, sql);
    } else {
        sqlite3 *db;

        assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_close(db), SQLITE_OK);
    }
}

static int64_t total_rows(const struct fixture_db *f)
{
    return query_int(f, "SELECT (SELECT count(*) FROM projects) + (SELECT count(*) FROM "
                        "branches) + (SELECT count(*) FROM environments) + (SELECT count(*) "
                        "FROM runs) + (SELECT count(*) FROM benchmarks) + (SELECT count(*) "
                        "FROM results)");
}

static struct store *open_store(const struct fixture_db *f)
{
    struct store *st = NULL;
    struct bg_diag d;

    if (store_open(f->loc, true, &st, &d) != 0)
        fail_msg("store_open: %s", d.msg);
    return st;
}

static void close_store(struct store *st)
{
    struct bg_diag d;

    if (store_close(st, &d) != 0)
        fail_msg("store_close: %s", d.msg);
}

static int64_t generation(struct store *st)
{
    int64_t g = -1;

    assert_int_equal(store_generation(st, &g), 0);
    return g;
}

/* A finished run with n results of k samples each. */
static void make_run(struct bg_run *run, const char *branch, int64_t ts, size_t n, size_t k)
{
    struct bg_diag d;
    char name[32];

    bg_run_init(run);
    run->project = bg_xstrdup("proj");
    run->branch = bg_xstrdup(branch);
    run->commit = bg_xstrdup("0123abcd");
    run->timestamp = ts;
    run->tool = bg_xstrdup("hyperfine");
    run->env.cpu_model = bg_xstrdup("Test CPU");
    run->env.cores = 2;
    run->env.memory_bytes = INT64_C(8) << 30;
    run->ci.run_url = bg_xstrdup("https://ci.example/runs/1");
    bg_run_add_meta(run, "purpose", "test");
    for (size_t i = 0; i < n; i++) {
        struct bg_result *res;

        snprintf(name, sizeof(name), "bench %zu", i);
        res = bg_run_add_result(run, name, "time", "ns", BG_DIR_LOWER);
        for (size_t j = 0; j < k; j++)
            bg_result_add_sample(res, 1000.0 * (double)(i + 1) + (double)j / 3.0);
    }
    bg_result_add_param(&run->results[0], "level", "9");
    assert_int_equal(bg_run_finish(run, "test", &d), 0);
}

static void test_round_trip(void **state)
{
    struct fixture_db *f = *state;
    struct store *st;
    struct bg_run in, out;

    make_run(&in, "main", 1000, 3, 7);
    st = open_store(f);
    assert_int_equal(store_put_run(st, &in), 0);
    assert_true(in.id > 0);
    bg_run_init(&out);
    assert_int_equal(store_load_run(st, in.id, &out), 1);
    close_store(st);

    assert_string_equal(out.project, "proj");
    assert_string_equal(out.branch, "main");
    assert_string_equal(out.commit, "0123abcd");
    assert_int_equal(out.timestamp, 1000);
    assert_string_equal(out.tool, "hyperfine");
    assert_string_equal(out.env.cpu_model, "Test CPU");
    assert_int_equal(out.env.cores, 2);
    assert_string_equal(out.env.fingerprint, in.env.fingerprint);
    assert_string_equal(out.ci.run_url, "https://ci.example/runs/1");
    assert_int_equal(out.n_meta, 1);
    assert_string_equal(out.meta[0].value, "test");
    assert_int_equal(out.n_results, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(out.results[i].name, in.results[i].name);
        assert_int_equal(out.results[i].n_samples, 7);
        /* samples come back bit for bit */
        assert_memory_equal(out.results[i].samples, in.results[i].samples, 7 * sizeof(double));
        assert_near(out.results[i].sum.p95, in.results[i].sum.p95, 0.0);
        assert_false(out.results[i].pruned);
    }
    assert_int_equal(out.results[0].n_params, 1);
    assert_string_equal(out.results[0].params[0].value, "9");
    assert_int_equal(store_schema_version(pg_base != NULL ? "postgres" : "sqlite"),
                     (int)query_int(f, pg_base != NULL
                                           ? "SELECT max(version) FROM schema_migrations"
                                           : "PRAGMA user_version"));
    assert_int_equal(query_int(f, "SELECT length(samples) FROM results LIMIT 1"), 7 * 8);
    bg_run_release(&in);
    bg_run_release(&out);
}

/* Two results with one identity violate UNIQUE(run_id, benchmark_id) on the
 * second insert: the run, project, branch and first result must all vanish. */
static void test_failed_run_writes_nothing(void **state)
{
    struct fixture_db *f = *state;
    struct store *st;
    struct bg_run good, bad;
    int64_t before, gen;

    make_run(&good, "main", 1000, 2, 5);
    st = open_store(f);
    assert_int_equal(store_put_run(st, &good), 0);
    before = total_rows(f);
    gen = generation(st);

    make_run(&bad, "feature", 2000, 2, 5);
    bg_set_str(&bad.project, "another");
    bg_set_str(&bad.results[1].name, bad.results[0].name); /* after validation */
    assert_int_equal(store_put_run(st, &bad), -1);
    assert_non_null(strstr(store_errmsg(st), "database '"));
    assert_int_equal(total_rows(f), before);
    assert_int_equal(query_int(f, "SELECT count(*) FROM projects WHERE name = 'another'"), 0);
    assert_int_equal(generation(st), gen); /* nothing changed, so no new generation */
    /* the connection is usable after the rollback */
    bg_set_str(&bad.results[1].name, "bench 1b");
    assert_int_equal(store_put_run(st, &bad), 0);
    close_store(st);
    bg_run_release(&good);
    bg_run_release(&bad);
}

/* A benchmark stored in ns cannot come back in ms: rejected, nothing written. */
static void test_unit_conflict_rejected(void **state)
{
    struct fixture_db *f = *state;
    struct store *st;
    struct bg_run a, b;
    int64_t before;

    make_run(&a, "main", 1000, 2, 5);
    make_run(&b, "main", 2000, 2, 5);
    bg_set_str(&b.results[1].unit, "ms");
    st = open_store(f);
    assert_int_equal(store_put_run(st, &a), 0);
    before = total_rows(f);
    assert_int_equal(store_put_run(st, &b), STORE_REJECTED);
    assert_non_null(strstr(store_errmsg(st), "is stored with unit 'ns', this run has 'ms'"));
    assert_false(store_unavailable(st));
    assert_int_equal(total_rows(f), before);
    close_store(st);
    bg_run_release(&a);
    bg_run_release(&b);
}

static void test_latest_run_order(void **state)
{
    struct fixture_db *f = *state;
    struct store *st;
    struct bg_run r1, r2, r3, r4;
    int64_t id = 0;

    make_run(&r1, "main", 1000, 1, 3);
    make_run(&r2, "main", 3000, 1, 3);
    make_run(&r3, "main", 3000, 1, 3); /* same second as r2: the later id is newer */
    make_run(&r4, "main", 2000, 1, 3); /* stored last but older */
    st = open_store(f);
    assert_int_equal(store_put_run(st, &r1), 0);
    assert_int_equal(store_put_run(st, &r2), 0);
    assert_int_equal(store_put_run(st, &r3), 0);
    assert_int_equal(store_put_run(st, &r4), 0);
    assert_int_equal(store_latest_run(st, "proj", "main", 0, &id), 1);
    assert_int_equal(id, r3.id);
    assert_int_equal(store_latest_run(st, "proj", "main", r3.id, &id), 1);
    assert_int_equal(id, r2.id);
    assert_int_equal(store_latest_run(st, "proj", "main", r2.id, &id), 1);
    assert_int_equal(id, r4.id);
    assert_int_equal(store_latest_run(st, "proj", "main", r1.id, &id), 0);
    assert_int_equal(store_latest_run(st, "proj", "nobranch", 0, &id), 0);
    assert_int_equal(store_latest_run(st, "noproj", "main", 0, &id), 0);
    assert_int_equal(store_load_run(st, 999, &r1), 0);
    close_store(st);
    bg_run_release(&r1);
    bg_run_release(&r2);
    bg_run_release(&r3);
    bg_run_release(&r4);
}

/* Summaries a harness did not give are stored as NULL and come back as NAN. */
static void test_summary_only_round_trip(void **state)
{
    struct fixture_db *f = *state;
    struct store *st;
    struct bg_run in, out;
    struct bg_result *res;
    struct bg_diag d;

    make_run(&in, "main", 1000, 1, 3);
    res = bg_run_add_result(&in, "summary", "time", "ns", BG_DIR_LOWER);
    res->summary_only = true;
    res->sum.n = 20;
    res->sum.mean = 627.25;
    res->sum.stddev = 3.5;
    res->sum.min = res->sum.max = res->sum.median = res->sum.p95 = NAN;
    assert_int_equal(bg_run_finish(&in, "test", &d), 0);
    st = open_store(f);
    assert_int_equal(store_put_run(st, &in), 0);
    bg_run_init(&out);
    assert_int_equal(store_load_run(st, in.id, &out), 1);
    close_store(st);
    assert_true(out.results[1].summary_only);
    assert_false(out.results[1].pruned);
    assert_int_equal(out.results[1].sum.n, 20);
    assert_near(out.results[1].sum.mean, 627.25, 0.0);
    assert_near(out.results[1].sum.stddev, 3.5, 0.0);
    assert_true(isnan(out.results[1].sum.p95) && isnan(out.results[1].sum.min));
    assert_int_equal(out.results[1].n_samples, 0);
    assert_null(out.results[1].samples);
    assert_int_equal(query_int(f, "SELECT count(*) FROM results WHERE p95 IS NULL "
                                  "AND samples IS NULL"), 1);
    bg_run_release(&in);
    bg_run_release(&out);
}

/* Every change bumps the generation, in its own transaction; reads and
 * changes that change nothing do not. */
static void test_generation(void **state)
{
    struct fixture_db *f = *state;
    unsigned char hash[STORE_TOKEN_HASH] = { 1 };
    struct store *st, *other;
    struct bg_run run;
    struct store_run_info *ri;
    int64_t g, pin, at;

    make_run(&run, "main", 1000, 2, 3);
    st = open_store(f);
    other = open_store(f); /* another connection, as another server would have */
    g = generation(st);
    assert_int_equal(store_put_run(st, &run), 0);
    assert_true(generation(st) > g);
    assert_int_equal(generation(other), generation(st)); /* visible at once elsewhere */

    g = generation(other);
    assert_int_equal(store_list_runs(other, "proj", NULL, NULL, 0, 10, &ri), 1);
    free(ri);
    assert_int_equal(store_pin_get(other, "proj", "main", &pin, &at), 0);
    assert_int_equal(generation(st), g); /* reads change nothing */

    assert_int_equal(store_pin_set(other, "proj", "main", run.id), 0);
    assert_true(generation(st) > g);
    g = generation(st);
    assert_int_equal(store_pin_set(other, "proj", "main", run.id + 100), STORE_REJECTED);
    assert_int_equal(generation(st), g);
    assert_int_equal(store_pin_clear(st, "proj", "main"), 1);
    assert_true(generation(other) > g);
    g = generation(other);
    assert_int_equal(store_pin_clear(st, "proj", "main"), 0); /* nothing to clear */
    assert_int_equal(generation(other), g);

    assert_int_equal(store_token_add(st, "newproj", "0123456789abcdef", hash, "ci"), 0);
    assert_true(generation(other) > g);
    g = generation(other);
    assert_int_equal(store_token_revoke(other, "newproj", "0123456789abcdef"), 1);
    assert_true(generation(st) > g);
    g = generation(st);
    assert_int_equal(store_token_revoke(other, "newproj", "0123456789abcdef"), 0);
    assert_int_equal(generation(st), g);
    close_store(other);
    close_store(st);
    bg_run_release(&run);
}

/* prune drops old samples, keeps the summaries, marks the results, spares
 * pinned runs, and says so in a summary load and in the history. */
static void test_prune(void **state)
{
    struct fixture_db *f = *state;
    struct store_prune_stats dry = { 0, 0, 0 }, done = { 0, 0, 0 };
    struct store *st;
    struct bg_run old1, old2, pinned, recent, out, sum;
    struct store_point *pts;
    struct store_counts c;
    int64_t g;
    int n;

    make_run(&old1, "main", 1000, 3, 10);
    make_run(&old2, "main", 2000, 3, 10);
    make_run(&pinned, "main", 2500, 3, 10);
    make_run(&recent, "main", 9000, 3, 10);
    st = open_store(f);
    assert_int_equal(store_put_run(st, &old1), 0);
    assert_int_equal(store_put_run(st, &old2), 0);
    assert_int_equal(store_put_run(st, &pinned), 0);
    assert_int_equal(store_put_run(st, &recent), 0);
    assert_int_equal(store_pin_set(st, "proj", "release", pinned.id), 0);

    g = generation(st);
    assert_int_equal(store_prune(st, NULL, 5000, 100, true, &dry), 2);
    assert_int_equal(dry.runs, 2);
    assert_int_equal(dry.results, 6);
    assert_int_equal(dry.samples, 60);
    assert_int_equal(generation(st), g); /* a dry run changes nothing */
    assert_int_equal(query_int(f, "SELECT count(*) FROM results WHERE samples IS NULL"), 0);
    assert_int_equal(store_prune(st, "otherproj", 5000, 100, false, &done), 0);

    /* one run per call: the caller loops */
    assert_int_equal(store_prune(st, NULL, 5000, 1, false, &done), 1);
    assert_int_equal(store_prune(st, NULL, 5000, 1, false, &done), 1);
    assert_int_equal(store_prune(st, NULL, 5000, 1, false, &done), 0);
    assert_int_equal(done.runs, 2);
    assert_int_equal(done.samples, 60);
    assert_true(generation(st) > g);
    assert_int_equal(store_counts(st, &c), 0);
    assert_int_equal(c.runs, 4);
    assert_int_equal(c.results, 12);
    assert_int_equal(c.pruned, 6);
    assert_int_equal(c.samples, 60);
    assert_int_equal(c.pins, 1);

    bg_run_init(&out);
    assert_int_equal(store_load_run(st, old1.id, &out), 1);
    for (size_t i = 0; i < out.n_results; i++) {
        assert_true(out.results[i].pruned);
        assert_false(out.results[i].summary_only);
        assert_int_equal(out.results[i].n_samples, 0);
        assert_null(out.results[i].samples);
        assert_int_equal(out.results[i].sum.n, 10);
        assert_near(out.results[i].sum.p95, old1.results[i].sum.p95, 0.0);
        assert_near(out.results[i].sum.median, old1.results[i].sum.median, 0.0);
    }
    bg_run_release(&out);
    bg_run_init(&out);
    assert_int_equal(store_load_run(st, pinned.id, &out), 1); /* the pin kept its samples */
    assert_false(out.results[0].pruned);
    assert_int_equal(out.results[0].n_samples, 10);

    /* a summary load reads no samples: unpruned results look like pruned ones,
     * but for the flag */
    bg_run_init(&sum);
    assert_int_equal(store_load_run_summary(st, recent.id, &sum), 1);
    assert_int_equal(sum.n_results, 3);
    assert_int_equal(sum.results[2].n_samples, 0);
    assert_null(sum.results[2].samples);
    assert_false(sum.results[2].pruned);
    assert_int_equal(sum.results[2].sum.n, 10);
    assert_near(sum.results[2].sum.p95, recent.results[2].sum.p95, 0.0);
    assert_string_equal(sum.env.fingerprint, recent.env.fingerprint);

    n = store_history(st, "proj", "bench 0", "time", NULL, NULL, 10, &pts);
    assert_int_equal(n, 4);
    assert_true(pts[0].pruned && pts[1].pruned);
    assert_false(pts[2].pruned || pts[3].pruned);
    assert_near(pts[0].p95, old1.results[0].sum.p95, 0.0);
    free(pts);
    close_store(st);
    bg_run_release(&out);
    bg_run_release(&sum);
    bg_run_release(&old1);
    bg_run_release(&old2);
    bg_run_release(&pinned);
    bg_run_release(&recent);
}

/* Importing (benchgate copy) keeps ids and pruned flags; a taken id is refused. */
static void test_import(void **state)
{
    struct fixture_db *f = *state;
    struct store *st;
    struct bg_run a, b, c, out;
    struct store_pin pin = { "proj", "main", 40, 12345 }, *pins;
    struct store_token_record tok = { .project = "tokproj" }, *toks;
    int64_t *ids;

    make_run(&a, "main", 1000, 2, 4);
    make_run(&b, "main", 2000, 2, 4);
    make_run(&c, "main", 3000, 2, 4);
    a.id = 40;
    a.results[1].pruned = true; /* as a copy of a pruned result arrives */
    free(a.results[1].samples);
    a.results[1].samples = NULL;
    a.results[1].n_samples = 0;
    b.id = 7;
    st = open_store(f);
    assert_int_equal(store_import_run(st, &a), 0);
    assert_int_equal(a.id, 40);
    assert_int_equal(store_import_run(st, &b), 0);
    c.id = 40;
    assert_int_equal(store_import_run(st, &c), STORE_REJECTED);
    c.id = 0;
    assert_int_equal(store_put_run(st, &c), 0);
    assert_true(c.id > 40); /* new runs number past the imported ones */
    assert_int_equal(store_run_ids(st, 0, 10, &ids), 3);
    assert_int_equal(ids[0], 7);
    assert_int_equal(ids[1], 40);
    assert_int_equal(ids[2], c.id);
    free(ids);
    assert_int_equal(store_run_ids(st, 7, 1, &ids), 1);
    assert_int_equal(ids[0], 40);
    free(ids);

    bg_run_init(&out);
    assert_int_equal(store_load_run(st, 40, &out), 1);
    assert_false(out.results[0].pruned);
    assert_true(out.results[1].pruned);
    assert_int_equal(out.results[1].n_samples, 0);
    assert_int_equal(out.results[1].sum.n, 4);

    assert_int_equal(store_pin_import(st, &pin), 0);
    assert_int_equal(store_pin_list(st, &pins), 1);
    assert_string_equal(pins[0].branch, "main");
    assert_int_equal(pins[0].run_id, 40);
    assert_int_equal(pins[0].pinned_at, 12345);
    free(pins);

    snprintf(tok.token.id, sizeof(tok.token.id), "00112233aabbccdd");
    snprintf(tok.token.name, sizeof(tok.token.name), "gha");
    tok.token.created_at = 111;
    tok.token.revoked_at = 222;
    memset(tok.hash, 0x5a, sizeof(tok.hash));
    assert_int_equal(store_token_import(st, &tok), 1);
    assert_int_equal(store_token_import(st, &tok), 0); /* resumed: the same one */
    tok.hash[0] = 0;
    assert_int_equal(store_token_import(st, &tok), STORE_REJECTED);
    assert_int_equal(store_token_export(st, &toks), 1);
    assert_string_equal(toks[0].project, "tokproj");
    assert_int_equal(toks[0].token.created_at, 111);
    assert_int_equal(toks[0].token.revoked_at, 222);
    assert_int_equal(toks[0].hash[1], 0x5a);
    free(toks);
    assert_int_equal(store_project_exists(st, "tokproj"), 1);
    close_store(st);
    bg_run_release(&a);
    bg_run_release(&b);
    bg_run_release(&c);
    bg_run_release(&out);
}

static void test_locator_display(void **state)
{
    char b[256];

    (void)state;
    store_locator_display("sqlite:/srv/b.db", b, sizeof(b));
    assert_string_equal(b, "/srv/b.db");
    store_locator_display("b.db", b, sizeof(b));
    assert_string_equal(b, "b.db");
    store_locator_display("postgresql://bg:s3cret@db.example:5432/bench?sslmode=require", b,
                          sizeof(b));
    assert_string_equal(b, "postgresql://bg:***@db.example:5432/bench?sslmode=require");
    store_locator_display("postgres://bg@db/bench?password=s3cret&sslmode=require", b,
                          sizeof(b));
    assert_string_equal(b, "postgres://bg@db/bench?password=***&sslmode=require");
    store_locator_display("postgres:///bench?host=/run/pg&password=x", b, sizeof(b));
    assert_string_equal(b, "postgres:///bench?host=/run/pg&password=***");
    store_locator_display("postgres://u:p@h/d", b, 12);
    assert_string_equal(b, "postgres://"); /* cut, never past the buffer */
    assert_true(store_locator_is_pg("postgresql://x"));
    assert_false(store_locator_is_pg("sqlite:postgres://x"));
}

/* ---- SQLite only ---- */

static void test_sqlite_open_rules(void **state)
{
    struct fixture_db *f = *state;
    struct store *st;
    struct bg_diag d;

    /* check must not invent a database */
    assert_int_equal(store_open(f->loc, false, &st, &d), -1);
    assert_null(st);
    assert_non_null(strstr(d.msg, "cannot open database"));
    assert_int_equal(access(f->path, F_OK), -1);

    /* a new one is migrated and in WAL mode; reopening is a no-op */
    close_store(open_store(f));
    assert_int_equal(store_open(f->loc, false, &st, &d), 0);
    close_store(st);
    assert_int_equal(query_int(f, "PRAGMA user_version"), store_schema_version("sqlite"));
    assert_int_equal(query_int(f, "SELECT count(*) FROM pragma_journal_mode "
                                  "WHERE journal_mode = 'wal'"), 1);
    /* the sqlite: prefix names the same file */
    {
        char loc[160];

        snprintf(loc, sizeof(loc), "sqlite:%s", f->path);
        assert_int_equal(store_open(loc, false, &st, &d), 0);
        assert_string_equal(store_engine(st), "sqlite");
        close_store(st);
    }

    /* a database from a newer benchgate is refused, not damaged */
    exec_sql(f, "PRAGMA user_version = 99");
    assert_int_equal(store_open(f->loc, true, &st, &d), -1);
    assert_non_null(strstr(d.msg, "newer than this benchgate supports"));
    assert_int_equal(query_int(f, "PRAGMA user_version"), 99);
}

static void test_sqlite_not_a_database(void **state)
{
    struct fixture_db *f = *state;
    struct store *st;
    struct bg_diag d;
    FILE *fp = fopen(f->path, "w");

    assert_non_null(fp);
    fputs("this is not a database, just some text that is long enough to have a header\n", fp);
    fclose(fp);
    assert_int_equal(store_open(f->loc, true, &st, &d), -1);
    assert_non_null(strstr(d.msg, "not a database"));
}

/* ---- PostgreSQL only ---- */

static void test_pg_open_rules(void **state)
{
    struct fixture_db *f = *state;
    struct store *st;
    struct bg_diag d;
    char bad[2100];

    /* a schema without benchgate's tables is no store: check must not make one */
    assert_int_equal(store_open(f->loc, false, &st, &d), -1);
    assert_null(st);
    assert_non_null(strstr(d.msg, "has no benchgate store yet"));
    assert_int_equal(query_int(f, "SELECT count(*) FROM pg_tables WHERE schemaname = "
                                  "current_schema()"), 0);
    close_store(open_store(f));
    assert_int_equal(store_open(f->loc, false, &st, &d), 0);
    assert_string_equal(store_engine(st), "postgres");
    close_store(st);
    assert_int_equal(query_int(f, "SELECT count(*) FROM schema_migrations"),
                     store_schema_version("postgres"));

    /* a store from a newer benchgate is refused, not touched */
    exec_sql(f, "INSERT INTO schema_migrations VALUES (99, 0)");
    assert_int_equal(store_open(f->loc, true, &st, &d), -1);
    assert_non_null(strstr(d.msg, "has schema version 99, newer than this"));

    /* an unreachable server: a clear error that names the database, no password */
    snprintf(bad, sizeof(bad), "postgresql://bg:s3cret@/nodb?host=/nonexistent&port=1");
    assert_int_equal(store_open(bad, true, &st, &d), -1);
    assert_non_null(strstr(d.msg, "cannot connect to database 'postgresql://bg:***@/nodb"));
    assert_null(strstr(d.msg, "s3cret"));
}

/* A connection dropped in the middle of writing a run: the call fails as
 * "unavailable" (the server answers 503), nothing of the run is there, and
 * the next call reconnects by itself. */
static void test_pg_dropped_connection(void **state)
{
    struct fixture_db *f = *state;
    struct store *st;
    struct bg_run a, b;
    int64_t before, g, id;

    make_run(&a, "main", 1000, 3, 5);
    make_run(&b, "main", 2000, 3, 5);
    st = open_store(f);
    assert_int_equal(store_put_run(st, &a), 0);
    before = total_rows(f);
    g = generation(st);

    /* the server kills the connection as it writes the second run's results */
    exec_sql(f, "CREATE FUNCTION die() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "IF NEW.run_id > (SELECT min(id) FROM runs) THEN "
                "PERFORM pg_terminate_backend(pg_backend_pid()); END IF; RETURN NEW; END $$; "
                "CREATE TRIGGER die BEFORE INSERT ON results FOR EACH ROW EXECUTE FUNCTION die()");
    assert_int_equal(store_put_run(st, &b), -1);
    assert_true(store_unavailable(st));
    assert_non_null(strstr(store_errmsg(st), "database '"));
    assert_int_equal(total_rows(f), before);
    exec_sql(f, "DROP TRIGGER die ON results");

    /* reads and writes work again, on a new connection */
    assert_int_equal(generation(st), g);
    assert_int_equal(store_put_run(st, &b), 0);
    assert_int_equal(store_latest_run(st, "proj", "main", 0, &id), 1);
    assert_int_equal(id, b.id);

    /* a connection killed between calls costs a read nothing */
    exec_sql(f, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'benchgate' AND pid <> pg_backend_pid()");
    assert_true(generation(st) > g);
    close_store(st);
    bg_run_release(&a);
    bg_run_release(&b);
}

struct opener {
    const char *loc;
    int rc;
    char msg[BG_DIAG_MAX];
};

static void *open_in_thread(void *arg)
{
    struct opener *o = arg;
    struct store *st = NULL;
    struct bg_diag d = { 0 };

    o->rc = store_open(o->loc, true, &st, &d);
    snprintf(o->msg, sizeof(o->msg), "%s", d.msg);
    if (o->rc == 0)
        o->rc = store_close(st, &d);
    return NULL;
}

/* Replicas starting together on a new database: each opens, one migrates. */
static void test_pg_concurrent_migration(void **state)
{
    struct fixture_db *f = *state;
    struct opener o[8];
    pthread_t t[8];

    for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
        o[i] = (struct opener){ f->loc, -9, "" };
        assert_int_equal(pthread_create(&t[i], NULL, open_in_thread, &o[i]), 0);
    }
    for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        if (o[i].rc != 0)
            fail_msg("opener %zu: %s", i, o[i].msg);
    }
    assert_int_equal(query_int(f, "SELECT count(*) FROM schema_migrations"),
                     store_schema_version("postgres"));
    assert_int_equal(query_int(f, "SELECT count(*) FROM generation"), 16);
}

int main(void)
{
    const struct CMUnitTest common[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_run_writes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unit_conflict_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_latest_run_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_summary_only_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_generation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prune, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import, setup, teardown),
        cmocka_unit_test(test_locator_display),
    };
    const struct CMUnitTest sqlite_only[] = {
        cmocka_unit_test_setup_teardown(test_sqlite_open_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sqlite_not_a_database, setup, teardown),
    };
    const struct CMUnitTest pg_only[] = {
        cmocka_unit_test_setup_teardown(test_pg_open_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pg_dropped_connection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pg_concurrent_migration, setup, teardown),
    };
    const char *pg = getenv("BENCHGATE_TEST_PG");
    int failed;

    if (pg != NULL && *pg != '\0') {
        pg_base = pg;
        failed = cmocka_run_group_tests_name("store on PostgreSQL", common, NULL, NULL);
        return failed + cmocka_run_group_tests_name("store, PostgreSQL only", pg_only, NULL,
                                                    NULL);
    }
    failed = cmocka_run_group_tests_name("store on SQLite", common, NULL, NULL);
    return failed + cmocka_run_group_tests_name("store, SQLite only", sqlite_only, NULL, NULL);
}
