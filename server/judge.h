/*
 * judge.h: stored runs judged as `benchgate check` would judge them, for
 * the dashboards: which run is newest, which branch baselines come from,
 * and the verdicts against the baseline gate/baseline.c chooses.
 */
#ifndef BG_SERVER_JUDGE_H
#define BG_SERVER_JUDGE_H

#include "core/bg.h"
#include "gate/baseline.h"
#include "gate/compare.h"
#include "server/http.h"

/* A run judged against its baseline, as `benchgate check` would. */
struct judged {
    struct bg_run cur;
    struct baseline base;
    struct gate_report report;
};

void judge_release(struct judged *j);

/* The branch a project's baselines come from: main, else master, else the
 * busiest; 503 made when the store fails. */
int judge_base_branch(const struct http_request *rq, const char *project,
                      char out[BG_NAME_MAX + 1], struct http_response *rs);

/* Judges j->cur (loaded); without interval, the change's bootstrap
 * interval is skipped (the verdict does not depend on it). */
int judge_loaded_run(const struct http_request *rq, const char *project, const char *base,
                     bool interval, struct judged *j, struct http_response *rs);

/* Loads stored run id and judges it. */
int judge_stored_run(const struct http_request *rq, const char *project, int64_t id,
                     const char *base, bool interval, struct judged *j, struct http_response *rs);

/* The newest run of project on branch and machine env (NULL: any); 0 when none. */
int judge_newest_run(const struct http_request *rq, const char *project, const char *branch,
                     const char *env, int64_t *id, struct http_response *rs);

#endif /* BG_SERVER_JUDGE_H */
