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

#endif /* BG_CORE_STORE_H */
