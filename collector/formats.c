/* formats.c: the format table, content sniffing, and one input into a run. */
#include "core/bg.h"
#include "collector/formats.h"
#include "core/buf.h"

#include <sys/stat.h>
#include <unistd.h>

const struct bg_format *const bg_formats[] = {
    &bg_format_benchgate,
    &bg_format_hyperfine,
    &bg_format_go,
    &bg_format_gbench,
    &bg_format_pytest,
    &bg_format_criterion,
    &bg_format_bencher,
    &bg_format_catch2,
};
const size_t bg_n_formats = ARRAY_SIZE(bg_formats);

const struct bg_format *bg_format_find(const char *name)
{
    for (size_t i = 0; i < bg_n_formats; i++) {
        if (strcmp(bg_formats[i]->name, name) == 0)
            return bg_formats[i];
    }
    return NULL;
}

/* "hyperfine, go, ..." for messages. */
static void format_names(struct bg_buf *b)
{
    for (size_t i = 0; i < bg_n_formats; i++)
        bg_buf_addf(b, "%s%s", i > 0 ? ", " : "", bg_formats[i]->name);
}

static bool looks_like_json(const char *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (data[i] == '{' || data[i] == '[')
            return true;
        if (data[i] != ' ' && data[i] != '\t' && data[i] != '\n' && data[i] != '\r')
            return false;
    }
    return false;
}

static int collect_dir(const char *path, const char *format, struct bg_run *run,
                       struct bg_diag *d)
{
    for (size_t i = 0; i < bg_n_formats; i++) {
        const struct bg_format *f = bg_formats[i];

        if (f->parse_dir == NULL || (format != NULL && strcmp(format, f->name) != 0))
            continue;
        if (format != NULL || f->sniff_dir(path)) {
            if (f->parse_dir(path, run, d) < 0)
                return -1;
            bg_run_add_tool(run, f->name);
            return 0;
        }
    }
    if (format != NULL && bg_format_find(format) == NULL)
        return bg_fail(d, "unknown format '%s'", format);
    return bg_fail(d, "%s: is a directory that no format recognises%s", path,
                   format != NULL ? " with the format given" : "");
}

int bg_collect_path(const char *path, const char *format, struct bg_run *run,
                    struct bg_diag *d)
{
    struct bg_buf in = BG_BUF_INIT;
    struct stat st;
    int rc;

    if (strcmp(path, "-") == 0) {
        if (bg_buf_read_fd(&in, STDIN_FILENO, BG_MAX_INPUT) < 0) {
            rc = bg_fail(d, "standard input: %s",
                         errno == EFBIG ? "more than the input limit" : strerror(errno));
            goto out;
        }
        rc = bg_collect_bytes("(stdin)", in.data, in.len, format, run, d);
        goto out;
    }
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return collect_dir(path, format, run, d);
    rc = bg_buf_read_file(&in, path, BG_MAX_INPUT, d);
    if (rc == 0)
        rc = bg_collect_bytes(path, in.data, in.len, format, run, d);
out:
    bg_buf_release(&in);
    return rc;
}

int bg_collect_params(const char *what, const cJSON *params, const char *at, bool scalars,
                      struct bg_result *res, struct bg_diag *d)
{
    const cJSON *p;

    if (params == NULL || cJSON_IsNull(params))
        return 0;
    if (bg_json_want(params, cJSON_Object, what, at, d) < 0)
        return -1;
    cJSON_ArrayForEach(p, params) {
        const char *v = NULL, *why = bg_name_problem(p->string);
        char num[32];

        if (why != NULL)
            return bg_fail(d, "%s: %s: parameter name %s", what, at, why);
        if (cJSON_IsString(p)) {
            v = p->valuestring;
        } else if (!scalars) {
            return bg_fail(d, "%s: %s.%.64s: expected a string, got %s", what, at, p->string,
                           bg_json_type(p));
        } else if (cJSON_IsNumber(p)) {
            snprintf(num, sizeof(num), "%.17g", p->valuedouble);
            v = num;
        } else if (cJSON_IsBool(p)) {
            v = cJSON_IsTrue(p) ? "true" : "false";
        } else if (cJSON_IsNull(p)) {
            v = "null";
        } else {
            continue; /* lists and objects: not part of the identity */
        }
        why = bg_name_problem(v);
        if (why != NULL && *v != '\0')
            return bg_fail(d, "%s: %s.%.64s: value %s", what, at, p->string, why);
        bg_result_add_param(res, p->string, v);
    }
    return 0;
}

int bg_collect_bytes(const char *path, const char *data, size_t len, const char *format,
                     struct bg_run *run, struct bg_diag *d)
{
    struct bg_input in = { path, data, len, NULL };
    const struct bg_format *fmt = NULL;
    struct bg_diag json_err = { 0 };
    cJSON *json = NULL;
    int rc = -1;

    if (format != NULL) {
        fmt = bg_format_find(format);
        if (fmt == NULL) {
            struct bg_buf names = BG_BUF_INIT;

            format_names(&names);
            bg_fail(d, "unknown format '%s' (known: %s)", format, names.data);
            bg_buf_release(&names);
            return -1;
        }
    }
    if (looks_like_json(data, len)) {
        json = bg_json_parse(data, len, path, &json_err);
        in.json = json;
    }
    for (size_t i = 0; fmt == NULL && i < bg_n_formats; i++) {
        if (bg_formats[i]->sniff != NULL && bg_formats[i]->sniff(&in))
            fmt = bg_formats[i];
    }

    if (fmt == NULL) {
        struct bg_buf names = BG_BUF_INIT;

        format_names(&names);
        if (json_err.msg[0] != '\0')
            bg_fail(d, "%s", json_err.msg); /* broken JSON: its syntax error says most */
        else if (len == 0)
            bg_fail(d, "%s: empty file", path);
        else
            bg_fail(d, "%s: not a recognised benchmark format (tried: %s)", path, names.data);
        bg_buf_release(&names);
        goto out;
    }
    if (fmt->parse == NULL) {
        bg_fail(d, "%s: format '%s' reads directories, not files", path, fmt->name);
        goto out;
    }
    if (fmt->is_json && in.json == NULL) {
        /* a forced JSON format on a file that is not JSON */
        if (json_err.msg[0] != '\0')
            bg_fail(d, "%s", json_err.msg);
        else
            bg_fail(d, "%s: not JSON, but format '%s' is a JSON document", path, fmt->name);
        goto out;
    }
    rc = fmt->parse(&in, run, d);
    if (rc == 0 && !fmt->names_tool)
        bg_run_add_tool(run, fmt->name);
out:
    cJSON_Delete(json);
    return rc;
}
