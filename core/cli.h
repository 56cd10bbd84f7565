/*
 * cli.h: what every command shares: its entry point signature, the default
 * database path, and one way to report bad usage (exit status 2).
 */
#ifndef BG_CORE_CLI_H
#define BG_CORE_CLI_H

#include "core/bg.h"
#include "core/err.h"

#include <getopt.h>

/* A command: gets argv with argv[0] = its name, returns an enum bg_exit. */
typedef int bg_cmd_fn(int argc, char **argv);

bg_cmd_fn cmd_collect; /* collector/collect.c */
bg_cmd_fn cmd_check;   /* gate/check.c */
bg_cmd_fn cmd_baseline; /* gate/baseline.c */
bg_cmd_fn cmd_history;  /* gate/history.c */
bg_cmd_fn cmd_serve;    /* server/serve.c */
bg_cmd_fn cmd_token;    /* server/token.c */

/* --db default: $BENCHGATE_DB, else ./benchgate.db */
const char *bg_default_db(void);

/* Prints "benchgate: error: ..." and a pointer to --help; returns BG_EXIT_USAGE. */
int bg_usage_error(const char *cmd, const char *fmt, ...) BG_PRINTF(2, 3);

/*
 * Takes the value of a flag that names something (project, branch,
 * metric): valid UTF-8, no control characters, 1..1024 bytes. Sets *out
 * and returns 0, or prints the usage error and returns BG_EXIT_USAGE.
 */
int bg_name_flag(const char *cmd, const char *flag, const char *value, const char **out);

/* Resets getopt so a command can parse its own argv (commands may run twice in tests). */
void bg_getopt_reset(void);

/*
 * Flushes stdout and turns a lost write (full disk, closed pipe) into an
 * error: a run is not "pass" until its report was really written.
 */
int bg_finish_output(int rc);

#endif /* BG_CORE_CLI_H */
