/* judge.c: stored runs and their verdicts, for the pages (see judge.h). */
#include "core/bg.h"
#include "server/judge.h"

int judge_base_branch(const struct http_request *rq, const char *project,
                      char out[BG_NAME_MAX + 1], struct http_response *rs)
{
    struct bg_diag d = { 0 };

    if (baseline_default_branch(rq->st, project, out, BG_NAME_MAX + 1, &d) < 0)
        return http_fail(rs, &d);
    return 0;
}

void judge_release(struct judged *j)
{
    gate_report_release(&j->report);
    baseline_release(&j->base);
    bg_run_release(&j->cur);
}

int judge_loaded_run(const struct http_request *rq, const char *project, const char *base,
                     bool interval, struct judged *j, struct http_response *rs)
{
    struct gate_opts opts = GATE_OPTS_DEFAULT;
    struct baseline_request req = { project, base, NULL, BASELINE_WINDOW, NULL, NULL, 0 };
    const struct bg_run *cur = &j->cur;
    struct bg_diag d = { 0 };

    /* a run that says which branch it is judged against is judged so, as check did */
    if (bg_run_meta(&j->cur, "base_branch") != NULL)
        req.branch = NULL;
    if (baseline_select(rq->st, &j->cur, &req, &j->base, &d) < 0) {
        judge_release(j);
        return http_fail(rs, &d);
    }
    if (!interval)
        opts.resamples = 0;
    gate_compare_runs(j->base.list, j->base.n_runs, &cur, 1, &opts, &j->report);
    j->report.baseline_why = j->base.why;
    j->report.baseline_warning = j->base.warning;
    return 0;
}

int judge_stored_run(const struct http_request *rq, const char *project, int64_t id,
                     const char *base, bool interval, struct judged *j, struct http_response *rs)
{
    memset(j, 0, sizeof(*j));
    if (store_load_run(rq->st, id, &j->cur) != 1) {
        judge_release(j);
        http_store_failed(rs);
        return -1;
    }
    return judge_loaded_run(rq, project, base, interval, j, rs);
}

int judge_newest_run(const struct http_request *rq, const char *project, const char *branch,
                     const char *env, int64_t *id, struct http_response *rs)
{
    struct store_run_info *ri;
    int n = store_list_runs(rq->st, project, branch, env, 0, 1, &ri);

    if (n < 0) {
        http_store_failed(rs);
        return -1;
    }
    *id = n > 0 ? ri[0].id : 0;
    free(ri);
    return n;
}
