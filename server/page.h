/*
 * page.h: what the dashboards' pages share: a page under construction, the
 * links between pages, table cells, the filter form, and chart values.
 *
 *   /                         projects, their newest run and its regressions
 *   /p/{project}              every benchmark: trend, newest p95, change, verdict
 *   /p/{project}/b/{name}     its history chart, change points and runs
 *   /p/{project}/runs/{id}    a run: environment, CI links, its verdict table
 *   .../b/{name}/chart.svg    the history chart alone (to embed elsewhere)
 *   .../b/{name}/spark.svg    the trend line of the project page
 *
 * Each page is a page_*.c of its own. Pages are HTML made on the server and
 * readable without JavaScript; every stored string in them goes through
 * html_text or html_url (html.h). Filters travel in the query: ?branch=,
 * ?env= (a machine fingerprint), ?metric=, ?sort=, ?x=order|time, ?limit=.
 * Every answer is a function of the stored runs, so routes.c caches it
 * until the next upload.
 */
#ifndef BG_SERVER_PAGE_H
#define BG_SERVER_PAGE_H

#include "core/bg.h"
#include "core/store.h"
#include "server/chart.h"
#include "server/http.h"
#include "server/judge.h"

/* A page under construction: the breadcrumbs and the content. */
struct page {
    struct bg_buf nav, main;
};

void page_begin(struct page *pg);
/* Frames nav and main into rs unless an error answer was made meanwhile;
 * frees both. */
void page_end(struct page *pg, const char *title, struct http_response *rs);

/* "YYYY-MM-DD HH:MM" (UTC) of unix seconds, "?" when out of range. */
void page_when(int64_t ts, char *buf, size_t size);

/* What narrows a project's view; NULL members are the defaults. */
struct page_filters {
    const char *branch, *env, *metric;
};

/* ---- links (each part escaped for a URL inside an attribute) ---- */

/* "projects / PROJECT" */
void page_nav_project(struct page *pg, const char *project);
void page_href_project(struct bg_buf *b, const char *project);
void page_href_benchmark(struct bg_buf *b, const char *project, const char *name,
                         const struct page_filters *f);
void page_href_run(struct bg_buf *b, const char *project, int64_t id);
/* A query parameter, first (?) or not (&amp;), skipped when value is NULL. */
void page_add_param(struct bg_buf *b, bool *first, const char *key, const char *value);

/* ---- content ---- */

void page_note(struct bg_buf *b, const char *text);
void page_value_cell(struct bg_buf *b, double v, const char *unit);
/* The same with a class of the page's own (cls: a fixed word, NULL for none). */
void page_value_cell_class(struct bg_buf *b, double v, const char *unit, const char *cls);
void page_change_cell(struct bg_buf *b, double change, double threshold);
void page_verdict_cell(struct bg_buf *b, const struct gate_report *r, const struct gate_row *row);
/* The heading of a judged run: which run, against what, with what result. */
void page_judged_summary(struct bg_buf *b, const char *project, const struct judged *j,
                         const char *which);

/* ---- filters ---- */

/* ?key=NAME into *out, untouched when absent or empty (a form's empty field). */
bool page_query_text(const struct http_request *rq, const char *key, const char **out,
                     struct http_response *rs);
/* The filters of a page's query; false (answer made) when one is bad. */
bool page_read_filters(const struct http_request *rq, struct page_filters *f,
                       struct http_response *rs);
/* Opens the filter form of a project's pages: branch and machine; the page
 * adds its own fields and closes the form. The branch chosen is f's, else
 * base's; with base NULL, "the newest run's" (any branch) is the first
 * choice. 503 made when the store fails. */
void page_filter_form(struct page *pg, const struct http_request *rq, const char *project,
                      const struct page_filters *f, const char *base,
                      struct http_response *rs);

/* ---- chart values ---- */

/* The value a chart shows for a point: its p95, or its mean for a summary. */
double page_shown(const struct store_point *p);
/* The divisor that puts values in a readable unit (nanoseconds become µs,
 * ms or s), with that unit in *label. */
double page_unit_scale(const char *unit, const struct store_point *pts, int n,
                       const char **label);
/* The chart's points of pts[0..n), scaled, with commit labels and their
 * values in unit (after scale) on hover; caller frees. */
struct chart_point *page_chart_points(const struct store_point *pts, int n, double scale,
                                      const char *unit, bool time_axis);

#endif /* BG_SERVER_PAGE_H */
