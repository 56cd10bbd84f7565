/*
 * check.c: `benchgate check`: choose the runs, compare, report, exit.
 *
 * The current run is the newest stored run of the branch being judged, or
 * the FILEs given, collected in memory and never stored (judge locally
 * exactly as CI will). The baseline comes from gate/baseline.c, and the
 * report says which one it is and why.
 */
#include "core/bg.h"
#include "core/cli.h"
#include "core/env.h"
#include "core/num.h"
#include "core/store.h"
#include "collector/collect.h"
#include "gate/baseline.h"
#include "gate/compare.h"
#include "gate/report.h"

static const char usage[] =
    "usage: benchgate check [options] [FILE...]\n"
    "\n"
    "Compare the newest run of a branch (or the FILEs given, collected in memory\n"
    "and not stored) with a baseline run, benchmark by benchmark, on the p95 of\n"
    "the samples (type-7 linear interpolation). Exit 1 when any benchmark\n"
    "regressed past the threshold.\n"
    "\n"
    "  --db PATH                database (default $BENCHGATE_DB, else ./benchgate.db)\n"
    "  --project NAME           project (default as for collect)\n"
    "  --branch NAME            branch to judge (default the CI branch, else git's,\n"
    "                           else the baseline branch)\n"
    "  --baseline-branch NAME   branch the baseline comes from\n"
    "                           (default $GITHUB_BASE_REF, else main)\n"
    "  --baseline REF           compare with run:ID or commit:SHA instead\n"
    "  --baseline-window N      pool the samples of the newest N baseline runs on\n"
    "                           this machine (default 1, at most 64)\n"
    "  --format NAME            with FILEs: read them as NAME (see collect --help)\n"
    "  -t, --threshold F        allowed p95 growth as a fraction (default 0.10 = 10%)\n"
    "  -h, --help               show this help\n"
    "\n"
    "The baseline is a pinned run (benchgate baseline set), else the newest run\n"
    "on the baseline branch from a machine with the same fingerprint, else the\n"
    "newest run there with a warning naming what differs. On the baseline branch\n"
    "itself, the run before the current one is used.\n"
    "\n"
    "Verdicts: regressed (fails the gate), improved, unchanged, new (no baseline\n"
    "result), missing (in the baseline only). Fewer than 5 samples on a side marks\n"
    "a verdict 'low confidence'.\n"
    "\n"
    "Exit status: 0 pass, 1 regression, 2 bad usage or nothing to check,\n"
    "3 database error.\n";

enum {
    OPT_DB = 256, OPT_PROJECT, OPT_BRANCH, OPT_BASELINE_BRANCH, OPT_BASELINE, OPT_WINDOW,
    OPT_FORMAT
};

static const struct option options[] = {
    { "db", required_argument, NULL, OPT_DB },
    { "project", required_argument, NULL, OPT_PROJECT },
    { "branch", required_argument, NULL, OPT_BRANCH },
    { "baseline-branch", required_argument, NULL, OPT_BASELINE_BRANCH },
    { "baseline", required_argument, NULL, OPT_BASELINE },
    { "baseline-window", required_argument, NULL, OPT_WINDOW },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "threshold", required_argument, NULL, 't' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

struct check_opts {
    const char *db, *project, *branch, *baseline_branch, *baseline, *format;
    int64_t window;
    struct gate_opts gate;
    char **files;
    int n_files;
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
        case OPT_BASELINE:
            o->baseline = optarg;
            break;
        case OPT_WINDOW:
            if (bg_parse_int64(optarg, 1, BASELINE_MAX_WINDOW, &o->window, &why) < 0)
                return bg_usage_error("check", "--baseline-window '%s': %s (1 to %d)", optarg,
                                      why, BASELINE_MAX_WINDOW);
            break;
        case OPT_FORMAT:
            o->format = optarg;
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
    o->files = argv + optind;
    o->n_files = argc - optind;
    if (o->format != NULL && o->n_files == 0)
        return bg_usage_error("check", "--format applies to FILEs, and none was given");
    return 0;
}

/* The run to judge: the FILEs collected in memory, or the newest stored run. */
static int current_run(struct store *st, const struct check_opts *o, struct bg_run *cur)
{
    struct collect_origin origin = { o->project, o->branch, NULL, 0 };
    int64_t id = 0;
    int found;

    if (o->n_files > 0)
        return collect_paths(o->files, o->n_files, o->format, false, cur) < 0
                   ? BG_EXIT_USAGE
                   : (collect_origin(cur, &origin), BG_EXIT_PASS);
    found = store_latest_run(st, o->project, o->branch, 0, &id);
    if (found == 0) {
        bg_error("no runs of project '%s' on branch '%s' in '%s': collect one first with "
                 "'benchgate collect', or give FILEs to judge", o->project, o->branch, o->db);
        return BG_EXIT_USAGE;
    }
    if (found < 0 || store_load_run(st, id, cur) != 1)
        return BG_EXIT_STORE;
    return BG_EXIT_PASS;
}

int cmd_check(int argc, char **argv)
{
    struct check_opts o = { .db = bg_default_db(), .window = 1,
                            .gate = { 0.10, GATE_MIN_SAMPLES } };
    struct bg_context ctx;
    struct bg_run cur;
    struct baseline base;
    struct baseline_request req;
    struct gate_report report;
    struct store *st = NULL;
    int rc;

    bg_run_init(&cur);
    memset(&base, 0, sizeof(base));
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

    if (store_open(o.db, false, &st) < 0) {
        rc = BG_EXIT_STORE;
        goto out;
    }
    rc = current_run(st, &o, &cur);
    if (rc != BG_EXIT_PASS)
        goto out;
    req = (struct baseline_request){ o.project, o.baseline_branch, o.baseline, (size_t)o.window,
                                     cur.id, cur.branch };
    rc = baseline_select(st, &cur, &req, &base);
    if (rc < 0) {
        rc = rc == STORE_REJECTED ? BG_EXIT_USAGE : BG_EXIT_STORE;
        goto out;
    }
    if (base.warning[0] != '\0')
        bg_warn("%s", base.warning);
    gate_compare(base.found ? &base.run : NULL, &cur, &o.gate, &report);
    report.baseline_why = base.why;
    report.baseline_warning = base.warning;
    report_text(stdout, &report);
    rc = gate_failed(&report) ? BG_EXIT_REGRESSION : BG_EXIT_PASS;
out:
    if (store_close(st) < 0 && rc == BG_EXIT_PASS)
        rc = BG_EXIT_STORE;
    gate_report_release(&report);
    baseline_release(&base);
    bg_run_release(&cur);
    bg_context_release(&ctx);
    return bg_finish_output(rc);
}
