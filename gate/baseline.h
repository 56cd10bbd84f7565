/*
 * baseline.h: which stored run(s) a check compares against, and why.
 *
 * The rules, in order:
 *  1. --baseline run:ID or commit:SHA: that run (the newest at that commit);
 *  2. a pin (`benchgate baseline set`) for the project's baseline branch;
 *  3. the newest run on the baseline branch whose machine fingerprint
 *     matches the current run's; with a window of N, the newest N such runs
 *     pooled into one baseline;
 *  4. no matching machine: the newest run(s) on the branch anyway, with a
 *     warning that names what differs (CPU model, cores, ...).
 * When the judged branch is the baseline branch, runs from the current one
 * on are skipped, so a run is never its own baseline.
 */
#ifndef BG_GATE_BASELINE_H
#define BG_GATE_BASELINE_H

#include "core/bg.h"
#include "core/model.h"
#include "core/store.h"

struct baseline_request {
    const char *project;
    const char *branch;      /* the baseline branch */
    const char *ref;         /* "run:ID", "commit:SHA", or NULL */
    size_t window;           /* pool the newest N matching runs; >= 1 */
    int64_t current_id;      /* the current run if stored (0: judged from files) */
    const char *current_branch;
};

struct baseline {
    bool found;
    struct bg_run run;       /* the baseline (a pooled run for windows); id = newest's */
    int64_t ids[64];         /* the runs pooled, newest first */
    size_t n_ids;
    char why[512];           /* for the report: which baseline and why */
    char warning[1024];      /* "" or the machine differences */
};

/* Largest --baseline-window. */
#define BASELINE_MAX_WINDOW 64

/*
 * Chooses the baseline for cur. Returns 0 (out->found says whether there is
 * one), or -1 with d filled: BG_FAULT_INPUT for a ref that is not run:ID or
 * commit:SHA, BG_FAULT_MISSING when it names no run of the project,
 * BG_FAULT_BROKEN when the store failed.
 */
int baseline_select(struct store *st, const struct bg_run *cur,
                    const struct baseline_request *req, struct baseline *out,
                    struct bg_diag *d);
void baseline_release(struct baseline *b);

/* Writes "CPU model 'a' (baseline) vs 'b' (current), cores 2 vs 8" for the
 * comparability fields that differ; "" when none does. */
void baseline_env_diff(const struct bg_env *base, const struct bg_env *cur, char *buf,
                       size_t size);

#endif /* BG_GATE_BASELINE_H */
