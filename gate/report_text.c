/* report_text.c: the gate's verdict as an aligned terminal table. */
#include "core/bg.h"
#include "gate/report.h"

#include <math.h>

/* Longest name column before a row is allowed to push the table wider. */
#define NAME_COL_MAX 60

void report_format_value(char *buf, size_t size, double v, const char *unit)
{
    if (isnan(v)) {
        snprintf(buf, size, "-");
    } else if (strcmp(unit, "ns") != 0) {
        snprintf(buf, size, "%.4g %s", v, unit);
    } else if (v < 1e3) {
        snprintf(buf, size, "%.1f ns", v);
    } else if (v < 1e6) {
        snprintf(buf, size, "%.2f µs", v / 1e3);
    } else if (v < 1e9) {
        snprintf(buf, size, "%.2f ms", v / 1e6);
    } else {
        snprintf(buf, size, "%.3f s", v / 1e9);
    }
}

void report_format_change(char *buf, size_t size, double change)
{
    if (isnan(change))
        snprintf(buf, size, "-");
    else if (isinf(change))
        snprintf(buf, size, "%sinf%%", change > 0 ? "+" : "-");
    else
        snprintf(buf, size, "%+.1f%%", change * 100.0);
}

/* Terminal columns of UTF-8 text: one per code point (no wide-glyph table). */
static size_t width(const char *s)
{
    size_t w = 0;

    for (; *s != '\0'; s++)
        w += ((unsigned char)*s & 0xc0) != 0x80;
    return w;
}

/* Prints s left-aligned in a field of w columns. */
static void pad(FILE *out, const char *s, size_t w)
{
    size_t sw = width(s);

    fputs(s, out);
    for (; sw < w; sw++)
        fputc(' ', out);
}

/* Prints s right-aligned in a field of w columns. */
static void rpad(FILE *out, const char *s, size_t w)
{
    for (size_t sw = width(s); sw < w; sw++)
        fputc(' ', out);
    fputs(s, out);
}

static void print_run(FILE *out, const struct bg_run *run)
{
    if (run->id == 0)
        fprintf(out, "'%s' (files, not stored", run->branch);
    else
        fprintf(out, "'%s' (run %" PRId64, run->branch, run->id);
    if (run->commit != NULL)
        fprintf(out, ", commit %.12s", run->commit);
    fputc(')', out);
}

static const char *row_name(const struct gate_row *row)
{
    return row->cur != NULL ? row->cur->name : row->base->name;
}

static const struct bg_result *row_result(const struct gate_row *row)
{
    return row->cur != NULL ? row->cur : row->base;
}

/* ANSI colours for verdict words, only when asked (a terminal, no NO_COLOR). */
static const char *colour_of(const struct gate_report *r, const struct gate_row *row)
{
    if (gate_row_fails(r, row))
        return "\033[1;31m";
    if (row->verdict == GATE_IMPROVED)
        return "\033[32m";
    if (row->verdict == GATE_INCONCLUSIVE || row->verdict == GATE_MISSING)
        return "\033[33m";
    return NULL;
}

void report_text(FILE *out, const struct gate_report *r, bool colour)
{
    size_t wname = strlen("benchmark"), wmetric = strlen("metric");
    const size_t wval = 12, wchange = 8, wn = 7, wci = 17, wp = 7;
    char base[48], cur[48], change[32], n[32], ci[72], lo[32], hi[32], p[32];

    fprintf(out, "benchgate check: project '%s', branch ", r->cur->project);
    print_run(out, r->cur);
    if (r->base != NULL) {
        fputs(" against ", out);
        print_run(out, r->base);
    }
    fprintf(out, "\nbaseline: %s\n", r->baseline_why);
    if (r->baseline_warning != NULL && r->baseline_warning[0] != '\0')
        fprintf(out, "warning: %s\n", r->baseline_warning);
    fprintf(out, "gate: a benchmark regresses when its p95 is more than %.1f%% worse and, with "
            "%zu+ samples a side,\n      significantly so (Mann-Whitney U, Holm over %zu tested, "
            "alpha %g); CI: bootstrap 95%%\n\n",
            r->opts.threshold * 100.0, r->opts.min_samples, r->n_tested, r->opts.alpha);

    for (size_t i = 0; i < r->n_rows; i++) {
        size_t w = width(row_name(&r->rows[i]));

        if (w > wname)
            wname = w < NAME_COL_MAX ? w : NAME_COL_MAX;
        w = width(row_result(&r->rows[i])->metric);
        if (w > wmetric)
            wmetric = w;
    }
    pad(out, "benchmark", wname + 2);
    pad(out, "metric", wmetric + 2);
    rpad(out, "baseline p95", wval);
    rpad(out, "current p95", wval + 2);
    rpad(out, "change", wchange + 2);
    rpad(out, "95% CI", wci + 2);
    rpad(out, "p", wp + 2);
    rpad(out, "n", wn + 2);
    fputs("  verdict\n", out);

    for (size_t i = 0; i < r->n_rows; i++) {
        const struct gate_row *row = &r->rows[i];
        const struct bg_result *res = row_result(row);

        report_format_value(base, sizeof(base), row->base_p95, res->unit);
        report_format_value(cur, sizeof(cur), row->cur_p95, res->unit);
        report_format_change(change, sizeof(change), row->change);
        snprintf(n, sizeof(n), "%zu/%zu", row->base != NULL ? row->base->n_samples : 0,
                 row->cur != NULL ? row->cur->n_samples : 0);
        if (isnan(row->ci_lo)) {
            snprintf(ci, sizeof(ci), "-");
        } else {
            report_format_change(lo, sizeof(lo), row->ci_lo);
            report_format_change(hi, sizeof(hi), row->ci_hi);
            snprintf(ci, sizeof(ci), "%s..%s", lo, hi);
        }
        if (isnan(row->p_holm))
            snprintf(p, sizeof(p), "-");
        else
            snprintf(p, sizeof(p), row->p_holm < 0.001 ? "<0.001" : "%.3f", row->p_holm);
        pad(out, row_name(row), wname + 2);
        pad(out, res->metric, wmetric + 2);
        rpad(out, base, wval);
        rpad(out, cur, wval + 2);
        rpad(out, change, wchange + 2);
        rpad(out, ci, wci + 2);
        rpad(out, p, wp + 2);
        rpad(out, n, wn + 2);
        const char *c = colour ? colour_of(r, row) : NULL;

        fprintf(out, "  %s%s%s%s%s%s\n", c != NULL ? c : "",
                row->verdict == GATE_REGRESSED ? "REGRESSED" : gate_verdict_name(row->verdict),
                c != NULL ? "\033[0m" : "", row->low_confidence ? " (low confidence: " : "",
                row->low_confidence ? gate_low_confidence_why(row) : "",
                row->low_confidence ? ")" : "");
    }

    fputc('\n', out);
    if (r->base == NULL) {
        fprintf(out, "PASS: no baseline to compare with; %zu benchmarks recorded as new\n",
                r->count[GATE_NEW]);
    } else if (gate_failed(r)) {
        fprintf(out, "FAIL: %zu of %zu compared benchmarks failed the gate:", gate_n_failing(r),
                r->n_rows - r->count[GATE_NEW] - r->count[GATE_IGNORED]);
        for (size_t i = 0, k = 0; i < r->n_rows; i++) {
            if (gate_row_fails(r, &r->rows[i]))
                fprintf(out, "%s '%s' (%s)", k++ > 0 ? "," : "", row_name(&r->rows[i]),
                        gate_verdict_name(r->rows[i].verdict));
        }
        fputc('\n', out);
    } else {
        fprintf(out, "PASS: no regression (%zu unchanged, %zu improved, %zu inconclusive, %zu new, "
                "%zu missing, %zu ignored)\n",
                r->count[GATE_UNCHANGED], r->count[GATE_IMPROVED], r->count[GATE_INCONCLUSIVE],
                r->count[GATE_NEW], r->count[GATE_MISSING], r->count[GATE_IGNORED]);
    }
}
