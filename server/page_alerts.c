/*
 * page_alerts.c: GET /p/{project}/alerts and .../alerts.atom: every
 * regression verdict and every change point of a branch's last N runs,
 * newest first, each with the run and commit that brought it and a link
 * to its chart; the same list as an Atom feed (RFC 4287) to subscribe to.
 *
 * Verdicts come from judge.c, as check gives them; change points from
 * gate/changepoint.c over each benchmark's history, as the benchmark page
 * finds them. The work is bounded: ALERTS_RUNS_MAX runs judged, at most
 * ALERTS_BENCHMARKS histories of ALERTS_RUNS_MAX + CONTEXT points.
 */
#include "core/bg.h"
#include "server/handlers.h"
#include "gate/changepoint.h"
#include "gate/report.h"
#include "server/html.h"
#include "server/judge.h"
#include "server/lookup.h"
#include "server/page.h"

#include <math.h>
#include <time.h>

#define ALERTS_RUNS_DEFAULT 20
#define ALERTS_RUNS_MAX 100
#define ALERTS_BENCHMARKS 1000 /* benchmarks searched for change points, at most */
#define CONTEXT 30             /* runs before the last N that a change point is judged on */
#define ALERTS_SHOWN 200       /* alerts listed, newest first */
#define CHANGES_MAX 16         /* change points of one history */
/* A level shift is an alert from the gate's default threshold up: over a
 * few hundred benchmarks, a test at alpha 0.01 finds a few shifts of 2-3%
 * in noise alone, and a shift the gate would let pass is no alarm. The
 * benchmark's page lists every shift it finds. */
#define SHIFT_MIN 0.10

static const struct bg_int_range runs_range = { 1, ALERTS_RUNS_MAX };
static const int run_choices[] = { 10, 20, 50, ALERTS_RUNS_MAX };

enum alert_kind { ALERT_REGRESSED, ALERT_CHANGE };

struct alert {
    enum alert_kind kind;
    int64_t run_id, timestamp;
    char commit[65];
    char name[BG_NAME_MAX + 1];
    char metric[65], unit[65];
    double change, before, after; /* before/after: the change point's medians */
};

struct alerts {
    char branch[BG_NAME_MAX + 1];
    int64_t n_runs;             /* asked for */
    int n_found;                /* runs the branch has of those */
    int64_t newest_ts;          /* the newest run's time, 0 when none */
    struct alert *list;
    size_t n, cap;
    size_t benchmarks, skipped; /* histories searched; benchmarks left out past the bound */
};

static struct alert *add(struct alerts *a)
{
    if (a->n == a->cap) {
        a->cap = a->cap == 0 ? 32 : 2 * a->cap;
        a->list = bg_xrealloc(a->list, a->cap * sizeof(*a->list));
    }
    memset(&a->list[a->n], 0, sizeof(a->list[0]));
    return &a->list[a->n++];
}

static int newest_first(const void *x, const void *y)
{
    const struct alert *a = x, *b = y;
    int c;

    if (a->timestamp != b->timestamp)
        return a->timestamp > b->timestamp ? -1 : 1;
    if (a->run_id != b->run_id)
        return a->run_id > b->run_id ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    c = strcmp(a->name, b->name);
    return c != 0 ? c : strcmp(a->metric, b->metric);
}

/* The regressions of each of the runs, judged as check judges them. */
static int judge_runs(const struct http_request *rq, const char *project, const char *base,
                      const struct store_run_info *runs, int n, struct alerts *a,
                      struct http_response *rs)
{
    for (int i = 0; i < n; i++) {
        struct judged j;

        if (judge_stored_run(rq, project, runs[i].id, base, false, &j, rs) < 0)
            return -1;
        for (size_t r = 0; j.base.found && r < j.report.n_rows; r++) {
            const struct gate_row *row = &j.report.rows[r];
            const struct bg_result *res = row->cur != NULL ? row->cur : row->base;
            struct alert *al;

            if (row->verdict != GATE_REGRESSED && !gate_row_fails(&j.report, row))
                continue;
            al = add(a);
            al->kind = ALERT_REGRESSED;
            al->run_id = runs[i].id;
            al->timestamp = runs[i].timestamp;
            snprintf(al->commit, sizeof(al->commit), "%s", runs[i].commit);
            snprintf(al->name, sizeof(al->name), "%s", res->name);
            snprintf(al->metric, sizeof(al->metric), "%s", res->metric);
            snprintf(al->unit, sizeof(al->unit), "%s", res->unit);
            al->change = isnan(row->adj_change) ? row->change : row->adj_change;
        }
        judge_release(&j);
    }
    return 0;
}

/* The change points of each benchmark's history on the branch that fall
 * in the runs at or after oldest (timestamp, id). */
static int find_changes(const struct http_request *rq, const char *project,
                        const struct store_run_info *oldest, struct alerts *a,
                        struct http_response *rs)
{
    struct changepoint_opts co = CHANGEPOINT_OPTS_DEFAULT;
    struct store_benchmark *k;
    int n = store_list_benchmarks(rq->st, project, &k);

    if (n < 0) {
        http_store_failed(rs);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        struct changepoint cps[CHANGES_MAX];
        struct store_point *pts;
        double *values;
        int m, found;

        if (a->benchmarks == ALERTS_BENCHMARKS) {
            a->skipped = (size_t)(n - i);
            break;
        }
        m = store_history(rq->st, project, k[i].name, k[i].metric, a->branch, NULL,
                          (size_t)a->n_runs + CONTEXT, &pts);
        if (m < 0) {
            free(k);
            http_store_failed(rs);
            return -1;
        }
        a->benchmarks += m > 0;
        values = bg_xcalloc((size_t)m + 1, sizeof(*values));
        for (int p = 0; p < m; p++)
            values[p] = page_shown(&pts[p]);
        found = m > 0 ? changepoint_find(values, (size_t)m, &co, cps, ARRAY_SIZE(cps)) : 0;
        for (int c = 0; c < found; c++) {
            const struct store_point *p = &pts[cps[c].at];
            struct alert *al;

            if (p->timestamp < oldest->timestamp ||
                (p->timestamp == oldest->timestamp && p->run_id < oldest->id) ||
                !(fabs(bg_change(cps[c].before, cps[c].after, k[i].direction)) >= SHIFT_MIN))
                continue;
            al = add(a);
            al->kind = ALERT_CHANGE;
            al->run_id = p->run_id;
            al->timestamp = p->timestamp;
            snprintf(al->commit, sizeof(al->commit), "%s", p->commit);
            snprintf(al->name, sizeof(al->name), "%s", k[i].name);
            snprintf(al->metric, sizeof(al->metric), "%s", k[i].metric);
            snprintf(al->unit, sizeof(al->unit), "%s", p->unit);
            al->before = cps[c].before;
            al->after = cps[c].after;
            al->change = bg_change(cps[c].before, cps[c].after, k[i].direction);
        }
        free(values);
        free(pts);
    }
    free(k);
    return 0;
}

/* The query's branch and run count, and the alerts of those runs; false
 * (answer made) on a bad request or a failed store. */
static bool alerts_load(const struct http_request *rq, const char *project, struct alerts *a,
                        struct http_response *rs)
{
    char base[BG_NAME_MAX + 1];
    const char *branch = NULL;
    struct store_run_info *runs;
    int n;

    memset(a, 0, sizeof(*a));
    a->n_runs = ALERTS_RUNS_DEFAULT;
    if (!page_query_text(rq, "branch", &branch, rs) ||
        !http_query_int(rq, "runs", &runs_range, &a->n_runs, rs) ||
        !lookup_project(rq, project, rs) || judge_base_branch(rq, project, base, rs) < 0)
        return false;
    snprintf(a->branch, sizeof(a->branch), "%s", branch != NULL ? branch : base);
    n = store_list_runs(rq->st, project, a->branch, NULL, 0, (size_t)a->n_runs, &runs);
    if (n < 0) {
        http_store_failed(rs);
        return false;
    }
    a->n_found = n;
    if (n > 0) {
        a->newest_ts = runs[0].timestamp;
        if (judge_runs(rq, project, base, runs, n, a, rs) < 0 ||
            find_changes(rq, project, &runs[n - 1], a, rs) < 0) {
            free(runs);
            return false;
        }
    }
    free(runs);
    if (a->n > 0) /* an empty list has no array: qsort takes none */
        qsort(a->list, a->n, sizeof(*a->list), newest_first);
    return true;
}

static void alerts_release(struct alerts *a)
{
    free(a->list);
}

/* The query of this list's links: branch and runs as asked. */
static void add_query(struct bg_buf *b, bool *first, const struct alerts *a)
{
    char num[24];

    snprintf(num, sizeof(num), "%" PRId64, a->n_runs);
    page_add_param(b, first, "branch", a->branch);
    page_add_param(b, first, "runs", a->n_runs != ALERTS_RUNS_DEFAULT ? num : NULL);
}

static void alert_words(const struct alert *al, char *buf, size_t size)
{
    char change[32], before[64], after[64];

    report_format_change(change, sizeof(change), al->change);
    if (al->kind == ALERT_REGRESSED) {
        snprintf(buf, size, "regressed %s", change);
        return;
    }
    report_format_value(before, sizeof(before), al->before, al->unit);
    report_format_value(after, sizeof(after), al->after, al->unit);
    snprintf(buf, size, "level shift %s (median p95 %s to %s)", change, before, after);
}

/* ---- the page ---- */

void page_alerts(const struct http_request *rq, const char *const *params,
                 struct http_response *rs)
{
    const char *project = params[0];
    struct alerts a;
    struct page pg;
    char date[32], words[256];
    bool first;

    page_begin(&pg);
    if (!alerts_load(rq, project, &a, rs))
        goto out;
    page_nav_project(&pg, project);
    bg_buf_adds(&pg.nav, " / alerts");
    bg_buf_adds(&pg.main, "<h1>Alerts: ");
    html_text(&pg.main, project);
    bg_buf_adds(&pg.main, "</h1>\n<p class=\"lead\">Every regression verdict and every change "
                "point of the last ");
    bg_buf_addf(&pg.main, "%d run%s of branch <b>", a.n_found, a.n_found == 1 ? "" : "s");
    html_text(&pg.main, a.branch);
    bg_buf_adds(&pg.main, "</b>, newest first: verdicts as <code>benchgate check</code> gives "
                "them, level shifts of 10% or more as each benchmark's page finds them. "
                "<a href=\"");
    page_href_project(&pg.main, project);
    bg_buf_adds(&pg.main, "/alerts.atom");
    first = true;
    add_query(&pg.main, &first, &a);
    bg_buf_adds(&pg.main, "\" type=\"application/atom+xml\">Atom feed</a> · <a href=\"");
    page_href_project(&pg.main, project);
    bg_buf_adds(&pg.main, "\">All benchmarks</a></p>\n");

    page_filter_form(&pg, rq, project, &(struct page_filters){ a.branch, NULL, NULL }, a.branch,
                     rs);
    if (rs->status != 0)
        goto out;
    bg_buf_addf(&pg.main, "<label>Runs <select name=\"runs\">");
    for (size_t k = 0; k < ARRAY_SIZE(run_choices); k++)
        bg_buf_addf(&pg.main, "<option%s>%d</option>",
                    run_choices[k] == a.n_runs ? " selected" : "", run_choices[k]);
    if (a.n_runs != 10 && a.n_runs != 20 && a.n_runs != 50 && a.n_runs != ALERTS_RUNS_MAX)
        bg_buf_addf(&pg.main, "<option selected>%" PRId64 "</option>", a.n_runs);
    bg_buf_adds(&pg.main, "</select></label>\n<button type=\"submit\">Show</button>\n</form>\n");

    if (a.n == 0)
        page_note(&pg.main, a.n_found == 0 ? "No runs on this branch yet."
                                           : "Nothing to report: no regression and no change "
                                             "point in these runs.");
    else
        bg_buf_addf(&pg.main, "<p>%zu alert%s%s.</p>\n<ul class=\"alerts\">\n", a.n,
                    a.n == 1 ? "" : "s", a.n > ALERTS_SHOWN ? ", the newest 200 shown" : "");
    for (size_t i = 0; i < a.n && i < ALERTS_SHOWN; i++) {
        const struct alert *al = &a.list[i];
        struct page_filters f = { a.branch, NULL, al->metric };

        page_when(al->timestamp, date, sizeof(date));
        alert_words(al, words, sizeof(words));
        bg_buf_addf(&pg.main, "<li class=\"alert %s\"><a href=\"",
                    al->kind == ALERT_REGRESSED ? "a-regressed" : "a-change");
        page_href_run(&pg.main, project, al->run_id);
        bg_buf_addf(&pg.main, "\">run %" PRId64 "</a>", al->run_id);
        if (al->commit[0] != '\0')
            bg_buf_addf(&pg.main, " <code>%.12s</code>", al->commit);
        bg_buf_addf(&pg.main, " <span class=\"low\">%s UTC</span>: <a class=\"bench\" href=\"",
                    date);
        page_href_benchmark(&pg.main, project, al->name, &f);
        bg_buf_adds(&pg.main, "\">");
        html_text(&pg.main, al->name);
        bg_buf_adds(&pg.main, "</a>");
        if (strcmp(al->metric, "time") != 0) {
            bg_buf_adds(&pg.main, " (");
            html_text(&pg.main, al->metric);
            bg_buf_adds(&pg.main, ")");
        }
        bg_buf_addf(&pg.main, " <span class=\"verdict %s\">",
                    al->kind == ALERT_REGRESSED ? "v-regressed" : "v-inconclusive");
        html_text(&pg.main, words);
        bg_buf_adds(&pg.main, "</span></li>\n");
    }
    if (a.n > 0)
        bg_buf_adds(&pg.main, "</ul>\n");
    if (a.skipped > 0)
        bg_buf_addf(&pg.main, "<p class=\"low\">Change points were looked for in the first %d "
                    "benchmarks; %zu more were left out.</p>\n", ALERTS_BENCHMARKS, a.skipped);
out:
    alerts_release(&a);
    page_end(&pg, "Alerts", rs);
}

/* ---- the feed (RFC 4287) ---- */

static void atom_time(struct bg_buf *b, int64_t ts)
{
    time_t t = (time_t)ts;
    struct tm tm;
    char buf[32];

    if (gmtime_r(&t, &tm) == NULL || strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, sizeof(buf), "1970-01-01T00:00:00Z");
    bg_buf_adds(b, buf);
}

/* A stable id (a tag URI, RFC 4151) for the feed, or for one alert. */
static void atom_id(struct bg_buf *b, const char *project, const struct alerts *a,
                    const struct alert *al)
{
    bg_buf_adds(b, "tag:benchgate,2024:alerts/");
    html_url(b, project);
    bg_buf_adds(b, "/");
    html_url(b, a->branch);
    if (al == NULL)
        return;
    bg_buf_addf(b, "/run-%" PRId64 "/%s/", al->run_id,
                al->kind == ALERT_REGRESSED ? "regressed" : "change");
    html_url(b, al->name);
    bg_buf_adds(b, "/");
    html_url(b, al->metric);
}

void page_alerts_atom(const struct http_request *rq, const char *const *params,
                      struct http_response *rs)
{
    const char *project = params[0];
    struct bg_buf *b = &rs->body;
    struct alerts a;
    char words[256];
    bool first;

    if (!alerts_load(rq, project, &a, rs)) {
        alerts_release(&a);
        return;
    }
    bg_buf_adds(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<title>benchgate alerts: ");
    html_text(b, project);
    bg_buf_adds(b, " (");
    html_text(b, a.branch);
    bg_buf_adds(b, ")</title>\n<id>");
    atom_id(b, project, &a, NULL);
    /* a feed's updated: its newest entry, else its newest run: a function of the store */
    bg_buf_adds(b, "</id>\n<updated>");
    atom_time(b, a.n > 0 ? a.list[0].timestamp : a.newest_ts);
    bg_buf_adds(b, "</updated>\n<author><name>benchgate</name></author>\n"
                "<generator version=\"" BG_VERSION "\">benchgate</generator>\n"
                "<link rel=\"self\" type=\"application/atom+xml\" href=\"");
    page_href_project(b, project);
    bg_buf_adds(b, "/alerts.atom");
    first = true;
    add_query(b, &first, &a);
    bg_buf_adds(b, "\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
    page_href_project(b, project);
    bg_buf_adds(b, "/alerts");
    first = true;
    add_query(b, &first, &a);
    bg_buf_adds(b, "\"/>\n");
    for (size_t i = 0; i < a.n && i < ALERTS_SHOWN; i++) {
        const struct alert *al = &a.list[i];
        struct page_filters f = { a.branch, NULL, al->metric };

        alert_words(al, words, sizeof(words));
        bg_buf_adds(b, "<entry>\n<title>");
        html_text(b, al->name);
        bg_buf_adds(b, ": ");
        html_text(b, words);
        bg_buf_addf(b, " (run %" PRId64 ")</title>\n<id>", al->run_id);
        atom_id(b, project, &a, al);
        bg_buf_adds(b, "</id>\n<updated>");
        atom_time(b, al->timestamp);
        bg_buf_adds(b, "</updated>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
        page_href_benchmark(b, project, al->name, &f);
        bg_buf_adds(b, "\"/>\n<link rel=\"related\" type=\"text/html\" href=\"");
        page_href_run(b, project, al->run_id);
        bg_buf_adds(b, "\"/>\n<summary type=\"text\">");
        html_text(b, al->name);
        if (strcmp(al->metric, "time") != 0) {
            bg_buf_adds(b, " (");
            html_text(b, al->metric);
            bg_buf_adds(b, ")");
        }
        bg_buf_adds(b, ": ");
        html_text(b, words);
        bg_buf_addf(b, " in run %" PRId64, al->run_id);
        if (al->commit[0] != '\0') {
            bg_buf_adds(b, " at commit ");
            html_text(b, al->commit);
        }
        bg_buf_adds(b, " on branch ");
        html_text(b, a.branch);
        bg_buf_adds(b, ".</summary>\n</entry>\n");
    }
    bg_buf_adds(b, "</feed>\n");
    rs->status = 200;
    alerts_release(&a);
}
