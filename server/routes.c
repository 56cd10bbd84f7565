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

#include <stdatomic.h>

struct route {
    const char *method;
    const char *pattern;
    http_handler *fn;
    bool cacheable;   /* the answer depends on runs only (see cache.h) */
    const char *type; /* the Content-Type of a page (errors are pages too); NULL: JSON */
    const char *query; /* the query parameters it reads, space-separated: any other is
                          refused (400), so none can enter the answer cache's key */
    bool light;       /* bounded small work (a sparkline: 30 points, one chart under
                         --chart-procs and --chart-timeout): needs no read slot, so
                         the 50 images of a project page all load at once */
};

#define HTML "text/html; charset=utf-8"
#define SVG "image/svg+xml"

/* what a body run may be given with (server/lookup.c) */
#define BODY_RUN "format branch timestamp commit meta"
/* the baseline's choice (server/api_check.c) */
#define BASELINE "run baseline_branch baseline window fork_point fork_point_time"
/* a page's filters (server/page.c) */
#define FILTERS "branch env metric"

static const struct route routes[] = {
    { "GET", "healthz", api_health, false, NULL, "", false },
    { "GET", "metrics", api_metrics, false, NULL, "", false },
    { "GET", "api/v1/projects", api_projects, false, NULL, "", false },
    { "GET", "api/v1/projects/:p/benchmarks", api_benchmarks, true, NULL, "", false },
    { "GET", "api/v1/projects/:p/benchmarks/:name/history", api_history, true, NULL,
      "metric branch env limit", false },
    { "GET", "api/v1/projects/:p/runs", api_runs, true, NULL, "branch env limit", false },
    { "POST", "api/v1/projects/:p/runs", api_upload, false, NULL, BODY_RUN, false },
    { "GET", "api/v1/projects/:p/runs/:id", api_run, true, NULL, "", false },
    { "POST", "api/v1/projects/:p/check", api_check, false, NULL,
      BODY_RUN " " BASELINE " threshold alpha min_samples resamples fail_on_inconclusive "
      "fail_on_missing prior_spread", false },
    { "POST", "api/v1/projects/:p/baseline", api_baseline, false, NULL,
      BODY_RUN " " BASELINE, false },
    /* the dashboards (server/page_*.c) */
    { "GET", "", page_index, true, HTML, "", false },
    { "GET", "static/style.css", page_style, false, "text/css; charset=utf-8", "", false },
    { "GET", "p/:p", page_project, true, HTML, FILTERS " sort q group failing page", false },
    { "GET", "p/:p/b/:name", page_benchmark, true, HTML, FILTERS " x limit", false },
    { "GET", "p/:p/b/:name/chart.svg", page_chart, true, SVG, FILTERS " x limit size", false },
    { "GET", "p/:p/b/:name/spark.svg", page_sparkline, true, SVG, FILTERS, true },
    { "GET", "p/:p/runs", page_runs, true, HTML, FILTERS " before", false },
    { "GET", "p/:p/runs/:id", page_run, true, HTML, "", false },
    { "GET", "p/:p/alerts", page_alerts, true, HTML, "branch runs", false },
    { "GET", "p/:p/alerts.atom", page_alerts_atom, true, "application/atom+xml; charset=utf-8",
      "branch runs", false },
};

/* Whether key is one of the space-separated words of list. */
static bool listed(const char *list, const char *key)
{
    size_t n = strlen(key);

    for (const char *p = list; *p != '\0';) {
        size_t len = strcspn(p, " ");

        if (len == n && strncmp(p, key, n) == 0)
            return true;
        p += len + (p[len] == ' ');
    }
    return false;
}

/* Every query parameter is one the route reads, and given once (meta may
 * repeat); else the 400 is made. */
static bool query_ok(const struct route *r, const struct http_request *rq,
                     struct http_response *rs)
{
    for (size_t i = 0; i < rq->query->n; i++) {
        const char *key = rq->query->kv[i].key;

        if (!listed(r->query, key)) {
            char shown[64];

            bg_printable(shown, sizeof(shown), key);
            if (r->query[0] == '\0')
                http_error(rs, 400, "bad_request", "unknown query parameter '%s': this "
                           "endpoint takes none", shown);
            else
                http_error(rs, 400, "bad_request", "unknown query parameter '%s': this "
                           "endpoint takes %s", shown, r->query);
            return false;
        }
        for (size_t j = 0; j < i && strcmp(key, "meta") != 0; j++) {
            if (strcmp(rq->query->kv[j].key, key) == 0) {
                http_error(rs, 400, "bad_request", "query parameter %s is given twice", key);
                return false;
            }
        }
    }
    return true;
}

/* Reads computing now (answers not from the cache), at most cfg->read_slots. */
static atomic_long reads_computing;

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
    } else if (!r->light && atomic_fetch_add(&reads_computing, 1) >= rq->cfg->read_slots) {
        /* every worker but one is computing a read: this one is refused at
         * once rather than wait on the last worker, so /healthz, the cache's
         * answers and uploads are never stuck behind reads */
        atomic_fetch_sub(&reads_computing, 1);
        metrics_cache(false);
        http_error(rs, 503, "busy", "the server is computing as many pages as it allows at once; "
                   "try again in a second");
    } else {
        metrics_cache(false);
        r->fn(rq, params, rs);
        if (!r->light)
            atomic_fetch_sub(&reads_computing, 1);
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
        if ((n > 0 && !http_name_ok("project", params[0], rs)) || !query_ok(&routes[i], rq, rs))
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
