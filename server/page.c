/*
 * page.c: what every page shares (see page.h): the frame, links, cells,
 * the filter form, and chart values in a readable unit.
 */
#include "core/bg.h"
#include "server/page.h"
#include "gate/report.h"
#include "server/budget.h"
#include "server/handlers.h"
#include "server/html.h"

#include <math.h>
#include <time.h>

/* ---- small writers ---- */

void page_when(int64_t ts, char *buf, size_t size)
{
    time_t t = (time_t)ts;
    struct tm tm;

    if (gmtime_r(&t, &tm) == NULL || strftime(buf, size, "%Y-%m-%d %H:%M", &tm) == 0)
        snprintf(buf, size, "?");
}

void page_begin(struct page *pg)
{
    pg->nav = (struct bg_buf)BG_BUF_INIT;
    pg->main = (struct bg_buf)BG_BUF_INIT;
}

void page_end(struct page *pg, const char *title, struct http_response *rs)
{
    if (rs->status == 0) {
        html_page(&rs->body, title, pg->nav.data, pg->main.data);
        rs->status = 200;
    }
    bg_buf_release(&pg->nav);
    bg_buf_release(&pg->main);
}

void page_nav_project(struct page *pg, const char *project)
{
    bg_buf_adds(&pg->nav, "<a href=\"/\">projects</a> / <a href=\"");
    page_href_project(&pg->nav, project);
    bg_buf_adds(&pg->nav, "\">");
    html_text(&pg->nav, project);
    bg_buf_adds(&pg->nav, "</a>");
}

void page_href_project(struct bg_buf *b, const char *project)
{
    bg_buf_adds(b, "/p/");
    html_url(b, project);
}

void page_href_benchmark(struct bg_buf *b, const char *project, const char *name,
                         const struct page_filters *f)
{
    bool first = true;

    page_href_project(b, project);
    bg_buf_adds(b, "/b/");
    html_url(b, name);
    page_add_param(b, &first, "metric", f->metric);
    page_add_param(b, &first, "branch", f->branch);
    page_add_param(b, &first, "env", f->env);
}

void page_href_run(struct bg_buf *b, const char *project, int64_t id)
{
    page_href_project(b, project);
    bg_buf_addf(b, "/runs/%" PRId64, id);
}

void page_add_param(struct bg_buf *b, bool *first, const char *key, const char *value)
{
    if (value == NULL)
        return;
    bg_buf_adds(b, *first ? "?" : "&amp;");
    bg_buf_adds(b, key);
    bg_buf_adds(b, "=");
    html_url(b, value);
    *first = false;
}

void page_note(struct bg_buf *b, const char *text)
{
    bg_buf_adds(b, "<p class=\"note\">");
    html_text(b, text);
    bg_buf_adds(b, "</p>\n");
}

void page_value_cell_class(struct bg_buf *b, double v, const char *unit, const char *cls)
{
    char buf[64];

    report_format_value(buf, sizeof(buf), v, unit);
    bg_buf_addf(b, "<td class=\"num%s%s\">", cls != NULL ? " " : "", cls != NULL ? cls : "");
    html_text(b, buf);
    bg_buf_adds(b, "</td>");
}

void page_value_cell(struct bg_buf *b, double v, const char *unit)
{
    page_value_cell_class(b, v, unit, NULL);
}

void page_change_cell(struct bg_buf *b, double change, double threshold)
{
    char buf[32];

    report_format_change(buf, sizeof(buf), change);
    bg_buf_addf(b, "<td class=\"num%s\">%s</td>",
                change > threshold ? " worse" : change < -threshold ? " better" : "", buf);
}

void page_verdict_cell(struct bg_buf *b, const struct gate_report *r, const struct gate_row *row)
{
    const char *name = gate_verdict_name(row->verdict);

    bg_buf_addf(b, "<td><span class=\"verdict v-%s\">%s%s</span>", name, name,
                gate_row_fails(r, row) ? " (fails)" : "");
    if (row->low_confidence) {
        char low[160];

        gate_low_text(r, row, low, sizeof(low));
        bg_buf_adds(b, " <span class=\"low\">low confidence: ");
        html_text(b, low);
        bg_buf_adds(b, "</span>");
    }
    bg_buf_adds(b, "</td>");
}

static bool thinned(const struct bg_result *res)
{
    return res != NULL && res->n_samples > 0 && res->sum.n > res->n_samples;
}

/* Says which results the page's tests read only part of (server/budget.h). */
static void thinned_note(struct bg_buf *b, const struct gate_report *r)
{
    size_t n = 0;

    for (size_t i = 0; i < r->n_rows; i++)
        n += thinned(r->rows[i].cur) || thinned(r->rows[i].base);
    if (n > 0)
        bg_buf_addf(b, "<p class=\"low\">%zu benchmark%s more than %d samples a run: "
                    "the tests read every k-th sample (%d of them); the medians, p95s and "
                    "means shown are of every sample.</p>\n", n, n == 1 ? " has" : "s have",
                    BUDGET_SAMPLES, BUDGET_SAMPLES);
}

void page_judged_summary(struct bg_buf *b, const char *project, const struct judged *j,
                         const char *which)
{
    const struct gate_report *r = &j->report;
    struct bg_buf text = BG_BUF_INIT;
    char date[32];

    page_when(j->cur.timestamp, date, sizeof(date));
    bg_buf_adds(b, "<p class=\"lead\">");
    bg_buf_adds(b, which);
    bg_buf_adds(b, ": <a href=\"");
    page_href_run(b, project, j->cur.id);
    bg_buf_addf(b, "\">run %" PRId64 "</a> of %s UTC on branch <b>", j->cur.id, date);
    html_text(b, j->cur.branch);
    bg_buf_adds(b, "</b>");
    if (j->cur.commit != NULL)
        bg_buf_addf(b, ", commit <code>%.12s</code>", j->cur.commit);
    bg_buf_adds(b, ". Baseline: ");
    html_text(b, j->base.why);
    if (j->base.found && j->base.n_runs > 0) {
        bg_buf_adds(b, " (newest: <a href=\"");
        page_href_run(b, project, j->base.runs[0].id);
        bg_buf_addf(b, "\">run %" PRId64 "</a>)", j->base.runs[0].id);
    }
    bg_buf_adds(b, ".</p>\n");
    if (j->base.warning[0] != '\0')
        page_note(b, j->base.warning);
    bg_buf_addf(b, "<p>%zu regressed, %zu improved, %zu unchanged, %zu inconclusive, %zu new, "
                "%zu missing. The gate: ", r->count[GATE_REGRESSED], r->count[GATE_IMPROVED],
                r->count[GATE_UNCHANGED], r->count[GATE_INCONCLUSIVE], r->count[GATE_NEW],
                r->count[GATE_MISSING]);
    report_rule(&text, r);
    html_text(b, text.data);
    bg_buf_adds(b, ".</p>\n");
    for (size_t i = 0; i < r->n_suites; i++) {
        bg_buf_reset(&text);
        report_suite(&text, r, &r->suites[i]);
        bg_buf_addf(b, "<p class=\"%s\">Machine: ", gate_suite_fails(r, &r->suites[i])
                                                          ? "verdict v-regressed" : "low");
        html_text(b, text.data);
        bg_buf_adds(b, ".</p>\n");
    }
    bg_buf_release(&text);
    thinned_note(b, r);
}

/* ---- the filters of a project's pages ---- */

bool page_query_text(const struct http_request *rq, const char *key, const char **out,
                     struct http_response *rs)
{
    const char *v = route_query_get(rq->query, key);

    if (v != NULL && *v == '\0') /* a form's empty field: no filter */
        return true;
    return http_query_name(rq, key, out, rs);
}

bool page_read_filters(const struct http_request *rq, struct page_filters *f,
                       struct http_response *rs)
{
    memset(f, 0, sizeof(*f));
    return page_query_text(rq, "branch", &f->branch, rs) &&
           http_query_env(rq, &f->env, rs) &&
           page_query_text(rq, "metric", &f->metric, rs);
}

void page_filter_form(struct page *pg, const struct http_request *rq, const char *project,
                      const struct page_filters *f, const char *base, struct http_response *rs)
{
    struct store_branch *b;
    struct store_environment *e;
    int nb = store_list_branches(rq->st, project, &b);
    int ne = nb < 0 ? -1 : store_list_environments(rq->st, project, &e);

    if (nb < 0 || ne < 0) {
        if (nb >= 0)
            free(b);
        http_store_failed(rs);
        return;
    }
    bg_buf_adds(&pg->main, "<form class=\"filters\" method=\"get\">\n"
                "<label>Branch <select name=\"branch\">\n");
    if (base == NULL)
        bg_buf_addf(&pg->main, "<option value=\"\"%s>the newest run's</option>\n",
                    f->branch == NULL ? " selected" : "");
    for (int i = 0; i < nb; i++) {
        const char *want = f->branch != NULL ? f->branch : base;
        bool sel = want != NULL && strcmp(b[i].name, want) == 0;

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

/* ---- chart values ---- */

double page_shown(const struct store_point *p)
{
    return isfinite(p->p95) ? p->p95 : p->mean;
}

double page_unit_scale(const char *unit, const struct store_point *pts, int n,
                       const char **label)
{
    double max = 0;

    *label = unit;
    if (strcmp(unit, "ns") != 0)
        return 1;
    for (int i = 0; i < n; i++) {
        if (isfinite(page_shown(&pts[i])))
            max = fmax(max, page_shown(&pts[i]));
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

struct chart_point *page_chart_points(const struct store_point *pts, int n, double scale,
                                      const char *unit, bool time_axis)
{
    struct chart_point *cp = bg_xcalloc(n > 0 ? (size_t)n : 1, sizeof(*cp));

    for (int i = 0; i < n; i++) {
        double v = page_shown(&pts[i]) / scale;

        cp[i].x = time_axis ? (double)pts[i].timestamp : (double)i;
        cp[i].p95 = v;
        cp[i].median = pts[i].median / scale;
        cp[i].lo = pts[i].min / scale;
        cp[i].hi = pts[i].max / scale;
        /* chart_script.c chooses which labels to show, and cuts both to its alphabet */
        if (pts[i].commit[0] != '\0')
            snprintf(cp[i].label, sizeof(cp[i].label), "%.7s", pts[i].commit);
        else
            snprintf(cp[i].label, sizeof(cp[i].label), "#%" PRId64, pts[i].run_id);
        snprintf(cp[i].hover, sizeof(cp[i].hover), "run %" PRId64 " %.7s: %s %.4g %s",
                 pts[i].run_id, pts[i].commit, isfinite(pts[i].p95) ? "p95" : "mean", v,
                 strlen(unit) <= 12 ? unit : "");
    }
    return cp;
}

/* ---- the stylesheet ---- */

void page_style(const struct http_request *rq, const char *const *params,
                struct http_response *rs)
{
    (void)rq;
    (void)params;
    bg_buf_adds(&rs->body, web_style_css);
    rs->status = 200;
}
