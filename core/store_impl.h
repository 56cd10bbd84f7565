/*
 * store_impl.h: what a storage backend fills in; included by core/store.c
 * and the backends only, never by callers of core/store.h.
 *
 * Like git's `struct ref_storage_be`: each backend is one table of
 * functions, and `struct store` is the part every backend's own store
 * struct begins with. core/store.c picks the backend from the locator,
 * clears nothing and checks nothing that is the backend's business: each
 * function below has exactly the contract of its store_* namesake in
 * core/store.h, with the store's diagnostic filled on failure.
 */
#ifndef BG_CORE_STORE_IMPL_H
#define BG_CORE_STORE_IMPL_H

#include "core/bg.h"
#include "core/store.h"

struct store_backend;

/* The first member of every backend's store. */
struct store {
    const struct store_backend *be;
    char *name;            /* for messages: the path, or the URI without a password */
    struct bg_diag diag;   /* the last failure, "" when none */
    bool unavailable;      /* ...and whether it was losing the server */
    struct store_git *git; /* a git history (core/store_git.h) in memory, else NULL */
    size_t sample_cap;     /* samples a loaded result keeps at most; 0: all */
};

struct store_backend {
    const char *engine;    /* "sqlite", "postgres" */
    const size_t *n_migrations; /* the schema version it writes (generated code) */

    /* target is the locator without its "sqlite:" prefix (PostgreSQL: the whole URI);
     * name is what messages call it. Returns the backend's store, base filled. */
    int (*open)(const char *target, const char *name, bool create, struct store **out,
                struct bg_diag *d);
    int (*close)(struct store *st, struct bg_diag *d);

    int (*generation)(struct store *st, int64_t *generation);
    /* keep_id: import (copy) a run with its id */
    int (*put_run)(struct store *st, struct bg_run *run, bool keep_id);
    int (*latest_run)(struct store *st, const char *project, const char *branch,
                      int64_t before_id, int64_t *id);
    int (*load_run)(struct store *st, int64_t id, bool samples, struct bg_run *run);
    int (*list_runs)(struct store *st, const char *project, const char *branch,
                     const char *fingerprint, int64_t before_id, size_t max,
                     struct store_run_info **out);
    int (*run_by_commit)(struct store *st, const char *project, const char *sha, int64_t *id);
    /* pinned_at 0: now */
    int (*pin_set)(struct store *st, const char *project, const char *branch, int64_t run_id,
                   int64_t pinned_at);
    int (*pin_get)(struct store *st, const char *project, const char *branch, int64_t *run_id,
                   int64_t *pinned_at);
    int (*pin_clear)(struct store *st, const char *project, const char *branch);
    int (*pin_list)(struct store *st, struct store_pin **out);
    int (*history)(struct store *st, const char *project, const char *name, const char *metric,
                   const char *branch, const char *fingerprint, size_t limit,
                   struct store_point **out);
    int (*project_exists)(struct store *st, const char *project);
    int (*list_projects)(struct store *st, struct store_project **out);
    int (*list_benchmarks)(struct store *st, const char *project, struct store_benchmark **out);
    int (*list_branches)(struct store *st, const char *project, struct store_branch **out);
    int (*list_environments)(struct store *st, const char *project,
                             struct store_environment **out);
    /* created_at 0: now */
    int (*token_add)(struct store *st, const char *project, const char *id,
                     const unsigned char hash[STORE_TOKEN_HASH], const char *name,
                     int64_t created_at, int64_t revoked_at);
    int (*token_find)(struct store *st, const char *id, char project[BG_NAME_MAX + 1],
                      unsigned char hash[STORE_TOKEN_HASH], bool *revoked);
    int (*token_list)(struct store *st, const char *project, struct store_token **out);
    int (*token_revoke)(struct store *st, const char *project, const char *id);
    int (*token_export)(struct store *st, struct store_token_record **out);
    int (*run_ids)(struct store *st, int64_t after, size_t max, int64_t **out);
    int (*counts)(struct store *st, struct store_counts *out);
    int (*prune)(struct store *st, const char *project, int64_t before, size_t max_runs,
                 bool dry_run, struct store_prune_stats *stats);
};

extern const struct store_backend store_backend_sqlite; /* core/store_sqlite.c */
extern const struct store_backend store_backend_pg;     /* core/store_pg.c */

/* ---- shared by the backends (core/store.c) ---- */

/* Records a failure in st ("database 'NAME': ..." is the caller's to write)
 * and returns -1. */
int store_fail(struct store *st, const char *fmt, ...) BG_PRINTF(2, 3);
/* The same, marking the failure as the server being unreachable. */
int store_fail_unavailable(struct store *st, const char *fmt, ...) BG_PRINTF(2, 3);
/* The same with STORE_REJECTED: the data is at fault. */
int store_reject(struct store *st, const char *fmt, ...) BG_PRINTF(2, 3);

/* A JSON object of key/value pairs ("{}" when empty); free with cJSON_free. */
char *store_kv_json(const struct bg_kv *kv, size_t n);
/* Parses a stored JSON object of strings (NULL: none) into pairs. */
int store_kv_parse(struct store *st, const char *json, struct bg_kv **kv, size_t *n);

/* Samples travel as little-endian IEEE-754 doubles, 8 bytes each: a plain
 * copy on every machine benchgate runs on today, a byte swap elsewhere.
 * samples_le returns v itself or *scratch (caller frees *scratch). */
const void *store_samples_le(const double *v, size_t n, unsigned char **scratch);
void store_samples_from_le(const void *bytes, size_t n, double *out);
/* res's samples from n of them as stored, every k-th one past the store's
 * sample cap (store_set_sample_cap). */
void store_result_samples(const struct store *st, struct bg_result *res, const void *bytes,
                          size_t n);

/* Appends a zeroed element of elem bytes to the array *rows of *n, growing
 * *cap; returns it. */
void *store_row_add(void **rows, size_t *n, size_t *cap, size_t elem);

#endif /* BG_CORE_STORE_IMPL_H */
