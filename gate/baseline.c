/*
 * baseline.c: choosing the baseline (see baseline.h for the rules), and
 * `benchgate baseline set|show|clear`, which pins one.
 */
#include "core/bg.h"
#include "gate/baseline.h"
#include "core/cli.h"
#include "core/env.h"
#include "core/num.h"
#include "core/suggest.h"

#include <time.h>

/* How many runs of the baseline branch are searched for the history. */
#define SEARCH_RUNS 500


static void diff_text(char *buf, size_t size, size_t *len, const char *what, const char *a,
                      const char *b)
{
    if ((a == NULL ? "" : a)[0] == '\0' && (b == NULL ? "" : b)[0] == '\0')
        return;
    if (a != NULL && b != NULL && strcmp(a, b) == 0)
        return;
    if (*len < size)
        *len += (size_t)snprintf(buf + *len, size - *len, "%s%s '%s' vs '%s'",
                                 *len > 0 ? ", " : "", what, a != NULL ? a : "",
                                 b != NULL ? b : "");
}

static void diff_int(char *buf, size_t size, size_t *len, const char *what, int64_t a, int64_t b)
{
    if (a != b && *len < size)
        *len += (size_t)snprintf(buf + *len, size - *len, "%s%s %" PRId64 " vs %" PRId64,
                                 *len > 0 ? ", " : "", what, a, b);
}

void baseline_env_diff(const struct bg_env *base, const struct bg_env *cur, char *buf,
                       size_t size)
{
    size_t len = 0;

    buf[0] = '\0';
    diff_text(buf, size, &len, "CPU model", base->cpu_model, cur->cpu_model);
    diff_int(buf, size, &len, "cores", base->cores, cur->cores);
    /* memory compares in whole GiB, as the fingerprint does */
    diff_int(buf, size, &len, "memory GiB", (base->memory_bytes + (INT64_C(1) << 29)) >> 30,
             (cur->memory_bytes + (INT64_C(1) << 29)) >> 30);
    diff_text(buf, size, &len, "OS", base->os, cur->os);
    diff_text(buf, size, &len, "kernel", base->kernel, cur->kernel);
    diff_text(buf, size, &len, "arch", base->arch, cur->arch);
    diff_text(buf, size, &len, "runner", base->runner, cur->runner);
}

/* The store's own failure, moved into d (the store prints nothing itself). */
static int store_failed(struct store *st, struct bg_diag *d)
{
    if (store_errmsg(st)[0] == '\0')
        return bg_fail_as(d, BG_FAULT_BROKEN, "the database failed while choosing the baseline");
    return store_take_error(st, d);
}

/*
 * Says so when runs of the history had their samples pruned (benchgate
 * prune): their results keep the stored median and p95, which the model
 * reads as it reads any summary, but the tail test cannot count their
 * samples, so the report must not read as if it had.
 */
static void note_pruned(struct baseline *out)
{
    size_t runs = 0, len = strlen(out->warning);

    for (size_t j = 0; j < out->n_runs; j++) {
        const struct bg_run *run = &out->runs[j];
        size_t i = 0;

        while (i < run->n_results && !(run->results[i].pruned && run->results[i].n_samples == 0))
            i++;
        runs += i < run->n_results;
    }
    if (runs == 0 || len + 1 >= sizeof(out->warning))
        return;
    snprintf(out->warning + len, sizeof(out->warning) - len,
             "%s%zu of the %zu baseline runs have only summaries left for some benchmarks (their "
             "samples pruned by benchgate prune): those are judged on the stored median and p95, "
             "with less for the tail test to count", len > 0 ? "; " : "", runs, out->n_runs);
}

void baseline_release(struct baseline *b)
{
    for (size_t i = 0; i < b->n_runs; i++)
        bg_run_release(&b->runs[i]);
    free(b->runs);
    free(b->list);
    memset(b, 0, sizeof(*b));
}

int baseline_resolve_ref(struct store *st, const char *project, const char *ref, int64_t *id,
                         struct bg_diag *d)
{
    const char *why;
    char shown[81];
    int rc;

    /* the ref may come from a request: its message must be fit for a log line */
    bg_printable(shown, sizeof(shown), ref);

    if (strncmp(ref, "run:", 4) == 0) {
        struct bg_run run;
        bool ours;

        if (bg_parse_int64(ref + 4, 1, INT64_MAX, id, &why) < 0)
            return bg_fail(d, "baseline '%s': run id %s", shown, why);
        bg_run_init(&run);
        rc = store_load_run(st, *id, &run);
        ours = rc == 1 && strcmp(run.project, project) == 0;
        bg_run_release(&run);
        if (rc < 0)
            return store_failed(st, d);
        if (!ours)
            return bg_fail_as(d, BG_FAULT_MISSING, "baseline '%s': no run %" PRId64
                              " in project '%s'", shown, *id, project);
        return 0;
    }
    if (strncmp(ref, "commit:", 7) == 0) {
        char *sha = bg_xstrdup(ref + 7);

        if (!bg_commit_ok(sha)) {
            free(sha);
            return bg_fail(d, "baseline '%s': expected commit:SHA with 4 to 64 hex digits",
                           shown);
        }
        rc = store_run_by_commit(st, project, sha, id);
        if (rc == 0)
            bg_fail_as(d, BG_FAULT_MISSING, "baseline '%s': no run of project '%s' at commit "
                       "%s", shown, project, sha);
        free(sha);
        return rc == 1 ? 0 : rc < 0 ? store_failed(st, d) : -1;
    }
    return bg_fail(d, "baseline '%s': expected run:ID or commit:SHA", shown);
}

int baseline_default_branch(struct store *st, const char *project, char *out, size_t size,
                            struct bg_diag *d)
{
    struct store_branch *branches = NULL;
    int n = store_list_branches(st, project, &branches);
    const char *pick = "main";
    int64_t most = -1;

    if (n < 0)
        return store_failed(st, d);
    for (int i = 0; i < n; i++) {
        if (strcmp(branches[i].name, "main") == 0) {
            most = INT64_MAX;
            pick = "main";
        } else if (strcmp(branches[i].name, "master") == 0 && most < INT64_MAX - 1) {
            most = INT64_MAX - 1;
            pick = "master";
        } else if (branches[i].n_runs > most && most < INT64_MAX - 1) {
            most = branches[i].n_runs;
            pick = branches[i].name;
        }
    }
    snprintf(out, size, "%s", pick);
    free(branches);
    return 0;
}

/* Hex digits a commit prefix needs to name a commit (git's own default
 * abbreviation): "0" is no commit. */
#define COMMIT_PREFIX_MIN 7

/* Whether two commit SHAs name the same commit: equal, or one a prefix of
 * the other of COMMIT_PREFIX_MIN digits or more. */
static bool same_commit(const char *a, const char *b)
{
    size_t la, lb;

    if (a == NULL || b == NULL || a[0] == '\0' || b[0] == '\0')
        return false;
    if (strcmp(a, b) == 0)
        return true;
    la = strlen(a);
    lb = strlen(b);
    return (la < lb ? la : lb) >= COMMIT_PREFIX_MIN && strncmp(a, b, la < lb ? la : lb) == 0;
}

/* "3 hours", "2 days": how long before `later` a run was made. */
static void age(char *buf, size_t size, int64_t seconds)
{
    if (seconds < 0)
        seconds = 0;
    if (seconds < 7200)
        snprintf(buf, size, "%" PRId64 " minutes", seconds / 60);
    else if (seconds < 2 * 86400)
        snprintf(buf, size, "%" PRId64 " hours", seconds / 3600);
    else
        snprintf(buf, size, "%" PRId64 " days", seconds / 86400);
}

/* Appends "; did you mean 'x'? (FLAG)" and the first names that exist
 * (with their runs when runs is not NULL) to out->why. */
static void suggest(struct baseline *out, size_t len, const char *word, const char *flag,
                    const char *const *names, const int64_t *runs, size_t k, const char *what)
{
    const char *guess = bg_suggest(word, names, k);

    if (guess != NULL && len < sizeof(out->why))
        len += (size_t)snprintf(out->why + len, sizeof(out->why) - len,
                                "; did you mean '%.200s'? (%s)", guess, flag);
    for (size_t i = 0; i < k && i < 8 && len < sizeof(out->why); i++) {
        len += (size_t)snprintf(out->why + len, sizeof(out->why) - len, "%s'%.200s'",
                                i == 0 ? what : ", ", names[i]);
        if (runs != NULL && len < sizeof(out->why))
            len += (size_t)snprintf(out->why + len, sizeof(out->why) - len, " (%" PRId64
                                    " runs)", runs[i]);
    }
}

/* Why there is no baseline, with the names that do exist. */
static int explain_none(struct store *st, const char *project, const char *branch,
                        struct baseline *out, struct bg_diag *d)
{
    struct store_branch *branches = NULL;
    struct store_project *projects = NULL;
    const char *names[64];
    int64_t runs[64];
    size_t len, k = 0;
    int n, exists = store_project_exists(st, project);

    if (exists < 0)
        return store_failed(st, d);
    if (exists == 0) {
        n = store_list_projects(st, &projects);
        if (n < 0)
            return store_failed(st, d);
        len = (size_t)snprintf(out->why, sizeof(out->why), "no project '%.200s' in this store",
                               project);
        for (int i = 0; i < n && k < ARRAY_SIZE(names); i++)
            names[k++] = projects[i].name;
        suggest(out, len, project, "--project", names, NULL, k, "; projects: ");
        free(projects);
        return 0;
    }
    n = store_list_branches(st, project, &branches);
    if (n < 0)
        return store_failed(st, d);
    len = (size_t)snprintf(out->why, sizeof(out->why), "no run of branch '%.200s' in project "
                           "'%.200s'", branch, project);
    for (int i = 0; i < n && k < ARRAY_SIZE(names); i++) {
        names[k] = branches[i].name;
        runs[k++] = branches[i].n_runs;
    }
    suggest(out, len, branch, "--baseline-branch", names, runs, k, "; branches with runs: ");
    free(branches);
    return 0;
}

/* Where the history ends, as an index into the newest-first list (runs at
 * or after it qualify), and the words for the report. */
struct anchor {
    int index;         /* -1: no run qualifies */
    char what[512];
    char fork[65];     /* the fork point used, checked; "" when none */
};

enum anchor_kind {
    ANCHOR_SET,        /* by a ref, a pin, the fork point, or the branch itself */
    ANCHOR_NO_FORK,    /* the newest runs: the fork point is not known */
    ANCHOR_FORK_BLIND  /* the runs before this one: the fork point has no run and no time */
};

/* The fork point: the request's, else the run's metadata if it is a commit. */
static const char *fork_point(const struct bg_run *cur, const struct baseline_request *req,
                              struct anchor *a, int64_t *time)
{
    const char *meta = bg_run_meta(cur, "fork_point"), *t = bg_run_meta(cur, "fork_point_time");
    char *end = NULL;
    long long v;

    *time = req->fork_time;
    if (req->fork_point != NULL) {
        snprintf(a->fork, sizeof(a->fork), "%s", req->fork_point);
        return a->fork;
    }
    if (meta == NULL || strlen(meta) >= sizeof(a->fork))
        return NULL;
    snprintf(a->fork, sizeof(a->fork), "%s", meta);
    if (!bg_commit_ok(a->fork)) {
        a->fork[0] = '\0'; /* uploaded metadata is input like any other */
        return NULL;
    }
    if (t != NULL) {
        errno = 0;
        v = strtoll(t, &end, 10);
        if (errno == 0 && end != t && *end == '\0' && v > 0)
            *time = (int64_t)v;
    }
    return a->fork;
}

static int find_commit(const struct store_run_info *runs, int n, const char *sha)
{
    for (int i = 0; i < n; i++) {
        if (same_commit(runs[i].commit, sha))
            return i;
    }
    return -1;
}

static int anchor_at(struct store *st, const struct bg_run *cur,
                     const struct baseline_request *req, const char *branch,
                     const struct store_run_info *runs, int n, struct anchor *a,
                     struct bg_diag *d)
{
    int64_t id = 0, pinned_at = 0, fork_time = 0;
    const char *fork = fork_point(cur, req, a, &fork_time);
    const char *source = req->fork_point != NULL && req->fork_source != NULL ? req->fork_source
                                                                             : "recorded by collect";
    int rc;

    a->index = 0;
    if (req->ref != NULL) {
        char shown[81];

        bg_printable(shown, sizeof(shown), req->ref);
        if (baseline_resolve_ref(st, req->project, req->ref, &id, d) < 0)
            return -1;
        for (a->index = 0; a->index < n && runs[a->index].id != id; a->index++)
            ;
        if (a->index == n)
            return bg_fail_as(d, BG_FAULT_MISSING, "baseline '%s': run %" PRId64 " is not "
                              "on branch '%.200s' (name its branch as the baseline branch too)",
                              shown, id, branch);
        snprintf(a->what, sizeof(a->what), "up to run %" PRId64 ", as asked (baseline %s)", id,
                 shown);
        return ANCHOR_SET;
    }
    rc = store_pin_get(st, req->project, branch, &id, &pinned_at);
    if (rc < 0)
        return store_failed(st, d);
    if (rc == 1 && id != cur->id) {
        for (a->index = 0; a->index < n && runs[a->index].id != id; a->index++)
            ;
        if (a->index < n) {
            snprintf(a->what, sizeof(a->what), "up to run %" PRId64 ", pinned for '%.200s' "
                     "(benchgate baseline set)", id, branch);
            return ANCHOR_SET;
        }
    }
    if (fork != NULL) {
        a->index = find_commit(runs, n, fork);
        if (a->index >= 0) {
            snprintf(a->what, sizeof(a->what), "at or before the fork point %.12s (%.200s)", fork,
                     source);
            return ANCHOR_SET;
        }
        if (fork_time > 0) {
            /* no run at the fork point: the runs made before it was committed
             * (a commit after it has no run older than it) */
            for (a->index = 0; a->index < n && runs[a->index].timestamp > fork_time; a->index++)
                ;
            snprintf(a->what, sizeof(a->what), "made before the fork point %.12s (%.200s) was "
                     "committed: it has no run on '%.200s'", fork, source, branch);
            if (a->index == n)
                a->index = -1;
            return ANCHOR_SET;
        }
    }
    if (strcmp(cur->branch, branch) == 0 || fork != NULL) {
        /* the runs before the current one; with a fork point that has no run
         * and no time, as a fallback the caller warns about */
        for (a->index = 0; a->index < n; a->index++) {
            if (cur->id != 0 ? runs[a->index].id < cur->id &&
                                   runs[a->index].timestamp <= cur->timestamp
                             : runs[a->index].timestamp <= cur->timestamp)
                break;
        }
        if (fork != NULL)
            snprintf(a->what, sizeof(a->what), "made before this run (the fork point %.12s, "
                     "from %.100s, has no run on '%.200s')", fork, source, branch);
        else
            snprintf(a->what, sizeof(a->what), "before this run");
        if (a->index == n)
            a->index = -1;
        return fork != NULL && strcmp(cur->branch, branch) != 0 ? ANCHOR_FORK_BLIND : ANCHOR_SET;
    }
    snprintf(a->what, sizeof(a->what), "(the newest)");
    return ANCHOR_NO_FORK;
}

int baseline_select(struct store *st, const struct bg_run *cur,
                    const struct baseline_request *req, struct baseline *out,
                    struct bg_diag *d)
{
    struct store_run_info *runs = NULL;
    size_t window = req->window < 1 ? 1 : req->window > BASELINE_MAX_WINDOW
                                              ? BASELINE_MAX_WINDOW : req->window;
    int ids[BASELINE_MAX_WINDOW], n, picked = 0, rc = 0, kind;
    struct anchor a = { .index = -1 };
    bool other_machine = false;
    const char *branch = req->branch != NULL ? req->branch : bg_run_meta(cur, "base_branch");
    char when_new[32], when_old[32], fallback[BG_NAME_MAX + 1];

    memset(out, 0, sizeof(*out));
    if (branch == NULL) {
        if (baseline_default_branch(st, req->project, fallback, sizeof(fallback), d) < 0)
            return -1;
        branch = fallback;
    }
    snprintf(out->branch, sizeof(out->branch), "%s", branch);
    n = store_list_runs(st, req->project, branch, NULL, 0, SEARCH_RUNS, &runs);
    if (n < 0)
        return store_failed(st, d);
    if (n == 0) {
        free(runs);
        return explain_none(st, req->project, branch, out, d);
    }
    kind = anchor_at(st, cur, req, branch, runs, n, &a, d);
    if (kind < 0) {
        free(runs);
        return -1;
    }
    /* the same machine first; any machine when none ran there */
    for (int pass = 0; pass < 2 && picked == 0 && a.index >= 0; pass++) {
        for (int i = a.index; i < n && (size_t)picked < window; i++) {
            if (runs[i].id == cur->id || same_commit(runs[i].commit, cur->commit))
                continue;
            if (pass == 0 && strcmp(runs[i].fingerprint, cur->env.fingerprint) != 0)
                continue;
            ids[picked++] = i;
        }
        other_machine = pass == 1;
    }
    if (picked == 0) {
        snprintf(out->why, sizeof(out->why), "no run of '%.200s' %.500s%s", branch, a.what,
                 a.index >= 0 ? " other than at this commit" : "");
        free(runs);
        return 0;
    }
    out->runs = bg_xcalloc((size_t)picked, sizeof(*out->runs));
    out->list = bg_xcalloc((size_t)picked, sizeof(*out->list));
    for (int i = 0; i < picked; i++) {
        bg_run_init(&out->runs[i]);
        rc = store_load_run(st, runs[ids[i]].id, &out->runs[i]);
        out->list[i] = &out->runs[i];
        out->n_runs = (size_t)i + 1;
        if (rc != 1) {
            free(runs);
            return store_failed(st, d);
        }
    }
    out->found = true;
    /* the run being judged is not a newer run of its own baseline's branch */
    for (int i = 0; i < ids[0]; i++)
        out->behind += runs[i].id != cur->id;
    age(when_new, sizeof(when_new), cur->timestamp - runs[ids[0]].timestamp);
    age(when_old, sizeof(when_old), cur->timestamp - runs[ids[picked - 1]].timestamp);
    if (picked == 1)
        snprintf(out->why, sizeof(out->why), "1 run of '%.200s' %.500s, %s: run %" PRId64 " (%s old)",
                 branch, a.what, other_machine ? "from another machine" : "on this machine",
                 runs[ids[0]].id, when_new);
    else
        snprintf(out->why, sizeof(out->why), "%d runs of '%.200s' %.500s, %s: runs %" PRId64 " back to %"
                 PRId64 " (%s to %s old)", picked, branch, a.what,
                 other_machine ? "from other machines" : "on this machine", runs[ids[0]].id,
                 runs[ids[picked - 1]].id, when_new, when_old);
    if (out->behind > 0) {
        size_t len = strlen(out->why);

        snprintf(out->why + len, sizeof(out->why) - len, "; '%.200s' has %zu newer run%s", branch,
                 out->behind, out->behind == 1 ? "" : "s");
    }
    if (other_machine) {
        char diff[768];

        baseline_env_diff(&out->runs[0].env, &cur->env, diff, sizeof(diff));
        snprintf(out->warning, sizeof(out->warning),
                 "the baseline ran on another machine (%s): differences may not be the code's",
                 diff[0] != '\0' ? diff : "fingerprints differ");
    } else if (kind == ANCHOR_NO_FORK) {
        snprintf(out->warning, sizeof(out->warning),
                 "the fork point of '%.200s' is not known (no pull request base, no git history "
                 "to ask): the newest runs of '%.200s' are used, so a change made there since the "
                 "fork would read as this branch's (check out with history, or give "
                 "--fork-point SHA)", cur->branch, branch);
    } else if (kind == ANCHOR_FORK_BLIND) {
        snprintf(out->warning, sizeof(out->warning),
                 "the fork point %.12s of '%.200s' has no run on '%.200s' and its commit time is "
                 "not known (the checkout lacks it): the runs before this one are used, so a "
                 "change made on '%.200s' since the fork would read as this branch's (fetch the "
                 "base branch's history when collecting, or pin a baseline)", a.fork, cur->branch,
                 branch, branch);
    }
    note_pruned(out);
    free(runs);
    return 0;
}

/* ---- benchgate baseline set|show|clear ---------------------------------- */

struct baseline_opts {
    const char *db, *project, *branch;
};

static const struct bg_opt options[] = {
    BG_OPT_DB(struct baseline_opts, db),
    BG_OPT_PROJECT(struct baseline_opts, project),
    BG_OPT_BRANCH(struct baseline_opts, branch,
                  "the baseline branch the pin stands for (default $GITHUB_BASE_REF, else main)"),
};

static const struct bg_command command = {
    "baseline", "set REF [options]\nshow [options]\nclear [options]",
    "Pin the run that check uses as the baseline for a project's baseline\n"
    "branch, instead of that branch's newest run; show or remove the pin.\n"
    "REF is run:ID or commit:SHA (the newest run at that commit).",
    options, ARRAY_SIZE(options),
    "Exit status: 0 done, 2 bad usage or no such run, 3 database error.\n",
};

static int pin_set(struct store *st, const char *project, const char *branch, const char *ref)
{
    struct bg_diag d = { 0 };
    struct bg_run run;
    int64_t id = 0;
    int rc;

    if (baseline_resolve_ref(st, project, ref, &id, &d) < 0)
        return bg_cmd_fail(&d);
    rc = store_pin_set(st, project, branch, id);
    if (rc == 0) {
        bg_run_init(&run);
        if (store_load_run(st, id, &run) == 1)
            printf("pinned run %" PRId64 "%s%.12s as the baseline of project '%s' for branch "
                   "'%s': check compares with it and the runs before it\n",
                   id, run.commit != NULL ? " at " : "", run.commit != NULL ? run.commit : "",
                   project, branch);
        bg_run_release(&run);
    } else if (rc == STORE_REJECTED) {
        bg_error("%s", store_errmsg(st)); /* a store that takes no pins (a git history) */
    }
    return rc == 0 ? BG_EXIT_PASS : rc == STORE_REJECTED ? BG_EXIT_USAGE : BG_EXIT_STORE;
}

int cmd_baseline(int argc, char **argv)
{
    struct baseline_opts o = { .db = bg_default_db() };
    const char *db, *project, *branch, *verb;
    struct bg_context ctx;
    struct store *st = NULL;
    int64_t run_id = 0, pinned_at = 0;
    enum bg_parse p;
    char **args;
    int n, rc = BG_EXIT_USAGE;

    p = bg_cmd_parse(&command, argc, argv, &o, &args, &n);
    if (p != BG_PARSE_OK)
        return bg_parse_exit(p);
    if (n == 0)
        return bg_usage_error("baseline", "expected set, show or clear");
    verb = args[0];
    if (strcmp(verb, "set") == 0 ? n != 2
                                 : (strcmp(verb, "show") != 0 && strcmp(verb, "clear") != 0) ||
                                       n != 1)
        return bg_usage_error("baseline", "expected 'set REF', 'show' or 'clear'");
    db = o.db;
    project = o.project;
    branch = o.branch;

    bg_context_detect(&ctx, project == NULL);
    if (project == NULL)
        project = ctx.project != NULL ? ctx.project : "default";
    if (branch == NULL)
        branch = ctx.base_branch != NULL ? ctx.base_branch : "main";
    rc = bg_store_open(db, false, &st);
    if (rc != 0)
        goto out;
    if (strcmp(verb, "set") == 0) {
        rc = pin_set(st, project, branch, args[1]);
    } else if (strcmp(verb, "show") == 0) {
        int found = store_pin_get(st, project, branch, &run_id, &pinned_at);

        if (found == 1)
            printf("run %" PRId64 " is pinned as the baseline of project '%s' for branch '%s'\n",
                   run_id, project, branch);
        else if (found == 0)
            printf("no pinned baseline for project '%s', branch '%s': check uses the newest "
                   "run on that branch\n", project, branch);
        rc = found < 0 ? BG_EXIT_STORE : BG_EXIT_PASS;
    } else {
        int removed = store_pin_clear(st, project, branch);

        if (removed >= 0)
            printf("%s pinned baseline for project '%s', branch '%s'\n",
                   removed ? "removed the" : "there was no", project, branch);
        rc = removed < 0 ? BG_EXIT_STORE : BG_EXIT_PASS;
    }
out:
    rc = bg_store_close(st, rc);
    bg_context_release(&ctx);
    return bg_finish_output(rc);
}
