/*
 * collect.c: `benchgate collect`: harness output in, one stored run out.
 *
 * All files given in one call form one run (one suite, one machine, one
 * commit). Nothing is written until every file has parsed and the whole run
 * has validated, and then it is written in one transaction.
 */
#include "core/bg.h"
#include "collector/collect.h"
#include "collector/formats.h"
#include "core/buf.h"
#include "core/cli.h"
#include "core/env.h"
#include "core/http_client.h"
#include "core/json.h"
#include "core/num.h"
#include "core/store.h"

#include <time.h>

struct collect_opts {
    const char *db, *format, *server, *token;
    struct collect_origin origin;
    bool quiet, keep_going;
    int output;
    struct bg_run *run; /* --meta goes straight into it */
    char commit[65];    /* --commit, lower-cased */
};

static const char *const outputs[] = { "text", "json", NULL };
enum { OUT_TEXT, OUT_JSON };

const struct bg_int_range collect_timestamps = { 0, INT64_C(253402300799) };

static int opt_format(void *opts, const char *value, struct bg_diag *d)
{
    if (bg_format_find(value) == NULL)
        return bg_fail(d, "'%.80s': unknown format (see --help for the list)", value);
    ((struct collect_opts *)opts)->format = value;
    return 0;
}

static int opt_commit(void *opts, const char *value, struct bg_diag *d)
{
    struct collect_opts *o = opts;

    if (strlen(value) >= sizeof(o->commit) ||
        !bg_commit_ok(memcpy(o->commit, value, strlen(value) + 1)))
        return bg_fail(d, "'%.80s': expected 4 to 64 hex digits", value);
    o->origin.commit = o->commit;
    return 0;
}

static int opt_timestamp(void *opts, const char *value, struct bg_diag *d)
{
    return bg_range_int(&collect_timestamps, value, &((struct collect_opts *)opts)->origin.timestamp, d);
}

static int opt_meta(void *opts, const char *value, struct bg_diag *d)
{
    return collect_meta(((struct collect_opts *)opts)->run, value, d);
}

static const struct bg_opt options[] = {
    BG_OPT_DB(struct collect_opts, db),
    { "format", 0, "NAME", BG_OPT_CALL, .call = opt_format,
      .help = "read every FILE as NAME instead of detecting it (formats below)" },
    BG_OPT_PROJECT(struct collect_opts, origin.project),
    BG_OPT_BRANCH(struct collect_opts, origin.branch,
                  "branch (default the CI branch, else git's, else 'main')"),
    { "commit", 0, "SHA", BG_OPT_CALL, .call = opt_commit,
      .help = "commit (default $GITHUB_SHA, $CI_COMMIT_SHA, else git's HEAD)" },
    { "timestamp", 0, "SECONDS", BG_OPT_CALL, .call = opt_timestamp,
      .help = "when the run happened, in unix seconds (default now)" },
    { "meta", 0, "KEY=VALUE", BG_OPT_CALL, .call = opt_meta,
      .help = "record metadata (repeatable); the keys os, kernel, arch, cpu_model, cores, "
              "memory_bytes, compiler and runner replace what benchgate detects about the "
              "machine" },
    { "keep-going", 0, NULL, BG_OPT_FLAG, offsetof(struct collect_opts, keep_going),
      .help = "store the files that parse and report the others (the exit status is still 2 "
              "when any file was bad)" },
    { "output", 'o', "F", BG_OPT_CHOICE, offsetof(struct collect_opts, output),
      .choices = outputs,
      .help = "json prints the run as a benchgate run document (schemas/run.schema.json, "
              "which collect reads back) instead of storing it" },
    BG_OPT_SERVER(struct collect_opts, server),
    BG_OPT_TOKEN(struct collect_opts, token),
    { "quiet", 'q', NULL, BG_OPT_FLAG, offsetof(struct collect_opts, quiet),
      .help = "print nothing but errors and warnings" },
};

static const struct bg_command command = {
    "collect", "[options] FILE...",
    "Parse benchmark harness output (the format is detected from the content) and\n"
    "store all FILEs as one run. FILE '-' reads standard input; a folder is read\n"
    "as a Criterion.rs target folder.",
    options, ARRAY_SIZE(options),
    "Exit status: 0 stored, 2 bad usage or input (nothing stored, except the good\n"
    "files with --keep-going; also a refused token), 3 database or server error.\n",
};

static void print_formats(void)
{
    fputs("\nFormats:\n", stdout);
    for (size_t i = 0; i < bg_n_formats; i++)
        printf("  %-18s %s\n", bg_formats[i]->name, bg_formats[i]->summary);
}

static bool meta_key_ok(const char *k, size_t n)
{
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = k[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return false;
    }
    return true;
}

int collect_meta(struct bg_run *run, const char *arg, struct bg_diag *d)
{
    static const char *const text_fields[] = { "os", "kernel", "arch", "cpu_model", "compiler",
                                               "runner" };
    char **text_slots[] = { &run->env.os, &run->env.kernel, &run->env.arch,
                            &run->env.cpu_model, &run->env.compiler, &run->env.runner };
    const char *eq = strchr(arg, '='), *value, *why;
    char key[65];
    size_t klen;

    if (eq == NULL || !meta_key_ok(arg, (size_t)(eq - arg)))
        return bg_fail(d, "'%.80s': expected KEY=VALUE, KEY of letters, digits, '_', '-' or "
                       "'.' (at most 64)", arg);
    klen = (size_t)(eq - arg);
    memcpy(key, arg, klen);
    key[klen] = '\0';
    value = eq + 1;
    if (*value != '\0' && (why = bg_name_problem(value)) != NULL)
        return bg_fail(d, "%s: value %s", key, why);
    for (size_t i = 0; i < ARRAY_SIZE(text_fields); i++) {
        if (strcmp(key, text_fields[i]) == 0) {
            bg_set_str(text_slots[i], *value != '\0' ? value : NULL);
            return 0;
        }
    }
    if (strcmp(key, "cores") == 0 || strcmp(key, "memory_bytes") == 0) {
        int64_t v;

        if (bg_parse_int64(value, 1, INT64_MAX, &v, &why) < 0)
            return bg_fail(d, "%s=%.80s: %s", key, value, why);
        *(strcmp(key, "cores") == 0 ? &run->env.cores : &run->env.memory_bytes) = v;
        return 0;
    }
    if (run->n_meta >= BG_MAX_META && bg_run_meta(run, key) == NULL)
        return bg_fail(d, "--meta %s: more than %d metadata keys", key, BG_MAX_META);
    bg_run_add_meta(run, key, value);
    return 0;
}

void collect_origin(struct bg_run *run, const struct collect_origin *o)
{
    struct bg_context ctx;

    /* flags win over what a benchgate run document said; CI and git fill the rest */
    if (o->project != NULL)
        bg_set_str(&run->project, o->project);
    if (o->branch != NULL)
        bg_set_str(&run->branch, o->branch);
    if (o->commit != NULL)
        bg_set_str(&run->commit, o->commit);
    if (!o->remote) {
        bg_context_detect(&ctx, run->project == NULL || run->branch == NULL ||
                                    run->commit == NULL);
        bg_context_apply(&ctx, run);
        bg_context_release(&ctx);
        bg_env_detect(&run->env);
    }
    if (run->project == NULL)
        run->project = bg_xstrdup("default");
    if (run->branch == NULL)
        run->branch = bg_xstrdup("main");
    bg_env_fingerprint(&run->env);
    if (o->timestamp != 0)
        run->timestamp = o->timestamp;
    if (run->timestamp == 0)
        run->timestamp = (int64_t)time(NULL);
}

int collect_read_document(const char *what, const char *data, size_t len, struct bg_run *run,
                          struct bg_diag *d)
{
    if (bg_collect_bytes(what, data, len, "benchgate", run, d) < 0 ||
        bg_run_finish(run, what, d) < 0)
        return -1;
    if (run->project == NULL || run->branch == NULL || run->timestamp <= 0)
        return bg_fail(d, "%s: a stored run needs its project, branch and timestamp", what);
    return 0;
}

static int print_json(const struct bg_run *run)
{
    struct bg_buf out = BG_BUF_INIT;

    bg_run_write_json(run, &out);
    fwrite(out.data, 1, out.len, stdout);
    bg_buf_release(&out);
    return BG_EXIT_PASS;
}

static size_t total_samples(const struct bg_run *run)
{
    size_t n = 0;

    for (size_t i = 0; i < run->n_results; i++)
        n += run->results[i].n_samples;
    return n;
}

int collect_paths(char *const paths[], int n, const char *format, bool keep_going,
                  struct bg_run *run)
{
    struct bg_diag d = { 0 };
    int bad = 0;

    for (int i = 0; i < n; i++) {
        struct bg_run one;

        bg_run_init(&one);
        if (bg_collect_path(paths[i], format, &one, &d) < 0) {
            bg_run_release(&one);
            bg_error("%s", d.msg);
            if (!keep_going)
                return -1;
            bad++;
            continue;
        }
        bg_run_absorb(run, &one);
    }
    if (bad == n) {
        bg_error("no input could be read; nothing stored");
        return -1;
    }
    if (bg_run_finish(run, n == 1 ? paths[0] : "input", &d) < 0) {
        bg_error("%s", d.msg);
        return -1;
    }
    for (size_t i = 0; i < run->n_warnings; i++)
        bg_warn("%s", run->warnings[i]);
    return bad;
}

/* POSTs the run document to the server and prints what it stored; 0, or -1 with d. */
static int upload(const struct bg_server *srv, const struct bg_run *run, bool quiet,
                  struct bg_diag *d)
{
    struct bg_buf doc = BG_BUF_INIT, path = BG_BUF_INIT;
    struct bg_limbuf resp = BG_LIMBUF_INIT(1u << 20);
    cJSON *answer = NULL;
    const cJSON *id;
    long status = 0;
    int rc;

    if (srv->token == NULL)
        bg_warn("no token given (--token or BENCHGATE_TOKEN): the server will refuse the "
                "upload");
    bg_run_write_json(run, &doc);
    bg_buf_adds(&path, "/api/v1/projects/");
    bg_buf_add_url_part(&path, run->project);
    bg_buf_adds(&path, "/runs");
    rc = bg_server_request(srv, "POST", path.data, doc.data, doc.len, &status, &resp, d);
    if (rc < 0)
        goto out;
    if (status != 201) {
        rc = status >= 400 ? bg_server_failed(srv, status, &resp.buf, d)
                           : bg_fail_as(d, BG_FAULT_BROKEN, "server %s: unexpected status %ld",
                                        srv->url, status);
        goto out;
    }
    answer = cJSON_ParseWithLength(resp.buf.data, resp.buf.len);
    id = bg_json_get(answer, "id");
    if (!cJSON_IsNumber(id)) {
        rc = bg_fail_as(d, BG_FAULT_BROKEN, "server %s: stored the run but its answer has no "
                        "run id", srv->url);
        goto out;
    }
    if (!quiet)
        printf("uploaded run %.0f of project '%s' on branch '%s'%s%.12s to %s: %zu "
               "benchmarks (%s)\n",
               id->valuedouble, run->project, run->branch, run->commit != NULL ? " at " : "",
               run->commit != NULL ? run->commit : "", srv->url, run->n_results, run->tool);
out:
    cJSON_Delete(answer);
    bg_buf_release(&resp.buf);
    bg_buf_release(&path);
    bg_buf_release(&doc);
    return rc;
}

int cmd_collect(int argc, char **argv)
{
    struct collect_opts o = { .db = bg_default_db() };
    struct bg_diag d = { 0 };
    struct bg_server srv;
    struct bg_run run;
    struct store *st = NULL;
    enum bg_parse p;
    char **files;
    int rc, bad = 0, n_files;

    bg_run_init(&run);
    o.run = &run;
    p = bg_cmd_parse(&command, argc, argv, &o, &files, &n_files);
    if (p != BG_PARSE_OK) {
        if (p == BG_PARSE_HELP)
            print_formats();
        rc = bg_parse_exit(p);
        goto out;
    }
    if (n_files == 0) {
        rc = bg_usage_error("collect", "no input files");
        goto out;
    }
    rc = BG_EXIT_USAGE;
    bad = collect_paths(files, n_files, o.format, o.keep_going, &run);
    if (bad < 0)
        goto out;
    collect_origin(&run, &o.origin);
    if (o.output == OUT_JSON) {
        rc = print_json(&run);
        goto out;
    }
    if (bg_server_resolve(&srv, o.server, o.token, &d) < 0) {
        rc = bg_cmd_fail(&d);
        goto out;
    }
    if (srv.url != NULL) {
        rc = upload(&srv, &run, o.quiet, &d) < 0 ? bg_cmd_fail(&d)
             : bad > 0                           ? BG_EXIT_USAGE
                                                 : BG_EXIT_PASS;
        goto out;
    }

    rc = bg_store_open(o.db, true, &st);
    if (rc != 0)
        goto out;
    rc = store_put_run(st, &run);
    if (rc == STORE_REJECTED)
        bg_error("%s", store_errmsg(st)); /* the data's fault: say so, exit 2 */
    if (rc < 0) {
        rc = rc == STORE_REJECTED ? BG_EXIT_USAGE : BG_EXIT_STORE;
        goto out;
    }
    if (!o.quiet)
        printf("stored run %" PRId64 " of project '%s' on branch '%s'%s%.12s: %zu benchmarks, "
               "%zu samples (%s)\n",
               run.id, run.project, run.branch, run.commit != NULL ? " at " : "",
               run.commit != NULL ? run.commit : "", run.n_results, total_samples(&run),
               run.tool);
    rc = bad > 0 ? BG_EXIT_USAGE : BG_EXIT_PASS;
    if (bad > 0)
        bg_error("%d of %d inputs could not be read (stored the others)", bad, n_files);
out:
    rc = bg_store_close(st, rc);
    bg_run_release(&run);
    return bg_finish_output(rc);
}
