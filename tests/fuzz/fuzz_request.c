/*
 * fuzz_request.c: whole requests through the server's routes, without a
 * socket: the path and query as libmicrohttpd hands them over, a valid
 * upload token (or none), and the body. Uploads reach the harness parsers,
 * the run's checks and the store; GETs reach the API and the pages.
 *
 * Input: byte 0 is flags (bit 0: POST, else GET; bit 1: no token; bit 2: a
 * private server; bit 3: a browser's Accept: text/html), then the path up to '\n', then "k=v&k=v" up to '\n', then
 * the body. Invariants: the answer is a status the API documents, never 500;
 * a request that did not answer 201 left the database as it was.
 */
#include "tests/fuzz/fuzz.h"
#include "core/err.h"
#include "core/store.h"
#include "server/http.h"
#include "server/route.h"
#include "server/routes.h"
#include "server/token.h"

#include <string.h>
#include <unistd.h>

#define RESET_AFTER 200 /* changes (generations) before the database starts afresh */

static char db_dir[64], db_path[96], bearer[TOKEN_LEN + 16];
static struct store *st;
static const struct http_config cfg_public = { 8u << 20, false, 1 },
                                cfg_private = { 8u << 20, true, 1 };

static void answer(const char *method, const char *path_text, const char *body, bool token,
                   bool private_reads, struct http_response *rs)
{
    struct route_path path;
    struct route_query query = { .n = 0 };
    const char *why;
    struct http_request rq;

    FUZZ_CHECK(route_split(path_text, &path, &why) == 0);
    rq = (struct http_request){ method, &path, &query, token ? bearer : NULL, body, strlen(body),
                               st, private_reads ? &cfg_private : &cfg_public, NULL };
    routes_handle(&rq, rs);
}

/* A fresh database: the project's token and one run, so pages have data. */
static void fresh_store(void)
{
    char token[TOKEN_LEN + 1], id[TOKEN_ID_LEN + 1];
    unsigned char hash[STORE_TOKEN_HASH];
    struct http_response rs = HTTP_RESPONSE_INIT;

    if (st != NULL) {
        store_close(st, NULL);
        unlink(db_path);
    }
    FUZZ_CHECK(store_open(db_path, true, &st, NULL) == 0);
    FUZZ_CHECK(token_generate(token, id, hash) == 0);
    FUZZ_CHECK(store_token_add(st, "fuzz", id, hash, "fuzz") == 0);
    snprintf(bearer, sizeof(bearer), "Bearer %s", token);
    answer("POST", "/api/v1/projects/fuzz/runs",
           "{\"results\": [{\"command\": \"a\", \"times\": [1, 2, 3, 4, 5, 6]}]}", true, false,
           &rs);
    FUZZ_CHECK(rs.status == 201);
    bg_buf_release(&rs.body);
}

static void setup(void)
{
    /* in memory where there is a tmpfs: each upload is an fsync'd transaction */
    const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

    snprintf(db_dir, sizeof(db_dir), "%s/benchgate-fuzz.XXXXXX", dir);
    FUZZ_CHECK(mkdtemp(db_dir) != NULL);
    snprintf(db_path, sizeof(db_path), "%s/fuzz.db", db_dir);
    fresh_store();
}

static void teardown(void)
{
    char wal[128];

    store_close(st, NULL);
    unlink(db_path);
    snprintf(wal, sizeof(wal), "%s-wal", db_path);
    unlink(wal);
    snprintf(wal, sizeof(wal), "%s-shm", db_path);
    unlink(wal);
    rmdir(db_dir);
}

static bool documented(int status)
{
    static const int ok[] = { 200, 201, 400, 401, 403, 404, 405, 409, 413, 503 };

    for (size_t i = 0; i < ARRAY_SIZE(ok); i++)
        if (status == ok[i])
            return true;
    return false;
}

/* Splits "k=v&k=v" into the query as libmicrohttpd would hand it over. */
static bool add_query(char *q, struct route_query *query)
{
    const char *why;

    char *save = NULL;

    for (char *pair = strtok_r(q, "&", &save); pair != NULL; pair = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(pair, '=');

        if (eq != NULL)
            *eq++ = '\0';
        if (route_query_add(query, pair, eq != NULL ? eq : "", &why) < 0)
            return false;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    char *buf, *path, *q, *body, *nl;
    struct route_path rpath;
    struct route_query query = { .n = 0 };
    struct http_response rs = HTTP_RESPONSE_INIT;
    struct http_request rq;
    int64_t before, after;
    const char *why;
    uint8_t flags;

    if (!ready) {
        setup();
        atexit(teardown);
        ready = true;
    }
    if (size < 2)
        return 0;
    flags = data[0];
    buf = bg_xmalloc(size + 1); /* with a '/' in front of the path */
    buf[0] = '/';
    memcpy(buf + 1, data + 1, size - 1);
    buf[size] = '\0';
    path = buf;
    q = body = buf + size; /* the terminating NUL: empty */
    if ((nl = strchr(path, '\n')) != NULL) {
        *nl = '\0';
        q = nl + 1;
        if ((nl = strchr(q, '\n')) != NULL) {
            *nl = '\0';
            body = nl + 1;
        } else {
            body = q + strlen(q);
        }
    }
    if (route_split(path, &rpath, &why) < 0 || !add_query(q, &query))
        goto out; /* the server answers 400 before any route */
    FUZZ_CHECK(store_generation(st, &before) == 0);
    rq = (struct http_request){ (flags & 1) ? "POST" : "GET", &rpath, &query,
                               (flags & 2) ? NULL : bearer, body,
                               (size_t)(buf + size - body), st,
                               (flags & 4) ? &cfg_private : &cfg_public,
                               (flags & 8) ? "text/html,*/*" : NULL };
    routes_handle(&rq, &rs);
    if (!documented(rs.status)) {
        fprintf(stderr, "status %d: %.*s\n", rs.status, (int)rs.body.len, rs.body.data);
        FUZZ_CHECK(documented(rs.status));
    }
    FUZZ_CHECK(store_generation(st, &after) == 0);
    FUZZ_CHECK(rs.status == 201 || after == before);
    if (after > RESET_AFTER)
        fresh_store();
out:
    route_query_release(&query);
    bg_buf_release(&rs.body);
    free(buf);
    return 0;
}
