/*
 * report_out.c: a verdict, out: the chosen format on standard output, the
 * Markdown report to --report's file, and GitHub's job summary and outputs
 * when they are set. What check and compare share once they have judged.
 */
#include "core/bg.h"
#include "gate/report.h"
#include "core/cli.h"

#include <unistd.h>

const char *const report_formats[] = { "text", "markdown", "json", "github", NULL };

FILE *report_open(const char *path, struct bg_diag *d)
{
    FILE *f;

    if (path == NULL)
        return NULL;
    f = fopen(path, "w");
    if (f == NULL)
        bg_fail(d, "--report '%.200s': %s", path, strerror(errno));
    return f;
}

int report_emit(const struct gate_report *r, enum report_format fmt, FILE *md,
                const char *md_path, const struct report_md_opts *mdo)
{
    int rc = gate_failed(r) ? BG_EXIT_REGRESSION : BG_EXIT_PASS;

    switch (fmt) {
    case REPORT_TEXT:
        report_text(stdout, r, isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL);
        break;
    case REPORT_MARKDOWN:
        report_markdown(stdout, r);
        break;
    case REPORT_JSON:
        report_json(stdout, r);
        break;
    case REPORT_GITHUB:
        report_github(stdout, r);
        break;
    }
    report_github_files(r, mdo);
    if (md != NULL) {
        if (mdo != NULL)
            report_markdown_fit(md, r, mdo);
        else
            report_markdown(md, r);
        if (ferror(md) | (fclose(md) != 0)) {
            bg_error("--report '%s': cannot write: %s", md_path, strerror(errno));
            rc = BG_EXIT_STORE;
        }
    }
    return rc;
}
