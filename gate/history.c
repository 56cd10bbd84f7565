/*
 * history.c: `benchgate history BENCHMARK`: one benchmark's stored p95 (and
 * median, n) run by run, oldest first, as a table or as JSON.
 */
#include "core/bg.h"
#include "core/cli.h"
#include "core/env.h"
#include "core/json.h"
#include "core/store.h"
#include "gate/history.h"
#include "gate/report.h"

#include <math.h>
#include <time.h>

struct history_opts {
    const char *db, *project, *metric, *branch, *name;
    int64_t limit;
    int output;
};

static const char *const outputs[] = { "text", "json", NULL };
enum { OUT_TEXT, OUT_JSON };

const struct bg_int_range history_limit = { 1, HISTORY_MAX };

static const struct bg_opt options[] = {
    BG_OPT_DB(struct history_opts, db),
    BG_OPT_PROJECT(struct history_opts, project),
    { "metric", 0, "NAME", BG_OPT_NAME, offsetof(struct history_opts, metric),
      .help = "metric (default time)" },
    BG_OPT_BRANCH(struct history_opts, branch, "only runs on this branch (default: every branch)"),
    { "limit", 0, "N", BG_OPT_INT, offsetof(struct history_opts, limit), .ints = &history_limit,
      .help = "the newest N runs" },
    { "output", 'o', "F", BG_OPT_CHOICE, offsetof(struct history_opts, output),
      .choices = outputs, .help = "output format" },
};

static const struct bg_command command = {
    "history", "[options] BENCHMARK",
    "Print a benchmark's p95 over the stored runs, oldest first.",
    options, ARRAY_SIZE(options),
    "Exit status: 0 printed, 2 bad usage or no such benchmark, 3 database error.\n",
};

static void date_of(int64_t ts, char *buf, size_t size)
{
    time_t t = (time_t)ts;
    struct tm tm;

    if (gmtime_r(&t, &tm) == NULL || strftime(buf, size, "%Y-%m-%d %H:%M", &tm) == 0)
        snprintf(buf, size, "?");
}

static void print_text(const struct history_opts *o, const struct store_point *pts, int n)
{
    char date[32], p95[48], median[48];

    printf("history of '%s' (metric %s) in project '%s'%s%s%s: %d run%s, oldest first\n\n",
           o->name, o->metric, o->project, o->branch != NULL ? ", branch '" : "",
           o->branch != NULL ? o->branch : "", o->branch != NULL ? "'" : "", n,
           n == 1 ? "" : "s");
    printf("%8s  %-16s  %-12s  %6s  %12s  %12s  %s\n", "run", "date (UTC)", "commit", "n", "p95",
           "median", "branch");
    for (int i = 0; i < n; i++) {
        const struct store_point *pt = &pts[i];

        date_of(pt->timestamp, date, sizeof(date));
        report_format_value(p95, sizeof(p95), pt->summary_only && isnan(pt->p95) ? pt->mean
                                                                                 : pt->p95,
                            pt->unit);
        report_format_value(median, sizeof(median), pt->median, pt->unit);
        printf("%8" PRId64 "  %-16s  %-12.12s  %6zu  %12s  %12s  %s%s\n", pt->run_id, date,
               pt->commit[0] != '\0' ? pt->commit : "-", pt->n, p95, median, pt->branch,
               pt->summary_only ? "  (summary only: mean)"
               : pt->pruned    ? "  (samples pruned: stored summary)"
                               : "");
    }
}

void history_write_json(struct bg_buf *b, const char *project, const char *name,
                        const char *metric, const struct store_point *pts, size_t n)
{
    bg_buf_adds(b, "{\"project\": ");
    bg_json_add_string(b, project);
    bg_buf_adds(b, ", \"name\": ");
    bg_json_add_string(b, name);
    bg_buf_adds(b, ", \"metric\": ");
    bg_json_add_string(b, metric);
    bg_buf_adds(b, ", \"unit\": ");
    bg_json_add_string(b, n > 0 ? pts[0].unit : "");
    bg_buf_adds(b, ",\n \"points\": [");
    for (size_t i = 0; i < n; i++) {
        const struct store_point *pt = &pts[i];

        bg_buf_addf(b, "%s\n  {\"run_id\": %" PRId64 ", \"timestamp\": %" PRId64 ", \"commit\": ",
                    i > 0 ? "," : "", pt->run_id, pt->timestamp);
        if (pt->commit[0] != '\0')
            bg_json_add_string(b, pt->commit);
        else
            bg_buf_adds(b, "null");
        bg_buf_adds(b, ", \"branch\": ");
        bg_json_add_string(b, pt->branch);
        bg_buf_addf(b, ", \"n\": %zu, \"p95\": ", pt->n);
        bg_json_add_number(b, pt->p95);
        bg_buf_adds(b, ", \"median\": ");
        bg_json_add_number(b, pt->median);
        bg_buf_adds(b, ", \"mean\": ");
        bg_json_add_number(b, pt->mean);
        bg_buf_adds(b, ", \"min\": ");
        bg_json_add_number(b, pt->min);
        bg_buf_adds(b, ", \"max\": ");
        bg_json_add_number(b, pt->max);
        bg_buf_addf(b, ", \"summary_only\": %s}", pt->summary_only ? "true" : "false");
    }
    bg_buf_adds(b, "\n]}\n");
}

static void print_json(const struct history_opts *o, const struct store_point *pts, int n)
{
    struct bg_buf b = BG_BUF_INIT;

    history_write_json(&b, o->project, o->name, o->metric, pts, (size_t)n);
    fwrite(b.data, 1, b.len, stdout);
    bg_buf_release(&b);
}

int cmd_history(int argc, char **argv)
{
    struct history_opts o = { .db = bg_default_db(), .metric = "time", .limit = 50 };
    struct bg_context ctx;
    struct store_point *pts = NULL;
    struct store *st = NULL;
    enum bg_parse p;
    const char *why;
    char **args;
    int rc, n;

    p = bg_cmd_parse(&command, argc, argv, &o, &args, &n);
    if (p != BG_PARSE_OK)
        return bg_parse_exit(p);
    if (n != 1)
        return bg_usage_error("history", "expected one BENCHMARK name");
    o.name = args[0];
    why = bg_name_problem(o.name);
    if (why != NULL)
        return bg_usage_error("history", "benchmark name %s", why);
    bg_context_detect(&ctx, o.project == NULL);
    if (o.project == NULL)
        o.project = ctx.project != NULL ? ctx.project : "default";
    rc = bg_store_open(o.db, false, &st);
    if (rc != 0)
        goto out;
    rc = BG_EXIT_STORE;
    n = store_history(st, o.project, o.name, o.metric, o.branch, NULL, (size_t)o.limit, &pts);
    if (n < 0)
        goto out;
    if (n == 0) {
        bg_error("no results for benchmark '%s' (metric %s) in project '%s'%s", o.name, o.metric,
                 o.project, o.branch != NULL ? " on that branch" : "");
        rc = BG_EXIT_USAGE;
        goto out;
    }
    if (o.output == OUT_JSON)
        print_json(&o, pts, n);
    else
        print_text(&o, pts, n);
    rc = BG_EXIT_PASS;
out:
    free(pts);
    rc = bg_store_close(st, rc);
    bg_context_release(&ctx);
    return bg_finish_output(rc);
}
