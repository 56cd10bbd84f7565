/*
 * test_store.c: the SQLite store: round trips, one-transaction writes,
 * migrations, and run selection. The test reads the database with sqlite3
 * directly to see what really landed (product code never does).
 */
#include "tests/unit/harness.h"
#include "core/store.h"

#include <sqlite3.h>
#include <unistd.h>

struct fixture_db {
    char dir[64];
    char path[128];
};

static int setup(void **state)
{
    struct fixture_db *f = bg_xcalloc(1, sizeof(*f));

    snprintf(f->dir, sizeof(f->dir), "/tmp/bg-test-store-XXXXXX");
    if (mkdtemp(f->dir) == NULL)
        return -1;
    snprintf(f->path, sizeof(f->path), "%s/t.db", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture_db *f = *state;
    const char *const suffix[] = { "", "-wal", "-shm" };
    char p[160];

    for (size_t i = 0; i < ARRAY_SIZE(suffix); i++) {
        snprintf(p, sizeof(p), "%s%s", f->path, suffix[i]);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

/* Number from a one-value query, read straight from the file. */
static int64_t query_int(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    int64_t v = -1;

    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    if (sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
    return v;
}

static int64_t total_rows(const char *path)
{
    return query_int(path, "SELECT (SELECT count(*) FROM projects) + (SELECT count(*) FROM "
                           "branches) + (SELECT count(*) FROM environments) + (SELECT count(*) "
                           "FROM runs) + (SELECT count(*) FROM benchmarks) + (SELECT count(*) "
                           "FROM results)");
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
    assert_int_equal(store_open(f->path, true, &st), 0);
    assert_int_equal(store_put_run(st, &in), 0);
    assert_true(in.id > 0);
    bg_run_init(&out);
    assert_int_equal(store_load_run(st, in.id, &out), 1);
    assert_int_equal(store_close(st), 0);

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
    }
    assert_int_equal(out.results[0].n_params, 1);
    assert_string_equal(out.results[0].params[0].value, "9");
    assert_int_equal(store_schema_version(), (int)query_int(f->path, "PRAGMA user_version"));
    assert_int_equal(query_int(f->path, "SELECT length(samples) FROM results LIMIT 1"), 7 * 8);
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
    int64_t before;

    make_run(&good, "main", 1000, 2, 5);
    assert_int_equal(store_open(f->path, true, &st), 0);
    assert_int_equal(store_put_run(st, &good), 0);
    before = total_rows(f->path);

    make_run(&bad, "feature", 2000, 2, 5);
    bg_set_str(&bad.project, "another");
    bg_set_str(&bad.results[1].name, bad.results[0].name); /* after validation */
    assert_int_equal(store_put_run(st, &bad), -1);
    assert_int_equal(total_rows(f->path), before);
    assert_int_equal(query_int(f->path, "SELECT count(*) FROM projects WHERE name = 'another'"),
                     0);
    /* the connection is usable after the rollback */
    bg_set_str(&bad.results[1].name, "bench 1b");
    assert_int_equal(store_put_run(st, &bad), 0);
    assert_int_equal(store_close(st), 0);
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
    assert_int_equal(store_open(f->path, true, &st), 0);
    assert_int_equal(store_put_run(st, &a), 0);
    before = total_rows(f->path);
    assert_int_equal(store_put_run(st, &b), STORE_REJECTED);
    assert_int_equal(total_rows(f->path), before);
    assert_int_equal(store_close(st), 0);
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
    assert_int_equal(store_open(f->path, true, &st), 0);
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
    assert_int_equal(store_close(st), 0);
    bg_run_release(&r1);
    bg_run_release(&r2);
    bg_run_release(&r3);
    bg_run_release(&r4);
}

static void test_open_rules(void **state)
{
    struct fixture_db *f = *state;
    struct store *st;
    sqlite3 *db;

    /* check must not invent a database */
    assert_int_equal(store_open(f->path, false, &st), -1);
    assert_null(st);
    assert_int_equal(access(f->path, F_OK), -1);

    /* a new one is migrated and in WAL mode; reopening is a no-op */
    assert_int_equal(store_open(f->path, true, &st), 0);
    assert_int_equal(store_close(st), 0);
    assert_int_equal(store_open(f->path, false, &st), 0);
    assert_int_equal(store_close(st), 0);
    assert_int_equal(query_int(f->path, "PRAGMA user_version"), store_schema_version());
    assert_int_equal(query_int(f->path, "SELECT count(*) FROM pragma_journal_mode "
                                        "WHERE journal_mode = 'wal'"), 1);

    /* a database from a newer benchgate is refused, not damaged */
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
    assert_int_equal(store_open(f->path, true, &st), -1);
    assert_int_equal(query_int(f->path, "PRAGMA user_version"), 99);
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
    assert_int_equal(store_open(f->path, true, &st), 0);
    assert_int_equal(store_put_run(st, &in), 0);
    bg_run_init(&out);
    assert_int_equal(store_load_run(st, in.id, &out), 1);
    assert_int_equal(store_close(st), 0);
    assert_true(out.results[1].summary_only);
    assert_int_equal(out.results[1].sum.n, 20);
    assert_near(out.results[1].sum.mean, 627.25, 0.0);
    assert_near(out.results[1].sum.stddev, 3.5, 0.0);
    assert_true(isnan(out.results[1].sum.p95) && isnan(out.results[1].sum.min));
    assert_int_equal(out.results[1].n_samples, 0);
    assert_null(out.results[1].samples);
    assert_int_equal(query_int(f->path, "SELECT count(*) FROM results WHERE p95 IS NULL "
                                        "AND samples IS NULL"), 1);
    bg_run_release(&in);
    bg_run_release(&out);
}

static void test_not_a_database(void **state)
{
    struct fixture_db *f = *state;
    struct store *st;
    FILE *fp = fopen(f->path, "w");

    assert_non_null(fp);
    fputs("this is not a database, just some text that is long enough to have a header\n", fp);
    fclose(fp);
    assert_int_equal(store_open(f->path, true, &st), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_run_writes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unit_conflict_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_latest_run_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_summary_only_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_a_database, setup, teardown),
    };

    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
