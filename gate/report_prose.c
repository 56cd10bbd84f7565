/*
 * report_prose.c: the numbers and sentences every report says the same
 * way: values with their units, changes as percentages, the gate's rule,
 * the run-wide factor, why a benchmark failed, what it could detect. Names
 * never appear here: each format escapes and places them itself.
 */
#include "core/bg.h"
#include "gate/report.h"
#include "core/num.h"

#include <math.h>

/* "12.35 µs": v in decimals digits, then the unit (bg_fmt_fixed: a report of
 * 10,000 benchmarks writes 80,000 numbers, and snprintf was half its time). */
static void fixed_unit(char *buf, size_t size, double v, int decimals, const char *unit)
{
    size_t n = (size_t)bg_fmt_fixed(buf, size, v, decimals, false), u = strlen(unit);

    if (n + 1 + u < size) { /* else cut short, as snprintf would */
        buf[n] = ' ';
        memcpy(buf + n + 1, unit, u + 1);
    }
}

void report_format_value(char *buf, size_t size, double v, const char *unit)
{
    double a = fabs(v);

    if (isnan(v)) {
        snprintf(buf, size, "-");
    } else if (strcmp(unit, "ns") == 0) {
        if (a < 1e3)
            fixed_unit(buf, size, v, 1, "ns");
        else if (a < 1e6)
            fixed_unit(buf, size, v / 1e3, 2, "µs");
        else if (a < 1e9)
            fixed_unit(buf, size, v / 1e6, 2, "ms");
        else
            fixed_unit(buf, size, v / 1e9, 3, "s");
    } else if (strcmp(unit, "B") == 0 && a >= 1024.0 && a < 1024.0 * 1024 * 1024 * 1024) {
        if (a < 1024.0 * 1024)
            fixed_unit(buf, size, v / 1024.0, 1, "KiB");
        else if (a < 1024.0 * 1024 * 1024)
            fixed_unit(buf, size, v / (1024.0 * 1024), 1, "MiB");
        else
            fixed_unit(buf, size, v / (1024.0 * 1024 * 1024), 2, "GiB");
    } else if (a >= 1e4 && a < 1e9) {
        fixed_unit(buf, size, v, 0, unit); /* whole counts read better than 1.022e+04 */
    } else {
        snprintf(buf, size, "%.4g %s", v, unit);
    }
}

void report_format_change(char *buf, size_t size, double change)
{
    if (isnan(change)) {
        snprintf(buf, size, "-");
    } else if (isinf(change)) {
        snprintf(buf, size, "%sinf%%", change > 0 ? "+" : "-");
    } else {
        size_t n = (size_t)bg_fmt_fixed(buf, size, change * 100.0, 1, true);

        if (n + 1 < size) {
            buf[n] = '%';
            buf[n + 1] = '\0';
        }
    }
}

void report_format_p(char *buf, size_t size, double p)
{
    if (isnan(p))
        snprintf(buf, size, "-");
    else if (p < 0.001)
        snprintf(buf, size, "<0.001");
    else
        bg_fmt_fixed(buf, size, p, 3, false);
}

bool report_factor_removed(const struct gate_report *r)
{
    return r->n_suites > 0;
}

void report_rule(struct bg_buf *b, const struct gate_report *r)
{
    if (r->ab != NULL) {
        bg_buf_addf(b, "a benchmark regresses when its p95 is more than %.1f%% worse than the "
                    "base's, round by round (the geometric mean of the %zu rounds' ratios%s), "
                    "and the rounds say it moved that far: the per-round ratios of its median "
                    "or of its p95 past the threshold and beyond their own spread (a paired t "
                    "over the rounds; Holm over %zu benchmarks, alpha %g)",
                    r->opts.threshold * 100.0, r->ab->rounds,
                    report_factor_removed(r) ? ", each round's machine factor removed" : "",
                    r->n_tested, r->alpha_rows);
        return;
    }
    bg_buf_addf(b, "a benchmark regresses when its p95 is more than %.1f%% worse than its "
                "history's typical p95%s, and the history says it moved that far: its median "
                "past the threshold and beyond its own run-to-run spread, or more of its "
                "samples beyond the history's p95 + %.1f%% than its history ever shows (Holm "
                "over %zu benchmarks, alpha %g)",
                r->opts.threshold * 100.0,
                report_factor_removed(r) ? " (this run's machine factor removed)" : "",
                r->opts.threshold * 100.0, r->n_tested, r->alpha_rows);
}

void report_suite(struct bg_buf *b, const struct gate_report *r, const struct gate_suite *s)
{
    char change[32], spread[32];

    report_format_change(change, sizeof(change), s->change);
    if (s->measured)
        snprintf(spread, sizeof(spread), "±%.1f%%", s->spread * 100.0);
    bg_buf_addf(b, "the %zu '%s' benchmarks moved %s together against %s", s->n_rows,
                s->metric, change, r->ab != NULL ? "the base, round by round" : "their history");
    if (s->measured)
        bg_buf_addf(b, r->ab != NULL ? " (that shared move's spread: %s round to round)"
                                     : " (whose runs move %s run to run)", spread);
    else
        bg_buf_addf(b, " (its run-to-run spread not measured: %zu baseline run%s; %.1f%% "
                    "assumed)", r->n_base, r->n_base == 1 ? "" : "s", r->opts.prior_spread * 100);
    switch (s->verdict) {
    case GATE_REGRESSED:
        bg_buf_addf(b, ": past the threshold and beyond the usual spread (p %.2g): a slower "
                    "machine, or a change that slows everything. This fails the gate",
                    s->p_adj);
        break;
    case GATE_IMPROVED:
        bg_buf_addf(b, ": faster than the usual spread allows (p %.2g): a faster machine, or a "
                    "change that speeds everything up", s->p_adj);
        break;
    case GATE_INCONCLUSIVE:
        bg_buf_addf(b, ": past the threshold but within what the history's spread allows "
                    "(p %.2g); removed before judging each benchmark", s->p_adj);
        break;
    default:
        bg_buf_adds(b, ": removed before judging each benchmark");
        break;
    }
}

void report_row_why(struct bg_buf *b, const struct gate_report *r, const struct gate_row *row)
{
    char change[32], p[32];

    report_format_change(change, sizeof(change), row->adj_change);
    report_format_p(p, sizeof(p), row->p_holm);
    switch (row->verdict) {
    case GATE_REGRESSED:
    case GATE_IMPROVED:
        if (row->evidence != NULL && strcmp(row->evidence, "tail") == 0)
            bg_buf_addf(b, "%s: %zu of its samples lie beyond the history's p95 + %.0f%% where "
                        "%.1f are usual (p %s)", change, row->tail_observed,
                        row->threshold * 100.0, row->tail_expected, p);
        else if (row->evidence != NULL && strcmp(row->evidence, "p50") == 0) {
            char loc[32];

            report_format_change(loc, sizeof(loc), row->location_change);
            bg_buf_addf(b, "%s: its whole distribution moved %s (the median), beyond its "
                        "run-to-run spread (p %s)", change, loc, p);
        } else {
            bg_buf_addf(b, "%s: its %s moved beyond its run-to-run spread (p %s)", change,
                        row->evidence != NULL ? row->evidence : "p95", p);
        }
        break;
    case GATE_INCONCLUSIVE:
        if (isnan(row->noise))
            bg_buf_addf(b, "%s, but not confirmed (p %s)", change, p);
        else
            bg_buf_addf(b, "%s, but within what its %s allows (%s ±%.1f%%; p %s)", change,
                        r->ab != NULL ? "rounds' spread" : "history",
                        r->ab != NULL ? "round to round" : "run to run", row->noise * 100.0, p);
        break;
    case GATE_MISSING:
        bg_buf_adds(b, "in the baseline, not in this run");
        break;
    case GATE_NEW:
        bg_buf_adds(b, "no baseline result");
        break;
    default:
        bg_buf_addf(b, "%s", change);
        break;
    }
}

void report_row_sensitivity(struct bg_buf *b, const struct gate_row *row)
{
    char d[32];

    report_format_change(d, sizeof(d), row->detectable);
    bg_buf_addf(b, "could confirm no change under %s (threshold %.0f%%): %s", d,
                row->threshold * 100.0, row->advice != NULL ? row->advice : "");
    if (row->advice != NULL && strcmp(row->advice, "more baseline runs") == 0)
        bg_buf_addf(b, " (it has %u)", row->k);
}

void report_ab(struct bg_buf *b, const struct gate_report *r)
{
    const struct gate_ab *ab = r->ab;

    bg_buf_addf(b, "%zu rounds of base and head, ", ab->rounds);
    if (strcmp(ab->mode, "duet") == 0)
        bg_buf_addf(b, "both at once in each round (duet: %s)", ab->cpus != NULL ? ab->cpus
                                                                                  : "unpinned");
    else if (strcmp(ab->order, "random") == 0)
        bg_buf_addf(b, "one after the other in random order");
    else
        bg_buf_addf(b, "one after the other in alternating order, base first in odd rounds");
    /* the seed draws the order, or with --duet which side gets which CPU */
    if (strcmp(ab->order, "random") == 0 || strcmp(ab->mode, "duet") == 0)
        bg_buf_addf(b, " (seed %" PRIu64 ": --seed %" PRIu64 " runs them in that order again)",
                    ab->seed, ab->seed);
    if (!isnan(ab->seconds))
        bg_buf_addf(b, ", %.0f s in all", ab->seconds);
    bg_buf_addf(b, "; every round's output is kept in %s", ab->keep);
}

void report_no_baseline(struct bg_buf *b, const struct gate_report *r)
{
    bg_buf_addf(b, "NO BASELINE: %s. Nothing was judged: all %zu benchmarks are new",
                r->baseline_why != NULL ? r->baseline_why : "none found", r->count[GATE_NEW]);
}
