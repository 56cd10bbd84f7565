/*
 * page_run.c: GET /p/{project}/runs/{id}: one run's commit, branch, CI
 * links and machine, and its verdict table with 95% intervals.
 */
#include "core/bg.h"
#include "server/handlers.h"
#include "gate/report.h"
#include "server/budget.h"
#include "server/html.h"
#include "server/judge.h"
#include "server/lookup.h"
#include "server/page.h"

#include <math.h>

static void fact(struct bg_buf *b, const char *name, const char *value)
{
    if (value == NULL || value[0] == '\0')
        return;
    bg_buf_addf(b, "<dt>%s</dt><dd>", name);
    html_text(b, value);
    bg_buf_adds(b, "</dd>\n");
}

/* A link to url when it is http(s), else the text. */
static void fact_link(struct bg_buf *b, const char *name, const char *url, const char *text)
{
    if (url == NULL || (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)) {
        fact(b, name, text);
        return;
    }
    bg_buf_addf(b, "<dt>%s</dt><dd><a href=\"", name);
    html_text(b, url);
    bg_buf_adds(b, "\" rel=\"nofollow noopener\">");
    html_text(b, text);
    bg_buf_adds(b, "</a></dd>\n");
}

/*
 * The commit's page at the forge, from the run's URL: GitHub Actions runs
 * live at REPO/actions/runs/ID, GitLab pipelines at REPO/-/pipelines/ID.
 */
static bool commit_url(const struct bg_run *run, char *buf, size_t size)
{
    static const struct { const char *marker, *commit; } forges[] = {
        { "/actions/runs/", "/commit/" },
        { "/-/pipelines/", "/-/commit/" },
        { "/-/jobs/", "/-/commit/" },
    };

    if (run->commit == NULL || run->ci.run_url == NULL)
        return false;
    for (size_t i = 0; i < ARRAY_SIZE(forges); i++) {
        const char *m = strstr(run->ci.run_url, forges[i].marker);

        if (m != NULL && (size_t)snprintf(buf, size, "%.*s%s%s", (int)(m - run->ci.run_url),
                                          run->ci.run_url, forges[i].commit, run->commit) < size)
            return true;
    }
    return false;
}

static void run_facts(struct bg_buf *b, const struct bg_run *run)
{
    char date[32], num[64], url[BG_TEXT_MAX];

    page_when(run->timestamp, date, sizeof(date));
    bg_buf_adds(b, "<h2>Run</h2>\n<dl class=\"facts\">\n");
    fact(b, "Branch", run->branch);
    if (commit_url(run, url, sizeof(url)))
        fact_link(b, "Commit", url, run->commit);
    else
        fact(b, "Commit", run->commit);
    bg_buf_addf(b, "<dt>Time</dt><dd>%s UTC</dd>\n", date);
    fact(b, "Harness", run->tool);
    fact(b, "CI", run->ci.provider);
    fact(b, "Repository", run->ci.repository);
    fact_link(b, "CI run", run->ci.run_url, run->ci.run_id != NULL ? run->ci.run_id
                                                                    : run->ci.run_url);
    fact(b, "Event", run->ci.event);
    for (size_t i = 0; i < run->n_meta && i < BUDGET_META_SHOWN; i++) {
        bg_buf_adds(b, "<dt>");
        html_text(b, run->meta[i].key);
        bg_buf_adds(b, "</dt><dd>");
        html_text(b, run->meta[i].value);
        bg_buf_adds(b, "</dd>\n");
    }
    if (run->n_meta > BUDGET_META_SHOWN)
        bg_buf_addf(b, "<dt>Metadata</dt><dd class=\"low\">%zu more entries not shown (at most "
                    "%d; the API has every one)</dd>\n", run->n_meta - BUDGET_META_SHOWN,
                    BUDGET_META_SHOWN);
    bg_buf_adds(b, "</dl>\n<h2>Environment</h2>\n<dl class=\"facts\">\n");
    fact(b, "OS", run->env.os);
    fact(b, "Kernel", run->env.kernel);
    fact(b, "Architecture", run->env.arch);
    fact(b, "CPU", run->env.cpu_model);
    if (run->env.cores > 0) {
        snprintf(num, sizeof(num), "%" PRId64, run->env.cores);
        fact(b, "Cores", num);
    }
    if (run->env.memory_bytes > 0) {
        snprintf(num, sizeof(num), "%.1f GiB", (double)run->env.memory_bytes / (1 << 30));
        fact(b, "Memory", num);
    }
    fact(b, "Compiler", run->env.compiler);
    fact(b, "Runner", run->env.runner);
    fact(b, "Fingerprint", run->env.fingerprint);
    bg_buf_adds(b, "</dl>\n");
}

/* The verdict table of `benchgate check`, as HTML. On a phone the columns
 * marked opt give way: the name, current p95, change and verdict stay. */
static void verdict_table(struct bg_buf *b, const char *project, const struct judged *j)
{
    const struct gate_report *r = &j->report;
    char lo[32], hi[32], p[32];

    bg_buf_adds(b, "<div class=\"scroll\"><table class=\"verdicts\">\n<thead><tr>"
                "<th>Benchmark</th><th class=\"opt\">Metric</th>"
                "<th class=\"num opt\">Baseline</th><th class=\"num\">Current</th>"
                "<th class=\"num\">Change</th><th class=\"num opt\">95% CI</th>"
                "<th class=\"num opt\">Noise</th><th class=\"num opt\">Detectable</th>"
                "<th class=\"num opt\">p</th><th class=\"num opt\">n</th><th>Verdict</th></tr>"
                "</thead>\n<tbody>\n");
    for (size_t i = 0; i < r->n_rows && i < BUDGET_PAGE_ROWS; i++) {
        const struct gate_row *row = &r->rows[i];
        const struct bg_result *res = row->cur != NULL ? row->cur : row->base;
        struct page_filters f = { row->cur != NULL ? j->cur.branch : j->base.branch, NULL,
                                  res->metric };

        bg_buf_adds(b, "<tr><td class=\"name\"><a href=\"");
        page_href_benchmark(b, project, res->name, &f);
        bg_buf_adds(b, "\">");
        html_text(b, res->name);
        bg_buf_adds(b, "</a></td><td class=\"opt\">");
        html_text(b, res->metric);
        bg_buf_adds(b, "</td>");
        page_value_cell_class(b, row->base_p95, res->unit, "opt");
        page_value_cell(b, row->cur_p95, res->unit);
        page_change_cell(b, isnan(row->adj_change) ? row->change : row->adj_change,
                         row->threshold);
        if (isnan(row->ci_lo)) {
            bg_buf_adds(b, "<td class=\"num opt\">-</td>");
        } else {
            report_format_change(lo, sizeof(lo), row->ci_lo);
            report_format_change(hi, sizeof(hi), row->ci_hi);
            bg_buf_addf(b, "<td class=\"num opt\">%s … %s</td>", lo, hi);
        }
        if (isnan(row->noise))
            bg_buf_adds(b, "<td class=\"num opt\">-</td>");
        else
            bg_buf_addf(b, "<td class=\"num opt\">±%.1f%%</td>", row->noise * 100.0);
        if (isnan(row->detectable))
            bg_buf_adds(b, "<td class=\"num opt\">-</td>");
        else
            bg_buf_addf(b, "<td class=\"num opt%s\">%.1f%%</td>", row->ungateable ? " warn" : "",
                        row->detectable * 100.0);
        report_format_p(p, sizeof(p), row->p_holm);
        bg_buf_addf(b, "<td class=\"num opt\">%s</td>", p);
        bg_buf_addf(b, "<td class=\"num opt\">%ux%zu/%zu</td>", row->k,
                    row->base != NULL ? row->base->n_samples : 0,
                    row->cur != NULL ? row->cur->n_samples : 0);
        page_verdict_cell(b, r, row);
        bg_buf_adds(b, "</tr>\n");
    }
    bg_buf_adds(b, "</tbody>\n</table></div>\n");
    if (r->n_rows > BUDGET_PAGE_ROWS)
        bg_buf_addf(b, "<p class=\"low\">%zu more benchmarks not shown: a page shows at most "
                    "%d (the check API has every row).</p>\n", r->n_rows - BUDGET_PAGE_ROWS,
                    BUDGET_PAGE_ROWS);
    bg_buf_adds(b, "<p class=\"low\">Change: against the history's "
                "typical p95, with this run's machine factor removed. Noise: the p95's run-to-run "
                "spread. Detectable: the smallest shift the gate could confirm. p: the evidence "
                "(median and tail tests), Holm-adjusted. n: baseline runs x samples / current "
                "samples.</p>\n");
}

/* The runs of the baseline, each a link, and the branch's other runs. */
static void baseline_runs(struct bg_buf *b, const char *project, const struct judged *j)
{
    bool first = true;

    bg_buf_adds(b, "<p class=\"links\">");
    if (j->base.found && j->base.n_runs > 0) {
        bg_buf_adds(b, "Baseline runs:");
        for (size_t i = 0; i < j->base.n_runs; i++) {
            bg_buf_adds(b, i == 0 ? " <a href=\"" : ", <a href=\"");
            page_href_run(b, project, j->base.runs[i].id);
            bg_buf_addf(b, "\">%" PRId64 "</a>", j->base.runs[i].id);
        }
        bg_buf_adds(b, " · ");
    }
    bg_buf_adds(b, "<a href=\"");
    page_href_project(b, project);
    bg_buf_adds(b, "/runs");
    page_add_param(b, &first, "branch", j->cur.branch);
    bg_buf_adds(b, "\">All runs of branch ");
    html_text(b, j->cur.branch);
    bg_buf_adds(b, "</a></p>\n");
}

void page_run(const struct http_request *rq, const char *const *params, struct http_response *rs)
{
    char base[BG_NAME_MAX + 1], title[64] = "Run";
    struct judged j;
    struct page pg;

    page_begin(&pg);
    memset(&j, 0, sizeof(j));
    if (!lookup_run(rq, params[0], params[1], &j.cur, rs)) {
        judge_release(&j);
        goto out;
    }
    if (judge_base_branch(rq, params[0], base, rs) < 0) {
        judge_release(&j);
        goto out;
    }
    if (judge_loaded_run(rq, params[0], base, true, &j, rs) < 0)
        goto out;
    snprintf(title, sizeof(title), "Run %" PRId64, j.cur.id);
    page_nav_project(&pg, params[0]);
    bg_buf_addf(&pg.nav, " / %s", title);
    bg_buf_addf(&pg.main, "<h1>%s</h1>\n", title);
    page_judged_summary(&pg.main, params[0], &j, "This run");
    baseline_runs(&pg.main, params[0], &j);
    verdict_table(&pg.main, params[0], &j);
    run_facts(&pg.main, &j.cur);
    judge_release(&j);
out:
    page_end(&pg, title, rs);
}

/* ---- /p/{project}/runs: a branch's runs, newest first, a page at a time ---- */

#define RUNS_PAGE 50

static const struct bg_int_range before_range = { 1, INT64_MAX };

void page_runs(const struct http_request *rq, const char *const *params,
               struct http_response *rs)
{
    const char *project = params[0];
    char base[BG_NAME_MAX + 1], date[32];
    struct page_filters f;
    struct store_run_info *runs = NULL;
    struct page pg;
    int64_t before = 0;
    int n;
    bool first;

    page_begin(&pg);
    if (!page_read_filters(rq, &f, rs) ||
        !http_query_int(rq, "before", &before_range, &before, rs) ||
        !lookup_project(rq, project, rs) || judge_base_branch(rq, project, base, rs) < 0)
        goto out;
    if (f.branch == NULL)
        f.branch = base;
    f.env = NULL; /* a page of a branch's runs: every machine's */
    /* one more than a page: whether there are older ones */
    n = store_list_runs(rq->st, project, f.branch, NULL, before, RUNS_PAGE + 1, &runs);
    if (n < 0) {
        http_store_failed(rs);
        goto out;
    }
    page_nav_project(&pg, project);
    bg_buf_adds(&pg.nav, " / runs");
    bg_buf_adds(&pg.main, "<h1>Runs of ");
    html_text(&pg.main, project);
    bg_buf_adds(&pg.main, "</h1>\n<p class=\"lead\">Branch <b>");
    html_text(&pg.main, f.branch);
    bg_buf_addf(&pg.main, "</b>, newest first, %d a page%s. <a href=\"", RUNS_PAGE,
                before != 0 ? ", older than the runs before" : "");
    page_href_project(&pg.main, project);
    bg_buf_adds(&pg.main, "\">All benchmarks</a></p>\n");
    page_filter_form(&pg, rq, project, &f, base, rs);
    if (rs->status != 0)
        goto out;
    bg_buf_adds(&pg.main, "<button type=\"submit\">Show</button>\n</form>\n");
    if (n == 0) {
        page_note(&pg.main, "No runs on this branch.");
        goto out;
    }
    bg_buf_adds(&pg.main, "<div class=\"scroll\"><table class=\"runs\">\n<thead><tr><th>Run</th>"
                "<th>Time (UTC)</th><th>Commit</th><th class=\"opt\">Machine</th>"
                "<th class=\"num\">Results</th><th class=\"opt\">Harness</th></tr></thead>\n"
                "<tbody>\n");
    for (int i = 0; i < n && i < RUNS_PAGE; i++) {
        page_when(runs[i].timestamp, date, sizeof(date));
        bg_buf_adds(&pg.main, "<tr><td><a href=\"");
        page_href_run(&pg.main, project, runs[i].id);
        bg_buf_addf(&pg.main, "\">%" PRId64 "</a></td><td>%s</td><td class=\"mono\">", runs[i].id,
                    date);
        html_text(&pg.main, runs[i].commit);
        bg_buf_addf(&pg.main, "</td><td class=\"mono opt\">%s</td><td class=\"num\">%zu</td>"
                    "<td class=\"opt\">", runs[i].fingerprint, runs[i].n_results);
        html_text(&pg.main, runs[i].tool);
        bg_buf_adds(&pg.main, "</td></tr>\n");
    }
    bg_buf_adds(&pg.main, "</tbody>\n</table></div>\n<nav class=\"pager\">");
    if (before != 0) {
        bg_buf_adds(&pg.main, "<a href=\"");
        page_href_project(&pg.main, project);
        bg_buf_adds(&pg.main, "/runs");
        first = true;
        page_add_param(&pg.main, &first, "branch", f.branch);
        bg_buf_adds(&pg.main, "\">Newest runs</a> ");
    }
    if (n > RUNS_PAGE) {
        char id[24];

        snprintf(id, sizeof(id), "%" PRId64, runs[RUNS_PAGE - 1].id);
        bg_buf_adds(&pg.main, "<a rel=\"next\" href=\"");
        page_href_project(&pg.main, project);
        bg_buf_adds(&pg.main, "/runs");
        first = true;
        page_add_param(&pg.main, &first, "branch", f.branch);
        page_add_param(&pg.main, &first, "before", id);
        bg_buf_adds(&pg.main, "\">Older runs</a>");
    }
    bg_buf_adds(&pg.main, "</nav>\n");
out:
    free(runs);
    page_end(&pg, "Runs", rs);
}
