/*
 * check.c: `benchgate check`: choose the runs, compare, report, exit.
 *
 * The current run is the newest of the branch being judged; the baseline is
 * the newest of the baseline branch (or, when both branches are the same,
 * the run before the current one). The report says which and why.
 */
#include "core/bg.h"
#include "core/cli.h"
#include "core/env.h"
#include "core/num.h"
#include "core/store.h"
#include "gate/compare.h"
#include "gate/report.h"

static const char usage[] =
    "usage: benchgate check [options]\n"
    "\n"
    "Compare the newest run of a branch with the newest run of the baseline\n"
    "branch, benchmark by benchmark, on the p95 of the samples (type-7 linear\n"
    "interpolation). Exit 1 when any benchmark regressed past the threshold.\n"
    "\n"
    "  --db PATH                database (default $BENCHGATE_DB, else ./benchgate.db)\n"
    "  --project NAME           project (default as for collect)\n"
    "  --branch NAME            branch to judge (default the CI branch, else git's,\n"
    "                           else the baseline branch)\n"
    "  --baseline-branch NAME   branch whose newest run is the baseline\n"
    "                           (default $GITHUB_BASE_REF, else main); when it is the\n"
    "                           judged branch, the run before the newest is used\n"
    "  -t, --threshold F        allowed p95 growth as a fraction (default 0.10 = 10%)\n"
    "  -h, --help               show this help\n"
    "\n"
    "Verdicts: regressed (fails the gate), improved, unchanged, new (no baseline\n"
    "result), missing (in the baseline only). Fewer than 5 samples on a side marks\n"
    "a verdict 'low confidence'.\n"
    "\n"
    "Exit status: 0 pass, 1 regression, 2 bad usage or nothing to check,\n"
    "3 database error.\n";

enum { OPT_DB = 256, OPT_PROJECT, OPT_BRANCH, OPT_BASELINE_BRANCH };

static const struct option options[] = {
    { "db", required_argument, NULL, OPT_DB },
    { "project", required_argument, NULL, OPT_PROJECT },
    { "branch", required_argument, NULL, OPT_BRANCH },
    { "baseline-branch", required_argument, NULL, OPT_BASELINE_BRANCH },
    { "threshold", required_argument, NULL, 't' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

struct check_opts {
    const char *db, *project, *branch, *baseline_branch;
    struct gate_opts gate;
};

static int name_flag(const char *flag, const char *value, const char **out)
{
    const char *why = bg_name_problem(value);

    if (why != NULL)
        return bg_usage_error("check", "%s '%.80s' %s", flag, value, why);
    *out = value;
    return 0;
}

static int parse_args(int argc, char **argv, struct check_opts *o)
{
    const char *why;
    int c;

    bg_getopt_reset();
    while ((c = getopt_long(argc, argv, "t:h", options, NULL)) != -1) {
        switch (c) {
        case OPT_DB:
            o->db = optarg;
            break;
        case OPT_PROJECT:
            if (name_flag("--project", optarg, &o->project) != 0)
                return BG_EXIT_USAGE;
            break;
        case OPT_BRANCH:
            if (name_flag("--branch", optarg, &o->branch) != 0)
                return BG_EXIT_USAGE;
            break;
        case OPT_BASELINE_BRANCH:
            if (name_flag("--baseline-branch", optarg, &o->baseline_branch) != 0)
                return BG_EXIT_USAGE;
            break;
        case 't':
            if (bg_parse_double(optarg, 0.0, 100.0, &o->gate.threshold, &why) < 0)
                return bg_usage_error("check", "--threshold '%s': %s (a fraction from 0 to 100, "
                                      "0.10 = 10%%)", optarg, why);
            break;
        case 'h':
            fputs(usage, stdout);
            return -1;
        default:
            return bg_usage_error("check", "unknown or incomplete option '%s'",
                                  argv[optind - 1]);
        }
    }
    if (optind < argc)
        return bg_usage_error("check", "unexpected argument '%s'", argv[optind]);
    return 0;
}

int cmd_check(int argc, char **argv)
{
    struct check_opts o = { .db = bg_default_db(), .gate = { 0.10, GATE_MIN_SAMPLES } };
    struct bg_context ctx;
    struct bg_run cur, base;
    struct gate_report report;
    struct store *st = NULL;
    char why[BG_NAME_MAX * 2 + 128];
    int64_t cur_id = 0, base_id = 0;
    int rc, found;

    bg_run_init(&cur);
    bg_run_init(&base);
    memset(&report, 0, sizeof(report));
    memset(&ctx, 0, sizeof(ctx));
    rc = parse_args(argc, argv, &o);
    if (rc != 0)
        return bg_finish_output(rc < 0 ? BG_EXIT_PASS : rc);

    bg_context_detect(&ctx, o.project == NULL || o.branch == NULL);
    if (o.project == NULL)
        o.project = ctx.project != NULL ? ctx.project : "default";
    if (o.baseline_branch == NULL)
        o.baseline_branch = ctx.base_branch != NULL ? ctx.base_branch : "main";
    if (o.branch == NULL)
        o.branch = ctx.branch != NULL ? ctx.branch : o.baseline_branch;

    rc = BG_EXIT_STORE;
    if (store_open(o.db, false, &st) < 0)
        goto out;
    found = store_latest_run(st, o.project, o.branch, 0, &cur_id);
    if (found < 0)
        goto out;
    if (found == 0) {
        rc = BG_EXIT_USAGE;
        bg_error("no runs of project '%s' on branch '%s' in '%s': collect one first with "
                 "'benchgate collect'", o.project, o.branch, o.db);
        goto out;
    }
    found = store_latest_run(st, o.project, o.baseline_branch,
                             strcmp(o.branch, o.baseline_branch) == 0 ? cur_id : 0, &base_id);
    if (found < 0 || store_load_run(st, cur_id, &cur) < 0)
        goto out;
    if (found == 1 && store_load_run(st, base_id, &base) < 0)
        goto out;

    if (found == 0)
        snprintf(why, sizeof(why), "none: no earlier run on branch '%s'", o.baseline_branch);
    else if (strcmp(o.branch, o.baseline_branch) == 0)
        snprintf(why, sizeof(why), "the run before the newest on branch '%s'", o.baseline_branch);
    else
        snprintf(why, sizeof(why), "the newest run on branch '%s'", o.baseline_branch);
    gate_compare(found == 1 ? &base : NULL, &cur, &o.gate, &report);
    report.baseline_why = why;
    report_text(stdout, &report);
    rc = gate_failed(&report) ? BG_EXIT_REGRESSION : BG_EXIT_PASS;
out:
    if (store_close(st) < 0 && rc == BG_EXIT_PASS)
        rc = BG_EXIT_STORE;
    gate_report_release(&report);
    bg_run_release(&cur);
    bg_run_release(&base);
    bg_context_release(&ctx);
    return bg_finish_output(rc);
}
