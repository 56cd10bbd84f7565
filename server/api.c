/*
 * api.c: the routes of `benchgate serve` (see api.h and schemas/api/).
 *
 * Each handler checks its inputs in the same order (path names, token,
 * query, body) and answers with the first problem it meets; nothing is
 * written before everything has been checked, and a run is written in one
 * store transaction.
 */
#include "core/bg.h"
#include "server/api.h"
#include "collector/collect.h"
#include "collector/formats.h"
#include "core/env.h"
#include "core/json.h"
#include "core/num.h"
#include "gate/baseline.h"
#include "gate/compare.h"
#include "gate/history.h"
#include "gate/report.h"
#include "server/cache.h"
#include "server/html.h"
#include "server/metrics.h"
#include "server/pages.h"
#include "server/token.h"

#include <strings.h>

/* Defaults and bounds of list sizes. */
#define RUNS_DEFAULT 50
#define RUNS_MAX 1000
#define HISTORY_DEFAULT 100
#define HISTORY_MAX 10000
/* A server-side check may not spend more than this on bootstrap intervals. */
#define CHECK_MAX_RESAMPLES 10000

void api_error(struct api_response *rs, int status, const char *code, const char *fmt, ...)
{
    char msg[BG_DIAG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    rs->status = status;
    bg_buf_reset(&rs->body);
    if (rs->html) {
        rs->content_type = "text/html; charset=utf-8";
        html_error_page(&rs->body, status, msg);
        return;
    }
    rs->content_type = "application/json";
    bg_buf_adds(&rs->body, "{\"error\": {\"code\": ");
    bg_json_add_string(&rs->body, code);
    bg_buf_adds(&rs->body, ", \"message\": ");
    bg_json_add_string(&rs->body, msg);
    bg_buf_adds(&rs->body, "}}\n");
}

void api_store_failed(struct api_response *rs)
{
    api_error(rs, 503, "store_error", "the database failed or is busy; try again");
}

/* ---- inputs ---- */

/* A path segment that names a project or benchmark. */
bool api_name_ok(const char *what, const char *s, struct api_response *rs)
{
    const char *why = bg_name_problem(s);

    if (why != NULL)
        api_error(rs, 400, "bad_request", "%s name %s", what, why);
    return why == NULL;
}

int api_query_name(const struct api_request *rq, const char *key, const char **out,
                   struct api_response *rs)
{
    const char *v = route_query_get(rq->query, key), *why;

    if (v == NULL)
        return 0;
    why = bg_name_problem(v);
    if (why != NULL) {
        api_error(rs, 400, "bad_request", "query parameter %s: %s", key, why);
        return -1;
    }
    *out = v;
    return 0;
}

/* ?env=FINGERPRINT: 16 hex digits, as in a run's environment. */
int api_query_env(const struct api_request *rq, const char **out, struct api_response *rs)
{
    const char *v = route_query_get(rq->query, "env");

    if (v == NULL || *v == '\0') /* empty, as a form's "any machine" sends it: no filter */
        return 0;
    if (strlen(v) != 16 || strspn(v, "0123456789abcdef") != 16) {
        api_error(rs, 400, "bad_request", "query parameter env: expected a machine fingerprint "
                  "(16 lowercase hex digits)");
        return -1;
    }
    *out = v;
    return 0;
}

int api_query_int(const struct api_request *rq, const char *key, int64_t lo, int64_t hi,
                  int64_t *out, struct api_response *rs)
{
    const char *v = route_query_get(rq->query, key), *why;

    if (v != NULL && bg_parse_int64(v, lo, hi, out, &why) < 0) {
        api_error(rs, 400, "bad_request", "query parameter %s '%.64s': %s (%" PRId64
                  " to %" PRId64 ")", key, v, why, lo, hi);
        return -1;
    }
    return 0;
}

static int query_double(const struct api_request *rq, const char *key, double lo, double hi,
                        double *out, struct api_response *rs)
{
    const char *v = route_query_get(rq->query, key), *why;

    if (v != NULL && bg_parse_double(v, lo, hi, out, &why) < 0) {
        api_error(rs, 400, "bad_request", "query parameter %s '%.64s': %s (%g to %g)", key, v,
                  why, lo, hi);
        return -1;
    }
    return 0;
}

static int query_bool(const struct api_request *rq, const char *key, bool *out,
                      struct api_response *rs)
{
    const char *v = route_query_get(rq->query, key);

    if (v == NULL)
        return 0;
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0 || *v == '\0')
        *out = true;
    else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
        *out = false;
    else {
        api_error(rs, 400, "bad_request", "query parameter %s '%.64s': expected true or false",
                  key, v);
        return -1;
    }
    return 0;
}


/*
 * Whether the request may touch project: writes always need one of its
 * tokens, reads only on a private server.
 */
bool api_authorized(const struct api_request *rq, const char *project, bool write,
                    struct api_response *rs)
{
    if (!write && !rq->cfg->private_reads)
        return true;
    char buf[TOKEN_LEN + 1];

    switch (token_check(rq->st, token_from_header(rq->authorization, buf), project, NULL)) {
    case TOKEN_OK:
        return true;
    case TOKEN_MISSING:
        api_error(rs, 401, "unauthorized", "a token is required: send 'Authorization: Bearer "
                  "TOKEN' (benchgate token create)");
        return false;
    case TOKEN_INVALID:
        api_error(rs, 401, "unauthorized", "the token is not valid");
        return false;
    case TOKEN_REVOKED:
        api_error(rs, 401, "unauthorized", "the token was revoked");
        return false;
    case TOKEN_OTHER_PROJECT:
        api_error(rs, 403, "forbidden", "the token is not for project '%s'", project);
        return false;
    case TOKEN_STORE_ERROR:
        break;
    }
    api_store_failed(rs);
    return false;
}

bool api_reader_scope(const struct api_request *rq, char owner[BG_NAME_MAX + 1],
                      struct api_response *rs)
{
    char buf[TOKEN_LEN + 1];
    enum token_check t;

    owner[0] = '\0';
    if (!rq->cfg->private_reads)
        return true;
    /* a private server shows a token's own project only */
    t = token_check(rq->st, token_from_header(rq->authorization, buf), NULL, owner);
    if (t == TOKEN_OK)
        return true;
    if (t == TOKEN_STORE_ERROR)
        api_store_failed(rs);
    else
        api_error(rs, 401, "unauthorized", "this server is private: send a project's token as "
                  "'Authorization: Bearer TOKEN'%s", rs->html ? " (or as the password when "
                  "your browser asks)" : "");
    return false;
}

/* 404 unless project is stored; false when the answer is already made. */
bool api_project_known(const struct api_request *rq, const char *project,
                       struct api_response *rs)
{
    int found = store_project_exists(rq->st, project);

    if (found < 0)
        api_store_failed(rs);
    else if (found == 0)
        api_error(rs, 404, "not_found", "no project '%s'", project);
    return found == 1;
}

/*
 * The run in the request body: a benchgate run document or raw harness
 * output (?format= or detected), finished and given its origin: the URL's
 * project, then ?branch=, ?commit=, ?timestamp= and ?meta=KEY=VALUE, then
 * what a run document says. Nothing about the server's machine is added.
 */
static int body_run(const struct api_request *rq, const char *project, struct bg_run *run,
                    struct api_response *rs)
{
    struct collect_origin origin = { project, NULL, NULL, 0, true };
    const char *format = route_query_get(rq->query, "format"), *commit;
    struct bg_diag d = { "" };
    char sha[65];

    if (format != NULL && bg_format_find(format) == NULL) {
        api_error(rs, 400, "bad_request", "unknown format '%.64s' (see benchgate collect --help)",
                  format);
        return -1;
    }
    if (api_query_name(rq, "branch", &origin.branch, rs) < 0 ||
        api_query_int(rq, "timestamp", 0, INT64_C(253402300799), &origin.timestamp, rs) < 0)
        return -1;
    commit = route_query_get(rq->query, "commit");
    if (commit != NULL) {
        snprintf(sha, sizeof(sha), "%s", commit);
        if (strlen(commit) >= sizeof(sha) || !bg_commit_ok(sha)) {
            api_error(rs, 400, "bad_request", "query parameter commit: expected 4 to 64 hex "
                      "digits");
            return -1;
        }
        origin.commit = sha;
    }
    if (rq->body_len == 0) {
        api_error(rs, 400, "bad_request", "the request body is empty: send a benchgate run "
                  "document or a harness's output");
        return -1;
    }
    if (bg_collect_bytes("request body", rq->body, rq->body_len, format, run, &d) < 0 ||
        bg_run_finish(run, "request body", &d) < 0) {
        api_error(rs, 400, "bad_request", "%s", d.msg);
        return -1;
    }
    for (size_t i = 0; i < rq->query->n; i++) {
        if (strcmp(rq->query->kv[i].key, "meta") == 0 &&
            collect_meta(run, rq->query->kv[i].value, &d) < 0) {
            api_error(rs, 400, "bad_request", "query parameter meta %s", d.msg);
            return -1;
        }
    }
    collect_origin(run, &origin);
    return 0;
}

/* Loads stored run id of project; false (answer made) when there is none. */
bool api_stored_run(const struct api_request *rq, const char *project, const char *id_text,
                    struct bg_run *run, struct api_response *rs)
{
    int64_t id;
    const char *why;
    int found;

    if (bg_parse_int64(id_text, 1, INT64_MAX, &id, &why) < 0) {
        api_error(rs, 400, "bad_request", "run id '%.32s': %s", id_text, why);
        return false;
    }
    found = store_load_run(rq->st, id, run);
    if (found < 0) {
        api_store_failed(rs);
        return false;
    }
    if (found == 0 || strcmp(run->project, project) != 0) {
        api_error(rs, 404, "not_found", "project '%s' has no run %" PRId64, project, id);
        return false;
    }
    return true;
}

/* ---- handlers: params[0] is the project where the path has one ---- */

static void ok(struct api_response *rs, int status)
{
    rs->status = status;
}

static void h_health(const struct api_request *rq, const char *const *params,
                     struct api_response *rs)
{
    (void)rq;
    (void)params;
    bg_buf_addf(&rs->body, "{\"status\": \"ok\", \"version\": \"%s\"}\n", BG_VERSION);
    ok(rs, 200);
}

static void h_metrics(const struct api_request *rq, const char *const *params,
                      struct api_response *rs)
{
    (void)rq;
    (void)params;
    metrics_render(&rs->body);
    rs->content_type = "text/plain; version=0.0.4";
    ok(rs, 200);
}

static void h_projects(const struct api_request *rq, const char *const *params,
                       struct api_response *rs)
{
    char owner[BG_NAME_MAX + 1] = "";
    struct store_project *p;
    int n;

    (void)params;
    if (!api_reader_scope(rq, owner, rs))
        return;
    n = store_list_projects(rq->st, &p);
    if (n < 0) {
        api_store_failed(rs);
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
    ok(rs, 200);
}

static void h_benchmarks(const struct api_request *rq, const char *const *params,
                         struct api_response *rs)
{
    struct store_benchmark *k;
    int n;

    if (!api_authorized(rq, params[0], false, rs) || !api_project_known(rq, params[0], rs))
        return;
    n = store_list_benchmarks(rq->st, params[0], &k);
    if (n < 0) {
        api_store_failed(rs);
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
    ok(rs, 200);
}

static void h_runs(const struct api_request *rq, const char *const *params,
                   struct api_response *rs)
{
    const char *branch = NULL, *env = NULL;
    int64_t limit = RUNS_DEFAULT;
    struct store_run_info *ri;
    int n;

    if (!api_authorized(rq, params[0], false, rs) ||
        api_query_name(rq, "branch", &branch, rs) < 0 || api_query_env(rq, &env, rs) < 0 ||
        api_query_int(rq, "limit", 1, RUNS_MAX, &limit, rs) < 0 ||
        !api_project_known(rq, params[0], rs))
        return;
    n = store_list_runs(rq->st, params[0], branch, env, 0, (size_t)limit, &ri);
    if (n < 0) {
        api_store_failed(rs);
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
    ok(rs, 200);
}

static void h_run(const struct api_request *rq, const char *const *params,
                  struct api_response *rs)
{
    struct bg_run run;

    bg_run_init(&run);
    if (api_authorized(rq, params[0], false, rs) &&
        api_stored_run(rq, params[0], params[1], &run, rs)) {
        bg_run_write_json(&run, &rs->body);
        ok(rs, 200);
    }
    bg_run_release(&run);
}

static void h_history(const struct api_request *rq, const char *const *params,
                      struct api_response *rs)
{
    const char *metric = "time", *branch = NULL, *env = NULL;
    int64_t limit = HISTORY_DEFAULT;
    struct store_point *pts;
    int n;

    if (!api_authorized(rq, params[0], false, rs) || !api_name_ok("benchmark", params[1], rs) ||
        api_query_name(rq, "metric", &metric, rs) < 0 ||
        api_query_name(rq, "branch", &branch, rs) < 0 || api_query_env(rq, &env, rs) < 0 ||
        api_query_int(rq, "limit", 1, HISTORY_MAX, &limit, rs) < 0)
        return;
    n = store_history(rq->st, params[0], params[1], metric, branch, env, (size_t)limit, &pts);
    if (n < 0) {
        api_store_failed(rs);
        return;
    }
    if (n == 0) {
        if (api_project_known(rq, params[0], rs))
            api_error(rs, 404, "not_found", "project '%s' has no results for benchmark '%s', "
                      "metric '%s'%s%s", params[0], params[1], metric,
                      branch != NULL ? " on branch " : "", branch != NULL ? branch : "");
        return;
    }
    history_write_json(&rs->body, params[0], params[1], metric, pts, (size_t)n);
    free(pts);
    ok(rs, 200);
}

static void h_upload(const struct api_request *rq, const char *const *params,
                     struct api_response *rs)
{
    struct bg_run run;
    size_t samples = 0;
    int rc;

    bg_run_init(&run);
    if (!api_authorized(rq, params[0], true, rs) || body_run(rq, params[0], &run, rs) < 0)
        goto out;
    rc = store_put_run(rq->st, &run);
    if (rc == STORE_REJECTED) {
        api_error(rs, 409, "conflict", "a benchmark of this run was stored before with another "
                  "unit; rename it or use another project");
        goto out;
    }
    if (rc < 0) {
        api_store_failed(rs);
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
    ok(rs, 201);
out:
    metrics_upload(rs->status == 201);
    bg_run_release(&run);
}

/* The baseline request of ?baseline_branch=, ?baseline=, ?window= for cur. */
static int baseline_query(const struct api_request *rq, const char *project,
                          const struct bg_run *cur, struct baseline_request *req,
                          struct api_response *rs)
{
    int64_t window = 1;

    *req = (struct baseline_request){ project, "main", NULL, 1, cur->id, cur->branch };
    if (api_query_name(rq, "baseline_branch", &req->branch, rs) < 0 ||
        api_query_int(rq, "window", 1, BASELINE_MAX_WINDOW, &window, rs) < 0)
        return -1;
    req->ref = route_query_get(rq->query, "baseline");
    req->window = (size_t)window;
    return 0;
}

static int select_baseline(const struct api_request *rq, const struct bg_run *cur,
                           const struct baseline_request *req, struct baseline *base,
                           struct api_response *rs)
{
    int rc = baseline_select(rq->st, cur, req, base);

    if (rc == STORE_REJECTED)
        api_error(rs, 404, "not_found", "baseline '%.80s' names no run of project '%s' (expected "
                  "run:ID or commit:SHA)", req->ref, req->project);
    else if (rc < 0)
        api_store_failed(rs);
    return rc;
}

/* The current run of a check: ?run=ID (stored), else the body. */
static int check_current(const struct api_request *rq, const char *project, struct bg_run *cur,
                         struct api_response *rs)
{
    const char *id = route_query_get(rq->query, "run");

    if (id == NULL)
        return body_run(rq, project, cur, rs);
    if (rq->body_len > 0) {
        api_error(rs, 400, "bad_request", "give the run to check as ?run=ID or as the body, "
                  "not both");
        return -1;
    }
    return api_stored_run(rq, project, id, cur, rs) ? 0 : -1;
}

static void h_check(const struct api_request *rq, const char *const *params,
                    struct api_response *rs)
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
    if (!api_authorized(rq, params[0], true, rs) ||
        query_double(rq, "threshold", 0.0, 100.0, &opts.threshold, rs) < 0 ||
        query_double(rq, "alpha", 1e-12, 1.0, &opts.alpha, rs) < 0 ||
        api_query_int(rq, "min_samples", 1, 1000000, &min_samples, rs) < 0 ||
        api_query_int(rq, "resamples", 0, CHECK_MAX_RESAMPLES, &resamples, rs) < 0 ||
        query_bool(rq, "fail_on_inconclusive", &opts.fail_on_inconclusive, rs) < 0 ||
        query_bool(rq, "fail_on_missing", &opts.fail_on_missing, rs) < 0 ||
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
    ok(rs, 200);
out:
    gate_report_release(&report);
    baseline_release(&base);
    bg_run_release(&cur);
}

static void h_baseline(const struct api_request *rq, const char *const *params,
                       struct api_response *rs)
{
    struct baseline_request req;
    struct baseline base;
    struct bg_run cur;

    bg_run_init(&cur);
    memset(&base, 0, sizeof(base));
    if (!api_authorized(rq, params[0], false, rs) || check_current(rq, params[0], &cur, rs) < 0 ||
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
    ok(rs, 200);
out:
    baseline_release(&base);
    bg_run_release(&cur);
}

/* ---- routing ---- */

struct route {
    const char *method;
    const char *pattern;
    api_handler *fn;
    bool cacheable;   /* the answer depends on runs only (see cache.h) */
    const char *type; /* the Content-Type of a page (errors are pages too); NULL: JSON */
};

#define HTML "text/html; charset=utf-8"
#define SVG "image/svg+xml"

static const struct route routes[] = {
    { "GET", "healthz", h_health, false, NULL },
    { "GET", "metrics", h_metrics, false, NULL },
    { "GET", "api/v1/projects", h_projects, false, NULL },
    { "GET", "api/v1/projects/:p/benchmarks", h_benchmarks, true, NULL },
    { "GET", "api/v1/projects/:p/benchmarks/:name/history", h_history, true, NULL },
    { "GET", "api/v1/projects/:p/runs", h_runs, true, NULL },
    { "POST", "api/v1/projects/:p/runs", h_upload, false, NULL },
    { "GET", "api/v1/projects/:p/runs/:id", h_run, true, NULL },
    { "POST", "api/v1/projects/:p/check", h_check, false, NULL },
    { "POST", "api/v1/projects/:p/baseline", h_baseline, false, NULL },
    /* the dashboards (server/pages.c) */
    { "GET", "", page_index, true, HTML },
    { "GET", "static/style.css", page_style, false, "text/css; charset=utf-8" },
    { "GET", "p/:p", page_project, true, HTML },
    { "GET", "p/:p/b/:name", page_benchmark, true, HTML },
    { "GET", "p/:p/b/:name/chart.svg", page_chart, true, SVG },
    { "GET", "p/:p/b/:name/spark.svg", page_sparkline, true, SVG },
    { "GET", "p/:p/runs/:id", page_run, true, HTML },
};

/* The request as a cache key: decoded segments and query pairs, each with
 * its length in front, so no part can pass for two (a segment may hold any
 * byte but NUL once decoded). */
static void cache_key(const struct api_request *rq, struct bg_buf *key)
{
    for (size_t i = 0; i < rq->path->n; i++)
        bg_buf_addf(key, "/%zu:%s", strlen(rq->path->seg[i]), rq->path->seg[i]);
    for (size_t i = 0; i < rq->query->n; i++)
        bg_buf_addf(key, "?%zu:%s=%zu:%s", strlen(rq->query->kv[i].key), rq->query->kv[i].key,
                    strlen(rq->query->kv[i].value), rq->query->kv[i].value);
}

/* Runs a cacheable read: from the cache when the store has not changed
 * since the answer was made, else by its handler, keeping a 200 answer. */
static void cached(const struct route *r, const struct api_request *rq,
                   const char *const *params, struct api_response *rs)
{
    struct bg_buf key = BG_BUF_INIT;
    int64_t version;

    if (rq->path->n > 0 && !api_authorized(rq, params[0], false, rs))
        return;
    if (store_version(rq->st, &version) < 0) {
        api_store_failed(rs);
        return;
    }
    cache_key(rq, &key);
    if (cache_get(cache_answers, key.data, version, &rs->body)) {
        metrics_cache(true);
        ok(rs, 200);
    } else {
        metrics_cache(false);
        r->fn(rq, params, rs);
        if (rs->status == 200)
            cache_put(cache_answers, key.data, version, rs->body.data, rs->body.len);
    }
    bg_buf_release(&key);
}

void api_handle(const struct api_request *rq, struct api_response *rs)
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
        if (n > 0 && !api_name_ok("project", params[0], rs))
            return;
        /* a private server's index depends on the token, which the key does not hold */
        if (routes[i].cacheable && (n > 0 || !rq->cfg->private_reads))
            cached(&routes[i], rq, params, rs);
        else
            routes[i].fn(rq, params, rs);
        return;
    }
    if (!path_known) {
        api_error(rs, 404, "not_found", "no such endpoint (see the README's API section)");
        return;
    }
    rs->allow = get && post ? "GET, HEAD, POST" : get ? "GET, HEAD" : "POST";
    api_error(rs, 405, "method_not_allowed", "%s is not allowed here; use %s", rq->method,
              rs->allow);
}
