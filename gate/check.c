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




struct check_opts {
    const char *db, *project, *branch, *baseline_branch, *baseline, *format, *config;
    const char *server, *token, *report, *fork_point, *dashboard_url;
    int64_t window;
    bool require_baseline;
    int output; /* enum report_format */
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
      .help = "branch the baseline comes from (default $GITHUB_BASE_REF or GitLab's target "
              "branch, else the run's own, else the project's main: main, master, else the "
              "branch with the most runs)" },
    { "baseline", 0, "REF", BG_OPT_TEXT, OPT(baseline),
      .help = "end the baseline history at run:ID or commit:SHA (the newest run at that "
              "commit) instead of the fork point" },
    { "baseline-window", 0, "N", BG_OPT_INT, OPT(window), .ints = &gate_window_range,
      .help = "runs of history the baseline holds: the newest N on this machine at or "
              "before the fork point" },
    { "fork-point", 0, "SHA", BG_OPT_TEXT, OPT(fork_point),
      .help = "the commit this branch is judged against (default the pull request's base, "
              "else git merge-base with the baseline branch)" },
    { "require-baseline", 0, NULL, BG_OPT_FLAG, OPT(require_baseline),
      .help = "no baseline is an error (exit 2) instead of a pass with every benchmark new" },
    { "prior-spread", 0, "F", BG_OPT_REAL, OPT(gate.prior_spread), .reals = &gate_prior_range,
      .help = "the run-to-run spread (sd of the log p95) assumed where fewer than 3 baseline "
              "runs cannot measure it" },
    { "format", 0, "NAME", BG_OPT_TEXT, OPT(format),
      .help = "with FILEs: read them as NAME (see collect --help)" },
    { "threshold", 't', "F", BG_OPT_REAL, OPT(gate.threshold), .reals = &gate_threshold_range,
      .help = "allowed p95 growth as a fraction, 0.10 being 10%" },
    { "min-samples", 0, "N", BG_OPT_SIZE, OPT(gate.min_samples),
      .ints = &gate_min_samples_range,
      .help = "with fewer samples on a side, a verdict says 'low confidence'" },
    { "alpha", 0, "A", BG_OPT_REAL, OPT(gate.alpha), .reals = &gate_alpha_range,
      .help = "the false-failure rate allowed per check: Holm over the benchmarks tested, and "
              "the same again for a suite-wide shift" },
    { "resamples", 0, "N", BG_OPT_UINT, OPT(gate.resamples), .ints = &gate_resamples_range,
      .help = "bootstrap resamples for a within-run interval against the newest baseline run "
              "(JSON ci95_bootstrap); 0 leaves it out" },
    { "fail-on-inconclusive", 0, NULL, BG_OPT_FLAG, OPT(gate.fail_on_inconclusive),
      .help = "a slowdown past the threshold that is not significant fails too (by default "
              "it is a warning)" },
    { "fail-on-missing", 0, NULL, BG_OPT_FLAG, OPT(gate.fail_on_missing),
      .help = "a benchmark missing from the current run fails" },
    { "config", 0, "PATH", BG_OPT_TEXT, OPT(config),
      .help = "per-benchmark thresholds and ignores (default ./benchgate.json when it exists; "
              "see the README)" },
    { "output", 'o', "F", BG_OPT_CHOICE, OPT(output), .choices = report_formats,
      .help = "report format" },
    { "report", 0, "PATH", BG_OPT_TEXT, OPT(report),
      .help = "also write the Markdown report to PATH, cut to a pull request comment's 65,536 "
              "characters (for 'benchgate comment': its first line is a fixed marker a later "
              "run finds to update the comment)" },
    { "dashboard-url", 0, "URL", BG_OPT_TEXT, OPT(dashboard_url),
      .help = "where 'benchgate publish' output is served (GitHub Pages): the reports link "
              "each benchmark to its page there (default $BENCHGATE_DASHBOARD_URL; with "
              "--server, the server's pages)" },
    BG_OPT_SERVER(struct check_opts, server),
    BG_OPT_TOKEN(struct check_opts, token),
};

static const struct bg_command command = {
    "check", "[options] [FILE...]",
    "Compare the newest run of a branch (or the FILEs given, collected in memory\n"
    "and not stored) with a baseline history, benchmark by benchmark, on the p95\n"
    "of the samples (type-7 linear interpolation). Exit 1 when a benchmark\n"
    "regressed past the threshold beyond its run-to-run noise, or the whole suite\n"
    "did. With --server, the runs come from a benchgate server: without FILEs\n"
    "the current run is the branch's newest there.",
    options, ARRAY_SIZE(options),
    "The baseline is a history: the newest runs (--baseline-window, default 10) of\n"
    "the baseline branch on this machine, at or before the fork point (the pull\n"
    "request's base, git's merge-base, a pin made with 'benchgate baseline set',\n"
    "or --baseline), never at the current commit. The report says which runs.\n"
    "Each benchmark is judged against its own run-to-run spread in that history,\n"
    "after removing what moved the whole run (a faster or slower machine); see\n"
    "'How the gate decides' in the README.\n"
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

/* Commits of the fork point's history searched for one with a baseline run. */

/*
 * The commit a branch is judged against: --fork-point, else what CI or git
 * said (the pull request's base, git merge-base), else what the stored run
 * recorded when it was collected. On the baseline branch itself there is
 * none: the runs before this one are its baseline.
 */
static void fork_point_of(const struct check_opts *o, const struct bg_context *ctx,
                          const struct bg_run *cur, char fork[65], struct baseline_request *req)
{
    if (o->fork_point != NULL) {
        req->fork_point = fork;
        req->fork_source = "--fork-point";
    } else if (ctx->fork_point != NULL && (o->branch == NULL || ctx->branch == NULL ||
                                           strcmp(o->branch, ctx->branch) == 0)) {
        /* CI's and git's word is about the checkout, so only for its own branch */
        req->fork_point = ctx->fork_point;
        req->fork_source = ctx->fork_source;
        req->fork_time = ctx->fork_time;
    }
    (void)cur; /* else baseline_select reads cur's "fork_point" metadata */
}

/* The baseline branch when nothing names one: the project's main branch. */
static int resolve_baseline_branch(struct store *st, const struct bg_server *srv,
                                   const struct check_opts *o, char *out, size_t size,
                                   struct bg_diag *d)
{
    if (srv->url != NULL) {
        snprintf(out, size, "main"); /* the server decides the baseline's branch itself */
        return 0;
    }
    return baseline_default_branch(st, o->project, out, size, d);
}

int cmd_check(int argc, char **argv)
{
    struct check_opts o = { .db = bg_default_db(), .window = BASELINE_WINDOW,
                            .gate = GATE_OPTS_DEFAULT };
    char fork[65] = "", fallback[BG_NAME_MAX + 1] = "main";
    char *merge_base = NULL;
    struct gate_config config;
    struct bg_diag d = { 0 };
    struct bg_context ctx;
    struct bg_run cur;
    const struct bg_run *curp = &cur;
    struct baseline base;
    struct baseline_request req;
    struct gate_report report;
    struct bg_server srv;
    struct report_md_opts mdo = { NULL, false, REPORT_MD_COMMENT_LIMIT };
    struct store *st = NULL;
    FILE *md = NULL;
    enum bg_parse p;
    int rc;

    bg_run_init(&cur);
    memset(&req, 0, sizeof(req));
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
    if (o.report != NULL && (md = report_open(o.report, &d)) == NULL) {
        rc = bg_cmd_fail(&d);
        goto out;
    }

    if (o.fork_point != NULL) {
        snprintf(fork, sizeof(fork), "%.64s", o.fork_point);
        if (strlen(o.fork_point) > 64 || !bg_commit_ok(fork)) {
            rc = bg_usage_error("check", "--fork-point '%.80s': expected a commit SHA of 4 to "
                                "64 hex digits", o.fork_point);
            goto out;
        }
    }
    bg_context_detect(&ctx, true);
    if (o.project == NULL)
        o.project = ctx.project != NULL ? ctx.project : "default";
    if (o.baseline_branch == NULL)
        o.baseline_branch = ctx.base_branch;

    if (bg_server_resolve(&srv, o.server, o.token, &d) < 0) {
        rc = bg_cmd_fail(&d);
        goto out;
    }
    if (o.dashboard_url == NULL && getenv("BENCHGATE_DASHBOARD_URL") != NULL &&
        getenv("BENCHGATE_DASHBOARD_URL")[0] != '\0')
        o.dashboard_url = getenv("BENCHGATE_DASHBOARD_URL");
    if (o.dashboard_url != NULL && strncmp(o.dashboard_url, "https://", 8) != 0 &&
        strncmp(o.dashboard_url, "http://", 7) != 0) {
        rc = bg_usage_error("check", "--dashboard-url '%.200s': expected an http:// or "
                            "https:// URL", o.dashboard_url);
        goto out;
    }
    mdo.link_base = o.dashboard_url != NULL ? o.dashboard_url : srv.url;
    mdo.link_static = o.dashboard_url != NULL;
    if (srv.url == NULL && (rc = bg_store_open(o.db, false, &st)) != 0)
        goto out;
    if (o.branch == NULL && ctx.branch == NULL &&
        resolve_baseline_branch(st, &srv, &o, fallback, sizeof(fallback), &d) < 0) {
        rc = bg_cmd_fail(&d);
        goto out;
    }
    if (o.branch == NULL)
        o.branch = ctx.branch != NULL ? ctx.branch : o.baseline_branch != NULL
                                                         ? o.baseline_branch : fallback;
    if (current_run(st, &srv, &o, &cur, &d) < 0) {
        rc = bg_cmd_fail(&d);
        goto out;
    }
    req = (struct baseline_request){ o.project, o.baseline_branch, o.baseline,
                                     (size_t)o.window, NULL, NULL, 0 };
    fork_point_of(&o, &ctx, &cur, fork, &req);
    if (req.fork_point == NULL && srv.url == NULL && ctx.branch != NULL &&
        strcmp(o.branch, ctx.branch) == 0 && bg_run_meta(&cur, "fork_point") == NULL) {
        /* judging the checkout with no CI to say: ask git, against the branch the
         * baseline will come from */
        const char *bb = o.baseline_branch != NULL ? o.baseline_branch
                         : bg_run_meta(&cur, "base_branch") != NULL
                             ? bg_run_meta(&cur, "base_branch")
                             : (baseline_default_branch(st, o.project, fallback,
                                                        sizeof(fallback), &d) == 0
                                    ? fallback : NULL);

        if (bb != NULL && strcmp(bb, o.branch) != 0 &&
            (merge_base = bg_git_merge_base(bb)) != NULL) {
            req.fork_point = merge_base;
            req.fork_source = "git merge-base";
        }
    }
    if (req.fork_point != NULL && req.fork_time == 0)
        req.fork_time = bg_git_commit_time(req.fork_point); /* 0 when git lacks it */
    if ((srv.url != NULL ? remote_baseline(&srv, &cur, &req, &base, &d)
                         : baseline_select(st, &cur, &req, &base, &d)) < 0) {
        rc = bg_cmd_fail(&d);
        goto out;
    }
    if (!base.found && o.require_baseline) {
        rc = bg_usage_error("check", "no baseline (--require-baseline): %s", base.why);
        goto out;
    }
    if (base.warning[0] != '\0' && o.output != REPORT_TEXT)
        bg_warn("%s", base.warning); /* the text report says it itself */
    gate_compare_runs(base.list, base.n_runs, &curp, 1, &o.gate, &report);
    report.baseline_why = base.why;
    report.baseline_warning = base.warning;
    rc = report_emit(&report, (enum report_format)o.output, md, o.report, &mdo);
    md = NULL;
out:
    if (md != NULL) /* no verdict: an empty report says nothing false */
        fclose(md);
    rc = bg_store_close(st, rc);
    gate_report_release(&report);
    baseline_release(&base);
    bg_run_release(&cur);
    free(merge_base);
    bg_context_release(&ctx);
    gate_config_release(&config);
    return bg_finish_output(rc);
}
