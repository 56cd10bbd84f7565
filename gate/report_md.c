/*
 * report_md.c: the gate's verdict as GitHub-flavoured Markdown.
 *
 * Benchmark names are outside input and GitHub renders this into HTML, so
 * every name is escaped for Markdown (table pipes, emphasis, links, code)
 * and HTML (& < >) before it is printed; a link's URL is percent-encoded.
 *
 * Failing benchmarks come first (a line each, with why), then the whole
 * table folded in <details>, failing rows at its top. report_markdown_fit
 * cuts that to a byte limit (a pull-request comment's): table rows from
 * the end first, then failing lines, each cut said with "and N more".
 */
#include "core/bg.h"
#include "gate/report.h"

#include <math.h>
#include <stdio.h>

/* What one rendering holds: rows of the table and failing lines kept. */
struct md_cut {
    size_t rows, bullets;
};

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

/* Inside `code`: no Markdown escapes apply, so a backtick (which would end
 * it) becomes a lookalike quote, and HTML's & < > are still entities. */
static void md_code(FILE *out, const char *s)
{
    for (; *s != '\0'; s++) {
        if (*s == '`')
            fputc('\'', out);
        else if (*s == '&')
            fputs("&amp;", out);
        else if (*s == '<')
            fputs("&lt;", out);
        else if (*s == '>')
            fputs("&gt;", out);
        else
            fputc(*s, out);
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

/* The URL of a benchmark's page: a server's route, or a published file. */
static void md_link(FILE *out, const struct report_md_opts *o, const char *project,
                    const char *name)
{
    struct bg_buf u = BG_BUF_INIT, part = BG_BUF_INIT;
    size_t n = strlen(o->link_base);

    while (n > 0 && o->link_base[n - 1] == '/')
        n--;
    bg_buf_add(&u, o->link_base, n);
    bg_buf_adds(&u, "/p/");
    if (o->link_static) {
        bg_buf_add_file_part(&part, project);
        bg_buf_add_url_part(&u, part.data);
        bg_buf_adds(&u, "/b/");
        bg_buf_reset(&part);
        bg_buf_add_file_part(&part, name);
        bg_buf_add_url_part(&u, part.data);
        bg_buf_adds(&u, "/index.html");
    } else {
        bg_buf_add_url_part(&u, project);
        bg_buf_adds(&u, "/b/");
        bg_buf_add_url_part(&u, name);
    }
    /* the base is the user's: anything that would end the link is encoded */
    for (const char *c = u.data; *c != '\0'; c++) {
        if (*c == '(' || *c == ')' || *c == ' ' || *c == '<' || *c == '>' || *c == '"' ||
            *c == '\\' || *c == '[' || *c == ']' || (unsigned char)*c < 0x21)
            fprintf(out, "%%%02X", (unsigned char)*c);
        else
            fputc(*c, out);
    }
    bg_buf_release(&u);
    bg_buf_release(&part);
}

/* A benchmark's name, a link to its page when a dashboard is known. */
static void md_name(FILE *out, const struct report_md_opts *o, const char *project,
                    const char *name)
{
    if (o->link_base == NULL) {
        md_text(out, name);
        return;
    }
    fputc('[', out);
    md_text(out, name);
    fputs("](", out);
    md_link(out, o, project, name);
    fputc(')', out);
}

/* A prose buffer (no names in it) as Markdown: escaped like any text. */
static void md_prose(FILE *out, const struct bg_buf *b)
{
    md_text(out, b->data);
}

static void md_row(FILE *out, const struct gate_report *r, const struct report_md_opts *o,
                   const struct gate_row *row)
{
    char base[48], cur[48], change[32], lo[32], hi[32], noise[32], detect[32];
    const struct bg_result *res = row->cur != NULL ? row->cur : row->base;

    report_format_value(base, sizeof(base), row->base_p95, res->unit);
    report_format_value(cur, sizeof(cur), row->cur_p95, res->unit);
    report_format_change(change, sizeof(change),
                         isnan(row->adj_change) ? row->change : row->adj_change);
    fputs("| ", out);
    md_name(out, o, r->cur->project, res->name);
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
    snprintf(noise, sizeof(noise), isnan(row->noise) ? "–" : "±%.1f%%", row->noise * 100);
    snprintf(detect, sizeof(detect), isnan(row->detectable) ? "–" : "%.1f%%%s",
             row->detectable * 100, row->ungateable ? " ⚠️" : "");
    fprintf(out, " | %s | %s | %s %s", noise, detect, mark(r, row),
            gate_verdict_name(row->verdict));
    if (row->low_confidence) {
        char low[128];

        gate_low_text(r, row, low, sizeof(low));
        fprintf(out, " (low confidence: %s)", low);
    }
    fputs(" |\n", out);
}

/* "and N more ...": where the rest is, a link when a dashboard is known. */
static void md_more(FILE *out, const struct gate_report *r, const struct report_md_opts *o,
                    size_t n, const char *what)
{
    fprintf(out, "… and %zu more %s, see the job summary", n, what);
    if (o->link_base != NULL) {
        struct bg_buf u = BG_BUF_INIT;
        size_t len = strlen(o->link_base);

        while (len > 0 && o->link_base[len - 1] == '/')
            len--;
        fputs(" or the [dashboard](", out);
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)o->link_base[i];

            if (c == '(' || c == ')' || c == ' ' || c == '<' || c == '>' || c == '"' ||
                c == '\\' || c == '[' || c == ']' || c < 0x21)
                fprintf(out, "%%%02X", c);
            else
                fputc(c, out);
        }
        fputs("/p/", out);
        if (o->link_static) {
            struct bg_buf part = BG_BUF_INIT;

            bg_buf_add_file_part(&part, r->cur->project);
            bg_buf_add_url_part(&u, part.data);
            bg_buf_adds(&u, "/index.html");
            bg_buf_release(&part);
        } else {
            bg_buf_add_url_part(&u, r->cur->project);
        }
        fputs(u.data, out);
        fputc(')', out);
        bg_buf_release(&u);
    }
    fputs(".\n", out);
}

static void render(FILE *out, const struct gate_report *r, const struct report_md_opts *o,
                   struct md_cut cut)
{
    size_t failing = gate_n_failing(r), shown = 0;
    struct bg_buf b = BG_BUF_INIT;
    bool suite_fails = false;

    for (size_t i = 0; i < r->n_suites; i++)
        suite_fails |= gate_suite_fails(r, &r->suites[i]);
    fprintf(out, "%s\n", REPORT_MD_MARKER);
    if (r->base == NULL)
        fputs("### benchgate: ⚠️ no baseline: nothing was judged\n\n", out);
    else if (failing > 0 || suite_fails)
        fprintf(out, "### benchgate: ❌ %zu benchmark%s failed the gate%s\n\n", failing,
                failing == 1 ? "" : "s", suite_fails ? ", and the whole suite moved" : "");
    else
        fputs("### benchgate: ✅ no regression\n\n", out);
    if (r->base == NULL) {
        fputs("**", out);
        report_no_baseline(&b, r);
        md_prose(out, &b);
        fputs("**\n\n", out);
    }
    fputs("Project **", out);
    md_text(out, r->cur->project);
    if (r->ab != NULL) {
        fputs("**: head against base, benchgate ab.  \nRounds: ", out);
        report_ab(&b, r);
        md_prose(out, &b);
    } else {
        fputs("**, branch ", out);
        md_run(out, r->cur);
    }
    if (r->base != NULL && r->ab == NULL) {
        fputs(" against ", out);
        md_run(out, r->base);
        if (r->n_base > 1)
            fprintf(out, " and %zu runs before it", r->n_base - 1);
        fputs(".  \nBaseline: ", out);
        md_text(out, r->baseline_why);
    }
    fputs(".  \n", out);
    if (r->baseline_warning != NULL && r->baseline_warning[0] != '\0') {
        fputs("⚠️ ", out);
        md_text(out, r->baseline_warning);
        fputs(".  \n", out);
    }
    if (r->base != NULL) {
        bg_buf_reset(&b);
        report_rule(&b, r);
        fputs("Gate: ", out);
        md_prose(out, &b);
        fputs(".  \n", out);
    }
    for (size_t i = 0; i < r->n_suites; i++) {
        bg_buf_reset(&b);
        report_suite(&b, r, &r->suites[i]);
        fputs(gate_suite_fails(r, &r->suites[i]) ? "❌ Machine: " : "Machine: ", out);
        md_prose(out, &b);
        fputs(".  \n", out);
    }
    fputc('\n', out);
    for (size_t i = 0; i < r->n_rows; i++) {
        const struct gate_row *row = &r->rows[i];
        const struct bg_result *res = row->cur != NULL ? row->cur : row->base;

        if (!gate_row_fails(r, row))
            continue;
        if (shown++ == cut.bullets) {
            fputs("- ", out);
            md_more(out, r, o, failing - cut.bullets, "failing benchmarks");
            break;
        }
        bg_buf_reset(&b);
        report_row_why(&b, r, row);
        fputs(o->link_base != NULL ? "- ❌ [`" : "- ❌ `", out);
        md_code(out, res->name);
        fputs("`", out);
        if (o->link_base != NULL) {
            fputs("](", out);
            md_link(out, o, r->cur->project, res->name);
            fputc(')', out);
        }
        fputs(" (", out);
        md_text(out, res->metric);
        fprintf(out, ") %s: ", gate_verdict_name(row->verdict));
        md_prose(out, &b);
        fputc('\n', out);
    }
    if (failing > 0)
        fputc('\n', out);

    fprintf(out, "<details><summary>All %zu results</summary>\n\n", r->n_rows);
    fprintf(out, "| Benchmark | Metric | %s | %s | Change | 95%% CI | Noise | Detectable | "
            "Verdict |\n|---|---|--:|--:|--:|--:|--:|--:|---|\n",
            r->ab != NULL ? "Base" : "Baseline", r->ab != NULL ? "Head" : "Current");
    shown = 0;
    /* failing rows first, then the others in their order */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < r->n_rows && shown < cut.rows; i++) {
            if (gate_row_fails(r, &r->rows[i]) == (pass == 0)) {
                md_row(out, r, o, &r->rows[i]);
                shown++;
            }
        }
    }
    if (shown < r->n_rows) {
        fputc('\n', out);
        md_more(out, r, o, r->n_rows - shown, "results");
    }
    fputs("\n</details>\n", out);
    fprintf(out, "\n%zu regressed, %zu improved, %zu unchanged, %zu inconclusive, %zu new, "
            "%zu missing, %zu ignored. Change: %s%s. Noise: the p95's %s spread. Detectable: "
            "the smallest shift the gate could confirm (⚠️: above the threshold).\n",
            r->count[GATE_REGRESSED], r->count[GATE_IMPROVED], r->count[GATE_UNCHANGED],
            r->count[GATE_INCONCLUSIVE], r->count[GATE_NEW], r->count[GATE_MISSING],
            r->count[GATE_IGNORED],
            r->ab != NULL ? "the geometric mean of the per-round p95 ratios head/base"
                          : "against the history's typical p95",
            !report_factor_removed(r) ? ""
            : r->ab != NULL           ? ", each round's machine factor removed"
                                      : ", this run's machine factor removed",
            r->ab != NULL ? "round-to-round" : "run-to-run");
    bg_buf_release(&b);
}

static size_t rendered_size(const struct gate_report *r, const struct report_md_opts *o,
                            struct md_cut cut)
{
    char *mem = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);

    if (f == NULL)
        bg_die("out of memory");
    render(f, r, o, cut);
    if (fclose(f) != 0)
        bg_die("out of memory");
    free(mem);
    return len;
}

void report_markdown_fit(FILE *out, const struct gate_report *r, const struct report_md_opts *o)
{
    struct md_cut cut = { r->n_rows, r->n_rows };

    if (o->limit > 0 && rendered_size(r, o, cut) > o->limit) {
        /* the most table rows that fit with every failing line, else the most
         * failing lines that fit without the table (sizes grow with counts) */
        size_t lo = 0, hi = r->n_rows;
        bool lines = false;

        cut.rows = 0;
        if (rendered_size(r, o, cut) > o->limit) {
            lines = true;
            hi = gate_n_failing(r);
        }
        while (lo < hi) {
            size_t mid = lo + (hi - lo + 1) / 2;

            *(lines ? &cut.bullets : &cut.rows) = mid;
            if (rendered_size(r, o, cut) <= o->limit)
                lo = mid;
            else
                hi = mid - 1;
        }
        *(lines ? &cut.bullets : &cut.rows) = lo;
    }
    render(out, r, o, cut);
}

void report_markdown(FILE *out, const struct gate_report *r)
{
    const struct report_md_opts none = { NULL, false, 0 };

    report_markdown_fit(out, r, &none);
}
