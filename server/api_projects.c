/*
 * api_projects.c: reading a project: GET /api/v1/projects, a project's
 * benchmarks, and one benchmark's history (the document of `benchgate
 * history -o json`).
 */
#include "core/bg.h"
#include "server/handlers.h"
#include "core/json.h"
#include "gate/history.h"
#include "server/auth.h"
#include "server/lookup.h"

void api_projects(const struct http_request *rq, const char *const *params,
                  struct http_response *rs)
{
    char owner[BG_NAME_MAX + 1] = "";
    struct store_project *p;
    int n;

    (void)params;
    if (!auth_reader_scope(rq, owner, rs))
        return;
    n = store_list_projects(rq->st, &p);
    if (n < 0) {
        http_store_failed(rs);
        return;
    }
    bg_buf_adds(&rs->body, "{\"projects\": [");
    for (int i = 0, first = 1; i < n; i++) {
        if (owner[0] != '\0' && strcmp(owner, p[i].name) != 0)
            continue;
        bg_buf_adds(&rs->body, first ? "\n  {\"name\": " : ",\n  {\"name\": ");
        bg_json_add_string(&rs->body, p[i].name);
        bg_buf_addf(&rs->body, ", \"runs\": %" PRId64 ", \"last_run\": ", p[i].n_runs);
        if (p[i].last_run != 0)
            bg_buf_addf(&rs->body, "%" PRId64 "}", p[i].last_run);
        else
            bg_buf_adds(&rs->body, "null}");
        first = 0;
    }
    bg_buf_adds(&rs->body, "\n]}\n");
    free(p);
    rs->status = 200;
}

void api_benchmarks(const struct http_request *rq, const char *const *params,
                    struct http_response *rs)
{
    struct store_benchmark *k;
    int n;

    if (!auth_project(rq, params[0], false, rs) || !lookup_project(rq, params[0], rs))
        return;
    n = store_list_benchmarks(rq->st, params[0], &k);
    if (n < 0) {
        http_store_failed(rs);
        return;
    }
    bg_buf_adds(&rs->body, "{\"project\": ");
    bg_json_add_string(&rs->body, params[0]);
    bg_buf_adds(&rs->body, ", \"benchmarks\": [");
    for (int i = 0; i < n; i++) {
        bg_buf_adds(&rs->body, i > 0 ? ",\n  {\"name\": " : "\n  {\"name\": ");
        bg_json_add_string(&rs->body, k[i].name);
        bg_buf_adds(&rs->body, ", \"metric\": ");
        bg_json_add_string(&rs->body, k[i].metric);
        bg_buf_adds(&rs->body, ", \"unit\": ");
        bg_json_add_string(&rs->body, k[i].unit);
        bg_buf_addf(&rs->body, ", \"direction\": \"%s\", \"results\": %" PRId64 "}",
                    k[i].direction == BG_DIR_HIGHER ? "higher" : "lower", k[i].n_results);
    }
    bg_buf_adds(&rs->body, "\n]}\n");
    free(k);
    rs->status = 200;
}

void api_history(const struct http_request *rq, const char *const *params,
                 struct http_response *rs)
{
    const char *metric = "time", *branch = NULL, *env = NULL;
    int64_t limit = HISTORY_DEFAULT;
    struct store_point *pts;
    int n;

    if (!auth_project(rq, params[0], false, rs) || !http_name_ok("benchmark", params[1], rs) ||
        !http_query_name(rq, "metric", &metric, rs) ||
        !http_query_name(rq, "branch", &branch, rs) || !http_query_env(rq, &env, rs) ||
        !http_query_int(rq, "limit", &history_limit, &limit, rs))
        return;
    n = store_history(rq->st, params[0], params[1], metric, branch, env, (size_t)limit, &pts);
    if (n < 0) {
        http_store_failed(rs);
        return;
    }
    if (n == 0) {
        if (lookup_project(rq, params[0], rs))
            http_error(rs, 404, "not_found", "project '%s' has no results for benchmark '%s', "
                       "metric '%s'%s%s", params[0], params[1], metric,
                       branch != NULL ? " on branch " : "", branch != NULL ? branch : "");
        return;
    }
    history_write_json(&rs->body, params[0], params[1], metric, pts, (size_t)n);
    free(pts);
    rs->status = 200;
}
