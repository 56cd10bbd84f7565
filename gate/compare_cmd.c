/*
 * compare_cmd.c: `benchgate compare OLD NEW`: two sets of runs made on one
 * machine (files, folders or stored run:IDs), judged with the gate's
 * statistics: the relative mode, with no history and no machine between.
 *
 * Each argument is one run. With three runs or more in all (two old and
 * two new rounds interleaved in one job, say), the run-to-run spread is
 * measured from both sides; with fewer it is assumed (--prior-spread) and
 * the verdicts say so. Nothing is stored.
 */
#include "core/bg.h"
#include "core/cli.h"
#include "core/num.h"
#include "core/store.h"
#include "collector/collect.h"
#include "gate/baseline.h"
#include "gate/compare.h"
#include "gate/config.h"
#include "gate/params.h"
#include "gate/report.h"

struct side {
    const char *paths[BASELINE_MAX_WINDOW];
    size_t n;
};

struct compare_opts {
    const char *db, *project, *format, *config, *report;
    int output; /* enum report_format */
    struct gate_opts gate;
    struct side old, new;
};

static int add_path(struct side *s, const char *value, struct bg_diag *d)
{
    if (s->n >= BASELINE_MAX_WINDOW)
        return bg_fail(d, "'%.80s': at most %d runs a side", value, BASELINE_MAX_WINDOW);
    s->paths[s->n++] = value;
    return 0;
}

static int opt_old(void *opts, const char *value, struct bg_diag *d)
{
    return add_path(&((struct compare_opts *)opts)->old, value, d);
}

static int opt_new(void *opts, const char *value, struct bg_diag *d)
{
    return add_path(&((struct compare_opts *)opts)->new, value, d);
}

#define OPT(field) offsetof(struct compare_opts, field)

static const struct bg_opt options[] = {
    { "old", 0, "PATH", BG_OPT_CALL, 0, .call = opt_old,
      .help = "a run of the old side: a file, a folder or run:ID (repeat for several)" },
    { "new", 0, "PATH", BG_OPT_CALL, 0, .call = opt_new,
      .help = "a run of the new side (repeat for several)" },
    BG_OPT_DB(struct compare_opts, db),
    BG_OPT_PROJECT(struct compare_opts, project),
    { "format", 0, "NAME", BG_OPT_TEXT, OPT(format),
      .help = "read every file as NAME (see collect --help)" },
    GATE_OPTS_JUDGE(struct compare_opts),
};

static const struct bg_command command = {
    "compare", "[options] OLD NEW\n[options] --old PATH [--old PATH...] --new PATH [--new PATH...]",
    "Compare runs made on one machine, OLD against NEW, benchmark by benchmark\n"
    "on the p95, with the statistics of check: each argument is a run (a harness\n"
    "output file or folder, or run:ID from the database). Exit 1 when a\n"
    "benchmark of NEW regressed past the threshold beyond the runs' noise.\n"
    "\n"
    "Run-to-run noise is measured from three runs or more in all (two old and\n"
    "two new rounds interleaved in one job, say); with fewer it is assumed\n"
    "(--prior-spread) and every verdict says 'low confidence'. Nothing is\n"
    "stored.",
    options, ARRAY_SIZE(options),
    "Exit status: 0 no regression, 1 regression, 2 bad usage or input,\n"
    "3 database error.\n",
};

/* One run of a side: a stored run:ID, else a file or folder parsed in memory. */
static int load_side(struct store **st, const struct compare_opts *o, const char *path,
                     const char *label, struct bg_run *run, struct bg_diag *d)
{
    struct collect_origin origin = { o->project, label, NULL, 0, false };
    char *paths[1] = { (char *)path };
    const char *why;
    int64_t id;

    if (strncmp(path, "run:", 4) == 0) {
        if (bg_parse_int64(path + 4, 1, INT64_MAX, &id, &why) < 0)
            return bg_fail(d, "'%.80s': run id %s", path, why);
        if (*st == NULL && store_open(o->db, false, st, d) < 0)
            return -1;
        switch (store_load_run(*st, id, run)) {
        case 1:
            return 0;
        case 0:
            return bg_fail_as(d, BG_FAULT_MISSING, "'%.80s': no such run in '%.200s'", path,
                              o->db);
        default:
            if (store_errmsg(*st)[0] != '\0')
                return store_take_error(*st, d);
            return bg_fail_as(d, BG_FAULT_BROKEN, "'%.80s': the database failed", path);
        }
    }
    if (collect_paths(paths, 1, o->format, false, run) != 0)
        return bg_fail(d, "'%.200s': not a run benchgate can read (see above)", path);
    collect_origin(run, &origin);
    return 0;
}

int cmd_compare(int argc, char **argv)
{
    struct compare_opts o = { .db = bg_default_db(), .gate = GATE_OPTS_DEFAULT };
    struct bg_run old_runs[BASELINE_MAX_WINDOW], new_runs[BASELINE_MAX_WINDOW];
    const struct bg_run *old_list[BASELINE_MAX_WINDOW], *new_list[BASELINE_MAX_WINDOW];
    size_t n_old = 0, n_new = 0;
    struct gate_config config;
    struct gate_report report;
    struct bg_diag d = { 0 };
    struct store *st = NULL;
    char why[512], **args;
    FILE *md = NULL;
    enum bg_parse p;
    int n_args, rc = BG_EXIT_PASS;

    memset(&config, 0, sizeof(config));
    memset(&report, 0, sizeof(report));
    p = bg_cmd_parse(&command, argc, argv, &o, &args, &n_args);
    if (p != BG_PARSE_OK)
        return bg_parse_exit(p);
    if (n_args == 2 && o.old.n == 0 && o.new.n == 0) {
        o.old.paths[o.old.n++] = args[0];
        o.new.paths[o.new.n++] = args[1];
    } else if (n_args != 0 || o.old.n == 0 || o.new.n == 0) {
        return bg_usage_error("compare", "expected OLD NEW, or --old PATH... --new PATH...");
    }
    if (gate_config_load(o.config, &config, &d) < 0) {
        bg_error("%s", d.msg);
        return bg_finish_output(BG_EXIT_USAGE);
    }
    o.gate.config = &config;
    if (o.report != NULL && (md = report_open(o.report, &d)) == NULL) {
        rc = bg_cmd_fail(&d);
        goto out;
    }
    if (o.project == NULL)
        o.project = "compare";
    for (size_t i = 0; i < o.old.n && rc == BG_EXIT_PASS; i++, n_old++) {
        bg_run_init(&old_runs[i]);
        old_list[i] = &old_runs[i];
        if (load_side(&st, &o, o.old.paths[i], "old", &old_runs[i], &d) < 0)
            rc = bg_cmd_fail(&d);
    }
    for (size_t i = 0; i < o.new.n && rc == BG_EXIT_PASS; i++, n_new++) {
        bg_run_init(&new_runs[i]);
        new_list[i] = &new_runs[i];
        if (load_side(&st, &o, o.new.paths[i], "new", &new_runs[i], &d) < 0)
            rc = bg_cmd_fail(&d);
    }
    if (rc != BG_EXIT_PASS)
        goto out;
    gate_compare_runs(old_list, n_old, new_list, n_new, &o.gate, &report);
    snprintf(why, sizeof(why), "%zu old run%s against %zu new run%s, on one machine%s", n_old,
             n_old == 1 ? "" : "s", n_new, n_new == 1 ? "" : "s",
             (n_old - 1) + (n_new - 1) < 2 ? " (one run on a side: its run-to-run noise is assumed, not "
                                 "measured; compare two or more a side)" : "");
    report.baseline_why = why;
    report.baseline_warning = "";
    rc = report_emit(&report, (enum report_format)o.output, md, o.report, NULL);
    md = NULL;
out:
    if (md != NULL)
        fclose(md);
    rc = bg_store_close(st, rc);
    gate_report_release(&report);
    for (size_t i = 0; i < n_old; i++)
        bg_run_release(&old_runs[i]);
    for (size_t i = 0; i < n_new; i++)
        bg_run_release(&new_runs[i]);
    gate_config_release(&config);
    return bg_finish_output(rc);
}
