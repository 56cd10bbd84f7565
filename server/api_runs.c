/*
 * api_runs.c: a project's runs: GET the list, GET one as a run document,
 * and POST one (an upload), which is stored in one transaction or not at all.
 */
#include "core/bg.h"
#include "server/handlers.h"
#include "collector/formats.h"
#include "core/json.h"
#include "server/auth.h"
#include "server/budget.h"
#include "server/lookup.h"
#include "server/metrics.h"

#define RUNS_DEFAULT 50

static const struct bg_int_range runs_limit = { 1, 1000 };

void api_runs(const struct http_request *rq, const char *const *params,
              struct http_response *rs)
{
    const char *branch = NULL, *env = NULL;
    int64_t limit = RUNS_DEFAULT;
    struct store_run_info *ri;
    int n;

    if (!auth_project(rq, params[0], false, rs) ||
        !http_query_name(rq, "branch", &branch, rs) || !http_query_env(rq, &env, rs) ||
        !http_query_int(rq, "limit", &runs_limit, &limit, rs) ||
        !lookup_project(rq, params[0], rs))
        return;
    n = store_list_runs(rq->st, params[0], branch, env, 0, (size_t)limit, &ri);
    if (n < 0) {
        http_store_failed(rs);
        return;
    }
    bg_buf_adds(&rs->body, "{\"project\": ");
    bg_json_add_string(&rs->body, params[0]);
    bg_buf_adds(&rs->body, ", \"runs\": [");
    for (int i = 0; i < n; i++) {
        bg_buf_addf(&rs->body, "%s\n  {\"id\": %" PRId64 ", \"timestamp\": %" PRId64
                    ", \"branch\": ", i > 0 ? "," : "", ri[i].id, ri[i].timestamp);
        bg_json_add_string(&rs->body, ri[i].branch);
        bg_buf_adds(&rs->body, ", \"commit\": ");
        if (ri[i].commit[0] != '\0')
            bg_json_add_string(&rs->body, ri[i].commit);
        else
            bg_buf_adds(&rs->body, "null");
        bg_buf_adds(&rs->body, ", \"tool\": ");
        bg_json_add_string(&rs->body, ri[i].tool);
        bg_buf_addf(&rs->body, ", \"fingerprint\": \"%s\", \"benchmarks\": %zu}",
                    ri[i].fingerprint, ri[i].n_results);
    }
    bg_buf_adds(&rs->body, "\n]}\n");
    free(ri);
    rs->status = 200;
}

void api_run(const struct http_request *rq, const char *const *params,
             struct http_response *rs)
{
    struct bg_run run;

    bool found;

    bg_run_init(&run);
    if (!auth_project(rq, params[0], false, rs))
        return;
    /* the run as stored, every sample: clients judge it themselves (check --server) */
    store_set_sample_cap(rq->st, 0);
    found = lookup_run(rq, params[0], params[1], &run, rs);
    store_set_sample_cap(rq->st, BUDGET_SAMPLES);
    if (found) {
        bg_run_write_json(&run, &rs->body);
        rs->status = 200;
    }
    bg_run_release(&run);
}

void api_upload(const struct http_request *rq, const char *const *params,
                struct http_response *rs)
{
    struct bg_run run;
    size_t samples = 0;
    int rc;

    bg_run_init(&run);
    if (!auth_project(rq, params[0], true, rs) || !lookup_body_run(rq, params[0], &run, rs))
        goto out;
    rc = store_put_run(rq->st, &run);
    if (rc == STORE_REJECTED) {
        http_error(rs, 409, "conflict", "a benchmark of this run was stored before with another "
                   "unit; rename it or use another project");
        goto out;
    }
    if (rc < 0) {
        http_store_failed(rs);
        goto out;
    }
    for (size_t i = 0; i < run.n_results; i++)
        samples += run.results[i].n_samples;
    bg_buf_addf(&rs->body, "{\"id\": %" PRId64 ", \"project\": ", run.id);
    bg_json_add_string(&rs->body, run.project);
    bg_buf_adds(&rs->body, ", \"branch\": ");
    bg_json_add_string(&rs->body, run.branch);
    bg_buf_adds(&rs->body, ", \"commit\": ");
    if (run.commit != NULL)
        bg_json_add_string(&rs->body, run.commit);
    else
        bg_buf_adds(&rs->body, "null");
    bg_buf_addf(&rs->body, ", \"timestamp\": %" PRId64 ", \"tool\": ", run.timestamp);
    bg_json_add_string(&rs->body, run.tool);
    bg_buf_addf(&rs->body, ", \"benchmarks\": %zu, \"samples\": %zu, \"warnings\": [",
                run.n_results, samples);
    for (size_t i = 0; i < run.n_warnings; i++) {
        bg_buf_adds(&rs->body, i > 0 ? ", " : "");
        bg_json_add_string(&rs->body, run.warnings[i]);
    }
    bg_buf_adds(&rs->body, "]}\n");
    rs->status = 201;
out:
    metrics_upload(rs->status == 201);
    bg_run_release(&run);
}
