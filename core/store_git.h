/*
 * store_git.h: run history kept in a git branch of the repository, one
 * gzip-compressed run document per run, for CI without a server.
 *
 * The locator "git:BRANCH" names the branch (benchgate-data by custom) on
 * the remote $BENCHGATE_GIT_REMOTE (default origin) of the git repository
 * the command runs in. Opening it fetches the branch's newest commit and
 * imports every run document into a store in memory (measured against a
 * read-only store over the files: README, "History in a git branch"), so
 * check, history and publish read it as they read any store. Appending a
 * run (collect) adds one new file named after its time, commit and 64
 * random bits, commits it on the branch's tip and pushes; a push that lost
 * a race is fetched and made again on the new tip, so concurrent jobs all
 * land and no file is ever replaced. Nothing else writes to it.
 *
 * Everything read from the branch is outside input: file names must match
 * runs/YYYY-MM/<seconds>-<hex>-<16 hex>.json.gz (others are ignored with a
 * warning), each blob is bounded compressed and inflated, and a document
 * that does not validate is skipped whole with a warning naming its file.
 * git runs as a child process with a fixed argv (no shell, no token: git
 * authenticates as the checkout set it up) and a deadline.
 */
#ifndef BG_CORE_STORE_GIT_H
#define BG_CORE_STORE_GIT_H

#include "core/bg.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/model.h"

struct store;
struct store_git;

/*
 * How run documents are written and read: the collector's format
 * (collector/fmt_benchgate.c). The store does not depend on the collector;
 * main.c hands these over before any command runs.
 */
struct store_git_codec {
    void (*write)(const struct bg_run *run, struct bg_buf *out);
    /* parses and validates (bg_run_finish) one document into an empty run */
    int (*read)(const char *what, const char *data, size_t len, struct bg_run *run,
                struct bg_diag *d);
};
void store_git_set_codec(const struct store_git_codec *codec);

/* Whether a locator names a git history ("git:BRANCH"). */
bool store_locator_is_git(const char *locator);

/*
 * Fetches the branch and imports its runs into mem, an empty store. A
 * branch that does not exist yet is an empty history (a note says so).
 * Returns 0 with *out set, or -1 with d filled (BG_FAULT_BROKEN: git or the
 * remote failed; BG_FAULT_INPUT: a bad branch name, not a repository).
 */
int store_git_open(const char *branch, struct store *mem, struct store_git **out,
                   struct bg_diag *d);

/* Adds run (stored in mem already, so validated) to the branch and pushes. */
int store_git_append(struct store_git *g, const struct bg_run *run, struct bg_diag *d);

void store_git_free(struct store_git *g);

#endif /* BG_CORE_STORE_GIT_H */
