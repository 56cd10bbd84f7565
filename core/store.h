/*
 * store.h: where runs live. The interface has no SQLite types in it, so a
 * PostgreSQL backend can sit behind it later; core/store_sqlite.c is the
 * only file that speaks SQL.
 *
 * Every function prints its own error (naming the database) and returns -1
 * on failure; callers map that to exit status 3 (BG_EXIT_STORE).
 */
#ifndef BG_CORE_STORE_H
#define BG_CORE_STORE_H

#include "core/bg.h"
#include "core/model.h"

struct store;

/*
 * Opens the database at path and brings its schema up to date. With create
 * false a missing file is an error rather than a new empty database (check
 * must not invent one). Refuses a database from a newer benchgate.
 */
int store_open(const char *path, bool create, struct store **out);
/* Closes; returns -1 if statements were left open (a leak in benchgate). */
int store_close(struct store *st);

/* The schema version this build writes (the number of migrations). */
int store_schema_version(void);

/* Returned when the data, not the database, is at fault (exit status 2). */
#define STORE_REJECTED (-2)

/*
 * Writes a finished run (bg_run_finish) in one transaction: all of it or
 * nothing. Sets run->id. Returns STORE_REJECTED, writing nothing, when a
 * benchmark was stored before with another unit.
 */
int store_put_run(struct store *st, struct bg_run *run);

/*
 * The newest run of project on branch, by (timestamp, id). With before_id
 * non-zero, only runs older than that run count. Returns 1 and sets *id
 * when found, 0 when there is none, -1 on error.
 */
int store_latest_run(struct store *st, const char *project, const char *branch,
                     int64_t before_id, int64_t *id);

/* Loads run id with its environment, results and samples into an empty run.
 * Returns 1 when found, 0 when there is no such run, -1 on error. */
int store_load_run(struct store *st, int64_t id, struct bg_run *run);

/* A run as a list entry: enough to choose a baseline or label a history. */
struct store_run_info {
    int64_t id, timestamp;
    char commit[65];      /* "" when the run has none */
    char fingerprint[17]; /* the machine's, see bg_env_fingerprint() */
    char branch[BG_NAME_MAX + 1];
    char tool[128];       /* cut if longer */
    size_t n_results;
};

/*
 * Up to max runs of project on branch (NULL: any branch) made on machines
 * with fingerprint (NULL: any), newest first (by timestamp, then id); with
 * before_id non-zero (a branch given, fingerprint NULL) only runs older than
 * that one. Sets *out (caller frees) and returns the count, or -1.
 */
int store_list_runs(struct store *st, const char *project, const char *branch,
                    const char *fingerprint, int64_t before_id, size_t max,
                    struct store_run_info **out);

/* The newest run of project whose commit starts with sha (4..64 lowercase
 * hex digits). Returns 1 and sets *id, 0 when none, -1 on error. */
int store_run_by_commit(struct store *st, const char *project, const char *sha, int64_t *id);

/*
 * Pinned baselines: one run that stands for (project, branch) in place of
 * the branch's newest. set replaces an existing pin (the run must belong to
 * the project: STORE_REJECTED otherwise); get returns 1 and fills run_id and
 * pinned_at, 0 when there is no pin; clear returns 1 when it removed one.
 */
int store_pin_set(struct store *st, const char *project, const char *branch, int64_t run_id);
int store_pin_get(struct store *st, const char *project, const char *branch, int64_t *run_id,
                  int64_t *pinned_at);
int store_pin_clear(struct store *st, const char *project, const char *branch);

/* One point of a benchmark's history: a run's stored summary of it. */
struct store_point {
    int64_t run_id, timestamp;
    char commit[65];
    char branch[BG_NAME_MAX + 1];
    char unit[65];
    size_t n;
    double p95, median, mean, min, max; /* NAN where a summary-only harness gave none */
    bool summary_only;
    char fingerprint[17];               /* the run's machine */
};

/*
 * The last `limit` results of (project, name, metric), on branch (NULL: any
 * branch) and machines with fingerprint (NULL: any), oldest first. Sets
 * *out (caller frees); returns the count or -1.
 */
int store_history(struct store *st, const char *project, const char *name, const char *metric,
                  const char *branch, const char *fingerprint, size_t limit,
                  struct store_point **out);

/*
 * The store's version for caching: the newest run id (0 when empty). Runs
 * are only added, never changed or deleted, so anything computed from runs
 * and results is the same while this is. Returns 0, or -1.
 */
int store_version(struct store *st, int64_t *version);

/* Returns 1 when project has been stored (a run or a token), 0 when not, -1. */
int store_project_exists(struct store *st, const char *project);

struct store_project {
    char name[BG_NAME_MAX + 1];
    int64_t n_runs;
    int64_t last_run; /* newest run's timestamp, 0 when none */
};

/* Every project, by name. Sets *out (caller frees); returns the count or -1. */
int store_list_projects(struct store *st, struct store_project **out);

struct store_benchmark {
    char name[BG_NAME_MAX + 1];
    char metric[65], unit[65];
    enum bg_direction direction;
    int64_t n_results; /* runs that measured it */
};

/* A project's benchmarks by (name, metric). Sets *out (caller frees);
 * returns the count or -1. */
int store_list_benchmarks(struct store *st, const char *project, struct store_benchmark **out);

/* The branches of project that have runs, the newest run's first. */
struct store_branch {
    char name[BG_NAME_MAX + 1];
    int64_t n_runs, last_run;
};
int store_list_branches(struct store *st, const char *project, struct store_branch **out);

/* The machines project's runs were made on (one per fingerprint, described
 * by its newest run), the most recently used first. */
struct store_environment {
    char fingerprint[17];
    char cpu_model[128], os[128], arch[32]; /* cut if longer; "" when unknown */
    int64_t cores, n_runs, last_run;
};
int store_list_environments(struct store *st, const char *project,
                            struct store_environment **out);

/*
 * Upload tokens (server/token.c makes and checks them; the store keeps only
 * the SHA-256 of the secret). add creates the project when new; find
 * returns 1 with the token's project, hash and state, 0 when the id is
 * unknown; revoke returns 1 when it revoked a valid token of project.
 */
#define STORE_TOKEN_HASH 32

struct store_token {
    char id[17];
    char name[BG_NAME_MAX + 1];
    int64_t created_at, revoked_at; /* revoked_at 0 while valid */
};

int store_token_add(struct store *st, const char *project, const char *id,
                    const unsigned char hash[STORE_TOKEN_HASH], const char *name);
int store_token_find(struct store *st, const char *id, char project[BG_NAME_MAX + 1],
                     unsigned char hash[STORE_TOKEN_HASH], bool *revoked);
int store_token_list(struct store *st, const char *project, struct store_token **out);
int store_token_revoke(struct store *st, const char *project, const char *id);

#endif /* BG_CORE_STORE_H */
