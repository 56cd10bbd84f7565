/* report_text.c: the gate's verdict as an aligned terminal table. */
#include "core/bg.h"
#include "gate/report.h"
#include "core/num.h"

#include <math.h>

/* Longest name column before a row is allowed to push the table wider. */
#define NAME_COL_MAX 60

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

/* "12.3%" of a fraction, "-" for none. */
static void percent(char *buf, size_t size, double v)
{
    char num[24];

    if (isnan(v)) {
        snprintf(buf, size, "-");
        return;
    }
    bg_fmt_fixed(num, sizeof(num), v * 100.0, 1, false);
    snprintf(buf, size, "%s%%", num);
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

/* Names of rows that satisfy pick, at most 8, then "and N more". */
static void list_rows(FILE *out, const struct gate_report *r,
                      bool (*pick)(const struct gate_report *, const struct gate_row *))
{
    size_t k = 0;

    for (size_t i = 0; i < r->n_rows; i++) {
        if (!pick(r, &r->rows[i]))
            continue;
        if (k < 8)
            fprintf(out, "%s'%s'", k > 0 ? ", " : "", row_name(&r->rows[i]));
        k++;
    }
    if (k > 8)
        fprintf(out, " and %zu more", k - 8);
}

static bool is_ungateable(const struct gate_report *r, const struct gate_row *row)
{
    (void)r;
    return row->ungateable;
}

static bool is_low(const struct gate_report *r, const struct gate_row *row)
{
    (void)r;
    return row->low_confidence;
}

/* "label: text" on a line of its own: long lines are left to the terminal,
 * so a phrase can always be found with grep. */
static void say(FILE *out, const char *label, const struct bg_buf *b)
{
    fprintf(out, "%s: %s\n", label, b->data);
}

/* The header's rest, check's and ab's: the warning, the rule, the machine's moves; releases b. */
static void header_rule(FILE *out, const struct gate_report *r, struct bg_buf *b)
{
    if (r->baseline_warning != NULL && r->baseline_warning[0] != '\0') {
        bg_buf_reset(b);
        bg_buf_adds(b, r->baseline_warning);
        say(out, "warning", b);
    }
    bg_buf_reset(b);
    report_rule(b, r);
    say(out, "gate", b);
    for (size_t i = 0; i < r->n_suites; i++) {
        bg_buf_reset(b);
        report_suite(b, r, &r->suites[i]);
        say(out, "machine", b);
    }
    bg_buf_release(b);
}

/* benchgate ab: what ran, how, and the rule. */
static void header_ab(FILE *out, const struct gate_report *r)
{
    struct bg_buf b = BG_BUF_INIT;

    fprintf(out, "benchgate ab: project '%s', head against base, %zu rounds each on one "
            "machine\n", r->cur->project, r->ab->rounds);
    report_ab(&b, r);
    say(out, "rounds", &b);
    header_rule(out, r, &b);
}

static void header(FILE *out, const struct gate_report *r)
{
    struct bg_buf b = BG_BUF_INIT;

    if (r->ab != NULL) {
        header_ab(out, r);
        return;
    }
    fprintf(out, "benchgate check: project '%s', branch ", r->cur->project);
    print_run(out, r->cur);
    if (r->n_cur > 1)
        fprintf(out, " and %zu more", r->n_cur - 1);
    if (r->base != NULL) {
        fputs(" against ", out);
        print_run(out, r->base);
        if (r->n_base > 1)
            fprintf(out, " and %zu runs before it", r->n_base - 1);
    }
    fputc('\n', out);
    if (r->base == NULL) {
        report_no_baseline(&b, r);
        say(out, "benchgate", &b);
        bg_buf_release(&b);
        return;
    }
    bg_buf_adds(&b, r->baseline_why);
    say(out, "baseline", &b);
    header_rule(out, r, &b);
}

static void footer(FILE *out, const struct gate_report *r)
{
    struct bg_buf b = BG_BUF_INIT;

    fputc('\n', out);
    if (r->base == NULL) {
        fprintf(out, "PASS: nothing to compare with (%zu benchmarks recorded as new)\n",
                r->count[GATE_NEW]);
        return;
    }
    if (gate_failed(r)) {
        size_t failing = gate_n_failing(r);

        fputs("FAIL:", out);
        for (size_t i = 0; i < r->n_suites; i++) {
            if (gate_suite_fails(r, &r->suites[i]))
                fprintf(out, " the whole '%s' suite moved together;", r->suites[i].metric);
        }
        if (failing > 0)
            fprintf(out, " %zu of %zu compared benchmarks failed the gate:", failing,
                    r->n_rows - r->count[GATE_NEW] - r->count[GATE_IGNORED]);
        fputc('\n', out);
        for (size_t i = 0; i < r->n_rows; i++) {
            if (!gate_row_fails(r, &r->rows[i]))
                continue;
            bg_buf_reset(&b);
            report_row_why(&b, r, &r->rows[i]);
            fprintf(out, "  '%s' (%s) %s: %s\n", row_name(&r->rows[i]),
                    row_result(&r->rows[i])->metric, gate_verdict_name(r->rows[i].verdict),
                    b.data);
        }
    } else {
        fprintf(out, "PASS: no regression (%zu unchanged, %zu improved, %zu inconclusive, %zu "
                "new, %zu missing, %zu ignored)\n", r->count[GATE_UNCHANGED],
                r->count[GATE_IMPROVED], r->count[GATE_INCONCLUSIVE], r->count[GATE_NEW],
                r->count[GATE_MISSING], r->count[GATE_IGNORED]);
    }
    if (r->n_ungateable > 0) {
        fprintf(out, "not gateable at the threshold (%zu): ", r->n_ungateable);
        list_rows(out, r, is_ungateable);
        fputs(": their noise hides any change under the 'detectable' column\n", out);
    }
    if (r->n_low > 0) {
        fprintf(out, "low confidence (%zu): ", r->n_low);
        list_rows(out, r, is_low);
        fputc('\n', out);
    }
    bg_buf_release(&b);
}

void report_text(FILE *out, const struct gate_report *r, bool colour)
{
    size_t wname = strlen("benchmark"), wmetric = strlen("metric");
    const size_t wchange = 8, wn = 9, wci = 17, wp = 7, wpct = 6;
    size_t wval = strlen("baseline p95");
    char base[48], cur[48], change[32], n[48], ci[72], lo[32], hi[32], p[32], noise[32];
    char detect[32], why[160];

    header(out, r);
    fputc('\n', out);
    for (size_t i = 0; i < r->n_rows; i++) {
        size_t w = width(row_name(&r->rows[i]));

        if (w > wname)
            wname = w < NAME_COL_MAX ? w : NAME_COL_MAX;
        w = width(row_result(&r->rows[i])->metric);
        if (w > wmetric)
            wmetric = w;
        report_format_value(base, sizeof(base), r->rows[i].base_p95, row_result(&r->rows[i])->unit);
        report_format_value(cur, sizeof(cur), r->rows[i].cur_p95, row_result(&r->rows[i])->unit);
        w = width(base) > width(cur) ? width(base) : width(cur);
        if (w > wval)
            wval = w; /* bounded: a unit is at most BG_METRIC_MAX bytes */
    }
    pad(out, "benchmark", wname + 2);
    pad(out, "metric", wmetric + 2);
    rpad(out, r->ab != NULL ? "base p95" : "baseline p95", wval);
    rpad(out, r->ab != NULL ? "head p95" : "current p95", wval + 2);
    rpad(out, "change", wchange + 2);
    rpad(out, "95% CI", wci + 2);
    rpad(out, "noise", wpct + 2);
    rpad(out, "detect", wpct + 2);
    rpad(out, "p", wp + 2);
    rpad(out, "n", wn + 2);
    fputs("  verdict\n", out);

    for (size_t i = 0; i < r->n_rows; i++) {
        const struct gate_row *row = &r->rows[i];
        const struct bg_result *res = row_result(row);
        const char *c = colour ? colour_of(r, row) : NULL;

        report_format_value(base, sizeof(base), row->base_p95, res->unit);
        report_format_value(cur, sizeof(cur), row->cur_p95, res->unit);
        report_format_change(change, sizeof(change),
                             isnan(row->adj_change) ? row->change : row->adj_change);
        if (row->k > 1)
            snprintf(n, sizeof(n), "%ux%zu/%zu", row->k, row->base->n_samples,
                     row->cur != NULL ? row->cur->n_samples : 0);
        else
            snprintf(n, sizeof(n), "%zu/%zu", row->base != NULL ? row->base->n_samples : 0,
                     row->cur != NULL ? row->cur->n_samples : 0);
        if (isnan(row->ci_lo)) {
            snprintf(ci, sizeof(ci), "-");
        } else {
            report_format_change(lo, sizeof(lo), row->ci_lo);
            report_format_change(hi, sizeof(hi), row->ci_hi);
            snprintf(ci, sizeof(ci), "%s..%s", lo, hi);
        }
        percent(noise, sizeof(noise), row->noise);
        percent(detect, sizeof(detect), row->detectable);
        report_format_p(p, sizeof(p), row->p_holm);
        pad(out, row_name(row), wname + 2);
        pad(out, res->metric, wmetric + 2);
        rpad(out, base, wval);
        rpad(out, cur, wval + 2);
        rpad(out, change, wchange + 2);
        rpad(out, ci, wci + 2);
        rpad(out, noise, wpct + 2);
        rpad(out, detect, wpct + 2);
        rpad(out, p, wp + 2);
        rpad(out, n, wn + 2);
        why[0] = '\0';
        if (row->low_confidence) {
            char low[128];

            gate_low_text(r, row, low, sizeof(low));
            snprintf(why, sizeof(why), " (low confidence: %s)", low);
        }
        fprintf(out, "  %s%s%s%s\n", c != NULL ? c : "",
                row->verdict == GATE_REGRESSED ? "REGRESSED" : gate_verdict_name(row->verdict),
                c != NULL ? "\033[0m" : "", why);
    }
    if (r->ab != NULL)
        fputs("\n(base and head p95: geometric means over the rounds; change: of the p95, the "
              "geometric mean of the per-round ratios head/base, with its 95% interval; noise: "
              "the sd of the per-round p95 ratio; detect: the smallest shift the rounds could "
              "confirm; n: rounds x samples)\n", out);
    else if (report_factor_removed(r))
        fputs("\n(change: against the history's typical p95, with this run's machine factor "
              "removed; noise: the p95's run-to-run sd; detect: the smallest shift the gate "
              "could confirm)\n", out);
    footer(out, r);
}
