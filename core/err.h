/*
 * err.h: diagnostics as values, exit codes, messages to the user, and
 * allocation that cannot fail.
 *
 * Messages follow one rule: "benchgate: error: <what failed>: <why>",
 * lowercase, no full stop, the subject quoted, file:line or a JSON path
 * where there is one. bg_error() returns -1 so callers can write
 * `return bg_error(...)`.
 */
#ifndef BG_CORE_ERR_H
#define BG_CORE_ERR_H

#include "core/bg.h"

/* The process exit status. CI must tell "slower" (1) from "broken" (2, 3). */
enum bg_exit {
    BG_EXIT_PASS = 0,       /* ok, or no regression */
    BG_EXIT_REGRESSION = 1, /* the only code that means "slower" */
    BG_EXIT_USAGE = 2,      /* bad flags or bad input files */
    BG_EXIT_STORE = 3,      /* database or server unreachable or failing */
};

/* Size of a diagnostic message buffer; longer messages are cut. */
#define BG_DIAG_MAX 1024

/* What kind of failure a diagnostic reports; each command and the server
 * answer it the same way (exit status 2 or 3; HTTP 400, 404 or 503). */
enum bg_fault {
    BG_FAULT_INPUT = 0, /* bad usage or bad input */
    BG_FAULT_MISSING,   /* what was named does not exist */
    BG_FAULT_BROKEN,    /* the database or the server failed or cannot be reached */
};

/*
 * Where a library function leaves its one error message instead of
 * printing it: the command layer prints it (cli.h, bg_cmd_fail) and the
 * server sends it. Zero-initialise: { 0 }.
 */
struct bg_diag {
    char msg[BG_DIAG_MAX];
    enum bg_fault fault;
};

/* Formats into d->msg (when d is not NULL), as bad input, and returns -1. */
int bg_fail(struct bg_diag *d, const char *fmt, ...) BG_PRINTF(2, 3);
/* The same for another kind of failure. */
int bg_fail_as(struct bg_diag *d, enum bg_fault fault, const char *fmt, ...) BG_PRINTF(3, 4);

/* A copy of s fit for a log line or a terminal: at most size - 1 bytes,
 * control bytes (and DEL) as '?'. */
void bg_printable(char *out, size_t size, const char *s);

/* "benchgate: error: ...\n" on stderr, bounded and made printable; returns -1. */
int bg_error(const char *fmt, ...) BG_PRINTF(1, 2);
/* "benchgate: warning: ...\n" on stderr. */
void bg_warn(const char *fmt, ...) BG_PRINTF(1, 2);
/* Prints the error and exits with status 3: for states that must not happen. */
BG_NORETURN void bg_die(const char *fmt, ...) BG_PRINTF(1, 2);

/* Allocation: out of memory is fatal (exit 3), so callers never see NULL. */
void *bg_xmalloc(size_t n);
void *bg_xcalloc(size_t count, size_t size);
void *bg_xrealloc(void *p, size_t n);
char *bg_xstrdup(const char *s);
char *bg_xstrndup(const char *s, size_t n);

/*
 * Makes room for at least `need` elements of `elem` bytes in the array *p
 * of capacity *cap, growing geometrically; overflow is fatal.
 */
void bg_grow(void **p, size_t *cap, size_t need, size_t elem);
#define BG_GROW(arr, cap, need) bg_grow((void **)&(arr), &(cap), (need), sizeof(*(arr)))

#endif /* BG_CORE_ERR_H */
