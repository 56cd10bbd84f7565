/*
 * page_project.c: GET /p/{project}: the project's newest run (the one the
 * index names) judged as check judges it, what failed first, then the
 * biggest changes; filtered by name, "failing only" and name prefix, a
 * page of PROJECT_PAGE_ROWS rows at a time, each with a sparkline of its
 * last p95s; and the sparklines alone as .../b/{name}/spark.svg.
 *
 * What a view costs is bounded whatever is stored: one judged run, a sort
 * of its rows, and the sparklines of one page (PROJECT_PAGE_ROWS histories
 * of SPARK_POINTS points, drawn in one gnuplot run when not cached).
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

#define SPARK_POINTS 30       /* runs in a trend line */
#define SPARK_SPAN 0.10       /* a trend line's scale spans at least +-10% of its median:
                                 the gate's default threshold, so noise below it looks flat */
#define PROJECT_PAGE_ROWS 50  /* benchmarks a page, and so sparklines a page */
_Static_assert(PROJECT_PAGE_ROWS <= BUDGET_SPARKLINES, "a page draws its rows' sparklines");
#define GROUPS_SHOWN 60       /* name prefixes listed */
#define PAGES_MAX 100000      /* ?page= at most */

/* ---- sparklines ---- */

struct spark {
    struct store_point *pts;
    struct chart_point *cp;
    struct chart chart;
    int n;
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
    s->n = n;
    scale = page_unit_scale(n > 0 ? s->pts[0].unit : "", s->pts, n, &unit);
    s->cp = page_chart_points(s->pts, n, scale, unit, false);
    chart_init(&s->chart, CHART_SPARKLINE, s->cp, (size_t)n);
    s->chart.y_span = SPARK_SPAN;
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

/* ---- the rows of a judged run ---- */

static const char *const sorts[] = { "verdict", "change", "name", "run" };
static const char *const sort_names[] = { "failing first, then the biggest change",
                                          "biggest change first", "name", "run order" };

/* A row of the verdict table as the page lists it. */
struct row {
    const struct gate_row *row;
    const struct bg_result *res;
    double change;    /* what the verdict judged: with the machine factor removed */
    int rank;         /* 0 fails the gate, 1 inconclusive, 2 the rest */
    size_t order;     /* in the run */
    size_t group_len; /* bytes of the name before its first '/'; 0: no prefix */
};

/* What the query asks of the table. */
struct view {
    struct page_filters f;      /* branch: as asked (NULL: the newest run's) */
    const char *q, *group, *sort;
    bool failing;
    int64_t page;
};

static const struct bg_int_range page_range = { 1, PAGES_MAX };

static int by_rank(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    double cx = fabs(x->change), cy = fabs(y->change);

    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    if (isnan(cx) != isnan(cy))
        return isnan(cx) ? 1 : -1;
    if (!isnan(cx) && cx != cy)
        return cx > cy ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Worst first; rows without a change last, in run order. */
static int by_change(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    double cx = x->change, cy = y->change;

    if (isnan(cx) != isnan(cy))
        return isnan(cx) ? 1 : -1;
    if (!isnan(cx) && cx != cy)
        return cx > cy ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static int by_name(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    int c = strcmp(x->res->name, y->res->name);

    return c != 0 ? c : strcmp(x->res->metric, y->res->metric);
}

static int by_order(const void *a, const void *b)
{
    const struct row *x = a, *y = b;

    return x->order < y->order ? -1 : x->order > y->order;
}

static int by_group(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    size_t n = x->group_len < y->group_len ? x->group_len : y->group_len;
    int c = memcmp(x->res->name, y->res->name, n);

    if (c != 0)
        return c;
    return x->group_len < y->group_len ? -1 : x->group_len > y->group_len;
}

static bool row_failing(const struct gate_report *r, const struct gate_row *row)
{
    return gate_row_fails(r, row) || row->verdict == GATE_REGRESSED ||
           row->verdict == GATE_INCONCLUSIVE;
}

/* The rows of the judged run, each with its rank and name prefix. */
static struct row *rows_of(const struct judged *j)
{
    const struct gate_report *r = &j->report;
    struct row *rows = bg_xcalloc(r->n_rows + 1, sizeof(*rows));

    for (size_t i = 0; i < r->n_rows; i++) {
        const struct gate_row *row = &r->rows[i];
        const struct bg_result *res = row->cur != NULL ? row->cur : row->base;
        const char *slash = strchr(res->name, '/');

        rows[i] = (struct row){
            .row = row, .res = res, .order = i,
            .change = isnan(row->adj_change) ? row->change : row->adj_change,
            .rank = gate_row_fails(r, row) || row->verdict == GATE_REGRESSED ? 0
                    : row->verdict == GATE_INCONCLUSIVE ? 1 : 2,
            .group_len = slash != NULL && slash != res->name ? (size_t)(slash - res->name) : 0,
        };
    }
    return rows;
}

static bool in_group(const struct row *row, const char *group)
{
    return group == NULL || (row->group_len == strlen(group) &&
                             memcmp(row->res->name, group, row->group_len) == 0);
}

/* ---- links ---- */

/* /p/{project} with the view's query, page as given (0: none). */
static void href_view(struct bg_buf *b, const char *project, const struct view *v,
                      const char *group, int64_t page)
{
    char num[24];
    bool first = true;

    page_href_project(b, project);
    page_add_param(b, &first, "branch", v->f.branch);
    page_add_param(b, &first, "env", v->f.env);
    page_add_param(b, &first, "q", v->q);
    page_add_param(b, &first, "failing", v->failing ? "1" : NULL);
    page_add_param(b, &first, "group", group);
    page_add_param(b, &first, "sort", v->sort != NULL && strcmp(v->sort, "verdict") != 0
                                          ? v->sort : NULL);
    snprintf(num, sizeof(num), "%" PRId64, page);
    page_add_param(b, &first, "page", page > 1 ? num : NULL);
}

/* ---- the page's parts ---- */

/* The filter form: branch, machine, name, failing only, group, sort. */
static void view_form(struct page *pg, const struct http_request *rq, const char *project,
                      const struct view *v, struct http_response *rs)
{
    page_filter_form(pg, rq, project, &v->f, NULL, rs);
    if (rs->status != 0)
        return;
    bg_buf_adds(&pg->main, "<label>Name contains <input type=\"search\" name=\"q\" size=\"16\" "
                "value=\"");
    html_text(&pg->main, v->q != NULL ? v->q : "");
    bg_buf_addf(&pg->main, "\"></label>\n<label class=\"check\"><input type=\"checkbox\" "
                "name=\"failing\" value=\"1\"%s> Failing only</label>\n",
                v->failing ? " checked" : "");
    if (v->group != NULL) {
        bg_buf_adds(&pg->main, "<input type=\"hidden\" name=\"group\" value=\"");
        html_text(&pg->main, v->group);
        bg_buf_adds(&pg->main, "\">\n");
    }
    bg_buf_adds(&pg->main, "<label>Order <select name=\"sort\">\n");
    for (size_t i = 0; i < ARRAY_SIZE(sorts); i++)
        bg_buf_addf(&pg->main, "<option value=\"%s\"%s>%s</option>\n", sorts[i],
                    strcmp(v->sort, sorts[i]) == 0 ? " selected" : "", sort_names[i]);
    bg_buf_adds(&pg->main, "</select></label>\n<button type=\"submit\">Show</button>\n</form>\n");
}

/* The name prefixes of the run's benchmarks ("parser/..."), each with its
 * count and failures, linking to the rows of that prefix alone. */
static void groups(struct page *pg, const char *project, const struct judged *j,
                   const struct row *all, size_t n, const struct view *v)
{
    struct row *g = bg_xcalloc(n + 1, sizeof(*g));
    size_t k = 0, shown = 0, distinct = 0;
    char name[BG_NAME_MAX + 1];

    for (size_t i = 0; i < n; i++) {
        if (all[i].group_len > 0)
            g[k++] = all[i];
    }
    qsort(g, k, sizeof(*g), by_group);
    for (size_t i = 0; i < k; i++)
        distinct += i == 0 || by_group(&g[i - 1], &g[i]) != 0;
    if (distinct < 2 && v->group == NULL)
        goto out;
    bg_buf_adds(&pg->main, "<nav class=\"groups\" aria-label=\"name prefixes\">By name prefix: ");
    if (v->group != NULL) {
        bg_buf_adds(&pg->main, "<a href=\"");
        href_view(&pg->main, project, v, NULL, 0);
        bg_buf_adds(&pg->main, "\">all</a>");
        shown++;
    }
    for (size_t i = 0, end; i < k; i = end) {
        size_t fails = 0;

        for (end = i; end < k && by_group(&g[i], &g[end]) == 0; end++)
            fails += row_failing(&j->report, g[end].row);
        if (shown >= GROUPS_SHOWN) {
            bg_buf_addf(&pg->main, " · and %zu more", distinct - (shown - (v->group != NULL)));
            break;
        }
        snprintf(name, sizeof(name), "%.*s", (int)g[i].group_len, g[i].res->name);
        bg_buf_adds(&pg->main, shown++ > 0 ? " · " : "");
        if (v->group != NULL && strcmp(v->group, name) == 0) {
            bg_buf_adds(&pg->main, "<b>");
            html_text(&pg->main, name);
            bg_buf_adds(&pg->main, "/</b>");
        } else {
            bg_buf_adds(&pg->main, "<a href=\"");
            href_view(&pg->main, project, v, name, 0);
            bg_buf_adds(&pg->main, "\">");
            html_text(&pg->main, name);
            bg_buf_adds(&pg->main, "/</a>");
        }
        bg_buf_addf(&pg->main, " %zu", end - i);
        if (fails > 0)
            bg_buf_addf(&pg->main, " <span class=\"worse\">(%zu failing)</span>", fails);
    }
    bg_buf_adds(&pg->main, "</nav>\n");
out:
    free(g);
}

/* "Benchmarks 51-100 of 300, 50 a page" and the links to the others. */
static void pager(struct bg_buf *b, const char *project, const struct view *v, size_t total,
                  int64_t pages)
{
    int64_t at = v->page;

    bg_buf_addf(b, "<nav class=\"pager\" aria-label=\"pages\"><span>Benchmarks %zu-%zu of %zu, "
                "%d a page</span>", total == 0 ? 0 : (size_t)(at - 1) * PROJECT_PAGE_ROWS + 1,
                (size_t)(at - 1) * PROJECT_PAGE_ROWS +
                    (total - (size_t)(at - 1) * PROJECT_PAGE_ROWS < PROJECT_PAGE_ROWS
                         ? total - (size_t)(at - 1) * PROJECT_PAGE_ROWS : PROJECT_PAGE_ROWS),
                total, PROJECT_PAGE_ROWS);
    if (pages > 1) {
        bg_buf_adds(b, " ");
        for (int64_t p = 1; p <= pages; p++) {
            /* the first, the last, and two on either side of this one */
            if (p != 1 && p != pages && (p < at - 2 || p > at + 2)) {
                if (p == at - 3 || p == at + 3)
                    bg_buf_adds(b, " …");
                continue;
            }
            if (p == at) {
                bg_buf_addf(b, " <b aria-current=\"page\">%" PRId64 "</b>", p);
                continue;
            }
            bg_buf_addf(b, " <a%s href=\"", p == at + 1 ? " rel=\"next\"" : p == at - 1
                                                                ? " rel=\"prev\"" : "");
            href_view(b, project, v, v->group, p);
            bg_buf_addf(b, "\">%" PRId64 "</a>", p);
        }
    }
    bg_buf_adds(b, "</nav>\n");
}

/* The sparkline cell of a row: the image and its scale. */
static void spark_cell(struct bg_buf *b, const char *project, const struct row *row,
                       const struct page_filters *mf, const struct spark *s, bool *transient)
{
    char lo[64], hi[64];
    double min = INFINITY, max = -INFINITY;
    bool first = true;

    bg_buf_adds(b, "<td class=\"trend\">");
    if (s->chart.problem != NULL) {
        *transient |= s->chart.transient;
        bg_buf_adds(b, "<span class=\"low\">");
        html_text(b, s->chart.problem);
        bg_buf_adds(b, "</span></td>");
        return;
    }
    for (int i = 0; i < s->n; i++) {
        double v = page_shown(&s->pts[i]);

        if (isfinite(v)) {
            min = fmin(min, v);
            max = fmax(max, v);
        }
    }
    report_format_value(lo, sizeof(lo), min, row->res->unit);
    report_format_value(hi, sizeof(hi), max, row->res->unit);
    /* the same data as this render, so the image is a cache hit */
    bg_buf_adds(b, "<img class=\"spark\" width=\"120\" height=\"30\" alt=\"p95 trend\" "
                "title=\"");
    bg_buf_addf(b, "p95 of the last %d runs: ", s->n);
    html_text(b, lo);
    bg_buf_adds(b, " to ");
    html_text(b, hi);
    bg_buf_adds(b, "; the scale spans at least ±10% of the median\" src=\"");
    page_href_project(b, project);
    bg_buf_adds(b, "/b/");
    html_url(b, row->res->name);
    bg_buf_adds(b, "/spark.svg");
    page_add_param(b, &first, "metric", mf->metric);
    page_add_param(b, &first, "branch", mf->branch);
    page_add_param(b, &first, "env", mf->env);
    bg_buf_adds(b, "\"><span class=\"range\">");
    html_text(b, lo);
    bg_buf_adds(b, " – ");
    html_text(b, hi);
    bg_buf_adds(b, "</span></td>");
}

/* One page of the rows, with their sparklines drawn in one go first. */
static void benchmark_table(struct page *pg, const struct http_request *rq, const char *project,
                            const struct judged *j, const struct row *rows, size_t n,
                            const struct view *v, struct http_response *rs)
{
    struct spark *sp = bg_xcalloc(n + 1, sizeof(*sp));
    struct chart **charts = bg_xcalloc(n + 1, sizeof(*charts));
    size_t loaded = 0;

    for (; loaded < n; loaded++) {
        struct page_filters mf = { j->cur.branch, v->f.env, rows[loaded].res->metric };

        if (spark_load(rq, project, rows[loaded].res->name, &mf, &sp[loaded], rs) < 0)
            goto out;
        charts[loaded] = &sp[loaded].chart;
    }
    chart_render(charts, n);

    bg_buf_adds(&pg->main, "<div class=\"scroll\"><table class=\"benchmarks\">\n<thead><tr>"
                "<th>Benchmark</th><th>Verdict</th><th class=\"num\">Change</th>"
                "<th class=\"num opt\">p95</th><th class=\"trend\">Trend (p95, last 30 runs)</th>"
                "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < n; i++) {
        const struct row *row = &rows[i];
        struct page_filters mf = { j->cur.branch, v->f.env, row->res->metric };

        bg_buf_addf(&pg->main, "<tr class=\"r-%s\"><td class=\"name\"><a href=\"",
                    gate_verdict_name(row->row->verdict));
        page_href_benchmark(&pg->main, project, row->res->name, &mf);
        bg_buf_adds(&pg->main, "\">");
        html_text(&pg->main, row->res->name);
        bg_buf_adds(&pg->main, "</a>");
        if (strcmp(row->res->metric, "time") != 0) {
            bg_buf_adds(&pg->main, " <span class=\"low\">");
            html_text(&pg->main, row->res->metric);
            bg_buf_adds(&pg->main, "</span>");
        }
        bg_buf_adds(&pg->main, "</td>");
        page_verdict_cell(&pg->main, &j->report, row->row);
        page_change_cell(&pg->main, row->change, row->row->threshold);
        page_value_cell_class(&pg->main, row->row->cur_p95, row->res->unit, "opt");
        spark_cell(&pg->main, project, row, &mf, &sp[i], &rs->transient);
        bg_buf_adds(&pg->main, "</tr>\n");
    }
    bg_buf_adds(&pg->main, "</tbody>\n</table></div>\n");
out:
    for (size_t i = 0; i < loaded; i++)
        spark_release(&sp[i]);
    free(charts);
    free(sp);
}

static int cmp_key(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    int c = strcmp(x->res->name, y->res->name);

    return c != 0 ? c : strcmp(x->res->metric, y->res->metric);
}

/* The branch to link a benchmark's page with: the page's own when the
 * benchmark has results there (*same), else the branch of its newest result
 * on any machine; false (answer made) when the store fails. Two one-point
 * reads, for at most BUDGET_OTHER_BENCHMARKS benchmarks a page. */
static bool link_branch(const struct http_request *rq, const char *project,
                        const struct store_benchmark *k, const struct page_filters *f,
                        char branch[BG_NAME_MAX + 1], bool *same, struct http_response *rs)
{
    struct store_point *pt = NULL;
    int n = store_history(rq->st, project, k->name, k->metric, f->branch, f->env, 1, &pt);

    branch[0] = '\0';
    *same = n > 0;
    if (n > 0)
        snprintf(branch, BG_NAME_MAX + 1, "%s", f->branch != NULL ? f->branch : "");
    if (n == 0) {
        free(pt);
        pt = NULL;
        n = store_history(rq->st, project, k->name, k->metric, NULL, NULL, 1, &pt);
        if (n > 0)
            snprintf(branch, BG_NAME_MAX + 1, "%s", pt[0].branch);
    }
    free(pt);
    if (n < 0) {
        http_store_failed(rs);
        return false;
    }
    return true;
}

/* Benchmarks stored for the project but in neither run just compared: a
 * binary search of the run's rows for each, at most BUDGET_OTHER_BENCHMARKS
 * listed, each linked to a page that has it (link_branch). */
static void other_benchmarks(struct page *pg, const struct http_request *rq, const char *project,
                             const struct judged *j, const struct row *all, size_t n_rows,
                             const struct view *v, struct http_response *rs)
{
    struct store_benchmark *k;
    struct row *sorted = bg_xcalloc(n_rows + 1, sizeof(*sorted));
    int n = store_list_benchmarks(rq->st, project, &k);
    size_t shown_n = 0, more = 0;
    char branch[BG_NAME_MAX + 1];
    bool same;

    if (n < 0) {
        http_store_failed(rs);
        free(sorted);
        return;
    }
    memcpy(sorted, all, n_rows * sizeof(*sorted));
    qsort(sorted, n_rows, sizeof(*sorted), cmp_key);
    for (int i = 0; i < n; i++) {
        struct page_filters mf = { j->cur.branch, v->f.env, k[i].metric };
        struct bg_result key_res = { .name = k[i].name, .metric = k[i].metric };
        struct row key = { .res = &key_res };

        if (bsearch(&key, sorted, n_rows, sizeof(*sorted), cmp_key) != NULL)
            continue;
        if (shown_n == BUDGET_OTHER_BENCHMARKS) {
            more++;
            continue;
        }
        if (!link_branch(rq, project, &k[i], &mf, branch, &same, rs))
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
    if (more > 0)
        bg_buf_addf(&pg->main, "<li>and %zu more</li>\n", more);
    if (shown_n > 0)
        bg_buf_adds(&pg->main, "</ul>\n");
    free(k);
    free(sorted);
}

/* The view the query asks for; false (answer made) when it is bad. */
static bool read_view(const struct http_request *rq, struct view *v, struct http_response *rs)
{
    bool sort_ok;

    memset(v, 0, sizeof(*v));
    v->page = 1;
    v->sort = route_query_get(rq->query, "sort");
    if (v->sort == NULL || *v->sort == '\0')
        v->sort = "verdict";
    sort_ok = false;
    for (size_t i = 0; i < ARRAY_SIZE(sorts); i++)
        sort_ok |= strcmp(v->sort, sorts[i]) == 0;
    if (!sort_ok) {
        http_error(rs, 400, "bad_request", "query parameter sort: expected verdict, change, name "
                   "or run");
        return false;
    }
    return page_read_filters(rq, &v->f, rs) && page_query_text(rq, "q", &v->q, rs) &&
           page_query_text(rq, "group", &v->group, rs) &&
           http_query_bool(rq, "failing", &v->failing, rs) &&
           http_query_int(rq, "page", &page_range, &v->page, rs);
}

void page_project(const struct http_request *rq, const char *const *params,
                  struct http_response *rs)
{
    const char *project = params[0];
    char base[BG_NAME_MAX + 1];
    struct judged j;
    struct view v;
    struct page pg;
    struct row *all = NULL, *shown = NULL;
    size_t n_all = 0, n_shown = 0, from;
    int64_t id = 0, pages;
    bool judged = false;

    page_begin(&pg);
    memset(&j, 0, sizeof(j));
    if (!read_view(rq, &v, rs) || !lookup_project(rq, project, rs) ||
        judge_base_branch(rq, project, base, rs) < 0)
        goto out;
    page_nav_project(&pg, project);
    bg_buf_adds(&pg.main, "<h1>");
    html_text(&pg.main, project);
    bg_buf_adds(&pg.main, "</h1>\n<p class=\"links\"><a href=\"");
    page_href_project(&pg.main, project);
    bg_buf_adds(&pg.main, "/alerts\">Alerts</a>: regressions and change points of the last runs "
                "· <a href=\"");
    page_href_project(&pg.main, project);
    bg_buf_adds(&pg.main, "/runs");
    {
        bool first = true;

        page_add_param(&pg.main, &first, "branch", v.f.branch);
    }
    bg_buf_adds(&pg.main, "\">Runs</a></p>\n");
    view_form(&pg, rq, project, &v, rs);
    if (rs->status != 0)
        goto out;
    /* the newest run, as the index names it, unless a branch is asked for */
    if (judge_newest_run(rq, project, v.f.branch, v.f.env, &id, rs) < 0)
        goto out;
    if (id == 0) {
        page_note(&pg.main, "No runs on this branch and machine yet.");
        goto out;
    }
    if (judge_stored_run(rq, project, id, base, false, &j, rs) < 0)
        goto out;
    judged = true;
    page_judged_summary(&pg.main, project, &j, "Newest run");

    all = rows_of(&j);
    n_all = j.report.n_rows;
    groups(&pg, project, &j, all, n_all, &v);
    shown = bg_xcalloc(n_all + 1, sizeof(*shown));
    for (size_t i = 0; i < n_all; i++) {
        if ((!v.failing || row_failing(&j.report, all[i].row)) && in_group(&all[i], v.group) &&
            (v.q == NULL || strstr(all[i].res->name, v.q) != NULL))
            shown[n_shown++] = all[i];
    }
    qsort(shown, n_shown, sizeof(*shown), strcmp(v.sort, "change") == 0 ? by_change
                                          : strcmp(v.sort, "name") == 0  ? by_name
                                          : strcmp(v.sort, "run") == 0   ? by_order
                                                                         : by_rank);
    pages = n_shown == 0 ? 1 : (int64_t)((n_shown + PROJECT_PAGE_ROWS - 1) / PROJECT_PAGE_ROWS);
    if (v.page > pages) {
        http_error(rs, 404, "not_found", "there is no page %" PRId64 ": %" PRId64 " page%s of "
                   "%zu benchmarks", v.page, pages, pages == 1 ? "" : "s", n_shown);
        goto out;
    }
    if (n_shown == 0) {
        page_note(&pg.main, v.failing ? "No benchmark of this run failed the gate or was "
                  "inconclusive (with these filters)." : "No benchmark matches these filters.");
        goto others;
    }
    from = (size_t)(v.page - 1) * PROJECT_PAGE_ROWS;
    pager(&pg.main, project, &v, n_shown, pages);
    benchmark_table(&pg, rq, project, &j, shown + from,
                    n_shown - from < PROJECT_PAGE_ROWS ? n_shown - from : PROJECT_PAGE_ROWS, &v,
                    rs);
    if (rs->status != 0)
        goto out;
    if (pages > 1)
        pager(&pg.main, project, &v, n_shown, pages);
others:
    if (v.page == 1 && v.q == NULL && v.group == NULL && !v.failing)
        other_benchmarks(&pg, rq, project, &j, all, n_all, &v, rs);
out:
    free(all);
    free(shown);
    if (judged)
        judge_release(&j);
    page_end(&pg, project, rs);
}
