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

/* GitHub's limit on a comment's body, in characters (a byte count is never less). */
#define REPORT_MD_COMMENT_LIMIT 65536
/* and on a job summary's, a step's GITHUB_STEP_SUMMARY, in bytes */
#define REPORT_MD_SUMMARY_LIMIT (1024 * 1024)

struct report_md_opts {
    const char *link_base; /* a server or published dashboard URL; NULL: no links */
    bool link_static;      /* link_base is benchgate publish's output, not a server */
    size_t limit;          /* bytes the report may take; 0: no limit */
};
/* The Markdown report with benchmark names linked to their pages, cut to
 * o->limit: table rows go first, then failing lines (each cut says "and N
 * more"), so the failing benchmarks are the last thing cut. */
void report_markdown_fit(FILE *out, const struct gate_report *r, const struct report_md_opts *o);

/* The verdict document of schemas/verdict.schema.json, to a file or appended to a buffer. */
void report_json(FILE *out, const struct gate_report *r);
void report_json_buf(struct bg_buf *out, const struct gate_report *r);

/* GitHub workflow commands: ::error for failing rows, ::warning otherwise. */
void report_github(FILE *out, const struct gate_report *r);

/*
 * When GITHUB_STEP_SUMMARY or GITHUB_OUTPUT name files, appends the
 * Markdown report (linked as mdo says, cut to GitHub's 1 MiB) to the first
 * and "regressions=N", "verdict=pass|fail" to the second. A file that cannot be written is a warning, not a failure.
 */
void report_github_files(const struct gate_report *r, const struct report_md_opts *mdo);

/* ---- report_out.c: a verdict, out ---- */

enum report_format { REPORT_TEXT, REPORT_MARKDOWN, REPORT_JSON, REPORT_GITHUB };
/* Their names, as -o takes them, NULL-terminated. */
extern const char *const report_formats[];

/* Opens --report's file before any work (NULL when path is; NULL with d on failure). */
FILE *report_open(const char *path, struct bg_diag *d);
/*
 * Writes r as fmt to standard output, the Markdown report to md (which it
 * closes; may be NULL; cut and linked as mdo says, when not NULL) and
 * GitHub's files. Returns the exit status: 1 when
 * the gate failed, 0 when it passed, 3 when md could not be written.
 */
int report_emit(const struct gate_report *r, enum report_format fmt, FILE *md,
                const char *md_path, const struct report_md_opts *mdo);

/* ---- report_prose.c: what every format says the same way ---- */

/* "12.3 ms" for ns, else "%.4g unit"; "-" for NAN. */
void report_format_value(char *buf, size_t size, double v, const char *unit);
/* "+12.3%", "-0.4%", "+inf%", "-" for NAN. */
void report_format_change(char *buf, size_t size, double change);
/* "0.012", "<0.001", "-" for NAN. */
void report_format_p(char *buf, size_t size, double p);
/* Whether changes were judged with a run-wide factor removed. */
bool report_factor_removed(const struct gate_report *r);
/* "a benchmark regresses when ...": the rule, with this report's numbers. */
void report_rule(struct bg_buf *b, const struct gate_report *r);
/* "the 60 'time' benchmarks moved +3.1% together ...": a run-wide factor. */
void report_suite(struct bg_buf *b, const struct gate_report *r, const struct gate_suite *s);
/* "+32.4%: its p50 moved beyond its ±2.1% run-to-run spread (p <0.001)". */
void report_row_why(struct bg_buf *b, const struct gate_report *r, const struct gate_row *row);
/* "could confirm no change under +18.0% (threshold 10%): more baseline runs". */
void report_row_sensitivity(struct bg_buf *b, const struct gate_row *row);
/* "10 rounds of base and head, one after the other in random order (seed 42:
 * --seed 42 runs them in that order again), ...": how benchgate ab ran. */
void report_ab(struct bg_buf *b, const struct gate_report *r);
/* "NO BASELINE: ...": the first line of a report without one. */
void report_no_baseline(struct bg_buf *b, const struct gate_report *r);

#endif /* BG_GATE_REPORT_H */
