/*
 * api_check.c: the gate on the server: POST .../check judges a run (stored,
 * or in the body) as `benchgate check` would, and POST .../baseline says
 * which baseline that would be (what `check --server` asks).
 */
#include "core/bg.h"
#include "server/handlers.h"
#include "collector/formats.h"
#include "core/env.h"
#include "core/json.h"
#include "gate/baseline.h"
#include "gate/compare.h"
#include "gate/params.h"
#include "gate/report.h"
#include "server/auth.h"
#include "server/budget.h"
#include "server/lookup.h"

/*
 * The baseline request of ?baseline_branch=, ?baseline=, ?window=,
 * ?fork_point= and ?fork_point_time= (what check --server sends). Without
 * a branch the run's own base branch, else the project's main one, as for
 * check and pages.
 */
static bool baseline_query(const struct http_request *rq, const char *project,
                           struct baseline_request *req, char fork[65], struct http_response *rs)
{
    int64_t window = BASELINE_WINDOW, fork_time = 0;
    const char *f = route_query_get(rq->query, "fork_point");

    memset(req, 0, sizeof(*req));
    req->project = project;
    if (!http_query_name(rq, "baseline_branch", &req->branch, rs) ||
        !http_query_int(rq, "window", &gate_window_range, &window, rs) ||
        !http_query_int(rq, "fork_point_time", &gate_time_range, &fork_time, rs))
        return false;
    req->ref = route_query_get(rq->query, "baseline");
    req->window = (size_t)window;
    if (f != NULL) {
        if (strlen(f) > 64 || (snprintf(fork, 65, "%s", f), !bg_commit_ok(fork))) {
            http_error(rs, 400, "bad_request", "fork_point: expected a commit SHA of 4 to 64 "
                       "hex digits");
            return false;
        }
        req->fork_point = fork;
        req->fork_source = "the client";
        req->fork_time = fork_time;
    }
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
    const struct bg_run *curp = &cur;
    int64_t min_samples = GATE_MIN_SAMPLES, resamples = opts.resamples;
    char fork[65];

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
        !http_query_real(rq, "prior_spread", &gate_prior_range, &opts.prior_spread, rs) ||
        !check_current(rq, params[0], &cur, rs) ||
        !baseline_query(rq, params[0], &req, fork, rs) ||
        !select_baseline(rq, &cur, &req, &base, rs))
        goto out;
    opts.min_samples = (size_t)min_samples;
    opts.resamples = (unsigned)resamples;
    opts.max_draws = BUDGET_BOOTSTRAP_DRAWS;
    gate_compare_runs(base.list, base.n_runs, &curp, 1, &opts, &report);
    if (report.draws_asked > 0) {
        http_error(rs, 400, "bad_request", "query parameter resamples: %" PRId64 " resamples of "
                   "this run's samples are %" PRIu64 " random draws, past the server's budget of "
                   "%" PRIu64 ": ask for at most %" PRIu64, resamples, report.draws_asked,
                   BUDGET_BOOTSTRAP_DRAWS,
                   BUDGET_BOOTSTRAP_DRAWS / (report.draws_asked / (uint64_t)resamples));
        goto out;
    }
    report.baseline_why = base.why;
    report.baseline_warning = base.warning;
    report_json_buf(&rs->body, &report);
    rs->status = 200;
out:
    gate_report_release(&report);
    baseline_release(&base);
    bg_run_release(&cur);
}

/* Without a token, a body of at most BUDGET_ANON_BODY; else the 413 is made. */
static bool anonymous_body_ok(const struct http_request *rq, struct http_response *rs)
{
    if (rq->body_len <= BUDGET_ANON_BODY || rq->authorization != NULL)
        return true;
    http_error(rs, 413, "payload_too_large", "without a token this server reads a run of at "
               "most %d bytes here; send the project's token, or name a stored run with ?run=ID",
               BUDGET_ANON_BODY);
    return false;
}

/* Run id as stored, every sample (the server's judgements read fewer: this is
 * data for a client, which judges it itself), as a run document. */
static bool write_whole_run(const struct http_request *rq, int64_t id, struct bg_buf *out)
{
    struct bg_run run;
    int found;

    bg_run_init(&run);
    store_set_sample_cap(rq->st, 0);
    found = store_load_run(rq->st, id, &run);
    store_set_sample_cap(rq->st, BUDGET_SAMPLES);
    if (found == 1)
        bg_run_write_json(&run, out);
    bg_run_release(&run);
    return found == 1;
}

void api_baseline(const struct http_request *rq, const char *const *params,
                  struct http_response *rs)
{
    struct baseline_request req;
    struct baseline base;
    struct bg_run cur;
    char fork[65];

    bg_run_init(&cur);
    memset(&base, 0, sizeof(base));
    /* nothing of the body is read for a project that does not exist, and without a
     * token a public server reads a small one only */
    if (!auth_project(rq, params[0], false, rs) || !lookup_project(rq, params[0], rs) ||
        !anonymous_body_ok(rq, rs) || !check_current(rq, params[0], &cur, rs) ||
        !baseline_query(rq, params[0], &req, fork, rs) ||
        !select_baseline(rq, &cur, &req, &base, rs))
        goto out;
    /* the runs by id: the client fetches each, so this answer stays small */
    bg_buf_addf(&rs->body, "{\"found\": %s, \"branch\": ", base.found ? "true" : "false");
    bg_json_add_string(&rs->body, base.branch);
    bg_buf_adds(&rs->body, ", \"why\": ");
    bg_json_add_string(&rs->body, base.why);
    bg_buf_adds(&rs->body, ", \"warning\": ");
    bg_json_add_string(&rs->body, base.warning);
    bg_buf_addf(&rs->body, ", \"behind\": %zu, \"runs\": [", base.behind);
    for (size_t i = 0; i < base.n_runs; i++)
        bg_buf_addf(&rs->body, "%s%" PRId64, i > 0 ? ", " : "", base.runs[i].id);
    bg_buf_adds(&rs->body, "], \"run\": ");
    if (base.found && !write_whole_run(rq, base.runs[0].id, &rs->body)) {
        http_store_failed(rs);
        goto out;
    }
    if (!base.found)
        bg_buf_adds(&rs->body, "null");
    bg_buf_adds(&rs->body, "}\n");
    rs->status = 200;
out:
    baseline_release(&base);
    bg_run_release(&cur);
}
