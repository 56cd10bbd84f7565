/*
 * api_check.c: the gate on the server: POST .../check judges a run (stored,
 * or in the body) as `benchgate check` would, and POST .../baseline says
 * which baseline that would be (what `check --server` asks).
 */
#include "core/bg.h"
#include "server/handlers.h"
#include "collector/formats.h"
#include "core/json.h"
#include "gate/baseline.h"
#include "gate/compare.h"
#include "gate/params.h"
#include "gate/report.h"
#include "server/auth.h"
#include "server/lookup.h"

/* The baseline request of ?baseline_branch=, ?baseline=, ?window= for cur. */
static int baseline_query(const struct http_request *rq, const char *project,
                          const struct bg_run *cur, struct baseline_request *req,
                          struct http_response *rs)
{
    int64_t window = 1;

    *req = (struct baseline_request){ project, "main", NULL, 1, cur->id, cur->branch };
    if (http_query_name(rq, "baseline_branch", &req->branch, rs) < 0 ||
        http_query_int(rq, "window", &gate_window_range, &window, rs) < 0)
        return -1;
    req->ref = route_query_get(rq->query, "baseline");
    req->window = (size_t)window;
    return 0;
}

static int select_baseline(const struct http_request *rq, const struct bg_run *cur,
                           const struct baseline_request *req, struct baseline *base,
                           struct http_response *rs)
{
    int rc = baseline_select(rq->st, cur, req, base);

    if (rc == STORE_REJECTED)
        http_error(rs, 404, "not_found", "baseline '%.80s' names no run of project '%s' (expected "
                   "run:ID or commit:SHA)", req->ref, req->project);
    else if (rc < 0)
        http_store_failed(rs);
    return rc;
}

/* The current run of a check: ?run=ID (stored), else the body. */
static int check_current(const struct http_request *rq, const char *project, struct bg_run *cur,
                         struct http_response *rs)
{
    const char *id = route_query_get(rq->query, "run");

    if (id == NULL)
        return lookup_body_run(rq, project, cur, rs);
    if (rq->body_len > 0) {
        http_error(rs, 400, "bad_request", "give the run to check as ?run=ID or as the body, "
                   "not both");
        return -1;
    }
    return lookup_run(rq, project, id, cur, rs) ? 0 : -1;
}

void api_check(const struct http_request *rq, const char *const *params,
               struct http_response *rs)
{
    struct gate_opts opts = GATE_OPTS_DEFAULT;
    struct baseline_request req;
    struct gate_report report;
    struct baseline base;
    struct bg_run cur;
    int64_t min_samples = GATE_MIN_SAMPLES, resamples = opts.resamples;

    bg_run_init(&cur);
    memset(&base, 0, sizeof(base));
    memset(&report, 0, sizeof(report));
    if (!auth_project(rq, params[0], true, rs) ||
        http_query_real(rq, "threshold", &gate_threshold_range, &opts.threshold, rs) < 0 ||
        http_query_real(rq, "alpha", &gate_alpha_range, &opts.alpha, rs) < 0 ||
        http_query_int(rq, "min_samples", &gate_min_samples_range, &min_samples, rs) < 0 ||
        http_query_int(rq, "resamples", &gate_resamples_range, &resamples, rs) < 0 ||
        http_query_bool(rq, "fail_on_inconclusive", &opts.fail_on_inconclusive, rs) < 0 ||
        http_query_bool(rq, "fail_on_missing", &opts.fail_on_missing, rs) < 0 ||
        check_current(rq, params[0], &cur, rs) < 0 ||
        baseline_query(rq, params[0], &cur, &req, rs) < 0 ||
        select_baseline(rq, &cur, &req, &base, rs) < 0)
        goto out;
    opts.min_samples = (size_t)min_samples;
    opts.resamples = (unsigned)resamples;
    gate_compare(base.found ? &base.run : NULL, &cur, &opts, &report);
    report.baseline_why = base.why;
    report.baseline_warning = base.warning;
    report_json_buf(&rs->body, &report);
    rs->status = 200;
out:
    gate_report_release(&report);
    baseline_release(&base);
    bg_run_release(&cur);
}

void api_baseline(const struct http_request *rq, const char *const *params,
                  struct http_response *rs)
{
    struct baseline_request req;
    struct baseline base;
    struct bg_run cur;

    bg_run_init(&cur);
    memset(&base, 0, sizeof(base));
    if (!auth_project(rq, params[0], false, rs) || check_current(rq, params[0], &cur, rs) < 0 ||
        baseline_query(rq, params[0], &cur, &req, rs) < 0 ||
        select_baseline(rq, &cur, &req, &base, rs) < 0)
        goto out;
    bg_buf_addf(&rs->body, "{\"found\": %s, \"why\": ", base.found ? "true" : "false");
    bg_json_add_string(&rs->body, base.why);
    bg_buf_adds(&rs->body, ", \"warning\": ");
    bg_json_add_string(&rs->body, base.warning);
    bg_buf_adds(&rs->body, ", \"runs\": [");
    for (size_t i = 0; i < base.n_ids; i++)
        bg_buf_addf(&rs->body, "%s%" PRId64, i > 0 ? ", " : "", base.ids[i]);
    bg_buf_adds(&rs->body, "], \"run\": ");
    if (base.found)
        bg_run_write_json(&base.run, &rs->body);
    else
        bg_buf_adds(&rs->body, "null");
    bg_buf_adds(&rs->body, "}\n");
    rs->status = 200;
out:
    baseline_release(&base);
    bg_run_release(&cur);
}
