/*
 * pages.c: the dashboards (see pages.h).
 *
 * Each page reads what it shows from the store, judges runs with the same
 * gate as `benchgate check` (baseline.c, compare.c), and writes HTML in
 * which every stored string went through html_text or html_url. Charts are
 * gnuplot's (chart.c); a page whose chart cannot be drawn still answers,
 * with a note saying why.
 */
#include "core/bg.h"
#include "server/pages.h"
#include "gate/baseline.h"
#include "gate/changepoint.h"
#include "gate/compare.h"
#include "gate/report.h"
#include "server/chart.h"
#include "server/html.h"
#include "server/route.h"

#include <math.h>
#include <time.h>

#define SPARK_POINTS 30    /* runs in a trend line */
#define HISTORY_DEFAULT 100
#define HISTORY_MAX 1000
#define LABELS_MAX 24      /* commit labels under a history chart */
#define CHANGES_MAX 32     /* change points marked on one chart */

/* ---- small writers ---- */

static void when(int64_t ts, char *buf, size_t size)
{
    time_t t = (time_t)ts;
    struct tm tm;

    if (gmtime_r(&t, &tm) == NULL || strftime(buf, size, "%Y-%m-%d %H:%M", &tm) == 0)
        snprintf(buf, size, "?");
}

/* A page under construction: the breadcrumbs and the content. */
struct page {
    struct bg_buf nav, main;
};

static void page_begin(struct page *pg)
{
    pg->nav = (struct bg_buf)BG_BUF_INIT;
    pg->main = (struct bg_buf)BG_BUF_INIT;
}

static void page_end(struct page *pg, const char *title, struct api_response *rs)
{
    if (rs->status == 0) {
        html_page(&rs->body, title, pg->nav.data, pg->main.data);
        rs->status = 200;
    }
    bg_buf_release(&pg->nav);
    bg_buf_release(&pg->main);
}

static void href_project(struct bg_buf *b, const char *project)
{
    bg_buf_adds(b, "/p/");
    html_url(b, project);
}

/* A query parameter, first (?) or not (&amp;), skipped when value is NULL. */
static void add_param(struct bg_buf *b, bool *first, const char *key, const char *value)
{
    if (value == NULL)
        return;
    bg_buf_adds(b, *first ? "?" : "&amp;");
    bg_buf_adds(b, key);
    bg_buf_adds(b, "=");
    html_url(b, value);
    *first = false;
}

/* What narrows a project's view; NULL members are the defaults. */
struct filters {
    const char *branch, *env, *metric;
};

static void href_benchmark(struct bg_buf *b, const char *project, const char *name,
                           const struct filters *f)
{
    bool first = true;

    href_project(b, project);
    bg_buf_adds(b, "/b/");
    html_url(b, name);
    add_param(b, &first, "metric", f->metric);
    add_param(b, &first, "branch", f->branch);
    add_param(b, &first, "env", f->env);
}

static void href_run(struct bg_buf *b, const char *project, int64_t id)
{
    href_project(b, project);
    bg_buf_addf(b, "/runs/%" PRId64, id);
}

static void nav_project(struct page *pg, const char *project)
{
    bg_buf_adds(&pg->nav, "<a href=\"/\">projects</a> / <a href=\"");
    href_project(&pg->nav, project);
    bg_buf_adds(&pg->nav, "\">");
    html_text(&pg->nav, project);
    bg_buf_adds(&pg->nav, "</a>");
}

static void note(struct bg_buf *b, const char *text)
{
    bg_buf_adds(b, "<p class=\"note\">");
    html_text(b, text);
    bg_buf_adds(b, "</p>\n");
}

static void value_cell(struct bg_buf *b, double v, const char *unit)
{
    char buf[64];

    report_format_value(buf, sizeof(buf), v, unit);
    bg_buf_adds(b, "<td class=\"num\">");
    html_text(b, buf);
    bg_buf_adds(b, "</td>");
}

static void change_cell(struct bg_buf *b, double change, double threshold)
{
    char buf[32];

    report_format_change(buf, sizeof(buf), change);
    bg_buf_addf(b, "<td class=\"num%s\">%s</td>",
                change > threshold ? " worse" : change < -threshold ? " better" : "", buf);
}

static void verdict_cell(struct bg_buf *b, const struct gate_report *r, const struct gate_row *row)
{
    const char *name = gate_verdict_name(row->verdict);

    bg_buf_addf(b, "<td><span class=\"verdict v-%s\">%s%s</span>", name, name,
                gate_row_fails(r, row) ? " (fails)" : "");
    if (row->low_confidence)
        bg_buf_addf(b, " <span class=\"low\">low confidence: %s</span>",
                    strcmp(row->stat, "mean") == 0 ? "summary only, on the mean" : "few samples");
    bg_buf_adds(b, "</td>");
}

/* ---- what pages share: the baseline branch, the gate, the history ---- */

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

static int base_branch(const struct api_request *rq, const char *project,
                       char out[BG_NAME_MAX + 1], struct api_response *rs)
{
    struct store_branch *b;
    int n = store_list_branches(rq->st, project, &b);

    if (n < 0) {
        api_store_failed(rs);
        return -1;
    }
    base_branch_of(b, n, out);
    free(b);
    return 0;
}

/* A run judged against its baseline, as `benchgate check` would. */
struct judged {
    struct bg_run cur;
    struct baseline base;
    struct gate_report report;
};

static void judged_release(struct judged *j)
{
    gate_report_release(&j->report);
    baseline_release(&j->base);
    bg_run_release(&j->cur);
}

/* Judges j->cur (loaded); without interval, the change's bootstrap
 * interval is skipped (the verdict does not depend on it). */
static int judge_run(const struct api_request *rq, const char *project, const char *base,
                     bool interval, struct judged *j, struct api_response *rs)
{
    struct gate_opts opts = GATE_OPTS_DEFAULT;
    struct baseline_request req = { project, base, NULL, 1, j->cur.id, j->cur.branch };

    if (baseline_select(rq->st, &j->cur, &req, &j->base) != 0) {
        judged_release(j);
        api_store_failed(rs);
        return -1;
    }
    if (!interval)
        opts.resamples = 0;
    gate_compare(j->base.found ? &j->base.run : NULL, &j->cur, &opts, &j->report);
    j->report.baseline_why = j->base.why;
    j->report.baseline_warning = j->base.warning;
    return 0;
}

/* Loads stored run id and judges it. */
static int judge(const struct api_request *rq, const char *project, int64_t id,
                 const char *base, bool interval, struct judged *j, struct api_response *rs)
{
    memset(j, 0, sizeof(*j));
    if (store_load_run(rq->st, id, &j->cur) != 1) {
        judged_release(j);
        api_store_failed(rs);
        return -1;
    }
    return judge_run(rq, project, base, interval, j, rs);
}

/* The newest run of project on branch and machine env (NULL: any); 0 when none. */
static int newest_run(const struct api_request *rq, const char *project, const char *branch,
                      const char *env, int64_t *id, struct api_response *rs)
{
    struct store_run_info *ri;
    int n = store_list_runs(rq->st, project, branch, env, 0, 1, &ri);

    if (n < 0) {
        api_store_failed(rs);
        return -1;
    }
    *id = n > 0 ? ri[0].id : 0;
    free(ri);
    return n;
}

/* The value a chart shows for a point: its p95, or its mean for a summary. */
static double shown(const struct store_point *p)
{
    return isfinite(p->p95) ? p->p95 : p->mean;
}

/* Chart values in a readable unit: nanoseconds become µs, ms or s. */
static double unit_scale(const char *unit, const struct store_point *pts, int n,
                         const char **label)
{
    double max = 0;

    *label = unit;
    if (strcmp(unit, "ns") != 0)
        return 1;
    for (int i = 0; i < n; i++) {
        if (isfinite(shown(&pts[i])))
            max = fmax(max, shown(&pts[i]));
    }
    if (max >= 1e9) {
        *label = "s";
        return 1e9;
    }
    if (max >= 1e6) {
        *label = "ms";
        return 1e6;
    }
    if (max >= 1e3) {
        *label = "µs";
        return 1e3;
    }
    return 1;
}

static struct chart_point *chart_points(const struct store_point *pts, int n, double scale,
                                        bool time_axis)
{
    struct chart_point *cp = bg_xcalloc(n > 0 ? (size_t)n : 1, sizeof(*cp));
    int every = n / LABELS_MAX + 1;

    for (int i = 0; i < n; i++) {
        cp[i].x = time_axis ? (double)pts[i].timestamp : (double)i;
        cp[i].p95 = shown(&pts[i]) / scale;
        cp[i].median = pts[i].median / scale;
        cp[i].lo = pts[i].min / scale;
        cp[i].hi = pts[i].max / scale;
        /* the newest run is always labelled, and every every-th before it */
        if ((n - 1 - i) % every == 0) {
            if (pts[i].commit[0] != '\0')
                snprintf(cp[i].label, sizeof(cp[i].label), "%.7s", pts[i].commit);
            else
                snprintf(cp[i].label, sizeof(cp[i].label), "#%" PRId64, pts[i].run_id);
        }
    }
    return cp;
}

/* ---- sparklines ---- */

struct spark {
    struct store_point *pts;
    struct chart_point *cp;
    struct chart chart;
};

static int spark_load(const struct api_request *rq, const char *project, const char *name,
                      const struct filters *f, struct spark *s, struct api_response *rs)
{
    const char *unit;
    double scale;
    int n = store_history(rq->st, project, name, f->metric, f->branch, f->env, SPARK_POINTS,
                          &s->pts);

    if (n < 0) {
        api_store_failed(rs);
        return -1;
    }
    scale = unit_scale(n > 0 ? s->pts[0].unit : "", s->pts, n, &unit);
    s->cp = chart_points(s->pts, n, scale, false);
    chart_init(&s->chart, CHART_SPARKLINE, s->cp, (size_t)n);
    return n;
}

static void spark_release(struct spark *s)
{
    chart_release(&s->chart);
    free(s->cp);
    free(s->pts);
}

/* The filters of a page's query; false (answer made) when one is bad. */
static bool read_filters(const struct api_request *rq, struct filters *f,
                         struct api_response *rs)
{
    memset(f, 0, sizeof(*f));
    return api_query_name(rq, "branch", &f->branch, rs) == 0 &&
           api_query_env(rq, &f->env, rs) == 0 && api_query_name(rq, "metric", &f->metric, rs) == 0;
}

void page_sparkline(const struct api_request *rq, const char *const *params,
                    struct api_response *rs)
{
    struct spark s = { 0 };
    struct chart *c = &s.chart;
    struct filters f;
    int n;

    if (!api_name_ok("benchmark", params[1], rs) || !read_filters(rq, &f, rs))
        return;
    if (f.metric == NULL)
        f.metric = "time";
    n = spark_load(rq, params[0], params[1], &f, &s, rs);
    if (n == 0)
        api_error(rs, 404, "not_found", "no results for benchmark '%s', metric '%s'", params[1],
                  f.metric);
    if (n > 0) {
        chart_render(&c, 1);
        if (c->problem != NULL)
            api_error(rs, 503, "chart_unavailable", "%s", c->problem);
        else {
            bg_buf_add(&rs->body, c->svg.data, c->svg.len);
            rs->status = 200;
        }
    }
    spark_release(&s);
}

void page_style(const struct api_request *rq, const char *const *params,
                struct api_response *rs)
{
    (void)rq;
    (void)params;
    bg_buf_adds(&rs->body, web_style_css);
    rs->status = 200;
}

/* ---- / ---- */

void page_index(const struct api_request *rq, const char *const *params,
                struct api_response *rs)
{
    char owner[BG_NAME_MAX + 1] = "", date[32], base[BG_NAME_MAX + 1];
    struct store_project *p = NULL;
    struct page pg;
    int n;

    (void)params;
    page_begin(&pg);
    if (!api_reader_scope(rq, owner, rs))
        goto out;
    n = store_list_projects(rq->st, &p);
    if (n < 0) {
        api_store_failed(rs);
        goto out;
    }
    bg_buf_adds(&pg.main, "<h1>Projects</h1>\n<p class=\"lead\">Each project's newest run, judged "
                "against its baseline as <code>benchgate check</code> would.</p>\n");
    if (n == 0)
        note(&pg.main, "No runs yet. Upload one with: benchgate collect --server URL --token "
             "TOKEN --project NAME results.json");
    else
        bg_buf_adds(&pg.main, "<table>\n<thead><tr><th>Project</th><th class=\"num\">Runs</th>"
                    "<th>Newest run</th><th>Branch</th><th>Commit</th>"
                    "<th class=\"num\">Benchmarks</th><th>Regressed</th></tr></thead>\n<tbody>\n");
    for (int i = 0; i < n; i++) {
        struct judged j;
        int64_t id;

        if (owner[0] != '\0' && strcmp(owner, p[i].name) != 0)
            continue;
        bg_buf_adds(&pg.main, "<tr><td class=\"name\"><a href=\"");
        href_project(&pg.main, p[i].name);
        bg_buf_adds(&pg.main, "\">");
        html_text(&pg.main, p[i].name);
        bg_buf_addf(&pg.main, "</a></td><td class=\"num\">%" PRId64 "</td>", p[i].n_runs);
        if (newest_run(rq, p[i].name, NULL, NULL, &id, rs) < 0 ||
            base_branch(rq, p[i].name, base, rs) < 0)
            goto out;
        if (id == 0) {
            bg_buf_adds(&pg.main, "<td colspan=\"5\">no runs yet</td></tr>\n");
            continue;
        }
        if (judge(rq, p[i].name, id, base, false, &j, rs) < 0)
            goto out;
        when(j.cur.timestamp, date, sizeof(date));
        bg_buf_adds(&pg.main, "<td><a href=\"");
        href_run(&pg.main, p[i].name, id);
        bg_buf_addf(&pg.main, "\">%s UTC</a></td><td class=\"name\">", date);
        html_text(&pg.main, j.cur.branch);
        bg_buf_addf(&pg.main, "</td><td class=\"mono\">%.7s</td><td class=\"num\">%zu</td>",
                    j.cur.commit != NULL ? j.cur.commit : "", j.cur.n_results);
        if (!j.base.found)
            bg_buf_adds(&pg.main, "<td><span class=\"low\">no baseline yet</span></td>");
        else
            bg_buf_addf(&pg.main, "<td><span class=\"badge %s\">%zu</span></td>",
                        j.report.count[GATE_REGRESSED] > 0 ? "bad" : "ok",
                        j.report.count[GATE_REGRESSED]);
        bg_buf_adds(&pg.main, "</tr>\n");
        judged_release(&j);
    }
    if (n > 0)
        bg_buf_adds(&pg.main, "</tbody>\n</table>\n");
out:
    free(p);
    page_end(&pg, "Projects", rs);
}

/* ---- /p/{project} ---- */

/* The filter form of a project's pages: branch, machine, and more fields. */
static void filter_form(struct page *pg, const struct api_request *rq, const char *project,
                        const struct filters *f, const char *base, struct api_response *rs)
{
    struct store_branch *b;
    struct store_environment *e;
    int nb = store_list_branches(rq->st, project, &b);
    int ne = nb < 0 ? -1 : store_list_environments(rq->st, project, &e);

    if (nb < 0 || ne < 0) {
        if (nb >= 0)
            free(b);
        api_store_failed(rs);
        return;
    }
    bg_buf_adds(&pg->main, "<form class=\"filters\" method=\"get\">\n"
                "<label>Branch <select name=\"branch\">\n");
    for (int i = 0; i < nb; i++) {
        bool sel = strcmp(b[i].name, f->branch != NULL ? f->branch : base) == 0;

        bg_buf_addf(&pg->main, "<option value=\"");
        html_text(&pg->main, b[i].name);
        bg_buf_addf(&pg->main, "\"%s>", sel ? " selected" : "");
        html_text(&pg->main, b[i].name);
        bg_buf_addf(&pg->main, " (%" PRId64 " run%s)</option>\n", b[i].n_runs,
                    b[i].n_runs == 1 ? "" : "s");
    }
    bg_buf_adds(&pg->main, "</select></label>\n<label>Machine <select name=\"env\">\n"
                "<option value=\"\">any</option>\n");
    for (int i = 0; i < ne; i++) {
        bg_buf_addf(&pg->main, "<option value=\"%s\"%s>", e[i].fingerprint,
                    f->env != NULL && strcmp(f->env, e[i].fingerprint) == 0 ? " selected" : "");
        html_text(&pg->main, e[i].cpu_model[0] != '\0' ? e[i].cpu_model : "unknown CPU");
        bg_buf_addf(&pg->main, ", %" PRId64 " cores, ", e[i].cores);
        html_text(&pg->main, e[i].os[0] != '\0' ? e[i].os : "unknown OS");
        bg_buf_addf(&pg->main, " (%s, %" PRId64 " run%s)</option>\n", e[i].fingerprint,
                    e[i].n_runs, e[i].n_runs == 1 ? "" : "s");
    }
    bg_buf_adds(&pg->main, "</select></label>\n");
    free(b);
    free(e);
}

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

/* The benchmark table of a project page; sparklines drawn in one go first. */
static void benchmark_table(struct page *pg, const struct api_request *rq, const char *project,
                            const struct judged *j, const struct filters *f, const char *sort,
                            struct api_response *rs)
{
    size_t n = j->report.n_rows;
    struct sorted_row *order = bg_xcalloc(n + 1, sizeof(*order));
    struct spark *sp = bg_xcalloc(n + 1, sizeof(*sp));
    struct chart **charts = bg_xcalloc(n + 1, sizeof(*charts));

    for (size_t i = 0; i < n; i++)
        order[i] = (struct sorted_row){ &j->report.rows[i], i };
    if (strcmp(sort, "name") == 0)
        qsort(order, n, sizeof(*order), by_name);
    else if (strcmp(sort, "change") == 0)
        qsort(order, n, sizeof(*order), by_change);
    for (size_t i = 0; i < n; i++) {
        const struct bg_result *res = order[i].row->cur != NULL ? order[i].row->cur
                                                                : order[i].row->base;
        struct filters mf = { f->branch, f->env, res->metric };

        if (spark_load(rq, project, res->name, &mf, &sp[i], rs) < 0)
            goto out;
        charts[i] = &sp[i].chart;
    }
    chart_render(charts, n);

    bg_buf_adds(&pg->main, "<table>\n<thead><tr><th>Benchmark</th><th>Metric</th>"
                "<th>Trend (p95, last 30 runs)</th><th class=\"num\">p95</th>"
                "<th class=\"num\">Change</th><th>Verdict</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < n; i++) {
        const struct gate_row *row = order[i].row;
        const struct bg_result *res = row->cur != NULL ? row->cur : row->base;
        struct filters mf = { f->branch, f->env, res->metric };
        bool first = false;

        bg_buf_adds(&pg->main, "<tr><td class=\"name\"><a href=\"");
        href_benchmark(&pg->main, project, res->name, &mf);
        bg_buf_adds(&pg->main, "\">");
        html_text(&pg->main, res->name);
        bg_buf_adds(&pg->main, "</a></td><td>");
        html_text(&pg->main, res->metric);
        bg_buf_adds(&pg->main, "</td><td>");
        if (sp[i].chart.problem == NULL) {
            /* the same data as this render, so the image is a cache hit */
            bg_buf_adds(&pg->main, "<img class=\"spark\" width=\"120\" height=\"30\" alt=\"p95 "
                        "trend\" src=\"");
            href_project(&pg->main, project);
            bg_buf_adds(&pg->main, "/b/");
            html_url(&pg->main, res->name);
            bg_buf_adds(&pg->main, "/spark.svg");
            first = true;
            add_param(&pg->main, &first, "metric", res->metric);
            add_param(&pg->main, &first, "branch", f->branch);
            add_param(&pg->main, &first, "env", f->env);
            bg_buf_adds(&pg->main, "\">");
        } else {
            bg_buf_adds(&pg->main, "<span class=\"low\">");
            html_text(&pg->main, sp[i].chart.problem);
            bg_buf_adds(&pg->main, "</span>");
        }
        bg_buf_adds(&pg->main, "</td>");
        value_cell(&pg->main, row->cur_p95, res->unit);
        change_cell(&pg->main, row->change, row->threshold);
        verdict_cell(&pg->main, &j->report, row);
        bg_buf_adds(&pg->main, "</tr>\n");
    }
    bg_buf_adds(&pg->main, "</tbody>\n</table>\n");
out:
    for (size_t i = 0; i < n; i++)
        spark_release(&sp[i]);
    free(charts);
    free(sp);
    free(order);
}

/* Benchmarks stored for the project but in neither run just compared. */
static void other_benchmarks(struct page *pg, const struct api_request *rq, const char *project,
                             const struct judged *j, const struct filters *f,
                             struct api_response *rs)
{
    struct store_benchmark *k;
    int n = store_list_benchmarks(rq->st, project, &k), shown_n = 0;

    if (n < 0) {
        api_store_failed(rs);
        return;
    }
    for (int i = 0; i < n; i++) {
        struct filters mf = { f->branch, f->env, k[i].metric };
        bool listed = false;

        for (size_t r = 0; r < j->report.n_rows && !listed; r++) {
            const struct gate_row *row = &j->report.rows[r];
            const struct bg_result *res = row->cur != NULL ? row->cur : row->base;

            listed = strcmp(res->name, k[i].name) == 0 && strcmp(res->metric, k[i].metric) == 0;
        }
        if (listed)
            continue;
        if (shown_n++ == 0)
            bg_buf_adds(&pg->main, "<h2>Not in the newest run</h2>\n<ul>\n");
        bg_buf_adds(&pg->main, "<li><a href=\"");
        href_benchmark(&pg->main, project, k[i].name, &mf);
        bg_buf_adds(&pg->main, "\">");
        html_text(&pg->main, k[i].name);
        bg_buf_adds(&pg->main, "</a> (");
        html_text(&pg->main, k[i].metric);
        bg_buf_addf(&pg->main, ", %" PRId64 " result%s)</li>\n", k[i].n_results,
                    k[i].n_results == 1 ? "" : "s");
    }
    if (shown_n > 0)
        bg_buf_adds(&pg->main, "</ul>\n");
    free(k);
}

/* The heading of a judged run: which run, against what. */
static void judged_summary(struct bg_buf *b, const char *project, const struct judged *j,
                           const char *which)
{
    const struct gate_report *r = &j->report;
    char date[32];

    when(j->cur.timestamp, date, sizeof(date));
    bg_buf_adds(b, "<p class=\"lead\">");
    bg_buf_adds(b, which);
    bg_buf_adds(b, ": <a href=\"");
    href_run(b, project, j->cur.id);
    bg_buf_addf(b, "\">run %" PRId64 "</a> of %s UTC on branch <b>", j->cur.id, date);
    html_text(b, j->cur.branch);
    bg_buf_adds(b, "</b>");
    if (j->cur.commit != NULL)
        bg_buf_addf(b, ", commit <code>%.12s</code>", j->cur.commit);
    bg_buf_adds(b, ". Baseline: ");
    html_text(b, j->base.why);
    bg_buf_adds(b, ".</p>\n");
    if (j->base.warning[0] != '\0')
        note(b, j->base.warning);
    bg_buf_addf(b, "<p>%zu regressed, %zu improved, %zu unchanged, %zu inconclusive, %zu new, "
                "%zu missing. The gate: p95 at most %.0f%% worse, and a change past that must "
                "be significant (Mann-Whitney U, Holm-corrected).</p>\n",
                r->count[GATE_REGRESSED], r->count[GATE_IMPROVED], r->count[GATE_UNCHANGED],
                r->count[GATE_INCONCLUSIVE], r->count[GATE_NEW], r->count[GATE_MISSING],
                r->opts.threshold * 100.0);
}

void page_project(const struct api_request *rq, const char *const *params,
                  struct api_response *rs)
{
    const char *project = params[0], *sort = route_query_get(rq->query, "sort");
    char base[BG_NAME_MAX + 1];
    struct judged j;
    struct filters f;
    struct page pg;
    int64_t id = 0;
    bool judged = false, sort_ok = sort == NULL;

    page_begin(&pg);
    memset(&j, 0, sizeof(j));
    for (size_t i = 0; i < ARRAY_SIZE(sorts) && sort != NULL; i++)
        sort_ok |= strcmp(sort, sorts[i]) == 0;
    if (!sort_ok) {
        api_error(rs, 400, "bad_request", "query parameter sort: expected run, name or change");
        goto out;
    }
    if (!read_filters(rq, &f, rs) || !api_project_known(rq, project, rs) ||
        base_branch(rq, project, base, rs) < 0)
        goto out;
    if (f.branch == NULL)
        f.branch = base;
    nav_project(&pg, project);
    bg_buf_adds(&pg.main, "<h1>");
    html_text(&pg.main, project);
    bg_buf_adds(&pg.main, "</h1>\n");
    filter_form(&pg, rq, project, &f, base, rs);
    if (rs->status != 0)
        goto out;
    bg_buf_adds(&pg.main, "<label>Sort <select name=\"sort\">\n");
    for (size_t i = 0; i < ARRAY_SIZE(sorts); i++)
        bg_buf_addf(&pg.main, "<option value=\"%s\"%s>%s</option>\n", sorts[i],
                    sort != NULL && strcmp(sort, sorts[i]) == 0 ? " selected" : "",
                    i == 0 ? "run order" : i == 1 ? "name" : "biggest change first");
    bg_buf_adds(&pg.main, "</select></label>\n<button type=\"submit\">Show</button>\n</form>\n");
    if (newest_run(rq, project, f.branch, f.env, &id, rs) < 0)
        goto out;
    if (id == 0) {
        note(&pg.main, "No runs on this branch and machine yet.");
        goto out;
    }
    if (judge(rq, project, id, base, false, &j, rs) < 0)
        goto out;
    judged = true;
    judged_summary(&pg.main, project, &j, "Newest run");
    benchmark_table(&pg, rq, project, &j, &f, sort != NULL ? sort : "run", rs);
    if (rs->status == 0)
        other_benchmarks(&pg, rq, project, &j, &f, rs);
out:
    if (judged)
        judged_release(&j);
    page_end(&pg, project, rs);
}

/* ---- /p/{project}/b/{name} and its chart.svg ---- */

/* One benchmark's history as the page and its chart show it. */
struct history_view {
    struct filters f;
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
    char baseline_why[512];
    struct chart_point *cp;
    struct chart chart;
};

static void history_release(struct history_view *v)
{
    chart_release(&v->chart);
    free(v->cp);
    free(v->pts);
}

/* The metric to show when ?metric= is absent: time, else the first stored. */
static int default_metric(const struct api_request *rq, const char *project, const char *name,
                          char out[65], struct api_response *rs)
{
    struct store_benchmark *k;
    int n = store_list_benchmarks(rq->st, project, &k);

    if (n < 0) {
        api_store_failed(rs);
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
static int history_baseline(const struct api_request *rq, const char *project, const char *name,
                            struct history_view *v, struct api_response *rs)
{
    struct judged j;

    v->baseline = NAN;
    if (judge(rq, project, v->pts[v->n - 1].run_id, v->base, false, &j, rs) < 0)
        return -1;
    snprintf(v->baseline_why, sizeof(v->baseline_why), "%s", j.base.why);
    for (size_t i = 0; j.base.found && i < j.base.run.n_results; i++) {
        const struct bg_result *res = &j.base.run.results[i];

        if (strcmp(res->name, name) == 0 && strcmp(res->metric, v->f.metric) == 0)
            v->baseline = isfinite(res->sum.p95) ? res->sum.p95 : res->sum.mean;
    }
    judged_release(&j);
    return 0;
}

/* Loads the history of params[1] with the query's filters and draws its
 * chart; false (answer made) on a bad request or a store error. */
static bool history_load(const struct api_request *rq, const char *const *params,
                         struct history_view *v, char metric[65], struct api_response *rs)
{
    const char *x = route_query_get(rq->query, "x");
    struct changepoint_opts co = CHANGEPOINT_OPTS_DEFAULT;
    double *values;
    struct chart *c = &v->chart;
    int found;

    memset(v, 0, sizeof(*v));
    chart_init(c, CHART_HISTORY, NULL, 0);
    v->limit = HISTORY_DEFAULT;
    if (!api_name_ok("benchmark", params[1], rs) || !read_filters(rq, &v->f, rs) ||
        api_query_int(rq, "limit", 2, HISTORY_MAX, &v->limit, rs) < 0)
        return false;
    if (x != NULL && strcmp(x, "order") != 0 && strcmp(x, "time") != 0) {
        api_error(rs, 400, "bad_request", "query parameter x: expected order or time");
        return false;
    }
    v->time_axis = x != NULL && strcmp(x, "time") == 0;
    if (base_branch(rq, params[0], v->base, rs) < 0)
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
        api_store_failed(rs);
        return false;
    }
    if (v->n == 0) {
        found = store_project_exists(rq->st, params[0]);
        if (found < 0)
            api_store_failed(rs);
        else
            api_error(rs, 404, "not_found", "%s '%s' has no results for benchmark '%s', metric "
                      "'%s' on branch '%s'%s", found ? "project" : "there is no project",
                      params[0], params[1], v->f.metric, v->f.branch,
                      v->f.env != NULL ? " on that machine" : "");
        return false;
    }
    if (history_baseline(rq, params[0], params[1], v, rs) < 0)
        return false;

    values = bg_xcalloc((size_t)v->n, sizeof(*values));
    for (int i = 0; i < v->n; i++)
        values[i] = shown(&v->pts[i]);
    found = changepoint_find(values, (size_t)v->n, &co, v->cps, ARRAY_SIZE(v->cps));
    free(values);
    v->n_cps = found > 0 ? (size_t)found : 0;
    for (size_t i = 0; i < v->n_cps; i++)
        v->marks[i] = v->cps[i].at;

    v->scale = unit_scale(v->pts[0].unit, v->pts, v->n, &v->unit);
    v->cp = chart_points(v->pts, v->n, v->scale, v->time_axis);
    chart_init(c, CHART_HISTORY, v->cp, (size_t)v->n);
    c->time_axis = v->time_axis;
    c->baseline = v->baseline / v->scale;
    c->marks = v->marks;
    c->n_marks = v->n_cps;
    chart_render(&c, 1);
    return true;
}

void page_chart(const struct api_request *rq, const char *const *params,
                struct api_response *rs)
{
    struct history_view v;
    char metric[65];

    if (history_load(rq, params, &v, metric, rs)) {
        if (v.chart.problem != NULL) {
            api_error(rs, 503, "chart_unavailable", "%s", v.chart.problem);
        } else {
            bg_buf_add(&rs->body, v.chart.svg.data, v.chart.svg.len);
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

        when(p->timestamp, date, sizeof(date));
        report_format_value(before, sizeof(before), v->cps[i].before, p->unit);
        report_format_value(after, sizeof(after), v->cps[i].after, p->unit);
        report_format_change(change, sizeof(change), v->cps[i].after / v->cps[i].before - 1);
        bg_buf_adds(b, "<li>From <a href=\"");
        href_run(b, project, p->run_id);
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

    bg_buf_adds(b, "<h2>Runs</h2>\n<table>\n<thead><tr><th>Run</th><th>Time (UTC)</th>"
                "<th>Branch</th><th>Commit</th><th class=\"num\">n</th><th class=\"num\">p95"
                "</th><th class=\"num\">median</th><th class=\"num\">min</th>"
                "<th class=\"num\">max</th><th></th></tr></thead>\n<tbody>\n");
    for (int i = v->n - 1; i >= 0; i--) {
        const struct store_point *p = &v->pts[i];
        bool shift = false;

        for (size_t c = 0; c < v->n_cps; c++)
            shift |= v->cps[c].at == (size_t)i;
        when(p->timestamp, date, sizeof(date));
        bg_buf_addf(b, "<tr%s><td><a href=\"", shift ? " class=\"changepoint\"" : "");
        href_run(b, project, p->run_id);
        bg_buf_addf(b, "\">%" PRId64 "</a></td><td>%s</td><td class=\"name\">", p->run_id, date);
        html_text(b, p->branch);
        bg_buf_addf(b, "</td><td class=\"mono\">%.12s</td><td class=\"num\">%zu%s</td>",
                    p->commit, p->n, p->summary_only ? " (summary)" : "");
        value_cell(b, p->p95, p->unit);
        value_cell(b, p->median, p->unit);
        value_cell(b, p->min, p->unit);
        value_cell(b, p->max, p->unit);
        bg_buf_addf(b, "<td>%s</td></tr>\n", shift ? "level shift" : "");
    }
    bg_buf_adds(b, "</tbody>\n</table>\n");
}

static const int limits[] = { 25, 50, HISTORY_DEFAULT, 200, 500, HISTORY_MAX };

void page_benchmark(const struct api_request *rq, const char *const *params,
                    struct api_response *rs)
{
    struct history_view v;
    char metric[65], buf[64];
    struct page pg;
    bool first = true;

    page_begin(&pg);
    if (!history_load(rq, params, &v, metric, rs))
        goto out;
    nav_project(&pg, params[0]);
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
    }
    bg_buf_adds(&pg.main, "</p>\n");

    /* the filters, with the axis and the number of runs */
    filter_form(&pg, rq, params[0], &v.f, v.base, rs);
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
    if (v.chart.problem == NULL)
        bg_buf_adds(&pg.main, chart_svg_element(&v.chart));
    else
        note(&pg.main, v.chart.problem);
    bg_buf_adds(&pg.main, "<figcaption class=\"low\">p95 (");
    html_text(&pg.main, v.unit);
    bg_buf_adds(&pg.main, ") per run with its median and min-max band; dashed red lines mark "
                "change points. <a href=\"");
    href_project(&pg.main, params[0]);
    bg_buf_adds(&pg.main, "/b/");
    html_url(&pg.main, params[1]);
    bg_buf_adds(&pg.main, "/chart.svg");
    add_param(&pg.main, &first, "metric", v.f.metric);
    add_param(&pg.main, &first, "branch", v.f.branch);
    add_param(&pg.main, &first, "env", v.f.env);
    add_param(&pg.main, &first, "x", v.time_axis ? "time" : NULL);
    bg_buf_adds(&pg.main, "\">SVG</a> · <a href=\"/api/v1/projects/");
    html_url(&pg.main, params[0]);
    bg_buf_adds(&pg.main, "/benchmarks/");
    html_url(&pg.main, params[1]);
    bg_buf_adds(&pg.main, "/history");
    first = true;
    add_param(&pg.main, &first, "metric", v.f.metric);
    add_param(&pg.main, &first, "branch", v.f.branch);
    add_param(&pg.main, &first, "env", v.f.env);
    bg_buf_adds(&pg.main, "\">JSON</a></figcaption>\n</figure>\n");
    change_points(&pg.main, params[0], &v);
    history_table(&pg.main, params[0], &v);
out:
    history_release(&v);
    page_end(&pg, params[1], rs);
}

/* ---- /p/{project}/runs/{id} ---- */

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

    when(run->timestamp, date, sizeof(date));
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
    for (size_t i = 0; i < run->n_meta; i++) {
        bg_buf_adds(b, "<dt>");
        html_text(b, run->meta[i].key);
        bg_buf_adds(b, "</dt><dd>");
        html_text(b, run->meta[i].value);
        bg_buf_adds(b, "</dd>\n");
    }
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
    char lo[32], hi[32];

    bg_buf_adds(b, "<table>\n<thead><tr><th>Benchmark</th><th>Metric</th>"
                "<th class=\"num\">Baseline</th><th class=\"num\">Current</th>"
                "<th class=\"num\">Change</th><th class=\"num\">95% CI</th>"
                "<th class=\"num\">p</th><th class=\"num\">n</th><th>Verdict</th></tr></thead>\n"
                "<tbody>\n");
    for (size_t i = 0; i < r->n_rows; i++) {
        const struct gate_row *row = &r->rows[i];
        const struct bg_result *res = row->cur != NULL ? row->cur : row->base;
        struct filters f = { j->cur.branch, NULL, res->metric };

        bg_buf_adds(b, "<tr><td class=\"name\"><a href=\"");
        href_benchmark(b, project, res->name, &f);
        bg_buf_adds(b, "\">");
        html_text(b, res->name);
        bg_buf_adds(b, "</a></td><td>");
        html_text(b, res->metric);
        bg_buf_adds(b, "</td>");
        value_cell(b, row->base_p95, res->unit);
        value_cell(b, row->cur_p95, res->unit);
        change_cell(b, row->change, row->threshold);
        if (isnan(row->ci_lo)) {
            bg_buf_adds(b, "<td class=\"num\">-</td>");
        } else {
            report_format_change(lo, sizeof(lo), row->ci_lo);
            report_format_change(hi, sizeof(hi), row->ci_hi);
            bg_buf_addf(b, "<td class=\"num\">%s … %s</td>", lo, hi);
        }
        if (isnan(row->p_holm))
            bg_buf_adds(b, "<td class=\"num\">-</td>");
        else
            bg_buf_addf(b, "<td class=\"num\">%.2g</td>", row->p_holm);
        bg_buf_addf(b, "<td class=\"num\">%zu/%zu</td>",
                    row->base != NULL ? row->base->n_samples : 0,
                    row->cur != NULL ? row->cur->n_samples : 0);
        verdict_cell(b, r, row);
        bg_buf_adds(b, "</tr>\n");
    }
    bg_buf_adds(b, "</tbody>\n</table>\n<p class=\"low\">p is Mann-Whitney U, Holm-adjusted; "
                "n is the samples of baseline/current.</p>\n");
}

void page_run(const struct api_request *rq, const char *const *params, struct api_response *rs)
{
    char base[BG_NAME_MAX + 1], title[64] = "Run";
    struct judged j;
    struct page pg;

    page_begin(&pg);
    memset(&j, 0, sizeof(j));
    if (!api_stored_run(rq, params[0], params[1], &j.cur, rs)) {
        judged_release(&j);
        goto out;
    }
    if (base_branch(rq, params[0], base, rs) < 0) {
        judged_release(&j);
        goto out;
    }
    if (judge_run(rq, params[0], base, true, &j, rs) < 0)
        goto out;
    snprintf(title, sizeof(title), "Run %" PRId64, j.cur.id);
    nav_project(&pg, params[0]);
    bg_buf_addf(&pg.nav, " / %s", title);
    bg_buf_addf(&pg.main, "<h1>%s</h1>\n", title);
    judged_summary(&pg.main, params[0], &j, "This run");
    verdict_table(&pg.main, params[0], &j);
    run_facts(&pg.main, &j.cur);
    judged_release(&j);
out:
    page_end(&pg, title, rs);
}
