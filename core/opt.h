/*
 * opt.h: a command's options as data: one table says what each option is,
 * what it takes, where it goes and what it means, and both the parser and
 * the --help text are made from it, so they cannot drift apart.
 *
 * A number's range is a value of its own (struct bg_int_range and
 * bg_real_range), so the server can check a query parameter against the
 * very range the command line uses. Defaults are whatever the options
 * struct holds before parsing; the help text reads them from there.
 *
 *     struct history_opts { const char *db, *project; int64_t limit; };
 *     static const struct bg_opt options[] = {
 *         BG_OPT_DB(struct history_opts, db),
 *         BG_OPT_PROJECT(struct history_opts, project),
 *         { "limit", 0, "N", BG_OPT_INT, offsetof(struct history_opts, limit),
 *           .ints = &history_limit, .help = "the newest N runs" },
 *     };
 */
#ifndef BG_CORE_OPT_H
#define BG_CORE_OPT_H

#include "core/bg.h"
#include "core/err.h"

struct bg_int_range {
    int64_t lo, hi;
};

struct bg_real_range {
    double lo, hi;
};

/* Whole text in range into *out; else -1 and d says "'TEXT': WHY (LO to HI)". */
int bg_range_int(const struct bg_int_range *r, const char *text, int64_t *out,
                 struct bg_diag *d);
int bg_range_real(const struct bg_real_range *r, const char *text, double *out,
                  struct bg_diag *d);

enum bg_opt_kind {
    BG_OPT_FLAG,   /* no value: sets a bool */
    BG_OPT_TEXT,   /* a non-empty string: const char * */
    BG_OPT_NAME,   /* a project, branch or metric name (bg_name_problem): const char * */
    BG_OPT_INT,    /* int64_t within *ints */
    BG_OPT_SIZE,   /* size_t within *ints */
    BG_OPT_UINT,   /* unsigned within *ints */
    BG_OPT_REAL,   /* double within *reals */
    BG_OPT_CHOICE, /* one of choices[] (NULL-terminated): its index, as int */
    BG_OPT_CALL,   /* call(opts, value, d) checks and stores the value */
};

struct bg_opt {
    const char *name;    /* "threshold", for --threshold */
    char letter;         /* 't' for -t, or 0 */
    const char *arg;     /* what the value is called in the help ("F"); NULL for flags */
    enum bg_opt_kind kind;
    size_t offset;       /* of the field in the command's options struct */
    const struct bg_int_range *ints;
    const struct bg_real_range *reals;
    const char *const *choices;
    int (*call)(void *opts, const char *value, struct bg_diag *d); /* 0, or -1 with d */
    const char *help;    /* sentences; the help printer wraps them */
};

/* The options every command that uses them spells the same way. */
#define BG_OPT_DB(type, field)                                                              \
    { "db", 0, "LOCATOR", BG_OPT_TEXT, offsetof(type, field),                             \
      .help = "the store: a SQLite file (PATH or sqlite:PATH) or a PostgreSQL URI "         \
              "(postgres://...) (default $BENCHGATE_DB, else ./benchgate.db)" }
#define BG_OPT_PROJECT(type, field)                                                         \
    { "project", 0, "NAME", BG_OPT_NAME, offsetof(type, field),                           \
      .help = "project (default $GITHUB_REPOSITORY, $CI_PROJECT_PATH, else the git "        \
              "top-level folder's name, else 'default')" }
#define BG_OPT_BRANCH(type, field, help_)                                                   \
    { "branch", 0, "NAME", BG_OPT_NAME, offsetof(type, field), .help = (help_) }
#define BG_OPT_SERVER(type, field)                                                          \
    { "server", 0, "URL", BG_OPT_TEXT, offsetof(type, field),                             \
      .help = "a benchgate server to use instead of a database (default $BENCHGATE_SERVER)" }
#define BG_OPT_TOKEN(type, field)                                                           \
    { "token", 0, "TOKEN", BG_OPT_TEXT, offsetof(type, field),                            \
      .help = "the project's token for that server (default $BENCHGATE_TOKEN)" }

/* A command as its --help describes it. */
struct bg_command {
    const char *name;     /* "check" */
    const char *synopsis; /* after "usage: benchgate NAME ": "[options] [FILE...]"; several
                           * forms are separated by '\n' */
    const char *about;    /* what it does: paragraphs, printed as written */
    const struct bg_opt *opts;
    size_t n_opts;
    const char *more;     /* after the options: paragraphs, ending with the exit status */
};

/* The result of parsing a command line. */
enum bg_parse {
    BG_PARSE_OK,   /* go on with args */
    BG_PARSE_HELP, /* -h or --help: print the help, exit 0 */
    BG_PARSE_BAD,  /* d says what is wrong: exit 2 */
};

/*
 * Parses argv (argv[0] is the command's name) into the struct at opts as
 * cmd's table says; -h and --help are understood for every command.
 * Options and arguments may come in any order; "--" ends the options. The
 * arguments that are not options are left in *args, *n_args of them.
 * Not thread-safe (getopt's state): commands parse before any thread.
 */
enum bg_parse bg_opt_parse(const struct bg_command *cmd, int argc, char **argv, void *opts,
                           char ***args, int *n_args, struct bg_diag *d);

/* The --help text of cmd, with the defaults that opts holds. */
void bg_opt_usage(FILE *out, const struct bg_command *cmd, const void *opts);

#endif /* BG_CORE_OPT_H */
