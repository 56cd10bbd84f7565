/*
 * routes.c: the route table, and the dispatch through the answer cache
 * (see routes.h). Handlers live one family or page per file (handlers.h).
 */
#include "core/bg.h"
#include "server/routes.h"
#include "server/auth.h"
#include "server/cache.h"
#include "server/handlers.h"
#include "server/metrics.h"

struct route {
    const char *method;
    const char *pattern;
    http_handler *fn;
    bool cacheable;   /* the answer depends on runs only (see cache.h) */
    const char *type; /* the Content-Type of a page (errors are pages too); NULL: JSON */
};

#define HTML "text/html; charset=utf-8"
#define SVG "image/svg+xml"

static const struct route routes[] = {
    { "GET", "healthz", api_health, false, NULL },
    { "GET", "metrics", api_metrics, false, NULL },
    { "GET", "api/v1/projects", api_projects, false, NULL },
    { "GET", "api/v1/projects/:p/benchmarks", api_benchmarks, true, NULL },
    { "GET", "api/v1/projects/:p/benchmarks/:name/history", api_history, true, NULL },
    { "GET", "api/v1/projects/:p/runs", api_runs, true, NULL },
    { "POST", "api/v1/projects/:p/runs", api_upload, false, NULL },
    { "GET", "api/v1/projects/:p/runs/:id", api_run, true, NULL },
    { "POST", "api/v1/projects/:p/check", api_check, false, NULL },
    { "POST", "api/v1/projects/:p/baseline", api_baseline, false, NULL },
    /* the dashboards (server/page_*.c) */
    { "GET", "", page_index, true, HTML },
    { "GET", "static/style.css", page_style, false, "text/css; charset=utf-8" },
    { "GET", "p/:p", page_project, true, HTML },
    { "GET", "p/:p/b/:name", page_benchmark, true, HTML },
    { "GET", "p/:p/b/:name/chart.svg", page_chart, true, SVG },
    { "GET", "p/:p/b/:name/spark.svg", page_sparkline, true, SVG },
    { "GET", "p/:p/runs", page_runs, true, HTML },
    { "GET", "p/:p/runs/:id", page_run, true, HTML },
    { "GET", "p/:p/alerts", page_alerts, true, HTML },
    { "GET", "p/:p/alerts.atom", page_alerts_atom, true, "application/atom+xml; charset=utf-8" },
};

/* The request as a cache key: decoded segments and query pairs, each with
 * its length in front, so no part can pass for two (a segment may hold any
 * byte but NUL once decoded). */
static void cache_key(const struct http_request *rq, struct bg_buf *key)
{
    for (size_t i = 0; i < rq->path->n; i++)
        bg_buf_addf(key, "/%zu:%s", strlen(rq->path->seg[i]), rq->path->seg[i]);
    for (size_t i = 0; i < rq->query->n; i++)
        bg_buf_addf(key, "?%zu:%s=%zu:%s", strlen(rq->query->kv[i].key), rq->query->kv[i].key,
                    strlen(rq->query->kv[i].value), rq->query->kv[i].value);
}

/*
 * Runs a cacheable read: from the cache when the store's generation is the
 * one the answer was made at, else by its handler, keeping a whole 200
 * answer. The generation is read first, so whatever the handler reads is at
 * least as new: an answer kept under G never misses a change up to G, and
 * a server never answers older than what it saw committed, whichever
 * server made the change.
 */
static void cached(const struct route *r, const struct http_request *rq,
                   const char *const *params, struct http_response *rs)
{
    struct bg_buf key = BG_BUF_INIT;
    int64_t generation;

    if (rq->path->n > 0 && !auth_project(rq, params[0], false, rs))
        return;
    if (store_generation(rq->st, &generation) < 0) {
        http_store_failed(rs);
        return;
    }
    cache_key(rq, &key);
    if (cache_get(cache_answers, key.data, generation, &rs->body)) {
        metrics_cache(true);
        rs->status = 200;
    } else {
        metrics_cache(false);
        r->fn(rq, params, rs);
        if (rs->status == 200 && !rs->transient)
            cache_put(cache_answers, key.data, generation, rs->body.data, rs->body.len);
    }
    bg_buf_release(&key);
}

void routes_handle(const struct http_request *rq, struct http_response *rs)
{
    const char *params[ROUTE_MAX_SEGS];
    const char *method = strcmp(rq->method, "HEAD") == 0 ? "GET" : rq->method;
    bool path_known = false, get = false, post = false;
    size_t n;

    for (size_t i = 0; i < ARRAY_SIZE(routes); i++) {
        if (!route_match(routes[i].pattern, rq->path, params, &n))
            continue;
        path_known = true;
        get |= strcmp(routes[i].method, "GET") == 0;
        post |= strcmp(routes[i].method, "POST") == 0;
        if (strcmp(routes[i].method, method) != 0)
            continue;
        if (routes[i].type != NULL) {
            rs->content_type = routes[i].type;
            rs->html = true;
        }
        /* every project placeholder comes first; check it once here */
        if (n > 0 && !http_name_ok("project", params[0], rs))
            return;
        /* a private server's index depends on the token, which the key does not hold */
        if (routes[i].cacheable && (n > 0 || !rq->cfg->private_reads))
            cached(&routes[i], rq, params, rs);
        else
            routes[i].fn(rq, params, rs);
        return;
    }
    if (!path_known) {
        /* a browser's wrong address gets a page; the API's, and any client's that
         * does not ask for HTML, the error shape */
        rs->html = (rq->path->n == 0 || strcmp(rq->path->seg[0], "api") != 0) &&
                   rq->accept != NULL && strstr(rq->accept, "text/html") != NULL;
        http_error(rs, 404, "not_found", "%s", rs->html ? "no such page: start from the list of "
                   "projects" : "no such endpoint (see the README's API section)");
        return;
    }
    rs->allow = get && post ? "GET, HEAD, POST" : get ? "GET, HEAD" : "POST";
    http_error(rs, 405, "method_not_allowed", "%s is not allowed here; use %s", rq->method,
               rs->allow);
}

const char *routes_type(const struct route_path *path)
{
    const char *params[ROUTE_MAX_SEGS];
    size_t n;

    for (size_t i = 0; i < ARRAY_SIZE(routes); i++)
        if (strcmp(routes[i].method, "GET") == 0 &&
            route_match(routes[i].pattern, path, params, &n))
            return routes[i].type != NULL ? routes[i].type : "application/json";
    return NULL;
}
