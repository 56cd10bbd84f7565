/*
 * baseline.c: choosing the baseline (see baseline.h for the rules), and
 * `benchgate baseline set|show|clear`, which pins one.
 */
#include "core/bg.h"
#include "gate/baseline.h"
#include "core/cli.h"
#include "core/env.h"
#include "core/num.h"

#include <time.h>

/* How many runs of the baseline branch are searched for a matching machine. */
#define SEARCH_RUNS 200

void baseline_release(struct baseline *b)
{
    bg_run_release(&b->run);
    memset(b, 0, sizeof(*b));
}

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

/* Adds the samples of older's results to the matching results of pool. The
 * pool keeps the newest run's benchmarks; summaries cannot be pooled, so a
 * summary-only result stays the newest run's. */
static void pool_samples(struct bg_run *pool, const struct bg_run *older)
{
    const struct bg_result **sorted = bg_xmalloc((pool->n_results + 1) * sizeof(*sorted));

    for (size_t i = 0; i < pool->n_results; i++)
        sorted[i] = &pool->results[i];
    qsort(sorted, pool->n_results, sizeof(*sorted), bg_result_ptr_cmp);
    for (size_t i = 0; i < older->n_results; i++) {
        const struct bg_result *o = &older->results[i], **hit;
        struct bg_result *p;

        hit = bsearch(&o, sorted, pool->n_results, sizeof(*sorted), bg_result_ptr_cmp);
        if (hit == NULL || o->n_samples == 0)
            continue;
        p = &pool->results[*hit - pool->results];
        if (p->n_samples == 0 || p->n_samples + o->n_samples > BG_MAX_SAMPLES)
            continue;
        BG_GROW(p->samples, p->cap_samples, p->n_samples + o->n_samples);
        memcpy(p->samples + p->n_samples, o->samples, o->n_samples * sizeof(*o->samples));
        p->n_samples += o->n_samples;
    }
    free(sorted);
}

/* Loads ids[0..n) into out->run: the first as is, the others pooled into it. */
static int load_pool(struct store *st, const int64_t *ids, size_t n, struct baseline *out)
{
    if (store_load_run(st, ids[0], &out->run) != 1)
        return -1;
    for (size_t i = 1; i < n; i++) {
        struct bg_run older;
        int rc;

        bg_run_init(&older);
        rc = store_load_run(st, ids[i], &older);
        if (rc == 1)
            pool_samples(&out->run, &older);
        bg_run_release(&older);
        if (rc != 1)
            return -1;
    }
    memcpy(out->ids, ids, n * sizeof(*ids));
    out->n_ids = n;
    out->found = true;
    return 0;
}

/* The store's own failure, moved into d (the store prints nothing itself). */
static int store_failed(struct store *st, struct bg_diag *d)
{
    if (store_errmsg(st)[0] == '\0')
        return bg_fail_as(d, BG_FAULT_BROKEN, "the database failed while choosing the baseline");
    return store_take_error(st, d);
}

static int by_ref(struct store *st, const struct baseline_request *req, struct baseline *out,
                  struct bg_diag *d)
{
    const char *why;
    int64_t id = 0;
    int rc;

    if (strncmp(req->ref, "run:", 4) == 0) {
        if (bg_parse_int64(req->ref + 4, 1, INT64_MAX, &id, &why) < 0)
            return bg_fail(d, "baseline '%.80s': run id %s", req->ref, why);
        rc = store_load_run(st, id, &out->run);
        if (rc < 0)
            return store_failed(st, d);
        if (rc == 0 || strcmp(out->run.project, req->project) != 0)
            return bg_fail_as(d, BG_FAULT_MISSING, "baseline '%.80s': no run %" PRId64
                              " in project '%s'", req->ref, id, req->project);
        snprintf(out->why, sizeof(out->why), "run %" PRId64 ", as asked (--baseline %s)", id,
                 req->ref);
    } else if (strncmp(req->ref, "commit:", 7) == 0) {
        char *sha = bg_xstrdup(req->ref + 7);

        if (!bg_commit_ok(sha)) {
            free(sha);
            return bg_fail(d, "baseline '%.80s': expected commit:SHA with 4 to 64 hex digits",
                           req->ref);
        }
        rc = store_run_by_commit(st, req->project, sha, &id);
        if (rc == 1)
            rc = store_load_run(st, id, &out->run);
        if (rc == 0)
            bg_fail_as(d, BG_FAULT_MISSING, "baseline '%.80s': no run of project '%s' at "
                       "commit %s", req->ref, req->project, sha);
        free(sha);
        if (rc != 1)
            return rc < 0 ? store_failed(st, d) : -1;
        snprintf(out->why, sizeof(out->why),
                 "run %" PRId64 ", the newest at commit %.12s, as asked (--baseline %s)", id,
                 out->run.commit, req->ref);
    } else {
        return bg_fail(d, "baseline '%.80s': expected run:ID or commit:SHA", req->ref);
    }
    out->ids[0] = id;
    out->n_ids = 1;
    out->found = true;
    return 0;
}

/*
 * Says so when the baseline has results whose samples were pruned (benchgate
 * prune): those rows compare the stored p95 alone, without the rank test
 * or the interval, so the report must not read as if they had them.
 */
static void note_pruned(struct baseline *out)
{
    size_t pruned = 0, len = strlen(out->warning);

    for (size_t i = 0; i < out->run.n_results; i++)
        pruned += out->run.results[i].pruned && out->run.results[i].n_samples == 0;
    if (!out->found || pruned == 0 || len + 1 >= sizeof(out->warning))
        return;
    snprintf(out->warning + len, sizeof(out->warning) - len,
             "%sthe baseline (run %" PRId64 ") only has summaries left for %zu of its %zu "
             "benchmarks, its samples pruned (benchgate prune): those are compared on the "
             "stored p95, without the significance test", len > 0 ? "; " : "", out->run.id,
             pruned, out->run.n_results);
}

static int select_baseline(struct store *st, const struct bg_run *cur,
                           const struct baseline_request *req, struct baseline *out,
                           struct bg_diag *d);

int baseline_select(struct store *st, const struct bg_run *cur,
                    const struct baseline_request *req, struct baseline *out,
                    struct bg_diag *d)
{
    int rc = select_baseline(st, cur, req, out, d);

    if (rc == 0)
        note_pruned(out);
    return rc;
}

static int select_baseline(struct store *st, const struct bg_run *cur,
                           const struct baseline_request *req, struct baseline *out,
                           struct bg_diag *d)
{
    struct store_run_info *runs = NULL;
    int64_t ids[BASELINE_MAX_WINDOW], pin = 0, pinned_at = 0, before;
    size_t window = req->window < 1 ? 1 : req->window, n = 0;
    const char *earlier;
    int count, rc;

    memset(out, 0, sizeof(*out));
    bg_run_init(&out->run);
    if (window > BASELINE_MAX_WINDOW)
        window = BASELINE_MAX_WINDOW;
    if (req->ref != NULL)
        return by_ref(st, req, out, d);

    rc = store_pin_get(st, req->project, req->branch, &pin, &pinned_at);
    if (rc < 0)
        return store_failed(st, d);
    if (rc == 1 && pin != req->current_id) {
        char when[32];
        time_t t = (time_t)pinned_at;
        struct tm tm;

        if (gmtime_r(&t, &tm) == NULL || strftime(when, sizeof(when), "%Y-%m-%d", &tm) == 0)
            snprintf(when, sizeof(when), "?");
        if (load_pool(st, &pin, 1, out) < 0)
            return store_failed(st, d);
        snprintf(out->why, sizeof(out->why),
                 "run %" PRId64 ", pinned for branch '%s' on %s (benchgate baseline set)", pin,
                 req->branch, when);
        return 0;
    }

    /* on the baseline branch itself, only runs older than the current one */
    before = req->current_id != 0 && strcmp(req->current_branch, req->branch) == 0
                 ? req->current_id
                 : 0;
    earlier = before != 0 ? "earlier " : "";
    count = store_list_runs(st, req->project, req->branch, NULL, before, SEARCH_RUNS, &runs);
    if (count < 0)
        return store_failed(st, d);
    for (int i = 0; i < count && n < window; i++) {
        if (runs[i].id != req->current_id &&
            strcmp(runs[i].fingerprint, cur->env.fingerprint) == 0)
            ids[n++] = runs[i].id;
    }
    if (n > 0) {
        rc = load_pool(st, ids, n, out);
        if (n == 1)
            snprintf(out->why, sizeof(out->why),
                     "the newest %srun on branch '%s' on this machine (fingerprint %s)",
                     earlier, req->branch, cur->env.fingerprint);
        else
            snprintf(out->why, sizeof(out->why),
                     "the newest %zu %sruns on branch '%s' on this machine, pooled "
                     "(runs %" PRId64 " to %" PRId64 ")",
                     n, earlier, req->branch, ids[n - 1], ids[0]);
        free(runs);
        return rc < 0 ? store_failed(st, d) : 0;
    }
    /* no run on the same machine: the newest ones anyway, said loudly */
    for (int i = 0; i < count && n < window; i++) {
        if (runs[i].id != req->current_id)
            ids[n++] = runs[i].id;
    }
    free(runs);
    if (n == 0) {
        snprintf(out->why, sizeof(out->why), "none: no earlier run on branch '%s'",
                 req->branch);
        return 0;
    }
    if (load_pool(st, ids, n, out) < 0)
        return store_failed(st, d);
    snprintf(out->why, sizeof(out->why), "the newest %s%s on branch '%s' (none there ran on "
             "this machine)", earlier, n == 1 ? "run" : "runs, pooled,", req->branch);
    {
        char diff[768];

        baseline_env_diff(&out->run.env, &cur->env, diff, sizeof(diff));
        snprintf(out->warning, sizeof(out->warning),
                 "the baseline ran on another machine (%s): differences may not be the code's",
                 diff[0] != '\0' ? diff : "fingerprints differ");
    }
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
    struct baseline_request req = { project, branch, ref, 1, 0, branch };
    struct bg_diag d = { 0 };
    struct baseline b;
    int rc = baseline_select(st, NULL, &req, &b, &d);

    if (rc < 0) {
        baseline_release(&b);
        return bg_cmd_fail(&d);
    }
    rc = store_pin_set(st, project, branch, b.run.id);
    if (rc == 0)
        printf("pinned run %" PRId64 "%s%.12s as the baseline of project '%s' for branch "
               "'%s'\n",
               b.run.id, b.run.commit != NULL ? " at " : "",
               b.run.commit != NULL ? b.run.commit : "", project, branch);
    baseline_release(&b);
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
