/*
 * report_md.c: the gate's verdict as GitHub-flavoured Markdown.
 *
 * Benchmark names are outside input and GitHub renders this into HTML, so
 * every name is escaped for Markdown (table pipes, emphasis, links, code)
 * and HTML (& < >) before it is printed.
 */
#include "core/bg.h"
#include "gate/report.h"

#include <math.h>

static void md_text(FILE *out, const char *s)
{
    for (; *s != '\0'; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", out);
            break;
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '\\': case '`': case '*': case '_': case '[': case ']': case '|': case '#':
        case '~': case '!': case '(': case ')':
            fputc('\\', out);
            fputc(*s, out);
            break;
        default:
            fputc(*s, out);
        }
    }
}

static void md_run(FILE *out, const struct bg_run *run)
{
    md_text(out, run->branch);
    if (run->id == 0)
        fputs(" (files, not stored", out);
    else
        fprintf(out, " (run %" PRId64, run->id);
    if (run->commit != NULL)
        fprintf(out, ", commit %.12s", run->commit);
    fputc(')', out);
}

static const char *mark(const struct gate_report *r, const struct gate_row *row)
{
    if (gate_row_fails(r, row))
        return "❌";
    switch (row->verdict) {
    case GATE_IMPROVED:
        return "🚀";
    case GATE_INCONCLUSIVE:
    case GATE_MISSING:
        return "⚠️";
    default:
        return "";
    }
}

void report_markdown(FILE *out, const struct gate_report *r)
{
    char base[48], cur[48], change[32], lo[32], hi[32];
    size_t failing = gate_n_failing(r);

    fprintf(out, "%s\n", REPORT_MD_MARKER);
    if (failing > 0)
        fprintf(out, "### benchgate: ❌ %zu benchmark%s failed the gate\n\n", failing,
                failing == 1 ? "" : "s");
    else
        fputs("### benchgate: ✅ no regression\n\n", out);
    fputs("Project **", out);
    md_text(out, r->cur->project);
    fputs("**, branch ", out);
    md_run(out, r->cur);
    if (r->base != NULL) {
        fputs(" against ", out);
        md_run(out, r->base);
    }
    fputs(".  \nBaseline: ", out);
    md_text(out, r->baseline_why);
    fputs(".  \n", out);
    if (r->baseline_warning != NULL && r->baseline_warning[0] != '\0') {
        fputs("⚠️ ", out);
        md_text(out, r->baseline_warning);
        fputs(".  \n", out);
    }
    fprintf(out, "Gate: p95 at most %.1f%% worse; a change past that must also be significant "
            "(Mann-Whitney U, Holm-corrected over %zu benchmarks, α = %g) when both sides have "
            "%zu or more samples.\n\n",
            r->opts.threshold * 100.0, r->n_tested, r->opts.alpha, r->opts.min_samples);

    fputs("| Benchmark | Metric | Baseline | Current | Change | 95% CI | p | n | Verdict |\n"
          "|---|---|--:|--:|--:|--:|--:|--:|---|\n",
          out);
    for (size_t i = 0; i < r->n_rows; i++) {
        const struct gate_row *row = &r->rows[i];
        const struct bg_result *res = row->cur != NULL ? row->cur : row->base;

        report_format_value(base, sizeof(base), row->base_p95, res->unit);
        report_format_value(cur, sizeof(cur), row->cur_p95, res->unit);
        report_format_change(change, sizeof(change), row->change);
        fputs("| ", out);
        md_text(out, res->name);
        fputs(" | ", out);
        md_text(out, res->metric);
        fprintf(out, " | %s | %s | %s%s%s | ", base, cur,
                gate_row_fails(r, row) ? "**" : "", change, gate_row_fails(r, row) ? "**" : "");
        if (!isnan(row->ci_lo)) {
            report_format_change(lo, sizeof(lo), row->ci_lo);
            report_format_change(hi, sizeof(hi), row->ci_hi);
            fprintf(out, "%s … %s", lo, hi);
        } else {
            fputs("–", out);
        }
        if (!isnan(row->p))
            fprintf(out, " | %.2g", row->p_holm);
        else
            fputs(" | –", out);
        fprintf(out, " | %zu/%zu | %s %s%s%s%s |\n", row->base != NULL ? row->base->n_samples : 0,
                row->cur != NULL ? row->cur->n_samples : 0, mark(r, row),
                gate_verdict_name(row->verdict),
                row->low_confidence ? " (low confidence: " : "",
                row->low_confidence ? gate_low_confidence_why(row) : "",
                row->low_confidence ? ")" : "");
    }
    fprintf(out, "\n%zu regressed, %zu improved, %zu unchanged, %zu inconclusive, %zu new, "
            "%zu missing, %zu ignored. p is Holm-adjusted.\n",
            r->count[GATE_REGRESSED], r->count[GATE_IMPROVED], r->count[GATE_UNCHANGED],
            r->count[GATE_INCONCLUSIVE], r->count[GATE_NEW], r->count[GATE_MISSING],
            r->count[GATE_IGNORED]);
}
