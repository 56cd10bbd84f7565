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

/* The verdict table of `benchgate check`, as HTML. */
static void verdict_table(struct bg_buf *b, const char *project, const struct judged *j)
{
    const struct gate_report *r = &j->report;
    char lo[32], hi[32], p[32];

    bg_buf_adds(b, "<table>\n<thead><tr><th>Benchmark</th><th>Metric</th>"
                "<th class=\"num\">Baseline</th><th class=\"num\">Current</th>"
                "<th class=\"num\">Change</th><th class=\"num\">95% CI</th>"
                "<th class=\"num\">Noise</th><th class=\"num\">Detectable</th>"
                "<th class=\"num\">p</th><th class=\"num\">n</th><th>Verdict</th></tr></thead>\n"
                "<tbody>\n");
    for (size_t i = 0; i < r->n_rows && i < BUDGET_PAGE_ROWS; i++) {
        const struct gate_row *row = &r->rows[i];
        const struct bg_result *res = row->cur != NULL ? row->cur : row->base;
        struct page_filters f = { row->cur != NULL ? j->cur.branch : j->base.branch, NULL,
                                  res->metric };

        bg_buf_adds(b, "<tr><td class=\"name\"><a href=\"");
        page_href_benchmark(b, project, res->name, &f);
        bg_buf_adds(b, "\">");
        html_text(b, res->name);
        bg_buf_adds(b, "</a></td><td>");
        html_text(b, res->metric);
        bg_buf_adds(b, "</td>");
        page_value_cell(b, row->base_p95, res->unit);
        page_value_cell(b, row->cur_p95, res->unit);
        page_change_cell(b, isnan(row->adj_change) ? row->change : row->adj_change,
                         row->threshold);
        if (isnan(row->ci_lo)) {
            bg_buf_adds(b, "<td class=\"num\">-</td>");
        } else {
            report_format_change(lo, sizeof(lo), row->ci_lo);
            report_format_change(hi, sizeof(hi), row->ci_hi);
            bg_buf_addf(b, "<td class=\"num\">%s … %s</td>", lo, hi);
        }
        if (isnan(row->noise))
            bg_buf_adds(b, "<td class=\"num\">-</td>");
        else
            bg_buf_addf(b, "<td class=\"num\">±%.1f%%</td>", row->noise * 100.0);
        if (isnan(row->detectable))
            bg_buf_adds(b, "<td class=\"num\">-</td>");
        else
            bg_buf_addf(b, "<td class=\"num%s\">%.1f%%</td>", row->ungateable ? " warn" : "",
                        row->detectable * 100.0);
        report_format_p(p, sizeof(p), row->p_holm);
        bg_buf_addf(b, "<td class=\"num\">%s</td>", p);
        bg_buf_addf(b, "<td class=\"num\">%ux%zu/%zu</td>", row->k,
                    row->base != NULL ? row->base->n_samples : 0,
                    row->cur != NULL ? row->cur->n_samples : 0);
        page_verdict_cell(b, r, row);
        bg_buf_adds(b, "</tr>\n");
    }
    bg_buf_adds(b, "</tbody>\n</table>\n");
    if (r->n_rows > BUDGET_PAGE_ROWS)
        bg_buf_addf(b, "<p class=\"low\">%zu more benchmarks not shown: a page shows at most "
                    "%d (the check API has every row).</p>\n", r->n_rows - BUDGET_PAGE_ROWS,
                    BUDGET_PAGE_ROWS);
    bg_buf_adds(b, "<p class=\"low\">Change: against the history's typical "
                "p95, with this run's machine factor removed. Noise: the p95's run-to-run "
                "spread. Detectable: the smallest shift the gate could confirm. p: the evidence "
                "(median and tail tests), Holm-adjusted. n: baseline runs x samples / current "
                "samples.</p>\n");
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
    verdict_table(&pg.main, params[0], &j);
    run_facts(&pg.main, &j.cur);
    judge_release(&j);
out:
    page_end(&pg, title, rs);
}
