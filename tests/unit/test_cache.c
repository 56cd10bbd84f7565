/*
 * test_cache.c: the server's bounded caches: what was put is found under
 * its version only, a project's worth of charts does not evict itself, and
 * the least recently used entry is the one that goes.
 */
#include "tests/unit/harness.h"
#include "server/cache.h"

static bool has(struct cache *c, const char *key, int64_t version)
{
    struct bg_buf out = BG_BUF_INIT;
    bool hit = cache_get(c, key, version, &out);

    bg_buf_release(&out);
    return hit;
}

static void test_versions(void **state)
{
    struct bg_buf out = BG_BUF_INIT;

    (void)state;
    cache_put(cache_answers, "/p/acme", 7, "page", 4);
    assert_true(cache_get(cache_answers, "/p/acme", 7, &out));
    assert_int_equal(out.len, 4);
    assert_memory_equal(out.data, "page", 4);
    assert_false(has(cache_answers, "/p/acme", 8)); /* another generation */
    assert_false(has(cache_answers, "/p/acm", 7));
    cache_put(cache_answers, "/p/acme", 8, "newer", 5); /* replaces, not adds */
    assert_false(has(cache_answers, "/p/acme", 7));
    assert_true(has(cache_answers, "/p/acme", 8));
    cache_clear(cache_answers);
    assert_false(has(cache_answers, "/p/acme", 8));
    bg_buf_release(&out);
}

/* 3,000 charts (ten pages of 300 sparklines) all stay; a direct-mapped table
 * of 512 slots kept about a sixth of them. */
static void test_no_self_eviction(void **state)
{
    char key[80], body[3000];
    struct cache_stats st;
    size_t kept = 0;

    (void)state;
    memset(body, 'x', sizeof(body));
    for (int i = 0; i < 3000; i++) {
        snprintf(key, sizeof(key), "%064x", i * 2654435761u);
        cache_put(cache_charts, key, 0, body, sizeof(body));
    }
    for (int i = 0; i < 3000; i++) {
        snprintf(key, sizeof(key), "%064x", i * 2654435761u);
        kept += has(cache_charts, key, 0);
    }
    assert_int_equal(kept, 3000);
    cache_stats(cache_charts, &st);
    assert_int_equal(st.entries, 3000);
    assert_int_equal(st.bytes, 3000 * sizeof(body));
    assert_int_equal(st.evictions, 0);
    cache_clear(cache_charts);
}

/* Past its bound in bytes, the least recently used entry goes first. */
static void test_lru(void **state)
{
    static char big[3u << 20];
    struct cache_stats st;
    char key[32];

    (void)state;
    cache_clear(cache_charts);
    /* 64 MiB: 21 entries of 3 MiB fit, the 22nd evicts one */
    for (int i = 0; i < 21; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        cache_put(cache_charts, key, 0, big, sizeof(big));
    }
    assert_true(has(cache_charts, "k0", 0)); /* k0 is now the most recent; k1 the oldest */
    cache_put(cache_charts, "k21", 0, big, sizeof(big));
    assert_true(has(cache_charts, "k0", 0));
    assert_false(has(cache_charts, "k1", 0));
    assert_true(has(cache_charts, "k2", 0));
    assert_true(has(cache_charts, "k21", 0));
    cache_stats(cache_charts, &st);
    assert_int_equal(st.entries, 21);
    assert_true(st.bytes <= 64u << 20);
    assert_true(st.evictions >= 1);
    cache_clear(cache_charts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_no_self_eviction),
        cmocka_unit_test(test_lru),
    };

    return cmocka_run_group_tests_name("cache", tests, NULL, NULL);
}
