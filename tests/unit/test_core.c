/*
 * test_core.c: the buffers (unbounded appends, bounded ones that refuse),
 * bounded reads of files and children, the sort, and the hash whose values
 * are stored in databases.
 */
#include "tests/unit/harness.h"
#include "core/buf.h"
#include "core/hash.h"
#include "core/model.h"
#include "core/num.h"
#include "core/opt.h"
#include "core/spawn.h"
#include "core/stats.h"

#include <unistd.h>

static void test_buf_grows(void **state)
{
    struct bg_buf b = BG_BUF_INIT;

    (void)state;
    assert_string_equal(b.data, "");
    for (int i = 0; i < 1000; i++)
        bg_buf_addf(&b, "%d,", i);
    assert_int_equal(b.len, strlen(b.data));
    assert_memory_equal(b.data, "0,1,2,", 6);
    assert_string_equal(b.data + b.len - 4, "999,");
    bg_buf_reset(&b);
    assert_string_equal(b.data, "");
    bg_buf_adds(&b, "x");
    bg_buf_add(&b, "yz", 2);
    assert_string_equal(b.data, "xyz");
    bg_buf_reset(&b);
    bg_buf_add_url_part(&b, "acme/w dgets~_.-\xc3\xa9\"<");
    assert_string_equal(b.data, "acme%2Fw%20dgets~_.-%C3%A9%22%3C");
    bg_buf_release(&b);
    /* resetting or detaching a buffer that never grew leaves the shared "" alone */
    bg_buf_reset(&b);
    free(bg_buf_detach(&b, NULL));
    assert_string_equal(bg_buf_empty, "");
}

static void test_limbuf_refuses_past_max(void **state)
{
    struct bg_limbuf b = BG_LIMBUF_INIT(5);

    (void)state;
    assert_int_equal(bg_limbuf_adds(&b, "abc"), 0);
    assert_int_equal(bg_limbuf_adds(&b, "def"), -1); /* would be 6 bytes */
    assert_string_equal(b.buf.data, "abc");          /* unchanged */
    assert_int_equal(bg_limbuf_add(&b, "de", 2), 0); /* exactly at max */
    assert_int_equal(bg_limbuf_add(&b, "f", 1), -1);
    assert_int_equal(bg_limbuf_add(&b, "", 0), 0);
    assert_string_equal(b.buf.data, "abcde");
    bg_buf_release(&b.buf);
}

static void test_read_file_bounded(void **state)
{
    char path[] = "/tmp/bg-test-core-XXXXXX";
    struct bg_buf b = BG_BUF_INIT;
    struct bg_diag d = { 0 };
    int fd = mkstemp(path);

    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "0123456789", 10), 10);
    close(fd);
    assert_int_equal(bg_buf_read_file(&b, path, 10, &d), 0);
    assert_string_equal(b.data, "0123456789");
    bg_buf_reset(&b);
    assert_int_equal(bg_buf_read_file(&b, path, 9, &d), -1);
    assert_non_null(strstr(d.msg, "more than the limit of 9"));
    assert_int_equal(bg_buf_read_file(&b, "/nonexistent/x", 9, &d), -1);
    assert_non_null(strstr(d.msg, "cannot open"));
    unlink(path);
    bg_buf_release(&b);
}

/* A child that says more than the buffer holds fails the call: its output
 * is never silently cut. */
static void test_spawn_output_bounded(void **state)
{
    const char *const ok[] = { "echo", "hello", NULL };
    const char *const loud[] = { "seq", "100000", NULL };
    struct bg_limbuf out = BG_LIMBUF_INIT(64);

    (void)state;
    assert_int_equal(bg_spawn_capture(ok, NULL, &out, 5000), 0);
    assert_string_equal(out.buf.data, "hello\n");
    bg_buf_reset(&out.buf);
    assert_int_equal(bg_spawn_capture(loud, NULL, &out, 5000), -1);
    assert_true(out.buf.len <= 64);
    assert_int_equal(bg_spawn_capture(loud, NULL, NULL, 5000), 0); /* read and dropped */
    bg_buf_release(&out.buf);
}

/*
 * A job that prints past max_out and exits before its output is read fails
 * all the same (BG_JOB_TOO_MUCH), never passes with its output cut; a job
 * within the bound keeps all of it.
 */
static void test_jobs_output_bounded_after_exit(void **state)
{
    const char *const loud[] = { "head", "-c", "5000", "/dev/zero", NULL };
    const char *const quiet[] = { "head", "-c", "1000", "/dev/zero", NULL };
    char path[] = "/tmp/bg-test-job-XXXXXX";
    int fd = mkstemp(path);

    (void)state;
    assert_true(fd >= 0);
    unlink(path);
    for (int i = 0; i < 20; i++) {
        struct bg_job job;

        bg_job_init(&job, i % 2 == 0 ? loud : quiet, 5000);
        assert_int_equal(ftruncate(fd, 0), 0);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        job.out_fd = fd;
        job.max_out = 1024;
        assert_int_equal(bg_jobs_run(&job, 1, NULL), i % 2 == 0 ? 1 : 0);
        if (i % 2 == 0) {
            assert_int_equal(job.end, BG_JOB_TOO_MUCH);
        } else {
            assert_int_equal(job.end, BG_JOB_EXITED);
            assert_int_equal(lseek(fd, 0, SEEK_END), 1000);
        }
    }
    close(fd);
}

static void test_sort(void **state)
{
    double small[] = { 3, 1, 2, 1 }, big[200];

    (void)state;
    stats_sort(small, 4);
    assert_near(small[0], 1, 0);
    assert_near(small[1], 1, 0);
    assert_near(small[3], 3, 0);
    for (size_t i = 0; i < ARRAY_SIZE(big); i++)
        big[i] = (double)((i * 7919) % 200);
    stats_sort(big, ARRAY_SIZE(big));
    for (size_t i = 1; i < ARRAY_SIZE(big); i++)
        assert_true(big[i - 1] <= big[i]);
}

/* FNV-1a's published values: fingerprints in stored databases depend on them. */
static void test_hash_is_fnv1a(void **state)
{
    (void)state;
    assert_true(bg_hash_str(BG_HASH_INIT, "") == UINT64_C(0xcbf29ce484222325));
    assert_true(bg_hash_str(BG_HASH_INIT, "a") == UINT64_C(0xaf63dc4c8601ec8c));
    assert_true(bg_hash_str(BG_HASH_INIT, "foobar") == UINT64_C(0x85944171f73967e8));
    assert_true(bg_hash_str(BG_HASH_INIT, NULL) == BG_HASH_INIT);
}

/* A machine's fingerprint is stored with every run: it must never change. */
static void test_fingerprint_is_stable(void **state)
{
    struct bg_env env = { 0 };
    char cpu[] = "Test CPU", os[] = "Debian GNU/Linux 12 (bookworm)", kernel[] = "6.1.0",
         arch[] = "x86_64";

    (void)state;
    env.cpu_model = cpu;
    env.os = os;
    env.kernel = kernel;
    env.arch = arch;
    env.cores = 2;
    env.memory_bytes = INT64_C(8) << 30;
    bg_env_fingerprint(&env);
    assert_string_equal(env.fingerprint, "df01b9cf78d2a79a");
}

/* ---- the option table ---- */

struct t_opts {
    const char *db, *name;
    int64_t n;
    size_t size;
    unsigned u;
    double x;
    int choice;
    bool flag;
    int calls;
};

static const struct bg_int_range t_ints = { 1, 10 };
static const struct bg_real_range t_reals = { 0.0, 1.0 };
static const char *const t_choices[] = { "text", "json", NULL };

static int t_call(void *opts, const char *value, struct bg_diag *d)
{
    if (strcmp(value, "bad") == 0)
        return bg_fail(d, "'%s': is bad", value);
    ((struct t_opts *)opts)->calls++;
    return 0;
}

static const struct bg_opt t_table[] = {
    BG_OPT_DB(struct t_opts, db),
    { "name", 0, "NAME", BG_OPT_NAME, offsetof(struct t_opts, name), .help = "a name" },
    { "count", 'n', "N", BG_OPT_INT, offsetof(struct t_opts, n), .ints = &t_ints,
      .help = "how many" },
    { "size", 0, "N", BG_OPT_SIZE, offsetof(struct t_opts, size), .ints = &t_ints,
      .help = "how big" },
    { "small", 0, "N", BG_OPT_UINT, offsetof(struct t_opts, u), .ints = &t_ints,
      .help = "how small" },
    { "ratio", 'r', "F", BG_OPT_REAL, offsetof(struct t_opts, x), .reals = &t_reals,
      .help = "a fraction" },
    { "output", 'o', "F", BG_OPT_CHOICE, offsetof(struct t_opts, choice),
      .choices = t_choices, .help = "format" },
    { "flag", 'f', NULL, BG_OPT_FLAG, offsetof(struct t_opts, flag), .help = "a flag" },
    { "call", 0, "X", BG_OPT_CALL, .call = t_call, .help = "repeatable" },
};

static const struct bg_command t_cmd = {
    "test", "[options] FILE...", "About.", t_table, ARRAY_SIZE(t_table), "Exit status: 0.\n",
};

/* Parses the words of line (at most 31) into o; the result, with the
 * arguments left in *args and *n. */
static enum bg_parse parse(char *line, struct t_opts *o, char ***args, int *n,
                           struct bg_diag *d)
{
    static char *argv[32];
    int argc = 0;

    for (char *save = NULL, *w = strtok_r(line, " ", &save); w != NULL && argc < 31;
         w = strtok_r(NULL, " ", &save))
        argv[argc++] = w;
    argv[argc] = NULL;
    return bg_opt_parse(&t_cmd, argc, argv, o, args, n, d);
}

static void test_opt_parses_every_kind(void **state)
{
    char line[] = "test a --db x.db --name=n -n 3 --size 4 --small 5 -r0.5 -o json -f "
                  "--call 1 --call 2 b";
    struct t_opts o = { .x = 0.25 };
    struct bg_diag d = { 0 };
    char **args;
    int n;

    (void)state;
    assert_int_equal(parse(line, &o, &args, &n, &d), BG_PARSE_OK);
    assert_string_equal(o.db, "x.db");
    assert_string_equal(o.name, "n");
    assert_int_equal(o.n, 3);
    assert_int_equal(o.size, 4);
    assert_int_equal(o.u, 5);
    assert_near(o.x, 0.5, 0);
    assert_int_equal(o.choice, 1);
    assert_true(o.flag);
    assert_int_equal(o.calls, 2);
    /* options and arguments in any order; the arguments keep theirs */
    assert_int_equal(n, 2);
    assert_string_equal(args[0], "a");
    assert_string_equal(args[1], "b");
}

static void test_opt_refuses_with_reason(void **state)
{
    static const struct { const char *line, *msg; } bad[] = {
        { "test --count 0", "--count '0': too small (1 to 10)" },
        { "test --count x", "--count 'x': not a" },
        { "test -r 2", "--ratio '2': too large (0 to 1)" },
        { "test -o xml", "--output 'xml': expected text or json" },
        { "test --db=", "--db: expected LOCATOR, got an empty value" },
        { "test --call bad", "--call 'bad': is bad" },
        { "test --nope", "unknown or incomplete option '--nope'" },
        { "test --count", "unknown or incomplete option '--count'" },
    };

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        char line[64];
        struct t_opts o = { 0 };
        struct bg_diag d = { 0 };
        char **args;
        int n;

        snprintf(line, sizeof(line), "%s", bad[i].line);
        assert_int_equal(parse(line, &o, &args, &n, &d), BG_PARSE_BAD);
        if (strstr(d.msg, bad[i].msg) == NULL)
            fail_msg("'%s' said '%s', expected '%s'", bad[i].line, d.msg, bad[i].msg);
    }
}

static void test_opt_help(void **state)
{
    char line[] = "test --count 2 --help";
    struct t_opts o = { .n = 7, .x = 0.25 };
    struct bg_diag d = { 0 };
    char buf[4096] = "", **args;
    FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");
    int n;

    (void)state;
    o.name = NULL;
    bg_opt_usage(f, &t_cmd, &o);
    fclose(f);
    /* every option of the table, with what the table knows about it */
    assert_non_null(strstr(buf, "usage: benchgate test [options] FILE...\n\nAbout.\n\n"));
    assert_non_null(strstr(buf, "-n, --count N"));
    assert_non_null(strstr(buf, "how many (default 7; 1 to 10)"));
    assert_non_null(strstr(buf, "a fraction (default 0.25; 0 to 1)"));
    assert_non_null(strstr(buf, "format (text or json; default text)"));
    assert_non_null(strstr(buf, "-f, --flag"));
    assert_non_null(strstr(buf, "-h, --help"));
    assert_non_null(strstr(buf, "\nExit status: 0.\n"));
    for (char *l = buf; *l != '\0'; l += strcspn(l, "\n") + 1)
        assert_true(strcspn(l, "\n") <= 79);
    assert_int_equal(parse(line, &o, &args, &n, &d), BG_PARSE_HELP);
}

/* bg_fmt_fixed writes what snprintf writes: random magnitudes and signs,
 * exact ties (0.125), values a hair off a tie (1.005, 0.285), negative
 * values that round to zero, and what must take the slow path. */
static void test_fmt_fixed_matches_snprintf(void **state)
{
    const double special[] = { 0.0, -0.0, 0.125, -0.125, 1.005, 0.285, 2.675, -0.04, 0.05,
                               9.995, 99.95, 1e14, 123456.789, 1e20, -1e300, 0.5, 1.5, 2.5,
                               NAN, INFINITY, -INFINITY };
    uint64_t seed = 99;
    char got[64], want[64];

    (void)state;
    for (int i = 0; i < 200000; i++) {
        double v;
        int d = i % 7;
        bool plus = (i / 7) % 2;

        if ((size_t)i < ARRAY_SIZE(special) * 14) {
            v = special[(size_t)i / 14 % ARRAY_SIZE(special)];
        } else {
            double u = (double)(stats_splitmix64(&seed) >> 11) / 9007199254740992.0;

            v = (u - 0.5) * pow(10.0, (double)(stats_splitmix64(&seed) % 16) - 6.0);
        }
        assert_int_equal(bg_fmt_fixed(got, sizeof(got), v, d, plus),
                         snprintf(want, sizeof(want), plus ? "%+.*f" : "%.*f", d, v));
        assert_string_equal(got, want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_grows),
        cmocka_unit_test(test_limbuf_refuses_past_max),
        cmocka_unit_test(test_read_file_bounded),
        cmocka_unit_test(test_spawn_output_bounded),
        cmocka_unit_test(test_jobs_output_bounded_after_exit),
        cmocka_unit_test(test_sort),
        cmocka_unit_test(test_fmt_fixed_matches_snprintf),
        cmocka_unit_test(test_hash_is_fnv1a),
        cmocka_unit_test(test_fingerprint_is_stable),
        cmocka_unit_test(test_opt_parses_every_kind),
        cmocka_unit_test(test_opt_refuses_with_reason),
        cmocka_unit_test(test_opt_help),
    };

    return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
