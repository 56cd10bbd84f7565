/*
 * page_benchmark.c: GET /p/{project}/b/{name}: one benchmark's trend, p95
 * per run with its median and min-max band, the baseline's p95 and the
 * change points, then the runs; and the chart alone as .../chart.svg.
 */
#include "core/bg.h"
#include "server/handlers.h"
#include "gate/changepoint.h"
#include "gate/history.h"
#include "gate/report.h"
#include "server/chart.h"
#include "server/html.h"
#include "server/judge.h"
#include "server/page.h"

#include <math.h>

#define CHANGES_MAX 32     /* change points marked on one chart */

/* ?limit=: the runs a page shows. A chart needs two, and a page's table and
 * chart are its cost, so it shows fewer than the API's HISTORY_MAX. */
#define PAGE_RUNS_MAX 1000
static const struct bg_int_range page_limit = { 2, PAGE_RUNS_MAX };

/* One benchmark's history as the page and its chart show it. */
struct history_view {
    struct page_filters f;
    char base[BG_NAME_MAX + 1];
    bool time_axis;
    int64_t limit;
    struct store_point *pts;
    int n;
    double scale;
    const char *unit;                  /* of the chart's values, after scale */
    struct changepoint cps[CHANGES_MAX];
    size_t marks[CHANGES_MAX], n_cps;
    double baseline;                   /* the newest run's baseline value, NAN if none */
    double threshold;                  /* its row's threshold, 0 if none */
    bool higher_better;
    char baseline_why[1024];
    int64_t baseline_run;              /* the newest run of that baseline, 0 if none */
    struct store_point *base_pts;      /* the base branch's history, on another branch */
    int n_base;
    struct chart_point *cp, *base_cp;
    struct chart chart, narrow;        /* the same chart for a desktop and a phone */
};

static void history_release(struct history_view *v)
{
    chart_release(&v->chart);
    chart_release(&v->narrow);
    free(v->cp);
    free(v->base_cp);
    free(v->pts);
    free(v->base_pts);
}

/* The metric to show when ?metric= is absent: time, else the first stored. */
static int default_metric(const struct http_request *rq, const char *project, const char *name,
                          char out[65], struct http_response *rs)
{
    struct store_benchmark *k;
    int n = store_list_benchmarks(rq->st, project, &k);

    if (n < 0) {
        http_store_failed(rs);
        return -1;
    }
    snprintf(out, 65, "time");
    for (int i = 0, other = -1; i < n; i++) {
        if (strcmp(k[i].name, name) != 0)
            continue;
        if (strcmp(k[i].metric, "time") == 0) {
            snprintf(out, 65, "time");
            break;
        }
        if (other < 0) {
            other = i;
            snprintf(out, 65, "%s", k[i].metric);
        }
    }
    free(k);
    return 0;
}

/* The value of (name, metric) in the baseline of the newest point's run. */
static int history_baseline(const struct http_request *rq, const char *project, const char *name,
                            struct history_view *v, struct http_response *rs)
{
    struct judged j;

    v->baseline = NAN;
    if (judge_stored_run(rq, project, v->pts[v->n - 1].run_id, v->base, false, &j, rs) < 0)
        return -1;
    snprintf(v->baseline_why, sizeof(v->baseline_why), "%s", j.base.why);
    v->baseline_run = j.base.found && j.base.n_runs > 0 ? j.base.runs[0].id : 0;
    /* the history's typical p95, as the verdict used it */
    for (size_t i = 0; j.base.found && i < j.report.n_rows; i++) {
        const struct gate_row *row = &j.report.rows[i];
        const struct bg_result *res = row->cur != NULL ? row->cur : row->base;

        if (strcmp(res->name, name) == 0 && strcmp(res->metric, v->f.metric) == 0) {
            v->baseline = row->base_p95;
            v->threshold = row->threshold;
            v->higher_better = res->direction == BG_DIR_HIGHER;
        }
    }
    judge_release(&j);
    return 0;
}

/*
 * On the run-order axis with the base branch under a branch's runs: both
 * series on one axis of their runs in time order, so that each base run
 * sits where it was made among the branch's. x is the rank in the merged
 * order; both series are oldest first already.
 */
static void merge_order(struct history_view *v)
{
    int i = 0, k = 0, x = 0;

    while (i < v->n || k < v->n_base) {
        bool mine = k == v->n_base ||
                    (i < v->n && (v->pts[i].timestamp < v->base_pts[k].timestamp ||
                                  (v->pts[i].timestamp == v->base_pts[k].timestamp &&
                                   v->pts[i].run_id < v->base_pts[k].run_id)));

        if (mine)
            v->cp[i++].x = x++;
        else
            v->base_cp[k++].x = x++;
    }
}

/* Loads the history of params[1] with the query's filters and draws its
 * chart; false (answer made) on a bad request or a store error. */
static bool history_load(const struct http_request *rq, const char *const *params,
                         struct history_view *v, char metric[65], struct http_response *rs)
{
    const char *x = route_query_get(rq->query, "x");
    struct changepoint_opts co = CHANGEPOINT_OPTS_DEFAULT;
    double *values;
    int found;

    memset(v, 0, sizeof(*v));
    chart_init(&v->chart, CHART_HISTORY, NULL, 0);
    chart_init(&v->narrow, CHART_HISTORY, NULL, 0);
    v->limit = HISTORY_DEFAULT;
    if (!http_name_ok("benchmark", params[1], rs) || !page_read_filters(rq, &v->f, rs) ||
        !http_query_int(rq, "limit", &page_limit, &v->limit, rs))
        return false;
    if (x != NULL && strcmp(x, "order") != 0 && strcmp(x, "time") != 0) {
        http_error(rs, 400, "bad_request", "query parameter x: expected order or time");
        return false;
    }
    v->time_axis = x != NULL && strcmp(x, "time") == 0;
    if (judge_base_branch(rq, params[0], v->base, rs) < 0)
        return false;
    if (v->f.branch == NULL)
        v->f.branch = v->base;
    if (v->f.metric == NULL) {
        if (default_metric(rq, params[0], params[1], metric, rs) < 0)
            return false;
        v->f.metric = metric;
    }
    v->n = store_history(rq->st, params[0], params[1], v->f.metric, v->f.branch, v->f.env,
                         (size_t)v->limit, &v->pts);
    if (v->n < 0) {
        http_store_failed(rs);
        return false;
    }
    if (v->n == 0) {
        found = store_project_exists(rq->st, params[0]);
        if (found < 0)
            http_store_failed(rs);
        else
            http_error(rs, 404, "not_found", "%s '%s' has no results for benchmark '%s', metric "
                       "'%s' on branch '%s'%s", found ? "project" : "there is no project",
                       params[0], params[1], v->f.metric, v->f.branch,
                       v->f.env != NULL ? " on that machine" : "");
        return false;
    }
    if (history_baseline(rq, params[0], params[1], v, rs) < 0)
        return false;

    values = bg_xcalloc((size_t)v->n, sizeof(*values));
    for (int i = 0; i < v->n; i++)
        values[i] = page_shown(&v->pts[i]);
    found = changepoint_find(values, (size_t)v->n, &co, v->cps, ARRAY_SIZE(v->cps));
    free(values);
    v->n_cps = found > 0 ? (size_t)found : 0;
    for (size_t i = 0; i < v->n_cps; i++)
        v->marks[i] = v->cps[i].at;

    /* on another branch, the base branch's runs of the same period, under it */
    if (strcmp(v->f.branch, v->base) != 0) {
        v->n_base = store_history(rq->st, params[0], params[1], v->f.metric, v->base, v->f.env,
                                  (size_t)v->limit, &v->base_pts);
        if (v->n_base < 0) {
            http_store_failed(rs);
            return false;
        }
    }
    v->scale = page_unit_scale(v->pts[0].unit, v->pts, v->n, &v->unit);
    v->cp = page_chart_points(v->pts, v->n, v->scale, v->unit, v->time_axis);
    if (v->n_base > 0) {
        v->base_cp = page_chart_points(v->base_pts, v->n_base, v->scale, v->unit, v->time_axis);
        if (!v->time_axis)
            merge_order(v);
    }
    for (int k = 0; k < 2; k++) {
        struct chart *c = k == 0 ? &v->chart : &v->narrow;

        chart_init(c, CHART_HISTORY, v->cp, (size_t)v->n);
        c->size = k == 0 ? CHART_WIDE : CHART_NARROW;
        c->unit = v->unit;
        c->time_axis = v->time_axis;
        c->baseline = v->baseline / v->scale;
        c->threshold = v->threshold;
        c->higher_better = v->higher_better;
        c->overlay = v->base_cp;
        c->n_overlay = v->base_cp != NULL ? (size_t)v->n_base : 0;
        c->marks = v->marks;
        c->n_marks = v->n_cps;
    }
    {
        struct chart *both[] = { &v->chart, &v->narrow };

        chart_render(both, 2); /* one gnuplot run for both */
    }
    return true;
}

void page_chart(const struct http_request *rq, const char *const *params,
                struct http_response *rs)
{
    const char *size = route_query_get(rq->query, "size");
    struct history_view v;
    const struct chart *c = &v.chart;
    char metric[65];

    if (size != NULL && strcmp(size, "wide") != 0 && strcmp(size, "narrow") != 0) {
        http_error(rs, 400, "bad_request", "query parameter size: expected wide or narrow");
        return;
    }
    if (history_load(rq, params, &v, metric, rs)) {
        if (size != NULL && strcmp(size, "narrow") == 0)
            c = &v.narrow;
        if (c->problem != NULL) {
            http_error(rs, 503, "chart_unavailable", "%s", c->problem);
        } else {
            bg_buf_add(&rs->body, c->svg.data, c->svg.len);
            rs->status = 200;
        }
    }
    history_release(&v);
}

static void change_points(struct bg_buf *b, const char *project, const struct history_view *v)
{
    char date[32], before[64], after[64], change[32];

    if (v->n_cps == 0) {
        bg_buf_adds(b, "<p>No change point: the p95 shows no level shift in these runs (a "
                    "rank-based permutation test at α = 0.01, shifts of 2% or more).</p>\n");
        return;
    }
    bg_buf_adds(b, "<h2>Change points</h2>\n<ul class=\"changes\">\n");
    for (size_t i = 0; i < v->n_cps; i++) {
        const struct store_point *p = &v->pts[v->cps[i].at];

        page_when(p->timestamp, date, sizeof(date));
        report_format_value(before, sizeof(before), v->cps[i].before, p->unit);
        report_format_value(after, sizeof(after), v->cps[i].after, p->unit);
        report_format_change(change, sizeof(change), v->cps[i].after / v->cps[i].before - 1);
        bg_buf_adds(b, "<li>From <a href=\"");
        page_href_run(b, project, p->run_id);
        bg_buf_addf(b, "\">run %" PRId64 "</a>", p->run_id);
        if (p->commit[0] != '\0')
            bg_buf_addf(b, " (commit <code>%.12s</code>)", p->commit);
        bg_buf_addf(b, ", %s UTC: median p95 ", date);
        html_text(b, before);
        bg_buf_adds(b, " → ");
        html_text(b, after);
        bg_buf_addf(b, " (%s)</li>\n", change);
    }
    bg_buf_adds(b, "</ul>\n");
}

static void history_table(struct bg_buf *b, const char *project, const struct history_view *v)
{
    char date[32];

    bg_buf_adds(b, "<h2>Runs</h2>\n<div class=\"scroll\"><table class=\"runs\">\n<thead><tr>"
                "<th>Run</th><th>Time (UTC)</th><th class=\"opt\">Branch</th><th>Commit</th>"
                "<th class=\"num opt\">n</th><th class=\"num\">p95</th>"
                "<th class=\"num opt\">median</th><th class=\"num opt\">min</th>"
                "<th class=\"num opt\">max</th><th class=\"opt\"></th></tr></thead>\n<tbody>\n");
    for (int i = v->n - 1; i >= 0; i--) {
        const struct store_point *p = &v->pts[i];
        bool shift = false;

        for (size_t c = 0; c < v->n_cps; c++)
            shift |= v->cps[c].at == (size_t)i;
        page_when(p->timestamp, date, sizeof(date));
        bg_buf_addf(b, "<tr%s><td><a href=\"", shift ? " class=\"changepoint\"" : "");
        page_href_run(b, project, p->run_id);
        bg_buf_addf(b, "\">%" PRId64 "</a></td><td>%s</td><td class=\"name opt\">", p->run_id,
                    date);
        html_text(b, p->branch);
        bg_buf_addf(b, "</td><td class=\"mono\">%.12s</td><td class=\"num opt\">%zu%s</td>",
                    p->commit, p->n,
                    p->summary_only ? " (summary)" : p->pruned ? " (samples pruned)" : "");
        page_value_cell(b, p->p95, p->unit);
        page_value_cell_class(b, p->median, p->unit, "opt");
        page_value_cell_class(b, p->min, p->unit, "opt");
        page_value_cell_class(b, p->max, p->unit, "opt");
        bg_buf_addf(b, "<td class=\"opt\">%s</td></tr>\n", shift ? "level shift" : "");
    }
    bg_buf_adds(b, "</tbody>\n</table></div>\n");
}

/* The chart alone: the page's filters, axis and runs, and size (NULL: wide). */
static void chart_href(struct bg_buf *b, const char *const *params, const struct history_view *v,
                       const char *size)
{
    char limit[24];
    bool first = true;

    snprintf(limit, sizeof(limit), "%" PRId64, v->limit);
    page_href_project(b, params[0]);
    bg_buf_adds(b, "/b/");
    html_url(b, params[1]);
    bg_buf_adds(b, "/chart.svg");
    page_add_param(b, &first, "metric", v->f.metric);
    page_add_param(b, &first, "branch", v->f.branch);
    page_add_param(b, &first, "env", v->f.env);
    page_add_param(b, &first, "x", v->time_axis ? "time" : NULL);
    page_add_param(b, &first, "limit", v->limit != HISTORY_DEFAULT ? limit : NULL);
    page_add_param(b, &first, "size", size);
}

static const int limits[] = { 25, 50, HISTORY_DEFAULT, 200, 500, PAGE_RUNS_MAX };

void page_benchmark(const struct http_request *rq, const char *const *params,
                    struct http_response *rs)
{
    struct history_view v;
    char metric[65], buf[64], limit_text[24];
    struct page pg;
    bool first = true;

    page_begin(&pg);
    if (!history_load(rq, params, &v, metric, rs))
        goto out;
    snprintf(limit_text, sizeof(limit_text), "%" PRId64, v.limit);
    page_nav_project(&pg, params[0]);
    bg_buf_adds(&pg.nav, " / ");
    html_text(&pg.nav, params[1]);
    bg_buf_adds(&pg.main, "<h1>");
    html_text(&pg.main, params[1]);
    bg_buf_adds(&pg.main, "</h1>\n<p class=\"lead\">Metric <b>");
    html_text(&pg.main, v.f.metric);
    bg_buf_adds(&pg.main, "</b> on branch <b>");
    html_text(&pg.main, v.f.branch);
    bg_buf_addf(&pg.main, "</b>%s, %d run%s, oldest first; values in ",
                v.f.env != NULL ? " on one machine" : "", v.n, v.n == 1 ? "" : "s");
    html_text(&pg.main, v.unit);
    bg_buf_adds(&pg.main, ".");
    if (!isnan(v.baseline)) {
        report_format_value(buf, sizeof(buf), v.baseline, v.pts[0].unit);
        bg_buf_adds(&pg.main, " Baseline p95 ");
        html_text(&pg.main, buf);
        bg_buf_adds(&pg.main, ": ");
        html_text(&pg.main, v.baseline_why);
        bg_buf_adds(&pg.main, ".");
        if (v.baseline_run != 0) {
            bg_buf_adds(&pg.main, " Newest baseline run: <a href=\"");
            page_href_run(&pg.main, params[0], v.baseline_run);
            bg_buf_addf(&pg.main, "\">run %" PRId64 "</a>.", v.baseline_run);
        }
    }
    bg_buf_adds(&pg.main, " <a href=\"");
    page_href_project(&pg.main, params[0]);
    bg_buf_adds(&pg.main, "\">All benchmarks of the project</a> · <a href=\"");
    page_href_project(&pg.main, params[0]);
    bg_buf_adds(&pg.main, "/alerts\">Alerts</a></p>\n");

    /* the filters, with the axis and the number of runs */
    page_filter_form(&pg, rq, params[0], &v.f, v.base, rs);
    if (rs->status != 0)
        goto out;
    bg_buf_addf(&pg.main, "<input type=\"hidden\" name=\"metric\" value=\"");
    html_text(&pg.main, v.f.metric);
    bg_buf_addf(&pg.main, "\">\n<label>X axis <select name=\"x\">"
                "<option value=\"order\"%s>run order (commits)</option>"
                "<option value=\"time\"%s>run time</option></select></label>\n"
                "<label>Runs <select name=\"limit\">",
                v.time_axis ? "" : " selected", v.time_axis ? " selected" : "");
    {
        bool listed = false;

        for (size_t i = 0; i < ARRAY_SIZE(limits); i++) {
            listed |= limits[i] == v.limit;
            bg_buf_addf(&pg.main, "<option%s>%d</option>",
                        limits[i] == v.limit ? " selected" : "", limits[i]);
        }
        if (!listed) /* a ?limit= of the URL's own stays chosen when the form is sent */
            bg_buf_addf(&pg.main, "<option selected>%" PRId64 "</option>", v.limit);
    }
    bg_buf_adds(&pg.main, "</select></label>\n<button type=\"submit\">Show</button>\n</form>\n");

    bg_buf_adds(&pg.main, "<figure class=\"chart\">\n");
    if (v.chart.problem == NULL) {
        /* inline, so each point's value shows on hover; a phone gets the narrow
         * chart, drawn in the same gnuplot run (a cache hit) */
        bg_buf_adds(&pg.main, "<div class=\"chart-wide\">");
        bg_buf_adds(&pg.main, chart_svg_element(&v.chart));
        bg_buf_adds(&pg.main, "</div>\n");
        if (v.narrow.problem == NULL) {
            bg_buf_adds(&pg.main, "<img class=\"chart-narrow\" loading=\"lazy\" width=\"400\" "
                        "height=\"320\" alt=\"p95 per run\" src=\"");
            chart_href(&pg.main, params, &v, "narrow");
            bg_buf_adds(&pg.main, "\">\n");
        }
    } else {
        page_note(&pg.main, v.chart.problem);
    }
    rs->transient |= v.chart.transient || v.narrow.transient;
    bg_buf_adds(&pg.main, "<figcaption class=\"low\">p95 (");
    html_text(&pg.main, v.unit);
    bg_buf_adds(&pg.main, ") per run, with its median and min-max band; hover a point for its "
                "run and value. The dotted green line is the baseline's p95");
    if (v.threshold > 0)
        bg_buf_addf(&pg.main, ", the red band the %.3g%% the gate allows %s it", v.threshold * 100,
                    v.higher_better ? "below" : "above");
    if (v.base_cp != NULL)
        bg_buf_adds(&pg.main, "; the grey line is the base branch's p95 over the same runs");
    bg_buf_adds(&pg.main, "; dashed red lines mark change points. <a href=\"");
    chart_href(&pg.main, params, &v, NULL);
    bg_buf_adds(&pg.main, "\">SVG</a> · <a href=\"/api/v1/projects/");
    html_url(&pg.main, params[0]);
    bg_buf_adds(&pg.main, "/benchmarks/");
    html_url(&pg.main, params[1]);
    bg_buf_adds(&pg.main, "/history");
    first = true;
    page_add_param(&pg.main, &first, "metric", v.f.metric);
    page_add_param(&pg.main, &first, "branch", v.f.branch);
    page_add_param(&pg.main, &first, "env", v.f.env);
    page_add_param(&pg.main, &first, "limit", limit_text);
    bg_buf_adds(&pg.main, "\">JSON</a></figcaption>\n</figure>\n");
    change_points(&pg.main, params[0], &v);
    history_table(&pg.main, params[0], &v);
out:
    history_release(&v);
    page_end(&pg, params[1], rs);
}
