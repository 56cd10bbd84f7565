/*
 * report.h: renderings of a gate report. Each takes the computed report
 * and writes it; none decides anything.
 */
#ifndef BG_GATE_REPORT_H
#define BG_GATE_REPORT_H

#include "core/bg.h"
#include "core/buf.h"
#include "gate/compare.h"

/* The aligned terminal table with a header and a one-line verdict; colour
 * (verdicts only) when asked, which check does only on a terminal. */
void report_text(FILE *out, const struct gate_report *r, bool colour);

/* The first line of every Markdown report: lets a CI job find and update
 * its earlier pull-request comment instead of adding another. */
#define REPORT_MD_MARKER "<!-- benchgate-report -->"

/* A Markdown report for a GitHub job summary or pull-request comment. */
void report_markdown(FILE *out, const struct gate_report *r);

/* The verdict document of schemas/verdict.schema.json, to a file or appended to a buffer. */
void report_json(FILE *out, const struct gate_report *r);
void report_json_buf(struct bg_buf *out, const struct gate_report *r);

/* GitHub workflow commands: ::error for failing rows, ::warning otherwise. */
void report_github(FILE *out, const struct gate_report *r);

/*
 * When GITHUB_STEP_SUMMARY or GITHUB_OUTPUT name files, appends the
 * Markdown report to the first and "regressions=N", "verdict=pass|fail" to
 * the second. A file that cannot be written is a warning, not a failure.
 */
void report_github_files(const struct gate_report *r);

/* "12.3 ms" for ns, else "%.4g unit"; "-" for NAN. */
void report_format_value(char *buf, size_t size, double v, const char *unit);
/* "+12.3%", "-0.4%", "+inf%", "-" for NAN. */
void report_format_change(char *buf, size_t size, double change);

#endif /* BG_GATE_REPORT_H */
