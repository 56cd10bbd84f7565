/* remote.c: the current run and its baseline from a benchgate server (see remote.h). */
#include "core/bg.h"
#include "gate/remote.h"
#include "collector/formats.h"
#include "core/json.h"

/* Answers are bounded: a baseline of 100,000 results of many samples fits. */
#define ANSWER_MAX BG_MAX_INPUT

static void project_path(struct bg_buf *b, const char *project, const char *rest)
{
    bg_buf_adds(b, "/api/v1/projects/");
    bg_buf_add_url_part(b, project);
    bg_buf_adds(b, rest);
}

/* Sends the request and parses the JSON answer of a 200; 0, or -1 with d. */
static int call(const struct bg_server *srv, const char *method, const struct bg_buf *path,
                const struct bg_buf *body, cJSON **answer, struct bg_diag *d)
{
    struct bg_limbuf resp = BG_LIMBUF_INIT(ANSWER_MAX);
    struct bg_diag why = { 0 };
    long status = 0;
    int rc = 0;

    *answer = NULL;
    if (bg_server_request(srv, method, path->data, body != NULL ? body->data : NULL,
                          body != NULL ? body->len : 0, &status, &resp, d) < 0)
        rc = -1;
    else if (status >= 400)
        rc = bg_server_failed(srv, status, &resp.buf, d);
    else if (status != 200)
        rc = bg_fail_as(d, BG_FAULT_BROKEN, "server %s: unexpected status %ld", srv->url,
                        status);
    else if ((*answer = bg_json_parse(resp.buf.data, resp.buf.len, "the server's answer",
                                      &why)) == NULL)
        rc = bg_fail_as(d, BG_FAULT_BROKEN, "server %s: %s", srv->url, why.msg);
    bg_buf_release(&resp.buf);
    return rc;
}

static int read_run(const struct bg_server *srv, const cJSON *doc, struct bg_run *run,
                    struct bg_diag *d)
{
    struct bg_diag why = { 0 };

    if (bg_run_read_json(doc, "the server's run", run, &why) < 0)
        return bg_fail_as(d, BG_FAULT_BROKEN, "server %s: %s", srv->url, why.msg);
    return 0;
}

int remote_latest_run(const struct bg_server *srv, const char *project, const char *branch,
                      struct bg_run *cur, struct bg_diag *d)
{
    struct bg_buf path = BG_BUF_INIT;
    cJSON *list = NULL, *doc = NULL;
    const cJSON *id;
    int rc;

    project_path(&path, project, "/runs?limit=1&branch=");
    bg_buf_add_url_part(&path, branch);
    rc = call(srv, "GET", &path, NULL, &list, d);
    if (rc < 0)
        goto out;
    id = bg_json_get(cJSON_GetArrayItem(bg_json_get(list, "runs"), 0), "id");
    if (!cJSON_IsNumber(id)) {
        rc = bg_fail_as(d, BG_FAULT_MISSING, "no runs of project '%s' on branch '%s' at %s: "
                        "upload one first with 'benchgate collect --server', or give FILEs "
                        "to judge", project, branch, srv->url);
        goto out;
    }
    bg_buf_reset(&path);
    project_path(&path, project, "");
    bg_buf_addf(&path, "/runs/%.0f", id->valuedouble);
    rc = call(srv, "GET", &path, NULL, &doc, d);
    if (rc == 0)
        rc = read_run(srv, doc, cur, d);
out:
    cJSON_Delete(doc);
    cJSON_Delete(list);
    bg_buf_release(&path);
    return rc;
}

int remote_baseline(const struct bg_server *srv, const struct bg_run *cur,
                    const struct baseline_request *req, struct baseline *out,
                    struct bg_diag *d)
{
    struct bg_buf path = BG_BUF_INIT, body = BG_BUF_INIT;
    const cJSON *found, *why, *warning, *runs, *id, *branch;
    cJSON *answer = NULL;
    size_t n = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    project_path(&path, req->project, "/baseline?");
    bg_buf_addf(&path, "window=%zu", req->window);
    if (req->branch != NULL) {
        bg_buf_adds(&path, "&baseline_branch=");
        bg_buf_add_url_part(&path, req->branch);
    }
    if (req->ref != NULL) {
        bg_buf_adds(&path, "&baseline=");
        bg_buf_add_url_part(&path, req->ref);
    }
    if (req->fork_point != NULL) {
        bg_buf_adds(&path, "&fork_point=");
        bg_buf_add_url_part(&path, req->fork_point);
        if (req->fork_time > 0)
            bg_buf_addf(&path, "&fork_point_time=%" PRId64, req->fork_time);
    }
    /* a stored current run is named, so the server never picks it as its own baseline */
    if (cur->id != 0)
        bg_buf_addf(&path, "&run=%" PRId64, cur->id);
    else
        bg_run_write_json(cur, &body);
    rc = call(srv, "POST", &path, cur->id != 0 ? NULL : &body, &answer, d);
    if (rc < 0)
        goto out;
    found = bg_json_get(answer, "found");
    why = bg_json_get(answer, "why");
    warning = bg_json_get(answer, "warning");
    runs = bg_json_get(answer, "runs");
    branch = bg_json_get(answer, "branch");
    if (!cJSON_IsBool(found) || !cJSON_IsString(why) || !cJSON_IsString(warning) ||
        !cJSON_IsArray(runs) || !cJSON_IsString(branch) ||
        (size_t)cJSON_GetArraySize(runs) > BASELINE_MAX_WINDOW) {
        rc = bg_fail_as(d, BG_FAULT_BROKEN, "server %s: the baseline answer is not what "
                        "benchgate expects", srv->url);
        goto out;
    }
    snprintf(out->why, sizeof(out->why), "%s (server %s)", why->valuestring, srv->url);
    snprintf(out->warning, sizeof(out->warning), "%s", warning->valuestring);
    snprintf(out->branch, sizeof(out->branch), "%s", branch->valuestring);
    out->found = cJSON_IsTrue(found);
    if (!out->found)
        goto out;
    /* the history, run by run: each a document of its own (the answer stays bounded) */
    out->runs = bg_xcalloc((size_t)cJSON_GetArraySize(runs) + 1, sizeof(*out->runs));
    out->list = bg_xcalloc((size_t)cJSON_GetArraySize(runs) + 1, sizeof(*out->list));
    cJSON_ArrayForEach(id, runs) {
        cJSON *doc = NULL;

        if (!cJSON_IsNumber(id) || id->valuedouble < 1 || id->valuedouble > 9e15) {
            rc = bg_fail_as(d, BG_FAULT_BROKEN, "server %s: a baseline run id is not a number",
                            srv->url);
            break;
        }
        bg_buf_reset(&path);
        project_path(&path, req->project, "");
        bg_buf_addf(&path, "/runs/%.0f", id->valuedouble);
        rc = call(srv, "GET", &path, NULL, &doc, d);
        bg_run_init(&out->runs[n]);
        if (rc == 0)
            rc = read_run(srv, doc, &out->runs[n], d);
        out->list[n] = &out->runs[n];
        out->n_runs = ++n;
        cJSON_Delete(doc);
        if (rc < 0)
            break;
    }
    if (rc == 0 && n == 0)
        out->found = false;
out:
    cJSON_Delete(answer);
    bg_buf_release(&body);
    bg_buf_release(&path);
    return rc;
}
