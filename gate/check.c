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
#include "core/store.h"
#include "collector/collect.h"
#include "gate/baseline.h"
#include "gate/compare.h"
#include "gate/config.h"
#include "gate/params.h"
#include "gate/remote.h"
#include "gate/report.h"

#include <unistd.h>

enum output { OUT_TEXT, OUT_MARKDOWN, OUT_JSON, OUT_GITHUB };
static const char *const outputs[] = { "text", "markdown", "json", "github", NULL };

struct check_opts {
    const char *db, *project, *branch, *baseline_branch, *baseline, *format, *config;
    const char *server, *token, *report;
    int64_t window;
    int output; /* enum output */
    struct gate_opts gate;
    char **files;
    int n_files;
};

#define OPT(field) offsetof(struct check_opts, field)

static const struct bg_opt options[] = {
    BG_OPT_DB(struct check_opts, db),
    BG_OPT_PROJECT(struct check_opts, project),
    BG_OPT_BRANCH(struct check_opts, branch,
                  "branch to judge (default the CI branch, else git's, else the baseline branch)"),
    { "baseline-branch", 0, "NAME", BG_OPT_NAME, OPT(baseline_branch),
      .help = "branch the baseline comes from (default $GITHUB_BASE_REF, else main)" },
    { "baseline", 0, "REF", BG_OPT_TEXT, OPT(baseline),
      .help = "compare with run:ID or commit:SHA (the newest run at that commit) instead" },
    { "baseline-window", 0, "N", BG_OPT_INT, OPT(window), .ints = &gate_window_range,
      .help = "pool the samples of the newest N baseline runs on this machine" },
    { "format", 0, "NAME", BG_OPT_TEXT, OPT(format),
      .help = "with FILEs: read them as NAME (see collect --help)" },
    { "threshold", 't', "F", BG_OPT_REAL, OPT(gate.threshold), .reals = &gate_threshold_range,
      .help = "allowed p95 growth as a fraction, 0.10 being 10%" },
    { "min-samples", 0, "N", BG_OPT_SIZE, OPT(gate.min_samples),
      .ints = &gate_min_samples_range,
      .help = "samples each side needs for the significance test; with fewer, the threshold "
              "alone decides and the verdict says 'low confidence'" },
    { "alpha", 0, "A", BG_OPT_REAL, OPT(gate.alpha), .reals = &gate_alpha_range,
      .help = "significance level, Holm-corrected over all tested benchmarks" },
    { "resamples", 0, "N", BG_OPT_UINT, OPT(gate.resamples), .ints = &gate_resamples_range,
      .help = "bootstrap resamples for the change's 95% interval; 0 leaves it out" },
    { "fail-on-inconclusive", 0, NULL, BG_OPT_FLAG, OPT(gate.fail_on_inconclusive),
      .help = "a slowdown past the threshold that is not significant fails too (by default "
              "it is a warning)" },
    { "fail-on-missing", 0, NULL, BG_OPT_FLAG, OPT(gate.fail_on_missing),
      .help = "a benchmark missing from the current run fails" },
    { "config", 0, "PATH", BG_OPT_TEXT, OPT(config),
      .help = "per-benchmark thresholds and ignores (default ./benchgate.json when it exists; "
              "see the README)" },
    { "output", 'o', "F", BG_OPT_CHOICE, OPT(output), .choices = outputs,
      .help = "report format" },
    { "report", 0, "PATH", BG_OPT_TEXT, OPT(report),
      .help = "also write the Markdown report to PATH (for a pull request comment: its first "
              "line is a fixed marker a later run can find to update the comment)" },
    BG_OPT_SERVER(struct check_opts, server),
    BG_OPT_TOKEN(struct check_opts, token),
};

static const struct bg_command command = {
    "check", "[options] [FILE...]",
    "Compare the newest run of a branch (or the FILEs given, collected in memory\n"
    "and not stored) with a baseline run, benchmark by benchmark, on the p95 of\n"
    "the samples (type-7 linear interpolation). Exit 1 when any benchmark\n"
    "regressed past the threshold. With --server, the runs come from a benchgate\n"
    "server: without FILEs the current run is the branch's newest there.",
    options, ARRAY_SIZE(options),
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
    "3 database or server error.\n",
};

/* The run to judge: the FILEs collected in memory, or the newest stored run
 * (in the database, or on the server when srv names one). 0, or -1 with d;
 * the files' own errors are printed as they are read. */
static int current_run(struct store *st, const struct bg_server *srv, const struct check_opts *o,
                       struct bg_run *cur, struct bg_diag *d)
{
    struct collect_origin origin = { o->project, o->branch, NULL, 0, false };
    int64_t id = 0;
    int found;

    if (o->n_files > 0) {
        if (collect_paths(o->files, o->n_files, o->format, false, cur) < 0)
            return bg_fail(d, "%s", ""); /* said already, file by file */
        collect_origin(cur, &origin);
        return 0;
    }
    if (srv->url != NULL)
        return remote_latest_run(srv, o->project, o->branch, cur, d);
    found = store_latest_run(st, o->project, o->branch, 0, &id);
    if (found == 0)
        return bg_fail_as(d, BG_FAULT_MISSING, "no runs of project '%s' on branch '%s' in '%s': "
                          "collect one first with 'benchgate collect', or give FILEs to judge",
                          o->project, o->branch, o->db);
    if (found < 0 || store_load_run(st, id, cur) != 1)
        return store_take_error(st, d);
    return 0;
}

int cmd_check(int argc, char **argv)
{
    struct check_opts o = { .db = bg_default_db(), .window = 1, .gate = GATE_OPTS_DEFAULT };
    struct gate_config config;
    struct bg_diag d = { 0 };
    struct bg_context ctx;
    struct bg_run cur;
    struct baseline base;
    struct baseline_request req;
    struct gate_report report;
    struct bg_server srv;
    struct store *st = NULL;
    FILE *md = NULL;
    enum bg_parse p;
    int rc;

    bg_run_init(&cur);
    memset(&base, 0, sizeof(base));
    memset(&report, 0, sizeof(report));
    memset(&ctx, 0, sizeof(ctx));
    memset(&config, 0, sizeof(config));
    p = bg_cmd_parse(&command, argc, argv, &o, &o.files, &o.n_files);
    if (p != BG_PARSE_OK)
        return bg_parse_exit(p);
    if (o.format != NULL && o.n_files == 0)
        return bg_usage_error("check", "--format applies to FILEs, and none was given");
    if (gate_config_load(o.config, &config, &d) < 0)
        return bg_finish_output(bg_cmd_fail(&d));
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

    if (bg_server_resolve(&srv, o.server, o.token, &d) < 0) {
        rc = bg_cmd_fail(&d);
        goto out;
    }
    if (srv.url == NULL && (rc = bg_store_open(o.db, false, &st)) != 0)
        goto out;
    if (current_run(st, &srv, &o, &cur, &d) < 0) {
        rc = bg_cmd_fail(&d);
        goto out;
    }
    req = (struct baseline_request){ o.project, o.baseline_branch, o.baseline, (size_t)o.window,
                                     cur.id, cur.branch };
    if ((srv.url != NULL ? remote_baseline(&srv, &cur, &req, &base, &d)
                         : baseline_select(st, &cur, &req, &base, &d)) < 0) {
        rc = bg_cmd_fail(&d);
        goto out;
    }
    if (base.warning[0] != '\0')
        bg_warn("%s", base.warning);
    gate_compare(base.found ? &base.run : NULL, &cur, &o.gate, &report);
    report.baseline_why = base.why;
    report.baseline_warning = base.warning;
    switch ((enum output)o.output) {
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
    rc = bg_store_close(st, rc);
    gate_report_release(&report);
    baseline_release(&base);
    bg_run_release(&cur);
    bg_context_release(&ctx);
    gate_config_release(&config);
    return bg_finish_output(rc);
}
