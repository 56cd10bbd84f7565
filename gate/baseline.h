/*
 * baseline.h: which stored runs a check compares against, and why. One
 * function decides it for `benchgate check`, the API and every page.
 *
 * The baseline is a history: up to `window` runs (default 10) of the
 * baseline branch, newest first, on a machine like the current run's, at or
 * before an anchor:
 *  1. --baseline run:ID or commit:SHA: that run (the newest at that commit);
 *  2. else a pin (`benchgate baseline set`) of the baseline branch;
 *  3. else the fork point: the commit the current branch is judged against
 *     (the pull request's base, git's merge-base, or the run's own
 *     "fork_point" metadata that collect recorded): its newest run on the
 *     branch, or when it has none, the runs made before it was committed
 *     (its time from git, or the run's "fork_point_time" metadata): a
 *     commit made on the branch after the fork point has no run older than
 *     the fork point. The rule needs no git, so the server's pages and API
 *     pick what check picks from the same run;
 *  4. else, on the baseline branch itself, the runs before the current one;
 *  5. else the branch's newest runs, with a warning: the fork point is not
 *     known, so a change made on the base branch since the fork would read
 *     as this branch's.
 * Runs at the current commit are never part of it (a re-run of a commit is
 * judged against the runs before that commit), nor the current run itself.
 * With no run on a matching machine, runs of any machine are used, with a
 * warning naming what differs. No baseline at all is not an error here: the
 * caller decides (check --require-baseline makes it one); `why` then says
 * which projects or branches do have runs.
 *
 * The baseline branch, when the caller does not name one, is the run's own
 * "base_branch" metadata, else the project's main branch: "main", else
 * "master", else the branch with the most runs (baseline_default_branch).
 */
#ifndef BG_GATE_BASELINE_H
#define BG_GATE_BASELINE_H

#include "core/bg.h"
#include "core/model.h"
#include "core/store.h"

/* Runs of history a check compares against by default, and at most. */
#define BASELINE_WINDOW 10
#define BASELINE_MAX_WINDOW 64

struct baseline_request {
    const char *project;
    const char *branch;     /* the baseline branch; NULL: the run's, else the project's main */
    const char *ref;        /* "run:ID", "commit:SHA", or NULL */
    size_t window;          /* runs of history, >= 1 */
    const char *fork_point; /* NULL: the current run's "fork_point" metadata, if any */
    const char *fork_source; /* where fork_point came from, for the report; may be NULL */
    int64_t fork_time;      /* fork_point's commit time; 0: unknown (with fork_point NULL,
                               the run's "fork_point_time" metadata) */
};

struct baseline {
    bool found;
    struct bg_run *runs;          /* the history, newest first */
    const struct bg_run **list;   /* &runs[i], as gate_compare_runs takes them */
    size_t n_runs;
    char branch[BG_NAME_MAX + 1]; /* the baseline branch */
    size_t behind;                /* runs of that branch newer than the newest used */
    char why[1024];               /* for the report: which runs and why */
    char warning[1024];           /* "" or why the comparison may mislead */
};

/*
 * Chooses the baseline for cur (stored or not). Returns 0 (out->found says
 * whether there is one), or -1 with d filled: BG_FAULT_INPUT for a ref that
 * is not run:ID or commit:SHA, BG_FAULT_MISSING when it names no run of the
 * project, BG_FAULT_BROKEN when the store failed.
 */
int baseline_select(struct store *st, const struct bg_run *cur,
                    const struct baseline_request *req, struct baseline *out,
                    struct bg_diag *d);
void baseline_release(struct baseline *b);

/* The run a ref (run:ID, commit:SHA) names in project: 0 and *id, or -1 with d. */
int baseline_resolve_ref(struct store *st, const char *project, const char *ref, int64_t *id,
                         struct bg_diag *d);

/* The project's main branch: "main", else "master", else the branch with the
 * most runs, else "main". Returns 0, or -1 with d when the store failed. */
int baseline_default_branch(struct store *st, const char *project, char *out, size_t size,
                            struct bg_diag *d);

/* Writes "CPU model 'a' (baseline) vs 'b' (current), cores 2 vs 8" for the
 * comparability fields that differ; "" when none does. */
void baseline_env_diff(const struct bg_env *base, const struct bg_env *cur, char *buf,
                       size_t size);

#endif /* BG_GATE_BASELINE_H */
