/*
 * prune.c: `benchgate prune --keep-samples AGE`: drops the raw samples of
 * old runs and keeps everything else: runs, results and their summaries
 * (n, min, mean, median, p95, max, stddev), which is all that histories,
 * charts and change points read. Samples are most of a store's bytes (see
 * the README's sizing), so this is what bounds a store's growth.
 *
 * Pruned results are marked as such (not as a harness's summaries), so
 * check and the pages can say that a baseline only has summaries left.
 * Runs pinned as baselines keep their samples. The work goes in batches of
 * runs, each one transaction: an interrupted prune leaves whole runs either
 * way, and running it again finishes it.
 */
#include "core/bg.h"
#include "core/cli.h"
#include "core/num.h"
#include "core/store.h"

#include <time.h>

struct prune_opts {
    const char *db, *project;
    int64_t keep; /* seconds; -1 until given */
    bool dry_run, quiet;
};

static int opt_age(void *opts, const char *value, struct bg_diag *d);

#define OPT(field) offsetof(struct prune_opts, field)

static const struct bg_opt options[] = {
    { "keep-samples", 0, "AGE", BG_OPT_CALL, .call = opt_age,
      .help = "keep the samples of runs younger than AGE: a number and d (days), w (weeks) or "
              "h (hours), e.g. 90d" },
    BG_OPT_DB(struct prune_opts, db),
    { "project", 0, "NAME", BG_OPT_NAME, OPT(project),
      .help = "only this project's runs (default: every project)" },
    { "dry-run", 0, NULL, BG_OPT_FLAG, OPT(dry_run),
      .help = "count what would be dropped, change nothing" },
    { "quiet", 'q', NULL, BG_OPT_FLAG, OPT(quiet), .help = "print nothing but errors" },
};

static const struct bg_command command = {
    "prune", "--keep-samples AGE [options]",
    "Drop the raw samples of runs older than AGE, keeping the runs, their results\n"
    "and each result's summary (n, min, mean, median, p95, max, stddev): histories,\n"
    "charts and change points need only those. check compares a pruned baseline\n"
    "on its stored p95, without the significance test, and says so. Runs pinned\n"
    "as baselines keep their samples.",
    options, ARRAY_SIZE(options),
    "A SQLite file does not shrink by itself: new runs reuse the space (VACUUM\n"
    "gives it back to the file system); PostgreSQL's autovacuum does the same.\n"
    "\n"
    "Exit status: 0 done, 2 bad usage, 3 database error.\n",
};

/* Runs per transaction: short enough not to hold up uploads for long. */
#define BATCH_RUNS 100

/* "90d", "12w", "36h": seconds, or -1 with *why set. */
static int64_t parse_age(const char *s, const char **why)
{
    size_t n = strlen(s);
    int64_t v, unit;
    char digits[24];

    if (n < 2 || n - 1 >= sizeof(digits)) {
        *why = "expected a number and d, w or h, e.g. 90d";
        return -1;
    }
    switch (s[n - 1]) {
    case 'h':
        unit = 3600;
        break;
    case 'd':
        unit = 86400;
        break;
    case 'w':
        unit = 7 * 86400;
        break;
    default:
        *why = "expected a number and d, w or h, e.g. 90d";
        return -1;
    }
    memcpy(digits, s, n - 1);
    digits[n - 1] = '\0';
    /* at most a thousand years: the product stays far inside int64 */
    if (bg_parse_int64(digits, 0, INT64_C(1000) * 366 * 86400 / unit, &v, why) < 0)
        return -1;
    return v * unit;
}

static int opt_age(void *opts, const char *value, struct bg_diag *d)
{
    struct prune_opts *o = opts;
    const char *why;

    o->keep = parse_age(value, &why);
    if (o->keep < 0)
        return bg_fail(d, "--keep-samples '%.40s': %s", value, why);
    return 0;
}

int cmd_prune(int argc, char **argv)
{
    struct prune_opts o = { .db = bg_default_db(), .keep = -1 };
    struct store_prune_stats stats = { 0, 0, 0 };
    struct store *st = NULL;
    enum bg_parse p;
    int64_t before;
    char when[32], **args;
    struct tm tm;
    time_t t;
    int rc, n;

    p = bg_cmd_parse(&command, argc, argv, &o, &args, &n);
    if (p != BG_PARSE_OK)
        return bg_parse_exit(p);
    if (n > 0)
        return bg_usage_error("prune", "unexpected argument '%s'", args[0]);
    if (o.keep < 0)
        return bg_usage_error("prune", "say how long samples are kept: --keep-samples AGE");
    rc = bg_store_open(o.db, false, &st);
    if (rc != 0)
        return bg_finish_output(rc);
    before = (int64_t)time(NULL) - o.keep;
    do {
        n = store_prune(st, o.project, before, BATCH_RUNS, o.dry_run, &stats);
    } while (n > 0 && !o.dry_run);
    if (n < 0) {
        rc = BG_EXIT_STORE;
    } else if (!o.quiet) {
        t = (time_t)before;
        if (gmtime_r(&t, &tm) == NULL ||
            strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm) == 0)
            snprintf(when, sizeof(when), "?");
        printf("%s the samples of %" PRId64 " runs made before %s%s%s%s: %" PRId64
               " results, %" PRId64 " samples (%.1f MB); their summaries stay\n",
               o.dry_run ? "would drop" : "dropped", stats.runs, when,
               o.project != NULL ? " in project '" : "", o.project != NULL ? o.project : "",
               o.project != NULL ? "'" : "", stats.results, stats.samples,
               (double)stats.samples * 8 / 1e6);
    }
    /* what was pruned before a failure stays pruned: each batch committed whole */
    rc = bg_store_close(st, rc);
    return bg_finish_output(rc);
}
