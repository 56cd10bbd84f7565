/*
 * env.h: where a run happens: the machine, and the CI or git context.
 *
 * Precedence for project, branch and commit is: command-line flags (applied
 * by the commands), then CI variables (GitHub Actions, GitLab CI), then git.
 * Values from the environment are outside input: a value that is too long,
 * not UTF-8 or holds control characters is ignored with a warning.
 */
#ifndef BG_CORE_ENV_H
#define BG_CORE_ENV_H

#include "core/bg.h"
#include "core/model.h"

struct bg_context {
    char *project;     /* GITHUB_REPOSITORY, CI_PROJECT_PATH, git top-level folder name */
    char *branch;      /* PR head branch, else the pushed branch, else git's branch */
    char *commit;      /* full SHA, lowercase */
    char *base_branch; /* GITHUB_BASE_REF, CI_MERGE_REQUEST_TARGET_BRANCH_NAME */
    char *fork_point;  /* the commit the branch is judged against: the pull request's
                          base (pull_request.base.sha, CI_MERGE_REQUEST_DIFF_BASE_SHA),
                          else git merge-base of HEAD and the base branch */
    const char *fork_source; /* where fork_point came from, for the report */
    int64_t fork_time; /* the fork point's commit time (git, when it has the commit); 0 */
    struct bg_ci ci;
    char *runner;      /* BENCHGATE_RUNNER, RUNNER_ENVIRONMENT, CI_RUNNER_TAGS */
};

/* Reads CI variables; asks git only for what CI did not say and use_git allows. */
void bg_context_detect(struct bg_context *ctx, bool use_git);
void bg_context_release(struct bg_context *ctx);

/* Fills env from this machine (uname, /proc, sysconf, os-release, cc --version). */
void bg_env_detect(struct bg_env *env);

/* True for 4..64 hex digits; lowercases s in place. */
bool bg_commit_ok(char *s);

/* Copies what ctx knows into run (run fields already set are kept), and
 * base_branch, fork_point and fork_time into its metadata (keys
 * "base_branch", "fork_point", "fork_point_time"), so pages and the API
 * judge a stored run as check did. */
void bg_context_apply(const struct bg_context *ctx, struct bg_run *run);

/* The committer time of commit (a checked SHA) in seconds since 1970, for
 * a baseline "made before the fork point" when the fork point itself has
 * no run; 0 outside a git repository or for a commit it lacks (shallow
 * clones). */
int64_t bg_git_commit_time(const char *commit);
/* git merge-base of HEAD and base_branch (origin's copy first), or NULL. */
char *bg_git_merge_base(const char *base_branch);

#endif /* BG_CORE_ENV_H */
