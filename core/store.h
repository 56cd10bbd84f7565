/*
 * store.h: where runs live, behind one interface and several engines.
 *
 * A store opens from a locator: a path or "sqlite:PATH" (one SQLite file,
 * the default), or a libpq connection URI "postgres://..." or
 * "postgresql://..." (one PostgreSQL database that several servers can
 * share). Callers never see which: every function below dispatches through
 * the backend table in core/store_impl.h, and only the backends
 * (core/store_sqlite.c, core/store_pg.c) speak SQL.
 *
 * Errors are values. A function that fails returns -1 (or STORE_REJECTED
 * when the data, not the database, is at fault) and leaves a message naming
 * the database in the store, read with store_errmsg(); nothing here prints.
 * The command layer prints it (core/cli.h: bg_store_open, bg_store_close),
 * the server logs it and answers 503.
 *
 * Every change (a run, a pin, a token, a prune) bumps the store's write
 * generation in the same transaction, so anything computed from the store
 * after reading generation G is at least as new as G: caches key on it.
 */
#ifndef BG_CORE_STORE_H
#define BG_CORE_STORE_H

#include "core/bg.h"
#include "core/err.h"
#include "core/model.h"

struct store;

/*
 * Opens the store the locator names and brings its schema up to date
 * (PostgreSQL: under an advisory lock, so replicas starting together
 * migrate once). With create false a store that does not exist yet (no
 * file; a database without benchgate's tables) is an error rather than a
 * new empty one: check must not invent one. Refuses a store from a newer
 * benchgate. Returns 0, or -1 with d filled and *out NULL.
 */
int store_open(const char *locator, bool create, struct store **out, struct bg_diag *d);
/* Closes (NULL is fine); returns -1 with d filled when something was left
 * open (a leak in benchgate) or the close failed. */
int store_close(struct store *st, struct bg_diag *d);

/* The most recent failure's message ("" when none), naming the database. */
const char *store_errmsg(const struct store *st);
/* True when that failure was losing (or not reaching) the database server:
 * the same request may well succeed in a moment. */
bool store_unavailable(const struct store *st);
/* Forgets the last failure (the server does, once it has logged it). */
void store_clear_error(struct store *st);
/* Moves the last failure into d (BG_FAULT_BROKEN, or BG_FAULT_INPUT for
 * STORE_REJECTED) and forgets it; returns -1. For library code that
 * reports through a diagnostic of its own. */
int store_take_error(struct store *st, struct bg_diag *d);

/* "sqlite" or "postgres". */
const char *store_engine(const struct store *st);
/* The store as messages name it: the path, or the URI without its password. */
const char *store_name(const struct store *st);
/* The same for a locator not opened (yet); writes at most size bytes. */
void store_locator_display(const char *locator, char *buf, size_t size);
/* Whether a locator names a PostgreSQL database. */
bool store_locator_is_pg(const char *locator);

/* The schema version this build writes for an engine ("sqlite",
 * "postgres"): the number of its migrations; -1 for an unknown engine. */
int store_schema_version(const char *engine);

/* Returned when the data, not the database, is at fault (exit status 2). */
#define STORE_REJECTED (-2)

/*
 * Writes a finished run (bg_run_finish) in one transaction: all of it or
 * nothing. Sets run->id. Returns STORE_REJECTED, writing nothing, when a
 * benchmark was stored before with another unit.
 */
int store_put_run(struct store *st, struct bg_run *run);

/*
 * The write generation: a number that grows with every committed change
 * (runs, pins, tokens, pruning) and with nothing else. Anything read from
 * the store after the generation was G reflects at least every change up
 * to G, so an answer computed then may be cached under G. Returns 0, or -1.
 */
int store_generation(struct store *st, int64_t *generation);

/*
 * The newest run of project on branch, by (timestamp, id). With before_id
 * non-zero, only runs older than that run count. Returns 1 and sets *id
 * when found, 0 when there is none, -1 on error.
 */
int store_latest_run(struct store *st, const char *project, const char *branch,
                     int64_t before_id, int64_t *id);

/*
 * Loads run id with its environment, results and samples into an empty run.
 * A result whose samples were pruned comes back with its stored summary,
 * no samples and `pruned` set. Returns 1 when found, 0 when there is no
 * such run, -1 on error.
 */
int store_load_run(struct store *st, int64_t id, struct bg_run *run);

/*
 * From now on store_load_run keeps at most cap samples of a result: past
 * that, every k-th one (k = ceil(n / cap)), the first included. The stored
 * summary is still that of every sample, so res->sum.n > res->n_samples
 * says a result was thinned. 0 (the default): every sample. The server sets
 * a cap for what it judges, so that no stored run makes a request read
 * more than that; what it hands out as data (GET .../runs/ID) is whole.
 */
void store_set_sample_cap(struct store *st, size_t cap);

/*
 * The same without reading any samples: every result has its stored
 * summary (n, min, mean, median, p95, max, stddev), samples NULL, and
 * `pruned` and `summary_only` as stored, so a result of a pruned run looks
 * exactly like one of a run whose samples are still there. For histories
 * and gates that need only the summaries of many runs.
 */
int store_load_run_summary(struct store *st, int64_t id, struct bg_run *run);

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
    bool pruned;                        /* the samples were dropped, the summary kept */
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

/* Returns 1 when project has been stored (a run or a token), 0 when not, -1. */
int store_project_exists(struct store *st, const char *project);

struct store_project {
    char name[BG_NAME_MAX + 1];
    int64_t n_runs;
    int64_t last_run; /* newest run's timestamp, 0 when none */
};

/* Every project, by name (byte order). Sets *out (caller frees); returns the
 * count or -1. */
int store_list_projects(struct store *st, struct store_project **out);

struct store_benchmark {
    char name[BG_NAME_MAX + 1];
    char metric[65], unit[65];
    enum bg_direction direction;
    int64_t n_results; /* runs that measured it */
};

/* A project's benchmarks by (name, metric), in byte order. Sets *out
 * (caller frees); returns the count or -1. */
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

/* ---- moving a store: benchgate copy (admin/copy.c) ---- */

/* Run ids greater than after, ascending, at most max. Sets *out (caller
 * frees); returns the count or -1. */
int store_run_ids(struct store *st, int64_t after, size_t max, int64_t **out);

/*
 * Writes a run as another store held it: run->id is kept (it must not be
 * in use: STORE_REJECTED otherwise). One transaction, like store_put_run.
 * (Either keeps a result's pruned state: a pruned result is its summary.)
 */
int store_import_run(struct store *st, struct bg_run *run);

struct store_pin {
    char project[BG_NAME_MAX + 1];
    char branch[BG_NAME_MAX + 1];
    int64_t run_id, pinned_at;
};

/* Every pin, by project and branch. Sets *out (caller frees); returns the count or -1. */
int store_pin_list(struct store *st, struct store_pin **out);
/* Sets a pin with its time; the run must exist in the project (STORE_REJECTED). */
int store_pin_import(struct store *st, const struct store_pin *pin);

/* A token with everything the store keeps of it. */
struct store_token_record {
    char project[BG_NAME_MAX + 1];
    struct store_token token;
    unsigned char hash[STORE_TOKEN_HASH];
};

/* Every token, by id. Sets *out (caller frees); returns the count or -1. */
int store_token_export(struct store *st, struct store_token_record **out);
/* Adds a token as it was (creating its project when new); returns 1 when
 * added, 0 when an identical one is there, STORE_REJECTED when its id is
 * taken by a different one. */
int store_token_import(struct store *st, const struct store_token_record *t);

/* What a store holds, counted in the database. */
struct store_counts {
    int64_t projects, runs, results, samples, pruned, pins, tokens;
};
int store_counts(struct store *st, struct store_counts *out);

/* ---- retention: benchgate prune (admin/prune.c) ---- */

struct store_prune_stats {
    int64_t runs, results, samples;
};

/*
 * Drops the raw samples of the results of runs made before `before` (unix
 * seconds) of project (NULL: every project), keeping their summaries and
 * marking them pruned. Runs pinned as baselines keep their samples. Works
 * on at most max_runs runs, oldest first, in one transaction, so a caller
 * loops until it returns 0; adds what it did to *stats. With dry_run it
 * changes nothing and counts every run it would prune. Returns the number
 * of runs pruned (or counted), or -1.
 */
int store_prune(struct store *st, const char *project, int64_t before, size_t max_runs,
                bool dry_run, struct store_prune_stats *stats);

#endif /* BG_CORE_STORE_H */
