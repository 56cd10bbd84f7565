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
#include "gate/config.h"
#include "gate/remote.h"
#include "gate/report.h"

#include <unistd.h>

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
    "  --min-samples N          samples each side needs for the significance test\n"
    "                           (default 5); with fewer, the threshold alone decides\n"
    "                           and the verdict says 'low confidence'\n"
    "  --alpha A                significance level, Holm-corrected over all tested\n"
    "                           benchmarks (default 0.05)\n"
    "  --resamples N            bootstrap resamples for the change's 95% interval\n"
    "                           (default 1000; 0 leaves it out)\n"
    "  --fail-on-inconclusive   a slowdown past the threshold that is not\n"
    "                           significant fails too (default: a warning)\n"
    "  --fail-on-missing        a benchmark missing from the current run fails\n"
    "  --config PATH            per-benchmark thresholds and ignores (default\n"
    "                           ./benchgate.json when it exists; see README)\n"
    "  -o, --output FORMAT      text (default), markdown, json or github\n"
    "  --report PATH            also write the Markdown report to PATH (a pull\n"
    "                           request comment: its first line is a fixed marker\n"
    "                           a later run can find to update the comment)\n"
    "  --server URL             take the runs from a benchgate server instead of a\n"
    "                           database (default $BENCHGATE_SERVER); without FILEs\n"
    "                           the current run is the branch's newest there\n"
    "  --token TOKEN            a token of the project, needed when the server is\n"
    "                           private (default $BENCHGATE_TOKEN)\n"
    "  -h, --help               show this help\n"
    "\n"
    "The baseline is a pinned run (benchgate baseline set), else the newest run\n"
    "on the baseline branch from a machine with the same fingerprint, else the\n"
    "newest run there with a warning naming what differs. On the baseline branch\n"
    "itself, the run before the current one is used.\n"
    "\n"
    "Verdicts: regressed (fails the gate), improved, unchanged, inconclusive\n"
    "(past the threshold, not significant), new (no baseline result), missing (in\n"
    "the baseline only), ignored (by the config). When GITHUB_STEP_SUMMARY or\n"
    "GITHUB_OUTPUT are set, the Markdown report and the outputs regressions=N and\n"
    "verdict=pass|fail are appended to them.\n"
    "\n"
    "Exit status: 0 pass, 1 regression, 2 bad usage or nothing to check,\n"
    "3 database or server error.\n";

enum {
    OPT_DB = 256, OPT_PROJECT, OPT_BRANCH, OPT_BASELINE_BRANCH, OPT_BASELINE, OPT_WINDOW,
    OPT_FORMAT, OPT_MIN_SAMPLES, OPT_ALPHA, OPT_RESAMPLES, OPT_FAIL_INCONCLUSIVE,
    OPT_FAIL_MISSING, OPT_CONFIG, OPT_SERVER, OPT_TOKEN, OPT_REPORT
};

enum output { OUT_TEXT, OUT_MARKDOWN, OUT_JSON, OUT_GITHUB };

static const struct option options[] = {
    { "db", required_argument, NULL, OPT_DB },
    { "project", required_argument, NULL, OPT_PROJECT },
    { "branch", required_argument, NULL, OPT_BRANCH },
    { "baseline-branch", required_argument, NULL, OPT_BASELINE_BRANCH },
    { "baseline", required_argument, NULL, OPT_BASELINE },
    { "baseline-window", required_argument, NULL, OPT_WINDOW },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "min-samples", required_argument, NULL, OPT_MIN_SAMPLES },
    { "alpha", required_argument, NULL, OPT_ALPHA },
    { "resamples", required_argument, NULL, OPT_RESAMPLES },
    { "fail-on-inconclusive", no_argument, NULL, OPT_FAIL_INCONCLUSIVE },
    { "fail-on-missing", no_argument, NULL, OPT_FAIL_MISSING },
    { "config", required_argument, NULL, OPT_CONFIG },
    { "server", required_argument, NULL, OPT_SERVER },
    { "token", required_argument, NULL, OPT_TOKEN },
    { "report", required_argument, NULL, OPT_REPORT },
    { "output", required_argument, NULL, 'o' },
    { "threshold", required_argument, NULL, 't' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

struct check_opts {
    const char *db, *project, *branch, *baseline_branch, *baseline, *format, *config;
    const char *server, *token, *report;
    int64_t window;
    enum output output;
    struct gate_opts gate;
    char **files;
    int n_files;
};

static int parse_args(int argc, char **argv, struct check_opts *o)
{
    const char *why;
    int c;

    bg_getopt_reset();
    while ((c = getopt_long(argc, argv, "t:o:h", options, NULL)) != -1) {
        int64_t n;

        switch (c) {
        case OPT_DB:
            o->db = optarg;
            break;
        case OPT_PROJECT:
            if (bg_name_flag("check", "--project", optarg, &o->project) != 0)
                return BG_EXIT_USAGE;
            break;
        case OPT_BRANCH:
            if (bg_name_flag("check", "--branch", optarg, &o->branch) != 0)
                return BG_EXIT_USAGE;
            break;
        case OPT_BASELINE_BRANCH:
            if (bg_name_flag("check", "--baseline-branch", optarg, &o->baseline_branch) != 0)
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
        case OPT_MIN_SAMPLES:
            if (bg_parse_int64(optarg, 1, 1000000, &n, &why) < 0)
                return bg_usage_error("check", "--min-samples '%s': %s", optarg, why);
            o->gate.min_samples = (size_t)n;
            break;
        case OPT_ALPHA:
            if (bg_parse_double(optarg, 1e-12, 1.0, &o->gate.alpha, &why) < 0)
                return bg_usage_error("check", "--alpha '%s': %s (0 < alpha <= 1)", optarg, why);
            break;
        case OPT_RESAMPLES:
            if (bg_parse_int64(optarg, 0, 100000, &n, &why) < 0)
                return bg_usage_error("check", "--resamples '%s': %s (0 to 100000)", optarg,
                                      why);
            o->gate.resamples = (unsigned)n;
            break;
        case OPT_FAIL_INCONCLUSIVE:
            o->gate.fail_on_inconclusive = true;
            break;
        case OPT_FAIL_MISSING:
            o->gate.fail_on_missing = true;
            break;
        case OPT_CONFIG:
            o->config = optarg;
            break;
        case OPT_SERVER:
            o->server = optarg;
            break;
        case OPT_TOKEN:
            o->token = optarg;
            break;
        case OPT_REPORT:
            o->report = optarg;
            break;
        case 'o':
            if (strcmp(optarg, "text") == 0)
                o->output = OUT_TEXT;
            else if (strcmp(optarg, "markdown") == 0)
                o->output = OUT_MARKDOWN;
            else if (strcmp(optarg, "json") == 0)
                o->output = OUT_JSON;
            else if (strcmp(optarg, "github") == 0)
                o->output = OUT_GITHUB;
            else
                return bg_usage_error("check", "--output '%s': expected text, markdown, json "
                                      "or github", optarg);
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

/* The run to judge: the FILEs collected in memory, or the newest stored run
 * (in the database, or on the server when srv names one). */
static int current_run(struct store *st, const struct bg_server *srv, const struct check_opts *o,
                       struct bg_run *cur)
{
    struct collect_origin origin = { o->project, o->branch, NULL, 0, false };
    int64_t id = 0;
    int found;

    if (o->n_files > 0)
        return collect_paths(o->files, o->n_files, o->format, false, cur) < 0
                   ? BG_EXIT_USAGE
                   : (collect_origin(cur, &origin), BG_EXIT_PASS);
    if (srv->url != NULL)
        return remote_latest_run(srv, o->project, o->branch, cur);
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
    struct check_opts o = { .db = bg_default_db(), .window = 1, .gate = GATE_OPTS_DEFAULT };
    struct gate_config config;
    struct bg_diag d = { "" };
    struct bg_context ctx;
    struct bg_run cur;
    struct baseline base;
    struct baseline_request req;
    struct gate_report report;
    struct bg_server srv;
    struct store *st = NULL;
    FILE *md = NULL;
    int rc;

    bg_run_init(&cur);
    memset(&base, 0, sizeof(base));
    memset(&report, 0, sizeof(report));
    memset(&ctx, 0, sizeof(ctx));
    memset(&config, 0, sizeof(config));
    rc = parse_args(argc, argv, &o);
    if (rc != 0)
        return bg_finish_output(rc < 0 ? BG_EXIT_PASS : rc);
    if (gate_config_load(o.config, &config, &d) < 0) {
        bg_error("%s", d.msg);
        return bg_finish_output(BG_EXIT_USAGE);
    }
    o.gate.config = &config;
    /* opened first: a report that cannot be written is known before any work */
    if (o.report != NULL && (md = fopen(o.report, "w")) == NULL) {
        bg_error("--report '%s': %s", o.report, strerror(errno));
        rc = BG_EXIT_USAGE;
        goto out;
    }

    bg_context_detect(&ctx, o.project == NULL || o.branch == NULL);
    if (o.project == NULL)
        o.project = ctx.project != NULL ? ctx.project : "default";
    if (o.baseline_branch == NULL)
        o.baseline_branch = ctx.base_branch != NULL ? ctx.base_branch : "main";
    if (o.branch == NULL)
        o.branch = ctx.branch != NULL ? ctx.branch : o.baseline_branch;

    if (bg_server_resolve(&srv, o.server, o.token) < 0) {
        rc = BG_EXIT_USAGE;
        goto out;
    }
    if (srv.url == NULL && store_open(o.db, false, &st) < 0) {
        rc = BG_EXIT_STORE;
        goto out;
    }
    rc = current_run(st, &srv, &o, &cur);
    if (rc != BG_EXIT_PASS)
        goto out;
    req = (struct baseline_request){ o.project, o.baseline_branch, o.baseline, (size_t)o.window,
                                     cur.id, cur.branch };
    if (srv.url != NULL) {
        rc = remote_baseline(&srv, &cur, &req, &base);
        if (rc != BG_EXIT_PASS)
            goto out;
    } else {
        rc = baseline_select(st, &cur, &req, &base);
        if (rc < 0) {
            rc = rc == STORE_REJECTED ? BG_EXIT_USAGE : BG_EXIT_STORE;
            goto out;
        }
    }
    if (base.warning[0] != '\0')
        bg_warn("%s", base.warning);
    gate_compare(base.found ? &base.run : NULL, &cur, &o.gate, &report);
    report.baseline_why = base.why;
    report.baseline_warning = base.warning;
    switch (o.output) {
    case OUT_TEXT:
        report_text(stdout, &report, isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL);
        break;
    case OUT_MARKDOWN:
        report_markdown(stdout, &report);
        break;
    case OUT_JSON:
        report_json(stdout, &report);
        break;
    case OUT_GITHUB:
        report_github(stdout, &report);
        break;
    }
    report_github_files(&report);
    rc = gate_failed(&report) ? BG_EXIT_REGRESSION : BG_EXIT_PASS;
    if (md != NULL) {
        report_markdown(md, &report);
        if (ferror(md) | (fclose(md) != 0)) {
            bg_error("--report '%s': cannot write: %s", o.report, strerror(errno));
            rc = BG_EXIT_STORE;
        }
        md = NULL;
    }
out:
    if (md != NULL) /* no verdict: an empty report says nothing false */
        fclose(md);
    if (store_close(st) < 0 && rc == BG_EXIT_PASS)
        rc = BG_EXIT_STORE;
    gate_report_release(&report);
    baseline_release(&base);
    bg_run_release(&cur);
    bg_context_release(&ctx);
    gate_config_release(&config);
    return bg_finish_output(rc);
}
