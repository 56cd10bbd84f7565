/*
 * test_route.c: the server's rules for hostile URLs (percent-decoding,
 * splitting, limits, matching) and the shape and checking of tokens.
 */
#include "tests/unit/harness.h"
#include "server/route.h"
#include "server/token.h"

static void test_decode(void **state)
{
    char out[32];
    const char *why = NULL;

    (void)state;
    assert_int_equal(route_decode("a%2Fb", 5, false, out, sizeof(out), &why), 3);
    assert_string_equal(out, "a/b");
    assert_int_equal(route_decode("x+y%20z", 7, true, out, sizeof(out), &why), 5);
    assert_string_equal(out, "x y z");
    /* '+' is literal in a path */
    assert_int_equal(route_decode("x+y", 3, false, out, sizeof(out), &why), 3);
    assert_string_equal(out, "x+y");
    assert_int_equal(route_decode("%e2%82%ac", 9, false, out, sizeof(out), &why), 3);
    assert_string_equal(out, "\xe2\x82\xac");
}

static void test_decode_refuses(void **state)
{
    char out[8];
    const char *why = NULL;

    (void)state;
    assert_int_equal(route_decode("a%00b", 5, false, out, sizeof(out), &why), -1);
    assert_non_null(strstr(why, "NUL"));
    why = NULL;
    assert_int_equal(route_decode("a%2", 3, false, out, sizeof(out), &why), -1);
    assert_non_null(strstr(why, "escape"));
    assert_int_equal(route_decode("%zz", 3, false, out, sizeof(out), &why), -1);
    assert_int_equal(route_decode("%", 1, false, out, sizeof(out), &why), -1);
    why = NULL;
    assert_int_equal(route_decode("123456789", 9, false, out, sizeof(out), &why), -1);
    assert_non_null(strstr(why, "too long"));
    /* exactly fits: 7 bytes and the NUL */
    assert_int_equal(route_decode("1234567", 7, false, out, sizeof(out), &why), 7);
}

static void test_split(void **state)
{
    struct route_path p;
    const char *why = NULL;

    (void)state;
    assert_int_equal(route_split("/api/v1/projects/acme%2Fwidgets/runs/", &p, &why), 0);
    assert_int_equal(p.n, 5);
    assert_string_equal(p.seg[3], "acme/widgets");
    assert_string_equal(p.seg[4], "runs");
    assert_int_equal(route_split("/", &p, &why), 0);
    assert_int_equal(p.n, 0);
    assert_int_equal(route_split("/healthz", &p, &why), 0);
    assert_int_equal(p.n, 1);
    assert_string_equal(p.seg[0], "healthz");
}

static void test_split_refuses(void **state)
{
    struct route_path p;
    const char *why = NULL;
    char *long_path = malloc(ROUTE_MAX_URL + 2);

    (void)state;
    assert_int_equal(route_split("/a/%00/b", &p, &why), -1);
    assert_int_equal(route_split("relative", &p, &why), -1);
    assert_int_equal(route_split("/1/2/3/4/5/6/7/8/9", &p, &why), -1);
    assert_non_null(strstr(why, "segments"));
    memset(long_path, 'a', ROUTE_MAX_URL + 1);
    long_path[0] = '/';
    long_path[ROUTE_MAX_URL + 1] = '\0';
    assert_int_equal(route_split(long_path, &p, &why), -1);
    assert_non_null(strstr(why, "too long"));
    free(long_path);
}

static void test_match(void **state)
{
    struct route_path p;
    const char *params[ROUTE_MAX_SEGS], *why;
    size_t n;

    (void)state;
    assert_int_equal(route_split("/api/v1/projects/a%2Fb/benchmarks/x%2Fy/history", &p, &why), 0);
    assert_true(route_match("api/v1/projects/:p/benchmarks/:name/history", &p, params, &n));
    assert_int_equal(n, 2);
    assert_string_equal(params[0], "a/b");
    assert_string_equal(params[1], "x/y");
    assert_false(route_match("api/v1/projects/:p/benchmarks", &p, params, &n));
    assert_false(route_match("api/v1/projects/:p/benchmarks/:name/history/more", &p, params, &n));
    assert_false(route_match("api/v2/projects/:p/benchmarks/:name/history", &p, params, &n));
    /* a literal must match whole, not as a prefix */
    assert_int_equal(route_split("/healthzz", &p, &why), 0);
    assert_false(route_match("healthz", &p, params, &n));
}

static void test_query(void **state)
{
    struct route_query q = { .n = 0 };
    const char *why = NULL;

    (void)state;
    assert_int_equal(route_query_add(&q, "branch", "feature%2Fx", &why), 0);
    assert_int_equal(route_query_add(&q, "meta", "os=linux+6", &why), 0);
    assert_int_equal(route_query_add(&q, "flag", NULL, &why), 0);
    assert_string_equal(route_query_get(&q, "branch"), "feature/x");
    assert_string_equal(route_query_get(&q, "meta"), "os=linux 6");
    assert_string_equal(route_query_get(&q, "flag"), "");
    assert_null(route_query_get(&q, "missing"));
    assert_int_equal(route_query_add(&q, "bad", "%00", &why), -1);
    assert_int_equal(q.n, 3); /* nothing added by a refused pair */
    for (int i = 3; i < ROUTE_MAX_QUERY; i++)
        assert_int_equal(route_query_add(&q, "k", "v", &why), 0);
    assert_int_equal(route_query_add(&q, "one", "more", &why), -1);
    assert_non_null(strstr(why, "too many"));
    route_query_release(&q);
    assert_int_equal(q.n, 0);
}

static void test_token_roundtrip(void **state)
{
    char token[TOKEN_LEN + 1], id[TOKEN_ID_LEN + 1], id2[TOKEN_ID_LEN + 1];
    unsigned char hash[STORE_TOKEN_HASH], hash2[STORE_TOKEN_HASH];
    char other[TOKEN_LEN + 1];

    (void)state;
    assert_int_equal(token_generate(token, id, hash), 0);
    assert_int_equal(strlen(token), TOKEN_LEN);
    assert_memory_equal(token, "bg_", 3);
    assert_int_equal(token_parse(token, id2, hash2), 0);
    assert_string_equal(id, id2);
    assert_memory_equal(hash, hash2, STORE_TOKEN_HASH);
    /* two tokens never share an id or a secret */
    assert_int_equal(token_generate(other, id2, hash2), 0);
    assert_string_not_equal(token, other);
    assert_memory_not_equal(hash, hash2, STORE_TOKEN_HASH);
}

static void test_token_known_hash(void **state)
{
    /* SHA-256 of 64 '0' characters, computed independently (sha256sum) */
    static const char *expect =
        "60e05bd1b195af2f94112fa7197a5c88289058840ce7c6df9693756bc6250f55";
    char token[TOKEN_LEN + 1], id[TOKEN_ID_LEN + 1], hex[2 * STORE_TOKEN_HASH + 1];
    unsigned char hash[STORE_TOKEN_HASH];

    (void)state;
    snprintf(token, sizeof(token), "bg_%016d_%064d", 0, 0);
    assert_int_equal(token_parse(token, id, hash), 0);
    for (size_t i = 0; i < STORE_TOKEN_HASH; i++)
        snprintf(hex + 2 * i, 3, "%02x", hash[i]);
    assert_string_equal(hex, expect);
}

static void test_token_malformed(void **state)
{
    char token[TOKEN_LEN + 1], id[TOKEN_ID_LEN + 1];
    unsigned char hash[STORE_TOKEN_HASH];

    (void)state;
    assert_int_equal(token_generate(token, id, hash), 0);
    token[TOKEN_LEN - 1] = 'G'; /* not hex */
    assert_int_equal(token_parse(token, id, hash), -1);
    assert_int_equal(token_parse("", id, hash), -1);
    assert_int_equal(token_parse("bg_short_abc", id, hash), -1);
    assert_int_equal(token_generate(token, id, hash), 0);
    token[0] = 'x';
    assert_int_equal(token_parse(token, id, hash), -1);
    assert_int_equal(token_generate(token, id, hash), 0);
    token[3 + TOKEN_ID_LEN] = '-';
    assert_int_equal(token_parse(token, id, hash), -1);
    /* one byte longer */
    {
        char longer[TOKEN_LEN + 2];

        assert_int_equal(token_generate(token, id, hash), 0);
        snprintf(longer, sizeof(longer), "%sa", token);
        assert_int_equal(token_parse(longer, id, hash), -1);
    }
}

/* The Authorization header: Bearer as given, Basic as a browser sends it
 * (any user, the token as the password), anything else refused. */
static void test_token_from_header(void **state)
{
    char buf[TOKEN_LEN + 1];

    (void)state;
    assert_null(token_from_header(NULL, buf));
    assert_string_equal(token_from_header("Bearer bg_x", buf), "bg_x");
    assert_string_equal(token_from_header("bearer   bg_x", buf), "bg_x");
    /* base64("me:bg_tok") */
    assert_string_equal(token_from_header("Basic bWU6YmdfdG9r", buf), "bg_tok");
    /* base64(":bg_tok"): no user name */
    assert_string_equal(token_from_header("Basic OmJnX3Rvaw==", buf), "bg_tok");
    assert_null(token_from_header("Basic bWU=", buf));        /* "me": no colon */
    assert_null(token_from_header("Basic !!!!", buf));        /* not base64 */
    assert_null(token_from_header("Digest x", buf));
    assert_null(token_from_header("bg_tok", buf));
    /* "x:" and 100 bytes: a password longer than any token */
    assert_null(token_from_header("Basic eDphYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFh", buf));
    {
        /* a password longer than any token, and a header longer than any
         * encoding of one: refused, never copied */
        char hdr[600] = "Basic ";

        memset(hdr + 6, 'Q', sizeof(hdr) - 7);
        hdr[sizeof(hdr) - 1] = '\0';
        assert_null(token_from_header(hdr, buf));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_decode_refuses),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_split_refuses),
        cmocka_unit_test(test_match),
        cmocka_unit_test(test_query),
        cmocka_unit_test(test_token_roundtrip),
        cmocka_unit_test(test_token_known_hash),
        cmocka_unit_test(test_token_malformed),
        cmocka_unit_test(test_token_from_header),
    };

    return cmocka_run_group_tests_name("route", tests, NULL, NULL);
}
