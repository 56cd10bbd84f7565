/*
 * remote.h: check against a benchgate server instead of a database: the
 * current run and the baseline come from the server's API, and the
 * comparison and report are the same as for a local check.
 */
#ifndef BG_GATE_REMOTE_H
#define BG_GATE_REMOTE_H

#include "core/bg.h"
#include "core/http_client.h"
#include "gate/baseline.h"

/* The newest run of project on branch, from the server. Returns 0, or -1
 * with d: none there (BG_FAULT_MISSING), refused, or unreachable. */
int remote_latest_run(const struct bg_server *srv, const char *project, const char *branch,
                      struct bg_run *cur, struct bg_diag *d);

/* The server's choice of baseline for cur under req (same rules as
 * baseline_select). Returns 0, or -1 with d. */
int remote_baseline(const struct bg_server *srv, const struct bg_run *cur,
                    const struct baseline_request *req, struct baseline *out,
                    struct bg_diag *d);

#endif /* BG_GATE_REMOTE_H */
