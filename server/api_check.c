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
static bool baseline_query(const struct http_request *rq, const char *project,
                           const struct bg_run *cur, struct baseline_request *req,
                           struct http_response *rs)
{
    int64_t window = 1;

    *req = (struct baseline_request){ project, "main", NULL, 1, cur->id, cur->branch };
    if (!http_query_name(rq, "baseline_branch", &req->branch, rs) ||
        !http_query_int(rq, "window", &gate_window_range, &window, rs))
        return false;
    req->ref = route_query_get(rq->query, "baseline");
    req->window = (size_t)window;
    return true;
}

static bool select_baseline(const struct http_request *rq, const struct bg_run *cur,
                            const struct baseline_request *req, struct baseline *base,
                            struct http_response *rs)
{
    struct bg_diag d = { 0 };

    if (baseline_select(rq->st, cur, req, base, &d) == 0)
        return true;
    http_fail(rs, &d);
    return false;
}

/* The current run of a check: ?run=ID (stored), else the body. */
static bool check_current(const struct http_request *rq, const char *project, struct bg_run *cur,
                          struct http_response *rs)
{
    const char *id = route_query_get(rq->query, "run");

    if (id == NULL)
        return lookup_body_run(rq, project, cur, rs);
    if (rq->body_len > 0) {
        http_error(rs, 400, "bad_request", "give the run to check as ?run=ID or as the body, "
                   "not both");
        return false;
    }
    return lookup_run(rq, project, id, cur, rs);
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
        !http_query_real(rq, "threshold", &gate_threshold_range, &opts.threshold, rs) ||
        !http_query_real(rq, "alpha", &gate_alpha_range, &opts.alpha, rs) ||
        !http_query_int(rq, "min_samples", &gate_min_samples_range, &min_samples, rs) ||
        !http_query_int(rq, "resamples", &gate_resamples_range, &resamples, rs) ||
        !http_query_bool(rq, "fail_on_inconclusive", &opts.fail_on_inconclusive, rs) ||
        !http_query_bool(rq, "fail_on_missing", &opts.fail_on_missing, rs) ||
        !check_current(rq, params[0], &cur, rs) ||
        !baseline_query(rq, params[0], &cur, &req, rs) ||
        !select_baseline(rq, &cur, &req, &base, rs))
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
    if (!auth_project(rq, params[0], false, rs) || !check_current(rq, params[0], &cur, rs) ||
        !baseline_query(rq, params[0], &cur, &req, rs) ||
        !select_baseline(rq, &cur, &req, &base, rs))
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
