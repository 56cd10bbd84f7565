/*
 * cli.h: what every command shares: its entry point signature, its command
 * line (core/opt.h) with the help or the error printed, the default
 * database path, and one way to report bad usage (exit status 2).
 */
#ifndef BG_CORE_CLI_H
#define BG_CORE_CLI_H

#include "core/bg.h"
#include "core/err.h"
#include "core/opt.h"

/* A command: gets argv with argv[0] = its name, returns an enum bg_exit. */
typedef int bg_cmd_fn(int argc, char **argv);

bg_cmd_fn cmd_collect; /* collector/collect.c */
bg_cmd_fn cmd_check;   /* gate/check.c */
bg_cmd_fn cmd_baseline; /* gate/baseline.c */
bg_cmd_fn cmd_compare;  /* gate/compare_cmd.c */
bg_cmd_fn cmd_ab;       /* gate/ab_cmd.c */
bg_cmd_fn cmd_comment;  /* gate/comment.c */
bg_cmd_fn cmd_history;  /* gate/history.c */
bg_cmd_fn cmd_serve;    /* server/serve.c */
bg_cmd_fn cmd_publish;  /* server/publish.c */
bg_cmd_fn cmd_token;    /* server/token.c */
bg_cmd_fn cmd_copy;     /* admin/copy.c */
bg_cmd_fn cmd_prune;    /* admin/prune.c */

/* --db default: $BENCHGATE_DB, else ./benchgate.db (a locator: a path,
 * sqlite:PATH, or a postgres:// URI; see core/store.h) */
const char *bg_default_db(void);

/*
 * The one place a failure becomes an exit status: prints d's message as
 * "benchgate: error: ..." and returns 2 for bad input or something missing,
 * 3 when the database or server failed.
 */
int bg_cmd_fail(const struct bg_diag *d);

struct store;

/*
 * The command layer's side of the store's errors-as-values: open prints
 * why a store cannot be opened and returns BG_EXIT_STORE (0 when open);
 * close closes and, when the command ends with BG_EXIT_STORE, prints the
 * store's last failure first (the store itself never prints). Returns rc,
 * or BG_EXIT_STORE when the close itself failed.
 */
int bg_store_open(const char *locator, bool create, struct store **out);
int bg_store_close(struct store *st, int rc);

/* Prints "benchgate: error: ..." and a pointer to --help; returns BG_EXIT_USAGE. */
int bg_usage_error(const char *cmd, const char *fmt, ...) BG_PRINTF(2, 3);

/*
 * Parses a command line with bg_opt_parse; prints the help (on stdout) or
 * the usage error (on stderr, with a pointer to --help). A command goes on
 * after BG_PARSE_OK, and otherwise returns bg_parse_exit() of the result.
 */
enum bg_parse bg_cmd_parse(const struct bg_command *cmd, int argc, char **argv, void *opts,
                           char ***args, int *n_args);
/* The exit status after BG_PARSE_HELP (0, once the help is written) or BG_PARSE_BAD (2). */
int bg_parse_exit(enum bg_parse p);

/*
 * Flushes stdout and turns a lost write (full disk, closed pipe) into an
 * error: a run is not "pass" until its report was really written.
 */
int bg_finish_output(int rc);

#endif /* BG_CORE_CLI_H */
