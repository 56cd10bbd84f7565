/*
 * collect_helpers.h: what the parser tests share: collect a fixture file or
 * a literal text the way `benchgate collect` does (detect, parse, finish),
 * find a result, and expect a rejection whose message says something.
 */
#ifndef BG_TESTS_COLLECT_HELPERS_H
#define BG_TESTS_COLLECT_HELPERS_H

#include "tests/unit/harness.h"
#include "collector/formats.h"
#include "core/buf.h"

/* Collects fixture rel (a file or a folder) into run; returns 0 or -1 with d. */
static inline int collect_fixture(const char *rel, struct bg_run *run, struct bg_diag *d)
{
    char path[512];
    int rc;

    fixture(path, sizeof(path), rel);
    rc = bg_collect_path(path, NULL, run, d);
    return rc == 0 ? bg_run_finish(run, rel, d) : rc;
}

/* Collects text as if it were the file label, with format (NULL: detect). */
static inline int collect_text(const char *label, const char *format, const char *text,
                               struct bg_run *run, struct bg_diag *d)
{
    int rc = bg_collect_bytes(label, text, strlen(text), format, run, d);

    return rc == 0 ? bg_run_finish(run, label, d) : rc;
}

/* The result (name, metric) of run; fails the test when there is none. */
static inline const struct bg_result *find_result(const struct bg_run *run, const char *name,
                                                  const char *metric)
{
    for (size_t i = 0; i < run->n_results; i++) {
        if (strcmp(run->results[i].name, name) == 0 && strcmp(run->results[i].metric, metric) == 0)
            return &run->results[i];
    }
    fail_msg("no result '%s' (%s)", name, metric);
    return NULL;
}

/* text, collected as label, is rejected with a message naming label and holding want. */
static inline void expect_rejected(const char *label, const char *format, const char *text,
                                   const char *want)
{
    struct bg_run run;
    struct bg_diag d = { 0 };

    bg_run_init(&run);
    if (collect_text(label, format, text, &run, &d) == 0)
        fail_msg("accepted %s", text);
    if (strstr(d.msg, want) == NULL)
        fail_msg("message '%s' lacks '%s'", d.msg, want);
    if (strstr(d.msg, label) == NULL && format == NULL)
        fail_msg("message '%s' does not name '%s'", d.msg, label);
    bg_run_release(&run);
}

#endif /* BG_TESTS_COLLECT_HELPERS_H */
