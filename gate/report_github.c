/*
 * report_github.c: GitHub Actions integration: workflow-command
 * annotations, and the job summary and step outputs files.
 *
 * Workflow commands are parsed by the runner, so a benchmark name in one
 * must not be able to end it or start another: '%', CR and LF are encoded
 * in the message, and ':' and ',' too in properties (GitHub's escaping).
 */
#include "core/bg.h"
#include "gate/report.h"

static void escape(FILE *out, const char *s, bool property)
{
    for (; *s != '\0'; s++) {
        if (*s == '%')
            fputs("%25", out);
        else if (*s == '\r')
            fputs("%0D", out);
        else if (*s == '\n')
            fputs("%0A", out);
        else if (property && *s == ':')
            fputs("%3A", out);
        else if (property && *s == ',')
            fputs("%2C", out);
        else
            fputc(*s, out);
    }
}

static void annotate(FILE *out, const char *level, const char *title, const struct gate_report *r,
                     const struct gate_row *row)
{
    const struct bg_result *res = row->cur != NULL ? row->cur : row->base;
    char base[48], cur[48];
    struct bg_buf why = BG_BUF_INIT, text = BG_BUF_INIT;

    report_format_value(base, sizeof(base), row->base_p95, res->unit);
    report_format_value(cur, sizeof(cur), row->cur_p95, res->unit);
    report_row_why(&why, r, row);
    fprintf(out, "::%s title=", level);
    escape(out, title, true);
    fputs(" ", out);
    escape(out, res->name, true);
    fputs("::", out);
    /* the whole message is escaped: the name, the metric, the unit and the prose */
    bg_buf_addf(&text, "%s (%s): %s %s -> %s, %s%s", res->name, res->metric, row->stat, base,
                cur, why.data, row->low_confidence ? ", low confidence" : "");
    escape(out, text.data, false);
    fputc('\n', out);
    bg_buf_release(&text);
    bg_buf_release(&why);
}

void report_github(FILE *out, const struct gate_report *r)
{
    struct bg_buf b = BG_BUF_INIT;

    if (r->base == NULL) {
        report_no_baseline(&b, r);
        fputs("::warning title=benchgate baseline::", out);
        escape(out, b.data, false);
        fputc('\n', out);
    }
    if (r->baseline_warning != NULL && r->baseline_warning[0] != '\0') {
        fputs("::warning title=benchgate baseline::", out);
        escape(out, r->baseline_warning, false);
        fputc('\n', out);
    }
    for (size_t i = 0; i < r->n_suites; i++) {
        if (r->suites[i].verdict == GATE_UNCHANGED)
            continue;
        bg_buf_reset(&b);
        report_suite(&b, r, &r->suites[i]);
        fprintf(out, "::%s title=benchgate machine::", gate_suite_fails(r, &r->suites[i])
                                                          ? "error" : "notice");
        escape(out, b.data, false);
        fputc('\n', out);
    }
    for (size_t i = 0; i < r->n_rows; i++) {
        const struct gate_row *row = &r->rows[i];

        if (gate_row_fails(r, row))
            annotate(out, "error", row->verdict == GATE_MISSING ? "benchgate missing"
                                   : row->verdict == GATE_INCONCLUSIVE ? "benchgate inconclusive"
                                                                       : "benchgate regression",
                     r, row);
        else if (row->verdict == GATE_INCONCLUSIVE && row->adj_change > 0)
            annotate(out, "warning", "benchgate inconclusive", r, row);
        else if (row->verdict == GATE_MISSING)
            annotate(out, "warning", "benchgate missing", r, row);
    }
    fprintf(out, "::notice title=benchgate::%s: %zu failing, %zu regressed, %zu improved, "
            "%zu unchanged, %zu inconclusive, %zu new, %zu missing\n",
            gate_failed(r) ? "FAIL" : "PASS", gate_n_failing(r), r->count[GATE_REGRESSED],
            r->count[GATE_IMPROVED], r->count[GATE_UNCHANGED], r->count[GATE_INCONCLUSIVE],
            r->count[GATE_NEW], r->count[GATE_MISSING]);
    bg_buf_release(&b);
}

/* Opens an Actions file named by an environment variable for appending. */
static FILE *actions_file(const char *var)
{
    const char *path = getenv(var);
    FILE *f;

    if (path == NULL || *path == '\0')
        return NULL;
    if (strlen(path) > 4096) {
        bg_warn("%s is too long a path; not written", var);
        return NULL;
    }
    f = fopen(path, "a");
    if (f == NULL)
        bg_warn("cannot append to %s '%s': %s", var, path, strerror(errno));
    return f;
}

static void close_actions_file(FILE *f, const char *var)
{
    if (ferror(f) | (fclose(f) != 0))
        bg_warn("cannot write %s: %s", var, strerror(errno));
}

void report_github_files(const struct gate_report *r, const struct report_md_opts *mdo)
{
    FILE *f = actions_file("GITHUB_STEP_SUMMARY");

    if (f != NULL) {
        /* a step's summary may take 1 MiB: past that GitHub shows none of it */
        struct report_md_opts o = { NULL, false, REPORT_MD_SUMMARY_LIMIT };

        if (mdo != NULL)
            o.link_base = mdo->link_base, o.link_static = mdo->link_static;
        report_markdown_fit(f, r, &o);
        close_actions_file(f, "GITHUB_STEP_SUMMARY");
    }
    f = actions_file("GITHUB_OUTPUT");
    if (f != NULL) {
        fprintf(f, "regressions=%zu\nverdict=%s\n", r->count[GATE_REGRESSED],
                gate_failed(r) ? "fail" : "pass");
        close_actions_file(f, "GITHUB_OUTPUT");
    }
}
