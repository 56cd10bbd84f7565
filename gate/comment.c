/*
 * comment.c: `benchgate comment`: posts check's Markdown report to the
 * pull request as one comment, updated in place on later runs, and
 * optionally a check run, through GitHub's REST API (libcurl).
 *
 * The token comes from $GITHUB_TOKEN only (never an option: command lines
 * are visible to every process and land in logs) and travels only to
 * $GITHUB_API_URL. The earlier comment is the pull request's first whose
 * body begins with the report's marker line. What GitHub says is outside
 * input: bounded, parsed strictly, and only ids and bodies are read.
 *
 * A pull request from a fork gets no token, or a read-only one: nothing is
 * posted, a note says so in the log and the job summary, and the exit
 * status is 0, so the gate's verdict (check's status) is the only one that
 * fails the job. docs/github.md has the two-workflow recipe that posts for
 * forks.
 */
#include "core/bg.h"
#include "core/cli.h"
#include "core/env.h"
#include "core/http_client.h"
#include "core/json.h"
#include "gate/report.h"

#define REPORT_MAX (1u << 20)   /* bytes of a report file */
#define EVENT_MAX (16u << 20)   /* bytes of GITHUB_EVENT_PATH's payload */
#define PAGE_MAX (32u << 20)    /* bytes of one page of comments */
#define PAGES_MAX 50            /* pages of 100 comments searched for the earlier one */

struct comment_opts {
    const char *repo, *project, *sha, *check_name;
    int64_t pr;
    bool check_run;
};

#define OPT(field) offsetof(struct comment_opts, field)

static const struct bg_int_range pr_range = { 1, 1000000000 };

static const struct bg_opt options[] = {
    { "repo", 0, "OWNER/NAME", BG_OPT_TEXT, OPT(repo),
      .help = "the repository (default $GITHUB_REPOSITORY)" },
    { "pr", 0, "N", BG_OPT_INT, OPT(pr), .ints = &pr_range,
      .help = "the pull request's number (default the one in $GITHUB_EVENT_PATH's event; a "
              "workflow_run job posting for a fork passes it from the artifact)" },
    { "check-run", 0, NULL, BG_OPT_FLAG, OPT(check_run),
      .help = "also create a check run on the pull request's head commit that fails when the "
              "report does (needs 'permissions: checks: write'), so it can be a required "
              "status" },
    { "check-name", 0, "NAME", BG_OPT_TEXT, OPT(check_name),
      .help = "the check run's name (default 'benchgate: ' and the project)" },
    BG_OPT_PROJECT(struct comment_opts, project),
    { "sha", 0, "SHA", BG_OPT_TEXT, OPT(sha),
      .help = "the commit the check run is for (default the pull request's head, else "
              "$GITHUB_SHA)" },
};

static const struct bg_command command = {
    "comment", "[options] REPORT",
    "Post REPORT, the Markdown report 'benchgate check --report REPORT' wrote, to\n"
    "the pull request as a comment, or update the comment an earlier run posted\n"
    "(found by the report's first line, a hidden marker), through GitHub's REST\n"
    "API: $GITHUB_API_URL (default https://api.github.com) with $GITHUB_TOKEN\n"
    "(the job needs 'permissions: pull-requests: write').",
    options, ARRAY_SIZE(options),
    "A report longer than a comment may be (65,536 characters) is cut at a line\n"
    "with a note; check --report writes one that fits. Without a token, on a pull\n"
    "request from a fork (whose token cannot write), or when GitHub refuses the\n"
    "token (401, 403, 404), nothing is posted: a note says why, in the log and\n"
    "the job summary, and the exit status is 0.\n"
    "\n"
    "Exit status: 0 posted, or nothing to post; 2 bad usage or report;\n"
    "3 GitHub could not be reached or failed.\n",
};

/* What the event payload says about the pull request. */
struct pr_event {
    int64_t number;
    char head_sha[65];
    bool fork;
    char run_head_sha[65]; /* workflow_run.head_sha: the commit the judging run judged */
};

static void read_event(struct pr_event *ev)
{
    const char *path = getenv("GITHUB_EVENT_PATH");
    struct bg_buf doc = BG_BUF_INIT;
    struct bg_diag d = { 0 };
    cJSON *root = NULL;
    const cJSON *pr, *num, *sha, *head_repo, *base_repo;

    memset(ev, 0, sizeof(*ev));
    if (path == NULL || path[0] == '\0')
        return;
    if (bg_buf_read_file(&doc, path, EVENT_MAX, &d) < 0 ||
        (root = bg_json_parse(doc.data, doc.len, path, &d)) == NULL) {
        bg_warn("ignoring GITHUB_EVENT_PATH: %s", d.msg);
        goto out;
    }
    pr = bg_json_get(root, "pull_request");
    num = bg_json_get(pr, "number");
    if (cJSON_IsNumber(num) && num->valuedouble >= 1 && num->valuedouble <= 1e9 &&
        num->valuedouble == (double)(int64_t)num->valuedouble)
        ev->number = (int64_t)num->valuedouble;
    sha = bg_json_get(bg_json_get(pr, "head"), "sha");
    if (cJSON_IsString(sha) && strlen(sha->valuestring) <= 64) {
        snprintf(ev->head_sha, sizeof(ev->head_sha), "%s", sha->valuestring);
        if (!bg_commit_ok(ev->head_sha))
            ev->head_sha[0] = '\0';
    }
    sha = bg_json_get(bg_json_get(root, "workflow_run"), "head_sha");
    if (cJSON_IsString(sha) && strlen(sha->valuestring) <= 64) {
        snprintf(ev->run_head_sha, sizeof(ev->run_head_sha), "%s", sha->valuestring);
        if (!bg_commit_ok(ev->run_head_sha))
            ev->run_head_sha[0] = '\0';
    }
    head_repo = bg_json_get(bg_json_get(bg_json_get(pr, "head"), "repo"), "full_name");
    base_repo = bg_json_get(bg_json_get(bg_json_get(pr, "base"), "repo"), "full_name");
    ev->fork = cJSON_IsTrue(bg_json_get(bg_json_get(bg_json_get(pr, "head"), "repo"), "fork")) ||
               (cJSON_IsString(head_repo) && cJSON_IsString(base_repo) &&
                strcmp(head_repo->valuestring, base_repo->valuestring) != 0);
out:
    cJSON_Delete(root);
    bg_buf_release(&doc);
}

/* OWNER/NAME with GitHub's characters only: it goes into URL paths. */
static bool repo_ok(const char *r)
{
    const char *slash = strchr(r, '/');

    if (slash == NULL || slash == r || slash[1] == '\0' || strchr(slash + 1, '/') != NULL ||
        strlen(r) > 200 || r[0] == '.' || slash[1] == '.')
        return false;
    for (const char *p = r; *p != '\0'; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.' || *p == '/'))
            return false;
    return true;
}

/*
 * Nothing was posted, and that is not the gate's business: a note on stderr
 * and in the job summary (below the report check wrote there). Returns 0.
 */
static int not_posted(const char *why)
{
    const char *summary = getenv("GITHUB_STEP_SUMMARY");
    FILE *f;

    fprintf(stderr, "benchgate comment: not posted: %s\n", why);
    if (summary != NULL && summary[0] != '\0' && (f = fopen(summary, "a")) != NULL) {
        fprintf(f, "\n> [!NOTE]\n> benchgate did not post its pull-request comment: %s. The "
                "report is in this job summary.\n", why);
        if (fclose(f) != 0)
            bg_warn("cannot write GITHUB_STEP_SUMMARY");
    }
    return BG_EXIT_PASS;
}

/* The report, cut at a line to fit a comment when it is longer. */
static void fit_comment(struct bg_buf *rep)
{
    static const char note[] = "\n… cut to fit a GitHub comment: the whole report is in the "
                               "job summary.\n";
    size_t keep;

    if (rep->len <= REPORT_MD_COMMENT_LIMIT)
        return;
    keep = REPORT_MD_COMMENT_LIMIT - (sizeof(note) - 1);
    while (keep > 0 && rep->data[keep - 1] != '\n')
        keep--;
    rep->len = keep;
    rep->data[keep] = '\0';
    bg_buf_adds(rep, note);
}

enum gh_answer { GH_OK, GH_DENIED, GH_FAILED };

/* One API call; GH_DENIED for 401, 403 and 404 (what a token without the
 * right permission gets), GH_FAILED with d for anything else not 2xx. */
static enum gh_answer gh(const struct bg_server *api, const char *method, const char *path,
                         const struct bg_buf *body, struct bg_limbuf *resp, long *status,
                         struct bg_diag *d)
{
    bg_buf_reset(&resp->buf);
    if (bg_server_request(api, method, path, body != NULL ? body->data : NULL,
                          body != NULL ? body->len : 0, status, resp, d) < 0)
        return GH_FAILED;
    if (*status >= 200 && *status < 300)
        return GH_OK;
    if (*status == 401 || *status == 403 || *status == 404)
        return GH_DENIED;
    bg_fail_as(d, BG_FAULT_BROKEN, "GitHub API %s: %s %s answered %ld", api->url, method, path,
               *status);
    return GH_FAILED;
}

/*
 * The id of the pull request's comment that begins with marker (the
 * report's first line and its newline), 0 when there is none, -1 with d.
 */
static int64_t find_comment(const struct bg_server *api, const char *repo, int64_t pr,
                            const char *marker, size_t marker_len, long *status,
                            enum gh_answer *ans, struct bg_diag *d)
{
    struct bg_limbuf resp = BG_LIMBUF_INIT(PAGE_MAX);
    struct bg_buf path = BG_BUF_INIT;
    int64_t found = 0;

    for (int page = 1; page <= PAGES_MAX && found == 0; page++) {
        cJSON *list;
        int n = 0;

        bg_buf_reset(&path);
        bg_buf_addf(&path, "/repos/%s/issues/%" PRId64 "/comments?per_page=100&page=%d", repo,
                    pr, page);
        *ans = gh(api, "GET", path.data, NULL, &resp, status, d);
        if (*ans != GH_OK) {
            found = -1;
            break;
        }
        list = bg_json_parse(resp.buf.data, resp.buf.len, "GitHub's list of comments", d);
        if (!cJSON_IsArray(list)) {
            cJSON_Delete(list);
            *ans = GH_FAILED;
            bg_fail_as(d, BG_FAULT_BROKEN, "GitHub API %s: the list of comments is not a JSON "
                       "array", api->url);
            found = -1;
            break;
        }
        for (const cJSON *c = list->child; c != NULL && found == 0; c = c->next, n++) {
            const cJSON *id = bg_json_get(c, "id"), *body = bg_json_get(c, "body");

            if (cJSON_IsNumber(id) && id->valuedouble >= 1 && id->valuedouble < 9e15 &&
                cJSON_IsString(body) && strncmp(body->valuestring, marker, marker_len) == 0)
                found = (int64_t)id->valuedouble;
        }
        cJSON_Delete(list);
        if (n < 100)
            break;
    }
    bg_buf_release(&path);
    bg_buf_release(&resp.buf);
    return found;
}

/*
 * On a workflow_run event the pull request's number comes from the judging
 * run's artifact, which a fork wrote: it must name a pull request whose head
 * is the commit that run judged, or a fork could have its report posted on
 * another pull request. 0 when it does, -1 with d (or *ans GH_DENIED).
 */
static int same_head(const struct bg_server *api, const char *repo, int64_t pr,
                     const char *want, long *status, enum gh_answer *ans, struct bg_diag *d)
{
    struct bg_limbuf resp = BG_LIMBUF_INIT(4u << 20);
    struct bg_buf path = BG_BUF_INIT;
    cJSON *doc = NULL;
    const cJSON *sha;
    int rc = -1;

    bg_buf_addf(&path, "/repos/%s/pulls/%" PRId64, repo, pr);
    *ans = gh(api, "GET", path.data, NULL, &resp, status, d);
    if (*ans != GH_OK)
        goto out;
    doc = bg_json_parse(resp.buf.data, resp.buf.len, "GitHub's pull request", d);
    sha = bg_json_get(bg_json_get(doc, "head"), "sha");
    if (!cJSON_IsString(sha) || strcmp(sha->valuestring, want) != 0) {
        *ans = GH_FAILED;
        bg_fail(d, "pull request #%" PRId64 " is not the one the judging run judged (its head "
                "is not %.12s): not posting", pr, want);
        goto out;
    }
    rc = 0;
out:
    cJSON_Delete(doc);
    bg_buf_release(&path);
    bg_buf_release(&resp.buf);
    return rc;
}

/* The check run: completed, failing when the report's heading says the gate failed. */
static enum gh_answer post_check_run(const struct bg_server *api, const char *repo,
                                     const char *name, const char *sha,
                                     const struct bg_buf *rep, long *status, struct bg_diag *d)
{
    struct bg_limbuf resp = BG_LIMBUF_INIT(1u << 20);
    struct bg_buf body = BG_BUF_INIT, path = BG_BUF_INIT;
    bool failed = strstr(rep->data, "\n### benchgate: ❌") != NULL;
    enum gh_answer a;

    bg_buf_adds(&body, "{\"name\": ");
    bg_json_add_string(&body, name);
    bg_buf_adds(&body, ", \"head_sha\": ");
    bg_json_add_string(&body, sha);
    bg_buf_addf(&body, ", \"status\": \"completed\", \"conclusion\": \"%s\", \"output\": "
                "{\"title\": \"%s\", \"summary\": ", failed ? "failure" : "success",
                failed ? "a benchmark regressed" : "no regression");
    bg_json_add_string(&body, rep->data);
    bg_buf_adds(&body, "}}");
    bg_buf_addf(&path, "/repos/%s/check-runs", repo);
    a = gh(api, "POST", path.data, &body, &resp, status, d);
    bg_buf_release(&body);
    bg_buf_release(&path);
    bg_buf_release(&resp.buf);
    return a;
}

int cmd_comment(int argc, char **argv)
{
    struct comment_opts o = { 0 };
    const char *token = getenv("GITHUB_TOKEN"), *api_url = getenv("GITHUB_API_URL");
    const char *event = getenv("GITHUB_EVENT_NAME");
    char sha[65] = "";
    struct bg_limbuf resp = BG_LIMBUF_INIT(1u << 20);
    struct bg_buf rep = BG_BUF_INIT, body = BG_BUF_INIT, path = BG_BUF_INIT;
    struct bg_buf check_name = BG_BUF_INIT;
    struct bg_diag d = { 0 };
    struct bg_server api = { 0 };
    struct pr_event ev;
    enum gh_answer a = GH_OK;
    size_t marker_len;
    int64_t id = 0;
    long status = 0;
    char why[300];
    enum bg_parse p;
    char **args;
    int n, rc = BG_EXIT_PASS;

    p = bg_cmd_parse(&command, argc, argv, &o, &args, &n);
    if (p != BG_PARSE_OK)
        return bg_parse_exit(p);
    if (n != 1)
        return bg_usage_error("comment", "expected one REPORT (check --report's file)");
    if (bg_buf_read_file(&rep, args[0], REPORT_MAX, &d) < 0) {
        rc = bg_cmd_fail(&d);
        goto out;
    }
    marker_len = strlen(REPORT_MD_MARKER);
    if (strncmp(rep.data, REPORT_MD_MARKER "\n", marker_len + 1) != 0) {
        rc = bg_usage_error("comment", "'%s' is not a benchgate report: its first line is not "
                            "%s (write one with 'benchgate check --report')", args[0],
                            REPORT_MD_MARKER);
        goto out;
    }
    fit_comment(&rep);
    if (o.repo == NULL)
        o.repo = getenv("GITHUB_REPOSITORY");
    if (o.repo == NULL || !repo_ok(o.repo)) {
        rc = bg_usage_error("comment", "%s: expected OWNER/NAME (--repo or $GITHUB_REPOSITORY)",
                            o.repo == NULL ? "no repository" : "a bad repository name");
        goto out;
    }
    if (api_url == NULL || api_url[0] == '\0')
        api_url = "https://api.github.com";
    if (bg_server_resolve(&api, api_url, NULL, &d) < 0) {
        rc = bg_usage_error("comment", "GITHUB_API_URL: %s", d.msg);
        goto out;
    }
    read_event(&ev);
    if (o.pr == 0)
        o.pr = ev.number;
    if (token == NULL || token[0] == '\0') {
        rc = not_posted("no GITHUB_TOKEN in the environment (a pull request from a fork gets "
                        "none; see the fork recipe in docs/github.md)");
        goto out;
    }
    api.token = token;
    if (ev.fork && event != NULL && strcmp(event, "pull_request") == 0) {
        rc = not_posted("a pull request from a fork: its workflow's token cannot write to this "
                        "repository (the fork recipe in docs/github.md posts from a "
                        "workflow_run job)");
        goto out;
    }
    if (o.pr == 0 && !o.check_run) {
        rc = not_posted("not a pull request (no --pr, and no pull_request in the event)");
        goto out;
    }
    if (o.pr != 0 && event != NULL && strcmp(event, "workflow_run") == 0) {
        if (ev.run_head_sha[0] == '\0') {
            rc = bg_usage_error("comment", "a workflow_run event without workflow_run.head_sha: "
                                "cannot tell which pull request the report is for");
            goto out;
        }
        if (same_head(&api, o.repo, o.pr, ev.run_head_sha, &status, &a, &d) < 0) {
            rc = a == GH_DENIED ? not_posted("GitHub refused to show the pull request")
                                : bg_cmd_fail(&d);
            goto out;
        }
    }
    if (o.pr != 0) {
        id = find_comment(&api, o.repo, o.pr, rep.data, marker_len + 1, &status, &a, &d);
        if (id >= 0) {
            bg_buf_adds(&body, "{\"body\": ");
            bg_json_add_string(&body, rep.data);
            bg_buf_adds(&body, "}");
            if (id > 0)
                bg_buf_addf(&path, "/repos/%s/issues/comments/%" PRId64, o.repo, id);
            else
                bg_buf_addf(&path, "/repos/%s/issues/%" PRId64 "/comments", o.repo, o.pr);
            a = gh(&api, id > 0 ? "PATCH" : "POST", path.data, &body, &resp, &status, &d);
        }
        if (a == GH_DENIED) {
            snprintf(why, sizeof(why), "GitHub answered %ld: the token may not write comments "
                     "(a fork's read-only token, or no 'permissions: pull-requests: write')",
                     status);
            rc = not_posted(why);
            goto out;
        }
        if (a == GH_FAILED) {
            rc = bg_cmd_fail(&d);
            goto out;
        }
        printf("%s the benchgate comment on pull request #%" PRId64 " of %s\n",
               id > 0 ? "updated" : "posted", o.pr, o.repo);
    }
    if (o.check_run) {
        const char *s = o.sha != NULL ? o.sha : ev.head_sha[0] != '\0' ? ev.head_sha
                                                                       : getenv("GITHUB_SHA");

        if (s != NULL && strlen(s) <= 64)
            snprintf(sha, sizeof(sha), "%s", s);
        if (!bg_commit_ok(sha)) {
            rc = bg_usage_error("comment", "--check-run needs the commit: --sha, a pull request "
                                "event, or $GITHUB_SHA");
            goto out;
        }
        if (o.check_name == NULL) {
            bg_buf_adds(&check_name, "benchgate: ");
            bg_buf_adds(&check_name, o.project != NULL ? o.project : o.repo);
        } else {
            bg_buf_adds(&check_name, o.check_name);
        }
        a = post_check_run(&api, o.repo, check_name.data, sha, &rep, &status, &d);
        if (a == GH_DENIED) {
            snprintf(why, sizeof(why), "GitHub answered %ld to the check run: the token may not "
                     "write checks ('permissions: checks: write')", status);
            rc = not_posted(why);
        } else if (a == GH_FAILED) {
            rc = bg_cmd_fail(&d);
        } else {
            printf("created the check run '%s' on %.12s\n", check_name.data, sha);
        }
    }
out:
    bg_buf_release(&rep);
    bg_buf_release(&body);
    bg_buf_release(&path);
    bg_buf_release(&check_name);
    bg_buf_release(&resp.buf);
    return bg_finish_output(rc);
}
