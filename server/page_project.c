/*
 * page_project.c: GET /p/{project}: the newest run's verdicts, one row per
 * benchmark and metric with a sparkline of its last p95s, filtered by
 * branch and machine and sorted as asked; and the sparklines alone as
 * .../b/{name}/spark.svg.
 */
#include "core/bg.h"
#include "server/handlers.h"
#include "gate/report.h"
#include "server/budget.h"
#include "server/chart.h"
#include "server/html.h"
#include "server/judge.h"
#include "server/lookup.h"
#include "server/page.h"

#include <math.h>

#define SPARK_POINTS 30    /* runs in a trend line */

/* ---- sparklines ---- */

struct spark {
    struct store_point *pts;
    struct chart_point *cp;
    struct chart chart;
};

static int spark_load(const struct http_request *rq, const char *project, const char *name,
                      const struct page_filters *f, struct spark *s, struct http_response *rs)
{
    const char *unit;
    double scale;
    int n = store_history(rq->st, project, name, f->metric, f->branch, f->env, SPARK_POINTS,
                          &s->pts);

    if (n < 0) {
        http_store_failed(rs);
        return -1;
    }
    scale = page_unit_scale(n > 0 ? s->pts[0].unit : "", s->pts, n, &unit);
    s->cp = page_chart_points(s->pts, n, scale, false);
    chart_init(&s->chart, CHART_SPARKLINE, s->cp, (size_t)n);
    return n;
}

static void spark_release(struct spark *s)
{
    chart_release(&s->chart);
    free(s->cp);
    free(s->pts);
}

void page_sparkline(const struct http_request *rq, const char *const *params,
                    struct http_response *rs)
{
    struct spark s = { 0 };
    struct chart *c = &s.chart;
    struct page_filters f;
    int n;

    if (!http_name_ok("benchmark", params[1], rs) || !page_read_filters(rq, &f, rs))
        return;
    if (f.metric == NULL)
        f.metric = "time";
    n = spark_load(rq, params[0], params[1], &f, &s, rs);
    if (n == 0)
        http_error(rs, 404, "not_found", "no results for benchmark '%s', metric '%s'", params[1],
                   f.metric);
    if (n > 0) {
        chart_render(&c, 1);
        if (c->problem != NULL)
            http_error(rs, 503, "chart_unavailable", "%s", c->problem);
        else {
            bg_buf_add(&rs->body, c->svg.data, c->svg.len);
            rs->status = 200;
        }
    }
    spark_release(&s);
}

/* ---- /p/{project} ---- */

static const char *const sorts[] = { "run", "name", "change" };

struct sorted_row {
    const struct gate_row *row;
    size_t order;
};

static int by_name(const void *a, const void *b)
{
    const struct gate_row *x = ((const struct sorted_row *)a)->row;
    const struct gate_row *y = ((const struct sorted_row *)b)->row;
    const struct bg_result *rx = x->cur != NULL ? x->cur : x->base;
    const struct bg_result *ry = y->cur != NULL ? y->cur : y->base;
    int c = strcmp(rx->name, ry->name);

    return c != 0 ? c : strcmp(rx->metric, ry->metric);
}

/* Biggest change (worst) first; rows without a change last, in run order. */
static int by_change(const void *a, const void *b)
{
    const struct sorted_row *x = a, *y = b;
    double cx = x->row->change, cy = y->row->change;

    if (isnan(cx) != isnan(cy))
        return isnan(cx) ? 1 : -1;
    if (!isnan(cx) && cx != cy)
        return cx > cy ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * The benchmark table of a project page; sparklines drawn in one go first.
 * At most BUDGET_PAGE_ROWS rows, the first BUDGET_SPARKLINES of them with a
 * sparkline (server/budget.h); notes say what was left out.
 */
static void benchmark_table(struct page *pg, const struct http_request *rq, const char *project,
                            const struct judged *j, const struct page_filters *f, const char *sort,
                            struct http_response *rs)
{
    size_t n_all = j->report.n_rows;
    size_t n = n_all < BUDGET_PAGE_ROWS ? n_all : BUDGET_PAGE_ROWS;
    size_t n_spark = n < BUDGET_SPARKLINES ? n : BUDGET_SPARKLINES;
    struct sorted_row *order = bg_xcalloc(n_all + 1, sizeof(*order));
    struct spark *sp = bg_xcalloc(n + 1, sizeof(*sp));
    struct chart **charts = bg_xcalloc(n + 1, sizeof(*charts));

    for (size_t i = 0; i < n_all; i++)
        order[i] = (struct sorted_row){ &j->report.rows[i], i };
    if (strcmp(sort, "name") == 0)
        qsort(order, n_all, sizeof(*order), by_name);
    else if (strcmp(sort, "change") == 0)
        qsort(order, n_all, sizeof(*order), by_change);
    for (size_t i = 0; i < n_spark; i++) {
        const struct bg_result *res = order[i].row->cur != NULL ? order[i].row->cur
                                                                : order[i].row->base;
        struct page_filters mf = { f->branch, f->env, res->metric };

        if (spark_load(rq, project, res->name, &mf, &sp[i], rs) < 0)
            goto out;
        charts[i] = &sp[i].chart;
    }
    chart_render(charts, n_spark);

    bg_buf_adds(&pg->main, "<table>\n<thead><tr><th>Benchmark</th><th>Metric</th>"
                "<th>Trend (p95, last 30 runs)</th><th class=\"num\">p95</th>"
                "<th class=\"num\">Change</th><th>Verdict</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < n; i++) {
        const struct gate_row *row = order[i].row;
        const struct bg_result *res = row->cur != NULL ? row->cur : row->base;
        struct page_filters mf = { f->branch, f->env, res->metric };
        bool first = false;

        bg_buf_adds(&pg->main, "<tr><td class=\"name\"><a href=\"");
        page_href_benchmark(&pg->main, project, res->name, &mf);
        bg_buf_adds(&pg->main, "\">");
        html_text(&pg->main, res->name);
        bg_buf_adds(&pg->main, "</a></td><td>");
        html_text(&pg->main, res->metric);
        bg_buf_adds(&pg->main, "</td><td>");
        if (i == n_spark) {
            bg_buf_addf(&pg->main, "<span class=\"low\">%zu more not drawn (at most %d a "
                        "page)</span>", n - n_spark, BUDGET_SPARKLINES);
        } else if (i > n_spark) {
            /* no chart: the note above says why */
        } else if (sp[i].chart.problem == NULL) {
            /* the same data as this render, so the image is a cache hit */
            bg_buf_adds(&pg->main, "<img class=\"spark\" width=\"120\" height=\"30\" alt=\"p95 "
                        "trend\" src=\"");
            page_href_project(&pg->main, project);
            bg_buf_adds(&pg->main, "/b/");
            html_url(&pg->main, res->name);
            bg_buf_adds(&pg->main, "/spark.svg");
            first = true;
            page_add_param(&pg->main, &first, "metric", res->metric);
            page_add_param(&pg->main, &first, "branch", f->branch);
            page_add_param(&pg->main, &first, "env", f->env);
            bg_buf_adds(&pg->main, "\">");
        } else {
            rs->transient |= sp[i].chart.transient;
            bg_buf_adds(&pg->main, "<span class=\"low\">");
            html_text(&pg->main, sp[i].chart.problem);
            bg_buf_adds(&pg->main, "</span>");
        }
        bg_buf_adds(&pg->main, "</td>");
        page_value_cell(&pg->main, row->cur_p95, res->unit);
        page_change_cell(&pg->main, row->change, row->threshold);
        page_verdict_cell(&pg->main, &j->report, row);
        bg_buf_adds(&pg->main, "</tr>\n");
    }
    bg_buf_adds(&pg->main, "</tbody>\n</table>\n");
    if (n < n_all)
        bg_buf_addf(&pg->main, "<p class=\"low\">%zu more benchmarks not shown: a page shows "
                    "at most %d (sort by biggest change first to see the worst; the API has "
                    "every one).</p>\n", n_all - n, BUDGET_PAGE_ROWS);
out:
    for (size_t i = 0; i < n_spark; i++)
        spark_release(&sp[i]);
    free(charts);
    free(sp);
    free(order);
}

/* bsearch order of (name, metric) keys against row identities. */
static int by_identity(const void *a, const void *b)
{
    const struct bg_result *x = *(const struct bg_result *const *)a;
    const struct bg_result *y = *(const struct bg_result *const *)b;
    int c = strcmp(x->name, y->name);

    return c != 0 ? c : strcmp(x->metric, y->metric);
}

/* The filters to link a benchmark's page with: the page's own when the
 * benchmark has results there, else the branch of its newest result on any
 * machine (*same false); false (answer made) when the store fails. */
static bool link_branch(const struct http_request *rq, const char *project,
                        const struct store_benchmark *k, const struct page_filters *f,
                        char branch[BG_NAME_MAX + 1], bool *same, struct http_response *rs)
{
    struct store_point *pt = NULL;
    int n = store_history(rq->st, project, k->name, k->metric, f->branch, f->env, 1, &pt);

    *same = n > 0;
    if (n > 0)
        snprintf(branch, BG_NAME_MAX + 1, "%s", f->branch);
    if (n == 0) {
        free(pt);
        pt = NULL;
        n = store_history(rq->st, project, k->name, k->metric, NULL, NULL, 1, &pt);
        if (n > 0)
            snprintf(branch, BG_NAME_MAX + 1, "%s", pt[0].branch);
    }
    if (n < 0) {
        http_store_failed(rs);
        return false;
    }
    free(pt);
    return true;
}

/* Benchmarks stored for the project but in neither run just compared (at
 * most BUDGET_OTHER_BENCHMARKS of them listed), each linked to a page that
 * has its results. */
static void other_benchmarks(struct page *pg, const struct http_request *rq, const char *project,
                             const struct judged *j, const struct page_filters *f,
                             struct http_response *rs)
{
    struct store_benchmark *k;
    int n = store_list_benchmarks(rq->st, project, &k);
    size_t shown_n = 0, more = 0, n_rows = j->report.n_rows;
    const struct bg_result **rows;

    if (n < 0) {
        http_store_failed(rs);
        return;
    }
    /* the rows' identities sorted once, each benchmark looked up: n log n, not n x n */
    rows = bg_xcalloc(n_rows + 1, sizeof(*rows));
    for (size_t r = 0; r < n_rows; r++)
        rows[r] = j->report.rows[r].cur != NULL ? j->report.rows[r].cur : j->report.rows[r].base;
    qsort(rows, n_rows, sizeof(*rows), by_identity);
    for (int i = 0; i < n && rs->status == 0; i++) {
        struct bg_result key = { .name = k[i].name, .metric = k[i].metric };
        const struct bg_result *keyp = &key;
        char branch[BG_NAME_MAX + 1] = "";
        bool same = false;
        struct page_filters mf = { NULL, f->env, k[i].metric };

        if (n_rows > 0 && bsearch(&keyp, rows, n_rows, sizeof(*rows), by_identity) != NULL)
            continue;
        if (shown_n == BUDGET_OTHER_BENCHMARKS) {
            more++;
            continue;
        }
        if (!link_branch(rq, project, &k[i], f, branch, &same, rs))
            break;
        mf.branch = branch[0] != '\0' ? branch : NULL;
        if (!same)
            mf.env = NULL; /* its results are elsewhere: on any machine there */
        if (shown_n++ == 0)
            bg_buf_adds(&pg->main, "<h2>Not in the newest run</h2>\n<ul>\n");
        bg_buf_adds(&pg->main, "<li><a href=\"");
        page_href_benchmark(&pg->main, project, k[i].name, &mf);
        bg_buf_adds(&pg->main, "\">");
        html_text(&pg->main, k[i].name);
        bg_buf_adds(&pg->main, "</a> (");
        html_text(&pg->main, k[i].metric);
        bg_buf_addf(&pg->main, ", %" PRId64 " result%s", k[i].n_results,
                    k[i].n_results == 1 ? "" : "s");
        if (!same && branch[0] != '\0') {
            bg_buf_adds(&pg->main, ", on ");
            html_text(&pg->main, branch);
        }
        bg_buf_adds(&pg->main, ")</li>\n");
    }
    if (shown_n > 0)
        bg_buf_adds(&pg->main, "</ul>\n");
    if (more > 0)
        bg_buf_addf(&pg->main, "<p class=\"low\">%zu more not listed (at most %d a page).</p>\n",
                    more, BUDGET_OTHER_BENCHMARKS);
    free(rows);
    free(k);
}

void page_project(const struct http_request *rq, const char *const *params,
                  struct http_response *rs)
{
    const char *project = params[0], *sort = route_query_get(rq->query, "sort");
    char base[BG_NAME_MAX + 1];
    struct judged j;
    struct page_filters f;
    struct page pg;
    int64_t id = 0;
    bool judged = false, sort_ok = sort == NULL;

    page_begin(&pg);
    memset(&j, 0, sizeof(j));
    for (size_t i = 0; i < ARRAY_SIZE(sorts) && sort != NULL; i++)
        sort_ok |= strcmp(sort, sorts[i]) == 0;
    if (!sort_ok) {
        http_error(rs, 400, "bad_request", "query parameter sort: expected run, name or change");
        goto out;
    }
    if (!page_read_filters(rq, &f, rs) || !lookup_project(rq, project, rs) ||
        judge_base_branch(rq, project, base, rs) < 0)
        goto out;
    if (f.branch == NULL)
        f.branch = base;
    page_nav_project(&pg, project);
    bg_buf_adds(&pg.main, "<h1>");
    html_text(&pg.main, project);
    bg_buf_adds(&pg.main, "</h1>\n");
    page_filter_form(&pg, rq, project, &f, base, rs);
    if (rs->status != 0)
        goto out;
    bg_buf_adds(&pg.main, "<label>Sort <select name=\"sort\">\n");
    for (size_t i = 0; i < ARRAY_SIZE(sorts); i++)
        bg_buf_addf(&pg.main, "<option value=\"%s\"%s>%s</option>\n", sorts[i],
                    sort != NULL && strcmp(sort, sorts[i]) == 0 ? " selected" : "",
                    i == 0 ? "run order" : i == 1 ? "name" : "biggest change first");
    bg_buf_adds(&pg.main, "</select></label>\n<button type=\"submit\">Show</button>\n</form>\n");
    if (judge_newest_run(rq, project, f.branch, f.env, &id, rs) < 0)
        goto out;
    if (id == 0) {
        page_note(&pg.main, "No runs on this branch and machine yet.");
        goto out;
    }
    if (judge_stored_run(rq, project, id, base, false, &j, rs) < 0)
        goto out;
    judged = true;
    page_judged_summary(&pg.main, project, &j, "Newest run");
    benchmark_table(&pg, rq, project, &j, &f, sort != NULL ? sort : "run", rs);
    if (rs->status == 0)
        other_benchmarks(&pg, rq, project, &j, &f, rs);
out:
    if (judged)
        judge_release(&j);
    page_end(&pg, project, rs);
}
