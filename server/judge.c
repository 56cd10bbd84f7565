/* judge.c: stored runs and their verdicts, for the pages (see judge.h). */
#include "core/bg.h"
#include "server/judge.h"

/* The branch baselines come from: main, else master, else the busiest. */
static void base_branch_of(const struct store_branch *b, int n, char out[BG_NAME_MAX + 1])
{
    int best = -1;

    snprintf(out, BG_NAME_MAX + 1, "main");
    for (int i = 0; i < n; i++) {
        if (strcmp(b[i].name, "main") == 0)
            return;
    }
    for (int i = 0; i < n; i++) {
        if (strcmp(b[i].name, "master") == 0 || best < 0 || b[i].n_runs > b[best].n_runs)
            best = i;
        if (strcmp(b[i].name, "master") == 0)
            break;
    }
    if (best >= 0)
        snprintf(out, BG_NAME_MAX + 1, "%s", b[best].name);
}

int judge_base_branch(const struct http_request *rq, const char *project,
                      char out[BG_NAME_MAX + 1], struct http_response *rs)
{
    struct store_branch *b;
    int n = store_list_branches(rq->st, project, &b);

    if (n < 0) {
        http_store_failed(rs);
        return -1;
    }
    base_branch_of(b, n, out);
    free(b);
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
    struct baseline_request req = { project, base, NULL, 1, j->cur.id, j->cur.branch };

    struct bg_diag d = { 0 };

    if (baseline_select(rq->st, &j->cur, &req, &j->base, &d) < 0) {
        judge_release(j);
        return http_fail(rs, &d);
    }
    if (!interval)
        opts.resamples = 0;
    gate_compare(j->base.found ? &j->base.run : NULL, &j->cur, &opts, &j->report);
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
