/* lookup.c: projects and runs named by a request (see lookup.h). */
#include "core/bg.h"
#include "server/lookup.h"
#include "collector/collect.h"
#include "collector/formats.h"
#include "core/env.h"
#include "core/num.h"

bool lookup_project(const struct http_request *rq, const char *project,
                    struct http_response *rs)
{
    int found = store_project_exists(rq->st, project);

    if (found < 0)
        http_store_failed(rs);
    else if (found == 0)
        http_error(rs, 404, "not_found", "no project '%s'", project);
    return found == 1;
}

bool lookup_run(const struct http_request *rq, const char *project, const char *id_text,
                struct bg_run *run, struct http_response *rs)
{
    int64_t id;
    const char *why;
    int found;

    if (bg_parse_int64(id_text, 1, INT64_MAX, &id, &why) < 0) {
        http_error(rs, 400, "bad_request", "run id '%.32s': %s", id_text, why);
        return false;
    }
    found = store_load_run(rq->st, id, run);
    if (found < 0) {
        http_store_failed(rs);
        return false;
    }
    if (found == 0 || strcmp(run->project, project) != 0) {
        http_error(rs, 404, "not_found", "project '%s' has no run %" PRId64, project, id);
        return false;
    }
    return true;
}

bool lookup_body_run(const struct http_request *rq, const char *project, struct bg_run *run,
                     struct http_response *rs)
{
    struct collect_origin origin = { project, NULL, NULL, 0, true };
    const char *format = route_query_get(rq->query, "format"), *commit;
    struct bg_diag d = { 0 };
    char sha[65];

    if (format != NULL && bg_format_find(format) == NULL) {
        http_error(rs, 400, "bad_request", "unknown format '%.64s' (see benchgate collect --help)",
                   format);
        return false;
    }
    if (!http_query_name(rq, "branch", &origin.branch, rs) ||
        !http_query_int(rq, "timestamp", &collect_timestamps, &origin.timestamp, rs))
        return false;
    commit = route_query_get(rq->query, "commit");
    if (commit != NULL) {
        snprintf(sha, sizeof(sha), "%s", commit);
        if (strlen(commit) >= sizeof(sha) || !bg_commit_ok(sha)) {
            http_error(rs, 400, "bad_request", "query parameter commit: expected 4 to 64 hex "
                       "digits");
            return false;
        }
        origin.commit = sha;
    }
    if (rq->body_len == 0) {
        http_error(rs, 400, "bad_request", "the request body is empty: send a benchgate run "
                   "document or a harness's output");
        return false;
    }
    if (bg_collect_bytes("request body", rq->body, rq->body_len, format, run, &d) < 0 ||
        bg_run_finish(run, "request body", &d) < 0) {
        http_error(rs, 400, "bad_request", "%s", d.msg);
        return false;
    }
    for (size_t i = 0; i < rq->query->n; i++) {
        if (strcmp(rq->query->kv[i].key, "meta") == 0 &&
            collect_meta(run, rq->query->kv[i].value, &d) < 0) {
            http_error(rs, 400, "bad_request", "query parameter meta %s", d.msg);
            return false;
        }
    }
    collect_origin(run, &origin);
    return true;
}
