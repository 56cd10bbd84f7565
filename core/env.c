/*
 * env.c: machine facts and CI context for a run.
 *
 * Everything here reads outside state (environment variables, /proc, git),
 * so every value is length-bounded and cleaned before it reaches a run.
 */
#include "core/bg.h"
#include "core/env.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/spawn.h"

#include <ctype.h>
#include <errno.h>
#include <sys/utsname.h>
#include <unistd.h>

/* A copy of s, trimmed, with control characters replaced, at most BG_TEXT_MAX bytes. */
static char *clean_text(const char *s, size_t n)
{
    char *out;
    size_t len;

    while (n > 0 && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    if (n > BG_TEXT_MAX)
        n = BG_TEXT_MAX;
    out = bg_xstrndup(s, n);
    len = strlen(out); /* stop at an embedded NUL */
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
            out[i] = '?';
    }
    return out;
}

/* An environment variable that is set, non-empty and a valid name, else NULL. */
static const char *env_name(const char *var)
{
    const char *v = getenv(var);
    const char *why;

    if (v == NULL || *v == '\0')
        return NULL;
    why = bg_name_problem(v);
    if (why != NULL) {
        bg_warn("ignoring %s: value %s", var, why);
        return NULL;
    }
    return v;
}

bool bg_commit_ok(char *s)
{
    size_t n = strlen(s);

    if (n < 4 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!isxdigit((unsigned char)s[i]))
            return false;
        s[i] = (char)tolower((unsigned char)s[i]);
    }
    return true;
}

static void set_if_unset(char **field, const char *value)
{
    if (*field == NULL && value != NULL)
        *field = bg_xstrdup(value);
}

static void set_commit(struct bg_context *ctx, const char *var)
{
    const char *v = getenv(var);
    char *c;

    if (ctx->commit != NULL || v == NULL || *v == '\0')
        return;
    c = bg_xstrndup(v, strnlen(v, 65));
    if (bg_commit_ok(c)) {
        ctx->commit = c;
        return;
    }
    bg_warn("ignoring %s: not a commit SHA", var);
    free(c);
}

/*
 * On a pull request GITHUB_SHA is the merge commit GitHub made for the run,
 * which is in no branch's history; the commit people know is the head of
 * the pull request, in the event payload (GITHUB_EVENT_PATH).
 */
#define EVENT_MAX (16u << 20) /* GitHub caps webhook payloads at 25 MB; PR events are far smaller */

/* A commit SHA from outside, or NULL with a warning naming where it came from. */
static char *checked_commit(const char *value, const char *what)
{
    char *c;

    if (value == NULL || strlen(value) > 64)
        return NULL;
    c = bg_xstrdup(value);
    if (bg_commit_ok(c))
        return c;
    bg_warn("ignoring %s: not a commit SHA", what);
    free(c);
    return NULL;
}

static void set_pr_head_commit(struct bg_context *ctx)
{
    const char *event = getenv("GITHUB_EVENT_NAME"), *path = getenv("GITHUB_EVENT_PATH");
    struct bg_buf doc = BG_BUF_INIT;
    struct bg_diag d;
    cJSON *root = NULL;
    const cJSON *sha;
    char *c;

    if (ctx->commit != NULL || event == NULL || path == NULL || *path == '\0' ||
        (strcmp(event, "pull_request") != 0 && strcmp(event, "pull_request_target") != 0))
        return;
    if (bg_buf_read_file(&doc, path, EVENT_MAX, &d) < 0 ||
        (root = bg_json_parse(doc.data, doc.len, path, &d)) == NULL) {
        bg_warn("ignoring GITHUB_EVENT_PATH: %s", d.msg);
        goto out;
    }
    sha = bg_json_get(bg_json_get(bg_json_get(root, "pull_request"), "head"), "sha");
    if (!cJSON_IsString(sha) || strlen(sha->valuestring) > 64) {
        bg_warn("ignoring GITHUB_EVENT_PATH: no string pull_request.head.sha");
        goto out;
    }
    c = bg_xstrdup(sha->valuestring);
    if (bg_commit_ok(c))
        ctx->commit = c;
    else {
        bg_warn("ignoring GITHUB_EVENT_PATH: pull_request.head.sha is not a commit SHA");
        free(c);
    }
    /* the base the pull request is compared with: its runs are the baseline */
    sha = bg_json_get(bg_json_get(bg_json_get(root, "pull_request"), "base"), "sha");
    if (cJSON_IsString(sha) && ctx->fork_point == NULL) {
        ctx->fork_point = checked_commit(sha->valuestring, "pull_request.base.sha");
        ctx->fork_source = "the pull request's base";
    }
out:
    cJSON_Delete(root);
    bg_buf_release(&doc);
}

static void detect_github(struct bg_context *ctx)
{
    const char *server = env_name("GITHUB_SERVER_URL");
    const char *repo = env_name("GITHUB_REPOSITORY");
    const char *run_id = env_name("GITHUB_RUN_ID");

    ctx->ci.provider = bg_xstrdup("github");
    set_if_unset(&ctx->project, repo);
    set_if_unset(&ctx->branch, env_name("GITHUB_HEAD_REF")); /* pull requests */
    set_if_unset(&ctx->branch, env_name("GITHUB_REF_NAME"));
    set_pr_head_commit(ctx);
    set_commit(ctx, "GITHUB_SHA");
    set_if_unset(&ctx->base_branch, env_name("GITHUB_BASE_REF"));
    set_if_unset(&ctx->ci.repository, repo);
    set_if_unset(&ctx->ci.run_id, run_id);
    set_if_unset(&ctx->ci.event, env_name("GITHUB_EVENT_NAME"));
    set_if_unset(&ctx->runner, env_name("RUNNER_ENVIRONMENT"));
    if (server != NULL && repo != NULL && run_id != NULL) {
        struct bg_buf url = BG_BUF_INIT;

        bg_buf_addf(&url, "%s/%s/actions/runs/%s", server, repo, run_id);
        if (url.len <= BG_TEXT_MAX) /* too long to store: no link rather than a cut one */
            ctx->ci.run_url = bg_buf_detach(&url, NULL);
        bg_buf_release(&url);
    }
}

static void detect_gitlab(struct bg_context *ctx)
{
    ctx->ci.provider = bg_xstrdup("gitlab");
    set_if_unset(&ctx->project, env_name("CI_PROJECT_PATH"));
    set_if_unset(&ctx->branch, env_name("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"));
    set_if_unset(&ctx->branch, env_name("CI_COMMIT_REF_NAME"));
    set_commit(ctx, "CI_COMMIT_SHA");
    set_if_unset(&ctx->base_branch, env_name("CI_MERGE_REQUEST_TARGET_BRANCH_NAME"));
    if (ctx->fork_point == NULL && env_name("CI_MERGE_REQUEST_DIFF_BASE_SHA") != NULL) {
        ctx->fork_point = checked_commit(env_name("CI_MERGE_REQUEST_DIFF_BASE_SHA"),
                                         "CI_MERGE_REQUEST_DIFF_BASE_SHA");
        ctx->fork_source = "the merge request's base";
    }
    set_if_unset(&ctx->ci.repository, env_name("CI_PROJECT_PATH"));
    set_if_unset(&ctx->ci.run_id, env_name("CI_PIPELINE_ID"));
    set_if_unset(&ctx->ci.run_url, env_name("CI_PIPELINE_URL"));
    set_if_unset(&ctx->ci.event, env_name("CI_PIPELINE_SOURCE"));
    set_if_unset(&ctx->runner, env_name("CI_RUNNER_TAGS"));
}

/* One git call answers all three questions: top-level folder, HEAD, branch. */
static void detect_git(struct bg_context *ctx)
{
    const char *const argv[] = { "git", "rev-parse", "--show-toplevel", "HEAD",
                                 "--abbrev-ref", "HEAD", NULL };
    struct bg_limbuf out = BG_LIMBUF_INIT(16384);
    char *lines[3] = { NULL, NULL, NULL }, *p;
    size_t n = 0;

    if (bg_spawn_capture(argv, NULL, &out, 5000) != 0)
        goto out;
    p = out.buf.data;
    while (n < 3 && *p != '\0') {
        char *nl = strchr(p, '\n');

        if (nl == NULL)
            break;
        *nl = '\0';
        lines[n++] = p;
        p = nl + 1;
    }
    if (n != 3)
        goto out;
    if (ctx->project == NULL) {
        const char *base = strrchr(lines[0], '/');

        base = base != NULL ? base + 1 : lines[0];
        if (bg_name_problem(base) == NULL)
            ctx->project = bg_xstrdup(base);
    }
    if (ctx->commit == NULL && bg_commit_ok(lines[1]))
        ctx->commit = bg_xstrdup(lines[1]);
    if (ctx->branch == NULL && strcmp(lines[2], "HEAD") != 0 &&
        bg_name_problem(lines[2]) == NULL)
        ctx->branch = bg_xstrdup(lines[2]); /* "HEAD" means detached: no branch */
out:
    bg_buf_release(&out.buf);
}

/* The first line git prints for argv, or NULL. */
static char *git_line(const char *const *argv)
{
    struct bg_limbuf out = BG_LIMBUF_INIT(4096);
    char *nl, *line = NULL;

    if (bg_spawn_capture(argv, NULL, &out, 5000) == 0 && (nl = strchr(out.buf.data, '\n')) != NULL) {
        *nl = '\0';
        line = bg_xstrdup(out.buf.data);
    }
    bg_buf_release(&out.buf);
    return line;
}

/* The remote-tracking copy first, which CI checkouts have; a local branch of that name else. */
char *bg_git_merge_base(const char *base_branch)
{
    struct bg_buf ref = BG_BUF_INIT;
    char *sha = NULL;

    for (int i = 0; i < 2 && sha == NULL; i++) {
        const char *argv[] = { "git", "merge-base", "HEAD", NULL, NULL };

        bg_buf_reset(&ref);
        bg_buf_addf(&ref, "%s%s", i == 0 ? "refs/remotes/origin/" : "refs/heads/", base_branch);
        argv[3] = ref.data;
        sha = git_line(argv);
    }
    bg_buf_release(&ref);
    if (sha != NULL && !bg_commit_ok(sha)) {
        free(sha);
        sha = NULL;
    }
    return sha;
}

static void detect_fork_point(struct bg_context *ctx)
{
    ctx->fork_point = bg_git_merge_base(ctx->base_branch);
    if (ctx->fork_point != NULL)
        ctx->fork_source = "git merge-base with the base branch";
}

int64_t bg_git_commit_time(const char *commit)
{
    const char *argv[] = { "git", "log", "-1", "--format=%ct", commit, "--", NULL };
    char *line = git_line(argv), *end = NULL;
    long long t = 0;

    if (line != NULL) {
        errno = 0;
        t = strtoll(line, &end, 10);
        if (errno != 0 || end == line || *end != '\0' || t <= 0)
            t = 0;
    }
    free(line);
    return (int64_t)t;
}

void bg_context_detect(struct bg_context *ctx, bool use_git)
{
    const char *runner = env_name("BENCHGATE_RUNNER");

    memset(ctx, 0, sizeof(*ctx));
    if (runner != NULL)
        ctx->runner = bg_xstrdup(runner);
    if (getenv("GITHUB_ACTIONS") != NULL && strcmp(getenv("GITHUB_ACTIONS"), "true") == 0)
        detect_github(ctx);
    else if (getenv("GITLAB_CI") != NULL)
        detect_gitlab(ctx);
    if (use_git && (ctx->project == NULL || ctx->branch == NULL || ctx->commit == NULL))
        detect_git(ctx);
    if (use_git && ctx->fork_point == NULL && ctx->base_branch != NULL &&
        (ctx->branch == NULL || strcmp(ctx->branch, ctx->base_branch) != 0))
        detect_fork_point(ctx);
    if (use_git && ctx->fork_point != NULL)
        ctx->fork_time = bg_git_commit_time(ctx->fork_point);
}

void bg_context_release(struct bg_context *ctx)
{
    free(ctx->project);
    free(ctx->branch);
    free(ctx->commit);
    free(ctx->base_branch);
    free(ctx->fork_point);
    free(ctx->runner);
    free(ctx->ci.provider);
    free(ctx->ci.repository);
    free(ctx->ci.run_id);
    free(ctx->ci.run_url);
    free(ctx->ci.event);
    memset(ctx, 0, sizeof(*ctx));
}

void bg_context_apply(const struct bg_context *ctx, struct bg_run *run)
{
    set_if_unset(&run->project, ctx->project);
    set_if_unset(&run->branch, ctx->branch);
    set_if_unset(&run->commit, ctx->commit);
    set_if_unset(&run->env.runner, ctx->runner);
    set_if_unset(&run->ci.provider, ctx->ci.provider);
    set_if_unset(&run->ci.repository, ctx->ci.repository);
    set_if_unset(&run->ci.run_id, ctx->ci.run_id);
    set_if_unset(&run->ci.run_url, ctx->ci.run_url);
    set_if_unset(&run->ci.event, ctx->ci.event);
    if (ctx->base_branch != NULL && bg_run_meta(run, "base_branch") == NULL)
        bg_run_add_meta(run, "base_branch", ctx->base_branch);
    if (ctx->fork_point != NULL && bg_run_meta(run, "fork_point") == NULL) {
        bg_run_add_meta(run, "fork_point", ctx->fork_point);
        if (ctx->fork_time > 0 && bg_run_meta(run, "fork_point_time") == NULL) {
            char t[24];

            snprintf(t, sizeof(t), "%" PRId64, ctx->fork_time);
            bg_run_add_meta(run, "fork_point_time", t);
        }
    }
}

/* The value of "key<spaces>: value" for the first line starting with key. */
static char *field_value(const char *text, const char *key)
{
    size_t klen = strlen(key);

    for (const char *line = text; line != NULL && *line != '\0';) {
        const char *nl = strchr(line, '\n');
        const char *end = nl != NULL ? nl : line + strlen(line);

        if (strncmp(line, key, klen) == 0) {
            const char *p = line + klen;

            while (p < end && (*p == ' ' || *p == '\t'))
                p++;
            if (p < end && *p == ':')
                return clean_text(p + 1, (size_t)(end - p - 1));
        }
        line = nl != NULL ? nl + 1 : NULL;
    }
    return NULL;
}

static char *os_release_name(void)
{
    struct bg_buf b = BG_BUF_INIT;
    char *name = NULL;
    const char *p;

    if (bg_buf_read_file(&b, "/etc/os-release", 65536, NULL) == 0) {
        p = strstr(b.data, "PRETTY_NAME=");
        if (p != NULL && (p == b.data || p[-1] == '\n')) {
            p += strlen("PRETTY_NAME=");
            size_t n = strcspn(p, "\n");

            if (n >= 2 && p[0] == '"' && p[n - 1] == '"')
                name = clean_text(p + 1, n - 2);
            else
                name = clean_text(p, n);
        }
    }
    bg_buf_release(&b);
    return name;
}

static char *cpu_model(void)
{
    static const char *const keys[] = { "model name", "Hardware", "cpu model", "Model" };
    struct bg_buf b = BG_BUF_INIT;
    char *model = NULL;

    if (bg_buf_read_file(&b, "/proc/cpuinfo", 1 << 20, NULL) == 0) {
        for (size_t i = 0; i < ARRAY_SIZE(keys) && model == NULL; i++)
            model = field_value(b.data, keys[i]);
    }
    bg_buf_release(&b);
    return model;
}

static char *compiler_version(void)
{
    const char *const argv[] = { "cc", "--version", NULL };
    struct bg_limbuf out = BG_LIMBUF_INIT(4096);
    char *v = NULL;

    if (bg_spawn_capture(argv, NULL, &out, 3000) == 0 && out.buf.len > 0)
        v = clean_text(out.buf.data, strcspn(out.buf.data, "\n"));
    bg_buf_release(&out.buf);
    return v;
}

void bg_env_detect(struct bg_env *env)
{
    struct utsname u;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);

    if (uname(&u) == 0) {
        set_if_unset(&env->kernel, u.release);
        set_if_unset(&env->arch, u.machine);
    }
    if (env->os == NULL)
        env->os = os_release_name();
    if (env->os == NULL && uname(&u) == 0)
        env->os = bg_xstrdup(u.sysname);
    if (env->cpu_model == NULL)
        env->cpu_model = cpu_model();
    if (env->compiler == NULL)
        env->compiler = compiler_version();
    if (env->cores == 0 && cores > 0)
        env->cores = cores;
    if (env->memory_bytes == 0 && pages > 0 && page > 0)
        env->memory_bytes = (int64_t)pages * page;
}
