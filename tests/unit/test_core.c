/*
 * test_core.c: the buffers (unbounded appends, bounded ones that refuse),
 * bounded reads of files and children, the sort, and the hash whose values
 * are stored in databases.
 */
#include "tests/unit/harness.h"
#include "core/buf.h"
#include "core/hash.h"
#include "core/model.h"
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
    struct bg_diag d = { "" };
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_grows),
        cmocka_unit_test(test_limbuf_refuses_past_max),
        cmocka_unit_test(test_read_file_bounded),
        cmocka_unit_test(test_spawn_output_bounded),
        cmocka_unit_test(test_sort),
        cmocka_unit_test(test_hash_is_fnv1a),
        cmocka_unit_test(test_fingerprint_is_stable),
    };

    return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
