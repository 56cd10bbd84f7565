/*
 * collect.h: harness output in, one finished run out, in memory. Used by
 * `benchgate collect` (which then stores the run) and `benchgate check
 * FILE...` (which judges it without storing anything).
 */
#ifndef BG_COLLECTOR_COLLECT_H
#define BG_COLLECTOR_COLLECT_H

#include "core/bg.h"
#include "core/model.h"
#include "core/opt.h"

/* A run's time: unix seconds, up to the end of the year 9999 (--timestamp,
 * and the server's ?timestamp=). */
extern const struct bg_int_range collect_timestamps;

/* What the command line says about a run's origin; NULL/0 = not given. */
struct collect_origin {
    const char *project, *branch, *commit;
    int64_t timestamp;
    bool remote; /* uploaded to a server: this machine, its CI and git say nothing */
};

/*
 * Parses every path (file, directory or "-") into run, each through a run
 * of its own so that a bad file contributes nothing, then validates the
 * whole run. Errors and the parsers' warnings are printed. Without
 * keep_going the first bad path fails the call. Returns the number of bad
 * paths (0: all good), or -1 when nothing usable is left.
 */
int collect_paths(char *const paths[], int n, const char *format, bool keep_going,
                  struct bg_run *run);

/*
 * Fills where the run comes from: flags first, then what the input said
 * (benchgate's own documents), then CI variables, then git, then the
 * defaults ('default' project, 'main' branch, now); and the machine. A
 * remote origin skips CI, git and the machine: they describe the server.
 */
void collect_origin(struct bg_run *run, const struct collect_origin *o);

/*
 * Applies one "KEY=VALUE" metadata setting (--meta, or the server's meta=
 * query parameter): the keys os, kernel, arch, cpu_model, cores,
 * memory_bytes, compiler and runner set the environment, others are kept
 * as metadata. Returns 0, or -1 with d filled.
 */
int collect_meta(struct bg_run *run, const char *arg, struct bg_diag *d);

/*
 * Reads one benchgate run document (what collect --output json prints)
 * into an empty run and validates it (bg_run_finish): the git history's
 * reader (core/store_git.h). Returns 0, or -1 with d ("what: ...").
 */
int collect_read_document(const char *what, const char *data, size_t len, struct bg_run *run,
                          struct bg_diag *d);

#endif /* BG_COLLECTOR_COLLECT_H */
